//! The kiosk page: version and uptime, and the in/out of service switch, kept across a restart and told to
//! the customer session.

use chrono::{DateTime, Utc};
use servicaja_core::calendar::lima_printed;
use servicaja_session::{Event, SwitchOffReason};

use super::{Desk, KioskReport, Message, age, row};
use crate::MaintenanceRow;

impl Desk {
    /// Switches the customer session in or out of service and keeps the switch across a restart.
    pub(super) fn switch_service(&mut self, out_of_service: Option<SwitchOffReason>, user: &str, now: DateTime<Utc>) {
        let saved = self.backend.service_switched(out_of_service.as_ref(), user, now);
        if let Some(controller) = self.controller.upgrade()
            && let Ok(mut controller) = controller.try_borrow_mut()
        {
            controller.dispatch(Event::ServiceSwitch { out_of_service: out_of_service.clone() });
        }
        self.message = match saved {
            Err(err) => Message { id: "failed", arg: err, error: true },
            Ok(()) if out_of_service.is_some() => Message { id: "service-off", ..Message::default() },
            Ok(()) => Message { id: "service-on", ..Message::default() },
        };
    }

    /// Why the technician switched the kiosk off; `None` while in service.
    pub(super) fn switched_off(&self) -> Option<SwitchOffReason> {
        self.controller
            .upgrade()
            .and_then(|controller| controller.try_borrow().ok().map(|c| c.session().health().switched_off.clone()))
            .unwrap_or(None)
    }
}

/// The journal's detail of a switch-off: the fixed reason's id, or `other: ` and the typed text.
pub(super) fn switch_off_detail(reason: &SwitchOffReason) -> String {
    match reason {
        SwitchOffReason::Maintenance => "reason: maintenance".into(),
        SwitchOffReason::PrinterFault => "reason: printer-fault".into(),
        SwitchOffReason::ConnectionFault => "reason: connection-fault".into(),
        SwitchOffReason::Other(text) => format!("reason: other: {text}"),
    }
}

pub(super) fn kiosk_rows(
    kiosk: &KioskReport,
    now: DateTime<Utc>,
    switched_off: Option<&SwitchOffReason>,
) -> Vec<MaintenanceRow> {
    let service = if switched_off.is_none() { ("@in-service", "ok") } else { ("@out-of-service", "error") };
    let mut rows = vec![
        row("version", &kiosk.version, ""),
        row("started", &kiosk.started_at.map_or("@unknown".to_owned(), lima_printed), ""),
        row("uptime", &kiosk.started_at.map_or("@unknown".to_owned(), |at| age(at, now)), ""),
        row("service", service.0, service.1),
    ];
    if let Some(reason) = switched_off {
        let shown = match reason {
            SwitchOffReason::Maintenance => "@reason-maintenance",
            SwitchOffReason::PrinterFault => "@reason-printer",
            SwitchOffReason::ConnectionFault => "@reason-connection",
            SwitchOffReason::Other(text) => text.as_str(),
        };
        rows.push(row("service-reason", shown, "error"));
    }
    rows
}
