//! The evaluator's values: JSON, sequences, functions and tuple streams.
//!
//! Input documents stay [`Value`]s ([`JValue::Json`]) and are unwrapped one level at a time as
//! the evaluator walks into them, so reading `$states.input.a` never copies the input. Arrays and
//! objects the expression builds are [`JArray`]/[`JObject`], which can hold functions and carry
//! jsonata-js's array flags (sequence, keep-singleton, constructed). Deep structures are dropped
//! iteratively (see [`dispose`]): a recursion that nests closures or arrays a million deep must not
//! overflow the stack when it is freed.

use std::cell::RefCell;
use std::rc::Rc;

use indexmap::IndexMap;

use super::ast::{LambdaDef, TransformDef};
use super::regex::JsRegex;
use super::signature::Signature;
use crate::value::{Number, Value};

/// An object built by the evaluator.
pub(crate) type JMap = IndexMap<Rc<str>, JValue, foldhash::fast::FixedState>;

/// A JSONata value. `Option<JValue>` is used where JSONata has *undefined*.
#[derive(Clone, Debug)]
pub(crate) enum JValue {
    Null,
    Bool(bool),
    /// A number; `Float` may hold NaN or an infinity, which JSONata carries until something
    /// checks it.
    Number(Number),
    String(Rc<str>),
    /// An array or object from the input or a binding (never a scalar).
    Json(Value),
    /// An array the evaluator built.
    Array(Rc<JArray>),
    /// An object the evaluator built.
    Object(Rc<JObject>),
    /// A function.
    Func(Rc<Func>),
    /// A tuple stream (the evaluator's internal form for paths with `@`, `#` and `%`).
    Tuples(Rc<Vec<Tuple>>),
}

/// An array the evaluator built, with jsonata-js's flags.
#[derive(Clone, Debug, Default)]
pub(crate) struct JArray {
    pub items: Vec<JValue>,
    /// A sequence: singleton sequences collapse to their item, empty ones to undefined.
    pub sequence: bool,
    /// Keep a singleton sequence as an array (`[]` on a step).
    pub keep_singleton: bool,
    /// Built by an array constructor: never flattened into an enclosing path result.
    pub cons: bool,
    /// The input document itself, when it is an array (`$` unwraps it).
    pub outer_wrapper: bool,
}

/// An object the evaluator built.
#[derive(Clone, Debug, Default)]
pub(crate) struct JObject {
    pub map: JMap,
}

/// Variables bound along a path (`@$x`, `#$i`, parent labels).
pub(crate) type Binds = Vec<(Rc<str>, Option<JValue>)>;

/// One tuple of a tuple stream: the context (`@`) and the variables bound along the path.
#[derive(Clone, Debug)]
pub(crate) struct Tuple {
    pub ctx: Option<JValue>,
    pub binds: Binds,
}

impl Tuple {
    pub(crate) fn set(&mut self, name: &Rc<str>, value: Option<JValue>) {
        if let Some(slot) = self.binds.iter_mut().find(|(n, _)| n == name) {
            slot.1 = value;
        } else {
            self.binds.push((name.clone(), value));
        }
    }
}

/// A function value.
#[derive(Debug)]
pub(crate) enum Func {
    /// A built-in (`$sum`, `$partition`, ...).
    Builtin(super::functions::Builtin),
    /// `function($x){...}`, or one partially applied.
    Lambda(Lambda),
    /// A built-in (or other native function) partially applied: `$substring(?, 0, 2)`.
    Partial { target: Rc<Func>, args: Vec<Option<Option<JValue>>> },
    /// A regular expression literal, which is a matcher function.
    Regex(Rc<JsRegex>),
    /// The `next` function of a regular expression match.
    RegexNext { regex: Rc<JsRegex>, haystack: Rc<str>, from: usize },
    /// `| pattern | update, delete |`.
    Transform { def: Rc<TransformDef>, env: Rc<Frame> },
    /// `f ~> g` for two functions: `function($x){ g(f($x)) }`.
    Chain(Rc<Func>, Rc<Func>),
    /// A function handed to a call as an argument (`$f(function($x){...})`, `$boolean($sum)`):
    /// jsonata-js wraps it in a plain JavaScript function, which calls the one inside and is
    /// false in a truth test, where a lambda, built-in or partial application is true. Never
    /// wrapped twice.
    Plain(Rc<Func>),
}

