//! The documents a customer is owed, through the real runtime (issue 18): a payment taken by QR while the
//! printer had no paper is journaled, found by staff as they type its number, and reprinted saying the
//! original never printed — its on-screen QR being the very payload of the journaled receipt; the balance
//! slip printed from the movements screen lists the movements, its number in Lima time.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use servicaja_core::api::PaymentOption;
use servicaja_drivers::emulator::SimPaper;
use servicaja_host::journal::JOURNAL_FILE;
use servicaja_host::{Journal, JournalEvent};
use servicaja_maintenance::{ReprintCriteria, Requester};
use servicaja_session::state::{Balances, DeliveryStage, Notice, Payment, Screen, Then};
use servicaja_session::{Action, MenuItem};

use crate::world::{CONSUMER_LOAN, SAVINGS, World};
use servicaja_runtime::ReprintReply;
use servicaja_runtime::reprint::ReprintError;

async fn ask<T: Send + 'static>(request: impl FnOnce(ReprintReply<T>)) -> Result<T, ReprintError> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    request(Box::new(move |result| {
        let _ = answer.send(result);
    }));
    tokio::time::timeout(Duration::from_secs(30), answered)
        .await
        .expect("the journal thread answers")
        .expect("the journal thread answered once")
}

/// Pays the consumer loan's due installment; returns its operation number, on the Done screen.
async fn pay_due_installment(w: &mut World) -> String {
    w.ui(Action::Menu(MenuItem::PayLoans));
    w.until("the loans", |s| matches!(s.screen(), Screen::Payment(Payment::Loans { .. }))).await;
    let Screen::Payment(Payment::Loans { loans }) = w.screen() else { unreachable!() };
    let loan = loans.iter().position(|loan| loan.id == CONSUMER_LOAN).expect("the consumer loan is listed");
    w.ui(Action::Select(loan));
    w.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    w.until("the accounts", |s| matches!(s.screen(), Screen::Payment(Payment::Accounts { .. }))).await;
    let Screen::Payment(Payment::Accounts { accounts, .. }) = w.screen() else { unreachable!() };
    let account = accounts.iter().position(|account| account.id == SAVINGS).expect("the savings account is listed");
    w.ui(Action::Select(account));
    w.until("the quote", |s| matches!(s.screen(), Screen::Payment(Payment::Summary { .. }))).await;
    w.ui(Action::Confirm);
    w.until("the payment", |s| matches!(s.screen(), Screen::Payment(Payment::Done { .. }))).await;
    let Screen::Payment(Payment::Done { payment }) = w.screen() else { unreachable!() };
    payment.operation_number.clone()
}

