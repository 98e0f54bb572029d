//! How long the session machine takes per event: a whole customer visit (swipe, DNI, clave, pay the due
//! installment, print the receipt, Terminar) and a single keypad press. The test harness's fixtures are
//! shared so the bench drives exactly the flows the tests check.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use servicaja_core::api::PaymentOption;
use servicaja_core::money::Currency;
use servicaja_session::{Action, DeliveryChoice, Effect, Event, Key, MenuItem, PrintOutcome, Reply};

#[allow(dead_code)]
#[path = "../tests/it/harness.rs"]
mod harness;

use harness::*;

/// One customer visit; returns the number of events handled.
fn visit() -> usize {
    let mut k = Kiosk::new();
    let l = loan("L1", Currency::PEN, 0, true);
    let a = accounts().remove(0);
    let q = quote(&l, &a, PaymentOption::DueInstallment, pen("520.00"), pen("520.00"));
    k.login();
    k.ui(Action::Menu(MenuItem::PayLoans));
    k.answer(Reply::Loans(vec![l]));
    k.ui(Action::Select(0));
    k.ui(Action::PaymentOption(PaymentOption::DueInstallment));
    k.answer(Reply::Accounts(accounts()));
    k.ui(Action::Select(0));
    k.answer(Reply::Quote(q.clone()));
    k.ui(Action::Confirm);
    let key = k.last_request.unwrap_or_default();
    k.answer(Reply::PaymentDone(payment_done(&q, key)));
    k.ui(Action::Confirm);
    k.ui(Action::Deliver(DeliveryChoice::Print));
    let job = k.effects.iter().find_map(|e| match e {
        Effect::Print { job, .. } => Some(*job),
        _ => None,
    });
    k.send(Event::Printed { job: job.unwrap_or_default(), outcome: PrintOutcome::Printed });
    k.ui(Action::Confirm);
    k.ui(Action::Terminate);
    k.all.len()
}

fn bench(c: &mut Criterion) {
    c.bench_function("visit: login, pay the due installment, print the receipt, Terminar (24 events)", |b| {
        b.iter(|| black_box(visit()))
    });
    let mut k = Kiosk::new();
    k.login();
    k.ui(Action::Menu(MenuItem::PayLoans));
    c.bench_function("one keypad press on the loans screen", |b| {
        b.iter(|| black_box(k.session.handle(Event::Ui(Action::Key(Key::Digit(5))), k.now, &mut k.supply)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
