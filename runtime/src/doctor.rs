//! The probes of `servicaja doctor`: thin reads of the real things a kiosk depends on — the configuration
//! file, the serial devices (the printer's DLE EOT status, the readers' lines), the certificates, the central's
//! health over mutual TLS, the kernel's clock discipline, the disk and the data directory, file permissions —
//! gathered into the maintenance crate's [`Facts`], whose verdicts are pure (`servicaja_maintenance::doctor`).

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use servicaja_core::settings::{Mode, SerialSettings, Settings};
use servicaja_drivers::printer::{FailReason, PrinterDriver, StatusError};
use servicaja_drivers::transport::{Connector, SerialConnector, Transport, is_disconnect};
use servicaja_host::{HostClient, HostError};
use servicaja_maintenance::doctor::{
    CentralFacts, CertFacts, CertState, ClockFacts, ConfigFacts, DataDirFacts, Device, DeviceFacts, DiskFacts, Facts,
    FileFacts, FileState, PortProbe, PrinterProblem,
};

use crate::certs::expiries_from_file;
use crate::config;

/// The common name of the central simulator's development CA (`central/src/tls.rs`): a kiosk that pins it
/// talks to a simulator, never to the caja.
pub const DEVELOPMENT_CA_NAME: &str = "ServiCaja Development CA";

/// How long a reader's line is listened to: long enough to see a line that fails at once.
const READER_LISTEN: Duration = Duration::from_millis(300);

/// What the probes read that a test replaces: the wall clock and the kernel's clock discipline.
pub struct Probes {
    pub now: Box<dyn Fn() -> DateTime<Utc> + Send + Sync>,
    pub clock: Box<dyn Fn() -> ClockFacts + Send + Sync>,
}

impl Probes {
    /// The real ones: the system clock and `adjtimex`.
    pub fn system() -> Probes {
        Probes { now: Box::new(Utc::now), clock: Box::new(kernel_clock) }
    }
}

/// Checks the kiosk configured by `path` (the embedded demo configuration when `None`).
pub async fn gather(path: Option<&Path>, probes: &Probes) -> Facts {
    let (config_facts, settings) = read_config(path);
    let Some(settings) = settings else {
        return Facts {
            config: config_facts,
            devices: Vec::new(),
            certificates: Vec::new(),
            central: None,
            clock: None,
            disk: None,
            data_dir: None,
            files: Vec::new(),
        };
    };
    let serial = settings.clone();
    let devices = tokio::task::spawn_blocking(move || probe_devices(&serial)).await.unwrap_or_default();
    let now = (probes.now)();
    let certificates = vec![
        cert_facts("host.client_cert", &settings.host.client_cert, now),
        cert_facts("host.ca_cert", &settings.host.ca_cert, now),
    ];
    let central = Some(probe_central(&settings, probes).await);
    let data_dir = PathBuf::from(&settings.kiosk.data_dir);
    let disk = DiskFacts {
        data_dir: settings.kiosk.data_dir.clone(),
        free_bytes: servicaja_host::disk::free_bytes(&data_dir).map_err(|err| err.to_string()),
        reserve_mb: settings.journal.free_space_reserve_mb,
    };
    let writable = DataDirFacts { path: settings.kiosk.data_dir.clone(), writable: probe_writable(&data_dir) };
    let mut files = Vec::new();
    if let Some(path) = path {
        files.push(file_facts("config", path));
    }
    if !settings.host.client_key.trim().is_empty() {
        files.push(file_facts("host.client_key", Path::new(&settings.host.client_key)));
    }
    // The journal's and outbox's seal key exists once the kiosk has run; a new kiosk creates it at start.
    let seal = data_dir.join(servicaja_host::seal::KEY_FILE);
    if seal.exists() {
        files.push(file_facts("seal.key", &seal));
    }
    Facts {
        config: config_facts,
        devices,
        certificates,
        central,
        clock: Some((probes.clock)()),
        disk: Some(disk),
        data_dir: Some(writable),
        files,
    }
}

/// The configuration's problems (the same validation as `servicaja config check`) and, when the file
/// parses at all, its settings for the other probes.
fn read_config(path: Option<&Path>) -> (ConfigFacts, Option<Settings>) {
    let file = path.map(|path| path.display().to_string());
    let text = match path {
        None => Ok(config::EMBEDDED_SETTINGS.to_string()),
        Some(path) => std::fs::read_to_string(path).map_err(|err| format!("(file): cannot be read: {err}")),
    };
    let parsed = text.and_then(|text| config::parse(&text).map_err(|problem| problem.to_string()));
    match parsed {
        Err(problem) => (ConfigFacts { file, problems: vec![problem], production: false, parsed: false }, None),
        Ok(settings) => {
            let problems = match config::load(path) {
                Ok(_) => Vec::new(),
                Err(found) => found
                    .iter()
                    .map(|found| {
                        let place = if Some(&found.file) == file.as_ref() {
                            String::new()
                        } else {
                            format!("{}: ", found.file)
                        };
                        format!("{place}{}", found.problem)
                    })
                    .collect(),
            };
            let production = settings.kiosk.mode == Mode::Production;
            (ConfigFacts { file, problems, production, parsed: true }, Some(settings))
        }
    }
}

