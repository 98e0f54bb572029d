//! The ESC/POS layer: a small builder that turns a receipt (styled text, separators, a QR code, a
//! barcode, the stored logo, feeds and cuts) into the exact bytes the printer receives.
//!
//! Commands are encoded by the `escpos` crate; text goes through our own cp1252 table ([`crate::wpc1252`])
//! because the crate would send UTF-8 for what it cannot map. Two commands are written by hand, each for
//! a reason: the partial cut (`GS V 66 n` — the crate's `partial_cut` sends `GS V 65 1`, which is a full
//! cut) and printing an NV graphic by key code (`GS ( L … 48 69 kc1 kc2 1 1`, which the crate lacks).

use std::sync::{Arc, Mutex};

use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{BarcodeOption, JustifyMode, PageCode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};

use crate::wpc1252;

/// `ESC t 16`: the page the builder selects right after `ESC @`.
pub const CODE_PAGE_WPC1252: u8 = 16;

/// Horizontal alignment of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// Character size; double width halves the characters per line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSize {
    #[default]
    Normal,
    DoubleHeight,
    DoubleWidth,
    Double,
}

impl TextSize {
    fn factors(self) -> (u8, u8) {
        match self {
            Self::Normal => (1, 1),
            Self::DoubleHeight => (1, 2),
            Self::DoubleWidth => (2, 1),
            Self::Double => (2, 2),
        }
    }
}

/// How a line of text is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct TextStyle {
    pub bold: bool,
    pub size: TextSize,
    pub align: Align,
}

impl TextStyle {
    pub const NORMAL: TextStyle = TextStyle { bold: false, size: TextSize::Normal, align: Align::Left };

    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }
    pub fn size(mut self, size: TextSize) -> Self {
        self.size = size;
        self
    }
    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }
    pub fn centered() -> Self {
        Self::NORMAL.align(Align::Center)
    }
}

/// Why a document could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("the QR code data cannot be encoded ({0}); shorten it")]
    QrCode(String),
    #[error("the barcode data cannot be encoded as Code 39 ({0}); use digits, capitals and - . $ / + % space")]
    Barcode(String),
    #[error("the logo key code {0:?} is not two printable ASCII characters")]
    LogoKey(String),
    #[error("the ESC/POS encoder failed: {0}")]
    Encoder(String),
}

/// An encoded document ready for the drivers' `PrintJob`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscPosDocument {
    pub bytes: Vec<u8>,
    /// Characters of the text that the code page cannot print; each was sent as `?` and logged.
    pub replaced: Vec<char>,
    /// How many cuts the document contains (one receipt each).
    pub cuts: usize,
}

/// The `escpos` crate writes through a driver; this one collects the bytes.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Driver for Capture {
    fn name(&self) -> String {
        "capture".into()
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        match self.0.lock() {
            Ok(mut bytes) => bytes.extend_from_slice(data),
            Err(poisoned) => poisoned.into_inner().extend_from_slice(data),
        }
        Ok(())
    }
    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// Builds one ESC/POS document. Methods chain; the first encoding error is kept and returned by
/// [`EscPosBuilder::finish`], so a caller writes the whole receipt and checks once.
///
/// ```
/// use servicaja_escpos::{Align, EscPosBuilder, TextSize, TextStyle};
/// let mut b = EscPosBuilder::new(48);
/// b.logo("LG")
///     .text("CAJA TACNA", TextStyle::centered().bold().size(TextSize::Double))
///     .separator('-')
///     .text("Pago de cuota          S/ 150.00", TextStyle::NORMAL)
///     .qr("https://cajatacna.pe/v/ABC123")
///     .feed(3)
///     .cut();
/// let doc = b.finish().unwrap();
/// assert_eq!(&doc.bytes[..5], &[0x1B, b'@', 0x1B, b't', 16]);
/// ```
pub struct EscPosBuilder {
    printer: Printer<Capture>,
    capture: Capture,
    columns: u8,
    style: TextStyle,
    replaced: Vec<char>,
    cuts: usize,
    error: Option<EncodeError>,
}

impl EscPosBuilder {
    /// A document for a printer with `columns` characters per line (48, 42 or 32); starts with `ESC @`
    /// and `ESC t 16`.
    pub fn new(columns: u8) -> Self {
        let capture = Capture::default();
        let printer = Printer::new(capture.clone(), Protocol::default(), None);
        let mut builder =
            Self { printer, capture, columns, style: TextStyle::NORMAL, replaced: Vec::new(), cuts: 0, error: None };
        builder.apply(|p| p.init().and_then(|p| p.page_code(PageCode::WPC1252)).map(|_| ()));
        builder
    }

    /// Characters per line at normal width.
    pub fn columns(&self) -> u8 {
        self.columns
    }

