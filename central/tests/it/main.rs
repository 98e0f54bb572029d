//! Integration tests of the central simulator over real TLS on loopback: every rule and error code of
//! the contract, idempotency, reversals, faults, mutual TLS, and the OpenAPI document against the router.

mod affiliation;
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
