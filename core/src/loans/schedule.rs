//! French-method (fixed-installment) schedules with interest on exact days: the cronograma of a loan.
//!
//! Interest for a period of `d` days is `(1 + TEA)^(d/360) − 1` on the opening balance (the caja's
//! convention: an effective annual rate over a 360-day year). The fixed installment (principal + interest)
//! is the one that brings the balance to zero after the last period; every amount is rounded to cents
//! half-up and the last installment absorbs the rounding difference.
//!
//! Terms whose installment cannot do that in cents are refused rather than turned into a balloon (a very
//! long term at a very high rate, where the installment is all interest): see [`ScheduleError::NotAmortizing`]
//! and [`ScheduleError::LastInstallmentTooLarge`].

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::prelude::MathematicalOps;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::payment::Breakdown;
use crate::money::Currency;

/// The longest schedule the core builds (40 years of monthly installments).
pub const MAX_INSTALLMENTS: u32 = 480;
/// The highest TEA accepted (500 %): far above any legal cap, low enough that no power overflows.
pub const MAX_TEA: Decimal = Decimal::from_parts(5, 0, 0, false, 0);
/// The largest amount a loan may carry (a trillion): far above any real loan, low enough that no sum or
/// product of a schedule overflows a decimal.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);
/// The longest first period accepted between disbursement and the first due date (a grace period
/// included).
pub const MAX_FIRST_PERIOD_DAYS: i64 = 366;

/// How the days of a period are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Calendar days between the two dates (the caja's schedules).
    #[default]
    Actual,
    /// 30E/360: every full month counts 30 days (the textbook annuity; used to check the method).
    Thirty360,
}

impl DayCount {
    /// Days from `from` to `to` under this convention; never negative.
    pub fn days(self, from: NaiveDate, to: NaiveDate) -> u32 {
        let days = match self {
            DayCount::Actual => (to - from).num_days(),
            DayCount::Thirty360 => {
                let d1 = i64::from(from.day().min(30));
                let d2 = i64::from(to.day().min(30));
                360 * i64::from(to.year() - from.year())
                    + 30 * (i64::from(to.month()) - i64::from(from.month()))
                    + (d2 - d1)
            }
        };
        u32::try_from(days.max(0)).unwrap_or(u32::MAX)
    }
}

/// The desgravamen (credit life) premium carried by each installment, if the loan has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Desgravamen {
    /// No premium in the schedule (the customer endorsed an outside policy).
    #[default]
    None,
    /// The same premium on every installment.
    FixedPremium(Decimal),
    /// A monthly rate on the installment's opening balance (saldo insoluto), e.g. `0.00077`.
    MonthlyRateOnBalance(Decimal),
}

impl Desgravamen {
    /// The premium of one installment whose period opens with `opening_balance`.
    pub fn premium(self, opening_balance: Decimal) -> Decimal {
        match self {
            Desgravamen::None => Decimal::ZERO,
            Desgravamen::FixedPremium(amount) => round_cents(amount),
            Desgravamen::MonthlyRateOnBalance(rate) => round_cents(opening_balance * rate),
        }
    }
}

/// What the borrower signed: everything a schedule is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanTerms {
    pub currency: Currency,
    pub principal: Decimal,
    /// Effective annual rate as a fraction: `0.2599` for a TEA of 25.99 %.
    pub tea: Decimal,
    /// Effective annual moratorium rate as a fraction, charged per day on overdue principal.
    pub moratorium_tea: Decimal,
    pub installments: u32,
    pub disbursement_date: NaiveDate,
    pub first_due_date: NaiveDate,
    #[serde(default)]
    pub day_count: DayCount,
    #[serde(default)]
    pub desgravamen: Desgravamen,
}

/// What has been paid on one installment, component by component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Paid {
    pub principal: Decimal,
    pub interest: Decimal,
    pub insurance: Decimal,
    pub moratorium: Decimal,
}

impl Paid {
    /// Everything paid on the installment, moratorium included.
    pub fn total(&self) -> Decimal {
        self.principal + self.interest + self.insurance + self.moratorium
    }
}

