//! The electronic journal: an append-only SQLite table where every record is hash-chained to the one
//! before it (SHA-256 over a canonical, length-prefixed encoding), so that any change, removal or
//! insertion is found by `verify`. It holds no secret: card numbers only as `MaskedCard`, free text only
//! as `SafeText`, which refuses anything that looks like a full card number.
//!
//! The chain alone cannot tell a journal whose last records were deleted, or one rewritten from some
//! record on with the chain recomputed, from an honest one; nor a deleted database from a new kiosk. So the
//! journal keeps its head (last sequence number, hash and record count) outside the database too, in a
//! sealed file beside it (`journal.head` for `journal.sqlite`, sealed by `crate::seal` with the
//! directory's `seal.key`), rewritten after every committed append. The kiosk's `Journal::open` refuses a
//! journal that contradicts its head (database missing or empty, records missing at the end, the head's
//! record changed) or fails `PRAGMA quick_check`; `Journal::verify` reports the same, and a damaged page
//! as the first record that cannot be read. `PRAGMA user_version` = 1 marks a journal whose head is
//! sealed, so a deleted head file is noticed too. `Journal::reseal` is the technician's way back after a
//! restore.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use servicaja_core::identity::card::{CardNumber, MASKED_PREFIX, luhn_valid, masked_from_last_four};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::seal::{SealError, Sealer};

/// The file name of the journal inside the kiosk's data directory.
pub const JOURNAL_FILE: &str = "journal.sqlite";

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const ENCODING_TAG: &[u8] = b"servicaja-journal-v1";

/// `PRAGMA user_version` of a journal whose head is kept in a sealed file.
const SEALED_VERSION: i64 = 1;

/// How a technician is told to go on when the kiosk refuses its journal.
const RECOVERY: &str = "restore it from a backup or the export, or after checking it run `servicaja journal reseal`; \
                        the kiosk will not start";

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("refused: {0} looks like a full card number; only masked numbers may be journaled")]
    LooksLikeCardNumber(&'static str),
    #[error("not a masked card number: {0:?} (expected the last four digits)")]
    BadMaskedCard(String),
    #[error("journal record {seq} cannot be read: {reason}")]
    Corrupt { seq: i64, reason: String },
    #[error("cannot write the export: {0}")]
    Export(#[from] std::io::Error),
    #[error("{0}")]
    Encode(String),
    #[error("journal record {0} is not a receipt: only receipts can be reprinted")]
    NotAReceipt(i64),
    #[error("there is no journal database at {0}")]
    NotFound(PathBuf),
    #[error("the journal database {path} cannot be opened: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error("the journal database {path} fails PRAGMA quick_check: {first}; {RECOVERY}")]
    CheckFailed { path: PathBuf, first: String },
    #[error(
        "the journal database {path} is missing or empty but its sealed head says {records} records up to seq \
         {seq}: {RECOVERY}"
    )]
    DatabaseLost { path: PathBuf, records: u64, seq: i64 },
    #[error(
        "the journal database {path} ends at record {last} but its sealed head says {records} records up to seq \
         {seq}: the last records were deleted; {RECOVERY}"
    )]
    Truncated { path: PathBuf, last: i64, records: u64, seq: i64 },
    #[error(
        "the journal database {path} does not hold the record its sealed head says (seq {seq}, hash {hash}): a \
         record up to {seq} was changed and the chain recomputed after it (`servicaja journal verify` tells \
         more); {RECOVERY}"
    )]
    Rewritten { path: PathBuf, seq: i64, hash: String },
    #[error(
        "the sealed head {head} of the journal {path} is missing, yet the journal says it has been sealed: \
         the head was deleted; {RECOVERY}"
    )]
    HeadMissing { path: PathBuf, head: PathBuf },
    #[error("{0}; {RECOVERY}")]
    HeadUnusable(SealError),
    #[error("the journal's seal: {0}")]
    Seal(#[from] SealError),
    #[error("record {seq} was journaled, but the sealed head could not be updated: {source}")]
    HeadNotUpdated { seq: i64, hash: String, source: SealError },
}

/// A card number the journal may hold: only its last four digits exist in this type. Shown as
/// `**** **** **** 1234`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MaskedCard {
    last4: String,
}

impl MaskedCard {
    /// Masks a card number read or typed (core checked its length and Luhn digit).
    pub fn from_card(card: &CardNumber) -> MaskedCard {
        MaskedCard { last4: card.last_four().to_owned() }
    }

    pub fn from_last4(last4: &str) -> Option<MaskedCard> {
        (last4.len() == 4 && last4.bytes().all(|b| b.is_ascii_digit())).then(|| MaskedCard { last4: last4.into() })
    }

    pub fn last4(&self) -> &str {
        &self.last4
    }
}

impl std::fmt::Display for MaskedCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&masked_from_last_four(&self.last4))
    }
}

impl From<MaskedCard> for String {
    fn from(card: MaskedCard) -> String {
        card.to_string()
    }
}

impl TryFrom<String> for MaskedCard {
    type Error = JournalError;
    fn try_from(text: String) -> Result<MaskedCard, JournalError> {
        text.strip_prefix(MASKED_PREFIX)
            .and_then(MaskedCard::from_last4)
            .ok_or(JournalError::BadMaskedCard(text.chars().filter(|c| !c.is_ascii_digit()).collect()))
    }
}

/// Free text for the journal (receipt text, messages, details), checked at construction: a run of 13 to
/// 19 digits (spaces and hyphens allowed between them) that passes the Luhn check is refused as a card
/// number that escaped masking.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SafeText(String);

