//! The notice screen's adapter: which message the customer acknowledges, its details, and what its buttons
//! offer, as the `NoticeFlow` global of `ui/kiosk.slint` takes it.

use servicaja_session::state::{Internet, Notice, Payment, Screen, Then};

use super::{device_id, masked_account, request_id};
use crate::{NoticeAnswer, NoticeKind};

/// The `NoticeFlow` global's fields; each detail is set only by the notice it belongs to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoticeView {
    pub kind: NoticeKind,
    pub answer: NoticeAnswer,
    /// A refusal: the central's error code (wire name), which selects the text, and its own message, shown
    /// only for codes the window does not know.
    pub refusal_code: &'static str,
    pub refusal_message: String,
    /// A failed device, as an id (`Words.device`).
    pub device: &'static str,
    /// A queued request's kind, as an id (`Words.request-kind`).
    pub request: &'static str,
    /// The central answers: a queued request is sent at once rather than when the system is back.
    pub central_up: bool,
    /// The account already affiliated to internet purchases, when known.
    pub account: String,
    /// A delivered document was printed.
    pub printed: bool,
    /// The address a delivered document was e-mailed to.
    pub emailed_to: String,
}

/// The adapter of the notice `screen` shows, or `None` when it shows no notice: the session's notices, a
/// refused payment, and the account already affiliated when the customer asks to affiliate another.
pub fn map_notice(screen: &Screen, central_up: bool) -> Option<NoticeView> {
    match screen {
        Screen::Notice { notice, then } => Some(NoticeView {
            // The end of an operation asks for another one ("¿Desea realizar otra operación?").
            answer: if *then == Then::Another { NoticeAnswer::Another } else { NoticeAnswer::Acknowledge },
            ..notice_view(notice, central_up)
        }),
        Screen::Payment(Payment::Refused { code, message, .. }) => Some(NoticeView {
            kind: NoticeKind::Refused,
            answer: NoticeAnswer::OtherAccount,
            refusal_code: code.as_str(),
            refusal_message: message.clone(),
            ..NoticeView::default()
        }),
        // R2, one affiliated account at a time: its disaffiliation is offered on the spot.
        Screen::Internet(Internet::AlreadyAffiliated { account, .. }) => Some(NoticeView {
            kind: NoticeKind::AlreadyAffiliated,
            answer: NoticeAnswer::Disaffiliate,
            account: format!("{} {}", account.product_name, masked_account(&account.number)),
            ..NoticeView::default()
        }),
        _ => None,
    }
}

fn notice_view(notice: &Notice, central_up: bool) -> NoticeView {
    let view = |kind| NoticeView { kind, ..NoticeView::default() };
    match notice {
        Notice::CardLocked => view(NoticeKind::CardLocked),
        Notice::PaymentNotDone => view(NoticeKind::PaymentNotDone),
        Notice::PaymentUnconfirmed => view(NoticeKind::PaymentUnconfirmed),
        Notice::ReversalPending => view(NoticeKind::ReversalPending),
        Notice::Refused { code, message } => {
            NoticeView { refusal_code: code.as_str(), refusal_message: message.clone(), ..view(NoticeKind::Refused) }
        }
        Notice::ServiceUnavailable => view(NoticeKind::ServiceUnavailable),
        Notice::SessionExpired => view(NoticeKind::SessionExpired),
        Notice::DeviceFailed(device) => NoticeView { device: device_id(*device), ..view(NoticeKind::DeviceFailed) },
        Notice::NotConfirmed => view(NoticeKind::NotConfirmed),
        Notice::RequestQueued { kind } => {
            NoticeView { request: request_id(*kind), central_up, ..view(NoticeKind::RequestQueued) }
        }
        Notice::EnrollmentBlocked => view(NoticeKind::EnrollmentBlocked),
        Notice::ClaveCreated => view(NoticeKind::ClaveCreated),
        Notice::OverdueFirst => view(NoticeKind::OverdueFirst),
        Notice::NotAllLoansCancelled => view(NoticeKind::NotAllCancelled),
        Notice::AlreadyAffiliated { account } => {
            NoticeView { account: account.clone().unwrap_or_default(), ..view(NoticeKind::AlreadyAffiliated) }
        }
        Notice::NoAffiliableAccount => view(NoticeKind::NoAffiliable),
        Notice::NothingAffiliated => view(NoticeKind::NothingAffiliated),
        Notice::Delivered { printed, emailed_to } => NoticeView {
            printed: *printed,
            emailed_to: emailed_to.clone().unwrap_or_default(),
            ..view(NoticeKind::Delivered)
        },
    }
}

