//! Operating a fleet: the status report a kiosk sends to the central (at start, every N seconds and at once
//! when a technician must act), the commands the central's reply may carry, and the kiosk's
//! acknowledgements (`POST` [`super::paths::FLEET_REPORTS`], answered by a [`ReportReply`]). After NDC terminal commands and ISO 20022 ATM management (caam.001 device report,
//! caam.002 device control, caam.011 exception advice). Nothing here identifies a customer.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One report. The kiosk sends it over its mutual-TLS client, outside the outbox (a report is never queued
/// behind a payment and never fills the queue: one that cannot be sent is replaced by the next).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    /// A fresh id per report (also its idempotency key).
    pub report_id: String,
    pub kiosk_id: String,
    pub agency: String,
    /// The kiosk software's version.
    pub version: String,
    pub sent_at: DateTime<Utc>,
    /// Why this report was sent now.
    pub trigger: ReportTrigger,
    pub devices: Vec<DeviceReportItem>,
    pub paper: PaperReportItem,
    pub outbox: OutboxReport,
    pub certificates: Vec<CertificateReport>,
    pub service: ServiceReport,
    /// Customer sessions and operations since the previous report that was delivered.
    pub activity: Activity,
    /// The journal's head when the report was built: anchors the journal outside the kiosk.
    pub journal_head: JournalHeadReport,
    /// Commands carried out or refused since the previous delivered report.
    pub acks: Vec<CommandAck>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportTrigger {
    Start,
    Periodic,
    /// Something changed that a technician must act on (a device, paper, service state).
    Change,
    /// A command was carried out or refused and its acknowledgement should not wait.
    Acknowledgement,
}

/// One device in the XFS4IoT vocabulary (ids as the drivers report them: `printer`, `card-reader`,
/// `document-reader`; states `online`, `offline`, `busy`, `hardwareError`, `userError`, `noDevice`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceReportItem {
    pub device: String,
    pub state: String,
    /// `clear` (staff can fix it) or `maintenance` (a technician); `None` when nothing is needed.
    pub action: Option<String>,
    /// The last error seen, if any.
    pub last_error: Option<DeviceErrorItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceErrorItem {
    pub at: DateTime<Utc>,
    pub state: String,
    pub action: Option<String>,
    pub detail: String,
}

/// The receipt roll as the paper counter estimates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperReportItem {
    /// `full`, `low`, `out`, `jammed`, `unknown` (the printer's sensor).
    pub state: PaperSensor,
    pub left_percent: u8,
    pub left_mm: u64,
    /// Receipts printed since the roll was changed.
    pub receipts_since_change: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperSensor {
    Full,
    Low,
    Out,
    Jammed,
    Unknown,
}

