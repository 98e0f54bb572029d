//! The host client against real TLS handshakes on loopback: each certificate problem is refused with
//! its own error, and a good handshake yields typed answers and problems. The central refusing the
//! kiosk's client certificate is tested over HTTP/2 as well (where the TLS 1.3 alert reaches the client
//! only as text, or as "channel closed"), against a loopback server and the real simulator.

use std::time::Duration;

use servicaja_host::client::{HostClient, HostError, Method, RetryAfter, TlsFailure, TlsFiles};
use tempfile::TempDir;

use crate::pki::{Ca, http, serve, serve_with_alpn};

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

/// A server requiring client certificates from the setup's CA and offering HTTP/2 first, as the central does.
async fn central_like(s: &Setup) -> (String, std::path::PathBuf) {
    let server = s.ca.issue(s.dir.path(), "server", true, false);
    let ca = s.ca.write(s.dir.path(), "ca");
    (serve_with_alpn(&server, Some(&ca), ok(), &[b"h2", b"http/1.1"]).await, ca)
}

#[tokio::test]
async fn over_http2_a_missing_client_certificate_is_named_not_channel_closed() {
    let s = setup();
    let (base, ca) = central_like(&s).await;
    let err = get(&client(&base, &ca, None)).await.unwrap_err();
    assert!(matches!(err, HostError::Tls(TlsFailure::ClientCertificateMissing)), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("sent none") && message.contains("host.client_cert"), "{message}");
    assert!(!message.contains("cannot reach"), "{message}");
}

#[tokio::test]
async fn over_http2_an_expired_client_certificate_is_named_as_expired() {
    let s = setup();
    let (base, ca) = central_like(&s).await;
    let kiosk = s.ca.issue(s.dir.path(), "kiosk", false, true);
    let err = get(&client(&base, &ca, Some(&kiosk))).await.unwrap_err();
    assert!(matches!(err, HostError::Tls(TlsFailure::ClientCertificateExpired)), "{err:?}");
    assert!(err.to_string().contains("renew host.client_cert"), "{err}");
}

#[tokio::test]
async fn over_http2_a_client_certificate_from_another_ca_is_named_as_untrusted() {
    let s = setup();
    let (base, ca) = central_like(&s).await;
    let kiosk = Ca::new("Other CA").issue(s.dir.path(), "kiosk", false, false);
    let err = get(&client(&base, &ca, Some(&kiosk))).await.unwrap_err();
    assert!(matches!(err, HostError::Tls(TlsFailure::ClientCertificateUnknownCa)), "{err:?}");
    assert!(err.to_string().contains("does not trust the CA"), "{err}");
}

#[tokio::test]
async fn over_http1_a_client_certificate_from_another_ca_is_named_as_untrusted() {
    let s = setup();
    let server = s.ca.issue(s.dir.path(), "server", true, false);
    let ca = s.ca.write(s.dir.path(), "ca");
    let base = serve(&server, Some(&ca), ok()).await;
    let kiosk = Ca::new("Other CA").issue(s.dir.path(), "kiosk", false, false);
    assert_eq!(tls_failure(get(&client(&base, &ca, Some(&kiosk))).await), TlsFailure::ClientCertificateUnknownCa);
}

/// A server that completes the handshake (accepting the kiosk's certificate) and closes every connection
/// without answering, as the central does on drop-after-commit: the request fails, the probe hears the
/// certificate accepted (a session ticket), and the failure stays a network error.
#[tokio::test]
async fn a_connection_closed_after_an_accepted_handshake_stays_a_network_error() {
    let s = setup();
    let server = s.ca.issue(s.dir.path(), "server", true, false);
    let kiosk = s.ca.issue(s.dir.path(), "kiosk", false, false);
    let ca = s.ca.write(s.dir.path(), "ca");
    let hang_up = String::new();
    let base = serve(&server, Some(&ca), hang_up).await;
    // The probe must not wait out its timeout when the central accepted the certificate.
    let files = TlsFiles { ca_cert: &ca, client_cert: Some(&kiosk.cert), client_key: Some(&kiosk.key) };
    let client = HostClient::new(&base, &files, Duration::from_secs(30), Duration::from_secs(30)).unwrap();
    let started = std::time::Instant::now();
    let err = get(&client).await.unwrap_err();
    assert!(matches!(err, HostError::Network(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(20), "the probe waited {:?}", started.elapsed());
    assert_eq!(client.probe_client_certificate().await, None);
}

/// The real central simulator with mutual TLS (hyper serving HTTP/2 and HTTP/1.1): a kiosk without its
/// client certificate is told so.
#[tokio::test]
async fn the_real_central_refusing_a_kiosk_without_certificate_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = servicaja_central::CentralConfig::demo(dir.path());
    config.mtls = true;
    let central = servicaja_central::start(config).await.unwrap();
    let ca = central.ca_cert_path().to_path_buf();
    for _ in 0..3 {
        let err = get(&client(&central.base_url(), &ca, None)).await.unwrap_err();
        assert!(matches!(err, HostError::Tls(TlsFailure::ClientCertificateMissing)), "{err:?}");
    }
    let pki = central.pki();
    let files = TlsFiles { ca_cert: &ca, client_cert: Some(&pki.client_cert), client_key: Some(&pki.client_key) };
    let kiosk = HostClient::new(&central.base_url(), &files, Duration::from_secs(5), Duration::from_secs(10)).unwrap();
    assert_eq!(kiosk.probe_client_certificate().await, None);
}
