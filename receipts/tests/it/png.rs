//! The PNG preview has the printer's width in dots and real content: ink in the text area and a QR.

use servicaja_receipts::render::png;
use servicaja_receipts::{Columns, Row, layout};

use crate::fixtures::all_documents;

#[test]
fn the_preview_is_as_wide_as_the_paper_and_not_blank() {
    let (_, document) = all_documents().into_iter().next().unwrap();
    for (columns, width) in [(Columns::C48, 576), (Columns::C42, 504), (Columns::C32, 384)] {
        let laid_out = layout(&document, columns);
        let bytes = png::render(&laid_out).unwrap();
        let image = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png).unwrap().to_luma8();
        assert_eq!(image.width(), width);
        let ink = image.pixels().filter(|pixel| pixel.0[0] < 128).count();
        let share = ink as f64 / f64::from(image.width() * image.height());
        assert!(share > 0.02 && share < 0.5, "ink share {share}");
    }
}

#[test]
fn the_qr_is_drawn_where_the_layout_puts_it() {
    let (_, document) = all_documents().into_iter().next().unwrap();
    let laid_out = layout(&document, Columns::C48);
    let image = png::render_image(&laid_out).unwrap();
    // The QR is the only place with solid 4×4 dark squares spanning the centre column; find one
    // dark run at least 12 dots wide in the lower part of the image, which text never draws (glyph
    // strokes are at most 3 dots wide).
    let qr_index = laid_out.rows.iter().position(|row| matches!(row, Row::Qr { .. })).unwrap();
    assert!(qr_index > laid_out.rows.len() / 2);
    let widest_run = (image.height() / 2..image.height())
        .map(|y| {
            let mut best = 0;
            let mut run = 0;
            for x in 0..image.width() {
                run = if image.get_pixel(x, y).0[0] < 128 { run + 1 } else { 0 };
                best = best.max(run);
            }
            best
        })
        .max()
        .unwrap();
    assert!(widest_run >= 12, "no QR finder pattern found (widest dark run {widest_run})");
}
