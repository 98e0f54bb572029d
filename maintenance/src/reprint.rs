//! The staff reprint rules: what a journal search may ask (date range, operation number, last four digits
//! of a card) and whether a receipt may be reprinted, with the mark it carries (count, original date, staff
//! id). A reprint is a copy: it changes no counter and no operation; only staff can ask for one.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::journal::JournalEntry;

/// The search form as typed. Empty texts count as not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReprintCriteria {
    pub from: Option<NaiveDate>,
    /// Inclusive (a civil date in Peru).
    pub to: Option<NaiveDate>,
    pub operation: Option<String>,
    pub card_last4: Option<String>,
}

/// Criteria that passed [`ReprintCriteria::validate`]: trimmed, at least one given; the operation number
/// upper-cased, spaces between its groups read as dashes (match it with [`operation_matches`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidCriteria {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub operation: Option<String>,
    pub card_last4: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CriteriaError {
    #[error("give a date range, an operation number or the last four digits of the card")]
    NothingToSearch,
    #[error("the end date {to} is before the start date {from}")]
    RangeReversed { from: NaiveDate, to: NaiveDate },
    #[error("the card's last digits must be exactly four digits")]
    CardLast4,
    #[error("the operation number has letters, digits and dashes only (as printed on the receipt)")]
    Operation,
}

impl ReprintCriteria {
    pub fn validate(&self) -> Result<ValidCriteria, CriteriaError> {
        let given = |text: &Option<String>| text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        // Spaces typed between groups read as the dashes printed there.
        let operation = given(&self.operation)
            .map(|typed| typed.split_whitespace().collect::<Vec<_>>().join("-").to_ascii_uppercase());
        let card_last4 = given(&self.card_last4);
        if let (Some(from), Some(to)) = (self.from, self.to)
            && to < from
        {
            return Err(CriteriaError::RangeReversed { from, to });
        }
        if card_last4.as_deref().is_some_and(|l| l.len() != 4 || !l.chars().all(|c| c.is_ascii_digit())) {
            return Err(CriteriaError::CardLast4);
        }
        if operation.as_deref().is_some_and(|o| {
            !o.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || !o.chars().any(|c| c.is_ascii_alphanumeric())
        }) {
            return Err(CriteriaError::Operation);
        }
        if self.from.is_none() && self.to.is_none() && operation.is_none() && card_last4.is_none() {
            return Err(CriteriaError::NothingToSearch);
        }
        Ok(ValidCriteria { from: self.from, to: self.to, operation, card_last4 })
    }
}

/// An operation number reduced to what identifies it, so that staff may type it loosely: letter groups
/// upper-cased, digit groups without their leading zeros, separators (dashes, spaces) dropped.
/// `REQ-20261120-000004` → `[REQ, 20261120, 4]`; `00000008` → `[8]`; `af 12` → `[AF, 12]`.
pub fn operation_key(text: &str) -> Vec<String> {
    let mut groups: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut digits = false;
    let close = |current: &mut String, digits: bool, groups: &mut Vec<String>| {
        if current.is_empty() {
            return;
        }
        let group = if digits {
            let trimmed = current.trim_start_matches('0');
            if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() }
        } else {
            current.to_ascii_uppercase()
        };
        groups.push(group);
        current.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if !current.is_empty() && c.is_ascii_digit() != digits {
                close(&mut current, digits, &mut groups);
            }
            digits = c.is_ascii_digit();
            current.push(c);
        } else {
            close(&mut current, digits, &mut groups);
        }
    }
    close(&mut current, digits, &mut groups);
    groups
}

/// Whether the operation number staff typed names `stored`. Typed with its letters (`REQ-…`, `CND-…`,
/// `AF…`), it must be the whole number; typed as digits only, it may be the number's last groups (`8` finds
/// `00000008` and `AF00000008`; `20261120-4` finds `REQ-20261120-000004`). Case, spaces, dashes and leading
/// zeros never matter.
pub fn operation_matches(typed: &str, stored: &str) -> bool {
    let (typed, stored) = (operation_key(typed), operation_key(stored));
    if typed.is_empty() {
        return false;
    }
    let starts_with_letters = typed.first().is_some_and(|group| group.chars().all(|c| c.is_ascii_alphabetic()));
    if starts_with_letters { typed == stored } else { stored.ends_with(&typed) }
}

