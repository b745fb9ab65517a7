//! The compiled state machine: states in one table indexed by [`StateId`], every path, template,
//! intrinsic call and Choice rule already parsed. The executor never looks a state up by name.

use std::rc::Rc;

use crate::choice::Rule;
use crate::jsonata::Expr;
use crate::path::JsonPath;
use crate::template::{JTemplate, Template};
use crate::value::Value;

/// Index of a state in [`Machine::states`].
pub type StateId = usize;
/// Index of a scope (the top level, a Parallel branch, a Map's item processor) in
/// [`Machine::scopes`].
pub type ScopeId = usize;

/// `QueryLanguage`: how a state's fields are evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub enum QueryLanguage {
    /// Paths, payload templates and intrinsic functions (the default).
    #[default]
    JSONPath,
    /// `{% %}` expressions.
    JSONata,
}

/// A compiled state machine.
#[derive(Debug)]
pub struct Machine {
    /// Every state of every scope.
    pub states: Vec<State>,
    /// Scope 0 is the top level.
    pub scopes: Vec<Scope>,
    /// `Comment`.
    pub comment: Option<String>,
    /// `TimeoutSeconds` of the whole execution.
    pub timeout_seconds: Option<u64>,
    /// The machine's `QueryLanguage`.
    pub query_language: QueryLanguage,
    /// Size in bytes of the definition's compact JSON (for the Express memory estimate).
    pub definition_size: usize,
    /// The definition as written, for export and display.
    pub definition: Value,
}

impl Machine {
    /// The state with this name in this scope.
    pub fn find(&self, scope: ScopeId, name: &str) -> Option<StateId> {
        self.scopes
            .get(scope)?
            .states
            .iter()
            .copied()
            .find(|&s| self.states.get(s).is_some_and(|st| &*st.name == name))
    }

    /// Every state with this name, in any scope.
    pub fn find_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = StateId> + 'a {
        self.states.iter().enumerate().filter(move |(_, s)| &*s.name == name).map(|(i, _)| i)
    }

    /// The state with this id: an id from this machine (its scopes, its states' transitions, or
    /// the steps and visits of an [`Execution`](crate::Execution) of it). Panics on an id from
    /// another machine, as indexing does.
    // Reviewed for the fuzzing work: every id the library passes here comes from the compiler's
    // own tables (which the fuzz targets check never dangle), and every front end call passes an
    // id taken from the same machine (`exec.machine()` with that execution's visits and steps,
    // or `machine.scopes`). Nothing a user types becomes a StateId without the compiler.
    #[allow(clippy::indexing_slicing)] // StateIds are minted only by the compiler, for this table.
    pub fn state(&self, id: StateId) -> &State {
        &self.states[id]
    }

    /// The scope with this id (from this machine; see [`Machine::state`]).
    #[allow(clippy::indexing_slicing)] // ScopeIds are minted only by the compiler, for this table.
    pub fn scope(&self, id: ScopeId) -> &Scope {
        &self.scopes[id]
    }

    /// The state name closest to `name` when `name` is a likely typo of it (a few edits apart,
    /// ignoring case, and closer than any other name), to suggest in a message.
    pub fn closest_state_name(&self, name: &str) -> Option<&str> {
        closest_name(name, self.states.iter().map(|s| &*s.name))
    }

    /// Why state `id` cannot run in an Express workflow, `why` being [`express_unsupported`]'s
    /// answer: the first sentence of every message that says so.
    pub fn express_refusal(&self, id: StateId, why: &str) -> String {
        express_refusal(&self.state(id).name, why)
    }

    /// [`Machine::express_refusal`] with what to do about it, as a run or a check says it.
    pub fn express_error(&self, id: StateId, why: &str) -> String {
        express_error(&self.state(id).name, why)
    }

    /// The Tasks an Express workflow running `scope` could not run, with why (see
    /// [`express_unsupported`]), outer scopes first: the scope's own Tasks and those of its
    /// Parallel branches and inline Map iterations. A Distributed Map's children are workflows
    /// of their own, checked against their own `ExecutionType`, so they are not looked into.
    pub fn express_conflicts(&self, scope: ScopeId) -> Vec<(StateId, &'static str)> {
        let mut out = Vec::new();
        let mut todo = vec![scope];
        while let Some(sc) = todo.pop() {
            let Some(s) = self.scopes.get(sc) else { continue };
            for &id in &s.states {
                let Some(state) = self.states.get(id) else { continue };
                match &state.kind {
                    Kind::Task(t) => {
                        if let Some(why) = express_unsupported(&t.resource_kind, t.pattern) {
                            out.push((id, why));
                        }
                    }
                    Kind::Parallel { branches } => todo.extend(branches),
                    Kind::Map(m) if m.mode == MapMode::Inline => todo.push(m.processor),
                    _ => {}
                }
            }
        }
        out.sort_unstable_by_key(|&(id, _)| id);
        out
    }
}

