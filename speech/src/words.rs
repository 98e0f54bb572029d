//! Numbers, money, dates, rates and codes as a listener hears them, in es-PE and en: the pieces every
//! utterance is built from.
//!
//! English cardinals come from `num2words`; it has no Spanish, so the Spanish cardinals (with the es-PE
//! apocope "veintiún soles", "un millón de soles", "mil" rather than "un mil") are written here.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc, Weekday};
use num2words::{Lang, Num2Words};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use servicaja_core::calendar::lima_time;
use servicaja_core::money::{Currency, Money};
use servicaja_core::settings::Language;

/// The Spanish cardinal of `n`. `apocope`: the number stands before a masculine noun ("veintiún soles",
/// "un dólar"), so a final "uno" is shortened.
pub fn cardinal_es(n: u64, apocope: bool) -> String {
    if n == 0 {
        return "cero".to_owned();
    }
    let mut parts: Vec<String> = Vec::new();
    let billions = n / 1_000_000_000_000;
    let millions = (n / 1_000_000) % 1_000_000;
    let thousands = (n / 1_000) % 1_000;
    let units = n % 1_000;
    if billions > 0 {
        parts.push(if billions == 1 {
            "un billón".to_owned()
        } else {
            format!("{} billones", thousands_es(billions))
        });
    }
    if millions > 0 {
        parts.push(if millions == 1 {
            "un millón".to_owned()
        } else {
            format!("{} millones", thousands_es(millions))
        });
    }
    if thousands > 0 {
        parts.push(if thousands == 1 {
            "mil".to_owned()
        } else {
            format!("{} mil", below_thousand_es(thousands, true))
        });
    }
    if units > 0 {
        parts.push(below_thousand_es(units, apocope));
    }
    parts.join(" ")
}

/// 1…999,999 before "millones"/"billones": always apocopated ("veintiún millones").
fn thousands_es(n: u64) -> String {
    let (high, low) = (n / 1_000, n % 1_000);
    let mut parts = Vec::new();
    if high > 0 {
        parts.push(if high == 1 { "mil".to_owned() } else { format!("{} mil", below_thousand_es(high, true)) });
    }
    if low > 0 {
        parts.push(below_thousand_es(low, true));
    }
    parts.join(" ")
}

fn below_thousand_es(n: u64, apocope: bool) -> String {
    const HUNDREDS: [&str; 10] = [
        "",
        "ciento",
        "doscientos",
        "trescientos",
        "cuatrocientos",
        "quinientos",
        "seiscientos",
        "setecientos",
        "ochocientos",
        "novecientos",
    ];
    if n == 100 {
        return "cien".to_owned();
    }
    let hundreds = HUNDREDS.get((n / 100) as usize).copied().unwrap_or_default();
    let rest = n % 100;
    match (hundreds.is_empty(), rest) {
        (_, 0) => hundreds.to_owned(),
        (true, _) => below_hundred_es(rest, apocope),
        (false, _) => format!("{hundreds} {}", below_hundred_es(rest, apocope)),
    }
}

fn below_hundred_es(n: u64, apocope: bool) -> String {
    const UNITS: [&str; 30] = [
        "cero",
        "uno",
        "dos",
        "tres",
        "cuatro",
        "cinco",
        "seis",
        "siete",
        "ocho",
        "nueve",
        "diez",
        "once",
        "doce",
        "trece",
        "catorce",
        "quince",
        "dieciséis",
        "diecisiete",
        "dieciocho",
        "diecinueve",
        "veinte",
        "veintiuno",
        "veintidós",
        "veintitrés",
        "veinticuatro",
        "veinticinco",
        "veintiséis",
        "veintisiete",
        "veintiocho",
        "veintinueve",
    ];
    const TENS: [&str; 10] =
        ["", "", "", "treinta", "cuarenta", "cincuenta", "sesenta", "setenta", "ochenta", "noventa"];
    let word = if n < 30 {
        UNITS.get(n as usize).copied().unwrap_or_default().to_owned()
    } else {
        let tens = TENS.get((n / 10) as usize).copied().unwrap_or_default();
        match n % 10 {
            0 => tens.to_owned(),
            unit => format!("{tens} y {}", UNITS.get(unit as usize).copied().unwrap_or_default()),
        }
    };
    if !apocope {
        word
    } else if word == "veintiuno" {
        "veintiún".to_owned()
    } else if let Some(stem) = word.strip_suffix("uno") {
        format!("{stem}un")
    } else {
        word
    }
}

