//! The kiosk UI's figures for issue 7, printed as a small table (run with `cargo bench -p servicaja --bench
//! ui`): process start to first frame of `servicaja run` (measured from outside; needs a display, e.g.
//! Xvfb), full-frame render time with the software renderer at 1280×1024 and 1080×1920, and resident memory
//! idle on the attract screen (in this process, headless, and of the whole demo process).
//!
//! Hand-timed rather than criterion: two of the three figures are one-shot process measurements, and the
//! render loop only needs a median over a few dozen frames.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::{ComponentHandle, PhysicalSize, Rgb8Pixel};

use servicaja_ui::{KioskWindow, LAYOUTS};

const FRAMES: usize = 30;
const START_RUNS: usize = 5;

struct HeadlessPlatform {
    window: Rc<MinimalSoftwareWindow>,
}

impl slint::platform::Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn slint::platform::WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// Draws one full frame (a fresh buffer, the whole window repainted).
fn render_frame(window: &MinimalSoftwareWindow, buffer: &mut [Rgb8Pixel], width: u32) -> Duration {
    slint::platform::update_timers_and_animations();
    let started = Instant::now();
    window.request_redraw();
    window.draw_if_needed(|renderer| {
        renderer.render(buffer, width as usize);
    });
    started.elapsed()
}

/// Spawns `servicaja run` with a probe and returns the time until the probe's line and the line.
fn probe_run(dir: &std::path::Path, probe: &str) -> Option<(Duration, String)> {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_servicaja"))
        .arg("run")
        .current_dir(dir)
        .env("SERVICAJA_PROBE", probe)
        .env("SERVICAJA_PROBE_IDLE_SECS", "5")
        .env("RUST_LOG", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let stdout = child.stdout.take()?;
    let mut found = None;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        if line == "first-frame" || line.starts_with("vmrss-kib") {
            found = Some((started.elapsed(), line));
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    found
}

fn main() {
    // Cargo passes `--bench`; nothing to filter here.
    println!("ServiCaja UI bench (release build, software renderer)");

    if std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let runs: Vec<Duration> =
            (0..START_RUNS).filter_map(|_| probe_run(dir.path(), "first-frame")).map(|(time, _)| time).collect();
        if let Some(cold) = runs.first() {
            println!("start → first frame, `servicaja run` demo (cold: new data dir, PKI made): {}", ms(*cold));
            println!(
                "start → first frame, `servicaja run` demo (warm, median of {}): {}",
                runs.len() - 1,
                ms(median(runs[1..].to_vec()))
            );
        } else {
            println!("start → first frame: the kiosk did not report a frame (see `servicaja run`)");
        }
        match probe_run(dir.path(), "idle-rss") {
            Some((_, line)) => println!(
                "resident memory, `servicaja run` demo idle 5 s on the attract screen (kiosk + panel + simulator): {} KiB",
                line.trim_start_matches("vmrss-kib ")
            ),
            None => println!("resident memory of `servicaja run`: not reported"),
        }
    } else {
        println!("start → first frame: skipped (no DISPLAY; run under Xvfb)");
    }

    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(HeadlessPlatform { window: window.clone() })).expect("headless platform");
    let before = resident_kib();
    let ui = KioskWindow::new().expect("the kiosk window");
    ui.show().expect("show");
    for (layout, width, height) in LAYOUTS {
        window.set_size(PhysicalSize::new(width, height));
        let mut buffer = vec![Rgb8Pixel::new(0, 0, 0); width as usize * height as usize];
        // The first frame loads fonts and images; it is reported apart.
        let first = render_frame(&window, &mut buffer, width);
        let frames: Vec<Duration> = (0..FRAMES).map(|_| render_frame(&window, &mut buffer, width)).collect();
        let fastest = frames.iter().min().copied().unwrap_or_default();
        println!(
            "full-frame render, attract screen, {layout} {width}×{height}: median {} (min {}, first {}), {FRAMES} frames",
            ms(median(frames)),
            ms(fastest),
            ms(first)
        );
    }
    window.set_size(PhysicalSize::new(1280, 1024));
    let mut buffer = vec![Rgb8Pixel::new(0, 0, 0); 1280 * 1024];
    render_frame(&window, &mut buffer, 1280);
    println!(
        "resident memory, headless kiosk window idle on the attract screen (this process): {} KiB ({} KiB before the window)",
        resident_kib(),
        before
    );
}
