//! JSONata states at run time: `$states` bound for each evaluation, `Arguments` to the work,
//! `Output` and `Assign` after it.
//!
//! `$states` is `{input, result?, errorOutput?, context}`: the raw state input, the Task's,
//! Parallel's or Map's result (in `Output` and `Assign`), the error output (in a Catcher's
//! `Output` and `Assign`) and the context object. Variables are read as `$name`. `Assign` and
//! `Output` are both evaluated against the variables as they were when the state was entered,
//! then the assignments are applied, so `{"x": "{% $y %}", "y": "{% $x %}"}` swaps. Every
//! expression draws on the execution's seeded generator (`$random()`, `$uuid()`) and reads the
//! virtual clock (`$now()`, `$millis()`), so a run stays a pure function of its inputs.

use super::*;
use crate::jsonata::{Bindings, EvalEnv, Expr};
use crate::template::{eval_jsonata, JTemplate};

/// The most expression results one visit records for the inspector (a Map's ItemSelector runs
/// once per item).
pub const MAX_RECORDED_EVALUATIONS: usize = 100;

/// One JSONata expression a visit evaluated, for the inspector.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// The field, as causes name it (`Output/v`, `Choices[0]/Condition`).
    pub field: Rc<str>,
    /// The expression.
    pub expr: Rc<str>,
    /// What it gave (`None`: it failed, or gave nothing).
    pub value: Option<Value>,
}

/// `$states` and the workflow variables, as an expression sees them.
struct StatesBindings<'a> {
    states: &'a Value,
    vars: &'a VarFrame,
}

impl Bindings for StatesBindings<'_> {
    fn get(&self, name: &str) -> Option<Value> {
        if name == "states" {
            Some(self.states.clone())
        } else {
            Vars::get(self.vars, name)
        }
    }
}

/// A value described in a cause: its type and (the start of) its JSON.
fn describe(v: &Value) -> String {
    if v.is_null() {
        // Its type and its JSON are one word: "null", not "null null".
        return "null".into();
    }
    let json = v.to_json();
    let shown: String = json.chars().take(80).collect();
    let more = if shown.len() < json.len() { "…" } else { "" };
    format!("{} {shown}{more}", v.type_name())
}

/// A number field of a JSONata state: its name in causes (the `...Path` name the executor uses
/// for both languages, mapped back), the values it takes, and those in words.
pub(super) fn number_rule(path_field: &str) -> (&'static str, f64, f64, bool, &'static str) {
    const MAX_SECONDS: f64 = 99_999_999.0;
    match path_field {
        "SecondsPath" => ("Seconds", 0.0, MAX_SECONDS, true, "an integer from 0 to 99999999"),
        "TimeoutSecondsPath" => ("TimeoutSeconds", 1.0, MAX_SECONDS, true, "an integer from 1 to 99999999"),
        "HeartbeatSecondsPath" => {
            ("HeartbeatSeconds", 1.0, MAX_SECONDS, true, "an integer from 1 to 99999999")
        }
        "MaxConcurrencyPath" => ("MaxConcurrency", 0.0, f64::MAX, true, "a non-negative integer"),
        "ToleratedFailureCountPath" => {
            ("ToleratedFailureCount", 0.0, f64::MAX, true, "a non-negative integer")
        }
        "ToleratedFailurePercentagePath" => {
            ("ToleratedFailurePercentage", 0.0, 100.0, false, "a number from 0 to 100")
        }
        "MaxItemsPath" => {
            ("ItemReader/ReaderConfig/MaxItems", 0.0, 100_000_000.0, true, "an integer from 0 to 100000000")
        }
        "MaxItemsPerBatchPath" => {
            ("ItemBatcher/MaxItemsPerBatch", 0.0, f64::MAX, true, "a non-negative integer")
        }
        "MaxInputBytesPerBatchPath" => {
            ("ItemBatcher/MaxInputBytesPerBatch", 0.0, 262_144.0, true, "an integer from 0 to 262144")
        }
        _ => ("", 0.0, f64::MAX, false, "a non-negative number"),
    }
}

