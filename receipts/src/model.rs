//! The one document model every template fills and every renderer reads: the caja's header, a title,
//! the operation number, labelled lines and amounts, a legal footer, a QR payload and, for reprints, the
//! duplicate mark.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use servicaja_core::money::Money;

use crate::ReceiptError;

/// Which document a [`Document`] is; the journal and the bench name documents by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    PaymentVoucher,
    PrepaymentChoice,
    Affiliation,
    Disaffiliation,
    NoDebt,
    RequestTicket,
    ClaveEnrollment,
    BalanceInquiry,
    MaintenanceTest,
    OperationNotCompleted,
}

/// The caja's header printed on top of every document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// `CAJA TACNA`.
    pub institution: String,
    /// The caja's RUC (11 digits).
    pub ruc: String,
    pub agency_code: String,
    pub agency_name: String,
    /// `KSK-TAC-001`.
    pub kiosk_id: String,
}

impl Header {
    /// The header from the kiosk's configuration.
    pub fn from_settings(kiosk: &servicaja_core::settings::KioskSettings) -> Self {
        Self {
            institution: kiosk.institution.clone(),
            ruc: kiosk.ruc.clone(),
            agency_code: kiosk.agency_code.clone(),
            agency_name: kiosk.agency_name.clone(),
            kiosk_id: kiosk.id.clone(),
        }
    }
}

/// A card or account number in the form a customer may see. Construction refuses any text showing more
/// than [`MaskedNumber::MAX_VISIBLE_DIGITS`] digits, so a full card number can never enter a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MaskedNumber(String);

impl MaskedNumber {
    /// A savings account as the caja prints it (`00121110`) has 8 digits; a masked card shows 4.
    pub const MAX_VISIBLE_DIGITS: usize = 8;

    pub fn new(text: impl Into<String>) -> Result<Self, ReceiptError> {
        let text = text.into();
        let visible = text.chars().filter(char::is_ascii_digit).count();
        if visible > Self::MAX_VISIBLE_DIGITS {
            return Err(ReceiptError::NotMasked { visible_digits: visible });
        }
        if text.trim().is_empty() {
            return Err(ReceiptError::EmptyNumber);
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MaskedNumber {
    type Error = ReceiptError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(text)
    }
}

impl From<MaskedNumber> for String {
    fn from(number: MaskedNumber) -> Self {
        number.0
    }
}

impl std::fmt::Display for MaskedNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One row of a schedule summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRow {
    pub number: u32,
    pub due: NaiveDate,
    pub installment: Money,
}

/// One piece of a document's body, in reading order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    /// `Servicio:             COMPRAS POR INTERNET` — label left, value right (or on the next line when
    /// both do not fit).
    Field {
        label: String,
        value: String,
    },
    /// A label and an amount, bold when `strong` (the total).
    Amount {
        label: String,
        amount: Money,
        strong: bool,
    },
    /// A label alone on its line, with its value on the next (the seed's `Cuenta afiliada:` form).
    Stacked {
        label: String,
        value: String,
    },
    /// A bold sub-heading.
    Section(String),
    /// Free text, word-wrapped.
    Paragraph(String),
    /// A short schedule summary: number, due date, installment. Without rows nothing is printed, not
    /// even the table's header.
    Schedule(Vec<ScheduleRow>),
    /// An entry of a list, with no label colon: `20/11/2026 10:08:30      -S/ 150.00` (a movement), the
    /// right part on the next line, right-aligned, when both do not fit; then its detail indented below.
    Entry {
        left: String,
        right: String,
        detail: String,
    },
    /// A column ruler `1234567890123…` exactly as wide as the paper (the test page).
    Ruler,
    Separator,
    Blank,
}

/// What the QR code carries: see [`crate::verification`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrCode {
    pub payload: String,
    /// The short verification code, also printed under the QR for a reader without a scanner.
    pub verification_code: String,
}

/// The mark a reprint carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateMark {
    /// 1 for the first reprint.
    pub reprint_count: u32,
    pub reprinted_at: DateTime<Utc>,
    pub staff_id: String,
    /// False when the original never came out of the printer (no paper: the customer took the QR, the
    /// e-mail, or nothing): the copy says so.
    #[serde(default = "printed_by_default")]
    pub original_printed: bool,
}

fn printed_by_default() -> bool {
    true
}

/// A whole document, independent of paper width and output format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocumentKind,
    pub header: Header,
    pub title: String,
    /// The instant the operation happened; printed in America/Lima time.
    pub issued_at: DateTime<Utc>,
    /// The operation number a customer quotes in a claim.
    pub operation_number: String,
    pub body: Vec<Block>,
    /// Legal and advisory text printed small at the bottom.
    pub footer: Vec<String>,
    pub qr: Option<QrCode>,
    pub duplicate: Option<DuplicateMark>,
}

impl Document {
    /// What the document's QR code carries — the printed QR's payload, which the screen shows too when
    /// the printer has no paper. A document without a journal record (a balance slip) has no verification
    /// code: its payload says who issued it, which number and when, with `-` for the code.
    pub fn qr_payload(&self) -> String {
        match &self.qr {
            Some(qr) => qr.payload.clone(),
            None => {
                crate::verification::unverified_payload(&self.header.kiosk_id, &self.operation_number, self.issued_at)
            }
        }
    }
}

/// Paper width in characters of font A.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Columns {
    /// 80 mm paper.
    C48,
    /// 80 mm paper with a wider font or margins.
    C42,
    /// 58 mm paper.
    C32,
}

impl Columns {
    pub const ALL: [Columns; 3] = [Columns::C48, Columns::C42, Columns::C32];

    pub fn new(count: u8) -> Result<Self, ReceiptError> {
        match count {
            48 => Ok(Self::C48),
            42 => Ok(Self::C42),
            32 => Ok(Self::C32),
            other => Err(ReceiptError::UnsupportedColumns(other)),
        }
    }

    pub fn count(self) -> usize {
        match self {
            Self::C48 => 48,
            Self::C42 => 42,
            Self::C32 => 32,
        }
    }
}
