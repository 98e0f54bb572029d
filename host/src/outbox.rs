//! The running outbox: a tokio shell around the pure policy (`policy::Queue`) and the SQLite store. It
//! sends lane heads concurrently, stores every answer, and lets an interactive caller wait for its answer
//! up to a limit — after which a payment is reversed durably and the customer is told no charge stands.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, broadcast};
use tokio::task::JoinSet;
use uuid::Uuid;

use servicaja_core::api::{ReversalRequest, paths};

use crate::client::{HostClient, HostError, Method, Problem, Reply};
use crate::policy::{Action, CommandId, PolicySettings, Queue, SendOutcome, State, TimeoutDecision, Transition};
use crate::store::{NewCommand, OutboxError, OutboxStore, QueueStatus, StoredCommand};

/// What the customer reads when a payment was cancelled for want of an answer (es-PE).
pub const NO_CHARGE_MESSAGE: &str =
    "La operación no se completó. No se realizó ningún cargo en su cuenta; puede intentarlo nuevamente.";
/// What the customer reads when a non-interactive command will be delivered later (es-PE).
pub const DELIVER_LATER_MESSAGE: &str =
    "Su solicitud quedó registrada y se enviará en cuanto se restablezca la comunicación con la central.";

/// Delivers one stored command to the central. `HostClient` is the real one.
pub trait Transport: Send + Sync + 'static {
    fn deliver(&self, command: &StoredCommand) -> impl Future<Output = Result<Reply, HostError>> + Send + 'static;
}

impl Transport for HostClient {
    fn deliver(&self, command: &StoredCommand) -> impl Future<Output = Result<Reply, HostError>> + Send + 'static {
        let client = self.clone();
        let method = Method::from_bytes(command.method.as_bytes()).unwrap_or(Method::POST);
        let path = command.path.clone();
        let key = command.key;
        let body = command.payload.clone();
        let token = command.session_token.as_ref().map(|token| token.0.clone());
        async move { client.send(method, &path, Some(key), token.as_deref(), Some(&body)).await }
    }
}

/// Builds the reversal of a payment: the route and body the central expects.
pub type ReversalBuilder = Arc<dyn Fn(&StoredCommand) -> (String, serde_json::Value) + Send + Sync>;

/// The dispatcher's knobs.
#[derive(Clone)]
pub struct OutboxOptions {
    /// Commands of different lanes sent at the same time.
    pub concurrency: usize,
    /// How often the dispatcher re-reads the store, to see a technician's `queue retry` or `cancel` made
    /// from another process.
    pub resync_every: Duration,
    pub reversal: ReversalBuilder,
}

impl std::fmt::Debug for OutboxOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxOptions")
            .field("concurrency", &self.concurrency)
            .field("resync_every", &self.resync_every)
            .finish_non_exhaustive()
    }
}

impl Default for OutboxOptions {
    fn default() -> Self {
        OutboxOptions { concurrency: 8, resync_every: Duration::from_secs(10), reversal: Arc::new(default_reversal) }
    }
}

/// The reversal route of the central API contract: keyed by the payment's `operation_id`, which the
/// kiosk chose before sending (so it is known even when no answer ever came back).
pub fn default_reversal(payment: &StoredCommand) -> (String, serde_json::Value) {
    let operation_id = payment
        .payload
        .get("operation_id")
        .and_then(serde_json::Value::as_str)
        .map_or_else(|| payment.key.to_string(), str::to_string);
    let body = ReversalRequest { reason: "timeout".into() };
    (
        paths::fill(paths::PAYMENT_REVERSAL, "operation_id", &operation_id),
        serde_json::to_value(body).unwrap_or(serde_json::Value::Null),
    )
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

/// What an interactive caller learns.
#[derive(Debug, Clone, PartialEq)]
pub enum InteractiveOutcome {
    /// The central did it; its answer.
    Completed { id: CommandId, status: u16, answer: serde_json::Value },
    /// The central refused it with a business answer.
    Refused { id: CommandId, problem: Problem },
    /// No answer in time: the payment is cancelled and a reversal is queued until acknowledged.
    NotCompleted { id: CommandId, reversal: Uuid },
    /// No answer in time: it stays queued and is delivered later.
    DeliverLater { id: CommandId },
}

impl InteractiveOutcome {
    /// The sentence to show the customer when the central's own answer is not what they see.
    pub fn customer_message(&self) -> Option<&'static str> {
        match self {
            InteractiveOutcome::NotCompleted { .. } => Some(NO_CHARGE_MESSAGE),
            InteractiveOutcome::DeliverLater { .. } => Some(DELIVER_LATER_MESSAGE),
            _ => None,
        }
    }
}

