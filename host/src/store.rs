//! The outbox's SQLite store (WAL, `synchronous=FULL`): a thin shell that makes every state of the
//! policy durable. A command is on disk, with its idempotency key and payload, before it is first sent.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;
use uuid::Uuid;

use crate::policy::{CommandId, CommandKind, OpenCommand, PolicySettings, QueueFull, State};

/// The file name of the outbox inside the kiosk's data directory.
pub const OUTBOX_FILE: &str = "outbox.sqlite";

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Full(#[from] QueueFull),
    #[error("outbox database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("outbox command {0} does not exist")]
    NotFound(CommandId),
    #[error("outbox command {id} is {state}; {action} needs it {needed}")]
    WrongState { id: CommandId, state: &'static str, action: &'static str, needed: &'static str },
    #[error("the command's payload cannot be stored: {0}")]
    Payload(String),
    #[error("the outbox is not running")]
    Stopped,
    #[error(
        "a reversal of an earlier payment on {resource} is not yet acknowledged by the central: no new payment \
         on it is taken until it is"
    )]
    ReversalPending { resource: String },
    #[error("the outbox stopped taking commands after a write failed ({0}): the kiosk is out of service")]
    StorageFault(String),
    #[error("outbox command {0} is a reversal: it frees a customer's money and is never withdrawn")]
    ReversalNotCancellable(CommandId),
    /// The database is missing, empty or cut short while its sealed head says it held more: open commands
    /// would be lost. The kiosk refuses to start.
    #[error(
        "the outbox database {path} {what}, but its sealed head says it held commands up to N.° {last_id} \
         ({open} open): restore it from a backup before starting the kiosk (commands may be lost)"
    )]
    Lost { path: String, what: String, last_id: i64, open: u64 },
    #[error("the outbox's sealed head cannot be used: {0}")]
    Head(String),
    #[error("the outbox database {path} is damaged ({problem}): restore it from a backup before starting the kiosk")]
    Damaged { path: String, problem: String },
}

impl OutboxError {
    /// Whether this error means the database could not be written (full disk, I/O error, read-only): the
    /// kiosk must stop moving money.
    pub fn is_storage_fault(&self) -> bool {
        match self {
            OutboxError::Sqlite(err) => {
                !matches!(err, rusqlite::Error::QueryReturnedNoRows | rusqlite::Error::FromSqlConversionFailure(..))
            }
            OutboxError::StorageFault(_) => true,
            _ => false,
        }
    }
}

/// A command about to be queued. Build it with `NewCommand::new`; the key is a fresh UUIDv7 unless the
/// caller supplies one.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCommand {
    pub key: Uuid,
    pub kind: CommandKind,
    pub lane: String,
    pub method: String,
    pub path: String,
    pub payload: serde_json::Value,
    /// A customer is waiting for the answer.
    pub interactive: bool,
    /// The idempotency key of the command this one reverses.
    pub reverses: Option<Uuid>,
    /// The customer session's bearer token, for routes that need one. Kept only while the command is
    /// open and wiped when it is final.
    pub session_token: Option<SessionToken>,
    /// The loans and accounts it touches (`loan:…`, `account:…`), for the reversals-first rule.
    pub resources: Vec<String>,
}

/// A customer session's bearer token: short-lived (five idle minutes), never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(pub String);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(…)")
    }
}

impl NewCommand {
    pub fn new(
        kind: CommandKind,
        lane: impl Into<String>,
        path: impl Into<String>,
        payload: &impl Serialize,
    ) -> Result<NewCommand, OutboxError> {
        Ok(NewCommand {
            key: Uuid::now_v7(),
            kind,
            lane: lane.into(),
            method: "POST".into(),
            path: path.into(),
            payload: serde_json::to_value(payload).map_err(|err| OutboxError::Payload(err.to_string()))?,
            interactive: false,
            reverses: None,
            session_token: None,
            resources: Vec::new(),
        })
    }

    pub fn with_resources(mut self, resources: Vec<String>) -> NewCommand {
        self.resources = resources;
        self
    }

    pub fn interactive(mut self) -> NewCommand {
        self.interactive = true;
        self
    }

    pub fn with_session_token(mut self, token: impl Into<String>) -> NewCommand {
        self.session_token = Some(SessionToken(token.into()));
        self
    }
}

/// One stored command with everything the dispatcher and the technician need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredCommand {
    pub id: CommandId,
    pub key: Uuid,
    pub kind: CommandKind,
    pub lane: String,
    pub method: String,
    pub path: String,
    #[serde(skip)]
    pub payload: serde_json::Value,
    pub interactive: bool,
    pub reverses: Option<Uuid>,
    pub state: State,
    pub created_at: DateTime<Utc>,
    pub deadline: Option<DateTime<Utc>>,
    pub failures: u32,
    pub not_before: DateTime<Utc>,
    pub last_error: Option<String>,
    pub answer_status: Option<u16>,
    #[serde(skip)]
    pub answer: Option<serde_json::Value>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
    #[serde(skip)]
    pub session_token: Option<SessionToken>,
    pub resources: Vec<String>,
    /// When the payment's final outcome was written to the journal.
    pub journaled_at: Option<DateTime<Utc>>,
    /// Why the row cannot be read back (state [`State::Unreadable`]).
    pub damage: Option<String>,
}

