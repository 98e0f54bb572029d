//! Fixture data for every template: the seed's customer (JESUS, account 00121110) and round figures.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use servicaja_core::money::{Currency, Money};
use servicaja_core::settings::KioskSettings;
use servicaja_receipts::templates::*;
use servicaja_receipts::{Document, DocumentKind, Header, MaskedNumber, ScheduleRow};

pub fn pen(text: &str) -> Money {
    Money { amount: text.parse::<Decimal>().unwrap(), currency: Currency::PEN }
}

pub fn usd(text: &str) -> Money {
    Money { amount: text.parse::<Decimal>().unwrap(), currency: Currency::USD }
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 20/11/2026 10:08:30 in Lima.
pub fn instant() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 15, 8, 30).unwrap()
}

pub const JOURNAL_HASH: [u8; 32] = [0x5A; 32];

pub fn issue(operation: &str) -> Issue {
    Issue {
        header: Header::from_settings(&KioskSettings::default()),
        issued_at: instant(),
        operation_number: operation.to_owned(),
        journal_hash: Some(JOURNAL_HASH),
    }
}

pub fn savings_pen() -> AccountRef {
    AccountRef { number: MaskedNumber::new("00121110").unwrap(), kind: "CTA AHORRO PN".into(), currency: Currency::PEN }
}

pub fn savings_usd() -> AccountRef {
    AccountRef { number: MaskedNumber::new("00121210").unwrap(), kind: "CTA AHORRO PN".into(), currency: Currency::USD }
}

pub fn schedule_summary(installment: &str) -> NewScheduleSummary {
    let dues = [day(2026, 12, 15), day(2027, 1, 15), day(2027, 2, 15), day(2027, 3, 15)];
    NewScheduleSummary {
        next_rows: (8..)
            .zip(dues)
            .map(|(number, due)| ScheduleRow { number, due, installment: pen(installment) })
            .collect(),
        remaining_installments: 17,
        last_due: day(2028, 4, 15),
        remaining_principal: pen("4480.55"),
    }
}

/// Every template once, named for its snapshot.
pub fn all_documents() -> Vec<(&'static str, Document)> {
    let voucher = PaymentVoucher {
        customer_name: "JESUS QUISPE MAMANI".into(),
        loan_number: "105-01-0004521".into(),
        loan_product: "CRÉDITO CONSUMO".into(),
        installments: vec![6, 7],
        principal: pen("702.15"),
        interest: pen("98.40"),
        insurance: pen("12.05"),
        late_interest: None,
        total_paid: pen("812.60"),
        debit_account: savings_usd(),
        exchange: Some(ExchangeApplied {
            rate: "3.752".parse().unwrap(),
            side: RateSide::Compra,
            debited: usd("216.58"),
        }),
        next_due: Some(NextDue { date: day(2026, 12, 15), installment: pen("406.30") }),
    };
    let voucher_same_currency = PaymentVoucher {
        installments: vec![6],
        principal: pen("351.00"),
        interest: pen("49.20"),
        insurance: pen("6.10"),
        late_interest: Some(pen("3.45")),
        total_paid: pen("409.75"),
        debit_account: savings_pen(),
        exchange: None,
        ..voucher.clone()
    };
    let prepayment = |option| PrepaymentChoice {
        customer_name: "JESUS QUISPE MAMANI".into(),
        loan_number: "105-01-0004521".into(),
        loan_product: "CRÉDITO CONSUMO".into(),
        amount_paid: pen("2500.00"),
        debit_account: savings_pen(),
        exchange: None,
        option,
    };
    let affiliation = |action| AffiliationConstancia {
        action,
        customer_name: "JESUS".into(),
        account: savings_pen(),
        email: "jesus.quispe@correo.pe".into(),
    };
    vec![
        ("payment_voucher_exchange", payment_voucher(&issue("000123456"), &voucher)),
        ("payment_voucher", payment_voucher(&issue("000123457"), &voucher_same_currency)),
        (
            "advance",
            prepayment_choice(
                &issue("000123458"),
                &PrepaymentChoice {
                    amount_paid: pen("812.60"),
                    ..prepayment(PrepaymentOption::Advance { installments_covered: vec![7, 8] })
                },
            ),
        ),
        (
            "prepayment_reduce_amount",
            prepayment_choice(
                &issue("000123459"),
                &prepayment(PrepaymentOption::ReduceInstallmentAmount {
                    previous_installment: pen("406.30"),
                    new_installment: pen("312.80"),
                    schedule: schedule_summary("312.80"),
                }),
            ),
        ),
        (
            "prepayment_reduce_count",
            prepayment_choice(
                &issue("000123460"),
                &prepayment(PrepaymentOption::ReduceInstallmentCount {
                    installment: pen("406.30"),
                    previous_count: 23,
                    new_count: 17,
                    schedule: schedule_summary("406.30"),
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
                            cancelled_on: day(2026, 11, 20),
                        },
                        CancelledLoan {
                            loan_number: "105-02-0001877".into(),
                            product: "CRÉDITO PYME".into(),
                            cancelled_on: day(2025, 3, 2),
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
                    card: MaskedNumber::new("**** **** **** 1234").unwrap(),
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
                            account: savings_pen(),
                            available: pen("12345.67"),
                            accounting: pen("12400.00"),
                        },
                        AccountBalance { account: savings_usd(), available: usd("250.00"), accounting: usd("250.00") },
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
                    attempted_amount: pen("409.75"),
                    debit_account: Some(savings_pen()),
                    reason: NotCompletedReason::NoTimelyAnswer,
                },
            ),
        ),
    ]
}

/// The kinds `all_documents` covers, to prove no template is left without a snapshot.
pub fn kinds_covered() -> Vec<DocumentKind> {
    let mut kinds: Vec<DocumentKind> = all_documents().into_iter().map(|(_, document)| document.kind).collect();
    kinds.dedup();
    kinds
}
