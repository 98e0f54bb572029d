//! The maintenance desk: binds the `Maintenance` global of the window to the pure access state machine
//! (`servicaja-maintenance`) and to a [`MaintenanceBackend`]. It counts the hidden gesture's taps, opens
//! the id + PIN keypad (or leaves the request pending while a customer is served, without interrupting
//! them), tells the customer session to stay out of service while maintenance is asked for or in use,
//! re-authenticates after the configured idle time (by an injectable clock, [`Desk::tick`]), and journals
//! every entry, exit and action with the user id through the backend.
//!
//! It watches the customer session through the controller's [`SessionObserver`]: the end of a customer's
//! session opens a pending login, and a reader test takes the card or document it asked for (shown masked)
//! before the session could see it.

pub mod backend;
pub mod queue;
pub mod showcase;

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use chrono::{DateTime, TimeDelta, Utc};
use servicaja_core::calendar::lima_printed;
use servicaja_core::settings::{MaintenanceSettings, Role};
use servicaja_maintenance::{
    Access, AccessPolicy, AccessState, Action, CertStatus, Corner, GestureDetector, LoginOutcome, PinVerifier, Refusal,
};
use servicaja_session::{Event, Reader, Session, SwitchOffReason};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use zeroize::Zeroizing;

pub use backend::*;

use super::controller::{Clock, Controller, SessionObserver};
use super::{KioskWindow, Maintenance, MaintenanceCommand, MaintenanceDevice, MaintenanceRow};

/// A login keypad nobody types on closes after this long, so a stray gesture never keeps customers away.
pub const LOGIN_IDLE: TimeDelta = TimeDelta::minutes(2);

/// Ids and PINs are typed on the numeric keypad; longer input is ignored.
const MAX_TYPED: usize = 12;
const MAX_REASON: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Pin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LoginError {
    None,
    Refused(u8),
    Locked(DateTime<Utc>),
}

/// The technician's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Devices,
    Paper,
    Queue,
    Host,
    Kiosk,
}

impl Tab {
    fn id(self) -> &'static str {
        match self {
            Tab::Devices => "devices",
            Tab::Paper => "paper",
            Tab::Queue => "queue",
            Tab::Host => "host",
            Tab::Kiosk => "kiosk",
        }
    }

    fn of(id: &str) -> Option<Tab> {
        [Tab::Devices, Tab::Paper, Tab::Queue, Tab::Host, Tab::Kiosk].into_iter().find(|tab| tab.id() == id)
    }

    fn action(self) -> Action {
        match self {
            Tab::Devices => Action::ViewDevices,
            Tab::Paper => Action::ViewPaper,
            Tab::Queue => Action::ViewQueue,
            Tab::Host => Action::ViewHost,
            Tab::Kiosk => Action::ViewKiosk,
        }
    }
}

/// The feedback line of the last action: a message id of `MaintenanceWords.message`, its argument, a tone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Message {
    id: &'static str,
    arg: String,
    error: bool,
}

/// Opens the staff reprint screen for a staff id (the reprint page's own adapter).
pub type ReprintOpener = Box<dyn FnMut(&str)>;

/// The maintenance mode of one kiosk window.
pub struct Desk {
    access: Access,
    gesture: GestureDetector,
    verifier: Box<dyn PinVerifier>,
    backend: Box<dyn MaintenanceBackend>,
    clock: Clock,
    window: slint::Weak<KioskWindow>,
    controller: Weak<RefCell<Controller>>,
    typed_id: String,
    typed_pin: Zeroizing<String>,
    field: Field,
    login_error: LoginError,
    /// The last key or opening of the login keypad (for [`LOGIN_IDLE`]).
    login_touched: Option<DateTime<Utc>>,
    after_customer: bool,
    tab: Tab,
    message: Message,
    reader_test: Option<Reader>,
    reader_result: String,
    cancelling: Option<i64>,
    cancel_reason: String,
    /// The technician is choosing why the kiosk goes out of service, and what they typed for "otro".
    choosing_off: bool,
    off_reason: String,
    /// What the customer session was last told (`Event::Maintenance`).
    told_session: bool,
    customer_active: bool,
    devices: Vec<DeviceReport>,
    paper: Option<PaperReport>,
    queue: QueueReport,
    host: HostReport,
    kiosk: KioskReport,
    reprint: Option<ReprintOpener>,
    ticker: slint::Timer,
}

