//! How much paper an ESC/POS job uses: rows of text × their height, feeds, the QR code and barcode
//! heights, and the feed to the cutter at each cut, measured from the byte stream itself. The
//! maintenance layer sums the lengths of successful jobs to estimate the paper left on the roll.
//! Pure: bytes in, lengths out; never panics on any input.
//!
//! The figures are estimates of the paper pulled from the roll, not of the ink: the printer's own
//! geometry (dot pitch, head-to-cutter distance, the logo's height in NV memory) comes from
//! [`PaperGeometry`], whose defaults fit an 80 mm Epson-class printer (180 dpi, 1/6" lines).

use qrcode::{EcLevel, QrCode};

/// The printer's vertical geometry, in micrometres and dots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperGeometry {
    /// One vertical motion unit / dot row (1/180 inch ≈ 141 µm on 180 dpi heads, 125 µm at 203 dpi).
    pub dot_um: u32,
    /// The default line spacing (`ESC 2`), in dots: 30 dots = 1/6 inch at 180 dpi.
    pub default_line_dots: u32,
    /// Height of a normal character (font A), in dots.
    pub char_dots: u32,
    /// Paper fed past the head so that the last printed line reaches the cutter.
    pub cut_feed_um: u32,
    /// Height of the logo stored in NV memory (the stream does not say), in dots.
    pub logo_dots: u32,
}

impl Default for PaperGeometry {
    fn default() -> Self {
        Self { dot_um: 141, default_line_dots: 30, char_dots: 24, cut_feed_um: 15_000, logo_dots: 120 }
    }
}

impl PaperGeometry {
    /// The height of one default row of text.
    pub fn row_um(&self) -> u64 {
        u64::from(self.default_line_dots) * u64::from(self.dot_um)
    }
}

/// The paper a job used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct PaperUsage {
    /// Rows fed by line feeds (`LF`, `ESC d n`), text or blank.
    pub rows: u32,
    /// Dot rows taken by graphics and feeds given in dots (QR code, barcode, logo, `ESC J`).
    pub graphic_dots: u32,
    /// Cuts (each feeds the paper to the cutter).
    pub cuts: u32,
    /// The total length pulled from the roll, in micrometres.
    pub length_um: u64,
}

impl PaperUsage {
    /// The length in whole millimetres (rounded up: an estimate of paper left errs on the short side).
    pub fn length_mm(&self) -> u64 {
        self.length_um.div_ceil(1_000)
    }

    /// The job's length in default rows (rounded up): the unit the driver's completion timeout uses.
    pub fn row_equivalents(&self, geometry: &PaperGeometry) -> u64 {
        self.length_um.div_ceil(geometry.row_um().max(1))
    }
}

/// State of the measuring walk through the stream.
struct Walk<'a> {
    geometry: &'a PaperGeometry,
    usage: PaperUsage,
    line_dots: u32,
    height_scale: u32,
    line_has_text: bool,
    qr_module: u32,
    qr_level: EcLevel,
    qr_data: Vec<u8>,
    barcode_height: u32,
    hri_below: bool,
}

impl Walk<'_> {
    fn dots(&mut self, dots: u32) {
        self.usage.graphic_dots = self.usage.graphic_dots.saturating_add(dots);
        self.usage.length_um += u64::from(dots) * u64::from(self.geometry.dot_um);
    }

    fn row(&mut self) {
        let text = if self.line_has_text { self.geometry.char_dots * self.height_scale } else { 0 };
        let height = self.line_dots.max(text);
        self.usage.rows = self.usage.rows.saturating_add(1);
        self.usage.length_um += u64::from(height) * u64::from(self.geometry.dot_um);
        self.line_has_text = false;
    }

    fn cut(&mut self) {
        if self.line_has_text {
            self.row();
        }
        self.usage.cuts += 1;
        self.usage.length_um += u64::from(self.geometry.cut_feed_um);
    }

    fn qr_print(&mut self) {
        let data = std::mem::take(&mut self.qr_data);
        if let Ok(code) = QrCode::with_error_correction_level(&data, self.qr_level) {
            self.dots(code.width() as u32 * self.qr_module);
        }
    }

    fn barcode(&mut self) {
        let hri = if self.hri_below { self.geometry.char_dots } else { 0 };
        self.dots(self.barcode_height + hri);
    }
}

