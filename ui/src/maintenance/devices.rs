//! The devices page: each device's state and error history, and the card and document reader tests (the
//! reader test takes the media before the customer session could see it, shown masked).

use servicaja_core::calendar::lima_printed;
use servicaja_maintenance::AccessState;
use servicaja_session::{Event, Reader};
use slint::SharedString;

use super::{Desk, DeviceReport, model};
use crate::MaintenanceDevice;

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

pub(super) fn device_view(device: &DeviceReport) -> MaintenanceDevice {
    let history: Vec<SharedString> = device
        .errors
        .iter()
        .map(|error| {
            let action = error.action.as_deref().map(|a| format!(" [{a}]")).unwrap_or_default();
            format!("{}  {}{action}: {}", lima_printed(error.at), error.state, error.detail).into()
        })
        .collect();
    MaintenanceDevice {
        id: device.device.into(),
        state: device.state.as_str().into(),
        paper: device.paper.as_deref().unwrap_or("").into(),
        action: device.action.as_deref().unwrap_or("").into(),
        detail: device.detail.as_str().into(),
        history: model(history),
    }
}