/// [`Machine::express_refusal`] of the state named `name`.
pub fn express_refusal(name: &str, why: &str) -> String {
    format!("State '{name}' cannot run in an Express workflow: {why}")
}

/// [`Machine::express_error`] of the state named `name`.
pub fn express_error(name: &str, why: &str) -> String {
    format!("{}. Run the workflow as STANDARD, or use a request-response Task", express_refusal(name, why))
}

/// [`Machine::express_conflicts`] for a definition that did not compile (another error left no
/// machine to ask), read from the definition itself: each Task an Express workflow could not
/// run, as (the JSON Pointer of its `Resource`, its name, why), in the definition's order. An
/// Express check then lists them with the other errors instead of leaving them for later.
pub fn express_conflicts_in(definition: &Value) -> Vec<(String, String, &'static str)> {
    type Found = Vec<(String, String, &'static str)>;
    fn scope(v: &Value, pointer: &mut String, depth: u32, out: &mut Found) {
        // Nesting as deep as the compiler allows is far below this; past it, nothing to find.
        if depth > crate::value::MAX_DEPTH {
            return;
        }
        let saved = pointer.len();
        crate::source::push_token(pointer, "States");
        for (name, st) in v.get("States").and_then(Value::as_object).into_iter().flatten() {
            let state_at = pointer.len();
            crate::source::push_token(pointer, name);
            match st.get("Type").and_then(Value::as_str) {
                Some("Task") => {
                    if let Some(resource) = st.get("Resource").and_then(Value::as_str) {
                        let (kind, pattern) = crate::compile::classify_resource(resource);
                        if let Some(why) = express_unsupported(&kind, pattern) {
                            out.push((format!("{pointer}/Resource"), name.to_string(), why));
                        }
                    }
                }
                Some("Parallel") => {
                    for (i, branch) in
                        st.get("Branches").and_then(Value::as_array).unwrap_or_default().iter().enumerate()
                    {
                        let at = pointer.len();
                        crate::source::push_token(pointer, "Branches");
                        crate::source::push_token(pointer, &i.to_string());
                        scope(branch, pointer, depth + 1, out);
                        pointer.truncate(at);
                    }
                }
                // A Distributed Map's children are executions of their own, of their own type.
                Some("Map") => {
                    let key = if st.get("ItemProcessor").is_some() { "ItemProcessor" } else { "Iterator" };
                    if let Some(processor) = st.get(key) {
                        let mode = processor.get("ProcessorConfig").and_then(|c| c.get("Mode"));
                        if mode.and_then(Value::as_str) != Some("DISTRIBUTED") {
                            let at = pointer.len();
                            crate::source::push_token(pointer, key);
                            scope(processor, pointer, depth + 1, out);
                            pointer.truncate(at);
                        }
                    }
                }
                _ => {}
            }
            pointer.truncate(state_at);
        }
        pointer.truncate(saved);
    }
    let mut out = Vec::new();
    scope(definition, &mut String::new(), 0, &mut out);
    out
}

/// Why an Express workflow cannot run a Task invoked this way, or `None` when it can: Express
/// workflows reject `.sync`, `.waitForTaskToken` and Activities (AWS's Standard vs Express
/// comparison), because they cannot wait on a job or a callback.
pub fn express_unsupported(kind: &ResourceKind, pattern: Pattern) -> Option<&'static str> {
    match (kind, pattern) {
        (ResourceKind::Activity, _) => Some("Express workflows do not support Activities"),
        (_, Pattern::Sync) => {
            Some("Express workflows do not support the '.sync' integration pattern (run a job and wait for it)")
        }
        (_, Pattern::WaitForTaskToken) => Some(
            "Express workflows do not support the '.waitForTaskToken' integration pattern (wait for a callback)",
        ),
        (_, Pattern::RequestResponse) => None,
    }
}

