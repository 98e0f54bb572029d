//! Delivering a receipt or constancia: print, email, both or none. A printer out of paper never blocks
//! the operation: email or an on-screen QR is offered instead.

use crate::contract::{Command, Credentials};
use crate::effect::{Document, Effect};
use crate::event::{Action, DeliveryChoice, PrintOutcome, Timer};
use crate::machine::{Cx, Input, Session};
use crate::state::{Delivery, DeliveryStage, InputError, Notice, Screen, Then};

use super::typing::{edit, email_char};
use super::valid_email;

pub(crate) const MAX_EMAIL: usize = 80;

impl Session {
    pub(crate) fn open_delivery(&self, document: Document, then: Then) -> Screen {
        Screen::Delivery(Delivery {
            document,
            stage: DeliveryStage::Choose,
            printed: false,
            emailed_to: None,
            printer_ready: self.printer_ready(),
            then,
        })
    }

    pub(crate) fn on_delivery(&mut self, mut delivery: Delivery, input: Input, cx: &mut Cx<'_>) -> Screen {
        let stage = std::mem::replace(&mut delivery.stage, DeliveryStage::Choose);
        delivery.stage = match stage {
            DeliveryStage::Choose => match input {
                Input::Action(Action::Deliver(DeliveryChoice::Print)) => self.print(&delivery.document, false, cx),
                Input::Action(Action::Deliver(DeliveryChoice::Both)) => self.print(&delivery.document, true, cx),
                Input::Action(Action::Deliver(DeliveryChoice::Email)) => self.email_stage(),
                Input::Action(Action::Deliver(DeliveryChoice::None) | Action::Back) => {
                    return self.finish(delivery, cx);
                }
                Input::Action(Action::ShowQr) => self.prepare_qr(&delivery.document, cx),
                _ => DeliveryStage::Choose,
            },
            DeliveryStage::Printing { job, then_email } => match input {
                Input::Printed { job: done, outcome } if done == job => {
                    self.disarm(Timer::Interactive, cx);
                    match outcome {
                        PrintOutcome::Printed => {
                            delivery.printed = true;
                            if then_email {
                                self.email_stage()
                            } else {
                                return self.finish(delivery, cx);
                            }
                        }
                        PrintOutcome::PaperOut | PrintOutcome::Failed => {
                            delivery.printer_ready = false;
                            DeliveryStage::PrinterFailed
                        }
                    }
                }
                _ => DeliveryStage::Printing { job, then_email },
            },
            DeliveryStage::PrinterFailed => match input {
                Input::Action(Action::Deliver(DeliveryChoice::Email | DeliveryChoice::Both)) => self.email_stage(),
                Input::Action(Action::ShowQr) => self.prepare_qr(&delivery.document, cx),
                Input::Action(Action::Deliver(DeliveryChoice::None) | Action::Confirm | Action::Back) => {
                    return self.finish(delivery, cx);
                }
                _ => DeliveryStage::PrinterFailed,
            },
            DeliveryStage::EmailChoice { masked } => match input {
                Input::Action(Action::Confirm) => match self.registered_email() {
                    Some(to) => {
                        let command = Command::EmailDocument { to, document: delivery.document.clone() };
                        self.submit(command, false, Credentials::default(), cx);
                        delivery.emailed_to = Some(masked);
                        return self.finish(delivery, cx);
                    }
                    None => DeliveryStage::Email { typed: String::new(), error: None },
                },
                Input::Action(Action::TypeInstead) => DeliveryStage::Email { typed: String::new(), error: None },
                Input::Action(Action::Back) => self.delivery_start(&delivery),
                _ => DeliveryStage::EmailChoice { masked },
            },
            DeliveryStage::Email { mut typed, error } => match input {
                Input::Action(Action::Key(key)) => {
                    let key = match key {
                        crate::event::Key::Char(c) => crate::event::Key::Char(c.to_ascii_lowercase()),
                        other => other,
                    };
                    edit(&mut typed, key, MAX_EMAIL, email_char);
                    DeliveryStage::Email { typed, error: None }
                }
                Input::Action(Action::Confirm) if valid_email(&typed) => {
                    let command = Command::EmailDocument { to: typed.clone(), document: delivery.document.clone() };
                    self.submit(command, false, Credentials::default(), cx);
                    delivery.emailed_to = Some(typed);
                    return self.finish(delivery, cx);
                }
                Input::Action(Action::Confirm) => DeliveryStage::Email { typed, error: Some(InputError::InvalidEmail) },
                Input::Action(Action::Back) => match self.email_stage() {
                    choice @ DeliveryStage::EmailChoice { .. } => choice,
                    _ => self.delivery_start(&delivery),
                },
                _ => DeliveryStage::Email { typed, error },
            },
            DeliveryStage::PreparingQr { job } => match input {
                Input::QrReady { job: ready, payload: Some(payload) } if ready == job => DeliveryStage::Qr { payload },
                // No QR could be made: back to what the customer had, which still offers e-mail.
                Input::QrReady { job: ready, payload: None } if ready == job => {
                    if delivery.printer_ready {
                        DeliveryStage::Choose
                    } else {
                        DeliveryStage::PrinterFailed
                    }
                }
                Input::Action(Action::Back) => {
                    if delivery.printer_ready {
                        DeliveryStage::Choose
                    } else {
                        DeliveryStage::PrinterFailed
                    }
                }
                _ => DeliveryStage::PreparingQr { job },
            },
            DeliveryStage::Qr { payload } => match input {
                Input::Action(Action::Confirm | Action::Back) => return self.finish(delivery, cx),
                _ => DeliveryStage::Qr { payload },
            },
        };
        Screen::Delivery(delivery)
    }

