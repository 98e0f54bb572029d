//! The Compras por Internet screens' adapter (the account to affiliate, the disaffiliation's consent, the
//! account the SMS code confirms), as the `InternetFlow` global of `ui/kiosk.slint` takes it.

use servicaja_core::api::AffiliationOperation;
use servicaja_session::state::Internet;

use super::masked_account;
use crate::InternetOperation;

/// The `InternetFlow` global's fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InternetView {
    /// An account to affiliate is selected: Continuar is enabled.
    pub account_selected: bool,
    /// The disaffiliation's consent is ticked (R3).
    pub consent_ticked: bool,
    /// The operation the SMS code confirms; `None` outside the code step.
    pub operation: InternetOperation,
    /// The account the SMS code confirms: its product and masked number.
    pub account: String,
}

/// The adapter of a Compras por Internet state (the menu, the waits and the done screen read none of it).
pub fn map_internet(internet: &Internet) -> InternetView {
    match internet {
        Internet::ChooseAccount { selected, .. } => {
            InternetView { account_selected: selected.is_some(), ..InternetView::default() }
        }
        Internet::Consent { ticked, .. } => InternetView { consent_ticked: *ticked, ..InternetView::default() },
        Internet::Code { operation, account, .. } => InternetView {
            operation: operation_of(*operation),
            account: format!("{} {}", account.product_name, masked_account(&account.number)),
            ..InternetView::default()
        },
        Internet::Loading { .. }
        | Internet::Menu { .. }
        | Internet::AlreadyAffiliated { .. }
        | Internet::RequestingCode { .. }
        | Internet::Processing { .. }
        | Internet::Done { .. } => InternetView::default(),
    }
}

fn operation_of(operation: AffiliationOperation) -> InternetOperation {
    match operation {
        AffiliationOperation::Affiliation => InternetOperation::Affiliation,
        AffiliationOperation::Disaffiliation => InternetOperation::Disaffiliation,
    }
}

#[cfg(test)]
mod tests {
    use servicaja_session::state::CodeEntry;

    use super::*;
    use crate::fixtures;

    fn account() -> servicaja_core::api::Account {
        fixtures::accounts().into_iter().next().expect("JESUS has accounts")
    }

    #[test]
    fn continuar_waits_for_an_account_to_be_selected() {
        let choose = |selected| Internet::ChooseAccount { accounts: vec![], eligible: vec![account()], selected };
        assert!(!map_internet(&choose(None)).account_selected);
        assert!(map_internet(&choose(Some(0))).account_selected);
    }

    #[test]
    fn the_consent_says_whether_it_is_ticked() {
        let consent = |ticked| Internet::Consent { accounts: vec![], account: account(), ticked };
        assert!(!map_internet(&consent(false)).consent_ticked);
        assert_eq!(map_internet(&consent(true)), InternetView { consent_ticked: true, ..InternetView::default() });
    }

    #[test]
    fn the_code_names_the_operation_and_the_masked_account_it_confirms() {
        let account = account();
        let entry = CodeEntry {
            otp_id: "otp-1".into(),
            masked_phone: "95*****480".into(),
            resend_possible: true,
            valid_minutes: 5,
            entered: 0,
            resend_at: fixtures::start_time(),
            resend_allowed: false,
            error: None,
            resending: None,
        };
        for (operation, expected) in [
            (AffiliationOperation::Affiliation, InternetOperation::Affiliation),
            (AffiliationOperation::Disaffiliation, InternetOperation::Disaffiliation),
        ] {
            let code = Internet::Code { operation, account: account.clone(), entry: entry.clone() };
            let view = map_internet(&code);
            assert_eq!(view.operation, expected);
            assert_eq!(view.account, format!("{} {}", account.product_name, masked_account(&account.number)));
            assert!(!view.account.contains(&account.number), "the full account number is not shown");
        }
    }

    #[test]
    fn the_menu_confirms_no_operation() {
        let menu = Internet::Menu { accounts: vec![account()], affiliated: Some(account()) };
        assert_eq!(map_internet(&menu), InternetView::default());
        assert_eq!(InternetView::default().operation, InternetOperation::None);
    }
}
