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
//! could correct it there. Those are listed as [`ProblemState::Declined`] (seen by the customer, nothing to do), apart
//! from the rejections somebody must act on.

use servicaja_core::api::ErrorCode;
use servicaja_host::outbox::{Outbox, Transport};
use servicaja_host::policy::{CommandId, CommandKind, State};
use servicaja_host::store::{OutboxError, StoredCommand};

use super::backend::{CommandError, CommandRefusal, ProblemState, QueueProblem, QueueReport, SendFailure};

/// Counts by state, the oldest pending command and the commands a technician must look at.
pub fn queue_report<T: Transport>(handle: &tokio::runtime::Handle, outbox: &Outbox<T>) -> Result<QueueReport, String> {
    let status = handle.block_on(outbox.status()).map_err(|err| err.to_string())?;
    let problems = handle
        .block_on(outbox.list(vec![State::Expired, State::Rejected, State::Unreadable]))
        .map_err(|err| err.to_string())?;
    Ok(QueueReport {
        counts: State::ALL.iter().map(|state| (state.as_str().to_owned(), status.count(*state))).collect(),
        oldest_pending: status.oldest_open,
        problems: problems.into_iter().map(problem).collect(),
    })
}

/// A listed command as the page shows it: typed kind and state, and the technical code beside them.
fn problem(command: StoredCommand) -> QueueProblem {
    let state = match command.state {
        State::Rejected if seen_by_customer(command.kind, command.interactive, command.answer.as_ref()) => {
            ProblemState::Declined
        }
        State::Rejected => ProblemState::Rejected,
        State::Unreadable => ProblemState::Unreadable,
        _ => ProblemState::Expired,
    };
    let failure = match state {
        ProblemState::Expired => command.last_error.as_deref().map(send_failure),
        _ => None,
    };
    // A row set aside may not have a kind this kiosk can read: it is listed as "other".
    let kind = if command.damage.as_deref().is_some_and(|damage| damage.contains("kind:")) {
        None
    } else {
        Some(command.kind)
    };
    let (failure, code) = match (state, failure) {
        (ProblemState::Rejected | ProblemState::Declined, _) => {
            (None, rejection(command.answer_status, command.answer.as_ref()).unwrap_or_default())
        }
        (ProblemState::Unreadable, _) => (None, command.damage.or(command.close_reason).unwrap_or_default()),
        (ProblemState::Expired, Some((failure, code))) => (Some(failure), code),
        (ProblemState::Expired, None) => (None, String::new()),
    };
    QueueProblem { id: command.id.0, kind, state, created_at: command.created_at, failure, code }
}

/// The last failure of a command as the host client wrote it (the `Display` of its `HostError`, which the
/// outbox keeps as text), classified for the page, with its short code: `network`, `timeout`, `tls`,
/// `HTTP 503 · busy`, `decode`, `config`. The tests below hold this to the host client's own errors.
pub fn send_failure(text: &str) -> (SendFailure, String) {
    let (failure, code) = if text.starts_with("cannot reach the central") {
        (SendFailure::Network, "network".to_owned())
    } else if text.starts_with("the central did not answer in time") {
        (SendFailure::Timeout, "timeout".to_owned())
    } else if text.starts_with("secure connection to the central failed") {
        (SendFailure::Tls, "tls".to_owned())
    } else if text.starts_with("the central's answer could not be read") {
        (SendFailure::Decode, "decode".to_owned())
    } else if text.starts_with("host client configuration") {
        (SendFailure::Config, "config".to_owned())
    } else if let Some(rest) = text.strip_prefix("the central answered ") {
        let mut parts = rest.splitn(3, ": ");
        let status = parts.next().and_then(|status| status.parse::<u16>().ok());
        let code = parts.next().filter(|code| !code.is_empty());
        match (status, code) {
            (Some(status), Some(code)) => (SendFailure::Status(status), format!("HTTP {status} · {code}")),
            (Some(status), None) => (SendFailure::Status(status), format!("HTTP {status}")),
            (None, _) => (SendFailure::Other, String::new()),
        }
    } else {
        (SendFailure::Other, String::new())
    };
    (failure, code)
}

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
pub fn retry<T: Transport>(handle: &tokio::runtime::Handle, outbox: &Outbox<T>, id: i64) -> Result<(), CommandError> {
    handle.block_on(outbox.retry(CommandId(id))).map(|_| ()).map_err(|err| command_error(&err))
}