    /// Where Back leads from the e-mail screens: the choice, or the printer's failure when it cannot print.
    fn delivery_start(&self, delivery: &Delivery) -> DeliveryStage {
        if delivery.printer_ready { DeliveryStage::Choose } else { DeliveryStage::PrinterFailed }
    }

    /// The customer's registered address, when it looks like one.
    fn registered_email(&self) -> Option<String> {
        self.customer.as_ref().map(|c| c.email.trim().to_lowercase()).filter(|e| valid_email(e))
    }

    /// The registered address offered in one tap, or the keyboard when there is none (no customer).
    fn email_stage(&self) -> DeliveryStage {
        match self.registered_email() {
            Some(address) => DeliveryStage::EmailChoice { masked: mask_email(&address) },
            None => DeliveryStage::Email { typed: String::new(), error: None },
        }
    }

    fn print(&mut self, document: &Document, then_email: bool, cx: &mut Cx<'_>) -> DeliveryStage {
        if !self.printer_ready() {
            return DeliveryStage::PrinterFailed;
        }
        let job = cx.supply.fresh_id();
        cx.fx.push(Effect::Print { job, document: document.clone() });
        self.arm_interactive(cx);
        DeliveryStage::Printing { job, then_email }
    }

    /// Asks the shell for the document's QR: the payload its printed copy carries (amount, date, the
    /// verification code tied to the journal), which only the shell that journals the operation can make.
    fn prepare_qr(&mut self, document: &Document, cx: &mut Cx<'_>) -> DeliveryStage {
        let job = cx.supply.fresh_id();
        cx.fx.push(Effect::PrepareQr { job, document: document.clone() });
        DeliveryStage::PreparingQr { job }
    }

    /// The end of an operation: what was delivered, and "¿Desea realizar otra operación?" — the same
    /// question after printing, e-mailing, the QR or "No, gracias".
    fn finish(&mut self, delivery: Delivery, cx: &mut Cx<'_>) -> Screen {
        let then = match delivery.then {
            Then::Menu | Then::Another if self.customer.is_some() => Then::Another,
            then => then,
        };
        if delivery.printed || delivery.emailed_to.is_some() || then == Then::Another {
            Screen::Notice {
                notice: Notice::Delivered { printed: delivery.printed, emailed_to: delivery.emailed_to },
                then,
            }
        } else {
            self.go(then, cx)
        }
    }
}

/// An e-mail address as a screen may show it: the first letter of the name, then `***`, and the domain
/// (`jesus.quispe@gmail.com` → `j***@gmail.com`).
pub fn mask_email(address: &str) -> String {
    match address.split_once('@') {
        Some((name, domain)) => {
            let first: String = name.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}
