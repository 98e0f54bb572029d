//! The Slint backend, chosen at start: `SLINT_BACKEND` when set (Slint reads it itself), else the
//! configuration's `[display] backend`, else Slint's default. One binary so runs as a window in demo mode
//! (winit) and full screen on the DRM device of a kiosk without a desktop (`linuxkms-software`: the software
//! renderer, touch from libinput, no pointer drawn — the software renderer draws none, and production mode
//! hides it besides); `SLINT_KMS_ROTATION` turns a portrait panel.

/// The backend to select explicitly, if any: none when `SLINT_BACKEND` is set (it wins, and Slint reads it)
/// or when the configuration leaves the choice to Slint.
pub fn backend_to_select(slint_backend: Option<&str>, configured: &str) -> Option<String> {
    if slint_backend.is_some_and(|value| !value.trim().is_empty()) {
        return None;
    }
    let configured = configured.trim();
    (!configured.is_empty()).then(|| configured.to_owned())
}

/// Selects the configured backend before the first window is made; a backend that cannot start (no DRM
/// device, no permission on it) is an error that names it.
pub fn select(settings: &servicaja_core::settings::DisplaySettings) -> Result<(), String> {
    let env = std::env::var("SLINT_BACKEND").ok();
    let Some(backend) = backend_to_select(env.as_deref(), &settings.backend) else {
        return Ok(());
    };
    tracing::info!(%backend, "display backend from the configuration");
    slint::BackendSelector::new()
        .backend_name(backend.clone())
        .select()
        .map_err(|err| format!("the display backend {backend} ([display] backend) cannot start: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slint_backend_wins_then_the_configuration_then_slints_default() {
        assert_eq!(backend_to_select(Some("winit"), "linuxkms-software"), None);
        assert_eq!(backend_to_select(None, "linuxkms-software"), Some("linuxkms-software".to_owned()));
        assert_eq!(backend_to_select(Some(""), " linuxkms "), Some("linuxkms".to_owned()));
        assert_eq!(backend_to_select(None, ""), None);
    }
}
