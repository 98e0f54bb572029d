//! DNI numbers and the RENIEC check character.

use servicaja_core::identity::dni::{Dni, DniCheckForm, DniError};

#[test]
fn reniec_check_of_the_published_vector() {
    let dni = Dni::parse("10117410").unwrap();
    assert_eq!(dni.check_digit(), '2');
    assert_eq!(dni.check_letter(), 'G');
    assert_eq!(dni.verify_check('2'), Ok(DniCheckForm::Digit));
    assert_eq!(dni.verify_check('G'), Ok(DniCheckForm::Letter));
    assert_eq!(dni.verify_check('g'), Ok(DniCheckForm::Letter));
    assert_eq!(dni.verify_check('3'), Err(DniError::CheckMismatch { found: '3', digit: '2', letter: 'G' }));
    assert_eq!(dni.verify_check('Z'), Err(DniError::CheckNotRecognised { found: 'Z' }));
    assert_eq!(dni.to_string(), "10117410");
}

#[test]
fn every_remainder_maps_to_one_digit_and_one_letter() {
    // Weighted sums 3,2,7,6,5,4,3,2 of these numbers cover all 11 remainders mod 11.
    let mut seen = std::collections::BTreeSet::new();
    for n in 0..200u32 {
        let dni = Dni::parse(&format!("{n:08}")).unwrap();
        assert!(dni.check_digit().is_ascii_digit());
        assert!(('A'..='K').contains(&dni.check_letter()));
        seen.insert((dni.check_digit(), dni.check_letter()));
    }
    assert_eq!(seen.len(), 11);
    // Sum 0 (remainder 0): digit 6, letter K.
    let zeros = Dni::parse("00000000").unwrap();
    assert_eq!((zeros.check_digit(), zeros.check_letter()), ('6', 'K'));
}

#[test]
fn with_check_in_the_usual_spellings() {
    for text in ["10117410-2", "101174102", "10117410 G", "10117410G"] {
        let (dni, _) = Dni::parse_with_check(text).unwrap();
        assert_eq!(dni.as_str(), "10117410", "{text}");
    }
    assert!(matches!(Dni::parse_with_check("10117410-3"), Err(DniError::CheckMismatch { .. })));
}

#[test]
fn rejections_name_the_field() {
    assert_eq!(Dni::parse(""), Err(DniError::Empty));
    assert_eq!(Dni::parse("1011741"), Err(DniError::WrongLength { digits: 7 }));
    assert_eq!(Dni::parse("101174100"), Err(DniError::WrongLength { digits: 9 }));
    assert_eq!(Dni::parse("1011741O"), Err(DniError::InvalidCharacter { position: 7 }));
    assert!(DniError::Empty.to_string().starts_with("DNI"));
}

#[test]
fn serde_keeps_leading_zeros_and_validates() {
    let dni: Dni = serde_json::from_str("\"00123456\"").unwrap();
    assert_eq!(serde_json::to_string(&dni).unwrap(), "\"00123456\"");
    assert!(serde_json::from_str::<Dni>("\"123\"").is_err());
}
