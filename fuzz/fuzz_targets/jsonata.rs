//! JSONata: the first line is an expression (the text inside `{% %}`), the rest the input (JSON
//! or YAML). Parsed and evaluated with AWS's limits, but a smaller step budget so that each run is
//! quick (a runaway must still end, and end cleanly).
#![no_main]

use libfuzzer_sys::fuzz_target;
use statelab::jsonata::{EvalEnv, Expr, NoBindings};
use statelab::rng::Rng;
use statelab::Value;

fuzz_target!(|data: &[u8]| {
    let (expr, input) = statelab_fuzz::split_line(data);
    let Ok(e) = Expr::parse(&expr) else { return };
    let _ = e.references_input();
    let _ = e.variables();
    let _ = e.input_references();
    let input = statelab_fuzz::parse_any(&input).unwrap_or(Value::Null);
    let mut env = EvalEnv::new(Rng::new(data.len() as i64), 1_767_225_600_000);
    env.limits.max_steps = 200_000;
    if let Ok(Some(v)) = e.evaluate(&input, &NoBindings, &mut env) {
        let _ = v.to_json();
    }
});
