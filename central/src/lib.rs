//! ServiCaja's central API simulator: the caja's side of the contract in `servicaja_core::api`, served over
//! HTTPS (rustls, optional mutual TLS) with SQLite state, idempotency, reversals and fault injection.
//!
//! Start it in-process with [`start`] (the kiosk's demo mode, other crates' tests) or as the
//! `servicaja-central` binary.

pub mod clock;
mod db;
pub mod faults;
pub mod fixtures;
pub mod fleet;
pub mod routes;
mod server;
mod service;
pub mod tls;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use servicaja_core::channels::ChannelTable;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

pub use clock::{Clock, ManualClock, SystemClock};
pub use faults::{Fault, Faults};
pub use fixtures::{DEFAULT_FIXTURES, Fixtures};
pub use tls::PkiPaths;

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum CentralError {
    #[error("central simulator: I/O error ({0}); check the data directory and the listen address")]
    Io(#[from] std::io::Error),
    #[error("central simulator: TLS setup failed: {0}")]
    Tls(String),
    #[error("central simulator: database error: {0}; the data directory may be damaged, start with --reset")]
    Database(String),
    #[error("central simulator: the fixture file is invalid: {0}")]
    Fixtures(String),
}

/// How to start the simulator.
#[derive(Debug, Clone)]
pub struct CentralConfig {
    /// Address to listen on; port 0 picks a free one (see [`RunningCentral::local_addr`]).
    pub listen: SocketAddr,
    /// Holds `central.sqlite3` and `pki/` (the development CA and certificates).
    pub data_dir: PathBuf,
    /// Demo mode: creates the development PKI when missing and enables the SMS/e-mail outbox endpoint.
    pub demo: bool,
    /// Restore the fixtures, wiping all state.
    pub reset: bool,
    /// Require a client certificate issued by the CA (mutual TLS).
    pub mtls: bool,
    /// Source of time; tests pass a [`ManualClock`].
    pub clock: Arc<dyn Clock>,
    /// Fixture TOML to load instead of the embedded `config/central/fixtures.toml`.
    pub fixtures_toml: Option<String>,
    /// Channel table (R8 eligibility, R9 limits) instead of servicaja-core's embedded `config/channels.toml`.
    pub channels_toml: Option<String>,
}

impl CentralConfig {
    /// Demo mode on 127.0.0.1 with a free port, no mutual TLS, the system clock and the embedded fixtures.
    pub fn demo(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            demo: true,
            reset: false,
            mtls: false,
            clock: Arc::new(SystemClock),
            fixtures_toml: None,
            channels_toml: None,
        }
    }
}

/// A running simulator. Dropping it stops accepting and closes its connections (without waiting);
/// [`RunningCentral::shutdown`] also waits until the server task has finished.
pub struct RunningCentral {
    addr: SocketAddr,
    pki: PkiPaths,
    faults: Faults,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Drop for RunningCentral {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

impl std::fmt::Debug for RunningCentral {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningCentral").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl RunningCentral {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT` (the server certificate is valid for 127.0.0.1 and localhost).
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// PEM of the CA that issued the server and kiosk certificates: the kiosk pins it.
    pub fn ca_cert_path(&self) -> &Path {
        &self.pki.ca_cert
    }

    /// PEM of the kiosk's client certificate (mutual TLS).
    pub fn client_cert_path(&self) -> &Path {
        &self.pki.client_cert
    }

    /// PEM of the kiosk's client private key (mutual TLS).
    pub fn client_key_path(&self) -> &Path {
        &self.pki.client_key
    }

    pub fn pki(&self) -> &PkiPaths {
        &self.pki
    }

    /// The fault table; changes apply to the next request.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Sets the fault of one route template, e.g. `servicaja_core::api::paths::PAYMENTS`.
    pub fn set_fault(&self, route: &str, fault: Fault) {
        self.faults.set(route, fault);
    }

    /// Stops accepting, closes open connections and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// Starts the simulator on the current tokio runtime and returns once it is listening.
pub async fn start(config: CentralConfig) -> Result<RunningCentral, CentralError> {
    std::fs::create_dir_all(&config.data_dir)?;
    let fixtures = Arc::new(Fixtures::parse(config.fixtures_toml.as_deref().unwrap_or(fixtures::DEFAULT_FIXTURES))?);
    let channels = Arc::new(
        match &config.channels_toml {
            Some(text) => ChannelTable::from_toml(text),
            None => ChannelTable::embedded(),
        }
        .map_err(|problems| {
            CentralError::Fixtures(format!(
                "channel table: {}",
                problems.iter().map(|p| format!("{}: {}", p.key, p.reason)).collect::<Vec<_>>().join("; ")
            ))
        })?,
    );
    let pki = tls::ensure_pki(&config.data_dir, config.demo)?;
    let tls_config = tls::server_config(&pki, config.mtls)?;
    let today = clock::peru_date(config.clock.now());
    let db_path = config.data_dir.join("central.sqlite3");
    let reset = config.reset;
    let db_fixtures = fixtures.clone();
    let conn = tokio::task::spawn_blocking(move || db::open(&db_path, &db_fixtures, today, reset))
        .await
        .map_err(|e| CentralError::Database(e.to_string()))??;
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let faults = Faults::default();
    let state = routes::AppState {
        db: Arc::new(Mutex::new(conn)),
        clock: config.clock.clone(),
        fixtures,
        channels,
        demo: config.demo,
        faults: faults.clone(),
    };
    let router = routes::router(state);
    let (shutdown, shutdown_rx) = watch::channel(false);
    let acceptor = TlsAcceptor::from(Arc::new(tls_config));
    let task = tokio::spawn(server::serve(listener, acceptor, router, shutdown_rx));
    tracing::info!(%addr, demo = config.demo, mtls = config.mtls, "central simulator listening");
    Ok(RunningCentral { addr, pki, faults, shutdown, task: Some(task) })
}

/// Only restores the fixtures in `data_dir` (what `servicaja-central --reset` does before serving).
pub fn reset_data(data_dir: &Path, fixtures_toml: Option<&str>, clock: &dyn Clock) -> Result<(), CentralError> {
    std::fs::create_dir_all(data_dir)?;
    let fixtures = Fixtures::parse(fixtures_toml.unwrap_or(fixtures::DEFAULT_FIXTURES))?;
    db::open(&data_dir.join("central.sqlite3"), &fixtures, clock::peru_date(clock.now()), true).map(|_| ())
}
