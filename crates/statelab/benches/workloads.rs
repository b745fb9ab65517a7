//! The six benchmark workloads of `bench/workloads` (loop, map, parallel, tasks, choice, data),
//! run through the library: `cargo bench -p statelab`. The execution alone is timed, from
//! `Execution::start` to the end, as `statelab run --bench-reps` and `scripts/bench.sh` time it;
//! `check` (parse, validate, compile) is timed on its own.

use std::path::PathBuf;
use std::rc::Rc;

use statelab::exec::{Execution, Options};
use statelab::{Machine, Stubs, Value};

const WORKLOADS: &[&str] = &["loop", "map", "parallel", "tasks", "choice", "data"];

fn main() {
    divan::main();
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench/workloads")
}

fn read(name: &str, suffix: &str) -> Option<String> {
    std::fs::read_to_string(dir().join(format!("{name}.{suffix}.json"))).ok()
}

/// Every Task state of a definition, inside branches and Map processors too.
fn task_names(def: &Value, out: &mut Vec<Rc<str>>) {
    for (name, st) in def.get("States").and_then(Value::as_object).into_iter().flatten() {
        if st.get("Type").and_then(Value::as_str) == Some("Task") {
            out.push(name.clone());
        }
        for b in st.get("Branches").and_then(Value::as_array).unwrap_or_default() {
            task_names(b, out);
        }
        if let Some(p) = st.get("ItemProcessor") {
            task_names(p, out);
        }
    }
}

/// The compiled machine, input and stubs of a workload (every Task returns `allTasksReturn`).
fn prepare(name: &str) -> (Rc<Machine>, Value, Rc<Stubs>) {
    let text = read(name, "asl").unwrap_or_else(|| panic!("no workload {name}"));
    let checked = statelab::check(&text, None);
    let machine = checked.machine.clone().unwrap_or_else(|| panic!("{name}: {:?}", checked.diagnostics));
    let input = statelab::json::parse(&read(name, "input").unwrap_or_default()).expect("input");
    let stubs = match read(name, "mock") {
        Some(mock) => {
            let ret = statelab::json::parse(&mock)
                .expect("mock")
                .get("allTasksReturn")
                .cloned()
                .unwrap_or_default();
            let mut names = Vec::new();
            task_names(checked.definition.as_ref().expect("definition"), &mut names);
            let stubs = Value::object_from(
                names.into_iter().map(|n| (n, Value::object_from([("Return", ret.clone())]))),
            );
            Stubs::from_stubs(&stubs).expect("stubs")
        }
        None => Stubs::empty(),
    };
    (machine, input, Rc::new(stubs))
}

/// One execution, start to end (the returned execution is dropped outside the timing).
#[divan::bench(args = WORKLOADS)]
fn execute(bencher: divan::Bencher, name: &str) {
    let (machine, input, stubs) = prepare(name);
    bencher.bench_local(|| {
        let mut e = Execution::start(machine.clone(), input.clone(), stubs.clone(), Options::default())
            .expect("start");
        e.run();
        e
    });
}

/// Reading, validating and compiling the definition.
#[divan::bench(args = WORKLOADS)]
fn check(bencher: divan::Bencher, name: &str) {
    let text = read(name, "asl").unwrap_or_default();
    bencher.bench_local(|| statelab::check(&text, None));
}
