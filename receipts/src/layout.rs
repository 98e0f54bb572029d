//! Pure layout: a [`Document`] becomes rows of exactly the paper's width (48, 42 or 32 columns), with
//! the text already aligned by spaces, so every renderer only draws rows. No I/O, no clock, no panics.

use serde::{Deserialize, Serialize};

use crate::format;
use crate::model::{Block, Columns, Document, ScheduleRow};

/// How a text row is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TextStyle {
    Normal,
    Bold,
    /// Bold and double height, same width: the title and the duplicate banner.
    Title,
}

/// One printed row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Row {
    /// At most `columns` characters, each printable in Windows-1252; no trailing spaces.
    Text { text: String, style: TextStyle },
    /// A QR code, centred.
    Qr { payload: String },
}

/// A document laid out for one paper width.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layout {
    pub columns: Columns,
    pub rows: Vec<Row>,
}

impl Layout {
    /// The number of text rows (a title row counts once even though it is printed twice as high).
    pub fn text_row_count(&self) -> usize {
        self.rows.iter().filter(|row| matches!(row, Row::Text { .. })).count()
    }
}

/// The banner a reprint carries, top and bottom.
pub const DUPLICATE_BANNER: &str = "*** DUPLICADO ***";

/// Lays out a document for the given paper width.
pub fn layout(document: &Document, columns: Columns) -> Layout {
    let mut out = Rows { width: columns.count(), rows: Vec::new() };
    let header = &document.header;

    out.centred(&header.institution, TextStyle::Bold);
    out.centred(&format!("RUC {}", header.ruc), TextStyle::Normal);
    out.centred(&format!("Agencia {} - {}", header.agency_code, header.agency_name), TextStyle::Normal);
    out.centred(&format!("ServiCaja Virtual {}", header.kiosk_id), TextStyle::Normal);
    out.rule('=');

    if let Some(mark) = &document.duplicate {
        out.centred(DUPLICATE_BANNER, TextStyle::Title);
        out.field("Reimpresión N°", &mark.reprint_count.to_string(), TextStyle::Normal);
        out.field("Fecha original", &format::lima_date_time(document.issued_at), TextStyle::Normal);
        out.field("Reimpreso", &format::lima_date_time(mark.reprinted_at), TextStyle::Normal);
        out.field("Personal", &mark.staff_id, TextStyle::Normal);
        if !mark.original_printed {
            out.field("Original", "no impreso", TextStyle::Normal);
        }
        out.rule('=');
    }

    out.centred(&document.title, TextStyle::Title);
    out.blank();
    out.field("N° de operación", &document.operation_number, TextStyle::Normal);
    for block in &document.body {
        out.block(block);
    }

    if !document.footer.is_empty() {
        out.rule('-');
        for (index, paragraph) in document.footer.iter().enumerate() {
            if index > 0 {
                out.blank();
            }
            out.paragraph(paragraph, TextStyle::Normal);
        }
    }
    if let Some(qr) = &document.qr {
        out.blank();
        out.rows.push(Row::Qr { payload: format::printable(&qr.payload) });
        out.centred(&format!("Verificación: {}", qr.verification_code), TextStyle::Normal);
    }
    if document.duplicate.is_some() {
        out.blank();
        out.centred(DUPLICATE_BANNER, TextStyle::Bold);
    }
    Layout { columns, rows: out.rows }
}

struct Rows {
    width: usize,
    rows: Vec<Row>,
}

fn char_len(text: &str) -> usize {
    text.chars().count()
}

impl Rows {
    fn push(&mut self, text: String, style: TextStyle) {
        let trimmed = text.trim_end().to_owned();
        self.rows.push(Row::Text { text: trimmed, style });
    }

    fn blank(&mut self) {
        self.push(String::new(), TextStyle::Normal);
    }

    fn rule(&mut self, fill: char) {
        self.push(std::iter::repeat_n(fill, self.width).collect(), TextStyle::Normal);
    }

