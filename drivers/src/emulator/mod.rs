//! Device emulators on the far end of pseudo-terminal pairs: a printer that interprets ESC/POS and
//! answers `DLE EOT`, a card reader and a document reader that send what real readers send when told to.
//! Each device is reached through a stable symbolic link (like `/dev/serial/by-id/…`) so that a pulled
//! and re-attached "cable" — a new pty pair — keeps the configured path.

pub mod control;
pub mod control_socket;
pub mod escpos_sim;
pub mod png;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

pub use escpos_sim::{PrinterSim, Receipt, SimPaper};

use crate::pty::PtyMaster;
use crate::status::DeviceKind;

/// Why the emulators could not start or a command failed.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error("could not open a pseudo-terminal: {0}")]
    Pty(std::io::Error),
    #[error("could not create the device link {path}: {source}")]
    Link { path: PathBuf, source: std::io::Error },
    #[error("the {0} emulator is unplugged; plug it in first")]
    Unplugged(DeviceKind),
    #[error("could not write to the {0} emulator's line: {1}")]
    Write(DeviceKind, std::io::Error),
    #[error("no receipt has been printed yet")]
    NoReceipt,
    #[error("could not write the receipt file {path}: {reason}")]
    File { path: PathBuf, reason: String },
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One emulated serial device: its pty master (when plugged) and its stable link.
struct EmulatedPort {
    kind: DeviceKind,
    link: PathBuf,
    master: Mutex<Option<PtyMaster>>,
}

impl EmulatedPort {
    fn new(kind: DeviceKind, link: PathBuf) -> Result<Self, EmulatorError> {
        let port = Self { kind, link, master: Mutex::new(None) };
        port.plug()?;
        Ok(port)
    }

    fn plug(&self) -> Result<(), EmulatorError> {
        let mut master = lock(&self.master);
        if master.is_some() {
            return Ok(());
        }
        let pty = PtyMaster::open().map_err(EmulatorError::Pty)?;
        // Swap the link atomically so a driver never sees a half-made one.
        let tmp = self.link.with_extension("new");
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(pty.slave_path(), &tmp)
            .and_then(|()| std::fs::rename(&tmp, &self.link))
            .map_err(|source| EmulatorError::Link { path: self.link.clone(), source })?;
        *master = Some(pty);
        Ok(())
    }

    fn unplug(&self) {
        // Closing the master hangs up the driver's side; the link goes after, as udev removes it.
        lock(&self.master).take();
        let _ = std::fs::remove_file(&self.link);
    }

    fn send(&self, bytes: &[u8]) -> Result<(), EmulatorError> {
        match lock(&self.master).as_mut() {
            Some(m) => m.write_all(bytes).map_err(|e| EmulatorError::Write(self.kind, e)),
            None => Err(EmulatorError::Unplugged(self.kind)),
        }
    }

    fn slave_path(&self) -> Option<PathBuf> {
        lock(&self.master).as_ref().map(|m| m.slave_path().to_path_buf())
    }
}

pub use crate::devices::EmulatorPaths;

struct Shared {
    printer_port: EmulatedPort,
    card_port: EmulatedPort,
    doc_port: EmulatedPort,
    printer: Mutex<PrinterSim>,
    columns: usize,
    stop: AtomicBool,
    /// When set, every finished receipt is also written there as `receipt-NNN.txt` and `.png`.
    receipt_dir: Mutex<Option<PathBuf>>,
}

/// The three emulators, running. Dropping it stops the printer's thread and removes the links (and the
/// directory, when [`EmulatorSet::start_temporary`] made it).
pub struct EmulatorSet {
    control: EmulatorControl,
    thread: Option<JoinHandle<()>>,
    owned_dir: Option<PathBuf>,
}

/// A cheap, clonable handle that drives the emulators (the control socket and tests use it).
#[derive(Clone)]
pub struct EmulatorControl {
    shared: Arc<Shared>,
}

impl EmulatorSet {
    /// Starts the three emulators with their links `printer`, `card-reader` and `document-reader` in
    /// `dir` (which must exist). `columns` is the printer's line width for rendering.
    pub fn start(dir: &Path, columns: u8) -> Result<Self, EmulatorError> {
        let shared = Arc::new(Shared {
            printer_port: EmulatedPort::new(DeviceKind::Printer, dir.join("printer"))?,
            card_port: EmulatedPort::new(DeviceKind::CardReader, dir.join("card-reader"))?,
            doc_port: EmulatedPort::new(DeviceKind::DocumentReader, dir.join("document-reader"))?,
            printer: Mutex::new(PrinterSim::new()),
            columns: usize::from(columns),
            stop: AtomicBool::new(false),
            receipt_dir: Mutex::new(None),
        });
        let for_thread = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("printer-emulator".into())
            .spawn(move || printer_loop(&for_thread))
            .map_err(EmulatorError::Pty)?;
        Ok(Self { control: EmulatorControl { shared }, thread: Some(thread), owned_dir: None })
    }

