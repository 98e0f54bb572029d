//! The wait screen's adapter: whether the session waits (on the central, the printer or the SMS gateway)
//! and on what, as the `WaitFlow` global of `ui/kiosk.slint` takes it.

use servicaja_session::state::{
    Balances, Certificates, DeliveryStage, Enrollment, IdentifyStep, Internet, Payment, Requests, Screen,
};

use crate::Waiting;

/// What the kiosk waits on in `screen`, which then shows the wait screen; `None` when it waits on nothing.
pub fn map_wait(screen: &Screen) -> Option<Waiting> {
    match screen {
        Screen::Identify(identify) => {
            matches!(identify.step, IdentifyStep::Verifying { .. }).then_some(Waiting::Verifying)
        }
        Screen::Enrollment(Enrollment::Starting { .. } | Enrollment::Checking { .. }) => Some(Waiting::Verifying),
        Screen::Enrollment(Enrollment::Setting { .. }) => Some(Waiting::Processing),
        Screen::Balances(Balances::Loading { .. } | Balances::LoadingMovements { .. }) => Some(Waiting::Loading),
        Screen::Payment(Payment::LoadingLoans { .. } | Payment::LoadingAccounts { .. } | Payment::Quoting { .. }) => {
            Some(Waiting::Loading)
        }
        Screen::Payment(Payment::Processing { .. }) => Some(Waiting::Processing),
        Screen::Internet(Internet::Loading { .. }) => Some(Waiting::Loading),
        Screen::Internet(Internet::RequestingCode { .. }) => Some(Waiting::Sending),
        Screen::Internet(Internet::Processing { .. }) => Some(Waiting::Processing),
        Screen::Certificates(Certificates::Loading { .. }) => Some(Waiting::Loading),
        Screen::Certificates(Certificates::Processing { .. }) | Screen::Requests(Requests::Processing { .. }) => {
            Some(Waiting::Processing)
        }
        Screen::Delivery(delivery) => delivery_wait(&delivery.stage),
        _ => None,
    }
}

/// A receipt prints; the QR fall-back is prepared like any other operation.
fn delivery_wait(stage: &DeliveryStage) -> Option<Waiting> {
    match stage {
        DeliveryStage::Printing { .. } => Some(Waiting::Printing),
        DeliveryStage::PreparingQr { .. } => Some(Waiting::Processing),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use servicaja_core::api::{AffiliationOperation, RequestKind};
    use servicaja_core::fixtures::accounts;
    use servicaja_session::state::{Identify, Information, Purpose};

    use super::*;

    #[test]
    fn checking_the_clave_or_the_answers_verifies_the_customer() {
        let verifying =
            Identify { purpose: Purpose::Login, step: IdentifyStep::Verifying { request: Default::default() } };
        assert_eq!(map_wait(&Screen::Identify(verifying)), Some(Waiting::Verifying));
        let card =
            Identify { purpose: Purpose::Login, step: IdentifyStep::Card { keyed: false, typed: 0, error: None } };
        assert_eq!(map_wait(&Screen::Identify(card)), None);
    }

    #[test]
    fn queries_load_and_operations_process() {
        assert_eq!(
            map_wait(&Screen::Balances(Balances::Loading { request: Default::default() })),
            Some(Waiting::Loading)
        );
        assert_eq!(
            map_wait(&Screen::Payment(Payment::LoadingLoans { request: Default::default() })),
            Some(Waiting::Loading)
        );
        let filing = Requests::Processing { key: Default::default(), kind: RequestKind::AddressChange };
        assert_eq!(map_wait(&Screen::Requests(filing)), Some(Waiting::Processing));
    }

    #[test]
    fn asking_for_an_sms_code_says_it_is_being_sent() {
        let requesting = Internet::RequestingCode {
            request: Default::default(),
            operation: AffiliationOperation::Affiliation,
            account: accounts().remove(0),
        };
        assert_eq!(map_wait(&Screen::Internet(requesting)), Some(Waiting::Sending));
    }

    #[test]
    fn a_receipt_prints_and_the_qr_is_prepared() {
        let printing = DeliveryStage::Printing { job: Default::default(), then_email: false };
        assert_eq!(delivery_wait(&printing), Some(Waiting::Printing));
        assert_eq!(delivery_wait(&DeliveryStage::PreparingQr { job: Default::default() }), Some(Waiting::Processing));
        assert_eq!(delivery_wait(&DeliveryStage::Choose), None);
    }

    #[test]
    fn screens_the_customer_acts_on_wait_on_nothing() {
        for screen in [Screen::Attract, Screen::Menu, Screen::Information(Information::Topics)] {
            assert_eq!(map_wait(&screen), None, "{screen:?}");
        }
    }
}
