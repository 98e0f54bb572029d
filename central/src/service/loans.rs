//! Loans (R5–R9) as the customer sees them: the loan views, the schedule, the options' terms.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;
use servicaja_core::api::*;
use servicaja_core::channels::KioskEligibility;
use servicaja_core::loans::{self, PaymentKind, PrepaymentChoice};
use servicaja_core::money::{Currency, Money};

use crate::db::enum_from;

use super::{Ctx, OpResult, fail, money, parse_decimal};

pub(super) struct LoanRow {
    pub(super) id: String,
    pub(super) number: String,
    pub(super) product_type: LoanProductType,
    pub(super) product_name: String,
    pub(super) currency: Currency,
    pub(super) disbursed: Decimal,
    pub(super) state_json: String,
    pub(super) state: loans::Loan,
    pub(super) cancelled_on: Option<NaiveDate>,
}

const LOAN_COLUMNS: &str = "id, number, product_type, product_name, currency, disbursed, state_json, cancelled_on";

fn loan_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<LoanRow> {
    let state_json: String = row.get(6)?;
    let state = serde_json::from_str(&state_json)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e)))?;
    let cancelled_on: Option<String> = row.get(7)?;
    Ok(LoanRow {
        id: row.get(0)?,
        number: row.get(1)?,
        product_type: enum_from(&row.get::<_, String>(2)?)?,
        product_name: row.get(3)?,
        currency: enum_from(&row.get::<_, String>(4)?)?,
        disbursed: parse_decimal(&row.get::<_, String>(5)?)?,
        state_json,
        state,
        cancelled_on: cancelled_on.and_then(|d| d.parse().ok()),
    })
}