/// A SQL `LIKE` pattern every operation number that [`operation_matches`] `typed` also matches (a coarse
/// filter for the journal's index; the match itself is [`operation_matches`]). Only letters, digits and
/// `%` appear in it.
pub fn operation_like_pattern(typed: &str) -> String {
    let groups = operation_key(typed);
    format!("%{}", groups.join("%"))
}

/// Who asks for the reprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requester {
    /// A staff member signed in to the maintenance mode.
    Staff { id: String },
    /// A customer at the kiosk: never allowed (they ask at the counter).
    Customer,
}

/// The journaled receipt to be reprinted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginalReceipt {
    /// The journal record holding the document as printed.
    pub seq: i64,
    pub operation: String,
    pub issued_at: DateTime<Utc>,
}

/// A reprint that may go ahead: the DUPLICADO mark and the journal entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReprintDecision {
    pub original_seq: i64,
    pub operation: String,
    /// 1 for the first reprint of this receipt.
    pub reprint_count: u32,
    pub original_date: DateTime<Utc>,
    pub staff_id: String,
    pub reprinted_at: DateTime<Utc>,
    pub journal: JournalEntry,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReprintRefusal {
    #[error("customers cannot reprint receipts; agency staff can at the counter")]
    CustomerCannotReprint,
    #[error("a reprint needs the staff member's id")]
    NoStaffId,
    #[error("the kiosk's clock ({now}) is before the receipt's date ({issued_at}): check the clock first")]
    ClockBeforeOriginal { now: DateTime<Utc>, issued_at: DateTime<Utc> },
}

