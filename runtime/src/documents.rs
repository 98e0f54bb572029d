//! The journal and the documents, on one thread that owns the journal: the session's journal entries
//! become hash-chained records (masked data only), every document the session hands over (complete: it
//! carries all the customer reads) is laid out with the receipts crate — under the kiosk's header, its QR
//! verification code derived from the hash of the journal record of its operation — and the text of every
//! printed document is journaled for staff reprints. One thread
//! keeps them in the order the session asked for them: an operation is journaled before its receipt is
//! laid out. Staff reprints run here too: they read the journal and append to it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender};

use chrono::{DateTime, Utc};
use servicaja_drivers::devices::PrinterHandle;
use servicaja_host::journal::Outcome;
use servicaja_host::{Journal, JournalEvent, MaskedCard, PaymentSettlement, SafeText, StoredCommand};
use servicaja_maintenance::{ReprintCriteria, Requester};
use servicaja_receipts::from_api::{self, PaymentContext, PaymentDocument};
use servicaja_receipts::templates::{self, AccountBalance, AccountRef, BalanceInquiry, Issue, MovementLine};
use servicaja_receipts::{Columns, Header, MaskedNumber, ReceiptError, layout, render};
use servicaja_session::{Document, EndReason, JournalEntry};
use tokio::sync::oneshot;
use uuid::Uuid;

use super::storage::StorageHealth;
use crate::paper::PaperStore;
use crate::reprint::{self, Candidate, ReprintError, Reprinted, Reprinter};

/// What a document is rendered for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    Printer,
    Email,
}

/// A document ready to go out.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub operation: String,
    pub title: String,
    /// The document as plain text (the e-mail's body).
    pub text: String,
    /// The document itself: the journal keeps it (as JSON), so that a staff reprint is laid out exactly
    /// like the original (styles, QR, the original issue time).
    pub document: Box<servicaja_receipts::Document>,
    /// ESC/POS bytes (printer) or a PDF file (e-mail).
    pub bytes: Vec<u8>,
}

pub enum Job {
    Journal(JournalEntry),
    Render {
        document: Document,
        medium: Medium,
        reply: oneshot::Sender<Result<Rendered, String>>,
    },
    /// A document came out of the printer: keep its text for reprints (`done` answers once it is written).
    Printed {
        rendered: Rendered,
        done: oneshot::Sender<()>,
    },
    /// A print job failed: keep its text marked not printed, so staff can reprint it, and say why.
    NotPrinted {
        rendered: Rendered,
        reason: String,
        done: oneshot::Sender<()>,
    },
    /// The customer's session is over.
    Forget,
    /// A payment's final outcome, read from the outbox (the authority on what the central did): journaled
    /// once as a settlement record; `done` answers whether it is in the journal.
    Settlement {
        settlement: Box<PaymentSettlement>,
        done: oneshot::Sender<bool>,
    },
    /// A payment a customer was waiting for when the kiosk stopped: reversed at start.
    Abandoned(Box<StoredCommand>),
    /// A technician's or staff member's entry, exit or action, with their id (maintenance mode).
    Maintenance(servicaja_maintenance::JournalEntry),
    /// A fleet command carried out, refused or failed, with its id and issuer; `done` answers once it is
    /// in the journal (before its acknowledgement leaves the kiosk).
    FleetCommand {
        at: DateTime<Utc>,
        event: JournalEvent,
        done: oneshot::Sender<bool>,
    },
    /// The journal's head (last sequence and hash) for a status report.
    FleetHead {
        reply: oneshot::Sender<Result<servicaja_host::JournalHead, String>>,
    },
    /// Records `from..=to` (at most `limit`) for a journal upload.
    FleetRecords {
        from: i64,
        to: i64,
        limit: usize,
        reply: oneshot::Sender<Result<Vec<servicaja_host::journal::JournalRecord>, String>>,
    },
    /// Staff reprints: searched, previewed and reprinted here, on the thread that owns the journal.
    ReprintSearch {
        criteria: ReprintCriteria,
        reply: ReprintReply<Vec<Candidate>>,
    },
    /// The document of a receipt record as it was printed, as text.
    ReprintPreview {
        seq: i64,
        reply: ReprintReply<String>,
    },
    /// Prints record `seq` marked DUPLICADO on `printer` and journals the reprint (nothing when it did not
    /// print). The thread waits for the printer: staff reprint only while no customer is served.
    Reprint {
        seq: i64,
        requester: Requester,
        at: DateTime<Utc>,
        printer: PrinterHandle,
        /// Where the paper counter lives (the kiosk's data directory).
        paper_dir: Option<PathBuf>,
        reply: ReprintReply<Reprinted>,
    },
}

