//! What the fuzz targets share: text from bytes, the example gallery, a generator of small state
//! machines (with inputs and stubs) and the one way every target runs an execution.
//!
//! The generator builds definitions that mostly compile, so the fuzzer spends its time in the
//! executor rather than in the validator (the `check` target covers that): every state type,
//! data-flow fields with paths and intrinsic calls built from parts, Retry/Catch, Parallel and
//! Map (inline and distributed) nested a few levels, and numbers from the edges of their ranges.

use std::rc::Rc;

use arbitrary::{Arbitrary, Result, Unstructured};
use statelab::exec::{Options, Unstubbed, WorkflowType};
use statelab::value::{Key, Map, Value};
use statelab::{Execution, Stubs};

/// The gallery, compiled in so that the `execute` target can run each example with mutated data.
pub const EXAMPLES: &[&str] = &[
    include_str!("../../www/examples/callback.json"),
    include_str!("../../www/examples/choice-and-wait.json"),
    include_str!("../../www/examples/distributed-map.json"),
    include_str!("../../www/examples/error-handling.json"),
    include_str!("../../www/examples/express-timeout.json"),
    include_str!("../../www/examples/express.json"),
    include_str!("../../www/examples/hello-world.json"),
    include_str!("../../www/examples/intrinsics.json"),
    include_str!("../../www/examples/library-loan.json"),
    include_str!("../../www/examples/map-concurrency.json"),
    include_str!("../../www/examples/map-intrinsics.json"),
    include_str!("../../www/examples/parallel-lookup.json"),
    include_str!("../../www/examples/pdf-transform.json"),
    include_str!("../../www/examples/report-runner.json"),
    include_str!("../../www/examples/state-tour.json"),
];

/// The step budget for fuzzed runs: enough for every example, small enough for thousands of runs
/// a second. Runaway loops end here, which is itself under test.
pub const FUZZ_MAX_STEPS: u64 = 3_000;

/// Bytes as text, the way a front end gets it: invalid UTF-8 replaced.
pub fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Splits `data` at its first newline: (first line, the rest).
pub fn split_line(data: &[u8]) -> (String, String) {
    let s = text(data);
    match s.split_once('\n') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (s, String::new()),
    }
}

/// Reads text as JSON, else as YAML, as the front ends do.
pub fn parse_any(text: &str) -> Option<Value> {
    statelab::json::parse(text).ok().or_else(|| statelab::yaml::parse(text).ok())
}

/// Everything a front end does with a run, so that each of those paths is exercised: check the
/// definition, start, run to the end (or the budget), report, serialize the history, and
/// (sometimes) go back and run forward again, which must reach the same end.
pub fn run(definition: &str, input: Value, stubs: &Value, options: Options, replay: bool) {
    let checked = statelab::check(definition, None);
    let Some(machine) = checked.machine.clone() else { return };
    if !checked.is_ok() {
        return;
    }
    let Ok(stubs) = Stubs::parse(stubs, None, None) else { return };
    let stubs = Rc::new(stubs);
    let lean_options = Options { inspect: !options.inspect, ..options.clone() };
    let Ok(mut exec) = Execution::start(machine.clone(), input.clone(), stubs.clone(), options) else { return };
    let status = exec.run().clone();
    // With and without the inspector's records (what `statelab run` does), the same execution.
    if let Ok(mut other) = Execution::start(machine, input, stubs, lean_options) {
        assert_eq!(&status, other.run(), "a run with inspect flipped ended differently");
        assert_eq!(
            statelab::history::to_aws_json(exec.history()),
            statelab::history::to_aws_json(other.history()),
            "a run with inspect flipped has a different history"
        );
    }
    let report = statelab::report::RunReport::of(&exec);
    let _ = report.to_json();
    let _ = statelab::history::to_aws_json(exec.history());
    let _ = exec.usage();
    let _ = exec.cost();
    if let statelab::Status::Succeeded(out) = &status {
        let _ = out.to_json_pretty();
        let _ = statelab::export::to_yaml(out);
    }
    if replay && exec.step_count() > 1 {
        // The debugger's "back": a fresh run to an earlier step, then on to the end again. Runs
        // are deterministic, so it must end the same way.
        let mut again = exec.replay(exec.step_count() / 2);
        let _ = again.pending();
        let _ = again.next_time();
        let status_again = again.run().clone();
        assert_eq!(status, status_again, "a replayed run ended differently");
        assert_eq!(exec.history().len(), again.history().len(), "a replayed run has a different history");
    }
}

