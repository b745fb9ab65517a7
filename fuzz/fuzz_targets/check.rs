//! Definition parsing and validation: any text, as a pasted definition (JSON, YAML, a
//! serverless.yml or a CloudFormation template). Also the parsers on their own, and picking each
//! machine of a document that holds several.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = statelab_fuzz::text(data);
    let _ = statelab::json::parse_with_map(&text);
    let _ = statelab::yaml::parse_with_map(&text);
    let checked = statelab::check(&text, None);
    let _ = statelab::report::ValidationReport::of(&checked);
    for name in checked.machines.iter().take(3) {
        let _ = statelab::check(&text, Some(name));
    }
    if let Some(def) = &checked.definition {
        let _ = def.to_json_pretty();
        let _ = statelab::export::to_yaml(def);
    }
});
