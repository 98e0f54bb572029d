//! R1 identification: swipe or typed card, read or typed DNI, shuffled clave keypad, wrong clave and
//! locked card.

use servicaja_core::api::ErrorCode;
use servicaja_session::secret::{CardNumberError, DniError};
use servicaja_session::state::{Identify, IdentifyStep, InputError, Notice, Purpose, Screen, Then};
use servicaja_session::{Action, Effect, EndReason, Event, JournalEntry, Query, Reader, SessionConfig, Timer};

use crate::harness::*;

fn clave_step(kiosk: &Kiosk) -> (servicaja_session::ShuffledKeypad, usize, Option<u32>) {
    match kiosk.screen() {
        Screen::Identify(Identify { step: IdentifyStep::Clave { keypad, entered, attempts_left, .. }, .. }) => {
            (*keypad, *entered, *attempts_left)
        }
        other => panic!("expected the clave step, got {other:?}"),
    }
}

#[test]
fn swipe_dni_and_clave_open_the_session_without_leaking_secrets() {
    let mut k = Kiosk::new();
    k.swipe();
    assert!(matches!(
        k.screen(),
        Screen::Identify(Identify { purpose: Purpose::Login, step: IdentifyStep::Dni { masked_card, keyed: false, .. } })
            if masked_card == "**** **** **** 1111"
    ));
    assert!(
        k.effects
            .contains(&Effect::Journal(JournalEntry::SessionStarted { masked_card: "**** **** **** 1111".into() }))
    );
    assert!(k.effects.iter().any(|e| matches!(e, Effect::StartTimer { timer: Timer::Idle, .. })));
    k.show_dni();
    let (_, entered, attempts) = clave_step(&k);
    assert_eq!((entered, attempts), (0, None));
    k.keys("4829");
    assert_eq!(clave_step(&k).1, 4);
    k.ui(Action::Confirm); // four digits: not yet
    assert_eq!(clave_step(&k).1, 4);
    k.keys("15");
    k.ui(Action::Confirm);
    let query = k.queries().into_iter().next().cloned().expect("open-session query");
    match &query {
        Query::OpenSession { card, dni, clave } => {
            assert_eq!(card.expose_digits(), CARD);
            assert_eq!(dni.as_str(), DNI);
            assert_eq!(clave.expose(), CLAVE);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(matches!(k.screen(), Screen::Identify(Identify { step: IdentifyStep::Verifying { .. }, .. })));
    k.answer(servicaja_session::Reply::SessionOpened(session_opened()));
    assert_eq!(k.screen(), &Screen::Menu);
    assert_eq!(k.session.customer().map(|c| c.name.as_str()), Some("JESUS"));
    assert_eq!(k.session.masked_card(), Some("**** **** **** 1111"));
    assert!(!k.any_effect_shows(CARD), "full card number in an effect's Debug");
    assert!(!k.any_effect_shows(CLAVE), "clave in an effect's Debug");
    assert!(!k.any_effect_shows("tok-secret-123"), "token in an effect's Debug");
    assert!(!format!("{:?}", k.session).contains(CARD));
}

#[test]
fn each_clave_entry_gets_a_fresh_shuffle_and_wrong_claves_count_down_to_the_counter() {
    let mut k = Kiosk::new();
    k.swipe();
    k.show_dni();
    let (first, _, _) = clave_step(&k);
    k.keys("111111");
    k.ui(Action::Confirm);
    k.refuse(ErrorCode::ClaveInvalid, Some(2));
    let (second, entered, attempts) = clave_step(&k);
    assert_eq!((entered, attempts), (0, Some(2)));
    assert_ne!(first, second, "the keypad must be shuffled again");
    k.keys("222222");
    k.ui(Action::Confirm);
    k.refuse(ErrorCode::ClaveInvalid, Some(1));
    assert_eq!(clave_step(&k).2, Some(1));
    k.keys("333333");
    k.ui(Action::Confirm);
    k.refuse(ErrorCode::ClaveInvalid, Some(0));
    assert_eq!(k.screen(), &Screen::Notice { notice: Notice::CardLocked, then: Then::End });
    assert!(k.effects.iter().any(
        |e| matches!(e, Effect::Journal(JournalEntry::IdentificationRefused { code, .. }) if code == "clave_invalid")
    ));
    k.ui(Action::Confirm);
    assert_eq!(k.screen(), &Screen::Attract);
    assert!(k.ended());
    assert!(!k.session.holds_secrets());
}

#[test]
fn a_locked_card_goes_to_the_counter() {
    let mut k = Kiosk::new();
    k.swipe();
    k.show_dni();
    k.keys(CLAVE);
    k.ui(Action::Confirm);
    k.refuse(ErrorCode::CardLocked, None);
    assert_eq!(k.screen(), &Screen::Notice { notice: Notice::CardLocked, then: Then::End });
}

#[test]
fn a_dni_that_does_not_match_the_card_asks_for_the_dni_again() {
    let mut k = Kiosk::new();
    k.swipe();
    k.show_dni();
    k.keys(CLAVE);
    k.ui(Action::Confirm);
    k.refuse(ErrorCode::CardNotRecognized, None);
    assert!(matches!(
        k.screen(),
        Screen::Identify(Identify { step: IdentifyStep::Dni { error: Some(InputError::IdentityMismatch), .. }, .. })
    ));
}

#[test]
fn no_answer_to_the_login_says_the_service_is_unavailable_and_ends() {
    let mut k = Kiosk::new();
    k.swipe();
    k.show_dni();
    k.keys(CLAVE);
    k.ui(Action::Confirm);
    k.fire(Timer::Interactive);
    assert_eq!(k.screen(), &Screen::Notice { notice: Notice::ServiceUnavailable, then: Then::End });
    k.ui(Action::Confirm);
    assert_eq!(k.screen(), &Screen::Attract);
    assert!(!k.session.holds_secrets());
}

#[test]
fn a_typed_card_is_luhn_checked_and_shown_masked_while_typing() {
    let mut k = Kiosk::new();
    k.ui(Action::TypeInstead);
    assert!(matches!(k.screen(), Screen::Identify(Identify { step: IdentifyStep::Card { keyed: true, .. }, .. })));
    k.keys("4111111111111112");
    assert_eq!(k.session.keyed_card_preview(), "•••• •••• •••• 1112");
    k.ui(Action::Confirm);
    assert!(matches!(
        k.screen(),
        Screen::Identify(Identify {
            step: IdentifyStep::Card {
                error: Some(InputError::CardNumber(CardNumberError::LuhnMismatch)),
                typed: 0,
                ..
            },
            ..
        })
    ));
    k.keys(CARD);
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::Identify(Identify { step: IdentifyStep::Dni { .. }, .. })));
    assert!(!k.any_effect_shows(CARD));
}

