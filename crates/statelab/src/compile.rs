//! Definition → [`Machine`]: every rule checked and every problem collected, state names turned
//! into indices, paths, templates, intrinsics and Choice rules parsed once.
//!
//! Validation and compilation are one walk: each field is read once, checked, and compiled. A
//! definition with any error yields no machine, so nothing ill-formed reaches the executor.
//!
//! Messages use AWS's wording where it is known (ValidateStateMachineDefinition and
//! CreateStateMachine answers recorded by LocalStack and floci, and errors users quote); the
//! comments say where a message is Statelab's own because AWS's could not be found. One problem
//! never hides another: after an error the walk goes on with whatever can still be checked.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::choice::{self, Rule, COMPARATORS};
use crate::diagnostic::Diagnostic;
use crate::error::names;
use crate::intrinsics::{self, Arg, Call, Function};
use crate::machine::*;
use crate::path::{JsonPath, Root};
use crate::source::{child as at, push_token};
use crate::template::{Template, Uses};
use crate::time::parse_millis;
use crate::value::{Map, Value};

mod jsonata;

use jsonata::{arguments_key, other_arguments_key, Allowed, StateAt};

/// AWS's diagnostic codes, and Statelab's own for what AWS has no code for.
pub mod codes {
    /// Schema validation reported errors.
    pub const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";
    /// A transition names no state, or a state cannot be reached.
    pub const MISSING_TRANSITION_TARGET: &str = "MISSING_TRANSITION_TARGET";
    /// The workflow has no terminal state.
    pub const MISSING_END_STATE: &str = "MISSING_END_STATE";
    /// The same state name appears twice.
    pub const DUPLICATE_STATE_NAME: &str = "DUPLICATE_STATE_NAME";
    /// A state name breaks the naming rules.
    pub const INVALID_STATE_NAME: &str = "INVALID_STATE_NAME";
    /// A Task's Resource is not a valid ARN.
    pub const INVALID_RESOURCE: &str = "INVALID_RESOURCE";
    /// JSON syntax problem.
    pub const INVALID_JSON_DESCRIPTION: &str = "INVALID_JSON_DESCRIPTION";
    /// The definition is empty.
    pub const MISSING_DESCRIPTION: &str = "MISSING_DESCRIPTION";
    /// Warning: a field that looks like a path or intrinsic has no `.$`.
    pub const NO_DOLLAR: &str = "NO_DOLLAR";
    /// Warning: a value looks like a path but the field name does not end with `Path`.
    pub const NO_PATH: &str = "NO_PATH";
    /// Warning: a Pass `Result` holds a path, which is not evaluated.
    pub const PASS_RESULT_IS_STATIC: &str = "PASS_RESULT_IS_STATIC";
    /// A JSONata expression does not parse.
    pub const INVALID_JSONATA_EXPRESSION: &str = "INVALID_JSONATA_EXPRESSION";
    /// A JSONata expression reads something Step Functions does not offer there (a bare field at
    /// the top level, `$$`, `$states.errorOutput` outside a Catcher).
    pub const UNSUPPORTED_JSONATA_EXPRESSION: &str = "UNSUPPORTED_JSONATA_EXPRESSION";
    /// Statelab: a feature this version does not run.
    pub const UNSUPPORTED: &str = "STATELAB_UNSUPPORTED";
    /// Statelab warning: legal but probably a mistake.
    pub const SUSPICIOUS: &str = "STATELAB_WARNING";
    /// Statelab: the document holds no state machine to check, or none was picked among several.
    pub const NO_STATE_MACHINE: &str = "STATELAB_NO_STATE_MACHINE";
}

/// The longest a state name may be.
pub const MAX_STATE_NAME: usize = 80;
/// The largest `TimeoutSeconds`/`HeartbeatSeconds`/`IntervalSeconds`/`MaxAttempts`/`Seconds` AWS
/// accepts.
const MAX_SECONDS: f64 = 99_999_999.0;
/// The largest `MaxDelaySeconds` (one leap year).
const MAX_DELAY_SECONDS: f64 = 31_622_400.0;
/// One year: Standard executions cannot wait longer.
pub const ONE_YEAR_SECONDS: f64 = 31_536_000.0;
/// How deeply Parallel and Map states may nest here. AWS documents no limit, but every level costs
/// stack in this walk (and in a browser tab), and no real workflow comes near it.
pub const MAX_SCOPE_DEPTH: usize = 32;
/// The largest `ReaderConfig.MaxItems`.
const MAX_READER_ITEMS: f64 = 100_000_000.0;
/// The largest `ItemBatcher.MaxInputBytesPerBatch` (256 KiB).
const MAX_BATCH_BYTES: f64 = 262_144.0;

/// Compiles a definition. Returns the machine when there is no error, and every diagnostic
/// (errors and warnings) found.
pub fn compile(def: &Value) -> (Option<Machine>, Vec<Diagnostic>) {
    let mut c = Compiler {
        diags: Vec::new(),
        states: Vec::new(),
        edges: Vec::new(),
        names: Vec::new(),
        scopes: Vec::new(),
        machine_ql: QueryLanguage::JSONPath,
        depth: 0,
        express: false,
        machine_timeout: None,
        context_paths: false,
        task_token_here: false,
        assigned: HashSet::new(),
        reads: Vec::new(),
        calls: Vec::new(),
        unknown_calls: Vec::new(),
    };
    let machine = c.machine(def);
    c.warn_variable_uses();
    let has_error = c.diags.iter().any(Diagnostic::is_error);
    (if has_error { None } else { machine }, c.diags)
}

type Fields = &'static [&'static str];

const COMMON: Fields = &["Type", "Comment", "QueryLanguage"];
/// Fields only JSONPath states may have.
const JSONPATH_ONLY: Fields = &[
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultPath",
    "ResultSelector",
    "ItemsPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "Result",
];
/// Fields only JSONata states may have.
const JSONATA_ONLY: Fields = &["Arguments", "Output", "Items"];

fn allowed(ty: &str, ql: QueryLanguage) -> Option<Fields> {
    use QueryLanguage::*;
    Some(match (ty, ql) {
        ("Pass", JSONPath) => {
            &["Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign"]
        }
        ("Pass", JSONata) => &["Next", "End", "Output", "Assign"],
        ("Task", JSONPath) => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "Resource",
            "TimeoutSeconds",
            "TimeoutSecondsPath",
            "HeartbeatSeconds",
            "HeartbeatSecondsPath",
            "Credentials",
            "Assign",
        ],
        ("Task", JSONata) => &[
            "Next",
            "End",
            "Output",
            "Assign",
            "Arguments",
            "Retry",
            "Catch",
            "Resource",
            "TimeoutSeconds",
            "HeartbeatSeconds",
            "Credentials",
        ],
        ("Choice", JSONPath) => &["Choices", "Default", "InputPath", "OutputPath", "Assign"],
        ("Choice", JSONata) => &["Choices", "Default", "Output", "Assign"],
        ("Wait", JSONPath) => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "Seconds",
            "SecondsPath",
            "Timestamp",
            "TimestampPath",
            "Assign",
        ],
        ("Wait", JSONata) => &["Next", "End", "Output", "Assign", "Seconds", "Timestamp"],
        ("Succeed", JSONPath) => &["InputPath", "OutputPath"],
        ("Succeed", JSONata) => &["Output"],
        ("Fail", JSONPath) => &["Error", "ErrorPath", "Cause", "CausePath"],
        ("Fail", JSONata) => &["Error", "Cause"],
        ("Parallel", JSONPath) => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "Branches",
            "Assign",
        ],
        ("Parallel", JSONata) => {
            &["Next", "End", "Output", "Assign", "Arguments", "Retry", "Catch", "Branches"]
        }
        ("Map", JSONPath) => &[
            "Next",
            "End",
            "InputPath",
            "OutputPath",
            "ResultPath",
            "Parameters",
            "ResultSelector",
            "Retry",
            "Catch",
            "ItemProcessor",
            "Iterator",
            "ItemsPath",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "MaxConcurrencyPath",
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            "Label",
            "Assign",
        ],
        ("Map", JSONata) => &[
            "Next",
            "End",
            "Output",
            "Assign",
            "Retry",
            "Catch",
            "ItemProcessor",
            "Iterator",
            "Items",
            "ItemSelector",
            "ItemReader",
            "ItemBatcher",
            "ResultWriter",
            "MaxConcurrency",
            "ToleratedFailureCount",
            "ToleratedFailurePercentage",
            "Label",
        ],
        _ => return None,
    })
}

/// The state types, in the order AWS lists them in its message.
const STATE_TYPES: [&str; 8] = ["Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map"];

/// The error names the language defines; any other `States.` name is reserved and never raised.
const PREDEFINED_ERRORS: [&str; 17] = [
    names::ALL,
    names::RUNTIME,
    names::DATA_LIMIT_EXCEEDED,
    names::TIMEOUT,
    names::HEARTBEAT_TIMEOUT,
    names::TASK_FAILED,
    names::PERMISSIONS,
    names::RESULT_PATH_MATCH_FAILURE,
    names::PARAMETER_PATH_FAILURE,
    names::QUERY_EVALUATION_ERROR,
    names::BRANCH_FAILED,
    names::NO_CHOICE_MATCHED,
    names::INTRINSIC_FAILURE,
    names::EXCEED_TOLERATED_FAILURE_THRESHOLD,
    names::ITEM_READER_FAILED,
    names::RESULT_WRITER_FAILED,
    names::HTTP_SOCKET,
];

/// How every warning of [`wait_outlasts`] begins: an Express check recognises the Standard
/// check's by it, to put its own in their place ([`crate::Checked::express_diagnostics`]).
pub(crate) const WAIT_OUTLASTS: &str = "This Wait is ";

/// Why a Wait of `seconds` outlasts the execution it is in (the shortest limit it reaches), if it
/// does: a year, five minutes for an Express execution, the machine's `TimeoutSeconds`. A wait
/// that ends at the limit itself times out too (the limit falls due first).
pub(crate) fn wait_outlasts(seconds: f64, express: bool, machine_timeout: Option<f64>) -> Option<String> {
    let express_limit = crate::exec::EXPRESS_MAX_SECONDS;
    let why = match machine_timeout.filter(|&t| seconds >= t && (!express || t < express_limit)) {
        Some(t) if t <= ONE_YEAR_SECONDS => {
            format!("and the state machine's TimeoutSeconds is {t}: the execution will time out first")
        }
        _ if express && seconds >= express_limit => {
            format!(
                "and an Express execution runs at most {express_limit} (5 minutes): it will time out first"
            )
        }
        // Only ever said of a Standard execution: in an Express one, five minutes come first.
        _ if seconds >= ONE_YEAR_SECONDS => {
            "a year or more, and a Standard execution runs at most a year: it will time out".to_string()
        }
        _ => return None,
    };
    Some(format!("{WAIT_OUTLASTS}{seconds} seconds, {why}"))
}

/// The characters AWS's API reference lists as not allowed in names.
fn forbidden_name_char(c: char) -> bool {
    c.is_whitespace()
        || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c)
        || matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// Where AWS reports a problem of an object: its pointer, or `/` for the definition itself.
fn object_location(pointer: &str) -> &str {
    if pointer.is_empty() {
        "/"
    } else {
        pointer
    }
}

/// AWS's type names in `Expected value of type [..]`.
mod ty {
    pub const STRING: &str = "STRING";
    pub const INTEGER: &str = "INTEGER";
    pub const NUMBER: &str = "NUMBER";
    pub const BOOLEAN: &str = "BOOLEAN";
    pub const OBJECT: &str = "OBJECT";
    pub const ARRAY: &str = "ARRAY";
}

/// Whether a number field takes integers or any number, which also decides how AWS prints its
/// bounds (`Minimum value is 0` against `Minimum value is 0.0`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Num {
    Int,
    Float,
}

/// The bounds of a number field.
#[derive(Clone, Copy)]
struct Range {
    kind: Num,
    min: f64,
    max: Option<f64>,
}

impl Range {
    const fn int(min: f64, max: Option<f64>) -> Range {
        Range { kind: Num::Int, min, max }
    }

    const fn float(min: f64, max: Option<f64>) -> Range {
        Range { kind: Num::Float, min, max }
    }

    fn show(self, bound: f64) -> String {
        match self.kind {
            Num::Int => format!("{}", bound as i64),
            Num::Float => format!("{bound:.1}"),
        }
    }
}

/// The names a scope can transition to.
struct ScopeNames {
    ids: HashMap<Rc<str>, StateId>,
}

/// What the graph checks need to know of a state, known even when the state has errors of its own.
#[derive(Default)]
struct Edges {
    /// States it can go to (`Next`, Choice rules and `Default`, Catchers).
    targets: Vec<StateId>,
    /// It can end the scope (Succeed, Fail, `End: true`).
    terminal: bool,
    /// Its type is unknown, so neither its transitions nor its ending are.
    unknown: bool,
}

/// How a variable is read, for the warning when no `Assign` sets it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ReadBy {
    /// A JSONata expression: the variable is undefined.
    Jsonata,
    /// A JSONPath path: the path finds nothing, and the state fails.
    Path,
    /// A Choice rule's `IsPresent`: the variable is absent, which it tests without failing.
    Presence,
}

struct Compiler {
    diags: Vec<Diagnostic>,
    states: Vec<Option<State>>,
    edges: Vec<Edges>,
    /// Every state's name and pointer, compiled or not, for the uniqueness check.
    names: Vec<(Rc<str>, String)>,
    scopes: Vec<Scope>,
    machine_ql: QueryLanguage,
    /// How many Parallel/Map scopes enclose the one being compiled.
    depth: usize,
    /// The states being compiled belong to the children of a Distributed Map whose
    /// `ExecutionType` is `EXPRESS`, which cannot run every kind of Task.
    express: bool,
    /// The machine's `TimeoutSeconds`.
    machine_timeout: Option<f64>,
    /// A reference path at `$$` was compiled in the state being compiled.
    context_paths: bool,
    /// The state being compiled is a `.waitForTaskToken` Task, whose `$$` has `Task.Token`.
    task_token_here: bool,
    /// Every variable name some `Assign` sets.
    assigned: HashSet<String>,
    /// The variables expressions and paths read (`$states` aside in JSONata), with where and how.
    reads: Vec<(String, String, ReadBy)>,
    /// The built-in functions JSONata expressions call, with where.
    calls: Vec<(String, String)>,
    /// The names JSONata expressions call that are no built-in and that they do not bind, with
    /// where.
    unknown_calls: Vec<(String, String)>,
}

