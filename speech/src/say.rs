//! The utterances of each screen and cue: title, what is asked, the numbered options (from the session's
//! own `keypad_choices`, so the number said is the key that works), the figures that matter, errors and
//! what to do next. Secrets are never in here: a clave or a code is a count of digits, a card its last four.

use chrono::{DateTime, Utc};
use servicaja_core::settings::Language;
use servicaja_session::contract::{Account, Loan, Movement, PaymentOption, RequestKind};
use servicaja_session::state::{
    AmountError, Balances, Certificates, CodeEntry, Delivery, DeliveryStage, Enrollment, Identify, IdentifyStep,
    Information, InputError, Internet, Notice, OutOfServiceReason, Payment, Purpose, Requests, Then,
};
use servicaja_session::{
    Action, Choice, Cue, DeliveryChoice, Device, EndReason, InfoTopic, KeypadPage, MenuItem, Paging, Screen, Session,
    Typing,
};

use crate::Utterance;
use crate::document;
use crate::letters::{char_name, letter_keys, spelled};
use crate::words::{self, money};

/// The session's language with the two wordings of one sentence.
#[derive(Clone, Copy)]
pub(crate) struct L(pub Language);

impl L {
    pub(crate) fn t(self, es: &str, en: &str) -> String {
        match self.0 {
            Language::Es => es.to_owned(),
            Language::En => en.to_owned(),
        }
    }
}

/// What to say for `cue`, in the session's language.
pub fn say(session: &Session, cue: Cue, now: DateTime<Utc>) -> Vec<Utterance> {
    let l = L(session.language());
    let mut out = Vec::new();
    match cue {
        Cue::Welcome => {
            out.push(Utterance::new(l.t(
                "Modo de audio activado. Use las teclas numéricas para elegir, Enter para confirmar, Cancelar para volver, Repetir para escuchar de nuevo y Ayuda para conocer las teclas.",
                "Audio mode is on. Use the number keys to choose, Enter to confirm, Cancel to go back, Repeat to hear again and Help to learn the keys.",
            )));
            out.extend(screen(session, now));
        }
        Cue::Screen => out.extend(screen(session, now)),
        Cue::Typed => out.extend(typed(session, l, now)),
        Cue::Help => {
            out.push(Utterance::new(l.t(
                "Teclas: los números eligen una opción o escriben; Enter confirma; Cancelar vuelve atrás y, en el menú, termina la sesión; Borrar borra lo escrito; Repetir repite el mensaje; las teclas de volumen suben y bajan el volumen.",
                "Keys: the numbers choose an option or type; Enter confirms; Cancel goes back and, at the menu, ends the session; Clear erases what was typed; Repeat says the message again; the volume keys raise and lower the volume.",
            )));
            if session.keypad_typing() == Some(Typing::Text) {
                out.push(Utterance::new(letter_keys(l)));
            }
            out.extend(options(session, l));
        }
        Cue::Volume(level) => out.push(Utterance::new(match l.0 {
            Language::Es => format!("Volumen {}", words::cardinal(u64::from(level), l.0)),
            Language::En => format!("Volume {}", words::cardinal(u64::from(level), l.0)),
        })),
        Cue::Countdown => out.push(Utterance::new(countdown(session, l, now))),
        Cue::NoSuchOption => {
            out.push(Utterance::new(l.t("Esa tecla no corresponde a ninguna opción.", "That key is not an option.")));
            out.extend(options(session, l));
        }
        Cue::Page => out.extend(page_turned(session, l)),
        Cue::Erased(c) => out.push(Utterance::new(match l.0 {
            Language::Es => format!("Borrado: {}.", char_name(c, l.0)),
            Language::En => format!("Erased: {}.", char_name(c, l.0)),
        })),
        Cue::Document => match session.screen() {
            Screen::Delivery(delivery) => out.extend(document::read(&delivery.document, l.0)),
            _ => out.extend(screen(session, now)),
        },
        Cue::Ended(reason) => out.extend(goodbye(reason, l.0)),
    }
    out
}

/// The goodbye of a session that ended for `reason`, in `language`: the session is back to its default
/// language by the time it is said, so the shell passes the customer's.
pub fn goodbye(reason: EndReason, language: Language) -> Vec<Utterance> {
    let l = L(language);
    vec![Utterance::new(match reason {
        EndReason::Inactivity => l.t(
            "Su sesión terminó por inactividad. Retire su tarjeta y su documento.",
            "Your session ended because of inactivity. Take your card and your document.",
        ),
        _ => l.t(
            "Su sesión terminó. Retire su tarjeta y su documento. Gracias por usar ServiCaja.",
            "Your session has ended. Take your card and your document. Thank you for using ServiCaja.",
        ),
    })]
}

/// "¿Necesita más tiempo?" with the seconds left.
fn countdown(session: &Session, l: L, now: DateTime<Utc>) -> String {
    let seconds = session.countdown_seconds_left(now).unwrap_or_default().max(0) as u64;
    match l.0 {
        Language::Es => format!(
            "¿Necesita más tiempo? Su sesión terminará en {} segundos. Pulse cualquier tecla para continuar.",
            words::cardinal(seconds, l.0)
        ),
        Language::En => format!(
            "Do you need more time? Your session will end in {} seconds. Press any key to continue.",
            words::cardinal(seconds, l.0)
        ),
    }
}

/// Everything the screen on show says, in order; the countdown first while it covers the screen.
pub fn screen(session: &Session, now: DateTime<Utc>) -> Vec<Utterance> {
    let l = L(session.language());
    let mut lines: Vec<String> = Vec::new();
    if session.countdown_seconds_left(now).is_some() {
        lines.push(countdown(session, l, now));
    }
    body(session, l, now, &mut lines);
    lines.extend(page_position(&session.keypad_page(), l));
    let mut out: Vec<Utterance> = lines.into_iter().filter(|line| !line.is_empty()).map(Utterance::new).collect();
    out.extend(options(session, l));
    out.extend(keys(session, l));
    out
}

