//! What a call takes from JS: the definition (text or object), the input, and the options as a
//! plain object, each read as `JSON.stringify` writes it; and how they become a started
//! [`Execution`], the same way the CLI starts one.

use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use statelab::exec::{Execution, WorkflowType};
use statelab::report::{DiagnosticReport, ValidationReport};
use statelab::share::SessionOptions;
use statelab::stubs::{is_mock_config, mock_machine, Stubs};
use statelab::{Severity, Value};
use wasm_bindgen::prelude::*;

use crate::error::Failure;

#[wasm_bindgen(typescript_custom_section)]
const TS_INPUTS: &str = r#"
/** A JSON value, as Statelab returns data (outputs, stages). */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Data Statelab reads (the input, what a stub returns): any value, read as `JSON.stringify`
 * writes it, so a property that is `undefined` is absent and a `Date` is its ISO string.
 */
export type JsonInput = unknown;

/**
 * A state machine: ASL JSON or YAML text, a Serverless Framework `serverless.yml`, a
 * CloudFormation/SAM template, or an ASL definition as an object (diagnostics then locate
 * problems in `JSON.stringify(definition, null, 2)`).
 */
export type Definition = string | object;

/**
 * What a Task returns: `{Return: json}` or `{Throw: {Error, Cause}}`, taking `Duration` virtual
 * seconds.
 */
export type StubResponse =
  | { Return: JsonInput; Duration?: number; Comment?: string }
  | { Throw: { Error: string; Cause?: string }; Duration?: number; Comment?: string };

/**
 * Statelab's stubs, by state name: one response, or a list used in invocation order (the last
 * repeats). A Distributed Map's `ItemReader` data is `{MapState: {ItemReader: json}}`.
 */
export type StatelabStubs = {
  [stateName: string]: StubResponse | StubResponse[] | { ItemReader: JsonInput };
};

/** A Step Functions Local MockConfigFile (pick the test case with `mockTestCase`). */
export interface MockConfigFile {
  StateMachines: {
    [stateMachine: string]: { TestCases: { [testCase: string]: { [stateName: string]: string } } };
  };
  MockedResponses?: {
    [response: string]: {
      [invocations: string]:
        | { Return: JsonInput }
        | { Throw: { Error: string; Cause: string } };
    };
  };
}

/**
 * How to run: every field is optional, unknown fields are an error (`BAD_OPTIONS`). Like the
 * input, the options are read as `JSON.stringify` writes them.
 */
export interface RunOptions {
  /** What each Task returns; a Task without a stub returns its input (see `strictStubs`). */
  stubs?: StatelabStubs | MockConfigFile;
  /** The virtual start time, RFC 3339 (or a `Date`). Default `2026-01-01T00:00:00Z`. */
  startTime?: string | Date;
  /** Seed for `States.UUID`, `States.MathRandom`, JSONata's `$random()`, `$uuid()` and `$shuffle()`, and retry jitter. Default 0. */
  seed?: number;
  /** `EXPRESS` stops after five minutes and is priced per request and duration. */
  type?: "STANDARD" | "EXPRESS";
  /** The region, for ARNs and prices. Default `us-east-1`. */
  region?: string;
  /** The step budget: a run that takes more steps ends `ABORTED`. Default 1,000,000. */
  maxSteps?: number;
  /**
   * Which state machine, when the document (or the MockConfigFile) holds several: a MockConfigFile
   * machine of this name is read first, else the one named like the document's chosen machine. A
   * bare definition has no name of its own: this is its name (in ARNs), `StateMachine` without it.
   */
  stateMachine?: string;
  /** The MockConfigFile test case to use (default: the first). */
  mockTestCase?: string;
  /** A Task without a stub fails with `Statelab.NoStub` instead of returning its input. */
  strictStubs?: boolean;
}

