//! The metrics exposition read back by a strict parser of the OpenMetrics and classic text formats (every
//! family, label and value of the example snapshot), and the endpoint served over loopback HTTP.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{TimeZone, Utc};
use servicaja_host::metrics::{Format, MetricsSnapshot, exposition, serve};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

type Labels = BTreeMap<String, String>;

#[derive(Debug)]
struct Family {
    kind: String,
    help: String,
    samples: Vec<(Labels, f64)>,
}

impl Family {
    fn value(&self, pairs: &[(&str, &str)]) -> Option<f64> {
        let wanted: Labels = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        self.samples.iter().find(|(labels, _)| *labels == wanted).map(|(_, value)| *value)
    }
}

/// `{k="v",…}` with the exposition's escapes (`\\`, `\"`, `\n`); returns the labels and the rest of the line.
fn parse_labels(text: &str) -> Result<(Labels, &str), String> {
    let mut labels = Labels::new();
    let Some(mut rest) = text.strip_prefix('{') else { return Ok((labels, text)) };
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((labels, after));
        }
        let (key, after) = rest.split_once("=\"").ok_or_else(|| format!("no label value in {text:?}"))?;
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("bad label name {key:?}"));
        }
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => return Err(format!("bad escape {other:?} in {text:?}")),
                },
                Some((i, '"')) => break i,
                Some((_, c)) => value.push(c),
                None => return Err(format!("unterminated label value in {text:?}")),
            }
        };
        if labels.insert(key.to_owned(), value).is_some() {
            return Err(format!("label {key} twice in {text:?}"));
        }
        rest = &after[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

/// A strict reading: each family's `# HELP` then `# TYPE` (gauge or counter) then its samples only; a
/// counter's samples are `<family>_total` and its family is named without `_total` in OpenMetrics, with it
/// in the classic format; no sample twice; OpenMetrics ends with `# EOF` and nothing after it.
fn parse(text: &str, format: Format) -> Result<BTreeMap<String, Family>, String> {
    let mut families = BTreeMap::<String, Family>::new();
    let mut current: Option<String> = None;
    let mut lines = text.lines().peekable();
    let mut eof = false;
    while let Some(line) = lines.next() {
        if eof {
            return Err(format!("{line:?} after # EOF"));
        }
        if line == "# EOF" {
            if format != Format::OpenMetrics {
                return Err("# EOF in the classic format".into());
            }
            eof = true;
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').ok_or("HELP without text")?;
            if families.contains_key(name) {
                return Err(format!("family {name} twice"));
            }
            let type_line = lines.next().ok_or("HELP without TYPE")?;
            let kind = type_line
                .strip_prefix(&format!("# TYPE {name} "))
                .ok_or_else(|| format!("HELP of {name} not followed by its TYPE: {type_line:?}"))?;
            if !["gauge", "counter"].contains(&kind) {
                return Err(format!("{name}: unexpected type {kind}"));
            }
            let base = match (kind, format) {
                ("counter", Format::Text) => {
                    name.strip_suffix("_total").ok_or_else(|| format!("counter {name} without _total"))?
                }
                ("counter", Format::OpenMetrics) if name.ends_with("_total") => {
                    return Err(format!("OpenMetrics counter family {name} with _total"));
                }
                _ => name,
            };
            families
                .insert(base.to_owned(), Family { kind: kind.to_owned(), help: help.to_owned(), samples: Vec::new() });
            current = Some(base.to_owned());
            continue;
        }
        if line.starts_with('#') {
            return Err(format!("unexpected comment {line:?}"));
        }
        let name_end = line.find(['{', ' ']).ok_or_else(|| format!("no value in {line:?}"))?;
        let (name, rest) = line.split_at(name_end);
        let base = current.as_deref().ok_or_else(|| format!("sample {name} before any family"))?;
        let family = families.get_mut(base).expect("current family");
        let expected = if family.kind == "counter" { format!("{base}_total") } else { base.to_owned() };
        if name != expected {
            return Err(format!("sample {name} in family {base}"));
        }
        let (labels, rest) = parse_labels(rest)?;
        let value = rest.strip_prefix(' ').ok_or_else(|| format!("no space before the value in {line:?}"))?;
        let value: f64 = value.parse().map_err(|_| format!("bad value {value:?} in {line:?}"))?;
        if family.samples.iter().any(|(seen, _)| *seen == labels) {
            return Err(format!("sample {line:?} twice"));
        }
        family.samples.push((labels, value));
    }
    if format == Format::OpenMetrics && !eof {
        return Err("no # EOF".into());
    }
    Ok(families)
}

fn example() -> MetricsSnapshot {
    MetricsSnapshot::example(Utc.with_ymd_and_hms(2026, 12, 6, 15, 0, 0).unwrap())
}

const FAMILIES: [&str; 20] = [
    "servicaja_central_last_report_timestamp_seconds",
    "servicaja_central_reachable",
    "servicaja_certificate_readable",
    "servicaja_certificate_remaining_seconds",
    "servicaja_device_action_needed",
    "servicaja_device_state",
    "servicaja_device_up",
    "servicaja_in_service",
    "servicaja_journal_head_sequence",
    "servicaja_kiosk_info",
    "servicaja_operations",
    "servicaja_out_of_service_reason",
    "servicaja_outbox_commands",
    "servicaja_outbox_oldest_pending_seconds",
    "servicaja_paper_left_meters",
    "servicaja_paper_left_ratio",
    "servicaja_paper_receipts_since_change",
    "servicaja_paper_state",
    "servicaja_service_state_since_timestamp_seconds",
    "servicaja_sessions",
];

fn check_example(families: &BTreeMap<String, Family>) {
    let expected: BTreeSet<&str> = FAMILIES.into_iter().collect();
    assert_eq!(families.keys().map(String::as_str).collect::<BTreeSet<_>>(), expected);
    let f = |name: &str| &families[&format!("servicaja_{name}")];
    assert_eq!(f("kiosk_info").value(&[("kiosk", "KSK-TAC-001"), ("agency", "001"), ("version", "0.1.0")]), Some(1.0));
    assert_eq!(f("device_up").value(&[("device", "card-reader")]), Some(0.0));
    assert_eq!(f("device_up").value(&[("device", "printer")]), Some(1.0));
    // A complete state set per device: 3 devices × 6 states, exactly one 1 each.
    assert_eq!(f("device_state").samples.len(), 18);
    assert_eq!(f("device_state").samples.iter().map(|(_, v)| *v).sum::<f64>(), 3.0);
    assert_eq!(f("device_state").value(&[("device", "card-reader"), ("state", "hardwareError")]), Some(1.0));
    assert_eq!(f("device_state").value(&[("device", "card-reader"), ("state", "online")]), Some(0.0));
    assert_eq!(f("device_action_needed").value(&[("device", "card-reader"), ("action", "maintenance")]), Some(1.0));
    assert_eq!(f("device_action_needed").value(&[("device", "printer"), ("action", "clear")]), Some(0.0));
    assert_eq!(f("device_action_needed").samples.iter().map(|(_, v)| *v).sum::<f64>(), 1.0);
    assert_eq!(f("paper_state").value(&[("state", "low")]), Some(1.0));
    assert_eq!(f("paper_state").value(&[("state", "out")]), Some(0.0));
    assert_eq!(f("paper_state").samples.len(), 5);
    assert_eq!(f("paper_left_ratio").value(&[]), Some(0.12));
    assert_eq!(f("paper_left_meters").value(&[]), Some(9.6));
    assert_eq!(f("paper_receipts_since_change").value(&[]), Some(412.0));
    assert_eq!(f("outbox_commands").samples.len(), 7, "every state, even at zero");
    assert_eq!(f("outbox_commands").value(&[("state", "pending")]), Some(2.0));
    assert_eq!(f("outbox_commands").value(&[("state", "done")]), Some(118.0));
    assert_eq!(f("outbox_commands").value(&[("state", "rejected")]), Some(0.0));
    assert_eq!(f("outbox_oldest_pending_seconds").value(&[]), Some(95.0));
    assert_eq!(f("certificate_remaining_seconds").value(&[("role", "kiosk")]), Some(21.0 * 86_400.0));
    assert_eq!(f("certificate_remaining_seconds").value(&[("role", "ca")]), Some(1_460.0 * 86_400.0));
    assert_eq!(f("certificate_remaining_seconds").value(&[("role", "server")]), None, "unreadable: absent");
    assert_eq!(f("certificate_readable").value(&[("role", "server")]), Some(0.0));
    assert_eq!(f("in_service").value(&[]), Some(0.0));
    assert_eq!(f("out_of_service_reason").value(&[("reason", "maintenance")]), Some(1.0));
    let at = Utc.with_ymd_and_hms(2026, 12, 6, 15, 0, 0).unwrap();
    assert_eq!(f("service_state_since_timestamp_seconds").value(&[]), Some((at.timestamp() - 20 * 60) as f64));
    assert_eq!(f("central_last_report_timestamp_seconds").value(&[]), Some((at.timestamp() - 40) as f64));
    assert_eq!(f("central_reachable").value(&[]), Some(1.0));
    assert_eq!(f("sessions").kind, "counter");
    assert_eq!(f("sessions").value(&[]), Some(57.0));
    assert_eq!(f("operations").kind, "counter");
    assert_eq!(f("operations").value(&[("kind", "payment"), ("outcome", "done")]), Some(31.0));
    assert_eq!(f("operations").value(&[("kind", "payment"), ("outcome", "reversed")]), Some(1.0));
    assert_eq!(f("operations").value(&[("kind", "affiliation"), ("outcome", "refused")]), Some(2.0));
    assert_eq!(f("journal_head_sequence").value(&[]), Some(5_231.0));
    for family in families.values() {
        assert!(!family.help.is_empty());
    }
}

#[test]
fn the_openmetrics_exposition_reads_back_with_every_family_label_and_value() {
    let text = exposition(&example(), Format::OpenMetrics);
    let families = parse(&text, Format::OpenMetrics).unwrap_or_else(|err| panic!("{err}\n{text}"));
    check_example(&families);
}

#[test]
fn the_classic_text_exposition_names_counters_with_total_and_has_no_eof() {
    let text = exposition(&example(), Format::Text);
    let families = parse(&text, Format::Text).unwrap_or_else(|err| panic!("{err}\n{text}"));
    check_example(&families);
    assert!(text.contains("# TYPE servicaja_sessions_total counter\n"));
    // The OpenMetrics reading of the classic text fails, so the two parsers do tell the formats apart.
    assert!(parse(&text, Format::OpenMetrics).is_err());
}

#[test]
fn labels_are_only_devices_states_kinds_and_outcomes_never_a_customer() {
    let mut snapshot = example();
    // A device reporting a state outside the vocabulary still shows, under its own name, escaped.
    snapshot.report.devices[0].state = "weird \"state\"\\".into();
    let families = parse(&exposition(&snapshot, Format::OpenMetrics), Format::OpenMetrics).unwrap();
    assert_eq!(
        families["servicaja_device_state"].value(&[("device", "printer"), ("state", "weird \"state\"\\")]),
        Some(1.0)
    );
    let keys: BTreeSet<&str> = families
        .values()
        .flat_map(|f| f.samples.iter().flat_map(|(labels, _)| labels.keys()))
        .map(String::as_str)
        .collect();
    let allowed: BTreeSet<&str> =
        ["kiosk", "agency", "version", "device", "state", "action", "role", "reason", "kind", "outcome"].into();
    assert!(keys.is_subset(&allowed), "{keys:?}");
}

#[test]
fn in_service_there_is_no_reason_and_an_unknown_link_is_absent() {
    let mut snapshot = example();
    snapshot.report.service.in_service = true;
    snapshot.report.service.reason = None;
    snapshot.report.outbox.oldest_pending_seconds = None;
    snapshot.central = Default::default();
    let families = parse(&exposition(&snapshot, Format::OpenMetrics), Format::OpenMetrics).unwrap();
    assert_eq!(families["servicaja_in_service"].value(&[]), Some(1.0));
    assert!(!families.contains_key("servicaja_out_of_service_reason"), "a family without samples is left out");
    assert_eq!(families["servicaja_outbox_oldest_pending_seconds"].value(&[]), Some(0.0));
    assert!(!families.contains_key("servicaja_central_reachable"));
    assert!(!families.contains_key("servicaja_central_last_report_timestamp_seconds"));
}

/// One HTTP/1.1 GET over loopback; the status line, the headers (lower-case names) and the body.
async fn get(
    addr: std::net::SocketAddr,
    path: &str,
    accept: Option<&str>,
) -> (String, BTreeMap<String, String>, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let accept = accept.map(|a| format!("Accept: {a}\r\n")).unwrap_or_default();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{accept}Connection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines.next().unwrap().to_owned();
    let headers =
        lines.filter_map(|line| line.split_once(": ")).map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned())).collect();
    (status, headers, body.to_owned())
}