/// `true` with probability `n / d`; `false` once the bytes run out (where `Unstructured::ratio`
/// says `true`, which would give every optional field to short inputs).
pub fn chance(u: &mut Unstructured<'_>, n: u8, d: u8) -> Result<bool> {
    if u.is_empty() {
        return Ok(false);
    }
    u.ratio(n, d)
}

/// Run options drawn from the fuzzer's bytes: the seed, the workflow type, the start time (within
/// the range of dates a timestamp can hold) and sometimes a small history quota.
pub fn options(u: &mut Unstructured<'_>) -> Result<Options> {
    let mut o = Options { max_steps: FUZZ_MAX_STEPS, ..Options::default() };
    o.seed = u.arbitrary()?;
    if chance(u, 1, 4)? {
        o.workflow_type = WorkflowType::Express;
    }
    if chance(u, 1, 8)? {
        o.unstubbed = Unstubbed::Fail;
    }
    if chance(u, 1, 8)? {
        o.start_time_ms = u.arbitrary()?;
    }
    if chance(u, 1, 8)? {
        o.max_history_events = u.int_in_range(1..=200)?;
    }
    if chance(u, 1, 16)? {
        o.max_steps = u.int_in_range(1..=50)?;
    }
    Ok(o)
}

/// A JSON value of bounded size.
pub fn value(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let choice = if depth == 0 { u.int_in_range(0..=4)? } else { u.int_in_range(0..=6)? };
    Ok(match choice {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => number(u)?,
        3 | 4 => Value::string(string(u)?),
        5 => {
            let n = u.int_in_range(0..=4)?;
            let mut items = Vec::new();
            for _ in 0..n {
                items.push(value(u, depth - 1)?);
            }
            Value::array(items)
        }
        _ => {
            let n = u.int_in_range(0..=4)?;
            let mut map = Map::default();
            for _ in 0..n {
                map.insert(Key::from(key(u)?), value(u, depth - 1)?);
            }
            Value::object(map)
        }
    })
}

/// A number, often from the edges: the extremes of `i64`, huge and tiny floats.
pub fn number(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=7)? {
        0 => Value::int(u.int_in_range(-3..=10)?),
        1 => {
            Value::int(*u.choose(&[i64::MIN, i64::MAX, i64::MIN + 1, -1, 1 << 53, 99_999_999, 31_536_000])?)
        }
        2 => Value::int(u.arbitrary()?),
        3 => Value::float(*u.choose(&[0.5, -1.5, 1e300, -1e300, 1e-300, 9.3e18, -9.3e18, 2.5])?)
            .unwrap_or(Value::Null),
        4 => Value::float(u.arbitrary()?).unwrap_or(Value::Null),
        _ => Value::int(u.int_in_range(0..=3)?),
    })
}

/// A string: often one that means something to ASL (a path, a timestamp, an error name).
pub fn string(u: &mut Unstructured<'_>) -> Result<String> {
    const WORDS: &[&str] = &[
        "",
        "a",
        "b",
        "x",
        "$",
        "$.a",
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:01.5+01:00",
        "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00Z",
        "+275760-09-13T00:00:00Z",
        "{}",
        "[1,2]",
        "{\"a\":1}",
        "\\{}",
        "{} {}",
        "héllo wörld",
        "\u{1F600}",
        "a,b,c",
        "States.TaskFailed",
        "States.ALL",
        "1e400",
        "-0",
    ];
    if chance(u, 3, 4)? {
        Ok((*u.choose(WORDS)?).to_string())
    } else {
        let s: &str = u.arbitrary()?;
        Ok(s.chars().take(40).collect())
    }
}

