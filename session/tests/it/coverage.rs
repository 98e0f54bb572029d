//! Issue 17: no flow is reachable only by touch. The session is walked by touch through every screen it has
//! (each sub-screen named below; a new one breaks the name match and must be walked to); at each, every
//! action a touch can take there that changes anything must also be reachable with the tactile keypad —
//! the same next screen within a few keys (a numbered option on its page, typing, Enter, Cancel) — and the
//! screen must say something.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use servicaja_core::api::{AffiliationOperation, ErrorCode, PaymentOption, RequestKind};
use servicaja_core::money::Currency;
use servicaja_session::state::{
    Balances, Certificates, Delivery, DeliveryStage, Enrollment, Identify, IdentifyStep, Information, Internet,
    Payment, Requests, Screen, Then,
};
use servicaja_session::{
    Action, Command, DeliveryChoice, Effect, Event, InfoTopic, Key, KeypadKey, MenuItem, PrintOutcome, Reply,
    SequenceSupply, Session, Typing,
};

use crate::harness::*;

/// Every screen and sub-screen by name.
fn name(screen: &Screen) -> &'static str {
    match screen {
        Screen::Attract => "attract",
        Screen::OutOfService { .. } => "out-of-service",
        Screen::Identify(Identify { step, .. }) => match step {
            IdentifyStep::Card { keyed: false, .. } => "identify/card",
            IdentifyStep::Card { keyed: true, .. } => "identify/card-keyed",
            IdentifyStep::Dni { keyed: false, .. } => "identify/dni",
            IdentifyStep::Dni { keyed: true, .. } => "identify/dni-keyed",
            IdentifyStep::Clave { .. } => "identify/clave",
            IdentifyStep::Verifying { .. } => "identify/verifying",
        },
        Screen::Menu => "menu",
        Screen::Balances(step) => match step {
            Balances::Loading { .. } => "balances/loading",
            Balances::Accounts { .. } => "balances/accounts",
            Balances::LoadingMovements { .. } => "balances/loading-movements",
            Balances::Movements { .. } => "balances/movements",
        },
        Screen::Payment(step) => match step {
            Payment::LoadingLoans { .. } => "payment/loading-loans",
            Payment::Loans { .. } => "payment/loans",
            Payment::NotPayable { .. } => "payment/not-payable",
            Payment::Loan { .. } => "payment/loan",
            Payment::Installments { .. } => "payment/installments",
            Payment::Amount { .. } => "payment/amount",
            Payment::LoadingAccounts { .. } => "payment/loading-accounts",
            Payment::Accounts { .. } => "payment/accounts",
            Payment::Quoting { .. } => "payment/quoting",
            Payment::Summary { .. } => "payment/summary",
            Payment::Processing { .. } => "payment/processing",
            Payment::Done { .. } => "payment/done",
            Payment::Refused { .. } => "payment/refused",
        },
        Screen::Internet(step) => match step {
            Internet::Loading { .. } => "internet/loading",
            Internet::Menu { .. } => "internet/menu",
            Internet::AlreadyAffiliated { .. } => "internet/already-affiliated",
            Internet::ChooseAccount { .. } => "internet/choose-account",
            Internet::Consent { .. } => "internet/consent",
            Internet::RequestingCode { .. } => "internet/requesting-code",
            Internet::Code { .. } => "internet/code",
            Internet::Processing { .. } => "internet/processing",
            Internet::Done { .. } => "internet/done",
        },
        Screen::Certificates(step) => match step {
            Certificates::Loading { .. } => "certificates/loading",
            Certificates::Choose { .. } => "certificates/choose",
            Certificates::Processing { .. } => "certificates/processing",
            Certificates::Done { .. } => "certificates/done",
        },
        Screen::Requests(step) => match step {
            Requests::Choose { offline: false } => "requests/choose",
            Requests::Choose { offline: true } => "requests/choose-offline",
            Requests::Dni { .. } => "requests/dni",
            Requests::Confirm { .. } => "requests/confirm",
            Requests::Processing { .. } => "requests/processing",
            Requests::Filed { .. } => "requests/filed",
        },
        Screen::Enrollment(step) => match step {
            Enrollment::Starting { .. } => "enrollment/starting",
            Enrollment::Questions { .. } => "enrollment/questions",
            Enrollment::Checking { .. } => "enrollment/checking",
            Enrollment::NewClave { .. } => "enrollment/new-clave",
            Enrollment::Code { .. } => "enrollment/code",
            Enrollment::Setting { .. } => "enrollment/setting",
        },
        Screen::Information(step) => match step {
            Information::Topics => "information/topics",
            Information::Table(_) => "information/table",
            Information::Calculator { .. } => "information/calculator",
        },
        Screen::Delivery(Delivery { stage, .. }) => match stage {
            DeliveryStage::Choose => "delivery/choose",
            DeliveryStage::Printing { .. } => "delivery/printing",
            DeliveryStage::PrinterFailed => "delivery/printer-failed",
            DeliveryStage::EmailChoice { .. } => "delivery/email-choice",
            DeliveryStage::Email { .. } => "delivery/email",
            DeliveryStage::PreparingQr { .. } => "delivery/preparing-qr",
            DeliveryStage::Qr { .. } => "delivery/qr",
        },
        Screen::Notice { then: Then::Another, .. } => "notice/another",
        Screen::Notice { .. } => "notice",
    }
}

