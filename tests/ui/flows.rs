//! Flows driven through the window: wrong clave three times, a full installment payment ending in a print,
//! an affiliation with the SMS code, the inactivity timeout, paper out → email offered.

use i_slint_backend_testing::AccessibleRole;
use i_slint_backend_testing::ElementHandle;
use servicaja_session::Effect;
use servicaja_session::contract::Command;
use servicaja_session::{Document, EndReason, ErrorCode, Event, Failure, PaperStatus, Problem, Timer};
use slint::ComponentHandle;

use servicaja_ui::Screen;
use servicaja_ui::rig::Rig;
use servicaja_ui::{DeliveryFlow, DeliveryStep, Kiosk, KioskWindow, fixtures};

pub(super) fn window() -> KioskWindow {
    i_slint_backend_testing::init_no_event_loop();
    let ui = KioskWindow::new().expect("the window builds");
    ui.show().expect("the window shows");
    ui
}

/// The payment was submitted interactively, its receipt printed, and the notice asks to take it.
pub(super) fn assert_paid_and_printed(ui: &KioskWindow, rig: &Rig) {
    let script = rig.script.borrow();
    let paid =
        script.effects.iter().any(|e| matches!(e, Effect::Submit { command: Command::Pay(_), interactive: true, .. }));
    assert!(paid, "the payment was submitted");
    let printed =
        script.effects.iter().any(|e| matches!(e, Effect::Print { document: Document::PaymentReceipt { .. }, .. }));
    assert!(printed, "the receipt was printed");
    drop(script);
    assert_eq!(screen(ui), Screen::Notice);
    assert!(shows(ui, "Retire su constancia impresa."));
}

pub(super) fn find(ui: &KioskWindow, label: &str) -> Vec<ElementHandle> {
    ElementHandle::find_by_accessible_label(ui, label).collect()
}

pub(super) fn shows(ui: &KioskWindow, label: &str) -> bool {
    !find(ui, label).is_empty()
}

/// Touches the one visible control labelled `label`.
pub(super) fn touch(ui: &KioskWindow, label: &str) {
    let found: Vec<ElementHandle> = find(ui, label)
        .into_iter()
        .filter(|e| matches!(e.accessible_role(), Some(AccessibleRole::Button | AccessibleRole::Checkbox)))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one control labelled {label:?} on screen {:?}",
        ui.global::<Kiosk>().get_screen()
    );
    found[0].invoke_accessible_default_action();
}

pub(super) fn type_digits(ui: &KioskWindow, digits: &str) {
    for digit in digits.chars() {
        touch(ui, &digit.to_string());
    }
}

pub(super) fn screen(ui: &KioskWindow) -> Screen {
    ui.global::<Kiosk>().get_screen()
}

fn refusal(code: ErrorCode, attempts_left: Option<u32>) -> Result<servicaja_session::Reply, Failure> {
    let mut problem = Problem::new(code, "rechazado");
    problem.attempts_left = attempts_left;
    Err(Failure::Refused(problem))
}

fn login(ui: &KioskWindow, rig: &Rig) {
    rig.swipe();
    rig.show_dni();
    type_digits(ui, fixtures::CLAVE);
    touch(ui, "Continuar");
    assert_eq!(screen(ui), Screen::Menu);
}

#[test]
fn a_wrong_clave_three_times_locks_the_card_and_sends_the_customer_to_the_counter() {
    let ui = window();
    let rig = Rig::new(&ui);
    {
        let mut script = rig.script.borrow_mut();
        script.answers.push_back(refusal(ErrorCode::ClaveInvalid, Some(2)));
        script.answers.push_back(refusal(ErrorCode::ClaveInvalid, Some(1)));
        script.answers.push_back(refusal(ErrorCode::CardLocked, Some(0)));
    }
    rig.swipe();
    rig.show_dni();
    for attempts_left in [2, 1] {
        assert_eq!(screen(&ui), Screen::Clave);
        type_digits(&ui, "111111");
        assert!(shows(&ui, "6 de 6 dígitos ingresados"), "the dots show six digits typed");
        touch(&ui, "Continuar");
        assert_eq!(screen(&ui), Screen::Clave);
        let line = if attempts_left == 1 {
            "Clave incorrecta. Le queda 1 intento: si vuelve a equivocarse, su tarjeta se bloqueará.".to_owned()
        } else {
            format!("Clave incorrecta. Le quedan {attempts_left} intentos.")
        };
        assert!(shows(&ui, &line), "{line}");
        assert!(shows(&ui, "0 de 6 dígitos ingresados"), "the entry starts again");
    }
    type_digits(&ui, "111111");
    touch(&ui, "Continuar");
    assert_eq!(screen(&ui), Screen::Notice);
    assert!(shows(&ui, "Su tarjeta está bloqueada"));
    touch(&ui, "Aceptar");
    assert_eq!(screen(&ui), Screen::Attract);
    assert!(!rig.controller.borrow().session().holds_secrets());
}

