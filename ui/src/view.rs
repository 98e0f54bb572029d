//! What the window shows for a session state: a plain value built from [`Session`]'s getters (ids and data,
//! never Spanish sentences — the wording lives in `ui/*.slint`), and how it is written into the `Kiosk`
//! global. Kept apart from the controller so it can be checked without a window.

use chrono::{DateTime, Utc};
use servicaja_core::api::{Account, AccountStatus, Loan, LoanStatus, PaymentOption, PaymentQuote, RequestKind};
use servicaja_core::calendar::lima_time;
use servicaja_core::channels::ChannelTable;
use servicaja_core::disclosures::{Disclosures, Explanation};
use servicaja_core::money::Money;
use servicaja_core::settings::Language;
use servicaja_session::contract::PAYMENT_OPTIONS;
use servicaja_session::state::{
    AmountError, Balances, Certificates, CodeEntry, Delivery, DeliveryStage, Enrollment, IdentifyStep, Information,
    InputError, Internet, Lookup, Order, OutOfServiceReason, Payment, Requests, Screen, StorageProblem,
};
use servicaja_session::{Device, DeviceStatus, Health, InfoTopic, PaperStatus, Session, SwitchOffReason};
use slint::{ModelRc, SharedString, VecModel};

mod audio;
mod certificates;
mod delivery;
mod done;
mod enrollment;
mod identify;
mod information;
mod internet;
mod requests;
pub use audio::{AudioView, map_audio};
pub use certificates::{CertificatesView, map_certificates};
mod notice;
mod payment;
mod wait;
pub use delivery::{DeliveryView, map_delivery};
pub use done::map_done;
pub use enrollment::{EnrollmentView, map_enrollment};
pub use identify::{IdentifyView, map_identify, map_new_clave};
pub use information::{InformationView, map_information};
pub use internet::{InternetView, map_internet};
pub use requests::{RequestsView, map_requests};

pub use notice::{NoticeView, map_notice};
pub use payment::{PaymentView, map_balances, map_payment};
pub use wait::map_wait;

use super::{
    AudioFlow, CertificatesFlow, DeliveryFlow, DoneFlow, DoneKind, EnrollmentFlow, IdentifyFlow, InformationFlow,
    InternetFlow, Item, Kiosk, KioskWindow, NoticeFlow, PaymentFlow, RequestsFlow, Row, WaitFlow, Waiting,
};
use super::{Screen as UiScreen, TableRow};
use slint::ComponentHandle;

/// One entry of a list on screen (see `Item` in `ui/kiosk.slint`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemView {
    pub title: String,
    pub detail: String,
    pub value: String,
    /// An id translated by `Words.account-type`.
    pub note: String,
    pub enabled: bool,
    pub selected: bool,
}

/// Everything the window shows, as data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    pub screen: UiScreen,
    /// The card, DNI and clave screens' adapter.
    pub identify: IdentifyView,
    /// The delivery screen's adapter.
    pub delivery: DeliveryView,
    /// The Compras por Internet screens' adapter.
    pub internet: InternetView,
    /// What the done screen reports.
    pub done: DoneKind,
    /// The no-debt constancia's choice.
    pub certificates: CertificatesView,
    /// The requests' screens.
    pub requests: RequestsView,
    /// Clave enrollment's questions.
    pub enrollment: EnrollmentView,
    /// Información's tables and calculators.
    pub information: InformationView,
    /// The balances and payment screens' adapter.
    pub payment: PaymentView,
    /// What the wait screen waits on.
    pub waiting: Waiting,
    /// The notice screen's adapter.
    pub notice_flow: NoticeView,
    /// Audio mode's indicator and privacy blank.
    pub audio: AudioView,
    pub customer: String,
    pub subject: String,
    pub items: Vec<ItemView>,
    /// (label id or free text, value).
    pub rows: Vec<(String, String)>,
    pub options: Vec<ItemView>,
    pub keypad: Option<[u8; 10]>,
    pub entered: usize,
    pub secret_length: usize,
    pub typed: String,
    pub masked: String,
    pub error: &'static str,
    pub error_arg: String,
    pub attempts_left: Option<u32>,
    /// The central's error code (wire name) of a refusal on the amount screen's error line; the window
    /// translates it.
    pub refusal_code: &'static str,
    /// The text the delivery's QR fall-back encodes (drawn as a QR code by `super::qr`); empty: no QR.
    pub qr: String,
    /// A waiting screen offers Terminar: only while the kiosk is reading (never while a command is at the
    /// central or a receipt prints; see `Session::safe_to_end`).
    pub end_allowed: bool,
    /// The card or DNI screen offers to type the number instead (`allow_keyed_card` / `allow_keyed_dni`).
    pub keyed_entry_allowed: bool,
    pub seconds: Option<i64>,
    /// How many minutes the SMS code on screen is valid (from the central's `expires_at`).
    pub code_minutes: Option<i64>,
    /// What a customer should know on the attract screen while a device is missing, as ids the window words
    /// ("no-print", "card-keyed", "dni-keyed"); never the technician's line.
    pub customer_notices: Vec<&'static str>,
    pub out_of_service: Vec<&'static str>,
    /// Requests may be filed while out of service (not when the kiosk cannot record them).
    pub offline_requests: bool,
    /// The reason a technician typed when switching the kiosk off, shown to customers as typed.
    pub out_of_service_note: String,
    /// The technician's line on the out-of-service and attract screens: what is wrong with the devices and
    /// the central (see [`status_line`]); empty when all is well.
    pub status_line: String,
    pub countdown: Option<i64>,
    pub language: &'static str,
    pub high_contrast: bool,
    pub large_text: bool,
}

fn row(key: &str, value: impl ToString) -> (String, String) {
    (key.to_owned(), value.to_string())
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_owned()
}