fn body(session: &Session, l: L, now: DateTime<Utc>, out: &mut Vec<String>) {
    let lang = l.0;
    match session.screen() {
        Screen::Attract => {
            out.push(l.t("ServiCaja. Bienvenido.", "ServiCaja. Welcome."));
            out.push(l.t(
                "Deslice su tarjeta por el lector, con la banda magnética hacia abajo.",
                "Swipe your card through the reader, magnetic stripe down.",
            ));
        }
        Screen::OutOfService { reasons } => {
            out.push(l.t("ServiCaja fuera de servicio.", "ServiCaja out of service."));
            for reason in reasons {
                out.push(match reason {
                    OutOfServiceReason::HostUnreachable => l.t(
                        "No hay conexión con el sistema central.",
                        "There is no connection with the central system.",
                    ),
                    OutOfServiceReason::Device { device, .. } => {
                        format!("{} {}", device_name(*device, l), l.t("no está disponible.", "is not available."))
                    }
                    OutOfServiceReason::SwitchedOff(reason) => match reason {
                        servicaja_session::SwitchOffReason::Maintenance => {
                            l.t("Mantenimiento programado.", "Scheduled maintenance.")
                        }
                        servicaja_session::SwitchOffReason::PrinterFault => {
                            l.t("Falla de la impresora.", "Printer fault.")
                        }
                        servicaja_session::SwitchOffReason::ConnectionFault => {
                            l.t("Falla de conexión.", "Connection fault.")
                        }
                        servicaja_session::SwitchOffReason::Other(text) => text.clone(),
                    },
                    OutOfServiceReason::Maintenance => l.t("En mantenimiento.", "Under maintenance."),
                    OutOfServiceReason::Storage(_) => {
                        l.t("No puede registrar operaciones ahora.", "It cannot record operations now.")
                    }
                });
            }
            out.push(l.t(
                "Puede consultar información o registrar una solicitud.",
                "You may read information or file a request.",
            ));
        }
        Screen::Identify(Identify { purpose, step }) => {
            if *purpose == Purpose::Enrollment {
                out.push(l.t(
                    "Crear su clave. Identifíquese con su tarjeta y su DNI.",
                    "Create your PIN. Identify yourself with your card and your ID.",
                ));
            }
            match step {
                IdentifyStep::Card { keyed, typed, error } => {
                    if *keyed {
                        out.push(l.t(
                            "Ingrese el número de su tarjeta y pulse Enter.",
                            "Type your card number and press Enter.",
                        ));
                        out.push(words::digits_entered(*typed, lang));
                    } else {
                        out.push(l.t(
                            "Deslice su tarjeta por el lector, con la banda magnética hacia abajo.",
                            "Swipe your card through the reader, magnetic stripe down.",
                        ));
                    }
                    out.extend(error.as_ref().map(|e| input_error(e, l)));
                }
                IdentifyStep::Dni { masked_card, keyed, typed, error } => {
                    out.push(capitalized_card(masked_card, lang));
                    if *keyed {
                        out.push(l.t(
                            "Ingrese los ocho dígitos de su DNI y su dígito de verificación, y pulse Enter.",
                            "Type the eight digits of your ID and its check digit, and press Enter.",
                        ));
                        if !typed.is_empty() {
                            out.push(format!("{} {}", l.t("Ingresó", "You typed"), words::digits(typed, lang)));
                        }
                    } else {
                        out.push(l.t(
                            "Coloque su DNI en el lector de documentos.",
                            "Place your ID card on the document reader.",
                        ));
                    }
                    out.extend(error.as_ref().map(|e| input_error(e, l)));
                }
                IdentifyStep::Clave { masked_card, entered, attempts_left, .. } => {
                    out.push(capitalized_card(masked_card, lang));
                    out.push(l.t(
                        "Ingrese su clave de seis dígitos con las teclas numéricas y pulse Enter.",
                        "Type your six-digit PIN on the number keys and press Enter.",
                    ));
                    out.push(words::digits_entered(*entered, lang));
                    if let Some(left) = attempts_left {
                        out.push(match lang {
                            Language::Es => format!(
                                "Clave incorrecta. Le quedan {}.",
                                words::count(*left as usize, "intento", "intentos", "", "", lang)
                            ),
                            Language::En => format!(
                                "Wrong PIN. {} left.",
                                words::count(*left as usize, "", "", "attempt", "attempts", lang)
                            ),
                        });
                    }
                }
                IdentifyStep::Verifying { .. } => out.push(wait(l)),
            }
        }
        Screen::Menu => {
            let name = session.customer().map(|c| c.name.clone()).unwrap_or_default();
            out.push(format!("{} {name}. {}", l.t("Hola", "Hello"), l.t("Menú principal.", "Main menu.")));
        }
        Screen::Balances(step) => {
            out.push(l.t("Consultar saldos.", "Balances."));
            match step {
                Balances::Loading { .. } | Balances::LoadingMovements { .. } => out.push(wait(l)),
                Balances::Accounts { accounts } => {
                    out.push(match lang {
                        Language::Es => {
                            format!("Tiene {}.", words::count(accounts.len(), "cuenta", "cuentas", "", "", lang))
                        }
                        Language::En => {
                            format!("You have {}.", words::count(accounts.len(), "", "", "account", "accounts", lang))
                        }
                    });
                    out.push(l.t(
                        "Elija una cuenta para escuchar sus movimientos.",
                        "Choose an account to hear its movements.",
                    ));
                }
                Balances::Movements { account, movements, .. } => {
                    out.push(format!(
                        "{}. {} {}.",
                        words::capitalized(&account_name(account, lang)),
                        l.t("Saldo:", "Balance:"),
                        money(account.balance, lang)
                    ));
                    out.push(match (lang, movements.len()) {
                        (_, 0) => l.t("No tiene movimientos.", "No movements."),
                        (_, 1) => l.t("Último movimiento:", "Last movement:"),
                        (Language::Es, n) => format!("Últimos {} movimientos:", words::cardinal(n as u64, lang)),
                        (Language::En, n) => format!("Last {} movements:", words::cardinal(n as u64, lang)),
                    });
                    out.extend(movement_lines(movements, &session.keypad_page(), l));
                }
            }
        }
        Screen::Payment(step) => payment(step, l, now, out),
        Screen::Internet(step) => internet(step, l, now, out),
        Screen::Certificates(step) => {
            out.push(l.t("Constancia de no adeudo.", "No-debt certificate."));
            match step {
                Certificates::Loading { .. } | Certificates::Processing { .. } => out.push(wait(l)),
                Certificates::Choose { loans, selected, refused } => {
                    out.push(l.t(
                        "Elija los créditos cancelados con su número y pulse Enter para emitir la constancia.",
                        "Choose the cancelled loans by their number and press Enter to issue the certificate.",
                    ));
                    let chosen = selected.iter().filter(|s| **s).count();
                    out.push(match lang {
                        Language::Es => {
                            format!("{} elegidos.", words::count(chosen, "crédito", "créditos", "", "", lang))
                        }
                        Language::En => format!("{} chosen.", words::count(chosen, "", "", "loan", "loans", lang)),
                    });
                    if let Some((_, message)) = refused {
                        out.push(format!("{} {message}", l.t("No se pudo emitir:", "It could not be issued:")));
                    }
                    if loans.is_empty() {
                        out.push(l.t("No tiene créditos.", "You have no loans."));
                    }
                }
                Certificates::Done { certificate } => {
                    out.push(l.t("Constancia emitida.", "Certificate issued."));
                    out.push(format!(
                        "{} {}.",
                        l.t("Número de constancia:", "Certificate number:"),
                        words::digits(&certificate.certificate_number, lang)
                    ));
                    out.push(l.t("Pulse Enter para recibirla.", "Press Enter to receive it."));
                }
            }
        }
        Screen::Requests(step) => {
            out.push(l.t("Solicitudes.", "Requests."));
            match step {
                Requests::Choose { offline } => {
                    if *offline {
                        out.push(l.t(
                            "Puede registrar su solicitud con su DNI; la enviaremos cuando el sistema esté disponible.",
                            "You may file your request with your ID; it will be sent when the system is available.",
                        ));
                    } else {
                        out.push(l.t(
                            "Su solicitud se atiende en 15 días hábiles.",
                            "Your request is answered within 15 business days.",
                        ));
                    }
                }
                Requests::Dni { kind, typed, error } => {
                    out.push(request_kind(*kind, l));
                    out.push(l.t(
                        "Ingrese los ocho dígitos de su DNI y su dígito de verificación, y pulse Enter.",
                        "Type the eight digits of your ID and its check digit, and press Enter.",
                    ));
                    if !typed.is_empty() {
                        out.push(format!("{} {}", l.t("Ingresó", "You typed"), words::digits(typed, lang)));
                    }
                    out.extend(error.as_ref().map(|e| input_error(e, l)));
                }
                Requests::Confirm { kind, detail } => {
                    out.push(request_kind(*kind, l));
                    out.push(l.t(
                        "Si desea, escriba un detalle de su solicitud; el 0 pone un espacio entre palabras.",
                        "If you wish, type a detail of your request; 0 puts a space between words.",
                    ));
                    out.push(letter_keys(l));
                    if !detail.is_empty() {
                        out.push(format!("{} {detail}.", l.t("Detalle:", "Detail:")));
                    }
                    out.push(l.t("Pulse Enter para registrar su solicitud.", "Press Enter to file your request."));
                }
                Requests::Processing { .. } => out.push(wait(l)),
                Requests::Filed { ticket } => {
                    out.push(l.t("Solicitud registrada.", "Request filed."));
                    out.push(format!(
                        "{} {}.",
                        l.t("Número de solicitud:", "Request number:"),
                        words::digits(&ticket.ticket_number, lang)
                    ));
                    out.push(format!(
                        "{} {}.",
                        l.t("Le responderemos hasta el", "We will answer by"),
                        words::date(ticket.deadline, lang)
                    ));
                    out.push(l.t("Pulse Enter para recibir su constancia.", "Press Enter to receive your ticket."));
                }
            }
        }
        Screen::Enrollment(step) => {
            out.push(l.t("Crear su clave.", "Create your PIN."));
            match step {
                Enrollment::Starting { .. } | Enrollment::Checking { .. } | Enrollment::Setting { .. } => {
                    out.push(wait(l))
                }
                Enrollment::Questions { questions, answers, current, attempts_left, .. } => {
                    if let Some(left) = attempts_left {
                        out.push(match lang {
                            Language::Es => format!(
                                "Alguna respuesta no es correcta. Le quedan {}.",
                                words::count(*left as usize, "intento", "intentos", "", "", lang)
                            ),
                            Language::En => format!(
                                "An answer is not right. {} left.",
                                words::count(*left as usize, "", "", "attempt", "attempts", lang)
                            ),
                        });
                    }
                    out.push(match lang {
                        Language::Es => format!("Pregunta {} de {}.", current + 1, questions.len()),
                        Language::En => format!("Question {} of {}.", current + 1, questions.len()),
                    });
                    if let Some(question) = questions.get(*current) {
                        out.push(question.text.clone());
                    }
                    if answers.iter().all(Option::is_some) {
                        out.push(l.t(
                            "Todas las preguntas tienen respuesta: pulse Enter para enviarlas.",
                            "Every question is answered: press Enter to send them.",
                        ));
                    } else if current + 1 < questions.len() {
                        out.push(l.t(
                            "Para pasar a la siguiente pregunta, pulse Enter.",
                            "To go on to the next question, press Enter.",
                        ));
                    }
                }
                Enrollment::NewClave { confirming, entered, error, .. } => {
                    out.push(if *confirming {
                        l.t("Ingrese otra vez su nueva clave y pulse Enter.", "Type your new PIN again and press Enter.")
                    } else {
                        l.t(
                            "Ingrese su nueva clave de seis dígitos y pulse Enter. No use fechas ni números seguidos o repetidos.",
                            "Type your new six-digit PIN and press Enter. Do not use dates or consecutive or repeated digits.",
                        )
                    });
                    out.push(words::digits_entered(*entered, lang));
                    out.extend(error.as_ref().map(|e| input_error(e, l)));
                }
                Enrollment::Code { entry, .. } => code(entry, l, now, out),
            }
        }
        Screen::Information(step) => {
            out.push(l.t("Información.", "Information."));
            match step {
                Information::Topics => {}
                Information::Table(topic) => {
                    out.push(info_topic(*topic, l));
                    out.push(l.t(
                        "Esta tabla se muestra en pantalla y está disponible en ventanilla.",
                        "This table is shown on the screen and is available at the counter.",
                    ));
                }
                Information::Calculator { topic, typed, value, result, error } => {
                    out.push(info_topic(*topic, l));
                    out.push(
                        l.t("Ingrese el valor en soles y pulse Enter.", "Type the value in soles and press Enter."),
                    );
                    if !typed.is_empty() {
                        out.push(format!("{} {}", l.t("Ingresó", "You typed"), typed_amount(typed, lang)));
                    }
                    if let Some(value) = value {
                        out.push(format!("{} {}.", l.t("Valor:", "Value:"), money(*value, lang)));
                        match result {
                            Some(lookup) => out.extend(lookup_lines(lookup, l)),
                            None => out.push(l.t("No hay tablas configuradas.", "No tables are configured.")),
                        }
                    }
                    out.extend(error.as_ref().map(|e| input_error(e, l)));
                }
            }
        }
        Screen::Delivery(delivery) => delivery_body(delivery, l, out),
        Screen::Notice { notice, then } => {
            out.push(notice_text(notice, l));
            if *then == Then::Another {
                out.push(l.t("¿Desea realizar otra operación?", "Would you like another operation?"));
            }
        }
    }
}

