//! The no-debt certificate (R10), customer requests (R11) and e-mailed documents.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use servicaja_core::api::*;
use servicaja_core::calendar;
use servicaja_core::identity::dni::Dni;

use crate::clock::{peru_date, peru_printed};
use crate::db::{enum_text, next_counter};

use super::affiliation::outbox_push;
use super::loans::{LoanRow, own_loan, own_loans};
use super::session::{CUSTOMER_COLUMNS, customer_by_id, customer_from_row};
use super::{Ctx, OpError, OpResult, fail, money};

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
