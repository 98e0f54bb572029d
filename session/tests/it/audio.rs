//! Issue 17, audio mode: whole flows driven by the tactile keypad alone (no touch event), asserting what
//! the kiosk says at each step (worded by `servicaja-speech` from the session's `Speak` cues); every screen
//! says something; no utterance carries the clave, the SMS code or the card number.

use std::collections::BTreeSet;

use servicaja_core::api::{AffiliationOperation, PaymentOption};
use servicaja_core::money::Currency;
use servicaja_session::state::{Notice, Payment, Screen, Then};
use servicaja_session::{Command, Cue, Effect, EndReason, Event, KeypadKey, PrintOutcome, Reply, SessionConfig};

use crate::harness::*;

/// The harness's kiosk with an ear: everything said since the start, and what the last event said.
struct Listener {
    k: Kiosk,
    heard: Vec<String>,
    last: String,
    visited: BTreeSet<&'static str>,
}

impl Listener {
    fn new() -> Self {
        Self::with(Kiosk::new())
    }

    fn with(k: Kiosk) -> Self {
        Self { k, heard: Vec::new(), last: String::new(), visited: BTreeSet::new() }
    }

    /// Records what the last event made the kiosk say, and checks that the screen on show says something.
    fn listen(&mut self) -> &str {
        let mut said = Vec::new();
        for effect in &self.k.effects {
            if let Effect::Speak(cue) = effect {
                said.extend(servicaja_speech::say(&self.k.session, *cue, self.k.now).into_iter().map(|u| u.text));
            }
        }
        let screen = servicaja_speech::screen(&self.k.session, self.k.now);
        assert!(
            screen.iter().any(|u| !u.text.trim().is_empty()),
            "the screen {:?} says nothing",
            self.k.session.screen()
        );
        self.visited.insert(variant(self.k.session.screen()));
        self.heard.extend(screen.into_iter().map(|u| u.text));
        self.heard.extend(said.iter().cloned());
        self.last = said.join(" | ");
        &self.last
    }

    fn press(&mut self, key: KeypadKey) -> &str {
        self.k.send(Event::Keypad(key));
        self.listen()
    }

    fn digits(&mut self, text: &str) {
        for c in text.chars() {
            let d = c.to_digit(10).unwrap() as u8;
            let said = self.press(KeypadKey::Digit(d)).to_owned();
            assert!(said.contains("ingresado"), "{said}");
        }
    }

    fn answer(&mut self, reply: Reply) -> &str {
        self.k.answer(reply);
        self.listen()
    }

    fn event(&mut self, event: Event) -> &str {
        self.k.send(event);
        self.listen()
    }

    fn says(&self, needle: &str) {
        assert!(self.last.contains(needle), "expected «{needle}» in «{}»", self.last);
    }

    /// Audio key, card, DNI and clave, all without a touch: ends on the menu.
    fn log_in(&mut self) {
        self.press(KeypadKey::Audio);
        self.says("Modo de audio activado");
        self.says("Para comenzar con su tarjeta, pulse 1.");
        self.says("Para crear su clave, pulse 2.");
        self.press(KeypadKey::Digit(1));
        self.says("Deslice su tarjeta");
        self.k.swipe();
        self.listen();
        self.says("La tarjeta terminada en uno uno uno uno.");
        self.says("Coloque su DNI");
        self.k.show_dni();
        self.listen();
        self.says("Ingrese su clave de seis dígitos");
        self.says("Ningún dígito ingresado");
        self.press(KeypadKey::Digit(4));
        self.says("Un dígito ingresado");
        self.press(KeypadKey::Enter);
        self.says("Un dígito ingresado");
        self.press(KeypadKey::Clear);
        self.says("Ningún dígito ingresado");
        self.digits(CLAVE);
        self.says("Seis dígitos ingresados");
        self.press(KeypadKey::Enter);
        self.says("Un momento, por favor.");
        self.answer(Reply::SessionOpened(session_opened()));
        self.says("Menú principal.");
        self.says(
            "Para pagar cuotas, pulse 1. | Para consultar saldos, pulse 2. | Para compras por internet, pulse 3.",
        );
        self.says("Para registrar una solicitud, pulse 5. | Para escuchar información de la caja, pulse 6. | For English, press 7.");
        self.says("Para terminar, pulse Cancelar.");
        assert_eq!(self.k.screen(), &Screen::Menu);
    }

