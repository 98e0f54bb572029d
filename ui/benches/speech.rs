//! Audio mode's figures (issue 17), printed (run with `cargo bench -p servicaja-ui --bench speech`):
//!
//! 1. The delay from a key press to the first audio out of espeak-ng: `Event::Keypad(Repeat)` dispatched into
//!    the window's controller in audio mode (the session steps, the cue is worded, the kiosk's voice starts
//!    espeak-ng on its background thread) until the first PCM bytes after the WAV header come out of the
//!    engine's `--stdout` (the kiosk plays to the device from the same process; here there is no device).
//!    p50 / p95 over 30 presses, and the engine alone (spawn to first PCM) for comparison.
//! 2. How long the installment payment takes to say end to end, in Spanish and English: the payment of
//!    `session/tests/it/audio.rs` driven by the keypad through the controller (the scripted central
//!    answering), everything the kiosk says rendered to WAV and the lengths added up, step by step.
//!
//! Needs espeak-ng. Hand-timed rather than criterion: the figures are latencies of another process and sums
//! of audio lengths.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use servicaja_core::settings::{AudioSettings, Language};
use servicaja_drivers::voice::{Espeak, HEADER, Output, PcmSink};
use servicaja_runtime::voice::{EspeakVoice, lines, voicing};
use servicaja_session::{Event, KeypadKey};
use servicaja_speech::{RecordingVoice, Spoken, Utterance, Voice};
use servicaja_ui::KioskWindow;
use servicaja_ui::rig::Rig;
use slint::ComponentHandle;

const PRESSES: usize = 30;

/// When the first PCM of the utterance being timed came out.
#[derive(Default)]
struct Probe {
    armed: bool,
    bytes: usize,
    first: Option<Instant>,
}

/// The kiosk's voice, also reachable from the bench to wait for quiet between presses.
struct Shared(Rc<RefCell<EspeakVoice>>);

impl Voice for Shared {
    fn speak(&mut self, lines: Vec<Utterance>, language: Language, volume: u8, max: u8) {
        self.0.borrow_mut().speak(lines, language, volume, max);
    }

    fn stop(&mut self) {
        self.0.borrow_mut().stop();
    }
}

fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

