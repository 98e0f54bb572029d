//! The outbox against the real central simulator over mutual TLS on loopback: a SIGKILL crash test,
//! drop-after-commit, a reversal racing ahead of its payment, and a central down then back.
//!
//! The oracle is the simulator's own SQLite file: which payments it applied or reversed, and the debit
//! movements it posted for each operation id.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use servicaja_central::{CentralConfig, Fault, RunningCentral};
use servicaja_core::api::{OpenSessionRequest, paths};
use servicaja_host::client::{HostClient, TlsFiles};
use servicaja_host::journal::{Journal, JournalEvent, MaskedCard, Outcome, SafeText};
use servicaja_host::outbox::{InteractiveOutcome, NO_CHARGE_MESSAGE, Outbox, OutboxOptions};
use servicaja_host::policy::{CommandKind, PolicySettings, State};
use servicaja_host::store::SessionToken;
use servicaja_host::store::{OutboxError, OutboxStore, StoredCommand};
use servicaja_host::wire;
use servicaja_session::{Command, Credentials};

const ACCOUNT: &str = "A-T0001";
const OPENING_BALANCE: f64 = 1_000_000.0;
const LOANS: usize = 100;

/// The simulator's fixtures plus a test customer with a large account and many identical loans, each
/// with one installment due: payment `i` pays the due installment of loan `i`, so that every payment is a
/// valid, distinct operation.
fn fixtures() -> String {
    let mut toml = servicaja_central::DEFAULT_FIXTURES.to_string();
    toml.push_str(
        r#"
[[customers]]
id = "CT01"
name = "PRUEBA"
dni = "12345678"
card = "4214100000000069"
clave = "654321"
phone = "951000111"
email = "prueba@example.pe"
birth_date = "1985-05-05"
employer_since = "2015-01-01"

[[customers.accounts]]
id = "A-T0001"
number = "00990001"
product_name = "CTA.AHORRO PN SOLES"
currency = "PEN"
balance = "1000000.00"
status = "active"
signature = "individual"
"#,
    );
    for i in 0..LOANS {
        toml.push_str(&format!(
            "\n[[customers.loans]]\nid = \"{}\"\nnumber = \"0099{i:08}\"\nproduct_type = \"consumo\"\n\
             product_name = \"CRÉDITO CONSUMO SOLES\"\ncurrency = \"PEN\"\nprincipal = \"1200.00\"\ntea = \"0.2000\"\n\
             moratorium_tea = \"0.1000\"\ninstallments = 12\ndisbursed_months_ago = 1\ninstallments_paid = 0\n",
            loan(i)
        ));
    }
    toml
}

fn loan(index: usize) -> String {
    format!("L-T{index:04}")
}

async fn start_central(data: &Path, listen: Option<SocketAddr>) -> RunningCentral {
    let mut config = CentralConfig::demo(data);
    config.mtls = true;
    config.fixtures_toml = Some(fixtures());
    if let Some(addr) = listen {
        config.listen = addr;
    }
    servicaja_central::start(config).await.unwrap()
}

fn client(data: &Path, base_url: &str) -> HostClient {
    let pki = data.join("pki");
    let (ca, cert, key) = (pki.join("ca.pem"), pki.join("kiosk-client.pem"), pki.join("kiosk-client-key.pem"));
    let files = TlsFiles { ca_cert: &ca, client_cert: Some(&cert), client_key: Some(&key) };
    HostClient::new(base_url, &files, Duration::from_secs(2), Duration::from_secs(10)).unwrap()
}

fn fast_policy() -> PolicySettings {
    PolicySettings {
        max_open: 100_000,
        max_age: chrono::Duration::hours(24),
        backoff_initial: Duration::from_millis(20),
        backoff_max: Duration::from_millis(300),
    }
}

async fn login(client: &HostClient) -> String {
    let request =
        OpenSessionRequest { card_number: "4214100000000069".into(), dni: "12345678".into(), clave: "654321".into() };
    client.open_session(&request).await.unwrap().token
}

/// The payment of loan `index`'s due installment, from the test account.
fn payment(lane: &str, token: &str, index: usize) -> servicaja_host::store::NewCommand {
    let body = json!({
        "operation_id": uuid::Uuid::now_v7(), "loan_id": loan(index), "debit_account_id": ACCOUNT,
        "option": "due_installment",
    });
    let request: servicaja_core::api::PaymentRequest = serde_json::from_value(body).unwrap();
    let out = wire::outgoing(&Command::Pay(request), &Credentials::default()).unwrap();
    out.into_command(uuid::Uuid::now_v7(), lane, Some(SessionToken(token.to_owned()))).0
}

