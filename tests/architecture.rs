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
                if contains_token(&line, pattern) {
                    found.push(format!("{}:{number}: `{pattern}` in `{}`", file.display(), line.trim()));
                }
            }
        }
    }
    found
}

/// Whether `pattern` occurs in `line` as a whole path or name: not as the tail of a longer identifier, so
/// that `print!` does not match `reprint!` nor `std::io` match `my_std::io`.
fn contains_token(line: &str, pattern: &str) -> bool {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    line.match_indices(pattern).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = line[at + pattern.len()..].chars().next();
        let starts_clean = before.is_none_or(|c| !is_ident(c) && c != ':');
        let ends_clean = !pattern.ends_with(is_ident) || after.is_none_or(|c| !is_ident(c));
        starts_clean && ends_clean
    })
}

/// What a pure crate must never do: read the clock or a random source, or touch files, sockets or ports.
const IMPURE: &[&str] = &[
    "Utc::now",
    "Local::now",
    "SystemTime::now",
    "Instant::now",
    "thread_rng",
    "rand::",
    "Uuid::new_v4",
    "Uuid::now_v7",
    "std::fs",
    "std::io",
    "std::net",
    "TcpStream",
    "UdpSocket",
    "tokio::",
    "std::thread",
    "std::process",
    "std::env::var",
    "print!",
    "println!",
    "eprint!",
    "eprintln!",
    "dbg!",
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
fn the_escpos_encoder_does_no_io_and_reads_no_clock() {
    let found = offenders("escpos", IMPURE);
    assert!(found.is_empty(), "servicaja-escpos must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_speech_wording_does_no_io_and_reads_no_clock() {
    let found = offenders("speech", IMPURE);
    assert!(found.is_empty(), "servicaja-speech must stay pure:\n{}", found.join("\n"));
}

#[test]
fn the_maintenance_rules_do_no_io_and_read_no_clock() {
    let found = offenders("maintenance", IMPURE);
    assert!(found.is_empty(), "servicaja-maintenance must stay pure:\n{}", found.join("\n"));
}

/// The names a crate depends on to build and run: `[dependencies]` and every
/// `[target.'cfg(…)'.dependencies]`. Dev-dependencies may use anything to test with real components, and
/// build-dependencies run at build time only.
fn manifest_dependencies(crate_dir: &str) -> Vec<String> {
    let manifest = fs::read_to_string(root().join(crate_dir).join("Cargo.toml")).unwrap_or_default();
    let mut names = Vec::new();
    let mut in_dependencies = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            let header = line.trim_matches(['[', ']']);
            in_dependencies =
                header == "dependencies" || (header.starts_with("target.") && header.ends_with(".dependencies"));
            continue;
        }
        if !in_dependencies || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or("").trim_matches('"');
        if !name.is_empty() {
            names.push(name.to_string());
        }
    }
    names
}

const CRATES: [&str; 12] = [
    "core",
    "escpos",
    "session",
    "maintenance",
    "drivers",
    "host",
    "receipts",
    "speech",
    "central",
    "runtime",
    "ui",
    ".",
];

fn crates_depending_on(dependency: &str) -> Vec<&'static str> {
    CRATES.into_iter().filter(|dir| manifest_dependencies(dir).iter().any(|name| name == dependency)).collect()
}

