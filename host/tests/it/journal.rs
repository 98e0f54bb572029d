//! The electronic journal on a real SQLite file: chaining, tamper detection, append-only triggers,
//! exports, the reprint lookup and the disk budget; the sealed head beside it (a lost, emptied, truncated
//! or rewritten database, a tampered or deleted head), damaged pages and `quick_check`.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use servicaja_host::journal::{
    ExportFormat, GENESIS_HASH, HashedFields, HeadCheck, JOURNAL_FILE, Journal, JournalError, JournalEvent,
    JournalHead, MaskedCard, Outcome, ReceiptQuery, SafeText, head_path, start_of_day,
};
use servicaja_host::seal::KEY_FILE;
use uuid::Uuid;

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
        .append(at(20, 9), &JournalEvent::SessionStarted { session: "S1".into(), card: MaskedCard::from_last4("5678") })
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

/// A filled journal whose file was changed behind its back by `sql`, verified.
fn tampered(sql: &str) -> servicaja_host::journal::BrokenRecord {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j.sqlite");
    let mut journal = Journal::open(&path, 512).unwrap();
    fill(&mut journal);
    rusqlite::Connection::open(&path).unwrap().execute_batch(sql).unwrap();
    journal.verify().unwrap().first_broken.unwrap()
}

#[test]
fn verify_names_the_first_altered_or_missing_record() {
    // An attacker with the file can drop the triggers: the chain still tells.
    let broken = tampered(
        "DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete; \
         UPDATE journal SET body = replace(body, '1,234.56', '1.00') WHERE seq = 3;",
    );
    assert_eq!(broken.seq, 3);
    assert!(broken.reason.contains("altered"), "{}", broken.reason);

    let broken = tampered("DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq = 2;");
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
    assert_eq!(journal.sealed_head().unwrap().unwrap().seq, 25, "the head is sealed after the alert too");
}

/// A kiosk's data directory with a filled journal, closed (its WAL folded into the file).
fn filled_kiosk() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(JOURNAL_FILE);
    let mut journal = Journal::open(&path, 512).unwrap();
    fill(&mut journal);
    drop(journal);
    (dir, path)
}

fn sidecars(path: &Path) -> [PathBuf; 2] {
    ["-wal", "-shm"].map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
}

