//! `servicaja-central fleet list|show|command`: the caja's operations view of the kiosks, read from and
//! written to the simulator's database directly (SQLite in WAL mode, so the running simulator and this
//! command work on it side by side). A command queued here is delivered in the reply to the kiosk's next
//! report.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use chrono::{NaiveDate, Utc};
use rusqlite::TransactionBehavior;
use servicaja_central::fleet;
use servicaja_core::api::{CommandAction, FleetKiosk, QueueCommandRequest, StatusReport};
use servicaja_core::calendar::lima_printed;

#[derive(Debug, clap::Subcommand)]
pub enum FleetCommand {
    /// Every kiosk that reported: last report, service state, journal head and its alert.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// One kiosk: its last report, its commands and its recent reports.
    Show {
        kiosk: String,
        /// How many recent reports to list.
        #[arg(long, default_value_t = 10)]
        history: u32,
        #[arg(long)]
        json: bool,
    },
    /// Queue a command for a kiosk; it is carried out once no customer is being served there.
    Command {
        kiosk: String,
        /// Who issues it (an operations user id); journaled by the kiosk.
        #[arg(long, default_value = "central-cli")]
        by: String,
        #[command(subcommand)]
        action: ActionArg,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum ActionArg {
    /// Take the kiosk out of service; the reason is what customers read.
    OutOfService {
        #[arg(long)]
        reason: String,
    },
    /// Put the kiosk back in service.
    InService,
    /// Upload the journal's records FROM..=TO to the central.
    UploadJournal {
        #[arg(long)]
        from: i64,
        #[arg(long)]
        to: i64,
    },
    /// Send the logs of one day (YYYY-MM-DD, Lima) to the central.
    SendLogs {
        #[arg(long)]
        day: NaiveDate,
    },
}

macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

pub fn run(data_dir: &Path, command: FleetCommand) -> ExitCode {
    match execute(data_dir, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(std::io::stderr().lock(), "{error}");
            ExitCode::FAILURE
        }
    }
}

fn execute(data_dir: &Path, command: FleetCommand) -> Result<(), String> {
    let mut conn = fleet::open_store(data_dir)?;
    let problem = |e: servicaja_central::fleet::OpError| e.problem.message;
    match command {
        FleetCommand::List { json } => {
            let kiosks = fleet::list_kiosks(&conn).map_err(problem)?;
            if json {
                out!("{}", serde_json::to_string_pretty(&kiosks).map_err(|e| e.to_string())?);
            } else if kiosks.is_empty() {
                out!("no kiosk has reported yet");
            } else {
                out!(
                    "{:<14} {:<8} {:<20} {:>7} {:<24} {:>8} {:>4}  JOURNAL",
                    "KIOSK",
                    "AGENCY",
                    "LAST REPORT (LIMA)",
                    "REPORTS",
                    "SERVICE",
                    "HEAD",
                    "CMDS"
                );
                for kiosk in &kiosks {
                    out!("{}", list_line(kiosk));
                }
            }
        }
        FleetCommand::Show { kiosk, history, json } => {
            let detail = fleet::kiosk_detail(&conn, &kiosk).map_err(problem)?;
            let reports = fleet::history(&conn, &kiosk, history).map_err(problem)?;
            if json {
                let value = serde_json::json!({"kiosk": detail, "history": reports});
                out!("{}", serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?);
                return Ok(());
            }
            out!("{}", list_line(&detail.kiosk));
            if let Some(alert) = &detail.kiosk.head_alert {
                out!("JOURNAL ALERT since {} (report {}): {}", lima_printed(alert.at), alert.report_id, alert.detail);
            }
            show_report(&detail.last_report);
            out!("commands:");
            if detail.commands.is_empty() {
                out!("  (none)");
            }
            for record in &detail.commands {
                let state = match (&record.ack, record.delivered_at) {
                    (Some(ack), _) => format!("{:?} {} {}", ack.outcome, lima_printed(ack.at), ack.detail),
                    (None, Some(at)) => format!("delivered {}", lima_printed(at)),
                    (None, None) => "queued".to_owned(),
                };
                out!(
                    "  {} {} by {} at {}: {}",
                    record.command.command_id,
                    action_text(&record.command.action),
                    record.command.issued_by,
                    lima_printed(record.command.issued_at),
                    state
                );
            }
            out!("journal records uploaded: {}; log days sent: {:?}", detail.journal_records, detail.log_days);
            out!("recent reports:");
            for stored in &reports {
                out!(
                    "  {} {:?} head {} {}",
                    lima_printed(stored.received_at),
                    stored.report.trigger,
                    stored.report.journal_head.seq,
                    stored.head_alert.as_deref().unwrap_or("")
                );
            }
        }
        FleetCommand::Command { kiosk, by, action } => {
            let action = match action {
                ActionArg::OutOfService { reason } => CommandAction::GoOutOfService { reason },
                ActionArg::InService => CommandAction::GoInService,
                ActionArg::UploadJournal { from, to } => CommandAction::UploadJournal { from_seq: from, to_seq: to },
                ActionArg::SendLogs { day } => CommandAction::SendLogs { day },
            };
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| e.to_string())?;
            let command = fleet::queue_command(&tx, Utc::now(), &kiosk, QueueCommandRequest { issued_by: by, action })
                .map_err(problem)?;
            tx.commit().map_err(|e| e.to_string())?;
            out!(
                "queued {} for {kiosk}: {} (delivered with the reply to its next report)",
                command.command_id,
                action_text(&command.action)
            );
        }
    }
    Ok(())
}

