//! The done screen's adapter: which document a finished operation produced (an affiliation's or
//! disaffiliation's constancia, a no-debt constancia, a request's ticket), as the `DoneFlow` global of
//! `ui/kiosk.slint` takes it. The document's figures are the common rows.

use servicaja_core::api::AffiliationOperation;
use servicaja_session::state::{Certificates, Internet, Requests, Screen};

use crate::DoneKind;

/// The done screen's kind for a session screen; `None` when the session is not at a finished operation.
pub fn map_done(screen: &Screen) -> Option<DoneKind> {
    match screen {
        Screen::Internet(Internet::Done { constancia }) => Some(match constancia.operation {
            AffiliationOperation::Affiliation => DoneKind::Affiliation,
            AffiliationOperation::Disaffiliation => DoneKind::Disaffiliation,
        }),
        Screen::Certificates(Certificates::Done { .. }) => Some(DoneKind::NoDebt),
        Screen::Requests(Requests::Filed { .. }) => Some(DoneKind::Request),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use servicaja_core::api::{AffiliationConstancia, NoDebtCertificate, RequestKind, RequestTicket};
    use servicaja_core::money::Currency;

    use super::*;
    use crate::fixtures::start_time;

    fn constancia(operation: AffiliationOperation) -> Screen {
        Screen::Internet(Internet::Done {
            constancia: AffiliationConstancia {
                operation_number: "00000001".into(),
                operation,
                service: "COMPRAS POR INTERNET".into(),
                customer_name: "JESUS".into(),
                account_number: "107001000000111".into(),
                account_product_name: "CTA AHORRO PN SOLES".into(),
                currency: Currency::PEN,
                email: "j***@gmail.com".into(),
                at: start_time(),
                at_local: "20/11/2026 10:00:00".into(),
            },
        })
    }

    #[test]
    fn an_affiliation_and_a_disaffiliation_each_report_their_own_constancia() {
        assert_eq!(map_done(&constancia(AffiliationOperation::Affiliation)), Some(DoneKind::Affiliation));
        assert_eq!(map_done(&constancia(AffiliationOperation::Disaffiliation)), Some(DoneKind::Disaffiliation));
    }

    #[test]
    fn a_no_debt_constancia_and_a_request_ticket_have_their_own_kinds() {
        let certificate = NoDebtCertificate {
            certificate_number: "CND-1".into(),
            customer_name: "JESUS".into(),
            masked_dni: "*****678".into(),
            all_loans: true,
            loans: vec![],
            issued_at: start_time(),
            issued_at_local: "20/11/2026 10:00:00".into(),
        };
        assert_eq!(map_done(&Screen::Certificates(Certificates::Done { certificate })), Some(DoneKind::NoDebt));
        let day = start_time().date_naive();
        let ticket = RequestTicket {
            ticket_number: "SOL-1".into(),
            kind: RequestKind::AddressChange,
            filed_at: start_time(),
            filed_on: day,
            business_days: 15,
            deadline: day,
        };
        assert_eq!(map_done(&Screen::Requests(Requests::Filed { ticket })), Some(DoneKind::Request));
    }

    #[test]
    fn an_unfinished_operation_is_not_done() {
        assert_eq!(map_done(&Screen::Menu), None);
        assert_eq!(map_done(&Screen::Requests(Requests::Choose { offline: false })), None);
    }
}
