//! A scripted stand-in for the kiosk's runtime: JESUS, the customer of the caja's guides, with his accounts
//! and loans, and an [`EffectSink`] that answers the session's queries and commands from them at once (or
//! with answers a test scripted). `servicaja screenshots` drives real sessions through every flow with it;
//! the UI tests use it as the fake central.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use servicaja_core::api::{
    AffiliationConstancia, AffiliationOperation, EnrollmentCompleted, EnrollmentQuestion, EnrollmentStarted,
    EnrollmentVerified, ExchangeApplied, LoanProductType, Movement, NoDebtCertificate, OtpSent, PaymentDone,
    PaymentOption, PaymentQuote, RequestKind, RequestTicket, SessionOpened,
};
use servicaja_core::fixtures::{loan, money};
use servicaja_core::money::{Currency, Money};
use servicaja_session::{Answer, Command, Document, Effect, Event, PrintOutcome, Query, Reply};

use super::controller::EffectSink;

pub use servicaja_core::fixtures::{
    CARD, CLAVE, DNI, accounts, accounts_affiliated, exchange_rates, loans, profile, start_time,
};

/// The QR the runtime would make for `document` (the receipts' own payload), here tied to a fixed journal
/// hash ([`SCRIPTED_JOURNAL_HASH`]) since the scripted central keeps no journal.
pub fn scripted_qr(document: &Document) -> String {
    let kiosk = servicaja_core::settings::KioskSettings::default().id;
    match document {
        Document::PaymentReceipt { payment, .. } => {
            servicaja_receipts::verification::qr_code(
                &kiosk,
                &payment.operation_number,
                payment.at,
                Some(&payment.amount),
                &SCRIPTED_JOURNAL_HASH,
            )
            .payload
        }
        Document::BalanceSlip { at, .. } => servicaja_receipts::verification::unverified_payload(&kiosk, "SALDO", *at),
        Document::AffiliationConstancia(c) => {
            servicaja_receipts::verification::qr_code(&kiosk, &c.operation_number, c.at, None, &SCRIPTED_JOURNAL_HASH)
                .payload
        }
        Document::NoDebtCertificate(c) => {
            servicaja_receipts::verification::qr_code(
                &kiosk,
                &c.certificate_number,
                c.issued_at,
                None,
                &SCRIPTED_JOURNAL_HASH,
            )
            .payload
        }
        Document::RequestTicket { ticket: t, .. } => {
            servicaja_receipts::verification::qr_code(
                &kiosk,
                &t.ticket_number,
                t.filed_at,
                None,
                &SCRIPTED_JOURNAL_HASH,
            )
            .payload
        }
    }
}

/// The journal hash the scripted QR codes are tied to.
pub const SCRIPTED_JOURNAL_HASH: [u8; 32] = [0x5A; 32];

fn quote(loan_id: &str, option: PaymentOption, account_id: &str, amount: Option<Decimal>) -> PaymentQuote {
    let loan = loans()
        .into_iter()
        .find(|l| l.id == loan_id)
        .unwrap_or_else(|| loan("L1", LoanProductType::Consumo, "", Currency::PEN, 0));
    let account = accounts().into_iter().find(|a| a.id == account_id).unwrap_or_else(|| accounts().remove(0));
    // What the option charges, as the loan's terms said: the summary shows what the option showed.
    let fixed = loan.terms(option).and_then(|t| t.amount).map(|m| m.amount);
    let amount = Money::new(amount.or(fixed).unwrap_or_else(|| "520.00".parse().unwrap_or_default()), loan.currency);
    let (debit, exchange) = if account.currency == loan.currency {
        (amount, None)
    } else {
        let rates = exchange_rates();
        let debit = loan.debit_from(amount, &account).unwrap_or(amount);
        let (rate, side) =
            if account.currency == Currency::PEN { (rates.sell, "Venta") } else { (rates.buy, "Compra") };
        (debit, Some(ExchangeApplied { rate, side_label: side.into(), from: account.currency, to: loan.currency }))
    };
    let zero = Money::zero(loan.currency);
    PaymentQuote {
        loan_id: loan.id,
        option,
        debit_account_id: account.id,
        amount,
        debit,
        exchange,
        kind_label: if option == PaymentOption::DueInstallment { "Pago de cuota" } else { "Adelanto de cuotas" }.into(),
        choice_label: None,
        overdue_part: zero,
        principal_part: money("470.00", loan.currency),
        interest_part: money("45.00", loan.currency),
        insurance_part: money("5.00", loan.currency),
        moratorium_part: zero,
        refund: zero,
        installments_covered: vec![11],
        new_schedule: None,
        cancels_loan: false,
        quoted_at: start_time(),
    }
}

