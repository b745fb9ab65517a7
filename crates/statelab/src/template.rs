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
use crate::jsonata::Expr;
use crate::path::{JsonPath, Root};
use crate::rng::Rng;
use crate::value::{Key, Map, Value, MAX_DEPTH};

/// A compiled JSONPath payload template.
#[derive(Debug, Clone)]
pub enum Template {
    /// Nothing to evaluate.
    Const(Value),
    /// An object with at least one dynamic member.
    Object(Vec<(Key, Template)>),
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
            Template::Object(members) => {
                let mut map = Map::with_capacity_and_hasher(members.len(), Default::default());
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
                return env.select(path).ok_or_else(|| path_not_found(path, field, env));
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
                Template::Object(members)
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
        bad(errors, format!("The value for the field '{field}.$' must be a valid JSONPath or a valid intrinsic function call"))
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
    /// `"{% expr %}"`.
    Expr(Rc<Expr>),
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
    fn bad_dynamic_values_are_reported() {
        let mut errors = Vec::new();
        Template::compile(&json!({"a.$": 3, "b": {"c.$": "nope"}}), true, &mut errors, &mut Uses::default());
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].pointer, "/a.$");
        assert_eq!(errors[1].pointer, "/b/c.$");
    }
}
