//! R12: clave enrollment with multiple-choice questions from the data on record, 3 failed rounds block
//! it, and the new clave is confirmed with an SMS code.

use serde_json::{Value, json};
use servicaja_core::api::paths;

use crate::harness::{Harness, LUIS, PEDRO};

/// LUIS's data on record, as the fixture file has it.
const LUIS_ANSWERS: [&str; 4] = ["05/11/1988", "Auxiliar administrativo", "955777888", "02/05/2018"];

fn answers(started: &Value, right: bool) -> Value {
    let list: Vec<Value> = started["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|question| {
            let options = question["options"].as_array().unwrap();
            let correct = options
                .iter()
                .position(|o| LUIS_ANSWERS.contains(&o.as_str().unwrap()))
                .expect("the true answer is offered");
            let chosen = if right { correct } else { (correct + 1) % options.len() };
            json!({"question_id": question["id"], "option": chosen})
        })
        .collect();
    json!({"answers": list})
}

async fn start(h: &Harness) -> Value {
    h.post(paths::ENROLLMENTS, None, &json!({"card_number": LUIS.0, "dni": LUIS.1})).await.ok()
}

fn answers_path(started: &Value) -> String {
    paths::fill(paths::ENROLLMENT_ANSWERS, "enrollment_id", started["enrollment_id"].as_str().unwrap())
}

fn clave_path(started: &Value) -> String {
    paths::fill(paths::ENROLLMENT_CLAVE, "enrollment_id", started["enrollment_id"].as_str().unwrap())
}

#[tokio::test]
async fn questions_come_from_the_data_on_record_with_sin_asignar_as_an_option() {
    let h = Harness::start().await;
    let started = start(&h).await;
    let questions = started["questions"].as_array().unwrap();
    assert!((3..=5).contains(&questions.len()));
    assert_eq!(started["attempts_left"], 3);
    for question in questions {
        let options: Vec<&str> = question["options"].as_array().unwrap().iter().map(|o| o.as_str().unwrap()).collect();
        assert_eq!(options.iter().filter(|o| LUIS_ANSWERS.contains(o)).count(), 1, "{options:?}");
        assert!(options.contains(&"Sin asignar"), "{options:?}");
    }
}

#[tokio::test]
async fn right_answers_then_an_sms_code_set_the_new_clave() {
    let h = Harness::start().await;
    let started = start(&h).await;
    h.post(&clave_path(&started), None, &json!({"new_clave": "908070", "otp_code": "123456"}))
        .await
        .problem("enrollment_state");
    let verified = h.post(&answers_path(&started), None, &answers(&started, true)).await.ok();
    assert_eq!(verified["otp"]["masked_phone"], "95*****654");
    let code = h.last_sms_code().await;
    h.post(&clave_path(&started), None, &json!({"new_clave": "9080", "otp_code": code})).await.problem("clave_format");
    h.post(&clave_path(&started), None, &json!({"new_clave": "908070", "otp_code": code})).await.ok();
    h.login((LUIS.0, LUIS.1, "908070")).await;
    h.try_login(LUIS).await.problem("clave_invalid");
    h.post(&answers_path(&started), None, &answers(&started, true)).await.problem("enrollment_state");
}

#[tokio::test]
async fn three_failed_rounds_block_enrollment() {
    let h = Harness::start().await;
    let started = start(&h).await;
    let wrong = answers(&started, false);
    assert_eq!(
        h.post(&answers_path(&started), None, &wrong).await.problem("enrollment_answers_wrong")["attempts_left"],
        2
    );
    assert_eq!(
        h.post(&answers_path(&started), None, &wrong).await.problem("enrollment_answers_wrong")["attempts_left"],
        1
    );
    h.post(&answers_path(&started), None, &wrong).await.problem("enrollment_blocked");
    h.post(&answers_path(&started), None, &answers(&started, true)).await.problem("enrollment_blocked");
    h.post(paths::ENROLLMENTS, None, &json!({"card_number": LUIS.0, "dni": LUIS.1}))
        .await
        .problem("enrollment_blocked");
}

#[tokio::test]
async fn a_locked_card_cannot_enroll() {
    let h = Harness::start().await;
    h.post(paths::ENROLLMENTS, None, &json!({"card_number": PEDRO.0, "dni": PEDRO.1})).await.problem("card_locked");
    h.post(paths::ENROLLMENTS, None, &json!({"card_number": LUIS.0, "dni": PEDRO.1}))
        .await
        .problem("card_not_recognized");
}

/// Issue 18: the enrollment's code can be resent (as an affiliation code): only after right answers, and
/// the newest code is the one that sets the clave.
#[tokio::test]
async fn an_enrollment_code_is_resent_and_only_the_newest_counts() {
    let h = Harness::start().await;
    let started = start(&h).await;
    let otp_path = paths::fill(paths::ENROLLMENT_OTP, "enrollment_id", started["enrollment_id"].as_str().unwrap());
    h.post(&otp_path, None, &json!({})).await.problem("enrollment_state");
    h.post(&answers_path(&started), None, &answers(&started, true)).await.ok();
    let first = h.last_sms_code().await;
    let sent = h.post(&otp_path, None, &json!({})).await.ok();
    assert_eq!(sent["masked_phone"], "95*****654");
    let newest = h.last_sms_code().await;
    if newest != first {
        h.post(&clave_path(&started), None, &json!({"new_clave": "908070", "otp_code": first}))
            .await
            .problem("otp_invalid");
    }
    h.post(&clave_path(&started), None, &json!({"new_clave": "908070", "otp_code": newest})).await.ok();
    h.login((LUIS.0, LUIS.1, "908070")).await;
}
