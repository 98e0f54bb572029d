//! The customer flows of issue 7 driven through the real window against the whole kiosk (see `live.rs`):
//! a full installment payment ending in a printed receipt, an affiliation with the SMS code, a wrong clave
//! three times, the inactivity timeout, paper out → e-mail offered; and the kiosk-mode presentation.

use servicaja_drivers::emulator::SimPaper;
use servicaja_host::journal::{JournalEvent, Outcome};
use servicaja_host::{CommandKind, State};
use servicaja_session::Timer;
use servicaja_session::state::{Internet, Payment, Screen};
use slint::ComponentHandle;

use crate::live::LiveKiosk;
use crate::stack::{CARD, PATIENCE, SAVINGS, SAVINGS_OPENING, sms_code};
use servicaja_ui::Screen as UiScreen;
use servicaja_ui::{Kiosk, Theme};

/// The longest run of consecutive digits in `text` (a card number has 13 to 19; the loan number 12).
fn longest_digit_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0)
}

/// The fixture loan's due installment, debited from the savings account: from the menu to the result.
fn pay_due_installment(kiosk: &LiveKiosk) -> servicaja_core::api::PaymentDone {
    kiosk.touch("Pagar cuotas");
    kiosk.until_screen(UiScreen::Loans);
    kiosk.touch_starting("CRÉDITO CONSUMO SOLES");
    kiosk.until_screen(UiScreen::Loan);
    kiosk.touch_starting("Pagar cuota ");
    kiosk.until_screen(UiScreen::Accounts);
    kiosk.touch_starting("CTA.AHORRO PN SOLES");
    kiosk.until_screen(UiScreen::Summary);
    assert!(kiosk.shows("Monto a debitar"), "{:?}", kiosk.labels());
    kiosk.touch("Confirmar pago");
    kiosk.until_screen(UiScreen::PaymentDone);
    assert!(kiosk.shows("Pago realizado"), "{:?}", kiosk.labels());
    let controller = kiosk.controller.borrow();
    let Screen::Payment(Payment::Done { payment, .. }) = controller.session().screen() else {
        panic!("{:?}", controller.session().screen())
    };
    payment.clone()
}

#[test]
fn a_full_installment_payment_through_the_window_ends_in_a_printed_receipt() {
    let kiosk = LiveKiosk::start();
    kiosk.log_in();
    let payment = pay_due_installment(&kiosk);
    kiosk.touch("Continuar");
    kiosk.until_screen(UiScreen::Delivery);
    kiosk.touch("Imprimir");
    kiosk.until_shows("Retire su constancia impresa.");

    // On paper (the emulator's file for the cut): the operation, the loan, the amounts; no card number.
    let receipts = kiosk.stack.receipt_files();
    assert_eq!(receipts.len(), 1, "one receipt cut: {receipts:?}");
    let printed = &receipts[0];
    assert!(printed.contains(&payment.operation_number), "{printed}");
    assert!(printed.contains(&payment.loan_number), "{printed}");
    assert!(printed.contains(&format!("Total pagado:{:>35}", payment.amount.to_string())), "{printed}");
    assert!(printed.contains(&payment.debit.to_string()), "{printed}");
    assert!(!printed.contains(CARD) && !printed.contains(&CARD[..6]), "no card number: {printed}");
    assert!(longest_digit_run(printed) < 13, "nothing as long as a card number: {printed}");

    // In the journal: the approved operation, then the receipt kept for reprints (journaled as owed when the
    // payment was done, and again once printed).
    let records = kiosk.stack.journal();
    assert!(records.iter().any(|r| matches!(&r.event,
        JournalEvent::Operation { operation, outcome: Outcome::Approved, .. } if *operation == payment.operation_number)));
    let receipt = records
        .iter()
        .find_map(|r| match &r.event {
            JournalEvent::Receipt { operation, printed: true, text, .. } if *operation == payment.operation_number => {
                Some((true, text.as_str().to_owned()))
            }
            _ => None,
        })
        .expect("the receipt is journaled");
    assert!(receipt.0, "journaled as printed");
    assert!(receipt.1.contains(&payment.operation_number));
    assert!(records.iter().all(|r| !serde_json::to_string(&r.event).unwrap().contains(CARD)));
    assert!(
        records.iter().any(|r| serde_json::to_string(&r.event).unwrap().contains("**** **** **** 0010")),
        "the session is journaled with the card masked"
    );

    // In the outbox and at the central: applied once, under the session's operation id.
    let stored = kiosk.block_on(kiosk.stack.runtime().outbox().list(vec![])).unwrap();
    let payments: Vec<_> = stored.iter().filter(|c| c.kind == CommandKind::Payment).collect();
    assert_eq!(payments.len(), 1, "{payments:?}");
    assert_eq!(payments[0].key, payment.operation_id);
    assert_eq!(payments[0].state, State::Done);
    let (account, movements) = kiosk.block_on(kiosk.stack.central_account(SAVINGS));
    let opening: rust_decimal::Decimal = SAVINGS_OPENING.parse().unwrap();
    assert_eq!(account.balance.amount, opening - payment.debit.amount);
    let charges = movements.iter().filter(|m| m.amount.amount == -payment.debit.amount).count();
    assert_eq!(charges, 1, "{movements:?}");

    // The customer ends the session: the attract screen, nothing of theirs left.
    kiosk.touch("Terminar");
    kiosk.until_screen(UiScreen::Attract);
    assert!(!kiosk.controller.borrow().session().holds_secrets());
}

