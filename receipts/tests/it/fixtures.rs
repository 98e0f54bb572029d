//! The library's sample documents, as the tests use them.

use servicaja_receipts::{Document, DocumentKind, samples};

pub use servicaja_receipts::samples::instant;

pub fn all_documents() -> Vec<(&'static str, Document)> {
    samples::all().expect("the samples are valid")
}

/// The kinds `all_documents` covers, to prove no template is left without a snapshot.
pub fn kinds_covered() -> Vec<DocumentKind> {
    all_documents().into_iter().map(|(_, document)| document.kind).collect()
}
