//! Payload templates: `Parameters`, `ResultSelector`, `ItemSelector`, `Assign` and friends.
//!
//! JSONPath templates turn every key ending in `.$` into a path, context path, variable or
//! intrinsic call, evaluated against the state's data; JSONata templates evaluate every string of
//! the form `{% expr %}`. Both are compiled once; parts with nothing to evaluate are folded into
//! constants so evaluating them costs one O(1) clone.

use std::rc::Rc;

use crate::error::StatesError;
use crate::eval::Env;
use crate::intrinsics::{self, Call};
use crate::jsonata::{Bindings, ErrorKind, EvalEnv, Expr};
use crate::path::{JsonPath, Root};
use crate::rng::Rng;
use crate::value::{self, Key, Map, Value, MAX_DEPTH};

/// A compiled JSONPath payload template.
#[derive(Debug, Clone)]
pub enum Template {
    /// Nothing to evaluate.
    Const(Value),
    /// An object with at least one dynamic member.
    Object {
        /// The members in order (`x.$` as `x`).
        members: Vec<(Key, Template)>,
        /// When no two members have the same key (`x` and `x.$` do), the length of the object's
        /// JSON text without the values, so that building it needs no look at the keys.
        keys_len: Option<usize>,
    },
    /// An array with at least one dynamic item.
    Array(Vec<Template>),
    /// `"field.$": "$.path"` (or `$$.`, `$var`).
    Path {
        /// The path.
        path: JsonPath,
        /// The field name without `.$`, for error messages.
        field: Rc<str>,
    },
    /// `"field.$": "States.Fn(...)"`.
    Intrinsic {
        /// The call.
        call: Box<Call>,
        /// The field name without `.$`, for error messages.
        field: Rc<str>,
    },
}

/// A problem found while compiling a template, with the JSON Pointer (relative to the template) of
/// the member at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Pointer suffix below the template's own pointer (`/greeting.$`).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

/// What a template reads, found at compile time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uses {
    /// Some path starts at `$$`.
    pub context: bool,
    /// Some path starts at a variable.
    pub variables: bool,
}

impl Template {
    /// Compiles a JSONPath payload template. `intrinsics_allowed` is false where AWS refuses
    /// intrinsic calls. Problems are appended to `errors`; the template returned is then only a
    /// best effort and must not be run.
    pub fn compile(
        v: &Value,
        intrinsics_allowed: bool,
        errors: &mut Vec<TemplateError>,
        uses: &mut Uses,
    ) -> Template {
        let mut pointer = String::new();
        compile_node(v, intrinsics_allowed, &mut pointer, errors, uses, 0)
    }

    /// Evaluates the template. Fails (`States.Runtime`) as soon as the result would be nested
    /// deeper than [`MAX_DEPTH`]: a deep template around deep data must not build a value twice
    /// as deep as any other, even for a moment (see [`StatesError::too_deep`]).
    pub fn eval(&self, env: &Env, rng: &mut Rng) -> Result<Value, StatesError> {
        let built = match self {
            Template::Const(v) => return Ok(v.clone()),
            Template::Object { members, keys_len: Some(keys_len) } => {
                let mut entries = Vec::with_capacity(members.len());
                for (k, t) in members {
                    entries.push((k.clone(), t.eval(env, rng)?));
                }
                Value::object_of_distinct(entries, *keys_len)
            }
            Template::Object { members, keys_len: None } => {
                // A later member of the same key replaces the earlier one where it stands, but
                // both are evaluated (and either may fail), in order.
                let mut map = Map::with_capacity(members.len());
                for (k, t) in members {
                    map.insert(k.clone(), t.eval(env, rng)?);
                }
                Value::object(map)
            }
            Template::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for t in items {
                    out.push(t.eval(env, rng)?);
                }
                Value::array(out)
            }
            Template::Path { path, field } => {
                return env.select_checked(path)?.ok_or_else(|| path_not_found(path, field, env));
            }
            Template::Intrinsic { call, .. } => return call.eval(env, rng),
        };
        if built.depth() > MAX_DEPTH {
            return Err(StatesError::too_deep("result of the payload template", built.depth()));
        }
        Ok(built)
    }

    /// `true` when there is nothing to evaluate.
    pub fn is_const(&self) -> bool {
        matches!(self, Template::Const(_))
    }
}

