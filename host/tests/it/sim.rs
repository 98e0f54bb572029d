//! A deterministic simulation of the outbox and the money promise (issue 13), in the style of the sans-IO
//! cores it follows: the real engine (pure policy + SQLite store on a file), a scripted central that keeps
//! the books the way the real one does (idempotent payments, reversals recorded ahead of a late payment,
//! `reversal_not_possible` after a later payment on the same loan), a real journal, and a simulated clock.
//! Proptest draws the interleaving: customers paying (and retrying on the same loan), the central
//! committing, answers arriving (or lost after commit), the customer's wait ending, Terminar, resyncs, a
//! crash and restart at any step, a reversal route failing for a while, and writes failing for want of
//! space (`PRAGMA max_page_count`) or at all (`PRAGMA query_only`).
//!
//! After every run, once storage is healthy again and everything has drained, for every payment:
//! - told "done" ⇒ applied once and not undone;
//! - told "no charge" (or held behind a reversal, or the customer left) ⇒ not charged at the end;
//! - applied at the central (net) ⇔ the journal's settlement record says done;
//! - nothing applied twice, and no reversal refused because a later payment overtook it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use servicaja_core::api::PaymentRequest;
use servicaja_core::settings::OutboxSettings;
use servicaja_host::client::{HostError, Reply};
use servicaja_host::engine::Engine;
use servicaja_host::journal::{Journal, JournalEvent, Outcome};
use servicaja_host::outbox::default_reversal;
use servicaja_host::policy::{CommandKind, PolicySettings, State};
use servicaja_host::store::SessionToken;
use servicaja_host::store::{OutboxError, SettleMode, Settlement, StoredCommand};
use servicaja_host::wire;
use servicaja_session::{Command, Credentials};
use uuid::Uuid;

const LOANS: [&str; 2] = ["L1", "L2"];
const ACCOUNTS: [&str; 2] = ["A1", "A2"];
/// The customer's wait for an answer, as the session's interactive timer.
const WAIT_SECONDS: i64 = 25;

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

fn policy() -> PolicySettings {
    PolicySettings::from(&OutboxSettings { max_pending: 50, backoff_initial_ms: 500, ..OutboxSettings::default() })
}

/// Fast files: the simulation fsyncs thousands of times per run.
fn scratch_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() { tempfile::tempdir_in(shm).unwrap() } else { tempfile::tempdir().unwrap() }
}

// ------------------------------------------------------------------------------------------------------
// The scripted central: its books, as the simulator keeps them.
// ------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Booked {
    Applied,
    Refused,
    /// A reversal arrived before the payment: the payment is refused `reversed` when it comes.
    ReversedFirst,
    /// Applied, then undone by its reversal.
    Undone,
}

#[derive(Default)]
struct Central {
    /// By payment key (its operation id).
    payments: BTreeMap<Uuid, Booked>,
    /// Applied payments per loan, in order (a reversal must be of the last one).
    applied_on_loan: BTreeMap<String, Vec<Uuid>>,
    /// Payments whose debit the central applied more than once (must stay empty).
    doubled: Vec<Uuid>,
    /// Reversals refused because the loan moved on (must stay empty: reversals go first).
    reversal_refused: Vec<Uuid>,
    /// How many more reversal requests answer 503 before committing anything.
    reversal_outage: u32,
}

fn problem(status: u16, code: &str) -> HostError {
    HostError::Status { status, code: code.into(), message: String::new(), attempts_left: None, retry_after: None }
}

fn ok(status: u16, body: serde_json::Value) -> Result<Reply, HostError> {
    Ok(Reply { status, body })
}

