//! A kiosk's whole world for the tests that run against real components, shared by the end-to-end tests
//! (a hand-driven `Session`) and the UI tests that drive the real window: the central simulator on loopback
//! TLS, the device emulators on pseudo-terminals, and the kiosk's services wired as `servicaja run` wires
//! them (`runtime::KioskServices`: drivers, host client, outbox, journal, printing), all in a temporary
//! directory of its own.

use std::path::PathBuf;
use std::time::Duration;

use servicaja_central::{CentralConfig, RunningCentral};
use servicaja_core::api::{Account, Movement, OpenSessionRequest, OutboxMessage, paths};
use servicaja_core::settings::Settings;
use servicaja_drivers::emulator::{EmulatorControl, EmulatorSet};
use servicaja_host::HostClient;
use servicaja_host::journal::{JOURNAL_FILE, JournalRecord};

use servicaja_runtime::{KioskServices, Runtime, RuntimeOptions};

/// JESUS, the fixture customer of `config/central/fixtures.toml` (demo data of the simulator).
pub const CARD: &str = "4214100000000010";
pub const DNI: &str = "44556677";
pub const CLAVE: &str = "123456";
pub const SAVINGS: &str = "A-00121110";
pub const SAVINGS_OPENING: &str = "8500.00";
pub const CONSUMER_LOAN: &str = "L-00340001";

/// The longest a test waits for the real components before failing (never an assertion on speed): long
/// enough for a loaded 2-core machine running every test at once.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The running world. Fields drop in order: the kiosk's services before the devices and the central they
/// talk to, the directory last.
pub struct Stack {
    pub services: KioskServices,
    pub emulators: EmulatorSet,
    pub central: RunningCentral,
    pub settings: Settings,
    pub dir: tempfile::TempDir,
}

impl Stack {
    /// Starts the central, the emulators and the kiosk's services with `settings` pointed at them (data in
    /// a new temporary directory, quick outbox retries); printed receipts are also written as files under
    /// [`Stack::receipt_dir`].
    pub async fn start(settings: Settings, options: RuntimeOptions) -> Stack {
        Stack::start_with_central(settings, options, |_| {}).await
    }

    /// [`Stack::start`] with the central's configuration changed by the test first (a manual clock, other
    /// fixtures or channel limits).
    pub async fn start_with_central(
        mut settings: Settings,
        options: RuntimeOptions,
        configure: impl FnOnce(&mut CentralConfig),
    ) -> Stack {
        let dir = tempfile::tempdir().unwrap();
        let mut config = CentralConfig::demo(dir.path().join("central"));
        configure(&mut config);
        let central = servicaja_central::start(config).await.unwrap();
        settings.kiosk.data_dir = dir.path().join("kiosk").display().to_string();
        settings.host.base_url = central.base_url();
        settings.host.ca_cert = central.ca_cert_path().display().to_string();
        settings.host.client_cert = central.client_cert_path().display().to_string();
        settings.host.client_key = central.client_key_path().display().to_string();
        settings.outbox.backoff_initial_ms = 50;
        settings.outbox.backoff_max_ms = 500;
        let emulators = EmulatorSet::start_temporary(settings.printer.columns).unwrap();
        let receipts = dir.path().join("receipts");
        std::fs::create_dir_all(&receipts).unwrap();
        emulators.control().set_receipt_dir(Some(receipts));
        let services =
            KioskServices::start(&settings, &settings.host, Some(&emulators.paths()), options).await.unwrap();
        Stack { services, emulators, central, settings, dir }
    }

    pub fn control(&self) -> EmulatorControl {
        self.emulators.control()
    }

    pub fn runtime(&self) -> &Runtime {
        &self.services.runtime
    }

    pub fn client(&self) -> &HostClient {
        &self.services.client
    }

    pub fn kiosk_dir(&self) -> PathBuf {
        PathBuf::from(&self.settings.kiosk.data_dir)
    }

    /// Where the emulated printer writes `receipt-NNN.txt` (styles marked) and `.png` for every cut.
    pub fn receipt_dir(&self) -> PathBuf {
        self.dir.path().join("receipts")
    }

    /// The text files of the receipts printed so far, oldest first.
    pub fn receipt_files(&self) -> Vec<String> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.receipt_dir())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
            .collect();
        files.sort();
        files.iter().map(|path| std::fs::read_to_string(path).unwrap()).collect()
    }

    /// The kiosk's journal, its hash chain verified.
    pub fn journal(&self) -> Vec<JournalRecord> {
        let journal = servicaja_host::Journal::open_existing(&self.kiosk_dir().join(JOURNAL_FILE)).unwrap();
        assert!(journal.verify().unwrap().first_broken.is_none(), "the journal's chain verifies");
        journal.range(chrono::DateTime::<chrono::Utc>::MIN_UTC, chrono::DateTime::<chrono::Utc>::MAX_UTC).unwrap()
    }

    /// The SMS and e-mails the simulator "sent", newest first.
    pub async fn central_outbox(&self) -> Vec<OutboxMessage> {
        self.client().get(paths::DEMO_OUTBOX, None).await.unwrap()
    }

    /// What the central holds now for the fixture customer (through its API, with a new session).
    pub async fn central_account(&self, account_id: &str) -> (Account, Vec<Movement>) {
        let request = OpenSessionRequest { card_number: CARD.into(), dni: DNI.into(), clave: CLAVE.into() };
        let token = self.client().open_session(&request).await.unwrap().token;
        let accounts = self.client().accounts(&token).await.unwrap();
        let account = accounts.into_iter().find(|account| account.id == account_id).unwrap();
        let path = paths::fill(paths::ACCOUNT_MOVEMENTS, "account_id", account_id);
        let movements: Vec<Movement> = self.client().get(&path, Some(&token)).await.unwrap();
        (account, movements)
    }

    /// JESUS's card on the emulated reader, as the demo panel swipes it.
    pub fn swipe_card(&self) {
        self.control().swipe_card(CARD, "QUISPE/JESUS", "3012", "101").unwrap();
    }

    /// JESUS's DNI on the emulated document reader.
    pub fn present_dni(&self) {
        let [line1, line2, line3] = dni_mrz(DNI, "QUISPE<<JESUS");
        self.control().present_document(&[&line1, &line2, &line3]).unwrap();
    }
}

/// The 6-digit code of the newest SMS: "… su clave dinámica es 625968 …".
pub fn sms_code(messages: &[OutboxMessage]) -> Option<(String, String)> {
    let sms = messages.iter().find(|m| m.channel == servicaja_core::api::OutboxChannel::Sms)?;
    let code: String = sms.body.split(" es ").nth(1)?.chars().take_while(char::is_ascii_digit).collect();
    (code.len() == 6).then(|| (sms.to.clone(), code))
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
