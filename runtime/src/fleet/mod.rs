//! Fleet operation, the kiosk's side: status reports to the central and the commands in its replies. The
//! policy (`policy.rs`: when to report, what a report says, activity since the last delivered report, which
//! command may run now) is pure and takes time as input; this is its thin tokio shell. It gathers the facts
//! from the same sources as the maintenance desk (the drivers' statuses in the XFS4IoT vocabulary, the paper
//! counter, the outbox, the certificates' files and the central's certificate, the out-of-service switch,
//! the journal's head from the journal thread), sends the report straight through the mutual-TLS host
//! client — never through the outbox: a report does not queue behind payments nor fill the queue, and one
//! that fails is replaced by the next — and carries out the commands while no customer is being served,
//! journaling each with its id and issuer before it is acknowledged.
//!
//! [`FleetAgent::tick`] does one round at the time it is given (the tests drive it with a hand-moved clock);
//! [`FleetAgent::spawn`] runs rounds on the system clock for the kiosk. [`FleetAgent::snapshot`] and
//! [`FleetAgent::totals`] serve the metrics exposition.

pub mod policy;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use servicaja_core::api::{
    Activity, CertificateReport, CertificateRole, CommandAck, CommandAction, CommandOutcome, FleetCommand,
    JOURNAL_UPLOAD_CHUNK, JournalHeadReport, JournalUpload, LOG_UPLOAD_MAX_BYTES, LogUpload, OutboxReport,
    PaperReportItem, PaperSensor, ReportTrigger, StateCount, StatusReport, UploadedJournalRecord,
};
use servicaja_core::settings::{HostSettings, Settings};
use servicaja_drivers::devices::{PrinterHandle, ReaderHandle};
use servicaja_drivers::status::DeviceStatus;
use servicaja_host::{JournalEvent, SafeText, State};
use servicaja_session::{Event, SwitchOffReason};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::documents::Job;
use crate::service_switch::{self, ServiceSwitch};
use crate::{Inner, Runtime};
pub use policy::{DeviceFact, Facts, Reporter, ReporterConfig, ServiceFact};

/// The out-of-service switch's user for a command from the central: `central:<issuer>`.
pub const REMOTE_USER_PREFIX: &str = "central:";

/// How long the certificates' days left are reused before they are read again (the central's own
/// certificate costs a handshake).
const CERTIFICATES_EVERY: TimeDelta = TimeDelta::hours(1);

/// The name a serde enum of the drivers' shared vocabulary serializes to (`hardwareError`, `full`, `clear`),
/// as the maintenance desk and the reports show it.
pub fn vocabulary<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// One device's status as a report's fact.
pub fn device_fact(device: &str, status: &DeviceStatus) -> DeviceFact {
    DeviceFact {
        device: device.to_owned(),
        state: vocabulary(&status.device),
        action: status.action.as_ref().map(vocabulary),
        detail: status.detail.clone(),
    }
}

/// The reporter and who is at the kiosk, shared by the runtime (which counts the session's activity from
/// its effects) and the agent.
#[derive(Debug)]
pub(crate) struct FleetShared {
    pub(crate) reporter: Mutex<Reporter>,
    /// A customer session is under way, as the session's effects tell (identified → ended).
    pub(crate) customer_effects: AtomicBool,
    /// A customer is at the screen, as the window's owner tells ([`FleetAgent::set_customer_active`]).
    pub(crate) customer_window: AtomicBool,
    /// Wakes the agent: a session ended, a command may run.
    pub(crate) wake: tokio::sync::Notify,
}

