//! ESC/POS encoding as pure code, shared by the receipts (which lay documents out and encode them) and the
//! drivers (which send the bytes and whose printer emulator reads them back).
//!
//! Architecture invariant: no I/O, no clock; encoding never panics on any input. The serial line is the
//! drivers' business, so a crate that only lays out or encodes documents does not pull in serialport.

pub mod document;
pub mod wpc1252;

pub use document::{Align, CODE_PAGE_WPC1252, EncodeError, EscPosBuilder, EscPosDocument, TextSize, TextStyle};
