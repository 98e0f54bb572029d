//! The smaller flows: balances and movements, constancia de no adeudo (R10), requests with ticket and
//! deadline (R11), clave enrollment (R12) and the información screens (R13).

use crate::contract::{
    Command, Credentials, EnrollmentAnswer, EnrollmentAnswers, ErrorCode, Failure, FileRequest, Loan, LoanStatus,
    NoDebtRequest, Query, Reply, RequestTicket,
};
use crate::effect::{Document, EndReason, JournalEntry};
use crate::event::{Action, DeliveryChoice, InfoTopic, Key};
use crate::machine::{Cx, Input, Session};
use crate::secret::Dni;
use crate::state::{
    Balances, Certificates, Enrollment, Information, InputError, Lookup, Notice, REQUEST_DETAIL_MAX, Requests, Screen,
    Then,
};

use servicaja_core::disclosures::VisType;
use servicaja_core::money::{Currency, Money};

use super::internet::CodeStep;
use super::parse_amount;
use super::typing::{amount_char, amount_key, detail_char, dni_char, edit};

const CLAVE_DIGITS: usize = 6;

/// Whether the customer has loans and every one of them is cancelled: then "Todos mis créditos" (R10).
pub fn all_cancelled(loans: &[Loan]) -> bool {
    !loans.is_empty() && loans.iter().all(|l| l.status == LoanStatus::Cancelled)
}

/// A clave the caja would refuse anyway: one repeated digit or a straight run (123456, 654321).
pub fn weak_clave(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    let pairs = || {
        bytes.windows(2).filter_map(|w| match w {
            [a, b] => Some((*a, *b)),
            _ => None,
        })
    };
    let same = pairs().all(|(a, b)| a == b);
    let up = pairs().all(|(a, b)| b == a.wrapping_add(1));
    let down = pairs().all(|(a, b)| a == b.wrapping_add(1));
    same || up || down
}

impl Session {
    pub(crate) fn on_balances(&mut self, step: Balances, input: Input, cx: &mut Cx<'_>) -> Screen {
        let back = matches!(input, Input::Action(Action::Back));
        match step {
            Balances::Loading { request } => match input {
                Input::Answer(Ok(Reply::Accounts(accounts))) => Screen::Balances(Balances::Accounts { accounts }),
                Input::Answer(Ok(_)) => self.refusal(Failure::NoAnswer),
                Input::Answer(Err(failure)) => self.refusal(failure),
                _ if back => {
                    self.abandon_pending(cx);
                    Screen::Menu
                }
                _ => Screen::Balances(Balances::Loading { request }),
            },
            Balances::Accounts { accounts } => match input {
                Input::Action(Action::Select(i)) if i < accounts.len() => {
                    let Some(account) = accounts.get(i).cloned() else {
                        return Screen::Balances(Balances::Accounts { accounts });
                    };
                    let request = self.query(Query::Movements { account_id: account.id.clone() }, cx);
                    Screen::Balances(Balances::LoadingMovements { request, accounts, account })
                }
                _ if back => Screen::Menu,
                _ => Screen::Balances(Balances::Accounts { accounts }),
            },
            Balances::LoadingMovements { request, accounts, account } => match input {
                Input::Answer(Ok(Reply::Movements(movements))) => {
                    Screen::Balances(Balances::Movements { accounts, account, movements })
                }
                Input::Answer(Ok(_)) => self.refusal(Failure::NoAnswer),
                Input::Answer(Err(failure)) => self.refusal(failure),
                _ if back => {
                    self.abandon_pending(cx);
                    Screen::Balances(Balances::Accounts { accounts })
                }
                _ => Screen::Balances(Balances::LoadingMovements { request, accounts, account }),
            },
            Balances::Movements { accounts, account, movements } => match input {
                // The screen's main button (Confirm) prints the slip, or offers it by email while the printer
                // cannot print; a delivery choice does what it names.
                Input::Action(Action::Confirm) => {
                    let choice = if self.printer_ready() { DeliveryChoice::Print } else { DeliveryChoice::Email };
                    self.on_balances(
                        Balances::Movements { accounts, account, movements },
                        Input::Action(Action::Deliver(choice)),
                        cx,
                    )
                }
                Input::Action(Action::Deliver(choice)) if choice != DeliveryChoice::None => {
                    let document = Document::BalanceSlip {
                        account,
                        movements,
                        masked_card: self.masked_card.clone().unwrap_or_default(),
                        customer_name: self.customer_name(),
                        at: cx.now,
                    };
                    let delivery = self.open_delivery(document, Then::Menu);
                    self.flow(delivery, Input::Action(Action::Deliver(choice)), cx)
                }
                _ if back => Screen::Balances(Balances::Accounts { accounts }),
                _ => Screen::Balances(Balances::Movements { accounts, account, movements }),
            },
        }
    }

