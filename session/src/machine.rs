//! The session machine itself: [`Session::handle`] takes one event and the current time and returns the
//! effects; cross-cutting concerns live here (inactivity, Terminar, language, device and host health,
//! answer correlation, zeroization), each flow's transitions in `flows`.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use servicaja_core::channels::{ChannelTable, KioskOperation, LimitPeriod};
use servicaja_core::disclosures::Disclosures;
use servicaja_core::money::{Currency, Money};
use servicaja_core::settings::{Language, SessionSettings, Settings};
use uuid::Uuid;
use zeroize::Zeroize;

use crate::audio::{Audio, AudioConfig, Choice, Cue, KeypadKey, NEXT_PAGE, PREVIOUS_PAGE};
use crate::contract::{Answer, Command, Credentials, ErrorCode, Failure, Profile, Query, ReversalRequest};
use crate::effect::{Effect, EndReason, JournalEntry};
use crate::event::{Action, Device, DeviceStatus, Event, PaperStatus, PrintOutcome, Reader, RequestId, Timer};
use crate::secret::{CardNumber, Dni, SecretDigits, SessionToken};
use crate::state::{
    Certificates, Delivery, DeliveryStage, Enrollment, Internet, Notice, OutOfServiceReason, Payment, Requests, Screen,
    StorageProblem, SwitchOffReason, Then,
};

/// Where the session gets identifiers and keypad shuffles: the shell passes fresh UUIDv7s and entropy;
/// tests pass a counter. The machine itself never reads a random source.
pub trait Supply {
    /// A fresh id for a request, an idempotency key or a print job.
    fn fresh_id(&mut self) -> Uuid;
    /// A seed for one shuffled keypad.
    fn keypad_seed(&mut self) -> u64;
}

/// A deterministic [`Supply`]: ids `00000000-0000-7000-8000-000000000001`, `…2`, … and seeds 1, 2, …
/// For tests and the demo's scripted runs, never for production.
#[derive(Debug, Clone, Default)]
pub struct SequenceSupply {
    next: u64,
}

impl SequenceSupply {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Supply for SequenceSupply {
    fn fresh_id(&mut self) -> Uuid {
        self.next += 1;
        uuid::Builder::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0000 | u128::from(self.next)).into_uuid()
    }

    fn keypad_seed(&mut self) -> u64 {
        self.next += 1;
        self.next
    }
}

/// What the session needs from the kiosk's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionConfig {
    pub timing: SessionSettings,
    pub allow_keyed_card: bool,
    pub allow_keyed_dni: bool,
    /// The language the attract screen returns to after each session.
    pub default_language: Language,
    /// R9: the kiosk's own per-operation payment limits, one per currency (none: only the central checks).
    pub payment_limits: Vec<Money>,
    /// R13 tables for the información calculators (`Disclosures::embedded()` in the kiosk); `None` leaves
    /// the calculators without a result.
    pub disclosures: Option<Arc<Disclosures>>,
    /// Audio mode's longer time limits and volume (issue 17).
    pub audio: AudioConfig,
}

impl SessionConfig {
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            timing: settings.session.clone(),
            allow_keyed_card: settings.kiosk.allow_keyed_card,
            allow_keyed_dni: settings.kiosk.allow_keyed_dni,
            default_language: settings.kiosk.language,
            payment_limits: Vec::new(),
            disclosures: None,
            audio: AudioConfig::from_settings(&settings.audio),
        }
    }

    /// R9: takes the kiosk's per-operation loan-payment limits from the caja's channel table (day and month
    /// limits need the customer's history and stay with the central).
    pub fn with_channel_limits(mut self, table: &ChannelTable) -> Self {
        self.payment_limits = [Currency::PEN, Currency::USD]
            .into_iter()
            .filter_map(|currency| {
                let max = table.kiosk.limit(KioskOperation::LoanPayment, currency, LimitPeriod::Operation)?;
                Some(Money { amount: max, currency })
            })
            .collect();
        self
    }

    pub fn with_disclosures(mut self, disclosures: Disclosures) -> Self {
        self.disclosures = Some(Arc::new(disclosures));
        self
    }

    pub fn limit_for(&self, currency: Currency) -> Option<Money> {
        self.payment_limits.iter().find(|m| m.currency == currency).copied()
    }

    /// `now` plus `seconds`, saturating at the end of chrono's calendar instead of panicking.
    fn after(now: DateTime<Utc>, seconds: u32) -> DateTime<Utc> {
        now.checked_add_signed(Duration::seconds(i64::from(seconds))).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self::from_settings(&Settings::default())
    }
}

