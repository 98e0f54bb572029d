//! ESC/POS bytes: code page 16 before any text, Spanish characters as single WPC1252 bytes (never
//! UTF-8), titles bold and double height, the QR as the printer's model-2 QR command, a partial cut.

use servicaja_receipts::render::escpos;
use servicaja_receipts::templates::maintenance_test;
use servicaja_receipts::{Columns, layout};

use crate::fixtures::all_documents;

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

fn test_page_bytes() -> Vec<u8> {
    let (_, document) = all_documents().into_iter().find(|(name, _)| *name == "maintenance_test").unwrap();
    escpos::render(&layout(&document, Columns::C48), "LG").unwrap().bytes
}

#[test]
fn spanish_characters_go_out_as_single_wpc1252_bytes() {
    let bytes = test_page_bytes();
    assert_eq!(&bytes[..5], &[0x1B, b'@', 0x1B, b't', 16], "init then code page 16");
    let sample: &[u8] = &[
        0xE1, b' ', 0xE9, b' ', 0xED, b' ', 0xF3, b' ', 0xFA, b' ', 0xC1, b' ', 0xC9, b' ', 0xCD, b' ', 0xD3, b' ',
        0xDA, b' ', 0xF1, b' ', 0xD1, b' ', 0xFC, b' ', 0xDC, b' ', 0xBF, b' ', b'?', b' ', 0xA1, b' ', b'!', b' ',
        0xB0, b' ', 0x80, b'\n',
    ];
    assert!(find(&bytes, sample).is_some(), "the sample line is not in WPC1252");
    assert!(find(&bytes, "PÁGINA DE PRUEBA".as_bytes()).is_none(), "UTF-8 leaked");
    assert!(find(&bytes, b"P\xC1GINA DE PRUEBA").is_some());
    assert!(!bytes.contains(&0xC3), "no UTF-8 lead byte for Latin-1 letters may reach the printer");
}

#[test]
fn the_title_is_bold_and_double_height_and_the_job_ends_with_a_partial_cut() {
    let bytes = test_page_bytes();
    let title = find(&bytes, b"P\xC1GINA DE PRUEBA").unwrap();
    let before = &bytes[..title];
    assert!(find(before, &[0x1B, b'E', 1]).is_some(), "bold on");
    assert!(find(before, &[0x1D, b'!', 0x01]).is_some(), "double height");
    assert_eq!(&bytes[bytes.len() - 4..], &[0x1D, b'V', 66, 0]);
    assert!(find(&bytes, &[0x1D, b'(', b'L', 6, 0, 48, 69, b'L', b'G', 1, 1]).is_some(), "stored logo LG");
}

#[test]
fn the_qr_command_carries_the_payload() {
    let (_, document) = all_documents().into_iter().next().unwrap();
    let payload = document.qr.clone().unwrap().payload;
    let bytes = escpos::render(&layout(&document, Columns::C48), "").unwrap().bytes;
    let length = u16::try_from(payload.len() + 3).unwrap().to_le_bytes();
    let mut store = vec![0x1D, b'(', b'k', length[0], length[1], 0x31, 0x50, 0x30];
    store.extend_from_slice(payload.as_bytes());
    assert!(find(&bytes, &store).is_some(), "GS ( k store-data with the payload");
    assert!(find(&bytes, &[0x1D, b'(', b'k', 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]).is_some(), "model 2");
    assert!(find(&bytes, &[0x1D, b'(', b'k', 0x03, 0x00, 0x31, 0x51, 0x30]).is_some(), "print the symbol");
    assert!(find(&bytes, &[0x1B, b'a', 1]).is_some(), "centred");
}

#[test]
fn every_template_encodes_without_replacements_at_every_width() {
    for (name, document) in all_documents() {
        for columns in Columns::ALL {
            let encoded = escpos::render(&layout(&document, columns), "LG").unwrap();
            assert!(encoded.replaced.is_empty(), "{name}: {:?}", encoded.replaced);
            assert_eq!(encoded.cuts, 1);
        }
    }
    let _ = maintenance_test;
}

/// The drivers' printer emulator interprets our bytes; what it prints must be our text rendering, row
/// for row (QR rows compared by payload).
#[test]
fn the_printer_emulator_prints_exactly_the_text_rendering() {
    use servicaja_drivers::emulator::escpos_sim::PrinterSim;
    use servicaja_receipts::render::text;

    for (name, document) in all_documents() {
        for columns in Columns::ALL {
            let laid_out = layout(&document, columns);
            let mut printer = PrinterSim::new();
            printer.feed(&escpos::render(&laid_out, "").unwrap().bytes);
            assert_eq!(printer.receipts.len(), 1, "{name}: one cut, one receipt");
            let receipt = &printer.receipts[0];
            assert!(!receipt.interrupted);
            let printed = receipt.plain_text(columns.count());
            let normalise = |text: &str| -> Vec<String> {
                let mut lines: Vec<String> = text
                    .lines()
                    .map(|line| {
                        let trimmed = line.trim();
                        match trimmed.strip_prefix("[QR] ") {
                            Some(payload) => format!("QR {payload}"),
                            None => match trimmed.strip_prefix("[QR ").and_then(|rest| rest.strip_suffix(']')) {
                                Some(payload) => format!("QR {payload}"),
                                None => line.trim_end().to_owned(),
                            },
                        }
                    })
                    .collect();
                while lines.last().is_some_and(String::is_empty) {
                    lines.pop();
                }
                lines
            };
            assert_eq!(normalise(&printed), normalise(&text::render(&laid_out)), "{name} at {columns:?}");
        }
    }
}