impl StoredCommand {
    pub fn open_view(&self) -> OpenCommand {
        OpenCommand {
            id: self.id,
            lane: self.lane.clone(),
            kind: self.kind,
            created_at: self.created_at,
            deadline: self.deadline,
            failures: self.failures,
            not_before: self.not_before,
            in_flight: self.state == State::InFlight,
            resources: self.resources.clone(),
        }
    }
}

/// Counts by state and the age of the oldest open command, for `servicaja queue status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QueueStatus {
    pub counts: Vec<(State, u64)>,
    pub oldest_open: Option<DateTime<Utc>>,
}

impl QueueStatus {
    pub fn count(&self, state: State) -> u64 {
        self.counts.iter().find(|(s, _)| *s == state).map_or(0, |(_, n)| *n)
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS commands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    lane TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    payload TEXT NOT NULL,
    interactive INTEGER NOT NULL,
    reverses TEXT,
    state TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    deadline_ms INTEGER,
    failures INTEGER NOT NULL DEFAULT 0,
    not_before_ms INTEGER NOT NULL,
    last_error TEXT,
    answer_status INTEGER,
    answer TEXT,
    closed_ms INTEGER,
    close_reason TEXT,
    session_token TEXT,
    resources TEXT NOT NULL DEFAULT '',
    journaled_ms INTEGER
);
CREATE INDEX IF NOT EXISTS commands_by_state ON commands(state, id);
CREATE INDEX IF NOT EXISTS commands_by_reverses ON commands(reverses);
";

/// Columns added after the first release, for databases created before them.
const ADDED_COLUMNS: [(&str, &str); 2] = [("resources", "TEXT NOT NULL DEFAULT ''"), ("journaled_ms", "INTEGER")];

const COLUMNS: &str = "id, idempotency_key, kind, lane, method, path, payload, interactive, reverses, state, \
    created_ms, deadline_ms, failures, not_before_ms, last_error, answer_status, answer, closed_ms, close_reason, \
    session_token, resources, journaled_ms";

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Reads one row without ever failing on its contents: a column that cannot be decoded is named in
/// `damage` and the row comes back as [`State::Unreadable`], so one damaged row never stops the kiosk or
/// the technician's tools. Only SQLite's own errors (I/O) fail.
fn read_command(row: &Row<'_>) -> rusqlite::Result<StoredCommand> {
    use rusqlite::types::ValueRef;
    let mut damage: Vec<String> = Vec::new();
    let text = |index: usize, name: &str, damage: &mut Vec<String>| -> rusqlite::Result<Option<String>> {
        Ok(match row.get_ref(index)? {
            ValueRef::Null => None,
            ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => Some(text.to_owned()),
                Err(_) => {
                    damage.push(format!("{name}: not UTF-8 text"));
                    None
                }
            },
            ValueRef::Integer(n) => Some(n.to_string()),
            ValueRef::Real(x) => Some(x.to_string()),
            ValueRef::Blob(_) => {
                damage.push(format!("{name}: a blob where text was expected"));
                None
            }
        })
    };
    let integer = |index: usize, name: &str, damage: &mut Vec<String>| -> rusqlite::Result<Option<i64>> {
        Ok(match row.get_ref(index)? {
            ValueRef::Null => None,
            ValueRef::Integer(n) => Some(n),
            _ => {
                damage.push(format!("{name}: not an integer"));
                None
            }
        })
    };
    let id = CommandId(row.get(0)?);
    let key_text = text(1, "idempotency_key", &mut damage)?.unwrap_or_default();
    let key = Uuid::parse_str(&key_text).unwrap_or_else(|_| {
        damage.push("idempotency_key: not a UUID".into());
        Uuid::nil()
    });
    let kind_text = text(2, "kind", &mut damage)?.unwrap_or_default();
    let kind = CommandKind::parse(&kind_text).unwrap_or_else(|| {
        damage.push(format!("kind: unknown {kind_text:?}"));
        CommandKind::Request
    });
    let lane = text(3, "lane", &mut damage)?.unwrap_or_default();
    let method = text(4, "method", &mut damage)?.unwrap_or_default();
    let path = text(5, "path", &mut damage)?.unwrap_or_default();
    let payload = match text(6, "payload", &mut damage)? {
        Some(payload) => serde_json::from_str(&payload).unwrap_or_else(|err| {
            damage.push(format!("payload: not JSON ({err})"));
            serde_json::Value::Null
        }),
        None => {
            damage.push("payload: missing".into());
            serde_json::Value::Null
        }
    };
    let interactive = integer(7, "interactive", &mut damage)?.unwrap_or(0) != 0;
    let reverses = text(8, "reverses", &mut damage)?.and_then(|text| {
        Uuid::parse_str(&text).ok().or_else(|| {
            damage.push("reverses: not a UUID".into());
            None
        })
    });
    let state_text = text(9, "state", &mut damage)?.unwrap_or_default();
    let mut state = State::parse(&state_text).unwrap_or_else(|| {
        damage.push(format!("state: unknown {state_text:?}"));
        State::Unreadable
    });
    let created_at = from_ms(integer(10, "created_ms", &mut damage)?.unwrap_or(0));
    let deadline = integer(11, "deadline_ms", &mut damage)?.map(from_ms);
    let failures = u32::try_from(integer(12, "failures", &mut damage)?.unwrap_or(0)).unwrap_or(u32::MAX);
    let not_before = from_ms(integer(13, "not_before_ms", &mut damage)?.unwrap_or(0));
    let last_error = text(14, "last_error", &mut damage)?;
    let answer_status = integer(15, "answer_status", &mut damage)?.and_then(|status| u16::try_from(status).ok());
    let answer = text(16, "answer", &mut damage)?.and_then(|text| serde_json::from_str(&text).ok());
    let closed_at = integer(17, "closed_ms", &mut damage)?.map(from_ms);
    let close_reason = text(18, "close_reason", &mut damage)?;
    let session_token = text(19, "session_token", &mut damage)?.map(SessionToken);
    let resources = text(20, "resources", &mut damage)?
        .map(|text| text.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    let journaled_at = integer(21, "journaled_ms", &mut damage)?.map(from_ms);
    let damage = (!damage.is_empty()).then(|| damage.join("; "));
    if damage.is_some() && matches!(state, State::Pending | State::InFlight | State::Standby) {
        state = State::Unreadable;
    }
    Ok(StoredCommand {
        id,
        key,
        kind,
        lane,
        method,
        path,
        payload,
        interactive,
        reverses,
        state,
        created_at,
        deadline,
        failures,
        not_before,
        last_error,
        answer_status,
        answer,
        closed_at,
        close_reason,
        session_token,
        resources,
        journaled_at,
        damage,
    })
}

/// The outbox database.
pub struct OutboxStore {
    conn: Connection,
}

impl std::fmt::Debug for OutboxStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxStore").finish_non_exhaustive()
    }
}