fn operation_id(command: &StoredCommand) -> String {
    command.payload["operation_id"].as_str().unwrap().to_string()
}

/// What the central holds about each operation id: its payment state and its signed movements.
#[derive(Debug, Default)]
struct CentralView {
    payments: BTreeMap<String, String>,
    movements: BTreeMap<String, Vec<f64>>,
    balance: f64,
}

fn central_view(data: &Path) -> CentralView {
    let conn = rusqlite::Connection::open(data.join("central.sqlite3")).unwrap();
    let mut view = CentralView::default();
    let mut statement = conn.prepare("SELECT operation_id, state FROM payments").unwrap();
    for row in statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).unwrap() {
        let (id, state) = row.unwrap();
        view.payments.insert(id, state);
    }
    let mut statement =
        conn.prepare("SELECT operation_id, amount FROM movements WHERE operation_id IS NOT NULL ORDER BY seq").unwrap();
    for row in statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).unwrap() {
        let (id, amount) = row.unwrap();
        view.movements.entry(id).or_default().push(amount.parse().unwrap());
    }
    let balance: String =
        conn.query_row("SELECT balance FROM accounts WHERE id = ?1", [ACCOUNT], |r| r.get(0)).unwrap();
    view.balance = balance.parse().unwrap();
    view
}

fn assert_cents(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 0.005, "{actual} != {expected}");
}

// ----------------------------------------------------------------------------------------------------
// The crash test: a child process (this test binary, re-entered) makes payments; the parent kills it.
// ----------------------------------------------------------------------------------------------------

const CHILD_ENV: &str = "SERVICAJA_CRASH_CHILD";
const PAYMENTS: usize = 80;

