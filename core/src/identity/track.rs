//! Magnetic-stripe tracks as ISO/IEC 7813 defines them (track 1 format B, track 2) and the line a card
//! reader sends after a swipe (`%B…?;…?` + CR). Only what the kiosk needs is kept — card number,
//! expiry, service code and the holder's name; discretionary data (PVV, CVV) is never copied out of the
//! input, and no error message contains track data or the card number.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::card::{CardNumber, CardNumberError};

/// Longest track 1 record, sentinels and LRC included.
pub const TRACK1_MAX_CHARS: usize = 79;
/// Longest track 2 record, sentinels and LRC included.
pub const TRACK2_MAX_CHARS: usize = 40;

/// Which track a result or error refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TrackId {
    Track1,
    Track2,
}

impl fmt::Display for TrackId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrackId::Track1 => "track 1",
            TrackId::Track2 => "track 2",
        })
    }
}

impl TrackId {
    fn start_sentinel(self) -> u8 {
        match self {
            TrackId::Track1 => b'%',
            TrackId::Track2 => b';',
        }
    }

    /// Track 1 characters are 6-bit codes from 0x20, track 2 characters 4-bit codes from 0x30.
    fn code_base(self) -> u8 {
        match self {
            TrackId::Track1 => 0x20,
            TrackId::Track2 => 0x30,
        }
    }

    fn code_mask(self) -> u8 {
        match self {
            TrackId::Track1 => 0x3F,
            TrackId::Track2 => 0x0F,
        }
    }

    fn max_chars(self) -> usize {
        match self {
            TrackId::Track1 => TRACK1_MAX_CHARS,
            TrackId::Track2 => TRACK2_MAX_CHARS,
        }
    }

    fn in_alphabet(self, byte: u8) -> bool {
        let base = self.code_base();
        byte >= base && byte - base <= self.code_mask()
    }
}

/// Whether the reader appends the LRC character after each end sentinel (a reader setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LrcMode {
    /// The reader strips the LRC (the usual factory setting); a character after `?` is an error.
    Absent,
    /// The reader sends the LRC; it must be there and it is verified.
    Present,
    /// Verify an LRC when one is there. In a reader line, a character after track 1's `?` counts as
    /// its LRC unless it is the `;` that starts track 2 (a `;` LRC followed by track 2 is `;;`).
    Detect,
}

/// What the reader reported for one track of a swipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TrackStatus {
    /// Read and parsed.
    Read,
    /// The reader could not decode the track (it sent `%E?` or `;E?`).
    Failed,
    /// The reader sent nothing for this track.
    Absent,
}