impl Compiler {
    fn error(&mut self, code: &str, message: impl Into<String>, location: &str) {
        self.diags.push(Diagnostic::error(code, message, Some(location.to_string())));
    }

    fn schema(&mut self, message: impl Into<String>, location: &str) {
        self.error(codes::SCHEMA, message, location);
    }

    /// A problem with field `key`, reported at `location` (its parent, as AWS does) but
    /// highlighted at the key itself.
    fn schema_field(&mut self, message: impl Into<String>, location: &str, key: &str) {
        let d = Diagnostic::error(codes::SCHEMA, message, Some(object_location(location).to_string()))
            .at_target(at(location, key));
        self.diags.push(d);
    }

    /// A problem with the name of the member at `location`: reported there, highlighted at its
    /// key (an Assign's bad variable name was underlined at its value: a QA pass).
    fn schema_name(&mut self, message: impl Into<String>, location: &str) {
        let d = Diagnostic::error(codes::SCHEMA, message, Some(location.to_string()))
            .at_target(location.to_string());
        self.diags.push(d);
    }

    fn warning(&mut self, code: &str, message: impl Into<String>, location: &str) {
        self.diags.push(Diagnostic::warning(code, message, Some(location.to_string())));
    }

    /// `Expected value of type [STRING]`, as AWS words a value of the wrong JSON type.
    fn expected(&mut self, ty: &str, location: &str) {
        self.schema(format!("Expected value of type [{ty}]"), location);
    }

