//! systemd's service notifications (`sd_notify`): `READY=1` once the window shows with the devices and the
//! outbox up, `WATCHDOG=1` from a timer on the Slint event loop, `STATUS=` in service / out of service and why.
//!
//! The pings come from the UI thread on purpose: a frozen screen (a hung callback, a deadlock on the UI
//! thread) stops them, and systemd restarts the kiosk (`WatchdogSec=` in `deploy/systemd/servicaja.service`).
//! What to send and when is the pure [`Plan`] (state and time in, messages out); [`Notifier`] is the thin
//! shell that ticks it from a `slint::Timer` and writes the datagrams with the `sd-notify` crate. Without
//! `NOTIFY_SOCKET` (demo mode, a terminal) no timer is started and nothing changes.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use servicaja_session::state::{OutOfServiceReason, StorageProblem};
use servicaja_session::{Device, DeviceStatus, SwitchOffReason};

/// How often the loop's timer looks at the kiosk when the watchdog asks for nothing faster: STATUS follows
/// an out-of-service change within this time.
const STATUS_POLL: Duration = Duration::from_secs(1);

/// One line of a notification datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Ready,
    Watchdog,
    Status(String),
    Stopping,
}

/// What the shell sees of the kiosk at a tick.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The kiosk window is visible (the event loop runs and has shown it).
    pub window_shown: bool,
    /// The drivers, the host client and the outbox have started (`KioskServices::start` returned).
    pub services_up: bool,
    /// Why the kiosk cannot serve customers now; empty when it can.
    pub out_of_service: Vec<OutOfServiceReason>,
}

/// The decision: what to tell systemd at a tick of the UI loop, given what it sees and the loop's time.
#[derive(Debug, Clone)]
pub struct Plan {
    ping_every: Option<Duration>,
    ready: bool,
    status: Option<String>,
    last_ping: Option<Duration>,
}

impl Plan {
    /// A plan for a service whose watchdog interval is `watchdog` (`WATCHDOG_USEC`), if any. Pings go at
    /// half the interval, as sd_watchdog_enabled(3) recommends, so one late tick is not yet a restart.
    pub fn new(watchdog: Option<Duration>) -> Self {
        let ping_every = watchdog.filter(|interval| !interval.is_zero()).map(|interval| interval / 2);
        Self { ping_every, ready: false, status: None, last_ping: None }
    }

    /// The interval between two `WATCHDOG=1`, when systemd watches the kiosk.
    pub fn ping_every(&self) -> Option<Duration> {
        self.ping_every
    }

    /// How often the UI loop's timer should call [`Plan::tick`]: the ping interval divided evenly into
    /// steps no longer than [`STATUS_POLL`].
    pub fn tick_every(&self) -> Duration {
        match self.ping_every {
            Some(ping) if ping > STATUS_POLL => {
                let steps = ping.as_nanos().div_ceil(STATUS_POLL.as_nanos()).max(1);
                ping / u32::try_from(steps).unwrap_or(u32::MAX)
            }
            Some(ping) => ping.max(Duration::from_millis(1)),
            None => STATUS_POLL,
        }
    }

    /// Whether `READY=1` has been decided.
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// The messages for a tick at `now` (the loop's monotonic time). Nothing before the window shows with the
    /// services up; then `READY=1` with the first STATUS once, STATUS again whenever it changes, and
    /// `WATCHDOG=1` each ping interval. A ping before READY would be ignored by systemd (its start timeout
    /// covers that time), so none is sent.
    pub fn tick(&mut self, observed: &Observed, now: Duration) -> Vec<Message> {
        let mut messages = Vec::new();
        if !self.ready {
            if !(observed.window_shown && observed.services_up) {
                return messages;
            }
            self.ready = true;
            messages.push(Message::Ready);
        }
        let status = status_text(&observed.out_of_service);
        if self.status.as_ref() != Some(&status) {
            self.status = Some(status.clone());
            messages.push(Message::Status(status));
        }
        if let Some(ping_every) = self.ping_every {
            // Half a tick of slack: a timer that fires a little early must not skip a whole interval.
            let due = self.last_ping.is_none_or(|last| now.saturating_sub(last) + self.tick_every() / 2 >= ping_every);
            if due {
                self.last_ping = Some(now);
                messages.push(Message::Watchdog);
            }
        }
        messages
    }
}

