//! The caja's rules as the central side applies them: one function per operation, run inside the
//! operation's transaction. Loan math is servicaja-core's; this module only moves money and records.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;
use servicaja_core::api::*;
use servicaja_core::calendar;
use servicaja_core::channels::{ChannelTable, KioskEligibility, KioskOperation};
use servicaja_core::identity::card::CardNumber;
use servicaja_core::identity::dni::Dni;
use servicaja_core::identity::phone::mask_phone;
use servicaja_core::loans::{self, PaymentKind, PaymentRejection, PrepaymentChoice};
use servicaja_core::money::{Currency, Money};
use uuid::Uuid;

use crate::clock::{peru_date, peru_printed};
use crate::db::{card_hash, clave_hash, enum_from, enum_text, next_counter, sha256_hex};
use crate::fixtures::Fixtures;

/// Why an operation did not produce its normal answer.
#[derive(Debug)]
pub struct OpError {
    pub problem: Problem,
    /// Keep the operation's writes although it answers an error (a failed clave still counts).
    pub keep_effects: bool,
}

pub type OpResult<T> = Result<T, OpError>;

pub fn fail(code: ErrorCode, message: impl Into<String>) -> OpError {
    OpError { problem: Problem::new(code, message), keep_effects: false }
}

impl From<Problem> for OpError {
    fn from(problem: Problem) -> Self {
        OpError { problem, keep_effects: false }
    }
}

impl From<rusqlite::Error> for OpError {
    fn from(error: rusqlite::Error) -> Self {
        tracing::error!(%error, "database error");
        fail(ErrorCode::Internal, "Error interno del sistema central; la operación no se realizó. Intente nuevamente.")
    }
}

impl From<serde_json::Error> for OpError {
    fn from(error: serde_json::Error) -> Self {
        tracing::error!(%error, "stored JSON unreadable");
        fail(ErrorCode::Internal, "Error interno del sistema central; la operación no se realizó.")
    }
}

fn kept(mut error: OpError) -> OpError {
    error.keep_effects = true;
    error
}

/// What every operation knows about its request.
pub struct Ctx<'a> {
    pub now: DateTime<Utc>,
    pub customer_id: Option<String>,
    pub fixtures: &'a Fixtures,
    pub channels: &'a ChannelTable,
}

impl Ctx<'_> {
    pub fn today(&self) -> NaiveDate {
        peru_date(self.now)
    }

    fn customer(&self) -> OpResult<&str> {
        self.customer_id
            .as_deref()
            .ok_or_else(|| fail(ErrorCode::SessionRequired, "Inicie sesión con su tarjeta, DNI y clave."))
    }
}

fn new_id() -> String {
    Uuid::now_v7().simple().to_string()
}

fn random_digits(count: usize) -> String {
    (0..count).map(|_| char::from(b'0' + rand::random_range(0..10u8))).collect()
}

fn money(amount: Decimal, currency: Currency) -> Money {
    Money::new(amount, currency)
}

fn cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp(2);
    rounded.rescale(2);
    rounded
}

