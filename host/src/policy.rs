//! The outbox policy: a pure, clock-driven state machine that decides what to send next, when to retry
//! and when to expire. No I/O, no clock, no random source: time and jitter come in as arguments.
//!
//! Commands live in lanes (one customer session's commands form one lane); only the oldest open command
//! of a lane may be in flight, so a lane is delivered in order. Lanes are independent of each other, with
//! one exception, the store-and-forward rule of ATM hosts: **reversals go first**. A payment that touches
//! a loan or an account (its *resources*) is not sent while a reversal touching any of them is open.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use servicaja_core::settings::OutboxSettings;

use crate::client::RetryAfter;

/// The outbox's row id: also the global order of arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CommandId(pub i64);

impl std::fmt::Display for CommandId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a command does at the central.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    Payment,
    Reversal,
    Affiliation,
    Disaffiliation,
    Constancia,
    Request,
    Enrollment,
    Email,
}

impl CommandKind {
    pub const ALL: [CommandKind; 8] = [
        CommandKind::Payment,
        CommandKind::Reversal,
        CommandKind::Affiliation,
        CommandKind::Disaffiliation,
        CommandKind::Constancia,
        CommandKind::Request,
        CommandKind::Enrollment,
        CommandKind::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::Payment => "payment",
            CommandKind::Reversal => "reversal",
            CommandKind::Affiliation => "affiliation",
            CommandKind::Disaffiliation => "disaffiliation",
            CommandKind::Constancia => "constancia",
            CommandKind::Request => "request",
            CommandKind::Enrollment => "enrollment",
            CommandKind::Email => "email",
        }
    }

    pub fn parse(text: &str) -> Option<CommandKind> {
        CommandKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// A reversal is sent until the central acknowledges it: it never expires.
    pub fn expires(self) -> bool {
        self != CommandKind::Reversal
    }

    /// What the kiosk does when an interactive answer does not come in time.
    pub fn on_interactive_timeout(self) -> TimeoutDecision {
        match self {
            // Money moved or may have moved: cancel it (ISO 8583 reversal) so that no charge stands.
            CommandKind::Payment => TimeoutDecision::Reverse,
            _ => TimeoutDecision::DeliverLater,
        }
    }
}

/// The decision taken when the customer cannot wait any longer for an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutDecision {
    /// Store a reversal durably, stop sending the original, tell the customer no charge stands.
    Reverse,
    /// Keep the command queued; tell the customer it will be delivered later.
    DeliverLater,
}

/// Where a command is in its life. Done, rejected, expired and cancelled are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Pending,
    InFlight,
    /// The central acknowledged it.
    Done,
    /// The central gave a business answer refusing it: final, never retried.
    Rejected,
    /// Too old to send: listed for reconciliation.
    Expired,
    /// Withdrawn by the kiosk (a reversed payment) or by a technician; the reason is kept.
    Cancelled,
    /// A payment's reversal, written with the payment before its first byte is sent and sent only if the
    /// payment must be undone: undoing then needs no new row, so it cannot fail for want of disk space.
    Standby,
    /// A row the store cannot read back (a damaged payload, kind or state): set aside, named, listed for
    /// technicians and cancellable; never sent.
    Unreadable,
}

impl State {
    pub const ALL: [State; 8] = [
        State::Pending,
        State::InFlight,
        State::Done,
        State::Rejected,
        State::Expired,
        State::Cancelled,
        State::Standby,
        State::Unreadable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::InFlight => "in_flight",
            State::Done => "done",
            State::Rejected => "rejected",
            State::Expired => "expired",
            State::Cancelled => "cancelled",
            State::Standby => "standby",
            State::Unreadable => "unreadable",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        State::ALL.into_iter().find(|state| state.as_str() == text)
    }

    /// Done, rejected, expired, cancelled or unreadable: nothing more happens to it by itself.
    pub fn is_final(self) -> bool {
        !matches!(self, State::Pending | State::InFlight | State::Standby)
    }

    /// Pending or in flight: it will be sent.
    pub fn is_open(self) -> bool {
        matches!(self, State::Pending | State::InFlight)
    }

