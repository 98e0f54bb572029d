//! Issue 18: the loan answer says what each payment option charges (`option_terms`), computed with the core
//! like the quote, so what the kiosk shows an option charges is what the quote and the payment charge; and
//! the account list marks the accounts the customer may not draw on (`restricted`).

use rust_decimal::Decimal;
use serde_json::Value;
use servicaja_core::api::paths;

use crate::harness::{Harness, JESUS, MARIA, amount};
use crate::payments::{payment, quote_path};

fn terms<'a>(loan: &'a Value, option: &str) -> Option<&'a Value> {
    loan["option_terms"].as_array()?.iter().find(|t| t["option"] == option)
}

/// Defect 4 (MARIA): "Pagar cuota" on the overdue loan charges the overdue installments with their
/// moratorium and the due one; the loan answer says so, and the quote and the payment charge exactly that.
#[tokio::test]
async fn the_overdue_loans_due_installment_option_shows_what_the_quote_and_the_payment_charge() {
    let h = Harness::start().await;
    let token = h.login(MARIA).await;
    let loan = h.loan(&token, "L-00440001").await;
    let shown = amount(&terms(&loan, "due_installment").expect("the option is priced")["amount"]);
    let due = amount(&loan["due_installment"]["outstanding"]);
    let overdue = amount(&loan["overdue_amount"]);
    assert_eq!(shown, overdue + due, "overdue installments with their moratorium, and the due one");
    assert!(terms(&loan, "advance").is_none() && terms(&loan, "prepayment_reduce_amount").is_none(), "R6");
    let quote = h.get(&quote_path("L-00440001", "due_installment", "A-00131110", None), Some(&token)).await.ok();
    assert_eq!(amount(&quote["amount"]), shown);
    let done =
        h.post(paths::PAYMENTS, Some(&token), &payment("L-00440001", "A-00131110", "due_installment", None)).await.ok();
    assert_eq!(amount(&done["amount"]), shown);
    assert_eq!(done["installments_covered"], serde_json::json!([4, 5, 6]));
}

/// Every option of a current loan: the fixed amounts are what the quote charges, the advance's one and two
/// installments are accepted as they are, and a prepayment's range is exactly what the central accepts.
#[tokio::test]
async fn each_options_terms_are_what_the_central_accepts_and_charges() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let loan = h.loan(&token, "L-00340001").await;
    assert!(loan["exchange_rates"]["buy"].is_string(), "the day's rates come with the loan: {loan}");
    for option in ["due_installment", "total"] {
        let shown = amount(&terms(&loan, option).unwrap()["amount"]);
        let quote = h.get(&quote_path("L-00340001", option, "A-00121110", None), Some(&token)).await.ok();
        assert_eq!(amount(&quote["amount"]), shown, "{option}");
    }
    let advance = terms(&loan, "advance").unwrap()["installments"].as_array().unwrap().clone();
    assert_eq!(advance.len(), 2, "one and two installments");
    assert!(amount(&advance[0]) < amount(&advance[1]));
    for choice in &advance {
        let text = amount(choice).to_string();
        let quote = h.get(&quote_path("L-00340001", "advance", "A-00121110", Some(&text)), Some(&token)).await.ok();
        assert_eq!(amount(&quote["amount"]), amount(choice));
    }
    let cent = Decimal::new(1, 2);
    for option in ["prepayment_reduce_amount", "prepayment_reduce_count"] {
        let range = &terms(&loan, option).unwrap()["range"];
        let (min, max) = (amount(&range["min"]), amount(&range["max"]));
        assert_eq!(min, amount(&advance[1]) + cent, "more than two installments' worth");
        for accepted in [min, max] {
            h.get(&quote_path("L-00340001", option, "A-00121110", Some(&accepted.to_string())), Some(&token))
                .await
                .ok();
        }
        h.get(&quote_path("L-00340001", option, "A-00121110", Some(&(min - cent).to_string())), Some(&token))
            .await
            .problem("amount_invalid");
        // Above the top of the range no prepayment is taken (just under the payoff the core cannot make a
        // new schedule from a few cents of principal; the range stops where it can).
        let above =
            h.get(&quote_path("L-00340001", option, "A-00121110", Some(&(max + cent).to_string())), Some(&token)).await;
        assert!(!above.status.is_success(), "{option}: {} refused", max + cent);
    }
}

/// The intangible AFP account is listed as restricted; the others are not.
#[tokio::test]
async fn the_intangible_afp_account_is_listed_as_restricted() {
    let h = Harness::start().await;
    let token = h.login(JESUS).await;
    let accounts = h.get(paths::ACCOUNTS, Some(&token)).await.ok();
    for account in accounts.as_array().unwrap() {
        let restricted = account.get("restricted").and_then(Value::as_bool).unwrap_or(false);
        assert_eq!(restricted, account["id"] == "A-00121112", "{account}");
    }
}
