//! What to report and when, as pure code: time is an argument, the facts are gathered by the shell. A report
//! goes at start, every `fleet.report_interval_seconds`, at once when something a technician must act on
//! changes (a device's state or action, the paper sensor or the paper estimate turning low, the service
//! state), and at once when a command's acknowledgement waits. One report is in flight at a time; one that
//! fails is simply replaced by the next. Activity is counted since the last *delivered* report (what a
//! failed report carried is counted again in the next), and in running totals for the metrics.
//!
//! Commands from the replies are queued here, each id once; they are handed out only while no customer is
//! being served. An action this kiosk does not know is refused at once.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};
use servicaja_core::api::{
    Activity, CertificateReport, CommandAck, CommandAction, CommandOutcome, DeviceErrorItem, DeviceReportItem,
    FleetCommand, JournalHeadReport, OperationCount, OutboxReport, PaperReportItem, PaperSensor, ReportReply,
    ReportTrigger, ServiceReport, StatusReport,
};

/// Command ids remembered after they were handed out, so that a reply repeating them does not run them twice.
const REMEMBERED_COMMANDS: usize = 256;

/// Why an unknown action is refused.
pub const UNKNOWN_ACTION: &str = "unknown action: this kiosk's version does not carry it out";

/// The kiosk's state as the shell read it just now.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub devices: Vec<DeviceFact>,
    pub paper: PaperReportItem,
    /// The paper estimate is below its low mark (the maintenance crate's rule).
    pub paper_low: bool,
    pub outbox: OutboxReport,
    pub certificates: Vec<CertificateReport>,
    pub service: ServiceFact,
    pub journal_head: JournalHeadReport,
}

/// One device now, in the XFS4IoT vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFact {
    pub device: String,
    pub state: String,
    pub action: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFact {
    pub in_service: bool,
    pub reason: Option<String>,
    pub note: Option<String>,
}

/// Who this kiosk is and how often it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReporterConfig {
    pub kiosk_id: String,
    pub agency: String,
    pub version: String,
    pub interval: TimeDelta,
}

/// What a technician must act on: a change in any of it is reported at once.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Watched {
    devices: Vec<(String, String, Option<String>)>,
    paper: PaperSensor,
    paper_low: bool,
    service: (bool, Option<String>),
}

impl Watched {
    fn of(facts: &Facts) -> Watched {
        Watched {
            devices: facts.devices.iter().map(|d| (d.device.clone(), d.state.clone(), d.action.clone())).collect(),
            paper: facts.paper.state,
            paper_low: facts.paper_low,
            service: (facts.service.in_service, facts.service.reason.clone()),
        }
    }
}

/// Counts of customer activity by (kind, outcome).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Counter {
    sessions: u64,
    operations: BTreeMap<(String, String), u64>,
}

impl Counter {
    fn activity(&self) -> Activity {
        Activity {
            sessions: self.sessions,
            operations: self
                .operations
                .iter()
                .map(|((kind, outcome), count)| OperationCount {
                    kind: kind.clone(),
                    outcome: outcome.clone(),
                    count: *count,
                })
                .collect(),
        }
    }

    fn subtract(&mut self, sent: &Activity) {
        self.sessions = self.sessions.saturating_sub(sent.sessions);
        for op in &sent.operations {
            let key = (op.kind.clone(), op.outcome.clone());
            if let Some(count) = self.operations.get_mut(&key) {
                *count = count.saturating_sub(op.count);
                if *count == 0 {
                    self.operations.remove(&key);
                }
            }
        }
    }
}

/// The report being sent: what to forget once it is delivered.
#[derive(Debug, Clone)]
struct InFlight {
    activity: Activity,
    acks: Vec<String>,
}