    fn error_count(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    /// Reports the fields of `keys` that `obj` lacks, in one diagnostic as AWS does
    /// (`These fields are required: [States, StartAt]`). `true` when none is missing.
    fn require(&mut self, obj: &Map, keys: &[&str], pointer: &str) -> bool {
        let missing: Vec<&str> = keys.iter().copied().filter(|k| !obj.contains_key(k)).collect();
        if missing.is_empty() {
            return true;
        }
        self.schema(format!("These fields are required: [{}]", missing.join(", ")), object_location(pointer));
        false
    }

    /// Reports every key of `obj` not in `allowed`.
    fn unknown_fields(&mut self, obj: &Map, allowed: &[&str], pointer: &str) {
        for key in obj.keys() {
            if !allowed.contains(&&**key) {
                self.schema_field(format!("Field '{key}' is not supported"), pointer, key);
            }
        }
    }

    fn machine(&mut self, def: &Value) -> Option<Machine> {
        let Some(obj) = def.as_object() else {
            // AWS's answer for a definition that parses but is not an object.
            self.diags.push(Diagnostic::error(codes::SCHEMA, "Definition must be a valid JSON object", None));
            return None;
        };
        self.unknown_fields(
            obj,
            &["Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"],
            "",
        );
        let ql = match obj.get("QueryLanguage") {
            None => QueryLanguage::JSONPath,
            Some(v) => self.query_language(v, "/QueryLanguage").0,
        };
        self.machine_ql = ql;
        let comment = self.opt_string(def, "", "Comment");
        if let Some(v) = obj.get("Version") {
            match v.as_str() {
                Some("1.0") => {}
                Some(_) => self.schema("Value should be one of the following: [1.0]", "/Version"),
                None => self.expected(ty::STRING, "/Version"),
            }
        }
        // The ASL spec says a positive integer; one report says AWS takes 0 [?].
        let timeout_seconds = obj
            .get("TimeoutSeconds")
            .and_then(|t| self.number(t, "/TimeoutSeconds", Range::int(1.0, Some(MAX_SECONDS))))
            .map(|t| t as u64);
        self.machine_timeout = timeout_seconds.map(|t| t as f64);
        let root = self.scope(def, "", None, ScopeKind::Root);
        self.check_unique_names();
        let states: Vec<State> = std::mem::take(&mut self.states).into_iter().flatten().collect();
        if root.is_none() || states.is_empty() {
            return None;
        }
        let scopes = std::mem::take(&mut self.scopes);
        if !self.diags.iter().any(Diagnostic::is_error) {
            self.warn_outer_assignments(&states, &scopes);
        }
        Some(Machine {
            states,
            scopes,
            comment,
            timeout_seconds,
            query_language: self.machine_ql,
            definition_size: def.json_len(),
            definition: def.clone(),
        })
    }

    /// Reads a `QueryLanguage` value. AWS resolves it to JSONPath only when it is exactly
    /// `"JSONPath"`; anything else that is present (a wrong case, another word, a number) makes
    /// the state JSONata, besides being reported (floci, measured against AWS). The flag says
    /// whether the value was valid.
    fn query_language(&mut self, v: &Value, pointer: &str) -> (QueryLanguage, bool) {
        match v.as_str() {
            Some("JSONPath") => (QueryLanguage::JSONPath, true),
            Some("JSONata") => (QueryLanguage::JSONata, true),
            Some(_) => {
                self.schema("Value should be one of the following: [JSONPath, JSONata]", pointer);
                (QueryLanguage::JSONata, false)
            }
            None => {
                self.expected(ty::STRING, pointer);
                (QueryLanguage::JSONata, false)
            }
        }
    }

    /// Compiles `{StartAt, States}` into a scope and checks its graph.
    fn scope(
        &mut self,
        obj: &Value,
        pointer: &str,
        parent: Option<StateId>,
        kind: ScopeKind,
    ) -> Option<ScopeId> {
        let map = obj.as_object()?;
        let root = kind == ScopeKind::Root;
        // AWS lists States before StartAt for an empty definition.
        self.require(map, &["States", "StartAt"], pointer);
        let start_name = match map.get("StartAt") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.expected(ty::STRING, &at(pointer, "StartAt"));
                None
            }
            None => None,
        };
        let states_ptr = at(pointer, "States");
        let states = match map.get("States") {
            Some(v @ Value::Object(_)) => v.as_object()?,
            Some(_) => {
                self.expected(ty::OBJECT, &states_ptr);
                return None;
            }
            None => return None,
        };
        // Allocate every id first so transitions can point forward.
        let mut names = ScopeNames { ids: HashMap::new() };
        let mut ids = Vec::with_capacity(states.len());
        for (name, _) in states {
            let id = self.states.len();
            self.states.push(None);
            self.edges.push(Edges::default());
            self.names.push((name.clone(), at(&states_ptr, name)));
            names.ids.insert(name.clone(), id);
            ids.push(id);
        }
        let scope_id = self.scopes.len();
        let start = start_name.as_ref().and_then(|s| names.ids.get(s).copied());
        if let (Some(s), None) = (&start_name, start) {
            self.error(
                codes::MISSING_TRANSITION_TARGET,
                format!("Missing 'Next' target: {s}"),
                &at(pointer, "StartAt"),
            );
        }
        self.scopes.push(Scope {
            start: start.or(ids.first().copied()).unwrap_or(0),
            states: ids.clone(),
            parent,
            kind,
            pointer: pointer.to_string(),
        });
        for ((name, v), &id) in states.iter().zip(&ids) {
            let sp = at(&states_ptr, name);
            self.check_name(name, &sp);
            if let Some(state) = self.state(id, name, v, &sp, scope_id, &names) {
                if let Some(slot) = self.states.get_mut(id) {
                    *slot = Some(state);
                }
            }
        }
        // With no StartAt (or one that is not a string) every state would be "unreachable": the
        // missing field says it all.
        if start_name.is_some() {
            self.check_graph(&ids, start, root, &states_ptr);
        }
        Some(scope_id)
    }

    /// The ASL spec: "state names MUST be unique within the scope of the whole state machine",
    /// so a name may not repeat in another branch or item processor either.
    fn check_unique_names(&mut self) {
        let mut seen: HashSet<Rc<str>> = HashSet::new();
        let mut dups = Vec::new();
        for (name, pointer) in &self.names {
            if !seen.insert(name.clone()) {
                dups.push((name.clone(), pointer.clone()));
            }
        }
        for (name, pointer) in dups {
            // AWS's wording is not recorded anywhere we could find; this is LocalStack's.
            self.error(codes::DUPLICATE_STATE_NAME, format!("Duplicate State name: {name}"), &pointer);
        }
    }

    fn check_name(&mut self, name: &str, pointer: &str) {
        if name.is_empty() {
            self.error(codes::INVALID_STATE_NAME, "State names must not be empty", pointer);
        } else if name.chars().count() > MAX_STATE_NAME {
            self.error(
                codes::INVALID_STATE_NAME,
                format!("State name '{name}' is longer than {MAX_STATE_NAME} characters"),
                pointer,
            );
        } else if let Some(c) = name.chars().find(|&c| forbidden_name_char(c)) {
            // AWS's API reference lists these as not allowed in names, yet AWS accepts them in state
            // names (the console's own templates use spaces, and "Returned?" is common), so
            // Statelab warns instead of refusing.
            self.warning(
                codes::INVALID_STATE_NAME,
                format!(
                    "State name '{name}' contains {c:?}, which AWS's API reference lists as not allowed in names; \
                     it may break CloudWatch logging and metrics"
                ),
                pointer,
            );
        }
    }

    /// Terminal states and reachability within one scope.
    ///
    /// AWS reports `MISSING_END_STATE` for the top level only: a loop with no way out inside a
    /// Parallel branch or a Map's item processor is accepted (floci, measured). Statelab warns
    /// there, since such a branch can never finish. When the top level has no terminal state, AWS
    /// skips the reachability walk; the walk runs everywhere else, even from a missing `StartAt`
    /// (then every state is unreachable).
    fn check_graph(&mut self, ids: &[StateId], start: Option<StateId>, root: bool, states_ptr: &str) {
        let edges: Vec<&Edges> = ids.iter().filter_map(|&i| self.edges.get(i)).collect();
        if edges.iter().any(|e| e.unknown) {
            // A state of unknown type could go anywhere or end: guessing would only add noise.
            return;
        }
        let terminal = edges.iter().any(|e| e.terminal);
        if !terminal && !ids.is_empty() {
            if root {
                self.diags.push(
                    Diagnostic::error(codes::MISSING_END_STATE, "Workflow has no terminal state", None)
                        .at_target("/States".to_string()),
                );
                return;
            }
            // Statelab's own: AWS accepts this.
            self.warning(
                codes::SUSPICIOUS,
                "These states have no terminal state (no Succeed, Fail or End: true), so they can never finish",
                states_ptr,
            );
        }
        let mut seen: HashSet<StateId> = HashSet::new();
        let mut stack: Vec<StateId> = start.into_iter().collect();
        while let Some(s) = stack.pop() {
            if !seen.insert(s) {
                continue;
            }
            if let Some(e) = self.edges.get(s) {
                stack.extend(e.targets.iter().copied());
            }
        }
        let unreachable: Vec<(Rc<str>, String)> =
            ids.iter().filter(|i| !seen.contains(i)).filter_map(|&i| self.names.get(i).cloned()).collect();
        for (name, pointer) in unreachable {
            self.error(
                codes::MISSING_TRANSITION_TARGET,
                format!("State \"{name}\" is not reachable."),
                &pointer,
            );
        }
    }

    fn edge(&mut self, from: StateId, to: StateId) {
        if let Some(e) = self.edges.get_mut(from) {
            e.targets.push(to);
        }
    }

    fn state(
        &mut self,
        id: StateId,
        name: &Rc<str>,
        v: &Value,
        pointer: &str,
        scope: ScopeId,
        names: &ScopeNames,
    ) -> Option<State> {
        let Some(obj) = v.as_object() else {
            self.expected(ty::OBJECT, pointer);
            if let Some(e) = self.edges.get_mut(id) {
                e.unknown = true;
            }
            return None;
        };
        let ty = match obj.get("Type") {
            Some(Value::String(t)) if STATE_TYPES.contains(&&**t) => Some(t.clone()),
            Some(Value::String(_)) => {
                // AWS's wording (recorded in a LocalStack test).
                self.schema(
                    format!("The field 'Type' should have one of these values: [{}]", STATE_TYPES.join(", ")),
                    &at(pointer, "Type"),
                );
                None
            }
            Some(_) => {
                self.expected(ty::STRING, &at(pointer, "Type"));
                None
            }
            None => {
                self.require(obj, &["Type"], pointer);
                None
            }
        };
        let Some(ty) = ty else {
            if let Some(e) = self.edges.get_mut(id) {
                e.unknown = true;
            }
            return None;
        };
        if matches!(&*ty, "Succeed" | "Fail") {
            if let Some(e) = self.edges.get_mut(id) {
                e.terminal = true;
            }
        }
        // States inside Map and Parallel inherit the machine's language, not their parent's.
        let mut ql_problem = None;
        let mut downgraded = false;
        let ql = match obj.get("QueryLanguage") {
            None => self.machine_ql,
            Some(q) => {
                let before = self.diags.len();
                let (ql, valid) = self.query_language(q, &at(pointer, "QueryLanguage"));
                // AWS reports a bad value after the state's field problems.
                ql_problem = (self.diags.len() > before).then(|| self.diags.split_off(before));
                if self.machine_ql == QueryLanguage::JSONata && valid && ql == QueryLanguage::JSONPath {
                    // AWS reports this at the state, and then says nothing of the state's
                    // JSONata-only fields.
                    self.schema_field(
                        "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                        pointer,
                        "QueryLanguage",
                    );
                    downgraded = true;
                }
                ql
            }
        };
        let errors_before = self.error_count();
        let fields = allowed(&ty, ql).unwrap_or(&[]);
        for key in obj.keys() {
            if COMMON.contains(&&**key) || fields.contains(&&**key) {
                continue;
            }
            let other = match ql {
                QueryLanguage::JSONPath => JSONATA_ONLY.contains(&&**key).then_some(("JSONPath", "JSONata")),
                QueryLanguage::JSONata => JSONPATH_ONLY.contains(&&**key).then_some(("JSONata", "JSONPath")),
            };
            match other {
                Some(_) if downgraded => {}
                Some((is, only)) => self.schema_field(
                    format!("The QueryLanguage is set to '{is}', but field '{key}' is only supported for the '{only}' QueryLanguage"),
                    pointer,
                    key,
                ),
                None => self.schema_field(format!("Field '{key}' is not supported"), pointer, key),
            }
        }
        if let Some(d) = ql_problem {
            self.diags.extend(d);
        }
        if ql == QueryLanguage::JSONata {
            let at_state = StateAt { id, name, pointer, scope, names };
            return self.jsonata_state(&at_state, &ty, v, fields, errors_before);
        }
        let comment = self.opt_string(v, pointer, "Comment");
        let mut uses = Uses::default();
        // Reference paths at `$$` (a Choice rule's Variable, a Wait's SecondsPath) are noted as
        // they are compiled; the states of a branch inside this one keep their own.
        let outer_context_paths = std::mem::replace(&mut self.context_paths, false);
        // Whether `$$.Task` exists here, restored after the state like `context_paths`, so that
        // it never depends on which nested state happened to be compiled last.
        let callback = &*ty == "Task"
            && obj
                .get("Resource")
                .and_then(Value::as_str)
                .is_some_and(|r| classify_resource(r).1 == Pattern::WaitForTaskToken);
        let outer_task_token = std::mem::replace(&mut self.task_token_here, callback);
        let next =
            if fields.contains(&"Next") { self.next_or_end(id, v, pointer, names) } else { Next::Terminal };
        let mut io = Io {
            input_path: self.path_field(v, pointer, "InputPath", &mut uses),
            output_path: self.path_field(v, pointer, "OutputPath", &mut uses),
            ..Io::default()
        };
        if fields.contains(&"ResultPath") {
            io.result_path = self.result_path(v, pointer);
        }
        if fields.contains(&"Parameters") && &*ty != "Map" {
            // AWS takes any JSON value as Parameters (asl-validator #101), not only objects.
            io.parameters = v
                .get("Parameters")
                .and_then(|p| self.template(p, &at(pointer, "Parameters"), false, &mut uses))
                .map(Payload::Path);
        }
        if fields.contains(&"ResultSelector") {
            io.result_selector = v
                .get("ResultSelector")
                .and_then(|t| self.template(t, &at(pointer, "ResultSelector"), true, &mut uses));
        }
        let assign = self.assign(v, pointer, &mut uses);
        let (retry, catch) = if fields.contains(&"Retry") {
            (
                self.retriers(v, pointer),
                self.catchers(id, v, pointer, names, QueryLanguage::JSONPath, &mut uses),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let kind = match &*ty {
            "Pass" => {
                let result = obj.get("Result").cloned();
                if let Some(r) = &result {
                    self.warn_static_paths(r, &at(pointer, "Result"));
                }
                Some(Kind::Pass { result })
            }
            "Task" => self.task(v, pointer, &mut uses).map(|t| Kind::Task(Box::new(t))),
            "Choice" => self.choice(id, v, pointer, names, &mut uses).map(|c| Kind::Choice(Box::new(c))),
            "Wait" => self.wait(v, pointer).map(Kind::Wait),
            "Succeed" => Some(Kind::Succeed),
            "Fail" => self.fail(v, pointer, &mut uses),
            "Parallel" => self.branches(v, pointer, id).map(|branches| Kind::Parallel { branches }),
            "Map" => {
                self.map(v, pointer, id, &mut uses, QueryLanguage::JSONPath).map(|m| Kind::Map(Box::new(m)))
            }
            _ => None,
        };
        uses.context |= std::mem::replace(&mut self.context_paths, outer_context_paths);
        self.task_token_here = outer_task_token;
        if self.error_count() > errors_before {
            return None;
        }
        Some(State {
            name: name.clone(),
            scope,
            pointer: pointer.to_string(),
            query_language: ql,
            kind: kind?,
            next,
            io,
            retry,
            catch,
            assign,
            comment,
            uses_context: uses.context,
        })
    }

    fn next_or_end(&mut self, id: StateId, v: &Value, pointer: &str, names: &ScopeNames) -> Next {
        let end = match v.get("End") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.expected(ty::BOOLEAN, &at(pointer, "End"));
                // Unknown: do not claim the scope has no way out.
                if let Some(e) = self.edges.get_mut(id) {
                    e.terminal = true;
                }
                return Next::End;
            }
        };
        if end {
            if let Some(e) = self.edges.get_mut(id) {
                e.terminal = true;
            }
        }
        match (v.get("Next"), end) {
            (Some(n), true) => {
                self.schema("There should only be one of the following fields: [Next, End]", pointer);
                // Still a transition: its target is checked and counts for reachability.
                self.target(id, n, &at(pointer, "Next"), names);
                Next::End
            }
            (None, false) => {
                self.schema("This object should have only one of the following fields: [Next, End]", pointer);
                // Unknown: do not claim the scope has no way out.
                if let Some(e) = self.edges.get_mut(id) {
                    e.terminal = true;
                }
                Next::End
            }
            (None, true) => Next::End,
            (Some(n), false) => match self.target(id, n, &at(pointer, "Next"), names) {
                Some(t) => Next::State(t),
                None => Next::End,
            },
        }
    }

    /// Resolves a transition target of state `from` in the current scope, and records the edge
    /// for the graph checks.
    fn target(&mut self, from: StateId, v: &Value, pointer: &str, names: &ScopeNames) -> Option<StateId> {
        let Some(name) = v.as_str() else {
            self.expected(ty::STRING, pointer);
            // Where it meant to go is unknown: the graph checks of its scope would only guess.
            if let Some(e) = self.edges.get_mut(from) {
                e.unknown = true;
            }
            return None;
        };
        match names.ids.get(name) {
            Some(&id) => {
                self.edge(from, id);
                Some(id)
            }
            None => {
                // AWS says 'Next' whatever the field (Default, a Choice rule's or Catcher's Next).
                self.error(
                    codes::MISSING_TRANSITION_TARGET,
                    format!("Missing 'Next' target: {name}"),
                    pointer,
                );
                None
            }
        }
    }

    fn opt_string(&mut self, v: &Value, pointer: &str, key: &str) -> Option<String> {
        match v.get(key)? {
            Value::String(s) => Some(s.to_string()),
            _ => {
                self.expected(ty::STRING, &at(pointer, key));
                None
            }
        }
    }

    /// A number within `range`, reported at `p` in AWS's words.
    fn number(&mut self, v: &Value, p: &str, range: Range) -> Option<f64> {
        let Some(n) = v.as_f64() else {
            self.expected(if range.kind == Num::Int { ty::INTEGER } else { ty::NUMBER }, p);
            return None;
        };
        if range.kind == Num::Int && v.as_i64().is_none() {
            self.expected(ty::INTEGER, p);
            return None;
        }
        if n < range.min {
            self.schema(format!("Minimum value is {}", range.show(range.min)), p);
            return None;
        }
        if let Some(max) = range.max {
            if n > max {
                self.schema(format!("Maximum value is {}", range.show(max)), p);
                return None;
            }
        }
        Some(n)
    }

    /// A field that must hold a reference path it reads (`ItemsPath`, `...Path` numbers, Choice
    /// `Variable`), noting a variable it reads. `context` says whether `$$` may start it; a `$$`
    /// path is checked for fields the context object never has ([`Self::check_context_path`]).
    fn reference_path(&mut self, v: &Value, p: &str, context: bool) -> Option<JsonPath> {
        let path = self.reference_path_unchecked(v, p, context)?;
        self.check_context_path(&path, p);
        self.note_read(&path, p, ReadBy::Path);
        Some(path)
    }

    /// Notes the variable `path` reads, if any, for [`Self::warn_variable_uses`].
    fn note_read(&mut self, path: &JsonPath, p: &str, by: ReadBy) {
        if let Root::Variable(name) = path.root() {
            self.reads.push((name.to_string(), p.to_string(), by));
        }
    }

    /// [`Self::reference_path`] without the context-field check and without noting a read: for a
    /// path that may find nothing (`IsPresent`'s Variable, whose caller notes its read) and for
    /// `ResultPath`, which writes.
    fn reference_path_unchecked(&mut self, v: &Value, p: &str, context: bool) -> Option<JsonPath> {
        let Some(text) = v.as_str() else {
            self.expected(ty::STRING, p);
            return None;
        };
        if !text.starts_with('$') {
            // AWS's wording, quoted in user reports (an intrinsic in a Choice Variable gives it);
            // for an intrinsic, Statelab says why after it.
            let message = if intrinsics::is_intrinsic_call(text.trim_start()) {
                "Value is not a Reference Path: Reference path didn't start with '$' (intrinsic functions are not allowed in this field: compute the value in an earlier state's Parameters or Assign, and refer to it here)"
            } else {
                "Value is not a Reference Path: Reference path didn't start with '$'"
            };
            self.schema(message, p);
            return None;
        }
        match JsonPath::parse(text) {
            // The reason after the colon is Statelab's: AWS's own texts are not recorded.
            Err(e) => {
                self.schema(format!("Value is not a Reference Path: {e}"), p);
                None
            }
            Ok(path) if !path.is_reference() => {
                self.schema(
                    "Value is not a Reference Path: only field names and single indices may follow '$' (no wildcards, slices, filters or '..')",
                    p,
                );
                None
            }
            Ok(path) if !context && matches!(path.root(), Root::Context) => {
                // Measured on AWS for the Map number fields: only ItemsPath takes `$$`.
                self.schema("Value is not a Reference Path", p);
                None
            }
            Ok(path) => {
                match path.root() {
                    // The state must build its context object for this path to read.
                    Root::Context => self.context_paths = true,
                    // A read, noted by the caller ([`Self::note_read`]): `IsPresent` reads a
                    // variable without failing, and ResultPath is refused one.
                    Root::Variable(_) | Root::Input => {}
                }
                Some(path)
            }
        }
    }

    /// `InputPath`/`OutputPath`: absent, null, or any JSONPath.
    fn path_field(&mut self, v: &Value, pointer: &str, key: &str, uses: &mut Uses) -> PathField {
        let p = at(pointer, key);
        match v.get(key) {
            None => PathField::Default,
            Some(Value::Null) => PathField::Null,
            Some(Value::String(s)) => {
                if !s.starts_with('$') {
                    // The wording AWS is reported to use [?].
                    self.schema("Value must be a valid JSONPath.", &p);
                    return PathField::Default;
                }
                match JsonPath::parse(s) {
                    Ok(path) => {
                        self.check_context_path(&path, &p);
                        match path.root() {
                            Root::Context => uses.context = true,
                            Root::Variable(_) => uses.variables = true,
                            Root::Input => {}
                        }
                        self.note_read(&path, &p, ReadBy::Path);
                        PathField::Path(path)
                    }
                    Err(e) => {
                        self.schema(format!("Value must be a valid JSONPath. {e}"), &p);
                        PathField::Default
                    }
                }
            }
            Some(_) => {
                self.expected(ty::STRING, &p);
                PathField::Default
            }
        }
    }

    /// `ResultPath` (of a state or a Catcher): absent, null, or a reference path on `$`.
    fn result_path(&mut self, v: &Value, pointer: &str) -> PathField {
        let p = at(pointer, "ResultPath");
        match v.get("ResultPath") {
            None => PathField::Default,
            Some(Value::Null) => PathField::Null,
            // Unchecked for context fields: a `$$` ResultPath is refused whatever it names.
            Some(r) => match self.reference_path_unchecked(r, &p, true) {
                Some(path) => match path.root() {
                    Root::Input => PathField::Path(path),
                    // ResultPath writes into the state's input: the context object and variables
                    // cannot be written. AWS's wording is not recorded.
                    Root::Context | Root::Variable(_) => {
                        self.schema(
                            "Value is not a Reference Path: ResultPath must start with '$.' or be '$'",
                            &p,
                        );
                        PathField::Default
                    }
                },
                None => PathField::Default,
            },
        }
    }

    /// A payload template. `object` says whether AWS requires an object here.
    fn template(&mut self, t: &Value, p: &str, object: bool, uses: &mut Uses) -> Option<Template> {
        if object && !matches!(t, Value::Object(_)) {
            self.expected(ty::OBJECT, p);
            return None;
        }
        let mut errors = Vec::new();
        let compiled = Template::compile(t, true, &mut errors, uses);
        for e in &errors {
            self.schema(e.message.clone(), &format!("{p}{}", e.pointer));
        }
        self.template_strings(t, p);
        self.check_doubled_fields(t, p);
        errors.is_empty().then_some(compiled)
    }

    /// `"x"` and `"x.$"` in one object both make the field `x`, and the later one silently wins:
    /// a warning at the later one (which is what AWS does with them is not recorded).
    fn check_doubled_fields(&mut self, t: &Value, p: &str) {
        match t {
            Value::Object(_) => {
                let Some(map) = t.as_object() else { return };
                let mut seen: Vec<&str> = Vec::new();
                for (k, v) in map {
                    let field = k.strip_suffix(".$").unwrap_or(k);
                    let at = at(p, k);
                    if seen.contains(&field) {
                        self.warning(
                            codes::SUSPICIOUS,
                            format!(
                                "'{field}' and '{field}.$' both make the field '{field}'; this one, written later, wins and the other is lost"
                            ),
                            &at,
                        );
                    } else {
                        seen.push(field);
                    }
                    // A `.$` value is a path or a call, not a template to look into.
                    if !k.ends_with(".$") {
                        self.check_doubled_fields(v, &at);
                    }
                }
            }
            Value::Array(_) => {
                for (i, v) in t.as_array().unwrap_or_default().iter().enumerate() {
                    self.check_doubled_fields(v, &at(p, &i.to_string()));
                }
            }
            _ => {}
        }
    }

    /// What a JSONPath template's strings say, in one walk: the variables its `.$` paths read
    /// (for [`Self::warn_variable_uses`]); NO_DOLLAR, a string that looks like a path or intrinsic
    /// under a key without `.$`; a `{% %}` expression, which a JSONPath state takes as a literal
    /// string (the likeliest slip when moving to JSONata is leaving out `QueryLanguage`); and
    /// warnings for `$$` paths naming no context field and intrinsic calls whose literal arguments
    /// can only fail.
    fn template_strings(&mut self, t: &Value, p: &str) {
        let mut reads = Vec::new();
        let mut no_dollar = Vec::new();
        let mut jsonata = Vec::new();
        let mut calls = Vec::new();
        let mut context_paths = Vec::new();
        walk_strings(t, p, &mut |ptr, key, s| {
            if crate::template::jsonata_expression(s).is_some() {
                jsonata.push(ptr.to_string());
            } else if key.ends_with(".$") {
                if intrinsics::is_intrinsic_call(s) {
                    if let Ok(call) = intrinsics::parse(s) {
                        calls.push((ptr.to_string(), call));
                    }
                } else if let Some(path) = s.starts_with('$').then(|| JsonPath::parse(s).ok()).flatten() {
                    match path.root() {
                        Root::Variable(name) => reads.push((name.to_string(), ptr.to_string(), ReadBy::Path)),
                        Root::Context => context_paths.push((ptr.to_string(), path)),
                        Root::Input => {}
                    }
                }
            } else if looks_like_path_or_call(s) {
                no_dollar.push((ptr.to_string(), key.to_string()));
            }
        });
        self.reads.extend(reads);
        for ptr in jsonata {
            self.warn_jsonata_in_jsonpath(&ptr);
        }
        for (ptr, key) in no_dollar {
            // AWS's wording is not recorded; the code and its meaning are AWS's.
            self.warning(
                codes::NO_DOLLAR,
                format!("The value of '{key}' looks like a JSONPath or intrinsic function, but the field name does not end with '.$', so it is used as a literal string"),
                &ptr,
            );
        }
        for (ptr, call) in calls {
            self.check_intrinsic(&call, &ptr);
        }
        for (ptr, path) in context_paths {
            self.check_context_path(&path, &ptr);
        }
    }

    /// A `{% %}` expression in a JSONPath state, which takes it as the literal string it is.
    fn warn_jsonata_in_jsonpath(&mut self, ptr: &str) {
        // Statelab's own warning.
        self.warning(
            codes::SUSPICIOUS,
            "This value is a JSONata expression, but the state uses JSONPath, so it is a literal string: set \"QueryLanguage\": \"JSONata\" on the state or the machine",
            ptr,
        );
    }

    /// A `$$` path naming a field the context object never has (`$$.Execution.Idd`) finds
    /// nothing, and the state fails with States.Runtime every run: a warning, with the field it
    /// probably meant. Below `Execution.Input` and `Map.Item.Value` the data is the user's.
    fn check_context_path(&mut self, path: &JsonPath, p: &str) {
        if path.root() != &Root::Context {
            return;
        }
        let names = path.leading_names();
        if names.first() == Some(&"Task") && !self.task_token_here {
            self.warning(
                codes::SUSPICIOUS,
                format!(
                    "The context object has a Task (its Token) only in a Task whose resource ends with .waitForTaskToken: the path '{}' finds nothing here, and the state fails with States.Runtime",
                    path.text()
                ),
                p,
            );
            return;
        }
        let mut level = CONTEXT_FIELDS;
        let mut walked = String::from("$$");
        for name in names {
            if level.is_empty() {
                return;
            }
            match level.iter().find(|f| f.name == name) {
                Some(field) => {
                    walked.push('.');
                    walked.push_str(name);
                    level = field.below;
                }
                None => {
                    let names = level.iter().map(|f| f.name);
                    let hint = crate::machine::closest_name(name, names.clone())
                        .map(|c| format!(" (did you mean '{c}'?)"))
                        .unwrap_or_default();
                    self.warning(
                        codes::SUSPICIOUS,
                        format!(
                            "The context object has no field '{name}' in {walked} (it has {}){hint}: the path '{}' finds nothing, and the state fails with States.Runtime",
                            names.collect::<Vec<_>>().join(", "),
                            path.text()
                        ),
                        p,
                    );
                    return;
                }
            }
        }
    }

    /// An intrinsic call's `$$` paths, nested calls' included ([`Self::check_context_path`]), then
    /// its arguments ([`Self::check_call`]).
    fn check_intrinsic(&mut self, call: &Call, p: &str) {
        for path in call.paths() {
            self.check_context_path(path, p);
            self.note_read(path, p, ReadBy::Path);
        }
        self.check_call(call, p);
    }

    /// Literal arguments of the wrong type, or out of range, make a call fail at run time with
    /// `States.IntrinsicFailure`. Whether AWS refuses them when the definition is created is not
    /// recorded, so Statelab only warns.
    fn check_call(&mut self, call: &Call, p: &str) {
        let f = call.function_id();
        if let Some((holes, values)) = intrinsics::format_mismatch(call) {
            self.warning(
                codes::SUSPICIOUS,
                format!(
                    "The template of {} has {} '{{}}' but {} {} given: this call always fails with States.IntrinsicFailure",
                    f.name(),
                    crate::text::count(holes, "placeholder"),
                    crate::text::count(values, "value"),
                    if values == 1 { "is" } else { "are" },
                ),
                p,
            );
        }
        for (i, arg) in call.args().iter().enumerate() {
            match arg {
                Arg::Call(inner) => self.check_call(inner, p),
                Arg::Literal(v) => {
                    if let Some(problem) = literal_problem(f, i, v, call.args()) {
                        self.warning(
                            codes::SUSPICIOUS,
                            format!(
                                "Argument {} of {} {problem}: this call always fails with States.IntrinsicFailure",
                                i + 1,
                                f.name()
                            ),
                            p,
                        );
                    }
                }
                Arg::Path(_) => {}
            }
        }
    }

    /// PASS_RESULT_IS_STATIC.
    fn warn_static_paths(&mut self, r: &Value, p: &str) {
        let mut found = Vec::new();
        walk_strings(r, p, &mut |ptr, key, s| {
            if key.ends_with(".$") || looks_like_path_or_call(s) {
                found.push(ptr.to_string());
            }
        });
        for ptr in found {
            // AWS's wording is not recorded; the code and its meaning are AWS's.
            self.warning(
                codes::PASS_RESULT_IS_STATIC,
                "A Pass state's Result is used as written: paths in it are not evaluated (use Parameters)",
                &ptr,
            );
        }
    }

    /// NO_PATH: a literal that looks like a path in a field whose `...Path` twin would read it.
    fn warn_no_path(&mut self, v: &Value, p: &str, key: &str, twin: &str) {
        if v.as_str().is_some_and(looks_like_path) {
            // AWS's wording is not recorded; the code and its meaning are AWS's.
            self.warning(
                codes::NO_PATH,
                format!("The value of '{key}' looks like a JSONPath, but the field name does not end with 'Path', so it is used as written (use '{twin}' to read it from the input)"),
                p,
            );
        }
    }

    fn assign(&mut self, v: &Value, pointer: &str, uses: &mut Uses) -> Option<Payload> {
        let a = v.get("Assign")?;
        let p = at(pointer, "Assign");
        let Some(map) = a.as_object() else {
            self.expected(ty::OBJECT, &p);
            return None;
        };
        self.assign_names(map, &p);
        let mut assign_uses = Uses::default();
        let t = self.template(a, &p, true, &mut assign_uses);
        uses.context |= assign_uses.context;
        uses.variables |= assign_uses.variables;
        t.map(Payload::Path)
    }

    /// The variable names of an `Assign` block (`.$` stripped: JSONata states report that
    /// suffix on its own).
    fn assign_names(&mut self, map: &Map, p: &str) {
        for key in map.keys() {
            let name = key.strip_suffix(".$").unwrap_or(key);
            self.assigned.insert(name.to_string());
            if name == "states" {
                // Reported wording [?]; `$states` is JSONata's reserved variable.
                self.schema_name("Cannot assign to reserved variable '$states'.", &at(p, key));
            } else if name.contains(['.', '['])
                && name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
            {
                // Statelab's wording: AWS documents that a variable is assigned whole.
                self.schema_name(
                    format!("'{name}' assigns to part of a variable, which is not supported: assign the whole variable (build the new value with an expression)"),
                    &at(p, key),
                );
            } else if !valid_variable_name(name) {
                // Statelab's wording: AWS's is not recorded.
                self.schema_name(
                    format!("'{name}' is not a valid variable name: use letters, digits and underscores, starting with a letter or underscore, at most 80 characters"),
                    &at(p, key),
                );
            }
        }
    }

    /// A Fail state's literal `Error` in the `States.` namespace, which is Step Functions' own.
    fn warn_reserved_error(&mut self, error: Option<&Value>, p: &str) {
        let Some(name) = error.and_then(Value::as_str) else { return };
        if name.starts_with("States.") && crate::template::jsonata_expression(name).is_none() {
            // Statelab's own warning (AWS: user error names must not start with 'States.').
            self.warning(
                codes::SUSPICIOUS,
                format!("'{name}': error names starting with 'States.' are reserved for Step Functions' own errors; give yours another prefix"),
                p,
            );
        }
    }

    fn error_equals(&mut self, obj: &Map, pointer: &str, last: bool) -> Vec<Rc<str>> {
        let p = at(pointer, "ErrorEquals");
        let Some(list) = obj.get("ErrorEquals") else { return Vec::new() };
        let Some(items) = list.as_array() else {
            self.expected(ty::ARRAY, &p);
            return Vec::new();
        };
        if items.is_empty() {
            self.schema("Value cannot be empty", &p);
        }
        let mut out = Vec::new();
        for (i, e) in items.iter().enumerate() {
            let ep = at(&p, &i.to_string());
            match e.as_rc_str() {
                Some(s) if !s.is_empty() => {
                    if &**s == names::RUNTIME {
                        // Statelab's own warning (AWS: States.Runtime is not retriable or catchable).
                        self.warning(
                            codes::SUSPICIOUS,
                            "States.Runtime is never retried or caught, even when named: no error will ever match it here",
                            &ep,
                        );
                    } else if s.starts_with("States.") && !PREDEFINED_ERRORS.contains(&&**s) {
                        let hint = crate::machine::closest_name(s, PREDEFINED_ERRORS.iter().copied())
                            .map(|n| format!(" (did you mean '{n}'?)"))
                            .unwrap_or_default();
                        self.warning(
                            codes::SUSPICIOUS,
                            format!("'{s}' is not one of the predefined error names, and names starting with 'States.' are reserved: Step Functions never raises it, so only a Fail state or a Task that raises it by this very name would match{hint}"),
                            &ep,
                        );
                    }
                    out.push(s.clone());
                }
                Some(_) => self.schema("Value cannot be empty", &ep),
                None => self.expected(ty::STRING, &ep),
            }
        }
        let all = out.iter().any(|e| &**e == names::ALL);
        if all && (out.len() > 1 || !last) {
            // AWS's wording, from a user's Terraform error; it covers both rules.
            self.schema("States.ALL must appear alone and at end of list", &p);
        }
        out
    }

    fn retriers(&mut self, v: &Value, pointer: &str) -> Vec<Retrier> {
        let Some(list) = v.get("Retry") else { return Vec::new() };
        let p = at(pointer, "Retry");
        let Some(items) = list.as_array() else {
            self.expected(ty::ARRAY, &p);
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut seen: Vec<Rc<str>> = Vec::new();
        for (i, r) in items.iter().enumerate() {
            let rp = at(&p, &i.to_string());
            let Some(obj) = r.as_object() else {
                self.expected(ty::OBJECT, &rp);
                continue;
            };
            self.unknown_fields(
                obj,
                &[
                    "ErrorEquals",
                    "IntervalSeconds",
                    "MaxAttempts",
                    "BackoffRate",
                    "MaxDelaySeconds",
                    "JitterStrategy",
                    "Comment",
                ],
                &rp,
            );
            self.require(obj, &["ErrorEquals"], &rp);
            let error_equals = self.error_equals(obj, &rp, i + 1 == items.len());
            self.opt_string(r, &rp, "Comment");
            // The spec says a positive integer, but AWS runs retriers with IntervalSeconds 0 (floci
            // recorded it against us-east-1, issue #2868): 0 retries at once.
            let interval_seconds = obj
                .get("IntervalSeconds")
                .map(|n| self.number(n, &at(&rp, "IntervalSeconds"), Range::int(0.0, Some(MAX_SECONDS))))
                .unwrap_or(Some(1.0));
            let max_attempts = obj
                .get("MaxAttempts")
                .map(|n| self.number(n, &at(&rp, "MaxAttempts"), Range::int(0.0, Some(MAX_SECONDS))))
                .unwrap_or(Some(3.0));
            let backoff_rate = obj
                .get("BackoffRate")
                .map(|n| self.number(n, &at(&rp, "BackoffRate"), Range::float(1.0, None)))
                .unwrap_or(Some(2.0));
            let max_delay_seconds = obj.get("MaxDelaySeconds").map(|n| {
                self.number(n, &at(&rp, "MaxDelaySeconds"), Range::int(1.0, Some(MAX_DELAY_SECONDS)))
            });
            let jitter_full = match obj.get("JitterStrategy") {
                None => Some(false),
                Some(j) => match j.as_str() {
                    Some("FULL") => Some(true),
                    Some("NONE") => Some(false),
                    Some(_) => {
                        self.schema(
                            "Value should be one of the following: [NONE, FULL]",
                            &at(&rp, "JitterStrategy"),
                        );
                        None
                    }
                    None => {
                        self.expected(ty::STRING, &at(&rp, "JitterStrategy"));
                        None
                    }
                },
            };
            // A retrier whose every error is already taken by earlier retriers never runs.
            if !error_equals.is_empty() && error_equals.iter().all(|e| seen.iter().any(|s| covers(s, e))) {
                self.warning(
                    codes::SUSPICIOUS,
                    "This Retrier can never match: every error it names is matched by an earlier Retrier",
                    &rp,
                );
            }
            seen.extend(error_equals.iter().cloned());
            if let (Some(interval_seconds), Some(max_attempts), Some(backoff_rate), Some(jitter_full)) =
                (interval_seconds, max_attempts, backoff_rate, jitter_full)
            {
                out.push(Retrier {
                    error_equals,
                    interval_seconds,
                    max_attempts: max_attempts as u32,
                    backoff_rate,
                    max_delay_seconds: max_delay_seconds.flatten(),
                    jitter_full,
                });
            }
        }
        out
    }

    fn catchers(
        &mut self,
        id: StateId,
        v: &Value,
        pointer: &str,
        names: &ScopeNames,
        ql: QueryLanguage,
        uses: &mut Uses,
    ) -> Vec<Catcher> {
        let Some(list) = v.get("Catch") else { return Vec::new() };
        let p = at(pointer, "Catch");
        let Some(items) = list.as_array() else {
            self.expected(ty::ARRAY, &p);
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut seen: Vec<Rc<str>> = Vec::new();
        for (i, c) in items.iter().enumerate() {
            let cp = at(&p, &i.to_string());
            let Some(obj) = c.as_object() else {
                self.expected(ty::OBJECT, &cp);
                continue;
            };
            let (fields, other, is, only): (Fields, Fields, _, _) = match ql {
                QueryLanguage::JSONPath => (
                    &["ErrorEquals", "Next", "ResultPath", "Assign", "Comment"],
                    &["Output"],
                    "JSONPath",
                    "JSONata",
                ),
                QueryLanguage::JSONata => (
                    &["ErrorEquals", "Next", "Output", "Assign", "Comment"],
                    &["ResultPath"],
                    "JSONata",
                    "JSONPath",
                ),
            };
            for key in obj.keys() {
                if fields.contains(&&**key) {
                } else if other.contains(&&**key) {
                    self.schema_field(
                        format!("The QueryLanguage is set to '{is}', but field '{key}' is only supported for the '{only}' QueryLanguage"),
                        &cp,
                        key,
                    );
                } else {
                    self.schema_field(format!("Field '{key}' is not supported"), &cp, key);
                }
            }
            self.require(obj, &["ErrorEquals", "Next"], &cp);
            let error_equals = self.error_equals(obj, &cp, i + 1 == items.len());
            self.opt_string(c, &cp, "Comment");
            let next = obj.get("Next").and_then(|n| self.target(id, n, &at(&cp, "Next"), names));
            if !error_equals.is_empty() && error_equals.iter().all(|e| seen.iter().any(|s| covers(s, e))) {
                self.warning(
                    codes::SUSPICIOUS,
                    "This Catcher can never match: every error it names is matched by an earlier Catcher",
                    &cp,
                );
            }
            seen.extend(error_equals.iter().cloned());
            if ql == QueryLanguage::JSONata {
                // A Catcher's Output and Assign see `$states.errorOutput`, and no result.
                let field = format!("Catch[{i}]");
                let allowed = Allowed { result: false, error_output: true };
                let output = obj
                    .get("Output")
                    .and_then(|o| self.jtemplate(o, &at(&cp, "Output"), &format!("{field}/Output"), allowed));
                let assign = self.jassign(c, &cp, &format!("{field}/Assign"), allowed);
                if let Some(next) = next {
                    out.push(Catcher { error_equals, next, result_path: PathField::Default, assign, output });
                }
                continue;
            }
            let result_path = self.result_path(c, &cp);
            let assign = self.assign(c, &cp, uses);
            if let Some(next) = next {
                out.push(Catcher { error_equals, next, result_path, assign, output: None });
            }
        }
        out
    }

    /// A Task's `Resource`, and how it is invoked.
    fn task_resource(&mut self, obj: &Map, pointer: &str) -> (Option<Rc<str>>, ResourceKind, Pattern) {
        self.require(obj, &["Resource"], pointer);
        let rp = at(pointer, "Resource");
        let resource: Option<Rc<str>> = match obj.get("Resource") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                self.expected(ty::STRING, &rp);
                None
            }
            None => None,
        };
        let (resource_kind, pattern) = resource
            .as_deref()
            .map(classify_resource)
            .unwrap_or((ResourceKind::Other, Pattern::RequestResponse));
        if let (true, Some(why)) = (self.express, express_unsupported(&resource_kind, pattern)) {
            // [?] AWS's wording for this rejection is not recorded; the message is Statelab's.
            self.schema(
                format!("{why}, and this state runs in the children of a Distributed Map whose ProcessorConfig.ExecutionType is EXPRESS"),
                &rp,
            );
        }
        if let Some(r) = &resource {
            if crate::template::jsonata_expression(r).is_some() {
                // AWS documents that Resource must be a constant; the wording is Statelab's.
                self.schema(
                    "The field 'Resource' must be a constant: JSONata expressions are not supported in it",
                    &rp,
                );
            // Template placeholders (CloudFormation `${X}`, serverless `#{X}`) stand for ARNs.
            } else if resource_kind == ResourceKind::Other && !(r.contains("${") || r.contains("#{")) {
                // AWS's wording (quoted from a CloudFormation deployment error).
                self.error(
                    codes::INVALID_RESOURCE,
                    format!("The resource provided {r} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."),
                    &rp,
                );
            }
        }
        (resource, resource_kind, pattern)
    }

    /// A Task's `HeartbeatSeconds` must be under its `TimeoutSeconds` (checked when both are
    /// constants), in either query language.
    fn task_timing(
        &mut self,
        heartbeat: &Option<Option<NumberSource>>,
        timeout: &Option<Option<NumberSource>>,
        pointer: &str,
    ) {
        if let (Some(Some(NumberSource::Const(h))), Some(Some(NumberSource::Const(t)))) = (heartbeat, timeout)
        {
            if h >= t {
                // Statelab's wording; AWS documents the rule but its message is not recorded.
                self.schema(
                    "The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'",
                    &at(pointer, "HeartbeatSeconds"),
                );
            }
        }
    }

    /// A `.waitForTaskToken` Task whose payload field (`Parameters` or `Arguments`) never mentions
    /// the token (`$$.Task.Token` or `$states.context.Task.Token`) can only time out: a warning.
    fn task_token_passed(&mut self, obj: &Map, pattern: Pattern, field: &str, token: &str, pointer: &str) {
        if pattern != Pattern::WaitForTaskToken {
            return;
        }
        if !obj.get(field).is_some_and(|p| p.to_json().contains(token)) {
            self.warning(
                codes::SUSPICIOUS,
                format!(
                    "This task waits for a task token, but its {field} never pass {token}: nothing can send the token back, so it waits until it times out"
                ),
                &at(pointer, "Resource"),
            );
        }
    }

    fn task(&mut self, v: &Value, pointer: &str, uses: &mut Uses) -> Option<TaskSpec> {
        let obj = v.as_object()?;
        let (resource, resource_kind, pattern) = self.task_resource(obj, pointer);
        let timeout =
            self.number_or_path(v, pointer, "TimeoutSeconds", Range::int(1.0, Some(MAX_SECONDS)), true, uses);
        let heartbeat = self.number_or_path(
            v,
            pointer,
            "HeartbeatSeconds",
            Range::int(1.0, Some(MAX_SECONDS)),
            true,
            uses,
        );
        self.task_timing(&heartbeat, &timeout, pointer);
        let credentials = match obj.get("Credentials") {
            Some(c) => {
                let cp = at(pointer, "Credentials");
                if let Some(co) = c.as_object() {
                    if !co.contains_key("RoleArn") && !co.contains_key("RoleArn.$") {
                        self.require(co, &["RoleArn"], &cp);
                    }
                }
                self.template(c, &cp, true, uses).map(Payload::Path)
            }
            None => None,
        };
        self.task_token_passed(obj, pattern, "Parameters", "$$.Task.Token", pointer);
        Some(TaskSpec {
            resource: resource?,
            resource_kind,
            pattern,
            timeout: timeout?,
            heartbeat: heartbeat?,
            credentials,
        })
    }

    /// `X` (a constant within `range`) or `XPath` (a reference path), never both. `Some(None)`
    /// when neither is given, `None` after an error.
    #[allow(clippy::option_option)]
    fn number_or_path(
        &mut self,
        v: &Value,
        pointer: &str,
        key: &str,
        range: Range,
        context: bool,
        uses: &mut Uses,
    ) -> Option<Option<NumberSource>> {
        let path_key = format!("{key}Path");
        let kp = at(pointer, key);
        match (v.get(key), v.get(&path_key)) {
            (Some(_), Some(_)) => {
                // Located at the constant, as measured on AWS for MaxConcurrency.
                self.schema(
                    format!("There should only be one of the following fields: [{key}, {path_key}]"),
                    &kp,
                );
                None
            }
            (Some(c), None) => self.number(c, &kp, range).map(|n| Some(NumberSource::Const(n))),
            (None, Some(p)) => {
                let path = self.reference_path(p, &at(pointer, &path_key), context)?;
                match path.root() {
                    Root::Context => uses.context = true,
                    Root::Variable(_) => uses.variables = true,
                    Root::Input => {}
                }
                Some(Some(NumberSource::Path(path)))
            }
            (None, None) => Some(None),
        }
    }

    /// The `Choices` array of a Choice state, checked for its shape.
    fn choices_list<'v>(&mut self, v: &'v Value, pointer: &str) -> &'v [Value] {
        let cp = at(pointer, "Choices");
        match v.get("Choices") {
            Some(Value::Array(_)) => {
                let list = v.get("Choices").and_then(Value::as_array).unwrap_or_default();
                if list.is_empty() {
                    self.schema("Value cannot be empty", &cp);
                }
                list
            }
            Some(_) => {
                self.expected(ty::ARRAY, &cp);
                &[]
            }
            None => {
                if let Some(obj) = v.as_object() {
                    self.require(obj, &["Choices"], pointer);
                }
                &[]
            }
        }
    }

    fn choice(
        &mut self,
        id: StateId,
        v: &Value,
        pointer: &str,
        names: &ScopeNames,
        uses: &mut Uses,
    ) -> Option<ChoiceSpec> {
        let list = self.choices_list(v, pointer);
        let cp = at(pointer, "Choices");
        let mut choices = Vec::new();
        let mut ok = v.get("Choices").is_some_and(|c| c.as_array().is_some_and(|a| !a.is_empty()));
        for (i, r) in list.iter().enumerate() {
            let rp = at(&cp, &i.to_string());
            let next = match r.as_object() {
                Some(obj) => obj.get("Next").and_then(|n| self.target(id, n, &at(&rp, "Next"), names)),
                None => None,
            };
            let rule = self.rule(r, &rp, true, 0);
            let assign = if matches!(r, Value::Object(_)) { self.assign(r, &rp, uses) } else { None };
            match (rule, next) {
                (Some(rule), Some(next)) => choices.push(ChoiceBranch { rule, next, assign, output: None }),
                _ => ok = false,
            }
        }
        let default = match v.get("Default") {
            Some(d) => {
                let t = self.target(id, d, &at(pointer, "Default"), names);
                ok &= t.is_some();
                t
            }
            None => {
                self.warning(
                    codes::SUSPICIOUS,
                    "This Choice state has no Default: when no rule matches, the execution fails with States.NoChoiceMatched",
                    pointer,
                );
                None
            }
        };
        ok.then_some(ChoiceSpec { choices, default })
    }

    /// One Choice rule. `top` for the rules of `Choices` itself (which have `Next` and may have
    /// `Assign`); nested rules (inside `And`, `Or`, `Not`) may not.
    fn rule(&mut self, r: &Value, pointer: &str, top: bool, depth: usize) -> Option<Rule> {
        let Some(obj) = r.as_object() else {
            self.expected(ty::OBJECT, pointer);
            return None;
        };
        if depth > 100 {
            self.schema("Choice rules are nested too deeply", pointer);
            return None;
        }
        let before = self.error_count();
        let mut comparators: Vec<&str> = Vec::new();
        let mut logic: Vec<&str> = Vec::new();
        for key in obj.keys() {
            let k: &str = key;
            if COMPARATORS.contains(&k) {
                comparators.push(k);
            } else if ["And", "Or", "Not"].contains(&k) {
                logic.push(k);
            } else if k == "Variable" || k == "Comment" || (top && (k == "Next" || k == "Assign")) {
            } else if k == "Condition" || k == "Output" {
                self.schema_field(
                    format!("The QueryLanguage is set to 'JSONPath', but field '{k}' is only supported for the 'JSONata' QueryLanguage"),
                    pointer,
                    k,
                );
            } else {
                // An unknown comparator is refused, never treated as false; so is a nested Next.
                self.schema_field(format!("Field '{k}' is not supported"), pointer, k);
            }
        }
        if top {
            self.require(obj, &["Next"], pointer);
        }
        self.opt_string(r, pointer, "Comment");
        let has_var = obj.contains_key("Variable");
        let rule = match (logic.as_slice(), comparators.as_slice(), has_var) {
            ([l], _, false) => {
                for c in &comparators {
                    self.schema_field(format!("Field '{c}' is not supported"), pointer, c);
                }
                self.logic_rule(obj, l, pointer, depth)
            }
            ([], [c], true) => self.comparison(obj, c, pointer),
            // An unsupported field was most likely a misspelt comparator, already reported.
            ([], [], true) if self.error_count() > before => None,
            ([], [], true) => {
                // Statelab's wording.
                self.schema(
                    "A Choice rule with 'Variable' needs one comparison operator, such as StringEquals, NumericGreaterThan or IsPresent",
                    pointer,
                );
                None
            }
            ([], many, true) => {
                self.schema(
                    format!("There should only be one of the following fields: [{}]", many.join(", ")),
                    pointer,
                );
                None
            }
            ([], [_, ..], false) => {
                self.require(obj, &["Variable"], pointer);
                None
            }
            // A JSONata `Condition` alone, already reported as JSONata's: "only one of [..,
            // Condition]" beside it would read as a contradiction.
            ([], [], false) if obj.contains_key("Condition") && self.error_count() > before => None,
            _ => {
                // The wording AWS is reported to use [?] (it lists JSONata's Condition too).
                self.schema(
                    "The object must have only one of the following fields, [And, Or, Not, Variable, Condition]",
                    pointer,
                );
                None
            }
        };
        if self.error_count() > before {
            return None;
        }
        rule
    }

    fn logic_rule(&mut self, obj: &Map, l: &str, pointer: &str, depth: usize) -> Option<Rule> {
        let lp = at(pointer, l);
        let v = obj.get(l)?;
        if l == "Not" {
            if !matches!(v, Value::Object(_)) {
                self.expected(ty::OBJECT, &lp);
                return None;
            }
            let inner = self.rule(v, &lp, false, depth + 1)?;
            return Some(Rule::Not(Box::new(inner)));
        }
        let Some(items) = v.as_array() else {
            self.expected(ty::ARRAY, &lp);
            return None;
        };
        if items.is_empty() {
            self.schema("Value cannot be empty", &lp);
            return None;
        }
        let mut rules = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(rule) = self.rule(item, &at(&lp, &i.to_string()), false, depth + 1) {
                rules.push(rule);
            }
        }
        if rules.len() != items.len() {
            return None;
        }
        Some(if l == "And" { Rule::And(rules) } else { Rule::Or(rules) })
    }

    /// `Variable` and one comparator, with the operand's type checked in AWS's words before
    /// `choice::make_test` builds the test.
    fn comparison(&mut self, obj: &Map, c: &str, pointer: &str) -> Option<Rule> {
        let vp = at(pointer, "Variable");
        let variable = obj.get("Variable").and_then(|v| {
            if c == "IsPresent" {
                let path = self.reference_path_unchecked(v, &vp, true)?;
                self.note_read(&path, &vp, ReadBy::Presence);
                Some(path)
            } else {
                self.reference_path(v, &vp, true)
            }
        });
        let operand = obj.get(c)?;
        let op = at(pointer, c);
        let ok = if c.ends_with("Path") {
            self.reference_path(operand, &op, true).is_some()
        } else if c.starts_with("String") {
            if matches!(operand, Value::String(_)) {
                if c != "StringMatches" {
                    self.warn_no_path(operand, &op, c, &format!("{c}Path"));
                }
                true
            } else {
                self.expected(ty::STRING, &op);
                false
            }
        } else if c.starts_with("Numeric") {
            let ok = operand.as_f64().is_some();
            if !ok {
                self.expected(ty::NUMBER, &op);
            }
            ok
        } else if c.starts_with("Timestamp") {
            match operand.as_str() {
                Some(s) if parse_millis(s).is_some() => true,
                Some(s) => {
                    if looks_like_path(s) {
                        self.warn_no_path(operand, &op, c, &format!("{c}Path"));
                    }
                    // The wording AWS is reported to use [?].
                    self.schema("String does not match RFC3339 timestamp", &op);
                    false
                }
                None => {
                    self.expected(ty::STRING, &op);
                    false
                }
            }
        } else {
            // BooleanEquals and the Is* tests.
            let ok = operand.as_bool().is_some();
            if !ok {
                self.expected(ty::BOOLEAN, &op);
            }
            ok
        };
        let variable = variable?;
        if !ok {
            return None;
        }
        match choice::make_test(c, operand) {
            Ok(test) => Some(Rule::Compare { variable, test }),
            Err(e) => {
                self.schema(e, &op);
                None
            }
        }
    }

    fn wait(&mut self, v: &Value, pointer: &str) -> Option<WaitSpec> {
        // AWS lists the four in this order (as users quote it).
        const FIELDS: [&str; 4] = ["SecondsPath", "Seconds", "TimestampPath", "Timestamp"];
        let present: Vec<&str> = FIELDS.into_iter().filter(|k| v.get(k).is_some()).collect();
        match present.as_slice() {
            [] => {
                // By analogy with AWS's message for Next/End [?].
                self.schema(
                    format!(
                        "This object should have only one of the following fields: [{}]",
                        FIELDS.join(", ")
                    ),
                    pointer,
                );
                None
            }
            [one] => {
                let p = at(pointer, one);
                let val = v.get(one)?;
                match *one {
                    "Seconds" => {
                        let s = self.number(val, &p, Range::int(0.0, Some(MAX_SECONDS)))?;
                        if let Some(why) = wait_outlasts(s, self.express, self.machine_timeout) {
                            self.warning(codes::SUSPICIOUS, why, &p);
                        }
                        Some(WaitSpec::Seconds(NumberSource::Const(s)))
                    }
                    "Timestamp" => match val.as_str() {
                        Some(s) => match parse_millis(s) {
                            Some(ms) => Some(WaitSpec::Timestamp(TimestampSource::Const(ms))),
                            None => {
                                self.warn_no_path(val, &p, "Timestamp", "TimestampPath");
                                // The wording AWS is reported to use [?].
                                self.schema("String does not match RFC3339 timestamp", &p);
                                None
                            }
                        },
                        None => {
                            self.expected(ty::STRING, &p);
                            None
                        }
                    },
                    key => {
                        let path = self.reference_path(val, &p, true)?;
                        Some(if key == "SecondsPath" {
                            WaitSpec::Seconds(NumberSource::Path(path))
                        } else {
                            WaitSpec::Timestamp(TimestampSource::Path(path))
                        })
                    }
                }
            }
            _ => {
                self.schema(
                    format!("There should only be one of the following fields: [{}]", FIELDS.join(", ")),
                    pointer,
                );
                None
            }
        }
    }

    fn fail(&mut self, v: &Value, pointer: &str, uses: &mut Uses) -> Option<Kind> {
        self.warn_reserved_error(v.get("Error"), &at(pointer, "Error"));
        for key in ["Error", "Cause"] {
            if v.get(key)
                .and_then(Value::as_str)
                .is_some_and(|s| crate::template::jsonata_expression(s).is_some())
            {
                self.warn_jsonata_in_jsonpath(&at(pointer, key));
            }
        }
        let error = self.fail_field(v, pointer, "Error", uses);
        let cause = self.fail_field(v, pointer, "Cause", uses);
        Some(Kind::Fail { error: error?, cause: cause? })
    }

    /// `Error`/`ErrorPath` or `Cause`/`CausePath`. `None` on error; `Some(None)` when absent.
    #[allow(clippy::option_option)]
    fn fail_field(
        &mut self,
        v: &Value,
        pointer: &str,
        key: &str,
        uses: &mut Uses,
    ) -> Option<Option<StringSource>> {
        let path_key = format!("{key}Path");
        match (v.get(key), v.get(&path_key)) {
            (Some(_), Some(_)) => {
                self.schema(
                    format!("There should only be one of the following fields: [{key}, {path_key}]"),
                    &at(pointer, key),
                );
                None
            }
            (Some(c), None) => match c.as_rc_str() {
                Some(s) => {
                    self.warn_no_path(c, &at(pointer, key), key, &path_key);
                    Some(Some(StringSource::Const(s.clone())))
                }
                None => {
                    self.expected(ty::STRING, &at(pointer, key));
                    None
                }
            },
            (None, Some(p)) => {
                // A reference path or an intrinsic call: compile it as a one-member template.
                let pp = at(pointer, &path_key);
                let Some(text) = p.as_str() else {
                    self.expected(ty::STRING, &pp);
                    return None;
                };
                if intrinsics::is_intrinsic_call(text) {
                    if let Ok(call) = intrinsics::parse(text) {
                        self.check_intrinsic(&call, &pp);
                    }
                } else {
                    self.reference_path(p, &pp, true)?;
                }
                let wrapper = Value::object_from([(format!("{key}.$"), p.clone())]);
                let mut errors = Vec::new();
                let t = Template::compile(&wrapper, true, &mut errors, uses);
                if let Some(e) = errors.first() {
                    self.schema(e.message.replace(&format!("'{key}.$'"), &format!("'{path_key}'")), &pp);
                    return None;
                }
                Some(Some(StringSource::Dynamic(t)))
            }
            (None, None) => Some(None),
        }
    }

    /// A nested scope (a Parallel branch, a Map's item processor), within the depth limit.
    fn nested_scope(
        &mut self,
        obj: &Value,
        pointer: &str,
        parent: StateId,
        kind: ScopeKind,
    ) -> Option<ScopeId> {
        if self.depth >= MAX_SCOPE_DEPTH {
            self.error(
                codes::UNSUPPORTED,
                format!("Parallel and Map states are nested more than {MAX_SCOPE_DEPTH} deep here; Statelab reads up to {MAX_SCOPE_DEPTH} levels"),
                pointer,
            );
            return None;
        }
        self.depth += 1;
        let s = self.scope(obj, pointer, Some(parent), kind);
        self.depth -= 1;
        s
    }

    fn branches(&mut self, v: &Value, pointer: &str, id: StateId) -> Option<Vec<ScopeId>> {
        let bp = at(pointer, "Branches");
        let Some(list) = v.get("Branches") else {
            if let Some(obj) = v.as_object() {
                self.require(obj, &["Branches"], pointer);
            }
            return None;
        };
        let Some(items) = list.as_array() else {
            self.expected(ty::ARRAY, &bp);
            return None;
        };
        if items.is_empty() {
            self.schema("Value cannot be empty", &bp);
            return None;
        }
        let mut out = Vec::new();
        for (i, b) in items.iter().enumerate() {
            let p = at(&bp, &i.to_string());
            let Some(obj) = b.as_object() else {
                self.expected(ty::OBJECT, &p);
                continue;
            };
            // A branch is not a state: it carries no QueryLanguage (measured on AWS).
            self.unknown_fields(obj, &["StartAt", "States", "Comment"], &p);
            self.opt_string(b, &p, "Comment");
            if let Some(s) = self.nested_scope(b, &p, id, ScopeKind::Branch(i)) {
                out.push(s);
            }
        }
        (out.len() == items.len()).then_some(out)
    }

    /// A Map's `ItemProcessor` or legacy `Iterator`, exactly one of them.
    fn processor<'v>(&mut self, v: &'v Value, pointer: &str) -> Option<(&'static str, &'v Value)> {
        let (key, proc) = match (v.get("ItemProcessor"), v.get("Iterator")) {
            (Some(_), Some(_)) => {
                self.schema(
                    "There should only be one of the following fields: [ItemProcessor, Iterator]",
                    pointer,
                );
                return None;
            }
            (Some(p), None) => ("ItemProcessor", p),
            (None, Some(i)) => ("Iterator", i),
            (None, None) => {
                self.schema(
                    "This object should have only one of the following fields: [ItemProcessor, Iterator]",
                    pointer,
                );
                return None;
            }
        };
        if !matches!(proc, Value::Object(_)) {
            self.expected(ty::OBJECT, &at(pointer, key));
            return None;
        }
        Some((key, proc))
    }

    /// The fields of an item processor (or a legacy Iterator) besides its states; returns the
    /// mode.
    fn processor_fields(&mut self, proc: &Value, pp: &str) -> MapMode {
        let Some(pobj) = proc.as_object() else { return MapMode::Inline };
        // An item processor is not a state: it carries no QueryLanguage (measured on AWS). The
        // legacy Iterator takes a ProcessorConfig too, DISTRIBUTED included (LocalStack's
        // `test_map_state_legacy_config_*`, validated against AWS).
        self.unknown_fields(pobj, &["StartAt", "States", "Comment", "ProcessorConfig"], pp);
        self.opt_string(proc, pp, "Comment");
        let mut mode = MapMode::Inline;
        let Some(cfg) = pobj.get("ProcessorConfig") else { return mode };
        let cp = at(pp, "ProcessorConfig");
        let Some(c) = cfg.as_object() else {
            self.expected(ty::OBJECT, &cp);
            return mode;
        };
        self.unknown_fields(c, &["Mode", "ExecutionType"], &cp);
        let distributed = match c.get("Mode") {
            None => false,
            Some(m) => match m.as_str() {
                Some("INLINE") => false,
                Some("DISTRIBUTED") => true,
                Some(_) => {
                    self.schema(
                        "Value should be one of the following: [INLINE, DISTRIBUTED]",
                        &at(&cp, "Mode"),
                    );
                    false
                }
                None => {
                    self.expected(ty::STRING, &at(&cp, "Mode"));
                    false
                }
            },
        };
        let express = match c.get("ExecutionType") {
            None => {
                if distributed {
                    self.require(c, &["ExecutionType"], &cp);
                }
                false
            }
            Some(_) if !distributed => {
                self.schema_field("Field 'ExecutionType' is not supported", &cp, "ExecutionType");
                false
            }
            Some(e) => match e.as_str() {
                Some("STANDARD") => false,
                Some("EXPRESS") => true,
                Some(_) => {
                    self.schema(
                        "Value should be one of the following: [STANDARD, EXPRESS]",
                        &at(&cp, "ExecutionType"),
                    );
                    false
                }
                None => {
                    self.expected(ty::STRING, &at(&cp, "ExecutionType"));
                    false
                }
            },
        };
        if distributed {
            mode = MapMode::Distributed { express };
        }
        mode
    }

    fn map(
        &mut self,
        v: &Value,
        pointer: &str,
        id: StateId,
        uses: &mut Uses,
        ql: QueryLanguage,
    ) -> Option<MapSpec> {
        let obj = v.as_object()?;
        let before = self.error_count();
        let proc = self.processor(v, pointer);
        let mode = match proc {
            Some((key, p)) => self.processor_fields(p, &at(pointer, key)),
            None => MapMode::Inline,
        };
        if mode == MapMode::Inline {
            // AWS accepts these on an inline Map (floci, measured), but only a Distributed Map
            // uses them.
            for key in [
                "ItemReader",
                "ItemBatcher",
                "ResultWriter",
                "ToleratedFailureCount",
                "ToleratedFailureCountPath",
                "ToleratedFailurePercentage",
                "ToleratedFailurePercentagePath",
                "Label",
            ] {
                if obj.contains_key(key) {
                    self.warning(
                        codes::SUSPICIOUS,
                        format!("'{key}' is only used by a Distributed Map (ItemProcessor.ProcessorConfig.Mode DISTRIBUTED)"),
                        &at(pointer, key),
                    );
                }
            }
        }
        let items_path = match obj.get("ItemsPath").filter(|_| ql == QueryLanguage::JSONPath) {
            None => PathField::Default,
            // Only ItemsPath, of the Map's paths, may read the context object.
            Some(ip) => match self.reference_path(ip, &at(pointer, "ItemsPath"), true) {
                Some(p) => {
                    match p.root() {
                        Root::Context => uses.context = true,
                        Root::Variable(_) => uses.variables = true,
                        Root::Input => {}
                    }
                    PathField::Path(p)
                }
                None => PathField::Default,
            },
        };
        // JSONata's `Items`: the items themselves, a constant or an expression on the input.
        let items = match (ql, obj.get("Items")) {
            (QueryLanguage::JSONata, Some(i)) => {
                // Only an array or one whole expression can give an array: anything else (a
                // literal string, an object) would fail every run, so it is refused here.
                let expression = i.as_str().is_some_and(|s| crate::template::jsonata_expression(s).is_some());
                if i.as_array().is_none() && !expression {
                    self.expected(ty::ARRAY, &at(pointer, "Items"));
                    None
                } else {
                    self.jtemplate(i, &at(pointer, "Items"), "Items", Allowed::INPUT)
                }
            }
            _ => None,
        };
        let mut item_uses = Uses::default();
        let item_selector = match (obj.get("ItemSelector"), obj.get("Parameters")) {
            // (A JSONata Map's `Parameters` is reported with the state's fields.)
            _ if ql == QueryLanguage::JSONata => obj.get("ItemSelector").and_then(|s| {
                self.jtemplate(s, &at(pointer, "ItemSelector"), "ItemSelector", Allowed::INPUT)
                    .map(Payload::Jsonata)
            }),
            (Some(_), Some(_)) => {
                self.schema(
                    "There should only be one of the following fields: [ItemSelector, Parameters]",
                    pointer,
                );
                None
            }
            (Some(s), None) => {
                self.template(s, &at(pointer, "ItemSelector"), true, &mut item_uses).map(Payload::Path)
            }
            // The deprecated Map `Parameters` is the per-item ItemSelector, not a template over
            // the state's input.
            (None, Some(p)) => {
                self.template(p, &at(pointer, "Parameters"), false, &mut item_uses).map(Payload::Path)
            }
            (None, None) => None,
        };
        uses.variables |= item_uses.variables;
        // The Map's number paths may not read the context object (measured on AWS).
        let max_concurrency = self.num_field(v, pointer, "MaxConcurrency", Range::int(0.0, None), uses, ql);
        let tolerated_failure_count =
            self.num_field(v, pointer, "ToleratedFailureCount", Range::int(0.0, None), uses, ql);
        let tolerated_failure_percentage = self.num_field(
            v,
            pointer,
            "ToleratedFailurePercentage",
            Range::float(0.0, Some(100.0)),
            uses,
            ql,
        );
        let item_reader =
            obj.get("ItemReader").map(|r| self.item_reader(r, &at(pointer, "ItemReader"), uses, ql));
        let item_batcher =
            obj.get("ItemBatcher").map(|b| self.item_batcher(b, &at(pointer, "ItemBatcher"), uses, ql));
        let result_writer =
            obj.get("ResultWriter").map(|w| self.result_writer(w, &at(pointer, "ResultWriter"), uses, ql));
        let label = match obj.get("Label") {
            Some(Value::String(s)) => {
                if s.chars().count() > 40 || s.chars().any(forbidden_name_char) {
                    // Statelab's wording: AWS's is not recorded.
                    self.schema(
                        "The value of 'Label' must be at most 40 characters, without whitespace or the characters AWS forbids in names",
                        &at(pointer, "Label"),
                    );
                }
                Some(s.to_string())
            }
            Some(_) => {
                self.expected(ty::STRING, &at(pointer, "Label"));
                None
            }
            None => None,
        };
        // A Distributed Map's children are workflows of their own type; an inline Map's
        // iterations run in the workflow around them.
        let outer_express = self.express;
        if let MapMode::Distributed { express } = mode {
            self.express = express;
        }
        let processor = match proc {
            Some((key, p)) => self.nested_scope(p, &at(pointer, key), id, ScopeKind::Processor),
            None => None,
        };
        self.express = outer_express;
        if self.error_count() > before {
            return None;
        }
        // An inline Map checks the Distributed Map's fields but leaves them unused, as the
        // warning above tells the user.
        let distributed = mode != MapMode::Inline;
        Some(MapSpec {
            processor: processor?,
            mode,
            items_path,
            items,
            item_selector,
            max_concurrency: max_concurrency?,
            item_reader: item_reader.flatten().filter(|_| distributed),
            item_batcher: item_batcher.flatten().filter(|_| distributed),
            result_writer: result_writer.flatten().filter(|_| distributed),
            tolerated_failure_count: tolerated_failure_count?.filter(|_| distributed),
            tolerated_failure_percentage: tolerated_failure_percentage?.filter(|_| distributed),
            label: label.filter(|_| distributed),
        })
    }

    fn item_reader(
        &mut self,
        r: &Value,
        pointer: &str,
        uses: &mut Uses,
        ql: QueryLanguage,
    ) -> Option<ItemReaderSpec> {
        let Some(obj) = r.as_object() else {
            self.expected(ty::OBJECT, pointer);
            return None;
        };
        let args = arguments_key(ql);
        self.unknown_fields_ql(
            obj,
            &["Resource", "ReaderConfig", args],
            &[other_arguments_key(ql)],
            pointer,
            ql,
        );
        self.require(obj, &["Resource"], pointer);
        let rp = at(pointer, "Resource");
        let resource = match obj.get("Resource") {
            Some(Value::String(s)) => {
                let ok = s.contains("${")
                    || s.contains("#{")
                    || ["s3:getObject", "s3:listObjectsV2"].iter().any(|a| {
                        s.strip_prefix("arn:")
                            .and_then(|r| r.split_once(':'))
                            .is_some_and(|(_, rest)| rest == format!("states:::{a}"))
                    });
                if !ok {
                    // The wording floci matched against AWS.
                    self.schema(
                        "The field 'Resource' does not match any of the allowed values. Examples: [arn:<partition>:states:::s3:getObject, arn:<partition>:states:::s3:listObjectsV2]",
                        &rp,
                    );
                }
                Some(s.clone())
            }
            Some(_) => {
                self.expected(ty::STRING, &rp);
                None
            }
            None => None,
        };
        let cp = at(pointer, "ReaderConfig");
        let reader_config = obj.get("ReaderConfig").cloned().unwrap_or_else(Value::empty_object);
        let max_items = match reader_config.as_object() {
            Some(cfg) => {
                if let Some(t) = cfg.get("InputType") {
                    match t.as_str() {
                        Some("MANIFEST" | "JSON" | "CSV" | "JSONL" | "PARQUET") => {}
                        Some(_) => self.schema(
                            "The field 'InputType' should have one of these values: [MANIFEST, JSON, CSV, JSONL, PARQUET]",
                            &at(&cp, "InputType"),
                        ),
                        None => self.expected(ty::STRING, &at(&cp, "InputType")),
                    }
                }
                if let Some(h) = cfg.get("CSVHeaderLocation") {
                    match h.as_str() {
                        Some("FIRST_ROW") => {}
                        Some("GIVEN") => {
                            self.require(cfg, &["CSVHeaders"], &cp);
                        }
                        Some(_) => self.schema(
                            "Value should be one of the following: [FIRST_ROW, GIVEN]",
                            &at(&cp, "CSVHeaderLocation"),
                        ),
                        None => self.expected(ty::STRING, &at(&cp, "CSVHeaderLocation")),
                    }
                }
                if ql == QueryLanguage::JSONata && cfg.contains_key("MaxItemsPath") {
                    self.other_language_field("MaxItemsPath", &cp, ql);
                }
                self.num_field(
                    &reader_config,
                    &cp,
                    "MaxItems",
                    Range::int(0.0, Some(MAX_READER_ITEMS)),
                    uses,
                    ql,
                )
            }
            None => {
                self.expected(ty::OBJECT, &cp);
                None
            }
        };
        let parameters = obj.get(args).and_then(|p| {
            self.payload(p, &at(pointer, args), &format!("ItemReader/{args}"), false, uses, ql)
        });
        Some(ItemReaderSpec { resource: resource?, reader_config, max_items: max_items?, parameters })
    }

    fn item_batcher(
        &mut self,
        b: &Value,
        pointer: &str,
        uses: &mut Uses,
        ql: QueryLanguage,
    ) -> Option<ItemBatcherSpec> {
        let Some(obj) = b.as_object() else {
            self.expected(ty::OBJECT, pointer);
            return None;
        };
        let paths: Fields = &["MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"];
        let (allowed, other): (Fields, Fields) = match ql {
            QueryLanguage::JSONPath => (
                &[
                    "MaxItemsPerBatch",
                    "MaxItemsPerBatchPath",
                    "MaxInputBytesPerBatch",
                    "MaxInputBytesPerBatchPath",
                    "BatchInput",
                ],
                &[],
            ),
            QueryLanguage::JSONata => (&["MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput"], paths),
        };
        self.unknown_fields_ql(obj, allowed, other, pointer, ql);
        let max_items = self.num_field(b, pointer, "MaxItemsPerBatch", Range::int(0.0, None), uses, ql);
        let max_bytes = self.num_field(
            b,
            pointer,
            "MaxInputBytesPerBatch",
            Range::int(0.0, Some(MAX_BATCH_BYTES)),
            uses,
            ql,
        );
        let batch_input = obj.get("BatchInput").and_then(|t| {
            self.payload(t, &at(pointer, "BatchInput"), "ItemBatcher/BatchInput", true, uses, ql)
        });
        Some(ItemBatcherSpec { max_items: max_items?, max_bytes: max_bytes?, batch_input })
    }

    /// `ResultWriter`: `Resource` with `Parameters`, `WriterConfig`, or all three. The messages
    /// are Statelab's: AWS's are not recorded.
    fn result_writer(
        &mut self,
        w: &Value,
        pointer: &str,
        uses: &mut Uses,
        ql: QueryLanguage,
    ) -> Option<ResultWriterSpec> {
        let Some(obj) = w.as_object() else {
            self.expected(ty::OBJECT, pointer);
            return None;
        };
        let before = self.error_count();
        let args = arguments_key(ql);
        self.unknown_fields_ql(
            obj,
            &["Resource", args, "WriterConfig"],
            &[other_arguments_key(ql)],
            pointer,
            ql,
        );
        match (obj.get("Resource"), obj.get(args)) {
            (Some(_), None) => {
                self.require(obj, &[args], pointer);
            }
            (None, Some(_)) => {
                self.require(obj, &["Resource"], pointer);
            }
            (None, None) if !obj.contains_key("WriterConfig") => {
                self.schema(
                    format!("A ResultWriter needs Resource and {args}, WriterConfig, or all three"),
                    pointer,
                );
            }
            _ => {}
        }
        if let Some(r) = obj.get("Resource") {
            let rp = at(pointer, "Resource");
            match r.as_str() {
                Some(s)
                    if s.contains("${")
                        || s.contains("#{")
                        || s.strip_prefix("arn:")
                            .and_then(|r| r.split_once(':'))
                            .is_some_and(|(_, rest)| rest == "states:::s3:putObject") => {}
                Some(_) => self.schema("The field 'Resource' does not match the allowed value arn:<partition>:states:::s3:putObject", &rp),
                None => self.expected(ty::STRING, &rp),
            }
        }
        let arguments = obj.get(args).and_then(|p| {
            self.payload(p, &at(pointer, args), &format!("ResultWriter/{args}"), true, uses, ql)
        });
        if let Some(c) = obj.get("WriterConfig") {
            let cp = at(pointer, "WriterConfig");
            match c.as_object() {
                Some(cfg) => {
                    self.unknown_fields(cfg, &["Transformation", "OutputType"], &cp);
                    self.require(cfg, &["OutputType", "Transformation"], &cp);
                    if let Some(t) = cfg.get("Transformation") {
                        match t.as_str() {
                            Some("NONE" | "COMPACT" | "FLATTEN") => {}
                            Some(_) => self.schema(
                                "Value should be one of the following: [NONE, COMPACT, FLATTEN]",
                                &at(&cp, "Transformation"),
                            ),
                            None => self.expected(ty::STRING, &at(&cp, "Transformation")),
                        }
                    }
                    if let Some(t) = cfg.get("OutputType") {
                        match t.as_str() {
                            Some("JSON" | "JSONL") => {}
                            Some(_) => self.schema(
                                "Value should be one of the following: [JSON, JSONL]",
                                &at(&cp, "OutputType"),
                            ),
                            None => self.expected(ty::STRING, &at(&cp, "OutputType")),
                        }
                    }
                }
                None => self.expected(ty::OBJECT, &cp),
            }
        }
        let transformation =
            w.get("WriterConfig").and_then(|c| c.get("Transformation")).and_then(Value::as_str);
        (self.error_count() == before).then(|| ResultWriterSpec {
            export: arguments.filter(|_| obj.contains_key("Resource")),
            flatten: transformation == Some("FLATTEN"),
        })
    }
}

