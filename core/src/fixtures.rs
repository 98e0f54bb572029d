//! JESUS, the customer of the caja's guides, as bodies of the central contract: his card, DNI and clave,
//! profile, accounts and loans. The one set of customer fixtures that the session's tests, the UI's
//! scripted central and the screenshots share; behind the `fixtures` feature, so it is built only for them.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;

use crate::api::{
    Account, AccountStatus, AmountRange, ExchangeRates, Installment, InstallmentStatus, Loan, LoanProductType,
    LoanStatus, OptionTerms, PaymentOption, Profile, SignatureType,
};
use crate::money::{Currency, Money};

/// JESUS's card: a Luhn-valid test number.
pub const CARD: &str = "4111111111111111";
pub const DNI: &str = "10117410";
pub const CLAVE: &str = "482915";

/// 20 Nov 2026, 10:00 in Lima: the fixtures' day.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).single().unwrap_or_default()
}

/// An amount written as text, e.g. `money("520.00", Currency::PEN)`; zero when the text is not a number.
pub fn money(amount: &str, currency: Currency) -> Money {
    Money::new(amount.parse::<Decimal>().unwrap_or_default(), currency)
}

pub fn profile() -> Profile {
    Profile {
        customer_id: "C-0001".into(),
        name: "JESUS".into(),
        masked_phone: "95*****480".into(),
        email: "jesus@cmactacna.com.pe".into(),
        masked_card: "**** **** **** 1111".into(),
    }
}

/// A savings account of JESUS's kind, in the balance's currency.
pub fn account(id: &str, number: &str, balance: Money, status: AccountStatus, signature: SignatureType) -> Account {
    Account {
        id: id.into(),
        number: number.into(),
        product_name: if balance.currency == Currency::PEN { "AHORRO PN SOLES" } else { "AHORRO PN DÓLARES" }.into(),
        currency: balance.currency,
        balance,
        status,
        signature,
        internet_purchases: false,
        restricted: false,
    }
}

/// JESUS's accounts: individual PEN (A1) and USD (A4) accounts, a joint one (A2) and an inactive one (A3).
pub fn accounts() -> Vec<Account> {
    vec![
        account("A1", "00121110", money("2500.00", Currency::PEN), AccountStatus::Active, SignatureType::Individual),
        account("A2", "00121111", money("800.00", Currency::PEN), AccountStatus::Active, SignatureType::Joint),
        account("A3", "00121112", money("50.00", Currency::PEN), AccountStatus::Inactive, SignatureType::Individual),
        account("A4", "00121210", money("1000.00", Currency::USD), AccountStatus::Active, SignatureType::Individual),
    ]
}

/// The same accounts with A1 affiliated to internet purchases.
pub fn accounts_affiliated() -> Vec<Account> {
    let mut list = accounts();
    if let Some(first) = list.first_mut() {
        first.internet_purchases = true;
    }
    list
}

/// An installment of `amount`, all principal, due on 25 Nov 2026.
pub fn installment(number: u32, amount: Money, status: InstallmentStatus, days_late: u32) -> Installment {
    let zero = Money::zero(amount.currency);
    Installment {
        number,
        due_date: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default(),
        principal: amount,
        interest: zero,
        insurance: zero,
        moratorium: zero,
        total: amount,
        outstanding: amount,
        status,
        days_late,
    }
}

/// A loan of 10,000 with 6,000 outstanding, installment 11 of 24 (520.00) due, and `overdue` installments
/// overdue; pignoraticio loans are not payable at the kiosk (R8).
pub fn loan(id: &str, product: LoanProductType, name: &str, currency: Currency, overdue: u32) -> Loan {
    let payable = product != LoanProductType::Pignoraticio;
    Loan {
        id: id.into(),
        number: format!("0034-{id}"),
        product_type: product,
        product_name: name.into(),
        currency,
        status: LoanStatus::Current,
        disbursed: money("10000.00", currency),
        outstanding_principal: money("6000.00", currency),
        annual_rate_percent: "24.50".parse().unwrap_or_default(),
        installments_total: 24,
        installments_paid: 10,
        overdue_installments: overdue,
        overdue_amount: money(if overdue > 0 { "520.00" } else { "0" }, currency),
        due_installment: Some(installment(11, money("520.00", currency), InstallmentStatus::Due, 0)),
        kiosk_payable: payable,
        kiosk_refusal: (!payable).then(|| "Los créditos pignoraticios se pagan en ventanilla.".into()),
        option_terms: if payable { option_terms(currency, overdue) } else { Vec::new() },
        exchange_rates: Some(exchange_rates()),
    }
}

/// The same loan paid off: cancelled, nothing due.
pub fn cancelled(mut loan: Loan) -> Loan {
    loan.status = LoanStatus::Cancelled;
    loan.due_installment = None;
    loan.outstanding_principal = Money::zero(loan.currency);
    loan
}

/// The caja's rates of the fixtures' day.
pub fn exchange_rates() -> ExchangeRates {
    ExchangeRates {
        date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default(),
        buy: "3.35".parse().unwrap_or_default(),
        sell: "3.38".parse().unwrap_or_default(),
    }
}

/// What each option of a fixture loan charges: an installment of 520.00 (and as much overdue), a payoff of
/// 6,210.40; a partial prepayment from 1,040.01 to 6,210.39.
pub fn option_terms(currency: Currency, overdue: u32) -> Vec<OptionTerms> {
    let terms = |option, amount: Option<&str>, installments: &[&str], range: Option<(&str, &str)>| OptionTerms {
        option,
        amount: amount.map(|a| money(a, currency)),
        installments: installments.iter().map(|a| money(a, currency)).collect(),
        range: range.map(|(min, max)| AmountRange { min: money(min, currency), max: money(max, currency) }),
    };
    let due = if overdue > 0 { "1040.00" } else { "520.00" };
    let mut list = vec![
        terms(PaymentOption::DueInstallment, Some(due), &[], None),
        terms(PaymentOption::Total, Some("6210.40"), &[], None),
    ];
    if overdue == 0 {
        list.push(terms(PaymentOption::Advance, None, &["520.00", "1040.00"], None));
        for option in [PaymentOption::PrepaymentReduceAmount, PaymentOption::PrepaymentReduceCount] {
            list.push(terms(option, None, &[], Some(("1040.01", "6210.39"))));
        }
    }
    list
}

/// JESUS's loans: consumer loans in soles (L1) and dollars (L2), a pignoraticio (L3) and a cancelled one
/// (L4).
pub fn loans() -> Vec<Loan> {
    vec![
        loan("L1", LoanProductType::Consumo, "CRÉDITO CONSUMO", Currency::PEN, 0),
        loan("L2", LoanProductType::Consumo, "CRÉDITO CONSUMO DÓLARES", Currency::USD, 0),
        loan("L3", LoanProductType::Pignoraticio, "CRÉDITO PIGNORATICIO", Currency::PEN, 0),
        cancelled(loan("L4", LoanProductType::Consumo, "CRÉDITO MYPE", Currency::PEN, 0)),
    ]
}
