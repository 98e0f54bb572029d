//! What the session asks its shell to do, as values: talk to the central (reads directly, commands through
//! the outbox), print or show a document, start and cancel timers, journal, redraw, end the session.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use servicaja_core::money::{Currency, Money};
use uuid::Uuid;

use crate::contract::{
    Account, AffiliationConstancia, Command, Credentials, Movement, NoDebtCertificate, PaymentDone, Query,
    RequestTicket,
};
use crate::event::{RequestId, Timer};
use crate::secret::SessionToken;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Redraw: the screen, the overlay or the language changed. The UI reads [`crate::Session`]'s getters.
    Render,
    /// A read: send straight to the host client and answer with `Event::Central { request, .. }`.
    Query {
        request: RequestId,
        token: Option<SessionToken>,
        query: Query,
    },
    /// A command: write to the outbox with `key` as idempotency key before sending, then answer with
    /// `Event::Central { request: key, .. }`. `interactive` commands are awaited by the customer (the session
    /// runs the interactive timer); the others are delivered whenever the central is reachable and nobody
    /// waits. `credentials` are in memory only and must never be persisted.
    Submit {
        key: Uuid,
        token: Option<SessionToken>,
        command: Command,
        interactive: bool,
        credentials: Credentials,
    },
    /// Print a document; answer with `Event::Printed { job, .. }`.
    Print {
        job: Uuid,
        document: Document,
    },
    /// Make the QR code of a document, the very payload its printed copy carries (the printer has no
    /// paper: the customer takes the QR instead); answer with `Event::QrReady { job, .. }`.
    PrepareQr {
        job: Uuid,
        document: Document,
    },
    /// Arm (or re-arm) a timer; answer with `Event::TimerFired(timer)` at or after `at`.
    StartTimer {
        timer: Timer,
        at: DateTime<Utc>,
    },
    CancelTimer(Timer),
    /// Append to the electronic journal (masked data only, never a secret).
    Journal(JournalEntry),
    /// Audio mode: say this now, interrupting whatever is being said (`servicaja-speech` words the cue from
    /// the session's state).
    Speak(crate::audio::Cue),
    /// Audio mode: a key was pressed, stop speaking at once (speech is interruptible).
    StopSpeaking,
    /// The customer's session is over: drop the token and anything the shell cached for it. The session
    /// has already zeroized its own secrets.
    SessionEnded {
        reason: EndReason,
    },
}

/// The documents the kiosk prints, emails or shows as a QR, each complete: everything the customer reads on
/// it comes from the session, which had it from the central's answers. The shell adds only what the kiosk
/// itself knows (its header, the paper width, the QR's tie to the journal record) and lays it out with the
/// receipts crate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Document {
    PaymentReceipt {
        payment: PaymentDone,
        /// The card as the central masked it in the customer's profile.
        masked_card: String,
        customer_name: String,
        context: PaymentContext,
    },
    BalanceSlip {
        account: Account,
        movements: Vec<Movement>,
        masked_card: String,
        customer_name: String,
        at: DateTime<Utc>,
    },
    AffiliationConstancia(AffiliationConstancia),
    NoDebtCertificate(NoDebtCertificate),
    RequestTicket {
        ticket: RequestTicket,
        customer_name: String,
    },
}

impl Document {
    /// The number the customer quotes for the document's operation; `None` for a balance slip, which the
    /// shell numbers by its instant.
    pub fn operation_number(&self) -> Option<&str> {
        match self {
            Document::PaymentReceipt { payment, .. } => Some(&payment.operation_number),
            Document::BalanceSlip { .. } => None,
            Document::AffiliationConstancia(constancia) => Some(&constancia.operation_number),
            Document::NoDebtCertificate(certificate) => Some(&certificate.certificate_number),
            Document::RequestTicket { ticket, .. } => Some(&ticket.ticket_number),
        }
    }
}

/// What a payment's receipt says beside the central's answer: the loan and the debited account as the
/// customer chose them, before the payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentContext {
    /// The loan's product (`CRÉDITO CONSUMO`).
    pub loan_product: String,
    /// The installment due before the payment ("Cuota anterior" on a prepayment's constancia).
    pub installment_before: Option<Money>,
    /// How many installments were left before the payment.
    pub installments_left_before: Option<u32>,
    /// The debited account's type and currency as the caja names it (`CTA.AHORRO PN SOLES`).
    pub account_product_name: String,
    pub account_currency: Currency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndReason {
    /// The customer touched Terminar.
    Customer,
    /// The inactivity countdown ran out.
    Inactivity,
    /// The central expired or refused the session, or the card is locked.
    Refused,
    /// The session finished its course (notice acknowledged after an identification failure).
    Finished,
}

/// Journal records the session produces. Card numbers appear masked; no secret ever appears.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum JournalEntry {
    SessionStarted {
        masked_card: String,
    },
    Identified {
        masked_card: String,
    },
    IdentificationRefused {
        masked_card: String,
        code: String,
    },
    /// An operation's outcome. `document` is what a done operation owes the customer, as the central
    /// answered it: its number and amount head the record, and it is journaled (not printed) right behind,
    /// so staff can reprint it whatever the customer then does with it.
    Operation {
        key: Uuid,
        operation: String,
        outcome: String,
        document: Option<Box<Document>>,
    },
    PaymentReversed {
        original_key: Uuid,
        reversal_key: Uuid,
    },
    SessionEnded {
        reason: EndReason,
    },
}
