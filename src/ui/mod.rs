//! The kiosk's Slint window: the views compiled from `ui/`, the platform choice, and the adapters that
//! bind them to the kiosk.

// The seam the kiosk runtime binds to (its handle, sender and getters are used by the runtime and tests).
#[allow(dead_code)]
pub mod controller;
pub mod fixtures;
pub mod maintenance;
// The staff reprint page; the maintenance controller opens it for a signed-in staff user.
#[allow(dead_code)]
pub mod reprint;
#[allow(dead_code)]
pub mod rig;
pub mod screenshots;
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
