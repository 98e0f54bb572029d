//! The kiosk's link to the central and its memory: the HTTPS host client (rustls, pinned CA, mutual TLS),
//! the mapping of the session's queries and commands onto the central's routes and back (`wire`),
//! the durable outbox every state-changing command passes through (a pure policy, a SQLite store and a
//! tokio dispatcher), and the hash-chained electronic journal.
//!
//! Architecture invariants: only this crate touches the network and the outbox/journal databases; a
//! command is on disk with its idempotency key before its first byte is sent; `policy` does no I/O and
//! reads neither the clock nor a random source.

pub mod api;
pub mod client;
pub mod disk;
pub mod engine;
pub mod journal;
pub mod metrics;
pub mod outbox;
pub mod policy;
pub mod seal;
pub mod server_cert;
pub mod settlement;
pub mod store;
pub mod wire;

pub use client::{HostClient, HostError, Problem, Reply, RetryAfter, TlsFailure};
pub use journal::{HeadCheck, Journal, JournalError, JournalEvent, JournalHead, MaskedCard, SafeText};
pub use outbox::{InteractiveOutcome, Outbox, OutboxOptions, Transport};
pub use policy::{CommandId, CommandKind, PolicySettings, Queue, State};
pub use seal::{SealError, Sealer};
pub use store::{
    NewCommand, OutboxError, OutboxStore, PaymentOutcome, PaymentSettlement, SettleMode, Settlement, StoredCommand,
};
