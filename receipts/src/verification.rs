//! The QR payload and the verification code that ties a paper receipt to its journal entry.
//!
//! Derivation (stable; a staff tool checks a receipt with it):
//!
//! ```text
//! digest = SHA-256( "SERVICAJA-VERIFICACION-V1" || 0x1F || operation_number (UTF-8) || 0x1F || journal_hash (32 raw bytes) )
//! code   = uppercase hex of digest[0..5], written as two groups of five: "3FA9C-21B07"
//! QR     = "SERVICAJA|V2|" kiosk_id "|" operation_number "|" Lima date and time "|" amount "|" code
//!          e.g. SERVICAJA|V2|KSK-TAC-001|00000008|20/11/2026 10:08:30|S/ 409.75|3FA9C-21B07
//! ```
//!
//! The amount is the operation's total as the document prints it (`-` for a document without one). The
//! printed QR and the on-screen QR a customer is offered when the printer has no paper are the same
//! payload, built by [`qr_code`] from the same document. V1 payloads (no date, no amount) still read.
//!
//! `journal_hash` is the hash of the journal entry that recorded the operation (the journal is
//! hash-chained, so that entry's hash commits to everything before it). Forty bits make guessing a
//! code for a forged receipt a one-in-a-trillion shot, while staying short enough to read aloud.
//! Shell check: `printf 'SERVICAJA-VERIFICACION-V1\x1f%s\x1f' OP | cat - hash.bin | sha256sum | cut -c1-10`.

use chrono::{DateTime, Utc};
use servicaja_core::money::Money;
use sha2::{Digest, Sha256};

use crate::format;
use crate::model::QrCode;

const DOMAIN: &[u8] = b"SERVICAJA-VERIFICACION-V1";
const SEPARATOR: u8 = 0x1F;
const PREFIX: &str = "SERVICAJA";
const VERSION_1: &str = "V1";
const VERSION: &str = "V2";

/// The verification code of an operation: `3FA9C-21B07`.
pub fn verification_code(operation_number: &str, journal_hash: &[u8; 32]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    hasher.update([SEPARATOR]);
    hasher.update(operation_number.as_bytes());
    hasher.update([SEPARATOR]);
    hasher.update(journal_hash);
    let digest = hasher.finalize();
    let hex = hex::encode_upper(&digest[..5]);
    format!("{}-{}", &hex[..5], &hex[5..])
}

/// The QR code of a document: the one payload both the paper and the screen carry.
pub fn qr_code(
    kiosk_id: &str,
    operation_number: &str,
    issued_at: DateTime<Utc>,
    amount: Option<&Money>,
    journal_hash: &[u8; 32],
) -> QrCode {
    let verification_code = verification_code(operation_number, journal_hash);
    let when = format::lima_date_time(issued_at);
    let amount = amount.map_or_else(|| "-".to_owned(), format::money);
    QrCode {
        payload: format!("{PREFIX}|{VERSION}|{kiosk_id}|{operation_number}|{when}|{amount}|{verification_code}"),
        verification_code,
    }
}

/// The payload of a document no journal record vouches for: no amount, `-` for the code.
pub fn unverified_payload(kiosk_id: &str, operation_number: &str, issued_at: DateTime<Utc>) -> String {
    let when = format::lima_date_time(issued_at);
    format!("{PREFIX}|{VERSION}|{kiosk_id}|{operation_number}|{when}|-|-")
}

/// What a scanned QR says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedReceipt {
    pub kiosk_id: String,
    pub operation_number: String,
    /// Lima date and time as printed (V2; `None` in a V1 payload).
    pub issued_at: Option<String>,
    /// The amount as printed, `None` in a V1 payload or for a document without one.
    pub amount: Option<String>,
    pub verification_code: String,
}

/// Why a scanned text is not a ServiCaja receipt QR.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    #[error("the QR is not a ServiCaja receipt (expected SERVICAJA|V2|kiosk|operation|date|amount|code)")]
    NotAReceipt,
    #[error("the QR uses version {0}, this tool reads V1 and V2 only")]
    UnknownVersion(String),
}

