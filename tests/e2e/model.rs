//! The model-based end-to-end test of the money promise as a customer sees it (issue 18): seeded random
//! sequences of loan payments — the due installment (overdue ones included), an advance of one or two
//! installments, both kinds of partial prepayment, total cancellation, from an account in the loan's
//! currency or in the other one — with days passing between them on the central's clock, each one driven
//! through a real `Session` against the real runtime, outbox, journal, emulated printer and the central
//! simulator over loopback TLS.
//!
//! After every step: the amount the summary showed = the amount paid = the debit (the account's balance
//! before − after, read from the central) = what the central applied (its parts) = what the printed receipt
//! and the journaled receipt document say; and the loan as the central lists it (installments paid, overdue,
//! the installment due with its date and amount, the capital balance) equals a small independent model
//! below, which replays the loan's history with the core's schedule functions only (`build`,
//! `PeriodPlan::amortize_*`, `interest_for`) — never the core's payment code the central applies.
//!
//! `SERVICAJA_MODEL_CASES` (sequences), `SERVICAJA_MODEL_STEPS` (operations per sequence) and
//! `SERVICAJA_MODEL_SEED` (a number) change the run (`SERVICAJA_MODEL_LOG=1` prints what each step did); a failure prints the whole sequence and what each
//! step did, after proptest's shrinking.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Duration, Months, NaiveDate};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use rust_decimal::Decimal;
use servicaja_central::{Fixtures, ManualClock};
use servicaja_core::api::ErrorCode;
use servicaja_core::api::{Loan as ApiLoan, OpenSessionRequest, PaymentDone, PaymentOption, PaymentQuote, paths};
use servicaja_core::loans::{Installment, LoanTerms, Paid, PeriodPlan, build, interest_for};
use servicaja_core::money::{Currency, ExchangeRate, Money};
use servicaja_core::settings::Settings;
use servicaja_session::state::{AmountError, DeliveryStage, InputError, Notice, Payment, Screen};
use servicaja_session::{Action, DeliveryChoice, MenuItem};

use crate::world::{CARD, CLAVE, DNI, World};

const LOANS: [&str; 3] = ["L-00340001", "L-00350001", "L-00360001"];
const PEN_ACCOUNT: &str = "A-00121110";
const USD_ACCOUNT: &str = "A-00121210";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The fixtures of the run: JESUS's accounts deep enough for thousands of payments, and his consumer loan
/// one installment behind (overdue from the first step).
fn fixtures_toml() -> String {
    let text = servicaja_central::DEFAULT_FIXTURES
        .replace("balance = \"8500.00\"", "balance = \"9000000.00\"")
        .replace("balance = \"2000.00\"", "balance = \"2000000.00\"");
    let consumer = "disbursed_months_ago = 4\ninstallments_paid = 3";
    assert!(text.contains(consumer), "the fixture consumer loan is as expected");
    text.replace(consumer, "disbursed_months_ago = 4\ninstallments_paid = 2")
}

/// The channel table with the kiosk's limits far above any loan of the fixtures (the limits have tests of
/// their own; here they would only refuse the mortgage's cancellation).
fn channels_toml() -> String {
    let table = servicaja_core::channels::EMBEDDED_TOML;
    let kiosk = table.find("[kiosk]").expect("the table has the kiosk's section");
    let (head, tail) = table.split_at(kiosk);
    let mut tail = tail.to_owned();
    for max in ["30000", "5000", "60000", "10000"] {
        tail = tail.replace(&format!("max = \"{max}\""), "max = \"100000000\"");
    }
    format!("{head}{tail}")
}

/// One customer operation, as generated; [`Model::plan`] turns it into what the customer does that day.
#[derive(Debug, Clone, Copy)]
enum Op {
    /// "Pagar cuota": the overdue installments, or else the installment of the period.
    Due { loan: usize, other_currency: bool },
    /// An advance of one or two installments.
    Advance { loan: usize, installments: u8, other_currency: bool },
    /// A partial prepayment: a point between the advance limit and the payoff.
    Prepay { loan: usize, keep_term: bool, fraction: u16, other_currency: bool },
    /// Cancellation.
    Total { loan: usize, other_currency: bool },
    /// Days pass (the customer leaves and comes back).
    Wait { days: u8 },
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let loan = 0..LOANS.len();
    prop_oneof![
        15 => (loan.clone(), any::<bool>()).prop_map(|(loan, other_currency)| Op::Due { loan, other_currency }),
        12 => (loan.clone(), 1u8..=2, any::<bool>())
            .prop_map(|(loan, installments, other_currency)| Op::Advance { loan, installments, other_currency }),
        12 => (loan.clone(), any::<bool>(), any::<u16>(), any::<bool>()).prop_map(
            |(loan, keep_term, fraction, other_currency)| Op::Prepay { loan, keep_term, fraction, other_currency }
        ),
        1 => (loan, any::<bool>()).prop_map(|(loan, other_currency)| Op::Total { loan, other_currency }),
        // Mostly days within a period; now and then more than a month (installments fall overdue). A
        // cancellation is rare, so that sequences keep open loans to pay.
        9 => prop_oneof![4 => 1u8..=12, 1 => 25u8..=45].prop_map(|days| Op::Wait { days }),
    ]
}