/// The answer to a staff reprint job, called on the journal thread.
pub type ReprintReply<T> = Box<dyn FnOnce(Result<T, ReprintError>) + Send>;

impl Job {
    /// Answers a reprint job that never reached the journal thread, so that nobody waits for it.
    pub fn refuse(self) {
        match self {
            Job::ReprintSearch { reply, .. } => reply(Err(ReprintError::Unavailable)),
            Job::ReprintPreview { reply, .. } => reply(Err(ReprintError::Unavailable)),
            Job::Reprint { reply, .. } => reply(Err(ReprintError::Unavailable)),
            _ => {}
        }
    }
}

/// How documents look at this kiosk.
#[derive(Debug, Clone)]
pub struct DocumentSettings {
    pub header: Header,
    pub columns: Columns,
    pub logo_key: String,
}

/// Runs the journal thread until every sender is gone.
pub fn spawn(
    journal: Journal,
    settings: DocumentSettings,
    storage: StorageHealth,
) -> std::io::Result<(Sender<Job>, std::thread::JoinHandle<()>)> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let worker = Worker { journal, settings, session: None, card: None, operation_hashes: HashMap::new(), storage };
    let thread = std::thread::Builder::new().name("journal".into()).spawn(move || worker.run(receiver))?;
    Ok((sender, thread))
}

struct Worker {
    journal: Journal,
    settings: DocumentSettings,
    /// The journal's id of the current customer session.
    session: Option<String>,
    /// The card of the customer identified in the current session, for the records that follow.
    card: Option<MaskedCard>,
    /// The hash of the journal record of each operation of this session, by operation number.
    operation_hashes: HashMap<String, [u8; 32]>,
    /// Told when a record cannot be written: the kiosk goes out of service.
    storage: StorageHealth,
}

impl Worker {
    fn run(mut self, jobs: Receiver<Job>) {
        for job in jobs {
            match job {
                Job::Journal(entry) => self.journal_entry(entry),
                Job::Render { document, medium, reply } => {
                    let _ = reply.send(self.render(&document, medium).map_err(|err| err.to_string()));
                }
                Job::Printed { rendered, done } => {
                    self.journal_receipt(rendered, true);
                    let _ = done.send(());
                }
                Job::NotPrinted { rendered, reason, done } => {
                    let error = format!("operación {} no impresa: {reason}", rendered.operation);
                    self.journal_receipt(rendered, false);
                    self.append(&JournalEvent::DeviceError { device: "printer".into(), error: safe(error) });
                    let _ = done.send(());
                }
                Job::Maintenance(entry) => self.maintenance_entry(entry),
                Job::Settlement { settlement, done } => {
                    let _ = done.send(self.journal_settlement(&settlement));
                }
                Job::Abandoned(payment) => {
                    let event = JournalEvent::Operation {
                        session: None,
                        operation: servicaja_host::settlement::operation_id_of(&payment),
                        kind: "pago de cuota".into(),
                        card: None,
                        amount: None,
                        outcome: Outcome::Reversed,
                        detail: safe(
                            "el cajero se detuvo mientras el cliente esperaba la respuesta: extorno en cola".into(),
                        ),
                        command_key: Some(payment.key),
                    };
                    self.append(&event);
                }
                Job::Forget => {
                    self.session = None;
                    self.card = None;
                    self.operation_hashes.clear();
                }
                Job::FleetCommand { at, event, done } => {
                    let written = match self.journal.append(at, &event) {
                        Ok(_) => true,
                        Err(err) => {
                            tracing::error!(%err, "a fleet command was not journaled");
                            self.storage.write_failed("journal", err.to_string());
                            false
                        }
                    };
                    let _ = done.send(written);
                }
                Job::FleetHead { reply } => {
                    let _ = reply.send(self.journal.last().map_err(|err| err.to_string()));
                }
                Job::FleetRecords { from, to, limit, reply } => {
                    let _ = reply.send(self.journal.records(from, to, limit).map_err(|err| err.to_string()));
                }
                Job::ReprintSearch { criteria, reply } => reply(reprint::search(&self.journal, &criteria)),
                Job::ReprintPreview { seq, reply } => reply(
                    reprint::preview(&self.journal, seq, self.settings.columns).map(|laid| render::text::render(&laid)),
                ),
                Job::Reprint { seq, requester, at, printer, paper_dir, reply } => {
                    reply(self.reprint(seq, &requester, at, &printer, paper_dir.as_deref()));
                }
            }
        }
    }