impl SafeText {
    pub fn new(text: impl Into<String>) -> Result<SafeText, JournalError> {
        let text = text.into();
        if contains_card_number(&text) {
            return Err(JournalError::LooksLikeCardNumber("the text"));
        }
        Ok(SafeText(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<SafeText> for String {
    fn from(text: SafeText) -> String {
        text.0
    }
}

impl TryFrom<String> for SafeText {
    type Error = JournalError;
    fn try_from(text: String) -> Result<SafeText, JournalError> {
        SafeText::new(text)
    }
}

/// Whether the text holds something shaped like a card number that passes the Luhn check: 13–19
/// digits written together, or in groups of four separated by single spaces or hyphens (the last group
/// may be shorter). Other digit groups beside it (a RUC, a date) do not hide it, and do not make a card
/// number out of themselves.
pub fn contains_card_number(text: &str) -> bool {
    let mut groups: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut after_separator = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            current.push(c);
            after_separator = false;
        } else if (c == ' ' || c == '-') && !current.is_empty() && !after_separator {
            groups.push(std::mem::take(&mut current));
            after_separator = true;
        } else {
            if !current.is_empty() {
                groups.push(std::mem::take(&mut current));
            }
            if card_shaped(&groups) {
                return true;
            }
            groups.clear();
            after_separator = false;
        }
    }
    if !current.is_empty() {
        groups.push(current);
    }
    card_shaped(&groups)
}

fn card_shaped(groups: &[String]) -> bool {
    (0..groups.len()).any(|first| {
        let mut digits = String::new();
        for (offset, group) in groups[first..].iter().enumerate() {
            if offset > 0 && groups[first + offset - 1].len() != 4 {
                break;
            }
            digits.push_str(group);
            if digits.len() > 19 {
                break;
            }
            if digits.len() >= 13 && luhn_valid(&digits) {
                return true;
            }
        }
        false
    })
}

/// How an operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Refused,
    /// Cancelled for want of an answer; a reversal was queued, no charge stands.
    Reversed,
    /// Queued for later delivery.
    Queued,
    Failed,
}

/// What happened, as journaled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum JournalEvent {
    SessionStarted {
        session: String,
        card: Option<MaskedCard>,
    },
    SessionEnded {
        session: String,
        reason: SafeText,
    },
    Operation {
        session: Option<String>,
        /// The operation number shown on the receipt.
        operation: String,
        kind: String,
        card: Option<MaskedCard>,
        /// Formatted for es-PE (`S/ 1,234.56`).
        amount: Option<String>,
        outcome: Outcome,
        /// The central's code or the reason.
        detail: SafeText,
        /// The outbox idempotency key of the command.
        command_key: Option<Uuid>,
    },
    /// The full text of a receipt or constancia exactly as it was sent to the printer, kept for reprints.
    Receipt {
        session: Option<String>,
        operation: String,
        card: Option<MaskedCard>,
        title: SafeText,
        text: SafeText,
        /// False when the job failed (paper out, cover open mid-job): the customer left without it, and
        /// staff can reprint it from this record.
        #[serde(default = "printed_by_default")]
        printed: bool,
    },
    Reprint {
        operation: String,
        staff: String,
        original_seq: i64,
    },
    DeviceError {
        device: String,
        error: SafeText,
    },
    Maintenance {
        user: String,
        action: String,
        detail: SafeText,
    },
    QueueCommand {
        action: String,
        command_key: Uuid,
        by: String,
        reason: SafeText,
    },
    Alert {
        message: SafeText,
    },
    /// A command from the central's fleet operations (go out of / in service, upload the journal, send the
    /// logs): carried out, refused or failed, with its id and who issued it.
    FleetCommand {
        command_id: String,
        issued_by: String,
        action: String,
        outcome: String,
        detail: SafeText,
    },
}

/// Records written before `printed` existed were written only once the printer had finished.
fn printed_by_default() -> bool {
    true
}

impl JournalEvent {
    pub fn kind(&self) -> &'static str {
        match self {
            JournalEvent::SessionStarted { .. } => "session_started",
            JournalEvent::SessionEnded { .. } => "session_ended",
            JournalEvent::Operation { .. } => "operation",
            JournalEvent::Receipt { .. } => "receipt",
            JournalEvent::Reprint { .. } => "reprint",
            JournalEvent::DeviceError { .. } => "device_error",
            JournalEvent::Maintenance { .. } => "maintenance",
            JournalEvent::QueueCommand { .. } => "queue_command",
            JournalEvent::Alert { .. } => "alert",
            JournalEvent::FleetCommand { .. } => "fleet_command",
        }
    }

    fn session(&self) -> Option<&str> {
        match self {
            JournalEvent::SessionStarted { session, .. } | JournalEvent::SessionEnded { session, .. } => Some(session),
            JournalEvent::Operation { session, .. } | JournalEvent::Receipt { session, .. } => session.as_deref(),
            _ => None,
        }
    }

    fn operation(&self) -> Option<&str> {
        match self {
            JournalEvent::Operation { operation, .. }
            | JournalEvent::Receipt { operation, .. }
            | JournalEvent::Reprint { operation, .. } => Some(operation),
            _ => None,
        }
    }

    fn card_last4(&self) -> Option<&str> {
        match self {
            JournalEvent::SessionStarted { card, .. }
            | JournalEvent::Operation { card, .. }
            | JournalEvent::Receipt { card, .. } => card.as_ref().map(MaskedCard::last4),
            _ => None,
        }
    }
}

/// One journal record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub event: JournalEvent,
    pub prev_hash: String,
    /// SHA-256 (hex) of this record's canonical encoding, chained to `prev_hash`. The receipts derive
    /// their verification code from it.
    pub hash: String,
}

/// The result of an append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub seq: i64,
    pub hash: String,
    /// The journal is above its disk budget (an alert record was written the first time).
    pub over_budget: bool,
}

/// The first record that breaks the chain, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenRecord {
    pub seq: i64,
    pub reason: String,
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Records verified before the first broken one (all of them when none is).
    pub records: u64,
    pub last_hash: String,
    /// The first record that breaks the chain, cannot be read, or contradicts the sealed head (the first
    /// missing record when the chain ends before the head's record).
    pub first_broken: Option<BrokenRecord>,
    /// What the sealed head says, or why it cannot be used.
    pub head: HeadCheck,
    /// The first problems `PRAGMA integrity_check` reports; empty when the file is sound.
    pub damage: Vec<String>,
}