/// A loan as the model knows it: its schedule rows with what was paid on each.
#[derive(Debug, Clone)]
struct ModelLoan {
    id: &'static str,
    currency: Currency,
    tea: Decimal,
    moratorium_tea: Decimal,
    fixed: Decimal,
    rows: Vec<Installment>,
}

fn settled(row: &Installment) -> bool {
    row.paid.principal == row.principal && row.paid.interest == row.interest && row.paid.insurance == row.insurance
}

fn remaining(row: &Installment) -> Decimal {
    row.principal - row.paid.principal + row.interest - row.paid.interest + row.insurance - row.paid.insurance
}

/// Takes up to `available` for a component owing `owed`.
fn take(available: &mut Decimal, owed: Decimal) -> Decimal {
    let part = owed.max(Decimal::ZERO).min(*available);
    *available -= part;
    part
}

/// What a payment is expected to charge and to apply, by component.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Parts {
    principal: Decimal,
    interest: Decimal,
    insurance: Decimal,
    moratorium: Decimal,
}

impl Parts {
    fn total(&self) -> Decimal {
        self.principal + self.interest + self.insurance + self.moratorium
    }
    fn add(&mut self, other: &Parts) {
        self.principal += other.principal;
        self.interest += other.interest;
        self.insurance += other.insurance;
        self.moratorium += other.moratorium;
    }
}

impl ModelLoan {
    /// The fixture loan as loaded on `today`: disbursed `disbursed_months_ago` months minus ten days ago,
    /// the first `installments_paid` installments paid on their due dates.
    fn load(fixtures: &Fixtures, id: &'static str, today: NaiveDate) -> ModelLoan {
        let fixture = fixtures.customers.iter().flat_map(|c| &c.loans).find(|l| l.id == id).expect("fixture loan");
        let disbursement = today - Months::new(fixture.disbursed_months_ago) + Duration::days(10);
        let loan = build(&LoanTerms {
            currency: fixture.currency,
            principal: fixture.principal,
            tea: fixture.tea,
            moratorium_tea: fixture.moratorium_tea,
            installments: fixture.installments,
            disbursement_date: disbursement,
            first_due_date: disbursement + Months::new(1),
            day_count: Default::default(),
            desgravamen: Default::default(),
        })
        .expect("the fixture's schedule");
        let mut rows = loan.installments;
        for row in rows.iter_mut().take(fixture.installments_paid as usize) {
            row.paid =
                Paid { principal: row.principal, interest: row.interest, insurance: row.insurance, ..Paid::default() };
        }
        assert!(rows.iter().all(|r| r.insurance.is_zero()), "the fixtures carry no desgravamen");
        ModelLoan {
            id,
            currency: fixture.currency,
            tea: fixture.tea,
            moratorium_tea: fixture.moratorium_tea,
            fixed: loan.fixed_payment,
            rows,
        }
    }

    fn cancelled(&self) -> bool {
        self.rows.iter().all(settled)
    }

    fn outstanding(&self) -> Decimal {
        self.rows.iter().map(|r| r.principal - r.paid.principal).sum()
    }

    fn overdue(&self, today: NaiveDate) -> Vec<usize> {
        (0..self.rows.len()).filter(|&i| !settled(&self.rows[i]) && self.rows[i].due_date < today).collect()
    }

    fn moratorium(&self, row: &Installment, today: NaiveDate) -> Decimal {
        let days = u32::try_from((today - row.due_date).num_days().max(0)).unwrap();
        if days == 0 {
            return Decimal::ZERO;
        }
        let accrued = interest_for(row.principal - row.paid.principal, self.moratorium_tea, days).unwrap();
        (accrued - row.paid.moratorium).max(Decimal::ZERO)
    }

    fn overdue_total(&self, today: NaiveDate) -> Decimal {
        self.overdue(today).iter().map(|&i| remaining(&self.rows[i]) + self.moratorium(&self.rows[i], today)).sum()
    }

    /// The installment of the period: the first one not paid falling due today or later.
    fn current(&self, today: NaiveDate) -> Option<usize> {
        self.rows.iter().position(|r| !settled(r) && r.due_date >= today)
    }

    /// Interest accrued on the current period up to today, less what was paid of it.
    fn accrued(&self, today: NaiveDate) -> Decimal {
        let Some(k) = self.current(today) else { return Decimal::ZERO };
        let row = &self.rows[k];
        let days = u32::try_from((today - row.period_start).num_days().max(0)).unwrap().min(row.days);
        let accrued = interest_for(row.opening_balance, self.tea, days).unwrap().min(row.interest);
        (accrued - row.paid.interest).max(Decimal::ZERO)
    }

