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

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::{Currency, Money};

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

    /// Fills one `{name}` path parameter.
    pub fn fill(template: &str, name: &str, value: &str) -> String {
        template.replace(&format!("{{{name}}}"), value)
    }
}

// ---------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------

/// Stable machine codes of every error the central API answers. The kiosk decides on these, never on the
/// message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body or a parameter is malformed.
    InvalidRequest,
    /// A state-changing request came without an `Idempotency-Key`.
    IdempotencyKeyRequired,
    /// The key was already used with a different request.
    IdempotencyConflict,
    /// Card number and DNI do not belong together, or the card is unknown.
    CardNotRecognized,
    /// Wrong clave; `attempts_left` says how many remain before the card locks.
    ClaveInvalid,
    /// The card is locked after three wrong claves; the customer must go to a counter.
    CardLocked,
    /// The clave is not exactly six digits.
    ClaveFormat,
    /// No bearer token was sent, or it is unknown.
    SessionRequired,
    /// The session token expired after five idle minutes.
    SessionExpired,
    /// The account, loan, enrollment or operation does not exist or is not the customer's.
    NotFound,
    /// The account is not active.
    AccountInactive,
    /// Only accounts with individual signature can be affiliated (R2).
    NotIndividualSignature,
    /// Another account is already affiliated; disaffiliate it first (R2).
    AlreadyAffiliated,
    /// There is no affiliated account to disaffiliate.
    NotAffiliated,
    /// Disaffiliation needs the explicit confirmation tick (R3).
    ConfirmationRequired,
    /// Wrong SMS code; `attempts_left` says how many remain.
    OtpInvalid,
    /// The SMS code is older than five minutes.
    OtpExpired,
    /// The SMS code was entered wrong three times, or was already used.
    OtpExhausted,
    /// The account balance does not cover the debit.
    InsufficientFunds,
    /// The amount exceeds the kiosk channel's per-operation limit (R9).
    LimitExceeded,
    /// The loan's product type cannot be paid at the kiosk (R8).
    LoanNotPayableHere,
    /// Overdue installments must be paid before an advance or prepayment (R6).
    OverdueFirst,
    /// The amount does not fit the chosen payment option (R7).
    AmountInvalid,
    /// The loan has nothing left to pay.
    LoanCancelled,
    /// The quoted debit no longer matches (exchange rate or loan state changed); quote again.
    QuoteChanged,
    /// The operation was reversed (possibly before it arrived); it will not be applied.
    Reversed,
    /// The payment cannot be reversed automatically because the loan moved on since (a later payment);
    /// the agency must handle it.
    ReversalNotPossible,
    /// Some of the asked loans are not cancelled (R10).
    LoansNotCancelled,
    /// The customer has no cancelled loans to certify (R10).
    NoCancelledLoans,
    /// Wrong answers to the identity questions; `attempts_left` says how many rounds remain (R12).
    EnrollmentAnswersWrong,
    /// Enrollment blocked after three failed rounds; the customer must go to a counter (R12).
    EnrollmentBlocked,
    /// The enrollment step was called out of order (answers not verified yet, or already finished).
    EnrollmentState,
    /// A fault injected on purpose by the simulator (tests and demos).
    FaultInjected,
    /// The endpoint does not exist (or is only available in demo mode).
    RouteNotFound,
    /// An unexpected failure inside the central API; nothing was applied.
    Internal,
}

