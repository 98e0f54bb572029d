//! A kiosk window bound to a fresh session, a hand-moved clock and the scripted sink: what the screenshots
//! and the UI tests drive. Events are raised the way the runtime and the window raise them.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use chrono::{DateTime, Duration, Utc};
use servicaja_session::secret::{CardNumber, Dni};
use servicaja_session::{Action, Event, Key, SequenceSupply, Session, SessionConfig};

use super::KioskWindow;
use super::controller::{Controller, SharedController};
use super::fixtures::{self, Script, ScriptedSink};

pub struct Rig {
    pub controller: SharedController,
    pub script: Rc<RefCell<Script>>,
    pub now: Rc<Cell<DateTime<Utc>>>,
}

impl Rig {
    /// Binds a new session (card and DNI may also be typed) to `ui`, at the fixtures' start time.
    pub fn new(ui: &KioskWindow) -> Self {
        Self::with_config(ui, Self::config())
    }

    /// The configuration [`Rig::new`] uses: card and DNI may be typed, the embedded disclosures.
    pub fn config() -> SessionConfig {
        let mut config = SessionConfig { allow_keyed_card: true, allow_keyed_dni: true, ..SessionConfig::default() };
        if let Ok(disclosures) = servicaja_core::disclosures::Disclosures::embedded() {
            config = config.with_disclosures(disclosures);
        }
        config
    }

    pub fn with_config(ui: &KioskWindow, config: SessionConfig) -> Self {
        let now = Rc::new(Cell::new(fixtures::start_time()));
        let script = Rc::new(RefCell::new(Script::default()));
        let clock_now = now.clone();
        // The standard panels at the kiosk's usual height, as the screenshots and the tests assume.
        super::reach::install(ui, &servicaja_core::settings::DisplaySettings::default());
        let controller = Controller::attach(
            ui,
            Session::new(config),
            Box::new(SequenceSupply::new()),
            Box::new(ScriptedSink { script: script.clone() }),
            Rc::new(move || clock_now.get()),
        );
        Self { controller, script, now }
    }

    pub fn send(&self, event: Event) {
        self.controller.borrow_mut().dispatch(event);
    }

    pub fn ui(&self, action: Action) {
        self.send(Event::Ui(action));
    }

    pub fn keys(&self, text: &str) {
        for c in text.chars() {
            let key = match c.to_digit(10) {
                Some(d) => Key::Digit(d as u8),
                None => Key::Char(c),
            };
            self.ui(Action::Key(key));
        }
    }

    /// Types on the shuffled clave keypad by digit (the session maps positions itself when it must).
    pub fn swipe(&self) {
        if let Ok(card) = CardNumber::parse(fixtures::CARD) {
            self.send(Event::CardRead(card));
        }
    }

    pub fn show_dni(&self) {
        if let Ok(dni) = Dni::parse(fixtures::DNI) {
            self.send(Event::DocumentRead(dni));
        }
    }

    /// Card, DNI, clave: ends on the menu with the fixtures' answers.
    pub fn login(&self) {
        self.swipe();
        self.show_dni();
        self.keys(fixtures::CLAVE);
        self.ui(Action::Confirm);
    }

    /// Moves the clock and fires the timers that are due, as the window's wake-up timer would.
    pub fn advance(&self, seconds: i64) {
        let now = self.now.get() + Duration::seconds(seconds);
        self.now.set(now);
        self.controller.borrow_mut().fire_due(now);
    }

    /// The screen id the window shows.
    pub fn screen(&self) -> super::Screen {
        self.controller.borrow().view().screen
    }
}
