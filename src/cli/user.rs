//! `servicaja user add --role technician|staff --id ID --name NAME [--config PATH]`: reads the PIN twice
//! without echo (or two lines of standard input when it is not a terminal, for scripts), hashes it with
//! argon2 and appends the user to the TOML configuration, keeping every other byte of the file, which is
//! left readable by its owner only (0600).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use servicaja_core::settings::{MaintenanceUser, Role};
use servicaja_maintenance::{PinFormatError, check_pin_format};
use zeroize::Zeroizing;

use crate::cli::out::{errln, outln};
use servicaja_runtime::pin::{PinHashError, hash_pin};

/// The configuration file written when `--config` is not given.
pub const DEFAULT_CONFIG: &str = "kiosk.toml";

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Technician,
    Staff,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Technician => Role::Technician,
            RoleArg::Staff => Role::Staff,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a technician or staff member; the PIN (6 to 12 digits) is asked twice and stored only as an
    /// argon2 hash.
    Add {
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The configuration file to add the user to (created when missing); default `kiosk.toml`.
        #[arg(long)]
        config: Option<PathBuf>,
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum UserAddError {
    #[error("the id must be 1 to 32 letters, digits, '-' or '_'")]
    BadId,
    #[error("the name must not be empty")]
    EmptyName,
    #[error("the two PINs differ: nothing was written")]
    PinsDiffer,
    #[error("{0}: nothing was written")]
    PinFormat(#[from] PinFormatError),
    #[error("the PIN could not be read: {0}")]
    ReadPin(std::io::Error),
    #[error(transparent)]
    Hash(#[from] PinHashError),
    #[error("a user with id \"{0}\" already exists in the configuration")]
    DuplicateId(String),
    #[error("{path} is not a configuration this tool can add to ({reason}); fix it first, nothing was written")]
    Unparsable { path: String, reason: String },
    #[error("{path} cannot be read or written: {source}")]
    Io { path: String, source: std::io::Error },
}

pub fn run(command: UserCommand) -> ExitCode {
    let UserCommand::Add { role, config, id, name } = command;
    let path = config.unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG));
    let result = read_pin_twice().and_then(|pin| add_user(&path, &id, &name, role.into(), &pin));
    match result {
        Ok(()) => {
            outln!("user {id} added to {} (PIN stored as an argon2 hash)", path.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            errln!("user add: {err}");
            ExitCode::from(2)
        }
    }
}

/// Two PINs from the terminal without echo, or two lines of standard input; they must match.
fn read_pin_twice() -> Result<Zeroizing<String>, UserAddError> {
    let (first, second) = if std::io::stdin().is_terminal() {
        let first = Zeroizing::new(rpassword::prompt_password("PIN: ").map_err(UserAddError::ReadPin)?);
        let second = Zeroizing::new(rpassword::prompt_password("PIN again: ").map_err(UserAddError::ReadPin)?);
        (first, second)
    } else {
        let mut lines = std::io::stdin().lock();
        let mut read = || -> Result<Zeroizing<String>, UserAddError> {
            let mut line = Zeroizing::new(String::new());
            lines.read_line(&mut line).map_err(UserAddError::ReadPin)?;
            Ok(Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_owned()))
        };
        (read()?, read()?)
    };
    if first != second {
        return Err(UserAddError::PinsDiffer);
    }
    Ok(first)
}

/// Hashes `pin` and appends the user to the configuration at `path` (created when missing). The file is
/// replaced atomically and only when the result still parses with one more user and no problem in the
/// users; otherwise it is left untouched.
pub fn add_user(path: &Path, id: &str, name: &str, role: Role, pin: &str) -> Result<(), UserAddError> {
    let id = id.trim();
    if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(UserAddError::BadId);
    }
    if name.trim().is_empty() {
        return Err(UserAddError::EmptyName);
    }
    check_pin_format(pin)?;
    let io = |source| UserAddError::Io { path: path.display().to_string(), source };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(io(source)),
    };
    let unparsable = |reason: String| UserAddError::Unparsable { path: path.display().to_string(), reason };
    let before = servicaja_runtime::config::parse(&text).map_err(|problem| unparsable(problem.to_string()))?;
    if before.maintenance.users.iter().any(|user| user.id == id) {
        return Err(UserAddError::DuplicateId(id.to_owned()));
    }
    let user = MaintenanceUser { id: id.to_owned(), name: name.trim().to_owned(), role, pin_hash: hash_pin(pin)? };
    let mut after_text = text.clone();
    if !after_text.is_empty() && !after_text.ends_with('\n') {
        after_text.push('\n');
    }
    after_text.push_str(&user_table(&user));
    let after = servicaja_runtime::config::parse(&after_text).map_err(|problem| unparsable(problem.to_string()))?;
    if after.maintenance.users.len() != before.maintenance.users.len() + 1
        || after.maintenance.users.last() != Some(&user)
    {
        return Err(unparsable("its maintenance.users cannot be extended by appending".into()));
    }
    if let Some(problem) = after.validate().into_iter().find(|p| p.key.starts_with("maintenance.users")) {
        return Err(unparsable(problem.to_string()));
    }
    write_private(path, after_text.as_bytes()).map_err(io)
}