fn account_item(account: &Account) -> ItemView {
    let note = if account.status != AccountStatus::Active {
        "inactive"
    } else if account.internet_purchases {
        "affiliated"
    } else {
        ""
    };
    ItemView {
        title: account.product_name.clone(),
        detail: account.number.clone(),
        value: account.balance.to_string(),
        note: note.into(),
        enabled: true,
        selected: false,
    }
}

/// An account offered to debit a payment: disabled, saying why, when its balance does not cover what the
/// payment debits from it (at the day's rate when the currencies differ).
fn debit_account_item(order: &Order, account: &Account) -> ItemView {
    let enough = order.debit_from(account).is_none_or(|(_, enough)| enough);
    ItemView { enabled: enough, note: if enough { "" } else { "insufficient" }.into(), ..account_item(account) }
}

fn loan_item(loan: &Loan) -> ItemView {
    let note = if loan.status == LoanStatus::Cancelled {
        "cancelled"
    } else if !loan.kiosk_payable {
        "not-payable"
    } else if loan.overdue_installments > 0 {
        "overdue"
    } else {
        ""
    };
    ItemView {
        title: loan.product_name.clone(),
        detail: loan.number.clone(),
        // What paying now costs: the due installment with the overdue ones (defect 4 of issue 18).
        value: loan
            .due_now()
            .or_else(|| loan.due_installment.as_ref().map(|i| i.outstanding))
            .map(|m| m.to_string())
            .unwrap_or_default(),
        note: note.into(),
        enabled: true,
        selected: false,
    }
}

fn loan_rows(loan: &Loan) -> Vec<(String, String)> {
    let mut rows = vec![
        row("product", &loan.product_name),
        row("outstanding", loan.outstanding_principal),
        row("rate", format!("{} %", loan.annual_rate_percent)),
        row("installments", format!("{} / {}", loan.installments_paid, loan.installments_total)),
    ];
    if let Some(due) = &loan.due_installment {
        rows.push(row("due", due.outstanding));
        rows.push(row("due-date", due.due_date.format("%d/%m/%Y")));
    }
    if loan.overdue_installments > 0 {
        rows.push(row("overdue", loan.overdue_installments));
        rows.push(row("overdue-amount", loan.overdue_amount));
        // With overdue installments paying now costs more than the installment: say how much.
        if let Some(now) = loan.due_now() {
            rows.push(row("due-now", now));
        }
    }
    rows
}

/// What an option charges, as its row on the loan screen shows it: the amount, the advance's one and two
/// installments, or a prepayment's range (defects 4 and 5 of issue 18).
fn option_value(loan: &Loan, option: PaymentOption) -> String {
    let Some(terms) = loan.terms(option) else {
        return match option {
            PaymentOption::DueInstallment => {
                loan.due_installment.as_ref().map(|i| i.outstanding.to_string()).unwrap_or_default()
            }
            _ => String::new(),
        };
    };
    if let Some(amount) = terms.amount {
        amount.to_string()
    } else if let Some(range) = terms.range {
        format!("{} – {}", range.min, range.max)
    } else {
        terms.installments.iter().map(Money::to_string).collect::<Vec<_>>().join(" / ")
    }
}

pub fn option_id(option: PaymentOption) -> &'static str {
    match option {
        PaymentOption::DueInstallment => "due",
        PaymentOption::Advance => "advance",
        PaymentOption::PrepaymentReduceAmount => "reduce-amount",
        PaymentOption::PrepaymentReduceCount => "reduce-count",
        PaymentOption::Total => "total",
    }
}

pub fn request_id(kind: RequestKind) -> &'static str {
    match kind {
        RequestKind::PolicyEndorsement => "endorsement",
        RequestKind::PremiumRefund => "refund",
        RequestKind::AddressChange => "address",
        RequestKind::GuaranteeRelease => "guarantee",
    }
}

pub fn topic_id(topic: InfoTopic) -> &'static str {
    match topic {
        InfoTopic::PaymentChannels => "channels",
        InfoTopic::InsuranceCoverage => "coverage",
        InfoTopic::MultiriskDeductibles => "deductibles",
        InfoTopic::MiViviendaBond => "mivivienda",
        InfoTopic::TechoPropioBond => "techo-propio",
    }
}

/// The out-of-service screen's id of a technician's reason; a typed one (`switched-off:other`) comes with its
/// text in `out_of_service_note`.
fn switch_off_id(reason: &SwitchOffReason) -> &'static str {
    match reason {
        SwitchOffReason::Maintenance => "switched-off:maintenance",
        SwitchOffReason::PrinterFault => "switched-off:printer",
        SwitchOffReason::ConnectionFault => "switched-off:connection",
        SwitchOffReason::Other(_) => "switched-off:other",
    }
}

/// A short line for a technician walking by, from the health the session keeps: each device or link that is
/// not well, as "impresora: sin papel · central: sin conexión"; empty when all is well. Technicians' words in
/// the agency's language (es-PE): customers read the reasons above it, which the window translates.
pub fn status_line(health: &Health) -> String {
    fn device(status: DeviceStatus) -> Option<&'static str> {
        match status {
            DeviceStatus::Online | DeviceStatus::Busy => None,
            DeviceStatus::Offline => Some("sin conexión"),
            DeviceStatus::HardwareError => Some("falla de hardware"),
            DeviceStatus::UserError => Some("requiere atención"),
            DeviceStatus::NoDevice => Some("no detectado"),
        }
    }
    let paper = match health.paper {
        PaperStatus::Full => None,
        PaperStatus::Low => Some("poco papel"),
        PaperStatus::Out => Some("sin papel"),
        PaperStatus::Jammed => Some("papel atascado"),
    };
    let printer: Vec<&str> = device(health.printer).into_iter().chain(paper).collect();
    let mut parts = Vec::new();
    if !printer.is_empty() {
        parts.push(format!("impresora: {}", printer.join(", ")));
    }
    for (name, status) in [("lector de tarjetas", health.card_reader), ("lector de DNI", health.document_reader)] {
        if let Some(problem) = device(status) {
            parts.push(format!("{name}: {problem}"));
        }
    }
    match health.storage {
        Some(StorageProblem::WriteFailed) => parts.push("disco: falló una escritura del diario o la cola".to_owned()),
        Some(StorageProblem::LowSpace) => parts.push("disco: espacio libre bajo la reserva".to_owned()),
        None => {}
    }
    if !health.host_reachable {
        parts.push("central: sin conexión".to_owned());
    }
    parts.join(" · ")
}