/// Opens a SQLite file for durable writes: WAL, `synchronous=FULL` (a commit is on the disk when it
/// returns), and a busy timeout so that the technician's CLI and the kiosk can share the file.
pub(crate) fn open_durable(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    // Commands and records name customers' operations: readable by the kiosk's user only.
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(err) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
            tracing::warn!(%err, path = %path.display(), "the database's mode could not be set to 0600");
        }
    }
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Deleted and overwritten contents (a finished command's session token) are zeroed on disk, not left
    // in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(conn)
}

impl OutboxStore {
    pub fn open(path: &Path) -> Result<OutboxStore, OutboxError> {
        let conn = open_durable(path)?;
        conn.execute_batch(SCHEMA)?;
        let existing: Vec<String> = conn
            .prepare("SELECT name FROM pragma_table_info('commands')")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        for (column, definition) in ADDED_COLUMNS {
            if !existing.iter().any(|name| name == column) {
                conn.execute_batch(&format!("ALTER TABLE commands ADD COLUMN {column} {definition}"))?;
            }
        }
        // The settlement journaling looks for payments not yet journaled after every answer: it must not
        // scan every command ever stored.
        conn.execute_batch(
            "CREATE INDEX IF NOT EXISTS commands_unjournaled_payments ON commands(id)
             WHERE kind = 'payment' AND journaled_ms IS NULL",
        )?;
        Ok(OutboxStore { conn })
    }

    /// `PRAGMA quick_check`: the database's pages are sound. The first problem SQLite names, if any.
    pub fn quick_check(&self) -> Result<Option<String>, OutboxError> {
        let first: String = self.conn.query_row("PRAGMA quick_check(1)", [], |row| row.get(0))?;
        Ok((first != "ok").then_some(first))
    }

    /// The connection, for tests that damage rows or fill the database on purpose.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Sets aside every open row that cannot be read back: its state becomes `unreadable` and the reason
    /// names the column, so the kiosk starts, the row is never sent, and a technician can list and cancel
    /// it. Returns the rows set aside.
    pub fn set_aside_unreadable(&mut self) -> Result<Vec<StoredCommand>, OutboxError> {
        let damaged: Vec<StoredCommand> = self
            .list(&[], None)?
            .into_iter()
            .filter(|command| command.state == State::Unreadable && command.damage.is_some())
            .collect();
        for command in &damaged {
            let reason = format!("unreadable row: {}", command.damage.as_deref().unwrap_or_default());
            self.conn.execute(
                "UPDATE commands SET state = 'unreadable', close_reason = ?2 WHERE id = ?1 AND state != 'unreadable'",
                params![command.id.0, reason],
            )?;
        }
        Ok(damaged)
    }

