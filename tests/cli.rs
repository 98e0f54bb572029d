//! The `servicaja` binary as a technician runs it in a shell: output piped into a reader that stops early
//! (`servicaja queue list | head -3`) ends the command quietly, with no panic and its usual exit code.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use chrono::Utc;
use servicaja_host::policy::{CommandKind, PolicySettings};
use servicaja_host::store::{NewCommand, OUTBOX_FILE, OutboxStore};

/// More lines than a pipe holds (64 KiB on Linux): the command is still writing when the reader leaves.
const COMMANDS: usize = 1_500;

#[test]
fn queue_list_into_a_reader_that_stops_after_three_lines_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, format!("[kiosk]\ndata_dir = {:?}\n", dir.path().display().to_string())).unwrap();
    let policy = PolicySettings {
        max_open: 100_000,
        max_age: chrono::Duration::hours(24),
        backoff_initial: std::time::Duration::from_secs(1),
        backoff_max: std::time::Duration::from_secs(60),
    };
    let mut store = OutboxStore::open(&dir.path().join(OUTBOX_FILE)).unwrap();
    for index in 0..COMMANDS {
        let body = serde_json::json!({"to": format!("cliente{index}@example.pe")});
        let command = NewCommand::new(CommandKind::Email, format!("s{index}"), "/v1/emails", &body).unwrap();
        store.enqueue(&command, &policy, Utc::now()).unwrap();
    }
    drop(store);

    let (head, output) = first_three_lines(&["queue", "list", "--limit", "100000", "--config"], &config);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert_eq!(head.len(), 3);
    assert!(head[0].contains("state") && head[0].contains("kind"), "the header first: {head:?}");
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "stderr: {stderr}");
    assert!(stderr.is_empty(), "nothing to say when the reader leaves: {stderr}");
    assert!(output.status.success(), "{:?}, stderr: {stderr}", output.status);
}

/// Runs the binary with `args` and `config`, reads three lines of its output, then closes the pipe (`head -3`).
fn first_three_lines(args: &[&str], config: &std::path::Path) -> (Vec<String>, std::process::Output) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_servicaja"))
        .args(args)
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let head: Vec<String> = lines.by_ref().take(3).map(Result::unwrap).collect();
    drop(lines);
    (head, child.wait_with_output().unwrap())
}

#[test]
fn journal_export_into_a_reader_that_stops_after_three_lines_ends_quietly() {
    use servicaja_host::journal::{JOURNAL_FILE, Journal, JournalEvent, SafeText};
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kiosk.toml");
    std::fs::write(&config, format!("[kiosk]\ndata_dir = {:?}\n", dir.path().display().to_string())).unwrap();
    let mut journal = Journal::open(&dir.path().join(JOURNAL_FILE), 512).unwrap();
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-21T15:00:00Z").unwrap().to_utc();
    for index in 0..COMMANDS {
        let detail = SafeText::new(format!("prueba de exportación {index}")).unwrap();
        journal.append(at, &JournalEvent::Maintenance { user: "1001".into(), action: "test".into(), detail }).unwrap();
    }
    drop(journal);
    let args = ["journal", "export", "--from", "2026-11-21", "--to", "2026-11-21", "--format", "jsonl", "--config"];
    let (head, output) = first_three_lines(&args, &config);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(head.len(), 3);
    assert!(head[0].contains("prueba de exportación"), "{head:?}");
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "stderr: {stderr}");
    assert!(output.status.success(), "{:?}, stderr: {stderr}", output.status);
}