#[test]
fn a_full_installment_payment_ends_in_a_printed_receipt() {
    let ui = window();
    let rig = Rig::new(&ui);
    login(&ui, &rig);
    touch(&ui, "Pagar cuotas");
    assert_eq!(screen(&ui), Screen::Loans);
    touch(&ui, "CRÉDITO CONSUMO S/ 520.00");
    assert_eq!(screen(&ui), Screen::Loan);
    touch(&ui, "Pagar cuota S/ 520.00");
    assert_eq!(screen(&ui), Screen::Accounts);
    touch(&ui, "AHORRO PN SOLES S/ 2,500.00");
    assert_eq!(screen(&ui), Screen::Summary);
    assert!(shows(&ui, "Monto a debitar"));
    touch(&ui, "Confirmar pago");
    assert_eq!(screen(&ui), Screen::PaymentDone);
    assert!(shows(&ui, "Pago realizado"));
    touch(&ui, "Continuar");
    assert_eq!(screen(&ui), Screen::Delivery);
    touch(&ui, "Imprimir");
    assert_paid_and_printed(&ui, &rig);
}

#[test]
fn an_affiliation_is_confirmed_with_the_sms_code() {
    let ui = window();
    let rig = Rig::new(&ui);
    login(&ui, &rig);
    touch(&ui, "Compras por internet");
    touch(&ui, "Afiliación");
    assert_eq!(screen(&ui), Screen::ChooseAccount);
    assert!(!shows(&ui, "AHORRO PN SOLES S/ 800.00"), "a joint account is not offered (R2)");
    touch(&ui, "AHORRO PN SOLES S/ 2,500.00");
    touch(&ui, "Continuar");
    assert_eq!(screen(&ui), Screen::Code);
    assert!(shows(&ui, "Enviamos un código de 6 dígitos por SMS a su celular 95*****480."));
    type_digits(&ui, "123456");
    touch(&ui, "Confirmar");
    assert_eq!(screen(&ui), Screen::Done);
    assert!(shows(&ui, "Afiliación realizada"));
    let script = rig.script.borrow();
    let affiliated = script.effects.iter().any(|e| {
        matches!(e, Effect::Submit { command: Command::Affiliate { account_id, .. }, credentials, .. }
            if account_id == "A1" && credentials.otp.is_some())
    });
    assert!(affiliated, "the affiliation carried the typed code");
}

#[test]
fn inactivity_shows_the_countdown_then_returns_to_attract_with_the_secrets_gone() {
    let ui = window();
    let rig = Rig::new(&ui);
    login(&ui, &rig);
    let idle_at = *rig.controller.borrow().timers().get(&Timer::Idle).expect("the idle timer is armed");
    let wait = (idle_at - rig.now.get()).num_seconds();
    rig.advance(wait - 1);
    assert!(!ui.global::<Kiosk>().get_countdown_visible(), "not before the idle time");
    rig.advance(1);
    assert!(ui.global::<Kiosk>().get_countdown_visible());
    assert!(shows(&ui, "¿Necesita más tiempo?"));
    let countdown_at = *rig.controller.borrow().timers().get(&Timer::Countdown).expect("the countdown is armed");
    let left = (countdown_at - rig.now.get()).num_seconds();
    assert_eq!(i64::from(ui.global::<Kiosk>().get_countdown_seconds()), left);
    rig.advance(left);
    assert_eq!(screen(&ui), Screen::Attract);
    assert!(!ui.global::<Kiosk>().get_countdown_visible());
    assert_eq!(ui.global::<Kiosk>().get_customer(), "");
    assert!(!rig.controller.borrow().session().holds_secrets());
    let ended =
        rig.script.borrow().effects.iter().any(|e| matches!(e, Effect::SessionEnded { reason: EndReason::Inactivity }));
    assert!(ended);
}

