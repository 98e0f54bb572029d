//! Technician device tools: `servicaja diag printer|card|doc` (status, test page, one swipe, one
//! document) and `servicaja devsim` (the three device emulators on pseudo-terminals, driven over a Unix
//! socket).

#[cfg(feature = "demo")]
use std::io::{BufRead, BufReader, Write};
#[cfg(feature = "demo")]
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[cfg(feature = "demo")]
use crate::cli::out::errln;
use crate::cli::out::outln;
use clap::Subcommand;
use servicaja_core::identity::mrz::{Mrz, MrzFormat};
use servicaja_core::identity::track::{CardSwipe, LrcMode};
use servicaja_core::settings::{SerialSettings, Settings};
use servicaja_drivers::devices::lrc_mode;
#[cfg(feature = "demo")]
use servicaja_drivers::emulator::control_socket::ControlSocket;
#[cfg(feature = "demo")]
use servicaja_drivers::emulator::{EmulatorSet, control};
use servicaja_drivers::framing::{MrzFramer, SwipeFramer};
use servicaja_drivers::printer::{FailReason, PrintJob, PrinterDriver};
use servicaja_drivers::readers::{DeviceEvent, document_event, swipe_event};
use servicaja_drivers::rt_status::PrinterSensors;
use servicaja_drivers::transport::{Connector, SerialConnector, Transport};
use servicaja_escpos::{EscPosBuilder, TextSize, TextStyle};

#[derive(Subcommand)]
pub enum DeviceCommand {
    /// Technician diagnostics of one device on a serial port.
    Diag {
        #[command(subcommand)]
        device: DiagDevice,
    },
    /// Start the printer, card reader and document reader emulators on pseudo-terminals, print their
    /// device paths, and take control commands (one per line) on a Unix socket until interrupted.
    #[cfg(feature = "demo")]
    Devsim {
        /// Directory for the device links and the socket (default: a new directory under /tmp).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Printer line width for the rendered receipts.
        #[arg(long, default_value_t = 48)]
        columns: u8,
    },
}

