//! The production drivers against the emulators, over real pseudo-terminals.

use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use servicaja_core::settings::{FlowControl, SerialSettings};
use servicaja_drivers::devices::{DriverOptions, start_card_reader, start_document_reader, start_printer};
use servicaja_drivers::emulator::{EmulatorSet, SimPaper};
use servicaja_drivers::printer::{FailReason, PrintError, PrintJob, PrinterDriver};
use servicaja_drivers::pty::PtyMaster;
use servicaja_drivers::readers::DeviceEvent;
use servicaja_drivers::status::{DeviceKind, DeviceState, PaperState, StatusField};
use servicaja_drivers::transport::{Connector, SerialConnector};
use servicaja_escpos::{EscPosBuilder, TextSize, TextStyle};

/// Upper bound for an expected event; a failure bound, never a speed assertion.
const PATIENCE: Duration = Duration::from_secs(20);

fn serial(path: &std::path::Path, baud: u32, flow_control: FlowControl) -> SerialSettings {
    SerialSettings {
        port: path.display().to_string(),
        baud,
        data_bits: 8,
        stop_bits: 1,
        flow_control,
        ..Default::default()
    }
}

fn options() -> DriverOptions {
    DriverOptions {
        reconnect_every: Duration::from_millis(50),
        reader_idle: Duration::from_millis(300),
        ..Default::default()
    }
}

fn wait_for(events: &Receiver<DeviceEvent>, what: &str, mut wanted: impl FnMut(&DeviceEvent) -> bool) -> DeviceEvent {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Ok(event) if wanted(&event) => return event,
            Ok(event) => seen.push(format!("{event:?}")),
            Err(_) => panic!("no event: {what}; saw {seen:#?}"),
        }
    }
}

fn became(device: DeviceKind, state: DeviceState) -> impl FnMut(&DeviceEvent) -> bool {
    move |e| {
        matches!(e, DeviceEvent::StatusChanged { device: d, changes, .. }
            if *d == device && changes.contains(&StatusField::Device(state)))
    }
}

const PAN: &str = "4539148803436467";

#[test]
fn a_swipe_reaches_the_application_as_card_read_and_garbage_as_invalid_media() {
    let dir = tempfile::tempdir().unwrap();
    let emulators = EmulatorSet::start(dir.path(), 48).unwrap();
    let control = emulators.control();
    let (tx, events) = mpsc::channel();
    let port = serial(&emulators.paths().card_reader, 9600, FlowControl::None);
    let (reader, _) = start_card_reader(SerialConnector::new(port), options(), tx);
    wait_for(&events, "card reader online", became(DeviceKind::CardReader, DeviceState::Online));
    assert_eq!(reader.status().device, DeviceState::Online);

    control.swipe_card(PAN, "QUISPE/ROSA", "2812", "101").unwrap();
    let DeviceEvent::CardRead(swipe) = wait_for(&events, "card read", |e| matches!(e, DeviceEvent::CardRead(_))) else {
        unreachable!()
    };
    assert_eq!(swipe.pan.last_four(), "6467");
    assert_eq!(swipe.pan.masked(), "**** **** **** 6467");
    assert_eq!(swipe.service_code.map(|s| s.as_str().to_string()), Some("101".to_string()));
    assert_eq!(swipe.cardholder.as_ref().map(|n| n.surname.as_str()), Some("QUISPE"));
    assert!(!format!("{swipe:?}").contains(PAN), "Debug must not show the card number");

    control.send_garbage(DeviceKind::CardReader).unwrap();
    let DeviceEvent::InvalidMedia { reason, .. } =
        wait_for(&events, "invalid media", |e| matches!(e, DeviceEvent::InvalidMedia { .. }))
    else {
        unreachable!()
    };
    assert!(!reason.contains(PAN));

    // A partial swipe (no CR) is dropped after the line goes quiet; the next swipe still reads.
    control.send_bytes(DeviceKind::CardReader, b"%B4539148803").unwrap();
    let DeviceEvent::InvalidMedia { reason, .. } =
        wait_for(&events, "partial swipe", |e| matches!(e, DeviceEvent::InvalidMedia { .. }))
    else {
        unreachable!()
    };
    assert!(reason.contains("partial"), "{reason}");
    control.swipe_card(PAN, "QUISPE/ROSA", "2812", "101").unwrap();
    wait_for(&events, "card read after a partial swipe", |e| matches!(e, DeviceEvent::CardRead(_)));
}

