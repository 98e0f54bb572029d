//! The outbox's deterministic core: the pure policy (`policy::Queue`) and the SQLite store owned
//! together, so that every change to a command's state goes through one owner, in one order. It reads
//! no clock and no random source (time and jitter are arguments) and sends nothing: it says what to send
//! and stores what came back. The tokio dispatcher (`outbox`) is a thin shell around it; the simulation
//! tests drive it directly with a simulated clock, a scripted central and crashes at any step.
//!
//! Architecture invariant (the money promise): for every payment, exactly one ends up true and the store
//! says which — done (applied, answer stored) or not done (refused, or reversed with the reversal
//! acknowledged). A payment's reversal is written with the payment, before its first byte is sent
//! ([`State::Standby`]); undoing the payment activates it in place. Reversals go first: no payment is sent
//! while a reversal on one of its loans or accounts is open.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::client::{HostError, Problem, Reply};
use crate::policy::{Action, CommandId, CommandKind, PolicySettings, Queue, SendOutcome, State};
use crate::store::{
    NewCommand, OutboxError, OutboxStore, PaymentSettlement, QueueStatus, SettleMode, Settlement, StoredCommand,
};

/// Builds a payment's reversal: the route and body the central expects, from the payment's key and body.
pub type ReversalBuilder =
    std::sync::Arc<dyn Fn(Uuid, &serde_json::Value) -> (String, serde_json::Value) + Send + Sync>;

/// The key of a payment's reversal: derived from the payment's key, so the reversal stored beside the
/// payment and any later one built for it are the same command at the central.
pub fn reversal_key(payment: Uuid) -> Uuid {
    derived_key("reversal", payment)
}

/// A key derived from another for one purpose (`domain`): the same inputs always give the same key, so a
/// record written before a crash is recognised after it.
pub fn derived_key(domain: &str, key: Uuid) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest([b"servicaja-", domain.as_bytes(), b":", key.as_bytes().as_slice()].concat());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// A command reached a final state.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub id: CommandId,
    pub key: Uuid,
    pub state: State,
    pub status: Option<u16>,
    pub answer: Option<serde_json::Value>,
}

impl Completion {
    pub fn of(command: &StoredCommand) -> Completion {
        Completion {
            id: command.id,
            key: command.key,
            state: command.state,
            status: command.answer_status,
            answer: command.answer.clone(),
        }
    }
}

/// What happened at start-up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Started {
    /// Commands left in flight by a crash, resent with their keys.
    pub recovered: usize,
    /// Payments a customer was waiting for when the kiosk stopped: reversed.
    pub reversed: Vec<StoredCommand>,
    /// Rows that cannot be read back, set aside for technicians.
    pub set_aside: Vec<StoredCommand>,
}

/// What to do after [`Engine::poll`].
#[derive(Debug, Default)]
pub struct Polled {
    /// Marked in flight: send each, then give its result to [`Engine::record`].
    pub send: Vec<StoredCommand>,
    /// Expired now.
    pub expired: Vec<Completion>,
}

/// What [`Engine::record`] stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    /// The command is final.
    Final(Completion),
    /// A transient failure: sent again at `at`.
    RetryAt { at: DateTime<Utc>, failures: u32 },
    /// The command had been withdrawn meanwhile: its answer is kept beside it, its state unchanged.
    Late,
}

/// The sealed head of the outbox (`outbox.head` beside the database, `crate::seal`): the highest command
/// id ever stored and how many were open, so that a deleted, emptied or cut-short database is noticed at
/// start instead of being silently replaced by an empty one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxHead {
    pub last_id: i64,
    pub open: u64,
}

/// The sealed head's file name.
pub const HEAD_FILE: &str = "outbox.head";