/// The error AWS raises when a template path matches nothing: `The JSONPath '$.nope' specified
/// for the field 'm.$' could not be found in the input '{"x":"a"}'` (AWS's wording, quoted in
/// AWS's own workshop and checked against us-east-1 by emulators; the executor puts the state in
/// front). For `$$` paths the document quoted is the context object; for a variable, its value.
pub fn path_not_found(path: &JsonPath, field: &str, env: &Env) -> StatesError {
    let text = path.text();
    match path.root() {
        Root::Variable(name) => match env.vars.get(name) {
            Some(v) => StatesError::runtime(format!(
                "The JSONPath '{text}' specified for the field '{field}.$' could not be found in the variable '{name}' '{}'",
                v.to_json()
            )),
            None => StatesError::runtime(format!(
                "The JSONPath '{text}' specified for the field '{field}.$' could not be found: the variable '{name}' is not defined"
            )),
        },
        // LocalStack (whose suite is recorded against AWS) words a `$$` miss the same way, quoting
        // the context object as "the input".
        Root::Context => StatesError::runtime(format!(
            "The JSONPath '{text}' specified for the field '{field}.$' could not be found in the input '{}'",
            env.context.to_json()
        )),
        Root::Input => StatesError::runtime(format!(
            "The JSONPath '{text}' specified for the field '{field}.$' could not be found in the input '{}'",
            env.input.to_json()
        )),
    }
}

/// Template nesting deeper than this is refused (the value depth limit bounds it anyway).
const MAX_TEMPLATE_DEPTH: usize = 200;

fn compile_node(
    v: &Value,
    intrinsics_allowed: bool,
    pointer: &mut String,
    errors: &mut Vec<TemplateError>,
    uses: &mut Uses,
    depth: usize,
) -> Template {
    if depth > MAX_TEMPLATE_DEPTH {
        errors.push(TemplateError { pointer: pointer.clone(), message: "Template nested too deeply".into() });
        return Template::Const(Value::Null);
    }
    match v {
        Value::Object(_) => {
            let Some(map) = v.as_object() else { return Template::Const(v.clone()) };
            let mut members = Vec::with_capacity(map.len());
            let mut dynamic = false;
            for (k, child) in map {
                let saved = pointer.len();
                crate::source::push_token(pointer, k);
                let t = if let Some(field) = k.strip_suffix(".$") {
                    dynamic = true;
                    let field: Rc<str> = Rc::from(field);
                    let compiled = compile_dynamic(child, &field, intrinsics_allowed, pointer, errors, uses);
                    members.push((Key::from(&*field), compiled));
                    None
                } else {
                    Some(compile_node(child, intrinsics_allowed, pointer, errors, uses, depth + 1))
                };
                if let Some(t) = t {
                    dynamic |= !t.is_const();
                    members.push((k.clone(), t));
                }
                pointer.truncate(saved);
            }
            if dynamic {
                let keys = members.iter().map(|(k, _)| k);
                let keys_len = value::distinct_keys(keys.clone()).then(|| value::object_keys_len(keys));
                Template::Object { members, keys_len }
            } else {
                Template::Const(v.clone())
            }
        }
        Value::Array(_) => {
            let items = v.as_array().unwrap_or_default();
            let mut out = Vec::with_capacity(items.len());
            for (i, child) in items.iter().enumerate() {
                let saved = pointer.len();
                crate::source::push_token(pointer, itoa::Buffer::new().format(i));
                out.push(compile_node(child, intrinsics_allowed, pointer, errors, uses, depth + 1));
                pointer.truncate(saved);
            }
            if out.iter().all(Template::is_const) {
                Template::Const(v.clone())
            } else {
                Template::Array(out)
            }
        }
        _ => Template::Const(v.clone()),
    }
}