impl VerifyReport {
    /// Nothing broken, missing, damaged or unsealed.
    pub fn is_intact(&self) -> bool {
        self.first_broken.is_none() && self.damage.is_empty() && !matches!(self.head, HeadCheck::Unusable(_))
    }
}

/// The journal's head: its last record when it was sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JournalHead {
    /// The last record's sequence number; 0 for an empty journal.
    pub seq: i64,
    /// The last record's hash; `GENESIS_HASH` for an empty journal.
    pub hash: String,
    pub records: u64,
}

impl JournalHead {
    fn at(seq: i64, hash: String) -> JournalHead {
        JournalHead { seq, hash, records: u64::try_from(seq).unwrap_or(0) }
    }
}

/// The sealed head as `verify` found it. A chain that contradicts a readable head is reported in
/// `first_broken`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", content = "head", rename_all = "snake_case")]
pub enum HeadCheck {
    /// The sealed head, read and checked against the chain.
    Sealed(JournalHead),
    /// No head was ever sealed: a journal from before sealed heads that the kiosk has not opened yet.
    NotSealed,
    /// The head file is missing although the journal was sealed, unreadable, or fails its seal.
    Unusable(String),
}

/// What `reseal` replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resealed {
    /// What the old head said, or why it could not be used.
    pub previous: String,
    /// The new head (the alert record that tells of the reseal).
    pub head: JournalHead,
}

/// Search for receipts to reprint: every given criterion must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptQuery {
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
    pub operation: Option<String>,
    /// A SQL `LIKE` pattern on the operation number (ASCII case-insensitive), for a search as staff type it.
    pub operation_like: Option<String>,
    pub card_last4: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    kind TEXT NOT NULL,
    session TEXT,
    operation TEXT,
    card_last4 TEXT,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_by_time ON journal(at_ms);
CREATE INDEX IF NOT EXISTS journal_by_operation ON journal(operation);
CREATE INDEX IF NOT EXISTS journal_by_card ON journal(card_last4, at_ms);
CREATE INDEX IF NOT EXISTS journal_operation_by_command_key
    ON journal(CASE WHEN json_valid(body) THEN json_extract(body, '$.command_key') END) WHERE kind = 'operation';
CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
";

/// The columns as stored: what the hash covers.
struct RawRecord {
    seq: i64,
    at_ms: i64,
    kind: String,
    session: Option<String>,
    operation: Option<String>,
    card_last4: Option<String>,
    body: String,
    prev_hash: String,
    hash: String,
}

fn read_raw(row: &Row<'_>) -> rusqlite::Result<RawRecord> {
    Ok(RawRecord {
        seq: row.get(0)?,
        at_ms: row.get(1)?,
        kind: row.get(2)?,
        session: row.get(3)?,
        operation: row.get(4)?,
        card_last4: row.get(5)?,
        body: row.get(6)?,
        prev_hash: row.get(7)?,
        hash: row.get(8)?,
    })
}

const RAW_COLUMNS: &str = "seq, at_ms, kind, session, operation, card_last4, body, prev_hash, hash";

/// The columns a record's hash covers, in their canonical order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashedFields<'a> {
    pub seq: i64,
    pub at_ms: i64,
    pub kind: &'a str,
    pub session: Option<&'a str>,
    pub operation: Option<&'a str>,
    pub card_last4: Option<&'a str>,
    pub body: &'a str,
    pub prev_hash: &'a str,
}

impl HashedFields<'_> {
    /// SHA-256 over the canonical encoding: a version tag, then every column as a 4-byte big-endian
    /// length followed by its UTF-8 bytes (absent = length 0xFFFFFFFF), so that no two records encode
    /// alike.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(ENCODING_TAG);
        let seq = self.seq.to_string();
        let at = self.at_ms.to_string();
        let fields = [
            Some(seq.as_str()),
            Some(at.as_str()),
            Some(self.kind),
            self.session,
            self.operation,
            self.card_last4,
            Some(self.body),
            Some(self.prev_hash),
        ];
        for field in fields {
            match field {
                Some(text) => {
                    hasher.update(u32::try_from(text.len()).unwrap_or(u32::MAX - 1).to_be_bytes());
                    hasher.update(text.as_bytes());
                }
                None => hasher.update(u32::MAX.to_be_bytes()),
            }
        }
        hex::encode(hasher.finalize())
    }
}

impl RawRecord {
    fn expected_hash(&self) -> String {
        HashedFields {
            seq: self.seq,
            at_ms: self.at_ms,
            kind: &self.kind,
            session: self.session.as_deref(),
            operation: self.operation.as_deref(),
            card_last4: self.card_last4.as_deref(),
            body: &self.body,
            prev_hash: &self.prev_hash,
        }
        .hash()
    }

