//! The queue page's rows: counts by state, the oldest pending command and the commands to look at (the
//! outbox side is `queue.rs`).

use chrono::{DateTime, Utc};
use servicaja_core::calendar::lima_printed;

use servicaja_host::policy::CommandKind;

use super::{ProblemState, QueueProblem, QueueReport, SendFailure, age, row};
use crate::{
    MaintenanceCommand, MaintenanceCommandKind, MaintenanceCommandState, MaintenanceFailure, MaintenanceRow,
    MaintenanceTone,
};

/// The queue page's counts by state (a rejected or expired one is a warning) and the oldest pending command.
pub(super) fn queue_rows(queue: &QueueReport, now: DateTime<Utc>) -> Vec<MaintenanceRow> {
    let mut rows: Vec<MaintenanceRow> = queue
        .counts
        .iter()
        .map(|(state, count)| {
            let tone = match state.as_str() {
                "rejected" | "expired" if *count > 0 => MaintenanceTone::Warn,
                _ => MaintenanceTone::Plain,
            };
            row(state, &count.to_string(), tone)
        })
        .collect();
    let oldest =
        queue.oldest_pending.map_or("@none".to_owned(), |at| format!("{} ({})", lima_printed(at), age(at, now)));
    rows.push(row("oldest", &oldest, MaintenanceTone::Plain));
    rows
}

/// A command to look at: its kind, state and last failure as the page's enums, worded on the page, with
/// the kind's and the answer's codes beside them.
pub(super) fn map_command(command: &QueueProblem) -> MaintenanceCommand {
    MaintenanceCommand {
        id: i32::try_from(command.id).unwrap_or(i32::MAX),
        kind: command.kind.map_or(MaintenanceCommandKind::Other, command_kind),
        kind_code: command.kind.map_or("", CommandKind::as_str).into(),
        state: match command.state {
            ProblemState::Expired => MaintenanceCommandState::Expired,
            ProblemState::Rejected => MaintenanceCommandState::Rejected,
            ProblemState::Declined => MaintenanceCommandState::Declined,
            ProblemState::Unreadable => MaintenanceCommandState::Unreadable,
        },
        created: lima_printed(command.created_at).into(),
        failure: match command.failure {
            None => MaintenanceFailure::None,
            Some(SendFailure::Network) => MaintenanceFailure::Network,
            Some(SendFailure::Timeout) => MaintenanceFailure::Timeout,
            Some(SendFailure::Tls) => MaintenanceFailure::Tls,
            Some(SendFailure::Status(_)) => MaintenanceFailure::Status,
            Some(SendFailure::Decode) => MaintenanceFailure::Decode,
            Some(SendFailure::Config) => MaintenanceFailure::Config,
            Some(SendFailure::Other) => MaintenanceFailure::Other,
        },
        code: command.code.as_str().into(),
    }
}

fn command_kind(kind: CommandKind) -> MaintenanceCommandKind {
    match kind {
        CommandKind::Payment => MaintenanceCommandKind::Payment,
        CommandKind::Reversal => MaintenanceCommandKind::Reversal,
        CommandKind::Affiliation => MaintenanceCommandKind::Affiliation,
        CommandKind::Disaffiliation => MaintenanceCommandKind::Disaffiliation,
        CommandKind::Constancia => MaintenanceCommandKind::Constancia,
        CommandKind::Request => MaintenanceCommandKind::Request,
        CommandKind::Enrollment => MaintenanceCommandKind::Enrollment,
        CommandKind::Email => MaintenanceCommandKind::Email,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap()
    }

    fn problem(kind: Option<CommandKind>, state: ProblemState) -> QueueProblem {
        QueueProblem { id: 412, kind, state, created_at: now(), failure: None, code: String::new() }
    }

    #[test]
    fn every_command_kind_has_its_own_word_and_keeps_its_code() {
        let mut seen = Vec::new();
        for kind in CommandKind::ALL {
            let shown = map_command(&problem(Some(kind), ProblemState::Expired));
            assert_ne!(shown.kind, MaintenanceCommandKind::Other, "{kind:?}");
            assert_eq!(shown.kind_code.as_str(), kind.as_str());
            assert!(!seen.contains(&shown.kind), "{kind:?} shares its word");
            seen.push(shown.kind);
        }
        let unreadable = map_command(&problem(None, ProblemState::Unreadable));
        assert_eq!((unreadable.kind, unreadable.kind_code.as_str()), (MaintenanceCommandKind::Other, ""));
    }

    #[test]
    fn the_state_and_the_last_failure_are_typed_and_the_code_rides_beside_them() {
        let rejected = QueueProblem {
            code: "HTTP 422 · duplicate_request".into(),
            ..problem(Some(CommandKind::Request), ProblemState::Rejected)
        };
        let shown = map_command(&rejected);
        assert_eq!(
            (shown.state, shown.failure, shown.code.as_str()),
            (MaintenanceCommandState::Rejected, MaintenanceFailure::None, "HTTP 422 · duplicate_request")
        );
        let expired = QueueProblem {
            failure: Some(SendFailure::Status(503)),
            code: "HTTP 503".into(),
            ..problem(Some(CommandKind::Payment), ProblemState::Expired)
        };
        let shown = map_command(&expired);
        assert_eq!((shown.state, shown.failure), (MaintenanceCommandState::Expired, MaintenanceFailure::Status));
        assert_eq!(map_command(&problem(None, ProblemState::Declined)).state, MaintenanceCommandState::Declined);
    }

    #[test]
    fn counts_warn_only_when_something_is_rejected_or_expired_and_the_oldest_is_dated() {
        let queue = QueueReport {
            counts: vec![("pending".into(), 1), ("rejected".into(), 0), ("expired".into(), 2)],
            oldest_pending: Some(now() - TimeDelta::minutes(7)),
            problems: Vec::new(),
        };
        let rows = queue_rows(&queue, now());
        let tones: Vec<MaintenanceTone> = rows.iter().map(|r| r.tone).collect();
        assert_eq!(tones[..3], [MaintenanceTone::Plain, MaintenanceTone::Plain, MaintenanceTone::Warn]);
        assert!(rows[3].value.ends_with("(7 min)"), "{}", rows[3].value);
        let empty = queue_rows(&QueueReport::default(), now());
        assert_eq!((empty[0].key.as_str(), empty[0].value.as_str()), ("oldest", "@none"));
    }
}