impl Execution {
    /// `$states` for the state a thread is in (with `$states.context.Map.Item` for a Map's
    /// ItemSelector). The context object is recorded on the visit for the inspector.
    fn states_doc(
        &mut self,
        fiber: usize,
        result: Option<&Value>,
        error_output: Option<&Value>,
        map_item: Option<(usize, &Value, Option<&Key>)>,
    ) -> Value {
        let ctx = self.context(fiber, map_item);
        if map_item.is_none() {
            // The latest (after retries, the attempt that counted).
            self.record_context(fiber, &ctx);
        }
        let mut m = Map::default();
        m.insert("input".into(), self.fiber(fiber).raw_input.clone());
        if let Some(r) = result {
            m.insert("result".into(), r.clone());
        }
        if let Some(e) = error_output {
            m.insert("errorOutput".into(), e.clone());
        }
        m.insert("context".into(), ctx);
        Value::object(m)
    }

    /// Evaluates one expression of the state a thread is in. A failure is recorded, as AWS
    /// records it, in an `EvaluationFailed` event before it goes to Retry and Catch.
    fn jeval(
        &mut self,
        fiber: usize,
        expr: &Expr,
        field: &Rc<str>,
        states: &Value,
    ) -> Result<Value, StatesError> {
        let vars = self.fiber(fiber).vars.clone();
        let bindings = StatesBindings { states, vars: &vars };
        // The expression draws on the execution's own generator, and hands it back.
        let rng = std::mem::replace(&mut self.rng, Rng::new(0));
        let mut env = EvalEnv::new(rng, self.now);
        let r = eval_jsonata(expr, field, &bindings, &mut env);
        self.rng = env.rng;
        if let Some(v) = self.visit_mut(fiber) {
            if v.evaluations.len() < MAX_RECORDED_EVALUATIONS {
                v.evaluations.push(Evaluation {
                    field: field.clone(),
                    expr: Rc::from(expr.text()),
                    value: r.as_ref().ok().cloned(),
                });
            } else {
                v.evaluations_dropped = true;
            }
        }
        r.map_err(|e| self.evaluation_failed(fiber, field, e))
    }

    /// Records `EvaluationFailed {error, cause, location, state}` and passes the error on. The
    /// cause here has no state prefix; the failure it causes has one (as LocalStack records).
    fn evaluation_failed(&mut self, fiber: usize, field: &str, e: StatesError) -> StatesError {
        if let Some(state) = self.current(fiber) {
            let name = self.machine.state(state).name.clone();
            self.emit(
                fiber,
                Some(state),
                Details::EvaluationFailed { error: err_details(&e), location: Rc::from(field), state: name },
            );
        }
        e
    }

    /// An expression gave a value of the wrong kind for its field. The wording is Statelab's:
    /// AWS's is not recorded [?].
    fn wrong_type(&mut self, fiber: usize, expr: &Expr, field: &str, v: &Value, wants: &str) -> StatesError {
        let e = StatesError::query(format!(
            "The JSONata expression '{}' specified for the field '{field}' returned {}, but the field takes {wants}.",
            expr.text(),
            describe(v)
        ));
        self.evaluation_failed(fiber, field, e)
    }

    /// Evaluates a JSONata template (`undefined` anywhere in it fails).
    fn jtemplate(&mut self, fiber: usize, t: &JTemplate, states: &Value) -> Result<Value, StatesError> {
        t.eval(&mut |e, field| self.jeval(fiber, e, field, states))
    }

    /// A template that sees `$states.input` and `$states.context` (ItemReader `Arguments`,
    /// ItemBatcher `BatchInput`).
    pub(super) fn j_payload(&mut self, fiber: usize, t: &JTemplate) -> Result<Value, StatesError> {
        let states = self.states_doc(fiber, None, None, None);
        self.jtemplate(fiber, t, &states)
    }

    /// `Arguments` (Task, Parallel): the work's input. Without it, the raw input.
    pub(super) fn j_effective(&mut self, fiber: usize, state: StateId) -> Result<Value, StatesError> {
        let machine = self.machine.clone();
        let st = machine.state(state);
        // Built even when nothing reads it, so the inspector can show `$states.context`.
        let states = self.states_doc(fiber, None, None, None);
        let eff = match &st.io.parameters {
            Some(Payload::Jsonata(t)) => {
                let v = self.jtemplate(fiber, t, &states)?;
                if let Some(vis) = self.visit_mut(fiber) {
                    vis.stages.after_arguments = Some(v.clone());
                }
                v
            }
            _ => self.fiber(fiber).raw_input.clone(),
        };
        check_payload("effective input after Arguments", &eff)?;
        self.fiber_mut(fiber).effective = eff.clone();
        Ok(eff)
    }

