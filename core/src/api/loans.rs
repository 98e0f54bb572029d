//! Loans as the kiosk shows them: installments, the payment options' terms, the schedule, the day's exchange rates.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::accounts::Account;
use crate::money::{Currency, Money};

/// Loan product types as the caja names them; R8's channel exclusions are configured per type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanProductType {
    Consumo,
    Pyme,
    Hipotecario,
    MiVivienda,
    Agricola,
    AgricolaNoMensual,
    Pignoraticio,
    ConvenioConsumo,
    Plus,
    ConPeriodoDeGracia,
    Castigado,
    Judicial,
    Rfa,
    Pfe,
    Leasing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanStatus {
    /// Vigente: installments pending.
    Current,
    /// Cancelado: fully paid.
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstallmentStatus {
    Paid,
    /// Due date passed by at least one day (R6).
    Overdue,
    /// The installment payable in the current period (cuota exigible).
    Due,
    Pending,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Installment {
    pub number: u32,
    pub due_date: NaiveDate,
    pub principal: Money,
    pub interest: Money,
    /// Desgravamen premium.
    pub insurance: Money,
    /// Moratorium interest accrued to today when overdue.
    pub moratorium: Money,
    /// Principal + interest + insurance (+ moratorium when overdue).
    pub total: Money,
    /// Amount still unpaid of `total`.
    pub outstanding: Money,
    pub status: InstallmentStatus,
    pub days_late: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Loan {
    pub id: String,
    /// Loan number as the caja prints it.
    pub number: String,
    pub product_type: LoanProductType,
    /// Product name for screens ("CRÉDITO CONSUMO SOLES").
    pub product_name: String,
    pub currency: Currency,
    pub status: LoanStatus,
    pub disbursed: Money,
    pub outstanding_principal: Money,
    /// TEA, as a percentage ("24.50" means 24.50 %).
    pub annual_rate_percent: Decimal,
    pub installments_total: u32,
    pub installments_paid: u32,
    pub overdue_installments: u32,
    /// Sum still unpaid of the overdue installments.
    pub overdue_amount: Money,
    /// The installment payable now, if any.
    pub due_installment: Option<Installment>,
    /// R8: whether the kiosk channel may take payments for this loan.
    pub kiosk_payable: bool,
    /// Spanish reason when it may not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kiosk_refusal: Option<String>,
    /// What each payment option possible today charges (R6, R7), computed with the core's loan math — the
    /// figures the central's quote charges. Empty when the loan cannot be paid (cancelled, inconsistent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub option_terms: Vec<OptionTerms>,
    /// The caja's exchange rates the day the loan was read, for what a payment debits from an account in
    /// the other currency (R5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_rates: Option<ExchangeRates>,
}

impl Loan {
    /// The terms of `option`, when the central offers it today.
    pub fn terms(&self, option: PaymentOption) -> Option<&OptionTerms> {
        self.option_terms.iter().find(|t| t.option == option)
    }

    /// What paying now costs: the due installment with the overdue ones and their moratorium.
    pub fn due_now(&self) -> Option<Money> {
        self.terms(PaymentOption::DueInstallment).and_then(|t| t.amount)
    }

    /// What paying `amount` of this loan debits from `account`: the same amount in the loan's currency, or
    /// its conversion at the day's rate (the conversion the central's quote applies, R5). `None` when the
    /// currencies differ and the rates are unknown.
    pub fn debit_from(&self, amount: Money, account: &Account) -> Option<Money> {
        if account.currency == amount.currency {
            return Some(amount);
        }
        let rates = self.exchange_rates.as_ref()?;
        let rate = crate::money::ExchangeRate { buy: rates.buy, sell: rates.sell };
        rate.convert_for_payment(amount, account.currency).ok().map(|c| c.debited)
    }
}

/// What one payment option charges today (R6, R7). Options with one amount (the due installment, the total)
/// carry `amount`; the advance offers whole installments (`installments`: one installment, then two); a
/// partial prepayment takes a typed amount within `range`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionTerms {
    pub option: PaymentOption,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// Advance: what paying 1 and 2 installments costs, in that order (fewer when the loan ends sooner).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub installments: Vec<Money>,
    /// Partial prepayments: the smallest and the largest amount accepted, both included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<AmountRange>,
}

/// An inclusive range of amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountRange {
    pub min: Money,
    pub max: Money,
}

impl AmountRange {
    pub fn contains(&self, amount: Money) -> bool {
        amount.currency == self.min.currency && self.min.amount <= amount.amount && amount.amount <= self.max.amount
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoanSchedule {
    pub loan_id: String,
    pub currency: Currency,
    pub installments: Vec<Installment>,
}

/// What the customer chose to pay (R6, R7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentOption {
    /// Overdue installments plus the installment due now.
    DueInstallment,
    /// Up to two installments' worth (incl. the due one), applied to the next installments; no new schedule.
    Advance,
    /// More than two installments' worth applied to principal; keeps the term, lowers the installment.
    PrepaymentReduceAmount,
    /// More than two installments' worth applied to principal; keeps the installment, shortens the term.
    PrepaymentReduceCount,
    /// Cancels the loan.
    Total,
}

/// Query of `GET /v1/loans/{loan_id}/quote`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteQuery {
    pub option: PaymentOption,
    pub debit_account_id: String,
    /// In the loan's currency; needed for advance and partial prepayment, ignored otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
}

/// The caja's exchange rates of the day, soles per dollar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangeRates {
    pub date: NaiveDate,
    /// Soles the caja pays for one dollar (customer sells USD).
    pub buy: Decimal,
    /// Soles the caja charges for one dollar (customer buys USD).
    pub sell: Decimal,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AccountStatus, SignatureType};

    #[test]
    fn a_debit_from_another_currency_uses_the_days_rate_as_the_quote_does() {
        let rates = ExchangeRates {
            date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            buy: "3.720".parse().unwrap(),
            sell: "3.780".parse().unwrap(),
        };
        let account = |currency| Account {
            id: "A".into(),
            number: "1".into(),
            product_name: "CTA".into(),
            currency,
            balance: Money::new(Decimal::ONE_HUNDRED, currency),
            status: AccountStatus::Active,
            signature: SignatureType::Individual,
            internet_purchases: false,
            restricted: false,
        };
        let loan: Loan = serde_json::from_value(serde_json::json!({
            "id": "L", "number": "1", "product_type": "consumo", "product_name": "C", "currency": "PEN",
            "status": "current", "disbursed": {"amount": "1000", "currency": "PEN"},
            "outstanding_principal": {"amount": "1000", "currency": "PEN"}, "annual_rate_percent": "20",
            "installments_total": 12, "installments_paid": 1, "overdue_installments": 0,
            "overdue_amount": {"amount": "0", "currency": "PEN"}, "due_installment": null, "kiosk_payable": true,
        }))
        .unwrap();
        let owed = Money::pen(Decimal::new(37200, 2));
        assert_eq!(loan.debit_from(owed, &account(Currency::PEN)), Some(owed), "same currency");
        assert_eq!(loan.debit_from(owed, &account(Currency::USD)), None, "no rates: unknown");
        let loan = Loan { exchange_rates: Some(rates), ..loan };
        assert_eq!(loan.debit_from(owed, &account(Currency::USD)), Some(Money::usd(Decimal::ONE_HUNDRED)));
        let mut restricted = account(Currency::PEN);
        assert!(restricted.debitable_alone());
        restricted.restricted = true;
        assert!(!restricted.debitable_alone());
        let range = AmountRange { min: Money::pen(Decimal::ONE), max: Money::pen(Decimal::TEN) };
        assert!(range.contains(Money::pen(Decimal::TEN)) && !range.contains(Money::usd(Decimal::TWO)));
    }
}