impl Func {
    /// The function a [`Func::Plain`] wraps, or this one.
    pub(crate) fn unwrapped(&self) -> &Func {
        match self {
            Func::Plain(f) => f,
            f => f,
        }
    }
}

/// A closure.
#[derive(Debug)]
pub(crate) struct Lambda {
    pub def: Rc<LambdaDef>,
    /// Parameter names (fewer than the definition's after partial application).
    pub params: Rc<[Rc<str>]>,
    /// The signature to check arguments against (dropped by partial application).
    pub signature: Option<Rc<Signature>>,
    /// The context the function was defined in.
    pub input: Option<JValue>,
    pub env: Rc<Frame>,
}

/// A variable scope.
#[derive(Debug, Default)]
pub(crate) struct Frame {
    pub vars: RefCell<Vec<(Rc<str>, Option<JValue>)>>,
    pub parent: Option<Rc<Frame>>,
}

impl Frame {
    pub(crate) fn child(parent: &Rc<Frame>) -> Rc<Frame> {
        Rc::new(Frame { vars: RefCell::new(Vec::new()), parent: Some(parent.clone()) })
    }

    /// Binds a name in this frame (replacing an earlier binding of the same name).
    pub(crate) fn bind(&self, name: &Rc<str>, value: Option<JValue>) {
        let old = {
            let mut vars = self.vars.borrow_mut();
            match vars.iter_mut().find(|(n, _)| n == name) {
                Some(slot) => std::mem::replace(&mut slot.1, value),
                None => {
                    vars.push((name.clone(), value));
                    None
                }
            }
        };
        // Dropped after the borrow ends: freeing a closure may free frames.
        drop(old);
    }

    /// Looks a name up through the enclosing frames: `Some(binding)` if any frame binds it.
    pub(crate) fn lookup(&self, name: &str) -> Option<Option<JValue>> {
        let mut frame = self;
        loop {
            if let Some((_, v)) = frame.vars.borrow().iter().find(|(n, _)| &**n == name) {
                return Some(v.clone());
            }
            match &frame.parent {
                Some(p) => frame = p,
                None => return None,
            }
        }
    }
}

impl JValue {
    pub(crate) fn num(f: f64) -> JValue {
        JValue::Number(Number::Float(f))
    }

    pub(crate) fn str(s: impl Into<Rc<str>>) -> JValue {
        JValue::String(s.into())
    }

    /// A value from a JSON value (containers stay shared).
    pub(crate) fn from_value(v: &Value) -> JValue {
        match v {
            Value::Null => JValue::Null,
            Value::Bool(b) => JValue::Bool(*b),
            Value::Number(n) => JValue::Number(*n),
            Value::String(s) => JValue::String(s.clone()),
            Value::Array(_) | Value::Object(_) => JValue::Json(v.clone()),
        }
    }

    /// A sequence.
    pub(crate) fn seq(items: Vec<JValue>) -> JValue {
        JValue::Array(Rc::new(JArray { items, sequence: true, ..JArray::default() }))
    }

    /// A plain (non-sequence) array.
    pub(crate) fn array(items: Vec<JValue>) -> JValue {
        JValue::Array(Rc::new(JArray { items, ..JArray::default() }))
    }

    pub(crate) fn object(map: JMap) -> JValue {
        JValue::Object(Rc::new(JObject { map }))
    }

    pub(crate) fn func(f: Func) -> JValue {
        JValue::Func(Rc::new(f))
    }

    pub(crate) fn is_array(&self) -> bool {
        matches!(self, JValue::Array(_) | JValue::Tuples(_)) || matches!(self, JValue::Json(Value::Array(_)))
    }

    pub(crate) fn is_object(&self) -> bool {
        matches!(self, JValue::Object(_)) || matches!(self, JValue::Json(Value::Object(_)))
    }

    pub(crate) fn is_sequence(&self) -> bool {
        match self {
            JValue::Array(a) => a.sequence,
            JValue::Tuples(_) => true,
            _ => false,
        }
    }

