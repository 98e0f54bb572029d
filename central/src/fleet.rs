//! The fleet side of the simulator: kiosks' status reports and the commands queued for them, stored in the
//! same SQLite database, with the journal-head check (a head that went backwards, or whose hash changed
//! under the same sequence, flags the kiosk for good). The HTTP routes and the `servicaja-central fleet`
//! command line both go through these functions, each inside one transaction of its caller.

use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use servicaja_core::api::{
    CommandAck, CommandRecord, ErrorCode, FleetCommand, FleetKiosk, FleetKioskDetail, HeadAlert, JournalHeadReport,
    JournalUpload, JournalUploadReceipt, LogUpload, LogUploadReceipt, QueueCommandRequest, ReportReply, StatusReport,
    StoredReport,
};

use crate::db::{enum_from, enum_text};
use crate::service::fail;
pub use crate::service::{OpError, OpResult};

pub const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS fleet_kiosks (
    kiosk_id TEXT PRIMARY KEY,
    head_seq INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    alert_at TEXT,
    alert_report TEXT,
    alert_detail TEXT
);
CREATE TABLE IF NOT EXISTS fleet_reports (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id TEXT NOT NULL UNIQUE,
    kiosk_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    head_seq INTEGER NOT NULL,
    head_hash TEXT NOT NULL,
    head_alert TEXT,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fleet_reports_by_kiosk ON fleet_reports(kiosk_id, seq);
CREATE INDEX IF NOT EXISTS fleet_reports_by_head ON fleet_reports(kiosk_id, head_seq);
CREATE TABLE IF NOT EXISTS fleet_commands (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    command_id TEXT NOT NULL UNIQUE,
    kiosk_id TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    action TEXT NOT NULL,
    delivered_at TEXT,
    ack_outcome TEXT,
    ack_at TEXT,
    ack_detail TEXT
);
CREATE INDEX IF NOT EXISTS fleet_commands_by_kiosk ON fleet_commands(kiosk_id, seq);
CREATE TABLE IF NOT EXISTS fleet_journal (
    kiosk_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    event TEXT NOT NULL,
    command_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, seq)
);
CREATE TABLE IF NOT EXISTS fleet_logs (
    kiosk_id TEXT NOT NULL,
    day TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content TEXT NOT NULL,
    truncated INTEGER NOT NULL,
    command_id TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, day)
);
"#;

/// The fleet tables, emptied with the rest of the state by a reset.
pub const TABLES: [&str; 5] = ["fleet_kiosks", "fleet_reports", "fleet_commands", "fleet_journal", "fleet_logs"];

/// Opens the simulator's database in `data_dir` for the command line (the simulator may be running: WAL
/// lets both work on it). The database must exist.
pub fn open_store(data_dir: &Path) -> Result<Connection, String> {
    let path = data_dir.join("central.sqlite3");
    if !path.exists() {
        return Err(format!(
            "no simulator database at {} (start the simulator, or the kiosk in demo mode, first; the kiosk's \
             demo central lives in <kiosk data_dir>/central)",
            path.display()
        ));
    }
    let failed = |e: rusqlite::Error| format!("{}: {e}", path.display());
    let conn = Connection::open(&path).map_err(failed)?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(failed)?;
    conn.execute_batch(SCHEMA).map_err(failed)?;
    Ok(conn)
}