fn device_id(device: Device) -> &'static str {
    match device {
        Device::CardReader => "card-reader",
        Device::DocumentReader => "document-reader",
        Device::Printer => "printer",
    }
}

/// The central's Spanish name of a payment kind or prepayment choice (core's own labels) as an id the window
/// translates (`PaymentWords` in common.slint); any other text passes as it came.
pub fn payment_label(label: &str) -> String {
    use servicaja_core::loans::{PaymentKind, PrepaymentChoice};
    let known = [
        (PaymentKind::DueInstallment.label_es(), "kind:due"),
        (PaymentKind::InstallmentAdvance.label_es(), "kind:advance"),
        (PaymentKind::PartialPrepayment(PrepaymentChoice::ReduceInstallment).label_es(), "kind:partial"),
        (PaymentKind::TotalPrepayment.label_es(), "kind:total"),
        (PrepaymentChoice::ReduceInstallment.label_es(), "choice:reduce-amount"),
        (PrepaymentChoice::ReduceTerm.label_es(), "choice:reduce-count"),
    ];
    known.iter().find(|(es, _)| *es == label).map_or_else(|| label.to_owned(), |(_, id)| (*id).to_owned())
}

fn quote_rows(quote: &PaymentQuote, accounts: &[Account]) -> Vec<(String, String)> {
    let mut rows = vec![row("option", payment_label(&quote.kind_label))];
    if let Some(choice) = &quote.choice_label {
        rows.push(row("choice", payment_label(choice)));
    }
    rows.push(row("amount", quote.amount));
    if let Some(account) = accounts.iter().find(|a| a.id == quote.debit_account_id) {
        rows.push(row("account", format!("{} {}", account.product_name, account.number)));
    }
    if let Some(exchange) = &quote.exchange {
        rows.push(exchange_row(exchange));
    }
    rows.push(row("debit", quote.debit));
    for (key, part) in [
        ("overdue-amount", quote.overdue_part),
        ("principal", quote.principal_part),
        ("interest", quote.interest_part),
        ("insurance", quote.insurance_part),
        ("moratorium", quote.moratorium_part),
        ("refund", quote.refund),
    ] {
        if !part.amount.is_zero() {
            rows.push(row(key, part));
        }
    }
    if !quote.installments_covered.is_empty() {
        // Installment numbers, not a count ("2, 3"); the label says they are numbers.
        let covered: Vec<String> = quote.installments_covered.iter().map(u32::to_string).collect();
        rows.push(row("covered", covered.join(", ")));
    }
    // A cancellation leaves no installment to show (defect 3 of issue 18).
    if let Some(schedule) = quote.new_schedule.as_ref().filter(|_| !quote.cancels_loan) {
        rows.push(row("new-installment", schedule.installment_amount));
        rows.push(row("remaining", schedule.installments_remaining));
    }
    if quote.cancels_loan {
        rows.push(row("cancels", yes_no(true)));
    }
    rows
}

/// The rate applied, its side in the label ("Tipo de cambio (compra)") so the window translates it.
fn exchange_row(exchange: &servicaja_core::api::ExchangeApplied) -> (String, String) {
    use servicaja_core::money::RateSide;
    let key = if exchange.side_label == RateSide::Buy.label_es() { "exchange-buy" } else { "exchange-sell" };
    row(key, exchange.rate)
}

fn input_error(error: &Option<InputError>, view: &mut View) {
    let Some(error) = error else { return };
    view.error = match error {
        InputError::InvalidCard => "invalid-card",
        InputError::CardNumber(_) => "card-number",
        InputError::InvalidDocument => "invalid-document",
        InputError::Dni(_) => "dni",
        InputError::IdentityMismatch => "identity-mismatch",
        InputError::ReaderUnavailable => "reader-unavailable",
        InputError::Amount(AmountError::Keypad(_)) => "amount-format",
        InputError::Amount(AmountError::Zero) => "amount-zero",
        InputError::Amount(AmountError::AboveLimit(limit)) => {
            view.error_arg = limit.to_string();
            "amount-limit"
        }
        InputError::Amount(AmountError::AboveOutstanding(outstanding)) => {
            view.error_arg = outstanding.to_string();
            "amount-outstanding"
        }
        InputError::Amount(AmountError::BelowMinimum(min)) => {
            view.error_arg = min.to_string();
            "amount-below-min"
        }
        InputError::Amount(AmountError::AboveMaximum(max)) => {
            view.error_arg = max.to_string();
            "amount-above-max"
        }
        InputError::Amount(AmountError::Refused { code, message }) => {
            view.error_arg = message.clone();
            view.refusal_code = code.as_str();
            "amount-refused"
        }
        InputError::InvalidEmail => "invalid-email",
        InputError::ClavesDiffer => "claves-differ",
        InputError::WeakClave => "weak-clave",
        InputError::OtpInvalid { attempts_left } => {
            view.attempts_left = *attempts_left;
            "otp-invalid"
        }
        InputError::OtpExpired => "otp-expired",
    };
}

