//! The kiosk's tracing logs: to stdout and to daily files `<data_dir>/logs/servicaja.YYYY-MM-DD.log`, which
//! the maintenance export copies to the technician's USB stick.
//!
//! The files are written by `tracing-appender`'s non-blocking worker thread, so a slow disk never holds up
//! the UI or the runtime; the worker is lossy when its buffer is full (a burst of logs is dropped rather than
//! block the kiosk). Its guard must live as long as the process, or the last lines are lost: `servicaja run`
//! keeps it in `main`'s frame until the kiosk returns. The days roll over at UTC midnight and only the newest
//! [`KEPT_LOG_FILES`] files are kept. Nothing here masks: the code that logs never logs a secret (card
//! numbers are masked, OTPs and claves are not logged at all).

use std::path::{Path, PathBuf};

use tracing::Subscriber;
use tracing_appender::non_blocking::{NonBlocking, WorkerGuard};
use tracing_appender::rolling::{Builder, InitError, Rotation};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

/// The folder of the log files under the kiosk's data directory.
pub const LOG_DIR: &str = "logs";
/// The file names: `servicaja.2026-11-21.log`.
const FILE_PREFIX: &str = "servicaja";
const FILE_SUFFIX: &str = "log";
/// How many daily files are kept (older ones are deleted as a new day starts).
pub const KEPT_LOG_FILES: usize = 30;
/// The filter when `RUST_LOG` is unset or unreadable.
const DEFAULT_FILTER: &str = "info";

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot create the log folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
    #[error("cannot open the log files in {path}: {source}")]
    Files { path: String, source: InitError },
}

/// The folder of the log files for `data_dir`.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(LOG_DIR)
}

/// The filter: `directives` (the value of `RUST_LOG`) when given and valid, `info` otherwise.
pub fn filter(directives: Option<&str>) -> EnvFilter {
    directives
        .filter(|d| !d.trim().is_empty())
        .and_then(|d| EnvFilter::try_new(d).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER))
}

/// The non-blocking writer to the daily files in `<data_dir>/logs/`, and the guard that flushes it.
pub fn file_writer(data_dir: &Path) -> Result<(NonBlocking, WorkerGuard), LogError> {
    let dir = log_dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(|source| LogError::Folder { path: dir.display().to_string(), source })?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix(FILE_SUFFIX)
        .max_log_files(KEPT_LOG_FILES)
        .build(&dir)
        .map_err(|source| LogError::Files { path: dir.display().to_string(), source })?;
    Ok(tracing_appender::non_blocking(appender))
}

/// The kiosk's subscriber: `filter` over a console layer on `console` and a plain-text layer (no colour
/// codes) on `file`.
pub fn subscriber<C>(filter: EnvFilter, console: C, file: NonBlocking) -> impl Subscriber + Send + Sync
where
    C: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_writer(console))
        .with(fmt::layer().with_ansi(false).with_writer(file))
}

/// Installs the kiosk's logging for the process: stdout and the daily files under `<data_dir>/logs/`, with
/// `RUST_LOG` or `info`. Returns the guard to keep until the process ends. When the files cannot be opened
/// the kiosk still logs to stdout, and the problem is the first thing logged.
pub fn init(data_dir: &Path) -> Option<WorkerGuard> {
    let directives = std::env::var("RUST_LOG").ok();
    match file_writer(data_dir) {
        Ok((file, guard)) => {
            let _ = subscriber(filter(directives.as_deref()), std::io::stdout, file).try_init();
            Some(guard)
        }
        Err(err) => {
            let _ = tracing_subscriber::fmt().with_env_filter(filter(directives.as_deref())).try_init();
            tracing::error!("logging to stdout only: {err}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_files(data_dir: &Path) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> =
            std::fs::read_dir(log_dir(data_dir)).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort();
        files
    }

    #[test]
    fn the_kiosk_logs_land_in_a_daily_file_under_the_data_dir_at_info_by_default() {
        let dir = tempfile::tempdir().unwrap();
        let (file, guard) = file_writer(dir.path()).unwrap();
        let subscriber = subscriber(filter(None), std::io::sink, file);
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(kiosk = "KSK-TAC-001", "the kiosk started");
            tracing::debug!("a debug line the default filter drops");
        });
        drop(guard); // flushes the worker
        let files = log_files(dir.path());
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
        let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
        assert!(name == format!("servicaja.{today}.log"), "{name}");
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("the kiosk started") && text.contains("KSK-TAC-001"), "{text}");
        assert!(!text.contains("debug line"), "{text}");
        assert!(!text.contains('\u{1b}'), "no colour codes in the file: {text:?}");
    }

    #[test]
    fn rust_log_overrides_the_default_filter_and_a_bad_value_falls_back_to_info() {
        assert_eq!(filter(None).to_string(), "info");
        assert_eq!(filter(Some("  ")).to_string(), "info");
        assert_eq!(filter(Some("debug")).to_string(), "debug");
        assert_eq!(filter(Some("servicaja=[[bad")).to_string(), "info");
    }

    #[test]
    fn the_export_copies_the_files_the_kiosk_logged_to() {
        use chrono::TimeZone;
        let dir = tempfile::tempdir().unwrap();
        let mut settings = servicaja_core::settings::Settings::default();
        settings.kiosk.data_dir = dir.path().join("var").display().to_string();
        settings.maintenance.export_dir = dir.path().join("usb").display().to_string();
        let (file, guard) = file_writer(Path::new(&settings.kiosk.data_dir)).unwrap();
        tracing::subscriber::with_default(subscriber(filter(None), std::io::sink, file), || {
            tracing::warn!("printer paper low");
        });
        drop(guard);
        let journal = servicaja_host::journal::Journal::open(&dir.path().join("var/journal.sqlite"), 64).unwrap();
        let at = chrono::Utc.with_ymd_and_hms(2026, 11, 21, 15, 0, 0).unwrap();
        let exported = servicaja_runtime::export::export(&settings, &journal, at).unwrap();
        let copied: Vec<_> = exported.files.iter().filter(|f| f.extension().is_some_and(|e| e == "log")).collect();
        assert_eq!(copied.len(), 1, "{:?}", exported.files);
        assert!(std::fs::read_to_string(copied[0]).unwrap().contains("printer paper low"));
    }
}