/// What a reported head contradicts: a higher sequence reported before, the same sequence with another hash
/// in an earlier report, or the hash of that record as the kiosk uploaded it.
fn head_contradiction(conn: &Connection, kiosk: &str, head: &JournalHeadReport) -> rusqlite::Result<Option<String>> {
    let highest: Option<(i64, String)> = conn
        .query_row("SELECT head_seq, head_hash FROM fleet_kiosks WHERE kiosk_id = ?1", params![kiosk], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    if let Some((seq, _)) = &highest
        && head.seq < *seq
    {
        return Ok(Some(format!("journal head went backwards: record {} reported after record {seq}", head.seq)));
    }
    let earlier: Option<String> = conn
        .query_row(
            "SELECT head_hash FROM fleet_reports WHERE kiosk_id = ?1 AND head_seq = ?2 AND head_hash <> ?3 LIMIT 1",
            params![kiosk, head.seq, head.hash],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(earlier) = earlier {
        return Ok(Some(format!(
            "journal rewritten: record {} reported with hash {} after {}",
            head.seq,
            short(&head.hash),
            short(&earlier)
        )));
    }
    let uploaded: Option<String> = conn
        .query_row(
            "SELECT hash FROM fleet_journal WHERE kiosk_id = ?1 AND seq = ?2 AND hash <> ?3",
            params![kiosk, head.seq, head.hash],
            |r| r.get(0),
        )
        .optional()?;
    Ok(uploaded.map(|uploaded| {
        format!(
            "journal rewritten: record {} reported with hash {}, uploaded as {}",
            head.seq,
            short(&head.hash),
            short(&uploaded)
        )
    }))
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Stores a report, records its acknowledgements, checks its journal head and answers the commands still
/// open for the kiosk (oldest first).
pub fn record_report(conn: &Connection, now: DateTime<Utc>, report: StatusReport) -> OpResult<ReportReply> {
    if report.kiosk_id.trim().is_empty() || report.kiosk_id.len() > 64 {
        return Err(fail(ErrorCode::InvalidRequest, "El identificador del quiosco debe tener de 1 a 64 caracteres."));
    }
    let kiosk = report.kiosk_id.clone();
    let alert = head_contradiction(conn, &kiosk, &report.journal_head)?;
    if let Some(detail) = &alert {
        tracing::warn!(kiosk = %kiosk, %detail, "journal head contradicts what the kiosk reported before");
    }
    conn.execute(
        "INSERT INTO fleet_reports (report_id, kiosk_id, received_at, head_seq, head_hash, head_alert, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            report.report_id,
            kiosk,
            now.to_rfc3339(),
            report.journal_head.seq,
            report.journal_head.hash,
            alert,
            serde_json::to_string(&report)?,
        ],
    )?;
    conn.execute(
        "INSERT INTO fleet_kiosks (kiosk_id, head_seq, head_hash) VALUES (?1, ?2, ?3)
         ON CONFLICT(kiosk_id) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash
         WHERE excluded.head_seq >= fleet_kiosks.head_seq",
        params![kiosk, report.journal_head.seq, report.journal_head.hash],
    )?;
    if let Some(detail) = &alert {
        conn.execute(
            "UPDATE fleet_kiosks SET alert_at = ?2, alert_report = ?3, alert_detail = ?4
             WHERE kiosk_id = ?1 AND alert_at IS NULL",
            params![kiosk, now.to_rfc3339(), report.report_id, detail],
        )?;
    }
    for ack in &report.acks {
        conn.execute(
            "UPDATE fleet_commands SET ack_outcome = ?3, ack_at = ?4, ack_detail = ?5
             WHERE command_id = ?1 AND kiosk_id = ?2 AND ack_outcome IS NULL",
            params![ack.command_id, kiosk, enum_text(&ack.outcome), ack.at.to_rfc3339(), ack.detail],
        )?;
    }
    let commands = open_commands(conn, &kiosk)?;
    conn.execute(
        "UPDATE fleet_commands SET delivered_at = ?2 WHERE kiosk_id = ?1 AND ack_outcome IS NULL AND delivered_at IS NULL",
        params![kiosk, now.to_rfc3339()],
    )?;
    Ok(ReportReply { commands })
}

fn open_commands(conn: &Connection, kiosk: &str) -> OpResult<Vec<FleetCommand>> {
    let mut statement = conn.prepare(
        "SELECT command_id, issued_by, issued_at, action FROM fleet_commands
         WHERE kiosk_id = ?1 AND ack_outcome IS NULL ORDER BY seq",
    )?;
    let rows = statement.query_map(params![kiosk], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
    })?;
    let mut commands = Vec::new();
    for row in rows {
        let (command_id, issued_by, issued_at, action) = row?;
        commands.push(FleetCommand {
            command_id,
            issued_by,
            issued_at: parse_time(&issued_at)?,
            action: serde_json::from_str(&action)?,
        });
    }
    Ok(commands)
}

fn parse_time(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// Queues a command for `kiosk` (which need not have reported yet).
pub fn queue_command(
    conn: &Connection,
    now: DateTime<Utc>,
    kiosk: &str,
    request: QueueCommandRequest,
) -> OpResult<FleetCommand> {
    if request.issued_by.trim().is_empty() {
        return Err(fail(ErrorCode::InvalidRequest, "Indique quién emite la orden (issued_by)."));
    }
    if kiosk.trim().is_empty() {
        return Err(fail(ErrorCode::InvalidRequest, "Indique el quiosco."));
    }
    let command = FleetCommand {
        command_id: uuid::Uuid::now_v7().to_string(),
        issued_by: request.issued_by,
        issued_at: now,
        action: request.action,
    };
    conn.execute(
        "INSERT INTO fleet_commands (command_id, kiosk_id, issued_by, issued_at, action) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            command.command_id,
            kiosk,
            command.issued_by,
            now.to_rfc3339(),
            serde_json::to_string(&command.action)?
        ],
    )?;
    Ok(command)
}

/// Every kiosk that reported, by id.
pub fn list_kiosks(conn: &Connection) -> OpResult<Vec<FleetKiosk>> {
    let mut statement = conn.prepare("SELECT kiosk_id FROM fleet_kiosks ORDER BY kiosk_id")?;
    let ids = statement.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    ids.iter().map(|id| kiosk_summary(conn, id).map(|(kiosk, _)| kiosk)).collect()
}

fn not_found(kiosk: &str) -> OpError {
    fail(ErrorCode::NotFound, format!("El quiosco {kiosk} no ha enviado ningún reporte."))
}

/// `fleet_kiosks`: the highest head, and the alert's time, report and detail.
type KioskRow = (i64, String, Option<String>, Option<String>, Option<String>);

fn kiosk_summary(conn: &Connection, kiosk: &str) -> OpResult<(FleetKiosk, StatusReport)> {
    let row: Option<KioskRow> = conn
        .query_row(
            "SELECT head_seq, head_hash, alert_at, alert_report, alert_detail FROM fleet_kiosks WHERE kiosk_id = ?1",
            params![kiosk],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((head_seq, head_hash, alert_at, alert_report, alert_detail)) = row else {
        return Err(not_found(kiosk));
    };
    let (received_at, body, reports): (String, String, u64) = conn.query_row(
        "SELECT received_at, body, (SELECT COUNT(*) FROM fleet_reports WHERE kiosk_id = ?1)
         FROM fleet_reports WHERE kiosk_id = ?1 ORDER BY seq DESC LIMIT 1",
        params![kiosk],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let report: StatusReport = serde_json::from_str(&body)?;
    let open_commands: u64 = conn.query_row(
        "SELECT COUNT(*) FROM fleet_commands WHERE kiosk_id = ?1 AND ack_outcome IS NULL",
        params![kiosk],
        |r| r.get(0),
    )?;
    let head_alert = match (alert_at, alert_report, alert_detail) {
        (Some(at), Some(report_id), Some(detail)) => Some(HeadAlert { at: parse_time(&at)?, report_id, detail }),
        _ => None,
    };
    let kiosk = FleetKiosk {
        kiosk_id: kiosk.to_owned(),
        agency: report.agency.clone(),
        version: report.version.clone(),
        last_report_at: parse_time(&received_at)?,
        last_trigger: report.trigger,
        reports,
        in_service: report.service.in_service,
        service_reason: report.service.reason.clone(),
        journal_head: JournalHeadReport { seq: head_seq, hash: head_hash },
        head_alert,
        open_commands,
    };
    Ok((kiosk, report))
}

/// One kiosk: its summary, last report, commands (newest first), uploaded journal and log days.
pub fn kiosk_detail(conn: &Connection, kiosk: &str) -> OpResult<FleetKioskDetail> {
    let (summary, last_report) = kiosk_summary(conn, kiosk)?;
    let mut statement = conn.prepare(
        "SELECT command_id, issued_by, issued_at, action, delivered_at, ack_outcome, ack_at, ack_detail
         FROM fleet_commands WHERE kiosk_id = ?1 ORDER BY seq DESC LIMIT 50",
    )?;
    let rows = statement.query_map(params![kiosk], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
        ))
    })?;
    let mut commands = Vec::new();
    for row in rows {
        let (command_id, issued_by, issued_at, action, delivered_at, outcome, ack_at, detail) = row?;
        let ack = match (outcome, ack_at) {
            (Some(outcome), Some(at)) => Some(CommandAck {
                command_id: command_id.clone(),
                outcome: enum_from(&outcome)?,
                at: parse_time(&at)?,
                detail: detail.unwrap_or_default(),
            }),
            _ => None,
        };
        commands.push(CommandRecord {
            command: FleetCommand {
                command_id,
                issued_by,
                issued_at: parse_time(&issued_at)?,
                action: serde_json::from_str(&action)?,
            },
            delivered_at: delivered_at.as_deref().map(parse_time).transpose()?,
            ack,
        });
    }
    let journal_records: u64 =
        conn.query_row("SELECT COUNT(*) FROM fleet_journal WHERE kiosk_id = ?1", params![kiosk], |r| r.get(0))?;
    let mut statement = conn.prepare("SELECT day FROM fleet_logs WHERE kiosk_id = ?1 ORDER BY day")?;
    let log_days = statement
        .query_map(params![kiosk], |r| r.get::<_, String>(0))?
        .filter_map(|day| day.ok().and_then(|day| day.parse::<NaiveDate>().ok()))
        .collect();
    Ok(FleetKioskDetail { kiosk: summary, last_report, commands, journal_records, log_days })
}

