//! The central API contract shared by the kiosk's host client and the central simulator: paths, request and
//! response bodies, the problem shape and the stable machine error codes.
//!
//! Conventions every endpoint follows:
//! - JSON bodies; money is `{"amount": "1234.56", "currency": "PEN"}` (exact decimal as a string).
//! - Every `POST` changes state and requires an [`IDEMPOTENCY_KEY_HEADER`]; the same key with the same body
//!   replays the first answer (status and body), the same key with another body answers
//!   [`ErrorCode::IdempotencyConflict`]. Reads are `GET`.
//! - Customer endpoints need `Authorization: Bearer <token>` from [`SessionOpened`]; the token expires
//!   after [`SESSION_IDLE_SECONDS`] without use. Reversals and health need no customer session (the kiosk
//!   sends reversals from its durable queue, possibly after the customer has left).
//! - Every error is a [`Problem`] with a stable [`ErrorCode`] and a Spanish message a customer may read.

/// Header carrying the idempotency key of a state-changing request.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// Idle time after which a session token stops working.
pub const SESSION_IDLE_SECONDS: i64 = 300;
/// Wrong claves in a row that lock the card (R1).
pub const MAX_CLAVE_FAILURES: u32 = 3;
/// Lifetime of an SMS code.
pub const OTP_VALID_SECONDS: i64 = 300;
/// Wrong entries an SMS code tolerates before it is spent.
pub const OTP_MAX_TRIES: u32 = 3;
/// Failed answer rounds that block clave enrollment (R12).
pub const MAX_ENROLLMENT_FAILURES: u32 = 3;
/// Business days within which a filed request is answered (R11).
pub const REQUEST_DEADLINE_BUSINESS_DAYS: u32 = 15;
/// Idempotency keys are remembered at least this long.
pub const IDEMPOTENCY_RETENTION_HOURS: i64 = 24;

/// The paths of the central API, relative to the base URL. `{…}` segments are path parameters.
pub mod paths {
    pub const HEALTH: &str = "/v1/health";
    pub const SESSIONS: &str = "/v1/sessions";
    pub const SESSION_CURRENT: &str = "/v1/sessions/current";
    pub const PROFILE: &str = "/v1/profile";
    pub const ACCOUNTS: &str = "/v1/accounts";
    pub const ACCOUNT_MOVEMENTS: &str = "/v1/accounts/{account_id}/movements";
    pub const LOANS: &str = "/v1/loans";
    pub const LOAN_SCHEDULE: &str = "/v1/loans/{loan_id}/schedule";
    pub const LOAN_QUOTE: &str = "/v1/loans/{loan_id}/quote";
    pub const PAYMENTS: &str = "/v1/payments";
    pub const PAYMENT_REVERSAL: &str = "/v1/payments/{operation_id}/reversal";
    pub const EXCHANGE_RATES: &str = "/v1/exchange-rates";
    pub const OTPS: &str = "/v1/otps";
    pub const AFFILIATION: &str = "/v1/affiliation";
    pub const AFFILIATIONS: &str = "/v1/affiliations";
    pub const DISAFFILIATIONS: &str = "/v1/disaffiliations";
    pub const NO_DEBT_CERTIFICATES: &str = "/v1/no-debt-certificates";
    pub const REQUESTS: &str = "/v1/requests";
    /// Requests filed at a kiosk that could not reach the central, delivered later by its outbox.
    pub const OFFLINE_REQUESTS: &str = "/v1/offline-requests";
    pub const ENROLLMENTS: &str = "/v1/enrollments";
    pub const ENROLLMENT_ANSWERS: &str = "/v1/enrollments/{enrollment_id}/answers";
    pub const ENROLLMENT_CLAVE: &str = "/v1/enrollments/{enrollment_id}/clave";
    /// A new SMS code for an enrollment whose answers passed (the customer did not get or lost the first).
    pub const ENROLLMENT_OTP: &str = "/v1/enrollments/{enrollment_id}/otp";
    pub const EMAILS: &str = "/v1/emails";
    /// Demo mode only: the SMS and emails the simulator "sent".
    pub const DEMO_OUTBOX: &str = "/v1/demo/outbox";
    /// Demo mode only: the simulator's fault table (GET lists it, PUT sets one route's fault).
    pub const DEMO_FAULTS: &str = "/v1/demo/faults";
    /// A kiosk's status report (answered with the commands queued for it).
    pub const FLEET_REPORTS: &str = "/v1/fleet/reports";
    /// The kiosks that reported, with their journal-head alerts.
    pub const FLEET_KIOSKS: &str = "/v1/fleet/kiosks";
    /// One kiosk: its last report and its commands.
    pub const FLEET_KIOSK: &str = "/v1/fleet/kiosks/{kiosk_id}";
    /// One kiosk's reports, newest first (`?limit=`).
    pub const FLEET_KIOSK_REPORTS: &str = "/v1/fleet/kiosks/{kiosk_id}/reports";
    /// Queue a command for one kiosk.
    pub const FLEET_KIOSK_COMMANDS: &str = "/v1/fleet/kiosks/{kiosk_id}/commands";
    /// Journal records a kiosk uploads for an `upload_journal` command.
    pub const FLEET_JOURNAL_UPLOADS: &str = "/v1/fleet/journal-uploads";
    /// A day's log file a kiosk sends for a `send_logs` command.
    pub const FLEET_LOGS: &str = "/v1/fleet/logs";

    /// Fills one `{name}` path parameter.
    pub fn fill(template: &str, name: &str, value: &str) -> String {
        template.replace(&format!("{{{name}}}"), value)
    }
}

mod accounts;
mod affiliation;
mod documents;
mod enrollment;
mod errors;
mod fleet;
mod loans;
mod outbox;
mod payments;
mod session;

pub use accounts::*;
pub use affiliation::*;
pub use documents::*;
pub use enrollment::*;
pub use errors::*;
pub use fleet::*;
pub use loans::*;
pub use outbox::*;
pub use payments::*;
pub use session::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_filled() {
        assert_eq!(paths::fill(paths::PAYMENT_REVERSAL, "operation_id", "abc"), "/v1/payments/abc/reversal");
    }
}
