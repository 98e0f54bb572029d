//! The central's own TLS certificate, for the technician's Host page: a TLS handshake with the host URL using
//! the kiosk's TLS configuration (the pinned CA as the only root, the kiosk's client certificate), keeping the
//! leaf certificate the server showed. A separate handshake because the host client (reqwest) does not hand
//! out the peer certificate of its pooled connections; it lives here because only this crate touches the
//! network.

use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Url;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use servicaja_core::settings::HostSettings;

use crate::client::{TlsFiles, tls_config};

/// What the server showed during the handshake: its leaf certificate (DER), and whether the kiosk's pinned
/// CA accepted it. A certificate refused for having expired is still shown, so the technician gets its date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLeaf {
    pub der: Vec<u8>,
    /// `Err` with the handshake's error when the certificate (or anything else in the handshake) was refused.
    pub accepted: Result<(), String>,
}

/// The host and port of an `https://` URL (IPv6 without its brackets; 443 when none is written).
pub fn host_and_port(base_url: &str) -> Result<(String, u16), String> {
    let url = Url::parse(base_url).map_err(|err| format!("{base_url}: {err}"))?;
    if url.scheme() != "https" {
        return Err(format!("{base_url} is not an https:// URL"));
    }
    let host = match url.host() {
        Some(url::Host::Domain(name)) if !name.is_empty() => name.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err(format!("{base_url} has no host")),
    };
    Ok((host, url.port_or_known_default().unwrap_or(443)))
}

/// Verifies exactly as the kiosk does (the pinned CA only), and keeps the leaf the server showed, so that a
/// certificate refused because it expired still gives the technician its date.
#[derive(Debug)]
struct KeepLeaf {
    inner: Arc<WebPkiServerVerifier>,
    leaf: Arc<Mutex<Option<Vec<u8>>>>,
}

impl ServerCertVerifier for KeepLeaf {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut leaf) = self.leaf.lock() {
            *leaf = Some(end_entity.as_ref().to_vec());
        }
        self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The pinned CA's verifier, as `tls_config` builds it.
fn pinned_verifier(ca_cert: &Path) -> Result<Arc<WebPkiServerVerifier>, String> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca_cert).map_err(|err| format!("{}: {err}", ca_cert.display()))? {
        roots.add(cert.map_err(|err| format!("{}: {err}", ca_cert.display()))?).map_err(|err| err.to_string())?;
    }
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::new(rustls::crypto::ring::default_provider()))
        .build()
        .map_err(|err| err.to_string())
}

/// Connects to the central of `settings` and answers the leaf certificate it showed, whether or not the
/// pinned CA accepted it. No answer, no certificate shown or an unusable TLS configuration is an error.
pub async fn server_leaf(settings: &HostSettings) -> Result<ServerLeaf, String> {
    let present = |value: &str| (!value.trim().is_empty()).then(|| Path::new(value).to_owned());
    let (client_cert, client_key) = (present(&settings.client_cert), present(&settings.client_key));
    let files = TlsFiles {
        ca_cert: Path::new(&settings.ca_cert),
        client_cert: client_cert.as_deref(),
        client_key: client_key.as_deref(),
    };
    let mut config = tls_config(&files).map_err(|err| err.to_string())?;
    let leaf = Arc::new(Mutex::new(None));
    let verifier = KeepLeaf { inner: pinned_verifier(files.ca_cert)?, leaf: leaf.clone() };
    config.dangerous().set_certificate_verifier(Arc::new(verifier));
    let (host, port) = host_and_port(&settings.base_url)?;
    let name = match host.parse::<IpAddr>() {
        Ok(ip) => ServerName::IpAddress(ip.into()),
        Err(_) => ServerName::try_from(host.clone()).map_err(|err| format!("{host}: {err}"))?,
    };
    let timeout = Duration::from_millis(settings.connect_timeout_ms.into()).max(Duration::from_secs(1));
    let handshake = async {
        let tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await.map_err(|err| err.to_string())?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        connector.connect(name, tcp).await.map(drop).map_err(|err| err.to_string())
    };
    let accepted = tokio::time::timeout(timeout, handshake)
        .await
        .map_err(|_| format!("no TLS answer from {host}:{port} within {} ms", timeout.as_millis()))?;
    let shown = leaf.lock().ok().and_then(|leaf| leaf.clone());
    match shown {
        Some(der) => Ok(ServerLeaf { der, accepted }),
        None => Err(accepted.err().unwrap_or_else(|| "the server showed no certificate".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TLS server on loopback showing a certificate from a CA of its own, valid until `not_after`;
    /// answers its port and the CA file.
    async fn server_with_certificate(dir: &Path, not_after: (i32, u8, u8)) -> (u16, std::path::PathBuf) {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name.push(rcgen::DnType::CommonName, "Test CA");
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let server_key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
        params.not_before = rcgen::date_time_ymd(2024, 1, 1);
        params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
        let server_cert = params.signed_by(&server_key, &issuer).unwrap();
        let ca_file = dir.join("ca.pem");
        std::fs::write(&ca_file, ca_cert.pem()).unwrap();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(server_key.serialize_der().into());
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![server_cert.der().clone()], key)
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        tokio::spawn(async move {
            if let Ok((tcp, _)) = listener.accept().await {
                let _ = acceptor.accept(tcp).await;
            }
        });
        (port, ca_file)
    }

    fn host_settings(port: u16, ca_file: &Path) -> HostSettings {
        HostSettings {
            base_url: format!("https://127.0.0.1:{port}"),
            ca_cert: ca_file.display().to_string(),
            client_cert: String::new(),
            client_key: String::new(),
            ..HostSettings::default()
        }
    }

    #[tokio::test]
    async fn an_expired_server_certificate_is_refused_but_still_shown() {
        let dir = tempfile::tempdir().unwrap();
        let (port, ca_file) = server_with_certificate(dir.path(), (2025, 1, 1)).await;
        let leaf = server_leaf(&host_settings(port, &ca_file)).await.expect("the leaf it showed");
        assert!(leaf.accepted.is_err(), "an expired certificate must be refused: {leaf:?}");
        assert!(!leaf.der.is_empty());
    }

    #[tokio::test]
    async fn a_valid_server_certificate_is_accepted_and_shown() {
        let dir = tempfile::tempdir().unwrap();
        let (port, ca_file) = server_with_certificate(dir.path(), (2099, 1, 1)).await;
        let leaf = server_leaf(&host_settings(port, &ca_file)).await.expect("the leaf it showed");
        assert_eq!(leaf.accepted, Ok(()));
    }

    #[tokio::test]
    async fn a_certificate_from_another_ca_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (port, _) = server_with_certificate(dir.path(), (2099, 1, 1)).await;
        let other = tempfile::tempdir().unwrap();
        let (_, other_ca) = server_with_certificate(other.path(), (2099, 1, 1)).await;
        let leaf = server_leaf(&host_settings(port, &other_ca)).await.expect("the leaf it showed");
        assert!(leaf.accepted.is_err(), "{leaf:?}");
    }

    #[test]
    fn the_host_and_port_come_from_the_url() {
        assert_eq!(host_and_port("https://127.0.0.1:8443/api/v1"), Ok(("127.0.0.1".into(), 8443)));
        assert_eq!(host_and_port("https://api.cajatacna.pe"), Ok(("api.cajatacna.pe".into(), 443)));
        assert_eq!(host_and_port("https://[::1]:9000/"), Ok(("::1".into(), 9000)));
        assert!(host_and_port("http://api.cajatacna.pe").is_err());
        assert!(host_and_port("https://:80/").is_err());
        assert!(host_and_port("https://host:x/").is_err());
    }
}
