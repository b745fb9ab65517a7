//! Choice rules: the 39 comparators, `And`/`Or`/`Not`, and JSONata `Condition`s.
//!
//! Rules are compiled once; evaluation short-circuits like AWS. A comparison between mismatched
//! types is false, never an error. [`explain`] re-evaluates a rule and records every comparison
//! with its operands, for the inspector; the hot path records nothing.

use std::rc::Rc;

use crate::error::StatesError;
use crate::eval::Env;
use crate::jsonata::Expr;
use crate::path::JsonPath;
use crate::time::{parse_timestamp, Instant};
use crate::value::Value;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `>=`
    Ge,
}

impl Op {
    fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => ord == Equal,
            Op::Lt => ord == Less,
            Op::Gt => ord == Greater,
            Op::Le => ord != Greater,
            Op::Ge => ord != Less,
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            Op::Eq => "Equals",
            Op::Lt => "LessThan",
            Op::Gt => "GreaterThan",
            Op::Le => "LessThanEquals",
            Op::Ge => "GreaterThanEquals",
        }
    }
}

/// What a comparison tests.
#[derive(Clone, Debug)]
pub enum Test {
    /// `String…`
    String(Op, Operand<Rc<str>>),
    /// `Numeric…`
    Numeric(Op, Operand<f64>),
    /// `Timestamp…`
    Timestamp(Op, Operand<Instant>),
    /// `BooleanEquals[Path]`
    Boolean(Operand<bool>),
    /// `StringMatches`
    Matches(Pattern),
    /// `IsNull`
    IsNull(bool),
    /// `IsPresent`
    IsPresent(bool),
    /// `IsNumeric`
    IsNumeric(bool),
    /// `IsString`
    IsString(bool),
    /// `IsBoolean`
    IsBoolean(bool),
    /// `IsTimestamp`
    IsTimestamp(bool),
}

impl Test {
    /// The comparator's ASL name (`NumericLessThanPath`, `IsPresent`, ...).
    pub fn name(&self) -> String {
        fn with<T>(base: &str, op: Op, o: &Operand<T>) -> String {
            let path = if matches!(o, Operand::Path(_)) { "Path" } else { "" };
            format!("{base}{}{path}", op.suffix())
        }
        match self {
            Test::String(op, o) => with("String", *op, o),
            Test::Numeric(op, o) => with("Numeric", *op, o),
            Test::Timestamp(op, o) => with("Timestamp", *op, o),
            Test::Boolean(o) => with("Boolean", Op::Eq, o),
            Test::Matches(_) => "StringMatches".into(),
            Test::IsNull(_) => "IsNull".into(),
            Test::IsPresent(_) => "IsPresent".into(),
            Test::IsNumeric(_) => "IsNumeric".into(),
            Test::IsString(_) => "IsString".into(),
            Test::IsBoolean(_) => "IsBoolean".into(),
            Test::IsTimestamp(_) => "IsTimestamp".into(),
        }
    }
}

/// The right-hand side of a comparison: a constant or a path into the input.
#[derive(Clone, Debug)]
pub enum Operand<T> {
    /// A constant from the definition.
    Const(T),
    /// A `…Path` comparator's path.
    Path(JsonPath),
}

/// A `StringMatches` pattern: literal runs and `*` wildcards.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    parts: Vec<Part>,
    /// An open escape at the end makes the pattern fail at run time, as on AWS.
    error: Option<String>,
    text: Rc<str>,
}

#[derive(Clone, Debug, PartialEq)]
enum Part {
    Lit(String),
    Star,
}

