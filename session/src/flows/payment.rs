//! Loan payment (R5–R9): loan, option, amount, debit account, quote with exchange rate, confirm, progress,
//! result, receipt. A payment whose answer does not come in time is reversed and the customer told that no
//! charge stands.

use crate::contract::{
    Account, Command, Credentials, ErrorCode, Failure, Loan, LoanStatus, PAYMENT_OPTIONS, PaymentDone, PaymentOption,
    PaymentRequest, Query, QuoteQuery, Reply, needs_amount,
};
use crate::effect::{Document, Effect, JournalEntry, PaymentContext};
use crate::event::Action;
use crate::machine::{Cx, Input, Session};
use crate::state::{AmountError, InputError, Notice, Order, Payment, Screen, Then};

use super::parse_amount;
use super::typing::{amount_char, amount_key, edit};

/// R6: with overdue installments only "Pagar cuota" (which includes them) is possible; and only the options
/// the central priced today.
pub fn payment_options(loan: &Loan) -> Vec<(PaymentOption, bool)> {
    let overdue = loan.overdue_installments > 0;
    PAYMENT_OPTIONS
        .iter()
        .map(|&option| {
            let allowed = match option {
                PaymentOption::DueInstallment => loan.due_installment.is_some() || overdue,
                _ => !overdue,
            };
            // An option the central gave no terms for has no amount that fits it today.
            let offered = loan.option_terms.is_empty() || loan.terms(option).is_some();
            (option, allowed && offered)
        })
        .collect()
}

