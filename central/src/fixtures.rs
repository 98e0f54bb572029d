//! The simulator's fixture data (`config/central/fixtures.toml`): customers, accounts and loans, with loan
//! dates relative to the day the fixtures are loaded so that "overdue" and "due" stay true on any day.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;
use serde::Deserialize;
use servicaja_core::api::{AccountStatus, LoanProductType, SignatureType};
use servicaja_core::loans::{Loan, LoanTerms, Paid, build};
use servicaja_core::money::{Currency, ExchangeRate};

use crate::CentralError;

/// The fixtures embedded in the binary.
pub const DEFAULT_FIXTURES: &str = include_str!("../../config/central/fixtures.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    pub exchange: ExchangeRate,
    pub customers: Vec<CustomerFixture>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerFixture {
    pub id: String,
    pub name: String,
    pub dni: String,
    pub card: String,
    /// The demo clave (this is a simulator).
    pub clave: String,
    #[serde(default)]
    pub card_locked: bool,
    pub phone: String,
    pub email: String,
    /// Data on record the enrollment questions are built from (R12); empty means "Sin asignar".
    pub birth_date: NaiveDate,
    #[serde(default)]
    pub profession: String,
    #[serde(default)]
    pub spouse_phone: String,
    pub employer_since: NaiveDate,
    #[serde(default)]
    pub accounts: Vec<AccountFixture>,
    #[serde(default)]
    pub loans: Vec<LoanFixture>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountFixture {
    pub id: String,
    pub number: String,
    pub product_name: String,
    pub currency: Currency,
    pub balance: Decimal,
    pub status: AccountStatus,
    pub signature: SignatureType,
    #[serde(default)]
    pub internet_purchases: bool,
    /// Funds the customer may not draw on at will (an intangible AFP deposit): listed with `restricted`.
    #[serde(default)]
    pub restricted: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoanFixture {
    pub id: String,
    pub number: String,
    pub product_type: LoanProductType,
    pub product_name: String,
    pub currency: Currency,
    pub principal: Decimal,
    pub tea: Decimal,
    pub moratorium_tea: Decimal,
    pub installments: u32,
    pub disbursed_months_ago: u32,
    pub installments_paid: u32,
}

impl Fixtures {
    pub fn parse(text: &str) -> Result<Self, CentralError> {
        let fixtures: Fixtures = toml::from_str(text).map_err(|e| CentralError::Fixtures(e.to_string()))?;
        fixtures.exchange.validate().map_err(|e| CentralError::Fixtures(e.to_string()))?;
        Ok(fixtures)
    }
}

impl LoanFixture {
    /// The loan's terms and state as of `today`: disbursed `disbursed_months_ago` months minus 10 days
    /// ago, with the first `installments_paid` installments settled on their due dates.
    pub fn state(&self, today: NaiveDate) -> Result<Loan, CentralError> {
        let problem = |what: &str| CentralError::Fixtures(format!("loan {}: {what}", self.id));
        let disbursement = today
            .checked_sub_months(Months::new(self.disbursed_months_ago))
            .and_then(|d| d.checked_add_days(chrono::Days::new(10)))
            .ok_or_else(|| problem("disbursement date out of range"))?;
        let first_due =
            disbursement.checked_add_months(Months::new(1)).ok_or_else(|| problem("first due date out of range"))?;
        let terms = LoanTerms {
            currency: self.currency,
            principal: self.principal,
            tea: self.tea,
            moratorium_tea: self.moratorium_tea,
            installments: self.installments,
            disbursement_date: disbursement,
            first_due_date: first_due,
            day_count: Default::default(),
            desgravamen: Default::default(),
        };
        let mut loan = build(&terms).map_err(|e| problem(&e.to_string()))?;
        for installment in loan.installments.iter_mut().take(self.installments_paid as usize) {
            installment.paid = Paid {
                principal: installment.principal,
                interest: installment.interest,
                insurance: installment.insurance,
                moratorium: Decimal::ZERO,
            };
        }
        Ok(loan)
    }
}
