//! Issue 18, the payment screens as a customer reads them, in both languages: every option shows what it
//! charges, the advance is one or two installments, a prepayment's range is on the amount screen and refused
//! there, accounts that cannot pay are told before the summary, a refusal returns to the account choice,
//! only accounts the customer may debit alone are listed, the summary's labels, "Monto pagado", the
//! registered e-mail in one tap, and "¿Desea realizar otra operación?" after every operation.

use servicaja_core::api::{Loan, OptionTerms, PaymentOption};
use servicaja_core::money::{Currency, Money};
use servicaja_core::settings::Language;
use servicaja_session::{Action, DeliveryChoice, ErrorCode, Failure, MenuItem, Problem, Reply};

use super::gaps::{shows, to_summary, window};
use servicaja_ui::Screen;
use servicaja_ui::fixtures;
use servicaja_ui::rig::Rig;

fn pen(amount: &str) -> Money {
    Money::new(amount.parse().unwrap(), Currency::PEN)
}

/// MARIA's case: two overdue installments; "Pagar cuota" charges them with the due one (S/ 1,040.00 here),
/// not the due installment alone (S/ 520.00).
fn overdue_loan() -> Loan {
    let mut loan = fixtures::loans().remove(0);
    loan.overdue_installments = 2;
    loan.overdue_amount = pen("520.00");
    loan.option_terms = vec![
        OptionTerms {
            option: PaymentOption::DueInstallment,
            amount: Some(pen("1040.00")),
            installments: Vec::new(),
            range: None,
        },
        OptionTerms {
            option: PaymentOption::Total,
            amount: Some(pen("6210.40")),
            installments: Vec::new(),
            range: None,
        },
    ];
    loan
}

fn to_loans(rig: &Rig) {
    rig.login();
    rig.ui(Action::Menu(MenuItem::PayLoans));
}

/// Defect 4: the loan list, the option and the account choice show the amount "Pagar cuota" charges
/// (overdue installments, their moratorium and the due installment), never the due installment alone.
#[test]
fn an_overdue_loan_shows_what_paying_the_installment_charges_everywhere() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.login();
    rig.script.borrow_mut().answers.push_back(Ok(Reply::Loans(vec![overdue_loan()])));
    rig.ui(Action::Menu(MenuItem::PayLoans));
    assert_eq!(rig.screen(), Screen::Loans);
    assert!(shows(&ui, "CRÉDITO CONSUMO S/ 1,040.00"), "the list shows the amount due now");
    rig.ui(Action::Select(0));
    assert!(shows(&ui, "Pagar cuota S/ 1,040.00"));
    assert!(!shows(&ui, "Pagar cuota S/ 520.00"));
    assert!(shows(&ui, "Cancelación total"), "R6: offered without an amount, not possible while overdue");
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "Pay installment S/ 1,040.00"), "the same amount in English");
    rig.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    assert_eq!(rig.screen(), Screen::Accounts);
    assert!(shows(
        &ui,
        "Amount to pay: S/ 1,040.00. If the account's currency differs from the loan's, today's exchange rate applies."
    ));
}

/// Defect 5: the advance offers "1 cuota / 2 cuotas" with their amounts, and no free amount.
#[test]
fn the_advance_offers_one_or_two_installments_with_their_amounts() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_loans(&rig);
    rig.ui(Action::Select(0));
    assert!(shows(&ui, "Adelantar cuotas S/ 520.00 / S/ 1,040.00"));
    rig.ui(Action::PaymentOption(PaymentOption::Advance));
    assert_eq!(rig.screen(), Screen::Installments);
    assert!(shows(&ui, "1 cuota S/ 520.00"));
    assert!(shows(&ui, "2 cuotas S/ 1,040.00"));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "1 installment S/ 520.00"));
    assert!(shows(&ui, "2 installments S/ 1,040.00"));
    rig.ui(Action::Select(1));
    assert_eq!(rig.screen(), Screen::Accounts);
}