#[test]
fn an_affiliation_through_the_window_is_confirmed_with_the_code_the_simulator_sent_by_sms() {
    let kiosk = LiveKiosk::start();
    kiosk.log_in();
    kiosk.touch("Compras por internet");
    kiosk.until_screen(UiScreen::Internet);
    kiosk.touch("Afiliación");
    kiosk.until_screen(UiScreen::ChooseAccount);
    kiosk.touch_starting("CTA.AHORRO PN SOLES");
    kiosk.touch("Continuar");
    kiosk.until_screen(UiScreen::Code);

    // The code reaches the customer's phone: the newest SMS in the simulator's outbox (the demo panel's
    // "last SMS"); the screen names the phone masked.
    let (phone, code) = sms_code(&kiosk.block_on(kiosk.stack.central_outbox())).expect("an SMS with a code was sent");
    assert_eq!(phone, "951234480");
    assert!(kiosk.shows("Enviamos un código de 6 dígitos por SMS a su celular 95*****480."), "{:?}", kiosk.labels());
    assert!(!kiosk.labels().iter().any(|label| label.contains(&code)), "the code is never shown");
    kiosk.type_digits(&code);
    kiosk.touch("Confirmar");
    kiosk.until_screen(UiScreen::Done);
    assert!(kiosk.shows("Afiliación realizada"), "{:?}", kiosk.labels());

    let stored = kiosk.block_on(kiosk.stack.runtime().outbox().list(vec![])).unwrap();
    let affiliations: Vec<_> = stored.iter().filter(|c| c.kind == CommandKind::Affiliation).collect();
    assert_eq!(affiliations.len(), 1, "{stored:?}");
    assert_eq!(affiliations[0].state, State::Done);
    assert!(!affiliations[0].payload.to_string().contains(&code), "the code is not stored");
    assert!(kiosk.stack.journal().iter().all(|r| !serde_json::to_string(&r.event).unwrap().contains(&code)));
    // The constancia is offered (print, e-mail, both, none); then the central holds the affiliation: the
    // service now offers to disaffiliate the account instead.
    kiosk.touch("Continuar");
    kiosk.until_screen(UiScreen::Delivery);
    kiosk.touch("No, gracias");
    kiosk.until_screen(UiScreen::Notice);
    kiosk.touch("Sí, otra operación");
    kiosk.until_screen(UiScreen::Menu);
    kiosk.touch("Compras por internet");
    kiosk.until_screen(UiScreen::Internet);
    assert!(kiosk.shows("Cuenta afiliada"), "{:?}", kiosk.labels());
    let controller = kiosk.controller.borrow();
    let Screen::Internet(Internet::Menu { affiliated: Some(account), .. }) = controller.session().screen() else {
        panic!("the central lists no affiliated account: {:?}", controller.session().screen())
    };
    assert_eq!(account.id, SAVINGS);
}