fn parse_decimal(text: &str) -> rusqlite::Result<Decimal> {
    text.parse::<Decimal>()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

// ---------------------------------------------------------------------------------------------------------
// Sessions (R1)
// ---------------------------------------------------------------------------------------------------------

struct CustomerRow {
    id: String,
    name: String,
    dni: String,
    card_last4: String,
    clave_hash: String,
    clave_failures: u32,
    card_locked: bool,
    phone: String,
    email: String,
    record_json: String,
    enrollment_failures: u32,
}

const CUSTOMER_COLUMNS: &str = "id, name, dni, card_last4, clave_hash, clave_failures, card_locked, phone, email, \
                                record_json, enrollment_failures";

fn customer_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<CustomerRow> {
    Ok(CustomerRow {
        id: row.get(0)?,
        name: row.get(1)?,
        dni: row.get(2)?,
        card_last4: row.get(3)?,
        clave_hash: row.get(4)?,
        clave_failures: row.get(5)?,
        card_locked: row.get(6)?,
        phone: row.get(7)?,
        email: row.get(8)?,
        record_json: row.get(9)?,
        enrollment_failures: row.get(10)?,
    })
}

fn customer_by_id(conn: &Connection, id: &str) -> OpResult<CustomerRow> {
    conn.query_row(&format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = ?1"), params![id], customer_from_row)
        .optional()?
        .ok_or_else(|| fail(ErrorCode::NotFound, "Cliente no encontrado."))
}

/// Card number + DNI → the customer, or `card_not_recognized`.
fn customer_by_card(conn: &Connection, card_number: &str, dni: &str) -> OpResult<CustomerRow> {
    let card = CardNumber::parse(card_number).map_err(|_| {
        fail(ErrorCode::InvalidRequest, "El número de tarjeta no es válido. Verifique e intente nuevamente.")
    })?;
    let dni = Dni::parse(dni)
        .map_err(|_| fail(ErrorCode::InvalidRequest, "El número de DNI no es válido: debe tener 8 dígitos."))?;
    let customer = conn
        .query_row(
            &format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE card_hash = ?1"),
            params![card_hash(card.expose_digits())],
            customer_from_row,
        )
        .optional()?;
    match customer {
        Some(customer) if customer.dni == dni.as_str() => Ok(customer),
        _ => Err(fail(
            ErrorCode::CardNotRecognized,
            "La tarjeta y el documento de identidad no corresponden a un cliente. Verifique los datos.",
        )),
    }
}

fn card_locked_problem() -> OpError {
    fail(
        ErrorCode::CardLocked,
        "Su tarjeta está bloqueada por ingresar la clave incorrecta 3 veces. Acérquese a una ventanilla de la \
         agencia para desbloquearla.",
    )
}

fn profile(customer: &CustomerRow) -> Profile {
    Profile {
        customer_id: customer.id.clone(),
        name: customer.name.clone(),
        masked_phone: mask_phone(&customer.phone),
        email: customer.email.clone(),
        masked_card: format!("**** **** **** {}", customer.card_last4),
    }
}

fn is_six_digits(text: &str) -> bool {
    text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit())
}

pub fn open_session(conn: &Connection, ctx: &Ctx<'_>, request: OpenSessionRequest) -> OpResult<SessionOpened> {
    let customer = customer_by_card(conn, &request.card_number, &request.dni)?;
    if customer.card_locked {
        return Err(card_locked_problem());
    }
    if !is_six_digits(&request.clave) {
        return Err(fail(ErrorCode::ClaveFormat, "La clave debe tener exactamente 6 dígitos."));
    }
    if clave_hash(&customer.id, &request.clave) != customer.clave_hash {
        let failures = customer.clave_failures + 1;
        let locked = failures >= MAX_CLAVE_FAILURES;
        conn.execute(
            "UPDATE customers SET clave_failures = ?2, card_locked = ?3 WHERE id = ?1",
            params![customer.id, failures, locked],
        )?;
        if locked {
            return Err(kept(card_locked_problem()));
        }
        let left = MAX_CLAVE_FAILURES - failures;
        let mut error = fail(
            ErrorCode::ClaveInvalid,
            format!("Clave incorrecta. Le queda(n) {left} intento(s) antes de que su tarjeta sea bloqueada."),
        );
        error.problem.attempts_left = Some(left);
        return Err(kept(error));
    }
    conn.execute("UPDATE customers SET clave_failures = 0 WHERE id = ?1", params![customer.id])?;
    let token = format!("{}{}", new_id(), hex::encode(rand::random::<[u8; 16]>()));
    conn.execute(
        "INSERT INTO sessions (token_hash, customer_id, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)",
        params![sha256_hex(&[token.as_bytes()]), customer.id, ctx.now.to_rfc3339()],
    )?;
    Ok(SessionOpened { token, idle_timeout_seconds: SESSION_IDLE_SECONDS, profile: profile(&customer) })
}

/// The customer behind a bearer token; touches the session (idle timer restarts).
pub fn authenticate(conn: &Connection, now: DateTime<Utc>, token: Option<&str>) -> OpResult<String> {
    let token = token.ok_or_else(|| fail(ErrorCode::SessionRequired, "Inicie sesión con su tarjeta, DNI y clave."))?;
    let hash = sha256_hex(&[token.as_bytes()]);
    let row: Option<(String, String)> = conn
        .query_row("SELECT customer_id, last_seen_at FROM sessions WHERE token_hash = ?1", params![hash], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((customer_id, last_seen)) = row else {
        return Err(fail(
            ErrorCode::SessionRequired,
            "La sesión no existe o ya fue cerrada. Inicie sesión nuevamente.",
        ));
    };
    let last_seen = DateTime::parse_from_rfc3339(&last_seen).map(|d| d.with_timezone(&Utc)).unwrap_or(now);
    if now - last_seen > Duration::seconds(SESSION_IDLE_SECONDS) {
        conn.execute("DELETE FROM sessions WHERE token_hash = ?1", params![hash])?;
        return Err(kept(fail(
            ErrorCode::SessionExpired,
            "Su sesión expiró por inactividad (5 minutos). Inicie sesión nuevamente.",
        )));
    }
    conn.execute("UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1", params![hash, now.to_rfc3339()])?;
    Ok(customer_id)
}

pub fn close_session(conn: &Connection, token: &str) -> OpResult<()> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", params![sha256_hex(&[token.as_bytes()])])?;
    Ok(())
}

pub fn get_profile(conn: &Connection, ctx: &Ctx<'_>) -> OpResult<Profile> {
    Ok(profile(&customer_by_id(conn, ctx.customer()?)?))
}

// ---------------------------------------------------------------------------------------------------------
// Accounts and movements
// ---------------------------------------------------------------------------------------------------------

const ACCOUNT_COLUMNS: &str = "id, number, product_name, currency, balance, status, signature, affiliated";

fn account_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    let currency: Currency = enum_from(&row.get::<_, String>(3)?)?;
    Ok(Account {
        id: row.get(0)?,
        number: row.get(1)?,
        product_name: row.get(2)?,
        currency,
        balance: money(parse_decimal(&row.get::<_, String>(4)?)?, currency),
        status: enum_from(&row.get::<_, String>(5)?)?,
        signature: enum_from(&row.get::<_, String>(6)?)?,
        internet_purchases: row.get(7)?,
        restricted: false,
    })
}