#[tokio::test]
async fn the_endpoint_serves_a_fresh_snapshot_at_each_scrape_in_the_format_asked() {
    let scrapes = Arc::new(AtomicU64::new(0));
    let counter = scrapes.clone();
    let server = serve(
        "127.0.0.1:0",
        Arc::new(move || {
            let mut snapshot = example();
            snapshot.totals.sessions = 57 + counter.fetch_add(1, Ordering::SeqCst);
            snapshot
        }),
    )
    .await
    .unwrap()
    .expect("a server");

    // What Prometheus sends.
    let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    let (status, headers, body) = get(server.addr, "/metrics", Some(prometheus)).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(headers["content-type"], "application/openmetrics-text; version=1.0.0; charset=utf-8");
    let families = parse(&body, Format::OpenMetrics).unwrap();
    check_example(&families);

    let (status, headers, body) = get(server.addr, "/metrics", None).await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    let families = parse(&body, Format::Text).unwrap();
    assert_eq!(families["servicaja_sessions"].value(&[]), Some(58.0), "the second scrape's own snapshot");

    let (status, _, _) = get(server.addr, "/", None).await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    assert_eq!(scrapes.load(Ordering::SeqCst), 2);

    let addr = server.addr;
    drop(server);
    // Dropped: the port no longer answers (the listener's task is aborted).
    let mut refused = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::task::yield_now().await;
    }
    assert!(refused, "the metrics server still listens after being dropped");
}