fn payment(step: &Payment, l: L, _now: DateTime<Utc>, out: &mut Vec<String>) {
    let lang = l.0;
    out.push(l.t("Pagar cuotas.", "Pay installments."));
    match step {
        Payment::LoadingLoans { .. }
        | Payment::LoadingAccounts { .. }
        | Payment::Quoting { .. }
        | Payment::Processing { .. } => out.push(wait(l)),
        Payment::Loans { loans } => {
            out.push(match lang {
                Language::Es => format!(
                    "Tiene {}. Elija el crédito a pagar.",
                    words::count(loans.len(), "crédito", "créditos", "", "", lang)
                ),
                Language::En => format!(
                    "You have {}. Choose the loan to pay.",
                    words::count(loans.len(), "", "", "loan", "loans", lang)
                ),
            });
        }
        Payment::NotPayable { loan, .. } => {
            out.push(format!("{}.", words::capitalized(&loan_name(loan, lang))));
            out.push(l.t("Este crédito no se puede pagar en ServiCaja.", "This loan cannot be paid at ServiCaja."));
            out.extend(loan.kiosk_refusal.clone());
            out.push(l.t("Pulse Enter para volver a sus créditos.", "Press Enter to go back to your loans."));
        }
        Payment::Loan { loan, options, .. } => {
            out.push(format!("{}.", words::capitalized(&loan_name(loan, lang))));
            if let Some(due) = &loan.due_installment {
                out.push(match lang {
                    Language::Es => format!(
                        "Cuota exigible: {}, vence el {}.",
                        money(due.outstanding, lang),
                        words::date(due.due_date, lang)
                    ),
                    Language::En => format!(
                        "Installment due: {}, due on {}.",
                        money(due.outstanding, lang),
                        words::date(due.due_date, lang)
                    ),
                });
            }
            if loan.overdue_installments > 0 {
                out.push(match lang {
                    Language::Es => format!(
                        "Tiene {} vencidas por {}.",
                        words::count(loan.overdue_installments as usize, "cuota", "cuotas", "", "", lang)
                            .replace("un cuota", "una cuota"),
                        money(loan.overdue_amount, lang)
                    ),
                    Language::En => format!(
                        "You have {} overdue for {}.",
                        words::count(loan.overdue_installments as usize, "", "", "installment", "installments", lang),
                        money(loan.overdue_amount, lang)
                    ),
                });
            }
            if options.iter().any(|(_, possible)| !possible) {
                out.push(l.t(
                    "Primero debe pagar sus cuotas vencidas para las otras opciones.",
                    "Pay your overdue installments first for the other options.",
                ));
            }
            out.push(l.t("Elija cómo desea pagar.", "Choose how to pay."));
        }
        Payment::Installments { order, .. } => {
            out.push(format!("{}.", words::capitalized(&loan_name(&order.loan, lang))));
            out.push(
                l.t("¿Cuántas cuotas desea adelantar?", "How many installments would you like to pay in advance?"),
            );
        }
        Payment::Amount { order, typed, error } => {
            out.push(option_name(order.option, l));
            out.push(l.t(
                "Ingrese el monto con las teclas numéricas, con el punto para los céntimos, y pulse Enter.",
                "Type the amount on the number keys, with the point for cents, and press Enter.",
            ));
            if let Some(range) = order.loan.terms(order.option).and_then(|t| t.range) {
                out.push(match lang {
                    Language::Es => format!("Desde {} hasta {}.", money(range.min, lang), money(range.max, lang)),
                    Language::En => format!("From {} to {}.", money(range.min, lang), money(range.max, lang)),
                });
            }
            if !typed.is_empty() {
                out.push(format!("{} {}", l.t("Ingresó", "You typed"), typed_amount(typed, lang)));
            }
            out.extend(error.as_ref().map(|e| input_error(e, l)));
        }
        Payment::Accounts { order, accounts } => {
            if let Some(charge) = order.charge() {
                out.push(format!("{} {}.", l.t("Monto a pagar:", "Amount to pay:"), money(charge, lang)));
            }
            out.push(match lang {
                Language::Es => format!(
                    "Elija la cuenta de la que se debitará. Tiene {}.",
                    words::count(accounts.len(), "cuenta", "cuentas", "", "", lang)
                ),
                Language::En => format!(
                    "Choose the account to debit. You have {}.",
                    words::count(accounts.len(), "", "", "account", "accounts", lang)
                ),
            });
        }
        Payment::Summary { order, quote, accounts } => {
            out.push(l.t("Resumen del pago.", "Payment summary."));
            out.push(format!("{}.", words::capitalized(&loan_name(&order.loan, lang))));
            out.push(format!(
                "{}. {} {}.",
                option_name(quote.option, l),
                l.t("Monto:", "Amount:"),
                money(quote.amount, lang)
            ));
            if let Some(account) = accounts.iter().find(|a| a.id == quote.debit_account_id) {
                out.push(format!(
                    "{} {}.",
                    l.t("Se debitará de", "It will be debited from"),
                    account_name(account, lang)
                ));
            }
            if let Some(exchange) = &quote.exchange {
                out.push(format!(
                    "{} {}.",
                    l.t("Tipo de cambio:", "Exchange rate:"),
                    words::exchange_rate(exchange.rate, lang)
                ));
            }
            if quote.debit != quote.amount || quote.exchange.is_some() {
                out.push(format!("{} {}.", l.t("Monto a debitar:", "Amount debited:"), money(quote.debit, lang)));
            }
            if quote.cancels_loan {
                out.push(l.t("Este pago cancela su crédito.", "This payment pays off your loan."));
            }
            out.push(
                l.t("Pulse Enter para pagar, o Cancelar para volver.", "Press Enter to pay, or Cancel to go back."),
            );
        }
        Payment::Done { payment, .. } => {
            out.push(l.t("Pago realizado.", "Payment done."));
            out.push(format!("{} {}.", l.t("Monto pagado:", "Amount paid:"), money(payment.amount, lang)));
            out.push(format!(
                "{} {}.",
                l.t("Número de operación:", "Operation number:"),
                words::digits(&payment.operation_number, lang)
            ));
            if let Some(next) = &payment.next_installment {
                out.push(match lang {
                    Language::Es => format!(
                        "Su próxima cuota es de {} y vence el {}.",
                        money(next.amount, lang),
                        words::date(next.due_date, lang)
                    ),
                    Language::En => format!(
                        "Your next installment is {} due on {}.",
                        money(next.amount, lang),
                        words::date(next.due_date, lang)
                    ),
                });
            }
            if payment.loan_cancelled {
                out.push(l.t("Su crédito quedó cancelado.", "Your loan is paid off."));
            }
            out.push(l.t("Pulse Enter para recibir su comprobante.", "Press Enter to receive your receipt."));
        }
        Payment::Refused { message, .. } => {
            out.push(l.t("No se pudo realizar el pago.", "The payment could not be made."));
            out.push(message.clone());
            out.push(l.t(
                "Pulse Enter para elegir otra cuenta, o Cancelar para ir al menú.",
                "Press Enter to choose another account, or Cancel to go to the menu.",
            ));
        }
    }
}