    fn assert_no_secret_was_said(&self) {
        let all = self.heard.join("\n");
        for secret in [CLAVE, CARD, "731904", "411111", "cuatro ocho dos nueve uno cinco", "siete tres uno nueve"] {
            assert!(!all.contains(secret), "«{secret}» was said:\n{all}");
        }
    }
}

/// Every screen of the session, by name: a new variant breaks this match, and the flows below must visit it.
fn variant(screen: &Screen) -> &'static str {
    match screen {
        Screen::Attract => "attract",
        Screen::OutOfService { .. } => "out-of-service",
        Screen::Identify(_) => "identify",
        Screen::Menu => "menu",
        Screen::Balances(_) => "balances",
        Screen::Payment(_) => "payment",
        Screen::Internet(_) => "internet",
        Screen::Certificates(_) => "certificates",
        Screen::Requests(_) => "requests",
        Screen::Enrollment(_) => "enrollment",
        Screen::Information(_) => "information",
        Screen::Delivery(_) => "delivery",
        Screen::Notice { .. } => "notice",
    }
}

fn pay_by_keypad(a: &mut Listener) {
    a.log_in();
    a.press(KeypadKey::Digit(1));
    a.says("Un momento");
    a.answer(Reply::Loans(vec![loan("L1", Currency::PEN, 0, true)]));
    a.says("Tiene un crédito. Elija el crédito a pagar.");
    a.says("Para el crédito consumo terminado en");
    a.press(KeypadKey::Digit(1));
    a.says("Cuota exigible: quinientos veinte soles con cero céntimos, vence el miércoles 25 de noviembre de 2026.");
    a.says("Para pagar la cuota exigible, pulse 1.");
    a.press(KeypadKey::Digit(9));
    a.says("Esa tecla no corresponde a ninguna opción.");
    a.press(KeypadKey::Repeat);
    a.says("Cuota exigible");
    a.press(KeypadKey::Digit(1));
    a.answer(Reply::Accounts(accounts()));
    a.says("Monto a pagar: quinientos veinte soles con cero céntimos.");
    a.says("Para la cuenta ahorro pn soles terminada en uno uno uno cero, saldo dos mil quinientos soles con cero céntimos, pulse 1.");
    let account = accounts().remove(0);
    a.press(KeypadKey::Digit(1));
    a.says("Un momento");
    let l = loan("L1", Currency::PEN, 0, true);
    let q = quote(&l, &account, PaymentOption::DueInstallment, pen("520.00"), pen("520.00"));
    a.answer(Reply::Quote(q.clone()));
    a.says("Resumen del pago.");
    a.says("Pagar la cuota exigible. Monto: quinientos veinte soles con cero céntimos.");
    a.says("Se debitará de cuenta ahorro pn soles terminada en uno uno uno cero.");
    a.says("Pulse Enter para pagar");
    a.press(KeypadKey::Enter);
    let key = match a.k.submits().as_slice() {
        [(Command::Pay(request), true)] => request.operation_id,
        other => panic!("{other:?}"),
    };
    assert!(matches!(a.k.screen(), Screen::Payment(Payment::Processing { .. })));
    a.answer(Reply::PaymentDone(payment_done(&q, key)));
    a.says("Pago realizado.");
    a.says("Monto pagado: quinientos veinte soles con cero céntimos.");
    a.says("Número de operación: O P cero cero cero uno dos tres.");
    a.press(KeypadKey::Enter);
    a.says("¿Cómo desea recibir su constancia?");
    a.says("Para imprimir, pulse 1. | Para enviar por correo, pulse 2. | Para imprimir y enviar por correo, pulse 3. | Para ver el código QR en pantalla, pulse 4. | Para escuchar su constancia, pulse 5. | Para no recibirla, pulse 6.");
    a.press(KeypadKey::Digit(5));
    a.says("Comprobante de pago.");
    a.says("Número de operación: O P cero cero cero uno dos tres.");
    a.says("quinientos veinte soles con cero céntimos");
    a.press(KeypadKey::Digit(1));
    a.says("Imprimiendo");
    a.k.finish_printing(PrintOutcome::Printed);
    a.listen();
    a.says("Retire su constancia impresa.");
    a.says("¿Desea realizar otra operación?");
    a.says("Para realizar otra operación, pulse 1. | Para terminar, pulse 2.");
    a.press(KeypadKey::Digit(2));
    a.says("Su sesión terminó.");
}

