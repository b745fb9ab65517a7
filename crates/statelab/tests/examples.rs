//! The example gallery (`www/examples`) as acceptance cases: every example must produce its
//! `expect`.

use std::rc::Rc;

use statelab::{compile::compile, json, testing};

#[test]
fn every_example_meets_its_expectations() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../www/examples");
    let mut failures = Vec::new();
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let file = testing::parse_test_file(&json::parse(&text).unwrap()).unwrap();
        let testing::DefinitionRef::Inline(def) = &file.definition else {
            panic!("{name}: inline definition expected")
        };
        let (machine, diags) = compile(def);
        let Some(machine) = machine else {
            failures.push(format!("{name}: does not compile: {diags:?}"));
            continue;
        };
        let machine = Rc::new(machine);
        for case in file.usable_cases().unwrap_or_else(|e| panic!("{name}: {e}")) {
            count += 1;
            match testing::run_case(machine.clone(), case) {
                Ok(exec) => {
                    for m in testing::check(&exec, &case.expect) {
                        failures.push(format!("{name} [{}]: {m}", case.name));
                    }
                }
                Err(e) => failures.push(format!("{name} [{}]: {e}", case.name)),
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(count >= 8, "only {count} example cases found");
}
