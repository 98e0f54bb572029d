//! The technician's and staff's touches once signed in: which page is shown, its figures read from the
//! backend, and every action button (`Maintenance.act`, `retry`, `cancel`, `reason`, `switch-off`) and the reason keyboard, each authorized first.

use servicaja_maintenance::{AccessState, Action};
use servicaja_session::{Reader, SwitchOffReason};

use super::service::switch_off_detail;
use super::{CommandError, CommandRefusal, Desk, Message, Tab};
use crate::{MaintenanceAction, MaintenanceMessage, MaintenanceOffReason, MaintenanceRefusal};

/// The longest reason typed for cancelling a command.
const MAX_REASON: usize = 120;

impl Desk {
    pub(super) fn show(&mut self, tab: Tab) {
        self.reader_test = None;
        self.cancelling = None;
        self.choosing_off = false;
        if self.authorize(tab.action(), tab.id()).is_none() {
            self.flush_journal();
            self.render();
            return;
        }
        if tab != self.tab {
            self.message = Message::default();
        }
        self.tab = tab;
        self.load(tab == Tab::Host);
        self.flush_journal();
        self.render();
    }

    /// Reads the current page's figures from the backend.
    pub(super) fn load(&mut self, probe: bool) {
        let now = self.now();
        match self.tab {
            Tab::Devices => self.devices = self.backend.devices(),
            Tab::Paper => self.paper = Some(self.backend.paper()),
            Tab::Queue => match self.backend.queue() {
                Ok(queue) => self.queue = queue,
                Err(err) => self.message = failed(MaintenanceMessage::QueueFailed, String::new(), err),
            },
            Tab::Host => self.host = self.backend.host(now, probe),
            Tab::Kiosk => self.kiosk = self.backend.kiosk(),
        }
    }

    /// Every touch on the signed-in pages starts here: the idle time starts again, and a session gone idle
    /// asks for the PIN instead of acting. `true` when the touch may act.
    fn touched(&mut self) -> bool {
        let now = self.now();
        self.access.touch(now);
        if matches!(self.access.state(), AccessState::Active { .. }) {
            return true;
        }
        if matches!(self.access.state(), AccessState::Reauth { .. }) {
            self.ask_pin_again();
        }
        self.flush_journal();
        self.render();
        false
    }

    fn done(&mut self) {
        self.flush_journal();
        self.render();
    }

    pub(super) fn act(&mut self, action: MaintenanceAction) {
        if !self.touched() {
            return;
        }
        let now = self.now();
        match action {
            MaintenanceAction::Exit => return self.leave(now),
            MaintenanceAction::Refresh => self.load(true),
            MaintenanceAction::TestPrint => {
                if let Some(user) = self.authorize(Action::TestDevice, "printer test page") {
                    self.message = match self.backend.print_test_page(&user, now) {
                        Ok(()) => said(MaintenanceMessage::TestPrinting),
                        Err(err) => failed(MaintenanceMessage::TestFailed, String::new(), err),
                    };
                }
            }
            MaintenanceAction::TestCard | MaintenanceAction::TestDocument => {
                let (reader, detail) = if action == MaintenanceAction::TestCard {
                    (Reader::Card, "card reader test")
                } else {
                    (Reader::Document, "document reader test")
                };
                if self.authorize(Action::TestDevice, detail).is_some() {
                    self.reader_test = Some(reader);
                    self.reader_result.clear();
                }
            }
            MaintenanceAction::RollReplaced => {
                if self.authorize(Action::ReplacePaperRoll, "").is_some() {
                    self.message = match self.backend.roll_replaced(now) {
                        Ok(()) => said(MaintenanceMessage::RollReplaced),
                        Err(err) => failed(MaintenanceMessage::RollFailed, String::new(), err),
                    };
                    self.load(false);
                }
            }
            MaintenanceAction::Keep => {
                self.cancelling = None;
                self.choosing_off = false;
            }
            MaintenanceAction::ConfirmCancel => {
                let reason = self.cancel_reason.trim().to_owned();
                if let Some(command) = self.cancelling
                    && !reason.is_empty()
                    && self.authorize(Action::CancelCommand, &format!("command {command}: {reason}")).is_some()
                {
                    self.message = match self.backend.cancel(command, &reason) {
                        Ok(()) => said_about(MaintenanceMessage::Cancelled, command),
                        Err(err) => refused(MaintenanceMessage::CancelFailed, command, err),
                    };
                    self.cancelling = None;
                    self.load(false);
                }
            }
            MaintenanceAction::ChooseOff => {
                self.choosing_off = true;
                self.off_reason.clear();
            }
            MaintenanceAction::ServiceOn => {
                if let Some(user) = self.authorize(Action::SetInService, "") {
                    self.switch_service(None, &user, now);
                }
            }
            MaintenanceAction::Export => {
                if self.authorize(Action::ExportLogs, "").is_some() {
                    self.message = match self.backend.export(now) {
                        Ok(folder) => Message { id: MaintenanceMessage::Exported, arg: folder, ..Message::default() },
                        Err(err) => failed(MaintenanceMessage::ExportFailed, String::new(), err),
                    };
                }
            }
            MaintenanceAction::Reprint => {
                if let Some(user) = self.authorize(Action::Reprint, "reprint screen opened")
                    && let Some(open) = self.reprint.as_mut()
                {
                    open(&user);
                }
            }
        }
        self.done();
    }

