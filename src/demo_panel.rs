//! The demo mode's "simulated hardware" window (`ui/demo_panel.slint`): a developer tool beside the kiosk
//! that swipes a fixture customer's card and presents their DNI through the emulators (real ISO 7813 tracks
//! with their LRCs, a real TD1 MRZ with its check digits), sets the printer's paper, cover and line, pulls
//! the card reader's cable, and shows the SMS and e-mails the central simulator "sent" and the last receipt
//! the emulated printer cut.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use servicaja_central::Fixtures;
use servicaja_core::api::{OutboxChannel, OutboxMessage, paths};
use servicaja_core::identity::card::CardNumber;
use servicaja_core::identity::mrz::{TD1_LINE_CHARS, check_digit};
use servicaja_core::identity::track::{TrackId, compute_lrc};
use servicaja_drivers::emulator::{EmulatorControl, Receipt, SimPaper, png};
use servicaja_drivers::status::DeviceKind;
use servicaja_host::HostClient;
use slint::{ComponentHandle, ModelRc, SharedPixelBuffer, VecModel};

use servicaja_ui::{DemoCustomer, DemoPanel, KioskWindow};

/// The expiry every simulated card carries (YYMM) and its service code (magnetic stripe, international,
/// normal authorisation): fixture cards never expire during a demo.
const CARD_EXPIRY_YYMM: &str = "3012";
const CARD_SERVICE_CODE: &str = "101";
/// The expiry printed on every simulated DNI.
const DNI_EXPIRY: (i32, u32, u32) = (2031, 12, 31);
/// Surname on the simulated cards and documents: the fixtures only carry a given name.
const DEMO_SURNAME: &str = "DEMO";
/// Longest e-mail body the panel shows.
const EMAIL_BODY_CHARS: usize = 600;

/// A fixture customer of the central simulator, as the panel needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureCustomer {
    pub name: String,
    pub card: String,
    pub dni: String,
    pub clave: String,
    pub birth_date: NaiveDate,
    pub card_locked: bool,
}

/// The customers of the simulator's embedded fixtures (`config/central/fixtures.toml`), in file order.
pub fn fixture_customers() -> Result<Vec<FixtureCustomer>, String> {
    let fixtures = Fixtures::parse(servicaja_central::DEFAULT_FIXTURES).map_err(|err| err.to_string())?;
    Ok(fixtures
        .customers
        .into_iter()
        .map(|customer| FixtureCustomer {
            name: customer.name,
            card: customer.card,
            dni: customer.dni,
            clave: customer.clave,
            birth_date: customer.birth_date,
            card_locked: customer.card_locked,
        })
        .collect())
}

/// Why a simulated card or document could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("{0} cannot be written on a card's magnetic stripe")]
    NotTrackCharacters(&'static str),
    #[error("{0} cannot be written in a machine-readable zone")]
    NotMrzCharacters(&'static str),
    #[error("the DNI must have 8 digits")]
    Dni,
}

/// A track record with its start sentinel, end sentinel `?` and LRC.
fn track_with_lrc(track: TrackId, record: String, what: &'static str) -> Result<String, BuildError> {
    let lrc = compute_lrc(track, record.as_bytes()).ok_or(BuildError::NotTrackCharacters(what))?;
    Ok(format!("{record}{}", char::from(lrc)))
}

/// The line a card reader that sends LRCs puts out for one swipe of an ISO 7813 card: track 1 (format B:
/// number, `SURNAME/GIVEN`, expiry, service code, discretionary data) then track 2, each followed by its
/// LRC character.
pub fn card_swipe_line(pan: &str, surname: &str, given_name: &str) -> Result<String, BuildError> {
    let discretionary = "0000000000000";
    let name = format!("{surname}/{given_name}").to_ascii_uppercase();
    let track1 = format!("%B{pan}^{name}^{CARD_EXPIRY_YYMM}{CARD_SERVICE_CODE}{discretionary}?");
    let track2 = format!(";{pan}={CARD_EXPIRY_YYMM}{CARD_SERVICE_CODE}{}?", &discretionary[..11]);
    Ok(format!(
        "{}{}",
        track_with_lrc(TrackId::Track1, track1, "the card number or the holder's name")?,
        track_with_lrc(TrackId::Track2, track2, "the card number")?
    ))
}

/// `text` in upper case with spaces and hyphens as `<`, refused when it holds anything else.
fn mrz_text(text: &str, what: &'static str) -> Result<String, BuildError> {
    let upper = text.trim().to_ascii_uppercase().replace([' ', '-'], "<");
    if upper.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<') {
        Ok(upper)
    } else {
        Err(BuildError::NotMrzCharacters(what))
    }
}