/// Why a track or reader line was refused. Never contains track data or the card number.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TrackError {
    #[error("card reader: empty line; swipe the card again")]
    Empty,
    #[error("{track}: byte at position {position} is outside the track's character set")]
    InvalidCharacter { track: TrackId, position: usize },
    #[error("{track}: missing start sentinel")]
    MissingStartSentinel { track: TrackId },
    #[error("{track}: missing end sentinel `?`")]
    MissingEndSentinel { track: TrackId },
    #[error("{track}: the reader reported a read failure (E); swipe the card again")]
    ReaderFailed { track: TrackId },
    #[error("{track}: {chars} characters, the track holds at most {max}")]
    TooLong { track: TrackId, chars: usize, max: usize },
    #[error("track 1: format code `{found}` is not `B` (financial card)")]
    FormatCode { found: char },
    #[error("{track}: missing field separator after the {after}")]
    MissingSeparator { track: TrackId, after: &'static str },
    #[error("{track}: card number: {source}")]
    CardNumber { track: TrackId, source: CardNumberError },
    #[error("track 1: cardholder name has {chars} characters, it must have 2 to 26")]
    NameLength { chars: usize },
    #[error("{track}: expiry date: {reason}")]
    Expiry { track: TrackId, reason: &'static str },
    #[error("{track}: service code: {reason}")]
    ServiceCode { track: TrackId, reason: &'static str },
    #[error("{track}: LRC character missing after the end sentinel (reader set to send it)")]
    MissingLrc { track: TrackId },
    #[error("{track}: LRC check failed; the swipe was misread, swipe the card again")]
    LrcMismatch { track: TrackId },
    #[error("{track}: unexpected data after the end sentinel")]
    TrailingData { track: TrackId },
    #[error("card reader: tracks 1 and 2 disagree on the {field}; swipe the card again")]
    TracksDisagree { field: &'static str },
    #[error("card reader: no track could be read; swipe the card again")]
    NoUsableTrack,
}

/// The card's service code (three digits). A first digit of 2 or 6 means the card has a chip that should
/// be used where the terminal supports it; the kiosk still reads the stripe, flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServiceCode([u8; 3]);

impl ServiceCode {
    fn from_ascii(digits: &[u8], track: TrackId) -> Result<Self, TrackError> {
        let digits: [u8; 3] =
            digits.try_into().map_err(|_| TrackError::ServiceCode { track, reason: "fewer than 3 digits" })?;
        if digits.iter().all(u8::is_ascii_digit) {
            Ok(Self(digits))
        } else {
            Err(TrackError::ServiceCode { track, reason: "not 3 digits" })
        }
    }

    /// The three digits, e.g. `201`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// First digit 2 (international) or 6 (national): an integrated-circuit card.
    pub fn is_chip_card(&self) -> bool {
        matches!(self.0[0], b'2' | b'6')
    }
}

impl fmt::Display for ServiceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Card expiry month as encoded `YYMM`. Years are taken as 20YY (payment cards carry no earlier dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CardExpiry {
    year: u16,
    month: u8,
}

impl CardExpiry {
    /// An expiry from a full year and a month 1–12.
    pub fn new(year: u16, month: u8) -> Option<Self> {
        (1..=12).contains(&month).then_some(Self { year, month })
    }

    fn from_yymm(digits: &[u8], track: TrackId) -> Result<Self, TrackError> {
        let [y1, y2, m1, m2] = <[u8; 4]>::try_from(digits)
            .map_err(|_| TrackError::Expiry { track, reason: "fewer than 4 digits (YYMM)" })?;
        if ![y1, y2, m1, m2].iter().all(u8::is_ascii_digit) {
            return Err(TrackError::Expiry { track, reason: "not 4 digits (YYMM)" });
        }
        let year = 2000 + u16::from(y1 - b'0') * 10 + u16::from(y2 - b'0');
        let month = (m1 - b'0') * 10 + (m2 - b'0');
        Self::new(year, month).ok_or(TrackError::Expiry { track, reason: "month is not 01 to 12" })
    }

    pub fn year(&self) -> u16 {
        self.year
    }

    pub fn month(&self) -> u8 {
        self.month
    }

    /// A card is valid through the last day of its expiry month.
    pub fn is_expired_on(&self, today: NaiveDate) -> bool {
        (today.year(), today.month()) > (i32::from(self.year), u32::from(self.month))
    }
}

/// `MM/YY`, as embossed on the card.
impl fmt::Display for CardExpiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}/{:02}", self.month, self.year % 100)
    }
}

/// The holder's name as track 1 carries it: `SURNAME/GIVEN NAMES.TITLE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CardholderName {
    pub surname: String,
    pub given_names: String,
    pub title: String,
}

impl CardholderName {
    fn parse(field: &str) -> Self {
        let (surname, rest) = field.split_once('/').unwrap_or((field, ""));
        let (given_names, title) = rest.split_once('.').unwrap_or((rest, ""));
        Self {
            surname: surname.trim().to_owned(),
            given_names: given_names.trim().to_owned(),
            title: title.trim().to_owned(),
        }
    }
}

/// `GIVEN NAMES SURNAME`, for a greeting on screen.
impl fmt::Display for CardholderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.given_names.is_empty(), self.surname.is_empty()) {
            (false, false) => write!(f, "{} {}", self.given_names, self.surname),
            (true, _) => f.write_str(&self.surname),
            (false, true) => f.write_str(&self.given_names),
        }
    }
}

/// Track 1, format B.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track1 {
    pub pan: CardNumber,
    pub name: CardholderName,
    /// `None` when the card encodes "no expiry" (`^`).
    pub expiry: Option<CardExpiry>,
    /// `None` when the card encodes "no service code" (`^`).
    pub service_code: Option<ServiceCode>,
}

