//! Benchmarks only (the `bench` feature, built by `scripts/bench.sh`; not in the JS package): a
//! compiled machine that runs again and again, so that the bench page can time the execution
//! alone, as the native (`statelab run --bench-reps`) and the peer's figures are timed.

use std::rc::Rc;

use statelab::exec::{Execution, Options, Status};
use statelab::stubs::Stubs;
use statelab::{Machine, Value};
use wasm_bindgen::prelude::*;

/// A workload ready to run: `new BenchRun(definition, inputJson, stubsJson)`, then `run()` as
/// many times as wanted (timed by the caller), `clear()` between runs, outside the timing.
#[wasm_bindgen]
pub struct BenchRun {
    machine: Rc<Machine>,
    input: Value,
    stubs: Rc<Stubs>,
    last: Option<Execution>,
}

#[wasm_bindgen]
impl BenchRun {
    /// Parses and compiles the definition, the input and the stubs (Statelab's stub format).
    #[wasm_bindgen(constructor)]
    pub fn new(definition: &str, input: &str, stubs: &str) -> Result<BenchRun, JsError> {
        let checked = statelab::check(definition, None);
        let machine = checked.machine.clone().ok_or_else(|| JsError::new("invalid definition"))?;
        let input = statelab::json::parse(input).map_err(|e| JsError::new(&e.message))?;
        let stubs = statelab::json::parse(stubs).map_err(|e| JsError::new(&e.message))?;
        let stubs = Stubs::from_stubs(&stubs).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(BenchRun { machine, input, stubs: Rc::new(stubs), last: None })
    }

    /// Runs the execution from start to end; returns its status name.
    pub fn run(&mut self) -> Result<String, JsError> {
        let mut exec = Execution::start(
            self.machine.clone(),
            self.input.clone(),
            self.stubs.clone(),
            // What the package's `run` does: the history, not the inspector's records.
            Options { inspect: false, ..Options::default() },
        )
        .map_err(|e| JsError::new(&e.cause))?;
        exec.run();
        let status = exec.status().name().to_string();
        self.last = Some(exec);
        Ok(status)
    }

    /// Drops the last execution (so that freeing it is not part of the next run's time).
    pub fn clear(&mut self) {
        self.last = None;
    }

    /// The number of states the last execution entered.
    #[wasm_bindgen(js_name = statesEntered)]
    pub fn states_entered(&self) -> usize {
        self.last.as_ref().map_or(0, |e| e.states_entered().len())
    }

    /// The last execution's output as JSON text, if it succeeded.
    pub fn output(&self) -> Option<String> {
        match self.last.as_ref().map(Execution::status) {
            Some(Status::Succeeded(v)) => Some(v.to_json()),
            _ => None,
        }
    }
}
