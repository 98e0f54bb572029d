//! Balances, constancia de no adeudo (R10), requests (R11), clave enrollment (R12), información (R13) and
//! the out-of-service screen.

use servicaja_core::api::{ErrorCode, RequestKind};
use servicaja_core::disclosures::OutOfRange;
use servicaja_core::money::Currency;
use servicaja_session::state::{
    Balances, Certificates, Enrollment, Identify, IdentifyStep, Information, InputError, Lookup, Notice,
    OutOfServiceReason, Purpose, Requests, Screen, Then,
};
use servicaja_session::{
    Action, Command, DeliveryChoice, Device, DeviceStatus, Document, Effect, Event, InfoTopic, JournalEntry, Key,
    MenuItem, PrintOutcome, Query, Reply, SessionConfig, Timer,
};

use crate::harness::*;

#[test]
fn balances_movements_and_a_printed_slip() {
    let mut k = Kiosk::new();
    k.login();
    k.ui(Action::Menu(MenuItem::Balances));
    k.answer(Reply::Accounts(accounts()));
    k.ui(Action::Select(0));
    assert_eq!(k.queries(), vec![&Query::Movements { account_id: "A1".into() }]);
    k.answer(Reply::Movements(movements()));
    assert!(matches!(k.screen(), Screen::Balances(Balances::Movements { movements, .. }) if movements.len() == 1));
    k.ui(Action::Deliver(DeliveryChoice::Print));
    let job = k
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Print { job, document: Document::BalanceSlip { masked_card, customer_name, .. } } => {
                assert_eq!(masked_card, "**** **** **** 1111");
                assert_eq!(customer_name, "JESUS", "the slip carries the name the central's profile gives");
                Some(*job)
            }
            _ => None,
        })
        .expect("a balance slip print job");
    k.send(Event::Printed { job, outcome: PrintOutcome::Printed });
    assert_eq!(
        k.screen(),
        &Screen::Notice { notice: Notice::Delivered { printed: true, emailed_to: None }, then: Then::Another }
    );
}

/// From a signed-in kiosk to the first account's movements.
fn to_movements(k: &mut Kiosk) {
    k.ui(Action::Menu(MenuItem::Balances));
    k.answer(Reply::Accounts(accounts()));
    k.ui(Action::Select(0));
    k.answer(Reply::Movements(movements()));
}

/// The movements screen's main button raises Confirm (ui/payment.slint): it prints the slip, and while the
/// printer cannot print it offers the slip by email instead.
#[test]
fn confirm_on_the_movements_prints_the_slip_or_offers_email_without_a_printer() {
    let mut k = Kiosk::new();
    k.login();
    to_movements(&mut k);
    k.ui(Action::Confirm);
    let job = k
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Print { job, document: Document::BalanceSlip { .. } } => Some(*job),
            _ => None,
        })
        .expect("Confirm prints the balance slip");
    k.send(Event::Printed { job, outcome: PrintOutcome::Printed });
    assert_eq!(
        k.screen(),
        &Screen::Notice { notice: Notice::Delivered { printed: true, emailed_to: None }, then: Then::Another }
    );

    let mut k = Kiosk::new();
    k.send(Event::Paper(servicaja_session::PaperStatus::Out));
    k.login();
    to_movements(&mut k);
    k.ui(Action::Confirm);
    assert!(!k.effects.iter().any(|e| matches!(e, Effect::Print { .. })), "nothing is sent to a printer without paper");
    assert!(
        matches!(k.screen(), Screen::Delivery(d) if matches!(d.stage, servicaja_session::state::DeliveryStage::EmailChoice { .. })
            && matches!(d.document, Document::BalanceSlip { .. })),
        "the slip is offered by email: {:?}",
        k.screen()
    );
    // "Otro correo": another address than the registered one.
    k.ui(Action::TypeInstead);
    k.keys("ana@caja.pe");
    k.ui(Action::Confirm);
    assert!(k.submits().iter().any(
        |(c, _)| matches!(c, Command::EmailDocument { to, document: Document::BalanceSlip { .. } } if to == "ana@caja.pe")
    ));
    assert!(matches!(k.screen(), Screen::Notice { notice: Notice::Delivered { printed: false, .. }, .. }));
}