fn internet(step: &Internet, l: L, now: DateTime<Utc>, out: &mut Vec<String>) {
    let lang = l.0;
    out.push(l.t("Compras por Internet.", "Internet purchases."));
    match step {
        Internet::Loading { .. } | Internet::RequestingCode { .. } | Internet::Processing { .. } => out.push(wait(l)),
        Internet::Menu { affiliated, .. } => {
            out.push(match affiliated {
                Some(account) => {
                    format!("{} {}.", l.t("Cuenta afiliada:", "Affiliated account:"), account_name(account, lang))
                }
                None => l.t("No tiene una cuenta afiliada.", "You have no affiliated account."),
            });
        }
        Internet::AlreadyAffiliated { account, .. } => {
            out.push(format!(
                "{} {}.",
                l.t(
                    "Solo puede afiliar una cuenta a la vez. Ya está afiliada",
                    "Only one account at a time. Already affiliated:"
                ),
                account_name(account, lang)
            ));
            out.push(l.t("Pulse Enter para volver.", "Press Enter to go back."));
        }
        Internet::ChooseAccount { eligible, selected, .. } => {
            out.push(
                l.t("Elija la cuenta a afiliar y pulse Enter.", "Choose the account to affiliate and press Enter."),
            );
            if let Some(account) = selected.and_then(|i| eligible.get(i)) {
                out.push(format!("{} {}.", l.t("Elegida:", "Chosen:"), account_name(account, lang)));
            }
        }
        Internet::Consent { account, ticked, .. } => {
            out.push(account_name(account, lang));
            out.push(l.t(
                "Para desafiliarse, confirme: deseo desafiliarme del servicio de Compras por Internet.",
                "To disaffiliate, confirm: I wish to leave the Internet purchases service.",
            ));
            out.push(if *ticked {
                l.t("Confirmado. Pulse Enter para continuar.", "Confirmed. Press Enter to continue.")
            } else {
                l.t("Aún no confirmado.", "Not confirmed yet.")
            });
        }
        Internet::Code { entry, .. } => code(entry, l, now, out),
        Internet::Done { constancia } => {
            out.push(match constancia.operation {
                servicaja_session::contract::AffiliationOperation::Affiliation => {
                    l.t("Afiliación realizada.", "Affiliation done.")
                }
                servicaja_session::contract::AffiliationOperation::Disaffiliation => {
                    l.t("Desafiliación realizada.", "Disaffiliation done.")
                }
            });
            out.push(format!(
                "{} {}.",
                l.t("Número de operación:", "Operation number:"),
                words::digits(&constancia.operation_number, lang)
            ));
            out.push(l.t("Pulse Enter para recibir su constancia.", "Press Enter to receive your certificate."));
        }
    }
}

