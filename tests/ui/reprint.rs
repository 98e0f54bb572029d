//! The staff reprint page in the kiosk window: a real SQLite journal in a temporary directory holding the
//! documents the kiosk printed, the real printer driver on the printer emulator's pseudo-terminal, and
//! touches by accessible label. Searches by the card's last four digits, the operation number and a date
//! range; a reprint that comes out marked DUPLICADO and is journaled; a receipt cut short by paper out
//! reprinted; paper out on the reprint itself; no path to the page from the customer's screens.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::mpsc::Receiver;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use i_slint_backend_testing::{AccessibleRole, ElementHandle};
use servicaja_core::settings::Settings;
use servicaja_drivers::devices::{Devices, DriverOptions};
use servicaja_drivers::emulator::{EmulatorSet, SimPaper};
use servicaja_drivers::readers::DeviceEvent;
use servicaja_drivers::status::{DeviceKind, DeviceState, PaperState};
use servicaja_host::{Journal, JournalEvent};
use servicaja_receipts::Columns;
use servicaja_session::{Action, MenuItem};
use slint::{ComponentHandle, Model};

use servicaja_ui::reprint::{JournalBackend, ReprintScreen, SampleReceipt, SharedReprint, write_sample_receipts};
use servicaja_ui::rig::Rig;
use servicaja_ui::{KioskWindow, Reprint};

/// 11:00 in Lima on Saturday 21 November 2026.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 16, 0, 0).unwrap()
}

const REPRINT: &str = "Reimprimir (DUPLICADO)";

/// The emulated devices on pseudo-terminals and the real drivers on them, once the printer is online.
fn emulated_devices() -> (EmulatorSet, Devices, Receiver<DeviceEvent>) {
    let settings = Settings::default();
    let emulators = EmulatorSet::start_temporary(48).unwrap();
    let (devices, events) = Devices::start(
        &settings.printer,
        &settings.card_reader,
        &settings.document_reader,
        Some(&emulators.paths()),
        DriverOptions::default(),
    );
    wait_for_printer(&events, |state, _| state == DeviceState::Online);
    (emulators, devices, events)
}

/// A kiosk window with the reprint page bound to a journal of sample receipts and the emulated printer.
struct Agency {
    ui: KioskWindow,
    page: SharedReprint,
    samples: Vec<SampleReceipt>,
    journal_path: std::path::PathBuf,
    emulators: EmulatorSet,
    events: Receiver<DeviceEvent>,
    _devices: Devices,
    _dir: tempfile::TempDir,
}

impl Agency {
    fn open() -> Agency {
        Agency::open_with(|_| {})
    }

    /// [`Agency::open`] with more documents journaled after the samples.
    fn open_with(more: impl FnOnce(&mut Journal)) -> Agency {
        i_slint_backend_testing::init_no_event_loop();
        let ui = KioskWindow::new().expect("the window builds");
        ui.show().expect("the window shows");
        let dir = tempfile::tempdir().unwrap();
        let journal_path = dir.path().join("journal.sqlite");
        let mut journal = Journal::open(&journal_path, 64).unwrap();
        let samples = write_sample_receipts(&mut journal, now()).unwrap();
        more(&mut journal);

        let (emulators, devices, events) = emulated_devices();
        let backend = JournalBackend::new(journal, Some(devices.printer.clone()), Columns::C48, "LG");
        let clock = Rc::new(now);
        let page = ReprintScreen::attach(&ui, Box::new(backend), clock);
        Agency { ui, page, samples, journal_path, emulators, events, _devices: devices, _dir: dir }
    }

    /// Signs `staff` in, as the maintenance desk does.
    fn sign_in(&self, staff: &str) {
        self.page.borrow_mut().open(staff);
        assert!(self.ui.global::<Reprint>().get_open());
    }

    fn sample(&self, operation: &str) -> &SampleReceipt {
        self.samples.iter().find(|sample| sample.operation == operation).unwrap()
    }

    fn journal(&self) -> Vec<JournalEvent> {
        let journal = Journal::open_existing(&self.journal_path).unwrap();
        journal
            .range(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)
            .unwrap()
            .into_iter()
            .map(|r| r.event)
            .collect()
    }