    /// Writes a new pending command, refusing it when the open commands reach the bound. Returns the
    /// stored row: from here on the command survives a crash.
    pub fn enqueue(
        &mut self,
        command: &NewCommand,
        policy: &PolicySettings,
        now: DateTime<Utc>,
    ) -> Result<StoredCommand, OutboxError> {
        self.enqueue_with_standby(command, None, policy, now)
    }

    /// [`OutboxStore::enqueue`], writing `standby` (the payment's reversal, [`State::Standby`]) in the same
    /// transaction. A payment on a loan or account with an open reversal is refused
    /// ([`OutboxError::ReversalPending`]): reversals go first.
    pub fn enqueue_with_standby(
        &mut self,
        command: &NewCommand,
        standby: Option<&NewCommand>,
        policy: &PolicySettings,
        now: DateTime<Utc>,
    ) -> Result<StoredCommand, OutboxError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let open: i64 =
            tx.query_row("SELECT COUNT(*) FROM commands WHERE state IN ('pending', 'in_flight')", [], |r| r.get(0))?;
        let open = usize::try_from(open).unwrap_or(usize::MAX);
        if open >= policy.max_open as usize {
            return Err(QueueFull { open, bound: policy.max_open }.into());
        }
        if command.kind == CommandKind::Payment
            && let Some(resource) = open_reversal_on(&tx, &command.resources)?
        {
            return Err(OutboxError::ReversalPending { resource });
        }
        insert(&tx, command, policy, now, State::Pending)?;
        let id = CommandId(tx.last_insert_rowid());
        if let Some(reversal) = standby {
            insert(&tx, reversal, policy, now, State::Standby)?;
        }
        tx.commit()?;
        self.get(id)
    }

    /// Undoes or confirms a payment whose customer can no longer wait for the central, in one
    /// transaction, so that what the customer is told and what is stored never disagree:
    /// - `KeepAnswer` (the customer's wait ended): a payment that already has its final answer keeps it
    ///   (the customer is shown it); one still open is withdrawn and its reversal activated.
    /// - `Reverse` (the customer left, the kiosk restarted): the reversal is activated whatever the
    ///   payment reached, a completed payment included; only a refused payment has nothing to undo.
    ///
    /// The reversal was written with the payment ([`State::Standby`]); activating it updates rows in place.
    /// `fallback` is stored only for a payment written before standby reversals existed.
    pub fn settle_payment(
        &mut self,
        payment_key: Uuid,
        mode: SettleMode,
        reason: &str,
        fallback: &NewCommand,
        policy: &PolicySettings,
        now: DateTime<Utc>,
    ) -> Result<Settlement, OutboxError> {
        // A payment that was never stored was never sent: say so without needing to write (the disk may be
        // what failed).
        if self.get_by_key(payment_key)?.is_none() {
            return Ok(Settlement::NotStored);
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let select = format!("SELECT {COLUMNS} FROM commands WHERE idempotency_key = ?1");
        let Some(payment) = tx.query_row(&select, [payment_key.to_string()], read_command).optional()? else {
            return Ok(Settlement::NotStored);
        };
        let reversal = tx
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM commands WHERE reverses = ?1 AND kind = 'reversal' ORDER BY id LIMIT 1"
                ),
                [payment_key.to_string()],
                read_command,
            )
            .optional()?;
        match (payment.state, mode) {
            (State::Done, SettleMode::KeepAnswer) | (State::Rejected, _) => {
                if let Some(reversal) = reversal.filter(|r| r.state == State::Standby) {
                    tx.execute(
                        "UPDATE commands SET state = 'cancelled', closed_ms = ?2,
                         close_reason = 'not needed: the payment has its final answer' WHERE id = ?1",
                        params![reversal.id.0, ms(now)],
                    )?;
                }
                tx.commit()?;
                return Ok(Settlement::Answered(payment));
            }
            (State::Done, SettleMode::Reverse) => {
                tx.execute(
                    "UPDATE commands SET close_reason = ?2 WHERE id = ?1",
                    params![payment.id.0, format!("applied, then reversed: {reason}")],
                )?;
            }
            _ => {
                tx.execute(
                    "UPDATE commands SET state = 'cancelled', closed_ms = ?2, session_token = NULL, close_reason = ?3
                     WHERE id = ?1 AND state NOT IN ('done', 'rejected', 'cancelled')",
                    params![payment.id.0, ms(now), format!("{reason}: withdrawn and reversed")],
                )?;
            }
        }
        let reversal_id = match reversal {
            Some(reversal) if reversal.state == State::Standby => {
                let mut payload = reversal.payload.clone();
                if let Some(body) = payload.as_object_mut() {
                    body.insert("reason".into(), serde_json::Value::String(reason.to_owned()));
                }
                tx.execute(
                    "UPDATE commands SET state = 'pending', payload = ?2, created_ms = ?3, not_before_ms = ?3,
                     closed_ms = NULL, close_reason = NULL WHERE id = ?1",
                    params![reversal.id.0, payload.to_string(), ms(now)],
                )?;
                reversal.id
            }
            Some(reversal) => reversal.id,
            None => {
                insert(&tx, fallback, policy, now, State::Pending)?;
                CommandId(tx.last_insert_rowid())
            }
        };
        tx.commit()?;
        Ok(Settlement::Reversing(self.get(reversal_id)?))
    }

    /// The customer can no longer undo these payments (their session ended, or the kiosk restarted): the
    /// standby reversal of each one the central answered is released, so its outcome is final. Returns
    /// how many were released.
    pub fn release_standby(&mut self, payments: &[Uuid], now: DateTime<Utc>) -> Result<usize, OutboxError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut released = 0;
        for payment in payments {
            released += tx.execute(
                "UPDATE commands SET state = 'cancelled', closed_ms = ?2,
                 close_reason = 'not needed: the payment has its final answer and its customer is gone'
                 WHERE kind = 'reversal' AND state = 'standby' AND reverses = ?1
                 AND EXISTS (SELECT 1 FROM commands p WHERE p.idempotency_key = ?1
                             AND p.state IN ('done', 'rejected', 'cancelled'))",
                params![payment.to_string(), ms(now)],
            )?;
        }
        tx.commit()?;
        Ok(released)
    }

    /// [`OutboxStore::release_standby`] for every payment with a final answer (at start-up: no customer is
    /// waiting any more).
    pub fn release_all_standby(&mut self, now: DateTime<Utc>) -> Result<usize, OutboxError> {
        Ok(self.conn.execute(
            "UPDATE commands SET state = 'cancelled', closed_ms = ?1,
             close_reason = 'not needed: the payment has its final answer and its customer is gone'
             WHERE kind = 'reversal' AND state = 'standby'
             AND reverses IN (SELECT idempotency_key FROM commands WHERE kind = 'payment'
                              AND state IN ('done', 'rejected', 'cancelled'))",
            params![ms(now)],
        )?)
    }

    /// At start-up: every payment a customer was waiting for when the kiosk stopped (interactive, still
    /// open) is reversed, as an ATM does after a power cut mid-transaction. Returns those payments.
    pub fn reverse_abandoned_payments(
        &mut self,
        fallback: impl Fn(&StoredCommand) -> NewCommand,
        policy: &PolicySettings,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredCommand>, OutboxError> {
        let abandoned: Vec<StoredCommand> = self
            .open_commands()?
            .into_iter()
            .filter(|command| command.kind == CommandKind::Payment && command.interactive)
            .collect();
        for payment in &abandoned {
            let reversal = fallback(payment);
            self.settle_payment(payment.key, SettleMode::Reverse, "kiosk_restarted", &reversal, policy, now)?;
        }
        Ok(abandoned)
    }

    /// Payments whose outcome is settled (final, and any reversal of theirs final) but not yet written to
    /// the journal, with their reversal, oldest first.
    pub fn unjournaled_settlements(&self) -> Result<Vec<PaymentSettlement>, OutboxError> {
        let payments = {
            let mut statement = self.conn.prepare(&format!(
                "SELECT {COLUMNS} FROM commands WHERE kind = 'payment' AND journaled_ms IS NULL
                 AND state NOT IN ('pending', 'in_flight') ORDER BY id"
            ))?;
            statement.query_map([], read_command)?.collect::<Result<Vec<_>, _>>()?
        };
        let mut settled = Vec::new();
        for payment in payments {
            let reversal = self
                .conn
                .query_row(
                    &format!(
                        "SELECT {COLUMNS} FROM commands WHERE reverses = ?1 AND kind = 'reversal' ORDER BY id LIMIT 1"
                    ),
                    [payment.key.to_string()],
                    read_command,
                )
                .optional()?;
            if let Some(outcome) = PaymentOutcome::of(&payment, reversal.as_ref()) {
                settled.push(PaymentSettlement { payment, reversal, outcome });
            }
        }
        Ok(settled)
    }

    /// The payment's settlement is in the journal.
    pub fn mark_journaled(&mut self, payment: CommandId, now: DateTime<Utc>) -> Result<(), OutboxError> {
        self.conn.execute(
            "UPDATE commands SET journaled_ms = ?2 WHERE id = ?1 AND journaled_ms IS NULL",
            params![payment.0, ms(now)],
        )?;
        Ok(())
    }

    pub fn get(&self, id: CommandId) -> Result<StoredCommand, OutboxError> {
        self.conn
            .query_row(&format!("SELECT {COLUMNS} FROM commands WHERE id = ?1"), [id.0], read_command)
            .optional()?
            .ok_or(OutboxError::NotFound(id))
    }

    pub fn get_by_key(&self, key: Uuid) -> Result<Option<StoredCommand>, OutboxError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM commands WHERE idempotency_key = ?1"),
                [key.to_string()],
                read_command,
            )
            .optional()?)
    }

    /// At start-up: commands left in flight by a crash go back to pending (they are resent with the same
    /// key, which the central answers idempotently). Returns how many.
    pub fn recover_in_flight(&mut self) -> Result<usize, OutboxError> {
        Ok(self.conn.execute("UPDATE commands SET state = 'pending' WHERE state = 'in_flight'", [])?)
    }

    /// Every open (pending or in-flight) command, oldest first.
    pub fn open_commands(&self) -> Result<Vec<StoredCommand>, OutboxError> {
        self.list(&[State::Pending, State::InFlight], None)
    }

    /// Commands in the given states (all when empty), oldest first, at most `limit`.
    pub fn list(&self, states: &[State], limit: Option<u32>) -> Result<Vec<StoredCommand>, OutboxError> {
        let filter = if states.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = states.iter().map(|s| format!("'{}'", s.as_str())).collect();
            format!("WHERE state IN ({})", names.join(", "))
        };
        let limit = limit.map_or(String::new(), |n| format!("LIMIT {n}"));
        let mut statement =
            self.conn.prepare(&format!("SELECT {COLUMNS} FROM commands {filter} ORDER BY id {limit}"))?;
        let rows = statement.query_map([], read_command)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Marks the given pending commands in flight in one transaction; returns those that were still
    /// pending (a technician may have withdrawn one meanwhile).
    pub fn mark_in_flight(&mut self, ids: &[CommandId]) -> Result<Vec<StoredCommand>, OutboxError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut marked = Vec::new();
        {
            let mut update =
                tx.prepare_cached("UPDATE commands SET state = 'in_flight' WHERE id = ?1 AND state = 'pending'")?;
            let mut select = tx.prepare_cached(&format!("SELECT {COLUMNS} FROM commands WHERE id = ?1"))?;
            for id in ids {
                if update.execute([id.0])? == 1 {
                    marked.push(select.query_row([id.0], read_command)?);
                }
            }
        }
        tx.commit()?;
        Ok(marked)
    }

    /// Stores a final answer (done or rejected) for an in-flight command. Returns false when the command
    /// was no longer in flight (withdrawn meanwhile); the answer is then kept as a late answer.
    pub fn finish(
        &mut self,
        id: CommandId,
        state: State,
        status: Option<u16>,
        answer: Option<&serde_json::Value>,
        now: DateTime<Utc>,
    ) -> Result<bool, OutboxError> {
        let answer = answer.map(serde_json::Value::to_string);
        let changed = self.conn.execute(
            "UPDATE commands SET state = ?2, answer_status = ?3, answer = ?4, closed_ms = ?5, last_error = NULL,
                 session_token = NULL
             WHERE id = ?1 AND state = 'in_flight'",
            params![id.0, state.as_str(), status, answer, ms(now)],
        )?;
        if changed == 0 {
            self.conn.execute(
                "UPDATE commands SET answer_status = ?2, answer = ?3 WHERE id = ?1 AND answer IS NULL",
                params![id.0, status, answer],
            )?;
        }
        Ok(changed == 1)
    }

    /// Back to pending after a transient failure, due again at `not_before`.
    pub fn retry_later(
        &mut self,
        id: CommandId,
        failures: u32,
        not_before: DateTime<Utc>,
        error: &str,
    ) -> Result<bool, OutboxError> {
        let changed = self.conn.execute(
            "UPDATE commands SET state = 'pending', failures = ?2, not_before_ms = ?3, last_error = ?4
             WHERE id = ?1 AND state = 'in_flight'",
            params![id.0, failures, ms(not_before), error],
        )?;
        Ok(changed == 1)
    }

    /// Too old: listed for reconciliation, never deleted.
    pub fn expire(&mut self, ids: &[CommandId], now: DateTime<Utc>) -> Result<(), OutboxError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for id in ids {
            tx.execute(
                "UPDATE commands SET state = 'expired', closed_ms = ?2, session_token = NULL,
                 close_reason = 'older than the configured age: reconcile with the central'
                 WHERE id = ?1 AND state = 'pending'",
                params![id.0, ms(now)],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A technician withdraws a command that has not been sent successfully, or closes one the central
    /// rejected ([`State::can_cancel`]). The reason is kept; a rejected command keeps its answer.
    pub fn cancel(&mut self, id: CommandId, reason: &str, now: DateTime<Utc>) -> Result<StoredCommand, OutboxError> {
        let current = self.get(id)?;
        if current.kind == CommandKind::Reversal && current.damage.is_none() {
            return Err(OutboxError::ReversalNotCancellable(id));
        }
        if !current.state.can_cancel() {
            return Err(OutboxError::WrongState {
                id,
                state: current.state.as_str(),
                action: "cancel",
                needed: "pending, expired or rejected (wait for an in-flight command's answer)",
            });
        }
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE commands SET state = 'cancelled', closed_ms = ?2, close_reason = ?3, session_token = NULL
             WHERE id = ?1 AND state = ?4",
            params![id.0, ms(now), reason, current.state.as_str()],
        )?;
        // A payment sent before (its answer lost) may have been applied: withdrawing it activates its
        // reversal, which the central records ahead of a late payment or applies after it.
        if changed == 1 && current.kind == CommandKind::Payment && current.state != State::Rejected {
            tx.execute(
                "UPDATE commands SET state = 'pending', created_ms = ?2, not_before_ms = ?2
                 WHERE reverses = ?1 AND kind = 'reversal' AND state = 'standby'",
                params![current.key.to_string(), ms(now)],
            )?;
        }
        tx.commit()?;
        if changed == 0 {
            // Sent, answered or withdrawn by another process between the read and the write.
            let state = self.get(id)?.state;
            return Err(OutboxError::WrongState {
                id,
                state: state.as_str(),
                action: "cancel",
                needed: "pending, expired or rejected",
            });
        }
        self.get(id)
    }

    /// A technician asks for a command to be sent again now: a pending one loses its backoff, an expired
    /// one goes back to pending with a fresh age limit. Same idempotency key. A rejected one is refused
    /// ([`State::can_retry`] says why).
    pub fn retry(
        &mut self,
        id: CommandId,
        policy: &PolicySettings,
        now: DateTime<Utc>,
    ) -> Result<StoredCommand, OutboxError> {
        let current = self.get(id)?;
        if !current.state.can_retry() {
            return Err(OutboxError::WrongState {
                id,
                state: current.state.as_str(),
                action: "retry",
                needed: if current.state == State::Rejected {
                    "pending or expired (the central would answer a rejected command's key with the same \
                     rejection: cancel it with a reason once the customer is attended)"
                } else {
                    "pending or expired"
                },
            });
        }
        let deadline = policy.deadline(current.kind, now).map(ms);
        self.conn.execute(
            "UPDATE commands SET state = 'pending', failures = 0, not_before_ms = ?2, deadline_ms = ?3,
             closed_ms = NULL, close_reason = NULL WHERE id = ?1 AND state IN ('pending', 'expired')",
            params![id.0, ms(now), deadline],
        )?;
        self.get(id)
    }

    pub fn status(&self) -> Result<QueueStatus, OutboxError> {
        let mut statement = self.conn.prepare("SELECT state, COUNT(*) FROM commands GROUP BY state")?;
        let mut counts: Vec<(State, u64)> = State::ALL.iter().map(|s| (*s, 0)).collect();
        let rows = statement.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))?;
        for row in rows {
            let (state, count) = row?;
            if let Some(entry) = State::parse(&state).and_then(|state| counts.iter_mut().find(|(s, _)| *s == state)) {
                entry.1 = u64::try_from(count).unwrap_or(0);
            }
        }
        let oldest: Option<i64> = self.conn.query_row(
            "SELECT MIN(created_ms) FROM commands WHERE state IN ('pending', 'in_flight')",
            [],
            |r| r.get(0),
        )?;
        Ok(QueueStatus { counts, oldest_open: oldest.map(from_ms) })
    }

    /// The highest command id ever stored (0 when empty).
    pub fn last_id(&self) -> Result<i64, OutboxError> {
        Ok(self.conn.query_row("SELECT COALESCE(MAX(id), 0) FROM commands", [], |r| r.get(0))?)
    }

    /// Writes the WAL back into the database and empties it, so that finished commands' old contents (a
    /// session's token) do not linger in the `-wal` file; deleted content in the database is zeroed by
    /// `secure_delete`.
    pub fn scrub(&self) -> Result<(), OutboxError> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// How many commands are open (pending or in flight).
    pub fn open_count(&self) -> Result<usize, OutboxError> {
        let open: i64 =
            self.conn
                .query_row("SELECT COUNT(*) FROM commands WHERE state IN ('pending', 'in_flight')", [], |r| r.get(0))?;
        Ok(usize::try_from(open).unwrap_or(usize::MAX))
    }
}