/// A kiosk's reports, newest first.
pub fn history(conn: &Connection, kiosk: &str, limit: u32) -> OpResult<Vec<StoredReport>> {
    let mut statement = conn.prepare(
        "SELECT received_at, head_alert, body FROM fleet_reports WHERE kiosk_id = ?1 ORDER BY seq DESC LIMIT ?2",
    )?;
    let rows = statement.query_map(params![kiosk, limit.clamp(1, 1000)], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?))
    })?;
    let mut reports = Vec::new();
    for row in rows {
        let (received_at, head_alert, body) = row?;
        reports.push(StoredReport {
            received_at: parse_time(&received_at)?,
            head_alert,
            report: serde_json::from_str(&body)?,
        });
    }
    if reports.is_empty() {
        return Err(not_found(kiosk));
    }
    Ok(reports)
}

/// Checks that the upload answers a command queued for that kiosk.
fn upload_command(conn: &Connection, kiosk: &str, command: &str) -> OpResult<()> {
    let known: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM fleet_commands WHERE command_id = ?1 AND kiosk_id = ?2)",
        params![command, kiosk],
        |r| r.get(0),
    )?;
    if known {
        Ok(())
    } else {
        Err(fail(ErrorCode::NotFound, format!("No hay una orden {command} para el quiosco {kiosk}.")))
    }
}

