//! The kiosk's metrics for the caja's monitoring (Prometheus, or Zabbix reading the same text): the facts
//! of the fleet status report and the cumulative activity totals, encoded as the OpenMetrics text
//! exposition by `prometheus-client`, and served over plain HTTP at `/metrics` on a local address.
//!
//! Each scrape asks a snapshot closure for the facts as they are now and encodes them into a fresh
//! registry, so nothing here keeps state of its own and nothing can drift from the status report. Nothing
//! in the exposition identifies a customer: devices, states, kinds and outcomes, never a card, a name or
//! an operation's id.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use servicaja_core::api::{Activity, CertificateRole, PaperSensor, StatusReport};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// What one scrape shows: the facts of a status report as they are now, plus the totals since the kiosk
/// started (a report's `activity` counts only since the previous report; Prometheus wants counters that
/// only grow, and detects a restart by their going back to zero).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsSnapshot {
    pub report: StatusReport,
    /// Customer sessions and operations since the kiosk process started.
    pub totals: Activity,
    /// The kiosk's link to the central, when the snapshot knows it.
    pub central: CentralLink,
}

/// What the kiosk knows of its link to the central.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CentralLink {
    /// Whether the last exchange with the central succeeded; `None` before the first one.
    pub reachable: Option<bool>,
    /// When a status report was last delivered.
    pub last_report_at: Option<DateTime<Utc>>,
}

impl MetricsSnapshot {
    /// A snapshot with every family present (a device in fault, paper low, commands pending, an expired
    /// certificate, out of service): what the README's table shows, what the tests parse back and what CI
    /// feeds to `promtool check metrics` (`cargo run -p servicaja-host --example metrics_exposition`).
    pub fn example(now: DateTime<Utc>) -> Self {
        use servicaja_core::api::{
            CertificateReport, DeviceErrorItem, DeviceReportItem, JournalHeadReport, OperationCount, OutboxReport,
            PaperReportItem, ReportTrigger, ServiceReport, StateCount,
        };
        let count = |kind: &str, outcome: &str, count| OperationCount {
            kind: kind.to_owned(),
            outcome: outcome.to_owned(),
            count,
        };
        let report = StatusReport {
            report_id: "r-example".into(),
            kiosk_id: "KSK-TAC-001".into(),
            agency: "001".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            sent_at: now,
            trigger: ReportTrigger::Periodic,
            devices: vec![
                DeviceReportItem { device: "printer".into(), state: "online".into(), action: None, last_error: None },
                DeviceReportItem {
                    device: "card-reader".into(),
                    state: "hardwareError".into(),
                    action: Some("maintenance".into()),
                    last_error: Some(DeviceErrorItem {
                        at: now - chrono::Duration::minutes(3),
                        state: "hardwareError".into(),
                        action: Some("maintenance".into()),
                        detail: "no answer".into(),
                    }),
                },
                DeviceReportItem {
                    device: "document-reader".into(),
                    state: "online".into(),
                    action: None,
                    last_error: None,
                },
            ],
            paper: PaperReportItem {
                state: PaperSensor::Low,
                left_percent: 12,
                left_mm: 9_600,
                receipts_since_change: 412,
            },
            outbox: OutboxReport {
                counts: vec![
                    StateCount { state: "pending".into(), count: 2 },
                    StateCount { state: "done".into(), count: 118 },
                ],
                oldest_pending_seconds: Some(95),
            },
            certificates: vec![
                CertificateReport { role: CertificateRole::Ca, days_left: Some(1_460) },
                CertificateReport { role: CertificateRole::Kiosk, days_left: Some(21) },
                CertificateReport { role: CertificateRole::Server, days_left: None },
            ],
            service: ServiceReport {
                in_service: false,
                reason: Some("maintenance".into()),
                note: None,
                since: now - chrono::Duration::minutes(20),
            },
            activity: Activity::default(),
            journal_head: JournalHeadReport { seq: 5_231, hash: "ab".repeat(32) },
            acks: Vec::new(),
        };
        let totals = Activity {
            sessions: 57,
            operations: vec![
                count("payment", "done", 31),
                count("payment", "reversed", 1),
                count("affiliation", "refused", 2),
            ],
        };
        Self {
            report,
            totals,
            central: CentralLink { reachable: Some(true), last_report_at: Some(now - chrono::Duration::seconds(40)) },
        }
    }
}

