//! Integration tests of the drivers: byte-exact ESC/POS, status decoding, drivers against their
//! emulators over real pseudo-terminals, and property tests of every decoder.

mod completion;
mod config_and_png;
mod devsim;
mod paper_usage;
mod props;
mod pty_devices;
mod status_bits;
mod voice;