impl Pattern {
    /// Compiles a pattern: `*` matches any run of characters, `\*` a literal star, `\\` a
    /// literal backslash.
    pub fn new(text: &str) -> Pattern {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut chars = text.chars();
        let mut error = None;
        while let Some(c) = chars.next() {
            match c {
                '*' => {
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    if parts.last() != Some(&Part::Star) {
                        parts.push(Part::Star);
                    }
                }
                '\\' => match chars.next() {
                    Some(e) => lit.push(e),
                    None => {
                        error = Some(format!("The StringMatches pattern '{text}' ends with an open escape"))
                    }
                },
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Pattern { parts, error, text: Rc::from(text) }
    }

    /// The pattern as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether `s` matches the whole pattern.
    pub fn matches(&self, s: &str) -> Result<bool, StatesError> {
        if let Some(e) = &self.error {
            return Err(StatesError::runtime(e.clone()));
        }
        Ok(wildcard_match(&self.parts, s))
    }
}

/// Glob matching with backtracking to the last star only: each literal run after a star is taken
/// at its leftmost position, which is optimal, so the match is O(pattern × text) at worst and
/// never exponential.
fn wildcard_match(parts: &[Part], s: &str) -> bool {
    let mut pi = 0;
    let mut si = 0;
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        match parts.get(pi) {
            Some(Part::Star) => {
                pi += 1;
                backtrack = Some((pi, si));
                continue;
            }
            Some(Part::Lit(l)) if s.get(si..).is_some_and(|rest| rest.starts_with(l.as_str())) => {
                pi += 1;
                si += l.len();
                continue;
            }
            None if si == s.len() => return true,
            _ => {}
        }
        // Mismatch: let the last star swallow one more character.
        let Some((bpi, bsi)) = backtrack else { return false };
        let Some(c) = s.get(bsi..).and_then(|r| r.chars().next()) else { return false };
        let next = bsi + c.len_utf8();
        backtrack = Some((bpi, next));
        pi = bpi;
        si = next;
    }
}

/// A compiled Choice rule.
#[derive(Clone, Debug)]
pub enum Rule {
    /// `And`
    And(Vec<Rule>),
    /// `Or`
    Or(Vec<Rule>),
    /// `Not`
    Not(Box<Rule>),
    /// `Variable` and one comparator.
    Compare {
        /// `Variable`.
        variable: JsonPath,
        /// The comparator and its operand.
        test: Test,
    },
    /// JSONata `Condition`.
    Condition(Rc<Expr>),
}

/// One comparison as evaluated, for the inspector.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// `Variable`.
    pub variable: String,
    /// The comparator's name.
    pub comparator: String,
    /// The variable's value (`None` when the path matched nothing).
    pub value: Option<Value>,
    /// The operand (a constant, or the value its path found).
    pub operand: Option<Value>,
    /// The outcome.
    pub result: bool,
    /// Inside an odd number of `Not`s: the rule used the opposite of `result`.
    pub negated: bool,
}

type Trace<'a> = Option<&'a mut Vec<Comparison>>;

impl Rule {
    /// Evaluates the rule against the state's effective input.
    pub fn eval(&self, env: &Env) -> Result<bool, StatesError> {
        self.eval_traced(env, None)
    }

