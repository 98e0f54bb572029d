//! Start-up probes for the UI bench (`benches/ui.rs`): with `SERVICAJA_PROBE=first-frame` the kiosk prints
//! `first-frame` and exits as soon as its event loop has shown the window; with `SERVICAJA_PROBE=idle-rss`
//! it waits on the attract screen for `SERVICAJA_PROBE_IDLE_SECS` (default 5) and prints `vmrss-kib N`.
//! Without the variable nothing happens.

use std::io::Write;
use std::time::Duration;

/// The kiosk's resident memory in KiB, from `/proc/self/status`.
pub fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn report_and_exit(line: &str) {
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
    // A probe run ends here: nothing it started needs an orderly shutdown.
    std::process::exit(0);
}

/// Arms the probe named by `SERVICAJA_PROBE`; call it just before the event loop runs.
pub fn arm() {
    match std::env::var("SERVICAJA_PROBE").as_deref() {
        // The first timer turn of the event loop comes after the window was mapped and its first frame drawn.
        Ok("first-frame") => slint::Timer::single_shot(Duration::ZERO, || report_and_exit("first-frame")),
        Ok("idle-rss") => {
            let idle = std::env::var("SERVICAJA_PROBE_IDLE_SECS").ok().and_then(|secs| secs.parse().ok()).unwrap_or(5);
            slint::Timer::single_shot(Duration::from_secs(idle), || {
                report_and_exit(&format!("vmrss-kib {}", resident_kib().unwrap_or(0)));
            });
        }
        _ => {}
    }
}
