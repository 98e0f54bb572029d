//! The maintenance access state machine: a technician or staff member asks to enter (after the hidden
//! gesture), waits while a customer is being served ("enter pending", XFS4IoT VendorMode), types an id
//! and a PIN checked by an injected [`PinVerifier`], and then acts within what the role permits. Too many
//! wrong PINs lock that id for `lockout_minutes`; after `reauth_minutes` idle the session must
//! authenticate again (PCI DSS 8.2.8). Every step leaves a [`JournalEntry`] to be drained by the shell.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use servicaja_core::settings::{MaintenanceSettings, MaintenanceUser, Role};

use crate::journal::JournalEntry;

/// Checks a PIN against a user's stored hash (argon2 in the application's shell). Implementations must
/// not keep or log the PIN.
pub trait PinVerifier {
    fn verify(&self, user: &MaintenanceUser, pin: &str) -> bool;
    /// Does the work of [`verify`](Self::verify) for an id that does not exist (argon2 against a dummy
    /// hash in the shell), so that the time a refusal takes does not tell which ids exist. The PIN is
    /// refused whatever happens here.
    fn verify_unknown(&self, pin: &str);
}

/// What a technician or staff member can ask to do once in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ViewDevices,
    TestDevice,
    ViewPaper,
    ReplacePaperRoll,
    ViewQueue,
    RetryCommand,
    CancelCommand,
    ViewHost,
    /// The kiosk page: version, uptime, configuration summary (secrets hidden) and the service switch.
    ViewKiosk,
    SetOutOfService,
    SetInService,
    ExportLogs,
    Reprint,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::ViewDevices,
        Action::TestDevice,
        Action::ViewPaper,
        Action::ReplacePaperRoll,
        Action::ViewQueue,
        Action::RetryCommand,
        Action::CancelCommand,
        Action::ViewHost,
        Action::ViewKiosk,
        Action::SetOutOfService,
        Action::SetInService,
        Action::ExportLogs,
        Action::Reprint,
    ];

    /// The journal's code for the action.
    pub fn code(self) -> &'static str {
        match self {
            Action::ViewDevices => "view_devices",
            Action::TestDevice => "test_device",
            Action::ViewPaper => "view_paper",
            Action::ReplacePaperRoll => "replace_paper_roll",
            Action::ViewQueue => "view_queue",
            Action::RetryCommand => "retry_command",
            Action::CancelCommand => "cancel_command",
            Action::ViewHost => "view_host",
            Action::ViewKiosk => "view_kiosk",
            Action::SetOutOfService => "set_out_of_service",
            Action::SetInService => "set_in_service",
            Action::ExportLogs => "export_logs",
            Action::Reprint => "reprint",
        }
    }
}

/// Staff reprint receipts and nothing else; technicians look after the kiosk and never reprint (a
/// reprint is a staff act with its own audit trail).
pub fn permits(role: Role, action: Action) -> bool {
    match role {
        Role::Staff => action == Action::Reprint,
        Role::Technician => action != Action::Reprint,
    }
}

/// Why a PIN cannot be one: PINs are typed on the kiosk's numeric keypad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PinFormatError {
    #[error("the PIN must have at least {min} digits")]
    TooShort { min: usize },
    #[error("the PIN must have at most {max} digits")]
    TooLong { max: usize },
    #[error("the PIN must be digits only (it is typed on the kiosk's keypad)")]
    NotDigits,
}

pub const PIN_MIN_DIGITS: usize = 6;
pub const PIN_MAX_DIGITS: usize = 12;

/// A PIN is 6 to 12 ASCII digits.
pub fn check_pin_format(pin: &str) -> Result<(), PinFormatError> {
    if !pin.chars().all(|c| c.is_ascii_digit()) {
        return Err(PinFormatError::NotDigits);
    }
    match pin.len() {
        n if n < PIN_MIN_DIGITS => Err(PinFormatError::TooShort { min: PIN_MIN_DIGITS }),
        n if n > PIN_MAX_DIGITS => Err(PinFormatError::TooLong { max: PIN_MAX_DIGITS }),
        _ => Ok(()),
    }
}

/// The rules the state machine applies, from the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessPolicy {
    pub max_pin_attempts: u8,
    pub lockout: TimeDelta,
    pub reauth_after: TimeDelta,
    pub users: Vec<MaintenanceUser>,
}

