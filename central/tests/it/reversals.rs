//! Reversals keyed by the original operation id: exact undo, no-op twice, recorded before the payment.

use rust_decimal::Decimal;
use serde_json::json;
use servicaja_core::api::paths;

use crate::harness::{Harness, JESUS, amount};
use crate::payments::payment;

fn reversal_path(operation_id: &serde_json::Value) -> String {
    paths::fill(paths::PAYMENT_REVERSAL, "operation_id", operation_id.as_str().unwrap())
}

#[tokio::test]
async fn reversing_a_payment_restores_balance_and_loan_exactly() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let account_before = h.account(&token, "A-00121110").await;
    let loan_before = h.loan(&token, "L-00350001").await;
    let schedule_before = h.schedule(&token, "L-00350001").await;
    let body = payment("L-00350001", "A-00121110", "total", None);
    h.post(paths::PAYMENTS, Some(&token), &body).await.ok();
    assert_eq!(h.loan(&token, "L-00350001").await["status"], "cancelled");
    let reversal = h.post(&reversal_path(&body["operation_id"]), None, &json!({"reason": "timeout"})).await.ok();
    assert_eq!(reversal["outcome"], "payment_reversed");
    assert_eq!(h.account(&token, "A-00121110").await, account_before);
    assert_eq!(h.loan(&token, "L-00350001").await, loan_before);
    assert_eq!(h.schedule(&token, "L-00350001").await, schedule_before);
    // Twice: a no-op answering the same outcome, with a new key too.
    let again = h.post(&reversal_path(&body["operation_id"]), None, &json!({"reason": "timeout"})).await.ok();
    assert_eq!(again, reversal);
    assert_eq!(h.account(&token, "A-00121110").await, account_before);
    let movements = h.get(&paths::fill(paths::ACCOUNT_MOVEMENTS, "account_id", "A-00121110"), Some(&token)).await.ok();
    assert_eq!(movements.as_array().unwrap().len(), 2, "the payment and one reversal");
}

#[tokio::test]
async fn a_reversal_before_the_payment_makes_the_late_payment_refused() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let body = payment("L-00340001", "A-00121110", "due_installment", None);
    let reversal = h.post(&reversal_path(&body["operation_id"]), None, &json!({"reason": "timeout"})).await.ok();
    assert_eq!(reversal["outcome"], "recorded_before_payment");
    h.post(paths::PAYMENTS, Some(&token), &body).await.problem("reversed");
    assert_eq!(amount(&h.account(&token, "A-00121110").await["balance"]), Decimal::new(850000, 2));
    assert_eq!(h.loan(&token, "L-00340001").await["installments_paid"], 3);
}

#[tokio::test]
async fn a_reversal_after_a_later_payment_on_the_loan_is_refused() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let first = payment("L-00340001", "A-00121110", "due_installment", None);
    h.post(paths::PAYMENTS, Some(&token), &first).await.ok();
    h.post(paths::PAYMENTS, Some(&token), &payment("L-00340001", "A-00121110", "due_installment", None)).await.ok();
    h.post(&reversal_path(&first["operation_id"]), None, &json!({"reason": "late"}))
        .await
        .problem("reversal_not_possible");
}

#[tokio::test]
async fn a_malformed_operation_id_is_invalid() {
    let h = Harness::start().await;
    h.post("/v1/payments/not-a-uuid/reversal", None, &json!({"reason": "x"})).await.problem("invalid_request");
}
