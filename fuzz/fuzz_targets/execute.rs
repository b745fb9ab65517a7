//! Whole executions. The first byte picks the mode:
//! - 0: a generated machine, input, stubs and options (see `statelab_fuzz::Generated`);
//! - 1: an example from the gallery with its input and stubs mutated;
//! - 2: the rest is a test file's JSON (`definition`, `input`, `stubs`), as in
//!   `tests/cases/exec`, mutated as text.
//!
//! Every run has a step budget, is reported and serialized, and is sometimes replayed.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use statelab::Value;
use statelab_fuzz::{mutate, options, parse_any, run, Generated, EXAMPLES};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 3 {
        0 => {
            let mut u = Unstructured::new(rest);
            let Ok(g) = Generated::arbitrary(&mut u) else { return };
            let replay = rest.len() % 4 == 0;
            run(&g.definition, g.input, &g.stubs, g.options, replay);
        }
        1 => {
            let mut u = Unstructured::new(rest);
            let Ok(i) = u.choose_index(EXAMPLES.len()) else { return };
            let Some(example) = EXAMPLES.get(i).and_then(|t| statelab::json::parse(t).ok()) else { return };
            let Some(def) = example.get("definition") else { return };
            let input = example.get("input").cloned().unwrap_or_else(Value::empty_object);
            let stubs = example.get("stubs").cloned().unwrap_or_else(Value::empty_object);
            let (Ok(input), Ok(stubs), Ok(opts)) =
                (mutate(&mut u, &input, 6), mutate(&mut u, &stubs, 6), options(&mut u))
            else {
                return;
            };
            run(&def.to_json(), input, &stubs, opts, false);
        }
        _ => {
            let text = statelab_fuzz::text(rest);
            let Some(file) = parse_any(&text) else { return };
            let def = match file.get("definition") {
                Some(Value::String(s)) => s.to_string(),
                Some(d) => d.to_json(),
                None => return,
            };
            let input = file.get("input").cloned().unwrap_or_else(Value::empty_object);
            let stubs = file.get("stubs").cloned().unwrap_or_else(Value::empty_object);
            let opts = statelab::exec::Options {
                max_steps: statelab_fuzz::FUZZ_MAX_STEPS,
                ..statelab::testing::case_options(&file, &Default::default()).unwrap_or_default()
            };
            run(&def, input, &stubs, opts, false);
        }
    }
});