impl AccessPolicy {
    pub fn from_settings(settings: &MaintenanceSettings) -> Self {
        Self {
            max_pin_attempts: settings.max_pin_attempts.max(1),
            lockout: TimeDelta::minutes(i64::from(settings.lockout_minutes)),
            reauth_after: TimeDelta::minutes(i64::from(settings.reauth_minutes.max(1))),
            users: settings.users.clone(),
        }
    }
}

/// Where the maintenance mode stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AccessState {
    /// Serving customers.
    Closed,
    /// Someone asked to enter while a customer is being served: the login opens when that session ends;
    /// meanwhile the next customer sees "fuera de servicio".
    EnterPending { requested_at: DateTime<Utc> },
    /// The id + PIN keypad is shown.
    Login { opened_at: DateTime<Utc> },
    /// A user is in.
    Active { user: String, role: Role, last_activity: DateTime<Utc> },
    /// The user was idle too long: the screen is covered by the PIN keypad until they (or another user)
    /// authenticate again.
    Reauth { user: String, role: Role, since: DateTime<Utc> },
}

/// The answer to an id + PIN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LoginOutcome {
    Granted {
        user: String,
        role: Role,
    },
    /// Wrong id or PIN (the screen does not say which).
    Refused {
        attempts_left: u8,
    },
    LockedOut {
        until: DateTime<Utc>,
    },
    /// No keypad is open (the request is pending, or nobody asked to enter).
    NotExpected,
}

/// Why an action was not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("nobody is signed in to the maintenance mode")]
    NotSignedIn,
    #[error("the session was idle too long: type the PIN again")]
    ReauthRequired,
    #[error("the role {role:?} may not {action:?}")]
    NotPermitted { role: Role, action: Action },
}

/// The user an allowed action is done by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorized {
    pub user: String,
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Failures {
    count: u8,
    locked_until: Option<DateTime<Utc>>,
}

/// Shown instead of an id nobody has: a mistyped id might be a PIN typed in the wrong field.
const UNKNOWN_USER: &str = "-";

/// The maintenance access state machine. Sans-IO: every method takes the current instant.
#[derive(Debug, Clone)]
pub struct Access {
    policy: AccessPolicy,
    state: AccessState,
    failures: BTreeMap<String, Failures>,
    journal: Vec<JournalEntry>,
}

impl Access {
    pub fn new(policy: AccessPolicy) -> Self {
        Self { policy, state: AccessState::Closed, failures: BTreeMap::new(), journal: Vec::new() }
    }

    pub fn state(&self) -> &AccessState {
        &self.state
    }

    /// Whether the kiosk must show "fuera de servicio" to customers now (the next customer while entry is
    /// pending, everybody while a technician or staff member is in).
    pub fn out_of_service(&self) -> bool {
        self.state != AccessState::Closed
    }

    /// The journal entries produced since the last call, oldest first.
    pub fn drain_journal(&mut self) -> Vec<JournalEntry> {
        std::mem::take(&mut self.journal)
    }

    /// When `id` may try again, if it is locked at `now`.
    pub fn locked_until(&self, id: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.failures.get(id).and_then(|f| f.locked_until).filter(|until| now < *until)
    }

    /// The hidden gesture was made. With a customer session in progress the request waits for it to end.
    pub fn request_entry(&mut self, now: DateTime<Utc>, customer_session_active: bool) -> &AccessState {
        if self.state == AccessState::Closed {
            if customer_session_active {
                self.state = AccessState::EnterPending { requested_at: now };
                self.log(now, UNKNOWN_USER, "enter_pending", "customer session in progress");
            } else {
                self.state = AccessState::Login { opened_at: now };
                self.log(now, UNKNOWN_USER, "enter_requested", "");
            }
        }
        &self.state
    }

    /// The customer session ended: a pending request opens the login.
    pub fn customer_session_ended(&mut self, now: DateTime<Utc>) -> &AccessState {
        if let AccessState::EnterPending { .. } = self.state {
            self.state = AccessState::Login { opened_at: now };
            self.log(now, UNKNOWN_USER, "enter_requested", "customer session ended");
        }
        &self.state
    }