/// `field` padded with `<` to `width`, or cut to it (as a document's printer truncates long names).
fn padded(field: &str, width: usize) -> String {
    let mut padded: String = field.chars().take(width).collect();
    while padded.len() < width {
        padded.push('<');
    }
    padded
}

fn mrz_check(field: &str, what: &'static str) -> Result<char, BuildError> {
    let digit = check_digit(field.as_bytes()).ok_or(BuildError::NotMrzCharacters(what))?;
    Ok(char::from(b'0' + digit))
}

fn yymmdd(date: NaiveDate) -> String {
    format!("{:02}{:02}{:02}", date.year().rem_euclid(100), date.month(), date.day())
}

/// The three 30-character lines of the machine-readable zone of a Peruvian DNIe (ICAO 9303 TD1, `I<PER`)
/// for `dni`, with every check digit and the composite computed as the document's issuer does.
pub fn dni_mrz(
    dni: &str,
    surname: &str,
    given_names: &str,
    birth_date: NaiveDate,
    expiry_date: NaiveDate,
) -> Result<[String; 3], BuildError> {
    if dni.len() != 8 || !dni.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BuildError::Dni);
    }
    let number = padded(dni, 9);
    let optional_1 = padded("", 15);
    let line1 = format!("I<PER{number}{}{optional_1}", mrz_check(&number, "the DNI")?);

    let birth = yymmdd(birth_date);
    let expiry = yymmdd(expiry_date);
    let optional_2 = padded("", 11);
    let composite = format!(
        "{number}{}{optional_1}{birth}{}{expiry}{}{optional_2}",
        mrz_check(&number, "the DNI")?,
        mrz_check(&birth, "the birth date")?,
        mrz_check(&expiry, "the expiry date")?
    );
    let line2 = format!(
        "{birth}{}<{expiry}{}PER{optional_2}{}",
        mrz_check(&birth, "the birth date")?,
        mrz_check(&expiry, "the expiry date")?,
        mrz_check(&composite, "the composite")?
    );
    let names = format!("{}<<{}", mrz_text(surname, "the surname")?, mrz_text(given_names, "the given names")?);
    Ok([line1, line2, padded(&names, TD1_LINE_CHARS)])
}

/// What the panel does to the emulated world; one method per button, each returning what to tell the user.
#[derive(Clone)]
pub struct PanelActions {
    emulators: EmulatorControl,
    customers: Arc<Vec<FixtureCustomer>>,
}

/// The outcome of an action: a kind the window phrases in the chosen language, and its detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub kind: &'static str,
    pub detail: String,
}

impl Outcome {
    fn done(kind: &'static str) -> Self {
        Self { kind, detail: String::new() }
    }

    fn error(err: impl ToString) -> Self {
        Self { kind: "error", detail: err.to_string() }
    }
}

impl PanelActions {
    pub fn new(emulators: EmulatorControl, customers: Vec<FixtureCustomer>) -> Self {
        Self { emulators, customers: Arc::new(customers) }
    }

    fn customer(&self, index: i32) -> Result<&FixtureCustomer, Outcome> {
        usize::try_from(index)
            .ok()
            .and_then(|index| self.customers.get(index))
            .ok_or_else(|| Outcome::error("choose a customer first"))
    }

