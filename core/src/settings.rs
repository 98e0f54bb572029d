//! The kiosk's configuration schema and its validation: pure data, parsed by the application from TOML.
//!
//! Every section has defaults, so an empty file is a valid demo configuration. `validate` never stops at
//! the first problem: it returns every one, each naming the key and the reason, so that a technician can
//! fix a file in one pass.

use serde::{Deserialize, Serialize};

/// One problem found in a configuration: the dotted key (`printer.baud`) and why it is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub key: String,
    pub reason: String,
}

impl Problem {
    pub fn new(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { key: key.into(), reason: reason.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.reason)
    }
}

/// The whole configuration of one kiosk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub kiosk: KioskSettings,
    pub session: SessionSettings,
    pub host: HostSettings,
    pub outbox: OutboxSettings,
    pub journal: JournalSettings,
    pub fleet: FleetSettings,
    pub printer: PrinterSettings,
    pub card_reader: CardReaderSettings,
    pub document_reader: DocumentReaderSettings,
    pub maintenance: MaintenanceSettings,
    pub metrics: MetricsSettings,
    pub data: DataFiles,
    pub display: DisplaySettings,
    pub audio: AudioSettings,
}

/// How the kiosk runs: with simulated devices and the in-process central (demo) or on real hardware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Demo,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Es,
    En,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KioskSettings {
    /// The kiosk's id as printed on receipts and sent to the central (`KSK-TAC-001`).
    pub id: String,
    /// The caja's name shown on the attract screen and receipts.
    pub institution: String,
    /// RUC of the caja, printed on receipts.
    pub ruc: String,
    pub agency_code: String,
    pub agency_name: String,
    pub mode: Mode,
    pub language: Language,
    /// Where the kiosk keeps its databases, receipts and exports; relative paths are taken from the
    /// working directory.
    pub data_dir: String,
    /// Whether the customer may type the card number on a keypad instead of swiping.
    pub allow_keyed_card: bool,
    /// Whether the customer may type the DNI with its check character instead of showing it.
    pub allow_keyed_dni: bool,
}

