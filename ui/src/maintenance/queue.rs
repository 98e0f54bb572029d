//! The queue page against a real outbox: counts by state, the oldest pending command, the expired and
//! rejected commands (never their payload or token), retry and cancel-with-reason. Called on the UI thread,
//! which is not a tokio thread: each call blocks on the outbox's short SQLite work through `handle`.
//!
//! An expired command may be retried or cancelled; a rejected one only cancelled with a reason (once the
//! customer is attended at the counter), since the central replays its rejection for the same key
//! (`State::can_retry` and `State::can_cancel` in the host crate).
//!
//! Not every rejection is the technician's business: a customer who mistyped the SMS code or the clave, or
//! whose amount or account the central refused, read that refusal on the kiosk while waiting for it and
//! could correct it there. Those are listed as `declined` (seen by the customer, nothing to do), apart
//! from the rejections somebody must act on.

use servicaja_core::api::ErrorCode;
use servicaja_host::outbox::{Outbox, Transport};
use servicaja_host::policy::{CommandId, CommandKind, State};

use super::backend::{QueueProblem, QueueReport};

/// Counts by state, the oldest pending command and the commands a technician must look at.
pub fn queue_report<T: Transport>(handle: &tokio::runtime::Handle, outbox: &Outbox<T>) -> Result<QueueReport, String> {
    let status = handle.block_on(outbox.status()).map_err(|err| err.to_string())?;
    let problems = handle
        .block_on(outbox.list(vec![State::Expired, State::Rejected, State::Unreadable]))
        .map_err(|err| err.to_string())?;
    Ok(QueueReport {
        counts: State::ALL.iter().map(|state| (state.as_str().to_owned(), status.count(*state))).collect(),
        oldest_pending: status.oldest_open,
        problems: problems
            .into_iter()
            .map(|command| QueueProblem {
                id: command.id.0,
                kind: command.kind.as_str().to_owned(),
                state: if command.state == State::Rejected
                    && seen_by_customer(command.kind, command.interactive, command.answer.as_ref())
                {
                    DECLINED.to_owned()
                } else {
                    command.state.as_str().to_owned()
                },
                created_at: command.created_at,
                last_error: match command.state {
                    State::Rejected => rejection(command.answer_status, command.answer.as_ref()),
                    State::Unreadable => command.close_reason.or(command.damage),
                    _ => command.last_error,
                },
            })
            .collect(),
    })
}

/// The queue page's state of a rejection the customer read at the kiosk and could correct there.
pub const DECLINED: &str = "declined";

/// Whether a rejected command was refused for something the customer saw on the kiosk and could correct
/// there (a mistyped code or clave, an amount or account the central does not take): only a command the
/// customer waited for (interactive), never a reversal, and only for the codes the kiosk explains to the
/// customer and lets them try again or choose otherwise. Anything else (a malformed request, a conflict of
/// keys, a reversal refused, the central's own failure, an unknown code) still needs staff.
fn seen_by_customer(kind: CommandKind, interactive: bool, answer: Option<&serde_json::Value>) -> bool {
    if !interactive || kind == CommandKind::Reversal {
        return false;
    }
    let code = answer
        .and_then(|answer| answer.get("code"))
        .and_then(|code| serde_json::from_value::<ErrorCode>(code.clone()).ok());
    matches!(
        code,
        Some(
            ErrorCode::CardNotRecognized
                | ErrorCode::ClaveInvalid
                | ErrorCode::ClaveFormat
                | ErrorCode::CardLocked
                | ErrorCode::SessionRequired
                | ErrorCode::SessionExpired
                | ErrorCode::AccountInactive
                | ErrorCode::NotIndividualSignature
                | ErrorCode::AlreadyAffiliated
                | ErrorCode::NotAffiliated
                | ErrorCode::ConfirmationRequired
                | ErrorCode::OtpInvalid
                | ErrorCode::OtpExpired
                | ErrorCode::OtpExhausted
                | ErrorCode::InsufficientFunds
                | ErrorCode::LimitExceeded
                | ErrorCode::LoanNotPayableHere
                | ErrorCode::OverdueFirst
                | ErrorCode::AmountInvalid
                | ErrorCode::LoanCancelled
                | ErrorCode::QuoteChanged
                | ErrorCode::LoansNotCancelled
                | ErrorCode::NoCancelledLoans
                | ErrorCode::EnrollmentAnswersWrong
                | ErrorCode::EnrollmentBlocked
        )
    )
}

/// What the central answered to a rejected command: its status and problem code (its message is written
/// for customers and may name them, so it is not shown).
fn rejection(status: Option<u16>, answer: Option<&serde_json::Value>) -> Option<String> {
    let code = answer.and_then(|answer| answer.get("code")).and_then(serde_json::Value::as_str);
    match (status, code) {
        (Some(status), Some(code)) => Some(format!("HTTP {status} · {code}")),
        (Some(status), None) => Some(format!("HTTP {status}")),
        (None, Some(code)) => Some(code.to_owned()),
        (None, None) => None,
    }
}

/// Sends a pending or expired command again now, with the same idempotency key (a rejected one is refused).
pub fn retry<T: Transport>(handle: &tokio::runtime::Handle, outbox: &Outbox<T>, id: i64) -> Result<(), String> {
    handle.block_on(outbox.retry(CommandId(id))).map(|_| ()).map_err(|err| err.to_string())
}

/// Withdraws a pending or expired command, or closes a rejected one; the reason is kept with it.
pub fn cancel<T: Transport>(
    handle: &tokio::runtime::Handle,
    outbox: &Outbox<T>,
    id: i64,
    reason: &str,
) -> Result<(), String> {
    handle.block_on(outbox.cancel(CommandId(id), reason.to_owned())).map(|_| ()).map_err(|err| err.to_string())
}
