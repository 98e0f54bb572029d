//! Loan payments as a whole: random loans and random sequences of payments (proptest), checking that an
//! accepted payment never leaves a negative balance and that its parts add up to what was paid.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;
use servicaja_core::loans::{
    DayCount, Desgravamen, Loan, LoanTerms, PaymentKind, PaymentOutcome, PrepaymentChoice, ScheduleError, build,
};
use servicaja_core::money::{Currency, Money};

fn cents(value: i64) -> Decimal {
    Decimal::new(value, 2)
}

fn terms_strategy() -> impl Strategy<Value = LoanTerms> {
    (
        10_000i64..20_000_000,
        0u32..20_000,
        1u32..=360,
        0i64..3650,
        15i64..75,
        prop::bool::ANY,
        0u8..3,
        (0i64..1_000, 0u32..200),
    )
        .prop_map(|(principal, tea_bp, n, start, first_gap, thirty, insurance, (premium, rate))| {
            let disbursement = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + Duration::days(start);
            LoanTerms {
                currency: Currency::PEN,
                principal: cents(principal),
                tea: Decimal::new(i64::from(tea_bp), 4),
                moratorium_tea: Decimal::new(1500, 4),
                installments: n,
                disbursement_date: disbursement,
                first_due_date: disbursement + Duration::days(first_gap),
                day_count: if thirty { DayCount::Thirty360 } else { DayCount::Actual },
                desgravamen: match insurance {
                    0 => Desgravamen::None,
                    1 => Desgravamen::FixedPremium(cents(premium)),
                    _ => Desgravamen::MonthlyRateOnBalance(Decimal::new(i64::from(rate), 5)),
                },
            }
        })
}

/// The schedule of `terms`, or `None` when the core refuses terms whose installment cannot repay the
/// loan (very long terms at very high rates, tested in `loans_schedules`).
fn schedule(terms: &LoanTerms) -> Option<Loan> {
    match build(terms) {
        Ok(loan) => Some(loan),
        Err(ScheduleError::NotAmortizing { .. } | ScheduleError::LastInstallmentTooLarge { .. }) => None,
        Err(other) => panic!("valid terms refused: {other}"),
    }
}

/// How a test payment picks its amount from the options shown for the day.
#[derive(Debug, Clone, Copy)]
enum Pick {
    Due,
    OverdueAndNext,
    Advance(u16),
    Prepayment(u16, bool),
    Payoff,
    Arbitrary(i64),
}

fn pick_strategy() -> impl Strategy<Value = Pick> {
    prop_oneof![
        Just(Pick::Due),
        Just(Pick::OverdueAndNext),
        any::<u16>().prop_map(Pick::Advance),
        (any::<u16>(), any::<bool>()).prop_map(|(f, c)| Pick::Prepayment(f, c)),
        Just(Pick::Payoff),
        (-100i64..5_000_000).prop_map(Pick::Arbitrary),
    ]
}

/// A point between `low` (excluded) and `high` (included), in cents.
fn between(low: Decimal, high: Decimal, fraction: u16) -> Decimal {
    let span = high - low;
    let step = (span * Decimal::from(fraction) / Decimal::from(u16::MAX)).round_dp(2);
    (low + step).max(low + cents(1)).min(high)
}

