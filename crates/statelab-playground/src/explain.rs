//! "Explain this step": a state visit in plain words. Which path selected what, why a Choice
//! went where it went, how long a retry waited and why, what a Catch did with the error.

use statelab::choice::{explain as explain_rule, Comparison};
use statelab::eval::Env;
use statelab::exec::{Execution, RetryRecord, Visit, VisitStatus};
use statelab::machine::{
    Kind, NumberSource, PathField, Payload, QueryLanguage, State, TimestampSource, WaitSpec,
};
use statelab::Value;

use crate::format;

/// Longest JSON shown inline in a sentence.
const SNIPPET: usize = 80;

/// A value as a short inline snippet.
pub fn snippet(v: &Value) -> String {
    let s = v.to_json();
    if s.chars().count() <= SNIPPET {
        s
    } else {
        let cut: String = s.chars().take(SNIPPET).collect();
        format!("{cut}… ({} bytes)", s.len())
    }
}

fn path_sentence(field: &str, p: &PathField, after: Option<&Value>) -> Option<String> {
    match p {
        PathField::Default => None,
        PathField::Null => Some(format!("{field} is null, so it gives an empty object {{}}.")),
        PathField::Path(path) => Some(format!(
            "{field} {} selected {}.",
            path.text(),
            after.map_or_else(|| "nothing".to_string(), snippet)
        )),
    }
}

fn rule_sentence(i: usize, comparisons: &[Comparison], matched: bool) -> String {
    let parts: Vec<String> = comparisons
        .iter()
        .map(|c| {
            let value = c.value.as_ref().map_or_else(|| "(missing)".to_string(), snippet);
            let operand = c.operand.as_ref().map_or_else(|| "(missing)".to_string(), snippet);
            let not = if c.negated { format!(", so Not makes it {}", !c.result) } else { String::new() };
            format!("{} is {value}, {} {operand} is {}{not}", c.variable, c.comparator, c.result)
        })
        .collect();
    format!("Rule #{i} {}: {}.", if matched { "matched" } else { "did not match" }, parts.join("; "))
}

fn retrier_text(state: &State, i: usize) -> String {
    state.retry.get(i).map_or_else(
        || format!("Retrier #{i}"),
        |r| format!("Retrier #{i} (ErrorEquals {})", list(&r.error_equals)),
    )
}

fn list(names: &[std::rc::Rc<str>]) -> String {
    format!("[{}]", names.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "))
}

/// The most expression results listed one by one (a Map's ItemSelector runs once per item).
const MAX_EXPRESSIONS: usize = 12;

/// Why `st` evaluates the expression of `field` more than once in a visit, when it is said: a
/// Task's fields before the call once per attempt, a Map's ItemSelector once per item.
fn why_repeated(st: &State, field: &str) -> &'static str {
    match st.kind {
        Kind::Task(_) if before_the_call(field) => ", once per attempt",
        Kind::Map(_) if field.starts_with("ItemSelector") => ", once per item",
        _ => "",
    }
}

/// JSONata: which expression, in which field, produced what; only those `wanted` takes. The
/// same expression giving the same value again (a retried Task's Arguments, a Map's ItemSelector)
/// is said once, with how many times.
fn expression_sentences(st: &State, visit: &Visit, out: &mut Vec<String>, wanted: impl Fn(&str) -> bool) {
    let mut shown: Vec<(&statelab::exec::Evaluation, usize)> = Vec::new();
    for e in visit.evaluations.iter().filter(|e| !e.field.ends_with("/Condition") && wanted(&e.field)) {
        match shown.iter_mut().find(|(s, _)| s.field == e.field && s.expr == e.expr && s.value == e.value) {
            Some((_, n)) => *n += 1,
            None => shown.push((e, 1)),
        }
    }
    for (e, n) in shown.iter().take(MAX_EXPRESSIONS) {
        let times =
            if *n > 1 { format!(" ({n} times{})", why_repeated(st, &e.field)) } else { String::new() };
        out.push(match &e.value {
            Some(v) => format!("{}: {{% {} %}} gave {}{times}.", e.field, e.expr, snippet(v)),
            None => format!("{}: {{% {} %}} failed (see below){times}.", e.field, e.expr),
        });
    }
    if shown.len() > MAX_EXPRESSIONS {
        out.push(format!("…and {} more expressions.", shown.len() - MAX_EXPRESSIONS));
    }
}

/// The fields a Task evaluates before each call (then come the call, its retries, and the fields
/// of how it ended: Output, Assign, a Catcher's).
fn before_the_call(field: &str) -> bool {
    ["Arguments", "TimeoutSeconds", "HeartbeatSeconds", "Credentials"].iter().any(|f| field.starts_with(f))
}

