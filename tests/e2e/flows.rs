//! The customer flows end to end: a swipe reaching the session, an installment paid and its receipt
//! printed and journaled, a payment whose answer is lost after the central committed it (reversed, no
//! charge), and a printer out of paper (the receipt e-mailed instead).

use std::time::Duration;

use rust_decimal::Decimal;
use servicaja_central::Fault;
use servicaja_core::api::{OutboxChannel, OutboxMessage, paths};
use servicaja_drivers::emulator::SimPaper;
use servicaja_host::journal::{JOURNAL_FILE, Outcome};
use servicaja_host::{CommandKind, Journal, JournalEvent, State};
use servicaja_receipts::Columns;
use servicaja_receipts::verification::verification_code;
use servicaja_session::state::{DeliveryStage, IdentifyStep, Notice, Payment, Screen};
use servicaja_session::{Action, Command, DeliveryChoice, Effect, JournalEntry, MenuItem, Timer};

use crate::world::{SAVINGS, SAVINGS_OPENING, World};

fn opening_balance() -> Decimal {
    SAVINGS_OPENING.parse().unwrap()
}

fn journal(w: &World) -> Vec<servicaja_host::journal::JournalRecord> {
    let journal = Journal::open_existing(&w.kiosk_dir().join(JOURNAL_FILE)).unwrap();
    assert!(journal.verify().unwrap().first_broken.is_none(), "the journal's chain verifies");
    journal.range(chrono::DateTime::<chrono::Utc>::MIN_UTC, chrono::DateTime::<chrono::Utc>::MAX_UTC).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_swiped_on_the_emulated_reader_reaches_the_session() {
    let mut w = World::start().await;
    w.control().swipe_card(crate::world::CARD, "QUISPE/JESUS", "3012", "101").unwrap();
    w.until("the card to be read", |s| s.masked_card().is_some()).await;
    assert_eq!(w.session.masked_card(), Some("**** **** **** 0010"));
    assert!(
        matches!(w.screen(), Screen::Identify(identify) if matches!(identify.step, IdentifyStep::Dni { .. })),
        "{:?}",
        w.screen()
    );
    assert!(!w.effects.iter().any(|effect| format!("{effect:?}").contains(crate::world::CARD)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installment_paid_ends_with_its_receipt_printed_journaled_and_applied_once() {
    let mut w = World::start().await;
    w.log_in().await;
    let debit = w.reach_the_due_installment_summary().await;
    let payment = w.confirm_payment().await;
    assert_eq!(payment.debit, debit, "the debit confirmed on screen is the one charged");
    w.ui(Action::Confirm);
    assert!(matches!(w.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::Choose), "{:?}", w.screen());
    w.ui(Action::Deliver(DeliveryChoice::Print));
    w.until("the receipt to be printed", |s| {
        matches!(s.screen(), Screen::Notice { notice: Notice::Delivered { printed: true, .. }, .. })
    })
    .await;

    // On paper: the operation number and the amounts.
    let printed = w.control().last_receipt_text().unwrap();
    assert!(printed.contains(&payment.operation_number), "{printed}");
    assert!(printed.contains(&payment.amount.to_string()), "{printed}");
    assert!(printed.contains(&payment.principal_part.to_string()), "{printed}");
    assert!(!printed.contains(crate::world::CARD), "{printed}");
    let masked_card = format!("**** **** **** {}", &crate::world::CARD[crate::world::CARD.len() - 4..]);
    assert!(printed.contains(&masked_card), "the voucher names the card, masked:\n{printed}");

    // In the journal: the operation, then the receipt's text; the QR code derives from the operation's record.
    let records = journal(&w);
    let operation = records
        .iter()
        .find(|r| {
            matches!(&r.event, JournalEvent::Operation { operation, kind, outcome: Outcome::Approved, .. }
            if *operation == payment.operation_number && kind == "pago de cuota")
        })
        .expect("the payment is journaled with its operation number");
    let JournalEvent::Operation { amount, command_key, .. } = &operation.event else { unreachable!() };
    assert_eq!(amount.as_deref(), Some(payment.debit.to_string().as_str()));
    assert_eq!(*command_key, Some(payment.operation_id));
    let receipt = records
        .iter()
        .find(|r| matches!(&r.event, JournalEvent::Receipt { operation, .. } if *operation == payment.operation_number))
        .expect("the printed receipt is journaled for reprints");
    assert!(receipt.seq > operation.seq);
    let JournalEvent::Receipt { text, .. } = &receipt.event else { unreachable!() };
    let kept: servicaja_receipts::Document = serde_json::from_str(text.as_str())
        .expect("the receipt is journaled as its document, so a staff reprint is laid out like the original");
    assert_eq!(kept.operation_number, payment.operation_number);
    let kept_text = servicaja_receipts::render::text::render(&servicaja_receipts::layout(&kept, Columns::C48));
    for line in [masked_card.as_str(), &payment.amount.to_string()] {
        assert!(kept_text.contains(line), "the journaled document holds {line}:\n{kept_text}");
    }
    assert!(!text.as_str().contains(crate::world::CARD), "no card number in the journal");
    let mut hash = [0u8; 32];
    hex::decode_to_slice(&operation.hash, &mut hash).unwrap();
    let code = verification_code(&payment.operation_number, &hash);
    assert!(printed.contains(&code), "the printed QR code {code} is tied to the operation's record:\n{printed}");

    // At the central: applied once.
    let (account, movements) = w.central_account(SAVINGS).await;
    assert_eq!(account.balance.amount, opening_balance() - payment.debit.amount);
    let charges = movements.iter().filter(|m| m.amount.amount == -payment.debit.amount).count();
    assert_eq!(charges, 1, "{movements:?}");
    let stored = w.runtime().outbox().list(vec![]).await.unwrap();
    let payments: Vec<_> = stored.iter().filter(|c| c.kind == CommandKind::Payment).collect();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0].key, payment.operation_id, "the idempotency key is the session's operation id");
    assert_eq!(payments[0].state, State::Done);

    // The customer leaves; the outbox's word on the payment is then journaled, once: done, with the debit.
    w.ui(Action::Terminate);
    let settlement_key = servicaja_host::settlement::settlement_key(payment.operation_id);
    let is_settlement = |r: &&servicaja_host::journal::JournalRecord| matches!(&r.event, JournalEvent::Operation { command_key: Some(k), .. } if *k == settlement_key);
    let mut later = journal(&w);
    for _ in 0..200 {
        if later.iter().any(|r| is_settlement(&r)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
        later = journal(&w);
    }
    let settlements: Vec<_> = later.iter().filter(is_settlement).collect();
    assert_eq!(settlements.len(), 1, "one settlement record");
    let JournalEvent::Operation { outcome, amount, operation: number, .. } = &settlements[0].event else {
        unreachable!()
    };
    assert_eq!((outcome, number), (&Outcome::Approved, &payment.operation_number));
    assert_eq!(amount.as_deref(), Some(payment.debit.to_string().as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_cut_short_by_paper_out_is_journaled_not_printed_for_a_staff_reprint() {
    let mut w = World::start().await;
    w.log_in().await;
    let payment = w.pay_due_installment().await;
    // The roll ends a few lines into the receipt: the job starts and fails mid-way.
    w.print_until_the_paper_runs_out().await;

    let records = journal(&w);
    let receipt = records
        .iter()
        .find(|r| matches!(&r.event, JournalEvent::Receipt { operation, .. } if *operation == payment.operation_number))
        .expect("the receipt that did not come out is kept for a reprint");
    let JournalEvent::Receipt { printed, text, .. } = &receipt.event else { unreachable!() };
    assert!(!printed, "marked not printed");
    assert!(text.as_str().contains(&payment.operation_number));
    let why = records
        .iter()
        .find_map(|r| match &r.event {
            JournalEvent::DeviceError { device, error } if device == "printer" => Some(error.as_str().to_owned()),
            _ => None,
        })
        .expect("the journal says why it was not printed");
    assert!(why.contains(&payment.operation_number), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_answer_lost_after_commit_is_reversed_and_the_customer_told_no_charge_stands() {
    let mut w = World::start().await;
    w.log_in().await;
    w.reach_the_due_installment_summary().await;
    w.central.set_fault(paths::PAYMENTS, Fault::drop_after_commit(u32::MAX));
    w.ui(Action::Confirm);
    let Screen::Payment(Payment::Processing { key, .. }) = w.screen().clone() else { panic!("{:?}", w.screen()) };

    // The central commits the payment and the answer is lost: the outbox keeps resending with the same key.
    let payment_id = loop {
        let stored = w.runtime().outbox().list(vec![]).await.unwrap();
        if let Some(payment) = stored.iter().find(|c| c.key == key && c.failures >= 1) {
            break payment.id;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // The customer's wait runs out (the session's clock, moved by hand): the outbox settles the payment,
    // and only once the reversal is stored is the customer told no charge stands.
    w.fire(Timer::Interactive);
    assert!(
        w.effects.iter().any(|e| matches!(e,
            Effect::Submit { command: Command::SettlePayment { operation_id }, interactive: true, .. } if *operation_id == key)),
        "the session asked the outbox to settle the payment"
    );
    w.until("the customer to be told", |s| matches!(s.screen(), Screen::Notice { .. })).await;
    assert!(
        matches!(w.screen(), Screen::Notice { notice: Notice::PaymentNotDone, .. }),
        "the customer is told plainly: {:?}",
        w.screen()
    );
    let reversal_key = servicaja_host::engine::reversal_key(key);

    let reversal = loop {
        let stored = w.runtime().outbox().list(vec![]).await.unwrap();
        if let Some(reversal) = stored.into_iter().find(|c| c.key == reversal_key) {
            break reversal;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(reversal.kind, CommandKind::Reversal);
    assert_eq!(reversal.reverses, Some(key));
    let done = w.runtime().outbox().wait_final(reversal.id, Duration::from_secs(30)).await.unwrap().expect("reversed");
    assert_eq!(done.state, State::Done);
    assert_eq!(done.answer.unwrap()["outcome"], "payment_reversed", "the central had applied it");
    assert_eq!(w.runtime().outbox().get(payment_id).await.unwrap().state, State::Cancelled, "never resent");

    let (account, movements) = w.central_account(SAVINGS).await;
    assert_eq!(account.balance.amount, opening_balance(), "no charge stands: {movements:?}");
    let records = journal(&w);
    assert!(records.iter().any(|r| matches!(&r.event,
        JournalEvent::Operation { outcome: Outcome::Reversed, command_key: Some(k), .. } if *k == reversal_key)));
    assert!(w.effects.iter().any(|e| matches!(e,
        Effect::Journal(JournalEntry::PaymentReversed { original_key, .. }) if *original_key == key)));
    // Once the reversal is acknowledged, the journal's settlement record says: not done.
    let settlement_key = servicaja_host::settlement::settlement_key(key);
    let mut settled = false;
    for _ in 0..200 {
        settled = journal(&w).iter().any(|r| {
            matches!(&r.event,
            JournalEvent::Operation { outcome: Outcome::Reversed, command_key: Some(k), kind, .. }
                if *k == settlement_key && kind == servicaja_host::settlement::SETTLEMENT_KIND)
        });
        if settled {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(settled, "the journal says the payment ended not done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printer_out_of_paper_offers_email_and_the_receipt_reaches_the_customer_by_email() {
    let mut w = World::start().await;
    w.log_in().await;
    w.control().set_paper(SimPaper::Out);
    w.until("the printer to report paper out", |s| !s.printer_ready()).await;
    let payment = w.pay_due_installment().await;
    w.ui(Action::Confirm);
    w.ui(Action::Deliver(DeliveryChoice::Print));
    assert!(
        matches!(w.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::PrinterFailed),
        "e-mail is offered instead: {:?}",
        w.screen()
    );
    w.ui(Action::Deliver(DeliveryChoice::Email));
    // Another address than the registered one ("Otro correo").
    w.ui(Action::TypeInstead);
    let address = "jesus.quispe@correo.pe";
    w.keys(address);
    w.ui(Action::Confirm);
    assert!(
        matches!(w.screen(), Screen::Notice { notice: Notice::Delivered { printed: false, emailed_to: Some(to) }, .. } if to == address),
        "{:?}",
        w.screen()
    );
    assert!(w.control().receipts().is_empty(), "nothing was printed");

    let email = loop {
        let messages: Vec<OutboxMessage> = w.client().get(paths::DEMO_OUTBOX, None).await.unwrap();
        if let Some(email) = messages.into_iter().find(|m| m.channel == OutboxChannel::Email && m.to == address) {
            break email;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(email.subject.contains(&payment.operation_number), "{email:?}");
    assert!(email.body.contains(&payment.amount.to_string()), "{email:?}");
    assert!(email.body.contains("adjunto PDF"), "the constancia travels as a PDF: {email:?}");
    let stored = w.runtime().outbox().list(vec![]).await.unwrap();
    let emails: Vec<_> = stored.iter().filter(|c| c.kind == CommandKind::Email).collect();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].state, State::Done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_affiliation_confirmed_with_the_sms_code_never_stores_the_code() {
    use servicaja_session::state::Internet;
    let mut w = World::start().await;
    w.log_in().await;
    w.ui(Action::Menu(MenuItem::InternetPurchases));
    w.until("the accounts", |s| matches!(s.screen(), Screen::Internet(Internet::Menu { affiliated: None, .. }))).await;
    w.ui(Action::Affiliate);
    let Screen::Internet(Internet::ChooseAccount { eligible, .. }) = w.screen() else { panic!("{:?}", w.screen()) };
    let account = eligible.iter().position(|account| account.id == SAVINGS).expect("the savings account is eligible");
    w.ui(Action::Select(account));
    w.ui(Action::Confirm);
    w.until("the SMS code to be sent", |s| matches!(s.screen(), Screen::Internet(Internet::Code { .. }))).await;

    // The code the customer reads on their phone: the simulator's demo outbox.
    let messages: Vec<OutboxMessage> = w.client().get(paths::DEMO_OUTBOX, None).await.unwrap();
    let sms = messages.iter().rev().find(|m| m.channel == OutboxChannel::Sms).expect("an SMS was sent");
    let code: String = sms.body.split(" es ").nth(1).unwrap().chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 6, "{sms:?}");
    w.keys(&code);
    w.ui(Action::Confirm);
    let key = w
        .effects
        .iter()
        .find_map(|effect| match effect {
            Effect::Submit { key, command: Command::Affiliate { .. }, .. } => Some(*key),
            _ => None,
        })
        .expect("the affiliation was submitted");
    w.until("the affiliation", |s| matches!(s.screen(), Screen::Internet(Internet::Done { .. }))).await;
    let Screen::Internet(Internet::Done { constancia }) = w.screen() else { unreachable!() };
    assert_eq!(constancia.account_number, "00121110");

    let stored = w.runtime().outbox().list(vec![]).await.unwrap();
    let affiliation = stored.iter().find(|c| c.key == key).expect("the affiliation went through the outbox");
    assert_eq!(affiliation.kind, CommandKind::Affiliation);
    assert_eq!(affiliation.state, State::Done);
    assert!(affiliation.payload.get("otp_code").is_none(), "{}", affiliation.payload);
    assert!(!affiliation.payload.to_string().contains(&code));
    assert!(!w.runtime().holds_secrets_for(key), "the code is forgotten once the central answered");
    let records = journal(&w);
    assert!(records.iter().all(|r| !serde_json::to_string(&r.event).unwrap().contains(&code)));
}

#[test]
fn a_late_sink_keeps_early_events_and_delivers_them_in_order_once_bound() {
    use servicaja_session::{Device, DeviceStatus, Event};
    use std::sync::{Arc, Mutex};
    let late = servicaja_runtime::LateSink::default();
    let sink = late.sink();
    sink(Event::Host { reachable: false });
    sink(Event::Device { device: Device::Printer, status: DeviceStatus::Online });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let target = seen.clone();
    late.bind(Arc::new(move |event| target.lock().unwrap().push(event)));
    sink(Event::Host { reachable: true });
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            Event::Host { reachable: false },
            Event::Device { device: Device::Printer, status: DeviceStatus::Online },
            Event::Host { reachable: true }
        ]
    );
}