fn list_line(kiosk: &FleetKiosk) -> String {
    let service = if kiosk.in_service {
        "in service".to_owned()
    } else {
        format!("OUT: {}", kiosk.service_reason.as_deref().unwrap_or("?"))
    };
    let journal = match &kiosk.head_alert {
        Some(alert) => format!("ALERT: {}", alert.detail),
        None => "ok".to_owned(),
    };
    format!(
        "{:<14} {:<8} {:<20} {:>7} {:<24} {:>8} {:>4}  {}",
        kiosk.kiosk_id,
        kiosk.agency,
        lima_printed(kiosk.last_report_at),
        kiosk.reports,
        service.chars().take(24).collect::<String>(),
        kiosk.journal_head.seq,
        kiosk.open_commands,
        journal
    )
}

fn show_report(report: &StatusReport) {
    out!("last report {} ({:?}), version {}", lima_printed(report.sent_at), report.trigger, report.version);
    for device in &report.devices {
        let error = device.last_error.as_ref().map(|e| format!(", last error {}: {}", e.state, e.detail));
        out!(
            "  device {:<16} {:<14} action {}{}",
            device.device,
            device.state,
            device.action.as_deref().unwrap_or("-"),
            error.unwrap_or_default()
        );
    }
    out!(
        "  paper {:?}, {}% left ({} mm), {} receipts since the roll change",
        report.paper.state,
        report.paper.left_percent,
        report.paper.left_mm,
        report.paper.receipts_since_change
    );
    let counts: Vec<String> = report.outbox.counts.iter().map(|c| format!("{} {}", c.state, c.count)).collect();
    out!(
        "  outbox {}; oldest pending {}",
        counts.join(", "),
        report.outbox.oldest_pending_seconds.map_or("-".to_owned(), |s| format!("{s} s"))
    );
    let certs: Vec<String> = report
        .certificates
        .iter()
        .map(|c| format!("{:?} {}", c.role, c.days_left.map_or("unreadable".to_owned(), |d| format!("{d} d"))))
        .collect();
    out!("  certificates {}", certs.join(", "));
    out!(
        "  service {} {} {}",
        if report.service.in_service { "in" } else { "OUT" },
        report.service.reason.as_deref().unwrap_or(""),
        report.service.note.as_deref().unwrap_or("")
    );
    let operations: Vec<String> =
        report.activity.operations.iter().map(|o| format!("{} {} {}", o.kind, o.outcome, o.count)).collect();
    out!("  activity {} sessions; {}", report.activity.sessions, operations.join(", "));
    out!("  journal head {} {}", report.journal_head.seq, report.journal_head.hash);
}

fn action_text(action: &CommandAction) -> String {
    match action {
        CommandAction::GoOutOfService { reason } => format!("go out of service ({reason})"),
        CommandAction::GoInService => "go in service".to_owned(),
        CommandAction::UploadJournal { from_seq, to_seq } => format!("upload journal {from_seq}..={to_seq}"),
        CommandAction::SendLogs { day } => format!("send logs of {day}"),
        CommandAction::Unknown => "unknown action".to_owned(),
    }
}
