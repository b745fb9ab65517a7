//! JSONata 2.0.6 expressions, as Step Functions runs them in `{% %}` strings.
//!
//! A port of jsonata-js 2.0.6 (parser, evaluator and function library) over the library's
//! [`Value`], plus Step Functions' own functions (`$partition`, `$range`, `$hash`, `$random`
//! with a seed, `$uuid`, `$parse`) and its restrictions (`$eval` is unbound, so calling it is
//! T1006; `?:` and `??` are JSONata 2.1 and do not parse). Effects are injected through
//! [`EvalEnv`]: the clock `$now()`/`$millis()` read, the random number generator `$random()`,
//! `$shuffle()` and `$uuid()` draw from, and the [`Limits`] that stand in for AWS's evaluation
//! bounds.
//!
//! ```
//! use statelab::jsonata::{EvalEnv, Expr, NoBindings};
//! use statelab::{json, rng::Rng};
//!
//! let expr = Expr::parse("$sum(items.price) * 2").unwrap();
//! let mut env = EvalEnv::new(Rng::new(0), 0);
//! let out = expr.evaluate(&json!({"items": [{"price": 1}, {"price": 2.5}]}), &NoBindings, &mut env);
//! assert_eq!(out.unwrap(), Some(json!(7)));
//! ```

mod analysis;
mod ast;
mod datetime;
mod error;
mod eval;
mod functions;
mod lexer;
mod number;
mod parser;
mod regex;
mod signature;
mod stepfunctions;
mod stringify;
mod transform;
mod value;

use std::collections::BTreeSet;
use std::rc::Rc;

pub use analysis::InputReference;

pub use error::{ErrorDetails, ErrorKind, JsonataError};
/// The names of JSONata's built-in functions, without the `$`.
pub(crate) use functions::builtin_names as builtin_function_names;

use crate::rng::Rng;
use crate::value::{Map, Number, Value};
use value::{Frame, JArray, JValue};

/// Resolves `$name` variables the expression does not bind itself. Step Functions passes
/// `$states` and the workflow variables this way. A name it does not know is undefined (or a
/// built-in function, if one has that name).
pub trait Bindings {
    /// The variable's value, if there is one.
    fn get(&self, name: &str) -> Option<Value>;
}

/// No bindings.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoBindings;

impl Bindings for NoBindings {
    fn get(&self, _name: &str) -> Option<Value> {
        None
    }
}

impl Bindings for Map {
    fn get(&self, name: &str) -> Option<Value> {
        Map::get(self, name).cloned()
    }
}

impl<F: Fn(&str) -> Option<Value>> Bindings for F {
    fn get(&self, name: &str) -> Option<Value> {
        self(name)
    }
}

/// Where the stack is now: the address of a local. Recursion depth limits keep evaluation
/// within AWS's bounds; this keeps it within the thread's stack whatever the frame sizes are
/// (a debug build's frames are many times a release build's).
pub(crate) fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

thread_local! {
    /// The running evaluation's stack base and budget, for the recursive walks over values
    /// (equality, `$string`, copies) that run inside it without access to the evaluator.
    static STACK_GUARD: std::cell::Cell<Option<(usize, usize)>> = const { std::cell::Cell::new(None) };
}

/// `true` when the running evaluation has used up its stack budget.
pub(crate) fn stack_exhausted() -> bool {
    STACK_GUARD.with(|g| g.get().is_some_and(|(base, budget)| stack_position().abs_diff(base) > budget))
}

/// Installs a stack guard until dropped (restoring the one before).
pub(crate) struct StackGuard(Option<(usize, usize)>);

impl StackGuard {
    pub(crate) fn install(budget: usize) -> StackGuard {
        let previous = STACK_GUARD.with(|g| g.replace(Some((stack_position(), budget))));
        StackGuard(previous)
    }
}

impl Drop for StackGuard {
    fn drop(&mut self) {
        STACK_GUARD.with(|g| g.set(self.0));
    }
}

/// Evaluation bounds. The defaults reproduce what AWS was measured to refuse.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The deepest nesting of evaluation (jsonata-js `evaluate` calls): AWS evaluates a
    /// 100-term `1+1+…` and fails a 101-term one, so 100.
    pub max_depth: u32,
    /// Evaluation steps before the expression is stopped as a runaway (AWS bounds evaluation
    /// time instead; this makes the bound deterministic).
    pub max_steps: u64,
    /// The longest sequence or array an evaluation may build: AWS counts a number as 8 bytes
    /// against a 6,990,256-byte bound, accepting `[1..873782]` and refusing `[1..873783]`.
    pub max_sequence: usize,
    /// The longest string (in bytes) an evaluation may build, against the same bound
    /// (a string doubled 22 times evaluates on AWS; 23 times does not).
    pub max_string_bytes: usize,
    /// The most elements `$range` builds: AWS accepts `$range(1, 360145, 1)` and refuses one more.
    pub max_range: usize,
    /// The most stack evaluation may use, in bytes, before it stops with the depth error: a
    /// guard under the depth limit, for threads with small stacks (a browser's 1 MiB). Only a
    /// debug build comes near it within the depth limit.
    pub max_stack_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 100,
            max_steps: 5_000_000,
            max_sequence: 873_782,
            max_string_bytes: 6_990_256,
            max_range: 360_145,
            max_stack_bytes: 640 * 1024,
        }
    }
}

