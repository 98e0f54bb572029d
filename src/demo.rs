//! Demo mode: the kiosk's world in one process — the central API simulator on loopback TLS and the three
//! device emulators on pseudo-terminals — so that the production code paths (rustls client, serial drivers)
//! run unchanged against them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use servicaja_central::{CentralConfig, RunningCentral};
use servicaja_core::settings::Settings;
use servicaja_drivers::emulator::{EmulatorPaths, EmulatorSet};

/// The simulated central and devices, running until dropped.
pub struct DemoWorld {
    pub central: RunningCentral,
    pub emulators: EmulatorSet,
}

impl DemoWorld {
    /// Starts the central simulator on `runtime` and the emulators on pseudo-terminals, with their data
    /// under the kiosk's data directory.
    pub fn start(settings: &Settings, runtime: &tokio::runtime::Runtime) -> Result<DemoWorld, String> {
        let data_dir = PathBuf::from(&settings.kiosk.data_dir);
        let central = runtime.block_on(start_central(&settings.host.base_url, &data_dir.join("central")))?;
        let devices_dir = data_dir.join("devices");
        std::fs::create_dir_all(&devices_dir).map_err(|err| format!("{}: {err}", devices_dir.display()))?;
        let emulators = EmulatorSet::start(&devices_dir, settings.printer.columns)
            .map_err(|err| format!("the device emulators cannot start: {err}"))?;
        Ok(DemoWorld { central, emulators })
    }

    pub fn device_paths(&self) -> EmulatorPaths {
        self.emulators.paths()
    }

    /// The host settings that reach this world's central: its address and its development CA and kiosk
    /// certificate.
    pub fn host_settings(&self, configured: &Settings) -> servicaja_core::settings::HostSettings {
        let mut host = configured.host.clone();
        host.base_url = self.central.base_url();
        host.ca_cert = path_text(self.central.ca_cert_path());
        host.client_cert = path_text(self.central.client_cert_path());
        host.client_key = path_text(self.central.client_key_path());
        host
    }
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

/// Listens where the configuration says; when that port is taken (another kiosk on this machine), on a free
/// one.
async fn start_central(base_url: &str, data_dir: &Path) -> Result<RunningCentral, String> {
    let mut config = CentralConfig::demo(data_dir);
    if let Some(addr) = listen_address(base_url) {
        config.listen = addr;
        match servicaja_central::start(config.clone()).await {
            Ok(central) => return Ok(central),
            Err(err) => tracing::warn!(%addr, %err, "configured address unavailable; using a free port"),
        }
        config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    }
    servicaja_central::start(config).await.map_err(|err| err.to_string())
}

/// `https://127.0.0.1:8443/...` → `127.0.0.1:8443`; only loopback addresses are served in demo mode.
fn listen_address(base_url: &str) -> Option<SocketAddr> {
    let authority = base_url.strip_prefix("https://")?.split('/').next()?;
    let authority = authority.replace("localhost", "127.0.0.1");
    let addr: SocketAddr = authority.parse().ok()?;
    addr.ip().is_loopback().then_some(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_central_listens_on_the_configured_loopback_port_only() {
        assert_eq!(listen_address("https://127.0.0.1:8443"), Some(SocketAddr::from(([127, 0, 0, 1], 8443))));
        assert_eq!(listen_address("https://localhost:9000/api"), Some(SocketAddr::from(([127, 0, 0, 1], 9000))));
        assert_eq!(listen_address("https://10.1.2.3:8443"), None);
        assert_eq!(listen_address("http://127.0.0.1:8443"), None);
        assert_eq!(listen_address("https://central.caja.pe"), None);
    }
}
