//! SMS codes and the affiliation of an account (R2–R4).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::accounts::Account;
use crate::money::Currency;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OtpPurpose {
    Affiliation,
    Disaffiliation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtpRequest {
    pub purpose: OtpPurpose,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OtpSent {
    pub otp_id: String,
    /// Where the code went, masked: `95*****480`.
    pub masked_phone: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffiliationRequest {
    pub account_id: String,
    pub otp_id: String,
    pub otp_code: String,
}

impl std::fmt::Debug for AffiliationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AffiliationRequest").field("account_id", &self.account_id).finish_non_exhaustive()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisaffiliationRequest {
    /// The tick "Deseo desafiliarme del servicio de Compras por Internet".
    pub confirm: bool,
    pub otp_id: String,
    pub otp_code: String,
}

impl std::fmt::Debug for DisaffiliationRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisaffiliationRequest").field("confirm", &self.confirm).finish_non_exhaustive()
    }
}

/// The affiliated account, if any (`GET /v1/affiliation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffiliationState {
    pub account: Option<Account>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AffiliationOperation {
    Affiliation,
    Disaffiliation,
}

impl AffiliationOperation {
    /// The wording of the constancia's "Operación" line.
    pub fn label(self) -> &'static str {
        match self {
            AffiliationOperation::Affiliation => "AFILIACIÓN",
            AffiliationOperation::Disaffiliation => "DESAFILIACIÓN",
        }
    }
}

/// R4: the data of the affiliation / disaffiliation constancia.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AffiliationConstancia {
    pub operation_number: String,
    pub operation: AffiliationOperation,
    /// "COMPRAS POR INTERNET".
    pub service: String,
    pub customer_name: String,
    pub account_number: String,
    /// "CTA AHORRO PN SOLES".
    pub account_product_name: String,
    pub currency: Currency,
    /// The registered e-mail the constancia was also sent to.
    pub email: String,
    pub at: DateTime<Utc>,
    /// The same date and time in Peru, as printed: "09/09/2020 10:08:30".
    pub at_local: String,
}
