//! The paper page: the counter's estimate of the roll left, as rows of the `Maintenance` global.

use servicaja_core::calendar::lima_printed;

use super::{PaperReport, row};
use crate::{MaintenanceRow, MaintenanceTone};

/// Millimetres as metres with one decimal (`12.3 m`).
fn metres(mm: u64) -> String {
    format!("{}.{} m", mm / 1000, (mm % 1000) / 100)
}

pub(super) fn paper_rows(paper: &PaperReport) -> Vec<MaintenanceRow> {
    let estimate = &paper.estimate;
    let tone = if estimate.low { MaintenanceTone::Warn } else { MaintenanceTone::Ok };
    let plain = MaintenanceTone::Plain;
    vec![
        row("receipts", &estimate.receipts.to_string(), plain),
        row("printed", &metres(estimate.printed_mm), plain),
        row("left", &format!("{} ({} %)", metres(estimate.left_mm), estimate.left_percent), tone),
        row("receipts-left", &estimate.receipts_left.map_or("@unknown".to_owned(), |n| n.to_string()), plain),
        row("roll-length", &metres(u64::from(paper.roll_length_mm)), plain),
        row("roll-replaced-at", &paper.roll_replaced_at.map_or("@never".to_owned(), lima_printed), plain),
    ]
}

#[cfg(test)]
mod tests {
    use servicaja_maintenance::PaperCounter;

    use super::*;

    fn rows(counter: &PaperCounter) -> Vec<(String, String, MaintenanceTone)> {
        let paper = PaperReport {
            estimate: counter.estimate(80_000),
            roll_length_mm: 80_000,
            roll_replaced_at: counter.roll_replaced_at,
        };
        paper_rows(&paper).iter().map(|r| (r.key.to_string(), r.value.to_string(), r.tone)).collect()
    }

    #[test]
    fn a_used_roll_shows_metres_percent_and_receipts_left() {
        let counter = PaperCounter { receipts: 312, printed_mm: 52_400, roll_replaced_at: None };
        let shown = rows(&counter);
        assert_eq!(shown[0].1, "312");
        assert_eq!(shown[1].1, "52.4 m");
        assert!(shown[2].1.starts_with("27.6 m ("), "{:?}", shown[2]);
        assert_eq!(shown[4].1, "80.0 m");
        assert_eq!(shown[5].1, "@never", "a roll never replaced is said in words");
    }

    #[test]
    fn a_roll_running_low_is_a_warning_and_a_new_one_is_fine() {
        let new = rows(&PaperCounter::default());
        assert_eq!(new[2].2, MaintenanceTone::Ok);
        let low = rows(&PaperCounter { receipts: 700, printed_mm: 78_000, roll_replaced_at: None });
        assert_eq!(low[2].2, MaintenanceTone::Warn, "{low:?}");
    }
}
