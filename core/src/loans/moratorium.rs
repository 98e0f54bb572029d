//! Moratorium interest: charged per day on the unpaid principal of an overdue installment, at the
//! loan's effective annual moratorium rate. No penalty fee exists (Ley 31143): this is the only charge
//! for paying late.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::schedule::{Installment, ScheduleError, interest_for};

/// Days an installment is late at `today` (0 when not yet due or already paid).
pub fn days_late(installment: &Installment, today: NaiveDate) -> u32 {
    if installment.is_settled() {
        return 0;
    }
    u32::try_from((today - installment.due_date).num_days().max(0)).unwrap_or(u32::MAX)
}

/// Moratorium still owed on `installment` at `today`: the unpaid principal × `(1 + rate)^(days/360) − 1`,
/// rounded to cents, less what was already paid as moratorium.
pub fn moratorium_due(
    installment: &Installment,
    moratorium_tea: Decimal,
    today: NaiveDate,
) -> Result<Decimal, ScheduleError> {
    let days = days_late(installment, today);
    if days == 0 {
        return Ok(Decimal::ZERO);
    }
    let accrued =
        interest_for(installment.remaining_principal(), moratorium_tea, days).ok_or(ScheduleError::Overflow)?;
    Ok((accrued - installment.paid.moratorium).max(Decimal::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loans::schedule::Paid;
    use rust_decimal_macros::dec;

    fn installment(principal: Decimal, paid_principal: Decimal) -> Installment {
        let due = NaiveDate::from_ymd_opt(2025, 3, 15).unwrap();
        Installment {
            number: 2,
            due_date: due,
            period_start: NaiveDate::from_ymd_opt(2025, 2, 15).unwrap(),
            days: 28,
            opening_balance: dec!(5000),
            principal,
            interest: dec!(80),
            insurance: dec!(0),
            paid: Paid { principal: paid_principal, ..Paid::default() },
        }
    }

    #[test]
    fn nothing_is_charged_before_or_on_the_due_date() {
        let row = installment(dec!(800), dec!(0));
        assert_eq!(moratorium_due(&row, dec!(0.12), row.due_date).unwrap(), dec!(0));
        assert_eq!(moratorium_due(&row, dec!(0.12), NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()).unwrap(), dec!(0));
    }

    #[test]
    fn accrues_per_day_on_unpaid_principal() {
        let row = installment(dec!(800), dec!(300));
        let ten_days_late = NaiveDate::from_ymd_opt(2025, 3, 25).unwrap();
        // 500 × (1.12^(10/360) − 1) = 1.5756… → 1.58
        assert_eq!(moratorium_due(&row, dec!(0.12), ten_days_late).unwrap(), dec!(1.58));
        assert_eq!(days_late(&row, ten_days_late), 10);
        let longer = NaiveDate::from_ymd_opt(2025, 4, 24).unwrap();
        assert!(moratorium_due(&row, dec!(0.12), longer).unwrap() > dec!(1.58));
    }
}
