//! The card reader and the document reader: what each does with a framed message — parse it with the
//! core parsers and turn it into a [`DeviceEvent`]. Pure; the thread loops in [`crate::devices`] feed them.

use servicaja_core::identity::mrz::Mrz;
use servicaja_core::identity::track::{self, CardSwipe, LrcMode};

use crate::framing::{MrzFrame, SwipeFrame};
use crate::status::{DeviceKind, DeviceStatus, StatusField};

/// What a device tells the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceEvent {
    /// A card was swiped and read. The card number lives only in memory and is wiped on drop; its
    /// `Debug` shows it masked.
    CardRead(CardSwipe),
    /// A document's machine-readable zone was read and every check digit matched.
    DocumentRead(Mrz),
    /// Something was presented that could not be read; `reason` names the failing check and never
    /// contains card or track data.
    InvalidMedia { device: DeviceKind, reason: String },
    /// A device's status changed; `changes` holds only what changed, `status` the whole new status.
    StatusChanged { device: DeviceKind, changes: Vec<StatusField>, status: DeviceStatus },
}

/// The event for one framed swipe.
pub fn swipe_event(frame: SwipeFrame, lrc_mode: LrcMode) -> DeviceEvent {
    match frame {
        SwipeFrame::Line(line) => match track::parse_reader_line(line.as_bytes(), lrc_mode) {
            Ok(swipe) => DeviceEvent::CardRead(swipe),
            Err(e) => DeviceEvent::InvalidMedia { device: DeviceKind::CardReader, reason: e.to_string() },
        },
        SwipeFrame::Garbage(reason) => {
            DeviceEvent::InvalidMedia { device: DeviceKind::CardReader, reason: format!("card reader: {reason}") }
        }
    }
}

/// The event for one framed MRZ.
pub fn document_event(frame: MrzFrame) -> DeviceEvent {
    let parsed = match frame {
        MrzFrame::Td1([a, b, c]) => Mrz::parse_td1(&a, &b, &c),
        MrzFrame::Td3([a, b]) => Mrz::parse_td3(&a, &b),
        MrzFrame::Invalid(reason) => {
            return DeviceEvent::InvalidMedia {
                device: DeviceKind::DocumentReader,
                reason: format!("document reader: {reason}"),
            };
        }
    };
    match parsed {
        Ok(mrz) => DeviceEvent::DocumentRead(mrz),
        Err(e) => DeviceEvent::InvalidMedia { device: DeviceKind::DocumentReader, reason: e.to_string() },
    }
}
