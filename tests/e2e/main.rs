//! End-to-end tests of the kiosk's runtime: a `Session` driven by scripted touches against the real
//! components — the central simulator on loopback TLS, the device emulators on pseudo-terminals, the
//! serial drivers, the host client, the SQLite outbox and journal in temporary directories — with the
//! session's clock injected (timers are fired by moving it, never by sleeping).

#[path = "../../src/runtime/mod.rs"]
mod runtime;

mod flows;
mod gaps;
mod world;