    fn reprint(
        &mut self,
        seq: i64,
        requester: &Requester,
        at: DateTime<Utc>,
        printer: &PrinterHandle,
        paper_dir: Option<&Path>,
    ) -> Result<Reprinted, ReprintError> {
        let to = Reprinter { printer, columns: self.settings.columns, logo_key: &self.settings.logo_key };
        // Read afresh for each reprint, so that it adds to what the technician's screen last wrote.
        let mut paper = paper_dir.and_then(|dir| match PaperStore::open(dir) {
            Ok(store) => Some(store),
            Err(err) => {
                tracing::warn!(%err, "paper counter unreadable: the reprint is not counted");
                None
            }
        });
        reprint::reprint(&mut self.journal, &to, paper.as_mut(), seq, requester, at)
    }

    fn append(&mut self, event: &JournalEvent) -> Option<[u8; 32]> {
        match self.journal.append(Utc::now(), event) {
            Ok(appended) => {
                if appended.over_budget {
                    tracing::warn!("journal: above its disk budget; a technician must archive it");
                }
                let mut hash = [0u8; 32];
                hex::decode_to_slice(&appended.hash, &mut hash).ok().map(|()| hash)
            }
            Err(err) => {
                tracing::error!(%err, kind = event.kind(), "journal: the record could not be written");
                self.storage.write_failed("journal", err.to_string());
                None
            }
        }
    }

    /// The settlement record of a payment, once (`servicaja_host::settlement`).
    fn journal_settlement(&mut self, settlement: &PaymentSettlement) -> bool {
        match servicaja_host::settlement::journal_settlement(&mut self.journal, settlement, Utc::now()) {
            Ok(()) => true,
            Err(err) => {
                tracing::error!(%err, "journal: a payment's settlement could not be written");
                self.storage.write_failed("journal", err.to_string());
                false
            }
        }
    }

    fn session_id(&mut self) -> String {
        self.session.get_or_insert_with(|| Uuid::now_v7().to_string()).clone()
    }

    /// A maintenance entry as a `Maintenance` record; a detail that looks like a card number is withheld.
    fn maintenance_entry(&mut self, entry: servicaja_maintenance::JournalEntry) {
        let detail =
            SafeText::new(entry.detail).or_else(|_| SafeText::new("(detail withheld: it looked like a card number)"));
        let Ok(detail) = detail else { return };
        let event = JournalEvent::Maintenance { user: entry.user, action: entry.action, detail };
        if let Err(err) = self.journal.append(entry.at, &event) {
            tracing::error!(%err, "a maintenance record was not journaled");
        }
    }

    fn journal_entry(&mut self, entry: JournalEntry) {
        let event = match entry {
            JournalEntry::SessionStarted { masked_card } => {
                self.session = Some(Uuid::now_v7().to_string());
                JournalEvent::SessionStarted { session: self.session_id(), card: masked(&masked_card) }
            }
            JournalEntry::Identified { masked_card } => {
                self.card = masked(&masked_card);
                self.operation_event(OperationRecord {
                    card: self.card(),
                    ..OperationRecord::new("IDENTIFICACION", "identificación", Outcome::Approved)
                })
            }
            JournalEntry::IdentificationRefused { masked_card, code } => self.operation_event(OperationRecord {
                card: masked(&masked_card),
                detail: code,
                ..OperationRecord::new("IDENTIFICACION", "identificación", Outcome::Refused)
            }),
            JournalEntry::Operation { key, operation, outcome, document } => {
                let (number, amount) = operation_of(key, document.as_deref());
                let record = OperationRecord {
                    card: self.card(),
                    amount,
                    detail: outcome.clone(),
                    command_key: Some(key),
                    ..OperationRecord::new(number.clone(), operation, outcome_of(&outcome))
                };
                let event = self.operation_event(record);
                if let Some(hash) = self.append(&event) {
                    self.operation_hashes.insert(number, hash);
                }
                if let Some(document) = document {
                    self.journal_owed_document(&document);
                }
                return;
            }
            JournalEntry::PaymentReversed { original_key, reversal_key: _ } => self.operation_event(OperationRecord {
                card: self.card(),
                detail: "sin respuesta a tiempo: extorno guardado y en cola, no queda ningún cargo".into(),
                // The outbox's key of the reversal itself (stored with the payment).
                command_key: Some(servicaja_host::engine::reversal_key(original_key)),
                ..OperationRecord::new(original_key.to_string(), "extorno de pago", Outcome::Reversed)
            }),
            JournalEntry::SessionEnded { reason } => {
                JournalEvent::SessionEnded { session: self.session_id(), reason: safe(end_reason(reason).to_owned()) }
            }
        };
        self.append(&event);
    }