fn compile_dynamic(
    v: &Value,
    field: &Rc<str>,
    intrinsics_allowed: bool,
    pointer: &str,
    errors: &mut Vec<TemplateError>,
    uses: &mut Uses,
) -> Template {
    let bad = |errors: &mut Vec<TemplateError>, message: String| {
        errors.push(TemplateError { pointer: pointer.to_string(), message });
        Template::Const(Value::Null)
    };
    let Some(text) = v.as_str() else {
        return bad(
            errors,
            format!("The value for the field '{field}.$' must be a STRING that contains a JSONPath or an intrinsic function"),
        );
    };
    if text.starts_with('$') {
        match JsonPath::parse(text) {
            Ok(path) => {
                match path.root() {
                    Root::Context => uses.context = true,
                    Root::Variable(_) => uses.variables = true,
                    Root::Input => {}
                }
                Template::Path { path, field: field.clone() }
            }
            Err(e) => bad(
                errors,
                format!("The value for the field '{field}.$' must be a valid JSONPath or a valid intrinsic function call ({e})"),
            ),
        }
    } else if intrinsics::is_intrinsic_call(text) {
        if !intrinsics_allowed {
            return bad(errors, format!("Intrinsic functions are not supported in the field '{field}.$'"));
        }
        match intrinsics::parse(text) {
            Ok(call) => {
                for p in call.paths() {
                    match p.root() {
                        Root::Context => uses.context = true,
                        Root::Variable(_) => uses.variables = true,
                        Root::Input => {}
                    }
                }
                Template::Intrinsic { call: Box::new(call), field: field.clone() }
            }
            Err(e) => bad(
                errors,
                format!("The value for the field '{field}.$' must be a valid JSONPath or a valid intrinsic function call ({e})"),
            ),
        }
    } else {
        bad(
            errors,
            format!(
                "The value for the field '{field}.$' must be a valid JSONPath or a valid intrinsic function call ({}: a path starts with '$', a call with 'States.')",
                how_it_starts(text)
            ),
        )
    }
}

/// What a `.$` value that is neither a path nor a call starts with, for its error (a leading
/// space, easy to miss, gave a message with no reason at all).
fn how_it_starts(text: &str) -> String {
    match text.chars().next() {
        None => "it is empty".to_string(),
        Some(' ') => "it starts with a space".to_string(),
        Some('\t') => "it starts with a tab".to_string(),
        Some('\n' | '\r') => "it starts with a line break".to_string(),
        Some(c) if c.is_whitespace() => format!("it starts with the blank U+{:04X}", u32::from(c)),
        Some(c) => format!("it starts with '{c}'"),
    }
}

/// A compiled JSONata template: any string `{% expr %}` at any depth is an expression.
#[derive(Debug, Clone)]
pub enum JTemplate {
    /// Nothing to evaluate.
    Const(Value),
    /// An object with at least one expression inside.
    Object(Vec<(Key, JTemplate)>),
    /// An array with at least one expression inside.
    Array(Vec<JTemplate>),
    /// `"{% expr %}"`, and the field it sits in as AWS names it in errors: relative to the
    /// state, `/` before each object key and `[i]` for each array index (`Output/a/b[0]`).
    Expr(Rc<Expr>, Rc<str>),
}

/// Evaluates one expression of a template: its field's name comes with it.
pub type ExprEval<'a> = dyn FnMut(&Expr, &Rc<str>) -> Result<Value, StatesError> + 'a;

/// What compiling a JSONata template found that its caller must check or report, with the JSON
/// Pointer (relative to the template) of the string or key concerned.
#[derive(Debug, Clone)]
pub enum JFound {
    /// An expression that parsed: the caller checks what it may reference.
    Expr {
        /// Pointer suffix.
        pointer: String,
        /// The expression.
        expr: Rc<Expr>,
    },
    /// An expression that does not parse.
    Invalid {
        /// Pointer suffix.
        pointer: String,
        /// What is wrong: the parser's message without its code, as AWS reports it.
        message: String,
        /// Where the parser stopped, in bytes of the string value (`None`: the whole string).
        at: Option<usize>,
    },
    /// A key ending in `.$`, JSONPath's syntax for a dynamic value.
    DollarKey {
        /// Pointer suffix.
        pointer: String,
    },
}

/// The expression in a JSONata string: the text between `{%` and `%}` (trimmed), when the string
/// starts with `{%` and ends with `%}` with nothing around them. Any other string is a literal,
/// even one with `{% %}` inside (Step Functions does not interpolate).
pub fn jsonata_expression(s: &str) -> Option<&str> {
    if s.len() >= 4 && s.starts_with("{%") && s.ends_with("%}") {
        s.get(2..s.len() - 2).map(str::trim)
    } else {
        None
    }
}

