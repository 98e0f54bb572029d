//! The kiosk's runtime: the thin shell that carries out a customer session's effects against the real
//! services — reads through the host client, commands through the durable outbox, documents to the
//! printer or by e-mail, records to the journal — and answers with session events. It also turns the
//! devices' readings and status and the central's reachability into session events.
//!
//! Timers, redraws and the `Session` itself belong to the UI controller; the runtime ignores
//! `StartTimer`, `CancelTimer` and `Render`, and `Speak` / `StopSpeaking`, which the controller says through
//! its voice (`voice.rs` is that voice: espeak-ng). The session runs the interactive timer; when the customer's
//! wait ends it asks for the payment to be settled (`SettlePayment`), and the runtime has the outbox decide
//! once, in one transaction, between the answer stored meanwhile and the payment's reversal — the
//! customer is told only what was stored. A customer who leaves mid-payment (`ReversePayment`) has it
//! reversed whatever it reached. Every payment's final outcome is then journaled from the outbox (a
//! settlement record), so no payment applied at the central is left without a journal record, whatever
//! crashed in between. A write that fails, or a disk below its reserve, takes the kiosk out of service
//! (`storage`).
//!
//! Architecture invariant: secrets (the clave, an OTP, a new clave, the card number) are handed to the
//! host client or held in memory beside their command ([`SecretStore`]) and wiped when the
//! session ends; the outbox and the journal never see them.

pub mod certs;
pub mod config;
mod devices;
pub mod doctor;
mod documents;
pub mod export;
pub mod fleet;
pub mod paper;
pub mod pin;
pub mod reprint;
pub mod server_cert;
pub mod service_switch;
mod services;
mod storage;
pub mod voice;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use servicaja_core::api::EmailRequest;
use servicaja_core::settings::Settings;
use servicaja_drivers::devices::PrinterHandle;
use servicaja_drivers::printer::{FailReason, PrintJob};
use servicaja_host::journal::JOURNAL_FILE;
use servicaja_host::outbox::OutboxOptions;
use servicaja_host::store::{NewCommand, OUTBOX_FILE, SessionToken};
use servicaja_host::{HostClient, Journal, Outbox, OutboxError, PolicySettings, SettleMode, Settlement};
use servicaja_maintenance::{ReprintCriteria, Requester};
use servicaja_receipts::{Columns, Header};
use servicaja_session::{Command, Credentials, Effect, Event, Failure, PrintOutcome, Reply};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::reprint::{Candidate, Reprinted};
pub use devices::{current_status, device_events, pump_devices, status_events};
pub use documents::ReprintReply;
use documents::{Job, Medium, Rendered};
use servicaja_host::wire::{self, SecretStore, SecretTransport};
pub use services::KioskServices;
pub use storage::StorageHealth;

/// Where the runtime's answers and observations go: the UI controller feeds them to the `Session`.
pub type EventSink = Arc<dyn Fn(Event) + Send + Sync>;

/// An [`EventSink`] whose target is bound later (the window's controller exists only once the runtime it
/// is given does). Events that arrive before are kept and delivered, in order, at binding.
#[derive(Clone, Default)]
pub struct LateSink {
    state: Arc<Mutex<LateState>>,
}

#[derive(Default)]
struct LateState {
    target: Option<EventSink>,
    early: Vec<Event>,
}

impl LateSink {
    /// The sink to hand to [`Runtime::start`] and [`pump_devices`].
    pub fn sink(&self) -> EventSink {
        let state = self.state.clone();
        Arc::new(move |event| {
            let mut state = state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match &state.target {
                Some(target) => target(event),
                None => state.early.push(event),
            }
        })
    }

    /// Delivers the events kept so far to `target`, then every later one.
    pub fn bind(&self, target: EventSink) {
        let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for event in std::mem::take(&mut state.early) {
            target(event);
        }
        state.target = Some(target);
    }
}

