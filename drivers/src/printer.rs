//! The receipt printer driver over any [`Transport`]: real-time status with stale input drained first,
//! and atomic print jobs — status checked before, the job sent in one piece followed by a process-ID
//! request (`GS ( H` fn 48, see [`crate::completion`]), and the job counted as printed only when the
//! printer answers that request, which it does once the last line is on paper. A job that runs into paper
//! end or an open cover is reported failed with the reason, and a completed job reports the paper it
//! used (for the estimate of paper left).

use std::time::{Duration, Instant};

use crate::completion::{ProcessId, Reply, ReplyDecoder, process_id_request};
use crate::paper_usage::{PaperGeometry, PaperUsage, measure};
use crate::rt_status::{self, PrinterByte, PrinterSensors, StatusRequest};
use crate::status::{DeviceState, PaperState};
use crate::transport::{Transport, is_disconnect};
use servicaja_escpos::EscPosDocument;

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

/// A job the printer finished: its process ID and the paper it used (`rows × line height`, the
/// graphics, and the feed to the cutter at each cut — see [`crate::paper_usage`]). The maintenance
/// layer adds `paper.length_um` up to estimate the paper left on the roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrintedJob {
    pub process_id: ProcessId,
    pub paper: PaperUsage,
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
    /// Bits per second on the line, to allow a reply queued behind a job the time the job's bytes take
    /// to go out.
    line_rate: u32,
    /// Time allowed to print one default row; the completion timeout is proportional to it.
    line_time: Duration,
    /// How often the driver asks `DLE EOT 1` while waiting for a job to complete.
    poll_every: Duration,
    geometry: PaperGeometry,
    jobs_sent: u32,
}

impl<T: Transport> PrinterDriver<T> {
    pub fn new(port: T) -> Self {
        Self {
            port,
            reply_timeout: Duration::from_millis(1_000),
            line_rate: 9_600,
            line_time: DEFAULT_LINE_TIME,
            poll_every: Duration::from_millis(200),
            geometry: PaperGeometry::default(),
            jobs_sent: 0,
        }
    }

    /// Time allowed per printed row (default 50 ms: a quarter of an 80 mm Epson's speed, so that a slow
    /// or cold printer is not failed early). The completion timeout is the job's rows times this, plus
    /// the time its bytes take on the line, plus the reply timeout.
    pub fn with_line_time(mut self, line_time: Duration) -> Self {
        self.line_time = line_time;
        self
    }

    /// How often to ask `DLE EOT 1` while a job prints, to fail it early when the printer stops.
    pub fn with_poll_every(mut self, every: Duration) -> Self {
        self.poll_every = every.max(Duration::from_millis(10));
        self
    }