/// Decides a reprint of `original`, which has been reprinted `previous_reprints` times before.
pub fn decide_reprint(
    requester: &Requester,
    original: &OriginalReceipt,
    previous_reprints: u32,
    now: DateTime<Utc>,
) -> Result<ReprintDecision, ReprintRefusal> {
    let staff_id = match requester {
        Requester::Customer => return Err(ReprintRefusal::CustomerCannotReprint),
        Requester::Staff { id } if id.trim().is_empty() => return Err(ReprintRefusal::NoStaffId),
        Requester::Staff { id } => id.trim().to_owned(),
    };
    if now < original.issued_at {
        return Err(ReprintRefusal::ClockBeforeOriginal { now, issued_at: original.issued_at });
    }
    let reprint_count = previous_reprints.saturating_add(1);
    let detail = format!("operation {} (record {}), copy {reprint_count}", original.operation, original.seq);
    Ok(ReprintDecision {
        original_seq: original.seq,
        operation: original.operation.clone(),
        reprint_count,
        original_date: original.issued_at,
        journal: JournalEntry::new(now, &staff_id, "reprint", detail),
        staff_id,
        reprinted_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn original() -> OriginalReceipt {
        OriginalReceipt {
            seq: 7,
            operation: "000123".into(),
            issued_at: Utc.with_ymd_and_hms(2026, 11, 20, 15, 0, 0).unwrap(),
        }
    }

    #[test]
    fn criteria_need_at_least_one_field_and_a_well_formed_one() {
        assert_eq!(ReprintCriteria::default().validate(), Err(CriteriaError::NothingToSearch));
        let blank = ReprintCriteria { operation: Some("  ".into()), ..Default::default() };
        assert_eq!(blank.validate(), Err(CriteriaError::NothingToSearch));
        let reversed = ReprintCriteria { from: Some(date(20)), to: Some(date(19)), ..Default::default() };
        assert_eq!(reversed.validate(), Err(CriteriaError::RangeReversed { from: date(20), to: date(19) }));
        for bad in ["123", "12345", "12a4", "４５６７"] {
            let criteria = ReprintCriteria { card_last4: Some(bad.into()), ..Default::default() };
            assert_eq!(criteria.validate(), Err(CriteriaError::CardLast4), "{bad}");
        }
        let bad_operation = ReprintCriteria { operation: Some("1; DROP".into()), ..Default::default() };
        assert_eq!(bad_operation.validate(), Err(CriteriaError::Operation));
        let good = ReprintCriteria {
            from: Some(date(1)),
            to: Some(date(1)),
            operation: Some(" 000123 ".into()),
            card_last4: Some("4242".into()),
        };
        assert_eq!(
            good.validate(),
            Ok(ValidCriteria {
                from: Some(date(1)),
                to: Some(date(1)),
                operation: Some("000123".into()),
                card_last4: Some("4242".into())
            })
        );
    }

    /// Issue 18: the search took digits only, so `REQ-…` and `CND-…` numbers could not be found, and a
    /// number had to be typed with all its zeros.
    #[test]
    fn operation_numbers_are_matched_loosely_as_staff_type_them() {
        let request = "REQ-20261120-000004";
        let certificate = "CND-2026-000003";
        for typed in ["REQ-20261120-000004", "req-20261120-4", " Req 20261120 000004 ", "20261120-4", "4"] {
            let criteria = ReprintCriteria { operation: Some(typed.into()), ..Default::default() };
            let valid = criteria.validate().unwrap_or_else(|err| panic!("{typed}: {err}"));
            assert!(operation_matches(valid.operation.as_deref().unwrap(), request), "{typed}");
        }
        for typed in ["CND-2026-000003", "cnd-2026-3", "cnd 2026 3", "2026-3"] {
            assert!(operation_matches(typed, certificate), "{typed}");
        }
        assert!(operation_matches("8", "00000008") && operation_matches("00000008", "00000008"));
        assert!(operation_matches("af12", "AF00000012") && operation_matches("12", "AF00000012"));
        assert!(!operation_matches("REQ-4", request), "with its letters the whole number is typed");
        assert!(!operation_matches("CND-2026-3", request) && !operation_matches("REQ-20261120-5", request));
        assert!(!operation_matches("18", "00000008") && !operation_matches("80", "00000008"));
        assert!(!operation_matches("AF8", "00000008"));
        // The coarse pattern lets every match through.
        let like = |pattern: &str, text: &str| {
            let parts: Vec<&str> = pattern.split('%').filter(|p| !p.is_empty()).collect();
            let mut rest = text.to_ascii_uppercase();
            parts.iter().all(|part| match rest.find(part) {
                Some(at) => {
                    rest = rest[at + part.len()..].to_owned();
                    true
                }
                None => false,
            }) && parts.last().is_none_or(|last| text.to_ascii_uppercase().ends_with(last))
        };
        for (typed, stored) in [("req 20261120 4", request), ("2026-3", certificate), ("8", "00000008")] {
            assert!(like(&operation_like_pattern(typed), stored), "{typed}");
        }
        for bad in ["--", "REQ_1", "1/2"] {
            let criteria = ReprintCriteria { operation: Some(bad.into()), ..Default::default() };
            assert_eq!(criteria.validate(), Err(CriteriaError::Operation), "{bad}");
        }
    }

    #[test]
    fn staff_reprints_carry_the_next_count_the_original_date_and_the_staff_id() {
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).unwrap();
        let decision = decide_reprint(&Requester::Staff { id: "S01".into() }, &original(), 2, now).unwrap();
        assert_eq!(decision.reprint_count, 3);
        assert_eq!(decision.original_date, original().issued_at);
        assert_eq!(decision.staff_id, "S01");
        assert_eq!(decision.journal.user, "S01");
        assert_eq!(decision.journal.action, "reprint");
        assert!(decision.journal.detail.contains("000123"));
        assert_eq!(
            decide_reprint(&Requester::Staff { id: "S01".into() }, &original(), u32::MAX, now).unwrap().reprint_count,
            u32::MAX
        );
    }

    #[test]
    fn customers_and_anonymous_requests_cannot_reprint() {
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 10, 0, 0).unwrap();
        assert_eq!(
            decide_reprint(&Requester::Customer, &original(), 0, now),
            Err(ReprintRefusal::CustomerCannotReprint)
        );
        assert_eq!(
            decide_reprint(&Requester::Staff { id: " ".into() }, &original(), 0, now),
            Err(ReprintRefusal::NoStaffId)
        );
        let before = original().issued_at - chrono::TimeDelta::seconds(1);
        assert!(matches!(
            decide_reprint(&Requester::Staff { id: "S01".into() }, &original(), 0, before),
            Err(ReprintRefusal::ClockBeforeOriginal { .. })
        ));
    }
}
