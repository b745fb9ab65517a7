//! The evaluator: jsonata-js's `evaluate` and friends, one function per node type.
//!
//! The nesting of `evaluate` calls is the same as jsonata-js's (Step Functions' depth limit
//! counts them), with a step budget, a stack guard and a bound on memory.

use std::rc::{Rc, Weak};

use super::ast::{BinOp, Group, Kind, Node, SortTerm, Stage};
use super::error::JsonataError;
use super::functions::{self, Builtin};
use super::stringify;
use super::value::{is_numeric, Binds, Frame, Func, JArray, JMap, JValue, Lambda, Tuple};
use super::{Bindings, EvalEnv};

pub(crate) type R<T> = Result<T, JsonataError>;

/// Where a function is called (for error messages).
#[derive(Clone, Debug, Default)]
pub(crate) struct Site {
    pub token: Option<Rc<str>>,
    pub position: Option<usize>,
}

/// One evaluation's state.
pub(crate) struct Eval<'a> {
    pub(crate) bindings: &'a dyn Bindings,
    pub(crate) env: &'a mut EvalEnv,
    depth: u32,
    /// Where the stack was when evaluation started.
    stack_base: usize,
    steps: u64,
    /// Frames a `:=` bound something in: they may sit in a reference cycle with a closure, so
    /// their bindings are cleared when the evaluation ends.
    bound_frames: Vec<Weak<Frame>>,
    /// When to next drop the entries of `bound_frames` whose frame is gone.
    prune_at: usize,
}

/// The result of one path step before it becomes the next step's input.
type Items = Option<Vec<JValue>>;

impl Drop for Eval<'_> {
    fn drop(&mut self) {
        for weak in std::mem::take(&mut self.bound_frames) {
            if let Some(frame) = weak.upgrade() {
                let vars = std::mem::take(&mut *frame.vars.borrow_mut());
                super::value::dispose(vars.into_iter().filter_map(|(_, v)| v).collect(), Vec::new());
            }
        }
    }
}

/// `fn.boolean`: JSONata's truthiness (`None` for undefined).
pub(crate) fn boolean(v: Option<&JValue>) -> R<Option<bool>> {
    boolean_at(v, 0)
}

fn boolean_at(v: Option<&JValue>, level: usize) -> R<Option<bool>> {
    if stringify::too_deep(level) {
        return Err(JsonataError::depth());
    }
    let Some(v) = v else { return Ok(None) };
    Ok(Some(match v {
        JValue::Null => false,
        JValue::Bool(b) => *b,
        JValue::String(s) => !s.is_empty(),
        JValue::Number(_) => {
            if is_numeric(Some(v))? {
                v.as_f64() != Some(0.0)
            } else {
                false
            }
        }
        // In jsonata-js a lambda, a built-in or a partial application is an object with keys, so
        // true; a regex, a match's `next` and a function handed to a call as an argument
        // ([`Func::Plain`]) are plain JavaScript functions, so false. All were false here
        // (`$f ? $f(x) : x` with a bound `$f` took the wrong branch: a differential QA pass).
        JValue::Func(f) => !matches!(**f, Func::Regex(_) | Func::RegexNext { .. } | Func::Plain(_)),
        JValue::Object(o) => !o.map.is_empty(),
        JValue::Json(j) if j.as_object().is_some() => j.as_object().is_some_and(|m| !m.is_empty()),
        _ => {
            let items = v.array_items().unwrap_or_default();
            match items.len() {
                0 => false,
                1 => boolean_at(items.first(), level + 1)?.unwrap_or(false),
                _ => {
                    let mut any = false;
                    for item in &items {
                        if boolean_at(Some(item), level + 1)?.unwrap_or(false) {
                            any = true;
                        }
                    }
                    any
                }
            }
        }
    }))
}