    fn decode(self) -> Result<JournalRecord, JournalError> {
        let event: JournalEvent = serde_json::from_str(&self.body)
            .map_err(|err| JournalError::Corrupt { seq: self.seq, reason: err.to_string() })?;
        Ok(JournalRecord {
            seq: self.seq,
            at: DateTime::from_timestamp_millis(self.at_ms).unwrap_or(DateTime::<Utc>::MIN_UTC),
            event,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// What a walk along the chain found.
struct Walk {
    records: u64,
    last_seq: i64,
    last_hash: String,
    first_broken: Option<BrokenRecord>,
    /// The hash of the record at the sealed head's seq, when the walk reached it.
    hash_at_head: Option<String>,
}

/// The journal database.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
    budget_bytes: u64,
    alerted: bool,
    head: HeadKeeper,
}

/// The sealed head file and whether appends keep it up to date (not when an audit opened a journal that
/// contradicts it: the contradiction is the evidence).
struct HeadKeeper {
    sealer: Sealer,
    name: String,
    active: bool,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("head", &self.head.sealer.path(&self.head.name))
            .field("budget_bytes", &self.budget_bytes)
            .finish()
    }
}

/// Who opens the journal: the kiosk refuses a journal that contradicts its head; an audit opens it to
/// report what is wrong, and creates nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Kiosk,
    Audit,
}

/// How the database stands against a readable sealed head.
enum Agreement {
    Same,
    /// Records were committed after the head was last written (a stop between the two).
    Ahead,
    Truncated {
        last: i64,
    },
    Rewritten,
}

/// The sealed head's location for the database at `db`: `<dir>/<stem>.head`.
pub fn head_path(db: &Path) -> PathBuf {
    let (dir, name) = head_location(db);
    dir.join(name)
}

fn head_location(db: &Path) -> (PathBuf, String) {
    let dir = match db.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let stem = db.file_stem().map_or_else(|| "journal".to_string(), |stem| stem.to_string_lossy().into_owned());
    (dir, format!("{stem}.head"))
}

/// The first lines of an integrity pragma; `["ok"]` when the file is sound.
fn integrity(conn: &Connection, pragma: &str) -> Vec<String> {
    let lines = conn
        .prepare(pragma)
        .and_then(|mut statement| statement.query_map([], |row| row.get::<_, String>(0))?.collect());
    match lines {
        Ok(lines) => lines,
        Err(err) => vec![err.to_string()],
    }
}

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
}

/// The kiosk's civil time: Peru, UTC−5 all year.
pub fn peru_offset() -> FixedOffset {
    #[allow(clippy::expect_used)]
    FixedOffset::west_opt(5 * 3600).expect("UTC-5 is a valid offset")
}

/// The instant a Peruvian civil date starts.
pub fn start_of_day(date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    peru_offset().from_local_datetime(&midnight).single().map_or(midnight.and_utc(), |at| at.with_timezone(&Utc))
}

impl Journal {
    /// Opens the kiosk's journal, creating it (and its sealed head) on a new kiosk; `disk_budget_mb` from
    /// `[journal]`. Refuses, saying what is wrong, a database that fails `PRAGMA quick_check`, one that is
    /// missing or empty while its sealed head says records existed, one whose last records are gone or whose
    /// head record differs from the sealed one, and a head that is missing (once sealed) or fails its seal.
    /// A journal from before sealed heads gets one, and an alert record saying so.
    pub fn open(path: &Path, disk_budget_mb: u32) -> Result<Journal, JournalError> {
        Journal::open_with(path, disk_budget_mb, Mode::Kiosk)
    }

    /// Opens an existing journal for audits and tools without creating anything or refusing what `open`
    /// refuses (`verify` reports it), except a database that is gone while its head says it held records.
    /// Appends keep the sealed head up to date only while the journal agrees with it.
    pub fn open_existing(path: &Path) -> Result<Journal, JournalError> {
        Journal::open_with(path, u32::MAX / (1024 * 1024), Mode::Audit)
    }

    fn open_with(path: &Path, disk_budget_mb: u32, mode: Mode) -> Result<Journal, JournalError> {
        let (dir, name) = head_location(path);
        let unreadable = |reason: String| JournalError::Unreadable { path: path.to_path_buf(), reason };
        let file_len = match std::fs::metadata(path) {
            Ok(metadata) => Some(metadata.len()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
            Err(err) => return Err(unreadable(err.to_string())),
        };
        if mode == Mode::Audit && file_len.is_none() && !head_path(path).exists() {
            return Err(JournalError::NotFound(path.to_path_buf()));
        }
        let sealer = Sealer::open(&dir)?;
        let sealed = match sealer.read::<JournalHead>(&name) {
            Ok(head) => Ok(head),
            Err(err) if mode == Mode::Kiosk => return Err(JournalError::HeadUnusable(err)),
            Err(err) => Err(err),
        };
        let lost = |head: &JournalHead| JournalError::DatabaseLost {
            path: path.to_path_buf(),
            records: head.records,
            seq: head.seq,
        };
        if let Ok(Some(head)) = &sealed
            && head.seq > 0
            && file_len.unwrap_or(0) == 0
        {
            return Err(lost(head));
        }
        if file_len.is_none() && mode == Mode::Audit {
            return Err(JournalError::NotFound(path.to_path_buf()));
        }
        let conn = crate::store::open_durable(path).map_err(|err| unreadable(err.to_string()))?;
        conn.pragma_update(None, "secure_delete", "ON").map_err(|err| unreadable(err.to_string()))?;
        if mode == Mode::Kiosk && file_len.unwrap_or(0) > 0 {
            let check = integrity(&conn, "PRAGMA quick_check(1)");
            if check != ["ok"] {
                let first = check.into_iter().next().unwrap_or_else(|| "no answer".into());
                return Err(JournalError::CheckFailed { path: path.to_path_buf(), first });
            }
        }
        let has_table: bool = conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal')",
                [],
                |r| r.get(0),
            )
            .map_err(|err| unreadable(err.to_string()))?;
        let empty = !has_table
            || !conn
                .query_row("SELECT EXISTS(SELECT 1 FROM journal)", [], |r| r.get::<_, bool>(0))
                .map_err(|err| unreadable(err.to_string()))?;
        if let Ok(Some(head)) = &sealed
            && head.seq > 0
            && empty
        {
            return Err(lost(head));
        }
        let sealed_before = user_version(&conn)? >= SEALED_VERSION;
        match conn.execute_batch(SCHEMA) {
            Ok(()) => {}
            Err(err) if mode == Mode::Audit => {
                tracing::warn!(path = %path.display(), %err, "journal schema not updated")
            }
            Err(err) => return Err(err.into()),
        }
        let mut journal = Journal {
            conn,
            path: path.to_path_buf(),
            budget_bytes: u64::from(disk_budget_mb) * 1024 * 1024,
            alerted: false,
            head: HeadKeeper { sealer, name, active: false },
        };
        match sealed {
            Ok(Some(head)) => match journal.compare(&head)? {
                Agreement::Same => journal.head.active = true,
                Agreement::Ahead => {
                    journal.head.active = true;
                    if mode == Mode::Kiosk {
                        journal.seal_last()?;
                    }
                }
                Agreement::Truncated { last } if mode == Mode::Kiosk => {
                    return Err(JournalError::Truncated {
                        path: path.to_path_buf(),
                        last,
                        records: head.records,
                        seq: head.seq,
                    });
                }
                Agreement::Rewritten if mode == Mode::Kiosk => {
                    return Err(JournalError::Rewritten { path: path.to_path_buf(), seq: head.seq, hash: head.hash });
                }
                Agreement::Truncated { .. } | Agreement::Rewritten => {}
            },
            Ok(None) if mode == Mode::Audit => {}
            Ok(None) if empty => {
                journal.head.active = true;
                journal.seal_last()?;
            }
            Ok(None) if sealed_before => {
                return Err(JournalError::HeadMissing {
                    path: path.to_path_buf(),
                    head: journal.head.sealer.path(&journal.head.name),
                });
            }
            Ok(None) => {
                let last = journal.last()?;
                tracing::warn!(path = %path.display(), records = last.records, "sealing the head of a journal kept without one");
                journal.head.active = true;
                let message = format!(
                    "Cabecera sellada creada para un diario que no la tenía: {} registros hasta el {} (hash {}).",
                    last.records, last.seq, last.hash
                );
                journal.append(Utc::now(), &JournalEvent::Alert { message: SafeText::new(message)? })?;
            }
            Err(_) => {}
        }
        if mode == Mode::Kiosk && journal.head.active && !sealed_before {
            journal.mark_sealed()?;
        }
        Ok(journal)
    }

