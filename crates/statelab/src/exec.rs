//! The executor: a deterministic scheduler on a virtual clock.
//!
//! Every branch of a Parallel and every Map iteration is a *thread* of its own; all threads share
//! one queue of timed events ordered by (virtual time, sequence number), so concurrent work
//! interleaves the same way on every run. A *step* is one event taken from the queue: a state
//! entered, a task completed, a wait elapsed, a retry fired, a Parallel or Map joined. Waits,
//! retries, stub durations and timeouts only move the clock; nothing sleeps.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::rc::Rc;

use crate::choice::Rule;
use crate::compile::ONE_YEAR_SECONDS;
use crate::cost::{Cost, Usage};
use crate::error::{is_terminal, names, StatesError};
use crate::eval::{Env, Vars};
use crate::history::{Details, ErrorDetails, Event, MapIteration, TaskResource};
use crate::machine::*;
use crate::path::JsonPath;
use crate::rng::Rng;
use crate::stubs::{Outcome, Stubs};
use crate::template::Template;
use crate::time::{format_millis, parse_millis, FIRST_MILLIS, LAST_MILLIS};
use crate::value::{Key, Map, Value, MAX_DEPTH};

mod jsonata;

pub use jsonata::{Evaluation, MAX_RECORDED_EVALUATIONS};

/// The largest payload a state may pass on: 256 KiB.
pub const MAX_PAYLOAD_BYTES: usize = 262_144;
/// AWS's limit on history events per execution.
pub const MAX_HISTORY_EVENTS: usize = 25_000;
/// AWS's default Task timeout when `TimeoutSeconds` is absent.
const DEFAULT_TASK_TIMEOUT_SECONDS: f64 = 99_999_999.0;
/// How long an HTTP Task waits for its endpoint (`States.Http.Socket` after).
const HTTP_SOCKET_TIMEOUT_SECONDS: f64 = 60.0;
/// Inline Map concurrency when `MaxConcurrency` is 0 or absent.
const INLINE_MAP_CONCURRENCY: usize = 40;
/// Distributed Map child concurrency when `MaxConcurrency` is 0 or absent.
const DISTRIBUTED_MAP_CONCURRENCY: usize = 10_000;
/// The role an execution runs as unless told another (written for the `aws` partition; see
/// [`Options::execution_role`]).
pub const DEFAULT_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/StatelabRole";

/// Express workflows stop after five minutes.
pub const EXPRESS_MAX_SECONDS: f64 = 300.0;
/// Variables an Assign block sets, in order.
type Assigned = Vec<(Rc<str>, Value)>;

/// The most the variables of one execution may hold: 10 MiB.
pub const MAX_VARIABLES_BYTES: usize = 10 * 1024 * 1024;

/// Standard or Express.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum WorkflowType {
    /// Up to a year, billed per transition.
    #[default]
    Standard,
    /// Up to five minutes, billed per request and duration.
    Express,
}

impl WorkflowType {
    /// AWS's name, `STANDARD` or `EXPRESS`, in any case (`express` too), as the CLI's `--type`,
    /// the JS API's `type`, test files and templates take it.
    pub fn from_name(name: &str) -> Option<WorkflowType> {
        match name.to_ascii_uppercase().as_str() {
            "STANDARD" => Some(WorkflowType::Standard),
            "EXPRESS" => Some(WorkflowType::Express),
            _ => None,
        }
    }
}

/// AWS's names, in any case ([`WorkflowType::from_name`]).
impl<'de> serde::Deserialize<'de> for WorkflowType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<WorkflowType, D::Error> {
        let name = String::deserialize(d)?;
        WorkflowType::from_name(&name).ok_or_else(|| {
            serde::de::Error::custom(format!("unknown variant `{name}`, expected `STANDARD` or `EXPRESS`"))
        })
    }
}

/// What an unstubbed Task does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Unstubbed {
    /// Return its effective input as its result (marked `unstubbed` in the history).
    #[default]
    Echo,
    /// End the execution with `Statelab.NoStub`.
    Fail,
}

/// How a run is set up. Everything that could vary between runs is here, so that the same
/// options give the same history.
#[derive(Clone, Debug)]
pub struct Options {
    /// Virtual start time, epoch milliseconds.
    pub start_time_ms: i64,
    /// Seed for `States.UUID`, `States.MathRandom`, JSONata's `$random()`, `$uuid()` and `$shuffle()`, jitter and task tokens.
    pub seed: i64,
    /// Standard or Express.
    pub workflow_type: WorkflowType,
    /// Region (ARNs and prices).
    pub region: String,
    /// Account id (ARNs).
    pub account: String,
    /// State machine name.
    pub state_machine_name: String,
    /// Execution name.
    pub execution_name: String,
    /// The role ARN shown in the context object and history.
    pub role_arn: String,
    /// The most steps to take before giving up (a runaway loop always ends).
    pub max_steps: u64,
    /// The most history events before the execution fails, as on AWS.
    pub max_history_events: usize,
    /// What an unstubbed Task does.
    pub unstubbed: Unstubbed,
    /// Keep what the debugger shows besides the history: every visit with its data at each stage
    /// ([`Execution::visits`]) and every step ([`Execution::steps`]). Runs that only want the
    /// outcome and the history (the CLI's `run`, the JS package's `run`) turn it off (the `loop`
    /// benchmark then runs 1.8 times as fast). The history, output, cost and every event are the
    /// same.
    pub inspect: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            // 2026-01-01T00:00:00Z
            start_time_ms: 1_767_225_600_000,
            seed: 0,
            workflow_type: WorkflowType::Standard,
            region: "us-east-1".into(),
            account: "123456789012".into(),
            state_machine_name: "StateMachine".into(),
            execution_name: "statelab".into(),
            role_arn: DEFAULT_ROLE_ARN.into(),
            max_steps: 1_000_000,
            max_history_events: MAX_HISTORY_EVENTS,
            unstubbed: Unstubbed::Echo,
            inspect: true,
        }
    }
}

impl Options {
    /// How long a run may last: the machine's `TimeoutSeconds`, within the workflow type's limit.
    pub fn time_limit_seconds(&self, machine_timeout_seconds: Option<u64>) -> f64 {
        let limit = match self.workflow_type {
            WorkflowType::Standard => ONE_YEAR_SECONDS,
            WorkflowType::Express => EXPRESS_MAX_SECONDS,
        };
        machine_timeout_seconds.map_or(limit, |t| (t as f64).min(limit))
    }

    /// Checks that the region is written like an AWS region (`us-east-1`, `us-gov-west-1`): it
    /// goes into every ARN of the run, and an empty or misspelt one would make them malformed.
    /// A well-formed region missing from the price table is fine (its cost note says so).
    pub fn check_region(&self) -> Result<(), StatesError> {
        let parts: Vec<&str> = self.region.split('-').collect();
        let ok = match parts.as_slice() {
            [area, middle @ .., number] => {
                area.len() == 2
                    && area.bytes().all(|b| b.is_ascii_lowercase())
                    && !middle.is_empty()
                    && middle.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
                    && !number.is_empty()
                    && number.bytes().all(|b| b.is_ascii_digit())
            }
            _ => false,
        };
        if ok {
            return Ok(());
        }
        Err(StatesError::new(
            "Statelab.InvalidRegion",
            format!(
                "{:?} is not an AWS region: a region is written like us-east-1 or eu-central-2",
                self.region
            ),
        ))
    }

    /// Checks that every timestamp of a run with these options, from its start to its time limit
    /// (`TimeoutSeconds` of the machine, or the workflow type's limit), is one RFC 3339 can
    /// write (years 0000 to 9999); otherwise its history could not be written validly.
    pub fn check_start_time(&self, machine_timeout_seconds: Option<u64>) -> Result<(), StatesError> {
        let timeout = self.time_limit_seconds(machine_timeout_seconds);
        let latest = LAST_MILLIS - (timeout * 1000.0) as i64;
        if !(FIRST_MILLIS..=latest).contains(&self.start_time_ms) {
            return Err(StatesError::new(
                "Statelab.InvalidStartTime",
                format!(
                    "The start time {} is out of range: every timestamp from the start to the execution's \
                     time limit ({timeout} seconds later) must be one RFC 3339 can write, from {} to {}. \
                     Start it between {} and {}",
                    format_millis(self.start_time_ms),
                    format_millis(FIRST_MILLIS),
                    format_millis(LAST_MILLIS),
                    format_millis(FIRST_MILLIS),
                    format_millis(latest)
                ),
            ));
        }
        Ok(())
    }

    /// The ARN partition of the region: `aws-cn` for China (`cn-north-1`), `aws-us-gov` for
    /// GovCloud, `aws-iso`/`aws-iso-b` for the isolated regions, else `aws`.
    pub fn partition(&self) -> &'static str {
        let r = &*self.region;
        if r.starts_with("cn-") {
            "aws-cn"
        } else if r.starts_with("us-gov-") {
            "aws-us-gov"
        } else if r.starts_with("us-isob-") {
            "aws-iso-b"
        } else if r.starts_with("us-iso-") {
            "aws-iso"
        } else {
            "aws"
        }
    }

    /// The role the execution runs as: the default one in the region's partition.
    pub fn execution_role(&self) -> String {
        match DEFAULT_ROLE_ARN.strip_prefix("arn:aws:") {
            Some(rest) if self.role_arn == DEFAULT_ROLE_ARN => format!("arn:{}:{rest}", self.partition()),
            _ => self.role_arn.clone(),
        }
    }

    /// `arn:<partition>:states:<region>:<account>:stateMachine:<name>`.
    pub fn state_machine_arn(&self) -> String {
        format!(
            "arn:{}:states:{}:{}:stateMachine:{}",
            self.partition(),
            self.region,
            self.account,
            self.state_machine_name
        )
    }

    /// `arn:<partition>:states:<region>:<account>:execution:<machine>:<name>`.
    pub fn execution_arn(&self) -> String {
        format!(
            "arn:{}:states:{}:{}:execution:{}:{}",
            self.partition(),
            self.region,
            self.account,
            self.state_machine_name,
            self.execution_name
        )
    }
}

/// Where an execution stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Still going.
    Running,
    /// Ended with this output.
    Succeeded(Value),
    /// Ended with an error.
    Failed(StatesError),
    /// Ran past its `TimeoutSeconds` or its workflow type's limit.
    TimedOut(StatesError),
    /// Stopped by the host (step budget).
    Aborted(StatesError),
}

impl Status {
    /// AWS's status name.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded(_) => "SUCCEEDED",
            Status::Failed(_) => "FAILED",
            Status::TimedOut(_) => "TIMED_OUT",
            Status::Aborted(_) => "ABORTED",
        }
    }

    /// The error, for statuses that have one.
    pub fn error(&self) -> Option<&StatesError> {
        match self {
            Status::Failed(e) | Status::TimedOut(e) | Status::Aborted(e) => Some(e),
            _ => None,
        }
    }
}

/// The data-flow stages of one state visit, named as AWS's TestState inspection data names them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stages {
    /// Raw state input.
    pub input: Option<Value>,
    /// After `InputPath`.
    pub after_input_path: Option<Value>,
    /// After `Parameters` (the task's, branches' or Pass's effective input).
    pub after_parameters: Option<Value>,
    /// After JSONata `Arguments` (the task's or branches' input).
    pub after_arguments: Option<Value>,
    /// After `ItemsPath` (Map).
    pub after_items_path: Option<Value>,
    /// The result (task stub, branch results, Pass `Result`).
    pub result: Option<Value>,
    /// After `ResultSelector`.
    pub after_result_selector: Option<Value>,
    /// After `ResultPath`.
    pub after_result_path: Option<Value>,
    /// State output.
    pub output: Option<Value>,
}

/// How a visit ended.
#[derive(Clone, Debug, PartialEq)]
pub enum VisitStatus {
    /// In progress.
    Running,
    /// Exited normally.
    Succeeded,
    /// Failed and the error went up.
    Failed(StatesError),
    /// Failed and a Catcher took it.
    Caught {
        /// The error caught.
        error: StatesError,
        /// Index of the Catcher.
        catcher: usize,
    },
    /// Stopped because a sibling failed or the execution ended.
    Aborted,
}

/// One retry, for the inspector.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryRecord {
    /// Index of the Retrier that matched.
    pub retrier: usize,
    /// Its attempt number (1-based).
    pub attempt: u32,
    /// The error retried.
    pub error: StatesError,
    /// The delay before the retry, milliseconds.
    pub delay_ms: i64,
    /// When the error happened.
    pub at: i64,
}

/// One Task invocation, for the inspector.
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    /// 0-based invocation number of this state in the execution (what stubs are keyed on).
    pub index: u32,
    /// No stub answered.
    pub unstubbed: bool,
    /// Virtual seconds the stub said the work takes.
    pub duration_seconds: f64,
    /// The Task's `TimeoutSeconds` or `HeartbeatSeconds` (or an HTTP Task's 60 s socket timeout)
    /// ended it first: the stub's answer never came (a stub that throws `States.Timeout` itself
    /// is an answer).
    pub timed_out: bool,
}

/// Everything known about one visit of a state.
#[derive(Clone, Debug)]
pub struct Visit {
    /// The state.
    pub state: StateId,
    /// The thread (branch or iteration) it ran in.
    pub thread: Rc<str>,
    /// Step number at entry.
    pub step: u64,
    /// Id of its `*StateEntered` event (0 inside a Distributed Map's child execution, whose
    /// events are not in this history).
    pub entered_event: u32,
    /// Virtual time of entry.
    pub entered_at: i64,
    /// Virtual time of exit (or failure).
    pub exited_at: Option<i64>,
    /// Data-flow stages.
    pub stages: Stages,
    /// The context object as the state saw it (when any field used it).
    pub context: Option<Value>,
    /// How it ended.
    pub status: VisitStatus,
    /// Retries taken.
    pub retries: Vec<RetryRecord>,
    /// Task invocations.
    pub invocations: Vec<Invocation>,
    /// Choice: index of the rule that matched (`None`: Default or no match).
    pub choice_rule: Option<usize>,
    /// Where it went next.
    pub next: Option<StateId>,
    /// Wait: when it ends.
    pub wait_until: Option<i64>,
    /// Variables it assigned.
    pub assigned: Vec<(Rc<str>, Value)>,
    /// The variables it could read when it was entered, innermost scope first (shared, not
    /// copied: frames are copied on write).
    pub variables: Rc<VarFrame>,
    /// JSONata's `$states.errorOutput`, when a Catcher took the error.
    pub error_output: Option<Value>,
    /// The JSONata expressions it evaluated, with their results, in order (at most
    /// [`MAX_RECORDED_EVALUATIONS`]).
    pub evaluations: Vec<Evaluation>,
    /// More expressions were evaluated than [`Visit::evaluations`] keeps.
    pub evaluations_dropped: bool,
}

/// What one step did.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// 1-based step number.
    pub index: u64,
    /// Virtual time.
    pub time: i64,
    /// Events appended: `history[first_event..end_event]`.
    pub first_event: usize,
    /// End of the events appended.
    pub end_event: usize,
    /// The state the step concerned, if any.
    pub state: Option<StateId>,
    /// The thread.
    pub thread: Rc<str>,
    /// What kind of step: `enter`, `task`, `wait`, `retry`, `join`, `timeout`, `budget`, `limit`.
    pub kind: &'static str,
}

/// A thread that is waiting for something, for the debugger's "pending" list.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    /// The thread.
    pub thread: Rc<str>,
    /// The state it is in.
    pub state: Option<StateId>,
    /// What it waits for: `task`, `wait`, `retry`, `branches`, `iterations`, `next`.
    pub waiting_for: &'static str,
    /// Until when, when known.
    pub until: Option<i64>,
}

/// How a Task that did not succeed ended: its history event, and what its Retry and Catch match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ended {
    /// It failed (a stub's Throw, an oversized result).
    Failed,
    /// It ran past its TimeoutSeconds.
    TimedOut,
    /// It ran past its HeartbeatSeconds (reported as a timeout; [`Also::Heartbeat`]).
    MissedHeartbeat,
}

#[derive(Debug, Clone)]
enum Ev {
    Enter {
        fiber: usize,
        state: StateId,
        input: Value,
    },
    TaskDone {
        fiber: usize,
        gen: u32,
        result: Result<(Value, bool), (StatesError, Ended)>,
    },
    WaitDone {
        fiber: usize,
        gen: u32,
    },
    Retry {
        fiber: usize,
        gen: u32,
    },
    JoinDone {
        fiber: usize,
        gen: u32,
    },
    ExecTimeout {
        seconds: f64,
    },
    /// An Express child execution of a Distributed Map reached Express's five minutes.
    ChildTimeout {
        fiber: usize,
    },
}

#[derive(Debug, Clone)]
struct Scheduled {
    at: i64,
    seq: u64,
    ev: Ev,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Scheduled) -> bool {
        self.at == other.at && self.seq == other.seq
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Scheduled) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed, so that the max-heap pops the earliest (time, sequence) first.
    fn cmp(&self, other: &Scheduled) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// Workflow variables of one scope; inner scopes see outer ones through `parent`.
#[derive(Clone, Debug, Default)]
pub struct VarFrame {
    vars: Map,
    parent: Option<Rc<VarFrame>>,
}

impl VarFrame {
    /// The variables of this scope, in the order they were first assigned.
    pub fn own(&self) -> &Map {
        &self.vars
    }

    /// The scope around this one (none at the top level, or in a Distributed Map's child).
    pub fn parent(&self) -> Option<&VarFrame> {
        self.parent.as_deref()
    }

    /// Every variable visible here with its value: inner scopes first, each in assignment order.
    pub fn visible(&self) -> Vec<(Rc<str>, Value)> {
        let mut out: Vec<(Rc<str>, Value)> = Vec::new();
        let mut frame = Some(self);
        while let Some(f) = frame {
            for (k, v) in &f.vars {
                if !out.iter().any(|(n, _)| n == k) {
                    out.push((k.clone(), v.clone()));
                }
            }
            frame = f.parent.as_deref();
        }
        out
    }
}

impl Vars for VarFrame {
    fn get(&self, name: &str) -> Option<Value> {
        match self.vars.get(name) {
            Some(v) => Some(v.clone()),
            None => self.parent.as_ref().and_then(|p| p.get(name)),
        }
    }
}

