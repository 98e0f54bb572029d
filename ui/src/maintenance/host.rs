//! The host page: whether the central answers, its round trip, and the certificates' expiry.

use servicaja_core::calendar::lima_printed;
use servicaja_maintenance::CertStatus;

use super::{CertReport, HostReport, row};
use crate::MaintenanceRow;

fn cert_row(key: &str, cert: Option<&CertReport>) -> MaintenanceRow {
    match cert {
        None => row(key, "@missing", ""),
        Some(CertReport::Unreadable(err)) => row(key, err, "error"),
        Some(CertReport::Read { not_after, status }) => {
            let date = lima_printed(*not_after);
            let date = date.split(' ').next().unwrap_or_default();
            match status {
                CertStatus::Ok { days_left } => row(key, &format!("{date} (+{days_left} d)"), "ok"),
                CertStatus::Warn { days_left } => row(key, &format!("{date} (+{days_left} d) ⚠"), "warn"),
                CertStatus::Expired { days_ago } => row(key, &format!("{date} (−{days_ago} d) ✕"), "error"),
            }
        }
    }
}

pub(super) fn host_rows(host: &HostReport) -> Vec<MaintenanceRow> {
    let (reachable, tone) = match host.reachable {
        Some(true) => ("@reachable", "ok"),
        Some(false) => ("@unreachable", "error"),
        None => ("@checking", ""),
    };
    vec![
        row("central", &host.base_url, ""),
        row("reachable", reachable, tone),
        row("round-trip", &host.round_trip_ms.map_or("@unknown".to_owned(), |ms| format!("{ms} ms")), ""),
        row("checked-at", &host.checked_at.map_or("@never".to_owned(), lima_printed), ""),
        cert_row("server-cert", host.server_cert.as_ref()),
        cert_row("ca-cert", host.ca_cert.as_ref()),
        cert_row("kiosk-cert", host.kiosk_cert.as_ref()),
    ]
}
