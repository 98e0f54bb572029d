//! The pure core of the kiosk's maintenance mode (technicians) and receipt reprints (staff): the hidden
//! gesture, the access state machine (id + PIN, lockout, roles, re-authentication after idle, "enter
//! pending" while a customer is served), paper accounting, the certificate expiry policy, the reprint
//! rules and the verdicts of the pre-flight check (`doctor`). Every entry, exit and action yields a [`JournalEntry`] value for the shell to write.
//!
//! Architecture invariant: this crate does no I/O, never reads the clock or a random source (instants are
//! inputs; PIN verification is injected through [`PinVerifier`]) and never panics on any input.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod access;
pub mod certs;
pub mod doctor;
pub mod gesture;
pub mod journal;
pub mod paper;
pub mod reprint;

pub use access::{
    Access, AccessPolicy, AccessState, Action, Authorized, LoginOutcome, PinFormatError, PinVerifier, Refusal,
    check_pin_format, permits,
};
pub use certs::{CertStatus, WARN_DAYS, cert_status};
pub use gesture::{Corner, GestureDetector};
pub use journal::JournalEntry;
pub use paper::{PaperCounter, PaperEstimate};
pub use reprint::{
    CriteriaError, OriginalReceipt, ReprintCriteria, ReprintDecision, ReprintRefusal, Requester, ValidCriteria,
    decide_reprint, operation_key, operation_like_pattern, operation_matches,
};
pub use servicaja_core::settings::Role;