/// The sentence for one retry of `state`: what failed, which retrier retried it, and the delay
/// with how it was reckoned. `ended`: when the visit ended, if it has; a retry due after that
/// never ran (the state was stopped while it waited: a sibling branch failed, the execution
/// timed out).
fn retry_sentence(st: &State, r: &RetryRecord, ended: Option<i64>) -> String {
    let rt = st.retry.get(r.retrier);
    let why = rt.map_or_else(String::new, |rt| {
        let base = format!(
            "IntervalSeconds {} × BackoffRate {}^{}",
            rt.interval_seconds,
            rt.backoff_rate,
            r.attempt - 1
        );
        // Said only of a wait the cap shortened (it was said of every wait of a capped retrier).
        let cap = rt
            .max_delay_seconds
            .filter(|&m| rt.backoff_seconds(r.attempt) > m)
            .map_or(String::new(), |m| format!(", capped at MaxDelaySeconds {m}"));
        let jitter = if rt.jitter_full { ", with FULL jitter (a seeded random share of it)" } else { "" };
        format!(" = {base}{cap}{jitter}")
    });
    let never_ran = ended.is_some_and(|end| end < r.at.saturating_add(r.delay_ms));
    format!(
        "{} failed with {}; {} {} it (attempt {} of {}) after {}{}{}.",
        st.name,
        r.error.error,
        retrier_text(st, r.retrier),
        if never_ran { "was to retry" } else { "retried" },
        r.attempt,
        rt.map_or(0, |rt| rt.max_attempts),
        format::duration_ms(r.delay_ms),
        why,
        if never_ran { ", but the state was stopped before then" } else { "" }
    )
}