    fn apply(&mut self, f: impl FnOnce(&mut Printer<Capture>) -> escpos::errors::Result<()>) {
        if self.error.is_none()
            && let Err(e) = f(&mut self.printer)
        {
            self.error = Some(EncodeError::Encoder(e.to_string()));
        }
    }

    fn set_style(&mut self, style: TextStyle) {
        if style.align != self.style.align {
            let mode = match style.align {
                Align::Left => JustifyMode::LEFT,
                Align::Center => JustifyMode::CENTER,
                Align::Right => JustifyMode::RIGHT,
            };
            self.apply(|p| p.justify(mode).map(|_| ()));
        }
        if style.bold != self.style.bold {
            self.apply(|p| p.bold(style.bold).map(|_| ()));
        }
        if style.size != self.style.size {
            let (w, h) = style.size.factors();
            self.apply(|p| p.size(w, h).map(|_| ()));
        }
        self.style = style;
    }

    /// One line of text in `style`, followed by LF. Characters the page cannot print are sent as `?`,
    /// logged, and listed in the finished document.
    pub fn text(&mut self, line: &str, style: TextStyle) -> &mut Self {
        self.set_style(style);
        let encoded = wpc1252::encode(line);
        if !encoded.replaced.is_empty() {
            tracing::warn!(
                replaced = ?encoded.replaced,
                "characters the printer's code page (WPC1252) cannot print were replaced by '?'"
            );
            self.replaced.extend_from_slice(&encoded.replaced);
        }
        let mut bytes = encoded.bytes;
        bytes.push(b'\n');
        self.apply(|p| p.custom(&bytes).map(|_| ()));
        self
    }

    /// A full-width line of `ch` in normal style (for example `-` or `=`).
    pub fn separator(&mut self, ch: char) -> &mut Self {
        let line: String = std::iter::repeat_n(ch, usize::from(self.columns)).collect();
        self.text(&line, TextStyle::NORMAL)
    }

    /// A QR code, model 2, module size 6, error correction M, centered; back to left alignment after it.
    pub fn qr(&mut self, data: &str) -> &mut Self {
        self.set_style(TextStyle::centered());
        if self.error.is_none()
            && let Err(e) =
                self.printer.qrcode_option(data, QRCodeOption::new(QRCodeModel::Model2, 6, QRCodeCorrectionLevel::M))
        {
            self.error = Some(EncodeError::QrCode(e.to_string()));
        }
        self.apply(|p| p.feed().map(|_| ()));
        self.set_style(TextStyle::NORMAL);
        self
    }

    /// A Code 39 barcode with its text below, centered.
    pub fn barcode(&mut self, data: &str) -> &mut Self {
        self.set_style(TextStyle::centered());
        if self.error.is_none()
            && let Err(e) = self.printer.code39_option(data, BarcodeOption::default())
        {
            self.error = Some(EncodeError::Barcode(e.to_string()));
        }
        self.apply(|p| p.feed().map(|_| ()));
        self.set_style(TextStyle::NORMAL);
        self
    }

    /// The logo stored in the printer's NV memory under `key` (two ASCII characters), centered. An empty
    /// key prints nothing.
    pub fn logo(&mut self, key: &str) -> &mut Self {
        if key.is_empty() {
            return self;
        }
        let bytes = key.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(|b| (32..127).contains(b)) {
            if self.error.is_none() {
                self.error = Some(EncodeError::LogoKey(key.into()));
            }
            return self;
        }
        self.set_style(TextStyle::centered());
        let command = [0x1D, b'(', b'L', 6, 0, 48, 69, bytes[0], bytes[1], 1, 1];
        self.apply(|p| p.custom(&command).and_then(|p| p.feed()).map(|_| ()));
        self.set_style(TextStyle::NORMAL);
        self
    }

    /// Feeds `lines` blank lines.
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.apply(|p| p.feeds(lines).map(|_| ()));
        self
    }

    /// A partial cut (`GS V 66 0`: feed to the cutter, then cut leaving a hinge). Ends one receipt.
    pub fn cut(&mut self) -> &mut Self {
        self.apply(|p| p.custom(&[0x1D, b'V', 66, 0]).map(|_| ()));
        self.cuts += 1;
        self
    }

    /// The encoded bytes, or the first error met while building.
    pub fn finish(mut self) -> Result<EscPosDocument, EncodeError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.printer.print().map_err(|e| EncodeError::Encoder(e.to_string()))?;
        let bytes = match self.capture.0.lock() {
            Ok(mut bytes) => std::mem::take(&mut *bytes),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        Ok(EscPosDocument { bytes, replaced: self.replaced, cuts: self.cuts })
    }
}
