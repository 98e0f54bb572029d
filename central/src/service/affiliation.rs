//! OTPs, the simulated SMS/e-mail outbox, and the affiliation of accounts (R2–R4).

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use servicaja_core::api::*;
use servicaja_core::identity::phone::mask_phone;

use crate::clock::peru_printed;
use crate::db::{enum_from, enum_text, next_counter, sha256_hex};

use super::accounts::{list_accounts, own_account};
use super::session::{CustomerRow, customer_by_id};
use super::{Ctx, OpResult, fail, kept, new_id, random_digits};

pub(super) fn outbox_push(
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

pub(super) fn issue_otp(conn: &Connection, ctx: &Ctx<'_>, customer: &CustomerRow, purpose: &str) -> OpResult<OtpSent> {
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

pub(super) fn verify_otp(
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
