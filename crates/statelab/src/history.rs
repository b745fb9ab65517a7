//! Execution history events in the shape of AWS's GetExecutionHistory.
//!
//! Events hold shared [`Value`]s, so recording a 200 KiB payload costs a reference count; they are
//! turned into AWS's JSON (where payloads are JSON *strings*) only when serialized.

use std::rc::Rc;

use serde::ser::{SerializeMap, Serializer};

use crate::machine::StateId;
use crate::time::format_millis;
use crate::value::Value;

/// One history event.
#[derive(Clone, Debug)]
pub struct Event {
    /// 1-based id.
    pub id: u32,
    /// The event that led to this one (0 for the first).
    pub previous_event_id: u32,
    /// Virtual time, epoch milliseconds.
    pub timestamp: i64,
    /// What happened.
    pub details: Details,
    /// The state it concerns, if any (not part of AWS's shape).
    pub state: Option<StateId>,
    /// Which branch or iteration it happened in: `""` at the top level, else a path such as
    /// `Processing[1]/Price#2` (not part of AWS's shape).
    pub thread: Rc<str>,
}

/// How a Task resource is reported in Task* events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskResource {
    /// `lambda`, `dynamodb`, `aws-sdk:s3`, ...
    pub resource_type: Rc<str>,
    /// `invoke`, `putItem`, `invoke.waitForTaskToken`, ...
    pub resource: Rc<str>,
}

