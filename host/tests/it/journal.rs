//! The electronic journal on a real SQLite file: chaining, tamper detection, append-only triggers,
//! exports, the reprint lookup and the disk budget.

use chrono::{DateTime, NaiveDate, Utc};
use servicaja_host::journal::{
    ExportFormat, Journal, JournalEvent, MaskedCard, Outcome, ReceiptQuery, SafeText, start_of_day,
};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn at(d: u32, hour: i64) -> DateTime<Utc> {
    start_of_day(day(d)) + chrono::Duration::hours(hour)
}

fn receipt(operation: &str, last4: &str) -> JournalEvent {
    JournalEvent::Receipt {
        session: Some("S1".into()),
        operation: operation.into(),
        card: MaskedCard::from_last4(last4),
        title: SafeText::new("CONSTANCIA DE PAGO").unwrap(),
        text: SafeText::new(format!(
            "PAGO DE CUOTA\nOperación: {operation}\nTarjeta: **** **** **** {last4}\nS/ 1,234.56"
        ))
        .unwrap(),
        printed: true,
    }
}

fn fill(journal: &mut Journal) {
    journal
        .append(
            at(20, 9),
            &JournalEvent::SessionStarted { session: "S1".into(), card: MaskedCard::from_pan("4213550012345678") },
        )
        .unwrap();
    journal
        .append(
            at(20, 9),
            &JournalEvent::Operation {
                session: Some("S1".into()),
                operation: "000101".into(),
                kind: "payment".into(),
                card: MaskedCard::from_last4("5678"),
                amount: Some("S/ 1,234.56".into()),
                outcome: Outcome::Approved,
                detail: SafeText::new("ok").unwrap(),
                command_key: None,
            },
        )
        .unwrap();
    journal.append(at(20, 9), &receipt("000101", "5678")).unwrap();
    journal.append(at(21, 10), &receipt("000102", "9999")).unwrap();
    journal
        .append(
            at(22, 11),
            &JournalEvent::DeviceError { device: "printer".into(), error: SafeText::new("paper out").unwrap() },
        )
        .unwrap();
}

#[test]
fn an_intact_chain_verifies_and_each_record_links_to_the_previous() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("j.sqlite"), 512).unwrap();
    fill(&mut journal);
    let report = journal.verify().unwrap();
    assert_eq!((report.records, report.first_broken), (5, None));
    let third = journal.get(3).unwrap().unwrap();
    assert_eq!(third.prev_hash, journal.get(2).unwrap().unwrap().hash);
    assert_eq!(journal.hash_of(5).unwrap().unwrap(), report.last_hash);
}

#[test]
fn the_journal_refuses_updates_and_deletes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    let mut journal = Journal::open(&path, 512).unwrap();
    fill(&mut journal);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let update = conn.execute("UPDATE journal SET body = '{}' WHERE seq = 2", []).unwrap_err();
    assert!(update.to_string().contains("append-only"));
    assert!(conn.execute("DELETE FROM journal WHERE seq = 5", []).is_err());
}

#[test]
fn verify_names_the_first_altered_or_missing_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    let mut journal = Journal::open(&path, 512).unwrap();
    fill(&mut journal);
    // An attacker with the file can drop the triggers: the chain still tells.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete;").unwrap();
    conn.execute("UPDATE journal SET body = replace(body, '1,234.56', '1.00') WHERE seq = 3", []).unwrap();
    let broken = journal.verify().unwrap().first_broken.unwrap();
    assert_eq!(broken.seq, 3);
    assert!(broken.reason.contains("altered"), "{}", broken.reason);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    let mut journal = Journal::open(&path, 512).unwrap();
    fill(&mut journal);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER journal_no_delete;").unwrap();
    conn.execute("DELETE FROM journal WHERE seq = 2", []).unwrap();
    let broken = journal.verify().unwrap().first_broken.unwrap();
    assert_eq!(broken.seq, 3);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
}

#[test]
fn exports_cover_the_peruvian_dates_asked_in_jsonl_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("j.sqlite"), 512).unwrap();
    fill(&mut journal);
    let mut jsonl = Vec::new();
    assert_eq!(journal.export(day(20), day(21), ExportFormat::Jsonl, &mut jsonl).unwrap(), 4);
    let lines: Vec<serde_json::Value> =
        String::from_utf8(jsonl).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["event"]["type"], "session_started");
    assert_eq!(lines[0]["event"]["card"], "**** **** **** 5678");
    assert!(lines[3]["at"].as_str().unwrap().ends_with("-05:00"));
    let mut csv = Vec::new();
    assert_eq!(journal.export(day(22), day(22), ExportFormat::Csv, &mut csv).unwrap(), 1);
    let csv = String::from_utf8(csv).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "seq,at,type,session,operation,card,body,prev_hash,hash");
    assert!(rows[1].starts_with("\"5\",\"2026-11-22T11:00:00.000-05:00\",\"device_error\""), "{}", rows[1]);
    assert!(rows[1].contains("\"\"paper out\"\""), "quotes are doubled: {}", rows[1]);
}

#[test]
fn staff_find_receipts_by_operation_card_and_dates_for_reprints() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("j.sqlite"), 512).unwrap();
    fill(&mut journal);
    let by_operation =
        journal.find_receipts(&ReceiptQuery { operation: Some("000101".into()), ..Default::default() }).unwrap();
    assert_eq!(by_operation.len(), 1);
    let JournalEvent::Receipt { text, .. } = &by_operation[0].event else { panic!("not a receipt") };
    assert!(text.as_str().contains("S/ 1,234.56"));
    let by_card =
        journal.find_receipts(&ReceiptQuery { card_last4: Some("9999".into()), ..Default::default() }).unwrap();
    assert_eq!(by_card.iter().map(|r| r.seq).collect::<Vec<_>>(), [4]);
    let by_date = journal
        .find_receipts(&ReceiptQuery {
            from: Some(start_of_day(day(21))),
            to: Some(start_of_day(day(22))),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_date.len(), 1);
    assert_eq!(journal.find_receipts(&ReceiptQuery::default()).unwrap().len(), 2);

    let (original, appended) = journal.reprint(at(23, 8), "staff01", 3).unwrap();
    assert_eq!(original, by_operation[0]);
    let reprint = journal.get(appended.seq).unwrap().unwrap();
    assert_eq!(
        reprint.event,
        JournalEvent::Reprint { operation: "000101".into(), staff: "staff01".into(), original_seq: 3 }
    );
    assert!(journal.reprint(at(23, 8), "staff01", 1).is_err(), "a session start is not a receipt");
}

#[test]
fn over_its_disk_budget_the_journal_raises_one_alert_and_keeps_writing() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("j.sqlite"), 1).unwrap();
    let big = "X".repeat(64 * 1024);
    let mut over = Vec::new();
    for i in 0..24 {
        let event = JournalEvent::Maintenance {
            user: "tec01".into(),
            action: format!("log {i}"),
            detail: SafeText::new(big.clone()).unwrap(),
        };
        over.push(journal.append(at(20, 1), &event).unwrap().over_budget);
    }
    assert!(!over[0] && *over.last().unwrap(), "{over:?}");
    let alerts = journal
        .range(start_of_day(day(1)), start_of_day(day(30)))
        .unwrap()
        .into_iter()
        .filter(|r| matches!(r.event, JournalEvent::Alert { .. }))
        .count();
    assert_eq!(alerts, 1);
    assert_eq!(journal.len().unwrap(), 25, "every record was written, plus the alert");
    assert_eq!(journal.verify().unwrap().first_broken, None);
}