/// The byte offset in the string `s` of character `chars` of its expression `text` (a slice of
/// `s`), kept inside the expression.
fn expression_offset(s: &str, text: &str, chars: usize) -> usize {
    let start = (text.as_ptr() as usize).saturating_sub(s.as_ptr() as usize);
    // Past the end (an unterminated string, a missing bracket): the expression's last character.
    let last = text.char_indices().last().map_or(0, |(i, _)| i);
    start + text.char_indices().nth(chars).map_or(last, |(i, _)| i)
}

impl JTemplate {
    /// Compiles a JSONata template held by field `field` (its name as AWS writes it in causes:
    /// `Output`, `Catch[0]/Assign`, ...). Every expression found, and every problem, is appended
    /// to `found`; the template returned is only usable when none is `Invalid` or `DollarKey`.
    pub fn compile(v: &Value, field: &str, found: &mut Vec<JFound>) -> JTemplate {
        let mut pointer = String::new();
        let mut field = field.to_string();
        jcompile_node(v, &mut pointer, &mut field, found, 0)
    }

    /// `true` when there is nothing to evaluate.
    pub fn is_const(&self) -> bool {
        matches!(self, JTemplate::Const(_))
    }

    /// The expressions inside, in document order.
    pub fn exprs(&self) -> Vec<(&Rc<Expr>, &Rc<str>)> {
        let mut out = Vec::new();
        fn go<'a>(t: &'a JTemplate, out: &mut Vec<(&'a Rc<Expr>, &'a Rc<str>)>) {
            match t {
                JTemplate::Const(_) => {}
                JTemplate::Object(members) => members.iter().for_each(|(_, t)| go(t, out)),
                JTemplate::Array(items) => items.iter().for_each(|t| go(t, out)),
                JTemplate::Expr(e, f) => out.push((e, f)),
            }
        }
        go(self, &mut out);
        out
    }

    /// Evaluates the template, `eval` giving each expression's value (or its failure; an
    /// expression that returns nothing fails, in an object as in an array).
    pub fn eval(&self, eval: &mut ExprEval<'_>) -> Result<Value, StatesError> {
        match self {
            JTemplate::Const(v) => Ok(v.clone()),
            JTemplate::Object(members) => {
                let mut map = Map::with_capacity(members.len());
                for (k, t) in members {
                    map.insert(k.clone(), t.eval(eval)?);
                }
                Ok(Value::object(map))
            }
            JTemplate::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for t in items {
                    out.push(t.eval(eval)?);
                }
                Ok(Value::array(out))
            }
            JTemplate::Expr(e, field) => eval(e, field),
        }
    }
}

/// Evaluates one `{% %}` expression of field `field` as Step Functions does, with no context
/// item (`$states` and the variables come through `bindings`). A result that is undefined, or
/// that JSON cannot hold, fails with `States.QueryEvaluationError`, and so does an error, in
/// AWS's words: `The JSONata expression '$states.input.x' specified for the field 'Output/v'
/// returned nothing (undefined).` (quoted from a real execution's cause, and matched by floci
/// against us-east-1), `... returned an unsupported result type.` (LocalStack's
/// `asl/jsonata/validations.py`), and `... threw an error during evaluation. T2001: ...`, or
/// `...: <message>` for a limit error, which has no code (floci's measurement of AWS, issue
/// #2736).
pub fn eval_jsonata(
    expr: &Expr,
    field: &str,
    bindings: &dyn Bindings,
    env: &mut EvalEnv,
) -> Result<Value, StatesError> {
    let sentence = |tail: &str| {
        format!("The JSONata expression '{}' specified for the field '{field}' {tail}", expr.text())
    };
    match expr.evaluate_input(None, bindings, env) {
        Ok(Some(v)) => Ok(v),
        Ok(None) => Err(StatesError::query(sentence("returned nothing (undefined)."))),
        Err(e) if e.kind == ErrorKind::UnsupportedResult => {
            Err(StatesError::query(sentence("returned an unsupported result type.")))
        }
        Err(e) => {
            let sep = if e.kind == ErrorKind::Limit { ": " } else { ". " };
            Err(StatesError::query(sentence(&format!("threw an error during evaluation{sep}{e}"))))
        }
    }
}

