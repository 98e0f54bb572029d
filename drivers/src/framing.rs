//! Pure framers that cut a serial reader's byte stream into its messages: one swipe line for the card
//! reader, one MRZ (TD1 3×30 or TD3 2×44) for the document reader. They hold at most a bounded buffer,
//! zeroize what they drop (a swipe is card data), and never panic on any input.

use zeroize::{Zeroize, Zeroizing};

/// The longest swipe line a reader sends (track 1 is at most 79 characters, track 2 at most 40, plus
/// sentinels, LRCs and separators); anything longer is noise.
pub const MAX_SWIPE_LINE: usize = 256;

/// What the card framer made of the bytes so far.
#[derive(Debug, PartialEq, Eq)]
pub enum SwipeFrame {
    /// A whole line, without its CR/LF; zeroized when dropped.
    Line(Zeroizing<String>),
    /// Bytes that cannot be a swipe were dropped (the reason names no card data).
    Garbage(&'static str),
}

/// Cuts the card reader's output into lines ending in CR (LF tolerated).
#[derive(Default)]
pub struct SwipeFramer {
    buffer: Zeroizing<Vec<u8>>,
    overflowed: bool,
}

impl SwipeFramer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns every frame they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SwipeFrame> {
        let mut frames = Vec::new();
        for &b in bytes {
            match b {
                b'\r' | b'\n' => {
                    if self.overflowed {
                        frames.push(SwipeFrame::Garbage("a line longer than any swipe"));
                    } else if !self.buffer.is_empty() {
                        frames.push(self.take_line());
                    }
                    self.clear();
                }
                _ if self.overflowed => {}
                _ if self.buffer.len() >= MAX_SWIPE_LINE => {
                    self.buffer.zeroize();
                    self.buffer.clear();
                    self.overflowed = true;
                }
                _ => self.buffer.push(b),
            }
        }
        frames
    }

    /// The line went quiet: whatever is pending is a partial swipe and is dropped.
    pub fn idle(&mut self) -> Option<SwipeFrame> {
        let pending = !self.buffer.is_empty() || self.overflowed;
        self.clear();
        pending.then_some(SwipeFrame::Garbage("a partial swipe (no end of line)"))
    }

    fn take_line(&mut self) -> SwipeFrame {
        if !self.buffer.iter().all(|b| (0x20..0x7F).contains(b)) {
            return SwipeFrame::Garbage("bytes that are not printable ASCII");
        }
        // The check above makes every byte ASCII, so this conversion cannot fail.
        let line: String = self.buffer.iter().map(|&b| char::from(b)).collect();
        SwipeFrame::Line(Zeroizing::new(line))
    }

    fn clear(&mut self) {
        self.buffer.zeroize();
        self.buffer.clear();
        self.overflowed = false;
    }
}

/// What the document framer made of the lines so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MrzFrame {
    /// TD1: three lines of 30 characters.
    Td1([String; 3]),
    /// TD3: two lines of 44 characters.
    Td3([String; 2]),
    /// Lines that cannot form an MRZ; the reason says what was wrong.
    Invalid(String),
}

/// The longest line an OCR reader sends that we keep.
pub const MAX_MRZ_LINE: usize = 64;

/// Collects MRZ lines (ending in CR or CR LF) into whole zones.
#[derive(Default)]
pub struct MrzFramer {
    line: Vec<u8>,
    lines: Vec<String>,
    overflowed: bool,
}

impl MrzFramer {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, bytes: &[u8]) -> Vec<MrzFrame> {
        let mut frames = Vec::new();
        for &b in bytes {
            match b {
                b'\r' | b'\n' => {
                    if self.overflowed {
                        self.reset();
                        frames.push(MrzFrame::Invalid(format!("a line longer than {MAX_MRZ_LINE} characters")));
                        continue;
                    }
                    if self.line.is_empty() {
                        continue;
                    }
                    let line: String = self.line.drain(..).map(char::from).collect();
                    if let Some(frame) = self.accept_line(line) {
                        frames.push(frame);
                    }
                }
                _ if self.overflowed => {}
                _ if self.line.len() >= MAX_MRZ_LINE => self.overflowed = true,
                // Readers may frame their output with STX/ETX or other controls: not part of the zone.
                0x00..=0x1F | 0x7F => {}
                _ => self.line.push(b),
            }
        }
        frames
    }

    fn accept_line(&mut self, line: String) -> Option<MrzFrame> {
        if !line.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<') {
            self.reset();
            return Some(MrzFrame::Invalid(
                "a line with characters outside the MRZ alphabet (A-Z, 0-9, <)".to_string(),
            ));
        }
        let length = line.len();
        if let Some(first) = self.lines.first().map(String::len)
            && first != length
        {
            self.reset();
            return Some(MrzFrame::Invalid(format!("lines of different lengths ({first} and {length})")));
        }
        if length != 30 && length != 44 {
            self.reset();
            return Some(MrzFrame::Invalid(format!("a line of {length} characters (TD1 has 30, TD3 has 44)")));
        }
        self.lines.push(line);
        match (length, self.lines.len()) {
            (30, 3) => {
                let mut it = std::mem::take(&mut self.lines).into_iter();
                Some(MrzFrame::Td1([
                    it.next().unwrap_or_default(),
                    it.next().unwrap_or_default(),
                    it.next().unwrap_or_default(),
                ]))
            }
            (44, 2) => {
                let mut it = std::mem::take(&mut self.lines).into_iter();
                Some(MrzFrame::Td3([it.next().unwrap_or_default(), it.next().unwrap_or_default()]))
            }
            _ => None,
        }
    }

    /// The line went quiet: a zone with missing lines is reported and dropped.
    pub fn idle(&mut self) -> Option<MrzFrame> {
        let pending = self.lines.len() + usize::from(!self.line.is_empty() || self.overflowed);
        self.reset();
        (pending > 0).then(|| MrzFrame::Invalid("an incomplete MRZ (lines missing)".to_string()))
    }

    fn reset(&mut self) {
        self.line.clear();
        self.lines.clear();
        self.overflowed = false;
    }
}
