//! Integration tests of the session machine: every flow driven through `Session::handle` with a simulated
//! clock and deterministic ids; no window, no port, no network.

mod audio;
mod coverage;
mod harness;
mod identify;
mod inactivity;
mod internet;
mod others;
mod payflow;
mod payment;
mod props;
mod receipt;