/// One row of the cronograma, with what has been paid on it so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installment {
    pub number: u32,
    pub due_date: NaiveDate,
    /// The date this installment's interest starts to run (the previous due date, the disbursement, or
    /// the date of a prepayment that rebuilt the schedule).
    pub period_start: NaiveDate,
    /// Days of interest in this installment's period.
    pub days: u32,
    /// Principal owed when the period opens (saldo de capital).
    pub opening_balance: Decimal,
    pub principal: Decimal,
    pub interest: Decimal,
    /// Desgravamen premium.
    pub insurance: Decimal,
    #[serde(default)]
    pub paid: Paid,
}

impl Installment {
    /// The installment's scheduled amount: principal + interest + insurance.
    pub fn amount(&self) -> Decimal {
        self.principal + self.interest + self.insurance
    }

    /// What remains to pay of the scheduled amount (moratorium not included).
    pub fn remaining(&self) -> Decimal {
        (self.principal - self.paid.principal)
            + (self.interest - self.paid.interest)
            + (self.insurance - self.paid.insurance)
    }

    pub fn remaining_principal(&self) -> Decimal {
        self.principal - self.paid.principal
    }

    pub fn is_settled(&self) -> bool {
        self.remaining() <= Decimal::ZERO
    }
}

/// Why a schedule cannot be built from the given terms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ScheduleError {
    #[error("el capital debe ser mayor que cero, en céntimos y de hasta {max} (se recibió {0})", max = MAX_AMOUNT)]
    InvalidPrincipal(Decimal),
    #[error("la TEA debe estar entre 0 y {max} (como fracción; se recibió {tea})", max = MAX_TEA)]
    InvalidRate { tea: Decimal },
    #[error("la tasa moratoria debe estar entre 0 y {max} (como fracción; se recibió {rate})", max = MAX_TEA)]
    InvalidMoratoriumRate { rate: Decimal },
    #[error("el número de cuotas debe estar entre 1 y {max} (se recibió {count})", max = MAX_INSTALLMENTS)]
    InvalidInstallmentCount { count: u32 },
    #[error(
        "la primera cuota debe vencer entre 1 y {max} días después del desembolso ({disbursement} → {first_due})",
        max = MAX_FIRST_PERIOD_DAYS
    )]
    InvalidFirstDueDate { disbursement: NaiveDate, first_due: NaiveDate },
    #[error("la prima de desgravamen debe ser un monto no negativo o una tasa mensual entre 0 y 1")]
    InvalidDesgravamen,
    #[error("las fechas del cronograma exceden el calendario")]
    DateOutOfRange,
    #[error("el cálculo excede la precisión decimal; revise el capital y la tasa")]
    Overflow,
    /// The installment does not exceed the interest a regular period charges on the balance: the rows
    /// would pay no principal and the whole loan would fall on the last one.
    #[error(
        "con este plazo y esta tasa la cuota ({installment}) no amortiza: no supera el interés de un periodo \
         sobre el saldo de capital ({interest}); acorte el plazo o baje la tasa"
    )]
    NotAmortizing { installment: Decimal, interest: Decimal },
    /// The installment amortizes, but no installment in cents closes the schedule on its last due date:
    /// the last row (principal and interest) would exceed the others by more than one installment.
    ///
    /// Why one installment: the last row absorbs the rounding of the installment and of each row's interest
    /// to cents, under half a cent each per row, compounded at the loan's rate until the end. So the
    /// excess is at most what one cent per row grows to over the term, `0.01 × s(n, i)` (the future value
    /// of a one-cent annuity). While that is below one installment, as on every ordinary term, the last row
    /// is within one installment of the others — in practice within cents or a few soles. An excess beyond
    /// one installment can only happen when one cent on the installment grows to more than an installment
    /// over the term: cents can no longer express a French schedule for those terms, and what is left is a
    /// balloon payment the customer did not sign for.
    #[error(
        "con este plazo y esta tasa la última cuota ({last}) excedería a las demás ({installment}) en más de \
         una cuota; acorte el plazo o baje la tasa"
    )]
    LastInstallmentTooLarge { installment: Decimal, last: Decimal },
}

