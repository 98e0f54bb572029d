//! The simulator's SQLite state (WAL, synchronous=FULL): schema, fixture loading and small helpers.
//! Every operation runs in one IMMEDIATE transaction, so a crash leaves either all of it or none.

use std::path::Path;

use chrono::NaiveDate;
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use crate::CentralError;
use crate::fixtures::Fixtures;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    dni TEXT NOT NULL,
    card_hash TEXT NOT NULL UNIQUE,
    card_last4 TEXT NOT NULL,
    clave_hash TEXT NOT NULL,
    clave_failures INTEGER NOT NULL DEFAULT 0,
    card_locked INTEGER NOT NULL DEFAULT 0,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    record_json TEXT NOT NULL,
    enrollment_failures INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS accounts (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    number TEXT NOT NULL,
    product_name TEXT NOT NULL,
    currency TEXT NOT NULL,
    balance TEXT NOT NULL,
    status TEXT NOT NULL,
    signature TEXT NOT NULL,
    affiliated INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS movements (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    at TEXT NOT NULL,
    description TEXT NOT NULL,
    amount TEXT NOT NULL,
    balance_after TEXT NOT NULL,
    operation_id TEXT
);
CREATE INDEX IF NOT EXISTS movements_by_account ON movements(account_id, seq);
CREATE TABLE IF NOT EXISTS loans (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    number TEXT NOT NULL,
    product_type TEXT NOT NULL,
    product_name TEXT NOT NULL,
    currency TEXT NOT NULL,
    disbursed TEXT NOT NULL,
    state_json TEXT NOT NULL,
    cancelled_on TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS otps (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    purpose TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS idempotency_by_age ON idempotency(created_at);
CREATE TABLE IF NOT EXISTS payments (
    operation_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    customer_id TEXT,
    loan_id TEXT,
    account_id TEXT,
    debit TEXT,
    loan_before TEXT,
    loan_after TEXT,
    response TEXT,
    reversal_response TEXT,
    reversal_reason TEXT,
    created_at TEXT NOT NULL,
    amount TEXT,
    currency TEXT
);
CREATE INDEX IF NOT EXISTS payments_by_customer ON payments(customer_id, created_at);
CREATE TABLE IF NOT EXISTS affiliation_log (
    operation_number TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS certificates (
    number TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    body TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    ticket TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    loan_id TEXT,
    detail TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    deadline TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS enrollments (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    questions_json TEXT NOT NULL,
    state TEXT NOT NULL,
    otp_id TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"#;

const STATE_TABLES: [&str; 15] = [
    "movements",
    "sessions",
    "otps",
    "idempotency",
    "payments",
    "affiliation_log",
    "certificates",
    "requests",
    "enrollments",
    "outbox",
    "counters",
    "accounts",
    "loans",
    "customers",
    "meta",
];

pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// The stored form of a card number: its digest, never the digits.
pub fn card_hash(card_digits: &str) -> String {
    sha256_hex(&[b"card", card_digits.as_bytes()])
}

/// The stored form of a clave, salted with the customer id (a simulator: no work factor needed).
pub fn clave_hash(customer_id: &str, clave: &str) -> String {
    sha256_hex(&[b"clave", customer_id.as_bytes(), clave.as_bytes()])
}

pub fn db_error(error: impl std::fmt::Display) -> CentralError {
    CentralError::Database(error.to_string())
}

/// Opens (creating if needed) the database; loads the fixtures when `reset` or when it is empty.
pub fn open(path: &Path, fixtures: &Fixtures, today: NaiveDate, reset: bool) -> Result<Connection, CentralError> {
    let mut conn = Connection::open(path).map_err(db_error)?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(db_error)?;
    conn.pragma_update(None, "synchronous", "FULL").map_err(db_error)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(db_error)?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(db_error)?;
    conn.execute_batch(SCHEMA).map_err(db_error)?;
    conn.execute_batch(crate::fleet::SCHEMA).map_err(db_error)?;
    let loaded: bool = conn
        .query_row("SELECT EXISTS(SELECT 1 FROM meta WHERE key = 'fixtures_loaded')", [], |r| r.get(0))
        .map_err(db_error)?;
    if reset || !loaded {
        load_fixtures(&mut conn, fixtures, today)?;
    }
    Ok(conn)
}

fn load_fixtures(conn: &mut Connection, fixtures: &Fixtures, today: NaiveDate) -> Result<(), CentralError> {
    let tx = conn.transaction().map_err(db_error)?;
    for table in STATE_TABLES.iter().chain(crate::fleet::TABLES.iter()) {
        tx.execute(&format!("DELETE FROM {table}"), []).map_err(db_error)?;
    }
    for customer in &fixtures.customers {
        let card = servicaja_core::identity::card::CardNumber::parse(&customer.card)
            .map_err(|e| CentralError::Fixtures(format!("customer {}: card: {e}", customer.id)))?;
        let record = serde_json::json!({
            "birth_date": customer.birth_date,
            "profession": customer.profession,
            "spouse_phone": customer.spouse_phone,
            "employer_since": customer.employer_since,
            "phone": customer.phone,
        });
        tx.execute(
            "INSERT INTO customers (id, name, dni, card_hash, card_last4, clave_hash, clave_failures, card_locked,
                 phone, email, record_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                customer.id,
                customer.name,
                customer.dni,
                card_hash(card.expose_digits()),
                card.last_four(),
                clave_hash(&customer.id, &customer.clave),
                if customer.card_locked { 3 } else { 0 },
                customer.card_locked,
                customer.phone,
                customer.email,
                record.to_string(),
            ],
        )
        .map_err(db_error)?;
        for account in &customer.accounts {
            tx.execute(
                "INSERT INTO accounts (id, customer_id, number, product_name, currency, balance, status, signature,
                     affiliated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    account.id,
                    customer.id,
                    account.number,
                    account.product_name,
                    enum_text(&account.currency),
                    account.balance.round_dp(2).to_string(),
                    enum_text(&account.status),
                    enum_text(&account.signature),
                    account.internet_purchases,
                ],
            )
            .map_err(db_error)?;
        }
        for loan in &customer.loans {
            let state = loan.state(today)?;
            let cancelled_on =
                if state.is_cancelled() { state.installments.last().map(|i| i.due_date.to_string()) } else { None };
            tx.execute(
                "INSERT INTO loans (id, customer_id, number, product_type, product_name, currency, disbursed,
                     state_json, cancelled_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    loan.id,
                    customer.id,
                    loan.number,
                    enum_text(&loan.product_type),
                    loan.product_name,
                    enum_text(&loan.currency),
                    loan.principal.to_string(),
                    serde_json::to_string(&state).map_err(db_error)?,
                    cancelled_on,
                ],
            )
            .map_err(db_error)?;
        }
    }
    tx.execute("INSERT INTO meta (key, value) VALUES ('fixtures_loaded', ?1)", params![today.to_string()])
        .map_err(db_error)?;
    tx.commit().map_err(db_error)
}

/// The serde name of a unit enum variant (`"PEN"`, `"active"`…), as stored in text columns.
pub fn enum_text<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// Parses a text column back into a unit enum.
pub fn enum_from<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// Next value of a named counter (operation numbers, tickets, certificates).
pub fn next_counter(conn: &Connection, name: &str) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO counters (name, value) VALUES (?1, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
        params![name],
    )?;
    conn.query_row("SELECT value FROM counters WHERE name = ?1", params![name], |r| r.get(0))
}
