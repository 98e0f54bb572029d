//! es-PE presentation of the values a document shows: money, Lima date and time, currency words, and
//! the one character set every renderer can print (Windows-1252, the printer's code page 16).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use servicaja_core::money::{Currency, Money};

/// America/Lima as a fixed offset (core's calendar owns the rule).
pub fn lima() -> FixedOffset {
    servicaja_core::calendar::lima_offset()
}

/// `09/09/2020 10:08:30`, the seed's "Fecha y hora" form, in Lima time.
pub fn lima_date_time(instant: DateTime<Utc>) -> String {
    servicaja_core::calendar::lima_printed(instant)
}

/// `09/09/2020`.
pub fn date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// The currency symbol the caja prints: `S/` or `US$`.
pub fn currency_symbol(currency: Currency) -> &'static str {
    match currency {
        Currency::PEN => "S/",
        Currency::USD => "US$",
    }
}

/// The currency word in an account type, as the caja's systems write it (`CTA AHORRO PN SOLES`).
pub fn currency_word(currency: Currency) -> &'static str {
    match currency {
        Currency::PEN => "SOLES",
        Currency::USD => "DOLARES",
    }
}

/// es-PE money: `S/ 1,234.56`, `US$ 1,234.56`, `-S/ 50.00`; rounded half-up to cents (core's format).
pub fn money(value: &Money) -> String {
    value.to_string()
}

/// An exchange rate with the caja's four decimals: `3.7520`.
pub fn rate(value: Decimal) -> String {
    format!("{:.4}", value.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero))
}

/// The Windows-1252 byte for a character, or `None` when the page cannot print it (the printer
/// layer's own table, so every renderer agrees with the printer). Control characters are refused: a
/// document carries no layout of its own inside a value.
pub fn cp1252_byte(c: char) -> Option<u8> {
    servicaja_escpos::wpc1252::byte_for(c)
}

/// The text with every character the page cannot print replaced by `?` and every control character
/// (tab, newline…) by a space, so that one `char` is one printed column in every renderer.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\0' => '?',
            c if c.is_control() => ' ',
            c if cp1252_byte(c).is_some() => c,
            _ => '?',
        })
        .collect()
}

/// Windows-1252 bytes of text already passed through [`printable`] (anything else becomes `?`).
pub fn cp1252_bytes(text: &str) -> Vec<u8> {
    text.chars().map(|c| cp1252_byte(c).unwrap_or(b'?')).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rust_decimal::Decimal;

    fn pen(text: &str) -> Money {
        Money { amount: text.parse::<Decimal>().unwrap(), currency: Currency::PEN }
    }

    #[test]
    fn money_is_grouped_and_signed_the_es_pe_way() {
        assert_eq!(money(&pen("1234.5")), "S/ 1,234.50");
        assert_eq!(money(&pen("-50")), "-S/ 50.00");
        assert_eq!(money(&pen("0.005")), "S/ 0.01");
        assert_eq!(money(&pen("1234567.891")), "S/ 1,234,567.89");
        assert_eq!(money(&pen("-0.001")), "S/ 0.00");
        assert_eq!(money(&Money { amount: Decimal::new(99, 0), currency: Currency::USD }), "US$ 99.00");
    }

    #[test]
    fn lima_is_five_hours_behind_utc_all_year() {
        let january = Utc.with_ymd_and_hms(2026, 1, 15, 3, 4, 5).unwrap();
        let july = Utc.with_ymd_and_hms(2026, 7, 15, 15, 8, 30).unwrap();
        assert_eq!(lima_date_time(january), "14/01/2026 22:04:05");
        assert_eq!(lima_date_time(july), "15/07/2026 10:08:30");
    }

    #[test]
    fn only_the_code_page_reaches_a_document() {
        assert_eq!(printable("áéíóú ñÑ ¿¡ €"), "áéíóú ñÑ ¿¡ €");
        assert_eq!(printable("a\tb\nc✓日"), "a b c??");
        assert_eq!(cp1252_bytes("ñ€"), vec![0xF1, 0x80]);
    }
}