    /// A technician's way back when the kiosk refuses its journal (database restored from a backup, lost,
    /// or contradicting its head): opens the journal at `path` (creating an empty one if it is gone), journals
    /// an alert saying who replaced which head, and seals the head anew at that alert. Check the journal
    /// with `verify` and keep its export before this: what the old head protected is no longer checked.
    pub fn reseal(path: &Path, at: DateTime<Utc>, by: &str) -> Result<Resealed, JournalError> {
        let (dir, name) = head_location(path);
        let sealer = Sealer::open(&dir)?;
        let previous = match sealer.read::<JournalHead>(&name) {
            Ok(Some(head)) => {
                format!(
                    "la cabecera anterior decía {} registros hasta el {} (hash {})",
                    head.records, head.seq, head.hash
                )
            }
            Ok(None) => "no había cabecera sellada".to_string(),
            Err(err) => format!("la cabecera anterior no se podía usar ({err})"),
        };
        let conn = crate::store::open_durable(path)
            .map_err(|err| JournalError::Unreadable { path: path.to_path_buf(), reason: err.to_string() })?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.execute_batch(SCHEMA)?;
        let mut journal = Journal {
            conn,
            path: path.to_path_buf(),
            budget_bytes: u64::MAX,
            alerted: false,
            head: HeadKeeper { sealer, name, active: true },
        };
        journal.mark_sealed()?;
        let records = journal.len()?;
        let message =
            format!("Cabecera sellada del diario reemplazada por {by}: {previous}; la base tiene {records} registros.");
        let appended = journal.append(at, &JournalEvent::Alert { message: SafeText::new(message)? })?;
        Ok(Resealed { previous, head: JournalHead::at(appended.seq, appended.hash) })
    }

