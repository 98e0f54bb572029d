//! The host page: whether the central answers, its round trip, and the certificates' expiry.

use servicaja_core::calendar::lima_printed;
use servicaja_maintenance::CertStatus;

use super::{CertReport, HostReport, coded_row, row};
use crate::{MaintenanceRow, MaintenanceTone};

/// A certificate's expiry date and days left; one that cannot be read is said so, with the reason as its code.
fn cert_row(key: &str, cert: Option<&CertReport>) -> MaintenanceRow {
    match cert {
        None => row(key, "@missing", MaintenanceTone::Plain),
        Some(CertReport::Unreadable(err)) => coded_row(key, "@unreadable", err, MaintenanceTone::Error),
        Some(CertReport::Read { not_after, status }) => {
            let date = lima_printed(*not_after);
            let date = date.split(' ').next().unwrap_or_default();
            match status {
                CertStatus::Ok { days_left } => row(key, &format!("{date} (+{days_left} d)"), MaintenanceTone::Ok),
                CertStatus::Warn { days_left } => {
                    row(key, &format!("{date} (+{days_left} d) ⚠"), MaintenanceTone::Warn)
                }
                CertStatus::Expired { days_ago } => {
                    row(key, &format!("{date} (−{days_ago} d) ✕"), MaintenanceTone::Error)
                }
            }
        }
    }
}

/// The host page's rows: the central's address, whether it answers and how fast, and the certificates.
pub(super) fn host_rows(host: &HostReport) -> Vec<MaintenanceRow> {
    let plain = MaintenanceTone::Plain;
    let (reachable, tone) = match host.reachable {
        Some(true) => ("@reachable", MaintenanceTone::Ok),
        Some(false) => ("@unreachable", MaintenanceTone::Error),
        None => ("@checking", plain),
    };
    vec![
        row("central", &host.base_url, plain),
        row("reachable", reachable, tone),
        row("round-trip", &host.round_trip_ms.map_or("@unknown".to_owned(), |ms| format!("{ms} ms")), plain),
        row("checked-at", &host.checked_at.map_or("@never".to_owned(), lima_printed), plain),
        cert_row("server-cert", host.server_cert.as_ref()),
        cert_row("ca-cert", host.ca_cert.as_ref()),
        cert_row("kiosk-cert", host.kiosk_cert.as_ref()),
    ]
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeDelta};

    use super::*;

    #[test]
    fn before_the_first_probe_the_page_says_it_is_checking_and_has_never_checked() {
        let rows = host_rows(&HostReport { base_url: "https://central.test".into(), ..HostReport::default() });
        let values: Vec<(&str, &str)> = rows.iter().map(|r| (r.key.as_str(), r.value.as_str())).collect();
        assert_eq!(
            values,
            [
                ("central", "https://central.test"),
                ("reachable", "@checking"),
                ("round-trip", "@unknown"),
                ("checked-at", "@never"),
                ("server-cert", "@missing"),
                ("ca-cert", "@missing"),
                ("kiosk-cert", "@missing"),
            ]
        );
    }

    #[test]
    fn certificates_show_their_date_and_days_and_an_unreadable_one_its_reason_as_the_code() {
        let now = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let host = HostReport {
            reachable: Some(false),
            server_cert: Some(CertReport::Read {
                not_after: now + TimeDelta::days(21),
                status: CertStatus::Warn { days_left: 21 },
            }),
            ca_cert: Some(CertReport::Unreadable("no certificate".into())),
            kiosk_cert: Some(CertReport::Read {
                not_after: now - TimeDelta::days(2),
                status: CertStatus::Expired { days_ago: 2 },
            }),
            ..HostReport::default()
        };
        let rows = host_rows(&host);
        assert_eq!((rows[1].value.as_str(), rows[1].tone), ("@unreachable", MaintenanceTone::Error));
        assert!(rows[4].value.ends_with("(+21 d) ⚠"), "{}", rows[4].value);
        assert_eq!(rows[4].tone, MaintenanceTone::Warn);
        assert_eq!(
            (rows[5].value.as_str(), rows[5].code.as_str(), rows[5].tone),
            ("@unreadable", "no certificate", MaintenanceTone::Error),
            "the reason is a code beside the words, never the text alone"
        );
        assert!(rows[6].value.ends_with("(−2 d) ✕"), "{}", rows[6].value);
    }
}