/// Measures the paper `bytes` would use on a printer with `geometry`.
pub fn measure(bytes: &[u8], geometry: &PaperGeometry) -> PaperUsage {
    let mut w = Walk {
        geometry,
        usage: PaperUsage::default(),
        line_dots: geometry.default_line_dots,
        height_scale: 1,
        line_has_text: false,
        qr_module: 3,
        qr_level: EcLevel::L,
        qr_data: Vec::new(),
        barcode_height: 162,
        hri_below: false,
    };
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while i < bytes.len() {
        let step = match bytes[i] {
            b'\n' => {
                w.row();
                1
            }
            0x10 => 3, // DLE EOT n / DLE ENQ n: real-time, no paper
            0x1B => match at(i + 1) {
                b'@' => {
                    w.line_dots = geometry.default_line_dots;
                    w.height_scale = 1;
                    2
                }
                b'2' => {
                    w.line_dots = geometry.default_line_dots;
                    2
                }
                b'3' => {
                    w.line_dots = u32::from(at(i + 2));
                    3
                }
                b'd' => {
                    // The buffered line prints within the first of the n rows.
                    w.line_has_text = false;
                    for _ in 0..at(i + 2) {
                        w.row();
                    }
                    3
                }
                b'J' => {
                    w.line_has_text = false;
                    w.dots(u32::from(at(i + 2)));
                    3
                }
                b'!' => {
                    w.height_scale = if at(i + 2) & 0x10 != 0 { 2 } else { 1 };
                    3
                }
                b't' | b'E' | b'a' | b'-' | b'G' | b'M' | b'R' | b'{' | b'V' | b'c' => 3,
                _ => 2,
            },
            0x1D => match at(i + 1) {
                b'!' => {
                    w.height_scale = u32::from(at(i + 2) & 0x07) + 1;
                    3
                }
                b'h' => {
                    w.barcode_height = u32::from(at(i + 2)).max(1);
                    3
                }
                b'H' => {
                    w.hri_below = matches!(at(i + 2), 2 | 3 | 50 | 51);
                    3
                }
                b'V' => {
                    w.cut();
                    if matches!(at(i + 2), 65 | 66 | 97 | 98 | 103 | 104) { 4 } else { 3 }
                }
                b'k' => {
                    let system = at(i + 2);
                    w.barcode();
                    if system <= 6 {
                        let end = bytes.get(i + 3..).and_then(|rest| rest.iter().position(|&b| b == 0));
                        end.map_or(bytes.len() - i, |end| 3 + end + 1)
                    } else {
                        4 + usize::from(at(i + 3))
                    }
                }
                b'(' => {
                    let len = usize::from(at(i + 3)) | usize::from(at(i + 4)) << 8;
                    let body = bytes.get(i + 5..(i + 5 + len).min(bytes.len())).unwrap_or(&[]);
                    match (at(i + 2), body) {
                        (b'k', [49, 67, size, ..]) => w.qr_module = u32::from(*size).clamp(1, 16),
                        (b'k', [49, 69, level, ..]) => {
                            w.qr_level = match level {
                                48 => EcLevel::L,
                                49 => EcLevel::M,
                                50 => EcLevel::Q,
                                _ => EcLevel::H,
                            }
                        }
                        (b'k', [49, 80, 48, data @ ..]) => w.qr_data = data.to_vec(),
                        (b'k', [49, 81, 48, ..]) => w.qr_print(),
                        (b'L', [48, 69, ..]) => w.dots(geometry.logo_dots),
                        _ => {}
                    }
                    5 + len
                }
                b'w' | b'f' | b'B' | b'b' | b'a' => 3,
                b'L' | b'W' => 4,
                _ => 2,
            },
            0x00..=0x1F | 0x7F => 1,
            _ => {
                w.line_has_text = true;
                1
            }
        };
        i = i.saturating_add(step.max(1));
    }
    w.usage
}
