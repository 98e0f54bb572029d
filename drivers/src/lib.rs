//! ServiCaja's device drivers — receipt printer (ESC/POS), magnetic card reader, MRZ document reader —
//! generic over their byte transport, and emulators that speak the same bytes on pseudo-terminals.
//!
//! `voice` is the speech engine's shell (espeak-ng as a child process) for audio mode.
//!
//! Architecture invariant: only this crate touches serial ports. Decoders (`rt_status`, `code_pages`, the
//! reader framers) are pure and never panic on any input; I/O lives in the drivers' thread loops.

pub mod code_pages;
pub mod completion;
pub mod devices;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod framing;
pub mod paper_usage;
pub mod printer;
#[cfg(feature = "emulator")]
pub mod pty;
pub mod readers;
pub mod rt_status;
pub mod status;
pub mod transport;
pub mod voice;
