//! The speech engine's shell (issue 17): espeak-ng (Debian package `espeak-ng`, offline, Spanish and
//! English voices) run as a child process, never through a shell, the text given on its standard input —
//! never on the command line, where a line starting with `-` would be read as an option — one utterance a
//! line, each wrapped in SSML's `<voice>` (`-m`) so that a line in the other language (the offer of English
//! on a Spanish screen) is said by that language's voice, the rest escaped as text. Three ways out:
//! a WAV file (`-w`, for `servicaja speech` and the tests), the PCM stream (`--stdout`, for the figures),
//! and the kiosk's audio device, where espeak-ng plays what it says itself ([`Speaker`]).
//!
//! Why espeak-ng plays to the device itself rather than its `--stdout` piped to a player: one process per
//! utterance owns the sound, so killing it silences the kiosk at once (no second process still draining a
//! buffer), no player program or audio crate joins the kiosk, and the device is the system's default one
//! (ALSA or PulseAudio configuration picks the headphone jack), as for any other program.
//!
//! The text may hold a customer's name or amounts, never a clave, code or card number (the speech crate
//! words those as counts and last digits); it is logged at debug level at most.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// espeak-ng's amplitude at the lowest and the highest volume step. Above about 150 espeak-ng limits its
/// peaks, so the top steps still get louder (RMS) without harsh clipping; below 20 it is hard to hear
/// through headphones in a busy agency.
pub const AMPLITUDE_RANGE: (u8, u8) = (20, 180);

/// The session's volume step `volume` of `max` (1..=max) as espeak-ng's amplitude (`-a`, 0–200), evenly
/// spread over [`AMPLITUDE_RANGE`]; out-of-range steps are clamped.
pub fn amplitude(volume: u8, max: u8) -> u8 {
    let (low, high) = AMPLITUDE_RANGE;
    if max <= 1 {
        return high;
    }
    let step = u32::from(volume.clamp(1, max) - 1);
    let span = u32::from(high - low);
    low + u8::try_from(step * span / u32::from(max - 1)).unwrap_or(high - low)
}

/// How an utterance is said: the espeak-ng voice, the rate and the loudness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voicing {
    /// An espeak-ng voice name (`es-419`, `en-us`: see `espeak-ng --voices`).
    pub voice: String,
    /// Words per minute (`-s`).
    pub words_per_minute: u32,
    /// Amplitude, 0–200 (`-a`); see [`amplitude`].
    pub amplitude: u8,
}

/// What went wrong running the engine.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the speech engine `{0}` is not installed (apt-get install espeak-ng)")]
    Missing(String),
    #[error("the speech engine `{program}` could not start: {source}")]
    Start { program: String, source: std::io::Error },
    #[error("the speech engine `{program}` failed ({status}): {stderr}")]
    Failed { program: String, status: ExitStatus, stderr: String },
    #[error("the speech engine's output: {0}")]
    Output(String),
}

/// One utterance, said by the [`Voicing`]'s voice or by `voice` when set (another language's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub voice: Option<String>,
}

impl Line {
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into(), voice: None }
    }

    /// An utterance said by `voice` whatever the voicing's.
    pub fn in_voice(text: impl Into<String>, voice: impl Into<String>) -> Self {
        Self { text: text.into(), voice: Some(voice.into()) }
    }
}

/// Lines said by the voicing's voice.
pub fn lines<S: AsRef<str>>(texts: &[S]) -> Vec<Line> {
    texts.iter().map(|text| Line::new(text.as_ref())).collect()
}

/// The espeak-ng program and how to run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Espeak {
    program: PathBuf,
}