/// Track 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track2 {
    pub pan: CardNumber,
    /// `None` when the card encodes "no expiry" (`=`).
    pub expiry: Option<CardExpiry>,
    /// `None` when the card encodes "no service code" (`=`).
    pub service_code: Option<ServiceCode>,
}

impl Track1 {
    /// A chip card read by its stripe (service code 2xx or 6xx).
    pub fn is_chip_card(&self) -> bool {
        self.service_code.is_some_and(|code| code.is_chip_card())
    }
}

impl Track2 {
    /// A chip card read by its stripe (service code 2xx or 6xx).
    pub fn is_chip_card(&self) -> bool {
        self.service_code.is_some_and(|code| code.is_chip_card())
    }
}

/// The LRC character for a track record from its start sentinel through its end sentinel: the XOR of the
/// characters' codes, written back as a character of the same track alphabet. `None` if a byte is outside
/// the alphabet. Emulators use this to produce reader output with LRC.
pub fn compute_lrc(track: TrackId, record: &[u8]) -> Option<u8> {
    let base = track.code_base();
    let mut lrc = 0u8;
    for &byte in record {
        if !track.in_alphabet(byte) {
            return None;
        }
        lrc ^= byte - base;
    }
    Some(base + (lrc & track.code_mask()))
}

/// A track record split at its end sentinel: `record` runs from the start sentinel through `?`.
struct Framed<'a> {
    record: &'a [u8],
    /// The LRC byte when one was taken.
    lrc: Option<u8>,
    /// Bytes after the record (and its LRC).
    rest: &'a [u8],
}

/// Finds the record of `track` at the start of `input` (offset `origin` for positions in errors).
fn frame(input: &[u8], track: TrackId, lrc_mode: LrcMode, origin: usize) -> Result<Framed<'_>, TrackError> {
    if input.first() != Some(&track.start_sentinel()) {
        return Err(TrackError::MissingStartSentinel { track });
    }
    let end = input.iter().position(|&b| b == b'?').ok_or(TrackError::MissingEndSentinel { track })?;
    // `E` marks a track the reader could not decode; it is outside track 2's character set.
    let reader_failed = end == 2 && input.get(1) == Some(&b'E');
    if let Some(offset) = input[..end].iter().position(|&b| !track.in_alphabet(b)).filter(|_| !reader_failed) {
        return Err(TrackError::InvalidCharacter { track, position: origin + offset });
    }
    let (record, after) = input.split_at(end + 1);
    // Readers differ on whether a failed track's `E?` is followed by an LRC: guess as in `Detect`.
    let lrc_mode = if reader_failed && lrc_mode == LrcMode::Present { LrcMode::Detect } else { lrc_mode };
    let takes_lrc = match (lrc_mode, after) {
        (_, []) | (LrcMode::Absent, _) => false,
        (LrcMode::Present, _) => true,
        // Track 1's `;` followed by anything but a second `;` is the start of track 2, not an LRC.
        (LrcMode::Detect, [b';', next, ..]) if track == TrackId::Track1 => *next == b';',
        (LrcMode::Detect, [b'\r' | b'\n', ..]) => false,
        (LrcMode::Detect, _) => true,
    };
    if lrc_mode == LrcMode::Present && after.is_empty() {
        return Err(TrackError::MissingLrc { track });
    }
    let (lrc, rest) = match (takes_lrc, after) {
        (true, [lrc, rest @ ..]) => (Some(*lrc), rest),
        _ => (None, after),
    };
    Ok(Framed { record, lrc, rest })
}

fn check_frame(framed: &Framed<'_>, track: TrackId) -> Result<(), TrackError> {
    let chars = framed.record.len() + usize::from(framed.lrc.is_some());
    if framed.record == [track.start_sentinel(), b'E', b'?'] {
        return Err(TrackError::ReaderFailed { track });
    }
    if chars > track.max_chars() {
        return Err(TrackError::TooLong { track, chars, max: track.max_chars() });
    }
    if let Some(lrc) = framed.lrc
        && compute_lrc(track, framed.record) != Some(lrc)
    {
        return Err(TrackError::LrcMismatch { track });
    }
    Ok(())
}

