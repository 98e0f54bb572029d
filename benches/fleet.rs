//! Fleet load bench (a bench binary printing figures): 200 simulated kiosks report every 60 s, time
//! compressed, to the central simulator over mutual TLS on loopback — the reports per second it sustains
//! and the latency of one report (p50, p99) — and the kiosk's cost of one report: the CPU time of building
//! and serializing it with the real reporter, the CPU time of the whole send on the kiosk's thread, and the
//! bytes on the wire (counted by a loopback proxy, TLS included).
//!
//! Run: `cargo bench --bench fleet` (release), or `cargo bench --bench fleet --profile dev` for a quick run
//! on an already built debug tree. Env: `BENCH_KIOSKS` (200), `BENCH_PERIOD_MS` (300: one simulated minute
//! every 0.3 s, i.e. 200× compressed), `BENCH_SECONDS` (10), `BENCH_SENDS` (200 reports for the cost).

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use servicaja_central::{CentralConfig, start};
use servicaja_core::api::{
    CertificateReport, CertificateRole, JournalHeadReport, OutboxReport, PaperReportItem, PaperSensor, ReportTrigger,
    StateCount,
};
use servicaja_core::settings::HostSettings;
use servicaja_host::HostClient;
use servicaja_runtime::fleet::{DeviceFact, Facts, Reporter, ReporterConfig, ServiceFact};
use tokio::net::{TcpListener, TcpStream};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64)).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// This thread's CPU time so far (Linux: the first field of `/proc/thread-self/schedstat`, in ns).
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|text| text.split_whitespace().next().and_then(|ns| ns.parse().ok()))
        .map_or(Duration::ZERO, Duration::from_nanos)
}

fn reporter(kiosk: &str) -> Reporter {
    Reporter::new(ReporterConfig {
        kiosk_id: kiosk.to_owned(),
        agency: "001".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        interval: TimeDelta::seconds(60),
    })
}

/// What a busy kiosk reports: three devices, counts in four outbox states, three certificates.
fn facts(seq: i64) -> Facts {
    let device =
        |name: &str| DeviceFact { device: name.into(), state: "online".into(), action: None, detail: "ok".into() };
    Facts {
        devices: vec![device("printer"), device("card-reader"), device("document-reader")],
        paper: PaperReportItem {
            state: PaperSensor::Full,
            left_percent: 64,
            left_mm: 51_200,
            receipts_since_change: 212,
        },
        paper_low: false,
        outbox: OutboxReport {
            counts: ["done", "pending", "rejected", "expired"]
                .iter()
                .zip([1834u64, 2, 1, 0])
                .map(|(state, count)| StateCount { state: (*state).into(), count })
                .collect(),
            oldest_pending_seconds: Some(12),
        },
        certificates: [CertificateRole::Ca, CertificateRole::Kiosk, CertificateRole::Server]
            .into_iter()
            .map(|role| CertificateReport { role, days_left: Some(300) })
            .collect(),
        service: ServiceFact { in_service: true, reason: None, note: None },
        journal_head: JournalHeadReport { seq, hash: format!("{seq:064x}") },
    }
}

fn with_activity(reporter: &mut Reporter) {
    for _ in 0..3 {
        reporter.session_started();
        reporter.operation("pago de cuota", "realizado");
    }
    reporter.operation("pago de cuota", "rechazado: saldo_insuficiente");
    reporter.operation("constancia de no adeudo", "emitida");
}

/// Forwards one connection to `target`, answering the bytes each way once it closes.
async fn counting_proxy(target: std::net::SocketAddr) -> (std::net::SocketAddr, tokio::task::JoinHandle<(u64, u64)>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy listens");
    let addr = listener.local_addr().expect("proxy address");
    let task = tokio::spawn(async move {
        let (mut kiosk, _) = listener.accept().await.expect("the kiosk connects");
        let mut central = TcpStream::connect(target).await.expect("the proxy reaches the central");
        tokio::io::copy_bidirectional(&mut kiosk, &mut central).await.unwrap_or((0, 0))
    });
    (addr, task)
}