    fn eval_traced(&self, env: &Env, mut trace: Trace) -> Result<bool, StatesError> {
        match self {
            Rule::And(rules) => {
                for r in rules {
                    if !r.eval_traced(env, trace.as_deref_mut())? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Rule::Or(rules) => {
                for r in rules {
                    if r.eval_traced(env, trace.as_deref_mut())? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Rule::Not(r) => {
                let Some(t) = trace else { return Ok(!r.eval(env)?) };
                let from = t.len();
                let inner = r.eval_traced(env, Some(&mut *t))?;
                for c in t.iter_mut().skip(from) {
                    c.negated = !c.negated;
                }
                Ok(!inner)
            }
            Rule::Compare { variable, test } => compare(variable, test, env, trace),
            Rule::Condition(e) => Err(StatesError::query(format!(
                "JSONata is not supported yet: cannot evaluate the Condition '{}'",
                e.text
            ))),
        }
    }
}

/// Evaluates a rule and returns every comparison made, in order, with the outcome.
pub fn explain(rule: &Rule, env: &Env) -> (Result<bool, StatesError>, Vec<Comparison>) {
    let mut trace = Vec::new();
    let r = rule.eval_traced(env, Some(&mut trace));
    (r, trace)
}

fn lookup<'a>(path: &JsonPath, env: &Env<'a>) -> Option<std::borrow::Cow<'a, Value>> {
    use crate::path::Root;
    match path.root() {
        Root::Input => path.get(env.input).map(std::borrow::Cow::Borrowed),
        Root::Context => path.get(env.context).map(std::borrow::Cow::Borrowed),
        Root::Variable(_) => env.select(path).map(std::borrow::Cow::Owned),
    }
}

fn invalid_path(path: &JsonPath) -> StatesError {
    StatesError::runtime(format!(
        "Invalid path '{path}': The choice state's condition path references an invalid value."
    ))
}

fn resolve<T: Clone>(
    op: &Operand<T>,
    env: &Env,
    from: impl Fn(&Value) -> Option<T>,
) -> Result<Option<T>, StatesError> {
    match op {
        Operand::Const(c) => Ok(Some(c.clone())),
        Operand::Path(p) => {
            let v = lookup(p, env).ok_or_else(|| invalid_path(p))?;
            Ok(from(&v))
        }
    }
}

fn compare(variable: &JsonPath, test: &Test, env: &Env, trace: Trace) -> Result<bool, StatesError> {
    let value = lookup(variable, env);
    let Some(value) = value else {
        if let Test::IsPresent(flag) = test {
            let result = !*flag;
            if let Some(t) = trace {
                t.push(Comparison {
                    variable: variable.text().to_string(),
                    comparator: test.name(),
                    value: None,
                    operand: Some(Value::Bool(*flag)),
                    result,
                    negated: false,
                });
            }
            return Ok(result);
        }
        return Err(invalid_path(variable));
    };
    let v: &Value = &value;
    // The operand as the debugger's explanation shows it is only built when a trace is asked
    // for: evaluating a Choice must not allocate (profiled on the `choice` workload).
    let traced = trace.is_some();
    let (result, operand) = match test {
        Test::String(op, o) => {
            let rhs = resolve(o, env, |v| v.as_rc_str().cloned())?;
            let r = match (v.as_str(), &rhs) {
                (Some(a), Some(b)) => op.holds(a.cmp(b)),
                _ => false,
            };
            (r, rhs.filter(|_| traced).map(Value::String))
        }
        Test::Numeric(op, o) => {
            let rhs = resolve(o, env, Value::as_f64)?;
            let r = match (v.as_f64(), rhs) {
                (Some(a), Some(b)) => a.partial_cmp(&b).is_some_and(|ord| op.holds(ord)),
                _ => false,
            };
            // Shown as written: a whole constant as an integer ("3", not "3.0", for a
            // definition's 3: a QA pass), a path's operand as the value it found.
            let shown = match o {
                _ if !traced => None,
                Operand::Const(n) => {
                    crate::value::safe_integer(*n).map(Value::int).or_else(|| Value::float(*n))
                }
                Operand::Path(p) => lookup(p, env).map(|c| c.into_owned()),
            };
            (r, shown)
        }
        Test::Timestamp(op, o) => {
            let rhs = resolve(o, env, |v| v.as_str().and_then(parse_timestamp))?;
            let r = match (v.as_str().and_then(parse_timestamp), rhs) {
                (Some(a), Some(b)) => op.holds(a.cmp(&b)),
                _ => false,
            };
            let shown = match o {
                _ if !traced => None,
                Operand::Path(p) => lookup(p, env).map(|c| c.into_owned()),
                Operand::Const(_) => rhs.map(|i| Value::string(crate::time::format_millis(i.millis()))),
            };
            (r, shown)
        }
        Test::Boolean(o) => {
            let rhs = resolve(o, env, Value::as_bool)?;
            (matches!((v.as_bool(), rhs), (Some(a), Some(b)) if a == b), rhs.map(Value::Bool))
        }
        Test::Matches(p) => {
            let r = match v.as_str() {
                Some(s) => p.matches(s)?,
                None => false,
            };
            (r, traced.then(|| Value::string(p.text())))
        }
        Test::IsNull(f) => (v.is_null() == *f, Some(Value::Bool(*f))),
        Test::IsPresent(f) => (*f, Some(Value::Bool(*f))),
        Test::IsNumeric(f) => (matches!(v, Value::Number(_)) == *f, Some(Value::Bool(*f))),
        Test::IsString(f) => (matches!(v, Value::String(_)) == *f, Some(Value::Bool(*f))),
        Test::IsBoolean(f) => (matches!(v, Value::Bool(_)) == *f, Some(Value::Bool(*f))),
        Test::IsTimestamp(f) => (v.as_str().and_then(parse_timestamp).is_some() == *f, Some(Value::Bool(*f))),
    };
    if let Some(t) = trace {
        t.push(Comparison {
            variable: variable.text().to_string(),
            comparator: test.name(),
            value: Some(v.clone()),
            operand,
            result,
            negated: false,
        });
    }
    Ok(result)
}

/// The comparator names, for the compiler: (name, kind, op, path?).
pub const COMPARATORS: [&str; 39] = [
    "StringEquals",
    "StringEqualsPath",
    "StringLessThan",
    "StringLessThanPath",
    "StringGreaterThan",
    "StringGreaterThanPath",
    "StringLessThanEquals",
    "StringLessThanEqualsPath",
    "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericLessThan",
    "NumericLessThanPath",
    "NumericGreaterThan",
    "NumericGreaterThanPath",
    "NumericLessThanEquals",
    "NumericLessThanEqualsPath",
    "NumericGreaterThanEquals",
    "NumericGreaterThanEqualsPath",
    "TimestampEquals",
    "TimestampEqualsPath",
    "TimestampLessThan",
    "TimestampLessThanPath",
    "TimestampGreaterThan",
    "TimestampGreaterThanPath",
    "TimestampLessThanEquals",
    "TimestampLessThanEqualsPath",
    "TimestampGreaterThanEquals",
    "TimestampGreaterThanEqualsPath",
    "BooleanEquals",
    "BooleanEqualsPath",
    "StringMatches",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];

/// Builds a [`Test`] from a comparator name and its operand as written. `Err` says what is wrong
/// with the operand.
pub fn make_test(name: &str, operand: &Value) -> Result<Test, String> {
    let (base, rest) = ["String", "Numeric", "Timestamp", "Boolean"]
        .iter()
        .find_map(|b| name.strip_prefix(b).map(|r| (*b, r)))
        .unwrap_or(("", name));
    let (op_name, is_path) = match rest.strip_suffix("Path") {
        Some(r) if !base.is_empty() => (r, true),
        _ => (rest, false),
    };
    let op = match op_name {
        "Equals" => Some(Op::Eq),
        "LessThan" => Some(Op::Lt),
        "GreaterThan" => Some(Op::Gt),
        "LessThanEquals" => Some(Op::Le),
        "GreaterThanEquals" => Some(Op::Ge),
        _ => None,
    };
    let path_operand = || -> Result<JsonPath, String> {
        let text = operand
            .as_str()
            .ok_or_else(|| format!("The value of '{name}' must be a reference path string"))?;
        let p = JsonPath::parse(text)
            .map_err(|e| format!("The value of '{name}' is not a valid reference path: {e}"))?;
        if !p.is_reference() {
            return Err(format!("The value of '{name}' is not a Reference Path"));
        }
        Ok(p)
    };
    let flag = || operand.as_bool().ok_or_else(|| format!("The value of '{name}' must be a boolean"));
    Ok(match (base, op) {
        ("String", Some(op)) if !is_path || op_name.len() + 6 + 4 == name.len() => {
            if is_path {
                Test::String(op, Operand::Path(path_operand()?))
            } else {
                let s =
                    operand.as_rc_str().ok_or_else(|| format!("The value of '{name}' must be a string"))?;
                Test::String(op, Operand::Const(s.clone()))
            }
        }
        ("Numeric", Some(op)) => {
            if is_path {
                Test::Numeric(op, Operand::Path(path_operand()?))
            } else {
                let n = operand.as_f64().ok_or_else(|| format!("The value of '{name}' must be a number"))?;
                Test::Numeric(op, Operand::Const(n))
            }
        }
        ("Timestamp", Some(op)) => {
            if is_path {
                Test::Timestamp(op, Operand::Path(path_operand()?))
            } else {
                let t = operand.as_str().and_then(parse_timestamp).ok_or_else(|| {
                    format!(
                        "The value of '{name}' must be an RFC 3339 timestamp such as 2016-03-14T01:59:00Z"
                    )
                })?;
                Test::Timestamp(op, Operand::Const(t))
            }
        }
        ("Boolean", Some(Op::Eq)) => {
            if is_path {
                Test::Boolean(Operand::Path(path_operand()?))
            } else {
                Test::Boolean(Operand::Const(flag()?))
            }
        }
        ("String", None) if name == "StringMatches" => {
            let s = operand.as_str().ok_or_else(|| format!("The value of '{name}' must be a string"))?;
            Test::Matches(Pattern::new(s))
        }
        ("", None) => match name {
            "IsNull" => Test::IsNull(flag()?),
            "IsPresent" => Test::IsPresent(flag()?),
            "IsNumeric" => Test::IsNumeric(flag()?),
            "IsString" => Test::IsString(flag()?),
            "IsBoolean" => Test::IsBoolean(flag()?),
            "IsTimestamp" => Test::IsTimestamp(flag()?),
            _ => return Err(format!("'{name}' is not a comparator")),
        },
        _ => return Err(format!("'{name}' is not a comparator")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn t(name: &str, operand: Value) -> Test {
        make_test(name, &operand).unwrap()
    }

    fn check(var: &str, test: Test, input: &Value) -> Result<bool, StatesError> {
        let rule = Rule::Compare { variable: JsonPath::parse(var).unwrap(), test };
        rule.eval(&Env::new(input, &Value::Null))
    }

    #[test]
    fn every_comparator_name_builds() {
        for name in COMPARATORS {
            let operand = if name.ends_with("Path") {
                json!("$.x")
            } else if name.starts_with("Is") || name.starts_with("Boolean") {
                json!(true)
            } else if name.starts_with("Numeric") {
                json!(1)
            } else if name.starts_with("Timestamp") {
                json!("2016-03-14T01:59:00Z")
            } else {
                json!("a")
            };
            let test = make_test(name, &operand).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(test.name(), name);
        }
        assert!(make_test("StringContains", &json!("a")).is_err());
        assert!(make_test("NumericEqualsPathX", &json!("$.a")).is_err());
        assert!(make_test("BooleanLessThan", &json!(true)).is_err());
    }

    #[test]
    fn comparisons() {
        let input = json!({"n": 5, "s": "beta", "t": "2016-03-14T01:59:00Z", "b": true, "z": null, "m": 7});
        assert!(check("$.n", t("NumericGreaterThan", json!(4)), &input).unwrap());
        assert!(!check("$.n", t("NumericGreaterThan", json!(5)), &input).unwrap());
        assert!(check("$.n", t("NumericLessThanEqualsPath", json!("$.m")), &input).unwrap());
        assert!(check("$.s", t("StringGreaterThan", json!("alpha")), &input).unwrap());
        assert!(check("$.t", t("TimestampEquals", json!("2016-03-14T03:59:00+02:00")), &input).unwrap());
        assert!(check("$.b", t("BooleanEquals", json!(true)), &input).unwrap());
        assert!(check("$.z", t("IsNull", json!(true)), &input).unwrap());
        assert!(check("$.t", t("IsTimestamp", json!(true)), &input).unwrap());
        // A type mismatch is false, not an error.
        assert!(!check("$.s", t("NumericEquals", json!(1)), &input).unwrap());
        // IsPresent on a missing path is fine; other comparators on it are States.Runtime.
        assert!(check("$.missing", t("IsPresent", json!(false)), &input).unwrap());
        let e = check("$.missing", t("StringEquals", json!("x")), &input).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert_eq!(
            e.cause,
            "Invalid path '$.missing': The choice state's condition path references an invalid value."
        );
    }

    #[test]
    fn string_matches() {
        let m = |p: &str, s: &str| Pattern::new(p).matches(s).unwrap();
        assert!(m("*.log", "a.log"));
        assert!(m("log-*.txt", "log-2016.txt"));
        assert!(!m("*.log", "a.log.txt"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(m("a*b*c", "abbc"));
        assert!(!m("a*b*c", "abcx"));
        assert!(m("*", ""));
        assert!(m("x\\*y", "x*y"));
        assert!(!m("x\\*y", "xzy"));
        assert!(m("c:\\\\*", "c:\\dir"));
        assert!(m("é*ü", "éaaü"));
        assert!(Pattern::new("abc\\").matches("abc").is_err());
        // Many stars do not blow up.
        assert!(!m(&"a*".repeat(50), &"a".repeat(49)));
    }

    #[test]
    fn explain_records_operands() {
        let rule = Rule::And(vec![
            Rule::Compare {
                variable: JsonPath::parse("$.n").unwrap(),
                test: t("NumericGreaterThan", json!(1)),
            },
            Rule::Compare { variable: JsonPath::parse("$.s").unwrap(), test: t("StringEquals", json!("x")) },
        ]);
        let input = json!({"n": 2, "s": "y"});
        let (r, trace) = explain(&rule, &Env::new(&input, &Value::Null));
        assert_eq!(r, Ok(false));
        assert_eq!(trace.len(), 2);
        assert_eq!(trace[1].value, Some(json!("y")));
        assert_eq!(trace[1].operand, Some(json!("x")));
        // A whole numeric constant shows as the integer written ("3.0" was shown for 3), a
        // fraction as it is, and a path's operand as the value found.
        assert_eq!(trace[0].operand.as_ref().map(Value::to_json).as_deref(), Some("1"));
        let numeric = |test: Test| {
            let rule = Rule::Compare { variable: JsonPath::parse("$.n").unwrap(), test };
            let input = json!({"n": 2, "f": 2.0});
            explain(&rule, &Env::new(&input, &Value::Null)).1[0].operand.as_ref().map(Value::to_json)
        };
        assert_eq!(numeric(t("NumericEquals", json!(1.5))).as_deref(), Some("1.5"));
        assert_eq!(numeric(t("NumericEqualsPath", json!("$.f"))).as_deref(), Some("2.0"));
    }
}
