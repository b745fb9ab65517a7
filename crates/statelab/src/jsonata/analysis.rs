//! What an expression reads, found without running it.
//!
//! References to the input at the top level (Step Functions refuses `phone` and `$` there) and
//! the free `$variables`.

use std::collections::{BTreeSet, HashSet};
use std::rc::Rc;

use super::ast::{Kind, Node, Stage};
use super::functions::builtin_names;

/// A reference to the evaluation's input at the top level of an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputReference {
    /// What is referenced: a field name, `$`, `$$`, `*` or `**`.
    pub name: String,
    /// Character offset in the expression (just past the reference).
    pub position: usize,
}

/// Finds the references to the input a top-level context would see.
pub(crate) fn input_references(root: &Node) -> Vec<InputReference> {
    let mut out = Vec::new();
    refs(root, true, &mut out);
    out
}

fn report(out: &mut Vec<InputReference>, name: &str, node: &Node) {
    out.push(InputReference { name: name.to_string(), position: node.position });
}

fn refs_annotations(node: &Node, out: &mut Vec<InputReference>) {
    for p in &node.ann.predicate {
        refs(p, false, out);
    }
    for s in &node.ann.stages {
        if let Stage::Filter(p) = s {
            refs(p, false, out);
        }
    }
    if let Some(g) = &node.ann.group {
        for (k, v) in &g.pairs {
            refs(k, false, out);
            refs(v, false, out);
        }
    }
}

fn refs(node: &Node, top: bool, out: &mut Vec<InputReference>) {
    refs_annotations(node, out);
    match &node.kind {
        Kind::Path { steps, .. } => {
            for (i, step) in steps.iter().enumerate() {
                let step_top = top && i == 0;
                match &step.kind {
                    Kind::Name(n) if step_top => {
                        report(out, n, step);
                        refs_annotations(step, out);
                    }
                    Kind::Wildcard if step_top => {
                        report(out, "*", step);
                        refs_annotations(step, out);
                    }
                    Kind::Descendant if step_top => {
                        report(out, "**", step);
                        refs_annotations(step, out);
                    }
                    _ => refs(step, step_top, out),
                }
            }
        }
        Kind::Name(n) => {
            if top {
                report(out, n, node);
            }
        }
        Kind::Wildcard => {
            if top {
                report(out, "*", node);
            }
        }
        Kind::Descendant => {
            if top {
                report(out, "**", node);
            }
        }
        Kind::Variable(n) => {
            if n.is_empty() && top {
                report(out, "$", node);
            } else if &**n == "$" {
                report(out, "$$", node);
            }
        }
        Kind::Binary { lhs, rhs, .. } | Kind::Apply { lhs, rhs } => {
            refs(lhs, top, out);
            refs(rhs, top, out);
        }
        Kind::Negate(e) => refs(e, top, out),
        Kind::ArrayCons(items) | Kind::Block(items) => {
            for i in items {
                refs(i, top, out);
            }
        }
        Kind::ObjectCons(g) => {
            for (k, v) in &g.pairs {
                refs(k, top, out);
                refs(v, top, out);
            }
        }
        Kind::Condition { cond, then, otherwise } => {
            refs(cond, top, out);
            refs(then, top, out);
            if let Some(o) = otherwise {
                refs(o, top, out);
            }
        }
        Kind::Bind { value, .. } => refs(value, top, out),
        Kind::Call { procedure, args } => {
            refs(procedure, top, out);
            for a in args {
                refs(a, top, out);
            }
        }
        Kind::Partial { procedure, args } => {
            refs(procedure, top, out);
            for a in args.iter().flatten() {
                refs(a, top, out);
            }
        }
        // A lambda's body runs with the context it was defined in.
        Kind::Lambda(def) => refs(&def.body, top, out),
        Kind::Transform(def) => {
            refs(&def.pattern, false, out);
            refs(&def.update, false, out);
            if let Some(d) = &def.delete {
                refs(d, false, out);
            }
        }
        Kind::Sort(terms) => {
            for t in terms {
                refs(&t.expr, false, out);
            }
        }
        Kind::Str(_)
        | Kind::Num(_)
        | Kind::Bool(_)
        | Kind::Null
        | Kind::Parent(_)
        | Kind::Regex(_)
        | Kind::Placeholder => {}
    }
}