impl ErrorCode {
    /// The HTTP status the code travels with.
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            InvalidRequest | IdempotencyKeyRequired | ClaveFormat | AmountInvalid => 400,
            SessionRequired | SessionExpired | CardNotRecognized | ClaveInvalid => 401,
            CardLocked | EnrollmentBlocked => 403,
            NotFound | RouteNotFound => 404,
            IdempotencyConflict | AlreadyAffiliated | NotAffiliated | Reversed | ReversalNotPossible
            | EnrollmentState | QuoteChanged | LoanCancelled => 409,
            AccountInactive
            | NotIndividualSignature
            | ConfirmationRequired
            | OtpInvalid
            | OtpExpired
            | OtpExhausted
            | InsufficientFunds
            | LimitExceeded
            | LoanNotPayableHere
            | OverdueFirst
            | LoansNotCancelled
            | NoCancelledLoans
            | EnrollmentAnswersWrong => 422,
            FaultInjected => 503,
            Internal => 500,
        }
    }

    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            InvalidRequest => "invalid_request",
            IdempotencyKeyRequired => "idempotency_key_required",
            IdempotencyConflict => "idempotency_conflict",
            CardNotRecognized => "card_not_recognized",
            ClaveInvalid => "clave_invalid",
            CardLocked => "card_locked",
            ClaveFormat => "clave_format",
            SessionRequired => "session_required",
            SessionExpired => "session_expired",
            NotFound => "not_found",
            AccountInactive => "account_inactive",
            NotIndividualSignature => "not_individual_signature",
            AlreadyAffiliated => "already_affiliated",
            NotAffiliated => "not_affiliated",
            ConfirmationRequired => "confirmation_required",
            OtpInvalid => "otp_invalid",
            OtpExpired => "otp_expired",
            OtpExhausted => "otp_exhausted",
            InsufficientFunds => "insufficient_funds",
            LimitExceeded => "limit_exceeded",
            LoanNotPayableHere => "loan_not_payable_here",
            OverdueFirst => "overdue_first",
            AmountInvalid => "amount_invalid",
            LoanCancelled => "loan_cancelled",
            QuoteChanged => "quote_changed",
            Reversed => "reversed",
            ReversalNotPossible => "reversal_not_possible",
            LoansNotCancelled => "loans_not_cancelled",
            NoCancelledLoans => "no_cancelled_loans",
            EnrollmentAnswersWrong => "enrollment_answers_wrong",
            EnrollmentBlocked => "enrollment_blocked",
            EnrollmentState => "enrollment_state",
            FaultInjected => "fault_injected",
            RouteNotFound => "route_not_found",
            Internal => "internal",
        }
    }

    /// Whether the same request may succeed if sent again later unchanged (the kiosk's queue retries
    /// these; every other code is a final answer).
    pub fn is_transient(self) -> bool {
        matches!(self, ErrorCode::FaultInjected | ErrorCode::Internal)
    }

    /// Every code, for documentation and exhaustive tests.
    pub const ALL: [ErrorCode; 35] = {
        use ErrorCode::*;
        [
            InvalidRequest,
            IdempotencyKeyRequired,
            IdempotencyConflict,
            CardNotRecognized,
            ClaveInvalid,
            CardLocked,
            ClaveFormat,
            SessionRequired,
            SessionExpired,
            NotFound,
            AccountInactive,
            NotIndividualSignature,
            AlreadyAffiliated,
            NotAffiliated,
            ConfirmationRequired,
            OtpInvalid,
            OtpExpired,
            OtpExhausted,
            InsufficientFunds,
            LimitExceeded,
            LoanNotPayableHere,
            OverdueFirst,
            AmountInvalid,
            LoanCancelled,
            QuoteChanged,
            Reversed,
            ReversalNotPossible,
            LoansNotCancelled,
            NoCancelledLoans,
            EnrollmentAnswersWrong,
            EnrollmentBlocked,
            EnrollmentState,
            FaultInjected,
            RouteNotFound,
            Internal,
        ]
    };
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

// ---------------------------------------------------------------------------------------------------------
// Health and session
// ---------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// `"ok"` when the API and its database answer.
    pub status: String,
    pub version: String,
    pub server_time: DateTime<Utc>,
    /// True when the answering side is the simulator in demo mode.
    pub demo: bool,
}

/// R1: full card number, the holder's DNI and the 6-digit clave. Never logged or stored by the kiosk.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSessionRequest {
    pub card_number: String,
    pub dni: String,
    pub clave: String,
}

