//! Renderers: a laid-out document to plain text, ESC/POS bytes, a PNG preview and a PDF; plus the
//! printer's physical metrics shared by the preview and the paper-time estimate.

pub mod escpos;
pub mod pdf;
pub mod png;
pub mod text;

use crate::ReceiptError;
use crate::layout::{Layout, Row, TextStyle};

/// Thermal printer geometry (203 dpi, font A 12×24 dots, default line spacing 30 dots).
pub mod metrics {
    /// Dots per millimetre at 203 dpi.
    pub const DOTS_PER_MM: f64 = 8.0;
    pub const CHAR_WIDTH_DOTS: u32 = 12;
    pub const CHAR_HEIGHT_DOTS: u32 = 24;
    /// Row pitch with the printer's default line spacing.
    pub const ROW_PITCH_DOTS: u32 = 30;
    /// Row pitch of a double-height row.
    pub const TALL_ROW_PITCH_DOTS: u32 = CHAR_HEIGHT_DOTS * 2 + (ROW_PITCH_DOTS - CHAR_HEIGHT_DOTS);
    /// QR module size the ESC/POS renderer asks for (`GS ( k … 67 n`).
    pub const QR_MODULE_DOTS: u32 = 6;
    /// Paper fed after the last row so the cutter clears the text.
    pub const FEED_BEFORE_CUT_DOTS: u32 = 4 * ROW_PITCH_DOTS;
}

/// The QR's modules, row-major, `true` for dark, and its side in modules.
pub fn qr_modules(payload: &str) -> Result<(usize, Vec<bool>), ReceiptError> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), qrcode::EcLevel::M)
        .map_err(|error| ReceiptError::Qr(error.to_string()))?;
    let side = code.width();
    let dark = code.to_colors().into_iter().map(|color| color == qrcode::Color::Dark).collect();
    Ok((side, dark))
}

/// The paper length the layout takes, in printer dots, including the QR and the feed before the cut.
pub fn paper_length_dots(layout: &Layout) -> Result<u32, ReceiptError> {
    let mut dots = metrics::FEED_BEFORE_CUT_DOTS;
    for row in &layout.rows {
        dots += match row {
            Row::Text { style: TextStyle::Title, .. } => metrics::TALL_ROW_PITCH_DOTS,
            Row::Text { .. } => metrics::ROW_PITCH_DOTS,
            Row::Qr { payload } => {
                let (side, _) = qr_modules(payload)?;
                u32::try_from(side).unwrap_or(u32::MAX / 8) * metrics::QR_MODULE_DOTS + metrics::ROW_PITCH_DOTS
            }
        };
    }
    Ok(dots)
}

/// The paper length in millimetres.
pub fn paper_length_mm(layout: &Layout) -> Result<f64, ReceiptError> {
    Ok(f64::from(paper_length_dots(layout)?) / metrics::DOTS_PER_MM)
}