impl Central {
    /// Handles one request as the real central would; `refuse` makes a payment a business refusal.
    fn handle(&mut self, command: &StoredCommand, refuse: bool) -> Result<Reply, HostError> {
        match command.kind {
            CommandKind::Payment => {
                let key = command.key;
                let loan = command.payload["loan_id"].as_str().unwrap_or_default().to_owned();
                match self.payments.get(&key) {
                    Some(Booked::Applied | Booked::Undone) => {
                        ok(201, serde_json::json!({ "operation_number": "1", "replayed": true }))
                    }
                    Some(Booked::Refused) => Err(problem(422, "insufficient_funds")),
                    Some(Booked::ReversedFirst) => Err(problem(409, "reversed")),
                    None if refuse => {
                        self.payments.insert(key, Booked::Refused);
                        Err(problem(422, "insufficient_funds"))
                    }
                    None => {
                        self.payments.insert(key, Booked::Applied);
                        let applied = self.applied_on_loan.entry(loan).or_default();
                        if applied.contains(&key) {
                            self.doubled.push(key);
                        }
                        applied.push(key);
                        ok(201, serde_json::json!({ "operation_number": "1" }))
                    }
                }
            }
            CommandKind::Reversal => {
                if self.reversal_outage > 0 {
                    self.reversal_outage -= 1;
                    return Err(problem(503, "fault_injected"));
                }
                let Some(payment) = command.reverses else { return Err(problem(400, "invalid_request")) };
                let loan =
                    command.resources.iter().find_map(|r| r.strip_prefix("loan:")).unwrap_or_default().to_owned();
                match self.payments.get(&payment).cloned() {
                    None => {
                        self.payments.insert(payment, Booked::ReversedFirst);
                        ok(200, serde_json::json!({ "outcome": "recorded_before_payment" }))
                    }
                    Some(Booked::Applied) => {
                        let applied = self.applied_on_loan.entry(loan).or_default();
                        if applied.last() != Some(&payment) {
                            self.reversal_refused.push(payment);
                            return Err(problem(409, "reversal_not_possible"));
                        }
                        applied.pop();
                        self.payments.insert(payment, Booked::Undone);
                        ok(200, serde_json::json!({ "outcome": "payment_reversed" }))
                    }
                    Some(_) => ok(200, serde_json::json!({ "outcome": "nothing_to_reverse" })),
                }
            }
            _ => ok(200, serde_json::json!({})),
        }
    }

    fn charged(&self, payment: Uuid) -> bool {
        self.payments.get(&payment) == Some(&Booked::Applied)
    }
}

// ------------------------------------------------------------------------------------------------------
// The kiosk side: engine, journal, customers.
// ------------------------------------------------------------------------------------------------------

/// What the customer was told (or not) about a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Told {
    Waiting {
        deadline: DateTime<Utc>,
    },
    Done,
    Refused,
    NoCharge,
    /// Held behind an open reversal: nothing sent.
    Held,
    /// The decision could not be stored: nothing claimed, sent to the counter.
    Unconfirmed,
    /// Terminar while the payment was at the central: reversed whatever it reached.
    Left,
    /// Terminar, but the reversal could not be stored (the disk failed): the customer was told nothing;
    /// the kiosk is out of service and the payment ends as the central has it, journaled.
    LeftUnsettled,
    /// The kiosk stopped while they waited: an open payment is reversed at restart; one the central had
    /// already answered stands, journaled as done (staff can show it).
    Gone,
}

/// One request on the wire: processed by the central or not yet, its answer recorded or not yet.
struct Wire {
    command: StoredCommand,
    /// The central's result, once it processed the request; `lost` answers never come back.
    result: Option<Result<Reply, HostError>>,
}

struct Kiosk {
    dir: PathBuf,
    engine: Option<Engine>,
    journal: Journal,
    central: Central,
    customers: BTreeMap<Uuid, (Told, &'static str)>,
    wire: Vec<Wire>,
    now: DateTime<Utc>,
    crashes: u32,
    write_failures: u32,
}

fn reversal_builder() -> servicaja_host::engine::ReversalBuilder {
    Arc::new(default_reversal)
}

impl Kiosk {
    fn new(dir: &Path) -> Kiosk {
        let journal = Journal::open(&dir.join("journal.sqlite"), 64).unwrap();
        let mut kiosk = Kiosk {
            dir: dir.to_path_buf(),
            engine: None,
            journal,
            central: Central::default(),
            customers: BTreeMap::new(),
            wire: Vec::new(),
            now: t0(),
            crashes: 0,
            write_failures: 0,
        };
        kiosk.start();
        kiosk
    }

    fn start(&mut self) {
        let (engine, _started) =
            Engine::open(&self.dir.join("outbox.sqlite"), policy(), reversal_builder(), self.now).unwrap();
        self.engine = Some(engine);
    }

