//! Load bench: loan payments per second with 50 concurrent clients on loopback (each with its own TLS
//! connection, session and idempotency keys), and the p50/p99 latency of one payment.
//!
//! Run: `cargo bench -p servicaja-central --bench payments` (env `BENCH_CLIENTS`, `BENCH_PAYMENTS`
//! change the 50 clients × 40 payments each).

use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Value, json};
use servicaja_central::{CentralConfig, start};
use servicaja_core::api::{IDEMPOTENCY_KEY_HEADER, paths};
use servicaja_core::identity::card::luhn_check_digit;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn card(index: usize) -> String {
    let payload = format!("421499{index:09}");
    let check = luhn_check_digit(&payload).expect("digits only");
    format!("{payload}{check}")
}

/// One customer per client: a large balance and a long loan, so every payment is a valid due installment.
fn fixtures(clients: usize) -> String {
    let mut text = String::from("[exchange]\nbuy = \"3.720\"\nsell = \"3.780\"\n");
    for i in 0..clients {
        text.push_str(&format!(
            r#"
[[customers]]
id = "B{i:03}"
name = "CLIENTE {i}"
dni = "{dni:08}"
card = "{card}"
clave = "123456"
phone = "9{phone:08}"
email = "cliente{i}@correo.pe"
birth_date = "1980-01-01"
employer_since = "2010-01-01"
[[customers.accounts]]
id = "A-B{i:03}"
number = "B{i:07}"
product_name = "CTA.AHORRO PN SOLES"
currency = "PEN"
balance = "10000000.00"
status = "active"
signature = "individual"
[[customers.loans]]
id = "L-B{i:03}"
number = "L{i:011}"
product_type = "consumo"
product_name = "CRÉDITO CONSUMO SOLES"
currency = "PEN"
principal = "100000.00"
tea = "0.1200"
moratorium_tea = "0.0800"
installments = 120
disbursed_months_ago = 1
installments_paid = 0
"#,
            dni = 10_000_000 + i,
            card = card(i),
            phone = 10_000_000 + i,
        ));
    }
    text
}

fn client(ca: &std::path::Path) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).expect("CA").flatten() {
        roots.add(cert).expect("CA cert");
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    reqwest::Client::builder().use_preconfigured_tls(config).build().expect("client")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64)).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let clients = env_number("BENCH_CLIENTS", 50);
    let per_client = env_number("BENCH_PAYMENTS", 40);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = CentralConfig::demo(dir.path());
    config.fixtures_toml = Some(fixtures(clients));
    let central = start(config).await.expect("central starts");
    let base = central.base_url();
    let ca = central.ca_cert_path().to_owned();

    let mut tasks = Vec::new();
    let barrier = Arc::new(tokio::sync::Barrier::new(clients + 1));
    for i in 0..clients {
        let http = client(&ca);
        let base = base.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let login: Value = http
                .post(format!("{base}{}", paths::SESSIONS))
                .header(IDEMPOTENCY_KEY_HEADER, format!("login-{i}"))
                .json(&json!({"card_number": card(i), "dni": format!("{:08}", 10_000_000 + i), "clave": "123456"}))
                .send()
                .await
                .expect("login sent")
                .json()
                .await
                .expect("login body");
            let token = login["token"].as_str().expect("token").to_owned();
            barrier.wait().await;
            let mut latencies = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let operation = uuid::Uuid::now_v7();
                let body = json!({"operation_id": operation, "loan_id": format!("L-B{i:03}"),
                    "debit_account_id": format!("A-B{i:03}"), "option": "due_installment"});
                let started = Instant::now();
                let response = http
                    .post(format!("{base}{}", paths::PAYMENTS))
                    .bearer_auth(&token)
                    .header(IDEMPOTENCY_KEY_HEADER, operation.to_string())
                    .json(&body)
                    .send()
                    .await
                    .expect("payment sent");
                let status = response.status();
                let _ = response.bytes().await;
                assert!(status.is_success(), "payment refused: {status}");
                latencies.push(started.elapsed());
            }
            latencies
        }));
    }
    barrier.wait().await;
    let started = Instant::now();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("client task"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let total = latencies.len();
    println!(
        "payments: {total} by {clients} concurrent clients in {:.2} s → {:.0} payments/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 50.0).as_secs_f64() * 1000.0,
        percentile(&latencies, 99.0).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
    );
    central.shutdown().await;
}
