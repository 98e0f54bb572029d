//! Reprints: a pure transform that marks a document `DUPLICADO` with the reprint count, the original
//! date and the staff member who asked for it. The operation number, amounts and QR stay as they were.

use chrono::{DateTime, Utc};

use crate::model::{Document, DuplicateMark};

/// The document as a reprint. Reprinting a reprint replaces the mark; the original date is always the
/// operation's own (`issued_at`), which the transform never touches. A count of 0 is taken as 1.
pub fn mark_duplicate(
    original: &Document,
    reprint_count: u32,
    staff_id: &str,
    reprinted_at: DateTime<Utc>,
) -> Document {
    let mut copy = original.clone();
    copy.duplicate = Some(DuplicateMark {
        reprint_count: reprint_count.max(1),
        reprinted_at,
        staff_id: staff_id.to_owned(),
        original_printed: true,
    });
    copy
}