    /// Swipes the customer's card through the emulated reader.
    pub fn swipe_card(&self, index: i32) -> Outcome {
        let customer = match self.customer(index) {
            Ok(customer) => customer,
            Err(outcome) => return outcome,
        };
        let swiped = card_swipe_line(&customer.card, DEMO_SURNAME, &customer.name)
            .map_err(Outcome::error)
            .and_then(|line| self.emulators.swipe_raw(&line).map_err(Outcome::error));
        match swiped {
            Ok(()) => Outcome { kind: "card", detail: masked(&customer.card) },
            Err(outcome) => outcome,
        }
    }

    /// Shows the customer's DNI to the emulated document reader.
    pub fn present_dni(&self, index: i32) -> Outcome {
        let customer = match self.customer(index) {
            Ok(customer) => customer,
            Err(outcome) => return outcome,
        };
        let (year, month, day) = DNI_EXPIRY;
        let expiry = NaiveDate::from_ymd_opt(year, month, day).unwrap_or(customer.birth_date);
        let presented = dni_mrz(&customer.dni, DEMO_SURNAME, &customer.name, customer.birth_date, expiry)
            .map_err(Outcome::error)
            .and_then(|lines| {
                let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
                self.emulators.present_document(&lines).map_err(Outcome::error)
            });
        match presented {
            Ok(()) => Outcome { kind: "dni", detail: customer.dni.clone() },
            Err(outcome) => outcome,
        }
    }

    pub fn send_garbage(&self, kind: DeviceKind) -> Outcome {
        match self.emulators.send_garbage(kind) {
            Ok(()) if kind == DeviceKind::CardReader => Outcome::done("garbage-card"),
            Ok(()) => Outcome::done("garbage-dni"),
            Err(err) => Outcome::error(err),
        }
    }

    /// `paper` is `ok`, `low` or `out`.
    pub fn set_paper(&self, paper: &str) -> Outcome {
        let (sim, kind) = match paper {
            "ok" => (SimPaper::Ok, "paper-ok"),
            "low" => (SimPaper::Low, "paper-low"),
            "out" => (SimPaper::Out, "paper-out"),
            other => return Outcome::error(format!("unknown paper state {other:?}")),
        };
        self.emulators.set_paper(sim);
        Outcome::done(kind)
    }

    pub fn set_cover_open(&self, open: bool) -> Outcome {
        self.emulators.set_cover_open(open);
        Outcome::done(if open { "cover-open" } else { "cover-closed" })
    }

    pub fn set_offline(&self, offline: bool) -> Outcome {
        self.emulators.set_offline(offline);
        Outcome::done(if offline { "offline" } else { "online" })
    }

    pub fn set_card_reader_plugged(&self, plugged: bool) -> Outcome {
        if !plugged {
            self.emulators.unplug(DeviceKind::CardReader);
            return Outcome::done("reader-unplugged");
        }
        match self.emulators.plug(DeviceKind::CardReader) {
            Ok(()) => Outcome::done("reader-plugged"),
            Err(err) => Outcome::error(err),
        }
    }
}

fn masked(card: &str) -> String {
    CardNumber::parse(card).map_or_else(|_| "****".to_string(), |card| card.masked())
}

fn customer_rows(customers: &[FixtureCustomer]) -> Vec<DemoCustomer> {
    customers
        .iter()
        .map(|customer| DemoCustomer {
            name: customer.name.as_str().into(),
            card: masked(&customer.card).into(),
            dni: customer.dni.as_str().into(),
            clave: customer.clave.as_str().into(),
            card_locked: customer.card_locked,
        })
        .collect()
}