/// The outbox: how many commands in each state, and how old the oldest pending one is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxReport {
    /// (state, count), states as the outbox names them (`pending`, `in_flight`, `done`, `rejected`,
    /// `expired`, `cancelled`, `standby`); states with no command may be left out.
    pub counts: Vec<StateCount>,
    pub oldest_pending_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCount {
    pub state: String,
    pub count: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateRole {
    /// The caja's CA the kiosk trusts.
    Ca,
    /// The kiosk's own client certificate.
    Kiosk,
    /// The central's server certificate, as last seen on a connection.
    Server,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateReport {
    pub role: CertificateRole,
    /// Days until it expires (negative: expired); `None` when it could not be read.
    pub days_left: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceReport {
    pub in_service: bool,
    /// Why the kiosk is out of service (`maintenance`, `printer_fault`, `connection_fault`, `other`,
    /// `no_devices`, `central_unreachable`, `remote`), `None` in service.
    pub reason: Option<String>,
    /// The text customers see, when a person typed it.
    pub note: Option<String>,
    /// Since when it is in its present state.
    pub since: DateTime<Utc>,
}

/// Counts of customer activity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub sessions: u64,
    pub operations: Vec<OperationCount>,
}

/// Operations of one kind with one outcome: kinds `payment`, `affiliation`, `disaffiliation`,
/// `no_debt_certificate`, `request`, `enrollment`, `balance_inquiry`; outcomes `done`, `refused`,
/// `failed`, `reversed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationCount {
    pub kind: String,
    pub outcome: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalHeadReport {
    /// The last record's sequence number (0: empty journal).
    pub seq: i64,
    /// The last record's hash (hex).
    pub hash: String,
}

/// The central's answer to a report: commands for the kiosk, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportReply {
    pub commands: Vec<FleetCommand>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetCommand {
    pub command_id: String,
    /// Who queued it at the central (a user id of the caja's operations staff).
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
    pub action: CommandAction,
}

/// What a command asks. An action this kiosk does not know arrives as [`CommandAction::Unknown`] and is
/// refused in the acknowledgement, never a crash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandAction {
    /// Go out of service; `reason` is what customers see.
    GoOutOfService {
        reason: String,
    },
    GoInService,
    /// Upload the journal's records `from_seq..=to_seq`.
    UploadJournal {
        from_seq: i64,
        to_seq: i64,
    },
    /// Send the logs of one (Lima) day.
    SendLogs {
        day: NaiveDate,
    },
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandAck {
    pub command_id: String,
    pub outcome: CommandOutcome,
    pub at: DateTime<Utc>,
    /// Why it was refused or failed; empty when done.
    pub detail: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandOutcome {
    Done,
    Refused,
    Failed,
}

/// `POST` [`super::paths::FLEET_KIOSK_COMMANDS`]: the caja's operations staff queue a command for one kiosk;
/// it is delivered in the reply to the kiosk's next report, and again until the kiosk acknowledges it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueCommandRequest {
    pub issued_by: String,
    pub action: CommandAction,
}

/// One kiosk as the central knows it from its reports (`GET` [`super::paths::FLEET_KIOSKS`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetKiosk {
    pub kiosk_id: String,
    pub agency: String,
    pub version: String,
    pub last_report_at: DateTime<Utc>,
    pub last_trigger: ReportTrigger,
    pub reports: u64,
    pub in_service: bool,
    pub service_reason: Option<String>,
    /// The highest journal head the kiosk ever reported.
    pub journal_head: JournalHeadReport,
    /// Set when a reported journal head went backwards or changed its hash under the same sequence: the
    /// kiosk's journal was cut short or rewritten after the central saw it. Stays set.
    pub head_alert: Option<HeadAlert>,
    /// Commands queued and not yet acknowledged.
    pub open_commands: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadAlert {
    pub at: DateTime<Utc>,
    /// The report that showed it.
    pub report_id: String,
    pub detail: String,
}

/// One kiosk in full (`GET` [`super::paths::FLEET_KIOSK`]): its summary, last report and commands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FleetKioskDetail {
    pub kiosk: FleetKiosk,
    pub last_report: StatusReport,
    /// Newest first.
    pub commands: Vec<CommandRecord>,
    /// Journal records the kiosk uploaded (upload_journal commands).
    pub journal_records: u64,
    /// The days whose logs the kiosk sent.
    pub log_days: Vec<NaiveDate>,
}

/// A queued command and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandRecord {
    pub command: FleetCommand,
    /// When a reply first carried it to the kiosk.
    pub delivered_at: Option<DateTime<Utc>>,
    pub ack: Option<CommandAck>,
}

/// One stored report of a kiosk's history (`GET` [`super::paths::FLEET_KIOSK_REPORTS`], newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredReport {
    pub received_at: DateTime<Utc>,
    /// What this report's journal head contradicted, if anything.
    pub head_alert: Option<String>,
    pub report: StatusReport,
}

/// `POST` [`super::paths::FLEET_JOURNAL_UPLOADS`]: journal records sent for an `upload_journal` command (in
/// chunks; the last chunk says `last`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalUpload {
    pub kiosk_id: String,
    pub command_id: String,
    pub records: Vec<UploadedJournalRecord>,
    pub last: bool,
}

/// A journal record as the kiosk stores it: its chain fields and its event (JSON, masked data only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadedJournalRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub prev_hash: String,
    pub hash: String,
    pub event: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalUploadReceipt {
    /// Records of this kiosk the central now holds.
    pub stored: u64,
    /// Each record's `prev_hash` is the stored hash of the record before it (where the central has it).
    pub chain_intact: bool,
}

/// `POST` [`super::paths::FLEET_LOGS`]: one day's log file for a `send_logs` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogUpload {
    pub kiosk_id: String,
    pub command_id: String,
    pub day: NaiveDate,
    /// The file's name on the kiosk (`servicaja.log.2026-12-06`).
    pub file_name: String,
    pub content: String,
    /// Only the file's last [`LOG_UPLOAD_MAX_BYTES`] were sent.
    pub truncated: bool,
}

/// The most of a day's log a kiosk sends (its tail).
pub const LOG_UPLOAD_MAX_BYTES: usize = 1024 * 1024;

/// Most records in one [`JournalUpload`] chunk.
pub const JOURNAL_UPLOAD_CHUNK: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogUploadReceipt {
    pub bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_this_kiosk_does_not_know_reads_as_unknown() {
        let command: FleetCommand = serde_json::from_value(serde_json::json!({
            "command_id": "c-1", "issued_by": "ops-7", "issued_at": "2026-12-06T10:00:00Z",
            "action": {"type": "reboot_the_world", "when": "now"}
        }))
        .unwrap();
        assert_eq!(command.action, CommandAction::Unknown);
        let known: CommandAction =
            serde_json::from_value(serde_json::json!({"type": "go_out_of_service", "reason": "Mantenimiento"}))
                .unwrap();
        assert_eq!(known, CommandAction::GoOutOfService { reason: "Mantenimiento".into() });
    }
}