#[test]
fn an_installment_payment_by_keypad_alone_in_audio_mode() {
    let mut a = Listener::new();
    pay_by_keypad(&mut a);
    assert!(a.k.ended());
    assert_eq!(a.k.session.audio(), None, "audio mode ends with the session");
    assert!(!a.k.session.holds_secrets());
    a.assert_no_secret_was_said();
}

#[test]
fn a_balance_inquiry_by_keypad_alone_in_audio_mode() {
    let mut a = Listener::new();
    a.log_in();
    a.press(KeypadKey::Digit(2));
    a.answer(Reply::Accounts(accounts()));
    a.says("Consultar saldos.");
    a.says("Tiene cuatro cuentas.");
    a.says(
        "Para la cuenta ahorro pn dólares terminada en uno dos uno cero, saldo mil dólares con cero centavos, pulse 4.",
    );
    a.press(KeypadKey::Digit(1));
    a.answer(Reply::Movements(movements()));
    a.says("Cuenta ahorro pn soles terminada en uno uno uno cero. Saldo: dos mil quinientos soles con cero céntimos.");
    a.says("Para imprimir, pulse 1.");
    a.says("Para volver, pulse Cancelar.");
    a.press(KeypadKey::Cancel);
    a.says("Tiene cuatro cuentas.");
    a.press(KeypadKey::Cancel);
    a.says("Menú principal.");
    a.press(KeypadKey::Cancel);
    a.says("Su sesión terminó.");
    assert!(a.k.all.iter().any(|e| matches!(e, Effect::SessionEnded { reason: EndReason::Customer })));
    a.assert_no_secret_was_said();
}

#[test]
fn an_internet_purchase_affiliation_by_keypad_alone_in_audio_mode() {
    let mut a = Listener::new();
    a.log_in();
    a.press(KeypadKey::Digit(3));
    a.answer(Reply::Accounts(accounts()));
    a.says("Compras por Internet.");
    a.says("No tiene una cuenta afiliada.");
    a.says("Para afiliar una cuenta, pulse 1. | Para desafiliar su cuenta, pulse 2.");
    a.press(KeypadKey::Digit(1));
    a.says("Elija la cuenta a afiliar y pulse Enter.");
    a.says("Para la cuenta ahorro pn soles terminada en uno uno uno cero, pulse 1. | Para la cuenta ahorro pn dólares terminada en uno dos uno cero, pulse 2.");
    a.press(KeypadKey::Digit(2));
    a.says("Elegida: cuenta ahorro pn dólares terminada en uno dos uno cero.");
    a.press(KeypadKey::Enter);
    a.answer(Reply::OtpSent(otp_sent("OTP-1")));
    a.says("Enviamos un código por SMS a su celular terminado en cuatro ocho cero.");
    a.says("Ningún dígito ingresado");
    a.digits("731904");
    a.says("Seis dígitos ingresados");
    a.press(KeypadKey::Enter);
    match a.k.submits().as_slice() {
        [(Command::Affiliate { account_id, .. }, true)] => assert_eq!(account_id, "A4"),
        other => panic!("{other:?}"),
    }
    a.answer(Reply::Affiliation(constancia(AffiliationOperation::Affiliation)));
    a.says("Afiliación realizada.");
    a.says("Número de operación:");
    a.press(KeypadKey::Enter);
    a.says("Para escuchar su constancia, pulse 5.");
    a.press(KeypadKey::Digit(5));
    a.says("Constancia de afiliación.");
    a.press(KeypadKey::Digit(6));
    a.says("Gracias por usar ServiCaja.");
    assert!(matches!(a.k.screen(), Screen::Notice { notice: Notice::Delivered { .. }, then: Then::Another }));
    a.press(KeypadKey::Digit(2));
    a.says("Su sesión terminó.");
    a.assert_no_secret_was_said();
}

