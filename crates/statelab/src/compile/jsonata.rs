//! JSONata states: every `{% %}` expression parsed once and checked for what it may read.
//!
//! The checks AWS makes when a definition is created (floci measured them against
//! `ValidateStateMachineDefinition`, issues #2670 and #2745): an expression must parse
//! (`INVALID_JSONATA_EXPRESSION`, with the parser's message and no code), and must start from
//! `$states`, a variable or a literal (`UNSUPPORTED_JSONATA_EXPRESSION: Reference to 'phone' at
//! the top level is not supported.`; `$` and `$$` are refused the same way). `$states.errorOutput`
//! exists only in a Catcher's `Output` and `Assign`, and `$states.result` only where a Task,
//! Parallel or Map has one; Statelab refuses the others when the definition is checked, in its
//! own words, where AWS's are not recorded [?].

use std::collections::HashSet;
use std::rc::Rc;

use super::*;
use crate::jsonata::Expr;
use crate::template::{jsonata_expression, JFound, JTemplate};

/// The fields of `$states`.
const STATES_FIELDS: [&str; 4] = ["input", "result", "errorOutput", "context"];

/// Which parts of `$states` a field may read besides `input` and `context`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Allowed {
    /// `$states.result`: the Output and Assign of a Task, Parallel or Map.
    pub result: bool,
    /// `$states.errorOutput`: a Catcher's Output and Assign.
    pub error_output: bool,
}

impl Allowed {
    /// `$states.input` and `$states.context` only.
    pub const INPUT: Allowed = Allowed { result: false, error_output: false };
}

/// Where a state sits, for the JSONata walk.
pub(super) struct StateAt<'a> {
    pub id: StateId,
    pub name: &'a Rc<str>,
    pub pointer: &'a str,
    pub scope: ScopeId,
    pub names: &'a ScopeNames,
}

/// The field a state's payload goes in: `Parameters` in JSONPath, `Arguments` in JSONata.
pub(super) fn arguments_key(ql: QueryLanguage) -> &'static str {
    match ql {
        QueryLanguage::JSONPath => "Parameters",
        QueryLanguage::JSONata => "Arguments",
    }
}

/// The other language's name for it.
pub(super) fn other_arguments_key(ql: QueryLanguage) -> &'static str {
    match ql {
        QueryLanguage::JSONPath => "Arguments",
        QueryLanguage::JSONata => "Parameters",
    }
}

/// The intrinsic function an expression calls (`States.Format(`), if any: AWS does not allow
/// intrinsics in JSONata.
fn intrinsic_call(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(i) = rest.find("States.") {
        let tail = rest.get(i..).unwrap_or("");
        if crate::intrinsics::is_intrinsic_call(tail) {
            let len = "States.".len()
                + tail
                    .get("States.".len()..)
                    .unwrap_or("")
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric())
                    .count();
            return tail.get(..len);
        }
        rest = tail.get("States.".len()..).unwrap_or("");
    }
    None
}

impl Compiler {
    /// Reports every key of `obj` not in `allowed`; those in `other` belong to the other query
    /// language, which AWS says in its own words.
    pub(super) fn unknown_fields_ql(
        &mut self,
        obj: &Map,
        allowed: &[&str],
        other: &[&str],
        pointer: &str,
        ql: QueryLanguage,
    ) {
        for key in obj.keys() {
            if allowed.contains(&&**key) {
                continue;
            }
            if other.contains(&&**key) {
                self.other_language_field(key, pointer, ql);
            } else {
                self.schema_field(format!("Field '{key}' is not supported"), pointer, key);
            }
        }
    }

    /// `The QueryLanguage is set to 'JSONata', but field 'X' is only supported for the
    /// 'JSONPath' QueryLanguage`, AWS's wording.
    pub(super) fn other_language_field(&mut self, key: &str, pointer: &str, ql: QueryLanguage) {
        let (is, only) = match ql {
            QueryLanguage::JSONPath => ("JSONPath", "JSONata"),
            QueryLanguage::JSONata => ("JSONata", "JSONPath"),
        };
        self.schema_field(
            format!("The QueryLanguage is set to '{is}', but field '{key}' is only supported for the '{only}' QueryLanguage"),
            pointer,
            key,
        );
    }