    /// The overdue installments with their moratorium, the principal of the rows not yet due, and the
    /// interest accrued on the current period: an overdue row's principal is owed once, in its installment.
    fn payoff(&self, today: NaiveDate) -> Decimal {
        let overdue = self.overdue(today);
        let not_due: Decimal = (0..self.rows.len())
            .filter(|i| !overdue.contains(i))
            .map(|i| self.rows[i].principal - self.rows[i].paid.principal)
            .sum();
        self.overdue_total(today) + not_due + self.accrued(today)
    }

    /// "Pagar cuota — la cuota exigible y las vencidas": the overdue installments with their moratorium and
    /// the installment of the period, never more than the payoff.
    fn due_amount(&self, today: NaiveDate) -> Decimal {
        (self.overdue_total(today) + self.next_installments(today, 1)).min(self.payoff(today))
    }

    /// The next `count` installments not yet due, after the overdue ones.
    fn next_installments(&self, today: NaiveDate, count: usize) -> Decimal {
        self.rows.iter().filter(|r| !settled(r) && r.due_date >= today).take(count).map(remaining).sum()
    }

    /// Pays `amount` over the installments in order (overdue first, with moratorium): a due installment or
    /// an advance.
    fn pay_in_order(&mut self, today: NaiveDate, amount: Decimal) -> (Parts, Vec<u32>) {
        let mut available = amount;
        let mut parts = Parts::default();
        let mut covered = Vec::new();
        for i in 0..self.rows.len() {
            if available.is_zero() {
                break;
            }
            if settled(&self.rows[i]) {
                continue;
            }
            let moratorium =
                if self.rows[i].due_date < today { self.moratorium(&self.rows[i], today) } else { Decimal::ZERO };
            let row = &mut self.rows[i];
            let m = take(&mut available, moratorium);
            let s = take(&mut available, row.insurance - row.paid.insurance);
            let n = take(&mut available, row.interest - row.paid.interest);
            let p = take(&mut available, row.principal - row.paid.principal);
            row.paid.moratorium += m;
            row.paid.insurance += s;
            row.paid.interest += n;
            row.paid.principal += p;
            parts.moratorium += m;
            parts.insurance += s;
            parts.interest += n;
            parts.principal += p;
            covered.push(row.number);
        }
        (parts, covered)
    }

    /// A prepayment with nothing overdue: the interest accrued to today, then principal; the rows from the
    /// current period on are rebuilt over the due dates after today (the same installment over fewer of
    /// them, or all of them at a lower installment). Without a choice it cancels the loan.
    fn prepay(&mut self, today: NaiveDate, amount: Decimal, keep_term: Option<bool>) -> Parts {
        let k = self.current(today).expect("a period to prepay");
        let mut available = amount;
        let interest = take(&mut available, self.accrued(today));
        let principal = available;
        let balance = self.outstanding() - principal;
        let current = self.rows[k].clone();
        let Some(keep_term) = keep_term else {
            assert!(balance.is_zero(), "a cancellation pays the whole balance");
            self.rows.truncate(k);
            return Parts { principal, interest, ..Parts::default() };
        };
        let later: Vec<&Installment> = self.rows[k..].iter().filter(|r| r.due_date > today).collect();
        let due_dates: Vec<NaiveDate> = later.iter().map(|r| r.due_date).collect();
        let plan = PeriodPlan {
            tea: self.tea,
            day_count: Default::default(),
            desgravamen: Default::default(),
            start: today.max(current.period_start),
            first_number: later.first().map_or(current.number, |r| r.number),
        };
        let rows = if keep_term {
            // Core refuses a balance too small to spread over the term in cents; the caller predicts that
            // refusal before applying.
            let (fixed, rows) = plan.amortize_to_zero(balance, &due_dates).expect("a new schedule");
            self.fixed = fixed;
            rows
        } else {
            plan.amortize_with_payment(balance, &due_dates, self.fixed).expect("a new schedule")
        };
        self.rows.truncate(k);
        self.rows.extend(rows);
        Parts { principal, interest, ..Parts::default() }
    }
}

impl ModelLoan {
    /// Whether "reduce the installment, keep the term" for `amount` today leaves a balance below one unit per
    /// remaining due date, or one that no installment in cents spreads over them (core then refuses it).
    fn term_cannot_be_kept(&self, today: NaiveDate, amount: Decimal) -> bool {
        let Some(k) = self.current(today) else { return false };
        let balance = self.outstanding() - (amount - self.accrued(today).min(amount));
        let due_dates: Vec<NaiveDate> = self.rows[k..].iter().map(|r| r.due_date).filter(|&d| d > today).collect();
        let plan = PeriodPlan {
            tea: self.tea,
            day_count: Default::default(),
            desgravamen: Default::default(),
            start: today.max(self.rows[k].period_start),
            first_number: 1,
        };
        // The caja's floor: one unit of the currency for each installment left.
        let floor = Decimal::from(due_dates.len());
        balance > Decimal::ZERO && (balance < floor || plan.amortize_to_zero(balance, &due_dates).is_err())
    }
}