fn code(entry: &CodeEntry, l: L, now: DateTime<Utc>, out: &mut Vec<String>) {
    let lang = l.0;
    out.push(match lang {
        Language::Es => format!(
            "Enviamos un código por SMS a su celular terminado en {}. Ingréselo y pulse Enter. Vence en {}.",
            words::visible_tail(&entry.masked_phone, lang),
            words::count(entry.valid_minutes.max(0) as usize, "minuto", "minutos", "", "", lang)
        ),
        Language::En => format!(
            "We sent a code by text message to your phone ending in {}. Type it and press Enter. It expires in {}.",
            words::visible_tail(&entry.masked_phone, lang),
            words::count(entry.valid_minutes.max(0) as usize, "", "", "minute", "minutes", lang)
        ),
    });
    out.push(words::digits_entered(entry.entered, lang));
    if entry.resend_seconds_left(now) == Some(0) && entry.resending.is_none() {
        out.push(l.t(
            "Para recibir un nuevo código, pulse Enter sin ingresar dígitos.",
            "For a new code, press Enter without typing digits.",
        ));
    }
    if let Some(error) = &entry.error {
        out.push(input_error(error, l));
    }
}

fn delivery_body(delivery: &Delivery, l: L, out: &mut Vec<String>) {
    match &delivery.stage {
        DeliveryStage::Choose => {
            out.push(l.t("¿Cómo desea recibir su constancia?", "How would you like to receive your receipt?"));
            if !delivery.printer_ready {
                out.push(l.t(
                    "La impresora no tiene papel o no está disponible. Puede recibirla por correo.",
                    "The printer has no paper or is not available. You can receive it by e-mail.",
                ));
            }
        }
        DeliveryStage::Printing { .. } => out.push(l.t("Imprimiendo. Por favor espere.", "Printing. Please wait.")),
        DeliveryStage::PrinterFailed => {
            out.push(l.t("No se pudo imprimir.", "It could not be printed."));
            out.push(l.t(
                "Su operación sí se realizó. Puede recibir la constancia por correo o verla en pantalla.",
                "Your operation was done. You can receive the receipt by e-mail or see it on the screen.",
            ));
        }
        DeliveryStage::EmailChoice { masked } => {
            out.push(l.t("¿A qué correo le enviamos la constancia?", "Which e-mail should we send it to?"));
            out.push(format!("{} {masked}.", l.t("Su correo registrado es", "Your registered e-mail is")));
        }
        DeliveryStage::Email { typed, error } => {
            out.push(l.t("Escriba su correo electrónico.", "Type your e-mail address."));
            out.push(letter_keys(l));
            if typed.is_empty() {
                out.push(l.t("Aún no ha escrito nada.", "Nothing typed yet."));
            } else {
                out.push(format!("{} {}.", l.t("Escribió:", "You typed:"), spelled(typed, l.0)));
            }
            out.extend(error.as_ref().map(|e| input_error(e, l)));
            out.push(l.t("Pulse Enter para enviarla a ese correo.", "Press Enter to send it to that address."));
        }
        DeliveryStage::PreparingQr { .. } => out.push(wait(l)),
        DeliveryStage::Qr { .. } => {
            out.push(l.t(
                "El código QR de su constancia está en pantalla. Pulse Enter cuando termine.",
                "The QR code of your receipt is on the screen. Press Enter when you are done.",
            ));
        }
    }
}

/// "Para pagar cuotas, pulse 1. Para consultar saldos, pulse 2…": the session's own numbered choices, those
/// of the page on show for a long list, then how to turn the page.
fn options(session: &Session, l: L) -> Vec<Utterance> {
    let page = session.keypad_page();
    let mut out: Vec<Utterance> = page
        .choices
        .iter()
        .map(|(key, choice)| {
            // The other language is offered in that language, so its speakers understand the offer (and
            // in its voice: a Spanish voice reads "press 5" as "press cinco").
            if let Choice::Act(Action::SetLanguage(language)) = choice {
                let offer = match language {
                    Language::Es => format!("Para español, pulse {key}."),
                    Language::En => format!("For English, press {key}."),
                };
                return Utterance::in_language(offer, *language);
            }
            let what = choice_text(session, choice, l);
            Utterance::new(match l.0 {
                Language::Es => format!("Para {what}, pulse {key}."),
                Language::En => format!("To {what}, press {key}."),
            })
        })
        .collect();
    out.extend(page_turns(&page, l));
    out
}

/// "Página 1 de 2." for a long list, said before its options.
fn page_position(page: &KeypadPage, l: L) -> Option<String> {
    let lang = l.0;
    match page.paging {
        Paging::Options if page.pages > 1 => Some(match lang {
            Language::Es => format!(
                "Página {} de {}.",
                words::cardinal(page.page as u64 + 1, lang),
                words::cardinal(page.pages as u64, lang)
            ),
            Language::En => format!(
                "Page {} of {}.",
                words::cardinal(page.page as u64 + 1, lang),
                words::cardinal(page.pages as u64, lang)
            ),
        }),
        _ => None,
    }
}

/// How to reach the rest of a long list: 9 for the next page (from the last, the first), 0 for the previous.
fn page_turns(page: &KeypadPage, l: L) -> Vec<Utterance> {
    if page.pages < 2 {
        return Vec::new();
    }
    let last = page.page + 1 == page.pages;
    let (next, previous) = match (page.paging, last) {
        (Paging::Options, false) => (
            l.t("Para más opciones, pulse 9.", "For more options, press 9."),
            l.t("Para las opciones anteriores, pulse 0.", "For the previous options, press 0."),
        ),
        (Paging::Options, true) => (
            l.t("Para volver a las primeras opciones, pulse 9.", "To go back to the first options, press 9."),
            l.t("Para las opciones anteriores, pulse 0.", "For the previous options, press 0."),
        ),
        (Paging::Movements { .. }, false) => (
            l.t("Para escuchar más movimientos, pulse 9.", "To hear more movements, press 9."),
            l.t("Para los movimientos anteriores, pulse 0.", "For the previous movements, press 0."),
        ),
        (Paging::Movements { .. }, true) => (
            l.t("Para volver a los primeros movimientos, pulse 9.", "To go back to the first movements, press 9."),
            l.t("Para los movimientos anteriores, pulse 0.", "For the previous movements, press 0."),
        ),
    };
    let mut out = vec![Utterance::new(next)];
    if page.page > 0 {
        out.push(Utterance::new(previous));
    }
    out
}

/// A page turned: where the customer is now, what this page holds, and its options.
fn page_turned(session: &Session, l: L) -> Vec<Utterance> {
    let page = session.keypad_page();
    let mut out = Vec::new();
    match (page.paging, session.screen()) {
        (Paging::Movements { .. }, Screen::Balances(Balances::Movements { movements, .. })) => {
            out.extend(movement_lines(movements, &page, l).into_iter().map(Utterance::new));
        }
        _ => out.extend(page_position(&page, l).map(Utterance::new)),
    }
    out.extend(options(session, l));
    out
}

/// The movements of the page on show: which ones of how many, then each with its date and amount.
fn movement_lines(movements: &[Movement], page: &KeypadPage, l: L) -> Vec<String> {
    let lang = l.0;
    let mut out = Vec::new();
    let (from, to) = match page.paging {
        Paging::Movements { from, to, .. } => (from, to),
        Paging::Options => (0, movements.len()),
    };
    if page.pages > 1 {
        out.push(match lang {
            Language::Es => format!(
                "Movimientos {} a {} de {}:",
                words::cardinal(from as u64 + 1, lang),
                words::cardinal(to as u64, lang),
                words::cardinal(movements.len() as u64, lang)
            ),
            Language::En => format!(
                "Movements {} to {} of {}:",
                words::cardinal(from as u64 + 1, lang),
                words::cardinal(to as u64, lang),
                words::cardinal(movements.len() as u64, lang)
            ),
        });
    }
    for movement in movements.iter().skip(from).take(to.saturating_sub(from)) {
        out.push(format!(
            "{}: {}, {}.",
            words::date(servicaja_core::calendar::lima_time(movement.at).date_naive(), lang),
            movement.description,
            money(movement.amount, lang)
        ));
    }
    out
}

