//! The customer UI's finishing touches: a refusal read in the customer's language, a touch or a scroll
//! restarting the idle time, and the next due date after an installment paid.

use i_slint_backend_testing::ElementHandle;
use servicaja_session::{Action, ErrorCode, Failure, MenuItem, Problem, Timer};
use slint::ComponentHandle;
use slint::platform::{PointerEventButton, WindowEvent};

use servicaja_ui::Screen;
use servicaja_ui::rig::Rig;
use servicaja_ui::{DeliveryFlow, DeliveryStep, Kiosk, KioskWindow, NoticeFlow, WaitFlow, Waiting};

pub(super) fn window() -> KioskWindow {
    i_slint_backend_testing::init_no_event_loop();
    another_window()
}

/// A further window in a test that already has one (the testing platform is set up once per thread).
fn another_window() -> KioskWindow {
    another_window_of(1280.0, 1024.0)
}

pub(super) fn shows(ui: &KioskWindow, label: &str) -> bool {
    ElementHandle::find_by_accessible_label(ui, label).next().is_some()
}

/// The buttons (not the texts) labelled `label`.
fn buttons_labelled(ui: &KioskWindow, label: &str) -> Vec<ElementHandle> {
    ElementHandle::find_by_accessible_label(ui, label)
        .filter(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button))
        .collect()
}

/// Whether the customer ended their session (the effect the runtime journals).
fn ended_by_customer(rig: &Rig) -> bool {
    use servicaja_session::{Effect, EndReason};
    rig.script.borrow().effects.iter().any(|e| matches!(e, Effect::SessionEnded { reason: EndReason::Customer }))
}

/// Signs in and pays the first loan's due installment from the first account, up to the summary.
pub(super) fn to_summary(rig: &Rig) {
    rig.login();
    rig.ui(Action::Menu(MenuItem::PayLoans));
    rig.ui(Action::Select(0));
    rig.ui(Action::PaymentOption(servicaja_core::api::PaymentOption::DueInstallment));
    rig.ui(Action::Select(0));
    assert_eq!(rig.screen(), Screen::Summary);
}

fn refused(code: ErrorCode, message: &str) -> Result<servicaja_session::Reply, Failure> {
    Err(Failure::Refused(Problem::new(code, message)))
}

#[test]
fn a_refusal_is_read_in_the_customers_language_and_the_centrals_text_only_for_unknown_codes() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.login();
    rig.script.borrow_mut().answers.push_back(refused(ErrorCode::NotFound, "El crédito no existe."));
    rig.ui(Action::Menu(MenuItem::PayLoans));
    assert_eq!(rig.screen(), Screen::Notice);
    assert!(shows(&ui, "No encontramos la cuenta, el crédito o la operación indicada."));
    assert!(!shows(&ui, "El crédito no existe."));

    rig.ui(Action::SetLanguage(servicaja_core::settings::Language::En));
    assert!(shows(&ui, "We could not find that account, loan or operation."), "the same refusal, in English");
    assert!(!shows(&ui, "El crédito no existe."), "never the central's Spanish text for a known code");

    // A code this kiosk's window has no words for: the central's message is all there is.
    let notice = ui.global::<NoticeFlow>();
    notice.set_refusal_code("brand_new_code".into());
    notice.set_refusal_message("Mensaje del sistema central.".into());
    assert!(shows(&ui, "Mensaje del sistema central."));
}

#[test]
fn an_amount_refused_by_the_central_is_explained_in_english() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.login();
    rig.ui(Action::SetLanguage(servicaja_core::settings::Language::En));
    let kiosk = ui.global::<Kiosk>();
    // The amount screen's error line as view.rs writes it for `AmountError::Refused`.
    kiosk.set_screen(Screen::Amount);
    kiosk.set_error("amount-refused".into());
    kiosk.set_error_arg("El monto supera el límite.".into());
    kiosk.set_refusal_code(ErrorCode::LimitExceeded.as_str().into());
    assert!(shows(&ui, "The amount exceeds the limit allowed at ServiCaja."));
}

