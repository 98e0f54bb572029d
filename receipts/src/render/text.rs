//! Plain text: what the journal stores for a reprint and what the snapshots show. A QR row is written
//! as `[QR] payload`, centred, followed by the blank line the printer feeds after the symbol, so the
//! text matches the paper line for line.

use crate::layout::{Layout, Row};

/// The layout as text, one row per line, each line at most `columns` characters (a QR row excepted).
pub fn render(layout: &Layout) -> String {
    let width = layout.columns.count();
    let mut out = String::new();
    for row in &layout.rows {
        match row {
            Row::Text { text, .. } => out.push_str(text),
            Row::Qr { payload } => {
                let marker = format!("[QR] {payload}");
                let left = width.saturating_sub(marker.chars().count()) / 2;
                out.push_str(&" ".repeat(left));
                out.push_str(&marker);
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out
}
