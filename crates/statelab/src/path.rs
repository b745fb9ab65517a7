//! JSONPath as Step Functions evaluates it (Jayway JsonPath semantics), and ResultPath writes.
//!
//! A path starts at `$` (the input), `$$` (the context object) or `$name` (a workflow variable).
//! [`JsonPath::parse`] compiles the text once into a short list of steps; evaluation walks the
//! document without copying it (every match is a reference into the document, and turning it into
//! an owned [`Value`] is an O(1) reference-count bump).
//!
//! What a path gives follows Jayway, the Java library Step Functions uses:
//! - a *definite* path (names, single indices, a multi-name merge at the end, a function) gives
//!   one value, or nothing when the node is missing;
//! - an *indefinite* path (wildcards, slices, unions, filters, `..`) gives an array of every
//!   match, skipping members that are missing below the first indefinite step. Where Jayway raises
//!   instead (a step whose upstream is definite meets a missing member or a value of the wrong
//!   type, as in `$.missing[*]`) there is no result at all;
//! - a *reference path* (names and single indices only) is what `ResultPath` and Choice
//!   `Variable` take; [`JsonPath::set`] writes through one.
//!
//! Where Jayway is odd, the comments below say "Jayway:" and what this module does; the data-driven
//! suite in `tests/cases/jsonpath` pins each of those choices.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::rc::Rc;

use regex_lite::{Regex, RegexBuilder};

use crate::error::StatesError;
use crate::value::{Map, Number, Value, MAX_DEPTH};

/// How deeply filters, parentheses, `!`, function calls and JSON literals may nest in one path.
/// Parsing and evaluating recurse once per level, so this bounds the stack they use.
const MAX_NESTING: usize = 64;

/// Largest compiled form of a filter's regular expression, in bytes: a hostile pattern stays cheap.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Where a path starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    /// `$`: the state's input (or whatever document the field applies to).
    Input,
    /// `$$`: the context object.
    Context,
    /// `$name`: a workflow variable.
    Variable(Rc<str>),
}

/// A parsed JSONPath.
#[derive(Clone, Debug)]
pub struct JsonPath {
    text: Rc<str>,
    root: Root,
    /// Shared, so that cloning a compiled path (which other modules do freely) costs nothing.
    query: Rc<Query>,
}

/// A path that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the path text.
    pub offset: usize,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PathError {}

impl PartialEq for JsonPath {
    /// Parsing is deterministic, so two paths are the same when their texts are.
    fn eq(&self, other: &JsonPath) -> bool {
        self.text == other.text
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl JsonPath {
    /// Parses a path: `$`, `$$` or `$name`, then steps (`.name`, `['name']`, `[0]`, `[*]`, `..`,
    /// slices, unions, `[?(filter)]`), optionally ending in a function such as `.length()`.
    pub fn parse(text: &str) -> Result<JsonPath, PathError> {
        let mut p = Parser { text, bytes: text.as_bytes(), pos: 0, nesting: 0 };
        if p.peek() != Some(b'$') {
            return p.fail(0, "a path must start with '$'");
        }
        p.pos = 1;
        let root = if p.peek() == Some(b'$') {
            p.pos = 2;
            Root::Context
        } else {
            match p.variable_name()? {
                Some(name) => Root::Variable(name),
                None => Root::Input,
            }
        };
        let query = p.query(Ctx::Top, false)?;
        Ok(JsonPath { text: Rc::from(text), root, query: Rc::new(query) })
    }

    /// The text the path was parsed from.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where the path starts.
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// `true` when the path can match at most one node, so that it gives a value rather than an
    /// array: only names, single indices (negative ones too), a multi-name merge as the last step,
    /// or a function (including `$..x.fn()`, which Jayway turns into `$.fn($..x)`).
    pub fn is_definite(&self) -> bool {
        self.query.definite
    }

    /// `true` when the path uses only names (dot or bracket-quoted) and single indices: what
    /// `ResultPath` and Choice `Variable` require. Negative indices count: they name one node.
    pub fn is_reference(&self) -> bool {
        self.query.reference
    }

    /// The node a reference path names, without copying or allocating. `None` when the node is
    /// missing, and for every path that is not a reference path (use [`JsonPath::select`]).
    pub fn get<'a>(&self, doc: &'a Value) -> Option<&'a Value> {
        if self.query.reference {
            self.query.get(doc)
        } else {
            None
        }
    }

    /// Evaluates the path on `doc` as Jayway does: a definite path gives its value or `None` when
    /// it is missing; an indefinite one gives an array of every match (possibly empty), or `None`
    /// where Jayway raises (a missing member or wrong type before the first indefinite step, as in
    /// `$.missing[*]`, or a function that fails). Inside filters, `$` is `doc`.
    pub fn select(&self, doc: &Value) -> Option<Value> {
        self.query.result(doc, Scope { item: doc, root: doc }).map(Val::into_value)
    }

    /// The member names the path starts with, up to its first step that is not a plain name
    /// (`$$.Execution.Input[0].a` gives `Execution`, `Input`).
    pub fn leading_names(&self) -> Vec<&str> {
        self.query
            .steps
            .iter()
            .map_while(|step| match &step.sel {
                Selector::Name(name) if !step.descend => Some(&**name),
                _ => None,
            })
            .collect()
    }

    /// [`select`](Self::select), or `States.DataLimitExceeded` when the matches would pass
    /// [`MAX_MATCHES`] (which only repeated descents over deep data reach; they had the whole
    /// memory taken, and the page with it).
    pub fn select_checked(&self, doc: &Value) -> Result<Option<Value>, StatesError> {
        match self.query.checked_result(doc, Scope { item: doc, root: doc }) {
            Ok(v) => Ok(v.map(Val::into_value)),
            Err(limit) => {
                let what = match limit {
                    Limit::Matches => format!("matches more than {MAX_MATCHES} values"),
                    Limit::Visits => format!("visits more than {MAX_VISITS} nodes"),
                };
                Err(StatesError::new(
                    crate::error::names::DATA_LIMIT_EXCEEDED,
                    format!(
                        "The JSONPath '{}' {what}: each '..' matches every node below every match before it",
                        self.text(),
                    ),
                ))
            }
        }
    }

    /// Writes `value` at this reference path inside `doc`, as `ResultPath` does: an existing member
    /// is replaced where it stands, a missing one is appended, and missing objects on the way are
    /// created. Fails (with a message fit for the `Cause` of `States.ResultPathMatchFailure`) when a
    /// step meets something that is not an object (for a name) or an array holding that index.
    pub fn set(&self, doc: Value, value: Value) -> Result<Value, String> {
        let steps = &self.query.steps;
        if !self.query.reference {
            return Err(format!(
                "Unable to apply ResultPath \"{}\": only names and single indices can be written to",
                self.text
            ));
        }
        // The value lands one level per step below the root, so this is exactly when the result
        // would be deeper than any document may be.
        let depth = u32::try_from(steps.len()).unwrap_or(u32::MAX).saturating_add(value.depth());
        if depth > MAX_DEPTH {
            return Err(format!(
                "Unable to apply ResultPath \"{}\": the result would be nested deeper than {MAX_DEPTH} levels",
                self.text
            ));
        }
        // A zipper: note each node on the way down, then put the nodes back with the new value on
        // the way up. Iterative, so a long path cannot exhaust the stack; and a node shared with
        // other documents (the state's raw input always is: the history holds it) is copied
        // (shallowly) only along the path. Each level is edited once, and its size updated from
        // the member replaced alone (`set_member`), not measured again. The last step's node is
        // the one written to, so only the steps above it are noted: a path of one name (`$.result`,
        // the usual ResultPath) notes none and allocates nothing.
        let Some((last, above)) = steps.split_last() else { return Ok(value) };
        let mut trail: Vec<(Value, &Step)> = Vec::with_capacity(above.len());
        let mut cur = doc;
        // Whether `cur` is an object made up for a missing member (which a name can then go
        // into, but not an index).
        let mut missing = false;
        for (i, step) in above.iter().enumerate() {
            self.check_write(&cur, missing, step, i)?;
            let child = reached(&cur, step);
            missing = child.is_none();
            trail.push((cur, step));
            cur = child.unwrap_or_else(Value::empty_object);
        }
        self.check_write(&cur, missing, last, above.len())?;
        let mut cur = put(cur, last, value);
        while let Some((parent, step)) = trail.pop() {
            cur = put(parent, step, cur);
        }
        Ok(cur)
    }

    /// Whether a write can go through `node` by `step` (the `i`th): a name into an object (which
    /// may not have the member yet) or an index within an array. `missing`: `node` stands for a
    /// member that is not there. The error names the step.
    fn check_write(&self, node: &Value, missing: bool, step: &Step, i: usize) -> Result<(), String> {
        match &step.sel {
            Selector::Name(_) if node.as_object().is_some() => Ok(()),
            Selector::Name(_) => Err(self.set_error(i, &format!("is {}, not an object", describe(node)))),
            Selector::Index(_) if missing => {
                Err(self.set_error(i, "does not exist, and an index cannot create it (a name can)"))
            }
            Selector::Index(index) => {
                let Some(items) = node.as_array() else {
                    return Err(self.set_error(i, &format!("is {}, not an array", describe(node))));
                };
                let len = items.len();
                match resolve_index(len, *index) {
                    Some(_) => Ok(()),
                    None => Err(self.set_error(i, &format!("has no index {index} (its length is {len})"))),
                }
            }
            _ => Err(self.set_error(i, "is not reached by a name or an index")),
        }
    }

    /// The error for a write that fails at step `i`: names the path up to that step.
    fn set_error(&self, i: usize, what: &str) -> String {
        let mut prefix = match &self.root {
            Root::Input => String::from("$"),
            Root::Context => String::from("$$"),
            Root::Variable(name) => format!("${name}"),
        };
        for step in self.query.steps.iter().take(i) {
            match &step.sel {
                Selector::Name(name) if is_plain_name(name) => {
                    prefix.push('.');
                    prefix.push_str(name);
                }
                Selector::Name(name) => {
                    prefix.push_str("['");
                    prefix.push_str(&name.replace('\\', "\\\\").replace('\'', "\\'"));
                    prefix.push_str("']");
                }
                Selector::Index(index) => prefix.push_str(&format!("[{index}]")),
                _ => {}
            }
        }
        format!("Unable to apply ResultPath \"{}\" to the input: \"{prefix}\" {what}", self.text)
    }
}

