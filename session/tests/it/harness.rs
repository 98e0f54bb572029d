//! A test kiosk around the session: a simulated clock, a deterministic supply, the armed timers as the
//! shell would keep them, and builders for the central contract's bodies.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use servicaja_core::api::{
    Account, AffiliationConstancia, AffiliationOperation, EnrollmentCompleted, EnrollmentQuestion, EnrollmentStarted,
    EnrollmentVerified, ErrorCode, Loan, LoanProductType, Movement, NoDebtCertificate, OtpSent, PaymentDone,
    PaymentOption, PaymentQuote, Problem, RequestKind, RequestTicket, SessionOpened,
};
use servicaja_core::fixtures;
use servicaja_core::money::{Currency, Money};
use servicaja_session::secret::{CardNumber, Dni};
use servicaja_session::state::Screen;
use servicaja_session::{
    Action, Effect, Event, Failure, Key, PrintOutcome, Reply, RequestId, SequenceSupply, Session, SessionConfig, Timer,
};

pub use servicaja_core::fixtures::{CARD, CLAVE, DNI, accounts, profile, start_time as t0};

pub fn pen(amount: &str) -> Money {
    Money::new(amount.parse::<Decimal>().unwrap(), Currency::PEN)
}

pub fn usd(amount: &str) -> Money {
    Money::new(amount.parse::<Decimal>().unwrap(), Currency::USD)
}

pub struct Kiosk {
    pub session: Session,
    pub supply: SequenceSupply,
    pub now: DateTime<Utc>,
    /// Effects of the last event.
    pub effects: Vec<Effect>,
    /// Every effect since the start.
    pub all: Vec<Effect>,
    /// Timers as the shell keeps them (StartTimer / CancelTimer).
    pub timers: BTreeMap<Timer, DateTime<Utc>>,
    /// The last request the session is waiting for (query or interactive command).
    pub last_request: Option<RequestId>,
}

impl Kiosk {
    pub fn new() -> Self {
        Self::with_config(SessionConfig::default())
    }

    pub fn with_config(config: SessionConfig) -> Self {
        Self {
            session: Session::new(config),
            supply: SequenceSupply::new(),
            now: t0(),
            effects: Vec::new(),
            all: Vec::new(),
            timers: BTreeMap::new(),
            last_request: None,
        }
    }

    pub fn send(&mut self, event: Event) -> &[Effect] {
        self.effects = self.session.handle(event, self.now, &mut self.supply);
        for effect in &self.effects {
            match effect {
                Effect::StartTimer { timer, at } => {
                    self.timers.insert(*timer, *at);
                }
                Effect::CancelTimer(timer) => {
                    self.timers.remove(timer);
                }
                Effect::Query { request, .. } => self.last_request = Some(*request),
                Effect::Submit { key, interactive: true, .. } => self.last_request = Some(*key),
                _ => {}
            }
        }
        self.all.extend(self.effects.iter().cloned());
        &self.effects
    }

    pub fn ui(&mut self, action: Action) -> &[Effect] {
        self.send(Event::Ui(action))
    }

    pub fn keys(&mut self, text: &str) {
        for c in text.chars() {
            let key = match c.to_digit(10) {
                Some(d) => Key::Digit(d as u8),
                None => Key::Char(c),
            };
            self.ui(Action::Key(key));
        }
    }

    pub fn advance(&mut self, seconds: i64) {
        self.now += Duration::seconds(seconds);
    }

    /// Moves the clock to the timer's deadline and fires it, as the shell would.
    pub fn fire(&mut self, timer: Timer) -> &[Effect] {
        let at = self.timers.remove(&timer).unwrap_or_else(|| panic!("{timer:?} is not armed: {:?}", self.timers));
        if at > self.now {
            self.now = at;
        }
        self.send(Event::TimerFired(timer))
    }

    pub fn answer(&mut self, reply: Reply) -> &[Effect] {
        let request = self.last_request.expect("a request is pending");
        self.send(Event::Central { request, answer: Ok(reply) })
    }

