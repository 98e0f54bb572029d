//! The maintenance screens' backend in the real kiosk: device statuses from the drivers' handles (with a
//! short history of their problems), the printer test page laid out by the receipts crate and printed on
//! the runtime's printer, the paper counter file, the runtime's outbox, the central's health probed in the
//! background with its round-trip time, the certificates' expiry from their PEM files, the configuration
//! summary with secrets hidden, the log and journal export, and maintenance records to the runtime's
//! journal thread.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use servicaja_core::settings::{HostSettings, Role, Settings};
use servicaja_drivers::devices::{PrinterHandle, ReaderHandle};
use servicaja_drivers::printer::PrintJob;
use servicaja_drivers::status::DeviceStatus;
use servicaja_host::HostClient;
use servicaja_host::journal::{JOURNAL_FILE, Journal};
use servicaja_maintenance::JournalEntry;
use servicaja_receipts::templates::{Issue, MaintenanceTest, maintenance_test};
use servicaja_receipts::{Columns, Header, layout, render};
use servicaja_session::{Event, SwitchOffReason};

use servicaja_runtime::certs::expiries_from_file;
use servicaja_runtime::export::export;
use servicaja_runtime::fleet::vocabulary;
use servicaja_runtime::paper::PaperStore;
use servicaja_runtime::pin::Argon2Verifier;
use servicaja_runtime::server_cert;
use servicaja_runtime::service_switch as service;
use servicaja_runtime::{Runtime, record_paper};
use servicaja_ui::KioskWindow;
use servicaja_ui::controller::{SharedController, system_clock};
use servicaja_ui::maintenance::backend::{
    CertReport, CommandError, DeviceError, DeviceReport, HostReport, KioskReport, MaintenanceBackend, PaperReport,
    QueueReport,
};
use servicaja_ui::maintenance::{Desk, SharedDesk, queue};

/// Problems kept per device for the devices page, since the kiosk started.
const ERROR_HISTORY: usize = 20;

/// Each device's problems since boot, newest first, at most [`ERROR_HISTORY`] each: every change to a
/// state other than online (or one that asks for an action) is remembered with its time and action.
#[derive(Debug, Default)]
struct DeviceHistory {
    last_seen: BTreeMap<&'static str, DeviceStatus>,
    errors: BTreeMap<&'static str, Vec<DeviceError>>,
}

impl DeviceHistory {
    fn observe(&mut self, device: &'static str, status: &DeviceStatus, now: DateTime<Utc>) {
        if self.last_seen.get(device) == Some(status) {
            return;
        }
        self.last_seen.insert(device, status.clone());
        let report = report_of(device, status, Vec::new());
        if report.state != "online" || report.action.is_some() {
            let errors = self.errors.entry(device).or_default();
            errors
                .insert(0, DeviceError { at: now, state: report.state, action: report.action, detail: report.detail });
            errors.truncate(ERROR_HISTORY);
        }
    }

    fn errors(&self, device: &str) -> Vec<DeviceError> {
        self.errors.get(device).cloned().unwrap_or_default()
    }
}

/// The drivers' handles the devices page reads.
#[derive(Clone)]
pub struct DeviceHandles {
    pub printer: PrinterHandle,
    pub card_reader: ReaderHandle,
    pub document_reader: ReaderHandle,
}

#[derive(Debug, Default)]
struct Probe {
    reachable: Option<bool>,
    round_trip_ms: Option<u64>,
    checked_at: Option<DateTime<Utc>>,
    server_cert: Option<CertReport>,
    running: bool,
}

/// The real kiosk's [`MaintenanceBackend`].
pub struct RuntimeDesk {
    settings: Settings,
    host: HostSettings,
    runtime: Arc<Runtime>,
    devices: DeviceHandles,
    client: HostClient,
    started_at: DateTime<Utc>,
    data_dir: PathBuf,
    history: DeviceHistory,
    probe: Arc<Mutex<Probe>>,
    test_page: Arc<Mutex<Option<Result<(), String>>>>,
}

impl RuntimeDesk {
    /// `host` is the host configuration in use (the demo world's when it runs): its URL and certificates.
    pub fn new(
        settings: &Settings,
        host: &HostSettings,
        runtime: Arc<Runtime>,
        devices: DeviceHandles,
        client: HostClient,
        started_at: DateTime<Utc>,
    ) -> Self {
        Self {
            settings: settings.clone(),
            host: host.clone(),
            runtime,
            devices,
            client,
            started_at,
            data_dir: PathBuf::from(&settings.kiosk.data_dir),
            history: DeviceHistory::default(),
            probe: Arc::default(),
            test_page: Arc::default(),
        }
    }