/// `true` when a name can be written after a dot and read back the same.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// A value's kind with its article, for messages: "a number", "an object", "null".
fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

// ---------------------------------------------------------------------------------------------
// The compiled form.
// ---------------------------------------------------------------------------------------------

/// What one step picks out of each node it is applied to.
#[derive(Clone, Debug)]
enum Selector {
    /// `.name` or `['name']`.
    Name(Rc<str>),
    /// `['a','b']`: at the end of a path Jayway merges them into one object (a definite result);
    /// elsewhere it visits each in turn.
    Names(Box<[Rc<str>]>),
    /// `[n]`; negative counts from the end.
    Index(i64),
    /// `[i,j,...]`.
    Indices(Box<[i64]>),
    /// `[from:to]`, either end optional.
    Slice(Option<i64>, Option<i64>),
    /// `.*` or `[*]`: every member of an object, every item of an array.
    Wildcard,
    /// `[?(...)]`.
    Filter(Box<Pred>),
}

/// A selector, applied to the node itself or (after `..`) to the node and all its descendants.
#[derive(Clone, Debug)]
struct Step {
    descend: bool,
    sel: Selector,
}

impl Step {
    /// Jayway's `isTokenDefinite` (with `..` being a token of its own that is never definite).
    fn is_definite(&self, leaf: bool) -> bool {
        !self.descend
            && match self.sel {
                Selector::Name(_) | Selector::Index(_) => true,
                Selector::Names(_) => leaf,
                _ => false,
            }
    }
}

/// The steps of a path (without its root) and the function that may end it.
#[derive(Clone, Debug)]
struct Query {
    steps: Vec<Step>,
    func: Option<Func>,
    /// Cached: [`JsonPath::is_definite`].
    definite: bool,
    /// Cached: [`JsonPath::is_reference`].
    reference: bool,
}

impl Query {
    /// Builds a query; `current` says whether it starts at `@` (inside filters and arguments).
    fn new(steps: Vec<Step>, func: Option<Func>, current: bool) -> Query {
        // Jayway (CompiledPath.invertScannerFunctionRelationship): when the first step is `..` and
        // a function ends the path, `$..x.fn()` is evaluated as `$.fn($..x)`: the function gets the
        // root as its input and the matches as its only argument (its own arguments are dropped).
        let (steps, func) = match func {
            Some(f) if steps.first().is_some_and(|s| s.descend) => {
                let arg = Arg::Path(SubPath { current, query: Query::new(steps, None, current) });
                (Vec::new(), Some(Func::new(f.kind, vec![arg])))
            }
            other => (steps, other),
        };
        let count = steps.len();
        let has_func = func.is_some();
        let definite = steps.iter().enumerate().all(|(i, s)| s.is_definite(i + 1 == count && !has_func));
        let reference = !has_func
            && steps.iter().all(|s| !s.descend && matches!(s.sel, Selector::Name(_) | Selector::Index(_)));
        Query { steps, func, definite, reference }
    }

    /// Follows a reference query (names and indices only) without allocating.
    fn get<'a>(&self, start: &'a Value) -> Option<&'a Value> {
        let mut cur = start;
        for step in &self.steps {
            cur = match &step.sel {
                Selector::Name(name) => cur.get(name)?,
                Selector::Index(index) => array_index(cur.as_array()?, *index)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// The query's result as Jayway's `read` gives it: a definite query its one value, an
    /// indefinite one an array of every match. `None` when a definite query finds nothing or when
    /// Jayway would raise.
    fn result<'a>(&'a self, start: &'a Value, scope: Scope<'a>) -> Option<Val<'a>> {
        self.checked_result(start, scope).ok().flatten()
    }

    /// [`result`](Self::result), telling a query with too many matches apart from one with none.
    fn checked_result<'a>(&'a self, start: &'a Value, scope: Scope<'a>) -> Result<Option<Val<'a>>, Limit> {
        if self.reference {
            return Ok(self.get(start).map(Val::Ref));
        }
        let vals = match self.eval(start, scope) {
            Ok(vals) => vals,
            Err(Fail::Missing) => return Ok(None),
            Err(Fail::TooMany(limit)) => return Err(limit),
        };
        Ok(if self.definite {
            vals.into_iter().next()
        } else {
            Some(Val::Owned(Value::array(vals.into_iter().map(Val::into_value).collect())))
        })
    }

    /// Every match, in document order (Jayway's depth-first order: a chain of steps applied one
    /// after the other over the ordered list of matches gives the same order, without recursion).
    fn eval<'a>(&'a self, start: &'a Value, scope: Scope<'a>) -> Result<Vec<Val<'a>>, Fail> {
        let nodes = self.eval_steps(start, scope)?;
        let Some(func) = &self.func else {
            return Ok(nodes);
        };
        // Jayway applies a function to each match in turn (`$.a[*].b.length()` gives one length
        // per match); if any call fails, the whole read fails.
        nodes.iter().map(|n| func.apply(n.get(), scope).map(Val::Owned)).collect()
    }

    fn eval_steps<'a>(&'a self, start: &'a Value, scope: Scope<'a>) -> Result<Vec<Val<'a>>, Fail> {
        let mut cur: Vec<&'a Value> = vec![start];
        let mut next: Vec<&'a Value> = Vec::new();
        // Jayway raises when a step whose upstream is definite fails (`$.missing[*]`, `$.str[0,1]`);
        // below the first indefinite step, misses are skipped.
        let mut upstream_definite = true;
        // Nodes the descents (`..`) have visited: many matches each descending through deep data
        // take time even when they match little.
        let mut visited: usize = 0;
        let count = self.steps.len();
        for (i, step) in self.steps.iter().enumerate() {
            let leaf = i + 1 == count && self.func.is_none();
            if leaf {
                if let Selector::Names(names) = &step.sel {
                    return merge_all(&cur, names, step.descend, upstream_definite);
                }
            }
            for &node in &cur {
                if step.descend {
                    walk(node, |v| {
                        visited += 1;
                        descend_select(v, &step.sel, scope.root, &mut next);
                    });
                } else {
                    select_step(node, &step.sel, leaf, upstream_definite, scope.root, &mut next)?;
                }
                if next.len() > MAX_MATCHES {
                    return Err(Fail::TooMany(Limit::Matches));
                }
                if visited > MAX_VISITS {
                    return Err(Fail::TooMany(Limit::Visits));
                }
            }
            upstream_definite &= step.is_definite(leaf);
            std::mem::swap(&mut cur, &mut next);
            next.clear();
        }
        Ok(cur.into_iter().map(Val::Ref).collect())
    }
}

/// A path inside a filter or a function argument, starting at `@` (the current item) or `$`.
#[derive(Clone, Debug)]
struct SubPath {
    current: bool,
    query: Query,
}

impl SubPath {
    fn start<'a>(&self, scope: Scope<'a>) -> &'a Value {
        if self.current {
            scope.item
        } else {
            scope.root
        }
    }
}

/// A match: a node of the document, or a value computed from it (a merge, a function's result).
#[derive(Debug)]
enum Val<'a> {
    Ref(&'a Value),
    Owned(Value),
}

impl Val<'_> {
    fn get(&self) -> &Value {
        match self {
            Val::Ref(v) => v,
            Val::Owned(v) => v,
        }
    }

    fn into_value(self) -> Value {
        match self {
            Val::Ref(v) => v.clone(),
            Val::Owned(v) => v,
        }
    }
}

/// Why a query gives no result.
#[derive(Debug)]
enum Fail {
    /// Jayway would raise here (`PathNotFoundException` and the like): the path has no result.
    Missing,
    /// The matches would pass [`MAX_MATCHES`], or the descents [`MAX_VISITS`] (`$..a..a..a` over
    /// deep data: each descent matches every node below every match before it, again and again).
    TooMany(Limit),
}

/// Which bound a runaway query passed, so that its error says which.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Limit {
    /// [`MAX_MATCHES`]
    Matches,
    /// [`MAX_VISITS`]
    Visits,
}

/// The most matches a query may hold at once. A document under the 256 KiB payload quota has
/// fewer nodes than this; only repeated descents (`..`) reach it, by matching the same nodes
/// many times over, and a result that size could never be a state's data anyway.
pub const MAX_MATCHES: usize = 1_000_000;

/// The most nodes the descents of one query may visit, for the same reason.
const MAX_VISITS: usize = 20_000_000;

/// What `@` in function arguments and `$` in filters refer to.
#[derive(Clone, Copy)]
struct Scope<'a> {
    item: &'a Value,
    root: &'a Value,
}

/// What `step` (a name or an index that [`JsonPath::set`] checked) reaches in `node`, if anything.
fn reached(node: &Value, step: &Step) -> Option<Value> {
    match &step.sel {
        Selector::Name(name) => node.get(name).cloned(),
        Selector::Index(index) => array_index(node.as_array()?, *index).cloned(),
        _ => None,
    }
}

/// `parent` with `child` put where `step` (a name or an index that [`JsonPath::set`] checked)
/// points: a member replaced in place or appended, an item replaced.
fn put(mut parent: Value, step: &Step, child: Value) -> Value {
    match &step.sel {
        Selector::Name(name) => {
            let _ = parent.set_member(name.clone(), child);
        }
        Selector::Index(index) => {
            let len = parent.as_array().map_or(0, <[Value]>::len);
            if let Some(k) = resolve_index(len, *index) {
                let _ = parent.set_item(k, child);
            }
        }
        _ => {}
    }
    parent
}

/// Resolves an index against a length: negative counts from the end.
fn resolve_index(len: usize, index: i64) -> Option<usize> {
    let k = if index < 0 { i64::try_from(len).ok()?.checked_add(index)? } else { index };
    usize::try_from(k).ok().filter(|&k| k < len)
}

fn array_index(items: &[Value], index: i64) -> Option<&Value> {
    items.get(resolve_index(items.len(), index)?)
}