/// The first of `resources` an open reversal touches.
fn open_reversal_on(tx: &rusqlite::Transaction<'_>, resources: &[String]) -> Result<Option<String>, OutboxError> {
    if resources.is_empty() {
        return Ok(None);
    }
    let mut statement = tx.prepare_cached(
        "SELECT resources FROM commands WHERE kind = 'reversal' AND state IN ('pending', 'in_flight')",
    )?;
    let open: Vec<String> = statement.query_map([], |row| row.get(0))?.collect::<Result<_, _>>()?;
    Ok(resources
        .iter()
        .find(|resource| open.iter().any(|held| held.split_whitespace().any(|r| r == *resource)))
        .cloned())
}

fn insert(
    tx: &rusqlite::Transaction<'_>,
    command: &NewCommand,
    policy: &PolicySettings,
    now: DateTime<Utc>,
    state: State,
) -> Result<(), OutboxError> {
    tx.execute(
        "INSERT INTO commands (idempotency_key, kind, lane, method, path, payload, interactive, reverses, state,
                               created_ms, deadline_ms, not_before_ms, session_token, resources)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?12, ?9, ?10, ?9, ?11, ?13)",
        params![
            command.key.to_string(),
            command.kind.as_str(),
            command.lane,
            command.method,
            command.path,
            command.payload.to_string(),
            command.interactive,
            command.reverses.map(|key| key.to_string()),
            ms(now),
            policy.deadline(command.kind, now).map(ms),
            command.session_token.as_ref().map(|token| token.0.as_str()),
            state.as_str(),
            command.resources.join(" "),
        ],
    )?;
    Ok(())
}

