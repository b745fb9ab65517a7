//! Reading what the user names on the command line (files or stdin), and reporting what is wrong
//! with them as `file:line:column: error[CODE]: message (at /pointer)`.

use std::io::Read;
use std::rc::Rc;

use statelab::document;
use statelab::source::Pos;
use statelab::stubs::{is_mock_config, mock_test_cases, unused_stubs, StubError};
use statelab::{Checked, Diagnostic, Machine, Severity, Stubs, Value};

use crate::style::{terminal_safe, Style};
use crate::{exit, Failure, SessionArgs};

/// A file's text and the name to show for it.
#[derive(Debug)]
pub struct Source {
    /// The path as given, or `<stdin>`.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// How [`read_bounded`]'s refusal of a large document ends.
const TOO_LARGE: &str = "the most Statelab reads of a document";

/// [`read`] for a definition (or the template holding it): a refusal for its size says what to do,
/// which for an input or stubs file would be wrong (a review).
pub fn read_definition(path: &str) -> Result<Source, Failure> {
    read(path).map_err(|f| match f {
        Failure::Usage(m) if m.ends_with(TOO_LARGE) => Failure::Usage(format!(
            "{m}: give it only the state machine (the definition, or the template that holds it), and keep \
             large data in files of its own"
        )),
        other => other,
    })
}

/// Reads a file, or stdin for `-`.
pub fn read(path: &str) -> Result<Source, Failure> {
    let (name, text) = if path == "-" {
        let text = read_bounded(std::io::stdin().lock())
            .map_err(|e| Failure::Usage(format!("cannot read stdin: {e}")))?;
        ("<stdin>".to_string(), text)
    } else {
        let text = read_file(std::path::Path::new(path))
            .map_err(|e| Failure::Usage(format!("cannot read {path}: {e}")))?;
        (path.to_string(), text)
    };
    Ok(Source { name, text })
}

/// The text of the file at `path`, refused past [`statelab::MAX_DOCUMENT_BYTES`] (see
/// [`read_bounded`]).
pub fn read_file(path: &std::path::Path) -> Result<String, String> {
    read_bounded(std::fs::File::open(path).map_err(|e| e.to_string())?)
}

/// Reads text up to the most Statelab reads of a document (8 MiB), and refuses more without
/// reading it: a special file (`/dev/zero`) or a huge one filled memory until the process was
/// killed, for a limit said only once all of it was read.
pub fn read_bounded(from: impl Read) -> Result<String, String> {
    let limit = statelab::MAX_DOCUMENT_BYTES as u64;
    let mut bytes = Vec::new();
    from.take(limit + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("it is larger than {limit} bytes (8 MiB), {TOO_LARGE}"));
    }
    String::from_utf8(bytes).map_err(|e| not_utf8(e.as_bytes(), e.utf8_error().valid_up_to()))
}

/// Says where text stops being UTF-8 (std said only "stream did not contain valid UTF-8", with
/// no place: a QA pass), and names UTF-16, which editors on Windows save as "Unicode".
fn not_utf8(bytes: &[u8], valid_up_to: usize) -> String {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return "it is UTF-16 text, and Statelab reads UTF-8: save it as UTF-8".to_string();
    }
    let before = bytes.get(..valid_up_to).unwrap_or_default();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default()).chars().count() + 1;
    format!(
        "it is not UTF-8 text: the byte at line {line}, column {column} (byte offset {valid_up_to}) is not \
         UTF-8; save it as UTF-8"
    )
}

/// `file:line:column` (or just `file` when the place is unknown).
/// The name is the user's file name, which may hold control characters: written escaped.
pub fn place(name: &str, pos: Option<Pos>) -> String {
    let name = terminal_safe(name);
    match pos {
        Some(p) => format!("{name}:{}:{}", p.line, p.column),
        None => name.into_owned(),
    }
}

/// A problem as a line: `file:line:column: <label>: message (at /pointer)`, the label styled
/// already (`error`, `warning[CODE]`), the message and pointer escaped for the terminal.
fn located_line(name: &str, pos: Option<Pos>, label: &str, message: &str, at: Option<&str>) -> String {
    let mut line = format!("{}: {label}: {}", place(name, pos), terminal_safe(message));
    if let Some(at) = at {
        line.push_str(&format!(" (at {})", terminal_safe(at)));
    }
    line
}

/// One diagnostic as a line: `file:line:column: error[CODE]: message (at /pointer)`.
pub fn diagnostic_line(name: &str, d: &Diagnostic, style: Style) -> String {
    let severity = match d.severity {
        Severity::Error => style.error(format!("error[{}]", d.code)),
        Severity::Warning => style.warning(format!("warning[{}]", d.code)),
    };
    let at = d.location.as_deref().map(|at| if at.is_empty() { "/" } else { at });
    let mut line = located_line(name, d.span.map(|s| s.start), &severity, &d.message, at);
    // Only after "...; choose one" (as the playground's state::with_machine_hint says it): the message for two
    // machines of one name ends "choose one by its key, ...", which this garbled.
    if d.code == statelab::compile::codes::NO_STATE_MACHINE && d.message.ends_with("choose one") {
        line.push_str(" by name (use --state-machine NAME)");
    }
    line
}

