//! A crash mid-request leaves no half-applied operation: the `servicaja-central` binary is killed
//! (SIGKILL) while payments are in flight, and its database is then checked operation by operation.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rust_decimal::Decimal;
use serde_json::json;
use servicaja_core::api::{IDEMPOTENCY_KEY_HEADER, paths};

use crate::harness::{JESUS, client_from};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits for the child to serve (process start-up has no clock to inject).
async fn wait_until_serving(http_ca: &std::path::Path, base: &str) -> reqwest::Client {
    for _ in 0..600 {
        if http_ca.is_file() {
            let http = client_from(http_ca, None);
            if http.get(format!("{base}{}", paths::HEALTH)).send().await.is_ok_and(|r| r.status().is_success()) {
                return http;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("servicaja-central did not start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_process_leaves_no_half_applied_payment() {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let base = format!("https://{addr}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_servicaja-central"))
        .args(["--listen", &addr, "--data"])
        .arg(dir.path())
        .arg("--demo")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let http = wait_until_serving(&dir.path().join("pki/ca.pem"), &base).await;
    let login = http
        .post(format!("{base}{}", paths::SESSIONS))
        .header(IDEMPOTENCY_KEY_HEADER, "crash-login")
        .json(&json!({"card_number": JESUS.0, "dni": JESUS.1, "clave": JESUS.2}))
        .send()
        .await
        .unwrap();
    let token = login.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();

    let applied = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (loan, account) in [("L-00360001", "A-00121112"), ("L-00340001", "A-00121110"), ("L-00350001", "A-00121210")] {
        let (http, base, token, applied) = (http.clone(), base.clone(), token.clone(), applied.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let operation = uuid::Uuid::now_v7();
                let body = json!({"operation_id": operation, "loan_id": loan, "debit_account_id": account,
                    "option": "due_installment"});
                let sent = http
                    .post(format!("{base}{}", paths::PAYMENTS))
                    .bearer_auth(&token)
                    .header(IDEMPOTENCY_KEY_HEADER, operation.to_string())
                    .json(&body)
                    .send()
                    .await;
                match sent {
                    Ok(response) if response.status().is_success() => {
                        applied.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        }));
    }
    while applied.load(Ordering::SeqCst) < 4 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    for task in tasks {
        task.await.unwrap();
    }

    // The oracle: the database itself, opened after the crash (WAL recovery happens here).
    let conn = rusqlite::Connection::open(dir.path().join("central.sqlite3")).unwrap();
    let payments: Vec<(String, String, String, String, String)> = conn
        .prepare("SELECT operation_id, account_id, loan_id, debit, loan_after FROM payments WHERE state = 'applied' ORDER BY rowid")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(payments.len() >= 4, "the payments answered before the kill are stored");
    let mut movements: HashMap<String, Vec<Decimal>> = HashMap::new();
    let mut statement = conn.prepare("SELECT operation_id, amount FROM movements").unwrap();
    for row in statement.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).unwrap() {
        let (operation, amount) = row.unwrap();
        movements.entry(operation).or_default().push(amount.parse().unwrap());
    }
    assert_eq!(movements.len(), payments.len(), "every movement belongs to an applied payment and vice versa");
    let mut last_state: HashMap<String, String> = HashMap::new();
    let mut debits: HashMap<String, Decimal> = HashMap::new();
    for (operation, account, loan, debit, loan_after) in &payments {
        let debit: Decimal = debit.parse().unwrap();
        assert_eq!(movements[operation], vec![-debit], "one debit movement per payment");
        *debits.entry(account.clone()).or_default() += debit;
        last_state.insert(loan.clone(), loan_after.clone());
    }
    for (account, initial) in [("A-00121112", "25000.00"), ("A-00121110", "8500.00"), ("A-00121210", "2000.00")] {
        let balance: String =
            conn.query_row("SELECT balance FROM accounts WHERE id = ?1", [account], |r| r.get(0)).unwrap();
        let expected = initial.parse::<Decimal>().unwrap() - debits.get(account).copied().unwrap_or_default();
        assert_eq!(balance.parse::<Decimal>().unwrap(), expected, "balance of {account}");
    }
    for (loan, state) in last_state {
        let stored: String =
            conn.query_row("SELECT state_json FROM loans WHERE id = ?1", [&loan], |r| r.get(0)).unwrap();
        assert_eq!(stored, state, "loan {loan} is in the state its last payment left");
    }
}
