//! Compras por Internet (R2–R4): affiliate one active individual-signature account, or disaffiliate with
//! the explicit tick; both confirmed with the SMS code; the constancia is printed and/or emailed.

use crate::contract::{
    Account, AffiliationOperation, Command, Credentials, ErrorCode, Failure, OtpPurpose, OtpSent, Query, Reply,
    affiliable,
};
use crate::effect::{Document, JournalEntry};
use crate::event::{Action, Key, Timer};
use crate::machine::{Cx, Input, Session};
use crate::state::{CodeEntry, InputError, Internet, Notice, Screen, Then};

const OTP_DIGITS: usize = 6;

impl Session {
    pub(crate) fn on_internet(&mut self, step: Internet, input: Input, cx: &mut Cx<'_>) -> Screen {
        let back = matches!(input, Input::Action(Action::Back));
        match step {
            Internet::Loading { request } => match input {
                Input::Answer(Ok(Reply::Accounts(accounts))) => internet_menu(accounts),
                Input::Answer(Ok(_)) => self.refusal(Failure::NoAnswer),
                Input::Answer(Err(failure)) => self.refusal(failure),
                _ if back => {
                    self.abandon_pending(cx);
                    Screen::Menu
                }
                _ => Screen::Internet(Internet::Loading { request }),
            },
            Internet::Menu { accounts, affiliated } => match input {
                Input::Action(Action::Affiliate) => {
                    if let Some(account) = affiliated {
                        return Screen::Internet(Internet::AlreadyAffiliated { accounts, account });
                    }
                    let eligible: Vec<_> = accounts.iter().filter(|a| affiliable(a)).cloned().collect();
                    if eligible.is_empty() {
                        Screen::Notice { notice: Notice::NoAffiliableAccount, then: Then::Menu }
                    } else {
                        Screen::Internet(Internet::ChooseAccount { accounts, eligible, selected: None })
                    }
                }
                Input::Action(Action::Disaffiliate) => match affiliated {
                    Some(account) => Screen::Internet(Internet::Consent { accounts, account, ticked: false }),
                    None => Screen::Notice { notice: Notice::NothingAffiliated, then: Then::Menu },
                },
                _ if back => Screen::Menu,
                _ => Screen::Internet(Internet::Menu { accounts, affiliated }),
            },
            Internet::AlreadyAffiliated { accounts, account } => match input {
                Input::Action(Action::Disaffiliate) => {
                    Screen::Internet(Internet::Consent { accounts, account, ticked: false })
                }
                Input::Action(Action::Confirm) | Input::Action(Action::Back) => internet_menu(accounts),
                _ => Screen::Internet(Internet::AlreadyAffiliated { accounts, account }),
            },
            Internet::ChooseAccount { accounts, eligible, selected } => match input {
                Input::Action(Action::Select(i)) if i < eligible.len() => {
                    Screen::Internet(Internet::ChooseAccount { accounts, eligible, selected: Some(i) })
                }
                Input::Action(Action::Confirm) if selected.is_some() => {
                    match selected.and_then(|i| eligible.get(i)).cloned() {
                        Some(account) => self.request_code(AffiliationOperation::Affiliation, account, cx),
                        None => Screen::Internet(Internet::ChooseAccount { accounts, eligible, selected: None }),
                    }
                }
                _ if back => internet_menu(accounts),
                _ => Screen::Internet(Internet::ChooseAccount { accounts, eligible, selected }),
            },
            Internet::Consent { accounts, account, ticked } => match input {
                Input::Action(Action::ToggleConsent) => {
                    Screen::Internet(Internet::Consent { accounts, account, ticked: !ticked })
                }
                Input::Action(Action::Confirm) if ticked => {
                    self.request_code(AffiliationOperation::Disaffiliation, account, cx)
                }
                _ if back => internet_menu(accounts),
                _ => Screen::Internet(Internet::Consent { accounts, account, ticked }),
            },
            Internet::RequestingCode { request, operation, account } => match input {
                Input::Answer(Ok(Reply::OtpSent(sent))) => {
                    let entry = self.fresh_code_entry(sent, true, cx);
                    Screen::Internet(Internet::Code { operation, account, entry })
                }
                Input::Answer(Ok(_)) => self.refusal(Failure::NoAnswer),
                Input::Answer(Err(failure)) => self.refusal(failure),
                _ if back => {
                    self.abandon_pending(cx);
                    Screen::Menu
                }
                _ => Screen::Internet(Internet::RequestingCode { request, operation, account }),
            },
            Internet::Code { operation, account, entry } => {
                let resend = Query::RequestOtp { purpose: otp_purpose(operation) };
                match self.on_code_entry(entry, input, resend, cx) {
                    CodeStep::Stay(entry) => Screen::Internet(Internet::Code { operation, account, entry }),
                    CodeStep::Left => Screen::Menu,
                    CodeStep::Refused(screen) => screen,
                    CodeStep::Complete(entry) => {
                        let otp_id = entry.otp_id.clone();
                        let command = match operation {
                            AffiliationOperation::Affiliation => {
                                Command::Affiliate { account_id: account.id.clone(), otp_id }
                            }
                            AffiliationOperation::Disaffiliation => Command::Disaffiliate { confirm: true, otp_id },
                        };
                        let otp = std::mem::take(&mut self.secrets.otp);
                        let key = self.submit(command, true, Credentials { otp: Some(otp), new_clave: None }, cx);
                        Screen::Internet(Internet::Processing { key, operation, account, entry })
                    }
                }
            }
            Internet::Processing { key, operation, account, entry } => match input {
                Input::Answer(Ok(Reply::Affiliation(constancia))) => {
                    self.disarm(Timer::OtpResend, cx);
                    let name = match operation {
                        AffiliationOperation::Affiliation => "afiliación compras por internet",
                        AffiliationOperation::Disaffiliation => "desafiliación compras por internet",
                    };
                    let document = Some(Box::new(Document::AffiliationConstancia(constancia.clone())));
                    self.journal(
                        JournalEntry::Operation { key, operation: name.into(), outcome: "realizado".into(), document },
                        cx,
                    );
                    Screen::Internet(Internet::Done { constancia })
                }
                Input::Answer(Err(failure)) => match self.code_refused(entry, &failure) {
                    Some(entry) => Screen::Internet(Internet::Code { operation, account, entry }),
                    None if failure.outcome_unknown() => {
                        Screen::Notice { notice: Notice::NotConfirmed, then: Then::Menu }
                    }
                    None => self.refusal(failure),
                },
                Input::Answer(Ok(_)) => Screen::Notice { notice: Notice::NotConfirmed, then: Then::Menu },
                _ => Screen::Internet(Internet::Processing { key, operation, account, entry }),
            },
            Internet::Done { constancia } => match input {
                Input::Action(Action::Confirm) => {
                    self.open_delivery(Document::AffiliationConstancia(constancia), Then::Menu)
                }
                _ => Screen::Internet(Internet::Done { constancia }),
            },
        }
    }

