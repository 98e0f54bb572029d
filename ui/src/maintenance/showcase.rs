//! The maintenance screens for `servicaja screenshots`: a backend with believable figures (a card reader
//! that needed a technician, a roll two-thirds used, an expired payment in the queue, a certificate due for
//! renewal) and the scenes, each driven from a fresh desk through the `Maintenance` global's callbacks as
//! touches would.

use std::cell::Cell;
use std::rc::Rc;

use chrono::{DateTime, TimeDelta, Utc};
use servicaja_core::settings::{MaintenanceSettings, MaintenanceUser, Role};
use servicaja_maintenance::{CertStatus, JournalEntry, PaperCounter, PinVerifier};
use servicaja_session::SwitchOffReason;
use slint::ComponentHandle;

use servicaja_host::policy::CommandKind;

use super::backend::{
    CertReport, DeviceError, DeviceReport, HostReport, KioskReport, MaintenanceBackend, PaperReport, ProblemState,
    QueueProblem, QueueReport, SendFailure,
};
use super::{Desk, SharedDesk};
use crate::controller::SharedController;
use crate::{KioskWindow, Maintenance, MaintenanceAction, MaintenanceLoginField, MaintenanceTab};

pub const TECHNICIAN: &str = "1001";
pub const STAFF: &str = "2001";
const PIN: &str = "100100";

struct ShowcaseVerifier;

impl PinVerifier for ShowcaseVerifier {
    fn verify(&self, user: &MaintenanceUser, pin: &str) -> bool {
        user.pin_hash == format!("showcase:{pin}")
    }
    fn verify_unknown(&self, _: &str) {}
}

/// Fixed figures relative to `now`.
pub struct ShowcaseBackend {
    now: DateTime<Utc>,
}

impl MaintenanceBackend for ShowcaseBackend {
    fn devices(&mut self) -> Vec<DeviceReport> {
        let device = DeviceReport::plain;
        vec![
            DeviceReport { paper: Some("low".into()), ..device("printer", "online") },
            DeviceReport {
                errors: vec![DeviceError {
                    at: self.now - TimeDelta::minutes(42),
                    state: "noDevice".into(),
                    action: Some("maintenance".into()),
                    detail: "/dev/ttyUSB1: os error 2".into(),
                }],
                ..device("card-reader", "online")
            },
            DeviceReport {
                action: Some("maintenance".into()),
                detail: "/dev/ttyUSB2: timeout".into(),
                ..device("document-reader", "offline")
            },
        ]
    }
    fn print_test_page(&mut self, _: &str, _: DateTime<Utc>) -> Result<(), String> {
        Ok(())
    }
    fn test_page_outcome(&mut self) -> Option<Result<(), String>> {
        None
    }
    fn paper(&mut self) -> PaperReport {
        let counter =
            PaperCounter { receipts: 312, printed_mm: 52_400, roll_replaced_at: Some(self.now - TimeDelta::days(6)) };
        PaperReport {
            estimate: counter.estimate(80_000),
            roll_length_mm: 80_000,
            roll_replaced_at: counter.roll_replaced_at,
        }
    }
    fn roll_replaced(&mut self, _: DateTime<Utc>) -> Result<(), String> {
        Ok(())
    }
    fn queue(&mut self) -> Result<QueueReport, String> {
        let counts =
            [("pending", 1), ("in_flight", 0), ("done", 148), ("rejected", 2), ("expired", 1), ("cancelled", 2)];
        Ok(QueueReport {
            counts: counts.iter().map(|(state, n)| ((*state).to_owned(), *n)).collect(),
            oldest_pending: Some(self.now - TimeDelta::minutes(7)),
            problems: vec![
                QueueProblem {
                    id: 412,
                    kind: Some(CommandKind::Payment),
                    state: ProblemState::Expired,
                    created_at: self.now - TimeDelta::hours(26),
                    failure: Some(SendFailure::Network),
                    code: "network".into(),
                },
                QueueProblem {
                    id: 415,
                    kind: Some(CommandKind::Request),
                    state: ProblemState::Rejected,
                    created_at: self.now - TimeDelta::hours(3),
                    failure: None,
                    code: "HTTP 422 · duplicate_request".into(),
                },
                QueueProblem {
                    id: 418,
                    kind: Some(CommandKind::Affiliation),
                    state: ProblemState::Declined,
                    created_at: self.now - TimeDelta::minutes(40),
                    failure: None,
                    code: "HTTP 422 · otp_invalid".into(),
                },
            ],
        })
    }
    fn retry(&mut self, _: i64) -> Result<(), super::backend::CommandError> {
        Ok(())
    }
    fn cancel(&mut self, _: i64, _: &str) -> Result<(), super::backend::CommandError> {
        Ok(())
    }
    fn host(&mut self, now: DateTime<Utc>, _: bool) -> HostReport {
        HostReport {
            base_url: "https://api.cajatacna.pe".into(),
            reachable: Some(true),
            round_trip_ms: Some(84),
            checked_at: Some(now),
            server_cert: Some(CertReport::Read {
                not_after: now + TimeDelta::days(412),
                status: CertStatus::Ok { days_left: 412 },
            }),
            ca_cert: Some(CertReport::Read {
                not_after: now + TimeDelta::days(3650),
                status: CertStatus::Ok { days_left: 3650 },
            }),
            kiosk_cert: Some(CertReport::Read {
                not_after: now + TimeDelta::days(21),
                status: CertStatus::Warn { days_left: 21 },
            }),
        }
    }
    fn kiosk(&mut self) -> KioskReport {
        let settings = [
            ("kiosk.id", "KSK-TAC-001"),
            ("kiosk.agency", "001 Agencia Principal Tacna"),
            ("host.base_url", "https://api.cajatacna.pe"),
            ("host.client_key", "@hidden"),
            ("printer.port", "/dev/ttyUSB0"),
            ("maintenance.technicians", "1"),
            ("maintenance.staff", "1"),
            ("maintenance.users[].pin_hash", "@hidden"),
        ];
        KioskReport {
            version: env!("CARGO_PKG_VERSION").into(),
            started_at: Some(self.now - TimeDelta::hours(50) - TimeDelta::minutes(12)),
            settings: settings.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        }
    }
    fn service_switched(&mut self, _: Option<&SwitchOffReason>, _: &str, _: DateTime<Utc>) -> Result<(), String> {
        Ok(())
    }
    fn export(&mut self, _: DateTime<Utc>) -> Result<String, String> {
        Ok("/media/usb/KSK-TAC-001-20261120-100000".into())
    }
    fn journal(&mut self, _: Vec<JournalEntry>) {}
}