    /// An `Assign` block evaluated against the variables as they were at entry (applied later).
    fn j_assign(
        &mut self,
        fiber: usize,
        t: &JTemplate,
        states: &Value,
    ) -> Result<Vec<(Rc<str>, Value)>, StatesError> {
        let v = self.jtemplate(fiber, t, states)?;
        self.assignments(fiber, &v)
    }

    /// `Assign`, then `Output` (by default the result, else the input), then the exit along
    /// `Next`/`End`. `result` is the Task's, Parallel's or Map's.
    pub(super) fn j_finish(
        &mut self,
        fiber: usize,
        state: StateId,
        result: Option<Value>,
    ) -> Result<(), StatesError> {
        let machine = self.machine.clone();
        let st = machine.state(state);
        if let Some(r) = &result {
            if let Some(v) = self.visit_mut(fiber) {
                if v.stages.result.is_none() {
                    v.stages.result = Some(r.clone());
                }
            }
        }
        let states = self.states_doc(fiber, result.as_ref(), None, None);
        let assigned = match &st.assign {
            Some(Payload::Jsonata(t)) => self.j_assign(fiber, t, &states)?,
            _ => Vec::new(),
        };
        let out = match &st.io.output {
            Some(t) => self.jtemplate(fiber, t, &states)?,
            None => result.unwrap_or_else(|| self.fiber(fiber).raw_input.clone()),
        };
        self.apply_assigned(fiber, assigned);
        self.exit(fiber, state, out, None);
        Ok(())
    }

    /// A JSONata Choice: the first rule whose `Condition` is true, then its `Output` (when it has
    /// none, the state's own) and the `Assign`s (the state's, then the rule's: [`super::choice_assigned`]).
    pub(super) fn j_choice(
        &mut self,
        fiber: usize,
        state: StateId,
        spec: &ChoiceSpec,
    ) -> Result<(), StatesError> {
        let states = self.states_doc(fiber, None, None, None);
        let mut chosen = None;
        for (i, b) in spec.choices.iter().enumerate() {
            let Rule::Condition(e) = &b.rule else { continue };
            let field: Rc<str> = Rc::from(format!("Choices[{i}]/Condition"));
            match self.jeval(fiber, e, &field, &states)? {
                Value::Bool(true) => {
                    chosen = Some((i, b.next));
                    break;
                }
                Value::Bool(false) => {}
                other => return Err(self.wrong_type(fiber, e, &field, &other, "a boolean")),
            }
        }
        let (rule, next) = match (chosen, spec.default) {
            (Some((i, n)), _) => (Some(i), n),
            (None, Some(d)) => (None, d),
            (None, None) => return Err(no_choice_matched()),
        };
        let machine = self.machine.clone();
        let st = machine.state(state);
        let branch = rule.and_then(|i| spec.choices.get(i));
        let state_assigned = match &st.assign {
            Some(Payload::Jsonata(t)) => self.j_assign(fiber, t, &states)?,
            _ => Vec::new(),
        };
        let rule_assigned = match branch.and_then(|b| b.assign.as_ref()) {
            Some(Payload::Jsonata(t)) => self.j_assign(fiber, t, &states)?,
            _ => Vec::new(),
        };
        let assigned = super::choice_assigned(state_assigned, rule_assigned);
        let out = match branch.and_then(|b| b.output.as_ref()).or(st.io.output.as_ref()) {
            Some(t) => self.jtemplate(fiber, t, &states)?,
            None => self.fiber(fiber).raw_input.clone(),
        };
        if let Some(v) = self.visit_mut(fiber) {
            v.choice_rule = rule;
        }
        self.apply_assigned(fiber, assigned);
        self.exit_to(fiber, state, out, Some(next));
        Ok(())
    }

