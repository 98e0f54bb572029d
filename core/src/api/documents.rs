//! The no-debt certificate (R10), customer requests (R11) and e-mailed documents.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoDebtRequest {
    /// Empty: all loans (refused unless every loan is cancelled). Otherwise the specific cancelled loans.
    #[serde(default)]
    pub loan_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CancelledLoan {
    pub loan_id: String,
    pub loan_number: String,
    pub product_name: String,
    pub currency: Currency,
    pub disbursed: Money,
    pub cancelled_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoDebtCertificate {
    pub certificate_number: String,
    pub customer_name: String,
    /// DNI masked except the last 3 digits.
    pub masked_dni: String,
    /// True when it certifies that every loan of the customer is cancelled.
    pub all_loans: bool,
    pub loans: Vec<CancelledLoan>,
    pub issued_at: DateTime<Utc>,
    pub issued_at_local: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// Endoso de póliza de seguro.
    PolicyEndorsement,
    /// Devolución de primas (desgravamen con devolución).
    PremiumRefund,
    /// Cambio de domicilio.
    AddressChange,
    /// Liberación de garantía.
    GuaranteeRelease,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRequest {
    pub kind: RequestKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loan_id: Option<String>,
    /// Free text the customer typed.
    pub detail: String,
}

/// R11 while the kiosk is out of service: the customer typed their DNI (no card, no clave), the kiosk's
/// outbox delivers the request when the central is back, and the central e-mails the ticket to the
/// customer's registered address. `filed_at` is when the customer filed it at the kiosk: the deadline runs
/// from that day (never from a later one than the central's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineRequest {
    pub kind: RequestKind,
    /// The customer's DNI number (8 digits).
    pub dni: String,
    /// Free text the customer typed, if any.
    #[serde(default)]
    pub detail: String,
    pub filed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestTicket {
    pub ticket_number: String,
    pub kind: RequestKind,
    pub filed_at: DateTime<Utc>,
    pub filed_on: NaiveDate,
    pub business_days: u32,
    /// Date by which the caja answers (R11).
    pub deadline: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailRequest {
    pub to: String,
    pub subject: String,
    /// Plain-text body (the constancia as text).
    pub body: String,
    /// Optional PDF attachment, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_base64: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailQueued {
    pub message_id: String,
    pub at: DateTime<Utc>,
}
