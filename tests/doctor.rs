//! `servicaja doctor` against real things: the device emulators on pseudo-terminals, the central simulator on
//! loopback with mutual TLS and a PKI of the caja's kind (not the simulator's development one), a production
//! configuration file in a temporary directory. One run where everything passes, then each problem provoked
//! once; the clock's discipline is the one injected probe (this machine's kernel may or may not be synced).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use servicaja_central::{CentralConfig, ManualClock, RunningCentral};
use servicaja_core::settings::{Mode, Settings};
use servicaja_drivers::emulator::EmulatorSet;
use servicaja_maintenance::doctor::{ClockFacts, KernelClock, Lang, Report, Verdict, evaluate};
use servicaja_runtime::doctor::{Probes, gather};

/// How the world differs from a kiosk where everything is in order.
#[derive(Default)]
struct Twist {
    expired_client_cert: bool,
    development_pki: bool,
    central_ahead: Option<TimeDelta>,
}

struct World {
    dir: tempfile::TempDir,
    emulators: EmulatorSet,
    central: Option<RunningCentral>,
    settings: Settings,
}

impl World {
    async fn start(twist: Twist) -> World {
        let dir = tempfile::tempdir().unwrap();
        let central_dir = dir.path().join("central");
        if !twist.development_pki {
            write_pki(&central_dir.join("pki"), twist.expired_client_cert);
        }
        let mut config = CentralConfig::demo(&central_dir);
        config.demo = twist.development_pki;
        config.mtls = true;
        if let Some(ahead) = twist.central_ahead {
            config.clock = Arc::new(ManualClock::new(Utc::now() + ahead));
        }
        let central = servicaja_central::start(config).await.unwrap();
        let emulators = EmulatorSet::start_temporary(48).unwrap();
        let kiosk = dir.path().join("kiosk");
        std::fs::create_dir_all(&kiosk).unwrap();
        // The kiosk's copies of its certificates, as an installer puts them under /etc/servicaja.
        let etc = dir.path().join("etc");
        std::fs::create_dir_all(&etc).unwrap();
        let copy = |from: &Path, name: &str, mode: u32| {
            let to = etc.join(name);
            std::fs::copy(from, &to).unwrap();
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(mode)).unwrap();
            to.display().to_string()
        };
        let mut settings = Settings::default();
        settings.kiosk.mode = Mode::Production;
        settings.kiosk.data_dir = kiosk.display().to_string();
        settings.host.embedded_simulator = false;
        settings.host.base_url = central.base_url();
        settings.host.ca_cert = copy(central.ca_cert_path(), "ca.pem", 0o644);
        settings.host.client_cert = copy(central.client_cert_path(), "kiosk.pem", 0o644);
        settings.host.client_key = copy(central.client_key_path(), "kiosk-key.pem", 0o600);
        let paths = emulators.paths();
        settings.printer.serial.port = paths.printer.display().to_string();
        settings.card_reader.serial.port = paths.card_reader.display().to_string();
        settings.document_reader.serial.port = paths.document_reader.display().to_string();
        World { dir, emulators, central: Some(central), settings }
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("etc").join("kiosk.toml")
    }

    /// Writes the configuration (mode 0600, as the package installs it) and returns its path.
    fn write_config(&self) -> PathBuf {
        let path = self.config_path();
        std::fs::write(&path, toml::to_string(&self.settings).unwrap()).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path
    }

    async fn doctor(&self, clock_synced: bool) -> Report {
        let config = self.write_config();
        let probes = Probes {
            now: Box::new(Utc::now),
            clock: Box::new(move || ClockFacts {
                source: "adjtimex (test)".into(),
                reading: Ok(if clock_synced {
                    KernelClock { unsync: false, max_error_micros: 25_000 }
                } else {
                    KernelClock { unsync: true, max_error_micros: 16_000_000 }
                }),
            }),
        };
        let report = evaluate(&gather(Some(&config), &probes).await, Lang::Es);
        println!("{}", report.render(Lang::Es));
        report
    }
}