/// Replaces the file at `path` with `contents`, readable and writable by its owner only (0600): the
/// configuration holds the PIN hashes, which must not be readable by every account on the kiosk (an
/// offline guess of a six-digit PIN needs only the hash). Atomic: a temporary file created 0600 beside it,
/// written and synced, renamed over the old one, and the directory synced, so a power cut leaves either
/// the old file or the new one. The new file keeps the old one's owner and group when this process may
/// give them (a technician running the tool as root must not leave the kiosk's account unable to read
/// its own configuration).
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};

    let owner = match std::fs::metadata(path) {
        Ok(metadata) => Some((metadata.uid(), metadata.gid())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(err),
    };
    let temporary = path.with_extension("toml.tmp");
    // A leftover of an interrupted run may have other permissions: never reuse it.
    match std::fs::remove_file(&temporary) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    let written = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temporary)?;
        if let Some((uid, gid)) = owner {
            // Only root may give a file away; anyone else already owns what they create.
            match std::os::unix::fs::fchown(&file, Some(uid), Some(gid)) {
                Err(err) if err.kind() != std::io::ErrorKind::PermissionDenied => return Err(err),
                _ => {}
            }
        }
        file.write_all(contents)?;
        file.sync_all()
    })();
    if let Err(err) = written.and_then(|()| std::fs::rename(&temporary, path)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(err);
    }
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::File::open(directory)?.sync_all()
}

fn user_table(user: &MaintenanceUser) -> String {
    let quoted = |text: &str| toml::Value::String(text.to_owned()).to_string();
    let role = match user.role {
        Role::Technician => "technician",
        Role::Staff => "staff",
    };
    format!(
        "\n[[maintenance.users]]\nid = {}\nname = {}\nrole = \"{role}\"\npin_hash = {}\n",
        quoted(&user.id),
        quoted(&user.name),
        quoted(&user.pin_hash)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use servicaja_maintenance::PinVerifier;

    #[test]
    fn user_add_appends_a_user_that_config_check_accepts_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        let original = format!("{}\n# agency note: keep this comment", servicaja_runtime::config::EMBEDDED_SETTINGS);
        std::fs::write(&path, &original).unwrap();
        add_user(&path, "T01", "Ana Quispe \"la técnica\"", Role::Technician, "482913").unwrap();
        add_user(&path, "S01", "Luis Mamani", Role::Staff, "771200").unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.starts_with(&original), "the rest of the file is kept byte for byte");
        assert!(!written.contains("482913") && !written.contains("771200"), "no PIN in the file");
        let loaded = servicaja_runtime::config::load(Some(&path)).expect("config check accepts the file");
        // The embedded configuration carries the demo users; the added ones come after them.
        let demo = servicaja_runtime::config::load(None).unwrap().settings.maintenance.users.len();
        let users = &loaded.settings.maintenance.users[demo..];
        assert_eq!(users.len(), 2);
        assert_eq!(
            (users[0].id.as_str(), users[0].role, users[0].name.as_str()),
            ("T01", Role::Technician, "Ana Quispe \"la técnica\"")
        );
        assert!(servicaja_runtime::pin::Argon2Verifier.verify(&users[0], "482913"));
        assert!(servicaja_runtime::pin::Argon2Verifier.verify(&users[1], "771200"));
        assert!(!servicaja_runtime::pin::Argon2Verifier.verify(&users[1], "482913"));
    }

    #[test]
    fn the_configuration_is_left_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;

        let dir = tempfile::tempdir().unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        // A file created by the tool, and one that was world-readable before.
        let created = dir.path().join("created.toml");
        add_user(&created, "T01", "Ana", Role::Technician, "482913").unwrap();
        assert_eq!(mode(&created), 0o600);
        let existing = dir.path().join("kiosk.toml");
        std::fs::write(&existing, servicaja_runtime::config::EMBEDDED_SETTINGS).unwrap();
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();
        // A leftover temporary file of an interrupted run, world-readable, is not reused.
        let leftover = existing.with_extension("toml.tmp");
        std::fs::write(&leftover, "old").unwrap();
        std::fs::set_permissions(&leftover, std::fs::Permissions::from_mode(0o666)).unwrap();
        add_user(&existing, "T01", "Ana", Role::Technician, "482913").unwrap();
        assert_eq!(mode(&existing), 0o600);
        assert!(!leftover.exists(), "the temporary file was renamed over the configuration");
        assert!(servicaja_runtime::config::load(Some(&existing)).is_ok());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "nothing else left behind: {names:?}");
    }

    #[test]
    fn a_missing_file_is_created_and_bad_requests_leave_the_file_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.toml");
        add_user(&path, "T01", "Ana", Role::Technician, "482913").unwrap();
        let before = std::fs::read(&path).unwrap();
        assert!(matches!(add_user(&path, "T01", "Otra", Role::Staff, "111111"), Err(UserAddError::DuplicateId(_))));
        assert!(matches!(add_user(&path, "T02", "Otra", Role::Staff, "1234"), Err(UserAddError::PinFormat(_))));
        assert!(matches!(add_user(&path, "T 02", "Otra", Role::Staff, "123456"), Err(UserAddError::BadId)));
        assert_eq!(std::fs::read(&path).unwrap(), before);

        let inline = dir.path().join("inline.toml");
        std::fs::write(&inline, "[maintenance]\nusers = []\n").unwrap();
        assert!(matches!(
            add_user(&inline, "T01", "Ana", Role::Technician, "482913"),
            Err(UserAddError::Unparsable { .. })
        ));
        assert_eq!(std::fs::read_to_string(&inline).unwrap(), "[maintenance]\nusers = []\n");
    }
}
