//! The staff reprint page's adapter: binds the `Reprint` global of `ui/reprint.slint` to a
//! [`ReprintBackend`] — the runtime's journal thread in the kiosk, a journal opened here in tests and
//! screenshots — and keeps the page's state (the search form, the results, the selection, the preview, the
//! last outcome). It holds no reprint rule: the criteria are checked and the reprint is decided by
//! `servicaja-maintenance`, carried out by `servicaja_runtime::reprint`.
//!
//! The maintenance desk owns who is signed in: it calls [`ReprintScreen::open`] with the staff id once a
//! staff user asks for the page, and [`ReprintScreen::close`] when they leave. A [`StaffCheck`] it installs
//! says who is signed in as staff right now: the page closes itself (within a second, and before any
//! reprint) when nobody is, or when the desk asks for the PIN again after idle. Nothing opens the page from
//! the customer's screens.
//!
//! Every search (its criteria: dates, operation number, at most the card's last four digits) and every
//! preview (the operation shown) is journaled with the staff id as a maintenance record
//! (`reprint_search`, `reprint_preview`), as the reprints themselves are.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::mpsc;

use chrono::{DateTime, Days, NaiveDate, Utc};
use servicaja_core::calendar::{lima_date, lima_time};
use servicaja_drivers::devices::PrinterHandle;
use servicaja_drivers::printer::FailReason;
use servicaja_host::{Journal, JournalEvent, SafeText};
use servicaja_maintenance::{CriteriaError, JournalEntry, ReprintCriteria, ReprintRefusal, Requester, ValidCriteria};
use servicaja_receipts::Columns;
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::controller::Clock;
use super::{KioskWindow, Reprint, ReprintRow};
use servicaja_runtime::reprint::{self, Candidate, ReprintError, Reprinted, Reprinter};

/// How a backend answers: once, from any thread.
pub type Reply<T> = Box<dyn FnOnce(Result<T, ReprintError>) + Send>;

/// Where the page's searches, previews and reprints are carried out. Each call answers through its
/// [`Reply`], at once or later from another thread.
pub trait ReprintBackend {
    /// The printed documents matching `criteria`, newest first.
    fn search(&self, criteria: ReprintCriteria, reply: Reply<Vec<Candidate>>);
    /// The text of journal record `seq` exactly as it was printed.
    fn preview(&self, seq: i64, reply: Reply<String>);
    /// Prints record `seq` marked DUPLICADO for `requester` at `at` and journals the reprint.
    fn reprint(&self, seq: i64, requester: Requester, at: DateTime<Utc>, reply: Reply<Reprinted>);
    /// Maintenance records (the staff's searches and previews) to the journal, in order with the calls. The
    /// kiosk's backend and [`JournalBackend`] write them; a backend without a journal (the screenshots'
    /// fixed answers) drops them.
    fn journal(&self, entries: Vec<JournalEntry>) {
        let _ = entries;
    }
}

/// A backend on a journal it owns, answering at once on the caller's thread: for UI tests, screenshots
/// and tools that run without the kiosk's runtime. The kiosk itself goes through the runtime, whose
/// journal thread owns the journal.
pub struct JournalBackend {
    journal: RefCell<Journal>,
    printer: Option<PrinterHandle>,
    columns: Columns,
    logo_key: String,
}

impl JournalBackend {
    /// Reprints go to `printer`; without one, a reprint answers that the printer is not available.
    pub fn new(journal: Journal, printer: Option<PrinterHandle>, columns: Columns, logo_key: &str) -> Self {
        Self { journal: RefCell::new(journal), printer, columns, logo_key: logo_key.to_owned() }
    }
}

impl ReprintBackend for JournalBackend {
    fn search(&self, criteria: ReprintCriteria, reply: Reply<Vec<Candidate>>) {
        reply(reprint::search(&self.journal.borrow(), &criteria));
    }