    fn engine(&mut self) -> &mut Engine {
        self.engine.as_mut().unwrap()
    }

    fn pay(&mut self, loan: usize, account: usize) {
        if self.customers.values().any(|(told, _)| matches!(told, Told::Waiting { .. })) {
            return; // one customer at a time at a kiosk
        }
        let request: PaymentRequest = serde_json::from_value(serde_json::json!({
            "operation_id": Uuid::now_v7(), "loan_id": LOANS[loan], "debit_account_id": ACCOUNTS[account],
            "option": "due_installment",
        }))
        .unwrap();
        let out = wire::outgoing(&Command::Pay(request.clone()), &Credentials::default()).unwrap();
        let (command, _) = out.into_command(request.operation_id, "session", Some(SessionToken("token".into())));
        let command = command.interactive();
        let now = self.now;
        let told = match self.engine().enqueue(&command, now) {
            Ok(_) => Told::Waiting { deadline: now + Duration::seconds(WAIT_SECONDS) },
            Err(OutboxError::ReversalPending { .. }) => Told::Held,
            // Not stored, so never sent: the session settles it as never stored.
            Err(_) => match self.engine().settle(command.key, SettleMode::KeepAnswer, "timeout", now) {
                Ok(Settlement::NotStored) => Told::NoCharge,
                _ => Told::Unconfirmed,
            },
        };
        self.customers.insert(command.key, (told, LOANS[loan]));
    }

    fn poll(&mut self, capacity: usize) {
        let now = self.now;
        if let Ok(polled) = self.engine().poll(now, capacity) {
            self.wire.extend(polled.send.into_iter().map(|command| Wire { command, result: None }));
        }
    }

    /// The central processes a request still on its way; faults: 0 none, 1 refused before commit (503),
    /// 2 committed but the answer lost.
    fn central_processes(&mut self, pick: usize, fault: u8, refuse: bool) {
        let Some(index) = self.pick_wire(pick, |w| w.result.is_none()) else { return };
        let command = self.wire[index].command.clone();
        let result = match fault {
            1 => Err(problem(503, "fault_injected")),
            2 => {
                let _ = self.central.handle(&command, refuse);
                Err(HostError::Timeout)
            }
            _ => self.central.handle(&command, refuse),
        };
        self.wire[index].result = Some(result);
    }

    /// A processed request's answer reaches the outbox.
    fn answer_arrives(&mut self, pick: usize) {
        let Some(index) = self.pick_wire(pick, |w| w.result.is_some()) else { return };
        let wire = self.wire.remove(index);
        let now = self.now;
        let result = wire.result.unwrap();
        let _ = self.engine().record(&wire.command, result, now, 0.5);
    }

    fn pick_wire(&self, pick: usize, filter: impl Fn(&Wire) -> bool) -> Option<usize> {
        let candidates: Vec<usize> = (0..self.wire.len()).filter(|i| filter(&self.wire[*i])).collect();
        (!candidates.is_empty()).then(|| candidates[pick % candidates.len()])
    }

    fn waiting(&self) -> Option<(Uuid, DateTime<Utc>)> {
        self.customers.iter().find_map(|(key, (told, _))| match told {
            Told::Waiting { deadline } => Some((*key, *deadline)),
            _ => None,
        })
    }

    /// The stored answer reaches the waiting customer before the timer (the session takes it).
    fn customer_gets_answer(&mut self) {
        let Some((key, _)) = self.waiting() else { return };
        let stored = self.engine().store().get_by_key(key).unwrap().unwrap();
        let told = match stored.state {
            State::Done => Told::Done,
            State::Rejected => Told::Refused,
            _ => return,
        };
        self.customers.get_mut(&key).unwrap().0 = told;
        self.session_ends(key);
    }

    /// The customer's session ends after they were told: the runtime releases the payment's standby reversal.
    fn session_ends(&mut self, key: Uuid) {
        let now = self.now;
        let _ = self.engine().release(&[key], now);
    }

