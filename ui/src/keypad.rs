//! The tactile keypad as the window reads it: a USB numeric keypad is keyboard input, so each key press the
//! window's root `FocusScope` receives (Slint's `KeyEvent` text) is mapped here, by one table, to the
//! session's [`KeypadKey`]. Pure: the README's and the docs' key tables are this one.

use servicaja_session::KeypadKey;

/// Slint's text for the keys a numeric keypad sends with NumLock off (`i_slint_common::key_codes`): the
/// winit backend reports them as navigation keys. Named here so the table below reads as a keypad.
mod slint_keys {
    pub const BACKSPACE: &str = "\u{8}";
    pub const TAB: &str = "\t";
    pub const RETURN: &str = "\n";
    /// The LinuxKMS backend reads the keypad's Enter through xkb as a carriage return.
    pub const KP_ENTER: &str = "\r";
    pub const ESCAPE: &str = "\u{1b}";
    pub const DELETE: &str = "\u{7f}";
    pub const UP: &str = "\u{F700}";
    pub const DOWN: &str = "\u{F701}";
    pub const LEFT: &str = "\u{F702}";
    pub const RIGHT: &str = "\u{F703}";
    pub const INSERT: &str = "\u{F727}";
    pub const HOME: &str = "\u{F729}";
    pub const END: &str = "\u{F72B}";
    pub const PAGE_UP: &str = "\u{F72C}";
    pub const PAGE_DOWN: &str = "\u{F72D}";
}

/// One key of the keypad: the text Slint gives for it, what the session makes of it, and its name on the
/// keypad (for the README and the help).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeypadBinding {
    pub text: &'static str,
    pub key: KeypadKey,
    pub label: &'static str,
}

const fn bind(text: &'static str, key: KeypadKey, label: &'static str) -> KeypadBinding {
    KeypadBinding { text, key, label }
}

/// Every key the kiosk takes from a USB numeric keypad (a 21/22-key pad: the 17 standard keys plus Esc, Tab
/// and Backspace). Digits with NumLock on, and the same keys with NumLock off, where the keypad sends
/// navigation keys (the 5 then sends nothing Slint reports: keep NumLock on). The audio key is Tab: NumLock
/// itself never reaches the window (Slint has no text for it), and "00" is two presses of 0.
pub const KEYPAD_TABLE: [KeypadBinding; 33] = {
    use KeypadKey::*;
    use slint_keys::*;
    [
        bind("0", Digit(0), "0"),
        bind("1", Digit(1), "1"),
        bind("2", Digit(2), "2"),
        bind("3", Digit(3), "3"),
        bind("4", Digit(4), "4"),
        bind("5", Digit(5), "5"),
        bind("6", Digit(6), "6"),
        bind("7", Digit(7), "7"),
        bind("8", Digit(8), "8"),
        bind("9", Digit(9), "9"),
        bind(INSERT, Digit(0), "0 (Ins, NumLock off)"),
        bind(END, Digit(1), "1 (End, NumLock off)"),
        bind(DOWN, Digit(2), "2 (↓, NumLock off)"),
        bind(PAGE_DOWN, Digit(3), "3 (PgDn, NumLock off)"),
        bind(LEFT, Digit(4), "4 (←, NumLock off)"),
        bind(RIGHT, Digit(6), "6 (→, NumLock off)"),
        bind(HOME, Digit(7), "7 (Home, NumLock off)"),
        bind(UP, Digit(8), "8 (↑, NumLock off)"),
        bind(PAGE_UP, Digit(9), "9 (PgUp, NumLock off)"),
        bind(".", Point, "."),
        bind(",", Point, ", (Spanish keypad layout)"),
        bind(DELETE, Point, ". (Del, NumLock off)"),
        bind(RETURN, Enter, "Enter"),
        bind(KP_ENTER, Enter, "Enter (LinuxKMS)"),
        bind(BACKSPACE, Clear, "Backspace"),
        bind(ESCAPE, Cancel, "Esc"),
        bind("*", Repeat, "*"),
        bind("/", Help, "/"),
        bind("+", VolumeUp, "+"),
        bind("-", VolumeDown, "-"),
        bind(TAB, Audio, "Tab"),
        // A full keyboard in demo mode: the same keys without the keypad.
        bind("=", VolumeUp, "= (keyboard)"),
        bind("?", Help, "? (keyboard)"),
    ]
};