/** Options of `validate`. */
export interface ValidateOptions {
  /** Which state machine, when the document holds several. */
  stateMachine?: string;
  /**
   * The workflow type to check for (default: the template's declared type, else `STANDARD`): an
   * `EXPRESS` workflow cannot run `.sync`, `.waitForTaskToken` or Activity Tasks.
   */
  type?: "STANDARD" | "EXPRESS";
}
"#;

/// `RunOptions` of the `.d.ts`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RunOptions {
    stubs: Option<Value>,
    start_time: Option<String>,
    /// Read as a number and checked by [`whole`]: as an `i64`, `1e20` was "floating point, expected
    /// a whole number", and a seed past 2^53 had lost digits before it got here.
    seed: Option<f64>,
    #[serde(rename = "type")]
    workflow_type: Option<WorkflowType>,
    region: Option<String>,
    /// Read as a number and checked by [`whole`] (serde's `u64` said "0 or more" of -1, and 0
    /// is refused too).
    max_steps: Option<f64>,
    state_machine: Option<String>,
    mock_test_case: Option<String>,
    strict_stubs: Option<bool>,
}

/// `ValidateOptions` of the `.d.ts`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ValidateOptions {
    /// Which state machine, when the document holds several.
    pub state_machine: Option<String>,
    /// The workflow type to check for.
    #[serde(rename = "type")]
    pub workflow_type: Option<WorkflowType>,
}

/// A JS value as `JSON.stringify` writes it: properties that are `undefined` (or functions) left
/// out, a `Date` as its ISO string. `Ok(None)` for a value with no JSON form at all (`undefined`,
/// a function); `Err` with JS's words for one that cannot be written (a `BigInt`, a cycle).
/// Reading JS values this way, rather than property by property, means that `{name: undefined}`
/// reaches the state machine as `{}`, as it would through `StartExecution`, not as
/// `{"name": null}` (which `IsPresent` would see).
fn stringify(v: &JsValue, indent: u32) -> Result<Option<String>, String> {
    js_sys::JSON::stringify_with_replacer_and_space(v, &JsValue::NULL, &JsValue::from(indent))
        .map(|text| text.as_string())
        .map_err(|e| thrown(&e))
}

// JS functions that may run the caller's code (a Proxy's traps, a getter), imported with `catch`:
// a JS exception that unwinds through the module skips its stack's restoring, so a few hundred of
// them (a revoked Proxy as options, a getter that throws) left every later call failing with
// "memory access out of bounds". js_sys's `Array::isArray` and `Object::entries` do not catch.
#[wasm_bindgen]
extern "C" {
    /// `Array.isArray(v)`: throws for a revoked Proxy.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    pub(crate) fn is_array(v: &JsValue) -> Result<bool, JsValue>;
    /// `Date.prototype.getTime.call(v)`: the time of a `Date` (NaN when invalid), and a
    /// `TypeError` for anything else, with none of the value's own code run.
    #[wasm_bindgen(catch, js_namespace = ["Date", "prototype", "getTime"], js_name = call)]
    fn date_time(v: &JsValue) -> Result<f64, JsValue>;
}

/// The message of what a JS call threw: an `Error`'s message, or the thrown string, number or
/// boolean itself (a getter that threw `'database offline'` gave an empty message: a QA pass).
fn thrown(e: &JsValue) -> String {
    let said = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .or_else(|| e.as_f64().map(|n| n.to_string()))
        .or_else(|| e.as_bool().map(|b| b.to_string()))
        .filter(|m| !m.is_empty());
    match said {
        Some(m) => crate::error::clip_values(&m),
        None => "an exception with no message".into(),
    }
}

