//! Loan benchmarks: building a 360-installment French schedule and applying a partial prepayment to it.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use servicaja_core::loans::{DayCount, Desgravamen, Loan, LoanTerms, PrepaymentChoice, build};
use servicaja_core::money::{Currency, Money};

fn mortgage_terms() -> Option<LoanTerms> {
    Some(LoanTerms {
        currency: Currency::PEN,
        principal: Decimal::from(250_000),
        tea: Decimal::new(1150, 4),
        moratorium_tea: Decimal::new(1500, 4),
        installments: 360,
        disbursement_date: NaiveDate::from_ymd_opt(2025, 1, 31)?,
        first_due_date: NaiveDate::from_ymd_opt(2025, 2, 28)?,
        day_count: DayCount::Actual,
        desgravamen: Desgravamen::MonthlyRateOnBalance(Decimal::new(28, 5)),
    })
}

fn bench_loans(c: &mut Criterion) {
    let Some(terms) = mortgage_terms() else { return };
    c.bench_function("build 360-installment schedule", |b| b.iter(|| build(black_box(&terms))));

    let Ok(loan): Result<Loan, _> = build(&terms) else { return };
    let Some(today) = NaiveDate::from_ymd_opt(2025, 2, 20) else { return };
    let amount = Money { amount: Decimal::from(20_000), currency: Currency::PEN };
    for (name, choice) in [
        ("partial prepayment on 360 installments, reduce installment", PrepaymentChoice::ReduceInstallment),
        ("partial prepayment on 360 installments, reduce term", PrepaymentChoice::ReduceTerm),
    ] {
        c.bench_function(name, |b| b.iter(|| black_box(&loan).apply_payment(today, amount, Some(choice))));
    }
}

criterion_group!(benches, bench_loans);
criterion_main!(benches);
