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

/// Whether espeak-ng is installed; outside CI a machine without it skips the engine's part (CI installs it).
fn engine_installed() -> bool {
    let installed =
        std::process::Command::new("espeak-ng").arg("--version").output().is_ok_and(|output| output.status.success());
    assert!(installed || std::env::var("CI").as_deref() != Ok("true"), "CI must install espeak-ng");
    if !installed {
        eprintln!("espeak-ng is not installed: skipped (apt-get install espeak-ng)");
    }
    installed
}

#[test]
fn servicaja_speech_writes_each_scenes_words_and_speech_in_both_languages() {
    if !engine_installed() {
        return;
    }
    i_slint_backend_testing::init_no_event_loop();
    let out = tempfile::tempdir().unwrap();
    let audio = servicaja_core::settings::AudioSettings::default();
    let mut told = Vec::new();
    let written = servicaja_ui::spoken::write_all(
        out.path(),
        &audio,
        Some("summary-exchange,countdown,info-mivivienda"),
        &mut |said| told.push(said.scene),
    )
    .unwrap();
    // Both languages of each scene (summary-exchange and info-mivivienda are also there with large text).
    let scenes: Vec<_> = written.iter().map(|said| (said.scene, said.language)).collect();
    assert_eq!(written.len(), 10, "{scenes:?}");
    assert_eq!(told.len(), 10);
    for said in &written {
        let text = std::fs::read_to_string(&said.text).unwrap();
        assert_eq!(text.lines().collect::<Vec<_>>(), said.lines, "{}", said.text.display());
        assert!(said.lines.len() >= 2, "{}: {text}", said.text.display());
        let mut wav = hound::WavReader::open(&said.wav).unwrap();
        assert_eq!(wav.spec().sample_rate, 22_050);
        let samples: Vec<i16> = wav.samples::<i16>().map(Result::unwrap).collect();
        let rms = (samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / samples.len() as f64).sqrt();
        assert!(rms > 1_000.0, "{}: RMS {rms:.0}", said.wav.display());
        // About 2.5 words a second at 160 words a minute: the file holds every line, not a part.
        let words = text.split_whitespace().count() as f64;
        assert!(said.seconds > words / 5.0, "{}: {:.1} s for {words} words", said.wav.display(), said.seconds);
    }
    let text = |scene: &str, language: Language| {
        let said = written.iter().find(|said| said.scene == scene && said.language == language).unwrap();
        said.lines.join("\n")
    };
    let summary = text("summary-exchange", Language::Es);
    assert!(summary.contains("Tipo de cambio"), "{summary}");
    assert!(
        summary.contains("Monto a debitar: mil setecientos cincuenta y siete soles con sesenta céntimos"),
        "{summary}"
    );
    let countdown = text("countdown", Language::En);
    assert!(countdown.starts_with("Do you need more time?"), "the countdown covers the screen: {countdown}");
    let bond = text("info-mivivienda", Language::Es);
    assert!(bond.contains("Bono del Buen Pagador:") && bond.contains("soles"), "the figures are said: {bond}");
    assert!(countdown.contains("Para español, pulse"), "{countdown}");
    let english = text("summary-exchange", Language::En);
    assert!(english.contains("Consumo dólares loan ending in"), "{english}");
}