/// Reads an options object; `undefined` and `null` give the defaults.
pub fn options<T: DeserializeOwned + Default>(options: JsValue) -> Result<T, Failure> {
    if options.is_undefined() || options.is_null() {
        return Ok(T::default());
    }
    let array = is_array(&options)
        .map_err(|e| Failure::BadOptions(format!("the options cannot be read: {}", thrown(&e))))?;
    if !options.is_object() || array {
        return Err(Failure::BadOptions("the options must be an object".into()));
    }
    let text = match stringify(&options, 0) {
        Ok(text) => text.unwrap_or_default(),
        Err(why) => {
            return Err(stubs_without_json(&options).unwrap_or_else(|| {
                Failure::BadOptions(format!("the options cannot be written as JSON: {why}"))
            }))
        }
    };
    // Read as the input is (1,000 levels deep, a lone surrogate as U+FFFD): serde_json's reader
    // stopped at 128 levels and refused lone surrogates, so stubs the input reader takes were
    // refused as options. Then through serde_json's own Value, so that errors carry no position
    // in text nobody wrote.
    let value = statelab::json::parse(&text).map_err(|e| Failure::BadOptions(e.message))?;
    check_unwritable(&options, &value)?;
    let json = serde_json::to_value(&value).map_err(|e| Failure::BadOptions(e.to_string()))?;
    // An unknown option is said first: `validate(d, {stubs: NaN})` was refused as BAD_STUBS, of
    // stubs validate does not take (a QA pass).
    let read = T::deserialize(&json).map_err(|e| {
        // serde does not say which option was wrong: the first that is wrong on its own is.
        let key = json.as_object().and_then(|o| {
            // Not the stubs, which take any value (and may be large).
            o.iter()
                .filter(|(k, _)| k.as_str() != "stubs")
                .find(|(k, v)| {
                    let alone =
                        serde_json::Value::Object([((*k).clone(), (*v).clone())].into_iter().collect());
                    T::deserialize(&alone).is_err()
                })
                .map(|(k, _)| k.clone())
        });
        Failure::BadOptions(in_js_terms(&e.to_string(), key.as_deref()))
    })?;
    check_values(&options, &value)?;
    Ok(read)
}

/// JavaScript's `Number.MAX_SAFE_INTEGER`, 2^53 - 1: past it, numbers lose digits.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A numeric option that must be a whole number from `min` to `Number.MAX_SAFE_INTEGER`.
fn whole(name: &str, value: Option<f64>, min: f64) -> Result<Option<i64>, Failure> {
    match value {
        None => Ok(None),
        Some(v) if v.fract() == 0.0 && (min..=MAX_SAFE_INTEGER).contains(&v) => Ok(Some(v as i64)),
        // One message for both bounds: "1 or more" was said of 1e20, which the upper bound refused.
        Some(v) => Err(Failure::BadOptions(format!(
            "{name} must be a whole number from {min} to {MAX_SAFE_INTEGER} (JavaScript's safe \
             integers: a larger one has already lost digits), not {v}"
        ))),
    }
}

/// serde's message with JavaScript's words for the types (`f64`, `map` and `sequence` mean
/// nothing to a caller who wrote `seed: "x"`), naming the option `key` when known, and with a
/// value of any length cut short (a 10 MB region was written out whole: a QA pass). The whole
/// numbers are read as numbers and checked by [`whole`].
fn in_js_terms(message: &str, key: Option<&str>) -> String {
    let words = [
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
        ("expected struct RunOptions", "expected an options object"),
        ("expected struct ValidateOptions", "expected an options object"),
        ("invalid type: map,", "invalid type: an object,"),
        ("invalid type: sequence,", "invalid type: an array,"),
        ("invalid type: integer", "invalid type: the number"),
        ("invalid type: floating point", "invalid type: the number"),
        ("invalid type: boolean", "invalid type:"),
    ];
    let message = words.iter().fold(message.to_string(), |m, (rust, js)| m.replace(rust, js));
    match key {
        Some(key) if !message.starts_with("unknown field") => {
            format!("{}: {message}", crate::error::quoted(key))
        }
        _ => message,
    }
}