/// `true` when a string looks like a JSONPath on the input or the context object.
fn looks_like_path(s: &str) -> bool {
    s == "$" || s.starts_with("$.") || s.starts_with("$[") || s == "$$" || s.starts_with("$$.")
}

/// `true` when a string looks like a path or an intrinsic call.
fn looks_like_path_or_call(s: &str) -> bool {
    looks_like_path(s) || intrinsics::is_intrinsic_call(s)
}

/// A field of the context object (`$$`) and the fields below it; none listed: not checked
/// further (a value, or the user's data).
struct ContextField {
    name: &'static str,
    below: &'static [ContextField],
}

const fn field(name: &'static str) -> ContextField {
    ContextField { name, below: &[] }
}

/// The context object's fields, as asl-facts lists them (`RedriveTime` only after a redrive).
const CONTEXT_FIELDS: &[ContextField] = &[
    ContextField {
        name: "Execution",
        below: &[
            field("Id"),
            field("Input"),
            field("Name"),
            field("RoleArn"),
            field("StartTime"),
            field("RedriveCount"),
            field("RedriveTime"),
        ],
    },
    ContextField { name: "State", below: &[field("EnteredTime"), field("Name"), field("RetryCount")] },
    ContextField { name: "StateMachine", below: &[field("Id"), field("Name")] },
    ContextField { name: "Task", below: &[field("Token")] },
    ContextField {
        name: "Map",
        below: &[ContextField {
            name: "Item",
            below: &[field("Index"), field("Value"), field("Key"), field("Source")],
        }],
    },
];

