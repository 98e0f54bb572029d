//! ESC/POS real-time status (`DLE EOT n`, n = 1..4): the requests, the validation of each reply byte
//! against the fixed pattern `0xx1xx10`, the decoding of every documented bit, and the mapping of the
//! four replies onto the shared [`DeviceStatus`] vocabulary. Pure: bytes in, values out.

use serde::{Deserialize, Serialize};

use crate::status::{CoverState, DeviceState, DeviceStatus, ErrorAction, MediaState, PaperState};

/// `DLE EOT n`: three bytes, no trailing byte.
pub fn request(n: StatusRequest) -> [u8; 3] {
    [0x10, 0x04, n as u8]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[repr(u8)]
pub enum StatusRequest {
    Printer = 1,
    OfflineCause = 2,
    ErrorCause = 3,
    RollPaper = 4,
}

impl StatusRequest {
    pub const ALL: [StatusRequest; 4] = [Self::Printer, Self::OfflineCause, Self::ErrorCause, Self::RollPaper];
}

/// Whether `byte` can be a real-time status reply: bit 7 = 0, bit 4 = 1, bit 1 = 1, bit 0 = 0.
pub fn is_status_byte(byte: u8) -> bool {
    byte & 0b1001_0011 == 0b0001_0010
}

/// A reply byte that does not have the `0xx1xx10` shape (noise, or a stale answer to something else).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{byte:#04x} is not a real-time status reply (expected the pattern 0xx1xx10)")]
pub struct InvalidReply {
    pub byte: u8,
}

fn bit(byte: u8, n: u8) -> bool {
    byte & (1 << n) != 0
}

fn validated(byte: u8) -> Result<u8, InvalidReply> {
    if is_status_byte(byte) { Ok(byte) } else { Err(InvalidReply { byte }) }
}

/// Declares a reply byte whose flags are single bits: the struct, `decode` (after validating the byte's
/// fixed pattern) and `encode` (the pattern with the flags set), each flag's bit written once.
macro_rules! status_byte {
    ($(#[$meta:meta])* $name:ident { $($(#[$field_meta:meta])* $field:ident: bit $bit:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
        pub struct $name {
            $($(#[$field_meta])* pub $field: bool,)*
        }

        impl $name {
            pub fn decode(byte: u8) -> Result<Self, InvalidReply> {
                let b = validated(byte)?;
                Ok(Self { $($field: bit(b, $bit),)* })
            }
            pub fn encode(self) -> u8 {
                0x12 $(| u8::from(self.$field) << $bit)*
            }
        }
    };
}

status_byte! {
    /// `DLE EOT 1`.
    PrinterByte {
        /// Bit 2: drawer kick-out connector pin 3 is high.
        drawer_pin3_high: bit 2,
        /// Bit 3.
        offline: bit 3,
        /// Bit 5: waiting for online recovery.
        waiting_online_recovery: bit 5,
        /// Bit 6: the paper feed button is pressed.
        feed_button_pressed: bit 6,
    }
}

status_byte! {
    /// `DLE EOT 2`.
    OfflineCauseByte {
        /// Bit 2.
        cover_open: bit 2,
        /// Bit 3: paper is being fed by the feed button.
        feeding_by_button: bit 3,
        /// Bit 5: printing stopped because the paper ran out.
        paper_end_stop: bit 5,
        /// Bit 6: an error occurred (see `DLE EOT 3`).
        error: bit 6,
    }
}

status_byte! {
    /// `DLE EOT 3`.
    ErrorCauseByte {
        /// Bit 2: a recoverable (mechanical) error, on models that report it.
        recoverable: bit 2,
        /// Bit 3.
        autocutter: bit 3,
        /// Bit 5.
        unrecoverable: bit 5,
        /// Bit 6: an automatically recoverable error (for example head temperature).
        auto_recoverable: bit 6,
    }
}

/// `DLE EOT 4`. Each sensor is reported on two bits; either bit set counts (printers set both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RollPaperByte {
    /// Bits 2–3.
    pub near_end: bool,
    /// Bits 5–6.
    pub paper_end: bool,
}

impl RollPaperByte {
    pub fn decode(byte: u8) -> Result<Self, InvalidReply> {
        let b = validated(byte)?;
        Ok(Self { near_end: b & 0b0000_1100 != 0, paper_end: b & 0b0110_0000 != 0 })
    }
    pub fn encode(self) -> u8 {
        0x12 | if self.near_end { 0b0000_1100 } else { 0 } | if self.paper_end { 0b0110_0000 } else { 0 }
    }
}

/// The four replies together, as the driver reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PrinterSensors {
    pub printer: PrinterByte,
    pub offline_cause: OfflineCauseByte,
    pub error_cause: ErrorCauseByte,
    pub roll_paper: RollPaperByte,
}

impl PrinterSensors {
    /// Decodes the four reply bytes, in request order 1, 2, 3, 4.
    pub fn decode(replies: [u8; 4]) -> Result<Self, InvalidReply> {
        Ok(Self {
            printer: PrinterByte::decode(replies[0])?,
            offline_cause: OfflineCauseByte::decode(replies[1])?,
            error_cause: ErrorCauseByte::decode(replies[2])?,
            roll_paper: RollPaperByte::decode(replies[3])?,
        })
    }

    /// The reply bytes a printer in this state sends (the emulator uses this).
    pub fn encode(&self) -> [u8; 4] {
        [self.printer.encode(), self.offline_cause.encode(), self.error_cause.encode(), self.roll_paper.encode()]
    }

    /// The reply to one request.
    pub fn reply_to(&self, request: u8) -> Option<u8> {
        let bytes = self.encode();
        match request {
            1..=4 => Some(bytes[usize::from(request - 1)]),
            _ => None,
        }
    }

    /// The shared status vocabulary for these sensors. The most serious condition decides the device
    /// state and the action; paper and cover are always reported.
    pub fn to_status(&self) -> DeviceStatus {
        let paper_out = self.roll_paper.paper_end || self.offline_cause.paper_end_stop;
        let paper = if self.error_cause.autocutter {
            PaperState::Jammed
        } else if paper_out {
            PaperState::Out
        } else if self.roll_paper.near_end {
            PaperState::Low
        } else {
            PaperState::Full
        };
        let cover = if self.offline_cause.cover_open { CoverState::Open } else { CoverState::Closed };
        let (device, action, detail) = if self.error_cause.unrecoverable {
            (DeviceState::HardwareError, Some(ErrorAction::Maintenance), "unrecoverable printer error")
        } else if self.error_cause.autocutter {
            (DeviceState::HardwareError, Some(ErrorAction::Clear), "autocutter error (paper jam at the cutter)")
        } else if self.error_cause.recoverable {
            (DeviceState::HardwareError, Some(ErrorAction::Clear), "recoverable mechanical error")
        } else if self.offline_cause.cover_open {
            (DeviceState::UserError, Some(ErrorAction::Clear), "cover open")
        } else if paper_out {
            (DeviceState::UserError, Some(ErrorAction::Clear), "paper end")
        } else if self.error_cause.auto_recoverable {
            (DeviceState::Busy, None, "auto-recoverable error (the printer recovers by itself)")
        } else if self.offline_cause.feeding_by_button || self.printer.feed_button_pressed {
            (DeviceState::Busy, None, "paper being fed by the button")
        } else if self.printer.offline || self.offline_cause.error {
            (DeviceState::Offline, Some(ErrorAction::Maintenance), "offline")
        } else if self.roll_paper.near_end {
            (DeviceState::Online, None, "paper near end")
        } else {
            (DeviceState::Online, None, "")
        };
        DeviceStatus {
            device,
            media: MediaState::NotSupported,
            paper: Some(paper),
            cover: Some(cover),
            action,
            detail: detail.into(),
        }
    }
}