/// A loan's schedule and payment state: the input and the output of every payment operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loan {
    pub currency: Currency,
    /// The principal disbursed.
    pub principal: Decimal,
    pub tea: Decimal,
    pub moratorium_tea: Decimal,
    pub day_count: DayCount,
    pub desgravamen: Desgravamen,
    pub disbursement_date: NaiveDate,
    /// The fixed part of each installment (principal + interest) of the current schedule; the last
    /// installment may differ.
    pub fixed_payment: Decimal,
    /// The schedule in force: rows settled so far and the rows still to pay. A prepayment replaces the
    /// rows from the current period on.
    pub installments: Vec<Installment>,
    /// Every prepayment made, oldest first: together with the rows, the whole principal is accounted for.
    #[serde(default)]
    pub prepayments: Vec<PrepaymentRecord>,
}

/// A prepayment as it changed the loan: what it paid and what it moved from earlier advances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepaymentRecord {
    pub date: NaiveDate,
    /// Whether it cancelled the loan (total) or rebuilt the schedule (partial).
    pub cancelled: bool,
    /// The prepayment proper (interest to date, the period's insurance, principal); overdue installments
    /// paid together with it are in their rows.
    pub applied: Breakdown,
    /// Interest and insurance paid in advance on replaced rows, moved to principal.
    pub advance_credit: Decimal,
    /// Principal already paid in advance on the replaced rows.
    pub principal_paid_in_advance: Decimal,
    /// Credit beyond the principal owed, owed back to the customer.
    pub refund: Decimal,
}

/// Rounds to cents, half away from zero (half-up for the positive amounts of a schedule).
pub fn round_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The period rate for `days` days at `tea`: `(1 + tea)^(days/360) − 1`, unrounded.
pub fn period_rate(tea: Decimal, days: u32) -> Option<Decimal> {
    if days == 0 || tea.is_zero() {
        return Some(Decimal::ZERO);
    }
    let exponent = Decimal::from(days).checked_div(Decimal::from(360))?;
    let factor = (Decimal::ONE + tea).checked_powd(exponent)?;
    Some(factor - Decimal::ONE)
}

/// Interest on `balance` for `days` days at `tea`, rounded to cents.
pub fn interest_for(balance: Decimal, tea: Decimal, days: u32) -> Option<Decimal> {
    Some(round_cents(balance.checked_mul(period_rate(tea, days)?)?))
}

/// Monthly due dates: the first one and the same day of each following month, clamped to the month's
/// end (a loan due on the 31st falls due on 28/29 February and 30 April).
pub fn monthly_due_dates(first_due: NaiveDate, count: u32) -> Result<Vec<NaiveDate>, ScheduleError> {
    (0..count).map(|k| first_due.checked_add_months(Months::new(k)).ok_or(ScheduleError::DateOutOfRange)).collect()
}

fn valid_rate(rate: Decimal) -> bool {
    rate >= Decimal::ZERO && rate <= MAX_TEA
}

fn is_cents(amount: Decimal) -> bool {
    amount.normalize().scale() <= 2
}

/// Builds the schedule of a new loan.
pub fn build(terms: &LoanTerms) -> Result<Loan, ScheduleError> {
    if terms.principal <= Decimal::ZERO || terms.principal > MAX_AMOUNT || !is_cents(terms.principal) {
        return Err(ScheduleError::InvalidPrincipal(terms.principal));
    }
    if !valid_rate(terms.tea) {
        return Err(ScheduleError::InvalidRate { tea: terms.tea });
    }
    if !valid_rate(terms.moratorium_tea) {
        return Err(ScheduleError::InvalidMoratoriumRate { rate: terms.moratorium_tea });
    }
    if terms.installments == 0 || terms.installments > MAX_INSTALLMENTS {
        return Err(ScheduleError::InvalidInstallmentCount { count: terms.installments });
    }
    let first_period = (terms.first_due_date - terms.disbursement_date).num_days();
    if !(1..=MAX_FIRST_PERIOD_DAYS).contains(&first_period) {
        return Err(ScheduleError::InvalidFirstDueDate {
            disbursement: terms.disbursement_date,
            first_due: terms.first_due_date,
        });
    }
    match terms.desgravamen {
        Desgravamen::FixedPremium(value) if value < Decimal::ZERO || value > MAX_AMOUNT => {
            return Err(ScheduleError::InvalidDesgravamen);
        }
        Desgravamen::MonthlyRateOnBalance(value) if value < Decimal::ZERO || value > Decimal::ONE => {
            return Err(ScheduleError::InvalidDesgravamen);
        }
        _ => {}
    }
    let due_dates = monthly_due_dates(terms.first_due_date, terms.installments)?;
    let plan = PeriodPlan {
        tea: terms.tea,
        day_count: terms.day_count,
        desgravamen: terms.desgravamen,
        start: terms.disbursement_date,
        first_number: 1,
    };
    let (fixed_payment, installments) = plan.amortize_to_zero(terms.principal, &due_dates)?;
    Ok(Loan {
        currency: terms.currency,
        principal: terms.principal,
        tea: terms.tea,
        moratorium_tea: terms.moratorium_tea,
        day_count: terms.day_count,
        desgravamen: terms.desgravamen,
        disbursement_date: terms.disbursement_date,
        fixed_payment,
        installments,
        prepayments: Vec::new(),
    })
}

