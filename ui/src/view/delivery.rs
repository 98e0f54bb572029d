//! The delivery screen's adapter (how the customer receives a receipt, slip, certificate or ticket): its step
//! and what it shows, as the `DeliveryFlow` global of `ui/kiosk.slint` takes it.

use servicaja_session::state::DeliveryStage;

use crate::DeliveryStep;

/// The `DeliveryFlow` global's fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryView {
    pub step: DeliveryStep,
    /// Paper is loaded and the printer answers: printing is offered first.
    pub printer_ready: bool,
    /// The registered e-mail address offered in one tap, masked.
    pub registered_email: String,
    /// The QR's content on the QR step.
    pub qr_text: String,
}

/// The adapter of a delivery stage; `None` while the kiosk prints or prepares the QR, which show the wait
/// screen instead.
pub fn map_delivery(stage: &DeliveryStage, printer_ready: bool) -> Option<DeliveryView> {
    let view = |step| DeliveryView { step, printer_ready, ..DeliveryView::default() };
    match stage {
        DeliveryStage::Printing { .. } | DeliveryStage::PreparingQr { .. } => None,
        DeliveryStage::Choose => Some(view(DeliveryStep::Choose)),
        // After a failed print the printer is not offered again, whatever it said when the screen opened.
        DeliveryStage::PrinterFailed => Some(DeliveryView { printer_ready: false, ..view(DeliveryStep::Failed) }),
        DeliveryStage::EmailChoice { masked } => {
            Some(DeliveryView { registered_email: masked.clone(), ..view(DeliveryStep::EmailChoice) })
        }
        DeliveryStage::Email { .. } => Some(view(DeliveryStep::Email)),
        DeliveryStage::Qr { payload } => Some(DeliveryView { qr_text: payload.clone(), ..view(DeliveryStep::Qr) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choosing_offers_the_printer_only_when_it_was_ready() {
        let ready = map_delivery(&DeliveryStage::Choose, true).unwrap();
        assert_eq!((ready.step, ready.printer_ready), (DeliveryStep::Choose, true));
        let without_paper = map_delivery(&DeliveryStage::Choose, false).unwrap();
        assert!(!without_paper.printer_ready);
    }

    #[test]
    fn a_failed_print_never_offers_the_printer_again() {
        let failed = map_delivery(&DeliveryStage::PrinterFailed, true).unwrap();
        assert_eq!((failed.step, failed.printer_ready), (DeliveryStep::Failed, false));
    }

    #[test]
    fn the_email_and_qr_steps_carry_the_masked_address_and_the_qr_text() {
        let choice = map_delivery(&DeliveryStage::EmailChoice { masked: "j***@gmail.com".into() }, true).unwrap();
        assert_eq!((choice.step, choice.registered_email.as_str()), (DeliveryStep::EmailChoice, "j***@gmail.com"));
        let qr = map_delivery(&DeliveryStage::Qr { payload: "PAGO 00000002".into() }, false).unwrap();
        assert_eq!((qr.step, qr.qr_text.as_str()), (DeliveryStep::Qr, "PAGO 00000002"));
        assert!(qr.registered_email.is_empty());
    }

    #[test]
    fn printing_and_preparing_the_qr_show_the_wait_screen() {
        let job = Default::default();
        assert_eq!(map_delivery(&DeliveryStage::Printing { job, then_email: false }, true), None);
        assert_eq!(map_delivery(&DeliveryStage::PreparingQr { job }, true), None);
    }
}