/// Secrets kept apart from the screens, wiped at every session end (and on drop, by their types).
#[derive(Default)]
pub(crate) struct Secrets {
    pub card: Option<CardNumber>,
    pub card_typed: SecretDigits,
    pub dni: Option<Dni>,
    pub clave: SecretDigits,
    pub clave_confirm: SecretDigits,
    pub otp: SecretDigits,
    pub token: Option<SessionToken>,
}

impl Secrets {
    fn wipe(&mut self) {
        if let Some(mut card) = self.card.take() {
            card.zeroize();
        }
        self.card_typed.clear();
        self.dni = None;
        self.clave.clear();
        self.clave_confirm.clear();
        self.otp.clear();
        if let Some(mut token) = self.token.take() {
            token.zeroize();
        }
    }

    fn is_clear(&self) -> bool {
        self.card.is_none()
            && self.card_typed.is_empty()
            && self.dni.is_none()
            && self.clave.is_empty()
            && self.clave_confirm.is_empty()
            && self.otp.is_empty()
            && self.token.is_none()
    }
}

impl Clone for Secrets {
    fn clone(&self) -> Self {
        Self {
            card: self.card.clone(),
            card_typed: self.card_typed.clone(),
            dni: self.dni,
            clave: self.clave.clone(),
            clave_confirm: self.clave_confirm.clone(),
            otp: self.otp.clone(),
            token: self.token.clone(),
        }
    }
}

/// The display modes a customer may switch on anywhere; the next customer starts with both off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Accessibility {
    pub high_contrast: bool,
    pub large_text: bool,
}

/// Device and host health as last reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    pub host_reachable: bool,
    /// The technician's out-of-service switch: `Some(reason)` while switched off.
    pub switched_off: Option<SwitchOffReason>,
    /// A technician or staff member is in the maintenance mode, or waits for the customer to finish.
    pub maintenance: bool,
    pub card_reader: DeviceStatus,
    pub document_reader: DeviceStatus,
    pub printer: DeviceStatus,
    pub paper: PaperStatus,
    /// The outbox or the journal cannot be trusted with another operation.
    pub storage: Option<StorageProblem>,
}

impl Default for Health {
    fn default() -> Self {
        Self {
            host_reachable: true,
            switched_off: None,
            maintenance: false,
            card_reader: DeviceStatus::Online,
            document_reader: DeviceStatus::Online,
            printer: DeviceStatus::Online,
            paper: PaperStatus::Full,
            storage: None,
        }
    }
}

/// One input to a flow, after the cross-cutting handling.
#[derive(Debug)]
pub(crate) enum Input {
    Action(Action),
    Card(CardNumber),
    Document(Dni),
    Invalid(Reader),
    ReaderDown(Reader),
    Answer(Answer),
    Printed { job: Uuid, outcome: PrintOutcome },
    QrReady { job: Uuid, payload: Option<String> },
    ResendAllowed,
}

/// The effects collected while handling one event, with the time and the supply.
pub(crate) struct Cx<'a> {
    pub now: DateTime<Utc>,
    pub supply: &'a mut dyn Supply,
    pub fx: Vec<Effect>,
}

