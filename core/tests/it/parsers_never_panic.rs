//! Every parser of the domain core answers `Ok` or a typed error on arbitrary input; none panics.

use std::str::FromStr;

use proptest::prelude::*;
use servicaja_core::identity::card::CardNumber;
use servicaja_core::identity::dni::Dni;
use servicaja_core::identity::mrz::Mrz;
use servicaja_core::identity::phone::{PhoneNumber, mask_phone};
use servicaja_core::identity::track::{LrcMode, parse_reader_line, parse_track1, parse_track2};
use servicaja_core::money::{Currency, Money};

const MODES: [LrcMode; 3] = [LrcMode::Absent, LrcMode::Present, LrcMode::Detect];

fn every_string_parser(text: &str) {
    let _ = CardNumber::parse(text);
    let _ = Dni::parse(text);
    let _ = Dni::parse_with_check(text);
    let _ = PhoneNumber::parse(text);
    let _ = mask_phone(text);
    let _ = Money::parse_keypad(text, Currency::PEN);
    let _ = Money::from_str(text);
    if let Ok(mrz) = Mrz::parse(text) {
        let _ = mrz.dni();
        let reference = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let _ = mrz.birth_date_on(reference);
        let _ = mrz.expiry_date_on(reference);
    }
}

fn every_byte_parser(bytes: &[u8]) {
    for mode in MODES {
        if let Ok(swipe) = parse_reader_line(bytes, mode) {
            let _ = (swipe.pan.masked(), swipe.pan.masked_for_log(), swipe.is_chip_card());
        }
        let _ = parse_track1(bytes, mode);
        let _ = parse_track2(bytes, mode);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
        every_byte_parser(&bytes);
        every_string_parser(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_strings(text in any::<String>()) {
        every_string_parser(&text);
        every_byte_parser(text.as_bytes());
    }

    #[test]
    fn track_like_input(text in "[%;]?[BE]?[0-9]{0,20}[\\^=]?[A-Z /.]{0,28}[\\^=]?[0-9\\^=]{0,30}\\??.?[%;]?[0-9=E]{0,40}\\??.?\r?") {
        every_byte_parser(text.as_bytes());
    }

    #[test]
    fn mrz_like_input(lines in proptest::collection::vec("[A-Z0-9<]{28,46}", 1..4)) {
        every_string_parser(&lines.join("\n"));
        every_string_parser(&lines.concat());
    }

    #[test]
    fn money_like_input(text in "-?(S/ |US\\$ )?[0-9,.]{0,20}") {
        every_string_parser(&text);
    }
}