    /// An id and PIN typed on the keypad.
    pub fn submit(&mut self, id: &str, pin: &str, now: DateTime<Utc>, verifier: &dyn PinVerifier) -> LoginOutcome {
        let reauth_of = match &self.state {
            AccessState::Login { .. } => None,
            AccessState::Reauth { user, .. } => Some(user.clone()),
            _ => return LoginOutcome::NotExpected,
        };
        let user = self.policy.users.iter().find(|user| user.id == id).cloned();
        let journal_id = user.as_ref().map_or(UNKNOWN_USER, |user| user.id.as_str()).to_owned();
        let entry = self.failures.entry(id.to_owned()).or_insert(Failures { count: 0, locked_until: None });
        match entry.locked_until {
            Some(until) if now < until => {
                self.log(now, &journal_id, "login_refused", "id locked");
                return LoginOutcome::LockedOut { until };
            }
            Some(_) => *entry = Failures { count: 0, locked_until: None },
            None => {}
        }
        // A well-formed PIN costs one verification whether or not the id exists (no timing oracle on ids).
        let verified = check_pin_format(pin).is_ok()
            && match &user {
                Some(user) => verifier.verify(user, pin),
                None => {
                    verifier.verify_unknown(pin);
                    false
                }
            };
        let Some(user) = user.filter(|_| verified) else {
            entry.count = entry.count.saturating_add(1);
            if entry.count >= self.policy.max_pin_attempts {
                let until = now.checked_add_signed(self.policy.lockout).unwrap_or(DateTime::<Utc>::MAX_UTC);
                entry.locked_until = Some(until);
                let detail = format!("{} wrong PINs", entry.count);
                self.log(now, &journal_id, "locked_out", detail);
                return LoginOutcome::LockedOut { until };
            }
            let attempts_left = self.policy.max_pin_attempts - entry.count;
            self.log(
                now,
                &journal_id,
                "login_refused",
                if journal_id == UNKNOWN_USER { "unknown id" } else { "wrong PIN" },
            );
            return LoginOutcome::Refused { attempts_left };
        };
        self.failures.remove(id);
        match reauth_of {
            Some(previous) if previous == user.id => self.log(now, &user.id, "reauthenticated", ""),
            Some(previous) => {
                self.log(now, &previous, "exit", format!("replaced by {} after idle", user.id));
                self.log(now, &user.id, "login", role_name(user.role));
            }
            None => self.log(now, &user.id, "login", role_name(user.role)),
        }
        self.state = AccessState::Active { user: user.id.clone(), role: user.role, last_activity: now };
        LoginOutcome::Granted { user: user.id, role: user.role }
    }

    /// Moves an idle session to re-authentication once `reauth_minutes` have passed since the last
    /// activity (exactly at the limit counts as idle). Returns whether it did.
    pub fn tick(&mut self, now: DateTime<Utc>) -> bool {
        if let AccessState::Active { user, role, last_activity } = &self.state
            && now.signed_duration_since(*last_activity) >= self.policy.reauth_after
        {
            let (user, role) = (user.clone(), *role);
            self.log(now, &user, "reauth_required", "idle");
            self.state = AccessState::Reauth { user, role, since: now };
            return true;
        }
        false
    }

    /// The user touched the screen or a key: restarts the idle time unless it already ran out.
    pub fn touch(&mut self, now: DateTime<Utc>) {
        self.tick(now);
        if let AccessState::Active { last_activity, .. } = &mut self.state
            && now > *last_activity
        {
            *last_activity = now;
        }
    }

    /// Asks to do `action`; journals it (with `detail`) when allowed and the refusal when the role may
    /// not. No secret may be passed in `detail`.
    pub fn authorize(&mut self, action: Action, detail: &str, now: DateTime<Utc>) -> Result<Authorized, Refusal> {
        self.tick(now);
        let (user, role) = match &self.state {
            AccessState::Active { user, role, .. } => (user.clone(), *role),
            AccessState::Reauth { .. } => return Err(Refusal::ReauthRequired),
            _ => return Err(Refusal::NotSignedIn),
        };
        if !permits(role, action) {
            self.log(now, &user, "action_denied", action.code());
            return Err(Refusal::NotPermitted { role, action });
        }
        self.touch(now);
        self.log(now, &user, action.code(), detail);
        Ok(Authorized { user, role })
    }

