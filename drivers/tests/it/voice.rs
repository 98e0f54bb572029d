//! The speech engine's shell against the real espeak-ng: WAV files and the PCM stream in Spanish and
//! English checked with a WAV reader (format, a duration that fits the text, speech loud enough, an ending
//! in silence rather than cut), interruption (the engine killed and reaped, no zombie), and a missing
//! program. CI installs espeak-ng: there a missing engine fails the tests instead of skipping them.

use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use servicaja_drivers::voice::{Espeak, Line, Output, Pcm, PcmSink, Speaker, Voicing, amplitude, lines};

/// The installed engine; `None` (the test is skipped, saying so) only outside CI.
pub fn engine() -> Option<Espeak> {
    let installed =
        std::process::Command::new("espeak-ng").arg("--version").output().is_ok_and(|output| output.status.success());
    if installed {
        return Some(Espeak::new("espeak-ng"));
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "CI must install espeak-ng (apt-get install espeak-ng)");
    eprintln!("espeak-ng is not installed: skipped (apt-get install espeak-ng)");
    None
}

fn voicing(voice: &str) -> Voicing {
    Voicing { voice: voice.into(), words_per_minute: 160, amplitude: amplitude(5, 10) }
}

/// A lower bound on how many syllables `text` has: its groups of vowels (digits are spoken as words with
/// at least one).
fn syllables(text: &str) -> usize {
    let vowel = |c: char| "aeiouáéíóúüyAEIOUÁÉÍÓÚÜY".contains(c);
    let mut count = 0;
    let mut previous = false;
    for c in text.chars() {
        let is = vowel(c) || c.is_ascii_digit();
        if is && (!previous || c.is_ascii_digit()) {
            count += 1;
        }
        previous = is;
    }
    count
}

fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / samples.len() as f64).sqrt()
}

/// What every rendering of `text` must be: long enough for its syllables (at 160 words a minute a syllable
/// takes well over 50 ms) yet not absurdly long, loud, and ending in near silence (it ended on its own, was
/// not cut mid-word).
fn assert_spoken(text: &str, sample_rate: u32, samples: &[i16]) {
    let seconds = samples.len() as f64 / f64::from(sample_rate);
    let syllables = syllables(text) as f64;
    assert!(seconds >= 0.05 * syllables, "{seconds:.2} s for {syllables} syllables: cut? {text}");
    assert!(seconds <= 0.5 * syllables + 1.0, "{seconds:.2} s for {syllables} syllables: {text}");
    let loudness = rms(samples);
    assert!(loudness > 1_000.0, "RMS {loudness:.0}: silent? {text}");
    let tail = &samples[samples.len() - sample_rate as usize / 10..];
    assert!(rms(tail) < 150.0, "the last 100 ms are not silent (RMS {:.0}): cut? {text}", rms(tail));
}

const SPANISH: &str =
    "Su cuota de quinientos veinte soles con cero céntimos vence el quince de marzo. Para pagar, pulse 1.";
const ENGLISH: &str = "Your installment of five hundred twenty soles is due on March fifteenth. To pay, press 1.";

#[test]
fn the_engine_renders_spanish_and_english_to_wav_files() {
    let Some(engine) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (voice, text) in [("es-419", SPANISH), ("en-us", ENGLISH)] {
        let path = dir.path().join(format!("{voice}.wav"));
        engine.render_wav(&lines(&[text]), &voicing(voice), &path).unwrap();
        let mut reader = hound::WavReader::open(&path).unwrap();
        let spec = reader.spec();
        assert_eq!((spec.channels, spec.sample_rate, spec.bits_per_sample), (1, 22_050, 16), "{spec:?}");
        assert_eq!(spec.sample_format, hound::SampleFormat::Int);
        let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_spoken(text, spec.sample_rate, &samples);
    }
}

#[test]
fn the_pcm_stream_carries_the_same_speech_as_the_file() {
    let Some(engine) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let texts = ["ServiCaja. Bienvenido.", "Para pagar cuotas, pulse 1"];
    let pcm: Pcm = engine.render_pcm(&lines(&texts), &voicing("es-419")).unwrap();
    assert_eq!(pcm.sample_rate, 22_050);
    assert_spoken(&texts.join(" "), pcm.sample_rate, &pcm.samples);
    let path = dir.path().join("same.wav");
    engine.render_wav(&lines(&texts), &voicing("es-419"), &path).unwrap();
    let file = hound::WavReader::open(&path).unwrap();
    let difference = (f64::from(file.duration()) / 22_050.0 - pcm.seconds()).abs();
    assert!(difference < 0.05, "file {} samples, stream {}", file.duration(), pcm.samples.len());
}

