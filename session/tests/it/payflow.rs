//! Issue 18, what a customer is offered, shown and asked while paying: each option carries what it charges,
//! the advance is one or two installments, a prepayment's range is checked on the amount screen, accounts
//! that cannot pay are told before the summary, a refusal returns to the account choice, only accounts the
//! customer may debit alone are offered, the registered e-mail is offered in one tap, and every operation
//! ends with "¿Desea realizar otra operación?".

use servicaja_core::api::{ErrorCode, Loan, PaymentOption};
use servicaja_core::money::Currency;
use servicaja_session::contract::{Account, affiliable};
use servicaja_session::state::{AmountError, DeliveryStage, InputError, Notice, Order, Payment, Screen, Then};
use servicaja_session::{Action, DeliveryChoice, EndReason, Event, MenuItem, PrintOutcome, Query, Reply, mask_email};

use crate::harness::*;

fn to_loan(k: &mut Kiosk, loans: Vec<Loan>) {
    k.login();
    k.ui(Action::Menu(MenuItem::PayLoans));
    k.answer(Reply::Loans(loans));
    k.ui(Action::Select(0));
}

fn restricted_afp() -> Account {
    let mut afp = accounts().remove(0);
    afp.id = "A5".into();
    afp.number = "00121112".into();
    afp.product_name = "CTA.INTANGIBLE AFP SOLES".into();
    afp.balance = pen("25000.00");
    afp.restricted = true;
    afp
}

/// Defect 4: the overdue loan's "Pagar cuota" charges the overdue installments with the due one; the order
/// carries that amount from the loan's terms, and that is what the accounts are checked against.
#[test]
fn the_due_installment_option_charges_what_the_loan_terms_say_with_the_overdue_ones() {
    let mut k = Kiosk::new();
    let overdue = loan("L1", Currency::PEN, 2, true);
    assert_eq!(overdue.due_now(), Some(pen("1040.00")));
    to_loan(&mut k, vec![overdue]);
    k.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    k.answer(Reply::Accounts(accounts()));
    match k.screen() {
        Screen::Payment(Payment::Accounts { order, accounts }) => {
            assert_eq!(order.charge(), Some(pen("1040.00")));
            assert_eq!(order.debit_from(&accounts[0]), Some((pen("1040.00"), true)));
        }
        other => panic!("{other:?}"),
    }
}

/// Defect 5: the advance offers one or two installments with their amounts, and the chosen one is what is
/// quoted and paid; no free amount.
#[test]
fn the_advance_offers_one_or_two_installments_with_their_amounts() {
    let mut k = Kiosk::new();
    to_loan(&mut k, vec![loan("L1", Currency::PEN, 0, true)]);
    k.ui(Action::PaymentOption(PaymentOption::Advance));
    match k.screen() {
        Screen::Payment(Payment::Installments { choices, .. }) => {
            assert_eq!(choices, &vec![pen("520.00"), pen("1040.00")])
        }
        other => panic!("{other:?}"),
    }
    k.ui(Action::Select(1));
    assert_eq!(k.queries(), vec![&Query::Accounts]);
    k.answer(Reply::Accounts(accounts()));
    k.ui(Action::Select(0));
    match k.queries().as_slice() {
        [Query::Quote { query, .. }] => {
            assert_eq!(query.option, PaymentOption::Advance);
            assert_eq!(query.amount, Some("1040.00".parse().unwrap()));
        }
        other => panic!("{other:?}"),
    }
    // Back from the choice returns to the loan's options.
    let mut k = Kiosk::new();
    to_loan(&mut k, vec![loan("L1", Currency::PEN, 0, true)]);
    k.ui(Action::PaymentOption(PaymentOption::Advance));
    k.ui(Action::Back);
    assert!(matches!(k.screen(), Screen::Payment(Payment::Loan { .. })));
}

