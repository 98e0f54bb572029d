//! Renders an emulated receipt to a PNG as the roll would look: 12×24-dot character cells (font A on
//! 80 mm paper), bold and double sizes, the QR code drawn module by module, Code 39 barcodes drawn bar
//! by bar (modules from the `barcoders` crate) with their text below, and the logo as a labelled box.
//!
//! Glyphs are drawn from Noto Sans Mono (SIL OFL 1.1, bundled once for the whole project under
//! `ui/fonts/`), scaled so one advance is the 12-dot cell, as the receipts' own preview does: an 8×8
//! bitmap font has no room for an accent over a capital, so `CRÉDITO` and `DÓLARES` came out with small
//! letters in their middle.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{GrayImage, Luma};

use super::escpos_sim::{PrintedItem, Receipt, Span};
use servicaja_escpos::{Align, TextSize};

/// A character cell of font A, in dots.
pub const CELL_W: u32 = 12;
pub const CELL_H: u32 = 24;
/// White paper around the printed area, in dots.
pub const MARGIN: u32 = 8;
const BLACK: Luma<u8> = Luma([0]);

/// A band of the roll: its height in dots and how to draw it at a given top.
type Band = (u32, Box<dyn Fn(&mut GrayImage, u32)>);

/// The receipt as a grayscale image `columns` characters wide.
pub fn render(receipt: &Receipt, columns: u32) -> GrayImage {
    let width = columns * CELL_W + 2 * MARGIN;
    let mut rows: Vec<Band> = Vec::new();
    for item in &receipt.items {
        match item.clone() {
            PrintedItem::Line { align, spans } => {
                let tall = spans.iter().any(|s| matches!(s.size, TextSize::DoubleHeight | TextSize::Double));
                let height = if tall { CELL_H * 2 } else { CELL_H };
                rows.push((height, Box::new(move |img, y| draw_line(img, y, columns, align, &spans))));
            }
            PrintedItem::Qr { data, module_size } => {
                let code = qrcode::QrCode::new(&data).ok();
                let module = u32::from(module_size.clamp(1, 16));
                let side = code.as_ref().map_or(0, |c| (c.width() as u32 + 8) * module);
                rows.push((
                    side.max(CELL_H),
                    Box::new(move |img, y| {
                        if let Some(code) = &code {
                            draw_qr(img, y, code, module);
                        }
                    }),
                ));
            }
            PrintedItem::Barcode { system, data } => {
                let text = String::from_utf8_lossy(&data).into_owned();
                match code39_modules(system, &text) {
                    Some(modules) => rows.push((
                        BARCODE_BAR_H + CELL_H + 8,
                        Box::new(move |img, y| draw_barcode(img, y, columns, &modules, &text)),
                    )),
                    None => {
                        let label = format!("||| {text} |||");
                        rows.push((CELL_H * 3, Box::new(move |img, y| draw_box(img, y + 4, columns, &label))));
                    }
                }
            }
            // The logo's bitmap lives in the printer's NV memory under its key code; the emulator has no
            // NV memory, so it shows where the logo goes and which key was asked for.
            PrintedItem::Logo { key } => {
                let label = format!("LOGO {}", String::from_utf8_lossy(&key));
                rows.push((CELL_H * 3, Box::new(move |img, y| draw_box(img, y + 4, columns, &label))));
            }
        }
    }
    let height = rows.iter().map(|(h, _)| h).sum::<u32>() + 2 * MARGIN;
    let mut img = GrayImage::from_pixel(width, height.max(CELL_H), Luma([255]));
    let mut y = MARGIN;
    for (h, draw) in rows {
        draw(&mut img, y);
        y += h;
    }
    img
}

fn put(img: &mut GrayImage, x: u32, y: u32) {
    if x < img.width() && y < img.height() {
        img.put_pixel(x, y, BLACK);
    }
}

fn draw_line(img: &mut GrayImage, y: u32, columns: u32, align: Align, spans: &[Span]) {
    let cells: u32 = spans.iter().map(|s| s.text.chars().count() as u32 * x_scale(s.size)).sum();
    let mut col = match align {
        Align::Left => 0,
        Align::Center => columns.saturating_sub(cells) / 2,
        Align::Right => columns.saturating_sub(cells),
    };
    for span in spans {
        let sx = x_scale(span.size);
        let sy = if matches!(span.size, TextSize::DoubleHeight | TextSize::Double) { 2 } else { 1 };
        for c in span.text.chars() {
            let x0 = MARGIN + col * CELL_W;
            draw_glyph(img, x0, y, c, sx, sy, span.bold);
            col += sx;
        }
    }
}

fn x_scale(size: TextSize) -> u32 {
    if matches!(size, TextSize::DoubleWidth | TextSize::Double) { 2 } else { 1 }
}

const REGULAR_TTF: &[u8] = include_bytes!("../../../ui/fonts/NotoSansMono-Regular.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../ui/fonts/NotoSansMono-Bold.ttf");
/// Baseline from the top of a 24-dot cell: room above for the accent of a capital, below for `g`.
const BASELINE: f32 = 19.0;

