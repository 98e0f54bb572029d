//! The HTTPS client to the central API: rustls with the ring provider, the central's CA pinned from
//! configuration (no system roots), mutual TLS with the kiosk's certificate, and typed errors.
//!
//! With TLS 1.3 the central judges the kiosk's client certificate after the kiosk considers the handshake
//! done, so a refusal (no certificate, expired, another CA) arrives as an alert on the first read, and over
//! HTTP/2 hyper keeps only its text or reports "channel closed". When a request fails on an established
//! connection, a second bare handshake ([`HostClient::probe_client_certificate`]) asks the central for its
//! verdict, so the technician reads the real cause instead of "cannot reach the central".

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use rustls::client::{ClientSessionStore, Resumption, Tls12ClientSessionValue, Tls13ClientSessionValue};
use rustls::pki_types::ServerName;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{AlertDescription, CertificateError, NamedGroup, RootCertStore};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use servicaja_core::settings::HostSettings;
use uuid::Uuid;

pub use reqwest::Method;

/// The header that makes a state-changing request safe to repeat.
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// Why a TLS handshake with the central failed, in terms a technician can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsFailure {
    #[error(
        "the central's certificate is not signed by the configured CA (host.ca_cert): check that the kiosk \
         points at the right central and holds the right CA file"
    )]
    UnknownCa,
    #[error("the central's certificate has expired (or is not valid yet): check the clock and renew the certificate")]
    ServerCertificateExpired,
    #[error("the central's certificate does not name the host in host.base_url")]
    ServerNameMismatch,
    #[error(
        "the central requires a client certificate and the kiosk sent none: set host.client_cert and \
         host.client_key"
    )]
    ClientCertificateMissing,
    #[error("the central refused the kiosk's client certificate as expired: renew host.client_cert")]
    ClientCertificateExpired,
    #[error(
        "the central does not trust the CA that issued the kiosk's client certificate: install in \
         host.client_cert and host.client_key the certificate the caja issued for this kiosk"
    )]
    ClientCertificateUnknownCa,
    #[error("the central refused the kiosk's client certificate ({0}): check host.client_cert")]
    ClientCertificateRejected(String),
    #[error("TLS failure: {0}")]
    Other(String),
}

/// Everything that can go wrong talking to the central.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("host client configuration: {0}")]
    Config(String),
    #[error("cannot reach the central: {0}")]
    Network(String),
    #[error("the central did not answer in time")]
    Timeout,
    #[error("secure connection to the central failed: {0}")]
    Tls(#[from] TlsFailure),
    /// A problem answer. `attempts_left` is the central's count of remaining clave, SMS-code or enrollment
    /// attempts, when the refusal is about attempts (the customer must be told it).
    #[error("the central answered {status}: {code}: {message}")]
    Status { status: u16, code: String, message: String, attempts_left: Option<u32>, retry_after: Option<RetryAfter> },
    #[error("the central's answer could not be read: {0}")]
    Decode(String),
}

impl HostError {
    /// Whether sending the same request again (with the same idempotency key) may succeed: network
    /// trouble, timeouts, TLS trouble (a configuration a technician can fix), 5xx, 408 and 429. A
    /// business answer (any other 4xx) is final.
    pub fn is_transient(&self) -> bool {
        match self {
            HostError::Network(_) | HostError::Timeout | HostError::Tls(_) | HostError::Decode(_) => true,
            HostError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            HostError::Config(_) => false,
        }
    }

    /// The contract's error code of a problem answer, when this kiosk knows it.
    pub fn error_code(&self) -> Option<servicaja_core::api::ErrorCode> {
        self.problem_code().and_then(|code| serde_json::from_value(serde_json::Value::String(code.into())).ok())
    }

    /// The remaining clave, SMS-code or enrollment attempts the central reported with a refusal.
    pub fn attempts_left(&self) -> Option<u32> {
        match self {
            HostError::Status { attempts_left, .. } => *attempts_left,
            _ => None,
        }
    }

    /// The machine code of a problem answer, if this is one.
    pub fn problem_code(&self) -> Option<&str> {
        match self {
            HostError::Status { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The central's error body (RFC 9457 style): a stable machine code and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub code: String,
    #[serde(default)]
    pub message: String,
    /// Remaining attempts, when the refusal is about a wrong clave, SMS code or identity answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
}

/// A `Retry-After` value as sent: seconds, or an HTTP date. Resolved against a clock by the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RetryAfter {
    Seconds(u64),
    At(DateTime<Utc>),
}

impl RetryAfter {
    pub fn parse(value: &str) -> Option<RetryAfter> {
        let value = value.trim();
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(RetryAfter::Seconds(seconds));
        }
        DateTime::parse_from_rfc2822(value).ok().map(|at| RetryAfter::At(at.with_timezone(&Utc)))
    }

    /// How long to wait from `now`; a date in the past means no wait.
    pub fn delay_from(self, now: DateTime<Utc>) -> Duration {
        match self {
            RetryAfter::Seconds(seconds) => Duration::from_secs(seconds),
            RetryAfter::At(at) => (at - now).to_std().unwrap_or(Duration::ZERO),
        }
    }
}

/// A successful answer: its status and JSON body (`Null` when empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: serde_json::Value,
}

