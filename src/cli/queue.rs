//! `servicaja queue status|list|retry|cancel`: the technician's view of the outbox, working on the
//! database file directly (the running kiosk picks changes up on its next resync). No payload or token is
//! ever shown; retries and cancellations are journaled.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::out::{errln, outln};
use chrono::Utc;
use clap::Subcommand;
use servicaja_core::settings::Settings;
use servicaja_host::journal::{JOURNAL_FILE, Journal, JournalEvent, SafeText};
use servicaja_host::policy::{CommandId, PolicySettings, State};
use servicaja_host::store::{OUTBOX_FILE, OutboxStore, StoredCommand};

#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Counts by state and the age of the oldest open command.
    Status,
    /// The commands, oldest first (no payloads, no secrets).
    List {
        /// pending | in_flight | done | rejected | expired | cancelled
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Send a pending or expired command again now, with the same idempotency key.
    Retry { id: i64 },
    /// Withdraw a pending or expired command, or close a rejected one; the reason is kept and journaled.
    Cancel {
        id: i64,
        #[arg(long)]
        reason: String,
        /// Who cancels (technician id), for the journal.
        #[arg(long, default_value = "tecnico")]
        by: String,
    },
}

/// Runs one subcommand with the configuration at `config` (the embedded default when absent).
pub fn run(config: Option<&Path>, command: QueueCommand) -> ExitCode {
    let settings = match crate::cli::settings_or_exit(config) {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    let settings = &settings;
    let data_dir = PathBuf::from(&settings.kiosk.data_dir);
    match execute(settings, &data_dir, command) {
        Ok(code) => code,
        Err(message) => {
            errln!("queue: {message}");
            ExitCode::from(2)
        }
    }
}

fn execute(settings: &Settings, data_dir: &Path, command: QueueCommand) -> Result<ExitCode, String> {
    let path = data_dir.join(OUTBOX_FILE);
    if !path.exists() {
        return Err(format!("no outbox at {} (has the kiosk run with this data_dir?)", path.display()));
    }
    let mut store = OutboxStore::open(&path).map_err(|err| err.to_string())?;
    let policy = PolicySettings::from(&settings.outbox);
    let now = Utc::now();
    match command {
        QueueCommand::Status => {
            let status = store.status().map_err(|err| err.to_string())?;
            for (state, count) in &status.counts {
                outln!("{:<10} {count}", state.as_str());
            }
            match status.oldest_open {
                Some(oldest) => {
                    outln!("oldest open: {} ({} min ago)", oldest.to_rfc3339(), (now - oldest).num_minutes())
                }
                None => outln!("oldest open: none"),
            }
            outln!("bound: {} open commands", settings.outbox.max_pending);
        }
        QueueCommand::List { state, limit } => {
            let states = match state.as_deref() {
                None => Vec::new(),
                Some(text) => vec![State::parse(text).ok_or_else(|| {
                    let names: Vec<&str> = State::ALL.iter().map(|s| s.as_str()).collect();
                    format!("unknown state {text:?}; use one of {}", names.join(", "))
                })?],
            };
            outln!(
                "{:>6}  {:<10} {:<14} {:<38} {:>8} {:>4}  lane / last error",
                "id",
                "state",
                "kind",
                "key",
                "age_min",
                "fail"
            );
            for command in store.list(&states, Some(limit)).map_err(|err| err.to_string())? {
                outln!("{}", line(&command, now));
            }
        }
        QueueCommand::Retry { id } => {
            let command = store.retry(CommandId(id), &policy, now).map_err(|err| err.to_string())?;
            journal(settings, data_dir, "retried", &command, "tecnico", "reintento manual")?;
            outln!("{}", line(&command, now));
        }
        QueueCommand::Cancel { id, reason, by } => {
            if reason.trim().is_empty() {
                return Err("--reason must say why the command is withdrawn".into());
            }
            let checked = SafeText::new(reason.clone()).map_err(|err| err.to_string())?;
            let command = store.cancel(CommandId(id), checked.as_str(), now).map_err(|err| err.to_string())?;
            journal(settings, data_dir, "cancelled", &command, &by, &reason)?;
            outln!("{}", line(&command, now));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn line(command: &StoredCommand, now: chrono::DateTime<Utc>) -> String {
    let detail = command.last_error.as_deref().or(command.close_reason.as_deref()).unwrap_or("");
    format!(
        "{:>6}  {:<10} {:<14} {:<38} {:>8} {:>4}  {} {}",
        command.id.0,
        command.state.as_str(),
        command.kind.as_str(),
        command.key,
        (now - command.created_at).num_minutes(),
        command.failures,
        command.lane,
        detail
    )
}

fn journal(
    settings: &Settings,
    data_dir: &Path,
    action: &str,
    command: &StoredCommand,
    by: &str,
    reason: &str,
) -> Result<(), String> {
    let mut journal =
        Journal::open(&data_dir.join(JOURNAL_FILE), settings.journal.disk_budget_mb).map_err(|err| err.to_string())?;
    let event = JournalEvent::QueueCommand {
        action: action.into(),
        command_key: command.key,
        by: by.into(),
        reason: SafeText::new(reason).map_err(|err| err.to_string())?,
    };
    journal.append(Utc::now(), &event).map_err(|err| err.to_string())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use servicaja_host::policy::CommandKind;
    use servicaja_host::store::NewCommand;

    #[test]
    fn cancel_withdraws_a_pending_command_and_journals_it_and_retry_refuses_a_final_one() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("kiosk.toml");
        std::fs::write(&config, format!("[kiosk]\ndata_dir = {:?}\n", dir.path().display().to_string())).unwrap();
        let settings = servicaja_runtime::config::load(Some(&config)).unwrap().settings;
        let policy = PolicySettings::from(&settings.outbox);
        let mut store = OutboxStore::open(&dir.path().join(OUTBOX_FILE)).unwrap();
        let command =
            NewCommand::new(CommandKind::Email, "s1", "/v1/emails", &serde_json::json!({"to": "a@b.pe"})).unwrap();
        let stored = store.enqueue(&command, &policy, Utc::now()).unwrap();

        assert_eq!(run(Some(&config), QueueCommand::Status), ExitCode::SUCCESS);
        let cancel = QueueCommand::Cancel { id: stored.id.0, reason: "correo mal escrito".into(), by: "tec01".into() };
        assert_eq!(run(Some(&config), cancel), ExitCode::SUCCESS);
        let cancelled = store.get(stored.id).unwrap();
        assert_eq!(
            (cancelled.state, cancelled.close_reason.as_deref()),
            (State::Cancelled, Some("correo mal escrito"))
        );
        let journal = Journal::open_existing(&dir.path().join(JOURNAL_FILE)).unwrap();
        assert_eq!(journal.len().unwrap(), 1);
        assert_eq!(run(Some(&config), QueueCommand::Retry { id: stored.id.0 }), ExitCode::from(2));
        let unknown = QueueCommand::List { state: Some("lost".into()), limit: 10 };
        assert_eq!(run(Some(&config), unknown), ExitCode::from(2));
    }
}