/// Stores uploaded journal records (a record already held is kept as first received) and checks that each
/// one chains onto the record before it.
pub fn store_journal(conn: &Connection, now: DateTime<Utc>, upload: JournalUpload) -> OpResult<JournalUploadReceipt> {
    upload_command(conn, &upload.kiosk_id, &upload.command_id)?;
    let mut chain_intact = true;
    for record in &upload.records {
        let previous: Option<String> = conn
            .query_row(
                "SELECT hash FROM fleet_journal WHERE kiosk_id = ?1 AND seq = ?2",
                params![upload.kiosk_id, record.seq - 1],
                |r| r.get(0),
            )
            .optional()?;
        if previous.is_some_and(|previous| previous != record.prev_hash) {
            chain_intact = false;
        }
        conn.execute(
            "INSERT OR IGNORE INTO fleet_journal (kiosk_id, seq, at, prev_hash, hash, event, command_id, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                upload.kiosk_id,
                record.seq,
                record.at.to_rfc3339(),
                record.prev_hash,
                record.hash,
                record.event.to_string(),
                upload.command_id,
                now.to_rfc3339(),
            ],
        )?;
    }
    let stored: u64 =
        conn.query_row("SELECT COUNT(*) FROM fleet_journal WHERE kiosk_id = ?1", params![upload.kiosk_id], |r| {
            r.get(0)
        })?;
    Ok(JournalUploadReceipt { stored, chain_intact })
}

/// Stores one day's log file (a later one for the same day replaces it).
pub fn store_log(conn: &Connection, now: DateTime<Utc>, upload: LogUpload) -> OpResult<LogUploadReceipt> {
    upload_command(conn, &upload.kiosk_id, &upload.command_id)?;
    conn.execute(
        "INSERT OR REPLACE INTO fleet_logs (kiosk_id, day, file_name, content, truncated, command_id, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            upload.kiosk_id,
            upload.day.to_string(),
            upload.file_name,
            upload.content,
            upload.truncated,
            upload.command_id,
            now.to_rfc3339(),
        ],
    )?;
    Ok(LogUploadReceipt { bytes: upload.content.len() as u64 })
}

/// The uploaded journal records of a kiosk in `from..=to` (event JSON as stored), for the command line and
/// tests.
pub fn journal_records(conn: &Connection, kiosk: &str, from: i64, to: i64) -> OpResult<Vec<(i64, String, String)>> {
    let mut statement = conn.prepare(
        "SELECT seq, hash, event FROM fleet_journal WHERE kiosk_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq",
    )?;
    let rows = statement.query_map(params![kiosk, from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// The stored log of one day of a kiosk.
pub fn log_of(conn: &Connection, kiosk: &str, day: NaiveDate) -> OpResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT content FROM fleet_logs WHERE kiosk_id = ?1 AND day = ?2",
            params![kiosk, day.to_string()],
            |r| r.get(0),
        )
        .optional()?)
}