/// `isArrayOfNumbers`.
fn is_array_of_numbers(v: &JValue) -> R<bool> {
    let Some(items) = v.array_items() else { return Ok(false) };
    for item in &items {
        if !is_numeric(Some(item))? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `fn.lookup`: a field of an object, or of every object in an array (flattened one level).
pub(crate) fn lookup_field(input: Option<&JValue>, key: &str) -> R<Option<JValue>> {
    lookup_at(input, key, 0)
}

fn lookup_at(input: Option<&JValue>, key: &str, level: usize) -> R<Option<JValue>> {
    if stringify::too_deep(level) {
        return Err(JsonataError::depth());
    }
    let Some(input) = input else { return Ok(None) };
    if input.is_array() {
        let mut out = Vec::new();
        for item in input.array_items().unwrap_or_default() {
            if let Some(res) = lookup_at(Some(&item), key, level + 1)? {
                if res.is_array() {
                    out.extend(res.array_items().unwrap_or_default());
                } else {
                    out.push(res);
                }
            }
        }
        return Ok(Some(JValue::seq(out)));
    }
    Ok(input.object_get(key))
}

/// `fn.append`: concatenation where undefined disappears and a non-array is a one-item array.
pub(crate) fn append(a: Option<JValue>, b: Option<JValue>) -> Option<JValue> {
    let Some(a) = a else { return b };
    let Some(b) = b else { return Some(a) };
    let mut items = if a.is_array() { a.array_items().unwrap_or_default() } else { vec![a] };
    if b.is_array() {
        items.extend(b.array_items().unwrap_or_default());
    } else {
        items.push(b);
    }
    Some(JValue::array(items))
}

/// `fn.append` folded over a list, in linear time.
pub(crate) fn append_all(items: Vec<Option<JValue>>) -> Option<JValue> {
    let mut defined = items.into_iter().flatten();
    let first = defined.next()?;
    let Some(second) = defined.next() else { return Some(first) };
    let mut out = if first.is_array() { first.array_items().unwrap_or_default() } else { vec![first] };
    for v in std::iter::once(second).chain(defined) {
        if v.is_array() {
            out.extend(v.array_items().unwrap_or_default());
        } else {
            out.push(v);
        }
    }
    Some(JValue::array(out))
}

/// Strict equality (`===`): scalars by value, containers and functions by identity.
pub(crate) fn strict_equal(a: &JValue, b: &JValue) -> bool {
    match (a, b) {
        (JValue::Null, JValue::Null) => true,
        (JValue::Bool(x), JValue::Bool(y)) => x == y,
        // As doubles, as JavaScript compares them: an integer from the input past 2^53 equals
        // the double it rounds to, as it would had jsonata-js read the JSON.
        (JValue::Number(x), JValue::Number(y)) => x.as_f64() == y.as_f64(),
        (JValue::String(x), JValue::String(y)) => x == y,
        _ => match (a.identity(), b.identity()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// Deep equality (`=`), bounded in depth.
pub(crate) fn deep_equal(a: &JValue, b: &JValue) -> R<bool> {
    deep_equal_at(a, b, 0)
}

fn deep_equal_at(a: &JValue, b: &JValue, level: usize) -> R<bool> {
    if stringify::too_deep(level) {
        return Err(JsonataError::depth());
    }
    if strict_equal(a, b) {
        return Ok(true);
    }
    if let (JValue::Json(x), JValue::Json(y)) = (a, b) {
        // Both straight from JSON: the library's equality, when it finds them equal, settles it.
        // It tells integers past 2^53 apart where JavaScript does not, so "unequal" is checked
        // below member by member.
        if x.depth() as usize + level <= stringify::MAX_WALK_DEPTH && x == y {
            return Ok(true);
        }
    }
    if a.is_array() && b.is_array() {
        let (x, y) = (a.array_items().unwrap_or_default(), b.array_items().unwrap_or_default());
        if x.len() != y.len() {
            return Ok(false);
        }
        for (p, q) in x.iter().zip(&y) {
            if !deep_equal_at(p, q, level + 1)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    if a.is_object() && b.is_object() {
        let (x, y) = (a.object_entries().unwrap_or_default(), b.object_entries().unwrap_or_default());
        if x.len() != y.len() {
            return Ok(false);
        }
        for (k, v) in &x {
            match b.object_get(k) {
                Some(w) => {
                    if !deep_equal_at(v, &w, level + 1)? {
                        return Ok(false);
                    }
                }
                None => return Ok(false),
            }
        }
        return Ok(true);
    }
    Ok(false)
}

/// JavaScript string comparison (UTF-16 code unit order).
pub(crate) fn js_str_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Deep flattening of nested arrays (the wildcard operator's).
fn flatten_into(v: JValue, out: &mut Vec<JValue>, level: usize) -> R<()> {
    if stringify::too_deep(level) {
        return Err(JsonataError::depth());
    }
    if v.is_array() {
        for item in v.array_items().unwrap_or_default() {
            flatten_into(item, out, level + 1)?;
        }
    } else {
        out.push(v);
    }
    Ok(())
}

fn descendants_into(v: &JValue, out: &mut Vec<JValue>, level: usize) -> R<()> {
    if stringify::too_deep(level) {
        return Err(JsonataError::depth());
    }
    if v.is_array() {
        for item in v.array_items().unwrap_or_default() {
            descendants_into(&item, out, level + 1)?;
        }
    } else {
        out.push(v.clone());
        if let Some(entries) = v.object_entries() {
            for (_, item) in entries {
                descendants_into(&item, out, level + 1)?;
            }
        }
    }
    Ok(())
}

/// Marks a sequence keep-singleton (copying it if shared).
fn keep_singleton(v: JValue) -> JValue {
    match v {
        JValue::Array(mut a) if a.sequence => {
            if !a.keep_singleton {
                Rc::make_mut(&mut a).keep_singleton = true;
            }
            JValue::Array(a)
        }
        other => other,
    }
}

/// What the items of a path step's result are, as the next step iterates them: an array's
/// items, a string's characters (jsonata-js indexes `input[i]` up to `input.length`), nothing
/// for other values.
fn step_items(v: &JValue) -> Vec<JValue> {
    if let Some(items) = v.array_items() {
        return items;
    }
    if let JValue::String(s) = v {
        return s.chars().map(|c| JValue::str(c.to_string())).collect();
    }
    Vec::new()
}

impl<'a> Eval<'a> {
    pub(crate) fn new(bindings: &'a dyn Bindings, env: &'a mut EvalEnv) -> Eval<'a> {
        Eval {
            bindings,
            env,
            depth: 0,
            stack_base: super::stack_position(),
            steps: 0,
            bound_frames: Vec::new(),
            prune_at: 1024,
        }
    }

    /// Charges `n` units of work to the step budget.
    pub(crate) fn charge(&mut self, n: u64) -> R<()> {
        self.steps = self.steps.saturating_add(n);
        if self.steps > self.env.limits.max_steps {
            return Err(JsonataError::timeout());
        }
        Ok(())
    }

    /// Checks a sequence size against the memory bound.
    pub(crate) fn check_len(&self, n: usize) -> R<()> {
        if n > self.env.limits.max_sequence {
            return Err(JsonataError::memory());
        }
        Ok(())
    }

    /// Checks a string size against the memory bound.
    pub(crate) fn check_str(&self, bytes: usize) -> R<()> {
        if bytes > self.env.limits.max_string_bytes {
            return Err(JsonataError::memory());
        }
        Ok(())
    }

    /// Looks a variable up: local frames, then the caller's bindings, then the built-ins.
    pub(crate) fn lookup(&self, env: &Rc<Frame>, name: &str) -> Option<JValue> {
        if let Some(v) = env.lookup(name) {
            return v;
        }
        if let Some(v) = self.bindings.get(name) {
            return Some(JValue::from_value(&v));
        }
        Builtin::by_name(name).map(|b| JValue::func(Func::Builtin(b)))
    }

    fn frame_from_tuple(&self, env: &Rc<Frame>, tuple: &Tuple) -> Rc<Frame> {
        let frame = Frame::child(env);
        for (name, value) in &tuple.binds {
            frame.bind(name, value.clone());
        }
        frame
    }

    /// `evaluate`: one node, counted against the depth limit and the step budget.
    pub(crate) fn eval(&mut self, node: &Node, input: Option<&JValue>, env: &Rc<Frame>) -> R<Option<JValue>> {
        self.depth += 1;
        if self.depth > self.env.limits.max_depth
            || super::stack_position().abs_diff(self.stack_base) > self.env.limits.max_stack_bytes
        {
            self.depth -= 1;
            return Err(JsonataError::depth());
        }
        if let Err(e) = self.charge(1) {
            self.depth -= 1;
            return Err(e);
        }
        let r = self.eval_node(node, input, env);
        self.depth -= 1;
        r
    }

    // The evaluator recurses through `eval`, `eval_node` and one function per node type. They
    // are kept small on purpose: a debug build gives every temporary of a function its own
    // stack slot, so a single large `match` would cost tens of kilobytes per nesting level.
    fn eval_node(&mut self, node: &Node, input: Option<&JValue>, env: &Rc<Frame>) -> R<Option<JValue>> {
        let result = self.eval_kind(node, input, env)?;
        if node.ann.predicate.is_empty()
            && node.ann.group.is_none()
            && !matches!(result, Some(JValue::Array(_)))
        {
            return Ok(result);
        }
        self.finish(node, result, env)
    }

    fn eval_kind(&mut self, node: &Node, input: Option<&JValue>, env: &Rc<Frame>) -> R<Option<JValue>> {
        match &node.kind {
            Kind::Path { steps, keep_singleton_array } => {
                self.eval_path(node, steps, *keep_singleton_array, input, env)
            }
            Kind::Binary { op, lhs, rhs } => self.eval_binary(node, *op, lhs, rhs, input, env),
            Kind::Negate(e) => self.eval_negate(node, e, input, env),
            Kind::ArrayCons(items) => self.eval_array(node, items, input, env),
            Kind::ObjectCons(group) => self.eval_group(group, input.cloned(), env).map(Some),
            Kind::Name(n) => lookup_field(input, n),
            Kind::Str(s) => Ok(Some(JValue::String(s.clone()))),
            Kind::Num(n) => Ok(Some(JValue::num(*n))),
            Kind::Bool(b) => Ok(Some(JValue::Bool(*b))),
            Kind::Null => Ok(Some(JValue::Null)),
            Kind::Wildcard => self.eval_wildcard(input),
            Kind::Descendant => self.eval_descendants(input),
            Kind::Parent(slot) => {
                let label = slot.borrow().label.clone();
                Ok(self.lookup(env, &label))
            }
            Kind::Condition { cond, then, otherwise } => {
                self.eval_condition(cond, then, otherwise.as_deref(), input, env)
            }
            Kind::Block(exprs) => self.eval_block(exprs, input, env),
            Kind::Bind { name, value } => self.eval_bind(name, value, input, env),
            Kind::Regex(r) => Ok(Some(JValue::func(Func::Regex(r.clone())))),
            Kind::Call { procedure, args } => self.eval_call(node, procedure, args, input, env, None),
            Kind::Partial { procedure, args } => self.eval_partial(node, procedure, args, input, env),
            Kind::Lambda(def) => Ok(Some(make_lambda(def, input, env))),
            Kind::Variable(name) => Ok(self.eval_variable(name, input, env)),
            Kind::Apply { lhs, rhs } => self.eval_apply(node, lhs, rhs, input, env),
            Kind::Transform(def) => {
                Ok(Some(JValue::func(Func::Transform { def: def.clone(), env: env.clone() })))
            }
            Kind::Sort(_) | Kind::Placeholder => Ok(None),
        }
    }

    /// Filters, grouping, and sequence collapsing after a node's value is computed.
    fn finish(&mut self, node: &Node, mut result: Option<JValue>, env: &Rc<Frame>) -> R<Option<JValue>> {
        for p in &node.ann.predicate {
            result = Some(self.filter(p, result, env)?);
        }
        if !matches!(node.kind, Kind::Path { .. }) {
            if let Some(g) = &node.ann.group {
                result = Some(self.eval_group(g, result, env)?);
            }
        }
        Ok(collapse(node, result))
    }

    fn eval_negate(
        &mut self,
        node: &Node,
        e: &Node,
        input: Option<&JValue>,
        env: &Rc<Frame>,
    ) -> R<Option<JValue>> {
        let Some(v) = self.eval(e, input, env)? else { return Ok(None) };
        let numeric = is_numeric(Some(&v)).map_err(|e| e.pos(node.position).token("-"))?;
        if numeric {
            return Ok(Some(JValue::num(-v.as_f64().unwrap_or(0.0))));
        }
        Err(JsonataError::at("D1002", node.position).token("-").value_json(stringify::message_json(Some(&v))))
    }

    fn eval_array(
        &mut self,
        node: &Node,
        items: &[Node],
        input: Option<&JValue>,
        env: &Rc<Frame>,
    ) -> R<Option<JValue>> {
        let mut out: Vec<JValue> = Vec::new();
        for item in items {
            if let Some(v) = self.eval(item, input, env)? {
                if matches!(item.kind, Kind::ArrayCons(_)) {
                    out.push(v);
                } else if v.is_array() {
                    out.extend(v.array_items().unwrap_or_default());
                } else {
                    out.push(v);
                }
                self.check_len(out.len())?;
            }
        }
        Ok(Some(JValue::Array(Rc::new(JArray { items: out, cons: node.consarray, ..JArray::default() }))))
    }

    fn eval_wildcard(&mut self, input: Option<&JValue>) -> R<Option<JValue>> {
        let mut input = input.cloned();
        if let Some(JValue::Array(a)) = &input {
            if a.outer_wrapper {
                input = a.items.first().cloned();
            }
        }
        // jsonata-js takes the values of anything `typeof` calls an object: an array's are its
        // items (`[[1,2],[3]].*` is `[1,2,3]`; it was nothing: a differential QA pass).
        let values = match &input {
            Some(v) if v.is_array() => v.array_items(),
            other => other
                .as_ref()
                .and_then(JValue::object_entries)
                .map(|e| e.into_iter().map(|(_, v)| v).collect()),
        };
        let mut out = Vec::new();
        // Appending an array's values (`fn.append`, a JavaScript `concat`) makes the result a
        // plain array, no longer a sequence: a single value then stays in its array
        // (`{"a": [5]}.*` is `[5]`) and none gives `[]`, not nothing.
        let mut plain = false;
        for v in values.into_iter().flatten() {
            if v.is_array() {
                plain = true;
                flatten_into(v, &mut out, 0)?;
            } else {
                out.push(v);
            }
        }
        self.check_len(out.len())?;
        Ok(Some(if plain { JValue::array(out) } else { JValue::seq(out) }))
    }

    fn eval_descendants(&mut self, input: Option<&JValue>) -> R<Option<JValue>> {
        let Some(v) = input else { return Ok(None) };
        let mut out = Vec::new();
        descendants_into(v, &mut out, 0)?;
        self.check_len(out.len())?;
        if out.len() == 1 {
            return Ok(out.pop());
        }
        Ok(Some(JValue::seq(out)))
    }

    fn eval_condition(
        &mut self,
        cond: &Node,
        then: &Node,
        otherwise: Option<&Node>,
        input: Option<&JValue>,
        env: &Rc<Frame>,
    ) -> R<Option<JValue>> {
        let c = self.eval(cond, input, env)?;
        if boolean(c.as_ref())?.unwrap_or(false) {
            return self.eval(then, input, env);
        }
        match otherwise {
            Some(o) => self.eval(o, input, env),
            None => Ok(None),
        }
    }

    fn eval_block(&mut self, exprs: &[Node], input: Option<&JValue>, env: &Rc<Frame>) -> R<Option<JValue>> {
        let frame = Frame::child(env);
        let mut result = None;
        for e in exprs {
            result = self.eval(e, input, &frame)?;
        }
        Ok(result)
    }

    fn eval_bind(
        &mut self,
        name: &Rc<str>,
        value: &Node,
        input: Option<&JValue>,
        env: &Rc<Frame>,
    ) -> R<Option<JValue>> {
        let v = self.eval(value, input, env)?;
        env.bind(name, v.clone());
        if !self.bound_frames.last().is_some_and(|w| w.ptr_eq(&Rc::downgrade(env))) {
            self.bound_frames.push(Rc::downgrade(env));
        }
        // A loop that binds in a fresh block each time would keep every frame's allocation
        // (a weak reference holds it): drop the references to frames already gone.
        if self.bound_frames.len() >= self.prune_at {
            self.bound_frames.retain(|w| w.strong_count() > 0);
            self.prune_at = (self.bound_frames.len() * 2).max(1024);
        }
        Ok(v)
    }

    fn eval_variable(&self, name: &str, input: Option<&JValue>, env: &Rc<Frame>) -> Option<JValue> {
        if !name.is_empty() {
            return self.lookup(env, name);
        }
        match input {
            Some(JValue::Array(a)) if a.outer_wrapper => a.items.first().cloned(),
            other => other.cloned(),
        }
    }

    fn eval_path(
        &mut self,
        node: &Node,
        steps: &[Node],
        keep_singleton_array: bool,
        input: Option<&JValue>,
        env: &Rc<Frame>,
    ) -> R<Option<JValue>> {
        let first_var = matches!(steps.first().map(|s| &s.kind), Some(Kind::Variable(_)));
        // `None` is jsonata-js's `[undefined]`: one step over an undefined context.
        let mut items: Items = match input {
            Some(v) if v.is_array() && !first_var => Some(v.array_items().unwrap_or_default()),
            Some(v) => Some(vec![v.clone()]),
            None => None,
        };
        let mut result: Option<JValue> = None;
        let mut is_tuple = false;
        let mut tuples: Option<Vec<Tuple>> = None;
        let last = steps.len().saturating_sub(1);
        for (ii, step) in steps.iter().enumerate() {
            if step.tuple {
                is_tuple = true;
            }
            if ii == 0 && step.consarray {
                let seq = match input {
                    Some(v) if v.is_array() && !first_var => v.clone(),
                    Some(v) => JValue::seq(vec![v.clone()]),
                    None => JValue::seq(Vec::new()),
                };
                result = self.eval(step, Some(&seq), env)?;
            } else if is_tuple {
                tuples = Some(self.eval_tuple_step(step, items.as_deref(), tuples.take(), env)?);
            } else {
                result = Some(self.eval_step(step, items.as_deref(), env, ii == last)?);
            }
            if !is_tuple && result.as_ref().is_none_or(|r| r.array_len() == Some(0)) {
                break;
            }
            if step.ann.focus.is_none() {
                items = result.as_ref().map(step_items);
            }
        }
        if is_tuple {
            let t = tuples.clone().unwrap_or_default();
            result = Some(if node.tuple {
                JValue::Tuples(Rc::new(t))
            } else {
                JValue::seq(t.into_iter().filter_map(|t| t.ctx).collect())
            });
        }
        if keep_singleton_array {
            if let Some(r) = result.take() {
                let r = match r {
                    JValue::Array(a) if a.cons && !a.sequence => JValue::seq(vec![JValue::Array(a)]),
                    other => other,
                };
                result = Some(keep_singleton(r));
            }
        }
        if let Some(g) = &node.ann.group {
            let group_input =
                if is_tuple { Some(JValue::Tuples(Rc::new(tuples.unwrap_or_default()))) } else { result };
            result = Some(self.eval_group(g, group_input, env)?);
        }
        Ok(result)
    }

    /// One step of a path over each item of the input sequence (`None`: one undefined item).
    fn eval_step(&mut self, step: &Node, items: Option<&[JValue]>, env: &Rc<Frame>, last: bool) -> R<JValue> {
        if let Kind::Sort(terms) = &step.kind {
            let values = items.map(<[JValue]>::to_vec).unwrap_or_default();
            let sorted = self.sort_values(step, terms, values, env)?;
            let mut result = JValue::seq(sorted);
            for stage in &step.ann.stages {
                if let Stage::Filter(p) = stage {
                    result = self.filter(p, Some(result), env)?;
                }
            }
            return Ok(result);
        }
        let mut results: Vec<JValue> = Vec::new();
        let mut one = |this: &mut Self, item: Option<&JValue>| -> R<()> {
            let mut res = this.eval(step, item, env)?;
            for stage in &step.ann.stages {
                if let Stage::Filter(p) = stage {
                    res = Some(this.filter(p, res, env)?);
                }
            }
            if let Some(r) = res {
                results.push(r);
            }
            Ok(())
        };
        match items {
            None => one(self, None)?,
            Some(items) => {
                for item in items {
                    one(self, Some(item))?;
                }
            }
        }
        if last && results.len() == 1 {
            if let Some(r) = results.first() {
                if r.is_array() && !r.is_sequence() {
                    return Ok(results.pop().unwrap_or(JValue::Null));
                }
            }
        }
        let mut out = Vec::new();
        for res in results {
            if !res.is_array() || res.is_cons() {
                out.push(res);
            } else {
                out.extend(res.array_items().unwrap_or_default());
            }
            self.check_len(out.len())?;
        }
        Ok(JValue::seq(out))
    }

    fn eval_tuple_step(
        &mut self,
        step: &Node,
        items: Option<&[JValue]>,
        tuples: Option<Vec<Tuple>>,
        env: &Rc<Frame>,
    ) -> R<Vec<Tuple>> {
        if let Kind::Sort(terms) = &step.kind {
            let mut result = match tuples {
                Some(t) => self.sort_tuples(step, terms, t, env)?,
                None => {
                    let values = items.map(<[JValue]>::to_vec).unwrap_or_default();
                    let sorted = self.sort_values(step, terms, values, env)?;
                    sorted
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let mut t = Tuple { ctx: Some(v), binds: Vec::new() };
                            if let Some(ix) = &step.ann.index {
                                t.set(ix, Some(JValue::num(i as f64)));
                            }
                            t
                        })
                        .collect()
                }
            };
            result = self.stages(&step.ann.stages, result, env)?;
            return Ok(result);
        }
        let tuples = match tuples {
            Some(t) => t,
            None => match items {
                None => vec![Tuple { ctx: None, binds: Vec::new() }],
                Some(items) => {
                    items.iter().map(|i| Tuple { ctx: Some(i.clone()), binds: Vec::new() }).collect()
                }
            },
        };
        let mut result = Vec::new();
        for tuple in &tuples {
            let step_env = self.frame_from_tuple(env, tuple);
            let res = self.eval(step, tuple.ctx.as_ref(), &step_env)?;
            let Some(res) = res else { continue };
            if let JValue::Tuples(ts) = &res {
                for t in ts.iter() {
                    let mut merged = tuple.clone();
                    for (k, v) in &t.binds {
                        merged.set(k, v.clone());
                    }
                    merged.ctx = t.ctx.clone();
                    result.push(merged);
                }
                continue;
            }
            let res_items = if res.is_array() { res.array_items().unwrap_or_default() } else { vec![res] };
            for (bb, item) in res_items.into_iter().enumerate() {
                let mut t = tuple.clone();
                if let Some(focus) = &step.ann.focus {
                    t.set(focus, Some(item));
                    t.ctx = tuple.ctx.clone();
                } else {
                    t.ctx = Some(item);
                }
                if let Some(ix) = &step.ann.index {
                    t.set(ix, Some(JValue::num(bb as f64)));
                }
                if let Some(anc) = &step.ann.ancestor {
                    let label = anc.borrow().label.clone();
                    t.set(&label, tuple.ctx.clone());
                }
                result.push(t);
            }
            self.check_len(result.len())?;
        }
        self.stages(&step.ann.stages, result, env)
    }

    fn stages(&mut self, stages: &[Stage], mut tuples: Vec<Tuple>, env: &Rc<Frame>) -> R<Vec<Tuple>> {
        for stage in stages {
            match stage {
                Stage::Filter(p) => tuples = self.filter_tuples(p, tuples, env)?,
                Stage::Index(name) => {
                    for (i, t) in tuples.iter_mut().enumerate() {
                        t.set(name, Some(JValue::num(i as f64)));
                    }
                }
            }
        }
        Ok(tuples)
    }

    /// Whether a predicate's value selects the item at `index` of `len` (numbers index, anything
    /// else is tested for truth). Returns how many times to keep it.
    fn selects(&self, res: Option<&JValue>, index: usize, len: usize) -> R<usize> {
        let as_array = match res {
            Some(r) if is_numeric(Some(r))? => Some(vec![r.clone()]),
            Some(r) if r.is_array() && is_array_of_numbers(r)? => Some(r.array_items().unwrap_or_default()),
            _ => None,
        };
        if let Some(nums) = as_array {
            let mut count = 0;
            for n in nums {
                let mut ii = n.as_f64().unwrap_or(0.0).floor();
                if ii < 0.0 {
                    ii += len as f64;
                }
                if ii == index as f64 {
                    count += 1;
                }
            }
            return Ok(count);
        }
        Ok(usize::from(boolean(res)?.unwrap_or(false)))
    }

    /// `evaluateFilter` on values: `[n]` indexes, anything else is a predicate per item.
    pub(crate) fn filter(&mut self, pred: &Node, input: Option<JValue>, env: &Rc<Frame>) -> R<JValue> {
        if let Some(JValue::Tuples(t)) = input {
            let tuples = Rc::try_unwrap(t).unwrap_or_else(|rc| (*rc).clone());
            return Ok(JValue::Tuples(Rc::new(self.filter_tuples(pred, tuples, env)?)));
        }
        let items: Vec<Option<JValue>> = match &input {
            Some(v) if v.is_array() => v.array_items().unwrap_or_default().into_iter().map(Some).collect(),
            other => vec![other.clone()],
        };
        let len = items.len();
        if let Kind::Num(n) = pred.kind {
            let mut index = n.floor();
            if index < 0.0 {
                index += len as f64;
            }
            let item = if index >= 0.0 { items.get(index as usize).cloned().flatten() } else { None };
            return Ok(match item {
                Some(item) if item.is_array() => item,
                Some(item) => JValue::seq(vec![item]),
                None => JValue::seq(Vec::new()),
            });
        }
        let mut results = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let res = self.eval(pred, item.as_ref(), env)?;
            let times = self.selects(res.as_ref(), index, len)?;
            if let Some(item) = item {
                for _ in 0..times {
                    results.push(item.clone());
                }
            }
        }
        Ok(JValue::seq(results))
    }

    fn filter_tuples(&mut self, pred: &Node, tuples: Vec<Tuple>, env: &Rc<Frame>) -> R<Vec<Tuple>> {
        let len = tuples.len();
        if let Kind::Num(n) = pred.kind {
            let mut index = n.floor();
            if index < 0.0 {
                index += len as f64;
            }
            let item = if index >= 0.0 { tuples.get(index as usize).cloned() } else { None };
            return Ok(item.into_iter().collect());
        }
        let mut results = Vec::new();
        for (index, tuple) in tuples.iter().enumerate() {
            let frame = self.frame_from_tuple(env, tuple);
            let res = self.eval(pred, tuple.ctx.as_ref(), &frame)?;
            for _ in 0..self.selects(res.as_ref(), index, len)? {
                results.push(tuple.clone());
            }
        }
        Ok(results)
    }

    fn eval_binary(
        &mut self,
        node: &Node,
        op: BinOp,
        lhs: &Node,
        rhs: &Node,
        input: Option<&JValue>,
        env: &Rc<Frame>,
    ) -> R<Option<JValue>> {
        let l = self.eval(lhs, input, env)?;
        let decorate = |e: JsonataError| e.pos(node.position).token(op.token());
        if op == BinOp::And || op == BinOp::Or {
            let lb = boolean(l.as_ref()).map_err(decorate)?.unwrap_or(false);
            let result = match op {
                BinOp::And if !lb => false,
                BinOp::Or if lb => true,
                _ => {
                    let r = self.eval(rhs, input, env)?;
                    boolean(r.as_ref()).map_err(decorate)?.unwrap_or(false)
                }
            };
            return Ok(Some(JValue::Bool(result)));
        }
        let r = self.eval(rhs, input, env)?;
        self.binary_values(op, l, r).map_err(|e| if e.is_limit() { e } else { decorate(e) })
    }

    fn binary_values(&mut self, op: BinOp, l: Option<JValue>, r: Option<JValue>) -> R<Option<JValue>> {
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                if l.is_some() && !is_numeric(l.as_ref())? {
                    return Err(JsonataError::new("T2001").value_json(stringify::message_json(l.as_ref())));
                }
                if r.is_some() && !is_numeric(r.as_ref())? {
                    return Err(JsonataError::new("T2002").value_json(stringify::message_json(r.as_ref())));
                }
                let (Some(a), Some(b)) = (l.and_then(|v| v.as_f64()), r.and_then(|v| v.as_f64())) else {
                    return Ok(None);
                };
                let v = match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    _ => a % b,
                };
                Ok(Some(JValue::num(v)))
            }
            BinOp::Eq | BinOp::Ne => {
                let (Some(a), Some(b)) = (l, r) else { return Ok(Some(JValue::Bool(false))) };
                let eq = deep_equal(&a, &b)?;
                Ok(Some(JValue::Bool(if op == BinOp::Eq { eq } else { !eq })))
            }
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let comparable =
                    |v: &Option<JValue>| matches!(v, None | Some(JValue::String(_) | JValue::Number(_)));
                if !comparable(&l) || !comparable(&r) {
                    let bad = if matches!(l, Some(JValue::String(_) | JValue::Number(_))) { &r } else { &l };
                    return Err(JsonataError::new("T2010").value_json(stringify::message_json(bad.as_ref())));
                }
                let (Some(a), Some(b)) = (l, r) else { return Ok(None) };
                let ord = match (&a, &b) {
                    (JValue::Number(x), JValue::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()),
                    (JValue::String(x), JValue::String(y)) => Some(js_str_cmp(x, y)),
                    _ => {
                        return Err(JsonataError::new("T2009")
                            .value_json(stringify::message_json(Some(&a)))
                            .value2_json(stringify::message_json(Some(&b))))
                    }
                };
                use std::cmp::Ordering::*;
                let v = match (op, ord) {
                    (_, None) => false,
                    (BinOp::Lt, Some(o)) => o == Less,
                    (BinOp::Le, Some(o)) => o != Greater,
                    (BinOp::Gt, Some(o)) => o == Greater,
                    (_, Some(o)) => o != Less,
                };
                Ok(Some(JValue::Bool(v)))
            }
            BinOp::Concat => {
                let mut s = String::new();
                if let Some(a) = &l {
                    s.push_str(&functions::to_string(a)?);
                }
                if let Some(b) = &r {
                    s.push_str(&functions::to_string(b)?);
                }
                self.check_str(s.len())?;
                Ok(Some(JValue::str(s)))
            }
            BinOp::Range => {
                let is_int = |v: &Option<JValue>| match v {
                    Some(JValue::Number(n)) => {
                        let f = n.as_f64();
                        f.is_finite() && f.fract() == 0.0
                    }
                    _ => false,
                };
                if l.is_some() && !is_int(&l) {
                    return Err(JsonataError::new("T2003").value_json(stringify::message_json(l.as_ref())));
                }
                if r.is_some() && !is_int(&r) {
                    return Err(JsonataError::new("T2004").value_json(stringify::message_json(r.as_ref())));
                }
                let (Some(a), Some(b)) = (l.and_then(|v| v.as_f64()), r.and_then(|v| v.as_f64())) else {
                    return Ok(None);
                };
                if a > b {
                    return Ok(None);
                }
                let size = b - a + 1.0;
                if size > 1e7 {
                    return Err(JsonataError::new("D2014").value_json(stringify::js_number(size)));
                }
                self.check_len(size as usize)?;
                let items = (0..size as i64).map(|i| JValue::num(a + i as f64)).collect();
                Ok(Some(JValue::seq(items)))
            }
            BinOp::In => {
                let (Some(a), Some(b)) = (l, r) else { return Ok(Some(JValue::Bool(false))) };
                let items = if b.is_array() { b.array_items().unwrap_or_default() } else { vec![b] };
                Ok(Some(JValue::Bool(items.iter().any(|x| strict_equal(x, &a)))))
            }
            BinOp::And | BinOp::Or => Ok(None),
        }
    }

    /// `evaluateGroupExpression`: an object constructor, or grouping by key.
    pub(crate) fn eval_group(&mut self, group: &Group, input: Option<JValue>, env: &Rc<Frame>) -> R<JValue> {
        struct Entry {
            /// The group's items, appended at the end (appending one at a time is quadratic).
            data: Vec<Option<JValue>>,
            tuples: Vec<Tuple>,
            expr_index: usize,
        }
        let mut groups: IndexMapStr<Entry> = IndexMapStr::default();
        let reduce = matches!(input, Some(JValue::Tuples(_)));
        let mut values: Vec<Option<JValue>> = Vec::new();
        let mut tuples: Vec<Tuple> = Vec::new();
        match &input {
            Some(JValue::Tuples(t)) => tuples = t.to_vec(),
            Some(v) if v.is_array() => {
                values = v.array_items().unwrap_or_default().into_iter().map(Some).collect()
            }
            other => values = vec![other.clone()],
        }
        if values.is_empty() && tuples.is_empty() {
            values.push(None);
        }
        let count = if reduce && !tuples.is_empty() { tuples.len() } else { values.len() };
        for i in 0..count {
            let (ctx, item_env, tuple) = if reduce && !tuples.is_empty() {
                let t = tuples.get(i).cloned();
                let ctx = t.as_ref().and_then(|t| t.ctx.clone());
                let frame = match &t {
                    Some(t) => self.frame_from_tuple(env, t),
                    None => env.clone(),
                };
                (ctx, frame, t)
            } else {
                (values.get(i).cloned().flatten(), env.clone(), None)
            };
            for (pair_index, (k, _)) in group.pairs.iter().enumerate() {
                let key = self.eval(k, ctx.as_ref(), &item_env)?;
                let key = match key {
                    None => continue,
                    Some(JValue::String(s)) => s,
                    Some(other) => {
                        return Err(JsonataError::at("T1003", group.position)
                            .value_json(stringify::message_json(Some(&other))))
                    }
                };
                match groups.get_mut(&key) {
                    Some(entry) => {
                        if entry.expr_index != pair_index {
                            return Err(JsonataError::at("D1009", group.position).value_str(&key));
                        }
                        if let Some(t) = &tuple {
                            entry.tuples.push(t.clone());
                        } else {
                            entry.data.push(ctx.clone());
                        }
                    }
                    None => {
                        groups.insert(
                            key,
                            Entry {
                                data: if tuple.is_some() { Vec::new() } else { vec![ctx.clone()] },
                                tuples: tuple.iter().cloned().collect(),
                                expr_index: pair_index,
                            },
                        );
                    }
                }
            }
        }
        let mut result = JMap::default();
        for (key, entry) in groups {
            let Some((_, value_expr)) = group.pairs.get(entry.expr_index) else { continue };
            let value = if reduce && !entry.tuples.is_empty() {
                let (ctx, binds) = reduce_tuples(entry.tuples);
                let frame = self.frame_from_tuple(env, &Tuple { ctx: None, binds });
                self.eval(value_expr, ctx.as_ref(), &frame)?
            } else {
                let data = append_all(entry.data);
                self.eval(value_expr, data.as_ref(), env)?
            };
            if let Some(v) = value {
                result.insert(key, v);
            }
        }
        self.check_len(result.len())?;
        Ok(JValue::object(result))
    }

    fn eval_call(
        &mut self,
        node: &Node,
        procedure: &Node,
        args: &[Node],
        input: Option<&JValue>,
        env: &Rc<Frame>,
        context: Option<Option<JValue>>,
    ) -> R<Option<JValue>> {
        let proc = self.eval(procedure, input, env)?;
        let proc_name = procedure_name(procedure);
        if proc.is_none() {
            if let Kind::Path { steps, .. } = &procedure.kind {
                if let Some(Kind::Name(n)) = steps.first().map(|s| &s.kind) {
                    if self.lookup(env, n).is_some() {
                        return Err(JsonataError::at("T1005", node.position).token(n.to_string()));
                    }
                }
            }
        }
        let mut evaluated = Vec::new();
        if let Some(c) = context {
            evaluated.push(c);
        }
        // jsonata-js's `evaluateFunction` wraps a function argument in a plain JavaScript
        // function (not the `~>` context before them, nor a tail call's arguments, see `apply`).
        for a in args {
            evaluated.push(self.eval(a, input, env)?.map(|v| match v {
                JValue::Func(f) if !matches!(*f, Func::Plain(_)) => JValue::func(Func::Plain(f)),
                v => v,
            }));
        }
        let site = Site { token: proc_name, position: Some(node.position) };
        self.apply(proc.as_ref(), evaluated, input, env, &site).map_err(|mut e| {
            if e.position.is_none() {
                e.position = Some(node.position);
            }
            if e.token.is_none() {
                if let Some(t) = &site.token {
                    e.token = Some(t.to_string());
                }
            }
            e
        })
    }

    fn eval_partial(
        &mut self,
        node: &Node,
        procedure: &Node,
        args: &[Option<Node>],
        input: Option<&JValue>,
        env: &Rc<Frame>,
    ) -> R<Option<JValue>> {
        let mut evaluated: Vec<Option<Option<JValue>>> = Vec::new();
        for a in args {
            match a {
                None => evaluated.push(None),
                Some(a) => evaluated.push(Some(self.eval(a, input, env)?)),
            }
        }
        let proc = self.eval(procedure, input, env)?;
        if proc.is_none() {
            if let Kind::Path { steps, .. } = &procedure.kind {
                if let Some(Kind::Name(n)) = steps.first().map(|s| &s.kind) {
                    if self.lookup(env, n).is_some() {
                        return Err(JsonataError::at("T1007", node.position).token(n.to_string()));
                    }
                }
            }
        }
        match proc.as_ref().and_then(JValue::as_func) {
            Some(f) => Ok(Some(JValue::func(partial_apply(f, evaluated)))),
            None => {
                let mut e = JsonataError::at("T1008", node.position);
                if let Some(t) = procedure_name(procedure) {
                    e = e.token(t.to_string());
                }
                Err(e)
            }
        }
    }

    fn eval_apply(
        &mut self,
        node: &Node,
        lhs: &Node,
        rhs: &Node,
        input: Option<&JValue>,
        env: &Rc<Frame>,
    ) -> R<Option<JValue>> {
        let l = self.eval(lhs, input, env)?;
        if let Kind::Call { procedure, args } = &rhs.kind {
            return self.eval_call(rhs, procedure, args, input, env, Some(l));
        }
        let func = self.eval(rhs, input, env)?;
        let Some(JValue::Func(f)) = &func else {
            return Err(
                JsonataError::at("T2006", node.position).value_json(stringify::message_json(func.as_ref()))
            );
        };
        if let Some(JValue::Func(g)) = &l {
            return Ok(Some(JValue::func(Func::Chain(g.clone(), f.clone()))));
        }
        let site = Site { token: procedure_name(rhs), position: Some(node.position) };
        self.apply(func.as_ref(), vec![l], None, env, &site)
    }

    /// `apply`: calls a function value, running tail calls in a loop (the trampoline).
    pub(crate) fn apply(
        &mut self,
        proc: Option<&JValue>,
        args: Vec<Option<JValue>>,
        input: Option<&JValue>,
        env: &Rc<Frame>,
        site: &Site,
    ) -> R<Option<JValue>> {
        let mut result = self.apply_inner(proc, args, input, env, site)?;
        loop {
            let thunk = match &result {
                Some(JValue::Func(f)) => match &**f {
                    Func::Lambda(l) if l.def.thunk => Some(f.clone()),
                    _ => None,
                },
                _ => None,
            };
            let Some(thunk) = thunk else { break };
            let Func::Lambda(l) = &*thunk else { break };
            let Kind::Call { procedure, args } = &l.def.body.kind else { break };
            let next = self.eval(procedure, l.input.as_ref(), &l.env)?;
            let mut evaluated = Vec::new();
            for a in args {
                evaluated.push(self.eval(a, l.input.as_ref(), &l.env)?);
            }
            let token = match &procedure.kind {
                Kind::Variable(n) => Some(n.clone()),
                _ => None,
            };
            let tail_site = Site { token, position: Some(procedure.position) };
            result = self.apply_inner(next.as_ref(), evaluated, input, env, &tail_site)?;
        }
        Ok(result)
    }

    fn apply_inner(
        &mut self,
        proc: Option<&JValue>,
        args: Vec<Option<JValue>>,
        input: Option<&JValue>,
        env: &Rc<Frame>,
        site: &Site,
    ) -> R<Option<JValue>> {
        let decorate = |mut e: JsonataError| {
            if e.is_limit() {
                return e;
            }
            if e.token.is_none() {
                if let Some(t) = &site.token {
                    e.token = Some(t.to_string());
                }
            }
            if let Some(p) = site.position {
                e.position = Some(p);
            }
            e
        };
        let Some(JValue::Func(f)) = proc else {
            return Err(JsonataError::new("T1006"));
        };
        self.call_func(f, args, input, env).map_err(decorate)
    }

    /// Calls a function with its arguments validated against its signature.
    pub(crate) fn call_func(
        &mut self,
        f: &Rc<Func>,
        args: Vec<Option<JValue>>,
        input: Option<&JValue>,
        env: &Rc<Frame>,
    ) -> R<Option<JValue>> {
        match &**f {
            Func::Lambda(l) => {
                let args = match &l.signature {
                    Some(sig) => sig.validate(&args, input)?,
                    None => args,
                };
                let frame = Frame::child(&l.env);
                let mut args = args.into_iter();
                for p in l.params.iter() {
                    frame.bind(p, args.next().flatten());
                }
                self.eval(&l.def.body, l.input.as_ref(), &frame)
            }
            Func::Builtin(b) => {
                let args = b.signature().validate(&args, input)?;
                functions::call(self, *b, args, input, env)
            }
            Func::Partial { target, args: bound } => {
                let mut supplied = args.into_iter();
                let full: Vec<Option<JValue>> =
                    bound.iter().map(|a| a.clone().unwrap_or_else(|| supplied.next().flatten())).collect();
                self.call_func(target, full, input, env)
            }
            Func::Regex(re) => {
                // `RegExp.prototype.exec` converts its argument to a string.
                let s: Rc<str> = match args.first().cloned().flatten() {
                    Some(JValue::String(s)) => s,
                    other => functions::js_to_string(other.as_ref()).into(),
                };
                let from = args.get(1).cloned().flatten().and_then(|v| v.as_f64()).unwrap_or(0.0);
                let from = functions::utf16_to_byte(&s, from.max(0.0) as usize);
                Ok(functions::regex_match_object(re, &s, from))
            }
            Func::RegexNext { regex, haystack, from } => functions::regex_next(regex, haystack, *from),
            Func::Transform { def, env: tenv } => {
                let validated = transform_signature().validate(&args, input)?;
                super::transform::apply(self, def, tenv, validated.into_iter().next().flatten())
            }
            // jsonata-js's wrapper applies the function with a null context (a built-in's `-`
            // parameter sees null, as a review found), running its tail calls there.
            Func::Plain(inner) => self.apply(
                Some(&JValue::Func(inner.clone())),
                args,
                Some(&JValue::Null),
                env,
                &Site::default(),
            ),
            Func::Chain(g, h) => {
                let x = args.into_iter().next().flatten();
                let site = Site::default();
                let y = self.apply(Some(&JValue::Func(g.clone())), vec![x], None, env, &site)?;
                self.apply(Some(&JValue::Func(h.clone())), vec![y], None, env, &site)
            }
        }
    }

    /// Calls a function value the way the higher-order built-ins do (no context).
    pub(crate) fn call_value(
        &mut self,
        f: &JValue,
        args: Vec<Option<JValue>>,
        env: &Rc<Frame>,
    ) -> R<Option<JValue>> {
        self.apply(Some(f), args, None, env, &Site::default())
    }

    /// Sort keys for `^(...)`, compared as jsonata-js's comparator does.
    fn sort_keys(
        &mut self,
        terms: &[SortTerm],
        ctx: Option<&JValue>,
        env: &Rc<Frame>,
    ) -> R<Vec<Option<JValue>>> {
        let mut keys = Vec::with_capacity(terms.len());
        for t in terms {
            keys.push(self.eval(&t.expr, ctx, env)?);
        }
        Ok(keys)
    }

    fn sort_values(
        &mut self,
        node: &Node,
        terms: &[SortTerm],
        items: Vec<JValue>,
        env: &Rc<Frame>,
    ) -> R<Vec<JValue>> {
        if items.len() <= 1 {
            return Ok(items);
        }
        let mut keyed = Vec::with_capacity(items.len());
        for item in items {
            let keys = self.sort_keys(terms, Some(&item), env)?;
            keyed.push((keys, item));
        }
        let sorted =
            self.merge_sort(keyed, &mut |this, a, b| order_by_swap(terms, &a.0, &b.0, node.position, this))?;
        Ok(sorted.into_iter().map(|(_, v)| v).collect())
    }

    fn sort_tuples(
        &mut self,
        node: &Node,
        terms: &[SortTerm],
        tuples: Vec<Tuple>,
        env: &Rc<Frame>,
    ) -> R<Vec<Tuple>> {
        if tuples.len() <= 1 {
            return Ok(tuples);
        }
        let mut keyed = Vec::with_capacity(tuples.len());
        for t in tuples {
            let frame = self.frame_from_tuple(env, &t);
            let keys = self.sort_keys(terms, t.ctx.as_ref(), &frame)?;
            keyed.push((keys, t));
        }
        let sorted =
            self.merge_sort(keyed, &mut |this, a, b| order_by_swap(terms, &a.0, &b.0, node.position, this))?;
        Ok(sorted.into_iter().map(|(_, t)| t).collect())
    }

    /// jsonata-js's stable merge sort; `swap(a, b)` says `b` goes before `a`. Top-down, split at
    /// `floor(n / 2)`, the left half first, as its `msort`: the same comparisons in the same
    /// order, so a comparator that is not a consistent order (`$a.x > $b.x` where some items have
    /// no `x`) gives the same result, and the same pair raises a comparison error (T2007, T2008).
    /// A bottom-up version merged in another order (a differential QA pass). `^()` works out its
    /// keys before sorting, where jsonata-js works them out as it compares, so an error inside a
    /// key may name another item (README).
    pub(crate) fn merge_sort<T>(
        &mut self,
        mut items: Vec<T>,
        swap: &mut dyn FnMut(&mut Self, &T, &T) -> R<bool>,
    ) -> R<Vec<T>> {
        if items.len() <= 1 {
            return Ok(items);
        }
        let right = items.split_off(items.len() / 2);
        let left = self.merge_sort(items, swap)?;
        let right = self.merge_sort(right, swap)?;
        self.charge((left.len() + right.len()) as u64)?;
        let mut merged = Vec::with_capacity(left.len() + right.len());
        let mut l = left.into_iter().peekable();
        let mut r = right.into_iter().peekable();
        loop {
            match (l.peek(), r.peek()) {
                (Some(a), Some(b)) => {
                    if swap(self, a, b)? {
                        merged.extend(r.next());
                    } else {
                        merged.extend(l.next());
                    }
                }
                (Some(_), None) => merged.extend(l.next()),
                (None, Some(_)) => merged.extend(r.next()),
                (None, None) => break,
            }
        }
        Ok(merged)
    }
}

