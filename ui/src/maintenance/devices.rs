//! The devices page: each device's state and error history, and the card and document reader tests (the
//! reader test takes the media before the customer session could see it, shown masked).

use servicaja_core::calendar::lima_printed;
use servicaja_maintenance::AccessState;
use servicaja_session::{Event, Reader};

use super::{Desk, DeviceReport, model};
use crate::{
    MaintenanceDevice, MaintenanceDeviceAction, MaintenanceDeviceKind, MaintenanceDeviceProblem,
    MaintenanceDeviceState, MaintenancePaper,
};

impl Desk {
    /// A reader test takes the media it waits for; while someone is signed in, no card or document reaches
    /// the (out-of-service) customer session.
    pub(super) fn take_media(&mut self, event: &Event) -> bool {
        let signed_in = matches!(self.access.state(), AccessState::Active { .. } | AccessState::Reauth { .. });
        let (reader, result) = match event {
            Event::CardRead(card) => (Reader::Card, card.masked()),
            Event::DocumentRead(dni) => {
                let digits = dni.as_str();
                let shown = digits.get(digits.len().saturating_sub(3)..).unwrap_or("");
                (Reader::Document, format!("DNI *****{shown}"))
            }
            Event::InvalidMedia(reader) => (*reader, "invalid".to_owned()),
            _ => return false,
        };
        if self.reader_test == Some(reader) {
            self.reader_result = result;
            self.render();
        }
        signed_in
    }
}

/// A device as the devices page shows it: each word of the shared vocabulary as the page's enum (worded in
/// the page's language) with the code itself beside it; a code this kiosk does not know shows as
/// unknown / other, still with its code.
pub(super) fn map_device(device: &DeviceReport) -> MaintenanceDevice {
    let history: Vec<MaintenanceDeviceProblem> = device
        .errors
        .iter()
        .map(|error| MaintenanceDeviceProblem {
            at: lima_printed(error.at).into(),
            state: device_state(&error.state),
            state_code: error.state.as_str().into(),
            action: device_action(error.action.as_deref()),
            action_code: error.action.as_deref().unwrap_or("").into(),
            detail: error.detail.as_str().into(),
        })
        .collect();
    MaintenanceDevice {
        kind: device_kind(device.device),
        id: device.device.into(),
        state: device_state(&device.state),
        state_code: device.state.as_str().into(),
        paper: paper_state(device.paper.as_deref()),
        paper_code: device.paper.as_deref().unwrap_or("").into(),
        action: device_action(device.action.as_deref()),
        action_code: device.action.as_deref().unwrap_or("").into(),
        detail: device.detail.as_str().into(),
        history: model(history),
    }
}

fn device_kind(id: &str) -> MaintenanceDeviceKind {
    match id {
        "printer" => MaintenanceDeviceKind::Printer,
        "card-reader" => MaintenanceDeviceKind::CardReader,
        "document-reader" => MaintenanceDeviceKind::DocumentReader,
        _ => MaintenanceDeviceKind::Other,
    }
}

/// XFS4IoT `Common.Status.device`.
fn device_state(code: &str) -> MaintenanceDeviceState {
    match code {
        "online" => MaintenanceDeviceState::Online,
        "offline" => MaintenanceDeviceState::Offline,
        "hardwareError" => MaintenanceDeviceState::HardwareError,
        "userError" => MaintenanceDeviceState::UserError,
        "busy" => MaintenanceDeviceState::Busy,
        "noDevice" => MaintenanceDeviceState::NoDevice,
        _ => MaintenanceDeviceState::Unknown,
    }
}

/// XFS4IoT `Printer.Status.paper` (a reader has none).
fn paper_state(code: Option<&str>) -> MaintenancePaper {
    match code {
        None => MaintenancePaper::None,
        Some("full") => MaintenancePaper::Full,
        Some("low") => MaintenancePaper::Low,
        Some("out") => MaintenancePaper::Out,
        Some("jammed") => MaintenancePaper::Jammed,
        Some(_) => MaintenancePaper::Unknown,
    }
}

