//! Typed calls of the central API contract (`servicaja_core::api`) on top of `HostClient::send`. The outbox
//! commands of the state-changing ones are built in one place, [`crate::wire`].

use servicaja_core::api::{Account, Health, Loan, OpenSessionRequest, SessionOpened, paths};
use uuid::Uuid;

use crate::client::{HostClient, HostError};

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