#[test]
fn audio_mode_lengthens_the_time_limits_speaks_the_countdown_and_any_key_extends_it() {
    let mut a = Listener::new();
    a.log_in();
    let audio = SessionConfig::default().audio;
    assert_eq!(
        a.k.timers.get(&servicaja_session::Timer::Idle),
        Some(&(a.k.now + chrono::Duration::seconds(audio.idle_seconds.into())))
    );
    assert!(audio.idle_seconds > SessionConfig::default().timing.idle_seconds);
    a.k.fire(servicaja_session::Timer::Idle);
    a.listen();
    assert!(a.k.effects.contains(&Effect::Speak(Cue::Countdown)));
    a.says("Su sesión terminará en cuarenta y cinco segundos. Pulse cualquier tecla para continuar.");
    a.press(KeypadKey::Digit(8));
    assert_eq!(a.k.session.countdown_until(), None, "a key hides the countdown");
    assert!(a.k.timers.contains_key(&servicaja_session::Timer::Idle));
    // Volume: up and down within its bounds, back to the default for the next customer.
    a.press(KeypadKey::VolumeUp);
    a.says("Volumen seis");
    for _ in 0..20 {
        a.press(KeypadKey::VolumeUp);
    }
    a.says("Volumen diez");
    assert_eq!(a.k.effects.first(), Some(&Effect::StopSpeaking), "a key interrupts the speech first");
    a.press(KeypadKey::Help);
    a.says("Enter confirma");
    a.press(KeypadKey::Cancel);
    a.press(KeypadKey::Audio);
    assert_eq!(a.k.session.audio().map(|audio| audio.volume), Some(audio.default_volume));
}

#[test]
fn english_follows_the_session_language() {
    let mut a = Listener::new();
    a.press(KeypadKey::Audio);
    a.says("For English, press 5.");
    a.press(KeypadKey::Digit(5));
    assert_eq!(a.k.session.language(), servicaja_core::settings::Language::En);
    a.says("To start with your card, press 1.");
    a.says("Para español, pulse 5.");
    a.press(KeypadKey::Digit(1));
    a.says("Swipe your card");
}

#[test]
fn every_screen_says_something_and_no_secret_is_ever_said() {
    let mut a = Listener::new();
    pay_by_keypad(&mut a);
    // Balances, certificates, requests, information from one session.
    a.log_in();
    a.press(KeypadKey::Digit(2));
    a.answer(Reply::Accounts(accounts()));
    a.press(KeypadKey::Cancel);
    a.press(KeypadKey::Digit(4));
    a.answer(Reply::Loans(vec![cancelled_loan("C1")]));
    a.says("Constancia de no adeudo.");
    a.press(KeypadKey::Cancel);
    a.press(KeypadKey::Digit(5));
    a.says("Para endoso de póliza de seguro, pulse 1.");
    a.press(KeypadKey::Cancel);
    a.press(KeypadKey::Digit(6));
    a.says("Para canales de pago y límites, pulse 1.");
    a.press(KeypadKey::Digit(3));
    a.says("Ingrese el valor en soles");
    a.press(KeypadKey::Digit(1));
    a.press(KeypadKey::Digit(2));
    a.press(KeypadKey::Point);
    a.press(KeypadKey::Digit(5));
    a.says("doce punto cinco");
    a.press(KeypadKey::Cancel);
    a.press(KeypadKey::Cancel);
    a.press(KeypadKey::Digit(3));
    a.answer(Reply::Accounts(accounts()));
    a.press(KeypadKey::Digit(1));
    a.press(KeypadKey::Digit(1));
    a.press(KeypadKey::Enter);
    a.answer(Reply::OtpSent(otp_sent("OTP-1")));
    a.digits("731904");
    for _ in 0..10 {
        if !a.k.session.is_active() {
            break;
        }
        a.press(KeypadKey::Cancel);
    }
    assert!(!a.k.session.is_active(), "Cancel leads back to the menu and ends the session there");
    // Clave enrollment opens from the attract screen's option 2.
    a.press(KeypadKey::Audio);
    a.press(KeypadKey::Digit(2));
    a.says("Crear su clave.");
    a.k.swipe();
    a.listen();
    a.k.show_dni();
    a.listen();
    a.says("Crear su clave.");
    a.press(KeypadKey::Cancel);
    // A notice, then the out-of-service screen.
    a.event(Event::Host { reachable: false });
    a.press(KeypadKey::Audio);
    a.says("ServiCaja fuera de servicio.");
    a.says("Para escuchar información de la caja, pulse 1.");
    let mut k = Kiosk::new();
    k.login();
    k.send(Event::Keypad(KeypadKey::Audio));
    k.send(Event::Keypad(KeypadKey::Digit(1)));
    k.no_answer();
    let mut b = Listener::with(k);
    b.listen();
    assert!(matches!(b.k.screen(), Screen::Notice { notice: Notice::ServiceUnavailable, .. }));
    b.says("Servicio no disponible.");
    b.says("Pulse Enter para continuar.");
    a.visited.extend(b.visited.iter().copied());
    let all: BTreeSet<_> = [
        "attract",
        "out-of-service",
        "identify",
        "menu",
        "balances",
        "payment",
        "internet",
        "certificates",
        "requests",
        "enrollment",
        "information",
        "delivery",
        "notice",
    ]
    .into_iter()
    .collect();
    assert_eq!(a.visited, all, "every screen must be visited (and say something)");
    a.assert_no_secret_was_said();
    b.assert_no_secret_was_said();
}