    /// Starts the emulators with their links in a new directory under the system's temporary directory
    /// (the kiosk's demo mode); the directory goes away with the set.
    pub fn start_temporary(columns: u8) -> Result<Self, EmulatorError> {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("servicaja-emulators-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|source| EmulatorError::Link { path: dir.clone(), source })?;
        let mut set = Self::start(&dir, columns)?;
        set.owned_dir = Some(dir);
        Ok(set)
    }

    pub fn control(&self) -> EmulatorControl {
        self.control.clone()
    }

    /// The stable links the drivers open.
    pub fn paths(&self) -> EmulatorPaths {
        self.control.paths()
    }
}

impl Drop for EmulatorSet {
    fn drop(&mut self) {
        self.control.shared.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        for port in [&self.control.shared.printer_port, &self.control.shared.card_port, &self.control.shared.doc_port] {
            port.unplug();
        }
        if let Some(dir) = self.owned_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn printer_loop(shared: &Shared) {
    let mut buf = [0u8; 4096];
    let mut last = std::time::Instant::now();
    while !shared.stop.load(Ordering::Relaxed) {
        let read = {
            let mut master = lock(&shared.printer_port.master);
            match master.as_mut() {
                Some(m) => m.read_timeout(&mut buf, Duration::from_millis(10)),
                None => Ok(0),
            }
        };
        let received = match read {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "printer emulator: the pty failed; unplugging");
                shared.printer_port.unplug();
                0
            }
        };
        let now = std::time::Instant::now();
        let elapsed = now.saturating_duration_since(last);
        last = now;
        let (replies, finished) = {
            let mut printer = lock(&shared.printer);
            let before = printer.receipts.len();
            let mut replies = if received > 0 { printer.feed(&buf[..received]) } else { Vec::new() };
            replies.extend(printer.advance(elapsed));
            (replies, printer.receipts[before.min(printer.receipts.len())..].to_vec())
        };
        // Files first: a driver that sees the job's completion finds the receipt on disk.
        if !finished.is_empty() {
            write_receipt_files(shared, &finished);
        }
        if !replies.is_empty() {
            let _ = shared.printer_port.send(&replies);
        }
        if received == 0 {
            // Unplugged, or idle: let control commands take the lock.
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// Writes newly finished receipts (text with styles marked, and PNG) into the receipt directory, if set.
fn write_receipt_files(shared: &Shared, finished: &[Receipt]) {
    let Some(dir) = lock(&shared.receipt_dir).clone() else { return };
    let total = lock(&shared.printer).receipts.len();
    let first = total.saturating_sub(finished.len()) + 1;
    for (i, receipt) in finished.iter().enumerate() {
        let stem = dir.join(format!("receipt-{:03}", first + i));
        let text = std::fs::write(stem.with_extension("txt"), receipt.marked_text(shared.columns));
        let image = png::render(receipt, shared.columns as u32).save(stem.with_extension("png"));
        if text.is_err() || image.is_err() {
            tracing::warn!(path = %stem.display(), "printer emulator: could not write a receipt file");
        }
    }
}

impl EmulatorControl {
    /// Also write every receipt finished from now on into `dir` (`receipt-NNN.txt` and `.png`, one pair
    /// per cut); `None` stops it.
    pub fn set_receipt_dir(&self, dir: Option<PathBuf>) {
        *lock(&self.shared.receipt_dir) = dir;
    }

    pub fn paths(&self) -> EmulatorPaths {
        EmulatorPaths {
            printer: self.shared.printer_port.link.clone(),
            card_reader: self.shared.card_port.link.clone(),
            document_reader: self.shared.doc_port.link.clone(),
        }
    }

    /// The `/dev/pts/N` each link points at now (`None` while unplugged).
    pub fn pty_paths(&self) -> [Option<PathBuf>; 3] {
        [self.shared.printer_port.slave_path(), self.shared.card_port.slave_path(), self.shared.doc_port.slave_path()]
    }

    fn port(&self, kind: DeviceKind) -> &EmulatedPort {
        match kind {
            DeviceKind::Printer => &self.shared.printer_port,
            DeviceKind::CardReader => &self.shared.card_port,
            DeviceKind::DocumentReader => &self.shared.doc_port,
        }
    }

    /// Sends one swipe exactly as given (for example `%B…?;…?`), followed by CR.
    pub fn swipe_raw(&self, line: &str) -> Result<(), EmulatorError> {
        let mut bytes = line.as_bytes().to_vec();
        bytes.push(b'\r');
        self.port(DeviceKind::CardReader).send(&bytes)
    }

    /// Swipes a card: builds tracks 1 and 2 from the card number, the holder's name (`APELLIDO/NOMBRE`),
    /// the expiry (`YYMM`) and the service code, as an ISO 7813 card carries them.
    pub fn swipe_card(
        &self,
        pan: &str,
        name: &str,
        expiry_yymm: &str,
        service_code: &str,
    ) -> Result<(), EmulatorError> {
        let line = format!(
            "%B{pan}^{name}^{expiry_yymm}{service_code}0000000000000?;{pan}={expiry_yymm}{service_code}00000000000?"
        );
        self.swipe_raw(&line)
    }

    /// Sends MRZ lines, each ended by CR LF, as an OCR reader does.
    pub fn present_document(&self, lines: &[&str]) -> Result<(), EmulatorError> {
        let mut bytes = Vec::new();
        for line in lines {
            bytes.extend_from_slice(line.as_bytes());
            bytes.extend_from_slice(b"\r\n");
        }
        self.port(DeviceKind::DocumentReader).send(&bytes)
    }

    /// Sends line noise (bytes no reader would send as data, then an end of line).
    pub fn send_garbage(&self, kind: DeviceKind) -> Result<(), EmulatorError> {
        let noise: Vec<u8> = (0u8..64).map(|i| i.wrapping_mul(37).wrapping_add(0x81)).chain([b'\r']).collect();
        self.port(kind).send(&noise)
    }

    /// Sends arbitrary bytes on a reader's line.
    pub fn send_bytes(&self, kind: DeviceKind, bytes: &[u8]) -> Result<(), EmulatorError> {
        self.port(kind).send(bytes)
    }

    /// How long the simulated head takes per printed item (zero, the default, prints at once). With a
    /// line time a real printer's lag shows: `DLE EOT` answers before the last lines are printed.
    pub fn set_line_time(&self, line_time: Duration) {
        lock(&self.shared.printer).line_time = line_time;
    }

    pub fn set_paper(&self, paper: SimPaper) {
        lock(&self.shared.printer).paper = paper;
    }

    /// The roll ends after `lines` more printed lines (a receipt cut short mid-job).
    pub fn paper_runs_out_after(&self, lines: usize) {
        lock(&self.shared.printer).paper_runs_out_after = Some(lines.max(1));
    }

    /// The cover is opened after `lines` more printed lines (a receipt cut short mid-job).
    pub fn cover_opens_after(&self, lines: usize) {
        lock(&self.shared.printer).cover_opens_after = Some(lines.max(1));
    }

    pub fn set_cover_open(&self, open: bool) {
        let mut printer = lock(&self.shared.printer);
        if open {
            printer.open_cover();
        } else {
            printer.cover_open = false;
        }
    }

    pub fn set_offline(&self, offline: bool) {
        lock(&self.shared.printer).offline = offline;
    }

    pub fn set_cutter_jammed(&self, jammed: bool) {
        lock(&self.shared.printer).cutter_jammed = jammed;
    }

    /// Pulls the device's cable: its pty closes and its link disappears.
    pub fn unplug(&self, kind: DeviceKind) {
        self.port(kind).unplug();
    }

    /// Puts the cable back: a new pty behind the same link.
    pub fn plug(&self, kind: DeviceKind) -> Result<(), EmulatorError> {
        self.port(kind).plug()
    }

    /// Every receipt printed so far (one per cut; an interrupted one counts).
    pub fn receipts(&self) -> Vec<Receipt> {
        lock(&self.shared.printer).receipts.clone()
    }

    pub fn last_receipt(&self) -> Option<Receipt> {
        lock(&self.shared.printer).receipts.last().cloned()
    }

    /// The last receipt as text, styles marked.
    pub fn last_receipt_text(&self) -> Result<String, EmulatorError> {
        self.last_receipt().map(|r| r.marked_text(self.shared.columns)).ok_or(EmulatorError::NoReceipt)
    }

    /// Writes the last receipt as a PNG.
    pub fn save_last_receipt_png(&self, path: &Path) -> Result<(), EmulatorError> {
        let receipt = self.last_receipt().ok_or(EmulatorError::NoReceipt)?;
        png::render(&receipt, self.shared.columns as u32)
            .save(path)
            .map_err(|e| EmulatorError::File { path: path.to_path_buf(), reason: e.to_string() })
    }

    /// Bytes the printer received that its code page cannot show (must stay 0).
    pub fn unprintable_bytes(&self) -> usize {
        lock(&self.shared.printer).unprintable_bytes
    }

    pub fn columns(&self) -> usize {
        self.shared.columns
    }
}
