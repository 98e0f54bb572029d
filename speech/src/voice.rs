//! The seam between what is said and the engine that says it: a [`Voice`] takes the utterances of one cue
//! with the session's language and volume, and any new utterance or a stop interrupts the last. The kiosk's
//! voice is espeak-ng (`servicaja_runtime::voice`); [`RecordingVoice`] is the tests' and [`Silent`] the one
//! of a kiosk configured without an engine.

use std::sync::{Arc, Mutex};

use servicaja_core::settings::Language;

use crate::Utterance;

/// Says utterances aloud; never blocks its caller (the window's thread).
pub trait Voice {
    /// Stops whatever is being said and says `lines` in `language` at volume step `volume` of `max`.
    fn speak(&mut self, lines: Vec<Utterance>, language: Language, volume: u8, max: u8);
    /// Stops speaking now.
    fn stop(&mut self);
}

/// No speech engine: audio mode still works from the keypad, in silence.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Voice for Silent {
    fn speak(&mut self, _lines: Vec<Utterance>, _language: Language, _volume: u8, _max: u8) {}
    fn stop(&mut self) {}
}

/// One call a [`RecordingVoice`] received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spoken {
    Said { lines: Vec<String>, language: Language, volume: u8, max: u8 },
    Stopped,
}

/// A voice for tests: records every call; clones share the record.
#[derive(Debug, Default, Clone)]
pub struct RecordingVoice {
    record: Arc<Mutex<Vec<Spoken>>>,
}

impl RecordingVoice {
    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Spoken> {
        self.record.lock().map(|record| record.clone()).unwrap_or_default()
    }

    /// Takes the calls so far, leaving the record empty.
    pub fn take(&self) -> Vec<Spoken> {
        self.record.lock().map(|mut record| std::mem::take(&mut *record)).unwrap_or_default()
    }

    /// The lines of the last utterance said, if any.
    pub fn last_said(&self) -> Option<Vec<String>> {
        self.calls().into_iter().rev().find_map(|call| match call {
            Spoken::Said { lines, .. } => Some(lines),
            Spoken::Stopped => None,
        })
    }

    fn push(&self, call: Spoken) {
        if let Ok(mut record) = self.record.lock() {
            record.push(call);
        }
    }
}

impl Voice for RecordingVoice {
    fn speak(&mut self, lines: Vec<Utterance>, language: Language, volume: u8, max: u8) {
        let lines = lines.into_iter().map(|line| line.text).collect();
        self.push(Spoken::Said { lines, language, volume, max });
    }

    fn stop(&mut self) {
        self.push(Spoken::Stopped);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recording_voice_keeps_every_call_in_order_across_clones() {
        let voice = RecordingVoice::default();
        let mut handle: Box<dyn Voice> = Box::new(voice.clone());
        handle.speak(vec![Utterance::new("Hola.")], Language::Es, 5, 10);
        handle.stop();
        assert_eq!(voice.last_said(), Some(vec!["Hola.".to_owned()]));
        assert_eq!(
            voice.take(),
            [Spoken::Said { lines: vec!["Hola.".into()], language: Language::Es, volume: 5, max: 10 }, Spoken::Stopped]
        );
        assert!(voice.calls().is_empty());
        let mut silent = Silent;
        silent.speak(vec![Utterance::new("nada")], Language::En, 1, 2);
        silent.stop();
    }
}
