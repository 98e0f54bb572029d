//! The paper page: the counter's estimate of the roll left, as rows of the `Maintenance` global.

use servicaja_core::calendar::lima_printed;

use super::{PaperReport, row};
use crate::MaintenanceRow;

/// Millimetres as metres with one decimal (`12.3 m`).
fn metres(mm: u64) -> String {
    format!("{}.{} m", mm / 1000, (mm % 1000) / 100)
}

pub(super) fn paper_rows(paper: &PaperReport) -> Vec<MaintenanceRow> {
    let estimate = &paper.estimate;
    let tone = if estimate.low { "warn" } else { "ok" };
    vec![
        row("receipts", &estimate.receipts.to_string(), ""),
        row("printed", &metres(estimate.printed_mm), ""),
        row("left", &format!("{} ({} %)", metres(estimate.left_mm), estimate.left_percent), tone),
        row("receipts-left", &estimate.receipts_left.map_or("@unknown".to_owned(), |n| n.to_string()), ""),
        row("roll-length", &metres(u64::from(paper.roll_length_mm)), ""),
        row("roll-replaced-at", &paper.roll_replaced_at.map_or("@never".to_owned(), lima_printed), ""),
    ]
}
