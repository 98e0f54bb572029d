//! The kiosk process: starts the demo world when configured, the device drivers, the host client and the
//! window, and keeps the window's service state (in service / out of service with the reason) in step with
//! the devices and the central.

use std::sync::mpsc::Receiver;
use std::time::Duration;

use servicaja_core::settings::{Language, Mode, Settings};
use servicaja_drivers::devices::{Devices, DriverOptions};
use servicaja_drivers::readers::DeviceEvent;
use servicaja_drivers::status::{DeviceKind, DeviceState, DeviceStatus};
use servicaja_host::HostClient;
use slint::ComponentHandle;

use crate::demo::DemoWorld;
use crate::ui::{Kiosk, KioskWindow, Theme, select_language};

/// A device the kiosk watches, and whether customers cannot be served without it. A printer without paper
/// does not stop the kiosk (the receipt is emailed or shown as a QR); a card reader does, unless the card
/// number may be typed.
struct Watched {
    kind: DeviceKind,
    status: DeviceStatus,
    needed: bool,
}

/// Why the kiosk cannot serve customers right now, for the status line technicians read; empty when it can.
fn service_problems(host_reachable: bool, devices: &[Watched]) -> Vec<String> {
    let mut problems = Vec::new();
    if !host_reachable {
        problems.push("central: sin conexión".to_string());
    }
    for watched in devices.iter().filter(|watched| watched.needed && watched.status.device != DeviceState::Online) {
        problems.push(
            format!("{}: {:?} {}", watched.kind, watched.status.device, watched.status.detail).trim().to_string(),
        );
    }
    problems
}

/// Runs the kiosk until its window is closed.
pub fn run(settings: Settings) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    let world = if settings.kiosk.mode == Mode::Demo && settings.host.embedded_simulator {
        let world = DemoWorld::start(&settings, &runtime)?;
        println!("central API simulator: {}", world.central.base_url());
        let paths = world.device_paths();
        println!(
            "emulated devices: printer {}, card reader {}, document reader {}",
            paths.printer.display(),
            paths.card_reader.display(),
            paths.document_reader.display()
        );
        Some(world)
    } else {
        None
    };
    let host_settings = world.as_ref().map_or_else(|| settings.host.clone(), |world| world.host_settings(&settings));
    let emulator_paths = world.as_ref().map(DemoWorld::device_paths);
    let (devices, device_events) = Devices::start(
        &settings.printer,
        &settings.card_reader,
        &settings.document_reader,
        emulator_paths.as_ref(),
        DriverOptions::default(),
    );
    let client = HostClient::from_settings(&host_settings).map_err(|err| err.to_string())?;

    let ui = KioskWindow::new().map_err(|err| err.to_string())?;
    bind_window(&ui, &settings)?;
    let _demo_panel = match &world {
        Some(world) => {
            Some(crate::demo_panel::open(&ui, world.emulators.control(), client.clone(), runtime.handle().clone())?)
        }
        None => None,
    };
    let card_reader_needed = !settings.kiosk.allow_keyed_card;
    let monitor =
        ServiceMonitor { client, devices, device_events, runtime: runtime.handle().clone(), card_reader_needed };
    let weak = ui.as_weak();
    let timer = slint::Timer::default();
    let refresh = move || {
        if let Some(ui) = weak.upgrade() {
            monitor.refresh(&ui);
        }
    };
    refresh();
    timer.start(slint::TimerMode::Repeated, Duration::from_secs(2), refresh);
    crate::startup_probe::arm();
    ui.run().map_err(|err| err.to_string())?;
    drop(world);
    Ok(())
}

fn bind_window(ui: &KioskWindow, settings: &Settings) -> Result<(), String> {
    let kiosk = ui.global::<Kiosk>();
    kiosk.set_institution(settings.kiosk.institution.as_str().into());
    kiosk.set_agency(settings.kiosk.agency_name.as_str().into());
    kiosk.set_kiosk_id(settings.kiosk.id.as_str().into());
    let language = match settings.kiosk.language {
        Language::Es => "es",
        Language::En => "en",
    };
    select_language(language)?;
    kiosk.set_language(language.into());
    let weak = ui.as_weak();
    kiosk.on_set_language(move |language| {
        if let Some(ui) = weak.upgrade()
            && select_language(&language).is_ok()
        {
            ui.global::<Kiosk>().set_language(language);
        }
    });
    let weak = ui.as_weak();
    kiosk.on_toggle_contrast(move || {
        if let Some(ui) = weak.upgrade() {
            let theme = ui.global::<Theme>();
            theme.set_high_contrast(!theme.get_high_contrast());
        }
    });
    let weak = ui.as_weak();
    kiosk.on_toggle_large_text(move || {
        if let Some(ui) = weak.upgrade() {
            let theme = ui.global::<Theme>();
            theme.set_large_text(!theme.get_large_text());
        }
    });
    Ok(())
}

/// Watches the devices and the central and shows the attract or the out-of-service screen.
struct ServiceMonitor {
    client: HostClient,
    devices: Devices,
    device_events: Receiver<DeviceEvent>,
    runtime: tokio::runtime::Handle,
    card_reader_needed: bool,
}

impl ServiceMonitor {
    fn refresh(&self, ui: &KioskWindow) {
        // Status changes are read from the handles below; the events only need draining here.
        while self.device_events.try_recv().is_ok() {}
        let client = self.client.clone();
        let host_reachable = self.runtime.block_on(async move { client.health().await.is_ok() });
        let watched = [
            Watched { kind: DeviceKind::Printer, status: self.devices.printer.status(), needed: false },
            Watched {
                kind: DeviceKind::CardReader,
                status: self.devices.card_reader.status(),
                needed: self.card_reader_needed,
            },
        ];
        let problems = service_problems(host_reachable, &watched);
        let kiosk = ui.global::<Kiosk>();
        if problems.is_empty() {
            kiosk.set_screen("attract".into());
            kiosk.set_status_line("".into());
        } else {
            kiosk.set_screen("out-of-service".into());
            kiosk.set_status_line(problems.join(" · ").into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watched(kind: DeviceKind, status: DeviceStatus, needed: bool) -> Watched {
        Watched { kind, status, needed }
    }

    #[test]
    fn a_missing_needed_device_or_central_puts_the_kiosk_out_of_service_with_the_reason() {
        let reader =
            watched(DeviceKind::CardReader, DeviceStatus::no_device(DeviceKind::CardReader, "unplugged"), true);
        let problems = service_problems(false, &[reader]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0], "central: sin conexión");
        assert!(problems[1].contains("unplugged"), "{problems:?}");
    }

    #[test]
    fn a_printer_problem_does_not_stop_the_kiosk() {
        let printer = watched(DeviceKind::Printer, DeviceStatus::no_device(DeviceKind::Printer, "paper end"), false);
        let reader = watched(DeviceKind::CardReader, DeviceStatus::reader_online(), true);
        assert!(service_problems(true, &[printer, reader]).is_empty());
    }
}