/// The STATUS line: what `systemctl status servicaja` shows the technician.
pub fn status_text(reasons: &[OutOfServiceReason]) -> String {
    if reasons.is_empty() {
        return "in service".to_owned();
    }
    let reasons: Vec<String> = reasons.iter().map(reason_text).collect();
    format!("out of service: {}", reasons.join("; "))
}

fn reason_text(reason: &OutOfServiceReason) -> String {
    match reason {
        OutOfServiceReason::HostUnreachable => "central unreachable".to_owned(),
        OutOfServiceReason::Device { device, status } => {
            format!("{}: {}", device_text(*device), status_text_of(*status))
        }
        OutOfServiceReason::SwitchedOff(reason) => format!(
            "switched off by a technician ({})",
            match reason {
                SwitchOffReason::Maintenance => "scheduled maintenance".to_owned(),
                SwitchOffReason::PrinterFault => "printer fault".to_owned(),
                SwitchOffReason::ConnectionFault => "connection fault".to_owned(),
                SwitchOffReason::Other(text) => format!("\"{text}\""),
            }
        ),
        OutOfServiceReason::Maintenance => "maintenance mode in use".to_owned(),
        OutOfServiceReason::Storage(StorageProblem::WriteFailed) => "storage: a write failed".to_owned(),
        OutOfServiceReason::Storage(StorageProblem::LowSpace) => "storage: free space below the reserve".to_owned(),
    }
}

fn device_text(device: Device) -> &'static str {
    match device {
        Device::CardReader => "card reader",
        Device::DocumentReader => "document reader",
        Device::Printer => "printer",
    }
}

fn status_text_of(status: DeviceStatus) -> &'static str {
    match status {
        DeviceStatus::Online => "online",
        DeviceStatus::Offline => "offline",
        DeviceStatus::HardwareError => "hardware error",
        DeviceStatus::UserError => "needs attention",
        DeviceStatus::Busy => "busy",
        DeviceStatus::NoDevice => "not found",
    }
}

/// Sends messages the way `sd_notify(3)` does: one datagram to `NOTIFY_SOCKET`, a line per message.
fn send(messages: &[Message]) {
    if messages.is_empty() {
        return;
    }
    let states: Vec<sd_notify::NotifyState<'_>> = messages
        .iter()
        .map(|message| match message {
            Message::Ready => sd_notify::NotifyState::Ready,
            Message::Watchdog => sd_notify::NotifyState::Watchdog,
            Message::Status(text) => sd_notify::NotifyState::Status(text),
            Message::Stopping => sd_notify::NotifyState::Stopping,
        })
        .collect();
    if let Err(err) = sd_notify::notify(&states) {
        tracing::warn!(%err, "cannot notify systemd");
    }
}

/// The shell: ticks a [`Plan`] from timers on the Slint event loop of the thread that starts it.
pub struct Notifier {
    plan: Rc<RefCell<Plan>>,
    _first: slint::Timer,
    _ticks: slint::Timer,
}

impl Notifier {
    /// Starts notifying when systemd asked for it (`NOTIFY_SOCKET` set): a tick at the loop's first turn,
    /// then every [`Plan::tick_every`]. `observe` reads the kiosk, `clock` the loop's monotonic time. Call
    /// it on the UI thread before the event loop runs; `None` (and no timer) without `NOTIFY_SOCKET`.
    pub fn start(observe: impl Fn() -> Observed + 'static, clock: impl Fn() -> Duration + 'static) -> Option<Self> {
        std::env::var_os("NOTIFY_SOCKET")?;
        let plan = Rc::new(RefCell::new(Plan::new(sd_notify::watchdog_enabled())));
        let every = plan.borrow().tick_every();
        tracing::info!(ping_every = ?plan.borrow().ping_every(), "notifying systemd");
        let tick = {
            let plan = plan.clone();
            Rc::new(move || {
                let messages = plan.borrow_mut().tick(&observe(), clock());
                send(&messages);
            })
        };
        let first = slint::Timer::default();
        let first_tick = tick.clone();
        first.start(slint::TimerMode::SingleShot, Duration::ZERO, move || first_tick());
        let ticks = slint::Timer::default();
        ticks.start(slint::TimerMode::Repeated, every, move || tick());
        Some(Self { plan, _first: first, _ticks: ticks })
    }

