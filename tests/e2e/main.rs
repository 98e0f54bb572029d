//! End-to-end tests of the kiosk's runtime: a `Session` driven by scripted touches against the real
//! components — the central simulator on loopback TLS, the device emulators on pseudo-terminals, the
//! serial drivers, the host client, the SQLite outbox and journal in temporary directories — with the
//! session's clock injected (timers are fired by moving it, never by sleeping).

mod documents;
mod fleet;
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
