//! The screens that confused customers (issue 18), checked through the window: nothing on a keypad screen
//! moves when a message appears (every keypad screen, both panels, normal and large text), keys that grow
//! with large-text digits, the attract screen in the customer's words with a Comenzar that stands out, the
//! wrong-clave and wrong-code lines in the singular with the last-attempt warning, the enrollment and
//! affiliation code screens, the constancia de no adeudo, "Ya tiene una cuenta afiliada" and the requests
//! screen while out of service.

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use servicaja_core::settings::Language;
use servicaja_session::{
    Action, Device, DeviceStatus, ErrorCode, Event, Failure, MenuItem, PaperStatus, Problem, Reply, Timer,
};
use slint::ComponentHandle;

use super::flows::{screen, shows, touch, type_digits};
use servicaja_ui::rig::Rig;
use servicaja_ui::{ClaveStep, EnrollmentFlow, IdentifyFlow, Screen};
use servicaja_ui::{
    DeliveryFlow, DeliveryStep, InternetFlow, InternetOperation, Kiosk, KioskWindow, Maintenance,
    MaintenanceLoginError, MaintenanceLoginField, MaintenancePage, PaymentFlow, Theme,
};

const PANELS: [(f32, f32); 2] = [(1280.0, 1024.0), (1080.0, 1920.0)];

thread_local! {
    static TESTING_PLATFORM: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn window_of(width: f32, height: f32) -> KioskWindow {
    // The testing platform is set up once per thread (each test runs on its own).
    if !TESTING_PLATFORM.replace(true) {
        i_slint_backend_testing::init_no_event_loop();
    }
    let ui = KioskWindow::new().expect("the window builds");
    ui.window().set_size(slint::LogicalSize::new(width, height));
    ui.show().expect("the window shows");
    ui
}

fn window() -> KioskWindow {
    window_of(1280.0, 1024.0)
}

/// Every control a finger can touch (buttons, keys, fields) with where it is on the screen.
fn controls(ui: &KioskWindow) -> Vec<(String, [i32; 4])> {
    ElementQuery::from_root(ui)
        .match_descendants()
        .match_predicate(|e| {
            matches!(
                e.accessible_role(),
                Some(AccessibleRole::Button | AccessibleRole::TextInput | AccessibleRole::Checkbox)
            )
        })
        .find_all()
        .into_iter()
        .map(|e| {
            let (at, size) = (e.absolute_position(), e.size());
            let label = e.accessible_label().map(|l| l.to_string()).unwrap_or_default();
            // Whole pixels: a finger cannot tell a fraction of one.
            (label, [at.x, at.y, size.width, size.height].map(|v| v.round() as i32))
        })
        .collect()
}

/// A keypad screen as view.rs writes it, and the message that appears on it.
struct KeypadScreen {
    name: &'static str,
    show: fn(&KioskWindow),
    message: fn(&KioskWindow),
}

fn kiosk_screen(ui: &KioskWindow, screen: Screen) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_screen(screen);
    kiosk.set_keyed_entry_allowed(true);
    kiosk.set_masked("**** **** **** 1111".into());
}

/// A card, DNI or clave screen as view.rs writes it: the number `keyed` or read, signing in or (a new
/// clave) enrolling.
fn identify_screen(ui: &KioskWindow, screen: Screen, keyed: bool, clave: ClaveStep) {
    kiosk_screen(ui, screen);
    let identify = ui.global::<IdentifyFlow>();
    identify.set_keyed(keyed);
    identify.set_enrollment(clave != ClaveStep::Login);
    identify.set_clave_step(clave);
}

fn error(ui: &KioskWindow, id: &str, arg: &str) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_error(id.into());
    kiosk.set_error_arg(arg.into());
}

