//! Issue 17 in the window: the tactile keypad is keyboard input, so these flows press keys on the window
//! (`WindowEvent::KeyPressed` / `KeyReleased`, what a USB numeric keypad sends) and touch nothing; the
//! audio-mode indicator and the privacy blank are read back from the rendered window.

use i_slint_backend_testing::ElementHandle;
use servicaja_session::{AudioConfig, Effect, SessionConfig};
use slint::ComponentHandle;
use slint::platform::{PointerEventButton, WindowEvent};

use servicaja_ui::rig::Rig;
use servicaja_ui::{AudioFlow, KioskWindow, Screen, fixtures};

use crate::flows::{assert_paid_and_printed, screen, shows, window};

/// Presses and releases the key whose Slint text is `text`, as the keypad does.
fn press(ui: &KioskWindow, text: &str) {
    let window = ui.window();
    window.dispatch_event(WindowEvent::KeyPressed { text: text.into() });
    window.dispatch_event(WindowEvent::KeyReleased { text: text.into() });
}

/// Types `digits` on the keypad.
fn type_keys(ui: &KioskWindow, digits: &str) {
    for digit in digits.chars() {
        press(ui, &digit.to_string());
    }
}

const ENTER: &str = "\n";
const ESC: &str = "\u{1b}";
const BACKSPACE: &str = "\u{8}";
const TAB: &str = "\t";

fn rig_with(ui: &KioskWindow, blank_screen: bool) -> Rig {
    let audio = AudioConfig { blank_screen, ..AudioConfig::default() };
    Rig::with_config(
        ui,
        SessionConfig { allow_keyed_card: true, allow_keyed_dni: true, audio, ..SessionConfig::default() },
    )
}

/// Card and DNI typed, the clave typed with one mistake cleared: all by keys, ends on the menu.
fn log_in_by_keys(ui: &KioskWindow) {
    // Attract: 1 Comenzar, 2 Crear mi clave, 3 type the card instead.
    press(ui, "3");
    assert_eq!(screen(ui), Screen::Card);
    type_keys(ui, fixtures::CARD);
    press(ui, ENTER);
    assert_eq!(screen(ui), Screen::Dni);
    press(ui, "1");
    // The DNI and its check character, which is a digit or a letter: the digit form is typed by key.
    type_keys(ui, &format!("{}2", fixtures::DNI));
    press(ui, ENTER);
    assert_eq!(screen(ui), Screen::Clave);
    // The clave: a wrong digit, Backspace clears the entry, then the clave; Enter checks it.
    press(ui, "9");
    assert_eq!(ui.global::<servicaja_ui::Kiosk>().get_entered(), 1);
    press(ui, BACKSPACE);
    assert_eq!(ui.global::<servicaja_ui::Kiosk>().get_entered(), 0);
    type_keys(ui, fixtures::CLAVE);
    assert_eq!(ui.global::<servicaja_ui::Kiosk>().get_entered(), 6);
    press(ui, ENTER);
    assert_eq!(screen(ui), Screen::Menu);
}

#[test]
fn a_full_installment_payment_by_keys_alone() {
    let ui = window();
    let rig = rig_with(&ui, false);
    press(&ui, TAB);
    assert!(ui.global::<AudioFlow>().get_on(), "Tab is the audio key");
    log_in_by_keys(&ui);
    press(&ui, "1");
    assert_eq!(screen(&ui), Screen::Loans);
    press(&ui, "1");
    assert_eq!(screen(&ui), Screen::Loan);
    // A digit that chooses nothing leaves the screen as it is; * repeats, / helps: no screen change.
    for key in ["9", "*", "/"] {
        press(&ui, key);
        assert_eq!(screen(&ui), Screen::Loan, "after {key:?}");
    }
    press(&ui, "1");
    assert_eq!(screen(&ui), Screen::Accounts);
    press(&ui, "1");
    assert_eq!(screen(&ui), Screen::Summary);
    assert!(shows(&ui, "Monto a debitar"));
    press(&ui, ENTER);
    assert_eq!(screen(&ui), Screen::PaymentDone);
    assert!(shows(&ui, "Pago realizado"));
    press(&ui, ENTER);
    assert_eq!(screen(&ui), Screen::Delivery);
    press(&ui, "1");
    assert_paid_and_printed(&ui, &rig);
}

#[test]
fn a_balance_inquiry_by_keys_alone_and_cancel_walks_back_to_the_end() {
    let ui = window();
    let rig = rig_with(&ui, false);
    log_in_by_keys(&ui);
    press(&ui, "2");
    assert_eq!(screen(&ui), Screen::Accounts);
    assert!(shows(&ui, "AHORRO PN SOLES S/ 2,500.00"));
    press(&ui, "1");
    assert_eq!(screen(&ui), Screen::Movements);
    press(&ui, ESC);
    assert_eq!(screen(&ui), Screen::Accounts);
    press(&ui, ESC);
    assert_eq!(screen(&ui), Screen::Menu);
    press(&ui, ESC);
    assert_eq!(screen(&ui), Screen::Attract);
    let ended = rig.script.borrow().effects.iter().any(|e| matches!(e, Effect::SessionEnded { .. }));
    assert!(ended, "Cancel at the menu ends the session");
}

