//! Loan payment (R5–R9): the happy path to a printed receipt, options under R6, the amount keypad, every
//! problem code at the payment step, the interactive timeout with its reversal, and paper out.

use servicaja_core::api::{ErrorCode, ExchangeApplied, PaymentOption};
use servicaja_core::money::Currency;
use servicaja_session::contract::Account;
use servicaja_session::state::{AmountError, DeliveryStage, InputError, Notice, Payment, Screen, Then};
use servicaja_session::{
    Action, Command, DeliveryChoice, Device, DeviceStatus, Document, Effect, EndReason, Event, JournalEntry, MenuItem,
    PaperStatus, PrintOutcome, Query, Reply, SessionConfig, Timer,
};

use crate::harness::*;

/// Logs in, opens Pagar cuotas with `loans`, picks loan 0 and `option`.
fn to_option(k: &mut Kiosk, loans: Vec<servicaja_core::api::Loan>, option: PaymentOption) {
    k.login();
    k.ui(Action::Menu(MenuItem::PayLoans));
    assert_eq!(k.queries(), vec![&Query::Loans]);
    k.answer(Reply::Loans(loans));
    k.ui(Action::Select(0));
    k.ui(Action::PaymentOption(option));
}

/// From the option chosen to the summary: accounts answered, `account` picked, quote answered.
fn to_summary(k: &mut Kiosk, account_index: usize, quote: servicaja_core::api::PaymentQuote) {
    k.answer(Reply::Accounts(accounts()));
    k.ui(Action::Select(account_index));
    k.answer(Reply::Quote(quote));
    assert!(matches!(k.screen(), Screen::Payment(Payment::Summary { .. })), "{:?}", k.screen());
}

/// The `index`th account the payment offers: the ones the customer may debit alone.
fn active(index: usize) -> Account {
    accounts().into_iter().filter(Account::debitable_alone).nth(index).unwrap()
}

/// Runs to the processing screen of a due-installment payment and returns the payment's key.
fn to_processing(k: &mut Kiosk) -> uuid::Uuid {
    let l = loan("L1", Currency::PEN, 0, true);
    to_option(k, vec![l.clone()], PaymentOption::DueInstallment);
    to_summary(k, 0, quote(&l, &active(0), PaymentOption::DueInstallment, pen("520.00"), pen("520.00")));
    k.ui(Action::Confirm);
    match k.screen() {
        Screen::Payment(Payment::Processing { key, .. }) => *key,
        other => panic!("{other:?}"),
    }
}

#[test]
fn paying_the_due_installment_ends_in_a_printed_receipt() {
    let mut k = Kiosk::new();
    let l = loan("L1", Currency::PEN, 0, true);
    let blocked = loan("L2", Currency::PEN, 0, false);
    k.login();
    k.ui(Action::Menu(MenuItem::PayLoans));
    k.answer(Reply::Loans(vec![l.clone(), blocked.clone(), cancelled_loan("C1")]));
    match k.screen() {
        Screen::Payment(Payment::Loans { loans }) => assert_eq!(loans.len(), 2, "cancelled loans are not listed"),
        other => panic!("{other:?}"),
    }
    // R8: not payable here → the reason, then back to the list.
    k.ui(Action::Select(1));
    match k.screen() {
        Screen::Payment(Payment::NotPayable { loan, .. }) => assert!(loan.kiosk_refusal.is_some()),
        other => panic!("{other:?}"),
    }
    k.ui(Action::Back);
    k.ui(Action::Select(0));
    match k.screen() {
        Screen::Payment(Payment::Loan { options, .. }) => assert!(options.iter().all(|(_, allowed)| *allowed)),
        other => panic!("{other:?}"),
    }
    k.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    assert_eq!(k.queries(), vec![&Query::Accounts]);
    k.answer(Reply::Accounts(accounts()));
    match k.screen() {
        Screen::Payment(Payment::Accounts { accounts, .. }) => {
            assert_eq!(accounts.len(), 2, "only active individual accounts can be debited (not the joint one)")
        }
        other => panic!("{other:?}"),
    }
    k.ui(Action::Select(0));
    match k.queries().as_slice() {
        [Query::Quote { loan_id, query }] => {
            assert_eq!(loan_id, "L1");
            assert_eq!(query.debit_account_id, "A1");
            assert_eq!(query.amount, None);
        }
        other => panic!("{other:?}"),
    }
    let q = quote(&l, &active(0), PaymentOption::DueInstallment, pen("520.00"), pen("520.00"));
    k.answer(Reply::Quote(q.clone()));
    k.ui(Action::Confirm);
    let key = match k.submits().as_slice() {
        [(Command::Pay(request), true)] => {
            assert_eq!(request.expected_debit, Some(pen("520.00")));
            request.operation_id
        }
        other => panic!("{other:?}"),
    };
    assert!(k.effects.iter().any(|e| matches!(e, Effect::Submit { key: effect_key, .. } if *effect_key == key)));
    assert!(matches!(k.screen(), Screen::Payment(Payment::Processing { .. })));
    k.answer(Reply::PaymentDone(payment_done(&q, key)));
    assert!(matches!(k.screen(), Screen::Payment(Payment::Done { .. })));
    assert!(
        k.effects
            .iter()
            .any(|e| matches!(e, Effect::Journal(JournalEntry::Operation { outcome, .. }) if outcome == "realizado"))
    );
    k.ui(Action::Confirm);
    k.ui(Action::Deliver(DeliveryChoice::Print));
    let job = match k.effects.as_slice() {
        [.., Effect::Print { job, document: Document::PaymentReceipt { masked_card, customer_name, .. } }, _, _] => {
            assert_eq!(masked_card, "**** **** **** 1111");
            assert_eq!(customer_name, "JESUS");
            *job
        }
        other => panic!("{other:?}"),
    };
    k.send(Event::Printed { job, outcome: PrintOutcome::Printed });
    assert_eq!(
        k.screen(),
        &Screen::Notice { notice: Notice::Delivered { printed: true, emailed_to: None }, then: Then::Another }
    );
    k.ui(Action::Confirm);
    assert_eq!(k.screen(), &Screen::Menu);
}

