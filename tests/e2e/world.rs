//! The test kiosk: the central simulator, the emulated devices and their drivers, the runtime, and a
//! `Session` fed with scripted touches and with every event the runtime reports, on an injected clock.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use servicaja_central::{CentralConfig, RunningCentral};
use servicaja_core::api::{Account, Movement, OpenSessionRequest, paths};
use servicaja_core::settings::Settings;
use servicaja_drivers::devices::{Devices, DriverOptions};
use servicaja_drivers::emulator::{EmulatorControl, EmulatorSet};
use servicaja_host::HostClient;
use servicaja_session::state::Screen;
use servicaja_session::{Action, Effect, Event, Key, SequenceSupply, Session, SessionConfig, Timer};
use tokio::sync::mpsc;

use crate::runtime::{Runtime, RuntimeOptions, pump_devices};

/// JESUS, the fixture customer of `config/central/fixtures.toml` (demo data of the simulator).
pub const CARD: &str = "4214100000000010";
pub const DNI: &str = "44556677";
pub const CLAVE: &str = "123456";
pub const SAVINGS: &str = "A-00121110";
pub const SAVINGS_OPENING: &str = "8500.00";
pub const CONSUMER_LOAN: &str = "L-00340001";

/// The longest a test waits for the real components before failing (never an assertion on speed).
const PATIENCE: Duration = Duration::from_secs(30);

pub struct World {
    pub _dir: tempfile::TempDir,
    pub central: RunningCentral,
    pub emulators: EmulatorSet,
    pub _devices: Devices,
    pub runtime: Runtime,
    pub client: HostClient,
    pub settings: Settings,
    events: mpsc::UnboundedReceiver<Event>,
    pub session: Session,
    supply: SequenceSupply,
    pub now: DateTime<Utc>,
    pub timers: BTreeMap<Timer, DateTime<Utc>>,
    /// Every effect the session produced.
    pub effects: Vec<Effect>,
}

impl World {
    pub async fn start() -> World {
        let dir = tempfile::tempdir().unwrap();
        let central = servicaja_central::start(CentralConfig::demo(dir.path().join("central"))).await.unwrap();
        let mut settings = Settings::default();
        settings.kiosk.data_dir = dir.path().join("kiosk").display().to_string();
        settings.host.base_url = central.base_url();
        settings.host.ca_cert = central.ca_cert_path().display().to_string();
        settings.host.client_cert = central.client_cert_path().display().to_string();
        settings.host.client_key = central.client_key_path().display().to_string();
        settings.outbox.backoff_initial_ms = 50;
        settings.outbox.backoff_max_ms = 500;
        let client = HostClient::from_settings(&settings.host).unwrap();
        let emulators = EmulatorSet::start_temporary(settings.printer.columns).unwrap();
        let (devices, device_events) = Devices::start(
            &settings.printer,
            &settings.card_reader,
            &settings.document_reader,
            Some(&emulators.paths()),
            DriverOptions::default(),
        );
        let (sender, events) = mpsc::unbounded_channel();
        let sink: crate::runtime::EventSink = Arc::new(move |event| {
            let _ = sender.send(event);
        });
        let runtime = Runtime::start(
            &settings,
            client.clone(),
            devices.printer.clone(),
            sink.clone(),
            RuntimeOptions { health_every: Duration::from_secs(1), ..RuntimeOptions::default() },
        )
        .await
        .unwrap();
        pump_devices(device_events, sink).unwrap();
        let session = Session::new(SessionConfig::from_settings(&settings));
        World {
            _dir: dir,
            central,
            emulators,
            _devices: devices,
            runtime,
            client,
            settings,
            events,
            session,
            supply: SequenceSupply::new(),
            now: Utc::now(),
            timers: BTreeMap::new(),
            effects: Vec::new(),
        }
    }

    pub fn control(&self) -> EmulatorControl {
        self.emulators.control()
    }

    pub fn kiosk_dir(&self) -> PathBuf {
        PathBuf::from(&self.settings.kiosk.data_dir)
    }

    /// Steps the session and hands every effect to the runtime, keeping the timers as a shell does.
    pub fn feed(&mut self, event: Event) {
        let effects = self.session.handle(event, self.now, &mut self.supply);
        for effect in effects {
            match &effect {
                Effect::StartTimer { timer, at } => {
                    self.timers.insert(*timer, *at);
                }
                Effect::CancelTimer(timer) => {
                    self.timers.remove(timer);
                }
                _ => {}
            }
            self.effects.push(effect.clone());
            self.runtime.execute(effect);
        }
    }