/// How a (re)schedule's periods are laid out: where interest starts and how rows are numbered. Public so
/// that an independent model (the end-to-end model test) can rebuild a schedule from a loan's history.
#[derive(Debug, Clone, Copy)]
pub struct PeriodPlan {
    pub tea: Decimal,
    pub day_count: DayCount,
    pub desgravamen: Desgravamen,
    /// The date interest starts to run for the first period.
    pub start: NaiveDate,
    pub first_number: u32,
}

impl PeriodPlan {
    fn day_counts(&self, due_dates: &[NaiveDate]) -> Vec<u32> {
        let mut previous = self.start;
        due_dates
            .iter()
            .map(|&due| {
                let days = self.day_count.days(previous, due);
                previous = due;
                days
            })
            .collect()
    }

    /// The period rate of each period; periods of equal length share one power computation.
    fn rates(&self, days: &[u32]) -> Result<Vec<Decimal>, ScheduleError> {
        let mut known: Vec<(u32, Decimal)> = Vec::new();
        days.iter()
            .map(|&d| {
                if let Some(&(_, rate)) = known.iter().find(|(k, _)| *k == d) {
                    return Ok(rate);
                }
                let rate = period_rate(self.tea, d).ok_or(ScheduleError::Overflow)?;
                known.push((d, rate));
                Ok(rate)
            })
            .collect()
    }

    /// The fixed payment that amortizes `balance` to zero over `due_dates`, and the rows it gives.
    pub fn amortize_to_zero(
        &self,
        balance: Decimal,
        due_dates: &[NaiveDate],
    ) -> Result<(Decimal, Vec<Installment>), ScheduleError> {
        let days = self.day_counts(due_dates);
        let rates = self.rates(&days)?;
        // Fixed payment R = B / Σ_k Π_{j≤k} 1/(1+i_j): the sum of the discount factors of each due date.
        let mut discount = Decimal::ONE;
        let mut sum_of_discounts = Decimal::ZERO;
        for rate in &rates {
            discount = discount.checked_div(Decimal::ONE + rate).ok_or(ScheduleError::Overflow)?;
            sum_of_discounts = sum_of_discounts.checked_add(discount).ok_or(ScheduleError::Overflow)?;
        }
        if sum_of_discounts <= Decimal::ZERO {
            return Err(ScheduleError::Overflow);
        }
        let mut fixed = round_cents(balance.checked_div(sum_of_discounts).ok_or(ScheduleError::Overflow)?);
        let mut rows = self.rows_with_payment(balance, due_dates, &days, &rates, fixed)?;
        // The closed form assumes every period amortizes. When a period's interest exceeds the installment
        // (a long first period, a 31-day month at a very high rate) that row pays interest only and the
        // closed form no longer closes the schedule: search the smallest installment, in cents, whose last
        // row does not exceed it.
        let interest_only = rows.iter().any(|row| row.principal.is_zero() && row.interest > fixed);
        if interest_only || rows.len() < due_dates.len() {
            fixed = self.fixed_by_search(balance, &rates)?;
            rows = self.rows_with_payment(balance, due_dates, &days, &rates, fixed)?;
            // At extreme rates and terms one cent on the installment moves the last row by more than an
            // installment: keep every due date and let the last row be the larger one.
            if rows.len() < due_dates.len() && fixed > Decimal::ZERO {
                fixed -= Decimal::new(1, 2);
                rows = self.rows_with_payment(balance, due_dates, &days, &rates, fixed)?;
            }
        }
        check_amortizes(balance, &rates, fixed, &rows)?;
        Ok((fixed, rows))
    }