fn probe_devices(settings: &Settings) -> Vec<DeviceFacts> {
    [
        (Device::Printer, &settings.printer.serial),
        (Device::CardReader, &settings.card_reader.serial),
        (Device::DocumentReader, &settings.document_reader.serial),
    ]
    .into_iter()
    .map(|(device, serial)| DeviceFacts { device, port: serial.port.clone(), probe: probe_port(device, serial) })
    .collect()
}

/// Opens the port with the configured line settings; asks the printer its real-time status, listens
/// briefly to a reader (readers speak only when a card or document passes: an open, quiet line is present).
pub fn probe_port(device: Device, serial: &SerialSettings) -> PortProbe {
    if serial.emulated() {
        return PortProbe::Emulated;
    }
    if !Path::new(&serial.port).exists() {
        return PortProbe::Missing;
    }
    let mut transport = match SerialConnector::new(serial.clone()).connect() {
        Ok(transport) => transport,
        Err(err) => {
            let reason = err.to_string();
            let permission_denied = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&serial.port)
                .is_err_and(|err| err.kind() == ErrorKind::PermissionDenied);
            return PortProbe::OpenFailed { reason, permission_denied };
        }
    };
    if device != Device::Printer {
        let mut buf = zeroize::Zeroizing::new([0u8; 512]);
        return match transport.read_some(&mut buf[..], READER_LISTEN) {
            Err(err) if is_disconnect(&err) => PortProbe::LineFailed(err.to_string()),
            _ => PortProbe::Ready,
        };
    }
    let mut printer = PrinterDriver::new(transport).with_line_rate(serial.baud);
    match printer.read_sensors() {
        Err(err @ StatusError::NoReply(_)) => PortProbe::NoAnswer(err.to_string()),
        Err(err) => PortProbe::LineFailed(err.to_string()),
        Ok(sensors) => match FailReason::from_sensors(&sensors) {
            None => PortProbe::Ready,
            Some(reason) => PortProbe::PrinterNotReady(match reason {
                FailReason::PaperOut => PrinterProblem::PaperOut,
                FailReason::CoverOpen => PrinterProblem::CoverOpen,
                FailReason::PaperJam => PrinterProblem::PaperJam,
                FailReason::HardwareError => PrinterProblem::HardwareError,
                FailReason::Offline | FailReason::NoReply | FailReason::NoDevice => PrinterProblem::Offline,
            }),
        },
    }
}

/// The certificate of the file that expires first, with the maintenance crate's expiry policy.
fn cert_facts(key: &str, path: &str, now: DateTime<Utc>) -> CertFacts {
    let state = if path.trim().is_empty() {
        CertState::NotConfigured
    } else if !Path::new(path).exists() {
        CertState::Missing
    } else {
        match expiries_from_file(Path::new(path), now) {
            Err(err) => CertState::Unreadable { reason: err.to_string() },
            Ok(found) => {
                let development = found.iter().any(|cert| cert.subject.contains(DEVELOPMENT_CA_NAME))
                    || issued_by_development_ca(Path::new(path));
                match found.into_iter().min_by_key(|cert| cert.not_after) {
                    Some(first) => CertState::Read {
                        subject: first.subject,
                        not_after: first.not_after,
                        status: first.status,
                        development,
                    },
                    None => CertState::Unreadable { reason: "no certificate".into() },
                }
            }
        }
    };
    CertFacts { key: key.to_string(), path: path.to_string(), state }
}

fn issued_by_development_ca(path: &Path) -> bool {
    let Ok(pem) = std::fs::read(path) else { return false };
    x509_parser::pem::Pem::iter_from_buffer(&pem)
        .flatten()
        .any(|block| block.parse_x509().is_ok_and(|cert| cert.issuer().to_string().contains(DEVELOPMENT_CA_NAME)))
}

