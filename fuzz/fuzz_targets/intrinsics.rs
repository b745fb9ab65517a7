//! Intrinsic functions: the first line is a call, the rest the state's input (JSON or YAML). The
//! call is parsed and evaluated against that input and a context object.
#![no_main]

use libfuzzer_sys::fuzz_target;
use statelab::eval::Env;
use statelab::rng::Rng;
use statelab::Value;

fuzz_target!(|data: &[u8]| {
    let (call, input) = statelab_fuzz::split_line(data);
    let _ = statelab::intrinsics::is_intrinsic_call(&call);
    let Ok(c) = statelab::intrinsics::parse(&call) else { return };
    let _ = c.depth();
    let _ = c.paths().count();
    let input = statelab_fuzz::parse_any(&input).unwrap_or(Value::Null);
    let context = statelab::json::parse(r#"{"Execution": {"Input": {"a": 1}}, "State": {"RetryCount": 0}}"#)
        .unwrap_or(Value::Null);
    let env = Env::new(&input, &context);
    let mut rng = Rng::new(data.len() as i64);
    if let Ok(v) = c.eval(&env, &mut rng) {
        let _ = v.to_json();
    }
});