impl FleetShared {
    pub(crate) fn new(settings: &Settings) -> FleetShared {
        FleetShared {
            reporter: Mutex::new(Reporter::new(ReporterConfig {
                kiosk_id: settings.kiosk.id.clone(),
                agency: settings.kiosk.agency_code.clone(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
                interval: TimeDelta::seconds(i64::from(settings.fleet.report_interval_seconds)),
            })),
            customer_effects: AtomicBool::new(false),
            customer_window: AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
        }
    }

    pub(crate) fn reporter(&self) -> std::sync::MutexGuard<'_, Reporter> {
        self.reporter.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The drivers' handles a report reads.
#[derive(Clone)]
pub struct FleetDevices {
    pub printer: PrinterHandle,
    pub card_reader: ReaderHandle,
    pub document_reader: ReaderHandle,
}

/// The certificates' days left and when they were read.
type ReadCertificates = (DateTime<Utc>, Vec<CertificateReport>);

/// What one round did (for tests and logs).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Round {
    /// Reports sent and whether each arrived, in order.
    pub reports: Vec<(ReportTrigger, bool)>,
    /// Commands carried out or refused, with their outcome.
    pub commands: Vec<(String, CommandOutcome)>,
    /// Commands waiting for the customer to leave.
    pub waiting: usize,
}

/// The kiosk's fleet agent. Cheap to clone.
#[derive(Clone)]
pub struct FleetAgent {
    inner: Arc<Inner>,
    shared: Arc<FleetShared>,
    devices: FleetDevices,
    host: HostSettings,
    roll_length_mm: u32,
    certificates: Arc<Mutex<Option<ReadCertificates>>>,
    /// One round at a time (the loop and a test, or the metrics, never interleave their sends).
    round: Arc<tokio::sync::Mutex<()>>,
}

impl Runtime {
    /// The fleet agent of this runtime, reading `devices` and reaching the central as `host` says.
    pub fn fleet_agent(&self, settings: &Settings, host: &HostSettings, devices: FleetDevices) -> FleetAgent {
        FleetAgent {
            inner: self.inner.clone(),
            shared: self.inner.fleet.clone(),
            devices,
            host: host.clone(),
            roll_length_mm: settings.printer.roll_length_mm,
            certificates: Arc::default(),
            round: Arc::default(),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FleetAgent {
    /// Tells whether a customer is at the screen (the window's owner calls it as the session moves).
    pub fn set_customer_active(&self, active: bool) {
        let was = self.shared.customer_window.swap(active, Ordering::SeqCst);
        if was && !active {
            self.shared.wake.notify_one();
        }
    }

    /// Whether a customer is being served: commands wait meanwhile.
    pub fn customer_active(&self) -> bool {
        self.shared.customer_window.load(Ordering::SeqCst) || self.shared.customer_effects.load(Ordering::SeqCst)
    }

    /// What a report would say at `now`, changing nothing (the metrics).
    pub async fn snapshot(&self, now: DateTime<Utc>) -> StatusReport {
        let facts = self.facts(now).await;
        self.shared.reporter().snapshot(&facts, now)
    }

    /// Every customer session and operation since the kiosk started.
    pub fn totals(&self) -> Activity {
        self.shared.reporter().totals()
    }

    /// Whether the last report reached the central (`None` before the first attempt ended).
    pub fn central_reachable(&self) -> Option<bool> {
        self.shared.reporter().central_reachable()
    }

    /// The last time a report arrived at the central.
    pub fn last_delivered(&self) -> Option<DateTime<Utc>> {
        self.shared.reporter().last_delivered()
    }

    /// Runs rounds on the system clock every `every`, and at once when a customer's session ends.
    pub fn spawn(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let agent = self.clone();
        self.inner.handle.spawn(async move {
            loop {
                let round = agent.tick(Utc::now()).await;
                if round.reports.iter().any(|(_, delivered)| !delivered) {
                    tracing::debug!("fleet: a status report did not reach the central; the next one replaces it");
                }
                tokio::select! {
                    () = tokio::time::sleep(every) => {}
                    () = agent.shared.wake.notified() => {}
                }
            }
        })
    }

    /// One round at `now`: reads the facts, carries out the commands that may run, and sends the report
    /// that is due (then at once another when commands arrived or were acknowledged).
    pub async fn tick(&self, now: DateTime<Utc>) -> Round {
        let _one_at_a_time = self.round.lock().await;
        let mut round = Round::default();
        for _ in 0..4 {
            self.run_commands(now, &mut round).await;
            let facts = self.facts(now).await;
            let (trigger, report) = {
                let mut reporter = self.shared.reporter();
                reporter.observe(&facts, now);
                let Some(trigger) = reporter.due(&facts, now) else { break };
                (trigger, reporter.build(&facts, now, trigger, Uuid::now_v7().to_string()))
            };
            let delivered = self.send(&report, now).await;
            round.reports.push((trigger, delivered));
            if !delivered {
                break;
            }
        }
        round.waiting = self.shared.reporter().waiting_commands();
        round
    }

    async fn send(&self, report: &StatusReport, now: DateTime<Utc>) -> bool {
        match self.inner.client.report_status(report).await {
            Ok(reply) => {
                let refused = self.shared.reporter().delivered(reply, now);
                for command in refused {
                    tracing::warn!(command = %command.command_id, by = %command.issued_by, "fleet: unknown command refused");
                    self.journal(&command, CommandOutcome::Refused, policy::UNKNOWN_ACTION, now).await;
                }
                true
            }
            Err(err) => {
                tracing::debug!(%err, "fleet: status report not delivered");
                self.shared.reporter().failed();
                false
            }
        }
    }

    async fn run_commands(&self, now: DateTime<Utc>, round: &mut Round) {
        loop {
            let customer = self.customer_active();
            let Some(command) = self.shared.reporter().next_command(customer) else { return };
            let (outcome, detail) = self.carry_out(&command, now).await;
            tracing::info!(command = %command.command_id, by = %command.issued_by, ?outcome, %detail, "fleet command");
            self.journal(&command, outcome, &detail, now).await;
            round.commands.push((command.command_id.clone(), outcome));
            self.shared.reporter().acknowledge(CommandAck { command_id: command.command_id, outcome, at: now, detail });
        }
    }

    async fn journal(&self, command: &FleetCommand, outcome: CommandOutcome, detail: &str, now: DateTime<Utc>) {
        let detail = SafeText::new(detail.to_owned())
            .or_else(|_| SafeText::new("(detail withheld: it looked like a card number)"))
            .unwrap_or_else(|_| SafeText::new(String::new()).expect("empty text is safe"));
        let event = JournalEvent::FleetCommand {
            command_id: command.command_id.clone(),
            issued_by: command.issued_by.clone(),
            action: action_name(&command.action).to_owned(),
            outcome: crate::fleet::vocabulary(&outcome),
            detail,
        };
        let (done, written) = oneshot::channel();
        self.inner.journal(Job::FleetCommand { at: now, event, done });
        let _ = written.await;
    }

    async fn carry_out(&self, command: &FleetCommand, now: DateTime<Utc>) -> (CommandOutcome, String) {
        match &command.action {
            CommandAction::GoOutOfService { reason } => {
                let reason = SwitchOffReason::typed(reason).unwrap_or(SwitchOffReason::Maintenance);
                self.switch(Some(reason), command, now)
            }
            CommandAction::GoInService => self.switch(None, command, now),
            CommandAction::UploadJournal { from_seq, to_seq } => self.upload_journal(command, *from_seq, *to_seq).await,
            CommandAction::SendLogs { day } => self.send_logs(command, *day).await,
            CommandAction::Unknown => (CommandOutcome::Refused, policy::UNKNOWN_ACTION.to_owned()),
        }
    }

    /// The technician's out-of-service switch, set by the central: kept across a restart and told to the
    /// customer session (which, with nobody being served, shows it at once).
    fn switch(
        &self,
        out_of_service: Option<SwitchOffReason>,
        command: &FleetCommand,
        now: DateTime<Utc>,
    ) -> (CommandOutcome, String) {
        let switch = ServiceSwitch {
            out_of_service: out_of_service.clone(),
            user: format!("{REMOTE_USER_PREFIX}{}", command.issued_by),
            at: now,
        };
        if let Err(err) = service_switch::save(&self.inner.data_dir, &switch) {
            return (CommandOutcome::Failed, err.to_string());
        }
        (self.inner.sink)(Event::ServiceSwitch { out_of_service });
        (CommandOutcome::Done, String::new())
    }

    async fn upload_journal(&self, command: &FleetCommand, from: i64, to: i64) -> (CommandOutcome, String) {
        if from < 1 || to < from {
            return (CommandOutcome::Refused, format!("invalid range {from}..={to}"));
        }
        let mut next = from;
        let mut sent = 0u64;
        let mut intact = true;
        loop {
            let (reply, records) = oneshot::channel();
            self.inner.journal(Job::FleetRecords { from: next, to, limit: JOURNAL_UPLOAD_CHUNK, reply });
            let records = match records.await {
                Ok(Ok(records)) => records,
                Ok(Err(err)) => return (CommandOutcome::Failed, format!("journal unreadable: {err}")),
                Err(_) => return (CommandOutcome::Failed, "the journal thread stopped".into()),
            };
            let last = records.len() < JOURNAL_UPLOAD_CHUNK || records.last().is_some_and(|r| r.seq >= to);
            next = records.last().map_or(to + 1, |r| r.seq + 1);
            let upload = JournalUpload {
                kiosk_id: self.shared.reporter().config().kiosk_id.clone(),
                command_id: command.command_id.clone(),
                records: records
                    .into_iter()
                    .map(|r| UploadedJournalRecord {
                        seq: r.seq,
                        at: r.at,
                        prev_hash: r.prev_hash,
                        hash: r.hash,
                        event: serde_json::to_value(&r.event).unwrap_or_default(),
                    })
                    .collect(),
                last,
            };
            let count = upload.records.len() as u64;
            match self.inner.client.upload_journal(&upload).await {
                Ok(receipt) => intact &= receipt.chain_intact,
                Err(err) => return (CommandOutcome::Failed, format!("{sent} records sent, then: {err}")),
            }
            sent += count;
            if last {
                break;
            }
        }
        (CommandOutcome::Done, format!("{sent} records sent; chain intact at the central: {intact}"))
    }

    async fn send_logs(&self, command: &FleetCommand, day: NaiveDate) -> (CommandOutcome, String) {
        let file_name = format!("servicaja.{day}.log");
        let path = self.inner.data_dir.join(LOG_DIR).join(&file_name);
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(err) => return (CommandOutcome::Failed, format!("no log of {day} ({}: {err})", path.display())),
        };
        let truncated = bytes.len() > LOG_UPLOAD_MAX_BYTES;
        let tail = &bytes[bytes.len().saturating_sub(LOG_UPLOAD_MAX_BYTES)..];
        let upload = LogUpload {
            kiosk_id: self.shared.reporter().config().kiosk_id.clone(),
            command_id: command.command_id.clone(),
            day,
            file_name,
            content: String::from_utf8_lossy(tail).into_owned(),
            truncated,
        };
        match self.inner.client.send_logs(&upload).await {
            Ok(receipt) => (CommandOutcome::Done, format!("{} bytes sent (truncated: {truncated})", receipt.bytes)),
            Err(err) => (CommandOutcome::Failed, err.to_string()),
        }
    }

    /// Reads everything a report says, now.
    pub async fn facts(&self, now: DateTime<Utc>) -> Facts {
        let printer = self.devices.printer.status();
        let devices = vec![
            device_fact("printer", &printer),
            device_fact("card-reader", &self.devices.card_reader.status()),
            device_fact("document-reader", &self.devices.document_reader.status()),
        ];
        let estimate = crate::paper::PaperStore::open(&self.inner.data_dir)
            .map(|store| store.estimate(self.roll_length_mm))
            .unwrap_or_else(|_| servicaja_maintenance::PaperCounter::default().estimate(self.roll_length_mm));
        let paper = PaperReportItem {
            state: paper_sensor(printer.paper.as_ref().map(vocabulary).as_deref()),
            left_percent: estimate.left_percent,
            left_mm: estimate.left_mm,
            receipts_since_change: estimate.receipts,
        };
        let outbox = match self.inner.outbox.status().await {
            Ok(status) => OutboxReport {
                counts: State::ALL
                    .iter()
                    .map(|state| StateCount { state: state.as_str().to_owned(), count: status.count(*state) })
                    .filter(|count| count.count > 0)
                    .collect(),
                oldest_pending_seconds: status.oldest_open.map(|at| (now - at).num_seconds().max(0)),
            },
            Err(err) => {
                tracing::warn!(%err, "fleet: the outbox cannot be read");
                OutboxReport { counts: Vec::new(), oldest_pending_seconds: None }
            }
        };
        let (reply, head) = oneshot::channel();
        self.inner.journal(Job::FleetHead { reply });
        let journal_head = match head.await {
            Ok(Ok(head)) => JournalHeadReport { seq: head.seq, hash: head.hash },
            _ => JournalHeadReport { seq: -1, hash: String::new() },
        };
        Facts {
            devices,
            paper,
            paper_low: estimate.low,
            outbox,
            certificates: self.certificates(now).await,
            service: self.service(),
            journal_head,
        }
    }

    fn service(&self) -> ServiceFact {
        let data_dir: &Path = &self.inner.data_dir;
        if let Some(reason) = service_switch::load(data_dir) {
            let remote = service_switch::load_record(data_dir).is_some_and(|s| s.user.starts_with(REMOTE_USER_PREFIX));
            let (code, note) = match &reason {
                _ if remote => ("remote", typed_note(&reason)),
                SwitchOffReason::Maintenance => ("maintenance", None),
                SwitchOffReason::PrinterFault => ("printer_fault", None),
                SwitchOffReason::ConnectionFault => ("connection_fault", None),
                SwitchOffReason::Other(text) => ("other", Some(text.clone())),
            };
            return ServiceFact { in_service: false, reason: Some(code.to_owned()), note };
        }
        match self.inner.storage.reason() {
            Some(reason) => ServiceFact { in_service: false, reason: Some("storage".into()), note: Some(reason) },
            None => ServiceFact { in_service: true, reason: None, note: None },
        }
    }

    async fn certificates(&self, now: DateTime<Utc>) -> Vec<CertificateReport> {
        if let Some((at, certificates)) = lock(&self.certificates).as_ref()
            && now - *at < CERTIFICATES_EVERY
            && now >= *at
        {
            return certificates.clone();
        }
        let from_file = |path: &str| {
            crate::certs::expiries_from_file(Path::new(path), now)
                .ok()
                .and_then(|found| found.first().map(|cert| days_left(cert.not_after, now)))
        };
        let server =
            crate::server_cert::server_certificate(&self.host, now).await.ok().map(|c| days_left(c.not_after, now));
        let certificates = vec![
            CertificateReport { role: CertificateRole::Ca, days_left: from_file(&self.host.ca_cert) },
            CertificateReport { role: CertificateRole::Kiosk, days_left: from_file(&self.host.client_cert) },
            CertificateReport { role: CertificateRole::Server, days_left: server },
        ];
        *lock(&self.certificates) = Some((now, certificates.clone()));
        certificates
    }
}

/// Where the kiosk's daily log files are (`src/logging.rs` writes `servicaja.YYYY-MM-DD.log` there).
pub const LOG_DIR: &str = "logs";

fn typed_note(reason: &SwitchOffReason) -> Option<String> {
    match reason {
        SwitchOffReason::Other(text) => Some(text.clone()),
        _ => None,
    }
}

fn days_left(not_after: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (not_after - now).num_days()
}

fn paper_sensor(state: Option<&str>) -> PaperSensor {
    match state {
        Some("full") => PaperSensor::Full,
        Some("low") => PaperSensor::Low,
        Some("out") => PaperSensor::Out,
        Some("jammed") => PaperSensor::Jammed,
        _ => PaperSensor::Unknown,
    }
}

fn action_name(action: &CommandAction) -> &'static str {
    match action {
        CommandAction::GoOutOfService { .. } => "go_out_of_service",
        CommandAction::GoInService => "go_in_service",
        CommandAction::UploadJournal { .. } => "upload_journal",
        CommandAction::SendLogs { .. } => "send_logs",
        CommandAction::Unknown => "unknown",
    }
}