    pub(crate) fn on_certificates(&mut self, step: Certificates, input: Input, cx: &mut Cx<'_>) -> Screen {
        let back = matches!(input, Input::Action(Action::Back));
        match step {
            Certificates::Loading { request } => match input {
                Input::Answer(Ok(Reply::Loans(loans))) => {
                    let selected = vec![false; loans.len()];
                    Screen::Certificates(Certificates::Choose { loans, selected, refused: None })
                }
                Input::Answer(Ok(_)) => self.refusal(Failure::NoAnswer),
                Input::Answer(Err(failure)) => self.refusal(failure),
                _ if back => {
                    self.abandon_pending(cx);
                    Screen::Menu
                }
                _ => Screen::Certificates(Certificates::Loading { request }),
            },
            Certificates::Choose { loans, mut selected, refused } => match input {
                Input::Action(Action::Select(i)) => {
                    if let (Some(loan), Some(tick)) = (loans.get(i), selected.get_mut(i))
                        && loan.status == LoanStatus::Cancelled
                    {
                        *tick = !*tick;
                    }
                    Screen::Certificates(Certificates::Choose { loans, selected, refused: None })
                }
                // "Todos mis créditos" is offered only when every loan is cancelled (R10); otherwise the
                // screen shows it disabled with why, and a stray touch changes nothing.
                Input::Action(Action::AllLoans) if all_cancelled(&loans) => {
                    // An empty list asks for all loans (R10).
                    self.request_certificate(Vec::new(), loans, selected, cx)
                }
                Input::Action(Action::Confirm) if selected.iter().any(|s| *s) => {
                    let loan_ids =
                        loans.iter().zip(&selected).filter(|(_, s)| **s).map(|(l, _)| l.id.clone()).collect();
                    self.request_certificate(loan_ids, loans, selected, cx)
                }
                _ if back => Screen::Menu,
                _ => Screen::Certificates(Certificates::Choose { loans, selected, refused }),
            },
            Certificates::Processing { key, loans, selected } => match input {
                Input::Answer(Ok(Reply::NoDebt(certificate))) => {
                    self.journal(
                        JournalEntry::Operation {
                            key,
                            operation: "constancia de no adeudo".into(),
                            outcome: "emitida".into(),
                            document: Some(Box::new(Document::NoDebtCertificate(certificate.clone()))),
                        },
                        cx,
                    );
                    Screen::Certificates(Certificates::Done { certificate })
                }
                Input::Answer(Ok(_)) => self.refusal(Failure::NoAnswer),
                // A refusal returns to the choice with the central's reason: the customer may choose again.
                Input::Answer(Err(Failure::Refused(problem))) if !problem.code.is_transient() => {
                    let refused = Some((problem.code, problem.message));
                    Screen::Certificates(Certificates::Choose { loans, selected, refused })
                }
                Input::Answer(Err(failure)) => self.refusal(failure),
                _ => Screen::Certificates(Certificates::Processing { key, loans, selected }),
            },
            Certificates::Done { certificate } => match input {
                Input::Action(Action::Confirm) => {
                    self.open_delivery(Document::NoDebtCertificate(certificate), Then::Menu)
                }
                _ => Screen::Certificates(Certificates::Done { certificate }),
            },
        }
    }