/// A desk on the showcase backend, bound to `ui` and `controller`, on the clock `now`.
pub fn desk(ui: &KioskWindow, controller: &SharedController, now: Rc<Cell<DateTime<Utc>>>) -> SharedDesk {
    let user =
        |id: &str, role| MaintenanceUser { id: id.into(), name: id.into(), role, pin_hash: format!("showcase:{PIN}") };
    let settings = MaintenanceSettings {
        users: vec![user(TECHNICIAN, Role::Technician), user(STAFF, Role::Staff)],
        ..MaintenanceSettings::default()
    };
    let backend = ShowcaseBackend { now: now.get() };
    Desk::attach(ui, controller, Box::new(backend), Box::new(ShowcaseVerifier), &settings, Rc::new(move || now.get()))
}

/// Touches on the maintenance screens, through the global's callbacks.
pub struct Stage<'a> {
    pub ui: &'a KioskWindow,
    pub desk: &'a SharedDesk,
    pub now: &'a Rc<Cell<DateTime<Utc>>>,
}

impl Stage<'_> {
    fn m(&self) -> Maintenance<'_> {
        self.ui.global::<Maintenance>()
    }

    pub fn gesture(&self) {
        let size = self.ui.window().size().to_logical(self.ui.window().scale_factor());
        for _ in 0..5 {
            self.m().invoke_pointer_down(10.0, 10.0, size.width, size.height);
        }
    }

    pub fn keys(&self, digits: &str) {
        for digit in digits.chars() {
            self.m().invoke_key(digit.to_string().into());
        }
    }

    pub fn sign_in(&self, id: &str) {
        self.gesture();
        self.keys(id);
        self.m().invoke_field(MaintenanceLoginField::Pin);
        self.keys(PIN);
        self.m().invoke_submit();
    }

    pub fn act(&self, action: MaintenanceAction) {
        self.m().invoke_act(action);
    }

    pub fn show(&self, tab: MaintenanceTab) {
        self.m().invoke_show(tab);
    }

    pub fn wait(&self, by: TimeDelta) {
        self.now.set(self.now.get() + by);
        self.desk.borrow_mut().tick();
    }
}

/// A maintenance scene: a name and the touches that lead there from a fresh desk.
pub type Scene = (&'static str, fn(&Stage<'_>));

/// Every maintenance scene.
pub fn scenes() -> Vec<Scene> {
    vec![
        ("maintenance-login", |s| {
            s.gesture();
            s.keys(TECHNICIAN);
            s.m().invoke_field(MaintenanceLoginField::Pin);
            s.keys("12");
        }),
        ("maintenance-locked", |s| {
            s.gesture();
            s.keys(TECHNICIAN);
            for _ in 0..3 {
                s.m().invoke_field(MaintenanceLoginField::Pin);
                s.keys("999999");
                s.m().invoke_submit();
            }
        }),
        ("maintenance-devices", |s| {
            s.sign_in(TECHNICIAN);
            s.act(MaintenanceAction::TestCard);
        }),
        ("maintenance-paper", |s| {
            s.sign_in(TECHNICIAN);
            s.show(MaintenanceTab::Paper);
        }),
        ("maintenance-queue", |s| {
            s.sign_in(TECHNICIAN);
            s.show(MaintenanceTab::Queue);
            s.m().invoke_retry(412);
        }),
        ("maintenance-cancel-reason", |s| {
            s.sign_in(TECHNICIAN);
            s.show(MaintenanceTab::Queue);
            s.m().invoke_cancel(415);
            s.m().invoke_reason("Operación duplicada".into());
        }),
        ("maintenance-host", |s| {
            s.sign_in(TECHNICIAN);
            s.show(MaintenanceTab::Host);
        }),
        ("maintenance-kiosk", |s| {
            s.sign_in(TECHNICIAN);
            s.show(MaintenanceTab::Kiosk);
            s.act(MaintenanceAction::ChooseOff);
        }),
        ("maintenance-reauth", |s| {
            s.sign_in(TECHNICIAN);
            s.wait(TimeDelta::minutes(15));
        }),
        ("maintenance-staff", |s| s.sign_in(STAFF)),
    ]
}
