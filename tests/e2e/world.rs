//! The test kiosk: the shared world of `tests/common/stack.rs` (central simulator, emulated devices, the
//! kiosk's services) and a `Session` fed with scripted touches and with every event the runtime reports, on
//! an injected clock.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use servicaja_core::api::{PaymentDone, PaymentOption};
use servicaja_core::money::Money;
use servicaja_core::settings::Settings;
use servicaja_session::state::{DeliveryStage, Payment, Screen};
use servicaja_session::{
    Action, DeliveryChoice, Effect, Event, Key, MenuItem, SequenceSupply, Session, SessionConfig, Timer,
};
use tokio::sync::mpsc;

pub use crate::stack::{CARD, CLAVE, CONSUMER_LOAN, DNI, PATIENCE, SAVINGS, SAVINGS_OPENING, Stack, dni_mrz};
use servicaja_runtime::ReprintReply;
use servicaja_runtime::RuntimeOptions;
use servicaja_runtime::reprint::ReprintError;

/// The world (see `tests/common/stack.rs`) and a session fed by hand, on an injected clock.
pub struct World {
    pub stack: Stack,
    events: mpsc::UnboundedReceiver<Event>,
    pub session: Session,
    supply: SequenceSupply,
    pub now: DateTime<Utc>,
    pub timers: BTreeMap<Timer, DateTime<Utc>>,
    /// Every effect the session produced.
    pub effects: Vec<Effect>,
}

impl std::ops::Deref for World {
    type Target = Stack;

    fn deref(&self) -> &Stack {
        &self.stack
    }
}

impl World {
    pub async fn start() -> World {
        World::start_with(Settings::default()).await
    }

    /// [`World::start`] with the kiosk's configuration changed by the test.
    pub async fn start_with(settings: Settings) -> World {
        World::start_with_central(settings, |_| {}).await
    }

    /// [`World::start_with`] with the central's configuration changed by the test (see
    /// [`Stack::start_with_central`]).
    pub async fn start_with_central(
        settings: Settings,
        configure: impl FnOnce(&mut servicaja_central::CentralConfig),
    ) -> World {
        let options = RuntimeOptions {
            health_every: Duration::from_secs(1),
            free_space_every: Duration::from_millis(200),
            // Status reports only when a test runs a round on its own clock (`stack.services.fleet.tick`).
            fleet_every: None,
            ..RuntimeOptions::default()
        };
        let stack = Stack::start_with_central(settings, options, configure).await;
        let (sender, events) = mpsc::unbounded_channel();
        stack.services.bind(Arc::new(move |event| {
            let _ = sender.send(event);
        }));
        let session = Session::new(SessionConfig::from_settings(&stack.settings));
        World {
            stack,
            events,
            session,
            supply: SequenceSupply::new(),
            now: Utc::now(),
            timers: BTreeMap::new(),
            effects: Vec::new(),
        }
    }

    /// Steps the session and hands every effect to the runtime, keeping the timers as a shell does.
    pub fn feed(&mut self, event: Event) {
        let effects = self.session.handle(event, self.now, &mut self.supply);
        for effect in effects {
            match &effect {
                Effect::StartTimer { timer, at } => {
                    self.timers.insert(*timer, *at);
                }
                Effect::CancelTimer(timer) => {
                    self.timers.remove(timer);
                }
                _ => {}
            }
            self.effects.push(effect.clone());
            self.stack.runtime().execute(effect);
        }
    }

    pub fn ui(&mut self, action: Action) {
        self.feed(Event::Ui(action));
    }

    pub fn keys(&mut self, text: &str) {
        for c in text.chars() {
            let key = match c.to_digit(10) {
                Some(digit) => Key::Digit(digit as u8),
                None => Key::Char(c),
            };
            self.ui(Action::Key(key));
        }
    }

    /// Feeds the runtime's events to the session until `done` holds.
    pub async fn until(&mut self, what: &str, done: impl Fn(&Session) -> bool) {
        while !done(&self.session) {
            let event = tokio::time::timeout(PATIENCE, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("still waiting for {what}; the screen is {:?}", self.session.screen()))
                .expect("the runtime is gone");
            self.feed(event);
        }
    }