/// An account number as a customer sees it away from their own statement: the last four digits.
pub fn masked_account(number: &str) -> String {
    let digits: Vec<char> = number.chars().collect();
    let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("****{tail}")
}

/// What a customer should know on the attract screen while the kiosk serves without a device.
pub fn customer_notices(session: &Session) -> Vec<&'static str> {
    let health = session.health();
    let mut notices = Vec::new();
    if !session.printer_ready() {
        notices.push("no-print");
    }
    if !health.card_reader.usable() {
        notices.push("card-keyed");
    }
    if !health.document_reader.usable() {
        notices.push("dni-keyed");
    }
    notices
}

fn code_entry(entry: &CodeEntry, now: DateTime<Utc>, view: &mut View) {
    view.screen = UiScreen::Code;
    view.code_minutes = Some(entry.valid_minutes);
    view.masked = entry.masked_phone.clone();
    view.entered = entry.entered;
    view.secret_length = 6;
    view.seconds = entry.resend_seconds_left(now);
    input_error(&entry.error, view);
}

/// The channel table and the disclosures the Información screens draw; loaded once from the embedded data.
#[derive(Debug, Clone, Default)]
pub struct InfoTables {
    pub channels: Option<ChannelTable>,
    pub disclosures: Option<Disclosures>,
}

impl InfoTables {
    pub fn embedded() -> Self {
        Self { channels: ChannelTable::embedded().ok(), disclosures: Disclosures::embedded().ok() }
    }

    /// The lines of `topic`'s table. The channels come under their two groups (cash, then account debits
    /// through electronic channels), and this kiosk's own channel shows the per-operation limits it
    /// enforces (`kiosk_limits`, from its configuration) instead of the blank cell of the caja's table.
    fn rows(&self, topic: InfoTopic, kiosk_limits: &[Money]) -> Vec<(String, String)> {
        use servicaja_core::channels::ChannelGroup;
        let mut rows = Vec::new();
        match topic {
            InfoTopic::PaymentChannels => {
                if let Some(table) = &self.channels {
                    for (group, heading) in
                        [(ChannelGroup::Efectivo, "group:cash"), (ChannelGroup::CargoEnCuenta, "group:account")]
                    {
                        rows.push(row(heading, ""));
                        for channel in table.channels.iter().filter(|c| c.group == group) {
                            if channel.id == table.kiosk.channel {
                                let limits = if kiosk_limits.is_empty() {
                                    kiosk_payment_limits(table)
                                } else {
                                    kiosk_limits.to_vec()
                                };
                                if !limits.is_empty() {
                                    let limits: Vec<String> = limits.iter().map(Money::to_string).collect();
                                    rows.push(row("kiosk-limit", limits.join(" · ")));
                                    continue;
                                }
                            }
                            for point in &channel.points {
                                let name = if point.point.is_empty() {
                                    channel.name.clone()
                                } else {
                                    format!("{} · {}", channel.name, point.point)
                                };
                                rows.push(row(&name, &point.limit_text));
                            }
                        }
                    }
                }
            }
            InfoTopic::InsuranceCoverage => {
                // The coverages themselves are a table of their own: see `table`.
                if let Some(d) = &self.disclosures {
                    for max in &d.desgravamen.max_sum_insured {
                        rows.push(row(&max.ages, format!("{} · {}", Money::pen(max.pen), Money::usd(max.usd))));
                    }
                }
            }
            _ => {}
        }
        rows
    }
}

/// The kiosk's per-operation limits on a loan payment as the channel table configures them, soles first.
fn kiosk_payment_limits(table: &ChannelTable) -> Vec<Money> {
    use servicaja_core::channels::{KioskOperation, LimitPeriod};
    use servicaja_core::money::Currency;
    [Currency::PEN, Currency::USD]
        .into_iter()
        .filter_map(|currency| {
            let max = table.kiosk.limit(KioskOperation::LoanPayment, currency, LimitPeriod::Operation)?;
            Some(Money { amount: max, currency })
        })
        .collect()
}

impl InfoTables {
    /// The caja's explanatory text of `topic` (the one it explains, on its table or calculator screen).
    fn disclosure(&self, topic: InfoTopic, english: bool) -> String {
        let explanation = match topic {
            InfoTopic::PaymentChannels => return String::new(),
            InfoTopic::InsuranceCoverage => Explanation::Desgravamen,
            InfoTopic::MultiriskDeductibles => Explanation::Multirisk,
            InfoTopic::MiViviendaBond => Explanation::MiVivienda,
            InfoTopic::TechoPropioBond => Explanation::TechoPropio,
        };
        self.disclosures.as_ref().map(|d| d.explanation(explanation, english)).unwrap_or_default()
    }

    /// The table with several value columns of `topic`, if it has one: the desgravamen coverages under the
    /// two policies of the caja's guide, "Tradicional" and "Con Devolución".
    fn table(&self, topic: InfoTopic) -> (Vec<&'static str>, Vec<(String, Vec<String>)>) {
        match (topic, &self.disclosures) {
            (InfoTopic::InsuranceCoverage, Some(d)) => (
                vec!["traditional", "with-refund"],
                d.desgravamen
                    .coverages
                    .iter()
                    .map(|c| (c.concept.clone(), vec![yes_no(c.traditional), yes_no(c.with_refund)]))
                    .collect(),
            ),
            _ => (Vec::new(), Vec::new()),
        }
    }
}