/// Twelve payable loans: more than the nine keys.
fn twelve_loans() -> Vec<servicaja_core::api::Loan> {
    (1..=12).map(|i| loan(&format!("{:04}", 100 + i), Currency::PEN, 0, true)).collect()
}

/// Fifteen movements, each told apart by its description.
fn fifteen_movements() -> Vec<servicaja_core::api::Movement> {
    let one = movements().remove(0);
    (1..=15)
        .map(|i| servicaja_core::api::Movement {
            id: format!("M{i}"),
            description: format!("MOVIMIENTO {i}"),
            ..one.clone()
        })
        .collect()
}

#[test]
fn a_list_of_twelve_loans_pages_by_eight_with_9_for_more_and_0_for_back() {
    let mut a = Listener::new();
    a.log_in();
    a.press(KeypadKey::Digit(1));
    a.answer(Reply::Loans(twelve_loans()));
    a.says("Tiene doce créditos. Elija el crédito a pagar.");
    a.says("Página uno de dos.");
    a.says("Para el crédito consumo terminado en cero uno cero uno, pulse 1.");
    a.says("Para el crédito consumo terminado en cero uno cero ocho, pulse 8. | Para más opciones, pulse 9.");
    assert!(!a.last.contains("cero uno cero nueve"), "the ninth loan is on the next page: {}", a.last);
    assert!(!a.last.contains("opciones anteriores"), "page one has nothing before it");
    let page = a.k.session.keypad_page();
    assert_eq!((page.page, page.pages, page.choices.len()), (0, 2, 8));
    a.press(KeypadKey::Digit(9));
    a.says("Página dos de dos. | Para el crédito consumo terminado en cero uno cero nueve, pulse 1.");
    a.says("Para el crédito consumo terminado en cero uno uno dos, pulse 4.");
    a.says("Para volver a las primeras opciones, pulse 9. | Para las opciones anteriores, pulse 0.");
    assert!(a.k.effects.contains(&Effect::Render), "the shell scrolls the list to the page");
    a.press(KeypadKey::Digit(5));
    a.says("Esa tecla no corresponde a ninguna opción.");
    a.says("Para el crédito consumo terminado en cero uno uno dos, pulse 4.");
    a.press(KeypadKey::Repeat);
    a.says("Página dos de dos.");
    a.press(KeypadKey::Digit(0));
    a.says("Página uno de dos. | Para el crédito consumo terminado en cero uno cero uno, pulse 1.");
    a.press(KeypadKey::Digit(0));
    a.says("Esa tecla no corresponde a ninguna opción.");
    a.press(KeypadKey::Digit(9));
    a.press(KeypadKey::Digit(9));
    a.says("Página uno de dos.");
    a.press(KeypadKey::Digit(9));
    // Key 4 of page two is the twelfth loan, the one no single key could reach before.
    a.press(KeypadKey::Digit(4));
    match a.k.screen() {
        Screen::Payment(Payment::Loan { loan, .. }) => assert_eq!(loan.id, "0112"),
        other => panic!("{other:?}"),
    }
    a.says("Crédito consumo terminado en cero uno uno dos.");
    // Back to the list: another visit starts at its first page.
    a.press(KeypadKey::Cancel);
    a.says("Página uno de dos.");
    assert_eq!(a.k.session.keypad_page().page, 0);
    a.press(KeypadKey::Digit(9));
    a.press(KeypadKey::Digit(1));
    match a.k.screen() {
        Screen::Payment(Payment::Loan { loan, .. }) => assert_eq!(loan.id, "0109"),
        other => panic!("{other:?}"),
    }
    a.assert_no_secret_was_said();
}