fn keypad_screens() -> Vec<KeypadScreen> {
    vec![
        KeypadScreen {
            name: "clave",
            show: |ui| identify_screen(ui, Screen::Clave, false, ClaveStep::Login),
            // The last attempt: the longest wrong-clave line, with the warning that the card locks.
            message: |ui| ui.global::<Kiosk>().set_attempts_left(1),
        },
        KeypadScreen {
            name: "clave, two attempts left",
            show: |ui| identify_screen(ui, Screen::Clave, false, ClaveStep::Login),
            message: |ui| ui.global::<Kiosk>().set_attempts_left(2),
        },
        KeypadScreen {
            name: "enrollment, new clave",
            show: |ui| identify_screen(ui, Screen::Clave, false, ClaveStep::NewClave),
            message: |ui| error(ui, "weak-clave", ""),
        },
        KeypadScreen {
            name: "enrollment, new clave again",
            show: |ui| identify_screen(ui, Screen::Clave, false, ClaveStep::NewClave),
            message: |ui| error(ui, "claves-differ", ""),
        },
        KeypadScreen {
            name: "card number",
            show: |ui| identify_screen(ui, Screen::Card, true, ClaveStep::Login),
            message: |ui| error(ui, "card-number", ""),
        },
        KeypadScreen {
            name: "DNI",
            show: |ui| identify_screen(ui, Screen::Dni, true, ClaveStep::Login),
            message: |ui| error(ui, "dni", ""),
        },
        KeypadScreen {
            name: "affiliation code",
            show: |ui| {
                kiosk_screen(ui, Screen::Code);
                let internet = ui.global::<InternetFlow>();
                internet.set_operation(InternetOperation::Affiliation);
                internet.set_account("AHORRO PN SOLES ****1110".into());
                let kiosk = ui.global::<Kiosk>();
                kiosk.set_code_minutes(5);
                kiosk.set_seconds(42);
                kiosk.set_masked("95*****480".into());
            },
            message: |ui| {
                error(ui, "otp-invalid", "");
                ui.global::<Kiosk>().set_attempts_left(1);
            },
        },
        KeypadScreen {
            name: "enrollment code",
            show: |ui| {
                kiosk_screen(ui, Screen::Code);
                ui.global::<Kiosk>().set_code_minutes(5);
                ui.global::<Kiosk>().set_seconds(0);
            },
            message: |ui| error(ui, "otp-expired", ""),
        },
        KeypadScreen {
            name: "amount",
            show: |ui| {
                kiosk_screen(ui, Screen::Amount);
                ui.global::<Kiosk>().set_subject("reduce-amount".into());
                ui.global::<Kiosk>().set_typed("80000".into());
                ui.global::<PaymentFlow>().set_currency("S/".into());
            },
            message: |ui| error(ui, "amount-outstanding", "S/ 75,655.89"),
        },
        KeypadScreen {
            name: "amount refused by the central",
            show: |ui| kiosk_screen(ui, Screen::Amount),
            message: |ui| {
                error(ui, "amount-refused", "");
                ui.global::<Kiosk>().set_refusal_code(ErrorCode::AmountInvalid.as_str().into());
            },
        },
        KeypadScreen {
            name: "DNI of an offline request",
            show: |ui| {
                kiosk_screen(ui, Screen::RequestDni);
                ui.global::<Kiosk>().set_subject("address".into());
            },
            message: |ui| error(ui, "dni", ""),
        },
        KeypadScreen {
            name: "calculator",
            show: |ui| {
                kiosk_screen(ui, Screen::Calculator);
                ui.global::<Kiosk>().set_subject("mivivienda".into());
            },
            message: |ui| error(ui, "amount-format", ""),
        },
        KeypadScreen {
            name: "e-mail address",
            show: |ui| {
                kiosk_screen(ui, Screen::Delivery);
                ui.global::<DeliveryFlow>().set_step(DeliveryStep::Email);
            },
            message: |ui| error(ui, "invalid-email", ""),
        },
        KeypadScreen {
            name: "maintenance id",
            show: |ui| {
                let m = ui.global::<Maintenance>();
                m.set_page(MaintenancePage::Login);
                m.set_login_field(MaintenanceLoginField::Id);
            },
            message: |ui| {
                let m = ui.global::<Maintenance>();
                m.set_login_error(MaintenanceLoginError::Refused);
                m.set_attempts_left(2);
            },
        },
        KeypadScreen {
            name: "maintenance PIN",
            show: |ui| {
                let m = ui.global::<Maintenance>();
                m.set_page(MaintenancePage::Login);
                m.set_login_field(MaintenanceLoginField::Pin);
                m.set_login_id("1001".into());
                m.set_pin_length(3);
            },
            message: |ui| {
                let m = ui.global::<Maintenance>();
                m.set_login_error(MaintenanceLoginError::Refused);
                m.set_attempts_left(1);
            },
        },
        KeypadScreen {
            name: "maintenance PIN, locked",
            show: |ui| {
                let m = ui.global::<Maintenance>();
                m.set_page(MaintenancePage::Login);
                m.set_login_field(MaintenanceLoginField::Pin);
            },
            message: |ui| {
                let m = ui.global::<Maintenance>();
                m.set_login_error(MaintenanceLoginError::Locked);
                m.set_locked_minutes(15);
            },
        },
    ]
}

