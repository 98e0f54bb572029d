//! The PDF opens in a reader (lopdf) and its text holds the document's fields, accents included.

use servicaja_receipts::render::pdf;
use servicaja_receipts::{Columns, layout};

use crate::fixtures::all_documents;

#[test]
fn the_affiliation_pdf_opens_and_contains_the_seed_fields() {
    let (_, document) = all_documents().into_iter().find(|(name, _)| *name == "affiliation").unwrap();
    let bytes = pdf::render(&layout(&document, Columns::C48), &document.title).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let reader = lopdf::Document::load_mem(&bytes).expect("a reader opens the PDF");
    let pages: Vec<u32> = reader.get_pages().keys().copied().collect();
    assert_eq!(pages.len(), 1);
    let text = reader.extract_text(&pages).unwrap();
    for expected in [
        "CONSTANCIA DE AFILIACIÓN",
        "Operación:",
        "AFILIACIÓN",
        "COMPRAS POR INTERNET",
        "JESUS",
        "CTA AHORRO PN SOLES - 00121110",
        "jesus.quispe@correo.pe",
        "20/11/2026 10:08:30",
        "RUC 20130098488",
        "N° de operación:",
    ] {
        assert!(text.contains(expected), "{expected:?} not in the PDF text:\n{text}");
    }
}

#[test]
fn every_template_makes_a_readable_pdf() {
    for (name, document) in all_documents() {
        let bytes = pdf::render(&layout(&document, Columns::C48), &document.title).unwrap();
        let reader = lopdf::Document::load_mem(&bytes).unwrap_or_else(|error| panic!("{name}: {error}"));
        let pages: Vec<u32> = reader.get_pages().keys().copied().collect();
        let text = reader.extract_text(&pages).unwrap();
        assert!(text.contains(&document.operation_number), "{name}: operation number missing");
    }
}

#[test]
fn a_long_document_continues_on_a_second_page() {
    use servicaja_receipts::samples;
    use servicaja_receipts::templates::{CancelledLoan, NoDebtCertificate, NoDebtScope, no_debt_certificate};

    let loans = (1..=30)
        .map(|n| CancelledLoan {
            loan_number: format!("105-01-{n:07}"),
            product: "CRÉDITO PYME".into(),
            cancelled_on: None,
        })
        .collect();
    let certificate = NoDebtCertificate {
        customer_name: "JESUS".into(),
        document_number: "*****678".into(),
        scope: NoDebtScope::AllLoans,
        loans,
    };
    let document = no_debt_certificate(&samples::issue("000999"), &certificate);
    let bytes = pdf::render(&layout(&document, Columns::C48), &document.title).unwrap();
    let reader = lopdf::Document::load_mem(&bytes).unwrap();
    let pages: Vec<u32> = reader.get_pages().keys().copied().collect();
    assert!(pages.len() >= 2, "{} pages", pages.len());
    // The QR (date, amount and code since issue 18) may take a page of its own after the last loan.
    let continued = reader.extract_text(&pages[1..]).unwrap();
    assert!(continued.contains("105-01-0000030"), "the last loan is on a later page:\n{continued}");
    let last = reader.extract_text(&pages[pages.len() - 1..]).unwrap();
    assert!(last.contains("Verificación:"), "{last}");
}

#[test]
fn attachments_are_named_by_document_and_operation() {
    let documents = all_documents();
    let (_, affiliation) = documents.iter().find(|(name, _)| *name == "affiliation").unwrap();
    assert_eq!(pdf::attachment_name(affiliation), "constancia-afiliacion-000123462.pdf");
    let duplicate = servicaja_receipts::mark_duplicate(affiliation, 1, "STAFF-1", crate::fixtures::instant());
    assert_eq!(pdf::attachment_name(&duplicate), "constancia-afiliacion-000123462-duplicado.pdf");
    let mut odd = affiliation.clone();
    odd.operation_number = "../ñ 12/34".into();
    assert_eq!(pdf::attachment_name(&odd), "constancia-afiliacion-1234.pdf");
}
