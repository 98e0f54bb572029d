//! Within reach (issue 17, ADA 308): on every customer screen of the screenshots, on the portrait panel
//! (1080×1920) and the landscape one (1280×1024), in both languages, every touch target lies inside the reach
//! band of the standard panel mounted at the default height (380–1,220 mm above the floor) and is at least
//! 15 mm on its smaller side, and every keypad or keyboard key at least 19 mm. The band and the sizes come
//! from `servicaja_core::reach`, the model the window is given.

use i_slint_backend_testing::{AccessibleRole, ElementHandle, ElementQuery};
use servicaja_core::reach::Reach;
use servicaja_core::settings::{DisplaySettings, Language};
use servicaja_session::Action;

use servicaja_ui::KioskWindow;
use servicaja_ui::rig::Rig;
use servicaja_ui::screenshots::scenes;

use crate::layout::window_of;

/// A target as found on screen: what it reads to a screen reader, where it is, whether it is a key.
#[derive(Debug, Clone)]
struct Target {
    label: String,
    y: f32,
    bottom: f32,
    width: f32,
    height: f32,
    key: bool,
    /// Inside a list that scrolls: its place is the list's (checked on its own), not its own.
    scrolled: bool,
}

fn target(element: &ElementHandle, key: bool, scrolled: bool) -> Target {
    let (at, size) = (element.absolute_position(), element.size());
    Target {
        label: element.accessible_label().map(|l| l.to_string()).unwrap_or_default(),
        y: at.y,
        bottom: at.y + size.height,
        width: size.width,
        height: size.height,
        key,
        scrolled,
    }
}

fn same_place(a: &ElementHandle, b: &ElementHandle) -> bool {
    let (pa, pb) = (a.absolute_position(), b.absolute_position());
    let (sa, sb) = (a.size(), b.size());
    pa.x == pb.x
        && pa.y == pb.y
        && sa.width == sb.width
        && sa.height == sb.height
        && a.accessible_label() == b.accessible_label()
}

/// Everything a customer can touch on the window: buttons (list entries, tiles and keys among them),
/// checkboxes, and the lists that scroll (as one target: their frame must be within reach).
fn targets(ui: &KioskWindow) -> Vec<Target> {
    let lists = ElementQuery::from_root(ui).match_inherits("Flickable").find_all();
    let in_lists: Vec<ElementHandle> = lists.iter().flat_map(|list| touchable(|| list.query_descendants())).collect();
    let keys = ElementQuery::from_root(ui).match_inherits("Key").find_all();
    let mut found: Vec<Target> = touchable(|| ElementQuery::from_root(ui))
        .iter()
        .map(|e| {
            let key = keys.iter().any(|k| same_place(k, e));
            let scrolled = in_lists.iter().any(|l| same_place(l, e));
            target(e, key, scrolled)
        })
        .collect();
    for list in &lists {
        let inside = touchable(|| list.query_descendants());
        let Some(first) = inside.first() else { continue };
        let mut frame = target(list, false, false);
        frame.label = format!("the list of {:?}", first.accessible_label().unwrap_or_default());
        // A list is no target of its own size: only its place counts.
        frame.width = f32::MAX;
        frame.height = f32::MAX;
        found.push(frame);
    }
    found
}

/// The buttons and checkboxes (of any size) the query `make` reaches.
fn touchable(make: impl Fn() -> ElementQuery) -> Vec<ElementHandle> {
    let mut found = make().match_accessible_role(AccessibleRole::Button).find_all();
    found.extend(make().match_accessible_role(AccessibleRole::Checkbox).find_all());
    found.into_iter().filter(|e| e.size().width > 0.0 && e.size().height > 0.0).collect()
}

/// What is out of reach or too small on the window, against `reach`.
fn problems(ui: &KioskWindow, reach: &Reach) -> Vec<String> {
    let mut problems = Vec::new();
    for t in targets(ui) {
        if !t.scrolled && !reach.holds(t.y, t.bottom) {
            problems.push(format!(
                "{:?} out of reach: rows {:.0}–{:.0}, the reach is {:.0}–{:.0}",
                t.label, t.y, t.bottom, reach.top, reach.bottom
            ));
        }
        let (least, what) = if t.key { (reach.key_min, "key") } else { (reach.target_min, "target") };
        if t.width < least - 0.5 || t.height < least - 0.5 {
            problems
                .push(format!("the {what} {:?} is {:.0}×{:.0} px, under {:.0} px", t.label, t.width, t.height, least));
        }
    }
    problems
}

/// Every customer screen of the screenshots at `width` x `height`, in both languages: every button, tile,
/// list entry, checkbox and scrolling list within the reach band of the standard panel at the default height;
/// every target at least 15 mm, every key 19 mm. A failure names the scene and the target's label.
fn every_customer_screen_within_reach_on(width: f32, height: f32) {
    let reach = Reach::of(&DisplaySettings::default(), width, height);
    let mut found = Vec::new();
    let mut counted = 0;
    for language in [Language::Es, Language::En] {
        for scene in scenes() {
            let ui = window_of(width, height);
            let rig = Rig::new(&ui);
            rig.ui(Action::SetLanguage(language));
            (scene.drive)(&rig);
            counted += targets(&ui).len();
            for problem in problems(&ui, &reach) {
                found.push(format!("{width}x{height} {language:?} {}: {problem}", scene.name));
            }
        }
    }
    assert!(counted > 500, "the scenes show touch targets ({counted})");
    assert!(found.is_empty(), "{} problems:\n{}", found.len(), found.join("\n"));
}

/// The portrait panel: the touch targets below 1,220 mm (the top fifth of the window is read, not touched).
#[test]
fn every_touch_target_of_every_customer_screen_is_within_reach_on_the_portrait_panel() {
    every_customer_screen_within_reach_on(1080.0, 1920.0);
}

/// The landscape panel lies within reach as a whole: its targets and keys must still be large enough.
#[test]
fn every_touch_target_of_every_customer_screen_is_large_enough_on_the_landscape_panel() {
    every_customer_screen_within_reach_on(1280.0, 1024.0);
}

/// The same check is not true of any layout: against the band of a portrait panel mounted 250 mm higher
/// (its bottom at 1,100 mm), the clave keypad and the menu's tiles at the top of their zone are out of reach,
/// and the keys of the landscape layout would be too small on a panel with fewer pixels per mm.
#[test]
fn the_reach_check_fails_a_layout_made_for_another_mounting() {
    let ui = window_of(1080.0, 1920.0);
    let rig = Rig::new(&ui);
    rig.swipe();
    rig.show_dni();
    let high = DisplaySettings { bottom_above_floor_mm: 1_100, ..DisplaySettings::default() };
    let reach = Reach::of(&high, 1080.0, 1920.0);
    let found = problems(&ui, &reach);
    assert!(found.iter().any(|p| p.contains("out of reach")), "{found:#?}");
    assert!(problems(&ui, &Reach::of(&DisplaySettings::default(), 1080.0, 1920.0)).is_empty());
    // The landscape layout's 72 px keys on a 15-inch panel (300 x 240 mm) at the same pixels: 19 mm is 81 px.
    let landscape = window_of(1280.0, 1024.0);
    let rig = Rig::new(&landscape);
    rig.swipe();
    rig.show_dni();
    let wide = DisplaySettings { width_mm: 300, height_mm: 240, ..DisplaySettings::default() };
    let found = problems(&landscape, &Reach::of(&wide, 1280.0, 1024.0));
    assert!(found.iter().any(|p| p.contains("the key")), "{found:#?}");
}
