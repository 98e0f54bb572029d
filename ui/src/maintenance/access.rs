//! The desk's way in and out: the hidden gesture's taps, the id + PIN keypad, lockout, entry left pending
//! while a customer is served, re-authentication after idle time, and the journal of all of it.

use chrono::{DateTime, Utc};
use servicaja_core::settings::Role;
use servicaja_maintenance::{AccessState, Action, Corner, LoginOutcome, Refusal};
use servicaja_session::Event;
use zeroize::Zeroizing;

use super::{Desk, Message, Tab};
use crate::{MaintenanceLoginError, MaintenanceLoginField, MaintenanceMessage, MaintenancePage, MaintenanceRole};

/// Ids and PINs are typed on the numeric keypad; longer input is ignored.
const MAX_TYPED: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Id,
    Pin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LoginError {
    None,
    Refused(u8),
    Locked(DateTime<Utc>),
}

impl Desk {
    pub(super) fn pointer_down(&mut self, x: f32, y: f32, width: f32, height: f32) {
        if !matches!(self.access.state(), AccessState::Closed) {
            return;
        }
        let now = self.now();
        if !self.gesture.tap(now, Corner::for_screen(width, height).contains(x, y)) {
            return;
        }
        if let Some(controller) = self.controller.upgrade()
            && let Ok(controller) = controller.try_borrow()
        {
            self.customer_active = controller.session().is_active();
        }
        self.access.request_entry(now, self.customer_active);
        self.after_customer = false;
        self.open_login(now);
        self.tell_session(true);
        self.flush_journal();
        self.render();
    }

    pub(super) fn open_login(&mut self, now: DateTime<Utc>) {
        self.typed_id.clear();
        self.typed_pin = Zeroizing::new(String::new());
        self.field = Field::Id;
        self.login_error = LoginError::None;
        self.login_touched = Some(now);
    }

    /// The customer session's state after a step: a pending entry opens when the customer has finished.
    pub(super) fn customer_changed(&mut self, active: bool) {
        let ended = self.customer_active && !active;
        self.customer_active = active;
        if ended && matches!(self.access.state(), AccessState::EnterPending { .. }) {
            let now = self.now();
            self.access.customer_session_ended(now);
            self.after_customer = true;
            self.open_login(now);
            self.flush_journal();
            self.render();
        }
    }

    pub(super) fn key(&mut self, key: &str) {
        let now = self.now();
        self.login_touched = Some(now);
        self.login_error = LoginError::None;
        let target: &mut String = match self.field {
            Field::Id => &mut self.typed_id,
            Field::Pin => &mut self.typed_pin,
        };
        match key {
            "backspace" => {
                target.pop();
            }
            "clear" => target.clear(),
            digits if digits.chars().all(|c| c.is_ascii_digit()) => {
                for c in digits.chars() {
                    if target.len() < MAX_TYPED {
                        target.push(c);
                    }
                }
            }
            _ => {}
        }
        self.render();
    }

    pub(super) fn choose_field(&mut self, field: MaintenanceLoginField) {
        self.field = match field {
            MaintenanceLoginField::Pin => Field::Pin,
            MaintenanceLoginField::Id => Field::Id,
        };
        self.login_touched = Some(self.now());
        self.render();
    }

    pub(super) fn submit(&mut self) {
        let now = self.now();
        let pin = std::mem::replace(&mut self.typed_pin, Zeroizing::new(String::new()));
        let outcome = self.access.submit(&self.typed_id, &pin, now, self.verifier.as_ref());
        drop(pin);
        match outcome {
            LoginOutcome::Granted { role, .. } => {
                self.login_error = LoginError::None;
                self.typed_id.clear();
                self.field = Field::Id;
                self.login_touched = None;
                self.message = Message::default();
                if role == Role::Technician {
                    self.show(self.tab);
                }
            }
            LoginOutcome::Refused { attempts_left } => {
                self.login_error = LoginError::Refused(attempts_left);
                self.field = Field::Pin;
            }
            LoginOutcome::LockedOut { until } => {
                self.login_error = LoginError::Locked(until);
                self.typed_id.clear();
                self.field = Field::Id;
            }
            LoginOutcome::NotExpected => {}
        }
        self.flush_journal();
        self.render();
    }

    pub(super) fn ask_pin_again(&mut self) {
        self.reader_test = None;
        self.cancelling = None;
        self.typed_pin = Zeroizing::new(String::new());
        if let AccessState::Reauth { user, .. } = self.access.state() {
            self.typed_id = user.clone();
        }
        self.field = Field::Pin;
        self.login_error = LoginError::None;
        self.login_touched = None;
    }

    pub(super) fn leave(&mut self, now: DateTime<Utc>) {
        self.access.exit(now);
        self.open_login(now);
        self.login_touched = None;
        self.after_customer = false;
        self.reader_test = None;
        self.reader_result.clear();
        self.cancelling = None;
        self.choosing_off = false;
        self.message = Message::default();
        self.tab = Tab::Devices;
        self.tell_session(false);
        self.flush_journal();
        self.render();
    }

    /// Tells the customer session whether maintenance is asked for or in use (out of service for the next
    /// customer, never for the one being served).
    pub(super) fn tell_session(&mut self, active: bool) {
        if self.told_session == active {
            return;
        }
        self.told_session = active;
        if let Some(controller) = self.controller.upgrade()
            && let Ok(mut controller) = controller.try_borrow_mut()
        {
            controller.dispatch(Event::Maintenance { active });
            self.customer_active = controller.session().is_active();
        }
    }

