//! Decoding of every documented bit of the four `DLE EOT` replies, and their mapping to the shared
//! status vocabulary.

use servicaja_drivers::printer::FailReason;
use servicaja_drivers::rt_status::{
    ErrorCauseByte, OfflineCauseByte, PrinterByte, PrinterSensors, RollPaperByte, StatusRequest, is_status_byte,
    request,
};
use servicaja_drivers::status::{CoverState, DeviceState, ErrorAction, PaperState};

const BASE: u8 = 0b0001_0010;

#[test]
fn requests_are_three_bytes_without_trailer() {
    assert_eq!(request(StatusRequest::Printer), [0x10, 0x04, 1]);
    assert_eq!(request(StatusRequest::RollPaper), [0x10, 0x04, 4]);
}

#[test]
fn the_fixed_bits_are_validated() {
    let valid: Vec<u8> = (0..=255u8).filter(|&b| is_status_byte(b)).collect();
    // Four fixed bits leave 16 valid bytes.
    assert_eq!(valid.len(), 16);
    assert!(valid.iter().all(|b| b & 0x80 == 0 && b & 0x10 != 0 && b & 0x02 != 0 && b & 0x01 == 0));
    for bad in [0x00, 0x13, 0x92, 0x02, 0x10, 0xFF] {
        assert!(PrinterByte::decode(bad).is_err(), "{bad:#04x}");
        assert!(OfflineCauseByte::decode(bad).is_err());
        assert!(ErrorCauseByte::decode(bad).is_err());
        assert!(RollPaperByte::decode(bad).is_err());
    }
}

#[test]
fn printer_status_bits() {
    assert_eq!(PrinterByte::decode(BASE).unwrap(), PrinterByte::default());
    assert!(PrinterByte::decode(BASE | 1 << 2).unwrap().drawer_pin3_high);
    assert!(PrinterByte::decode(BASE | 1 << 3).unwrap().offline);
    assert!(PrinterByte::decode(BASE | 1 << 5).unwrap().waiting_online_recovery);
    assert!(PrinterByte::decode(BASE | 1 << 6).unwrap().feed_button_pressed);
    assert_eq!(PrinterByte::decode(BASE | 1 << 3).unwrap(), PrinterByte { offline: true, ..Default::default() });
}

#[test]
fn offline_cause_bits() {
    assert_eq!(OfflineCauseByte::decode(BASE).unwrap(), OfflineCauseByte::default());
    assert_eq!(
        OfflineCauseByte::decode(BASE | 1 << 2).unwrap(),
        OfflineCauseByte { cover_open: true, ..Default::default() }
    );
    assert!(OfflineCauseByte::decode(BASE | 1 << 3).unwrap().feeding_by_button);
    assert!(OfflineCauseByte::decode(BASE | 1 << 5).unwrap().paper_end_stop);
    assert!(OfflineCauseByte::decode(BASE | 1 << 6).unwrap().error);
}

#[test]
fn error_cause_bits() {
    assert_eq!(ErrorCauseByte::decode(BASE).unwrap(), ErrorCauseByte::default());
    assert!(ErrorCauseByte::decode(BASE | 1 << 2).unwrap().recoverable);
    assert_eq!(
        ErrorCauseByte::decode(BASE | 1 << 3).unwrap(),
        ErrorCauseByte { autocutter: true, ..Default::default() }
    );
    assert!(ErrorCauseByte::decode(BASE | 1 << 5).unwrap().unrecoverable);
    assert!(ErrorCauseByte::decode(BASE | 1 << 6).unwrap().auto_recoverable);
}

#[test]
fn roll_paper_bits_either_of_each_pair_counts() {
    assert_eq!(RollPaperByte::decode(BASE).unwrap(), RollPaperByte::default());
    for near in [1 << 2, 1 << 3, 0b1100] {
        assert_eq!(RollPaperByte::decode(BASE | near).unwrap(), RollPaperByte { near_end: true, paper_end: false });
    }
    for end in [1 << 5, 1 << 6, 0b0110_0000] {
        assert_eq!(RollPaperByte::decode(BASE | end).unwrap(), RollPaperByte { near_end: false, paper_end: true });
    }
}

#[test]
fn encode_and_decode_agree_for_every_valid_byte() {
    for b in (0..=255u8).filter(|&b| is_status_byte(b)) {
        assert_eq!(PrinterByte::decode(b).unwrap().encode(), b);
        assert_eq!(OfflineCauseByte::decode(b).unwrap().encode(), b);
        assert_eq!(ErrorCauseByte::decode(b).unwrap().encode(), b);
    }
}

fn sensors(f: impl FnOnce(&mut PrinterSensors)) -> PrinterSensors {
    let mut s = PrinterSensors::default();
    f(&mut s);
    s
}

#[test]
fn conditions_map_to_state_paper_cover_and_action() {
    let ready = PrinterSensors::default().to_status();
    assert_eq!(
        (ready.device, ready.paper, ready.cover, ready.action),
        (DeviceState::Online, Some(PaperState::Full), Some(CoverState::Closed), None)
    );
    assert!(ready.is_ready());

    let low = sensors(|s| s.roll_paper.near_end = true).to_status();
    assert_eq!((low.device, low.paper, low.action), (DeviceState::Online, Some(PaperState::Low), None));
    assert!(low.is_ready());

    let out = sensors(|s| {
        s.roll_paper.paper_end = true;
        s.offline_cause.paper_end_stop = true;
        s.printer.offline = true;
    });
    let st = out.to_status();
    assert_eq!(
        (st.device, st.paper, st.action),
        (DeviceState::UserError, Some(PaperState::Out), Some(ErrorAction::Clear))
    );
    assert_eq!(FailReason::from_sensors(&out), Some(FailReason::PaperOut));

    let cover = sensors(|s| {
        s.offline_cause.cover_open = true;
        s.printer.offline = true;
    });
    let st = cover.to_status();
    assert_eq!(
        (st.device, st.cover, st.action),
        (DeviceState::UserError, Some(CoverState::Open), Some(ErrorAction::Clear))
    );
    assert_eq!(FailReason::from_sensors(&cover), Some(FailReason::CoverOpen));

    let cutter = sensors(|s| s.error_cause.autocutter = true);
    let st = cutter.to_status();
    assert_eq!(
        (st.device, st.paper, st.action),
        (DeviceState::HardwareError, Some(PaperState::Jammed), Some(ErrorAction::Clear))
    );
    assert_eq!(FailReason::from_sensors(&cutter), Some(FailReason::PaperJam));

    let fatal = sensors(|s| s.error_cause.unrecoverable = true);
    let st = fatal.to_status();
    assert_eq!((st.device, st.action), (DeviceState::HardwareError, Some(ErrorAction::Maintenance)));
    assert_eq!(FailReason::from_sensors(&fatal), Some(FailReason::HardwareError));

    let hot = sensors(|s| s.error_cause.auto_recoverable = true).to_status();
    assert_eq!((hot.device, hot.action), (DeviceState::Busy, None));

    let offline = sensors(|s| s.printer.offline = true);
    assert_eq!(offline.to_status().device, DeviceState::Offline);
    assert_eq!(FailReason::from_sensors(&offline), Some(FailReason::Offline));
}

#[test]
fn replies_round_trip_through_the_four_bytes() {
    let s = sensors(|s| {
        s.roll_paper.near_end = true;
        s.offline_cause.cover_open = true;
        s.error_cause.auto_recoverable = true;
    });
    assert_eq!(PrinterSensors::decode(s.encode()).unwrap(), s);
    assert_eq!(s.reply_to(5), None);
}