/// A state of the session as the walk left it: the session, its supply (so the keypad's route draws the
/// same ids as the touch) and the time.
#[derive(Clone)]
struct State {
    session: Session,
    supply: SequenceSupply,
    now: DateTime<Utc>,
}

/// The harness kiosk, keeping every state it passes through.
struct Walk {
    k: Kiosk,
    states: Vec<State>,
}

impl Walk {
    fn new() -> Self {
        let mut walk = Self { k: Kiosk::new(), states: Vec::new() };
        walk.snap();
        walk
    }

    fn snap(&mut self) {
        self.states.push(State { session: self.k.session.clone(), supply: self.k.supply.clone(), now: self.k.now });
    }

    fn ui(&mut self, action: Action) {
        self.k.ui(action);
        self.snap();
    }

    fn send(&mut self, event: Event) {
        self.k.send(event);
        self.snap();
    }

    fn answer(&mut self, reply: Reply) {
        self.k.answer(reply);
        self.snap();
    }

    fn login(&mut self) {
        self.ui(Action::Confirm);
        self.k.swipe();
        self.snap();
        self.k.show_dni();
        self.snap();
        self.k.keys(CLAVE);
        self.ui(Action::Confirm);
        self.answer(Reply::SessionOpened(session_opened()));
    }

    fn end(&mut self) {
        self.ui(Action::Terminate);
    }
}

