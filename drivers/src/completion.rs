//! Job completion on ESC/POS printers: the process-ID request (`GS ( H` fn 48) appended after a job,
//! and an incremental decoder that splits what the printer sends back into real-time status bytes
//! (`DLE EOT` replies) and process-ID responses. Pure: bytes in, values out, never panics.
//!
//! A printer answers `DLE EOT` at once, even while it is still printing what came before, so a clean
//! status right after sending proves nothing about the last lines. The process-ID response is sent
//! only when everything before the request has been processed — for print data, when it has been
//! printed — and never while printing is stopped (paper end, cover open).
//!
//! Wire format (Epson ESC/POS, `GS ( H` fn 48): request `1D 28 48 06 00 30 30 d1 d2 d3 d4` with
//! 32 ≤ dn ≤ 126; response `37 22 d1 d2 d3 d4 00` (header 37h, identifier 22h, the id, NUL).

/// A process ID: four bytes, each printable ASCII (32..=126), as `GS ( H` fn 48 requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProcessId([u8; 4]);

impl ProcessId {
    /// The id for `bytes`, or `None` when a byte is outside 32..=126.
    pub fn new(bytes: [u8; 4]) -> Option<Self> {
        bytes.iter().all(|b| is_id_byte(*b)).then_some(Self(bytes))
    }

    /// The id of the `n`-th job: its last four decimal digits in ASCII (`0000`..`9999`, wrapping).
    pub fn from_sequence(n: u32) -> Self {
        let n = n % 10_000;
        let digit = |d: u32| b'0' + (d % 10) as u8;
        Self([digit(n / 1000), digit(n / 100), digit(n / 10), digit(n)])
    }

    pub fn bytes(&self) -> [u8; 4] {
        self.0
    }
}

fn is_id_byte(byte: u8) -> bool {
    (32..=126).contains(&byte)
}

/// `GS ( H pL pH fn m d1..d4` with pL = 6, pH = 0, fn = 48, m = 48.
pub fn process_id_request(id: ProcessId) -> [u8; 11] {
    let [d1, d2, d3, d4] = id.0;
    [0x1D, b'(', b'H', 6, 0, 48, 48, d1, d2, d3, d4]
}

/// The printer's process-ID response for `id` (what the emulator sends).
pub fn process_id_response(id: ProcessId) -> [u8; 7] {
    let [d1, d2, d3, d4] = id.0;
    [RESPONSE_HEADER, PROCESS_ID_IDENTIFIER, d1, d2, d3, d4, 0x00]
}

const RESPONSE_HEADER: u8 = 0x37;
const PROCESS_ID_IDENTIFIER: u8 = 0x22;

/// One thing the printer sent back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// A byte of the real-time status shape `0xx1xx10` (a `DLE EOT` reply).
    Status(u8),
    /// A complete, well-formed process-ID response.
    ProcessId(ProcessId),
}

/// Splits the printer's output into [`Reply`]s. Anything else (noise, other responses, a process-ID
/// response cut short) is skipped; a broken response never swallows the status byte that follows it.
#[derive(Debug, Clone, Default)]
pub struct ReplyDecoder {
    /// Bytes of a process-ID response read so far (header included), at most 6.
    partial: Vec<u8>,
}

impl ReplyDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds bytes; returns the replies they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Reply> {
        let mut replies = Vec::new();
        for &byte in bytes {
            if let Some(reply) = self.push_byte(byte) {
                replies.push(reply);
            }
        }
        replies
    }

    fn push_byte(&mut self, byte: u8) -> Option<Reply> {
        if !self.partial.is_empty() {
            let expected_ok = match self.partial.len() {
                1 => byte == PROCESS_ID_IDENTIFIER,
                2..=5 => is_id_byte(byte),
                _ => byte == 0x00,
            };
            if expected_ok {
                if self.partial.len() == 6 {
                    let id = [self.partial[2], self.partial[3], self.partial[4], self.partial[5]];
                    self.partial.clear();
                    return ProcessId::new(id).map(Reply::ProcessId);
                }
                self.partial.push(byte);
                return None;
            }
            // Not a process-ID response after all: start over with this byte.
            self.partial.clear();
        }
        if byte == RESPONSE_HEADER {
            self.partial.push(byte);
            None
        } else if crate::rt_status::is_status_byte(byte) {
            Some(Reply::Status(byte))
        } else {
            None
        }
    }
}
