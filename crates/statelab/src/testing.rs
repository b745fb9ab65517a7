//! Test files: a definition, and cases of input, stubs and expectations, written the way the
//! example gallery is. `statelab test`, the gallery check and our own tests all use this.

use std::rc::Rc;

use crate::exec::{Execution, Options, Unstubbed, WorkflowType};
use crate::machine::Machine;
use crate::source::child;
use crate::stubs::Stubs;
use crate::time::parse_millis;
use crate::value::Value;

/// Where a test file's definition is.
#[derive(Clone, Debug, PartialEq)]
pub enum DefinitionRef {
    /// Written in the test file.
    Inline(Value),
    /// A file next to the test file (JSON, YAML, serverless.yml or CloudFormation).
    File(String),
    /// Written in the test file as text (ASL JSON or YAML, a template): a string with a line
    /// break in it, or that starts with `{`, is no file name.
    Text(String),
}

/// What a case expects. Absent fields are not checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expect {
    /// `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`.
    pub status: Option<String>,
    /// The output.
    pub output: Option<Value>,
    /// The error name.
    pub error: Option<String>,
    /// The cause.
    pub cause: Option<String>,
    /// States entered, in order.
    pub states: Option<Vec<String>>,
    /// Virtual seconds from start to end.
    pub virtual_seconds: Option<f64>,
    /// Billable transitions.
    pub billable_transitions: Option<u64>,
}

/// One case.
#[derive(Clone, Debug)]
pub struct TestCase {
    /// Its name (`"default"` for a file with one inline case).
    pub name: String,
    /// Execution input.
    pub input: Value,
    /// Stubs (Statelab's format or a MockConfigFile).
    pub stubs: Value,
    /// A MockConfigFile test case to use.
    pub mock_test_case: Option<String>,
    /// Run options.
    pub options: Options,
    /// Expectations.
    pub expect: Expect,
    /// JSON Pointer to the case in its file: `""` for a file's one inline case, `/cases/N` in a list.
    pub at: String,
    /// The file's `state_machine`: it picks the machine in a definition file holding several,
    /// and in a MockConfigFile holding several, as `--state-machine` does for `statelab run`.
    pub state_machine: Option<String>,
    /// The machine's name as a front end that reads the definition finds it
    /// ([`crate::Checked::run_name`]): its name in the run (its ARNs), and a MockConfigFile's
    /// machine of that name is used first (a file's `state_machine` may pick a template's machine
    /// by its key, `orders` for `Orders`), as `statelab run` does. Without one (a definition
    /// written in the test file) the file's `state_machine` names it.
    pub definition_machine: Option<String>,
    /// The case sets `state_machine_name` itself: that name wins over the definition's.
    pub names_machine: bool,
}

/// A test file (or one of its cases) that cannot be used: what is wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// What is wrong.
    pub message: String,
    /// JSON Pointer into the test file (`""` for the file as a whole), so a front end can give the
    /// line and column.
    pub pointer: String,
    /// The case's name, when the problem is in one case of a file with `cases`.
    pub case: Option<String>,
}

impl FileError {
    fn new(pointer: &str, message: impl Into<String>) -> FileError {
        FileError { message: message.into(), pointer: pointer.to_string(), case: None }
    }

    /// The same error, found inside the value at `prefix` (and, with a case's name, inside that
    /// case).
    fn within(self, prefix: &str, case: Option<&str>) -> FileError {
        FileError {
            message: self.message,
            pointer: format!("{prefix}{}", self.pointer),
            case: case.map(str::to_string).or(self.case),
        }
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(case) = &self.case {
            write!(f, "{case}: ")?;
        }
        if self.pointer.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} at {}", self.message, self.pointer)
        }
    }
}

/// A parsed test file.
#[derive(Clone, Debug)]
pub struct TestFile {
    /// `title`.
    pub title: Option<String>,
    /// `summary`.
    pub summary: Option<String>,
    /// The definition.
    pub definition: DefinitionRef,
    /// Which machine, when the definition file holds several.
    pub state_machine: Option<String>,
    /// The cases, in file order; one that cannot be used is its error (in a file with `cases`,
    /// a broken case does not keep the others from running).
    pub cases: Vec<Result<TestCase, FileError>>,
}

impl TestFile {
    /// Every case, or the first one that cannot be used: for callers that want a test file
    /// whole or not at all.
    pub fn usable_cases(&self) -> Result<Vec<&TestCase>, &FileError> {
        self.cases.iter().map(Result::as_ref).collect()
    }
}

/// A text field, when present. `null` is refused like any other non-string, as `seed: null` is:
/// leaving the field out is how to get its default, and one rule for every field is easier to
/// remember than two.
fn opt_str(v: &Value, key: &str) -> Result<Option<String>, FileError> {
    match v.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.to_string())),
        Some(Value::Null) => Err(FileError::new(
            &child("", key),
            format!("'{key}' must be a string (leave it out for the default)"),
        )),
        Some(_) => Err(FileError::new(&child("", key), format!("'{key}' must be a string"))),
    }
}

