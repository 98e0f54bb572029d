//! Checks the architecture invariants of ARCHITECTURE.md against the source tree and the manifests, so that
//! a change that breaks one fails the build instead of waiting for a reviewer to notice.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Lines of non-test code: everything before the first `#[cfg(test)]` of a file.
fn production_lines(path: &Path) -> Vec<(usize, String)> {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .enumerate()
        .take_while(|(_, line)| !line.trim_start().starts_with("#[cfg(test)]"))
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(number, line)| (number + 1, line.to_string()))
        .collect()
}

fn offenders(crate_dir: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in rust_files(&root().join(crate_dir).join("src")) {
        for (number, line) in production_lines(&file) {
            for pattern in forbidden {
                if line.contains(pattern) {
                    found.push(format!("{}:{number}: `{pattern}` in `{}`", file.display(), line.trim()));
                }
            }
        }
    }
    found
}

/// What a pure crate must never do: read the clock or a random source, or touch files, sockets or ports.
const IMPURE: &[&str] = &[
    "Utc::now",
    "Local::now",
    "SystemTime::now",
    "Instant::now",
    "thread_rng",
    "rand::",
    "std::fs",
    "std::net",
    "tokio::",
    "std::process",
    "std::env::var",
    "println!",
];

#[test]
fn the_domain_core_does_no_io_and_reads_no_clock() {
    let found = offenders("core", IMPURE);
    assert!(found.is_empty(), "servicaja-core must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_session_state_machine_does_no_io_and_reads_no_clock() {
    let found = offenders("session", IMPURE);
    assert!(found.is_empty(), "servicaja-session must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_maintenance_rules_do_no_io_and_read_no_clock() {
    let found = offenders("maintenance", IMPURE);
    assert!(found.is_empty(), "servicaja-maintenance must stay pure:\n{}", found.join("\n"));
}

fn manifest_dependencies(crate_dir: &str) -> String {
    let manifest = fs::read_to_string(root().join(crate_dir).join("Cargo.toml")).unwrap_or_default();
    // Only [dependencies]: dev-dependencies may use anything to test with real components.
    let start = manifest.find("\n[dependencies]").map_or(manifest.len(), |at| at + 1);
    let rest = &manifest[start..];
    let end = rest[1..].find("\n[").map_or(rest.len(), |at| at + 1);
    rest[..end].to_string()
}

fn crates_depending_on(dependency: &str) -> Vec<&'static str> {
    ["core", "session", "maintenance", "drivers", "host", "receipts", "central", "."]
        .into_iter()
        .filter(|dir| {
            manifest_dependencies(dir).lines().any(|line| {
                let name = line.split(['=', '.', ' ']).next().unwrap_or("");
                name == dependency
            })
        })
        .collect()
}

#[test]
fn only_the_drivers_touch_serial_ports() {
    assert_eq!(crates_depending_on("serialport"), ["drivers"]);
}

#[test]
fn only_the_host_layer_and_the_simulator_touch_the_network_and_databases() {
    assert_eq!(crates_depending_on("reqwest"), ["host"]);
    let sqlite = crates_depending_on("rusqlite");
    assert!(sqlite.iter().all(|dir| ["host", "central"].contains(dir)), "rusqlite used by {sqlite:?}");
    let servers = crates_depending_on("axum");
    assert!(servers.iter().all(|dir| *dir == "central"), "axum used by {servers:?}");
}

#[test]
fn every_module_says_what_it_is_for() {
    let mut missing = Vec::new();
    for dir in
        ["src", "core/src", "session/src", "maintenance/src", "drivers/src", "host/src", "receipts/src", "central/src"]
    {
        for file in rust_files(&root().join(dir)) {
            let text = fs::read_to_string(&file).unwrap_or_default();
            if !text.trim_start().starts_with("//!") {
                missing.push(file.display().to_string());
            }
        }
    }
    assert!(missing.is_empty(), "modules without a `//!` line:\n{}", missing.join("\n"));
}

#[test]
fn no_tls_stack_but_rustls_with_ring() {
    let lock = fs::read_to_string(root().join("Cargo.lock")).unwrap_or_default();
    for forbidden in ["name = \"openssl\"", "name = \"openssl-sys\"", "name = \"native-tls\"", "name = \"aws-lc-sys\""]
    {
        assert!(!lock.contains(forbidden), "Cargo.lock contains {forbidden}");
    }
}
