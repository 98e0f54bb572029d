//! The drivers' thread shells: each device runs on its own thread with its settings, reconnects when its
//! port disappears and comes back (reporting `noDevice` meanwhile), publishes [`DeviceEvent`]s on one
//! channel, and keeps its current status readable at any time.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use servicaja_core::identity::track::LrcMode;
use servicaja_core::settings::{CardLrc, CardReaderSettings, DocumentReaderSettings, PrinterSettings, SerialSettings};
use zeroize::Zeroizing;

use crate::framing::{MrzFramer, SwipeFramer};
use crate::printer::{FailReason, PrintError, PrintJob, PrintedJob, PrinterDriver, StatusError};
use crate::readers::{DeviceEvent, document_event, swipe_event};
use crate::rt_status::PrinterSensors;
use crate::status::{DeviceKind, DeviceState, DeviceStatus, ErrorAction};
use crate::transport::{Connector, SerialConnector, Transport, is_disconnect};

/// Where the three emulated devices of demo mode are: a device whose port is `"emulator"` opens its link.
/// Plain paths, so production builds (without the emulators) read the same configuration.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EmulatorPaths {
    pub printer: std::path::PathBuf,
    pub card_reader: std::path::PathBuf,
    pub document_reader: std::path::PathBuf,
}

/// Timings of the thread shells (the printer's poll period comes from its settings).
#[derive(Debug, Clone, Copy)]
pub struct DriverOptions {
    /// How often a missing port is tried again.
    pub reconnect_every: Duration,
    /// Silence on a reader's line after which a message without its end counts as partial.
    pub reader_idle: Duration,
    /// Whether the card reader sends an LRC after each track ([`Devices::start`] takes it from the
    /// card reader's settings).
    pub lrc_mode: LrcMode,
}

impl Default for DriverOptions {
    fn default() -> Self {
        Self {
            reconnect_every: Duration::from_millis(500),
            reader_idle: Duration::from_millis(300),
            lrc_mode: LrcMode::Detect,
        }
    }
}

/// The track parser's LRC mode for the card reader's `lrc` setting.
pub fn lrc_mode(setting: CardLrc) -> LrcMode {
    match setting {
        CardLrc::Absent => LrcMode::Absent,
        CardLrc::Present => LrcMode::Present,
        CardLrc::Detect => LrcMode::Detect,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Keeps a device's current status and publishes what changed.
struct Publisher {
    kind: DeviceKind,
    current: Arc<Mutex<DeviceStatus>>,
    events: Sender<DeviceEvent>,
}

impl Publisher {
    fn new(kind: DeviceKind, events: Sender<DeviceEvent>) -> Self {
        let status = DeviceStatus::no_device(kind, "starting");
        Self { kind, current: Arc::new(Mutex::new(status)), events }
    }

    fn set(&self, next: DeviceStatus) {
        let changes = {
            let mut current = lock(&self.current);
            let changes = current.changes_to(&next);
            *current = next.clone();
            changes
        };
        if !changes.is_empty() {
            tracing::info!(device = %self.kind, ?changes, "device status changed");
            let _ = self.events.send(DeviceEvent::StatusChanged { device: self.kind, changes, status: next });
        }
    }

    fn emit(&self, event: DeviceEvent) {
        match &event {
            DeviceEvent::InvalidMedia { reason, .. } => {
                tracing::info!(device = %self.kind, %reason, "unreadable media")
            }
            DeviceEvent::CardRead(swipe) => tracing::info!(card = %swipe.pan.masked_for_log(), "card read"),
            DeviceEvent::DocumentRead(mrz) => tracing::info!(format = ?mrz.format, "document read"),
            DeviceEvent::StatusChanged { .. } => {}
        }
        let _ = self.events.send(event);
    }
}

enum PrinterCommand {
    Print(PrintJob, Sender<Result<PrintedJob, PrintError>>),
    Sensors(Sender<Option<PrinterSensors>>),
}

/// The application's handle on the printer thread. Clones share the thread; it ends when the last
/// clone is dropped.
#[derive(Clone)]
pub struct PrinterHandle {
    commands: Sender<PrinterCommand>,
    status: Arc<Mutex<DeviceStatus>>,
}

impl PrinterHandle {
    /// The status as of the last poll.
    pub fn status(&self) -> DeviceStatus {
        lock(&self.status).clone()
    }

    /// Prints a job and waits until the printer has printed its last line. `Ok` carries the paper the
    /// job used (for the estimate of paper left); on `Err` the caller keeps the document for a reprint.
    pub fn print(&self, job: PrintJob) -> Result<PrintedJob, PrintError> {
        let (reply, outcome) = mpsc::channel();
        if self.commands.send(PrinterCommand::Print(job, reply)).is_err() {
            return Err(PrintError::NotReady(FailReason::NoDevice));
        }
        outcome.recv().unwrap_or(Err(PrintError::NotReady(FailReason::NoDevice)))
    }

    /// Asks the printer now (not the last poll); `None` when it is not connected or does not answer.
    pub fn sensors(&self) -> Option<PrinterSensors> {
        let (reply, answer) = mpsc::channel();
        self.commands.send(PrinterCommand::Sensors(reply)).ok()?;
        answer.recv().ok().flatten()
    }
}

/// Starts the printer thread on `connector`, polling status every `poll` while idle.
pub fn start_printer<C: Connector>(
    connector: C,
    baud: u32,
    poll: Duration,
    options: DriverOptions,
    events: Sender<DeviceEvent>,
) -> (PrinterHandle, JoinHandle<()>) {
    let publisher = Publisher::new(DeviceKind::Printer, events);
    let (commands, inbox) = mpsc::channel();
    let handle = PrinterHandle { commands, status: Arc::clone(&publisher.current) };
    let thread = std::thread::Builder::new()
        .name("printer".into())
        .spawn(move || printer_loop(connector, baud, poll, options, &publisher, &inbox))
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "could not start the printer thread");
            std::thread::spawn(|| {})
        });
    (handle, thread)
}

