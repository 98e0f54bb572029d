//! The technician's command-line tools: the pre-flight check (`doctor`), devices, the outbox queue, the journal, the maintenance mode's
//! checks and exports, the maintenance users, and what audio mode says (`speech`); each prints through [`out`].

pub mod devices;
pub mod doctor;
pub mod journal;
pub mod maintenance;
pub mod out;
pub mod queue;
pub mod speech;
pub mod user;

use std::path::Path;

use servicaja_core::settings::Settings;

use out::errln;

/// Loads the configuration for a command-line tool: the settings, or every problem printed on stderr and
/// the exit code 2 that tells a script the configuration is at fault.
pub fn settings_or_exit(path: Option<&Path>) -> Result<Settings, std::process::ExitCode> {
    servicaja_runtime::config::load(path).map(|loaded| loaded.settings).map_err(|problems| {
        for problem in &problems {
            errln!("{problem}");
        }
        std::process::ExitCode::from(2)
    })
}