/// The positions `[from:to]` visits, in order, exactly as Jayway's `ArraySliceToken` does.
fn slice_indices(len: usize, from: Option<i64>, to: Option<i64>) -> impl Iterator<Item = usize> {
    let n = i64::try_from(len).unwrap_or(i64::MAX);
    let (negative, positive) = match (from, to) {
        (Some(f), None) => (0..0, (if f < 0 { n.saturating_add(f) } else { f }).max(0)..n),
        (None, Some(t)) => (0..0, 0..(if t < 0 { n.saturating_add(t) } else { t }).min(n)),
        (Some(f), Some(t)) => {
            // Jayway: `[from:to]` walks i = from..min(len, to) without normalising `from`, and
            // reads a negative i as len + i. So `[-3:-1]` gives len-3 and len-2, `[1:-1]` gives
            // nothing, and `[-10:2]` on five items gives 0,1,2,3,4,0,1. The two ranges below are
            // that walk with the out-of-range positions left out.
            let t = t.min(n);
            (f.max(-n)..t.min(0), f.max(0)..t)
        }
        (None, None) => (0..0, 0..0),
    };
    negative.map(move |i| i.saturating_add(n)).chain(positive).filter_map(|i| usize::try_from(i).ok())
}

fn push_children<'a>(node: &'a Value, out: &mut Vec<&'a Value>) {
    if let Some(map) = node.as_object() {
        out.extend(map.values());
    } else if let Some(items) = node.as_array() {
        out.extend(items.iter());
    }
}

fn select_indices<'a>(items: &'a [Value], sel: &Selector, out: &mut Vec<&'a Value>) {
    match sel {
        Selector::Index(index) => out.extend(array_index(items, *index)),
        Selector::Indices(list) => out.extend(list.iter().filter_map(|&i| array_index(items, i))),
        Selector::Slice(from, to) => {
            out.extend(slice_indices(items.len(), *from, *to).filter_map(|k| items.get(k)))
        }
        _ => {}
    }
}

/// Applies a step (without `..`) to one node. `strict`: the step's upstream is definite, so a
/// miss makes Jayway raise rather than skip.
fn select_step<'a>(
    node: &'a Value,
    sel: &'a Selector,
    leaf: bool,
    strict: bool,
    root: &'a Value,
    out: &mut Vec<&'a Value>,
) -> Result<(), Fail> {
    match sel {
        Selector::Name(name) => match node.as_object() {
            Some(map) => match map.get(name) {
                Some(v) => out.push(v),
                // Jayway: a missing last member is no result; a missing member further up raises.
                None if strict && !leaf => return Err(Fail::Missing),
                None => {}
            },
            None if strict => return Err(Fail::Missing),
            None => {}
        },
        Selector::Names(names) => match node.as_object() {
            Some(map) => out.extend(names.iter().filter_map(|n| map.get(n))),
            None if strict => return Err(Fail::Missing),
            None => {}
        },
        Selector::Index(_) | Selector::Indices(_) | Selector::Slice(..) => match node.as_array() {
            // Out-of-range positions are skipped silently, even in a definite path.
            Some(items) => select_indices(items, sel, out),
            None if strict => return Err(Fail::Missing),
            None => {}
        },
        Selector::Wildcard => push_children(node, out),
        Selector::Filter(pred) => match node {
            // Jayway: a filter applied to an object tests the object itself.
            Value::Object(_) if pred.test(node, root) => out.push(node),
            Value::Object(_) => {}
            Value::Array(_) => {
                if let Some(items) = node.as_array() {
                    out.extend(items.iter().filter(|item| pred.test(item, root)));
                }
            }
            _ if strict => return Err(Fail::Missing),
            _ => {}
        },
    }
    Ok(())
}

/// Visits every object and array under `start` (itself first), depth-first in document order,
/// with an explicit stack: a document nested [`MAX_DEPTH`] levels deep costs heap, not call stack.
fn walk<'a>(start: &'a Value, mut visit: impl FnMut(&'a Value)) {
    let mut stack = vec![start];
    while let Some(node) = stack.pop() {
        let is_container = |v: &&Value| matches!(v, Value::Object(_) | Value::Array(_));
        if let Some(map) = node.as_object() {
            visit(node);
            stack.extend(map.values().rev().filter(is_container));
        } else if let Some(items) = node.as_array() {
            visit(node);
            stack.extend(items.iter().rev().filter(is_container));
        }
    }
}

/// Applies a step after `..` to one visited container, as Jayway's `ScanPathToken` does: names
/// look into objects, indices and slices into arrays, a wildcard into both.
fn descend_select<'a>(node: &'a Value, sel: &'a Selector, root: &'a Value, out: &mut Vec<&'a Value>) {
    match sel {
        Selector::Name(name) => out.extend(node.get(name)),
        Selector::Names(names) => {
            if let Some(map) = node.as_object() {
                out.extend(names.iter().filter_map(|n| map.get(n)));
            }
        }
        Selector::Index(_) | Selector::Indices(_) | Selector::Slice(..) => {
            // Jayway: when more steps follow, `..[0]` applies them to every item of every array
            // (a known bug); here the index is honoured, as it is at the end of a path.
            if let Some(items) = node.as_array() {
                select_indices(items, sel, out);
            }
        }
        Selector::Wildcard => push_children(node, out),
        Selector::Filter(pred) => {
            if let Some(items) = node.as_array() {
                // Jayway tests the array itself first (with `@` the array), then its items.
                if pred.test(node, root) {
                    out.extend(items.iter().filter(|item| pred.test(item, root)));
                }
            } else if pred.test(node, root) {
                out.push(node);
            }
        }
    }
}

/// The object Jayway builds for `['a','b']` at the end of a path: the members present, in the
/// order named (possibly none).
fn merge(map: &Map, names: &[Rc<str>]) -> Value {
    let mut out = Map::default();
    for name in names {
        if let Some(v) = map.get(name) {
            out.insert(name.clone(), v.clone());
        }
    }
    Value::object(out)
}

