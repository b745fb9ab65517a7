//! What paths and intrinsic calls are evaluated against: the state's input, the context object
//! and the workflow variables.

use crate::error::StatesError;
use crate::path::{JsonPath, Root};
use crate::value::Value;

/// Looks up workflow variables by name.
pub trait Vars {
    /// The variable's value, if it was ever assigned.
    fn get(&self, name: &str) -> Option<Value>;
}

/// No variables at all.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoVars;

impl Vars for NoVars {
    fn get(&self, _name: &str) -> Option<Value> {
        None
    }
}

/// The documents a path can start from: `$` (input), `$$` (context), `$name` (a variable).
#[derive(Clone, Copy)]
pub struct Env<'a> {
    /// What `$` refers to.
    pub input: &'a Value,
    /// What `$$` refers to.
    pub context: &'a Value,
    /// What `$name` refers to.
    pub vars: &'a dyn Vars,
}

impl<'a> Env<'a> {
    /// An environment with no variables.
    pub fn new(input: &'a Value, context: &'a Value) -> Env<'a> {
        Env { input, context, vars: &NoVars }
    }

    /// Evaluates a path from its root: `None` when a definite path matches nothing, or when an
    /// indefinite one fails before its first indefinite step (as Jayway raises); otherwise an
    /// indefinite path gives an array, possibly empty.
    pub fn select(&self, path: &JsonPath) -> Option<Value> {
        self.select_checked(path).ok().flatten()
    }

    /// [`select`](Self::select), or `States.DataLimitExceeded` for a query with too many
    /// matches ([`JsonPath::select_checked`]).
    pub fn select_checked(&self, path: &JsonPath) -> Result<Option<Value>, StatesError> {
        match path.root() {
            Root::Input => path.select_checked(self.input),
            Root::Context => path.select_checked(self.context),
            Root::Variable(name) => match self.vars.get(name) {
                Some(v) => path.select_checked(&v),
                None => Ok(None),
            },
        }
    }
}
