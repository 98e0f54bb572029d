//! The outbox store on real SQLite files: durable before sending, crash recovery, the bound, the
//! technician's retry and cancel, and the payment-to-reversal swap.

use chrono::{DateTime, Duration, Utc};
use servicaja_core::settings::OutboxSettings;
use servicaja_host::policy::{CommandId, CommandKind, PolicySettings, State};
use servicaja_host::store::{NewCommand, OutboxError, OutboxStore, SettleMode, Settlement};

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
    assert_eq!(cancel, [State::Pending, State::Rejected, State::Expired, State::Unreadable]);
}

/// The reversal of the payment with `key` touching `resources`, as the engine builds it.
fn reversal_for(key: uuid::Uuid, resources: &[String]) -> NewCommand {
    let mut reversal = NewCommand::new(
        CommandKind::Reversal,
        format!("reversal:{key}"),
        "/v1/payments/x/reversal",
        &serde_json::json!({ "reason": "timeout" }),
    )
    .unwrap();
    reversal.key = servicaja_host::engine::reversal_key(key);
    reversal.reverses = Some(key);
    reversal.resources = resources.to_vec();
    reversal
}

fn reversal_of(paid: &servicaja_host::StoredCommand) -> NewCommand {
    reversal_for(paid.key, &paid.resources)
}

fn enqueue_payment(
    store: &mut OutboxStore,
    lane: &str,
    resources: &[&str],
    when: i64,
) -> servicaja_host::StoredCommand {
    let command = payment(lane).with_resources(resources.iter().map(|r| (*r).to_owned()).collect());
    let standby = reversal_for(command.key, &command.resources);
    store.enqueue_with_standby(&command, Some(&standby), &policy(1), at(when)).unwrap()
}

#[test]
fn a_late_payment_is_swapped_for_its_reversal_atomically_even_at_the_bound() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = OutboxStore::open(&dir.path().join("o.sqlite")).unwrap();
    let paid = enqueue_payment(&mut store, "s1", &["loan:L1"], 0);
    let standby = store.get_by_key(servicaja_host::engine::reversal_key(paid.key)).unwrap().unwrap();
    assert_eq!(standby.state, State::Standby, "the reversal is written with the payment");
    assert_eq!(store.open_count().unwrap(), 1, "a standby reversal is not open");
    store.mark_in_flight(&[paid.id]).unwrap();
    let settled = store
        .settle_payment(paid.key, SettleMode::KeepAnswer, "timeout", &reversal_of(&paid), &policy(1), at(25))
        .unwrap();
    let Settlement::Reversing(stored) = settled else { panic!("expected a reversal, got {settled:?}") };
    assert_eq!((stored.kind, stored.reverses, stored.deadline), (CommandKind::Reversal, Some(paid.key), None));
    assert_eq!((stored.id, stored.state), (standby.id, State::Pending), "the standby row itself is activated");
    assert_eq!(store.get(paid.id).unwrap().state, State::Cancelled);
    // The late answer of the withdrawn payment is kept but changes nothing.
    assert!(!store.finish(paid.id, State::Done, Some(201), Some(&serde_json::json!({"late": true})), at(26)).unwrap());
    let kept = store.get(paid.id).unwrap();
    assert_eq!((kept.state, kept.answer_status), (State::Cancelled, Some(201)));
    // Settling again finds the same reversal: one reversal per payment.
    let again = store
        .settle_payment(paid.key, SettleMode::Reverse, "customer_left", &reversal_of(&paid), &policy(1), at(27))
        .unwrap();
    assert_eq!(again, Settlement::Reversing(store.get(stored.id).unwrap()));
    assert_eq!(store.list(&[], None).unwrap().len(), 2);
}