/// What is certainly wrong with literal argument `i` of a call to `f`, if anything.
fn literal_problem(f: Function, i: usize, v: &Value, args: &[Arg]) -> Option<String> {
    use Function::*;
    let want_array =
        || Some("must be an array, and a literal cannot be one (use a path or States.Array)".to_string());
    let want_object = || Some("must be an object, and a literal cannot be one (use a path)".to_string());
    let want_string = |v: &Value| (!matches!(v, Value::String(_))).then(|| "must be a string".to_string());
    let want_number = |v: &Value| (v.as_f64().is_none()).then(|| "must be a number".to_string());
    let want_integer = |v: &Value| (v.as_i64().is_none()).then(|| "must be an integer".to_string());
    match (f, i) {
        (Format, 0)
        | (StringToJson, 0)
        | (Base64Encode, 0)
        | (Base64Decode, 0)
        | (Hash, 0)
        | (StringSplit, _) => want_string(v),
        (Format, _) => matches!(v, Value::Array(_) | Value::Object(_))
            .then(|| "must be a string, number, boolean or null".to_string()),
        (ArrayPartition, 0)
        | (ArrayContains, 0)
        | (ArrayGetItem, 0)
        | (ArrayLength, 0)
        | (ArrayUnique, 0) => want_array(),
        (ArrayPartition, 1) => want_integer(v).or_else(|| {
            (v.as_i64().is_some_and(|n| n < 1)).then(|| "must be a positive integer".to_string())
        }),
        (ArrayGetItem, 1) => want_integer(v).or_else(|| {
            (v.as_i64().is_some_and(|n| n < 0)).then(|| "must be a non-negative integer".to_string())
        }),
        (ArrayRange, _) => want_integer(v).or_else(|| {
            if i == 2 && v.as_i64() == Some(0) {
                return Some("(the step) must not be 0".to_string());
            }
            // With three literal integers the length is known now.
            let n: Vec<i64> = args
                .iter()
                .filter_map(|a| match a {
                    Arg::Literal(v) => v.as_i64(),
                    _ => None,
                })
                .collect();
            match (i, n.as_slice()) {
                (2, [start, end, step]) if *step != 0 => {
                    let count = (i128::from(*end) - i128::from(*start)) / i128::from(*step) + 1;
                    (count > intrinsics::MAX_RANGE_ITEMS as i128).then(|| {
                        format!(
                            "makes a range of {count} items; at most {} are allowed",
                            intrinsics::MAX_RANGE_ITEMS
                        )
                    })
                }
                _ => None,
            }
        }),
        (Hash, 1) => match v.as_str() {
            Some("MD5" | "SHA-1" | "SHA-256" | "SHA-384" | "SHA-512") => None,
            Some(_) => Some("must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512".to_string()),
            None => want_string(v),
        },
        (JsonMerge, 0) | (JsonMerge, 1) => want_object(),
        (JsonMerge, 2) => match v.as_bool() {
            Some(false) => None,
            Some(true) => Some("(deep merge) must be false: deep merging is not supported".to_string()),
            None => Some("must be a boolean".to_string()),
        },
        (MathRandom, _) | (MathAdd, _) => want_number(v),
        _ => None,
    }
}

