//! The whole kiosk under test, wired as `servicaja run` wires it: the real `KioskWindow` on Slint's testing
//! backend, the real `Controller` and `Session`, the kiosk's services (`runtime::KioskServices`: drivers on
//! the emulators' pseudo-terminals, host client, outbox, journal, printing) as the controller's effect sink,
//! and the central simulator on loopback TLS — so a touch on the screen travels to SQLite, the simulator and
//! the emulated printer, and their answers come back to the screen.
//!
//! There is no event loop: the test thread runs the controller's queue itself, waiting (with a generous
//! patience, never a timed assertion) for the real components to answer. The session's clock is moved by
//! hand, so timers fire only when a test says so.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use servicaja_session::{SequenceSupply, Session};
use slint::ComponentHandle;

use crate::stack::{PATIENCE, Stack};
use servicaja_runtime::RuntimeOptions;
use servicaja_runtime::config::Loaded;
use servicaja_ui::Screen;
use servicaja_ui::controller::{Controller, SharedController};
use servicaja_ui::{Kiosk, KioskWindow};

/// Fields drop in order: the controller (it holds the runtime) and the window before the services and the
/// simulated world, the tokio runtime they run on last.
pub struct LiveKiosk {
    pub controller: SharedController,
    pub ui: KioskWindow,
    pub now: Rc<Cell<DateTime<Utc>>>,
    pub stack: Stack,
    tokio: tokio::runtime::Runtime,
}

impl LiveKiosk {
    /// The embedded configuration (`servicaja run` without `--config`), pointed at a new world.
    pub fn start() -> LiveKiosk {
        let loaded = servicaja_runtime::config::load(None).expect("the embedded configuration loads");
        Self::with_settings(loaded, |_| {})
    }

    /// As [`LiveKiosk::start`], with the settings changed by `adjust` first.
    pub fn with_settings(mut loaded: Loaded, adjust: impl FnOnce(&mut servicaja_core::settings::Settings)) -> Self {
        adjust(&mut loaded.settings);
        i_slint_backend_testing::init_no_event_loop();
        let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let stack = tokio.block_on(Stack::start(loaded.settings.clone(), RuntimeOptions::default()));
        loaded.settings = stack.settings.clone();
        let ui = KioskWindow::new().expect("the window builds");
        servicaja_ui::present(&ui, &loaded.settings);
        ui.show().expect("the window shows");
        let now = Rc::new(Cell::new(Utc::now()));
        let clock = now.clone();
        let controller = Controller::attach(
            &ui,
            Session::new(loaded.session_config()),
            Box::new(SequenceSupply::new()),
            Box::new(stack.services.runtime.clone()),
            Rc::new(move || clock.get()),
        );
        let sender = controller.borrow().event_sender();
        stack.services.bind(Arc::new(move |event| {
            // No event loop to wake: the event waits in the controller's queue for `until`.
            sender.send(event);
        }));
        LiveKiosk { controller, ui, now, stack, tokio }
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.tokio.block_on(future)
    }

    /// The screen the window shows (`Kiosk.screen`).
    pub fn screen(&self) -> Screen {
        self.ui.global::<Kiosk>().get_screen()
    }

    /// Whether an element labelled `label` is on screen.
    pub fn shows(&self, label: &str) -> bool {
        ElementHandle::find_by_accessible_label(&self.ui, label).next().is_some()
    }

    /// Every accessible label on screen, for failure messages.
    pub fn labels(&self) -> Vec<String> {
        ElementQuery::from_root(&self.ui)
            .find_all()
            .iter()
            .filter_map(|element| element.accessible_label())
            .map(|label| label.to_string())
            .filter(|label| !label.is_empty())
            .collect()
    }

    fn buttons(&self, matches: impl Fn(&str) -> bool) -> Vec<ElementHandle> {
        ElementQuery::from_root(&self.ui)
            .find_all()
            .into_iter()
            .filter(|e| matches!(e.accessible_role(), Some(AccessibleRole::Button | AccessibleRole::Checkbox)))
            .filter(|e| e.accessible_label().is_some_and(|label| matches(label.as_str())))
            .collect()
    }

    /// Touches the one control labelled `label`, as a screen reader presses it.
    pub fn touch(&self, label: &str) {
        self.touch_where(label, |candidate| candidate == label);
    }

    /// Touches the one control whose label starts with `prefix` (a list row that ends with an amount);
    /// returns its label.
    pub fn touch_starting(&self, prefix: &str) -> String {
        self.touch_where(prefix, |candidate| candidate.starts_with(prefix))
    }

    fn touch_where(&self, what: &str, matches: impl Fn(&str) -> bool) -> String {
        let found = self.buttons(matches);
        assert_eq!(
            found.len(),
            1,
            "expected one control labelled {what:?} on screen {:?}; it shows {:?}",
            self.screen(),
            self.labels()
        );
        let label = found[0].accessible_label().unwrap_or_default().to_string();
        found[0].invoke_accessible_default_action();
        label
    }

    /// Touches digits on a keypad by their labels (the clave keypad is shuffled: positions mean nothing).
    pub fn type_digits(&self, digits: &str) {
        for digit in digits.chars() {
            self.touch(&digit.to_string());
        }
    }

    /// Runs the events the real components send until `done` holds; fails after [`PATIENCE`] with what the
    /// screen shows.
    pub fn until(&self, what: &str, done: impl Fn(&LiveKiosk) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            self.controller.borrow_mut().pump();
            if done(self) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "still waiting for {what}; screen {:?} shows {:?}", self.screen(), self.labels());
            self.controller.borrow_mut().pump_waiting(left);
        }
    }

    /// Waits until the outbox holds a command of `kind` (the runtime stores commands in the background),
    /// and returns the first.
    pub fn stored(&self, kind: servicaja_host::CommandKind) -> servicaja_host::StoredCommand {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let stored = self.block_on(self.stack.runtime().outbox().list(vec![])).unwrap();
            if let Some(command) = stored.into_iter().find(|command| command.kind == kind) {
                return command;
            }
            assert!(Instant::now() < deadline, "no {kind:?} command was ever stored");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// Waits for the screen `id`.
    pub fn until_screen(&self, id: Screen) {
        self.until(&format!("the screen {id:?}"), |kiosk| kiosk.screen() == id);
    }

    /// Waits for an element labelled `label`.
    pub fn until_shows(&self, label: &str) {
        self.until(&format!("{label:?} on screen"), |kiosk| kiosk.shows(label));
    }

    /// Moves the session's clock and fires the timers that are due, as the window's wake-up timer would.
    pub fn advance(&self, seconds: i64) {
        let now = self.now.get() + Duration::seconds(seconds);
        self.now.set(now);
        self.controller.borrow_mut().fire_due(now);
    }

    /// JESUS at the kiosk: the card swiped on the emulated reader, the DNI shown to the emulated document
    /// reader, the clave typed on the shuffled keypad; the central opens the session.
    pub fn log_in(&self) {
        self.identify(crate::stack::CLAVE);
        self.until_screen(Screen::Menu);
    }

    /// Card, DNI and `clave` typed and confirmed; the central's answer is not awaited.
    pub fn identify(&self, clave: &str) {
        self.until_screen(Screen::Attract);
        self.stack.swipe_card();
        self.until_screen(Screen::Dni);
        self.stack.present_dni();
        self.until_screen(Screen::Clave);
        self.type_digits(clave);
        assert!(self.shows("6 de 6 dígitos ingresados"), "the dots show six digits: {:?}", self.labels());
        self.touch("Continuar");
    }
}
