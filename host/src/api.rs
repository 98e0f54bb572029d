//! Typed calls of the central API contract (`servicaja_core::api`) on top of `HostClient::send`. The outbox
//! commands of the state-changing ones are built in one place, [`crate::wire`].

use servicaja_core::api::{
    Account, Health, JournalUpload, JournalUploadReceipt, Loan, LogUpload, LogUploadReceipt, OpenSessionRequest,
    ReportReply, SessionOpened, StatusReport, paths,
};
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

    /// A fleet status report, straight to the central and never through the outbox: a report never queues
    /// behind a payment nor fills the queue, and one that fails is replaced by the next. The report's id
    /// (a UUID) is its idempotency key.
    pub async fn report_status(&self, report: &StatusReport) -> Result<ReportReply, HostError> {
        let key = Uuid::parse_str(&report.report_id).unwrap_or_else(|_| Uuid::now_v7());
        self.post(paths::FLEET_REPORTS, key, None, report).await
    }

    /// One chunk of journal records for an `upload_journal` command.
    pub async fn upload_journal(&self, upload: &JournalUpload) -> Result<JournalUploadReceipt, HostError> {
        self.post(paths::FLEET_JOURNAL_UPLOADS, Uuid::now_v7(), None, upload).await
    }

    /// One day's log file for a `send_logs` command.
    pub async fn send_logs(&self, upload: &LogUpload) -> Result<LogUploadReceipt, HostError> {
        self.post(paths::FLEET_LOGS, Uuid::now_v7(), None, upload).await
    }
}