/// Issue 18: the clave keypad (and the maintenance PIN keypad) jumped 49 px down when an error line
/// appeared, so the next tap landed on another key. On every keypad screen, on both panels, in both
/// languages and with large text, no control moves or changes size when a message appears.
#[test]
fn no_control_moves_when_a_message_appears_on_any_keypad_screen() {
    let mut off_screen = Vec::new();
    for (width, height) in PANELS {
        for large in [false, true] {
            for language in ["es", "en"] {
                for keypad in keypad_screens() {
                    let ui = window_of(width, height);
                    let _rig = Rig::new(&ui);
                    servicaja_ui::select_language(language).expect("the language");
                    ui.global::<Theme>().set_large_text(large);
                    (keypad.show)(&ui);
                    let before = controls(&ui);
                    let keys = before.iter().filter(|(label, _)| label == "5" || label == "Borrar").count();
                    assert!(keys >= 2, "{}: the keypad is on screen: {before:?}", keypad.name);
                    (keypad.message)(&ui);
                    let after = controls(&ui);
                    let context = format!("{} ({width}x{height}, large text {large}, {language})", keypad.name);
                    assert_eq!(before.len(), after.len(), "{context}: the same controls");
                    for (was, is) in before.iter().zip(&after) {
                        assert_eq!(was, is, "{context}: a control moved when the message appeared");
                    }
                    // And the message, with its room kept, leaves every control on the screen.
                    for (label, [x, y, w, h]) in &after {
                        if !(*x >= 0 && *y >= 0 && (x + w) as f32 <= width + 1.0 && (y + h) as f32 <= height + 1.0) {
                            off_screen.push(format!("{context}: {label:?} leaves the screen: {:?}", [x, y, w, h]));
                        }
                    }
                }
            }
        }
    }
    servicaja_ui::select_language("es").expect("Spanish");
    assert!(off_screen.is_empty(), "{}", off_screen.join("\n"));
}

/// Issue 18: with large text the keypad's digits grew (Theme.title × 1.3) but its keys stayed 72 px. The
/// keys now grow with them and keep the margin a fingertip needs around the digit.
#[test]
fn large_text_keypad_keys_grow_with_their_digits() {
    let ui = window();
    let _rig = Rig::new(&ui);
    identify_screen(&ui, Screen::Clave, false, ClaveStep::Login);
    let key = |ui: &KioskWindow| -> slint::LogicalSize {
        let found: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(ui, "5")
            .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
            .collect();
        assert_eq!(found.len(), 1);
        found[0].size()
    };
    let normal = key(&ui);
    ui.global::<Theme>().set_large_text(true);
    let large = key(&ui);
    let digit = ui.global::<Theme>().get_title();
    assert!(large.height >= normal.height * 1.29 && large.width >= normal.width * 1.29, "{normal:?} → {large:?}");
    assert!(large.height >= digit * 1.75, "a {digit} px digit in a {large:?} key");
}

/// WCAG 2.x relative luminance of an sRGB pixel.
fn luminance(p: slint::Rgb8Pixel) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
    };
    0.2126 * channel(p.r) + 0.7152 * channel(p.g) + 0.0722 * channel(p.b)
}

fn contrast(a: slint::Rgb8Pixel, b: slint::Rgb8Pixel) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Issue 18: Comenzar was a red button on the red attract screen. Drawn by the software renderer as the
/// kiosk draws it: the button stands out from the background around it (WCAG non-text contrast ≥ 3:1) and
/// its text reads on the button (≥ 4.5:1, WCAG AA), in normal and high contrast.
#[test]
fn comenzar_stands_out_from_the_attract_screen_and_its_text_reads() {
    use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
    let (width, height) = (1280_u32, 1024_u32);
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(servicaja_ui::screenshots::HeadlessPlatform { window: window.clone() }))
        .expect("this test's thread draws with the software renderer");
    window.set_size(slint::PhysicalSize::new(width, height));
    let ui = KioskWindow::new().expect("the window builds");
    ui.show().expect("the window shows");
    for high_contrast in [false, true] {
        let rig = Rig::new(&ui);
        rig.ui(Action::SetHighContrast(high_contrast));
        assert_eq!(rig.screen(), Screen::Attract);
        let button: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(&ui, "Comenzar")
            .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
            .collect();
        assert_eq!(button.len(), 1);
        let (at, size) = (button[0].absolute_position(), button[0].size());
        let pixels = servicaja_ui::screenshots::render(&window, width, height);
        let pixel = |x: f32, y: f32| pixels[y as usize * width as usize + x as usize];
        let middle = at.y + size.height / 2.0;
        // Inside the button, clear of its rounded border and of its text; outside, the screen around it.
        let fill = pixel(at.x + 8.0, middle);
        let around = pixel(at.x - 6.0, middle);
        let text = (at.x as usize + 10..(at.x + size.width) as usize - 10)
            .flat_map(|x| (at.y as usize + 10..(at.y + size.height) as usize - 10).map(move |y| (x, y)))
            .map(|(x, y)| pixels[y * width as usize + x])
            .max_by(|a, b| contrast(*a, fill).total_cmp(&contrast(*b, fill)))
            .expect("pixels inside the button");
        assert!(contrast(fill, around) >= 3.0, "high contrast {high_contrast}: button {fill:?} on {around:?}");
        assert!(contrast(text, fill) >= 4.5, "high contrast {high_contrast}: text {text:?} on {fill:?}");
    }
}

