//! `class Execution`: an execution to step through, go back in, run to a state, and inspect.

use std::rc::Rc;

use serde::Serialize;
use statelab::exec::{Execution as Exec, RetryRecord, Step, Visit, VisitStatus};
use statelab::history::Event;
use statelab::machine::StateId;
use statelab::report::RunReport;
use statelab::time::format_millis;
use statelab::Value;
use wasm_bindgen::prelude::*;

use crate::error::{to_js, Failure};
use crate::options;

#[wasm_bindgen(typescript_custom_section)]
const TS_EXECUTION: &str = r#"
/** What one step did: a step is one event of the virtual clock. */
export interface Step {
  /** 1-based; `inspect(index)` shows the state visit it concerned. */
  index: number;
  /**
   * `enter` (a state entered; Pass, Choice, Succeed and Fail also finish in it), `task` (a Task
   * completed or failed), `wait` (a Wait ended), `retry` (a retry fired), `join` (a Parallel or
   * Map finished its branches or iterations), `timeout` (the execution timed out), `budget`
   * (the step budget ran out), `limit` (the history reached 25,000 events).
   */
  kind: "enter" | "task" | "wait" | "retry" | "join" | "timeout" | "budget" | "limit";
  /** The state the step concerned, if any. */
  state: string | null;
  /**
   * The branch or iteration: `""` at the top level, `Processing[1]` in branch 1 of the
   * Parallel state `Processing`, `Price#2` in iteration 2 of the Map state `Price`.
   */
  thread: string;
  /** Virtual time of the step, ISO 8601 (`2026-01-01T00:00:30.000Z`). */
  time: string;
  /** The history events the step recorded. */
  events: HistoryEvent[];
}

/** One retry of a state visit. */
export interface Retry {
  /** Index of the Retrier in `Retry` that matched. */
  retrier: number;
  /** Its attempt number, from 1. */
  attempt: number;
  /** The error retried. */
  error: string;
  cause: string;
  /** When the error happened, ISO 8601. */
  at: string;
  /** The delay before the retry, in virtual seconds. */
  delaySeconds: number;
}

/**
 * One visit of a state: its data at each stage, named as AWS's TestState `inspectionData`
 * names them (but values, not JSON text). A stage is absent when the visit did not reach it (or
 * the state type has none).
 */
export interface Inspection {
  /** The step asked about. */
  step: number;
  /** The step that entered the state (the visit's first step). */
  enteredStep: number;
  state: string;
  /** `Task`, `Pass`, `Choice`, `Wait`, `Succeed`, `Fail`, `Parallel` or `Map`. */
  type: string;
  /** The branch or iteration, as in `Step.thread`. */
  thread: string;
  /** `CAUGHT`: failed, and a Catcher took the error (`catcher` is its index). */
  status: "RUNNING" | "SUCCEEDED" | "FAILED" | "CAUGHT" | "ABORTED";
  /** The error, when `FAILED` or `CAUGHT`. */
  error?: string;
  cause?: string;
  catcher?: number;
  /** ISO 8601 virtual times. */
  enteredAt: string;
  exitedAt: string | null;
  /** The state it went to next, once known. */
  next: string | null;
  input?: Json;
  afterInputPath?: Json;
  afterParameters?: Json;
  /** A Map state's items (Statelab's own stage; TestState has none). */
  afterItemsPath?: Json;
  result?: Json;
  afterResultSelector?: Json;
  afterResultPath?: Json;
  output?: Json;
  retries: Retry[];
  /** Variables the state assigned (`Assign`), by name. */
  assigned: { [name: string]: Json };
}

/** A branch or iteration that is waiting, and for what. */
export interface Pending {
  thread: string;
  state: string | null;
  waitingFor: "task" | "wait" | "retry" | "branches" | "iterations" | "next";
  /** Until when, ISO 8601, when known. */
  until: string | null;
}
"#;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StepOut<'a> {
    index: u64,
    kind: &'static str,
    state: Option<&'a str>,
    thread: &'a str,
    time: String,
    events: &'a [Event],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RetryOut<'a> {
    retrier: usize,
    attempt: u32,
    error: &'a str,
    cause: &'a str,
    at: String,
    delay_seconds: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InspectionOut<'a> {
    step: u64,
    entered_step: u64,
    state: &'a str,
    #[serde(rename = "type")]
    state_type: &'static str,
    thread: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    catcher: Option<usize>,
    entered_at: String,
    exited_at: Option<String>,
    next: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after_input_path: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after_parameters: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after_items_path: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after_result_selector: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    after_result_path: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output: Option<&'a Value>,
    retries: Vec<RetryOut<'a>>,
    assigned: Assigned<'a>,
}

/// Variables as an object, in assignment order.
struct Assigned<'a>(&'a [(Rc<str>, Value)]);

