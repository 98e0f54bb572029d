//! Machine-readable zones of identity documents (ICAO Doc 9303): TD1 cards such as the Peruvian DNIe
//! (3 lines × 30) and TD3 passports (2 lines × 44), with every check digit and the composite verified.
//! Dates are `YYMMDD` without a century; they are resolved against a reference date the caller passes in.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::dni::Dni;

pub const TD1_LINE_CHARS: usize = 30;
pub const TD3_LINE_CHARS: usize = 44;

/// The field a check or rejection refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MrzField {
    DocumentCode,
    IssuingState,
    DocumentNumber,
    OptionalData,
    BirthDate,
    Sex,
    ExpiryDate,
    Nationality,
    PersonalNumber,
    Composite,
    Names,
}

impl fmt::Display for MrzField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MrzField::DocumentCode => "document code",
            MrzField::IssuingState => "issuing state",
            MrzField::DocumentNumber => "document number",
            MrzField::OptionalData => "optional data",
            MrzField::BirthDate => "birth date",
            MrzField::Sex => "sex",
            MrzField::ExpiryDate => "expiry date",
            MrzField::Nationality => "nationality",
            MrzField::PersonalNumber => "personal number",
            MrzField::Composite => "composite check",
            MrzField::Names => "names",
        })
    }
}

/// Why a machine-readable zone was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MrzError {
    #[error("MRZ: empty")]
    Empty,
    #[error(
        "MRZ: {lines} line(s) of {chars} characters; expected 3 lines of 30 (ID card, TD1) or 2 lines of 44 \
         (passport, TD3)"
    )]
    WrongShape { lines: usize, chars: usize },
    #[error("MRZ line {line}: character at position {position} is not A–Z, 0–9 or `<`")]
    InvalidCharacter { line: usize, position: usize },
    #[error("MRZ {field}: {reason}")]
    InvalidField { field: MrzField, reason: &'static str },
    #[error("MRZ {field}: check digit `{found}` does not match (computed {computed}); the zone was misread")]
    CheckDigitMismatch { field: MrzField, found: char, computed: u8 },
    #[error("MRZ {field}: {yymmdd} is not a calendar date in the century chosen from the reference date")]
    UnresolvableDate { field: MrzField, yymmdd: String },
}

/// Value of an MRZ character for check digits: digits 0–9, letters 10–35, filler `<` 0.
fn char_value(byte: u8) -> Option<u32> {
    match byte {
        b'0'..=b'9' => Some(u32::from(byte - b'0')),
        b'A'..=b'Z' => Some(u32::from(byte - b'A') + 10),
        b'<' => Some(0),
        _ => None,
    }
}

/// The ICAO 9303 check digit of `field` (weights 7, 3, 1 repeating, sum mod 10), or `None` if a byte is
/// not an MRZ character.
pub fn check_digit(field: &[u8]) -> Option<u8> {
    let mut sum = 0u32;
    for (byte, weight) in field.iter().zip([7u32, 3, 1].into_iter().cycle()) {
        sum += char_value(*byte)? * weight;
    }
    // sum % 10 < 10 fits in u8.
    Some((sum % 10) as u8)
}

fn verify(field: MrzField, data: &[u8], check: u8) -> Result<(), MrzError> {
    let computed = check_digit(data).ok_or(MrzError::InvalidField { field, reason: "not MRZ characters" })?;
    // ICAO allows `<` in place of a 0 check digit only where the checked field is all fillers.
    let matches = check == b'0' + computed || (check == b'<' && computed == 0 && data.iter().all(|&b| b == b'<'));
    if matches { Ok(()) } else { Err(MrzError::CheckDigitMismatch { field, found: char::from(check), computed }) }
}

/// `<` fillers become nothing at the ends and a space inside.
fn text(field: &[u8]) -> String {
    let text = String::from_utf8_lossy(field);
    let words: Vec<&str> = text.split('<').filter(|word| !word.is_empty()).collect();
    words.join(" ")
}

/// Sex as printed in the MRZ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    Female,
    Male,
    /// `<` or `X`.
    Unspecified,
}

impl Sex {
    fn from_mrz(byte: u8) -> Result<Self, MrzError> {
        match byte {
            b'F' => Ok(Sex::Female),
            b'M' => Ok(Sex::Male),
            b'<' | b'X' => Ok(Sex::Unspecified),
            _ => Err(MrzError::InvalidField { field: MrzField::Sex, reason: "not F, M, X or <" }),
        }
    }
}

/// A `YYMMDD` date without its century. Month and day ranges are checked when read; whether the day exists
/// (29 February) is known only once the century is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MrzDate {
    yy: u8,
    month: u8,
    day: u8,
}