/// Where a scope sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    /// The machine's own `States`.
    Root,
    /// Branch `i` of a Parallel state.
    Branch(usize),
    /// A Map state's `ItemProcessor` (or `Iterator`).
    Processor,
}

/// A set of states with its own `StartAt`.
#[derive(Clone, Debug)]
pub struct Scope {
    /// The first state.
    pub start: StateId,
    /// Its states, in definition order.
    pub states: Vec<StateId>,
    /// The Parallel or Map state that owns it; `None` for the root.
    pub parent: Option<StateId>,
    /// What it is.
    pub kind: ScopeKind,
    /// JSON Pointer of the object holding `StartAt`/`States`.
    pub pointer: String,
}

/// One compiled state.
#[derive(Debug)]
pub struct State {
    /// Its name.
    pub name: Rc<str>,
    /// The scope it belongs to.
    pub scope: ScopeId,
    /// JSON Pointer to its definition (`/States/Name`, or deeper for nested scopes).
    pub pointer: String,
    /// Its effective query language.
    pub query_language: QueryLanguage,
    /// Type-specific behaviour.
    pub kind: Kind,
    /// Where it goes next.
    pub next: Next,
    /// The data-flow fields (JSONPath) or their JSONata counterparts.
    pub io: Io,
    /// `Retry`.
    pub retry: Vec<Retrier>,
    /// `Catch`.
    pub catch: Vec<Catcher>,
    /// `Assign`.
    pub assign: Option<Payload>,
    /// `Comment`.
    pub comment: Option<String>,
    /// Whether any field reads the context object (so it is only built when needed).
    pub uses_context: bool,
}

impl State {
    /// The `Type` as written in ASL.
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }
}

/// Where a state goes when it completes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// `Next`.
    State(StateId),
    /// `End: true`.
    End,
    /// Choice, Succeed and Fail decide for themselves.
    Terminal,
}

/// A path field that may be absent (default `$`), `null`, or a path.
#[derive(Clone, Debug, Default)]
pub enum PathField {
    /// Absent: `$`.
    #[default]
    Default,
    /// `null`.
    Null,
    /// A path.
    Path(JsonPath),
}

/// The data-flow fields of a state.
#[derive(Debug, Default)]
pub struct Io {
    /// `InputPath`.
    pub input_path: PathField,
    /// `Parameters` (or `Arguments` in JSONata).
    pub parameters: Option<Payload>,
    /// `ResultSelector`.
    pub result_selector: Option<Template>,
    /// `ResultPath`.
    pub result_path: PathField,
    /// `OutputPath`.
    pub output_path: PathField,
    /// JSONata `Output`.
    pub output: Option<JTemplate>,
}

/// A payload in either query language.
#[derive(Debug)]
pub enum Payload {
    /// A JSONPath payload template (`.$` keys, paths, intrinsics).
    Path(Template),
    /// A JSONata template (`{% %}` strings anywhere).
    Jsonata(JTemplate),
}

/// A number that may be constant, read from a path, or computed by a JSONata expression.
#[derive(Debug, Clone)]
pub enum NumberSource {
    /// A constant.
    Const(f64),
    /// `...Path`.
    Path(JsonPath),
    /// A `{% %}` expression.
    Expr(Rc<Expr>),
}

/// A string that may be constant, read from a path, computed by an intrinsic, or by JSONata.
#[derive(Debug)]
pub enum StringSource {
    /// A constant.
    Const(Rc<str>),
    /// A path or intrinsic (`ErrorPath`, `CausePath`).
    Dynamic(Template),
    /// A `{% %}` expression.
    Expr(Rc<Expr>),
}

