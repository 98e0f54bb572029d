//! The printer emulator's core: an incremental ESC/POS interpreter with a simulated paper and cover
//! state. It answers `DLE EOT n` from that state, keeps what it printed as one [`Receipt`] per cut, and
//! stops printing (closing the receipt as interrupted) when the paper runs out or the cover opens.
//!
//! Like a real printer it interprets ahead of its print head: interpreted lines wait in a spool and are
//! printed at [`PrinterSim::line_time`] each as time is fed in with [`PrinterSim::advance`] (zero, the
//! default, prints at once). `DLE EOT` is answered on arrival with the state as of the head's position;
//! a process-ID request (`GS ( H` fn 48) is answered only when the head reaches it — never when printing
//! stopped before it. Pure: bytes and elapsed time in, reply bytes and receipts out.

use std::collections::VecDeque;
use std::time::Duration;

use crate::code_pages;
use crate::completion::{ProcessId, process_id_response};
use crate::rt_status::{ErrorCauseByte, OfflineCauseByte, PrinterByte, PrinterSensors, RollPaperByte};
use servicaja_escpos::{Align, TextSize};

/// The simulated paper supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimPaper {
    Ok,
    Low,
    Out,
}

/// One styled run of text on a printed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub size: TextSize,
}

/// One thing printed on the roll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrintedItem {
    Line { align: Align, spans: Vec<Span> },
    Qr { data: Vec<u8>, module_size: u8 },
    Barcode { system: u8, data: Vec<u8> },
    Logo { key: [u8; 2] },
}

/// Everything printed between two cuts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Receipt {
    pub items: Vec<PrintedItem>,
    /// True when printing stopped before the cut (paper end, cover opened).
    pub interrupted: bool,
}

impl Receipt {
    /// Text lines as printed: 48 (or `columns`) columns, aligned, no style marks; blocks as `[QR …]`.
    pub fn plain_text(&self, columns: usize) -> String {
        self.render(columns, false)
    }

    /// Like [`Receipt::plain_text`] with styles marked inline: `<b>…</b>` bold, `<2x>…</2x>` double size,
    /// `<2w>` double width, `<2h>` double height.
    pub fn marked_text(&self, columns: usize) -> String {
        self.render(columns, true)
    }

    fn render(&self, columns: usize, marks: bool) -> String {
        let mut out = String::new();
        for item in &self.items {
            let (align, width, body) = match item {
                PrintedItem::Line { align, spans } => {
                    let width: usize = spans.iter().map(|s| s.text.chars().count() * span_width(s.size)).sum();
                    let body: String = spans
                        .iter()
                        .map(|s| if marks { marked(s) } else { s.text.clone() })
                        .collect::<Vec<_>>()
                        .concat();
                    (*align, width, body)
                }
                PrintedItem::Qr { data, .. } => {
                    let body = format!("[QR {}]", String::from_utf8_lossy(data));
                    (Align::Center, body.chars().count(), body)
                }
                PrintedItem::Barcode { data, .. } => {
                    let body = format!("[BARCODE {}]", String::from_utf8_lossy(data));
                    (Align::Center, body.chars().count(), body)
                }
                PrintedItem::Logo { key } => {
                    let body = format!("[LOGO {}]", String::from_utf8_lossy(key));
                    (Align::Center, body.chars().count(), body)
                }
            };
            let pad = match align {
                Align::Left => 0,
                Align::Center => columns.saturating_sub(width) / 2,
                Align::Right => columns.saturating_sub(width),
            };
            let line = format!("{}{}", " ".repeat(pad), body);
            out.push_str(line.trim_end());
            out.push('\n');
        }
        if self.interrupted {
            out.push_str("[INTERRUMPIDO]\n");
        }
        out
    }
}

fn span_width(size: TextSize) -> usize {
    match size {
        TextSize::DoubleWidth | TextSize::Double => 2,
        _ => 1,
    }
}

fn marked(span: &Span) -> String {
    let mut s = span.text.clone();
    let size_tag = match span.size {
        TextSize::Normal => None,
        TextSize::Double => Some("2x"),
        TextSize::DoubleWidth => Some("2w"),
        TextSize::DoubleHeight => Some("2h"),
    };
    if let Some(tag) = size_tag {
        s = format!("<{tag}>{s}</{tag}>");
    }
    if span.bold {
        s = format!("<b>{s}</b>");
    }
    s
}