pub fn list_accounts(conn: &Connection, ctx: &Ctx<'_>) -> OpResult<Vec<Account>> {
    let mut statement =
        conn.prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE customer_id = ?1 ORDER BY id"))?;
    let accounts = statement.query_map(params![ctx.customer()?], account_from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(accounts.into_iter().map(|account| with_restriction(ctx, account)).collect())
}

/// Marks the accounts whose funds the customer may not draw on at will: which ones is fixture data (the
/// caja's product rules), read from the fixtures so databases made before it need no migration.
fn with_restriction(ctx: &Ctx<'_>, mut account: Account) -> Account {
    account.restricted = ctx
        .fixtures
        .customers
        .iter()
        .flat_map(|c| &c.accounts)
        .any(|fixture| fixture.id == account.id && fixture.restricted);
    account
}

fn own_account(conn: &Connection, customer_id: &str, account_id: &str) -> OpResult<Account> {
    conn.query_row(
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1 AND customer_id = ?2"),
        params![account_id, customer_id],
        account_from_row,
    )
    .optional()?
    .ok_or_else(|| fail(ErrorCode::NotFound, "La cuenta no existe o no pertenece al cliente."))
}

pub fn list_movements(conn: &Connection, ctx: &Ctx<'_>, account_id: &str, limit: u32) -> OpResult<Vec<Movement>> {
    let account = own_account(conn, ctx.customer()?, account_id)?;
    let mut statement = conn.prepare_cached(
        "SELECT seq, at, description, amount, balance_after FROM movements WHERE account_id = ?1
         ORDER BY seq DESC LIMIT ?2",
    )?;
    let movements = statement
        .query_map(params![account.id, limit.clamp(1, 100)], |row| {
            let at: String = row.get(1)?;
            Ok(Movement {
                id: format!("M{}", row.get::<_, i64>(0)?),
                at: DateTime::parse_from_rfc3339(&at).map(|d| d.with_timezone(&Utc)).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e))
                })?,
                description: row.get(2)?,
                amount: money(parse_decimal(&row.get::<_, String>(3)?)?, account.currency),
                balance_after: money(parse_decimal(&row.get::<_, String>(4)?)?, account.currency),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(movements)
}

fn post_movement(
    conn: &Connection,
    ctx: &Ctx<'_>,
    account: &Account,
    amount: Decimal,
    description: &str,
    operation_id: Option<&str>,
) -> OpResult<Decimal> {
    let after = cents(account.balance.amount + amount);
    if after < Decimal::ZERO {
        return Err(fail(ErrorCode::InsufficientFunds, "Saldo insuficiente en la cuenta de cargo."));
    }
    conn.execute("UPDATE accounts SET balance = ?2 WHERE id = ?1", params![account.id, after.to_string()])?;
    conn.execute(
        "INSERT INTO movements (account_id, at, description, amount, balance_after, operation_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            account.id,
            ctx.now.to_rfc3339(),
            description,
            cents(amount).to_string(),
            after.to_string(),
            operation_id
        ],
    )?;
    Ok(after)
}

// ---------------------------------------------------------------------------------------------------------
// Loans (R5–R9)
// ---------------------------------------------------------------------------------------------------------

