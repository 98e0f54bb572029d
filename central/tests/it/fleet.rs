//! The fleet routes over mutual TLS: reports stored and listed, commands delivered in the replies until the
//! kiosk acknowledges them, journal and log uploads, and the journal-head check that flags a kiosk whose
//! head went backwards or was rewritten under the same sequence.

use chrono::Duration;
use serde_json::{Value, json};
use servicaja_core::api::{
    Activity, CommandAck, CommandAction, CommandOutcome, FleetKiosk, FleetKioskDetail, JournalHeadReport, OutboxReport,
    PaperReportItem, PaperSensor, ReportReply, ReportTrigger, ServiceReport, StatusReport, StoredReport, paths,
};

use crate::harness::{Harness, start_instant};

fn report(kiosk: &str, n: u32, head: (i64, &str), acks: Vec<CommandAck>) -> StatusReport {
    StatusReport {
        report_id: format!("{kiosk}-r{n}"),
        kiosk_id: kiosk.into(),
        agency: "001".into(),
        version: "0.1.0".into(),
        sent_at: start_instant(),
        trigger: if n == 0 { ReportTrigger::Start } else { ReportTrigger::Periodic },
        devices: Vec::new(),
        paper: PaperReportItem {
            state: PaperSensor::Full,
            left_percent: 90,
            left_mm: 72_000,
            receipts_since_change: 3,
        },
        outbox: OutboxReport { counts: Vec::new(), oldest_pending_seconds: None },
        certificates: Vec::new(),
        service: ServiceReport { in_service: true, reason: None, note: None, since: start_instant() },
        activity: Activity::default(),
        journal_head: JournalHeadReport { seq: head.0, hash: head.1.into() },
        acks,
    }
}

async fn send(h: &Harness, report: &StatusReport) -> ReportReply {
    let body = serde_json::to_value(report).unwrap();
    serde_json::from_value(h.post_keyed(paths::FLEET_REPORTS, None, Some(&report.report_id), &body).await.ok()).unwrap()
}

async fn kiosk(h: &Harness, id: &str) -> FleetKioskDetail {
    serde_json::from_value(h.get(&paths::fill(paths::FLEET_KIOSK, "kiosk_id", id), None).await.ok()).unwrap()
}

async fn queue(h: &Harness, id: &str, action: Value) -> String {
    let path = paths::fill(paths::FLEET_KIOSK_COMMANDS, "kiosk_id", id);
    let command = h.post(&path, None, &json!({"issued_by": "ops-7", "action": action})).await.ok();
    command["command_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn reports_are_stored_and_commands_ride_the_replies_until_acknowledged() {
    let h = Harness::start_with(true).await;
    assert!(send(&h, &report("KSK-1", 0, (10, "aa"), Vec::new())).await.commands.is_empty());
    let out = queue(&h, "KSK-1", json!({"type": "go_out_of_service", "reason": "Arqueo de caja"})).await;
    let odd = queue(&h, "KSK-1", json!({"type": "reboot_the_world"})).await;
    h.clock.advance(Duration::seconds(60));
    let reply = send(&h, &report("KSK-1", 1, (12, "bb"), Vec::new())).await;
    assert_eq!(reply.commands.len(), 2);
    assert_eq!(reply.commands[0].command_id, out);
    assert_eq!(reply.commands[0].action, CommandAction::GoOutOfService { reason: "Arqueo de caja".into() });
    assert_eq!(reply.commands[0].issued_by, "ops-7");
    assert_eq!(reply.commands[1].action, CommandAction::Unknown, "an action the kiosk does not know reads as Unknown");
    // The same report again (a retry after a lost answer) replays the same answer.
    let replayed = h
        .post_keyed(
            paths::FLEET_REPORTS,
            None,
            Some("KSK-1-r1"),
            &serde_json::to_value(report("KSK-1", 1, (12, "bb"), Vec::new())).unwrap(),
        )
        .await;
    assert!(replayed.replayed);
    // Not acknowledged: delivered again.
    assert_eq!(send(&h, &report("KSK-1", 2, (12, "bb"), Vec::new())).await.commands.len(), 2);
    let acks = vec![
        CommandAck {
            command_id: out.clone(),
            outcome: CommandOutcome::Done,
            at: start_instant(),
            detail: String::new(),
        },
        CommandAck {
            command_id: odd.clone(),
            outcome: CommandOutcome::Refused,
            at: start_instant(),
            detail: "unknown".into(),
        },
    ];
    let mut acked = report("KSK-1", 3, (13, "cc"), acks);
    acked.service = ServiceReport {
        in_service: false,
        reason: Some("remote".into()),
        note: Some("Arqueo de caja".into()),
        since: start_instant(),
    };
    assert!(send(&h, &acked).await.commands.is_empty());

    let list: Vec<FleetKiosk> = serde_json::from_value(h.get(paths::FLEET_KIOSKS, None).await.ok()).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].reports, list[0].in_service, list[0].journal_head.seq), (4, false, 13));
    assert_eq!(list[0].head_alert, None);
    let detail = kiosk(&h, "KSK-1").await;
    assert_eq!(detail.last_report.report_id, "KSK-1-r3");
    let outcomes: Vec<_> = detail.commands.iter().map(|c| c.ack.as_ref().map(|a| a.outcome)).collect();
    assert_eq!(outcomes, vec![Some(CommandOutcome::Refused), Some(CommandOutcome::Done)], "newest first");
    assert!(detail.commands.iter().all(|c| c.delivered_at.is_some()));
    let history: Vec<StoredReport> = serde_json::from_value(
        h.get(&format!("{}?limit=2", paths::fill(paths::FLEET_KIOSK_REPORTS, "kiosk_id", "KSK-1")), None).await.ok(),
    )
    .unwrap();
    assert_eq!(history.iter().map(|r| r.report.report_id.as_str()).collect::<Vec<_>>(), ["KSK-1-r3", "KSK-1-r2"]);
    h.get(&paths::fill(paths::FLEET_KIOSK, "kiosk_id", "KSK-9"), None).await.problem("not_found");
}

