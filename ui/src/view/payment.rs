//! The balances and payment screens' adapter (accounts, movements, loan, amount, summary, done, and the
//! payment's refusal): what they show beyond the common lists and rows, as the `PaymentFlow` global of
//! `ui/kiosk.slint` takes it.

use servicaja_session::state::{Balances, Payment};

use crate::AccountsStep;

/// The `PaymentFlow` global's fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PaymentView {
    /// The accounts screen lists the balances to consult, or the accounts to pay from.
    pub accounts_step: AccountsStep,
    /// What the payment charges, formatted, while the customer picks the account to pay from; empty when the
    /// central gave no fixed amount.
    pub charge: String,
    /// The loan's currency symbol, before the typed amount.
    pub currency: String,
    /// The movements' slip can be printed (otherwise it is offered by e-mail).
    pub printer_ready: bool,
    /// The loan has overdue installments, which must be paid first.
    pub overdue: bool,
    /// The summary's account and loan are in different currencies: the day's rate applies.
    pub exchange: bool,
    /// The payment cancelled the loan.
    pub loan_cancelled: bool,
}

/// The adapter of a payment step (the loading and processing steps show the wait screen, which reads none
/// of it).
pub fn map_payment(payment: &Payment) -> PaymentView {
    let view = PaymentView::default();
    match payment {
        Payment::Loan { loan, .. } => PaymentView { overdue: loan.overdue_installments > 0, ..view },
        Payment::Amount { order, .. } => PaymentView { currency: order.loan.currency.symbol().to_owned(), ..view },
        Payment::Accounts { order, .. } => PaymentView {
            accounts_step: AccountsStep::Debit,
            charge: order.charge().map(|m| m.to_string()).unwrap_or_default(),
            ..view
        },
        Payment::Summary { quote, .. } => PaymentView { exchange: quote.exchange.is_some(), ..view },
        Payment::Done { payment, .. } => PaymentView { loan_cancelled: payment.loan_cancelled, ..view },
        Payment::LoadingLoans { .. }
        | Payment::Loans { .. }
        | Payment::NotPayable { .. }
        | Payment::Installments { .. }
        | Payment::LoadingAccounts { .. }
        | Payment::Quoting { .. }
        | Payment::Processing { .. }
        // The notice screen's (`map_notice`).
        | Payment::Refused { .. } => view,
    }
}

/// The adapter of a balances step: the accounts to consult, then an account's movements, whose slip prints
/// only while the printer is ready.
pub fn map_balances(balances: &Balances, printer_ready: bool) -> PaymentView {
    match balances {
        Balances::Movements { .. } => PaymentView { printer_ready, ..PaymentView::default() },
        Balances::Loading { .. } | Balances::Accounts { .. } | Balances::LoadingMovements { .. } => {
            PaymentView::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use servicaja_core::api::{LoanProductType, PaymentOption, PaymentRequest, QuoteQuery};
    use servicaja_core::fixtures::{accounts, loan, loans, start_time};
    use servicaja_core::money::Currency;
    use servicaja_session::effect::PaymentContext;
    use servicaja_session::state::Order;
    use servicaja_session::{Command, Query, Reply};

    use super::*;
    use crate::fixtures::{answer_command, answer_query};

    fn order(loan_id: &str, option: PaymentOption) -> Order {
        let loans = loans();
        let loan = loans.iter().find(|l| l.id == loan_id).cloned().unwrap();
        Order { loans, loan, option, amount: None }
    }

    fn quote(loan_id: &str, account_id: &str) -> servicaja_core::api::PaymentQuote {
        let query =
            QuoteQuery { option: PaymentOption::DueInstallment, debit_account_id: account_id.into(), amount: None };
        match answer_query(&Query::Quote { loan_id: loan_id.into(), query }, start_time(), false) {
            Ok(Reply::Quote(quote)) => quote,
            other => panic!("not a quote: {other:?}"),
        }
    }

    #[test]
    fn the_accounts_screen_lists_balances_or_asks_which_account_pays_and_how_much() {
        assert_eq!(
            map_balances(&Balances::Accounts { accounts: accounts() }, true).accounts_step,
            AccountsStep::Balances
        );
        let debit =
            map_payment(&Payment::Accounts { order: order("L1", PaymentOption::DueInstallment), accounts: accounts() });
        assert_eq!((debit.accounts_step, debit.charge.as_str()), (AccountsStep::Debit, "S/ 520.00"));
        // A prepayment's amount is typed later: nothing to announce yet.
        let prepayment = order("L1", PaymentOption::PrepaymentReduceAmount);
        let unknown = map_payment(&Payment::Accounts { order: prepayment, accounts: accounts() });
        assert_eq!((unknown.accounts_step, unknown.charge.as_str()), (AccountsStep::Debit, ""));
    }

    #[test]
    fn the_movements_offer_printing_only_while_the_printer_is_ready() {
        let account = accounts().remove(0);
        let movements = Balances::Movements { accounts: accounts(), account, movements: Vec::new() };
        assert!(map_balances(&movements, true).printer_ready);
        assert!(!map_balances(&movements, false).printer_ready);
    }

    #[test]
    fn a_loan_with_overdue_installments_says_they_come_first() {
        let overdue = loan("L9", LoanProductType::Consumo, "CRÉDITO CONSUMO", Currency::PEN, 2);
        let up_to_date = loan("L1", LoanProductType::Consumo, "CRÉDITO CONSUMO", Currency::PEN, 0);
        let screen = |loan| Payment::Loan { loans: loans(), loan, options: Vec::new() };
        assert!(map_payment(&screen(overdue)).overdue);
        assert!(!map_payment(&screen(up_to_date)).overdue);
    }

    #[test]
    fn the_amount_is_typed_in_the_loans_currency() {
        let amount = |loan_id| Payment::Amount {
            order: order(loan_id, PaymentOption::PrepaymentReduceAmount),
            typed: String::new(),
            error: None,
        };
        assert_eq!(map_payment(&amount("L1")).currency, "S/");
        assert_eq!(map_payment(&amount("L2")).currency, Currency::USD.symbol());
    }

    #[test]
    fn the_summary_warns_of_the_exchange_only_across_currencies() {
        let summary = |loan_id, account_id| Payment::Summary {
            order: order(loan_id, PaymentOption::DueInstallment),
            quote: quote(loan_id, account_id),
            accounts: accounts(),
        };
        assert!(!map_payment(&summary("L1", "A1")).exchange, "soles from soles");
        assert!(map_payment(&summary("L2", "A1")).exchange, "dollars from soles");
    }

    #[test]
    fn the_done_screen_says_whether_the_loan_is_cancelled_and_a_refusal_offers_another_account() {
        let request = PaymentRequest {
            operation_id: Default::default(),
            loan_id: "L1".into(),
            debit_account_id: "A1".into(),
            option: PaymentOption::Total,
            amount: None,
            expected_debit: None,
        };
        let Ok(Reply::PaymentDone(mut payment)) = answer_command(&Command::Pay(request), start_time()) else {
            panic!("the scripted central pays");
        };
        let context = PaymentContext {
            loan_product: "CRÉDITO CONSUMO".into(),
            installment_before: None,
            installments_left_before: None,
            account_product_name: "CTA.AHORRO PN SOLES".into(),
            account_currency: Currency::PEN,
        };
        let done = |payment| Payment::Done { payment, context: context.clone() };
        assert!(!map_payment(&done(payment.clone())).loan_cancelled);
        payment.loan_cancelled = true;
        let cancelled = map_payment(&done(payment));
        assert!(cancelled.loan_cancelled);
    }
}