fn main() {
    let kiosks = env_number("BENCH_KIOSKS", 200);
    let period = Duration::from_millis(env_number("BENCH_PERIOD_MS", 300));
    let seconds = env_number("BENCH_SECONDS", 10);
    let sends = env_number("BENCH_SENDS", 200);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = CentralConfig::demo(dir.path().join("central"));
    config.mtls = true;
    let central = runtime.block_on(start(config)).expect("the central starts");
    let host = HostSettings {
        base_url: central.base_url(),
        embedded_simulator: false,
        ca_cert: central.ca_cert_path().display().to_string(),
        client_cert: central.client_cert_path().display().to_string(),
        client_key: central.client_key_path().display().to_string(),
        connect_timeout_ms: 5_000,
        request_timeout_ms: 30_000,
    };
    let t0: DateTime<Utc> = "2026-12-06T15:00:00Z".parse().expect("instant");

    // --- 200 kiosks, every simulated minute compressed into `period` ---
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let outcomes = runtime.block_on(async {
        let mut tasks = Vec::new();
        for k in 0..kiosks {
            let client = HostClient::from_settings(&host).expect("client");
            tasks.push(tokio::spawn(async move {
                let mut reporter = reporter(&format!("KSK-B{k:03}"));
                let mut latencies = Vec::new();
                let mut errors = 0u64;
                // Spread the kiosks over the period, as real ones drift apart.
                tokio::time::sleep(period.mul_f64(k as f64 / kiosks as f64)).await;
                let mut ticks = tokio::time::interval(period);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                let mut minute = 0i64;
                while Instant::now() < deadline {
                    ticks.tick().await;
                    let now = t0 + TimeDelta::minutes(minute);
                    let facts = facts(3 * minute + 1);
                    with_activity(&mut reporter);
                    let trigger = reporter.due(&facts, now).unwrap_or(ReportTrigger::Periodic);
                    let report = reporter.build(&facts, now, trigger, uuid::Uuid::now_v7().to_string());
                    let sent = Instant::now();
                    match client.report_status(&report).await {
                        Ok(reply) => {
                            latencies.push(sent.elapsed());
                            reporter.delivered(reply, now);
                        }
                        Err(_) => {
                            errors += 1;
                            reporter.failed();
                        }
                    }
                    minute += 1;
                }
                (latencies, errors)
            }));
        }
        let mut all = Vec::new();
        let mut errors = 0;
        for task in tasks {
            let (latencies, failed) = task.await.expect("kiosk task");
            all.extend(latencies);
            errors += failed;
        }
        (all, errors)
    });
    let elapsed = started.elapsed();
    let (mut latencies, errors) = outcomes;
    latencies.sort();
    let offered = kiosks as f64 / period.as_secs_f64();
    println!(
        "fleet: {kiosks} kiosks, one report per simulated minute every {} ms ({:.0}x compressed): offered {offered:.0} reports/s",
        period.as_millis(),
        60.0 / period.as_secs_f64()
    );
    println!(
        "  sustained {:.0} reports/s ({} delivered, {errors} failed in {:.1} s); latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        latencies.len(),
        elapsed.as_secs_f64(),
        percentile(&latencies, 50.0).as_secs_f64() * 1e3,
        percentile(&latencies, 99.0).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );

    // --- The kiosk's cost of one report ---
    let mut costly = reporter("KSK-COST");
    let iterations = 10_000u32;
    let cpu = thread_cpu();
    let mut body_bytes = 0;
    for i in 0..iterations {
        with_activity(&mut costly);
        let now = t0 + TimeDelta::minutes(i64::from(i));
        let report = costly.build(&facts(i64::from(i)), now, ReportTrigger::Periodic, uuid::Uuid::now_v7().to_string());
        body_bytes = serde_json::to_vec(&report).expect("JSON").len();
        costly.delivered(Default::default(), now);
    }
    let build = (thread_cpu() - cpu) / iterations;
    println!(
        "kiosk: building and serializing one report: {:.1} µs CPU; JSON body {body_bytes} bytes",
        build.as_secs_f64() * 1e6
    );

    let central_addr = central.local_addr();
    let sender_host = host.clone();
    // The kiosk side on a thread of its own (a current-thread runtime), so its CPU time is the kiosk's only.
    let handle = runtime.handle().clone();
    let (first, steady, cpu_per_send) = std::thread::spawn(move || {
        let local = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio");
        let measure = |count: u64| -> ((u64, u64), Duration) {
            let (addr, proxy) = handle.block_on(counting_proxy(central_addr));
            let mut host = sender_host.clone();
            // The server certificate names 127.0.0.1: the proxy is reached under that name.
            host.base_url = format!("https://{addr}");
            let client = HostClient::from_settings(&host).expect("client");
            let mut wire = reporter("KSK-WIRE");
            let mut cpu = Duration::ZERO;
            local.block_on(async {
                for i in 0..count {
                    let now = t0 + TimeDelta::minutes(i as i64);
                    with_activity(&mut wire);
                    let before = thread_cpu();
                    let report =
                        wire.build(&facts(i as i64), now, ReportTrigger::Periodic, uuid::Uuid::now_v7().to_string());
                    let reply = client.report_status(&report).await.expect("report delivered");
                    wire.delivered(reply, now);
                    if i > 0 {
                        cpu += thread_cpu() - before;
                    }
                }
            });
            drop(client);
            local.block_on(async { tokio::time::sleep(Duration::from_millis(50)).await });
            let bytes = handle
                .block_on(async { tokio::time::timeout(Duration::from_secs(10), proxy).await })
                .ok()
                .and_then(Result::ok)
                .unwrap_or((0, 0));
            (bytes, cpu / u32::try_from(count.saturating_sub(1).max(1)).unwrap_or(1))
        };
        let (first, _) = measure(1);
        let (many, cpu) = measure(sends);
        (first, many, cpu)
    })
    .join()
    .expect("the kiosk thread");
    println!(
        "kiosk: one report on a fresh connection (TLS 1.3 handshake with client certificate included): {} bytes up, {} bytes down",
        first.0, first.1
    );
    println!(
        "kiosk: {sends} reports on one connection: {:.0} bytes up and {:.0} bytes down per report; {:.0} µs CPU per report on the kiosk's thread (build, JSON, HTTP/2, TLS)",
        steady.0 as f64 / sends as f64,
        steady.1 as f64 / sends as f64,
        cpu_per_send.as_secs_f64() * 1e6
    );
    runtime.block_on(central.shutdown());
}