fn lookup_rows(lookup: &Lookup, view: &mut View) {
    let mut ok_or_out = |key: &str, result: Result<String, String>| match result {
        Ok(value) => view.rows.push(row(key, value)),
        Err(reason) => view.rows.push(row(key, reason)),
    };
    match lookup {
        Lookup::MiVivienda { bbp, bms } => {
            ok_or_out("bbp", bbp.as_ref().map(|a| a.amount.to_string()).map_err(ToString::to_string));
            ok_or_out("bms", bms.as_ref().map(|a| a.amount.to_string()).map_err(ToString::to_string));
            if let Ok(a) = bbp {
                view.rows.push(row("range", &a.range));
            }
        }
        Lookup::TechoPropio { unifamiliar, multifamiliar } => {
            ok_or_out("bfh-single", unifamiliar.as_ref().map(|a| a.amount.to_string()).map_err(ToString::to_string));
            ok_or_out("bfh-multi", multifamiliar.as_ref().map(|a| a.amount.to_string()).map_err(ToString::to_string));
        }
        Lookup::Deductible(answer) => {
            ok_or_out("deductible", answer.as_ref().map(|a| a.deductible.to_string()).map_err(ToString::to_string));
            if let Ok(a) = answer {
                view.rows.push(row("range", &a.range));
            }
        }
    }
}

