//! Job completion with `GS ( H` fn 48: the request and response bytes, the reply decoder, the
//! emulator's lagging print head, and the driver over real pseudo-terminals — a paper-out in the last
//! lines fails the job, a completed job reports the paper it used.

use std::time::Duration;

use servicaja_core::settings::{FlowControl, SerialSettings};
use servicaja_drivers::completion::{ProcessId, Reply, ReplyDecoder, process_id_request, process_id_response};
use servicaja_drivers::emulator::{EmulatorSet, PrinterSim, SimPaper};
use servicaja_drivers::paper_usage::{PaperGeometry, measure};
use servicaja_drivers::printer::{FailReason, PrintError, PrintJob, PrinterDriver};
use servicaja_drivers::pty::PtyMaster;
use servicaja_drivers::transport::{Connector, SerialConnector};
use servicaja_escpos::{EscPosBuilder, TextStyle};

fn serial(path: &std::path::Path) -> SerialSettings {
    SerialSettings {
        port: path.display().to_string(),
        baud: 115_200,
        data_bits: 8,
        stop_bits: 1,
        flow_control: FlowControl::RtsCts,
        ..Default::default()
    }
}

#[test]
fn process_id_request_and_response_bytes() {
    let id = ProcessId::from_sequence(42);
    assert_eq!(id.bytes(), *b"0042");
    assert_eq!(process_id_request(id), [0x1D, 0x28, 0x48, 0x06, 0x00, 0x30, 0x30, b'0', b'0', b'4', b'2']);
    assert_eq!(process_id_response(id), [0x37, 0x22, b'0', b'0', b'4', b'2', 0x00]);
    assert_eq!(ProcessId::from_sequence(12_345).bytes(), *b"2345", "wraps after 9999");
    assert!(ProcessId::new([b'A', b' ', b'~', b'z']).is_some());
    assert!(ProcessId::new([31, b'0', b'0', b'0']).is_none(), "below 32 is out of range");
    assert!(ProcessId::new([b'0', b'0', b'0', 127]).is_none(), "above 126 is out of range");
}

#[test]
fn the_decoder_splits_status_bytes_from_process_id_responses() {
    let id = ProcessId::from_sequence(7);
    let mut decoder = ReplyDecoder::new();
    // Noise, a status byte, then a response split across two reads.
    assert_eq!(decoder.push(&[0xFF, 0x00, 0x12, 0x37, 0x22, b'0']), [Reply::Status(0x12)]);
    assert_eq!(decoder.push(&[b'0', b'0', b'7', 0x00, 0x1A]), [Reply::ProcessId(id), Reply::Status(0x1A)]);
    // The digit '2' (0x32) has the status shape: inside a response it is an id byte, not a status.
    assert_eq!(
        decoder.push(&process_id_response(ProcessId::from_sequence(2222))),
        [Reply::ProcessId(ProcessId::from_sequence(2222))]
    );
    // A response cut short by a status byte yields that status byte, and the next response still decodes.
    let mut bytes = vec![0x37, 0x22, b'1', 0x16];
    bytes.extend(process_id_response(id));
    assert_eq!(decoder.push(&bytes), [Reply::Status(0x16), Reply::ProcessId(id)]);
    // Without its NUL it is not a response.
    assert_eq!(decoder.push(&[0x37, 0x22, b'1', b'2', b'3', b'4', 0x01]), Vec::<Reply>::new());
}

fn job(lines: usize) -> PrintJob {
    let mut b = EscPosBuilder::new(48);
    for i in 0..lines {
        b.text(&format!("Línea {i}"), TextStyle::NORMAL);
    }
    b.feed(2).cut();
    b.finish().unwrap().into()
}

#[test]
fn the_emulator_answers_the_process_id_only_once_the_head_printed_what_came_before() {
    let mut sim = PrinterSim::new();
    sim.line_time = Duration::from_millis(10);
    let mut bytes = job(5).bytes;
    let id = ProcessId::from_sequence(1);
    bytes.extend(process_id_request(id));
    assert_eq!(sim.feed(&bytes), Vec::<u8>::new(), "nothing printed yet, so no response");
    assert_eq!(sim.spooled(), 9, "5 lines, 2 fed rows, the cut and the process ID wait for the head");
    // A status asked now looks fine although nothing is printed: what the old check relied on.
    assert_eq!(sim.feed(&[0x10, 0x04, 1]), [0x12]);
    assert_eq!(sim.advance(Duration::from_millis(40)), Vec::<u8>::new(), "4 of 7 rows printed");
    assert_eq!(sim.advance(Duration::from_millis(29)), Vec::<u8>::new(), "6 of 7 rows printed");
    assert!(sim.receipts.is_empty());
    assert_eq!(sim.advance(Duration::from_millis(1)), process_id_response(id));
    assert_eq!(sim.receipts.len(), 1);
    assert!(!sim.receipts[0].interrupted);

    // The roll ends in the last lines: the head stops, the response never comes, the sensors say why.
    let mut sim = PrinterSim::new();
    sim.line_time = Duration::from_millis(10);
    sim.paper_runs_out_after = Some(5);
    assert_eq!(sim.feed(&bytes), Vec::<u8>::new());
    assert_eq!(sim.feed(&[0x10, 0x04, 4]), [0x12], "paper still fine before the head gets there");
    assert_eq!(sim.advance(Duration::from_secs(1)), Vec::<u8>::new());
    assert_eq!(sim.paper, SimPaper::Out);
    assert!(sim.receipts[0].interrupted);
    assert_eq!(sim.feed(&[0x10, 0x04, 4]), [0x7E], "near end and paper end");
}

