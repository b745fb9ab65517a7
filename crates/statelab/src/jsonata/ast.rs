//! The processed syntax tree the evaluator walks.
//!
//! It is jsonata-js's AST after its post-parse pass: paths flattened into steps, predicates
//! attached to steps, parent references resolved.

use std::cell::RefCell;
use std::rc::Rc;

use super::regex::JsRegex;
use super::signature::Signature;

/// A parent-operator slot (`%`): the label a tuple binds the ancestor under.
#[derive(Debug)]
pub(crate) struct Slot {
    pub label: Rc<str>,
    pub level: i32,
}

pub(crate) type SlotRef = Rc<RefCell<Slot>>;

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Concat,
    And,
    Or,
    In,
    Range,
}

impl BinOp {
    pub(crate) fn from_token(op: &str) -> Option<BinOp> {
        Some(match op {
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            "%" => BinOp::Mod,
            "=" => BinOp::Eq,
            "!=" => BinOp::Ne,
            "<" => BinOp::Lt,
            "<=" => BinOp::Le,
            ">" => BinOp::Gt,
            ">=" => BinOp::Ge,
            "&" => BinOp::Concat,
            "and" => BinOp::And,
            "or" => BinOp::Or,
            "in" => BinOp::In,
            ".." => BinOp::Range,
            _ => return None,
        })
    }

    pub(crate) fn token(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Concat => "&",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::In => "in",
            BinOp::Range => "..",
        }
    }
}

/// A step stage: a filter (`[expr]`) or a position binding (`#$i`) after a filter.
#[derive(Debug)]
pub(crate) enum Stage {
    Filter(Node),
    Index(Rc<str>),
}

/// `{key: value, ...}` used as grouping on a step, or an object constructor.
#[derive(Debug)]
pub(crate) struct Group {
    pub pairs: Vec<(Node, Node)>,
    pub position: usize,
}

/// One `^(...)` term.
#[derive(Debug)]
pub(crate) struct SortTerm {
    pub descending: bool,
    pub expr: Node,
}

/// `function($a, $b)<sig>{ body }`, or a tail-call thunk.
#[derive(Debug)]
pub(crate) struct LambdaDef {
    pub params: Vec<Rc<str>>,
    pub signature: Option<Rc<Signature>>,
    pub body: Node,
    /// A tail call wrapped for the trampoline (its body is the call).
    pub thunk: bool,
}

/// `| pattern | update, delete |`.
#[derive(Debug)]
pub(crate) struct TransformDef {
    pub pattern: Node,
    pub update: Node,
    pub delete: Option<Node>,
    pub position: usize,
}

/// What a node is.
#[derive(Debug)]
pub(crate) enum Kind {
    Path {
        steps: Vec<Node>,
        keep_singleton_array: bool,
    },
    Binary {
        op: BinOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    Negate(Box<Node>),
    ArrayCons(Vec<Node>),
    ObjectCons(Group),
    Name(Rc<str>),
    Str(Rc<str>),
    Num(f64),
    Bool(bool),
    Null,
    Wildcard,
    Descendant,
    Parent(SlotRef),
    Condition {
        cond: Box<Node>,
        then: Box<Node>,
        otherwise: Option<Box<Node>>,
    },
    Block(Vec<Node>),
    Bind {
        name: Rc<str>,
        value: Box<Node>,
    },
    Regex(Rc<JsRegex>),
    Call {
        procedure: Box<Node>,
        args: Vec<Node>,
    },
    /// A call with `?` placeholders (`None`).
    Partial {
        procedure: Box<Node>,
        args: Vec<Option<Node>>,
    },
    Lambda(Rc<LambdaDef>),
    Variable(Rc<str>),
    Apply {
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    Transform(Rc<TransformDef>),
    Sort(Vec<SortTerm>),
    /// A `?` placeholder outside a call (an error when evaluated).
    Placeholder,
}

/// A node and the annotations the post-parse pass puts on it.
#[derive(Debug)]
pub(crate) struct Node {
    pub kind: Kind,
    pub position: usize,
    /// `[]`: keep a singleton result as an array.
    pub keep_array: bool,
    /// The step takes part in a tuple stream.
    pub tuple: bool,
    /// An array constructor at the start or end of a path.
    pub consarray: bool,
    /// The rest, boxed: nodes are moved around a lot while the tree is built, and a small
    /// node keeps those moves (and the stack they use) small.
    pub ann: Box<Annotations>,
}

/// A node's less common annotations.
#[derive(Debug, Default)]
pub(crate) struct Annotations {
    /// Filters on a node that is not a path step.
    pub predicate: Vec<Node>,
    /// Filters and index bindings on a path step.
    pub stages: Vec<Stage>,
    /// Grouping (`a{...}`).
    pub group: Option<Box<Group>>,
    /// `@$v` on a step.
    pub focus: Option<Rc<str>>,
    /// `#$i` on a step (with no filters before it).
    pub index: Option<Rc<str>>,
    /// The parent slot this step binds its context to.
    pub ancestor: Option<SlotRef>,
    /// Parent slots not yet resolved below this node.
    pub seeking_parent: Option<Vec<SlotRef>>,
}

impl Node {
    pub(crate) fn new(kind: Kind, position: usize) -> Node {
        Node { kind, position, keep_array: false, tuple: false, consarray: false, ann: Box::default() }
    }
}