fn key(u: &mut Unstructured<'_>) -> Result<String> {
    const KEYS: &[&str] = &["a", "b", "n", "m", "s", "items", "a b", "0", ""];
    if chance(u, 7, 8)? {
        Ok((*u.choose(KEYS)?).to_string())
    } else {
        let s: &str = u.arbitrary()?;
        Ok(s.chars().take(12).collect())
    }
}

/// A JSONPath or reference path: mostly plausible, sometimes anything.
pub fn path(u: &mut Unstructured<'_>) -> Result<String> {
    const PATHS: &[&str] = &[
        "$",
        "$.a",
        "$.b",
        "$.n",
        "$.m",
        "$.s",
        "$.items",
        "$.items[0]",
        "$.items[-1]",
        "$.items[*]",
        "$.items[1:3]",
        "$.items[::-1]",
        "$.items.length()",
        "$..a",
        "$.a.b.c",
        "$['a b']",
        "$.items[?(@.n > 1)]",
        "$.items[?(@.s =~ /a.*/)]",
        "$$",
        "$$.Execution.Input",
        "$$.State.EnteredTime",
        "$$.State.RetryCount",
        "$$.Map.Item.Value",
        "$$.Map.Item.Index",
        "$$.Task.Token",
        "$var",
        "$var.a",
    ];
    if chance(u, 1, 16)? {
        let s: &str = u.arbitrary()?;
        Ok(format!("${}", s.chars().take(20).collect::<String>()))
    } else {
        Ok((*u.choose(PATHS)?).to_string())
    }
}

/// A reference path (ResultPath): mostly plausible, sometimes anything.
pub fn ref_path(u: &mut Unstructured<'_>) -> Result<String> {
    const PATHS: &[&str] =
        &["$", "$.a", "$.b", "$.n", "$.s", "$.items", "$.items[0]", "$.a.b.c", "$['a b']", "$.x.y"];
    if chance(u, 1, 10)? {
        path(u)
    } else {
        Ok((*u.choose(PATHS)?).to_string())
    }
}

/// An intrinsic call built from parts: any of the 18 functions, with literal, path or call
/// arguments, nested up to a few levels (past the limit of 10 sometimes, to test the refusal).
pub fn intrinsic(u: &mut Unstructured<'_>, depth: u32) -> Result<String> {
    let functions = statelab::intrinsics::Function::ALL;
    let f = u.choose(&functions)?;
    let n = u.int_in_range(0..=4)?;
    let mut args = Vec::new();
    for _ in 0..n {
        let arg = match u.int_in_range(0..=5)? {
            0 | 1 => path(u)?,
            2 if depth > 0 => intrinsic(u, depth - 1)?,
            3 => {
                let s = string(u)?;
                format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
            }
            4 => number(u)?.to_json(),
            _ => (*u.choose(&["null", "true", "false", "1", "0", "-1", "1000", "0.5", "'{}'"])?).to_string(),
        };
        args.push(arg);
    }
    Ok(format!("{}({})", f.name(), args.join(", ")))
}

/// A payload template (Parameters, ResultSelector, ItemSelector, Assign).
pub fn template(u: &mut Unstructured<'_>, depth: u32) -> Result<Value> {
    let n = u.int_in_range(0..=3)?;
    let mut map = Map::default();
    for _ in 0..n {
        let k = key(u)?.trim_end_matches(".$").to_string();
        match u.int_in_range(0..=4)? {
            0 => {
                map.insert(Key::from(format!("{k}.$")), Value::string(path(u)?));
            }
            1 => {
                map.insert(Key::from(format!("{k}.$")), Value::string(intrinsic(u, 2)?));
            }
            2 if depth > 0 => {
                map.insert(Key::from(k), template(u, depth - 1)?);
            }
            _ => {
                map.insert(Key::from(k), value(u, 1)?);
            }
        }
    }
    Ok(Value::object(map))
}

