//! `statelab share` prints a link that the library's decoder (the playground's) opens to the very
//! session given on the command line, and that session runs to the same report as `statelab run`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::rc::Rc;

use statelab::document;
use statelab::exec::WorkflowType;
use statelab::report::RunReport;
use statelab::share::decode;
use statelab::{Execution, Stubs};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn statelab(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_statelab")).current_dir(root()).args(args).output().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// Runs a decoded session as the playground would.
fn run_session(s: &statelab::share::Session) -> String {
    let checked = statelab::check(&s.definition, s.options.state_machine.as_deref());
    let machine = checked.machine.clone().unwrap();
    let input = document::load(&s.input).unwrap().value;
    let stubs = document::load(&s.stubs).unwrap().value;
    let stubs = Stubs::parse(&stubs, s.options.state_machine.as_deref(), s.options.mock_test_case.as_deref())
        .unwrap();
    let mut options = s.options.to_options().unwrap();
    options.state_machine_name = checked.selected.clone().unwrap();
    let mut exec = Execution::start(machine, input, Rc::new(stubs), options).unwrap();
    exec.run();
    serde_json::to_string_pretty(&RunReport::of(&exec)).unwrap() + "\n"
}

#[test]
fn a_shared_session_decodes_and_runs_the_same() {
    let args = [
        "www/examples/pdf-transform.serverless.yml",
        "--input",
        "tests/cases/cli/hello.input.json",
        "--mock-config",
        "tests/cases/cli/pdf-transform.mock.json",
        "--test-case",
        "ThumbnailFails",
        "--state-machine",
        "PDFTransform",
        "--type",
        "EXPRESS",
        "--seed",
        "7",
        "--start-time",
        "2026-05-01T08:00:00Z",
        "--region",
        "eu-west-1",
    ];
    let (code, link) = statelab(&[&["share"], &args[..], &["--breakpoint", "Rollback"]].concat());
    assert_eq!(code, 0);
    assert_eq!(link.lines().count(), 1, "{link}");
    assert!(link.starts_with("http://127.0.0.1:8080/#s=2."), "{link}");
    let s = decode(link.trim_end()).unwrap();
    assert_eq!(s.definition, read("www/examples/pdf-transform.serverless.yml"));
    assert_eq!(s.input, read("tests/cases/cli/hello.input.json"));
    assert_eq!(s.stubs, read("tests/cases/cli/pdf-transform.mock.json"));
    assert_eq!(s.options.workflow_type, Some(WorkflowType::Express));
    assert_eq!(s.options.seed, Some(7));
    assert_eq!(s.options.region.as_deref(), Some("eu-west-1"));
    assert_eq!(s.options.start_time.as_deref(), Some("2026-05-01T08:00:00Z"));
    assert_eq!(s.options.state_machine.as_deref(), Some("PDFTransform"));
    assert_eq!(s.options.mock_test_case.as_deref(), Some("ThumbnailFails"));
    assert!(!s.options.strict_stubs);
    assert_eq!(s.breakpoints, ["Rollback"]);

    let (code, report) = statelab(&[&["run"], &args[..], &["--format", "json"]].concat());
    assert_eq!(code, 0);
    assert_eq!(run_session(&s), report);
}

#[test]
fn only_what_was_given_is_shared() {
    let (code, link) =
        statelab(&["share", "tests/cases/cli/hello.asl.json", "--base-url", "https://x.test/p"]);
    assert_eq!(code, 0);
    assert!(link.starts_with("https://x.test/p#s=2."), "{link}");
    let s = decode(&link).unwrap();
    assert_eq!(s.definition, read("tests/cases/cli/hello.asl.json"));
    assert_eq!((s.input.as_str(), s.stubs.as_str()), ("", ""));
    assert!(s.options.is_default());
    assert!(s.breakpoints.is_empty());
}

#[test]
fn no_link_is_made_that_the_playground_would_refuse() {
    // 3 MB of one letter packs into a few KB, but unpacks past the 2 MiB a link may hold.
    let dir = std::env::temp_dir().join(format!("statelab-share-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("big-input.json");
    std::fs::write(&input, format!("{{\"a\": \"{}\"}}", "x".repeat(3_000_000))).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_statelab"))
        .current_dir(root())
        .args(["share", "tests/cases/cli/hello.asl.json", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 MiB"));
}
