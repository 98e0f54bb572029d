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

mod access;
mod actions;
pub mod backend;
mod devices;
mod host;
mod page_queue;
mod paper;
pub mod queue;
mod service;
pub mod showcase;

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use chrono::{DateTime, TimeDelta, Utc};
use servicaja_core::settings::{MaintenanceSettings, Role};
use servicaja_maintenance::{Access, AccessPolicy, AccessState, Action, GestureDetector, PinVerifier};
use servicaja_session::{Event, Reader, Session};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use zeroize::Zeroizing;

use access::{Field, LoginError, map_access};
pub use backend::*;
use devices::map_device;
use host::host_rows;
use page_queue::{map_command, queue_rows};
use paper::paper_rows;
use service::{kiosk_rows, settings_rows};

use super::controller::{Clock, Controller, SessionObserver};
use super::{
    KioskWindow, Maintenance, MaintenanceMessage, MaintenanceReaderTest, MaintenanceRefusal, MaintenanceRow,
    MaintenanceTab, MaintenanceTone,
};

/// A login keypad nobody types on closes after this long, so a stray gesture never keeps customers away.
pub const LOGIN_IDLE: TimeDelta = TimeDelta::minutes(2);

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
    /// The page's name in the journal.
    fn id(self) -> &'static str {
        match self {
            Tab::Devices => "devices",
            Tab::Paper => "paper",
            Tab::Queue => "queue",
            Tab::Host => "host",
            Tab::Kiosk => "kiosk",
        }
    }

    fn of(tab: MaintenanceTab) -> Tab {
        match tab {
            MaintenanceTab::Devices => Tab::Devices,
            MaintenanceTab::Paper => Tab::Paper,
            MaintenanceTab::Queue => Tab::Queue,
            MaintenanceTab::Host => Tab::Host,
            MaintenanceTab::Kiosk => Tab::Kiosk,
        }
    }

    fn view(self) -> MaintenanceTab {
        match self {
            Tab::Devices => MaintenanceTab::Devices,
            Tab::Paper => MaintenanceTab::Paper,
            Tab::Queue => MaintenanceTab::Queue,
            Tab::Host => MaintenanceTab::Host,
            Tab::Kiosk => MaintenanceTab::Kiosk,
        }
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

/// The feedback line of the last action: what `MaintenanceWords.message` says, its argument, a tone.
#[derive(Debug, Clone, PartialEq)]
struct Message {
    id: MaintenanceMessage,
    arg: String,
    error: bool,
    /// The backend's own text of a failure (free, often English): shown small as the technical detail.
    detail: String,
    /// Why the outbox refused a queue action.
    refusal: MaintenanceRefusal,
}

impl Default for Message {
    fn default() -> Self {
        Message {
            id: MaintenanceMessage::None,
            arg: String::new(),
            error: false,
            detail: String::new(),
            refusal: MaintenanceRefusal::None,
        }
    }
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
                Ok(()) => actions::said(MaintenanceMessage::TestPrinted),
                Err(err) => actions::failed(MaintenanceMessage::TestFailed, String::new(), err),
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

    // ---- drawing ----

    fn render(&mut self) {
        let Some(ui) = self.window.upgrade() else { return };
        let m = ui.global::<Maintenance>();
        let now = self.now();
        let access = map_access(self.access.state(), self.field, self.login_error, now);
        m.set_page(access.page);
        m.set_reauth(access.reauth);
        m.set_after_customer(self.after_customer);
        m.set_user(access.user.into());
        m.set_role(access.role);
        m.set_tab(self.tab.view());
        m.set_login_id(self.typed_id.as_str().into());
        m.set_pin_length(i32::try_from(self.typed_pin.len()).unwrap_or(0));
        m.set_login_field(access.field);
        m.set_login_error(access.error);
        m.set_attempts_left(access.attempts_left);
        m.set_locked_minutes(access.locked_minutes);
        m.set_message(self.message.id);
        m.set_message_arg(self.message.arg.as_str().into());
        m.set_message_detail(self.message.detail.as_str().into());
        m.set_message_refusal(self.message.refusal);
        m.set_message_tone(if self.message.error { MaintenanceTone::Error } else { MaintenanceTone::Ok });
        m.set_reader_test(match self.reader_test {
            Some(Reader::Card) => MaintenanceReaderTest::Card,
            Some(Reader::Document) => MaintenanceReaderTest::Document,
            None => MaintenanceReaderTest::None,
        });
        m.set_reader_result(self.reader_result.as_str().into());
        m.set_devices(model(self.devices.iter().map(map_device).collect()));
        m.set_paper(model(self.paper.map(|paper| paper_rows(&paper)).unwrap_or_default()));
        m.set_queue_counts(model(queue_rows(&self.queue, now)));
        m.set_commands(model(self.queue.problems.iter().map(map_command).collect()));
        m.set_cancelling(self.cancelling.and_then(|id| i32::try_from(id).ok()).unwrap_or(-1));
        m.set_cancel_reason(self.cancel_reason.as_str().into());
        m.set_host(model(host_rows(&self.host)));
        let switched_off = self.switched_off();
        m.set_in_service(switched_off.is_none());
        m.set_choosing_off(self.choosing_off);
        m.set_off_reason(self.off_reason.as_str().into());
        m.set_kiosk(model(kiosk_rows(&self.kiosk, now, switched_off.as_ref())));
        m.set_settings(model(settings_rows(&self.kiosk)));
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
    let weak = Rc::downgrade(desk);
    m.on_field(move |field| with_desk(&weak, |desk| desk.choose_field(field)));
    let weak = Rc::downgrade(desk);
    m.on_show(move |tab| {
        with_desk(&weak, |desk| {
            desk.access.touch(desk.now());
            desk.show(Tab::of(tab));
        });
    });
    let weak = Rc::downgrade(desk);
    m.on_act(move |action| with_desk(&weak, |desk| desk.act(action)));
    let weak = Rc::downgrade(desk);
    m.on_retry(move |id| with_desk(&weak, |desk| desk.retry(i64::from(id))));
    let weak = Rc::downgrade(desk);
    m.on_cancel(move |id| with_desk(&weak, |desk| desk.cancel(i64::from(id))));
    let weak = Rc::downgrade(desk);
    m.on_reason(move |reason| with_desk(&weak, |desk| desk.pick_reason(reason.as_str())));
    let weak = Rc::downgrade(desk);
    m.on_switch_off(move |reason| with_desk(&weak, |desk| desk.switch_off(reason)));
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

/// Runs `f` on the desk unless it is gone or busy.
fn with_desk(desk: &Weak<RefCell<Desk>>, f: impl FnOnce(&mut Desk)) {
    if let Some(desk) = desk.upgrade()
        && let Ok(mut desk) = desk.try_borrow_mut()
    {
        f(&mut desk);
    }
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

fn row(key: &str, value: &str, tone: MaintenanceTone) -> MaintenanceRow {
    coded_row(key, value, "", tone)
}

/// A row whose value is worded on the page, with the technical code small beside it.
fn coded_row(key: &str, value: &str, code: &str, tone: MaintenanceTone) -> MaintenanceRow {
    MaintenanceRow { key: key.into(), value: value.into(), code: code.into(), tone }
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
