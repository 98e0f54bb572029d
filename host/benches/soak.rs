//! Soak bench (issue 13): loan payments through the real outbox, host client and journal against the central
//! simulator over mutual TLS, with random faults, SIGKILLed kiosk processes and restarted centrals; prints
//! the money figures and exits non-zero when anything was lost, doubled, charged after "no charge" or
//! charged without a journal record.
//!
//! `cargo bench -p servicaja-host --bench soak -- --payments 10000` (options: `--lanes N` customers served
//! at once, `--wait-ms N` the customer's wait, `--minutes N` bound on the load phase, `--dir PATH`;
//! `--figures PATH` only recomputes the figures of a run's directory).
//!
//! The parent process runs the central in-process (mutual TLS, random latency — sometimes past the
//! customer's wait —, error bursts and drop-after-commit on the payment and reversal routes; stopped and
//! started again on the same port and data) and re-enters this binary as the kiosk (`SERVICAJA_SOAK_CHILD`),
//! which it SIGKILLs at random moments and starts again. The kiosk serves customers as the runtime does
//! (`src/runtime/mod.rs`): a payment is enqueued interactive; the customer waits for its final answer; past
//! the wait the payment is settled keeping a stored answer, else reversed; Terminar reverses whatever the
//! payment reached; a payment refused behind an open reversal is "held"; the session's payments are
//! released when it ends; a loop journals every settlement. What each customer was told is appended and
//! fsynced to `told.log` (the oracle), keyed by the payment's operation id. At the end the faults are healed,
//! a last kiosk drains the outbox and journals, and the figures come from the central's database, the
//! outbox, the journal and `told.log`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::OpenOptions;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use servicaja_central::{CentralConfig, Fault, RunningCentral};
use servicaja_core::api::{OpenSessionRequest, PaymentOption, PaymentRequest, paths};
use servicaja_host::client::{HostClient, TlsFiles};
use servicaja_host::journal::{Journal, JournalEvent, Outcome};
use servicaja_host::outbox::{Outbox, OutboxOptions};
use servicaja_host::policy::{CommandKind, PolicySettings, State};
use servicaja_host::settlement::{SETTLEMENT_KIND, journal_settlement, operation_id_of, settlement_key};
use servicaja_host::store::SessionToken;
use servicaja_host::store::{OutboxError, OutboxStore, SettleMode, Settlement, StoredCommand};
use servicaja_host::wire;
use servicaja_session::{Command, Credentials};
use uuid::Uuid;

const CHILD_ENV: &str = "SERVICAJA_SOAK_CHILD";
const FINAL_ENV: &str = "SERVICAJA_SOAK_FINAL";
const LOANS_PER_CUSTOMER: usize = 8;
const ACCOUNTS_PER_CUSTOMER: usize = 2;
const CLAVE: &str = "654321";

type Res<T> = Result<T, String>;

fn main() -> ExitCode {
    match std::env::var_os(CHILD_ENV) {
        Some(dir) => kiosk::main(PathBuf::from(dir), std::env::var_os(FINAL_ENV).is_some()),
        None => parent::main(),
    }
}

/// What the parent tells every kiosk process (`config.json` in the soak directory).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Config {
    base_url: String,
    lanes: usize,
    payments: usize,
    wait_ms: u64,
    terminar_rate: f64,
    /// No kiosk process serves customers longer than this, whatever happens to its parent.
    serve_at_most_s: u64,
}

fn read_config(dir: &Path) -> Res<Config> {
    let text = std::fs::read_to_string(dir.join("config.json")).map_err(|e| format!("config.json: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("config.json: {e}"))
}

/// What a customer saw, one line of `told.log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Told {
    Done,
    Refused,
    NoCharge,
    Unconfirmed,
    /// Refused at enqueue behind an open reversal: never stored, never sent.
    Held,
    /// The customer pressed Terminar while waiting: shown nothing.
    Left,
}

impl Told {
    const ALL: [Told; 6] = [Told::Done, Told::Refused, Told::NoCharge, Told::Unconfirmed, Told::Held, Told::Left];

    fn as_str(self) -> &'static str {
        match self {
            Told::Done => "done",
            Told::Refused => "refused",
            Told::NoCharge => "no_charge",
            Told::Unconfirmed => "unconfirmed",
            Told::Held => "held",
            Told::Left => "left",
        }
    }

    fn parse(text: &str) -> Option<Told> {
        Told::ALL.into_iter().find(|told| told.as_str() == text)
    }

    /// The customer was told, or can only conclude, that no money moved.
    fn says_no_charge(self) -> bool {
        matches!(self, Told::NoCharge | Told::Refused | Told::Held)
    }
}

// ----------------------------------------------------------------------------------------------------------
// The fixture customers: one per lane, each with its own accounts and loans, so lanes never race on a loan
// (as two kiosks would not either); within a lane a customer retries the same loan after "no charge".
// ----------------------------------------------------------------------------------------------------------

fn customer_card(lane: usize) -> String {
    let prefix = format!("42141000009900{lane:02}");
    (0..10).map(|d| format!("{prefix}{d}")).find(|card| luhn_valid(card)).unwrap_or(prefix)
}

fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

fn customer_dni(lane: usize) -> String {
    format!("71{lane:06}")
}

fn account_id(lane: usize, account: usize) -> String {
    format!("A-S{lane:02}{account}")
}

fn loan_id(lane: usize, loan: usize) -> String {
    format!("L-S{lane:02}{loan:02}")
}