#[test]
fn every_problem_code_on_a_read_ends_on_a_notice_never_stuck() {
    for code in ErrorCode::ALL {
        let mut k = Kiosk::new();
        k.login();
        k.ui(Action::Menu(MenuItem::Balances));
        k.refuse(code, None);
        assert!(matches!(k.screen(), Screen::Notice { .. }), "{code:?}: {:?}", k.screen());
        k.ui(Action::Confirm);
        assert!(matches!(k.screen(), Screen::Menu | Screen::Attract), "{code:?}: {:?}", k.screen());
    }
}

#[test]
fn no_debt_for_specific_cancelled_loans_or_all_of_them() {
    let mut k = Kiosk::new();
    k.login();
    k.ui(Action::Menu(MenuItem::Certificates));
    k.answer(Reply::Loans(vec![cancelled_loan("C1"), loan("L1", Currency::PEN, 0, true)]));
    // A loan is still owed: "todos" is not offered (the screen shows it disabled), and a stray touch changes
    // nothing: no request, no dead-end notice.
    k.ui(Action::AllLoans);
    assert!(k.submits().is_empty());
    assert!(matches!(k.screen(), Screen::Certificates(Certificates::Choose { refused: None, .. })));
    k.ui(Action::Select(1)); // a current loan cannot be ticked
    k.ui(Action::Confirm);
    assert!(k.submits().is_empty());
    k.ui(Action::Select(0));
    assert!(
        matches!(k.screen(), Screen::Certificates(Certificates::Choose { selected, .. }) if selected == &[true, false])
    );
    k.ui(Action::Confirm);
    assert!(matches!(
        k.submits().as_slice(),
        [(Command::NoDebtCertificate(request), true)] if request.loan_ids == ["C1"]
    ));
    k.answer(Reply::NoDebt(no_debt(false)));
    k.ui(Action::Confirm);
    k.ui(Action::Deliver(DeliveryChoice::None));
    // "¿Desea realizar otra operación?" → Sí.
    k.ui(Action::Confirm);
    assert_eq!(k.screen(), &Screen::Menu);
    // Every loan cancelled: "todos mis créditos" asks for all (an empty list).
    k.ui(Action::Menu(MenuItem::Certificates));
    k.answer(Reply::Loans(vec![cancelled_loan("C1"), cancelled_loan("C2")]));
    k.ui(Action::AllLoans);
    assert!(matches!(k.submits().as_slice(), [(Command::NoDebtCertificate(r), true)] if r.loan_ids.is_empty()));
    k.refuse(ErrorCode::LoansNotCancelled, None);
    assert!(
        matches!(
            k.screen(),
            Screen::Certificates(Certificates::Choose { refused: Some((ErrorCode::LoansNotCancelled, _)), loans, .. })
                if loans.len() == 2
        ),
        "a refusal returns to the choice with its reason: {:?}",
        k.screen()
    );
}

/// Issue 18: "Todos" used to be offered with loans still active, refused, and Aceptar then left the
/// customer on the main menu. Now it is not taken while a loan is active, and any refusal of the central
/// returns to the choice (with its reason), where the customer can pick the cancelled loans.
#[test]
fn a_refused_no_debt_constancia_returns_to_the_choice() {
    let mut k = Kiosk::new();
    k.login();
    k.ui(Action::Menu(MenuItem::Certificates));
    k.answer(Reply::Loans(vec![cancelled_loan("C1"), loan("L1", Currency::PEN, 0, true)]));
    k.ui(Action::Select(0));
    k.ui(Action::Confirm);
    k.refuse(ErrorCode::NoCancelledLoans, None);
    match k.screen() {
        Screen::Certificates(Certificates::Choose { refused: Some((code, _)), selected, .. }) => {
            assert_eq!(*code, ErrorCode::NoCancelledLoans);
            assert_eq!(selected, &[true, false], "the choice is kept");
        }
        other => panic!("{other:?}"),
    }
    k.ui(Action::Confirm);
    assert!(matches!(k.submits().as_slice(), [(Command::NoDebtCertificate(r), true)] if r.loan_ids == ["C1"]));
    assert!(matches!(k.screen(), Screen::Certificates(Certificates::Processing { .. })), "{:?}", k.screen());
}