/// Sentences explaining one visit, in the order things happened.
pub fn explain(exec: &Execution, visit: &Visit) -> Vec<String> {
    let machine = exec.machine();
    let st = machine.state(visit.state);
    let jsonata = st.query_language == QueryLanguage::JSONata;
    let start = exec.options().start_time_ms;
    let mut out = Vec::new();
    let st_stages = &visit.stages;
    out.push(format!(
        "{} state '{}' was entered at {}{}.",
        st.type_name(),
        st.name,
        format::offset_ms(visit.entered_at - start),
        format::in_thread(&visit.thread)
    ));
    if let Some(s) = path_sentence("InputPath", &st.io.input_path, st_stages.after_input_path.as_ref()) {
        out.push(s);
    }
    match &st.kind {
        Kind::Map(spec) => {
            if let (PathField::Path(p), Some(items)) = (&spec.items_path, &st_stages.after_items_path) {
                out.push(format!(
                    "ItemsPath {} selected {}.",
                    p.text(),
                    format::count(items.as_array().map_or(0, <[Value]>::len) as u64, "item")
                ));
            } else if let Some(items) = &st_stages.after_items_path {
                let n = format::count(items.as_array().map_or(0, <[Value]>::len) as u64, "item");
                if spec.item_reader.is_some() {
                    out.push(format!(
                        "Its ItemReader read {n}, from the stubs (Statelab reads no S3), and the Map iterates over them."
                    ));
                } else {
                    out.push(format!("The Map iterates over {n}."));
                }
            }
            // A Distributed Map's batches and tolerated failures were left unsaid (a QA note).
            if spec.item_batcher.is_some() {
                // MapStateStarted counts the child runs, one per batch.
                let batches = exec
                    .history()
                    .iter()
                    .skip(visit.entered_event as usize)
                    // Its own: not a later Map's after this one failed before starting.
                    .take_while(|e| visit.exited_at.is_none_or(|x| e.timestamp <= x))
                    .find_map(|e| match e.details {
                        statelab::history::Details::MapStateStarted { length }
                            if e.thread == visit.thread =>
                        {
                            Some(length)
                        }
                        _ => None,
                    });
                if let Some(n) = batches {
                    let noun = if n == 1 { "batch" } else { "batches" };
                    out.push(format!(
                        "ItemBatcher grouped the items into {n} {noun}: each child run gets one, its items under \"Items\" (and BatchInput under \"BatchInput\")."
                    ));
                }
            }
            let tolerated = [
                (&spec.tolerated_failure_count, "ToleratedFailureCount", ""),
                (&spec.tolerated_failure_percentage, "ToleratedFailurePercentage", "%"),
            ];
            for (source, field, unit) in tolerated {
                if let Some(NumberSource::Const(n)) = source {
                    out.push(format!(
                        "{field} lets up to {n}{unit} of the items fail before the Map fails (States.ExceedToleratedFailureThreshold)."
                    ));
                }
            }
            if spec.result_writer.as_ref().is_some_and(|w| w.export.is_some()) {
                out.push(
                    "Its ResultWriter exports the results to S3: nothing is written here, and the Map's result is where they would be (MapRunArn, ResultWriterDetails), as on AWS."
                        .into(),
                );
            }
            match &spec.item_selector {
                Some(Payload::Jsonata(_)) => out.push(
                    "ItemSelector shaped each item's input (with $states.context.Map.Item.Index and .Value)."
                        .into(),
                ),
                Some(Payload::Path(_)) => out.push(
                    "ItemSelector shaped each item's input (with $$.Map.Item.Index and .Value).".into(),
                ),
                None => {}
            }
        }
        _ => {
            // A retried Task builds them again for every attempt; the stage kept is the last
            // attempt's ("Parameters built {"retry":2}" read as the first call's: a QA pass).
            let last = if visit.invocations.len() > 1 {
                " for its last attempt (each attempt builds them again)"
            } else {
                ""
            };
            if let (Some(Payload::Path(_)), Some(v)) = (&st.io.parameters, &st_stages.after_parameters) {
                out.push(format!("Parameters built {}{last}.", snippet(v)));
            }
            if let (Some(Payload::Jsonata(_)), Some(v)) = (&st.io.parameters, &st_stages.after_arguments) {
                out.push(format!("Arguments built {}{last}.", snippet(v)));
            }
        }
    }
    // A Choice's Output and Assign come after its rules are tried (they belong to the matched
    // rule, or to the state); every other state's expressions come first.
    let is_choice = matches!(st.kind, Kind::Choice(_));
    let is_task = matches!(st.kind, Kind::Task(_));
    if jsonata && !is_choice {
        // A Task's Output, Assign and Catch expressions come after its calls, in the order
        // things happened (they were all told first: a QA pass).
        expression_sentences(st, visit, &mut out, |f| !is_task || before_the_call(f));
    }
    match &st.kind {
        Kind::Pass { .. } if jsonata => {}
        Kind::Pass { result: Some(r) } => out.push(format!("Result {} is the state's result.", snippet(r))),
        Kind::Pass { result: None } => out.push("With no Result, the effective input is the result.".into()),
        Kind::Task(spec) => {
            for (i, inv) in visit.invocations.iter().enumerate() {
                // How this invocation ended: "answered" was said of one that timed out, one a
                // failing sibling stopped, and one still running (a QA pass). One a Retrier
                // answered has answered (with an error), whatever the visit is doing since; a
                // stub that throws States.Timeout itself answered too.
                let pending = i + 1 == visit.invocations.len() && visit.retries.get(i).is_none();
                let takes = format::duration_ms((inv.duration_seconds * 1000.0) as i64);
                let stub = format!("The stub for '{}' (invocation #{})", st.name, inv.index);
                let sentence = if inv.unstubbed {
                    "No stub answered, so the task's input was echoed as its result".to_string()
                } else if inv.timed_out {
                    format!("{stub} takes {takes} of virtual time, longer than the Task may take: it timed out first")
                } else if pending && matches!(visit.status, VisitStatus::Running) {
                    format!("{stub} is working: it answers after {takes} of virtual time")
                } else if pending && matches!(visit.status, VisitStatus::Aborted) {
                    format!("{stub} would have answered after {takes} of virtual time, but the state was stopped first")
                } else if inv.duration_seconds > 0.0 {
                    format!("{stub} answered after {takes} of virtual time")
                } else {
                    format!("{stub} answered")
                };
                out.push(format!("{sentence} (resource {}).", spec.resource));
                if let Some(r) = visit.retries.get(i) {
                    out.push(retry_sentence(st, r, visit.exited_at));
                }
            }
        }
        Kind::Wait(w) => {
            if let Some(until) = visit.wait_until {
                // The field that gave the time, as written ("Seconds" was said of a SecondsPath).
                let how = match w {
                    WaitSpec::Seconds(NumberSource::Path(p)) => format!("SecondsPath {}", p.text()),
                    WaitSpec::Seconds(_) => "Seconds".to_string(),
                    WaitSpec::Timestamp(TimestampSource::Path(p)) => format!("TimestampPath {}", p.text()),
                    WaitSpec::Timestamp(_) => "Timestamp".to_string(),
                };
                let (wait, until_text) =
                    (format::duration_ms(until - visit.entered_at), format::clock(until));
                // A wait cut short (a sibling branch failed) or not over yet is not said to have
                // been waited out (a QA pass: "It waited 10s" of a Wait stopped after 2s).
                out.push(match (&visit.status, visit.exited_at) {
                    // A timestamp already past is no wait at all: said so, rather than "waits 0s".
                    _ if matches!(w, WaitSpec::Timestamp(_)) && until == visit.entered_at => {
                        format!("Its {how} was not after {until_text}, so it did not wait.")
                    }
                    (VisitStatus::Running, _) => format!(
                        "It waits {wait} ({how}) until {until_text}: on the virtual clock, no real time passes."
                    ),
                    (_, Some(at)) if at < until => format!(
                        "It was to wait {wait} ({how}) until {until_text}, and was stopped after {}.",
                        format::duration_ms(at - visit.entered_at)
                    ),
                    _ => format!(
                        "It waited {wait} ({how}) until {until_text}: on the virtual clock, no real time passed."
                    ),
                });
            }
        }
        Kind::Choice(spec) if jsonata => {
            for e in visit.evaluations.iter().filter(|e| e.field.ends_with("/Condition")) {
                let i = e.field.trim_start_matches("Choices[").split(']').next().unwrap_or("?");
                let verdict = match &e.value {
                    Some(Value::Bool(true)) => "was true".to_string(),
                    Some(Value::Bool(false)) => "was false".to_string(),
                    Some(v) => format!("gave {}, not a boolean", snippet(v)),
                    None => "failed".to_string(),
                };
                out.push(format!("Rule #{i}: its Condition {{% {} %}} {verdict}.", e.expr));
            }
            match (visit.choice_rule, visit.next) {
                (Some(i), Some(n)) => out.push(format!(
                    "So rule #{i} matched and the execution went to '{}'{}.",
                    machine.state(n).name,
                    if spec.choices.get(i).is_some_and(|b| b.output.is_some() || b.assign.is_some()) {
                        ", with the rule's own Output and Assign"
                    } else {
                        ""
                    }
                )),
                (None, Some(n)) => {
                    out.push(format!("No rule matched, so it took the Default, '{}'.", machine.state(n).name))
                }
                _ => {}
            }
        }
        Kind::Choice(spec) => {
            if let Some(eff) = &st_stages.after_input_path {
                let ctx = visit.context.clone().unwrap_or_default();
                // The variables as the state was entered, as the executor read them.
                let env = Env { input: eff, context: &ctx, vars: &*visit.variables };
                for (i, b) in spec.choices.iter().enumerate() {
                    let (r, comparisons) = explain_rule(&b.rule, &env);
                    let matched = r.as_ref().is_ok_and(|m| *m);
                    out.push(rule_sentence(i, &comparisons, matched));
                    if let Err(e) = r {
                        out.push(format!(
                            "Evaluating it failed: {}: {}.",
                            e.error,
                            e.cause.trim_end_matches('.')
                        ));
                        break;
                    }
                    if matched {
                        out.push(format!("So the execution went to '{}'.", machine.state(b.next).name));
                        break;
                    }
                }
                if visit.choice_rule.is_none() {
                    if let (Some(d), Some(_)) = (spec.default, visit.next) {
                        out.push(format!(
                            "No rule matched, so it took the Default, '{}'.",
                            machine.state(d).name
                        ));
                    }
                }
            }
        }
        // In the tense of the visit: it said "ran" of branches still running (a QA pass).
        Kind::Parallel { branches } => {
            let running = matches!(visit.status, VisitStatus::Running);
            out.push(match (branches.len(), running) {
                (1, true) => "Its one branch runs; its output, in a list, is the result.".to_string(),
                (1, false) => "Its one branch ran; its output, in a list, is the result.".to_string(),
                (n, running) => format!(
                    "Its {n} branches {} side by side; their outputs form its result, in branch order.",
                    if running { "run" } else { "ran" }
                ),
            });
        }
        Kind::Fail { .. } | Kind::Succeed | Kind::Map(_) => {}
    }
    if jsonata && is_choice {
        expression_sentences(st, visit, &mut out, |_| true);
    }
    // A Task's retries were told between its invocations, each after the one that failed.
    let told = if is_task { visit.invocations.len() } else { 0 };
    for r in visit.retries.iter().skip(told) {
        out.push(retry_sentence(st, r, visit.exited_at));
    }
    if jsonata && is_task {
        expression_sentences(st, visit, &mut out, |f| !before_the_call(f));
    }
    if let Some(v) = &st_stages.result {
        if !matches!(st.kind, Kind::Pass { .. }) {
            out.push(format!(
                "Its result: {}{}.",
                snippet(v),
                if jsonata { " ($states.result)" } else { "" }
            ));
            if jsonata && st.io.output.is_none() && matches!(visit.status, VisitStatus::Succeeded) {
                out.push("With no Output, the result is the state's output.".into());
            }
        }
    }
    if let Some(v) = &st_stages.after_result_selector {
        out.push(format!("ResultSelector reshaped the result into {}.", snippet(v)));
    }
    if matches!(st.kind, Kind::Pass { .. } | Kind::Task(_) | Kind::Parallel { .. } | Kind::Map(_))
        && st_stages.after_result_path.is_some()
    {
        out.push(match &st.io.result_path {
            PathField::Default => {
                "With ResultPath $ (the default), the result replaced the input.".to_string()
            }
            PathField::Null => {
                "ResultPath null discarded the result and kept the original input.".to_string()
            }
            PathField::Path(p) => {
                format!("ResultPath {} placed the result inside the original input.", p.text())
            }
        });
    }
    match &visit.status {
        VisitStatus::Caught { error, catcher } => {
            let c = st.catch.get(*catcher);
            let target = c.map(|c| machine.state(c.next).name.to_string()).unwrap_or_default();
            let placed = match c.map(|c| &c.result_path) {
                _ if jsonata => match c.and_then(|c| c.output.as_ref()) {
                    Some(_) => "its Output (which reads $states.errorOutput) gave the output".to_string(),
                    None => "the error output {Error, Cause} ($states.errorOutput) is the output (no Output)"
                        .to_string(),
                },
                Some(PathField::Path(p)) => {
                    format!("ResultPath {} put the error output {{Error, Cause}} inside the input", p.text())
                }
                Some(PathField::Null) => "ResultPath null kept the original input".to_string(),
                _ => "the error output {Error, Cause} replaced the input (no ResultPath)".to_string(),
            };
            out.push(format!(
                "{}: {} was caught by Catcher #{catcher} (ErrorEquals {}); {placed}, and the execution went to '{target}'.",
                error.error,
                error.cause,
                c.map_or_else(String::new, |c| list(&c.error_equals)),
            ));
        }
        VisitStatus::Failed(e) => {
            // Only Task, Parallel and Map states have Retry and Catch.
            let can_handle = matches!(st.kind, Kind::Task(_) | Kind::Parallel { .. } | Kind::Map(_));
            let why = if e.is_terminal() {
                " It is a terminal error: States.ALL cannot catch it."
            } else if !can_handle {
                ""
            } else if st.catch.is_empty() && st.retry.is_empty() {
                " The state has no Retry or Catch for it."
            } else {
                " No Retrier had attempts left and no Catcher matched."
            };
            // A cause that ends a sentence already is not given a second full stop ("..")
            // and an empty one is left out ("States.Timeout: .").
            let cause = crate::format::sentence(&e.cause);
            out.push(if cause.is_empty() {
                format!("It failed with {}.{why}", e.error)
            } else {
                format!("It failed with {}: {cause}{why}", e.error)
            });
        }
        VisitStatus::Aborted => out.push(
            "It was stopped because a sibling branch or iteration failed, or the execution ended.".into(),
        ),
        VisitStatus::Running => out.push("It is still in progress.".into()),
        VisitStatus::Succeeded => {}
    }
    // Only once it has run: not before (a visit in progress, one that failed) and not for a caught
    // error, whose Catcher's output skips OutputPath (it said "selected nothing" or named the
    // Catcher's output: a QA pass).
    if matches!(visit.status, VisitStatus::Succeeded) {
        if let Some(s) = path_sentence("OutputPath", &st.io.output_path, st_stages.output.as_ref()) {
            out.push(s);
        }
    }
    if !visit.assigned.is_empty() {
        let vars: Vec<String> =
            visit.assigned.iter().map(|(k, v)| format!("${k} = {}", snippet(v))).collect();
        out.push(format!(
            "It assigned {}{}.",
            vars.join(", "),
            if jsonata {
                " (every expression read the variables as they were when the state was entered)"
            } else {
                ""
            }
        ));
    }
    if let (Some(o), Some(n)) = (&st_stages.output, visit.next) {
        if !matches!(visit.status, VisitStatus::Caught { .. }) {
            out.push(format!("Its output {} went on to '{}'.", snippet(o), machine.state(n).name));
        }
    } else if let (Some(o), None, VisitStatus::Succeeded) = (&st_stages.output, visit.next, &visit.status) {
        out.push(format!(
            "Its output {} ended its {}.",
            snippet(o),
            if visit.thread.is_empty() { "execution" } else { "branch" }
        ));
    }
    // Said once, and only when some were not kept (it counted only what was kept: "…and 88 more"
    // of a Map with 589 left, a QA pass).
    if visit.evaluations_dropped {
        out.push(format!(
            "It evaluated more expressions than the {} a visit keeps: the rest are not shown.",
            statelab::exec::MAX_RECORDED_EVALUATIONS
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn run(def: &str, input: &str, stubs: &str) -> Execution {
        let c = statelab::check(def, None);
        let m = c.machine.unwrap_or_else(|| panic!("{:?}", c.diagnostics));
        let stubs = statelab::Stubs::from_stubs(&statelab::json::parse(stubs).unwrap()).unwrap();
        let mut e =
            Execution::start(m, statelab::json::parse(input).unwrap(), Rc::new(stubs), Default::default())
                .unwrap();
        e.run();
        e
    }

    /// Where the first line holding `needle` is, or past the end when none does (so an order
    /// asserted against a missing line fails).
    fn line_with(lines: &[String], needle: &str) -> usize {
        lines.iter().position(|l| l.contains(needle)).unwrap_or(usize::MAX)
    }

    #[test]
    fn a_retry_the_state_did_not_live_to_make_is_said_so() {
        // Branch 0's Task waits 10 s to retry; branch 1 fails at 1 s and stops it first.
        let e = run(
            r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 3}], "End": true}}},
                {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "F"}, "F": {"Type": "Fail", "Error": "Stop"}}}]}}}"#,
            "{}",
            r#"{"T": {"Throw": {"Error": "E", "Cause": "c"}}}"#,
        );
        let t = e.visits().iter().find(|v| e.machine().state(v.state).name.as_ref() == "T").unwrap();
        let text = explain(&e, t).join("\n");
        assert!(text.contains("was to retry it (attempt 1 of 3) after 10s"), "{text}");
        assert!(text.contains("but the state was stopped before then"), "{text}");
    }

    /// A Wait a failing sibling stopped is not said to have waited its time out (it said "It
    /// waited 10s" of a Wait stopped after 2s: a QA pass).
    #[test]
    fn a_wait_stopped_early_says_so() {
        let e = run(
            r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": true}}},
                {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}]}}}"#,
            "{}",
            r#"{"T": {"Throw": {"Error": "E", "Cause": "c"}, "Duration": 2}}"#,
        );
        let w = e.visits().iter().find(|v| e.machine().state(v.state).name.as_ref() == "W").unwrap();
        let text = explain(&e, w).join("\n");
        assert!(text.contains("It was to wait 10s (Seconds) until"), "{text}");
        assert!(text.contains("and was stopped after 2s"), "{text}");
        assert!(!text.contains("It waited"), "{text}");
    }

    /// What a QA pass found said wrongly: OutputPath "selected" for a caught error (whose
    /// Catcher skips it), "answered" of an invocation that timed out, "Seconds" of a
    /// SecondsPath, "waits 0s" of a Timestamp already past, ".." after a cause ending in a full
    /// stop, and "no Retry or Catch" of a Fail state, which cannot have them.
    #[test]
    fn explanations_say_what_happened() {
        let visit_of = |e: &Execution, name: &str| {
            let v = e.visits().iter().find(|v| e.machine().state(v.state).name.as_ref() == name).cloned();
            explain(e, &v.unwrap()).join("\n")
        };
        let caught = run(
            r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "OutputPath": "$.r", "TimeoutSeconds": 3, "End": true,
                "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "D"}]},
                "D": {"Type": "Succeed"}}}"#,
            r#"{"keep": 1}"#,
            r#"{"T": {"Return": {}, "Duration": 10}}"#,
        );
        let t = visit_of(&caught, "T");
        assert!(!t.contains("OutputPath"), "{t}");
        assert!(!t.contains("answered"), "{t}");
        assert!(
            t.contains("takes 10s of virtual time, longer than the Task may take: it timed out first"),
            "{t}"
        );
        let waits = run(
            r#"{"StartAt": "S", "States": {"S": {"Type": "Wait", "SecondsPath": "$.s", "Next": "P"},
                "P": {"Type": "Wait", "Timestamp": "2025-12-31T23:00:00Z", "Next": "F"},
                "F": {"Type": "Fail", "Error": "E", "Cause": "It broke."}}}"#,
            r#"{"s": 2}"#,
            "{}",
        );
        assert!(
            visit_of(&waits, "S").contains("It waited 2s (SecondsPath $.s)"),
            "{}",
            visit_of(&waits, "S")
        );
        let past = visit_of(&waits, "P");
        assert!(
            past.contains("Its Timestamp was not after 2026-01-01 00:00:02 UTC, so it did not wait."),
            "{past}"
        );
        let f = visit_of(&waits, "F");
        assert!(
            f.contains("It failed with E: It broke.") && !f.contains("..") && !f.contains("Retry"),
            "{f}"
        );
    }

    /// A stub that throws States.Timeout answered (it is how Step Functions Local simulates a
    /// timeout): it was said to have "timed out first"; and an invocation a Retrier answered is
    /// not "working" while the retry waits (review).
    #[test]
    fn a_thrown_timeout_and_a_pending_retry_are_answers() {
        let def = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 1}], "End": true}}}"#;
        let stubs = r#"{"T": {"Throw": {"Error": "States.Timeout", "Cause": ""}}}"#;
        let e = run(def, "{}", stubs);
        let text = explain(&e, &e.visits()[0]).join("\n");
        assert!(!text.contains("timed out first"), "{text}");
        assert!(text.contains("(invocation #0) answered"), "{text}");
        // Paused while the retry waits: the first invocation answered.
        let c = statelab::check(def, None);
        let stubs = statelab::Stubs::from_stubs(&statelab::json::parse(stubs).unwrap()).unwrap();
        let mut e = Execution::start(
            c.machine.unwrap(),
            statelab::Value::empty_object(),
            Rc::new(stubs),
            Default::default(),
        )
        .unwrap();
        while e.visits().first().is_none_or(|v| v.retries.is_empty()) {
            e.step();
        }
        let text = explain(&e, &e.visits()[0]).join("\n");
        assert!(!text.contains("is working"), "{text}");
        assert!(text.contains("(invocation #0) answered"), "{text}");
    }

    /// Past the evaluations a visit keeps, no count is made up (it said "…and 88 more" of a Map
    /// with 589 left: a QA pass).
    #[test]
    fn kept_evaluations_are_not_miscounted() {
        let e = run(
            r#"{"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
                "Items": "{% $states.input.xs %}", "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}"},
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}"#,
            &format!("{{\"xs\": [{}]}}", (0..300).map(|i| i.to_string()).collect::<Vec<_>>().join(",")),
            "{}",
        );
        let text = explain(&e, &e.visits()[0]).join("\n");
        assert_eq!(
            text.matches("It evaluated more expressions than the 100 a visit keeps").count(),
            1,
            "{text}"
        );
        // What is counted is what was kept, and said to be so.
        assert!(text.contains("…and 88 more expressions."), "{text}");
    }

    /// A Distributed Map says where its items came from and where its results went (it said
    /// only "The Map iterates over 2 items", and nothing of the ResultWriter; a QA pass).
    #[test]
    fn a_distributed_map_says_where_its_items_and_results_go() {
        let e = run(
            r#"{"StartAt": "D", "States": {"D": {"Type": "Map", "End": true,
                "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k.json"}},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                  "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "p"}}}}}"#,
            "{}",
            r#"{"D": {"ItemReader": [1, 2]}}"#,
        );
        let t = explain(&e, &e.visits()[0]).join("\n");
        assert!(t.contains("Its ItemReader read 2 items, from the stubs"), "{t}");
        assert!(t.contains("Its ResultWriter exports the results to S3"), "{t}");
    }

    /// A retried Task's Parameters are said to be its last attempt's, which the stage keeps.
    #[test]
    fn a_retried_tasks_parameters_are_its_last_attempts() {
        let e = run(
            r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"retry.$": "$$.State.RetryCount"}, "End": true,
                "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 2}]}}}"#,
            "{}",
            r#"{"T": [{"Throw": {"Error": "E"}}, {"Throw": {"Error": "E"}}, {"Return": {"ok": true}}]}"#,
        );
        let t = explain(&e, &e.visits()[0]).join("\n");
        assert!(t.contains(r#"Parameters built {"retry":2} for its last attempt"#), "{t}");
    }

    /// A Distributed Map's batches and tolerated failures are said (they were left out).
    #[test]
    fn a_distributed_map_says_its_batches_and_tolerated_failures() {
        let e = run(
            r#"{"StartAt": "D", "States": {"D": {"Type": "Map", "End": true, "ToleratedFailureCount": 2,
                "ItemBatcher": {"MaxItemsPerBatch": 2},
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                  "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}"#,
            "[1, 2, 3, 4, 5]",
            "{}",
        );
        let t = explain(&e, &e.visits()[0]).join("\n");
        assert!(t.contains("ItemBatcher grouped the items into 3 batches"), "{t}");
        assert!(t.contains("ToleratedFailureCount lets up to 2 of the items fail"), "{t}");
    }

    /// A JSONPath rule reading a variable is explained with the variables the state was entered
    /// with: it was explained with none, so a rule that matched read "did not match", then
    /// "Evaluating it failed: ... references an invalid value.." (a QA pass).
    #[test]
    fn a_choice_rule_on_a_variable_is_explained_as_it_ran() {
        let e = run(
            r#"{"StartAt": "Init", "States": {
                "Init": {"Type": "Pass", "Assign": {"n": 1}, "Next": "Pick"},
                "Pick": {"Type": "Choice", "Assign": {"n": 10},
                         "Choices": [{"Variable": "$n", "NumericEqualsPath": "$n", "Next": "A"}], "Default": "B"},
                "A": {"Type": "Succeed"}, "B": {"Type": "Fail"}}}"#,
            "{}",
            "{}",
        );
        let t = explain(&e, &e.visits()[1]).join(
            "
",
        );
        assert!(t.contains("Rule #0 matched: $n is 1, NumericEqualsPath 1 is true."), "{t}");
        assert!(t.contains("So the execution went to 'A'."), "{t}");
        assert!(!t.contains("failed"), "{t}");
    }

    /// A retried JSONata Task tells its Arguments once (with how many times), then its calls and
    /// retries, then the Catcher's Output: they were all told before the calls, the Arguments
    /// once per attempt with nothing to tell them apart (a QA pass).
    #[test]
    fn a_retried_jsonata_task_is_told_in_order() {
        let e = run(
            r#"{"QueryLanguage": "JSONata", "StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"n": "{% 1 %}"},
                      "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1, "IntervalSeconds": 1}],
                      "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput.Error %}", "Next": "Done"}],
                      "End": true},
                "Done": {"Type": "Succeed"}}}"#,
            "{}",
            r#"{"T": {"Throw": {"Error": "E", "Cause": "c"}}}"#,
        );
        let lines = explain(&e, &e.visits()[0]);
        let at = |needle: &str| line_with(&lines, needle);
        assert_eq!(lines.iter().filter(|l| l.starts_with("Arguments/n")).count(), 1, "{lines:?}");
        assert!(lines[at("Arguments/n")].contains("(2 times, once per attempt)"), "{lines:?}");
        assert!(at("Arguments/n") < at("(invocation #0)"), "{lines:?}");
        assert!(at("(invocation #0)") < at("retried it"), "{lines:?}");
        assert!(at("retried it") < at("(invocation #1)"), "{lines:?}");
        assert!(at("(invocation #1)") < at("Catch[0]/Output"), "{lines:?}");
    }

    /// A Map's ItemSelector giving one value for every item says so once per item, not "once
    /// per attempt" (said of any repeated expression: the eighth session's review).
    #[test]
    fn a_repeated_item_selector_is_once_per_item() {
        let e = run(
            r#"{"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
                "Items": "{% [1, 2, 3] %}", "ItemSelector": {"k": "{% 7 %}"},
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}"#,
            "{}",
            "{}",
        );
        let lines = explain(&e, &e.visits()[0]);
        let selector = &lines[line_with(&lines, "ItemSelector/k")];
        assert!(selector.contains("gave 7 (3 times, once per item)."), "{lines:?}");
        assert!(!lines.iter().any(|l| l.contains("once per attempt")), "{lines:?}");
    }

    /// Only the waits the cap shortened say "capped" (every one did: a QA pass).
    #[test]
    fn only_a_capped_wait_says_so() {
        let e = run(
            r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 3, "MaxDelaySeconds": 10}]}}}"#,
            "{}",
            r#"{"T": {"Throw": {"Error": "E", "Cause": "c"}}}"#,
        );
        let lines = explain(&e, &e.visits()[0]);
        let retries: Vec<&String> = lines.iter().filter(|l| l.contains("retried it")).collect();
        assert_eq!(retries.len(), 3, "{lines:?}");
        assert!(retries[0].contains("after 2s = IntervalSeconds 2 × BackoffRate 3^0."), "{}", retries[0]);
        assert!(!retries[1].contains("capped"), "{}", retries[1]);
        assert!(
            retries[2]
                .contains("after 10s = IntervalSeconds 2 × BackoffRate 3^2, capped at MaxDelaySeconds 10"),
            "{}",
            retries[2]
        );
    }

    #[test]
    fn choice_retry_and_catch_in_words() {
        let e = run(
            r#"{"StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "C",
                      "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "MaxAttempts": 1}],
                      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "C"}]},
                "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 5, "Next": "Big"}], "Default": "Small"},
                "Big": {"Type": "Succeed"}, "Small": {"Type": "Succeed"}}}"#,
            r#"{"n": 3}"#,
            r#"{"T": {"Throw": {"Error": "Boom", "Cause": "bad"}}}"#,
        );
        let t = explain(&e, &e.visits()[0]).join("\n");
        assert!(
            t.contains("Boom; Retrier #0 (ErrorEquals [Boom]) retried it (attempt 1 of 1) after 2s"),
            "{t}"
        );
        assert!(
            t.contains(
                "caught by Catcher #0 (ErrorEquals [States.ALL]); ResultPath $.err put the error output"
            ),
            "{t}"
        );
        // In the order it happened: the first invocation, its failure retried, the second.
        let lines = explain(&e, &e.visits()[0]);
        let at = |needle: &str| line_with(&lines, needle);
        assert!(at("(invocation #0)") < at("retried it"), "{lines:?}");
        assert!(at("retried it") < at("(invocation #1)"), "{lines:?}");
        assert!(at("(invocation #1)") < lines.len(), "{lines:?}");
        let c = explain(&e, &e.visits()[1]).join("\n");
        assert!(c.contains("Rule #0 did not match: $.n is 3, NumericGreaterThan 5 is false."), "{c}");
        assert!(c.contains("took the Default, 'Small'"), "{c}");
    }

    #[test]
    fn a_not_rule_says_what_not_made_of_it() {
        let e = run(
            r#"{"StartAt": "C", "States": {
                "C": {"Type": "Choice", "Choices": [
                    {"Not": {"Variable": "$.a", "NumericEquals": 1}, "Next": "X"},
                    {"Or": [{"Variable": "$.b", "StringEquals": "no"}, {"Not": {"Variable": "$.b", "IsPresent": false}}], "Next": "Y"}],
                    "Default": "X"},
                "X": {"Type": "Succeed"}, "Y": {"Type": "Succeed"}}}"#,
            r#"{"a": 1, "b": "yes"}"#,
            "{}",
        );
        let c = explain(&e, &e.visits()[0]).join("\n");
        assert!(
            c.contains("Rule #0 did not match: $.a is 1, NumericEquals 1 is true, so Not makes it false."),
            "{c}"
        );
        assert!(c.contains("IsPresent false is false, so Not makes it true."), "{c}");
        assert!(c.contains("Rule #1 matched: $.b is \"yes\", StringEquals \"no\" is false;"), "{c}");
    }

    #[test]
    fn jsonata_in_words() {
        let e = run(
            r#"{"QueryLanguage": "JSONata", "StartAt": "C", "States": {
                "C": {"Type": "Choice", "Choices": [
                    {"Condition": "{% $states.input.n > 5 %}", "Next": "T",
                     "Output": {"n": "{% $states.input.n %}"}}], "Default": "T"},
                "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Arguments": {"n": "{% $states.input.n %}"}, "Assign": {"seen": "{% $states.result %}"},
                      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": true},
                "Done": {"Type": "Succeed"}}}"#,
            r#"{"n": 7}"#,
            r#"{"T": {"Return": {"ok": true}}}"#,
        );
        let c = explain(&e, &e.visits()[0]).join("\n");
        assert!(c.contains("Rule #0: its Condition {% $states.input.n > 5 %} was true."), "{c}");
        assert!(
            c.contains("So rule #0 matched and the execution went to 'T', with the rule's own Output"),
            "{c}"
        );
        // The matched rule's Output is told after the rules were tried, not before.
        let lines = explain(&e, &e.visits()[0]);
        let at = |needle: &str| line_with(&lines, needle);
        assert!(at("So rule #0 matched") < at("Choices[0]/Output/n"), "{lines:?}");
        assert!(at("Choices[0]/Output/n") < lines.len(), "{lines:?}");
        let t = explain(&e, &e.visits()[1]).join("\n");
        assert!(t.contains("Arguments/n: {% $states.input.n %} gave 7."), "{t}");
        assert!(t.contains("Arguments built {\"n\":7}."), "{t}");
        assert!(t.contains("Its result: {\"ok\":true} ($states.result)."), "{t}");
        assert!(t.contains("With no Output, the result is the state's output."), "{t}");
        assert!(t.contains("It assigned $seen = {\"ok\":true}"), "{t}");
    }

    #[test]
    fn waits_and_paths() {
        let e = run(
            r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 90, "InputPath": "$.a", "End": true}}}"#,
            r#"{"a": {"b": 1}}"#,
            "{}",
        );
        let t = explain(&e, &e.visits()[0]).join("\n");
        assert!(t.contains("InputPath $.a selected {\"b\":1}."), "{t}");
        assert!(t.contains("waited 1m 30s (Seconds) until 2026-01-01 00:01:30 UTC"), "{t}");
    }
}