    /// Whether a technician may send a command in this state again (same idempotency key): a pending one
    /// (its backoff is dropped) or an expired one (never answered). Never a rejected one: the central
    /// stores its answer under the key and replays it, so a retry would only fetch the same rejection —
    /// and the rejections it does not store (no session, session expired, malformed body) would fail again
    /// the same way, since the customer's session token is dropped with the answer. An in-flight command
    /// waits for its answer.
    pub fn can_retry(self) -> bool {
        matches!(self, State::Pending | State::Expired)
    }

    /// Whether a technician may withdraw a command in this state, with a reason: one not yet sent
    /// successfully (pending or expired), or one the central rejected once the customer has been attended
    /// at the counter — it then leaves the list of commands to look at, its answer and the reason kept.
    pub fn can_cancel(self) -> bool {
        matches!(self, State::Pending | State::Expired | State::Rejected | State::Unreadable)
    }
}

/// The policy's knobs, from `[outbox]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicySettings {
    pub max_open: u32,
    pub max_age: chrono::Duration,
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
}

impl From<&OutboxSettings> for PolicySettings {
    fn from(settings: &OutboxSettings) -> Self {
        PolicySettings {
            max_open: settings.max_pending,
            max_age: chrono::Duration::hours(settings.max_age_hours.into()),
            backoff_initial: Duration::from_millis(settings.backoff_initial_ms.into()),
            backoff_max: Duration::from_millis(settings.backoff_max_ms.into()),
        }
    }
}

impl PolicySettings {
    /// When a command created at `created_at` stops being sent, or never for kinds that do not expire.
    pub fn deadline(&self, kind: CommandKind, created_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        kind.expires().then(|| created_at.checked_add_signed(self.max_age).unwrap_or(DateTime::<Utc>::MAX_UTC))
    }

    /// Exponential backoff with "equal jitter": after the n-th failure (n ≥ 1) the wait is
    /// `b/2 + jitter·b/2` with `b = min(initial·2^(n-1), max)`, so two kiosks that failed together do
    /// not come back together, and no wait is ever zero. `jitter` is clamped to [0, 1].
    pub fn backoff(&self, failures: u32, jitter: f64) -> Duration {
        let exponent = failures.saturating_sub(1).min(32);
        let base = self.backoff_initial.saturating_mul(1u32 << exponent.min(31)).min(self.backoff_max);
        let jitter = if jitter.is_finite() { jitter.clamp(0.0, 1.0) } else { 0.0 };
        let half = base / 2;
        half + half.mul_f64(jitter)
    }
}

/// An open (pending or in-flight) command as the policy sees it: no payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCommand {
    pub id: CommandId,
    pub lane: String,
    pub kind: CommandKind,
    pub created_at: DateTime<Utc>,
    /// None: never expires.
    pub deadline: Option<DateTime<Utc>>,
    pub failures: u32,
    pub not_before: DateTime<Utc>,
    pub in_flight: bool,
    /// The loans and accounts it touches (`loan:…`, `account:…`): a payment waits while a reversal
    /// touching any of them is open.
    pub resources: Vec<String>,
}

impl OpenCommand {
    fn shares_resources_with(&self, other: &OpenCommand) -> bool {
        self.resources.iter().any(|resource| other.resources.contains(resource))
    }
}

/// What the shell must do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Send(CommandId),
    Expire(CommandId),
}

/// How a send ended, as far as the policy cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    Accepted,
    /// A business answer: final.
    Rejected,
    /// Network, timeout, TLS, 5xx, 429: try again later.
    Transient {
        retry_after: Option<RetryAfter>,
    },
}

/// The state change the shell must store after a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Done,
    Rejected,
    RetryAt {
        at: DateTime<Utc>,
        failures: u32,
    },
    /// The command was not in flight here (withdrawn meanwhile): nothing to change.
    Ignored,
}

/// The queue is at its bound: the kiosk must refuse new operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the outbox holds {open} commands, its bound is {bound}: new operations are refused until it drains")]
pub struct QueueFull {
    pub open: usize,
    pub bound: u32,
}