/// Event types and their details. The variant decides the AWS `type` and details key.
#[derive(Clone, Debug)]
pub enum Details {
    /// `ExecutionStarted`
    ExecutionStarted {
        /// Execution input.
        input: Value,
        /// The role the execution runs as.
        role_arn: Rc<str>,
    },
    /// `ExecutionSucceeded`
    ExecutionSucceeded {
        /// Execution output.
        output: Value,
    },
    /// `ExecutionFailed`
    ExecutionFailed(ErrorDetails),
    /// `ExecutionTimedOut`
    ExecutionTimedOut(ErrorDetails),
    /// `ExecutionAborted`
    ExecutionAborted(ErrorDetails),
    /// `<Type>StateEntered`
    StateEntered {
        /// `Pass`, `Task`, ...
        state_type: &'static str,
        /// State name.
        name: Rc<str>,
        /// Raw state input.
        input: Value,
    },
    /// `<Type>StateExited`
    StateExited {
        /// `Pass`, `Task`, ...
        state_type: &'static str,
        /// State name.
        name: Rc<str>,
        /// State output.
        output: Value,
        /// Variables assigned by this state, in order.
        assigned: Vec<(Rc<str>, Value)>,
    },
    /// `<Type>StateAborted` (Task, Wait, Map, Parallel)
    StateAborted {
        /// `Task`, `Wait`, `Map`, `Parallel`.
        state_type: &'static str,
    },
    /// `TaskScheduled`
    TaskScheduled {
        /// Resource.
        resource: TaskResource,
        /// Region.
        region: Rc<str>,
        /// The effective parameters.
        parameters: Value,
        /// `TimeoutSeconds`, when set.
        timeout_seconds: Option<u64>,
        /// `HeartbeatSeconds`, when set.
        heartbeat_seconds: Option<u64>,
        /// The role `Credentials` named (`taskCredentials.roleArn`), when the state has them.
        role_arn: Option<Rc<str>>,
    },
    /// `TaskStarted`
    TaskStarted(TaskResource),
    /// `TaskSubmitted` (`.sync` and `.waitForTaskToken` tasks, once the request is accepted)
    TaskSubmitted {
        /// Resource.
        resource: TaskResource,
        /// The service's immediate response.
        output: Value,
    },
    /// `TaskSucceeded`
    TaskSucceeded {
        /// Resource.
        resource: TaskResource,
        /// The result.
        output: Value,
        /// No stub answered: the result is the task's input, echoed (Statelab's marker).
        unstubbed: bool,
    },
    /// `TaskFailed`
    TaskFailed {
        /// Resource.
        resource: TaskResource,
        /// Error and cause.
        error: ErrorDetails,
    },
    /// `TaskTimedOut`
    TaskTimedOut {
        /// Resource.
        resource: TaskResource,
        /// Error and cause.
        error: ErrorDetails,
    },
    /// `LambdaFunctionScheduled`
    LambdaFunctionScheduled {
        /// Function ARN.
        resource: Rc<str>,
        /// The effective input.
        input: Value,
        /// `TimeoutSeconds`, when set.
        timeout_seconds: Option<u64>,
        /// The role `Credentials` named (`taskCredentials.roleArn`), when the state has them.
        role_arn: Option<Rc<str>>,
    },
    /// `LambdaFunctionStarted`
    LambdaFunctionStarted,
    /// `LambdaFunctionSucceeded`
    LambdaFunctionSucceeded {
        /// The result.
        output: Value,
        /// No stub answered.
        unstubbed: bool,
    },
    /// `LambdaFunctionFailed`
    LambdaFunctionFailed(ErrorDetails),
    /// `LambdaFunctionTimedOut`
    LambdaFunctionTimedOut(ErrorDetails),
    /// `ActivityScheduled`
    ActivityScheduled {
        /// Activity ARN.
        resource: Rc<str>,
        /// The effective input.
        input: Value,
        /// `TimeoutSeconds`, when set.
        timeout_seconds: Option<u64>,
        /// `HeartbeatSeconds`, when set.
        heartbeat_seconds: Option<u64>,
    },
    /// `ActivityStarted`
    ActivityStarted {
        /// The worker (always `statelab-stub` here).
        worker_name: Rc<str>,
    },
    /// `ActivitySucceeded`
    ActivitySucceeded {
        /// The result.
        output: Value,
        /// No stub answered.
        unstubbed: bool,
    },
    /// `ActivityFailed`
    ActivityFailed(ErrorDetails),
    /// `ActivityTimedOut`
    ActivityTimedOut(ErrorDetails),
    /// `ParallelStateStarted`
    ParallelStateStarted,
    /// `ParallelStateSucceeded`
    ParallelStateSucceeded,
    /// `ParallelStateFailed`
    ParallelStateFailed(ErrorDetails),
    /// `MapStateStarted`
    MapStateStarted {
        /// Number of items.
        length: usize,
    },
    /// `MapStateSucceeded`
    MapStateSucceeded,
    /// `MapStateFailed`
    MapStateFailed(ErrorDetails),
    /// `MapIterationStarted`
    MapIterationStarted(MapIteration),
    /// `MapIterationSucceeded`
    MapIterationSucceeded(MapIteration),
    /// `MapIterationFailed`
    MapIterationFailed(MapIteration),
    /// `MapIterationAborted`
    MapIterationAborted(MapIteration),
    /// `MapRunStarted`
    MapRunStarted {
        /// The Map Run's ARN.
        map_run_arn: Rc<str>,
    },
    /// `MapRunSucceeded`
    MapRunSucceeded,
    /// `MapRunFailed`
    MapRunFailed(ErrorDetails),
    /// `EvaluationFailed`: a JSONata expression failed (before the failure it causes).
    EvaluationFailed {
        /// Error (`States.QueryEvaluationError`) and cause.
        error: ErrorDetails,
        /// The field, as the cause names it (`Output/v`, `Choices[0]/Condition`).
        location: Rc<str>,
        /// The state.
        state: Rc<str>,
    },
}

/// `{error, cause}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorDetails {
    /// Error name.
    pub error: Rc<str>,
    /// Cause.
    pub cause: Rc<str>,
}

/// `{name, index}` of a Map iteration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapIteration {
    /// The Map state's name.
    pub name: Rc<str>,
    /// The item's index.
    pub index: usize,
}

