//! Stub files and Step Functions Local MockConfigFiles (JSON or YAML): parsed with and without a
//! test case, every test case the file offers, then looked up as the executor would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use statelab::stubs::{mock_test_cases, Stubs};

fuzz_target!(|data: &[u8]| {
    let text = statelab_fuzz::text(data);
    let Some(v) = statelab_fuzz::parse_any(&text) else { return };
    let mut all = vec![Stubs::parse(&v, None, None)];
    for (sm, case) in mock_test_cases(&v).into_iter().take(4) {
        all.push(Stubs::parse(&v, Some(&sm), Some(&case)));
        all.push(Stubs::parse(&v, None, Some(&case)));
    }
    for stubs in all.into_iter().flatten() {
        let names: Vec<String> = stubs.state_names().map(str::to_string).collect();
        for name in &names {
            for i in [0, 1, 2, 7, u32::MAX] {
                let _ = stubs.response(name, i);
            }
            let _ = stubs.item_reader(name);
        }
    }
    let _ = statelab::export::stubs_to_mock_config(&v, "Machine", "Case");
});