    fn reprints(&self) -> Vec<(String, String, i64)> {
        self.journal()
            .into_iter()
            .filter_map(|event| match event {
                JournalEvent::Reprint { operation, staff, original_seq } => Some((operation, staff, original_seq)),
                _ => None,
            })
            .collect()
    }

    /// The page's own maintenance records: (staff, action, detail).
    fn page_records(&self) -> Vec<(String, String, String)> {
        self.journal()
            .into_iter()
            .filter_map(|event| match event {
                JournalEvent::Maintenance { user, action, detail } if action.starts_with("reprint_") => {
                    Some((user, action, detail.as_str().to_owned()))
                }
                _ => None,
            })
            .collect()
    }

    fn operations_listed(&self) -> Vec<String> {
        self.ui.global::<Reprint>().get_rows().iter().map(|row| row.operation.to_string()).collect()
    }

    fn message(&self) -> (String, String) {
        let page = self.ui.global::<Reprint>();
        (page.get_message().to_string(), page.get_message_arg().to_string())
    }

    fn preview(&self) -> String {
        self.ui.global::<Reprint>().get_preview().to_string()
    }

    fn search_by_card(&self, last4: &str) {
        touch(&self.ui, "Tarjeta");
        type_digits(&self.ui, last4);
        touch(&self.ui, "Buscar");
    }

    fn search_by_operation(&self, operation: &str) {
        touch(&self.ui, "Operación");
        type_digits(&self.ui, operation);
        touch(&self.ui, "Buscar");
    }
}

fn wait_for_printer(events: &Receiver<DeviceEvent>, wanted: impl Fn(DeviceState, Option<PaperState>) -> bool) {
    loop {
        match events.recv_timeout(Duration::from_secs(20)).expect("the printer driver reported nothing") {
            DeviceEvent::StatusChanged { device: DeviceKind::Printer, status, .. }
                if wanted(status.device, status.paper) =>
            {
                return;
            }
            _ => {}
        }
    }
}

fn find(ui: &KioskWindow, label: &str) -> Vec<ElementHandle> {
    ElementHandle::find_by_accessible_label(ui, label).collect()
}

fn buttons(ui: &KioskWindow, label: &str) -> Vec<ElementHandle> {
    find(ui, label).into_iter().filter(|e| e.accessible_role() == Some(AccessibleRole::Button)).collect()
}

/// Touches the one visible control labelled `label`.
fn touch(ui: &KioskWindow, label: &str) {
    let found = buttons(ui, label);
    assert_eq!(found.len(), 1, "expected one control labelled {label:?}");
    found[0].invoke_accessible_default_action();
}

fn type_digits(ui: &KioskWindow, digits: &str) {
    for digit in digits.chars() {
        touch(ui, &digit.to_string());
    }
}

/// The text of the element labelled `label` (its accessible value).
fn value_of(ui: &KioskWindow, label: &str) -> String {
    let found = find(ui, label);
    assert_eq!(found.len(), 1, "expected one element labelled {label:?}");
    found[0].accessible_value().unwrap_or_default().to_string()
}

fn reprint_enabled(ui: &KioskWindow) -> bool {
    buttons(ui, REPRINT).first().and_then(ElementHandle::accessible_enabled).unwrap_or(false)
}

