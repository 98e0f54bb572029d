//! Identity of a customer: card numbers, magnetic-stripe tracks, the DNI, machine-readable zones and
//! masked phone numbers. Every parser returns a typed error that names the failing field.

pub mod card;
pub mod dni;
pub mod mrz;
pub mod phone;
pub mod track;
