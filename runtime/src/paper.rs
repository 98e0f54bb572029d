//! The paper counter persisted as `paper.json` in the data directory, rewritten whole after each job
//! (temporary file + fsync + rename, so a power cut leaves the old or the new figures, never a torn file).
//! A file rather than SQLite: only the outbox and the journal own databases (architecture invariant), and
//! the counter is one small record; roll changes are also journaled for the audit trail.
//!
//! Several threads update it (the runtime's printer after each job, the journal thread after a reprint,
//! the maintenance desk's "roll replaced"), each with a `PaperStore` of its own: every update therefore
//! re-reads the file and writes it back under one process-wide lock, so that no update is lost to another
//! made between a read and a write.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

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

/// Held around each read-modify-write of a counter file (all data directories share it: updates are rare).
static UPDATES: Mutex<()> = Mutex::new(());

fn updating() -> MutexGuard<'static, ()> {
    // A thread that panicked while holding the lock left the file whole (it is replaced by a rename).
    UPDATES.lock().unwrap_or_else(PoisonError::into_inner)
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
        let counter = read(&path)?;
        Ok(Self { path, counter })
    }

    pub fn counter(&self) -> PaperCounter {
        self.counter
    }

    pub fn estimate(&self, roll_length_mm: u32) -> PaperEstimate {
        self.counter.estimate(roll_length_mm)
    }

    /// A job of `length_mm` printed.
    /// A job of `length_mm` printed: added to the figures on disk (which another thread may have changed
    /// since this store was opened).
    pub fn record_print(&mut self, length_mm: u32) -> Result<(), PaperStoreError> {
        self.update(|counter| counter.record_print(length_mm))
    }

    pub fn roll_replaced(&mut self, at: DateTime<Utc>) -> Result<(), PaperStoreError> {
        self.update(|counter| counter.roll_replaced(at))
    }

    /// Reads the file, applies `change` and writes it back, all under the process-wide lock.
    fn update(&mut self, change: impl FnOnce(&mut PaperCounter)) -> Result<(), PaperStoreError> {
        let _updating = updating();
        let mut next = read(&self.path)?;
        change(&mut next);
        self.save(next)
    }

    fn save(&mut self, next: PaperCounter) -> Result<(), PaperStoreError> {
        let error = |source| PaperStoreError::Write { path: self.path.display().to_string(), source };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(error)?;
        // Named after the process, so that the command-line tool and the kiosk never share a temporary file.
        let temporary = self.path.with_extension(format!("json.{}.tmp", std::process::id()));
        let bytes = serde_json::to_vec(&next).map_err(|err| error(std::io::Error::other(err)))?;
        let mut file = std::fs::File::create(&temporary).map_err(error)?;
        file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(error)?;
        std::fs::rename(&temporary, &self.path).map_err(error)?;
        // The rename itself reaches the disk with the directory.
        #[cfg(unix)]
        std::fs::File::open(dir).and_then(|dir| dir.sync_all()).map_err(error)?;
        self.counter = next;
        Ok(())
    }
}

/// The counter in `path`; a missing file or one that is not the counter's JSON is zero.
fn read(path: &Path) -> Result<PaperCounter, PaperStoreError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).unwrap_or_else(|err| {
            tracing::warn!(path = %path.display(), %err, "paper counter unreadable; starting from zero");
            PaperCounter::default()
        })),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(PaperCounter::default()),
        Err(source) => Err(PaperStoreError::Read { path: path.display().to_string(), source }),
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
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names, [PAPER_FILE], "no temporary file is left behind");
    }

    #[test]
    fn concurrent_updates_from_several_threads_are_all_counted() {
        let dir = tempfile::tempdir().unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
        PaperStore::open(dir.path()).unwrap().roll_replaced(at).unwrap();
        std::thread::scope(|scope| {
            for thread in 0..6 {
                let dir = dir.path();
                scope.spawn(move || {
                    // Half the threads keep one store, as the journal thread does; the others open one per
                    // job, as the printer does. Both read their figures before the others' writes.
                    let mut kept = PaperStore::open(dir).unwrap();
                    for _ in 0..20 {
                        if thread % 2 == 0 {
                            kept.record_print(10).unwrap();
                        } else {
                            PaperStore::open(dir).unwrap().record_print(10).unwrap();
                        }
                    }
                });
            }
        });
        let counter = PaperStore::open(dir.path()).unwrap().counter();
        assert_eq!(counter, PaperCounter { receipts: 120, printed_mm: 1_200, roll_replaced_at: Some(at) });
    }

    #[test]
    fn a_store_opened_before_a_roll_change_does_not_bring_the_old_roll_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut printer = PaperStore::open(dir.path()).unwrap();
        printer.record_print(500).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
        PaperStore::open(dir.path()).unwrap().roll_replaced(at).unwrap();
        printer.record_print(100).unwrap();
        assert_eq!(printer.counter(), PaperCounter { receipts: 1, printed_mm: 100, roll_replaced_at: Some(at) });
    }

    #[test]
    fn a_damaged_file_starts_from_zero() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(PAPER_FILE), b"{not json").unwrap();
        assert_eq!(PaperStore::open(dir.path()).unwrap().counter(), PaperCounter::default());
    }
}