/// The simulator's own fixtures plus the soak customers: large accounts, and loans of 240 small monthly
/// installments, so thousands of "pay the due installment" payments are each valid and distinct.
fn fixtures(lanes: usize) -> String {
    let mut toml = servicaja_central::DEFAULT_FIXTURES.to_string();
    for lane in 0..lanes {
        toml.push_str(&format!(
            "\n[[customers]]\nid = \"CS{lane:02}\"\nname = \"SOAK {lane}\"\ndni = \"{}\"\ncard = \"{}\"\n\
             clave = \"{CLAVE}\"\nphone = \"9519{lane:05}\"\nemail = \"soak{lane}@example.pe\"\n\
             birth_date = \"1985-05-05\"\nemployer_since = \"2015-01-01\"\n",
            customer_dni(lane),
            customer_card(lane)
        ));
        for account in 0..ACCOUNTS_PER_CUSTOMER {
            toml.push_str(&format!(
                "\n[[customers.accounts]]\nid = \"{}\"\nnumber = \"0098{lane:02}{account:02}\"\n\
                 product_name = \"CTA.AHORRO PN SOLES\"\ncurrency = \"PEN\"\nbalance = \"1000000.00\"\n\
                 status = \"active\"\nsignature = \"individual\"\n",
                account_id(lane, account)
            ));
        }
        for loan in 0..LOANS_PER_CUSTOMER {
            toml.push_str(&format!(
                "\n[[customers.loans]]\nid = \"{}\"\nnumber = \"0097{lane:04}{loan:04}\"\nproduct_type = \"consumo\"\n\
                 product_name = \"CRÉDITO CONSUMO SOLES\"\ncurrency = \"PEN\"\nprincipal = \"240.00\"\n\
                 tea = \"0.1200\"\nmoratorium_tea = \"0.1000\"\ninstallments = 240\ndisbursed_months_ago = 1\n\
                 installments_paid = 0\n",
                loan_id(lane, loan)
            ));
        }
    }
    toml
}

fn host_client(central_data: &Path, base_url: &str) -> Res<HostClient> {
    let pki = central_data.join("pki");
    let (ca, cert, key) = (pki.join("ca.pem"), pki.join("kiosk-client.pem"), pki.join("kiosk-client-key.pem"));
    let files = TlsFiles { ca_cert: &ca, client_cert: Some(&cert), client_key: Some(&key) };
    HostClient::new(base_url, &files, Duration::from_secs(1), Duration::from_secs(5)).map_err(|e| e.to_string())
}

// ----------------------------------------------------------------------------------------------------------
// The kiosk process
// ----------------------------------------------------------------------------------------------------------

mod kiosk {
    use super::*;

