//! What the kiosk's metrics endpoint shows: at each scrape, the fleet agent's own snapshot — the status
//! report it would send now, its running totals and the central link — so the metrics and the report to the
//! central say the same facts.

use std::sync::Arc;

use chrono::Utc;
use servicaja_host::metrics::{CentralLink, MetricsSnapshot, SnapshotFn};
use servicaja_runtime::fleet::FleetAgent;

/// The snapshot closure for `servicaja run`; it runs on the metrics server's blocking thread, where
/// waiting on the runtime is allowed.
pub fn snapshot_source(fleet: FleetAgent, runtime: tokio::runtime::Handle) -> SnapshotFn {
    Arc::new(move || {
        let report = runtime.block_on(fleet.snapshot(Utc::now()));
        MetricsSnapshot {
            report,
            totals: fleet.totals(),
            central: CentralLink { reachable: fleet.central_reachable(), last_report_at: fleet.last_delivered() },
        }
    })
}