fn merge_all<'a>(
    nodes: &[&'a Value],
    names: &[Rc<str>],
    descend: bool,
    strict: bool,
) -> Result<Vec<Val<'a>>, Fail> {
    let mut out = Vec::new();
    for &node in nodes {
        if descend {
            // Jayway: after `..`, only objects holding every one of the names match.
            walk(node, |v| {
                if let Some(map) = v.as_object() {
                    if names.iter().all(|n| map.contains_key(n)) {
                        out.push(Val::Owned(merge(map, names)));
                    }
                }
            });
        } else {
            match node.as_object() {
                Some(map) => out.push(Val::Owned(merge(map, names))),
                None if strict => return Err(Fail::Missing),
                None => {}
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Filters.
// ---------------------------------------------------------------------------------------------

/// A filter's condition.
#[derive(Clone, Debug)]
enum Pred {
    /// `a || b || ...` (a list, not a nested chain, so a long chain costs no recursion).
    Or(Vec<Pred>),
    /// `a && b && ...`.
    And(Vec<Pred>),
    /// `!a`.
    Not(Box<Pred>),
    /// A path on its own: does it match anything?
    Exists(SubPath),
    /// `left op right`.
    Compare(Operand, Op, Operand),
}

/// One side of a comparison.
#[derive(Clone, Debug)]
enum Operand {
    Path(SubPath),
    Literal(Value),
    Pattern(Box<Regex>),
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    StrictEq,
    StrictNe,
    Lt,
    Le,
    Gt,
    Ge,
    Regex,
    In,
    Nin,
    SubsetOf,
    AnyOf,
    NoneOf,
    Size,
    Empty,
    Contains,
}

/// An evaluated operand: Jayway's value nodes.
enum Opd<'a> {
    /// A path that matched nothing.
    Undefined,
    Val(Val<'a>),
    Pattern(&'a Regex),
}

/// The class of a value node, for `===`.
#[derive(PartialEq, Eq)]
enum Kind {
    Undefined,
    Null,
    Bool,
    Number,
    String,
    Json,
    Pattern,
}

impl Pred {
    /// `true` when `item` passes. Jayway: an error while testing (such as `in` against something
    /// that is not a list) makes the item fail, whatever the rest of the condition says.
    fn test(&self, item: &Value, root: &Value) -> bool {
        self.eval(Scope { item, root }).unwrap_or(false)
    }

    fn eval(&self, scope: Scope<'_>) -> Option<bool> {
        match self {
            Pred::Or(terms) => {
                for term in terms {
                    if term.eval(scope)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            Pred::And(terms) => {
                for term in terms {
                    if !term.eval(scope)? {
                        return Some(false);
                    }
                }
                Some(true)
            }
            Pred::Not(inner) => inner.eval(scope).map(|b| !b),
            // A definite path exists when it resolves (even to null). For an indefinite one Jayway's
            // answer depends on options Step Functions does not document; it exists here when it
            // matches at least one node.
            Pred::Exists(path) => Some(match path.query.result(path.start(scope), scope) {
                None => false,
                Some(v) if !path.query.definite => v.get().as_array().is_some_and(|a| !a.is_empty()),
                Some(_) => true,
            }),
            Pred::Compare(left, op, right) => compare(&left.eval(scope), *op, &right.eval(scope)),
        }
    }
}

impl Operand {
    fn eval<'a>(&'a self, scope: Scope<'a>) -> Opd<'a> {
        match self {
            Operand::Literal(v) => Opd::Val(Val::Ref(v)),
            Operand::Pattern(re) => Opd::Pattern(re),
            // A path that fails (missing, or a function that raises) is undefined, as in Jayway.
            Operand::Path(path) => match path.query.result(path.start(scope), scope) {
                Some(v) => Opd::Val(v),
                None => Opd::Undefined,
            },
        }
    }
}

fn kind(o: &Opd<'_>) -> Kind {
    match o {
        Opd::Undefined => Kind::Undefined,
        Opd::Pattern(_) => Kind::Pattern,
        Opd::Val(v) => match v.get() {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(_) => Kind::Number,
            Value::String(_) => Kind::String,
            Value::Array(_) | Value::Object(_) => Kind::Json,
        },
    }
}

/// Jayway's comparison of two operands. `None`: Jayway raises, and the item fails the filter.
fn compare(l: &Opd<'_>, op: Op, r: &Opd<'_>) -> Option<bool> {
    let same = |l: &Opd<'_>, r: &Opd<'_>| kind(l) == kind(r) && opd_eq(l, r);
    Some(match op {
        Op::Eq => opd_eq(l, r),
        // Jayway: `!=` is "not ==", so a missing member or a value of another type is unequal.
        Op::Ne => !opd_eq(l, r),
        Op::StrictEq => same(l, r),
        Op::StrictNe => !same(l, r),
        // Ordering is defined for two numbers or two strings; anything else is false.
        Op::Lt => order(l, r) == Some(Ordering::Less),
        Op::Le => matches!(order(l, r), Some(Ordering::Less | Ordering::Equal)),
        Op::Gt => order(l, r) == Some(Ordering::Greater),
        Op::Ge => matches!(order(l, r), Some(Ordering::Greater | Ordering::Equal)),
        Op::Regex => regex_match(l, r),
        Op::In => return member(l, r),
        Op::Nin => return member(l, r).map(|b| !b),
        Op::SubsetOf | Op::AnyOf | Op::NoneOf => return set_relation(l, op, r),
        Op::Size => size_is(l, r),
        Op::Empty => empty_is(l, r),
        Op::Contains => contains(l, r),
    })
}

fn opd_eq(l: &Opd<'_>, r: &Opd<'_>) -> bool {
    match (l, r) {
        (Opd::Val(a), Opd::Val(b)) => node_eq(a.get(), b.get()),
        // Jayway: an undefined node equals nothing, not even another; patterns compare by identity.
        _ => false,
    }
}

fn opd_eq_value(l: &Opd<'_>, v: &Value) -> bool {
    match l {
        Opd::Val(a) => node_eq(a.get(), v),
        _ => false,
    }
}

/// Jayway's `ValueNode.equals` (left.equals(right)), on values.
fn node_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        // Jayway: a number equals a string that reads as the same decimal (1 == '1.0')...
        (Value::Number(x), Value::String(s)) => parse_decimal(s).is_some_and(|y| *x == y),
        // ...and a string equals a number whose text it is ('1' == 1, but '1.0' != 1).
        (Value::String(s), Value::Number(y)) => **s == *y.to_string(),
        (Value::String(x), Value::String(y)) => x == y,
        // JSON nodes compare structurally. (Jayway compares Java collections, where 1 and 1.0
        // differ; here numbers compare by value.)
        (Value::Array(_) | Value::Object(_), Value::Array(_) | Value::Object(_)) => a == b,
        _ => false,
    }
}

/// A string read as Java's `BigDecimal` reads it (sign, digits, point, exponent; nothing else).
fn parse_decimal(s: &str) -> Option<Number> {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut digits = 0;
    let mut integral = true;
    let count_digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    digits += count_digits(&mut i);
    if b.get(i) == Some(&b'.') {
        integral = false;
        i += 1;
        digits += count_digits(&mut i);
    }
    if digits == 0 {
        return None;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        integral = false;
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if count_digits(&mut i) == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    if integral {
        if let Ok(n) = s.parse::<i64>() {
            return Some(Number::Int(n));
        }
    }
    s.parse::<f64>().ok().and_then(Number::from_f64)
}

fn num_cmp(a: Number, b: Number) -> Ordering {
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => x.cmp(&y),
        _ => a.as_f64().partial_cmp(&b.as_f64()).unwrap_or(Ordering::Equal),
    }
}

fn order(l: &Opd<'_>, r: &Opd<'_>) -> Option<Ordering> {
    let (Opd::Val(a), Opd::Val(b)) = (l, r) else {
        return None;
    };
    match (a.get(), b.get()) {
        (Value::Number(x), Value::Number(y)) => Some(num_cmp(*x, *y)),
        // Java's String.compareTo compares UTF-16 code units.
        (Value::String(x), Value::String(y)) => Some(x.encode_utf16().cmp(y.encode_utf16())),
        _ => None,
    }
}

fn regex_match(l: &Opd<'_>, r: &Opd<'_>) -> bool {
    let (re, other) = match (l, r) {
        (Opd::Pattern(_), Opd::Pattern(_)) => return false,
        (Opd::Pattern(re), other) | (other, Opd::Pattern(re)) => (re, other),
        _ => return false,
    };
    // Jayway matches a string, or the text of a number or boolean; anything else (null, a
    // container, a missing member) is matched as the empty string, so `/.*/` accepts it.
    let text: Cow<'_, str> = match other {
        Opd::Val(v) => match v.get() {
            Value::String(s) => Cow::Borrowed(s),
            Value::Number(n) => Cow::Owned(n.to_string()),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            _ => Cow::Borrowed(""),
        },
        _ => Cow::Borrowed(""),
    };
    re.is_match(&text)
}

/// The items of an operand used as a list: `None` when Jayway raises (not a JSON node at all),
/// `Some(None)` for an object (Jayway's "undefined" list, which makes the test false).
fn list_of<'o>(o: &'o Opd<'_>) -> Option<Option<&'o [Value]>> {
    match o {
        Opd::Val(v) => match v.get() {
            Value::Array(_) => Some(v.get().as_array()),
            Value::Object(_) => Some(None),
            _ => None,
        },
        _ => None,
    }
}

fn member(l: &Opd<'_>, r: &Opd<'_>) -> Option<bool> {
    Some(match list_of(r)? {
        Some(items) => items.iter().any(|item| opd_eq_value(l, item)),
        None => false,
    })
}

fn set_relation(l: &Opd<'_>, op: Op, r: &Opd<'_>) -> Option<bool> {
    // Jayway checks the right side first, then the left.
    let Some(right) = list_of(r)? else {
        return Some(false);
    };
    let Some(left) = list_of(l)? else {
        return Some(false);
    };
    let found = |a: &Value| right.iter().any(|b| node_eq(a, b));
    Some(match op {
        Op::SubsetOf => left.iter().all(found),
        Op::AnyOf => left.iter().any(found),
        Op::NoneOf => !left.iter().any(found),
        _ => false,
    })
}

/// Java's `Number.intValue()` (truncation), saturating instead of wrapping.
fn int_value(n: Number) -> i64 {
    match n {
        Number::Int(i) => i,
        Number::Float(f) => f as i64,
    }
}

fn size_is(l: &Opd<'_>, r: &Opd<'_>) -> bool {
    let (Opd::Val(a), Opd::Val(b)) = (l, r) else {
        return false;
    };
    let Some(expected) = b.get().as_number().map(int_value) else {
        return false;
    };
    let value = a.get();
    let actual = if let Some(s) = value.as_str() {
        // Java's String.length(): UTF-16 code units.
        s.encode_utf16().count()
    } else if let Some(items) = value.as_array() {
        items.len()
    } else {
        // Jayway: the size of an object is -1, which no number matches.
        return false;
    };
    i64::try_from(actual).is_ok_and(|n| n == expected)
}

fn empty_is(l: &Opd<'_>, r: &Opd<'_>) -> bool {
    let (Opd::Val(a), Opd::Val(b)) = (l, r) else {
        return false;
    };
    let Some(expected) = b.get().as_bool() else {
        return false;
    };
    let value = a.get();
    let empty = if let Some(s) = value.as_str() {
        s.is_empty()
    } else if let Some(items) = value.as_array() {
        items.is_empty()
    } else if let Some(map) = value.as_object() {
        map.is_empty()
    } else {
        return false;
    };
    empty == expected
}

fn contains(l: &Opd<'_>, r: &Opd<'_>) -> bool {
    let Opd::Val(a) = l else {
        return false;
    };
    match a.get() {
        Value::String(s) => match r {
            Opd::Val(b) => b.get().as_str().is_some_and(|t| s.contains(t)),
            _ => false,
        },
        Value::Array(_) => {
            a.get().as_array().is_some_and(|items| items.iter().any(|item| opd_eq_value(r, item)))
        }
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Functions.
// ---------------------------------------------------------------------------------------------

/// A path function (Jayway's `PathFunctionFactory`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FuncKind {
    Length,
    Min,
    Max,
    Avg,
    Stddev,
    Sum,
    Keys,
    First,
    Last,
    Index,
    Concat,
    Append,
}

impl FuncKind {
    fn from_name(name: &str) -> Option<FuncKind> {
        Some(match name {
            "length" | "size" => FuncKind::Length,
            "min" => FuncKind::Min,
            "max" => FuncKind::Max,
            "avg" => FuncKind::Avg,
            "stddev" => FuncKind::Stddev,
            "sum" => FuncKind::Sum,
            "keys" => FuncKind::Keys,
            "first" => FuncKind::First,
            "last" => FuncKind::Last,
            "index" => FuncKind::Index,
            "concat" => FuncKind::Concat,
            "append" => FuncKind::Append,
            _ => return None,
        })
    }
}

/// A function call ending a path.
#[derive(Clone, Debug)]
struct Func {
    kind: FuncKind,
    args: Vec<Arg>,
}

/// A function argument: a path (`$...` or `@...`) or a JSON literal.
#[derive(Clone, Debug)]
enum Arg {
    Path(SubPath),
    Literal(Value),
}

impl Arg {
    /// The argument's value. Jayway evaluates path arguments against the root; here `@` paths
    /// start at the current filter item (at the top of a path the two are the same document).
    fn value(&self, scope: Scope<'_>) -> Result<Value, Fail> {
        match self {
            Arg::Literal(v) => Ok(v.clone()),
            Arg::Path(path) => {
                path.query.result(path.start(scope), scope).map(Val::into_value).ok_or(Fail::Missing)
            }
        }
    }
}

impl Func {
    fn new(kind: FuncKind, mut args: Vec<Arg>) -> Func {
        // Jayway's `length(path)` counts the children of what the path finds: it appends `.*` to
        // its first argument (unless that path ends in a function or has no steps). This is why
        // `$..book.length()` (evaluated as `$.length($..book)`) gives the number of books.
        if kind == FuncKind::Length {
            if let Some(Arg::Path(path)) = args.first_mut() {
                if path.query.func.is_none() && !path.query.steps.is_empty() {
                    let mut steps = std::mem::take(&mut path.query.steps);
                    steps.push(Step { descend: false, sel: Selector::Wildcard });
                    path.query = Query::new(steps, None, path.current);
                }
            }
        }
        Func { kind, args }
    }

    /// Calls the function on `model`, the node the path reached. `Err` where Jayway raises.
    fn apply(&self, model: &Value, scope: Scope<'_>) -> Result<Value, Fail> {
        if self.kind == FuncKind::Length {
            return self.length(model);
        }
        let args = self.args.iter().map(|a| a.value(scope)).collect::<Result<Vec<_>, _>>()?;
        match self.kind {
            FuncKind::Length => self.length(model),
            FuncKind::Min | FuncKind::Max | FuncKind::Avg | FuncKind::Stddev | FuncKind::Sum => {
                self.aggregate(model, &args)
            }
            FuncKind::Keys => Ok(model.as_object().map_or(Value::Null, |map| {
                Value::array(map.keys().map(|k| Value::String(k.clone())).collect())
            })),
            FuncKind::First | FuncKind::Last | FuncKind::Index => {
                let items = model.as_array().ok_or(Fail::Missing)?;
                let index = match self.kind {
                    FuncKind::First => 0,
                    FuncKind::Last => -1,
                    _ => args
                        .iter()
                        .flat_map(|a| a.as_array().map_or_else(|| vec![a.clone()], <[Value]>::to_vec))
                        .find_map(|v| v.as_number())
                        .map(int_value)
                        .ok_or(Fail::Missing)?,
                };
                // Jayway: `last()` of a one-item array and `index(-len)` raise (it wants
                // len + index > 0); here they give the first item.
                array_index(items, index).cloned().ok_or(Fail::Missing)
            }
            FuncKind::Concat => {
                let mut out = String::new();
                if let Some(items) = model.as_array() {
                    for item in items {
                        if let Some(s) = item.as_str() {
                            out.push_str(s);
                        }
                    }
                }
                for arg in &args {
                    match arg.as_array() {
                        Some(items) => items.iter().for_each(|item| push_text(&mut out, item)),
                        None => push_text(&mut out, arg),
                    }
                }
                Ok(Value::string(out))
            }
            FuncKind::Append => Ok(match model.as_array() {
                Some(items) => {
                    let mut items = items.to_vec();
                    items.extend(args);
                    Value::array(items)
                }
                None => model.clone(),
            }),
        }
    }

    fn length(&self, model: &Value) -> Result<Value, Fail> {
        if let Some(first) = self.args.first() {
            // Jayway evaluates the argument against the function's input (both `$` and `@`).
            let Arg::Path(path) = first else {
                // Jayway: a literal argument to length() is a NullPointerException.
                return Err(Fail::Missing);
            };
            let inner = path.query.result(model, Scope { item: model, root: model }).ok_or(Fail::Missing)?;
            if let Some(items) = inner.get().as_array() {
                return Ok(count(items.len()));
            }
        }
        // Jayway: the length of a string (or any scalar) is null.
        Ok(match model {
            Value::Array(_) => count(model.as_array().map_or(0, <[Value]>::len)),
            Value::Object(_) => count(model.as_object().map_or(0, Map::len)),
            _ => Value::Null,
        })
    }

    /// sum, min, max, avg, stddev: over the numbers of the input (when it is an array) and of the
    /// arguments (arrays flattened one level). Jayway computes in doubles, so the result is a
    /// float (`6.0`); with no numbers at all it raises.
    fn aggregate(&self, model: &Value, args: &[Value]) -> Result<Value, Fail> {
        let mut values: Vec<f64> = Vec::new();
        if let Some(items) = model.as_array() {
            values.extend(items.iter().filter_map(Value::as_f64));
        }
        for arg in args {
            match arg.as_array() {
                Some(items) => values.extend(items.iter().filter_map(Value::as_f64)),
                None => values.extend(arg.as_f64()),
            }
        }
        if values.is_empty() {
            return Err(Fail::Missing);
        }
        let n = values.len() as f64;
        let sum: f64 = values.iter().sum();
        let result = match self.kind {
            FuncKind::Sum => sum,
            FuncKind::Min => values.iter().copied().fold(f64::MAX, f64::min),
            // Jayway starts max() from Double.MIN_VALUE (the smallest positive double), so the
            // max of negative numbers comes out as 4.9E-324; here it is the real maximum.
            FuncKind::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            FuncKind::Avg => sum / n,
            _ => {
                // Jayway's formula, in its order of operations, so results agree to the last bit.
                // Rounding can take the variance a hair below zero, where Java's sqrt gives NaN.
                let sum_sq: f64 = values.iter().map(|v| v * v).sum();
                (sum_sq / n - sum * sum / n / n).max(0.0).sqrt()
            }
        };
        Value::float(result).ok_or(Fail::Missing)
    }
}

fn count(n: usize) -> Value {
    Value::int(i64::try_from(n).unwrap_or(i64::MAX))
}

/// concat(): strings as they are, numbers and booleans as their text, containers as JSON (Java
/// would print its own collection syntax), null as nothing.
fn push_text(out: &mut String, v: &Value) {
    match v {
        Value::Null => {}
        Value::String(s) => out.push_str(s),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::Array(_) | Value::Object(_) => v.write_json(out),
    }
}

// ---------------------------------------------------------------------------------------------
// The parser.
// ---------------------------------------------------------------------------------------------

/// Where a path is being read: at the top (it must use the whole text) or inside a filter or a
/// function's arguments (it ends where a path cannot continue).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Top,
    Inner,
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// Current nesting of filters, parentheses, `!`, calls and literals.
    nesting: usize,
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

impl<'t> Parser<'t> {
    fn fail<T>(&self, offset: usize, message: impl Into<String>) -> Result<T, PathError> {
        Err(PathError { message: message.into(), offset })
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.bytes.get(self.pos + k).copied()
    }

    fn rest(&self) -> &'t str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn slice(&self, from: usize, to: usize) -> &'t str {
        self.text.get(from..to).unwrap_or("")
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8, what: &str) -> Result<(), PathError> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            self.fail(self.pos, format!("expected {what}"))
        }
    }

    fn enter(&mut self) -> Result<(), PathError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return self.fail(
                self.pos,
                format!(
                    "the path nests filters, parentheses or literals more than {MAX_NESTING} levels deep"
                ),
            );
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting = self.nesting.saturating_sub(1);
    }

    /// After the first `$`: a workflow variable's name, if one follows.
    fn variable_name(&mut self) -> Result<Option<Rc<str>>, PathError> {
        let start = self.pos;
        let len: usize =
            self.rest().chars().take_while(|c| c.is_alphanumeric() || *c == '_').map(char::len_utf8).sum();
        if len == 0 {
            return Ok(None);
        }
        let name = self.slice(start, start + len);
        if name.starts_with(|c: char| c.is_numeric()) {
            return self.fail(start, "a variable name must start with a letter or '_'");
        }
        self.pos = start + len;
        Ok(Some(Rc::from(name)))
    }

    /// The steps of a path and the function that may end it. `current`: the path starts at `@`.
    fn query(&mut self, ctx: Ctx, current: bool) -> Result<Query, PathError> {
        let mut steps = Vec::new();
        let mut func = None;
        loop {
            match self.peek() {
                Some(b'.') => {
                    let dot = self.pos;
                    let descend = self.peek_at(1) == Some(b'.');
                    self.pos += if descend { 2 } else { 1 };
                    match self.peek() {
                        None => {
                            let what = if descend { "'..'" } else { "'.'" };
                            return self.fail(dot, format!("a path must not end with {what}"));
                        }
                        Some(b'.') => return self.fail(dot, "'...' is not valid"),
                        // Jayway accepts `.[` as well as `[`.
                        Some(b'[') => steps.push(Step { descend, sel: self.bracket()? }),
                        Some(b'*') => {
                            self.pos += 1;
                            steps.push(Step { descend, sel: Selector::Wildcard });
                        }
                        Some(_) => {
                            let start = self.pos;
                            let name = self.dot_name(ctx)?;
                            if self.peek() == Some(b'(') {
                                if descend {
                                    return self.fail(start, "a function cannot follow '..' directly");
                                }
                                func = Some(self.function(start, &name)?);
                                break;
                            }
                            steps.push(Step { descend, sel: Selector::Name(name) });
                        }
                    }
                }
                Some(b'[') => steps.push(Step { descend: false, sel: self.bracket()? }),
                None => break,
                Some(_) if ctx == Ctx::Inner => break,
                Some(_) => return self.fail(self.pos, "expected '.' or '['"),
            }
        }
        if func.is_some() {
            let more = match ctx {
                Ctx::Top => self.peek().is_some(),
                Ctx::Inner => matches!(self.peek(), Some(b'.' | b'[')),
            };
            if more {
                // Jayway documents functions "at the tail end of a path".
                return self.fail(self.pos, "a function must end the path");
            }
        }
        Ok(Query::new(steps, func, current))
    }

    /// A name after a dot. Jayway ends it only at `.`, `[` or `(` (a space is an error), so
    /// `$.test-input` and `$.a*b` are names. Inside filters and arguments it also ends where an
    /// operator, a closing bracket, a comma or a space begins.
    fn dot_name(&mut self, ctx: Ctx) -> Result<Rc<str>, PathError> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            match b {
                b'.' | b'[' | b'(' => break,
                b if is_space(b) && ctx == Ctx::Top => {
                    // Only blanks after the name: a stray space at the end, not a name with spaces.
                    let rest = self.bytes.get(self.pos..).unwrap_or_default();
                    if rest.iter().all(|&c| is_space(c)) {
                        return self.fail(self.pos, "the path ends with a space: remove it");
                    }
                    return self
                        .fail(self.pos, "a name with spaces must be written in brackets: ['my name']");
                }
                b')' | b']' | b',' | b'<' | b'>' | b'=' | b'!' | b'~' | b'&' | b'|' if ctx == Ctx::Inner => {
                    break
                }
                b if is_space(b) => break,
                // Bytes of multi-byte characters are all >= 0x80: never a delimiter.
                _ => self.pos += 1,
            }
        }
        if self.pos == start {
            return self.fail(start, "expected a name");
        }
        Ok(Rc::from(self.slice(start, self.pos)))
    }

    /// `[...]`: quoted names, indices, a slice, `*` or a filter.
    fn bracket(&mut self) -> Result<Selector, PathError> {
        let open = self.pos;
        self.pos += 1;
        self.skip_ws();
        let sel = match self.peek() {
            Some(b'\'' | b'"') => {
                let mut names: Vec<Rc<str>> = Vec::new();
                loop {
                    names.push(Rc::from(self.quoted()?));
                    self.skip_ws();
                    match self.peek() {
                        Some(b',') => {
                            self.pos += 1;
                            self.skip_ws();
                            if !matches!(self.peek(), Some(b'\'' | b'"')) {
                                return self.fail(self.pos, "expected a quoted name after ','");
                            }
                        }
                        Some(b']') => break,
                        _ => return self.fail(self.pos, "expected ',' or ']' after a quoted name"),
                    }
                }
                if names.len() == 1 {
                    match names.pop() {
                        Some(name) => Selector::Name(name),
                        None => return self.fail(open, "expected a name"),
                    }
                } else {
                    Selector::Names(names.into_boxed_slice())
                }
            }
            Some(b'*') => {
                self.pos += 1;
                Selector::Wildcard
            }
            Some(b'?') => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() != Some(b'(') {
                    return self.fail(self.pos, "a filter is written [?(condition)]");
                }
                self.pos += 1;
                self.enter()?;
                let pred = self.filter_or()?;
                self.skip_ws();
                self.expect(b')', "')' to close the filter's condition")?;
                self.leave();
                Selector::Filter(Box::new(pred))
            }
            Some(b'0'..=b'9' | b'-' | b':') => self.indices()?,
            Some(_) => {
                return self.fail(self.pos, "expected a quoted name, an index, a slice, '*' or a filter");
            }
            None => return self.fail(open, "missing ']'"),
        };
        self.skip_ws();
        self.expect(b']', "']'")?;
        Ok(sel)
    }

    /// `[0]`, `[-1]`, `[0,2]`, `[1:3]`, `[-2:]`, `[:2]`, as Jayway's `ArrayIndexOperation` and
    /// `ArraySliceOperation` read them.
    fn indices(&mut self) -> Result<Selector, PathError> {
        let start = self.pos;
        let Some(close) = self.rest().find(']').map(|k| start + k) else {
            return self.fail(start, "missing ']'");
        };
        let inner = self.slice(start, close);
        if let Some((k, c)) =
            inner.char_indices().find(|(_, c)| !matches!(c, '0'..='9' | '-' | ':' | ',' | ' '))
        {
            return self.fail(start + k, format!("unexpected '{c}' in an index or a slice"));
        }
        let int = |s: &str| -> Result<i64, PathError> {
            // Jayway reads indices as Java ints.
            s.parse::<i32>()
                .map(i64::from)
                .map_err(|_| PathError { message: format!("'{s}' is not a valid index"), offset: start })
        };
        let trimmed = inner.trim_matches(' ');
        let sel = if trimmed.contains(':') {
            if trimmed.contains([',', ' ']) {
                return self.fail(start, "a slice is written [from:to] with no spaces or commas");
            }
            // Jayway splits on ':' and reads only the first two parts: a step (`[0:6:2]`) is
            // accepted and ignored.
            let mut parts = trimmed.split(':');
            let mut bound = || parts.next().filter(|s| !s.is_empty()).map(int).transpose();
            let from = bound()?;
            let to = bound()?;
            if from.is_none() && to.is_none() {
                return self.fail(start, "a slice needs a start or an end, as in [1:] or [:2]");
            }
            Selector::Slice(from, to)
        } else {
            let list = trimmed.split(',').map(|s| int(s.trim_matches(' '))).collect::<Result<Vec<_>, _>>()?;
            match list.as_slice() {
                [one] => Selector::Index(*one),
                _ => Selector::Indices(list.into_boxed_slice()),
            }
        };
        self.pos = close;
        Ok(sel)
    }

    /// A quoted string (either quote), with Jayway's escapes (`Utils.unescape`).
    fn quoted(&mut self) -> Result<String, PathError> {
        let start = self.pos;
        let Some(quote) = self.peek() else {
            return self.fail(start, "expected a quoted string");
        };
        self.pos += 1;
        let body = self.pos;
        loop {
            match self.peek() {
                None => return self.fail(start, "unterminated string"),
                Some(b'\\') => self.pos += 2,
                Some(b) if b == quote => break,
                Some(_) => self.pos += 1,
            }
        }
        let raw = self.slice(body, self.pos);
        self.pos += 1;
        unescape(raw).map_err(|message| PathError { message: message.to_string(), offset: body })
    }

    /// `name(args)`, the cursor on `(`.
    fn function(&mut self, start: usize, name: &str) -> Result<Func, PathError> {
        let Some(kind) = FuncKind::from_name(name) else {
            return self.fail(
                start,
                format!(
                    "unknown function '{name}()': the functions are length, size, min, max, avg, \
                     stddev, sum, keys, first, last, index, concat and append"
                ),
            );
        };
        self.pos += 1;
        self.enter()?;
        let mut args = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b')') {
            self.pos += 1;
        } else {
            loop {
                self.skip_ws();
                let arg = match self.peek() {
                    Some(b'$' | b'@') => Arg::Path(self.sub_path()?),
                    _ => Arg::Literal(self.json_literal()?),
                };
                args.push(arg);
                self.skip_ws();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b')') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return self.fail(self.pos, "expected ',' or ')' in the function's arguments"),
                }
            }
        }
        self.leave();
        if kind == FuncKind::Index && args.is_empty() {
            return self.fail(start, "index() needs the position, as in index(0)");
        }
        Ok(Func::new(kind, args))
    }

    /// `@...` or `$...` inside a filter or an argument.
    fn sub_path(&mut self) -> Result<SubPath, PathError> {
        let at = self.pos;
        let current = self.peek() == Some(b'@');
        self.pos += 1;
        if self.peek().is_some_and(|b| b == b'$' || b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80) {
            // A filter only sees the document it runs on: `$$` and `$variable` mean nothing there.
            return self.fail(at, "inside a filter or a function's arguments, a path starts with '@' or '$'");
        }
        self.enter()?;
        let query = self.query(Ctx::Inner, current)?;
        self.leave();
        Ok(SubPath { current, query })
    }

    fn filter_or(&mut self) -> Result<Pred, PathError> {
        let mut terms = vec![self.filter_and()?];
        loop {
            self.skip_ws();
            if !self.rest().starts_with("||") {
                break;
            }
            self.pos += 2;
            terms.push(self.filter_and()?);
        }
        Ok(if terms.len() == 1 { terms.pop().unwrap_or(Pred::Or(Vec::new())) } else { Pred::Or(terms) })
    }

    fn filter_and(&mut self) -> Result<Pred, PathError> {
        let mut terms = vec![self.filter_unary()?];
        loop {
            self.skip_ws();
            if !self.rest().starts_with("&&") {
                break;
            }
            self.pos += 2;
            terms.push(self.filter_unary()?);
        }
        Ok(if terms.len() == 1 { terms.pop().unwrap_or(Pred::And(Vec::new())) } else { Pred::And(terms) })
    }

    fn filter_unary(&mut self) -> Result<Pred, PathError> {
        self.skip_ws();
        match self.peek() {
            Some(b'!') => {
                // Jayway reads `!@.a == 1` as `@.a == 1` (the `!` only negates an existence
                // test); here `!` negates whatever condition follows, as one would expect.
                self.pos += 1;
                self.enter()?;
                let inner = self.filter_unary()?;
                self.leave();
                Ok(Pred::Not(Box::new(inner)))
            }
            Some(b'(') => {
                self.pos += 1;
                self.enter()?;
                let inner = self.filter_or()?;
                self.skip_ws();
                self.expect(b')', "')'")?;
                self.leave();
                Ok(inner)
            }
            _ => self.comparison(),
        }
    }

    fn comparison(&mut self) -> Result<Pred, PathError> {
        self.skip_ws();
        let start = self.pos;
        let left = self.operand()?;
        self.skip_ws();
        match self.operator()? {
            Some(op) => {
                let right = self.operand()?;
                Ok(Pred::Compare(left, op, right))
            }
            None => match left {
                Operand::Path(path) => Ok(Pred::Exists(path)),
                _ => self.fail(start, "a literal is not a condition on its own: compare it with something"),
            },
        }
    }

    fn operator(&mut self) -> Result<Option<Op>, PathError> {
        const SYMBOLS: [(&str, Op); 9] = [
            ("===", Op::StrictEq),
            ("!==", Op::StrictNe),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("=~", Op::Regex),
            ("<", Op::Lt),
            (">", Op::Gt),
        ];
        let rest = self.rest();
        for (symbol, op) in SYMBOLS {
            if rest.starts_with(symbol) {
                self.pos += symbol.len();
                return Ok(Some(op));
            }
        }
        if rest.starts_with('=') {
            return self.fail(self.pos, "'=' is not an operator: use '=='");
        }
        let len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        if len == 0 {
            return Ok(None);
        }
        // Jayway reads word operators case-insensitively.
        let word = rest.get(..len).unwrap_or("").to_ascii_lowercase();
        let op = match word.as_str() {
            "in" => Op::In,
            "nin" => Op::Nin,
            "subsetof" => Op::SubsetOf,
            "anyof" => Op::AnyOf,
            "noneof" => Op::NoneOf,
            "size" => Op::Size,
            "empty" => Op::Empty,
            "contains" => Op::Contains,
            "all" | "type" | "matches" => {
                return self.fail(self.pos, format!("the filter operator '{word}' is not supported"));
            }
            _ => return self.fail(self.pos, format!("unknown filter operator '{word}'")),
        };
        self.pos += len;
        Ok(Some(op))
    }

    fn operand(&mut self) -> Result<Operand, PathError> {
        self.skip_ws();
        match self.peek() {
            Some(b'@' | b'$') => Ok(Operand::Path(self.sub_path()?)),
            Some(b'/') => Ok(Operand::Pattern(Box::new(self.regex()?))),
            None => self.fail(self.pos, "expected a path or a literal"),
            Some(_) => Ok(Operand::Literal(self.json_literal()?)),
        }
    }

    /// `/pattern/flags`. Java's regex dialect is approximated by `regex-lite`: classes, groups,
    /// repetition and anchors work; look-around and back-references are parse errors.
    fn regex(&mut self) -> Result<Regex, PathError> {
        let start = self.pos;
        self.pos += 1;
        let body = self.pos;
        loop {
            match self.peek() {
                None => return self.fail(start, "unterminated regular expression: expected a closing '/'"),
                Some(b'\\') => self.pos += 2,
                Some(b'/') => break,
                Some(_) => self.pos += 1,
            }
        }
        let pattern = self.slice(body, self.pos);
        self.pos += 1;
        let flags_start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.pos += 1;
        }
        // Jayway knows d, i, m, s, u, U and x and ignores other letters. `regex-lite` is ASCII-only
        // in its classes and case folding, which is Java's default without u or U.
        let flags = self.slice(flags_start, self.pos);
        build_regex(pattern, flags).map_err(|e| PathError {
            message: format!("invalid regular expression /{pattern}/: {e}"),
            offset: body,
        })
    }

    /// A literal: a string in either quote, a number, true, false, null, or an array or object of
    /// those (json-smart, Jayway's parser for these, also takes single-quoted strings).
    fn json_literal(&mut self) -> Result<Value, PathError> {
        self.skip_ws();
        let at = self.pos;
        match self.peek() {
            Some(b'\'' | b'"') => Ok(Value::string(self.quoted()?)),
            Some(b'[') => {
                self.enter()?;
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        items.push(self.json_literal()?);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b']') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return self.fail(self.pos, "expected ',' or ']' in the array"),
                        }
                    }
                }
                self.leave();
                Ok(Value::array(items))
            }
            Some(b'{') => {
                self.enter()?;
                self.pos += 1;
                let mut map = Map::default();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_ws();
                        if !matches!(self.peek(), Some(b'\'' | b'"')) {
                            return self.fail(self.pos, "expected a quoted key in the object");
                        }
                        let key = self.quoted()?;
                        self.skip_ws();
                        self.expect(b':', "':' after the key")?;
                        let value = self.json_literal()?;
                        map.insert(Rc::from(key), value);
                        self.skip_ws();
                        match self.peek() {
                            Some(b',') => self.pos += 1,
                            Some(b'}') => {
                                self.pos += 1;
                                break;
                            }
                            _ => return self.fail(self.pos, "expected ',' or '}' in the object"),
                        }
                    }
                }
                self.leave();
                Ok(Value::object(map))
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => {
                for (word, value) in
                    [("true", Value::Bool(true)), ("false", Value::Bool(false)), ("null", Value::Null)]
                {
                    let after = self.bytes.get(self.pos + word.len()).copied();
                    if self.rest().starts_with(word)
                        && !after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                    {
                        self.pos += word.len();
                        return Ok(value);
                    }
                }
                self.fail(at, "expected a path, a string, a number, true, false, null, an array or an object")
            }
        }
    }

    fn number(&mut self) -> Result<Value, PathError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == digits {
            return self.fail(start, "expected a number");
        }
        let mut integral = true;
        if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            integral = false;
            self.pos += 1;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integral = false;
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            let exp = self.pos;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.pos += 1;
            }
            if self.pos == exp {
                return self.fail(start, "expected digits in the number's exponent");
            }
        }
        let text = self.slice(start, self.pos);
        if integral {
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Value::int(n));
            }
        }
        match text.parse::<f64>().ok().and_then(Value::float) {
            Some(v) => Ok(v),
            None => self.fail(start, "the number is out of range"),
        }
    }
}