impl Session {
    pub(crate) fn on_payment(&mut self, step: Payment, input: Input, cx: &mut Cx<'_>) -> Screen {
        let back = matches!(input, Input::Action(Action::Back));
        match step {
            Payment::LoadingLoans { request } => match input {
                Input::Answer(Ok(Reply::Loans(loans))) => {
                    let loans = loans.into_iter().filter(|l| l.status != LoanStatus::Cancelled).collect();
                    Screen::Payment(Payment::Loans { loans })
                }
                Input::Answer(Ok(_)) => self.refusal(Failure::NoAnswer),
                Input::Answer(Err(failure)) => self.refusal(failure),
                _ if back => {
                    self.abandon_pending(cx);
                    Screen::Menu
                }
                _ => Screen::Payment(Payment::LoadingLoans { request }),
            },
            Payment::Loans { loans } => match input {
                Input::Action(Action::Select(i)) if i < loans.len() => {
                    let Some(loan) = loans.get(i).cloned() else { return Screen::Payment(Payment::Loans { loans }) };
                    if !loan.kiosk_payable {
                        Screen::Payment(Payment::NotPayable { loans, loan })
                    } else {
                        let options = payment_options(&loan);
                        Screen::Payment(Payment::Loan { loans, loan, options })
                    }
                }
                _ if back => Screen::Menu,
                _ => Screen::Payment(Payment::Loans { loans }),
            },
            Payment::NotPayable { loans, loan } => match input {
                Input::Action(Action::Back | Action::Confirm) => Screen::Payment(Payment::Loans { loans }),
                _ => Screen::Payment(Payment::NotPayable { loans, loan }),
            },
            Payment::Loan { loans, loan, options } => match input {
                Input::Action(Action::PaymentOption(option))
                    if options.iter().any(|&(o, allowed)| o == option && allowed) =>
                {
                    let choices = loan.terms(option).map(|t| t.installments.clone()).unwrap_or_default();
                    let order = Order { loans, loan, option, amount: None };
                    if option == PaymentOption::Advance && !choices.is_empty() {
                        // Defect 5: an advance is one or two whole installments, offered with their amounts.
                        Screen::Payment(Payment::Installments { order, choices })
                    } else if needs_amount(option) {
                        Screen::Payment(Payment::Amount { order, typed: String::new(), error: None })
                    } else {
                        self.load_debit_accounts(order, cx)
                    }
                }
                _ if back => Screen::Payment(Payment::Loans { loans }),
                _ => Screen::Payment(Payment::Loan { loans, loan, options }),
            },
            Payment::Installments { mut order, choices } => match input {
                Input::Action(Action::Select(i)) if i < choices.len() => {
                    order.amount = choices.get(i).copied();
                    self.load_debit_accounts(order, cx)
                }
                _ if back => self.back_to_loan(order),
                _ => Screen::Payment(Payment::Installments { order, choices }),
            },
            Payment::Amount { mut order, mut typed, error } => match input {
                Input::Action(Action::Key(key)) => {
                    edit(&mut typed, amount_key(key), 12, amount_char);
                    Screen::Payment(Payment::Amount { order, typed, error: None })
                }
                Input::Action(Action::Confirm) => match self.check_amount(&order, &typed) {
                    Ok(amount) => {
                        order.amount = Some(amount);
                        self.load_debit_accounts(order, cx)
                    }
                    Err(e) => Screen::Payment(Payment::Amount { order, typed, error: Some(InputError::Amount(e)) }),
                },
                _ if back => self.back_to_loan(order),
                _ => Screen::Payment(Payment::Amount { order, typed, error }),
            },
            Payment::LoadingAccounts { request, order } => match input {
                Input::Answer(Ok(Reply::Accounts(accounts))) => {
                    // Only accounts the customer may debit alone: not a joint or a restricted (AFP) one.
                    let accounts: Vec<_> = accounts.into_iter().filter(Account::debitable_alone).collect();
                    if accounts.is_empty() {
                        Screen::Notice {
                            notice: Notice::Refused {
                                code: ErrorCode::AccountInactive,
                                message: "no active savings account to debit".into(),
                            },
                            then: Then::Menu,
                        }
                    } else {
                        Screen::Payment(Payment::Accounts { order, accounts })
                    }
                }
                Input::Answer(Ok(_)) => self.refusal(Failure::NoAnswer),
                Input::Answer(Err(failure)) => self.refusal(failure),
                _ if back => {
                    self.abandon_pending(cx);
                    self.back_to_loan(order)
                }
                _ => Screen::Payment(Payment::LoadingAccounts { request, order }),
            },
            Payment::Accounts { order, accounts } => match input {
                Input::Action(Action::Select(i)) if i < accounts.len() => {
                    // Defect 8: an account whose balance does not cover the debit is shown, disabled, with why.
                    let Some(account_id) = accounts
                        .get(i)
                        .filter(|a| order.debit_from(a).is_none_or(|(_, enough)| enough))
                        .map(|a| a.id.clone())
                    else {
                        return Screen::Payment(Payment::Accounts { order, accounts });
                    };
                    self.request_quote(order, accounts, account_id, cx)
                }
                _ if back => self.back_to_loan(order),
                _ => Screen::Payment(Payment::Accounts { order, accounts }),
            },
            Payment::Quoting { request, order, accounts } => match input {
                Input::Answer(Ok(Reply::Quote(quote))) => Screen::Payment(Payment::Summary { order, quote, accounts }),
                Input::Answer(Ok(_)) => self.refusal(Failure::NoAnswer),
                // R7/R9: the typed amount does not fit the option or the channel limit: let the customer fix it.
                Input::Answer(Err(failure))
                    if needs_amount(order.option)
                        && matches!(failure.code(), Some(ErrorCode::AmountInvalid | ErrorCode::LimitExceeded)) =>
                {
                    let typed = order.amount.map(|m| m.amount.to_string()).unwrap_or_default();
                    let error = match failure {
                        Failure::Refused(problem) => {
                            AmountError::Refused { code: problem.code, message: problem.message }
                        }
                        Failure::NoAnswer => AmountError::Zero,
                    };
                    Screen::Payment(Payment::Amount { order, typed, error: Some(InputError::Amount(error)) })
                }
                Input::Answer(Err(failure)) => self.payment_refused(order, accounts, failure),
                _ if back => {
                    self.abandon_pending(cx);
                    Screen::Payment(Payment::Accounts { order, accounts })
                }
                _ => Screen::Payment(Payment::Quoting { request, order, accounts }),
            },
            Payment::Summary { order, quote, accounts } => match input {
                Input::Action(Action::Confirm) => {
                    let key = cx.supply.fresh_id();
                    let command = Command::Pay(PaymentRequest {
                        operation_id: key,
                        loan_id: quote.loan_id.clone(),
                        debit_account_id: quote.debit_account_id.clone(),
                        option: quote.option,
                        amount: order.amount.map(|m| m.amount),
                        expected_debit: Some(quote.debit),
                    });
                    self.submit_with_key(key, command, true, Credentials::default(), cx);
                    let deadline = self.interactive_at.unwrap_or(cx.now);
                    Screen::Payment(Payment::Processing {
                        key,
                        order,
                        accounts,
                        quote,
                        started: cx.now,
                        deadline,
                        settling: None,
                    })
                }
                _ if back => Screen::Payment(Payment::Accounts { order, accounts }),
                _ => Screen::Payment(Payment::Summary { order, quote, accounts }),
            },
            Payment::Processing { key, order, accounts, quote, started, deadline, settling } => match input {
                Input::Answer(Ok(Reply::PaymentDone(payment))) => {
                    let context = payment_context(&order.loan, &accounts, &payment);
                    let receipt = self.payment_receipt(payment.clone(), context.clone());
                    self.journal(
                        JournalEntry::Operation {
                            key,
                            operation: "pago de cuota".into(),
                            outcome: "realizado".into(),
                            document: Some(Box::new(receipt)),
                        },
                        cx,
                    );
                    Screen::Payment(Payment::Done { payment, context })
                }
                Input::Answer(Ok(Reply::ReversalStored)) if settling.is_some() => {
                    // The outbox stored the reversal (in the transaction that withdrew the payment): only now
                    // is the customer told that no charge stands.
                    cx.fx.push(Effect::Journal(JournalEntry::PaymentReversed {
                        original_key: key,
                        reversal_key: settling.unwrap_or(key),
                    }));
                    self.journal(
                        JournalEntry::Operation {
                            key,
                            operation: "pago de cuota".into(),
                            outcome: "revertido".into(),
                            document: None,
                        },
                        cx,
                    );
                    Screen::Notice { notice: Notice::PaymentNotDone, then: Then::Menu }
                }
                Input::Answer(Ok(Reply::PaymentHeld)) if settling.is_none() => {
                    self.journal(
                        JournalEntry::Operation {
                            key,
                            operation: "pago de cuota".into(),
                            outcome: "no enviado: anulación anterior pendiente".into(),
                            document: None,
                        },
                        cx,
                    );
                    Screen::Notice { notice: Notice::ReversalPending, then: Then::Menu }
                }
                // The outcome is unknown (no answer, a transient failure, an answer that is not a payment's):
                // the outbox decides once between the answer it may have stored meanwhile and the payment's
                // reversal; the customer waits a moment longer for it. If that decision could not be stored
                // either, nothing is claimed and the customer is sent to the counter.
                Input::Answer(answer) if answer.as_ref().err().is_none_or(Failure::outcome_unknown) => match settling {
                    None => {
                        let operation_id = key;
                        let command = Command::SettlePayment { operation_id };
                        let settle = self.submit(command, true, Credentials::default(), cx);
                        let settling = Some(settle);
                        Screen::Payment(Payment::Processing {
                            key,
                            order,
                            accounts,
                            quote,
                            started,
                            deadline,
                            settling,
                        })
                    }
                    Some(_) => {
                        let outcome = "sin confirmar: atender en ventanilla".into();
                        let operation = "pago de cuota".into();
                        self.journal(JournalEntry::Operation { key, operation, outcome, document: None }, cx);
                        Screen::Notice { notice: Notice::PaymentUnconfirmed, then: Then::End }
                    }
                },
                Input::Answer(Err(failure)) => {
                    let code = failure.code().map_or("no_answer", ErrorCode::as_str);
                    self.journal(
                        JournalEntry::Operation {
                            key,
                            operation: "pago de cuota".into(),
                            outcome: format!("rechazado: {code}"),
                            document: None,
                        },
                        cx,
                    );
                    match failure.code() {
                        Some(ErrorCode::Reversed) => {
                            Screen::Notice { notice: Notice::PaymentNotDone, then: Then::Menu }
                        }
                        // The rate or the loan moved since the quote: show the new figures before paying.
                        Some(ErrorCode::QuoteChanged) => {
                            let account_id = quote.debit_account_id.clone();
                            self.request_quote(order, accounts, account_id, cx)
                        }
                        _ => self.payment_refused(order, accounts, failure),
                    }
                }
                _ => Screen::Payment(Payment::Processing { key, order, accounts, quote, started, deadline, settling }),
            },
            Payment::Done { payment, context } => match input {
                Input::Action(Action::Confirm) => {
                    let document = self.payment_receipt(payment, context);
                    self.open_delivery(document, Then::Another)
                }
                _ => Screen::Payment(Payment::Done { payment, context }),
            },
            Payment::Refused { order, accounts, code, message } => match input {
                Input::Action(Action::Confirm) => Screen::Payment(Payment::Accounts { order, accounts }),
                Input::Action(Action::Back) => Screen::Menu,
                _ => Screen::Payment(Payment::Refused { order, accounts, code, message }),
            },
        }
    }