#[test]
fn a_receipt_found_by_the_cards_last_four_is_reprinted_marked_duplicado_and_journaled() {
    let agency = Agency::open();
    agency.sign_in("S01");
    assert_eq!(value_of(&agency.ui, "Personal"), "S01");
    assert!(!reprint_enabled(&agency.ui), "nothing chosen yet");

    agency.search_by_card("0010");
    assert_eq!(agency.operations_listed(), ["004512", "004511"], "newest first, only card 0010");
    assert_eq!(agency.message(), ("found".into(), "2".into()));
    assert_eq!(value_of(&agency.ui, "Estado de la operación 004512"), "Impreso");

    touch(&agency.ui, "Operación 004512");
    let preview = agency.preview();
    assert!(preview.contains("004512") && !preview.contains("DUPLICADO"), "the document as printed: {preview}");
    assert_eq!(value_of(&agency.ui, "Vista previa"), preview);
    let original = Journal::open_existing(&agency.journal_path).unwrap().get(agency.sample("004512").seq).unwrap();
    let Some(JournalEvent::Receipt { text, .. }) = original.map(|r| r.event) else { panic!("not a receipt") };
    assert_eq!(preview.trim_end(), text.as_str().trim_end(), "exactly the journaled text");
    assert!(reprint_enabled(&agency.ui));

    touch(&agency.ui, REPRINT);
    let printed = agency.emulators.control().last_receipt_text().unwrap();
    assert!(printed.contains("DUPLICADO"), "{printed}");
    assert!(printed.contains("Reimpresión N°") && printed.contains("Personal") && printed.contains("S01"), "{printed}");
    let original_date = servicaja_core::calendar::lima_printed(agency.sample("004512").at);
    assert!(printed.contains(&original_date), "the original date {original_date}: {printed}");
    assert!(printed.contains("004512"), "{printed}");
    assert_eq!(agency.message(), ("reprinted".into(), "1".into()));
    assert_eq!(value_of(&agency.ui, "Reimpresiones de la operación 004512"), "1");
    assert_eq!(agency.reprints(), [("004512".to_string(), "S01".to_string(), agency.sample("004512").seq)]);

    touch(&agency.ui, REPRINT);
    assert_eq!(agency.message(), ("reprinted".into(), "2".into()), "the second copy is N.° 2");
    assert!(agency.emulators.control().last_receipt_text().unwrap().contains("Reimpresión N°"));
    let receipts = agency.journal().iter().filter(|event| matches!(event, JournalEvent::Receipt { .. })).count();
    assert_eq!(receipts, agency.samples.len(), "a reprint is no new receipt: counters unchanged");
    assert!(Journal::open_existing(&agency.journal_path).unwrap().verify().unwrap().first_broken.is_none());

    // The search (no more of the card than its last four digits) and the preview are journaled with the staff id.
    let seq = agency.sample("004512").seq;
    let record = |action: &str, detail: String| ("S01".to_string(), action.to_string(), detail);
    assert_eq!(
        agency.page_records(),
        [
            record("reprint_search", "card ****0010".into()),
            record("reprint_preview", format!("operation 004512 (record {seq})"))
        ]
    );
}

#[test]
fn searches_by_operation_number_and_by_date_range_and_say_what_is_wrong() {
    let agency = Agency::open();
    agency.sign_in("S02");

    agency.search_by_operation("004511");
    assert_eq!(agency.operations_listed(), ["004511"]);
    assert!(agency.preview().contains("004511"), "a single result is shown at once");

    touch(&agency.ui, "Borrar");
    touch(&agency.ui, "9");
    touch(&agency.ui, "Buscar");
    assert!(agency.operations_listed().is_empty());
    assert_eq!(agency.message().0, "no-results");
    assert!(!reprint_enabled(&agency.ui));

    for _ in 0..6 {
        touch(&agency.ui, "Borrar");
    }
    touch(&agency.ui, "Buscar");
    assert_eq!(agency.message().0, "nothing-to-search");

    agency.search_by_card("12");
    assert_eq!(agency.message().0, "card-last4", "four digits exactly");

    // Dates: today (Lima) by default; a day back takes in yesterday; the end before the start is refused.
    touch(&agency.ui, "Fecha");
    assert_eq!(value_of(&agency.ui, "Desde"), "21/11/2026");
    assert_eq!(value_of(&agency.ui, "Hasta"), "21/11/2026");
    touch(&agency.ui, "Buscar");
    assert_eq!(agency.operations_listed(), ["004514", "004512"]);
    touch(&agency.ui, "Desde: día anterior");
    touch(&agency.ui, "Buscar");
    assert_eq!(agency.operations_listed(), ["004514", "004512", "004511"]);
    touch(&agency.ui, "Hasta: día anterior");
    touch(&agency.ui, "Buscar");
    assert_eq!(agency.operations_listed(), ["004511"]);
    touch(&agency.ui, "Hasta: día anterior");
    touch(&agency.ui, "Buscar");
    assert_eq!(agency.message().0, "range-reversed");
    touch(&agency.ui, "Hasta: día siguiente");
    touch(&agency.ui, "Hasta: día siguiente");
    touch(&agency.ui, "Hasta: día siguiente");
    assert_eq!(value_of(&agency.ui, "Hasta"), "21/11/2026", "no later than today");
    touch(&agency.ui, "Últimos 7 días");
    assert_eq!(value_of(&agency.ui, "Desde"), "15/11/2026");
    touch(&agency.ui, "Buscar");
    assert_eq!(agency.operations_listed(), ["004514", "004512", "004511"], "eight days ago is outside");
    assert!(agency.reprints().is_empty(), "searching reprints nothing");
    assert!(agency.emulators.control().last_receipt().is_none());

    // Every search that ran and every preview is journaled for S02; the refused forms are not searches.
    let records: Vec<(String, String)> = agency
        .page_records()
        .into_iter()
        .map(|(user, action, detail)| {
            assert_eq!(user, "S02");
            (action, detail)
        })
        .collect();
    let search = |detail: &str| ("reprint_search".to_string(), detail.to_string());
    let seq = agency.sample("004511").seq;
    assert_eq!(
        records,
        [
            search("operation 004511"),
            ("reprint_preview".to_string(), format!("operation 004511 (record {seq})")),
            search("operation 004519"),
            search("dates 2026-11-21..2026-11-21"),
            search("dates 2026-11-20..2026-11-21"),
            search("dates 2026-11-20..2026-11-20"),
            ("reprint_preview".to_string(), format!("operation 004511 (record {seq})")),
            search("dates 2026-11-15..2026-11-21"),
        ]
    );
}