/// A PKI like the caja's: its own CA, the central's server certificate for loopback, the kiosk's client
/// certificate (expired on request), in the files the simulator reads from its `pki/` directory.
fn write_pki(dir: &Path, expired_client: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "CAJA TACNA CA de quioscos (prueba)");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, &ca_key);
    let server_key = KeyPair::generate().unwrap();
    let mut server = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    server.distinguished_name.push(DnType::CommonName, "central.cajatacna.test");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server.signed_by(&server_key, &issuer).unwrap();
    let client_key = KeyPair::generate().unwrap();
    let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
    client.distinguished_name.push(DnType::CommonName, "KSK-TAC-001");
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    if expired_client {
        client.not_before = rcgen::date_time_ymd(2024, 1, 1);
        client.not_after = rcgen::date_time_ymd(2025, 1, 1);
    }
    let client_cert = client.signed_by(&client_key, &issuer).unwrap();
    for (name, pem) in [
        ("ca.pem", ca_cert.pem()),
        ("ca-key.pem", ca_key.serialize_pem()),
        ("server.pem", server_cert.pem()),
        ("server-key.pem", server_key.serialize_pem()),
        ("kiosk-client.pem", client_cert.pem()),
        ("kiosk-client-key.pem", client_key.serialize_pem()),
    ] {
        std::fs::write(dir.join(name), pem).unwrap();
    }
}

fn problems(report: &Report) -> Vec<&str> {
    report.lines.iter().filter(|line| line.verdict == Verdict::Problem).map(|line| line.id.as_str()).collect()
}

