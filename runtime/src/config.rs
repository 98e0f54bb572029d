//! Loading the kiosk's configuration: the embedded default or a TOML file, and the data tables it
//! names, with every problem reported as file + key + reason.

use std::fmt;
use std::path::Path;

use servicaja_core::channels::ChannelTable;
use servicaja_core::disclosures::Disclosures;
use servicaja_core::settings::{Mode, Problem, Settings};

/// The configuration the kiosk runs with when no file is given.
pub const EMBEDDED_SETTINGS: &str = include_str!("../../config/kiosk.toml");
const EMBEDDED_NAME: &str = "<embedded>/config/kiosk.toml";

/// A problem located in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub file: String,
    pub problem: Problem,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.problem.key, self.problem.reason)
    }
}

/// A configuration that passed validation, together with the data tables it names.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub settings: Settings,
    pub channels: ChannelTable,
    pub disclosures: Disclosures,
}

impl Loaded {
    /// The session's configuration: timings and keyed-entry choices from the settings, the kiosk's limits
    /// from the channel table and the Información tables from the disclosures the configuration names.
    pub fn session_config(&self) -> servicaja_session::SessionConfig {
        servicaja_session::SessionConfig::from_settings(&self.settings)
            .with_channel_limits(&self.channels)
            .with_disclosures(self.disclosures.clone())
    }
}

/// Loads and validates the configuration at `path`, or the embedded default.
pub fn load(path: Option<&Path>) -> Result<Loaded, Vec<FileProblem>> {
    let (name, text) = match path {
        None => (EMBEDDED_NAME.to_string(), EMBEDDED_SETTINGS.to_string()),
        Some(path) => {
            let name = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(text) => (name, text),
                Err(err) => return Err(vec![at(&name, Problem::new("(file)", format!("cannot be read: {err}")))]),
            }
        }
    };
    let settings = parse(&text).map_err(|problem| vec![at(&name, problem)])?;
    let mut problems: Vec<FileProblem> = settings.validate().into_iter().map(|p| at(&name, p)).collect();
    problems.extend(demo_users_in_production(&settings).into_iter().map(|p| at(&name, p)));
    let channels =
        table(&settings.data.channels, "data.channels", &name, ChannelTable::embedded, ChannelTable::from_toml);
    let disclosures =
        table(&settings.data.disclosures, "data.disclosures", &name, Disclosures::embedded, Disclosures::from_toml);
    let channels = channels.map_err(|found| problems.extend(found)).ok();
    let disclosures = disclosures.map_err(|found| problems.extend(found)).ok();
    match (channels, disclosures) {
        (Some(channels), Some(disclosures)) if problems.is_empty() => Ok(Loaded { settings, channels, disclosures }),
        _ => Err(problems),
    }
}

/// In production mode, the users whose PIN is one of the embedded demo configuration's: their PINs are
/// printed in the README, so a kiosk keeping them could be opened by anyone.
fn demo_users_in_production(settings: &Settings) -> Vec<Problem> {
    if settings.kiosk.mode != Mode::Production {
        return Vec::new();
    }
    let Ok(embedded) = parse(EMBEDDED_SETTINGS) else { return Vec::new() };
    let demo_hashes: Vec<&str> = embedded.maintenance.users.iter().map(|user| user.pin_hash.as_str()).collect();
    settings
        .maintenance
        .users
        .iter()
        .enumerate()
        .filter(|(_, user)| demo_hashes.contains(&user.pin_hash.as_str()))
        .map(|(index, user)| {
            Problem::new(
                format!("maintenance.users[{index}].pin_hash"),
                format!(
                    "user {} keeps a demo PIN, which the README shows: remove the demo users and add real ones \
                     with `servicaja user add`",
                    user.id
                ),
            )
        })
        .collect()
}

