//! The exact bytes the ESC/POS encoder produces.

use servicaja_escpos::{Align, EncodeError, EscPosBuilder, TextSize, TextStyle};

#[test]
fn init_code_page_spanish_text_qr_and_cut_are_byte_exact() {
    let mut b = EscPosBuilder::new(48);
    b.text("áéíóúñÑ¿¡", TextStyle::NORMAL).qr("ABC").cut();
    let doc = b.finish().unwrap();
    let mut expected: Vec<u8> = vec![0x1B, b'@', 0x1B, b't', 16];
    expected.extend([0xE1, 0xE9, 0xED, 0xF3, 0xFA, 0xF1, 0xD1, 0xBF, 0xA1, b'\n']);
    expected.extend([0x1B, b'a', 1]); // centre the symbol
    expected.extend([0x1D, b'(', b'k', 4, 0, 49, 65, 50, 0]); // model 2
    expected.extend([0x1D, b'(', b'k', 3, 0, 49, 67, 6]); // module size 6
    expected.extend([0x1D, b'(', b'k', 3, 0, 49, 69, 49]); // correction M
    expected.extend([0x1D, b'(', b'k', 6, 0, 49, 80, 48, b'A', b'B', b'C']); // store
    expected.extend([0x1D, b'(', b'k', 3, 0, 49, 81, 48]); // print
    expected.extend([0x1B, b'd', 1, 0x1B, b'a', 0]);
    expected.extend([0x1D, b'V', 66, 0]); // partial cut
    assert_eq!(doc.bytes, expected);
    assert_eq!(doc.cuts, 1);
    assert!(doc.replaced.is_empty());
}

#[test]
fn styles_are_switched_only_when_they_change() {
    let mut b = EscPosBuilder::new(48);
    let title = TextStyle::centered().bold().size(TextSize::Double);
    b.text("A", title).text("B", title).text("c", TextStyle::NORMAL.align(Align::Right));
    let doc = b.finish().unwrap();
    assert_eq!(
        &doc.bytes[5..],
        &[
            0x1B, b'a', 1, 0x1B, b'E', 1, 0x1D, b'!', 0x11, b'A', b'\n', b'B', b'\n', // title twice
            0x1B, b'a', 2, 0x1B, b'E', 0, 0x1D, b'!', 0x00, b'c', b'\n',
        ]
    );
}

#[test]
fn characters_outside_the_page_are_replaced_never_sent_as_utf8() {
    let mut b = EscPosBuilder::new(48);
    b.text("Pago ✓ €5", TextStyle::NORMAL);
    let doc = b.finish().unwrap();
    assert_eq!(&doc.bytes[5..], b"Pago ? \x805\n");
    assert_eq!(doc.replaced, ['✓']);
    assert!(doc.bytes[5..].iter().all(|&b| b != 0xE2), "no UTF-8 lead byte of ✓ may leave the layer");
}

#[test]
fn separator_logo_and_barcode() {
    let mut b = EscPosBuilder::new(32);
    b.separator('-').logo("LG").barcode("OP-123");
    let doc = b.finish().unwrap();
    let mut expected = vec![0x1B, b'@', 0x1B, b't', 16];
    expected.extend(std::iter::repeat_n(b'-', 32));
    expected.push(b'\n');
    expected.extend([0x1B, b'a', 1, 0x1D, b'(', b'L', 6, 0, 48, 69, b'L', b'G', 1, 1, 0x1B, b'd', 1, 0x1B, b'a', 0]);
    expected.extend([0x1B, b'a', 1, 0x1D, b'w', 3, 0x1D, b'h', 102, 0x1D, b'f', 0, 0x1D, b'H', 2]);
    expected.extend([0x1D, b'k', 4]);
    expected.extend(b"OP-123\0");
    expected.extend([0x1B, b'd', 1, 0x1B, b'a', 0]);
    assert_eq!(doc.bytes, expected);
}

#[test]
fn bad_barcode_and_logo_key_are_reported_at_finish() {
    let mut b = EscPosBuilder::new(48);
    b.barcode("lower case");
    assert!(matches!(b.finish(), Err(EncodeError::Barcode(_))));
    let mut b = EscPosBuilder::new(48);
    b.logo("TOO LONG");
    assert_eq!(b.finish().unwrap_err(), EncodeError::LogoKey("TOO LONG".into()));
}
