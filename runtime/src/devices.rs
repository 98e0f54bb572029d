//! Device readings and status changes as session events: the drivers' `DeviceEvent`s (XFS4IoT vocabulary)
//! mapped to `Event::CardRead`, `DocumentRead`, `InvalidMedia`, `Device` and `Paper`, and a pump thread
//! that forwards them to the shell.

use std::sync::mpsc::Receiver;

use servicaja_drivers::devices::Devices;
use servicaja_drivers::readers::DeviceEvent;
use servicaja_drivers::status::{DeviceKind, DeviceState, DeviceStatus as DriverStatus, PaperState};
use servicaja_session::{Device, DeviceStatus, Event, PaperStatus, Reader};

use super::EventSink;

/// The session events one driver event stands for (none for media a session has no use for).
pub fn device_events(event: DeviceEvent) -> Vec<Event> {
    match event {
        // The card number stays in its zeroizing type; the track data never leaves the driver.
        DeviceEvent::CardRead(swipe) => vec![Event::CardRead(swipe.pan.clone())],
        DeviceEvent::DocumentRead(mrz) => match mrz.dni() {
            Some(dni) => vec![Event::DocumentRead(dni)],
            // A valid MRZ that is not a Peruvian DNI (a passport, a foreign ID card).
            None => vec![Event::InvalidMedia(Reader::Document)],
        },
        DeviceEvent::InvalidMedia { device, .. } => match device {
            DeviceKind::CardReader => vec![Event::InvalidMedia(Reader::Card)],
            DeviceKind::DocumentReader => vec![Event::InvalidMedia(Reader::Document)],
            DeviceKind::Printer => Vec::new(),
        },
        DeviceEvent::StatusChanged { device, status, .. } => status_events(device, &status),
    }
}

/// A device's whole status as session events: its device state, and for the printer its paper.
pub fn status_events(kind: DeviceKind, status: &DriverStatus) -> Vec<Event> {
    let device = match kind {
        DeviceKind::Printer => Device::Printer,
        DeviceKind::CardReader => Device::CardReader,
        DeviceKind::DocumentReader => Device::DocumentReader,
    };
    let mut events = vec![Event::Device { device, status: device_status(status.device) }];
    if let Some(paper) = status.paper.and_then(paper_status) {
        events.push(Event::Paper(paper));
    }
    events
}

/// The current status of the three devices, for a session that starts after the drivers.
pub fn current_status(devices: &Devices) -> Vec<Event> {
    let mut events = status_events(DeviceKind::Printer, &devices.printer.status());
    events.extend(status_events(DeviceKind::CardReader, &devices.card_reader.status()));
    events.extend(status_events(DeviceKind::DocumentReader, &devices.document_reader.status()));
    events
}

/// Forwards every driver event to `sink` until the drivers are gone.
pub fn pump_devices(events: Receiver<DeviceEvent>, sink: EventSink) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new().name("device-events".into()).spawn(move || {
        for event in events {
            for event in device_events(event) {
                sink(event);
            }
        }
    })
}

fn device_status(state: DeviceState) -> DeviceStatus {
    match state {
        DeviceState::Online => DeviceStatus::Online,
        DeviceState::Offline => DeviceStatus::Offline,
        DeviceState::Busy => DeviceStatus::Busy,
        DeviceState::HardwareError => DeviceStatus::HardwareError,
        DeviceState::UserError => DeviceStatus::UserError,
        DeviceState::NoDevice => DeviceStatus::NoDevice,
    }
}

/// `Unknown` (no printer answering) says nothing about the roll: the device state already tells.
fn paper_status(paper: PaperState) -> Option<PaperStatus> {
    match paper {
        PaperState::Full => Some(PaperStatus::Full),
        PaperState::Low => Some(PaperStatus::Low),
        PaperState::Out => Some(PaperStatus::Out),
        PaperState::Jammed => Some(PaperStatus::Jammed),
        PaperState::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_printer_without_paper_reports_its_state_and_its_roll() {
        let mut status = DriverStatus::no_device(DeviceKind::Printer, "paper end");
        status.device = DeviceState::Online;
        status.paper = Some(PaperState::Out);
        assert_eq!(
            status_events(DeviceKind::Printer, &status),
            vec![
                Event::Device { device: Device::Printer, status: DeviceStatus::Online },
                Event::Paper(PaperStatus::Out)
            ]
        );
        let gone = DriverStatus::no_device(DeviceKind::Printer, "unplugged");
        assert_eq!(
            status_events(DeviceKind::Printer, &gone),
            vec![Event::Device { device: Device::Printer, status: DeviceStatus::NoDevice }]
        );
    }

    #[test]
    fn unreadable_media_is_reported_per_reader() {
        let event = DeviceEvent::InvalidMedia { device: DeviceKind::CardReader, reason: "bad LRC".into() };
        assert_eq!(device_events(event), vec![Event::InvalidMedia(Reader::Card)]);
        let event = DeviceEvent::InvalidMedia { device: DeviceKind::DocumentReader, reason: "check digit".into() };
        assert_eq!(device_events(event), vec![Event::InvalidMedia(Reader::Document)]);
    }
}
