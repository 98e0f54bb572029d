//! Integration tests of the maintenance core through its public API: a whole technician visit and a staff
//! reprint decision, and the state machine fed arbitrary input sequences.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use servicaja_core::settings::{MaintenanceSettings, MaintenanceUser, Role};
use servicaja_maintenance::{
    Access, AccessPolicy, AccessState, Action, GestureDetector, LoginOutcome, OriginalReceipt, PinVerifier, Requester,
    decide_reprint,
};

struct PinIs(&'static str);
impl PinVerifier for PinIs {
    fn verify(&self, _: &MaintenanceUser, pin: &str) -> bool {
        pin == self.0
    }
    fn verify_unknown(&self, _: &str) {}
}

fn t(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(1_780_000_000_000 + ms).single().unwrap()
}

fn settings() -> MaintenanceSettings {
    let user =
        |id: &str, role| MaintenanceUser { id: id.into(), name: id.into(), role, pin_hash: "$argon2id$x".into() };
    MaintenanceSettings { users: vec![user("T01", Role::Technician), user("S01", Role::Staff)], ..Default::default() }
}

#[test]
fn a_technician_visit_from_gesture_to_exit_while_a_customer_finishes() {
    let settings = settings();
    let mut gesture = GestureDetector::new(&settings);
    let mut access = Access::new(AccessPolicy::from_settings(&settings));
    let taps: Vec<bool> = (0..5).map(|i| gesture.tap(t(i * 400), true)).collect();
    assert_eq!(taps, [false, false, false, false, true]);
    access.request_entry(t(1_600), true);
    assert!(access.out_of_service());
    access.customer_session_ended(t(40_000));
    assert!(matches!(access.submit("T01", "654321", t(45_000), &PinIs("654321")), LoginOutcome::Granted { .. }));
    assert!(access.authorize(Action::ReplacePaperRoll, "", t(50_000)).is_ok());
    assert!(access.authorize(Action::Reprint, "", t(51_000)).is_err());
    access.exit(t(60_000));
    let journal = access.drain_journal();
    let codes: Vec<&str> = journal.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(codes, ["enter_pending", "enter_requested", "login", "replace_paper_roll", "action_denied", "exit"]);
    assert!(journal[2..].iter().all(|e| e.user == "T01"));
    assert!(journal.iter().all(|e| !e.detail.contains("654321")), "no PIN in the journal");
}

#[test]
fn a_signed_in_staff_member_reprints_with_the_next_count() {
    let settings = settings();
    let mut access = Access::new(AccessPolicy::from_settings(&settings));
    access.request_entry(t(0), false);
    access.submit("S01", "111111", t(1), &PinIs("111111"));
    let who = access.authorize(Action::Reprint, "operation 000777", t(2)).unwrap();
    let original = OriginalReceipt { seq: 3, operation: "000777".into(), issued_at: t(-86_400_000) };
    let decision = decide_reprint(&Requester::Staff { id: who.user }, &original, 0, t(2)).unwrap();
    assert_eq!((decision.reprint_count, decision.staff_id.as_str()), (1, "S01"));
}

#[derive(Debug, Clone)]
enum Input {
    Request(bool),
    Ended,
    Submit(u8, bool),
    Tick,
    Touch,
    Authorize(usize),
    Exit,
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        any::<bool>().prop_map(Input::Request),
        Just(Input::Ended),
        (0u8..3, any::<bool>()).prop_map(|(user, right)| Input::Submit(user, right)),
        Just(Input::Tick),
        Just(Input::Touch),
        (0usize..Action::ALL.len()).prop_map(Input::Authorize),
        Just(Input::Exit),
    ]
}

proptest! {
    #[test]
    fn the_state_machine_never_panics_and_keeps_its_invariants(
        steps in prop::collection::vec((input(), -60_000i64..3_600_000), 1..60)
    ) {
        let mut access = Access::new(AccessPolicy::from_settings(&settings()));
        let mut now = t(0);
        for (input, delta) in steps {
            now += TimeDelta::milliseconds(delta);
            match input {
                Input::Request(busy) => { access.request_entry(now, busy); }
                Input::Ended => { access.customer_session_ended(now); }
                Input::Submit(user, right) => {
                    let id = ["T01", "S01", "X99"][usize::from(user)];
                    access.submit(id, if right { "123456" } else { "000000" }, now, &PinIs("123456"));
                }
                Input::Tick => { access.tick(now); }
                Input::Touch => access.touch(now),
                Input::Authorize(i) => {
                    if let Ok(who) = access.authorize(Action::ALL[i], "", now) {
                        prop_assert!(servicaja_maintenance::permits(who.role, Action::ALL[i]));
                    }
                }
                Input::Exit => access.exit(now),
            }
            prop_assert_eq!(access.out_of_service(), access.state() != &AccessState::Closed);
        }
    }
}
