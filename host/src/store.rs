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
        })
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
    session_token TEXT
);
CREATE INDEX IF NOT EXISTS commands_by_state ON commands(state, id);
CREATE INDEX IF NOT EXISTS commands_by_reverses ON commands(reverses);
";

const COLUMNS: &str = "id, idempotency_key, kind, lane, method, path, payload, interactive, reverses, state, \
    created_ms, deadline_ms, failures, not_before_ms, last_error, answer_status, answer, closed_ms, close_reason, session_token";

fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn bad_column(index: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, what.to_string().into())
}

fn read_command(row: &Row<'_>) -> rusqlite::Result<StoredCommand> {
    let key: String = row.get(1)?;
    let kind: String = row.get(2)?;
    let payload: String = row.get(6)?;
    let reverses: Option<String> = row.get(8)?;
    let state: String = row.get(9)?;
    let answer: Option<String> = row.get(16)?;
    Ok(StoredCommand {
        id: CommandId(row.get(0)?),
        key: Uuid::parse_str(&key).map_err(|_| bad_column(1, "idempotency key"))?,
        kind: CommandKind::parse(&kind).ok_or_else(|| bad_column(2, "kind"))?,
        lane: row.get(3)?,
        method: row.get(4)?,
        path: row.get(5)?,
        payload: serde_json::from_str(&payload).map_err(|_| bad_column(6, "payload"))?,
        interactive: row.get(7)?,
        reverses: reverses.map(|text| Uuid::parse_str(&text)).transpose().map_err(|_| bad_column(8, "reverses"))?,
        state: State::parse(&state).ok_or_else(|| bad_column(9, "state"))?,
        created_at: from_ms(row.get(10)?),
        deadline: row.get::<_, Option<i64>>(11)?.map(from_ms),
        failures: row.get(12)?,
        not_before: from_ms(row.get(13)?),
        last_error: row.get(14)?,
        answer_status: row.get(15)?,
        answer: answer.and_then(|text| serde_json::from_str(&text).ok()),
        closed_at: row.get::<_, Option<i64>>(17)?.map(from_ms),
        close_reason: row.get(18)?,
        session_token: row.get::<_, Option<String>>(19)?.map(SessionToken),
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
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

impl OutboxStore {
    pub fn open(path: &Path) -> Result<OutboxStore, OutboxError> {
        let conn = open_durable(path)?;
        conn.execute_batch(SCHEMA)?;
        Ok(OutboxStore { conn })
    }

    /// Writes a new pending command, refusing it when the open commands reach the bound. Returns the
    /// stored row: from here on the command survives a crash.
    pub fn enqueue(
        &mut self,
        command: &NewCommand,
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
        insert(&tx, command, policy, now)?;
        let id = CommandId(tx.last_insert_rowid());
        tx.commit()?;
        self.get(id)
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
        if !current.state.can_cancel() {
            return Err(OutboxError::WrongState {
                id,
                state: current.state.as_str(),
                action: "cancel",
                needed: "pending, expired or rejected (wait for an in-flight command's answer)",
            });
        }
        let changed = self.conn.execute(
            "UPDATE commands SET state = 'cancelled', closed_ms = ?2, close_reason = ?3, session_token = NULL
             WHERE id = ?1 AND state = ?4",
            params![id.0, ms(now), reason, current.state.as_str()],
        )?;
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

    /// The customer could not wait for a payment's answer: in one transaction, the payment is withdrawn
    /// (if it is still open) and its reversal is stored. Returns `Ok(None)` when the payment already has
    /// its final answer (the caller uses that answer instead). The reversal is stored even past the queue
    /// bound: it frees money, it is never refused.
    pub fn withdraw_with_reversal(
        &mut self,
        payment: CommandId,
        reversal: &NewCommand,
        policy: &PolicySettings,
        now: DateTime<Utc>,
    ) -> Result<Option<StoredCommand>, OutboxError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE commands SET state = 'cancelled', closed_ms = ?2, session_token = NULL,
             close_reason = 'no answer in time: reversed, the customer was told no charge stands'
             WHERE id = ?1 AND state IN ('pending', 'in_flight')",
            params![payment.0, ms(now)],
        )?;
        if changed == 0 {
            return Ok(None);
        }
        insert(&tx, reversal, policy, now)?;
        let id = CommandId(tx.last_insert_rowid());
        tx.commit()?;
        self.get(id).map(Some)
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

    /// How many commands are open (pending or in flight).
    pub fn open_count(&self) -> Result<usize, OutboxError> {
        let open: i64 =
            self.conn
                .query_row("SELECT COUNT(*) FROM commands WHERE state IN ('pending', 'in_flight')", [], |r| r.get(0))?;
        Ok(usize::try_from(open).unwrap_or(usize::MAX))
    }
}

fn insert(
    tx: &rusqlite::Transaction<'_>,
    command: &NewCommand,
    policy: &PolicySettings,
    now: DateTime<Utc>,
) -> Result<(), OutboxError> {
    tx.execute(
        "INSERT INTO commands (idempotency_key, kind, lane, method, path, payload, interactive, reverses, state,
                               created_ms, deadline_ms, not_before_ms, session_token)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9, ?10, ?9, ?11)",
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
        ],
    )?;
    Ok(())
}
