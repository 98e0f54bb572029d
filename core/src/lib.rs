//! ServiCaja's pure domain core: the caja's rules as data and functions, shared by the kiosk and the
//! central API simulator.
//!
//! Architecture invariant: nothing in this crate performs I/O, reads the clock or a random source, or
//! panics on any input. Time, dates and identifiers always come in as arguments.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod api;
pub mod calendar;
pub mod channels;
pub mod disclosures;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod identity;
pub mod loans;
pub mod money;
pub mod reach;
pub mod settings;
