//! The technician's out-of-service switch persisted as `service.json` in the data directory, so that a kiosk
//! switched off stays off (with the reason its customers read) after a restart or a power cut. Rewritten
//! whole on each switch (temporary file + fsync + rename, as the paper counter); the switch itself is
//! journaled with the user id by the maintenance desk.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use servicaja_session::SwitchOffReason;

pub const SERVICE_FILE: &str = "service.json";

#[derive(Debug, thiserror::Error)]
pub enum ServiceSwitchError {
    #[error("the out-of-service switch {path} cannot be written: {source}; it will not hold after a restart")]
    Write { path: String, source: std::io::Error },
}

/// The switch as stored: who set it and when, and the reason while out of service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceSwitch {
    /// `None`: in service.
    pub out_of_service: Option<SwitchOffReason>,
    pub user: String,
    pub at: DateTime<Utc>,
}

/// The switch stored in `data_dir`: `None` when never switched (in service). A file that exists but cannot
/// be read keeps the kiosk out of service ("maintenance"): a technician switched it at some point, and
/// serving customers on a kiosk switched off for a fault is worse than a technician switching it back on.
pub fn load(data_dir: &Path) -> Option<SwitchOffReason> {
    let path = data_dir.join(SERVICE_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => match serde_json::from_slice::<ServiceSwitch>(&bytes) {
            Ok(switch) => switch.out_of_service,
            Err(err) => {
                tracing::warn!(path = %path.display(), %err, "out-of-service switch unreadable; staying out of service");
                Some(SwitchOffReason::Maintenance)
            }
        },
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "out-of-service switch unreadable; staying out of service");
            Some(SwitchOffReason::Maintenance)
        }
    }
}

/// The stored switch with who set it and when, when it can be read.
pub fn load_record(data_dir: &Path) -> Option<ServiceSwitch> {
    std::fs::read(data_dir.join(SERVICE_FILE)).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok())
}

/// Stores the switch in `data_dir`, creating the directory when needed.
pub fn save(data_dir: &Path, switch: &ServiceSwitch) -> Result<(), ServiceSwitchError> {
    let path = data_dir.join(SERVICE_FILE);
    let error = |source| ServiceSwitchError::Write { path: path.display().to_string(), source };
    std::fs::create_dir_all(data_dir).map_err(error)?;
    let bytes = serde_json::to_vec_pretty(switch).map_err(|err| error(std::io::Error::other(err)))?;
    let temporary = data_dir.join(format!("{SERVICE_FILE}.tmp"));
    let mut file = std::fs::File::create(&temporary).map_err(error)?;
    file.write_all(&bytes).and_then(|()| file.sync_all()).map_err(error)?;
    std::fs::rename(&temporary, &path).map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        "2026-11-22T03:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_kiosk_switched_off_stays_off_with_its_reason_until_switched_on() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("kiosk");
        assert_eq!(load(&data), None, "never switched: in service");
        for reason in [
            SwitchOffReason::Maintenance,
            SwitchOffReason::PrinterFault,
            SwitchOffReason::ConnectionFault,
            SwitchOffReason::Other("Obra en la agencia".into()),
        ] {
            save(&data, &ServiceSwitch { out_of_service: Some(reason.clone()), user: "1001".into(), at: at() })
                .unwrap();
            assert_eq!(load(&data), Some(reason));
        }
        let stored = std::fs::read_to_string(data.join(SERVICE_FILE)).unwrap();
        assert!(stored.contains("\"user\": \"1001\"") && stored.contains("Obra en la agencia"), "{stored}");
        save(&data, &ServiceSwitch { out_of_service: None, user: "1001".into(), at: at() }).unwrap();
        assert_eq!(load(&data), None);
        assert!(!data.join(format!("{SERVICE_FILE}.tmp")).exists());
    }

    #[test]
    fn a_torn_switch_file_keeps_the_kiosk_out_of_service() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SERVICE_FILE), b"{\"out_of_serv").unwrap();
        assert_eq!(load(dir.path()), Some(SwitchOffReason::Maintenance));
    }

    #[test]
    fn a_data_dir_that_cannot_be_written_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let err = save(&file, &ServiceSwitch { out_of_service: None, user: "1001".into(), at: at() }).unwrap_err();
        assert!(err.to_string().contains("will not hold after a restart"), "{err}");
    }
}