/// Defect 5: a partial prepayment shows its range on the amount screen and refuses an amount outside it
/// there, saying the limit, before any account is chosen.
#[test]
fn a_prepayment_shows_its_range_and_refuses_an_amount_outside_it_on_the_amount_screen() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_loans(&rig);
    rig.ui(Action::Select(0));
    assert!(shows(&ui, "Pago anticipado: reducir monto de cuota S/ 1,040.01 – S/ 6,210.39"));
    rig.ui(Action::PaymentOption(PaymentOption::PrepaymentReduceAmount));
    assert_eq!(rig.screen(), Screen::Amount);
    let lead = "Pago anticipado: reducir monto de cuota. Puede pagar desde S/ 1,040.01 hasta S/ 6,210.39.";
    assert!(shows(&ui, lead), "the range before anything is typed");
    rig.keys("900");
    rig.ui(Action::Confirm);
    assert_eq!(rig.screen(), Screen::Amount, "refused here, before the account");
    assert!(shows(&ui, "El monto mínimo para esta opción es S/ 1,040.01."));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "The minimum amount for this option is S/ 1,040.01."));
    rig.ui(Action::Key(servicaja_session::Key::Clear));
    rig.keys("7000");
    rig.ui(Action::Confirm);
    assert!(shows(
        &ui,
        "The maximum amount for this option is S/ 6,210.39. To pay everything, choose Pay off the loan."
    ));
}

/// Defect 8: an account whose balance does not cover the payment (at the day's rate for the dollar account)
/// is shown disabled, saying why, before the summary; touching it does nothing.
#[test]
fn accounts_that_cannot_pay_are_shown_disabled_with_why_before_the_summary() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_loans(&rig);
    rig.ui(Action::Select(0));
    rig.ui(Action::PaymentOption(PaymentOption::Total));
    assert_eq!(rig.screen(), Screen::Accounts);
    let view = rig.controller.borrow().view().clone();
    assert_eq!(view.items.len(), 2);
    assert!(view.items.iter().all(|i| !i.enabled && i.note == "insufficient"), "{:?}", view.items);
    assert!(shows(&ui, "Saldo insuficiente para este pago"));
    rig.ui(Action::Select(0));
    assert_eq!(rig.screen(), Screen::Accounts, "no summary for an account that cannot pay");
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "Insufficient balance for this payment"));
    // The installment (S/ 520.00) fits both, the dollar account at the day's rate.
    rig.ui(Action::Back);
    rig.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    let view = rig.controller.borrow().view().clone();
    assert!(view.items.iter().all(|i| i.enabled), "{:?}", view.items);
}

/// Defect 8: after "Saldo insuficiente" at Confirmar, the customer goes back to the account choice.
#[test]
fn a_refused_payment_returns_to_the_account_choice_not_the_menu() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_summary(&rig);
    let problem = Problem::new(ErrorCode::InsufficientFunds, "Saldo insuficiente.");
    rig.script.borrow_mut().answers.push_back(Err(Failure::Refused(problem)));
    rig.ui(Action::Confirm);
    assert_eq!(rig.screen(), Screen::Notice);
    assert!(shows(&ui, "Elegir otra cuenta"));
    assert!(shows(&ui, "Ir al menú"));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "Choose another account"));
    rig.ui(Action::Confirm);
    assert_eq!(rig.screen(), Screen::Accounts);
}

/// Only accounts the customer may debit alone: the joint and the inactive accounts are not listed to pay.
#[test]
fn only_accounts_the_customer_may_debit_alone_are_offered_to_pay() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_loans(&rig);
    rig.ui(Action::Select(0));
    rig.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    let numbers: Vec<String> = rig.controller.borrow().view().items.iter().map(|i| i.detail.clone()).collect();
    assert_eq!(numbers, ["00121110", "00121210"], "not the joint 00121111 nor the inactive 00121112");
}

/// Defect 5 (summary): "Operación" once; in English the exchange side and the installment numbers are
/// translated ("(Buy)" rather than "(Compra)", no "N.°"); the done screen says "Monto pagado".
#[test]
fn the_summary_labels_read_once_and_in_english_and_the_done_screen_says_amount_paid() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_loans(&rig);
    rig.ui(Action::Select(0));
    rig.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    // A soles loan from the dollar account: the caja buys the customer's dollars.
    rig.ui(Action::Select(1));
    assert_eq!(rig.screen(), Screen::Summary);
    let keys: Vec<String> = rig.controller.borrow().view().rows.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(keys.iter().filter(|k| *k == "option").count(), 1, "{keys:?}");
    assert!(shows(&ui, "Tipo de cambio (compra)"));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "Exchange rate (buy)"));
    assert!(!shows(&ui, "Compra") && !shows(&ui, "Tipo de cambio"));
    let values: Vec<String> = rig.controller.borrow().view().rows.iter().map(|(_, v)| v.clone()).collect();
    assert!(values.iter().all(|v| !v.contains("N.°") && !v.contains("Compra")), "{values:?}");
    rig.ui(Action::Confirm);
    assert_eq!(rig.screen(), Screen::PaymentDone);
    assert!(shows(&ui, "Amount paid"));
    rig.ui(Action::SetLanguage(Language::Es));
    assert!(shows(&ui, "Monto pagado"));
    assert!(!shows(&ui, "Monto a pagar"));
}