/// What an evaluation draws on from outside: randomness, the time, and its limits.
#[derive(Clone, Debug)]
pub struct EvalEnv {
    /// The generator behind `$random()`, `$shuffle()` and `$uuid()` (`java.util.Random`).
    pub rng: Rng,
    /// What `$now()` and `$millis()` return, in epoch milliseconds (fixed for one evaluation,
    /// as jsonata-js fixes it).
    pub now_millis: i64,
    /// Evaluation bounds.
    pub limits: Limits,
}

impl EvalEnv {
    /// An environment with the default (AWS) limits.
    pub fn new(rng: Rng, now_millis: i64) -> EvalEnv {
        EvalEnv { rng, now_millis, limits: Limits::default() }
    }
}

/// How deep an expression may nest and still be read (its syntax tree's depth).
pub const MAX_NESTING: u32 = parser::MAX_TREE_DEPTH;

/// A parsed JSONata expression.
#[derive(Clone, Debug)]
pub struct Expr {
    /// The expression text, without the `{% %}` delimiters.
    pub text: String,
    /// The syntax tree, or the limit error its nesting gives (AWS fails such an expression when
    /// it is evaluated, not when the definition is created).
    root: Result<Rc<ast::Node>, JsonataError>,
}

impl Expr {
    /// Parses an expression (the text between `{%` and `%}`). Syntax errors carry jsonata-js's
    /// code (`S0201`, ...), message and character position.
    pub fn parse(text: &str) -> Result<Expr, JsonataError> {
        match parser::parse(text) {
            Ok(node) => Ok(Expr { text: text.to_string(), root: Ok(Rc::new(node)) }),
            Err(e) if e.is_limit() => Ok(Expr { text: text.to_string(), root: Err(e.render()) }),
            Err(e) => Err(e.render()),
        }
    }

    /// The expression text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `true` when the expression nests past what Statelab parses: it was not checked, and fails
    /// with `U1001` when evaluated.
    pub fn too_deep(&self) -> bool {
        self.root.is_err()
    }

    /// Evaluates against `input`. `Ok(None)` is JSONata's *undefined* (distinct from `null`).
    /// A function as the result is an error of kind [`ErrorKind::UnsupportedResult`].
    pub fn evaluate(
        &self,
        input: &Value,
        bindings: &dyn Bindings,
        env: &mut EvalEnv,
    ) -> Result<Option<Value>, JsonataError> {
        self.evaluate_input(Some(input), bindings, env)
    }

    /// Evaluates with an optional input (`None`: the input is undefined).
    pub fn evaluate_input(
        &self,
        input: Option<&Value>,
        bindings: &dyn Bindings,
        env: &mut EvalEnv,
    ) -> Result<Option<Value>, JsonataError> {
        let root = self.root.as_ref().map_err(Clone::clone)?;
        let frame = Rc::new(Frame::default());
        let input = input.map(JValue::from_value);
        // `$$` is the input document.
        frame.bind(&Rc::from("$"), input.clone());
        // An array input is wrapped in a one-item sequence, so that it is one context value.
        let input = match input {
            Some(v @ JValue::Json(Value::Array(_))) => Some(JValue::Array(Rc::new(JArray {
                items: vec![v],
                sequence: true,
                outer_wrapper: true,
                ..JArray::default()
            }))),
            other => other,
        };
        let _guard = StackGuard::install(env.limits.max_stack_bytes);
        let result = {
            let mut ev = eval::Eval::new(bindings, env);
            ev.eval(root, input.as_ref(), &frame).map_err(JsonataError::render)?
        };
        let out = match result {
            None => None,
            Some(v) => Some(to_value(&v, 0).map_err(JsonataError::render)?),
        };
        Ok(out)
    }

    /// `true` if the expression reads the evaluation's input at its top level (a bare field
    /// such as `phone`, `$`, `$$`, `*`): Step Functions refuses these, since every expression
    /// must start from `$states`, a variable, or a literal.
    pub fn references_input(&self) -> bool {
        !self.input_references().is_empty()
    }

    /// The top-level references to the input, with their positions.
    pub fn input_references(&self) -> Vec<InputReference> {
        match &self.root {
            Ok(root) => analysis::input_references(root),
            Err(_) => Vec::new(),
        }
    }

