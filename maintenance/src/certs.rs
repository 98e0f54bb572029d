//! The certificate expiry policy for the host screen: ok, warn within [`WARN_DAYS`] of the not-after date,
//! or expired.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Days ahead of expiry from which the host screen warns.
pub const WARN_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum CertStatus {
    Ok {
        days_left: i64,
    },
    /// Expires within 30 days: order the renewal.
    Warn {
        days_left: i64,
    },
    /// `not_after` has passed: TLS with this certificate fails.
    Expired {
        days_ago: i64,
    },
}

/// The status of a certificate valid until `not_after`, at `now`. Whole days, rounded down.
pub fn cert_status(not_after: DateTime<Utc>, now: DateTime<Utc>) -> CertStatus {
    if now >= not_after {
        return CertStatus::Expired { days_ago: now.signed_duration_since(not_after).num_days() };
    }
    let left = not_after.signed_duration_since(now);
    let days_left = left.num_days();
    if left <= chrono::TimeDelta::days(WARN_DAYS) {
        CertStatus::Warn { days_left }
    } else {
        CertStatus::Ok { days_left }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    #[test]
    fn warn_from_thirty_days_ahead_and_expired_from_not_after() {
        let not_after = Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap();
        let at = |days: i64, seconds: i64| not_after - TimeDelta::days(days) + TimeDelta::seconds(seconds);
        assert_eq!(cert_status(not_after, at(31, 0)), CertStatus::Ok { days_left: 31 });
        assert_eq!(cert_status(not_after, at(30, -1)), CertStatus::Ok { days_left: 30 });
        assert_eq!(cert_status(not_after, at(30, 0)), CertStatus::Warn { days_left: 30 });
        assert_eq!(cert_status(not_after, at(0, -1)), CertStatus::Warn { days_left: 0 });
        assert_eq!(cert_status(not_after, not_after), CertStatus::Expired { days_ago: 0 });
        assert_eq!(cert_status(not_after, at(-3, 5)), CertStatus::Expired { days_ago: 3 });
        assert_eq!(
            cert_status(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC),
            CertStatus::Expired { days_ago: (DateTime::<Utc>::MAX_UTC - DateTime::<Utc>::MIN_UTC).num_days() }
        );
    }
}