struct Shared<T> {
    store: Mutex<OutboxStore>,
    queue: Mutex<Queue>,
    wake: Notify,
    completions: broadcast::Sender<Completion>,
    stopping: std::sync::atomic::AtomicBool,
    transport: T,
    options: OutboxOptions,
}

fn lock<X>(mutex: &Mutex<X>) -> MutexGuard<'_, X> {
    // A panic while holding the lock leaves plain data behind; the store's truth is on disk anyway.
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A handle on the running outbox. Cheap to clone.
pub struct Outbox<T: Transport> {
    shared: Arc<Shared<T>>,
}

impl<T: Transport> Clone for Outbox<T> {
    fn clone(&self) -> Self {
        Outbox { shared: self.shared.clone() }
    }
}

impl<T: Transport> Outbox<T> {
    /// Opens the store, puts commands left in flight by a crash back to pending, and starts the
    /// dispatcher on the current tokio runtime.
    pub async fn start(
        path: &Path,
        policy: PolicySettings,
        transport: T,
        options: OutboxOptions,
    ) -> Result<(Outbox<T>, tokio::task::JoinHandle<()>), OutboxError> {
        let path = path.to_path_buf();
        let (store, open) = tokio::task::spawn_blocking(move || -> Result<_, OutboxError> {
            let mut store = OutboxStore::open(&path)?;
            let recovered = store.recover_in_flight()?;
            if recovered > 0 {
                tracing::warn!(recovered, "outbox: commands left in flight are resent with their keys");
            }
            let open = store.open_commands()?;
            Ok((store, open))
        })
        .await
        .map_err(|_| OutboxError::Stopped)??;
        let mut queue = Queue::new(policy);
        for command in &open {
            queue.insert(command.open_view());
        }
        let (completions, _) = broadcast::channel(1024);
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            queue: Mutex::new(queue),
            wake: Notify::new(),
            completions,
            stopping: std::sync::atomic::AtomicBool::new(false),
            transport,
            options,
        });
        let dispatcher = tokio::spawn(dispatch(shared.clone()));
        Ok((Outbox { shared }, dispatcher))
    }

    /// Asks the dispatcher to stop after the answers it is waiting for.
    pub fn stop(&self) {
        self.shared.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        self.shared.wake.notify_one();
    }

    async fn with_store<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut OutboxStore) -> Result<R, OutboxError> + Send + 'static,
    ) -> Result<R, OutboxError> {
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || work(&mut lock(&shared.store))).await.map_err(|_| OutboxError::Stopped)?
    }

    fn policy(&self) -> PolicySettings {
        lock(&self.shared.queue).settings().clone()
    }

    /// Stores the command durably (refused past the bound), then wakes the dispatcher. When this returns
    /// Ok, the command survives a crash and will be sent with its key.
    pub async fn enqueue(&self, command: NewCommand) -> Result<StoredCommand, OutboxError> {
        let policy = self.policy();
        let stored = self.with_store(move |store| store.enqueue(&command, &policy, Utc::now())).await?;
        lock(&self.shared.queue).insert(stored.open_view());
        self.shared.wake.notify_one();
        Ok(stored)
    }

    /// Enqueues a command a customer is waiting for and waits up to `wait` for its answer. Past that, a
    /// payment is withdrawn and reversed durably (`NotCompleted`); anything else is delivered later.
    pub async fn submit_interactive(
        &self,
        command: NewCommand,
        wait: Duration,
    ) -> Result<InteractiveOutcome, OutboxError> {
        let mut completions = self.shared.completions.subscribe();
        let stored = self.enqueue(command.interactive()).await?;
        if let Ok(Some(done)) = tokio::time::timeout(wait, self.wait_on(&mut completions, stored.id)).await {
            return Ok(outcome_of(&done));
        }
        match stored.kind.on_interactive_timeout() {
            TimeoutDecision::DeliverLater => Ok(InteractiveOutcome::DeliverLater { id: stored.id }),
            TimeoutDecision::Reverse => self.reverse(&stored).await,
        }
    }

    /// Withdraws a payment and queues its reversal; when the payment got its final answer meanwhile,
    /// that answer is returned instead.
    pub async fn reverse(&self, payment: &StoredCommand) -> Result<InteractiveOutcome, OutboxError> {
        let (path, payload) = (self.shared.options.reversal)(payment);
        self.reverse_as(payment, Uuid::now_v7(), path, payload).await
    }

    /// [`Outbox::reverse`] with the reversal's idempotency key, route and body chosen by the caller: a
    /// customer session names its own reversal command (and its reason).
    pub async fn reverse_as(
        &self,
        payment: &StoredCommand,
        key: Uuid,
        path: String,
        payload: serde_json::Value,
    ) -> Result<InteractiveOutcome, OutboxError> {
        let reversal = NewCommand {
            key,
            kind: crate::policy::CommandKind::Reversal,
            lane: format!("reversal:{}", payment.key),
            method: "POST".into(),
            path,
            payload,
            interactive: false,
            reverses: Some(payment.key),
            session_token: None,
        };
        let policy = self.policy();
        let payment_id = payment.id;
        let stored = self
            .with_store(move |store| store.withdraw_with_reversal(payment_id, &reversal, &policy, Utc::now()))
            .await?;
        match stored {
            Some(reversal) => {
                tracing::warn!(payment = %payment.key, reversal = %reversal.key, "payment reversed: no answer in time");
                {
                    let mut queue = lock(&self.shared.queue);
                    // If it is in flight, its late answer is stored but changes nothing.
                    queue.remove(payment_id);
                    queue.insert(reversal.open_view());
                }
                self.shared.wake.notify_one();
                Ok(InteractiveOutcome::NotCompleted { id: payment_id, reversal: reversal.key })
            }
            None => {
                let current = self.with_store(move |store| store.get(payment_id)).await?;
                Ok(outcome_of(&completion_of(&current)))
            }
        }
    }

    async fn wait_on(&self, completions: &mut broadcast::Receiver<Completion>, id: CommandId) -> Option<Completion> {
        loop {
            match completions.recv().await {
                Ok(done) if done.id == id => return Some(done),
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let current = self.with_store(move |store| store.get(id)).await.ok()?;
                    if current.state.is_final() {
                        return Some(completion_of(&current));
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Waits until the command is final, up to `wait`.
    pub async fn wait_final(&self, id: CommandId, wait: Duration) -> Result<Option<Completion>, OutboxError> {
        let mut completions = self.shared.completions.subscribe();
        let current = self.with_store(move |store| store.get(id)).await?;
        if current.state.is_final() {
            return Ok(Some(completion_of(&current)));
        }
        Ok(tokio::time::timeout(wait, self.wait_on(&mut completions, id)).await.ok().flatten())
    }

    /// A subscription to every command that reaches a final state.
    pub fn completions(&self) -> broadcast::Receiver<Completion> {
        self.shared.completions.subscribe()
    }

    pub async fn status(&self) -> Result<QueueStatus, OutboxError> {
        self.with_store(|store| store.status()).await
    }

    pub async fn get(&self, id: CommandId) -> Result<StoredCommand, OutboxError> {
        self.with_store(move |store| store.get(id)).await
    }

    pub async fn list(&self, states: Vec<State>) -> Result<Vec<StoredCommand>, OutboxError> {
        self.with_store(move |store| store.list(&states, None)).await
    }

    /// Technician: send again now (same key).
    pub async fn retry(&self, id: CommandId) -> Result<StoredCommand, OutboxError> {
        let policy = self.policy();
        let stored = self.with_store(move |store| store.retry(id, &policy, Utc::now())).await?;
        lock(&self.shared.queue).insert(stored.open_view());
        self.shared.wake.notify_one();
        Ok(stored)
    }

    /// Technician: withdraw a pending or expired command, or close a rejected one, with a reason.
    pub async fn cancel(&self, id: CommandId, reason: String) -> Result<StoredCommand, OutboxError> {
        let stored = self.with_store(move |store| store.cancel(id, &reason, Utc::now())).await?;
        lock(&self.shared.queue).remove(id);
        Ok(stored)
    }
}

fn completion_of(command: &StoredCommand) -> Completion {
    Completion {
        id: command.id,
        key: command.key,
        state: command.state,
        status: command.answer_status,
        answer: command.answer.clone(),
    }
}

fn outcome_of(done: &Completion) -> InteractiveOutcome {
    let answer = done.answer.clone().unwrap_or(serde_json::Value::Null);
    match done.state {
        State::Done => InteractiveOutcome::Completed { id: done.id, status: done.status.unwrap_or(200), answer },
        State::Rejected => InteractiveOutcome::Refused {
            id: done.id,
            problem: serde_json::from_value(answer).unwrap_or_else(|_| Problem {
                code: "unknown".into(),
                message: String::new(),
                attempts_left: None,
            }),
        },
        // Cancelled (by a technician, or reversed meanwhile) or expired: no charge stands for a payment.
        State::Cancelled | State::Expired | State::Pending | State::InFlight => {
            InteractiveOutcome::DeliverLater { id: done.id }
        }
    }
}

type SendResult = (StoredCommand, Result<Reply, HostError>);

/// The dispatcher loop: poll the policy, persist, send, store answers, sleep until the next due time.
async fn dispatch<T: Transport>(shared: Arc<Shared<T>>) {
    let mut sends: JoinSet<SendResult> = JoinSet::new();
    let mut last_resync = tokio::time::Instant::now();
    loop {
        let stopping = shared.stopping.load(std::sync::atomic::Ordering::SeqCst);
        if stopping && sends.is_empty() {
            return;
        }
        if !stopping {
            if last_resync.elapsed() >= shared.options.resync_every {
                last_resync = tokio::time::Instant::now();
                resync(&shared).await;
            }
            let now = Utc::now();
            let capacity = shared.options.concurrency.saturating_sub(sends.len());
            let actions = lock(&shared.queue).poll(now, capacity);
            if let Err(err) = apply(&shared, &mut sends, actions, now).await {
                tracing::error!(%err, "outbox: cannot write to the store; retrying shortly");
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue;
            }
        }
        let saturated = sends.len() >= shared.options.concurrency;
        let next = if saturated || stopping { None } else { lock(&shared.queue).next_wakeup() };
        let wait = next
            .map_or(shared.options.resync_every, |at| (at - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .min(shared.options.resync_every);
        tokio::select! {
            Some(joined) = sends.join_next(), if !sends.is_empty() => {
                if let Ok((command, result)) = joined
                    && let Err(err) = record(&shared, command, result).await {
                        tracing::error!(%err, "outbox: cannot store an answer; the command will be resent");
                    }
            }
            () = shared.wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

async fn blocking<R: Send + 'static, T: Transport>(
    shared: &Arc<Shared<T>>,
    work: impl FnOnce(&mut OutboxStore) -> Result<R, OutboxError> + Send + 'static,
) -> Result<R, OutboxError> {
    let shared = shared.clone();
    tokio::task::spawn_blocking(move || work(&mut lock(&shared.store))).await.map_err(|_| OutboxError::Stopped)?
}

async fn apply<T: Transport>(
    shared: &Arc<Shared<T>>,
    sends: &mut JoinSet<SendResult>,
    actions: Vec<Action>,
    now: DateTime<Utc>,
) -> Result<(), OutboxError> {
    let mut to_send = Vec::new();
    let mut to_expire = Vec::new();
    for action in actions {
        match action {
            Action::Send(id) => to_send.push(id),
            Action::Expire(id) => to_expire.push(id),
        }
    }
    if !to_expire.is_empty() {
        let ids = to_expire.clone();
        blocking(shared, move |store| store.expire(&ids, now)).await?;
        for id in to_expire {
            tracing::warn!(%id, "outbox: command expired, listed for reconciliation");
            if let Ok(command) = blocking(shared, move |store| store.get(id)).await {
                let _ = shared.completions.send(completion_of(&command));
            }
        }
    }
    if to_send.is_empty() {
        return Ok(());
    }
    let ids = to_send.clone();
    let marked = match blocking(shared, move |store| store.mark_in_flight(&ids)).await {
        Ok(marked) => marked,
        Err(err) => {
            let mut queue = lock(&shared.queue);
            for id in to_send {
                queue.on_outcome(id, &SendOutcome::Transient { retry_after: None }, now, 0.0);
            }
            return Err(err);
        }
    };
    let marked_ids: BTreeSet<CommandId> = marked.iter().map(|c| c.id).collect();
    {
        let mut queue = lock(&shared.queue);
        for id in to_send.iter().filter(|id| !marked_ids.contains(id)) {
            // Withdrawn or changed by another process since we loaded it.
            queue.remove(*id);
        }
    }
    for command in marked {
        let delivery = shared.transport.deliver(&command);
        sends.spawn(async move { (command, delivery.await) });
    }
    Ok(())
}

async fn record<T: Transport>(
    shared: &Arc<Shared<T>>,
    command: StoredCommand,
    result: Result<Reply, HostError>,
) -> Result<(), OutboxError> {
    let now = Utc::now();
    let (outcome, status, answer, error) = match result {
        Ok(reply) => (SendOutcome::Accepted, Some(reply.status), Some(reply.body), None),
        Err(err) => match err {
            HostError::Status { status, code, message, attempts_left, .. } if !err_is_transient(status) => (
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
    };
    let transition = lock(&shared.queue).on_outcome(command.id, &outcome, now, rand::random::<f64>());
    let id = command.id;
    match transition {
        Transition::Done | Transition::Rejected | Transition::Ignored => {
            let state = match transition {
                Transition::Rejected => State::Rejected,
                _ => State::Done,
            };
            if matches!(transition, Transition::Ignored) && answer.is_none() {
                return Ok(());
            }
            let stored_answer = answer.clone();
            let finished =
                blocking(shared, move |store| store.finish(id, state, status, stored_answer.as_ref(), now)).await?;
            if finished {
                let _ = shared.completions.send(Completion { id, key: command.key, state, status, answer });
            }
        }
        Transition::RetryAt { at, failures } => {
            let error = error.unwrap_or_default();
            tracing::info!(%id, failures, %error, "outbox: will retry");
            blocking(shared, move |store| store.retry_later(id, failures, at, &error)).await?;
        }
    }
    Ok(())
}

/// Brings the in-memory queue in line with the store (another process may have retried or withdrawn a
/// command). Commands this dispatcher has in flight are left alone.
async fn resync<T: Transport>(shared: &Arc<Shared<T>>) {
    let Ok(open) = blocking(shared, |store| store.open_commands()).await else { return };
    let mut queue = lock(&shared.queue);
    let open_ids: BTreeSet<CommandId> = open.iter().map(|c| c.id).collect();
    let stale: Vec<CommandId> = queue.ids().into_iter().filter(|id| !open_ids.contains(id)).collect();
    for id in stale {
        if queue.get(id).is_some_and(|c| !c.in_flight) {
            queue.remove(id);
        }
    }
    for command in open {
        if queue.get(command.id).is_some_and(|c| c.in_flight) {
            continue;
        }
        let mut view = command.open_view();
        view.in_flight = false;
        queue.insert(view);
    }
}

fn err_is_transient(status: u16) -> bool {
    HostError::Status { status, code: String::new(), message: String::new(), attempts_left: None, retry_after: None }
        .is_transient()
}