/// `true` when a retrier naming `earlier` already takes every error `later` names.
fn covers(earlier: &str, later: &str) -> bool {
    earlier == later
        || (earlier == names::ALL && later != names::RUNTIME && later != names::DATA_LIMIT_EXCEEDED)
        || (earlier == names::TASK_FAILED
            && later != names::TIMEOUT
            && later != names::HEARTBEAT_TIMEOUT
            && later != names::ALL
            && later != names::RUNTIME
            && later != names::DATA_LIMIT_EXCEEDED)
}

/// Variable names: a letter or underscore, then letters, digits and underscores (at most 80).
pub fn valid_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && name.chars().count() <= 80
}

/// Calls `f(pointer, key, string)` for every string member in a template (key of its member, or
/// the array's key for array items).
fn walk_strings(v: &Value, pointer: &str, f: &mut dyn FnMut(&str, &str, &str)) {
    fn go(v: &Value, pointer: &mut String, key: &str, f: &mut dyn FnMut(&str, &str, &str), depth: usize) {
        if depth > 200 {
            return;
        }
        match v {
            Value::String(s) => f(pointer, key, s),
            Value::Object(_) => {
                for (k, child) in v.as_object().into_iter().flatten() {
                    let saved = pointer.len();
                    push_token(pointer, k);
                    go(child, pointer, k, f, depth + 1);
                    pointer.truncate(saved);
                }
            }
            Value::Array(_) => {
                for (i, child) in v.as_array().unwrap_or_default().iter().enumerate() {
                    let saved = pointer.len();
                    push_token(pointer, &i.to_string());
                    go(child, pointer, key, f, depth + 1);
                    pointer.truncate(saved);
                }
            }
            _ => {}
        }
    }
    let mut p = pointer.to_string();
    go(v, &mut p, "", f, 0);
}

