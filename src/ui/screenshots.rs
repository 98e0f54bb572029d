//! `servicaja screenshots`: renders every screen in both layouts and both languages to PNG files with
//! Slint's software renderer on a headless platform, so no display is needed.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::{ComponentHandle, PhysicalSize, Rgb8Pixel};

use super::{Kiosk, KioskWindow, LANGUAGES, LAYOUTS, select_language};

struct HeadlessPlatform {
    window: Rc<MinimalSoftwareWindow>,
}

impl slint::platform::Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn slint::platform::WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

/// One screen as a customer would see it: a name and the state that puts the window there.
struct Scene {
    name: &'static str,
    apply: fn(&KioskWindow),
}

fn scenes() -> Vec<Scene> {
    vec![
        Scene { name: "attract", apply: |ui| ui.global::<Kiosk>().set_screen("attract".into()) },
        Scene {
            name: "out-of-service",
            apply: |ui| {
                let kiosk = ui.global::<Kiosk>();
                kiosk.set_screen("out-of-service".into());
                kiosk.set_status_line("host: sin conexión · impresora: sin papel (clear)".into());
            },
        },
        Scene {
            name: "menu",
            apply: |ui| {
                let kiosk = ui.global::<Kiosk>();
                kiosk.set_screen("menu".into());
                kiosk.set_customer("JESUS".into());
            },
        },
        Scene {
            name: "countdown",
            apply: |ui| {
                let kiosk = ui.global::<Kiosk>();
                kiosk.set_screen("menu".into());
                kiosk.set_customer("JESUS".into());
                kiosk.set_countdown_visible(true);
                kiosk.set_countdown_seconds(17);
            },
        },
    ]
}

fn reset(ui: &KioskWindow) {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_customer("".into());
    kiosk.set_status_line("".into());
    kiosk.set_countdown_visible(false);
    kiosk.set_agency("Agencia Principal Tacna".into());
    kiosk.set_kiosk_id("KSK-TAC-001".into());
}

/// Renders every scene to `out/<layout>-<language>-<scene>.png` and returns the files written.
pub fn render_all(out: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(out).map_err(|err| format!("{}: {err}", out.display()))?;
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(HeadlessPlatform { window: window.clone() }))
        .map_err(|err| format!("cannot set the headless platform: {err}"))?;
    let ui = KioskWindow::new().map_err(|err| err.to_string())?;
    ui.show().map_err(|err| err.to_string())?;
    let mut written = Vec::new();
    for (layout, width, height) in LAYOUTS {
        window.set_size(PhysicalSize::new(width, height));
        for language in LANGUAGES {
            select_language(language)?;
            ui.global::<Kiosk>().set_language(language.into());
            for scene in scenes() {
                reset(&ui);
                (scene.apply)(&ui);
                let pixels = render(&window, width, height);
                let path = out.join(format!("{layout}-{language}-{}.png", scene.name));
                save_png(&path, width, height, &pixels)?;
                written.push(path);
            }
        }
    }
    Ok(written)
}

/// Draws one full frame of the window into a fresh buffer.
pub fn render(window: &MinimalSoftwareWindow, width: u32, height: u32) -> Vec<Rgb8Pixel> {
    slint::platform::update_timers_and_animations();
    let mut buffer = vec![Rgb8Pixel::new(0, 0, 0); width as usize * height as usize];
    window.request_redraw();
    window.draw_if_needed(|renderer| {
        renderer.render(&mut buffer, width as usize);
    });
    buffer
}

fn save_png(path: &Path, width: u32, height: u32, pixels: &[Rgb8Pixel]) -> Result<(), String> {
    let bytes: Vec<u8> = pixels.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
    let image = image::RgbImage::from_raw(width, height, bytes).ok_or("frame buffer size mismatch")?;
    image.save(path).map_err(|err| format!("{}: {err}", path.display()))
}
