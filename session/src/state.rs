//! The session's screens as nested enums, one per flow: what the UI shows and what the customer may do
//! next. Secrets are not in here (the session keeps them apart and zeroizes them); screens hold counts
//! of typed digits so the UI can draw dots.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use servicaja_core::money::Money;

use crate::contract::{
    Account, AffiliationConstancia, AffiliationOperation, EnrollmentQuestion, ErrorCode, Loan, Movement,
    NoDebtCertificate, OtpSent, PaymentDone, PaymentOption, PaymentQuote, RequestKind, RequestTicket,
};
use crate::effect::Document;
use crate::event::{Device, DeviceStatus, InfoTopic, RequestId};
use crate::keypad::ShuffledKeypad;
use crate::secret::{CardNumberError, DniError};
use servicaja_core::disclosures::{BfhAnswer, BondAnswer, DeductibleAnswer, OutOfRange};
use servicaja_core::money::KeypadAmountError;

#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// The caja's name, what the kiosk does, "Deslice su tarjeta".
    Attract,
    /// The host or a device the kiosk cannot work without is down. Información and offline requests remain.
    OutOfService {
        reasons: Vec<OutOfServiceReason>,
    },
    Identify(Identify),
    Menu,
    Balances(Balances),
    Payment(Payment),
    Internet(Internet),
    Certificates(Certificates),
    Requests(Requests),
    Enrollment(Enrollment),
    Information(Information),
    /// Delivery of a receipt or constancia: print / email / both / none, with fall-backs.
    Delivery(Delivery),
    /// A message the customer acknowledges with Confirm; then `then`.
    Notice {
        notice: Notice,
        then: Then,
    },
}

/// Where a notice, a delivery or Back leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Then {
    Menu,
    /// At the end of an operation: "¿Desea realizar otra operación?" — Sí (Confirm) leads to the menu, No
    /// (Back) ends the session the normal way.
    Another,
    /// The attract (or out-of-service) screen without ending anything: used before identification.
    Start,
    /// End the session (zeroize) and return to the attract screen.
    End,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OutOfServiceReason {
    HostUnreachable,
    Device {
        device: Device,
        status: DeviceStatus,
    },
    /// A technician switched the kiosk off, saying why (shown to customers).
    SwitchedOff(SwitchOffReason),
    /// A technician or staff member is using the maintenance mode.
    Maintenance,
    /// The kiosk cannot record operations safely (technician reason: disk).
    Storage(StorageProblem),
}

/// Why the kiosk's storage cannot take another operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StorageProblem {
    /// A write to the outbox or the journal failed (full disk, I/O error): a technician must look.
    WriteFailed,
    /// Free space is below the configured reserve: no operation is started.
    LowSpace,
}

/// Why a technician took the kiosk out of service: what the customers read on the out-of-service screen.
/// The fixed reasons are worded (and translated) by the UI; a typed one is shown as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "reason", content = "text")]
pub enum SwitchOffReason {
    /// Scheduled maintenance.
    Maintenance,
    PrinterFault,
    ConnectionFault,
    /// Typed by the technician on the on-screen keyboard (see [`SwitchOffReason::typed`]).
    Other(String),
}

impl SwitchOffReason {
    /// The longest typed reason, in characters: one or two lines on the customer's screen.
    pub const MAX_TYPED: usize = 80;

    /// A typed reason: control characters dropped, spaces trimmed and cut to [`Self::MAX_TYPED`] characters;
    /// `None` when nothing is left to show.
    pub fn typed(text: &str) -> Option<Self> {
        let cleaned: String = text.chars().filter(|c| !c.is_control()).collect();
        let kept: String = cleaned.trim().chars().take(Self::MAX_TYPED).collect();
        let kept = kept.trim_end();
        (!kept.is_empty()).then(|| Self::Other(kept.to_owned()))
    }
}

