//! The customer's accounts and their movements.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Inactive,
    Blocked,
}

/// Signature type of an account: only individual ones may be affiliated (R2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureType {
    Individual,
    Joint,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    /// Account number as the caja prints it ("00121110").
    pub number: String,
    /// Type and currency as the caja names it ("CTA.AHORRO PN SOLES").
    pub product_name: String,
    pub currency: Currency,
    pub balance: Money,
    pub status: AccountStatus,
    pub signature: SignatureType,
    /// Whether this account is the one affiliated to internet purchases.
    pub internet_purchases: bool,
    /// Funds the customer may not draw on at will (an intangible AFP deposit): never debited at the kiosk
    /// nor affiliated to internet purchases.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restricted: bool,
}

impl Account {
    /// Whether the customer may debit this account alone, at the kiosk: active, individual signature (a
    /// joint account needs every holder) and not restricted (R2, and the payment's debit account). The one
    /// place that says which accounts a payment or an affiliation may use.
    pub fn debitable_alone(&self) -> bool {
        self.status == AccountStatus::Active && self.signature == SignatureType::Individual && !self.restricted
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Movement {
    pub id: String,
    pub at: DateTime<Utc>,
    /// Spanish description ("PAGO CUOTA CRÉDITO 00340001", "EXTORNO PAGO CRÉDITO …").
    pub description: String,
    /// Signed: debits are negative.
    pub amount: Money,
    pub balance_after: Money,
}
