//! Fleet operation end to end, over mutual TLS on loopback: the kiosk's status reports arrive at the
//! central simulator and are stored; a failing device is reported at once; the central's commands ride the
//! replies and are carried out only once no customer is being served (out of service, back in service, a
//! journal upload, a day's logs), journaled with their id and issuer and acknowledged in the next report;
//! an unknown command is refused; a journal cut short after its head was reported is flagged by the central.
//! Every round runs at a time the test gives (`FleetAgent::tick`): no test waits for a report interval.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use servicaja_core::api::{CommandOutcome, FleetKiosk, FleetKioskDetail, PaperSensor, ReportTrigger, paths};
use servicaja_drivers::status::DeviceState;
use servicaja_host::JournalEvent;
use servicaja_host::client::Method;
use servicaja_runtime::RuntimeOptions;
use servicaja_session::state::Screen;
use servicaja_session::{Action, SwitchOffReason};
use uuid::Uuid;

use crate::stack::{PATIENCE, Stack};
use crate::world::World;

fn t0() -> DateTime<Utc> {
    "2026-12-06T15:00:00Z".parse().unwrap()
}

fn at(seconds: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(seconds)
}

async fn fleet_world() -> World {
    World::start_with_central(Default::default(), |central| central.mtls = true).await
}

async fn kiosk(stack: &Stack) -> FleetKioskDetail {
    let path = paths::fill(paths::FLEET_KIOSK, "kiosk_id", &stack.settings.kiosk.id);
    stack.client().get(&path, None).await.unwrap()
}

/// Queues a command at the central as its operations staff would; answers its id.
async fn queue(stack: &Stack, action: Value) -> String {
    let path = paths::fill(paths::FLEET_KIOSK_COMMANDS, "kiosk_id", &stack.settings.kiosk.id);
    let body = json!({"issued_by": "ops-7", "action": action});
    let command: Value =
        stack.client().send_json(Method::POST, &path, Some(Uuid::now_v7()), None, Some(&body)).await.unwrap();
    command["command_id"].as_str().unwrap().to_owned()
}

