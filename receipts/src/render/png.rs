//! PNG preview at the printer's own resolution: one dot per pixel, font A cells of 12×24 dots, so a
//! 48-column receipt is 576 pixels wide like the 72 mm printable width of 80 mm paper.
//!
//! Glyphs are drawn with `ab_glyph` from Noto Sans Mono (SIL OFL 1.1, bundled once for the whole
//! project under `ui/fonts/`): a monospaced outline font that has every Windows-1252 character,
//! accented capitals included (an 8×8 bitmap font cannot fit an accent over a capital), scaled so its
//! advance is exactly the printer's 12-dot cell. Double height is the same glyph scaled twice as tall.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{GrayImage, Luma};

use super::{metrics, qr_modules};
use crate::ReceiptError;
use crate::layout::{Layout, Row, TextStyle};

const INK: Luma<u8> = Luma([0]);
const PAPER: u8 = 255;
const MARGIN_DOTS: u32 = 24;

/// The preview as an image.
pub fn render_image(layout: &Layout) -> Result<GrayImage, ReceiptError> {
    let width = width_dots(layout);
    let height = super::paper_length_dots(layout)? + 2 * MARGIN_DOTS - metrics::FEED_BEFORE_CUT_DOTS;
    let mut image = GrayImage::from_pixel(width, height, Luma([PAPER]));
    let faces = faces()?;
    let mut top = MARGIN_DOTS;
    for row in &layout.rows {
        match row {
            Row::Text { text, style } => {
                let tall = *style == TextStyle::Title;
                let font = if *style == TextStyle::Normal { &faces.regular } else { &faces.bold };
                for (column, c) in (0u32..).zip(text.chars()) {
                    draw_glyph(&mut image, font, faces.cell_scale, c, column * metrics::CHAR_WIDTH_DOTS, top, tall);
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

const REGULAR_TTF: &[u8] = include_bytes!("../../../ui/fonts/NotoSansMono-Regular.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../ui/fonts/NotoSansMono-Bold.ttf");
/// Baseline from the top of a normal cell: room above for an accent over a capital, below for the
/// descender of `g`.
const BASELINE: f32 = 19.0;

struct Faces {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
    /// The scale whose advance is exactly one 12-dot cell.
    cell_scale: f32,
}

fn faces() -> Result<Faces, ReceiptError> {
    let load = |bytes: &'static [u8]| {
        FontRef::try_from_slice(bytes).map_err(|error| ReceiptError::Png(format!("bundled font unreadable: {error}")))
    };
    let regular = load(REGULAR_TTF)?;
    let advance_per_px = regular.as_scaled(PxScale::from(1.0)).h_advance(regular.glyph_id('0'));
    if advance_per_px <= 0.0 {
        return Err(ReceiptError::Png("bundled font has no advance for '0'".into()));
    }
    let cell_scale = metrics::CHAR_WIDTH_DOTS as f32 / advance_per_px;
    Ok(Faces { regular, bold: load(BOLD_TTF)?, cell_scale })
}

/// Draws one character into its cell, blending coverage into the paper (darkest wins).
fn draw_glyph(
    image: &mut GrayImage,
    font: &FontRef<'static>,
    cell_scale: f32,
    c: char,
    left: u32,
    top: u32,
    tall: bool,
) {
    let y_scale = if tall { 2.0 } else { 1.0 };
    let scale = PxScale { x: cell_scale, y: cell_scale * y_scale };
    let glyph = font.glyph_id(c).with_scale_and_position(scale, point(left as f32, top as f32 + BASELINE * y_scale));
    let Some(outline) = font.outline_glyph(glyph) else {
        return;
    };
    let bounds = outline.px_bounds();
    outline.draw(|x, y, coverage| {
        let px = bounds.min.x as i64 + i64::from(x);
        let py = bounds.min.y as i64 + i64::from(y);
        let (Ok(px), Ok(py)) = (u32::try_from(px), u32::try_from(py)) else {
            return;
        };
        if px < image.width() && py < image.height() {
            let shade = 255 - (coverage.clamp(0.0, 1.0) * 255.0) as u8;
            let pixel = image.get_pixel_mut(px, py);
            pixel.0[0] = pixel.0[0].min(shade);
        }
    });
}

fn fill(image: &mut GrayImage, left: u32, top: u32, width: u32, height: u32) {
    for y in top..(top + height).min(image.height()) {
        for x in left..(left + width).min(image.width()) {
            image.put_pixel(x, y, INK);
        }
    }
}