/// The outbox's core. See the module documentation.
pub struct Engine {
    store: OutboxStore,
    queue: Queue,
    reversal: ReversalBuilder,
    /// Set when a write failed: no new command is taken until the kiosk is restarted by a technician.
    fault: Option<String>,
    /// Where the head is sealed; None for an engine started on a bare store (tests).
    sealer: Option<crate::seal::Sealer>,
    head: OutboxHead,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("open", &self.queue.len()).field("fault", &self.fault).finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens the store and recovers from whatever stopped the kiosk: damaged rows are set aside, commands
    /// left in flight go back to pending, and payments whose customer was waiting are reversed.
    pub fn start(
        mut store: OutboxStore,
        policy: PolicySettings,
        reversal: ReversalBuilder,
        now: DateTime<Utc>,
    ) -> Result<(Engine, Started), OutboxError> {
        let set_aside = store.set_aside_unreadable()?;
        let recovered = store.recover_in_flight()?;
        let fallback =
            |payment: &StoredCommand| standby_reversal(&reversal, payment.key, &payment.payload, &payment.resources);
        let reversed = store.reverse_abandoned_payments(fallback, &policy, now)?;
        store.release_all_standby(now)?;
        let mut queue = Queue::new(policy);
        for command in store.open_commands()? {
            if command.damage.is_none() {
                queue.insert(command.open_view());
            }
        }
        let engine = Engine { store, queue, reversal, fault: None, sealer: None, head: OutboxHead::default() };
        Ok((engine, Started { recovered, reversed, set_aside }))
    }

    /// Opens the outbox database at `path` with its sealed head (`outbox.head` beside it) and starts:
    /// a database that is missing, empty or cut short while the head says it held commands is refused
    /// ([`OutboxError::Lost`]), never replaced by an empty one.
    pub fn open(
        path: &Path,
        policy: PolicySettings,
        reversal: ReversalBuilder,
        now: DateTime<Utc>,
    ) -> Result<(Engine, Started), OutboxError> {
        let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let sealer = crate::seal::Sealer::open(dir).map_err(|err| OutboxError::Head(err.to_string()))?;
        let head: Option<OutboxHead> = sealer.read(HEAD_FILE).map_err(|err| OutboxError::Head(err.to_string()))?;
        let lost = |what: &str, head: OutboxHead| OutboxError::Lost {
            path: path.display().to_string(),
            what: what.to_owned(),
            last_id: head.last_id,
            open: head.open,
        };
        if let Some(head) = head.filter(|head| head.last_id > 0) {
            match std::fs::metadata(path) {
                Err(_) => return Err(lost("is missing", head)),
                Ok(meta) if meta.len() == 0 => return Err(lost("is empty", head)),
                Ok(_) => {}
            }
        }
        let store = match OutboxStore::open(path) {
            Ok(store) => store,
            Err(OutboxError::Sqlite(err)) => {
                return Err(OutboxError::Damaged { path: path.display().to_string(), problem: err.to_string() });
            }
            Err(err) => return Err(err),
        };
        let checked = store.quick_check().map_err(|err| err.to_string());
        if let Err(problem) | Ok(Some(problem)) = checked {
            return Err(OutboxError::Damaged { path: path.display().to_string(), problem });
        }
        if let Some(head) = head
            && store.last_id()? < head.last_id
        {
            return Err(lost(&format!("holds commands only up to N.° {}", store.last_id()?), head));
        }
        let (mut engine, started) = Engine::start(store, policy, reversal, now)?;
        engine.sealer = Some(sealer);
        engine.seal_head()?;
        Ok((engine, started))
    }

    /// Seals the current head (after every change to the highest id or the open count).
    fn seal_head(&mut self) -> Result<(), OutboxError> {
        let Some(sealer) = &self.sealer else { return Ok(()) };
        let head = OutboxHead {
            last_id: self.store.last_id()?,
            open: u64::try_from(self.store.open_count()?).unwrap_or(u64::MAX),
        };
        if head == self.head {
            return Ok(());
        }
        let written = sealer.write(HEAD_FILE, &head).map_err(|err| OutboxError::StorageFault(err.to_string()));
        self.guard(written)?;
        self.head = head;
        Ok(())
    }