/// When the options have no JSON form because of their stubs (a `BigInt` in a response), that is
/// a stubs problem, said as one; asked only once writing the whole options has failed, so the
/// stubs, which can be large, are not written twice.
fn stubs_without_json(options: &JsValue) -> Option<Failure> {
    let stubs = js_sys::Reflect::get(options, &JsValue::from_str("stubs")).ok()?;
    let why = stringify(&stubs, 0).err()?;
    let message = format!("the stubs cannot be written as JSON: {why}");
    Some(Failure::BadStubs(statelab::stubs::StubError { message, ..Default::default() }))
}

/// Refuses options whose value is a function or a Symbol, which `JSON.stringify` leaves out
/// altogether, so that they read as not given (`maxSteps: () => 3` ran to the history's limit,
/// a function as the stubs ran unstubbed: a QA pass). An unknown or mistyped option is an error.
/// Only the keys missing from `written` are read again (a getter may answer once only).
fn check_unwritable(options: &JsValue, written: &Value) -> Result<(), Failure> {
    let object: &js_sys::Object = options.unchecked_ref();
    for key in js_sys::Object::keys(object).iter() {
        let Some(name) = key.as_string() else { continue };
        if written.get(&name).is_some() {
            continue;
        }
        let value = js_sys::Reflect::get(options, &key)
            .map_err(|e| Failure::BadOptions(format!("{name} cannot be read: {}", thrown(&e))))?;
        let what = if value.is_function() {
            "a function"
        } else if value.is_symbol() {
            "a Symbol"
        } else {
            continue;
        };
        return Err(Failure::BadOptions(format!(
            "{} is {what}, which has no JSON value: give the value itself",
            crate::error::quoted(&name)
        )));
    }
    Ok(())
}

/// Refuses option values that `JSON.stringify` turned into `null` (`written`, the options as
/// written), which reads as "the default" (as `null` and `undefined` themselves do, on purpose):
/// `NaN`, the infinities and an invalid `Date` are mistakes, the stubs' too. Inside the stubs,
/// which are data, JSON's own rules apply.
fn check_values(options: &JsValue, written: &Value) -> Result<(), Failure> {
    for (key, value) in written.as_object().into_iter().flatten() {
        if !value.is_null() {
            continue;
        }
        let key: &str = key;
        let original = js_sys::Reflect::get(options, &JsValue::from_str(key))
            .map_err(|e| Failure::BadOptions(format!("{key} cannot be read: {}", thrown(&e))))?;
        if original.is_null() || original.is_undefined() {
            continue;
        }
        let why = match original.as_f64() {
            Some(n) if n.is_nan() => "cannot be NaN",
            Some(n) if n > 0.0 => "cannot be Infinity",
            Some(_) => "cannot be -Infinity",
            None if date_time(&original).is_ok_and(f64::is_nan) => "is an invalid Date",
            None => "has no JSON value (its toJSON gives null)",
        };
        let message = format!("{key} {why}");
        return Err(match key {
            "stubs" => Failure::BadStubs(statelab::stubs::StubError { message, ..Default::default() }),
            _ => Failure::BadOptions(message),
        });
    }
    Ok(())
}

/// The definition's text: a string as it is, an object as `JSON.stringify(definition, null, 2)`.
pub fn definition_text(definition: &JsValue) -> Result<String, Failure> {
    if let Some(text) = definition.as_string() {
        return Ok(text);
    }
    match stringify(definition, 2) {
        // `undefined` (and a function) have no JSON form: an empty definition.
        Ok(text) => Ok(text.unwrap_or_default()),
        Err(why) => Err(Failure::InvalidDefinition(vec![DiagnosticReport {
            severity: Severity::Error,
            code: "INVALID_JSON_DESCRIPTION".into(),
            message: format!("The definition object cannot be written as JSON: {why}"),
            location: None,
            line: None,
            column: None,
            end_line: None,
            end_column: None,
        }])),
    }
}

