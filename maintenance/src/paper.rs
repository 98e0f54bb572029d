//! Paper accounting: receipts and paper length printed since the last roll change, and the estimate of
//! paper left from the configured roll length. "Roll replaced" starts the count again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What has been printed on the current roll. Lengths in whole millimetres (rounded up per job).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PaperCounter {
    pub receipts: u64,
    pub printed_mm: u64,
    /// `None` until the first "roll replaced".
    pub roll_replaced_at: Option<DateTime<Utc>>,
}

/// The paper screen's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PaperEstimate {
    pub receipts: u64,
    pub printed_mm: u64,
    pub left_mm: u64,
    /// 0–100, rounded down.
    pub left_percent: u8,
    /// Receipts of the average length printed so far that still fit; `None` before the first receipt.
    pub receipts_left: Option<u64>,
    /// Less than [`PaperCounter::LOW_PERCENT`] of the roll is left: have a new roll ready.
    pub low: bool,
}

impl PaperCounter {
    pub const LOW_PERCENT: u8 = 10;

    /// One job printed (a receipt, a test page or a duplicate: paper is paper).
    pub fn record_print(&mut self, length_mm: u32) {
        self.receipts = self.receipts.saturating_add(1);
        self.printed_mm = self.printed_mm.saturating_add(u64::from(length_mm));
    }

    /// A new roll went in.
    pub fn roll_replaced(&mut self, at: DateTime<Utc>) {
        *self = PaperCounter { receipts: 0, printed_mm: 0, roll_replaced_at: Some(at) };
    }

    pub fn estimate(&self, roll_length_mm: u32) -> PaperEstimate {
        let roll = u64::from(roll_length_mm);
        let left_mm = roll.saturating_sub(self.printed_mm);
        let left_percent = (left_mm * 100).checked_div(roll).map_or(0, |p| u8::try_from(p).unwrap_or(100));
        // u128: the product of two u64 never overflows it.
        let receipts_left = (self.receipts > 0)
            .then(|| (u128::from(left_mm) * u128::from(self.receipts)).checked_div(u128::from(self.printed_mm)))
            .flatten()
            .map(|n| u64::try_from(n).unwrap_or(u64::MAX));
        PaperEstimate {
            receipts: self.receipts,
            printed_mm: self.printed_mm,
            left_mm,
            left_percent,
            receipts_left,
            low: left_percent < Self::LOW_PERCENT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn the_estimate_subtracts_what_was_printed_from_the_roll() {
        let mut counter = PaperCounter::default();
        for _ in 0..100 {
            counter.record_print(150);
        }
        let estimate = counter.estimate(80_000);
        assert_eq!(
            estimate,
            PaperEstimate {
                receipts: 100,
                printed_mm: 15_000,
                left_mm: 65_000,
                left_percent: 81,
                receipts_left: Some(433),
                low: false
            }
        );
    }

    #[test]
    fn a_nearly_finished_roll_is_low_and_never_negative() {
        let mut counter = PaperCounter { receipts: 530, printed_mm: 79_500, roll_replaced_at: None };
        assert!(counter.estimate(80_000).low);
        assert_eq!(counter.estimate(80_000).left_mm, 500);
        counter.record_print(1_000);
        assert_eq!(counter.estimate(80_000).left_mm, 0);
        assert_eq!(counter.estimate(80_000).left_percent, 0);
    }

    #[test]
    fn roll_replaced_starts_again() {
        let mut counter = PaperCounter { receipts: 12, printed_mm: 2_000, roll_replaced_at: None };
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 15, 0, 0).unwrap();
        counter.roll_replaced(at);
        assert_eq!(counter, PaperCounter { receipts: 0, printed_mm: 0, roll_replaced_at: Some(at) });
        assert_eq!(counter.estimate(80_000).left_percent, 100);
        assert_eq!(counter.estimate(80_000).receipts_left, None);
    }

    proptest! {
        #[test]
        fn never_panics(receipts in any::<u64>(), printed in prop_oneof![any::<u64>(), 0u64..100_000], roll in any::<u32>(), job in any::<u32>()) {
            let mut counter = PaperCounter { receipts, printed_mm: printed, roll_replaced_at: None };
            counter.record_print(job);
            let estimate = counter.estimate(roll);
            prop_assert!(estimate.left_mm <= u64::from(roll));
            prop_assert!(estimate.left_percent <= 100);
        }
    }
}