/// Messages shown on a notice screen; the UI owns the wording (es-PE source strings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notice {
    /// "Su tarjeta está bloqueada. Acérquese a ventanilla."
    CardLocked,
    /// "Operación no realizada, no se realizó ningún cargo."
    PaymentNotDone,
    /// The kiosk could not record the payment's outcome (its storage failed): nothing is claimed; the
    /// customer is sent to the counter, where staff reconcile it with the central.
    PaymentUnconfirmed,
    /// A reversal of an earlier payment on this loan or account still waits for the central's
    /// acknowledgement: the kiosk takes no payment on them until it arrives (reversals go first).
    ReversalPending,
    /// The central refused an operation; the code selects the text, the message is the central's.
    Refused { code: ErrorCode, message: String },
    /// "El servicio no está disponible en este momento; intente más tarde."
    ServiceUnavailable,
    /// "Su sesión expiró."
    SessionExpired,
    /// A needed device failed in the middle of the flow.
    DeviceFailed(Device),
    /// "No recibimos confirmación; la constancia llegará a su correo registrado si la operación se realizó."
    NotConfirmed,
    /// "Su solicitud se enviará cuando el sistema esté disponible."
    RequestQueued { kind: RequestKind },
    /// R12: "Registro bloqueado, acérquese a ventanilla."
    EnrollmentBlocked,
    /// "Su clave fue creada."
    ClaveCreated,
    /// "Debe pagar primero sus cuotas vencidas." (R6)
    OverdueFirst,
    /// R10: not every loan is cancelled; specific ones can be chosen.
    NotAllLoansCancelled,
    /// R2: one affiliated account at a time; disaffiliate first. `account` is the affiliated account's number as
    /// the central gives it, when the kiosk knows it (not when the central itself refused the affiliation).
    AlreadyAffiliated { account: Option<String> },
    /// No account qualifies for internet purchases (R2).
    NoAffiliableAccount,
    /// Nothing to disaffiliate.
    NothingAffiliated,
    /// Document delivered; `emailed_to` set when sent by email.
    Delivered { printed: bool, emailed_to: Option<String> },
}

