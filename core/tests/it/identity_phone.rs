//! Phone numbers for the clave dinámica: Peruvian mobile format and masking.

use servicaja_core::identity::phone::{PhoneError, PhoneNumber, mask_phone};

#[test]
fn masks_as_the_constancia_shows() {
    assert_eq!(mask_phone("951234480"), "95*****480");
    let phone = PhoneNumber::parse("+51 951 234 480").unwrap();
    assert_eq!(phone.as_str(), "951234480");
    assert_eq!(phone.masked(), "95*****480");
    assert_eq!(PhoneNumber::parse("51951234480").unwrap(), phone);
    assert_eq!(PhoneNumber::parse("951-234-480").unwrap(), phone);
    assert_eq!(mask_phone("12345"), "*****");
    assert_eq!(mask_phone("+51951234480"), "+5*****480");
}

#[test]
fn rejections_say_why() {
    assert_eq!(PhoneNumber::parse(""), Err(PhoneError::Empty));
    assert_eq!(PhoneNumber::parse("95123448O"), Err(PhoneError::InvalidCharacter { position: 8 }));
    assert_eq!(PhoneNumber::parse("95123448"), Err(PhoneError::WrongLength { digits: 8 }));
    assert_eq!(PhoneNumber::parse("052424242"), Err(PhoneError::NotMobile));
    assert!(PhoneError::NotMobile.to_string().starts_with("phone:"));
}
