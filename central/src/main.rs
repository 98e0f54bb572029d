//! `servicaja-central`: runs the central API simulator until Ctrl-C; `servicaja-central fleet …` reads the
//! kiosks' reports and queues commands for them in the simulator's database (also while it runs).

mod fleet_cli;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use servicaja_central::{CentralConfig, SystemClock, start};

/// The caja's central API simulator (HTTPS on loopback).
#[derive(Debug, Parser)]
#[command(name = "servicaja-central", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8443")]
    listen: SocketAddr,
    /// Data directory (SQLite state and the development PKI). The kiosk's demo central keeps its data in
    /// `<kiosk data_dir>/central` (`var/central` with the default configuration).
    #[arg(long = "data", default_value = "var/central", global = true)]
    data_dir: PathBuf,
    /// Demo mode: create a development PKI on first start, enable the SMS/e-mail outbox endpoint.
    #[arg(long)]
    demo: bool,
    /// Restore the fixture data (wipes all state).
    #[arg(long)]
    reset: bool,
    /// Require kiosk client certificates issued by the development CA.
    #[arg(long)]
    mtls: bool,
    /// Fixture file to load instead of the embedded one.
    #[arg(long)]
    fixtures: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// The kiosks' status reports and remote commands (reads and writes the database in --data).
    #[command(subcommand)]
    Fleet(fleet_cli::FleetCommand),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let args = Args::parse();
    if let Some(Command::Fleet(command)) = args.command {
        return fleet_cli::run(&args.data_dir, command);
    }
    let fixtures_toml = match &args.fixtures {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(error) => {
                eprintln!("cannot read the fixture file {}: {error}", path.display());
                return std::process::ExitCode::FAILURE;
            }
        },
        None => None,
    };
    let config = CentralConfig {
        listen: args.listen,
        data_dir: args.data_dir,
        demo: args.demo,
        reset: args.reset,
        mtls: args.mtls,
        clock: Arc::new(SystemClock),
        fixtures_toml,
        channels_toml: None,
    };
    let central = match start(config).await {
        Ok(central) => central,
        Err(error) => {
            eprintln!("{error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("servicaja-central listening on {}", central.base_url());
    println!("CA certificate:     {}", central.ca_cert_path().display());
    println!("kiosk client cert:  {}", central.client_cert_path().display());
    println!("kiosk client key:   {}", central.client_key_path().display());
    let _ = tokio::signal::ctrl_c().await;
    central.shutdown().await;
    std::process::ExitCode::SUCCESS
}