    fn request_code(&mut self, operation: AffiliationOperation, account: Account, cx: &mut Cx<'_>) -> Screen {
        let request = self.query(Query::RequestOtp { purpose: otp_purpose(operation) }, cx);
        Screen::Internet(Internet::RequestingCode { request, operation, account })
    }

    /// A new code was sent: empty entry, resend possible after the configured wait.
    pub(crate) fn fresh_code_entry(&mut self, sent: OtpSent, resend_possible: bool, cx: &mut Cx<'_>) -> CodeEntry {
        self.secrets.otp.clear();
        let resend_at = if resend_possible { self.arm_resend(cx) } else { cx.now };
        // Whole minutes, rounded up: a code valid 4 min 59 s after a slow answer still reads "5 minutos".
        let valid_seconds = (sent.expires_at - cx.now).num_seconds().max(0);
        CodeEntry {
            otp_id: sent.otp_id,
            masked_phone: sent.masked_phone,
            resend_possible,
            valid_minutes: (valid_seconds + 59) / 60,
            entered: 0,
            resend_at,
            resend_allowed: false,
            error: None,
            resending: None,
        }
    }

    /// A refused code: back to the entry with the reason when the customer can still try; `None` when the
    /// failure is about something else.
    pub(crate) fn code_refused(&mut self, mut entry: CodeEntry, failure: &Failure) -> Option<CodeEntry> {
        self.secrets.otp.clear();
        entry.entered = 0;
        match failure.code()? {
            ErrorCode::OtpInvalid if failure.attempts_left() != Some(0) => {
                entry.error = Some(InputError::OtpInvalid { attempts_left: failure.attempts_left() });
                Some(entry)
            }
            ErrorCode::OtpInvalid | ErrorCode::OtpExpired | ErrorCode::OtpExhausted if entry.resend_possible => {
                entry.error = Some(InputError::OtpExpired);
                entry.resend_allowed = true;
                Some(entry)
            }
            _ => None,
        }
    }

