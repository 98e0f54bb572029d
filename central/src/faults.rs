//! Fault injection per route, for tests and demos: added latency, an error rate, and drop-after-commit
//! (the work is done and stored, but the response never leaves).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// What to do to requests of one route (a path template such as `/v1/payments`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// Delay added before the request is handled.
    #[serde(default)]
    pub latency_ms: u64,
    /// Share of requests (0.0–1.0) refused with `fault_injected` before any work is done.
    #[serde(default)]
    pub error_rate: f64,
    /// Number of upcoming requests whose work is committed but whose connection is then closed without
    /// a response. `u32::MAX` keeps dropping.
    #[serde(default)]
    pub drop_after_commit: u32,
}

impl Fault {
    pub fn latency(duration: Duration) -> Self {
        Self { latency_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX), ..Self::default() }
    }

    pub fn error_rate(rate: f64) -> Self {
        Self { error_rate: rate.clamp(0.0, 1.0), ..Self::default() }
    }

    pub fn drop_after_commit(times: u32) -> Self {
        Self { drop_after_commit: times, ..Self::default() }
    }
}

/// The faults in force, shared by the server and the handle that sets them.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    by_route: Arc<Mutex<HashMap<String, Fault>>>,
}

/// What the fault layer decided for one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultDecision {
    pub latency: Duration,
    pub fail: bool,
    pub drop_after_commit: bool,
}

impl Faults {
    /// Sets (or replaces) the fault of a route; `route` is the path template, e.g. `/v1/payments`.
    pub fn set(&self, route: &str, fault: Fault) {
        self.lock().insert(route.to_owned(), fault);
    }

    pub fn clear(&self, route: &str) {
        self.lock().remove(route);
    }

    pub fn clear_all(&self) {
        self.lock().clear();
    }

    pub fn list(&self) -> HashMap<String, Fault> {
        self.lock().clone()
    }

    /// Decides the fate of one request; consumes one drop-after-commit if any is pending.
    pub fn decide(&self, route: &str, random_unit: f64) -> FaultDecision {
        let mut map = self.lock();
        let Some(fault) = map.get_mut(route) else {
            return FaultDecision { latency: Duration::ZERO, fail: false, drop_after_commit: false };
        };
        let fail = fault.error_rate > 0.0 && random_unit < fault.error_rate;
        let drop_after_commit = !fail && fault.drop_after_commit > 0;
        if drop_after_commit && fault.drop_after_commit != u32::MAX {
            fault.drop_after_commit -= 1;
        }
        FaultDecision { latency: Duration::from_millis(fault.latency_ms), fail, drop_after_commit }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Fault>> {
        self.by_route.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_after_commit_is_consumed_and_error_rate_uses_the_random_draw() {
        let faults = Faults::default();
        faults.set("/v1/payments", Fault::drop_after_commit(2));
        assert!(faults.decide("/v1/payments", 0.5).drop_after_commit);
        assert!(faults.decide("/v1/payments", 0.5).drop_after_commit);
        assert!(!faults.decide("/v1/payments", 0.5).drop_after_commit);
        assert!(!faults.decide("/v1/otps", 0.0).fail, "other routes are untouched");

        faults.set("/v1/otps", Fault::error_rate(0.25));
        assert!(faults.decide("/v1/otps", 0.1).fail);
        assert!(!faults.decide("/v1/otps", 0.3).fail);
        faults.set("/v1/otps", Fault { error_rate: 1.0, drop_after_commit: 1, ..Fault::default() });
        let decision = faults.decide("/v1/otps", 0.99);
        assert!(decision.fail && !decision.drop_after_commit, "a refused request commits nothing to drop");
        faults.clear_all();
        assert!(faults.list().is_empty());
    }
}
