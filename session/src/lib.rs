//! The customer session of the ServiCaja kiosk as a pure state machine (sans-IO): every flow a customer
//! walks through — attract, identification (R1), menu, balances, loan payment (R5–R9), internet purchases
//! (R2–R4), constancias (R10), requests (R11), clave enrollment (R12), información (R13), out of service —
//! as explicit nested enums, driven by [`Session::handle`] (or [`step`]) with one [`Event`] and the
//! current time, answering with [`Effect`]s as values.
//!
//! How a shell drives it (the UI adapters and the tokio services in `src/`):
//! - feed every touch, device reading, device status, host status, central answer and timer as an
//!   [`Event`] to [`Session::handle`] with the current time and a [`Supply`] of fresh ids and keypad seeds;
//! - carry out the returned [`Effect`]s in order: `Query` → host client, `Submit` → outbox (key =
//!   idempotency key, `credentials` kept in memory only), `Print` → printer, `StartTimer`/`CancelTimer` →
//!   one timer per [`Timer`] kind, `Journal` → journal, `Render` → refresh the views from
//!   [`Session::screen`] and the other getters, `SessionEnded` → drop anything cached for the customer;
//! - answer each query or interactive command with `Event::Central { request, answer }`; answers the
//!   session no longer waits for are ignored.
//!
//! Architecture invariant: this crate does no I/O, never reads the clock or a random source (time comes in
//! as `now`; ids and keypad shuffles come from a [`Supply`]), and never panics on any input. Card numbers,
//! claves, OTPs and the session token live in zeroizing types, are wiped at every session end and are never
//! printed by `Debug`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod audio;
pub mod contract;
pub mod effect;
pub mod event;
mod flows;
pub mod keypad;
mod machine;
pub mod secret;
pub mod state;

pub use audio::{Audio, AudioConfig, Choice, Cue, KeypadKey, KeypadPage, Paging, Typing};
pub use contract::{Answer, Command, Credentials, ErrorCode, Failure, Problem, Query, Reply};
pub use effect::{Document, Effect, EndReason, JournalEntry, PaymentContext};
pub use event::{
    Action, DeliveryChoice, Device, DeviceStatus, Event, InfoTopic, Key, MenuItem, PaperStatus, PrintOutcome, Reader,
    RequestId, Timer,
};
pub use flows::{all_cancelled, mask_email, parse_amount, payment_options, valid_email, weak_clave};
pub use keypad::ShuffledKeypad;
pub use machine::{Accessibility, Health, SequenceSupply, Session, SessionConfig, Supply, step};
pub use state::{Screen, SwitchOffReason};