    /// The printer's vertical geometry, for the paper each job uses.
    pub fn with_geometry(mut self, geometry: PaperGeometry) -> Self {
        self.geometry = geometry;
        self
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
        // Through the reply decoder: the digits of a late process-ID response ('2' = 0x32, '6' = 0x36)
        // have the status shape and must not be taken for a status reply.
        let mut decoder = ReplyDecoder::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(StatusError::NoReply(n));
            }
            if self.port.read_some(&mut byte, left)? == 1 {
                match decoder.push(&byte).first() {
                    Some(Reply::Status(status)) => return Ok(*status),
                    Some(Reply::ProcessId(id)) => {
                        tracing::debug!(id = ?id.bytes(), "ignored the process ID of an earlier job")
                    }
                    None => tracing::debug!(byte = byte[0], "ignored a byte that is not a status reply"),
                }
            }
        }
    }

    /// Prints a job atomically from the caller's view. `Ok` only when the printer was ready before and
    /// answered the process-ID request sent after the job, i.e. printed every line; the caller then has
    /// the paper the job used. On `Err` nothing may be assumed printed: keep the document.
    pub fn print(&mut self, job: &PrintJob) -> Result<PrintedJob, PrintError> {
        let before = self.read_sensors().map_err(status_failure)?;
        if let Some(reason) = FailReason::from_sensors(&before) {
            return Err(PrintError::NotReady(reason));
        }
        let process_id = ProcessId::from_sequence(self.jobs_sent);
        self.jobs_sent = self.jobs_sent.wrapping_add(1);
        let mut bytes = Vec::with_capacity(job.bytes.len() + 11);
        bytes.extend_from_slice(&job.bytes);
        bytes.extend_from_slice(&process_id_request(process_id));
        self.port.write_all_bytes(&bytes).map_err(|e| PrintError::Line(e.to_string()))?;
        let paper = measure(&job.bytes, &self.geometry);
        let deadline = Instant::now() + self.completion_timeout(bytes.len(), &paper);
        match self.wait_for(process_id, deadline) {
            Ok(true) => Ok(PrintedJob { process_id, paper }),
            Ok(false) => {
                // Stopped or out of time: the sensors say why (DLE EOT works while printing is stopped).
                let after = self.read_sensors().map_err(|e| match e {
                    StatusError::NoReply(_) => PrintError::Interrupted(FailReason::NoReply),
                    StatusError::Line(e) => PrintError::Line(e.to_string()),
                })?;
                Err(PrintError::Interrupted(FailReason::from_sensors(&after).unwrap_or(FailReason::NoReply)))
            }
            Err(e) => Err(PrintError::Line(e.to_string())),
        }
    }

    /// The longest a job may take: its bytes on the line (10 bits per byte, 8N1), its rows at
    /// [`PrinterDriver::with_line_time`], and the reply timeout.
    pub fn completion_timeout(&self, bytes: usize, paper: &PaperUsage) -> Duration {
        let on_the_line = Duration::from_secs_f64(bytes as f64 * 10.0 / f64::from(self.line_rate));
        let rows = u32::try_from(paper.row_equivalents(&self.geometry)).unwrap_or(u32::MAX);
        on_the_line + self.line_time.saturating_mul(rows) + self.reply_timeout
    }

    /// Waits for the process-ID response `id` until `deadline`, asking `DLE EOT 1` every poll period.
    /// `Ok(true)` when it came; `Ok(false)` when the printer went offline (paper end, cover open, error:
    /// it will not print the rest) or the deadline passed.
    fn wait_for(&mut self, id: ProcessId, deadline: Instant) -> std::io::Result<bool> {
        let mut decoder = ReplyDecoder::new();
        let mut buf = [0u8; 64];
        let mut next_poll = Instant::now() + self.poll_every;
        let mut asked = false;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(false);
            }
            if now >= next_poll {
                self.port.write_all_bytes(&rt_status::request(StatusRequest::Printer))?;
                asked = true;
                next_poll = now + self.poll_every;
            }
            let wait = deadline.min(next_poll).saturating_duration_since(now);
            let n = self.port.read_some(&mut buf, wait.max(Duration::from_millis(1)))?;
            for reply in decoder.push(&buf[..n]) {
                match reply {
                    Reply::ProcessId(got) if got == id => {
                        if asked {
                            // Let the poll's reply arrive now, so that it is not taken for the answer
                            // to the next status request.
                            self.settle_poll(&mut decoder)?;
                        }
                        return Ok(true);
                    }
                    Reply::ProcessId(other) => {
                        tracing::debug!(id = ?other.bytes(), "ignored the process ID of an earlier job")
                    }
                    Reply::Status(byte) if asked => {
                        asked = false;
                        if PrinterByte::decode(byte).is_ok_and(|b| b.offline) {
                            return Ok(false);
                        }
                    }
                    Reply::Status(_) => {}
                }
            }
        }
    }
}

impl<T: Transport> PrinterDriver<T> {
    fn settle_poll(&mut self, decoder: &mut ReplyDecoder) -> std::io::Result<()> {
        let deadline = Instant::now() + self.reply_timeout;
        let mut buf = [0u8; 16];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            let n = self.port.read_some(&mut buf, left)?;
            if decoder.push(&buf[..n]).iter().any(|r| matches!(r, Reply::Status(_))) {
                return Ok(());
            }
        }
    }
}

/// See [`PrinterDriver::with_line_time`].
pub const DEFAULT_LINE_TIME: Duration = Duration::from_millis(50);

fn status_failure(e: StatusError) -> PrintError {
    match e {
        StatusError::NoReply(_) => PrintError::NotReady(FailReason::NoReply),
        StatusError::Line(e) if is_disconnect(&e) => PrintError::NotReady(FailReason::NoDevice),
        StatusError::Line(e) => PrintError::Line(e.to_string()),
    }
}