    /// A payload in the state's language: a JSONPath template or a JSONata one. `field` is the
    /// JSONata field's name in causes.
    pub(super) fn payload(
        &mut self,
        v: &Value,
        p: &str,
        field: &str,
        object: bool,
        uses: &mut Uses,
        ql: QueryLanguage,
    ) -> Option<Payload> {
        match ql {
            QueryLanguage::JSONPath => self.template(v, p, object, uses).map(Payload::Path),
            QueryLanguage::JSONata => self.jtemplate(v, p, field, Allowed::INPUT).map(Payload::Jsonata),
        }
    }

    /// A number field in either language: JSONPath's `X`/`XPath` pair, or JSONata's `X`, a
    /// constant or a `{% %}` expression. `Some(None)` when absent, `None` after an error.
    #[allow(clippy::option_option)]
    pub(super) fn num_field(
        &mut self,
        v: &Value,
        pointer: &str,
        key: &str,
        range: Range,
        uses: &mut Uses,
        ql: QueryLanguage,
    ) -> Option<Option<NumberSource>> {
        match ql {
            // The Map's number paths may not read the context object (measured on AWS).
            QueryLanguage::JSONPath => self.number_or_path(v, pointer, key, range, false, uses),
            QueryLanguage::JSONata => self.jnumber(v, pointer, key, range),
        }
    }

    /// A JSONata number field: a constant within `range`, or an expression (its value is
    /// checked when it runs).
    #[allow(clippy::option_option)]
    pub(super) fn jnumber(
        &mut self,
        v: &Value,
        pointer: &str,
        key: &str,
        range: Range,
    ) -> Option<Option<NumberSource>> {
        let kp = at(pointer, key);
        let c = match v.get(key) {
            None => return Some(None),
            Some(c) => c,
        };
        match c.as_str().and_then(jsonata_expression) {
            Some(text) => self.jexpr(text, &kp, Allowed::INPUT).map(|e| Some(NumberSource::Expr(e))),
            None => self.number(c, &kp, range).map(|n| Some(NumberSource::Const(n))),
        }
    }

    /// Parses and checks one expression at pointer `p`.
    pub(super) fn jexpr(&mut self, text: &str, p: &str, allowed: Allowed) -> Option<Rc<Expr>> {
        match Expr::parse(text) {
            Ok(e) => {
                let before = self.error_count();
                self.check_expr(&e, p, allowed);
                (self.error_count() == before).then(|| Rc::new(e))
            }
            Err(e) => {
                // AWS reports the parser's message without its code (floci #2745).
                self.error(codes::INVALID_JSONATA_EXPRESSION, e.message.clone(), p);
                None
            }
        }
    }

