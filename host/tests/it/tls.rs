//! The host client against real TLS handshakes on loopback: each certificate problem is refused with
//! its own error, and a good handshake yields typed answers and problems.

use std::time::Duration;

use servicaja_host::client::{HostClient, HostError, Method, RetryAfter, TlsFailure, TlsFiles};
use tempfile::TempDir;

use crate::pki::{Ca, http, serve};

fn ok() -> String {
    http(
        "200 OK",
        "content-type: application/json
",
        "{\"ok\":true}",
    )
}

fn problem() -> String {
    let body = r#"{"code":"insufficient_funds","message":"Saldo insuficiente.","status":422}"#;
    http(
        "422 Unprocessable Entity",
        "content-type: application/problem+json
",
        body,
    )
}

fn busy() -> String {
    http(
        "503 Service Unavailable",
        "retry-after: 7
",
        "",
    )
}

struct Setup {
    dir: TempDir,
    ca: Ca,
}

fn setup() -> Setup {
    Setup { dir: tempfile::tempdir().unwrap(), ca: Ca::new("Central CA") }
}

fn client(base: &str, ca: &std::path::Path, client: Option<&crate::pki::Leaf>) -> HostClient {
    let files = TlsFiles {
        ca_cert: ca,
        client_cert: client.map(|leaf| leaf.cert.as_path()),
        client_key: client.map(|leaf| leaf.key.as_path()),
    };
    HostClient::new(base, &files, Duration::from_secs(5), Duration::from_secs(10)).unwrap()
}

async fn get(client: &HostClient) -> Result<serde_json::Value, HostError> {
    client.send(Method::GET, "/v1/health", None, None, None).await.map(|reply| reply.body)
}

fn tls_failure(result: Result<serde_json::Value, HostError>) -> TlsFailure {
    match result {
        Err(HostError::Tls(failure)) => failure,
        other => panic!("expected a TLS failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_good_handshake_with_mutual_tls_answers() {
    let s = setup();
    let server = s.ca.issue(s.dir.path(), "server", true, false);
    let kiosk = s.ca.issue(s.dir.path(), "kiosk", false, false);
    let ca = s.ca.write(s.dir.path(), "ca");
    let base = serve(&server, Some(&ca), ok()).await;
    assert_eq!(get(&client(&base, &ca, Some(&kiosk))).await.unwrap(), serde_json::json!({"ok": true}));
}

#[tokio::test]
async fn a_server_signed_by_another_ca_is_refused_as_unknown_ca() {
    let s = setup();
    let other = Ca::new("Impostor CA");
    let server = other.issue(s.dir.path(), "server", true, false);
    let ca = s.ca.write(s.dir.path(), "ca");
    let base = serve(&server, None, ok()).await;
    let failure = tls_failure(get(&client(&base, &ca, None)).await);
    assert_eq!(failure, TlsFailure::UnknownCa);
    assert!(failure.to_string().contains("host.ca_cert"));
}

#[tokio::test]
async fn an_expired_server_certificate_is_refused_as_expired() {
    let s = setup();
    let server = s.ca.issue(s.dir.path(), "server", true, true);
    let ca = s.ca.write(s.dir.path(), "ca");
    let base = serve(&server, None, ok()).await;
    assert_eq!(tls_failure(get(&client(&base, &ca, None)).await), TlsFailure::ServerCertificateExpired);
}

#[tokio::test]
async fn a_missing_client_certificate_is_named_as_such() {
    let s = setup();
    let server = s.ca.issue(s.dir.path(), "server", true, false);
    let ca = s.ca.write(s.dir.path(), "ca");
    let base = serve(&server, Some(&ca), ok()).await;
    let failure = tls_failure(get(&client(&base, &ca, None)).await);
    assert_eq!(failure, TlsFailure::ClientCertificateMissing);
    assert!(failure.to_string().contains("host.client_cert"));
}

#[tokio::test]
async fn an_expired_client_certificate_is_named_as_such() {
    let s = setup();
    let server = s.ca.issue(s.dir.path(), "server", true, false);
    let kiosk = s.ca.issue(s.dir.path(), "kiosk", false, true);
    let ca = s.ca.write(s.dir.path(), "ca");
    let base = serve(&server, Some(&ca), ok()).await;
    assert_eq!(tls_failure(get(&client(&base, &ca, Some(&kiosk))).await), TlsFailure::ClientCertificateExpired);
}

#[tokio::test]
async fn a_problem_answer_carries_its_code_and_a_busy_answer_its_retry_after() {
    let s = setup();
    let server = s.ca.issue(s.dir.path(), "server", true, false);
    let ca = s.ca.write(s.dir.path(), "ca");
    let problem = serve(&server, None, problem()).await;
    match get(&client(&problem, &ca, None)).await {
        Err(err @ HostError::Status { status: 422, .. }) => {
            assert_eq!(err.problem_code(), Some("insufficient_funds"));
            assert_eq!(err.error_code(), Some(servicaja_core::api::ErrorCode::InsufficientFunds));
            assert!(!err.is_transient());
        }
        other => panic!("expected a 422 problem, got {other:?}"),
    }
    let busy = serve(&server, None, busy()).await;
    match get(&client(&busy, &ca, None)).await {
        Err(err @ HostError::Status { status: 503, retry_after: Some(RetryAfter::Seconds(7)), .. }) => {
            assert!(err.is_transient())
        }
        other => panic!("expected a 503 with Retry-After, got {other:?}"),
    }
}

#[tokio::test]
async fn nobody_listening_is_a_network_error_and_a_bad_ca_file_a_configuration_error() {
    let s = setup();
    let ca = s.ca.write(s.dir.path(), "ca");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("https://{}", listener.local_addr().unwrap());
    drop(listener);
    assert!(matches!(get(&client(&base, &ca, None)).await, Err(HostError::Network(_))));
    let garbage = s.dir.path().join("garbage.pem");
    std::fs::write(&garbage, "not a certificate").unwrap();
    let files = TlsFiles { ca_cert: &garbage, client_cert: None, client_key: None };
    let err = HostClient::new(&base, &files, Duration::from_secs(1), Duration::from_secs(1)).unwrap_err();
    assert!(matches!(err, HostError::Config(_)), "{err:?}");
}
