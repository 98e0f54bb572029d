//! `servicaja doctor`'s verdicts: the facts a pre-flight check gathered on a kiosk (configuration, serial
//! devices, certificates, the central, the clock, the disk, file permissions) turned into report lines, each
//! ok or a problem with what to do, in Spanish or English. Pure: the probes that gather the facts are the
//! runtime's; time comes in with the facts.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::certs::CertStatus;

/// The language of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Es,
    En,
}

/// How far the kiosk's clock may be from the central's: an OTP lives minutes, a receipt shows the minute.
pub const MAX_CLOCK_OFFSET_SECONDS: i64 = 30;

/// The kernel's own limit: past 16 s of estimated error it marks the clock unsynchronised
/// (`NTP_PHASE_LIMIT`), which is also what `timedatectl`'s `NTPSynchronized` reads.
pub const MAX_CLOCK_ERROR_MICROS: i64 = 16_000_000;

/// Everything the probes found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facts {
    pub config: ConfigFacts,
    /// Empty when the configuration could not be read at all (nothing else can then be checked).
    pub devices: Vec<DeviceFacts>,
    pub certificates: Vec<CertFacts>,
    pub central: Option<CentralFacts>,
    pub clock: Option<ClockFacts>,
    pub disk: Option<DiskFacts>,
    pub data_dir: Option<DataDirFacts>,
    pub files: Vec<FileFacts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigFacts {
    /// The file checked; `None` for the embedded demo configuration (no `--config`).
    pub file: Option<String>,
    /// Every problem of the configuration's validation (`key: reason`).
    pub problems: Vec<String>,
    /// Whether `kiosk.mode` is `production`.
    pub production: bool,
    /// Whether the configuration could be parsed at all (otherwise nothing else was checked).
    pub parsed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Device {
    Printer,
    CardReader,
    DocumentReader,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceFacts {
    pub device: Device,
    /// The configured port (`printer.serial.port`).
    pub port: String,
    pub probe: PortProbe,
}

/// Why a printer that answered cannot print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrinterProblem {
    PaperOut,
    CoverOpen,
    PaperJam,
    HardwareError,
    Offline,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "snake_case")]