#[test]
fn a_usd_loan_from_a_pen_account_shows_the_rate_and_both_amounts() {
    let mut k = Kiosk::new();
    let l = loan("L9", Currency::USD, 0, true);
    to_option(&mut k, vec![l.clone()], PaymentOption::DueInstallment);
    let mut q = quote(&l, &active(0), PaymentOption::DueInstallment, usd("150.00"), pen("570.00"));
    q.exchange = Some(ExchangeApplied {
        rate: "3.80".parse().unwrap(),
        side_label: "Venta".into(),
        from: Currency::PEN,
        to: Currency::USD,
    });
    to_summary(&mut k, 0, q);
    match k.screen() {
        Screen::Payment(Payment::Summary { quote, .. }) => {
            assert_eq!(quote.amount.currency, Currency::USD);
            assert_eq!(quote.debit.currency, Currency::PEN);
            assert_eq!(quote.exchange.as_ref().map(|e| e.side_label.as_str()), Some("Venta"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn overdue_installments_allow_only_paying_them_first() {
    let mut k = Kiosk::new();
    to_option(&mut k, vec![loan("L1", Currency::PEN, 2, true)], PaymentOption::Advance);
    match k.screen() {
        Screen::Payment(Payment::Loan { options, .. }) => {
            for (option, allowed) in options {
                assert_eq!(*allowed, *option == PaymentOption::DueInstallment, "{option:?}");
            }
        }
        other => panic!("advance must be refused with overdue installments: {other:?}"),
    }
}

#[test]
fn the_amount_keypad_checks_zero_limit_and_the_option_range() {
    let config = SessionConfig { payment_limits: vec![pen("5000.00")], ..SessionConfig::default() };
    let mut k = Kiosk::with_config(config);
    to_option(&mut k, vec![loan("L1", Currency::PEN, 0, true)], PaymentOption::PrepaymentReduceCount);
    let error = |k: &Kiosk| match k.screen() {
        Screen::Payment(Payment::Amount { error, .. }) => error.clone(),
        other => panic!("{other:?}"),
    };
    k.ui(Action::Confirm);
    assert!(matches!(error(&k), Some(InputError::Amount(AmountError::Keypad(_)))));
    k.keys("0");
    k.ui(Action::Confirm);
    assert_eq!(error(&k), Some(InputError::Amount(AmountError::Zero)));
    k.ui(Action::Key(servicaja_session::Key::Clear));
    k.keys("5500");
    k.ui(Action::Confirm);
    assert_eq!(error(&k), Some(InputError::Amount(AmountError::AboveLimit(pen("5000.00")))));
    let config = SessionConfig { payment_limits: vec![pen("50000.00")], ..SessionConfig::default() };
    let mut k = Kiosk::with_config(config);
    to_option(&mut k, vec![loan("L1", Currency::PEN, 0, true)], PaymentOption::PrepaymentReduceCount);
    k.keys("7000");
    k.ui(Action::Confirm);
    assert_eq!(error(&k), Some(InputError::Amount(AmountError::AboveMaximum(pen("6210.39")))));
    k.ui(Action::Key(servicaja_session::Key::Clear));
    k.keys("1500,5");
    k.ui(Action::Confirm);
    assert!(matches!(k.screen(), Screen::Payment(Payment::LoadingAccounts { .. })));
    k.answer(Reply::Accounts(accounts()));
    k.ui(Action::Select(0));
    match k.queries().as_slice() {
        [Query::Quote { query, .. }] => {
            assert_eq!(query.option, PaymentOption::PrepaymentReduceCount);
            assert_eq!(query.amount, Some("1500.50".parse().unwrap()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_amount_the_central_refuses_for_the_option_returns_to_the_keypad() {
    let mut k = Kiosk::new();
    to_option(&mut k, vec![loan("L1", Currency::PEN, 0, true)], PaymentOption::PrepaymentReduceAmount);
    k.keys("2000");
    k.ui(Action::Confirm);
    k.answer(Reply::Accounts(accounts()));
    k.ui(Action::Select(0));
    k.refuse(ErrorCode::AmountInvalid, None);
    match k.screen() {
        Screen::Payment(Payment::Amount {
            typed,
            error: Some(InputError::Amount(AmountError::Refused { code, .. })),
            ..
        }) => {
            assert_eq!((typed.as_str(), *code), ("2000.00", ErrorCode::AmountInvalid))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_kiosk_limits_come_from_the_channel_table() {
    let table = servicaja_core::channels::ChannelTable::embedded().expect("embedded channel table");
    let config = SessionConfig::default().with_channel_limits(&table);
    let pen_limit = config.limit_for(Currency::PEN).expect("a PEN per-operation limit");
    assert!(pen_limit.amount > rust_decimal::Decimal::ZERO);
    let mut k = Kiosk::with_config(config);
    to_option(&mut k, vec![loan("L1", Currency::PEN, 0, true)], PaymentOption::PrepaymentReduceCount);
    k.keys(&(pen_limit.amount + rust_decimal::Decimal::ONE).to_string());
    k.ui(Action::Confirm);
    assert!(matches!(
        k.screen(),
        Screen::Payment(Payment::Amount {
            error: Some(InputError::Amount(AmountError::AboveLimit(_) | AmountError::AboveMaximum(_))),
            ..
        })
    ));
}

/// The settlement the session asked the outbox for, with its request key.
fn settle_request(k: &Kiosk, payment: uuid::Uuid) -> bool {
    k.submits().iter().any(|(c, interactive)| {
        matches!(c, Command::SettlePayment { operation_id } if *operation_id == payment) && *interactive
    })
}

#[test]
fn no_answer_in_time_settles_the_payment_and_says_no_charge_stands_only_once_the_reversal_is_stored() {
    let mut k = Kiosk::new();
    let key = to_processing(&mut k);
    // The customer is watching progress: the idle timer does not interrupt.
    k.fire(Timer::Idle);
    assert_eq!(k.session.countdown_until(), None);
    k.fire(Timer::Interactive);
    assert!(settle_request(&k, key), "{:?}", k.submits());
    assert!(
        matches!(k.screen(), Screen::Payment(Payment::Processing { settling: Some(_), .. })),
        "nothing is claimed before the outbox decided: {:?}",
        k.screen()
    );
    // The payment's own late answer is not what the customer is shown: the settlement is.
    let late = Event::Central { request: key, answer: Ok(Reply::Accepted) };
    assert!(k.send(late).is_empty());
    k.answer(Reply::ReversalStored);
    assert!(k.effects.iter().any(
        |e| matches!(e, Effect::Journal(JournalEntry::PaymentReversed { original_key, .. }) if *original_key == key)
    ));
    assert_eq!(k.screen(), &Screen::Notice { notice: Notice::PaymentNotDone, then: Then::Menu });
}

/// Defect 1 of issue 13: the answer was stored a moment before the wait ended; the outbox keeps it.
#[test]
fn an_answer_stored_just_before_the_wait_ended_is_shown_as_done() {
    let mut k = Kiosk::new();
    let l = loan("L1", Currency::PEN, 0, true);
    let q = quote(&l, &active(0), PaymentOption::DueInstallment, pen("520.00"), pen("520.00"));
    let key = to_processing(&mut k);
    k.fire(Timer::Interactive);
    assert!(settle_request(&k, key));
    k.answer(Reply::PaymentDone(payment_done(&q, key)));
    assert!(matches!(k.screen(), Screen::Payment(Payment::Done { .. })), "{:?}", k.screen());
    assert!(!k.submits().iter().any(|(c, _)| matches!(c, Command::ReversePayment { .. })), "nothing reversed");
}

#[test]
fn a_lost_answer_or_a_transient_failure_also_settles() {
    for failure in ["no_answer", "internal", "fault_injected", "unexpected_reply"] {
        let mut k = Kiosk::new();
        let key = to_processing(&mut k);
        match failure {
            "no_answer" => k.no_answer(),
            "internal" => k.refuse(ErrorCode::Internal, None),
            "fault_injected" => k.refuse(ErrorCode::FaultInjected, None),
            _ => k.answer(Reply::Accepted),
        };
        assert!(settle_request(&k, key), "{failure}");
        k.answer(Reply::ReversalStored);
        assert_eq!(k.screen(), &Screen::Notice { notice: Notice::PaymentNotDone, then: Then::Menu }, "{failure}");
    }
}

/// Defect 5 of issue 13: when the decision cannot be stored, the customer is never told "no charge".
#[test]
fn a_settlement_that_cannot_be_stored_claims_nothing_and_sends_the_customer_to_the_counter() {
    for failure in ["store_failed", "timer"] {
        let mut k = Kiosk::new();
        let key = to_processing(&mut k);
        k.fire(Timer::Interactive);
        assert!(settle_request(&k, key));
        match failure {
            "store_failed" => k.no_answer(),
            _ => k.fire(Timer::Interactive),
        };
        assert_eq!(k.screen(), &Screen::Notice { notice: Notice::PaymentUnconfirmed, then: Then::End }, "{failure}");
        assert!(k.effects.iter().any(|e| matches!(
            e,
            Effect::Journal(JournalEntry::Operation { key: journaled, outcome, .. })
                if *journaled == key && outcome.starts_with("sin confirmar")
        )));
        assert!(!k.effects.iter().any(|e| matches!(e, Effect::Journal(JournalEntry::PaymentReversed { .. }))));
    }
}

/// Defect 2 of issue 13: a payment held behind an earlier reversal is explained, not sent.
#[test]
fn a_payment_held_behind_a_pending_reversal_is_explained() {
    let mut k = Kiosk::new();
    let key = to_processing(&mut k);
    k.answer(Reply::PaymentHeld);
    assert_eq!(k.screen(), &Screen::Notice { notice: Notice::ReversalPending, then: Then::Menu });
    assert!(k.effects.iter().any(|e| matches!(
        e,
        Effect::Journal(JournalEntry::Operation { key: journaled, outcome, .. })
            if *journaled == key && outcome.contains("anulación anterior pendiente")
    )));
    assert!(!settle_request(&k, key), "nothing was sent: nothing to settle");
}

/// Defect 1 of issue 13: Terminar or walking away while the payment is at the central (or while it is
/// being settled) reverses it whatever it reached.
#[test]
fn ending_the_session_mid_payment_reverses_it_whatever_it_reached() {
    for settling in [false, true] {
        let mut k = Kiosk::new();
        let key = to_processing(&mut k);
        if settling {
            k.fire(Timer::Interactive);
        }
        k.send(Event::Ui(Action::Terminate));
        assert!(k.ended());
        assert!(
            k.submits().iter().any(|(c, interactive)| {
                matches!(c, Command::ReversePayment { operation_id, request } if *operation_id == key && request.reason == "customer_left")
                    && !interactive
            }),
            "{:?}",
            k.submits()
        );
    }
}

#[test]
fn every_problem_code_at_the_payment_step_has_an_outcome() {
    for code in ErrorCode::ALL {
        let mut k = Kiosk::new();
        to_processing(&mut k);
        k.refuse(code, Some(1));
        let settled = k.submits().iter().any(|(c, _)| matches!(c, Command::SettlePayment { .. }));
        assert_eq!(settled, code.is_transient(), "{code:?}: settled only when the outcome is unknown");
        if settled {
            k.answer(Reply::ReversalStored);
        }
        match code {
            ErrorCode::QuoteChanged => {
                assert!(matches!(k.screen(), Screen::Payment(Payment::Quoting { .. })), "{code:?}: quote again");
                assert!(matches!(k.queries().as_slice(), [Query::Quote { .. }]));
            }
            ErrorCode::Reversed | ErrorCode::Internal | ErrorCode::FaultInjected => {
                assert_eq!(k.screen(), &Screen::Notice { notice: Notice::PaymentNotDone, then: Then::Menu })
            }
            ErrorCode::SessionExpired | ErrorCode::SessionRequired => {
                assert_eq!(k.screen(), &Screen::Notice { notice: Notice::SessionExpired, then: Then::End });
                k.ui(Action::Confirm);
                assert_eq!(k.screen(), &Screen::Attract);
                assert!(!k.session.holds_secrets());
            }
            ErrorCode::CardLocked => {
                assert_eq!(k.screen(), &Screen::Notice { notice: Notice::CardLocked, then: Then::End });
            }
            _ => {
                // Defect 8 of issue 18: the refusal is told, and the customer goes back to the account choice.
                assert!(
                    matches!(k.screen(), Screen::Payment(Payment::Refused { code: c, .. }) if *c == code),
                    "{code:?}: {:?}",
                    k.screen()
                );
                assert!(
                    k.effects.iter().any(|e| matches!(e, Effect::Journal(JournalEntry::Operation { outcome, .. }) if outcome.contains(code.as_str()))),
                    "{code:?} journaled"
                );
            }
        }
    }
}

#[test]
fn terminar_while_the_payment_is_in_flight_reverses_it() {
    let mut k = Kiosk::new();
    let key = to_processing(&mut k);
    k.ui(Action::Terminate);
    assert!(
        k.submits()
            .iter()
            .any(|(c, _)| matches!(c, Command::ReversePayment { operation_id, .. } if *operation_id == key))
    );
    assert_eq!(k.screen(), &Screen::Attract);
    assert!(!k.session.holds_secrets());
}

/// Terminar is offered on a waiting screen only while the kiosk is reading: ending then drops the read and
/// sends nothing to the central; while the payment is at the central (or the receipt prints) it is not safe.
#[test]
fn ending_is_safe_while_loading_but_not_while_the_payment_is_at_the_central() {
    let mut k = Kiosk::new();
    k.login();
    k.ui(Action::Menu(MenuItem::PayLoans));
    assert!(matches!(k.screen(), Screen::Payment(Payment::LoadingLoans { .. })));
    assert!(k.session.safe_to_end(), "loading the loans is only a read");
    let request = k.last_request.expect("the loans were asked for");
    k.ui(Action::Terminate);
    assert!(k.submits().is_empty(), "nothing is sent to the central");
    assert!(k.effects.iter().any(|e| matches!(e, Effect::SessionEnded { reason: EndReason::Customer })));
    assert_eq!(k.screen(), &Screen::Attract);
    assert!(!k.session.holds_secrets());
    // The late answer finds no session waiting for it.
    k.send(Event::Central { request, answer: Ok(Reply::Loans(vec![loan("L1", Currency::PEN, 0, true)])) });
    assert_eq!(k.screen(), &Screen::Attract);

    let mut k = Kiosk::new();
    to_processing(&mut k);
    assert!(!k.session.safe_to_end(), "the payment is at the central");
    let mut k = Kiosk::new();
    to_delivery(&mut k);
    k.ui(Action::Deliver(DeliveryChoice::Print));
    assert!(!k.session.safe_to_end(), "the receipt is printing");
}

/// Pays and reaches the delivery screen.
fn to_delivery(k: &mut Kiosk) {
    let key = to_processing(k);
    let l = loan("L1", Currency::PEN, 0, true);
    let q = quote(&l, &active(0), PaymentOption::DueInstallment, pen("520.00"), pen("520.00"));
    k.answer(Reply::PaymentDone(payment_done(&q, key)));
    k.ui(Action::Confirm);
}

#[test]
fn paper_out_before_the_receipt_offers_email_instead_without_blocking() {
    let mut k = Kiosk::new();
    k.send(Event::Paper(PaperStatus::Out));
    to_delivery(&mut k);
    match k.screen() {
        Screen::Delivery(d) => assert!(!d.printer_ready),
        other => panic!("{other:?}"),
    }
    k.ui(Action::Deliver(DeliveryChoice::Print));
    assert!(!k.effects.iter().any(|e| matches!(e, Effect::Print { .. })));
    assert!(matches!(k.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::PrinterFailed));
    k.ui(Action::Deliver(DeliveryChoice::Email));
    // Another address than the registered one ("Otro correo").
    k.ui(Action::TypeInstead);
    k.keys("jesus");
    k.ui(Action::Confirm);
    assert!(
        matches!(k.screen(), Screen::Delivery(d) if matches!(d.stage, DeliveryStage::Email { error: Some(InputError::InvalidEmail), .. }))
    );
    k.keys("@gmail.com");
    k.confirm_email_receipt("jesus@gmail.com", "jesus@gmail.com");
}

#[test]
fn paper_running_out_while_printing_offers_a_qr() {
    let mut k = Kiosk::new();
    to_delivery(&mut k);
    k.ui(Action::Deliver(DeliveryChoice::Both));
    k.finish_printing(PrintOutcome::PaperOut);
    assert!(matches!(k.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::PrinterFailed));
    k.ui(Action::ShowQr);
    // The shell makes the QR from the receipt itself (the printed QR's payload): the session asks for it.
    let (job, document) = k
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::PrepareQr { job, document } => Some((*job, document.clone())),
            _ => None,
        })
        .expect("the QR is asked for");
    assert!(
        matches!(document, Document::PaymentReceipt { ref payment, .. } if payment.operation_number == "OP-000123")
    );
    assert!(matches!(k.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::PreparingQr { job }));
    k.send(Event::QrReady { job: uuid::Uuid::nil(), payload: Some("another job's".into()) });
    assert!(matches!(k.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::PreparingQr { job }));
    let payload = "SERVICAJA|V2|KSK-TAC-001|OP-000123|20/11/2026 10:08:30|S/ 409.75|3FA9C-21B07";
    k.send(Event::QrReady { job, payload: Some(payload.into()) });
    assert!(matches!(k.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::Qr { payload: payload.into() }));
    k.ui(Action::Confirm);
    assert_eq!(
        k.screen(),
        &Screen::Notice { notice: Notice::Delivered { printed: false, emailed_to: None }, then: Then::Another }
    );
    k.ui(Action::Confirm);
    assert_eq!(k.screen(), &Screen::Menu);

    // A QR that could not be made leaves the customer where they were, e-mail still offered.
    let mut k = Kiosk::new();
    to_delivery(&mut k);
    k.send(Event::Paper(servicaja_session::PaperStatus::Out));
    k.ui(Action::ShowQr);
    let job = k.effects.iter().find_map(|e| match e {
        Effect::PrepareQr { job, .. } => Some(*job),
        _ => None,
    });
    k.send(Event::QrReady { job: job.unwrap(), payload: None });
    assert!(
        matches!(k.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::PrinterFailed || d.stage == DeliveryStage::Choose)
    );
}

#[test]
fn a_printer_that_never_finishes_is_treated_as_failed() {
    let mut k = Kiosk::new();
    to_delivery(&mut k);
    k.ui(Action::Deliver(DeliveryChoice::Print));
    k.fire(Timer::Interactive);
    assert!(matches!(k.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::PrinterFailed));
    k.ui(Action::Deliver(DeliveryChoice::None));
    assert!(matches!(k.screen(), Screen::Notice { then: Then::Another, .. }), "{:?}", k.screen());
}

/// The printing rules once also written as receipts' `policy` module, tested where they are decided (this
/// and the next two tests): low paper still prints.
#[test]
fn low_paper_still_prints() {
    let mut k = Kiosk::new();
    k.send(Event::Paper(PaperStatus::Low));
    to_delivery(&mut k);
    k.ui(Action::Deliver(DeliveryChoice::Print));
    assert!(k.effects.iter().any(|e| matches!(e, Effect::Print { .. })), "low paper still prints");
}

/// A printer that cannot print offers e-mail (the registered address in one tap) and the on-screen QR, and
/// never holds the operation.
#[test]
fn every_printer_state_that_cannot_print_offers_email_and_a_qr() {
    let unready = [DeviceStatus::Offline, DeviceStatus::HardwareError, DeviceStatus::UserError, DeviceStatus::NoDevice]
        .map(|status| Event::Device { device: Device::Printer, status })
        .into_iter()
        .chain([PaperStatus::Out, PaperStatus::Jammed].map(Event::Paper));
    for event in unready {
        let mut k = Kiosk::new();
        to_delivery(&mut k);
        k.send(event.clone());
        k.ui(Action::Deliver(DeliveryChoice::Print));
        assert!(!k.effects.iter().any(|e| matches!(e, Effect::Print { .. })), "{event:?} must not print");
        assert!(matches!(k.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::PrinterFailed), "{event:?}");
        k.ui(Action::Deliver(DeliveryChoice::Email));
        assert!(
            matches!(k.screen(), Screen::Delivery(d) if matches!(d.stage, DeliveryStage::EmailChoice { .. })),
            "{event:?}: the registered address is offered"
        );
        k.ui(Action::Back);
        k.ui(Action::ShowQr);
        assert!(k.effects.iter().any(|e| matches!(e, Effect::PrepareQr { .. })), "{event:?}: the QR is offered");
    }
}

/// A job that fails half-way offers the same alternatives; the receipt counts as not printed.
#[test]
fn a_print_job_failing_half_way_offers_email_instead() {
    let mut k = Kiosk::new();
    to_delivery(&mut k);
    k.ui(Action::Deliver(DeliveryChoice::Print));
    k.finish_printing(PrintOutcome::Failed);
    assert!(matches!(k.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::PrinterFailed && !d.printed));
    k.ui(Action::Deliver(DeliveryChoice::Email));
    assert!(matches!(k.screen(), Screen::Delivery(d) if matches!(d.stage, DeliveryStage::EmailChoice { .. })));
    k.ui(Action::Confirm);
    assert!(matches!(
        k.screen(),
        Screen::Notice { notice: Notice::Delivered { printed: false, emailed_to: Some(_) }, then: Then::Another }
    ));
}

#[test]
fn back_from_each_payment_step_goes_one_step_back() {
    let mut k = Kiosk::new();
    let l = loan("L1", Currency::PEN, 0, true);
    to_option(&mut k, vec![l.clone()], PaymentOption::DueInstallment);
    to_summary(&mut k, 0, quote(&l, &active(0), PaymentOption::DueInstallment, pen("520.00"), pen("520.00")));
    k.ui(Action::Back);
    assert!(matches!(k.screen(), Screen::Payment(Payment::Accounts { .. })));
    k.ui(Action::Back);
    assert!(matches!(k.screen(), Screen::Payment(Payment::Loan { .. })));
    k.ui(Action::Back);
    assert!(matches!(k.screen(), Screen::Payment(Payment::Loans { .. })));
    k.ui(Action::Back);
    assert_eq!(k.screen(), &Screen::Menu);
}

/// Defect 5 of issue 13: a failed write or a disk below its reserve takes the kiosk out of service and no
/// new operation starts.
#[test]
fn a_storage_problem_stops_new_operations_and_takes_the_kiosk_out_of_service() {
    use servicaja_session::state::{OutOfServiceReason, StorageProblem};
    let mut k = Kiosk::new();
    k.login();
    k.send(Event::Storage { problem: Some(StorageProblem::WriteFailed) });
    assert_eq!(k.screen(), &Screen::Menu, "the customer is not thrown out");
    k.ui(Action::Menu(MenuItem::PayLoans));
    assert_eq!(k.screen(), &Screen::Notice { notice: Notice::ServiceUnavailable, then: Then::Menu });
    assert!(k.queries().is_empty() && k.submits().is_empty(), "nothing asked of the central");
    k.ui(Action::Confirm);
    k.send(Event::Ui(Action::Terminate));
    assert_eq!(
        k.screen(),
        &Screen::OutOfService { reasons: vec![OutOfServiceReason::Storage(StorageProblem::WriteFailed)] }
    );
    k.ui(Action::Menu(MenuItem::Requests));
    assert!(matches!(k.screen(), Screen::OutOfService { .. }), "no offline request is written either");
    k.send(Event::Storage { problem: None });
    assert_eq!(k.screen(), &Screen::Attract);
}