/// The English cardinal of `n` (num2words).
pub fn cardinal_en(n: u64) -> String {
    Num2Words::new(n).lang(Lang::English).cardinal().to_words().unwrap_or_else(|_| n.to_string())
}

pub fn cardinal(n: u64, language: Language) -> String {
    match language {
        Language::Es => cardinal_es(n, false),
        Language::En => cardinal_en(n),
    }
}

/// A count before a masculine noun: "un crédito", "veintiún días", "one loan".
fn count_es(n: u64) -> String {
    cardinal_es(n, true)
}

/// An amount in words: "quinientos veinte soles con cero céntimos", "un dólar con cinco centavos",
/// "one thousand soles and fifty cents". Rounded half up to cents like every amount the kiosk shows.
pub fn money(value: Money, language: Language) -> String {
    let rounded = value.amount.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let abs = rounded.abs();
    let whole = abs.trunc().to_u64().unwrap_or(u64::MAX);
    let cents = ((abs - abs.trunc()) * Decimal::ONE_HUNDRED).to_u64().unwrap_or(0);
    let text = match language {
        Language::Es => {
            let (one, many, cent_one, cent_many) = match value.currency {
                Currency::PEN => ("sol", "soles", "céntimo", "céntimos"),
                Currency::USD => ("dólar", "dólares", "centavo", "centavos"),
            };
            let unit = if whole == 1 { one } else { many };
            // "un millón de soles": a noun after a round million takes "de".
            let of = if whole >= 1_000_000 && whole.is_multiple_of(1_000_000) { " de" } else { "" };
            let cent_unit = if cents == 1 { cent_one } else { cent_many };
            format!("{}{of} {unit} con {} {cent_unit}", count_es(whole), count_es(cents))
        }
        Language::En => {
            let (one, many) = match value.currency {
                Currency::PEN => ("sol", "soles"),
                Currency::USD => ("dollar", "dollars"),
            };
            let unit = if whole == 1 { one } else { many };
            let cent_unit = if cents == 1 { "cent" } else { "cents" };
            format!("{} {unit} and {} {cent_unit}", cardinal_en(whole), cardinal_en(cents))
        }
    };
    match (negative, language) {
        (false, _) => text,
        (true, Language::Es) => format!("menos {text}"),
        (true, Language::En) => format!("minus {text}"),
    }
}

/// A spoken date: "viernes 5 de diciembre de 2026", "Friday, December 5, 2026" (the voice reads the
/// figures of a date well in both languages).
pub fn date(day: NaiveDate, language: Language) -> String {
    let weekday = day.weekday();
    let month = day.month0() as usize;
    match language {
        Language::Es => {
            const MONTHS: [&str; 12] = [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ];
            let name = match weekday {
                Weekday::Mon => "lunes",
                Weekday::Tue => "martes",
                Weekday::Wed => "miércoles",
                Weekday::Thu => "jueves",
                Weekday::Fri => "viernes",
                Weekday::Sat => "sábado",
                Weekday::Sun => "domingo",
            };
            let month = MONTHS.get(month).copied().unwrap_or_default();
            format!("{name} {} de {month} de {}", day.day(), day.year())
        }
        Language::En => {
            const MONTHS: [&str; 12] = [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ];
            let name = match weekday {
                Weekday::Mon => "Monday",
                Weekday::Tue => "Tuesday",
                Weekday::Wed => "Wednesday",
                Weekday::Thu => "Thursday",
                Weekday::Fri => "Friday",
                Weekday::Sat => "Saturday",
                Weekday::Sun => "Sunday",
            };
            let month = MONTHS.get(month).copied().unwrap_or_default();
            format!("{name}, {month} {}, {}", day.day(), day.year())
        }
    }
}

/// An instant as the kiosk's customers live it (Lima time): "viernes 5 de diciembre de 2026, a las 10:32",
/// "Friday, December 5, 2026, at 10:32".
pub fn date_time(at: DateTime<Utc>, language: Language) -> String {
    let local = lima_time(at);
    let day = date(local.date_naive(), language);
    match language {
        Language::Es => format!("{day}, a las {}:{:02}", local.hour(), local.minute()),
        Language::En => format!("{day}, at {}:{:02}", local.hour(), local.minute()),
    }
}