/// Works out how a Task's resource is invoked. A template's deploy-time placeholders count as
/// one ARN field each: `arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken` (the usual
/// form in CloudFormation, kept as written by [`crate::document`]) is a callback Task, though
/// `AWS::Partition` has colons of its own.
pub fn classify_resource(resource: &str) -> (ResourceKind, Pattern) {
    let opaque;
    let resource = if resource.contains("${") || resource.contains("#{") {
        opaque = without_placeholders(resource);
        opaque.as_str()
    } else {
        resource
    };
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    let pattern_of = |action: &str| {
        if action.ends_with(".waitForTaskToken") {
            Pattern::WaitForTaskToken
        } else if action.contains(".sync") {
            Pattern::Sync
        } else {
            Pattern::RequestResponse
        }
    };
    match parts.as_slice() {
        ["arn", _partition, "states", "", "", rest] => {
            // arn:aws:states:::service:action  or  arn:aws:states:::aws-sdk:service:action
            let (service, action) = match rest.strip_prefix("aws-sdk:") {
                Some(r) => match r.split_once(':') {
                    Some((svc, act)) => (format!("aws-sdk:{svc}"), act.to_string()),
                    None => (format!("aws-sdk:{r}"), String::new()),
                },
                None => match rest.split_once(':') {
                    Some((svc, act)) => (svc.to_string(), act.to_string()),
                    None => (rest.to_string(), String::new()),
                },
            };
            if service.is_empty() || action.is_empty() {
                return (ResourceKind::Other, Pattern::RequestResponse);
            }
            let pattern = pattern_of(&action);
            (ResourceKind::Service { service, action }, pattern)
        }
        ["arn", _, "states", _, _, rest] if rest.starts_with("activity:") => {
            (ResourceKind::Activity, Pattern::RequestResponse)
        }
        ["arn", _, "lambda", _, _, rest] if rest.starts_with("function:") => {
            (ResourceKind::LambdaFunction, Pattern::RequestResponse)
        }
        _ => (ResourceKind::Other, Pattern::RequestResponse),
    }
}

