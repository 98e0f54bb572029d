//! The central's own TLS certificate, for the Host page: a TLS handshake with the host URL using the kiosk's
//! TLS configuration (the pinned CA as the only root, the kiosk's client certificate), whose peer
//! certificate gives the server's not-after date. A separate handshake because the host client (reqwest)
//! does not hand out the peer certificate of its pooled connections.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rustls::pki_types::ServerName;
use servicaja_core::settings::HostSettings;
use servicaja_host::client::{TlsFiles, tls_config};
use servicaja_maintenance::cert_status;

use super::certs::CertExpiry;

/// The host and port of an `https://host[:port][/path]` URL (IPv6 in brackets). Hand-written: the root
/// package has no URL crate and needs only these two parts.
pub fn host_and_port(base_url: &str) -> Result<(String, u16), String> {
    let rest = base_url.strip_prefix("https://").ok_or_else(|| format!("{base_url} is not an https:// URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']').ok_or_else(|| format!("{base_url}: unclosed [ in the host"))?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err(format!("{base_url} has no host"));
    }
    let port = match port {
        Some(port) => port.parse().map_err(|_| format!("{base_url}: the port {port:?} is not a number"))?,
        None => 443,
    };
    Ok((host.to_owned(), port))
}

/// Connects to the central of `settings` and reads its certificate's expiry (the leaf the server showed).
pub async fn server_certificate(settings: &HostSettings, now: DateTime<Utc>) -> Result<CertExpiry, String> {
    let present = |value: &str| (!value.trim().is_empty()).then(|| Path::new(value).to_owned());
    let (client_cert, client_key) = (present(&settings.client_cert), present(&settings.client_key));
    let files = TlsFiles {
        ca_cert: Path::new(&settings.ca_cert),
        client_cert: client_cert.as_deref(),
        client_key: client_key.as_deref(),
    };
    let config = tls_config(&files).map_err(|err| err.to_string())?;
    let (host, port) = host_and_port(&settings.base_url)?;
    let name = ServerName::try_from(host.clone()).map_err(|err| format!("{host}: {err}"))?;
    let timeout = Duration::from_millis(settings.connect_timeout_ms.into()).max(Duration::from_secs(1));
    let handshake = async {
        let tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await.map_err(|err| err.to_string())?;
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        connector.connect(name, tcp).await.map_err(|err| err.to_string())
    };
    let stream = tokio::time::timeout(timeout, handshake)
        .await
        .map_err(|_| format!("no TLS answer from {host}:{port} within {} ms", timeout.as_millis()))??;
    let leaf = stream
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|chain| chain.first())
        .ok_or_else(|| "the server showed no certificate".to_owned())?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf.as_ref()).map_err(|err| err.to_string())?;
    let seconds = cert.validity().not_after.timestamp();
    let not_after =
        DateTime::<Utc>::from_timestamp(seconds, 0).ok_or_else(|| format!("not-after {seconds} out of range"))?;
    Ok(CertExpiry { subject: cert.subject().to_string(), not_after, status: cert_status(not_after, now) })
}

#[cfg(test)]
mod tests {
    use super::*;

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
