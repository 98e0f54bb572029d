//! Property tests: no decoder panics on arbitrary bytes, and framing never loses a well-formed message
//! around noise.

use proptest::prelude::*;
use servicaja_core::identity::track::LrcMode;
use servicaja_drivers::emulator::PrinterSim;
use servicaja_drivers::framing::{MrzFrame, MrzFramer, SwipeFrame, SwipeFramer};
use servicaja_drivers::readers::{document_event, swipe_event};
use servicaja_drivers::rt_status::{PrinterSensors, RollPaperByte};

proptest! {
    #[test]
    fn the_reply_decoder_never_panics_and_only_yields_well_formed_replies(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..8),
        id in proptest::array::uniform4(32u8..=126),
    ) {
        use servicaja_drivers::completion::{ProcessId, Reply, ReplyDecoder, process_id_response};
        let mut decoder = ReplyDecoder::new();
        for chunk in &chunks {
            for reply in decoder.push(chunk) {
                match reply {
                    Reply::Status(byte) => prop_assert!(servicaja_drivers::rt_status::is_status_byte(byte)),
                    Reply::ProcessId(pid) => prop_assert!(pid.bytes().iter().all(|b| (32..=126).contains(b))),
                }
            }
        }
        // After anything, a NUL ends any partial response and a whole response is found again.
        let id = ProcessId::new(id).unwrap();
        let mut tail = vec![0x00];
        tail.extend(process_id_response(id));
        prop_assert_eq!(decoder.push(&tail).last().copied(), Some(Reply::ProcessId(id)));
    }

    #[test]
    fn paper_measure_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let usage = servicaja_drivers::paper_usage::measure(&bytes, &Default::default());
        prop_assert!(usage.length_um >= u64::from(usage.cuts) * 15_000);
    }

    #[test]
    fn status_decoders_never_panic(bytes in proptest::array::uniform4(any::<u8>())) {
        if let Ok(sensors) = PrinterSensors::decode(bytes) {
            let _ = sensors.to_status();
        }
        let _ = RollPaperByte::decode(bytes[0]);
    }

    #[test]
    fn card_framing_and_parsing_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 0..6)) {
        let mut framer = SwipeFramer::new();
        for chunk in &chunks {
            for frame in framer.push(chunk) {
                let _ = swipe_event(frame, LrcMode::Detect);
            }
        }
        if let Some(frame) = framer.idle() {
            let _ = swipe_event(frame, LrcMode::Present);
        }
    }

    #[test]
    fn document_framing_and_parsing_never_panic(chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..200), 0..6)) {
        let mut framer = MrzFramer::new();
        for chunk in &chunks {
            for frame in framer.push(chunk) {
                let _ = document_event(frame);
            }
        }
        let _ = framer.idle();
    }

    #[test]
    fn mrz_like_lines_never_panic(lines in proptest::collection::vec("[A-Z0-9<]{30}|[A-Z0-9<]{44}", 0..5)) {
        let mut framer = MrzFramer::new();
        let text: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
        for frame in framer.push(text.as_bytes()) {
            let _ = document_event(frame);
        }
    }

    #[test]
    fn printer_emulator_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let mut sim = PrinterSim::new();
        let _ = sim.feed(&bytes);
        for r in &sim.receipts {
            let _ = r.marked_text(48);
        }
    }

    #[test]
    fn a_swipe_after_noise_is_still_framed(noise in proptest::collection::vec(any::<u8>(), 0..100)) {
        let mut framer = SwipeFramer::new();
        let mut stream = noise.clone();
        stream.push(b'\r');
        stream.extend_from_slice(b";4815881002861896=2706201123400000000?\r");
        let frames = framer.push(&stream);
        let last = frames.last();
        prop_assert!(matches!(last, Some(SwipeFrame::Line(line)) if line.starts_with(";4815")));
    }
}

#[test]
fn overlong_and_mixed_length_mrz_lines_are_invalid_not_lost() {
    let mut framer = MrzFramer::new();
    let frames = framer.push(b"I<UTOD231458907<<<<<<<<<<<<<<<\r\nP<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r\n");
    assert!(matches!(&frames[..], [MrzFrame::Invalid(reason)] if reason.contains("different lengths")));
    assert_eq!(framer.idle(), None);
}