impl Reply {
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, HostError> {
        serde_json::from_value(self.body.clone()).map_err(|err| HostError::Decode(err.to_string()))
    }
}

/// The TLS identity and trust of the kiosk, loaded from PEM files.
#[derive(Debug, Clone)]
pub struct TlsFiles<'a> {
    pub ca_cert: &'a Path,
    pub client_cert: Option<&'a Path>,
    pub client_key: Option<&'a Path>,
}

/// The kiosk's HTTPS client to the central. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HostClient {
    http: reqwest::Client,
    base_url: String,
    /// The TLS configuration reqwest was given, for the verdict probe.
    tls: Arc<rustls::ClientConfig>,
    connect_timeout: Duration,
}

impl HostClient {
    /// Builds the client from the `[host]` settings; the CA (and the client certificate when set) must be
    /// readable PEM files.
    pub fn from_settings(settings: &HostSettings) -> Result<HostClient, HostError> {
        if settings.ca_cert.trim().is_empty() {
            return Err(HostError::Config(
                "host.ca_cert is empty: the central's CA must be pinned (PEM file path)".into(),
            ));
        }
        fn present(value: &str) -> Option<&Path> {
            (!value.trim().is_empty()).then_some(Path::new(value))
        }
        let files = TlsFiles {
            ca_cert: Path::new(&settings.ca_cert),
            client_cert: present(&settings.client_cert),
            client_key: present(&settings.client_key),
        };
        HostClient::new(
            &settings.base_url,
            &files,
            Duration::from_millis(settings.connect_timeout_ms.into()),
            Duration::from_millis(settings.request_timeout_ms.into()),
        )
    }

    /// The `[host]` URL and timeouts with TLS files given by the caller: in demo mode, the embedded
    /// simulator's development CA and kiosk certificate.
    pub fn from_settings_with(settings: &HostSettings, files: &TlsFiles<'_>) -> Result<HostClient, HostError> {
        HostClient::new(
            &settings.base_url,
            files,
            Duration::from_millis(settings.connect_timeout_ms.into()),
            Duration::from_millis(settings.request_timeout_ms.into()),
        )
    }

    pub fn new(
        base_url: &str,
        files: &TlsFiles<'_>,
        connect_timeout: Duration,
        request_timeout: Duration,
    ) -> Result<HostClient, HostError> {
        let tls = tls_config(files)?;
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls.clone())
            .https_only(true)
            .connect_timeout(connect_timeout)
            .timeout(request_timeout)
            .build()
            .map_err(|err| HostError::Config(err.to_string()))?;
        Ok(HostClient {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            tls: Arc::new(tls),
            connect_timeout,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends one request. State-changing requests carry their idempotency key; `bearer` is a customer
    /// session token when the route needs one. A non-2xx answer becomes `HostError::Status` with the
    /// central's problem code.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<Uuid>,
        bearer: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Result<Reply, HostError> {
        let mut headers = HeaderMap::new();
        if let Some(key) = idempotency_key {
            let value = HeaderValue::from_str(&key.to_string()).map_err(|err| HostError::Config(err.to_string()))?;
            headers.insert(IDEMPOTENCY_HEADER, value);
        }
        if let Some(token) = bearer {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| HostError::Config("the session token is not a valid header value".into()))?;
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        let url = format!("{}/{}", self.base_url, path.trim_start_matches('/'));
        let mut request = self.http.request(method, url).headers(headers);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(err) => return Err(self.explain(err).await),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(RetryAfter::parse);
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(err) => return Err(self.explain(err).await),
        };
        if (200..300).contains(&status) {
            let body = if bytes.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::from_slice(&bytes).map_err(|err| HostError::Decode(err.to_string()))?
            };
            return Ok(Reply { status, body });
        }
        let problem = serde_json::from_slice::<Problem>(&bytes).unwrap_or_else(|_| Problem {
            code: format!("http_{status}"),
            message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            attempts_left: None,
        });
        Err(HostError::Status {
            status,
            code: problem.code,
            message: problem.message,
            attempts_left: problem.attempts_left,
            retry_after,
        })
    }

