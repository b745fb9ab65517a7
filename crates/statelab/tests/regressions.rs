//! Robustness regressions: inputs that once crashed or hung Statelab (most found by the fuzz
//! targets in `fuzz/`), and the limits that keep hostile input from doing so.
//!
//! Every file under `tests/cases/regressions/<target>/` is fed to the entry point its fuzz target
//! exercises, and must come back with a result or a clean error (one with a message), never a
//! panic:
//!
//! | directory | file | entry point |
//! |---|---|---|
//! | `check/` | any text | `statelab::check`, as a pasted definition |
//! | `jsonpath/` | a path, a newline, a document | `JsonPath::parse`, `select`, `set` |
//! | `intrinsics/` | a call, a newline, the input | `intrinsics::parse`, `Call::eval` |
//! | `jsonata/` | an expression, a newline, the input | `jsonata::Expr::parse`, `evaluate` |
//! | `stubs/` | a stub file or MockConfigFile | `Stubs::parse` |
//! | `share/` | a link | `share::decode` |
//! | `execute/` | a test file (`definition`, `input`, `stubs`, `expect`) | a whole run, whose `expect` must hold |
//!
//! Each file is named after what broke; the fix's commit says why.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use statelab::eval::Env;
use statelab::exec::{Execution, Options, Status};
use statelab::path::JsonPath;
use statelab::rng::Rng;
use statelab::testing::{self, DefinitionRef};
use statelab::value::MAX_DEPTH;
use statelab::{Stubs, Value};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/regressions")
}

