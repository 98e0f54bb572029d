//! Audio mode's adapter: whether the indicator shows and at which volume, and whether the screen is blanked
//! for privacy, as the `AudioFlow` global of `ui/audio.slint` takes it.

use servicaja_session::Session;

/// What the window shows of audio mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AudioView {
    pub on: bool,
    pub volume: u8,
    pub max_volume: u8,
    /// `[audio] blank_screen` while audio mode is on.
    pub blank: bool,
}

/// Audio mode of `session`: off (nothing shown) until the customer presses the audio key.
pub fn map_audio(session: &Session) -> AudioView {
    let config = &session.config().audio;
    match session.audio() {
        Some(audio) => {
            AudioView { on: true, volume: audio.volume, max_volume: config.max_volume, blank: config.blank_screen }
        }
        None => AudioView { max_volume: config.max_volume, ..AudioView::default() },
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use servicaja_session::{AudioConfig, Event, KeypadKey, SequenceSupply, SessionConfig};

    use super::*;

    fn session(blank_screen: bool) -> Session {
        let audio = AudioConfig { blank_screen, default_volume: 5, max_volume: 10, ..AudioConfig::default() };
        Session::new(SessionConfig { audio, ..SessionConfig::default() })
    }

    fn press(session: &mut Session, key: KeypadKey) {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap();
        session.handle(Event::Keypad(key), now, &mut SequenceSupply::new());
    }

    #[test]
    fn nothing_shows_until_the_audio_key_then_the_volume_follows_the_keys() {
        let mut session = session(false);
        assert_eq!(map_audio(&session), AudioView { on: false, volume: 0, max_volume: 10, blank: false });
        press(&mut session, KeypadKey::Audio);
        assert_eq!(map_audio(&session), AudioView { on: true, volume: 5, max_volume: 10, blank: false });
        press(&mut session, KeypadKey::VolumeUp);
        press(&mut session, KeypadKey::VolumeUp);
        assert_eq!(map_audio(&session).volume, 7);
        press(&mut session, KeypadKey::VolumeDown);
        assert_eq!(map_audio(&session).volume, 6);
    }

    #[test]
    fn the_screen_blanks_only_in_audio_mode_and_only_when_configured() {
        let mut blanking = session(true);
        assert!(!map_audio(&blanking).blank, "no blank before audio mode");
        press(&mut blanking, KeypadKey::Audio);
        assert!(map_audio(&blanking).blank);
        let mut lit = session(false);
        press(&mut lit, KeypadKey::Audio);
        assert!(map_audio(&lit).on && !map_audio(&lit).blank);
    }
}
