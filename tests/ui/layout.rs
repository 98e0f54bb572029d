//! Large text (issue 18): on the landscape and the portrait panel, in both languages, every text of the
//! screens that carry the most text lies inside the card, tile or button that holds it (with room to spare
//! from its border), nothing leaves the window sideways, and whatever scrolls can be scrolled to its last
//! line — so every option can be reached. Also the Información screens: the caja's explanatory texts, the
//! channel table's groups and this kiosk's own limit, the calculator's compact answer.

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use servicaja_core::api::PaymentOption;
use servicaja_core::settings::Language;
use servicaja_session::state::{Payment, Screen};
use servicaja_session::{Action, InfoTopic, MenuItem};
use slint::ComponentHandle;

use servicaja_ui::KioskWindow;
use servicaja_ui::Screen as UiScreen;
use servicaja_ui::rig::Rig;

/// A window of `width` x `height` (logical pixels) in a test that set the testing platform up.
pub(super) fn window_of(width: f32, height: f32) -> KioskWindow {
    thread_local! {
        static PLATFORM: () = i_slint_backend_testing::init_no_event_loop();
    }
    PLATFORM.with(|_| ());
    let ui = KioskWindow::new().expect("the window builds");
    ui.window().set_size(slint::LogicalSize::new(width, height));
    ui.show().expect("the window shows");
    ui
}

const SIZES: [(f32, f32); 2] = [(1280.0, 1024.0), (1080.0, 1920.0)];
const LANGUAGES: [Language; 2] = [Language::Es, Language::En];

/// A rectangle on screen: x, y, right, bottom.
#[derive(Debug, Clone, Copy)]
struct Area {
    x: f32,
    y: f32,
    right: f32,
    bottom: f32,
}

fn area(element: &ElementHandle) -> Area {
    let (at, size) = (element.absolute_position(), element.size());
    Area { x: at.x, y: at.y, right: at.x + size.width, bottom: at.y + size.height }
}

fn label(element: &ElementHandle) -> String {
    element.accessible_label().map(|l| l.to_string()).unwrap_or_default()
}

/// The texts (with something to read) under `element`.
fn texts_under(element: &ElementHandle) -> Vec<ElementHandle> {
    element
        .query_descendants()
        .match_inherits("Text")
        .find_all()
        .into_iter()
        .filter(|text| !label(text).trim().is_empty() && text.size().width > 0.0)
        .collect()
}

/// The components that frame texts: cards of figures, list entries, menu tiles, buttons.
const CONTAINERS: [&str; 4] = ["RowsView", "ItemButton", "Tile", "KioskButton"];

/// Everything wrong with the screen on `ui` (`width` x `height`): texts outside their container (or closer
/// than `margin` to its border), texts or controls outside the window, a scrolled list whose content does not
/// reach its last line.
fn layout_problems(ui: &KioskWindow, width: f32, height: f32) -> Vec<String> {
    const MARGIN: f32 = 4.0;
    let mut problems = Vec::new();
    // Whatever scrolls: scrolled to its end, nothing lies below its bottom; back at its start, nothing above
    // its top. Texts inside are checked against the list, not against the window.
    let mut scrolled: Vec<(String, f32, f32)> = Vec::new();
    for list in ElementQuery::from_root(ui).match_descendants().match_inherits("Flickable").find_all() {
        let frame = area(&list);
        // A scroll is activity, and the window's lists are filled again: look the texts up after each.
        list.scroll(0.0, -100_000.0);
        for text in texts_under(&list) {
            let at = area(&text);
            if at.bottom > frame.bottom + 0.5 {
                problems.push(format!(
                    "{:?} cannot be scrolled into view: its bottom {} below the list's {}",
                    label(&text),
                    at.bottom,
                    frame.bottom
                ));
            }
        }
        list.scroll(0.0, 100_000.0);
        for text in texts_under(&list) {
            let at = area(&text);
            if at.y < frame.y - 0.5 {
                problems.push(format!("{:?} above the top of its list when at the start", label(&text)));
            }
            scrolled.push((label(&text), at.x, at.y));
        }
    }
    for kind in CONTAINERS {
        for container in ElementQuery::from_root(ui).match_descendants().match_inherits(kind).find_all() {
            let frame = area(&container);
            for text in texts_under(&container) {
                let at = area(&text);
                if at.x < frame.x + MARGIN
                    || at.y < frame.y + MARGIN
                    || at.right > frame.right - MARGIN
                    || at.bottom > frame.bottom - MARGIN
                {
                    problems.push(format!(
                        "{:?} leaves (or touches the border of) its {kind} {:?}: {at:?} in {frame:?}",
                        label(&text),
                        label(&container)
                    ));
                }
            }
        }
    }
    for text in texts_under_root(ui) {
        let at = area(&text);
        let in_list = scrolled.iter().any(|(l, x, y)| *l == label(&text) && *x == at.x && *y == at.y);
        if at.x < -0.5 || at.right > width + 0.5 || (!in_list && (at.y < -0.5 || at.bottom > height + 0.5)) {
            problems.push(format!("{:?} leaves the {width}x{height} window: {at:?}", label(&text)));
        }
    }
    for button in
        ElementQuery::from_root(ui).match_descendants().match_accessible_role(AccessibleRole::Button).find_all()
    {
        let at = area(&button);
        if at.x < -0.5 || at.right > width + 0.5 {
            problems.push(format!("the button {:?} leaves the window sideways: {at:?}", label(&button)));
        }
    }
    problems
}

