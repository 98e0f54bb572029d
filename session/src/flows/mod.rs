//! Per-flow transitions: each function takes the flow's current step and one input and returns the next
//! screen, pushing effects into the context. Unknown inputs leave the step as it was.

pub(crate) mod delivery;
mod identify;
mod internet;
mod others;
mod payment;
pub(crate) mod typing;

use crate::contract::Query;
use crate::effect::EndReason;
use crate::event::{Action, MenuItem};
use crate::machine::{Cx, Input, Session};
use crate::state::{
    Balances, Certificates, Identify, IdentifyStep, Information, Internet, Payment, Purpose, Requests, Screen,
};

pub use delivery::mask_email;
pub use others::{all_cancelled, weak_clave};
pub use payment::payment_options;
pub use typing::{parse_amount, valid_email};

impl Session {
    pub(crate) fn flow(&mut self, screen: Screen, input: Input, cx: &mut Cx<'_>) -> Screen {
        match screen {
            Screen::Attract => self.on_attract(input, cx),
            Screen::OutOfService { reasons } => self.on_out_of_service(reasons, input, cx),
            Screen::Identify(identify) => self.on_identify(identify, input, cx),
            Screen::Menu => self.on_menu(input, cx),
            Screen::Balances(step) => self.on_balances(step, input, cx),
            Screen::Payment(step) => self.on_payment(step, input, cx),
            Screen::Internet(step) => self.on_internet(step, input, cx),
            Screen::Certificates(step) => self.on_certificates(step, input, cx),
            Screen::Requests(step) => self.on_requests(step, input, cx),
            Screen::Enrollment(step) => self.on_enrollment(step, input, cx),
            Screen::Information(step) => self.on_information(step, input, cx),
            Screen::Delivery(delivery) => self.on_delivery(delivery, input, cx),
            Screen::Notice { notice, then } => match input {
                Input::Action(Action::Back) if then == crate::state::Then::Another => self.no_other_operation(cx),
                Input::Action(Action::Confirm | Action::Back) => self.go(then, cx),
                _ => Screen::Notice { notice, then },
            },
        }
    }

    fn on_attract(&mut self, input: Input, cx: &mut Cx<'_>) -> Screen {
        match input {
            Input::Card(card) => self.card_identified(Purpose::Login, card, cx),
            Input::Action(Action::Confirm) => Screen::Identify(Identify {
                purpose: Purpose::Login,
                step: IdentifyStep::Card { keyed: false, typed: 0, error: None },
            }),
            Input::Action(Action::TypeInstead) if self.config.allow_keyed_card => Screen::Identify(Identify {
                purpose: Purpose::Login,
                step: IdentifyStep::Card { keyed: true, typed: 0, error: None },
            }),
            Input::Action(Action::CreateClave) => Screen::Identify(Identify {
                purpose: Purpose::Enrollment,
                step: IdentifyStep::Card { keyed: false, typed: 0, error: None },
            }),
            Input::Action(Action::Menu(MenuItem::Information)) => Screen::Information(Information::Topics),
            _ => Screen::Attract,
        }
    }

    fn on_out_of_service(
        &mut self,
        reasons: Vec<crate::state::OutOfServiceReason>,
        input: Input,
        _cx: &mut Cx<'_>,
    ) -> Screen {
        match input {
            Input::Action(Action::Menu(MenuItem::Information)) => Screen::Information(Information::Topics),
            Input::Action(Action::Menu(MenuItem::Requests)) if self.health.storage.is_none() => {
                Screen::Requests(Requests::Choose { offline: true })
            }
            _ => Screen::OutOfService { reasons },
        }
    }

    fn on_menu(&mut self, input: Input, cx: &mut Cx<'_>) -> Screen {
        let Input::Action(Action::Menu(item)) = input else { return Screen::Menu };
        let records = !matches!(item, MenuItem::Balances | MenuItem::Information);
        if records && self.health.storage.is_some() {
            // The kiosk cannot record another operation safely: none is started.
            return Screen::Notice { notice: crate::state::Notice::ServiceUnavailable, then: crate::state::Then::Menu };
        }
        match item {
            MenuItem::PayLoans => Screen::Payment(Payment::LoadingLoans { request: self.query(Query::Loans, cx) }),
            MenuItem::Balances => Screen::Balances(Balances::Loading { request: self.query(Query::Accounts, cx) }),
            MenuItem::InternetPurchases => {
                Screen::Internet(Internet::Loading { request: self.query(Query::Accounts, cx) })
            }
            MenuItem::Certificates => {
                Screen::Certificates(Certificates::Loading { request: self.query(Query::Loans, cx) })
            }
            MenuItem::Requests => Screen::Requests(Requests::Choose { offline: false }),
            MenuItem::Information => Screen::Information(Information::Topics),
        }
    }

    /// Back out of a flow's first screen: the menu when identified, else the end of the (anonymous) session.
    pub(crate) fn leave_flow(&mut self, cx: &mut Cx<'_>) -> Screen {
        if self.customer.is_some() {
            Screen::Menu
        } else {
            self.end(EndReason::Customer, cx);
            self.home()
        }
    }
}
