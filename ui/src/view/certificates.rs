//! The no-debt constancia's adapter (R10): whether a loan is ticked and whether "Todos mis créditos" is
//! offered, as the `CertificatesFlow` global of `ui/kiosk.slint` takes it.

use servicaja_session::state::Certificates;

/// The `CertificatesFlow` global's fields.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CertificatesView {
    /// At least one cancelled loan is ticked: "Emitir constancia" is enabled.
    pub any_selected: bool,
    /// Every loan of the customer is cancelled, so a constancia for all of them may be asked for.
    pub all_loans_allowed: bool,
}

/// The adapter of a certificates state (the waits and the done screen read none of it).
pub fn map_certificates(certificates: &Certificates) -> CertificatesView {
    match certificates {
        Certificates::Choose { loans, selected, .. } => CertificatesView {
            any_selected: selected.iter().any(|s| *s),
            all_loans_allowed: servicaja_session::all_cancelled(loans),
        },
        Certificates::Loading { .. } | Certificates::Processing { .. } | Certificates::Done { .. } => {
            CertificatesView::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use servicaja_core::fixtures::{cancelled, loans};

    use super::*;

    fn choose(loans: Vec<servicaja_core::api::Loan>, selected: Vec<bool>) -> Certificates {
        Certificates::Choose { loans, selected, refused: None }
    }

    #[test]
    fn emitir_waits_for_a_ticked_loan() {
        let nothing = map_certificates(&choose(loans(), vec![false; 4]));
        assert!(!nothing.any_selected);
        let ticked = map_certificates(&choose(loans(), vec![false, false, false, true]));
        assert!(ticked.any_selected);
    }

    #[test]
    fn all_loans_is_offered_only_when_every_loan_is_cancelled() {
        assert!(!map_certificates(&choose(loans(), vec![false; 4])).all_loans_allowed, "JESUS owes on three loans");
        let paid_off: Vec<_> = loans().into_iter().map(cancelled).collect();
        let view = map_certificates(&choose(paid_off, vec![false; 4]));
        assert_eq!(view, CertificatesView { any_selected: false, all_loans_allowed: true });
        assert!(!map_certificates(&choose(Vec::new(), Vec::new())).all_loans_allowed, "no loans: nothing to certify");
    }
}