/// The files of one target's directory, in name order.
fn files(target: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(cases_dir().join(target))
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn read(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

fn split_line(text: &str) -> (&str, &str) {
    text.split_once('\n').unwrap_or((text, ""))
}

fn parse_any(text: &str) -> Option<Value> {
    statelab::json::parse(text).ok().or_else(|| statelab::yaml::parse(text).ok())
}

#[test]
fn check_cases() {
    for path in files("check") {
        let text = read(&path);
        let checked = statelab::check(&text, None);
        assert!(
            checked.is_ok() || checked.diagnostics.iter().any(|d| d.is_error() && !d.message.is_empty()),
            "{}: neither a machine nor an error",
            path.display()
        );
    }
}

#[test]
fn jsonpath_cases() {
    for path in files("jsonpath") {
        let text = read(&path);
        let (p, doc) = split_line(&text);
        match JsonPath::parse(p) {
            Ok(p) => {
                let doc = parse_any(doc).unwrap_or(Value::Null);
                let _ = p.select(&doc);
                if p.is_reference() {
                    if let Err(e) = p.set(doc.clone(), doc) {
                        assert!(!e.is_empty(), "{}: an empty error", path.display());
                    }
                }
            }
            Err(e) => assert!(!e.to_string().is_empty(), "{}: an empty error", path.display()),
        }
    }
}

#[test]
fn intrinsics_cases() {
    for path in files("intrinsics") {
        let text = read(&path);
        let (call, input) = split_line(&text);
        match statelab::intrinsics::parse(call) {
            Ok(c) => {
                let input = parse_any(input).unwrap_or(Value::Null);
                let ctx = Value::Null;
                if let Err(e) = c.eval(&Env::new(&input, &ctx), &mut Rng::new(0)) {
                    assert!(!e.cause.is_empty(), "{}: an error without a cause", path.display());
                }
            }
            Err(e) => assert!(!e.to_string().is_empty(), "{}: an empty error", path.display()),
        }
    }
}

#[test]
fn jsonata_cases() {
    use statelab::jsonata::{EvalEnv, Expr, NoBindings};
    for path in files("jsonata") {
        let text = read(&path);
        let (expr, input) = split_line(&text);
        let input = parse_any(input).unwrap_or(Value::Null);
        let outcome = Expr::parse(expr)
            .and_then(|e| e.evaluate(&input, &NoBindings, &mut EvalEnv::new(Rng::new(0), 0)));
        if let Err(e) = outcome {
            assert!(!e.message.is_empty(), "{}: an empty error", path.display());
        }
    }
}

#[test]
fn stubs_cases() {
    for path in files("stubs") {
        let Some(v) = parse_any(&read(&path)) else { continue };
        if let Err(e) = Stubs::parse(&v, None, None) {
            assert!(!e.message.is_empty(), "{}: an empty error", path.display());
        }
    }
}

#[test]
fn share_cases() {
    for path in files("share") {
        if let Err(e) = statelab::share::decode(&read(&path)) {
            assert!(!e.message.is_empty(), "{}: an empty error", path.display());
        }
    }
}

#[test]
fn execute_cases() {
    for path in files("execute") {
        let name = path.display();
        let file = statelab::json::parse(&read(&path)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let file = testing::parse_test_file(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
        let DefinitionRef::Inline(def) = &file.definition else {
            panic!("{name}: write the definition inline")
        };
        let checked = statelab::check(&def.to_json(), None);
        let machine = checked.machine.clone().filter(|_| checked.is_ok());
        let machine = machine.unwrap_or_else(|| panic!("{name}: {:?}", checked.diagnostics));
        for case in file.usable_cases().unwrap_or_else(|e| panic!("{name}: {e}")) {
            assert!(case.expect.status.is_some(), "{name} [{}]: say the expected status", case.name);
            let exec = testing::run_case(machine.clone(), case).unwrap_or_else(|e| panic!("{name}: {e}"));
            let problems = testing::check(&exec, &case.expect);
            assert!(problems.is_empty(), "{name} [{}]: {problems:?}", case.name);
        }
    }
}

/// Runs a definition to its end with a generous step budget.
fn run(definition: &str, input: Value) -> Execution {
    let checked = statelab::check(definition, None);
    let machine = checked.machine.clone().filter(|_| checked.is_ok());
    let machine = machine.unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
    let mut exec = Execution::start(machine, input, Rc::new(Stubs::empty()), Options::default()).unwrap();
    exec.run();
    exec
}

fn failure(exec: &Execution) -> (String, String) {
    match exec.status() {
        Status::Failed(e) => (e.error.to_string(), e.cause.to_string()),
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// A loop that wraps its data one level deeper on every turn ends with a clean error when the
/// data would be nested deeper than the parsers allow, long before the payload quota (each level
/// costs only 6 bytes) or the history quota: such data could not be printed, compared or freed
/// without exhausting the stack (in the browser, a dead page).
#[test]
fn a_loop_that_nests_its_data_deeper_each_turn_stops_at_the_depth_limit() {
    let exec = run(
        r#"{"StartAt": "Wrap", "States": {
            "Wrap": {"Type": "Pass", "Parameters": {"x.$": "$"}, "Next": "Again"},
            "Again": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Wrap"}],
                      "Default": "Done"},
            "Done": {"Type": "Succeed"}}}"#,
        Value::empty_object(),
    );
    let (error, cause) = failure(&exec);
    assert_eq!(error, "States.Runtime");
    assert!(cause.contains(&format!("nested {} levels deep", MAX_DEPTH + 1)), "{cause}");
    assert!(cause.contains("Statelab handles data nested up to 1000 levels"), "{cause}");
}

/// The same with intrinsic calls, ten levels a turn, and with Assign.
#[test]
fn intrinsic_and_variable_nesting_stop_at_the_depth_limit() {
    let array10 = "States.Array(".repeat(10) + "$" + &")".repeat(10);
    let exec = run(
        &format!(
            r#"{{"StartAt": "Wrap", "States": {{
                "Wrap": {{"Type": "Pass", "Parameters": {{"x.$": "{array10}"}}, "Next": "Again"}},
                "Again": {{"Type": "Choice", "Choices": [{{"Variable": "$", "IsPresent": true, "Next": "Wrap"}}],
                          "Default": "Done"}},
                "Done": {{"Type": "Succeed"}}}}}}"#
        ),
        Value::empty_object(),
    );
    let (error, cause) = failure(&exec);
    assert_eq!(error, "States.Runtime");
    assert!(cause.contains("is nested 1001 levels deep"), "{cause}");
    let exec = run(
        r#"{"StartAt": "Seed", "States": {
            "Seed": {"Type": "Pass", "Assign": {"v": []}, "Next": "Wrap"},
            "Wrap": {"Type": "Pass", "Assign": {"v.$": "States.Array($v)"}, "Next": "Again"},
            "Again": {"Type": "Choice", "Choices": [{"Variable": "$", "IsPresent": true, "Next": "Wrap"}],
                      "Default": "Done"},
            "Done": {"Type": "Succeed"}}}"#,
        Value::empty_object(),
    );
    let (error, cause) = failure(&exec);
    assert_eq!(error, "States.Runtime");
    assert!(cause.contains("The result of the payload template is nested 1001 levels"), "{cause}");
}