#[test]
fn a_receipt_cut_short_by_paper_out_is_listed_as_not_printed_and_can_be_reprinted() {
    let agency = Agency::open();
    agency.sign_in("S01");
    agency.search_by_card("7713");
    assert_eq!(agency.operations_listed(), ["004514"]);
    assert_eq!(value_of(&agency.ui, "Estado de la operación 004514"), "No impreso");
    assert!(agency.preview().contains("004514"));

    touch(&agency.ui, REPRINT);
    assert_eq!(agency.message(), ("reprinted".into(), "1".into()));
    let printed = agency.emulators.control().last_receipt_text().unwrap();
    assert!(printed.contains("DUPLICADO") && printed.contains("004514"), "{printed}");
    assert_eq!(agency.reprints(), [("004514".to_string(), "S01".to_string(), agency.sample("004514").seq)]);
}

#[test]
fn with_the_printer_out_of_paper_the_page_says_it_was_not_reprinted_and_nothing_is_journaled() {
    let agency = Agency::open();
    agency.sign_in("S01");
    agency.search_by_operation("004512");
    assert!(reprint_enabled(&agency.ui));

    agency.emulators.control().set_paper(SimPaper::Out);
    wait_for_printer(&agency.events, |_, paper| paper == Some(PaperState::Out));
    touch(&agency.ui, REPRINT);
    assert_eq!(agency.message().0, "paper-out");
    assert!(agency.reprints().is_empty(), "no reprint journaled");
    assert!(agency.emulators.control().last_receipt().is_none(), "nothing came out");
    assert_eq!(value_of(&agency.ui, "Reimpresiones de la operación 004512"), "0");

    // A new roll: the same reprint goes through as copy N.° 1.
    agency.emulators.control().set_paper(SimPaper::Ok);
    wait_for_printer(&agency.events, |_, paper| paper == Some(PaperState::Full));
    touch(&agency.ui, REPRINT);
    assert_eq!(agency.message(), ("reprinted".into(), "1".into()));
    assert_eq!(agency.reprints().len(), 1);
}

#[test]
fn the_page_closes_when_the_staff_member_is_no_longer_signed_in_and_then_reprints_nothing() {
    let agency = Agency::open();
    let signed_in = Rc::new(RefCell::new(Some("S01".to_string())));
    let check = signed_in.clone();
    agency.page.borrow_mut().set_staff_check(Box::new(move || check.borrow().clone()));
    agency.sign_in("S01");
    agency.search_by_operation("004512");
    assert!(!agency.preview().is_empty());

    // The desk asks for the PIN again after idle: the page closes and forgets what it showed.
    *signed_in.borrow_mut() = None;
    let reprint = agency.ui.global::<Reprint>();
    reprint.invoke_reprint();
    assert!(!reprint.get_open());
    assert!(reprint.get_preview().is_empty() && reprint.get_rows().row_count() == 0);
    assert!(agency.reprints().is_empty() && agency.emulators.control().last_receipt().is_none());

    // Volver closes it too.
    *signed_in.borrow_mut() = Some("S01".to_string());
    agency.sign_in("S01");
    touch(&agency.ui, "Volver");
    assert!(!agency.ui.global::<Reprint>().get_open());
    assert!(buttons(&agency.ui, REPRINT).is_empty());
}