impl Details {
    /// AWS's event type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Details::ExecutionStarted { .. } => "ExecutionStarted",
            Details::ExecutionSucceeded { .. } => "ExecutionSucceeded",
            Details::ExecutionFailed(_) => "ExecutionFailed",
            Details::ExecutionTimedOut(_) => "ExecutionTimedOut",
            Details::ExecutionAborted(_) => "ExecutionAborted",
            Details::StateEntered { state_type, .. } => match *state_type {
                "Pass" => "PassStateEntered",
                "Task" => "TaskStateEntered",
                "Choice" => "ChoiceStateEntered",
                "Wait" => "WaitStateEntered",
                "Succeed" => "SucceedStateEntered",
                "Fail" => "FailStateEntered",
                "Parallel" => "ParallelStateEntered",
                _ => "MapStateEntered",
            },
            Details::StateExited { state_type, .. } => match *state_type {
                "Pass" => "PassStateExited",
                "Task" => "TaskStateExited",
                "Choice" => "ChoiceStateExited",
                "Wait" => "WaitStateExited",
                "Succeed" => "SucceedStateExited",
                "Parallel" => "ParallelStateExited",
                _ => "MapStateExited",
            },
            Details::StateAborted { state_type } => match *state_type {
                "Task" => "TaskStateAborted",
                "Wait" => "WaitStateAborted",
                "Parallel" => "ParallelStateAborted",
                _ => "MapStateAborted",
            },
            Details::TaskScheduled { .. } => "TaskScheduled",
            Details::TaskStarted(_) => "TaskStarted",
            Details::TaskSubmitted { .. } => "TaskSubmitted",
            Details::TaskSucceeded { .. } => "TaskSucceeded",
            Details::TaskFailed { .. } => "TaskFailed",
            Details::TaskTimedOut { .. } => "TaskTimedOut",
            Details::LambdaFunctionScheduled { .. } => "LambdaFunctionScheduled",
            Details::LambdaFunctionStarted => "LambdaFunctionStarted",
            Details::LambdaFunctionSucceeded { .. } => "LambdaFunctionSucceeded",
            Details::LambdaFunctionFailed(_) => "LambdaFunctionFailed",
            Details::LambdaFunctionTimedOut(_) => "LambdaFunctionTimedOut",
            Details::ActivityScheduled { .. } => "ActivityScheduled",
            Details::ActivityStarted { .. } => "ActivityStarted",
            Details::ActivitySucceeded { .. } => "ActivitySucceeded",
            Details::ActivityFailed(_) => "ActivityFailed",
            Details::ActivityTimedOut(_) => "ActivityTimedOut",
            Details::ParallelStateStarted => "ParallelStateStarted",
            Details::ParallelStateSucceeded => "ParallelStateSucceeded",
            Details::ParallelStateFailed(_) => "ParallelStateFailed",
            Details::MapStateStarted { .. } => "MapStateStarted",
            Details::MapStateSucceeded => "MapStateSucceeded",
            Details::MapStateFailed(_) => "MapStateFailed",
            Details::MapIterationStarted(_) => "MapIterationStarted",
            Details::MapIterationSucceeded(_) => "MapIterationSucceeded",
            Details::MapIterationFailed(_) => "MapIterationFailed",
            Details::MapIterationAborted(_) => "MapIterationAborted",
            Details::MapRunStarted { .. } => "MapRunStarted",
            Details::MapRunSucceeded => "MapRunSucceeded",
            Details::MapRunFailed(_) => "MapRunFailed",
            Details::EvaluationFailed { .. } => "EvaluationFailed",
        }
    }

    /// The state name for `*StateEntered`/`*StateExited` events.
    pub fn state_name(&self) -> Option<&Rc<str>> {
        match self {
            Details::StateEntered { name, .. } | Details::StateExited { name, .. } => Some(name),
            _ => None,
        }
    }

    /// `true` for the events that end an execution.
    pub fn ends_execution(&self) -> bool {
        matches!(
            self,
            Details::ExecutionSucceeded { .. }
                | Details::ExecutionFailed(_)
                | Details::ExecutionTimedOut(_)
                | Details::ExecutionAborted(_)
        )
    }

    /// `true` for `*StateEntered`.
    pub fn is_state_entered(&self) -> bool {
        matches!(self, Details::StateEntered { .. })
    }

    /// The error of a failure event, if this is one.
    pub fn error(&self) -> Option<&ErrorDetails> {
        match self {
            Details::ExecutionFailed(e)
            | Details::ExecutionTimedOut(e)
            | Details::ExecutionAborted(e)
            | Details::LambdaFunctionFailed(e)
            | Details::LambdaFunctionTimedOut(e)
            | Details::ActivityFailed(e)
            | Details::ActivityTimedOut(e)
            | Details::ParallelStateFailed(e)
            | Details::MapStateFailed(e)
            | Details::MapRunFailed(e) => Some(e),
            Details::TaskFailed { error, .. }
            | Details::TaskTimedOut { error, .. }
            | Details::EvaluationFailed { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// `{"truncated": false}`: nothing is truncated here.
struct NotTruncated;

impl serde::Serialize for NotTruncated {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("truncated", &false)?;
        m.end()
    }
}

/// A payload as AWS shows it in history: a JSON string.
struct AsText<'a>(&'a Value);

impl serde::Serialize for AsText<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // As text to format, not formatted text: a serializer that does not need it (the JS
        // package's search for a "__proto__" key) skips writing it.
        s.collect_str(self.0)
    }
}