/// `text` with each `${...}` (and the serverless plugin's `#{...}`) placeholder replaced by `_`, a
/// field with no colon in it.
fn without_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let next = |r: &str| [r.find("${"), r.find("#{")].into_iter().flatten().min();
    while let Some(open) = next(rest) {
        let Some(close) = rest.get(open..).and_then(|r| r.find('}')) else { break };
        out.push_str(rest.get(..open).unwrap_or_default());
        out.push('_');
        rest = rest.get(open + close + 1..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn diags(def: Value) -> Vec<String> {
        let (_, d) = compile(&def);
        d.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn hello_world_compiles() {
        let (m, d) = compile(&json!({
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Result": 1, "Next": "B"}, "B": {"Type": "Succeed"}}
        }));
        assert!(d.is_empty(), "{d:?}");
        let m = m.unwrap();
        assert_eq!(m.states.len(), 2);
        assert_eq!(m.states[0].next, Next::State(1));
    }

    #[test]
    fn every_problem_is_reported() {
        let d = diags(json!({
            "StartAt": "Nope",
            "Bogus": 1,
            "States": {
                "A": {"Type": "Pass", "TimeoutSeconds": 3, "Next": "Missing"},
                "B": {"Type": "Task", "End": true},
                "C": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.x", "End": true}
            }
        }));
        let all = d.join("\n");
        assert!(all.contains("SCHEMA_VALIDATION_FAILED: Field 'Bogus' is not supported at /\n"), "{all}");
        assert!(all.contains("MISSING_TRANSITION_TARGET: Missing 'Next' target: Nope at /StartAt"), "{all}");
        assert!(
            all.contains("SCHEMA_VALIDATION_FAILED: Field 'TimeoutSeconds' is not supported at /States/A"),
            "{all}"
        );
        assert!(
            all.contains("MISSING_TRANSITION_TARGET: Missing 'Next' target: Missing at /States/A/Next"),
            "{all}"
        );
        assert!(all.contains("These fields are required: [Resource] at /States/B"), "{all}");
        assert!(
            all.contains(
                "There should only be one of the following fields: [SecondsPath, Seconds, TimestampPath, Timestamp] at /States/C"
            ),
            "{all}"
        );
    }

    #[test]
    fn graph_rules() {
        let d = diags(json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}}));
        assert_eq!(d, vec!["MISSING_END_STATE: Workflow has no terminal state at null"]);
        let d =
            diags(json!({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}}));
        assert_eq!(d, vec!["MISSING_TRANSITION_TARGET: State \"B\" is not reachable. at /States/B"]);
    }

    #[test]
    fn query_language_rules() {
        let d = diags(json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": {}, "End": true}}}));
        assert_eq!(d, vec!["SCHEMA_VALIDATION_FAILED: The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage at /States/A"]);
    }

    /// AWS's API reference lists '?' and spaces as not allowed in names, but AWS accepts them in
    /// state names (the shared library-loan example has "Returned?"), so Statelab only warns.
    #[test]
    fn odd_state_names_warn() {
        let (m, d) = compile(&json!({"StartAt": "Returned?", "States": {"Returned?": {"Type": "Succeed"}}}));
        assert!(m.is_some());
        assert_eq!(d.len(), 1);
        assert!(!d[0].is_error());
        assert_eq!(d[0].code, "INVALID_STATE_NAME");
    }

    #[test]
    fn retry_rules() {
        let d = diags(json!({"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
            "Retry": [{"ErrorEquals": ["States.ALL", "X"], "BackoffRate": 0.5}, {"ErrorEquals": ["Y"]}]
        }}}));
        let all = d.join("\n");
        assert!(
            all.contains("States.ALL must appear alone and at end of list at /States/T/Retry/0/ErrorEquals"),
            "{all}"
        );
        assert!(all.contains("Minimum value is 1.0 at /States/T/Retry/0/BackoffRate"), "{all}");
    }

    /// AWS documents no nesting limit; Statelab stops at MAX_SCOPE_DEPTH with a clear error
    /// instead of risking the stack (a browser tab has little).
    #[test]
    fn nesting_is_bounded() {
        fn nested(n: usize) -> Value {
            let mut inner = json!({"StartAt": "Leaf", "States": {"Leaf": {"Type": "Succeed"}}});
            for i in 0..n {
                let name = format!("P{i}");
                inner = Value::object_from([
                    ("StartAt", Value::string(name.as_str())),
                    (
                        "States",
                        Value::object_from([(
                            name.as_str(),
                            json!({"Type": "Parallel", "End": true, "Branches": [inner]}),
                        )]),
                    ),
                ]);
            }
            inner
        }
        let (m, d) = compile(&nested(MAX_SCOPE_DEPTH));
        assert!(m.is_some(), "{d:?}");
        let (m, d) = compile(&nested(MAX_SCOPE_DEPTH + 1));
        assert!(m.is_none());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, codes::UNSUPPORTED);
    }

    /// A JSONata state's transitions and nested states (which follow the machine's language) are
    /// checked like any other's.
    #[test]
    fn jsonata_states_are_walked() {
        let d = diags(json!({"StartAt": "M", "States": {
            "M": {"Type": "Map", "QueryLanguage": "JSONata", "Next": "Gone", "ItemProcessor": {
                "StartAt": "P", "States": {"P": {"Type": "Wait", "Seconds": -1, "End": true}}}},
            "Orphan": {"Type": "Succeed"}
        }}));
        let all = d.join("\n");
        assert!(!all.contains("STATELAB_UNSUPPORTED"), "{all}");
        assert!(all.contains("Missing 'Next' target: Gone at /States/M/Next"), "{all}");
        assert!(all.contains("Minimum value is 0 at /States/M/ItemProcessor/States/P/Seconds"), "{all}");
        assert!(all.contains("State \"Orphan\" is not reachable."), "{all}");
    }

    #[test]
    fn jsonata_expressions_are_checked() {
        let d = diags(json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Output": {"v": "{% phone %}", "w": "{% 1 + %}", "x": "{% $states.result %}"}, "End": true}
        }}));
        assert_eq!(
            d,
            vec![
                "UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at the top level is not supported. at /States/A/Output/v",
                "INVALID_JSONATA_EXPRESSION: Unexpected end of expression at /States/A/Output/w",
                "UNSUPPORTED_JSONATA_EXPRESSION: Reference to '$states.result' is not supported here: only the Output and Assign of a Task, Parallel or Map state have a result. at /States/A/Output/x",
            ]
        );
        let (m, d) = compile(&json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1}, "Output": {"v": "{% $states.input.a %}", "k": [1, "{% $x %}"]}, "End": true}
        }}));
        assert!(d.is_empty(), "{d:?}");
        let m = m.unwrap();
        let exprs: Vec<String> =
            m.states[0].io.output.as_ref().unwrap().exprs().iter().map(|(_, f)| f.to_string()).collect();
        assert_eq!(exprs, ["Output/v", "Output/k[1]"]);
    }

    /// A transition of the wrong type leaves the state's successors unknown: no guesses about
    /// reachability in that scope.
    #[test]
    fn unknown_transitions_silence_graph_checks() {
        let d = diags(
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": 1}, "B": {"Type": "Succeed"}}}),
        );
        assert_eq!(d, vec!["SCHEMA_VALIDATION_FAILED: Expected value of type [STRING] at /States/A/Next"]);
    }

    /// AWS resolves a state's QueryLanguage to JSONPath only when it is exactly "JSONPath"
    /// (floci, measured): a wrong case makes it JSONata, besides the enum error.
    #[test]
    fn query_language_values() {
        let d = diags(
            json!({"QueryLanguage": "jsonpath", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}),
        );
        assert_eq!(
            d,
            vec!["SCHEMA_VALIDATION_FAILED: Value should be one of the following: [JSONPath, JSONata] at /QueryLanguage"]
        );
        let d = diags(
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": 5, "End": true}}}),
        );
        assert_eq!(
            d,
            vec!["SCHEMA_VALIDATION_FAILED: Expected value of type [STRING] at /States/A/QueryLanguage"]
        );
    }

    #[test]
    fn resources_are_classified() {
        assert_eq!(
            classify_resource("arn:aws:states:::lambda:invoke.waitForTaskToken"),
            (
                ResourceKind::Service { service: "lambda".into(), action: "invoke.waitForTaskToken".into() },
                Pattern::WaitForTaskToken
            )
        );
        assert_eq!(
            classify_resource("arn:aws:lambda:us-east-1:1:function:F").0,
            ResourceKind::LambdaFunction
        );
        assert_eq!(classify_resource("arn:aws:states:us-east-1:1:activity:A").0, ResourceKind::Activity);
        assert_eq!(
            classify_resource("arn:aws:states:::aws-sdk:s3:getObject").0,
            ResourceKind::Service { service: "aws-sdk:s3".into(), action: "getObject".into() }
        );
        assert_eq!(classify_resource("arn:aws:states:::states:startExecution.sync:2").1, Pattern::Sync);
        assert_eq!(classify_resource("nope").0, ResourceKind::Other);
        // CloudFormation's pseudo parameters keep their colons inside the placeholder (a QA pass:
        // this callback Task ran as a plain one, and its $$.Task.Token was missing).
        assert_eq!(
            classify_resource("arn:${AWS::Partition}:states:::lambda:invoke.waitForTaskToken"),
            classify_resource("arn:aws:states:::lambda:invoke.waitForTaskToken")
        );
        assert_eq!(
            classify_resource("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:F").0,
            ResourceKind::LambdaFunction
        );
        assert_eq!(
            classify_resource("arn:aws:states:::sqs:${Action").0,
            ResourceKind::Service { service: "sqs".into(), action: "${Action".into() }
        );
        assert_eq!(without_placeholders("a${b::c}d${e}"), "a_d_");
        assert_eq!(
            classify_resource("arn:aws:lambda:#{AWS::Region}:#{AWS::AccountId}:function:my-${opt:stage}-f").0,
            ResourceKind::LambdaFunction
        );
    }
}