#[test]
fn customers_have_no_path_to_the_reprint_page() {
    i_slint_backend_testing::init_no_event_loop();
    let ui = KioskWindow::new().expect("the window builds");
    ui.show().expect("the window shows");
    let dir = tempfile::tempdir().unwrap();
    let mut journal = Journal::open(&dir.path().join("journal.sqlite"), 64).unwrap();
    write_sample_receipts(&mut journal, now()).unwrap();
    // No printer at all: had anything asked for a reprint, it would have been refused, not printed.
    let page =
        ReprintScreen::attach(&ui, Box::new(JournalBackend::new(journal, None, Columns::C48, "LG")), Rc::new(now));
    let rig = Rig::new(&ui);
    let visited = Cell::new(0);
    let nowhere = |ui: &KioskWindow| {
        visited.set(visited.get() + 1);
        assert!(!ui.global::<Reprint>().get_open());
        for label in [REPRINT, "Reimprimir comprobante", "Desde: día anterior"] {
            assert!(find(ui, label).is_empty(), "{label:?} reachable on screen {:?}", rig.screen());
        }
    };
    nowhere(&ui);
    rig.login();
    nowhere(&ui);
    for item in [
        MenuItem::PayLoans,
        MenuItem::Balances,
        MenuItem::InternetPurchases,
        MenuItem::Certificates,
        MenuItem::Requests,
        MenuItem::Information,
    ] {
        rig.ui(Action::Menu(item));
        nowhere(&ui);
        rig.ui(Action::Select(0));
        nowhere(&ui);
        rig.ui(Action::Back);
        rig.ui(Action::Back);
    }
    assert!(visited.get() > 10);
    // Raised anyway (as if the window were tampered with), the page's callbacks do nothing while no staff
    // member is signed in.
    let reprint = ui.global::<Reprint>();
    reprint.invoke_search();
    reprint.invoke_select(0);
    reprint.invoke_reprint();
    assert!(!reprint.get_open() && reprint.get_rows().row_count() == 0);
    drop(page);
}

/// A maintenance backend with nothing to report: staff never see the technician's pages.
struct QuietDesk;

impl servicaja_ui::maintenance::MaintenanceBackend for QuietDesk {
    fn devices(&mut self) -> Vec<servicaja_ui::maintenance::DeviceReport> {
        Vec::new()
    }
    fn print_test_page(&mut self, _: &str, _: DateTime<Utc>) -> Result<(), String> {
        Ok(())
    }
    fn test_page_outcome(&mut self) -> Option<Result<(), String>> {
        None
    }
    fn paper(&mut self) -> servicaja_ui::maintenance::PaperReport {
        let estimate = servicaja_maintenance::PaperCounter::default().estimate(80_000);
        servicaja_ui::maintenance::PaperReport { estimate, roll_length_mm: 80_000, roll_replaced_at: None }
    }
    fn roll_replaced(&mut self, _: DateTime<Utc>) -> Result<(), String> {
        Ok(())
    }
    fn queue(&mut self) -> Result<servicaja_ui::maintenance::QueueReport, String> {
        Ok(Default::default())
    }
    fn retry(&mut self, _: i64) -> Result<(), servicaja_ui::maintenance::CommandError> {
        Ok(())
    }
    fn cancel(&mut self, _: i64, _: &str) -> Result<(), servicaja_ui::maintenance::CommandError> {
        Ok(())
    }
    fn host(&mut self, _: DateTime<Utc>, _: bool) -> servicaja_ui::maintenance::HostReport {
        Default::default()
    }
    fn kiosk(&mut self) -> servicaja_ui::maintenance::KioskReport {
        Default::default()
    }
    fn service_switched(
        &mut self,
        _: Option<&servicaja_session::SwitchOffReason>,
        _: &str,
        _: DateTime<Utc>,
    ) -> Result<(), String> {
        Ok(())
    }
    fn export(&mut self, _: DateTime<Utc>) -> Result<String, String> {
        Ok(String::new())
    }
    fn journal(&mut self, _: Vec<servicaja_maintenance::JournalEntry>) {}
}

/// Accepts `pin` when the user's hash is `test:<pin>` (the argon2 verifier is tested in its module).
struct TestVerifier;