    /// The customer's wait ends: the outbox decides once.
    fn wait_ends(&mut self) {
        let Some((key, deadline)) = self.waiting() else { return };
        self.now = self.now.max(deadline);
        let now = self.now;
        let told = match self.engine().settle(key, SettleMode::KeepAnswer, "timeout", now) {
            Ok(Settlement::Answered(payment)) if payment.state == State::Done => Told::Done,
            Ok(Settlement::Answered(_)) => Told::Refused,
            Ok(Settlement::Reversing(_) | Settlement::NotStored) => Told::NoCharge,
            Err(_) => Told::Unconfirmed,
        };
        self.customers.get_mut(&key).unwrap().0 = told;
        self.session_ends(key);
    }

    /// Terminar (or walking away) while the payment is at the central.
    fn customer_leaves(&mut self) {
        let Some((key, _)) = self.waiting() else { return };
        let now = self.now;
        // Should the write fail, an open payment stays open in the store and is reversed at the next start;
        // one the central already answered stands, journaled.
        let told = match self.engine().settle(key, SettleMode::Reverse, "customer_left", now) {
            Ok(_) => Told::Left,
            Err(_) => Told::LeftUnsettled,
        };
        self.customers.get_mut(&key).unwrap().0 = told;
    }

    /// The kiosk process dies: what was on the wire may still reach the central; no answer comes back.
    fn crash(&mut self, reaches: u8) {
        for (i, wire) in std::mem::take(&mut self.wire).into_iter().enumerate() {
            if wire.result.is_none() && (reaches >> (i % 8)) & 1 == 1 {
                let _ = self.central.handle(&wire.command, false);
            }
        }
        self.engine = None;
        for (told, _) in self.customers.values_mut() {
            if matches!(told, Told::Waiting { .. }) {
                *told = Told::Gone;
            }
        }
        self.crashes += 1;
        self.set_storage(0);
        self.start();
    }

    /// 0 healthy, 1 full (no new pages), 2 every write fails.
    fn set_storage(&mut self, mode: u8) {
        let Some(engine) = &self.engine else { return };
        let conn = engine.store().connection();
        conn.pragma_update(None, "query_only", mode == 2).unwrap();
        let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
        let limit = if mode == 1 { pages } else { 1_073_741_823 };
        let _: i64 = conn.query_row(&format!("PRAGMA max_page_count = {limit}"), [], |r| r.get(0)).unwrap();
        if mode != 0 {
            self.write_failures += 1;
        }
    }

    /// Journals every settled payment once (as the runtime's settlement loop does); `crash_between`
    /// leaves the outbox unmarked after the journal write, as a crash there would.
    fn journal_settlements(&mut self, crash_between: bool) {
        let Ok(settlements) = self.engine().unjournaled_settlements() else { return };
        for settlement in settlements {
            servicaja_host::settlement::journal_settlement(&mut self.journal, &settlement, self.now).unwrap();
            if !crash_between {
                let now = self.now;
                let _ = self.engine().mark_journaled(settlement.payment.id, now);
            }
        }
    }

    /// Storage healthy, the central reachable: run until nothing is open and nothing on the wire.
    fn drain(&mut self) {
        self.set_storage(0);
        self.central.reversal_outage = 0;
        if self.waiting().is_some() {
            self.wait_ends();
        }
        for _ in 0..10_000 {
            self.now += Duration::seconds(61);
            self.poll(8);
            while !self.wire.is_empty() {
                self.central_processes(0, 0, false);
                self.answer_arrives(0);
            }
            if self.engine().store().open_count().unwrap() == 0 {
                break;
            }
        }
        assert_eq!(self.engine().store().open_count().unwrap(), 0, "the outbox drains");
        self.journal_settlements(false);
    }

    /// The promise, payment by payment.
    fn check(&mut self) {
        assert!(self.central.doubled.is_empty(), "applied twice: {:?}", self.central.doubled);
        assert!(
            self.central.reversal_refused.is_empty(),
            "a later payment overtook a reversal: {:?}",
            self.central.reversal_refused
        );
        let settlements = self.settled_in_journal();
        for (key, (told, loan)) in self.customers.clone() {
            let charged = self.central.charged(key);
            match told {
                Told::Done => assert!(charged, "{key} on {loan}: told done but not charged"),
                Told::NoCharge | Told::Held | Told::Left => {
                    assert!(
                        !charged,
                        "{key} on {loan}: told {told:?} but charged ({:?})",
                        self.central.payments.get(&key)
                    )
                }
                Told::Refused | Told::Unconfirmed | Told::Gone | Told::LeftUnsettled => {}
                Told::Waiting { .. } => panic!("{key}: still waiting after the drain"),
            }
            if told == Told::Held {
                assert!(!self.central.payments.contains_key(&key), "{key}: a held payment was sent");
                continue;
            }
            let journaled = settlements.get(&key).copied();
            let stored = self.engine().store().get_by_key(key).unwrap();
            if stored.is_none() {
                assert!(!charged, "{key}: charged with nothing stored");
                continue;
            }
            assert_eq!(
                journaled,
                Some(charged),
                "{key} on {loan}: the journal must say whether it was charged ({told:?})"
            );
        }
    }

