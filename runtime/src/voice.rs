//! The kiosk's voice (issue 17): the speech crate's [`Voice`] spoken by espeak-ng through the drivers'
//! [`Speaker`] (a background thread; any new utterance or a stop kills what is being said), with the voice,
//! rate and volume of `[audio]`. An empty `engine` is a kiosk without speech: [`voice`] gives
//! [`Silent`] and the keypad still works.

use servicaja_core::settings::{AudioSettings, Language};
use servicaja_drivers::voice::{Espeak, Line, Output, Speaker, Voicing, amplitude};
use servicaja_speech::{Silent, Utterance, Voice};

/// How `[audio]` says one language at volume step `volume` of `max`.
pub fn voicing(audio: &AudioSettings, language: Language, volume: u8, max: u8) -> Voicing {
    let voice = match language {
        Language::Es => &audio.voice_es,
        Language::En => &audio.voice_en,
    };
    Voicing { voice: voice.clone(), words_per_minute: audio.words_per_minute, amplitude: amplitude(volume, max) }
}

/// The engine's lines for `utterances`: one in another language than the session's is said by that
/// language's voice.
pub fn lines(audio: &AudioSettings, utterances: Vec<Utterance>) -> Vec<Line> {
    utterances
        .into_iter()
        .map(|utterance| match utterance.language {
            Some(Language::Es) => Line::in_voice(utterance.text, &audio.voice_es),
            Some(Language::En) => Line::in_voice(utterance.text, &audio.voice_en),
            None => Line::new(utterance.text),
        })
        .collect()
}

/// espeak-ng speaking through a [`Speaker`].
pub struct EspeakVoice {
    speaker: Speaker,
    audio: AudioSettings,
}

impl EspeakVoice {
    /// A voice speaking to `output` with `[audio]`'s engine, voices and rate.
    pub fn start(audio: &AudioSettings, output: Output) -> Self {
        Self { speaker: Speaker::start(Espeak::new(&audio.engine), output), audio: audio.clone() }
    }

    /// The speaker, for the figures and tests that watch it.
    pub fn speaker(&self) -> &Speaker {
        &self.speaker
    }
}

impl Voice for EspeakVoice {
    fn speak(&mut self, lines: Vec<Utterance>, language: Language, volume: u8, max: u8) {
        self.speaker.say(self::lines(&self.audio, lines), voicing(&self.audio, language, volume, max));
    }

    fn stop(&mut self) {
        self.speaker.stop();
    }
}

/// The kiosk's voice from `[audio]`: espeak-ng on the audio device, or silence when no engine is set.
pub fn voice(audio: &AudioSettings) -> Box<dyn Voice> {
    if audio.engine.trim().is_empty() {
        tracing::info!("[audio] engine is empty: audio mode works from the keypad without speech");
        return Box::new(Silent);
    }
    Box::new(EspeakVoice::start(audio, Output::Device))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_language_gets_its_configured_voice_rate_and_volume() {
        let audio = AudioSettings { words_per_minute: 150, ..AudioSettings::default() };
        let es = voicing(&audio, Language::Es, 5, 10);
        assert_eq!((es.voice.as_str(), es.words_per_minute, es.amplitude), ("es-419", 150, amplitude(5, 10)));
        let en = voicing(&audio, Language::En, 10, 10);
        assert_eq!((en.voice.as_str(), en.amplitude), ("en-us", 180));
    }

    #[test]
    fn an_utterance_in_the_other_language_gets_that_languages_voice() {
        let audio = AudioSettings::default();
        let said = lines(
            &audio,
            vec![Utterance::new("Menú principal."), Utterance::in_language("For English, press 7.", Language::En)],
        );
        assert_eq!(said, [Line::new("Menú principal."), Line::in_voice("For English, press 7.", "en-us")]);
    }
}