impl servicaja_maintenance::PinVerifier for TestVerifier {
    fn verify(&self, user: &servicaja_core::settings::MaintenanceUser, pin: &str) -> bool {
        user.pin_hash == format!("test:{pin}")
    }
    fn verify_unknown(&self, _: &str) {}
}

#[test]
fn staff_enter_by_the_gesture_and_pin_reprint_and_the_page_closes_when_the_pin_is_asked_again() {
    use chrono::TimeDelta;
    use servicaja_core::settings::{MaintenanceSettings, MaintenanceUser, Role};
    use slint::platform::{PointerEventButton, WindowEvent};

    use servicaja_ui::Maintenance;
    use servicaja_ui::maintenance::Desk;

    i_slint_backend_testing::init_no_event_loop();
    let ui = KioskWindow::new().expect("the window builds");
    ui.window().set_size(slint::PhysicalSize::new(1280, 1024));
    ui.show().expect("the window shows");
    let rig = Rig::new(&ui);
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("journal.sqlite");
    let mut journal = Journal::open(&journal_path, 64).unwrap();
    write_sample_receipts(&mut journal, rig.now.get()).unwrap();
    let (emulators, devices, _events) = emulated_devices();

    let staff =
        MaintenanceUser { id: "2001".into(), name: "2001".into(), role: Role::Staff, pin_hash: "test:200200".into() };
    let maintenance = MaintenanceSettings { users: vec![staff], ..MaintenanceSettings::default() };
    let now = rig.now.clone();
    let clock: servicaja_ui::controller::Clock = Rc::new(move || now.get());
    let desk =
        Desk::attach(&ui, &rig.controller, Box::new(QuietDesk), Box::new(TestVerifier), &maintenance, clock.clone());
    let backend = JournalBackend::new(journal, Some(devices.printer.clone()), Columns::C48, "LG");
    let page = ReprintScreen::attach(&ui, Box::new(backend), clock);
    servicaja_ui::reprint::link_desk(&page, &desk);

    // The hidden gesture (five taps in a corner), then id and PIN on the desk's keypad.
    let advance = |by: TimeDelta| rig.now.set(rig.now.get() + by);
    for _ in 0..5 {
        let position = slint::LogicalPosition::new(12.0, 12.0);
        ui.window().dispatch_event(WindowEvent::PointerPressed { position, button: PointerEventButton::Left });
        ui.window().dispatch_event(WindowEvent::PointerReleased { position, button: PointerEventButton::Left });
        advance(TimeDelta::milliseconds(300));
    }
    assert_eq!(ui.global::<Maintenance>().get_page(), servicaja_ui::MaintenancePage::Login);
    type_digits(&ui, "2001");
    touch(&ui, "Siguiente");
    type_digits(&ui, "200200");
    touch(&ui, "Ingresar");
    assert_eq!(ui.global::<Maintenance>().get_role(), servicaja_ui::MaintenanceRole::Staff);
    assert!(!ui.global::<Reprint>().get_open());
    touch(&ui, "Reimprimir comprobante");
    assert!(ui.global::<Reprint>().get_open());
    assert_eq!(value_of(&ui, "Personal"), "2001");

    touch(&ui, "Operación");
    type_digits(&ui, "004512");
    touch(&ui, "Buscar");
    touch(&ui, REPRINT);
    let printed = emulators.control().last_receipt_text().unwrap();
    assert!(printed.contains("DUPLICADO") && printed.contains("2001") && printed.contains("004512"), "{printed}");
    let reprints: Vec<(String, String)> = Journal::open_existing(&journal_path)
        .unwrap()
        .range(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC)
        .unwrap()
        .into_iter()
        .filter_map(|record| match record.event {
            JournalEvent::Reprint { operation, staff, .. } => Some((operation, staff)),
            _ => None,
        })
        .collect();
    assert_eq!(reprints, [("004512".to_string(), "2001".to_string())]);

    // Touches on the page are activity for the desk: ten minutes, a touch, ten more — still signed in.
    advance(TimeDelta::minutes(10));
    touch(&ui, "Fecha");
    advance(TimeDelta::minutes(10));
    desk.borrow_mut().tick();
    ui.global::<Reprint>().invoke_check();
    assert!(ui.global::<Reprint>().get_open(), "used within the last 15 minutes");

    // Fifteen minutes untouched: the desk asks for the PIN again and the page closes, its data forgotten.
    advance(TimeDelta::minutes(16));
    desk.borrow_mut().tick();
    ui.global::<Reprint>().invoke_check();
    assert!(!ui.global::<Reprint>().get_open());
    assert!(ui.global::<Maintenance>().get_reauth());
    assert!(ui.global::<Reprint>().get_preview().is_empty() && ui.global::<Reprint>().get_rows().row_count() == 0);
    drop(devices);
}