/// The closure the server asks at every scrape. It may block (it runs on a blocking thread).
pub type SnapshotFn = Arc<dyn Fn() -> MetricsSnapshot + Send + Sync>;

/// The media type of the OpenMetrics text exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Every device state of the XFS4IoT vocabulary, so a state set is complete (a state no device is in reads
/// 0 rather than being absent, which alert rules can rely on).
pub const DEVICE_STATES: [&str; 6] = ["online", "offline", "busy", "hardwareError", "userError", "noDevice"];
/// The actions a device may need.
pub const DEVICE_ACTIONS: [&str; 2] = ["clear", "maintenance"];
/// The outbox states always shown, even at zero.
pub const OUTBOX_STATES: [&str; 7] = ["pending", "in_flight", "done", "rejected", "expired", "cancelled", "standby"];
const PAPER_STATES: [(PaperSensor, &str); 5] = [
    (PaperSensor::Full, "full"),
    (PaperSensor::Low, "low"),
    (PaperSensor::Out, "out"),
    (PaperSensor::Jammed, "jammed"),
    (PaperSensor::Unknown, "unknown"),
];

type Labels = Vec<(String, String)>;

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect()
}

fn flag(on: bool) -> i64 {
    i64::from(on)
}

fn role_name(role: CertificateRole) -> &'static str {
    match role {
        CertificateRole::Ca => "ca",
        CertificateRole::Kiosk => "kiosk",
        CertificateRole::Server => "server",
    }
}

/// Registers a gauge family and returns it for filling.
fn gauges(registry: &mut Registry, name: &str, help: &str) -> Family<Labels, Gauge> {
    let family = Family::<Labels, Gauge>::default();
    registry.register(name, help, family.clone());
    family
}

fn gauge(registry: &mut Registry, name: &str, help: &str, value: i64) {
    let gauge = Gauge::<i64>::default();
    gauge.set(value);
    registry.register(name, help, gauge);
}

fn float_gauge(registry: &mut Registry, name: &str, help: &str, value: f64) {
    let gauge = Gauge::<f64, AtomicU64>::default();
    gauge.set(value);
    registry.register(name, help, gauge);
}

