//! The one route for receipt data: the session hands the shell a complete document — everything the
//! customer reads on it, from the answers the session itself received — so the shell only lays it out under
//! the kiosk's header, prints it and journals it. Checked here on the effects alone, with no runtime.

use chrono::NaiveDate;
use servicaja_core::api::{NextInstallment, PaymentDone, PaymentOption, PaymentQuote};
use servicaja_core::money::Currency;
use servicaja_session::contract::Account;
use servicaja_session::state::{Payment, Screen};
use servicaja_session::{Action, DeliveryChoice, Document, Effect, JournalEntry, MenuItem, PaymentContext, Reply};

use crate::harness::*;

/// Runs a due-installment payment of loan L1 from `account` to the processing screen: its key and quote.
fn to_processing(k: &mut Kiosk, account: &Account) -> (uuid::Uuid, PaymentQuote) {
    let l = loan("L1", Currency::PEN, 0, true);
    k.login();
    k.ui(Action::Menu(MenuItem::PayLoans));
    k.answer(Reply::Loans(vec![l.clone()]));
    k.ui(Action::Select(0));
    k.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    k.answer(Reply::Accounts(accounts()));
    let index = accounts().into_iter().filter(Account::debitable_alone).position(|a| a.id == account.id).unwrap();
    k.ui(Action::Select(index));
    let q = quote(&l, account, PaymentOption::DueInstallment, pen("520.00"), account_debit(account));
    k.answer(Reply::Quote(q.clone()));
    k.ui(Action::Confirm);
    let Screen::Payment(Payment::Processing { key, .. }) = k.screen() else { panic!("{:?}", k.screen()) };
    (*key, q)
}

/// Pays loan L1's due installment from `account`, the central answering `done` of its usual answer.
fn pay_from(
    k: &mut Kiosk,
    account: &Account,
    done: impl FnOnce(PaymentDone) -> PaymentDone,
) -> (uuid::Uuid, PaymentDone) {
    let (key, q) = to_processing(k, account);
    let answer = done(payment_done(&q, key));
    k.answer(Reply::PaymentDone(answer.clone()));
    (key, answer)
}

fn account(id: &str) -> Account {
    accounts().into_iter().find(|a| a.id == id).unwrap()
}

fn account_debit(account: &Account) -> servicaja_core::money::Money {
    if account.currency == Currency::USD { usd("155.26") } else { pen("520.00") }
}

/// The document the session journals with the payment's record, and the one it then prints.
fn journaled_and_printed(k: &mut Kiosk, key: uuid::Uuid) -> (Document, Document) {
    let journaled =
        k.effects
            .iter()
            .find_map(|e| match e {
                Effect::Journal(JournalEntry::Operation {
                    key: journaled, outcome, document: Some(document), ..
                }) if *journaled == key && outcome == "realizado" => Some((**document).clone()),
                _ => None,
            })
            .expect("the payment's record carries the receipt it owes");
    k.ui(Action::Confirm);
    k.ui(Action::Deliver(DeliveryChoice::Print));
    let printed = k
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Print { document, .. } => Some(document.clone()),
            _ => None,
        })
        .expect("a print job");
    (journaled, printed)
}

#[test]
fn a_payments_print_effect_carries_the_complete_receipt() {
    let mut k = Kiosk::new();
    let from = account("A1");
    let next = NextInstallment { due_date: NaiveDate::from_ymd_opt(2026, 12, 15).unwrap(), amount: pen("520.00") };
    let (key, answer) = pay_from(&mut k, &from, |done| PaymentDone { next_installment: Some(next.clone()), ..done });
    let (journaled, printed) = journaled_and_printed(&mut k, key);
    let expected = Document::PaymentReceipt {
        payment: answer.clone(),
        masked_card: "**** **** **** 1111".into(),
        customer_name: "JESUS".into(),
        context: PaymentContext {
            loan_product: "CRÉDITO CONSUMO".into(),
            installment_before: Some(pen("520.00")),
            installments_left_before: Some(14),
            account_product_name: from.product_name.clone(),
            account_currency: Currency::PEN,
        },
    };
    assert_eq!(printed, expected);
    assert_eq!(journaled, printed, "the journal keeps the very document the customer gets");
    // What the customer reads comes from the central's answer, untouched: the figures, the account as the
    // caja prints it (never more than its own 8 digits), the loan, the operation number and its instant.
    let Document::PaymentReceipt { payment, .. } = &printed else { unreachable!() };
    assert_eq!((payment.amount, payment.debit), (pen("520.00"), pen("520.00")));
    assert_eq!(payment.principal_part, pen("520.00"));
    assert_eq!(payment.account_number, "00121110");
    assert!(payment.account_number.chars().filter(char::is_ascii_digit).count() <= 8);
    assert_eq!(payment.loan_number, loan("L1", Currency::PEN, 0, true).number);
    assert_eq!(payment.next_installment, Some(next));
    assert_eq!(printed.operation_number(), Some("OP-000123"));
    assert_eq!(payment.at, t0());
}

#[test]
fn a_debit_from_a_dollar_account_names_that_account_on_the_receipt() {
    let mut k = Kiosk::new();
    let from = account("A4");
    let (key, _) = pay_from(&mut k, &from, |done| PaymentDone { account_number: from.number.clone(), ..done });
    let (journaled, printed) = journaled_and_printed(&mut k, key);
    assert_eq!(journaled, printed);
    let Document::PaymentReceipt { payment, context, .. } = printed else { panic!("{printed:?}") };
    assert_eq!(payment.debit, usd("155.26"));
    assert_eq!(payment.account_number, "00121210");
    assert_eq!(context.account_product_name, from.product_name);
    assert!(from.product_name.contains("DÓLARES"), "the fixture is the dollar account: {}", from.product_name);
    assert_eq!(context.account_currency, Currency::USD);
}

#[test]
fn operations_that_owe_no_document_journal_none() {
    let mut k = Kiosk::new();
    to_processing(&mut k, &account("A1"));
    k.refuse(servicaja_core::api::ErrorCode::InsufficientFunds, None);
    let records: Vec<_> = k
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Journal(JournalEntry::Operation { outcome, document, .. }) => {
                Some((outcome.clone(), document.is_some()))
            }
            _ => None,
        })
        .collect();
    assert!(matches!(records.as_slice(), [(outcome, false)] if outcome.starts_with("rechazado")), "{records:?}");
}

/// The answer the outbox kept when the wait ended arrives under the settlement's request, not the
/// payment's: the payment's record still carries its receipt (a cache of answers by request key missed it).
#[test]
fn a_payment_settled_with_its_stored_answer_still_journals_its_receipt() {
    let mut k = Kiosk::new();
    let (key, q) = to_processing(&mut k, &account("A1"));
    k.fire(servicaja_session::Timer::Interactive);
    let Screen::Payment(Payment::Processing { settling: Some(settle), .. }) = k.screen() else {
        panic!("{:?}", k.screen())
    };
    assert_ne!(*settle, key);
    let answer = payment_done(&q, key);
    k.answer(Reply::PaymentDone(answer.clone()));
    let (journaled, printed) = journaled_and_printed(&mut k, key);
    assert_eq!(journaled, printed);
    assert!(matches!(printed, Document::PaymentReceipt { payment, .. } if payment == answer));
}