fn done(request: &servicaja_core::api::PaymentRequest, now: DateTime<Utc>) -> PaymentDone {
    let q = quote(&request.loan_id, request.option, &request.debit_account_id, request.amount);
    PaymentDone {
        operation_id: request.operation_id,
        operation_number: "OP-000123".into(),
        loan_id: q.loan_id.clone(),
        loan_number: "0034-L1".into(),
        option: q.option,
        kind_label: q.kind_label.clone(),
        choice_label: None,
        amount: q.amount,
        debit: q.debit,
        exchange: q.exchange.clone(),
        principal_part: q.principal_part,
        interest_part: q.interest_part,
        insurance_part: q.insurance_part,
        moratorium_part: q.moratorium_part,
        account_number: "00121110".into(),
        account_balance_after: money("1980.00", Currency::PEN),
        loan_outstanding_after: money("5530.00", Currency::PEN),
        installments_covered: vec![11],
        new_schedule: None,
        next_installment: Some(servicaja_core::api::NextInstallment {
            due_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 15).unwrap_or_default(),
            amount: money("520.00", Currency::PEN),
        }),
        loan_cancelled: false,
        at: now,
    }
}

fn otp(now: DateTime<Utc>) -> OtpSent {
    OtpSent { otp_id: "OTP-1".into(), masked_phone: "95*****480".into(), expires_at: now + Duration::minutes(5) }
}

fn constancia(operation: AffiliationOperation, now: DateTime<Utc>) -> AffiliationConstancia {
    AffiliationConstancia {
        operation_number: "AF-0001".into(),
        operation,
        service: "COMPRAS POR INTERNET".into(),
        customer_name: "JESUS".into(),
        account_number: "00121110".into(),
        account_product_name: "AHORRO PN SOLES".into(),
        currency: Currency::PEN,
        email: "jesus@cmactacna.com.pe".into(),
        at: now,
        at_local: "20/11/2026 10:00:00".into(),
    }
}

fn enrollment_started() -> EnrollmentStarted {
    let question = |id: &str, text: &str, options: &[&str]| EnrollmentQuestion {
        id: id.into(),
        text: text.into(),
        options: options.iter().map(|s| (*s).to_owned()).collect(),
    };
    EnrollmentStarted {
        enrollment_id: "E-1".into(),
        questions: vec![
            question("q1", "¿Cuál es su ocupación registrada?", &["Servicios generales", "Sin asignar", "Docente"]),
            question("q2", "¿Cuál es su número de teléfono fijo?", &["3007386448", "3008349362", "Sin asignar"]),
            question("q3", "¿Cuál es su fecha de nacimiento?", &["29/02/1980", "24/03/1954", "28/04/1997"]),
        ],
        attempts_left: 3,
    }
}

/// The central's answer to a query, from the fixtures.
pub fn answer_query(query: &Query, now: DateTime<Utc>, affiliated: bool) -> Answer {
    Ok(match query {
        Query::OpenSession { .. } => Reply::SessionOpened(SessionOpened {
            token: "tok-demo".into(),
            idle_timeout_seconds: 300,
            profile: profile(),
        }),
        Query::Accounts => Reply::Accounts(if affiliated { accounts_affiliated() } else { accounts() }),
        Query::Movements { .. } => Reply::Movements(vec![
            Movement {
                id: "M1".into(),
                at: now - Duration::days(1),
                description: "PAGO CUOTA CRÉDITO 0034-L1".into(),
                amount: money("-520.00", Currency::PEN),
                balance_after: money("2500.00", Currency::PEN),
            },
            Movement {
                id: "M2".into(),
                at: now - Duration::days(3),
                description: "DEPÓSITO EN EFECTIVO AG. TACNA".into(),
                amount: money("1500.00", Currency::PEN),
                balance_after: money("3020.00", Currency::PEN),
            },
        ]),
        Query::Loans => Reply::Loans(loans()),
        Query::Quote { loan_id, query } => {
            Reply::Quote(quote(loan_id, query.option, &query.debit_account_id, query.amount))
        }
        Query::RequestOtp { .. } | Query::ResendEnrollmentCode { .. } => Reply::OtpSent(otp(now)),
        Query::StartEnrollment { .. } => Reply::EnrollmentStarted(enrollment_started()),
    })
}

