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