    /// Payment key → whether its settlement record says charged.
    fn settled_in_journal(&self) -> BTreeMap<Uuid, bool> {
        let by_record: BTreeMap<Uuid, Uuid> =
            self.customers.keys().map(|key| (servicaja_host::settlement::settlement_key(*key), *key)).collect();
        let mut settled = BTreeMap::new();
        for record in self.journal.range(t0() - Duration::days(1), self.now + Duration::days(1)).unwrap() {
            if let JournalEvent::Operation { kind, command_key: Some(record_key), outcome, .. } = &record.event
                && kind == servicaja_host::settlement::SETTLEMENT_KIND
            {
                let key = by_record[record_key];
                assert!(
                    settled.insert(key, *outcome == Outcome::Approved).is_none(),
                    "{key}: settled twice in the journal"
                );
            }
        }
        settled
    }
}

/// One scheduling decision of the simulation.
#[derive(Debug, Clone)]
enum Step {
    Pay { loan: u8, account: u8 },
    Poll { capacity: u8 },
    Central { pick: u8, fault: u8, refuse: bool },
    Answer { pick: u8 },
    CustomerGetsAnswer,
    WaitEnds,
    Terminar,
    Advance { seconds: u8 },
    Resync,
    Crash { reaches: u8 },
    ReversalOutage { requests: u8 },
    Storage { mode: u8 },
    Journal { crash_between: bool },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0u8..2, 0u8..2).prop_map(|(loan, account)| Step::Pay { loan, account }),
        5 => (1u8..4).prop_map(|capacity| Step::Poll { capacity }),
        5 => (any::<u8>(), prop_oneof![6 => Just(0u8), 1 => Just(1u8), 2 => Just(2u8)], proptest::bool::weighted(0.15))
            .prop_map(|(pick, fault, refuse)| Step::Central { pick, fault, refuse }),
        5 => any::<u8>().prop_map(|pick| Step::Answer { pick }),
        2 => Just(Step::CustomerGetsAnswer),
        2 => Just(Step::WaitEnds),
        1 => Just(Step::Terminar),
        3 => (0u8..40).prop_map(|seconds| Step::Advance { seconds }),
        1 => Just(Step::Resync),
        1 => any::<u8>().prop_map(|reaches| Step::Crash { reaches }),
        1 => (1u8..6).prop_map(|requests| Step::ReversalOutage { requests }),
        1 => (0u8..3).prop_map(|mode| Step::Storage { mode }),
        2 => proptest::bool::weighted(0.3).prop_map(|crash_between| Step::Journal { crash_between }),
    ]
}

fn run(steps: &[Step]) -> Kiosk {
    let dir = scratch_dir();
    let mut kiosk = Kiosk::new(dir.path());
    for step in steps {
        match *step {
            Step::Pay { loan, account } => kiosk.pay(loan.into(), account.into()),
            Step::Poll { capacity } => kiosk.poll(capacity.into()),
            Step::Central { pick, fault, refuse } => kiosk.central_processes(pick.into(), fault, refuse),
            Step::Answer { pick } => kiosk.answer_arrives(pick.into()),
            Step::CustomerGetsAnswer => kiosk.customer_gets_answer(),
            Step::WaitEnds => kiosk.wait_ends(),
            Step::Terminar => kiosk.customer_leaves(),
            Step::Advance { seconds } => kiosk.now += Duration::seconds(seconds.into()),
            Step::Resync => {
                let _ = kiosk.engine().resync();
            }
            Step::Crash { reaches } => kiosk.crash(reaches),
            Step::ReversalOutage { requests } => kiosk.central.reversal_outage += u32::from(requests),
            Step::Storage { mode } => kiosk.set_storage(mode),
            Step::Journal { crash_between } => kiosk.journal_settlements(crash_between),
        }
    }
    // The technician frees space and restarts the kiosk; everything drains.
    kiosk.crash(0);
    kiosk.drain();
    kiosk.check();
    drop(dir);
    kiosk
}

