//! The simulator's source of time, injectable so that tests move time forward instead of sleeping.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// Where the simulator reads "now" from.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to: tests advance it past the 5-minute session or OTP windows.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self { now: Arc::new(Mutex::new(start)) }
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Peru's civil time (UTC−5, no daylight saving): business dates and printed times use it.
pub fn peru_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::west_opt(5 * 3600).expect("UTC-5 is within the valid offset range")
}

/// The Peruvian calendar date of an instant.
pub fn peru_date(at: DateTime<Utc>) -> chrono::NaiveDate {
    at.with_timezone(&peru_offset()).date_naive()
}

/// The instant as the caja prints it: `09/09/2020 10:08:30` (Peru time).
pub fn peru_printed(at: DateTime<Utc>) -> String {
    at.with_timezone(&peru_offset()).format("%d/%m/%Y %H:%M:%S").to_string()
}