#[test]
fn a_document_reaches_the_application_and_a_bad_check_digit_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let emulators = EmulatorSet::start(dir.path(), 48).unwrap();
    let control = emulators.control();
    let (tx, events) = mpsc::channel();
    let port = serial(&emulators.paths().document_reader, 9600, FlowControl::None);
    let (_reader, _) = start_document_reader(SerialConnector::new(port), options(), tx);
    wait_for(&events, "document reader online", became(DeviceKind::DocumentReader, DeviceState::Online));

    let dni = ["I<PER10117410<7<<<<<<<<<<<<<<<", "9001011M3001019PER<<<<<<<<<<<2", "QUISPE<MAMANI<<JUAN<CARLOS<<<<"];
    control.present_document(&dni).unwrap();
    let DeviceEvent::DocumentRead(mrz) =
        wait_for(&events, "document read", |e| matches!(e, DeviceEvent::DocumentRead(_)))
    else {
        unreachable!()
    };
    assert_eq!(mrz.issuing_state, "PER");
    assert_eq!(mrz.names.primary, "QUISPE MAMANI");

    let bad = [dni[0], "9001011M3001018PER<<<<<<<<<<<2", dni[2]];
    control.present_document(&bad).unwrap();
    let DeviceEvent::InvalidMedia { reason, .. } =
        wait_for(&events, "bad check digit", |e| matches!(e, DeviceEvent::InvalidMedia { .. }))
    else {
        unreachable!()
    };
    assert!(reason.contains("check digit"), "{reason}");
}

fn receipt_lines() -> (PrintJob, Vec<&'static str>) {
    let lines = vec![
        "Operación: pago de cuota",
        "Cliente: Ñuñez Peña, José",
        "¿Dudas? ¡Llámenos!",
        "Monto pagado           S/ 150.00",
        "Cuenta           ***********6467",
        "Fecha            21/11/2026 18:40",
    ];
    let mut b = EscPosBuilder::new(48);
    b.text("CAJA TACNA", TextStyle::centered().bold().size(TextSize::Double));
    for line in &lines {
        b.text(line, TextStyle::NORMAL);
    }
    b.qr("https://example.pe/v/OP123").feed(2).cut();
    (b.finish().unwrap().into(), lines)
}

#[test]
fn the_emulator_renders_what_was_sent() {
    let dir = tempfile::tempdir().unwrap();
    let emulators = EmulatorSet::start(dir.path(), 48).unwrap();
    let control = emulators.control();
    let files = dir.path().join("receipts");
    std::fs::create_dir(&files).unwrap();
    control.set_receipt_dir(Some(files.clone()));
    let port =
        SerialConnector::new(serial(&emulators.paths().printer, 115_200, FlowControl::RtsCts)).connect().unwrap();
    let mut printer = PrinterDriver::new(port);
    let (job, lines) = receipt_lines();
    printer.print(&job).unwrap();
    // Files are written before the status replies that end the job go out.
    let written = std::fs::read_to_string(files.join("receipt-001.txt")).unwrap();
    assert!(files.join("receipt-001.png").exists());

    let receipt = control.last_receipt().expect("one receipt per cut");
    assert!(!receipt.interrupted);
    let text = receipt.plain_text(48);
    let mut expected = format!("{}CAJA TACNA\n", " ".repeat(14));
    for line in &lines {
        expected.push_str(line);
        expected.push('\n');
    }
    expected.push_str(&format!("{}[QR https://example.pe/v/OP123]\n\n\n\n", " ".repeat(8)));
    assert_eq!(text, expected);
    assert_eq!(written, receipt.marked_text(48), "one text file per cut, styles marked");
    assert!(receipt.marked_text(48).starts_with(&format!("{}<b><2x>CAJA TACNA</2x></b>\n", " ".repeat(14))));
    assert_eq!(control.unprintable_bytes(), 0);

    let png = dir.path().join("receipt.png");
    control.save_last_receipt_png(&png).unwrap();
    let image = image::open(&png).unwrap().to_luma8();
    assert_eq!(image.width(), 48 * 12 + 16);
    let dark = image.pixels().filter(|p| p.0[0] == 0).count();
    assert!(dark > 2_000, "text and the QR code are drawn ({dark} dark dots)");
}