/// Type-specific parts of a state.
#[derive(Debug)]
pub enum Kind {
    /// `Pass`.
    Pass {
        /// `Result`.
        result: Option<Value>,
    },
    /// `Task`.
    Task(Box<TaskSpec>),
    /// `Choice`.
    Choice(Box<ChoiceSpec>),
    /// `Wait`.
    Wait(WaitSpec),
    /// `Succeed`.
    Succeed,
    /// `Fail`.
    Fail {
        /// `Error` / `ErrorPath`.
        error: Option<StringSource>,
        /// `Cause` / `CausePath`.
        cause: Option<StringSource>,
    },
    /// `Parallel`: one scope per branch.
    Parallel {
        /// The branches, in order.
        branches: Vec<ScopeId>,
    },
    /// `Map`.
    Map(Box<MapSpec>),
}

impl Kind {
    /// The `Type` as written in ASL.
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Pass { .. } => "Pass",
            Kind::Task(_) => "Task",
            Kind::Choice(_) => "Choice",
            Kind::Wait(_) => "Wait",
            Kind::Succeed => "Succeed",
            Kind::Fail { .. } => "Fail",
            Kind::Parallel { .. } => "Parallel",
            Kind::Map(_) => "Map",
        }
    }
}

/// How a Task's resource is invoked, which decides its history events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// `arn:aws:lambda:...:function:Name`: the legacy Lambda resource (LambdaFunction* events).
    LambdaFunction,
    /// `arn:aws:states:...:activity:Name` (Activity* events).
    Activity,
    /// `arn:aws:states:::service:action[.pattern]` (Task* events).
    Service {
        /// `lambda`, `dynamodb`, `aws-sdk:s3`, ...
        service: String,
        /// `invoke`, `putItem`, ... including any `.sync`/`.waitForTaskToken` suffix.
        action: String,
    },
    /// Anything else (unresolved placeholders from templates, for example).
    Other,
}

/// How a Task waits for its work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Call and take the response.
    RequestResponse,
    /// `.sync`: wait for the job to complete.
    Sync,
    /// `.waitForTaskToken`: wait for a callback.
    WaitForTaskToken,
}

/// A Task state.
#[derive(Debug)]
pub struct TaskSpec {
    /// `Resource`.
    pub resource: Rc<str>,
    /// How it is invoked.
    pub resource_kind: ResourceKind,
    /// The integration pattern.
    pub pattern: Pattern,
    /// `TimeoutSeconds[Path]`.
    pub timeout: Option<NumberSource>,
    /// `HeartbeatSeconds[Path]`.
    pub heartbeat: Option<NumberSource>,
    /// `Credentials` (evaluated and shown, never used).
    pub credentials: Option<Payload>,
}

/// A Choice state.
#[derive(Debug)]
pub struct ChoiceSpec {
    /// `Choices`, in order.
    pub choices: Vec<ChoiceBranch>,
    /// `Default`.
    pub default: Option<StateId>,
}

/// One top-level Choice rule.
#[derive(Debug)]
pub struct ChoiceBranch {
    /// The condition.
    pub rule: Rule,
    /// Where it goes.
    pub next: StateId,
    /// The rule's `Assign`.
    pub assign: Option<Payload>,
    /// The rule's `Output` (JSONata).
    pub output: Option<JTemplate>,
}

/// A Wait state.
#[derive(Debug)]
pub enum WaitSpec {
    /// `Seconds` / `SecondsPath` / JSONata `Seconds`.
    Seconds(NumberSource),
    /// `Timestamp` (constant, in epoch milliseconds), `TimestampPath` or JSONata `Timestamp`.
    Timestamp(TimestampSource),
}

/// Where a Wait's timestamp comes from.
#[derive(Debug)]
pub enum TimestampSource {
    /// A constant, parsed at compile time (epoch milliseconds).
    Const(i64),
    /// `TimestampPath`.
    Path(JsonPath),
    /// A `{% %}` expression.
    Expr(Rc<Expr>),
}

/// Inline or distributed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapMode {
    /// Iterations inside this execution.
    Inline,
    /// Child executions (simulated here); `express` when `ExecutionType` is `EXPRESS`.
    Distributed {
        /// Children are Express workflows.
        express: bool,
    },
}

