//! `servicaja doctor [--config PATH] [--lang es|en] [--json]`: the pre-flight check of a kiosk before it goes
//! into service. The runtime's probes gather the facts, the maintenance crate's pure rules give each item
//! its verdict and what to do; this prints them and exits 0 only when every item passed.

use std::path::Path;
use std::process::ExitCode;

use clap::ValueEnum;
use servicaja_maintenance::doctor::{Lang, evaluate};
use servicaja_runtime::doctor::{Probes, gather};

use crate::cli::out::{errln, outln};

/// The language of the report.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum ReportLang {
    #[default]
    Es,
    En,
}

pub fn run(config: Option<&Path>, lang: ReportLang, json: bool) -> ExitCode {
    let lang = match lang {
        ReportLang::Es => Lang::Es,
        ReportLang::En => Lang::En,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            errln!("doctor: {err}");
            return ExitCode::from(2);
        }
    };
    let facts = runtime.block_on(gather(config, &Probes::system()));
    let report = evaluate(&facts, lang);
    if json {
        match serde_json::to_string_pretty(&serde_json::json!({ "all_pass": report.all_pass(), "lines": report.lines }))
        {
            Ok(text) => outln!("{text}"),
            Err(err) => {
                errln!("doctor: {err}");
                return ExitCode::from(2);
            }
        }
    } else {
        for line in report.render(lang).lines() {
            outln!("{line}");
        }
    }
    if report.all_pass() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
