//! The kiosk process: starts the demo world when configured, the device drivers, the host client, the
//! runtime that carries out the session's effects, and the window with its controller — then runs the
//! window's event loop until it is closed.
//!
//! Wiring, in the order things must exist: drivers and host client → runtime (outbox, journal, printing),
//! whose answers go to a `LateSink` (both in `runtime::KioskServices`, shared with the tests that drive a
//! window against the simulator) → the window's controller holding the `Session` → the sink is bound to
//! the controller's event sender, delivering whatever arrived meanwhile (the first device statuses and
//! the central's health) in order. The controller's voice (audio mode's speech) is espeak-ng from `[audio]`.

use std::rc::Rc;
use std::sync::Arc;

use servicaja_core::settings::Mode;
use servicaja_session::{Session, Supply};
use slint::ComponentHandle;
use uuid::Uuid;

#[cfg(feature = "demo")]
use crate::cli::out::outln;
#[cfg(feature = "demo")]
use crate::demo::DemoWorld;
use servicaja_runtime::config::Loaded;
use servicaja_runtime::{KioskServices, RuntimeOptions};
use servicaja_ui::KioskWindow;
use servicaja_ui::controller::{Controller, system_clock};

/// Ids and keypad shuffles for a real kiosk: UUIDv7 (time-ordered, random tail) and a random seed per
/// shuffled keypad, so that the clave keypad's layout cannot be predicted from one entry to the next.
struct SystemSupply;

impl Supply for SystemSupply {
    fn fresh_id(&mut self) -> Uuid {
        Uuid::now_v7()
    }

    fn keypad_seed(&mut self) -> u64 {
        rand::random()
    }
}