    /// A failed request as a typed error. A failure on an established connection (not while connecting,
    /// not a timeout) may be the central refusing the client certificate after a TLS 1.3 handshake,
    /// whose alert hyper does not hand over intact: the probe asks the central for its verdict.
    async fn explain(&self, err: reqwest::Error) -> HostError {
        let connecting = err.is_connect();
        match classify(err) {
            HostError::Network(detail) if !connecting => match self.probe_client_certificate().await {
                Some(failure) => {
                    tracing::debug!(%detail, %failure, "the central refuses the client certificate");
                    HostError::Tls(failure)
                }
                None => HostError::Network(detail),
            },
            other => other,
        }
    }

    /// Opens one bare TLS connection to the central with the kiosk's own TLS configuration (without
    /// session resumption, so the client certificate is judged afresh) and waits for the central's
    /// verdict on it, sending no request: a fatal alert is a refusal, named by [`tls_failure`]; a session
    /// ticket, data or the connection's end means the certificate was accepted. `None` when the
    /// handshake is accepted, when the central cannot be reached, or when nothing is heard within the
    /// connect timeout (the original error then stands).
    pub async fn probe_client_certificate(&self) -> Option<TlsFailure> {
        use tokio::io::AsyncReadExt;

        let url = reqwest::Url::parse(&self.base_url).ok()?;
        let port = url.port_or_known_default()?;
        // An IPv6 host comes in brackets; ServerName reads IP addresses as well as DNS names.
        let address = url.host_str()?.trim_start_matches('[').trim_end_matches(']').to_string();
        let name = ServerName::try_from(address.clone()).ok()?;
        let watch = Arc::new(TicketWatch::default());
        let mut config = (*self.tls).clone();
        config.resumption = Resumption::store(watch.clone());
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let verdict = async {
            let tcp = tokio::net::TcpStream::connect((address.as_str(), port)).await.ok()?;
            let mut tls = match connector.connect(name, tcp).await {
                Ok(tls) => tls,
                Err(err) => return find_tls_error(&err),
            };
            let mut byte = [0u8; 1];
            tokio::select! {
                read = tls.read(&mut byte) => read.err().and_then(|err| find_tls_error(&err)),
                () = watch.ticket.notified() => None,
            }
        };
        tokio::time::timeout(self.connect_timeout, verdict).await.ok().flatten()
    }

    /// `send` and decode the answer into `T`.
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        idempotency_key: Option<Uuid>,
        bearer: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> Result<T, HostError> {
        self.send(method, path, idempotency_key, bearer, body).await?.decode()
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str, bearer: Option<&str>) -> Result<T, HostError> {
        self.send_json(Method::GET, path, None, bearer, None).await
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        idempotency_key: Uuid,
        bearer: Option<&str>,
        body: &B,
    ) -> Result<T, HostError> {
        let body = serde_json::to_value(body).map_err(|err| HostError::Config(err.to_string()))?;
        self.send_json(Method::POST, path, Some(idempotency_key), bearer, Some(&body)).await
    }
}

fn read_pem_error(what: &str, path: &Path, err: impl std::fmt::Display) -> HostError {
    HostError::Config(format!("{what} {} cannot be read as PEM: {err}", path.display()))
}