    fn preview(&self, seq: i64, reply: Reply<String>) {
        let laid = reprint::preview(&self.journal.borrow(), seq, self.columns);
        reply(laid.map(|laid| servicaja_receipts::render::text::render(&laid)));
    }

    fn reprint(&self, seq: i64, requester: Requester, at: DateTime<Utc>, reply: Reply<Reprinted>) {
        let Some(printer) = &self.printer else {
            return reply(Err(ReprintError::Unavailable));
        };
        let to = Reprinter { printer, columns: self.columns, logo_key: &self.logo_key };
        // No paper counter here: the kiosk's reprints go through the runtime, which counts them.
        reply(reprint::reprint(&mut self.journal.borrow_mut(), &to, None, seq, &requester, at));
    }

    fn journal(&self, entries: Vec<JournalEntry>) {
        let mut journal = self.journal.borrow_mut();
        for entry in entries {
            let detail = SafeText::new(entry.detail)
                .or_else(|_| SafeText::new("(detail withheld: it looked like a card number)"));
            let Ok(detail) = detail else { continue };
            let event = JournalEvent::Maintenance { user: entry.user, action: entry.action, detail };
            if let Err(err) = journal.append(entry.at, &event) {
                tracing::error!(%err, "a reprint page record was not journaled");
            }
        }
    }
}

/// The kiosk's backend: the runtime's journal thread, which owns the journal, searches and previews, and
/// reprints on the runtime's printer; answers come back to the UI thread through the page's pump.
impl ReprintBackend for std::sync::Arc<servicaja_runtime::Runtime> {
    fn search(&self, criteria: ReprintCriteria, reply: Reply<Vec<Candidate>>) {
        self.search_receipts(criteria, reply);
    }

    fn preview(&self, seq: i64, reply: Reply<String>) {
        self.preview_receipt(seq, reply);
    }

    fn reprint(&self, seq: i64, requester: Requester, at: DateTime<Utc>, reply: Reply<Reprinted>) {
        self.reprint_receipt(seq, requester, at, reply);
    }

    fn journal(&self, entries: Vec<JournalEntry>) {
        self.journal_maintenance(entries);
    }
}

/// The journal's words for a search: the dates, the operation number and the card's last four digits
/// given (never more of a card: the page takes four digits only).
fn search_detail(criteria: &ValidCriteria) -> String {
    let mut parts = Vec::new();
    match (criteria.from, criteria.to) {
        (Some(from), Some(to)) => parts.push(format!("dates {from}..{to}")),
        (Some(from), None) => parts.push(format!("from {from}")),
        (None, Some(to)) => parts.push(format!("to {to}")),
        (None, None) => {}
    }
    if let Some(operation) = &criteria.operation {
        parts.push(format!("operation {operation}"));
    }
    if let Some(last4) = &criteria.card_last4 {
        let last4: String = last4.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
        parts.push(format!("card ****{last4}"));
    }
    parts.join("; ")
}

/// Joins the page to the maintenance desk: "Reimprimir comprobante" on the staff home opens it for the
/// signed-in staff member, it stays open only while the desk says they are signed in (not once the PIN
/// must be typed again), and every touch on it counts as activity for the desk's idle time.
pub fn link_desk(page: &SharedReprint, desk: &super::maintenance::SharedDesk) {
    let weak_page = Rc::downgrade(page);
    desk.borrow_mut().set_reprint_opener(Box::new(move |staff| {
        if let Some(page) = weak_page.upgrade()
            && let Ok(mut page) = page.try_borrow_mut()
        {
            page.open(staff);
        }
    }));
    let mut page = page.borrow_mut();
    let weak_desk = Rc::downgrade(desk);
    page.set_staff_check(Box::new(move || {
        weak_desk.upgrade().and_then(|desk| desk.try_borrow().ok().and_then(|desk| desk.staff_signed_in()))
    }));
    let weak_desk = Rc::downgrade(desk);
    page.on_activity(Rc::new(move || {
        if let Some(desk) = weak_desk.upgrade()
            && let Ok(mut desk) = desk.try_borrow_mut()
        {
            desk.touch();
        }
    }));
}