#[test]
fn paper_out_mid_job_fails_the_job_with_the_reason_and_a_reprint_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let emulators = EmulatorSet::start(dir.path(), 48).unwrap();
    let control = emulators.control();
    let (tx, events) = mpsc::channel();
    let port = serial(&emulators.paths().printer, 115_200, FlowControl::RtsCts);
    let (printer, _) = start_printer(SerialConnector::new(port), 115_200, Duration::from_millis(100), options(), tx);
    wait_for(&events, "printer online", became(DeviceKind::Printer, DeviceState::Online));

    let (job, _) = receipt_lines();
    control.paper_runs_out_after(3);
    assert_eq!(printer.print(job.clone()), Err(PrintError::Interrupted(FailReason::PaperOut)));
    let cut_short = control.last_receipt().unwrap();
    assert!(cut_short.interrupted);
    assert_eq!(cut_short.items.len(), 3);
    wait_for(
        &events,
        "paper out published",
        |e| matches!(e, DeviceEvent::StatusChanged { changes, .. } if changes.contains(&StatusField::Paper(PaperState::Out))),
    );
    assert_eq!(printer.status().paper, Some(PaperState::Out));

    // Still out: refused before a byte is sent, nothing printed.
    assert_eq!(printer.print(job.clone()), Err(PrintError::NotReady(FailReason::PaperOut)));
    assert_eq!(control.receipts().len(), 1);

    control.set_paper(SimPaper::Ok);
    control.set_cover_open(true);
    assert_eq!(printer.print(job.clone()), Err(PrintError::NotReady(FailReason::CoverOpen)));
    control.set_cover_open(false);
    control.cover_opens_after(5);
    assert_eq!(printer.print(job.clone()), Err(PrintError::Interrupted(FailReason::CoverOpen)));
    assert!(control.last_receipt().unwrap().interrupted);
    control.set_cover_open(false);
    printer.print(job).unwrap();
    let reprint = control.last_receipt().unwrap();
    assert!(!reprint.interrupted);
    assert_eq!(control.receipts().len(), 3);

    control.set_paper(SimPaper::Low);
    // A loaded machine may also see the printer miss a status poll and come back in the same change, so the
    // change is matched on the paper field, not as the whole list.
    let low = wait_for(
        &events,
        "paper low published",
        |e| matches!(e, DeviceEvent::StatusChanged { changes, .. } if changes.contains(&StatusField::Paper(PaperState::Low))),
    );
    let DeviceEvent::StatusChanged { status, .. } = low else { unreachable!("matched a status change") };
    assert_eq!(status.detail, "paper near end");
    assert_eq!(status.action, None, "paper low is a warning, not an error needing action");
}

#[test]
fn a_pulled_and_reattached_port_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let emulators = EmulatorSet::start(dir.path(), 48).unwrap();
    let control = emulators.control();
    // One channel per device: waiting on one must not swallow the other's events.
    let (tx, events) = mpsc::channel();
    let (printer_tx, printer_events) = mpsc::channel();
    let (reader, _) = start_card_reader(
        SerialConnector::new(serial(&emulators.paths().card_reader, 9600, FlowControl::None)),
        options(),
        tx,
    );
    let (printer, _) = start_printer(
        SerialConnector::new(serial(&emulators.paths().printer, 115_200, FlowControl::RtsCts)),
        115_200,
        Duration::from_millis(100),
        options(),
        printer_tx,
    );
    wait_for(&events, "card reader online", became(DeviceKind::CardReader, DeviceState::Online));
    wait_for(&printer_events, "printer online", became(DeviceKind::Printer, DeviceState::Online));
    let first_pty = control.pty_paths();

    control.unplug(DeviceKind::CardReader);
    control.unplug(DeviceKind::Printer);
    wait_for(&events, "card reader gone", became(DeviceKind::CardReader, DeviceState::NoDevice));
    wait_for(&printer_events, "printer gone", became(DeviceKind::Printer, DeviceState::NoDevice));
    assert_eq!(reader.status().device, DeviceState::NoDevice);
    let (job, _) = receipt_lines();
    assert_eq!(printer.print(job.clone()), Err(PrintError::NotReady(FailReason::NoDevice)));

    control.plug(DeviceKind::CardReader).unwrap();
    control.plug(DeviceKind::Printer).unwrap();
    wait_for(&events, "card reader back", became(DeviceKind::CardReader, DeviceState::Online));
    wait_for(&printer_events, "printer back", became(DeviceKind::Printer, DeviceState::Online));
    assert_ne!(control.pty_paths()[1], None);
    let _ = first_pty;

    control.swipe_card(PAN, "QUISPE/ROSA", "2812", "101").unwrap();
    wait_for(&events, "card read after re-attach", |e| matches!(e, DeviceEvent::CardRead(_)));
    printer.print(job).unwrap();
}

