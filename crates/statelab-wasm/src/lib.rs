//! Statelab for JavaScript: a thin facade over the interpreter. `validate` and `run` take text
//! (or an object) and plain objects and return plain objects (serde-wasm-bindgen);
//! `class Execution` steps. Every failure is a thrown `StatelabError` ([`error`]). The
//! TypeScript declarations sit next to the Rust they describe.

#[cfg(feature = "bench")]
mod bench;
mod error;
mod execution;
mod options;
mod proto;

use statelab::report::{RunReport, ValidationReport};
use wasm_bindgen::prelude::*;

pub use error::Failure;
pub use execution::JsExecution;

#[wasm_bindgen(typescript_custom_section)]
const TS_REPORTS: &str = r#"
/** One problem in a definition, shaped like a diagnostic of AWS's ValidateStateMachineDefinition. */
export interface Diagnostic {
  /** `ERROR`: AWS would reject the definition. `WARNING`: legal, probably not what was meant. */
  severity: "ERROR" | "WARNING";
  /** AWS's code (`MISSING_TRANSITION_TARGET`, `SCHEMA_VALIDATION_FAILED`, ...). */
  code: string;
  message: string;
  /** A JSON Pointer into the definition (`/States/Check/Choices/0/Next`), or `null`. */
  location: string | null;
  /**
   * Where in the text, 1-based, when known. Columns count characters (Unicode code points), as
   * editors do: a character outside the Basic Multilingual Plane (an emoji) is one column,
   * where a JS string index counts two.
   */
  line?: number;
  column?: number;
  end_line?: number;
  end_column?: number;
}

/** `validate`'s result, shaped like AWS's ValidateStateMachineDefinition response. */
export interface ValidationReport {
  result: "OK" | "FAIL";
  /** Every problem, errors first. */
  diagnostics: Diagnostic[];
}

/** Where an execution stands. */
export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

/** What the run would cost on AWS, in the run's region. */
export interface Cost {
  /** State transitions as billed for a Standard workflow: states entered plus retries. */
  billable_transitions: number;
  /** The Standard cost of this execution, before the free tier (with `express_children_usd`). */
  standard_usd: number;
  standard_price_per_transition: number;
  /** Free Standard transitions a month (shown apart, not subtracted). */
  free_tier_transitions_per_month: number;
  /** The Express cost: `express_request_usd + express_duration_usd` (+ `express_children_usd`). */
  express_usd: number;
  /**
   * `false` when the execution could not run as Express: it ran longer than Express's five
   * minutes, or the machine has a Task Express refuses (`express_unsupported`); `express_usd` is
   * then only what that time would cost.
   */
  express_possible: boolean;
  /** Why an Express workflow would refuse the machine (a `.sync`, `.waitForTaskToken` or Activity Task), or null. */
  express_unsupported: string | null;
  express_request_usd: number;
  express_duration_usd: number;
  /** The billed duration, rounded up to 100 ms. */
  express_billed_ms: number;
  /** AWS's memory estimate for the execution. */
  express_memory_mb: number;
  /** The memory billed, in 64 MB steps. */
  express_billed_memory_mb: number;
  region: string;
  /** `false` when the region is not in the price table (us-east-1's prices are used). */
  region_priced: boolean;
  /** Where the prices come from, and when they were read. */
  prices_source: string;
  /** Express child executions a Distributed Map started. */
  express_children: number;
  /** What they cost at Express rates (requests and duration), in both totals above. */
  express_children_usd: number;
}