    /// SMS code entry shared by affiliation and enrollment: digits as dots, and after the wait "Reenviar
    /// código" asks the central for a new code with `resend`.
    pub(crate) fn on_code_entry(
        &mut self,
        mut entry: CodeEntry,
        input: Input,
        resend: Query,
        cx: &mut Cx<'_>,
    ) -> CodeStep {
        match input {
            Input::Action(Action::Key(key)) if entry.resending.is_none() => {
                match key {
                    Key::Digit(d) => {
                        self.secrets.otp.push(d, OTP_DIGITS);
                    }
                    Key::Backspace => self.secrets.otp.pop(),
                    Key::Clear => self.secrets.otp.clear(),
                    Key::Char(_) => {}
                }
                entry.entered = self.secrets.otp.len();
                entry.error = None;
                CodeStep::Stay(entry)
            }
            Input::Action(Action::Confirm) if entry.resending.is_none() && self.secrets.otp.len() == OTP_DIGITS => {
                CodeStep::Complete(entry)
            }
            Input::Action(Action::ResendCode)
                if entry.resending.is_none()
                    && entry.resend_possible
                    && (entry.resend_allowed || cx.now >= entry.resend_at) =>
            {
                entry.resending = Some(self.query(resend, cx));
                CodeStep::Stay(entry)
            }
            Input::ResendAllowed => {
                entry.resend_allowed = entry.resend_possible;
                CodeStep::Stay(entry)
            }
            Input::Answer(Ok(Reply::OtpSent(sent))) if entry.resending.is_some() => {
                CodeStep::Stay(self.fresh_code_entry(sent, true, cx))
            }
            Input::Answer(Err(failure)) if entry.resending.is_some() && !failure.outcome_unknown() => {
                CodeStep::Refused(self.refusal(failure))
            }
            Input::Answer(_) => {
                entry.resending = None;
                CodeStep::Stay(entry)
            }
            Input::Action(Action::Back) => {
                self.abandon_pending(cx);
                self.disarm(Timer::OtpResend, cx);
                self.secrets.otp.clear();
                CodeStep::Left
            }
            _ => CodeStep::Stay(entry),
        }
    }
}

pub(crate) enum CodeStep {
    Stay(CodeEntry),
    Complete(CodeEntry),
    Left,
    Refused(Screen),
}

fn internet_menu(accounts: Vec<Account>) -> Screen {
    let affiliated = accounts.iter().find(|a| a.internet_purchases).cloned();
    Screen::Internet(Internet::Menu { accounts, affiliated })
}

fn otp_purpose(operation: AffiliationOperation) -> OtpPurpose {
    match operation {
        AffiliationOperation::Affiliation => OtpPurpose::Affiliation,
        AffiliationOperation::Disaffiliation => OtpPurpose::Disaffiliation,
    }
}