/// The rustls configuration: ring provider, only the configured CA as root, the client certificate when
/// configured, ALPN h2 + http/1.1.
pub fn tls_config(files: &TlsFiles<'_>) -> Result<rustls::ClientConfig, HostError> {
    let mut roots = RootCertStore::empty();
    let ca_certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(files.ca_cert)
        .map_err(|err| read_pem_error("CA file", files.ca_cert, err))?
        .collect::<Result<_, _>>()
        .map_err(|err| read_pem_error("CA file", files.ca_cert, err))?;
    if ca_certs.is_empty() {
        return Err(HostError::Config(format!("CA file {} holds no certificate", files.ca_cert.display())));
    }
    for cert in ca_certs {
        roots.add(cert).map_err(|err| HostError::Config(format!("CA certificate refused: {err}")))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| HostError::Config(err.to_string()))?
        .with_root_certificates(roots);
    let mut config = match (files.client_cert, files.client_key) {
        (Some(cert_path), Some(key_path)) => {
            let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_path)
                .map_err(|err| read_pem_error("client certificate", cert_path, err))?
                .collect::<Result<_, _>>()
                .map_err(|err| read_pem_error("client certificate", cert_path, err))?;
            let key =
                PrivateKeyDer::from_pem_file(key_path).map_err(|err| read_pem_error("client key", key_path, err))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|err| HostError::Config(format!("client certificate and key do not match: {err}")))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => {
            return Err(HostError::Config("host.client_cert and host.client_key must be set together".into()));
        }
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The session store of a verdict probe: resumes nothing, and tells when the central sends a session
/// ticket, which a TLS 1.3 server does only once it has accepted the client's certificate and Finished.
#[derive(Debug, Default)]
struct TicketWatch {
    ticket: tokio::sync::Notify,
}

impl ClientSessionStore for TicketWatch {
    fn set_kx_hint(&self, _: ServerName<'static>, _: NamedGroup) {}

    fn kx_hint(&self, _: &ServerName<'_>) -> Option<NamedGroup> {
        None
    }

    fn set_tls12_session(&self, _: ServerName<'static>, _: Tls12ClientSessionValue) {}

    fn tls12_session(&self, _: &ServerName<'_>) -> Option<Tls12ClientSessionValue> {
        None
    }

    fn remove_tls12_session(&self, _: &ServerName<'static>) {}

    fn insert_tls13_ticket(&self, _: ServerName<'static>, _: Tls13ClientSessionValue) {
        self.ticket.notify_one();
    }

    fn take_tls13_ticket(&self, _: &ServerName<'static>) -> Option<Tls13ClientSessionValue> {
        None
    }
}

/// Turns a reqwest error into a typed one, looking through its causes for the rustls error.
fn classify(err: reqwest::Error) -> HostError {
    if let Some(tls) = find_tls_error(&err) {
        return HostError::Tls(tls);
    }
    if err.is_timeout() {
        return HostError::Timeout;
    }
    if err.is_decode() {
        return HostError::Decode(err.to_string());
    }
    HostError::Network(error_chain(&err))
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn find_tls_error(err: &(dyn std::error::Error + 'static)) -> Option<TlsFailure> {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(error) = current {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls_failure(tls));
        }
        // io::Error::source() skips the error it wraps, so step into it explicitly.
        current = match error.downcast_ref::<std::io::Error>() {
            Some(io) => io.get_ref().map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    None
}

/// Maps rustls' error to what the technician must fix.
pub fn tls_failure(err: &rustls::Error) -> TlsFailure {
    use rustls::Error as E;
    match err {
        E::InvalidCertificate(CertificateError::UnknownIssuer | CertificateError::BadSignature) => {
            TlsFailure::UnknownCa
        }
        E::InvalidCertificate(
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. },
        ) => TlsFailure::ServerCertificateExpired,
        E::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }) => {
            TlsFailure::ServerNameMismatch
        }
        E::AlertReceived(AlertDescription::CertificateRequired) => TlsFailure::ClientCertificateMissing,
        E::AlertReceived(AlertDescription::CertificateExpired) => TlsFailure::ClientCertificateExpired,
        E::AlertReceived(AlertDescription::UnknownCA) => TlsFailure::ClientCertificateUnknownCa,
        E::AlertReceived(
            alert @ (AlertDescription::BadCertificate
            | AlertDescription::UnsupportedCertificate
            | AlertDescription::CertificateUnknown
            | AlertDescription::CertificateRevoked
            | AlertDescription::AccessDenied),
        ) => TlsFailure::ClientCertificateRejected(format!("{alert:?}")),
        other => TlsFailure::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        assert_eq!(RetryAfter::parse(" 30 "), Some(RetryAfter::Seconds(30)));
        let now = DateTime::parse_from_rfc3339("2026-11-21T08:49:00Z").unwrap().with_timezone(&Utc);
        let at = RetryAfter::parse("Sat, 21 Nov 2026 08:49:37 GMT").unwrap();
        assert_eq!(at.delay_from(now), Duration::from_secs(37));
        assert_eq!(at.delay_from(now + chrono::Duration::hours(1)), Duration::ZERO);
        assert_eq!(RetryAfter::parse("soon"), None);
    }

    #[test]
    fn business_answers_are_final_and_outages_are_transient() {
        let status = |status| HostError::Status {
            status,
            code: "x".into(),
            message: String::new(),
            attempts_left: None,
            retry_after: None,
        };
        assert!(!status(422).is_transient());
        assert!(!status(409).is_transient());
        assert!(status(503).is_transient());
        assert!(status(429).is_transient());
        assert!(HostError::Timeout.is_transient());
        assert!(!HostError::Config("x".into()).is_transient());
    }

    #[test]
    fn rustls_errors_name_what_to_fix() {
        assert_eq!(
            tls_failure(&rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)),
            TlsFailure::UnknownCa
        );
        assert_eq!(
            tls_failure(&rustls::Error::AlertReceived(AlertDescription::CertificateRequired)),
            TlsFailure::ClientCertificateMissing
        );
        assert_eq!(
            tls_failure(&rustls::Error::AlertReceived(AlertDescription::CertificateExpired)),
            TlsFailure::ClientCertificateExpired
        );
        assert_eq!(
            tls_failure(&rustls::Error::AlertReceived(AlertDescription::UnknownCA)),
            TlsFailure::ClientCertificateUnknownCa
        );
        assert_eq!(
            tls_failure(&rustls::Error::AlertReceived(AlertDescription::BadCertificate)),
            TlsFailure::ClientCertificateRejected("BadCertificate".into())
        );
    }
}