#[test]
fn with_the_paper_out_the_receipt_is_offered_by_email() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.send(Event::Paper(PaperStatus::Out));
    login(&ui, &rig);
    touch(&ui, "Pagar cuotas");
    touch(&ui, "CRÉDITO CONSUMO S/ 520.00");
    touch(&ui, "Pagar cuota S/ 520.00");
    touch(&ui, "AHORRO PN SOLES S/ 2,500.00");
    touch(&ui, "Confirmar pago");
    touch(&ui, "Continuar");
    assert_eq!(screen(&ui), Screen::Delivery);
    assert!(!shows(&ui, "Imprimir"), "printing is not offered without paper");
    touch(&ui, "Enviar por correo");
    // Another address than the registered one.
    touch(&ui, "Otro correo");
    for key in ["j", "e", "s", "u", "s", "@", "c", "a", "j", "a", ".pe"] {
        touch(&ui, key);
    }
    assert_eq!(ui.global::<Kiosk>().get_typed(), "jesus@caja.pe");
    touch(&ui, "Enviar");
    let script = rig.script.borrow();
    let emailed = script.effects.iter().any(
        |e| matches!(e, Effect::Submit { command: Command::EmailDocument { to, .. }, .. } if to == "jesus@caja.pe"),
    );
    assert!(emailed, "the receipt was emailed");
    assert!(!script.effects.iter().any(|e| matches!(e, Effect::Print { .. })), "nothing was printed");
}

#[test]
fn imprimir_on_the_movements_prints_the_balance_slip() {
    let ui = window();
    let rig = Rig::new(&ui);
    login(&ui, &rig);
    touch(&ui, "Consultar saldos");
    assert_eq!(screen(&ui), Screen::Accounts);
    touch(&ui, "AHORRO PN SOLES S/ 2,500.00");
    assert_eq!(screen(&ui), Screen::Movements);
    touch(&ui, "Imprimir");
    let printed = rig
        .script
        .borrow()
        .effects
        .iter()
        .any(|e| matches!(e, Effect::Print { document: Document::BalanceSlip { .. }, .. }));
    assert!(printed, "the balance slip was printed");
    assert_eq!(screen(&ui), Screen::Notice);
    assert!(shows(&ui, "Retire su constancia impresa."));
}

#[test]
fn with_the_paper_out_the_movements_are_offered_by_email() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.send(Event::Paper(PaperStatus::Out));
    login(&ui, &rig);
    touch(&ui, "Consultar saldos");
    touch(&ui, "AHORRO PN SOLES S/ 2,500.00");
    assert_eq!(screen(&ui), Screen::Movements);
    assert!(!shows(&ui, "Imprimir"), "printing is not offered without paper");
    touch(&ui, "Enviar por correo");
    assert_eq!(screen(&ui), Screen::Delivery);
    assert_eq!(ui.global::<DeliveryFlow>().get_step(), DeliveryStep::EmailChoice);
    touch(&ui, "Otro correo");
    assert_eq!(ui.global::<DeliveryFlow>().get_step(), DeliveryStep::Email);
    for key in ["a", "n", "a", "@", "c", "a", "j", "a", ".pe"] {
        touch(&ui, key);
    }
    touch(&ui, "Enviar");
    let script = rig.script.borrow();
    let emailed = script.effects.iter().any(|e| {
        matches!(e, Effect::Submit { command: Command::EmailDocument { to, document: Document::BalanceSlip { .. } }, .. }
            if to == "ana@caja.pe")
    });
    assert!(emailed, "the slip was emailed");
    assert!(!script.effects.iter().any(|e| matches!(e, Effect::Print { .. })), "nothing was printed");
}
