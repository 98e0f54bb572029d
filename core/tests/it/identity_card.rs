//! Card numbers: Luhn, masking and secrecy of the full number.

use proptest::prelude::*;
use servicaja_core::identity::card::{CardNumber, CardNumberError, luhn_check_digit, luhn_valid};

#[test]
fn luhn_published_vector() {
    assert!(luhn_valid("79927398713"));
    for wrong_last in ["79927398710", "79927398711", "79927398712", "79927398714", "79927398719"] {
        assert!(!luhn_valid(wrong_last), "{wrong_last}");
    }
    assert_eq!(luhn_check_digit("7992739871"), Some(3));
}

#[test]
fn masks_for_screens_and_logs() {
    let card = CardNumber::parse("4539 1488 0343 6467").unwrap();
    assert_eq!(card.masked(), "**** **** **** 6467");
    assert_eq!(card.masked_for_log(), "453914******6467");
    assert_eq!(card.last_four(), "6467");
    assert_eq!(card.bin(), "453914");
    assert_eq!(card.len(), 16);
    assert_eq!(card.expose_digits(), "4539148803436467");
    let nineteen = CardNumber::parse("6011-0000-0000-0000-001").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(nineteen.masked(), "**** **** **** 0001");
    assert_eq!(nineteen.masked_for_log(), "601100*********0001");
}

#[test]
fn debug_never_shows_the_full_number() {
    let card = CardNumber::parse("4539148803436467").unwrap();
    let debug = format!("{card:?}");
    assert!(!debug.contains("4539148803436467"));
    assert!(!debug.contains("880343"));
    assert!(debug.contains("6467"));
}

#[test]
fn rejections_name_the_problem_without_the_number() {
    let cases = [
        ("", CardNumberError::Empty),
        ("4539x488", CardNumberError::InvalidCharacter { position: 4 }),
        ("45391488034", CardNumberError::WrongLength { digits: 11 }),
        ("45391488034364670000", CardNumberError::WrongLength { digits: 20 }),
        ("4539148803436468", CardNumberError::LuhnMismatch),
    ];
    for (input, expected) in cases {
        let error = CardNumber::parse(input).unwrap_err();
        assert_eq!(error, expected, "{input:?}");
        let message = error.to_string();
        assert!(message.starts_with("card number:"));
        assert!(!message.contains("4539148803436468"));
    }
}

proptest! {
    #[test]
    fn any_completed_payload_is_a_card_number(payload in "[0-9]{11,18}") {
        let check = luhn_check_digit(&payload).unwrap();
        let number = format!("{payload}{check}");
        let card = CardNumber::parse(&number).unwrap();
        prop_assert_eq!(card.expose_digits(), number.as_str());
        let log = card.masked_for_log();
        prop_assert_eq!(log.len(), number.len());
        prop_assert_eq!(&log[..6], &number[..6]);
        prop_assert_eq!(&log[log.len() - 4..], &number[number.len() - 4..]);
        prop_assert!(log[6..log.len() - 4].chars().all(|c| c == '*'));
        // Changing any single digit breaks the check.
        for position in 0..number.len() {
            let mut altered = number.clone().into_bytes();
            altered[position] = b'0' + (altered[position] - b'0' + 1) % 10;
            prop_assert!(!luhn_valid(std::str::from_utf8(&altered).unwrap()));
        }
    }
}