impl MrzDate {
    fn read(field: MrzField, digits: &[u8]) -> Result<Self, MrzError> {
        if digits.contains(&b'<') {
            return Err(MrzError::InvalidField { field, reason: "date unknown (filled with `<`); not accepted" });
        }
        let [y1, y2, m1, m2, d1, d2] = <[u8; 6]>::try_from(digits)
            .ok()
            .filter(|all| all.iter().all(u8::is_ascii_digit))
            .ok_or(MrzError::InvalidField { field, reason: "not six digits YYMMDD" })?;
        let two = |a: u8, b: u8| (a - b'0') * 10 + (b - b'0');
        let (yy, month, day) = (two(y1, y2), two(m1, m2), two(d1, d2));
        if !(1..=12).contains(&month) {
            return Err(MrzError::InvalidField { field, reason: "month is not 01 to 12" });
        }
        if !(1..=31).contains(&day) {
            return Err(MrzError::InvalidField { field, reason: "day is not 01 to 31" });
        }
        Ok(Self { yy, month, day })
    }

    /// A date from its printed parts (`yy` 0–99, month 1–12, day 1–31).
    pub fn new(yy: u8, month: u8, day: u8) -> Option<Self> {
        (yy <= 99 && (1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Self { yy, month, day })
    }

    pub fn yy(&self) -> u8 {
        self.yy
    }

    pub fn month(&self) -> u8 {
        self.month
    }

    pub fn day(&self) -> u8 {
        self.day
    }

    fn in_century(&self, century_start: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(century_start + i32::from(self.yy), u32::from(self.month), u32::from(self.day))
    }

    fn unresolvable(&self, field: MrzField) -> MrzError {
        MrzError::UnresolvableDate { field, yymmdd: self.to_string() }
    }

    /// A date that cannot be after `reference` (a birth date): the latest such date with these YYMMDD.
    pub fn resolve_not_after(&self, reference: NaiveDate, field: MrzField) -> Result<NaiveDate, MrzError> {
        let century = reference.year().div_euclid(100) * 100;
        let this_century = self.in_century(century);
        match this_century {
            Some(date) if date <= reference => Ok(date),
            _ => self.in_century(century - 100).ok_or_else(|| self.unresolvable(field)),
        }
    }

    /// A date within 50 years either side of `reference` (an expiry date): the year is put in
    /// `[reference year − 50, reference year + 49]`.
    pub fn resolve_near(&self, reference: NaiveDate, field: MrzField) -> Result<NaiveDate, MrzError> {
        let low = reference.year() - 50;
        let century = low.div_euclid(100) * 100;
        let start = if century + i32::from(self.yy) >= low { century } else { century + 100 };
        self.in_century(start).ok_or_else(|| self.unresolvable(field))
    }
}

/// `YYMMDD`, as printed.
impl fmt::Display for MrzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}{:02}{:02}", self.yy, self.month, self.day)
    }
}

/// The holder's name: primary identifier (surnames) and secondary identifier (given names), with the
/// MRZ's `<` turned into spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MrzNames {
    pub primary: String,
    pub secondary: String,
}

impl MrzNames {
    fn read(field: &[u8]) -> Self {
        let split = field.windows(2).position(|pair| pair == b"<<");
        match split {
            Some(at) => Self { primary: text(&field[..at]), secondary: text(&field[at + 2..]) },
            None => Self { primary: text(field), secondary: String::new() },
        }
    }
}

/// Which layout the zone had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MrzFormat {
    /// ID card, 3 lines × 30.
    Td1,
    /// Passport, 2 lines × 44.
    Td3,
}

/// A machine-readable zone whose check digits all matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mrz {
    pub format: MrzFormat,
    /// `I`, `ID`, `P`, `PE`… (fillers removed).
    pub document_code: String,
    /// ISO 3166 alpha-3 or ICAO code (`PER`, `UTO`, `D`).
    pub issuing_state: String,
    pub document_number: String,
    /// TD1: optional data of line 1 (after a long document number's continuation); TD3: personal number.
    pub optional_data: String,
    /// TD1 only: optional data of line 2.
    pub optional_data_2: String,
    pub birth_date: MrzDate,
    pub sex: Sex,
    pub expiry_date: MrzDate,
    pub nationality: String,
    pub names: MrzNames,
}

fn check_alphabet(line_number: usize, line: &[u8]) -> Result<(), MrzError> {
    match line.iter().position(|&b| char_value(b).is_none()) {
        Some(position) => Err(MrzError::InvalidCharacter { line: line_number, position }),
        None => Ok(()),
    }
}