#[test]
fn stale_input_and_noise_before_a_reply_are_skipped() {
    let mut master = PtyMaster::open().unwrap();
    let path = master.slave_path().to_path_buf();
    let port = SerialConnector::new(serial(&path, 115_200, FlowControl::None)).connect().unwrap();
    // Stale bytes waiting on the line before the driver asks.
    master.write_all(&[0x12, 0x16, 0xFF]).unwrap();
    let answerer = std::thread::spawn(move || {
        let mut asked = Vec::new();
        let mut buf = [0u8; 16];
        while asked.len() < 12 {
            let n = master.read_timeout(&mut buf, Duration::from_secs(10)).unwrap();
            assert!(n > 0, "the driver stopped asking");
            asked.extend_from_slice(&buf[..n]);
            if asked.len() % 3 == 0 {
                // Noise (not 0xx1xx10), then the real reply: roll paper near end on request 4.
                let reply = if asked[asked.len() - 1] == 4 { 0x1E } else { 0x12 };
                master.write_all(&[0xFF, 0x00, reply]).unwrap();
            }
        }
        // The master goes back with the answer: closing it early would hang up the line under the driver.
        (asked, master)
    });
    let mut driver = PrinterDriver::new(port);
    let sensors = driver.read_sensors().unwrap();
    assert!(sensors.roll_paper.near_end);
    assert!(!sensors.printer.offline);
    assert!(!sensors.offline_cause.cover_open, "a stale 0x16 must not be taken for the reply to DLE EOT 2");
    assert_eq!(answerer.join().unwrap().0, [0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 3, 0x10, 4, 4]);
}

#[test]
fn the_control_protocol_drives_a_temporary_emulator_set() {
    use servicaja_drivers::emulator::control::{Command, execute, parse};
    let emulators = EmulatorSet::start_temporary(42).unwrap();
    let dir = emulators.paths().printer.parent().unwrap().to_path_buf();
    let control = emulators.control();
    assert_eq!(parse("paper low"), Ok(Command::Paper(SimPaper::Low)));
    assert_eq!(parse("cover open"), Ok(Command::Cover(true)));
    assert_eq!(parse("unplug card"), Ok(Command::Unplug(DeviceKind::CardReader)));
    assert!(parse("paper maybe").is_err());
    assert!(parse("fly away").unwrap_err().contains("unknown command"));
    assert_eq!(execute(&control, parse("offline on").unwrap()), Ok("ok".into()));
    assert_eq!(execute(&control, parse("last-receipt text").unwrap()), Err("no receipt has been printed yet".into()));
    let paths = execute(&control, parse("paths").unwrap()).unwrap();
    assert!(paths.contains("card-reader"));

    let port =
        SerialConnector::new(serial(&emulators.paths().printer, 115_200, FlowControl::RtsCts)).connect().unwrap();
    let mut printer = PrinterDriver::new(port);
    assert!(printer.read_sensors().unwrap().printer.offline);
    drop(printer);
    drop(emulators);
    assert!(!dir.exists(), "the temporary directory goes with the set");
}

/// The ink of one character cell of the first printed line, row by row (0 white … 255 black).
fn cell_ink(image: &image::GrayImage, column: u32) -> Vec<Vec<u8>> {
    use servicaja_drivers::emulator::png::{CELL_H, CELL_W, MARGIN};
    (0..CELL_H)
        .map(|y| (0..CELL_W).map(|x| 255 - image.get_pixel(MARGIN + column * CELL_W + x, MARGIN + y).0[0]).collect())
        .collect()
}

fn first_inked_row(cell: &[Vec<u8>]) -> Option<usize> {
    cell.iter().position(|row| row.iter().any(|&ink| ink > 96))
}