/// What the customer does for an operation on the model's state, or why it is not possible today.
#[derive(Debug, Clone)]
struct Plan {
    loan: usize,
    option: PaymentOption,
    /// Typed on the amount screen, for the options that ask for one.
    typed: Option<Decimal>,
    amount: Decimal,
    account: &'static str,
    /// The central is expected to refuse the amount (the customer is back on the amount screen, told why).
    refused: bool,
}

struct Model {
    loans: Vec<ModelLoan>,
    today: NaiveDate,
    balances: [(&'static str, Decimal); 2],
    rate: ExchangeRate,
}

impl Model {
    fn plan(&self, op: Op) -> Result<Plan, String> {
        let (loan_index, other_currency) = match op {
            Op::Due { loan, other_currency }
            | Op::Advance { loan, other_currency, .. }
            | Op::Prepay { loan, other_currency, .. }
            | Op::Total { loan, other_currency } => (loan, other_currency),
            Op::Wait { .. } => return Err("not a payment".into()),
        };
        // A cancelled loan is no longer offered: the operation goes to the next loan still open.
        let loan_index = (0..self.loans.len())
            .map(|offset| (loan_index + offset) % self.loans.len())
            .find(|&i| !self.loans[i].cancelled())
            .ok_or("every loan is cancelled")?;
        let loan = &self.loans[loan_index];
        let today = self.today;
        let account = match (loan.currency, other_currency) {
            (Currency::PEN, false) | (Currency::USD, true) => PEN_ACCOUNT,
            _ => USD_ACCOUNT,
        };
        let overdue = !loan.overdue(today).is_empty();
        let payoff = loan.payoff(today);
        let advance_limit = (loan.overdue_total(today) + loan.next_installments(today, 2)).min(payoff);
        // R6: with installments overdue only "Pagar cuota" is offered (the options screen is checked for it);
        // the customer pays the overdue ones instead.
        let op = match op {
            Op::Advance { .. } | Op::Prepay { .. } | Op::Total { .. } if overdue => {
                Op::Due { loan: loan_index, other_currency }
            }
            other => other,
        };
        let (option, typed) = match op {
            Op::Due { .. } => {
                if loan.due_amount(today).is_zero() {
                    return Err("nothing due".into());
                }
                (PaymentOption::DueInstallment, None)
            }
            Op::Total { .. } => (PaymentOption::Total, None),
            Op::Advance { installments, .. } => {
                let amount = loan.next_installments(today, usize::from(installments));
                // An advance must stay below the payoff (the last installments paid early are a cancellation).
                if amount.is_zero() || amount >= payoff {
                    return Err("no advance below the payoff".into());
                }
                // The kiosk refuses a typed amount above the capital balance (session's own check).
                if amount > loan.outstanding() {
                    return Err("an advance above the capital balance".into());
                }
                (PaymentOption::Advance, Some(amount))
            }
            Op::Prepay { keep_term, fraction, .. } => {
                // Above the advance limit, below the payoff and (the kiosk's own check) the capital balance.
                let low = advance_limit + Decimal::new(1, 2);
                let high = (payoff - Decimal::new(1, 2)).min(loan.outstanding());
                if high < low {
                    return Err("no room for a partial prepayment".into());
                }
                let step = ((high - low) * Decimal::from(fraction) / Decimal::from(u16::MAX)).round_dp(2);
                let option = if keep_term {
                    PaymentOption::PrepaymentReduceAmount
                } else {
                    PaymentOption::PrepaymentReduceCount
                };
                (option, Some((low + step).min(high)))
            }
            Op::Wait { .. } => unreachable!(),
        };
        let amount = match option {
            PaymentOption::DueInstallment => loan.due_amount(today),
            PaymentOption::Total => payoff,
            _ => typed.unwrap_or_default(),
        };
        let refused = option == PaymentOption::PrepaymentReduceAmount && loan.term_cannot_be_kept(today, amount);
        Ok(Plan { loan: loan_index, option, typed, amount, account, refused })
    }

    /// Applies a planned payment to the model: what each component receives.
    fn apply(&mut self, plan: &Plan) -> (Parts, Vec<u32>) {
        let today = self.today;
        let loan = &mut self.loans[plan.loan];
        // As the caja classifies an amount: exactly the installment(s) due (the overdue ones, or the one of
        // the period, or both) pays them in order, even when that also cancels the loan; the payoff below them
        // (the last installment paid early) is a cancellation.
        let overdue = loan.overdue_total(today);
        let due_cost = if loan.overdue(today).is_empty() { loan.next_installments(today, 1) } else { overdue };
        let in_order = plan.amount == due_cost || plan.amount == overdue + loan.next_installments(today, 1);
        match plan.option {
            PaymentOption::DueInstallment | PaymentOption::Advance | PaymentOption::Total if in_order => {
                loan.pay_in_order(today, plan.amount)
            }
            PaymentOption::Advance => loan.pay_in_order(today, plan.amount),
            PaymentOption::DueInstallment | PaymentOption::Total => {
                // The payoff below the installments due: the overdue ones are paid first, in full with their
                // moratorium, and the rest cancels the loan.
                let (mut parts, covered) = loan.pay_in_order(today, overdue.min(plan.amount));
                let rest = plan.amount - overdue.min(plan.amount);
                parts.add(&loan.prepay(today, rest, None));
                (parts, covered)
            }
            PaymentOption::PrepaymentReduceAmount => (loan.prepay(today, plan.amount, Some(true)), Vec::new()),
            PaymentOption::PrepaymentReduceCount => (loan.prepay(today, plan.amount, Some(false)), Vec::new()),
        }
    }

    fn debit(&self, plan: &Plan) -> Money {
        let currency = self.loans[plan.loan].currency;
        let owed = Money { amount: plan.amount, currency };
        let account_currency = if plan.account == PEN_ACCOUNT { Currency::PEN } else { Currency::USD };
        if account_currency == currency {
            owed
        } else {
            self.rate.convert_for_payment(owed, account_currency).expect("conversion").debited
        }
    }
}

/// A failed check: its message, returned through every step up to the case.
type Checked<T> = Result<T, String>;

macro_rules! check {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err(format!($($arg)+));
        }
    };
}

