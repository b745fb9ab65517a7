//! The data-driven execution suite: every file in `tests/cases/exec/<area>/<name>.json` (a
//! definition with one case, or `cases: [...]`, in the format [`statelab::testing`] reads).
//!
//! For each case the runner checks, in this order:
//! 1. the case's own `expect` (status, output, error, cause, states, virtual seconds, billable
//!    transitions; every case must at least say its `status`);
//! 2. determinism: a second run gives the same history, and going back one step (a replay to
//!    the step before the last) and running on again gives it too;
//! 3. an insta snapshot per file holding, per case, the outcome, the whole history in AWS's
//!    GetExecutionHistory shape and every visit's data-flow stages. Snapshots are reviewed by
//!    hand before they are committed; a mismatch fails the test.
//!
//! Where a case pins behaviour that AWS does not document, or where we knowingly differ from
//! AWS, the case file says so in its `summary` or the case's `expect.notes`.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use serde_json::{json, Map as JsonMap, Value as Json};
use statelab::exec::{Execution, Status, VisitStatus};
use statelab::history::to_aws_json;
use statelab::machine::Machine;
use statelab::testing::{self, DefinitionRef, TestFile};
use statelab::time::format_millis;

/// Cases whose expectations fail because of a bug in a module this suite's author could not
/// change (`compile.rs`, `path.rs`, `intrinsics.rs`). Each entry is `("<area>/<file>.json",
/// "why")`; the runner insists that such a case still fails, so a fix shows up as a failure
/// here until the entry is removed.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// The suite must not shrink by accident.
const MIN_CASES: usize = 150;

fn cases_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/exec")
}

