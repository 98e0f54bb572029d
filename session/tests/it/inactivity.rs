//! Inactivity: the countdown, "¿Necesita más tiempo?", the end with everything wiped; typing counts as
//! activity; language switching anywhere.

use servicaja_core::settings::Language;
use servicaja_session::state::Screen;
use servicaja_session::{Action, Effect, EndReason, Event, Key, MenuItem, Timer};

use crate::harness::*;

#[test]
fn idle_shows_the_countdown_and_more_time_dismisses_it() {
    let mut k = Kiosk::new();
    k.login();
    let idle_at = k.timers[&Timer::Idle];
    assert_eq!(idle_at, k.now + chrono::Duration::seconds(45));
    k.fire(Timer::Idle);
    assert_eq!(k.session.countdown_until(), Some(idle_at + chrono::Duration::seconds(20)));
    assert_eq!(k.session.countdown_seconds_left(k.now), Some(20));
    assert!(k.effects.contains(&Effect::Render));
    k.advance(5);
    k.ui(Action::MoreTime);
    assert_eq!(k.session.countdown_until(), None);
    assert!(k.effects.contains(&Effect::CancelTimer(Timer::Countdown)));
    assert_eq!(k.timers[&Timer::Idle], k.now + chrono::Duration::seconds(45));
    assert_eq!(k.screen(), &Screen::Menu);
}

#[test]
fn the_countdown_running_out_ends_the_session_and_wipes_it() {
    let mut k = Kiosk::new();
    k.login();
    k.ui(Action::SetLanguage(Language::En));
    k.ui(Action::Menu(MenuItem::PayLoans));
    k.answer(servicaja_session::Reply::Loans(vec![]));
    assert!(k.session.holds_secrets());
    k.fire(Timer::Idle);
    k.fire(Timer::Countdown);
    assert_eq!(k.screen(), &Screen::Attract);
    assert!(k.effects.contains(&Effect::SessionEnded { reason: EndReason::Inactivity }));
    assert!(!k.session.holds_secrets());
    assert_eq!(k.session.customer(), None);
    assert_eq!(k.session.language(), Language::Es, "the next customer starts in the default language");
    assert!(k.timers.is_empty(), "every timer cancelled: {:?}", k.timers);
}

#[test]
fn typing_counts_as_activity_and_stale_timers_are_ignored() {
    let mut k = Kiosk::new();
    k.swipe();
    k.show_dni();
    let first = k.timers[&Timer::Idle];
    k.advance(40);
    k.ui(Action::Key(Key::Digit(4)));
    assert_eq!(k.timers[&Timer::Idle], k.now + chrono::Duration::seconds(45));
    // A shell that fires the old deadline late changes nothing.
    k.now = first;
    let effects = k.send(Event::TimerFired(Timer::Idle)).to_vec();
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(k.session.countdown_until(), None);
}

#[test]
fn idle_on_the_attract_screen_does_nothing_and_language_switches_anywhere() {
    let mut k = Kiosk::new();
    let effects = k.send(Event::TimerFired(Timer::Idle)).to_vec();
    assert!(effects.is_empty());
    k.ui(Action::SetLanguage(Language::En));
    assert_eq!((k.session.language(), k.screen()), (Language::En, &Screen::Attract));
    k.login();
    k.ui(Action::Menu(MenuItem::Requests));
    let before = k.screen().clone();
    k.ui(Action::SetLanguage(Language::Es));
    assert_eq!(k.screen(), &before, "switching language keeps the screen");
    assert_eq!(k.session.language(), Language::Es);
    k.ui(Action::SetHighContrast(true));
    k.ui(Action::SetLargeText(true));
    assert_eq!(k.screen(), &before);
    assert!(k.effects.contains(&Effect::Render));
    assert_eq!(k.session.accessibility(), servicaja_session::Accessibility { high_contrast: true, large_text: true });
    k.ui(Action::Terminate);
    assert_eq!(k.session.accessibility(), servicaja_session::Accessibility::default(), "reset for the next customer");
}

#[test]
fn the_end_of_the_calendar_does_not_panic() {
    let mut k = Kiosk::new();
    k.now = chrono::DateTime::<chrono::Utc>::MAX_UTC;
    k.login();
    k.fire(Timer::Idle);
    k.fire(Timer::Countdown);
    assert_eq!(k.screen(), &Screen::Attract);
    k.now = chrono::DateTime::<chrono::Utc>::MIN_UTC;
    k.login();
    k.ui(Action::Terminate);
    assert!(!k.session.holds_secrets());
}

#[test]
fn a_touch_or_scroll_counts_as_activity_without_changing_the_screen() {
    let mut k = Kiosk::new();
    k.login();
    k.ui(Action::Menu(MenuItem::Balances));
    k.answer(servicaja_session::Reply::Accounts(accounts()));
    let reading = k.screen().clone();
    assert!(matches!(reading, Screen::Balances(_)), "{reading:?}");
    k.advance(40);
    let effects = k.send(Event::Activity).to_vec();
    assert_eq!(k.timers[&Timer::Idle], k.now + chrono::Duration::seconds(45), "the idle time starts again");
    assert!(!effects.contains(&Effect::Render), "nothing to redraw: {effects:?}");
    assert_eq!(k.screen(), &reading);

    k.fire(Timer::Idle);
    assert!(k.session.countdown_until().is_some());
    let effects = k.send(Event::Activity).to_vec();
    assert_eq!(k.session.countdown_until(), None, "a touch answers \"¿Necesita más tiempo?\"");
    assert!(effects.contains(&Effect::CancelTimer(Timer::Countdown)));
    assert!(effects.contains(&Effect::Render), "the countdown disappears");
    assert_eq!(k.screen(), &reading);
}

#[test]
fn a_touch_on_the_attract_screen_arms_nothing() {
    let mut k = Kiosk::new();
    let effects = k.send(Event::Activity).to_vec();
    assert!(effects.is_empty(), "{effects:?}");
    assert!(k.timers.is_empty());
    assert_eq!(k.screen(), &Screen::Attract);
}
