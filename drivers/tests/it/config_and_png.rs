//! The card reader's LRC mode taken from configuration, and the emulator's PNG drawing Code 39 bars.

use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use servicaja_core::settings::{CardLrc, CardReaderSettings, DocumentReaderSettings, PrinterSettings, Settings};
use servicaja_drivers::devices::{Devices, DriverOptions, lrc_mode};
use servicaja_drivers::emulator::EmulatorSet;
use servicaja_drivers::emulator::escpos_sim::{PrintedItem, Receipt};
use servicaja_drivers::emulator::png::{BARCODE_BAR_H, barcode_placement, code39_modules, render};
use servicaja_drivers::readers::DeviceEvent;

#[test]
fn the_lrc_setting_parses_and_defaults_to_detect() {
    let shipped: Settings = toml::from_str(include_str!("../../../config/kiosk.toml")).unwrap();
    assert_eq!(shipped.card_reader.lrc, CardLrc::Detect);
    assert_eq!(Settings::default().card_reader.lrc, CardLrc::Detect);
    let present: Settings = toml::from_str("[card_reader]\nlrc = \"present\"\n").unwrap();
    assert_eq!(lrc_mode(present.card_reader.lrc), servicaja_core::identity::track::LrcMode::Present);
    let absent: Settings = toml::from_str("[card_reader]\nlrc = \"absent\"\n").unwrap();
    assert_eq!(lrc_mode(absent.card_reader.lrc), servicaja_core::identity::track::LrcMode::Absent);
    let wrong = toml::from_str::<Settings>("[card_reader]\nlrc = \"maybe\"\n").unwrap_err().to_string();
    assert!(wrong.contains("lrc") && wrong.contains("detect"), "{wrong}");
    assert!(present.validate().iter().all(|p| !p.key.starts_with("card_reader")));
}

#[test]
fn devices_use_the_configured_lrc_mode() {
    let dir = tempfile::tempdir().unwrap();
    let emulators = EmulatorSet::start(dir.path(), 48).unwrap();
    let card_reader = CardReaderSettings { lrc: CardLrc::Present, ..Default::default() };
    let options = DriverOptions { reconnect_every: Duration::from_millis(50), ..Default::default() };
    let (devices, events) = Devices::start(
        &PrinterSettings::default(),
        &card_reader,
        &DocumentReaderSettings::default(),
        Some(&emulators.paths()),
        options,
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while devices.card_reader.status().device != servicaja_drivers::status::DeviceState::Online {
        assert!(Instant::now() < deadline, "the card reader never came online");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The emulator's reader sends no LRC; a reader configured to send one makes that a misread.
    emulators.control().swipe_card("4539148803436467", "QUISPE/ROSA", "2812", "101").unwrap();
    loop {
        match events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(DeviceEvent::InvalidMedia { reason, .. }) => {
                assert!(reason.contains("LRC"), "{reason}");
                break;
            }
            Ok(DeviceEvent::CardRead(_)) => panic!("read without the LRC the configuration demands"),
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => panic!("no card event"),
        }
    }
}

/// The modules of the first dark row under the bars, read back from the image.
fn scanned_modules(image: &image::GrayImage, y: u32, modules: usize) -> Vec<u8> {
    let (x0, module) = barcode_placement(image.width(), modules);
    (0..modules as u32).map(|i| u8::from(image.get_pixel(x0 + i * module + module / 2, y).0[0] == 0)).collect()
}

#[test]
fn the_png_draws_code39_bars_that_read_back_and_keeps_the_logo_as_a_box() {
    let receipt =
        Receipt { items: vec![PrintedItem::Barcode { system: 4, data: b"OP-123".to_vec() }], interrupted: false };
    let image = render(&receipt, 48);
    let modules = code39_modules(4, "OP-123").unwrap();
    // '*', 6 characters and '*', each 12 modules plus a 1-module gap between characters.
    assert_eq!(modules.len(), 8 * 13 - 1);
    let scanned = scanned_modules(&image, 8 + BARCODE_BAR_H / 2, modules.len());
    assert_eq!(scanned, modules);
    // The start character '*' is narrow bar, wide space, narrow bar, narrow space, wide bar, narrow
    // space, wide bar, narrow space, narrow bar (narrow = 1 module, wide = 2).
    assert_eq!(scanned[..12], [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1]);
    let (x0, module) = barcode_placement(image.width(), modules.len());
    assert_eq!(image.get_pixel(x0.saturating_sub(module), 8 + BARCODE_BAR_H / 2).0[0], 255, "quiet zone");

    // Other systems and the logo stay labelled boxes: no bars to draw from what the emulator knows.
    assert!(code39_modules(73, "OP-123").is_none());
    assert!(code39_modules(4, "lower").is_none());
    let logo = Receipt { items: vec![PrintedItem::Logo { key: *b"LG" }], interrupted: false };
    let image = render(&logo, 48);
    assert!(image.pixels().any(|p| p.0[0] == 0));
}