/// The deepest values a run handles are safe on a small stack, as in the browser (1 MiB): what
/// a run keeps (up to [`MAX_DEPTH`] levels, a few more inside the context object or a Map's
/// results) can be printed, compared and freed; what a state builds before it is checked (a
/// template or intrinsic call around data: twice that) can be freed.
#[test]
fn the_deepest_values_a_run_handles_are_safe_on_a_small_stack() {
    fn build(depth: u32) -> Value {
        let mut v = Value::Null;
        for i in 0..depth {
            v = if i % 2 == 0 { Value::array(vec![v]) } else { Value::object_from([("x", v)]) };
        }
        v
    }
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let v = build(MAX_DEPTH + 10);
            let w = build(MAX_DEPTH + 10);
            assert!(v == w);
            assert_eq!(v.to_json().len(), v.json_len());
            let _ = v.to_json_pretty();
            drop(v);
            drop(w);
            drop(build(2 * MAX_DEPTH + 10));
        })
        .unwrap()
        .join()
        .unwrap();
}

/// Call results share structure: `States.Array($.s, $.s, ...)` with 2000 arguments describes
/// 400 MB in a few kilobytes of memory, until `States.JsonToString` writes it all out. Every
/// call's result is held to the payload quota instead.
#[test]
fn intrinsic_calls_cannot_describe_more_than_the_quota() {
    let call = format!("States.JsonToString(States.Array($.s{}))", ", $.s".repeat(1999));
    let exec = run(
        &format!(
            r#"{{"StartAt": "P", "States": {{"P": {{"Type": "Pass", "Parameters": {{"x.$": "{call}"}}, "End": true}}}}}}"#
        ),
        Value::object_from([("s", Value::string("x".repeat(200_000)))]),
    );
    let (error, cause) = failure(&exec);
    assert_eq!(error, "States.DataLimitExceeded");
    assert!(cause.contains("The result of States.Array has a size of 400006001 bytes"), "{cause}");
    assert!(cause.contains("cannot be raised"), "{cause}");
}

/// `States.Format` with many placeholders for one large string stops at the quota rather than
/// writing out hundreds of megabytes.
#[test]
fn format_stops_writing_at_the_payload_quota() {
    let holes = "{}".repeat(2000);
    let args = ", $.s".repeat(2000);
    let exec = run(
        &format!(
            r#"{{"StartAt": "P", "States": {{"P": {{"Type": "Pass",
                "Parameters": {{"x.$": "States.Format('{holes}'{args})"}}, "End": true}}}}}}"#
        ),
        Value::object_from([("s", Value::string("y".repeat(200_000)))]),
    );
    let (error, cause) = failure(&exec);
    assert_eq!(error, "States.DataLimitExceeded");
    assert!(cause.contains("The result of States.Format has a size of 400000 bytes"), "{cause}");
}