/// Who is signed in to the maintenance mode as staff right now: `None` when nobody is, or when they must
/// type their PIN again.
pub type StaffCheck = Box<dyn Fn() -> Option<String>>;

/// How to search, as the page's mode buttons say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Dates,
    Operation,
    Card,
}

impl Mode {
    fn id(self) -> &'static str {
        match self {
            Mode::Dates => "date",
            Mode::Operation => "operation",
            Mode::Card => "card",
        }
    }
}

/// The longest operation number the keypad takes (`REQ-20261120-000004` is 19).
const OPERATION_MAX: usize = 24;

/// The keys beside the digits in the operation mode: the letters and dash of the caja's other numbers
/// (requests `REQ-…`, no-adeudo certificates `CND-…`); affiliations (`AF…`) are found by their digits.
const OPERATION_PREFIXES: [&str; 3] = ["REQ-", "CND-", "-"];

enum Answer {
    Found(Result<Vec<Candidate>, ReprintError>),
    Preview(i64, Result<String, ReprintError>),
    Reprinted(i64, Result<Reprinted, ReprintError>),
}

/// The page's state and its backend.
pub struct ReprintScreen {
    backend: Box<dyn ReprintBackend>,
    clock: Clock,
    window: slint::Weak<KioskWindow>,
    /// The signed-in staff member; `None` while the page is closed.
    staff: Option<String>,
    check: Option<StaffCheck>,
    /// Runs the [`StaffCheck`] every second while the page is open.
    watch: slint::Timer,
    on_activity: Option<Rc<dyn Fn()>>,
    mode: Mode,
    from: NaiveDate,
    to: NaiveDate,
    operation: String,
    last4: String,
    results: Vec<Candidate>,
    selected: Option<usize>,
    preview: String,
    /// Requests under way.
    pending: usize,
    message: (&'static str, String),
    /// Bumped at every open and close: answers to an earlier visit are dropped.
    visit: u64,
    answers: mpsc::Receiver<(u64, Answer)>,
    sender: mpsc::Sender<(u64, Answer)>,
}

/// A shared handle: the page's callbacks hold weak clones of it.
pub type SharedReprint = Rc<RefCell<ReprintScreen>>;

impl ReprintScreen {
    /// Binds the `Reprint` global of `ui` to `backend`; the page stays closed until [`Self::open`].
    pub fn attach(ui: &KioskWindow, backend: Box<dyn ReprintBackend>, clock: Clock) -> SharedReprint {
        let (sender, answers) = mpsc::channel();
        let today = lima_date(clock());
        let screen = Rc::new(RefCell::new(ReprintScreen {
            backend,
            clock,
            window: ui.as_weak(),
            staff: None,
            check: None,
            watch: slint::Timer::default(),
            on_activity: None,
            mode: Mode::Dates,
            from: today,
            to: today,
            operation: String::new(),
            last4: String::new(),
            results: Vec::new(),
            selected: None,
            preview: String::new(),
            pending: 0,
            message: ("", String::new()),
            visit: 0,
            answers,
            sender,
        }));
        connect(ui, &screen);
        screen.borrow().render();
        screen
    }

    /// Shows the page to staff member `staff_id` (signed in by the maintenance desk), with a fresh form
    /// searching today's documents (Lima).
    pub fn open(&mut self, staff_id: &str) {
        self.reset();
        self.staff = Some(staff_id.to_owned());
        self.render();
        if self.check.is_some() {
            let window = self.window.clone();
            self.watch.start(slint::TimerMode::Repeated, std::time::Duration::from_secs(1), move || {
                if let Some(ui) = window.upgrade() {
                    ui.global::<Reprint>().invoke_check();
                }
            });
        }
    }

    /// Hides the page and forgets the search and the document shown: the staff member left, or must
    /// authenticate again.
    pub fn close(&mut self) {
        self.watch.stop();
        self.reset();
        self.staff = None;
        self.render();
    }