/// The open commands and the rules that move them.
#[derive(Debug, Clone)]
pub struct Queue {
    settings: PolicySettings,
    entries: BTreeMap<CommandId, OpenCommand>,
    lanes: BTreeMap<String, BTreeSet<CommandId>>,
    deadlines: BTreeSet<(DateTime<Utc>, CommandId)>,
}

impl Queue {
    pub fn new(settings: PolicySettings) -> Queue {
        Queue { settings, entries: BTreeMap::new(), lanes: BTreeMap::new(), deadlines: BTreeSet::new() }
    }

    pub fn settings(&self) -> &PolicySettings {
        &self.settings
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The open commands' ids, oldest first.
    pub fn ids(&self) -> Vec<CommandId> {
        self.entries.keys().copied().collect()
    }

    pub fn get(&self, id: CommandId) -> Option<&OpenCommand> {
        self.entries.get(&id)
    }

    /// Whether one more command may be accepted, given how many are open in the store.
    pub fn admit(&self, open_in_store: usize) -> Result<(), QueueFull> {
        if open_in_store >= self.settings.max_open as usize {
            Err(QueueFull { open: open_in_store, bound: self.settings.max_open })
        } else {
            Ok(())
        }
    }

    /// Adds (or replaces) an open command. A command restored after a restart must come in as pending:
    /// nobody is waiting for its answer any more.
    pub fn insert(&mut self, command: OpenCommand) {
        self.remove(command.id);
        if let Some(deadline) = command.deadline {
            self.deadlines.insert((deadline, command.id));
        }
        self.lanes.entry(command.lane.clone()).or_default().insert(command.id);
        self.entries.insert(command.id, command);
    }

    /// Forgets a command (withdrawn, or finished). Returns it if it was open.
    pub fn remove(&mut self, id: CommandId) -> Option<OpenCommand> {
        let command = self.entries.remove(&id)?;
        if let Some(deadline) = command.deadline {
            self.deadlines.remove(&(deadline, id));
        }
        if let Some(lane) = self.lanes.get_mut(&command.lane) {
            lane.remove(&id);
            if lane.is_empty() {
                self.lanes.remove(&command.lane);
            }
        }
        Some(command)
    }

    /// A technician's retry: due now, backoff forgotten; the age limit starts again from `now`.
    pub fn retry_now(&mut self, id: CommandId, now: DateTime<Utc>) -> bool {
        let Some(mut command) = self.entries.get(&id).cloned() else { return false };
        if command.in_flight {
            return false;
        }
        command.failures = 0;
        command.not_before = now;
        command.deadline = self.settings.deadline(command.kind, now);
        self.insert(command);
        true
    }

    /// The actions due at `now`: expiries first, then at most `capacity` sends (lane heads that are
    /// pending and due, oldest first). Sends are marked in flight here.
    pub fn poll(&mut self, now: DateTime<Utc>, capacity: usize) -> Vec<Action> {
        let mut actions = Vec::new();
        let overdue: Vec<CommandId> =
            self.deadlines.iter().take_while(|(deadline, _)| *deadline <= now).map(|(_, id)| *id).collect();
        for id in overdue {
            // An in-flight command waits for its answer; it expires afterwards if that answer fails.
            if self.entries.get(&id).is_some_and(|command| !command.in_flight) {
                self.remove(id);
                actions.push(Action::Expire(id));
            }
        }
        if capacity == 0 {
            return actions;
        }
        let mut due: Vec<CommandId> = self
            .lanes
            .values()
            .filter_map(|lane| lane.first())
            .filter(|id| {
                self.entries.get(id).is_some_and(|c| !c.in_flight && c.not_before <= now && !self.held_back(c))
            })
            .copied()
            .collect();
        due.sort_unstable();
        for id in due.into_iter().take(capacity) {
            if let Some(command) = self.entries.get_mut(&id) {
                command.in_flight = true;
                actions.push(Action::Send(id));
            }
        }
        actions
    }

    /// Reversals go first: a payment waits while an open reversal touches one of its loans or accounts.
    pub fn held_back(&self, command: &OpenCommand) -> bool {
        command.kind == CommandKind::Payment
            && self.entries.values().any(|other| {
                other.kind == CommandKind::Reversal && other.id != command.id && command.shares_resources_with(other)
            })
    }

    /// Whether an open reversal touches any of `resources` (a new payment on them must be refused).
    pub fn reversal_open_on(&self, resources: &[String]) -> bool {
        self.entries.values().any(|other| {
            other.kind == CommandKind::Reversal && resources.iter().any(|resource| other.resources.contains(resource))
        })
    }

    /// The next moment something becomes due (a lane head's retry time or a deadline); None when only
    /// answers can move the queue.
    pub fn next_wakeup(&self) -> Option<DateTime<Utc>> {
        let retry = self
            .lanes
            .values()
            .filter_map(|lane| lane.first())
            .filter_map(|id| self.entries.get(id))
            .filter(|command| !command.in_flight && !self.held_back(command))
            .map(|command| command.not_before)
            .min();
        let deadline = self
            .deadlines
            .iter()
            .find(|(_, id)| self.entries.get(id).is_some_and(|command| !command.in_flight))
            .map(|(deadline, _)| *deadline);
        match (retry, deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Applies the outcome of a send. `jitter` in [0, 1] comes from the shell's random source.
    pub fn on_outcome(&mut self, id: CommandId, outcome: &SendOutcome, now: DateTime<Utc>, jitter: f64) -> Transition {
        let Some(command) = self.entries.get_mut(&id) else { return Transition::Ignored };
        if !command.in_flight {
            return Transition::Ignored;
        }
        match outcome {
            SendOutcome::Accepted => {
                self.remove(id);
                Transition::Done
            }
            SendOutcome::Rejected => {
                self.remove(id);
                Transition::Rejected
            }
            SendOutcome::Transient { retry_after } => {
                command.in_flight = false;
                command.failures = command.failures.saturating_add(1);
                let mut wait = self.settings.backoff(command.failures, jitter);
                if let Some(retry_after) = retry_after {
                    wait = wait.max(retry_after.delay_from(now));
                }
                let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
                command.not_before = now.checked_add_signed(wait).unwrap_or(DateTime::<Utc>::MAX_UTC);
                Transition::RetryAt { at: command.not_before, failures: command.failures }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn settings() -> PolicySettings {
        PolicySettings {
            max_open: 3,
            max_age: chrono::Duration::hours(24),
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
        }
    }

    fn command(id: i64, lane: &str, kind: CommandKind, created: i64) -> OpenCommand {
        OpenCommand {
            id: CommandId(id),
            lane: lane.into(),
            kind,
            created_at: t(created),
            deadline: settings().deadline(kind, t(created)),
            failures: 0,
            not_before: t(created),
            in_flight: false,
            resources: Vec::new(),
        }
    }

    fn sends(actions: &[Action]) -> Vec<i64> {
        actions.iter().filter_map(|a| if let Action::Send(id) = a { Some(id.0) } else { None }).collect()
    }

    #[test]
    fn a_lane_is_sent_in_order_one_at_a_time_and_lanes_run_side_by_side() {
        let mut queue = Queue::new(settings());
        queue.insert(command(1, "s1", CommandKind::Payment, 0));
        queue.insert(command(2, "s1", CommandKind::Email, 0));
        queue.insert(command(3, "s2", CommandKind::Request, 0));
        assert_eq!(sends(&queue.poll(t(0), 10)), [1, 3]);
        assert_eq!(sends(&queue.poll(t(0), 10)), Vec::<i64>::new(), "heads are in flight");
        assert_eq!(queue.on_outcome(CommandId(1), &SendOutcome::Accepted, t(1), 0.5), Transition::Done);
        assert_eq!(sends(&queue.poll(t(1), 10)), [2]);
    }

    #[test]
    fn capacity_limits_how_many_go_out_at_once() {
        let mut queue = Queue::new(settings());
        for id in 1..=3 {
            queue.insert(command(id, &format!("lane{id}"), CommandKind::Request, 0));
        }
        assert_eq!(sends(&queue.poll(t(0), 2)), [1, 2]);
        assert_eq!(sends(&queue.poll(t(0), 2)), [3]);
    }

    #[test]
    fn transient_failures_back_off_exponentially_with_jitter_inside_the_bounds() {
        let mut queue = Queue::new(settings());
        queue.insert(command(1, "s1", CommandKind::Payment, 0));
        let mut expected_base = 500u64;
        for failure in 1..=10u32 {
            queue.poll(t(0), 1);
            let now = t(0);
            let transient = SendOutcome::Transient { retry_after: None };
            let Transition::RetryAt { at, failures } = queue.on_outcome(CommandId(1), &transient, now, 1.0) else {
                panic!("a transient failure must be retried");
            };
            assert_eq!(failures, failure);
            assert_eq!((at - now).num_milliseconds() as u64, expected_base.min(60_000));
            expected_base *= 2;
            queue.retry_now(CommandId(1), now);
            queue.entries.get_mut(&CommandId(1)).unwrap().failures = failure;
        }
        let policy = settings();
        assert_eq!(policy.backoff(1, 0.0), Duration::from_millis(250));
        assert_eq!(policy.backoff(1, 1.0), Duration::from_millis(500));
        assert_eq!(policy.backoff(40, 0.0), Duration::from_secs(30));
        assert_eq!(policy.backoff(3, f64::NAN), Duration::from_millis(1000));
    }

    #[test]
    fn a_retried_command_is_not_sent_before_its_time_and_retry_after_is_honoured() {
        let mut queue = Queue::new(settings());
        queue.insert(command(1, "s1", CommandKind::Payment, 0));
        queue.poll(t(0), 1);
        let outcome = SendOutcome::Transient { retry_after: Some(RetryAfter::Seconds(30)) };
        assert_eq!(queue.on_outcome(CommandId(1), &outcome, t(0), 0.0), Transition::RetryAt { at: t(30), failures: 1 });
        assert_eq!(queue.next_wakeup(), Some(t(30)));
        assert_eq!(sends(&queue.poll(t(29), 1)), Vec::<i64>::new());
        assert_eq!(sends(&queue.poll(t(30), 1)), [1]);
    }

    #[test]
    fn a_business_rejection_is_final_and_frees_the_lane() {
        let mut queue = Queue::new(settings());
        queue.insert(command(1, "s1", CommandKind::Payment, 0));
        queue.insert(command(2, "s1", CommandKind::Email, 0));
        queue.poll(t(0), 1);
        assert_eq!(queue.on_outcome(CommandId(1), &SendOutcome::Rejected, t(0), 0.0), Transition::Rejected);
        assert!(queue.get(CommandId(1)).is_none());
        assert_eq!(sends(&queue.poll(t(0), 1)), [2]);
    }

    #[test]
    fn old_commands_expire_but_reversals_never_do_and_in_flight_ones_wait_for_their_answer() {
        let mut queue = Queue::new(settings());
        queue.insert(command(1, "s1", CommandKind::Payment, 0));
        queue.insert(command(2, "s2", CommandKind::Reversal, 0));
        queue.insert(command(3, "s3", CommandKind::Email, 0));
        queue.poll(t(0), 0);
        assert_eq!(sends(&queue.poll(t(0), 1)), [1]);
        let day = 24 * 3600;
        let actions = queue.poll(t(day), 0);
        assert_eq!(actions, [Action::Expire(CommandId(3))]);
        assert_eq!(queue.next_wakeup(), Some(t(0)), "the reversal is still due");
        let transient = SendOutcome::Transient { retry_after: None };
        queue.on_outcome(CommandId(1), &transient, t(day), 0.0);
        assert_eq!(queue.poll(t(day), 0), [Action::Expire(CommandId(1))]);
        assert_eq!(sends(&queue.poll(t(10 * day), 5)), [2]);
    }

    #[test]
    fn the_bound_refuses_new_commands() {
        let queue = Queue::new(settings());
        assert!(queue.admit(2).is_ok());
        let full = queue.admit(3).unwrap_err();
        assert_eq!(full, QueueFull { open: 3, bound: 3 });
        assert!(full.to_string().contains("refused"));
    }

    #[test]
    fn late_answers_for_withdrawn_commands_change_nothing() {
        let mut queue = Queue::new(settings());
        queue.insert(command(1, "s1", CommandKind::Payment, 0));
        queue.poll(t(0), 1);
        queue.remove(CommandId(1));
        assert_eq!(queue.on_outcome(CommandId(1), &SendOutcome::Accepted, t(1), 0.0), Transition::Ignored);
        queue.insert(command(2, "s2", CommandKind::Payment, 0));
        assert_eq!(queue.on_outcome(CommandId(2), &SendOutcome::Accepted, t(1), 0.0), Transition::Ignored);
    }

    #[test]
    fn only_payments_are_reversed_on_an_interactive_timeout() {
        assert_eq!(CommandKind::Payment.on_interactive_timeout(), TimeoutDecision::Reverse);
        assert_eq!(CommandKind::Email.on_interactive_timeout(), TimeoutDecision::DeliverLater);
        for kind in CommandKind::ALL {
            assert_eq!(CommandKind::parse(kind.as_str()), Some(kind));
        }
        for state in State::ALL {
            assert_eq!(State::parse(state.as_str()), Some(state));
        }
    }

    #[derive(Debug, Clone)]
    enum Step {
        Poll { advance_ms: u32, capacity: u8 },
        Answer { pick: u8, outcome: u8, jitter: u8 },
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0u32..5_000_000, 0u8..4).prop_map(|(advance_ms, capacity)| Step::Poll { advance_ms, capacity }),
            (any::<u8>(), 0u8..3, any::<u8>()).prop_map(|(pick, outcome, jitter)| Step::Answer {
                pick,
                outcome,
                jitter
            }),
        ]
    }

    proptest! {
        /// Whatever happens, a lane never has two commands in flight, sends within a lane go out in
        /// order, and every command ends exactly once (done, rejected or expired) or stays open.
        #[test]
        fn lanes_stay_ordered_and_nothing_is_lost(
            lanes in proptest::collection::vec(0u8..3, 1..12),
            steps in proptest::collection::vec(step(), 1..80),
        ) {
            let mut queue = Queue::new(settings());
            for (i, lane) in lanes.iter().enumerate() {
                let kind = if i % 4 == 3 { CommandKind::Reversal } else { CommandKind::Payment };
                queue.insert(command(i as i64 + 1, &format!("lane{lane}"), kind, 0));
            }
            let mut now = t(0);
            let mut in_flight: Vec<CommandId> = Vec::new();
            let mut finished: BTreeSet<CommandId> = BTreeSet::new();
            let mut last_sent_per_lane: BTreeMap<String, CommandId> = BTreeMap::new();
            for step in steps {
                match step {
                    Step::Poll { advance_ms, capacity } => {
                        now += chrono::Duration::milliseconds(advance_ms.into());
                        for action in queue.poll(now, capacity.into()) {
                            match action {
                                Action::Send(id) => {
                                    let lane = queue.get(id).unwrap().lane.clone();
                                    prop_assert!(in_flight.iter().all(|other| queue.get(*other).unwrap().lane != lane));
                                    if let Some(previous) = last_sent_per_lane.get(&lane) {
                                        prop_assert!(*previous <= id);
                                    }
                                    last_sent_per_lane.insert(lane, id);
                                    in_flight.push(id);
                                }
                                Action::Expire(id) => {
                                    prop_assert!(!in_flight.contains(&id));
                                    prop_assert!(finished.insert(id));
                                }
                            }
                        }
                    }
                    Step::Answer { pick, outcome, jitter } => {
                        if in_flight.is_empty() { continue; }
                        let id = in_flight.remove(pick as usize % in_flight.len());
                        let outcome = match outcome {
                            0 => SendOutcome::Accepted,
                            1 => SendOutcome::Rejected,
                            _ => SendOutcome::Transient { retry_after: None },
                        };
                        match queue.on_outcome(id, &outcome, now, f64::from(jitter) / 255.0) {
                            Transition::Done | Transition::Rejected => prop_assert!(finished.insert(id)),
                            Transition::RetryAt { at, .. } => prop_assert!(at > now),
                            Transition::Ignored => prop_assert!(false, "an in-flight answer was ignored"),
                        }
                    }
                }
            }
            prop_assert_eq!(finished.len() + queue.len(), lanes.len());
        }
    }
}