/// Not a test on its own: the body of the child process of `payments_survive_sigkill…`. It does nothing
/// unless started by that test with `SERVICAJA_CRASH_CHILD` set.
#[test]
fn crash_child_process_entry() {
    let Ok(dir) = std::env::var(CHILD_ENV) else { return };
    let dir = PathBuf::from(dir);
    let base_url = std::fs::read_to_string(dir.join("base_url")).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = client(&dir.join("central"), &base_url);
        let options = OutboxOptions { concurrency: 4, ..OutboxOptions::default() };
        let (outbox, _dispatcher) =
            Outbox::start(&dir.join("outbox.sqlite"), fast_policy(), client.clone(), options).await.unwrap();
        let mut journal = Journal::open(&dir.join("journal.sqlite"), 64).unwrap();
        let recorded = outbox.list(vec![]).await.unwrap().iter().filter(|c| c.kind == CommandKind::Payment).count();
        let session = format!("S{}", std::process::id());
        let now = chrono::Utc::now;
        journal
            .append(
                now(),
                &JournalEvent::SessionStarted { session: session.clone(), card: MaskedCard::from_last4("0010") },
            )
            .unwrap();
        let token = login(&client).await;
        for index in recorded..PAYMENTS {
            let command = payment(&session, &token, index);
            let key = command.key;
            // After a restart, the reversal of the payment the kiosk was killed in holds the account
            // until the central acknowledges it: the customer is told to try again, and does.
            let outcome = loop {
                match outbox.submit_interactive(command.clone(), Duration::from_secs(5)).await {
                    Err(OutboxError::ReversalPending { .. }) => tokio::time::sleep(Duration::from_millis(20)).await,
                    other => break other.unwrap(),
                }
            };
            let (outcome, detail) = match &outcome {
                InteractiveOutcome::Completed { answer, .. } => {
                    (Outcome::Approved, answer["operation_number"].as_str().unwrap_or("").to_string())
                }
                InteractiveOutcome::Refused { problem, .. } => (Outcome::Refused, problem.code.clone()),
                InteractiveOutcome::NotCompleted { .. } => (Outcome::Reversed, NO_CHARGE_MESSAGE.to_string()),
                InteractiveOutcome::DeliverLater { .. } => (Outcome::Queued, String::new()),
            };
            let event = JournalEvent::Operation {
                session: Some(session.clone()),
                operation: key.to_string(),
                kind: "payment".into(),
                card: MaskedCard::from_last4("0010"),
                amount: None,
                outcome,
                detail: SafeText::new(detail).unwrap(),
                command_key: Some(key),
            };
            journal.append(now(), &event).unwrap();
        }
        loop {
            let status = outbox.status().await.unwrap();
            if status.count(State::Pending) + status.count(State::InFlight) == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    std::process::exit(0);
}

fn spawn_child(dir: &Path) -> tokio::process::Child {
    tokio::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "central::crash_child_process_entry", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_survive_sigkill_at_random_moments_applied_exactly_once_and_the_journal_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("central");
    let central = start_central(&data, None).await;
    std::fs::write(dir.path().join("base_url"), central.base_url()).unwrap();

    // Each round kills the child a random moment after a random number (1–8) of new payments were
    // recorded, so that kills land mid-run whatever the machine's speed.
    let outbox_path = dir.path().join("outbox.sqlite");
    let recorded = || -> usize {
        let Ok(conn) = rusqlite::Connection::open(&outbox_path) else { return 0 };
        conn.query_row("SELECT COUNT(*) FROM commands WHERE kind = 'payment'", [], |r| r.get::<_, i64>(0))
            .map_or(0, |n| n as usize)
    };
    let mut kills = 0;
    for _ in 0..8 {
        let target = recorded() + rand::random_range(1..=8);
        let mut child = spawn_child(dir.path());
        let finished = loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success());
                break true;
            }
            if outbox_path.exists() && recorded() >= target {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        if finished {
            break;
        }
        tokio::time::sleep(Duration::from_millis(rand::random_range(0..25))).await;
        child.kill().await.unwrap();
        kills += 1;
    }
    let mut last = spawn_child(dir.path());
    let status = tokio::time::timeout(Duration::from_secs(180), last.wait()).await.expect("the last run finishes");
    assert!(status.unwrap().success());
    assert!(kills >= 4, "the child was killed mid-run only {kills} times");

    let store = OutboxStore::open(&dir.path().join("outbox.sqlite")).unwrap();
    let commands = store.list(&[], None).unwrap();
    let payments: Vec<&StoredCommand> = commands.iter().filter(|c| c.kind == CommandKind::Payment).collect();
    assert_eq!(payments.len(), PAYMENTS, "every payment was recorded once");
    assert!(commands.iter().all(|c| !c.state.is_open()), "nothing left open");
    let view = central_view(&data);
    let reversed = payments.iter().filter(|c| c.state == State::Cancelled).count();
    eprintln!("crash test: {kills} kills, {} payments, {reversed} reversed for want of an answer", payments.len());
    let mut charged = 0.0;
    let known: BTreeSet<String> = payments.iter().map(|c| operation_id(c)).collect();
    for command in &payments {
        let id = operation_id(command);
        let movements = view.movements.get(&id).cloned().unwrap_or_default();
        let debits = movements.iter().filter(|m| **m < 0.0).count();
        assert!(debits <= 1, "{id} was debited {debits} times");
        match command.state {
            State::Done => {
                assert_eq!(view.payments.get(&id).map(String::as_str), Some("applied"), "{id}");
                assert!(movements.len() == 1 && movements[0] < 0.0, "{id} applied exactly once: {movements:?}");
                charged -= movements[0];
            }
            State::Cancelled => {
                let reversal = commands.iter().find(|c| c.reverses == Some(command.key)).expect("its reversal");
                assert_eq!(reversal.state, State::Done, "the reversal of {id} was acknowledged");
                assert_cents(movements.iter().sum(), 0.0);
            }
            other => panic!("payment {id} ended {other:?}"),
        }
    }
    assert!(view.payments.keys().all(|id| known.contains(id)), "the central applied nothing the kiosk did not record");
    assert_cents(view.balance, OPENING_BALANCE - charged);
    assert!(charged > 0.0);
    let journal = Journal::open_existing(&dir.path().join("journal.sqlite")).unwrap();
    let report = journal.verify().unwrap();
    assert_eq!(report.first_broken, None);
    assert!(report.records >= PAYMENTS as u64);
    central.shutdown().await;
}

// ----------------------------------------------------------------------------------------------------
// Fault injection
// ----------------------------------------------------------------------------------------------------

struct Kiosk {
    _dir: tempfile::TempDir,
    data: PathBuf,
    central: RunningCentral,
    outbox: Outbox<HostClient>,
    token: String,
}