/// Every state the walk goes through: each screen of every flow, reached by touch.
fn walk() -> Vec<State> {
    let mut w = Walk::new();
    // Identification by typing, and the enrollment's questions.
    w.ui(Action::TypeInstead);
    w.k.keys(CARD);
    w.ui(Action::Confirm);
    w.ui(Action::TypeInstead);
    w.end();
    w.ui(Action::CreateClave);
    w.k.swipe();
    w.snap();
    w.k.show_dni();
    w.snap();
    w.answer(Reply::EnrollmentStarted(enrollment_started()));
    w.ui(Action::Answer(1));
    w.ui(Action::Answer(2));
    w.ui(Action::Answer(0));
    w.ui(Action::Confirm);
    w.answer(Reply::EnrollmentVerified(enrollment_verified()));
    w.k.keys(CLAVE);
    w.ui(Action::Confirm);
    w.k.keys(CLAVE);
    w.ui(Action::Confirm);
    w.k.keys("731904");
    w.ui(Action::Confirm);
    w.end();

    // Balances with fifteen movements, printed.
    w.login();
    w.ui(Action::Menu(MenuItem::Balances));
    w.answer(Reply::Accounts(accounts()));
    w.ui(Action::Select(0));
    let one = movements().remove(0);
    let many = (0..15).map(|i| servicaja_core::api::Movement { id: format!("M{i}"), ..one.clone() }).collect();
    w.answer(Reply::Movements(many));
    w.ui(Action::Confirm);
    w.k.finish_printing(PrintOutcome::Printed);
    w.snap();
    w.ui(Action::Confirm);

    // Payment: twelve loans (one not payable), the options, an amount, a refusal, a payment, its delivery.
    w.ui(Action::Menu(MenuItem::PayLoans));
    let mut loans: Vec<_> = (1..=11).map(|i| loan(&format!("L{i}"), Currency::PEN, 0, true)).collect();
    loans.push(loan("P1", Currency::PEN, 0, false));
    w.answer(Reply::Loans(loans));
    w.ui(Action::Select(11));
    w.ui(Action::Confirm);
    w.ui(Action::Select(0));
    w.ui(Action::PaymentOption(PaymentOption::Advance));
    w.ui(Action::Back);
    w.ui(Action::PaymentOption(PaymentOption::PrepaymentReduceCount));
    w.k.keys("300");
    w.snap();
    w.ui(Action::Back);
    w.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    w.answer(Reply::Accounts(accounts()));
    w.ui(Action::Select(0));
    let l = loan("L1", Currency::PEN, 0, true);
    let account = accounts().remove(0);
    let q = quote(&l, &account, PaymentOption::DueInstallment, pen("520.00"), pen("520.00"));
    w.answer(Reply::Quote(q.clone()));
    w.ui(Action::Confirm);
    w.k.refuse(ErrorCode::InsufficientFunds, None);
    w.snap();
    w.ui(Action::Confirm);
    w.ui(Action::Select(0));
    w.answer(Reply::Quote(q.clone()));
    w.ui(Action::Confirm);
    let key = match w.k.submits().as_slice() {
        [(Command::Pay(request), true)] => request.operation_id,
        other => panic!("{other:?}"),
    };
    w.answer(Reply::PaymentDone(payment_done(&q, key)));
    w.ui(Action::Confirm);
    w.ui(Action::Deliver(DeliveryChoice::Print));
    w.k.finish_printing(PrintOutcome::PaperOut);
    w.snap();
    w.ui(Action::Deliver(DeliveryChoice::Email));
    w.ui(Action::TypeInstead);
    w.k.keys("ana@caja.pe");
    w.snap();
    w.ui(Action::Back);
    w.ui(Action::Back);
    w.ui(Action::ShowQr);
    let job = w.k.effects.iter().find_map(|e| match e {
        Effect::PrepareQr { job, .. } => Some(*job),
        _ => None,
    });
    w.send(Event::QrReady { job: job.expect("a QR was asked for"), payload: Some("QR".into()) });
    w.ui(Action::Confirm);

    // Internet purchases: affiliation to its constancia, the disaffiliation's consent, one at a time.
    w.ui(Action::Confirm);
    w.ui(Action::Menu(MenuItem::InternetPurchases));
    w.answer(Reply::Accounts(accounts()));
    w.ui(Action::Affiliate);
    w.ui(Action::Select(0));
    w.ui(Action::Confirm);
    w.answer(Reply::OtpSent(otp_sent("OTP-1")));
    w.k.keys("731904");
    w.ui(Action::Confirm);
    w.answer(Reply::Affiliation(constancia(AffiliationOperation::Affiliation)));
    w.ui(Action::Confirm);
    w.ui(Action::Deliver(DeliveryChoice::None));
    w.ui(Action::Confirm);
    let mut with_one = accounts();
    with_one[0].internet_purchases = true;
    w.ui(Action::Menu(MenuItem::InternetPurchases));
    w.answer(Reply::Accounts(with_one));
    w.ui(Action::Affiliate);
    w.ui(Action::Disaffiliate);
    w.ui(Action::ToggleConsent);
    w.ui(Action::Back);
    w.ui(Action::Back);
    w.ui(Action::Back);

    // Constancia de no adeudo.
    w.ui(Action::Menu(MenuItem::Certificates));
    w.answer(Reply::Loans(vec![cancelled_loan("C1"), cancelled_loan("C2")]));
    w.ui(Action::Select(0));
    w.ui(Action::Confirm);
    w.answer(Reply::NoDebt(no_debt(false)));
    w.ui(Action::Confirm);
    w.ui(Action::Deliver(DeliveryChoice::None));
    w.ui(Action::Confirm);

    // A request with its detail.
    w.ui(Action::Menu(MenuItem::Requests));
    w.ui(Action::RequestKind(RequestKind::AddressChange));
    w.k.keys("av lima");
    w.snap();
    w.ui(Action::Confirm);
    w.answer(Reply::RequestFiled(ticket(RequestKind::AddressChange)));
    w.ui(Action::Confirm);
    w.ui(Action::Deliver(DeliveryChoice::None));
    w.ui(Action::Confirm);

    // Información: a table and a calculator.
    w.ui(Action::Menu(MenuItem::Information));
    w.ui(Action::InfoTopic(InfoTopic::PaymentChannels));
    w.ui(Action::Back);
    w.ui(Action::InfoTopic(InfoTopic::MiViviendaBond));
    w.k.keys("150000");
    w.ui(Action::Confirm);
    w.end();

    // A notice, then out of service with its offline request.
    w.login();
    w.ui(Action::Menu(MenuItem::Balances));
    w.k.no_answer();
    w.snap();
    w.end();
    w.send(Event::Host { reachable: false });
    w.ui(Action::Menu(MenuItem::Requests));
    w.ui(Action::RequestKind(RequestKind::PremiumRefund));
    w.k.keys("1011741");
    w.snap();
    w.states
}