/// XFS4IoT `Common.ErrorAction`: who can put it right.
fn device_action(code: Option<&str>) -> MaintenanceDeviceAction {
    match code {
        None => MaintenanceDeviceAction::None,
        Some("clear") => MaintenanceDeviceAction::Clear,
        Some("maintenance") => MaintenanceDeviceAction::Maintenance,
        Some(_) => MaintenanceDeviceAction::Other,
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use slint::Model;

    use super::super::DeviceError;
    use super::*;

    fn report(device: &'static str, state: &str) -> DeviceReport {
        DeviceReport::plain(device, state)
    }

    #[test]
    fn every_state_of_the_vocabulary_has_its_own_word_and_keeps_its_code() {
        let states = [
            ("online", MaintenanceDeviceState::Online),
            ("offline", MaintenanceDeviceState::Offline),
            ("hardwareError", MaintenanceDeviceState::HardwareError),
            ("userError", MaintenanceDeviceState::UserError),
            ("busy", MaintenanceDeviceState::Busy),
            ("noDevice", MaintenanceDeviceState::NoDevice),
            ("powerOff", MaintenanceDeviceState::Unknown),
        ];
        for (code, state) in states {
            let shown = map_device(&report("printer", code));
            assert_eq!((shown.state, shown.state_code.as_str()), (state, code));
        }
    }

    #[test]
    fn paper_and_action_are_worded_with_their_codes_and_absent_when_not_reported() {
        let none = map_device(&report("card-reader", "online"));
        assert_eq!((none.paper, none.action), (MaintenancePaper::None, MaintenanceDeviceAction::None));
        assert_eq!((none.paper_code.as_str(), none.action_code.as_str()), ("", ""));
        for (code, paper) in [
            ("full", MaintenancePaper::Full),
            ("low", MaintenancePaper::Low),
            ("out", MaintenancePaper::Out),
            ("jammed", MaintenancePaper::Jammed),
            ("unknown", MaintenancePaper::Unknown),
        ] {
            let shown = map_device(&DeviceReport { paper: Some(code.into()), ..report("printer", "online") });
            assert_eq!((shown.paper, shown.paper_code.as_str()), (paper, code));
        }
        for (code, action) in [
            ("clear", MaintenanceDeviceAction::Clear),
            ("maintenance", MaintenanceDeviceAction::Maintenance),
            ("reset", MaintenanceDeviceAction::Other),
        ] {
            let shown = map_device(&DeviceReport { action: Some(code.into()), ..report("printer", "userError") });
            assert_eq!((shown.action, shown.action_code.as_str()), (action, code));
        }
    }

    #[test]
    fn the_devices_are_known_by_kind_and_an_unknown_one_keeps_its_id() {
        assert_eq!(map_device(&report("printer", "online")).kind, MaintenanceDeviceKind::Printer);
        assert_eq!(map_device(&report("card-reader", "online")).kind, MaintenanceDeviceKind::CardReader);
        assert_eq!(map_device(&report("document-reader", "online")).kind, MaintenanceDeviceKind::DocumentReader);
        let other = map_device(&report("pinpad", "online"));
        assert_eq!((other.kind, other.id.as_str()), (MaintenanceDeviceKind::Other, "pinpad"));
    }

    #[test]
    fn the_history_is_typed_like_the_state_never_a_line_of_raw_words() {
        let at = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let device = DeviceReport {
            errors: vec![DeviceError {
                at,
                state: "noDevice".into(),
                action: Some("maintenance".into()),
                detail: "port /dev/ttyUSB1: cable disconnected".into(),
            }],
            ..report("card-reader", "online")
        };
        let shown = map_device(&device);
        assert_eq!(shown.history.row_count(), 1);
        let problem = shown.history.row_data(0).unwrap();
        assert_eq!(
            (problem.state, problem.state_code.as_str(), problem.action, problem.action_code.as_str()),
            (MaintenanceDeviceState::NoDevice, "noDevice", MaintenanceDeviceAction::Maintenance, "maintenance")
        );
        assert_eq!(problem.at.as_str(), lima_printed(at));
        assert_eq!(problem.detail.as_str(), "port /dev/ttyUSB1: cable disconnected");
    }
}
