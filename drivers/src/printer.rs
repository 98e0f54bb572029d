//! The receipt printer driver over any [`Transport`]: real-time status with stale input drained first,
//! and atomic print jobs — status checked before, the job sent in one piece, status checked after, so a
//! job that ran into paper end or an open cover is reported failed with the reason.

use std::time::{Duration, Instant};

use crate::escpos_doc::EscPosDocument;
use crate::rt_status::{self, PrinterSensors, StatusRequest};
use crate::status::{DeviceState, PaperState};
use crate::transport::{Transport, is_disconnect};

/// What the application asks the printer to print: the bytes of one or more receipts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintJob {
    pub bytes: Vec<u8>,
}

impl From<EscPosDocument> for PrintJob {
    fn from(document: EscPosDocument) -> Self {
        Self { bytes: document.bytes }
    }
}

/// Why the printer cannot print, in words a technician or staff member can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
pub enum FailReason {
    #[error("paper end: put in a new roll")]
    PaperOut,
    #[error("cover open: close the printer cover")]
    CoverOpen,
    #[error("paper jam at the cutter: open the cover and clear the paper")]
    PaperJam,
    #[error("printer hardware error: call a technician")]
    HardwareError,
    #[error("printer offline")]
    Offline,
    #[error("the printer does not answer its status request")]
    NoReply,
    #[error("no printer connected: check the cable and the port")]
    NoDevice,
}

impl FailReason {
    /// The reason these sensors do not allow printing, or `None` when the printer is ready.
    pub fn from_sensors(sensors: &PrinterSensors) -> Option<FailReason> {
        let status = sensors.to_status();
        if status.is_ready() {
            return None;
        }
        Some(match (status.paper, status.device) {
            (Some(PaperState::Jammed), _) => FailReason::PaperJam,
            (_, DeviceState::HardwareError) => FailReason::HardwareError,
            _ if sensors.offline_cause.cover_open => FailReason::CoverOpen,
            (Some(PaperState::Out), _) => FailReason::PaperOut,
            _ => FailReason::Offline,
        })
    }
}

/// A print job that did not print completely. The caller still has the document and can reprint it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    #[error("nothing was printed: {0}")]
    NotReady(FailReason),
    #[error("the receipt was interrupted ({0}); keep it for a reprint")]
    Interrupted(FailReason),
    #[error("the printer's line failed while printing ({0}); keep the receipt for a reprint")]
    Line(String),
}

impl PrintError {
    pub fn reason(&self) -> Option<FailReason> {
        match self {
            Self::NotReady(r) | Self::Interrupted(r) => Some(*r),
            Self::Line(_) => None,
        }
    }
}

/// A status request that got no valid answer, or a line that failed.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("no valid reply to DLE EOT {0} within the timeout")]
    NoReply(u8),
    #[error("the printer's line failed: {0}")]
    Line(#[from] std::io::Error),
}

impl StatusError {
    /// Whether the port itself is gone (then the driver reconnects).
    pub fn is_disconnect(&self) -> bool {
        matches!(self, Self::Line(e) if is_disconnect(e))
    }
}

/// The printer driver over one open transport.
pub struct PrinterDriver<T: Transport> {
    port: T,
    reply_timeout: Duration,
    /// Bits per second on the line, to allow a status reply queued behind a job the time the job's bytes
    /// take to go out.
    line_rate: u32,
}

impl<T: Transport> PrinterDriver<T> {
    pub fn new(port: T) -> Self {
        Self { port, reply_timeout: Duration::from_millis(1_000), line_rate: 9_600 }
    }

    /// How long to wait for each status reply byte.
    pub fn with_reply_timeout(mut self, timeout: Duration) -> Self {
        self.reply_timeout = timeout;
        self
    }

    /// The line's baud rate (default 9600).
    pub fn with_line_rate(mut self, baud: u32) -> Self {
        self.line_rate = baud.max(300);
        self
    }

    pub fn into_transport(self) -> T {
        self.port
    }

    /// Asks `DLE EOT 1..4` one after the other, draining stale input first and skipping any byte that is
    /// not a status reply.
    pub fn read_sensors(&mut self) -> Result<PrinterSensors, StatusError> {
        self.read_sensors_after(Duration::ZERO)
    }

    /// Like [`PrinterDriver::read_sensors`], waiting `queued` longer for the first reply (the time bytes
    /// already written take to leave the line).
    fn read_sensors_after(&mut self, queued: Duration) -> Result<PrinterSensors, StatusError> {
        self.port.discard_input()?;
        let mut replies = [0u8; 4];
        let mut extra = queued;
        for (slot, request) in replies.iter_mut().zip(StatusRequest::ALL) {
            self.port.write_all_bytes(&rt_status::request(request))?;
            *slot = self.read_reply(request as u8, std::mem::take(&mut extra))?;
        }
        PrinterSensors::decode(replies).map_err(|_| StatusError::NoReply(0))
    }

    fn read_reply(&mut self, n: u8, extra: Duration) -> Result<u8, StatusError> {
        let deadline = Instant::now() + self.reply_timeout + extra;
        let mut byte = [0u8; 1];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(StatusError::NoReply(n));
            }
            if self.port.read_some(&mut byte, left)? == 1 {
                if rt_status::is_status_byte(byte[0]) {
                    return Ok(byte[0]);
                }
                tracing::debug!(byte = byte[0], "ignored a byte that is not a status reply");
            }
        }
    }

    /// Prints a job atomically from the caller's view. `Ok` only when the printer was ready before and
    /// still is after the whole job went out.
    pub fn print(&mut self, job: &PrintJob) -> Result<(), PrintError> {
        let before = self.read_sensors().map_err(status_failure)?;
        if let Some(reason) = FailReason::from_sensors(&before) {
            return Err(PrintError::NotReady(reason));
        }
        self.port.write_all_bytes(&job.bytes).map_err(|e| PrintError::Line(e.to_string()))?;
        // 10 bits per byte (8N1), and the printer's own time to print is covered by the reply timeout.
        let on_the_line = Duration::from_secs_f64(job.bytes.len() as f64 * 10.0 / f64::from(self.line_rate));
        let after = self.read_sensors_after(on_the_line).map_err(|e| match e {
            StatusError::NoReply(_) => PrintError::Interrupted(FailReason::NoReply),
            StatusError::Line(e) => PrintError::Line(e.to_string()),
        })?;
        match FailReason::from_sensors(&after) {
            None => Ok(()),
            Some(reason) => Err(PrintError::Interrupted(reason)),
        }
    }
}

fn status_failure(e: StatusError) -> PrintError {
    match e {
        StatusError::NoReply(_) => PrintError::NotReady(FailReason::NoReply),
        StatusError::Line(e) if is_disconnect(&e) => PrintError::NotReady(FailReason::NoDevice),
        StatusError::Line(e) => PrintError::Line(e.to_string()),
    }
}