/// Reads a scanned QR payload.
pub fn parse_payload(payload: &str) -> Result<ScannedReceipt, ScanError> {
    let parts: Vec<&str> = payload.split('|').collect();
    match parts.as_slice() {
        [PREFIX, VERSION, kiosk, operation, when, amount, code] if !operation.is_empty() && !code.is_empty() => {
            Ok(ScannedReceipt {
                kiosk_id: (*kiosk).to_owned(),
                operation_number: (*operation).to_owned(),
                issued_at: Some((*when).to_owned()),
                amount: Some((*amount).to_owned()).filter(|amount| amount != "-"),
                verification_code: (*code).to_owned(),
            })
        }
        [PREFIX, VERSION_1, kiosk, operation, code] if !operation.is_empty() && !code.is_empty() => {
            Ok(ScannedReceipt {
                kiosk_id: (*kiosk).to_owned(),
                operation_number: (*operation).to_owned(),
                issued_at: None,
                amount: None,
                verification_code: (*code).to_owned(),
            })
        }
        [PREFIX, version, ..] if *version != VERSION && *version != VERSION_1 => {
            Err(ScanError::UnknownVersion((*version).to_owned()))
        }
        _ => Err(ScanError::NotAReceipt),
    }
}

/// Whether a scanned receipt matches the journal entry whose hash is given (case and dash insensitive,
/// so a code typed by hand checks too).
pub fn matches_journal(scanned: &ScannedReceipt, journal_hash: &[u8; 32]) -> bool {
    let normalise = |code: &str| code.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_uppercase();
    normalise(&scanned.verification_code) == normalise(&verification_code(&scanned.operation_number, journal_hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_follows_the_documented_derivation() {
        let hash = [7u8; 32];
        let mut input = b"SERVICAJA-VERIFICACION-V1\x1fOP-000123\x1f".to_vec();
        input.extend_from_slice(&hash);
        let expected = hex::encode_upper(&Sha256::digest(&input)[..5]);
        assert_eq!(verification_code("OP-000123", &hash).replace('-', ""), expected);
    }

    #[test]
    fn a_scanned_receipt_checks_against_its_own_journal_entry_only() {
        let hash = [0xA5u8; 32];
        let amount = Money::from_cents(40975, servicaja_core::money::Currency::PEN);
        let qr = qr_code("KSK-TAC-001", "000123", crate::samples::instant(), Some(&amount), &hash);
        assert_eq!(
            qr.payload,
            format!("SERVICAJA|V2|KSK-TAC-001|000123|20/11/2026 10:08:30|S/ 409.75|{}", qr.verification_code)
        );
        let scanned = parse_payload(&qr.payload).unwrap();
        assert_eq!(scanned.operation_number, "000123");
        assert_eq!(
            (scanned.issued_at.as_deref(), scanned.amount.as_deref()),
            (Some("20/11/2026 10:08:30"), Some("S/ 409.75"))
        );
        let v1 = parse_payload(&format!("SERVICAJA|V1|KSK-TAC-001|000123|{}", qr.verification_code)).unwrap();
        assert!(matches_journal(&v1, &hash) && v1.amount.is_none());
        assert!(matches_journal(&scanned, &hash));
        let mut other = hash;
        other[31] ^= 1;
        assert!(!matches_journal(&scanned, &other));
        let typed =
            ScannedReceipt { verification_code: qr.verification_code.to_lowercase().replace('-', ""), ..scanned };
        assert!(matches_journal(&typed, &hash));
    }

    #[test]
    fn foreign_payloads_are_refused() {
        assert_eq!(parse_payload("https://example.com"), Err(ScanError::NotAReceipt));
        assert_eq!(parse_payload("SERVICAJA|V9|a|b|c"), Err(ScanError::UnknownVersion("V9".into())));
        assert_eq!(parse_payload("SERVICAJA|V1|k||c"), Err(ScanError::NotAReceipt));
        assert_eq!(parse_payload("SERVICAJA|V2|k|1|c"), Err(ScanError::NotAReceipt));
    }
}
