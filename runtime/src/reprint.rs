//! The staff reprint service: searches the journal's printed documents, previews one as it was printed,
//! and reprints it marked DUPLICADO (count, original date, staff id) on the printer, then journals the
//! reprint. Nothing else changes: no operation, no receipt record, no counter but the paper's.
//!
//! Printed documents are journaled as `Receipt` records whose text is the [`Document`] as JSON (see
//! [`receipt_event`]), so a reprint is laid out exactly like the original. A record holding plain text
//! (an older writer) is reprinted as that text under the same DUPLICADO mark.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use servicaja_drivers::devices::PrinterHandle;
use servicaja_drivers::printer::{PrintError, PrintJob};
use servicaja_host::journal::{
    Journal, JournalError, JournalEvent, JournalRecord, MaskedCard, ReceiptQuery, SafeText, start_of_day,
};
use servicaja_maintenance::{
    CriteriaError, OriginalReceipt, ReprintCriteria, ReprintDecision, ReprintRefusal, Requester, decide_reprint,
    operation_like_pattern, operation_matches,
};
use servicaja_receipts::layout::DUPLICATE_BANNER;
use servicaja_receipts::{Columns, Document, Layout, ReceiptError, Row, TextStyle, format, layout, mark_duplicate};

use crate::paper::{PaperStore, PaperStoreError};