/// The reporter's state.
#[derive(Debug, Clone)]
pub struct Reporter {
    config: ReporterConfig,
    last_attempt: Option<DateTime<Utc>>,
    last_delivered: Option<DateTime<Utc>>,
    /// Whether the last report reached the central; `None` before the first attempt ended.
    central_reachable: Option<bool>,
    /// What the last report built showed a technician.
    reported: Option<Watched>,
    in_flight: Option<InFlight>,
    /// Each device's last problem (a state other than online, or one asking for an action).
    last_errors: BTreeMap<String, DeviceErrorItem>,
    seen: BTreeMap<String, DeviceFact>,
    service_since: Option<(ServiceFact, DateTime<Utc>)>,
    since_report: Counter,
    totals: Counter,
    acks: Vec<CommandAck>,
    /// An acknowledgement waits and has not been in a report yet.
    ack_due: bool,
    commands: VecDeque<FleetCommand>,
    known: VecDeque<String>,
}

impl Reporter {
    pub fn new(config: ReporterConfig) -> Reporter {
        Reporter {
            config,
            last_attempt: None,
            last_delivered: None,
            central_reachable: None,
            reported: None,
            in_flight: None,
            last_errors: BTreeMap::new(),
            seen: BTreeMap::new(),
            service_since: None,
            since_report: Counter::default(),
            totals: Counter::default(),
            acks: Vec::new(),
            ack_due: false,
            commands: VecDeque::new(),
            known: VecDeque::new(),
        }
    }

    pub fn config(&self) -> &ReporterConfig {
        &self.config
    }

    /// Takes in what the shell read: remembers devices' problems and when the service state last changed.
    pub fn observe(&mut self, facts: &Facts, now: DateTime<Utc>) {
        for device in &facts.devices {
            if self.seen.get(&device.device) == Some(device) {
                continue;
            }
            self.seen.insert(device.device.clone(), device.clone());
            if device.state != "online" || device.action.is_some() {
                self.last_errors.insert(
                    device.device.clone(),
                    DeviceErrorItem {
                        at: now,
                        state: device.state.clone(),
                        action: device.action.clone(),
                        detail: device.detail.clone(),
                    },
                );
            }
        }
        match &self.service_since {
            Some((service, _)) if *service == facts.service => {}
            _ => self.service_since = Some((facts.service.clone(), now)),
        }
    }

    /// Whether a report is due now, and why; `None` while one is in flight.
    pub fn due(&self, facts: &Facts, now: DateTime<Utc>) -> Option<ReportTrigger> {
        if self.in_flight.is_some() {
            return None;
        }
        let Some(last) = self.last_attempt else { return Some(ReportTrigger::Start) };
        if self.ack_due {
            return Some(ReportTrigger::Acknowledgement);
        }
        if self.reported.as_ref() != Some(&Watched::of(facts)) {
            return Some(ReportTrigger::Change);
        }
        (now >= last + self.config.interval).then_some(ReportTrigger::Periodic)
    }

    /// When the next periodic report is due (the shell sleeps until then or the next change).
    pub fn next_periodic(&self) -> Option<DateTime<Utc>> {
        self.last_attempt.map(|last| last + self.config.interval)
    }

    /// The report of `facts` at `now`, marked in flight until [`Reporter::delivered`] or [`Reporter::failed`].
    pub fn build(
        &mut self,
        facts: &Facts,
        now: DateTime<Utc>,
        trigger: ReportTrigger,
        report_id: String,
    ) -> StatusReport {
        self.observe(facts, now);
        let activity = self.since_report.activity();
        let acks = self.acks.clone();
        self.in_flight =
            Some(InFlight { activity: activity.clone(), acks: acks.iter().map(|a| a.command_id.clone()).collect() });
        self.last_attempt = Some(now);
        self.reported = Some(Watched::of(facts));
        self.ack_due = false;
        self.snapshot_with(facts, now, trigger, report_id, activity, acks)
    }

    /// A report of `facts` at `now` that changes nothing (for the metrics): activity since the last
    /// delivered report, the acknowledgements waiting.
    pub fn snapshot(&self, facts: &Facts, now: DateTime<Utc>) -> StatusReport {
        let mut this = self.clone();
        this.observe(facts, now);
        this.snapshot_with(
            facts,
            now,
            ReportTrigger::Periodic,
            String::new(),
            self.since_report.activity(),
            self.acks.clone(),
        )
    }