/// Rewrites `prev_hash` and `hash` of every record from `from` on, the way the journal computes them: what
/// someone who can run SQL on the file does after editing a record.
fn rechain_from(conn: &rusqlite::Connection, from: i64) {
    let mut prev: String = conn
        .query_row("SELECT hash FROM journal WHERE seq = ?1", [from - 1], |r| r.get(0))
        .unwrap_or(GENESIS_HASH.into());
    type Row = (i64, i64, String, Option<String>, Option<String>, Option<String>, String);
    let rows: Vec<Row> = conn
        .prepare(
            "SELECT seq, at_ms, kind, session, operation, card_last4, body FROM journal WHERE seq >= ?1 ORDER BY seq",
        )
        .unwrap()
        .query_map([from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (seq, at_ms, kind, session, operation, card_last4, body) in rows {
        let hash = HashedFields {
            seq,
            at_ms,
            kind: &kind,
            session: session.as_deref(),
            operation: operation.as_deref(),
            card_last4: card_last4.as_deref(),
            body: &body,
            prev_hash: &prev,
        }
        .hash();
        conn.execute("UPDATE journal SET prev_hash = ?1, hash = ?2 WHERE seq = ?3", rusqlite::params![prev, hash, seq])
            .unwrap();
        prev = hash;
    }
}

#[test]
fn a_new_kiosk_creates_its_journal_its_sealed_head_and_its_key() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(JOURNAL_FILE);
    let mut journal = Journal::open(&path, 512).unwrap();
    assert_eq!(journal.head_path(), dir.path().join("journal.head"));
    assert_eq!(head_path(&path), dir.path().join("journal.head"));
    assert_eq!(
        journal.sealed_head().unwrap(),
        Some(JournalHead { seq: 0, hash: GENESIS_HASH.into(), records: 0 }),
        "an empty journal is sealed at once"
    );
    for file in ["journal.head", KEY_FILE] {
        let mode = std::fs::metadata(dir.path().join(file)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    fill(&mut journal);
    let last = journal.last().unwrap();
    assert_eq!(last.seq, 5);
    assert_eq!(journal.sealed_head().unwrap(), Some(last.clone()));
    let report = journal.verify().unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.head, HeadCheck::Sealed(last));
    drop(journal);
    let reopened = Journal::open(&path, 512).unwrap();
    assert_eq!(reopened.len().unwrap(), 5);
    let sealed_version: i64 = reopened_connection(&path).query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(sealed_version, 1, "the database says its head is sealed");
}

fn reopened_connection(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn a_deleted_journal_database_stops_the_kiosk_instead_of_starting_an_empty_one() {
    let (_dir, path) = filled_kiosk();
    std::fs::remove_file(&path).unwrap();
    for sidecar in sidecars(&path) {
        let _ = std::fs::remove_file(sidecar);
    }
    let err = Journal::open(&path, 512).unwrap_err();
    assert!(matches!(err, JournalError::DatabaseLost { records: 5, seq: 5, .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("missing or empty but its sealed head says 5 records up to seq 5"), "{message}");
    assert!(message.contains("the kiosk will not start"), "{message}");
    assert!(!path.exists(), "no fresh journal was created in its place");
    let audit = Journal::open_existing(&path).unwrap_err();
    assert!(matches!(audit, JournalError::DatabaseLost { .. }), "the audit says the same: {audit}");
}

#[test]
fn a_zero_length_journal_database_stops_the_kiosk() {
    let (_dir, path) = filled_kiosk();
    std::fs::File::create(&path).unwrap().set_len(0).unwrap();
    let err = Journal::open(&path, 512).unwrap_err();
    assert!(matches!(err, JournalError::DatabaseLost { records: 5, seq: 5, .. }), "{err}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0, "left as found");
    assert!(matches!(Journal::open_existing(&path).unwrap_err(), JournalError::DatabaseLost { .. }));

    // A database emptied of its records (or replaced by a new empty one) is the same loss.
    let (_dir, path) = filled_kiosk();
    let conn = reopened_connection(&path);
    conn.execute_batch("DROP TRIGGER journal_no_delete; DELETE FROM journal;").unwrap();
    drop(conn);
    assert!(matches!(Journal::open(&path, 512).unwrap_err(), JournalError::DatabaseLost { .. }));
}

#[test]
fn deleting_the_last_records_is_found_by_verify_and_refused_at_open() {
    let (_dir, path) = filled_kiosk();
    let conn = reopened_connection(&path);
    conn.execute_batch("DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq >= 4;").unwrap();
    drop(conn);

    let report = Journal::open_existing(&path).unwrap().verify().unwrap();
    assert!(!report.is_intact());
    assert_eq!(report.records, 3, "the chain itself is intact");
    let broken = report.first_broken.unwrap();
    assert_eq!(broken.seq, 4, "the first missing record");
    assert!(broken.reason.contains("records 4 to 5 are missing"), "{}", broken.reason);
    assert!(broken.reason.contains("the last records were deleted"), "{}", broken.reason);

    let err = Journal::open(&path, 512).unwrap_err();
    assert!(matches!(err, JournalError::Truncated { last: 3, seq: 5, .. }), "{err}");
    assert!(err.to_string().contains("ends at record 3 but its sealed head says 5 records"), "{err}");
}

#[test]
fn an_edited_record_with_the_chain_recomputed_is_found_by_verify_and_refused_at_open() {
    let (_dir, path) = filled_kiosk();
    let conn = reopened_connection(&path);
    conn.execute_batch("DROP TRIGGER journal_no_update;").unwrap();
    conn.execute("UPDATE journal SET body = replace(body, '1,234.56', '1.00') WHERE seq = 3", []).unwrap();
    rechain_from(&conn, 3);
    drop(conn);

    // The chain alone no longer tells.
    let journal = Journal::open_existing(&path).unwrap();
    let report = journal.verify().unwrap();
    assert_eq!(report.records, 5);
    let broken = report.first_broken.clone().unwrap();
    assert_eq!(broken.seq, 5, "the sealed head's record");
    assert!(broken.reason.contains("changed and the chain recomputed"), "{}", broken.reason);
    assert!(!report.is_intact());
    // An audit tool's append does not overwrite the evidence.
    drop(journal);
    let mut tool = Journal::open_existing(&path).unwrap();
    let event = JournalEvent::Maintenance {
        user: "tec01".into(),
        action: "login".into(),
        detail: SafeText::new("ok").unwrap(),
    };
    tool.append(at(23, 1), &event).unwrap();
    assert_eq!(tool.sealed_head().unwrap().unwrap().seq, 5);
    drop(tool);

    let err = Journal::open(&path, 512).unwrap_err();
    assert!(matches!(err, JournalError::Rewritten { seq: 5, .. }), "{err}");
}

#[test]
fn a_tampered_or_deleted_head_file_is_detected() {
    let (dir, path) = filled_kiosk();
    let head = dir.path().join("journal.head");
    let sealed = std::fs::read_to_string(&head).unwrap();
    assert!(sealed.contains("\\\"seq\\\":5"), "{sealed}");
    std::fs::write(&head, sealed.replace("\\\"seq\\\":5", "\\\"seq\\\":3")).unwrap();
    let err = Journal::open(&path, 512).unwrap_err();
    assert!(matches!(err, JournalError::HeadUnusable(_)), "{err}");
    assert!(err.to_string().contains("fails its seal"), "{err}");
    let report = Journal::open_existing(&path).unwrap().verify().unwrap();
    assert!(matches!(&report.head, HeadCheck::Unusable(why) if why.contains("MAC does not match")), "{report:?}");
    assert!(!report.is_intact());

    // A head sealed with another key (the key file replaced) fails the same way.
    std::fs::write(&head, &sealed).unwrap();
    std::fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
    assert!(matches!(Journal::open(&path, 512).unwrap_err(), JournalError::HeadUnusable(_)));

    // A deleted head is noticed: the database says it was sealed.
    let (dir, path) = filled_kiosk();
    std::fs::remove_file(dir.path().join("journal.head")).unwrap();
    let err = Journal::open(&path, 512).unwrap_err();
    assert!(matches!(err, JournalError::HeadMissing { .. }), "{err}");
    let report = Journal::open_existing(&path).unwrap().verify().unwrap();
    assert!(matches!(&report.head, HeadCheck::Unusable(why) if why.contains("missing")), "{report:?}");
}

#[test]
fn a_head_one_record_behind_is_a_stop_between_commit_and_seal_and_is_caught_up() {
    let (dir, path) = filled_kiosk();
    let head = dir.path().join("journal.head");
    let behind = std::fs::read(&head).unwrap();
    let mut journal = Journal::open(&path, 512).unwrap();
    let event = JournalEvent::DeviceError { device: "printer".into(), error: SafeText::new("cover open").unwrap() };
    journal.append(at(22, 12), &event).unwrap();
    drop(journal);
    std::fs::write(&head, behind).unwrap();
    let journal = Journal::open_existing(&path).unwrap();
    let report = journal.verify().unwrap();
    assert!(report.is_intact(), "{report:?}");
    drop(journal);
    let journal = Journal::open(&path, 512).unwrap();
    assert_eq!(journal.sealed_head().unwrap().unwrap().seq, 6, "sealed again at the last record");
}

#[test]
fn a_journal_kept_without_a_head_gets_one_with_an_alert_saying_so() {
    let (dir, path) = filled_kiosk();
    std::fs::remove_file(dir.path().join("journal.head")).unwrap();
    reopened_connection(&path).execute_batch("PRAGMA user_version = 0").unwrap();
    let report = Journal::open_existing(&path).unwrap().verify().unwrap();
    assert_eq!(report.head, HeadCheck::NotSealed);
    assert!(report.is_intact(), "an unsealed journal from before sealed heads is not broken");

    let journal = Journal::open(&path, 512).unwrap();
    assert_eq!(journal.len().unwrap(), 6);
    let alert = journal.get(6).unwrap().unwrap();
    let JournalEvent::Alert { message } = alert.event else { panic!("not an alert: {alert:?}") };
    assert!(message.as_str().contains("5 registros hasta el 5"), "{}", message.as_str());
    assert_eq!(journal.sealed_head().unwrap().unwrap().seq, 6);
    assert!(journal.verify().unwrap().is_intact());
}

#[test]
fn a_technician_reseals_after_a_loss_and_the_new_journal_says_what_was_lost() {
    let (_dir, path) = filled_kiosk();
    std::fs::remove_file(&path).unwrap();
    assert!(Journal::open(&path, 512).is_err());
    let resealed = Journal::reseal(&path, at(24, 8), "tec01").unwrap();
    assert!(resealed.previous.contains("5 registros hasta el 5"), "{}", resealed.previous);
    assert_eq!(resealed.head.seq, 1);
    let journal = Journal::open(&path, 512).unwrap();
    let JournalEvent::Alert { message } = journal.get(1).unwrap().unwrap().event else { panic!("not an alert") };
    assert!(message.as_str().contains("reemplazada por tec01"), "{}", message.as_str());
    assert!(journal.verify().unwrap().is_intact());
}

/// Writes enough records that the table spans many pages, closes the journal, and overwrites one of the
/// table's leaf pages past the middle of the file with garbage. Returns the path.
fn kiosk_with_a_damaged_page() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(JOURNAL_FILE);
    let mut journal = Journal::open(&path, 512).unwrap();
    for i in 0..300 {
        let event = JournalEvent::Maintenance {
            user: "tec01".into(),
            action: format!("step {i}"),
            detail: SafeText::new("detalle ".repeat(100)).unwrap(),
        };
        journal.append(at(20, 1), &event).unwrap();
    }
    drop(journal);
    let mut bytes = std::fs::read(&path).unwrap();
    let page_size = usize::from(u16::from_be_bytes([bytes[16], bytes[17]]));
    let pages = bytes.len() / page_size;
    let leaf = (pages / 2..pages).find(|page| bytes[page * page_size] == 0x0D).expect("a table leaf page");
    for byte in &mut bytes[leaf * page_size..(leaf + 1) * page_size] {
        *byte = 0xA5;
    }
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

#[test]
fn verify_names_the_first_record_a_damaged_page_hides() {
    let (_dir, path) = kiosk_with_a_damaged_page();
    let journal = Journal::open_existing(&path).unwrap();
    let report = journal.verify().unwrap();
    assert!(!report.is_intact());
    assert!(!report.damage.is_empty(), "integrity_check reports the page");
    let broken = report.first_broken.clone().expect("a record cannot be read");
    assert!(broken.seq > 1 && broken.seq <= 300, "{broken:?}");
    assert_eq!(report.records, u64::try_from(broken.seq - 1).unwrap(), "every record before it verified");
    assert!(broken.reason.contains("cannot be read") && broken.reason.contains("damaged"), "{}", broken.reason);
}

#[test]
fn the_kiosk_runs_quick_check_at_open_and_names_the_file() {
    let (_dir, path) = kiosk_with_a_damaged_page();
    let err = Journal::open(&path, 512).unwrap_err();
    assert!(matches!(err, JournalError::CheckFailed { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()) && message.contains("quick_check"), "{message}");
}

#[test]
fn has_operation_for_finds_an_operation_by_its_command_key_through_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("j.sqlite"), 512).unwrap();
    fill(&mut journal);
    let key = Uuid::now_v7();
    assert!(!journal.has_operation_for(key).unwrap());
    let operation = JournalEvent::Operation {
        session: None,
        operation: "000103".into(),
        kind: "payment".into(),
        card: None,
        amount: Some("S/ 10.00".into()),
        outcome: Outcome::Reversed,
        detail: SafeText::new("abandoned").unwrap(),
        command_key: Some(key),
    };
    journal.append(at(22, 12), &operation).unwrap();
    let queued = JournalEvent::QueueCommand {
        action: "cancel".into(),
        command_key: Uuid::now_v7(),
        by: "tec01".into(),
        reason: SafeText::new("x").unwrap(),
    };
    journal.append(at(22, 12), &queued).unwrap();
    assert!(journal.has_operation_for(key).unwrap());
    let JournalEvent::QueueCommand { command_key: other, .. } = queued else { unreachable!() };
    assert!(!journal.has_operation_for(other).unwrap(), "only operation records count");

    let conn = reopened_connection(&dir.path().join("j.sqlite"));
    let plan: Vec<String> = conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT EXISTS(SELECT 1 FROM journal WHERE kind = 'operation'
                 AND (CASE WHEN json_valid(body) THEN json_extract(body, '$.command_key') END) = ?1)",
        )
        .unwrap()
        .query_map([key.to_string()], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(plan.iter().any(|step| step.contains("journal_operation_by_command_key")), "{plan:?}");
}