/// Presses and releases the pointer where no control is (the window's top-left corner).
fn touch_nothing(ui: &KioskWindow) {
    let position = slint::LogicalPosition::new(3.0, 3.0);
    ui.window().dispatch_event(WindowEvent::PointerPressed { position, button: PointerEventButton::Left });
    ui.window().dispatch_event(WindowEvent::PointerReleased { position, button: PointerEventButton::Left });
}

#[test]
fn a_touch_on_no_control_restarts_the_idle_time_and_answers_the_countdown() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.login();
    assert_eq!(rig.screen(), Screen::Menu);
    let idle = rig.controller.borrow().timers()[&Timer::Idle] - rig.now.get();
    rig.advance(idle.num_seconds() - 5);
    touch_nothing(&ui);
    assert_eq!(rig.controller.borrow().timers()[&Timer::Idle], rig.now.get() + idle, "the idle time starts again");
    assert_eq!(rig.screen(), Screen::Menu, "the touch did nothing else");

    rig.advance(idle.num_seconds());
    assert!(ui.global::<Kiosk>().get_countdown_visible());
    // What a scrolled list raises (`flicked`), as the background's touch does.
    ui.global::<Kiosk>().invoke_activity();
    assert!(!ui.global::<Kiosk>().get_countdown_visible(), "activity answers \"¿Necesita más tiempo?\"");
    assert_eq!(rig.screen(), Screen::Menu);
}

#[test]
fn the_payment_done_screen_names_the_next_due_date() {
    let ui = window();
    let rig = Rig::new(&ui);
    to_summary(&rig);
    rig.ui(Action::Confirm);
    assert_eq!(rig.screen(), Screen::PaymentDone);
    let next: Vec<_> = ElementHandle::find_by_accessible_label(&ui, "Próximo vencimiento").collect();
    let values: Vec<String> = next.iter().filter_map(|e| e.accessible_value().map(|v| v.to_string())).collect();
    assert_eq!(values, ["15/12/2026 · S/ 520.00"]);

    // The central names the payment kind in Spanish; the customer reads it in their language.
    let operation = |ui: &KioskWindow, label: &str| -> Vec<String> {
        ElementHandle::find_by_accessible_label(ui, label)
            .filter_map(|e| e.accessible_value().map(|v| v.to_string()))
            .collect()
    };
    assert_eq!(operation(&ui, "Operación"), ["Pago de cuota"]);
    rig.ui(Action::SetLanguage(servicaja_core::settings::Language::En));
    assert_eq!(operation(&ui, "Operation"), ["Installment payment"]);
}

#[test]
fn scrolling_a_long_table_restarts_the_idle_time() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.login();
    rig.ui(Action::Menu(MenuItem::Information));
    rig.ui(Action::InfoTopic(servicaja_session::InfoTopic::PaymentChannels));
    assert_eq!(rig.screen(), Screen::InfoTable);
    let idle = rig.controller.borrow().timers()[&Timer::Idle] - rig.now.get();
    rig.advance(idle.num_seconds() - 5);
    let table = ElementHandle::find_by_element_type_name(&ui, "Flickable").next().expect("the table scrolls");
    table.scroll(0.0, -300.0);
    assert_eq!(rig.controller.borrow().timers()[&Timer::Idle], rig.now.get() + idle, "scrolling is activity");
}

const AGENCY: &str = "Agencia Principal Tacna";
const KIOSK_ID: &str = "KSK-TAC-001";

#[test]
fn large_text_on_the_attract_screen_fits_the_landscape_window_in_both_languages() {
    i_slint_backend_testing::init_no_event_loop();
    for language in [servicaja_core::settings::Language::Es, servicaja_core::settings::Language::En] {
        for high_contrast in [false, true] {
            let ui = another_window();
            let rig = Rig::new(&ui);
            ui.global::<Kiosk>().set_agency(AGENCY.into());
            ui.global::<Kiosk>().set_kiosk_id(KIOSK_ID.into());
            rig.ui(Action::SetLanguage(language));
            rig.ui(Action::SetHighContrast(high_contrast));
            rig.ui(Action::SetLargeText(true));
            assert_eq!(rig.screen(), Screen::Attract);
            let footer = format!("{AGENCY}  ·  {KIOSK_ID}");
            let mut elements: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(&ui, &footer).collect();
            elements.extend(
                i_slint_backend_testing::ElementQuery::from_root(&ui)
                    .match_descendants()
                    .match_accessible_role(i_slint_backend_testing::AccessibleRole::Button)
                    .find_all(),
            );
            assert!(elements.len() >= 7, "the footer and the buttons are found: {}", elements.len());
            for element in elements {
                let (at, size) = (element.absolute_position(), element.size());
                assert!(
                    at.y >= 0.0 && at.y + size.height <= 1024.5 && at.x + size.width <= 1280.5,
                    "{:?} ({language:?}, high contrast {high_contrast}) leaves the 1280x1024 screen: {at:?} {size:?}",
                    element.accessible_label()
                );
            }
        }
    }
}