#[test]
fn fifteen_movements_are_read_five_at_a_time_with_9_for_more() {
    let mut a = Listener::new();
    a.log_in();
    a.press(KeypadKey::Digit(2));
    a.answer(Reply::Accounts(accounts()));
    a.press(KeypadKey::Digit(1));
    a.answer(Reply::Movements(fifteen_movements()));
    a.says("Últimos quince movimientos:");
    a.says("Movimientos uno a cinco de quince:");
    a.says("MOVIMIENTO 1,");
    a.says("MOVIMIENTO 5,");
    assert!(!a.last.contains("MOVIMIENTO 6"), "{}", a.last);
    a.says("Para imprimir, pulse 1. | Para enviar por correo, pulse 2. | Para escuchar más movimientos, pulse 9.");
    a.press(KeypadKey::Digit(9));
    a.says("Movimientos seis a diez de quince:");
    a.says("MOVIMIENTO 10,");
    assert!(!a.last.contains("MOVIMIENTO 5,") && !a.last.contains("MOVIMIENTO 11"), "{}", a.last);
    a.says("Para imprimir, pulse 1.");
    a.says("Para los movimientos anteriores, pulse 0.");
    a.press(KeypadKey::Digit(9));
    a.says("Movimientos once a quince de quince:");
    a.says("MOVIMIENTO 15,");
    a.says("Para volver a los primeros movimientos, pulse 9.");
    a.press(KeypadKey::Digit(0));
    a.says("Movimientos seis a diez de quince:");
    // The options stay on every page: 1 prints the slip with all fifteen.
    a.press(KeypadKey::Digit(1));
    a.says("Imprimiendo");
    let printed = a.k.effects.iter().find_map(|e| match e {
        Effect::Print { document: servicaja_session::Document::BalanceSlip { movements, .. }, .. } => {
            Some(movements.len())
        }
        _ => None,
    });
    assert_eq!(printed, Some(15));
}

#[test]
fn pages_are_worded_in_english_too() {
    let mut a = Listener::new();
    a.press(KeypadKey::Audio);
    a.press(KeypadKey::Digit(5));
    a.k.swipe();
    a.k.show_dni();
    for c in CLAVE.chars() {
        a.k.send(Event::Keypad(KeypadKey::Digit(c.to_digit(10).unwrap() as u8)));
    }
    a.press(KeypadKey::Enter);
    a.answer(Reply::SessionOpened(session_opened()));
    a.press(KeypadKey::Digit(1));
    a.answer(Reply::Loans(twelve_loans()));
    a.says("You have twelve loans.");
    a.says("Page one of two.");
    a.says("For more options, press 9.");
    a.press(KeypadKey::Digit(9));
    a.says("Page two of two. | To choose the consumo loan ending in zero one zero nine, press 1.");
    a.says("To go back to the first options, press 9. | For the previous options, press 0.");
    a.press(KeypadKey::Cancel);
    a.says("Main menu.");
    a.press(KeypadKey::Digit(2));
    a.answer(Reply::Accounts(accounts()));
    a.press(KeypadKey::Digit(1));
    a.answer(Reply::Movements(fifteen_movements()));
    a.says("Movements one to five of fifteen:");
    a.says("To hear more movements, press 9.");
    a.press(KeypadKey::Digit(9));
    a.says("Movements six to ten of fifteen:");
    a.says("For the previous movements, press 0.");
}

impl Listener {
    /// Presses `key` `times` times in a row (multi-tap), returning what the last press said.
    fn tap(&mut self, digit: u8, times: usize) -> String {
        let mut said = String::new();
        for _ in 0..times {
            said = self.press(KeypadKey::Digit(digit)).to_owned();
        }
        said
    }
}

/// Pays by keypad up to the delivery screen (the payment test's steps, without their assertions).
fn pay_to_delivery(a: &mut Listener) {
    a.log_in();
    a.press(KeypadKey::Digit(1));
    a.answer(Reply::Loans(vec![loan("L1", Currency::PEN, 0, true)]));
    a.press(KeypadKey::Digit(1));
    a.press(KeypadKey::Digit(1));
    a.answer(Reply::Accounts(accounts()));
    a.press(KeypadKey::Digit(1));
    let account = accounts().remove(0);
    let l = loan("L1", Currency::PEN, 0, true);
    let q = quote(&l, &account, PaymentOption::DueInstallment, pen("520.00"), pen("520.00"));
    a.answer(Reply::Quote(q.clone()));
    a.press(KeypadKey::Enter);
    let key = match a.k.submits().as_slice() {
        [(Command::Pay(request), true)] => request.operation_id,
        other => panic!("{other:?}"),
    };
    a.answer(Reply::PaymentDone(payment_done(&q, key)));
    a.press(KeypadKey::Enter);
    a.says("¿Cómo desea recibir su constancia?");
}

