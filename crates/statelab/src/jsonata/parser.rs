//! The JSONata parser: jsonata-js's Pratt parser and its post-parse pass (`processAST`).
//!
//! The post-parse pass flattens paths into steps, attaches predicates, and resolves the parent
//! operator `%`. Nesting is bounded ([`MAX_TREE_DEPTH`] and a stack budget): a deeper expression
//! gets the same stack-overflow error evaluation gives, instead of overflowing the stack.

use std::cell::RefCell;
use std::rc::Rc;

use super::ast::{BinOp, Group, Kind, LambdaDef, Node, Slot, SlotRef, SortTerm, Stage, TransformDef};
use super::error::JsonataError;
use super::lexer::{Lexer, Tok, Token};
use super::regex::JsRegex;
use super::signature::Signature;

/// The deepest syntax tree the parser builds. Step Functions fails evaluation nesting deeper
/// than 100 anyway, so this only has to be far above that and within a 1 MiB stack.
pub(crate) const MAX_TREE_DEPTH: u32 = 300;

/// The most stack parsing may use (see [`super::Limits::max_stack_bytes`]).
const MAX_PARSE_STACK: usize = 640 * 1024;

#[derive(Debug)]
enum RawKind {
    Name(Rc<str>),
    Variable(Rc<str>),
    Str(Rc<str>),
    Num(f64),
    Bool(bool),
    Null,
    Regex(Rc<JsRegex>),
    Wildcard,
    Descendant,
    Parent,
    /// `and`, `or`, `in` used where an operand is expected (they are field names there).
    OpName(&'static str),
    Placeholder,
    /// The end of the text where an operand was expected: jsonata-js lets it into the tree, so
    /// whatever expected more reports first (S0203 `Expected "]" before end of expression`),
    /// and S0207 comes only from the post-parse pass.
    End,
    Binary(&'static str, Box<Raw>, Box<Raw>),
    OrderBy(Box<Raw>, Vec<(bool, Raw)>),
    Group(Option<Box<Raw>>, Vec<(Raw, Raw)>),
    Negate(Box<Raw>),
    Array(Vec<Raw>),
    Call {
        procedure: Box<Raw>,
        args: Vec<Raw>,
        partial: bool,
    },
    Lambda {
        params: Vec<Rc<str>>,
        signature: Option<Signature>,
        body: Box<Raw>,
    },
    Condition(Box<Raw>, Box<Raw>, Option<Box<Raw>>),
    Transform(Box<Raw>, Box<Raw>, Option<Box<Raw>>),
    Block(Vec<Raw>),
}

#[derive(Debug)]
struct Raw {
    kind: RawKind,
    pos: usize,
    keep_array: bool,
    depth: u32,
}

fn too_deep() -> JsonataError {
    JsonataError::depth()
}

impl Raw {
    fn new(kind: RawKind, pos: usize) -> Result<Raw, JsonataError> {
        let child = |r: &Raw| r.depth;
        let d = match &kind {
            RawKind::Binary(_, a, b) => child(a).max(child(b)),
            RawKind::OrderBy(a, terms) => terms.iter().map(|(_, t)| child(t)).fold(child(a), u32::max),
            RawKind::Group(a, pairs) => pairs
                .iter()
                .map(|(k, v)| child(k).max(child(v)))
                .fold(a.as_ref().map_or(0, |a| child(a)), u32::max),
            RawKind::Negate(a) => child(a),
            RawKind::Array(items) | RawKind::Block(items) => items.iter().map(child).max().unwrap_or(0),
            RawKind::Call { procedure, args, .. } => args.iter().map(child).fold(child(procedure), u32::max),
            RawKind::Lambda { body, .. } => child(body),
            RawKind::Condition(a, b, c) | RawKind::Transform(a, b, c) => {
                child(a).max(child(b)).max(c.as_ref().map_or(0, |c| child(c)))
            }
            _ => 0,
        };
        let depth = d + 1;
        if depth > MAX_TREE_DEPTH {
            return Err(too_deep());
        }
        Ok(Raw { kind, pos, keep_array: false, depth })
    }

    /// The token text jsonata-js reports for this node.
    fn value_text(&self) -> String {
        match &self.kind {
            RawKind::Name(n) | RawKind::Variable(n) | RawKind::Str(n) => n.to_string(),
            RawKind::Num(n) => super::stringify::js_number(*n),
            RawKind::Bool(b) => b.to_string(),
            RawKind::Null => "null".into(),
            RawKind::OpName(o) => o.to_string(),
            _ => String::new(),
        }
    }
}

/// The current token, with jsonata-js's symbol id.
#[derive(Clone, Debug)]
struct Cur {
    tok: Option<Tok>,
    position: usize,
}

impl Cur {
    fn id(&self) -> &'static str {
        match &self.tok {
            None => "(end)",
            Some(Tok::Op(o)) => o,
            Some(Tok::Name(_) | Tok::Variable(_)) => "(name)",
            Some(Tok::Str(_) | Tok::Num(_) | Tok::Bool(_) | Tok::Null) => "(literal)",
            Some(Tok::Regex(_)) => "(regex)",
        }
    }

    fn text(&self) -> String {
        match &self.tok {
            None => "(end)".into(),
            Some(Tok::Op(o)) => o.to_string(),
            Some(Tok::Name(n) | Tok::Variable(n) | Tok::Str(n)) => n.to_string(),
            Some(Tok::Num(n)) => super::stringify::js_number(*n),
            Some(Tok::Bool(b)) => b.to_string(),
            Some(Tok::Null) => "null".into(),
            Some(Tok::Regex(r)) => r.source.clone(),
        }
    }
}

/// Binding powers (jsonata-js's `operators` as its symbol table records them).
fn lbp(id: &str) -> u32 {
    match id {
        "." => 75,
        "[" | "(" | "@" | "#" => 80,
        "{" => 70,
        "?" => 20,
        "+" | "-" | "&" => 50,
        "*" | "/" | "%" => 60,
        "=" | "<" | ">" | "^" | "!=" | "<=" | ">=" | "~>" | "in" => 40,
        ":=" => 10,
        "and" => 30,
        "or" => 25,
        _ => 0,
    }
}

/// Operators the symbol table knows (`!` and `~` alone are not operators).
fn known_operator(op: &str) -> bool {
    !matches!(op, "!" | "~")
}

struct Parser {
    lexer: Lexer,
    cur: Cur,
    source_len: usize,
    recursion: u32,
    stack_base: usize,
}

fn stack_exhausted(base: usize) -> bool {
    super::stack_position().abs_diff(base) > MAX_PARSE_STACK
}

impl Parser {
    fn advance(&mut self, expect: Option<&str>, infix: bool) -> Result<(), JsonataError> {
        if let Some(id) = expect {
            if self.cur.id() != id {
                let code = if self.cur.tok.is_none() { "S0203" } else { "S0202" };
                return Err(JsonataError::at(code, self.cur.position).token(self.cur.text()).value_str(id));
            }
        }
        match self.lexer.next(infix)? {
            None => {
                self.cur = Cur { tok: None, position: self.source_len };
            }
            Some(Token { tok, position }) => {
                if let Tok::Op(op) = &tok {
                    if !known_operator(op) {
                        return Err(JsonataError::at("S0204", position).token(*op));
                    }
                }
                self.cur = Cur { tok: Some(tok), position };
            }
        }
        Ok(())
    }