#[test]
fn a_line_in_the_other_language_is_said_by_that_languages_voice() {
    let Some(engine) = engine() else { return };
    let offer = "For English, press 5.";
    let in_spanish = engine.render_pcm(&[Line::in_voice(offer, "en-us")], &voicing("es-419")).unwrap();
    let in_english = engine.render_pcm(&lines(&[offer]), &voicing("en-us")).unwrap();
    let misread = engine.render_pcm(&lines(&[offer]), &voicing("es-419")).unwrap();
    // The synthesis is deterministic: the same voice gives the same audio (up to the final pause, which
    // depends on the voice the text ends in).
    let speech = in_english.samples.len() - 22_050 / 10;
    assert!(in_spanish.samples.len() >= speech, "{} samples", in_spanish.samples.len());
    assert!(in_spanish.samples[..speech] == in_english.samples[..speech], "not said by the English voice");
    assert!(misread.samples.len() < speech || misread.samples[..speech] != in_english.samples[..speech]);
    // Ending in the other voice, the text still ends in silence, not cut.
    let texts = ["To file a request, press 2.", "Para español, pulse 3."];
    let offer = [Line::new(texts[0]), Line::in_voice(texts[1], "es-419")];
    let pcm = engine.render_pcm(&offer, &voicing("en-us")).unwrap();
    assert_spoken(&texts.join(" "), pcm.sample_rate, &pcm.samples);
}

#[test]
fn text_that_looks_like_markup_or_options_is_said_not_obeyed() {
    let Some(engine) = engine() else { return };
    let text = "-v xx <voice name=\"xx\"> jesus@correo.pe & Cía";
    let pcm = engine.render_pcm(&lines(&[text]), &voicing("es-419")).unwrap();
    // Symbols are said as words ("menor que", "arroba"): longer than the letters' syllables, never swallowed.
    assert!(pcm.seconds() > 0.05 * syllables(text) as f64, "{:.2} s", pcm.seconds());
    assert!(rms(&pcm.samples) > 1_000.0);
    let plain = engine.render_pcm(&lines(&["jesus@correo.pe"]), &voicing("es-419")).unwrap();
    assert!(pcm.seconds() > plain.seconds() + 1.0, "the markup-like part was not said");
}

#[test]
fn louder_steps_are_louder() {
    let Some(engine) = engine() else { return };
    let quiet = Voicing { amplitude: amplitude(1, 10), ..voicing("es-419") };
    let loud = Voicing { amplitude: amplitude(10, 10), ..voicing("es-419") };
    let text = lines(&["Volumen diez"]);
    let (quiet, loud) = (engine.render_pcm(&text, &quiet).unwrap(), engine.render_pcm(&text, &loud).unwrap());
    assert!(rms(&loud.samples) > 3.0 * rms(&quiet.samples), "{} vs {}", rms(&loud.samples), rms(&quiet.samples));
}

/// Whether process `pid` still exists, a zombie included (one that ended and was never reaped).
fn exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Text that takes minutes to say: the engine is still at it when the test interrupts it.
fn long_text() -> Vec<Line> {
    (0..150)
        .map(|n| Line::new(format!("Esta es la frase número {n} de un texto largo que la prueba interrumpe.")))
        .collect()
}

#[test]
fn dropping_a_stream_stops_and_reaps_the_engine() {
    let Some(engine) = engine() else { return };
    let mut stream = engine.stream(&long_text(), &voicing("es-419")).unwrap();
    let mut first = [0u8; 4_096];
    std::io::Read::read_exact(&mut stream, &mut first).unwrap();
    assert_eq!(&first[0..4], b"RIFF");
    let pid = stream.id().unwrap();
    assert!(exists(pid));
    drop(stream);
    assert!(!exists(pid), "espeak-ng {pid} left behind");
}

/// A sink that plays at about five times real time (4,096 bytes are 93 ms of audio) and tells when the
/// first bytes arrived.
fn playing_sink() -> (PcmSink, mpsc::Receiver<Instant>, Arc<Mutex<usize>>) {
    let (first, arrived) = mpsc::channel();
    let total = Arc::new(Mutex::new(0usize));
    let counted = total.clone();
    let sink: PcmSink = Arc::new(Mutex::new(move |bytes: &[u8]| {
        let mut total = counted.lock().unwrap();
        if *total == 0 {
            let _ = first.send(Instant::now());
        }
        *total += bytes.len();
        std::thread::sleep(Duration::from_millis(20));
    }));
    (sink, arrived, total)
}