#[derive(Debug, Clone)]
struct Join {
    results: Vec<Option<Value>>,
    /// Inputs of Map iterations (item values before ItemSelector), or empty for Parallel.
    items: Vec<Value>,
    keys: Option<Vec<Key>>,
    next: usize,
    running: usize,
    done: usize,
    limit: usize,
    children: Vec<usize>,
    is_map: bool,
    distributed: bool,
    /// Items failed so far (a Distributed Map's tolerated failures count items: a failed batch
    /// counts every item in it).
    failures: u64,
    /// With an ItemBatcher, how many items each batch holds (else empty: one item per child).
    batch_sizes: Vec<usize>,
    tolerated_count: Option<u64>,
    tolerated_percentage: Option<f64>,
    /// The event that the join's closing events point back to: the last event of the child that
    /// finished last (for a Map, its `MapIterationSucceeded`), or the `*StateStarted` event while
    /// no child has finished. AWS links `MapStateSucceeded` *and* `MapStateExited` (likewise for
    /// Parallel) to it, not to each other (LocalStack's AWS-recorded
    /// `scenarios/test_base_scenarios.snapshot.json`, `test_map_state*` and `test_parallel_state`).
    last_child_event: u32,
    /// A Distributed Map's Map Run.
    map_run_arn: Option<Rc<str>>,
}

impl Join {
    /// How many items the Map was given: one per child, or with an ItemBatcher every batch's.
    fn item_total(&self) -> usize {
        if self.batch_sizes.is_empty() {
            self.results.len()
        } else {
            self.batch_sizes.iter().sum()
        }
    }

    /// A Distributed Map's child at `slot` failed: the items failed then (a failed batch counts
    /// every item in it), and whether they pass the tolerated failures. AWS counts failed items
    /// against the thresholds, over all the items given: its `maprun-fail-threshold` page.
    fn failures_after(&self, slot: usize) -> (u64, bool) {
        let weight = self.batch_sizes.get(slot).copied().unwrap_or(1) as u64;
        let failures = self.failures.saturating_add(weight);
        // Without a threshold it is 0, so the first failure exceeds it.
        let over_count = failures > self.tolerated_count.unwrap_or(0)
            && (self.tolerated_count.is_some() || self.tolerated_percentage.is_none());
        let total = self.item_total() as f64;
        let over_pct =
            self.tolerated_percentage.is_some_and(|p| failures as f64 * 100.0 / total.max(1.0) > p);
        (failures, over_count || over_pct)
    }
}

#[derive(Debug, Clone)]
struct Fiber {
    parent: Option<(usize, usize)>,
    thread: Rc<str>,
    state: Option<StateId>,
    raw_input: Value,
    effective: Value,
    entered_at: i64,
    retries: Vec<u32>,
    retry_count: u32,
    last_event: u32,
    gen: u32,
    alive: bool,
    visit: usize,
    join: Option<Join>,
    task_token: Option<Rc<str>>,
    vars: Rc<VarFrame>,
    waiting: Option<(&'static str, Option<i64>)>,
    /// Inside a Distributed Map's child execution, whose events are not in this history.
    silent: bool,
    /// Where the state's `*StateExited` points, when not at the thread's last event (a Map or
    /// Parallel exits from its last child's event, past its `*StateSucceeded`).
    exit_prev: Option<u32>,
    /// Id of the current state's `*StateEntered` event (what error causes name).
    entered_event: u32,
    /// The variables the current state assigned (its `*StateExited` event lists them).
    assigned: Vec<(Rc<str>, Value)>,
    /// The current state's input after `InputPath` (what a Task's `TimeoutSecondsPath` reads).
    after_input_path: Value,
    /// Inside an Express child execution of a Distributed Map: its states are billed at Express
    /// rates as part of the child, not as transitions of this execution.
    express: bool,
    /// The Express child execution this fiber is the top of (index into
    /// `Execution::express_children`).
    express_child: Option<usize>,
}

/// A running (or finished) execution.
#[derive(Clone, Debug)]
pub struct Execution {
    machine: Rc<Machine>,
    stubs: Rc<Stubs>,
    options: Rc<Options>,
    input: Value,
    now: i64,
    /// What happens later than now, earliest first.
    queue: BinaryHeap<Scheduled>,
    /// What was scheduled for the moment it was scheduled at (a state entering the next, the
    /// usual case), in order: those events never wait, so they skip the heap. Everything in it is
    /// at `now` (the clock moves only when it is empty, see [`Execution::pop`]).
    ready: VecDeque<Scheduled>,
    seq: u64,
    fibers: Vec<Fiber>,
    history: Vec<Event>,
    visits: Vec<Visit>,
    steps: Vec<Step>,
    /// Steps taken (also when `steps` is not kept).
    step_count: u64,
    status: Status,
    rng: Rng,
    invocations: Vec<u32>,
    transitions: u64,
    state_transitions: Vec<u64>,
    map_parallel_steps: u64,
    max_payload: usize,
    exec_ctx: Value,
    sm_ctx: Value,
    ended_at: Option<i64>,
    /// The history reached its quota during this step.
    history_full: bool,
    /// Express child executions of Distributed Maps: when each started and ended (billed per
    /// request and duration, as Express workflows).
    express_children: Vec<(i64, Option<i64>)>,
    /// Why an Express workflow would refuse the machine, worked out the first time the cost is
    /// asked for (the machine does not change; the playground asks at every step).
    express_refusal: std::cell::OnceCell<Option<String>>,
}

/// Appends to one of the execution's logs (history, visits, steps), which grow by one or more
/// records per step (about 0.8 KB per Pass state) and are read as slices. They grow four-fold
/// rather than two-fold when full: each move to a bigger buffer copies the records and touches
/// fresh pages (page faults were a fifth of a long run's time under `perf`), and this moves and
/// touches a third as much. The spare capacity is address space that is never written.
fn push_log<T>(log: &mut Vec<T>, record: T) {
    if log.len() == log.capacity() {
        log.reserve_exact(log.len().max(16) * 3);
    }
    log.push(record);
}

/// Room for the history at the start: the events of an execution that goes once through its
/// states (a Task has five: entered, scheduled, started, succeeded, exited; most states two), so
/// that it is not copied as it grows (the log grows four-fold, from 16, otherwise). Bounded: a
/// machine of many states may take a short path.
fn first_history_capacity(machine: &Machine) -> usize {
    let events: usize =
        machine.states.iter().map(|s| if matches!(s.kind, Kind::Task(_)) { 5 } else { 2 }).sum();
    events.saturating_add(4).clamp(16, 8192)
}

/// The execution's generator is `java.util.Random` (so `$random(seed)` can match Java), whose
/// first outputs barely differ between small seeds: seeds 0, 1 and 2 all gave UUIDs starting
/// `bb`. SplitMix64 spreads the run's seed first; only the seed option's meaning changes.
fn scramble(seed: i64) -> i64 {
    let mut z = (seed as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) as i64
}

fn data_limit(what: &str, size: usize) -> StatesError {
    StatesError::data_limit(what, size)
}

/// A state's output (or a Map's or Parallel's result) over the quota. The first sentence is AWS's
/// cause, as AWS records it for Map and Parallel states (and for Tasks, see `task_done`); the
/// second is Statelab's, saying which limit and what to do.
fn result_limit(state: &str, what: &str, size: usize) -> StatesError {
    StatesError::new(
        names::DATA_LIMIT_EXCEEDED,
        format!(
            "The state/task '{state}' returned a result with a size exceeding the maximum number of bytes \
             service limit. (The {what} has a size of {size} bytes, over the {MAX_PAYLOAD_BYTES} bytes \
             (256 KiB) a state can pass on. {})",
            crate::error::PAYLOAD_ADVICE
        ),
    )
}

/// The quotas on anything a state passes on: its size, then its depth.
fn check_payload(what: &str, v: &Value) -> Result<(), StatesError> {
    if v.json_len() > MAX_PAYLOAD_BYTES {
        return Err(data_limit(what, v.json_len()));
    }
    if v.depth() > MAX_DEPTH {
        return Err(StatesError::too_deep(what, v.depth()));
    }
    Ok(())
}

/// `true` when a Retrier or Catcher naming `name` handles `error`.
/// The names a Retrier or Catcher may also match an error by, besides those [`error_matches`]
/// finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Also {
    /// None.
    Nothing,
    /// `States.ALL` and `States.TaskFailed`, though the name is terminal: a Task's result over
    /// 256 KiB, which LocalStack's recording against AWS shows caught by `States.ALL`. It stays
    /// so when it ends a branch or iteration: the Parallel's or Map's Retry and Catch see it too
    /// [?] (`an_oversized_task_result_is_caught_around_its_branch`, below).
    TaskErrors,
    /// `States.HeartbeatTimeout`: a missed heartbeat, which is reported as `States.Timeout` (AWS,
    /// as recorded by LocalStack) but which the error name documented for it must still catch.
    Heartbeat,
}

impl Also {
    fn matches(self, name: &str) -> bool {
        match self {
            Also::Nothing => false,
            Also::TaskErrors => name == names::ALL || name == names::TASK_FAILED,
            Also::Heartbeat => name == names::HEARTBEAT_TIMEOUT,
        }
    }
}

pub fn error_matches(name: &str, error: &str) -> bool {
    if error == names::RUNTIME {
        // States.Runtime is never retried or caught, even when named explicitly.
        return false;
    }
    match name {
        n if n == error => true,
        names::ALL => !is_terminal(error),
        names::TASK_FAILED => {
            !is_terminal(error) && error != names::TIMEOUT && error != names::HEARTBEAT_TIMEOUT
        }
        names::TIMEOUT => error == names::HEARTBEAT_TIMEOUT,
        _ => false,
    }
}

impl Execution {
    /// Starts an execution: records `ExecutionStarted` and schedules the first state. Fails when
    /// the input is over 256 KiB, as StartExecution does.
    pub fn start(
        machine: Rc<Machine>,
        input: Value,
        stubs: Rc<Stubs>,
        options: Options,
    ) -> Result<Execution, StatesError> {
        if options.workflow_type == WorkflowType::Express {
            if let Some(&(id, why)) = machine.express_conflicts(0).first() {
                // AWS refuses such a definition when an Express state machine is created:
                // InvalidDefinition is the API's exception (the wording is Statelab's).
                return Err(StatesError::new(names::INVALID_DEFINITION, machine.express_error(id, why)));
            }
        }
        options.check_region()?;
        options.check_start_time(machine.timeout_seconds)?;
        let timeout = options.time_limit_seconds(machine.timeout_seconds);
        check_payload("execution input", &input)?;
        // In the context object and in ExecutionStarted.
        let role: Rc<str> = Rc::from(options.execution_role());
        let exec_ctx = Value::object_from([
            ("Id", Value::string(options.execution_arn())),
            ("Input", input.clone()),
            ("StartTime", Value::string(format_millis(options.start_time_ms))),
            ("Name", Value::string(options.execution_name.as_str())),
            ("RoleArn", Value::String(role.clone())),
            ("RedriveCount", Value::int(0)),
        ]);
        let sm_ctx = Value::object_from([
            ("Id", Value::string(options.state_machine_arn())),
            ("Name", Value::string(options.state_machine_name.as_str())),
        ]);
        let n = machine.states.len();
        let mut exec = Execution {
            rng: Rng::new(scramble(options.seed)),
            now: options.start_time_ms,
            queue: BinaryHeap::new(),
            ready: VecDeque::new(),
            seq: 0,
            fibers: Vec::new(),
            history: Vec::with_capacity(first_history_capacity(&machine)),
            visits: Vec::new(),
            steps: Vec::new(),
            step_count: 0,
            status: Status::Running,
            invocations: vec![0; n],
            transitions: 0,
            state_transitions: vec![0; n],
            map_parallel_steps: 0,
            max_payload: input.json_len(),
            exec_ctx,
            sm_ctx,
            ended_at: None,
            history_full: false,
            express_children: Vec::new(),
            express_refusal: std::cell::OnceCell::new(),
            machine,
            stubs,
            options: Rc::new(options),
            input: input.clone(),
        };
        exec.fibers.push(Fiber {
            parent: None,
            thread: Rc::from(""),
            state: None,
            raw_input: Value::Null,
            effective: Value::Null,
            entered_at: exec.now,
            retries: Vec::new(),
            retry_count: 0,
            last_event: 0,
            gen: 0,
            alive: true,
            visit: 0,
            join: None,
            task_token: None,
            vars: Rc::new(VarFrame::default()),
            waiting: None,
            silent: false,
            exit_prev: None,
            entered_event: 0,
            assigned: Vec::new(),
            after_input_path: Value::Null,
            express: false,
            express_child: None,
        });
        exec.emit(0, None, Details::ExecutionStarted { input: input.clone(), role_arn: role });
        // AWS records the first state's `*StateEntered` with previousEventId 0, not 1: every
        // history LocalStack recorded against AWS shows it (e.g. `test_task_lambda.snapshot.json`).
        exec.fiber_mut(0).last_event = 0;
        // Saturating, like every move of the clock: `start_time_ms` is any `i64` a caller gives.
        exec.schedule(
            exec.now.saturating_add((timeout * 1000.0) as i64),
            Ev::ExecTimeout { seconds: timeout },
        );
        let start = exec.machine.scope(0).start;
        exec.schedule(exec.now, Ev::Enter { fiber: 0, state: start, input });
        Ok(exec)
    }

    /// The machine being run.
    pub fn machine(&self) -> &Rc<Machine> {
        &self.machine
    }

    /// The options it runs with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The stubs it runs with.
    pub fn stubs(&self) -> &Rc<Stubs> {
        &self.stubs
    }

    /// The execution input.
    pub fn input(&self) -> &Value {
        &self.input
    }

    /// Where it stands.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// `true` once it has ended.
    pub fn is_done(&self) -> bool {
        self.status != Status::Running
    }

    /// The virtual clock, epoch milliseconds.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Virtual milliseconds since the start (to the end, once ended).
    pub fn elapsed_ms(&self) -> i64 {
        self.ended_at.unwrap_or(self.now).saturating_sub(self.options.start_time_ms)
    }

    /// The history so far.
    pub fn history(&self) -> &[Event] {
        &self.history
    }

    /// Every state visit so far, in entry order.
    pub fn visits(&self) -> &[Visit] {
        &self.visits
    }

    /// Every step so far.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The visit step `step` (1-based) concerned: the one it entered, or for a later step of a
    /// state (a task completing, a wait ending, a retry) the latest visit of that state in the
    /// step's thread. `None` for a step not taken, a step that concerned no state (the
    /// execution's timeout), and a step budget that ran out before a state was entered.
    pub fn visit_at(&self, step: u64) -> Option<&Visit> {
        let s = self.steps.get(usize::try_from(step.checked_sub(1)?).ok()?)?;
        let state = s.state?;
        self.visits.iter().rev().filter(|v| v.state == state && v.thread == s.thread).find(|v| match s.kind {
            "enter" => v.step == step,
            // The budget stops a step before it runs, and the history's limit after a step it
            // could not record: only a visit the step aborted is the step's.
            "budget" | "limit" => v.step <= step && v.status == VisitStatus::Aborted,
            _ => v.step <= step,
        })
    }

    /// Steps taken.
    pub fn step_count(&self) -> u64 {
        self.step_count
    }

    /// Transitions billed so far, per state.
    pub fn state_transitions(&self) -> &[u64] {
        &self.state_transitions
    }

    /// What drives the cost so far.
    pub fn usage(&self) -> Usage {
        Usage {
            transitions: self.transitions,
            duration_ms: self.elapsed_ms(),
            definition_bytes: self.machine.definition_size,
            max_payload_bytes: self.max_payload,
            map_parallel_steps: self.map_parallel_steps,
            express_children: self.express_children.len() as u64,
            // A child still running when the execution stopped is billed until then.
            express_children_billed_ms: self
                .express_children
                .iter()
                .map(|&(start, end)| {
                    crate::cost::express_billed_ms(end.unwrap_or(self.now).saturating_sub(start))
                })
                .fold(0i64, i64::saturating_add),
            express_unsupported: self
                .express_refusal
                .get_or_init(|| {
                    self.machine
                        .express_conflicts(0)
                        .first()
                        .map(|&(id, why)| self.machine.express_refusal(id, why))
                })
                .clone(),
        }
    }

    /// The cost so far, in the options' region.
    pub fn cost(&self) -> Cost {
        self.usage().cost(&self.options.region)
    }

    /// The names of every state entered, in history order (not a Distributed Map's children,
    /// which are executions of their own).
    pub fn states_entered(&self) -> Vec<Rc<str>> {
        self.history
            .iter()
            .filter(|e| e.details.is_state_entered())
            .filter_map(|e| e.details.state_name().cloned())
            .collect()
    }

    /// Threads that are waiting, and for what.
    pub fn pending(&self) -> Vec<Pending> {
        if self.is_done() {
            return Vec::new();
        }
        self.fibers
            .iter()
            .filter(|f| f.alive)
            .map(|f| {
                let (waiting_for, until) = match (&f.join, f.waiting) {
                    (Some(j), _) if j.is_map => ("iterations", None),
                    (Some(_), _) => ("branches", None),
                    (None, Some((w, u))) => (w, u),
                    (None, None) => ("next", Some(self.now)),
                };
                Pending { thread: f.thread.clone(), state: f.state, waiting_for, until }
            })
            .collect()
    }

    /// When the next step will happen, if any is scheduled.
    pub fn next_time(&self) -> Option<i64> {
        self.queue.iter().chain(&self.ready).filter(|s| self.is_live(&s.ev)).map(|s| s.at).min()
    }