    /// Moves the clock to the timer's deadline and fires it.
    pub fn fire(&mut self, timer: Timer) {
        let at = self.timers.remove(&timer).unwrap_or_else(|| panic!("{timer:?} is not armed"));
        self.now = self.now.max(at);
        self.feed(Event::TimerFired(timer));
    }

    pub fn screen(&self) -> &Screen {
        self.session.screen()
    }

    /// Swipe on the emulated reader, DNI on the emulated document reader, clave on the keypad: the menu.
    pub async fn log_in(&mut self) {
        self.stack.swipe_card();
        self.until("the card to be read", |s| s.masked_card().is_some()).await;
        self.stack.present_dni();
        self.until("the DNI to be read", |s| {
            matches!(s.screen(), Screen::Identify(identify) if matches!(identify.step, servicaja_session::state::IdentifyStep::Clave { .. }))
        })
        .await;
        self.keys(CLAVE);
        self.ui(Action::Confirm);
        self.until("the central to open the session", |s| s.screen() == &Screen::Menu).await;
    }

    /// From the menu to the summary of the consumer loan's due installment, debited from the savings
    /// account; returns the debit the summary shows.
    pub async fn reach_the_due_installment_summary(&mut self) -> Money {
        self.ui(Action::Menu(MenuItem::PayLoans));
        self.until("the loans", |s| matches!(s.screen(), Screen::Payment(Payment::Loans { .. }))).await;
        let Screen::Payment(Payment::Loans { loans }) = self.screen() else { unreachable!() };
        let loan = loans.iter().position(|loan| loan.id == CONSUMER_LOAN).expect("the consumer loan is listed");
        self.ui(Action::Select(loan));
        self.ui(Action::PaymentOption(PaymentOption::DueInstallment));
        self.until("the accounts", |s| matches!(s.screen(), Screen::Payment(Payment::Accounts { .. }))).await;
        let Screen::Payment(Payment::Accounts { accounts, .. }) = self.screen() else { unreachable!() };
        let account = accounts.iter().position(|account| account.id == SAVINGS).expect("the savings account is listed");
        self.ui(Action::Select(account));
        self.until("the quote", |s| matches!(s.screen(), Screen::Payment(Payment::Summary { .. }))).await;
        let Screen::Payment(Payment::Summary { quote, .. }) = self.screen() else { unreachable!() };
        quote.debit
    }

    /// Confirms the summary and waits for the central's answer: the payment done.
    pub async fn confirm_payment(&mut self) -> PaymentDone {
        self.ui(Action::Confirm);
        self.until("the payment", |s| matches!(s.screen(), Screen::Payment(Payment::Done { .. }))).await;
        let Screen::Payment(Payment::Done { payment, .. }) = self.screen() else { unreachable!() };
        payment.clone()
    }

    /// The consumer loan's due installment paid from the savings account (the test script several tests
    /// share), ending on the Done screen.
    pub async fn pay_due_installment(&mut self) -> PaymentDone {
        self.reach_the_due_installment_summary().await;
        self.confirm_payment().await
    }

    /// From the Done screen: the receipt asked for on paper, which runs out a few lines into the job, and
    /// the printer's failure shown.
    pub async fn print_until_the_paper_runs_out(&mut self) {
        self.ui(Action::Confirm);
        self.control().paper_runs_out_after(5);
        self.ui(Action::Deliver(DeliveryChoice::Print));
        self.until(
            "the printer failure",
            |s| matches!(s.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::PrinterFailed),
        )
        .await;
    }
}

/// Asks the runtime's journal thread (search, preview, reprint) and waits for its answer.
pub async fn ask<T: Send + 'static>(request: impl FnOnce(ReprintReply<T>)) -> Result<T, ReprintError> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    request(Box::new(move |result| {
        let _ = answer.send(result);
    }));
    tokio::time::timeout(Duration::from_secs(30), answered)
        .await
        .expect("the journal thread answers")
        .expect("the journal thread answered once")
}
