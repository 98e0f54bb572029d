//! The device status vocabulary shared by every driver, after XFS4IoT: device state, media, printer
//! paper and cover, the action an error needs, and the change events that carry only what changed.

use serde::{Deserialize, Serialize};

/// Which device a status or an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeviceKind {
    Printer,
    CardReader,
    DocumentReader,
}

impl std::fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Printer => "printer",
            Self::CardReader => "card reader",
            Self::DocumentReader => "document reader",
        })
    }
}

/// XFS4IoT `common.status.device`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum DeviceState {
    Online,
    Offline,
    Busy,
    HardwareError,
    UserError,
    NoDevice,
}

/// Whether media (a card, a document) is in the device; readers without a transport report
/// `NotSupported`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MediaState {
    Present,
    NotPresent,
    Jammed,
    Unknown,
    NotSupported,
}

/// XFS4IoT `printer.paper.<supply>` for the receipt roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PaperState {
    Full,
    Low,
    Out,
    Jammed,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CoverState {
    Closed,
    Open,
    Unknown,
}

/// What an error needs to go away: `Clear` — staff can fix it (paper, cover); `Maintenance` — a technician.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorAction {
    Clear,
    Maintenance,
}

/// The whole status of one device at one moment. `paper` and `cover` are `None` for devices without them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceStatus {
    pub device: DeviceState,
    pub media: MediaState,
    pub paper: Option<PaperState>,
    pub cover: Option<CoverState>,
    /// `None` when nothing needs doing.
    pub action: Option<ErrorAction>,
    /// A short technician-facing reason for the current state (`"paper end"`, `"port /dev/ttyS0: …"`).
    pub detail: String,
}

impl DeviceStatus {
    /// The status of a device whose port cannot be opened or has gone away.
    pub fn no_device(kind: DeviceKind, detail: impl Into<String>) -> Self {
        let (paper, cover) = match kind {
            DeviceKind::Printer => (Some(PaperState::Unknown), Some(CoverState::Unknown)),
            _ => (None, None),
        };
        Self {
            device: DeviceState::NoDevice,
            media: MediaState::Unknown,
            paper,
            cover,
            action: Some(ErrorAction::Maintenance),
            detail: detail.into(),
        }
    }

    /// A reader that is connected and waiting for media.
    pub fn reader_online() -> Self {
        Self {
            device: DeviceState::Online,
            media: MediaState::NotSupported,
            paper: None,
            cover: None,
            action: None,
            detail: String::new(),
        }
    }

    /// Whether the device can do its work now (a printer: print a receipt).
    pub fn is_ready(&self) -> bool {
        self.device == DeviceState::Online && !matches!(self.paper, Some(PaperState::Out | PaperState::Jammed))
    }

    /// What changed from `self` to `next`, field by field; empty when nothing did.
    pub fn changes_to(&self, next: &DeviceStatus) -> Vec<StatusField> {
        let mut changes = Vec::new();
        if self.device != next.device {
            changes.push(StatusField::Device(next.device));
        }
        if self.media != next.media {
            changes.push(StatusField::Media(next.media));
        }
        if self.paper != next.paper
            && let Some(paper) = next.paper
        {
            changes.push(StatusField::Paper(paper));
        }
        if self.cover != next.cover
            && let Some(cover) = next.cover
        {
            changes.push(StatusField::Cover(cover));
        }
        if self.action != next.action {
            changes.push(StatusField::Action(next.action));
        }
        if self.detail != next.detail {
            changes.push(StatusField::Detail(next.detail.clone()));
        }
        changes
    }
}

/// One changed part of a [`DeviceStatus`], as published in a status-change event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StatusField {
    Device(DeviceState),
    Media(MediaState),
    Paper(PaperState),
    Cover(CoverState),
    Action(Option<ErrorAction>),
    Detail(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_carry_only_what_changed() {
        let before = DeviceStatus {
            device: DeviceState::Online,
            media: MediaState::NotSupported,
            paper: Some(PaperState::Full),
            cover: Some(CoverState::Closed),
            action: None,
            detail: String::new(),
        };
        let mut after = before.clone();
        after.paper = Some(PaperState::Low);
        assert_eq!(before.changes_to(&after), vec![StatusField::Paper(PaperState::Low)]);
        assert!(before.changes_to(&before).is_empty());
    }
}
