//! JSONPath: the first line is a path, the rest a document (JSON or YAML). The path is parsed,
//! evaluated on the document, and used as a ResultPath to set a value in it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use statelab::path::JsonPath;
use statelab::Value;

fuzz_target!(|data: &[u8]| {
    let (path, doc) = statelab_fuzz::split_line(data);
    let Ok(p) = JsonPath::parse(&path) else { return };
    let _ = p.text();
    let _ = (p.is_definite(), p.is_reference());
    let doc = statelab_fuzz::parse_any(&doc).unwrap_or(Value::Null);
    let _ = p.get(&doc);
    if let Some(found) = p.select(&doc) {
        let _ = found.to_json();
    }
    if p.is_reference() {
        // Setting the document inside itself nests it one level deeper each time: the depth
        // limit must hold.
        let mut d = doc.clone();
        for _ in 0..3 {
            match p.set(d.clone(), d.clone()) {
                Ok(v) => d = v,
                Err(_) => break,
            }
        }
        let _ = d.to_json();
    }
});