struct Faces {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
    /// The scale whose advance is exactly one cell.
    cell_scale: f32,
}

/// The bundled faces, read once; `None` only if the bundled files were unreadable (then text is left
/// blank rather than the emulator failing).
fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            let regular = FontRef::try_from_slice(REGULAR_TTF).ok()?;
            let bold = FontRef::try_from_slice(BOLD_TTF).ok()?;
            let advance = regular.as_scaled(PxScale::from(1.0)).h_advance(regular.glyph_id('0'));
            (advance > 0.0).then(|| Faces { regular, bold, cell_scale: CELL_W as f32 / advance })
        })
        .as_ref()
}

/// One character in its cell (`sx` × `sy` cells for double sizes), coverage blended into the paper
/// (darkest wins).
fn draw_glyph(img: &mut GrayImage, x0: u32, y0: u32, c: char, sx: u32, sy: u32, bold: bool) {
    let Some(faces) = faces() else { return };
    let font = if bold { &faces.bold } else { &faces.regular };
    let scale = PxScale { x: faces.cell_scale * sx as f32, y: faces.cell_scale * sy as f32 };
    let glyph = font.glyph_id(c).with_scale_and_position(scale, point(x0 as f32, y0 as f32 + BASELINE * sy as f32));
    let Some(outline) = font.outline_glyph(glyph) else { return };
    let bounds = outline.px_bounds();
    outline.draw(|x, y, coverage| {
        let (Ok(px), Ok(py)) =
            (u32::try_from(bounds.min.x as i64 + i64::from(x)), u32::try_from(bounds.min.y as i64 + i64::from(y)))
        else {
            return;
        };
        if px < img.width() && py < img.height() {
            let shade = 255 - (coverage.clamp(0.0, 1.0) * 255.0) as u8;
            let pixel = img.get_pixel_mut(px, py);
            pixel.0[0] = pixel.0[0].min(shade);
        }
    });
}

fn draw_qr(img: &mut GrayImage, y0: u32, code: &qrcode::QrCode, module: u32) {
    let modules = code.width() as u32;
    let side = (modules + 8) * module;
    let x0 = img.width().saturating_sub(side) / 2;
    let colors = code.to_colors();
    for (i, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let mx = i as u32 % modules + 4;
        let my = i as u32 / modules + 4;
        for dy in 0..module {
            for dx in 0..module {
                put(img, x0 + mx * module + dx, y0 + my * module + dy);
            }
        }
    }
}

/// Height of the bars of a 1D barcode, in dots.
pub const BARCODE_BAR_H: u32 = 2 * CELL_H;

/// The Code 39 modules (1 = bar, 0 = space; narrow = 1 module, wide = 2) with the `*` start and stop
/// characters, for `GS k` systems 4 and 69; `None` for other systems or data Code 39 cannot carry.
pub fn code39_modules(system: u8, data: &str) -> Option<Vec<u8>> {
    if !matches!(system, 4 | 69) {
        return None;
    }
    barcoders::sym::code39::Code39::new(data).ok().map(|code| code.encode())
}

/// Left edge and module width of a barcode of `modules` modules centered on the paper.
pub fn barcode_placement(img_width: u32, modules: usize) -> (u32, u32) {
    let modules = modules.max(1) as u32;
    let module = ((img_width - 2 * MARGIN) / modules).clamp(1, 3);
    (img_width.saturating_sub(modules * module) / 2, module)
}

fn draw_barcode(img: &mut GrayImage, y0: u32, columns: u32, modules: &[u8], text: &str) {
    let (x0, module) = barcode_placement(img.width(), modules.len());
    for (i, bar) in modules.iter().enumerate() {
        if *bar == 0 {
            continue;
        }
        for dx in 0..module {
            for y in y0..y0 + BARCODE_BAR_H {
                put(img, x0 + i as u32 * module + dx, y);
            }
        }
    }
    // Human-readable text below, centered, as `GS H 2` asks.
    let chars = text.chars().count() as u32;
    let mut x = MARGIN + columns.saturating_sub(chars) / 2 * CELL_W;
    for c in text.chars() {
        draw_glyph(img, x, y0 + BARCODE_BAR_H + 4, c, 1, 1, false);
        x += CELL_W;
    }
}

fn draw_box(img: &mut GrayImage, y0: u32, columns: u32, label: &str) {
    let chars = label.chars().count() as u32;
    let box_cols = (chars + 4).min(columns);
    let x0 = MARGIN + (columns - box_cols) / 2 * CELL_W;
    let x1 = x0 + box_cols * CELL_W;
    let y1 = y0 + CELL_H * 2 + 8;
    for x in x0..x1 {
        put(img, x, y0);
        put(img, x, y1);
    }
    for y in y0..=y1 {
        put(img, x0, y);
        put(img, x1, y);
    }
    let mut x = x0 + 2 * CELL_W;
    for c in label.chars() {
        draw_glyph(img, x, y0 + CELL_H / 2, c, 1, 1, false);
        x += CELL_W;
    }
}