/// Builds the view of `session` at `now`.
pub fn view_of(session: &Session, now: DateTime<Utc>, tables: &InfoTables) -> View {
    let mut view = View {
        customer: session.customer().map(|p| p.name.clone()).unwrap_or_default(),
        countdown: session.countdown_seconds_left(now),
        language: match session.language() {
            Language::Es => "es",
            Language::En => "en",
        },
        high_contrast: session.accessibility().high_contrast,
        large_text: session.accessibility().large_text,
        secret_length: 6,
        audio: map_audio(session),
        ..View::default()
    };
    match session.screen() {
        Screen::Attract => {
            view.screen = UiScreen::Attract;
            view.customer_notices = customer_notices(session);
        }
        Screen::OutOfService { reasons } => {
            view.screen = UiScreen::OutOfService;
            view.status_line = status_line(session.health());
            view.out_of_service = reasons
                .iter()
                .map(|reason| match reason {
                    OutOfServiceReason::HostUnreachable => "host",
                    OutOfServiceReason::SwitchedOff(reason) => switch_off_id(reason),
                    OutOfServiceReason::Maintenance => "maintenance",
                    OutOfServiceReason::Device { device, .. } => device_id(*device),
                    OutOfServiceReason::Storage(_) => "storage",
                })
                .collect();
            view.offline_requests = !reasons.iter().any(|reason| matches!(reason, OutOfServiceReason::Storage(_)));
            view.out_of_service_note = reasons
                .iter()
                .find_map(|reason| match reason {
                    OutOfServiceReason::SwitchedOff(SwitchOffReason::Other(text)) => Some(text.clone()),
                    _ => None,
                })
                .unwrap_or_default();
        }
        Screen::Menu => view.screen = UiScreen::Menu,
        Screen::Identify(identify) => {
            view.identify = map_identify(identify);
            match &identify.step {
                IdentifyStep::Card { error, .. } => {
                    view.screen = UiScreen::Card;
                    view.keyed_entry_allowed = session.config().allow_keyed_card;
                    view.typed = session.keyed_card_preview();
                    input_error(error, &mut view);
                }
                IdentifyStep::Dni { masked_card, typed, error, .. } => {
                    view.screen = UiScreen::Dni;
                    view.keyed_entry_allowed = session.config().allow_keyed_dni;
                    view.masked = masked_card.clone();
                    view.typed = typed.clone();
                    input_error(error, &mut view);
                }
                IdentifyStep::Clave { masked_card, keypad, entered, attempts_left } => {
                    view.screen = UiScreen::Clave;
                    view.masked = masked_card.clone();
                    view.keypad = Some(keypad.keys);
                    view.entered = *entered;
                    view.attempts_left = *attempts_left;
                }
                // The wait screen: see `map_wait` below.
                IdentifyStep::Verifying { .. } => {}
            }
        }
        Screen::Balances(balances) => {
            view.payment = map_balances(balances, session.printer_ready());
            match balances {
                Balances::Loading { .. } | Balances::LoadingMovements { .. } => {}
                Balances::Accounts { accounts } => {
                    view.screen = UiScreen::Accounts;
                    view.items = accounts.iter().map(account_item).collect();
                }
                Balances::Movements { account, movements, .. } => {
                    view.screen = UiScreen::Movements;
                    view.subject = format!("{} {} · {}", account.product_name, account.number, account.balance);
                    view.items = movements
                        .iter()
                        .map(|m| ItemView {
                            title: m.description.clone(),
                            detail: lima_time(m.at).format("%d/%m/%Y %H:%M").to_string(),
                            value: m.amount.to_string(),
                            enabled: true,
                            ..ItemView::default()
                        })
                        .collect();
                }
            }
        }
        Screen::Payment(payment) => payment_view(payment, &mut view),
        Screen::Internet(internet) => match internet {
            Internet::Loading { .. } => view.screen = UiScreen::Wait,
            Internet::Menu { affiliated, .. } => {
                view.screen = UiScreen::Internet;
                view.rows.push(row(
                    "affiliated",
                    affiliated
                        .as_ref()
                        .map_or_else(|| "none".to_owned(), |a| format!("{} {}", a.product_name, a.number)),
                ));
            }
            Internet::ChooseAccount { eligible, selected, .. } => {
                view.screen = UiScreen::ChooseAccount;
                view.items = eligible
                    .iter()
                    .enumerate()
                    .map(|(i, a)| ItemView { selected: *selected == Some(i), ..account_item(a) })
                    .collect();
            }
            Internet::Consent { account, .. } => {
                view.screen = UiScreen::Consent;
                view.rows.push(row("affiliated", format!("{} {}", account.product_name, account.number)));
            }
            Internet::RequestingCode { .. } => view.screen = UiScreen::Wait,
            // The notice screen (`map_notice`).
            Internet::AlreadyAffiliated { .. } => view.screen = UiScreen::Notice,
            Internet::Code { entry, .. } => code_entry(entry, now, &mut view),
            Internet::Processing { .. } => view.screen = UiScreen::Wait,
            Internet::Done { constancia } => {
                view.screen = UiScreen::Done;
                view.rows = vec![
                    row("operation-number", &constancia.operation_number),
                    row("service", &constancia.service),
                    row("customer", &constancia.customer_name),
                    row("affiliated", format!("{} {}", constancia.account_product_name, constancia.account_number)),
                    row("currency", constancia.currency),
                    row("email", &constancia.email),
                    row("date", &constancia.at_local),
                ];
            }
        },
        Screen::Certificates(certificates) => match certificates {
            Certificates::Loading { .. } => view.screen = UiScreen::Wait,
            Certificates::Choose { loans, selected, refused } => {
                view.screen = UiScreen::Certificates;
                if let Some((code, message)) = refused {
                    view.error = "refused";
                    view.refusal_code = code.as_str();
                    view.error_arg = message.clone();
                }
                view.items = loans
                    .iter()
                    .zip(selected.iter().chain(std::iter::repeat(&false)))
                    .map(|(loan, selected)| ItemView {
                        enabled: loan.status == LoanStatus::Cancelled,
                        selected: *selected,
                        value: String::new(),
                        ..loan_item(loan)
                    })
                    .collect();
            }
            Certificates::Processing { .. } => view.screen = UiScreen::Wait,
            Certificates::Done { certificate } => {
                view.screen = UiScreen::Done;
                view.rows = vec![
                    row("certificate", &certificate.certificate_number),
                    row("customer", &certificate.customer_name),
                    row("dni", &certificate.masked_dni),
                    row("date", &certificate.issued_at_local),
                ];
                // The loans it covers, one row each, so the customer checks them before taking it away.
                if certificate.all_loans {
                    view.rows.push(row("covers", "all-loans"));
                }
                for loan in &certificate.loans {
                    view.rows.push(row("loan", format!("{} {}", loan.product_name, loan.loan_number)));
                }
            }
        },
        Screen::Requests(requests) => match requests {
            Requests::Choose { .. } => view.screen = UiScreen::Requests,
            Requests::Dni { typed, error, .. } => {
                view.screen = UiScreen::RequestDni;
                view.typed = typed.clone();
                input_error(error, &mut view);
            }
            Requests::Confirm { detail, .. } => {
                view.screen = UiScreen::RequestConfirm;
                view.typed = detail.clone();
            }
            Requests::Processing { .. } => view.screen = UiScreen::Wait,
            Requests::Filed { ticket } => {
                view.screen = UiScreen::Done;
                view.rows = vec![
                    row("ticket", &ticket.ticket_number),
                    row("request", request_id(ticket.kind)),
                    row("filed", ticket.filed_on.format("%d/%m/%Y")),
                    row("business-days", ticket.business_days),
                    row("deadline", ticket.deadline.format("%d/%m/%Y")),
                ];
            }
        },
        Screen::Enrollment(enrollment) => match enrollment {
            Enrollment::Starting { .. } | Enrollment::Checking { .. } => view.screen = UiScreen::Wait,
            Enrollment::Questions { questions, answers, current, .. } => {
                view.screen = UiScreen::Question;
                if let Some(question) = questions.get(*current) {
                    let chosen = answers.get(*current).copied().flatten();
                    view.options = question
                        .options
                        .iter()
                        .enumerate()
                        .map(|(i, o)| ItemView {
                            title: o.clone(),
                            enabled: true,
                            selected: chosen == Some(i),
                            ..ItemView::default()
                        })
                        .collect();
                }
            }
            Enrollment::NewClave { keypad, confirming, entered, error, .. } => {
                view.screen = UiScreen::Clave;
                view.identify = map_new_clave(*confirming);
                view.keypad = Some(keypad.keys);
                view.entered = *entered;
                input_error(error, &mut view);
            }
            Enrollment::Code { entry, .. } => code_entry(entry, now, &mut view),
            Enrollment::Setting { .. } => view.screen = UiScreen::Wait,
        },
        Screen::Information(information) => match information {
            Information::Topics => view.screen = UiScreen::Info,
            Information::Table(topic) => {
                view.screen = UiScreen::InfoTable;
                view.rows = tables.rows(*topic, &session.config().payment_limits);
            }
            Information::Calculator { typed, result, error, .. } => {
                view.screen = UiScreen::Calculator;
                view.typed = typed.clone();
                if let Some(result) = result {
                    lookup_rows(result, &mut view);
                }
                input_error(error, &mut view);
            }
        },
        Screen::Delivery(delivery) => delivery_view(delivery, &mut view),
        // The notice screen (`map_notice`).
        Screen::Notice { .. } => view.screen = UiScreen::Notice,
    }
    match session.screen() {
        Screen::Internet(internet) => view.internet = map_internet(internet),
        Screen::Certificates(certificates) => view.certificates = map_certificates(certificates),
        Screen::Requests(requests) => view.requests = map_requests(requests, session.health().host_reachable),
        Screen::Enrollment(enrollment) => view.enrollment = map_enrollment(enrollment),
        Screen::Information(information) => {
            view.information = map_information(information, tables, view.language == "en");
        }
        _ => {}
    }
    view.done = map_done(session.screen()).unwrap_or_default();
    // Whatever step of whichever flow waits shows the one wait screen.
    if let Some(waiting) = map_wait(session.screen()) {
        view.screen = UiScreen::Wait;
        view.waiting = waiting;
    }
    if view.screen == UiScreen::Wait {
        view.end_allowed = session.safe_to_end();
    }
    // Notices come from several flows (a refused payment, an account already affiliated) to one screen.
    if let Some(notice) = map_notice(session.screen(), session.health().host_reachable) {
        view.screen = UiScreen::Notice;
        view.notice_flow = notice;
    }
    view
}