#[test]
fn a_wrong_clave_three_times_locks_the_card_at_the_central_and_sends_the_customer_to_the_counter() {
    let kiosk = LiveKiosk::start();
    kiosk.identify("111111");
    for attempts_left in [2, 1] {
        kiosk.until_shows(&if attempts_left == 1 {
            "Clave incorrecta. Le queda 1 intento: si vuelve a equivocarse, su tarjeta se bloqueará.".to_owned()
        } else {
            format!("Clave incorrecta. Le quedan {attempts_left} intentos.")
        });
        assert_eq!(kiosk.screen(), UiScreen::Clave);
        assert!(kiosk.shows("0 de 6 dígitos ingresados"), "the entry starts again: {:?}", kiosk.labels());
        kiosk.type_digits("111111");
        kiosk.touch("Continuar");
    }
    kiosk.until_shows("Su tarjeta está bloqueada");
    assert_eq!(kiosk.screen(), UiScreen::Notice);
    kiosk.touch("Aceptar");
    kiosk.until_screen(UiScreen::Attract);
    assert!(!kiosk.controller.borrow().session().holds_secrets());

    // Locked at the central: even the right clave is refused now.
    kiosk.identify(crate::stack::CLAVE);
    kiosk.until_shows("Su tarjeta está bloqueada");
    let stored = kiosk.block_on(kiosk.stack.runtime().outbox().list(vec![])).unwrap();
    assert!(stored.is_empty(), "identification changes nothing through the outbox: {stored:?}");
}