    /// The smallest installment, in cents, for which the last row's payment does not exceed it (bisection:
    /// the last payment falls as the installment grows).
    fn fixed_by_search(&self, balance: Decimal, rates: &[Decimal]) -> Result<Decimal, ScheduleError> {
        let last_payment = |fixed: Decimal| -> Result<Decimal, ScheduleError> {
            let mut opening = balance;
            let count = rates.len();
            for (index, rate) in rates.iter().enumerate() {
                let interest = round_cents(opening.checked_mul(*rate).ok_or(ScheduleError::Overflow)?);
                if index + 1 == count {
                    return Ok(opening + interest);
                }
                opening -= (fixed - interest).max(Decimal::ZERO).min(opening);
            }
            Ok(Decimal::ZERO)
        };
        let total_rate: Decimal = rates.iter().sum();
        let mut low = Decimal::ZERO;
        let mut high = round_cents(balance * (Decimal::ONE + total_rate)) + Decimal::ONE;
        if last_payment(low)? <= low {
            return Ok(low);
        }
        let cent = Decimal::new(1, 2);
        // Invariant: last_payment(low) > low and last_payment(high) <= high.
        while high - low > cent {
            let middle = round_cents((low + high) / Decimal::TWO);
            if last_payment(middle)? <= middle {
                high = middle;
            } else {
                low = middle;
            }
        }
        Ok(high)
    }

    /// Rows paying `fixed` per period until the balance is gone, at most one per due date; the last row
    /// takes whatever principal remains.
    pub fn amortize_with_payment(
        &self,
        balance: Decimal,
        due_dates: &[NaiveDate],
        fixed: Decimal,
    ) -> Result<Vec<Installment>, ScheduleError> {
        let days = self.day_counts(due_dates);
        let rates = self.rates(&days)?;
        self.rows_with_payment(balance, due_dates, &days, &rates, fixed)
    }

    fn rows_with_payment(
        &self,
        balance: Decimal,
        due_dates: &[NaiveDate],
        days: &[u32],
        rates: &[Decimal],
        fixed: Decimal,
    ) -> Result<Vec<Installment>, ScheduleError> {
        let mut rows = Vec::with_capacity(due_dates.len());
        let mut opening = balance;
        let mut period_start = self.start;
        let count = due_dates.len();
        for (index, ((&due_date, &d), rate)) in due_dates.iter().zip(days).zip(rates).enumerate() {
            let interest = round_cents(opening.checked_mul(*rate).ok_or(ScheduleError::Overflow)?);
            let is_last = index + 1 == count;
            let mut principal = (fixed - interest).max(Decimal::ZERO);
            if is_last || principal >= opening {
                principal = opening;
            }
            let number = self.first_number.saturating_add(u32::try_from(index).unwrap_or(u32::MAX));
            rows.push(Installment {
                number,
                due_date,
                period_start,
                days: d,
                opening_balance: opening,
                principal,
                interest,
                insurance: self.desgravamen.premium(opening),
                paid: Paid::default(),
            });
            opening -= principal;
            period_start = due_date;
            if opening <= Decimal::ZERO {
                break;
            }
        }
        Ok(rows)
    }
}

/// Refuses a schedule that is not one of fixed installments repaying the loan:
/// - the installment must exceed the interest that the balance left after the first period accrues over
///   the shortest regular period (every period but the first, which may be a longer grace-like period paid
///   interest only). Equality is refused too: an installment that is all interest pays nothing off, and
///   with equal periods no row would ever pay principal until the last one took the whole loan. (With
///   exact-day interest a 31-day month may still charge more than the installment at high rates; such a
///   row pays its interest in full and no principal, and the last-row bound below keeps the schedule
///   honest.)
/// - the last row (principal and interest) may exceed the installment by one installment at most (why:
///   [`ScheduleError::LastInstallmentTooLarge`]).
fn check_amortizes(
    balance: Decimal,
    rates: &[Decimal],
    fixed: Decimal,
    rows: &[Installment],
) -> Result<(), ScheduleError> {
    if let Some(shortest) = rates.iter().skip(1).min() {
        let opening = rows.get(1).map_or(balance, |second| second.opening_balance);
        let interest = round_cents(opening.checked_mul(*shortest).ok_or(ScheduleError::Overflow)?);
        if fixed <= interest {
            return Err(ScheduleError::NotAmortizing { installment: fixed, interest });
        }
    }
    if let Some(last) = rows.last() {
        let amount = last.principal + last.interest;
        if amount - fixed > fixed {
            return Err(ScheduleError::LastInstallmentTooLarge { installment: fixed, last: amount });
        }
    }
    Ok(())
}