impl Espeak {
    /// The engine run as `program` (a name looked up on `PATH`, or a path): `[audio] engine`.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Self { program: program.into() }
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The command for `voicing`, text on its standard input: one utterance a line, which espeak-ng reads
    /// one at a time and ends each as a sentence even without a full stop; SSML (`-m`) for the voices.
    fn command(&self, voicing: &Voicing) -> Command {
        let mut command = Command::new(&self.program);
        command
            .arg("-m")
            .arg("-v")
            .arg(&voicing.voice)
            .arg("-s")
            .arg(voicing.words_per_minute.to_string())
            .arg("-a")
            .arg(voicing.amplitude.min(200).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    }

    fn spawn(&self, mut command: Command) -> Result<Child, EngineError> {
        let program = self.program.display().to_string();
        command.spawn().map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => EngineError::Missing(program),
            _ => EngineError::Start { program, source },
        })
    }

    /// Renders `lines` to the WAV file `path` (16-bit mono PCM at espeak-ng's 22,050 Hz); returns when the
    /// file is complete.
    pub fn render_wav(&self, lines: &[Line], voicing: &Voicing, path: &Path) -> Result<(), EngineError> {
        let mut command = self.command(voicing);
        command.arg("-w").arg(path);
        let child = self.spawn(command)?;
        let mut running = Running::start(child, text_of(lines, voicing), None);
        let status = running.wait();
        self.check(status, running.stderr())
    }

    /// Starts rendering `lines` as a WAV stream on a pipe (`--stdout`): the header, then PCM as espeak-ng
    /// makes it. Dropping the stream stops the engine.
    pub fn stream(&self, lines: &[Line], voicing: &Voicing) -> Result<PcmStream, EngineError> {
        let mut command = self.command(voicing);
        command.arg("--stdout").stdout(Stdio::piped());
        let mut child = self.spawn(command)?;
        let stdout = child.stdout.take();
        let running = Running::start(child, text_of(lines, voicing), None);
        Ok(PcmStream { stdout, running: Some(running), program: self.program.display().to_string() })
    }

    /// Renders `lines` to memory through the PCM stream.
    pub fn render_pcm(&self, lines: &[Line], voicing: &Voicing) -> Result<Pcm, EngineError> {
        let mut stream = self.stream(lines, voicing)?;
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).map_err(|err| EngineError::Output(err.to_string()))?;
        stream.finish()?;
        Pcm::from_wav_stream(&bytes)
    }

    fn check(&self, status: Option<ExitStatus>, stderr: String) -> Result<(), EngineError> {
        match status {
            Some(status) if status.success() => Ok(()),
            Some(status) => Err(EngineError::Failed { program: self.program.display().to_string(), status, stderr }),
            None => Err(EngineError::Output("the engine could not be waited for".into())),
        }
    }
}

/// One utterance a line, each in its voice; a line break inside an utterance would split it in two.
fn text_of(lines: &[Line], voicing: &Voicing) -> String {
    let mut text = String::new();
    for line in lines {
        let words = line.text.replace(['\n', '\r'], " ");
        if words.trim().is_empty() {
            continue;
        }
        let voice = line.voice.as_deref().unwrap_or(&voicing.voice);
        text.push_str(&format!("<voice name=\"{}\">{}</voice>\n", escape(voice), escape(words.trim())));
    }
    // Text that ends in another voice than the command's ends without espeak-ng's final pause, the last
    // syllable's decay cut: back to the command's voice for an empty line.
    if lines.iter().rev().find(|line| !line.text.trim().is_empty()).is_some_and(|line| line.voice.is_some()) {
        text.push_str(&format!("<voice name=\"{}\"> </voice>\n", escape(&voicing.voice)));
    }
    text
}

/// Text as SSML character data: what could open a tag or an entity is escaped (an e-mail address, an
/// ampersand in a product's name are said, not obeyed).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Audio in memory: signed 16-bit mono samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcm {
    pub sample_rate: u32,
    pub samples: Vec<i16>,
}

impl Pcm {
    /// espeak-ng's `--stdout` stream: a 44-byte RIFF header whose lengths are placeholders (it is written
    /// before the length is known), then 16-bit little-endian mono samples to the end.
    pub fn from_wav_stream(bytes: &[u8]) -> Result<Self, EngineError> {
        let header = stream_header(bytes)?;
        let samples = bytes[HEADER..].chunks_exact(2).map(|pair| i16::from_le_bytes([pair[0], pair[1]])).collect();
        Ok(Self { sample_rate: header, samples })
    }

    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.sample_rate.max(1))
    }
}

/// The length of espeak-ng's WAV header.
pub const HEADER: usize = 44;

/// Checks espeak-ng's WAV header (16-bit mono PCM) and returns its sample rate.
fn stream_header(bytes: &[u8]) -> Result<u32, EngineError> {
    let bad = |what: &str| Err(EngineError::Output(format!("not a 16-bit mono WAV stream: {what}")));
    if bytes.len() < HEADER {
        return bad("shorter than its header");
    }
    if &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" || &bytes[12..16] != b"fmt " || &bytes[36..40] != b"data" {
        return bad("no RIFF/WAVE/fmt/data header");
    }
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    if u16_at(20) != 1 || u16_at(22) != 1 || u16_at(34) != 16 {
        return bad("not 16-bit mono PCM");
    }
    Ok(u32::from_le_bytes([bytes[24], bytes[25], bytes[26], bytes[27]]))
}

