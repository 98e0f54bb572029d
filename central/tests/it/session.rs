//! R1: card + DNI + clave, three failures lock the card, idle expiry after 5 minutes.

use chrono::Duration;
use serde_json::json;
use servicaja_core::api::paths;

use crate::harness::{Harness, JESUS, PEDRO};

#[tokio::test]
async fn login_returns_a_token_and_the_masked_profile() {
    let h = Harness::start().await;
    let body = h.try_login(JESUS).await.ok();
    assert_eq!(body["profile"]["name"], "JESUS");
    assert_eq!(body["profile"]["masked_phone"], "95*****480");
    assert_eq!(body["profile"]["masked_card"], "**** **** **** 0010");
    assert_eq!(body["idle_timeout_seconds"], 300);
    let token = body["token"].as_str().unwrap();
    let profile = h.get(paths::PROFILE, Some(token)).await.ok();
    assert_eq!(profile["email"], "jesus.quispe@cmactacna.com.pe");
}

#[tokio::test]
async fn three_wrong_claves_lock_the_card_with_a_distinct_code() {
    let h = Harness::start().await;
    let wrong = (JESUS.0, JESUS.1, "000000");
    assert_eq!(h.try_login(wrong).await.problem("clave_invalid")["attempts_left"], 2);
    assert_eq!(h.try_login(wrong).await.problem("clave_invalid")["attempts_left"], 1);
    h.try_login(wrong).await.problem("card_locked");
    // The right clave no longer helps: the customer must go to a counter.
    h.try_login(JESUS).await.problem("card_locked");
}

#[tokio::test]
async fn a_right_clave_resets_the_failure_count() {
    let h = Harness::start().await;
    let wrong = (JESUS.0, JESUS.1, "000000");
    h.try_login(wrong).await.problem("clave_invalid");
    h.try_login(wrong).await.problem("clave_invalid");
    h.login(JESUS).await;
    assert_eq!(h.try_login(wrong).await.problem("clave_invalid")["attempts_left"], 2);
}

#[tokio::test]
async fn the_fixture_locked_card_answers_card_locked() {
    let h = Harness::start().await;
    h.try_login(PEDRO).await.problem("card_locked");
}

#[tokio::test]
async fn card_and_dni_must_belong_together() {
    let h = Harness::start().await;
    h.try_login((JESUS.0, "40112233", JESUS.2)).await.problem("card_not_recognized");
    h.try_login(("4214100000000069", JESUS.1, JESUS.2)).await.problem("card_not_recognized");
    // A number failing Luhn is malformed input, not an unknown card.
    h.try_login(("4214100000000011", JESUS.1, JESUS.2)).await.problem("invalid_request");
    h.try_login((JESUS.0, JESUS.1, "12345")).await.problem("clave_format");
}

#[tokio::test]
async fn the_session_expires_after_five_idle_minutes_and_use_restarts_the_timer() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    h.clock.advance(Duration::seconds(299));
    h.get(paths::ACCOUNTS, Some(&token)).await.ok();
    h.clock.advance(Duration::seconds(299));
    h.get(paths::ACCOUNTS, Some(&token)).await.ok();
    h.clock.advance(Duration::seconds(301));
    h.get(paths::ACCOUNTS, Some(&token)).await.problem("session_expired");
    h.get(paths::ACCOUNTS, Some(&token)).await.problem("session_required");
}

#[tokio::test]
async fn customer_endpoints_need_a_token_and_logout_ends_it() {
    let h = Harness::start().await;
    h.get(paths::ACCOUNTS, None).await.problem("session_required");
    h.get(paths::ACCOUNTS, Some("forged")).await.problem("session_required");
    let token = h.login(JESUS).await;
    let response =
        h.client.delete(format!("{}{}", h.base, paths::SESSION_CURRENT)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 204);
    h.get(paths::PROFILE, Some(&token)).await.problem("session_required");
    h.post(paths::OTPS, Some(&token), &json!({"purpose": "affiliation"})).await.problem("session_required");
}

#[tokio::test]
async fn accounts_show_type_currency_balance_status_and_signature() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let accounts = h.get(paths::ACCOUNTS, Some(&token)).await.ok();
    let names: Vec<(&str, &str)> = accounts
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["number"].as_str().unwrap(), a["product_name"].as_str().unwrap()))
        .collect();
    for expected in [
        ("00121110", "CTA.AHORRO PN SOLES"),
        ("00121111", "CTA.AHORRO SUELDO SOLES"),
        ("00121112", "CTA.INTANGIBLE AFP SOLES"),
        ("00121210", "CTA.AHORRO PN DOLARES"),
    ] {
        assert!(names.contains(&expected), "missing {expected:?} in {names:?}");
    }
    let usd = h.account(&token, "A-00121210").await;
    assert_eq!(usd["currency"], "USD");
    assert_eq!(usd["balance"], json!({"amount": "2000.00", "currency": "USD"}));
    assert_eq!(h.account(&token, "A-00121310").await["signature"], "joint");
    assert_eq!(h.account(&token, "A-00121410").await["status"], "inactive");
    // Another customer's account is not visible.
    let movements = paths::fill(paths::ACCOUNT_MOVEMENTS, "account_id", "A-00131110");
    h.get(&movements, Some(&token)).await.problem("not_found");
}

#[tokio::test]
async fn exchange_rates_and_health_need_no_session() {
    let h = Harness::start().await;
    let rates = h.get(paths::EXCHANGE_RATES, None).await.ok();
    assert_eq!(rates["buy"], "3.720");
    assert_eq!(rates["sell"], "3.780");
    assert_eq!(rates["date"], "2026-03-10");
    let health = h.get(paths::HEALTH, None).await.ok();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["demo"], true);
    h.get("/v1/nothing-here", None).await.problem("route_not_found");
}
