//! The running outbox: a tokio shell around the deterministic core (`engine::Engine`: the policy and the
//! SQLite store under one owner). It sends lane heads concurrently, stores every answer, and lets an
//! interactive caller wait for its answer up to a limit — after which a payment is settled in the store:
//! the answer it got, or its reversal activated, decided once.

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, broadcast, watch};
use tokio::task::JoinSet;
use uuid::Uuid;

use servicaja_core::api::{ReversalRequest, paths};

use crate::client::{HostClient, HostError, Method, Problem, Reply};
pub use crate::engine::{Completion, ReversalBuilder, Started};
use crate::engine::{Engine, Recorded};
use crate::policy::{CommandId, PolicySettings, State, TimeoutDecision};
use crate::store::{NewCommand, OutboxError, PaymentSettlement, QueueStatus, SettleMode, Settlement, StoredCommand};

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
pub fn default_reversal(payment_key: Uuid, payment: &serde_json::Value) -> (String, serde_json::Value) {
    let operation_id = payment
        .get("operation_id")
        .and_then(serde_json::Value::as_str)
        .map_or_else(|| payment_key.to_string(), str::to_string);
    let body = ReversalRequest { reason: "timeout".into() };
    (
        paths::fill(paths::PAYMENT_REVERSAL, "operation_id", &operation_id),
        serde_json::to_value(body).unwrap_or(serde_json::Value::Null),
    )
}

/// What an interactive caller learns.
#[derive(Debug, Clone, PartialEq)]
pub enum InteractiveOutcome {
    /// The central did it; its answer.
    Completed { id: CommandId, status: u16, answer: serde_json::Value },
    /// The central refused it with a business answer.
    Refused { id: CommandId, problem: Problem },
    /// No answer in time: the payment is withdrawn and its reversal is sent until acknowledged.
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
    engine: Mutex<Engine>,
    wake: Notify,
    completions: broadcast::Sender<Completion>,
    /// Why the outbox stopped taking commands (a write failed), for the kiosk's health.
    fault: watch::Sender<Option<String>>,
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
    /// Opens the store, recovers from whatever stopped the kiosk ([`Engine::start`]: damaged rows set
    /// aside, commands left in flight resent with their keys, payments whose customer was waiting
    /// reversed) and starts the dispatcher on the current tokio runtime.
    pub async fn start(
        path: &Path,
        policy: PolicySettings,
        transport: T,
        options: OutboxOptions,
    ) -> Result<(Outbox<T>, tokio::task::JoinHandle<()>), OutboxError> {
        let (outbox, dispatcher, _) = Outbox::start_reporting(path, policy, transport, options).await?;
        Ok((outbox, dispatcher))
    }

    /// [`Outbox::start`], also saying what was recovered.
    pub async fn start_reporting(
        path: &Path,
        policy: PolicySettings,
        transport: T,
        options: OutboxOptions,
    ) -> Result<(Outbox<T>, tokio::task::JoinHandle<()>, Started), OutboxError> {
        let path = path.to_path_buf();
        let reversal = options.reversal.clone();
        let (engine, started) = tokio::task::spawn_blocking(move || -> Result<_, OutboxError> {
            Engine::open(&path, policy, reversal, Utc::now())
        })
        .await
        .map_err(|_| OutboxError::Stopped)??;
        if started.recovered > 0 {
            tracing::warn!(recovered = started.recovered, "outbox: commands left in flight are resent with their keys");
        }
        for payment in &started.reversed {
            tracing::warn!(payment = %payment.key, "outbox: a payment a customer was waiting for when the kiosk stopped is reversed");
        }
        for row in &started.set_aside {
            tracing::error!(id = %row.id, damage = row.damage.as_deref().unwrap_or(""), "outbox: unreadable row set aside");
        }
        let (completions, _) = broadcast::channel(1024);
        let (fault, _) = watch::channel(None);
        let shared = Arc::new(Shared {
            engine: Mutex::new(engine),
            wake: Notify::new(),
            completions,
            fault,
            stopping: std::sync::atomic::AtomicBool::new(false),
            transport,
            options,
        });
        let dispatcher = tokio::spawn(dispatch(shared.clone()));
        Ok((Outbox { shared }, dispatcher, started))
    }

    /// Asks the dispatcher to stop after the answers it is waiting for.
    pub fn stop(&self) {
        self.shared.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        self.shared.wake.notify_one();
    }

