//! Typed calls of the central API contract (`servicaja_core::api`) on top of `HostClient::send`, and
//! builders of the outbox commands for the state-changing ones.

use servicaja_core::api::{
    Account, EmailRequest, Health, Loan, OpenSessionRequest, PaymentRequest, SessionOpened, paths,
};
use uuid::Uuid;

use crate::client::{HostClient, HostError};
use crate::policy::CommandKind;
use crate::store::{NewCommand, OutboxError};

impl HostClient {
    pub async fn health(&self) -> Result<Health, HostError> {
        self.get(paths::HEALTH, None).await
    }

    /// R1. The request holds the card number and the clave: it goes straight to the central, never
    /// through the outbox, and is never stored.
    pub async fn open_session(&self, request: &OpenSessionRequest) -> Result<SessionOpened, HostError> {
        self.post(paths::SESSIONS, Uuid::now_v7(), None, request).await
    }

    pub async fn accounts(&self, token: &str) -> Result<Vec<Account>, HostError> {
        self.get(paths::ACCOUNTS, Some(token)).await
    }

    pub async fn loans(&self, token: &str) -> Result<Vec<Loan>, HostError> {
        self.get(paths::LOANS, Some(token)).await
    }
}

/// The outbox command of a loan payment, in the customer session's lane, with the loan and the account it
/// touches (reversals on either go first).
pub fn payment_command(lane: &str, token: &str, request: &PaymentRequest) -> Result<NewCommand, OutboxError> {
    Ok(NewCommand::new(CommandKind::Payment, lane, paths::PAYMENTS, request)?
        .with_session_token(token)
        .with_resources(payment_resources(request)))
}

/// The loan and the account a payment touches, as the outbox names them.
pub fn payment_resources(request: &PaymentRequest) -> Vec<String> {
    vec![format!("loan:{}", request.loan_id), format!("account:{}", request.debit_account_id)]
}

/// The outbox command of an e-mailed document (delivered later when the central is away).
pub fn email_command(lane: &str, token: &str, request: &EmailRequest) -> Result<NewCommand, OutboxError> {
    Ok(NewCommand::new(CommandKind::Email, lane, paths::EMAILS, request)?.with_session_token(token))
}