    /// Takes one step. `None` once the execution has ended.
    pub fn step(&mut self) -> Option<Step> {
        if self.is_done() {
            return None;
        }
        loop {
            let Some(Scheduled { at, ev, .. }) = self.pop() else {
                // Nothing left to do but not ended: only a bug could get here; end cleanly.
                self.end(0, Status::Failed(StatesError::runtime("The execution has nothing left to run")));
                return None;
            };
            if !self.is_live(&ev) {
                continue;
            }
            self.now = self.now.max(at);
            let first_event = self.history.len();
            let index = self.step_count + 1;
            let (kind, fiber, state) = self.describe(&ev);
            let thread = self.fibers.get(fiber).map(|f| f.thread.clone()).unwrap_or_else(|| Rc::from(""));
            let kind = if index > self.options.max_steps {
                let e = StatesError::new(
                    "Statelab.StepBudgetExhausted",
                    format!(
                        "The execution was stopped after {}, its step budget. Raise the budget (the \
                         playground's step budget option, --max-steps on the command line, maxSteps in \
                         the JS API) if the workflow really needs more.",
                        crate::text::count(self.options.max_steps, "step")
                    ),
                );
                self.abort_all();
                let error = err_details(&e);
                self.emit(0, None, Details::ExecutionAborted(error));
                self.end(0, Status::Aborted(e));
                "budget"
            } else {
                self.process(ev);
                // Also when the step ended the execution: its end was not recorded either (every
                // event after the first one dropped is), so it did not end that way.
                if self.history_full {
                    // The event that ends the execution is the last one the quota allows (as
                    // emulators measured on AWS: event 25,000 itself). [?] AWS's error name and
                    // cause are not documented; the first sentence follows floci's.
                    let e = StatesError::runtime(format!(
                        "The execution reached the maximum number of history events ({}). On AWS a long loop \
                         must continue as a new execution (for example by calling StartExecution from a Task).",
                        self.options.max_history_events
                    ));
                    self.kill(0);
                    let last = self.history.len() as u32;
                    // The slot kept for the execution's end takes this event, not a dropped one.
                    self.history_full = false;
                    self.emit_after(0, last, None, Details::ExecutionFailed(err_details(&e)));
                    self.end(0, Status::Failed(e));
                    "limit"
                } else {
                    kind
                }
            };
            let step = Step {
                index,
                time: self.now,
                first_event,
                end_event: self.history.len(),
                state,
                thread,
                kind,
            };
            self.step_count = index;
            if self.options.inspect {
                push_log(&mut self.steps, step.clone());
            }
            return Some(step);
        }
    }

    /// Runs to the end (or the step budget).
    pub fn run(&mut self) -> &Status {
        while self.step().is_some() {}
        &self.status
    }

    /// Runs until a step enters one of `breakpoints` (that step is taken), or the end.
    /// Returns the step that hit a breakpoint.
    pub fn run_until(&mut self, breakpoints: &dyn Fn(StateId) -> bool) -> Option<Step> {
        while let Some(s) = self.step() {
            if s.kind == "enter" && s.state.is_some_and(breakpoints) {
                return Some(s);
            }
        }
        None
    }

    /// A fresh run of the same machine, input, stubs and options, taken to `steps` steps: how
    /// the debugger goes back (runs are deterministic, so this is the same execution).
    pub fn replay(&self, steps: u64) -> Execution {
        let mut e = match Execution::start(
            self.machine.clone(),
            self.input.clone(),
            self.stubs.clone(),
            (*self.options).clone(),
        ) {
            Ok(e) => e,
            Err(_) => return self.clone(),
        };
        while e.step_count() < steps && e.step().is_some() {}
        e
    }

    fn is_live(&self, ev: &Ev) -> bool {
        let ok = |fiber: &usize, gen: &u32| self.fibers.get(*fiber).is_some_and(|f| f.alive && f.gen == *gen);
        match ev {
            Ev::Enter { fiber, .. } => self.fibers.get(*fiber).is_some_and(|f| f.alive),
            Ev::TaskDone { fiber, gen, .. }
            | Ev::WaitDone { fiber, gen }
            | Ev::Retry { fiber, gen }
            | Ev::JoinDone { fiber, gen } => ok(fiber, gen),
            Ev::ExecTimeout { .. } => true,
            Ev::ChildTimeout { fiber } => self.fibers.get(*fiber).is_some_and(|f| f.alive),
        }
    }

    fn describe(&self, ev: &Ev) -> (&'static str, usize, Option<StateId>) {
        let st = |f: &usize| self.fibers.get(*f).and_then(|f| f.state);
        match ev {
            Ev::Enter { fiber, state, .. } => ("enter", *fiber, Some(*state)),
            Ev::TaskDone { fiber, .. } => ("task", *fiber, st(fiber)),
            Ev::WaitDone { fiber, .. } => ("wait", *fiber, st(fiber)),
            Ev::Retry { fiber, .. } => ("retry", *fiber, st(fiber)),
            Ev::JoinDone { fiber, .. } => ("join", *fiber, st(fiber)),
            Ev::ExecTimeout { .. } => ("timeout", 0, None),
            Ev::ChildTimeout { fiber } => ("timeout", *fiber, st(fiber)),
        }
    }

    /// A state entered or retried: a billed transition, unless it is inside an Express child
    /// execution (billed as that child's duration).
    fn count_transition(&mut self, fiber: usize, state: StateId) {
        if self.fiber(fiber).express {
            return;
        }
        self.transitions += 1;
        if let Some(c) = self.state_transitions.get_mut(state) {
            *c += 1;
        }
    }

    /// A thread is done (succeeded, failed or cancelled); the top of an Express child execution
    /// records when the child ended.
    fn thread_ended(&mut self, fiber: usize) {
        let now = self.now;
        let f = self.fiber_mut(fiber);
        f.alive = false;
        if let Some(i) = f.express_child {
            if let Some((_, end @ None)) = self.express_children.get_mut(i) {
                *end = Some(now);
            }
        }
    }

    fn schedule(&mut self, at: i64, ev: Ev) {
        self.seq += 1;
        let scheduled = Scheduled { at, seq: self.seq, ev };
        if at == self.now {
            self.ready.push_back(scheduled);
        } else {
            self.queue.push(scheduled);
        }
    }

    /// The next scheduled event, by time and then by the order it was scheduled in: the earlier of
    /// the ready queue's first and the heap's. The heap may hold an event for now scheduled before
    /// those in the ready queue (a Wait that ends now), which then goes first.
    fn pop(&mut self) -> Option<Scheduled> {
        match (self.ready.front(), self.queue.peek()) {
            // The heap's order is reversed: `a > b` means `a` comes first.
            (Some(r), Some(h)) if h > r => self.queue.pop(),
            (Some(_), _) => self.ready.pop_front(),
            (None, _) => self.queue.pop(),
        }
    }

    fn emit(&mut self, fiber: usize, state: Option<StateId>, details: Details) -> u32 {
        if self.fibers.get(fiber).is_some_and(|f| f.silent) {
            return 0;
        }
        // The last event the quota allows is kept for the execution's end: once the history is
        // that full, the step finishes unrecorded (its end too, if it ends the execution) and the
        // execution fails after it.
        let full = self.history.len() + 1 >= self.options.max_history_events && !details.ends_execution();
        if self.history_full || full {
            self.history_full = true;
            return 0;
        }
        let id = self.history.len() as u32 + 1;
        let (previous, thread) = match self.fibers.get_mut(fiber) {
            Some(f) => {
                let prev = f.last_event;
                f.last_event = id;
                (prev, f.thread.clone())
            }
            None => (id - 1, Rc::from("")),
        };
        push_log(
            &mut self.history,
            Event { id, previous_event_id: previous, timestamp: self.now, details, state, thread },
        );
        id
    }

    /// Emits an event that AWS links to `prev` rather than to the thread's own last event (the
    /// events around a Map's or Parallel's children do this).
    fn emit_after(&mut self, fiber: usize, prev: u32, state: Option<StateId>, details: Details) -> u32 {
        if let Some(f) = self.fibers.get_mut(fiber) {
            f.last_event = prev;
        }
        self.emit(fiber, state, details)
    }

    fn end(&mut self, _fiber: usize, status: Status) {
        self.status = status;
        self.ended_at = Some(self.now);
        self.queue.clear();
        self.ready.clear();
    }

    // Fiber ids are indices this executor hands out as it pushes fibers (which it never removes)
    // and carries in its own events; none comes from outside, so none can dangle.
    fn fiber(&self, f: usize) -> &Fiber {
        #[allow(clippy::indexing_slicing)] // fiber ids are minted by this executor
        &self.fibers[f]
    }

    fn fiber_mut(&mut self, f: usize) -> &mut Fiber {
        #[allow(clippy::indexing_slicing)] // fiber ids are minted by this executor
        &mut self.fibers[f]
    }

    fn visit_mut(&mut self, f: usize) -> Option<&mut Visit> {
        let v = self.fibers.get(f)?.visit;
        self.visits.get_mut(v)
    }

    fn current(&self, f: usize) -> Option<StateId> {
        self.fibers.get(f).and_then(|f| f.state)
    }

    /// The context object for the state a thread is in (`$$`).
    fn context(&self, f: usize, map_item: Option<(usize, &Value, Option<&Key>)>) -> Value {
        let fiber = self.fiber(f);
        let name = fiber.state.map(|s| Value::String(self.machine.state(s).name.clone())).unwrap_or_default();
        // Key order and fields as AWS shows `$$` (LocalStack's AWS-recorded
        // `context_object/test_context_object.snapshot.json`, 2024): Execution, StateMachine,
        // State. `State.RetryCount` appears only in states that can retry: AWS shows it in a
        // Task's context and not in a Pass state's; we pin it for Parallel and Map too.
        let mut ctx = Map::default();
        ctx.insert("Execution".into(), self.exec_ctx.clone());
        ctx.insert("StateMachine".into(), self.sm_ctx.clone());
        let mut st = Map::default();
        st.insert("Name".into(), name);
        st.insert("EnteredTime".into(), Value::string(format_millis(fiber.entered_at)));
        let retries = fiber.state.is_some_and(|s| {
            matches!(self.machine.state(s).kind, Kind::Task(_) | Kind::Parallel { .. } | Kind::Map(_))
        });
        if retries {
            st.insert("RetryCount".into(), Value::int(i64::from(fiber.retry_count)));
        }
        ctx.insert("State".into(), Value::object(st));
        if let Some(t) = &fiber.task_token {
            ctx.insert("Task".into(), Value::object_from([("Token", Value::String(t.clone()))]));
        }
        if let Some((index, value, key)) = map_item {
            let mut item = Map::default();
            item.insert("Index".into(), Value::int(index as i64));
            item.insert("Value".into(), value.clone());
            if let Some(k) = key {
                item.insert("Key".into(), Value::String(k.clone()));
            }
            item.insert("Source".into(), Value::string("STATE_DATA"));
            ctx.insert("Map".into(), Value::object_from([("Item", Value::object(item))]));
        }
        Value::object(ctx)
    }

    fn process(&mut self, ev: Ev) {
        match ev {
            Ev::Enter { fiber, state, input } => self.enter(fiber, state, input),
            Ev::TaskDone { fiber, result, .. } => self.task_done(fiber, result),
            Ev::WaitDone { fiber, .. } => {
                self.fiber_mut(fiber).waiting = None;
                let Some(state) = self.current(fiber) else { return };
                if self.machine.state(state).query_language == QueryLanguage::JSONata {
                    // Output and Assign see the variables as they were when the Wait began.
                    if let Err(e) = self.j_finish(fiber, state, None) {
                        self.fault(fiber, e);
                    }
                    return;
                }
                let eff = self.fiber(fiber).effective.clone();
                match self.output_path(fiber, state, eff) {
                    Ok(out) => self.exit(fiber, state, out, None),
                    Err(e) => self.fault(fiber, e),
                }
            }
            Ev::Retry { fiber, .. } => {
                self.fiber_mut(fiber).waiting = None;
                let (state, recorded) = (self.fiber(fiber).state, self.history.len());
                self.run_state(fiber);
                // A retry the history had no room to record (the execution fails after this
                // step) is not billed, as an entry is not.
                let unrecorded = self.history_full && self.history.len() == recorded;
                if let (Some(state), false) = (state, unrecorded) {
                    self.count_transition(fiber, state);
                }
            }
            Ev::JoinDone { fiber, .. } => self.join_done(fiber),
            Ev::ExecTimeout { seconds } => {
                let e = StatesError::new(
                    names::TIMEOUT,
                    format!(
                        "The execution ran for {seconds} seconds, its time limit ({}).",
                        self.limit_reason(seconds)
                    ),
                );
                self.abort_all();
                self.emit(0, None, Details::ExecutionTimedOut(err_details(&e)));
                self.end(0, Status::TimedOut(e));
            }
            Ev::ChildTimeout { fiber } => {
                // The child execution times out (its events, like all a Distributed Map child's,
                // are not in this history); the Map Run counts it as a failed item.
                let e = StatesError::new(
                    names::TIMEOUT,
                    format!(
                        "The child execution ran for {EXPRESS_MAX_SECONDS} seconds, its time limit (Express \
                         workflows run for at most 5 minutes)."
                    ),
                );
                self.cancel_thread(fiber, None);
                self.child_failed(fiber, e, Also::Nothing);
            }
        }
    }

