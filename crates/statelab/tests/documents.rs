//! Documents as users paste them (tests/cases/documents/): format, machines, definitions, spans.
//!
//! Each `<fixture>.<machine>.expected.json` beside a fixture is the ASL that machine must come
//! out as. The serverless and plain-YAML expectations were produced by an independent YAML
//! loader (PyYAML), with intrinsic functions then replaced by hand.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use statelab::document::{self, Document, Format, Kind};
use statelab::source::NodeSpan;
use statelab::{json, Value};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/cases/documents")
}

fn read(name: &str) -> String {
    let path = dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(name: &str) -> Document {
    document::load(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The fixture's file name without its last extension: `a.template.yaml` → `a.template`.
fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// Loads a fixture, checks its machines' names and kinds, and checks every machine's definition
/// against its `.expected.json`.
fn check(name: &str, format: Format, expected: &[(&str, Kind)]) -> Document {
    let doc = load(name);
    assert_eq!(doc.format, format, "{name}");
    let machines = document::machines(&doc);
    let found: Vec<(&str, Kind)> = machines.iter().map(|m| (m.name.as_str(), m.kind)).collect();
    assert_eq!(found, expected, "{name}");
    for m in &machines {
        assert!(m.error.is_none(), "{name}/{}: {:?}", m.name, m.error);
        let file = format!("{}.{}.expected.json", stem(name), m.name);
        let want = json::parse(&read(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(m.definition, want, "{name}/{}:\n{}", m.name, m.definition.to_json_pretty());
    }
    doc
}

fn machine(doc: &Document, name: &str) -> document::EmbeddedMachine {
    document::select(doc, Some(name)).unwrap_or_else(|e| panic!("{e}"))
}

/// `(line, column)` of a span's value and of its key.
fn place(span: Option<NodeSpan>) -> ((u32, u32), Option<(u32, u32)>) {
    let n = span.unwrap_or_else(|| panic!("not located"));
    ((n.value.start.line, n.value.start.column), n.key.map(|k| (k.start.line, k.start.column)))
}

#[test]
fn pdf_transform_serverless() {
    let doc = check("pdf-transform.serverless.yml", Format::Yaml, &[("PDFTransform", Kind::Serverless)]);
    let m = document::select(&doc, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.pointer, "/stepFunctions/stateMachines/pdfTransform/definition");
    assert!(m.map.is_none());
    // The document's map, at the machine's pointer + the definition pointer.
    let pointer = format!("{}/States/Convert/Retry/0/IntervalSeconds", m.pointer);
    assert_eq!(place(doc.map.get(&pointer)), ((35, 34), Some((35, 17))));
    assert_eq!(place(m.locate(&doc, "/States/Convert/Retry/0/IntervalSeconds")), ((35, 34), Some((35, 17))));
    // Placeholders are kept verbatim.
    let resource = m.definition.get("States").and_then(|s| s.get("Convert")).and_then(|c| c.get("Resource"));
    assert_eq!(
        resource.and_then(Value::as_str),
        Some("arn:aws:lambda:#{AWS::Region}:#{AWS::AccountId}:function:my-service-${opt:stage}-convert")
    );
    // By key as well as by name.
    assert_eq!(machine(&doc, "pdfTransform").name, "PDFTransform");
}

#[test]
fn report_runner_serverless() {
    let doc = check("report-runner.serverless.yml", Format::Yaml, &[("ReportRunner", Kind::Serverless)]);
    let m = machine(&doc, "ReportRunner");
    // The Fn::GetAtt object became a string at the same pointer, which still locates it.
    assert_eq!(place(m.locate(&doc, "/States/CreateReportState/Resource")), ((26, 15), Some((25, 13))));
    assert_eq!(place(m.locate(&doc, "/States/WaitBeforeCheckState/Seconds")), ((30, 22), Some((30, 13))));
}

#[test]
fn sam_template_with_sub_and_substitutions() {
    // `Name: !Sub "orders-${Stage}"`, with Stage's Default: the deployed name.
    let doc = check("sam-orders.template.yaml", Format::Yaml, &[("orders-dev", Kind::CloudFormation)]);
    let m = machine(&doc, "OrderStateMachine");
    assert_eq!(m.pointer, "/Resources/OrderStateMachine/Properties/Definition");
    assert_eq!(place(m.locate(&doc, "/States/Charge/Retry/0/IntervalSeconds")), ((37, 34), Some((37, 17))));
    // `Resource: !Sub ...` is located at its tag.
    assert_eq!(place(m.locate(&doc, "/States/Notify/Resource")), ((53, 23), Some((53, 13))));
}

#[test]
fn cloudformation_json_with_join() {
    let doc = check("cfn-join.template.json", Format::Json, &[("HelloStateMachine", Kind::CloudFormation)]);
    let m = machine(&doc, "HelloStateMachine");
    assert_eq!(m.pointer, "/Resources/HelloStateMachine/Properties/DefinitionString");
    // The definition was a string, parsed on its own: its nodes are located in the document, in
    // the part of the join that holds them, past the escaped quotes before them.
    assert!(m.map.is_some());
    assert_eq!(place(m.locate(&doc, "/States/Wait/Seconds")), ((28, 62), Some((28, 49))));
    // A string around an intrinsic part starts at its opening quote, in the part before it.
    assert_eq!(place(m.locate(&doc, "/States/Greet/Resource")), ((25, 34), Some((25, 20))));
    // The string itself is located in the document.
    assert_eq!(place(doc.map.get(&m.pointer)), ((17, 29), Some((17, 9))));
}

#[test]
fn template_with_two_machines() {
    let doc = check(
        "two-machines.template.yaml",
        Format::Yaml,
        &[("IngestMachine", Kind::CloudFormation), ("CleanupMachine", Kind::CloudFormation)],
    );
    let e = document::select(&doc, None).err().unwrap_or_default();
    assert!(e.contains("2 state machines") && e.contains("\"IngestMachine\", \"CleanupMachine\""), "{e}");
    let e = document::select(&doc, Some("MachineRole")).err().unwrap_or_default();
    assert!(e.contains("no state machine named \"MachineRole\""), "{e}");
    let ingest = machine(&doc, "IngestMachine");
    assert_eq!(place(ingest.locate(&doc, "/States/Store/Resource")), ((18, 23), Some((18, 13))));
    let cleanup = machine(&doc, "CleanupMachine");
    assert_eq!(cleanup.pointer, "/Resources/CleanupMachine/Properties/DefinitionString");
    // In the block scalar of the `!Sub`; the substituted value is located at its placeholder.
    assert_eq!(place(cleanup.locate(&doc, "/States/Sweep/TimeoutSeconds")), ((38, 35), Some((38, 17))));
    assert_eq!(place(cleanup.locate(&doc, "/States/Sweep/End")), ((39, 24), Some((39, 17))));
}

#[test]
fn plain_asl_yaml_with_edge_cases() {
    let doc = check("edge-cases.asl.yaml", Format::Yaml, &[("StateMachine", Kind::Bare)]);
    let m = machine(&doc, "StateMachine");
    assert_eq!(m.pointer, "");
    assert_eq!(place(m.locate(&doc, "/States/CallApi/Retry/0/IntervalSeconds")), ((30, 26), Some((30, 9))));
    // The alias is located at `*standard-retry`, what it expands to at the anchored original.
    assert_eq!(place(m.locate(&doc, "/States/CallAgain/Retry")), ((37, 12), Some((37, 5))));
    assert_eq!(place(m.locate(&doc, "/States/CallAgain/Retry/0/IntervalSeconds")), ((30, 26), Some((30, 9))));
    // A block scalar starts at its indicator; a flow mapping's members are located inside it.
    assert_eq!(place(m.locate(&doc, "/Comment")), ((3, 10), Some((3, 1))));
    assert_eq!(place(m.locate(&doc, "/States/Describe/Parameters/text")), ((16, 13), Some((16, 7))));
    assert_eq!(place(m.locate(&doc, "/States/Prepare/Result/hex")), ((10, 88), Some((10, 83))));
}

#[test]
fn broken_yaml_reports_the_line() {
    let e = document::load(&read("broken.asl.yaml")).err().unwrap_or_else(|| panic!("accepted"));
    assert_eq!((e.pos.line, e.pos.column), (8, 4), "{e}");
    assert!(e.to_string().contains("line 8"), "{e}");
}

#[test]
fn alias_bomb_errors_quickly() {
    let started = Instant::now();
    let e = document::load(&read("alias-bomb.yml")).err().unwrap_or_else(|| panic!("accepted"));
    assert!(e.message.contains("alias bomb"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
}

#[test]
fn deep_nesting_is_a_clean_error() {
    let deep = |open: &str, close: &str| format!("{}{}", open.repeat(5000), close.repeat(5000));
    // YAML: flow collections inside a mapping.
    for text in [format!("a: {}", deep("[", "]")), format!("a: {}", deep("{b: ", "}")), deep("- ", "x\n")] {
        let e = document::load(&text).err().unwrap_or_else(|| panic!("accepted"));
        assert!(e.message.contains("nested"), "{e}");
    }
    // Text that starts with a bracket is JSON, which has its own limit.
    let e = document::load(&deep("[", "]")).err().unwrap_or_else(|| panic!("accepted"));
    assert!(e.message.contains("nested deeper"), "{e}");
}

#[test]
fn nothing_to_run() {
    let doc = document::load("service: empty\nprovider: {name: aws}\n").unwrap_or_else(|e| panic!("{e}"));
    let e = document::select(&doc, None).err().unwrap_or_default();
    assert!(e.starts_with("no state machine found"), "{e}");
}