/// Collapses a sequence result: empty is undefined, a singleton is its item (unless kept).
fn collapse(node: &Node, result: Option<JValue>) -> Option<JValue> {
    let Some(JValue::Array(a)) = &result else { return result };
    if !a.sequence {
        return result;
    }
    let mut r = result.unwrap_or(JValue::Null);
    if node.keep_array {
        r = keep_singleton(r);
    }
    let (len, keep) = match &r {
        JValue::Array(a) => (a.items.len(), a.keep_singleton),
        _ => (2, true),
    };
    match len {
        0 => None,
        1 if !keep => r.array_get(0),
        _ => Some(r),
    }
}

/// A closure over the current context and scope.
fn make_lambda(def: &Rc<super::ast::LambdaDef>, input: Option<&JValue>, env: &Rc<Frame>) -> JValue {
    JValue::func(Func::Lambda(Lambda {
        def: def.clone(),
        params: def.params.iter().cloned().collect(),
        signature: def.signature.clone(),
        input: input.cloned(),
        env: env.clone(),
    }))
}

/// Groups keyed by string, in first-seen order.
type IndexMapStr<V> = indexmap::IndexMap<Rc<str>, V, foldhash::fast::FixedState>;

/// `reduceTupleStream`: merges a group's tuples (each variable becomes the sequence of its
/// values); returns the merged context and bindings.
fn reduce_tuples(tuples: Vec<Tuple>) -> (Option<JValue>, Binds) {
    let mut ctxs = Vec::with_capacity(tuples.len());
    let mut binds: Vec<(Rc<str>, Vec<Option<JValue>>)> = Vec::new();
    for (i, t) in tuples.into_iter().enumerate() {
        ctxs.push(t.ctx);
        for (k, v) in t.binds {
            match binds.iter_mut().find(|(n, _)| *n == k) {
                Some(slot) => slot.1.push(v),
                // A variable the first tuple lacks starts as undefined, as in jsonata-js.
                None => binds.push((k, if i == 0 { vec![v] } else { vec![None, v] })),
            }
        }
    }
    (append_all(ctxs), binds.into_iter().map(|(k, vs)| (k, append_all(vs))).collect())
}