    /// Closes the page unless the [`StaffCheck`] still names the staff member it was opened for. Returns
    /// whether the page is (still) open.
    pub fn check(&mut self) -> bool {
        let still = match (&self.check, &self.staff) {
            (_, None) => return false,
            (None, Some(_)) => true,
            (Some(check), Some(staff)) => check().as_deref() == Some(staff.as_str()),
        };
        if !still {
            self.close();
        }
        still
    }

    /// Installs who is signed in as staff, checked every second while the page is open and before every
    /// reprint.
    pub fn set_staff_check(&mut self, check: StaffCheck) {
        self.check = Some(check);
    }

    /// Called on every touch of the page (the maintenance access's idle time starts again).
    pub fn on_activity(&mut self, hook: Rc<dyn Fn()>) {
        self.on_activity = Some(hook);
    }

    /// Runs the answers that arrived from the backend and redraws.
    pub fn pump(&mut self) {
        while let Ok((visit, answer)) = self.answers.try_recv() {
            self.pending = self.pending.saturating_sub(1);
            if visit == self.visit {
                self.answer(answer);
            }
        }
        self.render();
    }

    fn reset(&mut self) {
        self.visit += 1;
        let today = lima_date((self.clock)());
        self.mode = Mode::Dates;
        (self.from, self.to) = (today, today);
        self.operation.clear();
        self.last4.clear();
        self.results.clear();
        self.selected = None;
        self.preview.clear();
        self.pending = 0;
        self.message = ("", String::new());
    }

    /// A reply that queues its answer for the UI thread and wakes it (a backend answering at once is
    /// picked up by the [`Self::pump`] that follows every request).
    fn reply<T: Send + 'static>(
        &mut self,
        wrap: impl FnOnce(Result<T, ReprintError>) -> Answer + Send + 'static,
    ) -> Reply<T> {
        self.pending += 1;
        let sender = self.sender.clone();
        let window = self.window.clone();
        let visit = self.visit;
        Box::new(move |result| {
            if sender.send((visit, wrap(result))).is_ok() {
                // On the UI thread already (or no event loop, as in tests) this fails: the caller pumps.
                let _ = window.upgrade_in_event_loop(|ui| ui.global::<Reprint>().invoke_pump());
            }
        })
    }

    fn set_mode(&mut self, id: &str) {
        self.mode = match id {
            "operation" => Mode::Operation,
            "card" => Mode::Card,
            _ => Mode::Dates,
        };
        self.message = ("", String::new());
    }

    fn step_date(&mut self, end: &str, days: i32) {
        let date = if end == "to" { &mut self.to } else { &mut self.from };
        let moved = if days >= 0 {
            date.checked_add_days(Days::new(u64::from(days.unsigned_abs())))
        } else {
            date.checked_sub_days(Days::new(u64::from(days.unsigned_abs())))
        };
        // No document is dated after today.
        let today = lima_date((self.clock)());
        if let Some(moved) = moved.filter(|moved| *moved <= today) {
            *date = moved;
        }
        self.message = ("", String::new());
    }

    fn range(&mut self, id: &str) {
        let today = lima_date((self.clock)());
        self.to = today;
        self.from = match id {
            "week" => today.checked_sub_days(Days::new(6)).unwrap_or(today),
            _ => today,
        };
        self.message = ("", String::new());
    }

    fn key(&mut self, key: &str) {
        let (field, max) = match self.mode {
            Mode::Dates => return,
            Mode::Operation => (&mut self.operation, OPERATION_MAX),
            Mode::Card => (&mut self.last4, 4),
        };
        match key {
            "backspace" => {
                field.pop();
            }
            digit if digit.len() == 1 && digit.chars().all(|c| c.is_ascii_digit()) && field.len() < max => {
                field.push_str(digit);
            }
            prefix
                if self.mode == Mode::Operation
                    && OPERATION_PREFIXES.contains(&prefix)
                    && field.len() + prefix.len() <= max =>
            {
                field.push_str(prefix);
            }
            _ => {}
        }
        self.message = ("", String::new());
    }

