//! `servicaja journal verify|export`: checks the electronic journal's hash chain (exit 2 when broken) and
//! exports records of a date range (Peruvian civil dates) as JSON lines or CSV for audits.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use servicaja_host::journal::{ExportFormat, JOURNAL_FILE, Journal};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Check the whole chain; report the first broken record and exit with 2 when there is one.
    Verify,
    /// Write the records of the dates FROM..=TO (YYYY-MM-DD, Peru time).
    Export {
        #[arg(long)]
        from: NaiveDate,
        #[arg(long)]
        to: NaiveDate,
        #[arg(long, value_enum, default_value_t = Format::Jsonl)]
        format: Format,
        /// Output file; standard output when absent.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs one subcommand with the configuration at `config` (the embedded default when absent).
pub fn run(config: Option<&Path>, command: JournalCommand) -> ExitCode {
    let settings = match crate::config::settings_or_exit(config) {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    let settings = &settings;
    let path = PathBuf::from(&settings.kiosk.data_dir).join(JOURNAL_FILE);
    let journal = match Journal::open_existing(&path) {
        Ok(journal) => journal,
        Err(err) => {
            eprintln!("journal: cannot open {}: {err}", path.display());
            return ExitCode::from(2);
        }
    };
    match command {
        JournalCommand::Verify => match journal.verify() {
            Ok(report) => match report.first_broken {
                None => {
                    println!("ok: {} records, chain intact, last hash {}", report.records, report.last_hash);
                    ExitCode::SUCCESS
                }
                Some(broken) => {
                    println!(
                        "BROKEN at record {}: {} ({} records verified before it)",
                        broken.seq, broken.reason, report.records
                    );
                    ExitCode::from(2)
                }
            },
            Err(err) => {
                eprintln!("journal: {err}");
                ExitCode::from(2)
            }
        },
        JournalCommand::Export { from, to, format, out } => {
            if to < from {
                eprintln!("journal: --to {to} is before --from {from}");
                return ExitCode::from(2);
            }
            let format = match format {
                Format::Jsonl => ExportFormat::Jsonl,
                Format::Csv => ExportFormat::Csv,
            };
            let result = match &out {
                Some(path) => std::fs::File::create(path)
                    .map_err(|err| format!("cannot create {}: {err}", path.display()))
                    .and_then(|file| {
                        let mut writer = std::io::BufWriter::new(file);
                        journal.export(from, to, format, &mut writer).map_err(|err| err.to_string())
                    }),
                None => journal.export(from, to, format, &mut std::io::stdout().lock()).map_err(|err| err.to_string()),
            };
            match result {
                Ok(count) => {
                    eprintln!("exported {count} records");
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    eprintln!("journal: {err}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use servicaja_host::journal::{JournalEvent, SafeText};

    fn config_for(dir: &Path) -> PathBuf {
        let path = dir.join("kiosk.toml");
        std::fs::write(&path, format!("[kiosk]\ndata_dir = {:?}\n", dir.display().to_string())).unwrap();
        path
    }

    #[test]
    fn verify_exits_2_on_a_tampered_journal_and_export_writes_the_range() {
        let dir = tempfile::tempdir().unwrap();
        let config = config_for(dir.path());
        let path = dir.path().join(JOURNAL_FILE);
        let mut journal = Journal::open(&path, 512).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-21T15:00:00Z").unwrap().to_utc();
        for action in ["login", "paper", "logout"] {
            let event = JournalEvent::Maintenance {
                user: "tec01".into(),
                action: action.into(),
                detail: SafeText::new("ok").unwrap(),
            };
            journal.append(at, &event).unwrap();
        }
        assert_eq!(run(Some(&config), JournalCommand::Verify), ExitCode::SUCCESS);
        let out = dir.path().join("export.csv");
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let export = JournalCommand::Export { from: day, to: day, format: Format::Csv, out: Some(out.clone()) };
        assert_eq!(run(Some(&config), export), ExitCode::SUCCESS);
        assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 4);

        // Alter record 2 behind the journal's back, dropping its append-only trigger first.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("DROP TRIGGER journal_no_update; UPDATE journal SET at_ms = at_ms + 1 WHERE seq = 2;")
            .unwrap();
        assert_eq!(run(Some(&config), JournalCommand::Verify), ExitCode::from(2));
    }
}