    fn snapshot_with(
        &self,
        facts: &Facts,
        now: DateTime<Utc>,
        trigger: ReportTrigger,
        report_id: String,
        activity: Activity,
        acks: Vec<CommandAck>,
    ) -> StatusReport {
        let since = self.service_since.as_ref().map_or(now, |(_, since)| *since);
        StatusReport {
            report_id,
            kiosk_id: self.config.kiosk_id.clone(),
            agency: self.config.agency.clone(),
            version: self.config.version.clone(),
            sent_at: now,
            trigger,
            devices: facts
                .devices
                .iter()
                .map(|d| DeviceReportItem {
                    device: d.device.clone(),
                    state: d.state.clone(),
                    action: d.action.clone(),
                    last_error: self.last_errors.get(&d.device).cloned(),
                })
                .collect(),
            paper: facts.paper,
            outbox: facts.outbox.clone(),
            certificates: facts.certificates.clone(),
            service: ServiceReport {
                in_service: facts.service.in_service,
                reason: facts.service.reason.clone(),
                note: facts.service.note.clone(),
                since,
            },
            activity,
            journal_head: facts.journal_head.clone(),
            acks,
        }
    }

    /// The report in flight arrived: its activity and acknowledgements are forgotten, and the reply's
    /// commands not seen before are queued. An unknown action is refused at `now` and returned (for the
    /// journal).
    pub fn delivered(&mut self, reply: ReportReply, now: DateTime<Utc>) -> Vec<FleetCommand> {
        let mut refused = Vec::new();
        if let Some(sent) = self.in_flight.take() {
            self.since_report.subtract(&sent.activity);
            self.acks.retain(|ack| !sent.acks.contains(&ack.command_id));
        }
        self.last_delivered = Some(now);
        self.central_reachable = Some(true);
        for command in reply.commands {
            if self.known.contains(&command.command_id) {
                continue;
            }
            self.known.push_back(command.command_id.clone());
            if self.known.len() > REMEMBERED_COMMANDS {
                self.known.pop_front();
            }
            if command.action == CommandAction::Unknown {
                self.acknowledge(CommandAck {
                    command_id: command.command_id.clone(),
                    outcome: CommandOutcome::Refused,
                    at: now,
                    detail: UNKNOWN_ACTION.into(),
                });
                refused.push(command);
            } else {
                self.commands.push_back(command);
            }
        }
        refused
    }

    /// The report in flight was lost: what it carried goes in the next one.
    pub fn failed(&mut self) {
        self.in_flight = None;
        self.central_reachable = Some(false);
    }

    /// Whether the last report reached the central (`None` before the first attempt ended).
    pub fn central_reachable(&self) -> Option<bool> {
        self.central_reachable
    }

    pub fn last_delivered(&self) -> Option<DateTime<Utc>> {
        self.last_delivered
    }

    /// The next command to carry out, only while no customer is being served.
    pub fn next_command(&mut self, customer_active: bool) -> Option<FleetCommand> {
        if customer_active { None } else { self.commands.pop_front() }
    }

    /// Commands waiting for the customer to leave.
    pub fn waiting_commands(&self) -> usize {
        self.commands.len()
    }

    /// A command's outcome, to go in the next report, which is then due at once.
    pub fn acknowledge(&mut self, ack: CommandAck) {
        self.acks.push(ack);
        self.ack_due = true;
    }

    /// A customer session began.
    pub fn session_started(&mut self) {
        self.since_report.sessions += 1;
        self.totals.sessions += 1;
    }

    /// An operation as the session journals it (`pago de cuota`, `realizado`).
    pub fn operation(&mut self, operation: &str, outcome: &str) {
        let key = operation_kind(operation, outcome);
        *self.since_report.operations.entry(key.clone()).or_default() += 1;
        *self.totals.operations.entry(key).or_default() += 1;
    }

    /// Every session and operation since the kiosk started (the metrics' counters).
    pub fn totals(&self) -> Activity {
        self.totals.activity()
    }
}