/// Reads `PAN` bytes (already known to be in the track alphabet) into a zeroizing card number.
fn card_number(pan: &[u8], track: TrackId) -> Result<CardNumber, TrackError> {
    let digits = String::from_utf8(pan.to_vec())
        .map_err(|_| TrackError::CardNumber { track, source: CardNumberError::InvalidCharacter { position: 0 } })?;
    CardNumber::from_digits(digits).map_err(|source| TrackError::CardNumber { track, source })
}

/// Expiry, service code and (ignored) discretionary data after the PAN/name; `absent` is the separator
/// character that stands for a missing field.
fn expiry_and_service(
    tail: &[u8],
    absent: u8,
    track: TrackId,
) -> Result<(Option<CardExpiry>, Option<ServiceCode>), TrackError> {
    let (expiry, tail) = match tail {
        [first, rest @ ..] if *first == absent => (None, rest),
        _ if tail.len() < 4 => return Err(TrackError::Expiry { track, reason: "fewer than 4 digits (YYMM)" }),
        _ => {
            let (yymm, rest) = tail.split_at(4);
            (Some(CardExpiry::from_yymm(yymm, track)?), rest)
        }
    };
    let service = match tail {
        [first, ..] if *first == absent => None,
        _ if tail.len() < 3 => return Err(TrackError::ServiceCode { track, reason: "fewer than 3 digits" }),
        _ => Some(ServiceCode::from_ascii(&tail[..3], track)?),
    };
    Ok((expiry, service))
}

fn parse_track1_record(record: &[u8]) -> Result<Track1, TrackError> {
    const T: TrackId = TrackId::Track1;
    // record = % B PAN ^ NAME ^ ED SC DD ?
    let body = record.get(1..record.len().saturating_sub(1)).unwrap_or_default();
    let (&format_code, fields) =
        body.split_first().ok_or(TrackError::MissingSeparator { track: T, after: "start sentinel" })?;
    if format_code != b'B' {
        return Err(TrackError::FormatCode { found: char::from(format_code) });
    }
    let mut parts = fields.splitn(3, |&b| b == b'^');
    let pan = parts.next().unwrap_or_default();
    let name = parts.next().ok_or(TrackError::MissingSeparator { track: T, after: "card number" })?;
    let tail = parts.next().ok_or(TrackError::MissingSeparator { track: T, after: "cardholder name" })?;
    let pan = card_number(pan, T)?;
    if !(2..=26).contains(&name.len()) {
        return Err(TrackError::NameLength { chars: name.len() });
    }
    let name = CardholderName::parse(&String::from_utf8_lossy(name));
    let (expiry, service_code) = expiry_and_service(tail, b'^', T)?;
    Ok(Track1 { pan, name, expiry, service_code })
}

fn parse_track2_record(record: &[u8]) -> Result<Track2, TrackError> {
    const T: TrackId = TrackId::Track2;
    // record = ; PAN = ED SC DD ?
    let body = record.get(1..record.len().saturating_sub(1)).unwrap_or_default();
    let separator =
        body.iter().position(|&b| b == b'=').ok_or(TrackError::MissingSeparator { track: T, after: "card number" })?;
    let (pan, tail) = body.split_at(separator);
    let pan = card_number(pan, T)?;
    let (expiry, service_code) = expiry_and_service(tail.get(1..).unwrap_or_default(), b'=', T)?;
    Ok(Track2 { pan, expiry, service_code })
}

/// The line without its terminating CR, LF or CR LF.
fn without_line_end(line: &[u8]) -> &[u8] {
    match line {
        [rest @ .., b'\r', b'\n'] | [rest @ .., b'\r' | b'\n'] => rest,
        _ => line,
    }
}

fn single_track(input: &[u8], track: TrackId, lrc_mode: LrcMode) -> Result<&[u8], TrackError> {
    let input = without_line_end(input);
    if input.is_empty() {
        return Err(TrackError::Empty);
    }
    let framed = frame(input, track, lrc_mode, 0)?;
    check_frame(&framed, track)?;
    if !framed.rest.is_empty() {
        return Err(TrackError::TrailingData { track });
    }
    Ok(framed.record)
}