    fn centred(&mut self, text: &str, style: TextStyle) {
        for line in wrap(&format::printable(text), self.width) {
            let left = (self.width - char_len(&line)) / 2;
            self.push(format!("{}{line}", " ".repeat(left)), style);
        }
    }

    fn paragraph(&mut self, text: &str, style: TextStyle) {
        for line in wrap(&format::printable(text), self.width) {
            self.push(line, style);
        }
    }

    /// `Label:      value`, or the label alone and the value indented below when they do not fit.
    fn field(&mut self, label: &str, value: &str, style: TextStyle) {
        let label = format!("{}:", format::printable(label));
        let value = format::printable(value);
        let used = char_len(&label) + 1 + char_len(&value);
        if used <= self.width {
            let gap = self.width - char_len(&label) - char_len(&value);
            self.push(format!("{label}{}{value}", " ".repeat(gap)), style);
        } else {
            self.stacked_printable(label, &value, style);
        }
    }

    fn stacked_printable(&mut self, label: String, value: &str, style: TextStyle) {
        if !label.is_empty() {
            for line in wrap(&label, self.width) {
                self.push(line, style);
            }
        }
        for line in wrap(value, self.width.saturating_sub(2)) {
            self.push(format!("  {line}"), style);
        }
    }

    fn block(&mut self, block: &Block) {
        match block {
            Block::Field { label, value } => self.field(label, value, TextStyle::Normal),
            Block::Amount { label, amount, strong } => {
                let style = if *strong { TextStyle::Bold } else { TextStyle::Normal };
                self.field(label, &format::money(amount), style);
            }
            Block::Stacked { label, value } => self.stacked_printable(
                format!("{}:", format::printable(label)),
                &format::printable(value),
                TextStyle::Normal,
            ),
            Block::Section(text) => self.paragraph(text, TextStyle::Bold),
            Block::Paragraph(text) => self.paragraph(text, TextStyle::Normal),
            Block::Schedule(rows) => self.schedule(rows),
            Block::Entry { left, right, detail } => {
                self.entry(left, right);
                if !detail.trim().is_empty() {
                    self.stacked_printable(String::new(), &format::printable(detail), TextStyle::Normal);
                }
            }
            Block::Ruler => {
                let digits = (1..=self.width).map(|column| char::from(b'0' + (column % 10) as u8)).collect();
                self.push(digits, TextStyle::Normal);
            }
            Block::Separator => self.rule('-'),
            Block::Blank => self.blank(),
        }
    }

    fn entry(&mut self, left: &str, right: &str) {
        let (left, right) = (format::printable(left), format::printable(right));
        if char_len(&left) + 1 + char_len(&right) <= self.width {
            let gap = self.width - char_len(&left) - char_len(&right);
            self.push(format!("{left}{}{right}", " ".repeat(gap)), TextStyle::Normal);
        } else {
            for line in wrap(&left, self.width) {
                self.push(line, TextStyle::Normal);
            }
            for line in wrap(&right, self.width) {
                self.push(format!("{line:>width$}", width = self.width), TextStyle::Normal);
            }
        }
    }

    fn schedule(&mut self, rows: &[ScheduleRow]) {
        // A header over no rows reads as a schedule that went missing.
        if rows.is_empty() {
            return;
        }
        let head = "N°   Vencimiento";
        let gap = self.width.saturating_sub(char_len(head) + char_len("Cuota"));
        self.push(format!("{head}{}Cuota", " ".repeat(gap)), TextStyle::Bold);
        for row in rows {
            let left = format!("{:>3}  {}", row.number, format::date(row.due));
            let amount = format::money(&row.installment);
            let gap = self.width.saturating_sub(char_len(&left) + char_len(&amount)).max(1);
            let line = format!("{left}{}{amount}", " ".repeat(gap));
            if char_len(&line) <= self.width {
                self.push(line, TextStyle::Normal);
            } else {
                self.push(left, TextStyle::Normal);
                self.push(format!("{amount:>width$}", width = self.width), TextStyle::Normal);
            }
        }
    }
}

