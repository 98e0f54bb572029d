//! The requests' adapter (R11): whether the request is filed from the out-of-service screen and whether the
//! central answers, which request is being filed and how long its detail is, as the `RequestsFlow` global of
//! `ui/kiosk.slint` takes it.

use servicaja_core::api::RequestKind;
use servicaja_session::state::{REQUEST_DETAIL_MAX, Requests};

use crate::RequestChoice;

/// The `RequestsFlow` global's fields.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RequestsView {
    /// Filed from the out-of-service screen with the DNI, without signing in.
    pub offline: bool,
    /// The central answers now. Out of service is not the central away: the screen says which, so no one
    /// reads "the system is not available" while it answers (a device or a technician took the kiosk out).
    pub central_reachable: bool,
    /// The request being filed (meaningless on the choice itself).
    pub kind: RequestChoice,
    /// The detail's length in characters and its limit, shown as "N de 200 caracteres".
    pub detail_length: usize,
    pub detail_max: usize,
}

/// The adapter of a requests state, with whether the central answers (the session's health).
pub fn map_requests(requests: &Requests, central_reachable: bool) -> RequestsView {
    let base = RequestsView { central_reachable, detail_max: REQUEST_DETAIL_MAX, ..RequestsView::default() };
    match requests {
        Requests::Choose { offline } => RequestsView { offline: *offline, ..base },
        Requests::Dni { kind, .. } | Requests::Processing { kind, .. } => {
            RequestsView { kind: request_choice(*kind), ..base }
        }
        Requests::Confirm { kind, detail } => {
            RequestsView { kind: request_choice(*kind), detail_length: detail.chars().count(), ..base }
        }
        Requests::Filed { ticket } => RequestsView { kind: request_choice(ticket.kind), ..base },
    }
}

/// The window's choice of a request kind (the inverse of `controller::request_of`).
fn request_choice(kind: RequestKind) -> RequestChoice {
    match kind {
        RequestKind::PolicyEndorsement => RequestChoice::Endorsement,
        RequestKind::PremiumRefund => RequestChoice::Refund,
        RequestKind::AddressChange => RequestChoice::Address,
        RequestKind::GuaranteeRelease => RequestChoice::Guarantee,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controller::request_of;

    #[test]
    fn the_choice_says_whether_it_is_filed_offline_and_whether_the_central_answers() {
        let offline = Requests::Choose { offline: true };
        let down = map_requests(&offline, false);
        assert_eq!((down.offline, down.central_reachable), (true, false));
        assert!(map_requests(&offline, true).central_reachable);
        assert!(!map_requests(&Requests::Choose { offline: false }, true).offline);
    }

    #[test]
    fn the_dni_and_confirmation_screens_name_the_request() {
        for choice in
            [RequestChoice::Endorsement, RequestChoice::Refund, RequestChoice::Address, RequestChoice::Guarantee]
        {
            let kind = request_of(choice);
            let dni = Requests::Dni { kind, typed: String::new(), error: None };
            assert_eq!(map_requests(&dni, true).kind, choice);
            let confirm = Requests::Confirm { kind, detail: String::new() };
            assert_eq!(map_requests(&confirm, true).kind, choice);
        }
    }

    #[test]
    fn the_detail_counts_characters_against_its_limit() {
        let confirm = Requests::Confirm { kind: RequestKind::AddressChange, detail: "Av. Bolognesi ñ 12".into() };
        let view = map_requests(&confirm, true);
        assert_eq!((view.detail_length, view.detail_max), (18, REQUEST_DETAIL_MAX), "ñ is one character");
    }
}
