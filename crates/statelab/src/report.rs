//! The result of a run as one serializable object: what the CLI prints with `--format json`, what
//! the JS package returns, and what tests read. Its shape is a documented contract.

use std::rc::Rc;

use crate::cost::Cost;
use crate::exec::{Execution, Status};
use crate::history::Event;
use crate::value::Value;

/// A finished (or stopped) run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RunReport {
    /// `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED` (or `RUNNING` if not finished).
    pub status: &'static str,
    /// The output, when it succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Value>,
    /// The error name, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The cause, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// Every state entered, in history order (inside branches and inline Map iterations too; a
    /// Distributed Map's children are separate executions with histories of their own).
    pub states_entered: Vec<Rc<str>>,
    /// Transitions billed for a Standard workflow.
    pub billable_transitions: u64,
    /// Virtual seconds from start to end.
    pub virtual_seconds: f64,
    /// What it would cost.
    pub cost: Cost,
    /// The history, in GetExecutionHistory shape.
    pub history: Vec<Event>,
    /// Stubs the run could never use (a key naming no state, a response for a state that is not
    /// a Task), each with the JSON Pointer of its key in the stubs; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unused_stubs: Vec<UnusedStub>,
}

/// A stub no state of the machine uses ([`crate::stubs::unused_stubs`]).
#[derive(Clone, Debug, serde::Serialize)]
pub struct UnusedStub {
    /// Where its key is in the stubs (`/Chrage`).
    pub pointer: String,
    /// Why it is never used, with the closest state name when one is an obvious typo.
    pub message: String,
}

impl RunReport {
    /// Summarises an execution.
    pub fn of(exec: &Execution) -> RunReport {
        let (output, error, cause) = match exec.status() {
            Status::Succeeded(v) => (Some(v.clone()), None, None),
            Status::Running => (None, None, None),
            other => {
                let e = other.error();
                // Left out when empty, as the ExecutionFailed event leaves them out (a Fail state
                // with no Error, a timeout's cause).
                let some = |s: &String| (!s.is_empty()).then(|| s.clone());
                (None, e.and_then(|e| some(&e.error)), e.and_then(|e| some(&e.cause)))
            }
        };
        let cost = exec.cost();
        RunReport {
            status: exec.status().name(),
            output,
            error,
            cause,
            states_entered: exec.states_entered(),
            billable_transitions: cost.billable_transitions,
            virtual_seconds: exec.elapsed_ms() as f64 / 1000.0,
            cost,
            history: exec.history().to_vec(),
            unused_stubs: crate::stubs::unused_stubs(exec.machine(), exec.stubs())
                .into_iter()
                .map(|(pointer, message)| UnusedStub { pointer, message })
                .collect(),
        }
    }

    /// Compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"status\":\"ERROR\",\"error\":\"{e}\"}}"))
    }
}

/// The result of validating, shaped like AWS's ValidateStateMachineDefinition response.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ValidationReport {
    /// `OK` or `FAIL`.
    pub result: &'static str,
    /// Every problem, errors first.
    pub diagnostics: Vec<DiagnosticReport>,
}

/// One diagnostic as reported: AWS's fields plus where in the text.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DiagnosticReport {
    /// `ERROR` or `WARNING`.
    pub severity: crate::diagnostic::Severity,
    /// AWS's code.
    pub code: String,
    /// The message.
    pub message: String,
    /// JSON Pointer, or null for problems of the whole definition.
    pub location: Option<String>,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Where the highlighted text ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// Where the highlighted text ends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
}

impl ValidationReport {
    /// The report for a checked definition.
    pub fn of(checked: &crate::Checked) -> ValidationReport {
        let mut diagnostics: Vec<DiagnosticReport> = checked
            .diagnostics
            .iter()
            .map(|d| DiagnosticReport {
                severity: d.severity,
                code: d.code.clone(),
                message: d.message.clone(),
                location: d.location.clone(),
                line: d.span.map(|s| s.start.line),
                column: d.span.map(|s| s.start.column),
                end_line: d.span.map(|s| s.end.line),
                end_column: d.span.map(|s| s.end.column),
            })
            .collect();
        diagnostics.sort_by_key(|d| d.severity);
        ValidationReport { result: if checked.is_ok() { "OK" } else { "FAIL" }, diagnostics }
    }
}
