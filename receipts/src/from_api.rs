//! Template inputs from the central API's contract types (`servicaja_core::api`), so the kiosk turns an
//! answer into a document in one call. What the answer does not carry (the customer's name on a
//! payment, the account's type, the next due date) comes in as context.

use servicaja_core::api;
use servicaja_core::money::{Currency, Money};

use crate::ReceiptError;
use crate::model::{MaskedNumber, ScheduleRow};
use crate::templates::{
    AccountRef, AffiliationAction, AffiliationConstancia, CancelledLoan, ExchangeApplied, LoanAfterPayment,
    NewScheduleSummary, NextDue, NoDebtCertificate, NoDebtScope, PaymentVoucher, PrepaymentChoice, PrepaymentOption,
    RateSide, RequestTicket,
};

/// `CTA.AHORRO PN SOLES` → `CTA AHORRO PN`: the account type without its currency word (the document
/// prints the currency itself) and with the caja's dotted abbreviation written as on the constancia.
pub fn account_kind(product_name: &str, currency: Currency) -> String {
    let spaced = product_name.replace('.', " ");
    let trimmed = spaced.trim();
    let words: [&str; 2] = match currency {
        Currency::PEN => ["SOLES", "SOLES"],
        Currency::USD => ["DOLARES", "DÓLARES"],
    };
    let kind = words.iter().find_map(|word| trimmed.strip_suffix(word)).unwrap_or(trimmed).trim_end();
    kind.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The affiliation / disaffiliation constancia from the central's answer (R4).
pub fn affiliation(constancia: &api::AffiliationConstancia) -> Result<AffiliationConstancia, ReceiptError> {
    Ok(AffiliationConstancia {
        action: match constancia.operation {
            api::AffiliationOperation::Affiliation => AffiliationAction::Affiliation,
            api::AffiliationOperation::Disaffiliation => AffiliationAction::Disaffiliation,
        },
        customer_name: constancia.customer_name.clone(),
        account: AccountRef {
            number: MaskedNumber::new(constancia.account_number.clone())?,
            kind: account_kind(&constancia.account_product_name, constancia.currency),
            currency: constancia.currency,
        },
        email: constancia.email.clone(),
    })
}

/// The constancia de no adeudo from the central's certificate (R10).
pub fn no_debt(certificate: &api::NoDebtCertificate) -> NoDebtCertificate {
    NoDebtCertificate {
        customer_name: certificate.customer_name.clone(),
        document_number: certificate.masked_dni.clone(),
        scope: if certificate.all_loans { NoDebtScope::AllLoans } else { NoDebtScope::ListedLoans },
        loans: certificate
            .loans
            .iter()
            .map(|loan| CancelledLoan {
                loan_number: loan.loan_number.clone(),
                product: loan.product_name.clone(),
                cancelled_on: loan.cancelled_on,
            })
            .collect(),
    }
}

/// The request ticket from the central's answer (R11).
pub fn request_ticket(ticket: &api::RequestTicket, customer_name: &str, answer_channel: &str) -> RequestTicket {
    RequestTicket {
        customer_name: customer_name.to_owned(),
        kind: ticket.kind,
        business_days: ticket.business_days,
        deadline: ticket.deadline,
        answer_channel: answer_channel.to_owned(),
    }
}

/// What a payment's document needs beyond the central's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentContext {
    pub customer_name: String,
    /// The card the customer identified with, as the central masked it.
    pub card: Option<MaskedNumber>,
    pub loan_product: String,
    /// The debited account's type and currency as the caja names it (`CTA.AHORRO PN SOLES`).
    pub account_product_name: String,
    pub account_currency: Currency,
    /// The installment before a prepayment (for "Cuota anterior") and the count before it.
    pub previous_installment: Option<Money>,
    pub previous_count: Option<u32>,
    /// The next due installment after a due-installment payment.
    pub next_due: Option<NextDue>,
    /// The first rows of the new schedule after a prepayment.
    pub new_schedule_rows: Vec<ScheduleRow>,
}