/// Journals `sample` under `operation` as the runtime does (the document as JSON), printed or not.
fn journal_document(journal: &mut Journal, sample: &str, operation: &str, printed: bool) {
    let samples = servicaja_receipts::samples::all().unwrap();
    let mut document = samples.into_iter().find(|(name, _)| *name == sample).unwrap().1;
    document.operation_number = operation.to_owned();
    document.issued_at = now() - chrono::TimeDelta::minutes(10);
    let event = servicaja_runtime::reprint::receipt_event(&document, None, None).unwrap();
    let JournalEvent::Receipt { session, operation, card, title, text, .. } = event else { unreachable!() };
    let event = JournalEvent::Receipt { session, operation, card, title, text, printed };
    journal.append(document.issued_at, &event).unwrap();
}

/// Issue 18: the page took digits only, so requests (REQ-…) and constancias de no adeudo (CND-…) could not
/// be searched, and a payment taken by QR (never printed) was not found. Letters come from the prefix keys;
/// leading zeros may be left out; a document journaled when done and again when printed is listed once.
#[test]
fn requests_certificates_and_unprinted_receipts_are_found_by_their_numbers_typed_short() {
    let agency = Agency::open_with(|journal| {
        journal_document(journal, "request_ticket", "REQ-20261121-000004", true);
        journal_document(journal, "no_debt", "CND-2026-000003", true);
        // Paid by QR with no paper: only the record journaled when the payment was done.
        journal_document(journal, "payment_voucher", "00000008", false);
        // Printed: journaled when done, then again once printed.
        journal_document(journal, "payment_voucher", "00000009", false);
        journal_document(journal, "payment_voucher", "00000009", true);
    });
    agency.sign_in("S01");
    let clear = || {
        for _ in 0..24 {
            touch(&agency.ui, "Borrar");
        }
    };

    touch(&agency.ui, "Operación");
    touch(&agency.ui, "REQ-");
    type_digits(&agency.ui, "20261121");
    touch(&agency.ui, "-");
    type_digits(&agency.ui, "4");
    assert_eq!(agency.ui.global::<Reprint>().get_operation(), "REQ-20261121-4");
    touch(&agency.ui, "Buscar");
    assert_eq!(agency.operations_listed(), ["REQ-20261121-000004"]);
    touch(&agency.ui, "Operación REQ-20261121-000004");
    assert!(agency.preview().contains("CONSTANCIA DE REQUERIMIENTO"), "{}", agency.preview());

    clear();
    touch(&agency.ui, "CND-");
    type_digits(&agency.ui, "2026");
    touch(&agency.ui, "-");
    type_digits(&agency.ui, "3");
    touch(&agency.ui, "Buscar");
    assert_eq!(agency.operations_listed(), ["CND-2026-000003"]);

    clear();
    type_digits(&agency.ui, "8");
    touch(&agency.ui, "Buscar");
    assert_eq!(agency.operations_listed(), ["00000008"]);
    assert_eq!(value_of(&agency.ui, "Estado de la operación 00000008"), "No impreso");

    clear();
    type_digits(&agency.ui, "9");
    touch(&agency.ui, "Buscar");
    assert_eq!(agency.operations_listed(), ["00000009"], "one document, journaled twice");
    assert_eq!(value_of(&agency.ui, "Estado de la operación 00000009"), "Impreso");

    // A reprint of the one never printed says so.
    clear();
    type_digits(&agency.ui, "00000008");
    touch(&agency.ui, "Buscar");
    touch(&agency.ui, "Operación 00000008");
    touch(&agency.ui, REPRINT);
    let printed = agency.emulators.control().last_receipt_text().unwrap();
    assert!(printed.contains("DUPLICADO") && printed.contains("no impreso"), "{printed}");
}