/// What a screen takes from the keys besides its options: Enter and Cancel, said where they do something.
fn keys(session: &Session, l: L) -> Vec<Utterance> {
    match session.screen() {
        Screen::Menu => vec![Utterance::new(l.t("Para terminar, pulse Cancelar.", "To finish, press Cancel."))],
        Screen::Notice { then, .. } if *then != Then::Another => {
            vec![Utterance::new(l.t("Pulse Enter para continuar.", "Press Enter to continue."))]
        }
        Screen::Balances(Balances::Movements { .. }) | Screen::Information(Information::Table(_)) => {
            vec![Utterance::new(l.t("Para volver, pulse Cancelar.", "To go back, press Cancel."))]
        }
        _ => Vec::new(),
    }
}

fn choice_text(session: &Session, choice: &Choice, l: L) -> String {
    let lang = l.0;
    let action = match choice {
        Choice::ReadDocument => return l.t("escuchar su constancia", "hear your receipt"),
        Choice::Act(action) => *action,
    };
    match action {
        Action::Confirm => match session.screen() {
            Screen::Attract => l.t("comenzar con su tarjeta", "start with your card"),
            Screen::Notice { .. } => l.t("realizar otra operación", "do another operation"),
            Screen::Delivery(_) => l.t("enviarla a su correo registrado", "send it to your registered e-mail"),
            _ => l.t("confirmar", "confirm"),
        },
        Action::Back => match session.screen() {
            Screen::Notice { .. } => l.t("terminar", "finish"),
            _ => l.t("volver", "go back"),
        },
        Action::CreateClave => l.t("crear su clave", "create your PIN"),
        Action::TypeInstead => match session.screen() {
            Screen::Delivery(_) => l.t("escribir otro correo con las teclas", "type another e-mail on the keys"),
            Screen::Identify(Identify { step: IdentifyStep::Dni { .. }, .. }) => {
                l.t("ingresar su DNI con las teclas", "type your ID number")
            }
            _ => l.t("ingresar el número de su tarjeta con las teclas", "type your card number"),
        },
        Action::Menu(item) => match item {
            MenuItem::PayLoans => l.t("pagar cuotas", "pay installments"),
            MenuItem::Balances => l.t("consultar saldos", "check balances"),
            MenuItem::InternetPurchases => l.t("compras por internet", "internet purchases"),
            MenuItem::Certificates => l.t("pedir una constancia de no adeudo", "get a no-debt certificate"),
            MenuItem::Requests => l.t("registrar una solicitud", "file a request"),
            MenuItem::Information => l.t("escuchar información de la caja", "hear the caja's information"),
        },
        Action::Select(i) => match session.screen() {
            Screen::Balances(Balances::Accounts { accounts }) | Screen::Payment(Payment::Accounts { accounts, .. }) => {
                accounts
                    .get(i)
                    .map(|a| format!("{} {}", l.t("la", "the"), account_with_balance(a, lang)))
                    .unwrap_or_default()
            }
            Screen::Internet(Internet::ChooseAccount { eligible, .. }) => {
                eligible.get(i).map(|a| format!("{} {}", l.t("la", "the"), account_name(a, lang))).unwrap_or_default()
            }
            Screen::Payment(Payment::Loans { loans }) => loans
                .get(i)
                .map(|loan| format!("{} {}", l.t("el", "choose the"), loan_name(loan, lang)))
                .unwrap_or_default(),
            Screen::Payment(Payment::Installments { choices, .. }) => match (i, choices.get(i)) {
                (0, Some(cost)) => {
                    format!("{}, {}", l.t("adelantar una cuota", "pay one installment ahead"), money(*cost, lang))
                }
                (_, Some(cost)) => {
                    format!("{}, {}", l.t("adelantar dos cuotas", "pay two installments ahead"), money(*cost, lang))
                }
                _ => String::new(),
            },
            Screen::Certificates(Certificates::Choose { loans, selected, .. }) => match loans.get(i) {
                Some(loan) => {
                    let state = match (
                        selected.get(i).copied().unwrap_or(false),
                        loan.status == servicaja_session::contract::LoanStatus::Cancelled,
                    ) {
                        (true, _) => l.t("elegido", "chosen"),
                        (false, true) => l.t("cancelado", "paid off"),
                        (false, false) => l.t("vigente, no se puede elegir", "still open, cannot be chosen"),
                    };
                    format!("{} {}, {state}", l.t("elegir el", "choose the"), loan_name(loan, lang))
                }
                None => String::new(),
            },
            _ => l.t("elegir", "choose"),
        },
        Action::PaymentOption(option) => option_name(option, l).to_lowercase(),
        Action::Deliver(choice) => match choice {
            DeliveryChoice::Print => l.t("imprimir", "print"),
            DeliveryChoice::Email => l.t("enviar por correo", "send by e-mail"),
            DeliveryChoice::Both => l.t("imprimir y enviar por correo", "print and send by e-mail"),
            DeliveryChoice::None => l.t("no recibirla", "not receive it"),
        },
        Action::ShowQr => l.t("ver el código QR en pantalla", "see the QR code on the screen"),
        Action::ToggleConsent => l.t("confirmar que desea desafiliarse", "confirm that you wish to leave"),
        Action::Affiliate => l.t("afiliar una cuenta", "affiliate an account"),
        Action::Disaffiliate => l.t("desafiliar su cuenta", "disaffiliate your account"),
        Action::AllLoans => l.t("pedir la constancia de todos sus créditos", "get the certificate for all your loans"),
        Action::RequestKind(kind) => request_kind(kind, l).to_lowercase(),
        Action::InfoTopic(topic) => info_topic(topic, l).to_lowercase(),
        Action::Answer(i) => match session.screen() {
            Screen::Enrollment(Enrollment::Questions { questions, current, .. }) => {
                let option = questions.get(*current).and_then(|q| q.options.get(i)).cloned().unwrap_or_default();
                format!("{} {option}", l.t("responder", "answer"))
            }
            _ => l.t("responder", "answer"),
        },
        Action::Key(_)
        | Action::Terminate
        | Action::MoreTime
        | Action::SetLanguage(_)
        | Action::SetHighContrast(_)
        | Action::SetLargeText(_)
        | Action::ResendCode => l.t("continuar", "continue"),
    }
}

