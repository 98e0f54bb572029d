//! R2–R4: affiliation to internet purchases with an SMS code, one account at a time, individual
//! signature only; the constancia data and the e-mail to the registered address.

use chrono::Duration;
use serde_json::{Value, json};
use servicaja_core::api::{OutboxChannel, paths};

use crate::harness::{Harness, JESUS, LUIS};

async fn otp(h: &Harness, token: &str, purpose: &str) -> (String, String) {
    let sent = h.post(paths::OTPS, Some(token), &json!({"purpose": purpose})).await.ok();
    assert_eq!(sent["masked_phone"].as_str().unwrap().len(), 10);
    (sent["otp_id"].as_str().unwrap().to_owned(), h.last_sms_code().await)
}

async fn affiliate(h: &Harness, token: &str, account: &str) -> crate::harness::Reply {
    let (otp_id, code) = otp(h, token, "affiliation").await;
    h.post(paths::AFFILIATIONS, Some(token), &json!({"account_id": account, "otp_id": otp_id, "otp_code": code})).await
}

#[tokio::test]
async fn affiliation_returns_the_constancia_and_emails_it() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let sent = h.post(paths::OTPS, Some(&token), &json!({"purpose": "affiliation"})).await.ok();
    assert_eq!(sent["masked_phone"], "95*****480");
    let sms = &h.outbox().await[0];
    assert_eq!(sms.channel, OutboxChannel::Sms);
    assert_eq!(sms.to, "951234480");
    let code = h.last_sms_code().await;
    let constancia = h
        .post(
            paths::AFFILIATIONS,
            Some(&token),
            &json!({"account_id": "A-00121110", "otp_id": sent["otp_id"], "otp_code": code}),
        )
        .await
        .ok();
    assert_eq!(constancia["operation"], "affiliation");
    assert_eq!(constancia["service"], "COMPRAS POR INTERNET");
    assert_eq!(constancia["customer_name"], "JESUS");
    assert_eq!(constancia["account_number"], "00121110");
    assert_eq!(constancia["account_product_name"], "CTA AHORRO PN SOLES");
    assert_eq!(constancia["currency"], "PEN");
    assert_eq!(constancia["email"], "jesus.quispe@cmactacna.com.pe");
    assert_eq!(constancia["at_local"], "10/03/2026 10:00:00");
    let email = &h.outbox().await[0];
    assert_eq!(email.channel, OutboxChannel::Email);
    assert_eq!(email.to, "jesus.quispe@cmactacna.com.pe");
    assert!(email.body.contains("CONSTANCIA DE AFILIACIÓN") && email.body.contains("CTA AHORRO PN SOLES - 00121110"));
    let state = h.get(paths::AFFILIATION, Some(&token)).await.ok();
    assert_eq!(state["account"]["id"], "A-00121110");
}

#[tokio::test]
async fn only_one_account_may_be_affiliated() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    affiliate(&h, &token, "A-00121110").await.ok();
    affiliate(&h, &token, "A-00121111").await.problem("already_affiliated");
    affiliate(&h, &token, "A-00121110").await.problem("already_affiliated");
}

#[tokio::test]
async fn joint_and_inactive_accounts_are_refused() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    affiliate(&h, &token, "A-00121310").await.problem("not_individual_signature");
    affiliate(&h, &token, "A-00121410").await.problem("account_inactive");
    assert_eq!(h.get(paths::AFFILIATION, Some(&token)).await.ok()["account"], Value::Null);
}

#[tokio::test]
async fn an_expired_otp_is_refused() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let (otp_id, code) = otp(&h, &token, "affiliation").await;
    h.clock.advance(Duration::seconds(301));
    let token = h.login(JESUS).await;
    h.post(paths::AFFILIATIONS, Some(&token), &json!({"account_id": "A-00121110", "otp_id": otp_id, "otp_code": code}))
        .await
        .problem("otp_expired");
    assert_eq!(h.get(paths::AFFILIATION, Some(&token)).await.ok()["account"], Value::Null);
}

#[tokio::test]
async fn an_otp_takes_three_tries_and_is_single_use() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let (otp_id, code) = otp(&h, &token, "affiliation").await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let attempt = |c: &str| json!({"account_id": "A-00121110", "otp_id": otp_id, "otp_code": c});
    assert_eq!(
        h.post(paths::AFFILIATIONS, Some(&token), &attempt(wrong)).await.problem("otp_invalid")["attempts_left"],
        2
    );
    assert_eq!(
        h.post(paths::AFFILIATIONS, Some(&token), &attempt(wrong)).await.problem("otp_invalid")["attempts_left"],
        1
    );
    h.post(paths::AFFILIATIONS, Some(&token), &attempt(wrong)).await.problem("otp_exhausted");
    h.post(paths::AFFILIATIONS, Some(&token), &attempt(&code)).await.problem("otp_exhausted");
    // A fresh code works once, not twice.
    let (otp_id, code) = otp(&h, &token, "affiliation").await;
    let body = json!({"account_id": "A-00121110", "otp_id": otp_id, "otp_code": code});
    h.post(paths::AFFILIATIONS, Some(&token), &body).await.ok();
    let (_, _) = otp(&h, &token, "disaffiliation").await;
    h.post(paths::DISAFFILIATIONS, Some(&token), &json!({"confirm": true, "otp_id": otp_id, "otp_code": code}))
        .await
        .problem("otp_invalid");
}

#[tokio::test]
async fn disaffiliation_needs_the_tick_and_an_otp() {
    let h = Harness::start().await;
    let token = h.login(LUIS).await;
    let (otp_id, code) = otp(&h, &token, "disaffiliation").await;
    h.post(paths::DISAFFILIATIONS, Some(&token), &json!({"confirm": false, "otp_id": otp_id, "otp_code": code}))
        .await
        .problem("confirmation_required");
    let constancia = h
        .post(paths::DISAFFILIATIONS, Some(&token), &json!({"confirm": true, "otp_id": otp_id, "otp_code": code}))
        .await
        .ok();
    assert_eq!(constancia["operation"], "disaffiliation");
    assert_eq!(constancia["account_number"], "00161110");
    assert!(h.outbox().await[0].body.contains("CONSTANCIA DE DESAFILIACIÓN"));
    let (otp_id, code) = otp(&h, &token, "disaffiliation").await;
    h.post(paths::DISAFFILIATIONS, Some(&token), &json!({"confirm": true, "otp_id": otp_id, "otp_code": code}))
        .await
        .problem("not_affiliated");
    // Now another account can be affiliated.
    affiliate(&h, &token, "A-00161111").await.ok();
}
