//! The seam between the window and the session: turns window callbacks into session [`Event`]s, steps the
//! [`Session`] with `now` from an injectable clock, redraws the window from the session after each step, keeps
//! the session's timers, and hands every effect that is not the UI's to an [`EffectSink`] (the runtime in
//! `src/`, or a scripted fake in tests). Central answers, device readings and status come back through
//! [`Controller::dispatch`] or, from other threads, an [`EventSender`]. In audio mode the session's speech
//! cues are worded here, from the session just stepped, and handed to a [`Voice`] (espeak-ng in the kiosk).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::mpsc;

use chrono::{DateTime, Utc};
use servicaja_core::api::RequestKind;
use servicaja_core::settings::Language;
use servicaja_session::contract::PAYMENT_OPTIONS;
use servicaja_session::{Action, Cue, DeliveryChoice, Effect, Event, InfoTopic, Key, MenuItem, Session, Supply, Timer};
use servicaja_speech::Voice;
use slint::ComponentHandle;

use super::keypad::{Modifiers, keypad_key_of};
use super::view::{InfoTables, View, view_of};
use super::{AudioFlow, Kiosk, KioskWindow, MenuChoice, RequestChoice, TopicChoice, UiAction, select_language};

/// Carries out the effects that are not the window's: queries and commands to the central, printing,
/// journal records, the end of a session. Answers come back later as events (see [`EventSender`]); a test
/// fake may also answer at once by returning them.
pub trait EffectSink {
    /// Executes one effect; events returned are fed back to the session in order, right away.
    fn execute(&mut self, effect: &Effect, now: DateTime<Utc>) -> Vec<Event>;
}

/// Watches the session beside the window: sees each event before the session does (and may take it) and
/// the session after each step. The maintenance desk uses it to take a reader test's media and to learn
/// when a customer's session ends. It must not call back into the controller.
pub trait SessionObserver {
    /// True when the observer takes `event`: the session never sees it.
    fn take(&mut self, event: &Event) -> bool;
    /// The session after a step (its events' effects carried out, the window redrawn).
    fn stepped(&mut self, session: &Session);
}

/// The kiosk's runtime is its effect sink: effects are carried out in the background and their answers come
/// back through the controller's [`EventSender`], bound to the runtime's `LateSink`. The runtime is also
/// built without a window (the end-to-end tests), so the window's side holds this seam.
impl EffectSink for std::sync::Arc<servicaja_runtime::Runtime> {
    fn execute(&mut self, effect: &Effect, _now: DateTime<Utc>) -> Vec<Event> {
        servicaja_runtime::Runtime::execute(self, effect.clone());
        Vec::new()
    }
}

/// Where the controller reads the time: the system clock in the kiosk, a hand-moved clock in tests.
pub type Clock = Rc<dyn Fn() -> DateTime<Utc>>;

/// The system clock.
pub fn system_clock() -> Clock {
    Rc::new(Utc::now)
}

/// Sends events to the controller from any thread (the tokio runtime, the drivers): they are queued and run
/// on the UI thread by the `Kiosk.pump` callback.
#[derive(Clone)]
pub struct EventSender {
    queue: mpsc::Sender<Event>,
    window: slint::Weak<KioskWindow>,
}

impl EventSender {
    /// Queues `event`; returns false when the window is gone.
    pub fn send(&self, event: Event) -> bool {
        if self.queue.send(event).is_err() {
            return false;
        }
        self.window.upgrade_in_event_loop(|ui| ui.global::<Kiosk>().invoke_pump()).is_ok()
    }
}

/// The session of one kiosk bound to its window.
pub struct Controller {
    session: Session,
    supply: Box<dyn Supply>,
    sink: Box<dyn EffectSink>,
    clock: Clock,
    window: slint::Weak<KioskWindow>,
    tables: InfoTables,
    /// Armed session timers and their deadlines, as `StartTimer` / `CancelTimer` left them.
    timers: BTreeMap<Timer, DateTime<Utc>>,
    /// Wakes the UI thread at the next deadline (and every second while a countdown is on screen).
    wake: slint::Timer,
    incoming: mpsc::Receiver<Event>,
    sender: mpsc::Sender<Event>,
    last_view: View,
    observer: Option<Box<dyn SessionObserver>>,
    /// Says the session's speech cues; silent until [`Controller::set_voice`].
    voice: Box<dyn Voice>,
}

/// A shared handle: window callbacks hold weak clones of it.
pub type SharedController = Rc<RefCell<Controller>>;