fn check_outcome(before: &Loan, outcome: &PaymentOutcome) {
    let quote = &outcome.quote;
    let zero = Decimal::ZERO;
    assert_eq!(quote.applied.total(), quote.amount.amount, "parts add up to the amount");
    let per_part: Decimal = quote.installments.iter().map(|a| a.applied.total()).sum::<Decimal>()
        + quote.prepayment.as_ref().map_or(zero, |p| p.applied.total());
    assert_eq!(per_part, quote.amount.amount, "installment and prepayment parts add up to the amount");
    for value in [quote.applied.principal, quote.applied.interest, quote.applied.insurance, quote.applied.moratorium] {
        assert!(value >= zero, "no negative component: {quote:#?}");
    }
    assert!(quote.advance_credit >= zero && quote.refund >= zero);
    let after = &outcome.loan;
    assert!(after.outstanding_principal() >= zero, "balance never negative");
    assert_eq!(after.principal_accounted_for(), after.principal, "no principal is lost or created");
    assert_eq!(quote.outstanding_principal_after, after.outstanding_principal());
    assert_eq!(
        quote.outstanding_principal_after,
        before.outstanding_principal() - quote.applied.principal - quote.advance_credit,
        "principal paid and credited is what leaves the balance"
    );
    for row in &after.installments {
        for value in [row.principal, row.interest, row.insurance, row.opening_balance] {
            assert!(value >= zero, "row {} has a negative amount", row.number);
        }
        assert!(row.paid.principal >= zero && row.paid.principal <= row.principal);
        assert!(row.paid.interest >= zero && row.paid.interest <= row.interest);
        assert!(row.paid.insurance >= zero && row.paid.insurance <= row.insurance);
        assert!(row.paid.moratorium >= zero);
    }
    match quote.kind {
        PaymentKind::TotalPrepayment => {
            assert!(after.is_cancelled());
            assert_eq!(after.outstanding_principal(), zero);
        }
        PaymentKind::PartialPrepayment(choice) => {
            assert!(quote.new_schedule.is_some());
            assert!(after.outstanding_principal() > zero);
            // Installments still to pay after today, before and after: the term is kept or shortened.
            let later =
                |loan: &Loan| loan.installments.iter().filter(|i| !i.is_settled() && i.due_date > quote.date).count();
            let new_rows = quote.new_schedule.as_ref().map_or(0, Vec::len);
            match choice {
                PrepaymentChoice::ReduceInstallment => {
                    assert_eq!(later(after), later(before), "keeping the term keeps the count: {quote:#?}");
                    assert!(after.fixed_payment < before.fixed_payment, "a lower installment: {quote:#?}");
                }
                PrepaymentChoice::ReduceTerm => {
                    assert!(later(after) <= later(before));
                    assert_eq!(after.fixed_payment, before.fixed_payment);
                }
            }
            assert_eq!(u32::try_from(new_rows).unwrap(), quote.remaining_installments_after, "{quote:#?}");
        }
        PaymentKind::DueInstallment | PaymentKind::InstallmentAdvance => {
            assert!(quote.new_schedule.is_none());
            assert_eq!(after.installments.len(), before.installments.len(), "no new schedule");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn accepted_payments_never_go_negative_and_add_up(
        terms in terms_strategy(),
        payments in prop::collection::vec((0i64..95, pick_strategy()), 1..6),
    ) {
        let Some(mut loan) = schedule(&terms) else { return Ok(()) };
        prop_assert_eq!(loan.principal_accounted_for(), terms.principal);
        let mut today = terms.disbursement_date;
        for (days, pick) in payments {
            today += Duration::days(days);
            let Ok(options) = loan.payment_options(today) else { break };
            let amount = match pick {
                Pick::Due => options.due_amount,
                Pick::OverdueAndNext => options.overdue_and_next_amount,
                Pick::Advance(f) => between(options.due_amount, options.advance_limit, f),
                Pick::Prepayment(f, _) => between(options.advance_limit, options.payoff_amount - cents(1), f),
                Pick::Payoff => options.payoff_amount,
                Pick::Arbitrary(c) => cents(c),
            };
            let choice = match pick {
                Pick::Prepayment(_, true) => PrepaymentChoice::ReduceInstallment,
                _ => PrepaymentChoice::ReduceTerm,
            };
            let money = Money { amount, currency: Currency::PEN };
            match loan.apply_payment(today, money, Some(choice)) {
                Ok(outcome) => {
                    check_outcome(&loan, &outcome);
                    prop_assert_eq!(options.classify(amount).map(|k| std::mem::discriminant(&k)),
                        Ok(std::mem::discriminant(&outcome.quote.kind)));
                    loan = outcome.loan;
                }
                Err(rejection) => {
                    // A refusal leaves nothing applied and always says why.
                    prop_assert!(!rejection.to_string().is_empty());
                    if matches!(pick, Pick::Due | Pick::Payoff) && amount > Decimal::ZERO {
                        prop_assert!(false, "the offered amount {} was refused: {}", amount, rejection);
                    }
                }
            }
        }
    }

    #[test]
    fn corrupted_loan_state_is_refused_not_a_panic(
        terms in terms_strategy(),
        row in any::<prop::sample::Index>(),
        field in 0u8..6,
        (mantissa, scale) in (any::<i64>(), 0u32..29),
        offset in 0i64..4000,
        amount in (any::<i64>(), 0u32..29),
    ) {
        let Some(mut loan) = schedule(&terms) else { return Ok(()) };
        let value = Decimal::new(mantissa, scale);
        let target = &mut loan.installments[row.index(terms.installments as usize)];
        match field {
            0 => target.principal = value,
            1 => target.interest = value,
            2 => target.paid.principal = value,
            3 => target.paid.moratorium = value,
            4 => target.opening_balance = value,
            _ => loan.fixed_payment = value,
        }
        let today = terms.disbursement_date + Duration::days(offset);
        let money = Money { amount: Decimal::new(amount.0, amount.1), currency: Currency::PEN };
        // Ok or a typed refusal; what matters is that nothing panics or overflows.
        let _ = loan.payment_options(today);
        let _ = loan.apply_payment(today, money, Some(PrepaymentChoice::ReduceTerm));
    }

    #[test]
    fn schedules_amortize_exactly(terms in terms_strategy()) {
        let Some(loan) = schedule(&terms) else { return Ok(()) };
        let principal: Decimal = loan.installments.iter().map(|i| i.principal).sum();
        prop_assert_eq!(principal, terms.principal);
        prop_assert_eq!(loan.installments.len(), terms.installments as usize);
        for pair in loan.installments.windows(2) {
            prop_assert_eq!(pair[0].opening_balance - pair[0].principal, pair[1].opening_balance);
            prop_assert!(pair[0].due_date < pair[1].due_date);
        }
    }
}

#[test]
fn paying_overdue_then_the_rest_of_the_loan_in_two_steps() {
    let loan = build(&LoanTerms {
        currency: Currency::PEN,
        principal: Decimal::from(5000),
        tea: Decimal::new(4500, 4),
        moratorium_tea: Decimal::new(1500, 4),
        installments: 6,
        disbursement_date: NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
        first_due_date: NaiveDate::from_ymd_opt(2025, 4, 30).unwrap(),
        day_count: DayCount::Actual,
        desgravamen: Desgravamen::FixedPremium(Decimal::new(450, 2)),
    })
    .unwrap();
    // Two installments late on 5 July 2025 (30 May and 30 June).
    let today = NaiveDate::from_ymd_opt(2025, 7, 5).unwrap();
    let paid_first = loan
        .apply_payment(
            today - Duration::days(70),
            Money { amount: loan.installments[0].amount(), currency: Currency::PEN },
            None,
        )
        .unwrap()
        .loan;
    let options = paid_first.payment_options(today).unwrap();
    assert_eq!(options.overdue.count, 2);
    assert_eq!(options.overdue.oldest_due_date, NaiveDate::from_ymd_opt(2025, 5, 30));
    let prepayment = Money { amount: options.advance_limit + Decimal::from(100), currency: Currency::PEN };
    let outcome = paid_first.apply_payment(today, prepayment, Some(PrepaymentChoice::ReduceInstallment)).unwrap();
    assert!(matches!(outcome.quote.kind, PaymentKind::PartialPrepayment(PrepaymentChoice::ReduceInstallment)));
    assert_eq!(outcome.quote.installments.len(), 2, "both overdue installments are paid first");
    assert!(outcome.quote.applied.moratorium > Decimal::ZERO);
    let rest = outcome.loan.payment_options(today).unwrap();
    let closed =
        outcome.loan.apply_payment(today, Money { amount: rest.payoff_amount, currency: Currency::PEN }, None).unwrap();
    assert!(closed.loan.is_cancelled());
}

/// The amounts "reduce the installment, keep the term" accepts on `loan` at `today`, scanned cent by cent over
/// the top of the range (where the balance left is a few units per installment): `true` for each accepted.
fn keep_term_acceptance_near_payoff(loan: &Loan, today: NaiveDate, units_per_installment: i64) -> Vec<bool> {
    let options = loan.payment_options(today).unwrap();
    let remaining = loan.installments.iter().filter(|i| !i.is_settled() && i.due_date > today).count() as i64;
    let lowest = (options.payoff_amount - Decimal::from(remaining * units_per_installment)).max(options.advance_limit);
    let mut accepted = Vec::new();
    let mut amount = lowest + cents(1);
    while amount < options.payoff_amount {
        let money = Money { amount, currency: loan.currency };
        accepted.push(loan.apply_payment(today, money, Some(PrepaymentChoice::ReduceInstallment)).is_ok());
        amount += cents(1);
    }
    accepted
}

/// Regression (model test, seed 7): on the caja's consumer loan with 7 installments left, a prepayment
/// leaving S/ 0.16 was taken while one leaving S/ 0.18 was refused, so the top of the range the kiosk showed
/// cut off amounts the caja took. With the floor of one unit per installment the amounts taken are one
/// unbroken range ending where the balance left reaches it.
#[test]
fn keep_term_prepayments_taken_are_one_unbroken_range() {
    let disbursement = NaiveDate::from_ymd_opt(2026, 8, 15).unwrap();
    let mut loan = build(&LoanTerms {
        currency: Currency::PEN,
        principal: Decimal::from(6_000),
        tea: Decimal::new(2599, 4),
        moratorium_tea: Decimal::new(1200, 4),
        installments: 12,
        disbursement_date: disbursement,
        first_due_date: NaiveDate::from_ymd_opt(2026, 9, 15).unwrap(),
        day_count: DayCount::Actual,
        desgravamen: Desgravamen::None,
    })
    .unwrap();
    for k in 0..5 {
        let due = loan.installments[k].due_date;
        let amount = Money { amount: loan.installments[k].amount(), currency: Currency::PEN };
        loan = loan.apply_payment(due, amount, None).unwrap().loan;
    }
    let today = loan.installments[5].period_start;
    let accepted = keep_term_acceptance_near_payoff(&loan, today, 3);
    let first_refused = accepted.iter().position(|ok| !ok).expect("a balance too small is refused");
    assert!(first_refused > 0, "amounts leaving a few units per installment are taken");
    assert!(
        accepted[first_refused..].iter().all(|ok| !ok),
        "an amount above a refused one is taken: {:?}",
        accepted.iter().enumerate().filter(|(i, ok)| **ok && *i > first_refused).map(|(i, _)| i).collect::<Vec<_>>()
    );
    let payoff = loan.payment_options(today).unwrap().payoff_amount;
    let top = payoff - Decimal::from(7 * 3) + cents(first_refused as i64);
    let refusal = loan
        .apply_payment(
            today,
            Money { amount: top + cents(1), currency: Currency::PEN },
            Some(PrepaymentChoice::ReduceInstallment),
        )
        .unwrap_err();
    assert!(refusal.to_string().contains("7 cuotas"), "the refusal names the installments: {refusal}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// On any ordinary loan, at any day of its life, "keep the term" takes an unbroken range of amounts up to
    /// the floor of one unit per installment left: the range the kiosk shows is exactly what the caja takes.
    #[test]
    fn keep_term_acceptance_has_no_gaps(terms in terms_strategy(), paid in 0usize..6, day in 0i64..40) {
        prop_assume!(terms.installments <= 24 && terms.tea <= Decimal::ONE);
        let Some(mut loan) = schedule(&terms) else { return Ok(()) };
        let paid = paid.min(loan.installments.len().saturating_sub(2));
        for k in 0..paid {
            let due = loan.installments[k].due_date;
            let amount = Money { amount: loan.installments[k].amount(), currency: Currency::PEN };
            loan = loan.apply_payment(due, amount, None).unwrap().loan;
        }
        let current = &loan.installments[paid];
        let today = (current.period_start + Duration::days(day)).min(current.due_date);
        let accepted = keep_term_acceptance_near_payoff(&loan, today, 2);
        if let Some(first_refused) = accepted.iter().position(|ok| !ok) {
            prop_assert!(accepted[first_refused..].iter().all(|ok| !ok), "a gap in the accepted amounts");
        }
    }
}
