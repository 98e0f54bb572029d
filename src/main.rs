//! The `servicaja` command: runs the kiosk and holds the technician's command-line tools.

mod cli;
#[cfg(feature = "demo")]
mod demo;
#[cfg(feature = "demo")]
mod demo_panel;
mod desk;
mod display;
mod kiosk;
mod logging;
mod metrics_source;
mod notify;
mod startup_probe;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::out::{errln, outln};
use clap::{Parser, Subcommand};
use servicaja_runtime::config;

#[derive(Parser)]
#[command(name = "servicaja", version, about = "ServiCaja Virtual: self-service kiosk of CAJA TACNA")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the kiosk (the default). Without --config it runs on the embedded demo defaults.
    Run {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Render every screen in both layouts and languages to PNG files (no display needed).
    Screenshots {
        #[arg(long, default_value = "shots")]
        out: PathBuf,
    },
    /// Write what the kiosk says on every customer screen (the screenshots' scenes) in Spanish and English:
    /// `DIR/<lang>-<scene>.txt`, one utterance a line, and `DIR/<lang>-<scene>.wav` from the speech engine
    /// (espeak-ng). No display or audio device needed.
    Speech {
        #[arg(long, default_value = "speech")]
        out: PathBuf,
        /// Only the scenes whose name contains this, or one of its comma-separated parts (`summary,clave`).
        #[arg(long)]
        only: Option<String>,
        /// The configuration whose `[audio]` engine, voices and rate to use (the embedded default otherwise).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    #[command(flatten)]
    Devices(cli::devices::DeviceCommand),
    /// The outbox of commands to the central: status, list, retry, cancel (technicians).
    Queue {
        #[arg(long, global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: cli::queue::QueueCommand,
    },
    /// The electronic journal: verify its hash chain, export records for audits.
    Journal {
        #[arg(long, global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: cli::journal::JournalCommand,
    },
    /// Technician tools of the maintenance mode: certificate expiry, log and journal export, paper counter.
    Maintenance {
        #[arg(long, global = true)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        command: cli::maintenance::MaintenanceCommand,
    },
    /// Technician and staff users of the maintenance mode (PINs stored as argon2 hashes).
    User {
        #[command(subcommand)]
        command: cli::user::UserCommand,
    },
    /// Pre-flight check of a kiosk: configuration, devices, certificates, central, clock, disk, permissions;
    /// each item ok or a problem with what to do. Exits 0 only when everything passed.
    Doctor {
        #[arg(long)]
        config: Option<PathBuf>,
        /// Language of the report.
        #[arg(long, value_enum, default_value_t)]
        lang: cli::doctor::ReportLang,
        /// The report as JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Load and validate a configuration (the embedded default when no path is given); prints `ok` or
    /// every problem with its file, key and reason, and exits with 2 when there is any.
    Check { path: Option<PathBuf> },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Every command prints through `cli::out`: a reader that goes away (`| head`) ends the output quietly.
    let code = match cli.command.unwrap_or(Command::Run { config: None }) {
        Command::Run { config } => run(config),
        Command::Config { command: ConfigCommand::Check { path } } => config_check(path),
        Command::Screenshots { out } => screenshots(&out),
        Command::Speech { out, only, config } => cli::speech::run(&out, only.as_deref(), config.as_deref()),
        Command::Devices(command) => cli::devices::run(command),
        Command::Queue { config, command } => cli::queue::run(config.as_deref(), command),
        Command::Journal { config, command } => cli::journal::run(config.as_deref(), command),
        Command::User { command } => cli::user::run(command),
        Command::Maintenance { config, command } => cli::maintenance::run(config.as_deref(), command),
        Command::Doctor { config, lang, json } => cli::doctor::run(config.as_deref(), lang, json),
    };
    cli::out::finish(code)
}

fn config_check(path: Option<PathBuf>) -> ExitCode {
    match config::load(path.as_deref()) {
        Ok(_) => {
            outln!("ok");
            ExitCode::SUCCESS
        }
        Err(problems) => {
            for problem in &problems {
                outln!("{problem}");
            }
            ExitCode::from(2)
        }
    }
}

fn screenshots(out: &std::path::Path) -> ExitCode {
    match servicaja_ui::screenshots::render_all(out, &mut |scene, screen| outln!("{scene:<22} {screen}")) {
        Ok(files) => {
            for file in files {
                outln!("{}", file.display());
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            errln!("screenshots: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(config: Option<PathBuf>) -> ExitCode {
    let loaded = match config::load(config.as_deref()) {
        Ok(loaded) => loaded,
        Err(problems) => {
            errln!("The configuration has problems; the kiosk cannot start:");
            for problem in &problems {
                errln!("  {problem}");
            }
            return ExitCode::from(2);
        }
    };
    // Kept until the kiosk returns: dropping it flushes and stops the log files' writer.
    let _log_guard = logging::init(std::path::Path::new(&loaded.settings.kiosk.data_dir));
    outln!(
        "ServiCaja {} — kiosk {} ({}), mode {:?}",
        env!("CARGO_PKG_VERSION"),
        loaded.settings.kiosk.id,
        loaded.settings.kiosk.agency_name,
        loaded.settings.kiosk.mode
    );
    match kiosk::run(loaded) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            errln!("The kiosk stopped: {err}");
            ExitCode::FAILURE
        }
    }
}
