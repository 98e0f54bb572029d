//! Windows code page 1252 (ESC/POS page 16, `ESC t 16`) both ways, with our own table.
//!
//! Why our own: the `escpos` crate's PC850/PC858 tables are wrong and, for a character its table lacks,
//! it silently sends UTF-8, which the printer prints as two or three garbage glyphs. Here every character
//! either maps to exactly one byte the page can print or is replaced by `?` and reported to the caller.

/// The byte a character that the page cannot print is replaced by.
pub const REPLACEMENT: u8 = b'?';

/// Bytes 0x80..=0x9F of cp1252; `None` marks the five positions the page leaves undefined.
const HIGH_CONTROLS: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// The cp1252 byte that prints `c`, if the page has it. Control characters are not printable text.
pub fn byte_for(c: char) -> Option<u8> {
    let code = c as u32;
    match code {
        0x20..=0x7E => Some(code as u8),
        // Latin-1 coincides with cp1252 from 0xA0 up; 0xA0 (no-break space) prints as a space.
        0xA0..=0xFF => Some(code as u8),
        _ => HIGH_CONTROLS.iter().position(|&m| m == Some(c)).map(|i| 0x80 + i as u8),
    }
}

/// The character a printable cp1252 byte stands for; `None` for control and undefined bytes.
pub fn char_for(byte: u8) -> Option<char> {
    match byte {
        0x20..=0x7E | 0xA0..=0xFF => Some(byte as char),
        0x80..=0x9F => HIGH_CONTROLS[usize::from(byte - 0x80)],
        _ => None,
    }
}

/// Text encoded for the page, and every character that had to be replaced.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub replaced: Vec<char>,
}

/// Encodes `text` for cp1252; characters the page lacks (and control characters) become `?`.
pub fn encode(text: &str) -> Encoded {
    let mut encoded = Encoded { bytes: Vec::with_capacity(text.len()), replaced: Vec::new() };
    for c in text.chars() {
        match byte_for(c) {
            Some(b) => encoded.bytes.push(b),
            None => {
                encoded.bytes.push(REPLACEMENT);
                encoded.replaced.push(c);
            }
        }
    }
    encoded
}

/// Decodes cp1252 text bytes; bytes that are not printable become U+FFFD.
pub fn decode(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char_for(b).unwrap_or('\u{FFFD}')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_letters_map_to_their_latin1_positions() {
        let e = encode("áéíóúñÑ¿¡Ü");
        assert_eq!(e.bytes, [0xE1, 0xE9, 0xED, 0xF3, 0xFA, 0xF1, 0xD1, 0xBF, 0xA1, 0xDC]);
        assert!(e.replaced.is_empty());
    }

    #[test]
    fn euro_and_quotes_use_the_windows_positions() {
        assert_eq!(encode("€“”").bytes, [0x80, 0x93, 0x94]);
    }

    #[test]
    fn missing_characters_are_replaced_and_reported() {
        let e = encode("a✓\u{1b}b");
        assert_eq!(e.bytes, b"a??b");
        assert_eq!(e.replaced, ['✓', '\u{1b}']);
    }

    #[test]
    fn every_printable_byte_round_trips() {
        for b in 0u8..=255 {
            if let Some(c) = char_for(b) {
                assert_eq!(byte_for(c), Some(b), "byte {b:#04x}");
            }
        }
    }
}