impl std::fmt::Debug for OpenSessionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSessionRequest").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionOpened {
    pub token: String,
    /// Seconds of inactivity after which the token stops working.
    pub idle_timeout_seconds: i64,
    pub profile: Profile,
}

/// What the kiosk may show about the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub customer_id: String,
    /// Name as printed on constancias ("JESUS").
    pub name: String,
    /// Registered phone, masked as the caja shows it: `95*****480`.
    pub masked_phone: String,
    /// Registered e-mail address.
    pub email: String,
    /// Card masked for screens: `**** **** **** 1234`.
    pub masked_card: String,
}

// ---------------------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Inactive,
    Blocked,
}

/// Signature type of an account: only individual ones may be affiliated (R2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureType {
    Individual,
    Joint,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    /// Account number as the caja prints it ("00121110").
    pub number: String,
    /// Type and currency as the caja names it ("CTA.AHORRO PN SOLES").
    pub product_name: String,
    pub currency: Currency,
    pub balance: Money,
    pub status: AccountStatus,
    pub signature: SignatureType,
    /// Whether this account is the one affiliated to internet purchases.
    pub internet_purchases: bool,
    /// Funds the customer may not draw on at will (an intangible AFP deposit): never debited at the kiosk
    /// nor affiliated to internet purchases.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub restricted: bool,
}