/// The registry of one snapshot. Names are given without the `servicaja_` prefix the registry adds, and
/// counters without the `_total` suffix the encoder adds.
fn registry_of(snapshot: &MetricsSnapshot) -> Registry {
    let report = &snapshot.report;
    let mut registry = Registry::with_prefix("servicaja");

    let info = gauges(&mut registry, "kiosk_info", "The kiosk's id, agency and software version (always 1)");
    info.get_or_create(&labels(&[
        ("kiosk", &report.kiosk_id),
        ("agency", &report.agency),
        ("version", &report.version),
    ]))
    .set(1);

    let up = gauges(&mut registry, "device_up", "Whether the device is online or busy (1) or not (0)");
    let state =
        gauges(&mut registry, "device_state", "The device's XFS4IoT state: 1 for its present state, 0 for the others");
    let action = gauges(
        &mut registry,
        "device_action_needed",
        "What the device needs: clear (staff) or maintenance (a technician); 1 when needed",
    );
    for device in &report.devices {
        let name = device.device.as_str();
        up.get_or_create(&labels(&[("device", name)])).set(flag(matches!(device.state.as_str(), "online" | "busy")));
        for known in DEVICE_STATES {
            state.get_or_create(&labels(&[("device", name), ("state", known)])).set(flag(device.state == known));
        }
        if !DEVICE_STATES.contains(&device.state.as_str()) {
            state.get_or_create(&labels(&[("device", name), ("state", &device.state)])).set(1);
        }
        for known in DEVICE_ACTIONS {
            action
                .get_or_create(&labels(&[("device", name), ("action", known)]))
                .set(flag(device.action.as_deref() == Some(known)));
        }
    }

    let paper = &report.paper;
    let paper_state =
        gauges(&mut registry, "paper_state", "The printer's paper sensor: 1 for its present state, 0 for the others");
    for (sensor, name) in PAPER_STATES {
        paper_state.get_or_create(&labels(&[("state", name)])).set(flag(paper.state == sensor));
    }
    float_gauge(
        &mut registry,
        "paper_left_ratio",
        "The share of the receipt roll left, 0 to 1, as the paper counter estimates it",
        f64::from(paper.left_percent.min(100)) / 100.0,
    );
    // Metres, the base unit: the counter works in millimetres and `millimeters` is not a base unit.
    float_gauge(
        &mut registry,
        "paper_left_meters",
        "The length of receipt roll left in metres, as the paper counter estimates it",
        paper.left_mm as f64 / 1000.0,
    );
    gauge(
        &mut registry,
        "paper_receipts_since_change",
        "Receipts printed since the roll was changed",
        i64::try_from(paper.receipts_since_change).unwrap_or(i64::MAX),
    );

    let outbox = gauges(&mut registry, "outbox_commands", "Commands in the outbox by state");
    for known in OUTBOX_STATES {
        let count = report.outbox.counts.iter().find(|entry| entry.state == known).map_or(0, |entry| entry.count);
        outbox.get_or_create(&labels(&[("state", known)])).set(i64::try_from(count).unwrap_or(i64::MAX));
    }
    for entry in report.outbox.counts.iter().filter(|entry| !OUTBOX_STATES.contains(&entry.state.as_str())) {
        outbox.get_or_create(&labels(&[("state", &entry.state)])).set(i64::try_from(entry.count).unwrap_or(i64::MAX));
    }
    gauge(
        &mut registry,
        "outbox_oldest_pending_seconds",
        "Age of the oldest command not yet sent or answered, in seconds (0 when there is none)",
        report.outbox.oldest_pending_seconds.unwrap_or(0).max(0),
    );

    // Seconds, the base unit (the report counts whole days): alert rules compare with `30 * 86400`.
    let certificates = gauges(
        &mut registry,
        "certificate_remaining_seconds",
        "Time until the certificate expires in seconds, whole days (negative: expired), by role: ca, kiosk, server; absent when unreadable",
    );
    let readable = gauges(&mut registry, "certificate_readable", "Whether the certificate could be read, by role");
    for certificate in &report.certificates {
        let role = role_name(certificate.role);
        readable.get_or_create(&labels(&[("role", role)])).set(flag(certificate.days_left.is_some()));
        if let Some(days) = certificate.days_left {
            certificates.get_or_create(&labels(&[("role", role)])).set(days.saturating_mul(86_400));
        }
    }

    let service = &report.service;
    gauge(
        &mut registry,
        "in_service",
        "Whether the kiosk serves customers (1) or is out of service (0)",
        flag(service.in_service),
    );
    let reason = gauges(
        &mut registry,
        "out_of_service_reason",
        "Why the kiosk is out of service (1 for the present reason; absent in service)",
    );
    if !service.in_service {
        reason.get_or_create(&labels(&[("reason", service.reason.as_deref().unwrap_or("other"))])).set(1);
    }
    gauge(
        &mut registry,
        "service_state_since_timestamp_seconds",
        "When the kiosk entered its present service state (Unix time)",
        service.since.timestamp(),
    );

    let sessions = Counter::<u64>::default();
    sessions.inc_by(snapshot.totals.sessions);
    registry.register("sessions", "Customer sessions since the kiosk started", sessions);
    let operations = Family::<Labels, Counter>::default();
    registry.register(
        "operations",
        "Customer operations since the kiosk started, by kind and outcome",
        operations.clone(),
    );
    for entry in &snapshot.totals.operations {
        operations.get_or_create(&labels(&[("kind", &entry.kind), ("outcome", &entry.outcome)])).inc_by(entry.count);
    }

    gauge(
        &mut registry,
        "journal_head_sequence",
        "The sequence number of the journal's last record (0: empty journal)",
        report.journal_head.seq,
    );

    if let Some(reachable) = snapshot.central.reachable {
        gauge(
            &mut registry,
            "central_reachable",
            "Whether the last exchange with the central succeeded",
            flag(reachable),
        );
    }
    if let Some(at) = snapshot.central.last_report_at {
        gauge(
            &mut registry,
            "central_last_report_timestamp_seconds",
            "When a status report was last delivered to the central (Unix time)",
            at.timestamp(),
        );
    }
    registry
}