    /// What an expression may read: never the input at the top level, and `$states.result` and
    /// `$states.errorOutput` only where they exist.
    fn check_expr(&mut self, e: &Expr, p: &str, allowed: Allowed) {
        if e.too_deep() {
            // Validate said nothing of it, and a slip inside passed unseen (a QA pass).
            self.warning(
                codes::SUSPICIOUS,
                format!(
                    "This expression is too deep or too long for Statelab's parser (more than {} levels, \
                     or past its stack budget): it was not checked, and Statelab fails it (U1001) when it \
                     is evaluated",
                    crate::jsonata::MAX_NESTING
                ),
                p,
            );
        }
        let intrinsic = intrinsic_call(e.text());
        if let Some(name) = intrinsic {
            // AWS documents that intrinsics are not allowed in JSONata; the wording is Statelab's.
            self.error(
                codes::UNSUPPORTED_JSONATA_EXPRESSION,
                format!("Intrinsic functions ({name}) are not supported in JSONata: use JSONata's functions, and $partition, $range, $hash, $random, $uuid and $parse, which Step Functions adds"),
                p,
            );
        }
        let mut seen = HashSet::new();
        for r in e.input_references() {
            if !seen.insert(r.name.clone()) || (intrinsic.is_some() && r.name == "States") {
                continue;
            }
            // AWS's wording for a bare name (floci #2670) and for `$$` (floci #2745); `$` is
            // worded like `$$` [?].
            let message = match r.name.as_str() {
                "$" | "$$" => format!("Reference to '{}' is not supported.", r.name),
                name => format!("Reference to '{name}' at the top level is not supported."),
            };
            self.error(codes::UNSUPPORTED_JSONATA_EXPRESSION, message, p);
        }
        // The free names read, and those of them called (one walk for the free names).
        let free = e.variables();
        let unknown = e.called_among(&free);
        for name in free {
            if name != "states" && !unknown.contains(&name) {
                self.reads.push((name, p.to_string(), ReadBy::Jsonata));
            }
        }
        for name in unknown {
            self.unknown_calls.push((name, p.to_string()));
        }
        for name in e.called_builtins() {
            self.calls.push((name, p.to_string()));
        }
        let fields = e.states_fields();
        for f in fields.iter().filter(|f| !STATES_FIELDS.contains(&f.as_str())) {
            let hint = crate::machine::closest_name(f, STATES_FIELDS.into_iter())
                .map(|k| format!(" (did you mean '$states.{k}'?)"))
                .unwrap_or_default();
            // Statelab's own warning: the field is undefined, so reading it fails.
            self.warning(
                codes::SUSPICIOUS,
                format!("'$states' has no field '{f}' (it has input, result, errorOutput and context), so '$states.{f}' is undefined{hint}"),
                p,
            );
        }
        if fields.contains("errorOutput") && !allowed.error_output {
            self.error(
                codes::UNSUPPORTED_JSONATA_EXPRESSION,
                "Reference to '$states.errorOutput' is not supported here: it exists only in a Catcher's Output and Assign.",
                p,
            );
        }
        if fields.contains("result") && !allowed.result {
            self.error(
                codes::UNSUPPORTED_JSONATA_EXPRESSION,
                "Reference to '$states.result' is not supported here: only the Output and Assign of a Task, Parallel or Map state have a result.",
                p,
            );
        }
    }

    /// Warnings for variables JSONata expressions read that no `Assign` in the machine sets:
    /// such a read is undefined, and fails unless guarded (`$exists($x)`); most are misspellings
    /// (`$state.input` for `$states.input`). And for calls of a built-in function that a variable
    /// of its name hides.
    pub(super) fn warn_variable_uses(&mut self) {
        let reads = std::mem::take(&mut self.reads);
        let mut known: Vec<&str> = self.assigned.iter().map(String::as_str).collect();
        known.sort_unstable();
        let mut found = Vec::new();
        for (name, p, by) in &reads {
            if self.assigned.contains(name) {
                continue;
            }
            let effect = match by {
                ReadBy::Jsonata => "this expression reads it as undefined",
                ReadBy::Path => "this path finds nothing and the state fails (States.Runtime)",
                // IsPresent tests for it without failing (asl-facts: `IsPresent: false` on a
                // missing path is true); it was said to fail (a QA pass).
                ReadBy::Presence => {
                    "it is never present here and this IsPresent test always gives the same answer"
                }
            };
            if name == "states" {
                // Only a JSONPath path gets here (JSONata states always have `$states`), and no
                // Assign may set a variable of that name. It suggested '$states' itself (a QA pass).
                let effect = if *by == ReadBy::Presence { "it is never present" } else { effect };
                found.push((
                    format!("'$states' exists only in JSONata states: in a JSONPath state this reads a variable named 'states', which no Assign may set, so {effect}"),
                    p.clone(),
                ));
                continue;
            }
            // `$states` is a likely meaning of a misspelt name only where it exists.
            let states = (*by == ReadBy::Jsonata).then_some("states");
            let hint = crate::machine::closest_name(name, known.iter().copied().chain(states))
                .map(|k| format!(" (did you mean '${k}'?)"))
                .unwrap_or_default();
            found.push((format!("No state assigns the variable '${name}', so {effect}{hint}"), p.clone()));
        }
        // A variable hides the built-in function of its name (as bindings do in jsonata-js):
        // `$count(...)` then calls the variable, and fails (T1006).
        for (name, p) in std::mem::take(&mut self.calls) {
            if self.assigned.contains(&name) {
                found.push((
                    format!("An Assign sets a variable named '{name}', which hides JSONata's ${name}() function: this call would call the variable and fail (T1006); give the variable another name"),
                    p,
                ));
            }
        }
        // A call of a name that is no function: JSONata has no such built-in (a misspelling,
        // reported as a variable no state assigns: a QA pass), or a variable, which holds JSON.
        for (name, p) in std::mem::take(&mut self.unknown_calls) {
            let message = if name == "eval" {
                "Step Functions does not offer JSONata's $eval(): calling it fails (T1006)".to_string()
            } else if self.assigned.contains(&name) {
                format!("'${name}' is a variable, set by an Assign, and variables hold JSON, not functions: calling it fails (T1006)")
            } else {
                let hint = crate::machine::closest_name(&name, crate::jsonata::builtin_function_names())
                    .map(|k| format!(" (did you mean '${k}'?)"))
                    .unwrap_or_default();
                format!("JSONata has no function '${name}'{hint}: calling it fails (T1006)")
            };
            found.push((message, p));
        }
        for (message, p) in found {
            // Statelab's own warning.
            self.warning(codes::SUSPICIOUS, message, &p);
        }
    }

