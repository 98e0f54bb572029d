//! Field editing shared by the flows: digits, amounts, DNI with check character, email addresses.

use servicaja_core::money::{Currency, Money};

use crate::event::Key;
use crate::state::AmountError;

/// Applies a key to a plain text field holding at most `max` characters accepted by `allowed`.
pub(crate) fn edit(field: &mut String, key: Key, max: usize, allowed: impl Fn(&str, char) -> bool) {
    match key {
        Key::Digit(d) if d <= 9 => {
            let c = char::from(b'0' + d);
            if field.chars().count() < max && allowed(field, c) {
                field.push(c);
            }
        }
        Key::Char(c) => {
            if field.chars().count() < max && allowed(field, c) {
                field.push(c);
            }
        }
        Key::Backspace => {
            field.pop();
        }
        Key::Clear => field.clear(),
        Key::Digit(_) => {}
    }
}

/// A DNI field: eight digits, then one digit or letter (the check character).
pub(crate) fn dni_char(field: &str, c: char) -> bool {
    let len = field.chars().count();
    (len < 8 && c.is_ascii_digit()) || (len == 8 && c.is_ascii_alphanumeric())
}

/// An amount field: digits, one decimal point (`.` or `,`), two decimals, at most 9 integer digits.
pub(crate) fn amount_char(field: &str, c: char) -> bool {
    match field.split_once('.') {
        Some((_, decimals)) => c.is_ascii_digit() && decimals.len() < 2,
        None if c == '.' || c == ',' => !field.is_empty(),
        None => c.is_ascii_digit() && field.len() < 9,
    }
}

/// Normalises the decimal comma a customer may type.
pub(crate) fn amount_key(key: Key) -> Key {
    match key {
        Key::Char(',') => Key::Char('.'),
        other => other,
    }
}

/// Parses what was typed on the amount keypad (core's keypad rules) and refuses zero.
pub fn parse_amount(typed: &str, currency: Currency) -> Result<Money, AmountError> {
    let money = Money::parse_keypad(typed, currency).map_err(AmountError::Keypad)?;
    if money.is_positive() { Ok(money) } else { Err(AmountError::Zero) }
}

/// A plausible email address: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn valid_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else { return false };
    !local.is_empty()
        && address.len() <= 254
        && !domain.contains('@')
        && !address.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|label| !label.is_empty())
}

/// A request's free text: letters (accented or not, ñ), digits, the punctuation of an address or a note,
/// and single spaces between words.
pub(crate) fn detail_char(field: &str, c: char) -> bool {
    if c == ' ' {
        return !field.is_empty() && !field.ends_with(' ');
    }
    c.is_alphanumeric() || matches!(c, '.' | ',' | ';' | ':' | '-' | '_' | '/' | '#' | '°' | '(' | ')' | '@')
}

/// Characters the on-screen keyboard offers for an email address.
pub(crate) fn email_char(_field: &str, c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '_' | '-' | '+')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_and_refuse() {
        assert_eq!(parse_amount("150.5", Currency::PEN).map(|m| m.amount), Ok(rust_decimal::Decimal::new(15050, 2)));
        assert!(matches!(parse_amount("", Currency::PEN), Err(AmountError::Keypad(_))));
        assert_eq!(parse_amount("0", Currency::PEN), Err(AmountError::Zero));
        let mut field = String::new();
        for key in [Key::Char('.'), Key::Digit(1), Key::Char(','), Key::Digit(5), Key::Digit(0), Key::Digit(9)] {
            edit(&mut field, amount_key(key), 12, amount_char);
        }
        assert_eq!(field, "1.50");
    }

    #[test]
    fn a_request_detail_takes_words_accents_and_single_spaces_up_to_its_limit() {
        let mut field = String::new();
        for c in " Av. Bolognesi  N° 1234, Tacna (Perú)\n".chars() {
            edit(&mut field, Key::Char(c), 200, detail_char);
        }
        assert_eq!(field, "Av. Bolognesi N° 1234, Tacna (Perú)");
        let mut long = String::new();
        for _ in 0..30 {
            edit(&mut long, Key::Char('ñ'), 12, detail_char);
        }
        assert_eq!(long.chars().count(), 12);
        edit(&mut long, Key::Backspace, 12, detail_char);
        assert_eq!(long.chars().count(), 11);
    }

    #[test]
    fn emails() {
        assert!(valid_email("jesus@cmactacna.com.pe"));
        assert!(!valid_email("@cmactacna.com.pe"));
        assert!(!valid_email("jesus@localhost"));
        assert!(!valid_email("je sus@x.pe"));
        assert!(!valid_email("a@b@c.pe"));
    }
}