    fn limit_reason(&self, seconds: f64) -> &'static str {
        match (self.machine.timeout_seconds, self.options.workflow_type) {
            (Some(t), _) if (t as f64) <= seconds => "the state machine's TimeoutSeconds",
            (_, WorkflowType::Express) => "Express workflows run for at most 5 minutes",
            _ => "Standard workflows run for at most one year",
        }
    }

    fn enter(&mut self, fiber: usize, state: StateId, input: Value) {
        let machine = self.machine.clone();
        let st = machine.state(state);
        {
            let now = self.now;
            let f = self.fiber_mut(fiber);
            f.state = Some(state);
            f.raw_input = input.clone();
            f.effective = input.clone();
            f.retries = vec![0; st.retry.len()];
            f.retry_count = 0;
            f.entered_at = now;
            f.gen = f.gen.wrapping_add(1);
            f.task_token = None;
            f.waiting = None;
            f.exit_prev = None;
            f.assigned = Vec::new();
            f.after_input_path = Value::Null;
        }
        self.max_payload = self.max_payload.max(input.json_len());
        let id = self.emit(
            fiber,
            Some(state),
            Details::StateEntered { state_type: st.type_name(), name: st.name.clone(), input: input.clone() },
        );
        if self.history_full {
            // No room was left in the history for this entry, and the execution fails after this
            // step: as far as the record goes the state was never entered, so it is neither
            // billed nor shown as a visit (billing counted one state more than the history had).
            return;
        }
        self.count_transition(fiber, state);
        self.fiber_mut(fiber).entered_event = id;
        if self.options.inspect {
            self.record_visit(fiber, state, id, &input);
        }
        if let Err(e) = check_payload("state input", &input) {
            self.fault(fiber, e);
            return;
        }
        self.run_state(fiber);
    }

    /// Starts the inspector's record of the visit a thread has just begun.
    fn record_visit(&mut self, fiber: usize, state: StateId, id: u32, input: &Value) {
        let thread = self.fiber(fiber).thread.clone();
        let variables = self.fiber(fiber).vars.clone();
        push_log(
            &mut self.visits,
            Visit {
                state,
                thread,
                step: self.step_count + 1,
                entered_event: id,
                entered_at: self.now,
                exited_at: None,
                stages: Stages { input: Some(input.clone()), ..Stages::default() },
                context: None,
                status: VisitStatus::Running,
                retries: Vec::new(),
                invocations: Vec::new(),
                choice_rule: None,
                next: None,
                wait_until: None,
                assigned: Vec::new(),
                variables,
                error_output: None,
                evaluations: Vec::new(),
                evaluations_dropped: false,
            },
        );
        self.fiber_mut(fiber).visit = self.visits.len() - 1;
    }

    fn env_parts(&self, fiber: usize, state: StateId) -> (Value, Rc<VarFrame>) {
        let st = self.machine.state(state);
        let ctx = if st.uses_context { self.context(fiber, None) } else { Value::Null };
        (ctx, self.fiber(fiber).vars.clone())
    }

    fn record_context(&mut self, fiber: usize, ctx: &Value) {
        if !ctx.is_null() {
            if let Some(v) = self.visit_mut(fiber) {
                v.context = Some(ctx.clone());
            }
        }
    }

    fn eval_template(
        &mut self,
        t: &Template,
        doc: &Value,
        ctx: &Value,
        vars: &VarFrame,
    ) -> Result<Value, StatesError> {
        let env = Env { input: doc, context: ctx, vars };
        t.eval(&env, &mut self.rng)
    }

    /// InputPath, then Parameters: the effective input.
    fn effective_input(&mut self, fiber: usize, state: StateId) -> Result<Value, StatesError> {
        let machine = self.machine.clone();
        let st = machine.state(state);
        if st.query_language == QueryLanguage::JSONata {
            return self.j_effective(fiber, state);
        }
        let (ctx, vars) = self.env_parts(fiber, state);
        self.record_context(fiber, &ctx);
        let raw = self.fiber(fiber).raw_input.clone();
        let after_ip = select_field(&st.io.input_path, raw, &ctx, &vars)?;
        if let Some(v) = self.visit_mut(fiber) {
            v.stages.after_input_path = Some(after_ip.clone());
        }
        self.fiber_mut(fiber).after_input_path = after_ip.clone();
        let eff = match &st.io.parameters {
            Some(Payload::Path(t)) => {
                let v = self.eval_template(t, &after_ip, &ctx, &vars)?;
                // Checked before it is kept: a template with many copies of the input can describe
                // gigabytes (its parts are shared), which the inspector must never try to print.
                check_payload("effective input after Parameters", &v)?;
                if let Some(vis) = self.visit_mut(fiber) {
                    vis.stages.after_parameters = Some(v.clone());
                }
                v
            }
            // (JSONata states took the branch above.)
            Some(Payload::Jsonata(_)) | None => after_ip,
        };
        check_payload("effective input after Parameters", &eff)?;
        self.fiber_mut(fiber).effective = eff.clone();
        Ok(eff)
    }

    fn output_path(&mut self, fiber: usize, state: StateId, doc: Value) -> Result<Value, StatesError> {
        let machine = self.machine.clone();
        let st = machine.state(state);
        let (ctx, vars) = self.env_parts(fiber, state);
        select_field(&st.io.output_path, doc, &ctx, &vars)
    }

    /// Does (or redoes, on retry) the work of the state a thread is in.
    fn run_state(&mut self, fiber: usize) {
        let Some(state) = self.current(fiber) else { return };
        let machine = self.machine.clone();
        let st = machine.state(state);
        let r = match &st.kind {
            Kind::Pass { result } => self.effective_input(fiber, state).and_then(|eff| {
                let result = result.clone().unwrap_or(eff);
                self.finish(fiber, state, result)
            }),
            Kind::Choice(spec) => self.choice(fiber, state, spec),
            Kind::Wait(spec) => self.wait(fiber, state, spec),
            Kind::Succeed if st.query_language == QueryLanguage::JSONata => self.j_finish(fiber, state, None),
            Kind::Succeed => {
                let r =
                    self.effective_input(fiber, state).and_then(|eff| self.output_path(fiber, state, eff));
                r.map(|out| self.exit(fiber, state, out, None))
            }
            Kind::Fail { error, cause } => {
                let r = self.effective_input(fiber, state).and_then(|eff| {
                    let e = self.fail_string(fiber, state, error.as_ref(), &eff, true)?;
                    let c = self.fail_string(fiber, state, cause.as_ref(), &eff, false)?;
                    Ok(StatesError::new(e, c))
                });
                match r {
                    Ok(e) => {
                        let now = self.now;
                        if let Some(v) = self.visit_mut(fiber) {
                            v.status = VisitStatus::Failed(e.clone());
                            v.exited_at = Some(now);
                        }
                        self.thread_failed(fiber, e, Also::Nothing);
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Kind::Task(spec) => {
                if spec.pattern == Pattern::WaitForTaskToken {
                    let token = task_token(&mut self.rng);
                    self.fiber_mut(fiber).task_token = Some(token);
                }
                self.effective_input(fiber, state).map(|_| self.invoke(fiber, state, spec))
            }
            Kind::Parallel { branches } => {
                self.effective_input(fiber, state).map(|eff| self.start_parallel(fiber, state, branches, eff))
            }
            Kind::Map(spec) => self.start_map(fiber, state, spec),
        };
        if let Err(e) = r {
            self.fault(fiber, e);
        }
    }

    fn fail_string(
        &mut self,
        fiber: usize,
        state: StateId,
        src: Option<&StringSource>,
        eff: &Value,
        error_field: bool,
    ) -> Result<String, StatesError> {
        match src {
            None => Ok(String::new()),
            Some(StringSource::Const(s)) => Ok(s.to_string()),
            Some(StringSource::Dynamic(t)) => {
                // Compiled as the one-member template `{"Error.$": path}`: messages name the
                // field as written.
                let (field, path_field) =
                    if error_field { ("Error", "ErrorPath") } else { ("Cause", "CausePath") };
                let (ctx, vars) = self.env_parts(fiber, state);
                let v = self.eval_template(t, eff, &ctx, &vars).map_err(|mut e| {
                    e.cause = e.cause.replace(&format!("'{field}.$'"), &format!("'{path_field}'"));
                    e
                })?;
                check_payload(path_field, &v)?;
                let inner = v.as_object().and_then(|m| m.values().next()).cloned().unwrap_or_default();
                match inner {
                    Value::String(s) => Ok(s.to_string()),
                    other => {
                        let source = match t {
                            Template::Object { members, .. } => match members.first().map(|(_, m)| m) {
                                Some(Template::Path { path, .. }) => format!(" '{}'", path.text()),
                                _ => String::new(),
                            },
                            _ => String::new(),
                        };
                        let mut shown = other.to_json();
                        if shown.len() > 80 {
                            shown = format!("{}…", shown.chars().take(80).collect::<String>());
                        }
                        let kind = match other.type_name() {
                            "null" => "null".to_string(),
                            t @ ("array" | "object") => format!("an {t}"),
                            t => format!("a {t}"),
                        };
                        Err(StatesError::runtime(format!(
                            "The {path_field}{source} of Fail state '{}' gave {shown} ({kind}), but {field} must be a string",
                            self.machine.state(state).name,
                        )))
                    }
                }
            }
            Some(StringSource::Expr(e)) => {
                let field = if error_field { "Error" } else { "Cause" };
                self.j_string(fiber, e, field)
            }
        }
    }

    fn choice(&mut self, fiber: usize, state: StateId, spec: &ChoiceSpec) -> Result<(), StatesError> {
        if self.machine.state(state).query_language == QueryLanguage::JSONata {
            return self.j_choice(fiber, state, spec);
        }
        let eff = self.effective_input(fiber, state)?;
        let (ctx, vars) = self.env_parts(fiber, state);
        let env = Env { input: &eff, context: &ctx, vars: &*vars };
        let mut chosen = None;
        for (i, b) in spec.choices.iter().enumerate() {
            if b.rule.eval(&env)? {
                chosen = Some((i, b.next));
                break;
            }
        }
        let (rule, next) = match (chosen, spec.default) {
            (Some((i, n)), _) => (Some(i), n),
            (None, Some(d)) => (None, d),
            (None, None) => return Err(no_choice_matched()),
        };
        let machine = self.machine.clone();
        let state_assigned = match &machine.state(state).assign {
            Some(Payload::Path(t)) => self.eval_assign(fiber, t, &eff, &ctx)?,
            _ => Vec::new(),
        };
        let rule_assigned = match rule.and_then(|i| spec.choices.get(i)).and_then(|b| b.assign.as_ref()) {
            Some(Payload::Path(t)) => self.eval_assign(fiber, t, &eff, &ctx)?,
            _ => Vec::new(),
        };
        let assigned = choice_assigned(state_assigned, rule_assigned);
        if let Some(v) = self.visit_mut(fiber) {
            v.choice_rule = rule;
        }
        let out = self.output_path(fiber, state, eff)?;
        self.apply_assigned(fiber, assigned);
        self.exit_to(fiber, state, out, Some(next));
        Ok(())
    }

    fn number(
        &mut self,
        fiber: usize,
        state: StateId,
        src: &NumberSource,
        doc: &Value,
        field: &str,
    ) -> Result<f64, StatesError> {
        match src {
            NumberSource::Const(n) => Ok(*n),
            NumberSource::Path(p) => {
                let (ctx, vars) = self.env_parts(fiber, state);
                let env = Env { input: doc, context: &ctx, vars: &*vars };
                // A path takes what the field's constant and JSONata forms take: a Task's timeout
                // a whole number of seconds from 1 (0 would time out at once), a Map's
                // concurrency, counts and batch sizes whole numbers, a percentage 0 to 100. A
                // Wait's SecondsPath keeps taking any number from 0 (AWS's own examples compute
                // it by division; what AWS does with a fraction is not recorded).
                let (min, max, integer, wants) = match field {
                    "SecondsPath" => (0.0, f64::INFINITY, false, "a non-negative number"),
                    _ => {
                        let (_, min, max, integer, wants) = jsonata::number_rule(field);
                        (min, max, integer, wants)
                    }
                };
                match env.select(p) {
                    Some(v) => v
                        .as_f64()
                        .filter(|n| *n >= min && *n <= max && (!integer || n.fract() == 0.0))
                        .ok_or_else(|| {
                            StatesError::runtime(format!(
                                "The value of {field} at '{}' must be {wants}, not {}",
                                p.text(),
                                v
                            ))
                        }),
                    None => Err(StatesError::runtime(format!(
                        "Invalid path '{}' : No results for path: {}",
                        p.text(),
                        normalized(p)
                    ))),
                }
            }
            NumberSource::Expr(e) => self.j_number(fiber, e, field),
        }
    }

    fn wait(&mut self, fiber: usize, state: StateId, spec: &WaitSpec) -> Result<(), StatesError> {
        let eff = self.effective_input(fiber, state)?;
        let until = match spec {
            WaitSpec::Seconds(src) => {
                let s = self.number(fiber, state, src, &eff, "SecondsPath")?;
                self.now.saturating_add((s * 1000.0).round() as i64)
            }
            WaitSpec::Timestamp(TimestampSource::Const(ms)) => *ms,
            WaitSpec::Timestamp(TimestampSource::Path(p)) => {
                let (ctx, vars) = self.env_parts(fiber, state);
                let env = Env { input: &eff, context: &ctx, vars: &*vars };
                let v = env.select(p).ok_or_else(|| {
                    StatesError::runtime(format!(
                        "Invalid path '{}' : No results for path: {}",
                        p.text(),
                        normalized(p)
                    ))
                })?;
                v.as_str().and_then(parse_millis).ok_or_else(|| {
                    StatesError::runtime(format!(
                        "The TimestampPath '{}' gave {}, which is not an RFC 3339 timestamp such as 2016-03-14T01:59:00Z",
                        p.text(),
                        v
                    ))
                })?
            }
            WaitSpec::Timestamp(TimestampSource::Expr(e)) => self.j_timestamp(fiber, e)?,
        };
        // A timestamp in the past proceeds at once.
        let until = until.max(self.now);
        if let Some(v) = self.visit_mut(fiber) {
            v.wait_until = Some(until);
        }
        let machine = self.machine.clone();
        if let Some(Payload::Path(t)) = &machine.state(state).assign {
            let (ctx, _) = self.env_parts(fiber, state);
            let assigned = self.eval_assign(fiber, t, &eff, &ctx)?;
            self.apply_assigned(fiber, assigned);
        }
        let gen = self.fiber(fiber).gen;
        self.fiber_mut(fiber).waiting = Some(("wait", Some(until)));
        self.schedule(until, Ev::WaitDone { fiber, gen });
        Ok(())
    }

    fn resource(&self, spec: &TaskSpec) -> Option<TaskResource> {
        match &spec.resource_kind {
            ResourceKind::Service { service, action } => Some(TaskResource {
                resource_type: Rc::from(service.as_str()),
                resource: Rc::from(action.as_str()),
            }),
            ResourceKind::Other => {
                Some(TaskResource { resource_type: Rc::from("unknown"), resource: spec.resource.clone() })
            }
            _ => None,
        }
    }

    fn invoke(&mut self, fiber: usize, state: StateId, spec: &TaskSpec) {
        let machine = self.machine.clone();
        let st = machine.state(state);
        let eff = self.fiber(fiber).effective.clone();
        let doc = self.fiber(fiber).after_input_path.clone();
        let timeout = match &spec.timeout {
            Some(t) => match self.number(fiber, state, t, &doc, "TimeoutSecondsPath") {
                Ok(t) => Some(t),
                Err(e) => return self.fault(fiber, e),
            },
            None => None,
        };
        let heartbeat = match &spec.heartbeat {
            Some(h) => match self.number(fiber, state, h, &doc, "HeartbeatSecondsPath") {
                Ok(h) => Some(h),
                Err(e) => return self.fault(fiber, e),
            },
            None => None,
        };
        let role_arn = match self.task_credentials(fiber, state, spec, &doc) {
            Ok(r) => r,
            Err(e) => return self.fault(fiber, e),
        };
        let index = self.invocations.get(state).copied().unwrap_or(0);
        if let Some(c) = self.invocations.get_mut(state) {
            *c += 1;
        }
        let secs = |s: Option<f64>| s.map(|s| s as u64);
        match (&spec.resource_kind, self.resource(spec)) {
            (ResourceKind::LambdaFunction, _) => {
                self.emit(
                    fiber,
                    Some(state),
                    Details::LambdaFunctionScheduled {
                        resource: spec.resource.clone(),
                        input: eff.clone(),
                        timeout_seconds: secs(timeout),
                        role_arn,
                    },
                );
                self.emit(fiber, Some(state), Details::LambdaFunctionStarted);
            }
            (ResourceKind::Activity, _) => {
                self.emit(
                    fiber,
                    Some(state),
                    Details::ActivityScheduled {
                        resource: spec.resource.clone(),
                        input: eff.clone(),
                        timeout_seconds: secs(timeout),
                        heartbeat_seconds: secs(heartbeat),
                    },
                );
                self.emit(
                    fiber,
                    Some(state),
                    Details::ActivityStarted { worker_name: Rc::from("statelab-stub") },
                );
            }
            (_, Some(resource)) => {
                let region: Rc<str> = Rc::from(self.options.region.as_str());
                self.emit(
                    fiber,
                    Some(state),
                    Details::TaskScheduled {
                        resource: resource.clone(),
                        region,
                        parameters: eff.clone(),
                        timeout_seconds: secs(timeout),
                        heartbeat_seconds: secs(heartbeat),
                        role_arn,
                    },
                );
                self.emit(fiber, Some(state), Details::TaskStarted(resource.clone()));
                if spec.pattern != Pattern::RequestResponse {
                    // `.sync` and `.waitForTaskToken` tasks record the service's acceptance of the
                    // request before they wait (AWS: LocalStack's `timeouts/test_heartbeats`
                    // snapshots). Statelab has no service to answer, so the response is `{}`.
                    self.emit(
                        fiber,
                        Some(state),
                        Details::TaskSubmitted { resource, output: Value::empty_object() },
                    );
                }
            }
            (_, None) => {}
        }
        let (result, duration, unstubbed) = match self.stubs.response(&st.name, index) {
            Some(r) => (
                match &r.outcome {
                    Outcome::Return(v) => Ok((v.clone(), false)),
                    Outcome::Throw { error, cause } => {
                        Err((StatesError::new(error.to_string(), cause.to_string()), Ended::Failed))
                    }
                },
                r.duration,
                false,
            ),
            None => match self.options.unstubbed {
                Unstubbed::Echo => (Ok((eff.clone(), true)), 0.0, true),
                Unstubbed::Fail => {
                    let e = StatesError::new(
                        "Statelab.NoStub",
                        format!(
                            "Task state '{}' has no stub for invocation {index}. Add an entry for \"{}\" to the stubs, or allow unstubbed tasks (they echo their input).",
                            st.name, st.name
                        ),
                    );
                    // A host outcome, not an ASL error: no Retry or Catch sees it. Everything
                    // still running stops first, so the history ends with ExecutionFailed.
                    self.abort_all();
                    self.emit(0, None, Details::ExecutionFailed(err_details(&e)));
                    self.end(0, Status::Failed(e));
                    return;
                }
            },
        };
        let timeout_s = timeout.unwrap_or(DEFAULT_TASK_TIMEOUT_SECONDS);
        // Heartbeats only come from activity workers and callbacks; stubs never send them, so a
        // task that runs longer than HeartbeatSeconds misses its heartbeat.
        let heartbeat_applies =
            matches!(spec.resource_kind, ResourceKind::Activity) || spec.pattern == Pattern::WaitForTaskToken;
        let mut fire = duration;
        let mut result = result;
        // AWS reports both a missed heartbeat and an exceeded TimeoutSeconds as `States.Timeout`
        // in a TaskTimedOut event, with no cause (LocalStack's AWS-recorded
        // `timeouts/test_heartbeats.snapshot.json` and `test_timeouts.snapshot.json`); a Catcher
        // then sees `{"Error": "States.Timeout", "Cause": ""}` (`test_task_service_lambda`,
        // `test_invoke_timeout`). `States.HeartbeatTimeout` is never raised, but a Retrier or
        // Catcher naming it still matches a missed heartbeat (`Also::Heartbeat`).
        let (limit, ended) = match heartbeat.filter(|_| heartbeat_applies) {
            Some(h) if h < timeout_s => (h, Ended::MissedHeartbeat),
            _ => (timeout_s, Ended::TimedOut),
        };
        // An HTTP Task's call gives up after 60 s, before any longer TimeoutSeconds (asl-facts
        // 9, 12: `States.Http.Socket`, retriable). [?] AWS's cause is not recorded; this one is
        // Statelab's.
        let is_http =
            matches!(&spec.resource_kind, ResourceKind::Service { service, .. } if service == "http");
        let socket_closed =
            is_http && duration > HTTP_SOCKET_TIMEOUT_SECONDS && HTTP_SOCKET_TIMEOUT_SECONDS < limit;
        let timed_out = socket_closed || duration > limit;
        if socket_closed {
            fire = HTTP_SOCKET_TIMEOUT_SECONDS;
            let cause = "The HTTP endpoint did not answer within 60 seconds, the HTTP Task's socket timeout.";
            result = Err((StatesError::new(names::HTTP_SOCKET, cause), Ended::Failed));
        } else if timed_out {
            fire = limit;
            result = Err((StatesError::new(names::TIMEOUT, ""), ended));
        }
        if let Some(v) = self.visit_mut(fiber) {
            v.invocations.push(Invocation { index, unstubbed, duration_seconds: duration, timed_out });
        }
        let at = self.now.saturating_add((fire * 1000.0).round() as i64);
        let gen = self.fiber(fiber).gen;
        self.fiber_mut(fiber).waiting = Some(("task", Some(at)));
        self.schedule(at, Ev::TaskDone { fiber, gen, result });
    }

    /// A Task's `Credentials`, evaluated as AWS evaluates them before it calls the service, from
    /// the input after InputPath (`doc`) or `$states`: a path that finds nothing, or an expression
    /// that fails, fails the state as in `Parameters`/`Arguments`. Statelab calls no service, so
    /// the role is only recorded: the TaskScheduled event's `taskCredentials.roleArn`. A `RoleArn`
    /// that is not a string fails with `States.Runtime` [?] (AWS's error is not recorded).
    fn task_credentials(
        &mut self,
        fiber: usize,
        state: StateId,
        spec: &TaskSpec,
        doc: &Value,
    ) -> Result<Option<Rc<str>>, StatesError> {
        let credentials = match &spec.credentials {
            None => return Ok(None),
            Some(Payload::Path(t)) => {
                let (ctx, vars) = self.env_parts(fiber, state);
                self.eval_template(t, doc, &ctx, &vars)?
            }
            Some(Payload::Jsonata(t)) => self.j_payload(fiber, t)?,
        };
        match credentials.get("RoleArn") {
            Some(Value::String(arn)) => Ok(Some(arn.clone())),
            other => Err(StatesError::runtime(format!(
                "The field 'Credentials/RoleArn' must give a string (a role's ARN), not {}",
                other.map_or_else(|| "nothing".to_string(), Value::to_json)
            ))),
        }
    }

    fn task_done(&mut self, fiber: usize, result: Result<(Value, bool), (StatesError, Ended)>) {
        self.fiber_mut(fiber).waiting = None;
        let Some(state) = self.current(fiber) else { return };
        let machine = self.machine.clone();
        let st = machine.state(state);
        let Kind::Task(spec) = &st.kind else { return };
        let resource = self.resource(spec);
        // A result over 256 KiB fails the task itself: AWS records a TaskFailed (or
        // LambdaFunctionFailed) with this cause, and, unlike the other data limits, a Catcher
        // for `States.ALL` handles it (LocalStack's AWS-recorded
        // `error_handling/test_states_errors.snapshot.json`).
        let result = match result {
            Ok((v, _)) if v.json_len() > MAX_PAYLOAD_BYTES => {
                self.max_payload = self.max_payload.max(v.json_len());
                let who = match (&spec.resource_kind, &resource) {
                    (ResourceKind::Service { .. }, Some(r)) => r.resource_type.to_string(),
                    _ => spec.resource.to_string(),
                };
                Err((
                    StatesError::new(
                        names::DATA_LIMIT_EXCEEDED,
                        format!(
                            "The state/task '{who}' returned a result with a size exceeding the maximum number of bytes service limit."
                        ),
                    ),
                    Ended::Failed,
                ))
            }
            other => other,
        };
        match result {
            Ok((v, unstubbed)) => {
                let details = match (&spec.resource_kind, resource) {
                    (ResourceKind::LambdaFunction, _) => {
                        Details::LambdaFunctionSucceeded { output: v.clone(), unstubbed }
                    }
                    (ResourceKind::Activity, _) => {
                        Details::ActivitySucceeded { output: v.clone(), unstubbed }
                    }
                    (_, Some(resource)) => Details::TaskSucceeded { resource, output: v.clone(), unstubbed },
                    (_, None) => Details::TaskSucceeded {
                        resource: TaskResource {
                            resource_type: Rc::from("unknown"),
                            resource: spec.resource.clone(),
                        },
                        output: v.clone(),
                        unstubbed,
                    },
                };
                self.emit(fiber, Some(state), details);
                self.max_payload = self.max_payload.max(v.json_len());
                if let Err(e) = self.with_result(fiber, state, v) {
                    self.fault(fiber, e);
                }
            }
            Err((e, ended)) => {
                let timed_out = ended != Ended::Failed;
                let error = err_details(&e);
                let details = match (&spec.resource_kind, resource, timed_out) {
                    (ResourceKind::LambdaFunction, _, false) => Details::LambdaFunctionFailed(error),
                    (ResourceKind::LambdaFunction, _, true) => Details::LambdaFunctionTimedOut(error),
                    (ResourceKind::Activity, _, false) => Details::ActivityFailed(error),
                    (ResourceKind::Activity, _, true) => Details::ActivityTimedOut(error),
                    (_, r, false) => {
                        Details::TaskFailed { resource: r.unwrap_or_else(|| unknown_resource(spec)), error }
                    }
                    (_, r, true) => {
                        Details::TaskTimedOut { resource: r.unwrap_or_else(|| unknown_resource(spec)), error }
                    }
                };
                self.emit(fiber, Some(state), details);
                let also = if e.error == names::DATA_LIMIT_EXCEEDED {
                    Also::TaskErrors
                } else if ended == Ended::MissedHeartbeat {
                    Also::Heartbeat
                } else {
                    Also::Nothing
                };
                self.handle_error(fiber, e, also, None);
            }
        }
    }

    /// ResultSelector on a Task/Parallel/Map result, then [`Self::finish`].
    fn with_result(&mut self, fiber: usize, state: StateId, result: Value) -> Result<(), StatesError> {
        let machine = self.machine.clone();
        let st = machine.state(state);
        if let Some(v) = self.visit_mut(fiber) {
            v.stages.result = Some(result.clone());
        }
        let selected = match &st.io.result_selector {
            Some(t) => {
                let (ctx, vars) = self.env_parts(fiber, state);
                let s = self.eval_template(t, &result, &ctx, &vars)?;
                check_payload("result after ResultSelector", &s)?;
                if let Some(v) = self.visit_mut(fiber) {
                    v.stages.after_result_selector = Some(s.clone());
                }
                s
            }
            None => result,
        };
        self.finish(fiber, state, selected)
    }

    /// ResultPath, OutputPath, Assign, then exit along `Next`/`End`.
    fn finish(&mut self, fiber: usize, state: StateId, result: Value) -> Result<(), StatesError> {
        let machine = self.machine.clone();
        let st = machine.state(state);
        if st.query_language == QueryLanguage::JSONata {
            // Only a Task, Parallel or Map has a result (`$states.result`).
            let has_result = matches!(st.kind, Kind::Task(_) | Kind::Parallel { .. } | Kind::Map(_));
            return self.j_finish(fiber, state, has_result.then_some(result));
        }
        if let Some(v) = self.visit_mut(fiber) {
            if v.stages.result.is_none() {
                v.stages.result = Some(result.clone());
            }
        }
        let raw = self.fiber(fiber).raw_input.clone();
        let after_rp = apply_result_path(&st.io.result_path, raw, result.clone())?;
        if let Some(v) = self.visit_mut(fiber) {
            v.stages.after_result_path = Some(after_rp.clone());
        }
        let out = self.output_path(fiber, state, after_rp)?;
        let assigned = match &st.assign {
            Some(Payload::Path(t)) => {
                let (ctx, _) = self.env_parts(fiber, state);
                self.eval_assign(fiber, t, &result, &ctx)?
            }
            _ => Vec::new(),
        };
        self.apply_assigned(fiber, assigned);
        self.exit(fiber, state, out, None);
        Ok(())
    }

    /// Evaluates an Assign template against entry-time variable values.
    fn eval_assign(
        &mut self,
        fiber: usize,
        t: &Template,
        doc: &Value,
        ctx: &Value,
    ) -> Result<Vec<(Rc<str>, Value)>, StatesError> {
        let vars = self.fiber(fiber).vars.clone();
        let v = self.eval_template(t, doc, ctx, &vars)?;
        self.assignments(fiber, &v)
    }

    /// The variables an evaluated Assign block sets, checked against the limits (256 KiB a
    /// variable and a block, 10 MiB an execution) and the scope rule: a Parallel branch or Map
    /// iteration may read the variables of the scopes around it but not assign them. AWS's error
    /// for that is not recorded; LocalStack, whose variable store follows AWS's documentation,
    /// fails the execution with this cause, and so does Statelab (as `States.Runtime`; see
    /// `tests/cases/exec/variables/assign_outer_in_branch.json`) [?].
    fn assignments(&self, fiber: usize, v: &Value) -> Result<Assigned, StatesError> {
        let frame = &self.fiber(fiber).vars;
        let mut out = Vec::new();
        let mut total: usize = 0;
        for (k, val) in v.as_object().into_iter().flatten() {
            total = total.saturating_add(val.json_len());
            check_payload(&format!("variable '{k}'"), val)?;
            if frame.parent.as_ref().is_some_and(|p| p.get(k).is_some()) {
                return Err(StatesError::runtime(format!(
                    "Cannot bind value '{}' to variable '{k}' as it belongs to an outer scope.",
                    val.to_json()
                )));
            }
            out.push((k.clone(), val.clone()));
        }
        if total > MAX_PAYLOAD_BYTES {
            return Err(data_limit("Assign block", total));
        }
        // Everything visible once these are set (sibling scopes are not counted: they cannot
        // see each other, and die with their branch or iteration).
        let visible: usize = frame
            .visible()
            .iter()
            .filter(|(k, _)| !out.iter().any(|(n, _)| n == k))
            .map(|(_, v)| v.json_len())
            .sum::<usize>()
            + total;
        if visible > MAX_VARIABLES_BYTES {
            return Err(StatesError::new(
                names::DATA_LIMIT_EXCEEDED,
                format!(
                    "The workflow variables would have a size of {visible} bytes, which exceeds the maximum of \
                     {MAX_VARIABLES_BYTES} bytes (10 MiB) for one execution"
                ),
            ));
        }
        Ok(out)
    }

    fn apply_assigned(&mut self, fiber: usize, assigned: Vec<(Rc<str>, Value)>) {
        if assigned.is_empty() {
            return;
        }
        let f = self.fiber_mut(fiber);
        let frame = Rc::make_mut(&mut f.vars);
        for (k, v) in &assigned {
            frame.vars.insert(k.clone(), v.clone());
        }
        if let Some(v) = self.visit_mut(fiber) {
            v.assigned = assigned.clone();
        }
        self.fiber_mut(fiber).assigned = assigned;
    }

    fn exit(&mut self, fiber: usize, state: StateId, output: Value, next: Option<StateId>) {
        let next = next.or(match self.machine.state(state).next {
            Next::State(n) => Some(n),
            _ => None,
        });
        self.exit_to(fiber, state, output, next);
    }

    /// Emits `*StateExited` and moves the thread on: to `next`, or to its end.
    fn exit_to(&mut self, fiber: usize, state: StateId, output: Value, next: Option<StateId>) {
        if output.json_len() > MAX_PAYLOAD_BYTES {
            // AWS's cause names the state and has no "An error occurred while executing" prefix.
            let e = result_limit(&self.machine.state(state).name, "state output", output.json_len());
            return self.handle_error(fiber, e, Also::Nothing, None);
        }
        if output.depth() > MAX_DEPTH {
            return self.fault(fiber, StatesError::too_deep("state output", output.depth()));
        }
        self.max_payload = self.max_payload.max(output.json_len());
        let machine = self.machine.clone();
        let st = machine.state(state);
        let assigned = std::mem::take(&mut self.fiber_mut(fiber).assigned);
        if let Some(prev) = self.fiber_mut(fiber).exit_prev.take() {
            self.fiber_mut(fiber).last_event = prev;
        }
        self.emit(
            fiber,
            Some(state),
            Details::StateExited {
                state_type: st.type_name(),
                name: st.name.clone(),
                output: output.clone(),
                assigned,
            },
        );
        let now = self.now;
        if let Some(v) = self.visit_mut(fiber) {
            v.stages.output = Some(output.clone());
            v.exited_at = Some(now);
            if v.status == VisitStatus::Running {
                v.status = VisitStatus::Succeeded;
            }
            v.next = next;
        }
        match next {
            Some(n) => self.schedule(self.now, Ev::Enter { fiber, state: n, input: output }),
            None => self.thread_succeeded(fiber, output),
        }
    }

    fn thread_succeeded(&mut self, fiber: usize, output: Value) {
        self.thread_ended(fiber);
        let Some((parent, slot)) = self.fiber(fiber).parent else {
            self.emit(0, None, Details::ExecutionSucceeded { output: output.clone() });
            self.end(0, Status::Succeeded(output));
            return;
        };
        let Some(join) = self.fiber_mut(parent).join.as_mut() else { return };
        if let Some(r) = join.results.get_mut(slot) {
            *r = Some(output);
        }
        join.running = join.running.saturating_sub(1);
        join.done += 1;
        let is_map = join.is_map;
        let all_done = join.done == join.results.len();
        let distributed = join.distributed;
        let last = self.fiber(fiber).last_event;
        if distributed {
            // A child execution's events are not in this history.
            self.start_iterations(parent, 0);
        } else if is_map {
            let pstate = self.current(parent);
            let name = pstate.map(|s| self.machine.state(s).name.clone()).unwrap_or_else(|| Rc::from(""));
            let id =
                self.emit(fiber, pstate, Details::MapIterationSucceeded(MapIteration { name, index: slot }));
            if let Some(j) = self.fiber_mut(parent).join.as_mut() {
                j.last_child_event = id;
            }
            // The next queued iteration starts from the finished one's last state event, not from
            // its MapIterationSucceeded (AWS: `test_map_state_break_condition`).
            self.start_iterations(parent, last);
        } else if let Some(j) = self.fiber_mut(parent).join.as_mut() {
            j.last_child_event = last;
        }
        if all_done {
            let gen = self.fiber(parent).gen;
            self.schedule(self.now, Ev::JoinDone { fiber: parent, gen });
        }
    }

    /// An error raised by a state's own processing (a path, a template, an intrinsic, ResultPath,
    /// a limit): AWS puts the state and its entered event in front of the cause (`An error
    /// occurred while executing the state 'Check Address' (entered at the event id #7). The
    /// JSONPath '$.application.address' specified for the field 'address.$' could not be found
    /// in the input '{"flagged":false}'`, from AWS's own workshop and re-checked by emulators
    /// against us-east-1), then it goes to Retry and Catch like any error.
    fn fault(&mut self, fiber: usize, e: StatesError) {
        let e = self.prefixed(fiber, e);
        self.handle_error(fiber, e, Also::Nothing, None);
    }

    fn prefixed(&self, fiber: usize, e: StatesError) -> StatesError {
        let Some(state) = self.current(fiber) else { return e };
        let entered = self.fiber(fiber).entered_event;
        StatesError::new(
            e.error,
            format!(
                "An error occurred while executing the state '{}' (entered at the event id #{entered}). {}",
                self.machine.state(state).name,
                e.cause
            ),
        )
    }

    /// Retry, catch, or fail the thread. `also` names what a Retrier or Catcher may match the
    /// error by besides its name ([`Also`]). `failed` is a Parallel's or
    /// Map's `*StateFailed` event: AWS records it only when the state does not retry (a retried
    /// Parallel goes straight from the failing branch's event to a new ParallelStateStarted).
    fn handle_error(&mut self, fiber: usize, e: StatesError, also: Also, failed: Option<Details>) {
        if self.is_done() {
            return;
        }
        let Some(state) = self.current(fiber) else { return };
        // A Map or Parallel that fails after its children succeeded exits (if caught) from its
        // failure event, not from its last child's.
        self.fiber_mut(fiber).exit_prev = None;
        if e.is_terminal() && also != Also::TaskErrors {
            // States.Runtime and States.DataLimitExceeded are never retried or caught.
            return self.terminal_failure(fiber, e);
        }
        let machine = self.machine.clone();
        let st = machine.state(state);
        self.cancel_children(fiber, None);
        let matches = |name: &str, error: &str| error_matches(name, error) || also.matches(name);
        if let Some((i, r)) =
            st.retry.iter().enumerate().find(|(_, r)| r.error_equals.iter().any(|n| matches(n, &e.error)))
        {
            let attempts = self.fiber(fiber).retries.get(i).copied().unwrap_or(0);
            if attempts < r.max_attempts {
                let attempt = attempts + 1;
                let mut delay = r.backoff_seconds(attempt);
                if let Some(max) = r.max_delay_seconds {
                    delay = delay.min(max);
                }
                if r.jitter_full {
                    delay *= self.rng.next_f64();
                }
                let delay_ms = (delay * 1000.0).round().min(4e15) as i64;
                {
                    let f = self.fiber_mut(fiber);
                    if let Some(a) = f.retries.get_mut(i) {
                        *a = attempt;
                    }
                    f.retry_count += 1;
                    f.gen = f.gen.wrapping_add(1);
                }
                // The retry's transition is billed when it starts (Ev::Retry): a thread aborted
                // while it waits (a sibling branch failed) never makes it.
                let now = self.now;
                if let Some(v) = self.visit_mut(fiber) {
                    v.retries.push(RetryRecord { retrier: i, attempt, error: e, delay_ms, at: now });
                }
                let at = self.now.saturating_add(delay_ms);
                let gen = self.fiber(fiber).gen;
                self.fiber_mut(fiber).waiting = Some(("retry", Some(at)));
                self.schedule(at, Ev::Retry { fiber, gen });
                return;
            }
        }
        // A Map or Parallel records its failure whatever caused it, its children or its own
        // fields (AWS, as recorded by floci: an `Items` expression failing before the Map starts
        // still leaves MapStateFailed).
        if let Some(d) = failed.or_else(|| join_failed(&st.kind, &e)) {
            self.emit(fiber, Some(state), d);
        }
        if let Some((i, c)) =
            st.catch.iter().enumerate().find(|(_, c)| c.error_equals.iter().any(|n| matches(n, &e.error)))
        {
            let error_output = Value::object_from([
                ("Error", Value::string(e.error.as_str())),
                ("Cause", Value::string(e.cause.as_str())),
            ]);
            // A Catcher runs in the state's own scope, so it may assign the variables a Parallel
            // or Map shares with the states around it; the state's own Assign does not run.
            let caught = match st.query_language {
                QueryLanguage::JSONata => self.j_catch(fiber, c, &error_output),
                QueryLanguage::JSONPath => {
                    let raw = self.fiber(fiber).raw_input.clone();
                    apply_result_path(&c.result_path, raw, error_output.clone()).and_then(|output| {
                        let assigned = match &c.assign {
                            Some(Payload::Path(t)) => {
                                let (ctx, _) = self.env_parts(fiber, state);
                                self.eval_assign(fiber, t, &error_output, &ctx)?
                            }
                            _ => Vec::new(),
                        };
                        Ok((output, assigned))
                    })
                }
            };
            let (output, assigned) = match caught {
                Ok(x) => x,
                Err(e2) => {
                    // The Catcher itself failed: a Map or Parallel records a second failure
                    // (AWS, as recorded by floci for a Catcher whose Output fails).
                    let e2 = self.prefixed(fiber, e2);
                    if let Some(d) = join_failed(&st.kind, &e2).filter(|_| !e2.is_terminal()) {
                        self.emit(fiber, Some(state), d);
                    }
                    self.mark_failed(fiber, &e2);
                    return self.thread_failed(fiber, e2, Also::Nothing);
                }
            };
            if let Some(v) = self.visit_mut(fiber) {
                v.status = VisitStatus::Caught { error: e, catcher: i };
            }
            self.apply_assigned(fiber, assigned);
            self.exit_to(fiber, state, output, Some(c.next));
            return;
        }
        self.mark_failed(fiber, &e);
        self.thread_failed(fiber, e, also);
    }

    /// Records that the thread's current visit failed with `e`.
    fn mark_failed(&mut self, fiber: usize, e: &StatesError) {
        let now = self.now;
        if let Some(v) = self.visit_mut(fiber) {
            v.status = VisitStatus::Failed(e.clone());
            v.exited_at = Some(now);
        }
    }

    /// A terminal error (`States.Runtime`, `States.DataLimitExceeded`) ends the execution that
    /// holds the thread at once: no Parallel or Map around it records a failure, nothing is
    /// aborted, and ExecutionFailed points at the failing state's last event (AWS, as recorded
    /// by emulators against us-east-1: a Runtime error in a branch gives `ParallelStateStarted,
    /// PassStateEntered, ExecutionFailed`). Inside a Distributed Map the execution that ends is
    /// the child's, which the Map Run counts as a failed item.
    fn terminal_failure(&mut self, fiber: usize, e: StatesError) {
        if let Some(v) = self.visit_mut(fiber) {
            if v.status == VisitStatus::Running {
                v.status = VisitStatus::Failed(e.clone());
            }
        }
        let cause = self.fiber(fiber).last_event;
        let mut f = fiber;
        while let Some((p, _)) = self.fiber(f).parent {
            if self.fiber(p).join.as_ref().is_some_and(|j| j.distributed) {
                self.kill(f);
                return self.child_failed(f, e, Also::Nothing);
            }
            f = p;
        }
        self.kill(0);
        self.emit_after(0, cause, None, Details::ExecutionFailed(err_details(&e)));
        self.end(0, Status::Failed(e));
    }

    /// Stops a thread and everything below it without recording anything.
    fn kill(&mut self, fiber: usize) {
        let children = self.fiber(fiber).join.as_ref().map(|j| j.children.clone()).unwrap_or_default();
        for c in children {
            if self.fibers.get(c).is_some_and(|f| f.alive) {
                self.kill(c);
            }
        }
        let now = self.now;
        self.thread_ended(fiber);
        let f = self.fiber_mut(fiber);
        f.gen = f.gen.wrapping_add(1);
        f.waiting = None;
        f.join = None;
        if let Some(v) = self.visit_mut(fiber) {
            if v.status == VisitStatus::Running {
                v.status = VisitStatus::Aborted;
            }
            if v.exited_at.is_none() {
                v.exited_at = Some(now);
            }
        }
    }

    /// A thread ended with an error nothing in it handled.
    fn thread_failed(&mut self, fiber: usize, e: StatesError, also: Also) {
        if self.is_done() {
            return;
        }
        if e.is_terminal() && also != Also::TaskErrors {
            return self.terminal_failure(fiber, e);
        }
        self.thread_ended(fiber);
        if self.fiber(fiber).parent.is_none() {
            self.emit(0, None, Details::ExecutionFailed(err_details(&e)));
            self.end(0, Status::Failed(e));
            return;
        }
        self.child_failed(fiber, e, also);
    }

    /// A branch or iteration failed: its Parallel or Map fails, or (Distributed Map) counts it
    /// against the tolerated failures.
    fn child_failed(&mut self, fiber: usize, e: StatesError, also: Also) {
        let Some((parent, slot)) = self.fiber(fiber).parent else { return };
        // AWS links everything the failure sets off (the iteration's failure, the siblings'
        // aborts, the Map's or Parallel's own failure) to the event that failed the child:
        // LocalStack's AWS-recorded `timeouts/test_timeouts.snapshot.json`,
        // `test_service_lambda_map_timeout`.
        let cause = self.fiber(fiber).last_event;
        let pstate = self.current(parent);
        let name = pstate.map(|s| self.machine.state(s).name.clone()).unwrap_or_else(|| Rc::from(""));
        // Read, not copied: a copy per failed child took every result so far, each time.
        let Some((is_map, anchor, tally)) = self
            .fiber(parent)
            .join
            .as_ref()
            .map(|j| (j.is_map, j.last_child_event, j.distributed.then(|| j.failures_after(slot))))
        else {
            return;
        };
        if is_map {
            self.emit_after(
                fiber,
                cause,
                pstate,
                Details::MapIterationFailed(MapIteration { name: name.clone(), index: slot }),
            );
        }
        // A Task whose error ends its branch or iteration is then recorded as aborted, after the
        // iteration's failure (AWS: TaskTimedOut, MapIterationFailed, TaskStateAborted in
        // `test_service_lambda_map_timeout`; TaskFailed, TaskStateAborted, ParallelStateFailed
        // as recorded by floci for its issue #2868). We pin this for Tasks only.
        if let Some(s) = self.current(fiber) {
            if matches!(self.machine.state(s).kind, Kind::Task(_)) {
                self.emit_after(fiber, cause, Some(s), Details::StateAborted { state_type: "Task" });
            }
        }
        if let Some((failures, over)) = tally {
            // A child execution failed. Its events are not in this history, so what follows
            // points back to MapRunStarted.
            if !over {
                if let Some(j) = self.fiber_mut(parent).join.as_mut() {
                    j.failures = failures;
                    j.running = j.running.saturating_sub(1);
                    j.done += 1;
                }
                self.start_iterations(parent, anchor);
                if self.fiber(parent).join.as_ref().is_some_and(|j| j.done == j.results.len()) {
                    let gen = self.fiber(parent).gen;
                    self.schedule(self.now, Ev::JoinDone { fiber: parent, gen });
                }
                return;
            }
            // The wording AWS's TestState gives for this error (quoted by LocalStack's
            // `test_state` mock support and other emulators).
            let e = StatesError::new(
                names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            );
            return self.fail_join(parent, e, anchor, Also::Nothing);
        }
        self.fail_join(parent, e, cause, also);
    }

    /// A Parallel or Map fails: its other threads stop, and the error goes to its own Retry/Catch.
    /// `cause` is the event that failed it, which the abort and failure events point back to.
    fn fail_join(&mut self, parent: usize, e: StatesError, cause: u32, also: Also) {
        let Some((is_map, distributed)) = self.fiber(parent).join.as_ref().map(|j| (j.is_map, j.distributed))
        else {
            return;
        };
        let pstate = self.current(parent);
        self.cancel_children(parent, Some(cause));
        self.fiber_mut(parent).last_event = cause;
        let details = if is_map {
            if distributed {
                self.emit_after(parent, cause, pstate, Details::MapRunFailed(err_details(&e)));
                self.fiber_mut(parent).last_event = cause;
            }
            Details::MapStateFailed(err_details(&e))
        } else {
            Details::ParallelStateFailed(err_details(&e))
        };
        self.handle_error(parent, e, also, Some(details));
    }

    /// Stops every live thread below `fiber`, emitting abort events for work in progress. With a
    /// `cause`, every event emitted points back to it (as AWS does when a sibling fails);
    /// without, each points to its own thread's last event.
    fn cancel_children(&mut self, fiber: usize, cause: Option<u32>) {
        let Some(join) = self.fiber_mut(fiber).join.take() else { return };
        let pstate = self.current(fiber);
        let name = pstate.map(|s| self.machine.state(s).name.clone()).unwrap_or_else(|| Rc::from(""));
        for (slot, &child) in join.children.iter().enumerate() {
            if !self.fibers.get(child).is_some_and(|f| f.alive) {
                continue;
            }
            if join.is_map {
                // The iteration's abort comes first, then its state's (AWS:
                // `test_service_lambda_map_timeout`).
                let index = self.fiber(child).parent.map_or(slot, |(_, s)| s);
                let prev = cause.unwrap_or(self.fiber(child).last_event);
                self.emit_after(
                    child,
                    prev,
                    pstate,
                    Details::MapIterationAborted(MapIteration { name: name.clone(), index }),
                );
            }
            self.cancel_thread(child, cause);
        }
    }

    fn cancel_thread(&mut self, fiber: usize, cause: Option<u32>) {
        // A Map or Parallel in progress waits on its children, not on a timer.
        let in_progress = self.fiber(fiber).waiting.is_some() || self.fiber(fiber).join.is_some();
        let state = self.current(fiber);
        // A container's own abort comes after its children's.
        self.cancel_children(fiber, cause);
        self.thread_ended(fiber);
        {
            let f = self.fiber_mut(fiber);
            f.gen = f.gen.wrapping_add(1);
            f.waiting = None;
        }
        if let Some(s) = state {
            let ty = self.machine.state(s).type_name();
            if in_progress && matches!(ty, "Task" | "Wait" | "Map" | "Parallel") {
                let prev = cause.unwrap_or(self.fiber(fiber).last_event);
                self.emit_after(fiber, prev, Some(s), Details::StateAborted { state_type: ty });
            }
            let now = self.now;
            if let Some(v) = self.visit_mut(fiber) {
                if v.status == VisitStatus::Running {
                    v.status = VisitStatus::Aborted;
                    v.exited_at = Some(now);
                }
            }
        }
    }

    /// Stops everything (timeout, budget, history limit).
    fn abort_all(&mut self) {
        self.cancel_thread(0, None);
    }

    fn spawn(
        &mut self,
        parent: usize,
        slot: usize,
        thread: String,
        vars: Rc<VarFrame>,
        silent: bool,
    ) -> usize {
        let id = self.fibers.len();
        let last = self.fiber(parent).last_event;
        let silent = silent || self.fiber(parent).silent;
        let express = self.fiber(parent).express;
        self.fibers.push(Fiber {
            parent: Some((parent, slot)),
            thread: Rc::from(thread),
            state: None,
            raw_input: Value::Null,
            effective: Value::Null,
            entered_at: self.now,
            retries: Vec::new(),
            retry_count: 0,
            last_event: last,
            gen: 0,
            alive: true,
            visit: 0,
            join: None,
            task_token: None,
            vars,
            waiting: None,
            silent,
            exit_prev: None,
            entered_event: 0,
            assigned: Vec::new(),
            after_input_path: Value::Null,
            express,
            express_child: None,
        });
        id
    }

    fn child_thread(&self, parent: usize, state: StateId, suffix: &str) -> String {
        let base = &self.fiber(parent).thread;
        let name = &self.machine.state(state).name;
        if base.is_empty() {
            format!("{name}{suffix}")
        } else {
            format!("{base}/{name}{suffix}")
        }
    }

    fn start_parallel(&mut self, fiber: usize, state: StateId, branches: &[ScopeId], eff: Value) {
        let started = self.emit(fiber, Some(state), Details::ParallelStateStarted);
        let vars = Rc::new(VarFrame { vars: Map::default(), parent: Some(self.fiber(fiber).vars.clone()) });
        let mut children = Vec::with_capacity(branches.len());
        for (i, &scope) in branches.iter().enumerate() {
            let thread = self.child_thread(fiber, state, &format!("[{i}]"));
            let child = self.spawn(fiber, i, thread, vars.clone(), false);
            children.push(child);
            self.map_parallel_steps += 1;
            let start = self.machine.scope(scope).start;
            self.schedule(self.now, Ev::Enter { fiber: child, state: start, input: eff.clone() });
        }
        self.fiber_mut(fiber).join = Some(Join {
            results: vec![None; branches.len()],
            items: Vec::new(),
            keys: None,
            next: branches.len(),
            running: branches.len(),
            done: 0,
            limit: branches.len(),
            children,
            is_map: false,
            distributed: false,
            failures: 0,
            batch_sizes: Vec::new(),
            tolerated_count: None,
            tolerated_percentage: None,
            last_child_event: started,
            map_run_arn: None,
        });
    }

    fn start_map(&mut self, fiber: usize, state: StateId, spec: &MapSpec) -> Result<(), StatesError> {
        let machine = self.machine.clone();
        let st = machine.state(state);
        let (ctx, vars) = self.env_parts(fiber, state);
        self.record_context(fiber, &ctx);
        let raw = self.fiber(fiber).raw_input.clone();
        let jsonata = st.query_language == QueryLanguage::JSONata;
        let after_ip = select_field(&st.io.input_path, raw, &ctx, &vars)?;
        if let Some(v) = self.visit_mut(fiber).filter(|_| !jsonata) {
            v.stages.after_input_path = Some(after_ip.clone());
        }
        // The input after InputPath: the ItemReader's and ResultWriter's Parameters read it.
        self.fiber_mut(fiber).effective = after_ip.clone();
        self.fiber_mut(fiber).after_input_path = after_ip.clone();
        let distributed = matches!(spec.mode, MapMode::Distributed { .. });
        let source = if let Some(reader) = &spec.item_reader {
            let data = self.stubs.item_reader(&st.name).cloned().ok_or_else(|| {
                StatesError::new(
                    names::ITEM_READER_FAILED,
                    format!(
                        "Map state '{}' reads its items from {} ({}), which Statelab does not reach: supply them in the stubs as {{\"{}\": {{\"ItemReader\": [...]}}}}",
                        st.name,
                        reader.resource,
                        reader.parameters.as_ref().map(|_| "S3").unwrap_or("S3"),
                        st.name
                    ),
                )
            })?;
            let data = read_items(data, &reader.reader_config)?;
            if !matches!(data, Value::Array(_) | Value::Object(_)) {
                // Said as an ItemReader failure: the ItemsPath below names the state's input.
                return Err(StatesError::new(
                    names::ITEM_READER_FAILED,
                    format!(
                        "The items Map state '{}' reads through its ItemReader must be an array (or an object, or CSV or JSONL text), not {}",
                        st.name,
                        data.type_name()
                    ),
                ));
            }
            match &reader.max_items {
                Some(src) => {
                    let max = self.number(fiber, state, src, &after_ip, "MaxItemsPath")? as usize;
                    match data.as_array() {
                        Some(items) if max > 0 && items.len() > max => {
                            Value::array(items.iter().take(max).cloned().collect())
                        }
                        _ => data,
                    }
                }
                None => data,
            }
        } else if let Some(items) = &spec.items {
            self.j_items(fiber, items)?
        } else {
            select_field(&spec.items_path, after_ip.clone(), &ctx, &vars)?
        };
        if let Some(v) = self.visit_mut(fiber) {
            v.stages.after_items_path = Some(source.clone());
        }
        let (items, keys): (Vec<Value>, Option<Vec<Key>>) = match &source {
            Value::Array(_) => (source.as_array().unwrap_or_default().to_vec(), None),
            Value::Object(_) => {
                let m = source.as_object().into_iter().flatten();
                let (k, v): (Vec<Key>, Vec<Value>) = m.map(|(k, v)| (k.clone(), v.clone())).unzip();
                (v, Some(k))
            }
            other => {
                // A JSONata Map has no ItemsPath: with no Items its input is the items.
                let what = if jsonata {
                    format!("The input of Map state '{}' (it has no Items) must be", st.name)
                } else {
                    format!("The ItemsPath of Map state '{}' must select", st.name)
                };
                return Err(StatesError::runtime(format!(
                    "{what} an array (or an object), not {}",
                    other.type_name()
                )));
            }
        };
        // ItemSelector shapes each item before ItemBatcher groups them (AWS's order, as TestState
        // reports the stages: afterItemsPath, afterItemSelector, afterItemBatcher), so
        // `$$.Map.Item` is one item there, not a batch.
        let (items, batch_sizes) = match &spec.item_batcher {
            Some(b) => {
                let mut selected = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let key = keys.as_ref().and_then(|k| k.get(i));
                    selected.push(self.item_input(fiber, spec, i, item, key)?);
                }
                self.batch(fiber, state, b, selected, &after_ip)?
            }
            None => (items, Vec::new()),
        };
        let concurrency = match &spec.max_concurrency {
            Some(src) => self.number(fiber, state, src, &after_ip, "MaxConcurrencyPath")? as usize,
            None => 0,
        };
        let limit = match (concurrency, distributed) {
            (0, false) => INLINE_MAP_CONCURRENCY,
            (0, true) => DISTRIBUTED_MAP_CONCURRENCY,
            (n, false) => n.min(INLINE_MAP_CONCURRENCY),
            (n, true) => n,
        };
        let tolerated_count = match &spec.tolerated_failure_count {
            Some(s) => Some(self.number(fiber, state, s, &after_ip, "ToleratedFailureCountPath")? as u64),
            None => None,
        };
        let tolerated_percentage = match &spec.tolerated_failure_percentage {
            Some(s) => Some(self.number(fiber, state, s, &after_ip, "ToleratedFailurePercentagePath")?),
            None => None,
        };
        let n = items.len();
        let mut started = self.emit(fiber, Some(state), Details::MapStateStarted { length: n });
        let mut map_run_arn = None;
        if distributed {
            let arn: Rc<str> = Rc::from(format!(
                "arn:{}:states:{}:{}:mapRun:{}/{}:{MAP_RUN_ID}",
                self.options.partition(),
                self.options.region,
                self.options.account,
                self.options.state_machine_name,
                spec.label.as_deref().unwrap_or(&st.name)
            ));
            started = self.emit(fiber, Some(state), Details::MapRunStarted { map_run_arn: arn.clone() });
            map_run_arn = Some(arn);
        }
        self.fiber_mut(fiber).join = Some(Join {
            results: vec![None; n],
            items,
            keys: if spec.item_batcher.is_some() { None } else { keys },
            next: 0,
            running: 0,
            done: 0,
            limit: limit.max(1),
            children: Vec::with_capacity(n),
            is_map: true,
            distributed,
            failures: 0,
            batch_sizes,
            tolerated_count,
            tolerated_percentage,
            last_child_event: started,
            map_run_arn,
        });
        if n == 0 {
            let gen = self.fiber(fiber).gen;
            self.schedule(self.now, Ev::JoinDone { fiber, gen });
        } else {
            // The first iterations all point back to MapStateStarted (AWS:
            // `test_service_lambda_map_timeout`).
            self.start_iterations(fiber, started);
        }
        Ok(())
    }

    /// ItemBatcher: groups items into `{"Items": [...]}` batches (plus `BatchInput`), and says
    /// how many items each holds.
    fn batch(
        &mut self,
        fiber: usize,
        state: StateId,
        b: &ItemBatcherSpec,
        items: Vec<Value>,
        doc: &Value,
    ) -> Result<(Vec<Value>, Vec<usize>), StatesError> {
        let max_items = match &b.max_items {
            Some(s) => self.number(fiber, state, s, doc, "MaxItemsPerBatchPath")? as usize,
            None => 0,
        };
        let max_bytes = match &b.max_bytes {
            Some(s) => self.number(fiber, state, s, doc, "MaxInputBytesPerBatchPath")? as usize,
            None => MAX_PAYLOAD_BYTES,
        };
        let batch_input = match &b.batch_input {
            Some(Payload::Path(t)) => {
                let (ctx, vars) = self.env_parts(fiber, state);
                let b = self.eval_template(t, doc, &ctx, &vars)?;
                check_payload("BatchInput", &b)?;
                Some(b)
            }
            Some(Payload::Jsonata(t)) => Some(self.j_payload(fiber, t)?),
            None => None,
        };
        let mut out = Vec::new();
        let mut sizes = Vec::new();
        let mut cur: Vec<Value> = Vec::new();
        let mut bytes: usize = 0;
        for item in items {
            let len = item.json_len().saturating_add(1);
            if !cur.is_empty()
                && ((max_items > 0 && cur.len() >= max_items) || bytes.saturating_add(len) > max_bytes)
            {
                sizes.push(cur.len());
                out.push(make_batch(std::mem::take(&mut cur), &batch_input));
                bytes = 0;
            }
            bytes = bytes.saturating_add(len);
            cur.push(item);
        }
        if !cur.is_empty() {
            sizes.push(cur.len());
            out.push(make_batch(cur, &batch_input));
        }
        Ok((out, sizes))
    }

    /// Starts queued Map iterations up to the concurrency limit. Their `MapIterationStarted`
    /// events point back to `trigger`: MapStateStarted for the first ones, then the last event of
    /// the iteration whose slot they take.
    fn start_iterations(&mut self, fiber: usize, trigger: u32) {
        let Some(state) = self.current(fiber) else { return };
        let machine = self.machine.clone();
        let st = machine.state(state);
        let Kind::Map(spec) = &st.kind else { return };
        loop {
            let Some(join) = self.fiber(fiber).join.as_ref() else { return };
            if join.running >= join.limit || join.next >= join.items.len() {
                return;
            }
            let i = join.next;
            let item = join.items.get(i).cloned().unwrap_or_default();
            let key = join.keys.as_ref().and_then(|k| k.get(i)).cloned();
            let distributed = join.distributed;
            if let Some(j) = self.fiber_mut(fiber).join.as_mut() {
                j.next += 1;
                j.running += 1;
            }
            // Batches were made of items already through the ItemSelector (`start_map`).
            let input = if spec.item_batcher.is_some() {
                Ok(item)
            } else {
                self.item_input(fiber, spec, i, item, key.as_ref())
            };
            let input = match input {
                Ok(v) => v,
                Err(e) => {
                    if let Some(j) = self.fiber_mut(fiber).join.as_mut() {
                        j.running = j.running.saturating_sub(1);
                    }
                    let cause = self.fiber(fiber).last_event;
                    let e = self.prefixed(fiber, e);
                    return self.fail_join(fiber, e, cause, Also::Nothing);
                }
            };
            // A Distributed Map's children are separate executions: AWS records none of their
            // events in this history (only MapRunStarted and how the run ended; as recorded by
            // floci against us-east-1 for its issue #2868). Statelab still runs them here, so
            // their visits and steps show in the debugger.
            if !distributed {
                self.emit_after(
                    fiber,
                    trigger,
                    Some(state),
                    Details::MapIterationStarted(MapIteration { name: st.name.clone(), index: i }),
                );
            } else if !self.fiber(fiber).express {
                // A child execution started is a billed transition of the parent (unless the
                // parent is itself an Express child, billed by its duration).
                self.transitions += 1;
            }
            let thread = self.child_thread(fiber, state, &format!("#{i}"));
            // A Distributed Map's children are separate executions: they see no variables.
            let vars = if distributed {
                Rc::new(VarFrame::default())
            } else {
                Rc::new(VarFrame { vars: Map::default(), parent: Some(self.fiber(fiber).vars.clone()) })
            };
            let child = self.spawn(fiber, i, thread, vars, distributed);
            if let MapMode::Distributed { express: true } = spec.mode {
                let index = self.express_children.len();
                self.express_children.push((self.now, None));
                let f = self.fiber_mut(child);
                f.express = true;
                f.express_child = Some(index);
                // Scheduled before the child's first state, so a wait that ends at the limit
                // itself loses to it, as at the top level.
                let limit = self.now.saturating_add((EXPRESS_MAX_SECONDS * 1000.0) as i64);
                self.schedule(limit, Ev::ChildTimeout { fiber: child });
            }
            if let Some(j) = self.fiber_mut(fiber).join.as_mut() {
                j.children.push(child);
            }
            self.map_parallel_steps += 1;
            let start = self.machine.scope(spec.processor).start;
            self.schedule(self.now, Ev::Enter { fiber: child, state: start, input });
        }
    }

    /// The input of a Map's item `i`: what its ItemSelector makes of it, or else the item itself
    /// (`{"Key", "Value"}` when the Map iterates an object).
    fn item_input(
        &mut self,
        fiber: usize,
        spec: &MapSpec,
        i: usize,
        item: Value,
        key: Option<&Key>,
    ) -> Result<Value, StatesError> {
        let selected = match &spec.item_selector {
            Some(Payload::Path(t)) => {
                let ctx = self.context(fiber, Some((i, &item, key)));
                let doc = self.fiber(fiber).effective.clone();
                let vars = self.fiber(fiber).vars.clone();
                self.eval_template(t, &doc, &ctx, &vars)?
            }
            Some(Payload::Jsonata(t)) => self.j_item_selector(fiber, t, i, &item, key)?,
            None => {
                return Ok(match key {
                    Some(k) => Value::object_from([("Key", Value::String(k.clone())), ("Value", item)]),
                    None => item,
                })
            }
        };
        check_payload("item input after ItemSelector", &selected)?;
        Ok(selected)
    }

    /// A Distributed Map's output when its ResultWriter exports the results to S3 (nothing is
    /// written): where AWS would have put them, `{"MapRunArn", "ResultWriterDetails": {"Bucket",
    /// "Key": "<Prefix>/<map run id>/manifest.json"}}`, as a real run's output shows it (AWS's
    /// ResultWriter page describes the export; the shape is from a recorded execution). The
    /// `Parameters` (`Arguments`) are evaluated on the Map's input after InputPath.
    fn result_writer_output(
        &mut self,
        fiber: usize,
        state: StateId,
        args: &Payload,
        arn: &Rc<str>,
    ) -> Result<Value, StatesError> {
        let args = match args {
            Payload::Path(t) => {
                let doc = self.fiber(fiber).after_input_path.clone();
                let (ctx, vars) = self.env_parts(fiber, state);
                self.eval_template(t, &doc, &ctx, &vars)?
            }
            Payload::Jsonata(t) => self.j_payload(fiber, t)?,
        };
        let text = |k: &str| args.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let prefix = text("Prefix");
        let key = if prefix.is_empty() {
            format!("{MAP_RUN_ID}/manifest.json")
        } else {
            format!("{}/{MAP_RUN_ID}/manifest.json", prefix.trim_end_matches('/'))
        };
        let details = Value::object_from([
            ("Bucket", Value::string(text("Bucket").as_str())),
            ("Key", Value::string(key.as_str())),
        ]);
        Ok(Value::object_from([("MapRunArn", Value::string(&**arn)), ("ResultWriterDetails", details)]))
    }

    fn join_done(&mut self, fiber: usize) {
        let Some(state) = self.current(fiber) else { return };
        let Some(join) = self.fiber_mut(fiber).join.take() else { return };
        // A Distributed Map leaves the items it tolerated failing out of its result.
        let results: Vec<Value> = join.results.into_iter().flatten().collect();
        let anchor = join.last_child_event;
        if join.is_map {
            let mut prev = anchor;
            if join.distributed {
                prev = self.emit_after(fiber, anchor, Some(state), Details::MapRunSucceeded);
            }
            self.emit_after(fiber, prev, Some(state), Details::MapStateSucceeded);
        } else {
            self.emit_after(fiber, anchor, Some(state), Details::ParallelStateSucceeded);
        }
        // The state's exit points to the same event as its `*StateSucceeded` (for a Distributed
        // Map, to MapRunStarted), while an error after this point follows the `*StateSucceeded`
        // (AWS, as recorded by floci for its issue #2868).
        self.fiber_mut(fiber).exit_prev = Some(anchor);
        let machine = self.machine.clone();
        let writer = match &machine.state(state).kind {
            Kind::Map(spec) => spec.result_writer.as_ref(),
            _ => None,
        };
        let result = match (writer.and_then(|w| w.export.as_ref()), join.map_run_arn) {
            // Exported: the results are not the output (nothing is written).
            (Some(args), Some(arn)) => match self.result_writer_output(fiber, state, args, &arn) {
                Ok(v) => v,
                Err(e) => return self.fault(fiber, e),
            },
            // FLATTEN: a child's array output gives its items, one level.
            _ if writer.is_some_and(|w| w.flatten) => {
                let mut flat = Vec::with_capacity(results.len());
                for r in results {
                    match r.as_array() {
                        Some(items) => flat.extend(items.iter().cloned()),
                        None => flat.push(r),
                    }
                }
                Value::array(flat)
            }
            _ => Value::array(results),
        };
        if result.json_len() > MAX_PAYLOAD_BYTES {
            let e = result_limit(&self.machine.state(state).name, "result", result.json_len());
            return self.handle_error(fiber, e, Also::Nothing, None);
        }
        if let Err(e) = self.with_result(fiber, state, result) {
            self.fault(fiber, e);
        }
    }
}

/// The id ending every Map Run's ARN: AWS's is a UUID, one run's is enough here.
const MAP_RUN_ID: &str = "statelab";

fn make_batch(items: Vec<Value>, batch_input: &Option<Value>) -> Value {
    let mut m = Map::default();
    if let Some(b) = batch_input {
        m.insert("BatchInput".into(), b.clone());
    }
    m.insert("Items".into(), Value::array(items));
    Value::object(m)
}

/// Items supplied for an ItemReader: JSON as is, or CSV/JSONL text per `ReaderConfig.InputType`.
fn read_items(data: Value, config: &Value) -> Result<Value, StatesError> {
    let Some(text) = data.as_str() else { return Ok(data) };
    match config.get("InputType").and_then(Value::as_str) {
        Some("CSV") => {
            let delim = match config.get("CSVDelimiter").and_then(Value::as_str) {
                Some("SEMICOLON") => ';',
                Some("TAB") => '\t',
                Some("PIPE") => '|',
                Some("SPACE") => ' ',
                _ => ',',
            };
            let mut lines = text.lines().filter(|l| !l.is_empty());
            let headers: Vec<String> = match config.get("CSVHeaders").and_then(Value::as_array) {
                Some(h) if config.get("CSVHeaderLocation").and_then(Value::as_str) == Some("GIVEN") => {
                    h.iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
                }
                _ => lines.next().map(|l| split_csv(l, delim)).unwrap_or_default(),
            };
            let rows = lines
                .map(|l| {
                    let cells = split_csv(l, delim);
                    Value::object_from(headers.iter().zip(cells).map(|(h, c)| (h.as_str(), Value::string(c))))
                })
                .collect();
            Ok(Value::array(rows))
        }
        Some("JSONL") => {
            let mut out = Vec::new();
            for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
                out.push(crate::json::parse(line).map_err(|e| {
                    StatesError::new(
                        names::ITEM_READER_FAILED,
                        format!("Line {} of the JSONL items is not JSON: {e}", i + 1),
                    )
                })?);
            }
            Ok(Value::array(out))
        }
        _ => crate::json::parse(text)
            .map_err(|e| StatesError::new(names::ITEM_READER_FAILED, format!("The items are not JSON: {e}"))),
    }
}