/// A template with thousands of copies of the input describes gigabytes: it is refused as soon as
/// it is built, and never kept for the inspector to print.
#[test]
fn a_template_of_many_copies_is_refused_before_it_is_kept() {
    let members: Vec<String> = (0..5000).map(|i| format!(r#""k{i}.$": "$.s""#)).collect();
    let exec = run(
        &format!(
            r#"{{"StartAt": "P", "States": {{"P": {{"Type": "Pass", "Parameters": {{{}}}, "End": true}}}}}}"#,
            members.join(", ")
        ),
        Value::object_from([("s", Value::string("z".repeat(200_000)))]),
    );
    let (error, cause) = failure(&exec);
    assert_eq!(error, "States.DataLimitExceeded");
    assert!(cause.contains("The effective input after Parameters has a size of 10000"), "{cause}");
    let visit = exec.visits().first().unwrap();
    assert!(visit.stages.after_parameters.is_none());
}

/// A value whose shared parts add up to more bytes than a `usize` counts (past 4 GiB on wasm32)
/// reports a saturated size, not an overflow.
#[test]
fn sizes_saturate() {
    let mut v = Value::string("x".repeat(1000));
    for _ in 0..16 {
        v = Value::array(vec![v; 64]);
    }
    assert_eq!(v.json_len(), usize::MAX);
    assert_eq!(v.depth(), 16);
}

// The limits. Each ends the work cleanly with a message that names the limit and says what to do
// about it.

/// A definition over AWS's 1 MB quota (measured on its compact JSON) is refused before it is
/// compiled.
#[test]
fn limit_definition_size() {
    let big = format!(
        r#"{{"StartAt": "A", "States": {{"A": {{"Type": "Pass", "Result": "{}", "End": true}}}}}}"#,
        "x".repeat(statelab::MAX_DEFINITION_BYTES)
    );
    let checked = statelab::check(&big, None);
    assert!(checked.machine.is_none());
    let d = &checked.diagnostics[0];
    assert_eq!(d.code, "SCHEMA_VALIDATION_FAILED");
    assert!(d.message.contains("AWS accepts definitions of up to 1048576 bytes (1 MB)"), "{}", d.message);
    assert!(d.message.contains("cannot be raised. Split the workflow"), "{}", d.message);
}

/// Text over 8 MiB is not even parsed.
#[test]
fn limit_document_size() {
    let checked = statelab::check(&" ".repeat(statelab::MAX_DOCUMENT_BYTES + 1), None);
    let d = &checked.diagnostics[0];
    assert!(d.message.contains("Statelab reads documents of up to 8388608 bytes (8 MiB)"), "{}", d.message);
}

/// An execution input over 256 KiB cannot start, as StartExecution refuses it.
#[test]
fn limit_payload_of_the_input() {
    let checked = statelab::check(r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#, None);
    let input = Value::string("x".repeat(statelab::exec::MAX_PAYLOAD_BYTES));
    let e = Execution::start(checked.machine.unwrap(), input, Rc::new(Stubs::empty()), Options::default())
        .unwrap_err();
    assert_eq!(e.error, "States.DataLimitExceeded");
    assert!(e.cause.contains("exceeds the maximum of 262144 bytes (256 KiB)"), "{}", e.cause);
    assert!(e.cause.contains("This AWS quota cannot be raised"), "{}", e.cause);
}

/// A state's output over 256 KiB: AWS's cause, then which limit and what to do.
#[test]
fn limit_payload_of_a_state_output() {
    let exec = run(
        r#"{"StartAt": "Big", "States": {"Big": {"Type": "Pass",
            "Parameters": {"a.$": "$.s", "b.$": "$.s"}, "ResultPath": "$.copy", "End": true}}}"#,
        Value::object_from([("s", Value::string("x".repeat(100_000)))]),
    );
    let (error, cause) = failure(&exec);
    assert_eq!(error, "States.DataLimitExceeded");
    assert!(
        cause.starts_with(
            "The state/task 'Big' returned a result with a size exceeding the maximum number of bytes service limit."
        ),
        "{cause}"
    );
    assert!(cause.contains("over the 262144 bytes (256 KiB) a state can pass on"), "{cause}");
}