/// The report's (kind, outcome) of an operation as the session names it in its journal entries.
pub fn operation_kind(operation: &str, outcome: &str) -> (String, String) {
    let kind = match operation {
        "pago de cuota" => "payment",
        "afiliación compras por internet" => "affiliation",
        "desafiliación compras por internet" => "disaffiliation",
        "constancia de no adeudo" => "no_debt_certificate",
        "solicitud" => "request",
        "creación de clave" => "enrollment",
        _ => "other",
    };
    let outcome = if outcome == "revertido" {
        "reversed"
    } else if outcome.starts_with("rechazado") {
        "refused"
    } else if outcome.starts_with("no enviado") || outcome.starts_with("fallido") {
        "failed"
    } else {
        "done"
    };
    (kind.to_owned(), outcome.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> DateTime<Utc> {
        "2026-12-06T15:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::seconds(seconds)
    }

    fn reporter() -> Reporter {
        Reporter::new(ReporterConfig {
            kiosk_id: "KSK-1".into(),
            agency: "001".into(),
            version: "0.1.0".into(),
            interval: TimeDelta::seconds(60),
        })
    }

    fn facts() -> Facts {
        Facts {
            devices: vec![DeviceFact {
                device: "printer".into(),
                state: "online".into(),
                action: None,
                detail: "ok".into(),
            }],
            paper: PaperReportItem {
                state: PaperSensor::Full,
                left_percent: 80,
                left_mm: 64_000,
                receipts_since_change: 4,
            },
            paper_low: false,
            outbox: OutboxReport { counts: Vec::new(), oldest_pending_seconds: None },
            certificates: Vec::new(),
            service: ServiceFact { in_service: true, reason: None, note: None },
            journal_head: JournalHeadReport { seq: 5, hash: "h5".into() },
        }
    }

    fn command(id: &str, action: CommandAction) -> FleetCommand {
        FleetCommand { command_id: id.into(), issued_by: "ops-7".into(), issued_at: t(0), action }
    }

    #[test]
    fn reports_at_start_then_every_interval_one_at_a_time() {
        let mut r = reporter();
        let f = facts();
        assert_eq!(r.due(&f, t(0)), Some(ReportTrigger::Start));
        assert_eq!(r.central_reachable(), None, "unknown before the first report ends");
        r.build(&f, t(0), ReportTrigger::Start, "r0".into());
        assert_eq!(r.due(&f, t(120)), None, "one in flight");
        r.delivered(ReportReply::default(), t(1));
        assert_eq!(r.central_reachable(), Some(true));
        assert_eq!(r.due(&f, t(59)), None);
        assert_eq!(r.due(&f, t(60)), Some(ReportTrigger::Periodic));
        r.build(&f, t(60), ReportTrigger::Periodic, "r1".into());
        r.failed();
        assert_eq!(r.central_reachable(), Some(false));
        assert_eq!(r.due(&f, t(100)), None, "a failed report is replaced by the next, not retried at once");
        assert_eq!(r.due(&f, t(120)), Some(ReportTrigger::Periodic));
    }

    #[test]
    fn a_change_a_technician_must_act_on_is_reported_at_once_with_the_last_error() {
        let mut r = reporter();
        let mut f = facts();
        r.build(&f, t(0), ReportTrigger::Start, "r0".into());
        r.delivered(ReportReply::default(), t(0));
        f.devices[0] = DeviceFact {
            device: "printer".into(),
            state: "hardwareError".into(),
            action: Some("maintenance".into()),
            detail: "cutter jam".into(),
        };
        r.observe(&f, t(5));
        assert_eq!(r.due(&f, t(5)), Some(ReportTrigger::Change));
        let report = r.build(&f, t(5), ReportTrigger::Change, "r1".into());
        let error = report.devices[0].last_error.clone().unwrap();
        assert_eq!((error.at, error.state.as_str(), error.detail.as_str()), (t(5), "hardwareError", "cutter jam"));
        r.delivered(ReportReply::default(), t(5));
        assert_eq!(r.due(&f, t(10)), None, "reported once");
        // The outbox moving or the journal growing is not a technician's change.
        f.journal_head.seq = 9;
        f.outbox.oldest_pending_seconds = Some(3);
        assert_eq!(r.due(&f, t(10)), None);
        for change in [
            |f: &mut Facts| f.paper.state = PaperSensor::Low,
            |f: &mut Facts| f.paper_low = true,
            |f: &mut Facts| f.service = ServiceFact { in_service: false, reason: Some("remote".into()), note: None },
        ] {
            let mut changed = f.clone();
            change(&mut changed);
            assert_eq!(r.due(&changed, t(10)), Some(ReportTrigger::Change), "{changed:?}");
        }
        // Back online: the last error stays in the report.
        f.devices[0] = facts().devices[0].clone();
        let report = r.build(&f, t(20), ReportTrigger::Change, "r2".into());
        assert_eq!(report.devices[0].state, "online");
        assert_eq!(report.devices[0].last_error.as_ref().map(|e| e.at), Some(t(5)));
    }

    #[test]
    fn activity_counts_since_the_last_delivered_report_and_totals_keep_running() {
        let mut r = reporter();
        let f = facts();
        r.session_started();
        r.operation("pago de cuota", "realizado");
        r.operation("pago de cuota", "rechazado: saldo_insuficiente");
        let first = r.build(&f, t(0), ReportTrigger::Start, "r0".into());
        assert_eq!(first.activity.sessions, 1);
        r.operation("pago de cuota", "realizado");
        r.failed();
        let second = r.build(&f, t(60), ReportTrigger::Periodic, "r1".into());
        assert_eq!(second.activity.sessions, 1, "the failed report's activity goes again");
        let payments: Vec<_> = second.activity.operations.iter().map(|o| (o.outcome.as_str(), o.count)).collect();
        assert_eq!(payments, vec![("done", 2), ("refused", 1)]);
        r.session_started();
        r.delivered(ReportReply::default(), t(61));
        let third = r.build(&f, t(120), ReportTrigger::Periodic, "r2".into());
        assert_eq!((third.activity.sessions, third.activity.operations.len()), (1, 0), "only what came after");
        assert_eq!(r.totals().sessions, 2);
        assert_eq!(r.totals().operations.iter().map(|o| o.count).sum::<u64>(), 3);
        assert_eq!(operation_kind("creación de clave", "realizado"), ("enrollment".into(), "done".into()));
        assert_eq!(operation_kind("pago de cuota", "revertido"), ("payment".into(), "reversed".into()));
    }

    #[test]
    fn commands_wait_for_the_customer_run_once_and_are_acknowledged_at_once() {
        let mut r = reporter();
        let f = facts();
        r.build(&f, t(0), ReportTrigger::Start, "r0".into());
        let off = command("c1", CommandAction::GoOutOfService { reason: "Arqueo".into() });
        let odd = command("c2", CommandAction::Unknown);
        r.delivered(ReportReply { commands: vec![off.clone(), odd] }, t(1));
        assert_eq!(r.due(&f, t(2)), Some(ReportTrigger::Acknowledgement), "the refusal goes at once");
        assert_eq!(r.next_command(true), None, "not while a customer is served");
        assert_eq!(r.next_command(false), Some(off.clone()));
        r.acknowledge(CommandAck {
            command_id: "c1".into(),
            outcome: CommandOutcome::Done,
            at: t(3),
            detail: String::new(),
        });
        let report = r.build(&f, t(3), ReportTrigger::Acknowledgement, "r1".into());
        let acks: Vec<_> = report.acks.iter().map(|a| (a.command_id.as_str(), a.outcome)).collect();
        assert_eq!(acks, vec![("c2", CommandOutcome::Refused), ("c1", CommandOutcome::Done)]);
        // The central repeats c1 (it had not seen the ack yet): it is not run again.
        r.delivered(ReportReply { commands: vec![off] }, t(4));
        assert_eq!(r.next_command(false), None);
        let next = r.build(&f, t(64), ReportTrigger::Periodic, "r2".into());
        assert!(next.acks.is_empty(), "delivered acknowledgements are not sent again");
    }
}
