//! Sensitive values the session holds for a moment (clave, OTP, session token): wiped from memory when
//! dropped, never printed by `Debug`. Card numbers use core's zeroizing `CardNumber`, re-exported here.

pub use servicaja_core::identity::card::{CardNumber, CardNumberError};
pub use servicaja_core::identity::dni::{Dni, DniError};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Digits typed on a keypad that must not outlive the session: a clave or an OTP. `Debug` shows dots.
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretDigits(String);

impl SecretDigits {
    pub fn new() -> Self {
        Self(String::new())
    }

    /// Builds from text already known to be digits (tests, shells relaying an answer).
    pub fn from_digits(text: &str) -> Option<Self> {
        text.chars().all(|c| c.is_ascii_digit()).then(|| Self(text.to_owned()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Appends a digit unless the entry already holds `max` digits; returns whether it was taken.
    pub fn push(&mut self, digit: u8, max: usize) -> bool {
        if digit > 9 || self.0.len() >= max {
            return false;
        }
        self.0.push(char::from(b'0' + digit));
        true
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    pub fn clear(&mut self) {
        self.0.zeroize();
    }

    /// The digits, for the one request that sends them. Never log this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretDigits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretDigits({})", "•".repeat(self.0.len()))
    }
}

/// The central API's session token: a bearer secret, wiped on drop and never printed.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_digits_debug_shows_dots_only() {
        let mut clave = SecretDigits::new();
        for d in [1, 2, 3] {
            assert!(clave.push(d, 6));
        }
        assert_eq!(format!("{clave:?}"), "SecretDigits(•••)");
        clave.clear();
        assert!(clave.is_empty());
    }
}
