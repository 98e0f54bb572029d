//! ESC/POS through the printer layer of `servicaja-drivers`: each laid-out row becomes one builder
//! line (already aligned by spaces, so always left-justified), titles bold and double height, the QR as
//! the printer's own QR command (model 2), then a partial cut. The builder selects WPC1252 (`ESC t 16`)
//! and never sends a byte the page cannot print.

use servicaja_escpos::{EscPosBuilder, EscPosDocument, TextSize, TextStyle as PrinterStyle};

use crate::ReceiptError;
use crate::layout::{Layout, Row, TextStyle};

/// The print job bytes for a laid-out document. `logo_key` is the printer's stored logo (empty: none).
pub fn render(layout: &Layout, logo_key: &str) -> Result<EscPosDocument, ReceiptError> {
    let columns = u8::try_from(layout.columns.count()).unwrap_or(48);
    let mut builder = EscPosBuilder::new(columns);
    builder.logo(logo_key);
    for row in &layout.rows {
        match row {
            Row::Text { text, style } => {
                let style = match style {
                    TextStyle::Normal => PrinterStyle::NORMAL,
                    TextStyle::Bold => PrinterStyle::NORMAL.bold(),
                    TextStyle::Title => PrinterStyle::NORMAL.bold().size(TextSize::DoubleHeight),
                };
                builder.text(text, style);
            }
            Row::Qr { payload } => {
                builder.qr(payload);
            }
        }
    }
    builder.feed(2).cut();
    Ok(builder.finish()?)
}
