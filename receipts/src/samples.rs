//! Sample documents with fixed data — the seed's customer (JESUS, account 00121110) and round figures —
//! for the kiosk's demo mode, the previews, the bench and the tests. Pure: the instant and the journal
//! hash are fixed, so every rendering is reproducible.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use servicaja_core::money::{Currency, Money};
use servicaja_core::settings::KioskSettings;

use crate::templates::*;
use crate::{Document, Header, MaskedNumber, ReceiptError, ScheduleRow};

fn pen(cents: i64) -> Money {
    Money::from_cents(cents, Currency::PEN)
}

fn usd(cents: i64) -> Money {
    Money::from_cents(cents, Currency::USD)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// 20/11/2026 10:08:30 in Lima.
pub fn instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 8, 30).single().unwrap_or_default()
}

/// The journal hash every sample's QR is derived from.
pub const JOURNAL_HASH: [u8; 32] = [0x5A; 32];

/// The issue data of a sample: the default kiosk's header, [`instant`], [`JOURNAL_HASH`].
pub fn issue(operation: &str) -> Issue {
    Issue {
        header: Header::from_settings(&KioskSettings::default()),
        issued_at: instant(),
        operation_number: operation.to_owned(),
        journal_hash: Some(JOURNAL_HASH),
    }
}

fn account(number: &str, currency: Currency) -> Result<AccountRef, ReceiptError> {
    Ok(AccountRef { number: MaskedNumber::new(number)?, kind: "CTA AHORRO PN".into(), currency })
}

fn schedule_summary(installment: i64) -> NewScheduleSummary {
    let dues = [day(2026, 12, 15), day(2027, 1, 15), day(2027, 2, 15), day(2027, 3, 15)];
    NewScheduleSummary {
        next_rows: (8..)
            .zip(dues)
            .map(|(number, due)| ScheduleRow { number, due, installment: pen(installment) })
            .collect(),
        remaining_installments: 17,
        last_due: Some(day(2028, 4, 15)),
        remaining_principal: pen(448055),
    }
}