/// A WAV stream being rendered (see [`Espeak::stream`]); reads give the header, then the PCM. Dropping it
/// kills the engine and reaps it.
pub struct PcmStream {
    stdout: Option<ChildStdout>,
    running: Option<Running>,
    program: String,
}

impl PcmStream {
    /// The engine's process id while it runs.
    pub fn id(&self) -> Option<u32> {
        self.running.as_ref().map(|running| running.child.id())
    }

    /// Stops the engine now (its output ends) and reaps it.
    pub fn stop(&mut self) {
        self.stdout = None;
        if let Some(mut running) = self.running.take() {
            running.kill();
        }
    }

    /// Waits for the engine to end after the stream was read to its end.
    pub fn finish(mut self) -> Result<(), EngineError> {
        self.stdout = None;
        let Some(mut running) = self.running.take() else { return Ok(()) };
        let status = running.wait();
        let stderr = running.stderr();
        Espeak { program: self.program.clone().into() }.check(status, stderr)
    }
}

impl Read for PcmStream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self.stdout.as_mut() {
            Some(stdout) => stdout.read(buf),
            None => Ok(0),
        }
    }
}

impl Drop for PcmStream {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A started engine process with the threads that feed its standard input and drain its standard error
/// (so that neither pipe can fill and stall it), and, when asked, forward its standard output.
struct Running {
    child: Child,
    pipes: Vec<JoinHandle<()>>,
    stderr: Arc<Mutex<String>>,
    /// Set before the engine is killed: what it had already written is not forwarded any more.
    cancelled: Arc<AtomicBool>,
}

/// How much of the engine's standard error is kept for the log (ALSA's complaints can be long).
const STDERR_KEPT: usize = 2_000;

impl Running {
    fn start(mut child: Child, text: String, pcm: Option<PcmSink>) -> Self {
        let mut pipes = Vec::new();
        if let Some(mut stdin) = child.stdin.take() {
            // A killed engine closes its end: the write fails and the thread ends.
            pipes.push(thread::spawn(move || {
                let _ = stdin.write_all(text.as_bytes());
            }));
        }
        let stderr = Arc::new(Mutex::new(String::new()));
        if let Some(mut pipe) = child.stderr.take() {
            let kept = stderr.clone();
            pipes.push(thread::spawn(move || {
                let mut chunk = [0u8; 512];
                while let Ok(n) = pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut kept) = kept.lock()
                        && kept.len() < STDERR_KEPT
                    {
                        kept.push_str(&String::from_utf8_lossy(&chunk[..n]));
                    }
                }
            }));
        }
        let cancelled = Arc::new(AtomicBool::new(false));
        if let Some(sink) = pcm
            && let Some(mut pipe) = child.stdout.take()
        {
            let cancelled = cancelled.clone();
            pipes.push(thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut chunk) {
                    if n == 0 || cancelled.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(mut sink) = sink.lock() {
                        (*sink)(&chunk[..n]);
                    }
                }
            }));
        }
        Self { child, pipes, stderr, cancelled }
    }

    /// Whether the engine has ended on its own.
    fn ended(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the engine to end and for its pipes' threads.
    fn wait(&mut self) -> Option<ExitStatus> {
        let status = self.child.wait().ok();
        for pipe in self.pipes.drain(..) {
            let _ = pipe.join();
        }
        status
    }

    /// Kills the engine (if it still runs) and reaps it: no zombie is left behind.
    fn kill(&mut self) -> Option<ExitStatus> {
        self.cancelled.store(true, Ordering::SeqCst);
        // An engine that already ended refuses the signal; `wait` reaps it all the same.
        let _ = self.child.kill();
        self.wait()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().map(|text| text.trim().to_owned()).unwrap_or_default()
    }
}

/// Where the live speaker's PCM goes when it is asked for (the figures); the device otherwise.
pub type PcmSink = Arc<Mutex<dyn FnMut(&[u8]) + Send>>;

/// Where the [`Speaker`] sends the sound.
#[derive(Clone)]
pub enum Output {
    /// espeak-ng plays it on the system's default audio device (the kiosk).
    Device,
    /// espeak-ng writes the WAV stream (`--stdout`) and its bytes go to the sink as they come (the
    /// key-to-speech figure and the interruption tests, which have no audio device).
    Pcm(PcmSink),
}

enum Order {
    Say { lines: Vec<Line>, voicing: Voicing },
    Stop,
}

/// What the speaker is doing, shared with its thread: the orders sent and not yet carried out, and the
/// engine's process id while one speaks.
#[derive(Default)]
struct State {
    now: Mutex<Doing>,
    changed: Condvar,
}

#[derive(Default, Clone, Copy)]
struct Doing {
    pending: usize,
    speaking: Option<u32>,
}