/// Parses one track 1 record `%B…^NAME^YYMMSSS…?` (plus its LRC, per `lrc_mode`, and an optional line end).
pub fn parse_track1(input: impl AsRef<[u8]>, lrc_mode: LrcMode) -> Result<Track1, TrackError> {
    parse_track1_record(single_track(input.as_ref(), TrackId::Track1, lrc_mode)?)
}

/// Parses one track 2 record `;PAN=YYMMSSS…?` (plus its LRC, per `lrc_mode`, and an optional line end).
pub fn parse_track2(input: impl AsRef<[u8]>, lrc_mode: LrcMode) -> Result<Track2, TrackError> {
    parse_track2_record(single_track(input.as_ref(), TrackId::Track2, lrc_mode)?)
}

/// The card as one swipe read it: track 2 is preferred for number, expiry and service code (it is the
/// track financial networks use); track 1 adds the holder's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSwipe {
    pub pan: CardNumber,
    pub expiry: Option<CardExpiry>,
    pub service_code: Option<ServiceCode>,
    pub cardholder: Option<CardholderName>,
    pub track1: TrackStatus,
    pub track2: TrackStatus,
}

impl CardSwipe {
    /// The card has a chip (service code 2xx/6xx): the stripe read is accepted but should be flagged.
    pub fn is_chip_card(&self) -> bool {
        self.service_code.is_some_and(|code| code.is_chip_card())
    }
}

/// Parses the whole line a reader sends after a swipe: track 1 then track 2, either may be missing or
/// `E` (failed), each with or without LRC per `lrc_mode`, ending with an optional CR and/or LF.
///
/// When both tracks are read they must agree on the card number, expiry and service code.
pub fn parse_reader_line(line: impl AsRef<[u8]>, lrc_mode: LrcMode) -> Result<CardSwipe, TrackError> {
    let line = without_line_end(line.as_ref());
    if line.is_empty() {
        return Err(TrackError::Empty);
    }
    let mut rest = line;
    let mut track1 = (TrackStatus::Absent, None);
    if rest.first() == Some(&b'%') {
        let framed = frame(rest, TrackId::Track1, lrc_mode, 0)?;
        track1 = match check_frame(&framed, TrackId::Track1) {
            Err(TrackError::ReaderFailed { .. }) => (TrackStatus::Failed, None),
            Err(error) => return Err(error),
            Ok(()) => (TrackStatus::Read, Some(parse_track1_record(framed.record)?)),
        };
        rest = framed.rest;
    }
    let mut track2 = (TrackStatus::Absent, None);
    if !rest.is_empty() {
        let origin = line.len() - rest.len();
        let framed = frame(rest, TrackId::Track2, lrc_mode, origin)?;
        track2 = match check_frame(&framed, TrackId::Track2) {
            Err(TrackError::ReaderFailed { .. }) => (TrackStatus::Failed, None),
            Err(error) => return Err(error),
            Ok(()) => (TrackStatus::Read, Some(parse_track2_record(framed.record)?)),
        };
        if !framed.rest.is_empty() {
            return Err(TrackError::TrailingData { track: TrackId::Track2 });
        }
    }
    let (status1, track1) = track1;
    let (status2, track2) = track2;
    match (track1, track2) {
        (None, None) => Err(TrackError::NoUsableTrack),
        (Some(one), None) => Ok(CardSwipe {
            pan: one.pan,
            expiry: one.expiry,
            service_code: one.service_code,
            cardholder: Some(one.name),
            track1: status1,
            track2: status2,
        }),
        (one, Some(two)) => {
            let cardholder = match one {
                Some(one) => {
                    if one.pan != two.pan {
                        return Err(TrackError::TracksDisagree { field: "card number" });
                    }
                    if one.expiry != two.expiry {
                        return Err(TrackError::TracksDisagree { field: "expiry date" });
                    }
                    if one.service_code != two.service_code {
                        return Err(TrackError::TracksDisagree { field: "service code" });
                    }
                    Some(one.name)
                }
                None => None,
            };
            Ok(CardSwipe {
                pan: two.pan,
                expiry: two.expiry,
                service_code: two.service_code,
                cardholder,
                track1: status1,
                track2: status2,
            })
        }
    }
}