    /// Asks the access state machine; on a refusal shows why (re-authentication, role) and answers `None`.
    pub(super) fn authorize(&mut self, action: Action, detail: &str) -> Option<String> {
        let now = self.now();
        match self.access.authorize(action, detail, now) {
            Ok(authorized) => Some(authorized.user),
            Err(Refusal::ReauthRequired) => {
                self.ask_pin_again();
                None
            }
            Err(Refusal::NotPermitted { .. }) => {
                self.message = Message { id: MaintenanceMessage::NotPermitted, error: true, ..Message::default() };
                None
            }
            Err(Refusal::NotSignedIn) => None,
        }
    }

    pub(super) fn flush_journal(&mut self) {
        let entries = self.access.drain_journal();
        if !entries.is_empty() {
            self.backend.journal(entries);
        }
    }
}

/// The login and signed-in state as the `Maintenance` global shows it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct AccessView {
    pub page: MaintenancePage,
    pub reauth: bool,
    /// Who is signed in (or must type the PIN again); empty on the first login.
    pub user: String,
    pub role: MaintenanceRole,
    pub field: MaintenanceLoginField,
    pub error: MaintenanceLoginError,
    pub attempts_left: i32,
    /// Minutes until a locked id may try again, rounded up.
    pub locked_minutes: i32,
}

/// Which page covers the customer screens, who is signed in, and the login keypad's field and error.
pub(super) fn map_access(state: &AccessState, field: Field, error: LoginError, now: DateTime<Utc>) -> AccessView {
    let role_of = |role: &Role| match role {
        Role::Technician => MaintenanceRole::Technician,
        Role::Staff => MaintenanceRole::Staff,
    };
    let (page, user, role) = match state {
        AccessState::Closed | AccessState::EnterPending { .. } => (MaintenancePage::Closed, "", MaintenanceRole::None),
        AccessState::Login { .. } => (MaintenancePage::Login, "", MaintenanceRole::None),
        AccessState::Reauth { user, role, .. } => (MaintenancePage::Login, user.as_str(), role_of(role)),
        AccessState::Active { user, role, .. } => (MaintenancePage::Home, user.as_str(), role_of(role)),
    };
    let (error, attempts_left, locked_minutes) = match error {
        LoginError::None => (MaintenanceLoginError::None, 0, 0),
        LoginError::Refused(left) => (MaintenanceLoginError::Refused, i32::from(left), 0),
        LoginError::Locked(until) => {
            let seconds = (until - now).num_seconds().max(0);
            (MaintenanceLoginError::Locked, 0, i32::try_from((seconds + 59) / 60).unwrap_or(i32::MAX))
        }
    };
    AccessView {
        page,
        reauth: matches!(state, AccessState::Reauth { .. }),
        user: user.to_owned(),
        role,
        field: match field {
            Field::Id => MaintenanceLoginField::Id,
            Field::Pin => MaintenanceLoginField::Pin,
        },
        error,
        attempts_left,
        locked_minutes,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + seconds, 0).unwrap()
    }

    #[test]
    fn the_customer_screens_show_while_closed_or_while_an_entry_waits_for_the_customer() {
        for state in [AccessState::Closed, AccessState::EnterPending { requested_at: at(0) }] {
            let view = map_access(&state, Field::Id, LoginError::None, at(0));
            assert_eq!(
                (view.page, view.role, view.user.as_str()),
                (MaintenancePage::Closed, MaintenanceRole::None, "")
            );
        }
    }

    #[test]
    fn the_login_names_nobody_and_the_reauth_keeps_who_was_signed_in() {
        let login = map_access(&AccessState::Login { opened_at: at(0) }, Field::Pin, LoginError::None, at(0));
        assert_eq!(
            (login.page, login.reauth, login.field),
            (MaintenancePage::Login, false, MaintenanceLoginField::Pin)
        );
        let reauth = AccessState::Reauth { user: "1001".into(), role: Role::Technician, since: at(0) };
        let view = map_access(&reauth, Field::Pin, LoginError::None, at(0));
        assert_eq!(
            (view.page, view.reauth, view.user.as_str(), view.role),
            (MaintenancePage::Login, true, "1001", MaintenanceRole::Technician)
        );
    }

    #[test]
    fn signed_in_users_see_the_home_page_of_their_role() {
        let staff = AccessState::Active { user: "2001".into(), role: Role::Staff, last_activity: at(0) };
        let view = map_access(&staff, Field::Id, LoginError::None, at(0));
        assert_eq!(
            (view.page, view.role, view.error),
            (MaintenancePage::Home, MaintenanceRole::Staff, MaintenanceLoginError::None)
        );
    }

    #[test]
    fn a_refusal_counts_the_attempts_left_and_a_lockout_the_minutes_rounded_up() {
        let login = AccessState::Login { opened_at: at(0) };
        let refused = map_access(&login, Field::Pin, LoginError::Refused(2), at(0));
        assert_eq!((refused.error, refused.attempts_left), (MaintenanceLoginError::Refused, 2));
        let locked = map_access(&login, Field::Id, LoginError::Locked(at(0) + TimeDelta::seconds(601)), at(0));
        assert_eq!((locked.error, locked.locked_minutes), (MaintenanceLoginError::Locked, 11));
        let over = map_access(&login, Field::Id, LoginError::Locked(at(0)), at(60));
        assert_eq!(over.locked_minutes, 0, "never a negative wait");
    }
}