/// A screen's id and how a fresh session gets there.
type Scene = (Screen, fn(&Rig));

/// The main customer screens with keypads, keyboards and lists, and how a fresh session gets to each.
fn customer_scenes() -> Vec<Scene> {
    use servicaja_core::api::PaymentOption;
    use servicaja_session::{DeliveryChoice, InfoTopic};
    vec![
        (Screen::Attract, |_| {}),
        (Screen::Card, |rig| {
            rig.ui(Action::Confirm);
            rig.ui(Action::TypeInstead);
        }),
        (Screen::Clave, |rig| {
            rig.swipe();
            rig.show_dni();
        }),
        (Screen::Menu, Rig::login),
        (Screen::Amount, |rig| {
            rig.login();
            rig.ui(Action::Menu(MenuItem::PayLoans));
            rig.ui(Action::Select(0));
            rig.ui(Action::PaymentOption(PaymentOption::PrepaymentReduceAmount));
        }),
        (Screen::Installments, |rig| {
            rig.login();
            rig.ui(Action::Menu(MenuItem::PayLoans));
            rig.ui(Action::Select(0));
            rig.ui(Action::PaymentOption(PaymentOption::Advance));
        }),
        (Screen::Delivery, |rig| {
            rig.login();
            rig.ui(Action::Menu(MenuItem::PayLoans));
            rig.ui(Action::Select(0));
            rig.ui(Action::PaymentOption(PaymentOption::DueInstallment));
            rig.ui(Action::Select(0));
            rig.ui(Action::Confirm);
            rig.ui(Action::Confirm);
            rig.ui(Action::Deliver(DeliveryChoice::Email));
        }),
        (Screen::RequestConfirm, |rig| {
            rig.login();
            rig.ui(Action::Menu(MenuItem::Requests));
            rig.ui(Action::RequestKind(servicaja_core::api::RequestKind::AddressChange));
        }),
        (Screen::Internet, |rig| {
            rig.login();
            rig.ui(Action::Menu(MenuItem::InternetPurchases));
        }),
        (Screen::Calculator, |rig| {
            rig.login();
            rig.ui(Action::Menu(MenuItem::Information));
            rig.ui(Action::InfoTopic(InfoTopic::MiViviendaBond));
        }),
        (Screen::OutOfService, |rig| rig.send(servicaja_session::Event::Host { reachable: false })),
    ]
}

/// Every touchable control on the main customer screens says what it is to a screen reader.
#[test]
fn every_control_on_the_customer_screens_has_an_accessible_label() {
    i_slint_backend_testing::init_no_event_loop();
    for (expected, drive) in customer_scenes() {
        let ui = another_window();
        let rig = Rig::new(&ui);
        drive(&rig);
        assert_eq!(rig.screen(), expected);
        let controls: Vec<ElementHandle> = i_slint_backend_testing::ElementQuery::from_root(&ui)
            .match_descendants()
            .match_predicate(|e| {
                use i_slint_backend_testing::AccessibleRole as R;
                matches!(
                    e.accessible_role(),
                    Some(R::Button | R::Checkbox | R::TextInput | R::Slider | R::Switch | R::Combobox)
                )
            })
            .find_all();
        assert!(controls.len() >= 3, "{expected:?}: controls found: {}", controls.len());
        for control in controls {
            let label = control.accessible_label().unwrap_or_default();
            assert!(!label.trim().is_empty(), "{expected:?}: a {:?} has no label", control.accessible_role());
        }
    }
}

