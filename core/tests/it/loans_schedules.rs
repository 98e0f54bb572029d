//! Schedules on any terms the core accepts as input (proptest): a schedule is built only when its fixed
//! installment repays the loan — every regular row pays principal and the last row is within one
//! installment of the others — and is otherwise refused with a typed error, never turned into a balloon.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use servicaja_core::loans::{DayCount, Desgravamen, Loan, LoanTerms, ScheduleError, build};
use servicaja_core::money::Currency;

fn terms(principal: Decimal, tea: Decimal, n: u32, first_gap: i64, day_count: DayCount) -> LoanTerms {
    let disbursement = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
    LoanTerms {
        currency: Currency::PEN,
        principal,
        tea,
        moratorium_tea: Decimal::new(1500, 4),
        installments: n,
        disbursement_date: disbursement,
        first_due_date: disbursement + Duration::days(first_gap),
        day_count,
        desgravamen: Desgravamen::None,
    }
}

/// What an accepted schedule promises the customer.
fn check_schedule(terms: &LoanTerms, loan: &Loan) -> Result<(), TestCaseError> {
    let rows = &loan.installments;
    let fixed = loan.fixed_payment;
    prop_assert_eq!(rows.len(), terms.installments as usize, "one row per due date");
    prop_assert_eq!(rows.iter().map(|row| row.principal).sum::<Decimal>(), terms.principal);
    prop_assert!(fixed > Decimal::ZERO);
    let shortest_regular = rows.iter().skip(1).map(|row| row.days).min().unwrap_or(0);
    for (index, row) in rows.iter().enumerate() {
        if row.principal > Decimal::ZERO {
            continue;
        }
        // A row may pay no principal only when its own interest takes the whole installment (and it is
        // paid in full): the first period when it is longer (a grace-like first period), or a period longer
        // than the shortest one at a high rate (a 31-day month on exact days; a month after a 28 February
        // under 30E/360). Every row of the shortest regular period pays principal.
        prop_assert!(row.interest >= fixed, "row {} pays no principal yet its interest is below {}", row.number, fixed);
        if index > 0 {
            prop_assert!(row.days > shortest_regular, "row {} of the shortest period pays no principal", row.number);
        }
    }
    let last = &rows[rows.len() - 1];
    prop_assert!(last.principal > Decimal::ZERO, "the last row pays the principal left");
    prop_assert!(
        last.principal + last.interest - fixed <= fixed,
        "last row {} exceeds the installment {} by more than one installment",
        last.principal + last.interest,
        fixed
    );
    Ok(())
}

fn tea_strategy() -> impl Strategy<Value = Decimal> {
    // Basis points: ordinary rates, and the extreme ones where cents stop expressing a French schedule.
    prop_oneof![0u32..10_000, 10_000u32..=50_000].prop_map(|bp| Decimal::new(i64::from(bp), 4))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_schedule_amortizes_with_a_bounded_last_row_or_is_refused_with_a_typed_error(
        principal in 100i64..100_000_000,
        tea in tea_strategy(),
        n in 1u32..=360,
        first_gap in 1i64..=90,
        thirty in any::<bool>(),
    ) {
        let day_count = if thirty { DayCount::Thirty360 } else { DayCount::Actual };
        let terms = terms(Decimal::new(principal, 2), tea, n, first_gap, day_count);
        match build(&terms) {
            Ok(loan) => check_schedule(&terms, &loan)?,
            Err(err @ (ScheduleError::NotAmortizing { .. } | ScheduleError::LastInstallmentTooLarge { .. })) => {
                prop_assert!(err.to_string().contains("acorte el plazo"), "{}", err);
            }
            Err(other) => prop_assert!(false, "valid terms refused for another reason: {}", other),
        }
    }
}

/// The refusal is for extreme terms only: a grid of ordinary caja loans (consumer and microcredit up to
/// 100 % TEA over five years, mortgages up to 20 % over thirty) all build.
#[test]
fn ordinary_terms_are_never_refused() {
    let short = (
        [Decimal::from(1_000), Decimal::from(25_000), Decimal::from(400_000)],
        ["0", "0.1", "0.2599", "0.45", "0.7999", "1.0"],
        [1u32, 6, 12, 24, 36, 60],
    );
    let long =
        ([Decimal::from(60_000), Decimal::from(350_000)], ["0.07", "0.1", "0.14", "0.2"], [120u32, 240, 300, 360]);
    let mut grid = Vec::new();
    for principal in short.0 {
        for tea in short.1 {
            for n in short.2 {
                grid.push((principal, tea, n));
            }
        }
    }
    for principal in long.0 {
        for tea in long.1 {
            for n in long.2 {
                grid.push((principal, tea, n));
            }
        }
    }
    for (principal, tea, n) in grid {
        for first_gap in [20, 31, 60] {
            for day_count in [DayCount::Actual, DayCount::Thirty360] {
                let terms = terms(principal, tea.parse().unwrap(), n, first_gap, day_count);
                match build(&terms) {
                    Ok(loan) => check_schedule(&terms, &loan).unwrap(),
                    Err(err) => panic!("P={principal} TEA={tea} n={n} gap={first_gap} {day_count:?}: {err}"),
                }
            }
        }
    }
}
