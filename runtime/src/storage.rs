//! The kiosk's storage health: whether the outbox and the journal can be trusted with another operation.
//! A write that failed (sticky until a technician restarts the kiosk) or free space below the configured
//! reserve takes the kiosk out of service before more money moves (`Event::Storage`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use servicaja_session::Event;
use servicaja_session::state::StorageProblem;

use super::EventSink;

#[derive(Default)]
struct State {
    write_failed: Option<String>,
    low_space: bool,
    told: Option<StorageProblem>,
}

/// Shared by the outbox watch, the journal thread and the free-space watch; tells the session when the
/// combined problem changes.
#[derive(Clone)]
pub struct StorageHealth {
    state: Arc<Mutex<State>>,
    sink: EventSink,
}

impl StorageHealth {
    pub fn new(sink: EventSink) -> StorageHealth {
        StorageHealth { state: Arc::new(Mutex::new(State::default())), sink }
    }

    fn update(&self, change: impl FnOnce(&mut State)) {
        let problem = {
            let mut state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            change(&mut state);
            let problem = if state.write_failed.is_some() {
                Some(StorageProblem::WriteFailed)
            } else if state.low_space {
                Some(StorageProblem::LowSpace)
            } else {
                None
            };
            if problem == state.told {
                return;
            }
            state.told = problem;
            problem
        };
        (self.sink)(Event::Storage { problem });
    }

    /// A write to the outbox or the journal failed: out of service until restarted.
    pub fn write_failed(&self, what: &str, reason: String) {
        tracing::error!(what, %reason, "storage: a write failed; the kiosk goes out of service (technician reason: disk)");
        self.update(|state| {
            state.write_failed.get_or_insert(format!("{what}: {reason}"));
        });
    }

    pub fn set_low_space(&self, low: bool) {
        self.update(|state| state.low_space = low);
    }

    /// Whether a new operation may be stored now.
    pub fn accepts_operations(&self) -> bool {
        let state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        state.write_failed.is_none() && !state.low_space
    }

    /// Why not, for technicians (`None` when healthy).
    pub fn reason(&self) -> Option<String> {
        let state = self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        state.write_failed.clone().or_else(|| state.low_space.then(|| "free space below the reserve".to_owned()))
    }
}

/// Watches the data directory's free space against `reserve_bytes`, every `every`.
pub async fn watch_free_space(health: StorageHealth, data_dir: PathBuf, reserve_bytes: u64, every: Duration) {
    loop {
        let dir = data_dir.clone();
        let free = tokio::task::spawn_blocking(move || servicaja_host::disk::free_bytes(&dir)).await;
        match free {
            Ok(Ok(free)) => {
                if free < reserve_bytes {
                    tracing::warn!(free, reserve_bytes, "storage: free space below the reserve");
                }
                health.set_low_space(free < reserve_bytes);
            }
            Ok(Err(err)) => tracing::warn!(%err, "storage: free space cannot be read"),
            Err(_) => return,
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_hears_only_changes_and_a_failed_write_outranks_low_space_until_restart() {
        let heard: Arc<Mutex<Vec<Option<StorageProblem>>>> = Arc::default();
        let sink_heard = heard.clone();
        let health = StorageHealth::new(Arc::new(move |event| {
            if let Event::Storage { problem } = event {
                sink_heard.lock().unwrap().push(problem);
            }
        }));
        assert!(health.accepts_operations());
        health.set_low_space(true);
        health.set_low_space(true);
        assert!(!health.accepts_operations());
        health.write_failed("journal", "disk I/O error".into());
        health.set_low_space(false);
        health.write_failed("outbox", "database or disk is full".into());
        assert!(!health.accepts_operations(), "a failed write stays until a technician restarts the kiosk");
        assert_eq!(health.reason().as_deref(), Some("journal: disk I/O error"), "the first cause is kept");
        assert_eq!(
            *heard.lock().unwrap(),
            [Some(StorageProblem::LowSpace), Some(StorageProblem::WriteFailed)],
            "one event per change"
        );
    }
}
