//! The paper counter persisted as `paper.json` in the data directory, rewritten whole after each job
//! (temporary file + fsync + rename, so a power cut leaves the old or the new figures, never a torn file).
//! A file rather than SQLite: only the outbox and the journal own databases (architecture invariant), and
//! the counter is one small record; roll changes are also journaled for the audit trail.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use servicaja_maintenance::{PaperCounter, PaperEstimate};

pub const PAPER_FILE: &str = "paper.json";

#[derive(Debug, thiserror::Error)]
pub enum PaperStoreError {
    #[error("the paper counter {path} cannot be written: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("the paper counter {path} cannot be read: {source}")]
    Read { path: String, source: std::io::Error },
}

/// The counter of the roll in the printer, on disk.
#[derive(Debug)]
pub struct PaperStore {
    path: PathBuf,
    counter: PaperCounter,
}

impl PaperStore {
    /// Opens the counter in `data_dir`; a missing or unreadable-as-JSON file starts from zero (the
    /// technician then presses "roll replaced" after putting in a new roll).
    pub fn open(data_dir: &Path) -> Result<Self, PaperStoreError> {
        let path = data_dir.join(PAPER_FILE);
        let counter = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|err| {
                tracing::warn!(path = %path.display(), %err, "paper counter unreadable; starting from zero");
                PaperCounter::default()
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => PaperCounter::default(),
            Err(source) => return Err(PaperStoreError::Read { path: path.display().to_string(), source }),
        };
        Ok(Self { path, counter })
    }

    pub fn counter(&self) -> PaperCounter {
        self.counter
    }

    pub fn estimate(&self, roll_length_mm: u32) -> PaperEstimate {
        self.counter.estimate(roll_length_mm)
    }

    /// A job of `length_mm` printed.
    pub fn record_print(&mut self, length_mm: u32) -> Result<(), PaperStoreError> {
        let mut next = self.counter;
        next.record_print(length_mm);
        self.save(next)
    }

    pub fn roll_replaced(&mut self, at: DateTime<Utc>) -> Result<(), PaperStoreError> {
        let mut next = self.counter;
        next.roll_replaced(at);
        self.save(next)
    }

    fn save(&mut self, next: PaperCounter) -> Result<(), PaperStoreError> {
        let error = |source| PaperStoreError::Write { path: self.path.display().to_string(), source };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(error)?;
        }
        let temporary = self.path.with_extension("json.tmp");
        let bytes = serde_json::to_vec(&next).map_err(|err| error(std::io::Error::other(err)))?;
        let mut file = std::fs::File::create(&temporary).map_err(error)?;
        file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(error)?;
        std::fs::rename(&temporary, &self.path).map_err(error)?;
        self.counter = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_counter_survives_a_restart_and_resets_on_a_new_roll() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = PaperStore::open(dir.path()).unwrap();
        store.record_print(120).unwrap();
        store.record_print(80).unwrap();
        let reopened = PaperStore::open(dir.path()).unwrap();
        assert_eq!((reopened.counter().receipts, reopened.counter().printed_mm), (2, 200));
        assert_eq!(reopened.estimate(80_000).left_mm, 79_800);
        let mut reopened = reopened;
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
        reopened.roll_replaced(at).unwrap();
        let again = PaperStore::open(dir.path()).unwrap();
        assert_eq!(again.counter(), PaperCounter { receipts: 0, printed_mm: 0, roll_replaced_at: Some(at) });
        assert!(!dir.path().join("paper.json.tmp").exists());
    }

    #[test]
    fn a_damaged_file_starts_from_zero() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(PAPER_FILE), b"{not json").unwrap();
        assert_eq!(PaperStore::open(dir.path()).unwrap().counter(), PaperCounter::default());
    }
}