    fn criteria(&self) -> ReprintCriteria {
        match self.mode {
            Mode::Dates => ReprintCriteria { from: Some(self.from), to: Some(self.to), ..Default::default() },
            Mode::Operation => ReprintCriteria { operation: Some(self.operation.clone()), ..Default::default() },
            Mode::Card => ReprintCriteria { card_last4: Some(self.last4.clone()), ..Default::default() },
        }
    }

    fn search(&mut self) {
        if self.staff.is_none() || self.pending > 0 {
            return;
        }
        let criteria = self.criteria();
        // Checked here too, so that a mistyped form says so without a trip to the journal thread.
        let valid = match criteria.validate() {
            Ok(valid) => valid,
            Err(err) => {
                self.message = (criteria_message(&err), String::new());
                return;
            }
        };
        self.journal("reprint_search", search_detail(&valid));
        self.results.clear();
        self.selected = None;
        self.preview.clear();
        self.message = ("", String::new());
        let reply = self.reply(Answer::Found);
        self.backend.search(criteria, reply);
        self.pump();
    }

    fn select(&mut self, index: usize) {
        if self.staff.is_none() || self.pending > 0 {
            return;
        }
        let Some(found) = self.results.get(index) else { return };
        let seq = found.seq;
        let detail = format!("operation {} (record {seq})", found.operation);
        self.journal("reprint_preview", detail);
        self.selected = Some(index);
        self.preview.clear();
        self.message = ("", String::new());
        let reply = self.reply(move |result| Answer::Preview(seq, result));
        self.backend.preview(seq, reply);
        self.pump();
    }

    fn reprint(&mut self) {
        // Whoever is no longer signed in (or must type the PIN again) reprints nothing.
        if !self.check() {
            return;
        }
        let Some(staff) = self.staff.clone() else { return };
        if self.pending > 0 || self.preview.is_empty() {
            return;
        }
        let Some(seq) = self.selected_seq() else { return };
        let now = (self.clock)();
        let requester = Requester::Staff { id: staff };
        self.message = ("", String::new());
        let reply = self.reply(move |result| Answer::Reprinted(seq, result));
        self.backend.reprint(seq, requester, now, reply);
        self.pump();
    }

    /// Journals what the signed-in staff member did on the page, at the page's clock.
    fn journal(&self, action: &str, detail: String) {
        if let Some(staff) = &self.staff {
            self.backend.journal(vec![JournalEntry::new((self.clock)(), staff, action, detail)]);
        }
    }

    fn answer(&mut self, answer: Answer) {
        match answer {
            Answer::Found(Ok(found)) => {
                self.message = match found.len() {
                    0 => ("no-results", String::new()),
                    n => ("found", n.to_string()),
                };
                self.results = found;
                if self.results.len() == 1 {
                    self.select(0);
                }
            }
            Answer::Preview(seq, Ok(text)) => {
                if self.selected_seq() == Some(seq) {
                    self.preview = text;
                }
            }
            Answer::Reprinted(seq, Ok(done)) => {
                if let Some(found) = self.results.iter_mut().find(|found| found.seq == seq) {
                    found.reprints = done.decision.reprint_count;
                }
                self.message = ("reprinted", done.decision.reprint_count.to_string());
            }
            Answer::Found(Err(err)) | Answer::Preview(_, Err(err)) | Answer::Reprinted(_, Err(err)) => {
                tracing::warn!(%err, "staff reprint page");
                self.message = error_message(&err);
            }
        }
    }

    fn selected_seq(&self) -> Option<i64> {
        self.selected.and_then(|index| self.results.get(index)).map(|found| found.seq)
    }