fn cases() -> u32 {
    std::env::var("SERVICAJA_SIM_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// Thousands of seeded interleavings; a failure prints the shrunk sequence of steps.
    #[test]
    fn the_money_promise_holds_whatever_the_interleaving(steps in proptest::collection::vec(step(), 1..120)) {
        run(&steps);
    }
}

// ------------------------------------------------------------------------------------------------------
// Each defect of issue 13, as its own scripted interleaving.
// ------------------------------------------------------------------------------------------------------

/// Defect 1: the answer is stored a moment before the wait ends — the customer is shown it.
#[test]
fn defect_1_an_answer_stored_just_before_the_timer_is_shown_not_contradicted() {
    let kiosk = run(&[
        Step::Pay { loan: 0, account: 0 },
        Step::Poll { capacity: 1 },
        Step::Central { pick: 0, fault: 0, refuse: false },
        Step::Answer { pick: 0 },
        Step::Advance { seconds: 30 },
        Step::WaitEnds,
    ]);
    let (told, _) = kiosk.customers.values().next().unwrap();
    assert_eq!(*told, Told::Done);
}

/// Defect 1: Terminar while the answer is queued — a completed payment is reversed like any other.
#[test]
fn defect_1_terminar_after_the_central_applied_reverses_the_payment() {
    let kiosk = run(&[
        Step::Pay { loan: 0, account: 0 },
        Step::Poll { capacity: 1 },
        Step::Central { pick: 0, fault: 0, refuse: false },
        Step::Answer { pick: 0 },
        Step::Terminar,
    ]);
    let (key, (told, _)) = kiosk.customers.iter().next().unwrap();
    assert_eq!(*told, Told::Left);
    assert_eq!(kiosk.central.payments.get(key), Some(&Booked::Undone));
}

/// Defect 2: the answer is lost after commit, the reversal route fails for a while, and the customer —
/// told no charge — pays again on the same loan: the new payment is held, never sent ahead.
#[test]
fn defect_2_a_retry_on_the_same_loan_never_overtakes_the_pending_reversal() {
    let kiosk = run(&[
        Step::ReversalOutage { requests: 5 },
        Step::Pay { loan: 0, account: 0 },
        Step::Poll { capacity: 1 },
        Step::Central { pick: 0, fault: 2, refuse: false },
        Step::Answer { pick: 0 },
        Step::WaitEnds,
        Step::Poll { capacity: 2 },
        Step::Central { pick: 0, fault: 0, refuse: false },
        Step::Answer { pick: 0 },
        Step::Pay { loan: 0, account: 1 },
        Step::Poll { capacity: 2 },
        Step::Central { pick: 0, fault: 0, refuse: false },
        Step::Answer { pick: 0 },
    ]);
    let told: Vec<Told> = kiosk.customers.values().map(|(told, _)| *told).collect();
    assert_eq!(told, [Told::NoCharge, Told::Held]);
}

/// Defect 3: the kiosk dies while the customer waits and the request still reaches the central: at
/// restart the payment is reversed and journaled as not done.
#[test]
fn defect_3_a_payment_in_flight_at_a_crash_is_reversed_at_restart_and_journaled() {
    let mut kiosk =
        run(&[Step::Pay { loan: 1, account: 1 }, Step::Poll { capacity: 1 }, Step::Crash { reaches: 0xff }]);
    let (key, (told, _)) = kiosk.customers.iter().next().map(|(k, v)| (*k, *v)).unwrap();
    assert_eq!(told, Told::Gone);
    assert_eq!(kiosk.central.payments.get(&key), Some(&Booked::Undone), "it had reached the central");
    assert_eq!(kiosk.settled_in_journal().get(&key), Some(&false));
    let settlement = kiosk.engine().store().get_by_key(servicaja_host::engine::reversal_key(key)).unwrap().unwrap();
    assert_eq!(settlement.payload["reason"], "kiosk_restarted");
}

/// Defect 4: a refusal recorded while a resync re-inserted the command stays a refusal.
#[test]
fn defect_4_a_refusal_is_never_recorded_as_done() {
    let dir = scratch_dir();
    let mut kiosk = Kiosk::new(dir.path());
    kiosk.pay(0, 0);
    kiosk.poll(1);
    kiosk.engine().resync().unwrap();
    kiosk.poll(1);
    kiosk.central_processes(0, 0, true);
    kiosk.engine().resync().unwrap();
    kiosk.answer_arrives(0);
    let key = *kiosk.customers.keys().next().unwrap();
    let stored = kiosk.engine().store().get_by_key(key).unwrap().unwrap();
    assert_eq!((stored.state, stored.answer_status), (State::Rejected, Some(422)));
    kiosk.customer_gets_answer();
    assert_eq!(kiosk.customers[&key].0, Told::Refused);
}

/// Defect 5: with the disk full the reversal is still stored in the transaction that withdraws the payment
/// (it was written with it), and with every write failing nothing is claimed.
#[test]
fn defect_5_a_full_disk_never_leaves_a_no_charge_customer_charged() {
    let kiosk = run(&[
        Step::Pay { loan: 0, account: 0 },
        Step::Poll { capacity: 1 },
        Step::Central { pick: 0, fault: 2, refuse: false },
        Step::Storage { mode: 1 },
        Step::Answer { pick: 0 },
        Step::WaitEnds,
    ]);
    let (key, (told, _)) = kiosk.customers.iter().next().unwrap();
    assert_eq!(*told, Told::NoCharge, "the standby reversal needed no new page");
    assert_eq!(kiosk.central.payments.get(key), Some(&Booked::Undone));

    let kiosk = run(&[
        Step::Pay { loan: 0, account: 0 },
        Step::Poll { capacity: 1 },
        Step::Central { pick: 0, fault: 2, refuse: false },
        Step::Storage { mode: 2 },
        Step::Answer { pick: 0 },
        Step::WaitEnds,
    ]);
    let (key, (told, _)) = kiosk.customers.iter().next().unwrap();
    assert_eq!(*told, Told::Unconfirmed, "no write, no claim");
    assert_eq!(kiosk.central.payments.get(key), Some(&Booked::Undone), "reversed at the next start");
}

/// Defect 5: a write failure is noticed by the engine, which takes no new command until restarted.
#[test]
fn defect_5_after_a_failed_write_no_new_payment_is_taken() {
    let dir = scratch_dir();
    let mut kiosk = Kiosk::new(dir.path());
    kiosk.set_storage(2);
    kiosk.pay(0, 0);
    assert!(kiosk.engine().fault().is_some());
    kiosk.set_storage(0);
    kiosk.pay(1, 1);
    let told: Vec<Told> = kiosk.customers.values().map(|(told, _)| *told).collect();
    assert_eq!(
        told,
        [Told::NoCharge, Told::NoCharge],
        "neither payment was stored, and nothing needs a write to say so"
    );
    assert!(kiosk.central.payments.is_empty());
}

/// Defect 6: one unreadable row does not stop the kiosk: it is set aside at start, never sent.
#[test]
fn defect_6_an_unreadable_row_is_set_aside_at_start_and_the_rest_flows() {
    let dir = scratch_dir();
    let mut kiosk = Kiosk::new(dir.path());
    kiosk.pay(0, 0);
    kiosk.wait_ends();
    kiosk.pay(1, 1);
    let damaged = *kiosk.customers.keys().nth(1).unwrap();
    kiosk
        .engine()
        .store()
        .connection()
        .execute("UPDATE commands SET payload = x'00ff' WHERE idempotency_key = ?1", [damaged.to_string()])
        .unwrap();
    kiosk.crash(0);
    let rows = kiosk.engine().store().list(&[State::Unreadable], None).unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].damage.as_deref().unwrap().contains("payload"), "{:?}", rows[0].damage);
    kiosk.poll(8);
    assert!(kiosk.wire.iter().all(|w| w.command.key != damaged), "never sent");
    assert!(kiosk.wire.iter().any(|w| w.command.kind == CommandKind::Reversal), "the rest flows");
}
