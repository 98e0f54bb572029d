//! The OpenAPI document and the router must list the same operations, and the document must name every
//! error code the code can answer.

use std::collections::BTreeSet;

use servicaja_core::api::ErrorCode;

const DOCUMENT: &str = include_str!("../../openapi.yaml");

/// (METHOD, path) pairs under `paths:`: paths are indented two spaces, methods four.
fn documented_operations() -> BTreeSet<(String, String)> {
    let mut operations = BTreeSet::new();
    let mut in_paths = false;
    let mut current: Option<String> = None;
    for line in DOCUMENT.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            in_paths = line.trim_end() == "paths:";
            current = None;
            continue;
        }
        if !in_paths {
            continue;
        }
        if let Some(path) = line.strip_prefix("  /") {
            current = Some(format!("/{}", path.trim_end().trim_end_matches(':')));
        } else if let Some(rest) = line.strip_prefix("    ")
            && !rest.starts_with(' ')
        {
            let key = rest.trim_end().trim_end_matches(':');
            if ["get", "post", "put", "patch", "delete"].contains(&key)
                && let Some(path) = &current
            {
                operations.insert((key.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

#[test]
fn every_route_is_documented_and_every_documented_route_exists() {
    let routed: BTreeSet<(String, String)> = servicaja_central::routes::routes().into_iter().collect();
    let documented = documented_operations();
    assert!(documented.len() > 10, "the scan found the paths section");
    let missing_in_document: Vec<_> = routed.difference(&documented).collect();
    let missing_in_router: Vec<_> = documented.difference(&routed).collect();
    assert!(missing_in_document.is_empty(), "routes the OpenAPI document lacks: {missing_in_document:?}");
    assert!(missing_in_router.is_empty(), "documented operations with no route: {missing_in_router:?}");
}

#[test]
fn every_error_code_is_in_the_document() {
    let start = DOCUMENT.find("    ErrorCode:").expect("ErrorCode schema");
    let section = &DOCUMENT[start..];
    let end = section.find("    Problem:").expect("Problem schema follows");
    let listed: BTreeSet<&str> = section[..end].lines().filter_map(|l| l.trim().strip_prefix("- ")).collect();
    let known: BTreeSet<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, known);
}