pub(super) fn own_loans(conn: &Connection, customer_id: &str) -> OpResult<Vec<LoanRow>> {
    let mut statement =
        conn.prepare_cached(&format!("SELECT {LOAN_COLUMNS} FROM loans WHERE customer_id = ?1 ORDER BY id"))?;
    let rows = statement.query_map(params![customer_id], loan_from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(super) fn own_loan(conn: &Connection, customer_id: &str, loan_id: &str) -> OpResult<LoanRow> {
    conn.query_row(
        &format!("SELECT {LOAN_COLUMNS} FROM loans WHERE id = ?1 AND customer_id = ?2"),
        params![loan_id, customer_id],
        loan_from_row,
    )
    .optional()?
    .ok_or_else(|| fail(ErrorCode::NotFound, "El crédito no existe o no pertenece al cliente."))
}

/// R8: the customer-facing reason the kiosk does not take payments for this product type, if it does not.
pub(super) fn refusal_message(ctx: &Ctx<'_>, product_type: LoanProductType) -> Option<String> {
    match ctx.channels.kiosk_eligibility(product_type) {
        KioskEligibility::Payable => None,
        KioskEligibility::NotPayable { message, .. } => Some(message),
    }
}

fn installment_view(
    state: &loans::Loan,
    installment: &loans::Installment,
    today: NaiveDate,
    due_number: Option<u32>,
) -> Installment {
    let currency = state.currency;
    let settled = installment.is_settled();
    let overdue = !settled && installment.due_date < today;
    let moratorium = if overdue {
        loans::moratorium::moratorium_due(installment, state.moratorium_tea, today).unwrap_or(Decimal::ZERO)
    } else {
        Decimal::ZERO
    };
    let status = if settled {
        InstallmentStatus::Paid
    } else if overdue {
        InstallmentStatus::Overdue
    } else if Some(installment.number) == due_number {
        InstallmentStatus::Due
    } else {
        InstallmentStatus::Pending
    };
    Installment {
        number: installment.number,
        due_date: installment.due_date,
        principal: money(installment.principal, currency),
        interest: money(installment.interest, currency),
        insurance: money(installment.insurance, currency),
        moratorium: money(moratorium, currency),
        total: money(installment.amount() + moratorium, currency),
        outstanding: money(installment.remaining().max(Decimal::ZERO) + moratorium, currency),
        status,
        days_late: loans::moratorium::days_late(installment, today),
    }
}

fn due_number(state: &loans::Loan, today: NaiveDate) -> Option<u32> {
    state.installments.iter().find(|i| !i.is_settled() && i.due_date >= today).map(|i| i.number)
}

fn loan_view(ctx: &Ctx<'_>, row: &LoanRow, today: NaiveDate) -> Loan {
    let state = &row.state;
    let currency = row.currency;
    let due = due_number(state, today);
    let views: Vec<Installment> = state.installments.iter().map(|i| installment_view(state, i, today, due)).collect();
    let overdue: Vec<&Installment> = views.iter().filter(|i| i.status == InstallmentStatus::Overdue).collect();
    let overdue_amount = overdue.iter().map(|i| i.outstanding.amount).sum();
    let cancelled = state.is_cancelled();
    let refusal = if cancelled { None } else { refusal_message(ctx, row.product_type) };
    Loan {
        id: row.id.clone(),
        number: row.number.clone(),
        product_type: row.product_type,
        product_name: row.product_name.clone(),
        currency,
        status: if cancelled { LoanStatus::Cancelled } else { LoanStatus::Current },
        disbursed: money(row.disbursed, currency),
        outstanding_principal: money(state.outstanding_principal(), currency),
        annual_rate_percent: (state.tea * Decimal::ONE_HUNDRED).round_dp(2),
        installments_total: u32::try_from(state.installments.len()).unwrap_or(u32::MAX),
        installments_paid: u32::try_from(state.installments.iter().filter(|i| i.is_settled()).count()).unwrap_or(0),
        overdue_installments: u32::try_from(overdue.len()).unwrap_or(u32::MAX),
        overdue_amount: money(overdue_amount, currency),
        due_installment: views.iter().find(|i| i.status == InstallmentStatus::Due).cloned(),
        kiosk_payable: !cancelled && refusal.is_none(),
        kiosk_refusal: if cancelled { Some("El crédito está cancelado.".to_owned()) } else { refusal },
        option_terms: if cancelled { Vec::new() } else { option_terms(state, today) },
        exchange_rates: Some(exchange_rates(ctx)),
    }
}

/// The amount a payment option with one amount charges (the due installment, the total), from the core's
/// figures of the day: the quote charges exactly this (`compute_payment`), so the option shows it.
pub(super) fn fixed_amount(options: &loans::PaymentOptions, option: PaymentOption) -> Option<Decimal> {
    match option {
        // The installment due with the overdue ones and their moratorium ("la cuota exigible y las vencidas").
        PaymentOption::DueInstallment => Some(options.overdue_and_next_amount),
        PaymentOption::Total => Some(options.payoff_amount),
        _ => None,
    }
}

/// What each option charges today (R6, R7): the fixed amounts, the advance's one and two installments, the
/// partial prepayments' range (more than the advance limit, less than the payoff). Options R6 forbids (an
/// overdue loan) or that no amount fits are left out.
fn option_terms(state: &loans::Loan, today: NaiveDate) -> Vec<OptionTerms> {
    let Ok(options) = state.payment_options(today) else { return Vec::new() };
    let currency = state.currency;
    let overdue = options.overdue.count > 0;
    let cent = Decimal::new(1, 2);
    let mut terms = Vec::new();
    for option in [PaymentOption::DueInstallment, PaymentOption::Total] {
        if let Some(amount) = fixed_amount(&options, option).filter(|a| *a > Decimal::ZERO) {
            terms.push(OptionTerms {
                option,
                amount: Some(money(amount, currency)),
                installments: Vec::new(),
                range: None,
            });
        }
    }
    if overdue {
        return terms;
    }
    // One installment, then two: each kept only when the core takes it as an advance (or the due installment),
    // never when it already is the payoff.
    let mut installments = Vec::new();
    for amount in [options.due_amount, options.advance_limit] {
        let advance =
            matches!(options.classify(amount), Ok(PaymentKind::InstallmentAdvance | PaymentKind::DueInstallment));
        if advance && amount > Decimal::ZERO && installments.last().is_none_or(|m: &Money| m.amount < amount) {
            installments.push(money(amount, currency));
        }
    }
    if !installments.is_empty() {
        terms.push(OptionTerms { option: PaymentOption::Advance, amount: None, installments, range: None });
    }
    let min = options.advance_limit + cent;
    for (option, choice) in [
        (PaymentOption::PrepaymentReduceAmount, PrepaymentChoice::ReduceInstallment),
        (PaymentOption::PrepaymentReduceCount, PrepaymentChoice::ReduceTerm),
    ] {
        let accepts = |amount: Decimal| state.apply_payment(today, money(amount, currency), Some(choice)).is_ok();
        if min < options.payoff_amount && accepts(min) {
            let max = largest_accepted(min, options.payoff_amount - cent, accepts);
            let range = AmountRange { min: money(min, currency), max: money(max, currency) };
            terms.push(OptionTerms { option, amount: None, installments: Vec::new(), range: Some(range) });
        }
    }
    terms
}

/// The largest amount in cents between `accepted` (taken) and `ceiling` that `accepts` takes: just under the
/// payoff a few cents of principal cannot make a new schedule, so the top of a prepayment's range is searched
/// for (doubling steps down from the ceiling, then halving back up).
fn largest_accepted(accepted: Decimal, ceiling: Decimal, accepts: impl Fn(Decimal) -> bool) -> Decimal {
    if accepts(ceiling) {
        return ceiling;
    }
    let cent = Decimal::new(1, 2);
    let (mut good, mut bad) = (accepted, ceiling);
    let mut step = cent;
    while ceiling - step > good {
        if accepts(ceiling - step) {
            good = ceiling - step;
            break;
        }
        bad = ceiling - step;
        step *= Decimal::TWO;
    }
    while bad - good > cent {
        let middle = (((good + bad) / Decimal::TWO) / cent).floor() * cent;
        if middle <= good {
            break;
        }
        if accepts(middle) { good = middle } else { bad = middle }
    }
    good
}

pub fn list_loans(conn: &Connection, ctx: &Ctx<'_>) -> OpResult<Vec<Loan>> {
    let today = ctx.today();
    Ok(own_loans(conn, ctx.customer()?)?.iter().map(|row| loan_view(ctx, row, today)).collect())
}

pub fn loan_schedule(conn: &Connection, ctx: &Ctx<'_>, loan_id: &str) -> OpResult<LoanSchedule> {
    let row = own_loan(conn, ctx.customer()?, loan_id)?;
    let today = ctx.today();
    let due = due_number(&row.state, today);
    Ok(LoanSchedule {
        loan_id: row.id.clone(),
        currency: row.currency,
        installments: row.state.installments.iter().map(|i| installment_view(&row.state, i, today, due)).collect(),
    })
}

pub fn exchange_rates(ctx: &Ctx<'_>) -> ExchangeRates {
    ExchangeRates { date: ctx.today(), buy: ctx.fixtures.exchange.buy, sell: ctx.fixtures.exchange.sell }
}
