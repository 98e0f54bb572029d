//! TLS, mutual TLS, fault injection (error rate, drop-after-commit) and restart durability.

use rust_decimal::Decimal;
use servicaja_central::Fault;
use servicaja_core::api::paths;

use crate::harness::{Harness, JESUS, amount, client};
use crate::payments::payment;

#[tokio::test]
async fn mutual_tls_rejects_a_client_without_a_certificate() {
    let h = Harness::start_with(true).await;
    h.get(paths::HEALTH, None).await.ok();
    let anonymous = client(h.central(), false);
    let result = anonymous.get(format!("{}{}", h.base, paths::HEALTH)).send().await;
    assert!(result.is_err(), "a client without a certificate must not get an answer");
    // A certificate from another CA is refused too.
    let elsewhere = tempfile::tempdir().unwrap();
    let foreign = servicaja_central::tls::ensure_pki(elsewhere.path(), true).unwrap();
    let impostor = crate::harness::client_from(
        h.central().ca_cert_path(),
        Some((foreign.client_cert.as_path(), foreign.client_key.as_path())),
    );
    assert!(impostor.get(format!("{}{}", h.base, paths::HEALTH)).send().await.is_err());
    // The kiosk certificate issued by the configured CA is accepted.
    let kiosk = client(h.central(), true);
    assert!(kiosk.get(format!("{}{}", h.base, paths::HEALTH)).send().await.unwrap().status().is_success());
}

#[tokio::test]
async fn a_client_that_does_not_trust_the_ca_cannot_connect() {
    let h = Harness::start().await;
    let config = rustls::ClientConfig::builder_with_provider(crate::harness::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth();
    let stranger = reqwest::Client::builder().use_preconfigured_tls(config).build().unwrap();
    assert!(stranger.get(format!("{}{}", h.base, paths::HEALTH)).send().await.is_err());
}

#[tokio::test]
async fn an_injected_error_applies_nothing() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    h.central().set_fault(paths::PAYMENTS, Fault::error_rate(1.0));
    let body = payment("L-00340001", "A-00121110", "due_installment", None);
    let key = h.fresh_key();
    h.post_keyed(paths::PAYMENTS, Some(&token), Some(&key), &body).await.problem("fault_injected");
    assert_eq!(amount(&h.account(&token, "A-00121110").await["balance"]), Decimal::new(850000, 2));
    h.central().faults().clear(paths::PAYMENTS);
    // The retry with the same key does the work: the injected failure was not remembered.
    let done = h.post_keyed(paths::PAYMENTS, Some(&token), Some(&key), &body).await;
    assert!(!done.replayed);
    done.ok();
}

#[tokio::test]
async fn drop_after_commit_applies_the_work_and_the_retry_replays_it() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    h.central().set_fault(paths::PAYMENTS, Fault::drop_after_commit(1));
    let body = payment("L-00340001", "A-00121110", "due_installment", None);
    let request = h
        .client
        .post(format!("{}{}", h.base, paths::PAYMENTS))
        .bearer_auth(&token)
        .header("Idempotency-Key", "dropped-1")
        .json(&body);
    assert!(request.send().await.is_err(), "the response must never arrive");
    let balance = amount(&h.account(&token, "A-00121110").await["balance"]);
    assert!(balance < Decimal::new(850000, 2), "the payment was committed");
    let replay = h.post_keyed(paths::PAYMENTS, Some(&token), Some("dropped-1"), &body).await;
    assert!(replay.replayed);
    assert_eq!(amount(&replay.ok()["account_balance_after"]), balance);
    assert_eq!(amount(&h.account(&token, "A-00121110").await["balance"]), balance);
}

#[tokio::test]
async fn state_survives_a_restart_and_reset_restores_the_fixtures() {
    let mut h = Harness::start().await;
    let token = h.login(JESUS).await;
    let done =
        h.post(paths::PAYMENTS, Some(&token), &payment("L-00340001", "A-00121110", "due_installment", None)).await.ok();
    h.restart().await;
    let token = h.login(JESUS).await;
    assert_eq!(h.account(&token, "A-00121110").await["balance"], done["account_balance_after"]);
    servicaja_central::reset_data(h.dir.path(), None, &h.clock).unwrap();
    h.restart().await;
    let token = h.login(JESUS).await;
    assert_eq!(amount(&h.account(&token, "A-00121110").await["balance"]), Decimal::new(850000, 2));
}

#[tokio::test]
async fn the_outbox_endpoint_exists_only_in_demo_mode() {
    let dir = tempfile::tempdir().unwrap();
    // Create the PKI with a demo start, then start without demo on the same directory.
    let demo = servicaja_central::start(servicaja_central::CentralConfig::demo(dir.path())).await.unwrap();
    demo.shutdown().await;
    let mut config = servicaja_central::CentralConfig::demo(dir.path());
    config.demo = false;
    let central = servicaja_central::start(config).await.unwrap();
    let http = client(&central, false);
    let response = http.get(format!("{}{}", central.base_url(), paths::DEMO_OUTBOX)).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "route_not_found");
    central.shutdown().await;
    // Without demo mode and without certificates, start refuses with a clear error.
    let empty = tempfile::tempdir().unwrap();
    let mut config = servicaja_central::CentralConfig::demo(empty.path());
    config.demo = false;
    let error = servicaja_central::start(config).await.unwrap_err();
    assert!(error.to_string().contains("--demo"), "{error}");
}

#[tokio::test]
async fn faults_can_be_set_over_http_in_demo_mode() {
    let h = Harness::start().await;
    let url = format!("{}{}", h.base, paths::DEMO_FAULTS);
    let set = serde_json::json!({"route": paths::EXCHANGE_RATES, "fault": {"error_rate": 1.0}});
    let response = h.client.put(&url).json(&set).send().await.unwrap();
    assert_eq!(response.status(), 200);
    h.get(paths::EXCHANGE_RATES, None).await.problem("fault_injected");
    let listed = h.get(paths::DEMO_FAULTS, None).await.ok();
    assert_eq!(listed[paths::EXCHANGE_RATES]["error_rate"], 1.0);
    let clear = serde_json::json!({"route": paths::EXCHANGE_RATES, "fault": null});
    assert_eq!(h.client.put(&url).json(&clear).send().await.unwrap().status(), 200);
    h.get(paths::EXCHANGE_RATES, None).await.ok();
    let unknown = serde_json::json!({"route": "/v1/nope", "fault": null});
    let response = h.client.put(&url).json(&unknown).send().await.unwrap();
    assert_eq!(response.status(), 404);
}