/// The outbox's refusal as the queue page words it, its text kept as the detail.
pub fn command_error(err: &OutboxError) -> CommandError {
    let refusal = match err {
        OutboxError::NotFound(_) => CommandRefusal::NotFound,
        OutboxError::WrongState { .. } => CommandRefusal::WrongState,
        OutboxError::ReversalNotCancellable(_) => CommandRefusal::Reversal,
        OutboxError::Stopped | OutboxError::StorageFault(_) | OutboxError::Sqlite(_) => CommandRefusal::OutboxDown,
        _ => CommandRefusal::Other,
    };
    CommandError { refusal, detail: err.to_string() }
}

/// Withdraws a pending or expired command, or closes a rejected one; the reason is kept with it.
pub fn cancel<T: Transport>(
    handle: &tokio::runtime::Handle,
    outbox: &Outbox<T>,
    id: i64,
    reason: &str,
) -> Result<(), CommandError> {
    handle.block_on(outbox.cancel(CommandId(id), reason.to_owned())).map(|_| ()).map_err(|err| command_error(&err))
}

#[cfg(test)]
mod tests {
    use servicaja_host::client::{HostError, TlsFailure};

    use super::*;

    #[test]
    fn the_outbox_refusals_are_classified_and_their_text_kept() {
        let cases = [
            (OutboxError::NotFound(CommandId(3)), CommandRefusal::NotFound),
            (
                OutboxError::WrongState { id: CommandId(3), state: "done", action: "retry", needed: "expired" },
                CommandRefusal::WrongState,
            ),
            (OutboxError::ReversalNotCancellable(CommandId(3)), CommandRefusal::Reversal),
            (OutboxError::Stopped, CommandRefusal::OutboxDown),
            (OutboxError::StorageFault("disk full".into()), CommandRefusal::OutboxDown),
            (OutboxError::Payload("bad".into()), CommandRefusal::Other),
        ];
        for (err, refusal) in cases {
            let error = command_error(&err);
            assert_eq!(error.refusal, refusal, "{err}");
            assert_eq!(error.detail, err.to_string());
        }
    }

    #[test]
    fn every_failure_of_the_host_client_is_classified_with_a_short_code() {
        let cases = [
            (HostError::Network("connection refused".into()), SendFailure::Network, "network"),
            (HostError::Timeout, SendFailure::Timeout, "timeout"),
            (HostError::Tls(TlsFailure::UnknownCa), SendFailure::Tls, "tls"),
            (HostError::Decode("expected value".into()), SendFailure::Decode, "decode"),
            (HostError::Config("no base url".into()), SendFailure::Config, "config"),
            (
                HostError::Status {
                    status: 503,
                    code: "unavailable".into(),
                    message: "Servicio no disponible".into(),
                    attempts_left: None,
                    retry_after: None,
                },
                SendFailure::Status(503),
                "HTTP 503 · unavailable",
            ),
        ];
        for (error, failure, code) in cases {
            assert_eq!(send_failure(&error.to_string()), (failure, code.to_owned()), "{error}");
        }
    }

    #[test]
    fn a_failure_the_page_does_not_know_is_other_without_a_code() {
        assert_eq!(send_failure("disk full"), (SendFailure::Other, String::new()));
        assert_eq!(send_failure(""), (SendFailure::Other, String::new()));
    }

    #[test]
    fn a_rejection_shows_the_status_and_the_problem_code_never_its_message() {
        let answer = serde_json::json!({ "code": "duplicate_request", "message": "Juan Pérez ya..." });
        assert_eq!(rejection(Some(422), Some(&answer)).as_deref(), Some("HTTP 422 · duplicate_request"));
        assert_eq!(rejection(Some(500), None).as_deref(), Some("HTTP 500"));
        assert_eq!(rejection(None, None), None);
    }
}