/// R1 identification (and the first two steps of clave enrollment, `purpose`).
#[derive(Debug, Clone, PartialEq)]
pub struct Identify {
    pub purpose: Purpose,
    pub step: IdentifyStep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Purpose {
    Login,
    Enrollment,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IdentifyStep {
    /// Swipe the card, or (when configured) type it: `typed` digits so far, shown masked.
    Card {
        keyed: bool,
        typed: usize,
        error: Option<InputError>,
    },
    /// Show the DNI, or type its 8 digits and check character (`typed`, shown as typed).
    Dni {
        masked_card: String,
        keyed: bool,
        typed: String,
        error: Option<InputError>,
    },
    /// Six digits on a shuffled keypad, shown as `entered` dots.
    Clave {
        masked_card: String,
        keypad: ShuffledKeypad,
        entered: usize,
        attempts_left: Option<u32>,
    },
    Verifying {
        request: RequestId,
    },
}

/// Why typed or read input was refused; the UI shows the matching text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    InvalidCard,
    CardNumber(CardNumberError),
    InvalidDocument,
    Dni(DniError),
    /// The DNI does not belong to the card's holder.
    IdentityMismatch,
    ReaderUnavailable,
    Amount(AmountError),
    InvalidEmail,
    /// The two new claves differ.
    ClavesDiffer,
    /// A clave like 111111 or 123456 is refused.
    WeakClave,
    OtpInvalid {
        attempts_left: Option<u32>,
    },
    OtpExpired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountError {
    /// What was typed is not an amount (core's keypad parser says why).
    Keypad(KeypadAmountError),
    Zero,
    /// Above the kiosk's per-operation limit (R9).
    AboveLimit(Money),
    /// Above the loan's outstanding principal: use Cancelación total.
    AboveOutstanding(Money),
    /// Below the smallest amount the option takes (R7: a prepayment is more than two installments' worth).
    BelowMinimum(Money),
    /// Above the largest amount the option takes (the payoff is Cancelación total).
    AboveMaximum(Money),
    /// The central refused the amount for this option (R7 `amount_invalid`) or the channel (R9
    /// `limit_exceeded`); `message` is its Spanish explanation.
    Refused {
        code: ErrorCode,
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Balances {
    Loading { request: RequestId },
    Accounts { accounts: Vec<Account> },
    LoadingMovements { request: RequestId, accounts: Vec<Account>, account: Account },
    Movements { accounts: Vec<Account>, account: Account, movements: Vec<Movement> },
}

/// Loan payment (R5–R9).
#[derive(Debug, Clone, PartialEq)]
pub enum Payment {
    LoadingLoans {
        request: RequestId,
    },
    Loans {
        loans: Vec<Loan>,
    },
    /// R8: the reason and where to pay.
    NotPayable {
        loans: Vec<Loan>,
        loan: Loan,
    },
    /// Due and overdue installments with the options, each with whether it is possible now (R6).
    Loan {
        loans: Vec<Loan>,
        loan: Loan,
        options: Vec<(PaymentOption, bool)>,
    },
    /// The advance: one or two installments, each with what it costs (`choices`, from the loan's terms).
    Installments {
        order: Order,
        choices: Vec<Money>,
    },
    /// A typed amount (partial prepayments), within the option's range when the central gave one.
    Amount {
        order: Order,
        typed: String,
        error: Option<InputError>,
    },
    LoadingAccounts {
        request: RequestId,
        order: Order,
    },
    Accounts {
        order: Order,
        accounts: Vec<Account>,
    },
    Quoting {
        request: RequestId,
        order: Order,
        accounts: Vec<Account>,
    },
    /// Summary with the exchange rate and both amounts when currencies differ; Confirm pays.
    Summary {
        order: Order,
        quote: PaymentQuote,
        accounts: Vec<Account>,
    },
    /// Progress indicator; `deadline` is when the kiosk stops waiting for the central and settles the
    /// payment in its outbox (`settling`: the request that asked for it) — the answer stored meanwhile, or
    /// its reversal. The customer is told only what the outbox decided.
    Processing {
        key: RequestId,
        order: Order,
        accounts: Vec<Account>,
        quote: PaymentQuote,
        started: DateTime<Utc>,
        deadline: DateTime<Utc>,
        settling: Option<RequestId>,
    },
    /// `context`: what the receipt says beside the answer (the loan and account as they were chosen).
    Done {
        payment: PaymentDone,
        context: crate::effect::PaymentContext,
    },
    /// The central refused the quote or the payment (insufficient balance, inactive account, limit…): the
    /// customer reads why and goes back to the account choice (Confirm) or to the menu (Back).
    Refused {
        order: Order,
        accounts: Vec<Account>,
        code: ErrorCode,
        message: String,
    },
}

/// What the customer has chosen so far in the payment flow.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub loans: Vec<Loan>,
    pub loan: Loan,
    pub option: PaymentOption,
    pub amount: Option<Money>,
}

impl Order {
    /// What the option charges, in the loan's currency: the chosen or typed amount, or the option's fixed
    /// amount from the loan's terms; `None` when the central gave no terms.
    pub fn charge(&self) -> Option<Money> {
        self.amount.or_else(|| self.loan.terms(self.option).and_then(|t| t.amount))
    }

    /// What paying this order debits from `account`, and whether its balance covers it (R5: at the day's
    /// rate when the currencies differ). `None` when the charge or the rate is unknown: the central decides.
    pub fn debit_from(&self, account: &Account) -> Option<(Money, bool)> {
        let debit = self.loan.debit_from(self.charge()?, account)?;
        Some((debit, account.balance.amount >= debit.amount))
    }
}

/// Compras por Internet (R2–R4).
#[derive(Debug, Clone, PartialEq)]
pub enum Internet {
    Loading {
        request: RequestId,
    },
    /// Afiliación / Desafiliación; `affiliated` is the account currently affiliated, if any.
    Menu {
        accounts: Vec<Account>,
        affiliated: Option<Account>,
    },
    /// R2: Afiliación while `account` is affiliated: one account at a time; Desafiliar goes to its
    /// disaffiliation, Aceptar back to the menu of Compras por Internet.
    AlreadyAffiliated {
        accounts: Vec<Account>,
        account: Account,
    },
    /// Only active, individual-signature accounts (R2).
    ChooseAccount {
        accounts: Vec<Account>,
        eligible: Vec<Account>,
        selected: Option<usize>,
    },
    /// The explicit tick (R3).
    Consent {
        accounts: Vec<Account>,
        account: Account,
        ticked: bool,
    },
    RequestingCode {
        request: RequestId,
        operation: AffiliationOperation,
        account: Account,
    },
    Code {
        operation: AffiliationOperation,
        account: Account,
        entry: CodeEntry,
    },
    Processing {
        key: RequestId,
        operation: AffiliationOperation,
        account: Account,
        entry: CodeEntry,
    },
    Done {
        constancia: AffiliationConstancia,
    },
}

/// SMS code entry: masked phone, dots, resend after a wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    /// The central's id of the code that was sent (not secret).
    pub otp_id: String,
    pub masked_phone: String,
    /// Whether this flow can ask for a new code at all.
    pub resend_possible: bool,
    /// How long the code is valid, in whole minutes from when it was sent (the central's `expires_at`).
    pub valid_minutes: i64,
    pub entered: usize,
    pub resend_at: DateTime<Utc>,
    pub resend_allowed: bool,
    pub error: Option<InputError>,
    /// A resend is in flight (the request id of the OTP query).
    pub resending: Option<RequestId>,
}

impl CodeEntry {
    /// Seconds until "Reenviar código" may be touched (0 once allowed); `None` when it never can.
    pub fn resend_seconds_left(&self, now: DateTime<Utc>) -> Option<i64> {
        if !self.resend_possible {
            None
        } else if self.resend_allowed {
            Some(0)
        } else {
            Some((self.resend_at - now).num_seconds().max(0))
        }
    }
}

/// Constancia de no adeudo (R10).
#[derive(Debug, Clone, PartialEq)]
pub enum Certificates {
    Loading {
        request: RequestId,
    },
    /// Cancelled loans can be ticked; "Todos mis créditos" when every loan is cancelled. `refused`: the
    /// central refused the last constancia asked for (its code and message); the customer chooses again.
    Choose {
        loans: Vec<Loan>,
        selected: Vec<bool>,
        refused: Option<(ErrorCode, String)>,
    },
    /// `loans` and `selected`: the choice to return to when the central refuses.
    Processing {
        key: RequestId,
        loans: Vec<Loan>,
        selected: Vec<bool>,
    },
    Done {
        certificate: NoDebtCertificate,
    },
}

/// Requests (R11): choose, confirm, ticket with deadline. Offline (out of service): type the DNI and the
/// request is queued.
#[derive(Debug, Clone, PartialEq)]
pub enum Requests {
    Choose {
        offline: bool,
    },
    Dni {
        kind: RequestKind,
        typed: String,
        error: Option<InputError>,
    },
    /// The customer may type what the request is about (`detail`, at most [`REQUEST_DETAIL_MAX`] characters)
    /// on the on-screen keyboard before confirming.
    Confirm {
        kind: RequestKind,
        detail: String,
    },
    Processing {
        key: RequestId,
        kind: RequestKind,
    },
    Filed {
        ticket: RequestTicket,
    },
}

/// How many characters a request's detail may hold when typed at the kiosk (the central takes up to 500; a
/// touch keyboard makes a short note, and the screen shows it whole).
pub const REQUEST_DETAIL_MAX: usize = 200;

/// Clave enrollment after card + DNI (R12).
#[derive(Debug, Clone, PartialEq)]
pub enum Enrollment {
    Starting {
        request: RequestId,
        masked_card: String,
    },
    Questions {
        enrollment_id: String,
        questions: Vec<EnrollmentQuestion>,
        answers: Vec<Option<usize>>,
        current: usize,
        attempts_left: Option<u32>,
    },
    Checking {
        key: RequestId,
        enrollment_id: String,
        questions: Vec<EnrollmentQuestion>,
        attempts_left: Option<u32>,
    },
    /// New clave typed twice on a shuffled keypad; the SMS code was sent when the answers passed.
    NewClave {
        enrollment_id: String,
        otp: OtpSent,
        keypad: ShuffledKeypad,
        confirming: bool,
        entered: usize,
        error: Option<InputError>,
    },
    Code {
        enrollment_id: String,
        entry: CodeEntry,
    },
    Setting {
        key: RequestId,
        enrollment_id: String,
        entry: CodeEntry,
    },
}

/// Información (R13). Tables are drawn by the UI from `servicaja_core::disclosures`; calculators take a
/// typed value and show core's lookup (`result` is `None` when no tables were configured).
#[derive(Debug, Clone, PartialEq)]
pub enum Information {
    Topics,
    Table(InfoTopic),
    Calculator {
        topic: InfoTopic,
        typed: String,
        value: Option<Money>,
        result: Option<Lookup>,
        error: Option<InputError>,
    },
}

/// What a calculator found in the disclosure tables; an `Err` carries the customer-facing reason.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// BBP and, for a sustainable house, BMS.
    MiVivienda {
        bbp: Result<BondAnswer, OutOfRange>,
        bms: Result<BondAnswer, OutOfRange>,
    },
    TechoPropio {
        unifamiliar: Result<BfhAnswer, OutOfRange>,
        multifamiliar: Result<BfhAnswer, OutOfRange>,
    },
    Deductible(Result<DeductibleAnswer, OutOfRange>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub document: Document,
    pub stage: DeliveryStage,
    pub printed: bool,
    pub emailed_to: Option<String>,
    /// Whether the printer could print when this screen opened (paper and status); when not, printing is
    /// not offered and email or the QR are.
    pub printer_ready: bool,
    pub then: Then,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryStage {
    Choose,
    Printing {
        job: uuid::Uuid,
        then_email: bool,
    },
    /// The printer ran out of paper or failed: email or QR offered, the operation stands.
    PrinterFailed,
    /// The registered e-mail address offered in one tap (`masked`, as shown: j***@gmail.com), or "Otro
    /// correo" to type another.
    EmailChoice {
        masked: String,
    },
    Email {
        typed: String,
        error: Option<InputError>,
    },
    /// The QR code is being made (the same payload as the printed receipt's QR).
    PreparingQr {
        job: uuid::Uuid,
    },
    Qr {
        payload: String,
    },
}
