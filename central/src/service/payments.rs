//! Payments (R5–R9): an option quoted and paid from a debit account with core's loan math.

use chrono::{Datelike, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;
use servicaja_core::api::*;
use servicaja_core::channels::KioskOperation;
use servicaja_core::loans::{self, PaymentKind, PaymentRejection, PrepaymentChoice};
use servicaja_core::money::Currency;

use crate::db::{enum_text, next_counter};

use super::accounts::{own_account, post_movement};
use super::loans::{LoanRow, fixed_amount, own_loan, refusal_message};
use super::{Ctx, OpError, OpResult, fail, money, parse_decimal};

fn rejection(error: PaymentRejection) -> OpError {
    let code = match &error {
        PaymentRejection::OverdueFirst { .. } => ErrorCode::OverdueFirst,
        PaymentRejection::LoanCancelled => ErrorCode::LoanCancelled,
        PaymentRejection::Schedule(_) => ErrorCode::Internal,
        PaymentRejection::CurrencyMismatch { .. } | PaymentRejection::DateBeforeDisbursement => {
            ErrorCode::InvalidRequest
        }
        _ => ErrorCode::AmountInvalid,
    };
    fail(code, error.to_string())
}

/// A payment computed with core's loan math, before anything is written.
struct Computed {
    quote: PaymentQuote,
    outcome: loans::PaymentOutcome,
}

/// Quotes one option from one debit account, enforcing R5–R9.
fn compute_payment(
    conn: &Connection,
    ctx: &Ctx<'_>,
    customer_id: &str,
    loan: &LoanRow,
    account_id: &str,
    option: PaymentOption,
    amount: Option<Decimal>,
) -> OpResult<Computed> {
    let account = own_account(conn, customer_id, account_id)?;
    if account.status != AccountStatus::Active {
        return Err(fail(ErrorCode::AccountInactive, "La cuenta de cargo no está activa. Elija otra cuenta."));
    }
    if let Some(message) = refusal_message(ctx, loan.product_type) {
        return Err(fail(ErrorCode::LoanNotPayableHere, message));
    }
    let today = ctx.today();
    let options = loan.state.payment_options(today).map_err(rejection)?;
    // R6: with overdue installments only the overdue installments themselves may be paid.
    if options.overdue.count > 0 && option != PaymentOption::DueInstallment {
        return Err(fail(
            ErrorCode::OverdueFirst,
            format!(
                "Tiene {} cuota(s) vencida(s): primero debe pagarlas ({}) antes de un adelanto o pago anticipado.",
                options.overdue.count,
                money(options.overdue.owed.total(), loan.currency)
            ),
        ));
    }
    let (amount, choice) = match option {
        PaymentOption::DueInstallment | PaymentOption::Total => {
            (fixed_amount(&options, option).unwrap_or(options.payoff_amount), None)
        }
        PaymentOption::Advance => (required_amount(amount)?, None),
        PaymentOption::PrepaymentReduceAmount => (required_amount(amount)?, Some(PrepaymentChoice::ReduceInstallment)),
        PaymentOption::PrepaymentReduceCount => (required_amount(amount)?, Some(PrepaymentChoice::ReduceTerm)),
    };
    let owed = money(amount, loan.currency);
    let outcome = loan.state.apply_payment(today, owed, choice).map_err(rejection)?;
    // "Cancelación total" costs the payoff; when that is exactly the installment(s) due (the last one, on
    // or after its due date), core classifies it as paying them, and the loan is cancelled all the same.
    let cancels = outcome.loan.is_cancelled();
    let kind_matches =
        matches!(
            (option, outcome.quote.kind),
            (PaymentOption::DueInstallment, PaymentKind::DueInstallment | PaymentKind::TotalPrepayment)
                | (PaymentOption::Total, PaymentKind::TotalPrepayment)
                | (PaymentOption::Advance, PaymentKind::InstallmentAdvance | PaymentKind::DueInstallment)
                | (
                    PaymentOption::PrepaymentReduceAmount | PaymentOption::PrepaymentReduceCount,
                    PaymentKind::PartialPrepayment(_),
                )
        ) || (option == PaymentOption::Total && outcome.quote.kind == PaymentKind::DueInstallment && cancels);
    if !kind_matches {
        return Err(fail(
            ErrorCode::AmountInvalid,
            format!(
                "El monto {} corresponde a «{}», no a la opción elegida. Un adelanto llega hasta {}; por encima es un \
                 pago anticipado; {} cancela el crédito.",
                owed,
                outcome.quote.kind.label_es(),
                money(options.advance_limit, loan.currency),
                money(options.payoff_amount, loan.currency)
            ),
        ));
    }
    let (used_today, used_this_month) = kiosk_usage(conn, ctx, customer_id, loan.currency)?;
    ctx.channels
        .check_kiosk_limit(KioskOperation::LoanPayment, owed, used_today, used_this_month)
        .map_err(|exceeded| fail(ErrorCode::LimitExceeded, exceeded.message_es()))?;
    let (debit, exchange) = if account.currency == loan.currency {
        (owed, None)
    } else {
        let conversion = ctx
            .fixtures
            .exchange
            .convert_for_payment(owed, account.currency)
            .map_err(|e| fail(ErrorCode::Internal, e.to_string()))?;
        (
            conversion.debited,
            Some(ExchangeApplied {
                rate: conversion.rate,
                side_label: conversion.side.label_es().to_owned(),
                from: account.currency,
                to: loan.currency,
            }),
        )
    };
    let core_quote = &outcome.quote;
    let overdue_part: Decimal =
        core_quote.installments.iter().filter(|i| i.days_late > 0).map(|i| i.applied.total()).sum();
    let currency = loan.currency;
    let cancels_loan = outcome.loan.is_cancelled();
    let new_schedule = schedule_figures(core_quote, &outcome.loan);
    let choice_label = match core_quote.kind {
        PaymentKind::PartialPrepayment(choice) => Some(choice.label_es().to_owned()),
        _ => None,
    };
    let quote = PaymentQuote {
        loan_id: loan.id.clone(),
        option,
        debit_account_id: account.id.clone(),
        amount: owed,
        debit,
        exchange,
        kind_label: core_quote.kind.label_es().to_owned(),
        choice_label,
        overdue_part: money(overdue_part, currency),
        principal_part: money(core_quote.applied.principal, currency),
        interest_part: money(core_quote.applied.interest, currency),
        insurance_part: money(core_quote.applied.insurance, currency),
        moratorium_part: money(core_quote.applied.moratorium, currency),
        refund: money(core_quote.refund, currency),
        installments_covered: core_quote.installments.iter().map(|i| i.number).collect(),
        new_schedule,
        cancels_loan,
        quoted_at: ctx.now,
    };
    Ok(Computed { quote, outcome })
}

/// The figures of the new schedule a partial prepayment issues. A cancellation issues none (there is no
/// next installment), and neither do a due installment or an advance (R7: the schedule is unchanged).
///
/// "Nueva cuota" is the regular installment of the rebuilt rows — principal and interest of the first new
/// row plus its period's premium — not what is left to pay of some row afterwards; "Cuotas restantes" is
/// the number of rows still to pay (with "reduce the installment" it is the term kept).
fn schedule_figures(quote: &loans::PaymentQuote, loan: &loans::Loan) -> Option<ScheduleFigures> {
    if !matches!(quote.kind, PaymentKind::PartialPrepayment(_)) {
        return None;
    }
    let rows = quote.new_schedule.as_ref()?;
    let first = rows.first()?;
    let currency = loan.currency;
    Some(ScheduleFigures {
        installment_amount: money(
            first.principal + first.interest + loan.desgravamen.premium(first.opening_balance),
            currency,
        ),
        installments_remaining: quote.remaining_installments_after,
        last_due_date: rows.last().map(|row| row.due_date),
        outstanding_principal: money(quote.outstanding_principal_after, currency),
    })
}

/// What the customer already paid at the kiosk today and this month (Peru dates) in `currency`, for the
/// period limits of R9. Reversed payments do not count.
fn kiosk_usage(
    conn: &Connection,
    ctx: &Ctx<'_>,
    customer_id: &str,
    currency: Currency,
) -> OpResult<(Decimal, Decimal)> {
    let offset = servicaja_core::calendar::lima_offset();
    let today = ctx.today();
    let start_of = |date: NaiveDate| {
        date.and_hms_opt(0, 0, 0)
            .and_then(|local| local.and_local_timezone(offset).single())
            .map(|at| at.with_timezone(&Utc).to_rfc3339())
            .unwrap_or_default()
    };
    let day_start = start_of(today);
    let month_start = start_of(today.with_day(1).unwrap_or(today));
    let mut statement = conn.prepare_cached(
        "SELECT amount, created_at FROM payments WHERE customer_id = ?1 AND state = 'applied' AND currency = ?2
         AND created_at >= ?3",
    )?;
    let rows = statement
        .query_map(params![customer_id, enum_text(&currency), month_start], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut today_sum = Decimal::ZERO;
    let mut month_sum = Decimal::ZERO;
    for (amount, at) in rows {
        let amount = parse_decimal(&amount)?;
        month_sum += amount;
        if at >= day_start {
            today_sum += amount;
        }
    }
    Ok((today_sum, month_sum))
}

fn required_amount(amount: Option<Decimal>) -> OpResult<Decimal> {
    amount.ok_or_else(|| fail(ErrorCode::AmountInvalid, "Indique el monto a pagar para esta opción."))
}

pub fn quote(conn: &Connection, ctx: &Ctx<'_>, loan_id: &str, query: QuoteQuery) -> OpResult<PaymentQuote> {
    let customer_id = ctx.customer()?;
    let loan = own_loan(conn, customer_id, loan_id)?;
    Ok(compute_payment(conn, ctx, customer_id, &loan, &query.debit_account_id, query.option, query.amount)?.quote)
}

pub fn pay(conn: &Connection, ctx: &Ctx<'_>, request: PaymentRequest) -> OpResult<PaymentDone> {
    let customer_id = ctx.customer()?;
    let operation_id = request.operation_id.to_string();
    type Existing = (String, Option<String>, Option<String>);
    let existing: Option<Existing> = conn
        .query_row(
            "SELECT state, response, customer_id FROM payments WHERE operation_id = ?1",
            params![operation_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match existing {
        Some((state, _, _)) if state != "applied" => {
            return Err(fail(
                ErrorCode::Reversed,
                "La operación fue anulada (extornada); no se aplicará y no queda ningún cargo por ella.",
            ));
        }
        Some((_, Some(response), owner)) if owner.as_deref() == Some(customer_id) => {
            return Ok(serde_json::from_str(&response)?);
        }
        Some(_) => {
            return Err(fail(
                ErrorCode::InvalidRequest,
                "El identificador de operación ya fue usado por otra operación.",
            ));
        }
        _ => {}
    }
    let loan = own_loan(conn, customer_id, &request.loan_id)?;
    let computed =
        compute_payment(conn, ctx, customer_id, &loan, &request.debit_account_id, request.option, request.amount)?;
    if let Some(expected) = request.expected_debit
        && expected != computed.quote.debit
    {
        return Err(fail(
            ErrorCode::QuoteChanged,
            format!(
                "El monto a cargar cambió ({} en lugar de {}). Revise el nuevo monto y confirme otra vez.",
                computed.quote.debit, expected
            ),
        ));
    }
    let account = own_account(conn, customer_id, &request.debit_account_id)?;
    if account.balance.amount < computed.quote.debit.amount {
        return Err(fail(
            ErrorCode::InsufficientFunds,
            format!("Saldo insuficiente: la cuenta {} tiene {}.", account.number, account.balance),
        ));
    }
    let sequence = next_counter(conn, "payment")?;
    let operation_number = format!("{:08}", sequence);
    let description = format!("PAGO CRÉDITO {} OP. {}", loan.number, operation_number);
    let balance_after =
        post_movement(conn, ctx, &account, -computed.quote.debit.amount, &description, Some(&operation_id))?;
    let new_state = serde_json::to_string(&computed.outcome.loan)?;
    let cancelled_on = if computed.outcome.loan.is_cancelled() { Some(ctx.today().to_string()) } else { None };
    conn.execute(
        "UPDATE loans SET state_json = ?2, cancelled_on = ?3 WHERE id = ?1",
        params![loan.id, new_state, cancelled_on],
    )?;
    let quote = computed.quote;
    let done = PaymentDone {
        operation_id: request.operation_id,
        operation_number,
        loan_id: loan.id.clone(),
        loan_number: loan.number.clone(),
        option: request.option,
        kind_label: quote.kind_label,
        choice_label: quote.choice_label,
        amount: quote.amount,
        debit: quote.debit,
        exchange: quote.exchange,
        principal_part: quote.principal_part,
        interest_part: quote.interest_part,
        insurance_part: quote.insurance_part,
        moratorium_part: quote.moratorium_part,
        account_number: account.number.clone(),
        account_balance_after: money(balance_after, account.currency),
        loan_outstanding_after: money(computed.outcome.loan.outstanding_principal(), loan.currency),
        installments_covered: quote.installments_covered,
        new_schedule: quote.new_schedule,
        next_installment: match (
            &computed.outcome.quote.next_due_date_after,
            computed.outcome.quote.next_installment_amount_after,
        ) {
            (Some(due_date), Some(amount)) if !quote.cancels_loan => {
                Some(NextInstallment { due_date: *due_date, amount: money(amount, loan.currency) })
            }
            _ => None,
        },
        loan_cancelled: quote.cancels_loan,
        at: ctx.now,
    };
    conn.execute(
        "INSERT INTO payments (operation_id, state, customer_id, loan_id, account_id, debit, loan_before, loan_after,
             response, created_at, amount, currency) VALUES (?1, 'applied', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            operation_id,
            customer_id,
            loan.id,
            account.id,
            done.debit.amount.to_string(),
            loan.state_json,
            new_state,
            serde_json::to_string(&done)?,
            ctx.now.to_rfc3339(),
            done.amount.amount.to_string(),
            enum_text(&done.amount.currency)
        ],
    )?;
    Ok(done)
}
