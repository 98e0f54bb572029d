//! What the kiosk's metrics endpoint shows, gathered at each scrape from the parts `kiosk.rs` holds: the
//! devices' statuses, the paper counter, the outbox, the certificates and the service switch. One
//! function, [`snapshot_source`], is the seam: the fleet reporter's own snapshot replaces it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use servicaja_core::api::{
    Activity, CertificateReport, CertificateRole, DeviceReportItem, JournalHeadReport, OutboxReport, PaperReportItem,
    PaperSensor, ReportTrigger, ServiceReport, StateCount, StatusReport,
};
use servicaja_core::settings::{HostSettings, Settings};
use servicaja_drivers::status::{DeviceStatus, PaperState};
use servicaja_host::State;
use servicaja_host::metrics::{CentralLink, MetricsSnapshot, SnapshotFn};
use servicaja_runtime::Runtime;
use servicaja_runtime::paper::PaperStore;
use servicaja_session::SwitchOffReason;

use crate::desk::DeviceHandles;

/// The serde name of a value of the shared vocabulary (`hardwareError`, `maintenance`).
fn vocabulary<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn device(name: &str, status: &DeviceStatus) -> DeviceReportItem {
    DeviceReportItem {
        device: name.to_owned(),
        state: vocabulary(&status.device),
        action: status.action.as_ref().map(vocabulary),
        last_error: None,
    }
}

fn paper_sensor(state: Option<PaperState>) -> PaperSensor {
    match state {
        Some(PaperState::Full) => PaperSensor::Full,
        Some(PaperState::Low) => PaperSensor::Low,
        Some(PaperState::Out) => PaperSensor::Out,
        Some(PaperState::Jammed) => PaperSensor::Jammed,
        Some(PaperState::Unknown) | None => PaperSensor::Unknown,
    }
}

fn days_left(path: &str, now: DateTime<Utc>) -> Option<i64> {
    if path.trim().is_empty() {
        return None;
    }
    let found = servicaja_runtime::certs::expiries_from_file(Path::new(path), now).ok()?;
    found.iter().map(|cert| (cert.not_after - now).num_days()).min()
}

/// The snapshot closure for `servicaja run`. Sessions and operations are not counted here (the fleet
/// reporter counts them); the central's reachability is left unknown.
pub fn snapshot_source(
    settings: &Settings,
    host: &HostSettings,
    runtime: Arc<Runtime>,
    devices: DeviceHandles,
    started_at: DateTime<Utc>,
) -> SnapshotFn {
    let settings = settings.clone();
    let host = host.clone();
    let data_dir = PathBuf::from(&settings.kiosk.data_dir);
    Arc::new(move || {
        let now = Utc::now();
        let printer = devices.printer.status();
        let estimate = PaperStore::open(&data_dir)
            .map(|store| store.counter())
            .unwrap_or_default()
            .estimate(settings.printer.roll_length_mm);
        // The scrape runs on a blocking thread (host::metrics), where waiting on the runtime is allowed.
        let outbox = runtime.handle().block_on(runtime.outbox().status()).ok();
        let oldest = outbox.as_ref().and_then(|status| status.oldest_open).map(|at| (now - at).num_seconds().max(0));
        let counts = outbox
            .map(|status| {
                State::ALL
                    .iter()
                    .map(|state| StateCount { state: state.as_str().to_owned(), count: status.count(*state) })
                    .collect()
            })
            .unwrap_or_default();
        let switched_off = servicaja_runtime::service_switch::load(&data_dir);
        let report = StatusReport {
            report_id: String::new(),
            kiosk_id: settings.kiosk.id.clone(),
            agency: settings.kiosk.agency_code.clone(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            sent_at: now,
            trigger: ReportTrigger::Periodic,
            devices: vec![
                device("printer", &printer),
                device("card-reader", &devices.card_reader.status()),
                device("document-reader", &devices.document_reader.status()),
            ],
            paper: PaperReportItem {
                state: paper_sensor(printer.paper),
                left_percent: estimate.left_percent,
                left_mm: estimate.left_mm,
                receipts_since_change: estimate.receipts,
            },
            outbox: OutboxReport { counts, oldest_pending_seconds: oldest },
            certificates: vec![
                CertificateReport { role: CertificateRole::Ca, days_left: days_left(&host.ca_cert, now) },
                CertificateReport { role: CertificateRole::Kiosk, days_left: days_left(&host.client_cert, now) },
            ],
            service: ServiceReport {
                in_service: switched_off.is_none(),
                reason: switched_off.as_ref().map(|reason| {
                    match reason {
                        SwitchOffReason::Maintenance => "maintenance",
                        SwitchOffReason::PrinterFault => "printer_fault",
                        SwitchOffReason::ConnectionFault => "connection_fault",
                        SwitchOffReason::Other(_) => "other",
                    }
                    .to_owned()
                }),
                note: None,
                since: started_at,
            },
            activity: Activity::default(),
            journal_head: JournalHeadReport { seq: 0, hash: String::new() },
            acks: Vec::new(),
        };
        MetricsSnapshot { report, totals: Activity::default(), central: CentralLink::default() }
    })
}
