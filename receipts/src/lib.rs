//! Every document the kiosk issues — payment vouchers, constancias, tickets and slips — built once as a
//! [`Document`], laid out for 48/42/32 columns by pure code, and rendered to plain text, ESC/POS, PNG and
//! PDF. Also the duplicate mark for reprints and the QR verification code.
//!
//! Architecture invariant: templates, layout, duplicates and verification do no I/O, never read
//! the clock or a random source (instants and hashes are inputs), and never panic on any input.
//! Only masked numbers ([`MaskedNumber`]) can enter a document, never a full card number or a clave.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod duplicate;
pub mod format;
pub mod from_api;
pub mod layout;
pub mod model;
pub mod render;
pub mod samples;
pub mod templates;
pub mod verification;

pub use duplicate::mark_duplicate;
pub use layout::{Layout, Row, TextStyle, layout};
pub use model::{Block, Columns, Document, DocumentKind, DuplicateMark, Header, MaskedNumber, QrCode, ScheduleRow};

/// What can go wrong building or rendering a document.
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    #[error("{0} columns is not a receipt width this kiosk supports: use 48 (80 mm), 42 or 32 (58 mm)")]
    UnsupportedColumns(u8),
    #[error(
        "a number with {visible_digits} visible digits is not masked: documents show at most 8 digits (mask card numbers as **** **** **** 1234)"
    )]
    NotMasked { visible_digits: usize },
    #[error("an account or card number is empty; pass its masked form")]
    EmptyNumber,
    #[error("the QR payload cannot be encoded: {0}")]
    Qr(String),
    #[error("the PNG preview could not be encoded: {0}")]
    Png(String),
    #[error("the ESC/POS job could not be encoded: {0}")]
    EscPos(#[from] servicaja_escpos::EncodeError),
}