/** `run`'s result: the object `statelab run --format json` prints (the CLI's contract). */
export interface RunReport {
  status: ExecutionStatus;
  /** The execution's output; present only when `SUCCEEDED`. */
  output?: Json;
  /** The error name (`States.TaskFailed`, `Statelab.StepBudgetExhausted`, ...); absent when `SUCCEEDED`, and when the failure has none (a Fail state with no `Error`). */
  error?: string;
  /** The error's cause; absent when `SUCCEEDED`, and when the failure has none (a timeout). */
  cause?: string;
  /** Every state entered, in history order, inside Parallel branches and Map iterations too. */
  states_entered: string[];
  billable_transitions: number;
  /** Virtual time from the start to the end of the execution. */
  virtual_seconds: number;
  cost: Cost;
  history: HistoryEvent[];
  /** Stubs the run could never use (a key naming no state, a response for a state that is not a Task), at their key; absent when none. */
  unused_stubs?: { pointer: string; message: string }[];
}

/** AWS's history event types, as Statelab records them. */
export type HistoryEventType =
  | "ExecutionStarted" | "ExecutionSucceeded" | "ExecutionFailed" | "ExecutionTimedOut" | "ExecutionAborted"
  | "PassStateEntered" | "PassStateExited" | "TaskStateEntered" | "TaskStateExited" | "TaskStateAborted"
  | "ChoiceStateEntered" | "ChoiceStateExited" | "WaitStateEntered" | "WaitStateExited" | "WaitStateAborted"
  | "SucceedStateEntered" | "SucceedStateExited" | "FailStateEntered"
  | "ParallelStateEntered" | "ParallelStateExited" | "ParallelStateAborted"
  | "ParallelStateStarted" | "ParallelStateSucceeded" | "ParallelStateFailed"
  | "MapStateEntered" | "MapStateExited" | "MapStateAborted" | "MapStateStarted" | "MapStateSucceeded" | "MapStateFailed"
  | "MapIterationStarted" | "MapIterationSucceeded" | "MapIterationFailed" | "MapIterationAborted"
  | "MapRunStarted" | "MapRunSucceeded" | "MapRunFailed"
  | "TaskScheduled" | "TaskStarted" | "TaskSubmitted" | "TaskSucceeded" | "TaskFailed" | "TaskTimedOut"
  | "LambdaFunctionScheduled" | "LambdaFunctionStarted" | "LambdaFunctionSucceeded"
  | "LambdaFunctionFailed" | "LambdaFunctionTimedOut"
  | "ActivityScheduled" | "ActivityStarted" | "ActivitySucceeded" | "ActivityFailed" | "ActivityTimedOut"
  | "EvaluationFailed";

/** Payloads are JSON *text*, as AWS sends them. */
export interface Truncated { truncated: boolean }
export interface ErrorEventDetails { error?: string; cause?: string }
export interface TaskResourceDetails { resourceType: string; resource: string }
export interface MapIterationEventDetails { name: string; index: number }