/// A details object built from `(key, value)` pairs.
struct Obj<'a>(Vec<(&'static str, Field<'a>)>);

enum Field<'a> {
    Str(&'a str),
    Text(&'a Value),
    Num(u64),
    Untruncated,
    Map(&'a [(Rc<str>, Value)]),
    /// `{"roleArn": ...}`, AWS's `TaskCredentials`.
    Role(&'a str),
}

impl serde::Serialize for Obj<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            match v {
                Field::Str(x) => m.serialize_entry(k, x)?,
                Field::Text(x) => m.serialize_entry(k, &AsText(x))?,
                Field::Num(x) => m.serialize_entry(k, x)?,
                Field::Untruncated => m.serialize_entry(k, &NotTruncated)?,
                Field::Role(arn) => m.serialize_entry(k, &Obj(vec![("roleArn", Field::Str(arn))]))?,
                Field::Map(vars) => {
                    struct Vars<'a>(&'a [(Rc<str>, Value)]);
                    impl serde::Serialize for Vars<'_> {
                        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                            let mut m = s.serialize_map(Some(self.0.len()))?;
                            for (k, v) in self.0 {
                                m.serialize_entry(&**k, &AsText(v))?;
                            }
                            m.end()
                        }
                    }
                    m.serialize_entry(k, &Vars(vars))?
                }
            }
        }
        m.end()
    }
}

/// `error` and `cause`, each left out when empty, as AWS does: a timed-out task's events carry
/// only `{"error": "States.Timeout"}` (LocalStack's AWS-recorded `timeouts/test_timeouts`
/// snapshots), and a Fail state without `Cause` gives no `cause`.
fn error_fields(e: &ErrorDetails) -> Vec<(&'static str, Field<'_>)> {
    let mut f = Vec::with_capacity(2);
    if !e.error.is_empty() {
        f.push(("error", Field::Str(&e.error)));
    }
    if !e.cause.is_empty() {
        f.push(("cause", Field::Str(&e.cause)));
    }
    f
}

fn resource_fields(r: &TaskResource) -> Vec<(&'static str, Field<'_>)> {
    vec![("resourceType", Field::Str(&r.resource_type)), ("resource", Field::Str(&r.resource))]
}

