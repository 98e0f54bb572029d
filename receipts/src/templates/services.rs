//! Service documents: affiliation and disaffiliation constancias (R4), the constancia de no adeudo
//! (R10), the request ticket (R11), the clave enrollment confirmation and the balance inquiry slip.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
pub use servicaja_core::api::RequestKind;
use servicaja_core::money::Money;

use super::{AccountRef, Issue, field, paragraph};
use crate::format;
use crate::model::{Block, Document, DocumentKind, MaskedNumber};

/// Affiliating or disaffiliating an account to internet purchases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AffiliationAction {
    Affiliation,
    Disaffiliation,
}

/// The data of the seed's constancia (§I.6, §II.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffiliationConstancia {
    pub action: AffiliationAction,
    /// As the seed prints it: `JESUS`.
    pub customer_name: String,
    pub account: AccountRef,
    pub email: String,
}

/// The affiliation or disaffiliation constancia, with exactly the seed's fields: Operación, Servicio,
/// Cliente, Cuenta afiliada (type, currency and number), E-mail, Fecha y hora.
pub fn affiliation_constancia(issue: &Issue, constancia: &AffiliationConstancia) -> Document {
    let (kind, title, operation, closing) = match constancia.action {
        AffiliationAction::Affiliation => (
            DocumentKind::Affiliation,
            "CONSTANCIA DE AFILIACIÓN",
            "AFILIACIÓN",
            "Ahora podrá realizar sus compras por internet en comercios electrónicos afiliados a VISA utilizando la cuenta que ha afiliado. Solo se puede tener una cuenta afiliada al servicio.",
        ),
        AffiliationAction::Disaffiliation => (
            DocumentKind::Disaffiliation,
            "CONSTANCIA DE DESAFILIACIÓN",
            "DESAFILIACIÓN",
            "Hemos terminado con el proceso de desafiliación de su cuenta al servicio de Compras por Internet.",
        ),
    };
    let body = vec![
        field("Operación", operation),
        field("Servicio", "COMPRAS POR INTERNET"),
        field("Cliente", constancia.customer_name.clone()),
        Block::Stacked { label: "Cuenta afiliada".into(), value: constancia.account.describe() },
        field("E-mail", constancia.email.clone()),
        issue.date_time_field(),
    ];
    issue.document(kind, title, body, vec![closing.to_owned()])
}

