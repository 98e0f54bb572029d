//! Text snapshots of every template at 48 columns, plus the width guarantees at 42 and 32.

use servicaja_receipts::render::text;
use servicaja_receipts::{Columns, DocumentKind, layout, mark_duplicate};

use crate::fixtures::{all_documents, instant, kinds_covered};

#[test]
fn every_template_renders_as_its_snapshot() {
    for (name, document) in all_documents() {
        insta::assert_snapshot!(name, text::render(&layout(&document, Columns::C48)));
    }
}

#[test]
fn narrow_paper_keeps_every_row_within_its_width() {
    for (name, document) in all_documents() {
        for columns in Columns::ALL {
            let rendered = text::render(&layout(&document, columns));
            for line in rendered.lines().filter(|line| !line.contains("[QR]")) {
                assert!(line.chars().count() <= columns.count(), "{name} at {columns:?}: {line:?}");
            }
        }
    }
}

#[test]
fn the_58mm_payment_voucher_snapshot() {
    let (_, voucher) = all_documents().into_iter().next().unwrap();
    insta::assert_snapshot!("payment_voucher_exchange_32", text::render(&layout(&voucher, Columns::C32)));
}

#[test]
fn every_document_kind_has_a_template_in_the_fixtures() {
    let all = [
        DocumentKind::PaymentVoucher,
        DocumentKind::PrepaymentChoice,
        DocumentKind::Affiliation,
        DocumentKind::Disaffiliation,
        DocumentKind::NoDebt,
        DocumentKind::RequestTicket,
        DocumentKind::ClaveEnrollment,
        DocumentKind::BalanceInquiry,
        DocumentKind::MaintenanceTest,
        DocumentKind::OperationNotCompleted,
    ];
    let covered = kinds_covered();
    for kind in all {
        assert!(covered.contains(&kind), "{kind:?} has no fixture");
    }
}

#[test]
fn the_affiliation_constancia_has_exactly_the_seed_fields_in_order() {
    let (_, document) = all_documents().into_iter().find(|(name, _)| *name == "affiliation").unwrap();
    let rendered = text::render(&layout(&document, Columns::C48));
    let positions: Vec<usize> = ["Operación:", "Servicio:", "Cliente:", "Cuenta afiliada:", "E-mail:", "Fecha y hora:"]
        .iter()
        .map(|label| rendered.find(label).unwrap_or_else(|| panic!("{label} missing")))
        .collect();
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]), "{positions:?}");
    assert!(rendered.contains("AFILIACIÓN"));
    assert!(rendered.contains("COMPRAS POR INTERNET"));
    assert!(rendered.contains("CTA AHORRO PN SOLES - 00121110"));
    assert!(rendered.contains("20/11/2026 10:08:30"));
}

#[test]
fn a_duplicate_carries_the_mark_count_original_date_and_staff_and_nothing_else_changes() {
    let (_, original) = all_documents().into_iter().next().unwrap();
    let reprinted_at = instant() + chrono::Duration::days(3);
    let duplicate = mark_duplicate(&original, 2, "STAFF-014", reprinted_at);
    let rendered = text::render(&layout(&duplicate, Columns::C48));
    insta::assert_snapshot!("payment_voucher_duplicate", rendered);
    assert_eq!(rendered.matches("DUPLICADO").count(), 2);
    assert!(rendered.contains("Fecha original:") && rendered.contains("20/11/2026 10:08:30"));
    assert!(rendered.contains("23/11/2026 10:08:30"));
    assert!(rendered.contains("STAFF-014"));
    let mut unmarked = duplicate.clone();
    unmarked.duplicate = None;
    assert_eq!(unmarked, original, "only the mark differs");
    let again = mark_duplicate(&duplicate, 3, "STAFF-002", reprinted_at);
    assert_eq!(again.issued_at, original.issued_at);
    assert_eq!(again.duplicate.unwrap().reprint_count, 3);
}

#[test]
fn without_a_journal_hash_there_is_no_qr_and_the_rest_is_unchanged() {
    use servicaja_receipts::samples;
    use servicaja_receipts::templates::{ClaveEnrollment, clave_enrollment};
    let enrollment = ClaveEnrollment {
        customer_name: "JESUS".into(),
        card: servicaja_receipts::MaskedNumber::new("**** **** **** 1234").unwrap(),
    };
    let with = clave_enrollment(&samples::issue("1"), &enrollment);
    let without = clave_enrollment(
        &servicaja_receipts::templates::Issue { journal_hash: None, ..samples::issue("1") },
        &enrollment,
    );
    assert!(without.qr.is_none());
    assert_eq!(servicaja_receipts::Document { qr: None, ..with }, without);
    let rendered = text::render(&layout(&without, Columns::C48));
    assert!(!rendered.contains("[QR]") && !rendered.contains("Verificación"));
    assert!(rendered.contains("**** **** **** 1234"));
}

#[test]
fn a_full_card_number_cannot_enter_a_document() {
    use servicaja_receipts::{MaskedNumber, ReceiptError};
    for unmasked in ["4557880123456789", "4557 8801 2345 6789", "455788******6789"] {
        assert!(matches!(MaskedNumber::new(unmasked), Err(ReceiptError::NotMasked { .. })), "{unmasked}");
    }
    assert!(MaskedNumber::new("**** **** **** 6789").is_ok());
    assert!(MaskedNumber::new("00121110").is_ok());
    assert!(matches!(MaskedNumber::new("  "), Err(ReceiptError::EmptyNumber)));
    let from_json: Result<MaskedNumber, _> = serde_json::from_str("\"4557880123456789\"");
    assert!(from_json.is_err(), "deserialising refuses it too");
}
