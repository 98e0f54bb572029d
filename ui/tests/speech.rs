//! Audio mode through the window's controller (issue 17): the keypad's events reach the session, its speech
//! cues are worded and handed to the controller's voice (a recording one here) in the session's language and
//! volume, and every key stops what is being said.

use servicaja_core::settings::Language;
use servicaja_session::{Event, KeypadKey, Screen};
use servicaja_speech::{RecordingVoice, Spoken};
use servicaja_ui::KioskWindow;
use servicaja_ui::rig::Rig;
use slint::ComponentHandle;

fn window() -> KioskWindow {
    i_slint_backend_testing::init_no_event_loop();
    let ui = KioskWindow::new().expect("the window builds");
    ui.show().expect("the window shows");
    ui
}

fn said(calls: &[Spoken]) -> Vec<(Vec<String>, Language, u8)> {
    calls
        .iter()
        .filter_map(|call| match call {
            Spoken::Said { lines, language, volume, .. } => Some((lines.clone(), *language, *volume)),
            Spoken::Stopped => None,
        })
        .collect()
}

#[test]
fn the_audio_key_greets_in_spanish_and_a_language_switch_speaks_english() {
    let ui = window();
    let rig = Rig::new(&ui);
    let voice = RecordingVoice::default();
    rig.controller.borrow_mut().set_voice(Box::new(voice.clone()));

    rig.send(Event::Keypad(KeypadKey::Audio));
    let calls = voice.take();
    let spoken = said(&calls);
    assert_eq!(spoken.len(), 1, "{calls:?}");
    let (lines, language, volume) = &spoken[0];
    assert_eq!((*language, *volume), (Language::Es, 5));
    assert!(lines[0].starts_with("Modo de audio activado"), "{lines:?}");
    assert!(lines.iter().any(|line| line.contains("Bienvenido")), "{lines:?}");
    assert!(lines.iter().any(|line| line.contains("pulse")), "the options are numbered: {lines:?}");
    assert!(
        matches!(&calls[0], Spoken::Said { max: 10, .. }),
        "the volume is a step of the configured maximum: {calls:?}"
    );

    // The attract screen's last option is the other language.
    let choices = rig.controller.borrow().session().keypad_choices().len() as u8;
    rig.send(Event::Keypad(KeypadKey::Digit(choices)));
    let calls = voice.take();
    assert_eq!(calls.first(), Some(&Spoken::Stopped), "a key stops the speech first: {calls:?}");
    let spoken = said(&calls);
    assert_eq!(spoken.len(), 1, "{calls:?}");
    let (lines, language, _) = &spoken[0];
    assert_eq!(*language, Language::En);
    assert!(lines.iter().any(|line| line.contains("Welcome")), "{lines:?}");
    assert!(lines.iter().any(|line| line.contains("press")), "{lines:?}");

    rig.send(Event::Keypad(KeypadKey::VolumeUp));
    let spoken = said(&voice.take());
    assert_eq!(spoken, [(vec!["Volume six".to_owned()], Language::En, 6)]);
}

#[test]
fn every_key_in_audio_mode_stops_the_speech_and_the_goodbye_is_in_the_customers_language() {
    let ui = window();
    let rig = Rig::new(&ui);
    let voice = RecordingVoice::default();
    rig.controller.borrow_mut().set_voice(Box::new(voice.clone()));
    rig.send(Event::Keypad(KeypadKey::Audio));
    let choices = rig.controller.borrow().session().keypad_choices().len() as u8;
    rig.send(Event::Keypad(KeypadKey::Digit(choices)));
    rig.login();
    assert!(matches!(rig.controller.borrow().session().screen(), Screen::Menu));
    for _ in 0..3 {
        rig.send(Event::Keypad(KeypadKey::VolumeUp));
    }
    voice.take();

    rig.send(Event::Keypad(KeypadKey::Repeat));
    let calls = voice.take();
    assert_eq!(calls.first(), Some(&Spoken::Stopped), "{calls:?}");
    assert!(said(&calls)[0].0.iter().any(|line| line.contains("Main menu")), "{calls:?}");

    // Cancel at the menu ends the session; the session is back in Spanish at the default volume by the time
    // the goodbye is said, but the customer hears it in English at the volume they chose.
    rig.send(Event::Keypad(KeypadKey::Cancel));
    let calls = voice.take();
    assert_eq!(calls.first(), Some(&Spoken::Stopped), "{calls:?}");
    let spoken = said(&calls);
    let (lines, language, volume) = spoken.last().expect("a goodbye");
    assert_eq!((*language, *volume), (Language::En, 8), "{calls:?}");
    assert!(lines[0].contains("Thank you for using ServiCaja"), "{lines:?}");
    assert_eq!(rig.controller.borrow().session().language(), Language::Es);
}
