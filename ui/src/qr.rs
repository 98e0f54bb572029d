//! The on-screen QR code of a receipt's reference (the delivery's "Ver código QR" fall-back): the same
//! `qrcode` matrix the printed receipts carry, drawn into a `slint::Image`, black modules on white with the
//! standard quiet zone.

use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

/// Light modules around the code, as the QR specification asks.
pub const QUIET_MODULES: u32 = 4;
/// Pixels per module: a 25–41 module code stays about 300–400 px wide, easy for a phone camera.
pub const MODULE_PIXELS: u32 = 8;

/// The QR code of `payload` as the receipts encode it on paper (`qrcode`, error correction M): its side in
/// modules and the dark modules, row-major. `None` when the payload does not fit a QR code.
pub fn matrix(payload: &str) -> Option<(usize, Vec<bool>)> {
    servicaja_receipts::render::qr_modules(payload).ok()
}

/// `payload` as pixels: each module `MODULE_PIXELS` square, `QUIET_MODULES` of white around it.
pub fn pixels(payload: &str) -> Option<SharedPixelBuffer<Rgb8Pixel>> {
    let (side, dark) = matrix(payload)?;
    let side = u32::try_from(side).ok()?;
    let width = (side + 2 * QUIET_MODULES) * MODULE_PIXELS;
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(width, width);
    let white = Rgb8Pixel { r: 255, g: 255, b: 255 };
    let black = Rgb8Pixel { r: 0, g: 0, b: 0 };
    let stride = width as usize;
    for (i, pixel) in buffer.make_mut_slice().iter_mut().enumerate() {
        let (x, y) = ((i % stride) as u32 / MODULE_PIXELS, (i / stride) as u32 / MODULE_PIXELS);
        let on = x >= QUIET_MODULES
            && y >= QUIET_MODULES
            && x < side + QUIET_MODULES
            && y < side + QUIET_MODULES
            && dark.get(((y - QUIET_MODULES) * side + (x - QUIET_MODULES)) as usize).copied().unwrap_or(false);
        *pixel = if on { black } else { white };
    }
    Some(buffer)
}

/// `payload` as an image for the window; an empty image when there is nothing to show.
pub fn image(payload: &str) -> Image {
    if payload.is_empty() {
        return Image::default();
    }
    pixels(payload).map(Image::from_rgb8).unwrap_or_default()
}