#[test]
fn the_dependency_reader_sees_target_specific_sections() {
    let manifest = "[package]\nname = \"x\"\n[dependencies]\nserde.workspace = true\n\
                    [target.'cfg(unix)'.dependencies]\nrustix = { version = \"1\" }\n[dev-dependencies]\nproptest = \"1\"\n";
    let dir = std::env::temp_dir().join(format!("servicaja-architecture-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    let names = manifest_dependencies(dir.to_str().unwrap());
    fs::remove_dir_all(&dir).ok();
    assert_eq!(names, ["serde", "rustix"]);
}

#[test]
fn the_token_matcher_ignores_longer_names() {
    assert!(contains_token("    print!(\"x\");", "print!"));
    assert!(!contains_token("    reprint!(x);", "print!"));
    assert!(contains_token("use std::io::Write;", "std::io"));
    assert!(!contains_token("use my_std::io::Write;", "std::io"));
    assert!(!contains_token("use std::iovec;", "std::io"));
}

#[test]
fn only_the_drivers_touch_serial_ports() {
    assert_eq!(crates_depending_on("serialport"), ["drivers"]);
    assert!(
        !crates_depending_on("servicaja-drivers").contains(&"receipts"),
        "receipts encodes through servicaja-escpos and never needs the serial drivers"
    );
}

#[test]
fn only_the_host_layer_and_the_simulator_touch_the_network_and_databases() {
    assert_eq!(crates_depending_on("reqwest"), ["host"]);
    // The host client is the kiosk's one TLS client; the central simulator is the other end of it.
    for tls in ["rustls", "tokio-rustls", "rustls-pki-types", "rustls-pemfile", "webpki-roots", "hyper"] {
        let users = crates_depending_on(tls);
        assert!(users.iter().all(|dir| ["host", "central"].contains(dir)), "{tls} used by {users:?}");
    }
    let sqlite = crates_depending_on("rusqlite");
    assert!(sqlite.iter().all(|dir| ["host", "central"].contains(dir)), "rusqlite used by {sqlite:?}");
    // The central simulator's HTTPS server, and the host layer's local metrics endpoint.
    let servers = crates_depending_on("axum");
    assert!(servers.iter().all(|dir| ["host", "central"].contains(dir)), "axum used by {servers:?}");
}

/// What opens a connection or speaks TLS. Only the host client does (and the central simulator, the other end).
const NETWORK: &[&str] =
    &["TcpStream", "TcpListener", "UdpSocket", "tokio::net", "reqwest::", "rustls::", "tokio_rustls::", "hyper::"];

#[test]
fn only_the_host_layer_opens_connections() {
    let found: Vec<String> =
        ["src", "core", "escpos", "session", "maintenance", "drivers", "receipts", "speech", "runtime", "ui"]
            .into_iter()
            .flat_map(|dir| {
                let sources = if dir == "src" { root().join("src") } else { root().join(dir).join("src") };
                rust_files(&sources).into_iter().flat_map(|file| {
                    production_lines(&file).into_iter().flat_map(move |(number, line)| {
                        let file = file.display().to_string();
                        NETWORK
                            .iter()
                            .filter(|pattern| contains_token(&line, pattern))
                            .map(|pattern| format!("{file}:{number}: `{pattern}` in `{}`", line.trim()))
                            .collect::<Vec<_>>()
                    })
                })
            })
            .collect();
    assert!(found.is_empty(), "the network outside the host layer:\n{}", found.join("\n"));
}

#[test]
fn the_pure_crates_depend_on_nothing_that_does_io() {
    let io =
        ["tokio", "reqwest", "rustls", "tokio-rustls", "rusqlite", "serialport", "axum", "hyper", "rand", "rustix"];
    for pure in ["core", "escpos", "session", "maintenance", "speech"] {
        let offending: Vec<_> =
            manifest_dependencies(pure).into_iter().filter(|name| io.contains(&name.as_str())).collect();
        assert!(offending.is_empty(), "{pure} depends on {offending:?}");
    }
}

/// The layers, lowest first: a crate may depend only on crates of a lower layer, so no import runs back up.
/// The app is three of them: the runtime (the shell that carries out the session's effects), the window's
/// adapters above it, and the binary on top that wires both.
const LAYERS: [(&str, u8); 12] = [
    ("core", 0),
    ("escpos", 0),
    ("session", 1),
    ("maintenance", 1),
    ("drivers", 1),
    ("central", 1),
    ("receipts", 2),
    ("host", 2),
    ("speech", 2),
    ("runtime", 3),
    ("ui", 4),
    (".", 5),
];

fn crate_name(dir: &str) -> String {
    let manifest = fs::read_to_string(root().join(dir).join("Cargo.toml")).unwrap_or_default();
    let package = manifest.split("[package]").nth(1).unwrap_or("");
    package
        .lines()
        .find_map(|line| {
            line.trim().strip_prefix("name").map(|rest| rest.trim_start_matches([' ', '=']).trim_matches('"'))
        })
        .unwrap_or_default()
        .to_string()
}

#[test]
fn no_crate_depends_on_one_above_it() {
    let layer_of = |name: &str| LAYERS.iter().find(|(dir, _)| crate_name(dir) == name).map(|&(_, layer)| layer);
    let mut upward = Vec::new();
    for (dir, layer) in LAYERS {
        for dependency in manifest_dependencies(dir) {
            if let Some(theirs) = layer_of(&dependency)
                && theirs >= layer
            {
                upward.push(format!("{} (layer {layer}) depends on {dependency} (layer {theirs})", crate_name(dir)));
            }
        }
    }
    assert!(upward.is_empty(), "dependencies running sideways or up:\n{}", upward.join("\n"));
    assert!(LAYERS.iter().all(|(dir, _)| !crate_name(dir).is_empty()), "a layer names no crate");
}

#[test]
fn a_production_build_carries_neither_the_simulator_nor_the_emulators() {
    let app = fs::read_to_string(root().join("Cargo.toml")).unwrap_or_default();
    let dependencies = app.split("\n[dependencies]").nth(1).unwrap_or_default();
    let central = dependencies.lines().find(|line| line.starts_with("servicaja-central")).unwrap_or_default();
    assert!(central.contains("optional = true"), "the central simulator must be optional: {central}");
    assert!(app.contains("demo = [\"dep:servicaja-central\", \"servicaja-drivers/emulator\"]"), "no demo feature");
    let drivers = fs::read_to_string(root().join("drivers/src/lib.rs")).unwrap_or_default();
    for module in ["pub mod emulator;", "pub mod pty;"] {
        assert!(
            drivers.contains(&format!("#[cfg(feature = \"emulator\")]\n{module}")),
            "drivers' `{module}` must be behind the emulator feature"
        );
    }
    assert!(
        crates_depending_on("servicaja-central").iter().all(|dir| *dir == "."),
        "only the app (in demo builds) may carry the simulator"
    );
}

#[test]
fn every_module_says_what_it_is_for() {
    let mut missing = Vec::new();
    for dir in [
        "src",
        "core/src",
        "escpos/src",
        "session/src",
        "maintenance/src",
        "drivers/src",
        "host/src",
        "receipts/src",
        "speech/src",
        "central/src",
        "runtime/src",
        "ui/src",
    ] {
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

/// The tests reach the app through its crates, as any user would: no `#[path]` include of `src/` (which
/// compiles the app's files a second time under a faked module tree) and no lints switched off to allow it.
#[test]
fn the_tests_use_the_apps_crates_not_its_files() {
    let mut found = Vec::new();
    for file in rust_files(&root().join("tests")) {
        let text = fs::read_to_string(&file).unwrap_or_default();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            let attribute = line.starts_with("#[") || line.starts_with("#![");
            if attribute && ((line.starts_with("#[path") && line.contains("src/")) || line.contains("clippy::all")) {
                found.push(format!("{}:{}: `{line}`", file.display(), number + 1));
            }
        }
    }
    assert!(found.is_empty(), "tests that include the app's files:\n{}", found.join("\n"));
}