    /// Defect 8: a refused quote or payment (balance, account, limit) takes the customer back to the account
    /// choice, not the menu; a session that ended or a central that did not answer is handled as anywhere.
    /// A payment's receipt, complete: the central's answer, the customer's name and card as the central's
    /// profile gives them, and the loan and account the payment was made on.
    fn payment_receipt(&self, payment: PaymentDone, context: PaymentContext) -> Document {
        let profile = self.customer.as_ref();
        Document::PaymentReceipt {
            payment,
            masked_card: profile
                .map(|profile| profile.masked_card.clone())
                .or_else(|| self.masked_card.clone())
                .unwrap_or_default(),
            customer_name: self.customer_name(),
            context,
        }
    }

    fn payment_refused(&mut self, order: Order, accounts: Vec<Account>, failure: Failure) -> Screen {
        match failure {
            Failure::Refused(problem)
                if !problem.code.is_transient()
                    && !matches!(
                        problem.code,
                        ErrorCode::SessionExpired | ErrorCode::SessionRequired | ErrorCode::CardLocked
                    ) =>
            {
                Screen::Payment(Payment::Refused { order, accounts, code: problem.code, message: problem.message })
            }
            failure => self.refusal(failure),
        }
    }

    fn back_to_loan(&self, order: Order) -> Screen {
        let options = payment_options(&order.loan);
        Screen::Payment(Payment::Loan { loans: order.loans, loan: order.loan, options })
    }

