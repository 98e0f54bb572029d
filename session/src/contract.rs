//! What the session asks of the central API and what comes back. The bodies are the central contract's
//! own types (`servicaja_core::api`); this module adds the session-level envelopes: reads (`Query`),
//! commands that change something and go through the durable outbox (`Command`), answers (`Reply`) and
//! failures (`Failure`: the central refused with a problem code, or no answer came).

use serde::{Deserialize, Serialize};
use servicaja_core::identity::card::CardNumber;
use servicaja_core::identity::dni::Dni;
use uuid::Uuid;

pub use servicaja_core::api::{
    Account, AccountStatus, AffiliationConstancia, AffiliationOperation, AmountRange, EnrollmentAnswer,
    EnrollmentAnswers, EnrollmentCompleted, EnrollmentQuestion, EnrollmentStarted, EnrollmentVerified, ErrorCode,
    ExchangeRates, FileRequest, Installment, Loan, LoanStatus, Movement, NoDebtCertificate, NoDebtRequest, OptionTerms,
    OtpPurpose, OtpSent, PaymentDone, PaymentOption, PaymentQuote, PaymentRequest, Problem, Profile, QuoteQuery,
    RequestKind, RequestTicket, ReversalDone, ReversalRequest, SessionOpened, SignatureType,
};

use crate::secret::SecretDigits;

/// R2: only accounts the customer may debit alone (active, individual signature, not restricted) may be
/// affiliated.
pub fn affiliable(account: &Account) -> bool {
    account.debitable_alone()
}

/// Whether the customer types the amount on a keypad for this option (advance, partial prepayments).
pub fn needs_amount(option: PaymentOption) -> bool {
    matches!(
        option,
        PaymentOption::Advance | PaymentOption::PrepaymentReduceAmount | PaymentOption::PrepaymentReduceCount
    )
}

/// The options in the order the loan screen lists them.
pub const PAYMENT_OPTIONS: [PaymentOption; 5] = [
    PaymentOption::DueInstallment,
    PaymentOption::Advance,
    PaymentOption::PrepaymentReduceAmount,
    PaymentOption::PrepaymentReduceCount,
    PaymentOption::Total,
];

/// The request kinds in the order the requests screen lists them (R11).
pub const REQUEST_KINDS: [RequestKind; 4] = [
    RequestKind::PolicyEndorsement,
    RequestKind::PremiumRefund,
    RequestKind::AddressChange,
    RequestKind::GuaranteeRelease,
];

/// Reads, sent straight to the host client and never stored (some carry secrets). The ones the contract
/// makes `POST`s (sessions, OTPs, enrollments) use the request id as their `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// R1 (`POST /v1/sessions`). The secrets live in memory only.
    OpenSession {
        card: CardNumber,
        dni: Dni,
        clave: SecretDigits,
    },
    Accounts,
    Movements {
        account_id: String,
    },
    Loans,
    Quote {
        loan_id: String,
        query: QuoteQuery,
    },
    /// Sends a dynamic code by SMS to the registered phone.
    RequestOtp {
        purpose: OtpPurpose,
    },
    /// R12: a new SMS code for an enrollment whose answers passed (`POST /v1/enrollments/{id}/otp`).
    ResendEnrollmentCode {
        enrollment_id: String,
    },
    /// R12: card + DNI open an enrollment and return the questions.
    StartEnrollment {
        card: CardNumber,
        dni: Dni,
    },
}

/// Commands that change something at the central: written to the outbox with their idempotency key before
/// the first byte is sent. They hold no secret; secrets travel beside them in [`Credentials`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// `operation_id` equals the idempotency key of the effect that carries it.
    Pay(PaymentRequest),
    /// Reverses a payment whatever it reached (the customer left mid-payment): the kiosk's outbox
    /// activates the reversal it stored with the payment (`POST /v1/payments/{operation_id}/reversal`).
    ReversePayment {
        operation_id: Uuid,
        request: ReversalRequest,
    },
    /// The customer's wait for a payment's answer ended: the outbox decides once, atomically, between the
    /// answer it stored meanwhile (`Reply::PaymentDone`, or the refusal) and the payment's reversal
    /// (`Reply::ReversalStored`). A failure means the decision could not be stored.
    SettlePayment {
        operation_id: Uuid,
    },
    /// The OTP code travels in [`Credentials::otp`].
    Affiliate {
        account_id: String,
        otp_id: String,
    },
    /// `confirm` is the explicit tick (R3); the OTP code travels in [`Credentials::otp`].
    Disaffiliate {
        confirm: bool,
        otp_id: String,
    },
    NoDebtCertificate(NoDebtRequest),
    FileRequest(FileRequest),
    /// A request filed while the kiosk is out of service, identified by the typed DNI, delivered when the
    /// central is back (`POST /v1/offline-requests`); `filed_at` is when the customer filed it, so the
    /// deadline runs from that day.
    FileOfflineRequest {
        kind: RequestKind,
        dni: Dni,
        filed_at: chrono::DateTime<chrono::Utc>,
    },
    AnswerEnrollment {
        enrollment_id: String,
        answers: EnrollmentAnswers,
    },
    /// The new clave and the OTP code travel in [`Credentials`].
    SetClave {
        enrollment_id: String,
    },
    /// Render `document` (receipts crate) and send it with `POST /v1/emails`.
    EmailDocument {
        to: String,
        document: crate::effect::Document,
    },
}

/// Secrets that accompany a command in memory only. The outbox must not persist them: after a crash the
/// command is resent without them and the central refuses it, which is the safe outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub otp: Option<SecretDigits>,
    pub new_clave: Option<SecretDigits>,
}

/// A successful answer, carrying the contract's body.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    SessionOpened(SessionOpened),
    Accounts(Vec<Account>),
    Movements(Vec<Movement>),
    Loans(Vec<Loan>),
    Quote(PaymentQuote),
    PaymentDone(PaymentDone),
    OtpSent(OtpSent),
    Affiliation(AffiliationConstancia),
    NoDebt(NoDebtCertificate),
    RequestFiled(RequestTicket),
    EnrollmentStarted(EnrollmentStarted),
    EnrollmentVerified(EnrollmentVerified),
    ClaveSet(EnrollmentCompleted),
    Reversed(ReversalDone),
    /// The payment's reversal is stored and will be sent until the central acknowledges it: no charge
    /// stands.
    ReversalStored,
    /// The kiosk did not send the payment: a reversal of an earlier payment on the same loan or account
    /// still waits for the central's acknowledgement.
    PaymentHeld,
    /// A command was accepted with nothing to show (an email queued, an offline request stored).
    Accepted,
}

/// Why a query or command did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The central answered with a problem (a final business answer, or a transient code).
    Refused(Problem),
    /// No answer: network down, timeout, TLS failure, or the interactive time ran out.
    NoAnswer,
}

impl Failure {
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Refused(problem) => Some(problem.code),
            Self::NoAnswer => None,
        }
    }

    pub fn attempts_left(&self) -> Option<u32> {
        match self {
            Self::Refused(problem) => problem.attempts_left,
            Self::NoAnswer => None,
        }
    }

    /// Whether the outcome of a state-changing command is unknown (no answer, or a transient failure the
    /// central may still have applied).
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Refused(problem) => problem.code.is_transient(),
            Self::NoAnswer => true,
        }
    }
}

impl From<Problem> for Failure {
    fn from(problem: Problem) -> Self {
        Self::Refused(problem)
    }
}

/// Answer to one query or command.
pub type Answer = Result<Reply, Failure>;
