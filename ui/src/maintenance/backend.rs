//! What the maintenance screens ask of the kiosk, as a trait: the real kiosk answers from its runtime, drivers
//! and files (`src/maintenance/desk.rs`), the UI tests from a fake or from a real outbox in a temporary
//! directory. The reports carry data only (ids of the shared device vocabulary, numbers, instants); the
//! screens own the words. Nothing here ever holds a secret: no payload, token, PIN hash or key.

use chrono::{DateTime, Utc};
use servicaja_host::policy::CommandKind;
use servicaja_maintenance::{CertStatus, JournalEntry, PaperEstimate};
use servicaja_session::SwitchOffReason;

/// One device as the technician sees it (XFS4IoT vocabulary, as the drivers report it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceReport {
    /// `printer`, `card-reader` or `document-reader`.
    pub device: &'static str,
    /// `online`, `offline`, `hardwareError`, `userError`, `busy`, `noDevice`.
    pub state: String,
    /// The printer's paper: `full`, `low`, `out`, `jammed`, `unknown`; `None` for readers.
    pub paper: Option<String>,
    /// `clear` (staff can fix it) or `maintenance` (needs a technician); `None` when nothing is needed.
    pub action: Option<String>,
    /// The driver's short reason for the current state.
    pub detail: String,
    /// The last problems seen, newest first.
    pub errors: Vec<DeviceError>,
}

impl DeviceReport {
    /// A device in `state` with nothing else to say: no paper sensor, no action needed, no history.
    pub fn plain(device: &'static str, state: &str) -> DeviceReport {
        DeviceReport {
            device,
            state: state.into(),
            paper: None,
            action: None,
            detail: String::new(),
            errors: Vec::new(),
        }
    }
}

/// A problem a device reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceError {
    pub at: DateTime<Utc>,
    pub state: String,
    pub action: Option<String>,
    pub detail: String,
}

/// The paper of the roll in the printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperReport {
    pub estimate: PaperEstimate,
    pub roll_length_mm: u32,
    pub roll_replaced_at: Option<DateTime<Utc>>,
}

/// The outbox: counts by state and the commands a technician must look at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueReport {
    /// Every state with its count (`pending`, `in_flight`, `done`, `rejected`, `expired`, `cancelled`).
    pub counts: Vec<(String, u64)>,
    pub oldest_pending: Option<DateTime<Utc>>,
    /// Expired and rejected commands, oldest first.
    pub problems: Vec<QueueProblem>,
}

/// An expired or rejected command, without its payload or token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueProblem {
    pub id: i64,
    /// The command's kind; `None` for a row whose kind cannot be read (the code is then in `code`).
    pub kind: Option<CommandKind>,
    pub state: ProblemState,
    pub created_at: DateTime<Utc>,
    /// Why an expired command's last attempt failed, as the host client classified it.
    pub failure: Option<SendFailure>,
    /// The technical code shown beside the words, for support: the central's status and problem code
    /// (`HTTP 422 · duplicate_request`), the last failure's (`network`, `HTTP 503 · busy`), the damaged column.
    pub code: String,
}

/// Why a command is listed for a technician.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemState {
    /// Too old to send without a confirmation: reconcile with the central.
    Expired,
    /// The central refused it: attend the customer at the counter, then close it with a reason.
    Rejected,
    /// Refused while the customer waited and read the refusal on the kiosk: nothing to do.
    Declined,
    /// A row the store cannot read back.
    Unreadable,
}

/// What went wrong the last time a command was sent (a transient failure: it was to be sent again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendFailure {
    /// The central could not be reached.
    Network,
    Timeout,
    /// The secure connection failed (certificates, a configuration a technician can fix).
    Tls,
    /// A transient answer (5xx, 408, 429).
    Status(u16),
    /// An answer that could not be read.
    Decode,
    Config,
    /// A failure this kiosk does not classify.
    Other,
}

/// Why a command could not be sent again or cancelled, as the outbox said it: the queue page words the
/// reason in its language, and keeps the outbox's own text as the technical detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandRefusal {
    /// The command is no longer in the outbox.
    NotFound,
    /// Its state does not allow it any more (sent, answered or closed meanwhile).
    WrongState,
    /// A reversal gives a customer's money back: it is never withdrawn.
    Reversal,
    /// The outbox is not running or cannot write.
    OutboxDown,
    /// A failure this kiosk does not classify.
    Other,
}

/// A refused queue action: the reason, and the outbox's own text for support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    pub refusal: CommandRefusal,
    pub detail: String,
}

impl CommandError {
    /// A failure with nothing to classify it by.
    pub fn other(detail: impl Into<String>) -> Self {
        Self { refusal: CommandRefusal::Other, detail: detail.into() }
    }
}

/// The central API and the TLS certificates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostReport {
    pub base_url: String,
    /// `None` until the first probe answered or failed.
    pub reachable: Option<bool>,
    pub round_trip_ms: Option<u64>,
    pub checked_at: Option<DateTime<Utc>>,
    /// The certificate the central showed in the last probe's TLS handshake.
    pub server_cert: Option<CertReport>,
    /// The pinned CA the server's certificate must chain to.
    pub ca_cert: Option<CertReport>,
    pub kiosk_cert: Option<CertReport>,
}

/// A certificate's expiry, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertReport {
    Read { not_after: DateTime<Utc>, status: CertStatus },
    Unreadable(String),
}

/// The kiosk itself.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KioskReport {
    pub version: String,
    pub started_at: Option<DateTime<Utc>>,
    /// Configuration keys and values, secrets hidden (`@hidden`).
    pub settings: Vec<(String, String)>,
}

/// What the maintenance screens ask. Called on the UI thread: implementations answer quickly and do slow
/// work (printing, network probes) in the background, reporting through the polled methods.
pub trait MaintenanceBackend {
    fn devices(&mut self) -> Vec<DeviceReport>;
    /// Called every second whatever page is open (or none), so that the devices' problems since boot are
    /// remembered; backends without live devices have nothing to watch.
    fn watch_devices(&mut self, _now: DateTime<Utc>) {}
    /// Starts printing the maintenance test page for `technician`; its outcome comes from
    /// [`MaintenanceBackend::test_page_outcome`].
    fn print_test_page(&mut self, technician: &str, now: DateTime<Utc>) -> Result<(), String>;
    /// The outcome of the last test page, once: `Ok` printed, `Err` why not.
    fn test_page_outcome(&mut self) -> Option<Result<(), String>>;
    fn paper(&mut self) -> PaperReport;
    fn roll_replaced(&mut self, now: DateTime<Utc>) -> Result<(), String>;
    fn queue(&mut self) -> Result<QueueReport, String>;
    /// Sends an expired or pending command again now, with the same idempotency key.
    fn retry(&mut self, id: i64) -> Result<(), CommandError>;
    fn cancel(&mut self, id: i64, reason: &str) -> Result<(), CommandError>;
    /// The last known state of the central; `probe` asks again in the background.
    fn host(&mut self, now: DateTime<Utc>, probe: bool) -> HostReport;
    fn kiosk(&mut self) -> KioskReport;
    /// Keeps the out-of-service switch (`None`: in service) set by `user`, so that it holds after a restart.
    fn service_switched(
        &mut self,
        out_of_service: Option<&SwitchOffReason>,
        user: &str,
        now: DateTime<Utc>,
    ) -> Result<(), String>;
    /// Exports logs and journal; answers where they went.
    fn export(&mut self, now: DateTime<Utc>) -> Result<String, String>;
    /// Writes maintenance entries (entry, exit, every action, with the user id) to the electronic journal.
    fn journal(&mut self, entries: Vec<JournalEntry>);
}
