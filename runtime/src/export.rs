//! Log and journal export to `maintenance.export_dir` (a USB stick mount in real life): one folder per
//! export named after the kiosk and the instant, holding the whole journal as JSON lines and a copy of
//! the log files in `<data_dir>/logs`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use servicaja_core::settings::Settings;
use servicaja_host::journal::{ExportFormat, Journal, JournalError, peru_offset};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write to {path}: {source} (is the USB stick mounted and writable?)")]
    Io { path: String, source: std::io::Error },
    #[error("the journal: {0}")]
    Journal(#[from] JournalError),
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub folder: PathBuf,
    pub journal_records: u64,
    pub files: Vec<PathBuf>,
}

/// Exports the journal and the logs at `now`.
pub fn export(settings: &Settings, journal: &Journal, now: DateTime<Utc>) -> Result<Exported, ExportError> {
    let stamp = now.with_timezone(&peru_offset()).format("%Y%m%d-%H%M%S");
    let folder = Path::new(&settings.maintenance.export_dir).join(format!("{}-{stamp}", settings.kiosk.id));
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| ExportError::Io { path, source }
    };
    std::fs::create_dir_all(&folder).map_err(io(&folder))?;
    let journal_path = folder.join("journal.jsonl");
    let mut out = std::fs::File::create(&journal_path).map_err(io(&journal_path))?;
    let first = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN);
    let today = now.with_timezone(&peru_offset()).date_naive();
    let journal_records = journal.export(first, today, ExportFormat::Jsonl, &mut out)?;
    out.sync_all().map_err(io(&journal_path))?;
    let mut files = vec![journal_path];
    let logs = Path::new(&settings.kiosk.data_dir).join("logs");
    if let Ok(entries) = std::fs::read_dir(&logs) {
        for entry in entries.flatten().filter(|e| e.path().is_file()) {
            let target = folder.join(entry.file_name());
            std::fs::copy(entry.path(), &target).map_err(io(&target))?;
            files.push(target);
        }
    }
    Ok(Exported { folder, journal_records, files })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use servicaja_host::journal::{JournalEvent, SafeText};

    #[test]
    fn the_journal_and_the_logs_land_in_a_folder_of_the_export_dir() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        settings.kiosk.data_dir = dir.path().join("var").display().to_string();
        settings.maintenance.export_dir = dir.path().join("usb").display().to_string();
        std::fs::create_dir_all(dir.path().join("var/logs")).unwrap();
        std::fs::write(dir.path().join("var/logs/kiosk.log"), "started\n").unwrap();
        let mut journal = Journal::open(&dir.path().join("var/journal.sqlite"), 64).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 15, 0, 0).unwrap();
        let event = JournalEvent::Maintenance {
            user: "T01".into(),
            action: "login".into(),
            detail: SafeText::new("").unwrap(),
        };
        journal.append(at, &event).unwrap();
        let exported = export(&settings, &journal, at).unwrap();
        assert_eq!(exported.folder, dir.path().join("usb/KSK-TAC-001-20261121-100000"));
        assert_eq!(exported.journal_records, 1);
        let lines = std::fs::read_to_string(exported.folder.join("journal.jsonl")).unwrap();
        assert!(lines.contains("\"user\":\"T01\""), "{lines}");
        assert_eq!(std::fs::read_to_string(exported.folder.join("kiosk.log")).unwrap(), "started\n");
    }
}