/// Runs the kiosk until its window is closed.
pub fn run(loaded: Loaded) -> Result<(), String> {
    let settings = &loaded.settings;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    #[cfg(not(feature = "demo"))]
    if settings.kiosk.mode == Mode::Demo && settings.host.embedded_simulator {
        return Err("this build has no demo mode (it was built without the `demo` feature): configure the \
                    caja's central (host.embedded_simulator = false) and the real devices"
            .to_owned());
    }
    #[cfg(feature = "demo")]
    let world = if settings.kiosk.mode == Mode::Demo && settings.host.embedded_simulator {
        let world = DemoWorld::start(settings, &runtime)?;
        outln!("central API simulator: {}", world.central.base_url());
        let paths = world.device_paths();
        outln!(
            "emulated devices: printer {}, card reader {}, document reader {}",
            paths.printer.display(),
            paths.card_reader.display(),
            paths.document_reader.display()
        );
        Some(world)
    } else {
        None
    };
    #[cfg(feature = "demo")]
    let (host_settings, emulator_paths) = (
        world.as_ref().map_or_else(|| settings.host.clone(), |world| world.host_settings(settings)),
        world.as_ref().map(DemoWorld::device_paths),
    );
    #[cfg(not(feature = "demo"))]
    let (host_settings, emulator_paths) = (settings.host.clone(), None);
    let services = runtime.block_on(KioskServices::start(
        settings,
        &host_settings,
        emulator_paths.as_ref(),
        RuntimeOptions::default(),
    ))?;

    crate::display::select(&settings.display)?;
    let ui = KioskWindow::new().map_err(|err| err.to_string())?;
    servicaja_ui::present(&ui, settings);
    let controller = Controller::attach(
        &ui,
        Session::new(loaded.session_config()),
        Box::new(SystemSupply),
        Box::new(services.runtime.clone()),
        system_clock(),
    );
    // Audio mode's voice: espeak-ng on the audio device, from `[audio]` (an empty engine: silent keypad).
    controller.borrow_mut().set_voice(servicaja_runtime::voice::voice(&settings.audio));
    let sender = controller.borrow().event_sender();
    services.bind(Arc::new(move |event| {
        sender.send(event);
    }));
    let devices = crate::desk::DeviceHandles {
        printer: services.devices.printer.clone(),
        card_reader: services.devices.card_reader.clone(),
        document_reader: services.devices.document_reader.clone(),
    };
    // The metrics endpoint for the caja's monitoring; one that cannot listen is logged, customers are
    // still served.
    let metrics_source = crate::metrics_source::snapshot_source(services.fleet.clone(), runtime.handle().clone());
    let _metrics = match runtime.block_on(servicaja_host::metrics::serve(&settings.metrics.listen, metrics_source)) {
        Ok(Some(server)) => {
            tracing::info!(address = %server.addr, "metrics at http://{}/metrics", server.addr);
            Some(server)
        }
        Ok(None) => None,
        Err(err) => {
            tracing::error!("{err}");
            None
        }
    };
    let parts = crate::desk::KioskParts { runtime: services.runtime.clone(), client: services.client.clone(), devices };
    let maintenance = crate::desk::attach(&ui, &controller, settings, &host_settings, parts, chrono::Utc::now());
    // Staff reprints through the runtime's journal thread and printer, opened from the desk's staff home.
    let reprint = servicaja_ui::reprint::ReprintScreen::attach(&ui, Box::new(services.runtime.clone()), system_clock());
    servicaja_ui::reprint::link_desk(&reprint, &maintenance);
    #[cfg(feature = "demo")]
    let _demo_panel = match &world {
        Some(world) => Some(crate::demo_panel::open(
            &ui,
            world.emulators.control(),
            services.client.clone(),
            runtime.handle().clone(),
        )?),
        None => None,
    };
    // Remote commands from the central wait while a customer is at the screen (the desk's "enter pending"
    // rule); the session is the window's, so its owner tells the fleet agent.
    let presence = slint::Timer::default();
    let watched = Rc::downgrade(&controller);
    let fleet = services.fleet.clone();
    presence.start(slint::TimerMode::Repeated, std::time::Duration::from_millis(250), move || {
        if let Some(controller) = watched.upgrade()
            && let Ok(controller) = controller.try_borrow()
        {
            fleet.set_customer_active(controller.session().is_active());
        }
    });
    crate::startup_probe::arm();
    // systemd's READY / WATCHDOG / STATUS, ticked on this (the UI) thread; nothing without NOTIFY_SOCKET.
    // The services are up here (`KioskServices::start` returned); the window is once the loop shows it.
    let notifier = {
        let window = ui.as_weak();
        let controller = Rc::downgrade(&controller);
        let started = std::time::Instant::now();
        crate::notify::Notifier::start(
            move || crate::notify::Observed {
                window_shown: window.upgrade().is_some_and(|ui| ui.window().is_visible()),
                services_up: true,
                out_of_service: controller
                    .upgrade()
                    .and_then(|controller| {
                        controller.try_borrow().ok().map(|controller| controller.session().out_of_service_reasons())
                    })
                    .unwrap_or_default(),
            },
            move || started.elapsed(),
        )
    };
    ui.run().map_err(|err| err.to_string())?;
    if let Some(notifier) = &notifier {
        notifier.stopping();
    }
    drop(notifier);
    drop(controller);
    drop(services);
    #[cfg(feature = "demo")]
    drop(world);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_ids_are_unique_and_time_ordered_and_keypads_differ() {
        let mut supply = SystemSupply;
        let ids: Vec<Uuid> = (0..64).map(|_| supply.fresh_id()).collect();
        assert!(ids.iter().all(|id| id.get_version_num() == 7));
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "ids repeat");
        let seeds: std::collections::BTreeSet<u64> = (0..64).map(|_| supply.keypad_seed()).collect();
        assert!(seeds.len() > 60, "keypad seeds repeat: {seeds:?}");
    }

    #[test]
    fn the_session_gets_the_configured_limits_and_tables() {
        let loaded = servicaja_runtime::config::load(None).unwrap();
        let config = loaded.session_config();
        let limit = config.limit_for(servicaja_core::money::Currency::PEN);
        assert!(limit.is_some_and(|limit| limit.is_positive()), "{limit:?}");
    }
}