/// The simulated printer.
#[derive(Debug, Clone)]
pub struct PrinterSim {
    pub paper: SimPaper,
    pub cover_open: bool,
    pub offline: bool,
    pub cutter_jammed: bool,
    /// When set, the paper runs out after this many more printed lines (a roll ending mid-receipt).
    pub paper_runs_out_after: Option<usize>,
    /// When set, someone opens the cover after this many more printed lines.
    pub cover_opens_after: Option<usize>,
    pub code_page: u8,
    pending: Vec<u8>,
    bold: bool,
    size: TextSize,
    align: Align,
    line: Vec<Span>,
    qr_data: Vec<u8>,
    qr_module: u8,
    current: Receipt,
    /// Finished receipts, oldest first.
    pub receipts: Vec<Receipt>,
    /// Bytes of text the page could not show, as a count (the driver must never send any).
    pub unprintable_bytes: usize,
    /// Time the head takes for each printed item (line, QR code, barcode, logo); zero prints at once.
    pub line_time: Duration,
    spool: VecDeque<Spooled>,
    head_credit: Duration,
}

/// Interpreted but not yet printed.
#[derive(Debug, Clone)]
enum Spooled {
    Item(PrintedItem),
    Cut,
    ProcessId(ProcessId),
}

impl Default for PrinterSim {
    fn default() -> Self {
        Self {
            paper: SimPaper::Ok,
            cover_open: false,
            offline: false,
            cutter_jammed: false,
            paper_runs_out_after: None,
            cover_opens_after: None,
            code_page: 0,
            pending: Vec::new(),
            bold: false,
            size: TextSize::Normal,
            align: Align::Left,
            line: Vec::new(),
            qr_data: Vec::new(),
            qr_module: 3,
            current: Receipt::default(),
            receipts: Vec::new(),
            unprintable_bytes: 0,
            line_time: Duration::ZERO,
            spool: VecDeque::new(),
            head_credit: Duration::ZERO,
        }
    }
}

enum Step {
    /// A whole command or character of this many bytes.
    Done(usize),
    /// More bytes are needed.
    Incomplete,
}

/// The most bytes a command may declare; larger is treated as noise to keep memory bounded.
const MAX_COMMAND: usize = 8 * 1024;

impl PrinterSim {
    pub fn new() -> Self {
        Self::default()
    }

    /// The sensors as the printer would report them now.
    pub fn sensors(&self) -> PrinterSensors {
        let paper_end = self.paper == SimPaper::Out;
        let stopped = !self.can_print();
        PrinterSensors {
            printer: PrinterByte { offline: stopped, ..Default::default() },
            offline_cause: OfflineCauseByte {
                cover_open: self.cover_open,
                paper_end_stop: paper_end,
                error: self.cutter_jammed,
                ..Default::default()
            },
            error_cause: ErrorCauseByte { autocutter: self.cutter_jammed, ..Default::default() },
            roll_paper: RollPaperByte { near_end: self.paper != SimPaper::Ok, paper_end },
        }
    }

    fn can_print(&self) -> bool {
        self.paper != SimPaper::Out && !self.cover_open && !self.offline && !self.cutter_jammed
    }

