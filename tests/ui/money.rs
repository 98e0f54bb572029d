//! What the customer reads when a payment's outcome is decided by the outbox (issue 13): "no charge" only
//! once the reversal is stored, nothing claimed when the decision could not be stored, a payment held
//! behind an earlier reversal explained, and the kiosk out of service when its storage fails.

use servicaja_session::state::StorageProblem;
use servicaja_session::{Action, Command, Effect, Event, Failure, Reply};

use super::gaps::{shows, to_summary, window};
use servicaja_ui::Screen;
use servicaja_ui::rig::Rig;

fn settled(rig: &Rig) -> bool {
    rig.script
        .borrow()
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Submit { command: Command::SettlePayment { .. }, .. }))
}

#[test]
fn a_lost_answer_says_no_charge_only_once_the_outbox_stored_the_reversal() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_summary(&rig);
    rig.script.borrow_mut().answers.push_back(Err(Failure::NoAnswer));
    rig.ui(Action::Confirm);
    assert!(settled(&rig), "the outbox was asked to settle the payment");
    assert_eq!(rig.screen(), Screen::Notice);
    assert!(shows(&ui, "Operación no realizada, no se realizó ningún cargo."));
}

#[test]
fn a_settlement_that_could_not_be_stored_claims_nothing_and_sends_the_customer_to_the_counter() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_summary(&rig);
    rig.script.borrow_mut().answers.extend([Err(Failure::NoAnswer), Err(Failure::NoAnswer)]);
    rig.ui(Action::Confirm);
    assert_eq!(rig.screen(), Screen::Notice);
    assert!(shows(&ui, "No pudimos confirmar su pago"));
    assert!(!shows(&ui, "Operación no realizada, no se realizó ningún cargo."), "no claim either way");
    rig.ui(Action::SetLanguage(servicaja_core::settings::Language::En));
    assert!(shows(&ui, "We could not confirm your payment"));
}

#[test]
fn a_payment_held_behind_an_earlier_reversal_says_why_in_both_languages() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_summary(&rig);
    rig.script.borrow_mut().answers.push_back(Ok(Reply::PaymentHeld));
    rig.ui(Action::Confirm);
    assert_eq!(rig.screen(), Screen::Notice);
    assert!(shows(&ui, "No podemos recibir este pago ahora"));
    assert!(!settled(&rig), "nothing was sent, nothing to settle");
    rig.ui(Action::SetLanguage(servicaja_core::settings::Language::En));
    assert!(shows(&ui, "We cannot take this payment right now"));
}

#[test]
fn a_storage_failure_takes_the_kiosk_out_of_service_with_the_technicians_reason() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.send(Event::Storage { problem: Some(StorageProblem::WriteFailed) });
    assert_eq!(rig.screen(), Screen::OutOfService);
    assert!(shows(&ui, "El cajero no puede registrar operaciones en este momento."));
    assert!(!shows(&ui, "Solicitudes"), "no request can be recorded either");
    let status = rig.controller.borrow().view().status_line.clone();
    assert!(status.contains("disco"), "{status}");
    rig.send(Event::Storage { problem: None });
    assert_eq!(rig.screen(), Screen::Attract);
}