fn typed_email(a: &Listener) -> String {
    match a.k.screen() {
        Screen::Delivery(servicaja_session::state::Delivery {
            stage: servicaja_session::state::DeliveryStage::Email { typed, .. },
            ..
        }) => typed.clone(),
        other => panic!("not on the e-mail screen: {other:?}"),
    }
}

#[test]
fn an_email_address_typed_by_keys_alone_letter_by_letter() {
    let mut a = Listener::new();
    pay_to_delivery(&mut a);
    a.press(KeypadKey::Digit(2));
    // The registered address comes first, as option 1.
    a.says("¿A qué correo le enviamos la constancia? | Su correo registrado es j***@cmactacna.com.pe.");
    a.says("Para enviarla a su correo registrado, pulse 1. | Para escribir otro correo con las teclas, pulse 2.");
    a.press(KeypadKey::Digit(2));
    a.says("Escriba su correo electrónico.");
    a.says("el 2 tiene a, b, c;");
    a.says("el 1, punto, arroba, guion y guion bajo. Borrar borra la última letra.");
    a.says("Aún no ha escrito nada.");
    assert_eq!(a.tap(2, 1), "a");
    assert_eq!(a.tap(6, 1), "eme");
    assert_eq!(a.tap(6, 1), "ene", "the same key again changes the letter");
    assert_eq!(a.tap(2, 1), "a", "another key settles the letter before");
    assert_eq!(a.press(KeypadKey::Point), "punto");
    assert_eq!(a.tap(7, 1), "pe");
    assert_eq!(a.tap(1, 2), "arroba");
    assert_eq!(a.tap(2, 3), "ce");
    assert_eq!(typed_email(&a), "ana.p@c");
    // The same key after the multi-tap time starts a new letter.
    a.k.advance(2);
    assert_eq!(a.tap(2, 1), "a");
    assert_eq!(typed_email(&a), "ana.p@ca");
    assert_eq!(a.tap(5, 1), "jota");
    assert_eq!(a.tap(2, 1), "a");
    // A slip: x, erased with Clear, which says what it erased.
    assert_eq!(a.tap(9, 2), "equis");
    assert_eq!(a.press(KeypadKey::Clear), "Borrado: equis.");
    assert_eq!(a.press(KeypadKey::Point), "punto");
    assert_eq!(a.tap(7, 1), "pe");
    assert_eq!(a.tap(3, 2), "e");
    assert_eq!(typed_email(&a), "ana.p@caja.pe");
    a.press(KeypadKey::Help);
    a.says("el 2 tiene a, b, c;");
    a.press(KeypadKey::Repeat);
    a.says("Escribió: a ene a punto pe arroba ce a jota a punto pe e.");
    a.says("Pulse Enter para enviarla a ese correo.");
    a.press(KeypadKey::Enter);
    match a.k.submits().as_slice() {
        [(Command::EmailDocument { to, .. }, false)] => assert_eq!(to, "ana.p@caja.pe"),
        other => panic!("{other:?}"),
    }
    a.says("Enviamos su constancia a ana.p@caja.pe.");
    a.assert_no_secret_was_said();
}

#[test]
fn an_address_the_keys_cannot_finish_is_refused_and_said_so() {
    let mut a = Listener::new();
    pay_to_delivery(&mut a);
    a.press(KeypadKey::Digit(2));
    a.press(KeypadKey::Digit(2));
    // No space in an e-mail address: 0 gives the digit at once.
    assert_eq!(a.tap(0, 1), "cero");
    assert_eq!(a.tap(0, 1), "cero", "0 has nothing else an address takes");
    assert_eq!(typed_email(&a), "0");
    a.press(KeypadKey::Clear);
    assert_eq!(a.press(KeypadKey::Clear), "Nada escrito.");
    a.tap(2, 1);
    a.press(KeypadKey::Enter);
    a.says("El correo no es válido.");
    assert!(a.k.submits().is_empty());
    assert_eq!(a.tap(1, 2), "arroba", "typing again clears the error");
    a.press(KeypadKey::Cancel);
    a.says("Su correo registrado es");
}