impl Serialize for Assigned<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (&**k, v)))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PendingOut<'a> {
    thread: &'a str,
    state: Option<&'a str>,
    waiting_for: &'static str,
    until: Option<String>,
}

/// An execution to step through: `new Execution(definition, input, options)` starts it (the
/// arguments and errors are those of `run`), and nothing runs until it is told to. Getters build
/// new plain objects on every read (`history` copies the whole history): keep what they return
/// rather than reading them in a loop. `free()` releases the memory at once; otherwise it goes
/// when the object is garbage-collected.
#[wasm_bindgen(js_name = Execution)]
pub struct JsExecution {
    exec: Exec,
}

#[wasm_bindgen(js_class = Execution)]
impl JsExecution {
    /// Starts an execution: `ExecutionStarted` is recorded, no step is taken.
    ///
    /// @throws {StatelabError} as `run` does.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Definition")] definition: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "JsonInput")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RunOptions")] options: JsValue,
    ) -> Result<JsExecution, Failure> {
        Ok(JsExecution { exec: options::start(&definition, input, options, true)? })
    }

    /// Takes one step; `null` once the execution has ended.
    #[wasm_bindgen(unchecked_return_type = "Step | null")]
    pub fn step(&mut self) -> Result<JsValue, Failure> {
        match self.exec.step() {
            Some(s) => step_out(&self.exec, &s),
            None => Ok(JsValue::NULL),
        }
    }

    /// Undoes the last step (the run is replayed to the step before: runs are deterministic).
    /// `false` when no step has been taken.
    pub fn back(&mut self) -> bool {
        match self.exec.step_count() {
            0 => false,
            n => {
                self.exec = self.exec.replay(n - 1);
                true
            }
        }
    }

    /// Steps until a step enters the state named `state` (that step is taken) or the execution
    /// ends. `true` when it entered the state.
    ///
    /// @throws {StatelabError} `NO_SUCH_STATE` when the machine has no state of that name (or
    /// `state` is not a string).
    #[wasm_bindgen(js_name = runTo)]
    pub fn run_to(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] state: JsValue,
    ) -> Result<bool, Failure> {
        // Taken as any value and checked here: wasm-bindgen's own `&str` glue copies whatever it
        // is given as if it were a string, and a number made it read out of bounds.
        let Some(state) = state.as_string() else {
            return Err(Failure::NoSuchState(format!(
                "runTo takes a state's name (a string), not {}",
                crate::error::kind_of(&state)
            )));
        };
        let targets: Vec<StateId> = self.exec.machine().find_all(&state).collect();
        if targets.is_empty() {
            return Err(Failure::NoSuchState(format!(
                "No state named '{}' in the state machine",
                crate::error::quoted(&state)
            )));
        }
        Ok(self.exec.run_until(&|id| targets.contains(&id)).is_some())
    }

    /// Runs to the end (or the step budget) and returns the report, as `run` does.
    #[wasm_bindgen(unchecked_return_type = "RunReport")]
    pub fn run(&mut self) -> Result<JsValue, Failure> {
        self.exec.run();
        self.report()
    }

    /// The report so far: `run`'s object (`status` is `RUNNING` until the end).
    #[wasm_bindgen(unchecked_return_type = "RunReport")]
    pub fn report(&self) -> Result<JsValue, Failure> {
        to_js(&RunReport::of(&self.exec))
    }

    /// The state visit step `step` concerned (default, or `null`: the last step taken), with its data at
    /// each stage; `null` when the step ran no state: the execution's timeout, and the steps that
    /// stopped it at the step budget or the history's limit (which name the state they stopped at).
    ///
    /// @throws {StatelabError} `NO_SUCH_STEP` for a step not taken, or one that is not a number.
    #[wasm_bindgen(unchecked_return_type = "Inspection | null")]
    pub fn inspect(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] step: JsValue,
    ) -> Result<JsValue, Failure> {
        let taken = self.exec.step_count();
        // Taken as any value and checked here: as an `Option<f64>`, JS's coercion made
        // inspect('1') step 1 and inspect(true) step 1.
        let index = match step.as_f64() {
            Some(n) => n,
            None if step.is_undefined() || step.is_null() => taken as f64,
            None => {
                return Err(Failure::NoSuchStep(format!(
                    "inspect takes a step's number, not {}",
                    crate::error::kind_of(&step)
                )))
            }
        };
        if index.fract() != 0.0 || index < 1.0 || index > taken as f64 {
            // As JS writes the number: Rust writes the infinities "inf", -0 "-0" and 1e21 whole.
            let shown = js_sys::Number::from(index)
                .to_string_with_radix(10)
                .map_or_else(|_| index.to_string(), String::from);
            return Err(Failure::NoSuchStep(format!(
                "No step {shown}: steps are numbered from 1, and {taken} have been taken"
            )));
        }
        match self.exec.visit_at(index as u64) {
            Some(v) => inspection(&self.exec, index as u64, v),
            None => Ok(JsValue::NULL),
        }
    }

    /// The history so far, in AWS's GetExecutionHistory shape (as `run`'s `history`).
    #[wasm_bindgen(getter, unchecked_return_type = "HistoryEvent[]")]
    pub fn history(&self) -> Result<JsValue, Failure> {
        to_js(self.exec.history())
    }

    /// The virtual clock, ISO 8601.
    #[wasm_bindgen(getter)]
    pub fn now(&self) -> String {
        format_millis(self.exec.now())
    }

    /// Virtual seconds since the start (to the end, once ended).
    #[wasm_bindgen(getter, js_name = elapsedSeconds)]
    pub fn elapsed_seconds(&self) -> f64 {
        self.exec.elapsed_ms() as f64 / 1000.0
    }

    /// `RUNNING` until the end, then `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`.
    #[wasm_bindgen(getter, unchecked_return_type = "ExecutionStatus")]
    pub fn status(&self) -> String {
        self.exec.status().name().to_string()
    }

    /// The cost so far.
    #[wasm_bindgen(getter, unchecked_return_type = "Cost")]
    pub fn cost(&self) -> Result<JsValue, Failure> {
        to_js(&self.exec.cost())
    }

    /// Steps taken.
    #[wasm_bindgen(getter, js_name = stepCount)]
    pub fn step_count(&self) -> f64 {
        self.exec.step_count() as f64
    }

    /// The names of the states entered so far, in history order.
    #[wasm_bindgen(getter, js_name = statesEntered)]
    pub fn states_entered(&self) -> Vec<String> {
        self.exec.states_entered().iter().map(|s| s.to_string()).collect()
    }

    /// The branches and iterations that are waiting, and for what (empty once ended).
    #[wasm_bindgen(getter, unchecked_return_type = "Pending[]")]
    pub fn pending(&self) -> Result<JsValue, Failure> {
        let name = |s: Option<StateId>| s.map(|s| &*self.exec.machine().state(s).name);
        let pending = self.exec.pending();
        let out: Vec<PendingOut> = pending
            .iter()
            .map(|p| PendingOut {
                thread: &p.thread,
                state: name(p.state),
                waiting_for: p.waiting_for,
                until: p.until.map(format_millis),
            })
            .collect();
        to_js(&out)
    }
}

