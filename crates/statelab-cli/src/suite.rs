//! `statelab test`: finds test files, runs every case, prints `PASS`/`FAIL` per case and a tally.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use statelab::source::{Pos, SourceMap};
use statelab::stubs::unused_stubs;
use statelab::testing::{self, DefinitionRef, TestFile};
use statelab::{json, Machine, Value};

use crate::files::{self, diagnostic_line, place, Source};
use crate::style::{terminal_safe, Colors, Style};
use crate::{exit, Failure, Format};
use statelab::text::count;

#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Test files, or directories to search for them
    #[arg(value_name = "FILE|DIR", required = true)]
    paths: Vec<String>,
    /// `text`: a line per case and a tally; `json`: one JSON document, for CI tools
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// One line of the text output, kept for `--format json`: a case (or a file that could not be
/// used) and what came of it.
struct Outcome {
    file: String,
    case: Option<String>,
    at: Option<Pos>,
    /// `PASS`, `FAIL` or `ERROR`.
    status: &'static str,
    /// Why it failed: mismatches, or the problems that made it unusable.
    messages: Vec<String>,
    /// Stubs it never used.
    warnings: Vec<String>,
}

impl Outcome {
    fn to_json(&self) -> serde_json::Value {
        let mut o = serde_json::Map::new();
        o.insert("file".into(), self.file.clone().into());
        if let Some(case) = &self.case {
            o.insert("case".into(), case.clone().into());
        }
        if let Some(at) = self.at {
            o.insert("line".into(), at.line.into());
            o.insert("column".into(), at.column.into());
        }
        o.insert("status".into(), self.status.into());
        o.insert("messages".into(), self.messages.clone().into());
        if !self.warnings.is_empty() {
            o.insert("warnings".into(), self.warnings.clone().into());
        }
        serde_json::Value::Object(o)
    }
}

/// Directories never searched: hidden ones (`.git`), and where dependencies and builds live.
const SKIPPED_DIRS: &[&str] = &["node_modules", "target"];

/// Counts of cases passed and failed, and of files or cases that could not be used.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    errors: usize,
}

pub fn test(args: &TestArgs, colors: Colors) -> Result<u8, Failure> {
    let mut found = Vec::new();
    for p in &args.paths {
        // A path that cannot be used is its own ERROR, and the others still run: it stopped the
        // run as a usage error, and `--format json` printed nothing for a CI tool to read.
        let path = Path::new(p);
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) => {
                found.push(Found::Unusable(path.to_path_buf(), format!("cannot read it: {e}")));
                continue;
            }
        };
        if meta.is_dir() {
            let before = found.len();
            discover(path, &mut found);
            if found.len() == before {
                found.push(Found::Unusable(
                    path.to_path_buf(),
                    "no test files in this directory (a test file ends in .test.json, or is a .json file \
                     with a \"definition\" and an \"expect\", \"cases\", \"input\" or \"stubs\")"
                        .to_string(),
                ));
            }
        } else {
            found.push(Found::File(path.to_path_buf()));
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut tally = Tally::default();
    let json = args.format == Format::Json;
    let mut outcomes = Vec::new();
    for entry in &found {
        let style = if json { Style::plain() } else { colors.out };
        let out: &mut dyn Write = if json { &mut std::io::sink() } else { &mut out };
        match entry {
            Found::File(path) => run_file(path, style, &mut tally, out, &mut outcomes)?,
            Found::Unusable(path, why) => {
                let lines = vec![why.clone()];
                report_unusable(
                    &path.display().to_string(),
                    None,
                    None,
                    lines,
                    style,
                    &mut tally,
                    out,
                    &mut outcomes,
                )?;
            }
        }
    }
    if json {
        let doc = serde_json::json!({
            "passed": tally.passed,
            "failed": tally.failed,
            "errors": tally.errors,
            "results": outcomes.iter().map(Outcome::to_json).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Failure::Usage(format!("cannot write the results: {e}")))?;
        writeln!(out, "{text}")?;
    } else {
        let mut summary = format!("{} passed, {} failed", tally.passed, tally.failed);
        if tally.errors > 0 {
            summary.push_str(&format!(", {}", count(tally.errors, "error")));
        }
        writeln!(out, "{summary}")?;
    }
    out.flush()?;
    Ok(if tally.errors > 0 {
        exit::UNUSABLE
    } else if tally.failed > 0 {
        exit::FAILED
    } else {
        exit::OK
    })
}

/// What the search finds: a test file, or a path that cannot be used and why (a directory inside
/// that cannot be read: its tests would be skipped without a word, and the run pass).
enum Found {
    File(PathBuf),
    Unusable(PathBuf, String),
}

/// Collects the test files under `dir`, recursively, in name order. Symbolic links to
/// directories are not followed; only regular files (or links to them) are tests, so a FIFO
/// named `*.json` is not opened (reading it waited forever).
fn discover(dir: &Path, found: &mut Vec<Found>) {
    let unreadable = |e: std::io::Error| format!("cannot read this directory, so its tests did not run: {e}");
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return found.push(Found::Unusable(dir.to_path_buf(), unreadable(e))),
    };
    let mut listed = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => listed.push(entry),
            Err(e) => return found.push(Found::Unusable(dir.to_path_buf(), unreadable(e))),
        }
    }
    listed.sort_by_key(|e| e.file_name());
    for entry in listed {
        let name = entry.file_name().to_string_lossy().to_string();
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name.as_str()) {
                discover(&path, found);
            }
        } else if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) && is_test_file(&name, &path) {
            found.push(Found::File(path));
        }
    }
}