/// What the touch screens can do, beyond the cross-cutting controls every screen has (Terminar, "más
/// tiempo", the language and display toggles: Cancel leads to the menu where Cancel ends, any key is more
/// time, and the language is offered at the start and on the menu).
fn touch_actions() -> Vec<Action> {
    let mut actions = vec![
        Action::Confirm,
        Action::Back,
        Action::TypeInstead,
        Action::CreateClave,
        Action::ToggleConsent,
        Action::ResendCode,
        Action::Affiliate,
        Action::Disaffiliate,
        Action::AllLoans,
        Action::ShowQr,
        Action::Key(Key::Clear),
        Action::Key(Key::Char('.')),
        Action::Key(Key::Char('a')),
        Action::Key(Key::Char('@')),
    ];
    actions.extend((0..12).map(Action::Select));
    actions.extend((0..4).map(Action::Answer));
    actions.extend((0..=9).map(|d| Action::Key(Key::Digit(d))));
    actions.extend(MenuItem::ALL.map(Action::Menu));
    actions.extend(InfoTopic::ALL.map(Action::InfoTopic));
    actions.extend(servicaja_session::contract::REQUEST_KINDS.map(Action::RequestKind));
    actions.extend(
        [
            PaymentOption::DueInstallment,
            PaymentOption::Advance,
            PaymentOption::PrepaymentReduceAmount,
            PaymentOption::PrepaymentReduceCount,
            PaymentOption::Total,
        ]
        .map(Action::PaymentOption),
    );
    actions.extend(
        [DeliveryChoice::Print, DeliveryChoice::Email, DeliveryChoice::Both, DeliveryChoice::None].map(Action::Deliver),
    );
    actions
}

const KEYS: [KeypadKey; 14] = [
    KeypadKey::Digit(0),
    KeypadKey::Digit(1),
    KeypadKey::Digit(2),
    KeypadKey::Digit(3),
    KeypadKey::Digit(4),
    KeypadKey::Digit(5),
    KeypadKey::Digit(6),
    KeypadKey::Digit(7),
    KeypadKey::Digit(8),
    KeypadKey::Digit(9),
    KeypadKey::Point,
    KeypadKey::Enter,
    KeypadKey::Cancel,
    KeypadKey::Clear,
];

/// Every screen the keypad reaches from `state` in at most `depth` keys, and by pressing one key up to six
/// times in a row (a letter, or a digit, of a key typing phone-style).
fn keypad_reach(state: &State, depth: usize) -> Vec<Screen> {
    let mut reached = vec![state.session.screen().clone()];
    let mut frontier = vec![state.clone()];
    for _ in 0..depth {
        let mut next = Vec::new();
        for from in &frontier {
            for key in KEYS {
                let mut to = from.clone();
                to.session.handle(Event::Keypad(key), to.now, &mut to.supply);
                let moved = to.session.screen() != from.session.screen()
                    || to.session.keypad_page() != from.session.keypad_page();
                // Typing goes on from there only to more typing: one key is the route of one touch key.
                let typed =
                    from.session.keypad_typing().is_some() && !matches!(key, KeypadKey::Enter | KeypadKey::Cancel);
                // Another way to a screen already reached leads nowhere new.
                if moved && !reached.contains(to.session.screen()) {
                    reached.push(to.session.screen().clone());
                    if !typed {
                        next.push(to);
                    }
                } else if moved && to.session.keypad_page() != from.session.keypad_page() {
                    next.push(to);
                }
            }
        }
        frontier = next;
    }
    if state.session.keypad_typing() == Some(Typing::Text) {
        for digit in 0..=9 {
            let mut to = state.clone();
            for _ in 0..6 {
                to.session.handle(Event::Keypad(KeypadKey::Digit(digit)), to.now, &mut to.supply);
                if !reached.contains(to.session.screen()) {
                    reached.push(to.session.screen().clone());
                }
            }
        }
    }
    reached
}

