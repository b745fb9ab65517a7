//! Runs the JSONata cases in `tests/cases/jsonata/*.json`.
//!
//! They are the jsonata-js 2.0.6 test suite (one file per group), Step Functions' own cases
//! (`stepfunctions.json`) and regressions found by differential testing. Each file is an array of cases: `expr`, the input (`data`, or `dataset` naming a file in
//! `datasets/`, `null` for an undefined input; neither means undefined), optional `bindings`,
//! and one expectation: `result` (compared as JSON values, numbers by value, object keys in any
//! order; `unordered` compares arrays as multisets), `undefined: true`, or `code` (the error
//! code). `depth` and `timelimit` are the suite's evaluation bounds; `seed` and `now` set the
//! random generator and the clock. The suite runs with JSONata's own (wider) bounds;
//! `stepfunctions.json` runs with AWS's (the defaults). A failure names its group and source.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use statelab::jsonata::{EvalEnv, Expr, Limits};
use statelab::rng::Rng;
use statelab::{Map, Value};

/// Cases deliberately not run, with the reason. Keyed by group and source.
const SKIP: &[(&str, &str, &str)] = &[
    ("function-eval", "case000.json", EVAL),
    ("function-eval", "case001.json", EVAL),
    ("function-eval", "case002.json", EVAL),
    ("function-eval", "case003.json", EVAL),
    ("function-eval", "case004.json", EVAL),
    ("function-eval", "case005.json", EVAL),
    ("function-eval", "case006.json", EVAL),
    ("function-eval", "case007.json", EVAL),
    ("function-encodeUrl", "case002.json", SURROGATE),
    ("function-encodeUrlComponent", "case002.json", SURROGATE),
    ("range-operator", "case021.json", RANGE),
    ("range-operator", "case024.json", RANGE),
];

const EVAL: &str = "Step Functions leaves $eval unbound (every call is T1006; stepfunctions.json pins it)";
const SURROGATE: &str = "Strings are UTF-8 here: the lone surrogate '\\ud800' reads as U+FFFD, which encodes";
const RANGE: &str =
    "AWS's memory bound refuses a 10-million-item sequence (stepfunctions.json pins the bound)";

/// The clock every case sees (2024-01-02T03:04:05.678Z).
const NOW: i64 = 1_704_164_645_678;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/jsonata")
}

fn short(s: &str) -> String {
    match s.char_indices().nth(200) {
        Some((cut, _)) => format!("{}...", &s[..cut]),
        None => s.to_string(),
    }
}

/// Sorts arrays (for `unordered` comparisons) by their items' JSON text.
fn sorted(v: &Value) -> Value {
    match v.as_array() {
        Some(items) => {
            let mut items: Vec<Value> = items.to_vec();
            items.sort_by_key(|i| i.to_json());
            Value::array(items)
        }
        None => v.clone(),
    }
}

struct Suite {
    datasets: HashMap<String, Value>,
}