impl Controller {
    /// Binds `session` to `ui`: connects every callback of the `Kiosk` global and draws the first frame.
    pub fn attach(
        ui: &KioskWindow,
        session: Session,
        supply: Box<dyn Supply>,
        sink: Box<dyn EffectSink>,
        clock: Clock,
    ) -> SharedController {
        let (sender, incoming) = mpsc::channel();
        let controller = Rc::new(RefCell::new(Controller {
            session,
            supply,
            sink,
            clock,
            window: ui.as_weak(),
            tables: InfoTables::embedded(),
            timers: BTreeMap::new(),
            wake: slint::Timer::default(),
            incoming,
            sender,
            last_view: View::default(),
            observer: None,
            voice: Box::new(servicaja_speech::Silent),
        }));
        connect(ui, &controller);
        controller.borrow_mut().render();
        controller
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The view last written to the window.
    pub fn view(&self) -> &View {
        &self.last_view
    }

    /// The armed timers and their deadlines.
    pub fn timers(&self) -> &BTreeMap<Timer, DateTime<Utc>> {
        &self.timers
    }

    /// Sets the one [`SessionObserver`] (the maintenance desk).
    pub fn set_observer(&mut self, observer: Box<dyn SessionObserver>) {
        self.observer = Some(observer);
    }

    /// Sets the voice that says audio mode's cues (the kiosk's espeak-ng, a recording one in tests).
    pub fn set_voice(&mut self, voice: Box<dyn Voice>) {
        self.voice = voice;
    }

    pub fn event_sender(&self) -> EventSender {
        EventSender { queue: self.sender.clone(), window: self.window.clone() }
    }

    /// Steps the session with `event` at the clock's time, executes the effects, redraws.
    pub fn dispatch(&mut self, event: Event) {
        let mut queue = vec![event];
        while !queue.is_empty() {
            let event = queue.remove(0);
            if self.observer.as_mut().is_some_and(|observer| observer.take(&event)) {
                continue;
            }
            let now = (self.clock)();
            let customer = (self.session.language(), self.session.audio().map(|audio| audio.volume));
            let effects = self.session.handle(event, now, self.supply.as_mut());
            for effect in &effects {
                match effect {
                    Effect::Render => {}
                    Effect::Speak(cue) => self.speak(*cue, customer, now),
                    Effect::StopSpeaking => self.voice.stop(),
                    Effect::StartTimer { timer, at } => {
                        self.timers.insert(*timer, *at);
                    }
                    Effect::CancelTimer(timer) => {
                        self.timers.remove(timer);
                    }
                    other => queue.extend(self.sink.execute(other, now)),
                }
            }
        }
        self.render();
        if let Some(observer) = self.observer.as_mut() {
            observer.stepped(&self.session);
        }
    }

    /// Words `cue` from the session just stepped and hands it to the voice. The goodbye comes after the
    /// session went back to its default language and volume: it is said in the customer's (`before`: the
    /// language and audio volume before the step).
    fn speak(&mut self, cue: Cue, before: (Language, Option<u8>), now: DateTime<Utc>) {
        let audio = &self.session.config().audio;
        let (lines, language, volume) = match cue {
            Cue::Ended(reason) => {
                (servicaja_speech::goodbye(reason, before.0), before.0, before.1.unwrap_or(audio.default_volume))
            }
            _ => (
                servicaja_speech::say(&self.session, cue, now),
                self.session.language(),
                self.session.audio().map_or(audio.default_volume, |audio| audio.volume),
            ),
        };
        let max = audio.max_volume;
        self.voice.speak(lines, language, volume, max);
    }

    /// Runs the events queued by [`EventSender`]s.
    pub fn pump(&mut self) {
        while let Ok(event) = self.incoming.try_recv() {
            self.dispatch(event);
        }
    }

    /// Waits up to `patience` for an [`EventSender`]'s event, then runs it and every other queued one;
    /// returns how many ran (0: none came). For a window without an event loop (headless tests), where
    /// nothing else wakes the controller.
    pub fn pump_waiting(&mut self, patience: std::time::Duration) -> usize {
        let Ok(first) = self.incoming.recv_timeout(patience) else { return 0 };
        self.dispatch(first);
        let mut ran = 1;
        while let Ok(event) = self.incoming.try_recv() {
            self.dispatch(event);
            ran += 1;
        }
        ran
    }

    /// Fires every timer whose deadline is at or before `now` (the clock must already read `now`); redraws
    /// so that countdowns tick.
    pub fn fire_due(&mut self, now: DateTime<Utc>) {
        loop {
            let due = self.timers.iter().find(|(_, at)| **at <= now).map(|(timer, _)| *timer);
            let Some(timer) = due else { break };
            self.timers.remove(&timer);
            self.dispatch(Event::TimerFired(timer));
        }
        self.render();
    }

    /// Redraws the window from the session and re-arms the wake-up timer.
    pub fn render(&mut self) {
        let now = (self.clock)();
        let view = view_of(&self.session, now, &self.tables);
        if let Some(ui) = self.window.upgrade() {
            if view.language != self.last_view.language {
                // A missing bundled translation leaves the source Spanish on screen: nothing to recover.
                let _ = select_language(view.language);
            }
            super::view::apply(&view, &ui);
        }
        self.last_view = view;
        self.arm_wake(now);
    }

    fn arm_wake(&mut self, now: DateTime<Utc>) {
        let mut next = self.timers.values().min().copied();
        let ticking = self.last_view.countdown.is_some() || self.last_view.seconds.is_some_and(|s| s > 0);
        if ticking {
            let tick = now + chrono::Duration::seconds(1);
            next = Some(next.map_or(tick, |n| n.min(tick)));
        }
        let Some(next) = next else {
            self.wake.stop();
            return;
        };
        let delay = (next - now).to_std().unwrap_or_default();
        let window = self.window.clone();
        self.wake.start(slint::TimerMode::SingleShot, delay, move || {
            if let Some(ui) = window.upgrade() {
                ui.global::<Kiosk>().invoke_pump();
            }
        });
    }

    /// The UI thread woke up: queued events first, then the timers that are due.
    fn wake_up(&mut self) {
        self.pump();
        let now = (self.clock)();
        self.fire_due(now);
    }

    fn ui(&mut self, action: Action) {
        self.dispatch(Event::Ui(action));
    }
}

/// Maps a key of the on-screen keypads and keyboard to session keys (".com" types four characters).
pub fn keys_of(key: &str) -> Vec<Key> {
    match key {
        "backspace" => vec![Key::Backspace],
        "clear" => vec![Key::Clear],
        _ => key
            .chars()
            .map(|c| match c.to_digit(10) {
                Some(d) => Key::Digit(d as u8),
                None => Key::Char(c),
            })
            .collect(),
    }
}

/// Maps a touch of the window to the session's action.
pub fn action_of(action: UiAction) -> Action {
    match action {
        UiAction::TypeInstead => Action::TypeInstead,
        UiAction::CreateClave => Action::CreateClave,
        UiAction::Consent => Action::ToggleConsent,
        UiAction::Resend => Action::ResendCode,
        UiAction::Affiliate => Action::Affiliate,
        UiAction::Disaffiliate => Action::Disaffiliate,
        UiAction::AllLoans => Action::AllLoans,
        UiAction::ShowQr => Action::ShowQr,
        UiAction::DeliverPrint => Action::Deliver(DeliveryChoice::Print),
        UiAction::DeliverEmail => Action::Deliver(DeliveryChoice::Email),
        UiAction::DeliverBoth => Action::Deliver(DeliveryChoice::Both),
        UiAction::DeliverNone => Action::Deliver(DeliveryChoice::None),
    }
}

/// The payment option at `index` of the loan screen's options (listed in [`PAYMENT_OPTIONS`]' order).
pub fn payment_option_of(index: i32) -> Option<Action> {
    let option = PAYMENT_OPTIONS.get(usize::try_from(index).ok()?)?;
    Some(Action::PaymentOption(*option))
}

pub fn menu_of(choice: MenuChoice) -> MenuItem {
    match choice {
        MenuChoice::Pay => MenuItem::PayLoans,
        MenuChoice::Balances => MenuItem::Balances,
        MenuChoice::Internet => MenuItem::InternetPurchases,
        MenuChoice::Certificates => MenuItem::Certificates,
        MenuChoice::Requests => MenuItem::Requests,
        MenuChoice::Information => MenuItem::Information,
    }
}

pub fn request_of(choice: RequestChoice) -> RequestKind {
    match choice {
        RequestChoice::Endorsement => RequestKind::PolicyEndorsement,
        RequestChoice::Refund => RequestKind::PremiumRefund,
        RequestChoice::Address => RequestKind::AddressChange,
        RequestChoice::Guarantee => RequestKind::GuaranteeRelease,
    }
}

pub fn topic_of(choice: TopicChoice) -> InfoTopic {
    match choice {
        TopicChoice::Channels => InfoTopic::PaymentChannels,
        TopicChoice::Coverage => InfoTopic::InsuranceCoverage,
        TopicChoice::Deductibles => InfoTopic::MultiriskDeductibles,
        TopicChoice::Mivivienda => InfoTopic::MiViviendaBond,
        TopicChoice::TechoPropio => InfoTopic::TechoPropioBond,
    }
}

/// A window callback with one typed argument, bound to `controller` as the others are (see [`connect`]).
fn with_controller<T: 'static>(controller: &SharedController, f: fn(&mut Controller, T)) -> impl Fn(T) + 'static {
    let weak = Rc::downgrade(controller);
    move |arg| {
        if let Some(c) = weak.upgrade()
            && let Ok(mut c) = c.try_borrow_mut()
        {
            f(&mut c, arg);
        }
    }
}

/// A window callback that carries a text argument (a key, an action id, a language).
type TextHandler = dyn Fn(&mut Controller, &str);

/// Connects every callback of the `Kiosk` global to `controller`. Callbacks hold weak references, so the
/// window does not keep the controller alive; `try_borrow_mut` skips a callback raised while the controller
/// is itself busy (a re-entrant redraw), which then changes nothing.
fn connect(ui: &KioskWindow, controller: &SharedController) {
    let kiosk = ui.global::<Kiosk>();
    let with = |f: Box<dyn Fn(&mut Controller)>| {
        let weak = Rc::downgrade(controller);
        move || {
            if let Some(c) = weak.upgrade()
                && let Ok(mut c) = c.try_borrow_mut()
            {
                f(&mut c);
            }
        }
    };
    let with_arg = |f: Box<TextHandler>| {
        let weak = Rc::downgrade(controller);
        move |arg: slint::SharedString| {
            if let Some(c) = weak.upgrade()
                && let Ok(mut c) = c.try_borrow_mut()
            {
                f(&mut c, arg.as_str());
            }
        }
    };
    kiosk.on_confirm(with(Box::new(|c| c.ui(Action::Confirm))));
    kiosk.on_back(with(Box::new(|c| c.ui(Action::Back))));
    kiosk.on_end_session(with(Box::new(|c| c.ui(Action::Terminate))));
    kiosk.on_more_time(with(Box::new(|c| c.ui(Action::MoreTime))));
    kiosk.on_pump(with(Box::new(Controller::wake_up)));
    kiosk.on_activity(with(Box::new(|c| c.dispatch(Event::Activity))));
    kiosk.on_toggle_contrast(with(Box::new(|c| {
        let on = !c.session.accessibility().high_contrast;
        c.ui(Action::SetHighContrast(on));
    })));
    kiosk.on_toggle_large_text(with(Box::new(|c| {
        let on = !c.session.accessibility().large_text;
        c.ui(Action::SetLargeText(on));
    })));
    kiosk.on_set_language(with_arg(Box::new(|c, language| {
        let language = if language == "en" { Language::En } else { Language::Es };
        c.ui(Action::SetLanguage(language));
    })));
    kiosk.on_menu(with_controller(controller, |c, choice| c.ui(Action::Menu(menu_of(choice)))));
    kiosk.on_key(with_arg(Box::new(|c, key| {
        for key in keys_of(key) {
            c.ui(Action::Key(key));
        }
    })));
    kiosk.on_action(with_controller(controller, |c, action| c.ui(action_of(action))));
    kiosk.on_payment_option(with_controller(controller, |c, index| {
        if let Some(action) = payment_option_of(index) {
            c.ui(action);
        }
    }));
    kiosk.on_answer(with_controller(controller, |c, index| {
        if let Ok(index) = usize::try_from(index) {
            c.ui(Action::Answer(index));
        }
    }));
    kiosk.on_request(with_controller(controller, |c, choice| c.ui(Action::RequestKind(request_of(choice)))));
    kiosk.on_topic(with_controller(controller, |c, choice| c.ui(Action::InfoTopic(topic_of(choice)))));
    // The tactile keypad: a key press on a customer screen, mapped by the one table in `keypad.rs`.
    let weak = Rc::downgrade(controller);
    ui.global::<AudioFlow>().on_key(move |text, control, alt, meta, repeat| {
        let Some(key) = keypad_key_of(&text, Modifiers { control, alt, meta }, repeat) else { return false };
        if let Some(c) = weak.upgrade()
            && let Ok(mut c) = c.try_borrow_mut()
        {
            c.dispatch(Event::Keypad(key));
        }
        true
    });
    let weak = Rc::downgrade(controller);
    kiosk.on_select(move |index| {
        if let Some(c) = weak.upgrade()
            && let Ok(mut c) = c.try_borrow_mut()
            && let Ok(index) = usize::try_from(index)
        {
            c.ui(Action::Select(index));
        }
    });
}
