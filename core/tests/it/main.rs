//! The single integration-test binary of `servicaja-core`: one module per area of the domain.

mod calendar_years;
mod identity_card;
mod identity_dni;
mod identity_mrz;
mod identity_phone;
mod identity_track;
mod loans_payments;
mod loans_schedules;
mod money;
mod parsers_never_panic;
