//! Headless tests of the kiosk's screens: Slint's testing backend, the real session state machine, and the
//! scripted fake central of `src/ui/fixtures.rs`. Touches go through the elements' accessible labels, as a
//! screen reader would press them.

#[allow(dead_code, unreachable_pub, clippy::all)]
#[path = "../../src/ui/mod.rs"]
mod ui;

/// The staff reprint service (and the paper counter it updates), which the runtime's journal thread and the
/// reprint page call, at the paths the application has them (`crate::maintenance::{paper, reprint}`).
#[allow(dead_code, unreachable_pub, clippy::all)]
#[path = "../../src/maintenance/paper.rs"]
mod paper;
#[allow(dead_code, unreachable_pub, clippy::all)]
#[path = "../../src/maintenance/reprint.rs"]
mod reprint_service;
mod maintenance {
    pub(crate) use super::paper;
    pub(crate) use super::reprint_service as reprint;
}

mod flows;
mod maintenance_mode;
mod reprint;
mod gaps;
mod translations;