impl Suite {
    fn run_case(&self, group: &str, case: &Value) -> Result<(), String> {
        let field = |k: &str| case.get(k);
        let expr_text = field("expr").and_then(|e| e.as_str()).ok_or("the case has no \"expr\"")?;
        let input: Option<Value> = if let Some(d) = field("data") {
            Some(d.clone())
        } else {
            match field("dataset").and_then(|d| d.as_str()) {
                Some(name) => Some(self.datasets.get(name).cloned().ok_or(format!("no dataset {name}"))?),
                None => None,
            }
        };
        let mut bindings = Map::default();
        if let Some(b) = field("bindings").and_then(|b| b.as_object()) {
            for (k, v) in b {
                bindings.insert(k.clone(), v.clone());
            }
        }
        let seed = field("seed").and_then(|s| s.as_i64()).unwrap_or(0);
        let now = field("now").and_then(|n| n.as_i64()).unwrap_or(NOW);
        let mut env = EvalEnv::new(Rng::new(seed), now);
        if group != "stepfunctions" {
            // jsonata-js bounds nothing unless a case asks; these keep a runaway case finite.
            env.limits = Limits {
                max_depth: 1000,
                max_steps: 20_000_000,
                // The runner's thread has a 256 MiB stack.
                max_stack_bytes: 128 << 20,
                ..Limits::default()
            };
        }
        if let Some(d) = field("depth").and_then(|d| d.as_i64()) {
            env.limits.max_depth = d as u32;
        }
        if let Some(t) = field("timelimit").and_then(|t| t.as_i64()) {
            env.limits.max_steps = t as u64 * 1000;
        }
        let expected_code = field("code").and_then(|c| c.as_str());
        let outcome =
            Expr::parse(expr_text).and_then(|e| e.evaluate_input(input.as_ref(), &bindings, &mut env));
        match (outcome, expected_code) {
            (Err(e), Some(code)) if e.code == code => Ok(()),
            (Err(e), Some(code)) => Err(format!("expected error {code}, got {e}")),
            (Ok(v), Some(code)) => Err(format!(
                "expected error {code}, got {}",
                v.map_or("undefined".into(), |v| short(&v.to_json()))
            )),
            (Err(e), None) => Err(format!("unexpected error {e}")),
            (Ok(got), None) => {
                if field("undefined").and_then(|u| u.as_bool()) == Some(true) {
                    return match got {
                        None => Ok(()),
                        Some(v) => Err(format!("expected undefined, got {}", short(&v.to_json()))),
                    };
                }
                let want = field("result").cloned().ok_or("the case has no expectation")?;
                let Some(got) = got else {
                    return Err(format!("expected {}, got undefined", short(&want.to_json())));
                };
                let unordered = field("unordered").and_then(|u| u.as_bool()) == Some(true);
                let same = if unordered { sorted(&got) == sorted(&want) } else { got == want };
                if same {
                    Ok(())
                } else {
                    Err(format!("expected {}, got {}", short(&want.to_json()), short(&got.to_json())))
                }
            }
        }
    }
}

fn run_all() {
    let dir = cases_dir();
    let mut datasets = HashMap::new();
    for entry in std::fs::read_dir(dir.join("datasets")).expect("the datasets directory exists") {
        let path = entry.expect("a readable entry").path();
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read_to_string(&path).expect("a readable dataset");
        // The library's parser: serde_json's default float parsing is not correctly rounded.
        datasets.insert(name, statelab::json::parse(&text).expect("a JSON dataset"));
    }
    let suite = Suite { datasets };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the cases directory exists")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let (mut total, mut skipped) = (0, 0);
    let mut failures = Vec::new();
    let mut used_skips = vec![false; SKIP.len()];
    for file in &files {
        let group = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read_to_string(file).expect("a readable case file");
        let cases: Vec<Value> =
            match statelab::json::parse(&text).map(|v| v.as_array().map(<[Value]>::to_vec)) {
                Ok(Some(c)) => c,
                _ => {
                    failures.push(format!("{group}: not a JSON array of cases"));
                    continue;
                }
            };
        for (i, case) in cases.iter().enumerate() {
            total += 1;
            let source =
                case.get("source").and_then(|s| s.as_str()).map_or_else(|| format!("#{i}"), str::to_string);
            if let Some(k) = SKIP.iter().position(|(g, s, _)| *g == group && *s == source) {
                used_skips[k] = true;
                skipped += 1;
                continue;
            }
            let expr = case.get("expr").and_then(|e| e.as_str()).unwrap_or("");
            if let Err(why) = suite.run_case(&group, case) {
                failures.push(format!("{group}/{source} [{}]: {why}", short(expr.trim())));
            }
        }
    }
    for (k, used) in used_skips.iter().enumerate() {
        if !used {
            failures.push(format!("skip entry {:?} matches no case", SKIP.get(k)));
        }
    }
    let ran = total - skipped;
    eprintln!(
        "{} of {ran} JSONata cases pass ({skipped} skipped, {total} in {} files)",
        ran - failures.len(),
        files.len()
    );
    assert!(failures.is_empty(), "{} of {ran} cases failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn jsonata_cases() {
    // Deep recursion cases (depth 500) need more stack than a test thread has in a debug build.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(run_all)
        .expect("a thread")
        .join()
        .expect("the suite runs to the end");
}