    fn request_certificate(
        &mut self,
        loan_ids: Vec<String>,
        loans: Vec<Loan>,
        selected: Vec<bool>,
        cx: &mut Cx<'_>,
    ) -> Screen {
        let command = Command::NoDebtCertificate(NoDebtRequest { loan_ids });
        let key = self.submit(command, true, Credentials::default(), cx);
        Screen::Certificates(Certificates::Processing { key, loans, selected })
    }

    /// A filed request's ticket, with the customer's name.
    fn request_ticket(&self, ticket: RequestTicket) -> Document {
        Document::RequestTicket { ticket, customer_name: self.customer_name() }
    }

    pub(crate) fn on_requests(&mut self, step: Requests, input: Input, cx: &mut Cx<'_>) -> Screen {
        let back = matches!(input, Input::Action(Action::Back));
        match step {
            Requests::Choose { offline } => match input {
                Input::Action(Action::RequestKind(kind)) if offline => {
                    Screen::Requests(Requests::Dni { kind, typed: String::new(), error: None })
                }
                Input::Action(Action::RequestKind(kind)) => {
                    Screen::Requests(Requests::Confirm { kind, detail: String::new() })
                }
                _ if back => self.leave_flow(cx),
                _ => Screen::Requests(Requests::Choose { offline }),
            },
            Requests::Dni { kind, mut typed, error } => match input {
                Input::Action(Action::Key(key)) => {
                    let key = match key {
                        Key::Char(c) => Key::Char(c.to_ascii_uppercase()),
                        other => other,
                    };
                    edit(&mut typed, key, 9, dni_char);
                    Screen::Requests(Requests::Dni { kind, typed, error: None })
                }
                Input::Action(Action::Confirm) => match Dni::parse_with_check(&typed) {
                    Ok((dni, _)) => {
                        // Filed without a session while the central is away: the outbox delivers it later.
                        let command = Command::FileOfflineRequest { kind, dni, filed_at: cx.now };
                        let key = self.submit(command, false, Credentials::default(), cx);
                        self.journal(
                            JournalEntry::Operation {
                                key,
                                operation: "solicitud".into(),
                                outcome: "en cola".into(),
                                document: None,
                            },
                            cx,
                        );
                        Screen::Notice { notice: Notice::RequestQueued { kind }, then: Then::End }
                    }
                    Err(e) => Screen::Requests(Requests::Dni { kind, typed, error: Some(InputError::Dni(e)) }),
                },
                _ if back => Screen::Requests(Requests::Choose { offline: true }),
                _ => Screen::Requests(Requests::Dni { kind, typed, error }),
            },
            Requests::Confirm { kind, mut detail } => match input {
                Input::Action(Action::Key(key)) => {
                    edit(&mut detail, key, REQUEST_DETAIL_MAX, detail_char);
                    Screen::Requests(Requests::Confirm { kind, detail })
                }
                Input::Action(Action::Confirm) => {
                    let detail = detail.trim().to_owned();
                    let key = self.submit(
                        Command::FileRequest(FileRequest { kind, loan_id: None, detail }),
                        true,
                        Credentials::default(),
                        cx,
                    );
                    Screen::Requests(Requests::Processing { key, kind })
                }
                _ if back => Screen::Requests(Requests::Choose { offline: false }),
                _ => Screen::Requests(Requests::Confirm { kind, detail }),
            },
            Requests::Processing { key, kind } => match input {
                Input::Answer(Ok(Reply::RequestFiled(ticket))) => {
                    self.journal(
                        JournalEntry::Operation {
                            key,
                            operation: "solicitud".into(),
                            outcome: ticket.ticket_number.clone(),
                            document: Some(Box::new(self.request_ticket(ticket.clone()))),
                        },
                        cx,
                    );
                    Screen::Requests(Requests::Filed { ticket })
                }
                // The command is in the outbox and will be delivered; the customer need not wait.
                Input::Answer(Err(failure)) if failure.outcome_unknown() => {
                    Screen::Notice { notice: Notice::RequestQueued { kind }, then: Then::Menu }
                }
                Input::Answer(Ok(_)) => Screen::Notice { notice: Notice::RequestQueued { kind }, then: Then::Menu },
                Input::Answer(Err(failure)) => self.refusal(failure),
                _ => Screen::Requests(Requests::Processing { key, kind }),
            },
            Requests::Filed { ticket } => match input {
                Input::Action(Action::Confirm) => {
                    let document = self.request_ticket(ticket);
                    self.open_delivery(document, Then::Menu)
                }
                _ => Screen::Requests(Requests::Filed { ticket }),
            },
        }
    }

