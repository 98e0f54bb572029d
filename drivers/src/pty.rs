//! Pseudo-terminal pairs (openpty) for the emulators: the emulator keeps the master side, the driver
//! opens the slave path exactly as it would open `/dev/ttyS0`.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};

/// The emulator's end of a pseudo-terminal pair.
pub struct PtyMaster {
    master: File,
    /// Held open so that the master never sees a hang-up while no driver has the slave open, and so that
    /// the raw mode set here stays in force until the driver sets its own line settings.
    _slave: OwnedFd,
    slave_path: PathBuf,
}

impl PtyMaster {
    /// Opens a new pair with the slave in raw mode (no echo, no line editing, no CR/LF translation).
    pub fn open() -> io::Result<Self> {
        let pair = nix::pty::openpty(None, None).map_err(io::Error::from)?;
        let mut termios = tcgetattr(pair.slave.as_fd()).map_err(io::Error::from)?;
        cfmakeraw(&mut termios);
        tcsetattr(pair.slave.as_fd(), SetArg::TCSANOW, &termios).map_err(io::Error::from)?;
        let slave_path = nix::unistd::ttyname(pair.slave.as_fd()).map_err(io::Error::from)?;
        Ok(Self { master: File::from(pair.master), _slave: pair.slave, slave_path })
    }

    /// The device path a driver opens (`/dev/pts/N`).
    pub fn slave_path(&self) -> &Path {
        &self.slave_path
    }

    /// Reads what the driver sent, waiting at most `timeout`; `Ok(0)` when nothing came.
    pub fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        let millis = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(self.master.as_fd(), PollFlags::POLLIN)];
        let ready = poll(&mut fds, PollTimeout::from(millis)).map_err(io::Error::from)?;
        if ready == 0 {
            return Ok(0);
        }
        match self.master.read(buf) {
            Ok(n) => Ok(n),
            // EIO while no slave is open; the kept slave fd makes this rare, but never fatal.
            Err(e) if e.raw_os_error() == Some(nix::libc::EIO) => Ok(0),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock || e.kind() == io::ErrorKind::Interrupted => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// Sends bytes to the driver.
    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.master.write_all(bytes)?;
        self.master.flush()
    }
}
