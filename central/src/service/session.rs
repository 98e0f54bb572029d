//! Sessions (R1): the customer found by card and DNI, the clave checked, the token issued.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use servicaja_core::api::*;
use servicaja_core::identity::card::{CardNumber, masked_from_last_four};
use servicaja_core::identity::dni::Dni;
use servicaja_core::identity::phone::mask_phone;

use crate::db::{card_hash, clave_hash, sha256_hex};

use super::{Ctx, OpError, OpResult, fail, kept, new_id};

pub(super) struct CustomerRow {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) dni: String,
    pub(super) card_last4: String,
    pub(super) clave_hash: String,
    pub(super) clave_failures: u32,
    pub(super) card_locked: bool,
    pub(super) phone: String,
    pub(super) email: String,
    pub(super) record_json: String,
    pub(super) enrollment_failures: u32,
}

pub(super) const CUSTOMER_COLUMNS: &str = "id, name, dni, card_last4, clave_hash, clave_failures, card_locked, phone, email, \
                                record_json, enrollment_failures";

pub(super) fn customer_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<CustomerRow> {
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

pub(super) fn customer_by_id(conn: &Connection, id: &str) -> OpResult<CustomerRow> {
    conn.query_row(&format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = ?1"), params![id], customer_from_row)
        .optional()?
        .ok_or_else(|| fail(ErrorCode::NotFound, "Cliente no encontrado."))
}

/// Card number + DNI → the customer, or `card_not_recognized`.
pub(super) fn customer_by_card(conn: &Connection, card_number: &str, dni: &str) -> OpResult<CustomerRow> {
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

pub(super) fn card_locked_problem() -> OpError {
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
        masked_card: masked_from_last_four(&customer.card_last4),
    }
}

pub(super) fn is_six_digits(text: &str) -> bool {
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
