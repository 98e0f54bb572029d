//! Text typed letter by letter on the number keys (issue 17): how the keys type, phone style, and each
//! character as it is said back ("a", "punto", "arroba"), in es-PE and en.

use servicaja_core::settings::Language;

use crate::say::L;
use crate::words;

/// How letters are typed on the number keys, phone style, in one sentence.
pub(crate) fn letter_keys(l: L) -> String {
    l.t(
        "Las teclas escriben como en un teléfono: pulse una tecla varias veces para pasar de una letra a la siguiente; el 2 tiene a, b, c; el 3, d, e, f; el 4, g, h, i; el 5, j, k, l; el 6, m, n, o; el 7, p, q, r, s; el 8, t, u, v; el 9, w, x, y, z; el 1, punto, arroba, guion y guion bajo. Borrar borra la última letra.",
        "The keys type as on a phone: press a key several times to go from one letter to the next; 2 has a, b, c; 3, d, e, f; 4, g, h, i; 5, j, k, l; 6, m, n, o; 7, p, q, r, s; 8, t, u, v; 9, w, x, y, z; 1, dot, at, dash and underscore. Clear erases the last letter.",
    )
}

/// A typed text said character by character ("a ene a punto pe arroba…"), as an e-mail address must be
/// checked.
pub(crate) fn spelled(text: &str, lang: Language) -> String {
    text.chars().map(|c| char_name(c, lang)).collect::<Vec<_>>().join(" ")
}

/// One typed character as it is said back: "a", "punto", "arroba", "espacio", "siete".
pub(crate) fn char_name(c: char, lang: Language) -> String {
    let named = match (c, lang) {
        ('.', Language::Es) => "punto",
        ('.', Language::En) => "dot",
        ('@', Language::Es) => "arroba",
        ('@', Language::En) => "at",
        ('-', Language::Es) => "guion",
        ('-', Language::En) => "dash",
        ('_', Language::Es) => "guion bajo",
        ('_', Language::En) => "underscore",
        (' ', Language::Es) => "espacio",
        (' ', Language::En) => "space",
        _ => "",
    };
    if !named.is_empty() {
        return named.to_owned();
    }
    if let Some(d) = c.to_digit(10) {
        return words::cardinal(u64::from(d), lang);
    }
    // Letters by their names where a voice reading one letter alone could mishear it ("be" and "uve" apart).
    let spanish = match c.to_ascii_lowercase() {
        'b' => "be",
        'c' => "ce",
        'd' => "de",
        'f' => "efe",
        'g' => "ge",
        'h' => "hache",
        'j' => "jota",
        'k' => "ka",
        'l' => "ele",
        'm' => "eme",
        'n' => "ene",
        'ñ' => "eñe",
        'p' => "pe",
        'q' => "cu",
        'r' => "erre",
        's' => "ese",
        't' => "te",
        'v' => "uve",
        'w' => "uve doble",
        'x' => "equis",
        'y' => "ye",
        'z' => "zeta",
        _ => "",
    };
    match lang {
        Language::Es if !spanish.is_empty() => spanish.to_owned(),
        _ => c.to_lowercase().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_a_key_types_has_a_name_in_both_languages() {
        for lang in [Language::Es, Language::En] {
            let mut names = std::collections::HashSet::new();
            for digit in 0..=9 {
                for c in servicaja_session::audio::multitap_letters(digit).chars() {
                    let name = char_name(c, lang);
                    assert!(!name.trim().is_empty(), "{c:?} has no name in {lang:?}");
                    assert!(names.insert(name.clone()), "{name} names two characters in {lang:?}");
                }
            }
        }
        let es: Vec<_> = "bvwñ.@-_ 7".chars().map(|c| char_name(c, Language::Es)).collect();
        assert_eq!(es, ["be", "uve", "uve doble", "eñe", "punto", "arroba", "guion", "guion bajo", "espacio", "siete"]);
        let en: Vec<_> = "bv.@-_ 7".chars().map(|c| char_name(c, Language::En)).collect();
        assert_eq!(en, ["b", "v", "dot", "at", "dash", "underscore", "space", "seven"]);
        assert_eq!(char_name('A', Language::Es), "a");
    }

    #[test]
    fn a_typed_address_is_spelled_and_the_keys_are_explained() {
        assert_eq!(spelled("ana.p@caja.pe", Language::Es), "a ene a punto pe arroba ce a jota a punto pe e");
        assert_eq!(spelled("jo_1@x.pe", Language::En), "j o underscore one at x dot p e");
        let es = letter_keys(L(Language::Es));
        let en = letter_keys(L(Language::En));
        for needle in
            ["el 2 tiene a, b, c", "el 7, p, q, r, s", "el 9, w, x, y, z", "el 1, punto, arroba, guion y guion bajo"]
        {
            assert!(es.contains(needle), "{needle} in {es}");
        }
        for needle in ["2 has a, b, c", "7, p, q, r, s", "1, dot, at, dash and underscore"] {
            assert!(en.contains(needle), "{needle} in {en}");
        }
    }
}