/// Waits for the real devices to report what `ready` expects (never an assertion on speed).
async fn wait_devices(stack: &Stack, what: &str, ready: impl Fn(&Stack) -> bool) {
    let deadline = std::time::Instant::now() + PATIENCE;
    while !ready(stack) {
        assert!(std::time::Instant::now() < deadline, "still waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn all_online(stack: &Stack) -> bool {
    let devices = &stack.services.devices;
    [devices.printer.status(), devices.card_reader.status(), devices.document_reader.status()]
        .iter()
        .all(|status| status.device == DeviceState::Online)
}

fn fleet_records(stack: &Stack) -> Vec<(String, String, String, String)> {
    stack
        .journal()
        .into_iter()
        .filter_map(|record| match record.event {
            JournalEvent::FleetCommand { command_id, issued_by, action, outcome, .. } => {
                Some((command_id, issued_by, action, outcome))
            }
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_arrive_and_are_stored_and_a_failing_device_is_reported_at_once() {
    let world = fleet_world().await;
    wait_devices(&world, "the devices to come online", all_online).await;
    let fleet = &world.services.fleet;
    assert_eq!(fleet.tick(at(0)).await.reports, vec![(ReportTrigger::Start, true)]);
    assert!(fleet.tick(at(30)).await.reports.is_empty(), "nothing changed, no interval passed");

    let list: Vec<FleetKiosk> = world.client().get(paths::FLEET_KIOSKS, None).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].kiosk_id.as_str(), list[0].agency.as_str(), list[0].in_service), ("KSK-TAC-001", "001", true));
    let report = kiosk(&world).await.last_report;
    let devices: Vec<_> = report.devices.iter().map(|d| (d.device.as_str(), d.state.as_str())).collect();
    assert_eq!(devices, [("printer", "online"), ("card-reader", "online"), ("document-reader", "online")]);
    assert_eq!(report.paper.state, PaperSensor::Full);
    assert!(report.journal_head.seq >= 0 && report.journal_head.hash.len() == 64, "{:?}", report.journal_head);
    let roles: Vec<_> = report.certificates.iter().map(|c| (c.role, c.days_left.is_some())).collect();
    assert_eq!(roles.len(), 3);
    assert!(roles.iter().all(|(_, read)| *read), "every certificate read: {roles:?}");

    world.control().set_cutter_jammed(true);
    wait_devices(&world, "the printer to report the jam", |s| {
        s.services.devices.printer.status().device != DeviceState::Online
    })
    .await;
    assert_eq!(fleet.tick(at(31)).await.reports, vec![(ReportTrigger::Change, true)], "at once, not at 60 s");
    let report = kiosk(&world).await.last_report;
    let printer = &report.devices[0];
    assert_ne!(printer.state, "online");
    let error = printer.last_error.as_ref().expect("the printer's last error");
    assert_eq!(error.at, at(31));
    assert_eq!(fleet.tick(at(91)).await.reports, vec![(ReportTrigger::Periodic, true)]);
    let history: Vec<Value> =
        world.client().get(&paths::fill(paths::FLEET_KIOSK_REPORTS, "kiosk_id", "KSK-TAC-001"), None).await.unwrap();
    let triggers: Vec<&str> = history.iter().map(|r| r["report"]["trigger"].as_str().unwrap()).collect();
    assert_eq!(triggers, ["periodic", "change", "start"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_service_waits_for_the_customer_then_acts_is_acknowledged_and_journaled_and_back_in_service() {
    let mut world = fleet_world().await;
    wait_devices(&world, "the devices to come online", all_online).await;
    let fleet = world.services.fleet.clone();
    fleet.tick(at(0)).await;
    world.log_in().await;
    let off = queue(&world, json!({"type": "go_out_of_service", "reason": "Arqueo de caja"})).await;

    let round = fleet.tick(at(60)).await;
    assert_eq!(round.reports, vec![(ReportTrigger::Periodic, true)], "the command rides the periodic report's reply");
    assert_eq!((round.commands.len(), round.waiting), (0, 1), "a customer is being served: the command waits");
    assert_eq!(world.session.health().switched_off, None);
    assert!(fleet_records(&world).is_empty());
    let detail = kiosk(&world).await;
    assert_eq!(detail.commands[0].ack, None);
    assert_eq!(detail.last_report.activity.sessions, 1, "the customer's session since the last report");

    world.ui(Action::Terminate);
    assert_eq!(world.screen(), &Screen::Attract);
    let round = fleet.tick(at(61)).await;
    assert_eq!(round.commands, vec![(off.clone(), CommandOutcome::Done)]);
    assert_eq!(round.reports, vec![(ReportTrigger::Acknowledgement, true)], "acknowledged at once");
    let reason = SwitchOffReason::Other("Arqueo de caja".into());
    world.until("the session to be switched off", |s| s.health().switched_off == Some(reason.clone())).await;
    assert!(matches!(world.screen(), Screen::OutOfService { .. }), "{:?}", world.screen());
    assert_eq!(servicaja_runtime::service_switch::load(&world.kiosk_dir()), Some(reason), "kept across a restart");

    let detail = kiosk(&world).await;
    let ack = detail.commands[0].ack.as_ref().expect("acknowledged");
    assert_eq!((ack.command_id.as_str(), ack.outcome, ack.at), (off.as_str(), CommandOutcome::Done, at(61)));
    let service = &detail.last_report.service;
    assert_eq!((service.in_service, service.reason.as_deref()), (false, Some("remote")));
    assert_eq!(service.note.as_deref(), Some("Arqueo de caja"));
    assert_eq!(
        fleet_records(&world),
        vec![(off.clone(), "ops-7".into(), "go_out_of_service".into(), "done".into())],
        "journaled with its id and issuer"
    );

    let on = queue(&world, json!({"type": "go_in_service"})).await;
    let round = fleet.tick(at(121)).await;
    assert_eq!(round.commands, vec![(on.clone(), CommandOutcome::Done)], "nobody is served: at once");
    assert_eq!(round.reports, vec![(ReportTrigger::Periodic, true), (ReportTrigger::Acknowledgement, true)]);
    world.until("the session to be back in service", |s| s.health().switched_off.is_none()).await;
    assert_eq!(world.screen(), &Screen::Attract);
    let detail = kiosk(&world).await;
    assert!(detail.last_report.service.in_service);
    assert_eq!(detail.commands[0].ack.as_ref().map(|a| a.outcome), Some(CommandOutcome::Done));
    assert_eq!(fleet_records(&world).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_upload_and_a_days_logs_reach_the_central_and_an_unknown_command_is_refused() {
    let world = fleet_world().await;
    let fleet = &world.services.fleet;
    world.runtime().journal_maintenance(
        (0..5).map(|n| servicaja_maintenance::JournalEntry::new(at(n), "1001", "login", "technician")).collect(),
    );
    fleet.tick(at(0)).await;
    let head = kiosk(&world).await.last_report.journal_head;
    assert!(head.seq >= 5, "{head:?}");
    let upload = queue(&world, json!({"type": "upload_journal", "from_seq": 1, "to_seq": head.seq})).await;
    let odd = queue(&world, json!({"type": "reboot_the_world", "when": "now"})).await;
    let logs_dir = world.kiosk_dir().join("logs");
    std::fs::create_dir_all(&logs_dir).unwrap();
    std::fs::write(logs_dir.join("servicaja.2026-12-05.log"), "INFO started\nWARN paper low\n").unwrap();
    let logs = queue(&world, json!({"type": "send_logs", "day": "2026-12-05"})).await;
    let missing = queue(&world, json!({"type": "send_logs", "day": "2020-01-01"})).await;

    let round = fleet.tick(at(60)).await;
    assert_eq!(
        round.commands,
        vec![
            (upload.clone(), CommandOutcome::Done),
            (logs.clone(), CommandOutcome::Done),
            (missing.clone(), CommandOutcome::Failed)
        ]
    );
    let detail = kiosk(&world).await;
    assert_eq!(detail.journal_records, u64::try_from(head.seq).unwrap());
    assert_eq!(detail.log_days, vec!["2026-12-05".parse().unwrap()]);
    let outcome = |id: &str| {
        detail.commands.iter().find(|c| c.command.command_id == id).and_then(|c| c.ack.clone()).expect("acknowledged")
    };
    assert_eq!(outcome(&odd).outcome, CommandOutcome::Refused, "never a crash");
    assert!(outcome(&odd).detail.contains("unknown"), "{:?}", outcome(&odd));
    assert!(outcome(&upload).detail.contains("chain intact at the central: true"), "{:?}", outcome(&upload));
    assert!(outcome(&missing).detail.contains("no log of 2020-01-01"), "{:?}", outcome(&missing));
    let records = fleet_records(&world);
    assert!(records.contains(&(odd, "ops-7".into(), "unknown".into(), "refused".into())), "{records:?}");
    assert_eq!(records.len(), 4);
    // What the central holds is the kiosk's own chain.
    let kiosk_journal = world.journal();
    let dir = world.dir.path().join("central");
    let conn = servicaja_central::fleet::open_store(&dir).unwrap();
    let stored = servicaja_central::fleet::journal_records(&conn, "KSK-TAC-001", 1, head.seq).unwrap();
    assert_eq!(stored.len(), kiosk_journal.iter().filter(|r| r.seq <= head.seq).count());
    assert!(
        stored.iter().zip(&kiosk_journal).all(|((seq, hash, _), record)| *seq == record.seq && *hash == record.hash)
    );
    let log = servicaja_central::fleet::log_of(&conn, "KSK-TAC-001", "2026-12-05".parse().unwrap()).unwrap();
    assert_eq!(log.as_deref(), Some("INFO started\nWARN paper low\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_journal_cut_short_after_its_head_was_reported_is_flagged_by_the_central() {
    let options = RuntimeOptions { fleet_every: None, ..RuntimeOptions::default() };
    let stack = Stack::start_with_central(Default::default(), options.clone(), |c| c.mtls = true).await;
    stack.runtime().journal_maintenance(
        (0..6).map(|n| servicaja_maintenance::JournalEntry::new(at(n), "1001", "login", "technician")).collect(),
    );
    stack.services.fleet.tick(at(0)).await;
    let reported = kiosk(&stack).await.kiosk.journal_head.seq;
    assert!(reported >= 6);

    // The kiosk stops; its last records are deleted and a technician accepts the loss (reseal): the kiosk
    // starts again on a shorter journal.
    let Stack { services, emulators, central, settings, dir } = stack;
    drop(services);
    let journal = std::path::Path::new(&settings.kiosk.data_dir).join(servicaja_host::journal::JOURNAL_FILE);
    let conn = rusqlite::Connection::open(&journal).unwrap();
    conn.execute_batch("DROP TRIGGER journal_no_delete; DELETE FROM journal WHERE seq >= 3;").unwrap();
    drop(conn);
    let resealed = servicaja_host::Journal::reseal(&journal, at(100), "tec01").unwrap();
    assert!(resealed.head.seq < reported);
    let services =
        servicaja_runtime::KioskServices::start(&settings, &settings.host, Some(&emulators.paths()), options)
            .await
            .unwrap();
    let stack = Stack { services, emulators, central, settings, dir };

    stack.services.fleet.tick(at(120)).await;
    let detail = kiosk(&stack).await;
    let alert = detail.kiosk.head_alert.expect("the central flags the kiosk");
    assert!(alert.detail.contains("backwards"), "{alert:?}");
    assert_eq!(detail.kiosk.journal_head.seq, reported, "the highest head reported is kept");
    let list: Vec<FleetKiosk> = stack.client().get(paths::FLEET_KIOSKS, None).await.unwrap();
    assert!(list[0].head_alert.is_some(), "visible in the list");
}