/// Item 6: after printing (and after the QR) the customer is asked "¿Desea realizar otra operación?"; No ends
/// the session, Sí returns to the menu.
#[test]
fn every_operation_ends_asking_for_another_one() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_summary(&rig);
    rig.ui(Action::Confirm);
    rig.ui(Action::Confirm);
    rig.ui(Action::Deliver(DeliveryChoice::Print));
    assert_eq!(rig.screen(), Screen::Notice);
    assert!(shows(&ui, "¿Desea realizar otra operación?"));
    assert!(shows(&ui, "Sí, otra operación") && shows(&ui, "No, terminar"));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "Would you like to do another operation?"));
    rig.ui(Action::Back);
    assert_eq!(rig.screen(), Screen::Attract, "No: the session ends the normal way");

    let rig = Rig::new(&ui);
    to_summary(&rig);
    rig.ui(Action::Confirm);
    rig.ui(Action::Confirm);
    rig.ui(Action::ShowQr);
    rig.ui(Action::Confirm);
    assert!(shows(&ui, "¿Desea realizar otra operación?"), "the same question after the QR");
    rig.ui(Action::Confirm);
    assert_eq!(rig.screen(), Screen::Menu);
}

/// Item 7: e-mail delivery offers the registered address, masked, in one tap; "Otro correo" types another.
#[test]
fn email_delivery_offers_the_registered_address_masked_in_one_tap() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_summary(&rig);
    rig.ui(Action::Confirm);
    rig.ui(Action::Confirm);
    rig.ui(Action::Deliver(DeliveryChoice::Email));
    assert!(shows(&ui, "Enviar a mi correo registrado: j***@cmactacna.com.pe"));
    assert!(shows(&ui, "Otro correo"));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "Send to my registered e-mail: j***@cmactacna.com.pe"));
    rig.ui(Action::Confirm);
    let sent = rig.script.borrow().effects.iter().any(|e| {
        matches!(e, servicaja_session::Effect::Submit { command: servicaja_session::Command::EmailDocument { to, .. }, .. } if to == "jesus@cmactacna.com.pe")
    });
    assert!(sent, "sent to the whole registered address");
    assert!(shows(&ui, "We sent your certificate to j***@cmactacna.com.pe."), "only the masked address on screen");
}

/// Defect 3 (the summary's part): a total cancellation shows no "Nueva cuota" nor "Cuotas restantes", even
/// when the quote carries the figures of the schedule it ends.
#[test]
fn a_cancellation_summary_shows_no_new_installment() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_loans(&rig);
    rig.ui(Action::Select(0));
    let mut rich = fixtures::accounts().remove(0);
    rich.balance = pen("9000.00");
    let quote: servicaja_core::api::PaymentQuote = serde_json::from_value(serde_json::json!({
        "loan_id": "L1", "option": "total", "debit_account_id": rich.id,
        "amount": {"amount": "6210.40", "currency": "PEN"}, "debit": {"amount": "6210.40", "currency": "PEN"},
        "kind_label": "Pago anticipado total (cancelación)",
        "overdue_part": {"amount": "0", "currency": "PEN"}, "principal_part": {"amount": "6000.00", "currency": "PEN"},
        "interest_part": {"amount": "205.40", "currency": "PEN"}, "insurance_part": {"amount": "5.00", "currency": "PEN"},
        "moratorium_part": {"amount": "0", "currency": "PEN"}, "refund": {"amount": "0", "currency": "PEN"},
        "installments_covered": [11],
        "new_schedule": {"installment_amount": {"amount": "520.00", "currency": "PEN"}, "installments_remaining": 0,
            "outstanding_principal": {"amount": "0", "currency": "PEN"}},
        "cancels_loan": true, "quoted_at": "2026-11-20T15:00:00Z"
    }))
    .unwrap();
    rig.script.borrow_mut().answers.extend([Ok(Reply::Accounts(vec![rich])), Ok(Reply::Quote(quote))]);
    rig.ui(Action::PaymentOption(PaymentOption::Total));
    rig.ui(Action::Select(0));
    assert_eq!(rig.screen(), Screen::Summary);
    assert!(shows(&ui, "Cancela el crédito"));
    assert!(!shows(&ui, "Nueva cuota") && !shows(&ui, "Cuotas restantes"));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(!shows(&ui, "New installment"));
}