/// Connects the window's buttons to `actions`; every outcome is shown on the window's status line.
pub fn connect(panel: &DemoPanel, actions: &PanelActions, customers: &[FixtureCustomer]) {
    panel.set_customers(ModelRc::new(VecModel::from(customer_rows(customers))));
    let show = {
        let weak = panel.as_weak();
        move |outcome: Outcome| {
            if let Some(panel) = weak.upgrade() {
                panel.set_status_kind(outcome.kind.into());
                panel.set_status_detail(outcome.detail.into());
            }
        }
    };
    let (a, s) = (actions.clone(), show.clone());
    panel.on_swipe_card(move |index| s(a.swipe_card(index)));
    let (a, s) = (actions.clone(), show.clone());
    panel.on_present_dni(move |index| s(a.present_dni(index)));
    let (a, s) = (actions.clone(), show.clone());
    panel.on_swipe_garbage(move || s(a.send_garbage(DeviceKind::CardReader)));
    let (a, s) = (actions.clone(), show.clone());
    panel.on_present_garbage(move || s(a.send_garbage(DeviceKind::DocumentReader)));
    let (a, s) = (actions.clone(), show.clone());
    panel.on_set_paper(move |paper| s(a.set_paper(&paper)));
    let (a, s) = (actions.clone(), show.clone());
    panel.on_set_cover_open(move |open| s(a.set_cover_open(open)));
    let (a, s) = (actions.clone(), show.clone());
    panel.on_set_offline(move |offline| s(a.set_offline(offline)));
    let (a, s) = (actions.clone(), show);
    panel.on_set_card_reader_plugged(move |plugged| s(a.set_card_reader_plugged(plugged)));
}

/// Shows the newest receipt once each time the printer cuts another.
#[derive(Default)]
struct ReceiptWatch {
    shown: usize,
}

impl ReceiptWatch {
    fn refresh(&mut self, panel: &DemoPanel, receipts: &[Receipt], columns: usize) {
        if receipts.len() != self.shown
            && let Some(last) = receipts.last()
        {
            show_receipt(panel, last, columns, receipts.len());
            self.shown = receipts.len();
        }
    }
}

/// The receipt as the panel shows it: its text and the emulator's PNG rendering as pixels.
fn show_receipt(panel: &DemoPanel, receipt: &Receipt, columns: usize, count: usize) {
    let gray = png::render(receipt, u32::try_from(columns).unwrap_or(48));
    let mut pixels = SharedPixelBuffer::<slint::Rgb8Pixel>::new(gray.width(), gray.height());
    for (target, source) in pixels.make_mut_slice().iter_mut().zip(gray.pixels()) {
        let level = source.0[0];
        *target = slint::Rgb8Pixel::new(level, level, level);
    }
    panel.set_receipt_image(slint::Image::from_rgb8(pixels));
    panel.set_receipt_text(receipt.plain_text(columns).into());
    panel.set_receipt_count(i32::try_from(count).unwrap_or(i32::MAX));
}

fn show_outbox(panel: &DemoPanel, messages: &[OutboxMessage]) {
    let time = |message: &OutboxMessage| message.at.with_timezone(&chrono::Local).format("%H:%M:%S").to_string();
    // The outbox lists the newest first.
    if let Some(sms) = messages.iter().find(|message| message.channel == OutboxChannel::Sms) {
        panel.set_sms_to(sms.to.as_str().into());
        panel.set_sms_at(time(sms).into());
        panel.set_sms_body(sms.body.as_str().into());
    }
    if let Some(email) = messages.iter().find(|message| message.channel == OutboxChannel::Email) {
        panel.set_email_to(email.to.as_str().into());
        panel.set_email_at(time(email).into());
        panel.set_email_subject(email.subject.as_str().into());
        let mut body: String = email.body.chars().take(EMAIL_BODY_CHARS).collect();
        if email.body.chars().count() > EMAIL_BODY_CHARS {
            body.push('…');
        }
        panel.set_email_body(body.into());
    }
}

/// The environment variable that draws the demo kiosk's window smaller (`0.7`: at 70 %), for a screen that
/// cannot hold the 1280x1024 kiosk and the panel side by side (a 1366x768 laptop).
pub const DEMO_ZOOM: &str = "SERVICAJA_DEMO_ZOOM";

/// The zoom asked for in `value`, when it is a number from 0.4 to 1 (anything else: the kiosk at full size).
fn demo_zoom(value: Option<&str>) -> Option<f32> {
    let zoom: f32 = value?.trim().parse().ok()?;
    (0.4..1.0).contains(&zoom).then_some(zoom)
}