/// Issue 18: the attract screen showed the technician's words ("impresora: requiere atención, sin papel").
/// A customer reads what a missing device means to them, in their language; the technician's line is gone.
#[test]
fn the_attract_screen_tells_customers_what_a_missing_device_means_in_their_words() {
    let ui = window();
    let rig = Rig::new(&ui);
    assert_eq!(rig.screen(), Screen::Attract);
    let no_print = "Por ahora no podemos imprimir constancias: podrá recibirlas por correo o verlas con un código QR.";
    assert!(!shows(&ui, no_print), "nothing to say while all is well");
    rig.send(Event::Paper(PaperStatus::Low));
    assert!(!shows(&ui, no_print), "paper low still prints: nothing for customers");
    rig.send(Event::Device { device: Device::Printer, status: DeviceStatus::UserError });
    rig.send(Event::Paper(PaperStatus::Out));
    assert_eq!(rig.screen(), Screen::Attract, "the kiosk still serves");
    assert!(shows(&ui, no_print));
    assert!(!shows(&ui, "Estado para el técnico"), "no technician's line on the attract screen");
    let texts: Vec<String> = ElementQuery::from_root(&ui)
        .match_descendants()
        .match_accessible_role(AccessibleRole::Text)
        .find_all()
        .into_iter()
        .filter_map(|e| e.accessible_label().or_else(|| e.accessible_value()).map(|t| t.to_string()))
        .collect();
    assert!(
        texts.iter().all(|t| !t.contains("impresora") && !t.contains("requiere atención") && !t.contains("sin papel")),
        "device jargon on the attract screen: {texts:?}"
    );
    rig.send(Event::Device { device: Device::DocumentReader, status: DeviceStatus::Offline });
    assert!(shows(&ui, "El lector de DNI no está disponible: podrá ingresar su DNI con el teclado."));
    // Two notices still fit the landscape panel, as every control does.
    for label in [no_print, "El lector de DNI no está disponible: podrá ingresar su DNI con el teclado."] {
        for e in ElementHandle::find_by_accessible_label(&ui, label) {
            assert!(e.absolute_position().y + e.size().height <= 1024.0, "{label:?} leaves the screen");
        }
    }
    for (label, [_, y, _, h]) in controls(&ui) {
        assert!(y + h <= 1024, "{label:?} leaves the screen");
    }
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "We cannot print receipts right now: you can get them by e-mail or see them as a QR code."));
    assert!(shows(&ui, "The ID reader is not available: you can type your DNI on the keypad."));
}

fn refusal(code: ErrorCode, attempts_left: Option<u32>) -> Result<Reply, Failure> {
    let mut problem = Problem::new(code, "rechazado");
    problem.attempts_left = attempts_left;
    Err(Failure::Refused(problem))
}

/// Logged in, affiliating the first account: the SMS code screen.
fn at_the_affiliation_code(ui: &KioskWindow) -> Rig {
    let rig = Rig::new(ui);
    rig.login();
    rig.ui(Action::Menu(MenuItem::InternetPurchases));
    rig.ui(Action::Affiliate);
    rig.ui(Action::Select(0));
    rig.ui(Action::Confirm);
    assert_eq!(rig.screen(), Screen::Code);
    rig
}