fn document_code(field: &[u8], allowed_first: &[u8]) -> Result<String, MrzError> {
    match field.first() {
        Some(first) if allowed_first.contains(first) => Ok(text(field)),
        _ => {
            Err(MrzError::InvalidField { field: MrzField::DocumentCode, reason: "not a code of this document format" })
        }
    }
}

fn state(field: &[u8], which: MrzField) -> Result<String, MrzError> {
    if field.iter().all(|b| b.is_ascii_uppercase() || *b == b'<') && field.first().is_some_and(u8::is_ascii_uppercase) {
        Ok(text(field))
    } else {
        Err(MrzError::InvalidField { field: which, reason: "not a three-letter state code" })
    }
}

fn fixed<const N: usize>(line: &[u8]) -> Result<&[u8; N], MrzError> {
    line.try_into().map_err(|_| MrzError::WrongShape { lines: 1, chars: line.len() })
}

impl Mrz {
    /// Reads a zone as a document reader sends it: lines separated by CR, LF or both (blank lines and surrounding
    /// spaces ignored), or the lines concatenated (90 characters for TD1, 88 for TD3).
    pub fn parse(input: &str) -> Result<Mrz, MrzError> {
        let lines: Vec<&str> = input.split(['\r', '\n']).map(str::trim).filter(|line| !line.is_empty()).collect();
        for (index, line) in lines.iter().enumerate() {
            if let Some(position) = line.chars().position(|c| !c.is_ascii()) {
                return Err(MrzError::InvalidCharacter { line: index + 1, position });
            }
        }
        let lengths: Vec<usize> = lines.iter().map(|line| line.len()).collect();
        match (lines.as_slice(), lengths.as_slice()) {
            ([], _) => Err(MrzError::Empty),
            ([a, b, c], [30, 30, 30]) => Self::parse_td1(a, b, c),
            ([a, b], [44, 44]) => Self::parse_td3(a, b),
            // All ASCII (checked above), so these byte offsets are character boundaries.
            ([all], [90]) => Self::parse_td1(&all[..30], &all[30..60], &all[60..]),
            ([all], [88]) => Self::parse_td3(&all[..44], &all[44..]),
            (_, [first, ..]) => Err(MrzError::WrongShape { lines: lines.len(), chars: *first }),
            (_, []) => Err(MrzError::Empty),
        }
    }

    /// Reads a TD1 zone (3 × 30).
    pub fn parse_td1(line1: &str, line2: &str, line3: &str) -> Result<Mrz, MrzError> {
        for (number, line) in [(1, line1), (2, line2), (3, line3)] {
            if line.len() != TD1_LINE_CHARS {
                return Err(MrzError::WrongShape { lines: 3, chars: line.len() });
            }
            check_alphabet(number, line.as_bytes())?;
        }
        let l1: &[u8; 30] = fixed(line1.as_bytes())?;
        let l2: &[u8; 30] = fixed(line2.as_bytes())?;
        let l3: &[u8; 30] = fixed(line3.as_bytes())?;

        let document_code = document_code(&l1[0..2], b"IAC")?;
        let issuing_state = state(&l1[2..5], MrzField::IssuingState)?;
        // A number longer than 9 characters leaves `<` in the check position and continues in the
        // optional data, where its own check digit follows it and a `<` ends it.
        let (document_number, optional_data) = if l1[14] == b'<' && l1[15] != b'<' {
            let continuation_end = l1[15..].iter().position(|&b| b == b'<').map_or(30, |at| 15 + at);
            if continuation_end < 17 {
                return Err(MrzError::InvalidField {
                    field: MrzField::DocumentNumber,
                    reason: "long number continuation has no check digit",
                });
            }
            let check_at = continuation_end - 1;
            let mut number = l1[5..14].to_vec();
            number.extend_from_slice(&l1[15..check_at]);
            verify(MrzField::DocumentNumber, &number, l1[check_at])?;
            (text(&number), text(l1.get(continuation_end..).unwrap_or_default()))
        } else {
            verify(MrzField::DocumentNumber, &l1[5..14], l1[14])?;
            (text(&l1[5..14]), text(&l1[15..30]))
        };
        if document_number.is_empty() {
            return Err(MrzError::InvalidField { field: MrzField::DocumentNumber, reason: "empty" });
        }

        verify(MrzField::BirthDate, &l2[0..6], l2[6])?;
        let birth_date = MrzDate::read(MrzField::BirthDate, &l2[0..6])?;
        let sex = Sex::from_mrz(l2[7])?;
        verify(MrzField::ExpiryDate, &l2[8..14], l2[14])?;
        let expiry_date = MrzDate::read(MrzField::ExpiryDate, &l2[8..14])?;
        let nationality = state(&l2[15..18], MrzField::Nationality)?;

        let mut composite = Vec::with_capacity(60);
        composite.extend_from_slice(&l1[5..30]);
        composite.extend_from_slice(&l2[0..7]);
        composite.extend_from_slice(&l2[8..15]);
        composite.extend_from_slice(&l2[18..29]);
        verify(MrzField::Composite, &composite, l2[29])?;

        let names = MrzNames::read(&l3[..]);
        if names.primary.is_empty() {
            return Err(MrzError::InvalidField { field: MrzField::Names, reason: "no primary identifier (surname)" });
        }
        Ok(Mrz {
            format: MrzFormat::Td1,
            document_code,
            issuing_state,
            document_number,
            optional_data,
            optional_data_2: text(&l2[18..29]),
            birth_date,
            sex,
            expiry_date,
            nationality,
            names,
        })
    }

