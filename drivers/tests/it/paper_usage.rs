//! Paper used per job, measured from the ESC/POS bytes: rows × line height, graphics, and the cut feed.

use servicaja_drivers::paper_usage::{PaperGeometry, measure};
use servicaja_escpos::{EscPosBuilder, TextSize, TextStyle};

const ROW_UM: u64 = 30 * 141;

#[test]
fn rows_feeds_and_the_cut_from_hand_written_bytes() {
    let g = PaperGeometry::default();
    let mut bytes = vec![0x1B, b'@', 0x1B, b't', 16];
    bytes.extend(b"uno\ndos\n\ntres\n");
    bytes.extend([0x1B, b'd', 3, 0x1D, b'V', 66, 0]);
    let usage = measure(&bytes, &g);
    assert_eq!((usage.rows, usage.graphic_dots, usage.cuts), (7, 0, 1));
    assert_eq!(usage.length_um, 7 * ROW_UM + 15_000);
    assert_eq!(usage.row_equivalents(&g), 11, "7 rows + 15 mm to the cutter = 10.5 rows, rounded up");

    // ESC 3 n sets the line spacing; ESC J n feeds n dots; a text line taller than the spacing wins.
    let usage =
        measure(&[0x1B, b'3', 60, b'a', b'\n', 0x1B, b'J', 10, 0x1B, b'3', 10, 0x1D, b'!', 0x11, b'b', b'\n'], &g);
    assert_eq!(usage.rows, 2);
    assert_eq!(usage.graphic_dots, 10);
    assert_eq!(usage.length_um, (60 + 10 + 48) * 141);
    assert_eq!(measure(&[], &g), Default::default());
}

#[test]
fn double_height_text_qr_code_barcode_and_logo() {
    let g = PaperGeometry::default();
    let mut b = EscPosBuilder::new(48);
    b.text("CAJA TACNA", TextStyle::centered().bold().size(TextSize::Double));
    let usage = measure(&b.finish().unwrap().bytes, &g);
    assert_eq!(usage.length_um, 48 * 141, "a double-height row is 48 dots, above the 30-dot spacing");

    // 26 bytes fill a version 2 QR code at level M exactly: 25 modules of 6 dots, then one fed row.
    let mut b = EscPosBuilder::new(48);
    b.qr("https://example.pe/v/OP123");
    let usage = measure(&b.finish().unwrap().bytes, &g);
    assert_eq!((usage.graphic_dots, usage.rows), (25 * 6, 1));

    // The builder's barcode is 102 dots tall with its text below (24 dots); the logo's height is set.
    let mut b = EscPosBuilder::new(48);
    b.barcode("OP-123").logo("LG");
    let usage = measure(&b.finish().unwrap().bytes, &g);
    assert_eq!(usage.graphic_dots, 102 + 24 + g.logo_dots);
    assert_eq!(usage.rows, 2);
}