fn jcompile_node(
    v: &Value,
    pointer: &mut String,
    field: &mut String,
    found: &mut Vec<JFound>,
    depth: usize,
) -> JTemplate {
    if depth > MAX_TEMPLATE_DEPTH {
        found.push(JFound::Invalid {
            pointer: pointer.clone(),
            message: "Template nested too deeply".into(),
            at: None,
        });
        return JTemplate::Const(Value::Null);
    }
    match v {
        Value::String(s) => match jsonata_expression(s) {
            None => JTemplate::Const(v.clone()),
            Some(text) => match Expr::parse(text) {
                Ok(e) => {
                    let e = Rc::new(e);
                    found.push(JFound::Expr { pointer: pointer.clone(), expr: e.clone() });
                    JTemplate::Expr(e, Rc::from(field.as_str()))
                }
                Err(error) => {
                    // jsonata-js's position is just past the token it stopped at; at its "(end)"
                    // token (an unclosed bracket, a missing operand) the place is the end.
                    let at = match error.token.as_deref() {
                        Some("(end)") => Some(expression_offset(s, text, usize::MAX)),
                        token => {
                            let len = token.map_or(0, |t| t.chars().count());
                            error.position.map(|end| expression_offset(s, text, end.saturating_sub(len)))
                        }
                    };
                    found.push(JFound::Invalid {
                        pointer: pointer.clone(),
                        message: error.message.clone(),
                        at,
                    });
                    JTemplate::Const(Value::Null)
                }
            },
        },
        Value::Object(_) => {
            let Some(map) = v.as_object() else { return JTemplate::Const(v.clone()) };
            let mut members = Vec::with_capacity(map.len());
            let mut dynamic = false;
            for (k, child) in map {
                let (saved_p, saved_f) = (pointer.len(), field.len());
                crate::source::push_token(pointer, k);
                field.push('/');
                field.push_str(k);
                if k.ends_with(".$") {
                    found.push(JFound::DollarKey { pointer: pointer.clone() });
                }
                let t = jcompile_node(child, pointer, field, found, depth + 1);
                dynamic |= !t.is_const();
                members.push((k.clone(), t));
                pointer.truncate(saved_p);
                field.truncate(saved_f);
            }
            if dynamic {
                JTemplate::Object(members)
            } else {
                JTemplate::Const(v.clone())
            }
        }
        Value::Array(_) => {
            let items = v.as_array().unwrap_or_default();
            let mut out = Vec::with_capacity(items.len());
            for (i, child) in items.iter().enumerate() {
                let (saved_p, saved_f) = (pointer.len(), field.len());
                let index = itoa::Buffer::new().format(i).to_string();
                crate::source::push_token(pointer, &index);
                field.push('[');
                field.push_str(&index);
                field.push(']');
                out.push(jcompile_node(child, pointer, field, found, depth + 1));
                pointer.truncate(saved_p);
                field.truncate(saved_f);
            }
            if out.iter().all(JTemplate::is_const) {
                JTemplate::Const(v.clone())
            } else {
                JTemplate::Array(out)
            }
        }
        _ => JTemplate::Const(v.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn compile(v: &Value) -> Template {
        let mut errors = Vec::new();
        let t = Template::compile(v, true, &mut errors, &mut Uses::default());
        assert!(errors.is_empty(), "{errors:?}");
        t
    }

    #[test]
    fn constants_fold() {
        let t = compile(&json!({"a": {"b": [1, 2]}, "c": "x"}));
        assert!(t.is_const());
    }

    #[test]
    fn paths_and_context() {
        let t = compile(&json!({"greeting.$": "$.name", "nested": {"id.$": "$$.Execution.Id"}, "k": 1}));
        let input = json!({"name": "Ada"});
        let ctx = json!({"Execution": {"Id": "arn:x"}});
        let out = t.eval(&Env::new(&input, &ctx), &mut Rng::new(0)).unwrap();
        assert_eq!(out, json!({"greeting": "Ada", "nested": {"id": "arn:x"}, "k": 1}));
    }

    #[test]
    fn objects_built_from_known_keys_measure_and_find_their_members() {
        // A template's keys are measured once, when it is compiled: the size kept in the object
        // built must be that of its text, escapes in keys included, and past eight members (where
        // a map keeps a hash index) every member must still be found.
        let mut members: Vec<(String, Value)> =
            (0..12).map(|i| (format!("k{i}.$"), Value::string(format!("$.v{}", i % 3)))).collect();
        members.push(("quote\"d\n.$".into(), Value::string("$.v0")));
        members.push(("plain".into(), json!({"n.$": "$.v1"})));
        let t = compile(&Value::object_from(members));
        let input = json!({"v0": "a\"b", "v1": 1.5, "v2": [1, {"x": null}]});
        let out = t.eval(&Env::new(&input, &Value::Null), &mut Rng::new(0)).unwrap();
        assert_eq!(out.json_len(), out.to_json().len());
        assert_eq!(out.get("k11"), Some(&json!([1, {"x": null}])));
        assert_eq!(out.get("quote\"d\n"), Some(&json!("a\"b")));
        assert_eq!(out.get("plain"), Some(&json!({"n": 1.5})));
    }

    #[test]
    fn a_key_given_twice_keeps_its_first_place_and_last_value_and_both_are_evaluated() {
        // `x` and `x.$` are both `x` (the validator warns): the later one replaces the earlier
        // where it stands, as a JSON object's insert does; both are evaluated, so a path the
        // earlier one misses still fails.
        let t = compile(&json!({"x": 1, "y": 2, "x.$": "$.v"}));
        let input = json!({"v": "later"});
        let out = t.eval(&Env::new(&input, &Value::Null), &mut Rng::new(0)).unwrap();
        assert_eq!(out.to_json(), r#"{"x":"later","y":2}"#);
        assert_eq!(out.json_len(), out.to_json().len());
        let t = compile(&json!({"x.$": "$.missing", "x": 1}));
        assert!(t.eval(&Env::new(&input, &Value::Null), &mut Rng::new(0)).is_err());
    }

    #[test]
    fn missing_path_is_runtime_error() {
        let t = compile(&json!({"value1.$": "$.value1"}));
        let input = json!({});
        let err = t.eval(&Env::new(&input, &Value::Null), &mut Rng::new(0)).unwrap_err();
        assert_eq!(err.error, "States.Runtime");
        assert_eq!(
            err.cause,
            "The JSONPath '$.value1' specified for the field 'value1.$' could not be found in the input '{}'"
        );
    }

    #[test]
    fn jsonata_templates_fold_constants_and_name_fields() {
        let mut found = Vec::new();
        let t = JTemplate::compile(&json!({"a": [1, {"b": "x"}], "c": " {% 1 %}"}), "Output", &mut found);
        assert!(t.is_const() && found.is_empty());
        let t = JTemplate::compile(&json!({"a": [1, {"b": "{%$x%}"}], "k.$": 1}), "Output", &mut found);
        let fields: Vec<&str> = t.exprs().iter().map(|(_, f)| &***f).collect();
        assert_eq!(fields, ["Output/a[1]/b"]);
        assert!(
            matches!(&found[..], [JFound::Expr { pointer, .. }, JFound::DollarKey { .. }] if pointer == "/a/1/b")
        );
        assert_eq!(jsonata_expression("{%%}"), Some(""));
        assert_eq!(jsonata_expression("{%}"), None);
        assert_eq!(jsonata_expression("{% a %} "), None);
    }

    #[test]
    fn jsonata_causes_use_aws_wording() {
        use crate::jsonata::NoBindings;
        let mut env = EvalEnv::new(Rng::new(0), 0);
        let cause = |text: &str, env: &mut EvalEnv| {
            eval_jsonata(&Expr::parse(text).unwrap(), "Output/v", &NoBindings, env).unwrap_err().cause
        };
        assert_eq!(
            cause("$nope", &mut env),
            "The JSONata expression '$nope' specified for the field 'Output/v' returned nothing (undefined)."
        );
        assert_eq!(
            cause("function($x){$x}", &mut env),
            "The JSONata expression 'function($x){$x}' specified for the field 'Output/v' returned an unsupported result type."
        );
        assert_eq!(
            cause("$sqrt(-1)", &mut env),
            "The JSONata expression '$sqrt(-1)' specified for the field 'Output/v' threw an error during evaluation. D3060: The sqrt function cannot be applied to a negative number: -1"
        );
    }

    #[test]
    fn bad_dynamic_values_are_reported() {
        let mut errors = Vec::new();
        Template::compile(&json!({"a.$": 3, "b": {"c.$": "nope"}}), true, &mut errors, &mut Uses::default());
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].pointer, "/a.$");
        assert_eq!(errors[1].pointer, "/b/c.$");
    }
}
