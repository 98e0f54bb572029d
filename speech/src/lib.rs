//! What the kiosk says in audio mode (issue 17), as pure functions: the session's state in, utterances in
//! the session's language out (es-PE or en). The session decides *when* to speak (`Effect::Speak(Cue)`);
//! this crate decides *what*: [`say`] for a cue, [`screen`] for the screen on show, [`document::read`] for a
//! receipt. Amounts, dates, rates and codes are worded in [`words`]. No audio, no I/O, no clock: the speech
//! engine is a shell above this crate, behind the [`Voice`] seam.

pub mod document;
mod letters;
mod say;
pub mod voice;
pub mod words;

pub use say::{goodbye, say, screen};
pub use voice::{RecordingVoice, Silent, Spoken, Voice};

/// One sentence to speak; the engine may pause between utterances and a key press interrupts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Utterance {
    pub text: String,
    /// Said in this language whatever the session's (the offer of the other language, in that language);
    /// `None`: the session's.
    pub language: Option<servicaja_core::settings::Language>,
}

impl Utterance {
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into(), language: None }
    }

    /// An utterance in `language` whatever the session's.
    pub fn in_language(text: impl Into<String>, language: servicaja_core::settings::Language) -> Self {
        Self { text: text.into(), language: Some(language) }
    }
}

impl std::fmt::Display for Utterance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