/// What was typed, said back: a count for secrets, the figures otherwise.
fn typed(session: &Session, l: L, now: DateTime<Utc>) -> Vec<Utterance> {
    let lang = l.0;
    let text = match (session.keypad_typing(), session.screen()) {
        (None, _) => return screen(session, now),
        (Some(Typing::Secret), screen) => words::digits_entered(secret_count(screen), lang),
        (Some(Typing::Plain), Screen::Payment(Payment::Amount { typed, .. }))
        | (Some(Typing::Plain), Screen::Information(Information::Calculator { typed, .. })) => {
            if typed.is_empty() {
                l.t("Borrado.", "Cleared.")
            } else {
                typed_amount(typed, lang)
            }
        }
        (Some(Typing::Plain), Screen::Identify(Identify { step: IdentifyStep::Dni { typed, .. }, .. }))
        | (Some(Typing::Plain), Screen::Requests(Requests::Dni { typed, .. })) => {
            if typed.is_empty() {
                l.t("Borrado.", "Cleared.")
            } else {
                words::digits(typed, lang)
            }
        }
        // A text typed letter by letter: the letter just typed (or changed by another press of its key).
        (Some(Typing::Text), Screen::Delivery(Delivery { stage: DeliveryStage::Email { typed: text, .. }, .. }))
        | (Some(Typing::Text), Screen::Requests(Requests::Confirm { detail: text, .. })) => match text.chars().last() {
            Some(c) => char_name(c, lang),
            None => l.t("Nada escrito.", "Nothing typed."),
        },
        (Some(Typing::Plain | Typing::Text), _) => String::new(),
    };
    vec![Utterance::new(text)]
}

fn secret_count(screen: &Screen) -> usize {
    match screen {
        Screen::Identify(Identify { step: IdentifyStep::Card { typed, .. }, .. }) => *typed,
        Screen::Identify(Identify { step: IdentifyStep::Clave { entered, .. }, .. }) => *entered,
        Screen::Internet(Internet::Code { entry, .. }) | Screen::Enrollment(Enrollment::Code { entry, .. }) => {
            entry.entered
        }
        Screen::Enrollment(Enrollment::NewClave { entered, .. }) => *entered,
        _ => 0,
    }
}

/// A typed amount read back as typed: "1 2 0 punto 5" → "ciento veinte coma cinco".
fn typed_amount(typed: &str, lang: Language) -> String {
    let (whole, decimals) = typed.split_once('.').map_or((typed, None), |(w, d)| (w, Some(d)));
    let whole = whole.parse::<u64>().map(|n| words::cardinal(n, lang)).unwrap_or_default();
    match decimals {
        None => whole,
        Some(d) => {
            format!("{whole} {} {}", if lang == Language::Es { "punto" } else { "point" }, words::digits(d, lang))
        }
    }
}

fn wait(l: L) -> String {
    l.t("Un momento, por favor.", "One moment, please.")
}

fn capitalized_card(masked: &str, lang: Language) -> String {
    format!("{}.", crate::words::capitalized(&words::masked_card(masked, lang)))
}

pub(crate) fn account_name(account: &Account, lang: Language) -> String {
    match lang {
        Language::Es => format!(
            "cuenta {} terminada en {}",
            account.product_name.to_lowercase(),
            words::last_four(&account.number, lang)
        ),
        Language::En => format!(
            "account {} ending in {}",
            account.product_name.to_lowercase(),
            words::last_four(&account.number, lang)
        ),
    }
}

fn account_with_balance(account: &Account, lang: Language) -> String {
    match lang {
        Language::Es => format!("{}, saldo {}", account_name(account, lang), money(account.balance, lang)),
        Language::En => format!("{}, balance {}", account_name(account, lang), money(account.balance, lang)),
    }
}

pub(crate) fn loan_name(loan: &Loan, lang: Language) -> String {
    // Product names often start with the word itself ("CRÉDITO CONSUMO"): not "crédito crédito consumo".
    let product = loan.product_name.to_lowercase();
    let last = words::last_four(&loan.number, lang);
    match lang {
        Language::Es if product.starts_with("crédito") => format!("{product} terminado en {last}"),
        Language::Es => format!("crédito {product} terminado en {last}"),
        // "consumo loan", as English puts the kind before the noun.
        Language::En => format!("{} loan ending in {last}", product.strip_prefix("crédito ").unwrap_or(&product)),
    }
}

/// A calculator's answer, as figures: the screen's table rows, said.
fn lookup_lines(lookup: &servicaja_session::state::Lookup, l: L) -> Vec<String> {
    use servicaja_session::state::Lookup;
    let lang = l.0;
    let figure = |what: String, answer: Result<servicaja_core::money::Money, String>| match answer {
        Ok(amount) => format!("{what}: {}.", money(amount, lang)),
        // The table's reason is Spanish only (core's disclosures); English says what it means.
        Err(reason) => format!("{what}: {}", l.t(&reason, "does not apply to this value.")),
    };
    match lookup {
        Lookup::MiVivienda { bbp, bms } => vec![
            figure(
                l.t("Bono del Buen Pagador", "Good Payer Bond"),
                bbp.as_ref().map(|a| a.amount).map_err(|e| e.to_string()),
            ),
            figure(
                l.t("Bono MiVivienda Sostenible", "Sustainable MiVivienda Bond"),
                bms.as_ref().map(|a| a.amount).map_err(|e| e.to_string()),
            ),
        ],
        Lookup::TechoPropio { unifamiliar, multifamiliar } => vec![
            figure(
                l.t("Bono Familiar Habitacional, vivienda unifamiliar", "Family Housing Bond, single-family house"),
                unifamiliar.as_ref().map(|a| a.amount).map_err(|e| e.to_string()),
            ),
            figure(
                l.t("Vivienda multifamiliar", "Multi-family building"),
                multifamiliar.as_ref().map(|a| a.amount).map_err(|e| e.to_string()),
            ),
        ],
        Lookup::Deductible(answer) => {
            vec![figure(
                l.t("Deducible", "Deductible"),
                answer.as_ref().map(|a| a.deductible).map_err(|e| e.to_string()),
            )]
        }
    }
}

fn option_name(option: PaymentOption, l: L) -> String {
    match option {
        PaymentOption::DueInstallment => l.t("Pagar la cuota exigible", "Pay the installment due"),
        PaymentOption::Advance => l.t("Adelantar cuotas", "Pay installments ahead"),
        PaymentOption::PrepaymentReduceAmount => {
            l.t("Hacer un prepago que reduce el monto de la cuota", "Make a prepayment that lowers the installment")
        }
        PaymentOption::PrepaymentReduceCount => {
            l.t("Hacer un prepago que reduce el número de cuotas", "Make a prepayment that shortens the term")
        }
        PaymentOption::Total => l.t("Cancelar el crédito", "Pay off the loan"),
    }
}

fn request_kind(kind: RequestKind, l: L) -> String {
    match kind {
        RequestKind::PolicyEndorsement => l.t("Endoso de póliza de seguro", "Insurance policy endorsement"),
        RequestKind::PremiumRefund => l.t("Devolución de primas", "Premium refund"),
        RequestKind::AddressChange => l.t("Cambio de domicilio", "Change of address"),
        RequestKind::GuaranteeRelease => l.t("Liberación de garantía", "Guarantee release"),
    }
}

fn info_topic(topic: InfoTopic, l: L) -> String {
    match topic {
        InfoTopic::PaymentChannels => l.t("Canales de pago y límites", "Payment channels and limits"),
        InfoTopic::InsuranceCoverage => l.t("Seguros y coberturas", "Insurance coverage"),
        InfoTopic::MultiriskDeductibles => l.t("Deducibles del seguro multiriesgo", "Multi-risk insurance deductibles"),
        InfoTopic::MiViviendaBond => l.t("Bono MiVivienda", "MiVivienda bond"),
        InfoTopic::TechoPropioBond => l.t("Bono Techo Propio", "Techo Propio bond"),
    }
}