fn procedure_name(procedure: &Node) -> Option<Rc<str>> {
    match &procedure.kind {
        Kind::Path { steps, .. } => match steps.first().map(|s| &s.kind) {
            Some(Kind::Name(n)) => Some(n.clone()),
            _ => None,
        },
        Kind::Variable(n) => Some(n.clone()),
        _ => None,
    }
}

fn transform_signature() -> &'static super::signature::Signature {
    static SIG: std::sync::OnceLock<super::signature::Signature> = std::sync::OnceLock::new();
    SIG.get_or_init(|| super::signature::Signature::parse_static("<(oa):o>"))
}

/// `partialApplyProcedure` / `partialApplyNativeFunction`.
fn partial_apply(f: &Rc<Func>, args: Vec<Option<Option<JValue>>>) -> Func {
    if let Func::Lambda(l) = f.unwrapped() {
        let frame = Frame::child(&l.env);
        let mut unbound = Vec::new();
        for (i, p) in l.params.iter().enumerate() {
            match args.get(i) {
                Some(None) => unbound.push(p.clone()),
                Some(Some(v)) => frame.bind(p, v.clone()),
                None => frame.bind(p, None),
            }
        }
        return Func::Lambda(Lambda {
            def: l.def.clone(),
            params: unbound.into(),
            signature: None,
            input: l.input.clone(),
            env: frame,
        });
    }
    Func::Partial { target: f.clone(), args }
}

