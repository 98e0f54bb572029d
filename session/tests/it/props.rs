//! Property tests: no sequence of arbitrary events panics; wherever a session stands, Terminar returns to
//! the attract (or out-of-service) screen with every secret wiped; outside a session no secret is held; a
//! full card number never appears in any effect.

use proptest::prelude::*;
use servicaja_core::api::{AffiliationOperation, ErrorCode, PaymentOption, RequestKind};
use servicaja_core::money::Currency;
use servicaja_core::settings::Language;
use servicaja_session::{
    Action, DeliveryChoice, Device, DeviceStatus, Effect, Event, Failure, InfoTopic, Key, MenuItem, PaperStatus,
    PrintOutcome, Reader, Reply, Timer,
};

use crate::harness::*;

#[derive(Debug, Clone)]
enum Step {
    Ui(Action),
    Swipe,
    Document,
    Invalid(Reader),
    Device(Device, DeviceStatus),
    Paper(PaperStatus),
    Host(bool),
    Switch(bool),
    Printed(PrintOutcome),
    Reply(usize),
    Refuse(usize, Option<u32>),
    NoAnswer,
    Fire(Timer),
    Advance(u16),
    Activity,
}

fn replies() -> Vec<Reply> {
    let l = loan("L1", Currency::PEN, 0, true);
    let a = accounts().remove(0);
    let q = quote(&l, &a, PaymentOption::DueInstallment, pen("520.00"), pen("520.00"));
    vec![
        Reply::SessionOpened(session_opened()),
        Reply::Accounts(accounts()),
        Reply::Accounts(Vec::new()),
        Reply::Movements(movements()),
        Reply::Loans(vec![
            l.clone(),
            loan("L2", Currency::USD, 1, true),
            loan("L3", Currency::PEN, 0, false),
            cancelled_loan("C1"),
        ]),
        Reply::Loans(vec![cancelled_loan("C1")]),
        Reply::Loans(Vec::new()),
        Reply::Quote(q.clone()),
        Reply::PaymentDone(payment_done(&q, uuid::Uuid::nil())),
        Reply::OtpSent(otp_sent("OTP-P")),
        Reply::Affiliation(constancia(AffiliationOperation::Affiliation)),
        Reply::NoDebt(no_debt(true)),
        Reply::RequestFiled(ticket(RequestKind::PolicyEndorsement)),
        Reply::EnrollmentStarted(enrollment_started()),
        Reply::EnrollmentVerified(enrollment_verified()),
        Reply::ClaveSet(enrollment_completed()),
        Reply::Accepted,
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (0u8..12).prop_map(|d| Action::Key(Key::Digit(d))),
        prop::sample::select(vec!['a', 'G', '@', '.', ',', '-', 'ñ', ' ']).prop_map(|c| Action::Key(Key::Char(c))),
        Just(Action::Key(Key::Backspace)),
        Just(Action::Key(Key::Clear)),
        Just(Action::Confirm),
        Just(Action::Confirm),
        Just(Action::Back),
        Just(Action::Terminate),
        Just(Action::MoreTime),
        any::<bool>().prop_map(Action::SetHighContrast),
        any::<bool>().prop_map(Action::SetLargeText),
        prop::sample::select(vec![Language::Es, Language::En]).prop_map(Action::SetLanguage),
        prop::sample::select(MenuItem::ALL.to_vec()).prop_map(Action::Menu),
        (0usize..6).prop_map(Action::Select),
        Just(Action::TypeInstead),
        Just(Action::CreateClave),
        prop::sample::select(servicaja_session::contract::PAYMENT_OPTIONS.to_vec()).prop_map(Action::PaymentOption),
        prop::sample::select(vec![
            DeliveryChoice::Print,
            DeliveryChoice::Email,
            DeliveryChoice::Both,
            DeliveryChoice::None
        ])
        .prop_map(Action::Deliver),
        Just(Action::ToggleConsent),
        Just(Action::ResendCode),
        Just(Action::Affiliate),
        Just(Action::Disaffiliate),
        Just(Action::AllLoans),
        prop::sample::select(servicaja_session::contract::REQUEST_KINDS.to_vec()).prop_map(Action::RequestKind),
        prop::sample::select(InfoTopic::ALL.to_vec()).prop_map(Action::InfoTopic),
        (0usize..5).prop_map(Action::Answer),
        Just(Action::ShowQr),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let statuses = vec![
        DeviceStatus::Online,
        DeviceStatus::Offline,
        DeviceStatus::HardwareError,
        DeviceStatus::UserError,
        DeviceStatus::Busy,
        DeviceStatus::NoDevice,
    ];
    prop_oneof![
        8 => action().prop_map(Step::Ui),
        2 => Just(Step::Swipe),
        2 => Just(Step::Document),
        1 => prop::sample::select(vec![Reader::Card, Reader::Document]).prop_map(Step::Invalid),
        1 => (prop::sample::select(vec![Device::CardReader, Device::DocumentReader, Device::Printer]), prop::sample::select(statuses))
            .prop_map(|(d, s)| Step::Device(d, s)),
        1 => prop::sample::select(vec![PaperStatus::Full, PaperStatus::Low, PaperStatus::Out, PaperStatus::Jammed]).prop_map(Step::Paper),
        1 => any::<bool>().prop_map(Step::Host),
        1 => any::<bool>().prop_map(Step::Switch),
        1 => prop::sample::select(vec![PrintOutcome::Printed, PrintOutcome::PaperOut, PrintOutcome::Failed]).prop_map(Step::Printed),
        5 => (0usize..17).prop_map(Step::Reply),
        2 => (0usize..ErrorCode::ALL.len(), prop::option::of(0u32..3)).prop_map(|(c, a)| Step::Refuse(c, a)),
        1 => Just(Step::NoAnswer),
        2 => prop::sample::select(vec![Timer::Idle, Timer::Countdown, Timer::Interactive, Timer::OtpResend]).prop_map(Step::Fire),
        1 => (0u16..400).prop_map(Step::Advance),
        1 => Just(Step::Activity),
    ]
}

fn apply(k: &mut Kiosk, step: &Step, replies: &[Reply]) {
    let request = k.last_request.unwrap_or_default();
    let event = match step {
        Step::Ui(action) => Event::Ui(*action),
        Step::Swipe => {
            k.swipe();
            return;
        }
        Step::Document => {
            k.show_dni();
            return;
        }
        Step::Invalid(reader) => Event::InvalidMedia(*reader),
        Step::Device(device, status) => Event::Device { device: *device, status: *status },
        Step::Paper(paper) => Event::Paper(*paper),
        Step::Host(reachable) => Event::Host { reachable: *reachable },
        Step::Switch(in_service) => Event::ServiceSwitch {
            out_of_service: (!*in_service).then_some(servicaja_session::SwitchOffReason::PrinterFault),
        },
        Step::Printed(outcome) => {
            let job = k.all.iter().rev().find_map(|e| match e {
                Effect::Print { job, .. } => Some(*job),
                _ => None,
            });
            Event::Printed { job: job.unwrap_or_default(), outcome: *outcome }
        }
        Step::Reply(i) => Event::Central { request, answer: Ok(replies[i % replies.len()].clone()) },
        Step::Refuse(code, attempts) => {
            let mut problem = servicaja_core::api::Problem::new(ErrorCode::ALL[*code], "rechazado");
            problem.attempts_left = *attempts;
            Event::Central { request, answer: Err(Failure::Refused(problem)) }
        }
        Step::NoAnswer => Event::Central { request, answer: Err(Failure::NoAnswer) },
        Step::Activity => Event::Activity,
        Step::Fire(timer) => {
            if let Some(at) = k.timers.remove(timer)
                && at > k.now
            {
                k.now = at;
            }
            Event::TimerFired(*timer)
        }
        Step::Advance(seconds) => {
            k.advance(i64::from(*seconds));
            return;
        }
    };
    k.send(event);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn no_event_sequence_panics_and_terminar_always_wipes(steps in prop::collection::vec(step(), 1..80)) {
        let replies = replies();
        let mut k = Kiosk::new();
        for step in &steps {
            apply(&mut k, step, &replies);
            if !k.session.is_active() {
                prop_assert!(!k.session.holds_secrets(), "secrets outside a session after {step:?}");
                prop_assert!(k.session.customer().is_none());
                prop_assert!(k.session.countdown_until().is_none());
            }
            // Terminar from wherever we are.
            let mut probe = Kiosk { session: k.session.clone(), ..Kiosk::new() };
            probe.now = k.now;
            let was_active = probe.session.is_active();
            probe.ui(Action::Terminate);
            prop_assert!(!probe.session.is_active(), "Terminar left {:?}", probe.screen());
            prop_assert!(!probe.session.holds_secrets());
            prop_assert_eq!(probe.ended(), was_active);
        }
        prop_assert!(!k.any_effect_shows(CARD), "a full card number reached an effect");
    }
}

#[test]
fn terminar_from_every_screen_of_the_scripted_flows() {
    // A long scripted walk through several flows; after every single event a copy of the session is told
    // "Terminar" and must come back to the attract screen with nothing left in memory.
    let replies = replies();
    let script: Vec<Step> = vec![
        Step::Swipe,
        Step::Document,
        Step::Ui(Action::Key(Key::Digit(4))),
        Step::Ui(Action::Key(Key::Digit(8))),
        Step::Ui(Action::Key(Key::Digit(2))),
        Step::Ui(Action::Key(Key::Digit(9))),
        Step::Ui(Action::Key(Key::Digit(1))),
        Step::Ui(Action::Key(Key::Digit(5))),
        Step::Ui(Action::Confirm),
        Step::Reply(0),
        Step::Ui(Action::Menu(MenuItem::PayLoans)),
        Step::Reply(4),
        Step::Ui(Action::Select(0)),
        Step::Ui(Action::PaymentOption(PaymentOption::Advance)),
        Step::Ui(Action::Key(Key::Digit(5))),
        Step::Ui(Action::Confirm),
        Step::Reply(1),
        Step::Ui(Action::Select(0)),
        Step::Reply(7),
        Step::Ui(Action::Confirm),
        Step::Reply(8),
        Step::Ui(Action::Confirm),
        Step::Ui(Action::Deliver(DeliveryChoice::Both)),
        Step::Printed(PrintOutcome::Printed),
        Step::Ui(Action::Key(Key::Char('a'))),
        Step::Ui(Action::Back),
        Step::Ui(Action::Back),
        Step::Ui(Action::Menu(MenuItem::InternetPurchases)),
        Step::Reply(1),
        Step::Ui(Action::Affiliate),
        Step::Ui(Action::Select(0)),
        Step::Ui(Action::Confirm),
        Step::Reply(9),
        Step::Ui(Action::Key(Key::Digit(1))),
        Step::Fire(Timer::Idle),
        Step::Ui(Action::MoreTime),
        Step::Ui(Action::Back),
        Step::Ui(Action::Menu(MenuItem::Certificates)),
        Step::Reply(5),
        Step::Ui(Action::AllLoans),
        Step::Reply(11),
        Step::Ui(Action::Confirm),
        Step::Ui(Action::ShowQr),
        Step::Ui(Action::Confirm),
        Step::Ui(Action::Menu(MenuItem::Requests)),
        Step::Ui(Action::RequestKind(RequestKind::AddressChange)),
        Step::Ui(Action::Confirm),
        Step::Reply(12),
        Step::Ui(Action::Menu(MenuItem::Information)),
        Step::Ui(Action::InfoTopic(InfoTopic::TechoPropioBond)),
    ];
    let mut k = Kiosk::new();
    let mut active_states = 0;
    for step in &script {
        apply(&mut k, step, &replies);
        let mut probe = Kiosk { session: k.session.clone(), ..Kiosk::new() };
        probe.now = k.now;
        if probe.session.is_active() {
            active_states += 1;
            probe.ui(Action::Terminate);
            assert_eq!(probe.screen(), &servicaja_session::Screen::Attract, "after {step:?}");
            assert!(probe.ended(), "after {step:?}");
            assert!(!probe.session.holds_secrets(), "after {step:?}");
        }
    }
    assert!(active_states > 40, "the script must walk through the flows ({active_states} active states)");
}