/// Compiles a filter's pattern. Jayway uses Java's `Matcher.matches()`, so the whole text must
/// match: the pattern is anchored at both ends (after checking it alone, so that an unbalanced
/// `)` cannot escape the anchoring group).
fn build_regex(pattern: &str, flags: &str) -> Result<Regex, regex_lite::Error> {
    let x = flags.contains('x');
    let build = |p: &str| {
        RegexBuilder::new(p)
            .case_insensitive(flags.contains('i'))
            .multi_line(flags.contains('m'))
            .dot_matches_new_line(flags.contains('s'))
            .ignore_whitespace(x)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
    };
    build(pattern)?;
    // In `x` mode a `#` comment runs to the end of the line: end it before the closing group.
    build(&format!("\\A(?:{pattern}{})\\z", if x { "\n" } else { "" }))
}

/// Jayway's `Utils.unescape`: `\n`, `\t`, `\r`, `\b`, `\f`, `\uXXXX` (with surrogate pairs); any
/// other escaped character stands for itself (`\'`, `\"`, `\\`, `\/`).
fn unescape(raw: &str) -> Result<String, &'static str> {
    if !raw.contains('\\') {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    let hex4 = |chars: &mut std::str::Chars<'_>| -> Result<u32, &'static str> {
        let mut n = 0;
        for _ in 0..4 {
            let d = chars.next().and_then(|c| c.to_digit(16)).ok_or("a \\u escape needs four hex digits")?;
            n = n * 16 + d;
        }
        Ok(n)
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            None => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let mut code = hex4(&mut chars)?;
                if (0xD800..0xDC00).contains(&code) {
                    let (Some('\\'), Some('u')) = (chars.next(), chars.next()) else {
                        return Err("a \\u escape of a high surrogate must be followed by its low surrogate");
                    };
                    let low = hex4(&mut chars)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err("a \\u escape of a high surrogate must be followed by its low surrogate");
                    }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                }
                out.push(char::from_u32(code).ok_or("a \\u escape names a lone surrogate")?);
            }
            Some(other) => out.push(other),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn doc(text: &str) -> Value {
        json::parse(text).unwrap()
    }

    fn sel(path: &str, d: &Value) -> Option<Value> {
        JsonPath::parse(path).unwrap().select(d)
    }

    /// Repeated descents over deep data match the same nodes over and over: `$..a..a..a..a` on a
    /// chain of 900 objects took gigabytes and ended in an allocation failure (a panic in the
    /// browser, an abort natively; a QA pass). Past MAX_MATCHES matches the query stops with
    /// States.DataLimitExceeded; fewer descents still work.
    #[test]
    fn runaway_descents_stop_with_a_data_limit() {
        let mut text = String::new();
        for _ in 0..900 {
            text.push_str("{\"a\":");
        }
        text.push_str("{}");
        text.push_str(&"}".repeat(900));
        let d = doc(&text);
        let e = JsonPath::parse("$..a..a..a").unwrap().select_checked(&d).unwrap_err();
        assert_eq!(e.error, "States.DataLimitExceeded");
        assert!(e.cause.contains("matches more than 1000000 values"), "{}", e.cause);
        assert_eq!(sel("$..a..a..a..a", &d), None);
        assert_eq!(sel("$..a", &d).and_then(|v| v.as_array().map(<[Value]>::len)), Some(900));
        // Many matches that each descend far but match little are bounded too (MAX_VISITS), and
        // the error names that bound, not the matches it never reached.
        assert!(JsonPath::parse("$..a..b..c").unwrap().select_checked(&d).is_ok());
        let e = JsonPath::parse("$..a..a..b").unwrap().select_checked(&d).unwrap_err();
        assert_eq!(e.error, "States.DataLimitExceeded");
        assert!(e.cause.contains("visits more than 20000000 nodes"), "{}", e.cause);
    }

    #[test]
    fn roots() {
        assert_eq!(JsonPath::parse("$").unwrap().root(), &Root::Input);
        assert_eq!(JsonPath::parse("$.a").unwrap().root(), &Root::Input);
        assert_eq!(JsonPath::parse("$$.Execution.Id").unwrap().root(), &Root::Context);
        assert_eq!(JsonPath::parse("$$").unwrap().root(), &Root::Context);
        assert_eq!(JsonPath::parse("$myVar.x").unwrap().root(), &Root::Variable(Rc::from("myVar")));
        assert_eq!(JsonPath::parse("$_v[0]").unwrap().root(), &Root::Variable(Rc::from("_v")));
        assert_eq!(JsonPath::parse("$données").unwrap().root(), &Root::Variable(Rc::from("données")));
        assert!(JsonPath::parse("$1a").is_err());
        assert!(JsonPath::parse("$$$").is_err());
        assert!(JsonPath::parse("$-").is_err());
    }

    #[test]
    fn definite_and_reference() {
        let cases = [
            ("$", true, true),
            ("$.a.b", true, true),
            ("$['a b'][0]", true, true),
            ("$.a[-1]", true, true),
            ("$.a[*]", false, false),
            ("$..a", false, false),
            ("$.a[0,1]", false, false),
            ("$.a[0:1]", false, false),
            ("$.a[?(@.x)]", false, false),
            ("$['a','b']", true, false),
            ("$['a','b'].c", false, false),
            ("$.a.length()", true, false),
            ("$.a[*].length()", false, false),
            ("$..a.length()", true, false),
        ];
        for (text, definite, reference) in cases {
            let p = JsonPath::parse(text).unwrap();
            assert_eq!(p.is_definite(), definite, "{text} definite");
            assert_eq!(p.is_reference(), reference, "{text} reference");
        }
    }

    #[test]
    fn get_borrows_from_the_document() {
        let d = doc(r#"{"a": {"b": [10, {"c": "x"}]}}"#);
        let p = JsonPath::parse("$.a.b[1].c").unwrap();
        let got = p.get(&d).unwrap();
        assert_eq!(got.as_str(), Some("x"));
        assert!(got.ptr_eq(d.get("a").unwrap().get("b").unwrap().index(1).unwrap().get("c").unwrap()));
        assert_eq!(JsonPath::parse("$.a.b[-2]").unwrap().get(&d), Some(&Value::int(10)));
        assert_eq!(JsonPath::parse("$.a.b[2]").unwrap().get(&d), None);
        assert_eq!(JsonPath::parse("$.a.*").unwrap().get(&d), None);
    }

    #[test]
    fn select_shares_nodes() {
        let d = doc(r#"{"a": [{"k": 1}, {"k": 2}]}"#);
        let all = sel("$.a[*]", &d).unwrap();
        let first = all.index(0).unwrap();
        assert!(first.ptr_eq(d.get("a").unwrap().index(0).unwrap()));
    }

    #[test]
    fn parse_errors_have_offsets() {
        let cases = [
            ("", 0),
            ("a", 0),
            ("$.", 1),
            ("$..", 1),
            ("$.a.", 3),
            ("$...a", 1),
            ("$[", 1),
            ("$['a'", 5),
            ("$.a b", 3),
            ("$x y", 2),
            ("$[1:2", 2),
            ("$[a]", 2),
            ("$.foo()", 2),
            ("$.length().a", 10),
            ("$[?(@.a ==)]", 10),
        ];
        for (text, offset) in cases {
            let err = JsonPath::parse(text).unwrap_err();
            assert_eq!(err.offset, offset, "{text}: {}", err.message);
        }
        // A stray space at the end is not "a name with spaces" (a QA pass).
        assert_eq!(JsonPath::parse("$.x ").unwrap_err().message, "the path ends with a space: remove it");
        assert!(JsonPath::parse("$.a b").unwrap_err().message.starts_with("a name with spaces"));
    }

    #[test]
    fn deep_filter_nesting_is_an_error_not_a_crash() {
        let ok = format!("$[?({}@.a{})]", "(".repeat(60), ")".repeat(60));
        assert!(JsonPath::parse(&ok).is_ok());
        let deep = format!("$[?({}@.a{})]", "(".repeat(100_000), ")".repeat(100_000));
        let err = JsonPath::parse(&deep).unwrap_err();
        assert!(err.message.contains("levels deep"), "{}", err.message);
        let bangs = format!("$[?({}@.a)]", "!".repeat(100_000));
        assert!(JsonPath::parse(&bangs).is_err());
        let nested_filters = format!("$.a{}", "[?(@.b".repeat(1000) + &")]".repeat(1000));
        assert!(JsonPath::parse(&nested_filters).is_err());
        let literal = format!("$[?(@.a == {}1{})]", "[".repeat(1000), "]".repeat(1000));
        assert!(JsonPath::parse(&literal).is_err());
        let long_chain = format!("$[?({}@.a)]", "@.a || ".repeat(50_000));
        assert!(JsonPath::parse(&long_chain).is_ok());
    }

    /// The deepest nesting the parser accepts, parsed and evaluated on a 1 MiB stack (the size of
    /// a wasm stack) in a debug build: the nesting limit is what keeps recursion in bounds.
    #[test]
    fn worst_case_nesting_fits_a_small_stack() {
        let run = || {
            // Each nested filter costs two levels (the filter and the `@` path inside it).
            let mut levels = 0;
            let mut text = String::from("$");
            loop {
                let candidate = format!("$.b[?(@.b{})]", &text[1..]);
                if JsonPath::parse(&candidate).is_err() {
                    break;
                }
                text = candidate;
                levels += 1;
            }
            assert!(levels >= 30, "{levels}");
            let mut d = Value::Null;
            for _ in 0..=levels {
                d = Value::object_from([("b", Value::array(vec![Value::object_from([("b", d)])]))]);
            }
            let p = JsonPath::parse(&text).unwrap();
            assert!(p.select(&d).is_some());
            // Parentheses and negations up to the limit, around a comparison with functions.
            let parens = format!("$[?({}!@.a.length() > $.n.sum(1){})]", "(".repeat(60), ")".repeat(60));
            let p = JsonPath::parse(&parens).unwrap();
            assert!(p.select(&doc(r#"{"n": [1], "x": {"a": [1]}}"#)).is_some());
        };
        std::thread::Builder::new().stack_size(1 << 20).spawn(run).unwrap().join().unwrap();
    }

    #[test]
    fn long_paths_do_not_recurse() {
        let text = format!("${}", ".a".repeat(100_000));
        let p = JsonPath::parse(&text).unwrap();
        assert_eq!(p.select(&doc("{}")), None);
        let err = p.set(doc("{}"), Value::int(1)).unwrap_err();
        assert!(err.contains("deeper than"), "{err}");
    }

    #[test]
    fn descent_over_the_deepest_documents() {
        let mut v = Value::int(7);
        for _ in 0..(MAX_DEPTH - 1) {
            v = Value::object_from([("a", v)]);
        }
        let found = sel("$..a", &v).unwrap();
        assert_eq!(found.as_array().map(<[Value]>::len), Some(MAX_DEPTH as usize - 1));
        let all = sel("$..*", &v).unwrap();
        assert_eq!(all.as_array().map(<[Value]>::len), Some(MAX_DEPTH as usize - 1));
        assert_eq!(sel("$..a.length()", &v), Some(Value::int(MAX_DEPTH as i64 - 2)));
    }

    #[test]
    fn aggregates_are_doubles() {
        let d = doc(r#"{"n": [1, 2, 3]}"#);
        assert_eq!(sel("$.n.sum()", &d).unwrap().to_json(), "6.0");
        assert_eq!(sel("$.n.max()", &d).unwrap().to_json(), "3.0");
        assert_eq!(sel("$.n.length()", &d).unwrap().to_json(), "3");
    }

    #[test]
    fn regexes_match_the_whole_text() {
        let d = doc(r#"["abc", "xabcx", "ABC", 12, true, null]"#);
        assert_eq!(sel("$[?(@ =~ /abc/)]", &d).unwrap().to_json(), r#"["abc"]"#);
        assert_eq!(sel("$[?(@ =~ /abc/i)]", &d).unwrap().to_json(), r#"["abc","ABC"]"#);
        assert_eq!(sel("$[?(@ =~ /\\d+/)]", &d).unwrap().to_json(), "[12]");
        assert_eq!(sel("$[?(@ =~ /a\\/b|true/)]", &d).unwrap().to_json(), "[true]");
        assert!(JsonPath::parse("$[?(@ =~ /a)|(b/)]").is_err());
        assert!(JsonPath::parse("$[?(@ =~ /(?<=a)b/)]").is_err());
        let x = doc(r#"["ab"]"#);
        assert_eq!(sel("$[?(@ =~ /a b # comment/x)]", &x).unwrap().to_json(), r#"["ab"]"#);
    }

    #[test]
    fn slices_follow_jayway() {
        let items: Vec<usize> = slice_indices(5, Some(-10), Some(2)).collect();
        assert_eq!(items, [0, 1, 2, 3, 4, 0, 1]);
        assert_eq!(slice_indices(5, Some(1), Some(-1)).count(), 0);
        assert_eq!(slice_indices(5, Some(-3), Some(-1)).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(slice_indices(5, Some(i64::from(i32::MIN)), Some(i64::from(i32::MAX))).count(), 10);
        assert_eq!(slice_indices(0, Some(-1), None).count(), 0);
        assert_eq!(slice_indices(3, None, Some(-1)).collect::<Vec<_>>(), [0, 1]);
    }

    #[test]
    fn set_replaces_in_place_and_appends() {
        let d = doc(r#"{"a": 1, "b": {"x": 1}, "c": 3}"#);
        let p = JsonPath::parse("$.b").unwrap();
        let out = p.set(d.clone(), Value::int(2)).unwrap();
        assert_eq!(out.to_json(), r#"{"a":1,"b":2,"c":3}"#);
        assert_eq!(out.json_len(), out.to_json().len());
        // The original document is untouched: only the path was copied.
        assert_eq!(d.to_json(), r#"{"a":1,"b":{"x":1},"c":3}"#);
        let out = JsonPath::parse("$.z.y").unwrap().set(d, Value::Null).unwrap();
        assert_eq!(out.to_json(), r#"{"a":1,"b":{"x":1},"c":3,"z":{"y":null}}"#);
        assert_eq!(out.depth(), 2);
    }

    #[test]
    fn set_errors_name_the_failing_step() {
        let d = doc(r#"{"a": {"list": [1, 2], "n": 5}}"#);
        let err = JsonPath::parse("$.a.n.x").unwrap().set(d.clone(), Value::Null).unwrap_err();
        assert_eq!(
            err,
            r#"Unable to apply ResultPath "$.a.n.x" to the input: "$.a.n" is a number, not an object"#
        );
        let err = JsonPath::parse("$.a.list[2]").unwrap().set(d.clone(), Value::Null).unwrap_err();
        assert!(err.ends_with(r#""$.a.list" has no index 2 (its length is 2)"#), "{err}");
        let err = JsonPath::parse("$.a['my key'][0]").unwrap().set(d.clone(), Value::Null).unwrap_err();
        // A member that is not there is not "an object" (the one made up to write a name into):
        // an index cannot create it (a QA pass: the message said it was an object).
        assert!(
            err.ends_with(r#""$.a['my key']" does not exist, and an index cannot create it (a name can)"#),
            "{err}"
        );
        let err = JsonPath::parse("$.a[0]").unwrap().set(d.clone(), Value::Null).unwrap_err();
        assert!(err.ends_with(r#""$.a" is an object, not an array"#), "{err}");
        let err = JsonPath::parse("$.x.y[0]").unwrap().set(d.clone(), Value::Null).unwrap_err();
        assert!(
            err.ends_with(r#""$.x.y" does not exist, and an index cannot create it (a name can)"#),
            "{err}"
        );
        assert!(JsonPath::parse("$.a[*]").unwrap().set(d, Value::Null).is_err());
    }

    #[test]
    fn unescaping() {
        assert_eq!(unescape(r"a\'b\n\u00e9\\").unwrap(), "a'b\né\\");
        assert_eq!(unescape(r"\ud83d\ude00").unwrap(), "😀");
        assert!(unescape(r"\ud83d").is_err());
        assert!(unescape(r"\u12").is_err());
        assert_eq!(unescape(r"\q").unwrap(), "q");
    }

    #[test]
    fn decimals_read_like_bigdecimal() {
        assert_eq!(parse_decimal("1"), Some(Number::Int(1)));
        assert!(parse_decimal("1.50").is_some_and(|n| n == Number::Float(1.5)));
        assert!(parse_decimal("+2e2").is_some_and(|n| n == Number::Int(200)));
        assert!(parse_decimal(".5").is_some());
        for bad in ["", ".", "1e", "abc", " 1", "1 ", "NaN", "Infinity", "0x10"] {
            assert_eq!(parse_decimal(bad), None, "{bad}");
        }
    }

    #[test]
    fn no_panics_on_odd_input() {
        let inputs = [
            "$[",
            "$[?",
            "$[?(",
            "$[?(@",
            "$[?(@.a",
            "$[?(@.a ==",
            "$[?(@.a == 'x",
            "$[?(@.a =~ /x",
            "$['\\",
            "$[\"\\u12",
            "$.a(",
            "$.length(",
            "$.length($",
            "$.length(@.",
            "$[?(@.a in [1,",
            "$[?(@.a in {'a'",
            "$[-]",
            "$[:]",
            "$[1:2:3:4]",
            "$[--1]",
            "$[99999999999]",
            "$[?(!)]",
            "$[?(@.a && )]",
            "$[?(())]",
            "$.é.ü",
            "$['é']",
            "$[?(@.é == 'ü')]",
            "$\u{0}",
            "$[?(@ == -)]",
            "$[?(@ == 1e)]",
            "$[?(@ == tru)]",
        ];
        let d = doc(r#"{"a": [1, {"b": null}], "é": {"ü": 1}}"#);
        for text in inputs {
            if let Ok(p) = JsonPath::parse(text) {
                let _ = p.select(&d);
            }
        }
    }
}