/// Issue 18: "Le quedan 1 intentos". One attempt left reads in the singular and warns that the next wrong
/// clave locks the card; in English too.
#[test]
fn one_attempt_left_is_singular_and_warns_that_the_card_locks() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.script.borrow_mut().answers.push_back(refusal(ErrorCode::ClaveInvalid, Some(1)));
    rig.swipe();
    rig.show_dni();
    type_digits(&ui, "111111");
    touch(&ui, "Continuar");
    assert_eq!(screen(&ui), Screen::Clave);
    assert!(shows(&ui, "Clave incorrecta. Le queda 1 intento: si vuelve a equivocarse, su tarjeta se bloqueará."));
    assert!(!shows(&ui, "Clave incorrecta. Le quedan 1 intentos."));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "Wrong PIN. 1 attempt left: if it is wrong again, your card will be locked."));
}

#[test]
fn one_attempt_left_at_the_sms_code_is_singular() {
    let ui = window();
    let rig = at_the_affiliation_code(&ui);
    rig.script.borrow_mut().answers.push_back(refusal(ErrorCode::OtpInvalid, Some(1)));
    type_digits(&ui, "123456");
    touch(&ui, "Confirmar");
    assert_eq!(rig.screen(), Screen::Code);
    assert!(shows(&ui, "Código incorrecto. Le queda 1 intento."));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "Wrong code. 1 attempt left."));
}

/// Issue 18: the affiliation's code screen did not say which account was being affiliated, and no code
/// screen said how long the code is valid (the central's `expires_at`: five minutes).
#[test]
fn the_affiliation_code_screen_names_the_account_and_when_the_code_expires() {
    let ui = window();
    let rig = at_the_affiliation_code(&ui);
    assert!(shows(&ui, "Cuenta a afiliar: AHORRO PN SOLES ****1110"));
    assert!(shows(&ui, "El código vence en 5 minutos."));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "Account to affiliate: AHORRO PN SOLES ****1110"));
    assert!(shows(&ui, "The code expires in 5 minutes."));
}

/// From "Crear mi clave" to the enrollment's SMS code screen.
fn enroll_to_code(ui: &KioskWindow, rig: &Rig) {
    touch(ui, "Crear mi clave");
    rig.swipe();
    rig.show_dni();
    for answer in ["Sin asignar", "Sin asignar", "29/02/1980"] {
        touch(ui, answer);
        touch(ui, "Continuar");
    }
    for _ in 0..2 {
        type_digits(ui, "739146");
        touch(ui, "Continuar");
    }
    assert_eq!(screen(ui), Screen::Code);
}

/// Issue 18: the first enrollment question already said "Respuestas incorrectas. Le quedan 3 intentos"; the
/// enrollment's code screen had no "Reenviar código" (affiliation has one) and did not say when the code
/// expires.
#[test]
fn enrollment_shows_no_error_before_an_answer_and_its_code_can_be_resent() {
    let ui = window();
    let rig = Rig::new(&ui);
    touch(&ui, "Crear mi clave");
    rig.swipe();
    rig.show_dni();
    assert_eq!(screen(&ui), Screen::Question);
    assert!(!shows(&ui, "Respuestas incorrectas. Le quedan 3 intentos."), "no error before any answer");
    assert_eq!(ui.global::<EnrollmentFlow>().get_attempts_left(), -1);

    let ui = window();
    let rig = Rig::new(&ui);
    enroll_to_code(&ui, &rig);
    assert!(shows(&ui, "El código vence en 5 minutos."));
    let wait = (rig.controller.borrow().timers()[&Timer::OtpResend] - rig.now.get()).num_seconds();
    assert!(shows(&ui, &format!("Reenviar código en {wait} s")), "the same wait as affiliation");
    rig.advance(wait);
    touch(&ui, "Reenviar código");
    let resent = rig.script.borrow().effects.iter().any(|e| {
        matches!(e, servicaja_session::Effect::Query { query: servicaja_session::Query::ResendEnrollmentCode { enrollment_id }, .. }
            if enrollment_id == "E-1")
    });
    assert!(resent, "a new code was asked of the central");
    assert_eq!(screen(&ui), Screen::Code);
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "The code expires in 5 minutes."));
}