    pub(crate) fn is_cons(&self) -> bool {
        matches!(self, JValue::Array(a) if a.cons)
    }

    pub(crate) fn is_func(&self) -> bool {
        matches!(self, JValue::Func(_))
    }

    pub(crate) fn as_func(&self) -> Option<&Rc<Func>> {
        match self {
            JValue::Func(f) => Some(f),
            _ => None,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&Rc<str>> {
        match self {
            JValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            JValue::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }

    /// The number of items, if this is an array.
    pub(crate) fn array_len(&self) -> Option<usize> {
        match self {
            JValue::Array(a) => Some(a.items.len()),
            JValue::Json(v) => v.as_array().map(<[Value]>::len),
            JValue::Tuples(t) => Some(t.len()),
            _ => None,
        }
    }

    /// The items of an array (wrapping JSON items), or `None` if this is not an array.
    pub(crate) fn array_items(&self) -> Option<Vec<JValue>> {
        match self {
            JValue::Array(a) => Some(a.items.clone()),
            JValue::Json(v) => v.as_array().map(|items| items.iter().map(JValue::from_value).collect()),
            JValue::Tuples(t) => Some(t.iter().filter_map(|t| t.ctx.clone()).collect()),
            _ => None,
        }
    }

    /// Item `i` of an array.
    pub(crate) fn array_get(&self, i: usize) -> Option<JValue> {
        match self {
            JValue::Array(a) => a.items.get(i).cloned(),
            JValue::Json(v) => v.index(i).map(JValue::from_value),
            JValue::Tuples(t) => t.get(i).and_then(|t| t.ctx.clone()),
            _ => None,
        }
    }

    /// The entries of an object, in order.
    pub(crate) fn object_entries(&self) -> Option<Vec<(Rc<str>, JValue)>> {
        match self {
            JValue::Object(o) => Some(o.map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            JValue::Json(v) => {
                v.as_object().map(|m| m.iter().map(|(k, v)| (k.clone(), JValue::from_value(v))).collect())
            }
            _ => None,
        }
    }

    /// The keys of an object, in order.
    pub(crate) fn object_keys(&self) -> Option<Vec<Rc<str>>> {
        match self {
            JValue::Object(o) => Some(o.map.keys().cloned().collect()),
            JValue::Json(v) => v.as_object().map(|m| m.keys().cloned().collect()),
            _ => None,
        }
    }

    /// A member of an object.
    pub(crate) fn object_get(&self, key: &str) -> Option<JValue> {
        match self {
            JValue::Object(o) => o.map.get(key).cloned(),
            JValue::Json(v) => v.get(key).map(JValue::from_value),
            _ => None,
        }
    }

    /// A stable identity for arrays, objects and functions (for `in` and transforms).
    pub(crate) fn identity(&self) -> Option<usize> {
        match self {
            JValue::Json(Value::Array(a)) => Some(Rc::as_ptr(a) as *const u8 as usize),
            JValue::Json(Value::Object(o)) => Some(Rc::as_ptr(o) as *const u8 as usize),
            JValue::Array(a) => Some(Rc::as_ptr(a) as *const u8 as usize),
            JValue::Object(o) => Some(Rc::as_ptr(o) as *const u8 as usize),
            JValue::Func(f) => Some(Rc::as_ptr(f) as *const u8 as usize),
            _ => None,
        }
    }

    /// The one-letter type symbol function signatures match on.
    pub(crate) fn symbol(v: Option<&JValue>) -> char {
        match v {
            None => 'm',
            Some(JValue::Func(_)) => 'f',
            Some(JValue::String(_)) => 's',
            Some(JValue::Number(_)) => 'n',
            Some(JValue::Bool(_)) => 'b',
            Some(JValue::Null) => 'l',
            Some(v) if v.is_array() => 'a',
            Some(_) => 'o',
        }
    }
}

/// `true` if the value is a finite number; an infinite one is error D1001 (jsonata-js
/// `isNumeric`). NaN is not a number here.
pub(crate) fn is_numeric(v: Option<&JValue>) -> Result<bool, super::error::JsonataError> {
    match v {
        Some(JValue::Number(n)) => {
            let f = n.as_f64();
            if f.is_nan() {
                Ok(false)
            } else if f.is_infinite() {
                Err(super::error::JsonataError::new("D1001").value_json("null"))
            } else {
                Ok(true)
            }
        }
        _ => Ok(false),
    }
}

/// Frees values without recursing through them: uniquely owned arrays, objects, closures and
/// frames are opened and their contents queued, so freeing a structure nested a million deep
/// takes a loop, not a million stack frames.
pub(crate) fn dispose(mut values: Vec<JValue>, mut frames: Vec<Rc<Frame>>) {
    loop {
        if let Some(v) = values.pop() {
            match v {
                JValue::Array(rc) => {
                    if let Ok(mut a) = Rc::try_unwrap(rc) {
                        values.append(&mut a.items);
                    }
                }
                JValue::Object(rc) => {
                    if let Ok(mut o) = Rc::try_unwrap(rc) {
                        values.extend(std::mem::take(&mut o.map).into_values());
                    }
                }
                JValue::Tuples(rc) => {
                    if let Ok(tuples) = Rc::try_unwrap(rc) {
                        for t in tuples {
                            values.extend(t.ctx);
                            values.extend(t.binds.into_iter().filter_map(|(_, v)| v));
                        }
                    }
                }
                JValue::Func(rc) => {
                    if let Ok(f) = Rc::try_unwrap(rc) {
                        match f {
                            Func::Lambda(l) => {
                                values.extend(l.input);
                                frames.push(l.env);
                            }
                            Func::Partial { target, args } => {
                                values.push(JValue::Func(target));
                                values.extend(args.into_iter().flatten().flatten());
                            }
                            Func::Transform { env, .. } => frames.push(env),
                            Func::Chain(a, b) => {
                                values.push(JValue::Func(a));
                                values.push(JValue::Func(b));
                            }
                            Func::Plain(f) => values.push(JValue::Func(f)),
                            Func::Builtin(_) | Func::Regex(_) | Func::RegexNext { .. } => {}
                        }
                    }
                }
                _ => {}
            }
            continue;
        }
        if let Some(f) = frames.pop() {
            if let Ok(mut frame) = Rc::try_unwrap(f) {
                values.extend(std::mem::take(frame.vars.get_mut()).into_iter().filter_map(|(_, v)| v));
                frames.extend(frame.parent.take());
            }
            continue;
        }
        break;
    }
}

impl Drop for JArray {
    fn drop(&mut self) {
        if self
            .items
            .iter()
            .any(|v| matches!(v, JValue::Array(_) | JValue::Object(_) | JValue::Func(_) | JValue::Tuples(_)))
        {
            dispose(std::mem::take(&mut self.items), Vec::new());
        }
    }
}

impl Drop for JObject {
    fn drop(&mut self) {
        if self
            .map
            .values()
            .any(|v| matches!(v, JValue::Array(_) | JValue::Object(_) | JValue::Func(_) | JValue::Tuples(_)))
        {
            dispose(std::mem::take(&mut self.map).into_values().collect(), Vec::new());
        }
    }
}

impl Drop for Frame {
    fn drop(&mut self) {
        let vars = std::mem::take(self.vars.get_mut());
        let parent = self.parent.take();
        if vars.is_empty() && parent.is_none() {
            return;
        }
        dispose(vars.into_iter().filter_map(|(_, v)| v).collect(), parent.into_iter().collect());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of a million nested arrays and closures frees on a small stack.
    #[test]
    fn deep_structures_drop_iteratively() {
        let run = || {
            let mut v = JValue::Null;
            for _ in 0..1_000_000 {
                v = JValue::array(vec![v]);
            }
            drop(v);
            let root = Rc::new(Frame::default());
            let mut f = root;
            for _ in 0..200_000 {
                let child = Frame::child(&f);
                child.bind(&Rc::from("x"), Some(JValue::array(vec![JValue::Null])));
                f = child;
            }
            drop(f);
        };
        std::thread::Builder::new().stack_size(1 << 20).spawn(run).unwrap().join().unwrap();
    }
}