/// How deeply Parallel and Map nest in a generated machine.
const MAX_SCOPE_DEPTH: u32 = 3;

/// The states generated so far: every name (for stubs), and the Map states that read their items
/// with an ItemReader (whose data the stubs give).
#[derive(Debug, Default)]
pub struct Names {
    all: Vec<String>,
    readers: Vec<String>,
}

impl Names {
    fn len(&self) -> usize {
        self.all.len()
    }

    fn push(&mut self, name: String) {
        self.all.push(name);
    }
}

/// A generated state machine (a scope: the top level, a branch or an item processor).
pub fn machine(u: &mut Unstructured<'_>, depth: u32, names: &mut Names) -> Result<Value> {
    let count = u.int_in_range(1..=5)?;
    let first = names.len();
    for i in 0..count {
        names.push(format!("S{}", first + i));
    }
    let own: Vec<String> = names.all[first..].to_vec();
    let mut states = Map::default();
    for (i, name) in own.iter().enumerate() {
        let st = state(u, depth, i, &own, names)?;
        states.insert(Key::from(name.as_str()), st);
    }
    Ok(Value::object_from([("StartAt", Value::string(own[0].as_str())), ("States", Value::object(states))]))
}

/// Where a state goes next: a later state (so most machines end), sometimes an earlier one (a
/// loop the step budget or a Choice ends).
fn next(u: &mut Unstructured<'_>, i: usize, own: &[String]) -> Result<Option<String>> {
    if chance(u, 1, 12)? {
        return Ok(Some(u.choose(own)?.clone()));
    }
    Ok(own.get(i + 1).cloned())
}

fn transition(u: &mut Unstructured<'_>, m: &mut Map, i: usize, own: &[String]) -> Result<()> {
    match next(u, i, own)? {
        Some(n) => m.insert(Key::from("Next"), Value::string(n)),
        None => m.insert(Key::from("End"), Value::Bool(true)),
    };
    Ok(())
}

fn put(m: &mut Map, k: &str, v: Value) {
    m.insert(Key::from(k), v);
}

fn dataflow(u: &mut Unstructured<'_>, m: &mut Map, result: bool) -> Result<()> {
    if chance(u, 1, 5)? {
        put(m, "InputPath", if chance(u, 1, 8)? { Value::Null } else { Value::string(path(u)?) });
    }
    // A Map takes ItemSelector or Parameters, not both.
    if !m.contains_key("ItemSelector") && chance(u, 1, 3)? {
        put(m, "Parameters", template(u, 2)?);
    }
    if result && chance(u, 1, 4)? {
        put(m, "ResultSelector", template(u, 1)?);
    }
    if chance(u, 1, 3)? {
        put(m, "ResultPath", if chance(u, 1, 8)? { Value::Null } else { Value::string(ref_path(u)?) });
    }
    if chance(u, 1, 5)? {
        put(m, "OutputPath", if chance(u, 1, 8)? { Value::Null } else { Value::string(path(u)?) });
    }
    if chance(u, 1, 6)? {
        // Assign's keys are variable names (`var.$` for a path or a call).
        let mut a = Map::default();
        match u.int_in_range(0..=2)? {
            0 => put(&mut a, "var", value(u, 2)?),
            1 => put(&mut a, "var.$", Value::string(path(u)?)),
            _ => put(&mut a, "var.$", Value::string(intrinsic(u, 2)?)),
        }
        put(m, "Assign", Value::object(a));
    }
    Ok(())
}