/// Splits one CSV line, honouring double quotes.
fn split_csv(line: &str, delim: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == delim && !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// States.NoChoiceMatched, as the ASL spec, AWS's list of error names and this project's
/// reference say; it is catchable. One emulator (floci) reports AWS failing with States.Runtime
/// and this cause instead: the cause is kept, the name follows the documentation (see
/// tests/cases/exec/choice/no_choice_matched).
/// What a Choice assigns: the state's `Assign` applies whichever way it goes ("an Assign block
/// at the state level, which applies regardless of which choice rule matches", AWS's Choice
/// page), and the matched rule's on top of it. [?] AWS does not say which wins for a name both
/// set: here the rule's, the more specific (`tests/cases/exec/variables/choice_state_assign_always.json`).
fn choice_assigned(state: Assigned, rule: Assigned) -> Assigned {
    let mut out = state;
    for (name, value) in rule {
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = value,
            None => out.push((name, value)),
        }
    }
    out
}

fn no_choice_matched() -> StatesError {
    StatesError::new(
        names::NO_CHOICE_MATCHED,
        "Failed to transition out of the state. The state does not point to a next state.",
    )
}

fn unknown_resource(spec: &TaskSpec) -> TaskResource {
    TaskResource { resource_type: Rc::from("unknown"), resource: spec.resource.clone() }
}