/// The file's path relative to the suite's directory, with `/` separators.
fn label(path: &Path) -> String {
    let base = cases_dir().canonicalize().unwrap_or_else(|_| cases_dir());
    let rel = path.strip_prefix(&base).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

fn machine_for(file: &TestFile, path: &Path) -> Result<Rc<Machine>, String> {
    let checked = match &file.definition {
        DefinitionRef::Inline(def) => statelab::check(&def.to_json(), file.state_machine.as_deref()),
        DefinitionRef::Text(text) => statelab::check(text, file.state_machine.as_deref()),
        DefinitionRef::File(rel) => {
            let p = path.parent().unwrap_or(Path::new(".")).join(rel);
            let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            statelab::check(&text, file.state_machine.as_deref())
        }
    };
    match checked.machine {
        Some(m) if checked.is_ok() => Ok(m),
        _ => Err(format!(
            "the definition does not compile: {}",
            checked
                .diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.code, d.message))
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
}

fn stages_json(v: &statelab::exec::Stages) -> Json {
    let mut m = JsonMap::new();
    let mut put = |k: &str, x: &Option<statelab::Value>| {
        if let Some(x) = x {
            m.insert(k.into(), x.to_serde());
        }
    };
    // TestState's inspection-data names.
    put("input", &v.input);
    put("afterInputPath", &v.after_input_path);
    put("afterParameters", &v.after_parameters);
    put("afterArguments", &v.after_arguments);
    put("afterItemsPath", &v.after_items_path);
    put("result", &v.result);
    put("afterResultSelector", &v.after_result_selector);
    put("afterResultPath", &v.after_result_path);
    put("output", &v.output);
    Json::Object(m)
}

fn error_json(e: &statelab::StatesError) -> Json {
    json!({"error": e.error, "cause": e.cause})
}

/// Every visit, with what it did to its data.
fn visits_json(exec: &Execution) -> Json {
    let machine = exec.machine();
    let name = |s: usize| machine.state(s).name.to_string();
    let visits = exec
        .visits()
        .iter()
        .map(|v| {
            let mut m = JsonMap::new();
            m.insert("state".into(), json!(name(v.state)));
            if !v.thread.is_empty() {
                m.insert("thread".into(), json!(&*v.thread));
            }
            m.insert("entered".into(), json!(format_millis(v.entered_at)));
            let status = match &v.status {
                VisitStatus::Running => json!("Running"),
                VisitStatus::Succeeded => json!("Succeeded"),
                VisitStatus::Aborted => json!("Aborted"),
                VisitStatus::Failed(e) => json!({"Failed": error_json(e)}),
                VisitStatus::Caught { error, catcher } => {
                    json!({"Caught": {"catcher": catcher, "error": error.error, "cause": error.cause}})
                }
            };
            m.insert("status".into(), status);
            m.insert("stages".into(), stages_json(&v.stages));
            if let Some(c) = &v.context {
                m.insert("context".into(), c.to_serde());
            }
            if let Some(r) = v.choice_rule {
                m.insert("choiceRule".into(), json!(r));
            }
            if let Some(w) = v.wait_until {
                m.insert("waitUntil".into(), json!(format_millis(w)));
            }
            if !v.invocations.is_empty() {
                let inv: Vec<Json> = v
                    .invocations
                    .iter()
                    .map(|i| json!({"index": i.index, "unstubbed": i.unstubbed, "durationSeconds": i.duration_seconds}))
                    .collect();
                m.insert("invocations".into(), Json::Array(inv));
            }
            if !v.retries.is_empty() {
                let r: Vec<Json> = v
                    .retries
                    .iter()
                    .map(|r| {
                        json!({"retrier": r.retrier, "attempt": r.attempt, "error": r.error.error,
                               "delayMs": r.delay_ms, "at": format_millis(r.at)})
                    })
                    .collect();
                m.insert("retries".into(), Json::Array(r));
            }
            if !v.evaluations.is_empty() {
                // JSONata: each expression evaluated, with the field it sat in and its result.
                let e: Vec<Json> = v
                    .evaluations
                    .iter()
                    .map(|e| match &e.value {
                        Some(x) => json!({"field": &*e.field, "expr": &*e.expr, "value": elide(x.to_serde())}),
                        None => json!({"field": &*e.field, "expr": &*e.expr, "failed": true}),
                    })
                    .collect();
                m.insert("evaluations".into(), Json::Array(e));
            }
            if let Some(e) = &v.error_output {
                m.insert("errorOutput".into(), e.to_serde());
            }
            if !v.assigned.is_empty() {
                let a: JsonMap<String, Json> = v.assigned.iter().map(|(k, x)| (k.to_string(), x.to_serde())).collect();
                m.insert("assigned".into(), Json::Object(a));
            }
            if let Some(n) = v.next {
                m.insert("next".into(), json!(name(n)));
            }
            Json::Object(m)
        })
        .collect();
    Json::Array(visits)
}

/// Lists longer than this are cut to their first and last [`KEEP`] items in snapshots (the
/// 25,000-event limit case would otherwise write a snapshot of a million lines).
const LONG: usize = 200;
const KEEP: usize = 40;

fn trim(list: Json) -> Json {
    match list {
        Json::Array(items) if items.len() > LONG => {
            let n = items.len();
            let mut out: Vec<Json> = items.iter().take(KEEP).cloned().collect();
            out.push(json!({"omitted": n - 2 * KEEP}));
            out.extend(items.iter().skip(n - KEEP).cloned());
            Json::Array(out)
        }
        other => other,
    }
}

/// Payloads longer than this (compact JSON, or a string's length) are shown in snapshots by their
/// size and first characters: the 256 KiB limit cases would otherwise write snapshots of 30 MB.
const BIG: usize = 1024;

fn elide(v: Json) -> Json {
    let show = |text: &str| {
        let head: String = text.chars().take(60).collect();
        Json::String(format!("<{} bytes: {head}...>", text.len()))
    };
    match v {
        Json::String(s) if s.len() > BIG => show(&s),
        Json::Array(_) | Json::Object(_) => {
            let text = v.to_string();
            if text.len() > BIG {
                return show(&text);
            }
            v
        }
        other => other,
    }
}

/// [`elide`] on every payload: the fields of each event's details, each visit's stages,
/// context and assigned variables, and the output.
fn elide_payloads(mut case: Json) -> Json {
    let each_field = |v: &mut Json| {
        if let Json::Object(m) = v {
            for x in m.values_mut() {
                *x = elide(std::mem::take(x));
            }
        }
    };
    if let Some(o) = case.get_mut("output") {
        *o = elide(std::mem::take(o));
    }
    if let Some(Json::Array(events)) = case.get_mut("history") {
        for e in events.iter_mut() {
            if let Json::Object(m) = e {
                for (k, v) in m.iter_mut() {
                    if k.ends_with("EventDetails") {
                        each_field(v);
                    }
                }
            }
        }
    }
    if let Some(Json::Array(visits)) = case.get_mut("visits") {
        for v in visits.iter_mut() {
            if let Some(st) = v.get_mut("stages") {
                each_field(st);
            }
            if let Some(a) = v.get_mut("assigned") {
                each_field(a);
            }
            if let Some(c) = v.get_mut("context") {
                *c = elide(std::mem::take(c));
            }
        }
    }
    case
}

/// What the snapshot records of one case (with `cost`, the priced estimate too).
fn case_json(name: &str, exec: &Execution, cost: bool) -> Json {
    let mut m = JsonMap::new();
    m.insert("case".into(), json!(name));
    m.insert("status".into(), json!(exec.status().name()));
    match exec.status() {
        Status::Succeeded(v) => {
            m.insert("output".into(), v.to_serde());
        }
        other => {
            if let Some(e) = other.error() {
                m.insert("error".into(), json!(e.error));
                m.insert("cause".into(), json!(e.cause));
            }
        }
    }
    m.insert("virtualSeconds".into(), json!(exec.elapsed_ms() as f64 / 1000.0));
    m.insert("billableTransitions".into(), json!(exec.cost().billable_transitions));
    m.insert("steps".into(), json!(exec.step_count()));
    if cost {
        let c = exec.cost();
        m.insert(
            "cost".into(),
            json!({"region": c.region, "standardUsd": c.standard_usd, "expressUsd": c.express_usd,
                   "expressBilledMs": c.express_billed_ms, "expressBilledMemoryMb": c.express_billed_memory_mb}),
        );
    }
    let history: Json = serde_json::from_str(&to_aws_json(exec.history())).unwrap_or(Json::Null);
    m.insert("history".into(), trim(history.get("events").cloned().unwrap_or(Json::Null)));
    m.insert("visits".into(), trim(visits_json(exec)));
    elide_payloads(Json::Object(m))
}

/// Runs a case twice more (from scratch, and back one step then on) and says how they differ
/// from the first run, if they do.
fn determinism(machine: &Rc<Machine>, case: &testing::TestCase, first: &Execution) -> Vec<String> {
    let mut out = Vec::new();
    let want = to_aws_json(first.history());
    match testing::run_case(machine.clone(), case) {
        Ok(again) if to_aws_json(again.history()) == want && again.status() == first.status() => {}
        Ok(_) => out.push("a second run gave a different history".into()),
        Err(e) => out.push(format!("a second run could not start: {e}")),
    }
    // Without the inspector's records (what `statelab run` and the JS package's `run` do), the
    // history, the outcome and the cost are the same.
    let mut lean = case.clone();
    lean.options.inspect = false;
    match testing::run_case(machine.clone(), &lean) {
        Ok(again) if to_aws_json(again.history()) == want && again.status() == first.status() => {
            if again.cost() != first.cost() || again.step_count() != first.step_count() {
                out.push("a run without inspector records cost or stepped differently".into());
            }
            if !again.visits().is_empty() || !again.steps().is_empty() {
                out.push("a run without inspector records kept visits or steps".into());
            }
        }
        Ok(_) => out.push("a run without inspector records gave a different history".into()),
        Err(e) => out.push(format!("a run without inspector records could not start: {e}")),
    }
    let steps = first.step_count();
    let mut back = first.replay(steps.saturating_sub(1));
    if back.step_count() != steps.saturating_sub(1) {
        out.push(format!("going back one step from {steps} reached step {}", back.step_count()));
    }
    back.run();
    if to_aws_json(back.history()) != want || back.status() != first.status() {
        out.push("going back one step and running on gave a different history".into());
    }
    out
}

#[test]
fn exec_cases() {
    let failures: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let known_failing: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let count = RefCell::new(0usize);
    insta::glob!("../../../tests/cases/exec", "**/*.json", |path| {
        let label = label(path);
        let fail = |m: String| {
            // Printed at once too: a snapshot mismatch makes the glob panic before the summary.
            eprintln!("{label}: {m}");
            failures.borrow_mut().push(format!("{label}: {m}"));
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return fail(format!("unreadable: {e}")),
        };
        let file = match statelab::json::parse(&text)
            .map_err(|e| e.to_string())
            .and_then(|v| testing::parse_test_file(&v).map_err(|e| e.to_string()))
            .and_then(|f| match f.usable_cases() {
                Ok(_) => Ok(f),
                Err(e) => Err(e.to_string()),
            }) {
            Ok(f) => f,
            Err(e) => return fail(format!("not a test file: {e}")),
        };
        let known = KNOWN_FAILURES.iter().find(|(f, _)| *f == label);
        let machine = match (machine_for(&file, path), known) {
            (Ok(m), _) => m,
            (Err(e), Some(_)) => {
                // A known failure may be a definition the compiler wrongly refuses.
                *count.borrow_mut() += file.cases.len();
                return known_failing.borrow_mut().push(format!("{label}: {e}"));
            }
            (Err(e), None) => return fail(e),
        };
        let mut mismatches = Vec::new();
        let mut cases = Vec::new();
        for case in file.cases.iter().flatten() {
            *count.borrow_mut() += 1;
            if case.expect.status.is_none() {
                fail(format!("[{}]: every case must say its expected status", case.name));
            }
            let exec = match testing::run_case(machine.clone(), case) {
                Ok(e) => e,
                Err(e) => {
                    fail(format!("[{}]: {e}", case.name));
                    continue;
                }
            };
            for m in testing::check(&exec, &case.expect) {
                mismatches.push(format!("[{}]: {m}", case.name));
            }
            for m in determinism(&machine, case, &exec) {
                fail(format!("[{}]: {m}", case.name));
            }
            cases.push(case_json(&case.name, &exec, label.starts_with("cost/")));
        }
        match known {
            Some((_, why)) if mismatches.is_empty() => {
                fail(format!("listed in KNOWN_FAILURES ({why}) but now passes: remove the entry"))
            }
            Some(_) => known_failing.borrow_mut().extend(mismatches),
            None => {
                for m in mismatches {
                    fail(m);
                }
            }
        }
        let mut snap = JsonMap::new();
        if let Some(t) = &file.title {
            snap.insert("title".into(), json!(t));
        }
        snap.insert("cases".into(), Json::Array(cases));
        insta::assert_json_snapshot!(Json::Object(snap));
    });
    let count = count.into_inner();
    for k in known_failing.borrow().iter() {
        eprintln!("known failure: {k}");
    }
    let failures = failures.into_inner();
    assert!(failures.is_empty(), "{} problems in {count} cases:\n{}", failures.len(), failures.join("\n"));
    assert!(count >= MIN_CASES, "only {count} execution cases; the suite should hold at least {MIN_CASES}");
}

/// The gallery's examples (`www/examples`, checked against their own expectations by
/// `tests/examples.rs`): their histories and stages are snapshotted here too.
#[test]
fn gallery_histories() {
    let failures: RefCell<Vec<String>> = RefCell::new(Vec::new());
    insta::glob!("../../../www/examples", "*.json", |path| {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let fail = |m: String| failures.borrow_mut().push(format!("{name}: {m}"));
        let Some(file) = std::fs::read_to_string(path)
            .ok()
            .and_then(|t| statelab::json::parse(&t).ok())
            .and_then(|v| testing::parse_test_file(&v).ok())
            .filter(|f| f.usable_cases().is_ok())
        else {
            return fail("not a test file".into());
        };
        let machine = match machine_for(&file, path) {
            Ok(m) => m,
            Err(e) => return fail(e),
        };
        let mut cases = Vec::new();
        for case in file.cases.iter().flatten() {
            match testing::run_case(machine.clone(), case) {
                Ok(exec) => {
                    for m in determinism(&machine, case, &exec) {
                        fail(format!("[{}]: {m}", case.name));
                    }
                    cases.push(case_json(&case.name, &exec, false));
                }
                Err(e) => fail(format!("[{}]: {e}", case.name)),
            }
        }
        let mut snap = JsonMap::new();
        if let Some(t) = &file.title {
            snap.insert("title".into(), json!(t));
        }
        snap.insert("cases".into(), Json::Array(cases));
        insta::assert_json_snapshot!(Json::Object(snap));
    });
    let failures = failures.into_inner();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