macro_rules! check_eq {
    ($left:expr, $right:expr, $what:expr) => {{
        let (left, right) = (&$left, &$right);
        if left != right {
            return Err(format!("{}: the kiosk/central has {:?}, the model {:?}", $what, left, right));
        }
    }};
}

/// The central as a bystander reads it: its own session for JESUS, reopened after days pass.
struct Reader {
    token: String,
}

impl Reader {
    async fn open(w: &World) -> Reader {
        let request = OpenSessionRequest { card_number: CARD.into(), dni: DNI.into(), clave: CLAVE.into() };
        Reader { token: w.client().open_session(&request).await.expect("the reader's session").token }
    }

    async fn loans(&self, w: &World) -> Vec<ApiLoan> {
        w.client().get(paths::LOANS, Some(&self.token)).await.expect("the loans")
    }

    async fn balance(&self, w: &World, account_id: &str) -> Money {
        let accounts = w.client().accounts(&self.token).await.expect("the accounts");
        accounts.into_iter().find(|a| a.id == account_id).expect("the account").balance
    }
}

/// The loan as the central lists it against the model.
fn check_loan(listed: &[ApiLoan], model: &ModelLoan, today: NaiveDate) -> Checked<()> {
    let loan = listed.iter().find(|l| l.id == model.id).ok_or_else(|| format!("{} is not listed", model.id))?;
    let what = |field: &str| format!("{} {field} on {today}", model.id);
    let paid = u32::try_from(model.rows.iter().filter(|r| settled(r)).count()).unwrap();
    check_eq!(loan.installments_paid, paid, what("installments paid"));
    check_eq!(loan.installments_total, u32::try_from(model.rows.len()).unwrap(), what("installments in the schedule"));
    check_eq!(loan.outstanding_principal.amount, model.outstanding(), what("capital balance"));
    check_eq!(
        loan.overdue_installments,
        u32::try_from(model.overdue(today).len()).unwrap(),
        what("overdue installments")
    );
    check_eq!(loan.overdue_amount.amount, model.overdue_total(today), what("overdue amount (with moratorium)"));
    check_eq!(loan.status == servicaja_core::api::LoanStatus::Cancelled, model.cancelled(), what("cancelled"));
    let due = model.current(today).map(|k| (model.rows[k].number, model.rows[k].due_date, remaining(&model.rows[k])));
    let listed_due = loan.due_installment.as_ref().map(|i| (i.number, i.due_date, i.outstanding.amount));
    check_eq!(listed_due, due, what("installment due (number, date, amount)"));
    Ok(())
}

/// Back to the menu from wherever an operation left the customer.
async fn to_menu(w: &mut World) {
    for _ in 0..4 {
        match w.screen() {
            Screen::Menu => return,
            Screen::Notice { .. } => w.ui(Action::Confirm),
            Screen::Payment(_) => w.ui(Action::Back),
            _ => {
                w.log_in().await;
                return;
            }
        }
    }
    assert_eq!(w.screen(), &Screen::Menu, "back at the menu");
}

/// Everything one payment shows, charges and prints, as the customer goes through it.
struct Seen {
    quote: PaymentQuote,
    done: PaymentDone,
    printed: String,
    journaled: String,
}

