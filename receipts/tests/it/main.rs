//! Integration tests of servicaja-receipts: text snapshots of every template, ESC/POS bytes, the PDF read
//! back, the PNG preview and duplicates.

mod escpos;
mod fixtures;
mod pdf;
mod png;
mod snapshots;
