//! The technician's and staff's touches once signed in: which page is shown, its figures read from the
//! backend, and every action button (`Maintenance.act`) and the reason keyboard, each authorized first.

use servicaja_maintenance::{AccessState, Action};
use servicaja_session::{Reader, SwitchOffReason};

use super::service::switch_off_detail;
use super::{Desk, Message, Tab};

/// The longest reason typed for cancelling a command.
const MAX_REASON: usize = 120;

impl Desk {
    pub(super) fn show(&mut self, tab: &str) {
        let Some(tab) = Tab::of(tab) else { return };
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
                Err(err) => self.message = Message { id: "failed", arg: err, error: true },
            },
            Tab::Host => self.host = self.backend.host(now, probe),
            Tab::Kiosk => self.kiosk = self.backend.kiosk(),
        }
    }

    pub(super) fn act(&mut self, id: &str) {
        let now = self.now();
        self.access.touch(now);
        if !matches!(self.access.state(), AccessState::Active { .. }) {
            if matches!(self.access.state(), AccessState::Reauth { .. }) {
                self.ask_pin_again();
            }
            self.flush_journal();
            self.render();
            return;
        }
        let (head, tail) = id.split_once(':').unwrap_or((id, ""));
        match head {
            "exit" => return self.leave(now),
            "refresh" => self.load(true),
            "test-print" => {
                if let Some(user) = self.authorize(Action::TestDevice, "printer test page") {
                    self.message = match self.backend.print_test_page(&user, now) {
                        Ok(()) => Message { id: "test-printing", ..Message::default() },
                        Err(err) => Message { id: "test-failed", arg: err, error: true },
                    };
                }
            }
            "test-card" | "test-document" => {
                let (reader, detail) = if head == "test-card" {
                    (Reader::Card, "card reader test")
                } else {
                    (Reader::Document, "document reader test")
                };
                if self.authorize(Action::TestDevice, detail).is_some() {
                    self.reader_test = Some(reader);
                    self.reader_result.clear();
                }
            }
            "roll-replaced" if self.authorize(Action::ReplacePaperRoll, "").is_some() => {
                self.message = match self.backend.roll_replaced(now) {
                    Ok(()) => Message { id: "roll-replaced", ..Message::default() },
                    Err(err) => Message { id: "failed", arg: err, error: true },
                };
                self.load(false);
            }
            "retry" => {
                if let Ok(command) = tail.parse::<i64>()
                    && self.authorize(Action::RetryCommand, &format!("command {command}")).is_some()
                {
                    self.message = match self.backend.retry(command) {
                        Ok(()) => Message { id: "retried", arg: command.to_string(), error: false },
                        Err(err) => Message { id: "failed", arg: err, error: true },
                    };
                    self.load(false);
                }
            }
            "cancel" => {
                self.cancelling = tail.parse::<i64>().ok();
                self.cancel_reason.clear();
            }
            "reason" => self.cancel_reason = tail.chars().take(MAX_REASON).collect(),
            "keep" => {
                self.cancelling = None;
                self.choosing_off = false;
            }
            "confirm-cancel" => {
                let reason = self.cancel_reason.trim().to_owned();
                if let Some(command) = self.cancelling
                    && !reason.is_empty()
                    && self.authorize(Action::CancelCommand, &format!("command {command}: {reason}")).is_some()
                {
                    self.message = match self.backend.cancel(command, &reason) {
                        Ok(()) => Message { id: "cancelled", arg: command.to_string(), error: false },
                        Err(err) => Message { id: "failed", arg: err, error: true },
                    };
                    self.cancelling = None;
                    self.load(false);
                }
            }
            "service-off" if tail.is_empty() => {
                self.choosing_off = true;
                self.off_reason.clear();
            }
            "service-off" => {
                let reason = match tail {
                    "maintenance" => Some(SwitchOffReason::Maintenance),
                    "printer" => Some(SwitchOffReason::PrinterFault),
                    "connection" => Some(SwitchOffReason::ConnectionFault),
                    _ => SwitchOffReason::typed(&self.off_reason),
                };
                if let Some(reason) = reason
                    && let Some(user) = self.authorize(Action::SetOutOfService, &switch_off_detail(&reason))
                {
                    self.choosing_off = false;
                    self.switch_service(Some(reason), &user, now);
                }
            }
            "service-on" => {
                if let Some(user) = self.authorize(Action::SetInService, "") {
                    self.switch_service(None, &user, now);
                }
            }
            "export" if self.authorize(Action::ExportLogs, "").is_some() => {
                self.message = match self.backend.export(now) {
                    Ok(folder) => Message { id: "exported", arg: folder, error: false },
                    Err(err) => Message { id: "failed", arg: err, error: true },
                };
            }
            "reprint" => {
                if let Some(user) = self.authorize(Action::Reprint, "reprint screen opened")
                    && let Some(open) = self.reprint.as_mut()
                {
                    open(&user);
                }
            }
            _ => {}
        }
        self.flush_journal();
        self.render();
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