#[test]
fn a_stop_interrupts_the_speaker_at_once_and_leaves_no_process() {
    let Some(engine) = engine() else { return };
    let (sink, arrived, total) = playing_sink();
    let speaker = Speaker::start(engine, Output::Pcm(sink));
    speaker.say(long_text(), voicing("es-419"));
    arrived.recv_timeout(Duration::from_secs(5)).expect("no audio came");
    let pid = speaker.settled(Duration::from_secs(1)).expect("stuck").expect("the engine runs");
    let stopped = Instant::now();
    speaker.stop();
    assert!(speaker.wait_quiet(Duration::from_secs(2)), "still speaking");
    let took = stopped.elapsed();
    assert!(took < Duration::from_millis(500), "the stop took {took:?}");
    assert!(!exists(pid), "espeak-ng {pid} left behind");
    let heard = *total.lock().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(*total.lock().unwrap(), heard, "audio went on after the stop");
    // The whole text is minutes of audio (about 2.6 MB a minute): only its beginning was played.
    assert!(heard < 1_000_000, "{heard} bytes");
}

#[test]
fn a_new_utterance_interrupts_the_last_and_a_finished_one_is_reaped() {
    let Some(engine) = engine() else { return };
    let (sink, arrived, _) = playing_sink();
    let speaker = Speaker::start(engine, Output::Pcm(sink));
    speaker.say(long_text(), voicing("es-419"));
    arrived.recv_timeout(Duration::from_secs(5)).expect("no audio came");
    let first = speaker.settled(Duration::from_secs(1)).expect("stuck").expect("the engine runs");
    speaker.say(lines(&["Volumen seis"]), voicing("es-419"));
    let second = speaker.settled(Duration::from_secs(2)).expect("the speaker is stuck");
    assert!(!exists(first), "the interrupted engine {first} was left behind");
    // The short one (about 50 kB, a quarter of a second at the sink's pace) is said to its end and reaped.
    let second = second.expect("the new utterance is not being said");
    assert_ne!(second, first);
    let started = Instant::now();
    assert!(speaker.wait_quiet(Duration::from_secs(10)), "the short utterance never ended");
    assert!(started.elapsed() > Duration::from_millis(100), "ended in {:?}: not said?", started.elapsed());
    assert!(!exists(second), "the finished engine {second} was not reaped");
}

#[test]
fn the_device_output_speaks_and_is_reaped_even_without_a_sound_card() {
    let Some(engine) = engine() else { return };
    // Amplitude 0: a machine with speakers stays quiet during the tests.
    let speaker = Speaker::start(engine, Output::Device);
    speaker.say(lines(&["Hola"]), Voicing { amplitude: 0, ..voicing("es-419") });
    let pid = speaker.settled(Duration::from_secs(2)).expect("the speaker is stuck").expect("espeak-ng did not start");
    assert!(speaker.wait_quiet(Duration::from_secs(10)));
    assert!(!exists(pid), "espeak-ng {pid} was not reaped");
}

#[test]
fn a_missing_engine_is_a_clean_error_and_a_silent_speaker() {
    let missing = Espeak::new("/nonexistent/espeak-ng");
    let dir = tempfile::tempdir().unwrap();
    let err = missing.render_wav(&lines(&["Hola"]), &voicing("es-419"), &dir.path().join("x.wav")).unwrap_err();
    assert!(matches!(err, servicaja_drivers::voice::EngineError::Missing(_)), "{err}");
    assert!(err.to_string().contains("apt-get install espeak-ng"), "{err}");
    assert!(missing.render_pcm(&lines(&["Hola"]), &voicing("es-419")).is_err());
    let speaker = Speaker::start(missing, Output::Device);
    speaker.say(lines(&["Hola"]), voicing("es-419"));
    speaker.say(lines(&["Hola otra vez"]), voicing("es-419"));
    assert_eq!(speaker.settled(Duration::from_secs(1)), Ok(None), "nothing can speak");
    speaker.stop();
    assert!(speaker.wait_quiet(Duration::from_secs(1)));
}

#[test]
fn an_unknown_voice_is_an_error_not_a_silent_file() {
    let Some(engine) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let result = engine.render_wav(&lines(&["Hola"]), &voicing("xx-nonexistent"), &dir.path().join("x.wav"));
    assert!(result.is_err(), "{result:?}");
}

#[test]
fn the_syllable_counter_counts_vowel_groups() {
    assert_eq!(syllables("Hola"), 2);
    assert_eq!(syllables("cuota"), 2);
    assert_eq!(syllables("pulse 12"), 4);
}