    pub fn refuse(&mut self, code: ErrorCode, attempts_left: Option<u32>) -> &[Effect] {
        let request = self.last_request.expect("a request is pending");
        let mut problem = Problem::new(code, "rechazado");
        problem.attempts_left = attempts_left;
        self.send(Event::Central { request, answer: Err(Failure::Refused(problem)) })
    }

    pub fn no_answer(&mut self) -> &[Effect] {
        let request = self.last_request.expect("a request is pending");
        self.send(Event::Central { request, answer: Err(Failure::NoAnswer) })
    }

    pub fn screen(&self) -> &Screen {
        self.session.screen()
    }

    pub fn swipe(&mut self) {
        self.send(Event::CardRead(CardNumber::parse(CARD).unwrap()));
    }

    pub fn show_dni(&mut self) {
        self.send(Event::DocumentRead(Dni::parse(DNI).unwrap()));
    }

    /// Card, DNI, clave, session opened: ends on the menu.
    pub fn login(&mut self) {
        self.swipe();
        self.show_dni();
        self.keys(CLAVE);
        self.ui(Action::Confirm);
        self.answer(Reply::SessionOpened(session_opened()));
        assert_eq!(self.screen(), &Screen::Menu);
    }

    pub fn queries(&self) -> Vec<&servicaja_session::Query> {
        self.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Query { query, .. } => Some(query),
                _ => None,
            })
            .collect()
    }

    pub fn submits(&self) -> Vec<(&servicaja_session::Command, bool)> {
        self.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Submit { command, interactive, .. } => Some((command, *interactive)),
                _ => None,
            })
            .collect()
    }

    /// The printer ends the job the last step started, with `outcome`.
    pub fn finish_printing(&mut self, outcome: PrintOutcome) -> &[Effect] {
        let job = self
            .effects
            .iter()
            .find_map(|e| match e {
                Effect::Print { job, .. } => Some(*job),
                _ => None,
            })
            .expect("the last step started a print job");
        self.send(Event::Printed { job, outcome })
    }

    /// Confirms the e-mail step: the receipt goes to `to` and the notice names it as `shown`.
    pub fn confirm_email_receipt(&mut self, to: &str, shown: &str) {
        use servicaja_session::state::{Notice, Then};
        self.ui(Action::Confirm);
        match self.submits().as_slice() {
            [
                (
                    servicaja_session::Command::EmailDocument {
                        to: sent_to,
                        document: servicaja_session::Document::PaymentReceipt { .. },
                    },
                    false,
                ),
            ] => {
                assert_eq!(sent_to, to)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            self.screen(),
            &Screen::Notice {
                notice: Notice::Delivered { printed: false, emailed_to: Some(shown.into()) },
                then: Then::Another
            }
        );
    }

    pub fn ended(&self) -> bool {
        self.effects.iter().any(|e| matches!(e, Effect::SessionEnded { .. }))
    }

    /// Whether any effect produced so far carries `needle` in its debug form (secrets must not).
    pub fn any_effect_shows(&self, needle: &str) -> bool {
        self.all.iter().any(|e| format!("{e:?}").contains(needle))
    }
}

pub fn session_opened() -> SessionOpened {
    SessionOpened { token: "tok-secret-123".into(), idle_timeout_seconds: 300, profile: profile() }
}

/// JESUS's consumer loan `id` (a pignoraticio one, not payable at the kiosk, when `payable` is false).
pub fn loan(id: &str, currency: Currency, overdue: u32, payable: bool) -> Loan {
    let product = if payable { LoanProductType::Consumo } else { LoanProductType::Pignoraticio };
    fixtures::loan(id, product, "CRÉDITO CONSUMO", currency, overdue)
}

pub fn cancelled_loan(id: &str) -> Loan {
    fixtures::cancelled(loan(id, Currency::PEN, 0, true))
}