/// The central's answer to a command, from the fixtures.
pub fn answer_command(command: &Command, now: DateTime<Utc>) -> Answer {
    Ok(match command {
        Command::Pay(request) => Reply::PaymentDone(done(request, now)),
        Command::Affiliate { .. } => Reply::Affiliation(constancia(AffiliationOperation::Affiliation, now)),
        Command::Disaffiliate { .. } => Reply::Affiliation(constancia(AffiliationOperation::Disaffiliation, now)),
        Command::NoDebtCertificate(request) => Reply::NoDebt(NoDebtCertificate {
            certificate_number: "ND-0001".into(),
            customer_name: "JESUS".into(),
            masked_dni: "*****410".into(),
            all_loans: request.loan_ids.is_empty(),
            // The cancelled loans it covers: the ones asked for, or every cancelled one for "todos".
            loans: loans()
                .into_iter()
                .filter(|l| l.status == servicaja_core::api::LoanStatus::Cancelled)
                .filter(|l| request.loan_ids.is_empty() || request.loan_ids.contains(&l.id))
                .map(|l| servicaja_core::api::CancelledLoan {
                    loan_id: l.id.clone(),
                    loan_number: l.number.clone(),
                    product_name: l.product_name.clone(),
                    currency: l.currency,
                    disbursed: l.disbursed,
                    cancelled_on: NaiveDate::from_ymd_opt(2026, 6, 30),
                })
                .collect(),
            issued_at: now,
            issued_at_local: "20/11/2026 10:00:00".into(),
        }),
        Command::FileRequest(request) => Reply::RequestFiled(ticket(request.kind, now)),
        Command::AnswerEnrollment { .. } => {
            Reply::EnrollmentVerified(EnrollmentVerified { enrollment_id: "E-1".into(), otp: otp(now) })
        }
        Command::SetClave { .. } => Reply::ClaveSet(EnrollmentCompleted { enrollment_id: "E-1".into(), at: now }),
        Command::SettlePayment { .. } => Reply::ReversalStored,
        Command::ReversePayment { .. } | Command::FileOfflineRequest { .. } | Command::EmailDocument { .. } => {
            Reply::Accepted
        }
    })
}

fn ticket(kind: RequestKind, now: DateTime<Utc>) -> RequestTicket {
    RequestTicket {
        ticket_number: "REQ-0042".into(),
        kind,
        filed_at: now,
        filed_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
        business_days: 15,
        deadline: NaiveDate::from_ymd_opt(2026, 12, 14).unwrap_or_default(),
    }
}

/// What the scripted sink does; shared with whoever drives the controller so it can change the script.
#[derive(Debug, Default)]
pub struct Script {
    /// Answer queries and commands at once from the fixtures; when off, they wait (a progress screen).
    pub hold: bool,
    /// Answers used before the fixtures, in order (e.g. a refused clave).
    pub answers: VecDeque<Answer>,
    /// How the printer ends its jobs (`None`: printed).
    pub print_outcome: Option<PrintOutcome>,
    /// The customer already has an affiliated account.
    pub affiliated: bool,
    /// Every effect handed to the sink, in order.
    pub effects: Vec<Effect>,
    /// Requests held while `hold` was on, with their effect.
    pub held: Vec<Effect>,
}

/// An [`EffectSink`] that answers from the fixtures (see [`Script`]).
pub struct ScriptedSink {
    pub script: Rc<RefCell<Script>>,
}

impl EffectSink for ScriptedSink {
    fn execute(&mut self, effect: &Effect, now: DateTime<Utc>) -> Vec<Event> {
        let mut script = self.script.borrow_mut();
        script.effects.push(effect.clone());
        let (request, answer) = match effect {
            Effect::Query { request, query, .. } => {
                if script.hold {
                    script.held.push(effect.clone());
                    return Vec::new();
                }
                let answer = script.answers.pop_front().unwrap_or_else(|| answer_query(query, now, script.affiliated));
                (*request, answer)
            }
            Effect::Submit { key, command, interactive, .. } => {
                if script.hold && *interactive {
                    script.held.push(effect.clone());
                    return Vec::new();
                }
                let answer = script.answers.pop_front().unwrap_or_else(|| answer_command(command, now));
                (*key, answer)
            }
            Effect::Print { job, .. } => {
                let outcome = script.print_outcome.unwrap_or(PrintOutcome::Printed);
                return vec![Event::Printed { job: *job, outcome }];
            }
            Effect::PrepareQr { job, document } => {
                return vec![Event::QrReady { job: *job, payload: Some(scripted_qr(document)) }];
            }
            _ => return Vec::new(),
        };
        vec![Event::Central { request, answer }]
    }
}
