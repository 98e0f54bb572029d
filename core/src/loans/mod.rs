//! Loans: French-method schedules, moratorium interest and the payment options of R6/R7.

pub mod payment;
pub mod schedule;