    /// Leaves the maintenance mode (or cancels a pending or open login): customers are served again.
    pub fn exit(&mut self, now: DateTime<Utc>) {
        match std::mem::replace(&mut self.state, AccessState::Closed) {
            AccessState::Active { user, .. } | AccessState::Reauth { user, .. } => self.log(now, &user, "exit", ""),
            AccessState::EnterPending { .. } | AccessState::Login { .. } => {
                self.log(now, UNKNOWN_USER, "enter_cancelled", "")
            }
            AccessState::Closed => {}
        }
    }

    fn log(&mut self, at: DateTime<Utc>, user: &str, action: &str, detail: impl Into<String>) {
        self.journal.push(JournalEntry::new(at, user, action, detail));
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Technician => "technician",
        Role::Staff => "staff",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A verifier that accepts `<id>-pin` mapped to a fixed PIN per user: "123456" for everybody.
    struct FixedPin;
    impl PinVerifier for FixedPin {
        fn verify(&self, user: &MaintenanceUser, pin: &str) -> bool {
            user.pin_hash == format!("$argon2-test${pin}")
        }
        fn verify_unknown(&self, _: &str) {}
    }

    fn t(seconds: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_780_000_000 + seconds, 0).single().unwrap()
    }

    fn user(id: &str, role: Role) -> MaintenanceUser {
        MaintenanceUser { id: id.into(), name: id.into(), role, pin_hash: "$argon2-test$123456".into() }
    }

    fn access() -> Access {
        let settings = MaintenanceSettings {
            users: vec![user("T01", Role::Technician), user("S01", Role::Staff)],
            ..MaintenanceSettings::default()
        };
        Access::new(AccessPolicy::from_settings(&settings))
    }

    fn signed_in(id: &str) -> Access {
        let mut access = access();
        access.request_entry(t(0), false);
        assert!(matches!(access.submit(id, "123456", t(0), &FixedPin), LoginOutcome::Granted { .. }));
        access
    }

    fn actions(access: &mut Access) -> Vec<(String, String)> {
        access.drain_journal().into_iter().map(|e| (e.user, e.action)).collect()
    }

    #[test]
    fn a_valid_pin_lets_the_user_in_and_the_entry_is_journaled_with_the_id() {
        let mut access = access();
        assert_eq!(access.request_entry(t(0), false), &AccessState::Login { opened_at: t(0) });
        assert!(access.out_of_service());
        assert_eq!(
            access.submit("T01", "123456", t(5), &FixedPin),
            LoginOutcome::Granted { user: "T01".into(), role: Role::Technician }
        );
        assert_eq!(
            access.state(),
            &AccessState::Active { user: "T01".into(), role: Role::Technician, last_activity: t(5) }
        );
        access.exit(t(9));
        assert_eq!(access.state(), &AccessState::Closed);
        assert!(!access.out_of_service());
        assert_eq!(
            actions(&mut access),
            [("-".into(), "enter_requested".into()), ("T01".into(), "login".into()), ("T01".into(), "exit".into())]
        );
    }

    #[test]
    fn three_wrong_pins_lock_that_id_until_the_lockout_ends() {
        let mut access = access();
        access.request_entry(t(0), false);
        assert_eq!(access.submit("T01", "000000", t(1), &FixedPin), LoginOutcome::Refused { attempts_left: 2 });
        assert_eq!(access.submit("T01", "000001", t(2), &FixedPin), LoginOutcome::Refused { attempts_left: 1 });
        let until = t(3) + TimeDelta::minutes(15);
        assert_eq!(access.submit("T01", "000002", t(3), &FixedPin), LoginOutcome::LockedOut { until });
        assert_eq!(
            access.submit("T01", "123456", t(4), &FixedPin),
            LoginOutcome::LockedOut { until },
            "even the right PIN is refused while locked"
        );
        assert_eq!(access.locked_until("T01", t(4)), Some(until));
        assert_eq!(access.locked_until("S01", t(4)), None, "only that id is locked");
        assert!(matches!(access.submit("S01", "123456", t(5), &FixedPin), LoginOutcome::Granted { .. }));
        let journal = actions(&mut access);
        assert!(journal.contains(&("T01".into(), "locked_out".into())));
    }