#[tokio::test]
async fn a_journal_head_that_goes_backwards_or_is_rewritten_flags_the_kiosk_for_good() {
    let h = Harness::start_with(true).await;
    send(&h, &report("KSK-A", 0, (40, "h40"), Vec::new())).await;
    send(&h, &report("KSK-A", 1, (41, "h41"), Vec::new())).await;
    assert_eq!(kiosk(&h, "KSK-A").await.kiosk.head_alert, None, "a head moving forward is fine");
    send(&h, &report("KSK-A", 2, (35, "h35"), Vec::new())).await;
    let alert = kiosk(&h, "KSK-A").await.kiosk.head_alert.expect("flagged");
    assert_eq!(alert.report_id, "KSK-A-r2");
    assert!(
        alert.detail.contains("backwards") && alert.detail.contains("35") && alert.detail.contains("41"),
        "{alert:?}"
    );
    send(&h, &report("KSK-A", 3, (42, "h42"), Vec::new())).await;
    let detail = kiosk(&h, "KSK-A").await;
    assert_eq!(detail.kiosk.head_alert.map(|a| a.report_id), Some("KSK-A-r2".into()), "the flag stays");
    assert_eq!(detail.kiosk.journal_head.seq, 42);

    send(&h, &report("KSK-B", 0, (7, "h7"), Vec::new())).await;
    send(&h, &report("KSK-B", 1, (7, "other"), Vec::new())).await;
    let alert = kiosk(&h, "KSK-B").await.kiosk.head_alert.expect("a hash changed under the same sequence");
    assert!(alert.detail.contains("rewritten"), "{alert:?}");
    let history: Vec<StoredReport> =
        serde_json::from_value(h.get(&paths::fill(paths::FLEET_KIOSK_REPORTS, "kiosk_id", "KSK-B"), None).await.ok())
            .unwrap();
    assert!(history[0].head_alert.is_some() && history[1].head_alert.is_none());
}

#[tokio::test]
async fn journal_records_and_logs_are_stored_against_their_command() {
    let h = Harness::start_with(true).await;
    send(&h, &report("KSK-1", 0, (3, "h3"), Vec::new())).await;
    let upload = queue(&h, "KSK-1", json!({"type": "upload_journal", "from_seq": 1, "to_seq": 3})).await;
    let records: Vec<Value> = (1..=3)
        .map(|seq| {
            json!({"seq": seq, "at": "2026-03-10T15:00:00Z", "prev_hash": format!("h{}", seq - 1),
                          "hash": format!("h{seq}"), "event": {"type": "alert", "message": "x"}})
        })
        .collect();
    let receipt = h
        .post(
            paths::FLEET_JOURNAL_UPLOADS,
            None,
            &json!({"kiosk_id": "KSK-1", "command_id": upload, "records": records, "last": true}),
        )
        .await
        .ok();
    assert_eq!(receipt, json!({"stored": 3, "chain_intact": true}));
    let broken = json!([{"seq": 4, "at": "2026-03-10T15:00:00Z", "prev_hash": "zz", "hash": "h4", "event": {}}]);
    let receipt = h
        .post(
            paths::FLEET_JOURNAL_UPLOADS,
            None,
            &json!({"kiosk_id": "KSK-1", "command_id": upload, "records": broken, "last": true}),
        )
        .await
        .ok();
    assert_eq!(receipt["chain_intact"], json!(false));
    // A head that agrees with the uploaded copy is fine; one that contradicts it is flagged.
    send(&h, &report("KSK-1", 1, (3, "h3"), Vec::new())).await;
    assert_eq!(kiosk(&h, "KSK-1").await.kiosk.head_alert, None);
    send(&h, &report("KSK-1", 2, (4, "not-h4"), Vec::new())).await;
    let alert = kiosk(&h, "KSK-1").await.kiosk.head_alert.expect("contradicts the uploaded record 4");
    assert!(alert.detail.contains("uploaded"), "{alert:?}");
    h.post(
        paths::FLEET_JOURNAL_UPLOADS,
        None,
        &json!({"kiosk_id": "KSK-1", "command_id": "nope", "records": [], "last": true}),
    )
    .await
    .problem("not_found");

    let logs = queue(&h, "KSK-1", json!({"type": "send_logs", "day": "2026-03-09"})).await;
    let receipt = h
        .post(
            paths::FLEET_LOGS,
            None,
            &json!({"kiosk_id": "KSK-1", "command_id": logs, "day": "2026-03-09",
              "file_name": "servicaja.log.2026-03-09", "content": "line 1\nline 2\n", "truncated": false}),
        )
        .await
        .ok();
    assert_eq!(receipt, json!({"bytes": 14}));
    let detail = kiosk(&h, "KSK-1").await;
    assert_eq!(detail.journal_records, 4);
    assert_eq!(detail.log_days, vec!["2026-03-09".parse().unwrap()]);
}

#[tokio::test]
async fn without_the_kiosk_certificate_no_report_gets_in() {
    let h = Harness::start_with(true).await;
    let stranger = crate::harness::client(h.central(), false);
    let sent = stranger
        .post(format!("{}{}", h.base, paths::FLEET_REPORTS))
        .header("Idempotency-Key", "x")
        .json(&report("KSK-1", 0, (1, "h1"), Vec::new()))
        .send()
        .await;
    assert!(sent.is_err(), "the TLS handshake refuses a client without a certificate");
}
