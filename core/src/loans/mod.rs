//! Loans: French-method schedules, moratorium interest and the payment options of R6/R7.

pub mod moratorium;
pub mod payment;
pub mod schedule;

pub use payment::{
    Breakdown, InstallmentApplication, OverdueSummary, PaymentKind, PaymentOptions, PaymentOutcome, PaymentQuote,
    PaymentRejection, Payoff, PrepaymentApplication, PrepaymentChoice,
};
pub use schedule::{
    DayCount, Desgravamen, Installment, Loan, LoanTerms, Paid, PeriodPlan, ScheduleError, build, interest_for,
    monthly_due_dates, period_rate, round_cents,
};