/// A customer session at one kiosk: the current screen, the overlay, the language, what the customer has
/// typed (zeroized at the end) and the timers. Create one per kiosk and feed it every event.
#[derive(Clone)]
pub struct Session {
    pub(crate) config: SessionConfig,
    pub(crate) language: Language,
    pub(crate) accessibility: Accessibility,
    pub(crate) audio: Option<Audio>,
    /// The page of a long list the keypad is on (`crate::audio::PAGE_SIZE`); back to 0 with another list.
    pub(crate) list_page: usize,
    /// The letter typed by multi-tap that the same key may still change (`crate::audio::multitap_letters`).
    pub(crate) multitap: Option<crate::audio::MultiTap>,
    pub(crate) screen: Screen,
    pub(crate) countdown_until: Option<DateTime<Utc>>,
    pub(crate) idle_at: Option<DateTime<Utc>>,
    pub(crate) interactive_at: Option<DateTime<Utc>>,
    pub(crate) resend_at: Option<DateTime<Utc>>,
    pub(crate) pending: Option<RequestId>,
    pub(crate) health: Health,
    pub(crate) customer: Option<Profile>,
    pub(crate) masked_card: Option<String>,
    pub(crate) secrets: Secrets,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("screen", &self.screen)
            .field("language", &self.language)
            .field("countdown_until", &self.countdown_until)
            .field("masked_card", &self.masked_card)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

/// The functional form: `step(state, event, now) -> (state, effects)`.
pub fn step(mut session: Session, event: Event, now: DateTime<Utc>, supply: &mut dyn Supply) -> (Session, Vec<Effect>) {
    let effects = session.handle(event, now, supply);
    (session, effects)
}

impl Session {
    pub fn new(config: SessionConfig) -> Self {
        Self {
            language: config.default_language,
            accessibility: Accessibility::default(),
            audio: None,
            list_page: 0,
            multitap: None,
            config,
            screen: Screen::Attract,
            countdown_until: None,
            idle_at: None,
            interactive_at: None,
            resend_at: None,
            pending: None,
            health: Health::default(),
            customer: None,
            masked_card: None,
            secrets: Secrets::default(),
        }
    }

    // ---- what the UI reads ----

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn accessibility(&self) -> Accessibility {
        self.accessibility
    }

    pub fn config(&self) -> &SessionConfig {
        &self.config
    }

    pub fn health(&self) -> &Health {
        &self.health
    }

    /// Seconds left on the "¿Necesita más tiempo?" countdown, when it is showing.
    pub fn countdown_seconds_left(&self, now: DateTime<Utc>) -> Option<i64> {
        self.countdown_until.map(|until| (until - now).num_seconds().max(0))
    }

    pub fn countdown_until(&self) -> Option<DateTime<Utc>> {
        self.countdown_until
    }

    pub fn customer(&self) -> Option<&Profile> {
        self.customer.as_ref()
    }

    /// `**** **** **** 1234` once a card was read or typed.
    pub fn masked_card(&self) -> Option<&str> {
        self.masked_card.as_deref()
    }

