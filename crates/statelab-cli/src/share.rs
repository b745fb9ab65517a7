//! `statelab share`: a playground link that opens the same session.

use std::io::Write;

use statelab::share::{checked_link, Session};

use crate::{exit, files, Failure, ShareArgs};

pub fn share(args: &ShareArgs) -> Result<u8, Failure> {
    let s = &args.session;
    s.check_usage()?;
    // As `run` insists (a script must say which case it shares); `--stubs` takes a config's
    // first case. It made a link without a case (a QA pass).
    if s.mock_config.is_some() && s.test_case.is_none() {
        return Err(Failure::Usage(
            "--mock-config needs --test-case NAME (or pass the file with --stubs, which uses its first test case)"
                .into(),
        ));
    }
    // The texts go in as they are, valid or not: a link is how a broken machine gets shown to
    // someone who can help.
    let text = |path: Option<&str>| -> Result<String, Failure> {
        Ok(match path {
            Some(p) => files::read(p)?.text,
            None => String::new(),
        })
    };
    let source = files::read_definition(&s.definition)?;
    check_against(&source, args)?;
    let session = Session {
        definition: source.text,
        input: text(s.input.as_deref())?,
        stubs: text(s.stubs.as_deref().or(s.mock_config.as_deref()))?,
        options: s.options(),
        breakpoints: args.breakpoints.clone(),
    };
    let url = checked_link(&args.base_url, &session).map_err(|e| Failure::Usage(e.message))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{url}")?;
    out.flush()?;
    Ok(exit::OK)
}

/// What can be checked against a definition that compiles: every breakpoint names one of its
/// states, the region is written like one and the start time leaves room for the run (see
/// `Options::check_region` and `check_start_time`): a link the run would refuse is no use. A
/// definition with errors is shared as it is, unchecked.
fn check_against(source: &files::Source, args: &ShareArgs) -> Result<(), Failure> {
    let checked = files::check(source, args.session.state_machine.as_deref());
    let Some(machine) = checked.machine.as_ref().filter(|_| checked.is_ok()) else { return Ok(()) };
    for b in &args.breakpoints {
        if machine.find_all(b).next().is_none() {
            let hint =
                machine.closest_state_name(b).map(|n| format!(" (did you mean '{n}'?)")).unwrap_or_default();
            return Err(Failure::Usage(format!("--breakpoint '{b}': no state has that name{hint}")));
        }
    }
    if let Ok(options) = args.session.options().to_options() {
        options.check_region().map_err(|e| Failure::Usage(format!("--region: {}", e.cause)))?;
        options
            .check_start_time(machine.timeout_seconds)
            .map_err(|e| Failure::Usage(format!("--start-time: {}", e.cause)))?;
    }
    Ok(())
}