    /// Takes bytes from the line; returns the bytes to send back (status replies).
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut replies = Vec::new();
        self.pending.extend_from_slice(bytes);
        let mut start = 0;
        while start < self.pending.len() {
            let rest = self.pending[start..].to_vec();
            match self.step(&rest, &mut replies) {
                Step::Done(n) => start += n.max(1),
                Step::Incomplete => break,
            }
        }
        self.pending.drain(..start);
        if self.line_time.is_zero() {
            replies.extend(self.advance(Duration::ZERO));
        }
        replies
    }

    /// Lets `elapsed` of printing time pass: the head prints what the spool holds at
    /// [`PrinterSim::line_time`] per item. Returns the process-ID responses it reached.
    pub fn advance(&mut self, elapsed: Duration) -> Vec<u8> {
        let mut replies = Vec::new();
        self.head_credit = self.head_credit.saturating_add(elapsed);
        while let Some(next) = self.spool.front() {
            let cost = if matches!(next, Spooled::Item(_)) { self.line_time } else { Duration::ZERO };
            if cost > self.head_credit {
                break;
            }
            self.head_credit -= cost;
            match self.spool.pop_front() {
                Some(Spooled::Item(item)) => self.apply_item(item),
                Some(Spooled::Cut) => self.apply_cut(),
                // Answered only when everything before it printed; a stopped printer stays silent.
                Some(Spooled::ProcessId(id)) if self.can_print() => {
                    replies.extend_from_slice(&process_id_response(id));
                }
                Some(Spooled::ProcessId(_)) | None => {}
            }
        }
        if self.spool.is_empty() {
            // Idle time is not banked: the next job starts printing from now.
            self.head_credit = Duration::ZERO;
        }
        replies
    }

    /// Items interpreted but not printed yet (the head is behind).
    pub fn spooled(&self) -> usize {
        self.spool.len()
    }

    fn step(&mut self, b: &[u8], replies: &mut Vec<u8>) -> Step {
        let need = |n: usize| if b.len() < n { Step::Incomplete } else { Step::Done(n) };
        match b[0] {
            0x10 => {
                if b.len() < 3 {
                    return Step::Incomplete;
                }
                if b[1] == 0x04 {
                    if let Some(reply) = self.sensors().reply_to(b[2]) {
                        replies.push(reply);
                    }
                    return Step::Done(3);
                }
                Step::Done(1)
            }
            b'\n' => {
                self.end_line();
                Step::Done(1)
            }
            0x1B => {
                if b.len() < 2 {
                    return Step::Incomplete;
                }
                match b[1] {
                    b'@' => {
                        self.flush_partial_line();
                        self.bold = false;
                        self.size = TextSize::Normal;
                        self.align = Align::Left;
                        self.code_page = 0;
                        Step::Done(2)
                    }
                    b't' | b'E' | b'a' | b'd' | b'!' | b'-' | b'G' | b'M' | b'R' | b'{' | b'2' | b'3' | b'J' => {
                        if b.len() < 3 {
                            return Step::Incomplete;
                        }
                        let n = b[2];
                        match b[1] {
                            b't' => self.code_page = n,
                            b'E' => self.bold = n & 1 == 1,
                            b'a' => {
                                self.align = match n {
                                    1 | 49 => Align::Center,
                                    2 | 50 => Align::Right,
                                    _ => Align::Left,
                                }
                            }
                            b'd' => {
                                self.end_line();
                                for _ in 1..n {
                                    self.print_item(PrintedItem::Line { align: self.align, spans: Vec::new() });
                                }
                            }
                            b'!' => {
                                self.bold = n & 0x08 != 0;
                                self.size = size_from(n & 0x20 != 0, n & 0x10 != 0);
                            }
                            _ => {}
                        }
                        // ESC 2 takes no parameter.
                        if b[1] == b'2' { Step::Done(2) } else { Step::Done(3) }
                    }
                    _ => Step::Done(2),
                }
            }
            0x1D => {
                if b.len() < 2 {
                    return Step::Incomplete;
                }
                match b[1] {
                    b'!' => {
                        if b.len() < 3 {
                            return Step::Incomplete;
                        }
                        self.size = size_from(b[2] >> 4 >= 1, b[2] & 0x0F >= 1);
                        Step::Done(3)
                    }
                    b'V' => {
                        if b.len() < 3 {
                            return Step::Incomplete;
                        }
                        let len = if matches!(b[2], 65 | 66 | 97 | 98 | 103 | 104) { 4 } else { 3 };
                        if b.len() < len {
                            return Step::Incomplete;
                        }
                        self.cut();
                        Step::Done(len)
                    }
                    b'(' => {
                        if b.len() < 5 {
                            return Step::Incomplete;
                        }
                        let len = usize::from(b[3]) | usize::from(b[4]) << 8;
                        if len > MAX_COMMAND {
                            return Step::Done(5);
                        }
                        if b.len() < 5 + len {
                            return Step::Incomplete;
                        }
                        self.extended(b[2], &b[5..5 + len]);
                        Step::Done(5 + len)
                    }
                    b'k' => {
                        if b.len() < 3 {
                            return Step::Incomplete;
                        }
                        let system = b[2];
                        if system <= 6 {
                            match b[3..].iter().position(|&x| x == 0) {
                                Some(end) => {
                                    self.print_item(PrintedItem::Barcode { system, data: b[3..3 + end].to_vec() });
                                    Step::Done(3 + end + 1)
                                }
                                None if b.len() > MAX_COMMAND => Step::Done(3),
                                None => Step::Incomplete,
                            }
                        } else {
                            if b.len() < 4 {
                                return Step::Incomplete;
                            }
                            let n = usize::from(b[3]);
                            if b.len() < 4 + n {
                                return Step::Incomplete;
                            }
                            self.print_item(PrintedItem::Barcode { system, data: b[4..4 + n].to_vec() });
                            Step::Done(4 + n)
                        }
                    }
                    b'w' | b'h' | b'H' | b'f' | b'B' | b'b' | b'a' | b'L' | b'W' => {
                        let len = if matches!(b[1], b'L' | b'W') { 4 } else { 3 };
                        need(len)
                    }
                    _ => Step::Done(2),
                }
            }
            0x00..=0x1F | 0x7F => Step::Done(1),
            byte => {
                // Read by the page in force, as the printer does: a job that never selected WPC1252 shows it.
                match code_pages::char_for(self.code_page, byte) {
                    Some(c) => self.push_char(c),
                    None => {
                        self.unprintable_bytes += 1;
                        self.push_char('\u{FFFD}');
                    }
                }
                Step::Done(1)
            }
        }
    }

    fn extended(&mut self, kind: u8, body: &[u8]) {
        match (kind, body) {
            // GS ( k: 2D codes; cn = 49 is QR.
            (b'k', [49, 67, size, ..]) => self.qr_module = *size,
            (b'k', [49, 80, 48, data @ ..]) => self.qr_data = data.to_vec(),
            (b'k', [49, 81, 48, ..]) => {
                let data = std::mem::take(&mut self.qr_data);
                self.print_item(PrintedItem::Qr { data, module_size: self.qr_module });
            }
            // GS ( H fn 48: the process-ID request, answered when the head gets there.
            (b'H', [48, 48, d1, d2, d3, d4]) => {
                if let Some(id) = ProcessId::new([*d1, *d2, *d3, *d4]) {
                    self.spool.push_back(Spooled::ProcessId(id));
                }
            }
            // GS ( L fn 69: print the NV graphic stored under key code kc1 kc2.
            (b'L', [48, 69, kc1, kc2, ..]) => self.print_item(PrintedItem::Logo { key: [*kc1, *kc2] }),
            _ => {}
        }
    }

    fn push_char(&mut self, c: char) {
        match self.line.last_mut() {
            Some(span) if span.bold == self.bold && span.size == self.size => span.text.push(c),
            _ => self.line.push(Span { text: c.to_string(), bold: self.bold, size: self.size }),
        }
    }

    fn flush_partial_line(&mut self) {
        if !self.line.is_empty() {
            self.end_line();
        }
    }

    fn end_line(&mut self) {
        let spans = std::mem::take(&mut self.line);
        self.print_item(PrintedItem::Line { align: self.align, spans });
    }

    fn print_item(&mut self, item: PrintedItem) {
        self.spool.push_back(Spooled::Item(item));
    }

    fn apply_item(&mut self, item: PrintedItem) {
        if !self.can_print() {
            return;
        }
        self.current.items.push(item);
        if let Some(left) = self.paper_runs_out_after.as_mut() {
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.paper_runs_out_after = None;
                self.paper = SimPaper::Out;
                self.interrupt();
                return;
            }
        }
        if let Some(left) = self.cover_opens_after.as_mut() {
            *left = left.saturating_sub(1);
            if *left == 0 {
                self.cover_opens_after = None;
                self.open_cover();
            }
        }
    }

    /// Printing stopped: what was printed so far is a receipt of its own, marked interrupted.
    fn interrupt(&mut self) {
        // The rest of the job is lost with it (the host reprints the whole document).
        self.spool.clear();
        let mut receipt = std::mem::take(&mut self.current);
        receipt.interrupted = true;
        self.receipts.push(receipt);
    }

    /// The cover was opened: a receipt in progress is cut short.
    pub fn open_cover(&mut self) {
        self.cover_open = true;
        if !self.current.items.is_empty() {
            self.interrupt();
        }
    }

    fn cut(&mut self) {
        self.flush_partial_line();
        self.spool.push_back(Spooled::Cut);
    }

    fn apply_cut(&mut self) {
        if !self.can_print() {
            return;
        }
        let receipt = std::mem::take(&mut self.current);
        self.receipts.push(receipt);
    }
}

fn size_from(double_width: bool, double_height: bool) -> TextSize {
    match (double_width, double_height) {
        (true, true) => TextSize::Double,
        (true, false) => TextSize::DoubleWidth,
        (false, true) => TextSize::DoubleHeight,
        (false, false) => TextSize::Normal,
    }
}