    async fn with_engine<R: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Engine) -> Result<R, OutboxError> + Send + 'static,
    ) -> Result<R, OutboxError> {
        blocking(&self.shared, work).await
    }

    /// A watch on the outbox's storage fault: `Some(reason)` once a write failed. The kiosk then goes out
    /// of service before more money moves.
    pub fn fault(&self) -> watch::Receiver<Option<String>> {
        self.shared.fault.subscribe()
    }

    /// Stores the command durably (refused past the bound), then wakes the dispatcher. When this returns
    /// Ok, the command survives a crash and will be sent with its key.
    pub async fn enqueue(&self, command: NewCommand) -> Result<StoredCommand, OutboxError> {
        let stored = self.with_engine(move |engine| engine.enqueue(&command, Utc::now())).await?;
        self.shared.wake.notify_one();
        Ok(stored)
    }

    /// Enqueues a command a customer is waiting for and waits up to `wait` for its answer. Past that, a
    /// payment is settled ([`Outbox::settle`], keeping an answer stored meanwhile); anything else is
    /// delivered later.
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
            TimeoutDecision::Reverse => {
                let settled = self.settle(stored.key, SettleMode::KeepAnswer, "timeout").await?;
                Ok(match settled {
                    Settlement::Answered(payment) => outcome_of(&Completion::of(&payment)),
                    Settlement::Reversing(reversal) => {
                        InteractiveOutcome::NotCompleted { id: stored.id, reversal: reversal.key }
                    }
                    Settlement::NotStored => InteractiveOutcome::DeliverLater { id: stored.id },
                })
            }
        }
    }

    /// Settles a payment in one transaction ([`crate::store::OutboxStore::settle_payment`]) and wakes the
    /// dispatcher for its reversal.
    pub async fn settle(&self, payment: Uuid, mode: SettleMode, reason: &str) -> Result<Settlement, OutboxError> {
        let reason = reason.to_owned();
        let settled = self.with_engine(move |engine| engine.settle(payment, mode, &reason, Utc::now())).await?;
        if let Settlement::Reversing(reversal) = &settled {
            tracing::warn!(%payment, reversal = %reversal.key, "payment reversed");
        }
        self.shared.wake.notify_one();
        Ok(settled)
    }

    async fn wait_on(&self, completions: &mut broadcast::Receiver<Completion>, id: CommandId) -> Option<Completion> {
        loop {
            match completions.recv().await {
                Ok(done) if done.id == id => return Some(done),
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let current = self.get(id).await.ok()?;
                    if current.state.is_final() {
                        return Some(Completion::of(&current));
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Waits until the command is final, up to `wait`.
    pub async fn wait_final(&self, id: CommandId, wait: Duration) -> Result<Option<Completion>, OutboxError> {
        let mut completions = self.shared.completions.subscribe();
        let current = self.get(id).await?;
        if current.state.is_final() {
            return Ok(Some(Completion::of(&current)));
        }
        Ok(tokio::time::timeout(wait, self.wait_on(&mut completions, id)).await.ok().flatten())
    }

    /// A subscription to every command that reaches a final state.
    pub fn completions(&self) -> broadcast::Receiver<Completion> {
        self.shared.completions.subscribe()
    }

    pub async fn status(&self) -> Result<QueueStatus, OutboxError> {
        self.with_engine(|engine| engine.status()).await
    }

    pub async fn get(&self, id: CommandId) -> Result<StoredCommand, OutboxError> {
        self.with_engine(move |engine| engine.store().get(id)).await
    }

    pub async fn list(&self, states: Vec<State>) -> Result<Vec<StoredCommand>, OutboxError> {
        self.with_engine(move |engine| engine.store().list(&states, None)).await
    }

    /// Technician: send again now (same key).
    pub async fn retry(&self, id: CommandId) -> Result<StoredCommand, OutboxError> {
        let stored = self.with_engine(move |engine| engine.retry(id, Utc::now())).await?;
        self.shared.wake.notify_one();
        Ok(stored)
    }

    /// Technician: withdraw a pending or expired command, or close a rejected one, with a reason.
    pub async fn cancel(&self, id: CommandId, reason: String) -> Result<StoredCommand, OutboxError> {
        let stored = self.with_engine(move |engine| engine.cancel(id, &reason, Utc::now())).await?;
        self.shared.wake.notify_one();
        Ok(stored)
    }

    /// The customer's session ended: its completed payments are final ([`Engine::release`]).
    pub async fn release(&self, payments: Vec<Uuid>) -> Result<usize, OutboxError> {
        self.with_engine(move |engine| engine.release(&payments, Utc::now())).await
    }

    /// Empties the WAL of finished commands' old contents (the runtime does it when a session ends).
    pub async fn scrub(&self) -> Result<(), OutboxError> {
        self.with_engine(Engine::scrub).await
    }

    /// Payments whose outcome is final but not yet journaled.
    pub async fn unjournaled_settlements(&self) -> Result<Vec<PaymentSettlement>, OutboxError> {
        self.with_engine(|engine| engine.unjournaled_settlements()).await
    }

    /// The payment's settlement was journaled.
    pub async fn mark_journaled(&self, payment: CommandId) -> Result<(), OutboxError> {
        self.with_engine(move |engine| engine.mark_journaled(payment, Utc::now())).await
    }

    /// Whether a new payment on these loans or accounts would wait behind an open reversal.
    pub async fn reversal_open_on(&self, resources: Vec<String>) -> Result<bool, OutboxError> {
        self.with_engine(move |engine| Ok(engine.reversal_open_on(&resources))).await
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
        _ => InteractiveOutcome::DeliverLater { id: done.id },
    }
}

type SendResult = (StoredCommand, Result<Reply, HostError>);

/// The dispatcher loop: poll the engine, send, store answers, sleep until the next due time.
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
                if let Err(err) = blocking(&shared, Engine::resync).await {
                    tracing::error!(%err, "outbox: cannot re-read the store");
                }
            }
            let capacity = shared.options.concurrency.saturating_sub(sends.len());
            match blocking(&shared, move |engine| engine.poll(Utc::now(), capacity)).await {
                Ok(polled) => {
                    for done in polled.expired {
                        tracing::warn!(id = %done.id, "outbox: command expired, listed for reconciliation");
                        let _ = shared.completions.send(done);
                    }
                    for command in polled.send {
                        let delivery = shared.transport.deliver(&command);
                        sends.spawn(async move { (command, delivery.await) });
                    }
                }
                Err(err) => {
                    tracing::error!(%err, "outbox: cannot write to the store; retrying shortly");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            }
        }
        let saturated = sends.len() >= shared.options.concurrency;
        let next = if saturated || stopping { None } else { lock(&shared.engine).next_wakeup() };
        let wait = next
            .map_or(shared.options.resync_every, |at| (at - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .min(shared.options.resync_every);
        tokio::select! {
            Some(joined) = sends.join_next(), if !sends.is_empty() => {
                if let Ok((command, result)) = joined {
                    let id = command.id;
                    let recorded = blocking(&shared, move |engine| {
                        engine.record(&command, result, Utc::now(), rand::random::<f64>())
                    })
                    .await;
                    match recorded {
                        Ok(Recorded::Final(done)) => {
                            let _ = shared.completions.send(done);
                        }
                        Ok(Recorded::RetryAt { failures, .. }) => tracing::info!(%id, failures, "outbox: will retry"),
                        Ok(Recorded::Late) => {}
                        Err(err) => tracing::error!(%err, %id, "outbox: cannot store an answer; the command will be resent"),
                    }
                }
            }
            () = shared.wake.notified() => {}
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// Runs `work` on the engine on a blocking thread (SQLite waits for the disk), and publishes a storage
/// fault the first time one appears.
async fn blocking<R: Send + 'static, T: Transport>(
    shared: &Arc<Shared<T>>,
    work: impl FnOnce(&mut Engine) -> Result<R, OutboxError> + Send + 'static,
) -> Result<R, OutboxError> {
    let task = shared.clone();
    let (result, fault) = tokio::task::spawn_blocking(move || {
        let mut engine = lock(&task.engine);
        let result = work(&mut engine);
        (result, engine.fault().map(str::to_owned))
    })
    .await
    .map_err(|_| OutboxError::Stopped)?;
    if let Some(fault) = fault {
        shared.fault.send_if_modified(|current| {
            if current.is_none() {
                tracing::error!(%fault, "outbox: a write failed; the kiosk stops taking operations");
                *current = Some(fault);
                true
            } else {
                false
            }
        });
    }
    result
}
