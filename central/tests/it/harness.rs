//! Starts a simulator on 127.0.0.1:0 in a temporary directory with a manual clock, and talks to it over
//! HTTPS with a client that trusts only the simulator's development CA.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{Value, json};
use servicaja_central::{CentralConfig, ManualClock, RunningCentral, start};
use servicaja_core::api::{IDEMPOTENCY_KEY_HEADER, OutboxMessage, paths};

use crate::contract;

pub const JESUS: (&str, &str, &str) = ("4214100000000010", "44556677", "123456");
pub const MARIA: (&str, &str, &str) = ("4214100000000028", "40112233", "246810");
pub const ROSA: (&str, &str, &str) = ("4214100000000036", "07654321", "135790");
pub const PEDRO: (&str, &str, &str) = ("4214100000000044", "29876543", "112233");
pub const LUIS: (&str, &str, &str) = ("4214100000000051", "45678912", "102030");

/// Tuesday 10 March 2026, 10:00 in Lima.
pub fn start_instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 15, 0, 0).single().expect("valid instant")
}

pub struct Harness {
    pub central: Option<RunningCentral>,
    pub clock: ManualClock,
    pub client: reqwest::Client,
    pub base: String,
    pub dir: tempfile::TempDir,
    counter: std::sync::atomic::AtomicU64,
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub replayed: bool,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn ok(self) -> Value {
        assert!(self.status.is_success(), "expected success, got {} {}", self.status, self.body);
        self.body
    }

    #[track_caller]
    pub fn problem(self, code: &str) -> Value {
        assert_eq!(self.code(), code, "unexpected answer {} {}", self.status, self.body);
        assert!(!self.status.is_success());
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()), "problem without message");
        assert_eq!(self.body["status"].as_u64(), Some(u64::from(self.status.as_u16())));
        self.body
    }
}

pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client pinned to the simulator's CA, optionally presenting the kiosk certificate.
pub fn client(central: &RunningCentral, with_client_cert: bool) -> reqwest::Client {
    let identity = with_client_cert.then(|| (central.client_cert_path(), central.client_key_path()));
    client_from(central.ca_cert_path(), identity)
}

pub fn client_from(ca: &std::path::Path, identity: Option<(&std::path::Path, &std::path::Path)>) -> reqwest::Client {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).expect("CA file").flatten() {
        roots.add(cert).expect("CA certificate");
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots);
    let mut config = match identity {
        Some((cert, key)) => {
            let certs: Vec<_> = CertificateDer::pem_file_iter(cert).expect("client cert").flatten().collect();
            let key = PrivateKeyDer::from_pem_file(key).expect("client key");
            builder.with_client_auth_cert(certs, key).expect("client auth")
        }
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    reqwest::Client::builder().use_preconfigured_tls(config).build().expect("client")
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(false).await
    }

    pub async fn start_with(mtls: bool) -> Self {
        Self::start_configured(|config| config.mtls = mtls).await
    }

    pub async fn start_configured(adjust: impl FnOnce(&mut CentralConfig)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = ManualClock::new(start_instant());
        let mut config = CentralConfig::demo(dir.path());
        config.clock = Arc::new(clock.clone());
        adjust(&mut config);
        let mtls = config.mtls;
        let central = start(config).await.expect("central starts");
        let client = client(&central, mtls);
        let base = central.base_url();
        Self { central: Some(central), clock, client, base, dir, counter: Default::default() }
    }

    pub fn central(&self) -> &RunningCentral {
        self.central.as_ref().expect("running")
    }

    /// Stops the server and starts it again on the same data directory (state must survive).
    pub async fn restart(&mut self) {
        if let Some(central) = self.central.take() {
            central.shutdown().await;
        }
        let mut config = CentralConfig::demo(self.dir.path());
        config.clock = Arc::new(self.clock.clone());
        let central = start(config).await.expect("central restarts");
        self.client = client(&central, false);
        self.base = central.base_url();
        self.central = Some(central);
    }

    pub fn fresh_key(&self) -> String {
        let n = self.counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!("test-key-{n}-{}", uuid::Uuid::now_v7())
    }

    /// The answer, checked against the OpenAPI document (`contract.rs`): every test that talks through the
    /// harness also checks that the simulator speaks the documented contract.
    async fn reply(method: &str, path: &str, response: reqwest::Response) -> Reply {
        let status = response.status();
        let replayed = response.headers().get("Idempotency-Replayed").is_some();
        let content_type =
            response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = response.bytes().await.expect("body");
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("JSON body") };
        if let Err(mismatch) = contract::check_answer(method, path, status.as_u16(), content_type.as_deref(), &body) {
            panic!("the answer disagrees with central/openapi.yaml: {mismatch}");
        }
        Reply { status, body, replayed }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Self::reply("GET", path, request.send().await.expect("GET sent")).await
    }

    pub async fn post_keyed(&self, path: &str, token: Option<&str>, key: Option<&str>, body: &Value) -> Reply {
        let mut request = self.client.post(format!("{}{path}", self.base)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = key {
            request = request.header(IDEMPOTENCY_KEY_HEADER, key);
        }
        Self::reply("POST", path, request.send().await.expect("POST sent")).await
    }

    /// POST with a fresh idempotency key.
    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        let key = self.fresh_key();
        self.post_keyed(path, token, Some(&key), body).await
    }

    pub async fn try_login(&self, who: (&str, &str, &str)) -> Reply {
        self.post(paths::SESSIONS, None, &json!({"card_number": who.0, "dni": who.1, "clave": who.2})).await
    }

    pub async fn login(&self, who: (&str, &str, &str)) -> String {
        let body = self.try_login(who).await.ok();
        body["token"].as_str().expect("token").to_owned()
    }

    pub async fn outbox(&self) -> Vec<OutboxMessage> {
        serde_json::from_value(self.get(paths::DEMO_OUTBOX, None).await.ok()).expect("outbox")
    }

    /// The code in the newest SMS.
    pub async fn last_sms_code(&self) -> String {
        let outbox = self.outbox().await;
        let sms = outbox.iter().find(|m| m.channel == servicaja_core::api::OutboxChannel::Sms).expect("an SMS");
        let digits: Vec<String> =
            sms.body.split(|c: char| !c.is_ascii_digit()).filter(|w| w.len() == 6).map(str::to_owned).collect();
        digits.first().cloned().expect("a 6-digit code in the SMS")
    }

    pub async fn account(&self, token: &str, id: &str) -> Value {
        let accounts = self.get(paths::ACCOUNTS, Some(token)).await.ok();
        accounts.as_array().expect("list").iter().find(|a| a["id"] == id).cloned().expect("account exists")
    }

    pub async fn loan(&self, token: &str, id: &str) -> Value {
        let loans = self.get(paths::LOANS, Some(token)).await.ok();
        loans.as_array().expect("list").iter().find(|l| l["id"] == id).cloned().expect("loan exists")
    }

    pub async fn schedule(&self, token: &str, id: &str) -> Value {
        self.get(&paths::fill(paths::LOAN_SCHEDULE, "loan_id", id), Some(token)).await.ok()
    }
}

pub fn amount(value: &Value) -> rust_decimal::Decimal {
    value["amount"].as_str().expect("money amount").parse().expect("decimal")
}
