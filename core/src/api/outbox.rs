//! The simulator's demo outbox: the SMS and e-mails it would have sent.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxChannel {
    Sms,
    Email,
}

/// An SMS or e-mail the simulator "sent" (demo mode only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    pub id: String,
    pub channel: OutboxChannel,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub at: DateTime<Utc>,
}