/// The request screen carries a whole keyboard: with large text it still fits the landscape screen.
#[test]
fn the_request_keyboard_fits_the_landscape_window_with_large_text() {
    i_slint_backend_testing::init_no_event_loop();
    for language in [servicaja_core::settings::Language::Es, servicaja_core::settings::Language::En] {
        let ui = another_window();
        let rig = Rig::new(&ui);
        rig.login();
        rig.ui(Action::SetLanguage(language));
        rig.ui(Action::SetLargeText(true));
        rig.ui(Action::Menu(MenuItem::Requests));
        rig.ui(Action::RequestKind(servicaja_core::api::RequestKind::GuaranteeRelease));
        assert_eq!(rig.screen(), Screen::RequestConfirm);
        let controls = i_slint_backend_testing::ElementQuery::from_root(&ui)
            .match_descendants()
            .match_accessible_role(i_slint_backend_testing::AccessibleRole::Button)
            .find_all();
        assert!(controls.len() >= 50, "the keyboard and the buttons: {}", controls.len());
        for control in controls {
            let (at, size) = (control.absolute_position(), control.size());
            assert!(
                at.y >= 0.0 && at.y + size.height <= 1024.5 && size.height >= 51.0,
                "{:?} ({language:?}) leaves the screen or shrinks below 15 mm: {at:?} {size:?}",
                control.accessible_label()
            );
        }
    }
}

/// A further window of the kiosk at `width` x `height` in a test that already has one.
fn another_window_of(width: f32, height: f32) -> KioskWindow {
    let ui = KioskWindow::new().expect("the window builds");
    ui.window().set_size(slint::LogicalSize::new(width, height));
    ui.show().expect("the window shows");
    let size = ui.window().size().to_logical(ui.window().scale_factor());
    assert_eq!((size.width, size.height), (width, height), "the kiosk's screen");
    ui
}

/// With large text every control of the main customer screens stays on a `width` x `height` screen.
fn large_text_keeps_every_control_of_the_customer_screens_on(width: f32, height: f32) {
    i_slint_backend_testing::init_no_event_loop();
    for (expected, drive) in customer_scenes() {
        let ui = another_window_of(width, height);
        let rig = Rig::new(&ui);
        rig.ui(Action::SetLargeText(true));
        drive(&rig);
        rig.ui(Action::SetLargeText(true));
        assert_eq!(rig.screen(), expected);
        let buttons = i_slint_backend_testing::ElementQuery::from_root(&ui)
            .match_descendants()
            .match_accessible_role(i_slint_backend_testing::AccessibleRole::Button)
            .find_all();
        assert!(buttons.len() >= 3, "{expected:?}: buttons found: {}", buttons.len());
        for control in buttons {
            let (at, size) = (control.absolute_position(), control.size());
            assert!(
                at.x >= 0.0 && at.y >= 0.0 && at.y + size.height <= height + 0.5 && at.x + size.width <= width + 0.5,
                "{expected:?}: {:?} leaves the {width}x{height} screen: {at:?} {size:?}",
                control.accessible_label()
            );
        }
    }
}

#[test]
fn large_text_keeps_every_control_of_the_customer_screens_on_the_portrait_screen() {
    large_text_keeps_every_control_of_the_customer_screens_on(1080.0, 1920.0);
}

#[test]
fn large_text_keeps_every_control_of_the_customer_screens_on_the_landscape_screen() {
    large_text_keeps_every_control_of_the_customer_screens_on(1280.0, 1024.0);
}

/// "Desafilie primero la cuenta …" names the account already affiliated: its product and masked number.
#[test]
fn the_already_affiliated_notice_names_the_affiliated_account() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.script.borrow_mut().affiliated = true;
    rig.login();
    rig.ui(Action::Menu(MenuItem::InternetPurchases));
    rig.ui(Action::Affiliate);
    assert_eq!(rig.screen(), Screen::Notice);
    assert!(shows(
        &ui,
        "Solo puede afiliar una cuenta a la vez. Desafilie primero la cuenta AHORRO PN SOLES ****1110."
    ));
    rig.ui(Action::SetLanguage(servicaja_core::settings::Language::En));
    assert!(shows(
        &ui,
        "Only one account can be affiliated at a time. First disaffiliate account AHORRO PN SOLES ****1110."
    ));

    // Refused by the central itself, the kiosk does not know which account: no empty gap in the sentence.
    ui.global::<NoticeFlow>().set_account("".into());
    assert!(shows(&ui, "Only one account can be affiliated at a time. First disaffiliate the affiliated account."));
}