#[cfg(test)]
mod tests {
    use servicaja_core::api::{ErrorCode, PaymentOption, RequestKind};
    use servicaja_core::fixtures::{accounts, loans};
    use servicaja_session::Device;
    use servicaja_session::state::Order;

    use super::*;

    fn notice(notice: Notice, then: Then) -> Screen {
        Screen::Notice { notice, then }
    }

    #[test]
    fn the_end_of_an_operation_asks_for_another_and_other_notices_are_acknowledged() {
        let delivered = map_notice(&notice(Notice::ClaveCreated, Then::Another), true).unwrap();
        assert_eq!((delivered.kind, delivered.answer), (NoticeKind::ClaveCreated, NoticeAnswer::Another));
        let locked = map_notice(&notice(Notice::CardLocked, Then::End), true).unwrap();
        assert_eq!((locked.kind, locked.answer), (NoticeKind::CardLocked, NoticeAnswer::Acknowledge));
    }

    #[test]
    fn a_delivery_says_whether_it_printed_and_where_it_was_emailed() {
        let both = Notice::Delivered { printed: true, emailed_to: Some("j***@gmail.com".into()) };
        let view = map_notice(&notice(both, Then::Another), true).unwrap();
        assert_eq!((view.printed, view.emailed_to.as_str()), (true, "j***@gmail.com"));
        let emailed = Notice::Delivered { printed: false, emailed_to: None };
        let view = map_notice(&notice(emailed, Then::Another), true).unwrap();
        assert_eq!((view.printed, view.emailed_to.as_str()), (false, ""));
    }

    #[test]
    fn a_queued_request_says_whether_the_central_answers() {
        let queued = || notice(Notice::RequestQueued { kind: RequestKind::AddressChange }, Then::Menu);
        let up = map_notice(&queued(), true).unwrap();
        assert_eq!((up.kind, up.request, up.central_up), (NoticeKind::RequestQueued, "address", true));
        assert!(!map_notice(&queued(), false).unwrap().central_up);
        // Only a queued request reads the central's state.
        assert!(!map_notice(&notice(Notice::ServiceUnavailable, Then::End), true).unwrap().central_up);
    }

    #[test]
    fn a_refusal_carries_the_code_and_the_centrals_message() {
        let refused = Notice::Refused { code: ErrorCode::InsufficientFunds, message: "Saldo insuficiente".into() };
        let view = map_notice(&notice(refused, Then::Menu), true).unwrap();
        assert_eq!(view.refusal_code, ErrorCode::InsufficientFunds.as_str());
        assert_eq!((view.refusal_message.as_str(), view.answer), ("Saldo insuficiente", NoticeAnswer::Acknowledge));
        let device = map_notice(&notice(Notice::DeviceFailed(Device::Printer), Then::End), true).unwrap();
        assert_eq!((device.kind, device.device), (NoticeKind::DeviceFailed, "printer"));
    }

    #[test]
    fn a_refused_payment_offers_another_account() {
        let loans = loans();
        let order = Order { loan: loans[0].clone(), loans, option: PaymentOption::DueInstallment, amount: None };
        let refused = Payment::Refused {
            order,
            accounts: accounts(),
            code: ErrorCode::InsufficientFunds,
            message: "Saldo insuficiente".into(),
        };
        let view = map_notice(&Screen::Payment(refused), true).unwrap();
        assert_eq!((view.kind, view.answer), (NoticeKind::Refused, NoticeAnswer::OtherAccount));
        assert_eq!(view.refusal_code, ErrorCode::InsufficientFunds.as_str());
    }

    #[test]
    fn an_affiliated_account_is_named_masked_and_its_disaffiliation_offered() {
        let account = accounts().remove(0);
        let screen = Screen::Internet(Internet::AlreadyAffiliated { accounts: accounts(), account });
        let view = map_notice(&screen, true).unwrap();
        assert_eq!((view.kind, view.answer), (NoticeKind::AlreadyAffiliated, NoticeAnswer::Disaffiliate));
        assert_eq!(view.account, "AHORRO PN SOLES ****1110");
    }

    #[test]
    fn other_screens_show_no_notice() {
        assert_eq!(map_notice(&Screen::Menu, true), None);
        assert_eq!(map_notice(&Screen::Payment(Payment::LoadingLoans { request: Default::default() }), true), None);
    }
}
