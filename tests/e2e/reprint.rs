//! Staff reprints through the runtime: an installment paid whose receipt was cut short by paper out is
//! found, previewed and reprinted on the journal thread — through the runtime's printer, on the emulator —
//! marked DUPLICADO and journaled; with the paper out again nothing is journaled; a customer is refused.

use servicaja_drivers::emulator::SimPaper;
use servicaja_drivers::printer::FailReason;
use servicaja_host::journal::JOURNAL_FILE;
use servicaja_host::{Journal, JournalEvent};
use servicaja_maintenance::{ReprintCriteria, ReprintRefusal, Requester};

use crate::world::{World, ask};
use servicaja_runtime::reprint::ReprintError;

/// Pays the consumer loan's due installment and asks for the receipt on paper, which runs out mid-job.
async fn pay_with_the_receipt_cut_short(w: &mut World) -> String {
    w.log_in().await;
    let operation = w.pay_due_installment().await.operation_number;
    w.print_until_the_paper_runs_out().await;
    operation
}

fn reprints(w: &World) -> Vec<(String, String, i64)> {
    let journal = Journal::open_existing(&w.kiosk_dir().join(JOURNAL_FILE)).unwrap();
    assert!(journal.verify().unwrap().first_broken.is_none(), "the journal's chain verifies");
    journal
        .range(chrono::DateTime::<chrono::Utc>::MIN_UTC, chrono::DateTime::<chrono::Utc>::MAX_UTC)
        .unwrap()
        .into_iter()
        .filter_map(|record| match record.event {
            JournalEvent::Reprint { operation, staff, original_seq } => Some((operation, staff, original_seq)),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_cut_short_is_reprinted_through_the_runtime_marked_duplicado_and_journaled() {
    let mut w = World::start().await;
    let operation = pay_with_the_receipt_cut_short(&mut w).await;
    let runtime = w.runtime();

    let criteria = ReprintCriteria { operation: Some(operation.clone()), ..Default::default() };
    let found = ask(|reply| runtime.search_receipts(criteria.clone(), reply)).await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let receipt = found[0].clone();
    assert!(!receipt.printed, "listed as not printed");
    assert_eq!((receipt.operation.as_str(), receipt.reprints), (operation.as_str(), 0));
    assert_eq!(receipt.card.as_deref(), Some("**** **** **** 0010"));
    let bad = ReprintCriteria { card_last4: Some("12".into()), ..Default::default() };
    assert!(matches!(ask(|reply| runtime.search_receipts(bad, reply)).await, Err(ReprintError::Criteria(_))));

    let preview = ask(|reply| runtime.preview_receipt(receipt.seq, reply)).await.unwrap();
    assert!(preview.contains(&operation) && !preview.contains("DUPLICADO"), "{preview}");

    // A customer never gets a copy.
    let refused =
        ask(|reply| runtime.reprint_receipt(receipt.seq, Requester::Customer, chrono::Utc::now(), reply)).await;
    assert!(matches!(refused, Err(ReprintError::Refused(ReprintRefusal::CustomerCannotReprint))), "{refused:?}");

    // Still no paper: not reprinted, nothing journaled.
    let staff = Requester::Staff { id: "S01".into() };
    let out = ask(|reply| runtime.reprint_receipt(receipt.seq, staff.clone(), chrono::Utc::now(), reply)).await;
    match out {
        Err(ReprintError::Print(err)) => assert_eq!(err.reason(), Some(FailReason::PaperOut), "{err}"),
        other => panic!("expected paper out, got {other:?}"),
    }
    assert!(reprints(&w).is_empty());

    // A new roll: the duplicate comes out of the runtime's printer and the reprint is journaled.
    w.control().set_paper(SimPaper::Ok);
    let done =
        ask(|reply| runtime.reprint_receipt(receipt.seq, staff.clone(), chrono::Utc::now(), reply)).await.unwrap();
    assert_eq!(done.decision.reprint_count, 1);
    let printed = w.control().last_receipt_text().unwrap();
    assert!(printed.contains("DUPLICADO") && printed.contains("S01") && printed.contains(&operation), "{printed}");
    assert_eq!(reprints(&w), [(operation.clone(), "S01".to_string(), receipt.seq)]);
    let again = ask(|reply| runtime.search_receipts(criteria, reply)).await.unwrap();
    assert_eq!(again.len(), 1, "a reprint is no new receipt");
    assert_eq!(again[0].reprints, 1);
}
