//! The identification screens' adapter (card, DNI, clave — also the new clave of enrollment): what they
//! show beyond the common fields, as the `IdentifyFlow` global of `ui/kiosk.slint` takes it.

use servicaja_session::state::{Identify, IdentifyStep, Purpose};

use crate::ClaveStep;

/// The `IdentifyFlow` global's fields.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IdentifyView {
    /// The card or DNI number is typed on the keypad rather than read.
    pub keyed: bool,
    /// The customer identifies to create a clave, not to sign in.
    pub enrollment: bool,
    pub clave: ClaveStep,
}

/// The adapter of an identification step (the waiting step shows the wait screen, which reads none of it).
pub fn map_identify(identify: &Identify) -> IdentifyView {
    let enrollment = identify.purpose == Purpose::Enrollment;
    match &identify.step {
        IdentifyStep::Card { keyed, .. } | IdentifyStep::Dni { keyed, .. } => {
            IdentifyView { keyed: *keyed, enrollment, clave: ClaveStep::Login }
        }
        IdentifyStep::Clave { .. } | IdentifyStep::Verifying { .. } => {
            IdentifyView { keyed: false, enrollment, clave: ClaveStep::Login }
        }
    }
}

/// The adapter of enrollment's new clave: first typed, then typed again to confirm it.
pub fn map_new_clave(confirming: bool) -> IdentifyView {
    IdentifyView {
        keyed: false,
        enrollment: true,
        clave: if confirming { ClaveStep::ConfirmClave } else { ClaveStep::NewClave },
    }
}

#[cfg(test)]
mod tests {
    use servicaja_session::ShuffledKeypad;

    use super::*;

    fn card(purpose: Purpose, keyed: bool) -> Identify {
        Identify { purpose, step: IdentifyStep::Card { keyed, typed: 0, error: None } }
    }

    #[test]
    fn the_card_step_says_whether_the_number_is_typed_and_why_the_customer_identifies() {
        assert_eq!(
            map_identify(&card(Purpose::Login, false)),
            IdentifyView { keyed: false, enrollment: false, clave: ClaveStep::Login }
        );
        assert_eq!(
            map_identify(&card(Purpose::Enrollment, true)),
            IdentifyView { keyed: true, enrollment: true, clave: ClaveStep::Login }
        );
    }

    #[test]
    fn the_dni_step_says_whether_the_dni_is_typed() {
        let dni = |keyed| Identify {
            purpose: Purpose::Login,
            step: IdentifyStep::Dni { masked_card: "****1111".into(), keyed, typed: String::new(), error: None },
        };
        assert!(map_identify(&dni(true)).keyed);
        assert!(!map_identify(&dni(false)).keyed);
    }

    #[test]
    fn signing_in_asks_for_the_clave_and_enrollment_for_a_new_one_twice() {
        let clave = Identify {
            purpose: Purpose::Login,
            step: IdentifyStep::Clave {
                masked_card: "****1111".into(),
                keypad: ShuffledKeypad { keys: [1, 2, 3, 4, 5, 6, 7, 8, 9, 0] },
                entered: 2,
                attempts_left: None,
            },
        };
        assert_eq!(map_identify(&clave).clave, ClaveStep::Login);
        assert!(!map_identify(&clave).enrollment);
        assert_eq!(map_new_clave(false), IdentifyView { keyed: false, enrollment: true, clave: ClaveStep::NewClave });
        assert_eq!(map_new_clave(true).clave, ClaveStep::ConfirmClave);
    }
}