    #[test]
    fn the_lockout_expires_after_the_configured_minutes_and_the_count_starts_again() {
        let mut access = access();
        access.request_entry(t(0), false);
        for s in 1..=3 {
            access.submit("T01", "999999", t(s), &FixedPin);
        }
        let until = t(3) + TimeDelta::minutes(15);
        assert_eq!(
            access.submit("T01", "123456", until - TimeDelta::seconds(1), &FixedPin),
            LoginOutcome::LockedOut { until }
        );
        assert_eq!(access.locked_until("T01", until), None);
        assert_eq!(access.submit("T01", "999999", until, &FixedPin), LoginOutcome::Refused { attempts_left: 2 });
        assert!(matches!(access.submit("T01", "123456", until, &FixedPin), LoginOutcome::Granted { .. }));
    }

    #[test]
    fn unknown_ids_are_refused_like_wrong_pins_and_never_journaled_as_typed() {
        let mut access = access();
        access.request_entry(t(0), false);
        assert_eq!(access.submit("123456", "123456", t(1), &FixedPin), LoginOutcome::Refused { attempts_left: 2 });
        let journal = access.drain_journal();
        assert!(journal.iter().all(|e| !e.user.contains("123456") && !e.detail.contains("123456")));
    }

    #[test]
    fn an_unknown_id_costs_the_verifier_the_same_work_as_a_known_one() {
        /// Counts the verifications of known and of unknown ids.
        #[derive(Default)]
        struct Counting {
            known: std::cell::Cell<u32>,
            unknown: std::cell::Cell<u32>,
        }
        impl PinVerifier for Counting {
            fn verify(&self, _: &MaintenanceUser, _: &str) -> bool {
                self.known.set(self.known.get() + 1);
                false
            }
            fn verify_unknown(&self, _: &str) {
                self.unknown.set(self.unknown.get() + 1);
            }
        }
        let verifier = Counting::default();
        let mut access = access();
        access.request_entry(t(0), false);
        assert_eq!(access.submit("X99", "123456", t(1), &verifier), LoginOutcome::Refused { attempts_left: 2 });
        assert_eq!((verifier.known.get(), verifier.unknown.get()), (0, 1));
        assert_eq!(access.submit("T01", "123456", t(2), &verifier), LoginOutcome::Refused { attempts_left: 2 });
        assert_eq!((verifier.known.get(), verifier.unknown.get()), (1, 1));
        // Even a verifier that would say yes cannot let an unknown id in.
        struct YesToAll;
        impl PinVerifier for YesToAll {
            fn verify(&self, _: &MaintenanceUser, _: &str) -> bool {
                true
            }
            fn verify_unknown(&self, _: &str) {}
        }
        assert_eq!(access.submit("X99", "123456", t(3), &YesToAll), LoginOutcome::Refused { attempts_left: 1 });
    }

    #[test]
    fn a_badly_formed_pin_never_reaches_the_verifier() {
        struct Panics;
        impl PinVerifier for Panics {
            fn verify(&self, _: &MaintenanceUser, _: &str) -> bool {
                panic!("called")
            }
            fn verify_unknown(&self, _: &str) {
                panic!("called")
            }
        }
        let mut access = access();
        access.request_entry(t(0), false);
        assert_eq!(access.submit("T01", "12a", t(1), &Panics), LoginOutcome::Refused { attempts_left: 2 });
    }

    #[test]
    fn reauthentication_is_required_at_exactly_fifteen_minutes_idle() {
        let mut access = signed_in("T01");
        let limit = t(0) + TimeDelta::minutes(15);
        assert!(!access.tick(limit - TimeDelta::milliseconds(1)));
        assert!(access.authorize(Action::ViewDevices, "", limit - TimeDelta::milliseconds(1)).is_ok());
        // The action restarted the idle time.
        let limit = limit - TimeDelta::milliseconds(1) + TimeDelta::minutes(15);
        assert!(access.authorize(Action::ViewQueue, "", limit - TimeDelta::milliseconds(1)).is_ok());
        let limit = limit - TimeDelta::milliseconds(1) + TimeDelta::minutes(15);
        assert_eq!(access.authorize(Action::ViewQueue, "", limit), Err(Refusal::ReauthRequired));
        assert!(matches!(access.state(), AccessState::Reauth { user, .. } if user == "T01"));
        assert!(access.out_of_service(), "the kiosk stays out of service behind the PIN keypad");
        assert!(matches!(access.submit("T01", "123456", limit, &FixedPin), LoginOutcome::Granted { .. }));
        assert!(access.authorize(Action::ViewQueue, "", limit).is_ok());
        let journal = actions(&mut access);
        assert!(journal.contains(&("T01".into(), "reauth_required".into())));
        assert!(journal.contains(&("T01".into(), "reauthenticated".into())));
    }