#[test]
fn a_request_gets_a_ticket_with_its_deadline() {
    let mut k = Kiosk::new();
    k.login();
    k.ui(Action::Menu(MenuItem::Requests));
    k.ui(Action::RequestKind(RequestKind::AddressChange));
    assert_eq!(
        k.screen(),
        &Screen::Requests(Requests::Confirm { kind: RequestKind::AddressChange, detail: String::new() })
    );
    k.keys("Calle Zela 45");
    k.ui(Action::Key(Key::Char(' ')));
    k.ui(Action::Key(Key::Char('(')));
    k.keys("Tacna");
    k.ui(Action::Key(Key::Char(')')));
    k.ui(Action::Key(Key::Char(' ')));
    assert_eq!(
        k.screen(),
        &Screen::Requests(Requests::Confirm {
            kind: RequestKind::AddressChange,
            detail: "Calle Zela 45 (Tacna) ".into()
        })
    );
    k.ui(Action::Confirm);
    assert!(
        matches!(k.submits().as_slice(), [(Command::FileRequest(r), true)]
            if r.kind == RequestKind::AddressChange && r.detail == "Calle Zela 45 (Tacna)"),
        "the detail is sent, trimmed: {:?}",
        k.submits()
    );
    k.answer(Reply::RequestFiled(ticket(RequestKind::AddressChange)));
    let owed = k.effects.iter().find_map(|e| match e {
        Effect::Journal(JournalEntry::Operation { document: Some(document), .. }) => Some((**document).clone()),
        _ => None,
    });
    assert!(
        matches!(&owed, Some(Document::RequestTicket { ticket, customer_name })
            if ticket.kind == RequestKind::AddressChange && customer_name == "JESUS"),
        "the request's record carries the ticket it owes: {owed:?}"
    );
    match k.screen() {
        Screen::Requests(Requests::Filed { ticket }) => assert_eq!(ticket.deadline.to_string(), "2026-12-14"),
        other => panic!("{other:?}"),
    }
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::Delivery(d) if Some(&d.document) == owed.as_ref()));
}

#[test]
fn a_request_detail_stops_at_its_limit_and_back_discards_it() {
    let mut k = Kiosk::new();
    k.login();
    k.ui(Action::Menu(MenuItem::Requests));
    k.ui(Action::RequestKind(RequestKind::GuaranteeRelease));
    for _ in 0..(servicaja_session::state::REQUEST_DETAIL_MAX + 20) {
        k.ui(Action::Key(Key::Char('á')));
    }
    let Screen::Requests(Requests::Confirm { detail, .. }) = k.screen() else { panic!("{:?}", k.screen()) };
    assert_eq!(detail.chars().count(), servicaja_session::state::REQUEST_DETAIL_MAX);
    k.ui(Action::Key(Key::Clear));
    assert!(matches!(k.screen(), Screen::Requests(Requests::Confirm { detail, .. }) if detail.is_empty()));
    k.keys("x");
    k.ui(Action::Back);
    k.ui(Action::RequestKind(RequestKind::GuaranteeRelease));
    assert!(matches!(k.screen(), Screen::Requests(Requests::Confirm { detail, .. }) if detail.is_empty()));
}

#[test]
fn a_request_without_an_answer_stays_queued_and_the_customer_is_told() {
    let mut k = Kiosk::new();
    k.login();
    k.ui(Action::Menu(MenuItem::Requests));
    k.ui(Action::RequestKind(RequestKind::PremiumRefund));
    k.ui(Action::Confirm);
    k.fire(Timer::Interactive);
    assert_eq!(
        k.screen(),
        &Screen::Notice { notice: Notice::RequestQueued { kind: RequestKind::PremiumRefund }, then: Then::Menu }
    );
}

#[test]
fn out_of_service_still_offers_information_and_offline_requests() {
    let mut k = Kiosk::new();
    k.send(Event::Host { reachable: false });
    assert_eq!(k.screen(), &Screen::OutOfService { reasons: vec![OutOfServiceReason::HostUnreachable] });
    k.swipe();
    assert!(matches!(k.screen(), Screen::OutOfService { .. }), "no session while out of service");
    k.ui(Action::Menu(MenuItem::Requests));
    assert_eq!(k.screen(), &Screen::Requests(Requests::Choose { offline: true }));
    k.ui(Action::RequestKind(RequestKind::GuaranteeRelease));
    k.keys("10117410G");
    k.ui(Action::Confirm);
    match k.submits().as_slice() {
        [(Command::FileOfflineRequest { kind, dni, filed_at }, false)] => {
            assert_eq!((*kind, dni.as_str(), *filed_at), (RequestKind::GuaranteeRelease, DNI, k.now))
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(k.screen(), Screen::Notice { notice: Notice::RequestQueued { .. }, then: Then::End }));
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::OutOfService { .. }));
    k.ui(Action::Menu(MenuItem::Information));
    assert_eq!(k.screen(), &Screen::Information(Information::Topics));
    k.ui(Action::Back);
    assert!(matches!(k.screen(), Screen::OutOfService { .. }));
    k.send(Event::Host { reachable: true });
    assert_eq!(k.screen(), &Screen::Attract);
}

