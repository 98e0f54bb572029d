//! Reads certificates' not-after dates from PEM files (the kiosk's own certificate, the pinned CA, or a
//! server certificate captured by the host layer) and applies the expiry policy of the pure core.

use std::path::Path;

use chrono::{DateTime, Utc};
use servicaja_maintenance::{CertStatus, cert_status};

/// One certificate of a PEM file and how soon it expires.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertExpiry {
    pub subject: String,
    pub not_after: DateTime<Utc>,
    pub status: CertStatus,
}

#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("{path} cannot be read: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the PEM has no certificate: check that the file is the certificate, not the key")]
    NoCertificate,
    #[error("a certificate in the PEM cannot be parsed: {0}")]
    Parse(String),
}

/// Every certificate in `pem` with its status at `now`.
pub fn expiries_from_pem(pem: &[u8], now: DateTime<Utc>) -> Result<Vec<CertExpiry>, CertError> {
    let mut found = Vec::new();
    for block in x509_parser::pem::Pem::iter_from_buffer(pem) {
        let block = block.map_err(|err| CertError::Parse(err.to_string()))?;
        if block.label != "CERTIFICATE" {
            continue;
        }
        let cert = block.parse_x509().map_err(|err| CertError::Parse(err.to_string()))?;
        let seconds = cert.validity().not_after.timestamp();
        let not_after = DateTime::<Utc>::from_timestamp(seconds, 0)
            .ok_or_else(|| CertError::Parse(format!("not-after {seconds} is out of range")))?;
        found.push(CertExpiry { subject: cert.subject().to_string(), not_after, status: cert_status(not_after, now) });
    }
    if found.is_empty() {
        return Err(CertError::NoCertificate);
    }
    Ok(found)
}

pub fn expiries_from_file(path: &Path, now: DateTime<Utc>) -> Result<Vec<CertExpiry>, CertError> {
    let pem = std::fs::read(path).map_err(|source| CertError::Read { path: path.display().to_string(), source })?;
    expiries_from_pem(&pem, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn pem_expiring(year: i32, month: u8, day: u8) -> String {
        let mut params = rcgen::CertificateParams::new(vec!["kiosk.test".to_string()]).unwrap();
        params.not_after = rcgen::date_time_ymd(year, month, day);
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().pem()
    }

    #[test]
    fn dates_come_from_the_pem_and_the_policy_says_ok_warn_or_expired() {
        let pem = format!("{}{}", pem_expiring(2027, 1, 10), pem_expiring(2026, 12, 1));
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        let found = expiries_from_pem(pem.as_bytes(), now).unwrap();
        assert_eq!(found[0].not_after, Utc.with_ymd_and_hms(2027, 1, 10, 0, 0, 0).unwrap());
        assert_eq!(found[0].status, CertStatus::Ok { days_left: 49 });
        assert_eq!(found[1].status, CertStatus::Warn { days_left: 9 });
        let later = Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).unwrap();
        assert_eq!(expiries_from_pem(pem.as_bytes(), later).unwrap()[1].status, CertStatus::Expired { days_ago: 2 });
    }

    #[test]
    fn a_key_or_garbage_is_a_clear_error() {
        let key = rcgen::KeyPair::generate().unwrap().serialize_pem();
        assert!(matches!(expiries_from_pem(key.as_bytes(), Utc::now()), Err(CertError::NoCertificate)));
        assert!(
            expiries_from_pem(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", Utc::now()).is_err()
        );
    }
}
