//! PINs as argon2id PHC strings: hashing for `servicaja user add` and the verifier the access state
//! machine calls. The PIN itself is never stored, logged or kept after the call.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use servicaja_core::settings::MaintenanceUser;
use servicaja_maintenance::PinVerifier;

#[derive(Debug, thiserror::Error)]
pub enum PinHashError {
    #[error("the PIN could not be hashed: {0}")]
    Hash(String),
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of `pin` with a fresh random salt. The argon2
/// crate's defaults are OWASP's recommended argon2id parameters.
pub fn hash_pin(pin: &str) -> Result<String, PinHashError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|err| PinHashError::Hash(err.to_string()))?;
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| PinHashError::Hash(err.to_string()))
}

/// Verifies PINs against the users' argon2 hashes (parameters are read from each hash).
#[derive(Debug, Clone, Copy, Default)]
pub struct Argon2Verifier;

/// The hash an unknown id's PIN is checked against: the PIN "000000" hashed with the same argon2id
/// parameters as `hash_pin`, so that a refusal of an unknown id takes as long as a wrong PIN of a real one.
/// No user has it: the answer for an unknown id is always no.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$4CbFd6+ToS6hnGZO0Fh63A$XIFkyK3GXBdyzNALLybuyDlS+X4hHR3cYyC6wBWv8WQ";

impl PinVerifier for Argon2Verifier {
    fn verify(&self, user: &MaintenanceUser, pin: &str) -> bool {
        verify_against(&user.pin_hash, pin)
    }

    fn verify_unknown(&self, pin: &str) {
        let _ = std::hint::black_box(verify_against(DUMMY_HASH, pin));
    }
}

fn verify_against(phc: &str, pin: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| Argon2::default().verify_password(pin.as_bytes(), &hash).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use servicaja_core::settings::Role;

    #[test]
    fn a_hashed_pin_verifies_and_another_does_not() {
        let hash = hash_pin("482913").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert!(!hash.contains("482913"));
        let user = MaintenanceUser { id: "T01".into(), name: "Ana".into(), role: Role::Technician, pin_hash: hash };
        assert!(Argon2Verifier.verify(&user, "482913"));
        assert!(!Argon2Verifier.verify(&user, "482914"));
        assert_ne!(hash_pin("482913").unwrap(), user.pin_hash, "every hash has its own salt");
        let broken = MaintenanceUser { pin_hash: "$argon2id$nonsense".into(), ..user };
        assert!(!Argon2Verifier.verify(&broken, "482913"));
    }

    #[test]
    fn the_dummy_hash_of_unknown_ids_costs_what_a_real_hash_costs() {
        let fresh = hash_pin("000000").unwrap();
        let dummy = PasswordHash::new(DUMMY_HASH).unwrap_or_else(|_| panic!("not a PHC string; e.g. {fresh}"));
        let real = PasswordHash::new(&fresh).unwrap();
        assert_eq!((dummy.algorithm, dummy.version), (real.algorithm, real.version), "e.g. {fresh}");
        assert_eq!(dummy.params, real.params, "e.g. {fresh}");
        // It really runs argon2: the dummy hash is well formed and its PIN verifies.
        assert!(verify_against(DUMMY_HASH, "000000"));
        Argon2Verifier.verify_unknown("000000");
    }
}
