//! `statelab run`: one execution, printed as a trace of steps or as the JSON run report.

use std::io::Write;
use std::rc::Rc;

use statelab::exec::Status;
use statelab::report::RunReport;
use statelab::time::format_millis;
use statelab::Execution;

use crate::style::{terminal_safe, Colors, Style};
use crate::{bench, exit, files, Failure, Format, RunArgs, TimeFormat};

pub fn run(args: &RunArgs, colors: Colors) -> Result<u8, Failure> {
    let s = &args.session;
    s.check_usage()?;
    let started = std::time::Instant::now();
    let source = files::read_definition(&s.definition)?;
    // A template of one machine has nothing to choose: `--state-machine` may then name the
    // MockConfigFile's machine instead (its names need not match the template's).
    let config = s.state_machine.as_ref().and_then(|_| files::mock_config(s));
    let checked = files::check_named(&source, s.state_machine.as_deref(), config.as_ref())
        .for_workflow(s.workflow_type.map(Into::into));
    let machine = files::machine(&source, &checked, colors.err)?;
    let input = files::input(s.input.as_deref(), colors.err)?;
    let stubs = files::stubs(s, checked.selected.as_deref(), &machine, colors.err)?;
    let mut options = s.options().to_options().map_err(Failure::Usage)?;
    if let (None, Some(declared)) = (s.workflow_type, checked.workflow_type) {
        // The type the template declares (`StateMachineType: EXPRESS`), unless --type says.
        options.workflow_type = declared;
    }
    // The name in ARNs and `$$.StateMachine.Name`: the serverless or template machine's; a bare
    // definition's is the one --state-machine gives it (it was ignored without a word: a QA pass).
    if let Some(name) = checked.run_name(s.state_machine.as_deref()) {
        options.state_machine_name = name.to_string();
    }
    // The trace prints each step as it is taken and the report holds the history: neither reads
    // the inspector's records of visits and steps.
    options.inspect = false;
    let stubs = Rc::new(stubs);
    if let Some(reps) = args.bench_reps {
        let load_ms = started.elapsed().as_secs_f64() * 1000.0;
        bench::measure(&machine, &input, &stubs, &options, reps, args.bench_min_ms.unwrap_or(0.0), load_ms);
    }
    let mut exec = Execution::start(machine, input, stubs, options)
        .map_err(|e| Failure::Usage(format!("the execution cannot start: {}: {}", e.error, e.cause)))?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        Format::Json => {
            exec.run();
            let json = serde_json::to_string_pretty(&RunReport::of(&exec))
                .map_err(|e| Failure::Usage(format!("cannot write the report: {e}")))?;
            writeln!(out, "{json}")?;
        }
        Format::Text => trace(&mut exec, args.time, colors.out, &mut out)?,
    }
    out.flush()?;
    Ok(match exec.status() {
        Status::Succeeded(_) => exit::OK,
        _ => exit::FAILED,
    })
}

/// Runs the execution step by step, one line per step, then the outcome.
fn trace(exec: &mut Execution, time: TimeFormat, style: Style, out: &mut impl Write) -> std::io::Result<()> {
    let start = exec.options().start_time_ms;
    let when = |at: i64| match time {
        TimeFormat::Offset => format!("{:>10}", format!("+{}s", seconds(at - start))),
        TimeFormat::Iso => format_millis(at),
    };
    let events = |exec: &Execution, from: usize, to: usize| {
        let names: Vec<&str> =
            exec.history().get(from..to).unwrap_or_default().iter().map(|e| e.details.type_name()).collect();
        names.join(", ")
    };
    // ExecutionStarted is recorded when the execution starts, before the first step.
    writeln!(out, "{}  {}", style.dim(when(start)), events(exec, 0, exec.history().len()))?;
    while let Some(step) = exec.step() {
        let state = step.state.map(|id| exec.machine().state(id).name.clone());
        let mut place = String::new();
        if !step.thread.is_empty() {
            place.push_str(&style.thread(format!("{}/", terminal_safe(&step.thread))));
        }
        place.push_str(&style.bold(terminal_safe(state.as_deref().unwrap_or("(execution)"))));
        let mut what = events(exec, step.first_event, step.end_event);
        if what.is_empty() {
            // A step that recorded nothing here: one in a Distributed Map's child execution,
            // whose events are in the child's own history. Say what it did instead.
            what = format!("({})", step_words(step.kind));
        }
        writeln!(out, "{}  {place}  {}", style.dim(when(step.time)), style.dim(what))?;
    }
    let report = RunReport::of(exec);
    let status = match exec.status() {
        Status::Succeeded(_) => style.good(report.status),
        _ => style.error(report.status),
    };
    let transitions = report.billable_transitions;
    writeln!(
        out,
        "{status} after {} virtual seconds, {}",
        seconds(exec.elapsed_ms()),
        statelab::text::count(transitions, "billable transition")
    )?;
    if let Some(output) = &report.output {
        writeln!(out, "output: {}", crate::style::json_terminal_safe(&output.to_json_pretty()))?;
    }
    if let Some(error) = &report.error {
        writeln!(out, "error: {}", terminal_safe(error))?;
    }
    if let Some(cause) = &report.cause {
        if !cause.is_empty() {
            writeln!(out, "cause: {}", terminal_safe(cause))?;
        }
    }
    let c = &report.cost;
    // As the playground: no Express price for what could not run as Express, and a region
    // missing from the price table says whose prices were used.
    let express = if let Some(why) = &c.express_unsupported {
        format!("n/a as Express ({})", terminal_safe(why))
    } else if !c.express_possible {
        "n/a as Express (it runs longer than Express's 5 minutes)".to_string()
    } else {
        format!("${} as Express", usd(c.express_usd))
    };
    let region = if c.region_priced {
        c.region.clone()
    } else {
        format!("{}: not in the price table, us-east-1's prices", terminal_safe(&c.region))
    };
    writeln!(out, "cost: ${} as Standard, {express} ({region})", usd(c.standard_usd))
}

/// What a step did, in words, for a step that recorded no event (see [`statelab::exec::Step`]).
fn step_words(kind: &str) -> &str {
    match kind {
        "enter" => "entered",
        "task" => "task done",
        "wait" => "wait over",
        "timeout" => "timed out",
        "retry" => "retried",
        "join" => "branches done",
        other => other,
    }
}

/// Milliseconds as seconds with three decimals.
fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    format!("{sign}{}.{:03}", (ms / 1000).abs(), (ms % 1000).abs())
}

/// Dollars as the playground shows them.
fn usd(v: f64) -> String {
    statelab::cost::format_usd(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(seconds(0), "0.000");
        assert_eq!(seconds(61_250), "61.250");
    }
}
