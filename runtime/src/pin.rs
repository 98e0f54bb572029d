//! PINs as argon2id PHC strings: hashing for `servicaja user add` and the verifier the access state
//! machine calls. The PIN itself is never stored, logged or kept after the call.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use servicaja_core::settings::MaintenanceUser;
use servicaja_maintenance::PinVerifier;

#[derive(Debug, thiserror::Error)]
pub enum PinHashError {
    #[error("the PIN could not be hashed: {0}")]
    Hash(String),
}

/// argon2id memory cost of new PIN hashes, in KiB: 256 MiB.
///
/// Why this much: a PIN is 6 to 12 digits, so a six-digit one has only 10^6 candidates, and whoever copies
/// `kiosk.toml` (a backup, a support bundle, a lost disk) can try them all offline; the lockout of the
/// maintenance desk does not apply there. The cost of one guess is the only defence. The argon2 crate's
/// default (OWASP's minimum, m = 19 MiB, t = 2) cost 21 to 33 ms per hash on a 2-core AMD EPYC virtual
/// machine: all 10^6 PINs in 6 to 9 core-hours, an afternoon on one laptop. At m = 256 MiB, t = 2 one hash
/// costs 0.45 to 0.55 s on the same machine (`cargo test cost_of_one_login -- --ignored --nocapture`; argon2
/// is optimized in dev builds too): 10^6 PINs take 125 to 150 core-hours, and each guess needs 256 MiB of
/// memory, which is what keeps GPUs from running thousands in parallel. Half a second is what a
/// technician's login can wait (the desk verifies on the window's thread, which pauses that long) and
/// 256 MiB what a kiosk's RAM can lend for that moment.
/// Memory rather than passes: for the same time, more memory costs an attacker more than more passes.
/// On a slower kiosk CPU measure again and lower `PIN_HASH_PASSES` first. Hashes made with other
/// parameters keep verifying: each PHC string carries its own.
pub const PIN_HASH_MEMORY_KIB: u32 = 256 * 1024;
/// argon2id passes over the memory of new PIN hashes (see [`PIN_HASH_MEMORY_KIB`]).
pub const PIN_HASH_PASSES: u32 = 2;

/// The argon2id hasher of new PINs: [`PIN_HASH_MEMORY_KIB`], [`PIN_HASH_PASSES`], one lane (the argon2
/// crate computes lanes one after the other, so more lanes would only add time).
fn pin_hasher() -> Result<Argon2<'static>, PinHashError> {
    let params = Params::new(PIN_HASH_MEMORY_KIB, PIN_HASH_PASSES, 1, None)
        .map_err(|err| PinHashError::Hash(err.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string (`$argon2id$v=19$m=262144,t=2,p=1$…`) of `pin` with a fresh random salt.
pub fn hash_pin(pin: &str) -> Result<String, PinHashError> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|err| PinHashError::Hash(err.to_string()))?;
    pin_hasher()?
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
    "$argon2id$v=19$m=262144,t=2,p=1$kx9qDFXiQbgHzT6adBLwWw$aJoVoLsqKqfypVVcpPEf139XVlY3Ne24hb+bnEkkfIo";

impl PinVerifier for Argon2Verifier {
    fn verify(&self, user: &MaintenanceUser, pin: &str) -> bool {
        verify_against(&user.pin_hash, pin)
    }

    fn verify_unknown(&self, pin: &str) {
        let _ = std::hint::black_box(verify_against(DUMMY_HASH, pin));
    }
}

/// Whether `pin` matches the PHC string `phc`; the algorithm, version and costs are the hash's own (an
/// `Argon2` verifier takes them from the PHC string, whatever it was built with).
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
    fn hashes_made_with_the_former_cheaper_parameters_still_verify() {
        // A PIN hashed by an earlier `user add` (the argon2 crate's defaults, m = 19 MiB, t = 2).
        let former =
            "$argon2id$v=19$m=19456,t=2,p=1$4CbFd6+ToS6hnGZO0Fh63A$XIFkyK3GXBdyzNALLybuyDlS+X4hHR3cYyC6wBWv8WQ";
        assert!(verify_against(former, "000000"));
        assert!(!verify_against(former, "000001"));
        let fresh = hash_pin("000000").unwrap();
        assert!(fresh.starts_with("$argon2id$v=19$m=262144,t=2,p=1$"), "{fresh}");
    }

    /// Not a test: the figure behind `PIN_HASH_MEMORY_KIB`. Run it on the kiosk's hardware.
    #[test]
    #[ignore = "a measurement: cargo test cost_of_one_login -- --ignored --nocapture"]
    fn cost_of_one_login() {
        let hash = hash_pin("482913").unwrap();
        let runs = 5;
        let started = std::time::Instant::now();
        for _ in 0..runs {
            assert!(verify_against(&hash, "482913"));
        }
        let each = started.elapsed() / runs;
        println!("one PIN verification: {each:?}; 10^6 PINs: {:.0} core-hours", each.as_secs_f64() * 1e6 / 3600.0);
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