impl Loan {
    /// Checks a loan that arrived as data (from storage or the network) before any computation on it:
    /// amounts within range and consistent, dates in order. `Err` names the first inconsistency.
    pub fn check_state(&self) -> Result<(), String> {
        let in_range = |value: Decimal| value >= Decimal::ZERO && value <= MAX_AMOUNT;
        if !valid_rate(self.tea) || !valid_rate(self.moratorium_tea) {
            return Err("tasa fuera de rango".into());
        }
        if !in_range(self.principal) || !in_range(self.fixed_payment) {
            return Err("capital o cuota fuera de rango".into());
        }
        if self.installments.len() > MAX_INSTALLMENTS as usize || self.prepayments.len() > MAX_INSTALLMENTS as usize {
            return Err("demasiadas cuotas".into());
        }
        let mut previous_due: Option<NaiveDate> = None;
        for row in &self.installments {
            let amounts = [row.opening_balance, row.principal, row.interest, row.insurance, row.paid.moratorium];
            if !amounts.into_iter().all(in_range) {
                return Err(format!("cuota {}: monto fuera de rango", row.number));
            }
            let paid_ok = [
                (row.paid.principal, row.principal),
                (row.paid.interest, row.interest),
                (row.paid.insurance, row.insurance),
            ]
            .into_iter()
            .all(|(paid, due)| paid >= Decimal::ZERO && paid <= due);
            if !paid_ok {
                return Err(format!("cuota {}: lo pagado excede lo programado", row.number));
            }
            if row.period_start > row.due_date || previous_due.is_some_and(|p| p >= row.due_date) {
                return Err(format!("cuota {}: fechas fuera de orden", row.number));
            }
            previous_due = Some(row.due_date);
        }
        Ok(())
    }

    /// Principal still owed: the unpaid principal of every installment.
    pub fn outstanding_principal(&self) -> Decimal {
        self.installments.iter().map(Installment::remaining_principal).sum()
    }

    /// Principal accounted for by the rows and the prepayments; equals `principal` at every moment.
    pub fn principal_accounted_for(&self) -> Decimal {
        let rows: Decimal = self.installments.iter().map(|i| i.principal).sum();
        let prepaid: Decimal =
            self.prepayments.iter().map(|p| p.applied.principal + p.advance_credit + p.principal_paid_in_advance).sum();
        rows + prepaid
    }

    /// Whether every installment is fully paid.
    pub fn is_cancelled(&self) -> bool {
        self.installments.iter().all(Installment::is_settled)
    }

    /// The first installment not yet fully paid.
    pub fn next_unpaid(&self) -> Option<&Installment> {
        self.installments.iter().find(|i| !i.is_settled())
    }

