//! `servicaja devsim`'s control socket: a live devsim's socket is refused, a stale one replaced, and a
//! SIGTERM stops the accept loop so the socket and the device links are removed.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};

use servicaja_drivers::emulator::EmulatorSet;
use servicaja_drivers::emulator::control_socket::{ClaimError, ControlSocket};

#[test]
fn a_live_socket_is_refused_a_stale_one_replaced_and_a_plain_file_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.sock");
    let live = ControlSocket::claim(&path).unwrap();
    let refused = ControlSocket::claim(&path).err().unwrap();
    assert!(matches!(refused, ClaimError::Live(_)));
    assert!(refused.to_string().contains("another devsim is running"), "{refused}");
    drop(live);
    assert!(!path.exists(), "the socket goes with its owner");

    // A devsim killed with SIGKILL leaves its socket file behind, with nobody listening.
    drop(UnixListener::bind(&path).unwrap());
    assert!(path.exists());
    let replaced = ControlSocket::claim(&path).unwrap();
    drop(replaced);

    std::fs::write(&path, b"not a socket").unwrap();
    assert!(matches!(ControlSocket::claim(&path), Err(ClaimError::NotASocket(_))));
    assert_eq!(std::fs::read(&path).unwrap(), b"not a socket");
}

#[test]
fn sigterm_stops_serving_and_the_links_and_socket_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let socket = ControlSocket::claim(&dir.path().join("control.sock")).unwrap();
    let signals = socket.stop_on_signals().unwrap();
    let emulators = EmulatorSet::start(dir.path(), 48).unwrap();
    let links = emulators.paths();
    let socket_path = socket.path().to_path_buf();
    let control = emulators.control();
    let server = std::thread::spawn(move || {
        socket.serve(move |stream| {
            let mut writer = stream.try_clone().unwrap();
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let answer = servicaja_drivers::emulator::control::parse(&line)
                    .and_then(|c| servicaja_drivers::emulator::control::execute(&control, c))
                    .unwrap_or_else(|e| e);
                writeln!(writer, "{answer}\n.").unwrap();
            }
        });
        socket
    });
    let mut client = UnixStream::connect(&socket_path).unwrap();
    writeln!(client, "paper low").unwrap();
    let mut answer = String::new();
    BufReader::new(client.try_clone().unwrap()).read_line(&mut answer).unwrap();
    assert_eq!(answer, "ok\n");

    signal_hook::low_level::raise(signal_hook::consts::SIGTERM).unwrap();
    let socket = server.join().unwrap();
    signals.close();
    drop(emulators);
    drop(socket);
    for path in [&links.printer, &links.card_reader, &links.document_reader, &socket_path] {
        assert!(std::fs::symlink_metadata(path).is_err(), "{} was left behind", path.display());
    }
}
