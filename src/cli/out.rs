//! Output of the command-line tools without `println!`'s panic on a closed pipe: with
//! `servicaja queue list | head -3` the reader goes away after three lines, and the command ends quietly.
//!
//! [`outln!`] and [`errln!`] stand for `println!` and `eprintln!`. Once standard output is found closed
//! (`BrokenPipe`: nobody reads any more) the rest of the output is dropped and the command finishes as it
//! would have, with its own exit code. Any other write error (a full disk under `> file`) is reported once
//! on standard error and [`finish`] turns a successful exit into a failure, so a script does not take a
//! truncated listing for a complete one. [`Stdout`] is the same policy as an `io::Write` for code that
//! writes through a writer.

use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU8, Ordering};

const OPEN: u8 = 0;
/// The reader went away: output is dropped, quietly.
const CLOSED: u8 = 1;
/// Writing failed for another reason: output is dropped and the command must not report success.
const FAILED: u8 = 2;

static STDOUT: AtomicU8 = AtomicU8::new(OPEN);

/// `println!` that never panics: see the module documentation.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::out::print_line(format_args!($($arg)*))
    };
}

/// `eprintln!` that never panics: a closed or failing standard error loses the message, nothing else.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::out::eprint_line(format_args!($($arg)*))
    };
}

pub(crate) use {errln, outln};

/// Writes one line to standard output, unless it was found closed or failing before.
pub fn print_line(args: fmt::Arguments<'_>) {
    if STDOUT.load(Ordering::Relaxed) != OPEN {
        return;
    }
    let mut out = io::stdout().lock();
    if let Err(err) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        lost(&err);
    }
}

/// Writes one line to standard error; an error writing it is ignored (there is nowhere left to say it).
pub fn eprint_line(args: fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

/// Records a failed write to standard output: quietly when the reader has gone, once on standard error
/// otherwise.
fn lost(err: &io::Error) {
    if err.kind() == io::ErrorKind::BrokenPipe {
        let _ = STDOUT.compare_exchange(OPEN, CLOSED, Ordering::Relaxed, Ordering::Relaxed);
    } else if STDOUT.swap(FAILED, Ordering::Relaxed) != FAILED {
        eprint_line(format_args!("servicaja: cannot write to standard output: {err}"));
    }
}

/// The exit code of a command once its output is flushed: the command's own, except that a success whose
/// output could not be written (for another reason than the reader leaving) becomes a failure.
pub fn finish(code: ExitCode) -> ExitCode {
    if STDOUT.load(Ordering::Relaxed) == OPEN
        && let Err(err) = io::stdout().lock().flush()
    {
        lost(&err);
    }
    if STDOUT.load(Ordering::Relaxed) == FAILED && code == ExitCode::SUCCESS { ExitCode::FAILURE } else { code }
}

/// Standard output as an `io::Write` with the policy of [`outln!`]: once the reader has gone, writes
/// succeed without writing anything (the producer runs to its end and exits as usual); another error is
/// returned to the caller as it is, and makes [`finish`] report a failure.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if STDOUT.load(Ordering::Relaxed) == CLOSED {
            return Ok(buf.len());
        }
        match io::stdout().lock().write(buf) {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                lost(&err);
                Ok(buf.len())
            }
            Err(err) => {
                // The caller reports it; `finish` will not report success.
                STDOUT.store(FAILED, Ordering::Relaxed);
                Err(err)
            }
            ok => ok,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if STDOUT.load(Ordering::Relaxed) == CLOSED {
            return Ok(());
        }
        match io::stdout().lock().flush() {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                lost(&err);
                Ok(())
            }
            Err(err) => {
                // The caller reports it; `finish` will not report success.
                STDOUT.store(FAILED, Ordering::Relaxed);
                Err(err)
            }
            ok => ok,
        }
    }
}