/// A shared handle: window callbacks and the session observer hold weak clones of it.
pub type SharedDesk = Rc<RefCell<Desk>>;

impl Desk {
    /// Binds the maintenance mode to `ui` and to the customer session's `controller`.
    pub fn attach(
        ui: &KioskWindow,
        controller: &Rc<RefCell<Controller>>,
        backend: Box<dyn MaintenanceBackend>,
        verifier: Box<dyn PinVerifier>,
        settings: &MaintenanceSettings,
        clock: Clock,
    ) -> SharedDesk {
        let customer_active = controller.borrow().session().is_active();
        let desk = Rc::new(RefCell::new(Desk {
            access: Access::new(AccessPolicy::from_settings(settings)),
            gesture: GestureDetector::new(settings),
            verifier,
            backend,
            clock,
            window: ui.as_weak(),
            controller: Rc::downgrade(controller),
            typed_id: String::new(),
            typed_pin: Zeroizing::new(String::new()),
            field: Field::Id,
            login_error: LoginError::None,
            login_touched: None,
            after_customer: false,
            tab: Tab::Devices,
            message: Message::default(),
            reader_test: None,
            reader_result: String::new(),
            cancelling: None,
            cancel_reason: String::new(),
            choosing_off: false,
            off_reason: String::new(),
            told_session: false,
            customer_active,
            devices: Vec::new(),
            paper: None,
            queue: QueueReport::default(),
            host: HostReport::default(),
            kiosk: KioskReport::default(),
            reprint: None,
            ticker: slint::Timer::default(),
        }));
        controller.borrow_mut().set_observer(Box::new(DeskObserver(Rc::downgrade(&desk))));
        connect(ui, &desk);
        desk.borrow_mut().render();
        desk
    }

    /// Ticks the desk every second on the window's event loop (the kiosk; tests call [`Desk::tick`]).
    pub fn start_ticking(desk: &SharedDesk) {
        let weak = Rc::downgrade(desk);
        desk.borrow().ticker.start(slint::TimerMode::Repeated, std::time::Duration::from_secs(1), move || {
            if let Some(desk) = weak.upgrade()
                && let Ok(mut desk) = desk.try_borrow_mut()
            {
                desk.tick();
            }
        });
    }

    /// The staff reprint screen's opener (called with the staff id when "Reimprimir comprobante" is touched).
    pub fn set_reprint_opener(&mut self, opener: ReprintOpener) {
        self.reprint = Some(opener);
    }

    /// The staff member signed in now, if any (not while the PIN must be typed again): the reprint page
    /// stays open only for them.
    pub fn staff_signed_in(&self) -> Option<String> {
        match self.access.state() {
            AccessState::Active { user, role: Role::Staff, .. } => Some(user.clone()),
            _ => None,
        }
    }

    /// A touch on a page the desk does not draw (the reprint page): the idle time starts again.
    pub fn touch(&mut self) {
        let now = self.now();
        self.access.touch(now);
        if matches!(self.access.state(), AccessState::Reauth { .. }) {
            self.ask_pin_again();
            self.flush_journal();
            self.render();
        }
    }

    pub fn access_state(&self) -> &AccessState {
        self.access.state()
    }

    /// The clock moved: the idle session goes behind the PIN keypad, a login nobody uses closes, a test
    /// page's outcome is shown, the page's figures are refreshed.
    pub fn tick(&mut self) {
        let now = self.now();
        self.backend.watch_devices(now);
        if self.access.tick(now) {
            self.ask_pin_again();
        }
        if matches!(self.access.state(), AccessState::Login { .. })
            && self.login_touched.is_some_and(|at| now - at >= LOGIN_IDLE)
        {
            self.leave(now);
        }
        if let Some(outcome) = self.backend.test_page_outcome() {
            self.message = match outcome {
                Ok(()) => Message { id: "test-printed", ..Message::default() },
                Err(err) => Message { id: "test-failed", arg: err, error: true },
            };
        }
        if matches!(self.access.state(), AccessState::Active { .. }) && matches!(self.tab, Tab::Devices | Tab::Host) {
            self.load(false);
        }
        self.flush_journal();
        self.render();
    }

    fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    // ---- entering and leaving ----

    fn pointer_down(&mut self, x: f32, y: f32, width: f32, height: f32) {
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

    fn open_login(&mut self, now: DateTime<Utc>) {
        self.typed_id.clear();
        self.typed_pin = Zeroizing::new(String::new());
        self.field = Field::Id;
        self.login_error = LoginError::None;
        self.login_touched = Some(now);
    }

    /// The customer session's state after a step: a pending entry opens when the customer has finished.
    fn customer_changed(&mut self, active: bool) {
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

    fn key(&mut self, key: &str) {
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

    fn choose_field(&mut self, field: &str) {
        self.field = if field == "pin" { Field::Pin } else { Field::Id };
        self.login_touched = Some(self.now());
        self.render();
    }

    fn submit(&mut self) {
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
                    self.show(self.tab.id());
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

    fn ask_pin_again(&mut self) {
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

    fn leave(&mut self, now: DateTime<Utc>) {
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
    fn tell_session(&mut self, active: bool) {
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

    /// Switches the customer session in or out of service and keeps the switch across a restart.
    fn switch_service(&mut self, out_of_service: Option<SwitchOffReason>, user: &str, now: DateTime<Utc>) {
        let saved = self.backend.service_switched(out_of_service.as_ref(), user, now);
        if let Some(controller) = self.controller.upgrade()
            && let Ok(mut controller) = controller.try_borrow_mut()
        {
            controller.dispatch(Event::ServiceSwitch { out_of_service: out_of_service.clone() });
        }
        self.message = match saved {
            Err(err) => Message { id: "failed", arg: err, error: true },
            Ok(()) if out_of_service.is_some() => Message { id: "service-off", ..Message::default() },
            Ok(()) => Message { id: "service-on", ..Message::default() },
        };
    }

    /// Why the technician switched the kiosk off; `None` while in service.
    fn switched_off(&self) -> Option<SwitchOffReason> {
        self.controller
            .upgrade()
            .and_then(|controller| controller.try_borrow().ok().map(|c| c.session().health().switched_off.clone()))
            .unwrap_or(None)
    }

    /// Asks the access state machine; on a refusal shows why (re-authentication, role) and answers `None`.
    fn authorize(&mut self, action: Action, detail: &str) -> Option<String> {
        let now = self.now();
        match self.access.authorize(action, detail, now) {
            Ok(authorized) => Some(authorized.user),
            Err(Refusal::ReauthRequired) => {
                self.ask_pin_again();
                None
            }
            Err(Refusal::NotPermitted { .. }) => {
                self.message = Message { id: "not-permitted", error: true, ..Message::default() };
                None
            }
            Err(Refusal::NotSignedIn) => None,
        }
    }

    // ---- the pages ----

    fn show(&mut self, tab: &str) {
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
    fn load(&mut self, probe: bool) {
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

    fn act(&mut self, id: &str) {
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

    fn reason_key(&mut self, key: &str) {
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

    /// A reader test takes the media it waits for; while someone is signed in, no card or document reaches
    /// the (out-of-service) customer session.
    fn take_media(&mut self, event: &Event) -> bool {
        let signed_in = matches!(self.access.state(), AccessState::Active { .. } | AccessState::Reauth { .. });
        let (reader, result) = match event {
            Event::CardRead(card) => (Reader::Card, card.masked()),
            Event::DocumentRead(dni) => {
                let digits = dni.as_str();
                let shown = digits.get(digits.len().saturating_sub(3)..).unwrap_or("");
                (Reader::Document, format!("DNI *****{shown}"))
            }
            Event::InvalidMedia(reader) => (*reader, "invalid".to_owned()),
            _ => return false,
        };
        if self.reader_test == Some(reader) {
            self.reader_result = result;
            self.render();
        }
        signed_in
    }

    fn flush_journal(&mut self) {
        let entries = self.access.drain_journal();
        if !entries.is_empty() {
            self.backend.journal(entries);
        }
    }

    // ---- drawing ----

    fn render(&mut self) {
        let Some(ui) = self.window.upgrade() else { return };
        let m = ui.global::<Maintenance>();
        let now = self.now();
        let (page, user, role) = match self.access.state() {
            AccessState::Closed | AccessState::EnterPending { .. } => ("", String::new(), None),
            AccessState::Login { .. } => ("login", String::new(), None),
            AccessState::Reauth { user, role, .. } => ("login", user.clone(), Some(*role)),
            AccessState::Active { user, role, .. } => ("home", user.clone(), Some(*role)),
        };
        m.set_page(page.into());
        m.set_reauth(matches!(self.access.state(), AccessState::Reauth { .. }));
        m.set_after_customer(self.after_customer);
        m.set_user(user.into());
        m.set_role(
            match role {
                Some(Role::Technician) => "technician",
                Some(Role::Staff) => "staff",
                None => "",
            }
            .into(),
        );
        m.set_tab(self.tab.id().into());
        m.set_login_id(self.typed_id.as_str().into());
        m.set_pin_length(i32::try_from(self.typed_pin.len()).unwrap_or(0));
        m.set_login_field(if self.field == Field::Pin { "pin" } else { "id" }.into());
        let (error, attempts, minutes) = match self.login_error {
            LoginError::None => ("", 0, 0),
            LoginError::Refused(left) => ("refused", i32::from(left), 0),
            LoginError::Locked(until) => {
                let seconds = (until - now).num_seconds().max(0);
                ("locked", 0, i32::try_from((seconds + 59) / 60).unwrap_or(i32::MAX))
            }
        };
        m.set_login_error(error.into());
        m.set_attempts_left(attempts);
        m.set_locked_minutes(minutes);
        m.set_message(self.message.id.into());
        m.set_message_arg(self.message.arg.as_str().into());
        m.set_message_tone(if self.message.error { "error" } else { "ok" }.into());
        m.set_reader_test(
            match self.reader_test {
                Some(Reader::Card) => "card",
                Some(Reader::Document) => "document",
                None => "",
            }
            .into(),
        );
        m.set_reader_result(self.reader_result.as_str().into());
        m.set_devices(model(self.devices.iter().map(device_view).collect()));
        m.set_paper(model(self.paper.map(|paper| paper_rows(&paper)).unwrap_or_default()));
        m.set_queue_counts(model(queue_rows(&self.queue, now)));
        m.set_commands(model(self.queue.problems.iter().map(command_view).collect()));
        m.set_cancelling(self.cancelling.and_then(|id| i32::try_from(id).ok()).unwrap_or(-1));
        m.set_cancel_reason(self.cancel_reason.as_str().into());
        m.set_host(model(host_rows(&self.host)));
        let switched_off = self.switched_off();
        m.set_in_service(switched_off.is_none());
        m.set_choosing_off(self.choosing_off);
        m.set_off_reason(self.off_reason.as_str().into());
        m.set_kiosk(model(kiosk_rows(&self.kiosk, now, switched_off.as_ref())));
        m.set_settings(model(
            self.kiosk.settings.iter().map(|(key, value)| row(key, value, "")).collect::<Vec<MaintenanceRow>>(),
        ));
    }
}

/// Connects the `Maintenance` global's callbacks to the desk. Callbacks hold weak references;
/// `try_borrow_mut` skips one raised while the desk is itself busy.
fn connect(ui: &KioskWindow, desk: &SharedDesk) {
    let m = ui.global::<Maintenance>();
    let with_arg = |f: fn(&mut Desk, &str)| {
        let weak = Rc::downgrade(desk);
        move |arg: SharedString| {
            if let Some(desk) = weak.upgrade()
                && let Ok(mut desk) = desk.try_borrow_mut()
            {
                f(&mut desk, arg.as_str());
            }
        }
    };
    let with = |f: fn(&mut Desk)| {
        let weak = Rc::downgrade(desk);
        move || {
            if let Some(desk) = weak.upgrade()
                && let Ok(mut desk) = desk.try_borrow_mut()
            {
                f(&mut desk);
            }
        }
    };
    m.on_key(with_arg(Desk::key));
    m.on_reason_key(with_arg(Desk::reason_key));
    m.on_field(with_arg(Desk::choose_field));
    m.on_show(with_arg(|desk, tab| {
        desk.access.touch(desk.now());
        desk.show(tab);
    }));
    m.on_act(with_arg(Desk::act));
    m.on_submit(with(Desk::submit));
    m.on_cancel_login(with(|desk| {
        let now = desk.now();
        desk.leave(now);
    }));
    let weak = Rc::downgrade(desk);
    m.on_pointer_down(move |x, y, width, height| {
        if let Some(desk) = weak.upgrade()
            && let Ok(mut desk) = desk.try_borrow_mut()
        {
            desk.pointer_down(x, y, width, height);
        }
    });
}

/// The desk as the controller's observer. It is skipped while the desk itself is busy (it then calls the
/// controller and reads the session's state on return).
struct DeskObserver(Weak<RefCell<Desk>>);

impl SessionObserver for DeskObserver {
    fn take(&mut self, event: &Event) -> bool {
        self.0.upgrade().and_then(|desk| desk.try_borrow_mut().ok().map(|mut desk| desk.take_media(event)))
            == Some(true)
    }

    fn stepped(&mut self, session: &Session) {
        if let Some(desk) = self.0.upgrade()
            && let Ok(mut desk) = desk.try_borrow_mut()
        {
            desk.customer_changed(session.is_active());
        }
    }
}

// ---- views ----

fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::new(VecModel::from(items))
}

fn row(key: &str, value: &str, tone: &str) -> MaintenanceRow {
    MaintenanceRow { key: key.into(), value: value.into(), tone: tone.into() }
}

fn device_view(device: &DeviceReport) -> MaintenanceDevice {
    let history: Vec<SharedString> = device
        .errors
        .iter()
        .map(|error| {
            let action = error.action.as_deref().map(|a| format!(" [{a}]")).unwrap_or_default();
            format!("{}  {}{action}: {}", lima_printed(error.at), error.state, error.detail).into()
        })
        .collect();
    MaintenanceDevice {
        id: device.device.into(),
        state: device.state.as_str().into(),
        paper: device.paper.as_deref().unwrap_or("").into(),
        action: device.action.as_deref().unwrap_or("").into(),
        detail: device.detail.as_str().into(),
        history: model(history),
    }
}

/// Millimetres as metres with one decimal (`12.3 m`).
fn metres(mm: u64) -> String {
    format!("{}.{} m", mm / 1000, (mm % 1000) / 100)
}

fn paper_rows(paper: &PaperReport) -> Vec<MaintenanceRow> {
    let estimate = &paper.estimate;
    let tone = if estimate.low { "warn" } else { "ok" };
    vec![
        row("receipts", &estimate.receipts.to_string(), ""),
        row("printed", &metres(estimate.printed_mm), ""),
        row("left", &format!("{} ({} %)", metres(estimate.left_mm), estimate.left_percent), tone),
        row("receipts-left", &estimate.receipts_left.map_or("@unknown".to_owned(), |n| n.to_string()), ""),
        row("roll-length", &metres(u64::from(paper.roll_length_mm)), ""),
        row("roll-replaced-at", &paper.roll_replaced_at.map_or("@never".to_owned(), lima_printed), ""),
    ]
}

/// `3 h 05 min`, `12 min`, `40 s`.
fn age(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - since).num_seconds().max(0);
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
        s => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

fn queue_rows(queue: &QueueReport, now: DateTime<Utc>) -> Vec<MaintenanceRow> {
    let mut rows: Vec<MaintenanceRow> = queue
        .counts
        .iter()
        .map(|(state, count)| {
            let tone = match state.as_str() {
                "rejected" | "expired" if *count > 0 => "warn",
                _ => "",
            };
            row(state, &count.to_string(), tone)
        })
        .collect();
    let oldest =
        queue.oldest_pending.map_or("@none".to_owned(), |at| format!("{} ({})", lima_printed(at), age(at, now)));
    rows.push(row("oldest", &oldest, ""));
    rows
}

fn command_view(command: &QueueProblem) -> MaintenanceCommand {
    MaintenanceCommand {
        id: i32::try_from(command.id).unwrap_or(i32::MAX),
        kind: command.kind.as_str().into(),
        state: command.state.as_str().into(),
        created: lima_printed(command.created_at).into(),
        error: command.last_error.as_deref().unwrap_or("").into(),
    }
}

fn cert_row(key: &str, cert: Option<&CertReport>) -> MaintenanceRow {
    match cert {
        None => row(key, "@missing", ""),
        Some(CertReport::Unreadable(err)) => row(key, err, "error"),
        Some(CertReport::Read { not_after, status }) => {
            let date = lima_printed(*not_after);
            let date = date.split(' ').next().unwrap_or_default();
            match status {
                CertStatus::Ok { days_left } => row(key, &format!("{date} (+{days_left} d)"), "ok"),
                CertStatus::Warn { days_left } => row(key, &format!("{date} (+{days_left} d) ⚠"), "warn"),
                CertStatus::Expired { days_ago } => row(key, &format!("{date} (−{days_ago} d) ✕"), "error"),
            }
        }
    }
}

fn host_rows(host: &HostReport) -> Vec<MaintenanceRow> {
    let (reachable, tone) = match host.reachable {
        Some(true) => ("@reachable", "ok"),
        Some(false) => ("@unreachable", "error"),
        None => ("@checking", ""),
    };
    vec![
        row("central", &host.base_url, ""),
        row("reachable", reachable, tone),
        row("round-trip", &host.round_trip_ms.map_or("@unknown".to_owned(), |ms| format!("{ms} ms")), ""),
        row("checked-at", &host.checked_at.map_or("@never".to_owned(), lima_printed), ""),
        cert_row("server-cert", host.server_cert.as_ref()),
        cert_row("ca-cert", host.ca_cert.as_ref()),
        cert_row("kiosk-cert", host.kiosk_cert.as_ref()),
    ]
}

/// The journal's detail of a switch-off: the fixed reason's id, or `other: ` and the typed text.
fn switch_off_detail(reason: &SwitchOffReason) -> String {
    match reason {
        SwitchOffReason::Maintenance => "reason: maintenance".into(),
        SwitchOffReason::PrinterFault => "reason: printer-fault".into(),
        SwitchOffReason::ConnectionFault => "reason: connection-fault".into(),
        SwitchOffReason::Other(text) => format!("reason: other: {text}"),
    }
}

fn kiosk_rows(kiosk: &KioskReport, now: DateTime<Utc>, switched_off: Option<&SwitchOffReason>) -> Vec<MaintenanceRow> {
    let service = if switched_off.is_none() { ("@in-service", "ok") } else { ("@out-of-service", "error") };
    let mut rows = vec![
        row("version", &kiosk.version, ""),
        row("started", &kiosk.started_at.map_or("@unknown".to_owned(), lima_printed), ""),
        row("uptime", &kiosk.started_at.map_or("@unknown".to_owned(), |at| age(at, now)), ""),
        row("service", service.0, service.1),
    ];
    if let Some(reason) = switched_off {
        let shown = match reason {
            SwitchOffReason::Maintenance => "@reason-maintenance",
            SwitchOffReason::PrinterFault => "@reason-printer",
            SwitchOffReason::ConnectionFault => "@reason-connection",
            SwitchOffReason::Other(text) => text.as_str(),
        };
        rows.push(row("service-reason", shown, "error"));
    }
    rows
}