/// The two text formats a scraper may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// OpenMetrics 1.0 text (what Prometheus asks for): counters' `# TYPE` without `_total`, `# EOF` last.
    OpenMetrics,
    /// The classic Prometheus text format 0.0.4 (what `curl`, Zabbix and `promtool check metrics` read).
    Text,
}

impl Format {
    /// The format for a request's `Accept` header: OpenMetrics when the scraper names it, else the classic
    /// text, as Prometheus' own Go client negotiates.
    pub fn negotiate(accept: Option<&str>) -> Self {
        match accept {
            Some(accept) if accept.contains("application/openmetrics-text") => Self::OpenMetrics,
            _ => Self::Text,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::OpenMetrics => CONTENT_TYPE,
            Self::Text => TEXT_CONTENT_TYPE,
        }
    }
}

/// The media type of the classic Prometheus text format.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The text exposition of one snapshot in `format`.
pub fn exposition(snapshot: &MetricsSnapshot, format: Format) -> String {
    let mut text = String::new();
    // Writing into a String cannot fail; the encoder returns fmt::Error only from its writer.
    encode(&mut text, &registry_of(snapshot)).expect("writing to a String");
    match format {
        Format::OpenMetrics => text,
        Format::Text => classic_text(&text),
    }
}

/// OpenMetrics text → the classic format: the two differ, for what this module encodes (gauges and
/// counters, no units, exemplars or created times), only in a counter family's name on its `# HELP` and
/// `# TYPE` lines (`x` in OpenMetrics, `x_total` like its samples in the classic format) and in `# EOF`.
fn classic_text(openmetrics: &str) -> String {
    let counters: Vec<&str> =
        openmetrics.lines().filter_map(|line| line.strip_prefix("# TYPE ")?.strip_suffix(" counter")).collect();
    let mut text = String::with_capacity(openmetrics.len() + 16 * counters.len());
    for line in openmetrics.lines() {
        if line == "# EOF" {
            continue;
        }
        let descriptor = ["# HELP ", "# TYPE "].into_iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let (name, tail) = rest.split_once(' ')?;
            counters.contains(&name).then(|| format!("{prefix}{name}_total {tail}"))
        });
        match descriptor {
            Some(renamed) => text.push_str(&renamed),
            None => text.push_str(line),
        }
        text.push('\n');
    }
    text
}

async fn metrics(State(snapshot): State<SnapshotFn>, headers: HeaderMap) -> Response {
    let format = Format::negotiate(headers.get(header::ACCEPT).and_then(|value| value.to_str().ok()));
    // The closure may block (device handles, the outbox's database): off the async workers.
    match tokio::task::spawn_blocking(move || exposition(&snapshot(), format)).await {
        Ok(text) => ([(header::CONTENT_TYPE, format.content_type())], text).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "metrics snapshot failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "metrics snapshot failed\n").into_response()
        }
    }
}

/// The router: `GET /metrics`, nothing else.
pub fn router(snapshot: SnapshotFn) -> Router {
    Router::new().route("/metrics", get(metrics)).with_state(snapshot)
}

/// A running metrics server.
pub struct MetricsServer {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `listen` (`host:port`; empty: metrics off, `Ok(None)`) and serves `/metrics` on the current tokio
/// runtime until the returned server is dropped.
pub async fn serve(listen: &str, snapshot: SnapshotFn) -> Result<Option<MetricsServer>, String> {
    let listen = listen.trim();
    if listen.is_empty() {
        return Ok(None);
    }
    let listener =
        TcpListener::bind(listen).await.map_err(|err| format!("metrics: cannot listen on {listen}: {err}"))?;
    let addr = listener.local_addr().map_err(|err| format!("metrics: {err}"))?;
    let app = router(snapshot);
    let task = tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(error = %err, "the metrics server stopped");
        }
    });
    Ok(Some(MetricsServer { addr, task }))
}
