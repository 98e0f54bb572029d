//! The files that install the kiosk on real hardware (`deploy/`) agree with the binary: the production
//! configuration template loads and validates in production mode, and the udev rules create the device
//! names it uses and that the unit starts it with.

use std::path::Path;
use std::process::Command;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn the_production_template_passes_config_check_in_production_mode() {
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/debian/kiosk.toml");
    let output =
        Command::new(env!("CARGO_BIN_EXE_servicaja")).args(["config", "check"]).arg(&template).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout.trim(), "ok");
    let settings: toml::Table = read("deploy/debian/kiosk.toml").parse().unwrap();
    assert_eq!(settings["kiosk"]["mode"].as_str(), Some("production"));
    assert_eq!(settings["kiosk"]["data_dir"].as_str(), Some("/var/lib/servicaja"));
}

#[test]
fn each_device_port_of_the_template_has_a_udev_rule() {
    let settings: toml::Table = read("deploy/debian/kiosk.toml").parse().unwrap();
    let rules = read("deploy/udev/99-servicaja.rules");
    let active: Vec<&str> =
        rules.lines().filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty()).collect();
    for device in ["printer", "card_reader", "document_reader"] {
        let port = settings[device]["serial"]["port"].as_str().unwrap();
        let name = port.strip_prefix("/dev/").unwrap();
        let matching: Vec<&&str> =
            active.iter().filter(|line| line.contains(&format!("SYMLINK+=\"{name}\""))).collect();
        assert_eq!(matching.len(), 1, "{device}: one active rule names {port}: {matching:?}");
        assert!(matching[0].starts_with("SUBSYSTEM==\"tty\""), "{}", matching[0]);
        assert!(matching[0].contains("GROUP=\"dialout\""), "{}", matching[0]);
    }
}

#[test]
fn the_unit_runs_the_template_from_the_state_directory_as_the_kiosk_user() {
    let unit = read("deploy/systemd/servicaja.service");
    let settings: toml::Table = read("deploy/debian/kiosk.toml").parse().unwrap();
    assert!(unit.lines().any(|line| line == "ExecStart=/usr/bin/servicaja run --config /etc/servicaja/kiosk.toml"));
    let state = settings["kiosk"]["data_dir"].as_str().unwrap().strip_prefix("/var/lib/").unwrap();
    assert!(unit.lines().any(|line| line == format!("StateDirectory={state}")), "data_dir is the StateDirectory");
    assert!(unit.lines().any(|line| line == "Type=notify"));
    assert!(unit.lines().any(|line| line.starts_with("WatchdogSec=")));
}