    /// A JSONata template at pointer `p`, named `field` in causes. `None` after an error.
    pub(super) fn jtemplate(
        &mut self,
        v: &Value,
        p: &str,
        field: &str,
        allowed: Allowed,
    ) -> Option<JTemplate> {
        let mut found = Vec::new();
        let t = JTemplate::compile(v, field, &mut found);
        let before = self.error_count();
        for f in found {
            match f {
                JFound::Invalid { pointer, message, at } => {
                    let d = Diagnostic::error(codes::INVALID_JSONATA_EXPRESSION, message, Some(format!("{p}{pointer}")));
                    self.diags.push(match at {
                        Some(offset) => d.at_value_offset(offset),
                        None => d,
                    });
                }
                JFound::DollarKey { pointer } => self.schema(
                    // AWS documents that `.$` keys belong to JSONPath; the wording is Statelab's.
                    "Field names ending in '.$' are JSONPath syntax and are not supported in JSONata states: write the value as a {% %} expression",
                    &format!("{p}{pointer}"),
                ),
                JFound::Expr { pointer, expr } => self.check_expr(&expr, &format!("{p}{pointer}"), allowed),
            }
        }
        self.warn_jsonata_literals(v, p);
        (self.error_count() == before).then_some(t)
    }

    /// Warnings for strings that a JSONata state uses as written although they look like they
    /// meant something else: a JSONPath, an intrinsic call, or a `{% %}` with something around it.
    fn warn_jsonata_literals(&mut self, v: &Value, p: &str) {
        let mut found = Vec::new();
        walk_strings(v, p, &mut |ptr, key, s| {
            // (A `.$` key is an error of its own.)
            if jsonata_expression(s).is_some() || key.ends_with(".$") {
                return;
            }
            let why = if jsonata_expression(s.trim_end_matches(['\n', '\r'])).is_some() {
                Some("ends with a line break after '%}' (a YAML '|' or '>' block keeps the last one), so it is a literal string: write '|-' or '>-' to drop it")
            } else if s.contains("{%") && s.contains("%}") {
                Some("contains {% %} but is not exactly one expression (nothing may come before '{%' or after '%}'), so it is a literal string: Step Functions does not interpolate")
            } else if looks_like_path_or_call(s) {
                Some("looks like a JSONPath or an intrinsic function, but in a JSONata state it is a literal string: write a {% %} expression such as {% $states.input.x %}")
            } else {
                None
            };
            if let Some(why) = why {
                found.push((ptr.to_string(), why));
            }
        });
        for (ptr, why) in found {
            // Statelab's own warning.
            self.warning(codes::SUSPICIOUS, format!("This value {why}"), &ptr);
        }
    }

    /// A JSONata `Assign` of the state or rule or Catcher at `pointer`, named `field` in causes.
    pub(super) fn jassign(
        &mut self,
        v: &Value,
        pointer: &str,
        field: &str,
        allowed: Allowed,
    ) -> Option<Payload> {
        let a = v.get("Assign")?;
        let p = at(pointer, "Assign");
        let Some(map) = a.as_object() else {
            self.expected(ty::OBJECT, &p);
            return None;
        };
        self.assign_names(map, &p);
        self.jtemplate(a, &p, field, allowed).map(Payload::Jsonata)
    }

