//! The kiosk's Slint window: the views compiled from `ui/`, the platform choice, and the adapters that
//! bind them to the kiosk.

pub mod controller;
pub mod fixtures;
// The tactile keypad's keys as the window reads them.
pub mod keypad;
pub mod maintenance;
pub mod qr;
// The reach band (ADA 308) of the panel, on the window's Theme.
pub mod reach;
// The staff reprint page; the maintenance controller opens it for a signed-in staff user.
pub mod reprint;
pub mod rig;
pub mod screenshots;
pub mod spoken;
pub mod view;

/// The code the Slint compiler generates from `ui/app.slint`; our lints do not apply to it.
#[allow(clippy::all, clippy::todo, unreachable_pub)]
mod generated {
    slint::include_modules!();
}

pub use generated::*;

/// The layouts the kiosk is built for: a 19" 5:4 landscape panel and a 21.5" portrait panel.
pub const LAYOUTS: [(&str, u32, u32); 2] = [("landscape", 1280, 1024), ("portrait", 1080, 1920)];

/// The languages a customer can choose; Spanish (es-PE) is the source language of every string.
pub const LANGUAGES: [&str; 2] = ["es", "en"];

/// Switches the window's language; Spanish is the untranslated source, English the bundled translation.
pub fn select_language(language: &str) -> Result<(), String> {
    let wanted = if language == "es" { "" } else { language };
    slint::select_bundled_translation(wanted).map_err(|err| format!("language {language}: {err}"))
}

/// How the window presents this kiosk — the one place its platform-facing choices are made: the caja, the
/// agency and the kiosk's id on the attract screen; on kiosk hardware (production mode) full screen with no
/// pointer on the touchscreen, in demo mode an ordinary window beside the simulated hardware panel (where
/// `SLINT_FULLSCREEN` still works). The backend (a winit window, or LinuxKMS full screen on the DRM device)
/// is chosen by the binary before the window is made (`src/display.rs`).
pub fn present(ui: &KioskWindow, settings: &servicaja_core::settings::Settings) {
    use slint::ComponentHandle;
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_institution(settings.kiosk.institution.as_str().into());
    kiosk.set_agency(settings.kiosk.agency_name.as_str().into());
    kiosk.set_kiosk_id(settings.kiosk.id.as_str().into());
    let hardware = settings.kiosk.mode == servicaja_core::settings::Mode::Production;
    ui.global::<Theme>().set_hide_pointer(hardware);
    reach::install(ui, &settings.display);
    if hardware {
        ui.window().set_fullscreen(true);
    }
}