/// Checks a definition, applying `name` only where the document can hold several machines: a
/// bare ASL definition is the machine, whatever `--state-machine` says (it may name the machine
/// in a MockConfigFile).
pub fn check(source: &Source, name: Option<&str>) -> Checked {
    check_named(source, name, None)
}

/// [`statelab::check_named`] for a definition file, reading the files its template names for
/// definitions (SAM's `DefinitionUri: statemachine/flow.asl.json`, serverless's
/// `${file(./flow.yml)}`) relative to the template, as `sam` and `serverless` do.
pub fn check_named(source: &Source, name: Option<&str>, config: Option<&statelab::Value>) -> Checked {
    let read = |path: &str| beside(source, path);
    statelab::check_named_reading(&source.text, name, config, &read)
}

/// The text of the file at `path` relative to `source`'s directory: `None` from stdin (nothing
/// to be relative to) or for an S3 URI, and why not when it cannot be read or is larger than a
/// document may be.
fn beside(source: &Source, path: &str) -> Option<Result<String, String>> {
    if source.name == "<stdin>" || path.contains("://") {
        return None;
    }
    let file = std::path::Path::new(&source.name).parent().unwrap_or(std::path::Path::new("")).join(path);
    Some(read_file(&file).map_err(|why| format!("{why} (looked for {})", file.display())))
}

/// The compiled machine of a checked definition, or every error on stderr and exit 2.
pub fn machine(source: &Source, checked: &Checked, style: Style) -> Result<Rc<statelab::Machine>, Failure> {
    match &checked.machine {
        Some(m) if checked.is_ok() => Ok(m.clone()),
        _ => {
            for d in checked.diagnostics.iter().filter(|d| d.is_error()) {
                report!("{}", diagnostic_line(&source.name, d, style));
            }
            let test_file = checked.machines.is_empty()
                && document::load(&source.text).is_ok_and(|d| d.value.get("definition").is_some());
            if test_file {
                report!(
                    "{}: {} looks like a test file; run its cases with `statelab test {}`",
                    style.bold("hint"),
                    source.name,
                    source.name
                );
            }
            Err(Failure::Reported(exit::UNUSABLE))
        }
    }
}

/// A JSON or YAML document (the input, a stub file) with its source map.
fn document(source: &Source, style: Style) -> Result<document::Document, Failure> {
    if source.text.trim().is_empty() {
        return Err(Failure::Usage(format!("{} is empty", source.name)));
    }
    // Said as plainly as an empty file (YAML's parser said "expected a YAML document" at the end).
    if document::is_blank(&source.text) {
        return Err(Failure::Usage(format!("{} holds only comments: no document", source.name)));
    }
    document::load(&source.text).map_err(|e| {
        report!("{}", located_line(&source.name, Some(e.pos), &style.error("error"), &e.message, None));
        Failure::Reported(exit::UNUSABLE)
    })
}

/// The execution input from `--input` (JSON or YAML), `{}` without it.
pub fn input(path: Option<&str>, style: Style) -> Result<Value, Failure> {
    match path {
        None => Ok(Value::empty_object()),
        Some(p) => {
            let source = read(p).map_err(|e| match e {
                // The limit that matters for an input is StartExecution's, far below the reading
                // limit the message names (a known-not-done note).
                Failure::Usage(m)
                    if std::fs::metadata(p).is_ok_and(|m| m.len() > statelab::MAX_DOCUMENT_BYTES as u64) =>
                {
                    Failure::Usage(format!(
                        "{m}; an execution input may be at most 262144 bytes (256 KiB) anyway"
                    ))
                }
                other => other,
            })?;
            let doc = document(&source, style)?;
            // Used anyway, with the later member; said, as a key written twice is a slip.
            if let Some((span, message)) = doc.map.duplicate_warning() {
                let label = style.warning("warning");
                report!("{}", located_line(&source.name, Some(span.start), &label, &message, None));
            }
            Ok(doc.value)
        }
    }
}

/// The stubs given (`--mock-config` or `--stubs`, from a file) when they are a MockConfigFile,
/// for [`statelab::check_named`]; `None` for anything else (their problems are said when they
/// are read for the run).
pub fn mock_config(args: &SessionArgs) -> Option<Value> {
    let path = args.mock_config.as_deref().or(args.stubs.as_deref()).filter(|p| *p != "-")?;
    let text = read_file(std::path::Path::new(path)).ok()?;
    document::load(&text).ok().map(|d| d.value).filter(is_mock_config)
}