/// The built-in functions an expression calls by name (`$count(...)` calls `count`).
pub(crate) fn called_builtins(root: &Node) -> BTreeSet<String> {
    let builtins: HashSet<&str> = builtin_names().collect();
    called_names(root, |v| builtins.contains(v))
}

/// The names an expression calls by `$name(...)` that `keep` keeps.
fn called_names(root: &Node, keep: impl Fn(&str) -> bool) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk_all(root, &mut |n| {
        if let Kind::Call { procedure, .. } = &n.kind {
            if let Kind::Variable(v) = &procedure.kind {
                if keep(v) {
                    out.insert(v.to_string());
                }
            }
        }
    });
    out
}

/// The names among `names` that an expression calls as functions (`$sumx(...)`).
pub(crate) fn called_among(root: &Node, names: &BTreeSet<String>) -> BTreeSet<String> {
    called_names(root, |v| names.contains(v))
}

/// The fields of `$states` an expression names directly (`$states.result.x` names `result`).
/// A bare `$states`, or one indexed dynamically, names none.
pub(crate) fn states_fields(root: &Node) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk_all(root, &mut |n| {
        if let Kind::Path { steps, .. } = &n.kind {
            if let [first, second, ..] = steps.as_slice() {
                if let (Kind::Variable(v), Kind::Name(field)) = (&first.kind, &second.kind) {
                    if &**v == "states" {
                        out.insert(field.to_string());
                    }
                }
            }
        }
    });
    out
}

/// Scopes for the free-variable walk: names bound so far, and references inside lambdas that
/// may be bound later in an enclosing block (a closure sees bindings made after it).
/// One scope: the names bound in it, and lambda references waiting for it to close.
type Scope = (HashSet<Rc<str>>, Vec<Rc<str>>);

struct Scopes {
    stack: Vec<Scope>,
    positional: HashSet<Rc<str>>,
    free: BTreeSet<String>,
    lambda_depth: usize,
}

impl Scopes {
    fn bound(&self, name: &str) -> bool {
        self.positional.contains(name) || self.stack.iter().any(|(names, _)| names.contains(name))
    }

    fn reference(&mut self, name: &Rc<str>) {
        if self.bound(name) {
            return;
        }
        if self.lambda_depth > 0 {
            if let Some((_, pending)) = self.stack.last_mut() {
                pending.push(name.clone());
                return;
            }
        }
        self.free.insert(name.to_string());
    }

    fn push(&mut self, names: HashSet<Rc<str>>) {
        self.stack.push((names, Vec::new()));
    }

    fn pop(&mut self) {
        if let Some((names, pending)) = self.stack.pop() {
            for p in pending {
                if names.contains(&p) {
                    continue;
                }
                match self.stack.last_mut() {
                    Some((_, outer)) => outer.push(p),
                    None => {
                        self.free.insert(p.to_string());
                    }
                }
            }
        }
    }
}

fn collect_positional(node: &Node, out: &mut HashSet<Rc<str>>) {
    walk_all(node, &mut |n| {
        if let Some(f) = &n.ann.focus {
            out.insert(f.clone());
        }
        if let Some(i) = &n.ann.index {
            out.insert(i.clone());
        }
        for s in &n.ann.stages {
            if let Stage::Index(i) = s {
                out.insert(i.clone());
            }
        }
    });
}