struct LoanRow {
    id: String,
    number: String,
    product_type: LoanProductType,
    product_name: String,
    currency: Currency,
    disbursed: Decimal,
    state_json: String,
    state: loans::Loan,
    cancelled_on: Option<NaiveDate>,
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

fn own_loans(conn: &Connection, customer_id: &str) -> OpResult<Vec<LoanRow>> {
    let mut statement =
        conn.prepare_cached(&format!("SELECT {LOAN_COLUMNS} FROM loans WHERE customer_id = ?1 ORDER BY id"))?;
    let rows = statement.query_map(params![customer_id], loan_from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn own_loan(conn: &Connection, customer_id: &str, loan_id: &str) -> OpResult<LoanRow> {
    conn.query_row(
        &format!("SELECT {LOAN_COLUMNS} FROM loans WHERE id = ?1 AND customer_id = ?2"),
        params![loan_id, customer_id],
        loan_from_row,
    )
    .optional()?
    .ok_or_else(|| fail(ErrorCode::NotFound, "El crédito no existe o no pertenece al cliente."))
}

/// R8: the customer-facing reason the kiosk does not take payments for this product type, if it does not.
fn refusal_message(ctx: &Ctx<'_>, product_type: LoanProductType) -> Option<String> {
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
fn fixed_amount(options: &loans::PaymentOptions, option: PaymentOption) -> Option<Decimal> {
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

/// Reverses a payment by its operation id: undoes it exactly, or records the reversal so the payment is
/// refused when it arrives later. Reversing twice answers the first outcome again.
pub fn reverse(
    conn: &Connection,
    ctx: &Ctx<'_>,
    operation_id: Uuid,
    request: ReversalRequest,
) -> OpResult<ReversalDone> {
    let key = operation_id.to_string();
    type PaymentRow =
        (String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>);
    let row: Option<PaymentRow> = conn
        .query_row(
            "SELECT state, loan_id, account_id, debit, loan_before, loan_after, reversal_response FROM payments
             WHERE operation_id = ?1",
            params![key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .optional()?;
    let reason: String = request.reason.chars().take(200).collect();
    let Some((state, loan_id, account_id, debit, loan_before, loan_after, reversal_response)) = row else {
        let done = ReversalDone { operation_id, outcome: ReversalOutcome::RecordedBeforePayment, at: ctx.now };
        conn.execute(
            "INSERT INTO payments (operation_id, state, reversal_response, reversal_reason, created_at)
             VALUES (?1, 'reversed_before_payment', ?2, ?3, ?4)",
            params![key, serde_json::to_string(&done)?, reason, ctx.now.to_rfc3339()],
        )?;
        return Ok(done);
    };
    if state != "applied"
        && let Some(previous) = reversal_response
    {
        return Ok(serde_json::from_str(&previous)?);
    }
    let (Some(loan_id), Some(account_id), Some(debit), Some(loan_before), Some(loan_after)) =
        (loan_id, account_id, debit, loan_before, loan_after)
    else {
        return Err(fail(ErrorCode::Internal, "El registro del pago está incompleto; no se pudo extornar."));
    };
    let current: String =
        conn.query_row("SELECT state_json FROM loans WHERE id = ?1", params![loan_id], |r| r.get(0))?;
    if current != loan_after {
        return Err(fail(
            ErrorCode::ReversalNotPossible,
            "El crédito registró otro pago después de esta operación; el extorno debe hacerse en ventanilla.",
        ));
    }
    let restored: loans::Loan = serde_json::from_str(&loan_before)?;
    conn.execute(
        "UPDATE loans SET state_json = ?2, cancelled_on = CASE WHEN ?3 THEN cancelled_on ELSE NULL END WHERE id = ?1",
        params![loan_id, loan_before, restored.is_cancelled()],
    )?;
    let account: Account = conn.query_row(
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1"),
        params![account_id],
        account_from_row,
    )?;
    let debit = parse_decimal(&debit)?;
    post_movement(conn, ctx, &account, debit, &format!("EXTORNO PAGO CRÉDITO OP. {key}"), Some(&key))?;
    let done = ReversalDone { operation_id, outcome: ReversalOutcome::PaymentReversed, at: ctx.now };
    conn.execute(
        "UPDATE payments SET state = 'reversed', reversal_response = ?2, reversal_reason = ?3 WHERE operation_id = ?1",
        params![key, serde_json::to_string(&done)?, reason],
    )?;
    Ok(done)
}

// ---------------------------------------------------------------------------------------------------------
// OTP, outbox, affiliation (R2–R4)
// ---------------------------------------------------------------------------------------------------------

pub fn outbox_push(
    conn: &Connection,
    ctx: &Ctx<'_>,
    channel: OutboxChannel,
    to: &str,
    subject: &str,
    body: &str,
) -> OpResult<String> {
    let id = new_id();
    conn.execute(
        "INSERT INTO outbox (id, channel, to_addr, subject, body, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, enum_text(&channel), to, subject, body, ctx.now.to_rfc3339()],
    )?;
    Ok(id)
}

pub fn outbox_list(conn: &Connection) -> OpResult<Vec<OutboxMessage>> {
    let mut statement =
        conn.prepare_cached("SELECT id, channel, to_addr, subject, body, at FROM outbox ORDER BY seq DESC LIMIT 200")?;
    let messages = statement
        .query_map([], |row| {
            let at: String = row.get(5)?;
            Ok(OutboxMessage {
                id: row.get(0)?,
                channel: enum_from(&row.get::<_, String>(1)?)?,
                to: row.get(2)?,
                subject: row.get(3)?,
                body: row.get(4)?,
                at: DateTime::parse_from_rfc3339(&at).map(|d| d.with_timezone(&Utc)).unwrap_or_default(),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(messages)
}

fn purpose_label(purpose: &str) -> &'static str {
    match purpose {
        "affiliation" => "AFILIACIÓN A COMPRAS POR INTERNET",
        "disaffiliation" => "DESAFILIACIÓN DE COMPRAS POR INTERNET",
        _ => "CREACIÓN DE CLAVE DE INTERNET",
    }
}

fn issue_otp(conn: &Connection, ctx: &Ctx<'_>, customer: &CustomerRow, purpose: &str) -> OpResult<OtpSent> {
    let id = new_id();
    let code = random_digits(6);
    let expires_at = ctx.now + Duration::seconds(OTP_VALID_SECONDS);
    conn.execute(
        "INSERT INTO otps (id, customer_id, purpose, code_hash, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, customer.id, purpose, sha256_hex(&[id.as_bytes(), code.as_bytes()]), expires_at.to_rfc3339()],
    )?;
    let body = format!(
        "CAJA TACNA: su clave dinámica para {} es {code}. Vence en 5 minutos. No la comparta con nadie.",
        purpose_label(purpose)
    );
    outbox_push(conn, ctx, OutboxChannel::Sms, &customer.phone, "Clave dinámica", &body)?;
    Ok(OtpSent { otp_id: id, masked_phone: mask_phone(&customer.phone), expires_at })
}

fn verify_otp(
    conn: &Connection,
    ctx: &Ctx<'_>,
    customer_id: &str,
    purpose: &str,
    otp_id: &str,
    code: &str,
) -> OpResult<()> {
    let row: Option<(String, String, String, u32, bool)> = conn
        .query_row(
            "SELECT purpose, code_hash, expires_at, tries, used FROM otps WHERE id = ?1 AND customer_id = ?2",
            params![otp_id, customer_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((stored_purpose, code_hash, expires_at, tries, used)) = row else {
        return Err(fail(
            ErrorCode::OtpInvalid,
            "La clave dinámica no corresponde a esta operación. Solicite una nueva.",
        ));
    };
    if stored_purpose != purpose {
        return Err(fail(
            ErrorCode::OtpInvalid,
            "La clave dinámica no corresponde a esta operación. Solicite una nueva.",
        ));
    }
    if used || tries >= OTP_MAX_TRIES {
        return Err(fail(ErrorCode::OtpExhausted, "La clave dinámica ya no es válida. Solicite una nueva."));
    }
    let expires_at = DateTime::parse_from_rfc3339(&expires_at).map(|d| d.with_timezone(&Utc)).unwrap_or(ctx.now);
    if ctx.now > expires_at {
        return Err(fail(ErrorCode::OtpExpired, "La clave dinámica venció (es válida 5 minutos). Solicite una nueva."));
    }
    if sha256_hex(&[otp_id.as_bytes(), code.as_bytes()]) != code_hash {
        let tries = tries + 1;
        conn.execute("UPDATE otps SET tries = ?2 WHERE id = ?1", params![otp_id, tries])?;
        let left = OTP_MAX_TRIES.saturating_sub(tries);
        let mut error = if left == 0 {
            fail(ErrorCode::OtpExhausted, "Clave dinámica incorrecta por tercera vez. Solicite una nueva.")
        } else {
            fail(ErrorCode::OtpInvalid, format!("Clave dinámica incorrecta. Le queda(n) {left} intento(s)."))
        };
        error.problem.attempts_left = Some(left);
        return Err(kept(error));
    }
    conn.execute("UPDATE otps SET used = 1 WHERE id = ?1", params![otp_id])?;
    Ok(())
}

pub fn request_otp(conn: &Connection, ctx: &Ctx<'_>, request: OtpRequest) -> OpResult<OtpSent> {
    let customer = customer_by_id(conn, ctx.customer()?)?;
    issue_otp(conn, ctx, &customer, &enum_text(&request.purpose))
}

pub fn affiliation_state(conn: &Connection, ctx: &Ctx<'_>) -> OpResult<AffiliationState> {
    let account = list_accounts(conn, ctx)?.into_iter().find(|a| a.internet_purchases);
    Ok(AffiliationState { account })
}

/// "CTA.AHORRO PN SOLES" → "CTA AHORRO PN SOLES", as the constancia prints it.
fn constancia_product_name(product_name: &str) -> String {
    product_name.replacen('.', " ", 1)
}

fn constancia(
    conn: &Connection,
    ctx: &Ctx<'_>,
    customer: &CustomerRow,
    account: &Account,
    operation: AffiliationOperation,
) -> OpResult<AffiliationConstancia> {
    let sequence = next_counter(conn, "affiliation")?;
    let operation_number = format!("AF{:08}", sequence);
    conn.execute(
        "INSERT INTO affiliation_log (operation_number, customer_id, account_id, operation, at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![operation_number, customer.id, account.id, enum_text(&operation), ctx.now.to_rfc3339()],
    )?;
    let constancia = AffiliationConstancia {
        operation_number,
        operation,
        service: "COMPRAS POR INTERNET".to_owned(),
        customer_name: customer.name.clone(),
        account_number: account.number.clone(),
        account_product_name: constancia_product_name(&account.product_name),
        currency: account.currency,
        email: customer.email.clone(),
        at: ctx.now,
        at_local: peru_printed(ctx.now),
    };
    let title = match operation {
        AffiliationOperation::Affiliation => "CONSTANCIA DE AFILIACIÓN",
        AffiliationOperation::Disaffiliation => "CONSTANCIA DE DESAFILIACIÓN",
    };
    let body = format!(
        "{title}\nServicio: {}\nCliente: {}\nCuenta afiliada: {} - {}\nEmail: {}\nFecha y hora: {}\n",
        constancia.service,
        constancia.customer_name,
        constancia.account_product_name,
        constancia.account_number,
        constancia.email,
        constancia.at_local
    );
    outbox_push(conn, ctx, OutboxChannel::Email, &customer.email, title, &body)?;
    Ok(constancia)
}

pub fn affiliate(conn: &Connection, ctx: &Ctx<'_>, request: AffiliationRequest) -> OpResult<AffiliationConstancia> {
    let customer = customer_by_id(conn, ctx.customer()?)?;
    let account = own_account(conn, &customer.id, &request.account_id)?;
    if account.status != AccountStatus::Active {
        return Err(fail(ErrorCode::AccountInactive, "Solo se pueden afiliar cuentas en estado activo."));
    }
    if account.signature != SignatureType::Individual {
        return Err(fail(
            ErrorCode::NotIndividualSignature,
            "Solo se pueden afiliar cuentas de firma individual; esta cuenta es mancomunada.",
        ));
    }
    let affiliated: Option<String> = conn
        .query_row("SELECT number FROM accounts WHERE customer_id = ?1 AND affiliated = 1", params![customer.id], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(number) = affiliated {
        return Err(fail(
            ErrorCode::AlreadyAffiliated,
            format!(
                "Ya tiene la cuenta {number} afiliada a compras por internet. Solo se puede tener una cuenta afiliada: \
                 desafíliela primero para afiliar otra."
            ),
        ));
    }
    verify_otp(conn, ctx, &customer.id, "affiliation", &request.otp_id, &request.otp_code)?;
    conn.execute("UPDATE accounts SET affiliated = 1 WHERE id = ?1", params![account.id])?;
    constancia(conn, ctx, &customer, &account, AffiliationOperation::Affiliation)
}

pub fn disaffiliate(
    conn: &Connection,
    ctx: &Ctx<'_>,
    request: DisaffiliationRequest,
) -> OpResult<AffiliationConstancia> {
    let customer = customer_by_id(conn, ctx.customer()?)?;
    if !request.confirm {
        return Err(fail(
            ErrorCode::ConfirmationRequired,
            "Marque «Deseo desafiliarme del servicio de Compras por Internet» para continuar.",
        ));
    }
    let account = list_accounts(conn, ctx)?
        .into_iter()
        .find(|a| a.internet_purchases)
        .ok_or_else(|| fail(ErrorCode::NotAffiliated, "No tiene ninguna cuenta afiliada a compras por internet."))?;
    verify_otp(conn, ctx, &customer.id, "disaffiliation", &request.otp_id, &request.otp_code)?;
    conn.execute("UPDATE accounts SET affiliated = 0 WHERE id = ?1", params![account.id])?;
    constancia(conn, ctx, &customer, &account, AffiliationOperation::Disaffiliation)
}

// ---------------------------------------------------------------------------------------------------------
// No-debt certificate (R10), requests (R11), e-mail
// ---------------------------------------------------------------------------------------------------------

pub fn no_debt_certificate(conn: &Connection, ctx: &Ctx<'_>, request: NoDebtRequest) -> OpResult<NoDebtCertificate> {
    let customer = customer_by_id(conn, ctx.customer()?)?;
    let all = own_loans(conn, &customer.id)?;
    let all_loans = request.loan_ids.is_empty();
    let chosen: Vec<&LoanRow> = if all_loans {
        all.iter().collect()
    } else {
        let mut chosen = Vec::new();
        for id in &request.loan_ids {
            let loan = all.iter().find(|l| &l.id == id).ok_or_else(|| {
                fail(ErrorCode::NotFound, format!("El crédito {id} no existe o no pertenece al cliente."))
                    .problem
                    .with_related_ids(vec![id.clone()])
            })?;
            if !chosen.iter().any(|l: &&LoanRow| l.id == loan.id) {
                chosen.push(loan);
            }
        }
        chosen
    };
    if chosen.iter().all(|l| !l.state.is_cancelled()) && (all_loans || chosen.is_empty()) {
        return Err(fail(
            ErrorCode::NoCancelledLoans,
            "No registra créditos cancelados para emitir una constancia de no adeudo.",
        ));
    }
    let pending: Vec<String> = chosen.iter().filter(|l| !l.state.is_cancelled()).map(|l| l.id.clone()).collect();
    if !pending.is_empty() {
        let numbers: Vec<String> =
            chosen.iter().filter(|l| !l.state.is_cancelled()).map(|l| l.number.clone()).collect();
        let message = if all_loans {
            format!(
                "Aún tiene créditos pendientes de pago ({}). Puede pedir la constancia solo de los créditos cancelados.",
                numbers.join(", ")
            )
        } else {
            format!(
                "Los créditos {} no están cancelados; la constancia solo se emite sobre créditos cancelados.",
                numbers.join(", ")
            )
        };
        return Err(OpError {
            problem: Problem::new(ErrorCode::LoansNotCancelled, message).with_related_ids(pending),
            keep_effects: false,
        });
    }
    let sequence = next_counter(conn, "no_debt")?;
    let certificate = NoDebtCertificate {
        certificate_number: format!("CND-{}-{:06}", ctx.today().format("%Y"), sequence),
        customer_name: customer.name.clone(),
        masked_dni: format!("*****{}", customer.dni.get(5..).unwrap_or_default()),
        all_loans,
        loans: chosen
            .iter()
            .map(|l| CancelledLoan {
                loan_id: l.id.clone(),
                loan_number: l.number.clone(),
                product_name: l.product_name.clone(),
                currency: l.currency,
                disbursed: money(l.disbursed, l.currency),
                cancelled_on: l.cancelled_on,
            })
            .collect(),
        issued_at: ctx.now,
        issued_at_local: peru_printed(ctx.now),
    };
    conn.execute(
        "INSERT INTO certificates (number, customer_id, body, issued_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            certificate.certificate_number,
            customer.id,
            serde_json::to_string(&certificate)?,
            ctx.now.to_rfc3339()
        ],
    )?;
    Ok(certificate)
}

pub fn file_request(conn: &Connection, ctx: &Ctx<'_>, request: FileRequest) -> OpResult<RequestTicket> {
    let customer_id = ctx.customer()?;
    if let Some(loan_id) = &request.loan_id {
        own_loan(conn, customer_id, loan_id)?;
    }
    insert_request(conn, customer_id, request.kind, request.loan_id.as_deref(), &request.detail, ctx.now)
}

/// R11 from a kiosk that was out of service: the customer is found by DNI, the deadline runs from the day
/// they filed it (at most today), and the ticket goes to their registered e-mail since nobody waits at the
/// kiosk for it.
pub fn file_offline_request(conn: &Connection, ctx: &Ctx<'_>, request: OfflineRequest) -> OpResult<RequestTicket> {
    let dni = Dni::parse(&request.dni)
        .map_err(|_| fail(ErrorCode::InvalidRequest, "El número de DNI no es válido: debe tener 8 dígitos."))?;
    let customer = conn
        .query_row(
            &format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE dni = ?1"),
            params![dni.as_str()],
            customer_from_row,
        )
        .optional()?
        .ok_or_else(|| fail(ErrorCode::NotFound, "No hay un cliente registrado con ese DNI."))?;
    let filed_at = request.filed_at.min(ctx.now);
    let ticket = insert_request(conn, &customer.id, request.kind, None, &request.detail, filed_at)?;
    let body = format!(
        "Estimado(a) {}:\nRegistramos su solicitud de {} en ServiCaja el {}.\nN.° de solicitud: {}\n\
         Fecha máxima de respuesta: {} ({} días hábiles).",
        customer.name,
        request_kind_label(request.kind),
        ticket.filed_on.format("%d/%m/%Y"),
        ticket.ticket_number,
        ticket.deadline.format("%d/%m/%Y"),
        ticket.business_days,
    );
    let subject = format!("Solicitud registrada N.° {}", ticket.ticket_number);
    outbox_push(conn, ctx, OutboxChannel::Email, &customer.email, &subject, &body)?;
    Ok(ticket)
}

fn request_kind_label(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::PolicyEndorsement => "endoso de póliza de seguro",
        RequestKind::PremiumRefund => "devolución de prima de seguro",
        RequestKind::AddressChange => "cambio de dirección",
        RequestKind::GuaranteeRelease => "liberación de garantía",
    }
}

fn insert_request(
    conn: &Connection,
    customer_id: &str,
    kind: RequestKind,
    loan_id: Option<&str>,
    detail: &str,
    filed_at: DateTime<Utc>,
) -> OpResult<RequestTicket> {
    let detail = detail.trim();
    if detail.chars().count() > 500 {
        return Err(fail(ErrorCode::InvalidRequest, "El detalle del requerimiento admite hasta 500 caracteres."));
    }
    let filed_on = peru_date(filed_at);
    let deadline = calendar::add_business_days(filed_on, REQUEST_DEADLINE_BUSINESS_DAYS)
        .ok_or_else(|| fail(ErrorCode::Internal, "No se pudo calcular el plazo del requerimiento."))?;
    let sequence = next_counter(conn, "request")?;
    let ticket = RequestTicket {
        ticket_number: format!("REQ-{}-{:06}", filed_on.format("%Y%m%d"), sequence),
        kind,
        filed_at,
        filed_on,
        business_days: REQUEST_DEADLINE_BUSINESS_DAYS,
        deadline,
    };
    conn.execute(
        "INSERT INTO requests (ticket, customer_id, kind, loan_id, detail, filed_at, deadline) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            ticket.ticket_number,
            customer_id,
            enum_text(&kind),
            loan_id,
            detail,
            filed_at.to_rfc3339(),
            deadline.to_string()
        ],
    )?;
    Ok(ticket)
}

fn plausible_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && address.len() <= 254
        && !address.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub fn send_email(conn: &Connection, ctx: &Ctx<'_>, request: EmailRequest) -> OpResult<EmailQueued> {
    ctx.customer()?;
    let to = request.to.trim();
    if !plausible_email(to) {
        return Err(fail(ErrorCode::InvalidRequest, "La dirección de correo electrónico no es válida."));
    }
    if request.subject.chars().count() > 200 || request.body.len() > 64 * 1024 {
        return Err(fail(ErrorCode::InvalidRequest, "El asunto o el contenido del correo es demasiado largo."));
    }
    let mut body = request.body.clone();
    if let Some(pdf) = &request.pdf_base64 {
        body.push_str(&format!("\n[adjunto PDF, {} caracteres en base64]", pdf.len()));
    }
    let message_id = outbox_push(conn, ctx, OutboxChannel::Email, to, &request.subject, &body)?;
    Ok(EmailQueued { message_id, at: ctx.now })
}

// ---------------------------------------------------------------------------------------------------------
// Clave enrollment (R12)
// ---------------------------------------------------------------------------------------------------------

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredQuestion {
    question: EnrollmentQuestion,
    correct: u32,
}

const SIN_ASIGNAR: &str = "Sin asignar";

fn enrollment_blocked_problem() -> OpError {
    fail(
        ErrorCode::EnrollmentBlocked,
        "El registro de su clave está bloqueado por 3 intentos fallidos. Acérquese a una ventanilla de la agencia.",
    )
}

/// Builds 4 questions from the data on record; the right option's position depends on `seed`.
fn build_questions(customer: &CustomerRow, seed: &str) -> Vec<StoredQuestion> {
    let record: serde_json::Value = serde_json::from_str(&customer.record_json).unwrap_or_default();
    let text = |key: &str| record.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let as_date = |key: &str| {
        text(key).parse::<NaiveDate>().map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_else(|_| SIN_ASIGNAR.into())
    };
    let or_unassigned = |value: String| if value.trim().is_empty() { SIN_ASIGNAR.to_owned() } else { value };
    let specs: Vec<(&str, &str, String, Vec<&str>)> = vec![
        (
            "q1",
            "¿Cuál es su fecha de nacimiento?",
            as_date("birth_date"),
            vec!["24/03/1954", "28/04/1997", "19/10/1952", "05/11/1988", "29/02/1980"],
        ),
        (
            "q2",
            "¿Cuál es su profesión u ocupación registrada?",
            or_unassigned(text("profession")),
            vec![
                "Servicios generales",
                "Comerciante",
                "Licenciado en educación",
                "Auxiliar administrativo",
                SIN_ASIGNAR,
            ],
        ),
        (
            "q3",
            "¿Cuál es el número celular de su cónyuge?",
            or_unassigned(text("spouse_phone")),
            vec!["952111222", "955777888", "953008349", SIN_ASIGNAR],
        ),
        (
            "q4",
            "¿Cuál es la fecha de ingreso a su centro de labores?",
            as_date("employer_since"),
            vec!["26/01/2016", "17/07/2010", "22/12/2000", "27/12/2013", "02/05/2018"],
        ),
    ];
    let digest = sha256_hex(&[seed.as_bytes()]);
    let digest = digest.as_bytes();
    specs
        .into_iter()
        .enumerate()
        .map(|(index, (id, question, right, pool))| {
            let mut options: Vec<String> =
                pool.iter().filter(|o| **o != right).take(3).map(|o| (*o).to_owned()).collect();
            if right != SIN_ASIGNAR && !options.iter().any(|o| o == SIN_ASIGNAR) {
                options.truncate(2);
                options.push(SIN_ASIGNAR.to_owned());
            }
            let position = usize::from(digest.get(index).copied().unwrap_or(0)) % (options.len() + 1);
            options.insert(position, right);
            StoredQuestion {
                question: EnrollmentQuestion { id: id.to_owned(), text: question.to_owned(), options },
                correct: u32::try_from(position).unwrap_or(0),
            }
        })
        .collect()
}

pub fn start_enrollment(
    conn: &Connection,
    ctx: &Ctx<'_>,
    request: StartEnrollmentRequest,
) -> OpResult<EnrollmentStarted> {
    let customer = customer_by_card(conn, &request.card_number, &request.dni)?;
    if customer.card_locked {
        return Err(card_locked_problem());
    }
    if customer.enrollment_failures >= MAX_ENROLLMENT_FAILURES {
        return Err(enrollment_blocked_problem());
    }
    let id = new_id();
    let questions = build_questions(&customer, &id);
    conn.execute(
        "INSERT INTO enrollments (id, customer_id, questions_json, state, created_at) VALUES (?1, ?2, ?3, 'questions', ?4)",
        params![id, customer.id, serde_json::to_string(&questions)?, ctx.now.to_rfc3339()],
    )?;
    Ok(EnrollmentStarted {
        enrollment_id: id,
        questions: questions.into_iter().map(|q| q.question).collect(),
        attempts_left: MAX_ENROLLMENT_FAILURES - customer.enrollment_failures,
    })
}

fn enrollment(conn: &Connection, id: &str) -> OpResult<(String, String, String, Option<String>)> {
    conn.query_row(
        "SELECT customer_id, questions_json, state, otp_id FROM enrollments WHERE id = ?1",
        params![id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()?
    .ok_or_else(|| fail(ErrorCode::NotFound, "El registro de clave no existe. Empiece nuevamente."))
}

pub fn answer_enrollment(
    conn: &Connection,
    ctx: &Ctx<'_>,
    id: &str,
    answers: EnrollmentAnswers,
) -> OpResult<EnrollmentVerified> {
    let (customer_id, questions_json, state, _) = enrollment(conn, id)?;
    let customer = customer_by_id(conn, &customer_id)?;
    if customer.enrollment_failures >= MAX_ENROLLMENT_FAILURES {
        return Err(enrollment_blocked_problem());
    }
    if state != "questions" {
        return Err(fail(ErrorCode::EnrollmentState, "Las preguntas ya fueron respondidas correctamente."));
    }
    let questions: Vec<StoredQuestion> = serde_json::from_str(&questions_json)?;
    let all_right = questions.len() == answers.answers.len()
        && questions
            .iter()
            .all(|q| answers.answers.iter().any(|a| a.question_id == q.question.id && a.option == q.correct));
    if !all_right {
        let failures = customer.enrollment_failures + 1;
        conn.execute("UPDATE customers SET enrollment_failures = ?2 WHERE id = ?1", params![customer.id, failures])?;
        if failures >= MAX_ENROLLMENT_FAILURES {
            conn.execute("UPDATE enrollments SET state = 'blocked' WHERE id = ?1", params![id])?;
            return Err(kept(enrollment_blocked_problem()));
        }
        let left = MAX_ENROLLMENT_FAILURES - failures;
        let mut error = fail(
            ErrorCode::EnrollmentAnswersWrong,
            format!("Una o más respuestas no coinciden con nuestros registros. Le queda(n) {left} intento(s)."),
        );
        error.problem.attempts_left = Some(left);
        return Err(kept(error));
    }
    let otp = issue_otp(conn, ctx, &customer, "clave_enrollment")?;
    conn.execute("UPDATE enrollments SET state = 'verified', otp_id = ?2 WHERE id = ?1", params![id, otp.otp_id])?;
    Ok(EnrollmentVerified { enrollment_id: id.to_owned(), otp })
}

/// A new SMS code for an enrollment whose answers passed: the earlier code stops counting (the enrollment
/// keeps only the newest), as a resent affiliation code does.
pub fn resend_enrollment_code(conn: &Connection, ctx: &Ctx<'_>, id: &str) -> OpResult<OtpSent> {
    let (customer_id, _, state, _) = enrollment(conn, id)?;
    if state != "verified" {
        return Err(fail(ErrorCode::EnrollmentState, "Primero responda correctamente las preguntas de validación."));
    }
    let customer = customer_by_id(conn, &customer_id)?;
    let otp = issue_otp(conn, ctx, &customer, "clave_enrollment")?;
    conn.execute("UPDATE enrollments SET otp_id = ?2 WHERE id = ?1", params![id, otp.otp_id])?;
    Ok(otp)
}

pub fn set_enrollment_clave(
    conn: &Connection,
    ctx: &Ctx<'_>,
    id: &str,
    request: SetClaveRequest,
) -> OpResult<EnrollmentCompleted> {
    let (customer_id, _, state, otp_id) = enrollment(conn, id)?;
    if state != "verified" {
        return Err(fail(ErrorCode::EnrollmentState, "Primero responda correctamente las preguntas de validación."));
    }
    if !is_six_digits(&request.new_clave) {
        return Err(fail(ErrorCode::ClaveFormat, "La nueva clave debe tener exactamente 6 dígitos."));
    }
    let otp_id = otp_id.unwrap_or_default();
    verify_otp(conn, ctx, &customer_id, "clave_enrollment", &otp_id, &request.otp_code)?;
    conn.execute(
        "UPDATE customers SET clave_hash = ?2, clave_failures = 0 WHERE id = ?1",
        params![customer_id, clave_hash(&customer_id, &request.new_clave)],
    )?;
    conn.execute("UPDATE enrollments SET state = 'completed' WHERE id = ?1", params![id])?;
    Ok(EnrollmentCompleted { enrollment_id: id.to_owned(), at: ctx.now })
}
