//! Magnetic-stripe tracks (ISO/IEC 7813) and whole card-reader lines.

use chrono::NaiveDate;
use servicaja_core::identity::card::CardNumberError;
use servicaja_core::identity::track::{
    CardExpiry, LrcMode, TrackError, TrackId, TrackStatus, compute_lrc, parse_reader_line, parse_track1, parse_track2,
};

/// ISO/IEC 7813 example (as reproduced in the standard's summaries): no expiry, no service code.
const ISO_TRACK1: &str = "%B4815881002861896^YATES/EUGENE L ^^^356858 00998000000?";
/// The other summary example carries a mistyped card number (fails Luhn).
const ISO_TRACK1_TYPO: &str = "%B4815881002867896^YATES/EUGENE JOHN ^37829821000123456789?";
const TRACK1: &str = "%B4815881002861896^YATES/EUGENE L^2706201123400000000?";
const TRACK2: &str = ";4815881002861896=2706201123400000000?";
const MAG_ONLY_TRACK2: &str = ";4111111111111111=25121011234500000000?";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn iso_7813_example_track1() {
    let track = parse_track1(ISO_TRACK1, LrcMode::Absent).unwrap();
    assert_eq!(track.pan.last_four(), "1896");
    assert_eq!(track.name.surname, "YATES");
    assert_eq!(track.name.given_names, "EUGENE L");
    assert_eq!(track.name.to_string(), "EUGENE L YATES");
    assert_eq!(track.expiry, None);
    assert_eq!(track.service_code, None);
    assert!(!track.is_chip_card());
}

#[test]
fn iso_7813_example_with_typo_fails_luhn() {
    let error = parse_track1(ISO_TRACK1_TYPO, LrcMode::Absent).unwrap_err();
    assert_eq!(error, TrackError::CardNumber { track: TrackId::Track1, source: CardNumberError::LuhnMismatch });
}

#[test]
fn track2_fields() {
    let track = parse_track2(MAG_ONLY_TRACK2, LrcMode::Absent).unwrap();
    assert_eq!(track.pan.expose_digits(), "4111111111111111");
    assert_eq!(track.expiry, CardExpiry::new(2025, 12));
    assert_eq!(track.service_code.unwrap().as_str(), "101");
    assert!(!track.is_chip_card());
    let chip = parse_track2(TRACK2, LrcMode::Absent).unwrap();
    assert_eq!(chip.service_code.unwrap().as_str(), "201");
    assert!(chip.is_chip_card());
    assert_eq!(chip.expiry.unwrap().to_string(), "06/27");
}

#[test]
fn expiry_is_the_end_of_the_month() {
    let expiry = CardExpiry::new(2027, 6).unwrap();
    assert!(!expiry.is_expired_on(date(2027, 6, 30)));
    assert!(expiry.is_expired_on(date(2027, 7, 1)));
    assert!(CardExpiry::new(2027, 13).is_none());
}

#[test]
fn lrc_checked_when_the_reader_sends_it() {
    // LRCs computed independently (XOR of 6-bit / 4-bit codes from start through end sentinel).
    assert_eq!(compute_lrc(TrackId::Track1, ISO_TRACK1.as_bytes()), Some(b'F'));
    assert_eq!(compute_lrc(TrackId::Track2, MAG_ONLY_TRACK2.as_bytes()), Some(b'9'));
    assert!(parse_track1(format!("{ISO_TRACK1}F"), LrcMode::Present).is_ok());
    assert!(parse_track1(format!("{ISO_TRACK1}F"), LrcMode::Detect).is_ok());
    assert!(parse_track1(ISO_TRACK1, LrcMode::Detect).is_ok());
    assert!(parse_track2(format!("{MAG_ONLY_TRACK2}9"), LrcMode::Present).is_ok());
    assert_eq!(
        parse_track2(format!("{MAG_ONLY_TRACK2}8"), LrcMode::Present).unwrap_err(),
        TrackError::LrcMismatch { track: TrackId::Track2 }
    );
    assert_eq!(
        parse_track2(MAG_ONLY_TRACK2, LrcMode::Present).unwrap_err(),
        TrackError::MissingLrc { track: TrackId::Track2 }
    );
    assert_eq!(
        parse_track2(format!("{MAG_ONLY_TRACK2}9"), LrcMode::Absent).unwrap_err(),
        TrackError::TrailingData { track: TrackId::Track2 }
    );
}

#[test]
fn reader_line_with_both_tracks() {
    let swipe = parse_reader_line(format!("{TRACK1}{TRACK2}\r"), LrcMode::Absent).unwrap();
    assert_eq!(swipe.track1, TrackStatus::Read);
    assert_eq!(swipe.track2, TrackStatus::Read);
    assert_eq!(swipe.pan.masked(), "**** **** **** 1896");
    assert_eq!(swipe.cardholder.as_ref().unwrap().surname, "YATES");
    assert!(swipe.is_chip_card());
}

