//! Identity of a customer: card numbers, magnetic-stripe tracks, the DNI, machine-readable zones and
//! masked phone numbers. Every parser returns a typed error that names the failing field.

pub mod card;
pub mod dni;
pub mod mrz;
pub mod phone;
pub mod track;

pub use card::{CardNumber, CardNumberError};
pub use dni::{Dni, DniCheckForm, DniError};
pub use mrz::{Mrz, MrzDate, MrzError, MrzField, MrzFormat, MrzNames, Sex};
pub use phone::{PhoneError, PhoneNumber, mask_phone};
pub use track::{
    CardExpiry, CardSwipe, CardholderName, LrcMode, ServiceCode, Track1, Track2, TrackError, TrackId, TrackStatus,
};