impl Details {
    /// AWS's details key and object, or `None` for events without details.
    fn aws_details(&self) -> Option<(&'static str, Obj<'_>)> {
        use Field::*;
        Some(match self {
            Details::ExecutionStarted { input, role_arn } => (
                "executionStartedEventDetails",
                Obj(vec![("input", Text(input)), ("inputDetails", Untruncated), ("roleArn", Str(role_arn))]),
            ),
            Details::ExecutionSucceeded { output } => (
                "executionSucceededEventDetails",
                Obj(vec![("output", Text(output)), ("outputDetails", Untruncated)]),
            ),
            Details::ExecutionFailed(e) => ("executionFailedEventDetails", Obj(error_fields(e))),
            Details::ExecutionTimedOut(e) => ("executionTimedOutEventDetails", Obj(error_fields(e))),
            Details::ExecutionAborted(e) => ("executionAbortedEventDetails", Obj(error_fields(e))),
            Details::StateEntered { name, input, .. } => (
                "stateEnteredEventDetails",
                Obj(vec![("name", Str(name)), ("input", Text(input)), ("inputDetails", Untruncated)]),
            ),
            Details::StateExited { name, output, assigned, .. } => {
                let mut f =
                    vec![("name", Str(name)), ("output", Text(output)), ("outputDetails", Untruncated)];
                if !assigned.is_empty() {
                    f.push(("assignedVariables", Map(assigned)));
                    f.push(("assignedVariablesDetails", Untruncated));
                }
                ("stateExitedEventDetails", Obj(f))
            }
            Details::StateAborted { .. } => return None,
            Details::TaskScheduled {
                resource,
                region,
                parameters,
                timeout_seconds,
                heartbeat_seconds,
                role_arn,
            } => {
                let mut f = resource_fields(resource);
                f.push(("region", Str(region)));
                f.push(("parameters", Text(parameters)));
                if let Some(t) = timeout_seconds {
                    f.push(("timeoutInSeconds", Num(*t)));
                }
                if let Some(h) = heartbeat_seconds {
                    f.push(("heartbeatInSeconds", Num(*h)));
                }
                if let Some(r) = role_arn {
                    f.push(("taskCredentials", Role(r)));
                }
                ("taskScheduledEventDetails", Obj(f))
            }
            Details::TaskStarted(r) => ("taskStartedEventDetails", Obj(resource_fields(r))),
            Details::TaskSubmitted { resource, output } => {
                let mut f = resource_fields(resource);
                f.push(("output", Text(output)));
                f.push(("outputDetails", Untruncated));
                ("taskSubmittedEventDetails", Obj(f))
            }
            Details::TaskSucceeded { resource, output, .. } => {
                let mut f = resource_fields(resource);
                f.push(("output", Text(output)));
                f.push(("outputDetails", Untruncated));
                ("taskSucceededEventDetails", Obj(f))
            }
            Details::TaskFailed { resource, error } => {
                let mut f = resource_fields(resource);
                f.extend(error_fields(error));
                ("taskFailedEventDetails", Obj(f))
            }
            Details::TaskTimedOut { resource, error } => {
                let mut f = resource_fields(resource);
                f.extend(error_fields(error));
                ("taskTimedOutEventDetails", Obj(f))
            }
            Details::LambdaFunctionScheduled { resource, input, timeout_seconds, role_arn } => {
                let mut f =
                    vec![("resource", Str(resource)), ("input", Text(input)), ("inputDetails", Untruncated)];
                if let Some(t) = timeout_seconds {
                    f.push(("timeoutInSeconds", Num(*t)));
                }
                if let Some(r) = role_arn {
                    f.push(("taskCredentials", Role(r)));
                }
                ("lambdaFunctionScheduledEventDetails", Obj(f))
            }
            Details::LambdaFunctionStarted => return None,
            Details::LambdaFunctionSucceeded { output, .. } => (
                "lambdaFunctionSucceededEventDetails",
                Obj(vec![("output", Text(output)), ("outputDetails", Untruncated)]),
            ),
            Details::LambdaFunctionFailed(e) => ("lambdaFunctionFailedEventDetails", Obj(error_fields(e))),
            Details::LambdaFunctionTimedOut(e) => {
                ("lambdaFunctionTimedOutEventDetails", Obj(error_fields(e)))
            }
            Details::ActivityScheduled { resource, input, timeout_seconds, heartbeat_seconds } => {
                let mut f =
                    vec![("resource", Str(resource)), ("input", Text(input)), ("inputDetails", Untruncated)];
                if let Some(t) = timeout_seconds {
                    f.push(("timeoutInSeconds", Num(*t)));
                }
                if let Some(h) = heartbeat_seconds {
                    f.push(("heartbeatInSeconds", Num(*h)));
                }
                ("activityScheduledEventDetails", Obj(f))
            }
            Details::ActivityStarted { worker_name } => {
                ("activityStartedEventDetails", Obj(vec![("workerName", Str(worker_name))]))
            }
            Details::ActivitySucceeded { output, .. } => (
                "activitySucceededEventDetails",
                Obj(vec![("output", Text(output)), ("outputDetails", Untruncated)]),
            ),
            Details::ActivityFailed(e) => ("activityFailedEventDetails", Obj(error_fields(e))),
            Details::ActivityTimedOut(e) => ("activityTimedOutEventDetails", Obj(error_fields(e))),
            Details::ParallelStateStarted | Details::ParallelStateSucceeded => return None,
            Details::ParallelStateFailed(_) => return None,
            Details::MapStateStarted { length } => {
                ("mapStateStartedEventDetails", Obj(vec![("length", Num(*length as u64))]))
            }
            Details::MapStateSucceeded | Details::MapStateFailed(_) => return None,
            Details::MapIterationStarted(i) => ("mapIterationStartedEventDetails", iteration(i)),
            Details::MapIterationSucceeded(i) => ("mapIterationSucceededEventDetails", iteration(i)),
            Details::MapIterationFailed(i) => ("mapIterationFailedEventDetails", iteration(i)),
            Details::MapIterationAborted(i) => ("mapIterationAbortedEventDetails", iteration(i)),
            Details::MapRunStarted { map_run_arn } => {
                ("mapRunStartedEventDetails", Obj(vec![("mapRunArn", Str(map_run_arn))]))
            }
            Details::MapRunSucceeded => return None,
            Details::MapRunFailed(e) => ("mapRunFailedEventDetails", Obj(error_fields(e))),
            Details::EvaluationFailed { error, location, state } => {
                // The members in the order of AWS's API model (error, cause, location, state).
                let mut f = error_fields(error);
                f.push(("location", Str(location)));
                f.push(("state", Str(state)));
                ("evaluationFailedEventDetails", Obj(f))
            }
        })
    }