/// Top-level fields that, beside a `definition`, make a `.json` file a test file.
const CASE_FIELDS: [&str; 4] = ["expect", "cases", "input", "stubs"];

/// The rule for files found in a directory: `*.test.json`, or a `*.json` whose top level has a
/// `definition` and one of [`CASE_FIELDS`].
fn is_test_file(name: &str, path: &Path) -> bool {
    if name.ends_with(".test.json") {
        return true;
    }
    if !name.ends_with(".json") {
        return false;
    }
    // One that cannot be opened (no permission) may be a test: `load` reports it rather than
    // the search skipping it; one too large to read is taken for data.
    let Ok(file) = std::fs::File::open(path) else { return true };
    let Ok(text) = files::read_bounded(file) else { return false };
    // A byte order mark, as a test file may have (one with it was skipped).
    match json::parse(text.strip_prefix('\u{feff}').unwrap_or(&text)) {
        // A case's field beside it: one without "expect" is reported (a case must expect
        // something), not skipped as data.
        Ok(v) => v.get("definition").is_some() && CASE_FIELDS.iter().any(|k| v.get(k).is_some()),
        // A test file with a slip in it (a trailing comma) is still one, to be reported: it was
        // skipped, and the run passed without its tests (a QA pass). Data with no "definition" is
        // not taken for one.
        Err(_) => text.contains("\"definition\""),
    }
}

/// Reports a file, case or directory that cannot be used: an `ERROR` line (and the diagnostics
/// that say why), counted as an error.
#[allow(clippy::too_many_arguments)]
fn report_unusable(
    name: &str,
    at: Option<Pos>,
    case: Option<&str>,
    lines: Vec<String>,
    style: Style,
    tally: &mut Tally,
    out: &mut dyn Write,
    outcomes: &mut Vec<Outcome>,
) -> std::io::Result<()> {
    tally.errors += 1;
    let first = lines.first().map(String::as_str).unwrap_or_default();
    let label = label(name, at, case);
    writeln!(out, "{} {label}: {}", style.error("ERROR"), terminal_safe(first))?;
    // The other lines are diagnostics, already made safe (and perhaps coloured).
    for line in lines.iter().skip(1) {
        writeln!(out, "    {line}")?;
    }
    outcomes.push(Outcome {
        file: name.to_string(),
        case: case.map(str::to_string),
        at,
        status: "ERROR",
        messages: lines,
        warnings: Vec::new(),
    });
    Ok(())
}