/// Whether a touch of `action` is one this screen offers: letters only on the on-screen keyboard of an
/// e-mail address or a note, the point only where something is typed.
fn offered(state: &State, action: Action) -> bool {
    match action {
        Action::Key(Key::Char('.')) => state.session.keypad_typing().is_some(),
        Action::Key(Key::Char(_)) => state.session.keypad_typing() == Some(Typing::Text),
        _ => true,
    }
}

/// What a touch of `action` does in `state`: the next screen, or `None` when it changes nothing.
fn touch(state: &State, action: Action) -> Option<Screen> {
    let mut to = state.clone();
    let effects = to.session.handle(Event::Ui(action), to.now, &mut to.supply);
    let acted = effects.iter().any(|e| {
        matches!(
            e,
            Effect::Query { .. }
                | Effect::Submit { .. }
                | Effect::Print { .. }
                | Effect::PrepareQr { .. }
                | Effect::SessionEnded { .. }
        )
    });
    (acted || to.session.screen() != state.session.screen()).then(|| to.session.screen().clone())
}

#[test]
fn every_touch_on_every_screen_has_a_keypad_route_and_every_screen_speaks() {
    let states = walk();
    let visited: BTreeSet<&str> = states.iter().map(|s| name(s.session.screen())).collect();
    let every: BTreeSet<&str> = [
        "attract",
        "out-of-service",
        "identify/card",
        "identify/card-keyed",
        "identify/dni",
        "identify/dni-keyed",
        "identify/clave",
        "identify/verifying",
        "menu",
        "balances/loading",
        "balances/accounts",
        "balances/loading-movements",
        "balances/movements",
        "payment/loading-loans",
        "payment/loans",
        "payment/not-payable",
        "payment/loan",
        "payment/installments",
        "payment/amount",
        "payment/loading-accounts",
        "payment/accounts",
        "payment/quoting",
        "payment/summary",
        "payment/processing",
        "payment/done",
        "payment/refused",
        "internet/loading",
        "internet/menu",
        "internet/already-affiliated",
        "internet/choose-account",
        "internet/consent",
        "internet/requesting-code",
        "internet/code",
        "internet/processing",
        "internet/done",
        "certificates/loading",
        "certificates/choose",
        "certificates/processing",
        "certificates/done",
        "requests/choose",
        "requests/choose-offline",
        "requests/dni",
        "requests/confirm",
        "requests/processing",
        "requests/filed",
        "enrollment/starting",
        "enrollment/questions",
        "enrollment/checking",
        "enrollment/new-clave",
        "enrollment/code",
        "enrollment/setting",
        "information/topics",
        "information/table",
        "information/calculator",
        "delivery/choose",
        "delivery/printing",
        "delivery/printer-failed",
        "delivery/email-choice",
        "delivery/email",
        "delivery/preparing-qr",
        "delivery/qr",
        "notice",
        "notice/another",
    ]
    .into_iter()
    .collect();
    let missing: Vec<_> = every.difference(&visited).collect();
    assert!(missing.is_empty(), "the walk never reached {missing:?}");

    let actions = touch_actions();
    let mut gaps = Vec::new();
    for state in &states {
        let screen = state.session.screen();
        let said = servicaja_speech::screen(&state.session, state.now);
        if !said.iter().any(|u| !u.text.trim().is_empty()) {
            gaps.push(format!("{} says nothing", name(screen)));
        }
        let reach = keypad_reach(state, 3);
        for action in &actions {
            if offered(state, *action)
                && let Some(next) = touch(state, *action)
                && !reach.contains(&next)
            {
                gaps.push(format!("{}: {action:?} (to {}) has no keypad route", name(screen), name(&next)));
            }
        }
    }
    gaps.dedup();
    assert!(gaps.is_empty(), "touch-only on {} states:\n{}", states.len(), gaps.join("\n"));
}
