//! Sealed files: small JSON documents (a database's head, a count of open commands) written atomically
//! beside the kiosk's databases and sealed with HMAC-SHA256 under a per-kiosk random key, so that a lost,
//! replaced or hand-edited database is noticed by comparing it with what was sealed.
//!
//! The key is `<dir>/seal.key`: 32 random bytes, mode 0600, created once by the first [`Sealer::open`] in
//! that directory and never rewritten. A sealed file `<dir>/<name>` is a JSON envelope
//! `{"seal":"servicaja-seal-v1","name":…,"payload":"<the JSON of the value>","mac":"<hex>"}` whose MAC
//! covers the version tag, the file's name and the payload's exact bytes: a file cannot be edited, nor
//! renamed into another sealed file's place, without the key. What a seal cannot tell on its own is an
//! older sealed file put back in place of the newest one; anchoring the head at the central covers that.
//!
//! Writes are atomic: a temporary file in the same directory (mode 0600), fsync, rename over the old file,
//! fsync of the directory. A reader sees the old file or the new one, never a torn one.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use hmac::{Hmac, Mac};
use rand::TryRngCore;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

/// The key's file name inside the sealer's directory.
pub const KEY_FILE: &str = "seal.key";

const KEY_LEN: usize = 32;
const SEAL_TAG: &str = "servicaja-seal-v1";

type HmacSha256 = Hmac<Sha256>;

/// Why a sealed file (or the key) could not be written or read. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the seal key {path} cannot be read or created: {source}")]
    Key { path: PathBuf, source: std::io::Error },
    #[error("the seal key {path} is damaged: {reason}")]
    BadKey { path: PathBuf, reason: String },
    #[error("the sealed file {path} is missing")]
    Missing { path: PathBuf },
    #[error("the sealed file {path} cannot be read: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("the sealed file {path} fails its seal ({reason}): it was altered, or its key {key} was replaced")]
    BadSeal { path: PathBuf, key: PathBuf, reason: String },
    #[error("the sealed file {path} cannot be written: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{0:?} is not a plain file name for a sealed file")]
    BadName(String),
    #[error("cannot encode or decode the sealed value of {path}: {reason}")]
    Encode { path: PathBuf, reason: String },
}

/// The envelope as stored.
#[derive(Debug, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    seal: String,
    name: String,
    payload: String,
    mac: String,
}

/// Writes and reads sealed files in one directory with that directory's key.
pub struct Sealer {
    dir: PathBuf,
    key: [u8; KEY_LEN],
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Sealer {
    /// Opens the sealer of `dir` (which must exist), creating its key the first time.
    pub fn open(dir: &Path) -> Result<Sealer, SealError> {
        let key_path = dir.join(KEY_FILE);
        let key = match read_key(&key_path) {
            Ok(key) => key,
            Err(SealError::Key { source, .. }) if source.kind() == ErrorKind::NotFound => create_key(dir, &key_path)?,
            Err(err) => return Err(err),
        };
        Ok(Sealer { dir: dir.to_path_buf(), key })
    }

    /// The directory the sealed files and the key live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the sealed file `name` lives.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The key file's path.
    pub fn key_path(&self) -> PathBuf {
        self.dir.join(KEY_FILE)
    }

    /// Seals `value` as JSON into `<dir>/<name>`, atomically replacing what was there.
    pub fn write<T: Serialize>(&self, name: &str, value: &T) -> Result<(), SealError> {
        check_name(name)?;
        let path = self.path(name);
        let payload = serde_json::to_string(value)
            .map_err(|err| SealError::Encode { path: path.clone(), reason: err.to_string() })?;
        let envelope = Envelope { seal: SEAL_TAG.into(), name: name.into(), mac: self.mac(name, &payload), payload };
        let mut bytes = serde_json::to_vec(&envelope)
            .map_err(|err| SealError::Encode { path: path.clone(), reason: err.to_string() })?;
        bytes.push(b'\n');
        write_atomically(&self.dir, name, &bytes).map_err(|source| SealError::Write { path, source })
    }

    /// Reads `<dir>/<name>` and checks its seal. `None` when the file does not exist.
    pub fn read<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, SealError> {
        check_name(name)?;
        let path = self.path(name);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(SealError::Unreadable { path, source }),
        };
        let bad = |reason: String| SealError::BadSeal { path: path.clone(), key: self.key_path(), reason };
        let envelope: Envelope =
            serde_json::from_slice(&bytes).map_err(|err| bad(format!("not a sealed envelope: {err}")))?;
        if envelope.seal != SEAL_TAG {
            return Err(bad(format!("unknown seal version {:?}", envelope.seal)));
        }
        if envelope.name != name {
            return Err(bad(format!("it was sealed as {:?}", envelope.name)));
        }
        let mac = hex::decode(&envelope.mac).map_err(|_| bad("the MAC is not hexadecimal".into()))?;
        let mut check = self.hmac();
        feed(&mut check, name, &envelope.payload);
        check.verify_slice(&mac).map_err(|_| bad("the MAC does not match".into()))?;
        serde_json::from_str(&envelope.payload)
            .map(Some)
            .map_err(|err| SealError::Encode { path: path.clone(), reason: err.to_string() })
    }

    /// Like [`Sealer::read`], but a missing file is an error.
    pub fn require<T: DeserializeOwned>(&self, name: &str) -> Result<T, SealError> {
        self.read(name)?.ok_or_else(|| SealError::Missing { path: self.path(name) })
    }

