//! What the CLI does when its output streams cannot be written: it says so with its exit code,
//! never with a panic (exit 101).

use std::path::Path;
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// `statelab` with `args`, its stderr going to `/dev/full` (every write fails with ENOSPC).
#[cfg(target_os = "linux")]
fn with_full_stderr(args: &[&str]) -> (Option<i32>, String) {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_statelab"))
        .current_dir(root())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(full)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(target_os = "linux")]
#[test]
fn a_stderr_that_cannot_be_written_is_no_panic() {
    // A usage error (a missing file), definition errors, and a test run's failures: each writes
    // to stderr, and each keeps its exit code.
    assert_eq!(with_full_stderr(&["run", "no-such-file.json"]).0, Some(2));
    assert_eq!(with_full_stderr(&["run", "tests/cases/cli/two-machines.serverless.yml"]).0, Some(2));
    assert_eq!(with_full_stderr(&["validate", "tests/cases/documents/broken.asl.yaml"]).0, Some(1));
}

#[test]
fn a_closed_stderr_pipe_is_no_panic() {
    // `statelab run ... 2>&1 | head -1`: the reader has gone (closed here before the CLI starts,
    // so every write fails with a broken pipe).
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = Command::new(env!("CARGO_BIN_EXE_statelab"))
        .current_dir(root())
        .args(["run", "no-such-file.json"])
        .stdout(Stdio::null())
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}

/// An `--input` over the reading limit is refused with StartExecution's limit named too: the
/// reading limit (8 MiB) alone suggested a 5 MiB input would do.
#[test]
fn an_input_over_the_reading_limit_names_the_input_limit() {
    let dir = std::env::temp_dir().join(format!("statelab-big-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.json");
    std::fs::write(&big, format!("{{\"a\": \"{}\"}}", "x".repeat(9 << 20))).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_statelab"))
        .current_dir(root())
        .args(["run", "tests/cases/cli/hello.asl.json", "--input"])
        .arg(&big)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("8 MiB") && stderr.contains("at most 262144 bytes (256 KiB)"), "{stderr}");
}