#[test]
fn a_request_with_its_detail_typed_by_keys_alone() {
    let mut a = Listener::new();
    a.log_in();
    a.press(KeypadKey::Digit(5));
    a.says("Para cambio de domicilio, pulse 3.");
    a.press(KeypadKey::Digit(3));
    a.says("Cambio de domicilio");
    a.says("Si desea, escriba un detalle de su solicitud; el 0 pone un espacio entre palabras.");
    a.says("Pulse Enter para registrar su solicitud.");
    assert_eq!(a.tap(2, 1), "a");
    assert_eq!(a.tap(8, 3), "uve");
    assert_eq!(a.tap(0, 1), "espacio");
    assert_eq!(a.tap(5, 3), "ele");
    assert_eq!(a.tap(4, 3), "i");
    assert_eq!(a.tap(6, 1), "eme");
    assert_eq!(a.tap(2, 1), "a");
    assert_eq!(a.tap(0, 1), "espacio");
    assert_eq!(a.tap(5, 4), "cinco");
    a.press(KeypadKey::Repeat);
    a.says("Detalle: av lima 5.");
    a.press(KeypadKey::Enter);
    match a.k.submits().as_slice() {
        [(Command::FileRequest(request), true)] => {
            assert_eq!(request.kind, servicaja_core::api::RequestKind::AddressChange);
            assert_eq!(request.detail, "av lima 5");
        }
        other => panic!("{other:?}"),
    }
    a.answer(Reply::RequestFiled(ticket(servicaja_core::api::RequestKind::AddressChange)));
    a.says("Solicitud registrada.");
}

#[test]
fn letters_are_echoed_in_english_too() {
    let mut a = Listener::new();
    pay_to_delivery(&mut a);
    a.k.send(Event::Ui(servicaja_session::Action::SetLanguage(servicaja_core::settings::Language::En)));
    a.press(KeypadKey::Digit(2));
    a.says("To type another e-mail on the keys, press 2.");
    a.press(KeypadKey::Digit(2));
    a.says("Type your e-mail address.");
    a.says("2 has a, b, c;");
    assert_eq!(a.tap(2, 2), "b");
    assert_eq!(a.tap(1, 2), "at");
    assert_eq!(a.press(KeypadKey::Point), "dot");
    assert_eq!(a.tap(1, 3), "dash");
    assert_eq!(a.tap(1, 1), "underscore", "one more press of the same key changes the dash");
    a.press(KeypadKey::Clear);
    assert_eq!(a.tap(1, 3), "dash");
    a.k.advance(2);
    assert_eq!(a.tap(1, 4), "underscore");
    assert_eq!(a.press(KeypadKey::Clear), "Erased: underscore.");
    a.press(KeypadKey::Repeat);
    a.says("You typed: b at dot dash.");
}

#[test]
fn enter_goes_on_to_the_next_enrollment_question_until_all_are_answered() {
    let mut a = Listener::new();
    a.press(KeypadKey::Audio);
    a.press(KeypadKey::Digit(2));
    a.k.swipe();
    a.k.show_dni();
    a.answer(Reply::EnrollmentStarted(enrollment_started()));
    a.says("Pregunta 1 de 3. | Pregunta q1 | Para pasar a la siguiente pregunta, pulse Enter.");
    a.says("Para responder Sin asignar, pulse 2.");
    a.press(KeypadKey::Enter);
    a.says("Pregunta 2 de 3.");
    assert!(a.k.submits().is_empty(), "nothing is sent with questions unanswered");
    a.press(KeypadKey::Digit(1));
    a.says("Pregunta 3 de 3.");
    assert!(!a.last.contains("siguiente pregunta"), "the last question has no next: {}", a.last);
    a.press(KeypadKey::Digit(3));
    a.press(KeypadKey::Cancel);
    a.press(KeypadKey::Cancel);
    a.says("Pregunta 1 de 3.");
    a.press(KeypadKey::Digit(2));
    a.says("Todas las preguntas tienen respuesta: pulse Enter para enviarlas.");
    a.press(KeypadKey::Enter);
    match a.k.submits().as_slice() {
        [(Command::AnswerEnrollment { answers, .. }, true)] => {
            let chosen: Vec<_> = answers.answers.iter().map(|a| a.option).collect();
            assert_eq!(chosen, [1, 0, 2]);
        }
        other => panic!("{other:?}"),
    }
}
