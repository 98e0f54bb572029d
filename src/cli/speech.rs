//! `servicaja speech --out DIR`: what the kiosk says on every customer screen, as text and as the speech
//! engine's WAV, in Spanish and English (`servicaja_ui::spoken`), with a line per file and a summary.

use std::path::Path;
use std::process::ExitCode;

use servicaja_core::settings::Language;

use super::out::{errln, outln};

pub fn run(out: &Path, only: Option<&str>, config: Option<&Path>) -> ExitCode {
    let settings = match super::settings_or_exit(config) {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    let written = servicaja_ui::spoken::write_all(out, &settings.audio, only, &mut |said| {
        let language = match said.language {
            Language::Es => "es",
            Language::En => "en",
        };
        outln!(
            "{language} {:<40} {:>3} lines {:>6.1} s  {}",
            said.scene,
            said.lines.len(),
            said.seconds,
            said.wav.display()
        );
    });
    match written {
        Ok(written) if written.is_empty() => {
            errln!("speech: no scene matches {:?}", only.unwrap_or_default());
            ExitCode::FAILURE
        }
        Ok(written) => {
            let seconds = |language| {
                written.iter().filter(|said| said.language == language).map(|said| said.seconds).sum::<f64>()
            };
            let (es, en) = (seconds(Language::Es), seconds(Language::En));
            let scenes = written.iter().filter(|said| said.language == Language::Es).count();
            outln!(
                "{scenes} scenes in 2 languages, {} files in {}: {:.0} s of speech (es {es:.0} s, en {en:.0} s)",
                written.len() * 2,
                out.display(),
                es + en
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            errln!("speech: {err}");
            ExitCode::FAILURE
        }
    }
}