/// Defect 5: a partial prepayment below the minimum (more than two installments' worth) or above the
/// maximum is refused on the amount screen, saying the limit, before any account is asked for.
#[test]
fn a_prepayment_outside_its_range_is_refused_on_the_amount_screen_with_the_limit() {
    let mut k = Kiosk::new();
    to_loan(&mut k, vec![loan("L1", Currency::PEN, 0, true)]);
    k.ui(Action::PaymentOption(PaymentOption::PrepaymentReduceAmount));
    let error = |k: &Kiosk| match k.screen() {
        Screen::Payment(Payment::Amount { error, .. }) => error.clone(),
        other => panic!("{other:?}"),
    };
    k.keys("1040");
    k.ui(Action::Confirm);
    assert_eq!(error(&k), Some(InputError::Amount(AmountError::BelowMinimum(pen("1040.01")))));
    k.ui(Action::Key(servicaja_session::Key::Clear));
    k.keys("6210.40");
    k.ui(Action::Confirm);
    assert_eq!(error(&k), Some(InputError::Amount(AmountError::AboveMaximum(pen("6210.39")))));
    assert!(k.queries().is_empty(), "no account asked for while the amount is out of range");
    k.ui(Action::Key(servicaja_session::Key::Clear));
    k.keys("1040.01");
    k.ui(Action::Confirm);
    assert_eq!(k.queries(), vec![&Query::Accounts]);
    // Without terms from the central, the outstanding principal still bounds the amount.
    let mut bare = loan("L1", Currency::PEN, 0, true);
    bare.option_terms.clear();
    let mut k = Kiosk::new();
    to_loan(&mut k, vec![bare]);
    k.ui(Action::PaymentOption(PaymentOption::PrepaymentReduceAmount));
    k.keys("7000");
    k.ui(Action::Confirm);
    assert_eq!(error(&k), Some(InputError::Amount(AmountError::AboveOutstanding(pen("6000.00")))));
}

/// Defect 8: an account whose balance does not cover the debit (at the day's rate when the currencies
/// differ) cannot be chosen: no quote is asked; one that covers it can.
#[test]
fn an_account_that_cannot_cover_the_debit_cannot_be_chosen_before_the_summary() {
    let mut k = Kiosk::new();
    to_loan(&mut k, vec![loan("L1", Currency::PEN, 0, true)]);
    k.ui(Action::PaymentOption(PaymentOption::Total));
    k.answer(Reply::Accounts(accounts()));
    let (order, offered): (Order, Vec<Account>) = match k.screen() {
        Screen::Payment(Payment::Accounts { order, accounts }) => (order.clone(), accounts.clone()),
        other => panic!("{other:?}"),
    };
    // S/ 6,210.40: neither S/ 2,500.00 nor US$ 1,000.00 (6,210.40 / 3.35 = US$ 1,853.86, rounded up) covers it.
    assert_eq!(order.debit_from(&offered[0]), Some((pen("6210.40"), false)));
    assert_eq!(order.debit_from(&offered[1]), Some((usd("1853.86"), false)));
    for i in 0..offered.len() {
        k.ui(Action::Select(i));
        assert!(k.queries().is_empty(), "account {i} cannot pay: no quote");
        assert!(matches!(k.screen(), Screen::Payment(Payment::Accounts { .. })));
    }
    // The due installment (S/ 520.00 = US$ 155.23) is covered by the dollar account.
    k.ui(Action::Back);
    k.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    k.answer(Reply::Accounts(accounts()));
    k.ui(Action::Select(1));
    match k.queries().as_slice() {
        [Query::Quote { query, .. }] => assert_eq!(query.debit_account_id, "A4"),
        other => panic!("{other:?}"),
    }
}

/// Defect 8: after a refusal of the payment (here "Saldo insuficiente" after Confirmar), Aceptar returns to
/// the account choice, not the menu.
#[test]
fn a_refused_payment_returns_to_the_account_choice() {
    let mut k = Kiosk::new();
    let l = loan("L1", Currency::PEN, 0, true);
    to_loan(&mut k, vec![l.clone()]);
    k.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    k.answer(Reply::Accounts(accounts()));
    k.ui(Action::Select(0));
    let account = accounts().remove(0);
    k.answer(Reply::Quote(quote(&l, &account, PaymentOption::DueInstallment, pen("520.00"), pen("520.00"))));
    k.ui(Action::Confirm);
    k.refuse(ErrorCode::InsufficientFunds, None);
    assert!(
        matches!(k.screen(), Screen::Payment(Payment::Refused { code: ErrorCode::InsufficientFunds, .. })),
        "{:?}",
        k.screen()
    );
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::Payment(Payment::Accounts { .. })), "{:?}", k.screen());
    // A quote refused for the account (inactive meanwhile) does the same.
    k.ui(Action::Select(0));
    k.refuse(ErrorCode::AccountInactive, None);
    assert!(matches!(k.screen(), Screen::Payment(Payment::Refused { code: ErrorCode::AccountInactive, .. })));
    k.ui(Action::Back);
    assert_eq!(k.screen(), &Screen::Menu);
}