/// Defect 1 of issue 13: the answer was stored a moment before the customer's wait ended.
#[test]
fn an_answer_stored_before_the_wait_ended_is_shown_and_a_departed_customer_s_completed_payment_is_reversed() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = OutboxStore::open(&dir.path().join("o.sqlite")).unwrap();
    let paid = enqueue_payment(&mut store, "s1", &["loan:L1"], 0);
    store.mark_in_flight(&[paid.id]).unwrap();
    assert!(store.finish(paid.id, State::Done, Some(201), Some(&serde_json::json!({"n": "7"})), at(24)).unwrap());
    let kept = store
        .settle_payment(paid.key, SettleMode::KeepAnswer, "timeout", &reversal_of(&paid), &policy(1), at(25))
        .unwrap();
    let Settlement::Answered(answered) = kept else { panic!("expected the stored answer, got {kept:?}") };
    assert_eq!((answered.state, answered.answer_status), (State::Done, Some(201)));
    let reversal_key = servicaja_host::engine::reversal_key(paid.key);
    assert_eq!(store.get_by_key(reversal_key).unwrap().unwrap().state, State::Cancelled, "not needed");

    // The same race, but the customer pressed Terminar: a completed payment is reversed like any other.
    let other = enqueue_payment(&mut store, "s2", &["loan:L2"], 30);
    store.mark_in_flight(&[other.id]).unwrap();
    assert!(store.finish(other.id, State::Done, Some(201), Some(&serde_json::json!({"n": "8"})), at(31)).unwrap());
    let reversed = store
        .settle_payment(other.key, SettleMode::Reverse, "customer_left", &reversal_of(&other), &policy(1), at(32))
        .unwrap();
    let Settlement::Reversing(reversal) = reversed else { panic!("expected a reversal, got {reversed:?}") };
    assert_eq!(reversal.state, State::Pending);
    assert_eq!(reversal.payload["reason"], "customer_left");
    assert_eq!(store.get(other.id).unwrap().state, State::Done, "applied, and its reversal is on its way");
}

/// Defect 2 of issue 13: the customer's retry must not overtake the pending reversal.
#[test]
fn a_payment_on_a_loan_or_account_with_an_open_reversal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = OutboxStore::open(&dir.path().join("o.sqlite")).unwrap();
    let paid = enqueue_payment(&mut store, "s1", &["loan:L1", "account:A1"], 0);
    store.settle_payment(paid.key, SettleMode::Reverse, "timeout", &reversal_of(&paid), &policy(5), at(25)).unwrap();
    let again = payment("s1").with_resources(vec!["loan:L9".into(), "account:A1".into()]);
    match store.enqueue(&again, &policy(5), at(26)) {
        Err(OutboxError::ReversalPending { resource }) => assert_eq!(resource, "account:A1"),
        other => panic!("expected the payment held back, got {other:?}"),
    }
    let elsewhere = payment("s1").with_resources(vec!["loan:L2".into(), "account:A2".into()]);
    assert!(store.enqueue(&elsewhere, &policy(5), at(26)).is_ok(), "other loans and accounts are not held");
    // Once the central acknowledged the reversal, the loan takes payments again.
    let reversal = store.get_by_key(servicaja_host::engine::reversal_key(paid.key)).unwrap().unwrap();
    store.mark_in_flight(&[reversal.id]).unwrap();
    store.finish(reversal.id, State::Done, Some(200), Some(&serde_json::json!({})), at(27)).unwrap();
    assert!(store.enqueue(&again, &policy(5), at(28)).is_ok());
}

/// Defect 6 of issue 13: one unreadable row must not stop the kiosk or the technician's tools.
#[test]
fn an_unreadable_row_is_set_aside_named_listed_and_cancellable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.sqlite");
    let mut store = OutboxStore::open(&path).unwrap();
    let good = store.enqueue(&payment("s1"), &policy(10), at(0)).unwrap();
    let bad = store.enqueue(&payment("s2"), &policy(10), at(0)).unwrap();
    store.connection().execute("UPDATE commands SET payload = '{not json' WHERE id = ?1", [bad.id.0]).unwrap();
    drop(store);
    let mut store = OutboxStore::open(&path).unwrap();
    let set_aside = store.set_aside_unreadable().unwrap();
    assert_eq!(set_aside.len(), 1);
    assert_eq!(set_aside[0].id, bad.id);
    assert!(set_aside[0].damage.as_deref().unwrap().contains("payload"), "{:?}", set_aside[0].damage);
    let open: Vec<CommandId> = store.open_commands().unwrap().iter().map(|c| c.id).collect();
    assert_eq!(open, [good.id], "the damaged row is never sent");
    let listed = store.list(&[State::Unreadable], None).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].close_reason.as_deref().unwrap().starts_with("unreadable row: payload"));
    let cancelled = store.cancel(bad.id, "fila dañada, revisada con la central", at(1)).unwrap();
    assert_eq!(cancelled.state, State::Cancelled);
}

#[test]
fn a_reversal_is_never_withdrawn_by_a_technician_and_withdrawing_a_payment_activates_its_reversal() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = OutboxStore::open(&dir.path().join("o.sqlite")).unwrap();
    let paid = enqueue_payment(&mut store, "s1", &["loan:L1"], 0);
    let reversal = store.get_by_key(servicaja_host::engine::reversal_key(paid.key)).unwrap().unwrap();
    store.cancel(paid.id, "cliente atendido en ventanilla", at(5)).unwrap();
    assert_eq!(store.get(reversal.id).unwrap().state, State::Pending, "it may have reached the central before");
    assert!(matches!(store.cancel(reversal.id, "no", at(6)), Err(OutboxError::ReversalNotCancellable(_))));
}