/// Every template once (two vouchers, four prepayment choices), each with a short name.
pub fn all() -> Result<Vec<(&'static str, Document)>, ReceiptError> {
    let savings_pen = account("00121110", Currency::PEN)?;
    let savings_usd = account("00121210", Currency::USD)?;
    let card = Some(MaskedNumber::new("**** **** **** 0010")?);
    let voucher = PaymentVoucher {
        customer_name: "JESUS QUISPE MAMANI".into(),
        card: card.clone(),
        loan_number: "105-01-0004521".into(),
        loan_product: "CRÉDITO CONSUMO".into(),
        installments: vec![6, 7],
        principal: pen(70215),
        interest: pen(9840),
        insurance: pen(1205),
        late_interest: None,
        total_paid: pen(81260),
        debit_account: savings_usd.clone(),
        exchange: Some(ExchangeApplied { rate: Decimal::new(37520, 4), side: RateSide::Compra, debited: usd(21658) }),
        after: LoanAfterPayment::Continues {
            outstanding_principal: pen(500_000),
            next_due: Some(NextDue { date: day(2026, 12, 15), installment: pen(40630) }),
        },
    };
    let voucher_same_currency = PaymentVoucher {
        installments: vec![6],
        principal: pen(35100),
        interest: pen(4920),
        insurance: pen(610),
        late_interest: Some(pen(345)),
        total_paid: pen(40975),
        debit_account: savings_pen.clone(),
        exchange: None,
        ..voucher.clone()
    };
    let prepayment = |option| PrepaymentChoice {
        customer_name: "JESUS QUISPE MAMANI".into(),
        card: card.clone(),
        loan_number: "105-01-0004521".into(),
        loan_product: "CRÉDITO CONSUMO".into(),
        amount_paid: pen(250000),
        debit_account: savings_pen.clone(),
        exchange: None,
        option,
    };
    let affiliation = |action| AffiliationConstancia {
        action,
        customer_name: "JESUS".into(),
        account: savings_pen.clone(),
        email: "jesus.quispe@correo.pe".into(),
    };
    Ok(vec![
        ("payment_voucher_exchange", payment_voucher(&issue("000123456"), &voucher)),
        ("payment_voucher", payment_voucher(&issue("000123457"), &voucher_same_currency)),
        (
            "advance",
            prepayment_choice(
                &issue("000123458"),
                &PrepaymentChoice {
                    amount_paid: pen(81260),
                    ..prepayment(PrepaymentOption::Advance { installments_covered: vec![7, 8] })
                },
            ),
        ),
        (
            "prepayment_reduce_amount",
            prepayment_choice(
                &issue("000123459"),
                &prepayment(PrepaymentOption::ReduceInstallmentAmount {
                    previous_installment: pen(40630),
                    new_installment: pen(31280),
                    schedule: schedule_summary(31280),
                }),
            ),
        ),
        (
            "prepayment_reduce_count",
            prepayment_choice(
                &issue("000123460"),
                &prepayment(PrepaymentOption::ReduceInstallmentCount {
                    installment: pen(40630),
                    previous_count: 23,
                    new_count: 17,
                    schedule: schedule_summary(40630),
                }),
            ),
        ),
        ("prepayment_total", prepayment_choice(&issue("000123461"), &prepayment(PrepaymentOption::TotalCancellation))),
        ("affiliation", affiliation_constancia(&issue("000123462"), &affiliation(AffiliationAction::Affiliation))),
        (
            "disaffiliation",
            affiliation_constancia(&issue("000123463"), &affiliation(AffiliationAction::Disaffiliation)),
        ),
        (
            "no_debt",
            no_debt_certificate(
                &issue("000123464"),
                &NoDebtCertificate {
                    customer_name: "JESUS QUISPE MAMANI".into(),
                    document_number: "12345678".into(),
                    scope: NoDebtScope::ListedLoans,
                    loans: vec![
                        CancelledLoan {
                            loan_number: "105-01-0004521".into(),
                            product: "CRÉDITO CONSUMO".into(),
                            cancelled_on: Some(day(2026, 11, 20)),
                        },
                        CancelledLoan {
                            loan_number: "105-02-0001877".into(),
                            product: "CRÉDITO PYME".into(),
                            cancelled_on: Some(day(2025, 3, 2)),
                        },
                    ],
                },
            ),
        ),
        (
            "request_ticket",
            request_ticket(
                &issue("000123465"),
                &RequestTicket {
                    customer_name: "JESUS QUISPE MAMANI".into(),
                    kind: RequestKind::AddressChange,
                    business_days: 15,
                    deadline: day(2026, 12, 14),
                    answer_channel: "Correo electrónico: jesus.quispe@correo.pe".into(),
                },
            ),
        ),
        (
            "clave_enrollment",
            clave_enrollment(
                &issue("000123466"),
                &ClaveEnrollment {
                    customer_name: "JESUS QUISPE MAMANI".into(),
                    card: MaskedNumber::new("**** **** **** 1234")?,
                },
            ),
        ),
        (
            "balance_inquiry",
            balance_inquiry(
                &issue("000123467"),
                &BalanceInquiry {
                    customer_name: "JESUS QUISPE MAMANI".into(),
                    accounts: vec![
                        AccountBalance {
                            account: savings_pen.clone(),
                            available: pen(1234567),
                            accounting: pen(1240000),
                            movements: vec![
                                MovementLine {
                                    at: instant() - chrono::TimeDelta::minutes(5),
                                    description: "PAGO CRÉDITO 105-01-0004521 OP. 00000008".into(),
                                    amount: pen(-40975),
                                },
                                MovementLine {
                                    at: Utc.with_ymd_and_hms(2026, 11, 18, 14, 0, 0).single().unwrap_or_default(),
                                    description: "DEPÓSITO EN EFECTIVO AGENCIA TACNA".into(),
                                    amount: pen(150000),
                                },
                            ],
                        },
                        AccountBalance {
                            account: savings_usd.clone(),
                            available: usd(25000),
                            accounting: usd(25000),
                            movements: Vec::new(),
                        },
                    ],
                },
            ),
        ),
        (
            "maintenance_test",
            maintenance_test(
                &issue("T-000042"),
                &MaintenanceTest {
                    technician_id: "TEC-07".into(),
                    software_version: "servicaja 0.1.0".into(),
                    printer_status: "en línea, papel suficiente, tapa cerrada".into(),
                },
            ),
        ),
        (
            "operation_not_completed",
            operation_not_completed(
                &issue("000123468"),
                &OperationNotCompleted {
                    customer_name: "JESUS QUISPE MAMANI".into(),
                    operation: "Pago de cuota de crédito".into(),
                    loan_number: Some("105-01-0004521".into()),
                    attempted_amount: pen(40975),
                    debit_account: Some(savings_pen.clone()),
                    reason: NotCompletedReason::NoTimelyAnswer,
                },
            ),
        ),
    ])
}
