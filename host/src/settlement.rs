//! How a payment ended, written to the journal from the outbox — the authority on what the central did —
//! once per payment, even across a crash between writing the record and marking it in the outbox (the
//! record's key is derived from the payment's). The kiosk's runtime, the simulation tests and the soak
//! bench all journal settlements through here.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::journal::{Journal, JournalError, JournalEvent, Outcome, SafeText};
use crate::store::{PaymentOutcome, PaymentSettlement, StoredCommand};

/// The kind of the journal record that says how a payment ended.
pub const SETTLEMENT_KIND: &str = "liquidación de pago";

/// The journal key of a payment's settlement record.
pub fn settlement_key(payment: Uuid) -> Uuid {
    crate::engine::derived_key("settlement", payment)
}

/// The operation id the kiosk chose for a payment (in its body), or its key.
pub fn operation_id_of(payment: &StoredCommand) -> String {
    payment
        .payload
        .get("operation_id")
        .and_then(|id| id.as_str())
        .map_or_else(|| payment.key.to_string(), str::to_owned)
}

/// The settlement record of a payment, and an alert when the central refused its reversal.
pub fn settlement_events(settlement: &PaymentSettlement) -> Result<(JournalEvent, Option<JournalEvent>), JournalError> {
    let payment = &settlement.payment;
    let answer = payment.answer.as_ref();
    let number = answer
        .and_then(|a| a.get("operation_number"))
        .and_then(|n| n.as_str())
        .map_or_else(|| operation_id_of(payment), str::to_owned);
    let amount = answer
        .and_then(|a| a.get("debit"))
        .and_then(|d| serde_json::from_value::<servicaja_core::money::Money>(d.clone()).ok())
        .map(|debit| debit.to_string());
    let (outcome, detail) = match &settlement.outcome {
        PaymentOutcome::Done => (Outcome::Approved, "realizado: aplicado por la central".to_owned()),
        PaymentOutcome::Refused { code } => (Outcome::Refused, format!("no realizado: rechazado ({code})")),
        PaymentOutcome::Reversed { reason } => {
            (Outcome::Reversed, format!("no realizado: extornado ({reason}), extorno confirmado por la central"))
        }
        PaymentOutcome::Withdrawn { reason } => (Outcome::Failed, format!("no realizado: retirado ({reason})")),
        PaymentOutcome::ReversalRefused { code } => (
            Outcome::Approved,
            format!("ATENCIÓN: la central rechazó el extorno ({code}); el cargo se mantiene, atender al cliente"),
        ),
        PaymentOutcome::Unknown { reason } => {
            (Outcome::Failed, format!("ATENCIÓN: resultado desconocido ({reason}); conciliar con la central"))
        }
    };
    let record = JournalEvent::Operation {
        session: None,
        operation: number,
        kind: SETTLEMENT_KIND.into(),
        card: None,
        amount,
        outcome,
        detail: SafeText::new(detail)?,
        command_key: Some(settlement_key(payment.key)),
    };
    let alert = match &settlement.outcome {
        PaymentOutcome::ReversalRefused { code } => Some(JournalEvent::Alert {
            message: SafeText::new(format!(
                "Extorno rechazado por la central ({code}) para la operación {}: el cliente fue informado de que no \
                 quedaba cargo. Atender en ventanilla.",
                operation_id_of(payment)
            ))?,
        }),
        _ => None,
    };
    Ok((record, alert))
}

/// Journals a payment's settlement unless it is already there. Ok once it is in the journal.
pub fn journal_settlement(
    journal: &mut Journal,
    settlement: &PaymentSettlement,
    at: DateTime<Utc>,
) -> Result<(), JournalError> {
    if journal.has_operation_for(settlement_key(settlement.payment.key))? {
        return Ok(());
    }
    let (record, alert) = settlement_events(settlement)?;
    journal.append(at, &record)?;
    if let Some(alert) = alert {
        journal.append(at, &alert)?;
    }
    Ok(())
}
