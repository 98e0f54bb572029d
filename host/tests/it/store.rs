//! The outbox store on real SQLite files: durable before sending, crash recovery, the bound, the
//! technician's retry and cancel, and the payment-to-reversal swap.

use chrono::{DateTime, Duration, Utc};
use servicaja_core::settings::OutboxSettings;
use servicaja_host::policy::{CommandId, CommandKind, PolicySettings, State};
use servicaja_host::store::{NewCommand, OutboxError, OutboxStore};

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
}

fn policy(max_open: u32) -> PolicySettings {
    PolicySettings::from(&OutboxSettings { max_pending: max_open, ..OutboxSettings::default() })
}

fn payment(lane: &str) -> NewCommand {
    let body = serde_json::json!({ "operation_id": uuid::Uuid::now_v7(), "loan_id": "L1" });
    NewCommand::new(CommandKind::Payment, lane, "/v1/payments", &body).unwrap().with_session_token("tok")
}

#[test]
fn a_command_is_on_disk_with_its_key_before_anything_is_sent_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    let command = payment("s1");
    let stored = OutboxStore::open(&path).unwrap().enqueue(&command, &policy(10), at(0)).unwrap();
    assert_eq!(stored.key, command.key);
    assert_eq!(stored.key.get_version_num(), 7);
    let reopened = OutboxStore::open(&path).unwrap();
    let again = reopened.get(stored.id).unwrap();
    assert_eq!(again.state, State::Pending);
    assert_eq!(again.payload, command.payload);
    assert_eq!(again.deadline, Some(at(0) + Duration::hours(24)));
    let mode: String =
        rusqlite::Connection::open(&path).unwrap().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn in_flight_commands_go_back_to_pending_at_start_up_with_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    let mut store = OutboxStore::open(&path).unwrap();
    let first = store.enqueue(&payment("s1"), &policy(10), at(0)).unwrap();
    let second = store.enqueue(&payment("s2"), &policy(10), at(0)).unwrap();
    let marked = store.mark_in_flight(&[first.id, second.id]).unwrap();
    assert_eq!(marked.len(), 2);
    assert!(store.finish(second.id, State::Done, Some(201), Some(&serde_json::json!({"n": 1})), at(1)).unwrap());
    drop(store);
    let mut store = OutboxStore::open(&path).unwrap();
    assert_eq!(store.recover_in_flight().unwrap(), 1);
    let open = store.open_commands().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].id, open[0].key, open[0].state), (first.id, first.key, State::Pending));
    let done = store.get(second.id).unwrap();
    assert_eq!((done.state, done.answer_status), (State::Done, Some(201)));
    assert_eq!(done.session_token, None, "tokens are wiped once a command is final");
}

#[test]
fn past_the_bound_new_commands_are_refused_and_nothing_stored_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = OutboxStore::open(&dir.path().join("o.sqlite")).unwrap();
    for lane in ["a", "b"] {
        store.enqueue(&payment(lane), &policy(2), at(0)).unwrap();
    }
    let refused = store.enqueue(&payment("c"), &policy(2), at(0)).unwrap_err();
    assert!(matches!(refused, OutboxError::Full(_)), "{refused:?}");
    assert!(refused.to_string().contains("refused"));
    assert_eq!(store.list(&[], None).unwrap().len(), 2);
}

#[test]
fn technician_retry_and_cancel_follow_the_states_and_keep_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = OutboxStore::open(&dir.path().join("o.sqlite")).unwrap();
    let command = store.enqueue(&payment("s1"), &policy(10), at(0)).unwrap();
    store.expire(&[command.id], at(90_000)).unwrap();
    assert_eq!(store.get(command.id).unwrap().state, State::Expired);
    let retried = store.retry(command.id, &policy(10), at(100_000)).unwrap();
    assert_eq!(retried.state, State::Pending);
    assert_eq!(retried.deadline, Some(at(100_000) + Duration::hours(24)));
    store.mark_in_flight(&[command.id]).unwrap();
    let busy = store.cancel(command.id, "duplicate", at(100_001)).unwrap_err();
    assert!(matches!(busy, OutboxError::WrongState { .. }), "{busy:?}");
    assert!(store.retry_later(command.id, 1, at(100_010), "timeout").unwrap());
    let cancelled = store.cancel(command.id, "cliente desistió en agencia", at(100_002)).unwrap();
    assert_eq!(cancelled.state, State::Cancelled);
    assert_eq!(cancelled.close_reason.as_deref(), Some("cliente desistió en agencia"));
    assert!(matches!(store.get(CommandId(999)), Err(OutboxError::NotFound(_))));
    let status = store.status().unwrap();
    assert_eq!(status.count(State::Cancelled), 1);
    assert_eq!(status.oldest_open, None);
}