#[test]
fn the_numlock_off_keys_and_the_keypad_enter_type_the_clave() {
    let ui = window();
    let rig = rig_with(&ui, false);
    // A card swiped and a DNI shown: the devices, then the clave typed with NumLock off (End = 1, ↓ = 2,
    // PgDn = 3, ← = 4, → = 6, Home = 7, ↑ = 8, PgUp = 9, Ins = 0).
    rig.swipe();
    rig.show_dni();
    assert_eq!(screen(&ui), Screen::Clave);
    for text in ["\u{F72B}", "\u{F701}", "\u{F72D}", "\u{F702}", "\u{F703}", "\u{F727}"] {
        press(&ui, text);
    }
    assert_eq!(ui.global::<servicaja_ui::Kiosk>().get_entered(), 6);
    press(&ui, "\r");
    assert_ne!(screen(&ui), Screen::Clave, "the LinuxKMS keypad Enter confirms");
}

#[test]
fn the_indicator_shows_the_volume_as_the_keys_change_it() {
    let ui = window();
    let _rig = rig_with(&ui, false);
    assert!(!shows(&ui, "Modo audio · Volumen 5/10"));
    press(&ui, TAB);
    assert!(shows(&ui, "Modo audio · Volumen 5/10"));
    press(&ui, "+");
    press(&ui, "+");
    assert!(shows(&ui, "Modo audio · Volumen 7/10"));
    for _ in 0..12 {
        press(&ui, "-");
    }
    assert!(shows(&ui, "Modo audio · Volumen 1/10"), "the volume stops at 1");
    // Audio mode and its volume end with the session (Cancel at the attract screen goes nowhere; a session
    // ends through the menu).
    press(&ui, "1");
    press(&ui, ESC);
    assert_eq!(screen(&ui), Screen::Attract);
}

/// A finger at (x, y) on the panel.
fn tap_at(ui: &KioskWindow, x: f32, y: f32) {
    let position = slint::LogicalPosition::new(x, y);
    ui.window().dispatch_event(WindowEvent::PointerPressed { position, button: PointerEventButton::Left });
    ui.window().dispatch_event(WindowEvent::PointerReleased { position, button: PointerEventButton::Left });
}

#[test]
fn the_privacy_blank_follows_the_setting_and_swallows_touches() {
    let ui = window();
    ui.window().set_size(slint::PhysicalSize::new(1280, 1024));
    let blank_text = "Pantalla apagada por privacidad. Use el teclado.";
    let _rig = rig_with(&ui, true);
    assert!(!shows(&ui, blank_text), "no blank before audio mode");
    press(&ui, TAB);
    assert!(ui.global::<AudioFlow>().get_blank());
    assert!(shows(&ui, blank_text));
    assert!(shows(&ui, "Modo audio · Volumen 5/10"), "the indicator stays over the blank");
    // Where "Comenzar" is on the attract screen: a touch there does nothing while blanked.
    let comenzar: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(&ui, "Comenzar").collect();
    let (position, size) = (comenzar[0].absolute_position(), comenzar[0].size());
    tap_at(&ui, position.x + size.width / 2.0, position.y + size.height / 2.0);
    assert_eq!(screen(&ui), Screen::Attract, "the touch under the blank did nothing");
    // The keys still work under it.
    press(&ui, "1");
    assert_eq!(screen(&ui), Screen::Card);
    assert!(shows(&ui, blank_text));
    // The session ends: audio mode and the blank with it.
    press(&ui, ESC);
    assert_eq!(screen(&ui), Screen::Attract);
    assert!(!ui.global::<AudioFlow>().get_on());
    assert!(!shows(&ui, blank_text));
}

#[test]
fn without_the_setting_audio_mode_leaves_the_screen_on() {
    let blank_text = "Pantalla apagada por privacidad. Use el teclado.";
    let ui = window();
    ui.window().set_size(slint::PhysicalSize::new(1280, 1024));
    let _rig = rig_with(&ui, false);
    press(&ui, TAB);
    assert!(ui.global::<AudioFlow>().get_on());
    assert!(!shows(&ui, blank_text));
    // The same touch the blank swallows acts on the lit screen.
    let comenzar: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(&ui, "Comenzar").collect();
    let (position, size) = (comenzar[0].absolute_position(), comenzar[0].size());
    tap_at(&ui, position.x + size.width / 2.0, position.y + size.height / 2.0);
    assert_eq!(screen(&ui), Screen::Card);
}

#[test]
fn keys_on_the_english_screens_show_the_english_indicator() {
    let ui = window();
    let _rig = rig_with(&ui, true);
    press(&ui, TAB);
    // Attract (keyed card allowed): 1 Comenzar, 2 Crear mi clave, 3 type the card, 4 Información, 5 English.
    press(&ui, "5");
    assert!(shows(&ui, "Audio mode · Volume 5/10"), "{:?}", ui.global::<servicaja_ui::Kiosk>().get_language());
    assert!(shows(&ui, "Screen off for privacy. Use the keypad."));
}