/// How a payment's settlement was decided: see [`OutboxStore::settle_payment`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettleMode {
    /// The customer's wait ended: a final answer already stored is kept and shown.
    KeepAnswer,
    /// Nobody will see the outcome: undo it whatever it reached.
    Reverse,
}

/// What [`OutboxStore::settle_payment`] decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Settlement {
    /// The payment already had its final answer (done or refused): the customer is shown it.
    Answered(StoredCommand),
    /// The payment's reversal is stored and will be sent until the central acknowledges it.
    Reversing(StoredCommand),
    /// The payment was never stored, so never sent: nothing to undo.
    NotStored,
}

/// The final outcome of a payment, as the journal records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    /// Applied at the central and not undone.
    Done,
    /// Refused by the central: never applied.
    Refused { code: String },
    /// Undone: withdrawn and reversed, the reversal acknowledged by the central.
    Reversed { reason: String },
    /// Withdrawn by a technician before it was ever sent.
    Withdrawn { reason: String },
    /// The central refused the reversal: the payment may stand although the customer was told it would
    /// not. Staff must attend the customer.
    ReversalRefused { code: String },
    /// Expired unanswered: reconcile with the central.
    Unknown { reason: String },
}

impl PaymentOutcome {
    /// None while the payment or its reversal is still open, or while a completed payment's customer may
    /// still have it reversed (its reversal on standby).
    fn of(payment: &StoredCommand, reversal: Option<&StoredCommand>) -> Option<PaymentOutcome> {
        if payment.state == State::Done && reversal.is_some_and(|r| r.state == State::Standby) {
            return None;
        }
        let active_reversal = reversal.filter(|r| !matches!(r.state, State::Standby | State::Cancelled));
        if let Some(reversal) = active_reversal {
            return match reversal.state {
                State::Done => Some(PaymentOutcome::Reversed {
                    reason: reversal.payload.get("reason").and_then(|r| r.as_str()).unwrap_or("").to_owned(),
                }),
                State::Rejected => Some(PaymentOutcome::ReversalRefused { code: problem_code(reversal) }),
                State::Pending | State::InFlight => None,
                _ => Some(PaymentOutcome::Unknown { reason: format!("reversal {}", reversal.state.as_str()) }),
            };
        }
        match payment.state {
            State::Done => Some(PaymentOutcome::Done),
            State::Rejected => Some(PaymentOutcome::Refused { code: problem_code(payment) }),
            State::Cancelled => {
                Some(PaymentOutcome::Withdrawn { reason: payment.close_reason.clone().unwrap_or_default() })
            }
            State::Pending | State::InFlight => None,
            other => Some(PaymentOutcome::Unknown { reason: other.as_str().to_owned() }),
        }
    }

    /// Whether the money was charged and stays charged.
    pub fn charged(&self) -> bool {
        matches!(self, PaymentOutcome::Done | PaymentOutcome::ReversalRefused { .. })
    }
}

fn problem_code(command: &StoredCommand) -> String {
    command.answer.as_ref().and_then(|a| a.get("code")).and_then(|c| c.as_str()).unwrap_or("unknown").to_owned()
}

/// A payment whose outcome is final, with its reversal.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentSettlement {
    pub payment: StoredCommand,
    pub reversal: Option<StoredCommand>,
    pub outcome: PaymentOutcome,
}