/// The order-by comparator: `true` when `b` sorts before `a`.
fn order_by_swap(
    terms: &[SortTerm],
    a: &[Option<JValue>],
    b: &[Option<JValue>],
    position: usize,
    _ev: &mut Eval,
) -> R<bool> {
    for (i, term) in terms.iter().enumerate() {
        let aa = a.get(i).cloned().flatten();
        let bb = b.get(i).cloned().flatten();
        let comp = match (&aa, &bb) {
            (None, None) => continue,
            (None, Some(_)) => 1,
            (Some(_), None) => -1,
            (Some(x), Some(y)) => {
                let ok = |v: &JValue| matches!(v, JValue::String(_) | JValue::Number(_));
                if !ok(x) || !ok(y) {
                    let bad = if ok(x) { y } else { x };
                    return Err(
                        JsonataError::at("T2008", position).value_json(stringify::message_json(Some(bad)))
                    );
                }
                let ord = match (x, y) {
                    (JValue::Number(p), JValue::Number(q)) => p.as_f64().partial_cmp(&q.as_f64()),
                    (JValue::String(p), JValue::String(q)) => Some(js_str_cmp(p, q)),
                    _ => {
                        return Err(JsonataError::at("T2007", position)
                            .value_json(stringify::message_json(Some(x)))
                            .value2_json(stringify::message_json(Some(y))))
                    }
                };
                match ord {
                    Some(std::cmp::Ordering::Equal) | None => continue,
                    Some(std::cmp::Ordering::Less) => {
                        if term.descending {
                            1
                        } else {
                            -1
                        }
                    }
                    Some(std::cmp::Ordering::Greater) => {
                        if term.descending {
                            -1
                        } else {
                            1
                        }
                    }
                }
            }
        };
        return Ok(comp == 1);
    }
    Ok(false)
}