/// Knobs that are not in the kiosk's configuration.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// How often the central's health is asked for.
    pub health_every: Duration,
    /// How often the data directory's free space is checked against the reserve.
    pub free_space_every: Duration,
    pub outbox: OutboxOptions,
    /// How often the fleet agent runs a round on the system clock (status reports, remote commands); `None`
    /// leaves it to the caller's [`fleet::FleetAgent::tick`] (tests with a hand-moved clock).
    pub fleet_every: Option<Duration>,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        Self {
            health_every: Duration::from_secs(5),
            free_space_every: Duration::from_secs(5),
            outbox: OutboxOptions::default(),
            fleet_every: Some(Duration::from_secs(1)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("the kiosk's data directory {0} cannot be created: {1}")]
    DataDir(PathBuf, std::io::Error),
    #[error("the outbox cannot start: {0}")]
    Outbox(#[from] servicaja_host::OutboxError),
    #[error("the journal cannot be opened: {0}")]
    Journal(#[from] servicaja_host::JournalError),
    #[error("the receipt width is not supported: {0}")]
    Receipts(#[from] servicaja_receipts::ReceiptError),
    #[error("a runtime thread cannot start: {0}")]
    Thread(std::io::Error),
}

/// The running runtime. Cheap to share behind an `Arc`; stops its tasks when dropped.
pub struct Runtime {
    inner: Arc<Inner>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

struct Inner {
    handle: tokio::runtime::Handle,
    client: HostClient,
    outbox: Outbox<SecretTransport>,
    secrets: SecretStore,
    printer: PrinterHandle,
    /// The kiosk's data directory (the paper counter lives there).
    data_dir: PathBuf,
    journal: Mutex<std::sync::mpsc::Sender<Job>>,
    submits: mpsc::UnboundedSender<Submission>,
    sink: EventSink,
    storage: StorageHealth,
    /// Wakes the settlement journaling (a session's payments were released).
    settlements_due: tokio::sync::Notify,
    /// How long an interactive command is awaited: a little past the session's own timer, which decides.
    interactive_wait: Duration,
    /// The fleet reporter: the session's activity is counted into it as its effects pass.
    fleet: Arc<fleet::FleetShared>,
}

/// Commands are stored in the order the session issued them, so that a payment is in the outbox before
/// its reversal is asked for.
enum Submission {
    Command {
        key: Uuid,
        token: Option<SessionToken>,
        command: Command,
        interactive: bool,
        credentials: Credentials,
        rendered: Option<oneshot::Receiver<Result<Rendered, String>>>,
    },
    Forget,
}

impl Runtime {
    /// Opens the outbox and the journal in the kiosk's data directory, starts the outbox's dispatcher,
    /// the journal thread and the health watch on the current tokio runtime.
    pub async fn start(
        settings: &Settings,
        client: HostClient,
        printer: PrinterHandle,
        sink: EventSink,
        options: RuntimeOptions,
    ) -> Result<Runtime, RuntimeError> {
        let data_dir = PathBuf::from(&settings.kiosk.data_dir);
        std::fs::create_dir_all(&data_dir).map_err(|err| RuntimeError::DataDir(data_dir.clone(), err))?;
        let secrets = SecretStore::default();
        let transport = SecretTransport::new(client.clone(), secrets.clone());
        let policy = PolicySettings::from(&settings.outbox);
        let journal = Journal::open(&data_dir.join(JOURNAL_FILE), settings.journal.disk_budget_mb)?;
        let (outbox, dispatcher, started) =
            Outbox::start_reporting(&data_dir.join(OUTBOX_FILE), policy, transport, options.outbox.clone()).await?;
        let storage = StorageHealth::new(sink.clone());
        let document_settings = documents::DocumentSettings {
            header: Header::from_settings(&settings.kiosk),
            columns: Columns::new(settings.printer.columns)?,
            logo_key: settings.printer.logo_key.clone(),
        };
        let (journal, _thread) =
            documents::spawn(journal, document_settings, storage.clone()).map_err(RuntimeError::Thread)?;
        for payment in started.reversed {
            let _ = journal.send(Job::Abandoned(Box::new(payment)));
        }
        let (submits, submissions) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            handle: tokio::runtime::Handle::current(),
            client,
            outbox,
            secrets,
            printer,
            data_dir,
            journal: Mutex::new(journal),
            submits,
            sink,
            storage: storage.clone(),
            settlements_due: tokio::sync::Notify::new(),
            interactive_wait: Duration::from_secs(u64::from(settings.session.interactive_timeout_seconds) + 2),
            fleet: Arc::new(fleet::FleetShared::new(settings)),
        });
        let tasks = vec![
            dispatcher,
            tokio::spawn(submit_loop(inner.clone(), submissions)),
            tokio::spawn(watch_health(inner.client.clone(), inner.sink.clone(), options.health_every)),
            tokio::spawn(journal_settlements(inner.clone())),
            tokio::spawn(watch_outbox_fault(inner.outbox.fault(), storage.clone())),
            tokio::spawn(storage::watch_free_space(
                storage,
                inner.data_dir.clone(),
                u64::from(settings.journal.free_space_reserve_mb) * 1024 * 1024,
                options.free_space_every,
            )),
        ];
        Ok(Runtime { inner, tasks })
    }

    /// The outbox, for technicians' views and tests.
    pub fn outbox(&self) -> &Outbox<SecretTransport> {
        &self.inner.outbox
    }

    /// Whether secrets of an open command are still held in memory.
    pub fn holds_secrets_for(&self, key: Uuid) -> bool {
        self.inner.secrets.holds(key)
    }

    /// Staff reprints: the receipts matching `criteria`, newest first, answered on the journal thread.
    pub fn search_receipts(&self, criteria: ReprintCriteria, reply: ReprintReply<Vec<Candidate>>) {
        self.inner.journal(Job::ReprintSearch { criteria, reply });
    }

    /// Staff reprints: the text of receipt record `seq` as it was printed, answered on the journal thread.
    pub fn preview_receipt(&self, seq: i64, reply: ReprintReply<String>) {
        self.inner.journal(Job::ReprintPreview { seq, reply });
    }

    /// Staff reprints: prints record `seq` marked DUPLICADO on the kiosk's printer and journals the reprint
    /// for `requester` at `at` (a customer is refused; nothing is journaled when it does not print).
    /// Answered on the journal thread, behind every record asked for before.
    pub fn reprint_receipt(&self, seq: i64, requester: Requester, at: DateTime<Utc>, reply: ReprintReply<Reprinted>) {
        let printer = self.inner.printer.clone();
        let paper_dir = Some(self.inner.data_dir.clone());
        self.inner.journal(Job::Reprint { seq, requester, at, printer, paper_dir, reply });
    }

    /// Maintenance entries (entry, exit, every action, with the user id) to the journal, in order behind the
    /// session's records.
    pub fn journal_maintenance(&self, entries: Vec<servicaja_maintenance::JournalEntry>) {
        for entry in entries {
            self.inner.journal(Job::Maintenance(entry));
        }
    }

    /// The tokio runtime the services run on (maintenance screens ask the outbox through it).
    pub fn handle(&self) -> &tokio::runtime::Handle {
        &self.inner.handle
    }

    /// Carries out one effect without blocking the caller (the UI thread may call it). Answers arrive
    /// later on the sink.
    pub fn execute(&self, effect: Effect) {
        let inner = &self.inner;
        inner.count_activity(&effect);
        match effect {
            // Speech is the controller's: it words a cue from the session it holds (the runtime has no copy of
            // the session's state) and hands the lines to its voice (`voice::EspeakVoice`), on the UI thread
            // where a key press must interrupt it at once. A runtime without a window (the end-to-end tests)
            // is silent.
            Effect::Render
            | Effect::StartTimer { .. }
            | Effect::CancelTimer(_)
            | Effect::Speak(_)
            | Effect::StopSpeaking => {}
            Effect::Query { request, token, query } => {
                let task = inner.clone();
                inner.handle.spawn(async move {
                    let token = token.as_ref().map(|token| token.expose().to_owned());
                    let answer = wire::query(&task.client, request, token.as_deref(), query).await;
                    (task.sink)(Event::Central { request, answer });
                });
            }
            Effect::Submit { key, token, command, interactive, credentials } => {
                let rendered = match &command {
                    Command::EmailDocument { document, .. } => Some(inner.render(document.clone(), Medium::Email)),
                    _ => None,
                };
                let token = token.map(|token| SessionToken(token.expose().to_owned()));
                let submission = Submission::Command { key, token, command, interactive, credentials, rendered };
                if inner.submits.send(submission).is_err() {
                    tracing::error!(%key, "runtime stopped: the command was not stored");
                }
            }
            Effect::Print { job, document } => {
                let rendered = inner.render(document, Medium::Printer);
                let task = inner.clone();
                inner.handle.spawn(async move {
                    let outcome = task.print(rendered).await;
                    (task.sink)(Event::Printed { job, outcome });
                });
            }
            Effect::PrepareQr { job, document } => {
                // Laid out on the journal thread like the printed copy: the same QR payload, tied to the
                // operation's journal record.
                let rendered = inner.render(document, Medium::Printer);
                let task = inner.clone();
                inner.handle.spawn(async move {
                    let payload = match rendered.await {
                        Ok(Ok(rendered)) => Some(rendered.document.qr_payload()),
                        Ok(Err(err)) => {
                            tracing::error!(%err, "the document's QR could not be made");
                            None
                        }
                        Err(_) => None,
                    };
                    (task.sink)(Event::QrReady { job, payload });
                });
            }
            Effect::Journal(entry) => inner.journal(Job::Journal(entry)),
            Effect::SessionEnded { .. } => {
                // In order behind the session's last commands and journal records.
                let _ = inner.submits.send(Submission::Forget);
                inner.journal(Job::Forget);
            }
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.inner.outbox.stop();
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Inner {
    /// The fleet report's activity and whether a customer is being served, from the session's effects.
    fn count_activity(&self, effect: &Effect) {
        use servicaja_session::JournalEntry;
        use std::sync::atomic::Ordering;
        match effect {
            Effect::Journal(JournalEntry::SessionStarted { .. }) => {
                self.fleet.customer_effects.store(true, Ordering::SeqCst);
                self.fleet.reporter().session_started();
            }
            Effect::Journal(JournalEntry::Operation { operation, outcome, .. }) => {
                self.fleet.reporter().operation(operation, outcome);
            }
            Effect::SessionEnded { .. } => {
                self.fleet.customer_effects.store(false, Ordering::SeqCst);
                self.fleet.wake.notify_one();
            }
            _ => {}
        }
    }

    fn journal(&self, job: Job) {
        let sender = self.journal.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Err(std::sync::mpsc::SendError(job)) = sender.send(job) {
            tracing::error!("journal thread stopped: a record was not written");
            job.refuse();
        }
    }

    /// Asks the journal thread for the document, behind every record the session asked for before.
    fn render(
        &self,
        document: servicaja_session::Document,
        medium: Medium,
    ) -> oneshot::Receiver<Result<Rendered, String>> {
        let (reply, receiver) = oneshot::channel();
        self.journal(Job::Render { document, medium, reply });
        receiver
    }

    /// A failed job's document is kept, marked not printed, before the session hears of the failure: staff
    /// can reprint it, and the journal says why it did not come out.
    async fn journal_not_printed(&self, rendered: Rendered, reason: String) {
        let (done, written) = oneshot::channel();
        self.journal(Job::NotPrinted { rendered, reason, done });
        let _ = written.await;
    }

    async fn print(&self, rendered: oneshot::Receiver<Result<Rendered, String>>) -> PrintOutcome {
        let rendered = match rendered.await {
            Ok(Ok(rendered)) => rendered,
            Ok(Err(err)) => {
                tracing::error!(%err, "the document cannot be laid out for the printer");
                return PrintOutcome::Failed;
            }
            Err(_) => return PrintOutcome::Failed,
        };
        let printer = self.printer.clone();
        let bytes = rendered.bytes.clone();
        let data_dir = self.data_dir.clone();
        let printed = tokio::task::spawn_blocking(move || {
            let printed = printer.print(PrintJob { bytes });
            if let Ok(job) = &printed {
                record_paper(&data_dir, job.paper.length_um);
            }
            printed
        });
        match printed.await {
            Ok(Ok(_)) => {
                // The session hears of the receipt once its text is kept for reprints.
                let (done, written) = oneshot::channel();
                self.journal(Job::Printed { rendered, done });
                let _ = written.await;
                PrintOutcome::Printed
            }
            Ok(Err(err)) => {
                tracing::warn!(%err, "print job failed");
                let outcome = if err.reason() == Some(FailReason::PaperOut) {
                    PrintOutcome::PaperOut
                } else {
                    PrintOutcome::Failed
                };
                self.journal_not_printed(rendered, err.to_string()).await;
                outcome
            }
            Err(_) => {
                self.journal_not_printed(rendered, "the printer thread stopped".into()).await;
                PrintOutcome::Failed
            }
        }
    }

    fn answer(&self, request: Uuid, answer: servicaja_session::Answer) {
        (self.sink)(Event::Central { request, answer });
    }
}

/// Counts a printed job's paper for the estimate of paper left (maintenance paper page). A counter that
/// cannot be written is logged: printing never fails for it.
pub fn record_paper(data_dir: &std::path::Path, length_um: u64) {
    let mm = u32::try_from(length_um.div_ceil(1000)).unwrap_or(u32::MAX);
    match crate::paper::PaperStore::open(data_dir) {
        Ok(mut store) => {
            if let Err(err) = store.record_print(mm) {
                tracing::warn!(%err, "the paper counter was not updated");
            }
        }
        Err(err) => tracing::warn!(%err, "the paper counter cannot be read"),
    }
}

/// Stores the session's commands one after the other, then waits for the interactive ones apart.
async fn submit_loop(inner: Arc<Inner>, mut submissions: mpsc::UnboundedReceiver<Submission>) {
    let mut lane: Option<String> = None;
    let mut payments: Vec<Uuid> = Vec::new();
    while let Some(submission) = submissions.recv().await {
        match submission {
            Submission::Forget => {
                lane = None;
                inner.secrets.clear();
                // The customer is gone: their completed payments can no longer be undone by them.
                let released = inner.outbox.release(std::mem::take(&mut payments)).await;
                inner.settlements_due.notify_one();
                // The session's token lived in its commands' rows: keep no old copy in the WAL.
                if let Err(err) = inner.outbox.scrub().await {
                    tracing::warn!(%err, "outbox: the WAL could not be emptied");
                }
                if let Err(err) = released {
                    tracing::error!(%err, "outbox: the session's payments could not be released");
                    if err.is_storage_fault() {
                        inner.storage.write_failed("outbox", err.to_string());
                    }
                }
            }
            Submission::Command { key, token, command, interactive, credentials, rendered } => {
                let lane = lane.get_or_insert_with(|| format!("session:{}", Uuid::now_v7())).clone();
                match &command {
                    Command::SettlePayment { operation_id } => {
                        let answer = settle(&inner, *operation_id, SettleMode::KeepAnswer, "timeout").await;
                        inner.answer(key, answer);
                        continue;
                    }
                    Command::ReversePayment { operation_id, request } => {
                        let _ = settle(&inner, *operation_id, SettleMode::Reverse, &request.reason).await;
                        continue;
                    }
                    Command::Pay(_) if !inner.storage.accepts_operations() => {
                        // Nothing is stored or sent: the session settles it as never stored (no charge).
                        tracing::error!(%key, reason = inner.storage.reason(), "payment not taken: storage");
                        inner.answer(key, Err(Failure::NoAnswer));
                        continue;
                    }
                    _ => {}
                }
                let new = match new_command(key, &lane, token, &command, &credentials, rendered).await {
                    Ok(new) if interactive => Ok((new.0.interactive(), new.1)),
                    other => other,
                };
                let new = match new {
                    Ok(new) => new,
                    Err(err) => {
                        tracing::error!(%key, %err, "the command cannot be built");
                        if interactive {
                            inner.answer(key, Err(Failure::NoAnswer));
                        }
                        continue;
                    }
                };
                inner.secrets.insert(key, new.1);
                match inner.outbox.enqueue(new.0).await {
                    Ok(stored) => {
                        if matches!(command, Command::Pay(_)) {
                            payments.push(key);
                        }
                        if interactive {
                            let task = inner.clone();
                            tokio::spawn(async move {
                                let done = task.outbox.wait_final(stored.id, task.interactive_wait).await;
                                task.secrets.remove(key);
                                let answer = match done {
                                    Ok(Some(done)) => wire::answer(&command, &done),
                                    _ => Err(Failure::NoAnswer),
                                };
                                task.answer(key, answer);
                            });
                        }
                    }
                    Err(OutboxError::ReversalPending { resource }) => {
                        tracing::warn!(%key, resource, "payment held: a reversal on the same loan or account is open");
                        inner.secrets.remove(key);
                        inner.answer(key, Ok(Reply::PaymentHeld));
                    }
                    Err(err) => {
                        tracing::error!(%key, %err, "the command was not stored");
                        if err.is_storage_fault() {
                            inner.storage.write_failed("outbox", err.to_string());
                        }
                        inner.secrets.remove(key);
                        if interactive {
                            inner.answer(key, Err(Failure::NoAnswer));
                        }
                    }
                }
            }
        }
    }
}

/// Has the outbox settle a payment in one transaction and says what the customer may be told: the answer
/// it stored meanwhile, `ReversalStored` once the reversal is on disk, or no answer when the decision
/// itself could not be stored (the customer is then told nothing stands either way).
async fn settle(inner: &Inner, operation_id: Uuid, mode: SettleMode, reason: &str) -> servicaja_session::Answer {
    match inner.outbox.settle(operation_id, mode, reason).await {
        Ok(Settlement::Answered(payment)) => {
            wire::answer(&Command::SettlePayment { operation_id }, &servicaja_host::outbox::Completion::of(&payment))
        }
        Ok(Settlement::Reversing(reversal)) => {
            tracing::warn!(payment = %operation_id, reversal = %reversal.key, reason, "payment reversal stored");
            Ok(Reply::ReversalStored)
        }
        Ok(Settlement::NotStored) => {
            tracing::warn!(payment = %operation_id, "payment never stored, so never sent: nothing to reverse");
            Ok(Reply::ReversalStored)
        }
        Err(err) => {
            tracing::error!(payment = %operation_id, %err, "the payment could not be settled");
            if err.is_storage_fault() {
                inner.storage.write_failed("outbox", err.to_string());
            }
            Err(Failure::NoAnswer)
        }
    }
}

/// Journals every payment's final outcome as the outbox knows it, once: at start, after every command
/// that ends, and every half minute.
async fn journal_settlements(inner: Arc<Inner>) {
    let mut completions = inner.outbox.completions();
    loop {
        match inner.outbox.unjournaled_settlements().await {
            Ok(settlements) => {
                for settlement in settlements {
                    let id = settlement.payment.id;
                    let (done, written) = oneshot::channel();
                    inner.journal(Job::Settlement { settlement: Box::new(settlement), done });
                    if matches!(written.await, Ok(true))
                        && let Err(err) = inner.outbox.mark_journaled(id).await
                    {
                        tracing::error!(%err, "outbox: a journaled settlement was not marked");
                    }
                }
            }
            Err(err) => tracing::error!(%err, "outbox: settlements cannot be read"),
        }
        tokio::select! {
            _ = completions.recv() => {}
            () = inner.settlements_due.notified() => {}
            () = tokio::time::sleep(Duration::from_secs(30)) => {}
        }
    }
}

/// The outbox's storage fault, as the kiosk's storage health.
async fn watch_outbox_fault(mut fault: tokio::sync::watch::Receiver<Option<String>>, storage: StorageHealth) {
    loop {
        let current = fault.borrow_and_update().clone();
        if let Some(reason) = current {
            storage.write_failed("outbox", reason);
        }
        if fault.changed().await.is_err() {
            return;
        }
    }
}

type Secrets = Vec<(&'static str, zeroize::Zeroizing<String>)>;

async fn new_command(
    key: Uuid,
    lane: &str,
    token: Option<SessionToken>,
    command: &Command,
    credentials: &Credentials,
    rendered: Option<oneshot::Receiver<Result<Rendered, String>>>,
) -> Result<(NewCommand, Secrets), String> {
    let out = match (command, rendered) {
        (Command::EmailDocument { to, .. }, Some(rendered)) => {
            let rendered = rendered.await.map_err(|_| "the journal thread stopped".to_owned())??;
            wire::email_outgoing(&email(to, rendered))?
        }
        _ => wire::outgoing(command, credentials)?,
    };
    Ok(out.into_command(key, lane, token))
}

/// The e-mail of a document: its text as the body, its PDF attached.
fn email(to: &str, rendered: Rendered) -> EmailRequest {
    use base64::Engine;
    EmailRequest {
        to: to.to_owned(),
        subject: format!("{} - Operación {}", rendered.title, rendered.operation),
        body: rendered.text,
        pdf_base64: Some(base64::engine::general_purpose::STANDARD.encode(&rendered.bytes)),
    }
}

/// Tells the session whether the central answers, at start and whenever that changes.
async fn watch_health(client: HostClient, sink: EventSink, every: Duration) {
    let mut last = None;
    loop {
        let reachable = client.health().await.is_ok();
        if last != Some(reachable) {
            last = Some(reachable);
            sink(Event::Host { reachable });
        }
        tokio::time::sleep(every).await;
    }
}
