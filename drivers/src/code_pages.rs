//! The character tables of the ESC/POS code pages the printer emulator reads (`ESC t n`): page 0 (PC437,
//! the printer's power-on page) and page 16 (WPC1252, the page the kiosk selects). A byte is read by the
//! page in force when it arrives, as a real printer does, so a job that forgets `ESC t 16` prints its
//! accented letters as the wrong glyphs on the emulator too instead of being silently read as cp1252.

use servicaja_escpos::wpc1252;

/// `ESC t 0`: PC437 (USA, standard Europe), selected at power-on and by `ESC @`.
pub const PC437: u8 = 0;

/// Bytes 0x80..=0xFF of PC437.
const PC437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', //
    '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', //
    '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀', //
    'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', //
    '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{A0}',
];

/// The character a printable byte stands for on code page `page`; `None` for control bytes, bytes the
/// page leaves undefined, and the upper half of pages the emulator does not know (ASCII is the same on
/// every page).
pub fn char_for(page: u8, byte: u8) -> Option<char> {
    match (page, byte) {
        (_, 0x20..=0x7E) => Some(char::from(byte)),
        (servicaja_escpos::CODE_PAGE_WPC1252, _) => wpc1252::char_for(byte),
        (PC437, 0x80..=0xFF) => Some(PC437_HIGH[usize::from(byte - 0x80)]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_letters_sit_where_each_page_puts_them() {
        let pc437: String =
            [0x90, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0x9A].iter().filter_map(|&b| char_for(PC437, b)).collect();
        assert_eq!(pc437, "Éáíóúñ\u{D1}Ü");
        let cp1252: String = wpc1252::encode("ÁÉÍÓÚÑÜ")
            .bytes
            .iter()
            .filter_map(|&b| char_for(servicaja_escpos::CODE_PAGE_WPC1252, b))
            .collect();
        assert_eq!(cp1252, "ÁÉÍÓÚÑÜ");
        // The same byte is another letter on the power-on page: a job must select its page.
        assert_eq!(char_for(PC437, 0xC9), Some('╔'));
        assert_eq!(char_for(7, 0xC9), None, "an unknown page's upper half is nothing the emulator can vouch for");
        assert_eq!(char_for(7, b'A'), Some('A'));
    }
}