fn no_reply_status() -> DeviceStatus {
    let mut status = DeviceStatus::no_device(DeviceKind::Printer, "the printer does not answer DLE EOT");
    status.device = DeviceState::Offline;
    status.action = Some(ErrorAction::Maintenance);
    status
}

fn printer_loop<C: Connector>(
    mut connector: C,
    baud: u32,
    poll: Duration,
    options: DriverOptions,
    publisher: &Publisher,
    inbox: &Receiver<PrinterCommand>,
) {
    loop {
        let port = match connector.connect() {
            Ok(port) => port,
            Err(e) => {
                publisher.set(DeviceStatus::no_device(DeviceKind::Printer, e.to_string()));
                match inbox.recv_timeout(options.reconnect_every) {
                    Ok(PrinterCommand::Print(_, reply)) => {
                        let _ = reply.send(Err(PrintError::NotReady(FailReason::NoDevice)));
                    }
                    Ok(PrinterCommand::Sensors(reply)) => {
                        let _ = reply.send(None);
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
                continue;
            }
        };
        tracing::info!(port = %connector.describe(), "printer port open");
        let mut driver = PrinterDriver::new(port).with_line_rate(baud);
        let mut pending_sensors: Option<Sender<Option<PrinterSensors>>> = None;
        loop {
            let sensors = match driver.read_sensors() {
                Ok(sensors) => {
                    publisher.set(sensors.to_status());
                    Some(sensors)
                }
                Err(e) if e.is_disconnect() => {
                    publisher.set(DeviceStatus::no_device(DeviceKind::Printer, e.to_string()));
                    if let Some(reply) = pending_sensors.take() {
                        let _ = reply.send(None);
                    }
                    break;
                }
                Err(StatusError::NoReply(_)) | Err(StatusError::Line(_)) => {
                    publisher.set(no_reply_status());
                    None
                }
            };
            if let Some(reply) = pending_sensors.take() {
                let _ = reply.send(sensors);
            }
            match inbox.recv_timeout(poll) {
                Ok(PrinterCommand::Print(job, reply)) => {
                    let outcome = driver.print(&job);
                    if let Err(e) = &outcome {
                        tracing::warn!(error = %e, "print job failed");
                    }
                    let lost = matches!(outcome, Err(PrintError::Line(_)));
                    let _ = reply.send(outcome);
                    if lost {
                        publisher.set(DeviceStatus::no_device(DeviceKind::Printer, "the line failed while printing"));
                        break;
                    }
                }
                Ok(PrinterCommand::Sensors(reply)) => pending_sensors = Some(reply),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

/// The application's handle on a reader thread. Clones share the thread (the maintenance screens read the
/// status through one); it stops when the last clone is dropped.
#[derive(Clone)]
pub struct ReaderHandle {
    status: Arc<Mutex<DeviceStatus>>,
    _stop: Sender<()>,
}

impl ReaderHandle {
    pub fn status(&self) -> DeviceStatus {
        lock(&self.status).clone()
    }
}

trait Framer: Send + 'static {
    fn push(&mut self, bytes: &[u8]) -> Vec<DeviceEvent>;
    fn idle(&mut self) -> Option<DeviceEvent>;
}

struct CardFraming(SwipeFramer, LrcMode);
impl Framer for CardFraming {
    fn push(&mut self, bytes: &[u8]) -> Vec<DeviceEvent> {
        self.0.push(bytes).into_iter().map(|f| swipe_event(f, self.1)).collect()
    }
    fn idle(&mut self) -> Option<DeviceEvent> {
        self.0.idle().map(|f| swipe_event(f, self.1))
    }
}

struct DocFraming(MrzFramer);
impl Framer for DocFraming {
    fn push(&mut self, bytes: &[u8]) -> Vec<DeviceEvent> {
        self.0.push(bytes).into_iter().map(document_event).collect()
    }
    fn idle(&mut self) -> Option<DeviceEvent> {
        self.0.idle().map(document_event)
    }
}

/// Starts the card reader thread.
pub fn start_card_reader<C: Connector>(
    connector: C,
    options: DriverOptions,
    events: Sender<DeviceEvent>,
) -> (ReaderHandle, JoinHandle<()>) {
    start_reader(DeviceKind::CardReader, connector, CardFraming(SwipeFramer::new(), options.lrc_mode), options, events)
}

/// Starts the document reader thread.
pub fn start_document_reader<C: Connector>(
    connector: C,
    options: DriverOptions,
    events: Sender<DeviceEvent>,
) -> (ReaderHandle, JoinHandle<()>) {
    start_reader(DeviceKind::DocumentReader, connector, DocFraming(MrzFramer::new()), options, events)
}

fn start_reader<C: Connector, F: Framer>(
    kind: DeviceKind,
    connector: C,
    framer: F,
    options: DriverOptions,
    events: Sender<DeviceEvent>,
) -> (ReaderHandle, JoinHandle<()>) {
    let publisher = Publisher::new(kind, events);
    let (stop, stopped) = mpsc::channel();
    let handle = ReaderHandle { status: Arc::clone(&publisher.current), _stop: stop };
    let name = match kind {
        DeviceKind::CardReader => "card-reader",
        _ => "document-reader",
    };
    let thread = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || reader_loop(connector, framer, options, &publisher, &stopped))
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, "could not start a reader thread");
            std::thread::spawn(|| {})
        });
    (handle, thread)
}

fn reader_loop<C: Connector, F: Framer>(
    mut connector: C,
    mut framer: F,
    options: DriverOptions,
    publisher: &Publisher,
    stopped: &Receiver<()>,
) {
    loop {
        let mut port = match connector.connect() {
            Ok(port) => port,
            Err(e) => {
                publisher.set(DeviceStatus::no_device(publisher.kind, e.to_string()));
                match stopped.recv_timeout(options.reconnect_every) {
                    Err(RecvTimeoutError::Timeout) => continue,
                    _ => return,
                }
            }
        };
        tracing::info!(port = %connector.describe(), device = %publisher.kind, "reader port open");
        publisher.set(DeviceStatus::reader_online());
        let mut buf = Zeroizing::new([0u8; 512]);
        loop {
            if !matches!(stopped.try_recv(), Err(TryRecvError::Empty)) {
                return;
            }
            match port.read_some(&mut buf[..], options.reader_idle) {
                Ok(0) => {
                    if let Some(event) = framer.idle() {
                        publisher.emit(event);
                    }
                }
                Ok(n) => {
                    for event in framer.push(&buf[..n]) {
                        publisher.emit(event);
                    }
                }
                Err(e) if is_disconnect(&e) => {
                    let _ = framer.idle();
                    publisher.set(DeviceStatus::no_device(publisher.kind, format!("{}: {e}", connector.describe())));
                    break;
                }
                Err(_) => {}
            }
        }
    }
}

/// The three drivers, running.
pub struct Devices {
    pub printer: PrinterHandle,
    pub card_reader: ReaderHandle,
    pub document_reader: ReaderHandle,
}

/// Replaces `port = "emulator"` by the emulator's device path.
pub fn resolve_port(serial: &SerialSettings, emulated_path: Option<&std::path::Path>) -> SerialSettings {
    let mut resolved = serial.clone();
    if serial.emulated()
        && let Some(path) = emulated_path
    {
        resolved.port = path.display().to_string();
    }
    resolved
}

impl Devices {
    /// Starts the three drivers from their settings. Ports set to `"emulator"` use `emulators`' paths
    /// (without emulators such a driver reports `noDevice` with the reason). Events arrive on the
    /// returned receiver. The card reader's LRC mode comes from `card_reader.lrc` (overriding
    /// `options.lrc_mode`).
    pub fn start(
        printer: &PrinterSettings,
        card_reader: &CardReaderSettings,
        document_reader: &DocumentReaderSettings,
        emulators: Option<&EmulatorPaths>,
        options: DriverOptions,
    ) -> (Devices, Receiver<DeviceEvent>) {
        let options = DriverOptions { lrc_mode: lrc_mode(card_reader.lrc), ..options };
        let (events, receiver) = mpsc::channel();
        let printer_port = resolve_port(&printer.serial, emulators.map(|p| p.printer.as_path()));
        let card_port = resolve_port(&card_reader.serial, emulators.map(|p| p.card_reader.as_path()));
        let doc_port = resolve_port(&document_reader.serial, emulators.map(|p| p.document_reader.as_path()));
        let poll = Duration::from_millis(u64::from(printer.status_poll_ms.max(100)));
        let baud = printer_port.baud;
        let (printer, _) = start_printer(SerialConnector::new(printer_port), baud, poll, options, events.clone());
        let (card_reader, _) = start_card_reader(SerialConnector::new(card_port), options, events.clone());
        let (document_reader, _) = start_document_reader(SerialConnector::new(doc_port), options, events);
        (Devices { printer, card_reader, document_reader }, receiver)
    }
}