/// Visits every node.
fn walk_all(node: &Node, f: &mut dyn FnMut(&Node)) {
    f(node);
    for p in &node.ann.predicate {
        walk_all(p, f);
    }
    for s in &node.ann.stages {
        if let Stage::Filter(p) = s {
            walk_all(p, f);
        }
    }
    if let Some(g) = &node.ann.group {
        for (k, v) in &g.pairs {
            walk_all(k, f);
            walk_all(v, f);
        }
    }
    match &node.kind {
        Kind::Path { steps: items, .. } | Kind::ArrayCons(items) | Kind::Block(items) => {
            for i in items {
                walk_all(i, f);
            }
        }
        Kind::Binary { lhs, rhs, .. } | Kind::Apply { lhs, rhs } => {
            walk_all(lhs, f);
            walk_all(rhs, f);
        }
        Kind::Negate(e) | Kind::Bind { value: e, .. } => walk_all(e, f),
        Kind::ObjectCons(g) => {
            for (k, v) in &g.pairs {
                walk_all(k, f);
                walk_all(v, f);
            }
        }
        Kind::Condition { cond, then, otherwise } => {
            walk_all(cond, f);
            walk_all(then, f);
            if let Some(o) = otherwise {
                walk_all(o, f);
            }
        }
        Kind::Call { procedure, args } => {
            walk_all(procedure, f);
            for a in args {
                walk_all(a, f);
            }
        }
        Kind::Partial { procedure, args } => {
            walk_all(procedure, f);
            for a in args.iter().flatten() {
                walk_all(a, f);
            }
        }
        Kind::Lambda(def) => walk_all(&def.body, f),
        Kind::Transform(def) => {
            walk_all(&def.pattern, f);
            walk_all(&def.update, f);
            if let Some(d) = &def.delete {
                walk_all(d, f);
            }
        }
        Kind::Sort(terms) => {
            for t in terms {
                walk_all(&t.expr, f);
            }
        }
        _ => {}
    }
}

/// The `$variables` an expression reads that it does not bind itself (built-in function names
/// excluded).
pub(crate) fn free_variables(root: &Node) -> BTreeSet<String> {
    let mut positional = HashSet::new();
    collect_positional(root, &mut positional);
    let mut s = Scopes { stack: Vec::new(), positional, free: BTreeSet::new(), lambda_depth: 0 };
    s.push(HashSet::new());
    vars(root, &mut s);
    s.pop();
    let builtins: HashSet<&str> = builtin_names().collect();
    s.free.into_iter().filter(|n| !builtins.contains(n.as_str())).collect()
}

fn vars_annotations(node: &Node, s: &mut Scopes) {
    for p in &node.ann.predicate {
        vars(p, s);
    }
    for st in &node.ann.stages {
        if let Stage::Filter(p) = st {
            vars(p, s);
        }
    }
    if let Some(g) = &node.ann.group {
        for (k, v) in &g.pairs {
            vars(k, s);
            vars(v, s);
        }
    }
}

fn vars(node: &Node, s: &mut Scopes) {
    match &node.kind {
        Kind::Variable(n) if !n.is_empty() && &**n != "$" => s.reference(n),
        Kind::Block(items) => {
            s.push(HashSet::new());
            for i in items {
                vars(i, s);
            }
            s.pop();
        }
        Kind::Bind { name, value } => {
            vars(value, s);
            if let Some((names, _)) = s.stack.last_mut() {
                names.insert(name.clone());
            }
        }
        Kind::Lambda(def) => {
            s.lambda_depth += 1;
            s.push(def.params.iter().cloned().collect());
            vars(&def.body, s);
            s.pop();
            s.lambda_depth -= 1;
        }
        Kind::Path { steps: items, .. } | Kind::ArrayCons(items) => {
            for i in items {
                vars(i, s);
            }
        }
        Kind::Binary { lhs, rhs, .. } | Kind::Apply { lhs, rhs } => {
            vars(lhs, s);
            vars(rhs, s);
        }
        Kind::Negate(e) => vars(e, s),
        Kind::ObjectCons(g) => {
            for (k, v) in &g.pairs {
                vars(k, s);
                vars(v, s);
            }
        }
        Kind::Condition { cond, then, otherwise } => {
            vars(cond, s);
            vars(then, s);
            if let Some(o) = otherwise {
                vars(o, s);
            }
        }
        Kind::Call { procedure, args } => {
            vars(procedure, s);
            for a in args {
                vars(a, s);
            }
        }
        Kind::Partial { procedure, args } => {
            vars(procedure, s);
            for a in args.iter().flatten() {
                vars(a, s);
            }
        }
        Kind::Transform(def) => {
            vars(&def.pattern, s);
            vars(&def.update, s);
            if let Some(d) = &def.delete {
                vars(d, s);
            }
        }
        Kind::Sort(terms) => {
            for t in terms {
                vars(&t.expr, s);
            }
        }
        _ => {}
    }
    vars_annotations(node, s);
}
