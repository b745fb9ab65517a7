//! `statelab validate`: every problem in a definition, as lines or as AWS's
//! ValidateStateMachineDefinition JSON.

use std::io::Write;

use statelab::report::ValidationReport;
use statelab::text::count;

use crate::style::Colors;
use crate::{exit, files, Failure, Format, ValidateArgs};

pub fn validate(args: &ValidateArgs, colors: Colors) -> Result<u8, Failure> {
    let source = files::read_definition(&args.definition)?;
    let checked =
        files::check(&source, args.state_machine.as_deref()).for_workflow(args.workflow_type.map(Into::into));
    let report = ValidationReport::of(&checked);
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&report)
                .map_err(|e| Failure::Usage(format!("cannot write the report: {e}")))?;
            writeln!(out, "{json}")?;
        }
        Format::Text => {
            let mut sorted: Vec<_> = checked.diagnostics.iter().collect();
            sorted.sort_by_key(|d| d.severity);
            for d in &sorted {
                writeln!(out, "{}", files::diagnostic_line(&source.name, d, colors.out))?;
            }
            let errors = sorted.iter().filter(|d| d.is_error()).count();
            let warnings = sorted.len() - errors;
            let result = if checked.is_ok() {
                colors.out.good(report.result)
            } else {
                colors.out.error(report.result)
            };
            writeln!(out, "{result}: {}, {}", count(errors, "error"), count(warnings, "warning"))?;
        }
    }
    out.flush()?;
    // A document with machines of which none was picked (several and no --state-machine, or a
    // --state-machine naming none of them) is bad usage, as for `run`: 1 says the definition
    // has errors, and CI must tell the two apart.
    let unpicked = checked.selected.is_none() && !checked.machines.is_empty();
    Ok(if checked.is_ok() {
        exit::OK
    } else if unpicked {
        exit::UNUSABLE
    } else {
        exit::FAILED
    })
}