impl State {
    fn update(&self, change: impl FnOnce(&mut Doing)) {
        if let Ok(mut doing) = self.now.lock() {
            change(&mut doing);
        }
        self.changed.notify_all();
    }

    fn wait(&self, patience: Duration, busy: impl Fn(&Doing) -> bool) -> Option<Doing> {
        let guard = self.now.lock().ok()?;
        let (guard, _) = self.changed.wait_timeout_while(guard, patience, |doing| busy(doing)).ok()?;
        (!busy(&guard)).then_some(*guard)
    }
}

/// Speaks on a background thread so that the window never waits: every [`Speaker::say`] or
/// [`Speaker::stop`] interrupts what is being said (the engine is killed and reaped), as a key press must.
/// A missing or failing engine is logged once and the kiosk stays silent; nothing panics.
pub struct Speaker {
    orders: Option<mpsc::Sender<Order>>,
    thread: Option<JoinHandle<()>>,
    state: Arc<State>,
}

/// The speaker had orders left when the wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StillBusy;

/// How often the speaker's thread looks whether the engine ended on its own, while one runs (to reap it).
const REAP_EVERY: Duration = Duration::from_millis(25);

impl Speaker {
    /// A speaker running `engine` to `output`.
    pub fn start(engine: Espeak, output: Output) -> Self {
        let (orders, incoming) = mpsc::channel();
        let state = Arc::new(State::default());
        let shared = state.clone();
        let thread = thread::Builder::new()
            .name("speaker".into())
            .spawn(move || speak_loop(&engine, &output, &incoming, &shared))
            .ok();
        if thread.is_none() {
            tracing::error!("the speaker's thread could not start: audio mode stays silent");
        }
        Self { orders: Some(orders), thread, state }
    }

    /// Says `lines` (one utterance each) as `voicing` tells, after stopping whatever is being said.
    pub fn say(&self, lines: Vec<Line>, voicing: Voicing) {
        self.order(Order::Say { lines, voicing });
    }

    /// Stops speaking now.
    pub fn stop(&self) {
        self.order(Order::Stop);
    }

    fn order(&self, order: Order) {
        let Some(orders) = &self.orders else { return };
        if self.thread.is_none() {
            return;
        }
        self.state.update(|doing| doing.pending += 1);
        if orders.send(order).is_err() {
            self.state.update(|doing| doing.pending -= 1);
        }
    }

    /// The engine's process id while it speaks.
    pub fn speaking(&self) -> Option<u32> {
        self.state.now.lock().ok().and_then(|doing| doing.speaking)
    }

    /// Waits up to `patience` until the speaker has carried out every order sent so far; then returns
    /// the engine's process id if one speaks (`Ok(None)`: silent), or `Err` if it is still busy.
    pub fn settled(&self, patience: Duration) -> Result<Option<u32>, StillBusy> {
        self.state.wait(patience, |doing| doing.pending > 0).map(|doing| doing.speaking).ok_or(StillBusy)
    }

    /// Waits up to `patience` until nothing is being said (every order carried out, the engine ended and
    /// was reaped); true if so.
    pub fn wait_quiet(&self, patience: Duration) -> bool {
        self.state.wait(patience, |doing| doing.pending > 0 || doing.speaking.is_some()).is_some()
    }
}