/// Reads the run options a case may set: `start_time`, `seed`, `type`, `region`, `account`,
/// `state_machine_name`, `execution_name`, `role_arn`, `max_steps`, `max_history_events` and
/// `unstubbed` (`echo` or `fail`).
pub fn case_options(v: &Value, base: &Options) -> Result<Options, FileError> {
    let mut o = base.clone();
    if let Some(t) = opt_str(v, "start_time")? {
        o.start_time_ms = parse_millis(&t).ok_or_else(|| {
            FileError::new("/start_time", format!("'start_time' is not an RFC 3339 timestamp: {t}"))
        })?;
    }
    if let Some(s) = v.get("seed") {
        o.seed = s.as_i64().ok_or_else(|| FileError::new("/seed", "'seed' must be an integer"))?;
    }
    if let Some(t) = opt_str(v, "type")? {
        // In any case, as the CLI's --type and the JS API's `type` take it.
        o.workflow_type = WorkflowType::from_name(&t)
            .ok_or_else(|| FileError::new("/type", format!("'type' must be STANDARD or EXPRESS, not {t}")))?;
    }
    if let Some(r) = opt_str(v, "region")? {
        o.region = r;
    }
    if let Some(a) = opt_str(v, "account")? {
        o.account = a;
    }
    if let Some(n) = opt_str(v, "state_machine_name")? {
        o.state_machine_name = n;
    }
    if let Some(n) = opt_str(v, "execution_name")? {
        o.execution_name = n;
    }
    if let Some(r) = opt_str(v, "role_arn")? {
        o.role_arn = r;
    }
    if let Some(m) = v.get("max_steps") {
        o.max_steps = m
            .as_i64()
            .filter(|m| *m > 0)
            .ok_or_else(|| FileError::new("/max_steps", "'max_steps' must be a positive integer"))?
            as u64;
    }
    if let Some(m) = v.get("max_history_events") {
        o.max_history_events = m.as_i64().filter(|m| *m > 0).ok_or_else(|| {
            FileError::new("/max_history_events", "'max_history_events' must be a positive integer")
        })? as usize;
    }
    if let Some(u) = opt_str(v, "unstubbed")? {
        // In any case, as "type" is.
        o.unstubbed = match u.to_ascii_lowercase().as_str() {
            "echo" => Unstubbed::Echo,
            "fail" => Unstubbed::Fail,
            _ => {
                return Err(FileError::new(
                    "/unstubbed",
                    format!("'unstubbed' must be echo or fail, not {u}"),
                ))
            }
        };
    }
    Ok(o)
}

/// The statuses a finished run can have, which `expect.status` names.
const STATUSES: [&str; 4] = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];

/// The fields of one case, which a file with `cases` has in each case and not at its top level.
const CASE_FIELDS: [&str; 15] = [
    "input",
    "stubs",
    "mock_test_case",
    "expect",
    "start_time",
    "seed",
    "type",
    "region",
    "account",
    "state_machine_name",
    "execution_name",
    "role_arn",
    "max_steps",
    "max_history_events",
    "unstubbed",
];

/// Fields of a test file besides a case's: what it runs, and words for people.
const FILE_FIELDS: [&str; 5] = ["definition", "state_machine", "cases", "title", "summary"];

/// What `expect` may check.
const EXPECT_FIELDS: [&str; 7] =
    ["status", "output", "error", "cause", "states", "virtual_seconds", "billable_transitions"];

/// Refuses a field that is not in `known` (nor `notes`, free text anywhere): a misspelt field
/// would otherwise be ignored, and a case would quietly test less than it says.
fn known_fields(v: &Value, known: &[&str], what: &str) -> Result<(), FileError> {
    for (key, value) in v.as_object().into_iter().flatten() {
        if key.as_ref() == "notes" {
            // Words for people, so a string, as `title` and `summary` are (anything was taken,
            // null too: a QA pass).
            if value.as_str().is_none() {
                return Err(FileError::new(&child("", key), "'notes' must be a string (words for people)"));
            }
            continue;
        }
        if known.contains(&key.as_ref()) {
            continue;
        }
        let hint = if key.as_ref() == "strict_stubs" {
            " (for a Task without a stub to fail, write \"unstubbed\": \"fail\")".to_string()
        } else if key.as_ref() == "state_machine" && known.contains(&"name") {
            " ('state_machine' goes at the top level of the test file, for all its cases)".to_string()
        } else if let Some(ours) = [
            // Names from elsewhere: the run report's, and the CLI's flags.
            ("states_entered", "states"),
            ("test_case", "mock_test_case"),
            ("mock_config", "stubs"),
            ("mock_config_file", "stubs"),
        ]
        .into_iter()
        .find_map(|(theirs, ours)| (key.as_ref() == theirs && known.contains(&ours)).then_some(ours))
        {
            format!(" (here it is '{ours}')")
        } else {
            crate::machine::closest_name(key, known.iter().copied().chain(["notes"]))
                .map(|k| format!(" (did you mean '{k}'?)"))
                .unwrap_or_default()
        };
        return Err(FileError::new(&child("", key), format!("unknown field '{key}' in {what}{hint}")));
    }
    Ok(())
}

