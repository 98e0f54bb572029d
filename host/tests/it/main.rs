//! Integration tests of servicaja-host over real SQLite files and TLS on loopback.

mod central;
mod journal;
mod metrics;
mod pki;
mod sim;
mod store;
mod tls;
