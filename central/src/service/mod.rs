//! The caja's rules as the central side applies them: one function per operation, run inside the
//! operation's transaction. Loan math is servicaja-core's; this module only moves money and records.
//! One file per concern: sessions, accounts, loans, payments, reversals, affiliation (with OTPs and the
//! simulated outbox), documents and enrollment; here the error type and the request context they share.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use servicaja_core::api::*;
use servicaja_core::channels::ChannelTable;
use servicaja_core::money::{Currency, Money};
use uuid::Uuid;

use crate::clock::peru_date;
use crate::fixtures::Fixtures;

/// Why an operation did not produce its normal answer.
#[derive(Debug)]
pub struct OpError {
    pub problem: Problem,
    /// Keep the operation's writes although it answers an error (a failed clave still counts).
    pub keep_effects: bool,
}

pub type OpResult<T> = Result<T, OpError>;

pub fn fail(code: ErrorCode, message: impl Into<String>) -> OpError {
    OpError { problem: Problem::new(code, message), keep_effects: false }
}

impl From<Problem> for OpError {
    fn from(problem: Problem) -> Self {
        OpError { problem, keep_effects: false }
    }
}

impl From<rusqlite::Error> for OpError {
    fn from(error: rusqlite::Error) -> Self {
        tracing::error!(%error, "database error");
        fail(ErrorCode::Internal, "Error interno del sistema central; la operación no se realizó. Intente nuevamente.")
    }
}

impl From<serde_json::Error> for OpError {
    fn from(error: serde_json::Error) -> Self {
        tracing::error!(%error, "stored JSON unreadable");
        fail(ErrorCode::Internal, "Error interno del sistema central; la operación no se realizó.")
    }
}

fn kept(mut error: OpError) -> OpError {
    error.keep_effects = true;
    error
}

/// What every operation knows about its request.
pub struct Ctx<'a> {
    pub now: DateTime<Utc>,
    pub customer_id: Option<String>,
    pub fixtures: &'a Fixtures,
    pub channels: &'a ChannelTable,
}

impl Ctx<'_> {
    pub fn today(&self) -> NaiveDate {
        peru_date(self.now)
    }

    fn customer(&self) -> OpResult<&str> {
        self.customer_id
            .as_deref()
            .ok_or_else(|| fail(ErrorCode::SessionRequired, "Inicie sesión con su tarjeta, DNI y clave."))
    }
}

fn new_id() -> String {
    Uuid::now_v7().simple().to_string()
}

fn random_digits(count: usize) -> String {
    (0..count).map(|_| char::from(b'0' + rand::random_range(0..10u8))).collect()
}

fn money(amount: Decimal, currency: Currency) -> Money {
    Money::new(amount, currency)
}

fn cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp(2);
    rounded.rescale(2);
    rounded
}

fn parse_decimal(text: &str) -> rusqlite::Result<Decimal> {
    text.parse::<Decimal>()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

mod accounts;
mod affiliation;
mod documents;
mod enrollment;
mod loans;
mod payments;
mod reversals;
mod session;

pub use accounts::{list_accounts, list_movements};
pub use affiliation::{affiliate, affiliation_state, disaffiliate, outbox_list, request_otp};
pub use documents::{file_offline_request, file_request, no_debt_certificate, send_email};
pub use enrollment::{answer_enrollment, resend_enrollment_code, set_enrollment_clave, start_enrollment};
pub use loans::{exchange_rates, list_loans, loan_schedule};
pub use payments::{pay, quote};
pub use reversals::reverse;
pub use session::{authenticate, close_session, get_profile, open_session};
