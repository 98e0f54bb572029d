//! `servicaja journal verify|export|reseal`: checks the electronic journal (its hash chain, its sealed head,
//! the database file; exit 2 when anything is wrong), exports records of a date range (Peruvian civil dates)
//! as JSON lines or CSV for audits, and reseals the head after a technician has dealt with a refused journal.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use servicaja_host::journal::{ExportFormat, HeadCheck, JOURNAL_FILE, Journal, VerifyReport};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Check the whole chain, the sealed head and the database file; report the first broken, missing or
    /// unreadable record and exit with 2 when anything is wrong.
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
    /// Seal the journal's head anew at its current last record, after the kiosk refused it (database lost,
    /// restored from a backup, or contradicting its head) and a technician has checked it and kept its
    /// export. Journals who did it and what the old head said. Creates an empty journal when it is gone.
    Reseal {
        /// Who reseals (the technician's id), written to the journal.
        #[arg(long)]
        by: String,
    },
}

/// The lines `verify` prints, and whether the journal is intact.
fn verify_lines(report: &VerifyReport) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(broken) = &report.first_broken {
        lines.push(format!(
            "BROKEN at record {}: {} ({} records verified before it)",
            broken.seq, broken.reason, report.records
        ));
    }
    if !report.damage.is_empty() {
        lines.push(format!("DAMAGED: the database file fails integrity_check: {}", report.damage.join(" | ")));
    }
    match &report.head {
        HeadCheck::Unusable(why) => lines.push(format!("HEAD: {why}")),
        HeadCheck::Sealed(head) if report.is_intact() => lines.push(format!(
            "ok: {} records, chain intact, last hash {}; the sealed head (record {}, {} records) matches",
            report.records, report.last_hash, head.seq, head.records
        )),
        HeadCheck::NotSealed if report.is_intact() => lines.push(format!(
            "ok: {} records, chain intact, last hash {}; no sealed head yet (the kiosk seals it when it starts)",
            report.records, report.last_hash
        )),
        HeadCheck::Sealed(_) | HeadCheck::NotSealed => {}
    }
    lines
}

/// Runs one subcommand with the configuration at `config` (the embedded default when absent).
pub fn run(config: Option<&Path>, command: JournalCommand) -> ExitCode {
    let settings = match crate::cli::settings_or_exit(config) {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    let settings = &settings;
    let path = PathBuf::from(&settings.kiosk.data_dir).join(JOURNAL_FILE);
    let open = || {
        Journal::open_existing(&path).map_err(|err| {
            crate::cli::out::errln!("journal: cannot open {}: {err}", path.display());
            ExitCode::from(2)
        })
    };
    match command {
        JournalCommand::Verify => {
            let journal = match open() {
                Ok(journal) => journal,
                Err(code) => return code,
            };
            match journal.verify() {
                Ok(report) => {
                    for line in verify_lines(&report) {
                        crate::cli::out::outln!("{line}");
                    }
                    if report.is_intact() { ExitCode::SUCCESS } else { ExitCode::from(2) }
                }
                Err(err) => {
                    crate::cli::out::errln!("journal: {err}");
                    ExitCode::from(2)
                }
            }
        }
        JournalCommand::Export { from, to, format, out } => {
            if to < from {
                crate::cli::out::errln!("journal: --to {to} is before --from {from}");
                return ExitCode::from(2);
            }
            let format = match format {
                Format::Jsonl => ExportFormat::Jsonl,
                Format::Csv => ExportFormat::Csv,
            };
            let journal = match open() {
                Ok(journal) => journal,
                Err(code) => return code,
            };
            let result = match &out {
                Some(path) => std::fs::File::create(path)
                    .map_err(|err| format!("cannot create {}: {err}", path.display()))
                    .and_then(|file| {
                        let mut writer = std::io::BufWriter::new(file);
                        journal.export(from, to, format, &mut writer).map_err(|err| err.to_string())
                    }),
                None => journal.export(from, to, format, &mut crate::cli::out::Stdout).map_err(|err| err.to_string()),
            };
            match result {
                Ok(count) => {
                    crate::cli::out::errln!("exported {count} records");
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    crate::cli::out::errln!("journal: {err}");
                    ExitCode::from(2)
                }
            }
        }
        JournalCommand::Reseal { by } => match Journal::reseal(&path, chrono::Utc::now(), &by) {
            Ok(resealed) => {
                crate::cli::out::outln!(
                    "resealed: {}; the head is now record {} ({} records)",
                    resealed.previous,
                    resealed.head.seq,
                    resealed.head.records
                );
                ExitCode::SUCCESS
            }
            Err(err) => {
                crate::cli::out::errln!("journal: cannot reseal {}: {err}", path.display());
                ExitCode::from(2)
            }
        },
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

    /// A journal at `path` with three maintenance records of 21 Nov 2026.
    fn three_maintenance_records(path: &std::path::Path) -> Journal {
        let mut journal = Journal::open(path, 512).unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-21T15:00:00Z").unwrap().to_utc();
        for action in ["login", "paper", "logout"] {
            let event = JournalEvent::Maintenance {
                user: "tec01".into(),
                action: action.into(),
                detail: SafeText::new("ok").unwrap(),
            };
            journal.append(at, &event).unwrap();
        }
        journal
    }

    #[test]
    fn verify_exits_2_on_a_tampered_journal_and_export_writes_the_range() {
        let dir = tempfile::tempdir().unwrap();
        let config = config_for(dir.path());
        let path = dir.path().join(JOURNAL_FILE);
        let _journal = three_maintenance_records(&path);
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

    #[test]
    fn verify_exits_2_on_a_lost_or_truncated_journal_and_reseal_lets_the_kiosk_start_again() {
        let dir = tempfile::tempdir().unwrap();
        let config = config_for(dir.path());
        let path = dir.path().join(JOURNAL_FILE);
        let journal = three_maintenance_records(&path);
        let report = journal.verify().unwrap();
        assert!(verify_lines(&report)[0].contains("the sealed head (record 3, 3 records) matches"), "{report:?}");
        drop(journal);

        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq = 3;").unwrap();
        drop(conn);
        assert_eq!(run(Some(&config), JournalCommand::Verify), ExitCode::from(2));
        let report = Journal::open_existing(&path).unwrap().verify().unwrap();
        let lines = verify_lines(&report);
        assert!(lines[0].starts_with("BROKEN at record 3: record 3 is missing"), "{lines:?}");

        std::fs::remove_file(&path).unwrap();
        assert_eq!(run(Some(&config), JournalCommand::Verify), ExitCode::from(2), "a lost database");
        assert!(Journal::open(&path, 512).is_err());
        assert_eq!(run(Some(&config), JournalCommand::Reseal { by: "tec01".into() }), ExitCode::SUCCESS);
        assert!(Journal::open(&path, 512).is_ok());
        assert_eq!(run(Some(&config), JournalCommand::Verify), ExitCode::SUCCESS);
    }
}