/// The modifiers held with a key: a shortcut (Ctrl, Alt, Meta) is never a keypad key; Shift is, since a
/// full keyboard types `*`, `+` and `?` with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Modifiers {
    pub control: bool,
    pub alt: bool,
    pub meta: bool,
}

/// The keypad key a key press stands for; `None` for any other key, a shortcut, or a held key's repeats
/// (an ATM keypad does not repeat, and a held 5 must not type 55555 into a clave).
pub fn keypad_key_of(text: &str, modifiers: Modifiers, repeat: bool) -> Option<KeypadKey> {
    if repeat || modifiers.control || modifiers.alt || modifiers.meta {
        return None;
    }
    KEYPAD_TABLE.iter().find(|binding| binding.text == text).map(|binding| binding.key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use KeypadKey::*;

    fn key(text: &str) -> Option<KeypadKey> {
        keypad_key_of(text, Modifiers::default(), false)
    }

    #[test]
    fn digits_with_numlock_on_and_off_are_digits() {
        for d in 0..=9u8 {
            assert_eq!(key(&d.to_string()), Some(Digit(d)));
        }
        let numlock_off = [
            ("\u{F727}", 0),
            ("\u{F72B}", 1),
            ("\u{F701}", 2),
            ("\u{F72D}", 3),
            ("\u{F702}", 4),
            ("\u{F703}", 6),
            ("\u{F729}", 7),
            ("\u{F700}", 8),
            ("\u{F72C}", 9),
        ];
        for (text, d) in numlock_off {
            assert_eq!(key(text), Some(Digit(d)), "{text:?}");
        }
        assert_eq!(key("\u{7f}"), Some(Point));
    }

    #[test]
    fn the_function_keys_of_the_keypad() {
        assert_eq!(key("."), Some(Point));
        assert_eq!(key(","), Some(Point));
        assert_eq!(key("\n"), Some(Enter));
        assert_eq!(key("\r"), Some(Enter));
        assert_eq!(key("\u{8}"), Some(Clear));
        assert_eq!(key("\u{1b}"), Some(Cancel));
        assert_eq!(key("*"), Some(Repeat));
        assert_eq!(key("/"), Some(Help));
        assert_eq!(key("+"), Some(VolumeUp));
        assert_eq!(key("-"), Some(VolumeDown));
        assert_eq!(key("\t"), Some(Audio));
    }

    #[test]
    fn other_keys_shortcuts_and_repeats_are_not_keypad_keys() {
        for text in ["a", "Z", " ", "", "12", "\u{F704}", "\u{10}"] {
            assert_eq!(key(text), None, "{text:?}");
        }
        let control = Modifiers { control: true, ..Modifiers::default() };
        assert_eq!(keypad_key_of("1", control, false), None);
        assert_eq!(keypad_key_of("\t", Modifiers { alt: true, ..Modifiers::default() }, false), None);
        assert_eq!(keypad_key_of("\n", Modifiers { meta: true, ..Modifiers::default() }, false), None);
        assert_eq!(keypad_key_of("5", Modifiers::default(), true), None);
    }

    #[test]
    fn every_session_key_has_a_keypad_key_and_no_text_is_bound_twice() {
        let mut texts: Vec<&str> = KEYPAD_TABLE.iter().map(|b| b.text).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), KEYPAD_TABLE.len());
        let mut wanted: Vec<KeypadKey> = (0..=9).map(Digit).collect();
        wanted.extend([Point, Enter, Cancel, Clear, Repeat, VolumeUp, VolumeDown, Help, Audio]);
        for want in wanted {
            assert!(KEYPAD_TABLE.iter().any(|b| b.key == want), "{want:?} has no key");
        }
    }
}
