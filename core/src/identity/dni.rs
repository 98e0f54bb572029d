//! The Peruvian DNI (Documento Nacional de Identidad): eight digits plus the RENIEC check character that
//! is printed on the card either as a digit or as a letter.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// RENIEC weights over the eight digits, left to right.
const WEIGHTS: [u32; 8] = [3, 2, 7, 6, 5, 4, 3, 2];
/// The check character for each key `11 - (sum mod 11)` (key 11 is folded onto 0), digit form.
const CHECK_DIGITS: [u8; 11] = *b"67890112345";
/// The same keys, letter form.
const CHECK_LETTERS: [u8; 11] = *b"KABCDEFGHIJ";

/// Why a DNI or its check character was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DniError {
    #[error("DNI: empty")]
    Empty,
    #[error("DNI: character at position {position} is not a digit")]
    InvalidCharacter { position: usize },
    #[error("DNI: {digits} characters, a DNI has exactly 8 digits")]
    WrongLength { digits: usize },
    #[error("DNI check character: `{found}` is neither a digit nor a letter A–K")]
    CheckNotRecognised { found: char },
    #[error("DNI check character: `{found}` does not match the number (expected `{digit}` or `{letter}`)")]
    CheckMismatch { found: char, digit: char, letter: char },
}

/// In which form the check character was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DniCheckForm {
    Digit,
    Letter,
}

/// A DNI number: exactly eight ASCII digits (leading zeros are significant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Dni([u8; 8]);

impl Dni {
    /// Reads exactly eight digits.
    pub fn parse(input: &str) -> Result<Self, DniError> {
        if input.is_empty() {
            return Err(DniError::Empty);
        }
        if let Some(position) = input.chars().position(|c| !c.is_ascii_digit()) {
            return Err(DniError::InvalidCharacter { position });
        }
        let digits: [u8; 8] =
            input.as_bytes().try_into().map_err(|_| DniError::WrongLength { digits: input.chars().count() })?;
        Ok(Self(digits))
    }

    /// Reads a DNI followed by its check character, with or without a hyphen or space between
    /// (`10117410-2`, `101174102`, `10117410 G`), and verifies the check character.
    pub fn parse_with_check(input: &str) -> Result<(Self, DniCheckForm), DniError> {
        let mut chars = input.trim_end().chars();
        let check = chars.next_back().ok_or(DniError::Empty)?;
        let rest = chars.as_str();
        let number = rest.strip_suffix(['-', ' ']).unwrap_or(rest);
        let dni = Self::parse(number)?;
        let form = dni.verify_check(check)?;
        Ok((dni, form))
    }

    fn key(&self) -> usize {
        let sum: u32 = self.0.iter().zip(WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
        // 11 - (sum % 11) is in 1..=11; 11 folds onto 0, leaving an index in 0..=10.
        ((11 - sum % 11) % 11) as usize
    }

    /// The check character in digit form (DNI 10117410 → `2`).
    pub fn check_digit(&self) -> char {
        char::from(CHECK_DIGITS[self.key()])
    }

    /// The check character in letter form (DNI 10117410 → `G`).
    pub fn check_letter(&self) -> char {
        char::from(CHECK_LETTERS[self.key()])
    }

    /// Verifies a check character in either form (letters in any case) and says which form it was.
    pub fn verify_check(&self, found: char) -> Result<DniCheckForm, DniError> {
        let (digit, letter) = (self.check_digit(), self.check_letter());
        let form = match found {
            '0'..='9' => DniCheckForm::Digit,
            'A'..='K' | 'a'..='k' => DniCheckForm::Letter,
            _ => return Err(DniError::CheckNotRecognised { found }),
        };
        if found == digit || found.to_ascii_uppercase() == letter {
            Ok(form)
        } else {
            Err(DniError::CheckMismatch { found, digit, letter })
        }
    }

    /// The eight digits.
    pub fn as_str(&self) -> &str {
        // Built only from ASCII digits, so always valid UTF-8.
        std::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Display for Dni {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Dni {
    type Err = DniError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Dni {
    type Error = DniError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Dni> for String {
    fn from(dni: Dni) -> Self {
        dni.as_str().to_owned()
    }
}
