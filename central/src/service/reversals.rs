//! Reversals: a payment undone exactly, or refused when it arrives after its reversal.

use rusqlite::{Connection, OptionalExtension, params};
use servicaja_core::api::*;
use servicaja_core::loans::{self};
use uuid::Uuid;

use super::accounts::{ACCOUNT_COLUMNS, account_from_row, post_movement};
use super::{Ctx, OpResult, fail, parse_decimal};

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