#[test]
fn a_late_process_id_response_is_not_taken_for_status_replies() {
    let mut master = PtyMaster::open().unwrap();
    let path = master.slave_path().to_path_buf();
    let port = SerialConnector::new(serial(&path)).connect().unwrap();
    let answerer = std::thread::spawn(move || {
        let mut buf = [0u8; 16];
        for request in 1..=4u8 {
            let mut asked = Vec::new();
            while asked.len() < 3 {
                let n = master.read_timeout(&mut buf, Duration::from_secs(10)).unwrap();
                assert!(n > 0, "the driver stopped asking");
                asked.extend_from_slice(&buf[..n]);
            }
            assert_eq!(asked, [0x10, 0x04, request]);
            if request == 1 {
                // An earlier job's completion arrives just before the reply: its '2' and '6' digits
                // have the status shape.
                master.write_all(&process_id_response(ProcessId::from_sequence(2626))).unwrap();
            }
            master.write_all(&[if request == 2 { 0x16 } else { 0x12 }]).unwrap();
        }
        master
    });
    let mut driver = PrinterDriver::new(port);
    let sensors = driver.read_sensors().unwrap();
    assert!(!sensors.printer.offline);
    assert!(sensors.offline_cause.cover_open, "DLE EOT 2's reply is its own, not a shifted digit");
    drop(answerer.join().unwrap());
}

#[test]
fn the_driver_sends_the_job_then_the_process_id_request() {
    let mut master = PtyMaster::open().unwrap();
    let path = master.slave_path().to_path_buf();
    let port = SerialConnector::new(serial(&path)).connect().unwrap();
    let job = job(1);
    let expected_len = 12 + job.bytes.len() + 11;
    let printer = std::thread::spawn(move || {
        let mut received = Vec::new();
        let mut buf = [0u8; 256];
        while received.len() < expected_len {
            let n = master.read_timeout(&mut buf, Duration::from_secs(10)).unwrap();
            assert!(n > 0, "the driver stopped sending after {received:?}");
            for &byte in &buf[..n] {
                received.push(byte);
                if received.len() <= 12 && received.len() % 3 == 0 {
                    master.write_all(&[0x12]).unwrap();
                }
            }
        }
        master.write_all(&process_id_response(ProcessId::from_sequence(0))).unwrap();
        (received, master)
    });
    let mut driver = PrinterDriver::new(port).with_line_rate(115_200);
    let done = driver.print(&job).unwrap();
    assert_eq!(done.process_id, ProcessId::from_sequence(0));
    let (received, _master) = printer.join().unwrap();
    let mut expected = vec![0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 3, 0x10, 4, 4];
    expected.extend(&job.bytes);
    expected.extend([0x1D, b'(', b'H', 6, 0, 48, 48, b'0', b'0', b'0', b'0']);
    assert_eq!(received, expected);
}

#[test]
fn a_paper_out_in_the_last_lines_fails_the_job_and_a_completed_job_reports_its_length() {
    let dir = tempfile::tempdir().unwrap();
    let emulators = EmulatorSet::start(dir.path(), 48).unwrap();
    let control = emulators.control();
    control.set_line_time(Duration::from_millis(30));
    let port = SerialConnector::new(serial(&emulators.paths().printer)).connect().unwrap();
    let mut driver = PrinterDriver::new(port).with_line_rate(115_200).with_poll_every(Duration::from_millis(50));

    // 8 lines and a feed: the roll ends on the 8th line, well after the job's bytes were all received.
    let job = job(8);
    control.paper_runs_out_after(8);
    assert_eq!(driver.print(&job), Err(PrintError::Interrupted(FailReason::PaperOut)));
    let cut_short = control.last_receipt().unwrap();
    assert!(cut_short.interrupted);
    assert_eq!(cut_short.items.len(), 8);

    control.set_paper(SimPaper::Ok);
    let done = driver.print(&job).unwrap();
    assert!(!control.last_receipt().unwrap().interrupted);
    assert_eq!(control.receipts().len(), 2);
    // 8 text rows + 2 fed rows at 30 dots of 141 µm, then 15 mm to the cutter.
    assert_eq!(done.paper.rows, 10);
    assert_eq!(done.paper.cuts, 1);
    assert_eq!(done.paper.length_um, 10 * 30 * 141 + 15_000);
    assert_eq!(done.paper.length_mm(), 58);
    assert_eq!(done.paper, measure(&job.bytes, &PaperGeometry::default()));
}

#[test]
fn a_cover_opened_while_the_head_prints_fails_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let emulators = EmulatorSet::start(dir.path(), 48).unwrap();
    let control = emulators.control();
    control.set_line_time(Duration::from_millis(30));
    let port = SerialConnector::new(serial(&emulators.paths().printer)).connect().unwrap();
    let mut driver = PrinterDriver::new(port).with_line_rate(115_200).with_poll_every(Duration::from_millis(50));
    control.cover_opens_after(6);
    assert_eq!(driver.print(&job(8)), Err(PrintError::Interrupted(FailReason::CoverOpen)));
}