/// Runs every case of one test file.
fn run_file(
    path: &Path,
    style: Style,
    tally: &mut Tally,
    out: &mut dyn Write,
    outcomes: &mut Vec<Outcome>,
) -> std::io::Result<()> {
    let name = path.display().to_string();
    let Loaded { file, has_cases, machine, map } = match load(path, &name, style) {
        Ok(loaded) => loaded,
        Err(Unusable { at, case, lines }) => {
            return report_unusable(&name, at, case.as_deref(), lines, style, tally, out, outcomes);
        }
    };
    for case in &file.cases {
        // A case that cannot be read is that case's error; the others still run.
        let case = match case {
            Ok(case) => case,
            Err(e) => {
                let at = position(&map, &e.pointer);
                let lines = vec![e.message.clone()];
                report_unusable(&name, at, e.case.as_deref(), lines, style, tally, out, outcomes)?;
                continue;
            }
        };
        let case_name = has_cases.then_some(case.name.as_str());
        match testing::run_case(machine.clone(), case) {
            Err(e) => {
                let at = position(&map, &e.pointer);
                report_unusable(&name, at, case_name, vec![e.message], style, tally, out, outcomes)?;
            }
            Ok(exec) => {
                let label = label(&name, None, case_name);
                let mismatches = testing::check(&exec, &case.expect);
                if mismatches.is_empty() {
                    tally.passed += 1;
                    writeln!(out, "{} {label}", style.good("PASS"))?;
                } else {
                    tally.failed += 1;
                    writeln!(out, "{} {label}", style.error("FAIL"))?;
                    for m in &mismatches {
                        writeln!(out, "    {}", terminal_safe(m))?;
                    }
                }
                let status = if mismatches.is_empty() { "PASS" } else { "FAIL" };
                let mut result = Outcome {
                    file: name.clone(),
                    case: case_name.map(str::to_string),
                    at: None,
                    status,
                    messages: mismatches,
                    warnings: Vec::new(),
                };
                for (pointer, message) in unused_stubs(exec.machine(), exec.stubs()) {
                    let at = position(&map, &format!("{}/stubs{pointer}", case.at));
                    let place = place(&name, at);
                    writeln!(
                        out,
                        "    {}: {place}: stubs: {}",
                        style.warning("warning"),
                        terminal_safe(&message)
                    )?;
                    result.warnings.push(format!("{place}: stubs: {message}"));
                }
                outcomes.push(result);
            }
        }
    }
    Ok(())
}

/// What a result line names: `file:line:column [case]`, each part when known (the case in a
/// file with `cases`).
fn label(name: &str, at: Option<Pos>, case: Option<&str>) -> String {
    let place = place(name, at);
    match case {
        Some(case) => format!("{place} [{}]", terminal_safe(case)),
        None => place,
    }
}

/// Where `pointer` is in a test file (the nearest ancestor when it is missing).
fn position(map: &SourceMap, pointer: &str) -> Option<Pos> {
    map.locate(pointer).map(|n| n.place().start)
}

/// A test file ready to run.
struct Loaded {
    file: TestFile,
    has_cases: bool,
    machine: Rc<Machine>,
    /// Where each of its nodes is, to place the cases' problems.
    map: SourceMap,
}

/// A test file that cannot be used: where, when one place is to blame, and in which case; a
/// summary, then one line per problem.
struct Unusable {
    at: Option<Pos>,
    case: Option<String>,
    lines: Vec<String>,
}

impl Unusable {
    fn whole(summary: String) -> Unusable {
        Unusable { at: None, case: None, lines: vec![summary] }
    }

    fn at(at: Option<Pos>, summary: String) -> Unusable {
        Unusable { at, case: None, lines: vec![summary] }
    }
}

/// Reads a test file and compiles its definition.
fn load(path: &Path, name: &str, style: Style) -> Result<Loaded, Unusable> {
    let text = files::read_file(path).map_err(|e| Unusable::whole(format!("cannot read it: {e}")))?;
    // A byte order mark is invisible in editors, and columns are counted as they show them.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let (value, map) = json::parse_with_map(text).map_err(|e| {
        // Definitions, inputs and stubs may be YAML; a test file may not (it was only "expected a
        // JSON value": a QA pass).
        let yaml = [".yaml", ".yml"].iter().any(|ext| name.to_lowercase().ends_with(ext));
        let hint = if yaml { " (a test file is JSON; the files it names may be YAML)" } else { "" };
        Unusable::at(Some(e.pos), format!("{}{hint}", e.message))
    })?;
    // The parser keeps the last of two members with one key: the first would be silently lost
    // (an expectation never checked).
    if let Some((_, span, message)) = map.first_duplicate() {
        return Err(Unusable::at(Some(span.start), message));
    }
    let mut file = testing::parse_test_file(&value).map_err(|e| Unusable {
        at: position(&map, &e.pointer),
        case: e.case,
        lines: vec![e.message],
    })?;
    let has_cases = value.get("cases").is_some();
    let machine = match file.definition.clone() {
        DefinitionRef::Inline(def) => {
            inline(&def, &map, name, style).map_err(|lines| Unusable { at: None, case: None, lines })?
        }
        DefinitionRef::Text(text) => {
            // Its problems are placed in the string: lines and columns count in its text.
            let source = Source { name: format!("{name} (its definition text)"), text };
            machine_of(&source, &mut file, &map, style)?
        }
        DefinitionRef::File(rel) => {
            let def_path = path.parent().unwrap_or(Path::new("")).join(rel);
            let text = files::read_file(&def_path).map_err(|e| {
                let why = format!("cannot read its definition {}: {e}", def_path.display());
                Unusable::at(position(&map, "/definition"), why)
            })?;
            let source = Source { name: def_path.display().to_string(), text };
            machine_of(&source, &mut file, &map, style)?
        }
    };
    Ok(Loaded { file, has_cases, machine, map })
}