/// Loads a data table: the one embedded in the binary when `path` is empty, else the file, whose problems
/// are reported against that file.
fn table<T>(
    path: &str,
    key: &str,
    settings_file: &str,
    embedded: fn() -> Result<T, Vec<Problem>>,
    from_toml: fn(&str) -> Result<T, Vec<Problem>>,
) -> Result<T, Vec<FileProblem>> {
    if path.trim().is_empty() {
        return embedded().map_err(|problems| problems.into_iter().map(|p| at("<embedded table>", p)).collect());
    }
    let text = std::fs::read_to_string(path)
        .map_err(|err| vec![at(settings_file, Problem::new(key, format!("{path} cannot be read: {err}")))])?;
    from_toml(&text).map_err(|problems| problems.into_iter().map(|p| at(path, p)).collect())
}

fn at(file: &str, problem: Problem) -> FileProblem {
    FileProblem { file: file.to_string(), problem }
}

/// Parses settings TOML; a syntax or type error becomes one problem naming the key and line.
pub fn parse(text: &str) -> Result<Settings, Problem> {
    toml::from_str::<Settings>(text).map_err(|err| {
        let line = err.span().map(|span| 1 + text[..span.start.min(text.len())].matches('\n').count());
        let key = line.map_or_else(|| "(file)".to_string(), |line| format!("(line {line})"));
        Problem::new(key, err.message().trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_default_is_valid() {
        let loaded = load(None).expect("embedded configuration must be valid");
        assert_eq!(loaded.settings, parse(EMBEDDED_SETTINGS).unwrap());
    }

    #[test]
    fn a_production_configuration_keeping_the_demo_users_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("kiosk.toml");
        std::fs::write(&file, EMBEDDED_SETTINGS.replacen("mode = \"demo\"", "mode = \"production\"", 1)).unwrap();
        let problems = load(Some(&file)).expect_err("production with the demo users");
        let keys: Vec<&str> = problems.iter().map(|p| p.problem.key.as_str()).collect();
        for key in ["maintenance.users[0].pin_hash", "maintenance.users[1].pin_hash"] {
            assert!(keys.contains(&key), "{key} in {keys:?}");
        }
        assert!(problems.iter().any(|p| p.to_string().contains("user 1001 keeps a demo PIN")), "{problems:?}");
        assert!(demo_users_in_production(&parse(EMBEDDED_SETTINGS).unwrap()).is_empty(), "demo mode may keep them");
    }

    #[test]
    fn an_unknown_key_names_its_line() {
        let problem = parse("[printer]\ncolumns = 48\npaper = 1\n").unwrap_err();
        assert_eq!(problem.key, "(line 3)");
        assert!(problem.reason.contains("paper"), "{problem}");
    }

    #[test]
    fn a_broken_data_table_is_reported_against_its_own_file() {
        let dir = tempfile::tempdir().unwrap();
        let channels = dir.path().join("channels.toml");
        std::fs::write(&channels, "this is = not [a table").unwrap();
        let settings = dir.path().join("kiosk.toml");
        let missing = dir.path().join("missing.toml");
        std::fs::write(
            &settings,
            format!(
                "[data]\nchannels = {:?}\ndisclosures = {:?}\n",
                channels.display().to_string(),
                missing.display().to_string()
            ),
        )
        .unwrap();
        let problems = load(Some(&settings)).unwrap_err();
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 2, "{lines:?}");
        assert_eq!(problems[0].file, channels.display().to_string(), "{lines:?}");
        assert_eq!(problems[1].file, settings.display().to_string(), "{lines:?}");
        assert_eq!(problems[1].problem.key, "data.disclosures", "{lines:?}");
    }

    #[test]
    fn the_embedded_tables_are_valid() {
        assert!(ChannelTable::embedded().unwrap().validate().is_empty());
        assert!(Disclosures::embedded().unwrap().validate().is_empty());
    }

    #[test]
    fn a_missing_file_is_a_problem_not_a_panic() {
        let problems = load(Some(Path::new("/nonexistent/kiosk.toml"))).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].to_string().starts_with("/nonexistent/kiosk.toml: (file): cannot be read"));
    }
}
