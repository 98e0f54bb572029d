//! R10 no-debt certificates, R11 requests with a business-day deadline (also filed offline and delivered
//! later by a kiosk), and e-mail sending.

use chrono::{Duration, TimeZone, Utc};
use serde_json::json;
use servicaja_core::api::{OutboxChannel, paths};

use crate::harness::{Harness, JESUS, LUIS, ROSA, start_instant};

#[tokio::test]
async fn a_customer_with_every_loan_cancelled_gets_the_full_certificate() {
    let h = Harness::start().await;
    let token = h.login(ROSA).await;
    let certificate = h.post(paths::NO_DEBT_CERTIFICATES, Some(&token), &json!({})).await.ok();
    assert_eq!(certificate["all_loans"], true);
    assert_eq!(certificate["customer_name"], "ROSA");
    assert_eq!(certificate["masked_dni"], "*****321");
    assert_eq!(certificate["loans"].as_array().unwrap().len(), 2);
    assert!(certificate["certificate_number"].as_str().unwrap().starts_with("CND-2026-"));
}

#[tokio::test]
async fn pending_loans_refuse_the_full_certificate_but_allow_specific_cancelled_ones() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let refused = h.post(paths::NO_DEBT_CERTIFICATES, Some(&token), &json!({})).await.problem("loans_not_cancelled");
    let related: Vec<&str> = refused["related_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(related, ["L-00340001", "L-00350001", "L-00360001"]);
    let certificate =
        h.post(paths::NO_DEBT_CERTIFICATES, Some(&token), &json!({"loan_ids": ["L-00330001"]})).await.ok();
    assert_eq!(certificate["all_loans"], false);
    assert_eq!(certificate["loans"][0]["loan_number"], "003300010001");
    h.post(paths::NO_DEBT_CERTIFICATES, Some(&token), &json!({"loan_ids": ["L-00330001", "L-00340001"]}))
        .await
        .problem("loans_not_cancelled");
    h.post(paths::NO_DEBT_CERTIFICATES, Some(&token), &json!({"loan_ids": ["L-00540001"]})).await.problem("not_found");
}

#[tokio::test]
async fn a_customer_without_cancelled_loans_gets_a_clear_refusal() {
    let h = Harness::start().await;
    let token = h.login(LUIS).await;
    h.post(paths::NO_DEBT_CERTIFICATES, Some(&token), &json!({})).await.problem("no_cancelled_loans");
}

#[tokio::test]
async fn a_request_gets_a_ticket_with_a_15_business_day_deadline() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let ticket = h
        .post(
            paths::REQUESTS,
            Some(&token),
            &json!({"kind": "address_change", "detail": "Nueva dirección: Av. Bolognesi 123"}),
        )
        .await
        .ok();
    assert_eq!(ticket["business_days"], 15);
    assert_eq!(ticket["filed_on"], "2026-03-10");
    assert_eq!(ticket["deadline"], "2026-03-31");
    assert!(ticket["ticket_number"].as_str().unwrap().starts_with("REQ-20260310-"));
    h.post(paths::REQUESTS, Some(&token), &json!({"kind": "premium_refund", "loan_id": "L-00440001", "detail": ""}))
        .await
        .problem("not_found");
    h.post(paths::REQUESTS, Some(&token), &json!({"kind": "unknown_kind", "detail": ""}))
        .await
        .problem("invalid_request");
}

#[tokio::test]
async fn documents_can_be_emailed_to_any_valid_address() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let body = json!({"to": "amigo@correo.pe", "subject": "Constancia", "body": "CONSTANCIA DE AFILIACIÓN ...", "pdf_base64": "JVBERi0="});
    let queued = h.post(paths::EMAILS, Some(&token), &body).await.ok();
    let outbox = h.outbox().await;
    assert_eq!(outbox[0].id, queued["message_id"].as_str().unwrap());
    assert_eq!(outbox[0].channel, OutboxChannel::Email);
    assert_eq!(outbox[0].to, "amigo@correo.pe");
    h.post(paths::EMAILS, Some(&token), &json!({"to": "no-es-correo", "subject": "x", "body": "y"}))
        .await
        .problem("invalid_request");
}

#[tokio::test]
async fn a_request_filed_offline_is_ticketed_from_its_filing_day_and_the_ticket_e_mailed() {
    let h = Harness::start().await;
    // Filed at the kiosk on Friday 6 March, delivered on Tuesday 10 March with no customer session.
    let filed_at = Utc.with_ymd_and_hms(2026, 3, 6, 16, 30, 0).single().unwrap();
    let body = json!({"kind": "address_change", "dni": JESUS.1, "filed_at": filed_at});
    let ticket = h.post(paths::OFFLINE_REQUESTS, None, &body).await.ok();
    assert_eq!(ticket["filed_on"], "2026-03-06");
    assert_eq!(ticket["deadline"], "2026-03-27");
    let number = ticket["ticket_number"].as_str().unwrap();
    assert!(number.starts_with("REQ-20260306-"), "{number}");
    let mail = &h.outbox().await[0];
    assert_eq!(mail.channel, OutboxChannel::Email);
    assert_eq!(mail.to, "jesus.quispe@cmactacna.com.pe");
    assert!(mail.subject.contains(number) && mail.body.contains("27/03/2026"), "{mail:?}");

    // A filing time ahead of the central's clock counts from today.
    let ahead = json!({"kind": "premium_refund", "dni": JESUS.1, "filed_at": start_instant() + Duration::days(3)});
    assert_eq!(h.post(paths::OFFLINE_REQUESTS, None, &ahead).await.ok()["filed_on"], "2026-03-10");

    let stranger = json!({"kind": "address_change", "dni": "11111111", "filed_at": filed_at});
    h.post(paths::OFFLINE_REQUESTS, None, &stranger).await.problem("not_found");
    let malformed = json!({"kind": "address_change", "dni": "1234", "filed_at": filed_at});
    h.post(paths::OFFLINE_REQUESTS, None, &malformed).await.problem("invalid_request");
}
