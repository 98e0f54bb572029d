//! R1 identification: card (swiped or typed), DNI (read or typed with its check character), clave on a
//! shuffled keypad; and the card + DNI steps that open clave enrollment (R12).

use crate::contract::{ErrorCode, Query, Reply, SessionOpened};
use crate::effect::{EndReason, JournalEntry};
use crate::event::{Action, Key, Reader};
use crate::machine::{Cx, Input, Session};
use crate::secret::{CardNumber, Dni, SessionToken};
use crate::state::{Enrollment, Identify, IdentifyStep, InputError, Notice, Purpose, Screen, Then};

use super::typing::{dni_char, edit};

const CLAVE_DIGITS: usize = 6;
const MAX_CARD_DIGITS: usize = 19;

impl Session {
    /// A card was read or typed: remember it (secret), show only its mask, ask for the DNI.
    pub(crate) fn card_identified(&mut self, purpose: Purpose, card: CardNumber, cx: &mut Cx<'_>) -> Screen {
        let masked = card.masked();
        self.secrets.card_typed.clear();
        self.secrets.card = Some(card);
        self.masked_card = Some(masked.clone());
        self.journal(JournalEntry::SessionStarted { masked_card: masked.clone() }, cx);
        let keyed = !self.health.document_reader.usable() && self.config.allow_keyed_dni;
        Screen::Identify(Identify {
            purpose,
            step: IdentifyStep::Dni { masked_card: masked, keyed, typed: String::new(), error: None },
        })
    }

    pub(crate) fn on_identify(&mut self, identify: Identify, input: Input, cx: &mut Cx<'_>) -> Screen {
        let Identify { purpose, step } = identify;
        let wrap = |step| Screen::Identify(Identify { purpose, step });
        match step {
            IdentifyStep::Card { keyed, typed, error } => match input {
                Input::Card(card) => self.card_identified(purpose, card, cx),
                Input::Invalid(Reader::Card) => {
                    wrap(IdentifyStep::Card { keyed, typed, error: Some(InputError::InvalidCard) })
                }
                Input::ReaderDown(Reader::Card) => {
                    if self.config.allow_keyed_card {
                        wrap(IdentifyStep::Card { keyed: true, typed, error: Some(InputError::ReaderUnavailable) })
                    } else {
                        Screen::Notice {
                            notice: Notice::DeviceFailed(crate::event::Device::CardReader),
                            then: Then::End,
                        }
                    }
                }
                Input::Action(Action::TypeInstead) if self.config.allow_keyed_card => {
                    wrap(IdentifyStep::Card { keyed: true, typed, error: None })
                }
                Input::Action(Action::CreateClave) => Screen::Identify(Identify {
                    purpose: Purpose::Enrollment,
                    step: IdentifyStep::Card { keyed, typed, error },
                }),
                Input::Action(Action::Key(key)) if keyed => {
                    match key {
                        Key::Digit(d) => {
                            self.secrets.card_typed.push(d, MAX_CARD_DIGITS);
                        }
                        Key::Backspace => self.secrets.card_typed.pop(),
                        Key::Clear => self.secrets.card_typed.clear(),
                        Key::Char(_) => {}
                    }
                    wrap(IdentifyStep::Card { keyed, typed: self.secrets.card_typed.len(), error: None })
                }
                Input::Action(Action::Confirm) if keyed => match CardNumber::parse(self.secrets.card_typed.expose()) {
                    Ok(card) => self.card_identified(purpose, card, cx),
                    Err(e) => {
                        self.secrets.card_typed.clear();
                        wrap(IdentifyStep::Card { keyed, typed: 0, error: Some(InputError::CardNumber(e)) })
                    }
                },
                Input::Action(Action::Back) => {
                    self.end(EndReason::Customer, cx);
                    self.home()
                }
                _ => wrap(IdentifyStep::Card { keyed, typed, error }),
            },
            IdentifyStep::Dni { masked_card, keyed, mut typed, error } => match input {
                Input::Document(dni) => self.dni_identified(purpose, masked_card, dni, cx),
                Input::Invalid(Reader::Document) => {
                    wrap(IdentifyStep::Dni { masked_card, keyed, typed, error: Some(InputError::InvalidDocument) })
                }
                Input::ReaderDown(Reader::Document) => {
                    if self.config.allow_keyed_dni {
                        wrap(IdentifyStep::Dni {
                            masked_card,
                            keyed: true,
                            typed,
                            error: Some(InputError::ReaderUnavailable),
                        })
                    } else {
                        Screen::Notice {
                            notice: Notice::DeviceFailed(crate::event::Device::DocumentReader),
                            then: Then::End,
                        }
                    }
                }
                Input::Action(Action::TypeInstead) if self.config.allow_keyed_dni => {
                    wrap(IdentifyStep::Dni { masked_card, keyed: true, typed, error: None })
                }
                Input::Action(Action::Key(key)) if keyed => {
                    let key = match key {
                        Key::Char(c) => Key::Char(c.to_ascii_uppercase()),
                        other => other,
                    };
                    edit(&mut typed, key, 9, dni_char);
                    wrap(IdentifyStep::Dni { masked_card, keyed, typed, error: None })
                }
                Input::Action(Action::Confirm) if keyed => match Dni::parse_with_check(&typed) {
                    Ok((dni, _)) => self.dni_identified(purpose, masked_card, dni, cx),
                    Err(e) => wrap(IdentifyStep::Dni { masked_card, keyed, typed, error: Some(InputError::Dni(e)) }),
                },
                Input::Action(Action::Back) => {
                    if let Some(mut card) = self.secrets.card.take() {
                        zeroize::Zeroize::zeroize(&mut card);
                    }
                    self.masked_card = None;
                    wrap(IdentifyStep::Card { keyed: false, typed: 0, error: None })
                }
                _ => wrap(IdentifyStep::Dni { masked_card, keyed, typed, error }),
            },
            IdentifyStep::Clave { masked_card, keypad, entered, attempts_left } => match input {
                Input::Action(Action::Key(key)) => {
                    match key {
                        Key::Digit(d) => {
                            self.secrets.clave.push(d, CLAVE_DIGITS);
                        }
                        Key::Backspace => self.secrets.clave.pop(),
                        Key::Clear => self.secrets.clave.clear(),
                        Key::Char(_) => {}
                    }
                    wrap(IdentifyStep::Clave { masked_card, keypad, entered: self.secrets.clave.len(), attempts_left })
                }
                Input::Action(Action::Confirm) if self.secrets.clave.len() == CLAVE_DIGITS => {
                    match (self.secrets.card.clone(), self.secrets.dni) {
                        (Some(card), Some(dni)) => {
                            let clave = std::mem::take(&mut self.secrets.clave);
                            let query = Query::OpenSession { card, dni, clave };
                            wrap(IdentifyStep::Verifying { request: self.query(query, cx) })
                        }
                        _ => {
                            self.end(EndReason::Finished, cx);
                            self.home()
                        }
                    }
                }
                Input::Action(Action::Back) => {
                    self.secrets.clave.clear();
                    self.secrets.dni = None;
                    let keyed = !self.health.document_reader.usable() && self.config.allow_keyed_dni;
                    wrap(IdentifyStep::Dni { masked_card, keyed, typed: String::new(), error: None })
                }
                _ => wrap(IdentifyStep::Clave { masked_card, keypad, entered, attempts_left }),
            },
            IdentifyStep::Verifying { request } => match input {
                Input::Answer(answer) => self.on_login_answer(answer, cx),
                _ => wrap(IdentifyStep::Verifying { request }),
            },
        }
    }