    /// A number field's expression (`Seconds`, `TimeoutSeconds`, `MaxConcurrency`, ...), named
    /// by the executor's `...Path` name.
    pub(super) fn j_number(&mut self, fiber: usize, e: &Expr, path_field: &str) -> Result<f64, StatesError> {
        let (field, min, max, integer, wants) = number_rule(path_field);
        let field: Rc<str> = Rc::from(field);
        let states = self.states_doc(fiber, None, None, None);
        let v = self.jeval(fiber, e, &field, &states)?;
        match v.as_f64() {
            Some(n) if n >= min && n <= max && (!integer || n.fract() == 0.0) => Ok(n),
            _ => Err(self.wrong_type(fiber, e, &field, &v, wants)),
        }
    }

    /// A Wait's `Timestamp` expression: an RFC 3339 timestamp.
    pub(super) fn j_timestamp(&mut self, fiber: usize, e: &Expr) -> Result<i64, StatesError> {
        let field: Rc<str> = Rc::from("Timestamp");
        let states = self.states_doc(fiber, None, None, None);
        let v = self.jeval(fiber, e, &field, &states)?;
        match v.as_str().and_then(parse_millis) {
            Some(ms) => Ok(ms),
            None => Err(self.wrong_type(
                fiber,
                e,
                &field,
                &v,
                "an RFC 3339 timestamp such as 2016-03-14T01:59:00Z",
            )),
        }
    }

    /// A Fail state's `Error` or `Cause` expression: a string.
    pub(super) fn j_string(&mut self, fiber: usize, e: &Expr, field: &str) -> Result<String, StatesError> {
        let field: Rc<str> = Rc::from(field);
        let states = self.states_doc(fiber, None, None, None);
        match self.jeval(fiber, e, &field, &states)? {
            Value::String(s) => Ok(s.to_string()),
            other => Err(self.wrong_type(fiber, e, &field, &other, "a string")),
        }
    }

    /// A Map's `Items`: an array.
    pub(super) fn j_items(&mut self, fiber: usize, t: &JTemplate) -> Result<Value, StatesError> {
        let states = self.states_doc(fiber, None, None, None);
        let v = self.jtemplate(fiber, t, &states)?;
        if matches!(v, Value::Array(_)) {
            return Ok(v);
        }
        Err(match t {
            JTemplate::Expr(e, field) => {
                // AWS's wording, quoted from real executions ("... specified for the field
                // 'Items' returned an unexpected result type. Expected 'array', but was
                // 'object'"), with the value LocalStack's AWS-recorded snapshot shows after it
                // (`test_map_state_items_eval_jsonata_fail`).
                let cause = format!(
                    "The JSONata expression '{}' specified for the field '{field}' returned an unexpected result \
                     type. Expected 'array', but was '{}' for value: {}",
                    e.text(),
                    v.type_name(),
                    v.to_json()
                );
                self.evaluation_failed(fiber, field, StatesError::query(cause))
            }
            // Statelab's wording for a constant that is not an array.
            _ => StatesError::query(format!("The field 'Items' must give an array, not {}.", describe(&v))),
        })
    }

    /// A Map's `ItemSelector` for item `index`, with `$states.context.Map.Item`.
    pub(super) fn j_item_selector(
        &mut self,
        fiber: usize,
        t: &JTemplate,
        index: usize,
        item: &Value,
        key: Option<&Key>,
    ) -> Result<Value, StatesError> {
        let states = self.states_doc(fiber, None, None, Some((index, item, key)));
        self.jtemplate(fiber, t, &states)
    }

    /// A matching Catcher's `Output` (by default the error output) and `Assign`, both seeing
    /// `$states.errorOutput`.
    pub(super) fn j_catch(
        &mut self,
        fiber: usize,
        c: &Catcher,
        error_output: &Value,
    ) -> Result<(Value, Assigned), StatesError> {
        if let Some(v) = self.visit_mut(fiber) {
            v.error_output = Some(error_output.clone());
        }
        let states = self.states_doc(fiber, None, Some(error_output), None);
        let assigned = match &c.assign {
            Some(Payload::Jsonata(t)) => self.j_assign(fiber, t, &states)?,
            _ => Vec::new(),
        };
        let out = match &c.output {
            Some(t) => self.jtemplate(fiber, t, &states)?,
            None => error_output.clone(),
        };
        Ok((out, assigned))
    }
}