fn payment_view(payment: &Payment, view: &mut View) {
    view.payment = map_payment(payment);
    match payment {
        // The wait screen (`map_wait`).
        Payment::LoadingLoans { .. }
        | Payment::LoadingAccounts { .. }
        | Payment::Quoting { .. }
        | Payment::Processing { .. } => {}
        Payment::Loans { loans } => {
            view.screen = UiScreen::Loans;
            view.items = loans.iter().map(loan_item).collect();
        }
        Payment::NotPayable { loan, .. } => {
            view.screen = UiScreen::NotPayable;
            view.rows = vec![row("loan", format!("{} {}", loan.product_name, loan.number))];
            if let Some(reason) = &loan.kiosk_refusal {
                view.rows.push(row("reason", reason));
            }
            view.rows.push(row("where", "counter"));
        }
        Payment::Loan { loan, options, .. } => {
            view.screen = UiScreen::Loan;
            view.subject = loan.number.clone();
            view.rows = loan_rows(loan);
            view.options = PAYMENT_OPTIONS
                .iter()
                .map(|option| {
                    let enabled = options.iter().any(|(o, possible)| o == option && *possible);
                    let value = if enabled { option_value(loan, *option) } else { String::new() };
                    ItemView { title: option_id(*option).into(), value, enabled, ..ItemView::default() }
                })
                .collect();
        }
        Payment::Installments { order, choices } => {
            view.screen = UiScreen::Installments;
            view.subject = order.loan.number.clone();
            view.items = choices
                .iter()
                .enumerate()
                .map(|(i, amount)| ItemView {
                    title: (i + 1).to_string(),
                    value: amount.to_string(),
                    enabled: true,
                    ..ItemView::default()
                })
                .collect();
        }
        Payment::Amount { order, typed, error } => {
            view.screen = UiScreen::Amount;
            view.subject = option_id(order.option).into();
            view.typed = typed.clone();
            // The valid range, shown before anything is typed (defect 5 of issue 18).
            if let Some(range) = order.loan.terms(order.option).and_then(|t| t.range) {
                view.rows = vec![row("min", range.min), row("max", range.max)];
            }
            input_error(error, view);
        }
        Payment::Accounts { order, accounts } => {
            view.screen = UiScreen::Accounts;
            view.items = accounts.iter().map(|a| debit_account_item(order, a)).collect();
        }
        Payment::Summary { quote, accounts, .. } => {
            view.screen = UiScreen::Summary;
            view.rows = quote_rows(quote, accounts);
        }
        Payment::Done { payment, .. } => {
            view.screen = UiScreen::PaymentDone;
            view.rows = vec![
                row("operation-number", &payment.operation_number),
                row("loan", &payment.loan_number),
                row("option", payment_label(&payment.kind_label)),
                row("amount-paid", payment.amount),
                row("debit", payment.debit),
                row("account", &payment.account_number),
                row("balance-after", payment.account_balance_after),
                row("outstanding-after", payment.loan_outstanding_after),
                row("date", lima_time(payment.at).format("%d/%m/%Y %H:%M")),
            ];
            if let Some(next) = &payment.next_installment {
                view.rows.push(row("next-due", format!("{} · {}", next.due_date.format("%d/%m/%Y"), next.amount)));
            }
            if let Some(exchange) = &payment.exchange {
                view.rows.insert(4, exchange_row(exchange));
            }
        }
        // The notice screen (`map_notice`).
        Payment::Refused { .. } => view.screen = UiScreen::Notice,
    }
}

fn delivery_view(delivery: &Delivery, view: &mut View) {
    view.screen = UiScreen::Delivery;
    // Printing and preparing the QR show the wait screen instead (`map_wait`).
    if let Some(adapter) = map_delivery(&delivery.stage, delivery.printer_ready) {
        view.delivery = adapter;
    }
    match &delivery.stage {
        DeliveryStage::Email { typed, error } => {
            view.typed = typed.clone();
            input_error(error, view);
        }
        DeliveryStage::Qr { payload } => view.qr = payload.clone(),
        _ => {}
    }
}

fn items_model(items: &[ItemView]) -> ModelRc<Item> {
    ModelRc::new(VecModel::from(
        items
            .iter()
            .map(|i| Item {
                title: i.title.as_str().into(),
                detail: i.detail.as_str().into(),
                value: i.value.as_str().into(),
                note: i.note.as_str().into(),
                enabled: i.enabled,
                selected: i.selected,
            })
            .collect::<Vec<_>>(),
    ))
}

