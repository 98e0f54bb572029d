//! The kiosk page: version and uptime, and the in/out of service switch, kept across a restart and told to
//! the customer session.

use chrono::{DateTime, Utc};
use servicaja_core::calendar::lima_printed;
use servicaja_session::{Event, SwitchOffReason};

use super::actions::{failed, said};
use super::{Desk, KioskReport, age, row};
use crate::{MaintenanceMessage, MaintenanceRow, MaintenanceTone};

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
            Err(err) => failed(MaintenanceMessage::ServiceFailed, String::new(), err),
            Ok(()) if out_of_service.is_some() => said(MaintenanceMessage::ServiceOff),
            Ok(()) => said(MaintenanceMessage::ServiceOn),
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

/// The kiosk page's rows: version, uptime, and whether customers are served (and why not).
pub(super) fn kiosk_rows(
    kiosk: &KioskReport,
    now: DateTime<Utc>,
    switched_off: Option<&SwitchOffReason>,
) -> Vec<MaintenanceRow> {
    let service = if switched_off.is_none() {
        ("@in-service", MaintenanceTone::Ok)
    } else {
        ("@out-of-service", MaintenanceTone::Error)
    };
    let mut rows = vec![
        row("version", &kiosk.version, MaintenanceTone::Plain),
        row("started", &kiosk.started_at.map_or("@unknown".to_owned(), lima_printed), MaintenanceTone::Plain),
        row("uptime", &kiosk.started_at.map_or("@unknown".to_owned(), |at| age(at, now)), MaintenanceTone::Plain),
        row("service", service.0, service.1),
    ];
    if let Some(reason) = switched_off {
        let shown = match reason {
            SwitchOffReason::Maintenance => "@reason-maintenance",
            SwitchOffReason::PrinterFault => "@reason-printer",
            SwitchOffReason::ConnectionFault => "@reason-connection",
            SwitchOffReason::Other(text) => text.as_str(),
        };
        rows.push(row("service-reason", shown, MaintenanceTone::Error));
    }
    rows
}

/// The configuration as the kiosk page lists it: each key (the name in the configuration file, which is
/// what a technician edits) with its value, secrets hidden by the backend.
pub(super) fn settings_rows(kiosk: &KioskReport) -> Vec<MaintenanceRow> {
    kiosk.settings.iter().map(|(key, value)| row(key, value, MaintenanceTone::Plain)).collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn shown(rows: &[MaintenanceRow]) -> Vec<(String, String, MaintenanceTone)> {
        rows.iter().map(|r| (r.key.to_string(), r.value.to_string(), r.tone)).collect()
    }

    #[test]
    fn an_unknown_start_is_said_in_words_and_the_service_state_is_toned() {
        let now = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let kiosk = KioskReport { version: "1.2.3".into(), ..KioskReport::default() };
        let rows = shown(&kiosk_rows(&kiosk, now, None));
        assert_eq!(rows[1].1, "@unknown");
        assert_eq!(rows[2].1, "@unknown");
        assert_eq!(rows[3], ("service".into(), "@in-service".into(), MaintenanceTone::Ok));
        assert_eq!(rows.len(), 4, "no reason while in service");

        let started = KioskReport { started_at: Some(now - TimeDelta::minutes(75)), ..kiosk };
        assert_eq!(shown(&kiosk_rows(&started, now, None))[2].1, "1 h 15 min");
    }

    #[test]
    fn the_reason_customers_see_is_a_word_id_or_the_text_the_technician_typed() {
        let now = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let kiosk = KioskReport::default();
        let fixed = shown(&kiosk_rows(&kiosk, now, Some(&SwitchOffReason::PrinterFault)));
        assert_eq!(fixed[3].1, "@out-of-service");
        assert_eq!(fixed[4], ("service-reason".into(), "@reason-printer".into(), MaintenanceTone::Error));
        let typed = shown(&kiosk_rows(&kiosk, now, Some(&SwitchOffReason::Other("obra en la agencia".into()))));
        assert_eq!(typed[4].1, "obra en la agencia");
    }

    #[test]
    fn the_settings_are_listed_as_given() {
        let kiosk = KioskReport { settings: vec![("kiosk.id".into(), "KSK-1".into())], ..KioskReport::default() };
        assert_eq!(shown(&settings_rows(&kiosk)), vec![("kiosk.id".into(), "KSK-1".into(), MaintenanceTone::Plain)]);
    }
}
