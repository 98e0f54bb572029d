//! Accounts and their movements: the customer's own accounts and the posting of one movement.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use rust_decimal::Decimal;
use servicaja_core::api::*;
use servicaja_core::money::Currency;

use crate::db::enum_from;

use super::{Ctx, OpResult, cents, fail, money, parse_decimal};

pub(super) const ACCOUNT_COLUMNS: &str = "id, number, product_name, currency, balance, status, signature, affiliated";

pub(super) fn account_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
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

pub(super) fn own_account(conn: &Connection, customer_id: &str, account_id: &str) -> OpResult<Account> {
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

pub(super) fn post_movement(
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
