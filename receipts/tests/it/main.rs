//! Integration tests of servicaja-receipts: text snapshots of every template, ESC/POS bytes, the PDF read
//! back, the PNG preview, duplicates and the printing policy.

mod escpos;
mod fixtures;
mod pdf;
mod png;
mod snapshots;
