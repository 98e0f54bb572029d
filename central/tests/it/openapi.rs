//! The OpenAPI document, read with a real YAML parser: a valid OpenAPI 3.1 document whose every `$ref`
//! resolves and every schema is valid JSON Schema 2020-12; it and the router list the same operations; it
//! names every error code the code can answer; and the main routes answer as it says (the harness checks
//! every answer, `contract.rs`; the checker itself is shown to catch a wrong body).

use std::collections::BTreeSet;

use serde_json::{Value, json};
use servicaja_core::api::{ErrorCode, paths};

use crate::contract::{CHECKED, DOCUMENT, OPENAPI, check_answer, resolve, template_of};
use crate::harness::{Harness, JESUS};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// (METHOD, path) of every operation under `paths`.
fn documented_operations() -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    for (path, item) in OPENAPI["paths"].as_object().expect("paths") {
        for method in METHODS {
            if item.get(method).is_some() {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

#[test]
fn every_route_is_documented_and_every_documented_route_exists() {
    let routed: BTreeSet<(String, String)> = servicaja_central::routes::routes().into_iter().collect();
    let documented = documented_operations();
    assert!(documented.len() > 10, "the document has its paths");
    let missing_in_document: Vec<_> = routed.difference(&documented).collect();
    let missing_in_router: Vec<_> = documented.difference(&routed).collect();
    assert!(missing_in_document.is_empty(), "routes the OpenAPI document lacks: {missing_in_document:?}");
    assert!(missing_in_router.is_empty(), "documented operations with no route: {missing_in_router:?}");
}

#[test]
fn every_error_code_is_in_the_document() {
    let listed: BTreeSet<&str> = OPENAPI["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("ErrorCode enum")
        .iter()
        .map(|code| code.as_str().expect("a string"))
        .collect();
    let known: BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, known);
}

fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                found.push(reference);
            }
            map.values().for_each(|v| refs(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

#[test]
fn the_document_is_openapi_3_1_with_every_reference_and_schema_valid() {
    assert!(OPENAPI["openapi"].as_str().is_some_and(|v| v.starts_with("3.1.")), "an OpenAPI 3.1 document");
    // The typed OpenAPI 3.1 model reads the whole document (info, paths, operations, components).
    let spec = oas3::from_json(serde_json::to_string(&*OPENAPI).unwrap()).expect("an OpenAPI 3.1 document");
    assert_eq!(spec.info.title, "ServiCaja central API");
    assert_eq!(spec.paths.as_ref().map(|p| p.len()), OPENAPI["paths"].as_object().map(|p| p.len()));

    let mut found = Vec::new();
    refs(&OPENAPI, &mut found);
    assert!(found.len() > 50, "the document uses references");
    let unresolved: Vec<_> = found.iter().filter(|r| resolve(r).is_none()).collect();
    assert!(unresolved.is_empty(), "references that resolve to nothing: {unresolved:?}");

    for (name, schema) in OPENAPI["components"]["schemas"].as_object().expect("schemas") {
        let mut schema = schema.clone();
        schema["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        if let Err(err) = jsonschema::meta::validate(&schema) {
            panic!("components.schemas.{name} is not JSON Schema 2020-12: {err}");
        }
    }

    let mut operation_ids = BTreeSet::new();
    for (path, item) in OPENAPI["paths"].as_object().unwrap() {
        for method in METHODS {
            let Some(operation) = item.get(method) else { continue };
            let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(operation_ids.insert(id), "operationId {id} twice");
            assert!(operation["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}: no responses");
            // Every `{parameter}` of the path is declared as a path parameter.
            let declared: BTreeSet<String> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| resolve(p["$ref"].as_str().unwrap_or("")).unwrap_or(p))
                .filter(|p| p["in"] == "path" && p["required"] == true)
                .filter_map(|p| p["name"].as_str().map(str::to_owned))
                .collect();
            let in_path: BTreeSet<String> =
                path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}').map(str::to_owned)).collect();
            assert_eq!(declared, in_path, "{method} {path}: path parameters");
        }
    }
}

#[test]
fn the_document_parses_as_yaml_where_the_old_scanner_did_not_look() {
    // The summary that once broke standard YAML parsers reads back as the text it is.
    let summary = OPENAPI["paths"]["/v1/demo/faults"]["put"]["summary"].as_str().unwrap();
    assert!(summary.contains("`fault: null`"), "{summary}");
    assert!(DOCUMENT.len() > 10_000);
}

#[test]
fn the_checker_refuses_a_body_the_document_does_not_allow() {
    let health = json!({"status": "ok", "database": "ok", "time": "2026-03-10T15:00:00Z"});
    let wrong = json!({"status": 5});
    assert!(check_answer("GET", "/v1/health", 200, Some("application/json"), &wrong).is_err());
    assert!(check_answer("GET", "/v1/health", 200, Some("text/plain"), &health).is_err(), "wrong media type");
    assert!(check_answer("DELETE", "/v1/health", 200, Some("application/json"), &health).is_err());
    let problem = json!({"code": "not_a_code", "message": "x", "status": 404});
    assert!(check_answer("GET", "/v1/loans", 404, Some("application/problem+json"), &problem).is_err());
    assert!(check_answer("GET", "/v1/nowhere", 200, Some("application/json"), &json!({})).is_err());
    assert_eq!(template_of("/v1/loans/L-1/quote"), Some("/v1/loans/{loan_id}/quote"));
    assert_eq!(template_of("/v1/sessions/current"), Some("/v1/sessions/current"));
}

/// The main routes, each answer checked against the document by the harness: health, a refused and an
/// opened session, profile, accounts, loans, a quote, a payment, its reversal, an unknown route, and the
/// session closed.
#[tokio::test]
async fn the_main_routes_answer_as_the_document_says() {
    let h = Harness::start().await;
    h.get(paths::HEALTH, None).await.ok();
    h.try_login((JESUS.0, JESUS.1, "000000")).await.problem("clave_invalid");
    let token = h.login(JESUS).await;
    h.get(paths::PROFILE, Some(&token)).await.ok();
    h.get(paths::ACCOUNTS, Some(&token)).await.ok();
    h.get(paths::LOANS, Some(&token)).await.ok();
    h.get(&paths::fill(paths::LOAN_SCHEDULE, "loan_id", "L-00340001"), Some(&token)).await.ok();
    let quote = h
        .get(&crate::payments::quote_path("L-00340001", "due_installment", "A-00121110", None), Some(&token))
        .await
        .ok();
    let mut body = crate::payments::payment("L-00340001", "A-00121110", "due_installment", None);
    body["expected_debit"] = quote["debit"].clone();
    h.post(paths::PAYMENTS, Some(&token), &body).await.ok();
    let reversal = paths::fill(paths::PAYMENT_REVERSAL, "operation_id", body["operation_id"].as_str().unwrap());
    h.post(&reversal, None, &json!({"reason": "timeout"})).await.ok();
    h.get(paths::LOANS, None).await.problem("session_required");
    h.get("/v1/nowhere", None).await.problem("route_not_found");
    let checked = CHECKED.lock().unwrap().clone();
    for key in [
        "GET /v1/health 200",
        "POST /v1/sessions 200",
        "POST /v1/sessions 401",
        "GET /v1/accounts 200",
        "GET /v1/loans 200",
        "GET /v1/loans/{loan_id}/quote 200",
        "POST /v1/payments 200",
        "POST /v1/payments/{operation_id}/reversal 200",
        "GET <undocumented> 404",
    ] {
        assert!(checked.contains_key(key), "{key} not checked: {checked:?}");
    }
}