/// "Ingresar el número" / "Ingresar el DNI" are offered only where the kiosk allows typing them.
#[test]
fn typing_the_card_or_dni_is_offered_only_where_the_kiosk_allows_it() {
    use servicaja_session::SessionConfig;
    i_slint_backend_testing::init_no_event_loop();
    for (card, dni) in [(true, true), (false, false), (true, false), (false, true)] {
        let ui = another_window();
        let config = SessionConfig { allow_keyed_card: card, allow_keyed_dni: dni, ..SessionConfig::default() };
        let rig = Rig::with_config(&ui, config);
        rig.ui(Action::Confirm);
        assert_eq!(rig.screen(), Screen::Card);
        assert_eq!(shows(&ui, "Ingresar el número"), card, "card typing allowed: {card}");
        rig.swipe();
        assert_eq!(rig.screen(), Screen::Dni);
        assert_eq!(shows(&ui, "Ingresar el DNI"), dni, "DNI typing allowed: {dni}");
        assert!(!shows(&ui, "Ingresar el número"));
    }
}

/// The delivery's QR fall-back draws the printed receipt's QR payload as a real QR code: every module of `qrcode`'s
/// matrix, black on white, with the quiet zone and the three finder patterns.
#[test]
fn the_qr_fall_back_shows_the_receipts_reference_as_a_qr_code() {
    use servicaja_ui::qr::{MODULE_PIXELS, QUIET_MODULES};
    let ui = window();
    let rig = Rig::new(&ui);
    to_summary(&rig);
    rig.ui(Action::Confirm);
    rig.ui(Action::Confirm);
    assert_eq!(rig.screen(), Screen::Delivery);
    assert_eq!(ui.global::<Kiosk>().get_qr_code().size().width, 0, "no QR before it is asked for");
    rig.ui(Action::ShowQr);
    assert_eq!(ui.global::<DeliveryFlow>().get_step(), DeliveryStep::Qr);
    let payload = ui.global::<DeliveryFlow>().get_qr_text().to_string();
    // Issue 18: the printed receipt's own QR payload (operation, date, amount, verification code), not a
    // bare "PAGO OP-000123".
    let code = servicaja_receipts::verification::verification_code(
        "OP-000123",
        &servicaja_ui::fixtures::SCRIPTED_JOURNAL_HASH,
    );
    assert!(payload.starts_with("SERVICAJA|V2|") && payload.contains("|OP-000123|"), "{payload}");
    assert!(payload.ends_with(&format!("|{code}")), "the verification code: {payload}");
    let scanned = servicaja_receipts::verification::parse_payload(&payload).expect("a receipt QR");
    assert!(scanned.amount.is_some_and(|amount| amount.starts_with("S/ ")), "the amount: {payload}");
    assert!(scanned.issued_at.is_some(), "the date: {payload}");

    let shown: Vec<ElementHandle> =
        ElementHandle::find_by_accessible_label(&ui, "Código QR de su constancia").collect();
    assert_eq!(shown.len(), 1, "the QR is on screen");
    let size = shown[0].size();
    assert!(size.width >= 200.0 && size.height >= 200.0, "large enough to scan: {size:?}");

    let pixels = ui.global::<Kiosk>().get_qr_code().to_rgb8().expect("the QR is a pixel image");
    let (side, dark) = servicaja_receipts::render::qr_modules(&payload).expect("qrcode encodes the reference");
    let side = side as u32;
    assert!(side >= 21, "a QR code of {side} modules");
    let width = (side + 2 * QUIET_MODULES) * MODULE_PIXELS;
    assert_eq!((pixels.width(), pixels.height()), (width, width));
    let module = |x: u32, y: u32| -> bool {
        let (px, py) = (x * MODULE_PIXELS + MODULE_PIXELS / 2, y * MODULE_PIXELS + MODULE_PIXELS / 2);
        let p = pixels.as_slice()[(py * width + px) as usize];
        assert!(p.r == p.g && p.g == p.b && (p.r == 0 || p.r == 255), "black or white only: {p:?}");
        p.r == 0
    };
    let total = side + 2 * QUIET_MODULES;
    for y in 0..total {
        for x in 0..total {
            let inside = (QUIET_MODULES..side + QUIET_MODULES).contains(&x)
                && (QUIET_MODULES..side + QUIET_MODULES).contains(&y);
            let expected = inside && dark[((y - QUIET_MODULES) * side + (x - QUIET_MODULES)) as usize];
            assert_eq!(module(x, y), expected, "module ({x}, {y})");
        }
    }
    // The finder patterns, independently of the matrix: a dark 7×7 ring round a light ring round a dark 3×3.
    for (fx, fy) in [(0, 0), (side - 7, 0), (0, side - 7)] {
        for dy in 0..7 {
            for dx in 0..7 {
                let ring = dx.min(dy).min(6 - dx).min(6 - dy);
                assert_eq!(
                    module(QUIET_MODULES + fx + dx, QUIET_MODULES + fy + dy),
                    ring != 1,
                    "finder at ({fx}, {fy})"
                );
            }
        }
    }

    rig.ui(Action::Confirm);
    assert_eq!(ui.global::<Kiosk>().get_qr_code().size().width, 0, "the QR goes with its screen");
}