fn errors(u: &mut Unstructured<'_>) -> Result<Value> {
    const NAMES: &[&str] = &[
        "States.ALL",
        "States.TaskFailed",
        "States.Timeout",
        "States.HeartbeatTimeout",
        "States.Runtime",
        "States.DataLimitExceeded",
        "States.IntrinsicFailure",
        "States.NoChoiceMatched",
        "States.BranchFailed",
        "States.ExceedToleratedFailureThreshold",
        "Boom",
    ];
    let n = u.int_in_range(1..=2)?;
    let mut v = Vec::new();
    for _ in 0..n {
        let name = *u.choose(NAMES)?;
        // States.ALL must be alone in its list.
        if name == "States.ALL" {
            return Ok(Value::array(vec![Value::string(name)]));
        }
        v.push(Value::string(name));
    }
    Ok(Value::array(v))
}

fn retry_catch(u: &mut Unstructured<'_>, m: &mut Map, own: &[String]) -> Result<()> {
    if chance(u, 1, 3)? {
        let mut r = Map::default();
        put(&mut r, "ErrorEquals", errors(u)?);
        if chance(u, 1, 2)? {
            put(&mut r, "IntervalSeconds", Value::int(*u.choose(&[1, 2, 60, 99_999_999])?));
        }
        if chance(u, 1, 2)? {
            put(&mut r, "MaxAttempts", Value::int(*u.choose(&[0, 1, 3, 99_999_999])?));
        }
        if chance(u, 1, 2)? {
            put(
                &mut r,
                "BackoffRate",
                Value::float(*u.choose(&[1.0, 1.5, 2.0, 1e10])?).unwrap_or(Value::Null),
            );
        }
        if chance(u, 1, 3)? {
            put(&mut r, "MaxDelaySeconds", Value::int(*u.choose(&[1, 5, 31_622_400])?));
        }
        if chance(u, 1, 3)? {
            put(&mut r, "JitterStrategy", Value::string(*u.choose(&["FULL", "NONE"])?));
        }
        put(m, "Retry", Value::array(vec![Value::object(r)]));
    }
    if chance(u, 1, 3)? {
        let mut c = Map::default();
        put(&mut c, "ErrorEquals", errors(u)?);
        put(&mut c, "Next", Value::string(u.choose(own)?.as_str()));
        if chance(u, 1, 2)? {
            put(&mut c, "ResultPath", Value::string(ref_path(u)?));
        }
        put(m, "Catch", Value::array(vec![Value::object(c)]));
    }
    Ok(())
}

fn seconds(u: &mut Unstructured<'_>) -> Result<Value> {
    Ok(match u.int_in_range(0..=3)? {
        0 => Value::int(u.int_in_range(0..=100)?),
        1 => Value::int(*u.choose(&[99_999_999, 31_536_000, 31_622_400, i64::MAX])?),
        _ => number(u)?,
    })
}