#[derive(Subcommand)]
pub enum DiagDevice {
    /// Print the printer's decoded status (and a test page); exit code 0 only when it is ready.
    Printer {
        #[arg(long)]
        port: String,
        #[arg(long)]
        baud: Option<u32>,
        #[arg(long)]
        test_page: bool,
        /// Configuration for line settings, columns, logo and kiosk id (default: the embedded one).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Wait for one swipe and print its decoded fields (card number masked) or why it was rejected.
    Card {
        #[arg(long)]
        port: String,
        #[arg(long)]
        baud: Option<u32>,
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Wait for one document and print its decoded fields or the failing check.
    Doc {
        #[arg(long)]
        port: String,
        #[arg(long)]
        baud: Option<u32>,
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

pub fn run(command: DeviceCommand) -> ExitCode {
    match command {
        DeviceCommand::Diag { device } => match device {
            DiagDevice::Printer { port, baud, test_page, config } => {
                with_settings(config.as_deref(), |s| diag_printer(s, &port, baud, test_page))
            }
            DiagDevice::Card { port, baud, timeout, config } => with_settings(config.as_deref(), |s| {
                diag_reader(
                    line(&s.card_reader.serial, &port, baud),
                    Duration::from_secs(timeout),
                    Reader::Card(lrc_mode(s.card_reader.lrc)),
                )
            }),
            DiagDevice::Doc { port, baud, timeout, config } => with_settings(config.as_deref(), |s| {
                diag_reader(
                    line(&s.document_reader.serial, &port, baud),
                    Duration::from_secs(timeout),
                    Reader::Document,
                )
            }),
        },
        #[cfg(feature = "demo")]
        DeviceCommand::Devsim { dir, columns } => devsim(dir, columns),
    }
}

fn with_settings(path: Option<&Path>, f: impl FnOnce(&Settings) -> ExitCode) -> ExitCode {
    match crate::cli::settings_or_exit(path) {
        Ok(settings) => f(&settings),
        Err(code) => code,
    }
}

fn line(configured: &SerialSettings, port: &str, baud: Option<u32>) -> SerialSettings {
    let mut serial = configured.clone();
    serial.port = port.to_string();
    if let Some(baud) = baud {
        serial.baud = baud;
    }
    serial
}

fn print_sensors(sensors: &PrinterSensors) {
    let status = sensors.to_status();
    outln!("estado: {:?}", status.device);
    outln!("papel: {:?}", status.paper.unwrap_or(servicaja_drivers::status::PaperState::Unknown));
    outln!("tapa: {:?}", status.cover.unwrap_or(servicaja_drivers::status::CoverState::Unknown));
    outln!("acción: {}", status.action.map_or("ninguna".to_string(), |a| format!("{a:?}")));
    if !status.detail.is_empty() {
        outln!("detalle: {}", status.detail);
    }
    let [b1, b2, b3, b4] = sensors.encode();
    outln!("DLE EOT 1 = {b1:#04x}: {:?}", sensors.printer);
    outln!("DLE EOT 2 = {b2:#04x}: {:?}", sensors.offline_cause);
    outln!("DLE EOT 3 = {b3:#04x}: {:?}", sensors.error_cause);
    outln!("DLE EOT 4 = {b4:#04x}: {:?}", sensors.roll_paper);
}

fn test_page(settings: &Settings) -> Result<PrintJob, String> {
    let columns = settings.printer.columns;
    let mut b = EscPosBuilder::new(columns);
    b.logo(&settings.printer.logo_key)
        .text(&settings.kiosk.institution, TextStyle::centered().bold().size(TextSize::Double))
        .text("PÁGINA DE PRUEBA", TextStyle::centered().bold())
        .separator('-')
        .text("Código de página WPC1252 (ESC t 16):", TextStyle::NORMAL)
        .text("á é í ó ú  Á É Í Ó Ú  ñ Ñ  ü Ü  ¿ ¡  €", TextStyle::NORMAL)
        .text(&"1234567890".repeat(usize::from(columns) / 10 + 1)[..usize::from(columns)], TextStyle::NORMAL)
        .text(&format!("Quiosco: {}", settings.kiosk.id), TextStyle::NORMAL)
        .text(&format!("Agencia: {}", settings.kiosk.agency_name), TextStyle::NORMAL)
        .qr(&settings.kiosk.id)
        .feed(3)
        .cut();
    b.finish().map(PrintJob::from).map_err(|e| e.to_string())
}

fn diag_printer(settings: &Settings, port: &str, baud: Option<u32>, with_test_page: bool) -> ExitCode {
    let serial = line(&settings.printer.serial, port, baud);
    let line_rate = serial.baud;
    let transport = match SerialConnector::new(serial).connect() {
        Ok(t) => t,
        Err(e) => {
            outln!("estado: NoDevice ({e})");
            return ExitCode::from(1);
        }
    };
    let mut printer = PrinterDriver::new(transport).with_line_rate(line_rate);
    let sensors = match printer.read_sensors() {
        Ok(sensors) => sensors,
        Err(e) => {
            outln!("estado: sin respuesta ({e})");
            return ExitCode::from(1);
        }
    };
    print_sensors(&sensors);
    let mut ready = FailReason::from_sensors(&sensors).is_none();
    if with_test_page && ready {
        match test_page(settings).map(|job| printer.print(&job).map_err(|e| e.to_string())) {
            Ok(Ok(done)) => {
                outln!("página de prueba: impresa ({} mm de papel)", done.paper.length_mm())
            }
            Ok(Err(e)) | Err(e) => {
                outln!("página de prueba: falló ({e})");
                ready = false;
            }
        }
    }
    if ready { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

#[derive(Clone, Copy)]
enum Reader {
    /// With the LRC mode of the card reader's configuration.
    Card(LrcMode),
    Document,
}

fn diag_reader(serial: SerialSettings, timeout: Duration, reader: Reader) -> ExitCode {
    let mut transport = match SerialConnector::new(serial).connect() {
        Ok(t) => t,
        Err(e) => {
            outln!("estado: NoDevice ({e})");
            return ExitCode::from(2);
        }
    };
    outln!(
        "esperando {} ({} s)…",
        if matches!(reader, Reader::Card(_)) { "una tarjeta" } else { "un documento" },
        timeout.as_secs()
    );
    let deadline = Instant::now() + timeout;
    let mut swipes = SwipeFramer::new();
    let mut documents = MrzFramer::new();
    let mut buf = zeroize::Zeroizing::new([0u8; 512]);
    while Instant::now() < deadline {
        let events: Vec<DeviceEvent> = match transport.read_some(&mut buf[..], Duration::from_millis(300)) {
            Ok(0) => match reader {
                Reader::Card(lrc) => swipes.idle().map(|f| swipe_event(f, lrc)).into_iter().collect(),
                Reader::Document => documents.idle().map(document_event).into_iter().collect(),
            },
            Ok(n) => match reader {
                Reader::Card(lrc) => swipes.push(&buf[..n]).into_iter().map(|f| swipe_event(f, lrc)).collect(),
                Reader::Document => documents.push(&buf[..n]).into_iter().map(document_event).collect(),
            },
            Err(e) => {
                outln!("estado: NoDevice ({e})");
                return ExitCode::from(2);
            }
        };
        if let Some(event) = events.into_iter().next() {
            return match event {
                DeviceEvent::CardRead(swipe) => {
                    print_swipe(&swipe);
                    ExitCode::SUCCESS
                }
                DeviceEvent::DocumentRead(mrz) => {
                    print_mrz(&mrz);
                    ExitCode::SUCCESS
                }
                DeviceEvent::InvalidMedia { reason, .. } => {
                    outln!("rechazado: {reason}");
                    ExitCode::from(1)
                }
                DeviceEvent::StatusChanged { .. } => ExitCode::from(1),
            };
        }
    }
    outln!("tiempo agotado: no llegó nada");
    ExitCode::from(2)
}

fn print_swipe(swipe: &CardSwipe) {
    outln!("tarjeta: {}", swipe.pan.masked());
    // Only a Luhn-valid number parses; a failing one is reported as the rejection reason.
    outln!("luhn: válido");
    match swipe.expiry {
        Some(e) => outln!("vencimiento: {:04}-{:02}", e.year(), e.month()),
        None => outln!("vencimiento: (no está en la banda)"),
    }
    match swipe.service_code {
        Some(code) => outln!(
            "código de servicio: {}{}",
            code.as_str(),
            if swipe.is_chip_card() { " (tarjeta con chip)" } else { "" }
        ),
        None => outln!("código de servicio: (no está en la banda)"),
    }
    if let Some(name) = &swipe.cardholder {
        outln!("titular: {name}");
    }
    outln!("pistas: 1 {:?}, 2 {:?}", swipe.track1, swipe.track2);
}

fn print_mrz(mrz: &Mrz) {
    let kind = match mrz.format {
        MrzFormat::Td1 => "TD1 (documento de identidad)",
        MrzFormat::Td3 => "TD3 (pasaporte)",
    };
    outln!("formato: {kind}");
    outln!("tipo: {}  emisor: {}", mrz.document_code, mrz.issuing_state);
    outln!("número: {}", mrz.document_number);
    outln!("apellidos: {}", mrz.names.primary);
    outln!("nombres: {}", mrz.names.secondary);
    outln!("nacimiento (AAMMDD): {:02}{:02}{:02}", mrz.birth_date.yy(), mrz.birth_date.month(), mrz.birth_date.day());
    outln!(
        "vencimiento (AAMMDD): {:02}{:02}{:02}",
        mrz.expiry_date.yy(),
        mrz.expiry_date.month(),
        mrz.expiry_date.day()
    );
    outln!("sexo: {:?}  nacionalidad: {}", mrz.sex, mrz.nationality);
}

#[cfg(feature = "demo")]
fn devsim(dir: Option<PathBuf>, columns: u8) -> ExitCode {
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::from_default_env()).init();
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join(format!("servicaja-devsim-{}", std::process::id())));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        errln!("cannot create {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    // The socket first: a live devsim in the same directory keeps its device links untouched.
    let socket = match ControlSocket::claim(&dir.join("control.sock")) {
        Ok(socket) => socket,
        Err(e) => {
            errln!("devsim: {e}");
            return ExitCode::from(2);
        }
    };
    let signals = match socket.stop_on_signals() {
        Ok(handle) => handle,
        Err(e) => {
            errln!("devsim: cannot watch for Ctrl-C / SIGTERM: {e}");
            return ExitCode::from(2);
        }
    };
    let emulators = match EmulatorSet::start(&dir, columns) {
        Ok(emulators) => emulators,
        Err(e) => {
            errln!("{e}");
            return ExitCode::from(2);
        }
    };
    let receipts = dir.join("receipts");
    if std::fs::create_dir_all(&receipts).is_ok() {
        emulators.control().set_receipt_dir(Some(receipts.clone()));
        outln!("receipts {}", receipts.display());
    }
    let paths = emulators.paths();
    let ptys = emulators.control().pty_paths();
    let show = |p: &Option<PathBuf>| p.as_ref().map_or("-".into(), |p| p.display().to_string());
    outln!("printer {} -> {}", paths.printer.display(), show(&ptys[0]));
    outln!("card-reader {} -> {}", paths.card_reader.display(), show(&ptys[1]));
    outln!("document-reader {} -> {}", paths.document_reader.display(), show(&ptys[2]));
    outln!("control {}", socket.path().display());
    let _ = std::io::stdout().flush();
    let control = emulators.control();
    socket.serve(move |stream| serve(stream, &control));
    signals.close();
    // Dropping the emulators removes the device links; dropping the socket removes its file.
    drop(emulators);
    drop(socket);
    outln!("devsim stopped: device links and control socket removed");
    ExitCode::SUCCESS
}

/// One control connection: a command per line, each answered by its result and a line with `.`.
#[cfg(feature = "demo")]
fn serve(stream: UnixStream, emulators: &servicaja_drivers::emulator::EmulatorControl) {
    let Ok(mut writer) = stream.try_clone() else { return };
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { return };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match control::parse(&line).and_then(|command| control::execute(emulators, command)) {
            Ok(text) => text,
            Err(e) => format!("error: {e}"),
        };
        if writeln!(writer, "{answer}\n.").is_err() {
            return;
        }
    }
}