    /// Empties the WAL so finished commands' old contents do not linger on disk (see [`OutboxStore::scrub`]).
    pub fn scrub(&mut self) -> Result<(), OutboxError> {
        let scrubbed = self.store.scrub();
        self.guard(scrubbed)
    }

    pub fn store(&self) -> &OutboxStore {
        &self.store
    }

    pub fn policy(&self) -> &PolicySettings {
        self.queue.settings()
    }

    /// Why the outbox stopped taking commands, if it did.
    pub fn fault(&self) -> Option<&str> {
        self.fault.as_deref()
    }

    /// Notes a failed write; returns the error unchanged.
    fn guard<R>(&mut self, result: Result<R, OutboxError>) -> Result<R, OutboxError> {
        if let Err(err) = &result
            && err.is_storage_fault()
            && self.fault.is_none()
        {
            self.fault = Some(err.to_string());
        }
        result
    }

    /// Stores a command durably (with its standby reversal if it is a payment) and queues it. Refused
    /// past the bound, after a storage fault, or — for a payment — while a reversal on its loan or account
    /// is open.
    pub fn enqueue(&mut self, command: &NewCommand, now: DateTime<Utc>) -> Result<StoredCommand, OutboxError> {
        if let Some(fault) = &self.fault {
            return Err(OutboxError::StorageFault(fault.clone()));
        }
        let policy = self.queue.settings().clone();
        let standby = (command.kind == CommandKind::Payment)
            .then(|| standby_reversal(&self.reversal, command.key, &command.payload, &command.resources));
        let stored = self.store.enqueue_with_standby(command, standby.as_ref(), &policy, now);
        let stored = self.guard(stored)?;
        self.queue.insert(stored.open_view());
        self.seal_head()?;
        Ok(stored)
    }

    /// Expires what is too old and marks in flight at most `capacity` commands due at `now`.
    pub fn poll(&mut self, now: DateTime<Utc>, capacity: usize) -> Result<Polled, OutboxError> {
        let actions = self.queue.poll(now, capacity);
        let mut to_send = Vec::new();
        let mut to_expire = Vec::new();
        for action in actions {
            match action {
                Action::Send(id) => to_send.push(id),
                Action::Expire(id) => to_expire.push(id),
            }
        }
        let mut polled = Polled::default();
        if !to_expire.is_empty() {
            let expired = self.store.expire(&to_expire, now);
            self.guard(expired)?;
            self.seal_head()?;
            for id in to_expire {
                polled.expired.push(Completion::of(&self.store.get(id)?));
            }
        }
        if to_send.is_empty() {
            return Ok(polled);
        }
        let marked = self.store.mark_in_flight(&to_send);
        let marked = match self.guard(marked) {
            Ok(marked) => marked,
            Err(err) => {
                for id in to_send {
                    self.queue.on_outcome(id, &SendOutcome::Transient { retry_after: None }, now, 0.0);
                }
                return Err(err);
            }
        };
        for id in &to_send {
            if !marked.iter().any(|command| command.id == *id) {
                // Withdrawn or changed by another process since it was loaded.
                self.queue.remove(*id);
            }
        }
        for command in marked {
            if command.damage.is_some() {
                self.queue.remove(command.id);
                let set_aside = self.store.set_aside_unreadable();
                self.guard(set_aside)?;
                continue;
            }
            polled.send.push(command);
        }
        Ok(polled)
    }