#[derive(Debug, thiserror::Error)]
pub enum ReprintError {
    #[error(transparent)]
    Criteria(#[from] CriteriaError),
    #[error(transparent)]
    Refused(#[from] ReprintRefusal),
    #[error("journal record {0} is not a printed document")]
    NotAReceipt(i64),
    #[error("the journal: {0}")]
    Journal(#[from] JournalError),
    #[error("the document cannot be laid out: {0}")]
    Layout(#[from] ReceiptError),
    #[error("the printer did not print the duplicate ({0}); nothing was journaled as reprinted, try again")]
    Print(#[from] PrintError),
    #[error("the document could not be encoded for the journal: {0}")]
    Encode(String),
    #[error("the journal is not available (its thread stopped): restart the kiosk")]
    Unavailable,
}

/// One search result for the staff screen: one document, however many times it was journaled (when the
/// operation was done, then when it printed or failed to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The newest record of the document (the one reprinted).
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub operation: String,
    pub title: String,
    pub card: Option<String>,
    /// False when it never came out of the printer (no paper, the QR or e-mail route, a job cut short):
    /// the customer left without it on paper.
    pub printed: bool,
    /// How many times it was reprinted before.
    pub reprints: u32,
}

/// A finished reprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reprinted {
    pub decision: ReprintDecision,
    /// The journal record of the reprint.
    pub journal_seq: i64,
    /// What came out of the printer, as text.
    pub text: String,
}

/// The journal record for a printed document, in the form reprints read back.
pub fn receipt_event(
    document: &Document,
    session: Option<String>,
    card: Option<MaskedCard>,
) -> Result<JournalEvent, ReprintError> {
    let json = serde_json::to_string(document).map_err(|err| ReprintError::Encode(err.to_string()))?;
    Ok(JournalEvent::Receipt {
        session,
        operation: document.operation_number.clone(),
        card,
        title: SafeText::new(document.title.clone())?,
        text: SafeText::new(json)?,
        printed: true,
    })
}

/// The most documents one search lists.
const SHOWN: usize = 50;

/// Searches the documents customers were owed — printed or not —, newest first, one entry per document,
/// with how many times each was reprinted. The operation number matches as staff type it
/// ([`operation_matches`]: any case, spaces, missing leading zeros, `REQ-`/`CND-` numbers).
pub fn search(journal: &Journal, criteria: &ReprintCriteria) -> Result<Vec<Candidate>, ReprintError> {
    let valid = criteria.validate()?;
    let typed = valid.operation.clone();
    let query = ReceiptQuery {
        from: valid.from.map(start_of_day),
        to: valid.to.and_then(|to| to.succ_opt()).map(start_of_day),
        operation: None,
        operation_like: typed.as_deref().map(operation_like_pattern),
        card_last4: valid.card_last4,
        // A document is journaled up to three times (done, printed or not); the coarse pattern lets
        // neighbours through.
        limit: Some(u32::try_from(SHOWN * 10).unwrap_or(u32::MAX)),
    };
    let records: Vec<JournalRecord> = journal
        .find_receipts(&query)?
        .into_iter()
        .filter(|record| typed.as_deref().is_none_or(|typed| operation_matches(typed, operation_of(record))))
        .collect();
    let reprints = reprint_counts(journal, records.iter().map(|record| record.at).min())?;
    let mut found: Vec<Candidate> = Vec::new();
    // Newest first: the first record of a document is its newest; older ones only add "printed".
    for record in records {
        let JournalEvent::Receipt { operation, card, title, printed, .. } = record.event else { continue };
        if let Some(known) =
            found.iter_mut().find(|known| known.operation == operation && known.title == title.as_str())
        {
            known.printed |= printed;
            continue;
        }
        if found.len() == SHOWN {
            continue;
        }
        found.push(Candidate {
            seq: record.seq,
            at: record.at,
            reprints: reprints.get(&operation).copied().unwrap_or(0),
            operation,
            title: title.as_str().to_owned(),
            card: card.map(|card| card.to_string()),
            printed,
        });
    }
    Ok(found)
}

/// The reprints journaled since `since`, counted by operation (one pass over the journal): a document
/// journaled several times is one document.
fn reprint_counts(journal: &Journal, since: Option<DateTime<Utc>>) -> Result<HashMap<String, u32>, ReprintError> {
    let mut counts = HashMap::new();
    let Some(since) = since else { return Ok(counts) };
    for record in journal.range(since, DateTime::<Utc>::MAX_UTC)? {
        if let JournalEvent::Reprint { operation, .. } = record.event {
            *counts.entry(operation).or_insert(0u32) += 1;
        }
    }
    Ok(counts)
}

/// The stored document of record `seq` laid out as it was printed (no mark), for the preview.
pub fn preview(journal: &Journal, seq: i64, columns: Columns) -> Result<Layout, ReprintError> {
    let (record, stored) = stored_document(journal, seq)?;
    Ok(match stored {
        Stored::Document(document) => layout(&document, columns),
        Stored::Text(text) => text_layout(&text, None, record.at, columns),
    })
}

/// Where duplicates are printed.
#[derive(Clone)]
pub struct Reprinter<'a> {
    pub printer: &'a PrinterHandle,
    pub columns: Columns,
    /// The printer's stored logo (`printer.logo_key`).
    pub logo_key: &'a str,
}

/// Reprints record `seq` for `requester` at `now`: the mark, the printer, the paper counter, the journal.
pub fn reprint(
    journal: &mut Journal,
    to: &Reprinter<'_>,
    paper: Option<&mut PaperStore>,
    seq: i64,
    requester: &Requester,
    now: DateTime<Utc>,
) -> Result<Reprinted, ReprintError> {
    let columns = to.columns;
    let (record, stored) = stored_document(journal, seq)?;
    let (operation, issued_at) = match &stored {
        Stored::Document(document) => (document.operation_number.clone(), document.issued_at),
        Stored::Text(_) => (operation_of(&record).to_owned(), record.at),
    };
    let previous = previous_reprints(journal, &record)?;
    let original = OriginalReceipt { seq, operation, issued_at };
    let decision = decide_reprint(requester, &original, previous, now)?;
    let original_printed = matches!(record.event, JournalEvent::Receipt { printed: true, .. });
    let marked = match &stored {
        Stored::Document(document) => {
            let mut copy = mark_duplicate(document, decision.reprint_count, &decision.staff_id, now);
            if let Some(mark) = copy.duplicate.as_mut() {
                mark.original_printed = original_printed;
            }
            layout(&copy, columns)
        }
        Stored::Text(text) => text_layout(text, Some(&decision), issued_at, columns),
    };
    let job = servicaja_receipts::render::escpos::render(&marked, to.logo_key)?;
    to.printer.print(PrintJob::from(job))?;
    if let Some(paper) = paper {
        let length = servicaja_receipts::render::paper_length_mm(&marked)?;
        // The reprint is on paper already: a counter that cannot be saved is logged, not an error.
        let saved: Result<(), PaperStoreError> = paper.record_print(length.ceil() as u32);
        if let Err(err) = saved {
            tracing::warn!(%err, "paper counter not updated after a reprint");
        }
    }
    let (_, appended) = journal.reprint(now, &decision.staff_id, seq)?;
    let text = servicaja_receipts::render::text::render(&marked);
    Ok(Reprinted { decision, journal_seq: appended.seq, text })
}

enum Stored {
    Document(Box<Document>),
    Text(String),
}

fn stored_document(journal: &Journal, seq: i64) -> Result<(JournalRecord, Stored), ReprintError> {
    let record = journal.get(seq)?.ok_or(ReprintError::NotAReceipt(seq))?;
    let JournalEvent::Receipt { text, .. } = &record.event else {
        return Err(ReprintError::NotAReceipt(seq));
    };
    let stored = match serde_json::from_str::<Document>(text.as_str()) {
        Ok(document) => Stored::Document(Box::new(document)),
        Err(_) => Stored::Text(text.as_str().to_owned()),
    };
    Ok((record, stored))
}

fn operation_of(record: &JournalRecord) -> &str {
    match &record.event {
        JournalEvent::Receipt { operation, .. } => operation,
        _ => "",
    }
}

/// How many times the document of record `original` was reprinted before (the journal's `Reprint` records
/// of its operation after it: the same document journaled twice is reprinted under one count).
fn previous_reprints(journal: &Journal, original: &JournalRecord) -> Result<u32, ReprintError> {
    let operation = operation_of(original);
    let count = journal
        .range(original.at, DateTime::<Utc>::MAX_UTC)?
        .iter()
        .filter(|r| {
            matches!(&r.event, JournalEvent::Reprint { original_seq, operation: reprinted, .. }
                if *original_seq == original.seq || (!operation.is_empty() && reprinted == operation))
        })
        .count();
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

/// A plain-text record laid out line by line, under the DUPLICADO mark when there is a decision.
fn text_layout(text: &str, mark: Option<&ReprintDecision>, issued_at: DateTime<Utc>, columns: Columns) -> Layout {
    let width = columns.count();
    let mut rows = Vec::new();
    let mut push = |text: String, style| rows.push(Row::Text { text: format::printable(&text), style });
    if let Some(decision) = mark {
        push(format!("{DUPLICATE_BANNER:^width$}").trim_end().to_owned(), TextStyle::Title);
        for (label, value) in [
            ("Reimpresión N°", decision.reprint_count.to_string()),
            ("Fecha original", format::lima_date_time(issued_at)),
            ("Reimpreso", format::lima_date_time(decision.reprinted_at)),
            ("Personal", decision.staff_id.clone()),
        ] {
            let (label_len, value_len) = (label.chars().count(), value.chars().count());
            if label_len + 1 + value_len <= width {
                push(format!("{label}{}{value}", " ".repeat(width - label_len - value_len)), TextStyle::Normal);
            } else {
                // Too narrow for both (32 columns): the value goes right-aligned on its own line.
                push(label.to_owned(), TextStyle::Normal);
                push(format!("{value:>width$}").chars().take(width).collect(), TextStyle::Normal);
            }
        }
        push("=".repeat(width), TextStyle::Normal);
    }
    // The text renderer writes a QR code as `[QR] payload` and the blank line fed after it: printed again as
    // the QR code it was.
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(payload) = line.trim_start().strip_prefix("[QR] ") {
            rows.push(Row::Qr { payload: payload.trim_end().to_owned() });
            lines.next_if(|next| next.trim().is_empty());
            continue;
        }
        let text = format::printable(&line.chars().take(width).collect::<String>());
        rows.push(Row::Text { text: text.trim_end().to_owned(), style: TextStyle::Normal });
    }
    Layout { columns, rows }
}

// The tests print on the emulated printer, which only a demo build has.
#[cfg(test)]
mod tests {
    use std::sync::mpsc::Receiver;
    use std::time::Duration;

    use super::*;
    use chrono::TimeZone;
    use servicaja_core::settings::Settings;
    use servicaja_drivers::devices::{Devices, DriverOptions};
    use servicaja_drivers::emulator::EmulatorSet;
    use servicaja_drivers::readers::DeviceEvent;
    use servicaja_drivers::status::{DeviceKind, DeviceState};

    fn wait_until_printer_online(events: &Receiver<DeviceEvent>) {
        loop {
            match events.recv_timeout(Duration::from_secs(10)).expect("the printer driver reported nothing") {
                DeviceEvent::StatusChanged { device: DeviceKind::Printer, status, .. }
                    if status.device == DeviceState::Online =>
                {
                    return;
                }
                _ => {}
            }
        }
    }

    fn kinds(journal: &Journal) -> Vec<&'static str> {
        journal
            .range(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)
            .unwrap()
            .iter()
            .map(|r| r.event.kind())
            .collect()
    }

    #[test]
    fn a_journaled_receipt_is_reprinted_marked_duplicado_and_the_reprint_is_journaled() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(&dir.path().join("journal.sqlite"), 64).unwrap();
        let (_, document) = servicaja_receipts::samples::all().unwrap().into_iter().next().unwrap();
        let event = receipt_event(&document, Some("s-1".into()), MaskedCard::from_last4("4242")).unwrap();
        let original_seq = journal.append(document.issued_at, &event).unwrap().seq;

        let criteria = ReprintCriteria { card_last4: Some("4242".into()), ..Default::default() };
        let found = search(&journal, &criteria).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].seq, found[0].operation.as_str()), (original_seq, document.operation_number.as_str()));
        let by_date = ReprintCriteria { from: Some(document.issued_at.date_naive()), ..Default::default() };
        assert_eq!(search(&journal, &by_date).unwrap().len(), 1);
        let preview = servicaja_receipts::render::text::render(&preview(&journal, original_seq, Columns::C48).unwrap());
        assert!(preview.contains(&document.operation_number) && !preview.contains("DUPLICADO"));

        let settings = Settings::default();
        let emulators = EmulatorSet::start_temporary(48).unwrap();
        let (devices, events) = Devices::start(
            &settings.printer,
            &settings.card_reader,
            &settings.document_reader,
            Some(&emulators.paths()),
            DriverOptions::default(),
        );
        wait_until_printer_online(&events);
        let mut paper = PaperStore::open(dir.path()).unwrap();
        let to = Reprinter { printer: &devices.printer, columns: Columns::C48, logo_key: "LG" };
        let staff = Requester::Staff { id: "S01".into() };
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 16, 30, 0).unwrap();

        assert!(matches!(
            reprint(&mut journal, &to, Some(&mut paper), original_seq, &Requester::Customer, now),
            Err(ReprintError::Refused(ReprintRefusal::CustomerCannotReprint))
        ));
        assert!(emulators.control().last_receipt().is_none(), "nothing printed for a customer");

        let first = reprint(&mut journal, &to, Some(&mut paper), original_seq, &staff, now).unwrap();
        let printed = emulators.control().last_receipt_text().unwrap();
        assert!(printed.contains("DUPLICADO"), "{printed}");
        assert!(printed.contains("Reimpresión N°") && printed.contains('1'), "{printed}");
        assert!(printed.contains("Personal") && printed.contains("S01"), "{printed}");
        assert!(printed.contains("20/11/2026"), "the original date: {printed}");
        assert!(printed.contains(&document.operation_number), "{printed}");
        assert_eq!(first.decision.reprint_count, 1);

        let second =
            reprint(&mut journal, &to, Some(&mut paper), original_seq, &staff, now + chrono::TimeDelta::minutes(1))
                .unwrap();
        assert_eq!(second.decision.reprint_count, 2);
        assert!(emulators.control().last_receipt_text().unwrap().contains("Reimpresión N°"));

        assert_eq!(
            kinds(&journal),
            ["receipt", "reprint", "reprint"],
            "no new receipt or operation: counters unchanged"
        );
        match journal.get(first.journal_seq).unwrap().unwrap().event {
            JournalEvent::Reprint { operation, staff, original_seq: seq } => {
                assert_eq!(
                    (operation, staff, seq),
                    (document.operation_number.clone(), "S01".to_string(), original_seq)
                );
            }
            other => panic!("expected a reprint record, got {other:?}"),
        }
        assert_eq!(search(&journal, &criteria).unwrap().len(), 1, "the search still finds the one original");
        assert_eq!(paper.counter().receipts, 2, "paper is paper: duplicates use the roll");
        assert!(journal.verify().unwrap().first_broken.is_none());
    }

    #[test]
    fn a_plain_text_record_is_reprinted_under_the_mark_and_a_non_receipt_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::open(&dir.path().join("journal.sqlite"), 64).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap();
        let event = JournalEvent::Receipt {
            session: None,
            operation: "000321".into(),
            card: None,
            title: SafeText::new("CONSTANCIA").unwrap(),
            text: SafeText::new("CONSTANCIA DE PAGO\nN° de operación 000321").unwrap(),
            printed: true,
        };
        let seq = journal.append(at, &event).unwrap().seq;
        let other = JournalEvent::Alert { message: SafeText::new("x").unwrap() };
        let alert = journal.append(at, &other).unwrap().seq;
        let decision = decide_reprint(
            &Requester::Staff { id: "S02".into() },
            &OriginalReceipt { seq, operation: "000321".into(), issued_at: at },
            0,
            at,
        )
        .unwrap();
        let text =
            servicaja_receipts::render::text::render(&text_layout("LINE A\nLINE B", Some(&decision), at, Columns::C32));
        assert!(text.contains("DUPLICADO") && text.contains("S02") && text.contains("LINE B"), "{text}");
        assert!(text.lines().all(|line| line.chars().count() <= 32), "{text}");
        assert!(matches!(preview(&journal, alert, Columns::C48), Err(ReprintError::NotAReceipt(_))));
        // A QR code journaled as the text renderer writes it is laid out as a QR code again, line for line.
        let with_qr = "TOTAL  S/ 1.00\n[QR] SERVICAJA|V1|KSK-TAC-001|000321|1E93E-A193A-LONGER-THAN-THE-PAPER\n\nFIN\n";
        let laid = text_layout(with_qr, None, at, Columns::C48);
        assert!(laid.rows.iter().any(|row| matches!(row, Row::Qr { payload } if payload.ends_with("-PAPER"))));
        assert_eq!(servicaja_receipts::render::text::render(&laid).trim_start(), with_qr.trim_start());
        assert!(preview(&journal, seq, Columns::C48).is_ok());
    }
}