/// The desgravamen coverages read as the caja's guide prints them: one column per policy, under its name,
/// each cell Sí / No in the customer's language — never the raw "yes / no".
#[test]
fn the_insurance_coverages_show_each_policy_in_its_own_translated_column() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.ui(Action::Menu(MenuItem::Information));
    rig.ui(Action::InfoTopic(servicaja_session::InfoTopic::InsuranceCoverage));
    assert_eq!(rig.screen(), Screen::InfoTable);
    let cell = |ui: &KioskWindow, label: &str| -> Vec<String> {
        ElementHandle::find_by_accessible_label(ui, label)
            .filter_map(|e| e.accessible_value().map(|v| v.to_string()))
            .collect()
    };
    assert!(shows(&ui, "Conceptos") && shows(&ui, "Tradicional") && shows(&ui, "Con devolución"), "the headers");
    assert_eq!(cell(&ui, "Muerte Natural, Tradicional"), ["Sí"]);
    assert_eq!(cell(&ui, "Muerte Natural, Con devolución"), ["Sí"]);
    assert_eq!(cell(&ui, "Sobrevivencia, Tradicional"), ["No"]);
    assert_eq!(cell(&ui, "Sobrevivencia, Con devolución"), ["Sí"]);
    let raw = i_slint_backend_testing::ElementQuery::from_root(&ui)
        .match_descendants()
        .match_predicate(|e| {
            let value = e.accessible_value().unwrap_or_default();
            value.contains(" / ") || value == "yes" || value == "no"
        })
        .find_all();
    assert!(raw.is_empty(), "no raw yes / no left");
    assert_eq!(
        cell(&ui, "Hasta los (75) setenta y cinco años cumplidos"),
        ["S/ 945,000.00 · US$ 350,000.00"],
        "the maximum sums insured read as money"
    );

    rig.ui(Action::SetLanguage(servicaja_core::settings::Language::En));
    assert!(shows(&ui, "Traditional") && shows(&ui, "With refund"), "the headers in English");
    assert_eq!(cell(&ui, "Sobrevivencia, Traditional"), ["No"]);
    assert_eq!(cell(&ui, "Sobrevivencia, With refund"), ["Yes"]);
}

