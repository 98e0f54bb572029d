//! Prints the metrics exposition of the example snapshot (`MetricsSnapshot::example`, every family
//! present) in the classic text format, or OpenMetrics with `--openmetrics`: what CI pipes into
//! `promtool check metrics`.

use servicaja_host::metrics::{Format, MetricsSnapshot, exposition};

fn main() {
    let format = if std::env::args().any(|arg| arg == "--openmetrics") { Format::OpenMetrics } else { Format::Text };
    print!("{}", exposition(&MetricsSnapshot::example(chrono::Utc::now()), format));
}
