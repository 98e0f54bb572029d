//! `servicaja speech`: what the kiosk says on every customer screen, for a reviewer to read and hear. The
//! scenes are the screenshots' ([`super::screenshots::scenes`]): each a real session driven to its screen on
//! a headless window, then worded by `servicaja_speech::screen` in Spanish and English, written as
//! `<lang>-<scene>.txt` (one utterance a line) and rendered by the speech engine to `<lang>-<scene>.wav`.

use std::path::{Path, PathBuf};

use servicaja_core::settings::{AudioSettings, Language};
use servicaja_drivers::voice::Espeak;
use servicaja_session::Action;
use slint::ComponentHandle;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};

use super::KioskWindow;
use super::rig::Rig;
use super::screenshots::{HeadlessPlatform, scenes};

/// One scene in one language, as written.
#[derive(Debug, Clone)]
pub struct Said {
    pub scene: &'static str,
    pub language: Language,
    pub text: PathBuf,
    pub wav: PathBuf,
    /// The utterances, one a line.
    pub lines: Vec<String>,
    /// The WAV's length.
    pub seconds: f64,
}

/// Writes every scene whose name contains `only` (or one of its comma-separated parts; all when `None`) in
/// both languages to `out`, rendered
/// with `[audio]`'s engine, voices and rate at the default volume; `progress` is told each one as it is
/// written.
pub fn write_all(
    out: &Path,
    audio: &AudioSettings,
    only: Option<&str>,
    progress: &mut dyn FnMut(&Said),
) -> Result<Vec<Said>, String> {
    if audio.engine.trim().is_empty() {
        return Err("[audio] engine is empty: no speech engine to render with".into());
    }
    std::fs::create_dir_all(out).map_err(|err| format!("{}: {err}", out.display()))?;
    let engine = Espeak::new(&audio.engine);
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    // A thread that already has a platform (the UI tests' testing backend) keeps it: nothing is drawn here.
    match slint::platform::set_platform(Box::new(HeadlessPlatform { window })) {
        Ok(()) | Err(slint::platform::SetPlatformError::AlreadySet) => {}
        Err(err) => return Err(format!("cannot set the headless platform: {err}")),
    }
    let ui = KioskWindow::new().map_err(|err| err.to_string())?;
    ui.show().map_err(|err| err.to_string())?;
    let wanted = |name: &str| only.is_none_or(|only| only.split(',').any(|part| name.contains(part.trim())));
    let mut written = Vec::new();
    for language in [Language::Es, Language::En] {
        let code = match language {
            Language::Es => "es",
            Language::En => "en",
        };
        for scene in scenes().into_iter().filter(|scene| wanted(scene.name)) {
            let rig = Rig::new(&ui);
            if language == Language::En {
                rig.ui(Action::SetLanguage(Language::En));
            }
            (scene.drive)(&rig);
            let utterances = servicaja_speech::screen(rig.controller.borrow().session(), rig.now.get());
            let lines: Vec<String> = utterances.iter().map(|u| u.text.clone()).collect();
            let text = out.join(format!("{code}-{}.txt", scene.name));
            let mut body = lines.join("\n");
            body.push('\n');
            std::fs::write(&text, body).map_err(|err| format!("{}: {err}", text.display()))?;
            let wav = out.join(format!("{code}-{}.wav", scene.name));
            let voicing = servicaja_runtime::voice::voicing(audio, language, audio.default_volume, audio.max_volume);
            let engine_lines = servicaja_runtime::voice::lines(audio, utterances);
            engine.render_wav(&engine_lines, &voicing, &wav).map_err(|err| format!("{}: {err}", wav.display()))?;
            let seconds = wav_seconds(&wav)?;
            let said = Said { scene: scene.name, language, text, wav, lines, seconds };
            progress(&said);
            written.push(said);
        }
    }
    Ok(written)
}

/// The length of a WAV file.
pub fn wav_seconds(path: &Path) -> Result<f64, String> {
    let reader = hound::WavReader::open(path).map_err(|err| format!("{}: {err}", path.display()))?;
    Ok(f64::from(reader.duration()) / f64::from(reader.spec().sample_rate.max(1)))
}
