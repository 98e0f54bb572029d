//! The journal entry values the maintenance core produces: who did what, when. The shell writes them to
//! the electronic journal as `Maintenance { user, action, detail }` records.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One maintenance journal entry. `detail` never holds a PIN (the core never puts one there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub at: DateTime<Utc>,
    /// The technician's or staff member's id; `"-"` when nobody is identified yet (an entry request).
    pub user: String,
    /// A stable snake_case code: `enter_requested`, `login`, `login_refused`, `locked_out`, `exit`, …
    pub action: String,
    pub detail: String,
}

impl JournalEntry {
    pub fn new(at: DateTime<Utc>, user: &str, action: &str, detail: impl Into<String>) -> Self {
        Self { at, user: user.to_owned(), action: action.to_owned(), detail: detail.into() }
    }
}