/// The technician's line under the out-of-service screen says what the session knows is wrong with the
/// devices and the central; the attract screen never shows it (customers read what it means to them there,
/// see screens.rs).
#[test]
fn the_technicians_status_line_names_what_is_wrong_with_the_devices_and_the_central() {
    use servicaja_session::{Device, DeviceStatus, Event, PaperStatus};
    let ui = window();
    let rig = Rig::new(&ui);
    let line = |ui: &KioskWindow| -> Vec<String> {
        ElementHandle::find_by_accessible_label(ui, "Estado para el técnico")
            .filter_map(|e| e.accessible_value().map(|v| v.to_string()))
            .collect()
    };
    assert_eq!(rig.screen(), Screen::Attract);
    assert!(line(&ui).is_empty(), "nothing to say while all is well");

    rig.send(Event::Paper(PaperStatus::Low));
    assert_eq!(rig.screen(), Screen::Attract, "paper low still serves");
    assert!(line(&ui).is_empty(), "no technician's words on the attract screen");

    rig.send(Event::Paper(PaperStatus::Out));
    rig.send(Event::Host { reachable: false });
    assert_eq!(rig.screen(), Screen::OutOfService);
    assert_eq!(line(&ui), ["impresora: sin papel · central: sin conexión"]);

    rig.send(Event::Device { device: Device::CardReader, status: DeviceStatus::HardwareError });
    assert_eq!(line(&ui), ["impresora: sin papel · lector de tarjetas: falla de hardware · central: sin conexión"]);

    rig.send(Event::Host { reachable: true });
    rig.send(Event::Device { device: Device::CardReader, status: DeviceStatus::Online });
    rig.send(Event::Paper(PaperStatus::Full));
    assert_eq!(rig.screen(), Screen::Attract);
    assert!(line(&ui).is_empty(), "the line goes when all is well again");
}

/// Terminar on a waiting screen: offered while the kiosk only loads data, and it ends the session; never
/// while the payment is being processed at the central.
#[test]
fn terminar_is_offered_while_loading_but_not_while_a_payment_is_processed() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.login();
    rig.script.borrow_mut().hold = true;
    rig.ui(Action::Menu(MenuItem::Balances));
    assert_eq!(rig.screen(), Screen::Wait);
    assert_eq!(ui.global::<WaitFlow>().get_waiting(), Waiting::Loading);
    let end = buttons_labelled(&ui, "Terminar");
    assert_eq!(end.len(), 1, "Terminar is offered while loading");
    end[0].invoke_accessible_default_action();
    assert_eq!(rig.screen(), Screen::Attract);
    assert!(ended_by_customer(&rig), "the customer ended the session");
    assert!(!rig.controller.borrow().session().holds_secrets());

    let ui = another_window();
    let rig = Rig::new(&ui);
    to_summary(&rig);
    rig.script.borrow_mut().hold = true;
    rig.ui(Action::Confirm);
    assert_eq!(rig.screen(), Screen::Wait);
    assert_eq!(ui.global::<WaitFlow>().get_waiting(), Waiting::Processing);
    assert!(buttons_labelled(&ui, "Terminar").is_empty(), "not while the payment is at the central");
}

/// The main menu's large tiles end with Terminar (the header's button is not repeated there); the tiles of a
/// row are equally wide whatever the length of their texts.
#[test]
fn the_menu_ends_with_a_terminar_tile_and_its_tiles_share_each_row_equally() {
    let ui = window();
    let rig = Rig::new(&ui);
    rig.login();
    assert_eq!(rig.screen(), Screen::Menu);
    let width_of = |label: &str| -> f32 {
        let found = buttons_labelled(&ui, label);
        assert_eq!(found.len(), 1, "{label}");
        found[0].size().width
    };
    for (left, right) in
        [("Pagar cuotas", "Consultar saldos"), ("Compras por internet", "Constancias"), ("Solicitudes", "Información")]
    {
        assert!((width_of(left) - width_of(right)).abs() < 1.0, "{left} and {right} share their row equally");
    }
    let end = buttons_labelled(&ui, "Terminar");
    assert_eq!(end.len(), 1, "one Terminar on the menu: the tile");
    assert!(end[0].size().width > width_of("Pagar cuotas"), "the Terminar tile spans the menu");
    end[0].invoke_accessible_default_action();
    assert_eq!(rig.screen(), Screen::Attract);
    assert!(ended_by_customer(&rig), "the customer ended the session from the menu");
}
