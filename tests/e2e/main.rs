//! End-to-end tests of the kiosk's runtime: a `Session` driven by scripted touches against the real
//! components — the central simulator on loopback TLS, the device emulators on pseudo-terminals, the
//! serial drivers, the host client, the SQLite outbox and journal in temporary directories — with the
//! session's clock injected (timers are fired by moving it, never by sleeping).

#[path = "../../src/runtime/mod.rs"]
mod runtime;

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

mod documents;
mod flows;
mod gaps;
mod model;
mod reprint;
mod storage;
// The ui binary uses the rest (the window-driven flows).
#[allow(dead_code)]
#[path = "../common/stack.rs"]
mod stack;
mod world;