fn err_details(e: &StatesError) -> ErrorDetails {
    ErrorDetails { error: Rc::from(e.error.as_str()), cause: Rc::from(e.cause.as_str()) }
}

fn task_token(rng: &mut Rng) -> Rc<str> {
    let mut s = String::with_capacity(64);
    for _ in 0..2 {
        for b in rng.bytes16() {
            s.push_str(&format!("{b:02x}"));
        }
    }
    Rc::from(s)
}

/// `$['a']['b'][0]`, as AWS (Jayway's PathNotFoundException) prints a path in its errors. Only
/// plain paths of names and indexes are rewritten; anything else is shown as written.
fn normalized(p: &JsonPath) -> String {
    let text = p.text();
    let Some(rest) = text.strip_prefix('$') else { return text.to_string() };
    let mut out = String::from("$");
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n == '.' || n == '[' {
                        break;
                    }
                    name.push(n);
                    chars.next();
                }
                if name.is_empty() || name.contains(['*', '@', '(', '?', '\'']) {
                    return text.to_string();
                }
                out.push_str("['");
                out.push_str(&name);
                out.push_str("']");
            }
            '[' => {
                let mut inner = String::new();
                for n in chars.by_ref() {
                    if n == ']' {
                        break;
                    }
                    inner.push(n);
                }
                let plain_index = !inner.is_empty() && inner.chars().all(|d| d.is_ascii_digit());
                let quoted = inner.len() >= 2
                    && inner.starts_with('\'')
                    && inner.ends_with('\'')
                    && !inner.contains(',');
                if !plain_index && !quoted {
                    return text.to_string();
                }
                out.push('[');
                out.push_str(&inner);
                out.push(']');
            }
            _ => return text.to_string(),
        }
    }
    out
}