/// Issue 18, defect 7: MARIA's op 00000008 (QR route, no paper) could not be found by staff, 00000009
/// (printed) could. Now both are, by their number typed without its zeros.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_taken_by_qr_without_paper_is_found_by_staff_and_reprinted_as_never_printed() {
    let mut w = World::start().await;
    w.control().set_paper(SimPaper::Out);
    w.until("the printer to report paper out", |s| !s.printer_ready()).await;
    w.log_in().await;
    let operation = pay_due_installment(&mut w).await;
    w.ui(Action::Confirm);
    w.ui(Action::ShowQr);
    w.until("the QR", |s| matches!(s.screen(), Screen::Delivery(d) if matches!(d.stage, DeliveryStage::Qr { .. })))
        .await;
    let Screen::Delivery(delivery) = w.screen() else { unreachable!() };
    let DeliveryStage::Qr { payload } = &delivery.stage else { unreachable!() };
    let shown = payload.clone();
    w.ui(Action::Confirm);

    // The journaled receipt carries the same QR: amount, date and the verification code.
    let journal = Journal::open_existing(&w.kiosk_dir().join(JOURNAL_FILE)).unwrap();
    let kept = journal
        .range(chrono::DateTime::<Utc>::MIN_UTC, chrono::DateTime::<Utc>::MAX_UTC)
        .unwrap()
        .into_iter()
        .find_map(|record| match record.event {
            JournalEvent::Receipt { operation: op, text, printed, .. } if op == operation => {
                assert!(!printed, "journaled as not printed");
                Some(serde_json::from_str::<servicaja_receipts::Document>(text.as_str()).unwrap())
            }
            _ => None,
        })
        .expect("the receipt the customer was owed is journaled");
    let printed_qr = kept.qr.as_ref().expect("the receipt has its QR");
    assert_eq!(shown, printed_qr.payload, "the screen's QR is the receipt's QR");
    let scanned = servicaja_receipts::verification::parse_payload(&shown).unwrap();
    assert_eq!(scanned.operation_number, operation);
    assert!(scanned.amount.is_some() && scanned.issued_at.is_some(), "{shown}");
    assert_ne!(scanned.verification_code, "-");

    // Staff type the number without its leading zeros.
    let typed = operation.trim_start_matches('0').to_owned();
    let runtime = w.runtime();
    let criteria = ReprintCriteria { operation: Some(typed), ..Default::default() };
    let found = ask(|reply| runtime.search_receipts(criteria.clone(), reply)).await.unwrap();
    let found: Vec<_> = found.into_iter().filter(|candidate| candidate.operation == operation).collect();
    assert_eq!(found.len(), 1, "listed once: {found:?}");
    assert!(!found[0].printed, "listed as not printed");

    w.control().set_paper(SimPaper::Ok);
    let staff = Requester::Staff { id: "S01".into() };
    ask(|reply| runtime.reprint_receipt(found[0].seq, staff, Utc::now(), reply)).await.unwrap();
    let printed = w.control().last_receipt_text().unwrap();
    assert!(printed.contains("DUPLICADO") && printed.contains(&operation), "{printed}");
    assert!(printed.contains("Original:") && printed.contains("no impreso"), "the copy says so:\n{printed}");
}

/// Issue 18: "Imprimir" on the movements screen printed the balance without the movements, and the slip's
/// number carried the time in UTC (135833) rather than Lima's (085833).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_balance_slip_printed_from_the_movements_lists_them_and_its_number_is_in_lima_time() {
    let mut w = World::start().await;
    w.log_in().await;
    // A movement of today on the account: an installment paid.
    pay_due_installment(&mut w).await;
    w.ui(Action::Confirm);
    w.ui(Action::Back);
    // "¿Desea realizar otra operación?": Sí.
    w.until("the question", |s| matches!(s.screen(), Screen::Notice { then: Then::Another, .. })).await;
    w.ui(Action::Confirm);
    w.until("the menu", |s| matches!(s.screen(), Screen::Menu)).await;
    let today = servicaja_core::calendar::lima_date(Utc::now());
    w.now = Utc.from_utc_datetime(&today.and_hms_opt(13, 58, 33).unwrap());
    w.ui(Action::Menu(MenuItem::Balances));
    w.until("the accounts", |s| matches!(s.screen(), Screen::Balances(Balances::Accounts { .. }))).await;
    let Screen::Balances(Balances::Accounts { accounts, .. }) = w.screen() else { unreachable!() };
    let account = accounts.iter().position(|account| account.id == SAVINGS).expect("the savings account");
    w.ui(Action::Select(account));
    w.until("the movements", |s| matches!(s.screen(), Screen::Balances(Balances::Movements { .. }))).await;
    let Screen::Balances(Balances::Movements { movements, .. }) = w.screen() else { unreachable!() };
    let movements = movements.clone();
    assert!(!movements.is_empty(), "the payment is a movement");
    w.ui(Action::Confirm);
    w.until("the slip printed", |s| {
        matches!(s.screen(), Screen::Notice { notice: Notice::Delivered { printed: true, .. }, .. })
    })
    .await;
    let printed = w.control().last_receipt_text().unwrap();
    for movement in &movements {
        assert!(printed.contains(&movement.description), "{} is listed:\n{printed}", movement.description);
        assert!(printed.contains(&movement.amount.to_string()), "{printed}");
    }
    let number = format!("SALDO-{}085833", today.format("%Y%m%d"));
    assert!(printed.contains(&number), "the number in Lima time ({number}):\n{printed}");
    assert!(printed.contains("08:58:33") && !printed.contains("13:58:33"), "{printed}");
}