pub fn quote(loan: &Loan, account: &Account, option: PaymentOption, amount: Money, debit: Money) -> PaymentQuote {
    let zero = Money::zero(amount.currency);
    PaymentQuote {
        loan_id: loan.id.clone(),
        option,
        debit_account_id: account.id.clone(),
        amount,
        debit,
        exchange: None,
        kind_label: "Pago de cuota".into(),
        choice_label: None,
        overdue_part: zero,
        principal_part: amount,
        interest_part: zero,
        insurance_part: zero,
        moratorium_part: zero,
        refund: zero,
        installments_covered: vec![11],
        new_schedule: None,
        cancels_loan: false,
        quoted_at: t0(),
    }
}

pub fn payment_done(quote: &PaymentQuote, operation_id: uuid::Uuid) -> PaymentDone {
    PaymentDone {
        operation_id,
        operation_number: "OP-000123".into(),
        loan_id: quote.loan_id.clone(),
        loan_number: "0034-L1".into(),
        option: quote.option,
        kind_label: quote.kind_label.clone(),
        choice_label: None,
        amount: quote.amount,
        debit: quote.debit,
        exchange: quote.exchange.clone(),
        principal_part: quote.principal_part,
        interest_part: quote.interest_part,
        insurance_part: quote.insurance_part,
        moratorium_part: quote.moratorium_part,
        account_number: "00121110".into(),
        account_balance_after: pen("1980.00"),
        loan_outstanding_after: pen("5480.00"),
        installments_covered: vec![11],
        new_schedule: None,
        next_installment: None,
        loan_cancelled: false,
        at: t0(),
    }
}

pub fn movements() -> Vec<Movement> {
    vec![Movement {
        id: "M1".into(),
        at: t0(),
        description: "PAGO CUOTA CRÉDITO 0034-L1".into(),
        amount: pen("-520.00"),
        balance_after: pen("1980.00"),
    }]
}

pub fn otp_sent(id: &str) -> OtpSent {
    OtpSent { otp_id: id.into(), masked_phone: "95*****480".into(), expires_at: t0() + Duration::minutes(5) }
}

pub fn constancia(operation: AffiliationOperation) -> AffiliationConstancia {
    AffiliationConstancia {
        operation_number: "AF-0001".into(),
        operation,
        service: "COMPRAS POR INTERNET".into(),
        customer_name: "JESUS".into(),
        account_number: "00121110".into(),
        account_product_name: "AHORRO PN SOLES".into(),
        currency: Currency::PEN,
        email: "jesus@cmactacna.com.pe".into(),
        at: t0(),
        at_local: "20/11/2026 10:00:00".into(),
    }
}

pub fn no_debt(all_loans: bool) -> NoDebtCertificate {
    NoDebtCertificate {
        certificate_number: "ND-0001".into(),
        customer_name: "JESUS".into(),
        masked_dni: "*****410".into(),
        all_loans,
        loans: Vec::new(),
        issued_at: t0(),
        issued_at_local: "20/11/2026 10:00:00".into(),
    }
}

pub fn ticket(kind: RequestKind) -> RequestTicket {
    RequestTicket {
        ticket_number: "REQ-0042".into(),
        kind,
        filed_at: t0(),
        filed_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
        business_days: 15,
        deadline: NaiveDate::from_ymd_opt(2026, 12, 14).unwrap_or_default(),
    }
}

pub fn enrollment_started() -> EnrollmentStarted {
    let question = |id: &str, options: &[&str]| EnrollmentQuestion {
        id: id.into(),
        text: format!("Pregunta {id}"),
        options: options.iter().map(|s| (*s).to_owned()).collect(),
    };
    EnrollmentStarted {
        enrollment_id: "E-1".into(),
        questions: vec![
            question("q1", &["Servicios generales", "Sin asignar", "Docente"]),
            question("q2", &["3007386448", "3008349362", "Sin asignar"]),
            question("q3", &["02/29/1980", "03/24/1954", "04/28/1997"]),
        ],
        attempts_left: 3,
    }
}

pub fn enrollment_verified() -> EnrollmentVerified {
    EnrollmentVerified { enrollment_id: "E-1".into(), otp: otp_sent("OTP-E") }
}

pub fn enrollment_completed() -> EnrollmentCompleted {
    EnrollmentCompleted { enrollment_id: "E-1".into(), at: t0() }
}
