//! `servicaja maintenance certs|export|paper`: the technician's command-line view of the certificates'
//! expiry, the log and journal export, and the paper counter (with "roll replaced", journaled).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::Utc;
use clap::Subcommand;
use servicaja_host::journal::{JOURNAL_FILE, Journal, JournalEvent, SafeText};

use crate::cli::out::{errln, outln};
use servicaja_runtime::certs::expiries_from_file;
use servicaja_runtime::export::export;
use servicaja_runtime::paper::PaperStore;

#[derive(Debug, Subcommand)]
pub enum MaintenanceCommand {
    /// Expiry of the kiosk's client certificate and of the pinned CA (warns 30 days ahead).
    Certs,
    /// Copy the journal (JSON lines) and the logs to `maintenance.export_dir`.
    Export {
        /// The technician's id, journaled with the export.
        #[arg(long)]
        by: String,
    },
    /// Receipts and paper printed since the last roll change and the estimate of paper left.
    Paper {
        /// A new roll went in: start the count again (journaled with --by).
        #[arg(long, requires = "by")]
        roll_replaced: bool,
        #[arg(long)]
        by: Option<String>,
    },
}

pub fn run(config: Option<&Path>, command: MaintenanceCommand) -> ExitCode {
    let settings = match crate::cli::settings_or_exit(config) {
        Ok(settings) => settings,
        Err(code) => return code,
    };
    let now = Utc::now();
    let data_dir = PathBuf::from(&settings.kiosk.data_dir);
    let result: Result<(), String> = match command {
        MaintenanceCommand::Certs => {
            let files = [("client_cert", &settings.host.client_cert), ("ca_cert", &settings.host.ca_cert)];
            for (key, path) in files.into_iter().filter(|(_, path)| !path.is_empty()) {
                match expiries_from_file(Path::new(path), now) {
                    Ok(found) => {
                        for cert in found {
                            outln!("host.{key}: {} expires {} — {:?}", cert.subject, cert.not_after, cert.status);
                        }
                    }
                    Err(err) => outln!("host.{key}: {err}"),
                }
            }
            Ok(())
        }
        MaintenanceCommand::Export { by } => open_journal(&data_dir).and_then(|mut journal| {
            let exported = export(&settings, &journal, now).map_err(|err| err.to_string())?;
            let detail = format!("{} records to {}", exported.journal_records, exported.folder.display());
            journal_action(&mut journal, &by, "export_logs", &detail)?;
            outln!("{detail}");
            Ok(())
        }),
        MaintenanceCommand::Paper { roll_replaced, by } => {
            PaperStore::open(&data_dir).map_err(|err| err.to_string()).and_then(|mut store| {
                if roll_replaced {
                    store.roll_replaced(now).map_err(|err| err.to_string())?;
                    let mut journal = open_journal(&data_dir)?;
                    journal_action(&mut journal, by.as_deref().unwrap_or("-"), "replace_paper_roll", "")?;
                }
                let estimate = store.estimate(settings.printer.roll_length_mm);
                let since = store.counter().roll_replaced_at.map_or("the first use".to_owned(), |at| at.to_rfc3339());
                outln!(
                    "{} receipts, {} mm printed since {since}; about {} mm ({}%) left{}",
                    estimate.receipts,
                    estimate.printed_mm,
                    estimate.left_mm,
                    estimate.left_percent,
                    if estimate.low { " — LOW: have a new roll ready" } else { "" }
                );
                Ok(())
            })
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            errln!("maintenance: {err}");
            ExitCode::from(2)
        }
    }
}

fn open_journal(data_dir: &Path) -> Result<Journal, String> {
    let path = data_dir.join(JOURNAL_FILE);
    Journal::open_existing(&path).map_err(|err| format!("cannot open the journal {}: {err}", path.display()))
}

fn journal_action(journal: &mut Journal, user: &str, action: &str, detail: &str) -> Result<(), String> {
    let detail = SafeText::new(detail).map_err(|err| err.to_string())?;
    let event = JournalEvent::Maintenance { user: user.to_owned(), action: action.to_owned(), detail };
    journal.append(Utc::now(), &event).map(|_| ()).map_err(|err| err.to_string())
}