    fn statuses(&self) -> [(&'static str, DeviceStatus); 3] {
        [
            ("printer", self.devices.printer.status()),
            ("card-reader", self.devices.card_reader.status()),
            ("document-reader", self.devices.document_reader.status()),
        ]
    }

    fn start_probe(&self, now: DateTime<Utc>) {
        {
            let mut probe = lock(&self.probe);
            if probe.running {
                return;
            }
            probe.running = true;
        }
        let client = self.client.clone();
        let probe = self.probe.clone();
        let host = self.host.clone();
        self.runtime.handle().spawn(async move {
            let started = Instant::now();
            let answer = tokio::time::timeout(std::time::Duration::from_secs(10), client.health()).await;
            let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let server_cert = match server_cert::server_certificate(&host, now).await {
                Ok(cert) => CertReport::Read { not_after: cert.not_after, status: cert.status },
                Err(err) => CertReport::Unreadable(err),
            };
            let mut probe = lock(&probe);
            probe.server_cert = Some(server_cert);
            probe.running = false;
            probe.checked_at = Some(now);
            match answer {
                Ok(Ok(_)) => {
                    probe.reachable = Some(true);
                    probe.round_trip_ms = Some(elapsed);
                }
                _ => probe.reachable = Some(false),
            }
        });
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn report_of(device: &'static str, status: &DeviceStatus, errors: Vec<DeviceError>) -> DeviceReport {
    DeviceReport {
        device,
        state: vocabulary(&status.device),
        paper: status.paper.as_ref().map(vocabulary),
        action: status.action.as_ref().map(vocabulary),
        detail: status.detail.clone(),
        errors,
    }
}

fn cert_report(path: &str, now: DateTime<Utc>) -> Option<CertReport> {
    if path.trim().is_empty() {
        return None;
    }
    Some(match expiries_from_file(Path::new(path), now) {
        Ok(found) => match found.first() {
            Some(cert) => CertReport::Read { not_after: cert.not_after, status: cert.status },
            None => CertReport::Unreadable("no certificate".into()),
        },
        Err(err) => CertReport::Unreadable(err.to_string()),
    })
}

/// The configuration a technician may read: paths, ports and limits; keys, PIN hashes and the like hidden.
pub fn settings_summary(settings: &Settings, host: &HostSettings) -> Vec<(String, String)> {
    let technicians = settings.maintenance.users.iter().filter(|u| u.role == Role::Technician).count();
    let staff = settings.maintenance.users.len() - technicians;
    let hidden = |path: &str| if path.is_empty() { "@missing".to_owned() } else { "@hidden".to_owned() };
    vec![
        ("kiosk.id".into(), settings.kiosk.id.clone()),
        ("kiosk.agency".into(), format!("{} {}", settings.kiosk.agency_code, settings.kiosk.agency_name)),
        ("kiosk.mode".into(), vocabulary(&settings.kiosk.mode)),
        ("kiosk.data_dir".into(), settings.kiosk.data_dir.clone()),
        ("host.base_url".into(), host.base_url.clone()),
        ("host.client_key".into(), hidden(&host.client_key)),
        ("printer.port".into(), settings.printer.serial.port.clone()),
        ("printer.columns".into(), settings.printer.columns.to_string()),
        ("card_reader.port".into(), settings.card_reader.serial.port.clone()),
        ("document_reader.port".into(), settings.document_reader.serial.port.clone()),
        ("maintenance.export_dir".into(), settings.maintenance.export_dir.clone()),
        ("maintenance.technicians".into(), technicians.to_string()),
        ("maintenance.staff".into(), staff.to_string()),
        ("maintenance.users[].pin_hash".into(), "@hidden".into()),
    ]
}

impl MaintenanceBackend for RuntimeDesk {
    fn devices(&mut self) -> Vec<DeviceReport> {
        let now = Utc::now();
        self.statuses()
            .into_iter()
            .map(|(device, status)| {
                self.history.observe(device, &status, now);
                report_of(device, &status, self.history.errors(device))
            })
            .collect()
    }

    fn watch_devices(&mut self, now: DateTime<Utc>) {
        for (device, status) in self.statuses() {
            self.history.observe(device, &status, now);
        }
    }

    fn print_test_page(&mut self, technician: &str, now: DateTime<Utc>) -> Result<(), String> {
        let status = self.devices.printer.status();
        let test = MaintenanceTest {
            technician_id: technician.to_owned(),
            software_version: format!("servicaja {}", env!("CARGO_PKG_VERSION")),
            printer_status: format!("{} — {}", vocabulary(&status.device), status.detail),
        };
        let issue = Issue {
            header: Header::from_settings(&self.settings.kiosk),
            issued_at: now,
            operation_number: "PRUEBA".into(),
            journal_hash: None,
        };
        let columns = Columns::new(self.settings.printer.columns).map_err(|err| err.to_string())?;
        let laid_out = layout(&maintenance_test(&issue, &test), columns);
        let bytes =
            render::escpos::render(&laid_out, &self.settings.printer.logo_key).map_err(|err| err.to_string())?.bytes;
        let printer = self.devices.printer.clone();
        let outcome = self.test_page.clone();
        let data_dir = self.data_dir.clone();
        *lock(&outcome) = None;
        self.runtime.handle().spawn_blocking(move || {
            let result = printer.print(PrintJob { bytes }).map(|job| record_paper(&data_dir, job.paper.length_um));
            *lock(&outcome) = Some(result.map_err(|err| err.to_string()));
        });
        Ok(())
    }

    fn test_page_outcome(&mut self) -> Option<Result<(), String>> {
        lock(&self.test_page).take()
    }

    fn paper(&mut self) -> PaperReport {
        let counter = PaperStore::open(&self.data_dir).map(|store| store.counter()).unwrap_or_default();
        PaperReport {
            estimate: counter.estimate(self.settings.printer.roll_length_mm),
            roll_length_mm: self.settings.printer.roll_length_mm,
            roll_replaced_at: counter.roll_replaced_at,
        }
    }

    fn roll_replaced(&mut self, now: DateTime<Utc>) -> Result<(), String> {
        PaperStore::open(&self.data_dir).and_then(|mut store| store.roll_replaced(now)).map_err(|err| err.to_string())
    }

    fn queue(&mut self) -> Result<QueueReport, String> {
        queue::queue_report(self.runtime.handle(), self.runtime.outbox())
    }

    fn retry(&mut self, id: i64) -> Result<(), CommandError> {
        queue::retry(self.runtime.handle(), self.runtime.outbox(), id)
    }

    fn cancel(&mut self, id: i64, reason: &str) -> Result<(), CommandError> {
        queue::cancel(self.runtime.handle(), self.runtime.outbox(), id, reason)
    }

    fn host(&mut self, now: DateTime<Utc>, probe: bool) -> HostReport {
        if probe || lock(&self.probe).checked_at.is_none() {
            self.start_probe(now);
        }
        let probe = lock(&self.probe);
        HostReport {
            base_url: self.host.base_url.clone(),
            reachable: probe.reachable,
            round_trip_ms: probe.round_trip_ms,
            checked_at: probe.checked_at,
            server_cert: probe.server_cert.clone(),
            ca_cert: cert_report(&self.host.ca_cert, now),
            kiosk_cert: cert_report(&self.host.client_cert, now),
        }
    }

    fn kiosk(&mut self) -> KioskReport {
        KioskReport {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at: Some(self.started_at),
            settings: settings_summary(&self.settings, &self.host),
        }
    }

    fn service_switched(
        &mut self,
        out_of_service: Option<&SwitchOffReason>,
        user: &str,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let switch = service::ServiceSwitch { out_of_service: out_of_service.cloned(), user: user.to_owned(), at: now };
        service::save(&self.data_dir, &switch).map_err(|err| err.to_string())
    }

    fn export(&mut self, now: DateTime<Utc>) -> Result<String, String> {
        let path = self.data_dir.join(JOURNAL_FILE);
        let journal = Journal::open_existing(&path).map_err(|err| format!("{}: {err}", path.display()))?;
        let exported = export(&self.settings, &journal, now).map_err(|err| err.to_string())?;
        Ok(exported.folder.display().to_string())
    }

    fn journal(&mut self, entries: Vec<JournalEntry>) {
        self.runtime.journal_maintenance(entries);
    }
}

/// The maintenance mode of the real kiosk: the desk bound to `ui` and the customer session's `controller`,
/// answered by the runtime, the drivers and the files, with argon2 PINs and the system clock; ticking every
/// second for the re-authentication after idle. A kiosk a technician left switched off starts off, with the
/// same reason for its customers.
pub fn attach(
    ui: &KioskWindow,
    controller: &SharedController,
    settings: &Settings,
    host: &HostSettings,
    kiosk: KioskParts,
    started_at: DateTime<Utc>,
) -> SharedDesk {
    let KioskParts { runtime, client, devices } = kiosk;
    if let Some(reason) = service::load(Path::new(&settings.kiosk.data_dir)) {
        controller.borrow_mut().dispatch(Event::ServiceSwitch { out_of_service: Some(reason) });
    }
    let backend = RuntimeDesk::new(settings, host, runtime, devices, client, started_at);
    let desk = Desk::attach(
        ui,
        controller,
        Box::new(backend),
        Box::new(Argon2Verifier),
        &settings.maintenance,
        system_clock(),
    );
    Desk::start_ticking(&desk);
    desk
}

/// What the maintenance mode uses of the running kiosk.
pub struct KioskParts {
    pub runtime: Arc<Runtime>,
    pub client: HostClient,
    pub devices: DeviceHandles,
}

// The tests run the desk against the central simulator and the emulated devices of a demo build.
#[cfg(all(test, feature = "demo"))]
mod tests {
    use super::*;
    use chrono::Datelike;
    use servicaja_core::settings::MaintenanceUser;
    use servicaja_drivers::status::{DeviceKind, DeviceState, ErrorAction, PaperState};

    #[test]
    fn the_summary_hides_keys_and_pin_hashes() {
        let mut settings = Settings::default();
        settings.maintenance.users = vec![
            MaintenanceUser {
                id: "1001".into(),
                name: "Ana".into(),
                role: Role::Technician,
                pin_hash: "$argon2id$x".into(),
            },
            MaintenanceUser {
                id: "2001".into(),
                name: "Luis".into(),
                role: Role::Staff,
                pin_hash: "$argon2id$y".into(),
            },
        ];
        let mut host = settings.host.clone();
        host.client_key = "/etc/servicaja/kiosk.key".into();
        let summary = settings_summary(&settings, &host);
        let text = format!("{summary:?}");
        assert!(!text.contains("argon2") && !text.contains("kiosk.key"), "{text}");
        assert!(summary.contains(&("host.client_key".into(), "@hidden".into())));
        assert!(summary.contains(&("maintenance.technicians".into(), "1".into())));
        assert!(summary.contains(&("maintenance.users[].pin_hash".into(), "@hidden".into())));
    }

    #[test]
    fn device_reports_use_the_shared_vocabulary() {
        let mut status = DeviceStatus::no_device(DeviceKind::Printer, "port /dev/ttyS0: gone");
        let report = report_of("printer", &status, Vec::new());
        assert_eq!(
            (report.state.as_str(), report.paper.as_deref(), report.action.as_deref()),
            ("noDevice", Some("unknown"), Some("maintenance"))
        );
        status.device = DeviceState::UserError;
        status.paper = Some(PaperState::Out);
        status.action = Some(ErrorAction::Clear);
        let report = report_of("printer", &status, Vec::new());
        assert_eq!(
            (report.state.as_str(), report.paper.as_deref(), report.action.as_deref()),
            ("userError", Some("out"), Some("clear"))
        );
    }

    #[test]
    fn each_device_keeps_its_last_twenty_problems_since_boot_newest_first_with_their_action() {
        let mut history = DeviceHistory::default();
        let t0: DateTime<Utc> = "2026-11-22T03:00:00Z".parse().unwrap();
        let online = DeviceStatus::no_device(DeviceKind::Printer, "x");
        let mut out = online.clone();
        out.device = DeviceState::UserError;
        out.paper = Some(PaperState::Out);
        out.action = Some(ErrorAction::Clear);
        out.detail = "paper out".into();
        let mut fine = out.clone();
        fine.device = DeviceState::Online;
        fine.paper = Some(PaperState::Full);
        fine.action = None;
        fine.detail = "ok".into();
        for minute in 0..50 {
            let at = t0 + chrono::TimeDelta::minutes(minute);
            history.observe("printer", if minute % 2 == 0 { &out } else { &fine }, at);
            history.observe("printer", if minute % 2 == 0 { &out } else { &fine }, at);
        }
        history.observe("card-reader", &online, t0);
        let printer = history.errors("printer");
        assert_eq!(printer.len(), ERROR_HISTORY, "bounded, and only problems (not the recoveries) are kept");
        assert_eq!(printer[0].at, t0 + chrono::TimeDelta::minutes(48), "newest first");
        assert_eq!((printer[0].state.as_str(), printer[0].action.as_deref()), ("userError", Some("clear")));
        assert_eq!(printer[0].detail, "paper out");
        let card = history.errors("card-reader");
        assert_eq!((card.len(), card[0].action.as_deref()), (1, Some("maintenance")));
        assert!(history.errors("document-reader").is_empty());
    }

    #[test]
    fn a_missing_certificate_is_said_and_a_real_one_gives_its_date() {
        assert_eq!(cert_report("", Utc::now()), None);
        assert!(matches!(cert_report("/nonexistent/ca.pem", Utc::now()), Some(CertReport::Unreadable(_))));
        let dir = tempfile::tempdir().unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["central.test".to_string()]).unwrap();
        params.not_after = rcgen::date_time_ymd(2026, 12, 1);
        let pem = params.self_signed(&rcgen::KeyPair::generate().unwrap()).unwrap().pem();
        let path = dir.path().join("ca.pem");
        std::fs::write(&path, pem).unwrap();
        let now = "2026-11-21T12:00:00Z".parse().unwrap();
        match cert_report(&path.display().to_string(), now) {
            Some(CertReport::Read { status, .. }) => {
                assert_eq!(status, servicaja_maintenance::CertStatus::Warn { days_left: 9 })
            }
            other => panic!("{other:?}"),
        }
    }

    /// Creates the simulator's PKI in `central_dir` and re-issues its server certificate (same CA and key)
    /// to expire in 20 days; answers that date.
    fn short_lived_server_certificate(central_dir: &Path) -> DateTime<Utc> {
        let pki = servicaja_central::tls::ensure_pki(central_dir, true).unwrap();
        let ca_key = rcgen::KeyPair::from_pem(&std::fs::read_to_string(&pki.ca_key).unwrap()).unwrap();
        // The simulator's CA as it was issued (same names, same key): what a certificate's issuer needs.
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name.push(rcgen::DnType::CommonName, "ServiCaja Development CA");
        ca.distinguished_name.push(rcgen::DnType::OrganizationName, "CAJA TACNA (simulador)");
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let server_key = rcgen::KeyPair::from_pem(&std::fs::read_to_string(&pki.server_key).unwrap()).unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        let expires = (Utc::now() + chrono::TimeDelta::days(20)).date_naive();
        let (year, month, day) = (expires.year(), expires.month(), expires.day());
        params.not_after = rcgen::date_time_ymd(year, u8::try_from(month).unwrap(), u8::try_from(day).unwrap());
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        std::fs::write(&pki.server_cert, params.signed_by(&server_key, &issuer).unwrap().pem()).unwrap();
        expires.and_hms_opt(0, 0, 0).unwrap().and_utc()
    }

    /// Polls `probe` until it answers, up to a minute (real components; never an assertion on speed).
    fn wait_for<T>(mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if let Some(found) = probe() {
                return found;
            }
            assert!(Instant::now() < deadline, "the real components did not answer within a minute");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// The real backend against the real world: the central simulator on loopback TLS, the emulated devices
    /// on pseudo-terminals and the kiosk's services (runtime, outbox, journal thread, printer driver).
    #[test]
    fn the_runtime_backend_prints_the_test_page_counts_its_paper_probes_the_central_and_journals() {
        let tokio = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut settings = servicaja_runtime::config::load(None).unwrap().settings;
        let server_expires = short_lived_server_certificate(&dir.path().join("central"));
        let central = tokio
            .block_on(servicaja_central::start(servicaja_central::CentralConfig::demo(dir.path().join("central"))))
            .unwrap();
        settings.kiosk.data_dir = dir.path().join("kiosk").display().to_string();
        settings.maintenance.export_dir = dir.path().join("usb").display().to_string();
        settings.host.base_url = central.base_url();
        settings.host.ca_cert = central.ca_cert_path().display().to_string();
        settings.host.client_cert = central.client_cert_path().display().to_string();
        settings.host.client_key = central.client_key_path().display().to_string();
        let emulators = servicaja_drivers::emulator::EmulatorSet::start_temporary(settings.printer.columns).unwrap();
        let (devices, _events) = servicaja_drivers::devices::Devices::start(
            &settings.printer,
            &settings.card_reader,
            &settings.document_reader,
            Some(&emulators.paths()),
            servicaja_drivers::devices::DriverOptions::default(),
        );
        let client = HostClient::from_settings(&settings.host).unwrap();
        let runtime = Arc::new(
            tokio
                .block_on(Runtime::start(
                    &settings,
                    client.clone(),
                    devices.printer.clone(),
                    Arc::new(|_| {}),
                    servicaja_runtime::RuntimeOptions::default(),
                ))
                .unwrap(),
        );
        let handles = DeviceHandles {
            printer: devices.printer.clone(),
            card_reader: devices.card_reader.clone(),
            document_reader: devices.document_reader.clone(),
        };
        let started = Utc::now();
        let mut desk = RuntimeDesk::new(&settings, &settings.host, runtime, handles, client, started);

        wait_for(|| (desk.devices().iter().all(|d| d.state == "online")).then_some(()));
        desk.print_test_page("1001", Utc::now()).unwrap();
        assert_eq!(wait_for(|| desk.test_page_outcome()), Ok(()));
        let paper = desk.paper();
        assert_eq!(paper.estimate.receipts, 1);
        assert!(paper.estimate.printed_mm > 0 && paper.estimate.left_mm < 80_000, "{paper:?}");
        desk.roll_replaced(Utc::now()).unwrap();
        assert_eq!(desk.paper().estimate.receipts, 0);

        let host = wait_for(|| {
            let host = desk.host(Utc::now(), false);
            host.reachable.map(|_| host)
        });
        assert_eq!(host.reachable, Some(true));
        assert!(host.round_trip_ms.is_some());
        assert!(matches!(host.kiosk_cert, Some(CertReport::Read { .. })), "{host:?}");
        assert!(matches!(host.ca_cert, Some(CertReport::Read { .. })), "{host:?}");
        // The server's own certificate, from the probe's handshake: 20 days left, warned; the CA lives on.
        match (&host.server_cert, &host.ca_cert) {
            (Some(CertReport::Read { not_after, status }), Some(CertReport::Read { status: ca, .. })) => {
                assert_eq!(*not_after, server_expires, "{host:?}");
                assert!(matches!(status, servicaja_maintenance::CertStatus::Warn { days_left: 19 | 20 }), "{status:?}");
                assert!(matches!(ca, servicaja_maintenance::CertStatus::Ok { .. }), "{ca:?}");
            }
            other => panic!("{other:?}"),
        }
        let queue = desk.queue().unwrap();
        assert_eq!(queue.counts.len(), servicaja_host::State::ALL.len());
        assert!(queue.problems.is_empty());

        let at = Utc::now();
        desk.journal(vec![JournalEntry::new(at, "1001", "login", "technician")]);
        let journal_path = Path::new(&settings.kiosk.data_dir).join(JOURNAL_FILE);
        let exported = wait_for(|| {
            let journal = Journal::open_existing(&journal_path).ok()?;
            let today = at.with_timezone(&servicaja_host::journal::peru_offset()).date_naive();
            let mut out = Vec::new();
            journal.export(today, today, servicaja_host::journal::ExportFormat::Jsonl, &mut out).ok()?;
            let text = String::from_utf8(out).ok()?;
            text.contains("\"user\":\"1001\"").then_some(text)
        });
        assert!(exported.contains("login"), "{exported}");
        let off = SwitchOffReason::Other("Obra en la agencia".into());
        desk.service_switched(Some(&off), "1001", Utc::now()).unwrap();
        assert_eq!(service::load(Path::new(&settings.kiosk.data_dir)), Some(off), "a restart finds it switched off");
        desk.service_switched(None, "1001", Utc::now()).unwrap();
        assert_eq!(service::load(Path::new(&settings.kiosk.data_dir)), None);
        let folder = desk.export(Utc::now()).unwrap();
        assert!(Path::new(&folder).join("journal.jsonl").exists());
        drop(desk);
        drop(devices);
    }
}