impl Default for KioskSettings {
    fn default() -> Self {
        Self {
            id: "KSK-TAC-001".into(),
            institution: "CAJA TACNA".into(),
            ruc: "20130098488".into(),
            agency_code: "001".into(),
            agency_name: "Agencia Principal Tacna".into(),
            mode: Mode::Demo,
            language: Language::Es,
            data_dir: "var".into(),
            allow_keyed_card: true,
            allow_keyed_dni: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionSettings {
    /// Idle time before the "¿Necesita más tiempo?" countdown appears.
    pub idle_seconds: u32,
    /// Length of the visible countdown before the session ends.
    pub countdown_seconds: u32,
    /// How long the customer waits for an interactive answer (payment, affiliation) before the kiosk
    /// cancels it.
    pub interactive_timeout_seconds: u32,
    /// Seconds before the customer may ask for the SMS code again.
    pub otp_resend_seconds: u32,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self { idle_seconds: 45, countdown_seconds: 20, interactive_timeout_seconds: 25, otp_resend_seconds: 30 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HostSettings {
    /// Base URL of the central API. In demo mode the in-process simulator listens here.
    pub base_url: String,
    /// Start the central API simulator inside the kiosk process (demo mode).
    pub embedded_simulator: bool,
    /// PEM file with the CA that signs the central's server certificate (pinned: no system roots).
    /// Empty in demo mode: the simulator's development CA is used.
    pub ca_cert: String,
    /// PEM files with the kiosk's client certificate and key for mutual TLS.
    pub client_cert: String,
    pub client_key: String,
    pub connect_timeout_ms: u32,
    pub request_timeout_ms: u32,
}

impl Default for HostSettings {
    fn default() -> Self {
        Self {
            base_url: "https://127.0.0.1:8443".into(),
            embedded_simulator: true,
            ca_cert: String::new(),
            client_cert: String::new(),
            client_key: String::new(),
            connect_timeout_ms: 3_000,
            request_timeout_ms: 10_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxSettings {
    /// Most commands the outbox holds before the kiosk refuses new operations.
    pub max_pending: u32,
    /// Commands older than this are not sent any more and are listed for reconciliation.
    pub max_age_hours: u32,
    pub backoff_initial_ms: u32,
    pub backoff_max_ms: u32,
}

impl Default for OutboxSettings {
    fn default() -> Self {
        Self { max_pending: 10_000, max_age_hours: 24, backoff_initial_ms: 500, backoff_max_ms: 60_000 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JournalSettings {
    /// Size of the journal above which a maintenance alert is raised (it keeps writing).
    pub disk_budget_mb: u32,
    /// Free space the data directory must keep: below it the kiosk starts no operation and shows
    /// itself out of service (technician reason: disk), so that an operation under way can always write
    /// its outbox and journal records.
    pub free_space_reserve_mb: u32,
}

/// Status reports to the central (fleet operation): the kiosk id and agency come from `[kiosk]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FleetSettings {
    /// Seconds between two periodic reports (a change a technician must act on is reported at once).
    pub report_interval_seconds: u32,
}

impl Default for FleetSettings {
    fn default() -> Self {
        Self { report_interval_seconds: 60 }
    }
}

impl Default for JournalSettings {
    fn default() -> Self {
        Self { disk_budget_mb: 512, free_space_reserve_mb: 64 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Parity {
    #[default]
    None,
    Odd,
    Even,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FlowControl {
    #[default]
    None,
    RtsCts,
    DtrDsr,
    XonXoff,
}

/// How to reach one serial device. `port = "emulator"` means the device emulator started in-process
/// (demo mode); anything else is a device path such as `/dev/ttyS0` or `/dev/ttyUSB0`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SerialSettings {
    pub port: String,
    pub baud: u32,
    pub data_bits: u8,
    pub parity: Parity,
    pub stop_bits: u8,
    pub flow_control: FlowControl,
}

pub const EMULATOR_PORT: &str = "emulator";

impl Default for SerialSettings {
    fn default() -> Self {
        Self::with_baud(9_600, FlowControl::None)
    }
}

impl SerialSettings {
    pub fn emulated(&self) -> bool {
        self.port == EMULATOR_PORT
    }

    fn with_baud(baud: u32, flow_control: FlowControl) -> Self {
        Self { port: EMULATOR_PORT.into(), baud, data_bits: 8, parity: Parity::None, stop_bits: 1, flow_control }
    }

    fn validate(&self, key: &str, problems: &mut Vec<Problem>) {
        const BAUDS: [u32; 8] = [1200, 2400, 4800, 9600, 19_200, 38_400, 57_600, 115_200];
        if self.port.trim().is_empty() {
            problems.push(Problem::new(format!("{key}.port"), "must name a serial device or \"emulator\""));
        }
        if !BAUDS.contains(&self.baud) {
            problems
                .push(Problem::new(format!("{key}.baud"), format!("{} is not a standard rate ({BAUDS:?})", self.baud)));
        }
        if !(5..=8).contains(&self.data_bits) {
            problems.push(Problem::new(format!("{key}.data_bits"), "must be 5, 6, 7 or 8"));
        }
        if !(1..=2).contains(&self.stop_bits) {
            problems.push(Problem::new(format!("{key}.stop_bits"), "must be 1 or 2"));
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrinterSettings {
    pub serial: SerialSettings,
    /// Characters per line: 48 (80 mm, font A), 42 or 32 (58 mm).
    pub columns: u8,
    /// Key code of the logo stored in the printer's non-volatile memory; empty prints no logo.
    pub logo_key: String,
    pub status_poll_ms: u32,
    /// Length of a new paper roll, for the estimate of paper left.
    pub roll_length_mm: u32,
}

impl Default for PrinterSettings {
    fn default() -> Self {
        Self {
            serial: SerialSettings::with_baud(115_200, FlowControl::RtsCts),
            columns: 48,
            logo_key: "LG".into(),
            status_poll_ms: 2_000,
            roll_length_mm: 80_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CardReaderSettings {
    pub serial: SerialSettings,
    /// Whether the reader appends an LRC character after each track's end sentinel.
    pub lrc: CardLrc,
}

/// The card reader's LRC setting: `absent` (stripped by the reader, the usual factory setting),
/// `present` (sent and verified), or `detect` (verified when one is there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CardLrc {
    Absent,
    Present,
    #[default]
    Detect,
}

impl Default for CardReaderSettings {
    fn default() -> Self {
        Self { serial: SerialSettings::with_baud(9_600, FlowControl::None), lrc: CardLrc::Detect }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentReaderSettings {
    pub serial: SerialSettings,
}

impl Default for DocumentReaderSettings {
    fn default() -> Self {
        Self { serial: SerialSettings::with_baud(9_600, FlowControl::None) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Technician,
    Staff,
}

/// A technician or staff member; the PIN is stored only as an argon2 PHC string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceUser {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub pin_hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MaintenanceSettings {
    /// Taps in the top-left corner, within `gesture_window_ms`, that open the maintenance login.
    pub gesture_taps: u8,
    pub gesture_window_ms: u32,
    pub max_pin_attempts: u8,
    pub lockout_minutes: u32,
    /// Idle time after which a technician or staff session must authenticate again (PCI DSS 8.2.8).
    pub reauth_minutes: u32,
    /// Where logs and journal exports are written (a USB stick mount in real life).
    pub export_dir: String,
    pub users: Vec<MaintenanceUser>,
}

impl Default for MaintenanceSettings {
    fn default() -> Self {
        Self {
            gesture_taps: 5,
            gesture_window_ms: 3_000,
            max_pin_attempts: 3,
            lockout_minutes: 15,
            reauth_minutes: 15,
            export_dir: "var/export".into(),
            users: Vec::new(),
        }
    }
}

/// The metrics endpoint the caja's monitoring scrapes (Prometheus text at `http://<listen>/metrics`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    /// `address:port` to serve on (`127.0.0.1:9464`; `0.0.0.0:9464` for a monitoring server on the agency's
    /// network); empty: no metrics endpoint.
    pub listen: String,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self { listen: "127.0.0.1:9464".to_owned() }
    }
}

/// Data tables the kiosk loads besides this file. Empty means the table embedded in the binary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DataFiles {
    pub channels: String,
    pub disclosures: String,
}

/// How the window reaches the screen: Slint's backend, chosen at start. `SLINT_BACKEND` in the environment
/// wins over this key; with neither, Slint's default (a window on the desktop, winit; LinuxKMS when there is
/// no display server).
///
/// The panel's physical size and height above the floor place the touch targets within reach (ADA 308:
/// 380–1,220 mm above the floor) and size the keypad keys (at least 19 mm).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DisplaySettings {
    /// `""` (Slint's default), `winit` / `winit-software` (a window), `linuxkms` / `linuxkms-software`
    /// (full screen on the DRM device, touch from libinput, no X11 or Wayland).
    pub backend: String,
    /// Width of the panel's picture as mounted, in mm; 0 = the kiosk's standard panel for the window's shape
    /// (19" 5:4 landscape, 376 × 301 mm; 21.5" portrait, 268 × 476 mm).
    pub width_mm: u32,
    /// Height of the panel's picture as mounted, in mm; 0 = the standard panel, as for `width_mm`.
    pub height_mm: u32,
    /// Height of the picture's bottom edge above the floor, in mm.
    pub bottom_above_floor_mm: u32,
}

impl Default for DisplaySettings {
    fn default() -> Self {
        Self { backend: String::new(), width_mm: 0, height_mm: 0, bottom_above_floor_mm: 850 }
    }
}

impl DisplaySettings {
    /// The backends this kiosk is built with (the software renderer only).
    pub const BACKENDS: [&str; 5] = ["", "winit", "winit-software", "linuxkms", "linuxkms-software"];
}

/// Audio mode (issue 17): speech through the headphone jack, driven from the tactile keypad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AudioSettings {
    /// Idle time before the countdown in audio mode (longer than `session.idle_seconds`: listening takes
    /// time).
    pub idle_seconds: u32,
    /// Length of the spoken countdown in audio mode.
    pub countdown_seconds: u32,
    /// The volume each session starts at, 1..=`max_volume`.
    pub default_volume: u8,
    /// Number of volume steps.
    pub max_volume: u8,
    /// Blank the screen while audio mode is on, for privacy.
    pub blank_screen: bool,
    /// The speech engine's program (espeak-ng); empty: no speech (the keypad still works).
    pub engine: String,
    /// espeak-ng voice for Spanish (Latin American Spanish is closest to es-PE).
    pub voice_es: String,
    /// espeak-ng voice for English.
    pub voice_en: String,
    /// Speaking rate, words per minute.
    pub words_per_minute: u32,
}

impl Default for AudioSettings {
    fn default() -> Self {
        Self {
            idle_seconds: 120,
            countdown_seconds: 45,
            default_volume: 5,
            max_volume: 10,
            blank_screen: false,
            engine: "espeak-ng".into(),
            voice_es: "es-419".into(),
            voice_en: "en-us".into(),
            words_per_minute: 160,
        }
    }
}

impl Settings {
    /// Every problem in this configuration; empty when it is valid.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let k = &self.kiosk;
        if k.id.trim().is_empty() || k.id.len() > 32 {
            problems.push(Problem::new("kiosk.id", "must be 1 to 32 characters"));
        }
        if k.institution.trim().is_empty() {
            problems.push(Problem::new("kiosk.institution", "must not be empty"));
        }
        if k.ruc.len() != 11 || !k.ruc.bytes().all(|b| b.is_ascii_digit()) {
            problems.push(Problem::new("kiosk.ruc", "a RUC has exactly 11 digits"));
        }
        if k.data_dir.trim().is_empty() {
            problems.push(Problem::new("kiosk.data_dir", "must name a directory"));
        }

        let s = &self.session;
        if !(10..=600).contains(&s.idle_seconds) {
            problems.push(Problem::new("session.idle_seconds", "must be between 10 and 600"));
        }
        if !(5..=120).contains(&s.countdown_seconds) {
            problems.push(Problem::new("session.countdown_seconds", "must be between 5 and 120"));
        }
        if !(5..=120).contains(&s.interactive_timeout_seconds) {
            problems.push(Problem::new("session.interactive_timeout_seconds", "must be between 5 and 120"));
        }
        if !(10..=300).contains(&s.otp_resend_seconds) {
            problems.push(Problem::new("session.otp_resend_seconds", "must be between 10 and 300"));
        }

        let h = &self.host;
        if !h.base_url.starts_with("https://") {
            problems
                .push(Problem::new("host.base_url", "must be an https:// URL: the central is reached over TLS only"));
        }
        if self.kiosk.mode == Mode::Production {
            if h.embedded_simulator {
                problems.push(Problem::new("host.embedded_simulator", "must be false in production mode"));
            }
            for (key, value) in
                [("host.ca_cert", &h.ca_cert), ("host.client_cert", &h.client_cert), ("host.client_key", &h.client_key)]
            {
                if value.trim().is_empty() {
                    problems.push(Problem::new(key, "is required in production mode (a PEM file path)"));
                }
            }
        }
        if h.connect_timeout_ms == 0 || h.connect_timeout_ms > 60_000 {
            problems.push(Problem::new("host.connect_timeout_ms", "must be between 1 and 60000"));
        }
        if h.request_timeout_ms == 0 || h.request_timeout_ms > 120_000 {
            problems.push(Problem::new("host.request_timeout_ms", "must be between 1 and 120000"));
        }

        let o = &self.outbox;
        if o.max_pending == 0 {
            problems.push(Problem::new("outbox.max_pending", "must be at least 1"));
        }
        if o.max_age_hours == 0 {
            problems.push(Problem::new("outbox.max_age_hours", "must be at least 1"));
        }
        if o.backoff_initial_ms == 0 || o.backoff_initial_ms > o.backoff_max_ms {
            problems.push(Problem::new(
                "outbox.backoff_initial_ms",
                "must be at least 1 and not above outbox.backoff_max_ms",
            ));
        }
        if !(5..=3600).contains(&self.fleet.report_interval_seconds) {
            problems.push(Problem::new("fleet.report_interval_seconds", "must be 5 to 3600 seconds"));
        }
        if self.journal.free_space_reserve_mb == 0 {
            problems.push(Problem::new("journal.free_space_reserve_mb", "must be at least 1"));
        }
        if self.journal.disk_budget_mb == 0 {
            problems.push(Problem::new("journal.disk_budget_mb", "must be at least 1"));
        }

        let p = &self.printer;
        p.serial.validate("printer.serial", &mut problems);
        if ![32, 42, 48].contains(&p.columns) {
            problems.push(Problem::new("printer.columns", "must be 48 (80 mm), 42 or 32 (58 mm)"));
        }
        if p.logo_key.len() > 2 || !p.logo_key.bytes().all(|b| (32..127).contains(&b)) {
            problems.push(Problem::new("printer.logo_key", "a logo key code is at most 2 printable ASCII characters"));
        }
        if !(100..=60_000).contains(&p.status_poll_ms) {
            problems.push(Problem::new("printer.status_poll_ms", "must be between 100 and 60000"));
        }
        if p.roll_length_mm < 1_000 {
            problems.push(Problem::new("printer.roll_length_mm", "must be at least 1000"));
        }
        self.card_reader.serial.validate("card_reader.serial", &mut problems);
        self.document_reader.serial.validate("document_reader.serial", &mut problems);
        if self.kiosk.mode == Mode::Production {
            for (key, serial) in [
                ("printer.serial.port", &p.serial),
                ("card_reader.serial.port", &self.card_reader.serial),
                ("document_reader.serial.port", &self.document_reader.serial),
            ] {
                if serial.emulated() {
                    problems.push(Problem::new(key, "must name a real serial device in production mode"));
                }
            }
        }

        if !DisplaySettings::BACKENDS.contains(&self.display.backend.as_str()) {
            problems.push(Problem::new(
                "display.backend",
                "must be empty (Slint's default), winit, winit-software, linuxkms or linuxkms-software",
            ));
        }
        let d = &self.display;
        if (d.width_mm == 0) != (d.height_mm == 0) || d.width_mm > 3_000 || d.height_mm > 3_000 {
            problems
                .push(Problem::new("display.width_mm", "give both width_mm and height_mm (up to 3000), or neither"));
        }
        if d.bottom_above_floor_mm > 2_000 {
            problems.push(Problem::new("display.bottom_above_floor_mm", "must be 0 to 2000 mm"));
        }
        let a = &self.audio;
        if !(30..=900).contains(&a.idle_seconds) {
            problems.push(Problem::new("audio.idle_seconds", "must be 30 to 900"));
        }
        if !(10..=300).contains(&a.countdown_seconds) {
            problems.push(Problem::new("audio.countdown_seconds", "must be 10 to 300"));
        }
        if !(2..=20).contains(&a.max_volume) {
            problems.push(Problem::new("audio.max_volume", "must be 2 to 20"));
        }
        if !(1..=a.max_volume).contains(&a.default_volume) {
            problems.push(Problem::new("audio.default_volume", "must be 1 to audio.max_volume"));
        }
        if !(80..=450).contains(&a.words_per_minute) {
            problems.push(Problem::new("audio.words_per_minute", "must be 80 to 450"));
        }
        if !a.engine.is_empty() && (a.voice_es.trim().is_empty() || a.voice_en.trim().is_empty()) {
            problems.push(Problem::new("audio.voice_es", "name a voice for each language (espeak-ng --voices)"));
        }

        let listen = self.metrics.listen.trim();
        if !listen.is_empty() && listen.parse::<core::net::SocketAddr>().is_err() {
            problems.push(Problem::new(
                "metrics.listen",
                "must be an address and port such as 127.0.0.1:9464, or empty to serve no metrics",
            ));
        }

        let m = &self.maintenance;
        if !(3..=10).contains(&m.gesture_taps) {
            problems.push(Problem::new("maintenance.gesture_taps", "must be between 3 and 10"));
        }
        if !(1_000..=10_000).contains(&m.gesture_window_ms) {
            problems.push(Problem::new("maintenance.gesture_window_ms", "must be between 1000 and 10000"));
        }
        if !(1..=10).contains(&m.max_pin_attempts) {
            problems.push(Problem::new("maintenance.max_pin_attempts", "must be between 1 and 10"));
        }
        if !(1..=1_440).contains(&m.lockout_minutes) {
            problems.push(Problem::new(
                "maintenance.lockout_minutes",
                "must be between 1 and 1440 (a day); 0 would switch off the lockout after failed PINs",
            ));
        }
        if m.export_dir.trim().is_empty() {
            problems.push(Problem::new("maintenance.export_dir", "must name a directory (the USB stick mount)"));
        }
        if m.reauth_minutes == 0 || m.reauth_minutes > 15 {
            problems.push(Problem::new("maintenance.reauth_minutes", "must be between 1 and 15 (PCI DSS 8.2.8)"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, user) in m.users.iter().enumerate() {
            let key = format!("maintenance.users[{i}]");
            if user.id.trim().is_empty() {
                problems.push(Problem::new(format!("{key}.id"), "must not be empty"));
            } else if !seen.insert(user.id.as_str()) {
                problems.push(Problem::new(format!("{key}.id"), format!("\"{}\" is used twice", user.id)));
            }
            if !user.pin_hash.starts_with("$argon2") {
                problems.push(Problem::new(
                    format!("{key}.pin_hash"),
                    "must be an argon2 PHC string (create users with `servicaja user add`), never a PIN",
                ));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_a_valid_demo_configuration() {
        assert_eq!(Settings::default().validate(), vec![]);
    }

    #[test]
    fn the_metrics_address_is_an_address_and_port_or_empty() {
        let mut settings = Settings::default();
        assert_eq!(settings.metrics.listen, "127.0.0.1:9464");
        settings.metrics.listen = String::new();
        assert_eq!(settings.validate(), vec![]);
        settings.metrics.listen = "0.0.0.0:9464".into();
        assert_eq!(settings.validate(), vec![]);
        settings.metrics.listen = "localhost".into();
        assert_eq!(settings.validate().iter().map(|p| p.key.as_str()).collect::<Vec<_>>(), ["metrics.listen"]);
    }

    #[test]
    fn maintenance_timings_that_would_switch_off_a_safeguard_are_problems() {
        let mut settings = Settings::default();
        settings.maintenance.lockout_minutes = 0;
        settings.maintenance.reauth_minutes = 0;
        settings.maintenance.max_pin_attempts = 0;
        settings.maintenance.export_dir = " ".into();
        let problems = settings.validate();
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "maintenance.max_pin_attempts",
                "maintenance.lockout_minutes",
                "maintenance.export_dir",
                "maintenance.reauth_minutes"
            ]
        );
        assert!(problems[1].reason.contains("between 1 and 1440"), "{:?}", problems[1]);
        settings.maintenance = MaintenanceSettings { lockout_minutes: 1, ..MaintenanceSettings::default() };
        assert_eq!(settings.validate(), vec![]);
        settings.maintenance.lockout_minutes = 1_441;
        assert_eq!(settings.validate().len(), 1);
    }

    #[test]
    fn production_needs_certificates_and_real_ports() {
        let mut settings = Settings::default();
        settings.kiosk.mode = Mode::Production;
        let keys: Vec<String> = settings.validate().into_iter().map(|p| p.key).collect();
        for expected in [
            "host.embedded_simulator",
            "host.ca_cert",
            "host.client_cert",
            "host.client_key",
            "printer.serial.port",
            "card_reader.serial.port",
            "document_reader.serial.port",
        ] {
            assert!(keys.iter().any(|k| k == expected), "missing {expected} in {keys:?}");
        }
    }

    #[test]
    fn every_problem_is_reported_not_only_the_first() {
        let mut settings = Settings::default();
        settings.printer.serial.baud = 1234;
        settings.printer.columns = 50;
        settings.host.base_url = "http://central".into();
        settings.maintenance.users.push(MaintenanceUser {
            id: "tec01".into(),
            name: "Técnico".into(),
            role: Role::Technician,
            pin_hash: "1234".into(),
        });
        let keys: Vec<String> = settings.validate().into_iter().map(|p| p.key).collect();
        assert_eq!(keys, ["host.base_url", "printer.serial.baud", "printer.columns", "maintenance.users[0].pin_hash"]);
    }

    #[test]
    fn duplicate_user_ids_are_refused() {
        let mut settings = Settings::default();
        let user = MaintenanceUser {
            id: "tec01".into(),
            name: "A".into(),
            role: Role::Staff,
            pin_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        };
        settings.maintenance.users = vec![user.clone(), user];
        let problems = settings.validate();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key, "maintenance.users[1].id");
    }

    #[test]
    fn the_display_backend_is_one_this_kiosk_is_built_with() {
        let mut settings = Settings::default();
        for backend in DisplaySettings::BACKENDS {
            settings.display.backend = backend.to_owned();
            assert!(settings.validate().is_empty(), "{backend}");
        }
        settings.display.backend = "linuxkms-skia".to_owned();
        let keys: Vec<String> = settings.validate().into_iter().map(|problem| problem.key).collect();
        assert_eq!(keys, ["display.backend"]);
    }

    #[test]
    fn audio_and_panel_geometry_are_checked_key_by_key() {
        let mut settings = Settings::default();
        settings.display.width_mm = 268;
        settings.audio.default_volume = 11;
        settings.audio.words_per_minute = 20;
        let keys: Vec<String> = settings.validate().into_iter().map(|problem| problem.key).collect();
        assert_eq!(keys, ["display.width_mm", "audio.default_volume", "audio.words_per_minute"]);
        settings.display.height_mm = 476;
        settings.audio.default_volume = 10;
        settings.audio.words_per_minute = 180;
        assert!(settings.validate().is_empty());
    }
}
