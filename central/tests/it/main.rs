//! Integration tests of the central simulator over real TLS on loopback: every rule and error code of
//! the contract, idempotency, reversals, faults, mutual TLS, and the OpenAPI document (read as YAML, validated as OpenAPI 3.1) against the router and against every
//! answer the tests receive through the harness.

mod affiliation;
mod contract;
mod crash;
mod documents;
mod enrollment;
mod fleet;
mod harness;
mod idempotency;
mod loan_terms;
mod openapi;
mod payments;
mod reversals;
mod session;
mod transport;