    /// Stores the result of sending `command`. The store is the one owner of the state: a refusal is
    /// stored as refused and an acceptance as done, whatever the in-memory queue thought; a command
    /// withdrawn meanwhile keeps its state and gets its answer beside it.
    pub fn record(
        &mut self,
        command: &StoredCommand,
        result: Result<Reply, HostError>,
        now: DateTime<Utc>,
        jitter: f64,
    ) -> Result<Recorded, OutboxError> {
        let (outcome, status, answer, error) = classify(result);
        let id = command.id;
        let final_state = match outcome {
            SendOutcome::Accepted => Some(State::Done),
            SendOutcome::Rejected => Some(State::Rejected),
            SendOutcome::Transient { .. } => None,
        };
        match final_state {
            Some(state) => {
                self.queue.remove(id);
                let finished = self.store.finish(id, state, status, answer.as_ref(), now);
                let finished = self.guard(finished)?;
                self.seal_head()?;
                if finished {
                    Ok(Recorded::Final(Completion { id, key: command.key, state, status, answer }))
                } else {
                    Ok(Recorded::Late)
                }
            }
            None => {
                let in_queue = self.queue.get(id).is_some_and(|open| open.in_flight);
                if !in_queue {
                    return Ok(Recorded::Late);
                }
                let crate::policy::Transition::RetryAt { at, failures } =
                    self.queue.on_outcome(id, &outcome, now, jitter)
                else {
                    return Ok(Recorded::Late);
                };
                let error = error.unwrap_or_default();
                let stored = self.store.retry_later(id, failures, at, &error);
                if self.guard(stored)? { Ok(Recorded::RetryAt { at, failures }) } else { Ok(Recorded::Late) }
            }
        }
    }