/// Drives one payment through the session: the loan, the option, the amount, the account, the summary,
/// Confirmar, the receipt printed.
async fn pay_through_the_kiosk(w: &mut World, model: &Model, plan: &Plan) -> Checked<Option<Seen>> {
    to_menu(w).await;
    w.ui(Action::Menu(MenuItem::PayLoans));
    w.until("the loans", |s| matches!(s.screen(), Screen::Payment(Payment::Loans { .. }))).await;
    let Screen::Payment(Payment::Loans { loans }) = w.screen() else { unreachable!() };
    let loan_id = model.loans[plan.loan].id;
    let index = loans.iter().position(|l| l.id == loan_id).ok_or_else(|| format!("{loan_id} is not offered"))?;
    // The option's own terms, as the loan's screen shows them: the amount it charges, the installments an
    // advance offers, the range a prepayment accepts.
    let terms = loans[index].terms(plan.option).cloned();
    let model_loan = &model.loans[plan.loan];
    let today = model.today;
    match plan.option {
        PaymentOption::DueInstallment | PaymentOption::Total => {
            let shown = terms.as_ref().and_then(|t| t.amount).map(|m| m.amount);
            check_eq!(shown, Some(plan.amount), format!("the amount the option {:?} shows", plan.option));
        }
        PaymentOption::Advance => {
            let shown: Vec<Decimal> =
                terms.as_ref().map(|t| t.installments.iter().map(|m| m.amount).collect()).unwrap_or_default();
            check!(
                shown.contains(&plan.amount),
                "the advance of {} is not among the installments shown {shown:?}",
                plan.amount
            );
        }
        PaymentOption::PrepaymentReduceAmount | PaymentOption::PrepaymentReduceCount => {
            let range = terms.as_ref().and_then(|t| t.range).ok_or("a prepayment without its range")?;
            let advance_limit = model_loan.overdue_total(today) + model_loan.next_installments(today, 2);
            check_eq!(range.min.amount, advance_limit + Decimal::new(1, 2), "the prepayment's minimum shown");
            check!(
                plan.refused || plan.amount <= range.max.amount,
                "the prepayment's maximum shown ({}) excludes {}, which the caja takes",
                range.max,
                plan.amount
            );
        }
    }
    w.ui(Action::Select(index));
    let Screen::Payment(Payment::Loan { options, .. }) = w.screen() else {
        return Err(format!("the loan's options are not shown: {:?}", w.screen()));
    };
    let overdue = !model_loan.overdue(today).is_empty();
    for &(option, allowed) in options {
        if overdue && option != PaymentOption::DueInstallment {
            check!(!allowed, "{option:?} offered with installments overdue (R6)");
        }
        if option == plan.option {
            check!(allowed, "{option:?} is not offered");
        }
    }
    w.ui(Action::PaymentOption(plan.option));
    if plan.option == PaymentOption::Advance {
        let Screen::Payment(Payment::Installments { choices, .. }) = w.screen() else {
            return Err(format!("no choice of installments: {:?}", w.screen()));
        };
        let choice = choices.iter().position(|m| m.amount == plan.amount).ok_or("the advance is not a choice")?;
        w.ui(Action::Select(choice));
    } else if let Some(typed) = plan.typed {
        check!(matches!(w.screen(), Screen::Payment(Payment::Amount { .. })), "no amount screen: {:?}", w.screen());
        w.keys(&typed.to_string());
        w.ui(Action::Confirm);
    }
    w.until("the accounts", |s| {
        matches!(s.screen(), Screen::Payment(Payment::Accounts { .. } | Payment::Amount { error: Some(_), .. }))
    })
    .await;
    if plan.refused && matches!(w.screen(), Screen::Payment(Payment::Amount { error: Some(_), .. })) {
        // Refused on the amount screen itself, with the range (defect 5).
        to_menu(w).await;
        return Ok(None);
    }
    let Screen::Payment(Payment::Accounts { accounts, .. }) = w.screen() else {
        return Err(format!("the amount was refused: {:?}", w.screen()));
    };
    let account =
        accounts.iter().position(|a| a.id == plan.account).ok_or_else(|| format!("{} not offered", plan.account))?;
    w.ui(Action::Select(account));
    w.until("the quote", |s| {
        !matches!(s.screen(), Screen::Payment(Payment::Quoting { .. } | Payment::Accounts { .. }))
    })
    .await;
    if plan.refused {
        let refused = matches!(
            w.screen(),
            Screen::Payment(Payment::Amount {
                error: Some(InputError::Amount(AmountError::Refused { code: ErrorCode::AmountInvalid, .. })),
                ..
            })
        );
        check!(refused, "the amount was not refused on the amount screen: {:?}", w.screen());
        to_menu(w).await;
        return Ok(None);
    }
    let Screen::Payment(Payment::Summary { quote, .. }) = w.screen().clone() else {
        return Err(format!("no summary: {:?}", w.screen()));
    };
    w.ui(Action::Confirm);
    w.until("the payment", |s| !matches!(s.screen(), Screen::Payment(Payment::Processing { .. }))).await;
    let Screen::Payment(Payment::Done { payment, .. }) = w.screen().clone() else {
        return Err(format!("the payment was not done: {:?}", w.screen()));
    };
    w.ui(Action::Confirm);
    check!(
        matches!(w.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::Choose),
        "no receipt choice: {:?}",
        w.screen()
    );
    let before = w.control().last_receipt_text().ok();
    w.ui(Action::Deliver(DeliveryChoice::Print));
    w.until(
        "the receipt",
        |s| !matches!(s.screen(), Screen::Delivery(d) if matches!(d.stage, DeliveryStage::Printing { .. })),
    )
    .await;
    check!(
        matches!(w.screen(), Screen::Notice { notice: Notice::Delivered { printed: true, .. }, .. }),
        "the receipt was not printed: {:?}",
        w.screen()
    );
    let printed = w.control().last_receipt_text().unwrap_or_default();
    check!(before.as_deref() != Some(printed.as_str()), "no new receipt came out");
    let journaled = w
        .journal()
        .iter()
        .rev()
        .find_map(|r| match &r.event {
            servicaja_host::JournalEvent::Receipt { operation, text, .. } if *operation == payment.operation_number => {
                let document: servicaja_receipts::Document = serde_json::from_str(text.as_str()).ok()?;
                Some(servicaja_receipts::render::text::render(&servicaja_receipts::layout(
                    &document,
                    servicaja_receipts::Columns::C48,
                )))
            }
            _ => None,
        })
        .ok_or("the receipt is not journaled")?;
    to_menu(w).await;
    Ok(Some(Seen { quote, done: payment, printed, journaled }))
}

