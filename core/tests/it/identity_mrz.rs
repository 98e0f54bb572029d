//! Machine-readable zones (ICAO Doc 9303): TD1 ID cards and TD3 passports.

use chrono::NaiveDate;
use servicaja_core::identity::mrz::{Mrz, MrzDate, MrzError, MrzField, MrzFormat, Sex, check_digit};

/// ICAO Doc 9303 part 5 TD1 specimen.
const TD1: [&str; 3] =
    ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"];
/// ICAO Doc 9303 part 4 TD3 specimen.
const TD3: [&str; 2] = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"];
/// A Peruvian DNIe laid out as TD1 (check digits computed independently).
const PERU: [&str; 3] =
    ["I<PER10117410<7<<<<<<<<<<<<<<<", "9001011M3001019PER<<<<<<<<<<<2", "QUISPE<MAMANI<<JUAN<CARLOS<<<<"];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn today() -> NaiveDate {
    date(2026, 11, 21)
}

#[test]
fn td1_specimen() {
    let mrz = Mrz::parse_td1(TD1[0], TD1[1], TD1[2]).unwrap();
    assert_eq!(mrz.format, MrzFormat::Td1);
    assert_eq!(mrz.document_code, "I");
    assert_eq!(mrz.issuing_state, "UTO");
    assert_eq!(mrz.document_number, "D23145890");
    assert_eq!(mrz.sex, Sex::Female);
    assert_eq!(mrz.nationality, "UTO");
    assert_eq!(mrz.names.primary, "ERIKSSON");
    assert_eq!(mrz.names.secondary, "ANNA MARIA");
    assert_eq!(mrz.birth_date_on(today()), Ok(date(1974, 8, 12)));
    assert_eq!(mrz.expiry_date_on(today()), Ok(date(2012, 4, 15)));
    assert_eq!(mrz.is_expired_on(today()), Ok(true));
    assert_eq!(mrz.is_expired_on(date(2012, 4, 15)), Ok(false));
    assert_eq!(mrz.dni(), None);
}

#[test]
fn td3_specimen() {
    let mrz = Mrz::parse_td3(TD3[0], TD3[1]).unwrap();
    assert_eq!(mrz.format, MrzFormat::Td3);
    assert_eq!(mrz.document_code, "P");
    assert_eq!(mrz.document_number, "L898902C3");
    assert_eq!(mrz.optional_data, "ZE184226B");
    assert_eq!(mrz.names.primary, "ERIKSSON");
    assert_eq!(mrz.names.secondary, "ANNA MARIA");
    assert_eq!(mrz.birth_date_on(today()), Ok(date(1974, 8, 12)));
    assert_eq!(mrz.sex, Sex::Female);
}

#[test]
fn reader_text_in_any_usual_layout() {
    let joined = TD1.join("\r\n");
    assert_eq!(Mrz::parse(&joined), Mrz::parse_td1(TD1[0], TD1[1], TD1[2]));
    assert!(Mrz::parse(&format!("\n  {}\n{}\n{}  \n\n", TD1[0], TD1[1], TD1[2])).is_ok());
    assert!(Mrz::parse(&format!("{}\r{}\r{}\r", TD1[0], TD1[1], TD1[2])).is_ok());
    assert_eq!(Mrz::parse(&TD1.concat()).unwrap().document_number, "D23145890");
    assert_eq!(Mrz::parse(&TD3.join("\n")).unwrap().format, MrzFormat::Td3);
    assert_eq!(Mrz::parse(&TD3.concat()).unwrap().format, MrzFormat::Td3);
    assert_eq!(Mrz::parse(""), Err(MrzError::Empty));
    assert_eq!(Mrz::parse(&TD1[..2].join("\n")), Err(MrzError::WrongShape { lines: 2, chars: 30 }));
}

#[test]
fn peruvian_dni_card_yields_the_dni() {
    let mrz = Mrz::parse(&PERU.join("\n")).unwrap();
    assert_eq!(mrz.issuing_state, "PER");
    assert_eq!(mrz.document_number, "10117410");
    assert_eq!(mrz.dni().map(|dni| dni.to_string()), Some("10117410".to_owned()));
    assert_eq!(mrz.names.primary, "QUISPE MAMANI");
    assert_eq!(mrz.names.secondary, "JUAN CARLOS");
    assert_eq!(mrz.sex, Sex::Male);
    assert_eq!(mrz.birth_date_on(today()), Ok(date(1990, 1, 1)));
    assert_eq!(mrz.expiry_date_on(today()), Ok(date(2030, 1, 1)));
}

#[test]
fn long_document_number_continues_in_optional_data() {
    let mrz = Mrz::parse_td1(
        "IDUTO123456789<07<<<<<<<<<<<<<",
        "8601012M3001019UTO<<<<<<<<<<<6",
        "SPECIMEN<<JANE<<<<<<<<<<<<<<<<",
    )
    .unwrap();
    assert_eq!(mrz.document_code, "ID");
    assert_eq!(mrz.document_number, "1234567890");
    assert_eq!(mrz.optional_data, "");
}