    /// Settles a payment whose customer can no longer wait ([`OutboxStore::settle_payment`]): the answer
    /// it got, or its reversal stored — decided once, in one transaction.
    pub fn settle(
        &mut self,
        payment_key: Uuid,
        mode: SettleMode,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Settlement, OutboxError> {
        let (path, mut payload) = (self.reversal)(payment_key, &serde_json::Value::Null);
        if let Some(body) = payload.as_object_mut() {
            body.insert("reason".into(), serde_json::Value::String(reason.to_owned()));
        }
        let mut fallback = NewCommand::new(CommandKind::Reversal, format!("reversal:{payment_key}"), path, &payload)?;
        fallback.key = reversal_key(payment_key);
        fallback.reverses = Some(payment_key);
        if let Ok(Some(payment)) = self.store.get_by_key(payment_key) {
            fallback.resources = payment.resources;
            let (path, _) = (self.reversal)(payment_key, &payment.payload);
            fallback.path = path;
        }
        let policy = self.queue.settings().clone();
        let settled = self.store.settle_payment(payment_key, mode, reason, &fallback, &policy, now);
        if settled.is_err() {
            // The decision could not be stored: the payment is not sent again by this process. At the next
            // start it is still open and interactive, so it is reversed then.
            if let Ok(Some(payment)) = self.store.get_by_key(payment_key) {
                self.queue.remove(payment.id);
            }
        }
        let settled = self.guard(settled)?;
        match &settled {
            Settlement::Reversing(reversal) => {
                if let Ok(Some(payment)) = self.store.get_by_key(payment_key) {
                    // An in-flight payment's late answer is stored but changes nothing.
                    self.queue.remove(payment.id);
                }
                if reversal.state.is_open() {
                    self.queue.insert(reversal.open_view());
                }
            }
            Settlement::Answered(_) | Settlement::NotStored => {}
        }
        self.seal_head()?;
        Ok(settled)
    }

    /// The customers of these payments can no longer undo them (their session ended): completed payments
    /// become final ([`OutboxStore::release_standby`]).
    pub fn release(&mut self, payments: &[Uuid], now: DateTime<Utc>) -> Result<usize, OutboxError> {
        let released = self.store.release_standby(payments, now);
        self.guard(released)
    }

    /// Brings the queue in line with the store after another process (the technician's CLI) changed it.
    /// Commands in flight here are left alone.
    pub fn resync(&mut self) -> Result<(), OutboxError> {
        let open = self.store.open_commands()?;
        let open_ids: std::collections::BTreeSet<CommandId> = open.iter().map(|c| c.id).collect();
        for id in self.queue.ids() {
            if !open_ids.contains(&id) && self.queue.get(id).is_some_and(|c| !c.in_flight) {
                self.queue.remove(id);
            }
        }
        for command in open {
            if command.damage.is_some() || self.queue.get(command.id).is_some_and(|c| c.in_flight) {
                continue;
            }
            let mut view = command.open_view();
            view.in_flight = false;
            self.queue.insert(view);
        }
        Ok(())
    }

    /// The next moment something becomes due; None when only answers can move the queue.
    pub fn next_wakeup(&self) -> Option<DateTime<Utc>> {
        self.queue.next_wakeup()
    }

    /// How many commands are open in memory.
    pub fn open_len(&self) -> usize {
        self.queue.len()
    }

    /// Technician: send again now (same key).
    pub fn retry(&mut self, id: CommandId, now: DateTime<Utc>) -> Result<StoredCommand, OutboxError> {
        let policy = self.queue.settings().clone();
        let stored = self.store.retry(id, &policy, now);
        let stored = self.guard(stored)?;
        self.queue.insert(stored.open_view());
        Ok(stored)
    }

    /// Technician: withdraw with a reason (a payment's reversal is activated with it).
    pub fn cancel(&mut self, id: CommandId, reason: &str, now: DateTime<Utc>) -> Result<StoredCommand, OutboxError> {
        let cancelled = self.store.cancel(id, reason, now);
        let stored = self.guard(cancelled)?;
        self.queue.remove(id);
        self.seal_head()?;
        if stored.kind == CommandKind::Payment {
            self.resync()?;
        }
        Ok(stored)
    }

    pub fn status(&self) -> Result<QueueStatus, OutboxError> {
        self.store.status()
    }

    /// Payments settled but not yet journaled.
    pub fn unjournaled_settlements(&self) -> Result<Vec<PaymentSettlement>, OutboxError> {
        self.store.unjournaled_settlements()
    }

    pub fn mark_journaled(&mut self, payment: CommandId, now: DateTime<Utc>) -> Result<(), OutboxError> {
        let marked = self.store.mark_journaled(payment, now);
        self.guard(marked)
    }

    /// Whether a new payment on `resources` would be held back by an open reversal.
    pub fn reversal_open_on(&self, resources: &[String]) -> bool {
        self.queue.reversal_open_on(resources)
    }
}

/// The reversal written beside a payment: same loans and accounts, never expiring, its own lane.
fn standby_reversal(
    reversal: &ReversalBuilder,
    payment_key: Uuid,
    payment_payload: &serde_json::Value,
    resources: &[String],
) -> NewCommand {
    let (path, payload) = reversal(payment_key, payment_payload);
    NewCommand {
        key: reversal_key(payment_key),
        kind: CommandKind::Reversal,
        lane: format!("reversal:{payment_key}"),
        method: "POST".into(),
        path,
        payload,
        interactive: false,
        reverses: Some(payment_key),
        session_token: None,
        resources: resources.to_vec(),
    }
}

type Classified = (SendOutcome, Option<u16>, Option<serde_json::Value>, Option<String>);

/// A send's result as the policy sees it, with the status and answer to store.
fn classify(result: Result<Reply, HostError>) -> Classified {
    match result {
        Ok(reply) => (SendOutcome::Accepted, Some(reply.status), Some(reply.body), None),
        Err(err) => match err {
            HostError::Status { status, code, message, attempts_left, .. } if !status_is_transient(status) => (
                SendOutcome::Rejected,
                Some(status),
                Some(serde_json::to_value(Problem { code, message, attempts_left }).unwrap_or_default()),
                None,
            ),
            other => {
                let retry_after = match &other {
                    HostError::Status { retry_after, .. } => *retry_after,
                    _ => None,
                };
                (SendOutcome::Transient { retry_after }, None, None, Some(other.to_string()))
            }
        },
    }
}

fn status_is_transient(status: u16) -> bool {
    HostError::Status { status, code: String::new(), message: String::new(), attempts_left: None, retry_after: None }
        .is_transient()
}