/// A Map state.
#[derive(Debug)]
pub struct MapSpec {
    /// The item processor's scope.
    pub processor: ScopeId,
    /// `ProcessorConfig.Mode`.
    pub mode: MapMode,
    /// `ItemsPath` (JSONPath).
    pub items_path: PathField,
    /// `Items` (JSONata).
    pub items: Option<JTemplate>,
    /// `ItemSelector` (or the deprecated `Parameters`), applied per item.
    pub item_selector: Option<Payload>,
    /// `MaxConcurrency[Path]`.
    pub max_concurrency: Option<NumberSource>,
    /// `ItemReader`: the data is supplied with the run, not read from S3.
    pub item_reader: Option<ItemReaderSpec>,
    /// `ItemBatcher`.
    pub item_batcher: Option<ItemBatcherSpec>,
    /// `ResultWriter`: nothing is written anywhere, but the state's output is what AWS's is.
    pub result_writer: Option<ResultWriterSpec>,
    /// `ToleratedFailureCount[Path]`.
    pub tolerated_failure_count: Option<NumberSource>,
    /// `ToleratedFailurePercentage[Path]`.
    pub tolerated_failure_percentage: Option<NumberSource>,
    /// `Label`.
    pub label: Option<String>,
}

/// A Distributed Map's `ResultWriter`.
#[derive(Debug)]
pub struct ResultWriterSpec {
    /// `Parameters` (`Arguments`) of a ResultWriter with a `Resource`, which exports the results
    /// to S3: the state's output is then where they went, not the results.
    pub export: Option<Payload>,
    /// `WriterConfig.Transformation` is `FLATTEN`: children's array outputs are flattened.
    pub flatten: bool,
}

/// A Distributed Map's `ItemReader`.
#[derive(Debug)]
pub struct ItemReaderSpec {
    /// `Resource` (`arn:aws:states:::s3:getObject`, `...:listObjectsV2`).
    pub resource: Rc<str>,
    /// `ReaderConfig` as written.
    pub reader_config: Value,
    /// `ReaderConfig.MaxItems[Path]`.
    pub max_items: Option<NumberSource>,
    /// `Parameters`/`Arguments` as written (bucket and key: used to find the supplied data).
    pub parameters: Option<Payload>,
}

/// A Distributed Map's `ItemBatcher`.
#[derive(Debug)]
pub struct ItemBatcherSpec {
    /// `MaxItemsPerBatch[Path]`.
    pub max_items: Option<NumberSource>,
    /// `MaxInputBytesPerBatch[Path]`.
    pub max_bytes: Option<NumberSource>,
    /// `BatchInput`.
    pub batch_input: Option<Payload>,
}

/// One `Retry` entry.
#[derive(Debug, Clone)]
pub struct Retrier {
    /// `ErrorEquals`.
    pub error_equals: Vec<Rc<str>>,
    /// `IntervalSeconds` (default 1).
    pub interval_seconds: f64,
    /// `MaxAttempts` (default 3; 0 = never).
    pub max_attempts: u32,
    /// `BackoffRate` (default 2.0).
    pub backoff_rate: f64,
    /// `MaxDelaySeconds`.
    pub max_delay_seconds: Option<f64>,
    /// `JitterStrategy: FULL`.
    pub jitter_full: bool,
}

impl Retrier {
    /// The wait before retry `attempt` (1 for the first), in seconds, before `MaxDelaySeconds`
    /// and jitter: `IntervalSeconds × BackoffRate^(attempt - 1)`. An interval of 0 stays 0 however
    /// many retries: BackoffRate^n overflows to infinity after about a thousand, and 0 × infinity
    /// is NaN, which a cap would have turned into the longest delay.
    pub fn backoff_seconds(&self, attempt: u32) -> f64 {
        let growth = self.backoff_rate.powi(attempt.saturating_sub(1).min(i32::MAX as u32) as i32);
        if self.interval_seconds > 0.0 {
            self.interval_seconds * growth
        } else {
            0.0
        }
    }
}

/// One `Catch` entry.
#[derive(Debug)]
pub struct Catcher {
    /// `ErrorEquals`.
    pub error_equals: Vec<Rc<str>>,
    /// `Next`.
    pub next: StateId,
    /// `ResultPath` (JSONPath).
    pub result_path: PathField,
    /// `Assign`.
    pub assign: Option<Payload>,
    /// `Output` (JSONata).
    pub output: Option<JTemplate>,
}