    fn expression(&mut self, rbp: u32) -> Result<Raw, JsonataError> {
        self.recursion += 1;
        if self.recursion > MAX_TREE_DEPTH || stack_exhausted(self.stack_base) {
            return Err(too_deep());
        }
        let t = self.cur.clone();
        self.advance(None, true)?;
        let mut left = self.nud(t)?;
        while rbp < lbp(self.cur.id()) {
            let t = self.cur.clone();
            self.advance(None, false)?;
            left = self.led(t, left)?;
        }
        self.recursion -= 1;
        Ok(left)
    }

    // The functions on the recursive path are kept small: a debug build gives every temporary
    // of a function its own stack slot, so one large `match` per nesting level would cost tens
    // of kilobytes of stack per level.

    fn nud(&mut self, t: Cur) -> Result<Raw, JsonataError> {
        let pos = t.position;
        let Some(tok) = t.tok else {
            return Raw::new(RawKind::End, pos);
        };
        let kind = match tok {
            Tok::Name(n) => RawKind::Name(n),
            Tok::Variable(n) => RawKind::Variable(n),
            Tok::Str(s) => RawKind::Str(s),
            Tok::Num(n) => RawKind::Num(n),
            Tok::Bool(b) => RawKind::Bool(b),
            Tok::Null => RawKind::Null,
            Tok::Regex(r) => RawKind::Regex(r),
            Tok::Op(op) => return self.prefix(op, pos),
        };
        Raw::new(kind, pos)
    }

    fn prefix(&mut self, op: &'static str, pos: usize) -> Result<Raw, JsonataError> {
        let kind = match op {
            "-" => RawKind::Negate(Box::new(self.expression(70)?)),
            "*" => RawKind::Wildcard,
            "**" => RawKind::Descendant,
            "%" => RawKind::Parent,
            "and" | "or" | "in" => RawKind::OpName(op),
            "(" => self.block()?,
            "[" => self.array()?,
            "{" => RawKind::Group(None, self.object_pairs()?),
            "|" => self.transform()?,
            _ => return Err(JsonataError::at("S0211", pos).token(op)),
        };
        Raw::new(kind, pos)
    }

    fn block(&mut self) -> Result<RawKind, JsonataError> {
        let mut exprs = Vec::new();
        while self.cur.id() != ")" {
            exprs.push(self.expression(0)?);
            if self.cur.id() != ";" {
                break;
            }
            self.advance(Some(";"), false)?;
        }
        self.advance(Some(")"), true)?;
        Ok(RawKind::Block(exprs))
    }

