//! The thin shells of the maintenance mode and staff reprints around the pure `servicaja-maintenance`
//! core: argon2 PINs, `servicaja user add`, certificate dates from PEM, the reprint service (journal →
//! DUPLICADO → printer → journal), the paper counter file and the log and journal export.

pub mod certs;
pub mod cli;
pub mod desk;
pub mod export;
pub mod paper;
pub mod pin;
pub mod reprint;
pub mod server_cert;
pub mod service;
pub mod user;