#[test]
fn the_outbox_zeroes_deleted_contents() {
    let dir = tempfile::tempdir().unwrap();
    let store = OutboxStore::open(&dir.path().join("o.sqlite")).unwrap();
    let on: i64 = store.connection().query_row("PRAGMA secure_delete", [], |r| r.get(0)).unwrap();
    assert_eq!(on, 1);
}

fn engine_at(path: &std::path::Path) -> Result<servicaja_host::engine::Engine, OutboxError> {
    servicaja_host::engine::Engine::open(
        path,
        policy(10),
        std::sync::Arc::new(servicaja_host::outbox::default_reversal),
        at(0),
    )
    .map(|(engine, _)| engine)
}

/// Defect 6 of issue 13: a deleted, emptied or cut-short outbox is noticed through its sealed head, and
/// the kiosk refuses to start saying what is missing — never an empty outbox in its place.
#[test]
fn a_lost_outbox_is_refused_at_start_naming_what_is_missing() {
    for damage in ["deleted", "emptied", "cut short"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("outbox.sqlite");
        let mut engine = engine_at(&path).unwrap();
        for lane in ["s1", "s2", "s3"] {
            engine.enqueue(&payment(lane), at(1)).unwrap();
        }
        drop(engine);
        match damage {
            "deleted" => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            "emptied" => {
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
                std::fs::write(&path, b"").unwrap();
            }
            _ => {
                let conn = rusqlite::Connection::open(&path).unwrap();
                conn.execute("DELETE FROM commands WHERE id > 2", []).unwrap();
            }
        }
        let Err(err) = engine_at(&path) else { panic!("{damage}: a lost outbox must not start") };
        let message = err.to_string();
        assert!(matches!(err, OutboxError::Lost { .. }), "{damage}: {message}");
        assert!(message.contains("(3 open)") && message.contains("restore"), "{damage}: {message}");
        assert!(path.exists() || damage == "deleted", "nothing replaced it");
        if damage == "deleted" {
            assert!(!path.exists(), "no empty outbox was created in its place");
        }
    }
    // A new kiosk starts with neither file.
    let dir = tempfile::tempdir().unwrap();
    assert!(engine_at(&dir.path().join("outbox.sqlite")).is_ok());
}

#[test]
fn a_finished_command_s_session_token_is_not_left_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    let mut engine = engine_at(&path).unwrap();
    let token = "TOKEN-d2f1c0ffee-9a7b";
    let stored = engine.enqueue(&payment("s1").with_session_token(token), at(1)).unwrap();
    let sent = engine.poll(at(1), 1).unwrap().send;
    assert_eq!(sent.len(), 1);
    let reply = servicaja_host::Reply { status: 201, body: serde_json::json!({ "operation_number": "7" }) };
    engine.record(&sent[0], Ok(reply), at(2), 0.5).unwrap();
    assert_eq!(engine.store().get(stored.id).unwrap().session_token, None);
    engine.scrub().unwrap();
    for suffix in ["", "-wal"] {
        let bytes = std::fs::read(format!("{}{suffix}", path.display())).unwrap_or_default();
        let found = bytes.windows(token.len()).any(|window| window == token.as_bytes());
        assert!(!found, "the token lingers in outbox.sqlite{suffix}");
    }
}

#[test]
fn the_outbox_file_is_readable_by_the_kiosk_s_user_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.sqlite");
    let _store = OutboxStore::open(&path).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_damaged_outbox_file_is_refused_at_start_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outbox.sqlite");
    let mut engine = engine_at(&path).unwrap();
    for lane in 0..9 {
        engine.enqueue(&payment(&format!("s{lane}-{}", "x".repeat(1500))), at(1)).unwrap();
    }
    engine.scrub().unwrap();
    drop(engine);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 8192);
    for byte in &mut bytes[4096..8192] {
        *byte = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let Err(err) = engine_at(&path) else { panic!("a damaged outbox must not start") };
    assert!(matches!(err, OutboxError::Damaged { .. }), "{err}");
    assert!(err.to_string().contains("outbox.sqlite") && err.to_string().contains("restore"), "{err}");
}

#[test]
fn looking_for_unjournaled_payments_uses_an_index_not_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let store = OutboxStore::open(&dir.path().join("o.sqlite")).unwrap();
    let plan: String = store
        .connection()
        .query_row(
            "EXPLAIN QUERY PLAN SELECT id FROM commands WHERE kind = 'payment' AND journaled_ms IS NULL
             AND state NOT IN ('pending', 'in_flight') ORDER BY id",
            [],
            |row| row.get(3),
        )
        .unwrap();
    assert!(plan.contains("commands_unjournaled_payments"), "{plan}");
}
