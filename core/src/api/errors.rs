//! The one error shape of the API: the stable machine codes, each with its wire name and HTTP status
//! written once, and the problem body.

use serde::{Deserialize, Serialize};

/// Declares [`ErrorCode`] from one table: each code's wire name and HTTP status stand once, beside its
/// meaning; the enum, `as_str`, `http_status`, `ALL` and the serde names all come from it.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $code:ident = ($wire:literal, $status:literal),)*) => {
        /// Stable machine codes of every error the central API answers. The kiosk decides on these, never on
        /// the message text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* #[serde(rename = $wire)] $code,)*
        }

        impl ErrorCode {
            /// Every code, for documentation and exhaustive tests.
            pub const ALL: [ErrorCode; [$($wire),*].len()] = [$(ErrorCode::$code),*];

            /// The HTTP status the code travels with.
            pub fn http_status(self) -> u16 {
                match self {
                    $(ErrorCode::$code => $status,)*
                }
            }

            /// The snake_case name used on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$code => $wire,)*
                }
            }
        }
    };
}

error_codes! {
    /// The body or a parameter is malformed.
    InvalidRequest = ("invalid_request", 400),
    /// A state-changing request came without an `Idempotency-Key`.
    IdempotencyKeyRequired = ("idempotency_key_required", 400),
    /// The key was already used with a different request.
    IdempotencyConflict = ("idempotency_conflict", 409),
    /// Card number and DNI do not belong together, or the card is unknown.
    CardNotRecognized = ("card_not_recognized", 401),
    /// Wrong clave; `attempts_left` says how many remain before the card locks.
    ClaveInvalid = ("clave_invalid", 401),
    /// The card is locked after three wrong claves; the customer must go to a counter.
    CardLocked = ("card_locked", 403),
    /// The clave is not exactly six digits.
    ClaveFormat = ("clave_format", 400),
    /// No bearer token was sent, or it is unknown.
    SessionRequired = ("session_required", 401),
    /// The session token expired after five idle minutes.
    SessionExpired = ("session_expired", 401),
    /// The account, loan, enrollment or operation does not exist or is not the customer's.
    NotFound = ("not_found", 404),
    /// The account is not active.
    AccountInactive = ("account_inactive", 422),
    /// Only accounts with individual signature can be affiliated (R2).
    NotIndividualSignature = ("not_individual_signature", 422),
    /// Another account is already affiliated; disaffiliate it first (R2).
    AlreadyAffiliated = ("already_affiliated", 409),
    /// There is no affiliated account to disaffiliate.
    NotAffiliated = ("not_affiliated", 409),
    /// Disaffiliation needs the explicit confirmation tick (R3).
    ConfirmationRequired = ("confirmation_required", 422),
    /// Wrong SMS code; `attempts_left` says how many remain.
    OtpInvalid = ("otp_invalid", 422),
    /// The SMS code is older than five minutes.
    OtpExpired = ("otp_expired", 422),
    /// The SMS code was entered wrong three times, or was already used.
    OtpExhausted = ("otp_exhausted", 422),
    /// The account balance does not cover the debit.
    InsufficientFunds = ("insufficient_funds", 422),
    /// The amount exceeds the kiosk channel's per-operation limit (R9).
    LimitExceeded = ("limit_exceeded", 422),
    /// The loan's product type cannot be paid at the kiosk (R8).
    LoanNotPayableHere = ("loan_not_payable_here", 422),
    /// Overdue installments must be paid before an advance or prepayment (R6).
    OverdueFirst = ("overdue_first", 422),
    /// The amount does not fit the chosen payment option (R7).
    AmountInvalid = ("amount_invalid", 400),
    /// The loan has nothing left to pay.
    LoanCancelled = ("loan_cancelled", 409),
    /// The quoted debit no longer matches (exchange rate or loan state changed); quote again.
    QuoteChanged = ("quote_changed", 409),
    /// The operation was reversed (possibly before it arrived); it will not be applied.
    Reversed = ("reversed", 409),
    /// The payment cannot be reversed automatically because the loan moved on since (a later payment);
    /// the agency must handle it.
    ReversalNotPossible = ("reversal_not_possible", 409),
    /// Some of the asked loans are not cancelled (R10).
    LoansNotCancelled = ("loans_not_cancelled", 422),
    /// The customer has no cancelled loans to certify (R10).
    NoCancelledLoans = ("no_cancelled_loans", 422),
    /// Wrong answers to the identity questions; `attempts_left` says how many rounds remain (R12).
    EnrollmentAnswersWrong = ("enrollment_answers_wrong", 422),
    /// Enrollment blocked after three failed rounds; the customer must go to a counter (R12).
    EnrollmentBlocked = ("enrollment_blocked", 403),
    /// The enrollment step was called out of order (answers not verified yet, or already finished).
    EnrollmentState = ("enrollment_state", 409),
    /// A fault injected on purpose by the simulator (tests and demos).
    FaultInjected = ("fault_injected", 503),
    /// The endpoint does not exist (or is only available in demo mode).
    RouteNotFound = ("route_not_found", 404),
    /// An unexpected failure inside the central API; nothing was applied.
    Internal = ("internal", 500),
}

impl ErrorCode {
    /// Whether the same request may succeed if sent again later unchanged (the kiosk's queue retries
    /// these; every other code is a final answer).
    pub fn is_transient(self) -> bool {
        matches!(self, ErrorCode::FaultInjected | ErrorCode::Internal)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The one error shape of the API (RFC 9457 style): a stable code, a Spanish message fit for the
/// customer, and optional details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub code: ErrorCode,
    pub message: String,
    /// HTTP status, repeated in the body as RFC 9457 does.
    pub status: u16,
    /// Remaining clave, SMS code or enrollment attempts, when the code is about attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    /// Ids that caused the error (e.g. the loans that are not cancelled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_ids: Vec<String>,
}

impl Problem {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), status: code.http_status(), attempts_left: None, related_ids: Vec::new() }
    }

    pub fn with_attempts_left(mut self, attempts_left: u32) -> Self {
        self.attempts_left = Some(attempts_left);
        self
    }

    pub fn with_related_ids(mut self, ids: Vec<String>) -> Self {
        self.related_ids = ids;
        self
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Problem {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_serialize_to_their_stable_names() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(back, code);
        }
    }

    #[test]
    fn problem_has_code_message_and_status() {
        let problem = Problem::new(ErrorCode::ClaveInvalid, "Clave incorrecta.").with_attempts_left(2);
        let value = serde_json::to_value(&problem).unwrap();
        assert_eq!(value["code"], "clave_invalid");
        assert_eq!(value["status"], 401);
        assert_eq!(value["attempts_left"], 2);
        assert!(value.get("related_ids").is_none());
    }
}