    pub fn ui(&mut self, action: Action) {
        self.feed(Event::Ui(action));
    }

    pub fn keys(&mut self, text: &str) {
        for c in text.chars() {
            let key = match c.to_digit(10) {
                Some(digit) => Key::Digit(digit as u8),
                None => Key::Char(c),
            };
            self.ui(Action::Key(key));
        }
    }

    /// Feeds the runtime's events to the session until `done` holds.
    pub async fn until(&mut self, what: &str, done: impl Fn(&Session) -> bool) {
        while !done(&self.session) {
            let event = tokio::time::timeout(PATIENCE, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("still waiting for {what}; the screen is {:?}", self.session.screen()))
                .expect("the runtime is gone");
            self.feed(event);
        }
    }

    /// Moves the clock to the timer's deadline and fires it.
    pub fn fire(&mut self, timer: Timer) {
        let at = self.timers.remove(&timer).unwrap_or_else(|| panic!("{timer:?} is not armed"));
        self.now = self.now.max(at);
        self.feed(Event::TimerFired(timer));
    }

    pub fn screen(&self) -> &Screen {
        self.session.screen()
    }

    /// Swipe on the emulated reader, DNI on the emulated document reader, clave on the keypad: the menu.
    pub async fn log_in(&mut self) {
        self.control().swipe_card(CARD, "QUISPE/JESUS", "3012", "101").unwrap();
        self.until("the card to be read", |s| s.masked_card().is_some()).await;
        let [line1, line2, line3] = dni_mrz(DNI, "QUISPE<<JESUS");
        self.control().present_document(&[&line1, &line2, &line3]).unwrap();
        self.until("the DNI to be read", |s| {
            matches!(s.screen(), Screen::Identify(identify) if matches!(identify.step, servicaja_session::state::IdentifyStep::Clave { .. }))
        })
        .await;
        self.keys(CLAVE);
        self.ui(Action::Confirm);
        self.until("the central to open the session", |s| s.screen() == &Screen::Menu).await;
    }

    /// What the central holds now for the fixture customer (through its API, with a new session).
    pub async fn central_account(&self, account_id: &str) -> (Account, Vec<Movement>) {
        let request = OpenSessionRequest { card_number: CARD.into(), dni: DNI.into(), clave: CLAVE.into() };
        let token = self.client.open_session(&request).await.unwrap().token;
        let accounts = self.client.accounts(&token).await.unwrap();
        let account = accounts.into_iter().find(|account| account.id == account_id).unwrap();
        let path = paths::fill(paths::ACCOUNT_MOVEMENTS, "account_id", account_id);
        let movements: Vec<Movement> = self.client.get(&path, Some(&token)).await.unwrap();
        (account, movements)
    }
}

/// The three MRZ lines of a Peruvian DNI card (TD1) with their check digits (ICAO 9303).
pub fn dni_mrz(dni: &str, names: &str) -> [String; 3] {
    let number = format!("{dni}<");
    let line1 = format!("I<PER{number}{}{}", check_digit(&number), "<".repeat(15));
    let birth = "900101";
    let expiry = "300101";
    let head = format!("{birth}{}M{expiry}{}PER{}", check_digit(birth), check_digit(expiry), "<".repeat(11));
    let composite_input = format!("{}{}{}{}", &line1[5..30], &head[0..7], &head[8..15], &head[18..29]);
    let line2 = format!("{head}{}", check_digit(&composite_input));
    let line3 = format!("{names:<<30}");
    [line1, line2, line3]
}

fn check_digit(field: &str) -> char {
    let weights = [7, 3, 1];
    let sum: u32 = field
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let value = match c {
                '0'..='9' => c as u32 - '0' as u32,
                'A'..='Z' => c as u32 - 'A' as u32 + 10,
                _ => 0,
            };
            value * weights[i % 3]
        })
        .sum();
    char::from_digit(sum % 10, 10).unwrap()
}

#[test]
fn the_mrz_helper_matches_a_known_dni_card() {
    // The sample of core's MRZ tests: DNI 10117410, check digit 7, composite 2.
    let [line1, line2, _] = dni_mrz("10117410", "QUISPE<MAMANI<<JUAN<CARLOS");
    assert_eq!(line1, "I<PER10117410<7<<<<<<<<<<<<<<<");
    assert_eq!(line2, "9001011M3001019PER<<<<<<<<<<<2");
}