/// The history quota: 25,000 events, after which AWS fails the execution.
#[test]
fn limit_history_events() {
    let exec = run(
        r#"{"StartAt": "Loop", "States": {
            "Loop": {"Type": "Pass", "Next": "Again"},
            "Again": {"Type": "Choice", "Choices": [{"Variable": "$", "IsPresent": true, "Next": "Loop"}],
                      "Default": "Done"},
            "Done": {"Type": "Succeed"}}}"#,
        Value::empty_object(),
    );
    assert_eq!(exec.history().len(), statelab::exec::MAX_HISTORY_EVENTS);
    let (error, cause) = failure(&exec);
    assert_eq!(error, "States.Runtime");
    assert!(cause.contains("the maximum number of history events (25000)"), "{cause}");
    assert!(cause.contains("must continue as a new execution"), "{cause}");
}

/// The step budget ends a runaway loop long before the history quota would, and says how to
/// raise it.
#[test]
fn limit_step_budget() {
    let checked = statelab::check(
        r#"{"StartAt": "W", "States": {
            "W": {"Type": "Wait", "Seconds": 1, "Next": "Again"},
            "Again": {"Type": "Choice", "Choices": [{"Variable": "$", "IsPresent": true, "Next": "W"}],
                      "Default": "Done"},
            "Done": {"Type": "Succeed"}}}"#,
        None,
    );
    let options = Options { max_steps: 50, ..Options::default() };
    let mut exec =
        Execution::start(checked.machine.unwrap(), Value::Null, Rc::new(Stubs::empty()), options).unwrap();
    exec.run();
    let Status::Aborted(e) = exec.status() else { panic!("{:?}", exec.status()) };
    assert_eq!(e.error, "Statelab.StepBudgetExhausted");
    assert!(e.cause.contains("stopped after 50 steps, its step budget"), "{}", e.cause);
    assert!(e.cause.contains("--max-steps on the command line"), "{}", e.cause);
}

/// Links over 256 KiB are not read; links that unpack to over 2 MiB are not unpacked.
#[test]
fn limit_link_size() {
    let e = statelab::share::decode(&"A".repeat(statelab::share::MAX_LINK_BYTES + 1)).unwrap_err();
    assert_eq!(e.kind.code(), "TOO_LARGE");
    assert!(e.message.contains("Statelab opens links of up to 262144 bytes (256 KiB)"), "{}", e.message);
    assert!(e.message.contains("Share a session this large as files instead"), "{}", e.message);
    let session =
        statelab::share::Session { input: "{}".repeat(1_200_000), ..statelab::share::Session::default() };
    let e = statelab::share::decode(&statelab::share::encode(&session)).unwrap_err();
    assert_eq!(e.kind.code(), "TOO_LARGE");
    assert!(e.message.contains("more than 2097152 bytes (2 MiB)"), "{}", e.message);
}

/// Parallel inside Map inside Parallel, and so on: `depth` levels of states around a Pass.
fn nested_scopes(depth: usize) -> String {
    let mut machine = r#"{"StartAt": "Leaf", "States": {"Leaf": {"Type": "Pass", "End": true}}}"#.to_string();
    for level in 0..depth {
        let name = format!("L{level}");
        let state = if level % 2 == 0 {
            format!(r#"{{"Type": "Parallel", "Branches": [{machine}], "End": true}}"#)
        } else {
            format!(
                r#"{{"Type": "Map", "ItemsPath": "$.items", "ItemSelector": {{"items.$": "$$.Execution.Input.items"}},
                    "ItemProcessor": {machine}, "End": true}}"#
            )
        };
        machine = format!(r#"{{"StartAt": "{name}", "States": {{"{name}": {state}}}}}"#);
    }
    machine
}