    fn operation_event(&mut self, record: OperationRecord) -> JournalEvent {
        JournalEvent::Operation {
            session: Some(self.session_id()),
            operation: record.operation,
            kind: record.kind,
            card: record.card,
            amount: record.amount,
            outcome: record.outcome,
            detail: safe(record.detail),
            command_key: record.command_key,
        }
    }

    fn card(&self) -> Option<MaskedCard> {
        self.card.clone()
    }

    /// The document a done operation owes the customer, journaled (not printed) right behind the
    /// operation's record, whatever the customer then does with it: printed (journaled again as printed),
    /// shown as a QR because the printer had no paper, e-mailed, or declined. Staff can find and reprint
    /// every one of them.
    fn journal_owed_document(&mut self, document: &Document) {
        match self.render(document, Medium::Printer) {
            Ok(rendered) => self.journal_receipt(rendered, false),
            Err(err) => tracing::error!(%err, "the document owed for an operation could not be laid out"),
        }
    }

    fn journal_receipt(&mut self, rendered: Rendered, printed: bool) {
        let session = Some(self.session_id());
        let event = match reprint::receipt_event(&rendered.document, session.clone(), self.card()) {
            Ok(JournalEvent::Receipt { session, operation, card, title, text, .. }) => {
                JournalEvent::Receipt { session, operation, card, title, text, printed }
            }
            other => {
                // A reprint then reads the plain text, under the same DUPLICADO mark.
                if let Err(err) = other {
                    tracing::warn!(%err, "receipt journaled as text, not as its document");
                }
                JournalEvent::Receipt {
                    session,
                    operation: rendered.operation,
                    card: self.card(),
                    title: safe(rendered.title),
                    text: safe(rendered.text),
                    printed,
                }
            }
        };
        self.append(&event);
    }

    fn render(&self, document: &Document, medium: Medium) -> Result<Rendered, ReceiptError> {
        let built = self.build(document)?;
        let laid_out = layout(&built, self.settings.columns);
        let text = render::text::render(&laid_out);
        let bytes = match medium {
            Medium::Printer => render::escpos::render(&laid_out, &self.settings.logo_key)?.bytes,
            Medium::Email => render::pdf::render(&laid_out, &built.title)?,
        };
        Ok(Rendered {
            operation: built.operation_number.clone(),
            title: built.title.clone(),
            text,
            bytes,
            document: Box::new(built),
        })
    }

    fn issue(&self, operation_number: &str, issued_at: DateTime<Utc>) -> Issue {
        Issue {
            header: self.settings.header.clone(),
            issued_at,
            operation_number: operation_number.to_owned(),
            journal_hash: self.operation_hashes.get(operation_number).copied(),
        }
    }