fn device_name(device: Device, l: L) -> String {
    match device {
        Device::CardReader => l.t("El lector de tarjetas", "The card reader"),
        Device::DocumentReader => l.t("El lector de documentos", "The document reader"),
        Device::Printer => l.t("La impresora", "The printer"),
    }
}

fn input_error(error: &InputError, l: L) -> String {
    let lang = l.0;
    match error {
        InputError::InvalidCard => {
            l.t("No pudimos leer su tarjeta. Deslícela otra vez.", "We could not read your card. Swipe it again.")
        }
        InputError::CardNumber(_) => l.t(
            "El número de tarjeta no es válido. Ingréselo otra vez.",
            "The card number is not valid. Type it again.",
        ),
        InputError::InvalidDocument => {
            l.t("No pudimos leer su DNI. Colóquelo otra vez.", "We could not read your ID. Place it again.")
        }
        InputError::Dni(_) => {
            l.t("El DNI no es válido. Revise los dígitos.", "The ID number is not valid. Check the digits.")
        }
        InputError::IdentityMismatch => {
            l.t("El DNI no corresponde al titular de la tarjeta.", "The ID does not belong to the card's holder.")
        }
        InputError::ReaderUnavailable => l.t(
            "El lector no está disponible: ingrese el número con las teclas.",
            "The reader is not available: type the number on the keys.",
        ),
        InputError::Amount(amount) => match amount {
            AmountError::Keypad(_) => l.t("El monto no es válido.", "The amount is not valid."),
            AmountError::Zero => l.t("El monto debe ser mayor que cero.", "The amount must be more than zero."),
            AmountError::AboveLimit(max) | AmountError::AboveOutstanding(max) | AmountError::AboveMaximum(max) => {
                format!(
                    "{} {}.",
                    l.t("El monto supera el máximo de", "The amount is above the maximum of"),
                    money(*max, lang)
                )
            }
            AmountError::BelowMinimum(min) => {
                format!(
                    "{} {}.",
                    l.t("El monto es menor que el mínimo de", "The amount is below the minimum of"),
                    money(*min, lang)
                )
            }
            AmountError::Refused { message, .. } => message.clone(),
        },
        InputError::InvalidEmail => l.t("El correo no es válido.", "The e-mail address is not valid."),
        InputError::ClavesDiffer => {
            l.t("Las claves no coinciden. Ingréselas otra vez.", "The PINs differ. Type them again.")
        }
        InputError::WeakClave => {
            l.t("Esa clave es muy fácil de adivinar. Elija otra.", "That PIN is too easy to guess. Choose another.")
        }
        InputError::OtpInvalid { attempts_left } => match attempts_left {
            Some(left) => match lang {
                Language::Es => format!(
                    "Código incorrecto. Le quedan {}.",
                    words::count(*left as usize, "intento", "intentos", "", "", lang)
                ),
                Language::En => {
                    format!("Wrong code. {} left.", words::count(*left as usize, "", "", "attempt", "attempts", lang))
                }
            },
            None => l.t("Código incorrecto.", "Wrong code."),
        },
        InputError::OtpExpired => l.t("El código venció. Pida uno nuevo.", "The code expired. Ask for a new one."),
    }
}

fn notice_text(notice: &Notice, l: L) -> String {
    match notice {
        Notice::CardLocked => l.t(
            "Su tarjeta está bloqueada. Ingresó una clave incorrecta tres veces. Acérquese a ventanilla con su DNI.",
            "Your card is locked. A wrong PIN was entered three times. Go to the counter with your ID.",
        ),
        Notice::PaymentNotDone => l.t("Operación no realizada, no se realizó ningún cargo.", "Operation not done; nothing was charged."),
        Notice::PaymentUnconfirmed => l.t(
            "No pudimos confirmar su pago. Acérquese a ventanilla con su DNI: el personal verificará si se realizó.",
            "We could not confirm your payment. Go to the counter with your ID: the staff will check whether it was done.",
        ),
        Notice::ReversalPending => l.t(
            "No podemos recibir este pago ahora: un pago anterior se está anulando. Intente en unos minutos o acérquese a ventanilla.",
            "We cannot take this payment now: an earlier payment is being reversed. Try again in a few minutes or go to the counter.",
        ),
        Notice::Refused { message, .. } => format!("{} {message}", l.t("No se pudo realizar la operación.", "The operation could not be done.")),
        Notice::ServiceUnavailable => l.t(
            "Servicio no disponible. El servicio no está disponible en este momento; intente más tarde.",
            "Service unavailable. The service is not available now; try again later.",
        ),
        Notice::SessionExpired => l.t("Su sesión expiró. Por su seguridad, vuelva a identificarse.", "Your session expired. For your security, identify yourself again."),
        Notice::DeviceFailed(device) => format!(
            "{} {}",
            device_name(*device, l),
            l.t("no está disponible. Acérquese a ventanilla o use otro ServiCaja.", "is not available. Go to the counter or use another ServiCaja.")
        ),
        Notice::NotConfirmed => l.t(
            "No recibimos confirmación. La constancia llegará a su correo registrado si la operación se realizó.",
            "We received no confirmation. The receipt will reach your registered e-mail if the operation was done.",
        ),
        Notice::RequestQueued { kind } => format!(
            "{} {}.",
            l.t("Solicitud registrada. Se enviará cuando el sistema esté disponible:", "Request filed. It will be sent when the system is available:"),
            request_kind(*kind, l)
        ),
        Notice::EnrollmentBlocked => l.t("Registro bloqueado. No pudimos confirmar su identidad. Acérquese a ventanilla.", "Enrollment blocked. We could not confirm your identity. Go to the counter."),
        Notice::ClaveCreated => l.t("Su clave fue creada. Ya puede usarla en ServiCaja y en Internet.", "Your PIN was created. You can use it at ServiCaja and online."),
        Notice::OverdueFirst => l.t("Tiene cuotas vencidas. Debe pagar primero sus cuotas vencidas.", "You have overdue installments. Pay them first."),
        Notice::NotAllLoansCancelled => l.t(
            "Tiene créditos vigentes. La constancia de todos sus créditos se emite cuando todos están cancelados. Puede elegir los créditos cancelados.",
            "You have open loans. The certificate for all your loans is issued when all are paid off. You may choose the paid-off loans.",
        ),
        Notice::AlreadyAffiliated { .. } => l.t(
            "Ya tiene una cuenta afiliada. Solo puede afiliar una cuenta a la vez; desafilie primero la cuenta afiliada.",
            "You already have an affiliated account. Only one at a time; disaffiliate it first.",
        ),
        Notice::NoAffiliableAccount => l.t(
            "No tiene cuentas que se puedan afiliar. Solo se pueden afiliar cuentas de ahorro activas de firma individual.",
            "You have no account that can be affiliated: only active savings accounts with a single signature.",
        ),
        Notice::NothingAffiliated => l.t("No hay ninguna cuenta afiliada a Compras por Internet.", "No account is affiliated to Internet purchases."),
        Notice::Delivered { printed, emailed_to } => match (printed, emailed_to) {
            (true, Some(to)) => format!("{} {to}.", l.t("Retire su constancia impresa. También la enviamos a", "Take your printed receipt. We also sent it to")),
            (false, Some(to)) => format!("{} {to}.", l.t("Enviamos su constancia a", "We sent your receipt to")),
            (true, None) => l.t("Retire su constancia impresa.", "Take your printed receipt."),
            (false, None) => l.t("Gracias por usar ServiCaja.", "Thank you for using ServiCaja."),
        },
    }
}
