//! The central's own TLS certificate, for the Host page: the host layer's handshake gives the leaf the server
//! showed (`servicaja_host::server_cert`), and its not-after date is read here with the kiosk's expiry policy.

use chrono::{DateTime, Utc};
use servicaja_core::settings::HostSettings;
use servicaja_host::server_cert::{ServerLeaf, server_leaf};
use servicaja_maintenance::cert_status;

use crate::certs::CertExpiry;

/// A certificate's subject and expiry.
fn expiry_of(der: &[u8], now: DateTime<Utc>) -> Result<CertExpiry, String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|err| err.to_string())?;
    let seconds = cert.validity().not_after.timestamp();
    let not_after =
        DateTime::<Utc>::from_timestamp(seconds, 0).ok_or_else(|| format!("not-after {seconds} out of range"))?;
    Ok(CertExpiry { subject: cert.subject().to_string(), not_after, status: cert_status(not_after, now) })
}

/// What the Host page says of the certificate the server showed: its date when it was accepted, or when it
/// was refused only for having expired; the handshake's error otherwise.
fn expiry_shown(leaf: ServerLeaf, now: DateTime<Utc>) -> Result<CertExpiry, String> {
    match leaf.accepted {
        Ok(()) => expiry_of(&leaf.der, now),
        Err(err) => match expiry_of(&leaf.der, now) {
            Ok(expired) if expired.not_after <= now => Ok(expired),
            _ => Err(err),
        },
    }
}

/// Connects to the central of `settings` and reads its certificate's expiry.
pub async fn server_certificate(settings: &HostSettings, now: DateTime<Utc>) -> Result<CertExpiry, String> {
    expiry_shown(server_leaf(settings).await?, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use servicaja_maintenance::CertStatus;

    fn certificate_until(year: i32) -> Vec<u8> {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
        params.not_before = rcgen::date_time_ymd(2024, 1, 1);
        params.not_after = rcgen::date_time_ymd(year, 1, 1);
        params.self_signed(&key).unwrap().der().to_vec()
    }

    #[test]
    fn an_expired_server_certificate_is_refused_but_still_gives_its_date() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap();
        let leaf = ServerLeaf { der: certificate_until(2025), accepted: Err("certificate expired".into()) };
        let expired = expiry_shown(leaf, now).expect("its date");
        assert_eq!(expired.not_after, Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
        assert!(matches!(expired.status, CertStatus::Expired { .. }), "{:?}", expired.status);
    }

    #[test]
    fn a_certificate_refused_for_another_reason_is_an_error_not_a_date() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap();
        let leaf = ServerLeaf { der: certificate_until(2099), accepted: Err("unknown issuer".into()) };
        assert_eq!(expiry_shown(leaf, now), Err("unknown issuer".to_owned()));
    }

    #[test]
    fn an_accepted_certificate_gives_its_date() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap();
        let leaf = ServerLeaf { der: certificate_until(2099), accepted: Ok(()) };
        let valid = expiry_shown(leaf, now).expect("its date");
        assert_eq!(valid.not_after, Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap());
    }
}
