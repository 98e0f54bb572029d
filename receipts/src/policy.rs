//! The printing policy, a pure function of the printer's status: print, or offer the customer the
//! constancia by email (to the registered address or one they type) or as a QR on screen. There is no
//! "block" outcome: the operation is already done, and a missing receipt never undoes or holds it.

use servicaja_drivers::printer::{FailReason, PrintError};
use servicaja_drivers::status::{DeviceState, DeviceStatus, ErrorAction, PaperState};

/// What the kiosk does with a finished operation's document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Print it. `paper_low` asks the application to alert staff after printing.
    Print { paper_low: bool },
    /// Do not print; offer the alternatives.
    Offer(Alternatives),
}

/// The alternatives offered when the printer cannot print, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternatives {
    /// What the customer reads (es-PE).
    pub message: String,
    /// Send it to the email on file (when the customer has one).
    pub email_registered: bool,
    /// Let the customer type an address (always offered).
    pub email_typed: bool,
    /// Show the QR on screen (always offered).
    pub screen_qr: bool,
    /// Who must fix the printer: staff (`Clear`) or a technician (`Maintenance`).
    pub needs: ErrorAction,
    /// For the journal and the technician.
    pub reason: &'static str,
}

const CUSTOMER_MESSAGE: &str = "Su operación se realizó correctamente, pero no podemos imprimir la constancia en este momento. Puede recibirla por correo electrónico o ver el código QR en pantalla.";
const INTERRUPTED_MESSAGE: &str = "Su operación se realizó correctamente, pero la constancia no se imprimió completa. Puede recibirla por correo electrónico o ver el código QR en pantalla; el personal de la agencia también puede reimprimirla.";

/// Decides before printing, from the current printer status.
pub fn before_printing(status: &DeviceStatus, has_registered_email: bool) -> Delivery {
    let paper = status.paper.unwrap_or(PaperState::Unknown);
    let unavailable = |reason: &'static str, needs: ErrorAction| {
        Delivery::Offer(Alternatives {
            message: CUSTOMER_MESSAGE.to_owned(),
            email_registered: has_registered_email,
            email_typed: true,
            screen_qr: true,
            needs: status.action.unwrap_or(needs),
            reason,
        })
    };
    match (status.device, paper) {
        (DeviceState::Online, PaperState::Full | PaperState::Unknown) => Delivery::Print { paper_low: false },
        (DeviceState::Online, PaperState::Low) => Delivery::Print { paper_low: true },
        (_, PaperState::Out) => unavailable("paper out", ErrorAction::Clear),
        (_, PaperState::Jammed) => unavailable("paper jammed", ErrorAction::Clear),
        (DeviceState::Busy, _) => unavailable("printer busy", ErrorAction::Clear),
        (DeviceState::UserError, _) => unavailable("printer needs attention (cover open?)", ErrorAction::Clear),
        (DeviceState::Offline, _) => unavailable("printer offline", ErrorAction::Clear),
        (DeviceState::HardwareError, _) => unavailable("printer hardware error", ErrorAction::Maintenance),
        (DeviceState::NoDevice, _) => unavailable("no printer connected", ErrorAction::Maintenance),
    }
}

/// Decides after a print job failed: the journal marks the document not printed (staff can reprint),
/// and the customer is offered the same alternatives.
pub fn after_failure(error: &PrintError, has_registered_email: bool) -> Alternatives {
    let (reason, needs) = match error.reason() {
        Some(FailReason::PaperOut) => ("paper out", ErrorAction::Clear),
        Some(FailReason::CoverOpen) => ("cover open", ErrorAction::Clear),
        Some(FailReason::PaperJam) => ("paper jammed", ErrorAction::Clear),
        Some(FailReason::Offline) => ("printer offline", ErrorAction::Clear),
        Some(FailReason::HardwareError) => ("printer hardware error", ErrorAction::Maintenance),
        Some(FailReason::NoReply) => ("printer does not answer", ErrorAction::Maintenance),
        Some(FailReason::NoDevice) => ("no printer connected", ErrorAction::Maintenance),
        None => ("printer line failed", ErrorAction::Maintenance),
    };
    let message = match error {
        PrintError::NotReady(_) => CUSTOMER_MESSAGE,
        PrintError::Interrupted(_) | PrintError::Line(_) => INTERRUPTED_MESSAGE,
    };
    Alternatives {
        message: message.to_owned(),
        email_registered: has_registered_email,
        email_typed: true,
        screen_qr: true,
        needs,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use servicaja_drivers::status::{CoverState, DeviceKind, MediaState};

    fn status(device: DeviceState, paper: PaperState) -> DeviceStatus {
        DeviceStatus {
            device,
            media: MediaState::NotSupported,
            paper: Some(paper),
            cover: Some(CoverState::Closed),
            action: None,
            detail: String::new(),
        }
    }

    #[test]
    fn a_ready_printer_prints_and_low_paper_alerts_staff() {
        assert_eq!(
            before_printing(&status(DeviceState::Online, PaperState::Full), true),
            Delivery::Print { paper_low: false }
        );
        assert_eq!(
            before_printing(&status(DeviceState::Online, PaperState::Low), false),
            Delivery::Print { paper_low: true }
        );
    }

    #[test]
    fn every_unready_state_offers_email_and_screen_qr_never_a_block() {
        let states = [DeviceState::Offline, DeviceState::Busy, DeviceState::HardwareError, DeviceState::UserError];
        for device in states {
            for paper in [PaperState::Full, PaperState::Low, PaperState::Out, PaperState::Jammed, PaperState::Unknown] {
                match before_printing(&status(device, paper), false) {
                    Delivery::Offer(alternatives) => {
                        assert!(alternatives.email_typed && alternatives.screen_qr);
                        assert!(!alternatives.email_registered, "no email on file was offered");
                        assert!(alternatives.message.contains("se realizó correctamente"));
                    }
                    Delivery::Print { .. } => panic!("{device:?}/{paper:?} should not print"),
                }
            }
        }
        let Delivery::Offer(paper_out) = before_printing(&status(DeviceState::Online, PaperState::Out), true) else {
            panic!("paper out must not print");
        };
        assert_eq!((paper_out.needs, paper_out.email_registered), (ErrorAction::Clear, true));
        let Delivery::Offer(gone) = before_printing(&DeviceStatus::no_device(DeviceKind::Printer, "ttyS0"), true)
        else {
            panic!("no device must not print");
        };
        assert_eq!(gone.needs, ErrorAction::Maintenance);
    }

    #[test]
    fn a_job_interrupted_mid_print_offers_alternatives_and_a_staff_reprint() {
        let interrupted = after_failure(&PrintError::Interrupted(FailReason::PaperOut), true);
        assert_eq!(interrupted.needs, ErrorAction::Clear);
        assert!(interrupted.message.contains("reimprimirla"));
        let line = after_failure(&PrintError::Line("EIO".into()), false);
        assert_eq!(line.needs, ErrorAction::Maintenance);
        assert!(line.screen_qr && line.email_typed && !line.email_registered);
    }
}