/// Issue 18: `CRÉDITO` and `DÓLARES` printed garbled on the emulated roll (an 8×8 bitmap font drew the
/// capitals with their accent as small letters). Through the real driver on a pseudo-terminal, every
/// accented letter must decode back to itself and be drawn as its base letter, unchanged, with its mark
/// above it.
#[test]
fn accented_letters_decode_and_print_as_their_letter_with_the_mark_above() {
    let dir = tempfile::tempdir().unwrap();
    let emulators = EmulatorSet::start(dir.path(), 48).unwrap();
    let control = emulators.control();
    let port =
        SerialConnector::new(serial(&emulators.paths().printer, 115_200, FlowControl::RtsCts)).connect().unwrap();
    let mut printer = PrinterDriver::new(port);
    let pairs = ["AÁ", "EÉ", "IÍ", "OÓ", "UÚ", "NÑ", "UÜ", "aá", "eé", "oó", "uú", "nñ", "uü"];
    let line = pairs.concat();
    let mut b = EscPosBuilder::new(48);
    b.text(&line, TextStyle::NORMAL).text("CRÉDITO EN DÓLARES: íÍ", TextStyle::NORMAL.bold()).feed(1).cut();
    printer.print(&b.finish().unwrap().into()).unwrap();

    let receipt = control.last_receipt().expect("printed");
    let text = receipt.plain_text(48);
    assert_eq!(text.lines().take(2).collect::<Vec<_>>(), [line.as_str(), "CRÉDITO EN DÓLARES: íÍ"]);
    assert_eq!(control.unprintable_bytes(), 0);

    let image = servicaja_drivers::emulator::png::render(&receipt, 48);
    for (index, pair) in pairs.iter().enumerate() {
        let base = cell_ink(&image, 2 * index as u32);
        let marked = cell_ink(&image, 2 * index as u32 + 1);
        let top = first_inked_row(&base).unwrap_or_else(|| panic!("{pair}: the base letter is drawn"));
        let mark_top = first_inked_row(&marked).unwrap_or_else(|| panic!("{pair}: the accented letter is drawn"));
        assert!(mark_top < top, "{pair}: the mark sits above the letter (rows {mark_top} < {top})");
        // Below the mark, the accented letter is the base letter itself, as large as the base letter.
        let differing: usize = base[top + 1..]
            .iter()
            .zip(&marked[top + 1..])
            .flat_map(|(a, b)| a.iter().zip(b).filter(|(a, b)| a.abs_diff(**b) > 96))
            .count();
        assert!(differing <= 3, "{pair}: {differing} dots of the letter body differ");
    }
}

/// The emulator reads bytes by the code page in force: the kiosk's jobs select WPC1252, and a job that
/// did not would show its accented letters wrong here as on paper, not silently right.
#[test]
fn the_emulator_reads_text_by_the_selected_code_page() {
    use servicaja_drivers::emulator::PrinterSim;
    let mut b = EscPosBuilder::new(48);
    b.text("CRÉDITO DÓLARES Ñ", TextStyle::NORMAL).cut();
    let job = b.finish().unwrap().bytes;
    let mut sim = PrinterSim::new();
    sim.feed(&job);
    assert_eq!(sim.code_page, 16);
    assert_eq!(sim.receipts[0].plain_text(48).lines().next(), Some("CRÉDITO DÓLARES Ñ"));

    // The same text without `ESC t 16`: the power-on page (PC437) reads those bytes as other glyphs.
    let mut forgot = vec![0x1B, b'@'];
    forgot.extend(servicaja_escpos::wpc1252::encode("CRÉDITO Ñ").bytes);
    forgot.push(b'\n');
    let mut sim = PrinterSim::new();
    sim.feed(&forgot);
    sim.feed(&[0x1D, b'V', 66, 0]);
    assert_eq!(sim.receipts[0].plain_text(48).lines().next(), Some("CR╔DITO ╤"));
    // And PC437's own bytes read right on that page.
    let mut sim = PrinterSim::new();
    sim.feed(&[b'C', b'R', 0x90, b'D', b'I', b'T', b'O', b' ', 0xA5, b'\n', 0x1D, b'V', 66, 0]);
    assert_eq!(sim.receipts[0].plain_text(48).lines().next(), Some("CRÉDITO Ñ"));
}