    /// A state whose query language is JSONata.
    pub(super) fn jsonata_state(
        &mut self,
        s: &StateAt,
        ty: &str,
        v: &Value,
        fields: Fields,
        errors_before: usize,
    ) -> Option<State> {
        let obj = v.as_object()?;
        let pointer = s.pointer;
        let comment = self.opt_string(v, pointer, "Comment");
        let next = if fields.contains(&"Next") {
            self.next_or_end(s.id, v, pointer, s.names)
        } else {
            Next::Terminal
        };
        let with_result = Allowed { result: matches!(ty, "Task" | "Parallel" | "Map"), error_output: false };
        let mut io = Io::default();
        if fields.contains(&"Arguments") {
            io.parameters = obj
                .get("Arguments")
                .and_then(|a| self.jtemplate(a, &at(pointer, "Arguments"), "Arguments", Allowed::INPUT))
                .map(Payload::Jsonata);
        }
        if fields.contains(&"Output") {
            io.output = obj
                .get("Output")
                .and_then(|o| self.jtemplate(o, &at(pointer, "Output"), "Output", with_result));
        }
        let assign =
            if fields.contains(&"Assign") { self.jassign(v, pointer, "Assign", with_result) } else { None };
        let (retry, catch) = if fields.contains(&"Retry") {
            (
                self.retriers(v, pointer),
                self.catchers(s.id, v, pointer, s.names, QueryLanguage::JSONata, &mut Uses::default()),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let kind = match ty {
            "Pass" => Some(Kind::Pass { result: None }),
            "Task" => self.jtask(v, pointer).map(|t| Kind::Task(Box::new(t))),
            "Choice" => self.jchoice(s, v).map(|c| Kind::Choice(Box::new(c))),
            "Wait" => self.jwait(v, pointer).map(Kind::Wait),
            "Succeed" => Some(Kind::Succeed),
            "Fail" => self.jfail(v, pointer),
            "Parallel" => self.branches(v, pointer, s.id).map(|branches| Kind::Parallel { branches }),
            "Map" => self
                .map(v, pointer, s.id, &mut Uses::default(), QueryLanguage::JSONata)
                .map(|m| Kind::Map(Box::new(m))),
            _ => None,
        };
        if self.error_count() > errors_before {
            return None;
        }
        Some(State {
            name: s.name.clone(),
            scope: s.scope,
            pointer: pointer.to_string(),
            query_language: QueryLanguage::JSONata,
            kind: kind?,
            next,
            io,
            retry,
            catch,
            assign,
            comment,
            // `$states.context` is always offered.
            uses_context: true,
        })
    }

    fn jtask(&mut self, v: &Value, pointer: &str) -> Option<TaskSpec> {
        let obj = v.as_object()?;
        let (resource, resource_kind, pattern) = self.task_resource(obj, pointer);
        let positive = Range::int(1.0, Some(MAX_SECONDS));
        let timeout = self.jnumber(v, pointer, "TimeoutSeconds", positive);
        let heartbeat = self.jnumber(v, pointer, "HeartbeatSeconds", positive);
        self.task_timing(&heartbeat, &timeout, pointer);
        let credentials = match obj.get("Credentials") {
            Some(c) => {
                let cp = at(pointer, "Credentials");
                if let Some(co) = c.as_object() {
                    self.require(co, &["RoleArn"], &cp);
                } else if c.as_str().is_none_or(|s| jsonata_expression(s).is_none()) {
                    self.expected(ty::OBJECT, &cp);
                }
                self.jtemplate(c, &cp, "Credentials", Allowed::INPUT).map(Payload::Jsonata)
            }
            None => None,
        };
        self.task_token_passed(obj, pattern, "Arguments", "$states.context.Task.Token", pointer);
        Some(TaskSpec {
            resource: resource?,
            resource_kind,
            pattern,
            timeout: timeout?,
            heartbeat: heartbeat?,
            credentials,
        })
    }

    /// A JSONata Choice: rules of `Condition` and `Next`, each with its own `Output` and
    /// `Assign`.
    fn jchoice(&mut self, s: &StateAt, v: &Value) -> Option<ChoiceSpec> {
        let pointer = s.pointer;
        let list = self.choices_list(v, pointer);
        let cp = at(pointer, "Choices");
        let mut ok = v.get("Choices").is_some_and(|c| c.as_array().is_some_and(|a| !a.is_empty()));
        let mut choices = Vec::new();
        for (i, r) in list.iter().enumerate() {
            let rp = at(&cp, &i.to_string());
            let Some(rule) = r.as_object() else {
                self.expected(ty::OBJECT, &rp);
                ok = false;
                continue;
            };
            let before = self.error_count();
            for key in rule.keys() {
                if COMPARATORS.contains(&&**key) || ["Variable", "And", "Or", "Not"].contains(&&**key) {
                    self.other_language_field(key, &rp, QueryLanguage::JSONata);
                } else if !["Condition", "Next", "Comment", "Assign", "Output"].contains(&&**key) {
                    self.schema_field(format!("Field '{key}' is not supported"), &rp, key);
                }
            }
            self.require(rule, &["Condition", "Next"], &rp);
            self.opt_string(r, &rp, "Comment");
            let next = rule.get("Next").and_then(|n| self.target(s.id, n, &at(&rp, "Next"), s.names));
            let condp = at(&rp, "Condition");
            let condition = match rule.get("Condition") {
                None => None,
                Some(Value::String(text)) => match jsonata_expression(text) {
                    Some(text) => self.jexpr(text, &condp, Allowed::INPUT),
                    None => {
                        // Statelab's wording: AWS's is not recorded.
                        self.schema(
                            "The value of 'Condition' must be a JSONata expression ({% ... %}) that gives a boolean",
                            &condp,
                        );
                        None
                    }
                },
                // A constant condition is written as the expression it is.
                Some(Value::Bool(b)) => Expr::parse(if *b { "true" } else { "false" }).ok().map(Rc::new),
                Some(_) => {
                    // Statelab's wording: "Expected value of type [BOOLEAN]" hid the usual form, a
                    // {% %} string (a QA pass).
                    self.schema(
                        "The value of 'Condition' must be a JSONata expression ({% ... %}) that gives a boolean, or true or false",
                        &condp,
                    );
                    None
                }
            };
            let field = format!("Choices[{i}]");
            let output = rule.get("Output").and_then(|o| {
                self.jtemplate(o, &at(&rp, "Output"), &format!("{field}/Output"), Allowed::INPUT)
            });
            let assign = self.jassign(r, &rp, &format!("{field}/Assign"), Allowed::INPUT);
            match (condition, next) {
                (Some(c), Some(next)) if self.error_count() == before => {
                    choices.push(ChoiceBranch { rule: choice::Rule::Condition(c), next, assign, output })
                }
                _ => ok = false,
            }
        }
        let default = match v.get("Default") {
            Some(d) => {
                let t = self.target(s.id, d, &at(pointer, "Default"), s.names);
                ok &= t.is_some();
                t
            }
            None => {
                self.warning(
                    codes::SUSPICIOUS,
                    "This Choice state has no Default: when no rule matches, the execution fails with States.NoChoiceMatched",
                    pointer,
                );
                None
            }
        };
        ok.then_some(ChoiceSpec { choices, default })
    }

    /// A JSONata Wait: `Seconds` or `Timestamp`, a constant or an expression.
    fn jwait(&mut self, v: &Value, pointer: &str) -> Option<WaitSpec> {
        let expr_of =
            |k: &str| v.get(k).and_then(Value::as_str).and_then(jsonata_expression).map(str::to_string);
        match (expr_of("Seconds"), expr_of("Timestamp")) {
            (Some(_), Some(_)) => {
                self.schema(
                    "There should only be one of the following fields: [Seconds, Timestamp]",
                    pointer,
                );
                None
            }
            (Some(text), None) if v.get("Timestamp").is_none() => self
                .jexpr(&text, &at(pointer, "Seconds"), Allowed::INPUT)
                .map(|e| WaitSpec::Seconds(NumberSource::Expr(e))),
            (None, Some(text)) if v.get("Seconds").is_none() => self
                .jexpr(&text, &at(pointer, "Timestamp"), Allowed::INPUT)
                .map(|e| WaitSpec::Timestamp(TimestampSource::Expr(e))),
            (Some(_), None) | (None, Some(_)) => {
                self.schema(
                    "There should only be one of the following fields: [Seconds, Timestamp]",
                    pointer,
                );
                None
            }
            // Constants are checked as in JSONPath (the `...Path` fields are already refused).
            (None, None) => self.wait(v, pointer),
        }
    }

    /// A JSONata Fail: `Error` and `Cause`, constants or expressions.
    fn jfail(&mut self, v: &Value, pointer: &str) -> Option<Kind> {
        self.warn_reserved_error(v.get("Error"), &at(pointer, "Error"));
        let mut field = |key: &str| -> Option<Option<StringSource>> {
            let p = at(pointer, key);
            match v.get(key) {
                None => Some(None),
                Some(Value::String(s)) => match jsonata_expression(s) {
                    Some(text) => self.jexpr(text, &p, Allowed::INPUT).map(|e| Some(StringSource::Expr(e))),
                    None => Some(Some(StringSource::Const(s.clone()))),
                },
                Some(_) => {
                    self.expected(ty::STRING, &p);
                    None
                }
            }
        };
        let error = field("Error");
        let cause = field("Cause");
        Some(Kind::Fail { error: error?, cause: cause? })
    }

    /// Inner scopes (a Parallel branch, an inline Map's iterations) read the variables of the
    /// scopes around them but cannot assign them: such an assignment fails at run time (see
    /// `exec`). Statelab warns when the definition is checked, naming the variable assigned both
    /// inside a scope and around it.
    pub(super) fn warn_outer_assignments(&mut self, states: &[State], scopes: &[Scope]) {
        // Every (scope, name, pointer) assigned, by states, Choice rules and Catchers.
        let mut assigned: Vec<(ScopeId, String, String)> = Vec::new();
        for st in states {
            let mut add = |payload: &Option<Payload>, pointer: String| {
                for name in assigned_names(payload) {
                    assigned.push((st.scope, name, pointer.clone()));
                }
            };
            add(&st.assign, at(&st.pointer, "Assign"));
            for (i, c) in st.catch.iter().enumerate() {
                add(&c.assign, format!("{}/Catch/{i}/Assign", st.pointer));
            }
            if let Kind::Choice(spec) = &st.kind {
                for (i, b) in spec.choices.iter().enumerate() {
                    add(&b.assign, format!("{}/Choices/{i}/Assign", st.pointer));
                }
            }
        }
        // The scopes around one, up to the nearest Distributed Map (whose children see none).
        let outer = |mut scope: ScopeId| {
            let mut out = Vec::new();
            while let Some(parent) = scopes.get(scope).and_then(|s| s.parent) {
                // With no error, every state compiled and ids index the table.
                let Some(p) = states.get(parent) else { break };
                if let Kind::Map(m) = &p.kind {
                    if matches!(m.mode, MapMode::Distributed { .. }) {
                        break;
                    }
                }
                out.push(p.scope);
                scope = p.scope;
            }
            out
        };
        let mut reported = HashSet::new();
        for (scope, name, pointer) in &assigned {
            let around = outer(*scope);
            if around.is_empty() {
                continue;
            }
            if assigned.iter().any(|(s, n, _)| n == name && around.contains(s))
                && reported.insert((pointer, name))
            {
                self.warning(
                    codes::SUSPICIOUS,
                    format!("'{name}' is also assigned outside this Parallel branch or Map iteration: an inner scope can read an outer variable but not assign it, so this Assign fails (States.Runtime) once '{name}' has been assigned outside"),
                    pointer,
                );
            }
        }
    }
}

/// The variable names an Assign block sets.
fn assigned_names(payload: &Option<Payload>) -> Vec<String> {
    match payload {
        Some(Payload::Path(Template::Const(v))) | Some(Payload::Jsonata(JTemplate::Const(v))) => {
            v.as_object().map(|m| m.keys().map(|k| k.to_string()).collect()).unwrap_or_default()
        }
        Some(Payload::Path(Template::Object { members, .. })) => {
            members.iter().map(|(k, _)| k.to_string()).collect()
        }
        Some(Payload::Jsonata(JTemplate::Object(members))) => {
            members.iter().map(|(k, _)| k.to_string()).collect()
        }
        _ => Vec::new(),
    }
}