#[test]
fn a_rejected_command_is_not_retried_but_can_be_closed_with_a_reason_keeping_its_answer() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = OutboxStore::open(&dir.path().join("o.sqlite")).unwrap();
    let command = store.enqueue(&payment("s1"), &policy(10), at(0)).unwrap();
    store.mark_in_flight(&[command.id]).unwrap();
    let problem = serde_json::json!({ "code": "insufficient_funds", "message": "Saldo insuficiente" });
    assert!(store.finish(command.id, State::Rejected, Some(422), Some(&problem), at(1)).unwrap());
    assert_eq!(store.list(&[State::Expired, State::Rejected], None).unwrap().len(), 1);

    // The central would replay the same rejection for the same key: no retry.
    let refused = store.retry(command.id, &policy(10), at(2)).unwrap_err();
    assert!(matches!(refused, OutboxError::WrongState { action: "retry", state: "rejected", .. }), "{refused:?}");
    assert!(refused.to_string().contains("same rejection"), "{refused}");
    assert_eq!(store.get(command.id).unwrap().state, State::Rejected);

    let closed = store.cancel(command.id, "atendido en ventanilla", at(3)).unwrap();
    assert_eq!(closed.state, State::Cancelled);
    assert_eq!(closed.close_reason.as_deref(), Some("atendido en ventanilla"));
    assert_eq!(closed.closed_at, Some(at(3)));
    assert_eq!((closed.answer_status, closed.answer), (Some(422), Some(problem)), "the rejection is kept");
    assert!(store.list(&[State::Expired, State::Rejected], None).unwrap().is_empty(), "off the technician's list");
    // Done and cancelled commands stay as they are.
    let again = store.cancel(command.id, "otra vez", at(4)).unwrap_err();
    assert!(matches!(again, OutboxError::WrongState { state: "cancelled", .. }), "{again:?}");
}

#[test]
fn which_states_a_technician_may_retry_or_cancel() {
    let retry: Vec<State> = State::ALL.into_iter().filter(|s| s.can_retry()).collect();
    let cancel: Vec<State> = State::ALL.into_iter().filter(|s| s.can_cancel()).collect();
    assert_eq!(retry, [State::Pending, State::Expired]);
    assert_eq!(cancel, [State::Pending, State::Rejected, State::Expired]);
}

#[test]
fn a_late_payment_is_swapped_for_its_reversal_atomically_even_at_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = OutboxStore::open(&dir.path().join("o.sqlite")).unwrap();
    let paid = store.enqueue(&payment("s1"), &policy(1), at(0)).unwrap();
    store.mark_in_flight(&[paid.id]).unwrap();
    let mut reversal =
        NewCommand::new(CommandKind::Reversal, "reversal", "/v1/payments/x/reversal", &serde_json::json!({})).unwrap();
    reversal.reverses = Some(paid.key);
    let stored = store.withdraw_with_reversal(paid.id, &reversal, &policy(1), at(25)).unwrap().unwrap();
    assert_eq!((stored.kind, stored.reverses, stored.deadline), (CommandKind::Reversal, Some(paid.key), None));
    assert_eq!(store.get(paid.id).unwrap().state, State::Cancelled);
    // The late answer of the withdrawn payment is kept but changes nothing.
    assert!(!store.finish(paid.id, State::Done, Some(201), Some(&serde_json::json!({"late": true})), at(26)).unwrap());
    let kept = store.get(paid.id).unwrap();
    assert_eq!((kept.state, kept.answer_status), (State::Cancelled, Some(201)));
    // Once final, a payment is not withdrawn again.
    assert!(store.withdraw_with_reversal(paid.id, &reversal, &policy(1), at(27)).unwrap().is_none());
}