    fn render(&self) {
        let Some(ui) = self.window.upgrade() else { return };
        let page = ui.global::<Reprint>();
        page.set_open(self.staff.is_some());
        page.set_staff(self.staff.as_deref().unwrap_or_default().into());
        page.set_mode(self.mode.id().into());
        page.set_from(date_text(self.from).into());
        page.set_to(date_text(self.to).into());
        page.set_operation(self.operation.as_str().into());
        page.set_last4(self.last4.as_str().into());
        let rows: Vec<ReprintRow> =
            self.results.iter().enumerate().map(|(index, found)| row_of(found, self.selected == Some(index))).collect();
        page.set_rows(ModelRc::new(VecModel::from(rows)));
        page.set_selected(self.selected.and_then(|index| i32::try_from(index).ok()).unwrap_or(-1));
        page.set_preview(self.preview.as_str().into());
        page.set_busy(self.pending > 0);
        page.set_message(self.message.0.into());
        page.set_message_arg(self.message.1.as_str().into());
    }
}

fn date_text(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn row_of(found: &Candidate, selected: bool) -> ReprintRow {
    ReprintRow {
        when: lima_time(found.at).format("%d/%m/%Y %H:%M").to_string().into(),
        operation: found.operation.as_str().into(),
        title: found.title.as_str().into(),
        card: found.card.as_deref().unwrap_or_default().into(),
        printed: found.printed,
        reprints: i32::try_from(found.reprints).unwrap_or(i32::MAX),
        selected,
    }
}

fn criteria_message(err: &CriteriaError) -> &'static str {
    match err {
        CriteriaError::NothingToSearch => "nothing-to-search",
        CriteriaError::RangeReversed { .. } => "range-reversed",
        CriteriaError::CardLast4 => "card-last4",
        CriteriaError::Operation => "operation",
    }
}

/// The page's message id for a failure, with its argument (ids are turned into sentences in the .slint).
fn error_message(err: &ReprintError) -> (&'static str, String) {
    let id = match err {
        ReprintError::Criteria(err) => criteria_message(err),
        ReprintError::Refused(ReprintRefusal::ClockBeforeOriginal { .. }) => "clock",
        ReprintError::Refused(_) => "not-permitted",
        ReprintError::NotAReceipt(_) => "not-a-receipt",
        ReprintError::Print(err) => match err.reason() {
            Some(FailReason::PaperOut) => "paper-out",
            Some(FailReason::CoverOpen) => "printer-cover",
            Some(FailReason::PaperJam) => "printer-jam",
            _ => "printer",
        },
        ReprintError::Unavailable => "printer-unavailable",
        ReprintError::Journal(_) | ReprintError::Layout(_) | ReprintError::Encode(_) => "journal",
    };
    (id, String::new())
}

/// A page callback that carries a text argument.
type TextHandler = dyn Fn(&mut ReprintScreen, &str);