    /// Exit codes: 0 done, 3 outbox refused to start, 4 journal refused to open, 5 setup, 6 final drain timed
    /// out, 101 panic.
    pub fn main(dir: PathBuf, last: bool) -> ExitCode {
        // A panic anywhere is a failure the parent must see, not a task quietly gone.
        std::panic::set_hook(Box::new(|info| {
            eprintln!("soak kiosk: PANIC {info}");
            std::process::exit(101);
        }));
        let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(runtime) => runtime,
            Err(err) => {
                eprintln!("soak kiosk: no tokio runtime: {err}");
                return ExitCode::from(5);
            }
        };
        let code = runtime.block_on(run(dir, last));
        // Lanes may still hold tasks; the process ends here either way.
        runtime.shutdown_timeout(Duration::from_millis(100));
        ExitCode::from(code)
    }

    struct Kiosk {
        config: Config,
        client: HostClient,
        outbox: Outbox<HostClient>,
        told: Mutex<std::fs::File>,
        stored: AtomicUsize,
        until: Instant,
    }

    impl Kiosk {
        fn serving(&self) -> bool {
            self.stored.load(Ordering::SeqCst) < self.config.payments && Instant::now() < self.until
        }
    }

    fn policy() -> PolicySettings {
        PolicySettings {
            max_open: 10_000,
            max_age: chrono::Duration::hours(24),
            backoff_initial: Duration::from_millis(100),
            backoff_max: Duration::from_secs(2),
        }
    }

    async fn run(dir: PathBuf, last: bool) -> u8 {
        let config = match read_config(&dir) {
            Ok(config) => config,
            Err(err) => {
                eprintln!("soak kiosk: {err}");
                return 5;
            }
        };
        let client = match host_client(&dir.join("central"), &config.base_url) {
            Ok(client) => client,
            Err(err) => {
                eprintln!("soak kiosk: host client: {err}");
                return 5;
            }
        };
        // Resync every second (the kiosk's default is 10 s) to exercise the dispatcher's re-reads of the store.
        let options =
            OutboxOptions { concurrency: 16, resync_every: Duration::from_secs(1), ..OutboxOptions::default() };
        let started = Outbox::start_reporting(&dir.join("outbox.sqlite"), policy(), client.clone(), options).await;
        let (outbox, _dispatcher, started) = match started {
            Ok(started) => started,
            Err(err) => {
                eprintln!("soak kiosk: OUTBOX REFUSED TO START: {err}");
                return 3;
            }
        };
        eprintln!(
            "soak kiosk: started recovered={} reversed={} set_aside={}",
            started.recovered,
            started.reversed.len(),
            started.set_aside.len()
        );
        let journal = match Journal::open(&dir.join("journal.sqlite"), 1024) {
            Ok(journal) => Arc::new(Mutex::new(journal)),
            Err(err) => {
                eprintln!("soak kiosk: JOURNAL REFUSED TO OPEN: {err}");
                return 4;
            }
        };
        tokio::spawn(journal_loop(outbox.clone(), journal.clone()));
        if last {
            return drain(&outbox, &journal).await;
        }
        let told = match OpenOptions::new().create(true).append(true).open(dir.join("told.log")) {
            Ok(file) => Mutex::new(file),
            Err(err) => {
                eprintln!("soak kiosk: told.log: {err}");
                return 5;
            }
        };
        let stored = match outbox.list(vec![]).await {
            Ok(all) => all.iter().filter(|c| c.kind == CommandKind::Payment).count(),
            Err(err) => {
                eprintln!("soak kiosk: cannot count payments: {err}");
                return 5;
            }
        };
        let until = Instant::now() + Duration::from_secs(config.serve_at_most_s);
        let kiosk = Arc::new(Kiosk { config, client, outbox, told, stored: AtomicUsize::new(stored), until });
        let mut lanes = tokio::task::JoinSet::new();
        for lane in 0..kiosk.config.lanes {
            lanes.spawn(serve_customers(kiosk.clone(), lane));
        }
        while lanes.join_next().await.is_some() {}
        0
    }

    /// Journals every settled payment, as the runtime's `journal_settlements` does: after every completion
    /// and every quarter second.
    async fn journal_loop(outbox: Outbox<HostClient>, journal: Arc<Mutex<Journal>>) {
        let mut completions = outbox.completions();
        loop {
            if let Err(err) = journal_pass(&outbox, &journal).await {
                eprintln!("soak kiosk: journaling: {err}");
            }
            tokio::select! {
                _ = completions.recv() => {}
                () = tokio::time::sleep(Duration::from_millis(250)) => {}
            }
        }
    }

    async fn journal_pass(outbox: &Outbox<HostClient>, journal: &Arc<Mutex<Journal>>) -> Res<usize> {
        let settlements = outbox.unjournaled_settlements().await.map_err(|e| e.to_string())?;
        let mut written = 0;
        for settlement in settlements {
            let id = settlement.payment.id;
            let journal = journal.clone();
            let done = tokio::task::spawn_blocking(move || {
                let mut journal = journal.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                journal_settlement(&mut journal, &settlement, chrono::Utc::now())
            })
            .await
            .map_err(|e| e.to_string())?;
            done.map_err(|e| e.to_string())?;
            outbox.mark_journaled(id).await.map_err(|e| e.to_string())?;
            written += 1;
        }
        Ok(written)
    }

    /// The last kiosk: no customers; waits until nothing is open and every settlement is journaled.
    async fn drain(outbox: &Outbox<HostClient>, journal: &Arc<Mutex<Journal>>) -> u8 {
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let open = match outbox.status().await {
                Ok(status) => status.count(State::Pending) + status.count(State::InFlight),
                Err(err) => {
                    eprintln!("soak kiosk: status: {err}");
                    u64::MAX
                }
            };
            if open == 0 {
                match journal_pass(outbox, journal).await {
                    Ok(_) => {}
                    Err(err) => eprintln!("soak kiosk: journaling: {err}"),
                }
                if matches!(outbox.unjournaled_settlements().await, Ok(left) if left.is_empty()) {
                    return 0;
                }
            }
            if Instant::now() > deadline {
                eprintln!("soak kiosk: DRAIN TIMED OUT with {open} commands open");
                return 6;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn login(client: &HostClient, lane: usize) -> Option<String> {
        let request =
            OpenSessionRequest { card_number: customer_card(lane), dni: customer_dni(lane), clave: CLAVE.into() };
        client.open_session(&request).await.ok().map(|opened| opened.token)
    }

    fn random_choice(lane: usize) -> (String, String) {
        (
            loan_id(lane, rand::random_range(0..LOANS_PER_CUSTOMER)),
            account_id(lane, rand::random_range(0..ACCOUNTS_PER_CUSTOMER)),
        )
    }

    /// One lane: customer after customer (the same card), each paying one to three loans.
    async fn serve_customers(kiosk: Arc<Kiosk>, lane: usize) {
        let mut again: Option<(String, String)> = None;
        while kiosk.serving() {
            let Some(token) = login(&kiosk.client, lane).await else {
                // The central is away: the kiosk is out of service for a moment.
                tokio::time::sleep(Duration::from_millis(300)).await;
                continue;
            };
            let session = format!("session:{}", Uuid::now_v7());
            let mut payments = Vec::new();
            for _ in 0..rand::random_range(1..=3) {
                if !kiosk.serving() {
                    break;
                }
                let (loan, account) = again.take().unwrap_or_else(|| random_choice(lane));
                let told = pay(&kiosk, &session, &token, &loan, &account, &mut payments).await;
                if matches!(told, Told::NoCharge | Told::Held | Told::Unconfirmed | Told::Left)
                    && rand::random_bool(0.8)
                {
                    // Told no charge (or nothing): the customer tries the same loan again.
                    again = Some((loan, account));
                }
                if told == Told::Held {
                    tokio::time::sleep(Duration::from_millis(rand::random_range(100..400))).await;
                }
                if told == Told::Left {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(rand::random_range(0..30))).await;
            }
            // The session ends: its payments can no longer be undone by the customer.
            if let Err(err) = kiosk.outbox.release(payments).await {
                eprintln!("soak kiosk: release: {err}");
            }
            if let Err(err) = kiosk.outbox.scrub().await {
                eprintln!("soak kiosk: scrub: {err}");
            }
        }
    }

    /// One payment as the runtime carries it out; returns (and logs) what the customer was told.
    async fn pay(
        kiosk: &Kiosk,
        session: &str,
        token: &str,
        loan: &str,
        account: &str,
        payments: &mut Vec<Uuid>,
    ) -> Told {
        let operation_id = Uuid::now_v7();
        let mut request = PaymentRequest {
            operation_id,
            loan_id: loan.to_owned(),
            debit_account_id: account.to_owned(),
            option: PaymentOption::DueInstallment,
            amount: None,
            expected_debit: None,
        };
        if rand::random_bool(0.04) {
            // Now and then an advance below the installment: the central refuses it (amount_invalid).
            request.option = PaymentOption::Advance;
            request.amount = serde_json::from_value(serde_json::json!("0.01")).ok();
        }
        let told = match wire::outgoing(&Command::Pay(request.clone()), &Credentials::default())
            .map(|out| out.into_command(Uuid::now_v7(), session, Some(SessionToken(token.to_owned()))).0)
        {
            Err(err) => {
                eprintln!("soak kiosk: payment command: {err}");
                settle_told(kiosk, operation_id).await
            }
            Ok(command) => {
                let mut command = command.interactive();
                command.key = operation_id;
                match kiosk.outbox.enqueue(command).await {
                    Err(OutboxError::ReversalPending { .. }) => Told::Held,
                    Err(err) => {
                        // Not stored: the session gets no answer and settles (nothing stored: no charge).
                        eprintln!("soak kiosk: enqueue: {err}");
                        settle_told(kiosk, operation_id).await
                    }
                    Ok(stored) => {
                        payments.push(operation_id);
                        kiosk.stored.fetch_add(1, Ordering::SeqCst);
                        wait_for_answer(kiosk, &stored).await
                    }
                }
            }
        };
        write_told(kiosk, operation_id, told, session).await;
        told
    }

    /// The customer waits for the final answer up to the interactive wait, or presses Terminar meanwhile.
    async fn wait_for_answer(kiosk: &Kiosk, stored: &StoredCommand) -> Told {
        let wait = Duration::from_millis(kiosk.config.wait_ms);
        let answer = kiosk.outbox.wait_final(stored.id, wait);
        let answered = if rand::random_bool(kiosk.config.terminar_rate) {
            let terminar = Duration::from_millis(rand::random_range(0..kiosk.config.wait_ms.max(1)));
            tokio::select! {
                answer = answer => Some(answer),
                () = tokio::time::sleep(terminar) => None,
            }
        } else {
            Some(answer.await)
        };
        match answered {
            None => {
                if let Err(err) = kiosk.outbox.settle(stored.key, SettleMode::Reverse, "customer_left").await {
                    eprintln!("soak kiosk: settle on Terminar: {err}");
                }
                Told::Left
            }
            Some(Ok(Some(done))) if done.state == State::Done => Told::Done,
            Some(Ok(Some(done))) if done.state == State::Rejected => Told::Refused,
            // No answer in time (or nothing the customer can count on): the session settles.
            Some(_) => settle_told(kiosk, stored.key).await,
        }
    }

    /// `SettlePayment`: keep the answer stored meanwhile, else the reversal is stored before "no charge".
    async fn settle_told(kiosk: &Kiosk, operation_id: Uuid) -> Told {
        match kiosk.outbox.settle(operation_id, SettleMode::KeepAnswer, "timeout").await {
            Ok(Settlement::Answered(payment)) => match payment.state {
                State::Done => Told::Done,
                State::Rejected => Told::Refused,
                _ => Told::Unconfirmed,
            },
            Ok(Settlement::Reversing(_) | Settlement::NotStored) => Told::NoCharge,
            Err(err) => {
                eprintln!("soak kiosk: settle: {err}");
                Told::Unconfirmed
            }
        }
    }

    async fn write_told(kiosk: &Kiosk, operation_id: Uuid, told: Told, session: &str) {
        let line = format!(
            "{operation_id} {} {session} {}\n",
            told.as_str(),
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ")
        );
        let written = tokio::task::block_in_place(|| {
            let mut file = kiosk.told.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            file.write_all(line.as_bytes())?;
            file.sync_data()
        });
        if let Err(err) = written {
            eprintln!("soak kiosk: told.log: {err}");
        }
    }
}

// ----------------------------------------------------------------------------------------------------------
// The parent: the central, the faults, the kills, the figures
// ----------------------------------------------------------------------------------------------------------

mod parent {
    use super::*;

    struct Args {
        payments: usize,
        lanes: usize,
        wait_ms: u64,
        minutes: u64,
        dir: PathBuf,
        /// Only recompute the figures of an earlier run's directory.
        figures_of: Option<PathBuf>,
    }

    fn args() -> Res<Args> {
        let mut args = Args {
            payments: 10_000,
            lanes: 8,
            wait_ms: 1_500,
            minutes: 40,
            dir: PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("soak"),
            figures_of: None,
        };
        let mut given = std::env::args().skip(1);
        while let Some(arg) = given.next() {
            let mut value = |name: &str| given.next().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                "--payments" => args.payments = number(&value("--payments")?)?,
                "--lanes" => args.lanes = number(&value("--lanes")?)?.clamp(1, 60),
                "--wait-ms" => args.wait_ms = number(&value("--wait-ms")?)?.max(100) as u64,
                "--minutes" => args.minutes = number(&value("--minutes")?)?.max(1) as u64,
                "--dir" => args.dir = PathBuf::from(value("--dir")?),
                "--figures" => args.figures_of = Some(PathBuf::from(value("--figures")?)),
                // cargo bench passes --bench; a filter or other harness flags mean nothing here.
                _ => {}
            }
        }
        Ok(args)
    }

    fn number(text: &str) -> Res<usize> {
        text.replace('_', "").parse().map_err(|_| format!("not a number: {text}"))
    }

    pub fn main() -> ExitCode {
        let args = match args() {
            Ok(args) => args,
            Err(err) => {
                eprintln!("soak: {err}");
                return ExitCode::from(2);
            }
        };
        if let Some(dir) = &args.figures_of {
            return match figures::compute(dir) {
                Ok(figures) => {
                    figures.print();
                    ExitCode::from(u8::from(figures.violations() > 0))
                }
                Err(err) => {
                    eprintln!("soak: {err}");
                    ExitCode::from(2)
                }
            };
        }
        let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(runtime) => runtime,
            Err(err) => {
                eprintln!("soak: no tokio runtime: {err}");
                return ExitCode::from(2);
            }
        };
        match runtime.block_on(run(args)) {
            Ok(code) => code,
            Err(err) => {
                eprintln!("soak: {err}");
                ExitCode::from(2)
            }
        }
    }

    async fn start_central(data: &Path, lanes: usize, listen: Option<SocketAddr>) -> Res<RunningCentral> {
        let mut config = CentralConfig::demo(data);
        config.mtls = true;
        config.fixtures_toml = Some(fixtures(lanes));
        if let Some(addr) = listen {
            config.listen = addr;
        }
        // On a restart the old listener may take a moment to go.
        let mut tries = 0;
        loop {
            match servicaja_central::start(config.clone()).await {
                Ok(central) => return Ok(central),
                Err(err) if tries < 50 => {
                    tries += 1;
                    if tries == 1 {
                        eprintln!("soak: central not started yet ({err}); retrying");
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(err) => return Err(err.to_string()),
            }
        }
    }

    type SharedCentral = Arc<tokio::sync::Mutex<Option<RunningCentral>>>;

    /// A random fault for one route: mostly healthy, else latency (under or past the customer's wait),
    /// an error burst, or answers dropped after commit.
    fn random_fault(wait_ms: u64) -> Option<Fault> {
        let roll = rand::random::<f64>();
        let latency = |from: u64, to: u64| Duration::from_millis(rand::random_range(from..to.max(from + 1)));
        match roll {
            r if r < 0.40 => None,
            r if r < 0.58 => Some(Fault::latency(latency(50, wait_ms * 2 / 3))),
            r if r < 0.73 => Some(Fault::latency(latency(wait_ms + 100, 6_000))),
            r if r < 0.86 => Some(Fault::error_rate(rand::random_range(0.3..1.0))),
            _ => Some(Fault {
                drop_after_commit: rand::random_range(1..=3),
                latency_ms: rand::random_range(0..wait_ms),
                ..Fault::default()
            }),
        }
    }

    async fn chaos_faults(central: SharedCentral, wait_ms: u64, mut stop: tokio::sync::watch::Receiver<bool>) {
        while !*stop.borrow() {
            {
                let central = central.lock().await;
                if let Some(central) = central.as_ref() {
                    for route in [paths::PAYMENTS, paths::PAYMENT_REVERSAL] {
                        match random_fault(wait_ms) {
                            Some(fault) => central.set_fault(route, fault),
                            None => central.faults().clear(route),
                        }
                    }
                }
            }
            tokio::select! {
                _ = stop.changed() => {}
                () = tokio::time::sleep(Duration::from_millis(rand::random_range(500..3_000))) => {}
            }
        }
    }

    /// Stops the central now and then (open connections cut, its database as committed) and starts it again
    /// on the same port and data after a moment.
    async fn chaos_central(
        central: SharedCentral,
        data: PathBuf,
        lanes: usize,
        kills: Arc<AtomicUsize>,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> Res<()> {
        loop {
            tokio::select! {
                _ = stop.changed() => return Ok(()),
                () = tokio::time::sleep(Duration::from_millis(rand::random_range(15_000..40_000))) => {}
            }
            if *stop.borrow() {
                return Ok(());
            }
            let mut guard = central.lock().await;
            let Some(running) = guard.take() else { return Ok(()) };
            let addr = running.local_addr();
            running.shutdown().await;
            kills.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(rand::random_range(300..3_000))).await;
            *guard = Some(start_central(&data, lanes, Some(addr)).await?);
        }
    }

    fn spawn_kiosk(dir: &Path, run: usize, last: bool) -> Res<tokio::process::Child> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let logs = dir.join("logs");
        std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
        let log = std::fs::File::create(logs.join(format!("kiosk-{run:04}.log"))).map_err(|e| e.to_string())?;
        let mut command = tokio::process::Command::new(exe);
        command
            .env(CHILD_ENV, dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::from(log))
            .kill_on_drop(true);
        if last {
            command.env(FINAL_ENV, "1");
        }
        command.spawn().map_err(|e| format!("cannot start the kiosk process: {e}"))
    }

    fn log_tail(dir: &Path, run: usize) -> String {
        let text = std::fs::read_to_string(dir.join("logs").join(format!("kiosk-{run:04}.log"))).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    async fn run(args: Args) -> Res<ExitCode> {
        let began = Instant::now();
        let dir = args.dir.clone();
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let data = dir.join("central");
        let first = start_central(&data, args.lanes, None).await?;
        let addr = first.local_addr();
        let config = Config {
            base_url: first.base_url(),
            lanes: args.lanes,
            payments: args.payments,
            wait_ms: args.wait_ms,
            terminar_rate: 0.06,
            serve_at_most_s: args.minutes * 60 + 60,
        };
        let text = serde_json::to_string_pretty(&config).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("config.json"), text).map_err(|e| e.to_string())?;
        println!(
            "soak: {} payments, {} lanes, customer wait {} ms, central {} (mutual TLS), data in {}",
            args.payments,
            args.lanes,
            args.wait_ms,
            addr,
            dir.display()
        );

        let central: SharedCentral = Arc::new(tokio::sync::Mutex::new(Some(first)));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let central_kills = Arc::new(AtomicUsize::new(0));
        let faults = tokio::spawn(chaos_faults(central.clone(), args.wait_ms, stopped.clone()));
        let restarts =
            tokio::spawn(chaos_central(central.clone(), data.clone(), args.lanes, central_kills.clone(), stopped));

        // The load: kiosk after kiosk, each SIGKILLed at a random moment, until one reaches the target.
        let mut anomalies: Vec<String> = Vec::new();
        let mut kiosk_kills = 0usize;
        let mut runs = 0usize;
        let bound = Duration::from_secs(args.minutes * 60);
        let mut reached = false;
        while began.elapsed() < bound {
            let run = runs;
            runs += 1;
            let mut child = spawn_kiosk(&dir, run, false)?;
            let lifetime = Duration::from_millis(rand::random_range(1_000..9_000));
            tokio::select! {
                status = child.wait() => {
                    match status {
                        Ok(status) if status.success() => reached = true,
                        Ok(status) => anomalies.push(format!(
                            "kiosk run {run} ended by itself with {status}:\n{}",
                            log_tail(&dir, run)
                        )),
                        Err(err) => anomalies.push(format!("kiosk run {run}: {err}")),
                    }
                    break;
                }
                () = tokio::time::sleep(lifetime) => {
                    // SIGKILL: no destructor, no flush, whatever it was doing.
                    child.kill().await.map_err(|e| format!("cannot kill the kiosk: {e}"))?;
                    kiosk_kills += 1;
                }
            }
            if kiosk_kills.is_multiple_of(10) && kiosk_kills > 0 {
                println!(
                    "soak: {:>5.0} s, {kiosk_kills} kiosk kills, {} central restarts, {} payments stored",
                    began.elapsed().as_secs_f64(),
                    central_kills.load(Ordering::SeqCst),
                    stored_payments(&dir)
                );
            }
        }
        if !reached && anomalies.is_empty() {
            anomalies.push(format!("the load phase hit its bound of {} minutes before the target", args.minutes));
        }

        // Heal: no more faults or restarts; a last kiosk drains the outbox and journals every settlement.
        let _ = stop.send(true);
        let _ = faults.await;
        match restarts.await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => anomalies.push(format!("the central did not restart: {err}")),
            Err(err) => anomalies.push(format!("the central restarter failed: {err}")),
        }
        {
            let mut guard = central.lock().await;
            if guard.is_none() {
                *guard = Some(start_central(&data, args.lanes, Some(addr)).await?);
            }
            if let Some(central) = guard.as_ref() {
                central.faults().clear_all();
            }
        }
        let run = runs;
        runs += 1;
        let mut last = spawn_kiosk(&dir, run, true)?;
        match tokio::time::timeout(Duration::from_secs(360), last.wait()).await {
            Ok(Ok(status)) if status.success() => {}
            Ok(Ok(status)) => {
                anomalies.push(format!("the last kiosk ended with {status}:\n{}", log_tail(&dir, run)));
            }
            Ok(Err(err)) => anomalies.push(format!("the last kiosk: {err}")),
            Err(_) => {
                let _ = last.kill().await;
                anomalies.push("the last kiosk did not finish draining in 6 minutes".into());
            }
        }
        if let Some(central) = central.lock().await.take() {
            central.shutdown().await;
        }
        let elapsed = began.elapsed();

        let figures = figures::compute(&dir)?;
        let restarts_reported = figures::restart_reports(&dir, runs);
        println!();
        println!("soak figures ({} s, {} kiosk runs)", elapsed.as_secs(), runs);
        println!("  kiosk kills (SIGKILL)                 {kiosk_kills:>7}");
        println!("  central restarts                      {:>7}", central_kills.load(Ordering::SeqCst));
        println!("  payments reversed at kiosk start      {:>7}", restarts_reported);
        figures.print();
        let mut code = 0u8;
        for anomaly in &anomalies {
            println!("ANOMALY: {anomaly}");
            code = 2;
        }
        if figures.violations() > 0 {
            println!("FAILED: the money promise was broken (details above; data kept in {})", dir.display());
            code = 1;
        } else {
            println!(
                "ok: nothing lost, nothing doubled, no one told \"no charge\" was charged, every charge journaled"
            );
        }
        Ok(ExitCode::from(code))
    }

    fn stored_payments(dir: &Path) -> usize {
        let read_only = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY;
        let Ok(conn) = rusqlite::Connection::open_with_flags(dir.join("outbox.sqlite"), read_only) else { return 0 };
        conn.query_row("SELECT COUNT(*) FROM commands WHERE kind = 'payment'", [], |r| r.get::<_, i64>(0))
            .map_or(0, |n| usize::try_from(n).unwrap_or(0))
    }
}