#[test]
fn reader_line_with_lrcs_detected_or_declared() {
    let lrc1 = char::from(compute_lrc(TrackId::Track1, TRACK1.as_bytes()).unwrap());
    let lrc2 = char::from(compute_lrc(TrackId::Track2, TRACK2.as_bytes()).unwrap());
    let line = format!("{TRACK1}{lrc1}{TRACK2}{lrc2}\r\n");
    for mode in [LrcMode::Present, LrcMode::Detect] {
        let swipe = parse_reader_line(&line, mode).unwrap();
        assert_eq!(swipe.pan.last_four(), "1896");
    }
    let without = format!("{TRACK1}{TRACK2}\r");
    assert!(parse_reader_line(&without, LrcMode::Detect).is_ok());
    let corrupted = format!("{TRACK1}{lrc1}{TRACK2}{}\r", if lrc2 == '0' { '1' } else { '0' });
    assert_eq!(
        parse_reader_line(corrupted, LrcMode::Present).unwrap_err(),
        TrackError::LrcMismatch { track: TrackId::Track2 }
    );
}

#[test]
fn failed_tracks_are_reported_not_fatal() {
    let swipe = parse_reader_line(format!("%E?{TRACK2}\r"), LrcMode::Absent).unwrap();
    assert_eq!(swipe.track1, TrackStatus::Failed);
    assert_eq!(swipe.track2, TrackStatus::Read);
    assert_eq!(swipe.cardholder, None);
    let swipe = parse_reader_line(format!("{TRACK1};E?\r"), LrcMode::Detect).unwrap();
    assert_eq!(swipe.track2, TrackStatus::Failed);
    assert_eq!(swipe.cardholder.unwrap().given_names, "EUGENE L");
    let swipe = parse_reader_line(TRACK2, LrcMode::Absent).unwrap();
    assert_eq!(swipe.track1, TrackStatus::Absent);
    assert_eq!(parse_reader_line("%E?;E?\r", LrcMode::Detect).unwrap_err(), TrackError::NoUsableTrack);
    assert_eq!(parse_track1("%E?", LrcMode::Absent).unwrap_err(), TrackError::ReaderFailed { track: TrackId::Track1 });
    assert_eq!(parse_reader_line("\r\n", LrcMode::Absent).unwrap_err(), TrackError::Empty);
    // A reader set to send LRCs may or may not send one after a failed track.
    let lrc2 = char::from(compute_lrc(TrackId::Track2, TRACK2.as_bytes()).unwrap());
    for failed in ["%E?", "%E?+"] {
        let swipe = parse_reader_line(format!("{failed}{TRACK2}{lrc2}\r"), LrcMode::Present).unwrap();
        assert_eq!((swipe.track1, swipe.track2), (TrackStatus::Failed, TrackStatus::Read));
    }
    assert!(parse_track2(format!("{TRACK2}\r\n"), LrcMode::Absent).is_ok());
}

#[test]
fn tracks_of_two_cards_are_refused() {
    let other = MAG_ONLY_TRACK2;
    assert_eq!(
        parse_reader_line(format!("{TRACK1}{other}"), LrcMode::Absent).unwrap_err(),
        TrackError::TracksDisagree { field: "card number" }
    );
}

#[test]
fn structural_rejections_name_the_field() {
    let cases: [(&str, TrackError); 8] = [
        ("B4815881002861896^A B^2706201?", TrackError::MissingStartSentinel { track: TrackId::Track1 }),
        ("%B4815881002861896^A B^2706201", TrackError::MissingEndSentinel { track: TrackId::Track1 }),
        ("%A4815881002861896^A B^2706201?", TrackError::FormatCode { found: 'A' }),
        ("%B4815881002861896^A B?", TrackError::MissingSeparator { track: TrackId::Track1, after: "cardholder name" }),
        ("%B4815881002861896^A^2706201?", TrackError::NameLength { chars: 1 }),
        (
            "%B4815881002861896^A B^2713201?",
            TrackError::Expiry { track: TrackId::Track1, reason: "month is not 01 to 12" },
        ),
        (
            "%B4815881002861896^A B^27062?",
            TrackError::ServiceCode { track: TrackId::Track1, reason: "fewer than 3 digits" },
        ),
        ("%B4815881002861896^a b^2706201?", TrackError::InvalidCharacter { track: TrackId::Track1, position: 19 }),
    ];
    for (input, expected) in cases {
        assert_eq!(parse_track1(input, LrcMode::Absent).unwrap_err(), expected, "{input}");
    }
    assert_eq!(
        parse_track2(";4815881002861896?", LrcMode::Absent).unwrap_err(),
        TrackError::MissingSeparator { track: TrackId::Track2, after: "card number" }
    );
    let long = format!(";4815881002861896=2706201{}?", "0".repeat(20));
    assert!(matches!(parse_track2(long, LrcMode::Absent), Err(TrackError::TooLong { max: 40, .. })));
}

#[test]
fn errors_and_debug_never_carry_track_data() {
    let bad_lrc = format!("{TRACK1}!{TRACK2}0\r");
    let error = parse_reader_line(bad_lrc, LrcMode::Present).unwrap_err();
    let bad_luhn = parse_track2(";4815881002861897=2706201123400000000?", LrcMode::Absent).unwrap_err();
    for message in [error.to_string(), bad_luhn.to_string(), format!("{error:?}"), format!("{bad_luhn:?}")] {
        assert!(!message.contains("4815881002861"), "{message}");
        assert!(!message.contains("2706201"), "{message}");
    }
    let swipe = parse_reader_line(format!("{TRACK1}{TRACK2}"), LrcMode::Absent).unwrap();
    let debug = format!("{swipe:?}");
    assert!(!debug.contains("4815881002861896"));
    assert!(!debug.contains("1123400000000"));
}