fn state(u: &mut Unstructured<'_>, depth: u32, i: usize, own: &[String], names: &mut Names) -> Result<Value> {
    let mut m = Map::default();
    let kind = if depth >= MAX_SCOPE_DEPTH { u.int_in_range(0..=5)? } else { u.int_in_range(0..=8)? };
    match kind {
        0 | 1 => {
            put(&mut m, "Type", Value::string("Pass"));
            if chance(u, 1, 4)? {
                put(&mut m, "Result", value(u, 2)?);
            }
            dataflow(u, &mut m, false)?;
            transition(u, &mut m, i, own)?;
        }
        2 => {
            put(&mut m, "Type", Value::string("Task"));
            let resource = *u.choose(&[
                "arn:aws:lambda:us-east-1:123456789012:function:F",
                "arn:aws:states:::lambda:invoke",
                "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "arn:aws:states:::states:startExecution.sync",
                "arn:aws:states:::glue:startJobRun.sync",
                "arn:aws:states:us-east-1:123456789012:activity:A",
                "arn:aws:states:::aws-sdk:s3:getObject",
            ])?;
            put(&mut m, "Resource", Value::string(resource));
            if resource.ends_with("waitForTaskToken") {
                let mut p = Map::default();
                put(&mut p, "token.$", Value::string("$$.Task.Token"));
                put(&mut m, "Parameters", Value::object(p));
            }
            if chance(u, 1, 4)? {
                put(&mut m, "TimeoutSeconds", Value::int(*u.choose(&[1, 5, 60, 99_999_999])?));
            } else if chance(u, 1, 8)? {
                put(&mut m, "TimeoutSecondsPath", Value::string(ref_path(u)?));
            }
            if chance(u, 1, 6)? {
                put(&mut m, "HeartbeatSeconds", Value::int(*u.choose(&[1, 3])?));
            }
            dataflow(u, &mut m, true)?;
            retry_catch(u, &mut m, own)?;
            transition(u, &mut m, i, own)?;
        }
        3 => {
            put(&mut m, "Type", Value::string("Choice"));
            let n = u.int_in_range(1..=2)?;
            let mut choices = Vec::new();
            for _ in 0..n {
                let mut c = Map::default();
                let comparators = statelab::choice::COMPARATORS;
                let cmp = *u.choose(&comparators)?;
                put(&mut c, "Variable", Value::string(ref_path(u)?));
                let operand = if cmp.ends_with("Path") {
                    Value::string(ref_path(u)?)
                } else if cmp.starts_with("Is") || cmp.starts_with("Boolean") {
                    Value::Bool(u.arbitrary()?)
                } else if cmp.starts_with("Numeric") {
                    number(u)?
                } else if cmp.starts_with("Timestamp") {
                    Value::string(*u.choose(&["2026-01-01T00:00:00Z", "2016-03-14T01:59:00.5+02:00"])?)
                } else {
                    Value::string(string(u)?)
                };
                put(&mut c, cmp, operand);
                let c = if chance(u, 1, 4)? {
                    // A boolean expression around the comparison: `Not`, or `And`/`Or` of one.
                    let mut w = Map::default();
                    let op = *u.choose(&["Not", "And", "Or"])?;
                    put(
                        &mut w,
                        op,
                        if op == "Not" { Value::object(c) } else { Value::array(vec![Value::object(c)]) },
                    );
                    w
                } else {
                    c
                };
                let mut c = c;
                put(&mut c, "Next", Value::string(u.choose(own)?.as_str()));
                choices.push(Value::object(c));
            }
            put(&mut m, "Choices", Value::array(choices));
            if chance(u, 2, 3)? {
                let default = match next(u, i, own)? {
                    Some(n) => n,
                    None => u.choose(own)?.clone(),
                };
                put(&mut m, "Default", Value::string(default));
            }
        }
        4 => {
            put(&mut m, "Type", Value::string("Wait"));
            match u.int_in_range(0..=3)? {
                0 => put(&mut m, "Seconds", seconds(u)?),
                1 => put(&mut m, "SecondsPath", Value::string(ref_path(u)?)),
                2 => put(
                    &mut m,
                    "Timestamp",
                    Value::string(*u.choose(&[
                        "2026-01-01T00:00:05Z",
                        "2025-12-31T23:59:59Z",
                        "2027-01-01T00:00:00.5+01:00",
                        "9999-12-31T23:59:59Z",
                        "1970-01-01T00:00:00Z",
                    ])?),
                ),
                _ => put(&mut m, "TimestampPath", Value::string(ref_path(u)?)),
            }
            transition(u, &mut m, i, own)?;
        }
        5 => {
            if chance(u, 1, 2)? {
                put(&mut m, "Type", Value::string("Succeed"));
            } else {
                put(&mut m, "Type", Value::string("Fail"));
                if chance(u, 1, 2)? {
                    put(&mut m, "Error", Value::string(string(u)?));
                } else {
                    put(&mut m, "ErrorPath", Value::string(ref_path(u)?));
                }
                if chance(u, 1, 2)? {
                    put(&mut m, "Cause", Value::string(string(u)?));
                } else {
                    put(&mut m, "CausePath", Value::string(ref_path(u)?));
                }
            }
        }
        6 => {
            put(&mut m, "Type", Value::string("Parallel"));
            let n = u.int_in_range(1..=3)?;
            let mut branches = Vec::new();
            for _ in 0..n {
                branches.push(machine(u, depth + 1, names)?);
            }
            put(&mut m, "Branches", Value::array(branches));
            dataflow(u, &mut m, true)?;
            retry_catch(u, &mut m, own)?;
            transition(u, &mut m, i, own)?;
        }
        _ => {
            put(&mut m, "Type", Value::string("Map"));
            let mut processor = machine(u, depth + 1, names)?;
            let distributed = chance(u, 1, 3)?;
            if distributed {
                if let Some(mut p) = processor.as_object_mut() {
                    let mut cfg = Map::default();
                    put(&mut cfg, "Mode", Value::string("DISTRIBUTED"));
                    put(&mut cfg, "ExecutionType", Value::string(*u.choose(&["STANDARD", "EXPRESS"])?));
                    p.insert(Key::from("ProcessorConfig"), Value::object(cfg));
                }
            }
            put(&mut m, "ItemProcessor", processor);
            if distributed && chance(u, 1, 2)? {
                // Items from "S3", which the stubs give: JSON, JSONL or CSV text, or any value.
                let mut config = Map::default();
                let input_type = *u.choose(&["JSON", "JSONL", "CSV"])?;
                put(&mut config, "InputType", Value::string(input_type));
                if input_type == "CSV" {
                    put(&mut config, "CSVHeaderLocation", Value::string(*u.choose(&["FIRST_ROW", "GIVEN"])?));
                    put(
                        &mut config,
                        "CSVHeaders",
                        Value::array(vec![Value::string("a"), Value::string("b")]),
                    );
                    put(
                        &mut config,
                        "CSVDelimiter",
                        Value::string(*u.choose(&["COMMA", "SEMICOLON", "TAB"])?),
                    );
                }
                if chance(u, 1, 3)? {
                    put(&mut config, "MaxItems", Value::int(u.int_in_range(0..=3)?));
                }
                let mut reader = Map::default();
                put(&mut reader, "Resource", Value::string("arn:aws:states:::s3:getObject"));
                put(&mut reader, "ReaderConfig", Value::object(config));
                put(
                    &mut reader,
                    "Parameters",
                    statelab::json::parse(r#"{"Bucket": "b", "Key": "k"}"#).unwrap_or_default(),
                );
                put(&mut m, "ItemReader", Value::object(reader));
                names.readers.push(own[i].clone());
            } else if chance(u, 1, 2)? {
                put(&mut m, "ItemsPath", Value::string(ref_path(u)?));
            }
            if chance(u, 1, 3)? {
                put(&mut m, "ItemSelector", template(u, 1)?);
            }
            if chance(u, 1, 3)? {
                put(&mut m, "MaxConcurrency", Value::int(*u.choose(&[0, 1, 2, 40])?));
            }
            if chance(u, 1, 5)? {
                put(&mut m, "ToleratedFailurePercentage", Value::int(*u.choose(&[0, 50, 100])?));
            }
            if chance(u, 1, 6)? {
                let mut b = Map::default();
                put(&mut b, "MaxItemsPerBatch", Value::int(u.int_in_range(1..=3)?));
                put(&mut m, "ItemBatcher", Value::object(b));
            }
            dataflow(u, &mut m, true)?;
            retry_catch(u, &mut m, own)?;
            transition(u, &mut m, i, own)?;
        }
    }
    if chance(u, 1, 10)? {
        put(&mut m, "Comment", Value::string(string(u)?));
    }
    Ok(Value::object(m))
}

/// Stubs for the generated machine's states: one response or a list, results or errors, with
/// durations from zero to the edges.
pub fn stubs(u: &mut Unstructured<'_>, names: &Names) -> Result<Value> {
    let mut map = Map::default();
    for name in &names.readers {
        let data = match u.int_in_range(0..=3)? {
            0 => value(u, 3)?,
            1 => Value::string(*u.choose(&[
                "a,b\n1,2\n\"x,\"\"y\",3\n",
                "[1,2,3]",
                "{\"a\":1}\n[2]\n",
                "a;b\n;\n",
            ])?),
            _ => Value::string(string(u)?),
        };
        map.insert(Key::from(name.as_str()), Value::object_from([("ItemReader", data)]));
    }
    for name in &names.all {
        if names.readers.contains(name) {
            continue;
        }
        if !chance(u, 1, 2)? {
            continue;
        }
        let n = u.int_in_range(1..=3)?;
        let mut list = Vec::new();
        for _ in 0..n {
            let mut r = Map::default();
            if chance(u, 2, 3)? {
                put(&mut r, "Return", value(u, 3)?);
            } else {
                let mut t = Map::default();
                put(
                    &mut t,
                    "Error",
                    Value::string(*u.choose(&[
                        "Boom",
                        "States.TaskFailed",
                        "States.Timeout",
                        "Lambda.ServiceException",
                    ])?),
                );
                put(&mut t, "Cause", Value::string(string(u)?));
                put(&mut r, "Throw", Value::object(t));
            }
            if chance(u, 1, 3)? {
                put(&mut r, "Duration", number(u)?);
            }
            list.push(Value::object(r));
        }
        let entry = if list.len() == 1 && chance(u, 1, 2)? { list.remove(0) } else { Value::array(list) };
        map.insert(Key::from(name.as_str()), entry);
    }
    Ok(Value::object(map))
}

/// Replaces a few values deep inside `v` by generated ones, following child indices drawn from
/// the fuzzer's bytes: how the examples' inputs and stubs are mutated while keeping their shape.
pub fn mutate(u: &mut Unstructured<'_>, v: &Value, budget: u32) -> Result<Value> {
    if budget == 0 || u.is_empty() {
        return Ok(v.clone());
    }
    match v {
        Value::Object(_) if chance(u, 3, 4)? => {
            let mut out = v.clone();
            if let Some(mut o) = out.as_object_mut() {
                if o.is_empty() {
                    return Ok(v.clone());
                }
                let i = u.choose_index(o.len())?;
                if let Some((_, child)) = o.get_index_mut(i) {
                    *child = mutate(u, &child.clone(), budget - 1)?;
                }
            }
            Ok(out)
        }
        Value::Array(_) if chance(u, 3, 4)? => {
            let mut out = v.clone();
            if let Some(mut a) = out.as_array_mut() {
                if a.is_empty() {
                    return Ok(v.clone());
                }
                let i = u.choose_index(a.len())?;
                if chance(u, 1, 4)? {
                    let dup = a[i].clone();
                    a.push(dup);
                } else {
                    a[i] = mutate(u, &a[i].clone(), budget - 1)?;
                }
            }
            Ok(out)
        }
        _ => value(u, 3),
    }
}

/// A definition, input, stubs and options from arbitrary bytes.
#[derive(Debug)]
pub struct Generated {
    /// The definition, as compact JSON.
    pub definition: String,
    /// The execution input.
    pub input: Value,
    /// Statelab-format stubs.
    pub stubs: Value,
    /// The run options.
    pub options: Options,
}

impl<'a> Arbitrary<'a> for Generated {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Generated> {
        let mut names = Names::default();
        let mut def = machine(u, 0, &mut names)?;
        if chance(u, 1, 8)? {
            if let Some(mut o) = def.as_object_mut() {
                o.insert(Key::from("TimeoutSeconds"), Value::int(*u.choose(&[1, 5, 60, 99_999_999])?));
            }
        }
        let input = value(u, 3)?;
        let stubs = stubs(u, &names)?;
        let options = options(u)?;
        Ok(Generated { definition: def.to_json(), input, stubs, options })
    }
}
