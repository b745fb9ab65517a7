//! Statelab for JavaScript: a thin facade over the interpreter. Functions take text and plain
//! objects, return plain objects (serde-wasm-bindgen), and throw `Error`s carrying diagnostic
//! fields.

#[cfg(feature = "bench")]
mod bench;

use std::rc::Rc;

use serde::Deserialize;
use statelab::exec::{Execution, Options, Unstubbed, WorkflowType};
use statelab::report::RunReport;
use statelab::stubs::Stubs;
use statelab::Value;
use wasm_bindgen::prelude::*;

/// Options for `run`, as a plain JS object.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
struct RunOptions {
    stubs: Option<serde_json::Value>,
    start_time: Option<String>,
    seed: Option<i64>,
    #[serde(rename = "type")]
    workflow_type: Option<WorkflowType>,
    region: Option<String>,
    max_steps: Option<u64>,
    state_machine: Option<String>,
    mock_test_case: Option<String>,
    strict_stubs: Option<bool>,
}

fn serializer() -> serde_wasm_bindgen::Serializer {
    serde_wasm_bindgen::Serializer::json_compatible()
}

fn to_js<T: serde::Serialize>(v: &T) -> Result<JsValue, JsError> {
    v.serialize(&serializer()).map_err(|e| JsError::new(&e.to_string()))
}

/// An `Error` with extra fields (`code`, `diagnostics`, ...).
fn error_with(message: &str, fields: &[(&str, JsValue)]) -> JsValue {
    let e = js_sys::Error::new(message);
    for (k, v) in fields {
        let _ = js_sys::Reflect::set(&e, &JsValue::from_str(k), v);
    }
    e.into()
}

/// Validates a definition (ASL JSON/YAML, serverless.yml, CloudFormation): `{result: "OK"|"FAIL",
/// diagnostics: [{severity, code, message, location, line, column}]}`.
#[wasm_bindgen]
pub fn validate(definition: &str) -> Result<JsValue, JsError> {
    let checked = statelab::check(definition, None);
    to_js(&statelab::report::ValidationReport::of(&checked))
}

/// Runs a definition to the end and returns the same object as `statelab run --format json`.
#[wasm_bindgen]
pub fn run(definition: &str, input: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let opts: RunOptions = if options.is_undefined() || options.is_null() {
        RunOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| error_with(&format!("bad options: {e}"), &[("code", "BAD_OPTIONS".into())]))?
    };
    let checked = statelab::check(definition, opts.state_machine.as_deref());
    let Some(machine) = checked.machine.clone() else {
        let report = statelab::report::ValidationReport::of(&checked);
        let first = report
            .diagnostics
            .first()
            .map(|d| d.message.clone())
            .unwrap_or_else(|| "invalid definition".into());
        return Err(error_with(
            &format!("Invalid definition: {first}"),
            &[
                ("code", "INVALID_DEFINITION".into()),
                ("diagnostics", to_js(&report.diagnostics).map_err(JsValue::from)?),
            ],
        ));
    };
    let input: Value = if input.is_undefined() || input.is_null() {
        Value::empty_object()
    } else {
        serde_wasm_bindgen::from_value(input)
            .map_err(|e| error_with(&format!("bad input: {e}"), &[("code", "BAD_INPUT".into())]))?
    };
    let stubs = match &opts.stubs {
        Some(s) => {
            Stubs::parse(&Value::from_serde(s), opts.state_machine.as_deref(), opts.mock_test_case.as_deref())
                .map_err(|e| {
                    error_with(
                        &format!("bad stubs: {e}"),
                        &[("code", "BAD_STUBS".into()), ("pointer", e.pointer.as_str().into())],
                    )
                })?
        }
        None => Stubs::empty(),
    };
    let mut o = Options::default();
    if let Some(t) = &opts.start_time {
        o.start_time_ms = statelab::time::parse_millis(t).ok_or_else(|| {
            error_with(
                &format!("bad startTime: {t} is not an RFC 3339 timestamp"),
                &[("code", "BAD_OPTIONS".into())],
            )
        })?;
    }
    if let Some(s) = opts.seed {
        o.seed = s;
    }
    if let Some(t) = opts.workflow_type {
        o.workflow_type = t;
    }
    if let Some(r) = opts.region {
        o.region = r;
    }
    if let Some(m) = opts.max_steps {
        o.max_steps = m;
    }
    if opts.strict_stubs == Some(true) {
        o.unstubbed = Unstubbed::Fail;
    }
    let mut exec = Execution::start(machine, input, Rc::new(stubs), o).map_err(|e| {
        error_with(&format!("{}: {}", e.error, e.cause), &[("code", e.error.as_str().into())])
    })?;
    exec.run();
    to_js(&RunReport::of(&exec)).map_err(JsValue::from)
}