    pub(crate) fn on_enrollment(&mut self, step: Enrollment, input: Input, cx: &mut Cx<'_>) -> Screen {
        let back = matches!(input, Input::Action(Action::Back));
        match step {
            Enrollment::Starting { request, masked_card } => match input {
                Input::Answer(Ok(Reply::EnrollmentStarted(started))) if !started.questions.is_empty() => {
                    if let Some(mut card) = self.secrets.card.take() {
                        zeroize::Zeroize::zeroize(&mut card);
                    }
                    self.secrets.dni = None;
                    let answers = vec![None; started.questions.len()];
                    // No attempts are shown before the first answer: `attempts_left` is set by a wrong round.
                    Screen::Enrollment(Enrollment::Questions {
                        enrollment_id: started.enrollment_id,
                        questions: started.questions,
                        answers,
                        current: 0,
                        attempts_left: None,
                    })
                }
                Input::Answer(Ok(_)) => self.refusal(Failure::NoAnswer),
                Input::Answer(Err(failure)) => self.refusal(failure),
                _ if back => self.quit(cx),
                _ => Screen::Enrollment(Enrollment::Starting { request, masked_card }),
            },
            Enrollment::Questions { enrollment_id, questions, mut answers, mut current, attempts_left } => {
                match input {
                    Input::Action(Action::Answer(option))
                        if questions.get(current).is_some_and(|q| option < q.options.len()) =>
                    {
                        if let Some(slot) = answers.get_mut(current) {
                            *slot = Some(option);
                        }
                        if current + 1 < questions.len() {
                            current += 1;
                        }
                        Screen::Enrollment(Enrollment::Questions {
                            enrollment_id,
                            questions,
                            answers,
                            current,
                            attempts_left,
                        })
                    }
                    Input::Action(Action::Select(i)) if i < questions.len() => {
                        Screen::Enrollment(Enrollment::Questions {
                            enrollment_id,
                            questions,
                            answers,
                            current: i,
                            attempts_left,
                        })
                    }
                    Input::Action(Action::Confirm) if answers.iter().all(Option::is_some) => {
                        let answers = questions
                            .iter()
                            .zip(&answers)
                            .map(|(q, a)| EnrollmentAnswer {
                                question_id: q.id.clone(),
                                option: a.and_then(|a| u32::try_from(a).ok()).unwrap_or_default(),
                            })
                            .collect();
                        let command = Command::AnswerEnrollment {
                            enrollment_id: enrollment_id.clone(),
                            answers: EnrollmentAnswers { answers },
                        };
                        let key = self.submit(command, true, Credentials::default(), cx);
                        Screen::Enrollment(Enrollment::Checking { key, enrollment_id, questions, attempts_left })
                    }
                    Input::Action(Action::Back) if current > 0 => Screen::Enrollment(Enrollment::Questions {
                        enrollment_id,
                        questions,
                        answers,
                        current: current - 1,
                        attempts_left,
                    }),
                    _ if back => self.quit(cx),
                    _ => Screen::Enrollment(Enrollment::Questions {
                        enrollment_id,
                        questions,
                        answers,
                        current,
                        attempts_left,
                    }),
                }
            }
            Enrollment::Checking { key, enrollment_id, questions, attempts_left } => match input {
                Input::Answer(Ok(Reply::EnrollmentVerified(verified))) => {
                    self.secrets.clave.clear();
                    self.secrets.clave_confirm.clear();
                    let keypad = self.new_keypad(cx);
                    Screen::Enrollment(Enrollment::NewClave {
                        enrollment_id,
                        otp: verified.otp,
                        keypad,
                        confirming: false,
                        entered: 0,
                        error: None,
                    })
                }
                Input::Answer(Err(failure))
                    if failure.code() == Some(ErrorCode::EnrollmentAnswersWrong)
                        && failure.attempts_left() != Some(0) =>
                {
                    let answers = vec![None; questions.len()];
                    Screen::Enrollment(Enrollment::Questions {
                        enrollment_id,
                        questions,
                        answers,
                        current: 0,
                        attempts_left: failure.attempts_left(),
                    })
                }
                Input::Answer(Err(failure)) if failure.code() == Some(ErrorCode::EnrollmentAnswersWrong) => {
                    Screen::Notice { notice: Notice::EnrollmentBlocked, then: Then::End }
                }
                Input::Answer(Ok(_)) => self.refusal(Failure::NoAnswer),
                Input::Answer(Err(failure)) => self.refusal(failure),
                _ => Screen::Enrollment(Enrollment::Checking { key, enrollment_id, questions, attempts_left }),
            },
            Enrollment::NewClave { enrollment_id, otp, keypad, confirming, entered, error } => match input {
                Input::Action(Action::Key(key)) => {
                    let field = if confirming { &mut self.secrets.clave_confirm } else { &mut self.secrets.clave };
                    match key {
                        Key::Digit(d) => {
                            field.push(d, CLAVE_DIGITS);
                        }
                        Key::Backspace => field.pop(),
                        Key::Clear => field.clear(),
                        Key::Char(_) => {}
                    }
                    let entered = field.len();
                    Screen::Enrollment(Enrollment::NewClave {
                        enrollment_id,
                        otp,
                        keypad,
                        confirming,
                        entered,
                        error: None,
                    })
                }
                Input::Action(Action::Confirm) if entered == CLAVE_DIGITS => {
                    let keypad = self.new_keypad(cx);
                    if !confirming && weak_clave(self.secrets.clave.expose()) {
                        self.secrets.clave.clear();
                        let error = Some(InputError::WeakClave);
                        Screen::Enrollment(Enrollment::NewClave {
                            enrollment_id,
                            otp,
                            keypad,
                            confirming,
                            entered: 0,
                            error,
                        })
                    } else if !confirming {
                        Screen::Enrollment(Enrollment::NewClave {
                            enrollment_id,
                            otp,
                            keypad,
                            confirming: true,
                            entered: 0,
                            error: None,
                        })
                    } else if self.secrets.clave != self.secrets.clave_confirm {
                        self.secrets.clave.clear();
                        self.secrets.clave_confirm.clear();
                        Screen::Enrollment(Enrollment::NewClave {
                            enrollment_id,
                            otp,
                            keypad,
                            confirming: false,
                            entered: 0,
                            error: Some(InputError::ClavesDiffer),
                        })
                    } else {
                        self.secrets.clave_confirm.clear();
                        let entry = self.fresh_code_entry(otp, true, cx);
                        Screen::Enrollment(Enrollment::Code { enrollment_id, entry })
                    }
                }
                _ if back => self.quit(cx),
                _ => {
                    Screen::Enrollment(Enrollment::NewClave { enrollment_id, otp, keypad, confirming, entered, error })
                }
            },
            Enrollment::Code { enrollment_id, entry } => {
                let resend = Query::ResendEnrollmentCode { enrollment_id: enrollment_id.clone() };
                match self.on_code_entry(entry, input, resend, cx) {
                    CodeStep::Stay(entry) => Screen::Enrollment(Enrollment::Code { enrollment_id, entry }),
                    CodeStep::Left => self.quit(cx),
                    CodeStep::Refused(screen) => screen,
                    CodeStep::Complete(entry) => {
                        let otp = std::mem::take(&mut self.secrets.otp);
                        let credentials = Credentials { otp: Some(otp), new_clave: Some(self.secrets.clave.clone()) };
                        let command = Command::SetClave { enrollment_id: enrollment_id.clone() };
                        let key = self.submit(command, true, credentials, cx);
                        Screen::Enrollment(Enrollment::Setting { key, enrollment_id, entry })
                    }
                }
            }
            Enrollment::Setting { key, enrollment_id, entry } => match input {
                Input::Answer(Ok(Reply::ClaveSet(_))) => {
                    self.secrets.clave.clear();
                    self.journal(
                        JournalEntry::Operation {
                            key,
                            operation: "creación de clave".into(),
                            outcome: "realizado".into(),
                            document: None,
                        },
                        cx,
                    );
                    Screen::Notice { notice: Notice::ClaveCreated, then: Then::End }
                }
                Input::Answer(Err(failure)) => match self.code_refused(entry, &failure) {
                    Some(entry) => Screen::Enrollment(Enrollment::Code { enrollment_id, entry }),
                    None if failure.outcome_unknown() => {
                        Screen::Notice { notice: Notice::NotConfirmed, then: Then::End }
                    }
                    None => self.refusal(failure),
                },
                Input::Answer(Ok(_)) => Screen::Notice { notice: Notice::NotConfirmed, then: Then::End },
                _ => Screen::Enrollment(Enrollment::Setting { key, enrollment_id, entry }),
            },
        }
    }

