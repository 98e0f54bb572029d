//! Health and the customer session: opening it with card, DNI and clave, and the customer's profile.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// `"ok"` when the API and its database answer.
    pub status: String,
    pub version: String,
    pub server_time: DateTime<Utc>,
    /// True when the answering side is the simulator in demo mode.
    pub demo: bool,
}

/// R1: full card number, the holder's DNI and the 6-digit clave. Never logged or stored by the kiosk.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSessionRequest {
    pub card_number: String,
    pub dni: String,
    pub clave: String,
}

impl std::fmt::Debug for OpenSessionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSessionRequest").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionOpened {
    pub token: String,
    /// Seconds of inactivity after which the token stops working.
    pub idle_timeout_seconds: i64,
    pub profile: Profile,
}

/// What the kiosk may show about the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub customer_id: String,
    /// Name as printed on constancias ("JESUS").
    pub name: String,
    /// Registered phone, masked as the caja shows it: `95*****480`.
    pub masked_phone: String,
    /// Registered e-mail address.
    pub email: String,
    /// Card masked for screens: `**** **** **** 1234`.
    pub masked_card: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_not_in_debug_output() {
        let request =
            OpenSessionRequest { card_number: "4111111111111111".into(), dni: "1".into(), clave: "123456".into() };
        let shown = format!("{request:?}");
        assert!(!shown.contains("4111") && !shown.contains("123456"));
    }
}
