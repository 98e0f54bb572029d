//! The Unix control socket of a running `servicaja devsim`: claimed only when no live devsim holds the
//! path (a stale file left by a killed one is replaced), served until stopped, and removed on drop. A
//! SIGINT / SIGTERM watcher (the `signal-hook` crate) stops it, so the process can drop its emulators —
//! which removes the device links — and its socket, and exit cleanly.

use std::io;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Why the socket could not be claimed.
#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error("another devsim is running and answering on {0}; stop it first (Ctrl-C) or use another --dir")]
    Live(PathBuf),
    #[error("{0} exists and is not a socket; remove it or use another --dir")]
    NotASocket(PathBuf),
    #[error("cannot listen on {path}: {source}")]
    Bind { path: PathBuf, source: io::Error },
}

/// A claimed control socket; the file goes away with it.
pub struct ControlSocket {
    listener: UnixListener,
    path: PathBuf,
    stopping: Arc<AtomicBool>,
}

/// Stops [`ControlSocket::serve`] from any thread.
#[derive(Clone)]
pub struct Stopper {
    path: PathBuf,
    stopping: Arc<AtomicBool>,
}

impl Stopper {
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop; it sees the flag and returns.
        let _ = UnixStream::connect(&self.path);
    }
}

impl ControlSocket {
    /// Listens on `path`. A socket file there that nobody answers on is left over from a devsim that
    /// was killed, and is replaced; one that answers belongs to a live devsim, and is refused.
    pub fn claim(path: &Path) -> Result<Self, ClaimError> {
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            if !meta.file_type().is_socket() {
                return Err(ClaimError::NotASocket(path.to_path_buf()));
            }
            if UnixStream::connect(path).is_ok() {
                return Err(ClaimError::Live(path.to_path_buf()));
            }
            let _ = std::fs::remove_file(path);
        }
        let listener =
            UnixListener::bind(path).map_err(|source| ClaimError::Bind { path: path.to_path_buf(), source })?;
        Ok(Self { listener, path: path.to_path_buf(), stopping: Arc::new(AtomicBool::new(false)) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn stopper(&self) -> Stopper {
        Stopper { path: self.path.clone(), stopping: Arc::clone(&self.stopping) }
    }

    /// Stops the socket on the first SIGINT (Ctrl-C) or SIGTERM. The returned handle ends the watcher
    /// when closed.
    pub fn stop_on_signals(&self) -> io::Result<signal_hook::iterator::Handle> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
        let handle = signals.handle();
        let stopper = self.stopper();
        std::thread::Builder::new().name("devsim-signals".into()).spawn(move || {
            if let Some(signal) = signals.forever().next() {
                tracing::info!(signal, "devsim: stopping on a signal");
                stopper.stop();
            }
        })?;
        Ok(handle)
    }

    /// Accepts connections until stopped, handing each to `handle` on a thread of its own.
    pub fn serve<F>(&self, handle: F)
    where
        F: Fn(UnixStream) + Clone + Send + 'static,
    {
        for stream in self.listener.incoming() {
            if self.stopping.load(Ordering::SeqCst) {
                return;
            }
            match stream {
                Ok(stream) => {
                    let handle = handle.clone();
                    std::thread::spawn(move || handle(stream));
                }
                Err(e) => tracing::warn!(error = %e, "control socket accept failed"),
            }
        }
    }
}

impl Drop for ControlSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