/// Only accounts the customer may debit alone: not a joint account, not the intangible AFP account, for a
/// payment and for the internet-purchase affiliation alike.
#[test]
fn joint_and_restricted_accounts_are_not_offered_to_debit_or_affiliate() {
    let mut k = Kiosk::new();
    to_loan(&mut k, vec![loan("L1", Currency::PEN, 0, true)]);
    k.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    let mut all = accounts();
    all.push(restricted_afp());
    k.answer(Reply::Accounts(all.clone()));
    match k.screen() {
        Screen::Payment(Payment::Accounts { accounts, .. }) => {
            let ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
            assert_eq!(ids, ["A1", "A4"], "neither the joint A2, the inactive A3 nor the AFP A5");
        }
        other => panic!("{other:?}"),
    }
    let affiliable_ids: Vec<&str> = all.iter().filter(|a| affiliable(a)).map(|a| a.id.as_str()).collect();
    assert_eq!(affiliable_ids, ["A1", "A4"]);
}

fn to_delivery(k: &mut Kiosk) {
    let l = loan("L1", Currency::PEN, 0, true);
    to_loan(k, vec![l.clone()]);
    k.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    k.answer(Reply::Accounts(accounts()));
    k.ui(Action::Select(0));
    let q = quote(&l, &accounts().remove(0), PaymentOption::DueInstallment, pen("520.00"), pen("520.00"));
    k.answer(Reply::Quote(q.clone()));
    k.ui(Action::Confirm);
    let key = match k.screen() {
        Screen::Payment(Payment::Processing { key, .. }) => *key,
        other => panic!("{other:?}"),
    };
    k.answer(Reply::PaymentDone(payment_done(&q, key)));
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::Delivery(_)));
}

/// Item 6: after printing, after the QR and after "No, gracias" alike, the customer is asked whether to do
/// another operation: Sí → the menu; No → the session ends the normal way.
#[test]
fn every_operation_ends_asking_for_another_one() {
    // Printed, then "No": the session ends (card returned), as finished.
    let mut k = Kiosk::new();
    to_delivery(&mut k);
    k.ui(Action::Deliver(DeliveryChoice::Print));
    k.finish_printing(PrintOutcome::Printed);
    assert_eq!(
        k.screen(),
        &Screen::Notice { notice: Notice::Delivered { printed: true, emailed_to: None }, then: Then::Another }
    );
    k.ui(Action::Back);
    assert!(k.ended());
    assert!(
        k.effects.iter().any(|e| matches!(e, servicaja_session::Effect::SessionEnded { reason: EndReason::Finished }))
    );
    assert_eq!(k.screen(), &Screen::Attract);
    // The QR, then "Sí": the menu.
    let mut k = Kiosk::new();
    to_delivery(&mut k);
    k.ui(Action::ShowQr);
    let job = k
        .effects
        .iter()
        .find_map(|e| match e {
            servicaja_session::Effect::PrepareQr { job, .. } => Some(*job),
            _ => None,
        })
        .expect("the QR is asked for");
    k.send(Event::QrReady { job, payload: Some("SERVICAJA|V2|KSK-TAC-001|OP-000123".into()) });
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::Notice { then: Then::Another, .. }), "{:?}", k.screen());
    k.ui(Action::Confirm);
    assert_eq!(k.screen(), &Screen::Menu);
    // "No, gracias": the same question.
    let mut k = Kiosk::new();
    to_delivery(&mut k);
    k.ui(Action::Deliver(DeliveryChoice::None));
    assert!(matches!(k.screen(), Screen::Notice { then: Then::Another, .. }), "{:?}", k.screen());
}

/// Item 7: e-mail delivery offers the registered address, masked, in one tap; "Otro correo" types another.
#[test]
fn email_delivery_offers_the_registered_address_in_one_tap() {
    assert_eq!(mask_email("jesus.quispe@gmail.com"), "j***@gmail.com");
    let mut k = Kiosk::new();
    to_delivery(&mut k);
    k.ui(Action::Deliver(DeliveryChoice::Email));
    match k.screen() {
        Screen::Delivery(d) => {
            assert_eq!(d.stage, DeliveryStage::EmailChoice { masked: "j***@cmactacna.com.pe".into() })
        }
        other => panic!("{other:?}"),
    }
    k.confirm_email_receipt("jesus@cmactacna.com.pe", "j***@cmactacna.com.pe");
    // "Otro correo", then Volver: back to the registered address.
    let mut k = Kiosk::new();
    to_delivery(&mut k);
    k.ui(Action::Deliver(DeliveryChoice::Email));
    k.ui(Action::TypeInstead);
    assert!(matches!(k.screen(), Screen::Delivery(d) if matches!(d.stage, DeliveryStage::Email { .. })));
    k.ui(Action::Back);
    assert!(matches!(k.screen(), Screen::Delivery(d) if matches!(d.stage, DeliveryStage::EmailChoice { .. })));
    k.ui(Action::Back);
    assert!(matches!(k.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::Choose));
}