/// Issue 18: "Todos" was offered while loans were active, was refused, and Aceptar dropped the customer on
/// the main menu; the result did not list the loans. Now "Todos mis créditos" is disabled with why, a
/// refusal returns to the choice, and the result lists the loans it covers.
#[test]
fn the_no_debt_constancia_offers_all_only_when_all_are_cancelled_and_lists_its_loans() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.login();
    touch(&ui, "Constancias");
    assert_eq!(screen(&ui), Screen::Certificates);
    let all: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(&ui, "Todos mis créditos")
        .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
        .collect();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].accessible_enabled(), Some(false), "a loan is still owed (R10)");
    let why =
        "«Todos mis créditos» se emite cuando todos sus créditos están cancelados. Elija los créditos cancelados.";
    assert!(shows(&ui, why));
    all[0].invoke_accessible_default_action();
    assert_eq!(screen(&ui), Screen::Certificates, "nothing happens");

    rig.script.borrow_mut().answers.push_back(refusal(ErrorCode::LoansNotCancelled, None));
    touch(&ui, "CRÉDITO MYPE");
    touch(&ui, "Emitir constancia");
    assert_eq!(screen(&ui), Screen::Certificates, "a refusal returns to the choice");
    assert!(shows(&ui, "Algunos de los créditos elegidos no están cancelados."), "with its reason");
    touch(&ui, "Emitir constancia");
    assert_eq!(screen(&ui), Screen::Done);
    let loans: Vec<String> = ElementHandle::find_by_accessible_label(&ui, "Crédito")
        .filter_map(|e| e.accessible_value().map(|v| v.to_string()))
        .collect();
    assert_eq!(loans.len(), 1, "the loan the constancia covers: {loans:?}");
    assert!(loans[0].starts_with("CRÉDITO MYPE"), "{loans:?}");
    rig.ui(Action::SetLanguage(Language::En));
    let loans = ElementHandle::find_by_accessible_label(&ui, "Loan").filter(|e| e.accessible_value().is_some());
    assert_eq!(loans.count(), 1, "the row's label in English");
}

/// Issue 18: "Ya tiene una cuenta afiliada" was a dead end; it now offers Desafiliar, which opens the
/// existing disaffiliation of that account.
#[test]
fn already_affiliated_offers_desafiliar() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.script.borrow_mut().affiliated = true;
    rig.login();
    touch(&ui, "Compras por internet");
    touch(&ui, "Afiliación");
    assert_eq!(screen(&ui), Screen::Notice);
    assert!(shows(&ui, "Ya tiene una cuenta afiliada"));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(&ui, "Disaffiliate"));
    rig.ui(Action::SetLanguage(Language::Es));
    touch(&ui, "Desafiliar");
    assert_eq!(screen(&ui), Screen::Consent);
    assert!(shows(&ui, "Deseo desafiliarme del servicio de Compras por Internet"));
}

/// Issue 18: the requests screen said "El sistema no está disponible" while the central answered. That text
/// was shown whenever requests were filed from the out-of-service screen, whatever took the kiosk out of
/// service (a technician, a reader). It is now said only when the central is away.
#[test]
fn the_offline_requests_screen_says_the_system_is_down_only_when_it_is() {
    let down = "El sistema no está disponible: registraremos su solicitud y la enviaremos en cuanto se restablezca.";
    let up = "Este ServiCaja no atiende operaciones ahora, pero puede registrar su solicitud con su DNI: la enviaremos de inmediato.";
    let ui = window();
    let config = servicaja_session::SessionConfig { allow_keyed_card: false, ..Default::default() };
    let rig = Rig::with_config(&ui, config);
    // A card reader without keyed entry takes the kiosk out of service; the central still answers.
    rig.send(Event::Device { device: Device::CardReader, status: DeviceStatus::HardwareError });
    assert_eq!(rig.screen(), Screen::OutOfService);
    touch(&ui, "Solicitudes");
    assert_eq!(screen(&ui), Screen::Requests);
    assert!(shows(&ui, up) && !shows(&ui, down));
    rig.ui(Action::RequestKind(servicaja_core::api::RequestKind::AddressChange));
    rig.keys("10117410G");
    rig.ui(Action::Confirm);
    assert_eq!(screen(&ui), Screen::Notice);
    assert!(shows(
        &ui,
        "Registramos su solicitud de Cambio de dirección; la enviaremos al sistema central de inmediato."
    ));
    rig.ui(Action::SetLanguage(Language::En));
    assert!(shows(
        &ui,
        "We have recorded your request for Change of address; we will send it to the central system right away."
    ));

    let ui = window();
    let rig = Rig::new(&ui);
    rig.send(Event::Host { reachable: false });
    touch(&ui, "Solicitudes");
    assert!(shows(&ui, down) && !shows(&ui, up));
}
