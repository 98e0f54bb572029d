//! Renders an emulated receipt to a PNG as the roll would look: 12×24-dot character cells (font A on
//! 80 mm paper), bold and double sizes, the QR code drawn module by module, Code 39 barcodes drawn bar
//! by bar (modules from the `barcoders` crate) with their text below, and the logo as a labelled box.
//! Glyphs come from the public-domain `font8x8` set.

use font8x8::UnicodeFonts;
use image::{GrayImage, Luma};

use super::escpos_sim::{PrintedItem, Receipt, Span};
use crate::escpos_doc::{Align, TextSize};

const CELL_W: u32 = 12;
const CELL_H: u32 = 24;
const MARGIN: u32 = 8;
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

/// One 8×8 glyph in a 12×24 cell: 1 dot wide and 2 dots tall per font pixel, offset into the cell.
fn draw_glyph(img: &mut GrayImage, x0: u32, y0: u32, c: char, sx: u32, sy: u32, bold: bool) {
    let Some(bitmap) = font8x8::BASIC_FONTS.get(c).or_else(|| font8x8::LATIN_FONTS.get(c)) else {
        return;
    };
    for (row, bits) in bitmap.iter().enumerate() {
        for bit in 0..8u32 {
            if bits & (1 << bit) == 0 {
                continue;
            }
            for dy in 0..2 * sy {
                for dx in 0..sx * if bold { 2 } else { 1 } {
                    let x = x0 + 2 * sx + bit * sx + dx;
                    let y = y0 + 4 * sy + row as u32 * 2 * sy + dy;
                    put(img, x, y);
                }
            }
        }
    }
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