/// Writes `view` into the window's `Kiosk` global (and the theme's accessibility modes).
pub fn apply(view: &View, ui: &KioskWindow) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_screen(view.screen);
    let identify = ui.global::<IdentifyFlow>();
    identify.set_keyed(view.identify.keyed);
    identify.set_enrollment(view.identify.enrollment);
    identify.set_clave_step(view.identify.clave);
    let delivery = ui.global::<DeliveryFlow>();
    delivery.set_step(view.delivery.step);
    delivery.set_printer_ready(view.delivery.printer_ready);
    delivery.set_registered_email(view.delivery.registered_email.as_str().into());
    delivery.set_qr_text(view.delivery.qr_text.as_str().into());
    let internet = ui.global::<InternetFlow>();
    internet.set_account_selected(view.internet.account_selected);
    internet.set_consent_ticked(view.internet.consent_ticked);
    internet.set_operation(view.internet.operation);
    internet.set_account(view.internet.account.as_str().into());
    ui.global::<DoneFlow>().set_kind(view.done);
    let certificates = ui.global::<CertificatesFlow>();
    certificates.set_any_selected(view.certificates.any_selected);
    certificates.set_all_loans_allowed(view.certificates.all_loans_allowed);
    let enrollment = ui.global::<EnrollmentFlow>();
    enrollment.set_question_number(view.enrollment.question_number as i32);
    enrollment.set_question_count(view.enrollment.question_count as i32);
    enrollment.set_question(view.enrollment.question.as_str().into());
    enrollment.set_answered(view.enrollment.answered);
    enrollment.set_attempts_left(view.enrollment.attempts_left.map_or(-1, |n| n as i32));
    let requests = ui.global::<RequestsFlow>();
    requests.set_offline(view.requests.offline);
    requests.set_central_reachable(view.requests.central_reachable);
    requests.set_kind(view.requests.kind);
    requests.set_detail_length(view.requests.detail_length as i32);
    requests.set_detail_max(view.requests.detail_max as i32);
    ui.global::<WaitFlow>().set_waiting(view.waiting);
    let payment = ui.global::<PaymentFlow>();
    payment.set_accounts_step(view.payment.accounts_step);
    payment.set_charge(view.payment.charge.as_str().into());
    payment.set_currency(view.payment.currency.as_str().into());
    payment.set_printer_ready(view.payment.printer_ready);
    payment.set_overdue(view.payment.overdue);
    payment.set_exchange(view.payment.exchange);
    payment.set_loan_cancelled(view.payment.loan_cancelled);
    let notice = ui.global::<NoticeFlow>();
    notice.set_kind(view.notice_flow.kind);
    notice.set_answer(view.notice_flow.answer);
    notice.set_refusal_code(view.notice_flow.refusal_code.into());
    notice.set_refusal_message(view.notice_flow.refusal_message.as_str().into());
    notice.set_device(view.notice_flow.device.into());
    notice.set_request(view.notice_flow.request.into());
    notice.set_central_up(view.notice_flow.central_up);
    notice.set_account(view.notice_flow.account.as_str().into());
    notice.set_printed(view.notice_flow.printed);
    notice.set_emailed_to(view.notice_flow.emailed_to.as_str().into());
    kiosk.set_customer(view.customer.as_str().into());
    kiosk.set_subject(view.subject.as_str().into());
    kiosk.set_items(items_model(&view.items));
    kiosk.set_options(items_model(&view.options));
    kiosk.set_rows(ModelRc::new(VecModel::from(
        view.rows
            .iter()
            .map(|(key, value)| Row { key: key.as_str().into(), value: value.as_str().into() })
            .collect::<Vec<_>>(),
    )));
    let information = ui.global::<InformationFlow>();
    information.set_topic(view.information.topic);
    information.set_disclosure(view.information.disclosure.as_str().into());
    information.set_table_columns(ModelRc::new(VecModel::from(
        view.information.table_columns.iter().map(|&c| SharedString::from(c)).collect::<Vec<_>>(),
    )));
    information.set_table(ModelRc::new(VecModel::from(
        view.information
            .table
            .iter()
            .map(|(key, cells)| TableRow {
                key: key.as_str().into(),
                cells: ModelRc::new(VecModel::from(
                    cells.iter().map(|c| SharedString::from(c.as_str())).collect::<Vec<_>>(),
                )),
            })
            .collect::<Vec<_>>(),
    )));
    let keys: Vec<i32> = view.keypad.unwrap_or([1, 2, 3, 4, 5, 6, 7, 8, 9, 0]).iter().map(|&d| i32::from(d)).collect();
    kiosk.set_keypad(ModelRc::new(VecModel::from(keys)));
    kiosk.set_entered(view.entered as i32);
    kiosk.set_secret_length(view.secret_length as i32);
    kiosk.set_typed(view.typed.as_str().into());
    kiosk.set_masked(view.masked.as_str().into());
    kiosk.set_error(view.error.into());
    kiosk.set_error_arg(view.error_arg.as_str().into());
    kiosk.set_attempts_left(view.attempts_left.map_or(-1, |n| n as i32));
    kiosk.set_refusal_code(view.refusal_code.into());
    kiosk.set_keyed_entry_allowed(view.keyed_entry_allowed);
    kiosk.set_end_allowed(view.end_allowed);
    kiosk.set_qr_code(super::qr::image(&view.qr));
    kiosk.set_seconds(view.seconds.map_or(-1, |s| s as i32));
    kiosk.set_out_of_service_note(view.out_of_service_note.as_str().into());
    kiosk.set_offline_requests(view.offline_requests);
    kiosk.set_status_line(view.status_line.as_str().into());
    kiosk.set_customer_notices(ModelRc::new(VecModel::from(
        view.customer_notices.iter().map(|&n| SharedString::from(n)).collect::<Vec<_>>(),
    )));
    kiosk.set_code_minutes(view.code_minutes.map_or(-1, |m| m as i32));
    kiosk.set_out_of_service_reasons(ModelRc::new(VecModel::from(
        view.out_of_service.iter().map(|&r| SharedString::from(r)).collect::<Vec<_>>(),
    )));
    kiosk.set_countdown_visible(view.countdown.is_some());
    kiosk.set_countdown_seconds(view.countdown.unwrap_or(0) as i32);
    kiosk.set_language(view.language.into());
    let audio = ui.global::<AudioFlow>();
    audio.set_on(view.audio.on);
    audio.set_volume(i32::from(view.audio.volume));
    audio.set_max_volume(i32::from(view.audio.max_volume));
    audio.set_blank(view.audio.blank);
    let theme = ui.global::<super::Theme>();
    theme.set_high_contrast(view.high_contrast);
    theme.set_large_text(view.large_text);
}