    /// The JSON payloads the event carries, which AWS writes as strings of JSON text, by field
    /// name (`input`, `output`, `parameters`, `assignedVariables.x`, ...): the playground shows
    /// them as trees beside the event as AWS writes it.
    pub fn payloads(&self) -> Vec<(String, &Value)> {
        let Some((_, Obj(fields))) = self.aws_details() else { return Vec::new() };
        let mut out = Vec::new();
        for (k, field) in fields {
            match field {
                Field::Text(v) => out.push((k.to_string(), v)),
                Field::Map(vars) => out.extend(vars.iter().map(|(n, v)| (format!("{k}.{n}"), v))),
                Field::Str(_) | Field::Num(_) | Field::Untruncated | Field::Role(_) => {}
            }
        }
        out
    }

    /// Whether this is a Task's result that no stub gave (an unstubbed Task echoed its input).
    pub fn unstubbed(&self) -> bool {
        matches!(
            self,
            Details::TaskSucceeded { unstubbed: true, .. }
                | Details::LambdaFunctionSucceeded { unstubbed: true, .. }
                | Details::ActivitySucceeded { unstubbed: true, .. }
        )
    }
}

fn iteration(i: &MapIteration) -> Obj<'_> {
    Obj(vec![("name", Field::Str(&i.name)), ("index", Field::Num(i.index as u64))])
}

impl serde::Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let details = self.details.aws_details();
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("timestamp", &format_millis(self.timestamp))?;
        m.serialize_entry("type", self.details.type_name())?;
        m.serialize_entry("id", &self.id)?;
        m.serialize_entry("previousEventId", &self.previous_event_id)?;
        if let Some((key, obj)) = details {
            m.serialize_entry(key, &obj)?;
        }
        if self.details.unstubbed() {
            // Statelab's own marker: no stub answered this task, so its input was echoed.
            m.serialize_entry("unstubbed", &true)?;
        }
        m.end()
    }
}

/// The whole history as AWS's `{"events": [...]}` response.
pub fn to_aws_json(events: &[Event]) -> String {
    #[derive(serde::Serialize)]
    struct Resp<'a> {
        events: &'a [Event],
    }
    serde_json::to_string_pretty(&Resp { events }).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The payloads are the fields AWS writes as JSON text, assigned variables by name; names,
    /// ARNs and error texts are not payloads.
    #[test]
    fn payloads_are_the_json_text_fields() {
        let exited = Details::StateExited {
            state_type: "Pass",
            name: "P".into(),
            output: Value::int(1),
            assigned: vec![("x".into(), Value::string("a")), ("y".into(), Value::Bool(true))],
        };
        let got: Vec<(String, Value)> = exited.payloads().into_iter().map(|(k, v)| (k, v.clone())).collect();
        assert_eq!(
            got,
            [
                ("output".to_string(), Value::int(1)),
                ("assignedVariables.x".to_string(), Value::string("a")),
                ("assignedVariables.y".to_string(), Value::Bool(true)),
            ]
        );
        let started = Details::ExecutionStarted { input: Value::Null, role_arn: "arn:role".into() };
        assert_eq!(started.payloads().len(), 1);
        let failed = Details::ExecutionFailed(ErrorDetails { error: "E".into(), cause: "C".into() });
        assert!(failed.payloads().is_empty());
    }
}