/// Which loans a no-debt certificate covers (R10, seed §IV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoDebtScope {
    /// The customer has cancelled every loan.
    AllLoans,
    /// Only the listed loans are cancelled; others remain.
    ListedLoans,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelledLoan {
    pub loan_number: String,
    pub product: String,
    /// `None` when the central does not know it (very old loans): the line is left out.
    pub cancelled_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoDebtCertificate {
    pub customer_name: String,
    /// The holder's DNI as shown by the document reader.
    pub document_number: String,
    pub scope: NoDebtScope,
    pub loans: Vec<CancelledLoan>,
}

/// The constancia de no adeudo.
pub fn no_debt_certificate(issue: &Issue, certificate: &NoDebtCertificate) -> Document {
    let institution = &issue.header.institution;
    let statement = match certificate.scope {
        NoDebtScope::AllLoans => format!(
            "{institution} deja constancia de que el(la) cliente no mantiene deuda pendiente de pago por sus créditos con la institución, a la fecha y hora de emisión."
        ),
        NoDebtScope::ListedLoans => format!(
            "{institution} deja constancia de que los créditos detallados a continuación se encuentran totalmente cancelados, a la fecha y hora de emisión."
        ),
    };
    let mut body = vec![
        issue.date_time_field(),
        field("Cliente", certificate.customer_name.clone()),
        field("DNI", certificate.document_number.clone()),
        Block::Blank,
        paragraph(statement),
        Block::Blank,
        Block::Section("Créditos cancelados".into()),
    ];
    for loan in &certificate.loans {
        body.push(field("Crédito", loan.loan_number.clone()));
        body.push(field("Producto", loan.product.clone()));
        if let Some(day) = loan.cancelled_on {
            body.push(field("Fecha de cancelación", format::date(day)));
        }
        body.push(Block::Blank);
    }
    let footer = vec![
        "Emitida en concordancia con la Ley N° 31143 - Ley que protege de la usura a los consumidores de los servicios financieros.".to_owned(),
    ];
    issue.document(DocumentKind::NoDebt, "CONSTANCIA DE NO ADEUDO", body, footer)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestTicket {
    pub customer_name: String,
    pub kind: RequestKind,
    /// The deadline in business days (15 for every request the seed lists).
    pub business_days: u32,
    /// The deadline date, computed with the business-day calendar.
    pub deadline: NaiveDate,
    /// How the answer reaches the customer: `Correo electrónico: …`, `SMS al 95*****480`.
    pub answer_channel: String,
}

/// The request ticket with its deadline.
pub fn request_ticket(issue: &Issue, ticket: &RequestTicket) -> Document {
    let institution = &issue.header.institution;
    let days = ticket.business_days;
    let (name, procedure) = match ticket.kind {
        RequestKind::PolicyEndorsement => (
            "Endoso de póliza de seguro",
            format!(
                "{institution} procederá con la evaluación respectiva en un plazo de ({days}) días hábiles posteriores a la presentación del requerimiento de endoso."
            ),
        ),
        RequestKind::PremiumRefund => (
            "Devolución de primas del Seguro de Desgravamen con Devolución",
            format!(
                "{institution} remitirá el requerimiento a la Compañía de Seguros, que lo atenderá en un plazo estimado de {days} días hábiles, sujeto a ampliación teniendo en cuenta la complejidad del requerimiento."
            ),
        ),
        RequestKind::AddressChange => (
            "Cambio de domicilio",
            format!(
                "{institution} realizará la verificación del domicilio y evaluación de la viabilidad del cambio de domicilio solicitado, comunicando la procedencia o improcedencia del requerimiento dentro de los ({days}) días hábiles posteriores a la fecha del registro del requerimiento."
            ),
        ),
        RequestKind::GuaranteeRelease => (
            "Certificado de Liberación de Garantía",
            format!(
                "De ser procedente el requerimiento, {institution} emitirá el Certificado de Liberación de Garantía en un plazo no mayor a ({days}) días hábiles."
            ),
        ),
    };
    let body = vec![
        field("Fecha de registro", format::lima_date_time(issue.issued_at)),
        field("Cliente", ticket.customer_name.clone()),
        Block::Stacked { label: "Requerimiento".into(), value: name.into() },
        field("Plazo de atención", format!("{days} días hábiles")),
        Block::Field { label: "Fecha límite de respuesta".into(), value: format::date(ticket.deadline) },
        Block::Stacked { label: "Medio de respuesta".into(), value: ticket.answer_channel.clone() },
        Block::Blank,
        paragraph(procedure),
    ];
    let footer = vec![
        "Días hábiles: de lunes a viernes, sin contar los feriados nacionales.".to_owned(),
        "Para consultar el estado de su requerimiento indique el N° de operación.".to_owned(),
    ];
    issue.document(DocumentKind::RequestTicket, "CONSTANCIA DE REQUERIMIENTO", body, footer)
}

/// A clave was created; the document never carries the clave itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaveEnrollment {
    pub customer_name: String,
    pub card: MaskedNumber,
}

/// The clave enrollment confirmation.
pub fn clave_enrollment(issue: &Issue, enrollment: &ClaveEnrollment) -> Document {
    let institution = &issue.header.institution;
    let body = vec![
        issue.date_time_field(),
        field("Cliente", enrollment.customer_name.clone()),
        field("Tarjeta", enrollment.card.as_str()),
        Block::Blank,
        paragraph("Su clave de internet (6 dígitos) fue creada correctamente."),
        paragraph(
            "Úsela con el número de su tarjeta y su documento de identidad en Tu Caja por Internet, CAJA TACNA APP y ServiCaja Virtual.",
        ),
    ];
    let footer = vec![
        "Su clave es personal y secreta: no la comparta con nadie. Este documento no contiene su clave.".to_owned(),
        format!(
            "{institution} nunca le pedirá su clave por teléfono, correo electrónico ni mensaje de texto. Tres intentos fallidos bloquean el acceso."
        ),
    ];
    issue.document(DocumentKind::ClaveEnrollment, "CONFIRMACIÓN DE CLAVE DE INTERNET", body, footer)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountBalance {
    pub account: AccountRef,
    pub available: Money,
    pub accounting: Money,
    /// The movements the customer was shown, newest first; empty for a balance alone.
    pub movements: Vec<MovementLine>,
}

/// One movement of an account as the slip prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovementLine {
    pub at: DateTime<Utc>,
    /// As the caja's systems write it: `PAGO CUOTA CRÉDITO 00340001`.
    pub description: String,
    /// Signed: debits are negative.
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalanceInquiry {
    pub customer_name: String,
    pub accounts: Vec<AccountBalance>,
}

/// The balance inquiry slip, with the movements when the customer printed them from the movements screen.
pub fn balance_inquiry(issue: &Issue, inquiry: &BalanceInquiry) -> Document {
    let mut body = vec![issue.date_time_field(), field("Cliente", inquiry.customer_name.clone())];
    for balance in &inquiry.accounts {
        body.push(Block::Separator);
        body.push(Block::Section(balance.account.describe()));
        body.push(Block::Amount { label: "Saldo disponible".into(), amount: balance.available, strong: true });
        body.push(Block::Amount { label: "Saldo contable".into(), amount: balance.accounting, strong: false });
        if !balance.movements.is_empty() {
            body.push(Block::Blank);
            body.push(Block::Section("Últimos movimientos".into()));
            for movement in &balance.movements {
                body.push(Block::Entry {
                    left: format::lima_date_time(movement.at),
                    right: format::money(&movement.amount),
                    detail: movement.description.clone(),
                });
            }
        }
    }
    if inquiry.accounts.is_empty() {
        body.push(paragraph("No tiene cuentas de ahorro activas."));
    }
    let footer = vec![
        "Saldos a la fecha y hora de la consulta; el saldo disponible puede variar por operaciones en proceso."
            .to_owned(),
    ];
    issue.document(DocumentKind::BalanceInquiry, "CONSULTA DE SALDOS", body, footer)
}
