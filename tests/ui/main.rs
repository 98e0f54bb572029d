//! Headless tests of the kiosk's screens: Slint's testing backend, the real session state machine, and
//! either the scripted fake central of `servicaja_ui::fixtures` (`flows`) or the whole kiosk wired as
//! `servicaja run` wires it — runtime, drivers on emulated devices, central simulator on loopback TLS
//! (`live`, `live_flows`). Touches go through the elements' accessible labels, as a screen reader would press
//! them.
//!
//! The live tests live here rather than in the e2e binary: this binary already links the window
//! (`servicaja-ui`), and with it the runtime.

#[allow(dead_code)]
#[path = "../common/stack.rs"]
mod stack;

mod documents;
mod flows;
mod gaps;
mod keypad;
mod layout;
mod live;
mod live_flows;
mod maintenance_mode;
mod money;
mod other_flows;
mod payment_screens;
mod reach;
mod reprint;
mod screens;
mod translations;
