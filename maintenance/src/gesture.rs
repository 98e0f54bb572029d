//! The hidden gesture that opens the maintenance login: `gesture_taps` taps in the top-left corner of the
//! screen within `gesture_window_ms`. A tap elsewhere starts the count again, so a customer's ordinary use
//! of the screen never opens it.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};
use servicaja_core::settings::MaintenanceSettings;

/// The corner region, in the screen's own units: a square of `side` at the top-left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Corner {
    pub side: f32,
}

impl Corner {
    /// An eighth of the screen's shorter side, at least 60 units: big enough for a finger, small enough
    /// not to be hit by chance (the attract screen puts nothing there).
    pub fn for_screen(width: f32, height: f32) -> Self {
        let shorter = if width.is_finite() && height.is_finite() { width.min(height) } else { 0.0 };
        Self { side: (shorter / 8.0).max(60.0) }
    }

    pub fn contains(&self, x: f32, y: f32) -> bool {
        (0.0..=self.side).contains(&x) && (0.0..=self.side).contains(&y)
    }
}

/// Counts corner taps; [`GestureDetector::tap`] returns `true` on the tap that completes the gesture.
#[derive(Debug, Clone)]
pub struct GestureDetector {
    taps_needed: usize,
    window: TimeDelta,
    taps: VecDeque<DateTime<Utc>>,
}

impl GestureDetector {
    pub fn new(settings: &MaintenanceSettings) -> Self {
        Self::with(settings.gesture_taps, settings.gesture_window_ms)
    }

    /// `taps` below 2 are taken as 2, so a single stray tap can never open the login.
    pub fn with(taps: u8, window_ms: u32) -> Self {
        Self {
            taps_needed: usize::from(taps.max(2)),
            window: TimeDelta::milliseconds(i64::from(window_ms)),
            taps: VecDeque::new(),
        }
    }

    /// One tap at `at`; `in_corner` says whether it landed in the corner. True when this tap completes
    /// the gesture (the count then starts again).
    pub fn tap(&mut self, at: DateTime<Utc>, in_corner: bool) -> bool {
        if !in_corner {
            self.taps.clear();
            return false;
        }
        // A clock that went backwards cannot be trusted to measure the window: start again from this tap.
        if self.taps.back().is_some_and(|last| at < *last) {
            self.taps.clear();
        }
        self.taps.push_back(at);
        while self.taps.front().is_some_and(|first| at - *first > self.window) {
            self.taps.pop_front();
        }
        if self.taps.len() >= self.taps_needed {
            self.taps.clear();
            return true;
        }
        false
    }

    /// Forgets the taps so far (for instance when the screen changes).
    pub fn reset(&mut self) {
        self.taps.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(ms: i64) -> DateTime<Utc> {
        Utc.timestamp_millis_opt(1_780_000_000_000 + ms).single().unwrap()
    }

    #[test]
    fn five_corner_taps_within_three_seconds_open_the_login() {
        let mut gesture = GestureDetector::new(&MaintenanceSettings::default());
        let results: Vec<bool> = [0, 500, 1000, 1500, 3000].iter().map(|&ms| gesture.tap(t(ms), true)).collect();
        assert_eq!(results, [false, false, false, false, true]);
    }

    #[test]
    fn taps_spread_over_more_than_the_window_do_not() {
        let mut gesture = GestureDetector::with(5, 3000);
        let results: Vec<bool> = [0, 800, 1600, 2400, 3001].iter().map(|&ms| gesture.tap(t(ms), true)).collect();
        assert_eq!(results, [false; 5], "the first tap fell out of the window");
        assert!(gesture.tap(t(3100), true), "the last five taps are within 3 s");
    }

    #[test]
    fn a_tap_outside_the_corner_starts_again() {
        let mut gesture = GestureDetector::with(3, 3000);
        assert!(!gesture.tap(t(0), true));
        assert!(!gesture.tap(t(100), true));
        assert!(!gesture.tap(t(200), false));
        assert!(!gesture.tap(t(300), true));
        assert!(!gesture.tap(t(400), true));
        assert!(gesture.tap(t(500), true));
    }

    #[test]
    fn the_count_restarts_after_the_gesture_and_after_a_clock_step_back() {
        let mut gesture = GestureDetector::with(3, 3000);
        assert!([0, 1, 2].iter().map(|&ms| gesture.tap(t(ms), true)).last().unwrap());
        assert!(!gesture.tap(t(3), true), "a fourth tap is the first of a new gesture");
        assert!(!gesture.tap(t(4), true));
        assert!(!gesture.tap(t(-10_000), true), "clock stepped back: only this tap counts");
        assert!(!gesture.tap(t(-9_999), true));
        assert!(gesture.tap(t(-9_998), true));
    }

    #[test]
    fn the_corner_is_the_top_left_square() {
        let corner = Corner::for_screen(1920.0, 1080.0);
        assert_eq!(corner.side, 135.0);
        assert!(corner.contains(10.0, 10.0));
        assert!(!corner.contains(200.0, 10.0));
        assert!(!corner.contains(10.0, 1000.0));
        assert!(!corner.contains(f32::NAN, 0.0));
        assert_eq!(Corner::for_screen(f32::NAN, 100.0).side, 60.0);
    }
}