/// Nesting of Parallel and Map states is capped with a clear diagnostic, and the deepest machine
/// allowed runs to its end on a browser-sized stack.
#[test]
fn parallel_inside_map_inside_parallel() {
    let deepest = statelab::compile::MAX_SCOPE_DEPTH;
    let checked = statelab::check(&nested_scopes(deepest + 1), None);
    assert!(checked.machine.is_none());
    assert!(
        checked.diagnostics.iter().any(|d| d.message.contains("nested more than 32 deep here")),
        "{:?}",
        checked.diagnostics
    );
    let text = nested_scopes(deepest);
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            let exec = run(&text, statelab::json!({"items": [1]}));
            assert!(matches!(exec.status(), Status::Succeeded(_)), "{:?}", exec.status());
            assert_eq!(exec.visits().len(), 33);
        })
        .unwrap()
        .join()
        .unwrap();
}

/// The virtual clock saturates instead of overflowing, whatever start time a caller gives and
/// however long the waits are; a start time whose run could leave the years RFC 3339 writes
/// (0000 to 9999) is refused before anything runs.
#[test]
fn the_clock_saturates_at_the_ends_of_time() {
    use statelab::time::{FIRST_MILLIS, LAST_MILLIS};
    let text = r#"{"StartAt": "W", "States": {
        "W": {"Type": "Wait", "SecondsPath": "$.s", "Next": "T"},
        "T": {"Type": "Wait", "Timestamp": "9999-12-31T23:59:59Z", "End": true}}}"#;
    let a_year_before_the_end = LAST_MILLIS - 31_536_000_000;
    for start_time_ms in [
        i64::MIN,
        FIRST_MILLIS - 1,
        FIRST_MILLIS,
        -1,
        a_year_before_the_end,
        LAST_MILLIS,
        i64::MAX - 1000,
        i64::MAX,
    ] {
        for workflow_type in [statelab::exec::WorkflowType::Standard, statelab::exec::WorkflowType::Express] {
            let checked = statelab::check(text, None);
            let options = Options { start_time_ms, workflow_type, ..Options::default() };
            let input = statelab::json!({"s": 1e300});
            let started = Execution::start(checked.machine.unwrap(), input, Rc::new(Stubs::empty()), options);
            let in_range = (FIRST_MILLIS..=a_year_before_the_end).contains(&start_time_ms);
            let mut exec = match started {
                Ok(exec) => {
                    assert!(in_range, "{start_time_ms} started");
                    exec
                }
                Err(e) => {
                    assert!(!in_range, "{start_time_ms}: {e:?}");
                    assert_eq!(e.error, "Statelab.InvalidStartTime");
                    continue;
                }
            };
            exec.run();
            assert!(!matches!(exec.status(), Status::Running));
            let report = statelab::report::RunReport::of(&exec);
            assert!(report.virtual_seconds >= 0.0, "{start_time_ms}: {}", report.virtual_seconds);
            let _ = report.to_json();
        }
    }
}

/// The report leaves out an error name or cause the failure does not have, as the
/// ExecutionFailed event does (a QA pass found `"error": ""` in the report of a Fail state with
/// no Error, and `"cause": ""` for every timeout, where the history had no such keys).
#[test]
fn the_report_has_no_empty_error_or_cause() {
    let report = |def: &str, stubs: &str| {
        let checked = statelab::check(def, None);
        let stubs = Stubs::from_stubs(&statelab::json::parse(stubs).unwrap()).unwrap();
        let mut exec = Execution::start(
            checked.machine.unwrap(),
            statelab::json!({}),
            Rc::new(stubs),
            Options::default(),
        )
        .unwrap();
        exec.run();
        statelab::report::RunReport::of(&exec).to_json()
    };
    let bare = report(r#"{"StartAt": "F", "States": {"F": {"Type": "Fail"}}}"#, "{}");
    assert!(
        bare.contains(r#""status":"FAILED""#) && !bare.contains(r#""error""#) && !bare.contains(r#""cause""#),
        "{bare}"
    );
    let timed_out = report(
        r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 1, "End": true}}}"#,
        r#"{"T": {"Return": 1, "Duration": 5}}"#,
    );
    assert!(
        timed_out.contains(r#""error":"States.Timeout""#) && !timed_out.contains(r#""cause""#),
        "{timed_out}"
    );
}