    fn dni_identified(&mut self, purpose: Purpose, masked_card: String, dni: Dni, cx: &mut Cx<'_>) -> Screen {
        self.secrets.dni = Some(dni);
        match purpose {
            Purpose::Login => {
                self.secrets.clave.clear();
                let keypad = self.new_keypad(cx);
                Screen::Identify(Identify {
                    purpose,
                    step: IdentifyStep::Clave { masked_card, keypad, entered: 0, attempts_left: None },
                })
            }
            Purpose::Enrollment => match self.secrets.card.clone() {
                Some(card) => {
                    let request = self.query(Query::StartEnrollment { card, dni }, cx);
                    Screen::Enrollment(Enrollment::Starting { request, masked_card })
                }
                None => {
                    self.end(EndReason::Finished, cx);
                    self.home()
                }
            },
        }
    }

    fn on_login_answer(&mut self, answer: crate::contract::Answer, cx: &mut Cx<'_>) -> Screen {
        let masked_card = self.masked_card.clone().unwrap_or_default();
        match answer {
            Ok(Reply::SessionOpened(SessionOpened { token, profile, .. })) => {
                // From here on the token identifies the customer: the card number and DNI are no longer needed.
                if let Some(mut card) = self.secrets.card.take() {
                    zeroize::Zeroize::zeroize(&mut card);
                }
                self.secrets.dni = None;
                self.secrets.token = Some(SessionToken::new(token));
                self.customer = Some(profile);
                self.journal(JournalEntry::Identified { masked_card }, cx);
                Screen::Menu
            }
            Ok(_) => {
                self.end(EndReason::Finished, cx);
                self.home()
            }
            Err(failure) => {
                let code = failure.code().map_or("no_answer", ErrorCode::as_str);
                self.journal(
                    JournalEntry::IdentificationRefused { masked_card: masked_card.clone(), code: code.to_owned() },
                    cx,
                );
                match failure.code() {
                    Some(ErrorCode::ClaveInvalid | ErrorCode::ClaveFormat) if failure.attempts_left() != Some(0) => {
                        let keypad = self.new_keypad(cx);
                        Screen::Identify(Identify {
                            purpose: Purpose::Login,
                            step: IdentifyStep::Clave {
                                masked_card,
                                keypad,
                                entered: 0,
                                attempts_left: failure.attempts_left(),
                            },
                        })
                    }
                    Some(ErrorCode::ClaveInvalid | ErrorCode::CardLocked) => {
                        Screen::Notice { notice: Notice::CardLocked, then: Then::End }
                    }
                    Some(ErrorCode::CardNotRecognized) => {
                        self.secrets.dni = None;
                        let keyed = !self.health.document_reader.usable() && self.config.allow_keyed_dni;
                        Screen::Identify(Identify {
                            purpose: Purpose::Login,
                            step: IdentifyStep::Dni {
                                masked_card,
                                keyed,
                                typed: String::new(),
                                error: Some(InputError::IdentityMismatch),
                            },
                        })
                    }
                    _ => self.refusal(failure),
                }
            }
        }
    }
}