fn wait_for(probe: &Mutex<Probe>, patience: Duration) -> Option<Instant> {
    let deadline = Instant::now() + patience;
    while Instant::now() < deadline {
        if let Some(first) = probe.lock().ok().and_then(|probe| probe.first) {
            return Some(first);
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    None
}

fn key_to_speech(ui: &KioskWindow, audio: &AudioSettings) {
    let probe = Arc::new(Mutex::new(Probe::default()));
    let seen = probe.clone();
    let sink: PcmSink = Arc::new(Mutex::new(move |bytes: &[u8]| {
        if let Ok(mut probe) = seen.lock()
            && probe.armed
        {
            probe.bytes += bytes.len();
            if probe.bytes > HEADER && probe.first.is_none() {
                probe.first = Some(Instant::now());
            }
        }
    }));
    let voice = Rc::new(RefCell::new(EspeakVoice::start(audio, Output::Pcm(sink))));
    let rig = Rig::new(ui);
    rig.controller.borrow_mut().set_voice(Box::new(Shared(voice.clone())));
    rig.send(Event::Keypad(KeypadKey::Audio));
    let mut delays = Vec::new();
    let mut dispatches = Vec::new();
    for _ in 0..PRESSES {
        voice.borrow_mut().stop();
        assert!(voice.borrow().speaker().wait_quiet(Duration::from_secs(5)), "the speaker does not stop");
        *probe.lock().unwrap() = Probe { armed: true, ..Probe::default() };
        let pressed = Instant::now();
        rig.send(Event::Keypad(KeypadKey::Repeat));
        dispatches.push(pressed.elapsed());
        let first = wait_for(&probe, Duration::from_secs(5)).expect("no audio came out of espeak-ng");
        delays.push(first - pressed);
    }
    voice.borrow_mut().stop();

    // The engine alone: spawn, text in, first PCM out.
    let engine = Espeak::new(&audio.engine);
    let said = servicaja_speech::screen(rig.controller.borrow().session(), rig.now.get());
    let engine_lines = lines(audio, said);
    let mut engine_only = Vec::new();
    for _ in 0..PRESSES {
        let started = Instant::now();
        let mut stream = engine.stream(&engine_lines, &voicing(audio, Language::Es, 5, 10)).expect("espeak-ng runs");
        let mut first = [0u8; HEADER + 2];
        std::io::Read::read_exact(&mut stream, &mut first).expect("audio");
        engine_only.push(started.elapsed());
        stream.stop();
    }
    println!("Key press to the first audio out of espeak-ng (Repeat on the attract screen, {PRESSES} presses):");
    println!(
        "  {:<44} p50 {:>9}  p95 {:>9}",
        "controller + voice + engine",
        ms(percentile(&delays, 0.5)),
        ms(percentile(&delays, 0.95))
    );
    println!(
        "  {:<44} p50 {:>9}  p95 {:>9}",
        "  of which the controller's dispatch",
        ms(percentile(&dispatches, 0.5)),
        ms(percentile(&dispatches, 0.95))
    );
    println!(
        "  {:<44} p50 {:>9}  p95 {:>9}",
        "engine alone (spawn to first PCM)",
        ms(percentile(&engine_only, 0.5)),
        ms(percentile(&engine_only, 0.95))
    );
}

/// One step of the payment: what the customer does, and what the kiosk says after it.
type Step = (&'static str, fn(&Rig));

fn press(rig: &Rig, key: KeypadKey) {
    rig.send(Event::Keypad(key));
}

fn payment_steps(language: Language) -> Vec<Step> {
    let mut steps: Vec<Step> = vec![("audio key", |rig| press(rig, KeypadKey::Audio))];
    if language == Language::En {
        // The attract screen's last option is English.
        steps.push(("5: English", |rig| press(rig, KeypadKey::Digit(5))));
    }
    steps.extend::<[Step; 14]>([
        ("1: start with the card", |rig| press(rig, KeypadKey::Digit(1))),
        ("card swiped", Rig::swipe),
        ("DNI on the reader", Rig::show_dni),
        ("clave, six digits", |rig| {
            for digit in servicaja_core::fixtures::CLAVE.chars() {
                press(rig, KeypadKey::Digit(digit.to_digit(10).unwrap_or(0) as u8));
            }
        }),
        ("Enter: the menu", |rig| press(rig, KeypadKey::Enter)),
        ("1: pay installments", |rig| press(rig, KeypadKey::Digit(1))),
        ("1: the first loan", |rig| press(rig, KeypadKey::Digit(1))),
        ("1: the installment due", |rig| press(rig, KeypadKey::Digit(1))),
        ("1: the first account (summary)", |rig| press(rig, KeypadKey::Digit(1))),
        ("Enter: pay", |rig| press(rig, KeypadKey::Enter)),
        ("Enter: how to receive it", |rig| press(rig, KeypadKey::Enter)),
        ("5: hear the receipt", |rig| press(rig, KeypadKey::Digit(5))),
        // The scripted printer prints at once.
        ("1: print", |rig| press(rig, KeypadKey::Digit(1))),
        ("2: no other operation", |rig| press(rig, KeypadKey::Digit(2))),
    ]);
    steps
}

fn payment_length(ui: &KioskWindow, audio: &AudioSettings, language: Language) -> (f64, f64) {
    let engine = Espeak::new(&audio.engine);
    let dir = std::env::temp_dir().join(format!("servicaja-speech-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let rig = Rig::new(ui);
    let voice = RecordingVoice::default();
    rig.controller.borrow_mut().set_voice(Box::new(voice.clone()));
    println!("\nThe installment payment by keypad, spoken end to end ({language:?}; each step heard to its end):");
    let (mut total, mut receipt) = (0.0, 0.0);
    let mut words = 0;
    for (n, (step, act)) in payment_steps(language).into_iter().enumerate() {
        act(&rig);
        // What a step says last is heard to its end; what it said before ("Un momento, por favor" while the
        // central answers, here at once) was interrupted by it.
        let last = voice.take().into_iter().rev().find_map(|call| match call {
            Spoken::Said { lines, language, volume, max } => Some((lines, language, volume, max)),
            Spoken::Stopped => None,
        });
        let mut seconds = 0.0;
        if let Some((said, language, volume, max)) = last {
            words += said.iter().map(|line| line.split_whitespace().count()).sum::<usize>();
            let wav = dir.join(format!("{n}.wav"));
            let utterances = said.into_iter().map(Utterance::new).collect();
            engine
                .render_wav(&lines(audio, utterances), &voicing(audio, language, volume, max), &wav)
                .expect("espeak-ng renders");
            seconds += servicaja_ui::spoken::wav_seconds(&wav).expect("a WAV");
        }
        if step.starts_with("5: hear") {
            receipt = seconds;
        }
        total += seconds;
        println!("  {step:<34} {seconds:>6.1} s");
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("  {:<34} {total:>6.1} s ({words} words; {:.1} s without hearing the receipt)", "total", total - receipt);
    (total, receipt)
}

fn main() {
    if !std::process::Command::new("espeak-ng").arg("--version").output().is_ok_and(|out| out.status.success()) {
        eprintln!("espeak-ng is not installed (apt-get install espeak-ng)");
        std::process::exit(1);
    }
    let window = slint::platform::software_renderer::MinimalSoftwareWindow::new(
        slint::platform::software_renderer::RepaintBufferType::NewBuffer,
    );
    slint::platform::set_platform(Box::new(servicaja_ui::screenshots::HeadlessPlatform { window }))
        .expect("the headless platform");
    let ui = KioskWindow::new().expect("the window builds");
    ui.show().expect("the window shows");
    let audio = AudioSettings::default();
    println!(
        "[audio] {} voices {} / {}, {} words a minute\n",
        audio.engine, audio.voice_es, audio.voice_en, audio.words_per_minute
    );
    key_to_speech(&ui, &audio);
    for language in [Language::Es, Language::En] {
        payment_length(&ui, &audio, language);
    }
}