/// The name closest to `key` when it is a likely typo of it (a few edits apart, and closer than
/// any other name).
pub(crate) fn closest_name<'a>(key: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let length = key.chars().count();
    // A name this long is no typo of a word: and the distance costs its length squared (a share
    // link's or an option's name may be any length a user pastes).
    if length > MAX_SUGGESTED_LENGTH {
        return None;
    }
    let limit = (length / 3).max(1);
    let key: Vec<char> = key.chars().flat_map(char::to_lowercase).collect();
    let mut distance = EditDistance::default();
    // The closest name, and whether another is as close.
    let mut best: Option<(usize, &str)> = None;
    let mut tied = false;
    // Names whose lengths differ by more than the limit are further than it: not measured.
    for name in names.filter(|n| n.chars().count().abs_diff(length) <= limit) {
        let d = distance.between(&key, name);
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tied = true,
            _ => {
                best = Some((d, name));
                tied = false;
            }
        }
    }
    let (d, name) = best?;
    (d <= limit && !tied).then_some(name)
}

/// The longest name [`closest_name`] finds a near name for.
const MAX_SUGGESTED_LENGTH: usize = 128;

/// Edit distance on characters, ignoring case, where swapping two neighbours is one edit (optimal
/// string alignment): `inptu` is one typo away from `input`, as a person sees it, not two. Its
/// buffers are kept from one name to the next: a stub file of thousands of misspelt keys measures
/// each against every state (allocating for each pair took seconds).
#[derive(Default)]
struct EditDistance {
    name: Vec<char>,
    /// Three rows of the table: two rows back, the last, the one being filled.
    rows: [Vec<usize>; 3],
}

impl EditDistance {
    fn between(&mut self, key: &[char], name: &str) -> usize {
        let EditDistance { name: b, rows } = self;
        b.clear();
        b.extend(name.chars().flat_map(char::to_lowercase));
        for row in rows.iter_mut() {
            row.clear();
            row.extend(0..=b.len());
        }
        let far = usize::MAX / 2;
        for (i, a_i) in key.iter().enumerate().map(|(i, c)| (i + 1, c)) {
            let [two, one, cur] = &mut *rows;
            let at = |row: &Vec<usize>, j: usize| row.get(j).copied().unwrap_or(far);
            if let Some(first) = cur.first_mut() {
                *first = i;
            }
            for j in 1..=b.len() {
                let cost = usize::from(Some(a_i) != b.get(j - 1));
                let mut v = (at(one, j - 1) + cost).min(at(one, j) + 1).min(at(cur, j - 1) + 1);
                let swapped =
                    i > 1 && j > 1 && key.get(i - 1) == b.get(j - 2) && key.get(i - 2) == b.get(j - 1);
                if swapped {
                    v = v.min(at(two, j - 2) + 1);
                }
                if let Some(cell) = cur.get_mut(j) {
                    *cell = v;
                }
            }
            // The row filled becomes the last; the oldest is filled next.
            rows.rotate_left(1);
        }
        self.rows.get(1).and_then(|last| last.last()).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_not_measured() {
        // A pasted name of 50,000 characters against another as long asked for gigabytes.
        let long = "a".repeat(50_000);
        assert_eq!(closest_name(&long, [long.as_str()].into_iter()), None);
        assert_eq!(closest_name("abc", ["abcdefghijklmnop", "abd"].into_iter()), Some("abd"));
    }

    #[test]
    fn closest_names() {
        assert_eq!(closest_name("HelloWrold", ["HelloWorld", "Bye"].into_iter()), Some("HelloWorld"));
        assert_eq!(closest_name("Helo", ["Hello", "Help"].into_iter()), None, "a tie suggests nothing");
        assert_eq!(closest_name("Zzz", ["Hello"].into_iter()), None);
        // One measure after another reuses its buffers: each is as if alone.
        let mut d = EditDistance::default();
        let mut edit_distance = |a: &str, b: &str| d.between(&a.chars().collect::<Vec<_>>(), b);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("sitting", "kitten"), 3);
        assert_eq!(edit_distance("abc", "ABC"), 0);
        // A swap of two neighbouring letters is one typo.
        assert_eq!(edit_distance("inptu", "input"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3);
        assert_eq!(closest_name("inptu", ["input", "stubs"].into_iter()), Some("input"));
        assert_eq!(closest_name("Nxet", ["Next", "End"].into_iter()), Some("Next"));
    }
}
