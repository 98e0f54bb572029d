//! What the central tells the customer beyond yes or no, carried end to end: the attempts left after a
//! wrong clave, and the loan's next due date printed on the installment voucher.

use servicaja_session::state::{DeliveryStage, IdentifyStep, Notice, Screen};
use servicaja_session::{Action, DeliveryChoice};

use crate::world::{CARD, DNI, World, dni_mrz};

fn clave_attempts_left(screen: &Screen) -> Option<Option<u32>> {
    match screen {
        Screen::Identify(identify) => match &identify.step {
            IdentifyStep::Clave { attempts_left, .. } => Some(*attempts_left),
            _ => None,
        },
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_clave_at_the_real_central_tells_the_customer_the_attempts_left() {
    let mut w = World::start().await;
    w.control().swipe_card(CARD, "QUISPE/JESUS", "3012", "101").unwrap();
    w.until("the card to be read", |s| s.masked_card().is_some()).await;
    let [line1, line2, line3] = dni_mrz(DNI, "QUISPE<<JESUS");
    w.control().present_document(&[&line1, &line2, &line3]).unwrap();
    w.until("the clave keypad", |s| clave_attempts_left(s.screen()).is_some()).await;
    for expected in [2, 1] {
        w.keys("975310");
        w.ui(Action::Confirm);
        w.until("the central's refusal", |s| clave_attempts_left(s.screen()).is_some_and(|left| left.is_some())).await;
        assert_eq!(clave_attempts_left(w.screen()), Some(Some(expected)), "{:?}", w.screen());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_installment_voucher_prints_the_loans_next_due_date() {
    let mut w = World::start().await;
    w.log_in().await;
    let payment = w.pay_due_installment().await;
    let next = payment.next_installment.clone().expect("the central names the next installment");
    assert!(!payment.loan_cancelled);
    assert!(next.due_date > payment.at.date_naive(), "{next:?} after {}", payment.at);

    w.ui(Action::Confirm);
    assert!(matches!(w.screen(), Screen::Delivery(d) if d.stage == DeliveryStage::Choose), "{:?}", w.screen());
    w.ui(Action::Deliver(DeliveryChoice::Print));
    w.until("the receipt to be printed", |s| {
        matches!(s.screen(), Screen::Notice { notice: Notice::Delivered { printed: true, .. }, .. })
    })
    .await;
    let printed = w.control().last_receipt_text().unwrap();
    let line = printed.lines().find(|line| line.contains("Próximo vencimiento")).unwrap_or_else(|| {
        panic!("the voucher names the next due date:\n{printed}");
    });
    assert!(line.contains(&next.due_date.format("%d/%m/%Y").to_string()), "{line}\n{printed}");
}