#[test]
fn typing_the_card_is_refused_when_not_configured() {
    let config = SessionConfig { allow_keyed_card: false, ..SessionConfig::default() };
    let mut k = Kiosk::with_config(config);
    k.ui(Action::TypeInstead);
    assert_eq!(k.screen(), &Screen::Attract);
    k.ui(Action::Confirm);
    k.ui(Action::TypeInstead);
    assert!(matches!(k.screen(), Screen::Identify(Identify { step: IdentifyStep::Card { keyed: false, .. }, .. })));
}

#[test]
fn a_typed_dni_needs_its_check_character_in_digit_or_letter_form() {
    for (typed, ok) in [("101174102", true), ("10117410g", true), ("101174103", false)] {
        let mut k = Kiosk::new();
        k.swipe();
        k.ui(Action::TypeInstead);
        k.keys(typed);
        k.ui(Action::Confirm);
        let step = match k.screen() {
            Screen::Identify(Identify { step, .. }) => step.clone(),
            other => panic!("{other:?}"),
        };
        if ok {
            assert!(matches!(step, IdentifyStep::Clave { .. }), "{typed}: {step:?}");
        } else {
            assert!(
                matches!(step, IdentifyStep::Dni { error: Some(InputError::Dni(DniError::CheckMismatch { .. })), .. }),
                "{typed}: {step:?}"
            );
        }
    }
}

#[test]
fn unreadable_media_and_a_failing_reader_are_explained() {
    let mut k = Kiosk::new();
    k.ui(Action::Confirm);
    k.send(Event::InvalidMedia(Reader::Card));
    assert!(matches!(
        k.screen(),
        Screen::Identify(Identify { step: IdentifyStep::Card { error: Some(InputError::InvalidCard), .. }, .. })
    ));
    k.swipe();
    k.send(Event::InvalidMedia(Reader::Document));
    assert!(matches!(
        k.screen(),
        Screen::Identify(Identify { step: IdentifyStep::Dni { error: Some(InputError::InvalidDocument), .. }, .. })
    ));
    // The document reader fails mid-flow: typing the DNI is offered at once.
    k.send(Event::Device {
        device: servicaja_session::Device::DocumentReader,
        status: servicaja_session::DeviceStatus::HardwareError,
    });
    assert!(matches!(
        k.screen(),
        Screen::Identify(Identify {
            step: IdentifyStep::Dni { keyed: true, error: Some(InputError::ReaderUnavailable), .. },
            ..
        })
    ));
}

#[test]
fn a_failing_card_reader_without_keyed_entry_ends_the_session() {
    let config = SessionConfig { allow_keyed_card: false, ..SessionConfig::default() };
    let mut k = Kiosk::with_config(config);
    k.ui(Action::Confirm);
    k.send(Event::Device {
        device: servicaja_session::Device::CardReader,
        status: servicaja_session::DeviceStatus::Offline,
    });
    assert_eq!(
        k.screen(),
        &Screen::Notice { notice: Notice::DeviceFailed(servicaja_session::Device::CardReader), then: Then::End }
    );
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::OutOfService { .. }), "no card reader and no keyed card: out of service");
    assert!(k.all.iter().any(|e| matches!(e, Effect::SessionEnded { reason: EndReason::Finished })));
}

#[test]
fn back_walks_the_identification_steps_backwards_and_wipes() {
    let mut k = Kiosk::new();
    k.swipe();
    k.show_dni();
    k.keys("12");
    k.ui(Action::Back);
    assert!(matches!(k.screen(), Screen::Identify(Identify { step: IdentifyStep::Dni { .. }, .. })));
    k.ui(Action::Back);
    assert!(matches!(k.screen(), Screen::Identify(Identify { step: IdentifyStep::Card { .. }, .. })));
    assert_eq!(k.session.masked_card(), None);
    k.ui(Action::Back);
    assert_eq!(k.screen(), &Screen::Attract);
    assert!(!k.session.holds_secrets());
}