    #[test]
    fn touching_the_screen_restarts_the_idle_time_but_cannot_revive_an_idle_session() {
        let mut access = signed_in("T01");
        access.touch(t(14 * 60));
        assert!(!access.tick(t(28 * 60)));
        access.touch(t(29 * 60 + 1));
        assert!(matches!(access.state(), AccessState::Reauth { .. }));
    }

    #[test]
    fn another_user_may_take_over_an_idle_session_and_the_first_is_journaled_out() {
        let mut access = signed_in("T01");
        access.tick(t(15 * 60));
        assert!(matches!(access.submit("S01", "123456", t(16 * 60), &FixedPin), LoginOutcome::Granted { .. }));
        let journal = actions(&mut access);
        assert_eq!(journal[journal.len() - 2..], [("T01".into(), "exit".into()), ("S01".into(), "login".into())]);
    }

    #[test]
    fn entry_waits_for_the_customer_session_to_end() {
        let mut access = access();
        assert_eq!(access.request_entry(t(0), true), &AccessState::EnterPending { requested_at: t(0) });
        assert!(access.out_of_service(), "the next customer sees fuera de servicio");
        assert_eq!(access.submit("T01", "123456", t(1), &FixedPin), LoginOutcome::NotExpected);
        assert_eq!(access.request_entry(t(2), false), &AccessState::EnterPending { requested_at: t(0) });
        assert_eq!(access.customer_session_ended(t(60)), &AccessState::Login { opened_at: t(60) });
        assert!(matches!(access.submit("T01", "123456", t(61), &FixedPin), LoginOutcome::Granted { .. }));
        assert_eq!(actions(&mut access)[0], ("-".into(), "enter_pending".into()));
    }

    #[test]
    fn a_pending_request_can_be_cancelled() {
        let mut access = access();
        access.request_entry(t(0), true);
        access.exit(t(1));
        assert!(!access.out_of_service());
        assert_eq!(access.customer_session_ended(t(2)), &AccessState::Closed);
    }

    #[test]
    fn staff_may_only_reprint_and_technicians_everything_else() {
        for action in Action::ALL {
            assert_eq!(permits(Role::Staff, action), action == Action::Reprint, "{action:?}");
            assert_eq!(permits(Role::Technician, action), action != Action::Reprint, "{action:?}");
        }
        assert!(permits(Role::Technician, Action::ViewKiosk) && !permits(Role::Staff, Action::ViewKiosk));
        assert_eq!(Action::ViewKiosk.code(), "view_kiosk");
        let mut staff = signed_in("S01");
        assert_eq!(
            staff.authorize(Action::ViewKiosk, "kiosk", t(0)),
            Err(Refusal::NotPermitted { role: Role::Staff, action: Action::ViewKiosk })
        );
        assert_eq!(
            staff.authorize(Action::SetOutOfService, "", t(1)),
            Err(Refusal::NotPermitted { role: Role::Staff, action: Action::SetOutOfService })
        );
        assert_eq!(staff.authorize(Action::Reprint, "operation 42", t(2)).map(|a| a.user), Ok("S01".into()));
        let journal = staff.drain_journal();
        let last = journal.last().unwrap();
        assert_eq!(
            (last.user.as_str(), last.action.as_str(), last.detail.as_str()),
            ("S01", "reprint", "operation 42")
        );
        assert!(journal.iter().any(|e| e.action == "action_denied" && e.detail == "set_out_of_service"));
    }

    #[test]
    fn nothing_is_allowed_without_signing_in() {
        let mut access = access();
        assert_eq!(access.authorize(Action::Reprint, "", t(0)), Err(Refusal::NotSignedIn));
        assert_eq!(access.submit("T01", "123456", t(0), &FixedPin), LoginOutcome::NotExpected);
    }

    #[test]
    fn pin_format() {
        assert_eq!(check_pin_format("123456"), Ok(()));
        assert_eq!(check_pin_format("12345"), Err(PinFormatError::TooShort { min: 6 }));
        assert_eq!(check_pin_format("1234567890123"), Err(PinFormatError::TooLong { max: 12 }));
        assert_eq!(check_pin_format("12345a"), Err(PinFormatError::NotDigits));
        assert_eq!(check_pin_format("١٢٣٤٥٦"), Err(PinFormatError::NotDigits));
    }
}