#[test]
fn devices_the_kiosk_cannot_work_without_and_the_technicians_switch() {
    let config = SessionConfig { allow_keyed_card: false, ..SessionConfig::default() };
    let mut k = Kiosk::with_config(config);
    k.send(Event::Device { device: Device::Printer, status: DeviceStatus::HardwareError });
    assert_eq!(k.screen(), &Screen::Attract, "the printer is not essential");
    k.send(Event::Device { device: Device::CardReader, status: DeviceStatus::NoDevice });
    assert_eq!(
        k.screen(),
        &Screen::OutOfService {
            reasons: vec![OutOfServiceReason::Device { device: Device::CardReader, status: DeviceStatus::NoDevice }]
        }
    );
    k.send(Event::Device { device: Device::CardReader, status: DeviceStatus::Online });
    let typed = servicaja_session::SwitchOffReason::typed("  Cambio de rollo\n ").unwrap();
    k.send(Event::ServiceSwitch { out_of_service: Some(typed.clone()) });
    assert_eq!(k.screen(), &Screen::OutOfService { reasons: vec![OutOfServiceReason::SwitchedOff(typed)] });
    assert_eq!(
        k.session.health().switched_off,
        Some(servicaja_session::SwitchOffReason::Other("Cambio de rollo".into()))
    );
    let fault = servicaja_session::SwitchOffReason::ConnectionFault;
    k.send(Event::ServiceSwitch { out_of_service: Some(fault.clone()) });
    assert_eq!(k.screen(), &Screen::OutOfService { reasons: vec![OutOfServiceReason::SwitchedOff(fault)] });
    k.send(Event::ServiceSwitch { out_of_service: None });
    assert_eq!(k.screen(), &Screen::Attract);
}