    /// Tells systemd the kiosk is stopping (the window was closed), so a clean exit is not taken for a crash.
    pub fn stopping(&self) {
        if self.plan.borrow().is_ready() {
            send(&[Message::Stopping]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(out_of_service: Vec<OutOfServiceReason>) -> Observed {
        Observed { window_shown: true, services_up: true, out_of_service }
    }

    fn secs(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    #[test]
    fn nothing_until_the_window_shows_with_the_services_up_then_ready_once() {
        let mut plan = Plan::new(Some(secs(30)));
        let hidden = Observed { window_shown: false, services_up: true, out_of_service: vec![] };
        assert!(plan.tick(&hidden, secs(0)).is_empty());
        let starting = Observed { window_shown: true, services_up: false, out_of_service: vec![] };
        assert!(plan.tick(&starting, secs(1)).is_empty());
        assert_eq!(
            plan.tick(&up(vec![]), secs(2)),
            vec![Message::Ready, Message::Status("in service".into()), Message::Watchdog]
        );
        assert!(plan.tick(&up(vec![]), secs(3)).is_empty(), "READY and STATUS are not repeated");
    }

    #[test]
    fn pings_go_at_half_the_watchdog_interval() {
        let mut plan = Plan::new(Some(secs(30)));
        assert_eq!(plan.ping_every(), Some(secs(15)));
        assert_eq!(plan.tick_every(), secs(1));
        let mut pings = Vec::new();
        for second in 0..=61 {
            if plan.tick(&up(vec![]), secs(second)).contains(&Message::Watchdog) {
                pings.push(second);
            }
        }
        assert_eq!(pings, vec![0, 15, 30, 45, 60]);
    }

    #[test]
    fn a_short_watchdog_ticks_at_the_ping_interval_and_a_late_tick_still_pings() {
        let plan = Plan::new(Some(Duration::from_millis(200)));
        assert_eq!(plan.tick_every(), Duration::from_millis(100));
        // 7 s does not divide into whole seconds: 4 steps of 875 ms.
        assert_eq!(Plan::new(Some(secs(7))).tick_every(), Duration::from_millis(875));
        let mut plan = Plan::new(Some(secs(2)));
        plan.tick(&up(vec![]), Duration::from_millis(0));
        assert!(plan.tick(&up(vec![]), Duration::from_millis(990)).contains(&Message::Watchdog));
        assert!(plan.tick(&up(vec![]), Duration::from_millis(2600)).contains(&Message::Watchdog));
    }

    #[test]
    fn without_a_watchdog_only_ready_and_status_are_sent() {
        let mut plan = Plan::new(None);
        assert_eq!(plan.tick_every(), STATUS_POLL);
        assert_eq!(plan.tick(&up(vec![]), secs(0)), vec![Message::Ready, Message::Status("in service".into())]);
        assert!(plan.tick(&up(vec![]), secs(100)).is_empty());
        assert_eq!(Plan::new(Some(Duration::ZERO)).ping_every(), None);
    }

    #[test]
    fn status_follows_the_out_of_service_reasons() {
        let mut plan = Plan::new(None);
        plan.tick(&up(vec![]), secs(0));
        let reasons = vec![
            OutOfServiceReason::HostUnreachable,
            OutOfServiceReason::Device { device: Device::CardReader, status: DeviceStatus::Offline },
        ];
        assert_eq!(
            plan.tick(&up(reasons.clone()), secs(1)),
            vec![Message::Status("out of service: central unreachable; card reader: offline".into())]
        );
        assert!(plan.tick(&up(reasons), secs(2)).is_empty());
        assert_eq!(plan.tick(&up(vec![]), secs(3)), vec![Message::Status("in service".into())]);
        assert_eq!(
            status_text(&[
                OutOfServiceReason::SwitchedOff(SwitchOffReason::Other("cambio de rollo".into())),
                OutOfServiceReason::Storage(StorageProblem::LowSpace),
                OutOfServiceReason::Maintenance,
            ]),
            "out of service: switched off by a technician (\"cambio de rollo\"); storage: free space below the \
             reserve; maintenance mode in use"
        );
    }

    /// The tests against a real Unix datagram socket. `sd-notify` reads `NOTIFY_SOCKET` and `WATCHDOG_USEC`
    /// from the environment, which a test may not change under the other tests' threads: each case runs in a
    /// child process of this test binary, started with the variables set, that binds the socket itself and
    /// runs one `#[ignore]`d test (the parent checks that it ran and passed).
    mod socket {
        use super::super::*;
        use std::cell::Cell;
        use std::os::unix::net::UnixDatagram;
        use std::process::Command;
        use std::sync::{Arc, Mutex};
        use std::time::Instant;

        use servicaja_session::Event;
        use servicaja_ui::KioskWindow;
        use servicaja_ui::rig::Rig;
        use slint::ComponentHandle;

        fn run_child(test: &str, watchdog_usec: Option<&str>, with_socket: bool) {
            let dir = tempfile::tempdir().unwrap();
            let mut command = Command::new(std::env::current_exe().unwrap());
            command
                .args([&format!("notify::tests::socket::{test}"), "--exact", "--ignored", "--test-threads=1"])
                .env_remove("NOTIFY_SOCKET")
                .env_remove("WATCHDOG_USEC")
                .env_remove("WATCHDOG_PID");
            if with_socket {
                command.env("NOTIFY_SOCKET", dir.path().join("notify.sock"));
            }
            if let Some(usec) = watchdog_usec {
                command.env("WATCHDOG_USEC", usec);
            }
            let output = command.output().unwrap();
            let stdout = String::from_utf8_lossy(&output.stdout);
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "{test} failed:\n{stdout}\n{stderr}");
            assert!(stdout.contains("1 passed"), "{test} did not run:\n{stdout}");
        }

        fn bind() -> UnixDatagram {
            let path = std::env::var_os("NOTIFY_SOCKET").expect("the parent sets NOTIFY_SOCKET");
            UnixDatagram::bind(path).unwrap()
        }

        /// Every datagram waiting on the (non-blocking) socket.
        fn waiting(socket: &UnixDatagram) -> Vec<String> {
            let mut datagrams = Vec::new();
            let mut buffer = [0u8; 4096];
            while let Ok(len) = socket.recv(&mut buffer) {
                datagrams.push(String::from_utf8_lossy(&buffer[..len]).into_owned());
            }
            datagrams
        }

        #[test]
        fn ready_after_the_window_pings_at_half_the_interval_and_status_on_out_of_service() {
            run_child("child_on_mock_time", Some("10000000"), true);
        }

        #[test]
        #[ignore = "run by its parent test in a child process with NOTIFY_SOCKET set"]
        fn child_on_mock_time() {
            let socket = bind();
            socket.set_nonblocking(true).unwrap();
            i_slint_backend_testing::init_no_event_loop();
            let ui = KioskWindow::new().unwrap();
            let rig = Rig::new(&ui);
            let now = Rc::new(Cell::new(Duration::ZERO));
            let window = ui.as_weak();
            let controller = Rc::downgrade(&rig.controller);
            let clock = now.clone();
            let notifier = Notifier::start(
                move || Observed {
                    window_shown: window.upgrade().is_some_and(|ui| ui.window().is_visible()),
                    services_up: true,
                    out_of_service: controller
                        .upgrade()
                        .map(|controller| controller.borrow().session().out_of_service_reasons())
                        .unwrap_or_default(),
                },
                move || clock.get(),
            )
            .expect("NOTIFY_SOCKET is set");
            let advance = |ms: u64| {
                now.set(now.get() + Duration::from_millis(ms));
                i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(ms));
            };

            // The loop turns, but the window is not shown yet: nothing.
            advance(0);
            advance(1000);
            assert_eq!(waiting(&socket), Vec::<String>::new());

            ui.show().unwrap();
            advance(1000);
            assert_eq!(waiting(&socket), vec!["READY=1\nSTATUS=in service\nWATCHDOG=1\n"]);

            // WATCHDOG_USEC = 10 s: the next ping 5 s later, not before.
            for _ in 0..4 {
                advance(1000);
                assert_eq!(waiting(&socket), Vec::<String>::new());
            }
            advance(1000);
            assert_eq!(waiting(&socket), vec!["WATCHDOG=1\n"]);

            rig.send(Event::Host { reachable: false });
            advance(1000);
            assert_eq!(waiting(&socket), vec!["STATUS=out of service: central unreachable\n"]);
            rig.send(Event::Host { reachable: true });
            advance(1000);
            assert_eq!(waiting(&socket), vec!["STATUS=in service\n"]);

            notifier.stopping();
            assert_eq!(waiting(&socket), vec!["STOPPING=1\n"]);
        }

        #[test]
        fn pings_stop_while_the_ui_loop_is_blocked() {
            run_child("child_with_a_blocked_loop", Some("200000"), true);
        }

        #[test]
        #[ignore = "run by its parent test in a child process with NOTIFY_SOCKET set"]
        fn child_with_a_blocked_loop() {
            let socket = bind();
            socket.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
            let started = Instant::now();
            let received: Arc<Mutex<Vec<(Duration, String)>>> = Arc::default();
            let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let listener = {
                let (received, done) = (received.clone(), done.clone());
                std::thread::spawn(move || {
                    let mut buffer = [0u8; 4096];
                    while !done.load(std::sync::atomic::Ordering::SeqCst) {
                        if let Ok(len) = socket.recv(&mut buffer) {
                            let text = String::from_utf8_lossy(&buffer[..len]).into_owned();
                            received.lock().unwrap().push((started.elapsed(), text));
                        }
                    }
                })
            };
            i_slint_backend_testing::init_integration_test_with_system_time();
            let notifier = Notifier::start(
                || Observed { window_shown: true, services_up: true, out_of_service: vec![] },
                move || started.elapsed(),
            )
            .expect("NOTIFY_SOCKET is set");
            // The test hook: a callback on the UI thread that hangs for a second, as a deadlock would.
            let hang = slint::Timer::default();
            hang.start(slint::TimerMode::SingleShot, Duration::from_millis(600), || {
                std::thread::sleep(Duration::from_millis(1000));
            });
            let quit = slint::Timer::default();
            quit.start(slint::TimerMode::SingleShot, Duration::from_millis(2600), || {
                let _ = slint::quit_event_loop();
            });
            slint::run_event_loop_until_quit().unwrap();
            drop(notifier);
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            listener.join().unwrap();

            let received = received.lock().unwrap();
            assert!(received.first().is_some_and(|(_, text)| text.starts_with("READY=1\n")), "{received:?}");
            let pings: Vec<Duration> =
                received.iter().filter(|(_, text)| text.contains("WATCHDOG=1")).map(|(at, _)| *at).collect();
            let (gap_start, gap) = pings
                .windows(2)
                .map(|pair| (pair[0], pair[1] - pair[0]))
                .max_by_key(|(_, gap)| *gap)
                .expect("pings were sent");
            // Pings every 100 ms, then none for the second the loop hung: longer than WATCHDOG_USEC, so
            // systemd would have restarted the kiosk. They resume when the loop does.
            assert!(gap >= Duration::from_millis(900), "longest gap {gap:?} in {pings:?}");
            assert!(gap_start >= Duration::from_millis(400) && gap_start <= Duration::from_millis(800), "{pings:?}");
            assert!(pings.iter().filter(|at| **at < gap_start).count() >= 2, "{pings:?}");
            assert!(pings.iter().filter(|at| **at > gap_start + gap).count() >= 2, "{pings:?}");
        }

        #[test]
        fn without_notify_socket_nothing_is_started() {
            run_child("child_without_a_socket", Some("200000"), false);
        }

        #[test]
        #[ignore = "run by its parent test in a child process without NOTIFY_SOCKET"]
        fn child_without_a_socket() {
            assert!(std::env::var_os("NOTIFY_SOCKET").is_none());
            let notifier = Notifier::start(
                || Observed { window_shown: true, services_up: true, out_of_service: vec![] },
                || Duration::ZERO,
            );
            assert!(notifier.is_none());
        }
    }
}