fn expect(v: Option<&Value>) -> Result<Expect, FileError> {
    let Some(v) = v else { return Ok(Expect::default()) };
    if v.as_object().is_none() {
        return Err(FileError::new("", "'expect' must be an object"));
    }
    known_fields(v, &EXPECT_FIELDS, "'expect'")?;
    // `null` is not "not checked": a reader may take `"error": null` to expect no error.
    let text = |key: &str| match v.get(key) {
        Some(Value::Null) => Err(FileError::new(
            &child("", key),
            format!("'expect.{key}' must be a string (leave it out for it not to be checked)"),
        )),
        Some(Value::String(_)) | None => opt_str(v, key),
        Some(_) => Err(FileError::new(&child("", key), format!("'expect.{key}' must be a string"))),
    };
    let not_names = |at: String| FileError::new(&at, "'expect.states' must be an array of state names");
    let states = match v.get("states") {
        None => None,
        Some(s) => Some(
            s.as_array()
                .ok_or_else(|| not_names("/states".into()))?
                .iter()
                .enumerate()
                .map(|(i, n)| n.as_str().map(str::to_string).ok_or_else(|| not_names(format!("/states/{i}"))))
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let status = text("status")?;
    if let Some(s) = &status {
        if !STATUSES.contains(&s.as_str()) {
            let upper = s.to_uppercase();
            let hint = if STATUSES.contains(&upper.as_str()) {
                format!(" (in capitals: {upper})")
            } else {
                String::new()
            };
            return Err(FileError::new(
                "/status",
                format!("'expect.status' must be SUCCEEDED, FAILED, TIMED_OUT or ABORTED, not {s}{hint}"),
            ));
        }
    }
    Ok(Expect {
        status,
        output: v.get("output").cloned(),
        error: text("error")?,
        cause: text("cause")?,
        states,
        virtual_seconds: match v.get("virtual_seconds") {
            None => None,
            Some(n) => Some(n.as_f64().ok_or_else(|| {
                FileError::new("/virtual_seconds", "'expect.virtual_seconds' must be a number")
            })?),
        },
        billable_transitions: match v.get("billable_transitions") {
            None => None,
            Some(n) => Some(n.as_i64().filter(|n| *n >= 0).ok_or_else(|| {
                FileError::new(
                    "/billable_transitions",
                    "'expect.billable_transitions' must be a non-negative integer",
                )
            })? as u64),
        },
    })
}

/// Reads the case `v`, which is at `at` in its file. Errors point into the file.
fn case(
    v: &Value,
    name: String,
    at: &str,
    base: &Options,
    state_machine: Option<String>,
) -> Result<TestCase, FileError> {
    let in_file = |e: FileError| e.within(at, None);
    let stubs = v.get("stubs").cloned().unwrap_or_else(Value::empty_object);
    if let Some(path) = stubs.as_str() {
        // Said plainly: it was "'stubs' is not one (it has no "StateMachines")", or "Stubs must be
        // a JSON object", of what is a file name.
        return Err(FileError::new(
            &child(at, "stubs"),
            format!(
                "'stubs' are written in the test file, as an object: a file name such as {path:?} is not read \
                 (put its content here)"
            ),
        ));
    }
    let mock_test_case = opt_str(v, "mock_test_case").map_err(in_file)?;
    if mock_test_case.is_some() && !crate::stubs::is_mock_config(&stubs) {
        // Otherwise ignored: the case would quietly run other responses than it names.
        return Err(FileError::new(
            &child(at, "mock_test_case"),
            "'mock_test_case' names a test case of a MockConfigFile, and 'stubs' is not one (it has no \"StateMachines\")",
        ));
    }
    let options = case_options(v, base).map_err(in_file)?;
    let expect = expect(v.get("expect")).map_err(|e| e.within(&format!("{at}/expect"), None))?;
    if expect == Expect::default() {
        // Such a case passed whatever the run did, a failed execution too (a QA pass): a test in
        // CI that checks nothing would stay green without a word.
        let place = if v.get("expect").is_some() { child(at, "expect") } else { at.to_string() };
        return Err(FileError::new(
            &place,
            "a case must expect something (status, output, error, cause, states, virtual_seconds or \
             billable_transitions), or it passes whatever the run does: \"expect\": {\"status\": \"SUCCEEDED\"} \
             checks only that it succeeds",
        ));
    }
    Ok(TestCase {
        input: v.get("input").cloned().unwrap_or_else(Value::empty_object),
        stubs,
        mock_test_case,
        state_machine,
        definition_machine: None,
        names_machine: v.get("state_machine_name").is_some(),
        options,
        expect,
        name,
        at: at.to_string(),
    })
}

/// Parses a test file: a definition (inline, or a path to a file) and either one inline case
/// (`input`, `stubs`, `expect`, ...) or `cases: [...]`.
pub fn parse_test_file(v: &Value) -> Result<TestFile, FileError> {
    if v.as_object().is_none() {
        return Err(FileError::new("", "a test file must be a JSON object"));
    }
    let definition = match v.get("definition") {
        // A line break or a leading `{` makes it the definition's text (it was read as a path:
        // "cannot read its definition tt/StartAt: A..." in a QA pass).
        Some(Value::String(s)) if s.contains('\n') || s.trim_start().starts_with('{') => {
            DefinitionRef::Text(s.to_string())
        }
        Some(Value::String(s)) => DefinitionRef::File(s.to_string()),
        Some(d @ Value::Object(_)) => DefinitionRef::Inline(d.clone()),
        Some(_) => {
            return Err(FileError::new(
                "/definition",
                "'definition' must be an object (the ASL), its text, or a path to a file",
            ))
        }
        None => {
            // A misspelt one is the likeliest reason.
            let keys = v.as_object().into_iter().flat_map(|m| m.keys());
            let typo = keys
                .into_iter()
                .find(|k| crate::machine::closest_name(k, ["definition"].into_iter()).is_some());
            return Err(match typo {
                Some(k) => FileError::new(
                    &child("", k),
                    format!("a test file needs a 'definition' (did you mean 'definition' for '{k}'?)"),
                ),
                None => FileError::new("", "a test file needs a 'definition'"),
            });
        }
    };
    let base = Options::default();
    let state_machine = opt_str(v, "state_machine")?;
    let cases = match v.get("cases") {
        Some(list) => {
            let items =
                list.as_array().ok_or_else(|| FileError::new("/cases", "'cases' must be an array"))?;
            // A case's fields at the top level would be silently ignored: the top level is not a
            // default for the cases.
            let stray: Vec<&str> = CASE_FIELDS.iter().copied().filter(|k| v.get(k).is_some()).collect();
            if let Some(first) = stray.first() {
                return Err(FileError::new(
                    &child("", first),
                    format!(
                        "a test file has either one case at its top level or 'cases', not both: move {} into the cases",
                        stray.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            if items.is_empty() {
                return Err(FileError::new(
                    "/cases",
                    "'cases' is empty: a test file needs at least one case",
                ));
            }
            known_fields(v, &FILE_FIELDS, "the test file")?;
            let mut names: Vec<String> = Vec::new();
            let mut out = Vec::new();
            for (i, c) in items.iter().enumerate() {
                let at = format!("/cases/{i}");
                let read = |names: &[String]| -> Result<TestCase, FileError> {
                    if c.as_object().is_none() {
                        return Err(FileError::new(
                            &at,
                            "a case must be an object: its 'name', 'input', 'stubs' and 'expect'",
                        ));
                    }
                    let name = opt_str(c, "name")
                        .map_err(|e| e.within(&at, None))?
                        .unwrap_or_else(|| format!("case {}", i + 1));
                    if name.trim().is_empty() {
                        return Err(FileError::new(
                            &child(&at, "name"),
                            "a case's name must say something: the report tells cases apart by it",
                        ));
                    }
                    // The report tells cases apart by name.
                    if let Some(j) = names.iter().position(|n| *n == name) {
                        let unnamed = items.get(j).is_some_and(|other| other.get("name").is_none());
                        let message = if unnamed {
                            format!("case {}, which has no name, is reported as '{name}': give this one another name", j + 1)
                        } else {
                            format!("case {} is named '{name}' too: each case needs its own name", j + 1)
                        };
                        return Err(FileError::new(&child(&at, "name"), message).within("", Some(&name)));
                    }
                    let fields: Vec<&str> = CASE_FIELDS.iter().copied().chain(["name"]).collect();
                    known_fields(c, &fields, "the case").map_err(|e| e.within(&at, Some(&name)))?;
                    case(c, name.clone(), &at, &base, state_machine.clone())
                        .map_err(|e| e.within("", Some(&name)))
                };
                let name = match read(&names) {
                    Ok(case) => {
                        let name = case.name.clone();
                        out.push(Ok(case));
                        name
                    }
                    Err(e) => {
                        // Its error names it even when its name could not be read ("case 3").
                        let name =
                            opt_str(c, "name").ok().flatten().unwrap_or_else(|| format!("case {}", i + 1));
                        let named = if e.case.is_some() { e } else { e.within("", Some(&name)) };
                        out.push(Err(named));
                        name
                    }
                };
                names.push(name);
            }
            out
        }
        None => {
            let fields: Vec<&str> = FILE_FIELDS.iter().chain(CASE_FIELDS.iter()).copied().collect();
            known_fields(v, &fields, "the test file")?;
            vec![Ok(case(v, "default".into(), "", &base, state_machine.clone())?)]
        }
    };
    Ok(TestFile {
        title: opt_str(v, "title")?,
        summary: opt_str(v, "summary")?,
        definition,
        state_machine,
        cases,
    })
}

/// Outputs up to this long (as JSON) are shown whole in a mismatch; longer ones only where they
/// differ (a 300-item array with one item changed was a 2.3 KB line, a QA pass).
const SHOWN_WHOLE: usize = 120;

/// The line for an output other than the one expected: both whole when they are short, and
/// where they first differ when that is inside them.
fn output_mismatch(expected: &Value, got: &Value) -> String {
    mismatch("output", "differs", expected, got)
}

/// What `field` expected against what the run gave, with where the two first differ (JSON
/// Pointer); over [`SHOWN_WHOLE`] characters, only there.
fn mismatch(field: &str, differ: &str, expected: &Value, got: &Value) -> String {
    let (at, want, have) = first_difference(expected, got, String::new());
    let short = expected.json_len() <= SHOWN_WHOLE && got.json_len() <= SHOWN_WHOLE;
    match (short, at.is_empty()) {
        (true, true) => format!("{field}: expected {expected}, got {got}"),
        (true, false) => {
            format!("{field}: expected {expected}, got {got} (at {at}: expected {want}, got {have})")
        }
        (false, _) => {
            let at = if at.is_empty() { "/" } else { &at };
            format!("{field} {differ} at {at}: expected {}, got {}", clipped(&want), clipped(&have))
        }
    }
}

/// A string as JSON writes it, quotes and escapes: an error name or cause in a mismatch (an
/// empty one or a trailing space showed as nothing).
fn quoted(s: &str) -> String {
    Value::string(s).to_json()
}

/// `s` cut to [`SHOWN_WHOLE`] characters.
fn clipped(s: &str) -> String {
    match s.char_indices().nth(SHOWN_WHOLE) {
        Some((cut, _)) => format!("{}… ({} bytes)", &s[..cut], s.len()),
        None => s.to_string(),
    }
}

/// Where two unequal values first differ, as a JSON Pointer ("" for the values themselves), with
/// what each has there in words: a value as JSON, "nothing" for a missing member or an item past
/// an array's end ("V (of N items)" for the one that has it), and an excerpt of two long strings
/// from a little before their first different character.
fn first_difference(expected: &Value, got: &Value, at: String) -> (String, String, String) {
    if let (Some(e), Some(g)) = (expected.as_object(), got.as_object()) {
        for (k, want) in e.iter() {
            match g.get(k) {
                None => return (child(&at, k), want.to_json(), "nothing".into()),
                Some(have) if have != want => return first_difference(want, have, child(&at, k)),
                Some(_) => {}
            }
        }
        if let Some((k, have)) = g.iter().find(|(k, _)| !e.contains_key(k)) {
            return (child(&at, k), "nothing".into(), have.to_json());
        }
    } else if let (Some(e), Some(g)) = (expected.as_array(), got.as_array()) {
        // The first item that differs, whatever the lengths (an item changed in an array one
        // item longer was reported as "expected 201 items, got 200 items" at the array: a QA
        // pass); past the shorter one's end, the first item only one has.
        if let Some((i, (a, b))) = e.iter().zip(g).enumerate().find(|(_, (a, b))| a != b) {
            return first_difference(a, b, child(&at, &i.to_string()));
        }
        if e.len() != g.len() {
            let n = e.len().min(g.len());
            let item = |items: &[Value]| {
                items.get(n).map_or_else(
                    || "nothing".to_string(),
                    |v| format!("{} (of {} items)", v.to_json(), items.len()),
                )
            };
            return (child(&at, &n.to_string()), item(e), item(g));
        }
    } else if let (Some(e), Some(g)) = (expected.as_str(), got.as_str()) {
        // Long strings that differ late: from a little before the first different character
        // (both were cut to their first 120 characters, and read the same).
        if e.chars().count() > SHOWN_WHOLE || g.chars().count() > SHOWN_WHOLE {
            let i = e.chars().zip(g.chars()).take_while(|(a, b)| a == b).count();
            let start = i.saturating_sub(20);
            let excerpt = |s: &str| {
                let part: String = s.chars().skip(start).take(SHOWN_WHOLE / 2).collect();
                // Counted from 1, as people count.
                format!(
                    "…{} (from character {} of {})",
                    Value::string(part).to_json(),
                    start + 1,
                    s.chars().count()
                )
            };
            return (at, excerpt(e), excerpt(g));
        }
    }
    (at, expected.to_json(), got.to_json())
}

/// Compares a finished execution with expectations; each mismatch is one line.
pub fn check(exec: &Execution, expect: &Expect) -> Vec<String> {
    let mut out = Vec::new();
    let status = exec.status();
    if let Some(s) = &expect.status {
        if s != status.name() {
            let why = status.error().map(|e| format!(" ({}: {})", e.error, e.cause)).unwrap_or_default();
            out.push(format!("status: expected {s}, got {}{why}", status.name()));
        }
    }
    if let Some(o) = &expect.output {
        match status {
            crate::exec::Status::Succeeded(v) if v == o => {}
            crate::exec::Status::Succeeded(v) => out.push(output_mismatch(o, v)),
            other => out.push(format!("output: expected {o}, but the execution is {}", other.name())),
        }
    }
    // An expected "" is how a case says "no error" of a failure without one (a Fail state with
    // no Error); an empty one that is not expected is said as the run report says it: none (a
    // cause expected of such a Fail was "got \"\"", of a SUCCEEDED run "got none": a QA pass).
    // Both are quoted, as JSON strings (they hold spaces and punctuation; an empty one or a
    // trailing space showed as nothing); "none" is not one.
    let failure = status.error();
    let named = [
        ("error", &expect.error, failure.map(|e| e.error.as_str())),
        ("cause", &expect.cause, failure.map(|e| e.cause.as_str())),
    ];
    for (field, want, got) in named {
        let Some(want) = want else { continue };
        match got {
            Some(got) if got == want => {}
            Some("") | None => out.push(format!(
                "{field}: expected {}, got none (the execution is {})",
                quoted(want),
                status.name()
            )),
            Some(got) => out.push(format!("{field}: expected {}, got {}", quoted(want), quoted(got))),
        }
    }
    if let Some(states) = &expect.states {
        let got = exec.states_entered();
        if !got.iter().map(|s| &**s).eq(states.iter().map(String::as_str)) {
            // As JSON, with the first difference: a long Map's lists were printed whole on one
            // line (20 KB for 2,000 iterations: a QA pass).
            let expected = Value::array(states.iter().map(|s| Value::string(s.as_str())).collect());
            let got = Value::array(got.iter().map(|s| Value::String(s.clone())).collect());
            out.push(mismatch("states", "differ", &expected, &got));
        }
    }
    if let Some(s) = expect.virtual_seconds {
        let got = exec.elapsed_ms() as f64 / 1000.0;
        if (got - s).abs() > 1e-9 {
            out.push(format!("virtual_seconds: expected {s}, got {got}"));
        }
    }
    if let Some(t) = expect.billable_transitions {
        let got = exec.cost().billable_transitions;
        if got != t {
            out.push(format!("billable_transitions: expected {t}, got {got}"));
        }
    }
    out
}

/// Runs one case on a compiled machine. `Err` for a case that cannot start (bad stubs).
pub fn run_case(machine: Rc<Machine>, case: &TestCase) -> Result<Execution, FileError> {
    // The machine's name, in its ARNs, as `statelab run` gives it: the case's own
    // `state_machine_name`, else a template's name for it, else (a bare definition has none) the
    // file's `state_machine`, else `StateMachine`. It picks the MockConfigFile's machine of that
    // name (the config's `StateMachine` was used while the case named its machine otherwise, and
    // the ARNs said StateMachine where `run` said the template's name: a QA pass and a review).
    let mut options = case.options.clone();
    if !case.names_machine {
        if let Some(name) = case.definition_machine.as_ref().or(case.state_machine.as_ref()) {
            options.state_machine_name = name.clone();
        }
    }
    let state_machine = crate::stubs::mock_machine(
        &case.stubs,
        Some(&options.state_machine_name),
        case.state_machine.as_deref(),
    );
    let stubs = Stubs::parse(&case.stubs, state_machine, case.mock_test_case.as_deref()).map_err(|e| {
        // What the stubs lack is the field that asked for it.
        let pointer = match e.asked {
            Some(crate::stubs::Asked::TestCase) => child(&case.at, "mock_test_case"),
            Some(crate::stubs::Asked::StateMachine) => "/state_machine".to_string(),
            _ => format!("{}/stubs{}", case.at, e.pointer),
        };
        let hint = if e.asked == Some(crate::stubs::Asked::Unchosen) {
            " (with the test file's 'state_machine')"
        } else {
            ""
        };
        FileError { message: format!("stubs: {}{hint}", e.message), pointer, case: None }
    })?;
    let mut exec = Execution::start(machine, case.input.clone(), Rc::new(stubs), options).map_err(|e| {
        // Which field of the case the run could not start with.
        let field = match e.error.as_str() {
            "Statelab.InvalidStartTime" => Some("start_time"),
            "Statelab.InvalidRegion" => Some("region"),
            crate::error::names::INVALID_DEFINITION => Some("type"),
            "States.DataLimitExceeded" => Some("input"),
            _ => None,
        };
        // (A front end places a missing field at the case that lacks it.)
        let at = field.map_or_else(|| case.at.clone(), |f| child(&case.at, f));
        FileError::new(&at, format!("the execution could not start: {e}"))
    })?;
    exec.run();
    Ok(exec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    /// An output mismatch says where the two differ; a long one only there (a 300-item array
    /// with one item changed printed both arrays whole on one 2.3 KB line: a QA pass).
    #[test]
    fn an_output_mismatch_says_where() {
        let short = output_mismatch(&json!({"a": {"b": 1}}), &json!({"a": {"b": 2}}));
        assert_eq!(
            short,
            r#"output: expected {"a":{"b":1}}, got {"a":{"b":2}} (at /a/b: expected 1, got 2)"#
        );
        assert_eq!(output_mismatch(&json!(1), &json!("1")), r#"output: expected 1, got "1""#);
        let items: Vec<Value> = (0..300).map(Value::from).collect();
        let mut changed = items.clone();
        changed[137] = Value::from(-1);
        let long = output_mismatch(&json!({"items": items.clone()}), &json!({"items": changed}));
        assert_eq!(long, "output differs at /items/137: expected 137, got -1");
        // Lengths differ: the first item that differs, or the first only one has.
        let fewer = output_mismatch(&json!({"items": items.clone()}), &json!({"items": &items[1..]}));
        assert_eq!(fewer, "output differs at /items/0: expected 0, got 1");
        let shorter = output_mismatch(&json!({"items": items.clone()}), &json!({"items": &items[..299]}));
        assert_eq!(shorter, "output differs at /items/299: expected 299 (of 300 items), got nothing");
        let mut longer = items.clone();
        longer[137] = Value::from(5);
        longer.push(Value::from(0));
        let both = output_mismatch(&json!({"items": items.clone()}), &json!({"items": longer}));
        assert_eq!(both, "output differs at /items/137: expected 137, got 5");
        // A long string that differs late shows where (both read "xxxx… (202 bytes)").
        let (x, y) = ("x".repeat(200), format!("{}y", "x".repeat(199)));
        let late = output_mismatch(&json!({"s": x}), &json!({"s": y}));
        assert_eq!(
            late,
            format!(
                "output differs at /s: expected …\"{}\" (from character 180 of 200), got …\"{}y\" (from character 180 of 200)",
                "x".repeat(21),
                "x".repeat(20)
            )
        );
        let extra =
            output_mismatch(&json!({"items": items.clone()}), &json!({"items": items.clone(), "x/y": 1}));
        assert_eq!(extra, "output differs at /x~1y: expected nothing, got 1");
        let missing = output_mismatch(&json!({"items": items.clone(), "x": 1}), &json!({"items": items}));
        assert_eq!(missing, "output differs at /x: expected 1, got nothing");
    }

    /// Where each kind of problem points, so `statelab test` can give its line and column.
    #[test]
    fn problems_point_into_the_file() {
        let ok = || json!({"status": "SUCCEEDED"});
        let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
        // The file's problem, or its first case's.
        let problem = |file: Value| match parse_test_file(&file) {
            Err(e) => Some((e.pointer, e.message)),
            Ok(f) => f.usable_cases().err().map(|e| (e.pointer.clone(), e.message.clone())),
        };
        // (A case must expect something: one that does not says nothing else here.)
        let one = |mut case: Value| {
            if let Some(mut o) = case.as_object_mut().filter(|o| !o.contains_key("expect")) {
                o.insert("expect".into(), ok());
            }
            problem(json!({"definition": def.clone(), "cases": [case]})).map(|(p, _)| p)
        };
        assert_eq!(problem(json!([])), Some(("".into(), "a test file must be a JSON object".into())));
        assert_eq!(problem(json!({"definition": 3})).map(|(p, _)| p).as_deref(), Some("/definition"));
        assert_eq!(
            problem(json!({"definition": def.clone(), "inptu": {}})),
            Some(("/inptu".into(), "unknown field 'inptu' in the test file (did you mean 'input'?)".into()))
        );
        assert_eq!(
            problem(json!({"definition": def.clone(), "input": {}, "cases": [{}]}))
                .map(|(p, _)| p)
                .as_deref(),
            Some("/input")
        );
        assert_eq!(
            problem(json!({"definition": def.clone(), "cases": []})).map(|(p, _)| p).as_deref(),
            Some("/cases")
        );
        assert_eq!(one(json!({"name": "x", "inptu": 1})).as_deref(), Some("/cases/0/inptu"));
        assert_eq!(one(json!({"name": 3})).as_deref(), Some("/cases/0/name"));
        assert_eq!(one(json!({"seed": "x"})).as_deref(), Some("/cases/0/seed"));
        // "unstubbed" is read in any case, as "type" is (a QA note: "Fail" was refused).
        assert_eq!(one(json!({"unstubbed": "Fail", "type": "express"})), None);
        assert_eq!(one(json!({"unstubbed": "never"})).as_deref(), Some("/cases/0/unstubbed"));
        assert_eq!(one(json!({"expect": {"status": "SUCCEDED"}})).as_deref(), Some("/cases/0/expect/status"));
        assert_eq!(one(json!({"expect": {"states": ["A", 2]}})).as_deref(), Some("/cases/0/expect/states/1"));
        assert_eq!(one(json!({"expect": {"outptu": 1}})).as_deref(), Some("/cases/0/expect/outptu"));
        let expectation = |expect: Value| problem(json!({"definition": def.clone(), "expect": expect}));
        assert_eq!(
            expectation(json!({"outptu": 1})),
            Some((
                "/expect/outptu".into(),
                "unknown field 'outptu' in 'expect' (did you mean 'output'?)".into()
            ))
        );
        assert_eq!(
            expectation(json!({"status": 1})),
            Some(("/expect/status".into(), "'expect.status' must be a string".into()))
        );
        assert_eq!(
            problem(json!({"defintion": def.clone()})),
            Some((
                "/defintion".into(),
                "a test file needs a 'definition' (did you mean 'definition' for 'defintion'?)".into()
            ))
        );
        assert_eq!(
            problem(json!({"definition": def.clone(), "note": "x"})),
            Some(("/note".into(), "unknown field 'note' in the test file (did you mean 'notes'?)".into()))
        );
        assert_eq!(one(json!({"state_machine": "A"})).as_deref(), Some("/cases/0/state_machine"));
        // Names a user brings from the run report or the CLI's flags are pointed to ours.
        assert_eq!(
            expectation(json!({"states_entered": ["A"]})).map(|(_, m)| m).as_deref(),
            Some("unknown field 'states_entered' in 'expect' (here it is 'states')")
        );
        assert_eq!(
            problem(json!({"definition": def.clone(), "test_case": "C", "expect": ok()}))
                .map(|(_, m)| m)
                .as_deref(),
            Some("unknown field 'test_case' in the test file (here it is 'mock_test_case')")
        );
        assert_eq!(
            expectation(json!({"status": "failed"})).map(|(_, m)| m).as_deref(),
            Some("'expect.status' must be SUCCEEDED, FAILED, TIMED_OUT or ABORTED, not failed (in capitals: FAILED)")
        );
        // A case that expects nothing passed whatever happened, a failed run too (a QA pass).
        let nothing = problem(json!({"definition": def.clone()})).unwrap();
        assert_eq!(nothing.0, "");
        assert!(nothing.1.starts_with("a case must expect something"), "{}", nothing.1);
        assert_eq!(one(json!({"expect": {}})).as_deref(), Some("/cases/0/expect"));
        assert_eq!(one(json!({"expect": {"notes": "only words"}})).as_deref(), Some("/cases/0/expect"));
        assert_eq!(one(json!({"name": " "})).as_deref(), Some("/cases/0/name"));
        let clash = problem(
            json!({"definition": def.clone(), "cases": [{"expect": ok()}, {"name": "case 1", "expect": ok()}]}),
        );
        assert_eq!(
            clash.map(|(_, m)| m).as_deref(),
            Some("case 1, which has no name, is reported as 'case 1': give this one another name")
        );
        // Notes are words, wherever they are (null, numbers and objects were taken: a QA pass).
        assert_eq!(one(json!({"notes": null})).as_deref(), Some("/cases/0/notes"));
        assert_eq!(one(json!({"expect": {"notes": {"x": 1}}})).as_deref(), Some("/cases/0/expect/notes"));
        assert_eq!(one(json!({"notes": "why this case"})), None);
        // null is not "the default", for text fields as for numbers.
        for field in ["region", "start_time", "mock_test_case", "name", "seed", "max_steps"] {
            assert_eq!(one(json!({ field: null })), Some(format!("/cases/0/{field}")), "{field}");
        }
        // `null` would read as "no error"; it was quietly not checked.
        assert_eq!(
            expectation(json!({"error": null})),
            Some((
                "/expect/error".into(),
                "'expect.error' must be a string (leave it out for it not to be checked)".into()
            ))
        );
        assert_eq!(expectation(json!({"status": null})).map(|(p, _)| p).as_deref(), Some("/expect/status"));
        assert_eq!(expectation(json!({"output": null})), None);
        // The report tells cases apart by name.
        let twice = problem(
            json!({"definition": def.clone(), "cases": [{"name": "a", "expect": ok()}, {"name": "b", "expect": ok()}, {"name": "a", "expect": ok()}]}),
        );
        assert_eq!(
            twice,
            Some(("/cases/2/name".into(), "case 1 is named 'a' too: each case needs its own name".into()))
        );
        assert_eq!(
            problem(json!({"definition": def.clone(), "expect": {"billable_transitions": -1}}))
                .map(|(p, _)| p)
                .as_deref(),
            Some("/expect/billable_transitions")
        );
        // A broken case is that case's error: the cases around it are still read.
        let file = parse_test_file(&json!({"definition": def.clone(), "cases": [
            {"name": "a", "expect": ok()}, {"name": "b", "seed": "x"}, 3, {"name": "a", "expect": ok()}, {"name": "c", "expect": ok()}]}))
        .unwrap();
        let read: Vec<Result<&str, &str>> = file
            .cases
            .iter()
            .map(|c| c.as_ref().map(|c| c.name.as_str()).map_err(|e| e.pointer.as_str()))
            .collect();
        assert_eq!(read, [Ok("a"), Err("/cases/1/seed"), Err("/cases/2"), Err("/cases/3/name"), Ok("c")]);
        assert_eq!(file.cases[2].as_ref().err().and_then(|e| e.case.as_deref()), Some("case 3"));
        // A case's problem names the case, so a file of many says which one.
        let named =
            parse_test_file(&json!({"definition": def.clone(), "cases": [{"name": "n", "type": "X"}]}))
                .unwrap();
        let named = named.usable_cases().unwrap_err();
        assert_eq!((named.pointer.as_str(), named.case.as_deref()), ("/cases/0/type", Some("n")));
        assert_eq!(named.to_string(), "n: 'type' must be STANDARD or EXPRESS, not X at /cases/0/type");
        // In any case, as --type and the JS API take it (lower case was refused here only).
        let lower = parse_test_file(
            &json!({"definition": def.clone(), "cases": [{"name": "n", "type": "express", "expect": ok()}]}),
        )
        .unwrap();
        let lower = lower.usable_cases().unwrap();
        assert_eq!(lower[0].options.workflow_type, WorkflowType::Express);
        // A case that is not an object would otherwise run as an empty case and pass.
        assert_eq!(one(json!("a case")).as_deref(), Some("/cases/0"));
        assert_eq!(one(json!(null)).as_deref(), Some("/cases/0"));
        // A MockConfigFile test case named for stubs that are not a MockConfigFile.
        assert_eq!(
            one(json!({"stubs": {"A": {"Return": 1}}, "mock_test_case": "C"})).as_deref(),
            Some("/cases/0/mock_test_case")
        );
        // A file name as the stubs, which is not read: said so (a QA pass had "it has no
        // StateMachines" of a mock file's name).
        assert_eq!(
            one(json!({"stubs": "m.mock.json", "mock_test_case": "C"})).as_deref(),
            Some("/cases/0/stubs")
        );

        // Stubs that cannot be used are found when the case runs, pointed to inside the case.
        let file = json!({"definition": def.clone(), "cases": [{"expect": ok()}, {"stubs": {"A": {"Retrun": 1}}, "expect": ok()}]});
        let file = parse_test_file(&file).unwrap();
        let machine = Rc::new(crate::compile::compile(&def).0.unwrap());
        let e = run_case(machine, file.cases[1].as_ref().unwrap()).err().unwrap();
        assert_eq!(e.pointer, "/cases/1/stubs/A/Retrun");
        assert!(e.message.starts_with("stubs: Unknown field 'Retrun'"), "{}", e.message);

        // A start time the run cannot have is placed at start_time.
        let late = json!({"definition": def.clone(), "start_time": "9999-12-31T00:00:00Z", "expect": ok()});
        let late = parse_test_file(&late).unwrap();
        let machine = Rc::new(crate::compile::compile(&def).0.unwrap());
        assert_eq!(
            run_case(machine, late.cases[0].as_ref().unwrap()).err().map(|e| e.pointer).as_deref(),
            Some("/start_time")
        );
    }

    /// A MockConfigFile with several machines: the file's `state_machine` picks one.
    #[test]
    fn a_mock_config_with_several_machines_uses_the_named_one() {
        let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": true}}});
        let mock = json!({
            "StateMachines": {
                "Orders": {"TestCases": {"Shipped": {"T": "One"}}},
                "Refunds": {"TestCases": {"Shipped": {"T": "Two"}}}
            },
            "MockedResponses": {"One": {"0": {"Return": 1}}, "Two": {"0": {"Return": 2}}}
        });
        let file = |sm: Option<&str>| {
            let mut f = json!({"definition": def.clone(), "stubs": mock.clone(), "mock_test_case": "Shipped", "expect": {"output": 1}});
            if let (Some(sm), Some(mut o)) = (sm, f.as_object_mut()) {
                o.insert("state_machine".into(), Value::string(sm));
            }
            parse_test_file(&f).unwrap()
        };
        let machine = Rc::new(crate::compile::compile(&def).0.unwrap());
        let run =
            |f: TestFile| run_case(machine.clone(), f.cases[0].as_ref().unwrap()).map(|e| e.status().clone());
        assert_eq!(run(file(Some("Refunds"))), Ok(crate::Status::Succeeded(json!(2))));
        assert_eq!(run(file(Some("Orders"))), Ok(crate::Status::Succeeded(json!(1))));
        // The name the case runs the machine under (its ARNs') is its name in the config too.
        let mut f = json!({"definition": def.clone(), "stubs": mock.clone(), "mock_test_case": "Shipped",
            "state_machine_name": "Refunds", "expect": {"output": 2}});
        assert_eq!(run(parse_test_file(&f).unwrap()), Ok(crate::Status::Succeeded(json!(2))));
        // ... unless 'state_machine' names another.
        if let Some(mut o) = f.as_object_mut() {
            o.insert("state_machine".into(), Value::string("Orders"));
        }
        assert_eq!(run(parse_test_file(&f).unwrap()), Ok(crate::Status::Succeeded(json!(1))));
        let unnamed = run(file(None)).unwrap_err();
        assert!(
            unnamed.message.ends_with("several state machines (Orders, Refunds); say which one (with the test file's 'state_machine')"),
            "{unnamed}"
        );
        // What the config lacks is placed at the field that asked for it, not inside the config.
        assert_eq!(run(file(Some("Zzz"))).unwrap_err().pointer, "/state_machine");
        let mut f = json!({"definition": def.clone(), "stubs": mock.clone(), "mock_test_case": "Nope", "state_machine": "Orders", "expect": {"output": 1}});
        let e =
            run_case(machine.clone(), parse_test_file(&f).unwrap().cases[0].as_ref().unwrap()).unwrap_err();
        assert_eq!(
            (e.pointer.as_str(), e.message.as_str()),
            ("/mock_test_case", "stubs: No test case 'Nope' for 'Orders' (it has: Shipped)")
        );
        if let Some(mut o) = f.as_object_mut() {
            o.insert("mock_test_case".into(), Value::string("Shipped"));
        }
        assert!(run_case(machine.clone(), parse_test_file(&f).unwrap().cases[0].as_ref().unwrap()).is_ok());
    }

    #[test]
    fn an_expected_error_missing_says_how_the_execution_ended() {
        let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
        let machine = Rc::new(crate::compile::compile(&def).0.unwrap());
        let mut exec =
            Execution::start(machine, json!({}), Rc::new(Stubs::empty()), Default::default()).unwrap();
        exec.run();
        let expect = Expect { error: Some("E".into()), cause: Some("a cause".into()), ..Expect::default() };
        assert_eq!(
            check(&exec, &expect),
            [
                "error: expected \"E\", got none (the execution is SUCCEEDED)",
                "cause: expected \"a cause\", got none (the execution is SUCCEEDED)",
            ]
        );
        // A Fail state with no Error or Cause: "" says so, and another cause expected of it is
        // told "got none", as of a run that succeeded.
        let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail"}}});
        let machine = Rc::new(crate::compile::compile(&def).0.unwrap());
        let mut exec =
            Execution::start(machine, json!({}), Rc::new(Stubs::empty()), Default::default()).unwrap();
        exec.run();
        let empty = Expect { error: Some(String::new()), cause: Some(String::new()), ..Expect::default() };
        assert!(check(&exec, &empty).is_empty());
        let expect = Expect { error: Some("E".into()), cause: Some("x".into()), ..Expect::default() };
        assert_eq!(
            check(&exec, &expect),
            [
                "error: expected \"E\", got none (the execution is FAILED)",
                "cause: expected \"x\", got none (the execution is FAILED)",
            ]
        );
    }

    #[test]
    fn a_case_names_its_machine_as_statelab_run_does() {
        // The name in the run's ARNs: the case's own, else a template's (which the front end sets
        // as definition_machine), else the file's state_machine (a bare definition has none),
        // else StateMachine. They said StateMachine where `run` said the template's (a review).
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"n.$": "$$.StateMachine.Name"}, "End": true}}});
        let machine = Rc::new(crate::compile::compile(&def).0.unwrap());
        let name = |file: Value, definition_machine: Option<&str>| {
            let mut f = parse_test_file(&file).unwrap();
            let case = f.cases[0].as_mut().unwrap();
            case.definition_machine = definition_machine.map(str::to_string);
            match run_case(machine.clone(), case).unwrap().status() {
                crate::Status::Succeeded(v) => {
                    v.get("n").and_then(Value::as_str).unwrap_or_default().to_string()
                }
                other => panic!("{other:?}"),
            }
        };
        let ok = json!({"status": "SUCCEEDED"});
        let file = json!({"definition": def.clone(), "expect": ok.clone()});
        assert_eq!(name(file.clone(), None), "StateMachine");
        assert_eq!(name(file, Some("orders-dev")), "orders-dev");
        let file = json!({"definition": def.clone(), "state_machine": "Orders", "expect": ok.clone()});
        assert_eq!(name(file, None), "Orders");
        let file = json!({"definition": def.clone(), "state_machine_name": "Mine", "expect": ok});
        assert_eq!(name(file, Some("orders-dev")), "Mine");
    }

    #[test]
    fn states_and_error_names_mismatch_as_json() {
        // A loop of 300 visits: the two lists differ at one place, shown there only (both were
        // printed whole, on one line: a QA pass); an error name is quoted as a cause is (a
        // trailing space, or "", showed as nothing).
        let def = json!({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 150, "Next": "P"}], "Default": "F"},
            "P": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "C"},
            "F": {"Type": "Fail", "Error": "E ", "Cause": "c"}
        }});
        let machine = Rc::new(crate::compile::compile(&def).0.unwrap());
        let mut exec =
            Execution::start(machine, json!({"n": 0}), Rc::new(Stubs::empty()), Default::default()).unwrap();
        exec.run();
        let mut states: Vec<String> = (0..150).flat_map(|_| ["C".to_string(), "P".to_string()]).collect();
        states.push("C".into());
        states.push("F".into());
        let exact = Expect { states: Some(states.clone()), error: Some("E ".into()), ..Expect::default() };
        assert!(check(&exec, &exact).is_empty());
        states[201] = "Q".into();
        let expect = Expect { states: Some(states), error: Some("E".into()), ..Expect::default() };
        assert_eq!(
            check(&exec, &expect),
            ["error: expected \"E\", got \"E \"", "states differ at /201: expected \"Q\", got \"P\""]
        );
        let short = Expect { states: Some(vec!["C".into(), "F".into()]), ..Expect::default() };
        let said = check(&exec, &short);
        assert_eq!(said.len(), 1);
        assert!(said[0].starts_with("states differ at /1: expected \"F\", got \"P\""), "{said:?}");
    }
}
