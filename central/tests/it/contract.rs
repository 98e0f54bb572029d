//! The OpenAPI document as the tests read it: parsed by a real YAML reader, and every answer the harness
//! receives checked against the schema the document gives for its operation and status (JSON Schema
//! 2020-12, as OpenAPI 3.1 uses it), so the contract an integrator reads is the one the simulator speaks.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{Value, json};

pub const DOCUMENT: &str = include_str!("../../openapi.yaml");

/// The document as JSON.
pub static OPENAPI: LazyLock<Value> =
    LazyLock::new(|| serde_yaml_ng::from_str(DOCUMENT).expect("central/openapi.yaml is valid YAML"));

/// Validators by (method, template, status, media type), compiled once.
static VALIDATORS: LazyLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> = LazyLock::new(Mutex::default);

/// How many answers were checked, by "METHOD template status".
pub static CHECKED: LazyLock<Mutex<BTreeMap<String, u64>>> = LazyLock::new(Mutex::default);

/// `#/a/b` → the value at that JSON pointer in the document.
pub fn resolve(reference: &str) -> Option<&'static Value> {
    OPENAPI.pointer(reference.strip_prefix('#')?)
}

/// Follows a `$ref` object (response, parameter, request body) to what it names.
fn follow(value: &'static Value) -> Result<&'static Value, String> {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => resolve(reference).ok_or_else(|| format!("unresolved $ref {reference}")),
        None => Ok(value),
    }
}

/// The documented path template a concrete path falls under (`/v1/loans/L-1/quote` → `/v1/loans/{loan_id}/quote`).
pub fn template_of(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    let paths = OPENAPI["paths"].as_object()?;
    // A literal segment beats a parameter (`/v1/sessions/current` is not `/v1/sessions/{id}`).
    paths
        .keys()
        .filter(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            parts.len() == segments.len()
                && parts.iter().zip(&segments).all(|(part, segment)| {
                    (part.starts_with('{') && part.ends_with('}') && !segment.is_empty()) || part == segment
                })
        })
        .min_by_key(|template| template.matches('{').count())
        .map(String::as_str)
}

/// A validator for `schema`, with the document's components beside it so `#/components/...` resolves.
fn validator(schema: &Value) -> Result<jsonschema::Validator, String> {
    let wrapper = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": "#/$defs/answer",
        "$defs": {"answer": schema},
        "components": OPENAPI["components"],
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&wrapper)
        .map_err(|err| format!("the document's schema does not compile: {err}"))
}

/// Checks one answer against the document: the operation exists, the status is documented (or covered by
/// `default`), the media type is the documented one and the body matches its schema. An undocumented path
/// must answer a Problem.
pub fn check_answer(
    method: &str,
    path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &Value,
) -> Result<(), String> {
    let media = content_type.map(|value| value.split(';').next().unwrap_or(value).trim().to_ascii_lowercase());
    let (key, response) = match template_of(path) {
        Some(template) => {
            let operation = &OPENAPI["paths"][template][method.to_ascii_lowercase()];
            if operation.is_null() {
                return Err(format!("{method} {template} is not documented"));
            }
            let responses = &operation["responses"];
            let status_key = status.to_string();
            let range = format!("{}XX", status / 100);
            let response = [status_key.as_str(), range.as_str(), "default"]
                .into_iter()
                .find_map(|key| responses.get(key))
                .ok_or_else(|| format!("{method} {template}: status {status} is not documented"))?;
            (format!("{method} {template} {status}"), follow(response)?)
        }
        None => {
            if status < 400 {
                return Err(format!("{method} {path}: no documented path, yet {status}"));
            }
            (format!("{method} <undocumented> {status}"), follow(&OPENAPI["components"]["responses"]["Problem"])?)
        }
    };
    let content = response.get("content").and_then(Value::as_object);
    match (content, body) {
        (None, Value::Null) => {}
        (None, _) => return Err(format!("{key}: documented without a body, answered {body}")),
        (Some(_), Value::Null) => return Err(format!("{key}: documented with a body, answered none")),
        (Some(content), _) => {
            let media = media.ok_or_else(|| format!("{key}: a body without Content-Type"))?;
            let entry = content.get(&media).ok_or_else(|| {
                format!("{key}: answered {media}, documented {:?}", content.keys().collect::<Vec<_>>())
            })?;
            let schema = entry.get("schema").ok_or_else(|| format!("{key}: {media} without a schema"))?;
            let cache_key = format!("{key} {media}");
            let compiled = {
                let mut cache = VALIDATORS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                match cache.get(&cache_key) {
                    Some(compiled) => compiled.clone(),
                    None => {
                        let compiled = Arc::new(validator(schema)?);
                        cache.insert(cache_key, compiled.clone());
                        compiled
                    }
                }
            };
            let errors: Vec<String> =
                compiled.iter_errors(body).map(|err| format!("at {}: {err}", err.instance_path())).collect();
            if !errors.is_empty() {
                return Err(format!(
                    "{key}: the body does not match the document:\n  {}\nbody: {body}",
                    errors.join("\n  ")
                ));
            }
        }
    }
    *CHECKED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(key).or_default() += 1;
    Ok(())
}
