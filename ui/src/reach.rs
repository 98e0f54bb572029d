//! The reach band on the window: `servicaja_core::reach` for the configured panel, fed to `Theme` at start and
//! whenever the window's size changes, so the portrait screens keep every touch target within reach.

use servicaja_core::reach::Reach;
use servicaja_core::settings::DisplaySettings;
use slint::ComponentHandle;

use super::{KioskWindow, Theme};

/// Answers the window's size reports with the band of the panel `display` describes, and sets it now for the
/// window's present size.
pub fn install(ui: &KioskWindow, display: &DisplaySettings) {
    let weak = ui.as_weak();
    let display = display.clone();
    let apply = move |width: f32, height: f32| {
        if let Some(ui) = weak.upgrade() {
            set(&ui.global::<Theme>(), &Reach::of(&display, width, height));
        }
    };
    let window = ui.window();
    let size = window.size().to_logical(window.scale_factor());
    apply(size.width, size.height);
    ui.global::<Theme>().on_resized(apply);
}

fn set(theme: &Theme<'_>, reach: &Reach) {
    theme.set_reach_top(reach.top);
    theme.set_reach_bottom(reach.bottom);
    theme.set_key_min(reach.key_min);
    theme.set_target_min(reach.target_min);
}