impl Drop for Speaker {
    fn drop(&mut self) {
        // Closing the channel ends the thread, which kills and reaps the engine first.
        self.orders = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn speak_loop(engine: &Espeak, output: &Output, incoming: &mpsc::Receiver<Order>, state: &State) {
    let mut current: Option<Running> = None;
    let mut warned = false;
    loop {
        let order = if current.is_some() {
            match incoming.recv_timeout(REAP_EVERY) {
                Ok(order) => Some(order),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match incoming.recv() {
                Ok(order) => Some(order),
                Err(_) => break,
            }
        };
        let Some(mut order) = order else {
            if current.as_mut().is_some_and(Running::ended) {
                finish(current.take(), false, engine, state, &mut warned);
            }
            continue;
        };
        // Orders that queued up meanwhile: only the last one matters.
        let mut taken = 1;
        while let Ok(later) = incoming.try_recv() {
            order = later;
            taken += 1;
        }
        finish(current.take(), true, engine, state, &mut warned);
        if let Order::Say { lines, voicing } = order {
            current = begin(engine, output, &lines, &voicing, state, &mut warned);
        }
        state.update(|doing| doing.pending = doing.pending.saturating_sub(taken));
    }
    finish(current.take(), true, engine, state, &mut warned);
}

fn begin(
    engine: &Espeak,
    output: &Output,
    lines: &[Line],
    voicing: &Voicing,
    state: &State,
    warned: &mut bool,
) -> Option<Running> {
    let text = text_of(lines, voicing);
    if text.is_empty() {
        return None;
    }
    tracing::debug!(voice = %voicing.voice, amplitude = voicing.amplitude, %text, "speaking");
    let mut command = engine.command(voicing);
    let sink = match output {
        Output::Device => None,
        Output::Pcm(sink) => {
            command.arg("--stdout").stdout(Stdio::piped());
            Some(sink.clone())
        }
    };
    match engine.spawn(command) {
        Ok(child) => {
            let running = Running::start(child, text, sink);
            let pid = running.child.id();
            state.update(|doing| doing.speaking = Some(pid));
            Some(running)
        }
        Err(err) => {
            if !*warned {
                tracing::warn!("{err}: audio mode stays silent, the keypad still works");
                *warned = true;
            }
            None
        }
    }
}

/// Ends `running`: killed when `interrupt`, else it already ended on its own. An engine that failed (its
/// status, and what it said on standard error: no audio device, an unknown voice) is logged once.
fn finish(running: Option<Running>, interrupt: bool, engine: &Espeak, state: &State, warned: &mut bool) {
    let Some(mut running) = running else { return };
    let status = if interrupt { running.kill() } else { running.wait() };
    state.update(|doing| doing.speaking = None);
    let stderr = running.stderr();
    let failed = status.is_some_and(|status| !status.success() && status.code().is_some());
    // espeak-ng ends with status 0 even when it found no audio device; what it printed tells.
    if (failed || !stderr.is_empty()) && !*warned {
        let status = status.map(|status| status.to_string()).unwrap_or_default();
        tracing::warn!(program = %engine.program.display(), %status, "the speech engine failed: {stderr}");
        *warned = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_steps_spread_over_the_amplitude_range() {
        assert_eq!(amplitude(1, 10), 20);
        assert_eq!(amplitude(10, 10), 180);
        assert_eq!(amplitude(5, 10), 91);
        assert_eq!(amplitude(0, 10), 20, "below the first step");
        assert_eq!(amplitude(15, 10), 180, "above the last step");
        let steps: Vec<u8> = (1..=20).map(|v| amplitude(v, 20)).collect();
        assert!(steps.windows(2).all(|pair| pair[0] < pair[1]), "{steps:?}");
        assert_eq!(amplitude(1, 1), 180);
    }

    #[test]
    fn one_utterance_a_line_in_its_voice_escaped_without_blank_or_broken_lines() {
        let voicing = Voicing { voice: "es-419".into(), words_per_minute: 160, amplitude: 100 };
        let lines = vec![
            Line::new("Hola."),
            Line::new("  "),
            Line::new("Pulse\n1"),
            Line::in_voice("For English, press 5.", "en-us"),
            Line::new("-s 900 <audio src=\"x\"/> & ya"),
        ];
        assert_eq!(
            text_of(&lines, &voicing),
            "<voice name=\"es-419\">Hola.</voice>\n<voice name=\"es-419\">Pulse 1</voice>\n\
             <voice name=\"en-us\">For English, press 5.</voice>\n\
             <voice name=\"es-419\">-s 900 &lt;audio src=&quot;x&quot;/&gt; &amp; ya</voice>\n"
        );
        let offer = vec![Line::new("Hola."), Line::in_voice("For English, press 5.", "en-us")];
        assert!(text_of(&offer, &voicing).ends_with("</voice>\n<voice name=\"es-419\"> </voice>\n"));
    }

    #[test]
    fn a_stream_header_that_is_not_16_bit_mono_is_refused() {
        assert!(Pcm::from_wav_stream(b"RIFF").is_err());
        let mut header = vec![0u8; HEADER];
        header[0..4].copy_from_slice(b"RIFF");
        header[8..12].copy_from_slice(b"WAVE");
        header[12..16].copy_from_slice(b"fmt ");
        header[36..40].copy_from_slice(b"data");
        header[20] = 1;
        header[22] = 2;
        header[34] = 16;
        assert!(Pcm::from_wav_stream(&header).is_err(), "stereo");
        header[22] = 1;
        header[24..28].copy_from_slice(&22_050u32.to_le_bytes());
        let mut bytes = header.clone();
        bytes.extend_from_slice(&[1, 0, 255, 255]);
        let pcm = Pcm::from_wav_stream(&bytes).unwrap();
        assert_eq!((pcm.sample_rate, pcm.samples), (22_050, vec![1, -1]));
    }
}
