//! The kiosk's services assembled in one place, as `servicaja run` and the end-to-end tests both need them:
//! the device drivers (on the configured ports, or on the emulators' pseudo-terminals), the host client,
//! the runtime whose answers go to a [`LateSink`], the thread that turns device events into session events,
//! and the devices' first statuses — everything a window's controller (or a test's hand-driven session)
//! then binds to with [`KioskServices::bind`].

use std::sync::Arc;

use servicaja_core::settings::{HostSettings, Settings};
use servicaja_drivers::devices::EmulatorPaths;
use servicaja_drivers::devices::{Devices, DriverOptions};
use servicaja_host::HostClient;

use super::{EventSink, LateSink, Runtime, RuntimeOptions, current_status, pump_devices};

/// The running services. Dropping it stops the runtime's tasks and the drivers.
pub struct KioskServices {
    pub client: HostClient,
    /// The session's effect sink (the controller holds a clone).
    pub runtime: Arc<Runtime>,
    pub devices: Devices,
    /// Status reports to the central and its commands (running on its own unless the options say not).
    pub fleet: crate::fleet::FleetAgent,
    late: LateSink,
    fleet_task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for KioskServices {
    fn drop(&mut self) {
        if let Some(task) = &self.fleet_task {
            task.abort();
        }
    }
}

impl KioskServices {
    /// Starts the drivers, the host client for `host` and the runtime on the current tokio runtime. Every
    /// event they report before [`KioskServices::bind`] — the devices' first statuses, the central's
    /// health — is kept and delivered in order at binding.
    pub async fn start(
        settings: &Settings,
        host: &HostSettings,
        emulators: Option<&EmulatorPaths>,
        options: RuntimeOptions,
    ) -> Result<KioskServices, String> {
        let (devices, device_events) = Devices::start(
            &settings.printer,
            &settings.card_reader,
            &settings.document_reader,
            emulators,
            DriverOptions::default(),
        );
        let client = HostClient::from_settings(host).map_err(|err| err.to_string())?;
        let late = LateSink::default();
        let fleet_every = options.fleet_every;
        let runtime = Runtime::start(settings, client.clone(), devices.printer.clone(), late.sink(), options)
            .await
            .map_err(|err| err.to_string())?;
        pump_devices(device_events, late.sink())
            .map_err(|err| format!("the device event thread cannot start: {err}"))?;
        let sink = late.sink();
        for event in current_status(&devices) {
            sink(event);
        }
        let fleet = runtime.fleet_agent(
            settings,
            host,
            crate::fleet::FleetDevices {
                printer: devices.printer.clone(),
                card_reader: devices.card_reader.clone(),
                document_reader: devices.document_reader.clone(),
            },
        );
        let fleet_task = fleet_every.map(|every| fleet.spawn(every));
        Ok(KioskServices { client, runtime: Arc::new(runtime), devices, fleet, late, fleet_task })
    }

    /// Sends every event kept so far, then every later one, to `target`.
    pub fn bind(&self, target: EventSink) {
        self.late.bind(target);
    }
}
