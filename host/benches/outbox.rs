//! Outbox benches: the latency of a durable enqueue (WAL, `synchronous=FULL`) next to a bare SQLite
//! insert + commit in the same file (the disk's physical limit), and the rate at which queued commands
//! drain to the local central simulator over HTTPS with mutual TLS.
//!
//! Besides criterion's figures it prints p50/p99 of single enqueues and a one-shot drain of 10,000
//! commands, the figures the issue asks for.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use servicaja_central::{CentralConfig, RunningCentral};
use servicaja_core::api::{EmailRequest, OpenSessionRequest};
use servicaja_host::client::{HostClient, TlsFiles};
use servicaja_host::outbox::{Outbox, OutboxOptions};
use servicaja_host::policy::{CommandKind, PolicySettings, State};
use servicaja_host::store::SessionToken;
use servicaja_host::store::{NewCommand, OutboxStore};
use servicaja_host::wire;

fn bench_dir(name: &str) -> PathBuf {
    // Under target/: the same disk the kiosk's data directory would share with the build in this setup.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn policy() -> PolicySettings {
    PolicySettings {
        max_open: u32::MAX,
        max_age: chrono::Duration::hours(24),
        backoff_initial: Duration::from_millis(20),
        backoff_max: Duration::from_millis(500),
    }
}

fn command() -> NewCommand {
    let body = serde_json::json!({
        "operation_id": uuid::Uuid::now_v7(), "loan_id": "L-00340001", "debit_account_id": "A-00121110",
        "option": "due_installment",
    });
    NewCommand::new(CommandKind::Payment, "S1", "/v1/payments", &body).unwrap().with_session_token("token")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn enqueue(c: &mut Criterion) {
    let dir = bench_dir("enqueue");
    let path = dir.join("outbox.sqlite");
    let mut store = OutboxStore::open(&path).unwrap();
    let bare = rusqlite::Connection::open(&path).unwrap();
    bare.pragma_update(None, "synchronous", "FULL").unwrap();
    bare.execute_batch("CREATE TABLE IF NOT EXISTS bare (payload TEXT NOT NULL)").unwrap();
    let payload = command().payload.to_string();
    let policy = policy();

    // One pass of single operations for the percentiles criterion does not report.
    let mut durable = Vec::new();
    let mut plain = Vec::new();
    for _ in 0..1_000 {
        let next = command();
        let start = Instant::now();
        store.enqueue(&next, &policy, Utc::now()).unwrap();
        durable.push(start.elapsed());
        let start = Instant::now();
        bare.execute("INSERT INTO bare (payload) VALUES (?1)", [&payload]).unwrap();
        plain.push(start.elapsed());
    }
    durable.sort();
    plain.sort();
    let (d50, d99, p50, p99) =
        (percentile(&durable, 0.5), percentile(&durable, 0.99), percentile(&plain, 0.5), percentile(&plain, 0.99));
    println!(
        "FIGURES enqueue (1000 each, WAL + synchronous=FULL, {}): durable enqueue p50 {d50:?} p99 {d99:?}; \
         bare insert+commit p50 {p50:?} p99 {p99:?}; ratio p50 {:.2}",
        path.display(),
        d50.as_secs_f64() / p50.as_secs_f64()
    );

    let mut group = c.benchmark_group("enqueue");
    group.throughput(Throughput::Elements(1));
    group.bench_function("durable_outbox_enqueue", |b| {
        b.iter(|| store.enqueue(&command(), &policy, Utc::now()).unwrap())
    });
    group.bench_function("bare_sqlite_insert_commit", |b| {
        b.iter(|| bare.execute("INSERT INTO bare (payload) VALUES (?1)", [&payload]).unwrap())
    });
    group.finish();
}

struct Central {
    running: RunningCentral,
    client: HostClient,
    token: String,
}

async fn central(dir: &Path) -> Central {
    let mut config = CentralConfig::demo(dir.join("central"));
    config.mtls = true;
    let running = servicaja_central::start(config).await.unwrap();
    let files = TlsFiles {
        ca_cert: running.ca_cert_path(),
        client_cert: Some(running.client_cert_path()),
        client_key: Some(running.client_key_path()),
    };
    let client = HostClient::new(&running.base_url(), &files, Duration::from_secs(2), Duration::from_secs(10)).unwrap();
    let login =
        OpenSessionRequest { card_number: "4214100000000010".into(), dni: "44556677".into(), clave: "123456".into() };
    let token = client.open_session(&login).await.unwrap().token;
    Central { running, client, token }
}

/// Queues `count` e-mail commands in 8 lanes, then starts the dispatcher and times the drain.
async fn drain(dir: &Path, central: &Central, count: usize) -> Duration {
    let path = dir.join(format!("drain-{}.sqlite", uuid::Uuid::now_v7()));
    {
        let mut store = OutboxStore::open(&path).unwrap();
        let policy = policy();
        for i in 0..count {
            let email = EmailRequest {
                to: "jesus.quispe@cmactacna.com.pe".into(),
                subject: format!("Constancia {i}"),
                body: "CONSTANCIA DE PAGO".into(),
                pdf_base64: None,
            };
            store
                .enqueue(
                    &wire::email_outgoing(&email)
                        .unwrap()
                        .into_command(
                            uuid::Uuid::now_v7(),
                            &format!("lane{}", i % 8),
                            Some(SessionToken(central.token.clone())),
                        )
                        .0,
                    &policy,
                    Utc::now(),
                )
                .unwrap();
        }
    }
    let start = Instant::now();
    let (outbox, _dispatcher) =
        Outbox::start(&path, policy(), central.client.clone(), OutboxOptions::default()).await.unwrap();
    loop {
        let status = outbox.status().await.unwrap();
        if status.count(State::Done) as usize == count {
            break;
        }
        assert_eq!(status.count(State::Rejected), 0, "a command was refused");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = start.elapsed();
    outbox.stop();
    elapsed
}

fn drain_bench(c: &mut Criterion) {
    let dir = bench_dir("drain");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let central = runtime.block_on(central(&dir));
    let once = runtime.block_on(drain(&dir, &central, 10_000));
    println!(
        "FIGURES drain: 10000 queued commands to the local simulator over HTTPS (mTLS) in {once:?}: {:.0} commands/s",
        10_000.0 / once.as_secs_f64()
    );
    let mut group = c.benchmark_group("drain");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(1_000));
    group.bench_function("1000_queued_commands_https", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| runtime.block_on(drain(&dir, &central, 1_000))).sum::<Duration>())
    });
    group.finish();
    runtime.block_on(central.running.shutdown());
}

criterion_group!(benches, enqueue, drain_bench);
criterion_main!(benches);