/// The execution input: any JSON value, read as `JSON.stringify` writes it; `undefined` gives
/// `{}`, as the CLI without `--input`.
pub fn input(input: JsValue) -> Result<Value, Failure> {
    if input.is_undefined() {
        return Ok(Value::empty_object());
    }
    let bad = |message: String| Failure::BadInput { message, error: None };
    let text = stringify(&input, 0)
        .map_err(bad)?
        .ok_or_else(|| bad(format!("{} has no JSON form", crate::error::kind_of(&input))))?;
    statelab::json::parse(&text).map_err(|e| bad(e.message))
}

/// Checks the definition, reads the input, stubs and options, and starts the execution: what
/// `statelab run` does before its first step. `inspect`: keep the visits and steps that an
/// `Execution` object shows (a plain `run` needs only the history).
pub fn start(
    definition: &JsValue,
    input_value: JsValue,
    options_value: JsValue,
    inspect: bool,
) -> Result<Execution, Failure> {
    let opts: RunOptions = options(options_value)?;
    let text = definition_text(definition)?;
    // As the CLI reads --state-machine: a bare definition's name, or a one-machine template's
    // naming only the MockConfigFile's machine, goes to the MockConfigFile.
    let checked = statelab::check_named(&text, opts.state_machine.as_deref(), opts.stubs.as_ref())
        .for_workflow(opts.workflow_type);
    let machine = checked
        .machine
        .clone()
        .ok_or_else(|| Failure::InvalidDefinition(ValidationReport::of(&checked).diagnostics))?;
    let input = input(input_value)?;
    let stubs = match &opts.stubs {
        None if opts.mock_test_case.is_some() => {
            return Err(Failure::BadOptions(
                "mockTestCase applies to a MockConfigFile, and there are no stubs".into(),
            ));
        }
        None => Stubs::empty(),
        Some(v) => {
            let mock = is_mock_config(v);
            if !mock && opts.mock_test_case.is_some() {
                return Err(Failure::BadOptions(
                    "mockTestCase applies to a MockConfigFile, and the stubs are Statelab's stubs".into(),
                ));
            }
            let machine = mock_machine(v, checked.selected.as_deref(), opts.state_machine.as_deref());
            Stubs::parse(v, machine, opts.mock_test_case.as_deref()).map_err(Failure::BadStubs)?
        }
    };
    let session = SessionOptions {
        // The type the template declares (`StateMachineType: EXPRESS`), unless `type` says.
        workflow_type: opts.workflow_type.or(checked.workflow_type),
        region: opts.region,
        start_time: opts.start_time,
        seed: whole("seed", opts.seed, -MAX_SAFE_INTEGER)?,
        max_steps: whole("maxSteps", opts.max_steps, 1.0)?.map(i64::unsigned_abs),
        state_machine: opts.state_machine,
        mock_test_case: opts.mock_test_case,
        strict_stubs: opts.strict_stubs.unwrap_or(false),
    };
    let mut options = session.to_options().map_err(Failure::BadOptions)?;
    if let Some(name) = checked.run_name(session.state_machine.as_deref()) {
        // The name in ARNs and `$$.StateMachine.Name`: the serverless or template machine's, or
        // the one `stateMachine` gives a bare definition (as the CLI's --state-machine).
        options.state_machine_name = name.to_string();
    }
    options.inspect = inspect;
    // A start time the execution cannot have (past year 9999 with its time limit) is an option's
    // fault, not the input's.
    options.check_start_time(machine.timeout_seconds).map_err(|e| Failure::BadOptions(e.cause))?;
    // So is a region not written like one (it was BAD_INPUT, which is about the input).
    options.check_region().map_err(|e| Failure::BadOptions(e.cause))?;
    // An Express run of a Task Express cannot run was refused above, located (`for_workflow`).
    Execution::start(machine, input, Rc::new(stubs), options)
        .map_err(|e| Failure::BadInput { message: e.cause, error: Some(e.error) })
}