    /// The last committed record, as a head (what a status report would anchor at the central).
    pub fn last(&self) -> Result<JournalHead, JournalError> {
        let last: Option<(i64, String)> = self
            .conn
            .query_row("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (seq, hash) = last.unwrap_or_else(|| (0, GENESIS_HASH.to_string()));
        Ok(JournalHead::at(seq, hash))
    }

    /// What the sealed head file says (`None` when there is none).
    pub fn sealed_head(&self) -> Result<Option<JournalHead>, JournalError> {
        Ok(self.head.sealer.read(&self.head.name)?)
    }

    /// Where the sealed head file is.
    pub fn head_path(&self) -> PathBuf {
        self.head.sealer.path(&self.head.name)
    }

    fn compare(&self, head: &JournalHead) -> Result<Agreement, JournalError> {
        let last = self.last()?;
        if last.seq < head.seq {
            return Ok(Agreement::Truncated { last: last.seq });
        }
        let hash = if head.seq == 0 { Some(GENESIS_HASH.to_string()) } else { self.hash_of(head.seq)? };
        Ok(match hash {
            Some(hash) if hash == head.hash && last.seq == head.seq => Agreement::Same,
            Some(hash) if hash == head.hash => Agreement::Ahead,
            _ => Agreement::Rewritten,
        })
    }

    fn mark_sealed(&self) -> Result<(), JournalError> {
        self.conn.pragma_update(None, "user_version", SEALED_VERSION)?;
        Ok(())
    }

    /// Seals the head at the last committed record.
    fn seal_last(&self) -> Result<(), JournalError> {
        let last = self.last()?;
        self.seal(last.seq, &last.hash)
    }

    fn seal(&self, seq: i64, hash: &str) -> Result<(), JournalError> {
        if !self.head.active {
            return Ok(());
        }
        self.head.sealer.write(&self.head.name, &JournalHead::at(seq, hash.to_string())).map_err(|source| {
            tracing::error!(seq, %source, "journal head not sealed");
            JournalError::HeadNotUpdated { seq, hash: hash.to_string(), source }
        })
    }

    /// Appends one event at `at`, chained to the last record. When the journal is above its disk budget
    /// it keeps writing and, the first time in this process, also writes an alert record.
    ///
    /// The sealed head is rewritten after each committed record. `JournalError::HeadNotUpdated` means the
    /// record was committed but the head file could not be written (a full or failing disk).
    pub fn append(&mut self, at: DateTime<Utc>, event: &JournalEvent) -> Result<Appended, JournalError> {
        let (seq, hash) = self.append_one(at, event)?;
        self.seal(seq, &hash)?;
        let over_budget = self.size_bytes()? > self.budget_bytes;
        if over_budget && !self.alerted {
            self.alerted = true;
            let message = format!(
                "El diario electrónico superó su presupuesto de disco ({} MB): libere espacio o exporte y archive; \
                 se sigue registrando.",
                self.budget_bytes / (1024 * 1024)
            );
            tracing::error!(budget_mb = self.budget_bytes / (1024 * 1024), "journal over its disk budget");
            let (alert_seq, alert_hash) =
                self.append_one(at, &JournalEvent::Alert { message: SafeText::new(message)? })?;
            self.seal(alert_seq, &alert_hash)?;
        }
        Ok(Appended { seq, hash, over_budget })
    }

    fn append_one(&mut self, at: DateTime<Utc>, event: &JournalEvent) -> Result<(i64, String), JournalError> {
        let body = serde_json::to_string(event).map_err(|err| JournalError::Encode(err.to_string()))?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let last: Option<(i64, String)> = tx
            .query_row("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let (seq, prev_hash) = last.map_or((1, GENESIS_HASH.to_string()), |(seq, hash)| (seq + 1, hash));
        let at_ms = at.timestamp_millis();
        let hash = HashedFields {
            seq,
            at_ms,
            kind: event.kind(),
            session: event.session(),
            operation: event.operation(),
            card_last4: event.card_last4(),
            body: &body,
            prev_hash: &prev_hash,
        }
        .hash();
        tx.execute(
            &format!("INSERT INTO journal ({RAW_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
            params![
                seq,
                at_ms,
                event.kind(),
                event.session(),
                event.operation(),
                event.card_last4(),
                body,
                prev_hash,
                hash
            ],
        )?;
        tx.commit()?;
        Ok((seq, hash))
    }

    /// The database's size on disk: main file and write-ahead log.
    pub fn size_bytes(&self) -> Result<u64, JournalError> {
        let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let page_size: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        let wal = std::fs::metadata(PathBuf::from(wal)).map_or(0, |m| m.len());
        Ok(u64::try_from(pages.saturating_mul(page_size)).unwrap_or(0) + wal)
    }

    pub fn over_budget(&self) -> Result<bool, JournalError> {
        Ok(self.size_bytes()? > self.budget_bytes)
    }

    /// Walks the whole chain and reports the first broken record: a wrong hash, a wrong link, a gap in
    /// the numbering, a body that does not match its columns, or a record that cannot be read (a damaged
    /// page). Then compares the chain with the sealed head (the last records deleted; the head's record
    /// changed and the chain recomputed after it) and runs `PRAGMA integrity_check`. What the database
    /// answers with an error is reported as a finding.
    pub fn verify(&self) -> Result<VerifyReport, JournalError> {
        let damage: Vec<String> =
            integrity(&self.conn, "PRAGMA integrity_check(10)").into_iter().filter(|line| line != "ok").collect();
        let sealed = self.head.sealer.read::<JournalHead>(&self.head.name);
        let head_seq = sealed.as_ref().ok().and_then(Option::as_ref).map(|head| head.seq);
        let walk = self.walk(head_seq);
        let mut first_broken = walk.first_broken.clone();
        let head = match sealed {
            Ok(Some(head)) => {
                if first_broken.is_none() {
                    first_broken = self.against_head(&head, &walk);
                }
                HeadCheck::Sealed(head)
            }
            Ok(None) if user_version(&self.conn).unwrap_or(0) >= SEALED_VERSION => HeadCheck::Unusable(format!(
                "the sealed head {} is missing, yet the journal says it has been sealed: it was deleted",
                self.head_path().display()
            )),
            Ok(None) => HeadCheck::NotSealed,
            Err(err) => HeadCheck::Unusable(err.to_string()),
        };
        Ok(VerifyReport { records: walk.records, last_hash: walk.last_hash, first_broken, head, damage })
    }

    /// The chain from record 1, stopping at the first broken or unreadable record.
    fn walk(&self, head_seq: Option<i64>) -> Walk {
        let mut walk = Walk {
            records: 0,
            last_seq: 0,
            last_hash: GENESIS_HASH.to_string(),
            first_broken: None,
            hash_at_head: None,
        };
        let unreadable = |seq: i64, err: rusqlite::Error| BrokenRecord {
            seq,
            reason: format!(
                "it cannot be read ({err}): the database file is damaged, and no record from {seq} on can be checked"
            ),
        };
        let mut statement = match self.conn.prepare(&format!("SELECT {RAW_COLUMNS} FROM journal ORDER BY seq")) {
            Ok(statement) => statement,
            Err(err) => {
                walk.first_broken = Some(unreadable(1, err));
                return walk;
            }
        };
        let mut rows = match statement.query([]) {
            Ok(rows) => rows,
            Err(err) => {
                walk.first_broken = Some(unreadable(1, err));
                return walk;
            }
        };
        loop {
            let expected_seq = walk.last_seq + 1;
            let raw = match rows.next() {
                Ok(None) => break,
                Ok(Some(row)) => match read_raw(row) {
                    Ok(raw) => raw,
                    Err(err) => {
                        let seq = row.get::<_, i64>(0).unwrap_or(expected_seq);
                        walk.first_broken =
                            Some(BrokenRecord { seq, reason: format!("a column cannot be read: {err}") });
                        break;
                    }
                },
                Err(err) => {
                    walk.first_broken = Some(unreadable(expected_seq, err));
                    break;
                }
            };
            let broken = |reason: String| BrokenRecord { seq: raw.seq, reason };
            let problem = if raw.seq != expected_seq {
                Some(broken(format!("expected record {expected_seq}, found {}: records are missing", raw.seq)))
            } else if raw.prev_hash != walk.last_hash {
                Some(broken("its link to the previous record does not match".into()))
            } else if raw.expected_hash() != raw.hash {
                Some(broken("its content does not match its hash: it was altered".into()))
            } else {
                match serde_json::from_str::<JournalEvent>(&raw.body) {
                    Err(err) => Some(broken(format!("its body cannot be read: {err}"))),
                    Ok(event)
                        if event.kind() != raw.kind
                            || event.session() != raw.session.as_deref()
                            || event.operation() != raw.operation.as_deref()
                            || event.card_last4() != raw.card_last4.as_deref() =>
                    {
                        Some(broken("its columns do not match its body".into()))
                    }
                    Ok(_) => None,
                }
            };
            if problem.is_some() {
                walk.first_broken = problem;
                break;
            }
            if Some(raw.seq) == head_seq {
                walk.hash_at_head = Some(raw.hash.clone());
            }
            walk.records += 1;
            walk.last_seq = raw.seq;
            walk.last_hash = raw.hash;
        }
        walk
    }

    /// What an intact chain contradicts in the sealed head.
    fn against_head(&self, head: &JournalHead, walk: &Walk) -> Option<BrokenRecord> {
        if walk.last_seq < head.seq {
            let first_missing = walk.last_seq + 1;
            let missing = if first_missing == head.seq {
                format!("record {first_missing} is missing")
            } else {
                format!("records {first_missing} to {} are missing", head.seq)
            };
            return Some(BrokenRecord {
                seq: first_missing,
                reason: format!(
                    "{missing}: the chain is intact but ends at record {}, while the sealed head {} says {} records \
                     up to record {}; the last records were deleted",
                    walk.last_seq,
                    self.head_path().display(),
                    head.records,
                    head.seq
                ),
            });
        }
        let at_head = if head.seq == 0 { Some(GENESIS_HASH.to_string()) } else { walk.hash_at_head.clone() };
        (at_head.as_deref() != Some(head.hash.as_str())).then(|| BrokenRecord {
            seq: head.seq,
            reason: format!(
                "its hash {} differs from the one sealed in {} ({}): this record or one before it was changed and \
                 the chain recomputed after it",
                at_head.as_deref().unwrap_or("(none)"),
                self.head_path().display(),
                head.hash
            ),
        })
    }

    pub fn get(&self, seq: i64) -> Result<Option<JournalRecord>, JournalError> {
        self.conn
            .query_row(&format!("SELECT {RAW_COLUMNS} FROM journal WHERE seq = ?1"), [seq], read_raw)
            .optional()?
            .map(RawRecord::decode)
            .transpose()
    }

    /// The stored hash of a record (for the receipt's verification code).
    pub fn hash_of(&self, seq: i64) -> Result<Option<String>, JournalError> {
        Ok(self.conn.query_row("SELECT hash FROM journal WHERE seq = ?1", [seq], |r| r.get(0)).optional()?)
    }

    /// Records `from_seq..=to_seq`, oldest first, at most `limit` of them (a journal upload goes in chunks).
    pub fn records(&self, from_seq: i64, to_seq: i64, limit: usize) -> Result<Vec<JournalRecord>, JournalError> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT {RAW_COLUMNS} FROM journal WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = statement.query_map(params![from_seq, to_seq, limit], read_raw)?;
        rows.map(|raw| raw.map_err(JournalError::from).and_then(RawRecord::decode)).collect()
    }

    /// Records in `[from, to)`, oldest first.
    pub fn range(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<JournalRecord>, JournalError> {
        let mut statement = self
            .conn
            .prepare(&format!("SELECT {RAW_COLUMNS} FROM journal WHERE at_ms >= ?1 AND at_ms < ?2 ORDER BY seq"))?;
        let rows = statement.query_map(params![from.timestamp_millis(), to.timestamp_millis()], read_raw)?;
        rows.map(|raw| raw.map_err(JournalError::from).and_then(RawRecord::decode)).collect()
    }

    /// Receipts for the staff reprint screen, newest first.
    pub fn find_receipts(&self, query: &ReceiptQuery) -> Result<Vec<JournalRecord>, JournalError> {
        let mut statement = self.conn.prepare(&format!(
            "SELECT {RAW_COLUMNS} FROM journal WHERE kind = 'receipt'
               AND (?1 IS NULL OR at_ms >= ?1) AND (?2 IS NULL OR at_ms < ?2)
               AND (?3 IS NULL OR operation = ?3) AND (?4 IS NULL OR card_last4 = ?4)
               AND (?6 IS NULL OR operation LIKE ?6)
             ORDER BY seq DESC LIMIT ?5"
        ))?;
        let rows = statement.query_map(
            params![
                query.from.map(|at| at.timestamp_millis()),
                query.to.map(|at| at.timestamp_millis()),
                query.operation,
                query.card_last4,
                query.limit.unwrap_or(100),
                query.operation_like,
            ],
            read_raw,
        )?;
        rows.map(|raw| raw.map_err(JournalError::from).and_then(RawRecord::decode)).collect()
    }

    /// Writes the records of the Peruvian civil dates `from..=to` as JSON lines or CSV. Returns how many.
    pub fn export(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        format: ExportFormat,
        out: &mut dyn Write,
    ) -> Result<u64, JournalError> {
        let end = to.succ_opt().map_or(DateTime::<Utc>::MAX_UTC, start_of_day);
        let records = self.range(start_of_day(from), end)?;
        if format == ExportFormat::Csv {
            writeln!(out, "seq,at,type,session,operation,card,body,prev_hash,hash")?;
        }
        for record in &records {
            let at = record.at.with_timezone(&peru_offset()).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            match format {
                ExportFormat::Jsonl => {
                    let line = serde_json::json!({
                        "seq": record.seq, "at": at, "event": record.event,
                        "prev_hash": record.prev_hash, "hash": record.hash,
                    });
                    writeln!(out, "{line}")?;
                }
                ExportFormat::Csv => {
                    let body =
                        serde_json::to_string(&record.event).map_err(|err| JournalError::Encode(err.to_string()))?;
                    let fields = [
                        record.seq.to_string(),
                        at,
                        record.event.kind().to_string(),
                        record.event.session().unwrap_or_default().to_string(),
                        record.event.operation().unwrap_or_default().to_string(),
                        record.event.card_last4().map(|l| format!("**** {l}")).unwrap_or_default(),
                        body,
                        record.prev_hash.clone(),
                        record.hash.clone(),
                    ];
                    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                    writeln!(out, "{}", line.join(","))?;
                }
            }
        }
        Ok(records.len() as u64)
    }

    /// A staff reprint: returns the receipt exactly as first journaled (to be printed marked DUPLICADO)
    /// and journals who reprinted which record.
    pub fn reprint(
        &mut self,
        at: DateTime<Utc>,
        staff: &str,
        original_seq: i64,
    ) -> Result<(JournalRecord, Appended), JournalError> {
        let original = self.get(original_seq)?.ok_or(JournalError::NotAReceipt(original_seq))?;
        let JournalEvent::Receipt { operation, .. } = &original.event else {
            return Err(JournalError::NotAReceipt(original_seq));
        };
        let event = JournalEvent::Reprint { operation: operation.clone(), staff: staff.into(), original_seq };
        let appended = self.append(at, &event)?;
        Ok((original, appended))
    }

    /// Whether an `Operation` record with this `command_key` exists (a settlement record is written
    /// once, even across a crash between writing it and marking it in the outbox). Answered from the
    /// partial index `journal_operation_by_command_key`, not by reading every body.
    pub fn has_operation_for(&self, command_key: Uuid) -> Result<bool, JournalError> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM journal WHERE kind = 'operation'
                 AND (CASE WHEN json_valid(body) THEN json_extract(body, '$.command_key') END) = ?1)",
            [command_key.to_string()],
            |row| row.get(0),
        )?)
    }

    /// How many records the journal holds.
    pub fn len(&self) -> Result<u64, JournalError> {
        let count: i64 = self.conn.query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    pub fn is_empty(&self) -> Result<bool, JournalError> {
        Ok(self.len()? == 0)
    }
}