/// The central's health over the kiosk's mutual TLS, with the kiosk's time at the middle of the call.
async fn probe_central(settings: &Settings, probes: &Probes) -> CentralFacts {
    let base_url = settings.host.base_url.clone();
    let client = match HostClient::from_settings(&settings.host) {
        Ok(client) => client,
        Err(err) => return CentralFacts::ClientConfig { reason: err.to_string() },
    };
    let patience = Duration::from_millis(
        u64::from(settings.host.connect_timeout_ms) + u64::from(settings.host.request_timeout_ms),
    );
    let sent = (probes.now)();
    let answer = tokio::time::timeout(patience, client.health()).await.unwrap_or(Err(HostError::Timeout));
    let received = (probes.now)();
    match answer {
        Ok(health) => CentralFacts::Answered {
            base_url,
            status: health.status,
            demo: health.demo,
            server_time: health.server_time,
            local_time: sent + (received - sent) / 2,
        },
        Err(HostError::Tls(failure)) => CentralFacts::TlsRefused { base_url, reason: failure.to_string() },
        Err(err) => CentralFacts::Unreachable { base_url, reason: err.to_string() },
    }
}

/// Writes and removes a file in the data directory, as the kiosk's databases will.
fn probe_writable(dir: &Path) -> Result<(), String> {
    if !dir.is_dir() {
        return Err("not a directory".into());
    }
    let probe = dir.join(format!(".servicaja-doctor-{}", std::process::id()));
    std::fs::write(&probe, b"doctor").map_err(|err| err.to_string())?;
    std::fs::remove_file(&probe).map_err(|err| err.to_string())
}

fn file_facts(what: &str, path: &Path) -> FileFacts {
    use std::os::unix::fs::MetadataExt;
    let state = match std::fs::metadata(path) {
        Err(err) if err.kind() == ErrorKind::NotFound => FileState::Missing,
        Err(err) => FileState::Unreadable { reason: err.to_string() },
        Ok(meta) => FileState::Stat { mode: meta.mode(), owner_uid: meta.uid(), running_uid: sys::effective_uid() },
    };
    FileFacts { what: what.to_string(), path: path.display().to_string(), state }
}

/// The kernel's clock discipline from `adjtimex` (read only: no mode bit set): `STA_UNSYNC` and the
/// maximum error, the two things `timedatectl`'s `NTPSynchronized` is made of, without needing systemd.
pub fn kernel_clock() -> ClockFacts {
    ClockFacts { source: "adjtimex".into(), reading: sys::adjtimex() }
}

/// The two system calls the standard library does not offer.
#[allow(unsafe_code)]
mod sys {
    use servicaja_maintenance::doctor::KernelClock;

    pub fn adjtimex() -> Result<KernelClock, String> {
        // SAFETY: `timex` is plain data, valid when zeroed; `modes == 0` makes the call a read that fills
        // the struct and changes nothing.
        let mut timex: libc::timex = unsafe { std::mem::zeroed() };
        timex.modes = 0;
        // SAFETY: the pointer is to a live, exclusively borrowed `timex`.
        let state = unsafe { libc::adjtimex(&mut timex) };
        if state == -1 {
            return Err(std::io::Error::last_os_error().to_string());
        }
        // `maxerror` is a C long: i64 here, i32 on 32-bit targets.
        #[allow(clippy::useless_conversion)]
        Ok(KernelClock {
            unsync: timex.status & libc::STA_UNSYNC != 0 || state == libc::TIME_ERROR,
            max_error_micros: i64::from(timex.maxerror),
        })
    }

    pub fn effective_uid() -> u32 {
        // SAFETY: geteuid has no preconditions and cannot fail.
        unsafe { libc::geteuid() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kernel_answers_adjtimex_without_privileges() {
        let clock = kernel_clock();
        let reading = clock.reading.expect("adjtimex with no mode bits is allowed to anyone");
        assert!(reading.max_error_micros >= 0, "{reading:?}");
    }

    #[test]
    fn permissions_and_owner_are_read_from_the_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kiosk.toml");
        std::fs::write(&file, "").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        let FileState::Stat { mode, owner_uid, running_uid } = file_facts("config", &file).state else {
            panic!("a file that exists is read")
        };
        assert_eq!((mode & 0o777, owner_uid), (0o640, running_uid));
        assert_eq!(file_facts("config", &dir.path().join("missing")).state, FileState::Missing);
    }

    #[test]
    fn a_directory_that_is_missing_or_read_only_is_not_writable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(probe_writable(dir.path()), Ok(()));
        assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "the probe file is removed");
        assert!(probe_writable(&dir.path().join("missing")).is_err());
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o500)).unwrap();
        // root writes anywhere: the check is then only that the directory exists.
        if sys::effective_uid() != 0 {
            assert!(probe_writable(dir.path()).is_err());
        }
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
}
