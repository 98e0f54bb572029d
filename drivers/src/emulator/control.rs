//! The emulators' text control protocol, one command per line, used by `servicaja devsim`'s Unix socket
//! and by demo tooling. Parsing is pure; [`execute`] applies a command to an [`EmulatorControl`].
//!
//! ```text
//! swipe <raw reader line>                 card <pan> <APELLIDO/NOMBRE> <YYMM> <service code>
//! document <line1>|<line2>[|<line3>]      garbage card|document
//! paper ok|low|out      paper-runs-out <lines>      cover open|closed      cover-opens <lines>
//! offline on|off      line-time <ms>
//! jam on|off            unplug|plug printer|card|document
//! last-receipt text     last-receipt png <path>     paths      help
//! ```

use std::path::PathBuf;

use super::{EmulatorControl, SimPaper};
use crate::status::DeviceKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    SwipeRaw(String),
    Card { pan: String, name: String, expiry: String, service_code: String },
    Document(Vec<String>),
    Garbage(DeviceKind),
    Paper(SimPaper),
    PaperRunsOut(usize),
    CoverOpensAfter(usize),
    Cover(bool),
    Offline(bool),
    LineTime(u64),
    Jam(bool),
    Unplug(DeviceKind),
    Plug(DeviceKind),
    LastReceiptText,
    LastReceiptPng(PathBuf),
    Paths,
    Help,
}

pub const HELP: &str = "commands: swipe <line> | card <pan> <NAME> <YYMM> <svc> | document <l1>|<l2>[|<l3>] | \
garbage card|document | paper ok|low|out | paper-runs-out <n> | cover open|closed | cover-opens <n> | offline on|off | line-time <ms> | jam on|off | \
unplug|plug printer|card|document | last-receipt text | last-receipt png <path> | paths | help";

fn device(word: &str) -> Result<DeviceKind, String> {
    match word {
        "printer" => Ok(DeviceKind::Printer),
        "card" | "card-reader" => Ok(DeviceKind::CardReader),
        "document" | "doc" | "document-reader" => Ok(DeviceKind::DocumentReader),
        other => Err(format!("unknown device {other:?}: use printer, card or document")),
    }
}

fn on_off(word: &str, on: &str, off: &str) -> Result<bool, String> {
    if word == on {
        Ok(true)
    } else if word == off {
        Ok(false)
    } else {
        Err(format!("expected {on} or {off}, got {word:?}"))
    }
}

/// Parses one command line.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let (verb, rest) = line.split_once(' ').map_or((line, ""), |(v, r)| (v, r.trim()));
    let args: Vec<&str> = rest.split_whitespace().collect();
    let one = || args.first().copied().ok_or_else(|| format!("{verb} needs an argument; {HELP}"));
    match verb {
        "swipe" if !rest.is_empty() => Ok(Command::SwipeRaw(rest.to_string())),
        "card" => match args.as_slice() {
            [pan, name, expiry, svc] => Ok(Command::Card {
                pan: pan.to_string(),
                name: name.to_string(),
                expiry: expiry.to_string(),
                service_code: svc.to_string(),
            }),
            _ => Err("usage: card <pan> <APELLIDO/NOMBRE> <YYMM> <service code>".into()),
        },
        "document" if !rest.is_empty() => Ok(Command::Document(rest.split('|').map(str::to_string).collect())),
        "garbage" => Ok(Command::Garbage(device(one()?)?)),
        "paper" => match one()? {
            "ok" => Ok(Command::Paper(SimPaper::Ok)),
            "low" => Ok(Command::Paper(SimPaper::Low)),
            "out" => Ok(Command::Paper(SimPaper::Out)),
            other => Err(format!("paper ok|low|out, got {other:?}")),
        },
        "paper-runs-out" => one()?.parse().map(Command::PaperRunsOut).map_err(|_| "paper-runs-out <lines>".into()),
        "cover-opens" => one()?.parse().map(Command::CoverOpensAfter).map_err(|_| "cover-opens <lines>".into()),
        "cover" => Ok(Command::Cover(on_off(one()?, "open", "closed")?)),
        "offline" => Ok(Command::Offline(on_off(one()?, "on", "off")?)),
        "line-time" => one()?.parse().map(Command::LineTime).map_err(|_| "line-time <milliseconds per line>".into()),
        "jam" => Ok(Command::Jam(on_off(one()?, "on", "off")?)),
        "unplug" => Ok(Command::Unplug(device(one()?)?)),
        "plug" => Ok(Command::Plug(device(one()?)?)),
        "last-receipt" => match args.as_slice() {
            ["text"] => Ok(Command::LastReceiptText),
            ["png", path] => Ok(Command::LastReceiptPng(PathBuf::from(path))),
            _ => Err("last-receipt text | last-receipt png <path>".into()),
        },
        "paths" => Ok(Command::Paths),
        "help" | "" => Ok(Command::Help),
        other => Err(format!("unknown command {other:?}; {HELP}")),
    }
}

/// Runs a command; the answer is a human-readable text (multi-line for receipts).
pub fn execute(control: &EmulatorControl, command: Command) -> Result<String, String> {
    let ok = |_| "ok".to_string();
    let err = |e: super::EmulatorError| e.to_string();
    match command {
        Command::SwipeRaw(line) => control.swipe_raw(&line).map(ok).map_err(err),
        Command::Card { pan, name, expiry, service_code } => {
            control.swipe_card(&pan, &name, &expiry, &service_code).map(ok).map_err(err)
        }
        Command::Document(lines) => {
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            control.present_document(&lines).map(ok).map_err(err)
        }
        Command::Garbage(kind) => control.send_garbage(kind).map(ok).map_err(err),
        Command::Paper(p) => {
            control.set_paper(p);
            Ok("ok".into())
        }
        Command::PaperRunsOut(n) => {
            control.paper_runs_out_after(n);
            Ok("ok".into())
        }
        Command::CoverOpensAfter(n) => {
            control.cover_opens_after(n);
            Ok("ok".into())
        }
        Command::Cover(open) => {
            control.set_cover_open(open);
            Ok("ok".into())
        }
        Command::Offline(on) => {
            control.set_offline(on);
            Ok("ok".into())
        }
        Command::LineTime(ms) => {
            control.set_line_time(std::time::Duration::from_millis(ms));
            Ok("ok".into())
        }
        Command::Jam(on) => {
            control.set_cutter_jammed(on);
            Ok("ok".into())
        }
        Command::Unplug(kind) => {
            control.unplug(kind);
            Ok("ok".into())
        }
        Command::Plug(kind) => control.plug(kind).map(ok).map_err(err),
        Command::LastReceiptText => control.last_receipt_text().map_err(err),
        Command::LastReceiptPng(path) => {
            control.save_last_receipt_png(&path).map(|()| format!("written {}", path.display())).map_err(err)
        }
        Command::Paths => {
            let p = control.paths();
            Ok(format!(
                "printer {}\ncard-reader {}\ndocument-reader {}",
                p.printer.display(),
                p.card_reader.display(),
                p.document_reader.display()
            ))
        }
        Command::Help => Ok(HELP.into()),
    }
}