/// An exchange rate as a decimal figure read digit by digit after the point, the way a cashier says it
/// (in words it would be "tres soles con setecientos doce milésimos", hard to follow): 3.712 →
/// "tres coma siete uno dos soles por dólar", "three point seven one two soles per dollar".
pub fn exchange_rate(rate: Decimal, language: Language) -> String {
    let text = rate.normalize().to_string();
    let text = if text.contains('.') { text } else { format!("{text}.00") };
    let (whole, decimals) = text.split_once('.').unwrap_or((&text, ""));
    let whole = whole.parse::<u64>().map(|n| cardinal(n, language)).unwrap_or_else(|_| whole.to_owned());
    let decimals = digits(decimals, language);
    match language {
        Language::Es => format!("{whole} coma {decimals} soles por dólar"),
        Language::En => format!("{whole} point {decimals} soles per dollar"),
    }
}

/// Figures one by one, so an operation number can be written down: "cero cero cuatro dos".
/// Letters are kept as they are (the voice spells them); other characters are dropped.
pub fn digits(text: &str, language: Language) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| match c.to_digit(10) {
            Some(d) => cardinal(u64::from(d), language),
            None => c.to_ascii_uppercase().to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A card as the kiosk may say it: its last four digits only, whatever the masked text holds.
pub fn masked_card(masked: &str, language: Language) -> String {
    let shown: Vec<char> = masked.chars().filter(char::is_ascii_digit).collect();
    let last4: String = shown.iter().skip(shown.len().saturating_sub(4)).collect();
    match language {
        Language::Es => format!("la tarjeta terminada en {}", digits(&last4, language)),
        Language::En => format!("the card ending in {}", digits(&last4, language)),
    }
}

/// An account or loan number as the kiosk says it: its last four figures ("la cuenta terminada en …").
pub fn last_four(number: &str, language: Language) -> String {
    let shown: Vec<char> = number.chars().filter(char::is_ascii_digit).collect();
    let last4: String = shown.iter().skip(shown.len().saturating_sub(4)).collect();
    digits(&last4, language)
}

/// The figures a mask leaves visible at its end: "95*****480" → "cuatro ocho cero".
pub fn visible_tail(masked: &str, language: Language) -> String {
    let tail: String = masked.chars().rev().take_while(char::is_ascii_digit).collect();
    let tail: String = tail.chars().rev().collect();
    digits(&tail, language)
}

/// How many digits were typed, never which: "tres dígitos ingresados", "three digits entered".
pub fn digits_entered(count: usize, language: Language) -> String {
    match (language, count) {
        (Language::Es, 0) => "Ningún dígito ingresado".to_owned(),
        (Language::Es, 1) => "Un dígito ingresado".to_owned(),
        (Language::Es, n) => format!("{} dígitos ingresados", capitalized(&count_es(n as u64))),
        (Language::En, 0) => "No digits entered".to_owned(),
        (Language::En, 1) => "One digit entered".to_owned(),
        (Language::En, n) => format!("{} digits entered", capitalized(&cardinal_en(n as u64))),
    }
}

/// A count with its noun: "un crédito", "tres créditos", "one loan", "three loans".
pub fn count(n: usize, one_es: &str, many_es: &str, one_en: &str, many_en: &str, language: Language) -> String {
    match language {
        Language::Es => format!("{} {}", count_es(n as u64), if n == 1 { one_es } else { many_es }),
        Language::En => format!("{} {}", cardinal_en(n as u64), if n == 1 { one_en } else { many_en }),
    }
}

pub(crate) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn pen(amount: Decimal) -> Money {
        Money { amount, currency: Currency::PEN }
    }

    fn usd(amount: Decimal) -> Money {
        Money { amount, currency: Currency::USD }
    }

    #[test]
    fn amounts_in_spanish() {
        let es = |m| money(m, Language::Es);
        assert_eq!(es(pen(dec!(0.05))), "cero soles con cinco céntimos");
        assert_eq!(es(pen(dec!(1))), "un sol con cero céntimos");
        assert_eq!(es(pen(dec!(21))), "veintiún soles con cero céntimos");
        assert_eq!(es(pen(dec!(100))), "cien soles con cero céntimos");
        assert_eq!(es(pen(dec!(101))), "ciento un soles con cero céntimos");
        assert_eq!(es(pen(dec!(1000.50))), "mil soles con cincuenta céntimos");
        assert_eq!(es(pen(dec!(1000000))), "un millón de soles con cero céntimos");
        assert_eq!(es(pen(dec!(520))), "quinientos veinte soles con cero céntimos");
        assert_eq!(es(pen(dec!(0.01))), "cero soles con un céntimo");
        assert_eq!(es(pen(dec!(21000.21))), "veintiún mil soles con veintiún céntimos");
        assert_eq!(es(pen(dec!(2500000))), "dos millones quinientos mil soles con cero céntimos");
        assert_eq!(es(pen(dec!(3000000))), "tres millones de soles con cero céntimos");
        assert_eq!(es(pen(dec!(-12.5))), "menos doce soles con cincuenta céntimos");
        assert_eq!(es(usd(dec!(1))), "un dólar con cero centavos");
        assert_eq!(es(usd(dec!(31.01))), "treinta y un dólares con un centavo");
        assert_eq!(es(usd(dec!(1234.567))), "mil doscientos treinta y cuatro dólares con cincuenta y siete centavos");
    }

    #[test]
    fn amounts_in_english() {
        let en = |m| money(m, Language::En);
        assert_eq!(en(pen(dec!(0.05))), "zero soles and five cents");
        assert_eq!(en(pen(dec!(1))), "one sol and zero cents");
        assert_eq!(en(pen(dec!(21))), "twenty-one soles and zero cents");
        assert_eq!(en(pen(dec!(100))), "one hundred soles and zero cents");
        assert_eq!(en(pen(dec!(101))), "one hundred one soles and zero cents");
        assert_eq!(en(pen(dec!(1000.50))), "one thousand soles and fifty cents");
        assert_eq!(en(pen(dec!(1000000))), "one million soles and zero cents");
        assert_eq!(en(usd(dec!(1))), "one dollar and zero cents");
        assert_eq!(en(usd(dec!(520.01))), "five hundred twenty dollars and one cent");
    }

    #[test]
    fn spanish_cardinals_follow_es_pe() {
        assert_eq!(cardinal_es(0, false), "cero");
        assert_eq!(cardinal_es(21, false), "veintiuno");
        assert_eq!(cardinal_es(16, false), "dieciséis");
        assert_eq!(cardinal_es(1000, false), "mil");
        assert_eq!(cardinal_es(1001, false), "mil uno");
        assert_eq!(cardinal_es(101_000, false), "ciento un mil");
        assert_eq!(cardinal_es(1_000_000, false), "un millón");
        assert_eq!(cardinal_es(21_000_000, false), "veintiún millones");
        assert_eq!(
            cardinal_es(999_999_999, false),
            "novecientos noventa y nueve millones novecientos noventa y nueve mil novecientos noventa y nueve"
        );
    }

    #[test]
    fn dates_in_both_languages() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(date(day, Language::Es), "sábado 5 de diciembre de 2026");
        assert_eq!(date(day, Language::En), "Saturday, December 5, 2026");
        let friday = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        assert_eq!(date(friday, Language::Es), "viernes 4 de diciembre de 2026");
        assert_eq!(date(friday, Language::En), "Friday, December 4, 2026");
        let leap = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        assert_eq!(date(leap, Language::Es), "martes 29 de febrero de 2028");
        // 03:05 UTC on the 5th is still the 4th in Lima (UTC−5).
        let at = DateTime::parse_from_rfc3339("2026-12-05T03:05:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(date_time(at, Language::Es), "viernes 4 de diciembre de 2026, a las 22:05");
        assert_eq!(date_time(at, Language::En), "Friday, December 4, 2026, at 22:05");
    }

    #[test]
    fn rates_codes_and_cards() {
        assert_eq!(exchange_rate(dec!(3.750), Language::Es), "tres coma siete cinco soles por dólar");
        assert_eq!(exchange_rate(dec!(3.712), Language::En), "three point seven one two soles per dollar");
        assert_eq!(digits("0042-7A", Language::Es), "cero cero cuatro dos siete A");
        assert_eq!(digits("109", Language::En), "one zero nine");
        assert_eq!(masked_card("**** **** **** 1234", Language::Es), "la tarjeta terminada en uno dos tres cuatro");
        assert_eq!(masked_card("4214 56** **** 0017", Language::En), "the card ending in zero zero one seven");
        assert_eq!(visible_tail("95*****480", Language::Es), "cuatro ocho cero");
        assert_eq!(digits_entered(3, Language::Es), "Tres dígitos ingresados");
        assert_eq!(digits_entered(1, Language::En), "One digit entered");
    }
}