    /// Reads a TD3 zone (2 × 44).
    pub fn parse_td3(line1: &str, line2: &str) -> Result<Mrz, MrzError> {
        for (number, line) in [(1, line1), (2, line2)] {
            if line.len() != TD3_LINE_CHARS {
                return Err(MrzError::WrongShape { lines: 2, chars: line.len() });
            }
            check_alphabet(number, line.as_bytes())?;
        }
        let l1: &[u8; 44] = fixed(line1.as_bytes())?;
        let l2: &[u8; 44] = fixed(line2.as_bytes())?;

        let document_code = document_code(&l1[0..2], b"P")?;
        let issuing_state = state(&l1[2..5], MrzField::IssuingState)?;
        let names = MrzNames::read(&l1[5..44]);
        if names.primary.is_empty() {
            return Err(MrzError::InvalidField { field: MrzField::Names, reason: "no primary identifier (surname)" });
        }

        verify(MrzField::DocumentNumber, &l2[0..9], l2[9])?;
        let document_number = text(&l2[0..9]);
        if document_number.is_empty() {
            return Err(MrzError::InvalidField { field: MrzField::DocumentNumber, reason: "empty" });
        }
        let nationality = state(&l2[10..13], MrzField::Nationality)?;
        verify(MrzField::BirthDate, &l2[13..19], l2[19])?;
        let birth_date = MrzDate::read(MrzField::BirthDate, &l2[13..19])?;
        let sex = Sex::from_mrz(l2[20])?;
        verify(MrzField::ExpiryDate, &l2[21..27], l2[27])?;
        let expiry_date = MrzDate::read(MrzField::ExpiryDate, &l2[21..27])?;
        verify(MrzField::PersonalNumber, &l2[28..42], l2[42])?;

        let mut composite = Vec::with_capacity(39);
        composite.extend_from_slice(&l2[0..10]);
        composite.extend_from_slice(&l2[13..20]);
        composite.extend_from_slice(&l2[21..43]);
        verify(MrzField::Composite, &composite, l2[43])?;

        Ok(Mrz {
            format: MrzFormat::Td3,
            document_code,
            issuing_state,
            document_number,
            optional_data: text(&l2[28..42]),
            optional_data_2: String::new(),
            birth_date,
            sex,
            expiry_date,
            nationality,
            names,
        })
    }

    /// The DNI, for a Peruvian identity card (`I…` issued by `PER`) whose document number is the eight
    /// DNI digits (optionally followed by the RENIEC check digit).
    pub fn dni(&self) -> Option<Dni> {
        if self.format != MrzFormat::Td1 || !self.document_code.starts_with('I') || self.issuing_state != "PER" {
            return None;
        }
        let number = self.document_number.as_str();
        match number.len() {
            8 => Dni::parse(number).ok(),
            9 => {
                let dni = Dni::parse(number.get(..8)?).ok()?;
                (number.get(8..)? == dni.check_digit().to_string()).then_some(dni)
            }
            _ => None,
        }
    }

    /// The birth date, resolved as the latest date with these `YYMMDD` not after `today`.
    pub fn birth_date_on(&self, today: NaiveDate) -> Result<NaiveDate, MrzError> {
        self.birth_date.resolve_not_after(today, MrzField::BirthDate)
    }

    /// The expiry date, resolved within 50 years of `today`.
    pub fn expiry_date_on(&self, today: NaiveDate) -> Result<NaiveDate, MrzError> {
        self.expiry_date.resolve_near(today, MrzField::ExpiryDate)
    }

    /// The document is valid through its expiry date.
    pub fn is_expired_on(&self, today: NaiveDate) -> Result<bool, MrzError> {
        Ok(self.expiry_date_on(today)? < today)
    }
}