async fn kiosk() -> Kiosk {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("central");
    let central = start_central(&data, None).await;
    let client = client(&data, &central.base_url());
    let token = login(&client).await;
    let (outbox, _) = Outbox::start(&dir.path().join("outbox.sqlite"), fast_policy(), client, OutboxOptions::default())
        .await
        .unwrap();
    Kiosk { _dir: dir, data, central, outbox, token }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_whose_answer_is_dropped_after_commit_is_reversed_and_no_charge_stands() {
    let k = kiosk().await;
    k.central.set_fault(paths::PAYMENTS, Fault::drop_after_commit(u32::MAX));
    let outcome = k.outbox.submit_interactive(payment("s1", &k.token, 0), Duration::from_secs(2)).await.unwrap();
    let InteractiveOutcome::NotCompleted { id, reversal } = outcome else {
        panic!("expected a reversal, got {outcome:?}")
    };
    assert_eq!(outcome.customer_message(), Some(NO_CHARGE_MESSAGE));
    let reversal = k.outbox.list(vec![]).await.unwrap().into_iter().find(|c| c.key == reversal).unwrap();
    let done = k.outbox.wait_final(reversal.id, Duration::from_secs(20)).await.unwrap().expect("reversal answered");
    assert_eq!(done.state, State::Done);
    assert_eq!(done.answer.unwrap()["outcome"], "payment_reversed", "the payment had been applied");
    let payment = k.outbox.get(id).await.unwrap();
    assert_eq!(payment.state, State::Cancelled);
    let view = central_view(&k.data);
    let op = operation_id(&payment);
    assert_eq!(view.payments[&op], "reversed");
    let movements = &view.movements[&op];
    assert!(movements.len() == 2 && movements[0] < 0.0, "{movements:?}");
    assert_cents(movements[0] + movements[1], 0.0);
    assert_cents(view.balance, OPENING_BALANCE);
    k.central.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reversal_racing_ahead_of_its_payment_ends_with_nothing_charged() {
    let k = kiosk().await;
    k.central.set_fault(paths::PAYMENTS, Fault::latency(Duration::from_secs(3)));
    let outcome = k.outbox.submit_interactive(payment("s1", &k.token, 0), Duration::from_millis(500)).await.unwrap();
    let InteractiveOutcome::NotCompleted { id, reversal } = outcome else {
        panic!("expected a reversal, got {outcome:?}")
    };
    let reversal = k.outbox.list(vec![]).await.unwrap().into_iter().find(|c| c.key == reversal).unwrap();
    let done = k.outbox.wait_final(reversal.id, Duration::from_secs(20)).await.unwrap().expect("reversal answered");
    assert_eq!(done.answer.unwrap()["outcome"], "recorded_before_payment");
    // The delayed payment reaches the central after its reversal: refused with `reversed`, kept as a late
    // answer on the withdrawn command.
    let mut late = None;
    for _ in 0..100 {
        let payment = k.outbox.get(id).await.unwrap();
        if payment.answer_status.is_some() {
            late = Some(payment);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let payment = late.expect("the payment's late answer arrived");
    assert_eq!(payment.state, State::Cancelled);
    assert_eq!(payment.answer.as_ref().unwrap()["code"], "reversed");
    let view = central_view(&k.data);
    let op = operation_id(&payment);
    assert!(view.payments[&op].starts_with("reversed"), "{}", view.payments[&op]);
    assert!(!view.movements.contains_key(&op), "no money moved");
    assert_cents(view.balance, OPENING_BALANCE);
    k.central.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_central_down_then_back_drains_the_backlog_in_lane_order() {
    let k = kiosk().await;
    let addr = k.central.local_addr();
    k.central.shutdown().await;
    let mut lanes: BTreeMap<String, Vec<StoredCommand>> = BTreeMap::new();
    for round in 0..4 {
        for (l, lane) in ["s1", "s2", "s3"].into_iter().enumerate() {
            let stored = k.outbox.enqueue(payment(lane, &k.token, round * 3 + l)).await.unwrap();
            lanes.entry(lane.into()).or_default().push(stored);
        }
    }
    // Let the dispatcher meet the closed port a few times.
    let first = lanes["s1"][0].id;
    for _ in 0..100 {
        if k.outbox.get(first).await.unwrap().failures >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let waiting = k.outbox.get(first).await.unwrap();
    assert!(waiting.failures >= 2 && !waiting.state.is_final(), "{waiting:?}");
    assert!(waiting.last_error.as_deref().unwrap_or("").contains("reach"), "{:?}", waiting.last_error);

    let central = start_central(&k.data, Some(addr)).await;
    for commands in lanes.values() {
        let mut previous = 0u64;
        for command in commands {
            let done = k.outbox.wait_final(command.id, Duration::from_secs(30)).await.unwrap().expect("delivered");
            assert_eq!(done.state, State::Done, "{:?}", done.answer);
            let number: u64 = done.answer.unwrap()["operation_number"].as_str().unwrap().parse().unwrap();
            assert!(number > previous, "lane order kept: {number} after {previous}");
            previous = number;
        }
    }
    let view = central_view(&k.data);
    let charged: f64 = view.movements.values().flatten().sum();
    assert_eq!(view.movements.len(), 12, "each payment applied once");
    assert!(view.movements.values().all(|m| m.len() == 1));
    assert_cents(view.balance, OPENING_BALANCE + charged);
    central.shutdown().await;
}

// ----------------------------------------------------------------------------------------------------
// Remaining attempts
// ----------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_clave_answer_carries_the_attempts_left_over_mutual_tls() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("central");
    let central = start_central(&data, None).await;
    let client = client(&data, &central.base_url());
    let wrong =
        OpenSessionRequest { card_number: "4214100000000069".into(), dni: "12345678".into(), clave: "111222".into() };
    for expected in [2, 1] {
        let err = client.open_session(&wrong).await.unwrap_err();
        assert_eq!(err.error_code(), Some(servicaja_core::api::ErrorCode::ClaveInvalid), "{err:?}");
        assert_eq!(err.attempts_left(), Some(expected), "{err:?}");
    }
    let locked = client.open_session(&wrong).await.unwrap_err();
    assert_eq!(locked.error_code(), Some(servicaja_core::api::ErrorCode::CardLocked), "{locked:?}");
    central.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_sms_code_refused_through_the_outbox_keeps_the_attempts_left() {
    let k = kiosk().await;
    let client = client(&k.data, &k.central.base_url());
    let request = servicaja_core::api::OtpRequest { purpose: servicaja_core::api::OtpPurpose::Affiliation };
    let sent: servicaja_core::api::OtpSent =
        client.post(paths::OTPS, uuid::Uuid::now_v7(), Some(&k.token), &request).await.unwrap();
    let messages: Vec<servicaja_core::api::OutboxMessage> = client.get(paths::DEMO_OUTBOX, None).await.unwrap();
    let sms = messages.iter().find(|m| m.channel == servicaja_core::api::OutboxChannel::Sms).expect("an SMS");
    let wrong = if sms.body.contains("000000") { "111111" } else { "000000" };
    let body = json!({ "account_id": ACCOUNT, "otp_id": sent.otp_id, "otp_code": wrong });
    let command =
        servicaja_host::store::NewCommand::new(CommandKind::Affiliation, "session-1", paths::AFFILIATIONS, &body)
            .unwrap()
            .with_session_token(k.token.clone());
    match k.outbox.submit_interactive(command, Duration::from_secs(10)).await.unwrap() {
        InteractiveOutcome::Refused { problem, .. } => {
            assert_eq!(problem.code, "otp_invalid");
            assert_eq!(problem.attempts_left, Some(2));
        }
        other => panic!("expected the wrong code refused, got {other:?}"),
    }
    k.central.shutdown().await;
}

// ----------------------------------------------------------------------------------------------------
// Requests filed while the kiosk was out of service
// ----------------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_filed_offline_waits_in_the_outbox_and_is_ticketed_when_the_central_is_back() {
    let k = kiosk().await;
    k.central.set_fault(paths::OFFLINE_REQUESTS, Fault::error_rate(1.0));
    let filed_at = chrono::Utc::now() - chrono::Duration::minutes(20);
    let body = servicaja_core::api::OfflineRequest {
        kind: servicaja_core::api::RequestKind::AddressChange,
        dni: "12345678".into(),
        detail: String::new(),
        filed_at,
    };
    let command =
        servicaja_host::store::NewCommand::new(CommandKind::Request, "offline", paths::OFFLINE_REQUESTS, &body)
            .unwrap();
    let stored = k.outbox.enqueue(command).await.unwrap();

    // The central is away: the command stays pending and is retried.
    let patience = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let now = k.outbox.get(stored.id).await.unwrap();
        assert!(matches!(now.state, State::Pending | State::InFlight), "{now:?}");
        if now.failures >= 2 {
            break;
        }
        assert!(std::time::Instant::now() < patience, "no retry seen: {now:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    k.central.faults().clear(paths::OFFLINE_REQUESTS);
    let done = k.outbox.wait_final(stored.id, Duration::from_secs(20)).await.unwrap().expect("delivered");
    assert_eq!(done.state, State::Done, "{done:?}");
    let ticket: servicaja_core::api::RequestTicket = serde_json::from_value(done.answer.unwrap()).unwrap();
    assert_eq!(ticket.filed_at.timestamp(), filed_at.timestamp(), "the deadline runs from the filing");
    let client = client(&k.data, &k.central.base_url());
    let messages: Vec<servicaja_core::api::OutboxMessage> = client.get(paths::DEMO_OUTBOX, None).await.unwrap();
    let mail = messages.iter().find(|m| m.to == "prueba@example.pe").expect("the ticket is e-mailed to the customer");
    assert!(mail.subject.contains(&ticket.ticket_number), "{mail:?}");
    k.central.shutdown().await;
}