// ----------------------------------------------------------------------------------------------------------
// The figures
// ----------------------------------------------------------------------------------------------------------

mod figures {
    use super::*;

    /// What the central did for one operation id.
    #[derive(Debug, Default, Clone)]
    struct AtCentral {
        state: Option<String>,
        /// Signed movements in cents, in order.
        movements: Vec<i64>,
    }

    impl AtCentral {
        fn net(&self) -> i64 {
            self.movements.iter().sum()
        }

        fn charged(&self) -> bool {
            self.net() < 0
        }

        fn debits(&self) -> usize {
            self.movements.iter().filter(|m| **m < 0).count()
        }
    }

    /// One settlement record of the journal.
    #[derive(Debug, Clone)]
    struct Record {
        outcome: Outcome,
        detail: String,
    }

    #[derive(Debug, Default)]
    pub struct Figures {
        payments: usize,
        held: usize,
        applied: usize,
        reversed_after: usize,
        reversed_before: usize,
        refused: usize,
        lost: usize,
        doubled: usize,
        told_no_charge_charged: usize,
        charged_unjournaled: usize,
        // Beyond the four: worth knowing, and each also a broken promise if not zero.
        told_done_not_charged: usize,
        journaled_done_not_charged: usize,
        left_but_charged: usize,
        unknown_to_kiosk: usize,
        charged_told_nothing: usize,
        told: BTreeMap<&'static str, usize>,
        journal_records: u64,
        journal_intact: bool,
        journal_problem: Option<String>,
        details: Vec<String>,
    }

