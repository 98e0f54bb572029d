//! Card numbers (PAN): Luhn check, masking for screens, receipts and logs, and a type that wipes the digits
//! from memory when dropped and never prints them whole.

use std::fmt;

use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Shortest and longest card number ISO/IEC 7812 allows.
pub const PAN_MIN_DIGITS: usize = 12;
pub const PAN_MAX_DIGITS: usize = 19;

/// Why a card number was refused. The message never contains the card number itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum CardNumberError {
    #[error("card number: empty")]
    Empty,
    #[error("card number: character at position {position} is not a digit")]
    InvalidCharacter { position: usize },
    #[error("card number: {digits} digits, a card number has {PAN_MIN_DIGITS} to {PAN_MAX_DIGITS}")]
    WrongLength { digits: usize },
    #[error("card number: the Luhn check digit does not match; the number was misread or mistyped")]
    LuhnMismatch,
}

/// What stands before the last four digits in a masked card number, on screens, receipts and the journal.
pub const MASKED_PREFIX: &str = "**** **** **** ";

/// A card number as screens, receipts and the journal show it, from its last four digits:
/// `**** **** **** 1234`.
pub fn masked_from_last_four(last_four: &str) -> String {
    format!("{MASKED_PREFIX}{last_four}")
}

/// Whether a string of ASCII digits passes the Luhn (mod 10) check. Anything that is not all digits, or is
/// empty, fails.
pub fn luhn_valid(digits: &str) -> bool {
    !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && luhn_sum(digits.as_bytes(), false).is_multiple_of(10)
}

/// The Luhn check digit to append to `payload` (ASCII digits), or `None` if it is empty or not all digits.
pub fn luhn_check_digit(payload: &str) -> Option<u8> {
    if payload.is_empty() || !payload.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum = luhn_sum(payload.as_bytes(), true);
    // `sum % 10` is below 10, so the subtraction stays in 1..=10 and the result in 0..=9.
    Some(((10 - sum % 10) % 10) as u8)
}

/// Luhn sum from the right; `double_rightmost` when computing a check digit for a payload.
fn luhn_sum(digits: &[u8], double_rightmost: bool) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(index, byte)| {
            let value = u32::from(byte.wrapping_sub(b'0'));
            let doubled = (index % 2 == 1) != double_rightmost;
            if doubled {
                let twice = value * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                value
            }
        })
        .sum()
}

/// A Luhn-valid card number. The digits are wiped from memory when the value is dropped; `Debug` and the
/// masking helpers show at most the first six and last four digits.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct CardNumber {
    digits: String,
}

impl CardNumber {
    /// Reads a card number typed or printed with optional spaces or hyphens between digit groups
    /// (`4539 1488 0343 6467`). Checks length (12–19 digits) and the Luhn digit.
    pub fn parse(input: &str) -> Result<Self, CardNumberError> {
        let mut digits = String::with_capacity(PAN_MAX_DIGITS);
        for (position, c) in input.chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                _ => {
                    digits.zeroize();
                    return Err(CardNumberError::InvalidCharacter { position });
                }
            }
        }
        Self::from_digits(digits)
    }

    /// Takes ownership of a string that should hold only digits (as read from a track) and validates it.
    /// The string is wiped if it is refused.
    pub(crate) fn from_digits(mut digits: String) -> Result<Self, CardNumberError> {
        let verdict = if digits.is_empty() {
            Err(CardNumberError::Empty)
        } else if let Some(position) = digits.bytes().position(|b| !b.is_ascii_digit()) {
            Err(CardNumberError::InvalidCharacter { position })
        } else if !(PAN_MIN_DIGITS..=PAN_MAX_DIGITS).contains(&digits.len()) {
            Err(CardNumberError::WrongLength { digits: digits.len() })
        } else if !luhn_valid(&digits) {
            Err(CardNumberError::LuhnMismatch)
        } else {
            Ok(())
        };
        match verdict {
            Ok(()) => Ok(Self { digits }),
            Err(error) => {
                digits.zeroize();
                Err(error)
            }
        }
    }

    /// For screens and receipts: `**** **** **** 1234`, whatever the length of the number.
    pub fn masked(&self) -> String {
        masked_from_last_four(self.last_four())
    }

    /// For logs and the journal: first six and last four digits, the rest as `*` (`457173******1234`).
    pub fn masked_for_log(&self) -> String {
        let len = self.digits.len();
        let hidden = len.saturating_sub(10);
        format!("{}{}{}", self.bin(), "*".repeat(hidden), self.last_four())
    }

    /// The last four digits.
    pub fn last_four(&self) -> &str {
        self.digits.get(self.digits.len().saturating_sub(4)..).unwrap_or("")
    }

    /// The issuer identification number: the first six digits.
    pub fn bin(&self) -> &str {
        self.digits.get(..6).unwrap_or("")
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        self.digits.len()
    }

    /// Always `false`: a valid card number has at least 12 digits.
    pub fn is_empty(&self) -> bool {
        self.digits.is_empty()
    }

    /// The full number, for the one place that must send it (the request to the central API over TLS).
    /// Never log, store or print what this returns.
    pub fn expose_digits(&self) -> &str {
        &self.digits
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked_for_log())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_check_digit_completes_payload() {
        assert_eq!(luhn_check_digit("7992739871"), Some(3));
        assert!(luhn_valid("79927398713"));
        assert!(!luhn_valid("79927398710"));
        assert!(!luhn_valid(""));
        assert_eq!(luhn_check_digit("12a"), None);
    }

    #[test]
    fn refused_number_is_not_in_the_error() {
        let error = CardNumber::parse("4539148803436468").unwrap_err();
        assert_eq!(error, CardNumberError::LuhnMismatch);
        assert!(!error.to_string().contains("4539148803436468"));
    }
}