/// RFC 4180 quoting: every field quoted, quotes doubled. Hand-written: one line of rules, no crate needed.
fn csv_field(field: &str) -> String {
    format!("\"{}\"", field.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_card_keeps_only_the_last_four_digits() {
        let card = MaskedCard::from_card(&CardNumber::parse("4111 1111 1111 1111").unwrap());
        assert_eq!(card.to_string(), "**** **** **** 1111");
        let json = serde_json::to_string(&card).unwrap();
        assert!(!json.contains("4111"));
        assert_eq!(serde_json::from_str::<MaskedCard>(&json).unwrap(), card);
        assert!(serde_json::from_str::<MaskedCard>("\"4111111111111111\"").is_err());
        assert!(MaskedCard::from_last4("123").is_none() && MaskedCard::from_last4("12a4").is_none());
    }

    #[test]
    fn free_text_with_a_card_number_is_refused() {
        assert!(SafeText::new("Pago con tarjeta 4111 1111 1111 1111 aprobado").is_err());
        assert!(SafeText::new("4111-1111-1111-1111").is_err());
        assert!(SafeText::new("ref4111111111111111x").is_err());
        assert!(SafeText::new("Operación 000123456 por S/ 1,234.56 — **** **** **** 1111").is_ok());
        // A long number that fails Luhn (an account number, a timestamp) is fine.
        assert!(!contains_card_number("4111 1111 1111 1112"), "fails Luhn: not a card number");
        assert!(!contains_card_number("20130098488 2026-11-21 10:15"));
        assert!(contains_card_number("RUC 20130098488 4111 1111 1111 1111"), "a RUC beside it does not hide it");
        assert!(!contains_card_number("20130098488-20130098488"));
        let json = "{\"type\":\"alert\",\"message\":\"4111111111111111\"}";
        assert!(serde_json::from_str::<JournalEvent>(json).is_err(), "deserialising checks too");
    }

    #[test]
    fn the_encoding_separates_fields() {
        let base = HashedFields {
            seq: 1,
            at_ms: 0,
            kind: "alert",
            session: Some("ab"),
            operation: None,
            card_last4: None,
            body: "{}",
            prev_hash: GENESIS_HASH,
        };
        let shifted = HashedFields { session: Some("a"), operation: Some("b"), ..base };
        let moved = HashedFields { session: None, operation: Some("ab"), ..base };
        assert_ne!(base.hash(), shifted.hash());
        assert_ne!(base.hash(), moved.hash());
        assert_eq!(base.hash().len(), 64);
    }

    proptest::proptest! {
        #[test]
        fn masking_never_keeps_more_than_four_digits_and_the_scanner_never_panics(text in ".{0,64}", payload in "[0-9]{11,18}") {
            let _ = contains_card_number(&text);
            let digits = format!("{payload}{}", servicaja_core::identity::card::luhn_check_digit(&payload).unwrap());
            let card = MaskedCard::from_card(&CardNumber::parse(&digits).unwrap());
            let shown = card.to_string();
            proptest::prop_assert_eq!(shown.chars().filter(char::is_ascii_digit).count(), 4);
            proptest::prop_assert!(digits.ends_with(card.last4()));
        }
    }

    #[test]
    fn peruvian_days_start_at_five_utc() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        assert_eq!(start_of_day(day).to_rfc3339(), "2026-11-21T05:00:00+00:00");
    }
}