#[tokio::test]
async fn an_empty_address_serves_nothing_and_a_taken_one_is_an_error() {
    let snapshot: servicaja_host::metrics::SnapshotFn = Arc::new(example);
    assert!(serve("  ", snapshot.clone()).await.unwrap().is_none());
    let first = serve("127.0.0.1:0", snapshot.clone()).await.unwrap().unwrap();
    let err = serve(&first.addr.to_string(), snapshot).await.err().expect("the port is taken");
    assert!(err.contains("cannot listen on"), "{err}");
}

/// `deploy/monitoring/`: every metric the alert rules and the Grafana dashboard name is one the kiosk
/// exports (a renamed family would leave an alert that can never fire), and the dashboard is JSON.
#[test]
fn the_monitoring_examples_name_only_metrics_the_kiosk_exports() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/monitoring");
    let exported: BTreeSet<String> = exposition(&example(), Format::Text)
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| line[..line.find(['{', ' ']).unwrap()].to_owned())
        .collect();
    let dashboard = std::fs::read_to_string(dir.join("grafana-dashboard.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&dashboard).expect("the dashboard is JSON");
    assert!(json["panels"].as_array().is_some_and(|panels| panels.len() >= 10));
    let mut named = BTreeSet::new();
    for file in ["servicaja-alerts.yml", "grafana-dashboard.json", "servicaja-alerts.test.yml"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("servicaja_") {
            let tail = &rest[at..];
            let end = tail.find(|c: char| !(c.is_ascii_lowercase() || c == '_')).unwrap_or(tail.len());
            named.insert(tail[..end].to_owned());
            rest = &tail[end..];
        }
    }
    let unknown: Vec<_> = named.difference(&exported).collect();
    assert!(unknown.is_empty(), "named in deploy/monitoring but not exported: {unknown:?}");
    assert!(named.len() >= 12, "{named:?}");
}