fn detail<'a>(report: &'a Report, id: &str) -> &'a str {
    &report.line(id).unwrap_or_else(|| panic!("no line {id}")).detail
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_in_order_passes_every_check() {
    let world = World::start(Twist::default()).await;
    let report = world.doctor(true).await;
    assert!(report.all_pass(), "{}", report.render(Lang::Es));
    assert_eq!(report.lines.len(), 13, "{}", report.render(Lang::Es));
    assert!(detail(&report, "printer").ends_with("responde, lista"));
    assert!(detail(&report, "central").ends_with("responde"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_that_does_not_exist() {
    let mut world = World::start(Twist::default()).await;
    world.settings.card_reader.serial.port = "/dev/servicaja-no-such-reader".into();
    let report = world.doctor(true).await;
    assert_eq!(problems(&report), ["card_reader"]);
    assert_eq!(detail(&report, "card_reader"), "/dev/servicaja-no-such-reader: no existe");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printer_that_does_not_answer() {
    let mut world = World::start(Twist::default()).await;
    // The card reader's line: a real serial device that never answers DLE EOT.
    world.settings.printer.serial.port = world.emulators.paths().card_reader.display().to_string();
    let report = world.doctor(true).await;
    assert_eq!(problems(&report), ["printer"]);
    assert!(detail(&report, "printer").contains("no responde al pedido de estado DLE EOT"), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printer_without_paper() {
    let world = World::start(Twist::default()).await;
    world.emulators.control().set_paper(servicaja_drivers::emulator::SimPaper::Out);
    let report = world.doctor(true).await;
    assert_eq!(problems(&report), ["printer"]);
    assert_eq!(report.line("printer").unwrap().advice.as_deref(), Some("ponga un rollo nuevo"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_client_certificate_is_named_and_refused_by_the_central() {
    let world = World::start(Twist { expired_client_cert: true, ..Twist::default() }).await;
    let report = world.doctor(true).await;
    assert_eq!(problems(&report), ["cert:host.client_cert", "central"]);
    assert!(detail(&report, "cert:host.client_cert").starts_with("VENCIDO el 2025-01-01"), "{report:?}");
    assert!(detail(&report, "central").contains("refused the kiosk's client certificate as expired"), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_certificate() {
    let mut world = World::start(Twist::default()).await;
    world.settings.host.client_cert = world.dir.path().join("etc/absent.pem").display().to_string();
    let report = world.doctor(true).await;
    assert_eq!(problems(&report), ["cert:host.client_cert", "central"]);
    assert!(detail(&report, "cert:host.client_cert").ends_with("absent.pem: no existe"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulators_development_pki_and_demo_central_are_not_production() {
    let world = World::start(Twist { development_pki: true, ..Twist::default() }).await;
    let report = world.doctor(true).await;
    assert_eq!(problems(&report), ["cert:host.client_cert", "cert:host.ca_cert", "central"]);
    assert!(detail(&report, "cert:host.ca_cert").contains("certificado de desarrollo"), "{report:?}");
    assert!(detail(&report, "central").contains("simulador de demostración"), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_central_down() {
    let mut world = World::start(Twist::default()).await;
    world.central.take().unwrap().shutdown().await;
    let report = world.doctor(true).await;
    assert_eq!(problems(&report), ["central"]);
    assert!(detail(&report, "central").contains("no se alcanza"), "{report:?}");
    assert!(report.line("clock_offset").is_none(), "no central time to compare with");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_readable_by_others() {
    let world = World::start(Twist::default()).await;
    let config = world.write_config();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let probes = Probes {
        now: Box::new(Utc::now),
        clock: Box::new(|| ClockFacts {
            source: "test".into(),
            reading: Ok(KernelClock { unsync: false, max_error_micros: 1 }),
        }),
    };
    let report = evaluate(&gather(Some(&config), &probes).await, Lang::En);
    assert_eq!(problems(&report), ["perm:config"]);
    assert!(detail(&report, "perm:config").ends_with("mode 0644: other users can read it"), "{report:?}");
    assert_eq!(report.line("perm:config").unwrap().advice, Some(format!("chmod 600 {}", config.display())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_directory_that_cannot_be_written() {
    let mut world = World::start(Twist::default()).await;
    // A regular file where the directory should be: nothing can be created in it, even by root.
    let not_a_dir = world.dir.path().join("kiosk-data");
    std::fs::write(&not_a_dir, "").unwrap();
    world.settings.kiosk.data_dir = not_a_dir.display().to_string();
    let report = world.doctor(true).await;
    assert_eq!(problems(&report), ["data_dir"]);
    assert!(detail(&report, "data_dir").ends_with("no se puede escribir (not a directory)"), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_reserve_above_the_free_space() {
    let mut world = World::start(Twist::default()).await;
    world.settings.journal.free_space_reserve_mb = u32::MAX;
    let report = world.doctor(true).await;
    assert_eq!(problems(&report), ["disk"]);
    assert!(detail(&report, "disk").contains("por debajo de la reserva de 4294967295 MB"), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsynchronised_clock() {
    let world = World::start(Twist::default()).await;
    let report = world.doctor(false).await;
    assert_eq!(problems(&report), ["clock"]);
    assert!(detail(&report, "clock").contains("STA_UNSYNC"), "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clock_minutes_away_from_the_centrals() {
    let world = World::start(Twist { central_ahead: Some(TimeDelta::minutes(5)), ..Twist::default() }).await;
    let report = world.doctor(true).await;
    assert_eq!(problems(&report), ["clock_offset"]);
    // The simulator's manual clock stands still while the test runs: a little under 300 s behind it.
    let behind: i64 = detail(&report, "clock_offset")
        .strip_prefix("atrasado ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or_else(|| panic!("{report:?}"));
    assert!((240..=300).contains(&behind), "{behind}");
}

/// The binary itself, as a technician runs it: the table in English, JSON for scripts, exit 1 on a problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_prints_the_report_and_fails_on_a_problem() {
    let world = World::start(Twist::default()).await;
    let config = world.write_config();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o640)).unwrap();
    let run = |args: &[&str]| {
        let config = config.clone();
        let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        std::thread::spawn(move || {
            Command::new(env!("CARGO_BIN_EXE_servicaja")).arg("doctor").arg("--config").arg(config).args(args).output()
        })
        .join()
        .unwrap()
        .unwrap()
    };
    let text = run(&["--lang", "en"]);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert_eq!(text.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.starts_with("ok") && l.contains("Printer") && l.contains("answers, ready")),
        "{stdout}"
    );
    assert!(stdout.contains("PROBLEM   Configuration permissions"), "{stdout}");
    assert!(stdout.contains(&format!("what to do: chmod 600 {}", config.display())), "{stdout}");
    let json = run(&["--json"]);
    assert_eq!(json.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["all_pass"], false);
    let lines = value["lines"].as_array().unwrap();
    let line = |id: &str| lines.iter().find(|line| line["id"] == id).unwrap().clone();
    assert_eq!(line("perm:config")["verdict"], "problem");
    assert_eq!(line("central")["verdict"], "ok");
    assert_eq!(line("printer")["verdict"], "ok");
}