    /// The built-in functions the expression calls by name (`$count(...)` calls `count`).
    pub fn called_builtins(&self) -> BTreeSet<String> {
        match &self.root {
            Ok(root) => analysis::called_builtins(root),
            Err(_) => BTreeSet::new(),
        }
    }

    /// The names among `names` that the expression calls as functions. Among its
    /// [`Expr::variables`] (no built-in, not bound by it), these are calls of something that is
    /// no function (`$sumx(...)`: workflow variables hold JSON), which fail (T1006).
    pub fn called_among(&self, names: &BTreeSet<String>) -> BTreeSet<String> {
        match &self.root {
            Ok(root) => analysis::called_among(root, names),
            Err(_) => BTreeSet::new(),
        }
    }

    /// The fields of `$states` the expression names (`$states.result.Payload` names `result`):
    /// Step Functions offers `result` and `errorOutput` only in some fields.
    pub fn states_fields(&self) -> BTreeSet<String> {
        match &self.root {
            Ok(root) => analysis::states_fields(root),
            Err(_) => BTreeSet::new(),
        }
    }

    /// The `$variables` the expression reads and does not bind itself (including `$states`;
    /// built-in function names excluded).
    pub fn variables(&self) -> BTreeSet<String> {
        match &self.root {
            Ok(root) => analysis::free_variables(root),
            Err(_) => BTreeSet::new(),
        }
    }
}

/// A number as JSON holds it: integral values as integers (as `JSON.stringify` prints them).
fn number_value(n: Number) -> Value {
    match n {
        Number::Int(i) => Value::int(i),
        Number::Float(f) => {
            // Step Functions writes a non-finite number as the name JavaScript gives it.
            if f.is_nan() {
                return Value::string("NaN");
            }
            if f.is_infinite() {
                return Value::string(if f > 0.0 { "Infinity" } else { "-Infinity" });
            }
            js_integer(f).map_or(Value::Number(Number::Float(f)), Value::int)
        }
    }
}

/// An integral double as the integer JavaScript writes for it, when that fits in `i64`: exact
/// below 2^53; beyond, the shortest digits that read back as the same double, padded with
/// zeros (2^60 is written 1152921504606847000, not 1152921504606846976), so that the JSON text
/// is what jsonata-js gives and reads back as the same double. Larger ones stay doubles.
fn js_integer(f: f64) -> Option<i64> {
    if f.fract() != 0.0 {
        return None;
    }
    crate::value::safe_integer(f).or_else(|| stringify::js_number(f).parse().ok())
}

/// Input numbers normalised the same way (`1.0` in the input is `1` out); `None` if unchanged.
fn normalize(v: &Value, level: usize) -> Result<Option<Value>, JsonataError> {
    if stringify::too_deep(level) {
        return Err(JsonataError::depth());
    }
    match v {
        Value::Number(Number::Float(f)) => Ok(js_integer(*f).map(Value::int)),
        Value::Array(_) => {
            let items = v.as_array().unwrap_or(&[]);
            let mut changed: Option<Vec<Value>> = None;
            for (i, item) in items.iter().enumerate() {
                if let Some(n) = normalize(item, level + 1)? {
                    let c = changed.get_or_insert_with(|| items.to_vec());
                    if let Some(slot) = c.get_mut(i) {
                        *slot = n;
                    }
                }
            }
            Ok(changed.map(Value::array))
        }
        Value::Object(_) => {
            let Some(map) = v.as_object() else { return Ok(None) };
            let mut changed: Option<Map> = None;
            for (k, item) in map {
                if let Some(n) = normalize(item, level + 1)? {
                    changed.get_or_insert_with(|| map.clone()).insert(k.clone(), n);
                }
            }
            Ok(changed.map(Value::object))
        }
        _ => Ok(None),
    }
}

/// Converts an evaluation result to JSON.
fn to_value(v: &JValue, level: usize) -> Result<Value, JsonataError> {
    if stringify::too_deep(level) {
        return Err(JsonataError::depth());
    }
    Ok(match v {
        JValue::Null => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => number_value(*n),
        JValue::String(s) => Value::String(s.clone()),
        JValue::Json(j) => normalize(j, level)?.unwrap_or_else(|| j.clone()),
        JValue::Func(_) => return Err(JsonataError::unsupported_result()),
        JValue::Array(_) | JValue::Tuples(_) => {
            let items = v.array_items().unwrap_or_default();
            let mut out = Vec::with_capacity(items.len());
            for item in &items {
                out.push(to_value(item, level + 1)?);
            }
            Value::array(out)
        }
        JValue::Object(o) => {
            let mut map = Map::default();
            for (k, item) in &o.map {
                map.insert(k.clone(), to_value(item, level + 1)?);
            }
            Value::object(map)
        }
    })
}

#[cfg(test)]
mod tests;
