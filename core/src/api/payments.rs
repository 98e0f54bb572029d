//! Quotes, payments and their reversals (R5–R9).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::loans::PaymentOption;
use crate::money::{Currency, Money};

/// The conversion applied when account and loan currencies differ (R5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangeApplied {
    /// Soles per dollar used.
    pub rate: Decimal,
    /// "Compra" or "Venta", as the receipt prints it.
    pub side_label: String,
    pub from: Currency,
    pub to: Currency,
}

/// The new schedule's headline figures after a prepayment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleFigures {
    pub installment_amount: Money,
    pub installments_remaining: u32,
    pub last_due_date: Option<NaiveDate>,
    pub outstanding_principal: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentQuote {
    pub loan_id: String,
    pub option: PaymentOption,
    pub debit_account_id: String,
    /// What the loan receives, in the loan's currency.
    pub amount: Money,
    /// What the account is charged, in the account's currency.
    pub debit: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<ExchangeApplied>,
    /// Spanish name of the operation for the constancia ("Pago anticipado parcial").
    pub kind_label: String,
    /// For a partial prepayment, the customer's choice as the constancia words it (R7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice_label: Option<String>,
    /// Part of `amount` that pays overdue installments first (R6).
    pub overdue_part: Money,
    pub principal_part: Money,
    pub interest_part: Money,
    pub insurance_part: Money,
    pub moratorium_part: Money,
    /// Money the caja owes back (earlier advances beyond the principal cancelled).
    pub refund: Money,
    /// Installment numbers the payment covers (fully or in part).
    pub installments_covered: Vec<u32>,
    /// New schedule figures (prepayments and total); `None` when no new schedule is issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_schedule: Option<ScheduleFigures>,
    pub cancels_loan: bool,
    pub quoted_at: DateTime<Utc>,
}

/// `POST /v1/payments`: pay a loan by debiting an account. `operation_id` is chosen by the kiosk before
/// sending; reversals name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRequest {
    pub operation_id: Uuid,
    pub loan_id: String,
    pub debit_account_id: String,
    pub option: PaymentOption,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    /// The debit the customer confirmed on screen; refused with `quote_changed` when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_debit: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentDone {
    pub operation_id: Uuid,
    /// The caja's operation number for the constancia.
    pub operation_number: String,
    pub loan_id: String,
    pub loan_number: String,
    pub option: PaymentOption,
    pub kind_label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice_label: Option<String>,
    pub amount: Money,
    pub debit: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<ExchangeApplied>,
    pub principal_part: Money,
    pub interest_part: Money,
    pub insurance_part: Money,
    pub moratorium_part: Money,
    pub account_number: String,
    pub account_balance_after: Money,
    pub loan_outstanding_after: Money,
    pub installments_covered: Vec<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_schedule: Option<ScheduleFigures>,
    /// The installment the loan asks for next, once this payment is applied (none when it is cancelled):
    /// the voucher prints "Próximo vencimiento".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_installment: Option<NextInstallment>,
    pub loan_cancelled: bool,
    pub at: DateTime<Utc>,
}

/// A loan's next installment after a payment: its due date and what remains to pay of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextInstallment {
    pub due_date: NaiveDate,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReversalRequest {
    /// Why the kiosk cancels ("timeout", "customer_cancelled", …), kept for audit.
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReversalOutcome {
    /// The payment was applied and is now undone: balances and the loan are restored exactly.
    PaymentReversed,
    /// The payment had not arrived; it is recorded as reversed and will be refused with `reversed`.
    RecordedBeforePayment,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReversalDone {
    pub operation_id: Uuid,
    pub outcome: ReversalOutcome,
    pub at: DateTime<Utc>,
}