    /// The receipts crate's document for a session document: the session's data under the kiosk's header.
    fn build(&self, document: &Document) -> Result<servicaja_receipts::Document, ReceiptError> {
        Ok(match document {
            Document::PaymentReceipt { payment, masked_card, customer_name, context } => {
                let context = PaymentContext {
                    customer_name: customer_name.clone(),
                    card: MaskedNumber::new(masked_card.clone()).ok(),
                    loan_product: context.loan_product.clone(),
                    account_product_name: context.account_product_name.clone(),
                    account_currency: context.account_currency,
                    previous_installment: context.installment_before,
                    previous_count: context.installments_left_before,
                    next_due: payment
                        .next_installment
                        .as_ref()
                        .map(|next| templates::NextDue { date: next.due_date, installment: next.amount }),
                    new_schedule_rows: Vec::new(),
                };
                let issue = self.issue(&payment.operation_number, payment.at);
                match from_api::payment(payment, &context)? {
                    PaymentDocument::Voucher(voucher) => templates::payment_voucher(&issue, &voucher),
                    PaymentDocument::Choice(choice) => templates::prepayment_choice(&issue, &choice),
                }
            }
            Document::BalanceSlip { account, movements, customer_name, at, .. } => {
                let inquiry = BalanceInquiry {
                    customer_name: customer_name.clone(),
                    accounts: vec![AccountBalance {
                        account: AccountRef {
                            number: MaskedNumber::new(account.number.clone())?,
                            kind: from_api::account_kind(&account.product_name, account.currency),
                            currency: account.currency,
                        },
                        available: account.balance,
                        accounting: account.balance,
                        movements: movements
                            .iter()
                            .map(|movement| MovementLine {
                                at: movement.at,
                                description: movement.description.clone(),
                                amount: movement.amount,
                            })
                            .collect(),
                    }],
                };
                // The customer reads this number: Lima time, like every time on the slip.
                let number = balance_slip_number(*at);
                templates::balance_inquiry(&self.issue(&number, *at), &inquiry)
            }
            Document::AffiliationConstancia(constancia) => templates::affiliation_constancia(
                &self.issue(&constancia.operation_number, constancia.at),
                &from_api::affiliation(constancia)?,
            ),
            Document::NoDebtCertificate(certificate) => templates::no_debt_certificate(
                &self.issue(&certificate.certificate_number, certificate.issued_at),
                &from_api::no_debt(certificate),
            ),
            Document::RequestTicket { ticket, customer_name } => templates::request_ticket(
                &self.issue(&ticket.ticket_number, ticket.filed_at),
                &from_api::request_ticket(ticket, customer_name, "correo electrónico registrado"),
            ),
        })
    }
}

/// The balance slip's operation number: `SALDO-` and the Lima date and time of the inquiry.
pub fn balance_slip_number(at: DateTime<Utc>) -> String {
    format!("SALDO-{}", servicaja_core::calendar::lima_time(at).format("%Y%m%d%H%M%S"))
}

struct OperationRecord {
    operation: String,
    kind: String,
    card: Option<MaskedCard>,
    amount: Option<String>,
    outcome: Outcome,
    detail: String,
    command_key: Option<Uuid>,
}

impl OperationRecord {
    fn new(operation: impl Into<String>, kind: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            operation: operation.into(),
            kind: kind.into(),
            card: None,
            amount: None,
            outcome,
            detail: String::new(),
            command_key: None,
        }
    }
}

/// The number the central gave a done operation (its document's) and its amount; the command's key when it
/// gave none.
fn operation_of(key: Uuid, document: Option<&Document>) -> (String, Option<String>) {
    match document {
        Some(Document::PaymentReceipt { payment, .. }) => {
            (payment.operation_number.clone(), Some(payment.debit.to_string()))
        }
        Some(document) => (document.operation_number().map_or_else(|| key.to_string(), str::to_owned), None),
        None => (key.to_string(), None),
    }
}

/// `**** **** **** 0010` → the journal's masked card.
fn masked(masked_card: &str) -> Option<MaskedCard> {
    let digits: String = masked_card.chars().filter(char::is_ascii_digit).collect();
    let last4 = digits.get(digits.len().saturating_sub(4)..)?;
    MaskedCard::from_last4(last4)
}

/// The session's Spanish outcome words as the journal's outcome.
fn outcome_of(outcome: &str) -> Outcome {
    match outcome {
        "realizado" => Outcome::Approved,
        "revertido" => Outcome::Reversed,
        "en cola" => Outcome::Queued,
        text if text.starts_with("rechazado") => Outcome::Refused,
        _ => Outcome::Failed,
    }
}

fn end_reason(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Customer => "el cliente terminó la sesión",
        EndReason::Inactivity => "inactividad",
        EndReason::Refused => "sesión rechazada por la central",
        EndReason::Finished => "sesión concluida",
    }
}

/// Journal text; should a text ever look like a card number, its digits are blotted out rather than the
/// record lost.
fn safe(text: String) -> SafeText {
    match SafeText::new(text.as_str()) {
        Ok(text) => text,
        Err(_) => {
            tracing::error!("journal: a text looked like it held a card number; its digits are blotted out");
            let blotted: String = text.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
            SafeText::new(blotted).unwrap_or_else(|_| safe(String::new()))
        }
    }
}