    /// While the card number is being typed: all digits but the last four as `•`, grouped by four.
    pub fn keyed_card_preview(&self) -> String {
        let typed = self.secrets.card_typed.expose();
        let shown_from = typed.len().saturating_sub(4);
        let mut out = String::new();
        for (i, c) in typed.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push(' ');
            }
            out.push(if i < shown_from { '•' } else { c });
        }
        out
    }

    /// Whether any card number, clave, OTP, DNI or token is held in memory.
    pub fn holds_secrets(&self) -> bool {
        !self.secrets.is_clear()
    }

    /// Whether a customer-facing session is under way (not the attract or out-of-service screen).
    pub fn is_active(&self) -> bool {
        !matches!(self.screen, Screen::Attract | Screen::OutOfService { .. })
    }

    /// Whether the customer may end the session now (Terminar) without leaving anything half done: no command
    /// is at the central (a payment, an affiliation, a constancia, a request, the enrollment answers or the new
    /// clave) and no receipt is printing. A read under way (loading, verifying the clave, sending the SMS code)
    /// is simply dropped: its late answer is ignored.
    pub fn safe_to_end(&self) -> bool {
        !matches!(
            self.screen,
            Screen::Payment(Payment::Processing { .. })
                | Screen::Internet(Internet::Processing { .. })
                | Screen::Certificates(Certificates::Processing { .. })
                | Screen::Requests(Requests::Processing { .. })
                | Screen::Enrollment(Enrollment::Checking { .. } | Enrollment::Setting { .. })
                | Screen::Delivery(Delivery { stage: DeliveryStage::Printing { .. }, .. })
        )
    }

    /// Whether the printer can print now (status and paper).
    pub fn printer_ready(&self) -> bool {
        self.health.printer.usable() && matches!(self.health.paper, PaperStatus::Full | PaperStatus::Low)
    }

    /// Why the kiosk cannot serve customers now; empty when it can.
    pub fn out_of_service_reasons(&self) -> Vec<OutOfServiceReason> {
        let mut reasons = Vec::new();
        if let Some(reason) = &self.health.switched_off {
            reasons.push(OutOfServiceReason::SwitchedOff(reason.clone()));
        }
        if self.health.maintenance {
            reasons.push(OutOfServiceReason::Maintenance);
        }
        if let Some(problem) = self.health.storage {
            reasons.push(OutOfServiceReason::Storage(problem));
        }
        if !self.health.host_reachable {
            reasons.push(OutOfServiceReason::HostUnreachable);
        }
        if !self.health.card_reader.usable() && !self.config.allow_keyed_card {
            reasons.push(OutOfServiceReason::Device { device: Device::CardReader, status: self.health.card_reader });
        }
        if !self.health.document_reader.usable() && !self.config.allow_keyed_dni {
            reasons.push(OutOfServiceReason::Device {
                device: Device::DocumentReader,
                status: self.health.document_reader,
            });
        }
        reasons
    }

    /// The earliest armed timer deadline (for shells that prefer polling to timer effects).
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        [self.idle_at, self.countdown_until, self.interactive_at, self.resend_at].into_iter().flatten().min()
    }

    // ---- the machine ----

    /// Handles one event at time `now`; returns what the shell must do, in order.
    pub fn handle(&mut self, event: Event, now: DateTime<Utc>, supply: &mut dyn Supply) -> Vec<Effect> {
        let before = (
            self.screen.clone(),
            self.countdown_until,
            self.language,
            self.accessibility,
            self.health.clone(),
            self.audio,
            self.list_page,
        );
        let mut cx = Cx { now, supply, fx: Vec::new() };
        self.dispatch(event, &mut cx);
        if crate::audio::page_scope(&before.0) != crate::audio::page_scope(&self.screen) {
            self.list_page = 0;
            self.multitap = None;
        }
        // In audio mode a new screen (or a new language) is said as soon as it shows, whatever brought it.
        let spoken = cx.fx.iter().any(|effect| matches!(effect, Effect::Speak(_)));
        if self.audio.is_some() && !spoken && (before.0 != self.screen || before.2 != self.language) {
            cx.fx.push(Effect::Speak(Cue::Screen));
        }
        // A page turned is drawn too: the shell scrolls the list to the options the keys now choose.
        let after = (
            &self.screen,
            self.countdown_until,
            self.language,
            self.accessibility,
            &self.health,
            self.audio,
            self.list_page,
        );
        if (&before.0, before.1, before.2, before.3, &before.4, before.5, before.6) != after {
            cx.fx.push(Effect::Render);
        }
        cx.fx
    }

    fn dispatch(&mut self, event: Event, cx: &mut Cx<'_>) {
        match event {
            Event::TimerFired(timer) => self.on_timer(timer, cx),
            Event::Keypad(key) => self.on_keypad(key, cx),
            Event::Host { reachable } => {
                self.health.host_reachable = reachable;
                self.refresh_home();
            }
            Event::Storage { problem } => {
                self.health.storage = problem;
                // No further money moves: the menu starts no new operation (what is under way finishes).
                self.refresh_home();
            }
            Event::ServiceSwitch { out_of_service } => {
                self.health.switched_off = out_of_service;
                self.refresh_home();
            }
            Event::Maintenance { active } => {
                self.health.maintenance = active;
                self.refresh_home();
            }
            Event::Device { device, status } => {
                match device {
                    Device::CardReader => self.health.card_reader = status,
                    Device::DocumentReader => self.health.document_reader = status,
                    Device::Printer => self.health.printer = status,
                }
                if !status.usable() {
                    match device {
                        Device::CardReader => self.route(Input::ReaderDown(Reader::Card), cx),
                        Device::DocumentReader => self.route(Input::ReaderDown(Reader::Document), cx),
                        Device::Printer => {}
                    }
                }
                self.refresh_home();
            }
            Event::Paper(paper) => self.health.paper = paper,
            Event::Central { request, answer } => {
                if self.pending == Some(request) {
                    self.pending = None;
                    self.disarm(Timer::Interactive, cx);
                    self.route(Input::Answer(answer), cx);
                }
            }
            Event::Printed { job, outcome } => self.route(Input::Printed { job, outcome }, cx),
            Event::QrReady { job, payload } => self.route(Input::QrReady { job, payload }, cx),
            Event::Ui(Action::Terminate) => {
                if self.is_active() {
                    self.end(EndReason::Customer, cx);
                }
            }
            Event::Ui(Action::SetLanguage(language)) => {
                self.language = language;
                self.activity(cx);
            }
            Event::Ui(Action::SetHighContrast(on)) => {
                self.accessibility.high_contrast = on;
                self.activity(cx);
            }
            Event::Ui(Action::SetLargeText(on)) => {
                self.accessibility.large_text = on;
                self.activity(cx);
            }
            Event::Ui(Action::MoreTime) | Event::Activity => self.activity(cx),
            Event::Ui(action) => {
                // A touch on the on-screen keyboard settles a letter the keypad was still cycling.
                self.multitap = None;
                self.activity(cx);
                self.route(Input::Action(action), cx);
            }
            Event::CardRead(card) => {
                self.activity(cx);
                self.route(Input::Card(card), cx);
            }
            Event::DocumentRead(dni) => {
                self.activity(cx);
                self.route(Input::Document(dni), cx);
            }
            Event::InvalidMedia(reader) => {
                self.activity(cx);
                self.route(Input::Invalid(reader), cx);
            }
        }
    }

    fn route(&mut self, input: Input, cx: &mut Cx<'_>) {
        let was_active = self.is_active();
        let screen = std::mem::replace(&mut self.screen, Screen::Attract);
        let next = self.flow(screen, input, cx);
        self.screen = next;
        if !was_active && self.is_active() {
            self.activity(cx);
        }
    }

    fn on_timer(&mut self, timer: Timer, cx: &mut Cx<'_>) {
        let due = |at: Option<DateTime<Utc>>| at.is_some_and(|at| cx.now >= at);
        match timer {
            Timer::Idle if due(self.idle_at) => {
                self.idle_at = None;
                if !self.is_active() {
                    return;
                }
                if self.waiting() {
                    // The customer is watching a progress indicator: not idle.
                    self.arm_idle(cx);
                    return;
                }
                let seconds = match self.audio {
                    Some(_) => self.config.audio.countdown_seconds,
                    None => self.config.timing.countdown_seconds,
                };
                let until = SessionConfig::after(cx.now, seconds);
                self.countdown_until = Some(until);
                cx.fx.push(Effect::StartTimer { timer: Timer::Countdown, at: until });
                if self.audio.is_some() {
                    cx.fx.push(Effect::Speak(Cue::Countdown));
                }
            }
            Timer::Countdown if due(self.countdown_until) => {
                self.countdown_until = None;
                if self.is_active() {
                    self.end(EndReason::Inactivity, cx);
                }
            }
            Timer::Interactive if due(self.interactive_at) => {
                self.interactive_at = None;
                if self.pending.take().is_some() {
                    self.route(Input::Answer(Err(Failure::NoAnswer)), cx);
                } else if let Screen::Delivery(Delivery { stage: DeliveryStage::Printing { job, .. }, .. }) =
                    &self.screen
                {
                    let job = *job;
                    self.route(Input::Printed { job, outcome: PrintOutcome::Failed }, cx);
                }
            }
            Timer::OtpResend if due(self.resend_at) => {
                self.resend_at = None;
                self.route(Input::ResendAllowed, cx);
            }
            _ => {}
        }
    }

    /// A key of the tactile keypad. In audio mode any key interrupts the speech first; every key counts as
    /// activity (it extends the time limit).
    fn on_keypad(&mut self, key: KeypadKey, cx: &mut Cx<'_>) {
        if self.audio.is_some() {
            cx.fx.push(Effect::StopSpeaking);
        }
        let before = self.screen.clone();
        let speak = |cue, cx: &mut Cx<'_>| cx.fx.push(Effect::Speak(cue));
        match key {
            KeypadKey::Audio => {
                let volume = self.audio.map_or(self.config.audio.default_volume, |audio| audio.volume);
                self.audio = Some(Audio { volume });
                self.activity(cx);
                speak(Cue::Welcome, cx);
                return;
            }
            KeypadKey::Repeat => {
                self.activity(cx);
                speak(Cue::Screen, cx);
                return;
            }
            KeypadKey::Help => {
                self.activity(cx);
                speak(Cue::Help, cx);
                return;
            }
            KeypadKey::VolumeUp | KeypadKey::VolumeDown => {
                self.activity(cx);
                if let Some(audio) = self.audio.as_mut() {
                    let max = self.config.audio.max_volume.max(1);
                    audio.volume = match key {
                        KeypadKey::VolumeUp => audio.volume.saturating_add(1).min(max),
                        _ => audio.volume.saturating_sub(1).max(1),
                    };
                    let volume = audio.volume;
                    speak(Cue::Volume(volume), cx);
                }
                return;
            }
            _ => {}
        }
        if self.keypad_typing() == Some(crate::audio::Typing::Text) && self.text_key(key, cx) {
            return;
        }
        self.multitap = None;
        let typing = self.keypad_typing().is_some();
        let action = match key {
            KeypadKey::Enter => Some(self.keypad_enter()),
            KeypadKey::Cancel => Some(self.keypad_cancel()),
            _ if typing => crate::audio::typed_key(key).map(Action::Key),
            KeypadKey::Digit(d) => {
                let page = self.keypad_page();
                let turn = match d {
                    NEXT_PAGE if page.pages > 1 => Some((page.page + 1) % page.pages),
                    PREVIOUS_PAGE if page.page > 0 => Some(page.page - 1),
                    _ => None,
                };
                if let Some(to) = turn {
                    self.list_page = to;
                    self.activity(cx);
                    if self.audio.is_some() {
                        speak(Cue::Page, cx);
                    }
                    return;
                }
                let choice = page.choices.iter().find(|(key, _)| *key == d).map(|(_, choice)| *choice);
                match choice {
                    Some(Choice::Act(action)) => Some(action),
                    Some(Choice::ReadDocument) => {
                        self.activity(cx);
                        speak(Cue::Document, cx);
                        return;
                    }
                    None => {
                        self.activity(cx);
                        if self.audio.is_some() {
                            speak(Cue::NoSuchOption, cx);
                        }
                        return;
                    }
                }
            }
            _ => None,
        };
        match action {
            Some(action) => self.dispatch(Event::Ui(action), cx),
            None => self.activity(cx),
        }
        if self.audio.is_some() {
            let typed = typing && matches!(key, KeypadKey::Digit(_) | KeypadKey::Point | KeypadKey::Clear);
            if typed && self.keypad_typing().is_some() {
                speak(Cue::Typed, cx);
            } else if self.screen == before && key == KeypadKey::Enter {
                // Enter that changed nothing (a clave not yet complete): say again what is asked.
                speak(Cue::Screen, cx);
            }
        }
    }

    /// Whether the customer is waiting on the central or the printer.
    fn waiting(&self) -> bool {
        self.pending.is_some()
            || matches!(self.screen, Screen::Delivery(Delivery { stage: DeliveryStage::Printing { .. }, .. }))
    }

    /// Customer activity: restarts the idle timer and hides the countdown.
    pub(crate) fn activity(&mut self, cx: &mut Cx<'_>) {
        if !self.is_active() {
            return;
        }
        if self.countdown_until.take().is_some() {
            cx.fx.push(Effect::CancelTimer(Timer::Countdown));
        }
        self.arm_idle(cx);
    }

    fn arm_idle(&mut self, cx: &mut Cx<'_>) {
        let seconds = match self.audio {
            Some(_) => self.config.audio.idle_seconds,
            None => self.config.timing.idle_seconds,
        };
        let at = SessionConfig::after(cx.now, seconds);
        self.idle_at = Some(at);
        cx.fx.push(Effect::StartTimer { timer: Timer::Idle, at });
    }

    pub(crate) fn arm_resend(&mut self, cx: &mut Cx<'_>) -> DateTime<Utc> {
        let at = SessionConfig::after(cx.now, self.config.timing.otp_resend_seconds);
        self.resend_at = Some(at);
        cx.fx.push(Effect::StartTimer { timer: Timer::OtpResend, at });
        at
    }

    pub(crate) fn arm_interactive(&mut self, cx: &mut Cx<'_>) -> DateTime<Utc> {
        let at = SessionConfig::after(cx.now, self.config.timing.interactive_timeout_seconds);
        self.interactive_at = Some(at);
        cx.fx.push(Effect::StartTimer { timer: Timer::Interactive, at });
        at
    }

    pub(crate) fn disarm(&mut self, timer: Timer, cx: &mut Cx<'_>) {
        let slot = match timer {
            Timer::Idle => &mut self.idle_at,
            Timer::Countdown => &mut self.countdown_until,
            Timer::Interactive => &mut self.interactive_at,
            Timer::OtpResend => &mut self.resend_at,
        };
        if slot.take().is_some() {
            cx.fx.push(Effect::CancelTimer(timer));
        }
    }

    /// Forget an answer the customer no longer waits for (Back from a loading screen).
    pub(crate) fn abandon_pending(&mut self, cx: &mut Cx<'_>) {
        self.pending = None;
        self.disarm(Timer::Interactive, cx);
    }

    pub(crate) fn query(&mut self, query: Query, cx: &mut Cx<'_>) -> RequestId {
        let request = cx.supply.fresh_id();
        self.pending = Some(request);
        self.arm_interactive(cx);
        cx.fx.push(Effect::Query { request, token: self.secrets.token.clone(), query });
        request
    }

    pub(crate) fn submit(
        &mut self,
        command: Command,
        interactive: bool,
        credentials: Credentials,
        cx: &mut Cx<'_>,
    ) -> RequestId {
        let key = cx.supply.fresh_id();
        self.submit_with_key(key, command, interactive, credentials, cx);
        key
    }

    /// For commands that must name their own key inside the body (a payment's `operation_id`).
    pub(crate) fn submit_with_key(
        &mut self,
        key: RequestId,
        command: Command,
        interactive: bool,
        credentials: Credentials,
        cx: &mut Cx<'_>,
    ) {
        if interactive {
            self.pending = Some(key);
            self.arm_interactive(cx);
        }
        cx.fx.push(Effect::Submit { key, token: self.secrets.token.clone(), command, interactive, credentials });
    }

    /// The durable cancellation of a payment whose customer left before its outcome: reversed whatever it
    /// reached.
    pub(crate) fn reverse_payment(&mut self, operation_id: Uuid, reason: &str, cx: &mut Cx<'_>) {
        let request = ReversalRequest { reason: reason.to_owned() };
        let command = Command::ReversePayment { operation_id, request };
        let reversal_key = self.submit(command, false, Credentials::default(), cx);
        cx.fx.push(Effect::Journal(JournalEntry::PaymentReversed { original_key: operation_id, reversal_key }));
    }

    /// The screen a customer finds when no session runs.
    pub(crate) fn home(&self) -> Screen {
        let reasons = self.out_of_service_reasons();
        if reasons.is_empty() { Screen::Attract } else { Screen::OutOfService { reasons } }
    }

    fn refresh_home(&mut self) {
        if !self.is_active() {
            self.screen = self.home();
        }
    }

    /// Ends the customer's session: reverses a payment still in flight, zeroizes every secret, cancels the
    /// timers, returns to the attract (or out-of-service) screen in the default language.
    pub(crate) fn end(&mut self, reason: EndReason, cx: &mut Cx<'_>) {
        if let Screen::Payment(Payment::Processing { key, .. }) = &self.screen {
            let key = *key;
            self.reverse_payment(key, "customer_left", cx);
        }
        self.pending = None;
        for timer in [Timer::Idle, Timer::Countdown, Timer::Interactive, Timer::OtpResend] {
            self.disarm(timer, cx);
        }
        self.secrets.wipe();
        self.customer = None;
        self.masked_card = None;
        self.language = self.config.default_language;
        self.accessibility = Accessibility::default();
        // Audio mode and its volume are the customer's: the next one starts silent at the default volume.
        if self.audio.take().is_some() {
            cx.fx.push(Effect::Speak(Cue::Ended(reason)));
        }
        cx.fx.push(Effect::Journal(JournalEntry::SessionEnded { reason }));
        cx.fx.push(Effect::SessionEnded { reason });
        self.screen = self.home();
    }

    /// "No" to "¿Desea realizar otra operación?": the session ends the normal way (card and document
    /// returned, goodbye).
    pub(crate) fn no_other_operation(&mut self, cx: &mut Cx<'_>) -> Screen {
        self.end(EndReason::Finished, cx);
        self.home()
    }

    /// Follows a notice's or a delivery's `then`.
    pub(crate) fn go(&mut self, then: Then, cx: &mut Cx<'_>) -> Screen {
        match then {
            Then::Menu | Then::Another if self.customer.is_some() => Screen::Menu,
            Then::Menu | Then::Another | Then::Start | Then::End => {
                self.end(EndReason::Finished, cx);
                self.home()
            }
        }
    }

    /// What most flows do with a failure they have no special screen for.
    pub(crate) fn refusal(&mut self, failure: Failure) -> Screen {
        let then = if self.customer.is_some() { Then::Menu } else { Then::End };
        let problem = match failure {
            Failure::NoAnswer => return Screen::Notice { notice: Notice::ServiceUnavailable, then },
            Failure::Refused(problem) => problem,
        };
        let notice = match problem.code {
            ErrorCode::SessionExpired | ErrorCode::SessionRequired => {
                return Screen::Notice { notice: Notice::SessionExpired, then: Then::End };
            }
            ErrorCode::CardLocked => return Screen::Notice { notice: Notice::CardLocked, then: Then::End },
            ErrorCode::EnrollmentBlocked => {
                return Screen::Notice { notice: Notice::EnrollmentBlocked, then: Then::End };
            }
            code if code.is_transient() => Notice::ServiceUnavailable,
            ErrorCode::OverdueFirst => Notice::OverdueFirst,
            ErrorCode::AlreadyAffiliated => Notice::AlreadyAffiliated { account: None },
            code => Notice::Refused { code, message: problem.message },
        };
        Screen::Notice { notice, then }
    }

    /// The customer's name on documents, as the central's profile gives it (empty before identification).
    pub(crate) fn customer_name(&self) -> String {
        self.customer.as_ref().map(|customer| customer.name.clone()).unwrap_or_default()
    }

    pub(crate) fn journal(&mut self, entry: JournalEntry, cx: &mut Cx<'_>) {
        cx.fx.push(Effect::Journal(entry));
    }

    pub(crate) fn new_keypad(&self, cx: &mut Cx<'_>) -> crate::keypad::ShuffledKeypad {
        crate::keypad::ShuffledKeypad::from_seed(cx.supply.keypad_seed())
    }
}