/// Greedy word wrap to `width` characters; a word longer than the line is split. Always at least one
/// line, so an empty text still takes its row.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let current_len = char_len(&current);
            let needed = if current.is_empty() { word.len() } else { current_len + 1 + word.len() };
            if needed <= width {
                if !current.is_empty() {
                    current.push(' ');
                }
                current.extend(word.iter());
                break;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
                continue;
            }
            let rest = word.split_off(width.min(word.len()));
            lines.push(word.into_iter().collect());
            word = rest;
            if word.is_empty() {
                break;
            }
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_never_exceeds_the_width_and_loses_no_word() {
        let text = "Aplicación del monto pagado a las cuotas inmediatamente posteriores a la exigible";
        for width in [1, 5, 10, 32, 42, 48] {
            let lines = wrap(text, width);
            assert!(lines.iter().all(|line| line.chars().count() <= width), "{width}: {lines:?}");
            let rejoined: String = lines.concat().replace(' ', "");
            assert_eq!(rejoined, text.replace(' ', ""));
        }
        assert_eq!(wrap("", 10), vec![String::new()]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
    }
}

#[cfg(test)]
mod properties {
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;
    use servicaja_core::money::{Currency, Money};

    use super::*;
    use crate::model::{DocumentKind, DuplicateMark, Header, QrCode};

    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![".{0,120}", "[a-zA-Záéíóúñ¿¡ ]{0,200}", "[\\PC\\t\\n]{0,60}"]
    }

    fn any_block() -> impl Strategy<Value = Block> {
        prop_oneof![
            (any_text(), any_text()).prop_map(|(label, value)| Block::Field { label, value }),
            (any_text(), any_text()).prop_map(|(label, value)| Block::Stacked { label, value }),
            (any_text(), any::<i64>(), any::<bool>()).prop_map(|(label, cents, strong)| Block::Amount {
                label,
                amount: Money::from_cents(cents, Currency::USD),
                strong
            }),
            any_text().prop_map(Block::Section),
            any_text().prop_map(Block::Paragraph),
            (any_text(), any_text(), any_text()).prop_map(|(left, right, detail)| Block::Entry { left, right, detail }),
            Just(Block::Schedule(Vec::new())),
            Just(Block::Ruler),
            Just(Block::Separator),
            Just(Block::Blank),
        ]
    }

    proptest! {
        #[test]
        fn any_document_lays_out_within_the_paper_width(
            title in any_text(),
            operation in any_text(),
            institution in any_text(),
            body in proptest::collection::vec(any_block(), 0..12),
            footer in proptest::collection::vec(any_text(), 0..3),
            staff in proptest::option::of(any_text()),
        ) {
            let at = Utc.timestamp_opt(1_700_000_000, 0).single().unwrap_or_default();
            let document = Document {
                kind: DocumentKind::PaymentVoucher,
                header: Header { institution, ruc: "20130098488".into(), agency_code: "001".into(), agency_name: "Tacna".into(), kiosk_id: "K".into() },
                title,
                issued_at: at,
                operation_number: operation,
                body,
                footer,
                qr: Some(QrCode { payload: "SERVICAJA|V1|K|1|ABCDE-12345".into(), verification_code: "ABCDE-12345".into() }),
                duplicate: staff.map(|staff_id| DuplicateMark { reprint_count: 1, reprinted_at: at, staff_id, original_printed: false }),
            };
            for columns in Columns::ALL {
                for row in layout(&document, columns).rows {
                    if let Row::Text { text, .. } = row {
                        prop_assert!(text.chars().count() <= columns.count(), "{:?}", text);
                        prop_assert!(text.chars().all(|c| crate::format::cp1252_byte(c).is_some()), "{:?}", text);
                    }
                }
            }
        }
    }
}