#[test]
fn inactivity_through_the_window_shows_the_countdown_then_ends_the_session_and_returns_to_attract() {
    let kiosk = LiveKiosk::start();
    kiosk.log_in();
    let customer = kiosk.ui.global::<Kiosk>().get_customer();
    assert!(!customer.is_empty());
    let idle_at = *kiosk.controller.borrow().timers().get(&Timer::Idle).expect("the idle timer is armed");
    let wait = (idle_at - kiosk.now.get()).num_seconds();
    kiosk.advance(wait - 1);
    assert!(!kiosk.ui.global::<Kiosk>().get_countdown_visible(), "not before the idle time");
    kiosk.advance(1);
    assert!(kiosk.ui.global::<Kiosk>().get_countdown_visible());
    assert!(kiosk.shows("¿Necesita más tiempo?"), "{:?}", kiosk.labels());
    let countdown_at = *kiosk.controller.borrow().timers().get(&Timer::Countdown).expect("the countdown is armed");
    let left = (countdown_at - kiosk.now.get()).num_seconds();
    assert_eq!(i64::from(kiosk.ui.global::<Kiosk>().get_countdown_seconds()), left);
    kiosk.advance(left);
    assert_eq!(kiosk.screen(), UiScreen::Attract);
    assert!(!kiosk.ui.global::<Kiosk>().get_countdown_visible());
    assert_eq!(kiosk.ui.global::<Kiosk>().get_customer(), "");
    assert!(!kiosk.controller.borrow().session().holds_secrets());

    // The runtime journals the end (its journal thread writes behind the window): wait for the record.
    let deadline = std::time::Instant::now() + PATIENCE;
    let ended = loop {
        let ended = kiosk.stack.journal().into_iter().find_map(|r| match r.event {
            JournalEvent::SessionEnded { reason, .. } => Some(reason.as_str().to_owned()),
            _ => None,
        });
        if let Some(ended) = ended {
            break ended;
        }
        assert!(std::time::Instant::now() < deadline, "the session's end was never journaled");
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(ended, "inactividad");

    // The next customer starts from scratch.
    kiosk.log_in();
    assert_eq!(kiosk.ui.global::<Kiosk>().get_customer(), customer);
}

#[test]
fn with_the_emulated_printer_out_of_paper_the_receipt_is_offered_and_sent_by_email() {
    let kiosk = LiveKiosk::start();
    kiosk.until("the printer to be seen", |k| k.controller.borrow().session().printer_ready());
    kiosk.stack.control().set_paper(SimPaper::Out);
    kiosk.until("the printer to report paper out", |k| !k.controller.borrow().session().printer_ready());
    kiosk.log_in();
    let payment = pay_due_installment(&kiosk);
    kiosk.touch("Continuar");
    kiosk.until_screen(UiScreen::Delivery);
    assert!(!kiosk.shows("Imprimir"), "printing is not offered without paper: {:?}", kiosk.labels());
    kiosk.touch("Enviar por correo");
    kiosk.touch("Otro correo");
    let address = "jesus@caja.pe";
    for key in ["j", "e", "s", "u", "s", "@", "c", "a", "j", "a", ".pe"] {
        kiosk.touch(key);
    }
    assert_eq!(kiosk.ui.global::<Kiosk>().get_typed(), address);
    kiosk.touch("Enviar");
    kiosk.until_screen(UiScreen::Notice);

    // The e-mail is stored in the outbox (once its PDF is rendered), sent, and reaches the simulator.
    let email = kiosk.stored(CommandKind::Email);
    let done = kiosk.block_on(kiosk.stack.runtime().outbox().wait_final(email.id, PATIENCE)).unwrap();
    assert_eq!(done.map(|done| done.state), Some(State::Done));
    let stored = kiosk.block_on(kiosk.stack.runtime().outbox().list(vec![])).unwrap();
    assert_eq!(stored.iter().filter(|c| c.kind == CommandKind::Email).count(), 1, "sent once: {stored:?}");
    let messages = kiosk.block_on(kiosk.stack.central_outbox());
    let email = messages
        .iter()
        .find(|m| m.channel == servicaja_core::api::OutboxChannel::Email && m.to == address)
        .expect("the simulator received the e-mail");
    assert!(email.subject.contains(&payment.operation_number), "{email:?}");
    assert!(email.body.contains(&payment.amount.to_string()), "{email:?}");
    assert!(!email.body.contains(CARD), "{email:?}");
    assert!(kiosk.stack.control().receipts().is_empty(), "nothing was printed");
    assert!(kiosk.stack.receipt_files().is_empty());
}

#[test]
fn in_production_mode_the_window_is_full_screen_without_a_pointer_and_in_demo_mode_a_window() {
    i_slint_backend_testing::init_no_event_loop();
    let loaded = servicaja_runtime::config::load(None).unwrap();
    assert_eq!(loaded.settings.kiosk.mode, servicaja_core::settings::Mode::Demo, "the embedded default");
    let demo = servicaja_ui::KioskWindow::new().unwrap();
    servicaja_ui::present(&demo, &loaded.settings);
    assert!(!demo.window().is_fullscreen());
    assert!(!demo.global::<Theme>().get_hide_pointer());
    assert_eq!(demo.global::<Kiosk>().get_agency(), loaded.settings.kiosk.agency_name.as_str());

    let mut settings = loaded.settings.clone();
    settings.kiosk.mode = servicaja_core::settings::Mode::Production;
    let hardware = servicaja_ui::KioskWindow::new().unwrap();
    servicaja_ui::present(&hardware, &settings);
    assert!(hardware.window().is_fullscreen());
    assert!(hardware.global::<Theme>().get_hide_pointer());
    assert_eq!(hardware.global::<Kiosk>().get_kiosk_id(), settings.kiosk.id.as_str());
}