/// The `*StateFailed` event of a Map or Parallel state.
fn join_failed(kind: &Kind, e: &StatesError) -> Option<Details> {
    match kind {
        Kind::Map(_) => Some(Details::MapStateFailed(err_details(e))),
        Kind::Parallel { .. } => Some(Details::ParallelStateFailed(err_details(e))),
        _ => None,
    }
}

/// InputPath, OutputPath or ItemsPath: `$` when absent, `{}` when null.
fn select_field(field: &PathField, doc: Value, ctx: &Value, vars: &VarFrame) -> Result<Value, StatesError> {
    match field {
        PathField::Default => Ok(doc),
        PathField::Null => Ok(Value::empty_object()),
        PathField::Path(p) => {
            let env = Env { input: &doc, context: ctx, vars };
            // LocalStack's wording, matched to AWS's recordings: Jayway's message after the path
            // as written (the state prefix is added by `fault`).
            env.select_checked(p)?.ok_or_else(|| {
                StatesError::runtime(format!(
                    "Invalid path '{}' : No results for path: {}",
                    p.text(),
                    normalized(p)
                ))
            })
        }
    }
}

/// ResultPath: where the result goes in the raw input.
fn apply_result_path(field: &PathField, raw: Value, result: Value) -> Result<Value, StatesError> {
    match field {
        PathField::Default => Ok(result),
        PathField::Null => Ok(raw),
        PathField::Path(p) => {
            p.set(raw, result).map_err(|cause| StatesError::new(names::RESULT_PATH_MATCH_FAILURE, cause))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn run(def: Value, input: Value, stubs: Value) -> Execution {
        let (m, d) = crate::compile::compile(&def);
        let m = m.unwrap_or_else(|| panic!("{d:?}"));
        let stubs = Stubs::from_stubs(&stubs).unwrap();
        let mut e = Execution::start(Rc::new(m), input, Rc::new(stubs), Options::default()).unwrap();
        e.run();
        e
    }

    #[test]
    fn pass_chain() {
        let e = run(
            json!({"StartAt": "A", "States": {
                "A": {"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.a", "Next": "B"},
                "B": {"Type": "Pass", "InputPath": "$.a", "End": true}
            }}),
            json!({"keep": true}),
            json!({}),
        );
        assert_eq!(e.status(), &Status::Succeeded(json!({"x": 1})));
        assert_eq!(e.history().len(), 6);
        assert_eq!(e.cost().billable_transitions, 2);
    }

    #[test]
    fn visit_at_finds_the_visit_a_step_concerned() {
        let (m, _) = crate::compile::compile(&json!({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "W"},
            "W": {"Type": "Wait", "Seconds": 5, "Next": "T2"},
            "T2": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "C"},
            "C": {"Type": "Choice", "Default": "W",
                  "Choices": [{"Variable": "$.done", "IsPresent": true, "Next": "Done"}]},
            "Done": {"Type": "Succeed"}
        }}));
        let opts = Options { max_steps: 6, ..Options::default() };
        let mut e = Execution::start(Rc::new(m.unwrap()), json!({}), Rc::new(Stubs::empty()), opts).unwrap();
        e.run();
        let name = |step| e.visit_at(step).map(|v| (&*e.machine().state(v.state).name, v.step));
        // 1 enters T, 2 completes it, 3 enters W, 4 ends the wait, 5 enters T2, 6 completes T2.
        assert_eq!(name(1), Some(("T", 1)));
        assert_eq!(name(2), Some(("T", 1)));
        assert_eq!(name(4), Some(("W", 3)));
        assert_eq!(name(6), Some(("T2", 5)));
        assert_eq!(name(0), None);
        assert_eq!(name(99), None);
        // Step 7 would have entered C: the budget stopped it, so no visit is its.
        assert_eq!(e.steps().last().map(|s| (s.index, s.kind)), Some((7, "budget")));
        assert!(e.visit_at(7).is_none());
    }

    #[test]
    fn retry_then_catch() {
        let e = run(
            json!({"StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
                      "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "MaxAttempts": 2}],
                      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "C"}]},
                "C": {"Type": "Succeed"}
            }}),
            json!({"a": 1}),
            json!({"T": {"Throw": {"Error": "Boom", "Cause": "bad"}}}),
        );
        assert_eq!(e.status(), &Status::Succeeded(json!({"a": 1, "err": {"Error": "Boom", "Cause": "bad"}})));
        // 2 s, then 4 s.
        assert_eq!(e.elapsed_ms(), 6000);
        assert_eq!(e.cost().billable_transitions, 4);
    }

    #[test]
    fn a_zero_interval_retries_at_once_however_many_times() {
        // BackoffRate 2 to the 1,024th power is infinite: the delay must stay 0, not become NaN.
        let mut throws = vec![serde_json::json!({"Throw": {"Error": "E"}}); 1100];
        throws.push(serde_json::json!({"Return": {"done": true}}));
        let e = run(
            json!({"StartAt": "T", "States": {
                "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
                      "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 0, "MaxAttempts": 2000}]}
            }}),
            json!({}),
            json!({"T": throws}),
        );
        assert_eq!(e.status(), &Status::Succeeded(json!({"done": true})));
        assert_eq!(e.elapsed_ms(), 0);
    }

    #[test]
    fn parallel_runs_side_by_side() {
        let e = run(
            json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "W1", "States": {"W1": {"Type": "Wait", "Seconds": 3, "End": true}}},
                {"StartAt": "W2", "States": {"W2": {"Type": "Wait", "Seconds": 5, "End": true}}}
            ]}}}),
            json!(7),
            json!({}),
        );
        assert_eq!(e.status(), &Status::Succeeded(json!([7, 7])));
        assert_eq!(e.elapsed_ms(), 5000);
    }

    #[test]
    fn events_due_at_the_same_moment_run_in_the_order_they_were_scheduled() {
        // Both Waits end at 2 s. The first branch's next state is scheduled when its Wait ends,
        // later than the second branch's Wait end (scheduled at 0 s): that Wait end, in the heap,
        // still goes before the entry, in the queue of what is due now.
        let e = run(
            json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "WA", "States": {"WA": {"Type": "Wait", "Seconds": 2, "Next": "A1"},
                    "A1": {"Type": "Pass", "Next": "A2"}, "A2": {"Type": "Pass", "End": true}}},
                {"StartAt": "WB", "States": {"WB": {"Type": "Wait", "Seconds": 2, "Next": "B1"},
                    "B1": {"Type": "Pass", "End": true}}}
            ]}}}),
            json!(1),
            json!({}),
        );
        let m = e.machine().clone();
        let order: Vec<String> = e
            .steps()
            .iter()
            .filter(|s| s.time > 1_767_225_600_000)
            .map(|s| format!("{} {}", s.kind, s.state.map_or("-", |id| &*m.state(id).name)))
            .collect();
        assert_eq!(order, ["wait WA", "wait WB", "enter A1", "enter B1", "enter A2", "join P"]);
    }

    #[test]
    fn runaway_loop_hits_budget() {
        let (m, _) = crate::compile::compile(
            &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Choice", "Choices": [{"Variable": "$", "IsPresent": true, "Next": "A"}], "Default": "C"}, "C": {"Type": "Succeed"}}}),
        );
        let opts = Options { max_steps: 100, ..Options::default() };
        let mut e = Execution::start(Rc::new(m.unwrap()), json!({}), Rc::new(Stubs::empty()), opts).unwrap();
        e.run();
        assert_eq!(e.status().name(), "ABORTED");
        assert_eq!(e.step_count(), 101);
    }

    /// [?] A start so late that the clock could pass year 9999 within the execution's time limit
    /// (a year for Standard, five minutes for Express, or the machine's TimeoutSeconds) would
    /// write timestamps RFC 3339 cannot (`+10000-01-01T...`): the execution does not start. AWS
    /// sets the start time itself, so it has no such case.
    #[test]
    fn start_times_keep_every_timestamp_writable() {
        let (m, _) =
            crate::compile::compile(&json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}));
        let m = Rc::new(m.unwrap());
        let start = |t: &str, workflow_type| {
            let opts =
                Options { start_time_ms: parse_millis(t).unwrap(), workflow_type, ..Options::default() };
            Execution::start(m.clone(), json!({}), Rc::new(Stubs::empty()), opts)
        };
        let e = start("9999-12-31T23:59:59Z", WorkflowType::Standard).unwrap_err();
        assert_eq!(e.error, "Statelab.InvalidStartTime");
        assert!(
            e.cause.contains("Start it between 0000-01-01T00:00:00.000Z and 9998-12-31T23:59:59.999Z"),
            "{}",
            e.cause
        );
        assert!(start("9998-12-31T23:59:59.999Z", WorkflowType::Standard).is_ok());
        assert!(start("9999-12-31T23:54:59Z", WorkflowType::Express).is_ok());
        assert!(start("9999-12-31T23:55:00Z", WorkflowType::Express).is_err());
        assert!(start("0000-01-01T00:00:00+01:00", WorkflowType::Standard).is_err());
    }

    /// [?] The region goes into every ARN: one not written like a region (an empty one from
    /// `--region ''`, a misspelling) is refused; a well-formed one outside the price table runs.
    /// AWS takes the region from the endpoint, so it has no such case.
    #[test]
    fn a_region_must_be_written_like_one() {
        let region = |r: &str| Options { region: r.into(), ..Options::default() }.check_region().is_ok();
        for good in ["us-east-1", "us-gov-west-1", "ap-southeast-2", "eu-central-2", "xx-mars-9"] {
            assert!(region(good), "{good}");
        }
        for (priced, _) in crate::cost::STANDARD_PER_1000 {
            assert!(region(priced), "{priced}");
        }
        for bad in ["", "us-east", "us_east_1", "US-EAST-1", "useast-1", "us--1", "us-east-1a", " us-east-1"]
        {
            assert!(!region(bad), "{bad:?}");
        }
        let (m, _) =
            crate::compile::compile(&json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}));
        let opts = Options { region: String::new(), ..Options::default() };
        let e = Execution::start(Rc::new(m.unwrap()), json!({}), Rc::new(Stubs::empty()), opts).unwrap_err();
        assert_eq!(e.error, "Statelab.InvalidRegion");
    }

    /// A budget of one step says "1 step", not "1 steps".
    #[test]
    fn a_one_step_budget_is_singular() {
        let (m, _) = crate::compile::compile(
            &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": true}}}),
        );
        let opts = Options { max_steps: 1, ..Options::default() };
        let mut e = Execution::start(Rc::new(m.unwrap()), json!({}), Rc::new(Stubs::empty()), opts).unwrap();
        e.run();
        let cause = &e.status().error().unwrap().cause;
        assert!(cause.starts_with("The execution was stopped after 1 step, its step budget."), "{cause}");
    }

    #[test]
    fn a_retry_that_never_starts_is_not_billed() {
        // Branch 0's Task fails and waits 10 s to retry; branch 1 fails at 1 s, which aborts
        // branch 0 before its retry: P, T, W, F are the transitions, not the retry (QA found 5).
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [
            {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 3}], "End": true}}},
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "F"}, "F": {"Type": "Fail", "Error": "Stop"}}}
        ], "End": true}}});
        let stubs = Stubs::from_stubs(&json!({"T": {"Throw": {"Error": "E", "Cause": "c"}}})).unwrap();
        let m = Rc::new(crate::compile::compile(&def).0.unwrap());
        let mut e = Execution::start(m, json!({}), Rc::new(stubs), Options::default()).unwrap();
        e.run();
        assert_eq!(e.status().name(), "FAILED");
        assert_eq!(e.usage().transitions, 4);
    }

    #[test]
    fn an_express_wait_of_exactly_five_minutes_times_out() {
        let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 300, "End": true}}});
        let m = Rc::new(crate::compile::compile(&def).0.unwrap());
        let run = |workflow_type| {
            let opts = Options { workflow_type, ..Options::default() };
            let mut e = Execution::start(m.clone(), json!({}), Rc::new(Stubs::empty()), opts).unwrap();
            e.run();
            e
        };
        let standard = run(WorkflowType::Standard);
        assert_eq!(standard.status().name(), "SUCCEEDED");
        assert_eq!(standard.elapsed_ms(), 300_000);
        // [?] AWS documents a five-minute limit, not which side of it exactly five minutes falls
        // on: the limit, scheduled first, falls due first.
        assert_eq!(run(WorkflowType::Express).status().name(), "TIMED_OUT");
    }

    #[test]
    fn an_express_child_execution_times_out_after_five_minutes() {
        // QA found a Distributed Map's Express children ran (and were billed) past Express's
        // five minutes: a 400 s Wait succeeded and was billed 400 s.
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ToleratedFailureCount": 1,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                "StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": true}}},
            "End": true}}});
        let m = Rc::new(crate::compile::compile(&def).0.unwrap());
        let opts = Options { inspect: true, ..Options::default() };
        let mut e = Execution::start(m, json!([400, 10]), Rc::new(Stubs::empty()), opts).unwrap();
        e.run();
        // One child timed out (tolerated), the other finished.
        assert_eq!(e.status().name(), "SUCCEEDED");
        assert_eq!(e.elapsed_ms(), 300_000);
        assert_eq!(e.usage().express_children_billed_ms, 300_000 + 10_000);
        assert!(e.visits().iter().any(|v| v.status == VisitStatus::Aborted && &*v.thread == "M#0"));
        // A Standard child has no such limit.
        let standard = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 400, "End": true}}},
            "End": true}}});
        let m = Rc::new(crate::compile::compile(&standard).0.unwrap());
        let mut e = Execution::start(m, json!([1]), Rc::new(Stubs::empty()), Options::default()).unwrap();
        e.run();
        assert_eq!((e.status().name(), e.elapsed_ms()), ("SUCCEEDED", 400_000));
    }

    #[test]
    fn history_limit_fails_the_execution() {
        let (m, _) = crate::compile::compile(
            &json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Choice", "Choices": [{"Variable": "$", "IsPresent": true, "Next": "A"}], "Default": "C"}, "C": {"Type": "Succeed"}}}),
        );
        let opts = Options { inspect: true, ..Options::default() };
        let mut e = Execution::start(Rc::new(m.unwrap()), json!({}), Rc::new(Stubs::empty()), opts).unwrap();
        e.run();
        assert_eq!(e.status().name(), "FAILED");
        assert!(e.status().error().unwrap().cause.contains("maximum number of history events (25000)"));
        // The event that ends the execution is the 25,000th itself.
        assert_eq!(e.history().len(), 25_000);
        assert_eq!(e.history().last().map(|ev| ev.details.type_name()), Some("ExecutionFailed"));
        // The state the last step would have entered had no room in the history: it is neither
        // billed nor a visit (QA found 12,500 billed against 12,499 entered, and an inspector
        // visit to B for the step that only failed the execution).
        assert_eq!(e.usage().transitions, e.states_entered().len() as u64);
        assert_eq!(e.visits().len(), e.states_entered().len());
        assert!(e.visit_at(e.step_count()).is_none());
        // Known difference: on AWS the quota is Standard's (an Express workflow's events go to
        // CloudWatch Logs); Statelab keeps every event for its debugger, so it applies the limit
        // to Express workflows too (README, "Where Statelab knowingly differs").
        let opts = Options { workflow_type: WorkflowType::Express, ..Options::default() };
        let mut e = Execution::start(e.machine.clone(), json!({}), Rc::new(Stubs::empty()), opts).unwrap();
        e.run();
        assert_eq!((e.status().name(), e.history().len()), ("FAILED", 25_000));
    }

    #[test]
    fn an_end_that_needs_one_event_more_than_the_limit_fails_too() {
        // A loop that succeeds at exactly 25,001 events: the Succeed state's exit is the one too
        // many, so the execution cannot succeed with it missing (QA found SUCCEEDED here).
        let n = 6248;
        let def = json!({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f", "Parameters": {"i": 0}, "Next": "P"},
            "P": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": n, "Next": "P"}], "Default": "Done"},
            "Done": {"Type": "Succeed"}}});
        let m = Rc::new(crate::compile::compile(&def).0.unwrap());
        let run = |max_history_events| {
            let opts = Options { max_history_events, ..Options::default() };
            let mut e = Execution::start(m.clone(), json!({}), Rc::new(Stubs::empty()), opts).unwrap();
            e.run();
            e
        };
        // With room for every event, it succeeds in 25,001.
        let roomy = run(30_000);
        assert_eq!(roomy.status().name(), "SUCCEEDED");
        assert_eq!(roomy.history().len(), 25_001);
        let e = run(25_000);
        assert_eq!(e.status().name(), "FAILED");
        assert_eq!(e.history().len(), 25_000);
        assert_eq!(e.history().last().map(|ev| ev.details.type_name()), Some("ExecutionFailed"));
    }

    /// A bare Lambda ARN's oversized result names the function ARN in AWS's cause (LocalStack's
    /// AWS-recorded `test_task_lambda_data_limit_exceeded_on_large_utf8_response`). Kept here
    /// rather than in the case files, which would need a 256 KiB stub.
    #[test]
    fn oversized_legacy_lambda_result_names_the_function() {
        let big = "y".repeat(MAX_PAYLOAD_BYTES);
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:big";
        let e = run(
            json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": arn, "End": true}}}),
            json!({}),
            json!({"T": {"Return": big}}),
        );
        let err = e.status().error().unwrap();
        assert_eq!(err.error, "States.DataLimitExceeded");
        assert_eq!(
            err.cause,
            format!("The state/task '{arn}' returned a result with a size exceeding the maximum number of bytes service limit.")
        );
        let types: Vec<_> = e.history().iter().map(|ev| ev.details.type_name()).collect();
        assert_eq!(types[4], "LambdaFunctionFailed");
    }

    /// The cost of a Standard run knows whether the machine could run as Express at all.
    #[test]
    fn the_cost_names_a_task_express_refuses() {
        let task = |resource: &str| json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": resource, "End": true}}});
        let callback = run(task("arn:aws:states:::lambda:invoke.waitForTaskToken"), json!({}), json!({}));
        let c = callback.cost();
        assert!(!c.express_possible);
        assert_eq!(
            c.express_unsupported.as_deref(),
            Some("State 'T' cannot run in an Express workflow: Express workflows do not support the '.waitForTaskToken' integration pattern (wait for a callback)")
        );
        let plain = run(task("arn:aws:states:::lambda:invoke"), json!({}), json!({}));
        assert!(plain.cost().express_possible && plain.cost().express_unsupported.is_none());
    }

    /// A Task's oversized result, which `States.ALL` catches at the Task, is caught as well by the
    /// Parallel or Map around it when the Task has no Catcher [?]: it ended the whole execution
    /// there as a terminal error (no TaskStateAborted, no ParallelStateFailed, the Parallel's
    /// Catcher ignored), so one error was catchable or not depending on where the Catcher was.
    #[test]
    fn an_oversized_task_result_is_caught_around_its_branch() {
        let big = "y".repeat(MAX_PAYLOAD_BYTES);
        let task = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}});
        let catch = json!([{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Z"}]);
        for around in [
            json!({"Type": "Parallel", "Branches": [task.clone()], "Catch": catch.clone(), "End": true}),
            json!({"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": task.clone(), "Catch": catch.clone(), "End": true}),
        ] {
            let e = run(
                json!({"StartAt": "P", "States": {"P": around, "Z": {"Type": "Pass", "End": true}}}),
                json!({"items": [1]}),
                json!({"T": {"Return": big.clone()}}),
            );
            assert_eq!(e.status().name(), "SUCCEEDED", "{:?}", e.status());
            let types: Vec<_> = e.history().iter().map(|ev| ev.details.type_name()).collect();
            assert!(types.contains(&"TaskStateAborted"), "{types:?}");
            assert!(types.iter().any(|t| *t == "ParallelStateFailed" || *t == "MapStateFailed"), "{types:?}");
            let out = match e.status() {
                Status::Succeeded(v) => v.to_json(),
                _ => String::new(),
            };
            assert!(out.contains("\"Error\":\"States.DataLimitExceeded\""), "{out}");
        }
    }

    /// StartExecution refuses an input over 256 KiB: there is no execution to run.
    #[test]
    fn oversized_input_cannot_start() {
        let (m, _) =
            crate::compile::compile(&json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}));
        let input = Value::string("z".repeat(MAX_PAYLOAD_BYTES));
        let e = Execution::start(Rc::new(m.unwrap()), input, Rc::new(Stubs::empty()), Options::default());
        assert_eq!(e.unwrap_err().error, "States.DataLimitExceeded");
    }

    /// An Express workflow cannot hold a `.sync`, `.waitForTaskToken` or Activity Task, even in a
    /// Parallel branch or an inline Map (AWS rejects the definition): the execution does not
    /// start, and the error names the state. A Distributed Map's children are workflows of
    /// their own type and are not looked into. The same machine runs as Standard.
    /// [?] AWS rejects the definition when the state machine is created, with the
    /// InvalidDefinition exception; its wording is not recorded, so the cause is Statelab's.
    #[test]
    fn express_refuses_tasks_that_wait() {
        let express = Options { workflow_type: WorkflowType::Express, ..Options::default() };
        for (resource, why) in [
            ("arn:aws:states:::lambda:invoke.waitForTaskToken", "'.waitForTaskToken'"),
            ("arn:aws:states:::states:startExecution.sync:2", "'.sync'"),
            ("arn:aws:states:us-east-1:123456789012:activity:a", "Activities"),
        ] {
            let (m, d) = crate::compile::compile(&json!({"StartAt": "P", "States": {
                "P": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "I", "States": {
                    "I": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "Waits", "States": {
                        "Waits": {"Type": "Task", "Resource": resource, "End": true}}}}}}]}}}));
            let m = Rc::new(m.unwrap_or_else(|| panic!("{d:?}")));
            let e = Execution::start(m.clone(), json!([]), Rc::new(Stubs::empty()), express.clone());
            let err = e.unwrap_err();
            assert_eq!(err.error, "InvalidDefinition");
            assert!(
                err.cause.starts_with("State 'Waits' cannot run in an Express workflow"),
                "{}",
                err.cause
            );
            assert!(err.cause.contains(why), "{}", err.cause);
            assert!(Execution::start(m, json!([]), Rc::new(Stubs::empty()), Options::default()).is_ok());
        }
        let (m, d) = crate::compile::compile(&json!({"StartAt": "M", "States": {
            "M": {"Type": "Map", "End": true, "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "Sync", "States": {"Sync": {"Type": "Task", "End": true,
                    "Resource": "arn:aws:states:::states:startExecution.sync:2"}}}}}}));
        let m = Rc::new(m.unwrap_or_else(|| panic!("{d:?}")));
        assert!(Execution::start(m, json!([]), Rc::new(Stubs::empty()), express).is_ok());
    }

    /// The variables of one execution hold at most 10 MiB: the 41st variable of 256,000 bytes
    /// fails (each is under the 256 KiB limit of one variable and of one Assign block).
    #[test]
    fn variables_are_bounded_per_execution() {
        let mut states = Map::default();
        for i in 0..41 {
            let next = if i == 40 { json!({"End": true}) } else { json!({"Next": format!("S{}", i + 1)}) };
            let mut st = json!({"Type": "Pass", "Assign": {format!("v{i}"): "{% $pad('', 256000, 'x') %}"}});
            if let (Some(m), Some(n)) = (st.as_object().cloned(), next.as_object()) {
                let mut m = m;
                m.extend(n.iter().map(|(k, v)| (k.clone(), v.clone())));
                st = Value::object(m);
            }
            states.insert(format!("S{i}").into(), st);
        }
        let def = Value::object_from([
            ("QueryLanguage", json!("JSONata")),
            ("StartAt", json!("S0")),
            ("States", Value::object(states)),
        ]);
        let e = run(def, json!({}), json!({}));
        let err = e.status().error().unwrap();
        assert_eq!(err.error, "States.DataLimitExceeded");
        assert!(err.cause.contains("exceeds the maximum of 10485760 bytes (10 MiB)"), "{}", err.cause);
        assert!(err.cause.starts_with("An error occurred while executing the state 'S40'"), "{}", err.cause);
    }

    #[test]
    fn replay_is_deterministic() {
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "W1", "States": {"W1": {"Type": "Wait", "Seconds": 3, "End": true}}},
            {"StartAt": "W2", "States": {"W2": {"Type": "Wait", "Seconds": 5, "End": true}}}
        ]}}});
        let e = run(def, json!(1), json!({}));
        let back = e.replay(3);
        assert_eq!(back.step_count(), 3);
        let full = back.replay(1000);
        assert_eq!(full.history().len(), e.history().len());
        assert_eq!(format!("{:?}", full.status()), format!("{:?}", e.status()));
    }
}