/// One step: the operation as the customer does it, then every check.
async fn step(
    w: &mut World,
    model: &mut Model,
    reader: &mut Reader,
    clock: &ManualClock,
    op: Op,
    log: &mut String,
) -> Checked<bool> {
    if let Op::Wait { days } = op {
        clock.advance(Duration::days(i64::from(days)));
        model.today += Duration::days(i64::from(days));
        let _ = writeln!(log, "  {days} day(s) pass: {}", model.today);
        // The customer's central session has expired meanwhile: the customer leaves and comes back.
        w.ui(Action::Terminate);
        w.log_in().await;
        *reader = Reader::open(w).await;
    } else {
        let plan = match model.plan(op) {
            Ok(plan) => plan,
            Err(why) => {
                let _ = writeln!(log, "  {op:?}: skipped ({why})");
                return Ok(false);
            }
        };
        let debit = model.debit(&plan);
        let balance_before = reader.balance(w, plan.account).await;
        let seen = pay_through_the_kiosk(w, model, &plan).await?;
        let balance_after = reader.balance(w, plan.account).await;
        let Some(seen) = seen else {
            let _ =
                writeln!(log, "  {op:?}: {:?} {} refused: too little capital for the term", plan.option, plan.amount);
            check_eq!(balance_after, balance_before, "the balance after a refused amount");
            let listed = reader.loans(w).await;
            for loan in &model.loans {
                check_loan(&listed, loan, model.today)?;
            }
            return Ok(false);
        };
        let (parts, covered) = model.apply(&plan);
        let currency = model.loans[plan.loan].currency;
        let amount = Money { amount: plan.amount, currency };
        let _ = writeln!(
            log,
            "  {op:?}: {:?} {amount} from {} (debit {debit}), op {}",
            plan.option, plan.account, seen.done.operation_number
        );
        let (quote, done) = (&seen.quote, &seen.done);
        check_eq!(quote.amount, amount, "the summary's amount");
        check_eq!(quote.debit, debit, "the summary's debit");
        check_eq!(done.amount, quote.amount, "the amount paid (vs the summary)");
        check_eq!(done.debit, quote.debit, "the debit charged (vs the summary)");
        check_eq!(balance_before.amount - balance_after.amount, debit.amount, "the account's balance before − after");
        check_eq!(done.account_balance_after, balance_after, "the balance the answer reports");
        let applied = Parts {
            principal: done.principal_part.amount,
            interest: done.interest_part.amount,
            insurance: done.insurance_part.amount,
            moratorium: done.moratorium_part.amount,
        };
        check_eq!(applied.total(), done.amount.amount, "the central's parts add up to the amount");
        check_eq!(applied, parts, "what the central applied, by component");
        let quoted = Parts {
            principal: quote.principal_part.amount,
            interest: quote.interest_part.amount,
            insurance: quote.insurance_part.amount,
            moratorium: quote.moratorium_part.amount,
        };
        check_eq!(quoted, parts, "what the summary showed, by component");
        if matches!(plan.option, PaymentOption::DueInstallment | PaymentOption::Advance) && !covered.is_empty() {
            check_eq!(done.installments_covered, covered, "installments covered");
        }
        let loan = &model.loans[plan.loan];
        check_eq!(done.loan_cancelled, loan.cancelled(), "the loan cancelled");
        check_eq!(done.loan_outstanding_after.amount, loan.outstanding(), "the capital balance after (answer)");
        let partial =
            matches!(plan.option, PaymentOption::PrepaymentReduceAmount | PaymentOption::PrepaymentReduceCount);
        check_eq!(quote.new_schedule.is_some(), partial, "new schedule figures shown");
        check_eq!(done.new_schedule, quote.new_schedule, "the new schedule figures paid (vs the summary)");
        if let Some(figures) = &quote.new_schedule {
            let k = loan.current(model.today).expect("rows left after a partial prepayment");
            let first = &loan.rows[k];
            check_eq!(figures.installment_amount.amount, first.principal + first.interest, "«Nueva cuota»");
            let unpaid = u32::try_from(loan.rows.iter().filter(|r| !settled(r)).count()).unwrap();
            check_eq!(figures.installments_remaining, unpaid, "«Cuotas restantes»");
            check_eq!(figures.outstanding_principal.amount, loan.outstanding(), "the new schedule's capital");
        }
        // On paper: the operation, the amount paid and, after a partial prepayment, the new installment and
        // the capital left.
        let mut needles = vec![done.operation_number.clone(), done.amount.to_string()];
        if let Some(figures) = &done.new_schedule {
            needles.push(figures.installment_amount.to_string());
            needles.push(figures.outstanding_principal.to_string());
        }
        for (what, text) in [("printed", &seen.printed), ("journaled", &seen.journaled)] {
            for needle in &needles {
                check!(text.contains(needle.as_str()), "the {what} receipt lacks {needle}:\n{text}");
            }
            if done.debit.currency != done.amount.currency {
                check!(
                    text.contains(&done.debit.to_string()),
                    "the {what} receipt lacks the debit {}:\n{text}",
                    done.debit
                );
            }
        }
        for (id, value) in model.balances.iter_mut() {
            if *id == plan.account {
                *value -= debit.amount;
                check_eq!(balance_after.amount, *value, format!("{id}'s balance over the whole run"));
            }
        }
    }
    let listed = reader.loans(w).await;
    for loan in &model.loans {
        check_loan(&listed, loan, model.today)?;
    }
    Ok(!matches!(op, Op::Wait { .. }))
}