/// The stubs from `--stubs` or `--mock-config` (`--test-case`, `--state-machine`). `selected` is
/// the machine chosen in the definition document: it picks the mock config's machine when
/// `--state-machine` does not. Stubs that `machine` never uses are warned about on stderr.
pub fn stubs(
    args: &SessionArgs,
    selected: Option<&str>,
    machine_def: &Machine,
    style: Style,
) -> Result<Stubs, Failure> {
    let (path, must_be_mock) = match (&args.stubs, &args.mock_config) {
        (Some(p), _) => (p, false),
        (None, Some(p)) => (p, true),
        // `--test-case` without a file was refused with the other flags (check_usage).
        (None, None) => return Ok(Stubs::empty()),
    };
    let source = read(path)?;
    let doc = document(&source, style)?;
    let v = &doc.value;
    let mock = is_mock_config(v);
    if must_be_mock && !mock {
        return Err(Failure::Usage(format!(
            "{} is not a MockConfigFile (it has no \"StateMachines\"); pass stubs with --stubs",
            source.name
        )));
    }
    if !mock && args.test_case.is_some() {
        return Err(Failure::Usage(format!(
            "--test-case applies to a MockConfigFile, and {} is a stub file",
            source.name
        )));
    }
    let cases = mock_test_cases(v);
    let machine = statelab::stubs::mock_machine(v, selected, args.state_machine.as_deref());
    if mock && must_be_mock && args.test_case.is_none() {
        // The machine's cases, or every case when the config has no such machine.
        let known = machine.filter(|n| statelab::stubs::has_machine(v, n));
        let list = cases
            .iter()
            .filter(|(m, _)| known.is_none_or(|n| n == m))
            .map(|(m, c)| format!("{m}/{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Failure::Usage(format!(
            "--mock-config needs --test-case NAME; {} has: {}",
            source.name,
            if list.is_empty() { "no test cases" } else { &list }
        )));
    }
    // Every key of a stub file counts: of two alike the parser keeps the later, silently.
    let duplicate = doc.map.first_duplicate().map(|(pointer, _, message)| StubError {
        message,
        pointer: pointer.into(),
        asked: None,
    });
    let stubs =
        duplicate.map_or_else(|| Stubs::parse(v, machine, args.test_case.as_deref()), Err).map_err(|e| {
            // A member's problem is located at its key (NodeSpan::place).
            let pos = doc.map.locate(&e.pointer).map(|n| n.place().start);
            let at = Some(e.pointer.as_str()).filter(|p| !p.is_empty());
            let mut message = e.message;
            if e.asked == Some(statelab::stubs::Asked::Unchosen) {
                message.push_str(" (use --state-machine NAME)");
            }
            report!("{}", located_line(&source.name, pos, &style.error("error"), &message, at));
            Failure::Reported(exit::UNUSABLE)
        })?;
    for (at, message) in unused_stubs(machine_def, &stubs) {
        let pos = doc.map.locate(&at).map(|n| n.place().start);
        report!("{}", located_line(&source.name, pos, &style.warning("warning"), &message, Some(&at)));
    }
    Ok(stubs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_with_control_characters_is_written_escaped() {
        // A name that would clear the screen when printed as it is.
        let name = "z\u{1b}[2J.json";
        assert_eq!(place(name, Some(Pos { offset: 1, line: 1, column: 2 })), "z\\u{1b}[2J.json:1:2");
        assert_eq!(place(name, None), "z\\u{1b}[2J.json");
    }

    /// An endless source (`/dev/zero`) is refused at the limit instead of filling memory.
    #[test]
    fn reading_stops_past_the_document_limit() {
        let e = read_bounded(std::io::repeat(b'x')).unwrap_err();
        assert!(e.starts_with("it is larger than 8388608 bytes"), "{e}");
        assert_eq!(read_bounded(&b"{}"[..]).as_deref(), Ok("{}"));
    }

    /// Text that is not UTF-8 is said to be so with the place where it stops being UTF-8.
    #[test]
    fn text_that_is_not_utf8_is_refused_with_its_place() {
        assert_eq!(
            read_bounded(&b"\xff"[..]).unwrap_err(),
            "it is not UTF-8 text: the byte at line 1, column 1 (byte offset 0) is not UTF-8; save it as UTF-8"
        );
        let latin1 = b"{\n  \"Comment\": \"caf\xe9 \xe9\"\n}";
        let e = read_bounded(&latin1[..]).unwrap_err();
        assert!(e.contains("line 2, column 18 (byte offset 19)"), "{e}");
        let after_emoji = "{\"a\": \"\u{1F600}".bytes().chain([0xC0]).collect::<Vec<u8>>();
        assert!(read_bounded(&after_emoji[..]).unwrap_err().contains("line 1, column 9"));
        let utf16 = [0xFF, 0xFE, b'{', 0, b'}', 0];
        assert!(read_bounded(&utf16[..]).unwrap_err().starts_with("it is UTF-16 text"));
    }
}
