//! Compras por Internet (R2–R4): affiliation with the SMS code, resend after the wait, disaffiliation with
//! the explicit tick, refusals and the constancia.

use servicaja_core::api::{AffiliationOperation, ErrorCode, OtpPurpose};
use servicaja_session::state::{CodeEntry, DeliveryStage, InputError, Internet, Notice, Screen, Then};
use servicaja_session::{Action, Command, DeliveryChoice, Document, Effect, MenuItem, Query, Reply, Timer};

use crate::harness::*;

fn open(k: &mut Kiosk, accounts: Vec<servicaja_core::api::Account>) {
    k.login();
    k.ui(Action::Menu(MenuItem::InternetPurchases));
    assert_eq!(k.queries(), vec![&Query::Accounts]);
    k.answer(Reply::Accounts(accounts));
}

fn entry(k: &Kiosk) -> CodeEntry {
    match k.screen() {
        Screen::Internet(Internet::Code { entry, .. }) => entry.clone(),
        other => panic!("{other:?}"),
    }
}

fn to_code(k: &mut Kiosk) {
    open(k, accounts());
    k.ui(Action::Affiliate);
    k.ui(Action::Select(0));
    k.ui(Action::Confirm);
    k.answer(Reply::OtpSent(otp_sent("OTP-1")));
}

#[test]
fn affiliation_lists_only_active_individual_accounts_and_confirms_with_the_sms_code() {
    let mut k = Kiosk::new();
    open(&mut k, accounts());
    assert!(matches!(k.screen(), Screen::Internet(Internet::Menu { affiliated: None, .. })));
    k.ui(Action::Affiliate);
    match k.screen() {
        Screen::Internet(Internet::ChooseAccount { eligible, selected: None, .. }) => {
            let numbers: Vec<_> = eligible.iter().map(|a| a.id.as_str()).collect();
            assert_eq!(numbers, ["A1", "A4"], "joint and inactive accounts are not listed (R2)");
        }
        other => panic!("{other:?}"),
    }
    k.ui(Action::Confirm); // nothing selected yet
    assert!(k.queries().is_empty());
    k.ui(Action::Select(0));
    k.ui(Action::Confirm);
    assert_eq!(k.queries(), vec![&Query::RequestOtp { purpose: OtpPurpose::Affiliation }]);
    k.answer(Reply::OtpSent(otp_sent("OTP-1")));
    let e = entry(&k);
    assert_eq!(e.masked_phone, "95*****480");
    assert!(!e.resend_allowed);
    assert_eq!(e.resend_seconds_left(k.now), Some(30));
    assert_eq!(k.timers.get(&Timer::OtpResend), Some(&(t0() + chrono::Duration::seconds(30))));
    k.ui(Action::ResendCode); // too early
    assert!(k.queries().is_empty());
    k.keys("731");
    assert_eq!(entry(&k).entered, 3);
    k.ui(Action::Confirm); // three digits: not yet
    assert!(k.submits().is_empty());
    k.keys("904");
    k.ui(Action::Confirm);
    match k.effects.iter().find(|e| matches!(e, Effect::Submit { .. })) {
        Some(Effect::Submit {
            command: Command::Affiliate { account_id, otp_id },
            interactive: true,
            credentials,
            ..
        }) => {
            assert_eq!((account_id.as_str(), otp_id.as_str()), ("A1", "OTP-1"));
            assert_eq!(credentials.otp.as_ref().map(|o| o.expose()), Some("731904"));
        }
        other => panic!("{other:?}"),
    }
    assert!(!k.any_effect_shows("731904"), "the OTP must not show in any Debug output");
    k.answer(Reply::Affiliation(constancia(AffiliationOperation::Affiliation)));
    assert!(matches!(k.screen(), Screen::Internet(Internet::Done { .. })));
    k.ui(Action::Confirm);
    k.ui(Action::Deliver(DeliveryChoice::Email));
    k.keys("otro@correo.pe");
    k.ui(Action::Confirm);
    assert!(matches!(
        k.submits().as_slice(),
        [(Command::EmailDocument { document: Document::AffiliationConstancia(_), .. }, false)]
    ));
    assert!(matches!(
        k.screen(),
        Screen::Notice { notice: Notice::Delivered { printed: false, .. }, then: Then::Another }
    ));
}

#[test]
fn the_code_can_be_sent_again_after_the_wait() {
    let mut k = Kiosk::new();
    to_code(&mut k);
    k.fire(Timer::OtpResend);
    assert!(entry(&k).resend_allowed);
    k.ui(Action::ResendCode);
    assert_eq!(k.queries(), vec![&Query::RequestOtp { purpose: OtpPurpose::Affiliation }]);
    k.answer(Reply::OtpSent(otp_sent("OTP-2")));
    let e = entry(&k);
    assert_eq!((e.otp_id.as_str(), e.resend_allowed, e.resending), ("OTP-2", false, None));
    assert!(k.timers.contains_key(&Timer::OtpResend));
}