impl Account {
    /// Whether the customer may debit this account alone, at the kiosk: active, individual signature (a
    /// joint account needs every holder) and not restricted (R2, and the payment's debit account). The one
    /// place that says which accounts a payment or an affiliation may use.
    pub fn debitable_alone(&self) -> bool {
        self.status == AccountStatus::Active && self.signature == SignatureType::Individual && !self.restricted
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Movement {
    pub id: String,
    pub at: DateTime<Utc>,
    /// Spanish description ("PAGO CUOTA CRÉDITO 00340001", "EXTORNO PAGO CRÉDITO …").
    pub description: String,
    /// Signed: debits are negative.
    pub amount: Money,
    pub balance_after: Money,
}

// ---------------------------------------------------------------------------------------------------------
// Loans and payments
// ---------------------------------------------------------------------------------------------------------

/// Loan product types as the caja names them; R8's channel exclusions are configured per type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanProductType {
    Consumo,
    Pyme,
    Hipotecario,
    MiVivienda,
    Agricola,
    AgricolaNoMensual,
    Pignoraticio,
    ConvenioConsumo,
    Plus,
    ConPeriodoDeGracia,
    Castigado,
    Judicial,
    Rfa,
    Pfe,
    Leasing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanStatus {
    /// Vigente: installments pending.
    Current,
    /// Cancelado: fully paid.
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallmentStatus {
    Paid,
    /// Due date passed by at least one day (R6).
    Overdue,
    /// The installment payable in the current period (cuota exigible).
    Due,
    Pending,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Installment {
    pub number: u32,
    pub due_date: NaiveDate,
    pub principal: Money,
    pub interest: Money,
    /// Desgravamen premium.
    pub insurance: Money,
    /// Moratorium interest accrued to today when overdue.
    pub moratorium: Money,
    /// Principal + interest + insurance (+ moratorium when overdue).
    pub total: Money,
    /// Amount still unpaid of `total`.
    pub outstanding: Money,
    pub status: InstallmentStatus,
    pub days_late: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loan {
    pub id: String,
    /// Loan number as the caja prints it.
    pub number: String,
    pub product_type: LoanProductType,
    /// Product name for screens ("CRÉDITO CONSUMO SOLES").
    pub product_name: String,
    pub currency: Currency,
    pub status: LoanStatus,
    pub disbursed: Money,
    pub outstanding_principal: Money,
    /// TEA, as a percentage ("24.50" means 24.50 %).
    pub annual_rate_percent: Decimal,
    pub installments_total: u32,
    pub installments_paid: u32,
    pub overdue_installments: u32,
    /// Sum still unpaid of the overdue installments.
    pub overdue_amount: Money,
    /// The installment payable now, if any.
    pub due_installment: Option<Installment>,
    /// R8: whether the kiosk channel may take payments for this loan.
    pub kiosk_payable: bool,
    /// Spanish reason when it may not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kiosk_refusal: Option<String>,
    /// What each payment option possible today charges (R6, R7), computed with the core's loan math — the
    /// figures the central's quote charges. Empty when the loan cannot be paid (cancelled, inconsistent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub option_terms: Vec<OptionTerms>,
    /// The caja's exchange rates the day the loan was read, for what a payment debits from an account in
    /// the other currency (R5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_rates: Option<ExchangeRates>,
}

impl Loan {
    /// The terms of `option`, when the central offers it today.
    pub fn terms(&self, option: PaymentOption) -> Option<&OptionTerms> {
        self.option_terms.iter().find(|t| t.option == option)
    }

    /// What paying now costs: the due installment with the overdue ones and their moratorium.
    pub fn due_now(&self) -> Option<Money> {
        self.terms(PaymentOption::DueInstallment).and_then(|t| t.amount)
    }

    /// What paying `amount` of this loan debits from `account`: the same amount in the loan's currency, or
    /// its conversion at the day's rate (the conversion the central's quote applies, R5). `None` when the
    /// currencies differ and the rates are unknown.
    pub fn debit_from(&self, amount: Money, account: &Account) -> Option<Money> {
        if account.currency == amount.currency {
            return Some(amount);
        }
        let rates = self.exchange_rates.as_ref()?;
        let rate = crate::money::ExchangeRate { buy: rates.buy, sell: rates.sell };
        rate.convert_for_payment(amount, account.currency).ok().map(|c| c.debited)
    }
}

/// What one payment option charges today (R6, R7). Options with one amount (the due installment, the total)
/// carry `amount`; the advance offers whole installments (`installments`: one installment, then two); a
/// partial prepayment takes a typed amount within `range`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionTerms {
    pub option: PaymentOption,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Advance: what paying 1 and 2 installments costs, in that order (fewer when the loan ends sooner).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub installments: Vec<Money>,
    /// Partial prepayments: the smallest and the largest amount accepted, both included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<AmountRange>,
}

/// An inclusive range of amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountRange {
    pub min: Money,
    pub max: Money,
}

impl AmountRange {
    pub fn contains(&self, amount: Money) -> bool {
        amount.currency == self.min.currency && self.min.amount <= amount.amount && amount.amount <= self.max.amount
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoanSchedule {
    pub loan_id: String,
    pub currency: Currency,
    pub installments: Vec<Installment>,
}

/// What the customer chose to pay (R6, R7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentOption {
    /// Overdue installments plus the installment due now.
    DueInstallment,
    /// Up to two installments' worth (incl. the due one), applied to the next installments; no new schedule.
    Advance,
    /// More than two installments' worth applied to principal; keeps the term, lowers the installment.
    PrepaymentReduceAmount,
    /// More than two installments' worth applied to principal; keeps the installment, shortens the term.
    PrepaymentReduceCount,
    /// Cancels the loan.
    Total,
}

/// Query of `GET /v1/loans/{loan_id}/quote`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteQuery {
    pub option: PaymentOption,
    pub debit_account_id: String,
    /// In the loan's currency; needed for advance and partial prepayment, ignored otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
}

/// The caja's exchange rates of the day, soles per dollar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangeRates {
    pub date: NaiveDate,
    /// Soles the caja pays for one dollar (customer sells USD).
    pub buy: Decimal,
    /// Soles the caja charges for one dollar (customer buys USD).
    pub sell: Decimal,
}

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

// ---------------------------------------------------------------------------------------------------------
// OTP, affiliation (R2–R4)
// ---------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------
// No-debt certificate (R10), requests (R11), e-mail
// ---------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------
// Clave enrollment (R12)
// ---------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartEnrollmentRequest {
    pub card_number: String,
    pub dni: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentQuestion {
    pub id: String,
    pub text: String,
    /// One of them is right; "Sin asignar" can be the right one.
    pub options: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentStarted {
    pub enrollment_id: String,
    pub questions: Vec<EnrollmentQuestion>,
    pub attempts_left: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentAnswer {
    pub question_id: String,
    /// Index into the question's options.
    pub option: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentAnswers {
    pub answers: Vec<EnrollmentAnswer>,
}

/// Answers were right: an SMS code went to the registered phone to confirm the new clave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollmentVerified {
    pub enrollment_id: String,
    pub otp: OtpSent,
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetClaveRequest {
    pub new_clave: String,
    pub otp_code: String,
}

impl std::fmt::Debug for SetClaveRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetClaveRequest").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrollmentCompleted {
    pub enrollment_id: String,
    pub at: DateTime<Utc>,
}

// ---------------------------------------------------------------------------------------------------------
// Demo outbox
// ---------------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxChannel {
    Sms,
    Email,
}

/// An SMS or e-mail the simulator "sent" (demo mode only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: String,
    pub channel: OutboxChannel,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

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

    #[test]
    fn secrets_are_not_in_debug_output() {
        let request =
            OpenSessionRequest { card_number: "4111111111111111".into(), dni: "1".into(), clave: "123456".into() };
        let shown = format!("{request:?}");
        assert!(!shown.contains("4111") && !shown.contains("123456"));
    }

    #[test]
    fn a_debit_from_another_currency_uses_the_days_rate_as_the_quote_does() {
        let rates = ExchangeRates {
            date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            buy: "3.720".parse().unwrap(),
            sell: "3.780".parse().unwrap(),
        };
        let account = |currency| Account {
            id: "A".into(),
            number: "1".into(),
            product_name: "CTA".into(),
            currency,
            balance: Money::new(Decimal::ONE_HUNDRED, currency),
            status: AccountStatus::Active,
            signature: SignatureType::Individual,
            internet_purchases: false,
            restricted: false,
        };
        let loan: Loan = serde_json::from_value(serde_json::json!({
            "id": "L", "number": "1", "product_type": "consumo", "product_name": "C", "currency": "PEN",
            "status": "current", "disbursed": {"amount": "1000", "currency": "PEN"},
            "outstanding_principal": {"amount": "1000", "currency": "PEN"}, "annual_rate_percent": "20",
            "installments_total": 12, "installments_paid": 1, "overdue_installments": 0,
            "overdue_amount": {"amount": "0", "currency": "PEN"}, "due_installment": null, "kiosk_payable": true,
        }))
        .unwrap();
        let owed = Money::pen(Decimal::new(37200, 2));
        assert_eq!(loan.debit_from(owed, &account(Currency::PEN)), Some(owed), "same currency");
        assert_eq!(loan.debit_from(owed, &account(Currency::USD)), None, "no rates: unknown");
        let loan = Loan { exchange_rates: Some(rates), ..loan };
        assert_eq!(loan.debit_from(owed, &account(Currency::USD)), Some(Money::usd(Decimal::ONE_HUNDRED)));
        let mut restricted = account(Currency::PEN);
        assert!(restricted.debitable_alone());
        restricted.restricted = true;
        assert!(!restricted.debitable_alone());
        let range = AmountRange { min: Money::pen(Decimal::ONE), max: Money::pen(Decimal::TEN) };
        assert!(range.contains(Money::pen(Decimal::TEN)) && !range.contains(Money::usd(Decimal::TWO)));
    }

    #[test]
    fn path_parameters_are_filled() {
        assert_eq!(paths::fill(paths::PAYMENT_REVERSAL, "operation_id", "abc"), "/v1/payments/abc/reversal");
    }
}
