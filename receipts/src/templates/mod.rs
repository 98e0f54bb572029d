//! The templates: plain input structs in, a [`Document`] out, all wording in Spanish (es-PE) and taken
//! from the caja's own guides where they give it. Templates are pure and infallible: everything that
//! could be invalid (a number that is not masked) is refused when the input is built.

mod loans;
mod maintenance;
mod services;

pub use loans::{
    ExchangeApplied, LoanAfterPayment, NewScheduleSummary, NextDue, NotCompletedReason, OperationNotCompleted,
    PaymentVoucher, PrepaymentChoice, PrepaymentOption, RateSide, operation_not_completed, payment_voucher,
    prepayment_choice,
};
pub use maintenance::{MaintenanceTest, maintenance_test};
pub use services::{
    AccountBalance, AffiliationAction, AffiliationConstancia, BalanceInquiry, CancelledLoan, ClaveEnrollment,
    MovementLine, NoDebtCertificate, NoDebtScope, RequestKind, RequestTicket, affiliation_constancia, balance_inquiry,
    clave_enrollment, no_debt_certificate, request_ticket,
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use servicaja_core::money::{Currency, Money};

use crate::format;
use crate::model::{Block, Document, DocumentKind, Header, MaskedNumber};
use crate::verification;

/// What every document shares: who issues it, when, under which operation number, and the hash of the
/// journal entry that recorded the operation (for the QR). Without a hash the document has no QR.
///
/// The receipt's own text is journaled in a later entry than the operation, so the code printed on it
/// never depends on itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub header: Header,
    pub issued_at: DateTime<Utc>,
    pub operation_number: String,
    pub journal_hash: Option<[u8; 32]>,
}

impl Issue {
    fn document(&self, kind: DocumentKind, title: &str, body: Vec<Block>, footer: Vec<String>) -> Document {
        self.document_of(kind, title, body, footer, None)
    }

    /// A document whose QR carries `amount`, the operation's total as printed.
    fn document_of(
        &self,
        kind: DocumentKind,
        title: &str,
        body: Vec<Block>,
        footer: Vec<String>,
        amount: Option<Money>,
    ) -> Document {
        Document {
            kind,
            header: self.header.clone(),
            title: title.to_owned(),
            issued_at: self.issued_at,
            operation_number: self.operation_number.clone(),
            body,
            footer,
            qr: self.journal_hash.map(|hash| {
                verification::qr_code(
                    &self.header.kiosk_id,
                    &self.operation_number,
                    self.issued_at,
                    amount.as_ref(),
                    &hash,
                )
            }),
            duplicate: None,
        }
    }

    fn date_time_field(&self) -> Block {
        field("Fecha y hora", format::lima_date_time(self.issued_at))
    }
}

/// An account as the caja names it: number (masked or the caja's 8-digit form), type and currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRef {
    pub number: MaskedNumber,
    /// `CTA AHORRO PN`, `CTA AHORRO SUELDO`…
    pub kind: String,
    pub currency: Currency,
}

impl AccountRef {
    /// `CTA AHORRO PN SOLES - 00121110`, the seed's "Cuenta afiliada" form.
    pub fn describe(&self) -> String {
        format!("{} {} - {}", self.kind, format::currency_word(self.currency), self.number)
    }
}

fn field(label: &str, value: impl Into<String>) -> Block {
    Block::Field { label: label.to_owned(), value: value.into() }
}

fn paragraph(text: impl Into<String>) -> Block {
    Block::Paragraph(text.into())
}

/// `5`, `5 y 6`, `5, 6 y 7`.
fn spanish_list(numbers: &[u32]) -> String {
    match numbers {
        [] => "-".to_owned(),
        [only] => only.to_string(),
        [init @ .., last] => {
            let head: Vec<String> = init.iter().map(u32::to_string).collect();
            format!("{} y {last}", head.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_spanish() {
        assert_eq!(spanish_list(&[]), "-");
        assert_eq!(spanish_list(&[5]), "5");
        assert_eq!(spanish_list(&[5, 6]), "5 y 6");
        assert_eq!(spanish_list(&[5, 6, 7]), "5, 6 y 7");
    }
}
