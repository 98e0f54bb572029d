//! PNG preview at the printer's own resolution: one dot per pixel, font A cells of 12×24 dots, so a
//! 48-column receipt is 576 pixels wide like the 72 mm printable width of 80 mm paper.
//!
//! Glyphs come from the public-domain `font8x8` crate (Basic Latin and Latin-1, which covers every
//! character of the code page a document can hold except the few in 0x80–0x9F, drawn as `?`), scaled to
//! the 12×24 cell. A crate-provided bitmap font needs no font file in the repository and renders
//! identically everywhere; the preview is for the screen and the demo, not typography.

use font8x8::UnicodeFonts;
use image::{GrayImage, Luma};

use super::{metrics, qr_modules};
use crate::ReceiptError;
use crate::layout::{Layout, Row, TextStyle};

const INK: Luma<u8> = Luma([0]);
const PAPER: u8 = 255;
const MARGIN_DOTS: u32 = 24;
const GLYPH_TOP_PADDING: u32 = 4;

/// The preview as an image.
pub fn render_image(layout: &Layout) -> Result<GrayImage, ReceiptError> {
    let width = width_dots(layout);
    let height = super::paper_length_dots(layout)? + 2 * MARGIN_DOTS - metrics::FEED_BEFORE_CUT_DOTS;
    let mut image = GrayImage::from_pixel(width, height, Luma([PAPER]));
    let mut top = MARGIN_DOTS;
    for row in &layout.rows {
        match row {
            Row::Text { text, style } => {
                let tall = *style == TextStyle::Title;
                let bold = *style != TextStyle::Normal;
                for (column, c) in (0u32..).zip(text.chars()) {
                    draw_glyph(&mut image, c, column * metrics::CHAR_WIDTH_DOTS, top, tall, bold);
                }
                top += if tall { metrics::TALL_ROW_PITCH_DOTS } else { metrics::ROW_PITCH_DOTS };
            }
            Row::Qr { payload } => {
                let (side, dark) = qr_modules(payload)?;
                let module = metrics::QR_MODULE_DOTS;
                let side_u32 = u32::try_from(side).map_err(|_| ReceiptError::Qr("QR too large".into()))?;
                let left = width.saturating_sub(side_u32 * module) / 2;
                for (index, is_dark) in dark.iter().enumerate() {
                    if !is_dark {
                        continue;
                    }
                    let (x, y) = (u32::try_from(index % side).unwrap_or(0), u32::try_from(index / side).unwrap_or(0));
                    fill(&mut image, left + x * module, top + y * module, module, module);
                }
                top += side_u32 * module + metrics::ROW_PITCH_DOTS;
            }
        }
    }
    Ok(image)
}

/// The preview as PNG bytes.
pub fn render(layout: &Layout) -> Result<Vec<u8>, ReceiptError> {
    let image = render_image(layout)?;
    let mut bytes = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
        .map_err(|error| ReceiptError::Png(error.to_string()))?;
    Ok(bytes)
}

/// The printable width in dots: 576 for 48 columns, 504 for 42, 384 for 32.
pub fn width_dots(layout: &Layout) -> u32 {
    u32::try_from(layout.columns.count()).unwrap_or(48) * metrics::CHAR_WIDTH_DOTS
}

fn glyph(c: char) -> [u8; 8] {
    font8x8::BASIC_FONTS
        .get(c)
        .or_else(|| font8x8::LATIN_FONTS.get(c))
        .or_else(|| font8x8::BASIC_FONTS.get('?'))
        .unwrap_or([0; 8])
}

/// Scales the 8×8 glyph to 12×16 (or 12×32 when tall) inside the cell; bold doubles each stroke
/// one dot to the right, as a printer's emphasis does.
fn draw_glyph(image: &mut GrayImage, c: char, left: u32, top: u32, tall: bool, bold: bool) {
    let rows = glyph(c);
    let y_scale = if tall { 4 } else { 2 };
    let padding = if tall { GLYPH_TOP_PADDING * 2 } else { GLYPH_TOP_PADDING };
    for dy in 0..8 * y_scale {
        let bits = rows[(dy / y_scale) as usize];
        for dx in 0..metrics::CHAR_WIDTH_DOTS {
            let source_column = dx * 8 / metrics::CHAR_WIDTH_DOTS;
            if bits & (1 << source_column) != 0 {
                let width = if bold { 2 } else { 1 };
                fill(image, left + dx, top + padding + dy, width, 1);
            }
        }
    }
}

fn fill(image: &mut GrayImage, left: u32, top: u32, width: u32, height: u32) {
    for y in top..(top + height).min(image.height()) {
        for x in left..(left + width).min(image.width()) {
            image.put_pixel(x, y, INK);
        }
    }
}