    /// Installments not yet fully paid.
    pub fn unpaid_count(&self) -> u32 {
        u32::try_from(self.installments.iter().filter(|i| !i.is_settled()).count()).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn terms(principal: Decimal, tea: Decimal, n: u32) -> LoanTerms {
        LoanTerms {
            currency: Currency::PEN,
            principal,
            tea,
            moratorium_tea: dec!(0.10),
            installments: n,
            disbursement_date: date(2025, 1, 15),
            first_due_date: date(2025, 2, 15),
            day_count: DayCount::Actual,
            desgravamen: Desgravamen::None,
        }
    }

    #[test]
    fn due_dates_keep_the_day_and_clamp_to_month_end() {
        let dates = monthly_due_dates(date(2024, 1, 31), 4).unwrap();
        assert_eq!(dates, vec![date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]);
    }

    #[test]
    fn thirty_360_counts_thirty_days_per_month() {
        assert_eq!(DayCount::Thirty360.days(date(2025, 1, 31), date(2025, 2, 28)), 28);
        assert_eq!(DayCount::Thirty360.days(date(2025, 1, 15), date(2025, 2, 15)), 30);
        assert_eq!(DayCount::Thirty360.days(date(2025, 1, 15), date(2026, 1, 15)), 360);
        assert_eq!(DayCount::Actual.days(date(2025, 1, 15), date(2025, 2, 15)), 31);
    }

    #[test]
    fn period_rate_matches_floating_point_power() {
        for (tea, days) in [(dec!(0.2599), 31u32), (dec!(0.45), 28), (dec!(1.10), 30), (dec!(0.12), 360)] {
            let expected = (1.0 + f64::try_from(tea).unwrap()).powf(f64::from(days) / 360.0) - 1.0;
            let got = f64::try_from(period_rate(tea, days).unwrap()).unwrap();
            assert!((got - expected).abs() < 1e-12, "tea {tea} days {days}: {got} vs {expected}");
        }
        assert_eq!(period_rate(dec!(0.12), 360).unwrap().round_dp(12), dec!(0.12));
    }

    #[test]
    fn schedule_amortizes_to_zero_and_the_last_installment_absorbs_rounding() {
        let loan = build(&terms(dec!(10000), dec!(0.3599), 12)).unwrap();
        assert_eq!(loan.installments.len(), 12);
        let principal: Decimal = loan.installments.iter().map(|i| i.principal).sum();
        assert_eq!(principal, dec!(10000));
        for row in &loan.installments[..11] {
            assert_eq!(row.principal + row.interest, loan.fixed_payment);
        }
        let last = &loan.installments[11];
        assert!((last.principal + last.interest - loan.fixed_payment).abs() < dec!(0.50));
        assert_eq!(loan.installments[0].days, 31);
        assert_eq!(loan.installments[1].days, 28);
    }

    #[test]
    fn thirty_day_periods_match_the_annuity_formula_to_the_cent() {
        for (principal, tea, n) in
            [(dec!(10000), dec!(0.2599), 12u32), (dec!(3500), dec!(0.4592), 18), (dec!(150000), dec!(0.1150), 240)]
        {
            let mut t = terms(principal, tea, n);
            t.day_count = DayCount::Thirty360;
            let loan = build(&t).unwrap();
            let p = f64::try_from(principal).unwrap();
            let i = (1.0 + f64::try_from(tea).unwrap()).powf(1.0 / 12.0) - 1.0;
            let annuity = p * i / (1.0 - (1.0 + i).powi(-i32::try_from(n).unwrap()));
            let expected = Decimal::try_from((annuity * 100.0).round() / 100.0).unwrap().round_dp(2);
            assert_eq!(loan.fixed_payment, expected, "P={principal} TEA={tea} n={n}");
            assert!(loan.installments.iter().all(|i| i.days == 30));
        }
    }

    #[test]
    fn exact_day_installment_matches_an_independent_present_value() {
        // R = P / Σ_k Π_{j≤k} (1 + TEA)^(-d_j/360), computed here in floating point from the calendar.
        let t = terms(dec!(8500), dec!(0.4192), 18);
        let loan = build(&t).unwrap();
        let dates = monthly_due_dates(t.first_due_date, 18).unwrap();
        let mut previous = t.disbursement_date;
        let (mut discount, mut sum) = (1.0_f64, 0.0_f64);
        for due in dates {
            let days = (due - previous).num_days() as f64;
            discount /= (1.0 + 0.4192_f64).powf(days / 360.0);
            sum += discount;
            previous = due;
        }
        let expected = Decimal::try_from((8500.0 / sum * 100.0).round() / 100.0).unwrap().round_dp(2);
        assert_eq!(loan.fixed_payment, expected);
        // February's 28 days carry a lower period rate than March's 31.
        let (february, march) = (&loan.installments[1], &loan.installments[2]);
        assert_eq!((february.days, march.days), (28, 31));
        assert!(february.interest / february.opening_balance < march.interest / march.opening_balance);
    }

    #[test]
    fn zero_rate_divides_the_principal_evenly() {
        let loan = build(&terms(dec!(1000), dec!(0), 3)).unwrap();
        assert_eq!(loan.fixed_payment, dec!(333.33));
        assert_eq!(loan.installments[2].principal, dec!(333.34));
        assert!(loan.installments.iter().all(|i| i.interest.is_zero()));
    }

    #[test]
    fn desgravamen_on_balance_follows_the_balance() {
        let mut t = terms(dec!(20000), dec!(0.25), 6);
        t.desgravamen = Desgravamen::MonthlyRateOnBalance(dec!(0.0008));
        let loan = build(&t).unwrap();
        assert_eq!(loan.installments[0].insurance, dec!(16.00));
        assert!(loan.installments[5].insurance < dec!(16.00));
        t.desgravamen = Desgravamen::FixedPremium(dec!(9.5));
        assert!(build(&t).unwrap().installments.iter().all(|i| i.insurance == dec!(9.50)));
    }

    #[test]
    fn an_installment_that_is_all_interest_is_refused_not_turned_into_a_balloon() {
        // Found by random testing: 359 rows of S/ 5,194.04 paying no principal, then S/ 80,801.99. The
        // French installment rounds to exactly the monthly interest (the guard tested `>`, not `>=`).
        let mut t = terms(dec!(75607.95), dec!(1.2195), 360);
        t.day_count = DayCount::Thirty360;
        let err = build(&t).unwrap_err();
        assert_eq!(err, ScheduleError::NotAmortizing { installment: dec!(5194.04), interest: dec!(5194.04) });
        assert!(err.to_string().contains("no amortiza"), "{err}");
        // The same loan over a term cents can express builds, every row paying principal.
        t.installments = 60;
        let loan = build(&t).unwrap();
        assert!(loan.installments.iter().all(|row| row.principal > Decimal::ZERO));
    }

    #[test]
    fn a_last_row_more_than_one_installment_above_the_others_is_refused() {
        // A small loan over 28 years: one cent on the installment grows to more than an installment
        // over the term, so no installment in cents closes the schedule on its last due date.
        let mut t = terms(dec!(265.19), dec!(0.1319), 339);
        t.day_count = DayCount::Thirty360;
        t.first_due_date = t.disbursement_date + chrono::Duration::days(29);
        match build(&t) {
            Err(ScheduleError::LastInstallmentTooLarge { installment, last }) => {
                assert!(last > installment * Decimal::TWO, "{last} vs {installment}");
            }
            other => panic!("expected the last row refused, got {other:?}"),
        }
    }

    #[test]
    fn long_ordinary_loans_still_build_with_a_last_row_within_rounding() {
        // A 30-year mortgage at 12 % TEA on exact days with a 45-day first period, and a 25-year one at
        // 18 % whose 31-day months charge more interest than the installment early on.
        for (principal, tea, n, first_gap) in
            [(dec!(250000), dec!(0.12), 360u32, 45i64), (dec!(90000), dec!(0.18), 300, 31)]
        {
            let mut t = terms(principal, tea, n);
            t.first_due_date = t.disbursement_date + chrono::Duration::days(first_gap);
            let loan = build(&t).unwrap();
            assert_eq!(loan.installments.len(), n as usize);
            let last = &loan.installments[n as usize - 1];
            assert!(last.principal + last.interest - loan.fixed_payment < dec!(10), "{last:?}");
        }
    }

    #[test]
    fn bad_terms_are_refused_with_the_reason() {
        assert!(matches!(build(&terms(dec!(0), dec!(0.2), 12)), Err(ScheduleError::InvalidPrincipal(_))));
        assert!(matches!(build(&terms(dec!(10.005), dec!(0.2), 12)), Err(ScheduleError::InvalidPrincipal(_))));
        assert!(matches!(build(&terms(dec!(100), dec!(-0.2), 12)), Err(ScheduleError::InvalidRate { .. })));
        assert!(matches!(build(&terms(dec!(100), dec!(0.2), 0)), Err(ScheduleError::InvalidInstallmentCount { .. })));
        let mut t = terms(dec!(100), dec!(0.2), 12);
        t.first_due_date = t.disbursement_date;
        assert!(matches!(build(&t), Err(ScheduleError::InvalidFirstDueDate { .. })));
    }
}