    fn hmac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length: this cannot fail for a 32-byte key.
        match HmacSha256::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC-SHA256 takes a key of any length"),
        }
    }

    fn mac(&self, name: &str, payload: &str) -> String {
        let mut mac = self.hmac();
        feed(&mut mac, name, payload);
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The MAC's input: the tag, the name and the payload, each length-prefixed so no two inputs run together.
fn feed(mac: &mut HmacSha256, name: &str, payload: &str) {
    for part in [SEAL_TAG, name, payload] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
}

fn check_name(name: &str) -> Result<(), SealError> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && name != KEY_FILE
        && !name.contains(['/', '\\', '\0'])
        && !name.starts_with(".tmp-");
    if plain { Ok(()) } else { Err(SealError::BadName(name.into())) }
}

fn read_key(path: &Path) -> Result<[u8; KEY_LEN], SealError> {
    let mut bytes = Vec::with_capacity(KEY_LEN + 1);
    File::open(path)
        .and_then(|file| file.take(KEY_LEN as u64 + 1).read_to_end(&mut bytes))
        .map_err(|source| SealError::Key { path: path.to_path_buf(), source })?;
    <[u8; KEY_LEN]>::try_from(bytes.as_slice()).map_err(|_| SealError::BadKey {
        path: path.to_path_buf(),
        reason: format!("expected {KEY_LEN} bytes, found {}", bytes.len()),
    })
}

/// Creates the key without ever replacing one: written to a temporary file, then hard-linked to its name
/// (which fails if another process created it meanwhile; then that key is used).
fn create_key(dir: &Path, path: &Path) -> Result<[u8; KEY_LEN], SealError> {
    let key_error = |source: std::io::Error| SealError::Key { path: path.to_path_buf(), source };
    let mut key = [0u8; KEY_LEN];
    rand::rngs::OsRng.try_fill_bytes(&mut key).map_err(|err| key_error(std::io::Error::other(err)))?;
    let temp = temp_path(dir, KEY_FILE);
    let linked = write_new(&temp, &key).and_then(|()| std::fs::hard_link(&temp, path));
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => {
            sync_dir(dir).map_err(key_error)?;
            Ok(key)
        }
        Err(err) if err.kind() == ErrorKind::AlreadyExists => read_key(path),
        Err(err) => Err(key_error(err)),
    }
}

fn temp_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".tmp-{name}-{}-{}", std::process::id(), hex::encode(rand::random::<[u8; 8]>())))
}

/// Creates `path` (which must not exist) with mode 0600, writes `bytes` and syncs them.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let temp = temp_path(dir, name);
    let result = write_new(&temp, bytes).and_then(|()| std::fs::rename(&temp, dir.join(name)));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result?;
    sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[derive(Debug, PartialEq, Serialize, serde::Deserialize)]
    struct Head {
        seq: i64,
        hash: String,
    }

    fn head() -> Head {
        Head { seq: 7, hash: "ab".repeat(32) }
    }

    #[test]
    fn a_sealed_file_reads_back_and_key_and_file_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let sealer = Sealer::open(dir.path()).unwrap();
        assert_eq!(sealer.read::<Head>("x.head").unwrap(), None);
        sealer.write("x.head", &head()).unwrap();
        assert_eq!(sealer.read::<Head>("x.head").unwrap(), Some(head()));
        // Another sealer on the same directory uses the same key.
        assert_eq!(Sealer::open(dir.path()).unwrap().require::<Head>("x.head").unwrap(), head());
        for file in [KEY_FILE, "x.head"] {
            let mode = std::fs::metadata(dir.path().join(file)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
        assert_eq!(std::fs::read(dir.path().join(KEY_FILE)).unwrap().len(), KEY_LEN);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with(".tmp-"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn an_edited_renamed_or_rekeyed_file_fails_its_seal() {
        let dir = tempfile::tempdir().unwrap();
        let sealer = Sealer::open(dir.path()).unwrap();
        sealer.write("x.head", &head()).unwrap();
        let path = dir.path().join("x.head");
        let text = std::fs::read_to_string(&path).unwrap();

        std::fs::write(&path, text.replace("\\\"seq\\\":7", "\\\"seq\\\":3")).unwrap();
        let err = sealer.read::<Head>("x.head").unwrap_err();
        assert!(matches!(err, SealError::BadSeal { .. }), "{err}");
        assert!(err.to_string().contains("MAC does not match"), "{err}");

        std::fs::write(dir.path().join("y.head"), &text).unwrap();
        let err = sealer.read::<Head>("y.head").unwrap_err();
        assert!(err.to_string().contains("sealed as \"x.head\""), "{err}");

        std::fs::write(&path, "garbage").unwrap();
        assert!(matches!(sealer.read::<Head>("x.head"), Err(SealError::BadSeal { .. })));

        std::fs::write(&path, &text).unwrap();
        std::fs::remove_file(dir.path().join(KEY_FILE)).unwrap();
        let err = Sealer::open(dir.path()).unwrap().read::<Head>("x.head").unwrap_err();
        assert!(matches!(err, SealError::BadSeal { .. }), "a new key does not open the old seal: {err}");
    }

    #[test]
    fn missing_files_bad_names_and_a_short_key_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let sealer = Sealer::open(dir.path()).unwrap();
        assert!(matches!(sealer.require::<Head>("x.head"), Err(SealError::Missing { .. })));
        for name in ["", "..", "a/b", KEY_FILE] {
            assert!(matches!(sealer.write(name, &head()), Err(SealError::BadName(_))), "{name:?}");
        }
        std::fs::write(dir.path().join(KEY_FILE), [1u8; 5]).unwrap();
        assert!(matches!(Sealer::open(dir.path()), Err(SealError::BadKey { .. })));
        assert!(matches!(Sealer::open(&dir.path().join("nowhere")), Err(SealError::Key { .. })));
    }
}