/// Connects the `Reprint` global's callbacks to `screen` (weakly, skipping a callback raised while the page
/// is busy redrawing).
fn connect(ui: &KioskWindow, screen: &SharedReprint) {
    let page = ui.global::<Reprint>();
    let touched = |screen: &SharedReprint| {
        let hook = screen.borrow().on_activity.clone();
        if let Some(hook) = hook {
            hook();
        }
    };
    let with = |f: Box<dyn Fn(&mut ReprintScreen)>| {
        let weak = Rc::downgrade(screen);
        move || {
            if let Some(screen) = weak.upgrade() {
                touched(&screen);
                if let Ok(mut screen) = screen.try_borrow_mut()
                    && screen.check()
                {
                    f(&mut screen);
                    screen.render();
                }
            }
        }
    };
    let with_arg = |f: Box<TextHandler>| {
        let weak = Rc::downgrade(screen);
        move |arg: SharedString| {
            if let Some(screen) = weak.upgrade() {
                touched(&screen);
                if let Ok(mut screen) = screen.try_borrow_mut()
                    && screen.check()
                {
                    f(&mut screen, arg.as_str());
                    screen.render();
                }
            }
        }
    };
    page.on_set_mode(with_arg(Box::new(ReprintScreen::set_mode)));
    page.on_range(with_arg(Box::new(ReprintScreen::range)));
    page.on_key(with_arg(Box::new(ReprintScreen::key)));
    page.on_search(with(Box::new(ReprintScreen::search)));
    page.on_reprint(with(Box::new(ReprintScreen::reprint)));
    let weak = Rc::downgrade(screen);
    page.on_pump(move || {
        if let Some(screen) = weak.upgrade()
            && let Ok(mut screen) = screen.try_borrow_mut()
        {
            screen.pump();
        }
    });
    let weak = Rc::downgrade(screen);
    page.on_check(move || {
        if let Some(screen) = weak.upgrade()
            && let Ok(mut screen) = screen.try_borrow_mut()
        {
            screen.check();
        }
    });
    let weak = Rc::downgrade(screen);
    page.on_step_date(move |end, days| {
        if let Some(screen) = weak.upgrade() {
            touched(&screen);
            if let Ok(mut screen) = screen.try_borrow_mut() {
                screen.step_date(end.as_str(), days);
                screen.render();
            }
        }
    });
    let weak = Rc::downgrade(screen);
    page.on_select(move |index| {
        if let Some(screen) = weak.upgrade() {
            touched(&screen);
            if let Ok(mut screen) = screen.try_borrow_mut()
                && let Ok(index) = usize::try_from(index)
            {
                screen.select(index);
                screen.render();
            }
        }
    });
    // Volver: back to the desk's staff home.
    page.on_leave(with(Box::new(ReprintScreen::close)));
}

/// One printed document of [`write_sample_receipts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleReceipt {
    pub seq: i64,
    pub operation: &'static str,
    pub card_last4: Option<&'static str>,
    pub at: DateTime<Utc>,
    pub printed: bool,
}

/// Journals four printed documents the way the kiosk's runtime does (the document's text as printed,
/// the masked card, printed or cut short), oldest first: eight days ago, yesterday, and two today (the
/// last cut short by paper out). For screenshots and UI tests; `now` is when the page is used.
pub fn write_sample_receipts(journal: &mut Journal, now: DateTime<Utc>) -> Result<Vec<SampleReceipt>, String> {
    use chrono::TimeDelta;
    use servicaja_host::{JournalEvent, MaskedCard, SafeText};

    let samples = servicaja_receipts::samples::all().map_err(|err| err.to_string())?;
    let sample = |name: &str| samples.iter().find(|(sample, _)| *sample == name).map(|(_, document)| document.clone());
    let plan = [
        ("payment_voucher", "004498", Some("4242"), now - TimeDelta::days(8), true),
        ("affiliation", "004511", Some("0010"), now - TimeDelta::days(1), true),
        ("payment_voucher", "004512", Some("0010"), now - TimeDelta::minutes(95), true),
        ("payment_voucher_exchange", "004514", Some("7713"), now - TimeDelta::minutes(20), false),
    ];
    let mut written = Vec::new();
    for (name, operation, card_last4, at, printed) in plan {
        let mut document = sample(name).ok_or_else(|| format!("no sample document {name}"))?;
        let sample_date = servicaja_core::calendar::lima_printed(document.issued_at);
        document.operation_number = operation.to_owned();
        document.issued_at = at;
        let laid = servicaja_receipts::layout(&document, Columns::C48);
        // The samples' bodies carry their own date: the one this record has, as the kiosk would print it.
        let text = servicaja_receipts::render::text::render(&laid)
            .replace(&sample_date, &servicaja_core::calendar::lima_printed(at));
        let event = JournalEvent::Receipt {
            session: Some(format!("sample-{operation}")),
            operation: operation.to_owned(),
            card: card_last4.and_then(MaskedCard::from_last4),
            title: SafeText::new(document.title.clone()).map_err(|err| err.to_string())?,
            text: SafeText::new(text).map_err(|err| err.to_string())?,
            printed,
        };
        let seq = journal.append(at, &event).map_err(|err| err.to_string())?.seq;
        written.push(SampleReceipt { seq, operation, card_last4, at, printed });
    }
    Ok(written)
}