    fn check_amount(&self, order: &Order, typed: &str) -> Result<servicaja_core::money::Money, AmountError> {
        let amount = parse_amount(typed, order.loan.currency)?;
        if let Some(limit) = self.config.limit_for(order.loan.currency)
            && amount.amount > limit.amount
        {
            return Err(AmountError::AboveLimit(limit));
        }
        // Defect 5: the option's range (R7) is checked here, before an account is chosen.
        match order.loan.terms(order.option).and_then(|t| t.range) {
            Some(range) if amount.amount < range.min.amount => Err(AmountError::BelowMinimum(range.min)),
            Some(range) if amount.amount > range.max.amount => Err(AmountError::AboveMaximum(range.max)),
            Some(_) => Ok(amount),
            None if amount.amount > order.loan.outstanding_principal.amount => {
                Err(AmountError::AboveOutstanding(order.loan.outstanding_principal))
            }
            None => Ok(amount),
        }
    }

    fn load_debit_accounts(&mut self, order: Order, cx: &mut Cx<'_>) -> Screen {
        let request = self.query(Query::Accounts, cx);
        Screen::Payment(Payment::LoadingAccounts { request, order })
    }

    fn request_quote(
        &mut self,
        order: Order,
        accounts: Vec<crate::contract::Account>,
        debit_account_id: String,
        cx: &mut Cx<'_>,
    ) -> Screen {
        let query = Query::Quote {
            loan_id: order.loan.id.clone(),
            query: QuoteQuery { option: order.option, debit_account_id, amount: order.amount.map(|m| m.amount) },
        };
        let request = self.query(query, cx);
        Screen::Payment(Payment::Quoting { request, order, accounts })
    }
}

/// What the receipt of `payment` says beside the answer, from the loan as listed before it and the debited
/// account among `accounts` (its product and the debit's currency when the account is not among them).
fn payment_context(loan: &Loan, accounts: &[Account], payment: &PaymentDone) -> PaymentContext {
    let account = accounts.iter().find(|account| account.number == payment.account_number);
    PaymentContext {
        loan_product: loan.product_name.clone(),
        installment_before: loan.due_installment.as_ref().map(|due| due.total),
        installments_left_before: Some(loan.installments_total.saturating_sub(loan.installments_paid)),
        account_product_name: account.map_or_else(|| "CTA AHORRO".to_owned(), |account| account.product_name.clone()),
        account_currency: account.map_or(payment.debit.currency, |account| account.currency),
    }
}