#[test]
fn wrong_expired_and_exhausted_codes() {
    let mut k = Kiosk::new();
    to_code(&mut k);
    k.keys("111111");
    k.ui(Action::Confirm);
    k.refuse(ErrorCode::OtpInvalid, Some(2));
    let e = entry(&k);
    assert_eq!((e.entered, e.error), (0, Some(InputError::OtpInvalid { attempts_left: Some(2) })));
    k.keys("222222");
    k.ui(Action::Confirm);
    k.refuse(ErrorCode::OtpExpired, None);
    let e = entry(&k);
    assert_eq!((e.error, e.resend_allowed), (Some(InputError::OtpExpired), true));
    k.keys("333333");
    k.ui(Action::Confirm);
    k.refuse(ErrorCode::OtpExhausted, Some(0));
    assert!(entry(&k).resend_allowed, "an exhausted code asks for a new one");
}

#[test]
fn affiliation_refusals_and_timeouts() {
    for (code, expected) in [
        (Some(ErrorCode::AlreadyAffiliated), Notice::AlreadyAffiliated { account: None }),
        (
            Some(ErrorCode::NotIndividualSignature),
            Notice::Refused { code: ErrorCode::NotIndividualSignature, message: "rechazado".into() },
        ),
        (
            Some(ErrorCode::AccountInactive),
            Notice::Refused { code: ErrorCode::AccountInactive, message: "rechazado".into() },
        ),
        (None, Notice::NotConfirmed),
    ] {
        let mut k = Kiosk::new();
        to_code(&mut k);
        k.keys("123456");
        k.ui(Action::Confirm);
        match code {
            Some(code) => k.refuse(code, None),
            None => k.fire(Timer::Interactive),
        };
        assert_eq!(k.screen(), &Screen::Notice { notice: expected, then: Then::Menu });
    }
}

#[test]
fn one_affiliated_account_at_a_time() {
    let mut with_one = accounts();
    with_one[0].internet_purchases = true;
    let number = with_one[0].number.clone();
    let mut k = Kiosk::new();
    open(&mut k, with_one);
    k.ui(Action::Affiliate);
    match k.screen() {
        Screen::Internet(Internet::AlreadyAffiliated { account, .. }) => {
            assert_eq!(account.number, number, "the screen names the affiliated account");
        }
        other => panic!("{other:?}"),
    }
    // Aceptar: back to the menu of Compras por Internet.
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::Internet(Internet::Menu { .. })), "{:?}", k.screen());
}

/// Issue 18: "Ya tiene una cuenta afiliada" was a dead end; Desafiliar there opens the disaffiliation of
/// that account (the explicit tick, R3).
#[test]
fn already_affiliated_offers_the_disaffiliation_of_that_account() {
    let mut with_one = accounts();
    with_one[0].internet_purchases = true;
    let id = with_one[0].id.clone();
    let mut k = Kiosk::new();
    open(&mut k, with_one);
    k.ui(Action::Affiliate);
    k.ui(Action::Disaffiliate);
    match k.screen() {
        Screen::Internet(Internet::Consent { account, ticked: false, .. }) => assert_eq!(account.id, id),
        other => panic!("{other:?}"),
    }
}

#[test]
fn no_qualifying_account_and_nothing_to_disaffiliate() {
    let only_joint: Vec<_> = accounts().into_iter().filter(|a| a.id == "A2" || a.id == "A3").collect();
    let mut k = Kiosk::new();
    open(&mut k, only_joint);
    k.ui(Action::Affiliate);
    assert_eq!(k.screen(), &Screen::Notice { notice: Notice::NoAffiliableAccount, then: Then::Menu });
    k.ui(Action::Confirm);
    k.ui(Action::Menu(MenuItem::InternetPurchases));
    k.answer(Reply::Accounts(accounts()));
    k.ui(Action::Disaffiliate);
    assert_eq!(k.screen(), &Screen::Notice { notice: Notice::NothingAffiliated, then: Then::Menu });
}

#[test]
fn disaffiliation_needs_the_explicit_tick() {
    let mut with_one = accounts();
    with_one[0].internet_purchases = true;
    let mut k = Kiosk::new();
    open(&mut k, with_one);
    k.ui(Action::Disaffiliate);
    assert!(matches!(k.screen(), Screen::Internet(Internet::Consent { ticked: false, .. })));
    k.ui(Action::Confirm);
    assert!(k.queries().is_empty(), "no code without the tick");
    k.ui(Action::ToggleConsent);
    k.ui(Action::Confirm);
    assert_eq!(k.queries(), vec![&Query::RequestOtp { purpose: OtpPurpose::Disaffiliation }]);
    k.answer(Reply::OtpSent(otp_sent("OTP-D")));
    k.keys("654321");
    k.ui(Action::Confirm);
    assert!(matches!(
        k.submits().as_slice(),
        [(Command::Disaffiliate { confirm: true, otp_id }, true)] if otp_id == "OTP-D"
    ));
    k.answer(Reply::Affiliation(constancia(AffiliationOperation::Disaffiliation)));
    k.ui(Action::Confirm);
    k.ui(Action::Deliver(DeliveryChoice::Print));
    assert!(matches!(k.screen(), Screen::Delivery(d) if matches!(d.stage, DeliveryStage::Printing { .. })));
}

#[test]
fn back_from_the_code_returns_to_the_menu_and_forgets_the_digits() {
    let mut k = Kiosk::new();
    to_code(&mut k);
    k.keys("12");
    k.ui(Action::Back);
    assert_eq!(k.screen(), &Screen::Menu);
    assert!(!k.timers.contains_key(&Timer::OtpResend));
}
