//! Headless tests of the kiosk's screens: Slint's testing backend, the real session state machine, and the
//! scripted fake central of `src/ui/fixtures.rs`. Touches go through the elements' accessible labels, as a
//! screen reader would press them.

#[allow(dead_code, unreachable_pub, clippy::all)]
#[path = "../../src/ui/mod.rs"]
mod ui;

mod flows;
mod gaps;
mod translations;