#[test]
fn every_check_digit_is_verified_and_named() {
    let cases = [
        (0, 14, MrzField::DocumentNumber),
        (1, 6, MrzField::BirthDate),
        (1, 14, MrzField::ExpiryDate),
        (1, 29, MrzField::Composite),
    ];
    for (line, position, field) in cases {
        let mut lines = TD1.map(str::to_owned);
        let mut bytes = lines[line].clone().into_bytes();
        bytes[position] = if bytes[position] == b'0' { b'1' } else { b'0' };
        lines[line] = String::from_utf8(bytes).unwrap();
        let error = Mrz::parse_td1(&lines[0], &lines[1], &lines[2]).unwrap_err();
        assert!(matches!(error, MrzError::CheckDigitMismatch { field: f, .. } if f == field), "{error}");
        assert!(error.to_string().contains(&field.to_string()));
    }
    // Optional data is covered only by the composite.
    let error = Mrz::parse_td1("I<UTOD231458907<<<<<<<<<<<<<<B", TD1[1], TD1[2]).unwrap_err();
    assert!(matches!(error, MrzError::CheckDigitMismatch { field: MrzField::Composite, .. }));
    // TD3: personal number check.
    let error = Mrz::parse_td3(TD3[0], "L898902C36UTO7408122F1204159ZE184226B<<<<<20").unwrap_err();
    assert!(matches!(error, MrzError::CheckDigitMismatch { field: MrzField::PersonalNumber, .. }));
}

#[test]
fn field_rejections() {
    let bad_sex = Mrz::parse_td1(TD1[0], "7408122Q1204159UTO<<<<<<<<<<<6", TD1[2]).unwrap_err();
    assert_eq!(bad_sex, MrzError::InvalidField { field: MrzField::Sex, reason: "not F, M, X or <" });
    let lowercase = Mrz::parse_td1(TD1[0], TD1[1], "ERIKSSON<<ANNA<MARIa<<<<<<<<<<").unwrap_err();
    assert_eq!(lowercase, MrzError::InvalidCharacter { line: 3, position: 19 });
    let passport_as_card = Mrz::parse_td1(&TD1[0].replacen('I', "P", 1), TD1[1], TD1[2]).unwrap_err();
    assert!(matches!(passport_as_card, MrzError::InvalidField { field: MrzField::DocumentCode, .. }));
}

#[test]
fn dates_resolve_against_the_reference() {
    let mrz = Mrz::parse_td1(TD1[0], TD1[1], TD1[2]).unwrap();
    // Seen in 1999, "12" of the expiry is still 2012 (within 50 years ahead), birth 1974.
    assert_eq!(mrz.expiry_date_on(date(1999, 1, 1)), Ok(date(2012, 4, 15)));
    assert_eq!(mrz.birth_date_on(date(1999, 1, 1)), Ok(date(1974, 8, 12)));
    // A birth "740812" seen on 2074-08-11 is still 1974; on 2074-08-12 it would be today.
    assert_eq!(mrz.birth_date_on(date(2074, 8, 11)), Ok(date(1974, 8, 12)));
    assert_eq!(mrz.birth_date_on(date(2074, 8, 12)), Ok(date(2074, 8, 12)));
}

#[test]
fn check_digit_function_matches_the_standard() {
    assert_eq!(check_digit(b"D23145890"), Some(7));
    assert_eq!(check_digit(b"740812"), Some(2));
    assert_eq!(check_digit(b"L898902C3"), Some(6));
    assert_eq!(check_digit(b"<<<<"), Some(0));
    assert_eq!(check_digit(b"a"), None);
}

#[test]
fn leap_days_resolve_only_in_leap_years() {
    let leap_2000 = MrzDate::new(0, 2, 29).unwrap();
    assert_eq!(leap_2000.resolve_not_after(today(), MrzField::BirthDate), Ok(date(2000, 2, 29)));
    // Seen from 1999, "000229" would be 1900-02-29, which never existed.
    assert_eq!(
        leap_2000.resolve_not_after(date(1999, 6, 1), MrzField::BirthDate),
        Err(MrzError::UnresolvableDate { field: MrzField::BirthDate, yymmdd: "000229".to_owned() })
    );
    let not_leap = MrzDate::new(1, 2, 29).unwrap();
    assert!(not_leap.resolve_near(today(), MrzField::ExpiryDate).is_err());
    assert_eq!(MrzDate::new(99, 12, 31).unwrap().resolve_near(today(), MrzField::ExpiryDate), Ok(date(1999, 12, 31)));
    assert_eq!(MrzDate::new(75, 1, 1).unwrap().resolve_near(today(), MrzField::ExpiryDate), Ok(date(2075, 1, 1)));
    assert_eq!(MrzDate::new(77, 1, 1).unwrap().resolve_near(today(), MrzField::ExpiryDate), Ok(date(1977, 1, 1)));
    assert!(MrzDate::new(10, 13, 1).is_none());
}