fn texts_under_root(ui: &KioskWindow) -> Vec<ElementHandle> {
    ElementQuery::from_root(ui)
        .match_descendants()
        .match_inherits("Text")
        .find_all()
        .into_iter()
        .filter(|text| !label(text).trim().is_empty() && text.size().width > 0.0)
        .collect()
}

/// A screen's name and how a fresh session gets there.
type Scene = (UiScreen, fn(&Rig));

fn text_heavy_scenes() -> Vec<Scene> {
    vec![
        (UiScreen::Menu, Rig::login),
        (UiScreen::Loan, |rig| {
            rig.login();
            rig.ui(Action::Menu(MenuItem::PayLoans));
            rig.ui(Action::Select(0));
        }),
        (UiScreen::Info, |rig| rig.ui(Action::Menu(MenuItem::Information))),
        (UiScreen::InfoTable, |rig| {
            rig.ui(Action::Menu(MenuItem::Information));
            rig.ui(Action::InfoTopic(InfoTopic::PaymentChannels));
        }),
        (UiScreen::InfoTable, |rig| {
            rig.ui(Action::Menu(MenuItem::Information));
            rig.ui(Action::InfoTopic(InfoTopic::InsuranceCoverage));
        }),
        (UiScreen::Calculator, |rig| {
            rig.ui(Action::Menu(MenuItem::Information));
            rig.ui(Action::InfoTopic(InfoTopic::MiViviendaBond));
            rig.keys("150000");
            rig.ui(Action::Confirm);
        }),
        (UiScreen::Calculator, |rig| {
            rig.ui(Action::Menu(MenuItem::Information));
            rig.ui(Action::InfoTopic(InfoTopic::MultiriskDeductibles));
            rig.keys("25000");
            rig.ui(Action::Confirm);
        }),
    ]
}