/// The machine of a test file's definition given as text (a file beside it, or a string in it):
/// checked as `statelab run` checks one, with the file's `state_machine`.
fn machine_of(
    source: &Source,
    file: &mut TestFile,
    map: &SourceMap,
    style: Style,
) -> Result<Rc<Machine>, Unusable> {
    // As `statelab run --state-machine`: a template of one machine has nothing to choose,
    // so 'state_machine' may name a case's MockConfigFile's machine instead.
    let name = file.state_machine.as_deref();
    let config = name.and_then(|n| {
        file.cases
            .iter()
            .flatten()
            .map(|c| &c.stubs)
            .find(|v| statelab::stubs::is_mock_config(v) && statelab::stubs::has_machine(v, n))
    });
    let checked = crate::files::check_named(source, name, config);
    match &checked.machine {
        Some(m) if checked.is_ok() => {
            // The machine's name in the run, which picks it in a MockConfigFile: as `statelab
            // run` names it (a template's name for it; a bare definition's, the file's
            // `state_machine`).
            if let Some(name) = checked.run_name(name) {
                for case in file.cases.iter_mut().flatten() {
                    case.definition_machine = Some(name.to_string());
                }
            }
            Ok(m.clone())
        }
        _ => {
            // In a test file the machine is chosen by its field, not an option.
            let lines = invalid(&source.name, &checked.diagnostics, style)
                .into_iter()
                .map(|l| l.replace("(use --state-machine NAME)", "(with the test file's 'state_machine')"))
                .collect();
            // A machine the document does not have is that field's problem.
            let unnamed =
                checked.diagnostics.iter().any(|d| d.code == statelab::compile::codes::NO_STATE_MACHINE);
            let at = map.get("/state_machine").filter(|_| unnamed).map(|n| n.place().start);
            Err(Unusable { at, case: None, lines })
        }
    }
}

/// Compiles a definition written in the test file, locating problems in the test file's text.
fn inline(def: &Value, map: &SourceMap, name: &str, style: Style) -> Result<Rc<Machine>, Vec<String>> {
    let (machine, mut diagnostics) = statelab::compile::compile(def);
    for d in &mut diagnostics {
        d.locate(map, "/definition", def);
    }
    match machine {
        Some(m) if !diagnostics.iter().any(|d| d.is_error()) => Ok(Rc::new(m)),
        _ => Err(invalid(name, &diagnostics, style)),
    }
}

fn invalid(name: &str, diagnostics: &[statelab::Diagnostic], style: Style) -> Vec<String> {
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    let mut lines = vec![format!("the definition is invalid ({})", count(errors.len(), "error"))];
    lines.extend(errors.iter().map(|d| diagnostic_line(name, d, style)));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory the search cannot read is found as such, to be reported: its tests were
    /// skipped without a word and the run passed. (Made unreadable by permissions only for
    /// users other than root, so a directory that is not there stands for it.)
    #[test]
    fn an_unreadable_directory_is_found_not_skipped() {
        let mut found = Vec::new();
        discover(Path::new("tests/no-such-directory"), &mut found);
        assert!(matches!(found.as_slice(), [Found::Unusable(p, _)] if p.ends_with("no-such-directory")));
    }

    /// Only regular files are tests: a FIFO named `*.json` was opened, and the run waited for a
    /// writer forever.
    #[test]
    fn a_fifo_is_not_a_test_file() {
        let dir = std::env::temp_dir().join(format!("statelab-fifo-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let fifo = dir.join("pipe.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        let mut found = Vec::new();
        discover(&dir, &mut found);
        let _ = std::fs::remove_dir_all(&dir);
        if made {
            assert!(found.is_empty());
        }
    }
}