fn step_out(exec: &Exec, s: &Step) -> Result<JsValue, Failure> {
    let events = exec.history().get(s.first_event..s.end_event).unwrap_or_default();
    to_js(&StepOut {
        index: s.index,
        kind: s.kind,
        state: s.state.map(|id| &*exec.machine().state(id).name),
        thread: &s.thread,
        time: format_millis(s.time),
        events,
    })
}

fn inspection(exec: &Exec, step: u64, v: &Visit) -> Result<JsValue, Failure> {
    let machine = exec.machine();
    let state = machine.state(v.state);
    let (status, error) = match &v.status {
        VisitStatus::Running => ("RUNNING", None),
        VisitStatus::Succeeded => ("SUCCEEDED", None),
        VisitStatus::Aborted => ("ABORTED", None),
        VisitStatus::Failed(e) => ("FAILED", Some((e, None))),
        VisitStatus::Caught { error, catcher } => ("CAUGHT", Some((error, Some(*catcher)))),
    };
    let s = &v.stages;
    to_js(&InspectionOut {
        step,
        entered_step: v.step,
        state: &state.name,
        state_type: state.type_name(),
        thread: &v.thread,
        status,
        // Left out when empty, as in the run report and the history.
        error: error.map(|(e, _)| e.error.as_str()).filter(|s| !s.is_empty()),
        cause: error.map(|(e, _)| e.cause.as_str()).filter(|s| !s.is_empty()),
        catcher: error.and_then(|(_, c)| c),
        entered_at: format_millis(v.entered_at),
        exited_at: v.exited_at.map(format_millis),
        next: v.next.map(|n| &*machine.state(n).name),
        input: s.input.as_ref(),
        after_input_path: s.after_input_path.as_ref(),
        after_parameters: s.after_parameters.as_ref(),
        after_items_path: s.after_items_path.as_ref(),
        result: s.result.as_ref(),
        after_result_selector: s.after_result_selector.as_ref(),
        after_result_path: s.after_result_path.as_ref(),
        output: s.output.as_ref(),
        retries: v.retries.iter().map(retry_out).collect(),
        assigned: Assigned(&v.assigned),
    })
}

fn retry_out(r: &RetryRecord) -> RetryOut<'_> {
    RetryOut {
        retrier: r.retrier,
        attempt: r.attempt,
        error: &r.error.error,
        cause: &r.error.cause,
        at: format_millis(r.at),
        delay_seconds: r.delay_ms as f64 / 1000.0,
    }
}