    /// The customer leaves a flow that has no menu behind it (before identification).
    fn quit(&mut self, cx: &mut Cx<'_>) -> Screen {
        self.end(EndReason::Customer, cx);
        self.home()
    }

    pub(crate) fn on_information(&mut self, step: Information, input: Input, cx: &mut Cx<'_>) -> Screen {
        let back = matches!(input, Input::Action(Action::Back));
        match step {
            Information::Topics => match input {
                Input::Action(Action::InfoTopic(topic)) if topic.is_calculator() => {
                    Screen::Information(Information::Calculator {
                        topic,
                        typed: String::new(),
                        value: None,
                        result: None,
                        error: None,
                    })
                }
                Input::Action(Action::InfoTopic(topic)) => Screen::Information(Information::Table(topic)),
                _ if back => self.leave_flow(cx),
                _ => Screen::Information(Information::Topics),
            },
            Information::Table(topic) => match input {
                _ if back => Screen::Information(Information::Topics),
                _ => Screen::Information(Information::Table(topic)),
            },
            Information::Calculator { topic, mut typed, value, result, error } => match input {
                Input::Action(Action::Key(key)) => {
                    edit(&mut typed, amount_key(key), 12, amount_char);
                    Screen::Information(Information::Calculator {
                        topic,
                        typed,
                        value: None,
                        result: None,
                        error: None,
                    })
                }
                Input::Action(Action::Confirm) => match parse_amount(&typed, Currency::PEN) {
                    Ok(value) => {
                        let result = self.lookup(topic, value);
                        Screen::Information(Information::Calculator {
                            topic,
                            typed,
                            value: Some(value),
                            result,
                            error: None,
                        })
                    }
                    Err(e) => Screen::Information(Information::Calculator {
                        topic,
                        typed,
                        value: None,
                        result: None,
                        error: Some(InputError::Amount(e)),
                    }),
                },
                _ if back => Screen::Information(Information::Topics),
                _ => Screen::Information(Information::Calculator { topic, typed, value, result, error }),
            },
        }
    }

    /// Core's disclosure lookups for a calculator (R13).
    fn lookup(&self, topic: InfoTopic, value: Money) -> Option<Lookup> {
        let tables = self.config.disclosures.as_deref()?;
        match topic {
            InfoTopic::MiViviendaBond => Some(Lookup::MiVivienda {
                bbp: tables.mivivienda_bond(value.amount, false),
                bms: tables.mivivienda_bond(value.amount, true),
            }),
            InfoTopic::TechoPropioBond => Some(Lookup::TechoPropio {
                unifamiliar: tables.techo_propio_bond(VisType::Unifamiliar, value.amount),
                multifamiliar: tables.techo_propio_bond(VisType::Multifamiliar, value.amount),
            }),
            InfoTopic::MultiriskDeductibles => Some(Lookup::Deductible(tables.multirisk_deductible(value.amount))),
            InfoTopic::PaymentChannels | InfoTopic::InsuranceCoverage => None,
        }
    }
}