/// The kiosk's 1280x1024 window drawn at `zoom`, in pixels.
fn zoomed(zoom: f32) -> slint::PhysicalSize {
    slint::PhysicalSize::new((1280.0 * zoom).round() as u32, (1024.0 * zoom).round() as u32)
}

/// The open panel; dropping it closes the window and stops its refresh.
pub struct DemoPanelWindow {
    _window: DemoPanel,
    _refresh: slint::Timer,
    _placing: slint::Timer,
}

/// Opens the panel beside the kiosk's window, driving `emulators` and reading the central's demo outbox
/// through `client` on `runtime`.
pub fn open(
    kiosk: &KioskWindow,
    emulators: EmulatorControl,
    client: HostClient,
    runtime: tokio::runtime::Handle,
) -> Result<DemoPanelWindow, String> {
    let customers = fixture_customers()?;
    let panel = DemoPanel::new().map_err(|err| err.to_string())?;
    let actions = PanelActions::new(emulators.clone(), customers.clone());
    connect(&panel, &actions, &customers);
    panel.show().map_err(|err| err.to_string())?;
    // Once the kiosk's window is up (drawn smaller when asked), stand to its right (where the window manager
    // lets us).
    let (kiosk_weak, panel_weak) = (kiosk.as_weak(), panel.as_weak());
    let zoom = demo_zoom(std::env::var(DEMO_ZOOM).ok().as_deref());
    // The window system may settle the kiosk's window (its scale, its size) a while after it shows: for the
    // first seconds the zoom is put back and the panel moved beside it again, then left to the user.
    let placing = slint::Timer::default();
    let mut ticks = 0;
    placing.start(slint::TimerMode::Repeated, Duration::from_millis(250), move || {
        ticks += 1;
        if ticks > 16 {
            return;
        }
        if let (Some(kiosk), Some(panel)) = (kiosk_weak.upgrade(), panel_weak.upgrade()) {
            let kiosk_window = kiosk.window();
            if let Some(zoom) = zoom {
                // The kiosk keeps its 1280x1024 layout, drawn at `zoom` of its pixels: the panel, at full
                // size, still fits beside it on a laptop's screen.
                let pixels = zoomed(zoom);
                if (kiosk_window.scale_factor() - zoom).abs() > 0.001 {
                    kiosk_window
                        .dispatch_event(slint::platform::WindowEvent::ScaleFactorChanged { scale_factor: zoom });
                }
                if kiosk_window.size() != pixels {
                    kiosk_window.set_size(pixels);
                }
            }
            // A zoomed kiosk's width is known before the window system has resized it.
            let width = zoom.map_or(kiosk_window.size().width, |zoom| zoomed(zoom).width);
            let width = i32::try_from(width).unwrap_or(1280);
            let right = kiosk_window.position().x + width;
            panel.window().set_position(slint::PhysicalPosition::new(right + 12, kiosk_window.position().y));
        }
    });

    let weak = panel.as_weak();
    let mut receipts = ReceiptWatch::default();
    let outbox_in_flight = Arc::new(AtomicBool::new(false));
    let refresh = move || {
        let Some(panel) = weak.upgrade() else { return };
        receipts.refresh(&panel, &emulators.receipts(), emulators.columns());
        if outbox_in_flight.swap(true, Ordering::AcqRel) {
            return;
        }
        let (client, weak, in_flight) = (client.clone(), weak.clone(), Arc::clone(&outbox_in_flight));
        runtime.spawn(async move {
            let messages = client.get::<Vec<OutboxMessage>>(paths::DEMO_OUTBOX, None).await;
            in_flight.store(false, Ordering::Release);
            match messages {
                Ok(messages) => {
                    let _ = weak.upgrade_in_event_loop(move |panel| show_outbox(&panel, &messages));
                }
                Err(err) => tracing::debug!(%err, "demo panel: the central's outbox is not readable"),
            }
        });
    };
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::Repeated, Duration::from_secs(1), refresh);
    Ok(DemoPanelWindow { _window: panel, _refresh: timer, _placing: placing })
}