#[test]
fn a_typed_switch_off_reason_is_cleaned_and_bounded_and_an_empty_one_refused() {
    use servicaja_session::SwitchOffReason;
    assert_eq!(SwitchOffReason::typed("   \t\n"), None);
    assert_eq!(
        SwitchOffReason::typed(" Obra en la agencia "),
        Some(SwitchOffReason::Other("Obra en la agencia".into()))
    );
    assert_eq!(SwitchOffReason::typed("a\u{7}b"), Some(SwitchOffReason::Other("ab".into())));
    let long = "ñ".repeat(200);
    match SwitchOffReason::typed(&long) {
        Some(SwitchOffReason::Other(text)) => assert_eq!(text.chars().count(), SwitchOffReason::MAX_TYPED),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_host_going_down_mid_session_does_not_interrupt_the_customer() {
    let mut k = Kiosk::new();
    k.login();
    k.send(Event::Host { reachable: false });
    assert_eq!(k.screen(), &Screen::Menu);
    k.ui(Action::Terminate);
    assert!(matches!(k.screen(), Screen::OutOfService { .. }));
}

#[test]
fn maintenance_waits_for_the_customer_and_the_next_one_finds_the_kiosk_out_of_service() {
    let mut k = Kiosk::new();
    k.login();
    k.send(Event::Maintenance { active: true });
    assert_eq!(k.screen(), &Screen::Menu, "the customer being served is never interrupted");
    k.ui(Action::Terminate);
    assert_eq!(k.screen(), &Screen::OutOfService { reasons: vec![OutOfServiceReason::Maintenance] });
    k.swipe();
    assert!(matches!(k.screen(), Screen::OutOfService { .. }), "no new customer session while in maintenance");
    k.send(Event::Maintenance { active: false });
    assert_eq!(k.screen(), &Screen::Attract);
}

#[test]
fn clave_enrollment_with_questions_new_clave_twice_and_the_sms_code() {
    let mut k = Kiosk::new();
    k.ui(Action::CreateClave);
    assert!(matches!(
        k.screen(),
        Screen::Identify(Identify { purpose: Purpose::Enrollment, step: IdentifyStep::Card { .. } })
    ));
    k.swipe();
    k.show_dni();
    assert!(matches!(k.queries().as_slice(), [Query::StartEnrollment { .. }]));
    k.answer(Reply::EnrollmentStarted(enrollment_started()));
    assert!(
        matches!(k.screen(), Screen::Enrollment(Enrollment::Questions { attempts_left: None, .. })),
        "no wrong answers (nor attempts) are shown before the first answer: {:?}",
        k.screen()
    );
    k.ui(Action::Answer(1));
    k.ui(Action::Answer(2));
    k.ui(Action::Confirm); // one question unanswered
    assert!(k.submits().is_empty());
    k.ui(Action::Answer(0));
    k.ui(Action::Confirm);
    match k.submits().as_slice() {
        [(Command::AnswerEnrollment { enrollment_id, answers }, true)] => {
            assert_eq!(enrollment_id, "E-1");
            let chosen: Vec<_> = answers.answers.iter().map(|a| (a.question_id.as_str(), a.option)).collect();
            assert_eq!(chosen, [("q1", 1), ("q2", 2), ("q3", 0)]);
        }
        other => panic!("{other:?}"),
    }
    k.refuse(ErrorCode::EnrollmentAnswersWrong, Some(2));
    assert!(matches!(
        k.screen(),
        Screen::Enrollment(Enrollment::Questions { attempts_left: Some(2), current: 0, answers, .. }) if answers.iter().all(Option::is_none)
    ));
    for option in [1, 2, 0] {
        k.ui(Action::Answer(option));
    }
    k.ui(Action::Confirm);
    k.answer(Reply::EnrollmentVerified(enrollment_verified()));
    assert!(matches!(k.screen(), Screen::Enrollment(Enrollment::NewClave { confirming: false, .. })));
    k.keys("123456");
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::Enrollment(Enrollment::NewClave { error: Some(InputError::WeakClave), .. })));
    k.keys(CLAVE);
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::Enrollment(Enrollment::NewClave { confirming: true, entered: 0, .. })));
    k.keys("482916");
    k.ui(Action::Confirm);
    assert!(matches!(
        k.screen(),
        Screen::Enrollment(Enrollment::NewClave { confirming: false, error: Some(InputError::ClavesDiffer), .. })
    ));
    k.keys(CLAVE);
    k.ui(Action::Confirm);
    k.keys(CLAVE);
    k.ui(Action::Confirm);
    match k.screen() {
        Screen::Enrollment(Enrollment::Code { entry, .. }) => {
            assert_eq!(entry.masked_phone, "95*****480");
            assert!(entry.resend_possible, "an enrollment code can be resent, as an affiliation code");
            assert_eq!(entry.valid_minutes, 5, "the central's expires_at: five minutes");
        }
        other => panic!("{other:?}"),
    }
    k.keys("777111");
    k.ui(Action::Confirm);
    match k.effects.iter().find(|e| matches!(e, Effect::Submit { .. })) {
        Some(Effect::Submit { command: Command::SetClave { enrollment_id }, credentials, .. }) => {
            assert_eq!(enrollment_id, "E-1");
            assert_eq!(credentials.new_clave.as_ref().map(|c| c.expose()), Some(CLAVE));
            assert_eq!(credentials.otp.as_ref().map(|c| c.expose()), Some("777111"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!k.any_effect_shows(CLAVE) && !k.any_effect_shows("777111"));
    k.answer(Reply::ClaveSet(enrollment_completed()));
    assert_eq!(k.screen(), &Screen::Notice { notice: Notice::ClaveCreated, then: Then::End });
    k.ui(Action::Confirm);
    assert_eq!(k.screen(), &Screen::Attract);
    assert!(!k.session.holds_secrets());
}

#[test]
fn three_failed_rounds_block_enrollment() {
    for (code, attempts) in [(ErrorCode::EnrollmentAnswersWrong, Some(0)), (ErrorCode::EnrollmentBlocked, None)] {
        let mut k = Kiosk::new();
        k.ui(Action::CreateClave);
        k.swipe();
        k.show_dni();
        k.answer(Reply::EnrollmentStarted(enrollment_started()));
        for option in [0, 0, 0] {
            k.ui(Action::Answer(option));
        }
        k.ui(Action::Confirm);
        k.refuse(code, attempts);
        assert_eq!(k.screen(), &Screen::Notice { notice: Notice::EnrollmentBlocked, then: Then::End }, "{code:?}");
    }
}

#[test]
fn information_tables_and_the_bond_calculator() {
    let mut k = Kiosk::new();
    k.ui(Action::Menu(MenuItem::Information));
    k.ui(Action::InfoTopic(InfoTopic::PaymentChannels));
    assert_eq!(k.screen(), &Screen::Information(Information::Table(InfoTopic::PaymentChannels)));
    k.ui(Action::Back);
    k.ui(Action::InfoTopic(InfoTopic::MiViviendaBond));
    k.keys("150000");
    k.ui(Action::Confirm);
    assert!(
        matches!(
            k.screen(),
            Screen::Information(Information::Calculator { value: Some(v), result: None, .. }) if *v == pen("150000")
        ),
        "without tables the value is kept and no result is invented"
    );
    k.ui(Action::Back);
    k.ui(Action::Back);
    assert_eq!(k.screen(), &Screen::Attract);
}

#[test]
fn the_calculators_answer_from_core_disclosure_tables() {
    let tables = servicaja_core::disclosures::Disclosures::embedded().expect("embedded tables");
    let mut k = Kiosk::with_config(SessionConfig::default().with_disclosures(tables));
    k.ui(Action::Menu(MenuItem::Information));
    k.ui(Action::InfoTopic(InfoTopic::MiViviendaBond));
    k.keys("150000");
    k.ui(Action::Confirm);
    match k.screen() {
        Screen::Information(Information::Calculator { result: Some(Lookup::MiVivienda { bbp, bms }), .. }) => {
            assert_eq!(bbp.as_ref().map(|a| a.amount), Ok(pen("20500")));
            let bms = bms.as_ref().expect("a sustainable bond");
            assert!(bms.amount.amount > pen("20500").amount, "BMS adds to the BBP");
        }
        other => panic!("{other:?}"),
    }
    k.ui(Action::Key(servicaja_session::Key::Clear));
    k.keys("5000");
    k.ui(Action::Confirm);
    assert!(matches!(
        k.screen(),
        Screen::Information(Information::Calculator {
            result: Some(Lookup::MiVivienda { bbp: Err(OutOfRange::BelowMinimum { .. }), .. }),
            ..
        })
    ));
    k.ui(Action::Back);
    k.ui(Action::InfoTopic(InfoTopic::TechoPropioBond));
    k.keys("120000");
    k.ui(Action::Confirm);
    assert!(
        matches!(
            k.screen(),
            Screen::Information(Information::Calculator {
                result: Some(Lookup::TechoPropio {
                    unifamiliar: Err(OutOfRange::AboveMaximum { .. }),
                    multifamiliar: Ok(_)
                }),
                ..
            })
        ),
        "{:?}",
        k.screen()
    );
    k.ui(Action::Back);
    k.ui(Action::InfoTopic(InfoTopic::MultiriskDeductibles));
    k.keys("20000");
    k.ui(Action::Confirm);
    assert!(
        matches!(
            k.screen(),
            Screen::Information(Information::Calculator { result: Some(Lookup::Deductible(Ok(_))), .. })
        ),
        "{:?}",
        k.screen()
    );
}

/// Issue 18: the enrollment's SMS code screen had no "Reenviar código"; it now resends as affiliation does,
/// after the same wait, through `POST /v1/enrollments/{id}/otp`, and the new code replaces the old.
#[test]
fn an_enrollment_code_can_be_resent_after_the_wait() {
    let mut k = Kiosk::new();
    k.ui(Action::CreateClave);
    k.swipe();
    k.show_dni();
    k.answer(Reply::EnrollmentStarted(enrollment_started()));
    for option in [1, 2, 0] {
        k.ui(Action::Answer(option));
    }
    k.ui(Action::Confirm);
    k.answer(Reply::EnrollmentVerified(enrollment_verified()));
    k.keys(CLAVE);
    k.ui(Action::Confirm);
    k.keys(CLAVE);
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::Enrollment(Enrollment::Code { .. })));
    k.ui(Action::ResendCode);
    assert!(k.queries().is_empty(), "not before the wait");
    k.fire(Timer::OtpResend);
    k.ui(Action::ResendCode);
    assert_eq!(k.queries(), vec![&Query::ResendEnrollmentCode { enrollment_id: "E-1".into() }]);
    k.answer(Reply::OtpSent(otp_sent("OTP-2")));
    match k.screen() {
        Screen::Enrollment(Enrollment::Code { entry, .. }) => assert_eq!(entry.otp_id, "OTP-2"),
        other => panic!("{other:?}"),
    }
    k.keys("777111");
    k.ui(Action::Confirm);
    assert!(matches!(k.submits().as_slice(), [(Command::SetClave { .. }, true)]));
    assert!(k.session.holds_secrets(), "the new clave is kept until the central answers");
}