/// With large text, on both panels and in both languages, every text of the menu, the loan detail with its
/// five options and the Información screens fits its card, tile or button, nothing leaves the window, and
/// every scrolled list reaches its last line (Cancelación total included).
#[test]
fn large_text_fits_every_text_in_its_container_and_every_option_is_reachable_on_both_panels() {
    let mut problems = Vec::new();
    for (width, height) in SIZES {
        for language in LANGUAGES {
            for (expected, drive) in text_heavy_scenes() {
                let ui = window_of(width, height);
                let rig = Rig::new(&ui);
                rig.ui(Action::SetLanguage(language));
                rig.ui(Action::SetLargeText(true));
                drive(&rig);
                assert_eq!(rig.screen(), expected);
                for problem in layout_problems(&ui, width, height) {
                    problems.push(format!("{width}x{height} {language:?} {expected:?}: {problem}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// The same screens at normal text size keep fitting too.
#[test]
fn normal_text_fits_every_text_in_its_container_on_both_panels() {
    let mut problems = Vec::new();
    for (width, height) in SIZES {
        for (expected, drive) in text_heavy_scenes() {
            let ui = window_of(width, height);
            let rig = Rig::new(&ui);
            drive(&rig);
            assert_eq!(rig.screen(), expected);
            for problem in layout_problems(&ui, width, height) {
                problems.push(format!("{width}x{height} {expected:?}: {problem}"));
            }
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// The fifth option of a loan, Cancelación total, can be touched on both panels with large text.
#[test]
fn cancelacion_total_is_reachable_with_large_text_on_both_panels() {
    for (width, height) in SIZES {
        let ui = window_of(width, height);
        let rig = Rig::new(&ui);
        rig.ui(Action::SetLargeText(true));
        rig.login();
        rig.ui(Action::Menu(MenuItem::PayLoans));
        rig.ui(Action::Select(0));
        assert_eq!(rig.screen(), UiScreen::Loan);
        // The list builds the entries in view: the fifth comes once the options are scrolled to the end.
        let list = ElementQuery::from_root(&ui)
            .match_descendants()
            .match_inherits("Flickable")
            .find_all()
            .into_iter()
            .find(|list| texts_under(list).iter().any(|t| label(t) == "Pagar cuota"))
            .expect("the options scroll");
        list.scroll(0.0, -100_000.0);
        let frame = area(&list);
        // The option's label also reads its amount ("Cancelación total S/ …").
        let label = ElementQuery::from_root(&ui)
            .match_descendants()
            .find_all()
            .into_iter()
            .filter_map(|e| e.accessible_label())
            .find(|label| label.starts_with("Cancelación total"))
            .expect("the option is built once scrolled to");
        let total: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(&ui, &label)
            .filter(|e| e.accessible_role() == Some(AccessibleRole::Button))
            .collect();
        assert_eq!(total.len(), 1);
        let at = area(&total[0]);
        assert!(
            at.y >= frame.y - 0.5 && at.bottom <= frame.bottom + 0.5,
            "{width}x{height}: Cancelación total at {at:?} outside its list {frame:?} scrolled to the end"
        );
        assert_eq!(total[0].accessible_enabled(), Some(true), "the total is offered for this loan");
        total[0].invoke_accessible_default_action();
        let chosen = rig.controller.borrow().session().screen().clone();
        assert!(
            matches!(
                chosen,
                Screen::Payment(Payment::Accounts { ref order, .. } | Payment::LoadingAccounts { ref order, .. })
                    if order.option == PaymentOption::Total
            ),
            "{width}x{height}: touching it chose the total: {chosen:?}"
        );
    }
}

/// The accessible values of the texts labelled `label` on screen.
fn values_of(ui: &KioskWindow, label: &str) -> Vec<String> {
    ElementHandle::find_by_accessible_label(ui, label)
        .filter_map(|e| e.accessible_value().map(|v| v.to_string()))
        .collect()
}

/// The caja's explanatory text shown on the screen of `topic`, in `language`.
fn disclosure_on(topic: InfoTopic, language: Language) -> String {
    let ui = window_of(1280.0, 1024.0);
    let rig = Rig::new(&ui);
    rig.ui(Action::SetLanguage(language));
    rig.ui(Action::Menu(MenuItem::Information));
    rig.ui(Action::InfoTopic(topic));
    let label = if language == Language::Es { "Información de la Caja" } else { "Information from the Caja" };
    values_of(&ui, label).join("|")
}

/// Issue 18: the texts of config/disclosures.toml were never shown. Desgravamen beside its coverage table,
/// the multirisk sum insured beside the deductibles, the BBP and BMS beside the MiVivienda calculator, the
/// BFH beside the Techo Propio calculator — in the customer's language.
#[test]
fn the_cajas_explanatory_texts_are_shown_on_the_screens_they_explain_in_both_languages() {
    let d = servicaja_core::disclosures::Disclosures::embedded().unwrap();
    let cases = [
        (InfoTopic::InsuranceCoverage, &d.desgravamen.text, &d.desgravamen.text_en),
        (InfoTopic::MultiriskDeductibles, &d.multirisk.text, &d.multirisk.text_en),
        (InfoTopic::TechoPropioBond, &d.techo_propio.text, &d.techo_propio.text_en),
    ];
    for (topic, es, en) in cases {
        assert_eq!(&disclosure_on(topic, Language::Es), es, "{topic:?}");
        assert_eq!(&disclosure_on(topic, Language::En), en, "{topic:?}");
    }
    let mivivienda = disclosure_on(InfoTopic::MiViviendaBond, Language::Es);
    assert!(mivivienda.contains(&d.mivivienda.bbp_text) && mivivienda.contains(&d.mivivienda.bms_text));
    let mivivienda = disclosure_on(InfoTopic::MiViviendaBond, Language::En);
    assert!(mivivienda.contains(&d.mivivienda.bbp_text_en) && mivivienda.contains(&d.mivivienda.bms_text_en));
    assert_eq!(disclosure_on(InfoTopic::PaymentChannels, Language::Es), "", "the channel table explains itself");
}

/// Issue 18: the channel table had no group headings and a blank line for this kiosk; both languages.
#[test]
fn the_channel_table_has_its_two_groups_and_this_kiosks_own_limit() {
    for (language, groups, kiosk, limit) in [
        (
            Language::Es,
            ["Pago en efectivo", "Cargo en cuenta por canales electrónicos"],
            "ServiCaja Virtual (este cajero)",
            "Máximo S/ 30,000.00 · US$ 5,000.00 por operación",
        ),
        (
            Language::En,
            ["Cash payments", "Account debit through electronic channels"],
            "ServiCaja Virtual (this kiosk)",
            "Up to S/ 30,000.00 · US$ 5,000.00 per operation",
        ),
    ] {
        let ui = window_of(1280.0, 1024.0);
        let rig = Rig::new(&ui);
        rig.ui(Action::SetLanguage(language));
        rig.ui(Action::Menu(MenuItem::Information));
        rig.ui(Action::InfoTopic(InfoTopic::PaymentChannels));
        let (cash, ventanilla) =
            (area_of(&ui, groups[0]), area_of(&ui, "CAJA TACNA: Ventanillas de las Agencias y Oficinas Especiales"));
        assert!(cash.bottom <= ventanilla.y, "{language:?}: the cash group first");
        // The table scrolls with a finger to its last line: the electronic channels, this kiosk among them.
        let table = ElementQuery::from_root(&ui).match_descendants().match_type_name("Flickable").find_first();
        table.expect("the table scrolls").scroll(0.0, -100_000.0);
        let account = area_of(&ui, groups[1]);
        assert!(area_of(&ui, "Tu Caja por Internet").y > account.y, "{language:?}: the electronic group after");
        assert_eq!(values_of(&ui, kiosk), [limit], "{language:?}");
        assert!(ElementHandle::find_by_accessible_label(&ui, "ServiCaja Virtual").next().is_none(), "no blank line");
    }
}

fn area_of(ui: &KioskWindow, label: &str) -> Area {
    let found: Vec<ElementHandle> = ElementHandle::find_by_accessible_label(ui, label).collect();
    assert!(!found.is_empty(), "{label:?} on screen");
    area(&found[0])
}

/// Issue 18: the deductible calculator spread its two answer lines over the keypad's height.
#[test]
fn the_calculators_answer_lines_stay_together() {
    for (width, height) in SIZES {
        let ui = window_of(width, height);
        let rig = Rig::new(&ui);
        rig.ui(Action::Menu(MenuItem::Information));
        rig.ui(Action::InfoTopic(InfoTopic::MultiriskDeductibles));
        rig.keys("25000");
        rig.ui(Action::Confirm);
        assert_eq!(values_of(&ui, "Deducible"), ["S/ 750.00"]);
        let (deductible, range) = (area_of(&ui, "Deducible"), area_of(&ui, "Rango"));
        let gap = range.y - deductible.bottom;
        assert!((0.0..=12.0).contains(&gap), "{width}x{height}: {gap} px between the answer's lines");
    }
}
