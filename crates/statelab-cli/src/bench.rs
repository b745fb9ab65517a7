//! `statelab run --bench-reps N` (hidden): in-process timings for `scripts/bench.sh`, measured
//! the way the peer benchmark measures aws-local-stepfunctions: the execution alone, from start to
//! end, excluding process start, reading the files and compiling the definition.

use std::rc::Rc;
use std::time::Instant;

use statelab::exec::{Execution, Options};
use statelab::{Machine, Stubs, Value};

/// Most repetitions `--bench-min-ms` may add, so a tiny workload still ends quickly.
const MAX_REPS: u32 = 100_000;

/// Runs the execution `reps` times (more while the runs after the first add up to less than
/// `min_ms`) and prints one JSON line on stderr: `{"bench": {"load_ms", "exec_ms": [...],
/// "states_entered", "events"}}`. The first run is the cold one (first in the process).
pub fn measure(
    machine: &Rc<Machine>,
    input: &Value,
    stubs: &Rc<Stubs>,
    options: &Options,
    reps: u32,
    min_ms: f64,
    load_ms: f64,
) {
    let mut exec_ms: Vec<f64> = Vec::new();
    let mut warm_total = 0.0;
    let mut last = None;
    while (exec_ms.len() as u32) < reps || (warm_total < min_ms && (exec_ms.len() as u32) < MAX_REPS) {
        // Dropping the previous run is not part of the next one's time.
        drop(last.take());
        let t0 = Instant::now();
        let exec = run_once(machine, input, stubs, options);
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        if !exec_ms.is_empty() {
            warm_total += ms;
        }
        exec_ms.push(ms);
        last = Some(exec);
    }
    let (entered, events) = match &last {
        Some(Ok(e)) => (e.states_entered().len(), e.history().len()),
        _ => (0, 0),
    };
    let times: Vec<String> = exec_ms.iter().map(|t| format!("{t:.4}")).collect();
    report!(
        "{{\"bench\":{{\"load_ms\":{load_ms:.4},\"exec_ms\":[{}],\"states_entered\":{entered},\"events\":{events}}}}}",
        times.join(",")
    );
}

/// One execution from start to end: what is timed. Not inlined, so that a profiler can be told to
/// count only this (`valgrind --tool=callgrind --toggle-collect='*bench::run_once*'`).
#[inline(never)]
fn run_once(
    machine: &Rc<Machine>,
    input: &Value,
    stubs: &Rc<Stubs>,
    options: &Options,
) -> Result<Execution, statelab::StatesError> {
    let mut exec = Execution::start(machine.clone(), input.clone(), stubs.clone(), options.clone())?;
    exec.run();
    Ok(exec)
}