    fn array(&mut self) -> Result<RawKind, JsonataError> {
        let mut items = Vec::new();
        if self.cur.id() != "]" {
            loop {
                items.push(self.array_item()?);
                if self.cur.id() != "," {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some("]"), true)?;
        Ok(RawKind::Array(items))
    }

    fn array_item(&mut self) -> Result<Raw, JsonataError> {
        let item = self.expression(0)?;
        if self.cur.id() != ".." {
            return Ok(item);
        }
        let rpos = self.cur.position;
        self.advance(Some(".."), false)?;
        let rhs = self.expression(0)?;
        Raw::new(RawKind::Binary("..", Box::new(item), Box::new(rhs)), rpos)
    }

    fn transform(&mut self) -> Result<RawKind, JsonataError> {
        let pattern = self.expression(0)?;
        self.advance(Some("|"), false)?;
        let update = self.expression(0)?;
        let mut delete = None;
        if self.cur.id() == "," {
            self.advance(Some(","), false)?;
            delete = Some(Box::new(self.expression(0)?));
        }
        self.advance(Some("|"), false)?;
        Ok(RawKind::Transform(Box::new(pattern), Box::new(update), delete))
    }

    fn object_pairs(&mut self) -> Result<Vec<(Raw, Raw)>, JsonataError> {
        let mut pairs = Vec::new();
        if self.cur.id() != "}" {
            loop {
                let k = self.expression(0)?;
                self.advance(Some(":"), false)?;
                let v = self.expression(0)?;
                pairs.push((k, v));
                if self.cur.id() != "," {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some("}"), true)?;
        Ok(pairs)
    }

    fn led(&mut self, t: Cur, left: Raw) -> Result<Raw, JsonataError> {
        let pos = t.position;
        let id = t.id();
        let kind = match id {
            "." | "+" | "-" | "*" | "/" | "%" | "=" | "<" | ">" | "!=" | "<=" | ">=" | "&" | "and" | "or"
            | "in" | "~>" => self.infix(id, left)?,
            "(" => return self.call(pos, left),
            "[" => return self.predicate(pos, left),
            "^" => self.order_by(left)?,
            "{" => RawKind::Group(Some(Box::new(left)), self.object_pairs()?),
            ":=" => self.bind(left)?,
            "@" | "#" => self.context_bind(id, left)?,
            "?" => self.condition(left)?,
            _ => return Err(JsonataError::at("S0201", pos).token(t.text())),
        };
        Raw::new(kind, pos)
    }

    fn infix(&mut self, id: &'static str, left: Raw) -> Result<RawKind, JsonataError> {
        let rhs = self.expression(lbp(id))?;
        Ok(RawKind::Binary(id, Box::new(left), Box::new(rhs)))
    }

    fn predicate(&mut self, pos: usize, left: Raw) -> Result<Raw, JsonataError> {
        if self.cur.id() == "]" {
            let mut left = left;
            mark_keep_array(&mut left);
            self.advance(Some("]"), false)?;
            return Ok(left);
        }
        let rhs = self.expression(0)?;
        self.advance(Some("]"), true)?;
        Raw::new(RawKind::Binary("[", Box::new(left), Box::new(rhs)), pos)
    }

    fn order_by(&mut self, left: Raw) -> Result<RawKind, JsonataError> {
        self.advance(Some("("), false)?;
        let mut terms = Vec::new();
        loop {
            let mut descending = false;
            if self.cur.id() == "<" {
                self.advance(Some("<"), false)?;
            } else if self.cur.id() == ">" {
                descending = true;
                self.advance(Some(">"), false)?;
            }
            terms.push((descending, self.expression(0)?));
            if self.cur.id() != "," {
                break;
            }
            self.advance(Some(","), false)?;
        }
        self.advance(Some(")"), false)?;
        Ok(RawKind::OrderBy(Box::new(left), terms))
    }

    fn bind(&mut self, left: Raw) -> Result<RawKind, JsonataError> {
        if !matches!(left.kind, RawKind::Variable(_)) {
            return Err(JsonataError::at("S0212", left.pos).token(left.value_text()));
        }
        let rhs = self.expression(lbp(":=") - 1)?;
        Ok(RawKind::Binary(":=", Box::new(left), Box::new(rhs)))
    }

    fn context_bind(&mut self, id: &'static str, left: Raw) -> Result<RawKind, JsonataError> {
        let rhs = self.expression(lbp(id))?;
        if !matches!(rhs.kind, RawKind::Variable(_)) {
            return Err(JsonataError::at("S0214", rhs.pos).token(id));
        }
        Ok(RawKind::Binary(id, Box::new(left), Box::new(rhs)))
    }

    fn condition(&mut self, left: Raw) -> Result<RawKind, JsonataError> {
        let then = self.expression(0)?;
        let mut otherwise = None;
        if self.cur.id() == ":" {
            self.advance(Some(":"), false)?;
            otherwise = Some(Box::new(self.expression(0)?));
        }
        Ok(RawKind::Condition(Box::new(left), Box::new(then), otherwise))
    }

    /// `left(args)`: a call, a partial application, or a lambda definition.
    fn call(&mut self, pos: usize, left: Raw) -> Result<Raw, JsonataError> {
        let mut args = Vec::new();
        let mut partial = false;
        if self.cur.id() != ")" {
            loop {
                if self.cur.id() == "?" {
                    partial = true;
                    let p = self.cur.position;
                    args.push(Raw::new(RawKind::Placeholder, p)?);
                    self.advance(Some("?"), false)?;
                } else {
                    args.push(self.expression(0)?);
                }
                if self.cur.id() != "," {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some(")"), true)?;
        let is_lambda = matches!(&left.kind, RawKind::Name(n) if &**n == "function" || &**n == "\u{3bb}");
        if !is_lambda {
            return Raw::new(RawKind::Call { procedure: Box::new(left), args, partial }, pos);
        }
        let mut params = Vec::new();
        for (i, a) in args.iter().enumerate() {
            match &a.kind {
                RawKind::Variable(n) => params.push(n.clone()),
                _ => {
                    return Err(JsonataError::at("S0208", a.pos)
                        .token(a.value_text())
                        .value_json((i + 1).to_string()))
                }
            }
        }
        let mut signature = None;
        if self.cur.id() == "<" {
            let sig_pos = self.cur.position;
            let mut depth = 1;
            let mut sig = String::from("<");
            while depth > 0 && self.cur.id() != "{" && self.cur.id() != "(end)" {
                self.advance(None, false)?;
                match self.cur.id() {
                    ">" => depth -= 1,
                    "<" => depth += 1,
                    _ => {}
                }
                sig.push_str(&self.cur.text());
            }
            self.advance(Some(">"), false)?;
            signature = Some(Signature::parse(&sig).map_err(|e| {
                let offset = e.position.unwrap_or(0);
                e.pos(sig_pos + offset)
            })?);
        }
        self.advance(Some("{"), false)?;
        let body = self.expression(0)?;
        self.advance(Some("}"), false)?;
        Raw::new(RawKind::Lambda { params, signature, body: Box::new(body) }, pos)
    }
}

/// `[]` after a step: flag the innermost step of the predicate chain.
fn mark_keep_array(r: &mut Raw) {
    let mut cur = r;
    while let RawKind::Binary("[", ref mut lhs, _) = cur.kind {
        cur = lhs;
    }
    cur.keep_array = true;
}

/// Parses an expression into the processed tree.
pub(crate) fn parse(text: &str) -> Result<Node, JsonataError> {
    let lexer = Lexer::new(text);
    let source_len = lexer.len();
    let stack_base = super::stack_position();
    let mut p = Parser { lexer, cur: Cur { tok: None, position: 0 }, source_len, recursion: 0, stack_base };
    p.advance(None, false)?;
    let raw = p.expression(0)?;
    if p.cur.tok.is_some() {
        return Err(JsonataError::at("S0201", p.cur.position).token(p.cur.text()));
    }
    let mut proc = Processor { ancestor_label: 0, stack_base };
    let node = proc.process(raw)?;
    if matches!(node.kind, Kind::Parent(_)) || node.ann.seeking_parent.is_some() {
        return Err(JsonataError::at("S0217", node.position).token(type_name(&node)));
    }
    Ok(node)
}

struct Processor {
    ancestor_label: usize,
    stack_base: usize,
}

fn type_name(node: &Node) -> &'static str {
    match &node.kind {
        Kind::Path { .. } => "path",
        Kind::Binary { .. } => "binary",
        Kind::Negate(_) | Kind::ArrayCons(_) | Kind::ObjectCons(_) => "unary",
        Kind::Name(_) => "name",
        Kind::Str(_) => "string",
        Kind::Num(_) => "number",
        Kind::Bool(_) | Kind::Null => "value",
        Kind::Wildcard => "wildcard",
        Kind::Descendant => "descendant",
        Kind::Parent(_) => "parent",
        Kind::Condition { .. } => "condition",
        Kind::Block(_) => "block",
        Kind::Bind { .. } => "bind",
        Kind::Regex(_) => "regex",
        Kind::Call { .. } => "function",
        Kind::Partial { .. } => "partial",
        Kind::Lambda(_) => "lambda",
        Kind::Variable(_) => "variable",
        Kind::Apply { .. } => "apply",
        Kind::Transform(_) => "transform",
        Kind::Sort(_) => "sort",
        Kind::Placeholder => "operator",
    }
}

fn path_of(step: Node) -> Node {
    let pos = step.position;
    Node::new(Kind::Path { steps: vec![step], keep_singleton_array: false }, pos)
}

fn steps_mut(node: &mut Node) -> Option<&mut Vec<Node>> {
    match &mut node.kind {
        Kind::Path { steps, .. } => Some(steps),
        _ => None,
    }
}

/// jsonata-js `pushAncestry`: carry a child's unresolved parent slots up to `result`.
fn push_ancestry(result: &mut Node, value: &Node) {
    let is_parent = matches!(value.kind, Kind::Parent(_));
    if value.ann.seeking_parent.is_none() && !is_parent {
        return;
    }
    let mut slots = value.ann.seeking_parent.clone().unwrap_or_default();
    if let Kind::Parent(slot) = &value.kind {
        slots.push(slot.clone());
    }
    match &mut result.ann.seeking_parent {
        None => result.ann.seeking_parent = Some(slots),
        Some(existing) => existing.extend(slots),
    }
}

/// jsonata-js `seekParent`: walk back from `node` to the step the slot's parent is.
fn seek_parent(node: &mut Node, slot: &SlotRef) -> Result<(), JsonataError> {
    match &mut node.kind {
        Kind::Name(_) | Kind::Wildcard => {
            let level = {
                let mut s = slot.borrow_mut();
                s.level -= 1;
                s.level
            };
            if level == 0 {
                if let Some(existing) = &node.ann.ancestor {
                    let label = existing.borrow().label.clone();
                    slot.borrow_mut().label = label;
                }
                node.ann.ancestor = Some(slot.clone());
                node.tuple = true;
            }
        }
        Kind::Parent(_) => slot.borrow_mut().level += 1,
        Kind::Block(exprs) => {
            if let Some(last) = exprs.last_mut() {
                seek_parent(last, slot)?;
                node.tuple = true;
            }
        }
        Kind::Path { steps, .. } => {
            node.tuple = true;
            let mut index = steps.len() as isize - 1;
            if let Some(step) = steps.get_mut(index as usize) {
                seek_parent(step, slot)?;
            }
            index -= 1;
            while slot.borrow().level > 0 && index >= 0 {
                if let Some(step) = steps.get_mut(index as usize) {
                    seek_parent(step, slot)?;
                }
                index -= 1;
            }
        }
        _ => return Err(JsonataError::at("S0217", node.position).token(type_name(node))),
    }
    Ok(())
}

/// jsonata-js `resolveAncestry`: resolve the parent slots the last step of a path seeks.
fn resolve_ancestry(path: &mut Node) -> Result<(), JsonataError> {
    let mut unresolved = Vec::new();
    {
        let Some(steps) = steps_mut(path) else { return Ok(()) };
        let Some(last) = steps.last() else { return Ok(()) };
        let mut slots = last.ann.seeking_parent.clone().unwrap_or_default();
        if let Kind::Parent(slot) = &last.kind {
            slots.push(slot.clone());
        }
        for slot in slots {
            let mut index = steps.len() as isize - 2;
            while slot.borrow().level > 0 {
                if index < 0 {
                    unresolved.push(slot.clone());
                    break;
                }
                let mut step_i = index as usize;
                index -= 1;
                while index >= 0
                    && steps.get(step_i).is_some_and(|s| s.ann.focus.is_some())
                    && steps.get(index as usize).is_some_and(|s| s.ann.focus.is_some())
                {
                    step_i = index as usize;
                    index -= 1;
                }
                if let Some(step) = steps.get_mut(step_i) {
                    seek_parent(step, &slot)?;
                }
            }
        }
    }
    if !unresolved.is_empty() {
        path.ann.seeking_parent.get_or_insert_with(Vec::new).extend(unresolved);
    }
    Ok(())
}

/// Wraps a lambda body's tail calls in thunks, so the trampoline runs them without growing
/// the stack (jsonata-js `tailCallOptimize`).
fn tail_call_optimize(mut node: Node) -> Node {
    match node.kind {
        Kind::Call { .. } if node.ann.predicate.is_empty() => {
            let pos = node.position;
            Node::new(
                Kind::Lambda(Rc::new(LambdaDef {
                    params: Vec::new(),
                    signature: None,
                    body: node,
                    thunk: true,
                })),
                pos,
            )
        }
        Kind::Condition { then, otherwise, cond } => {
            node.kind = Kind::Condition {
                cond,
                then: Box::new(tail_call_optimize(*then)),
                otherwise: otherwise.map(|o| Box::new(tail_call_optimize(*o))),
            };
            node
        }
        Kind::Block(mut exprs) => {
            if let Some(last) = exprs.pop() {
                exprs.push(tail_call_optimize(last));
            }
            node.kind = Kind::Block(exprs);
            node
        }
        _ => node,
    }
}

fn literal_json(node: &Node) -> Option<String> {
    match &node.kind {
        Kind::Num(n) => Some(super::stringify::js_number(*n)),
        Kind::Bool(b) => Some(b.to_string()),
        Kind::Null => Some("null".into()),
        _ => None,
    }
}

impl Processor {
    fn process(&mut self, raw: Raw) -> Result<Node, JsonataError> {
        if stack_exhausted(self.stack_base) {
            return Err(too_deep());
        }
        let Raw { kind, pos, keep_array, .. } = raw;
        let mut result = self.process_kind(kind, pos, keep_array)?;
        if keep_array {
            result.keep_array = true;
        }
        Ok(result)
    }

    // One small function per construct, for the reason given in `Parser::nud`.
    fn process_kind(&mut self, kind: RawKind, pos: usize, keep: bool) -> Result<Node, JsonataError> {
        match kind {
            RawKind::Binary(op, lhs, rhs) => self.binary(op, *lhs, *rhs, pos, keep),
            RawKind::OrderBy(lhs, terms) => self.order_by(*lhs, terms, pos),
            RawKind::Group(Some(lhs), pairs) => self.group_by(*lhs, pairs, pos),
            RawKind::Group(None, pairs) => self.object(pairs, pos),
            RawKind::Negate(inner) => self.negate(*inner, pos),
            RawKind::Array(items) => self.array(items, pos),
            RawKind::Call { procedure, args, partial } => self.call(*procedure, args, partial, pos),
            RawKind::Lambda { params, signature, body } => self.lambda(params, signature, *body, pos),
            RawKind::Condition(c, t, e) => self.condition(*c, *t, e, pos),
            RawKind::Transform(p, u, d) => self.transform(*p, *u, d, pos),
            RawKind::Block(items) => self.block(items, pos),
            RawKind::End => Err(JsonataError::at("S0207", pos)),
            other => Ok(self.leaf(other, pos, keep)),
        }
    }

    fn leaf(&mut self, kind: RawKind, pos: usize, keep: bool) -> Node {
        match kind {
            RawKind::Name(n) => {
                let mut step = Node::new(Kind::Name(n), pos);
                step.keep_array = keep;
                Node::new(Kind::Path { steps: vec![step], keep_singleton_array: keep }, pos)
            }
            RawKind::OpName(op) => {
                let mut step = Node::new(Kind::Name(op.into()), pos);
                step.keep_array = keep;
                path_of(step)
            }
            RawKind::Parent => {
                let label: Rc<str> = format!("!{}", self.ancestor_label).into();
                self.ancestor_label += 1;
                Node::new(Kind::Parent(Rc::new(RefCell::new(Slot { label, level: 1 }))), pos)
            }
            RawKind::Variable(n) => Node::new(Kind::Variable(n), pos),
            RawKind::Str(s) => Node::new(Kind::Str(s), pos),
            RawKind::Num(n) => Node::new(Kind::Num(n), pos),
            RawKind::Bool(b) => Node::new(Kind::Bool(b), pos),
            RawKind::Regex(r) => Node::new(Kind::Regex(r), pos),
            RawKind::Wildcard => Node::new(Kind::Wildcard, pos),
            RawKind::Descendant => Node::new(Kind::Descendant, pos),
            RawKind::Placeholder => Node::new(Kind::Placeholder, pos),
            _ => Node::new(Kind::Null, pos),
        }
    }

    fn order_by(&mut self, lhs: Raw, terms: Vec<(bool, Raw)>, pos: usize) -> Result<Node, JsonataError> {
        let lhs = self.process(lhs)?;
        let mut result = if matches!(lhs.kind, Kind::Path { .. }) { lhs } else { path_of(lhs) };
        let mut sort = Node::new(Kind::Sort(Vec::new()), pos);
        let mut processed = Vec::new();
        for (descending, t) in terms {
            let expr = self.process(t)?;
            push_ancestry(&mut sort, &expr);
            processed.push(SortTerm { descending, expr });
        }
        sort.kind = Kind::Sort(processed);
        if let Some(steps) = steps_mut(&mut result) {
            steps.push(sort);
        }
        resolve_ancestry(&mut result)?;
        Ok(result)
    }

    fn pairs(
        &mut self,
        pairs: Vec<(Raw, Raw)>,
        ancestry: Option<&mut Node>,
    ) -> Result<Vec<(Node, Node)>, JsonataError> {
        let mut processed = Vec::new();
        let mut ancestry = ancestry;
        for (k, v) in pairs {
            let key = self.process(k)?;
            let value = self.process(v)?;
            if let Some(result) = ancestry.as_deref_mut() {
                push_ancestry(result, &key);
                push_ancestry(result, &value);
            }
            processed.push((key, value));
        }
        Ok(processed)
    }

    fn group_by(&mut self, lhs: Raw, pairs: Vec<(Raw, Raw)>, pos: usize) -> Result<Node, JsonataError> {
        let mut result = self.process(lhs)?;
        if result.ann.group.is_some() {
            return Err(JsonataError::at("S0210", pos));
        }
        let processed = self.pairs(pairs, None)?;
        result.ann.group = Some(Box::new(Group { pairs: processed, position: pos }));
        Ok(result)
    }

    fn object(&mut self, pairs: Vec<(Raw, Raw)>, pos: usize) -> Result<Node, JsonataError> {
        let mut result = Node::new(Kind::Null, pos);
        let processed = self.pairs(pairs, Some(&mut result))?;
        result.kind = Kind::ObjectCons(Group { pairs: processed, position: pos });
        Ok(result)
    }

    fn negate(&mut self, inner: Raw, pos: usize) -> Result<Node, JsonataError> {
        let inner = self.process(inner)?;
        if let Kind::Num(n) = inner.kind {
            let mut lit = inner;
            lit.kind = Kind::Num(-n);
            return Ok(lit);
        }
        let mut result = Node::new(Kind::Null, pos);
        push_ancestry(&mut result, &inner);
        result.kind = Kind::Negate(Box::new(inner));
        Ok(result)
    }

    fn array(&mut self, items: Vec<Raw>, pos: usize) -> Result<Node, JsonataError> {
        let mut result = Node::new(Kind::Null, pos);
        let mut processed = Vec::new();
        for item in items {
            let v = self.process(item)?;
            push_ancestry(&mut result, &v);
            processed.push(v);
        }
        result.kind = Kind::ArrayCons(processed);
        Ok(result)
    }

    fn call(
        &mut self,
        procedure: Raw,
        args: Vec<Raw>,
        partial: bool,
        pos: usize,
    ) -> Result<Node, JsonataError> {
        let mut result = Node::new(Kind::Null, pos);
        let mut processed = Vec::new();
        for a in args {
            if matches!(a.kind, RawKind::Placeholder) {
                processed.push(None);
                continue;
            }
            let v = self.process(a)?;
            push_ancestry(&mut result, &v);
            processed.push(Some(v));
        }
        let procedure = Box::new(self.process(procedure)?);
        result.kind = if partial {
            Kind::Partial { procedure, args: processed }
        } else {
            Kind::Call { procedure, args: processed.into_iter().flatten().collect() }
        };
        Ok(result)
    }

    fn lambda(
        &mut self,
        params: Vec<Rc<str>>,
        signature: Option<Signature>,
        body: Raw,
        pos: usize,
    ) -> Result<Node, JsonataError> {
        let body = tail_call_optimize(self.process(body)?);
        let def = LambdaDef { params, signature: signature.map(Rc::new), body, thunk: false };
        Ok(Node::new(Kind::Lambda(Rc::new(def)), pos))
    }

    fn condition(&mut self, c: Raw, t: Raw, e: Option<Box<Raw>>, pos: usize) -> Result<Node, JsonataError> {
        let mut result = Node::new(Kind::Null, pos);
        let cond = self.process(c)?;
        push_ancestry(&mut result, &cond);
        let then = self.process(t)?;
        push_ancestry(&mut result, &then);
        let otherwise = match e {
            Some(e) => {
                let e = self.process(*e)?;
                push_ancestry(&mut result, &e);
                Some(Box::new(e))
            }
            None => None,
        };
        result.kind = Kind::Condition { cond: Box::new(cond), then: Box::new(then), otherwise };
        Ok(result)
    }

    fn transform(&mut self, p: Raw, u: Raw, d: Option<Box<Raw>>, pos: usize) -> Result<Node, JsonataError> {
        let pattern = self.process(p)?;
        let update = self.process(u)?;
        let delete = match d {
            Some(d) => Some(self.process(*d)?),
            None => None,
        };
        let def = TransformDef { pattern, update, delete, position: pos };
        Ok(Node::new(Kind::Transform(Rc::new(def)), pos))
    }

    fn block(&mut self, items: Vec<Raw>, pos: usize) -> Result<Node, JsonataError> {
        let mut result = Node::new(Kind::Null, pos);
        let mut processed = Vec::new();
        for item in items {
            let part = self.process(item)?;
            push_ancestry(&mut result, &part);
            let first_cons = match &part.kind {
                Kind::Path { steps, .. } => steps.first().is_some_and(|s| s.consarray),
                _ => false,
            };
            if part.consarray || first_cons {
                result.consarray = true;
            }
            processed.push(part);
        }
        result.kind = Kind::Block(processed);
        Ok(result)
    }

    fn binary(
        &mut self,
        op: &'static str,
        lhs: Raw,
        rhs: Raw,
        pos: usize,
        keep: bool,
    ) -> Result<Node, JsonataError> {
        match op {
            "." => self.dot(lhs, rhs),
            "[" => self.filter(lhs, rhs, pos),
            ":=" => self.bind(lhs, rhs, pos),
            "@" => self.focus(lhs, rhs, pos, keep),
            "#" => self.index(lhs, rhs),
            "~>" => self.apply(lhs, rhs, pos),
            _ => self.operator(op, lhs, rhs, pos),
        }
    }

    fn dot(&mut self, lhs: Raw, rhs: Raw) -> Result<Node, JsonataError> {
        let lstep = self.process(lhs)?;
        let lstep_parent = match &lstep.kind {
            Kind::Parent(slot) => Some(slot.clone()),
            _ => None,
        };
        let mut result = if matches!(lstep.kind, Kind::Path { .. }) { lstep } else { path_of(lstep) };
        if let Some(slot) = lstep_parent {
            result.ann.seeking_parent = Some(vec![slot]);
        }
        let rest = self.process(rhs)?;
        append_steps(&mut result, rest)?;
        resolve_ancestry(&mut result)?;
        Ok(result)
    }

    fn filter(&mut self, lhs: Raw, rhs: Raw, pos: usize) -> Result<Node, JsonataError> {
        let mut result = self.process(lhs)?;
        let predicate = self.process(rhs)?;
        attach_filter(&mut result, predicate, pos)?;
        Ok(result)
    }

    fn bind(&mut self, lhs: Raw, rhs: Raw, pos: usize) -> Result<Node, JsonataError> {
        let name = match lhs.kind {
            RawKind::Variable(n) => n,
            _ => return Err(JsonataError::at("S0212", lhs.pos)),
        };
        let value = self.process(rhs)?;
        let mut result = Node::new(Kind::Null, pos);
        push_ancestry(&mut result, &value);
        result.kind = Kind::Bind { name, value: Box::new(value) };
        Ok(result)
    }

    fn focus(&mut self, lhs: Raw, rhs: Raw, pos: usize, keep: bool) -> Result<Node, JsonataError> {
        let name = match rhs.kind {
            RawKind::Variable(n) => n,
            _ => return Err(JsonataError::at("S0214", rhs.pos).token("@")),
        };
        let mut result = self.process(lhs)?;
        let step: &mut Node = if matches!(result.kind, Kind::Path { .. }) {
            match steps_mut(&mut result).and_then(|s| s.last_mut()) {
                Some(s) => s,
                None => return Ok(result),
            }
        } else {
            &mut result
        };
        if !step.ann.stages.is_empty() || !step.ann.predicate.is_empty() {
            return Err(JsonataError::at("S0215", pos));
        }
        if matches!(step.kind, Kind::Sort(_)) {
            return Err(JsonataError::at("S0216", pos));
        }
        if keep {
            step.keep_array = true;
        }
        step.ann.focus = Some(name);
        step.tuple = true;
        Ok(result)
    }

    fn index(&mut self, lhs: Raw, rhs: Raw) -> Result<Node, JsonataError> {
        let name = match rhs.kind {
            RawKind::Variable(n) => n,
            _ => return Err(JsonataError::at("S0214", rhs.pos).token("#")),
        };
        let mut result = self.process(lhs)?;
        if !matches!(result.kind, Kind::Path { .. }) {
            let mut step = result;
            for p in std::mem::take(&mut step.ann.predicate) {
                step.ann.stages.push(Stage::Filter(p));
            }
            result = path_of(step);
        }
        if let Some(step) = steps_mut(&mut result).and_then(|s| s.last_mut()) {
            if step.ann.stages.is_empty() {
                step.ann.index = Some(name);
            } else {
                step.ann.stages.push(Stage::Index(name));
            }
            step.tuple = true;
        }
        Ok(result)
    }

    fn apply(&mut self, lhs: Raw, rhs: Raw, pos: usize) -> Result<Node, JsonataError> {
        let lhs = self.process(lhs)?;
        let rhs = self.process(rhs)?;
        let keep_array = lhs.keep_array || rhs.keep_array;
        let mut result = Node::new(Kind::Apply { lhs: Box::new(lhs), rhs: Box::new(rhs) }, pos);
        result.keep_array = keep_array;
        Ok(result)
    }

    fn operator(&mut self, op: &'static str, lhs: Raw, rhs: Raw, pos: usize) -> Result<Node, JsonataError> {
        let bop = BinOp::from_token(op).ok_or_else(|| JsonataError::at("S0201", pos).token(op))?;
        let lhs = self.process(lhs)?;
        let rhs = self.process(rhs)?;
        let mut result = Node::new(Kind::Null, pos);
        push_ancestry(&mut result, &lhs);
        push_ancestry(&mut result, &rhs);
        result.kind = Kind::Binary { op: bop, lhs: Box::new(lhs), rhs: Box::new(rhs) };
        Ok(result)
    }
}

/// The `.` operator's step handling: the right side's steps join the path.
fn append_steps(result: &mut Node, mut rest: Node) -> Result<(), JsonataError> {
    let Some(steps) = steps_mut(result) else { return Ok(()) };
    match rest.kind {
        Kind::Path { steps: rest_steps, .. } => steps.extend(rest_steps),
        _ => {
            for p in std::mem::take(&mut rest.ann.predicate) {
                rest.ann.stages.push(Stage::Filter(p));
            }
            steps.push(rest);
        }
    }
    for step in steps.iter_mut() {
        if let Some(v) = literal_json(step) {
            return Err(JsonataError::at("S0213", step.position).value_json(v));
        }
        if let Kind::Str(s) = &step.kind {
            step.kind = Kind::Name(s.clone());
        }
    }
    let keep_singleton = steps.iter().any(|s| s.keep_array);
    if let Some(first) = steps.first_mut() {
        if matches!(first.kind, Kind::ArrayCons(_)) {
            first.consarray = true;
        }
    }
    if let Some(last) = steps.last_mut() {
        if matches!(last.kind, Kind::ArrayCons(_)) {
            last.consarray = true;
        }
    }
    if keep_singleton {
        if let Kind::Path { keep_singleton_array, .. } = &mut result.kind {
            *keep_singleton_array = true;
        }
    }
    Ok(())
}

/// `[predicate]` on a step (or on any other expression).
fn attach_filter(result: &mut Node, predicate: Node, pos: usize) -> Result<(), JsonataError> {
    let is_path = matches!(result.kind, Kind::Path { .. });
    let step: &mut Node = if is_path {
        match steps_mut(result).and_then(|s| s.last_mut()) {
            Some(s) => s,
            None => return Ok(()),
        }
    } else {
        result
    };
    if step.ann.group.is_some() {
        return Err(JsonataError::at("S0209", pos));
    }
    if let Some(slots) = predicate.ann.seeking_parent.clone() {
        for slot in &slots {
            let level = slot.borrow().level;
            if level == 1 {
                seek_parent(step, slot)?;
            } else {
                slot.borrow_mut().level -= 1;
            }
        }
        push_ancestry(step, &predicate);
    }
    if is_path {
        step.ann.stages.push(Stage::Filter(predicate));
    } else {
        step.ann.predicate.push(predicate);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> &'static str {
        match parse(s) {
            Ok(_) => "ok",
            Err(e) => e.code,
        }
    }

    #[test]
    fn parses_and_refuses() {
        assert_eq!(code("a.b[0].c"), "ok");
        assert_eq!(code("$x := function($a, $b)<nn:n>{ $a + $b }; $x(1, 2)"), "S0201");
        assert_eq!(code("($x := function($a, $b)<nn:n>{ $a + $b }; $x(1, 2))"), "ok");
        assert_eq!(code("1 +"), "S0207");
        assert_eq!(code("a[1,2)"), "S0202");
        assert_eq!(code("{\"a\":}"), "S0211");
        assert_eq!(code("(1"), "S0203");
        assert_eq!(code("1 ! 2"), "S0204");
        assert_eq!(code("function(a){1}"), "S0208");
        assert_eq!(code("$x{\"a\":1}[0]"), "S0209");
        assert_eq!(code("a{\"x\":1}{\"y\":2}"), "S0210");
        assert_eq!(code("1 := 2"), "S0212");
        assert_eq!(code("a.1"), "S0213");
        assert_eq!(code("a@b"), "S0214");
        assert_eq!(code("a[0]@$x"), "S0215");
        assert_eq!(code("%"), "S0217");
        assert_eq!(code("a ?: b"), "S0211");
        assert_eq!(code("a ?? b"), "S0211");
        assert_eq!(code("Account.Order.Product.%.OrderID"), "ok");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(code(&deep), "U1001");
        let long = format!("1{}", "+1".repeat(5000));
        assert_eq!(code(&long), "U1001");
        let ok = format!("{}1{}", "[".repeat(150), "]".repeat(150));
        assert_eq!(code(&ok), "ok");
    }
}
