//! Headless tests of the kiosk's screens: Slint's testing backend, the real session state machine, and
//! either the scripted fake central of `src/ui/fixtures.rs` (`flows`) or the whole kiosk wired as
//! `servicaja run` wires it — runtime, drivers on emulated devices, central simulator on loopback TLS
//! (`live`, `live_flows`). Touches go through the elements' accessible labels, as a screen reader would press
//! them.
//!
//! The live tests live here rather than in the e2e binary: this binary already compiles the Slint UI, and
//! adding the runtime to it costs far less than compiling the generated UI a second time.

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

/// The command-line output helpers that the configuration loader and the screenshot renderer print through.
#[allow(dead_code, unreachable_pub)]
#[path = "../../src/cli_out.rs"]
mod cli_out;

/// The kiosk's configuration (the embedded `config/kiosk.toml`), as `servicaja run` loads it.
#[allow(dead_code, unreachable_pub)]
#[path = "../../src/config.rs"]
mod config;

/// The runtime: the window's controller uses it as its effect sink (the live tests).
#[path = "../../src/runtime/mod.rs"]
mod runtime;

#[allow(dead_code)]
#[path = "../common/stack.rs"]
mod stack;

mod documents;
mod flows;
mod gaps;
mod layout;
mod live;
mod live_flows;
mod maintenance_mode;
mod money;
mod other_flows;
mod payment_screens;
mod reprint;
mod screens;
mod translations;