#[cfg(test)]
mod zoom_tests {
    use super::demo_zoom;

    #[test]
    fn the_demo_zoom_is_a_number_below_one_and_anything_else_keeps_the_kiosk_at_full_size() {
        assert_eq!(demo_zoom(Some("0.7")), Some(0.7));
        assert_eq!(demo_zoom(Some(" 0.5 ")), Some(0.5));
        for ignored in [None, Some(""), Some("big"), Some("1"), Some("1.5"), Some("0.1"), Some("-0.7")] {
            assert_eq!(demo_zoom(ignored), None, "{ignored:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::Receiver;

    use servicaja_core::identity::mrz::Mrz;
    use servicaja_core::identity::track::{LrcMode, TrackError, parse_reader_line};
    use servicaja_core::settings::Settings;
    use servicaja_drivers::devices::{Devices, DriverOptions};
    use servicaja_drivers::emulator::EmulatorSet;
    use servicaja_drivers::readers::DeviceEvent;
    use servicaja_drivers::status::{DeviceState, PaperState};

    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn every_fixture_customer_is_listed_with_a_luhn_valid_card_and_a_six_digit_clave() {
        let customers = fixture_customers().unwrap();
        assert!(customers.len() >= 5, "{}", customers.len());
        assert!(customers.iter().any(|customer| customer.name == "JESUS" && customer.clave == "123456"));
        for customer in &customers {
            assert!(CardNumber::parse(&customer.card).is_ok(), "{}", customer.name);
            assert_eq!(customer.clave.len(), 6, "{}", customer.name);
        }
        assert!(customers.iter().any(|customer| customer.card_locked), "PEDRO's locked card is noted");
    }

    #[test]
    fn a_built_swipe_parses_back_with_both_lrcs_verified() {
        for customer in fixture_customers().unwrap() {
            let line = card_swipe_line(&customer.card, DEMO_SURNAME, &customer.name).unwrap();
            let swipe = parse_reader_line(&line, LrcMode::Present).unwrap();
            assert_eq!(swipe.pan.expose_digits(), customer.card);
            let holder = swipe.cardholder.unwrap();
            assert_eq!((holder.surname.as_str(), holder.given_names.as_str()), (DEMO_SURNAME, customer.name.as_str()));
            assert_eq!(swipe.service_code.unwrap().as_str(), CARD_SERVICE_CODE);
            let expiry = swipe.expiry.unwrap();
            assert_eq!((expiry.year(), expiry.month()), (2030, 12));
        }
    }

    #[test]
    fn a_swipe_with_a_damaged_character_fails_its_lrc() {
        let line = card_swipe_line("4214100000000010", "DEMO", "JESUS").unwrap();
        // Change one digit of track 2's number: its LRC no longer matches.
        let at = line.find(";4214").unwrap() + 5;
        let mut damaged = line.into_bytes();
        damaged[at] = if damaged[at] == b'1' { b'2' } else { b'1' };
        let err = parse_reader_line(&damaged, LrcMode::Present).unwrap_err();
        assert_eq!(err, TrackError::LrcMismatch { track: TrackId::Track2 });
    }

    #[test]
    fn a_built_dni_mrz_parses_back_with_every_check_digit() {
        for customer in fixture_customers().unwrap() {
            let lines =
                dni_mrz(&customer.dni, "DEMO", &customer.name, customer.birth_date, date(2031, 12, 31)).unwrap();
            assert!(lines.iter().all(|line| line.len() == TD1_LINE_CHARS), "{lines:?}");
            let mrz = Mrz::parse(&lines.join("\n")).unwrap();
            assert_eq!(mrz.dni().unwrap().as_str(), customer.dni);
            assert_eq!(mrz.issuing_state, "PER");
            assert_eq!(mrz.birth_date_on(date(2026, 1, 1)).unwrap(), customer.birth_date);
            assert_eq!(mrz.expiry_date_on(date(2026, 1, 1)).unwrap(), date(2031, 12, 31));
            assert_eq!(mrz.names.primary, "DEMO");
        }
    }

    #[test]
    fn a_dni_mrz_with_a_changed_digit_is_refused() {
        let lines = dni_mrz("44556677", "DEMO", "JESUS", date(1980, 2, 29), date(2031, 12, 31)).unwrap();
        let damaged = lines[0].replacen("44556677", "44556678", 1);
        assert!(Mrz::parse_td1(&damaged, &lines[1], &lines[2]).is_err());
        let damaged_birth = lines[1].replacen("800229", "800228", 1);
        assert!(Mrz::parse_td1(&lines[0], &damaged_birth, &lines[2]).is_err());
    }

    #[test]
    fn bad_input_gives_a_clear_error_instead_of_a_bad_document() {
        assert_eq!(dni_mrz("4455667", "DEMO", "JESUS", date(1980, 1, 1), date(2031, 1, 1)), Err(BuildError::Dni));
        assert!(matches!(
            dni_mrz("44556677", "PEÑA", "JESUS", date(1980, 1, 1), date(2031, 1, 1)),
            Err(BuildError::NotMrzCharacters(_))
        ));
        assert!(matches!(card_swipe_line("4214{", "DEMO", "JESUS"), Err(BuildError::NotTrackCharacters(_))));
    }

    #[test]
    fn the_newest_receipt_is_shown_as_the_emulators_image_and_as_text() {
        let mut printer = servicaja_drivers::emulator::PrinterSim::new();
        let mut bytes = b"\x1b@PRIMERO\n\x1dV\x00".to_vec();
        bytes.extend_from_slice(b"SEGUNDO COMPROBANTE\nCUOTA PAGADA\n\x1dV\x00");
        printer.feed(&bytes);
        assert_eq!(printer.receipts.len(), 2, "two cuts make two receipts");
        i_slint_backend_testing::init_no_event_loop();
        let panel = DemoPanel::new().unwrap();
        let mut watch = ReceiptWatch::default();

        watch.refresh(&panel, &printer.receipts[..1], 48);
        assert!(panel.get_receipt_text().contains("PRIMERO"));
        watch.refresh(&panel, &printer.receipts, 48);
        assert_eq!(panel.get_receipt_count(), 2);
        assert!(panel.get_receipt_text().contains("CUOTA PAGADA"), "{}", panel.get_receipt_text());
        assert!(!panel.get_receipt_text().contains("PRIMERO"));
        let expected = png::render(&printer.receipts[1], 48);
        let shown = panel.get_receipt_image().size();
        assert_eq!((shown.width, shown.height), (expected.width(), expected.height()));
    }

    #[test]
    fn the_newest_sms_and_email_of_the_outbox_are_shown() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-21T15:04:05Z").unwrap().to_utc();
        let message = |id: &str, channel, body: &str| OutboxMessage {
            id: id.into(),
            channel,
            to: if channel == OutboxChannel::Sms { "951234480".into() } else { "a@b.pe".into() },
            subject: format!("asunto {id}"),
            body: body.into(),
            at,
        };
        // Newest first, as the central lists them.
        let messages = [
            message("3", OutboxChannel::Email, &"x".repeat(EMAIL_BODY_CHARS + 50)),
            message("2", OutboxChannel::Sms, "su clave dinámica es 625968"),
            message("1", OutboxChannel::Sms, "su clave dinámica es 111111"),
        ];
        i_slint_backend_testing::init_no_event_loop();
        let panel = DemoPanel::new().unwrap();
        show_outbox(&panel, &messages);
        assert_eq!(panel.get_sms_body(), "su clave dinámica es 625968");
        assert_eq!(panel.get_sms_to(), "951234480");
        assert_eq!(panel.get_email_subject(), "asunto 3");
        assert_eq!(panel.get_email_body().chars().count(), EMAIL_BODY_CHARS + 1, "cut, with an ellipsis");
    }

    /// The drivers of the default configuration on the emulators' pseudo-terminals, as `servicaja run`
    /// starts them.
    fn drivers_on(emulators: &EmulatorSet) -> (Devices, Receiver<DeviceEvent>) {
        let settings: Settings = servicaja_runtime::config::load(None).unwrap().settings;
        Devices::start(
            &settings.printer,
            &settings.card_reader,
            &settings.document_reader,
            Some(&emulators.paths()),
            DriverOptions::default(),
        )
    }

    /// The next event `wanted` picks, skipping the others (status changes of other devices…).
    fn wait_for<T>(events: &Receiver<DeviceEvent>, mut wanted: impl FnMut(DeviceEvent) -> Option<T>) -> T {
        loop {
            let event = events.recv_timeout(Duration::from_secs(10)).expect("the drivers reported nothing");
            if let Some(found) = wanted(event) {
                return found;
            }
        }
    }

    fn next_media(events: &Receiver<DeviceEvent>) -> DeviceEvent {
        wait_for(events, |event| (!matches!(event, DeviceEvent::StatusChanged { .. })).then_some(event))
    }

    fn wait_until_readers_online(events: &Receiver<DeviceEvent>) {
        let mut online = (false, false);
        while online != (true, true) {
            let (device, state) = wait_for(events, |event| match event {
                DeviceEvent::StatusChanged { device, status, .. } => Some((device, status.device)),
                _ => None,
            });
            match device {
                DeviceKind::CardReader => online.0 = state == DeviceState::Online,
                DeviceKind::DocumentReader => online.1 = state == DeviceState::Online,
                DeviceKind::Printer => {}
            }
        }
    }

    #[test]
    fn the_panels_buttons_reach_the_drivers_on_the_pseudo_terminals() {
        let emulators = EmulatorSet::start_temporary(48).unwrap();
        let (_devices, events) = drivers_on(&emulators);
        wait_until_readers_online(&events);
        let customers = fixture_customers().unwrap();
        let maria = customers.iter().position(|customer| customer.name == "MARIA").unwrap();
        i_slint_backend_testing::init_no_event_loop();
        let panel = DemoPanel::new().unwrap();
        let actions = PanelActions::new(emulators.control(), customers.clone());
        connect(&panel, &actions, &customers);

        panel.invoke_swipe_card(i32::try_from(maria).unwrap());
        match next_media(&events) {
            DeviceEvent::CardRead(swipe) => {
                assert_eq!(swipe.pan.masked(), "**** **** **** 0028");
                assert_eq!(swipe.cardholder.unwrap().given_names, "MARIA");
            }
            other => panic!("expected the card, got {other:?}"),
        }
        assert_eq!(panel.get_status_kind(), "card");
        assert_eq!(panel.get_status_detail(), "**** **** **** 0028");

        panel.invoke_present_dni(i32::try_from(maria).unwrap());
        match next_media(&events) {
            DeviceEvent::DocumentRead(mrz) => assert_eq!(mrz.dni().unwrap().as_str(), "40112233"),
            other => panic!("expected the DNI, got {other:?}"),
        }

        panel.invoke_swipe_garbage();
        match next_media(&events) {
            DeviceEvent::InvalidMedia { device, .. } => assert_eq!(device, DeviceKind::CardReader),
            other => panic!("expected unreadable media, got {other:?}"),
        }

        panel.invoke_set_paper("out".into());
        assert_eq!(panel.get_status_kind(), "paper-out");
        wait_for(&events, |event| match event {
            DeviceEvent::StatusChanged { device: DeviceKind::Printer, status, .. } => {
                (status.paper == Some(PaperState::Out)).then_some(())
            }
            _ => None,
        });

        panel.invoke_set_card_reader_plugged(false);
        assert!(emulators.control().pty_paths()[1].is_none(), "the card reader's pty is closed");
        panel.invoke_swipe_card(0);
        assert_eq!(panel.get_status_kind(), "error");
        assert!(panel.get_status_detail().contains("unplugged"), "{}", panel.get_status_detail());
        panel.invoke_set_card_reader_plugged(true);
        assert!(emulators.control().pty_paths()[1].is_some());
    }
}