    fn cents(text: &str) -> Option<i64> {
        let value: f64 = text.trim().parse().ok()?;
        Some((value * 100.0).round() as i64)
    }

    fn central(dir: &Path) -> Res<BTreeMap<String, AtCentral>> {
        let path = dir.join("central").join("central.sqlite3");
        let conn = rusqlite::Connection::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut view: BTreeMap<String, AtCentral> = BTreeMap::new();
        let mut statement = conn.prepare("SELECT operation_id, state FROM payments").map_err(|e| e.to_string())?;
        let rows = statement
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| e.to_string())?;
        for row in rows {
            let (id, state) = row.map_err(|e| e.to_string())?;
            view.entry(id).or_default().state = Some(state);
        }
        let mut statement = conn
            .prepare("SELECT operation_id, amount FROM movements WHERE operation_id IS NOT NULL ORDER BY seq")
            .map_err(|e| e.to_string())?;
        let rows = statement
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| e.to_string())?;
        for row in rows {
            let (id, amount) = row.map_err(|e| e.to_string())?;
            let amount = cents(&amount).ok_or_else(|| format!("movement of {id}: amount {amount:?}"))?;
            view.entry(id).or_default().movements.push(amount);
        }
        Ok(view)
    }

    fn told_log(dir: &Path) -> Res<BTreeMap<Uuid, Vec<Told>>> {
        let text = match std::fs::read_to_string(dir.join("told.log")) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(err) => return Err(format!("told.log: {err}")),
        };
        let mut told: BTreeMap<Uuid, Vec<Told>> = BTreeMap::new();
        for line in text.lines() {
            let mut fields = line.split_whitespace();
            let (Some(id), Some(what)) = (fields.next(), fields.next()) else { continue };
            if let (Ok(id), Some(what)) = (Uuid::parse_str(id), Told::parse(what)) {
                told.entry(id).or_default().push(what);
            }
        }
        Ok(told)
    }

    fn journal(dir: &Path, figures: &mut Figures) -> Res<BTreeMap<Uuid, Record>> {
        let journal = Journal::open_existing(&dir.join("journal.sqlite")).map_err(|e| format!("journal: {e}"))?;
        match journal.verify() {
            Ok(report) => {
                figures.journal_records = report.records;
                figures.journal_intact = report.is_intact();
                if !report.is_intact() {
                    figures.journal_problem = Some(format!("{:?} {:?}", report.first_broken, report.damage));
                }
            }
            Err(err) => figures.journal_problem = Some(err.to_string()),
        }
        let from = chrono::DateTime::UNIX_EPOCH;
        let to = chrono::Utc::now() + chrono::Duration::days(2);
        let mut records = BTreeMap::new();
        for record in journal.range(from, to).map_err(|e| format!("journal: {e}"))? {
            if let JournalEvent::Operation { kind, outcome, detail, command_key: Some(key), .. } = record.event
                && kind == SETTLEMENT_KIND
            {
                records.insert(key, Record { outcome, detail: detail.as_str().to_owned() });
            }
        }
        Ok(records)
    }

    /// Adds up "payments reversed at start" from the kiosk logs.
    pub fn restart_reports(dir: &Path, runs: usize) -> usize {
        (0..runs)
            .filter_map(|run| std::fs::read_to_string(dir.join("logs").join(format!("kiosk-{run:04}.log"))).ok())
            .flat_map(|text| {
                text.lines()
                    .filter_map(|line| line.split(" reversed=").nth(1))
                    .filter_map(|rest| rest.split_whitespace().next().and_then(|n| n.parse::<usize>().ok()))
                    .collect::<Vec<_>>()
            })
            .sum()
    }

    fn describe(
        payment: Option<&StoredCommand>,
        reversal: Option<&StoredCommand>,
        at: Option<&AtCentral>,
        record: Option<&Record>,
        told: Option<&Vec<Told>>,
    ) -> String {
        let command = |c: Option<&StoredCommand>| {
            c.map_or("none".to_owned(), |c| {
                format!(
                    "#{} {} failures={} status={:?} answer={} close={:?}",
                    c.id,
                    c.state.as_str(),
                    c.failures,
                    c.answer_status,
                    c.answer.as_ref().map_or("-".to_owned(), |a| {
                        a.get("code").or_else(|| a.get("outcome")).map_or("ok".to_owned(), ToString::to_string)
                    }),
                    c.close_reason
                )
            })
        };
        format!(
            "payment {} | reversal {} | central {:?} movements {:?} | journal {:?} | told {:?}",
            command(payment),
            command(reversal),
            at.and_then(|a| a.state.clone()),
            at.map(|a| a.movements.clone()).unwrap_or_default(),
            record.map(|r| (r.outcome, r.detail.clone())),
            told.cloned().unwrap_or_default()
        )
    }

    pub fn compute(dir: &Path) -> Res<Figures> {
        let mut figures = Figures::default();
        let store = OutboxStore::open(&dir.join("outbox.sqlite")).map_err(|e| format!("outbox: {e}"))?;
        let commands = store.list(&[], None).map_err(|e| format!("outbox: {e}"))?;
        let reversals: BTreeMap<Uuid, &StoredCommand> = commands
            .iter()
            .filter(|c| c.kind == CommandKind::Reversal)
            .filter_map(|c| c.reverses.map(|key| (key, c)))
            .collect();
        let payments: Vec<&StoredCommand> = commands.iter().filter(|c| c.kind == CommandKind::Payment).collect();
        let central = central(dir)?;
        let told = told_log(dir)?;
        let records = journal(dir, &mut figures)?;
        figures.payments = payments.len();
        for list in told.values() {
            for what in list {
                *figures.told.entry(what.as_str()).or_default() += 1;
            }
        }
        figures.held = figures.told.get("held").copied().unwrap_or(0);
        for at in central.values() {
            match at.state.as_deref() {
                Some("applied") => figures.applied += 1,
                Some("reversed") => figures.reversed_after += 1,
                Some("reversed_before_payment") => figures.reversed_before += 1,
                _ => {}
            }
            if at.debits() > 1 {
                figures.doubled += 1;
            }
        }
        let mut known: BTreeSet<String> = BTreeSet::new();
        let detail = |figures: &mut Figures, what: &str, text: String| {
            if figures.details.len() < 40 {
                figures.details.push(format!("{what}: {text}"));
            }
        };
        for payment in &payments {
            let op = operation_id_of(payment);
            known.insert(op.clone());
            let reversal = reversals.get(&payment.key).copied();
            let at = central.get(&op);
            let record = records.get(&settlement_key(payment.key));
            let said = Uuid::parse_str(&op).ok().and_then(|id| told.get(&id));
            let charged = at.is_some_and(AtCentral::charged);
            let describe = || describe(Some(payment), reversal, at, record, said);
            if payment.state == State::Rejected {
                figures.refused += 1;
            }
            let open = payment.state.is_open() || reversal.is_some_and(|r| r.state.is_open());
            if open || record.is_none_or(|r| r.outcome == Outcome::Failed) {
                figures.lost += 1;
                detail(&mut figures, "LOST", describe());
            }
            if at.is_some_and(|a| a.debits() > 1) {
                detail(&mut figures, "DOUBLED", describe());
            }
            let said_list = said.cloned().unwrap_or_default();
            if charged && said_list.iter().any(|t| t.says_no_charge()) {
                figures.told_no_charge_charged += 1;
                detail(&mut figures, "TOLD NO CHARGE BUT CHARGED", describe());
            }
            if charged && !record.is_some_and(|r| r.outcome == Outcome::Approved) {
                figures.charged_unjournaled += 1;
                detail(&mut figures, "CHARGED WITHOUT A JOURNAL RECORD", describe());
            }
            if !charged && said_list.contains(&Told::Done) {
                figures.told_done_not_charged += 1;
                detail(&mut figures, "TOLD DONE, NOT CHARGED", describe());
            }
            if !charged && record.is_some_and(|r| r.outcome == Outcome::Approved) {
                figures.journaled_done_not_charged += 1;
                detail(&mut figures, "JOURNALED DONE, NOT CHARGED", describe());
            }
            if charged && said_list.contains(&Told::Left) {
                figures.left_but_charged += 1;
                detail(&mut figures, "LEFT (TERMINAR) BUT CHARGED", describe());
            }
            if charged && said_list.is_empty() {
                figures.charged_told_nothing += 1;
            }
        }
        // Held payments were never stored: the central must not know them.
        for (id, list) in &told {
            let op = id.to_string();
            if list.contains(&Told::Held) && central.get(&op).is_some_and(AtCentral::charged) {
                figures.told_no_charge_charged += 1;
                detail(&mut figures, "HELD BUT CHARGED", describe(None, None, central.get(&op), None, Some(list)));
            }
        }
        for (op, at) in &central {
            if known.contains(op) || at.movements.is_empty() {
                continue;
            }
            let held = Uuid::parse_str(op).ok().and_then(|id| told.get(&id)).is_some_and(|l| l.contains(&Told::Held));
            if !held && at.charged() {
                figures.unknown_to_kiosk += 1;
                figures.charged_unjournaled += 1;
                detail(&mut figures, "CHARGED, UNKNOWN TO THE KIOSK", format!("{op} {at:?}"));
            }
        }
        Ok(figures)
    }

    impl Figures {
        /// The four figures that must be zero, plus the other broken promises.
        pub fn violations(&self) -> usize {
            self.lost
                + self.doubled
                + self.told_no_charge_charged
                + self.charged_unjournaled
                + self.told_done_not_charged
                + self.journaled_done_not_charged
                + usize::from(!self.journal_intact)
        }

        pub fn print(&self) {
            let told: Vec<String> = self.told.iter().map(|(what, n)| format!("{what} {n}")).collect();
            println!("  payments (stored by the kiosk)        {:>7}", self.payments);
            println!("  held behind a reversal (not sent)     {:>7}", self.held);
            println!("  applied (charged at the central)      {:>7}", self.applied);
            println!(
                "  reversed                              {:>7}  ({} after applying, {} before the payment arrived)",
                self.reversed_after + self.reversed_before,
                self.reversed_after,
                self.reversed_before
            );
            println!("  refused by the central                {:>7}", self.refused);
            println!("  customers were told                   {}", told.join(", "));
            println!("  charged, kiosk died before telling    {:>7}", self.charged_told_nothing);
            println!("  terminar pressed, yet charged         {:>7}", self.left_but_charged);
            println!(
                "  journal                               {:>7} records, chain {}",
                self.journal_records,
                if self.journal_intact { "intact".to_owned() } else { format!("BROKEN {:?}", self.journal_problem) }
            );
            println!("  told done, not charged                {:>7}", self.told_done_not_charged);
            println!("  journaled done, not charged           {:>7}", self.journaled_done_not_charged);
            println!("  charged, unknown to the kiosk         {:>7}", self.unknown_to_kiosk);
            println!("  lost                                  {:>7}", self.lost);
            println!("  doubled                               {:>7}", self.doubled);
            println!("  told no charge but charged            {:>7}", self.told_no_charge_charged);
            println!("  charged without a journal record      {:>7}", self.charged_unjournaled);
            for line in &self.details {
                println!("  {line}");
            }
        }
    }
}