async fn run_case(ops: &[Op], counts: &[std::sync::atomic::AtomicU64; 2]) -> Result<(), TestCaseError> {
    let start = chrono::Utc::now();
    let clock = ManualClock::new(start);
    let central_clock: Arc<dyn servicaja_central::Clock> = Arc::new(clock.clone());
    let fixtures_text = fixtures_toml();
    let mut w = World::start_with_central(Settings::default(), |config| {
        config.clock = central_clock;
        config.fixtures_toml = Some(fixtures_text.clone());
        config.channels_toml = Some(channels_toml());
    })
    .await;
    let fixtures = Fixtures::parse(&fixtures_text).expect("fixtures");
    let today = servicaja_core::calendar::lima_date(start);
    let mut model = Model {
        loans: LOANS.iter().map(|id| ModelLoan::load(&fixtures, id, today)).collect(),
        today,
        balances: [(PEN_ACCOUNT, Decimal::new(900_000_000, 2)), (USD_ACCOUNT, Decimal::new(200_000_000, 2))],
        rate: fixtures.exchange,
    };
    w.log_in().await;
    let mut reader = Reader::open(&w).await;
    let mut log = format!("from {today}:\n");
    let listed = reader.loans(&w).await;
    for loan in &model.loans {
        if let Err(message) = check_loan(&listed, loan, today) {
            return Err(TestCaseError::fail(format!("the fixtures as loaded: {message}")));
        }
    }
    for (index, &op) in ops.iter().enumerate() {
        match step(&mut w, &mut model, &mut reader, &clock, op, &mut log).await {
            Ok(paid) => {
                counts[0].fetch_add(1, Ordering::Relaxed);
                counts[1].fetch_add(u64::from(paid), Ordering::Relaxed);
            }
            Err(message) => {
                return Err(TestCaseError::fail(format!(
                    "step {index} ({op:?}) on {}: {message}\nsequence: {ops:?}\nwhat each step did:\n{log}",
                    model.today
                )));
            }
        }
    }
    if std::env::var_os("SERVICAJA_MODEL_LOG").is_some() {
        println!("{log}");
    }
    Ok(())
}

#[test]
fn random_payment_sequences_agree_with_the_model_on_every_screen_debit_loan_and_receipt() {
    let cases = env_number("SERVICAJA_MODEL_CASES", 40) as u32;
    let steps = env_number("SERVICAJA_MODEL_STEPS", 50) as usize;
    let seed = env_number("SERVICAJA_MODEL_SEED", 18);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    // Each shrinking attempt replays a whole sequence against a new world: a few are enough to cut a failure
    // down (the message lists the sequence and what each step did either way).
    let shrink = env_number("SERVICAJA_MODEL_SHRINK", 8) as u32;
    let config = Config { cases, max_shrink_iters: shrink, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let counts = [AtomicU64::new(0), AtomicU64::new(0)];
    let started = std::time::Instant::now();
    let result =
        runner.run(&prop::collection::vec(op_strategy(), steps..=steps), |ops| tokio.block_on(run_case(&ops, &counts)));
    println!(
        "model test: {} steps ({} payments) in {cases} sequence(s) of {steps} (with shrinking, if any), seed {seed}, \
         {:.1} s",
        counts[0].load(Ordering::Relaxed),
        counts[1].load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    if let Err(failure) = result {
        panic!("the kiosk disagrees with the model (seed {seed}):\n{failure}");
    }
}