    /// Sends an expired command again now.
    pub(super) fn retry(&mut self, command: i64) {
        if !self.touched() {
            return;
        }
        if self.authorize(Action::RetryCommand, &format!("command {command}")).is_some() {
            self.message = match self.backend.retry(command) {
                Ok(()) => said_about(MaintenanceMessage::Retried, command),
                Err(err) => refused(MaintenanceMessage::RetryFailed, command, err),
            };
            self.load(false);
        }
        self.done();
    }

    /// Opens the reason keyboard for cancelling a command.
    pub(super) fn cancel(&mut self, command: i64) {
        if !self.touched() {
            return;
        }
        self.cancelling = Some(command);
        self.cancel_reason.clear();
        self.done();
    }

    /// A cancellation reason picked from the list.
    pub(super) fn pick_reason(&mut self, reason: &str) {
        if !self.touched() {
            return;
        }
        self.cancel_reason = reason.chars().take(MAX_REASON).collect();
        self.done();
    }

    /// Puts the kiosk out of service for a fixed reason, or for the one typed.
    pub(super) fn switch_off(&mut self, reason: MaintenanceOffReason) {
        if !self.touched() {
            return;
        }
        let reason = match reason {
            MaintenanceOffReason::Maintenance => Some(SwitchOffReason::Maintenance),
            MaintenanceOffReason::Printer => Some(SwitchOffReason::PrinterFault),
            MaintenanceOffReason::Connection => Some(SwitchOffReason::ConnectionFault),
            MaintenanceOffReason::Other => SwitchOffReason::typed(&self.off_reason),
        };
        if let Some(reason) = reason
            && let Some(user) = self.authorize(Action::SetOutOfService, &switch_off_detail(&reason))
        {
            self.choosing_off = false;
            let now = self.now();
            self.switch_service(Some(reason), &user, now);
        }
        self.done();
    }

    pub(super) fn reason_key(&mut self, key: &str) {
        self.access.touch(self.now());
        let (reason, max) = if self.choosing_off {
            (&mut self.off_reason, SwitchOffReason::MAX_TYPED)
        } else {
            (&mut self.cancel_reason, MAX_REASON)
        };
        match key {
            "backspace" => {
                reason.pop();
            }
            key if reason.chars().count() < max => reason.push_str(key),
            _ => {}
        }
        self.render();
    }
}

/// A message that needs no argument.
pub(super) fn said(id: MaintenanceMessage) -> Message {
    Message { id, ..Message::default() }
}

/// A command's action done: the message names the command.
fn said_about(id: MaintenanceMessage, command: i64) -> Message {
    Message { id, arg: command.to_string(), ..Message::default() }
}

/// An action the backend could not complete: `id` words which one (with `arg`, the command it was about) in
/// the page's language; the backend's own text is kept as the technical detail.
pub(super) fn failed(id: MaintenanceMessage, arg: String, detail: String) -> Message {
    Message { id, arg, error: true, detail, ..Message::default() }
}

/// A queue action on `command` the outbox refused: the operation and the outbox's reason worded, its own
/// text kept as the technical detail.
fn refused(id: MaintenanceMessage, command: i64, err: CommandError) -> Message {
    Message { refusal: map_refusal(err.refusal), ..failed(id, command.to_string(), err.detail) }
}

/// The outbox's reason as the page's enum.
pub(super) fn map_refusal(refusal: CommandRefusal) -> MaintenanceRefusal {
    match refusal {
        CommandRefusal::NotFound => MaintenanceRefusal::NotFound,
        CommandRefusal::WrongState => MaintenanceRefusal::WrongState,
        CommandRefusal::Reversal => MaintenanceRefusal::Reversal,
        CommandRefusal::OutboxDown => MaintenanceRefusal::OutboxDown,
        CommandRefusal::Other => MaintenanceRefusal::Other,
    }
}
