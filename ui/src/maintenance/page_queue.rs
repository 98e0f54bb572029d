//! The queue page's rows: counts by state, the oldest pending command and the commands to look at (the
//! outbox side is `queue.rs`).

use chrono::{DateTime, Utc};
use servicaja_core::calendar::lima_printed;

use super::{QueueProblem, QueueReport, age, row};
use crate::{MaintenanceCommand, MaintenanceRow};

pub(super) fn queue_rows(queue: &QueueReport, now: DateTime<Utc>) -> Vec<MaintenanceRow> {
    let mut rows: Vec<MaintenanceRow> = queue
        .counts
        .iter()
        .map(|(state, count)| {
            let tone = match state.as_str() {
                "rejected" | "expired" if *count > 0 => "warn",
                _ => "",
            };
            row(state, &count.to_string(), tone)
        })
        .collect();
    let oldest =
        queue.oldest_pending.map_or("@none".to_owned(), |at| format!("{} ({})", lima_printed(at), age(at, now)));
    rows.push(row("oldest", &oldest, ""));
    rows
}

pub(super) fn command_view(command: &QueueProblem) -> MaintenanceCommand {
    MaintenanceCommand {
        id: i32::try_from(command.id).unwrap_or(i32::MAX),
        kind: command.kind.as_str().into(),
        state: command.state.as_str().into(),
        created: lima_printed(command.created_at).into(),
        error: command.last_error.as_deref().unwrap_or("").into(),
    }
}
