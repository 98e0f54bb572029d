//! The customer's registered mobile phone (where the clave dinámica is sent by SMS), shown masked as
//! `95*****480`.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a phone number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PhoneError {
    #[error("phone: empty")]
    Empty,
    #[error("phone: character at position {position} is not a digit")]
    InvalidCharacter { position: usize },
    #[error("phone: {digits} digits, a Peruvian mobile number has 9 (optionally after +51)")]
    WrongLength { digits: usize },
    #[error("phone: a Peruvian mobile number starts with 9; SMS cannot be sent to a landline")]
    NotMobile,
}

/// A Peruvian mobile number: nine digits starting with 9, stored without the country code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber([u8; 9]);

impl PhoneNumber {
    /// Reads `951234480`, `951 234 480`, `+51 951 234 480` or `51951234480`.
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let unprefixed = input.trim().strip_prefix('+').unwrap_or(input.trim());
        let mut digits = Vec::with_capacity(11);
        for (position, c) in unprefixed.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c as u8),
                ' ' | '-' => {}
                _ => return Err(PhoneError::InvalidCharacter { position }),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        let national = match digits.as_slice() {
            [b'5', b'1', rest @ ..] if rest.len() == 9 => rest,
            all => all,
        };
        let number: [u8; 9] = national.try_into().map_err(|_| PhoneError::WrongLength { digits: digits.len() })?;
        if number[0] != b'9' {
            return Err(PhoneError::NotMobile);
        }
        Ok(Self(number))
    }

    /// The nine digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// For screens and constancias: first two and last three digits, `95*****480`.
    pub fn masked(&self) -> String {
        mask_phone(self.as_str())
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(phone: PhoneNumber) -> Self {
        phone.as_str().to_owned()
    }
}

/// Masks a phone number as the caja's screens do: the first two and last three characters around a fixed
/// run of five asterisks (`951234480` → `95*****480`), so the mask does not reveal the number's length
/// either. Anything shorter than six characters becomes `*****`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    match chars.as_slice() {
        [first, second, .., x, y, z] if chars.len() >= 6 => format!("{first}{second}*****{x}{y}{z}"),
        _ => "*****".to_owned(),
    }
}