pub enum PortProbe {
    /// The port is `"emulator"`: a demo configuration.
    Emulated,
    /// No such device file.
    Missing,
    /// The device file exists but cannot be opened.
    OpenFailed { reason: String, permission_denied: bool },
    /// The printer did not answer its real-time status request (DLE EOT).
    NoAnswer(String),
    /// The printer answered but cannot print.
    PrinterNotReady(PrinterProblem),
    /// The line failed while listening (a reader unplugged meanwhile).
    LineFailed(String),
    /// Open, and (for the printer) answering ready.
    Ready,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertFacts {
    /// The configuration key (`host.client_cert`, `host.ca_cert`).
    pub key: String,
    pub path: String,
    pub state: CertState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CertState {
    NotConfigured,
    Missing,
    Unreadable {
        reason: String,
    },
    /// The certificate of the file that expires first.
    Read {
        subject: String,
        not_after: DateTime<Utc>,
        status: CertStatus,
        /// Issued by (or being) the central simulator's development CA.
        development: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CentralFacts {
    /// The health call answered: the central's time and the kiosk's at the middle of the call.
    Answered {
        base_url: String,
        status: String,
        demo: bool,
        server_time: DateTime<Utc>,
        local_time: DateTime<Utc>,
    },
    /// The TLS handshake was refused, named as the host client names it.
    TlsRefused {
        base_url: String,
        reason: String,
    },
    Unreachable {
        base_url: String,
        reason: String,
    },
    /// The client could not even be built (a certificate file unreadable, no CA).
    ClientConfig {
        reason: String,
    },
}

/// What the kernel says of its clock discipline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockFacts {
    /// Where the answer came from (`adjtimex`).
    pub source: String,
    pub reading: Result<KernelClock, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KernelClock {
    /// `STA_UNSYNC` is set in the status word.
    pub unsync: bool,
    /// The kernel's maximum error estimate, in microseconds.
    pub max_error_micros: i64,
}

impl KernelClock {
    pub fn synchronized(&self) -> bool {
        !self.unsync && self.max_error_micros < MAX_CLOCK_ERROR_MICROS
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiskFacts {
    pub data_dir: String,
    pub free_bytes: Result<u64, String>,
    pub reserve_mb: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataDirFacts {
    pub path: String,
    pub writable: Result<(), String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileFacts {
    /// What the file is: `config`, `host.client_key`, `seal.key`.
    pub what: String,
    pub path: String,
    pub state: FileState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum FileState {
    Missing,
    Unreadable { reason: String },
    Stat { mode: u32, owner_uid: u32, running_uid: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Ok,
    Problem,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Line {
    /// A stable identifier for scripts (`config`, `printer`, `cert:host.client_cert`, `clock`, …).
    pub id: String,
    /// What was checked, in the report's language.
    pub item: String,
    pub verdict: Verdict,
    /// What was found.
    pub detail: String,
    /// What to do, for a problem.
    pub advice: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub lines: Vec<Line>,
}

impl Report {
    /// Whether every check passed (the command's exit code 0).
    pub fn all_pass(&self) -> bool {
        self.lines.iter().all(|line| line.verdict == Verdict::Ok)
    }

    pub fn problems(&self) -> usize {
        self.lines.iter().filter(|line| line.verdict == Verdict::Problem).count()
    }

    pub fn line(&self, id: &str) -> Option<&Line> {
        self.lines.iter().find(|line| line.id == id)
    }

    /// The report as a technician reads it in a terminal: one block per item, the verdict first, the advice
    /// indented under it, and a last line with the count.
    pub fn render(&self, lang: Lang) -> String {
        let width = self.lines.iter().map(|line| line.item.chars().count()).max().unwrap_or(0);
        let mut out = String::new();
        for line in &self.lines {
            let mark = match (line.verdict, lang) {
                (Verdict::Ok, _) => "ok      ",
                (Verdict::Problem, Lang::Es) => "PROBLEMA",
                (Verdict::Problem, Lang::En) => "PROBLEM ",
            };
            let pad = width - line.item.chars().count();
            out.push_str(&format!("{mark}  {}{}  {}\n", line.item, " ".repeat(pad), line.detail));
            if let Some(advice) = &line.advice {
                let label = t(lang, "qué hacer", "what to do");
                out.push_str(&format!("{}  {}{label}: {advice}\n", " ".repeat(8), " ".repeat(width + 2)));
            }
        }
        let summary = match (self.problems(), lang) {
            (0, Lang::Es) => "Todo en orden: el quiosco puede entrar en servicio.".to_string(),
            (0, Lang::En) => "All checks passed: the kiosk can go into service.".to_string(),
            (1, Lang::Es) => "1 problema: corríjalo y vuelva a ejecutar servicaja doctor.".to_string(),
            (1, Lang::En) => "1 problem: fix it and run servicaja doctor again.".to_string(),
            (n, Lang::Es) => format!("{n} problemas: corríjalos y vuelva a ejecutar servicaja doctor."),
            (n, Lang::En) => format!("{n} problems: fix them and run servicaja doctor again."),
        };
        out.push_str(&summary);
        out.push('\n');
        out
    }
}

fn t(lang: Lang, es: &str, en: &str) -> String {
    match lang {
        Lang::Es => es.to_string(),
        Lang::En => en.to_string(),
    }
}

fn ok(id: impl Into<String>, item: String, detail: String) -> Line {
    Line { id: id.into(), item, verdict: Verdict::Ok, detail, advice: None }
}

fn problem(id: impl Into<String>, item: String, detail: String, advice: String) -> Line {
    Line { id: id.into(), item, verdict: Verdict::Problem, detail, advice: Some(advice) }
}

/// The report on `facts`, in `lang`.
pub fn evaluate(facts: &Facts, lang: Lang) -> Report {
    let mut lines = vec![config_line(&facts.config, lang)];
    if !facts.config.parsed {
        return Report { lines };
    }
    lines.extend(facts.devices.iter().map(|device| device_line(device, lang)));
    lines.extend(facts.certificates.iter().map(|cert| cert_line(cert, lang)));
    if let Some(central) = &facts.central {
        lines.push(central_line(central, lang));
    }
    if let Some(clock) = &facts.clock {
        lines.push(clock_line(clock, lang));
    }
    if let Some(CentralFacts::Answered { server_time, local_time, .. }) = &facts.central {
        lines.push(offset_line(*server_time, *local_time, lang));
    }
    if let Some(disk) = &facts.disk {
        lines.push(disk_line(disk, lang));
    }
    if let Some(dir) = &facts.data_dir {
        lines.push(data_dir_line(dir, lang));
    }
    lines.extend(facts.files.iter().map(|file| file_line(file, lang)));
    Report { lines }
}

fn config_line(config: &ConfigFacts, lang: Lang) -> Line {
    let item = t(lang, "Configuración", "Configuration");
    let Some(file) = &config.file else {
        return problem(
            "config",
            item,
            t(
                lang,
                "sin --config: es la configuración de demostración",
                "no --config: the embedded demo configuration",
            ),
            t(
                lang,
                "indique el archivo del quiosco: servicaja doctor --config /etc/servicaja/kiosk.toml",
                "name the kiosk's file: servicaja doctor --config /etc/servicaja/kiosk.toml",
            ),
        );
    };
    let mut found = config.problems.clone();
    if config.parsed && !config.production {
        found.insert(0, t(lang, "kiosk.mode: está en modo demo", "kiosk.mode: it is in demo mode"));
    }
    if found.is_empty() {
        return ok(
            "config",
            item,
            t(lang, &format!("{file}: válida, modo producción"), &format!("{file}: valid, production mode")),
        );
    }
    let advice = if config.parsed {
        t(
            lang,
            "corrija cada clave en el archivo (kiosk.mode = \"production\", host.embedded_simulator = false, puertos \
             reales, certificados, usuarios con servicaja user add) y compruebe con servicaja config check",
            "fix each key in the file (kiosk.mode = \"production\", host.embedded_simulator = false, real ports, \
             certificates, users from servicaja user add) and check with servicaja config check",
        )
    } else {
        t(
            lang,
            "el archivo no se puede leer o no es TOML válido: corríjalo; nada más se comprobó",
            "the file cannot be read or is not valid TOML: fix it; nothing else was checked",
        )
    };
    problem("config", item, format!("{file}: {}", found.join("; ")), advice)
}

fn device_name(device: Device, lang: Lang) -> String {
    match device {
        Device::Printer => t(lang, "Impresora", "Printer"),
        Device::CardReader => t(lang, "Lector de tarjetas", "Card reader"),
        Device::DocumentReader => t(lang, "Lector de documentos", "Document reader"),
    }
}

fn device_id(device: Device) -> &'static str {
    match device {
        Device::Printer => "printer",
        Device::CardReader => "card_reader",
        Device::DocumentReader => "document_reader",
    }
}

fn device_line(facts: &DeviceFacts, lang: Lang) -> Line {
    let id = device_id(facts.device);
    let item = device_name(facts.device, lang);
    let port = &facts.port;
    let key = format!("{id}.serial.port");
    let cable = t(
        lang,
        &format!("revise el cable y la alimentación del equipo, y que {key} nombre su puerto (reglas udev)"),
        &format!("check the device's cable and power, and that {key} names its port (udev rules)"),
    );
    match &facts.probe {
        PortProbe::Ready => {
            let detail = match facts.device {
                Device::Printer => t(lang, &format!("{port}: responde, lista"), &format!("{port}: answers, ready")),
                _ => t(lang, &format!("{port}: presente"), &format!("{port}: present")),
            };
            ok(id, item, detail)
        }
        PortProbe::Emulated => problem(
            id,
            item,
            t(lang, "puerto \"emulator\" (demostración)", "port \"emulator\" (demo)"),
            t(lang, &format!("ponga en {key} el dispositivo real"), &format!("set {key} to the real device")),
        ),
        PortProbe::Missing => {
            problem(id, item, t(lang, &format!("{port}: no existe"), &format!("{port}: does not exist")), cable)
        }
        PortProbe::OpenFailed { reason, permission_denied: true } => problem(
            id,
            item,
            t(
                lang,
                &format!("{port}: sin permiso para abrirlo ({reason})"),
                &format!("{port}: no permission to open it ({reason})"),
            ),
            t(
                lang,
                "el usuario del quiosco debe estar en el grupo dialout: usermod -aG dialout servicaja",
                "the kiosk's user must be in the dialout group: usermod -aG dialout servicaja",
            ),
        ),
        PortProbe::OpenFailed { reason, .. } => problem(
            id,
            item,
            t(lang, &format!("{port}: no se puede abrir ({reason})"), &format!("{port}: cannot be opened ({reason})")),
            t(
                lang,
                "cierre otro programa que lo use (otro servicaja en marcha: detenga el servicio) y revise el cable",
                "close any other program using it (a running servicaja: stop the service) and check the cable",
            ),
        ),
        PortProbe::NoAnswer(reason) => problem(
            id,
            item,
            t(
                lang,
                &format!("{port}: no responde al pedido de estado DLE EOT ({reason})"),
                &format!("{port}: no answer to the DLE EOT status request ({reason})"),
            ),
            t(
                lang,
                &format!(
                    "encienda la impresora; compruebe que en {port} está la impresora y no otro equipo, y la velocidad \
                     printer.serial.baud"
                ),
                &format!(
                    "switch the printer on; check that {port} is the printer and not another device, and the rate \
                     printer.serial.baud"
                ),
            ),
        ),
        PortProbe::PrinterNotReady(reason) => {
            let (es, en, es_do, en_do) = match reason {
                PrinterProblem::PaperOut => ("sin papel", "paper out", "ponga un rollo nuevo", "put in a new roll"),
                PrinterProblem::CoverOpen => ("tapa abierta", "cover open", "cierre la tapa", "close the cover"),
                PrinterProblem::PaperJam => (
                    "papel atascado",
                    "paper jam",
                    "abra la tapa y retire el papel",
                    "open the cover and clear the paper",
                ),
                PrinterProblem::HardwareError => {
                    ("error de hardware", "hardware error", "llame al servicio técnico", "call for service")
                }
                PrinterProblem::Offline => {
                    ("fuera de línea", "offline", "revise el panel de la impresora", "check the printer's panel")
                }
            };
            problem(id, item, format!("{port}: {}", t(lang, es, en)), t(lang, es_do, en_do))
        }
        PortProbe::LineFailed(reason) => problem(
            id,
            item,
            t(lang, &format!("{port}: la línea falló ({reason})"), &format!("{port}: the line failed ({reason})")),
            cable,
        ),
    }
}

fn cert_line(cert: &CertFacts, lang: Lang) -> Line {
    let id = format!("cert:{}", cert.key);
    let item = match cert.key.as_str() {
        "host.client_cert" => t(lang, "Certificado del quiosco", "Kiosk certificate"),
        "host.ca_cert" => t(lang, "CA de la central", "Central's CA"),
        other => t(lang, &format!("Certificado {other}"), &format!("Certificate {other}")),
    };
    let key = &cert.key;
    let path = &cert.path;
    let install = t(
        lang,
        &format!("instale en {path} el archivo PEM que emitió la caja para este quiosco ({key})"),
        &format!("install at {path} the PEM file the caja issued for this kiosk ({key})"),
    );
    match &cert.state {
        CertState::NotConfigured => problem(
            id,
            item,
            t(lang, &format!("{key} no está configurado"), &format!("{key} is not set")),
            t(lang, &format!("ponga en {key} la ruta del archivo PEM"), &format!("set {key} to the PEM file's path")),
        ),
        CertState::Missing => {
            problem(id, item, t(lang, &format!("{path}: no existe"), &format!("{path}: does not exist")), install)
        }
        CertState::Unreadable { reason } => problem(id, item, format!("{path}: {reason}"), install),
        CertState::Read { development: true, subject, .. } => problem(
            id,
            item,
            t(
                lang,
                &format!("{path}: certificado de desarrollo del simulador ({subject})"),
                &format!("{path}: the simulator's development certificate ({subject})"),
            ),
            install,
        ),
        CertState::Read { not_after, status, .. } => {
            let date = not_after.format("%Y-%m-%d");
            match status {
                CertStatus::Ok { days_left } => ok(
                    id,
                    item,
                    t(
                        lang,
                        &format!("vence el {date} (quedan {days_left} días)"),
                        &format!("expires {date} ({days_left} days left)"),
                    ),
                ),
                CertStatus::Warn { days_left } => problem(
                    id,
                    item,
                    t(
                        lang,
                        &format!("vence el {date}: quedan {days_left} días (menos de 30)"),
                        &format!("expires {date}: {days_left} days left (under 30)"),
                    ),
                    t(
                        lang,
                        "pida ya la renovación a la caja e instálela antes del vencimiento",
                        "order the renewal from the caja now and install it before it expires",
                    ),
                ),
                CertStatus::Expired { days_ago } => problem(
                    id,
                    item,
                    t(
                        lang,
                        &format!("VENCIDO el {date} (hace {days_ago} días): la central lo rechaza"),
                        &format!("EXPIRED on {date} ({days_ago} days ago): the central refuses it"),
                    ),
                    t(
                        lang,
                        &format!("instale el certificado renovado en {path}; si ya lo está, revise la fecha del reloj"),
                        &format!("install the renewed certificate at {path}; if it already is, check the clock's date"),
                    ),
                ),
            }
        }
    }
}

fn central_line(central: &CentralFacts, lang: Lang) -> Line {
    let item = t(lang, "Central (TLS mutuo)", "Central (mutual TLS)");
    match central {
        CentralFacts::Answered { base_url, demo: true, .. } => problem(
            "central",
            item,
            t(
                lang,
                &format!("{base_url}: responde el simulador de demostración"),
                &format!("{base_url}: the demo simulator answers"),
            ),
            t(
                lang,
                "ponga en host.base_url la dirección de la central de la caja",
                "set host.base_url to the caja's central",
            ),
        ),
        CentralFacts::Answered { base_url, status, .. } if status != "ok" => problem(
            "central",
            item,
            t(
                lang,
                &format!("{base_url}: responde con estado {status}"),
                &format!("{base_url}: answers with status {status}"),
            ),
            t(lang, "avise a la mesa de ayuda de la caja", "tell the caja's help desk"),
        ),
        CentralFacts::Answered { base_url, .. } => {
            ok("central", item, t(lang, &format!("{base_url}: responde"), &format!("{base_url}: answers")))
        }
        CentralFacts::TlsRefused { base_url, reason } => problem(
            "central",
            item,
            t(
                lang,
                &format!("{base_url}: conexión segura rechazada: {reason}"),
                &format!("{base_url}: secure connection refused: {reason}"),
            ),
            t(
                lang,
                "revise los certificados (host.client_cert, host.client_key, host.ca_cert) y la fecha del reloj",
                "check the certificates (host.client_cert, host.client_key, host.ca_cert) and the clock's date",
            ),
        ),
        CentralFacts::Unreachable { base_url, reason } => problem(
            "central",
            item,
            t(
                lang,
                &format!("{base_url}: no se alcanza ({reason})"),
                &format!("{base_url}: cannot be reached ({reason})"),
            ),
            t(
                lang,
                "revise la red (cable, VPN, cortafuegos) y host.base_url; si la red está bien, avise a la mesa de ayuda",
                "check the network (cable, VPN, firewall) and host.base_url; if the network is fine, tell the help desk",
            ),
        ),
        CentralFacts::ClientConfig { reason } => problem(
            "central",
            item,
            t(
                lang,
                &format!("no se pudo preparar la conexión: {reason}"),
                &format!("the connection could not be set up: {reason}"),
            ),
            t(lang, "corrija los certificados de [host] (ver arriba)", "fix the [host] certificates (see above)"),
        ),
    }
}

fn clock_line(clock: &ClockFacts, lang: Lang) -> Line {
    let item = t(lang, "Reloj sincronizado", "Clock synchronised");
    let source = &clock.source;
    let ntp = t(
        lang,
        "active la hora por red (timedatectl set-ntp true, o chrony) con un servidor alcanzable desde la agencia; \
         los recibos, las claves SMS y los certificados dependen de la hora",
        "turn on network time (timedatectl set-ntp true, or chrony) with a server the agency reaches; receipts, \
         SMS codes and certificates depend on the time",
    );
    match &clock.reading {
        Ok(kernel) if kernel.synchronized() => ok(
            "clock",
            item,
            t(
                lang,
                &format!("sí, según el núcleo ({source}; error máx. {} ms)", kernel.max_error_micros / 1000),
                &format!("yes, says the kernel ({source}; max error {} ms)", kernel.max_error_micros / 1000),
            ),
        ),
        Ok(kernel) => problem(
            "clock",
            item,
            t(
                lang,
                &format!(
                    "no, según el núcleo ({source}: {}error máx. {} s)",
                    if kernel.unsync { "STA_UNSYNC, " } else { "" },
                    kernel.max_error_micros / 1_000_000
                ),
                &format!(
                    "no, says the kernel ({source}: {}max error {} s)",
                    if kernel.unsync { "STA_UNSYNC, " } else { "" },
                    kernel.max_error_micros / 1_000_000
                ),
            ),
            ntp,
        ),
        Err(reason) => problem(
            "clock",
            item,
            t(
                lang,
                &format!("no se pudo consultar ({source}: {reason})"),
                &format!("could not be asked ({source}: {reason})"),
            ),
            ntp,
        ),
    }
}

fn offset_line(server_time: DateTime<Utc>, local_time: DateTime<Utc>, lang: Lang) -> Line {
    let item = t(lang, "Reloj frente a la central", "Clock against the central");
    let offset = local_time.signed_duration_since(server_time).num_seconds();
    let (es_dir, en_dir) = if offset >= 0 { ("adelantado", "ahead of") } else { ("atrasado", "behind") };
    let detail = if offset == 0 {
        t(lang, "en hora con la central (menos de 1 s)", "on time with the central (under 1 s)")
    } else {
        t(
            lang,
            &format!("{es_dir} {} s respecto a la central", offset.abs()),
            &format!("{} s {en_dir} the central", offset.abs()),
        )
    };
    if offset.abs() <= MAX_CLOCK_OFFSET_SECONDS {
        ok("clock_offset", item, detail)
    } else {
        problem(
            "clock_offset",
            item,
            detail,
            t(
                lang,
                &format!(
                    "la diferencia pasa de {MAX_CLOCK_OFFSET_SECONDS} s: revise el servidor de hora del quiosco (y la zona \
                     horaria no importa: se compara en UTC)"
                ),
                &format!(
                    "the difference is over {MAX_CLOCK_OFFSET_SECONDS} s: check the kiosk's time server (the time zone \
                     does not matter: UTC is compared)"
                ),
            ),
        )
    }
}

fn disk_line(disk: &DiskFacts, lang: Lang) -> Line {
    let item = t(lang, "Espacio en disco", "Free disk");
    let dir = &disk.data_dir;
    let reserve = disk.reserve_mb;
    match &disk.free_bytes {
        Ok(bytes) => {
            let free_mb = bytes / (1024 * 1024);
            if *bytes > u64::from(reserve) * 1024 * 1024 {
                ok(
                    "disk",
                    item,
                    t(
                        lang,
                        &format!("{dir}: {free_mb} MB libres (reserva {reserve} MB)"),
                        &format!("{dir}: {free_mb} MB free (reserve {reserve} MB)"),
                    ),
                )
            } else {
                problem(
                    "disk",
                    item,
                    t(
                        lang,
                        &format!(
                            "{dir}: {free_mb} MB libres, por debajo de la reserva de {reserve} MB: el quiosco no atendería"
                        ),
                        &format!("{dir}: {free_mb} MB free, below the {reserve} MB reserve: the kiosk would not serve"),
                    ),
                    t(
                        lang,
                        "libere espacio (exporte y retire registros antiguos con servicaja maintenance export) o revise \
                         journal.free_space_reserve_mb",
                        "free some space (export and remove old logs with servicaja maintenance export) or check \
                         journal.free_space_reserve_mb",
                    ),
                )
            }
        }
        Err(reason) => problem(
            "disk",
            item,
            t(
                lang,
                &format!("{dir}: no se pudo medir ({reason})"),
                &format!("{dir}: could not be measured ({reason})"),
            ),
            t(lang, "cree el directorio de datos (kiosk.data_dir)", "create the data directory (kiosk.data_dir)"),
        ),
    }
}

fn data_dir_line(dir: &DataDirFacts, lang: Lang) -> Line {
    let item = t(lang, "Directorio de datos", "Data directory");
    let path = &dir.path;
    match &dir.writable {
        Ok(()) => ok("data_dir", item, t(lang, &format!("{path}: se puede escribir"), &format!("{path}: writable"))),
        Err(reason) => problem(
            "data_dir",
            item,
            t(lang, &format!("{path}: no se puede escribir ({reason})"), &format!("{path}: not writable ({reason})")),
            t(
                lang,
                &format!("el directorio debe existir y ser del usuario del quiosco: chown -R servicaja: {path}"),
                &format!("the directory must exist and belong to the kiosk's user: chown -R servicaja: {path}"),
            ),
        ),
    }
}

fn file_line(file: &FileFacts, lang: Lang) -> Line {
    let id = format!("perm:{}", file.what);
    let item = match file.what.as_str() {
        "config" => t(lang, "Permisos de la configuración", "Configuration permissions"),
        "host.client_key" => t(lang, "Permisos de la clave del quiosco", "Kiosk key permissions"),
        "seal.key" => t(lang, "Permisos de la clave de sellado", "Seal key permissions"),
        other => t(lang, &format!("Permisos de {other}"), &format!("Permissions of {other}")),
    };
    let path = &file.path;
    match &file.state {
        FileState::Missing => problem(
            id,
            item,
            t(lang, &format!("{path}: no existe"), &format!("{path}: does not exist")),
            t(lang, "instale el archivo", "install the file"),
        ),
        FileState::Unreadable { reason } => problem(
            id,
            item,
            format!("{path}: {reason}"),
            t(
                lang,
                "el archivo debe ser legible por el usuario del quiosco",
                "the kiosk's user must be able to read it",
            ),
        ),
        FileState::Stat { mode, owner_uid, running_uid } => {
            let mode = mode & 0o7777;
            let mut found = Vec::new();
            let mut advice = Vec::new();
            if mode & 0o077 != 0 {
                found.push(t(
                    lang,
                    &format!("modo {mode:04o}: otros usuarios pueden leerlo"),
                    &format!("mode {mode:04o}: other users can read it"),
                ));
                advice.push(format!("chmod 600 {path}"));
            }
            if *running_uid == 0 && *owner_uid != 0 {
                found.push(t(
                    lang,
                    &format!("doctor corre como root y el archivo es del usuario {owner_uid}"),
                    &format!("doctor runs as root and the file belongs to user {owner_uid}"),
                ));
                advice.push(t(
                    lang,
                    "ejecute doctor como el usuario del quiosco: sudo -u servicaja servicaja doctor --config …",
                    "run doctor as the kiosk's user: sudo -u servicaja servicaja doctor --config …",
                ));
            } else if owner_uid != running_uid {
                found.push(t(
                    lang,
                    &format!("es del usuario {owner_uid}, no del que ejecuta ({running_uid})"),
                    &format!("owned by user {owner_uid}, not the running one ({running_uid})"),
                ));
                advice.push(format!("chown {running_uid} {path}"));
            }
            if found.is_empty() {
                ok(
                    id,
                    item,
                    t(lang, &format!("{path}: modo {mode:04o}, propio"), &format!("{path}: mode {mode:04o}, own")),
                )
            } else {
                problem(id, item, format!("{path}: {}", found.join("; ")), advice.join(" && "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap() + chrono::TimeDelta::seconds(seconds)
    }

    fn passing() -> Facts {
        let device = |device, port: &str| DeviceFacts { device, port: port.into(), probe: PortProbe::Ready };
        let cert = |key: &str| CertFacts {
            key: key.into(),
            path: format!("/etc/servicaja/{key}.pem"),
            state: CertState::Read {
                subject: "CN=KSK-TAC-001".into(),
                not_after: at(86_400 * 200),
                status: CertStatus::Ok { days_left: 200 },
                development: false,
            },
        };
        let file = |what: &str, path: &str| FileFacts {
            what: what.into(),
            path: path.into(),
            state: FileState::Stat { mode: 0o100600, owner_uid: 990, running_uid: 990 },
        };
        Facts {
            config: ConfigFacts {
                file: Some("/etc/servicaja/kiosk.toml".into()),
                problems: vec![],
                production: true,
                parsed: true,
            },
            devices: vec![
                device(Device::Printer, "/dev/servicaja-printer"),
                device(Device::CardReader, "/dev/servicaja-card"),
                device(Device::DocumentReader, "/dev/servicaja-doc"),
            ],
            certificates: vec![cert("host.client_cert"), cert("host.ca_cert")],
            central: Some(CentralFacts::Answered {
                base_url: "https://central.caja.pe".into(),
                status: "ok".into(),
                demo: false,
                server_time: at(0),
                local_time: at(2),
            }),
            clock: Some(ClockFacts {
                source: "adjtimex".into(),
                reading: Ok(KernelClock { unsync: false, max_error_micros: 40_000 }),
            }),
            disk: Some(DiskFacts {
                data_dir: "/var/lib/servicaja".into(),
                free_bytes: Ok(5 * 1024 * 1024 * 1024),
                reserve_mb: 64,
            }),
            data_dir: Some(DataDirFacts { path: "/var/lib/servicaja".into(), writable: Ok(()) }),
            files: vec![file("config", "/etc/servicaja/kiosk.toml"), file("host.client_key", "/etc/servicaja/key.pem")],
        }
    }

    /// The one line that is a problem, after `change` made one fact bad.
    fn only_problem(change: impl FnOnce(&mut Facts), lang: Lang) -> Line {
        let mut facts = passing();
        change(&mut facts);
        let report = evaluate(&facts, lang);
        let problems: Vec<&Line> = report.lines.iter().filter(|l| l.verdict == Verdict::Problem).collect();
        assert_eq!(problems.len(), 1, "{}", report.render(lang));
        assert!(!report.all_pass());
        assert!(problems[0].advice.is_some(), "a problem says what to do");
        problems[0].clone()
    }

    #[test]
    fn everything_in_order_passes_with_a_line_per_item() {
        let report = evaluate(&passing(), Lang::Es);
        assert!(report.all_pass(), "{}", report.render(Lang::Es));
        let ids: Vec<&str> = report.lines.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "config",
                "printer",
                "card_reader",
                "document_reader",
                "cert:host.client_cert",
                "cert:host.ca_cert",
                "central",
                "clock",
                "clock_offset",
                "disk",
                "data_dir",
                "perm:config",
                "perm:host.client_key"
            ]
        );
        let text = report.render(Lang::Es);
        assert!(text.contains("ok        Impresora"), "{text}");
        assert!(text.contains("/dev/servicaja-printer: responde, lista"), "{text}");
        assert!(text.contains("adelantado 2 s respecto a la central"), "{text}");
        let mut on_time = passing();
        if let Some(CentralFacts::Answered { local_time, .. }) = &mut on_time.central {
            *local_time = at(0);
        }
        assert_eq!(
            evaluate(&on_time, Lang::En).line("clock_offset").unwrap().detail,
            "on time with the central (under 1 s)"
        );
        assert!(text.ends_with("Todo en orden: el quiosco puede entrar en servicio.\n"), "{text}");
        assert!(
            evaluate(&passing(), Lang::En)
                .render(Lang::En)
                .ends_with("All checks passed: the kiosk can go into service.\n")
        );
    }

    #[test]
    fn a_demo_or_invalid_configuration_is_a_problem() {
        let line = only_problem(|f| f.config.production = false, Lang::Es);
        assert_eq!(line.id, "config");
        assert!(line.detail.contains("kiosk.mode: está en modo demo"), "{line:?}");
        let line =
            only_problem(|f| f.config.problems = vec!["host.embedded_simulator: must be false".into()], Lang::En);
        assert!(line.detail.ends_with("kiosk.toml: host.embedded_simulator: must be false"), "{line:?}");
        let line = only_problem(|f| f.config.file = None, Lang::Es);
        assert!(line.advice.unwrap().contains("--config /etc/servicaja/kiosk.toml"));
    }

    #[test]
    fn an_unparseable_configuration_stops_the_report_there() {
        let mut facts = passing();
        facts.config.parsed = false;
        facts.config.problems = vec!["(line 3): unknown field `paper`".into()];
        let report = evaluate(&facts, Lang::En);
        assert_eq!(report.lines.len(), 1);
        assert!(report.lines[0].advice.as_ref().unwrap().contains("nothing else was checked"));
        assert!(report.render(Lang::En).ends_with("1 problem: fix it and run servicaja doctor again.\n"));
    }

    #[test]
    fn each_device_problem_names_the_port_and_what_to_do() {
        let line = only_problem(|f| f.devices[0].probe = PortProbe::Missing, Lang::Es);
        assert_eq!((line.id.as_str(), line.detail.as_str()), ("printer", "/dev/servicaja-printer: no existe"));
        assert!(line.advice.unwrap().contains("printer.serial.port"));
        let line = only_problem(|f| f.devices[0].probe = PortProbe::NoAnswer("timeout".into()), Lang::Es);
        assert!(line.detail.contains("DLE EOT"), "{line:?}");
        let line =
            only_problem(|f| f.devices[0].probe = PortProbe::PrinterNotReady(PrinterProblem::PaperOut), Lang::Es);
        assert_eq!(line.advice.as_deref(), Some("ponga un rollo nuevo"));
        let line = only_problem(
            |f| {
                f.devices[1].probe =
                    PortProbe::OpenFailed { reason: "Permission denied".into(), permission_denied: true }
            },
            Lang::En,
        );
        assert_eq!(line.id, "card_reader");
        assert!(line.advice.unwrap().contains("dialout"));
        let line = only_problem(|f| f.devices[2].probe = PortProbe::Emulated, Lang::En);
        assert_eq!(line.advice.as_deref(), Some("set document_reader.serial.port to the real device"));
    }

    #[test]
    fn a_certificate_expiring_within_thirty_days_expired_missing_or_of_development_is_a_problem() {
        let soon = |f: &mut Facts| {
            if let CertState::Read { status, .. } = &mut f.certificates[0].state {
                *status = CertStatus::Warn { days_left: 12 };
            }
        };
        let line = only_problem(soon, Lang::Es);
        assert!(line.detail.contains("quedan 12 días (menos de 30)"), "{line:?}");
        let expired = |f: &mut Facts| {
            if let CertState::Read { status, .. } = &mut f.certificates[0].state {
                *status = CertStatus::Expired { days_ago: 3 };
            }
        };
        assert!(only_problem(expired, Lang::En).detail.contains("EXPIRED"));
        let line = only_problem(|f| f.certificates[1].state = CertState::Missing, Lang::Es);
        assert_eq!(line.id, "cert:host.ca_cert");
        let development = |f: &mut Facts| {
            if let CertState::Read { development, .. } = &mut f.certificates[1].state {
                *development = true;
            }
        };
        assert!(only_problem(development, Lang::Es).detail.contains("desarrollo"));
    }

    #[test]
    fn the_central_down_refusing_tls_or_being_the_simulator_is_a_problem() {
        let down = CentralFacts::Unreachable { base_url: "https://c".into(), reason: "connection refused".into() };
        let line = only_problem(|f| f.central = Some(down), Lang::Es);
        assert_eq!(line.detail, "https://c: no se alcanza (connection refused)");
        let refused = CentralFacts::TlsRefused { base_url: "https://c".into(), reason: "expired".into() };
        assert!(only_problem(|f| f.central = Some(refused), Lang::En).detail.contains("secure connection refused"));
        let simulator = |f: &mut Facts| {
            if let Some(CentralFacts::Answered { demo, .. }) = &mut f.central {
                *demo = true;
            }
        };
        assert!(only_problem(simulator, Lang::Es).detail.contains("simulador"));
    }

    #[test]
    fn an_unsynchronised_or_far_clock_is_a_problem() {
        let unsync = |f: &mut Facts| {
            f.clock.as_mut().unwrap().reading = Ok(KernelClock { unsync: true, max_error_micros: 16_000_000 })
        };
        let line = only_problem(unsync, Lang::Es);
        assert_eq!(line.detail, "no, según el núcleo (adjtimex: STA_UNSYNC, error máx. 16 s)");
        let drifting = |f: &mut Facts| {
            f.clock.as_mut().unwrap().reading = Ok(KernelClock { unsync: false, max_error_micros: 16_000_000 })
        };
        assert_eq!(only_problem(drifting, Lang::Es).id, "clock");
        let behind = |f: &mut Facts| {
            if let Some(CentralFacts::Answered { local_time, .. }) = &mut f.central {
                *local_time = at(-31);
            }
        };
        let line = only_problem(behind, Lang::En);
        assert_eq!((line.id.as_str(), line.detail.as_str()), ("clock_offset", "31 s behind the central"));
        let mut facts = passing();
        if let Some(CentralFacts::Answered { local_time, .. }) = &mut facts.central {
            *local_time = at(30);
        }
        assert!(evaluate(&facts, Lang::Es).all_pass(), "30 s is still within the tolerance");
    }

    #[test]
    fn disk_below_the_reserve_an_unwritable_data_dir_and_loose_permissions_are_problems() {
        let line = only_problem(|f| f.disk.as_mut().unwrap().free_bytes = Ok(64 * 1024 * 1024), Lang::Es);
        assert!(line.detail.contains("64 MB libres, por debajo de la reserva de 64 MB"), "{line:?}");
        let line = only_problem(|f| f.data_dir.as_mut().unwrap().writable = Err("Permission denied".into()), Lang::En);
        assert!(line.advice.unwrap().contains("chown -R servicaja: /var/lib/servicaja"));
        let loose = |f: &mut Facts| {
            f.files[0].state = FileState::Stat { mode: 0o100644, owner_uid: 990, running_uid: 990 };
        };
        let line = only_problem(loose, Lang::Es);
        assert_eq!(line.detail, "/etc/servicaja/kiosk.toml: modo 0644: otros usuarios pueden leerlo");
        assert_eq!(line.advice.as_deref(), Some("chmod 600 /etc/servicaja/kiosk.toml"));
        let foreign = |f: &mut Facts| {
            f.files[1].state = FileState::Stat { mode: 0o100640, owner_uid: 0, running_uid: 990 };
        };
        let line = only_problem(foreign, Lang::En);
        assert_eq!(
            line.advice.as_deref(),
            Some("chmod 600 /etc/servicaja/key.pem && chown 990 /etc/servicaja/key.pem")
        );
    }

    #[test]
    fn the_rendered_table_puts_the_advice_under_its_problem() {
        let mut facts = passing();
        facts.devices[0].probe = PortProbe::Missing;
        facts.data_dir.as_mut().unwrap().writable = Err("read-only".into());
        let text = evaluate(&facts, Lang::Es).render(Lang::Es);
        let lines: Vec<&str> = text.lines().collect();
        let at = lines.iter().position(|l| l.starts_with("PROBLEMA  Impresora")).expect(&text);
        assert!(lines[at + 1].trim_start().starts_with("qué hacer: revise el cable"), "{text}");
        assert!(text.ends_with("2 problemas: corríjalos y vuelva a ejecutar servicaja doctor.\n"), "{text}");
    }
}
