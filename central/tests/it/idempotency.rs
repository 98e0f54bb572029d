//! Idempotency on every state-changing POST: required key, replay, conflict, retention, restart.

use chrono::Duration;
use rust_decimal::Decimal;
use serde_json::json;
use servicaja_core::api::paths;

use crate::harness::{Harness, JESUS, amount};
use crate::payments::payment;

#[tokio::test]
async fn every_post_requires_an_idempotency_key() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    for path in [
        paths::SESSIONS,
        paths::PAYMENTS,
        paths::OTPS,
        paths::AFFILIATIONS,
        paths::DISAFFILIATIONS,
        paths::NO_DEBT_CERTIFICATES,
        paths::REQUESTS,
        paths::ENROLLMENTS,
        paths::EMAILS,
    ] {
        h.post_keyed(path, Some(&token), None, &json!({})).await.problem("idempotency_key_required");
    }
}

#[tokio::test]
async fn the_same_key_twice_makes_one_posting_and_replays_the_first_answer() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let body = payment("L-00340001", "A-00121110", "due_installment", None);
    let first = h.post_keyed(paths::PAYMENTS, Some(&token), Some("pay-1"), &body).await;
    assert!(!first.replayed);
    let first_status = first.status;
    let first = first.ok();
    let second = h.post_keyed(paths::PAYMENTS, Some(&token), Some("pay-1"), &body).await;
    assert!(second.replayed);
    assert_eq!(second.status, first_status);
    assert_eq!(second.body, first);
    let movements = h.get(&paths::fill(paths::ACCOUNT_MOVEMENTS, "account_id", "A-00121110"), Some(&token)).await.ok();
    assert_eq!(movements.as_array().unwrap().len(), 1, "one posting only");
    assert_eq!(
        amount(&h.account(&token, "A-00121110").await["balance"]),
        Decimal::new(850000, 2) - amount(&first["debit"])
    );
}

#[tokio::test]
async fn the_same_key_with_another_body_is_a_conflict() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    h.post_keyed(
        paths::PAYMENTS,
        Some(&token),
        Some("k"),
        &payment("L-00340001", "A-00121110", "due_installment", None),
    )
    .await
    .ok();
    h.post_keyed(
        paths::PAYMENTS,
        Some(&token),
        Some("k"),
        &payment("L-00340001", "A-00121110", "due_installment", None),
    )
    .await
    .problem("idempotency_conflict");
    // Same key on another route is another request too.
    h.post_keyed(paths::OTPS, Some(&token), Some("k"), &json!({"purpose": "affiliation"}))
        .await
        .problem("idempotency_conflict");
}

#[tokio::test]
async fn error_answers_are_replayed_without_counting_again() {
    let h = Harness::start().await;
    let body = json!({"card_number": JESUS.0, "dni": JESUS.1, "clave": "000000"});
    for _ in 0..5 {
        assert_eq!(
            h.post_keyed(paths::SESSIONS, None, Some("login-1"), &body).await.problem("clave_invalid")["attempts_left"],
            2
        );
    }
    assert_eq!(h.try_login((JESUS.0, JESUS.1, "000000")).await.problem("clave_invalid")["attempts_left"], 1);
}

#[tokio::test]
async fn keys_are_kept_24_hours_and_survive_a_restart() {
    let mut h = Harness::start().await;
    let token = h.login(JESUS).await;
    let body = payment("L-00340001", "A-00121110", "due_installment", None);
    let first = h.post_keyed(paths::PAYMENTS, Some(&token), Some("durable"), &body).await.ok();
    h.restart().await;
    h.clock.advance(Duration::hours(24));
    // The session has long expired, yet the queued retry still gets the first answer.
    let replay = h.post_keyed(paths::PAYMENTS, Some(&token), Some("durable"), &body).await;
    assert!(replay.replayed);
    assert_eq!(replay.ok(), first);
    let token = h.login(JESUS).await;
    let movements = h.get(&paths::fill(paths::ACCOUNT_MOVEMENTS, "account_id", "A-00121110"), Some(&token)).await.ok();
    assert_eq!(movements.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_operation_id_under_a_new_key_answers_the_applied_payment() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let body = payment("L-00340001", "A-00121110", "due_installment", None);
    let first = h.post(paths::PAYMENTS, Some(&token), &body).await.ok();
    let second = h.post(paths::PAYMENTS, Some(&token), &body).await.ok();
    assert_eq!(second, first);
    let movements = h.get(&paths::fill(paths::ACCOUNT_MOVEMENTS, "account_id", "A-00121110"), Some(&token)).await.ok();
    assert_eq!(movements.as_array().unwrap().len(), 1);
    // Another customer cannot reuse that operation id.
    let other = h.login(crate::harness::MARIA).await;
    let mut foreign = payment("L-00440001", "A-00131110", "due_installment", None);
    foreign["operation_id"] = body["operation_id"].clone();
    h.post(paths::PAYMENTS, Some(&other), &foreign).await.problem("invalid_request");
}