/** One event of an execution's history, in AWS's GetExecutionHistory shape. */
export interface HistoryEvent {
  /** ISO 8601 virtual time. */
  timestamp: string;
  type: HistoryEventType;
  id: number;
  previousEventId: number;
  executionStartedEventDetails?: { input: string; inputDetails: Truncated; roleArn: string };
  executionSucceededEventDetails?: { output: string; outputDetails: Truncated };
  executionFailedEventDetails?: ErrorEventDetails;
  executionTimedOutEventDetails?: ErrorEventDetails;
  executionAbortedEventDetails?: ErrorEventDetails;
  stateEnteredEventDetails?: { name: string; input: string; inputDetails: Truncated };
  stateExitedEventDetails?: {
    name: string;
    output: string;
    outputDetails: Truncated;
    /** Variables the state assigned, each as JSON text. */
    assignedVariables?: { [name: string]: string };
    assignedVariablesDetails?: Truncated;
  };
  taskScheduledEventDetails?: TaskResourceDetails & {
    region: string;
    parameters: string;
    timeoutInSeconds?: number;
    heartbeatInSeconds?: number;
    /** The role the state's `Credentials` named (evaluated; no role is assumed). */
    taskCredentials?: { roleArn: string };
  };
  taskStartedEventDetails?: TaskResourceDetails;
  taskSubmittedEventDetails?: TaskResourceDetails & { output: string; outputDetails: Truncated };
  taskSucceededEventDetails?: TaskResourceDetails & { output: string; outputDetails: Truncated };
  taskFailedEventDetails?: TaskResourceDetails & ErrorEventDetails;
  taskTimedOutEventDetails?: TaskResourceDetails & ErrorEventDetails;
  lambdaFunctionScheduledEventDetails?: {
    resource: string;
    input: string;
    inputDetails: Truncated;
    timeoutInSeconds?: number;
    taskCredentials?: { roleArn: string };
  };
  lambdaFunctionSucceededEventDetails?: { output: string; outputDetails: Truncated };
  lambdaFunctionFailedEventDetails?: ErrorEventDetails;
  lambdaFunctionTimedOutEventDetails?: ErrorEventDetails;
  activityScheduledEventDetails?: {
    resource: string;
    input: string;
    inputDetails: Truncated;
    timeoutInSeconds?: number;
    heartbeatInSeconds?: number;
  };
  activityStartedEventDetails?: { workerName: string };
  activitySucceededEventDetails?: { output: string; outputDetails: Truncated };
  activityFailedEventDetails?: ErrorEventDetails;
  activityTimedOutEventDetails?: ErrorEventDetails;
  mapStateStartedEventDetails?: { length: number };
  mapIterationStartedEventDetails?: MapIterationEventDetails;
  mapIterationSucceededEventDetails?: MapIterationEventDetails;
  mapIterationFailedEventDetails?: MapIterationEventDetails;
  mapIterationAbortedEventDetails?: MapIterationEventDetails;
  mapRunStartedEventDetails?: { mapRunArn: string };
  mapRunFailedEventDetails?: ErrorEventDetails;
  /** A JSONata expression failed: the field it was in and its state (before the failure it causes). */
  evaluationFailedEventDetails?: ErrorEventDetails & { location: string; state: string };
  /** Statelab's own marker: no stub answered this Task, so it returned its input. */
  unstubbed?: true;
}
"#;

/// Lists every problem in a definition (errors and warnings), without running it. Never throws
/// for a bad definition: that is what the report is for.
///
/// @throws {StatelabError} `BAD_OPTIONS` for unknown or mistyped options.
#[wasm_bindgen(unchecked_return_type = "ValidationReport")]
pub fn validate(
    #[wasm_bindgen(unchecked_param_type = "Definition")] definition: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateOptions")] options: JsValue,
) -> Result<JsValue, Failure> {
    let opts: options::ValidateOptions = options::options(options)?;
    let report = match options::definition_text(&definition) {
        Ok(text) => ValidationReport::of(
            &statelab::check_named(&text, opts.state_machine.as_deref(), None)
                .for_workflow(opts.workflow_type),
        ),
        Err(Failure::InvalidDefinition(diagnostics)) => ValidationReport { result: "FAIL", diagnostics },
        Err(other) => return Err(other),
    };
    error::to_js(&report)
}

/// Runs a state machine to the end (or its step budget) on the virtual clock and returns the
/// same object as `statelab run --format json`. `input` defaults to `{}`; it and the options are
/// read as `JSON.stringify` writes them. A run that fails is a report with `status: "FAILED"`,
/// not a thrown error.
///
/// @throws {StatelabError} `INVALID_DEFINITION`, `BAD_INPUT`, `BAD_STUBS` or `BAD_OPTIONS` when
/// the execution cannot start.
#[wasm_bindgen(unchecked_return_type = "RunReport")]
pub fn run(
    #[wasm_bindgen(unchecked_param_type = "Definition")] definition: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "JsonInput")] input: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "RunOptions")] options: JsValue,
) -> Result<JsValue, Failure> {
    let mut exec = options::start(&definition, input, options, false)?;
    exec.run();
    error::to_js(&RunReport::of(&exec))
}