/// The document a payment produces: the voucher for a due installment, the R7 constancia otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentDocument {
    Voucher(PaymentVoucher),
    Choice(PrepaymentChoice),
}

/// The payment's document from the central's answer and the kiosk's context.
pub fn payment(done: &api::PaymentDone, context: &PaymentContext) -> Result<PaymentDocument, ReceiptError> {
    let debit_account = AccountRef {
        number: MaskedNumber::new(done.account_number.clone())?,
        kind: account_kind(&context.account_product_name, context.account_currency),
        currency: context.account_currency,
    };
    let exchange = done.exchange.as_ref().map(|applied| ExchangeApplied {
        rate: applied.rate,
        side: if applied.side_label.to_lowercase().starts_with('v') { RateSide::Venta } else { RateSide::Compra },
        debited: done.debit,
    });
    let summary = |figures: &api::ScheduleFigures| NewScheduleSummary {
        next_rows: context.new_schedule_rows.clone(),
        remaining_installments: figures.installments_remaining,
        last_due: figures.last_due_date,
        remaining_principal: figures.outstanding_principal,
    };
    let choice = |option| {
        PaymentDocument::Choice(PrepaymentChoice {
            customer_name: context.customer_name.clone(),
            card: context.card.clone(),
            loan_number: done.loan_number.clone(),
            loan_product: context.loan_product.clone(),
            amount_paid: done.amount,
            debit_account: debit_account.clone(),
            exchange: exchange.clone(),
            option,
        })
    };
    let zero = Money::zero(done.amount.currency);
    Ok(match (done.option, &done.new_schedule) {
        (api::PaymentOption::Advance, _) => {
            choice(PrepaymentOption::Advance { installments_covered: done.installments_covered.clone() })
        }
        (api::PaymentOption::Total, _) => choice(PrepaymentOption::TotalCancellation),
        (api::PaymentOption::PrepaymentReduceAmount, Some(figures)) => {
            choice(PrepaymentOption::ReduceInstallmentAmount {
                previous_installment: context.previous_installment.unwrap_or(zero),
                new_installment: figures.installment_amount,
                schedule: summary(figures),
            })
        }
        (api::PaymentOption::PrepaymentReduceCount, Some(figures)) => {
            choice(PrepaymentOption::ReduceInstallmentCount {
                installment: figures.installment_amount,
                previous_count: context.previous_count.unwrap_or(figures.installments_remaining),
                new_count: figures.installments_remaining,
                schedule: summary(figures),
            })
        }
        _ => PaymentDocument::Voucher(PaymentVoucher {
            customer_name: context.customer_name.clone(),
            card: context.card.clone(),
            loan_number: done.loan_number.clone(),
            loan_product: context.loan_product.clone(),
            installments: done.installments_covered.clone(),
            principal: done.principal_part,
            interest: done.interest_part,
            insurance: done.insurance_part,
            late_interest: (!done.moratorium_part.is_zero()).then_some(done.moratorium_part),
            total_paid: done.amount,
            debit_account,
            exchange,
            after: if done.loan_cancelled {
                LoanAfterPayment::Cancelled
            } else {
                LoanAfterPayment::Continues {
                    outstanding_principal: done.loan_outstanding_after,
                    next_due: context.next_due.clone(),
                }
            },
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_kinds_lose_their_currency_word_and_dots() {
        assert_eq!(account_kind("CTA.AHORRO PN SOLES", Currency::PEN), "CTA AHORRO PN");
        assert_eq!(account_kind("CTA AHORRO SUELDO SOLES", Currency::PEN), "CTA AHORRO SUELDO");
        assert_eq!(account_kind("CTA.AHORRO PN DOLARES", Currency::USD), "CTA AHORRO PN");
        assert_eq!(account_kind("PLAZO FIJO", Currency::USD), "PLAZO FIJO");
    }

    #[test]
    fn the_central_affiliation_answer_becomes_the_seed_constancia() {
        let answer = api::AffiliationConstancia {
            operation_number: "000123462".into(),
            operation: api::AffiliationOperation::Affiliation,
            service: "COMPRAS POR INTERNET".into(),
            customer_name: "JESUS".into(),
            account_number: "00121110".into(),
            account_product_name: "CTA.AHORRO PN SOLES".into(),
            currency: Currency::PEN,
            email: "jesus.quispe@correo.pe".into(),
            at: crate::samples::instant(),
            at_local: "20/11/2026 10:08:30".into(),
        };
        let converted = affiliation(&answer).unwrap();
        assert_eq!(converted.account.describe(), "CTA AHORRO PN SOLES - 00121110");
        let samples = crate::samples::all().unwrap();
        let (_, sample) = samples.iter().find(|(name, _)| *name == "affiliation").unwrap();
        let issue = crate::samples::issue(&answer.operation_number);
        assert_eq!(&crate::templates::affiliation_constancia(&issue, &converted), sample);
        let unmasked = api::AffiliationConstancia { account_number: "4557880123456789".into(), ..answer };
        assert!(matches!(affiliation(&unmasked), Err(ReceiptError::NotMasked { visible_digits: 16 })));
    }

    #[test]
    fn a_due_installment_payment_makes_a_voucher_and_a_prepayment_its_constancia() {
        let done = api::PaymentDone {
            operation_id: uuid::Uuid::nil(),
            operation_number: "000123457".into(),
            loan_id: "L1".into(),
            loan_number: "105-01-0004521".into(),
            option: api::PaymentOption::DueInstallment,
            kind_label: "Pago de cuota".into(),
            choice_label: None,
            amount: Money::from_cents(40975, Currency::PEN),
            debit: Money::from_cents(40975, Currency::PEN),
            exchange: None,
            principal_part: Money::from_cents(35100, Currency::PEN),
            interest_part: Money::from_cents(4920, Currency::PEN),
            insurance_part: Money::from_cents(610, Currency::PEN),
            moratorium_part: Money::from_cents(345, Currency::PEN),
            account_number: "00121110".into(),
            account_balance_after: Money::from_cents(100_000, Currency::PEN),
            loan_outstanding_after: Money::from_cents(500_000, Currency::PEN),
            installments_covered: vec![6],
            new_schedule: None,
            next_installment: None,
            loan_cancelled: false,
            at: crate::samples::instant(),
        };
        let context = PaymentContext {
            customer_name: "JESUS QUISPE MAMANI".into(),
            card: Some(MaskedNumber::new("**** **** **** 0010").unwrap()),
            loan_product: "CRÉDITO CONSUMO".into(),
            account_product_name: "CTA.AHORRO PN SOLES".into(),
            account_currency: Currency::PEN,
            previous_installment: None,
            previous_count: None,
            next_due: Some(NextDue {
                date: chrono::NaiveDate::from_ymd_opt(2026, 12, 15).unwrap(),
                installment: Money::from_cents(40630, Currency::PEN),
            }),
            new_schedule_rows: Vec::new(),
        };
        let PaymentDocument::Voucher(voucher) = payment(&done, &context).unwrap() else { panic!("a voucher") };
        let samples = crate::samples::all().unwrap();
        let (_, sample) = samples.iter().find(|(name, _)| *name == "payment_voucher").unwrap();
        let rendered = crate::templates::payment_voucher(&crate::samples::issue("000123457"), &voucher);
        assert_eq!(&rendered, sample);

        // Without the next installment the voucher still says what is owed, and never "cancelado".
        let unknown_next = PaymentContext { next_due: None, ..context.clone() };
        let PaymentDocument::Voucher(voucher) = payment(&done, &unknown_next).unwrap() else { panic!("a voucher") };
        let text = crate::render::text::render(&crate::layout(
            &crate::templates::payment_voucher(&crate::samples::issue("000123457"), &voucher),
            crate::Columns::new(48).unwrap(),
        ));
        assert!(text.contains("Saldo de capital:") && text.contains("S/ 5,000.00"), "{text}");
        assert!(!text.contains("cancelado"), "{text}");
        let paid_off = api::PaymentDone { loan_cancelled: true, ..done.clone() };
        let PaymentDocument::Voucher(voucher) = payment(&paid_off, &unknown_next).unwrap() else { panic!("a voucher") };
        assert_eq!(voucher.after, LoanAfterPayment::Cancelled);

        let advance =
            api::PaymentDone { option: api::PaymentOption::Advance, installments_covered: vec![7, 8], ..done };
        let PaymentDocument::Choice(choice) = payment(&advance, &context).unwrap() else { panic!("a constancia") };
        assert_eq!(choice.option, PrepaymentOption::Advance { installments_covered: vec![7, 8] });
    }

    /// Issue 18: a partial prepayment's constancia printed the schedule's header with no row under it (the
    /// central's answer carries the headline figures only). It prints the figures and no empty table.
    #[test]
    fn a_prepayment_with_only_headline_figures_prints_them_and_no_empty_schedule_table() {
        let pen = |cents| Money::from_cents(cents, Currency::PEN);
        let done = api::PaymentDone {
            operation_id: uuid::Uuid::nil(),
            operation_number: "00000002".into(),
            loan_id: "L1".into(),
            loan_number: "003600010001".into(),
            option: api::PaymentOption::PrepaymentReduceAmount,
            kind_label: "Pago anticipado parcial".into(),
            choice_label: None,
            amount: pen(300_000),
            debit: pen(300_000),
            exchange: None,
            principal_part: pen(300_000),
            interest_part: pen(0),
            insurance_part: pen(0),
            moratorium_part: pen(0),
            account_number: "00121110".into(),
            account_balance_after: pen(100_000),
            loan_outstanding_after: pen(7_265_589),
            installments_covered: vec![],
            new_schedule: Some(api::ScheduleFigures {
                installment_amount: pen(102_264),
                installments_remaining: 117,
                last_due_date: chrono::NaiveDate::from_ymd_opt(2036, 8, 15),
                outstanding_principal: pen(7_265_589),
            }),
            next_installment: None,
            loan_cancelled: false,
            at: crate::samples::instant(),
        };
        let context = PaymentContext {
            customer_name: "JESUS".into(),
            card: None,
            loan_product: "CRÉDITO HIPOTECARIO".into(),
            account_product_name: "CTA.AHORRO PN SOLES".into(),
            account_currency: Currency::PEN,
            previous_installment: Some(pen(106_487)),
            previous_count: Some(117),
            next_due: None,
            new_schedule_rows: Vec::new(),
        };
        for option in [api::PaymentOption::PrepaymentReduceAmount, api::PaymentOption::PrepaymentReduceCount] {
            let done = api::PaymentDone { option, ..done.clone() };
            let PaymentDocument::Choice(choice) = payment(&done, &context).unwrap() else { panic!("a constancia") };
            let document = crate::templates::prepayment_choice(&crate::samples::issue("00000002"), &choice);
            for columns in crate::Columns::ALL {
                let text = crate::render::text::render(&crate::layout(&document, columns));
                assert!(!text.contains("Vencimiento") || text.contains("Último vencimiento"), "{text}");
                assert!(!text.contains("N°   "), "no table header without rows:\n{text}");
                assert!(text.contains("S/ 1,022.64"), "the new installment:\n{text}");
                assert!(text.contains("Cuotas restantes") && text.contains("117"), "{text}");
                assert!(text.contains("Último vencimiento") && text.contains("15/08/2036"), "{text}");
            }
        }
        // The rows, when known, are printed under their header.
        let with_rows = PaymentContext {
            new_schedule_rows: vec![crate::ScheduleRow {
                number: 5,
                due: chrono::NaiveDate::from_ymd_opt(2026, 12, 15).unwrap(),
                installment: pen(102_264),
            }],
            ..context
        };
        let PaymentDocument::Choice(choice) = payment(&done, &with_rows).unwrap() else { panic!("a constancia") };
        let text = crate::render::text::render(&crate::layout(
            &crate::templates::prepayment_choice(&crate::samples::issue("00000002"), &choice),
            crate::Columns::C48,
        ));
        assert!(text.contains("N°   Vencimiento") && text.contains("  5  15/12/2026"), "{text}");
    }
}
