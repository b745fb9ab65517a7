//! The JS API, run in wasm under Node (`cargo test -p statelab-wasm --target
//! wasm32-unknown-unknown`): every exported function, the `Execution` class, the options and
//! the errors as JS sees them.
#![cfg(target_arch = "wasm32")]

use statelab_wasm::{run, validate, Failure, JsExecution};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const HELLO: &str =
    r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"hi": 1}, "End": true}}}"#;

/// A Task that fails once and is retried 2 s later, taking 1 s the second time, then a Pass.
const RETRY: &str = r#"{
  "StartAt": "Charge",
  "States": {
    "Charge": {
      "Type": "Task",
      "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
      "InputPath": "$.order",
      "Parameters": {"amount.$": "$.total"},
      "ResultSelector": {"id.$": "$.id"},
      "ResultPath": "$.payment",
      "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2}],
      "Next": "Done"
    },
    "Done": {"Type": "Pass", "End": true}
  }
}"#;

const RETRY_STUBS: &str = r#"{"stubs": {"Charge": [
  {"Throw": {"Error": "Busy", "Cause": "try later"}},
  {"Return": {"id": "p-1", "extra": true}, "Duration": 1}
]}}"#;

fn js(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

/// `v.a.b.0.c` for a dotted path.
fn get(v: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(v.clone(), |v, k| js_sys::Reflect::get(&v, &JsValue::from_str(k)).unwrap())
}

fn text(v: &JsValue, path: &str) -> String {
    get(v, path).as_string().unwrap_or_else(|| panic!("{path} is not a string: {:?}", get(v, path)))
}

fn num(v: &JsValue, path: &str) -> f64 {
    get(v, path).as_f64().unwrap_or_else(|| panic!("{path} is not a number: {:?}", get(v, path)))
}

fn json(v: &JsValue) -> String {
    js_sys::JSON::stringify(v).unwrap().as_string().unwrap()
}

/// The thrown `Error`, as JS catches it.
fn thrown<T>(r: Result<T, Failure>) -> JsValue {
    let Err(failure) = r else { panic!("expected an error") };
    let e = JsValue::from(failure);
    assert!(e.is_instance_of::<js_sys::Error>(), "not an Error: {e:?}");
    assert_eq!(text(&e, "name"), "StatelabError");
    e
}

fn is_plain_object(v: &JsValue) -> bool {
    v.is_object()
        && js_sys::Object::get_prototype_of(v) == js_sys::Object::get_prototype_of(&js_sys::Object::new())
}

fn start(def: &str, input: &str, options: &str) -> JsExecution {
    JsExecution::new(def.into(), js(input), js(options)).unwrap()
}

// --- validate

#[wasm_bindgen_test]
fn validate_reports_ok_and_fail_with_located_diagnostics() {
    let ok = validate(HELLO.into(), JsValue::UNDEFINED).unwrap();
    assert_eq!(json(&ok), r#"{"result":"OK","diagnostics":[]}"#);
    let bad =
        validate(r#"{"StartAt": "X", "States": {"A": {"Type": "Succeed"}}}"#.into(), JsValue::NULL).unwrap();
    assert_eq!(text(&bad, "result"), "FAIL");
    assert_eq!(text(&bad, "diagnostics.0.code"), "MISSING_TRANSITION_TARGET");
    assert_eq!(text(&bad, "diagnostics.0.severity"), "ERROR");
    assert_eq!(text(&bad, "diagnostics.0.location"), "/StartAt");
    assert_eq!((num(&bad, "diagnostics.0.line"), num(&bad, "diagnostics.0.column")), (1.0, 13.0));
}

#[wasm_bindgen_test]
fn validate_reports_warnings_and_reads_yaml_and_objects() {
    let warn =
        validate("StartAt: Say hello\nStates:\n  Say hello:\n    Type: Succeed\n".into(), JsValue::NULL)
            .unwrap();
    assert_eq!(text(&warn, "result"), "OK");
    assert_eq!(text(&warn, "diagnostics.0.severity"), "WARNING");
    assert_eq!(num(&warn, "diagnostics.0.line"), 3.0);
    // An object is read as its JSON text, indented by 2: the diagnostic points into that.
    let obj = js(r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B", "End": true}}}"#);
    let r = validate(obj, JsValue::UNDEFINED).unwrap();
    assert_eq!(text(&r, "result"), "FAIL");
    assert!(num(&r, "diagnostics.0.line") > 1.0);
    let empty = validate(JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(text(&empty, "diagnostics.0.code"), "MISSING_DESCRIPTION");
}

#[wasm_bindgen_test]
fn validate_picks_a_machine_of_a_serverless_file() {
    let yml = "service: s\nstepFunctions:\n  stateMachines:\n    one:\n      definition:\n        StartAt: A\n        \
               States:\n          A: {Type: Succeed}\n    two:\n      definition:\n        StartAt: B\n        States:\n          \
               B: {Type: Pass, Next: Nowhere}\n";
    let two = validate(yml.into(), js(r#"{"stateMachine": "two"}"#)).unwrap();
    assert_eq!(text(&two, "result"), "FAIL");
    let one = validate(yml.into(), js(r#"{"stateMachine": "one"}"#)).unwrap();
    assert_eq!(text(&one, "result"), "OK");
    let e = thrown(validate(yml.into(), js(r#"{"machine": "one"}"#)));
    assert_eq!(text(&e, "code"), "BAD_OPTIONS");
}

// --- run

#[wasm_bindgen_test]
fn run_returns_the_cli_report_as_plain_objects() {
    let r = run(HELLO.into(), JsValue::NULL, JsValue::UNDEFINED).unwrap();
    assert!(is_plain_object(&r));
    assert_eq!(text(&r, "status"), "SUCCEEDED");
    assert_eq!(json(&get(&r, "output")), r#"{"hi":1}"#);
    assert_eq!(json(&get(&r, "states_entered")), r#"["A"]"#);
    assert_eq!(num(&r, "billable_transitions"), 1.0);
    assert_eq!(num(&r, "virtual_seconds"), 0.0);
    assert_eq!(text(&r, "cost.region"), "us-east-1");
    assert!(is_plain_object(&get(&r, "cost")));
    let first = get(&r, "history.0");
    assert!(is_plain_object(&first));
    assert_eq!(
        json(&first),
        r#"{"timestamp":"2026-01-01T00:00:00.000Z","type":"ExecutionStarted","id":1,"previousEventId":0,"executionStartedEventDetails":{"input":"null","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::123456789012:role/StatelabRole"}}"#
    );
    assert_eq!(js_sys::Array::from(&get(&r, "history")).length(), 4);
    // No error fields on success: absent, not null.
    assert!(get(&r, "error").is_undefined());
}

#[wasm_bindgen_test]
fn run_input_defaults_to_an_empty_object() {
    let echo = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#;
    let r = run(echo.into(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(json(&get(&r, "output")), "{}");
    let r = run(echo.into(), JsValue::NULL, JsValue::UNDEFINED).unwrap();
    assert_eq!(json(&get(&r, "output")), "null");
    let r = run(echo.into(), js(r#"[1, "two", {"three": 3.5}]"#), JsValue::UNDEFINED).unwrap();
    assert_eq!(json(&get(&r, "output")), r#"[1,"two",{"three":3.5}]"#);
}

#[wasm_bindgen_test]
fn run_takes_a_definition_object() {
    let r = run(js(HELLO), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(text(&r, "status"), "SUCCEEDED");
}

#[wasm_bindgen_test]
fn a_failed_execution_is_a_report_not_an_error() {
    let def = r#"{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom", "Cause": "it broke"}}}"#;
    let r = run(def.into(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(text(&r, "status"), "FAILED");
    assert_eq!(text(&r, "error"), "Boom");
    assert_eq!(text(&r, "cause"), "it broke");
    assert!(get(&r, "output").is_undefined());
}

#[wasm_bindgen_test]
fn integers_past_2_to_the_53_arrive_rounded_as_json_parse_rounds_them() {
    let def =
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 12345678901234567890, "End": true}}}"#;
    let r = run(def.into(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(num(&r, "output"), 12345678901234567890.0);
}

// --- options

#[wasm_bindgen_test]
fn stubs_and_timing_options_shape_the_run() {
    let r = run(RETRY.into(), js(r#"{"order": {"total": 5}}"#), js(RETRY_STUBS)).unwrap();
    assert_eq!(text(&r, "status"), "SUCCEEDED");
    assert_eq!(json(&get(&r, "output")), r#"{"order":{"total":5},"payment":{"id":"p-1"}}"#);
    assert_eq!(num(&r, "virtual_seconds"), 3.0);
    assert_eq!(num(&r, "billable_transitions"), 3.0);
    let opts = r#"{"stubs": {"Charge": {"Return": {"id": "x"}}}, "startTime": "2030-05-01T10:00:00Z",
                   "region": "eu-west-1", "type": "EXPRESS", "seed": 7}"#;
    let r = run(RETRY.into(), js(r#"{"order": {"total": 5}}"#), js(opts)).unwrap();
    assert_eq!(text(&r, "history.0.timestamp"), "2030-05-01T10:00:00.000Z");
    assert_eq!(text(&r, "cost.region"), "eu-west-1");
    assert!(text(&r, "history.0.executionStartedEventDetails.roleArn").starts_with("arn:aws:iam::"));
    // In lower case too, as the CLI's --type takes it (it was refused here only).
    let lower = opts.replace("EXPRESS", "express");
    let r2 = run(RETRY.into(), js(r#"{"order": {"total": 5}}"#), js(&lower)).unwrap();
    assert_eq!(json(&get(&r2, "cost")), json(&get(&r, "cost")));
}

#[wasm_bindgen_test]
fn the_seed_drives_uuids() {
    let def = r#"{"StartAt": "U", "States": {"U": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}, "End": true}}}"#;
    let uuid = |opts: &str| text(&run(def.into(), JsValue::UNDEFINED, js(opts)).unwrap(), "output.id");
    assert_eq!(uuid(r#"{"seed": 1}"#), uuid(r#"{"seed": 1}"#));
    assert_ne!(uuid(r#"{"seed": 1}"#), uuid(r#"{"seed": 2}"#));
}

#[wasm_bindgen_test]
fn max_steps_strict_stubs_and_express_limits() {
    let loop_def = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "C"},
      "C": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "IsPresent": true, "Next": "E"}], "Default": "A"},
      "E": {"Type": "Succeed"}}}"#;
    let r = run(loop_def.into(), JsValue::UNDEFINED, js(r#"{"maxSteps": 5}"#)).unwrap();
    assert_eq!(text(&r, "status"), "ABORTED");
    assert_eq!(text(&r, "error"), "Statelab.StepBudgetExhausted");
    let r = run(RETRY.into(), js(r#"{"order": {"total": 1}}"#), js(r#"{"strictStubs": true}"#)).unwrap();
    assert_eq!((text(&r, "status"), text(&r, "error")), ("FAILED".into(), "Statelab.NoStub".into()));
    let nap = r#"{"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": true}}}"#;
    let r = run(nap.into(), JsValue::UNDEFINED, js(r#"{"type": "EXPRESS"}"#)).unwrap();
    assert_eq!(text(&r, "status"), "TIMED_OUT");
    let r = run(nap.into(), JsValue::UNDEFINED, js(r#"{"type": "STANDARD"}"#)).unwrap();
    assert_eq!(text(&r, "status"), "SUCCEEDED");
}

#[wasm_bindgen_test]
fn a_mock_config_file_and_its_test_case() {
    let mock = r#"{"stubs": {
        "StateMachines": {"M": {"TestCases": {"Happy": {"Charge": "Ok"}, "Sad": {"Charge": "No"}}}},
        "MockedResponses": {
          "Ok": {"0": {"Return": {"id": "ok"}}},
          "No": {"0": {"Throw": {"Error": "Declined", "Cause": "card"}}}
        }
      }, "mockTestCase": "Sad"}"#;
    let r = run(RETRY.into(), js(r#"{"order": {"total": 1}}"#), js(mock)).unwrap();
    assert_eq!(text(&r, "error"), "Declined");
    let plain = r#"{"stubs": {"Charge": {"Return": 1}}, "mockTestCase": "Sad"}"#;
    let e = thrown(run(RETRY.into(), JsValue::UNDEFINED, js(plain)));
    assert_eq!(text(&e, "code"), "BAD_OPTIONS");
    assert!(text(&e, "message").contains("MockConfigFile"));
}

/// `stateMachine` picks a template's machine by its key; the MockConfigFile's machine is then
/// the one of that machine's name, as `statelab run` picks it (the key was looked up in the
/// config before, and missed).
#[wasm_bindgen_test]
fn a_template_machine_picked_by_key_reads_the_mock_config_machine_of_its_name() {
    let template = "stepFunctions:\n  stateMachines:\n    orders:\n      name: Orders\n      definition: {StartAt: Charge, States: {Charge: {Type: Task, Resource: 'arn:aws:states:::lambda:invoke', End: true}}}\n    other:\n      definition: {StartAt: X, States: {X: {Type: Succeed}}}\n";
    let options = r#"{"stateMachine": "orders", "mockTestCase": "Sad", "stubs": {
        "StateMachines": {"Orders": {"TestCases": {"Sad": {"Charge": "No"}}}, "Other": {"TestCases": {"Sad": {}}}},
        "MockedResponses": {"No": {"0": {"Throw": {"Error": "Declined", "Cause": "card"}}}}
      }}"#;
    let r = run(template.into(), JsValue::UNDEFINED, js(options)).unwrap();
    assert_eq!(text(&r, "error"), "Declined");
}

#[wasm_bindgen_test]
fn bad_options_are_errors_that_say_what_is_wrong() {
    let cases = [
        (r#"{"maxStep": 5}"#, "unknown field `maxStep`, expected one of"),
        (r#"{"type": "expres"}"#, "unknown variant `expres`, expected `STANDARD` or `EXPRESS`"),
        // Types in JavaScript's words, not Rust's (`i64`, `u64`).
        (r#"{"seed": 1.5}"#, "seed must be a whole number from -9007199254740991 to 9007199254740991"),
        (r#"{"maxSteps": 0}"#, "maxSteps must be a whole number from 1 to 9007199254740991"),
        // It said "0 or more" of -1, though 0 is refused too.
        (r#"{"maxSteps": -1}"#, "maxSteps must be a whole number from 1 to 9007199254740991"),
        // It said "1 or more" of a number that is more than 1 and refused for being past 2^53.
        (r#"{"maxSteps": 1e20}"#, "maxSteps must be a whole number from 1 to 9007199254740991"),
        (r#"{"startTime": "yesterday"}"#, "not an RFC 3339 timestamp: yesterday"),
        (r#"{"strictStubs": "yes"}"#, "expected true or false"),
        (r#""fast""#, "the options must be an object"),
        (r#"[1]"#, "the options must be an object"),
    ];
    for (opts, words) in cases {
        let e = thrown(run(HELLO.into(), JsValue::UNDEFINED, js(opts)));
        assert_eq!(text(&e, "code"), "BAD_OPTIONS", "{opts}");
        let message = text(&e, "message");
        assert!(message.starts_with("Bad options: ") && message.contains(words), "{opts}: {message}");
    }
    // Fields set to undefined or null are as good as absent.
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"seed".into(), &JsValue::UNDEFINED).unwrap();
    js_sys::Reflect::set(&opts, &"strictStubs".into(), &JsValue::NULL).unwrap();
    assert!(run(HELLO.into(), JsValue::UNDEFINED, opts.into()).is_ok());
}

// --- thrown errors

#[wasm_bindgen_test]
fn invalid_definitions_throw_errors_with_every_diagnostic() {
    let def = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\", \"Colour\": 1}\n  }\n}";
    let e = thrown(run(def.into(), JsValue::UNDEFINED, JsValue::UNDEFINED));
    assert_eq!(text(&e, "code"), "INVALID_DEFINITION");
    assert_eq!(text(&e, "message"), "Invalid definition: 3:3: Workflow has no terminal state (and 2 more)");
    // In the order of the text: the missing terminal state is shown at "States".
    let d = get(&e, "diagnostics");
    assert_eq!(js_sys::Array::from(&d).length(), 3);
    assert!(get(&d, "0.location").is_null());
    assert_eq!(text(&d, "1.code"), "MISSING_TRANSITION_TARGET");
    assert_eq!(text(&d, "1.location"), "/States/A/Next");
    assert_eq!((num(&d, "1.line"), num(&d, "1.column"), num(&d, "1.end_column")), (4.0, 35.0, 38.0));
    assert_eq!(text(&d, "2.location"), "/States/A");
    let e = thrown(run("{".into(), JsValue::NULL, JsValue::NULL));
    assert_eq!(text(&e, "diagnostics.0.code"), "INVALID_JSON_DESCRIPTION");
}

#[wasm_bindgen_test]
fn bad_stubs_throw_with_a_pointer() {
    let e = thrown(run(
        RETRY.into(),
        JsValue::UNDEFINED,
        js(r#"{"stubs": {"Charge": [{"Return": 1}, {"Retrun": 2}]}}"#),
    ));
    assert_eq!(text(&e, "code"), "BAD_STUBS");
    // The pointer is the unknown field's own, so an editor can mark the key.
    assert_eq!(text(&e, "pointer"), "/Charge/1/Retrun");
    assert!(text(&e, "message").contains("Unknown field 'Retrun'"));
    let e = thrown(run(RETRY.into(), JsValue::UNDEFINED, js(r#"{"stubs": [1]}"#)));
    assert_eq!(text(&e, "pointer"), "");
}

#[wasm_bindgen_test]
fn bad_input_throws() {
    let big = js_sys::Object::new();
    js_sys::Reflect::set(&big, &"n".into(), &js_sys::BigInt::from(1).into()).unwrap();
    let e = thrown(run(HELLO.into(), big.into(), JsValue::UNDEFINED));
    assert_eq!(text(&e, "code"), "BAD_INPUT");
    assert_eq!(text(&e, "message"), "Bad input: Do not know how to serialize a BigInt");
    let f = js_sys::Function::new_no_args("return 1");
    let e = thrown(run(HELLO.into(), f.into(), JsValue::UNDEFINED));
    assert_eq!(text(&e, "message"), "Bad input: a function has no JSON form");
    let huge = JsValue::from_str(&"x".repeat(300_000));
    let e = thrown(run(HELLO.into(), huge, JsValue::UNDEFINED));
    assert_eq!(text(&e, "code"), "BAD_INPUT");
    assert_eq!(text(&e, "error"), "States.DataLimitExceeded");
}

/// A region not written like one is an option's fault: it was BAD_INPUT (a QA pass).
#[wasm_bindgen_test]
fn a_bad_region_is_a_bad_option() {
    let e = thrown(run(HELLO.into(), JsValue::UNDEFINED, js(r#"{"region": ""}"#)));
    assert_eq!(text(&e, "code"), "BAD_OPTIONS");
    assert!(text(&e, "message").contains("region"), "{}", text(&e, "message"));
}

/// A template's declared type is the run's unless `type` says otherwise (it ran as Standard).
#[wasm_bindgen_test]
fn a_template_declared_express_runs_as_express() {
    let sam = "Resources:\n  Quick:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Type: express\n      \
               Definition:\n        StartAt: W\n        States:\n          W: {Type: Wait, Seconds: 600, End: true}\n";
    let report = run(sam.into(), JsValue::UNDEFINED, JsValue::UNDEFINED).unwrap();
    assert_eq!(text(&report, "status"), "TIMED_OUT");
    let report = run(sam.into(), JsValue::UNDEFINED, js(r#"{"type": "STANDARD"}"#)).unwrap();
    assert_eq!(text(&report, "status"), "SUCCEEDED");
}

/// What StartExecution would get from the SDK, which sends `JSON.stringify(input)`: an
/// `undefined` property is absent (so `IsPresent` is false), a Date is its ISO string.
#[wasm_bindgen_test]
fn input_is_read_as_json_stringify_writes_it() {
    let echo = r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#;
    let input = js_sys::Object::new();
    js_sys::Reflect::set(&input, &"gone".into(), &JsValue::UNDEFINED).unwrap();
    js_sys::Reflect::set(&input, &"when".into(), &js_sys::Date::new(&1.0e12.into()).into()).unwrap();
    let list = js_sys::Array::of2(&JsValue::UNDEFINED, &JsValue::from(f64::NAN));
    js_sys::Reflect::set(&input, &"list".into(), &list).unwrap();
    let r = run(echo.into(), input.into(), JsValue::UNDEFINED).unwrap();
    assert_eq!(json(&get(&r, "output")), r#"{"when":"2001-09-09T01:46:40.000Z","list":[null,null]}"#);
    // The start time may be a Date too.
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(&opts, &"startTime".into(), &js_sys::Date::new(&1.0e12.into()).into()).unwrap();
    let r = run(echo.into(), JsValue::UNDEFINED, opts.into()).unwrap();
    assert_eq!(text(&r, "history.0.timestamp"), "2001-09-09T01:46:40.000Z");
}

// --- Execution

#[wasm_bindgen_test]
fn an_execution_steps_to_the_end() {
    let mut x = start(RETRY, r#"{"order": {"total": 5}}"#, RETRY_STUBS);
    assert_eq!((x.step_count(), x.status().as_str()), (0.0, "RUNNING"));
    assert_eq!(json(&x.history().unwrap()).matches("\"type\"").count(), 1);
    let s = x.step().unwrap();
    assert_eq!(
        (num(&s, "index"), text(&s, "kind"), text(&s, "state"), text(&s, "thread")),
        (1.0, "enter".into(), "Charge".into(), String::new())
    );
    assert_eq!(text(&s, "time"), "2026-01-01T00:00:00.000Z");
    assert_eq!(text(&s, "events.0.type"), "TaskStateEntered");
    assert_eq!(
        json(&x.pending().unwrap()),
        r#"[{"thread":"","state":"Charge","waitingFor":"task","until":"2026-01-01T00:00:00.000Z"}]"#
    );
    let mut kinds = vec![text(&s, "kind")];
    loop {
        let s = x.step().unwrap();
        if s.is_null() {
            break;
        }
        kinds.push(text(&s, "kind"));
    }
    assert_eq!(kinds, ["enter", "task", "retry", "task", "enter"]);
    assert_eq!(x.status(), "SUCCEEDED");
    assert_eq!(x.now(), "2026-01-01T00:00:03.000Z");
    assert_eq!(x.elapsed_seconds(), 3.0);
    assert_eq!(x.step_count(), 5.0);
    assert_eq!(x.states_entered(), ["Charge", "Done"]);
    assert_eq!(json(&x.pending().unwrap()), "[]");
    assert_eq!(num(&x.cost().unwrap(), "billable_transitions"), 3.0);
    // The report equals `run`'s.
    let whole = run(RETRY.into(), js(r#"{"order": {"total": 5}}"#), js(RETRY_STUBS)).unwrap();
    assert_eq!(json(&x.report().unwrap()), json(&whole));
    assert_eq!(json(&x.history().unwrap()), json(&get(&whole, "history")));
}

#[wasm_bindgen_test]
fn back_undoes_a_step_and_the_run_repeats_exactly() {
    let mut x = start(RETRY, r#"{"order": {"total": 5}}"#, RETRY_STUBS);
    assert!(!x.back());
    x.step().unwrap();
    let second = json(&x.step().unwrap());
    let history = json(&x.history().unwrap());
    assert!(x.back());
    assert_eq!(x.step_count(), 1.0);
    assert!(json(&x.history().unwrap()).len() < history.len());
    assert_eq!(json(&x.step().unwrap()), second);
    assert_eq!(json(&x.history().unwrap()), history);
    // Back from the end: the execution runs again.
    let report = json(&x.run().unwrap());
    assert!(x.back());
    assert_eq!(x.status(), "RUNNING");
    assert_eq!(json(&x.run().unwrap()), report);
}

#[wasm_bindgen_test]
fn run_to_stops_where_a_state_is_entered() {
    let mut x = start(RETRY, r#"{"order": {"total": 5}}"#, RETRY_STUBS);
    assert!(x.run_to("Done".into()).unwrap());
    assert_eq!(x.step_count(), 5.0);
    assert_eq!(x.now(), "2026-01-01T00:00:03.000Z");
    assert!(!x.run_to("Charge".into()).unwrap(), "Charge is not entered again");
    assert_eq!(x.status(), "SUCCEEDED");
    let e = thrown(x.run_to("Nope".into()));
    assert_eq!(text(&e, "code"), "NO_SUCH_STATE");
    assert_eq!(text(&e, "message"), "No state named 'Nope' in the state machine");
    // Not a name at all: the same error, saying what it got.
    let e = thrown(x.run_to(JsValue::from(123)));
    assert_eq!(text(&e, "code"), "NO_SUCH_STATE");
    assert_eq!(text(&e, "message"), "runTo takes a state's name (a string), not a number");
    // With JS's words for what it got ("not a object" was said of null and of an array), and a
    // long name cut short in the message (a 50 MB name made a 50 MB message).
    let e = thrown(x.run_to(JsValue::NULL));
    assert_eq!(text(&e, "message"), "runTo takes a state's name (a string), not null");
    let e = thrown(x.run_to(js_sys::Array::new().into()));
    assert_eq!(text(&e, "message"), "runTo takes a state's name (a string), not an array");
    // A revoked Proxy: Array.isArray throws for it, and must not throw through the module.
    let revoked =
        js_sys::eval("(() => { const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy; })()").unwrap();
    for _ in 0..300 {
        let e = thrown(x.run_to(revoked.clone()));
        assert_eq!(text(&e, "code"), "NO_SUCH_STATE");
    }
    assert_eq!(x.status(), "SUCCEEDED");
    let e = thrown(x.run_to("n".repeat(100_000).into()));
    assert!(text(&e, "message").len() < 200, "{}", text(&e, "message").len());
}

#[wasm_bindgen_test]
fn option_values_json_would_turn_into_null_are_refused() {
    // NaN, Infinity and an invalid Date would reach the options as null, which (like undefined)
    // means "the default"; they are mistakes, not a wish for the default.
    for (options, message) in [
        (js_sys::eval("({maxSteps: NaN})"), "Bad options: maxSteps cannot be NaN"),
        (js_sys::eval("({seed: -Infinity})"), "Bad options: seed cannot be -Infinity"),
        (js_sys::eval("({startTime: new Date('garbage')})"), "Bad options: startTime is an invalid Date"),
        (
            js_sys::eval("({mockTestCase: 'x'})"),
            "Bad options: mockTestCase applies to a MockConfigFile, and there are no stubs",
        ),
        (js_sys::eval("({startTime: '9999-12-31T00:00:00Z'})"), ""),
    ] {
        let options = options.unwrap();
        let e = thrown(statelab_wasm::run(js(HELLO), JsValue::UNDEFINED, options));
        assert_eq!(text(&e, "code"), "BAD_OPTIONS", "{}", text(&e, "message"));
        if !message.is_empty() {
            assert_eq!(text(&e, "message"), message);
        }
    }
    // A value with no JSON form inside the stubs is a stubs problem.
    let e = thrown(statelab_wasm::run(
        js(HELLO),
        JsValue::UNDEFINED,
        js_sys::eval("({stubs: {T: {Return: 10n}}})").unwrap(),
    ));
    assert_eq!(text(&e, "code"), "BAD_STUBS");
}

#[wasm_bindgen_test]
fn inspect_shows_the_stages_of_the_visit_at_a_step() {
    let mut x = start(RETRY, r#"{"order": {"total": 5}, "keep": true}"#, RETRY_STUBS);
    x.run().unwrap();
    // Step 4 completed Charge, which step 1 entered.
    let i = x.inspect(JsValue::from(4.0)).unwrap();
    assert!(is_plain_object(&i));
    assert_eq!((num(&i, "step"), num(&i, "enteredStep")), (4.0, 1.0));
    assert_eq!(
        (text(&i, "state"), text(&i, "type"), text(&i, "status")),
        ("Charge".into(), "Task".into(), "SUCCEEDED".into())
    );
    assert_eq!(json(&get(&i, "input")), r#"{"order":{"total":5},"keep":true}"#);
    assert_eq!(json(&get(&i, "afterInputPath")), r#"{"total":5}"#);
    assert_eq!(json(&get(&i, "afterParameters")), r#"{"amount":5}"#);
    assert_eq!(json(&get(&i, "result")), r#"{"id":"p-1","extra":true}"#);
    assert_eq!(json(&get(&i, "afterResultSelector")), r#"{"id":"p-1"}"#);
    // ResultPath places the result in the state's raw input.
    let out = r#"{"order":{"total":5},"keep":true,"payment":{"id":"p-1"}}"#;
    assert_eq!(json(&get(&i, "afterResultPath")), out);
    assert_eq!(json(&get(&i, "output")), out);
    assert_eq!(text(&i, "next"), "Done");
    assert_eq!(
        (text(&i, "enteredAt"), text(&i, "exitedAt")),
        ("2026-01-01T00:00:00.000Z".into(), "2026-01-01T00:00:03.000Z".into())
    );
    assert_eq!(
        json(&get(&i, "retries")),
        r#"[{"retrier":0,"attempt":1,"error":"Busy","cause":"try later","at":"2026-01-01T00:00:00.000Z","delaySeconds":2}]"#
    );
    // The default is the last step; stages a state does not have are absent.
    let last = x.inspect(JsValue::UNDEFINED).unwrap();
    assert_eq!((text(&last, "state"), num(&last, "step")), ("Done".into(), 5.0));
    assert!(get(&last, "afterItemsPath").is_undefined());
    assert!(get(&last, "error").is_undefined());
    for bad in [0.0, 6.0, 1.5, -1.0] {
        let e = thrown(x.inspect(JsValue::from(bad)));
        assert_eq!(text(&e, "code"), "NO_SUCH_STEP", "{bad}");
    }
    // Not coerced: a string was step 1.
    let e = thrown(x.inspect(JsValue::from_str("1")));
    assert_eq!(text(&e, "message"), "inspect takes a step's number, not a string");
    let e = thrown(x.inspect(js_sys::Object::new().into()));
    assert_eq!(text(&e, "message"), "inspect takes a step's number, not an object");
    // JS's name for it, not Rust's "inf".
    let e = thrown(x.inspect(JsValue::from(f64::INFINITY)));
    assert!(text(&e, "message").starts_with("No step Infinity:"), "{}", text(&e, "message"));
    for (n, shown) in [(-0.0, "0"), (1e21, "1e+21"), (f64::NAN, "NaN")] {
        let e = thrown(x.inspect(JsValue::from(n)));
        assert!(text(&e, "message").starts_with(&format!("No step {shown}:")), "{}", text(&e, "message"));
    }
}

#[wasm_bindgen_test]
fn inspect_during_a_run_and_of_caught_errors() {
    let def = r#"{"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handled"}]},
      "Handled": {"Type": "Pass", "Assign": {"seen.$": "$.err.Error"}, "End": true}}}"#;
    let mut x = start(def, "{}", r#"{"stubs": {"T": {"Throw": {"Error": "Oops", "Cause": "bad"}}}}"#);
    x.step().unwrap();
    let running = x.inspect(JsValue::UNDEFINED).unwrap();
    assert_eq!(text(&running, "status"), "RUNNING");
    assert!(get(&running, "exitedAt").is_null());
    assert!(get(&running, "result").is_undefined());
    assert_eq!(text(&x.report().unwrap(), "status"), "RUNNING");
    x.run().unwrap();
    let caught = x.inspect(JsValue::from(2.0)).unwrap();
    assert_eq!(text(&caught, "status"), "CAUGHT");
    assert_eq!(
        (text(&caught, "error"), text(&caught, "cause"), num(&caught, "catcher")),
        ("Oops".into(), "bad".into(), 0.0)
    );
    let handled = x.inspect(JsValue::UNDEFINED).unwrap();
    assert_eq!(json(&get(&handled, "assigned")), r#"{"seen":"Oops"}"#);
    // A Fail state with no Error or Cause: both left out, as in the report (it gave "" here).
    let mut f = start(r#"{"StartAt": "F", "States": {"F": {"Type": "Fail"}}}"#, "{}", "{}");
    f.run().unwrap();
    let failed = f.inspect(JsValue::UNDEFINED).unwrap();
    assert_eq!(text(&failed, "status"), "FAILED");
    assert!(get(&failed, "error").is_undefined() && get(&failed, "cause").is_undefined());
    assert!(get(&f.report().unwrap(), "cause").is_undefined());
}

#[wasm_bindgen_test]
fn inspect_is_null_for_the_execution_timeout_step() {
    let def = r#"{"TimeoutSeconds": 5, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}}"#;
    let mut x = start(def, "{}", "{}");
    x.run().unwrap();
    assert_eq!(x.status(), "TIMED_OUT");
    assert!(x.inspect(JsValue::UNDEFINED).unwrap().is_null());
    assert_eq!(text(&x.inspect(JsValue::from(1.0)).unwrap(), "state"), "W");
}

#[wasm_bindgen_test]
fn steps_inside_parallel_branches_name_their_thread() {
    let def = r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "L", "States": {"L": {"Type": "Pass", "End": true}}},
      {"StartAt": "R", "States": {"R": {"Type": "Pass", "End": true}}}]}}}"#;
    let mut x = start(def, "{}", "{}");
    assert!(x.run_to("R".into()).unwrap());
    let i = x.inspect(JsValue::UNDEFINED).unwrap();
    assert_eq!((text(&i, "state"), text(&i, "thread")), ("R".into(), "P[1]".into()));
    x.run().unwrap();
    assert_eq!(x.states_entered(), ["P", "L", "R"]);
}

#[wasm_bindgen_test]
fn the_constructor_throws_as_run_does() {
    let e = thrown(JsExecution::new("{}".into(), JsValue::UNDEFINED, JsValue::UNDEFINED));
    assert_eq!(text(&e, "code"), "INVALID_DEFINITION");
    let e = thrown(JsExecution::new(HELLO.into(), JsValue::UNDEFINED, js(r#"{"budget": 1}"#)));
    assert_eq!(text(&e, "code"), "BAD_OPTIONS");
}
