//! The playground's session and the pure transitions on it: what is saved, what a run is
//! prepared from, and the edits the UI makes (stub skeletons). No signals here, so it is tested
//! natively.

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use statelab::exec::{Options, Unstubbed, WorkflowType};
use statelab::machine::{Kind, Machine};
use statelab::source::{SourceMap, Span};
use statelab::stubs::{has_machine, Stubs};
use statelab::{Checked, Value};

/// The example a first visit starts with.
pub const DEFAULT_DEFINITION: &str = r#"{
  "Comment": "A Hello World example: a Task whose result is stubbed, then a Choice.",
  "StartAt": "SayHello",
  "States": {
    "SayHello": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": { "FunctionName": "greet", "Payload.$": "$" },
      "ResultSelector": { "greeting.$": "$.Payload.greeting" },
      "ResultPath": "$.result",
      "Next": "IsPolite"
    },
    "IsPolite": {
      "Type": "Choice",
      "Choices": [
        { "Variable": "$.result.greeting", "StringMatches": "Hello*", "Next": "Done" }
      ],
      "Default": "Rude"
    },
    "Rude": { "Type": "Fail", "Error": "Rude", "Cause": "The greeting was not polite." },
    "Done": { "Type": "Succeed" }
  }
}
"#;

/// Input of the first example.
pub const DEFAULT_INPUT: &str = "{\n  \"name\": \"world\"\n}\n";

/// Stubs of the first example.
pub const DEFAULT_STUBS: &str = r#"{
  "SayHello": { "Return": { "StatusCode": 200, "Payload": { "greeting": "Hello, world!" } }, "Duration": 2 }
}
"#;

/// Run settings the user can change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Standard or Express.
    pub workflow_type: WorkflowType,
    /// Region, for ARNs and prices.
    pub region: String,
    /// Virtual start time (RFC 3339).
    pub start_time: String,
    /// Seed for UUIDs, random numbers and jitter.
    pub seed: i64,
    /// Step budget.
    pub max_steps: u64,
    /// Unstubbed tasks fail instead of echoing their input.
    pub strict_stubs: bool,
    /// The machine to run, when the definition text holds several.
    pub state_machine: Option<String>,
    /// The MockConfigFile test case, when the stubs are one.
    pub mock_test_case: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            workflow_type: WorkflowType::Standard,
            region: "us-east-1".into(),
            start_time: "2026-01-01T00:00:00Z".into(),
            seed: 0,
            max_steps: 100_000,
            strict_stubs: false,
            state_machine: None,
            mock_test_case: None,
        }
    }
}

/// Everything the user typed or chose: saved on every change, restored on reload, shared by link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    /// Definition text (JSON, YAML, serverless.yml, CloudFormation).
    pub definition: String,
    /// Execution input (JSON).
    pub input: String,
    /// Stubs (Statelab's format or a MockConfigFile).
    pub stubs: String,
    /// Run settings.
    pub settings: Settings,
    /// State names to stop at.
    pub breakpoints: Vec<String>,
}

impl Session {
    /// Whether an execution started from `self` is one of `other` too: everything but the
    /// breakpoints, which only say where to pause. (Destructured, so a new field must be sorted.)
    pub fn runs_like(&self, other: &Session) -> bool {
        let Session { definition, input, stubs, settings, breakpoints: _ } = self;
        *definition == other.definition
            && *input == other.input
            && *stubs == other.stubs
            && *settings == other.settings
    }

    /// A digest of what [`runs_like`](Self::runs_like) compares: equal for sessions that run
    /// alike (so a saved position in an execution can be matched to the session it belongs to).
    pub fn run_fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let Session { definition, input, stubs, settings, breakpoints: _ } = self;
        // SipHash with fixed keys: the same digest on every page load.
        let mut h = std::hash::DefaultHasher::new();
        (definition, input, stubs).hash(&mut h);
        serde_json::to_string(settings).unwrap_or_default().hash(&mut h);
        h.finish()
    }
}

impl Default for Session {
    fn default() -> Session {
        Session {
            definition: DEFAULT_DEFINITION.into(),
            input: DEFAULT_INPUT.into(),
            stubs: DEFAULT_STUBS.into(),
            settings: Settings::default(),
            breakpoints: Vec::new(),
        }
    }
}

/// A problem in the input or stubs text, located for its editor.
#[derive(Clone, Debug, PartialEq)]
pub struct TextProblem {
    /// Its code in the problems list: `INVALID_JSON` for text that does not parse (YAML too),
    /// `INVALID_STUBS` for stubs that parse but cannot be used, and so on.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Where, when known.
    pub span: Option<Span>,
}

/// The name of the syntax [`statelab::document::load`] reads `text` in (for messages).
fn format_name(text: &str) -> &'static str {
    statelab::document::syntax_of(text).name()
}

/// The stubs text as a value (JSON or YAML), for what reads it without running it (the node
/// panel, the MockConfigFile export, the test-case picker).
pub fn stubs_value(text: &str) -> Result<Value, String> {
    statelab::document::load(text).map(|d| d.value).map_err(|e| e.to_string())
}

/// The stubs text as a MockConfigFile for the machine `name`, with a note to show when something
/// was left out; or why it cannot be: what a run would refuse (a key written twice included) is
/// not exported. No stubs export as a test case with no mocks.
pub fn mock_config_export(text: &str, name: &str) -> Result<(Value, Option<String>), String> {
    let stubs = if statelab::document::is_blank(text) {
        Value::empty_object()
    } else {
        let doc = statelab::document::load(text).map_err(|e| e.to_string())?;
        if let Some((pointer, _, message)) = doc.map.first_duplicate() {
            return Err(format!("{message} at {pointer}"));
        }
        doc.value
    };
    let (config, left_out) = statelab::export::stubs_to_mock_config(&stubs, name, "Default")?;
    Ok((config, left_out.note()))
}

/// The input parsed (JSON or YAML, as `statelab run --input` reads it), or why not.
pub fn parse_input(text: &str) -> Result<Value, TextProblem> {
    read_input(text).map(|(v, _)| v)
}

/// [`parse_input`], with a warning for a key written twice in one object (the input is used
/// anyway, with the later member).
pub fn read_input(text: &str) -> Result<(Value, Option<TextProblem>), TextProblem> {
    if statelab::document::is_blank(text) {
        return Ok((Value::empty_object(), None));
    }
    let doc = statelab::document::load(text).map_err(|e| TextProblem {
        code: "INVALID_JSON",
        message: format!("Input is not valid {}: {}", format_name(text), e.message),
        span: Some(Span { start: e.pos, end: e.pos }),
    })?;
    let warning = doc.map.duplicate_warning().map(|(span, message)| TextProblem {
        code: "DUPLICATE_KEY",
        message,
        span: Some(span),
    });
    Ok((doc.value, warning))
}

/// The stubs parsed (either format, JSON or YAML), or why not, located in the stubs text.
/// `checked` is the definition: its machine picks a MockConfigFile's ([`mock_machine`]).
pub fn parse_stubs(text: &str, settings: &Settings, checked: &Checked) -> Result<Stubs, TextProblem> {
    parse_stubs_located(text, settings, checked).map(|(stubs, _)| stubs)
}

/// The stubs parsed, with the map of their text (none for an empty one), or why not.
fn parse_stubs_located(
    text: &str,
    settings: &Settings,
    checked: &Checked,
) -> Result<(Stubs, Option<SourceMap>), TextProblem> {
    if statelab::document::is_blank(text) {
        return Ok((Stubs::empty(), None));
    }
    let doc = statelab::document::load(text).map_err(|e| TextProblem {
        code: "INVALID_JSON",
        message: format!("Stubs are not valid {}: {}", format_name(text), e.message),
        span: Some(Span { start: e.pos, end: e.pos }),
    })?;
    let map = doc.map;
    // Every key of a stub file counts: of two alike the parser keeps the later, silently.
    if let Some((_, span, message)) = map.first_duplicate() {
        return Err(TextProblem {
            code: "INVALID_STUBS",
            message: format!("Stubs: {message}"),
            span: Some(span),
        });
    }
    let machine = mock_machine(&doc.value, checked, settings);
    let stubs =
        Stubs::parse(&doc.value, machine.as_deref(), settings.mock_test_case.as_deref()).map_err(|e| {
            // Where the choice is made here.
            let hint = if e.asked == Some(statelab::stubs::Asked::Unchosen) {
                " (choose its test case in Settings, under Mock test case)"
            } else {
                ""
            };
            TextProblem {
                code: "INVALID_STUBS",
                message: format!("Stubs: {}{hint}", e.message),
                span: map.locate(&e.pointer).map(|n| n.place()),
            }
        })?;
    Ok((stubs, Some(map)))
}

/// The machine of a MockConfigFile a run reads, by name (`None`: the config's only one): the
/// definition's machine when the config has one of its name, else the one the settings name;
/// except that a definition with no machines to choose from (bare ASL, a template of one)
/// leaves the settings' name to the test-case picker, whose choice is ignored once the config
/// no longer has it (a renamed machine), as nothing else would show or clear it. (The CLI's
/// `--state-machine` wins over the definition's machine when the config has both; the
/// settings' name here is the picker's last choice, which a pasted template's own machine
/// replaces, since the picker then offers only that machine's cases: a review.)
fn mock_machine(config: &Value, checked: &Checked, settings: &Settings) -> Option<String> {
    // The machine's name in the run (a bare definition's is the settings' name), else the name
    // the definition has (`StateMachine` for a bare one).
    let own = checked
        .run_name(settings.state_machine.as_deref())
        .filter(|s| has_machine(config, s))
        .or(checked.selected.as_deref().filter(|s| has_machine(config, s)));
    let asked = settings.state_machine.as_deref().filter(|_| own.is_none());
    let asked = if checked.machines.len() > 1 { asked } else { asked.filter(|n| has_machine(config, n)) };
    statelab::stubs::mock_machine(config, own, asked).map(str::to_string)
}

/// What the test-case picker offers for MockConfigFile stubs.
#[derive(Debug, PartialEq)]
pub struct CasePicker {
    /// `(state machine, test case)` pairs, in file order.
    pub options: Vec<(String, String)>,
    /// The option the run reads, if it is offered: `None` until a machine is chosen in a config
    /// with several, or when the stored choice is not in the config (any more).
    pub current: Option<usize>,
    /// Choosing also picks the config's machine: the definition names no machine of its own.
    pub sets_machine: bool,
    /// The machine the definition decides, when the config has none of its name: no case can
    /// be chosen then, so none is offered.
    pub missing: Option<String>,
}

/// The test-case picker for `config` with the definition `checked` and the `settings` so far.
/// When the definition decides the config's machine (by its name, or a template's choice) only
/// that machine's cases are offered; when it does not (bare ASL), every machine's, so that any
/// can be chosen at any time. The one shown chosen is the one the run reads.
pub fn case_picker(config: &Value, checked: &Checked, settings: &Settings) -> CasePicker {
    let all = statelab::stubs::mock_test_cases(config);
    let machines: Vec<&str> = config
        .get("StateMachines")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys())
        .map(|k| &**k)
        .collect();
    let sets_machine = checked.machines.len() <= 1;
    // The machine the run reads; the config's only one when nothing names one.
    let run = match (mock_machine(config, checked, settings), machines.as_slice()) {
        (Some(m), _) => Some(m),
        (None, [only]) => Some(only.to_string()),
        (None, _) => None,
    };
    let decided = checked.selected.as_deref().is_some_and(|s| has_machine(config, s)) || !sets_machine;
    let missing = run.clone().filter(|m| decided && !has_machine(config, m));
    let options: Vec<(String, String)> = match &run {
        Some(m) if decided => all.into_iter().filter(|(sm, _)| sm == m).collect(),
        _ => all,
    };
    let current = run.and_then(|m| {
        options
            .iter()
            .position(|(sm, case)| *sm == m && settings.mock_test_case.as_ref().is_none_or(|c| c == case))
    });
    CasePicker { options, current, sets_machine, missing }
}

/// The stubs' problems: why they cannot be used (`Err`), or else (with a machine) the stubs a run
/// of it will never use (a key naming no state, a response for a state that is not a Task), each
/// located at its key when it is there. The text is parsed once for both.
pub fn stub_problems(
    text: &str,
    settings: &Settings,
    checked: &Checked,
) -> Result<Vec<TextProblem>, TextProblem> {
    let (stubs, map) = parse_stubs_located(text, settings, checked)?;
    let Some(machine) = checked.machine.as_deref() else { return Ok(Vec::new()) };
    Ok(statelab::stubs::unused_stubs(machine, &stubs)
        .into_iter()
        .map(|(pointer, message)| {
            let span = map.as_ref().and_then(|m| m.locate(&pointer)).map(|n| n.place());
            TextProblem { code: "UNUSED_STUB", message, span }
        })
        .collect())
}

/// With the Express workflow type chosen, the Tasks an Express workflow cannot run (`.sync`,
/// `.waitForTaskToken`, Activities), each located at its `Resource`: the run would refuse to
/// start, so the problems list says so first.
pub fn express_problems(settings: &Settings, checked: &Checked) -> Vec<TextProblem> {
    if settings.workflow_type != WorkflowType::Express {
        return Vec::new();
    }
    // The check located each conflict at its Resource and gave its refusal, in one order; its
    // message's remedy is the CLI's, so the playground words its own.
    checked
        .express_refusals
        .iter()
        .zip(&checked.express_problems)
        .map(|(refusal, located)| TextProblem {
            code: "EXPRESS_UNSUPPORTED",
            message: format!(
                "{refusal}. Choose the Standard workflow type in Settings, or use a request-response Task"
            ),
            span: located.span,
        })
        .collect()
}

/// Run options from the settings.
pub fn options(settings: &Settings) -> Result<Options, String> {
    let start = statelab::time::parse_millis(settings.start_time.trim()).ok_or_else(|| {
        format!(
            "The start time '{}' is not an RFC 3339 timestamp such as 2026-01-01T00:00:00Z",
            settings.start_time
        )
    })?;
    Ok(Options {
        start_time_ms: start,
        seed: settings.seed,
        workflow_type: settings.workflow_type,
        region: settings.region.clone(),
        max_steps: settings.max_steps.max(1),
        unstubbed: if settings.strict_stubs { Unstubbed::Fail } else { Unstubbed::Echo },
        ..Options::default()
    })
}

/// Checks the definition for the machine the settings name. A name the document does not hold
/// is ignored when it holds at most one machine: such a name is left over from a share link
/// (anyone's) or from an earlier document, the machine picker shows only for several machines,
/// and so nothing on the page could clear it; every definition would fail with "no state machine
/// named ...". With several machines the error stands, and the picker offers them.
pub fn check(text: &str, name: Option<&str>) -> Checked {
    let checked = statelab::check(text, name);
    if name.is_some() && checked.selected.is_none() && checked.machines.len() <= 1 {
        return statelab::check(text, None);
    }
    checked
}

/// Everything a run needs, or the first reason it cannot start.
pub struct Prepared {
    /// The compiled machine.
    pub machine: Rc<Machine>,
    /// Execution input.
    pub input: Value,
    /// Stubs.
    pub stubs: Rc<Stubs>,
    /// Options.
    pub options: Options,
}

/// A diagnostic's message, with where to choose the machine when the document holds several
/// (the library says to choose one; the command line names its option, the page its list, which
/// is above the editor, or in the embed view's toolbar).
pub fn with_machine_hint(d: &statelab::Diagnostic) -> String {
    if d.code == statelab::compile::codes::NO_STATE_MACHINE && d.message.ends_with("choose one") {
        format!("{} in the Machine list", d.message)
    } else {
        d.message.clone()
    }
}

/// Prepares a run from the session and the checked definition.
pub fn prepare(session: &Session, checked: &Checked) -> Result<Prepared, String> {
    let machine = checked.machine.clone().ok_or_else(|| {
        let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
        match checked.diagnostics.iter().find(|d| d.is_error()) {
            Some(d) => format!(
                "The definition has {}; the first: {}",
                crate::format::count(errors as u64, "error"),
                with_machine_hint(d)
            ),
            None => "The definition could not be read".to_string(),
        }
    })?;
    let input = parse_input(&session.input).map_err(|p| p.message)?;
    let stubs = parse_stubs(&session.stubs, &session.settings, checked).map_err(|p| p.message)?;
    let mut options = options(&session.settings)?;
    // The machine's name in ARNs, as `statelab run` gives it: a template's name for it, or the
    // one the settings give a bare definition (a share link's --state-machine).
    if let Some(name) = checked.run_name(session.settings.state_machine.as_deref()) {
        options.state_machine_name = name.to_string();
    }
    Ok(Prepared { machine, input, stubs: Rc::new(stubs), options })
}

/// Every state in the order it appears in the text: a Parallel's branches and a Map's
/// processor come right after the state that owns them.
pub fn document_order(machine: &Machine) -> Vec<statelab::machine::StateId> {
    fn walk(m: &Machine, scope: usize, out: &mut Vec<usize>, depth: usize) {
        if depth > 64 {
            return;
        }
        let Some(sc) = m.scopes.get(scope) else { return };
        for &id in &sc.states {
            out.push(id);
            match &m.state(id).kind {
                Kind::Parallel { branches } => {
                    for &b in branches {
                        walk(m, b, out, depth + 1);
                    }
                }
                Kind::Map(spec) => walk(m, spec.processor, out, depth + 1),
                _ => {}
            }
        }
    }
    let mut out = Vec::with_capacity(machine.states.len());
    walk(machine, 0, &mut out, 0);
    out
}

/// The Task states of a machine, in document order.
pub fn task_names(machine: &Machine) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in document_order(machine) {
        let s = machine.state(id);
        if matches!(s.kind, Kind::Task(_)) && !out.iter().any(|n| **n == *s.name) {
            out.push(s.name.to_string());
        }
    }
    out
}

/// Task states without a stub entry.
pub fn unstubbed_tasks(machine: &Machine, stubs_text: &str) -> Vec<String> {
    let present = statelab::document::load(stubs_text).ok().map(|d| d.value);
    task_names(machine)
        .into_iter()
        .filter(|n| {
            !present.as_ref().is_some_and(|v| v.get(n).is_some() || statelab::stubs::is_mock_config(v))
        })
        .collect()
}

/// Adds a `{"Return": {}}` skeleton for each named state missing from the stubs text; keeps what
/// is there. JSON stubs are written again, pretty-printed; YAML ones get the new entries appended,
/// so their layout and comments stay (when appending would not give the intended stubs, as after
/// a flow-style mapping, it says so and changes nothing). Fails, changing nothing, when the stubs
/// are not an object of our format, or write a key twice (which the stubs' own check refuses:
/// writing them again kept the later and dropped the first without a word, a QA pass). Blank
/// stubs with comments are YAML: the entries go after the comments.
pub fn add_stub_skeletons(stubs_text: &str, names: &[String]) -> Result<String, String> {
    let doc = if statelab::document::is_blank(stubs_text) {
        None
    } else {
        let d = statelab::document::load(stubs_text)
            .map_err(|e| format!("Fix the stubs {} first: {e}", format_name(stubs_text)))?;
        if let Some((pointer, _, message)) = d.map.first_duplicate() {
            return Err(format!("Fix the stubs first: {message} (at {pointer})"));
        }
        Some(d)
    };
    let current = doc.as_ref().map_or_else(Value::empty_object, |d| d.value.clone());
    if statelab::stubs::is_mock_config(&current) {
        return Err(
            "The stubs are a Step Functions Local mock config: add responses to its MockedResponses".into()
        );
    }
    let Some(map) = current.as_object() else {
        return Err("The stubs must be an object keyed by state name".into());
    };
    let mut map = map.clone();
    let skeleton = || Value::object_from([("Return", Value::empty_object())]);
    let mut added = Vec::new();
    for n in names {
        if !map.contains_key(n.as_str()) {
            map.insert(n.as_str().into(), skeleton());
            added.push(n);
        }
    }
    let wanted = Value::object(map);
    let yaml =
        doc.as_ref().map_or(!stubs_text.trim().is_empty(), |d| d.format == statelab::document::Format::Yaml);
    if yaml {
        let mut text = stubs_text.trim_end().to_string();
        for n in added {
            // A JSON string is a YAML double-quoted scalar: any state name is a safe key.
            text.push_str(&format!("\n{}:\n  Return: {{}}", Value::string(n.as_str()).to_json()));
        }
        text.push('\n');
        return match statelab::document::load(&text) {
            Ok(d) if d.value == wanted => Ok(text),
            _ => {
                Err("Add the stubs to this YAML by hand (appending entries to it would not give them)".into())
            }
        };
    }
    Ok(wanted.to_json_pretty() + "\n")
}

/// A span's UTF-16 offsets in `text` (what the editor counts in).
pub fn utf16_range(text: &str, span: &Span) -> (usize, usize) {
    let conv = |byte: usize| {
        let mut b = byte.min(text.len());
        while b > 0 && !text.is_char_boundary(b) {
            b -= 1;
        }
        text.get(..b).map_or(0, |s| s.encode_utf16().count())
    };
    let from = conv(span.start.offset);
    let to = conv(span.end.offset).max(from);
    // An empty span (a syntax error at a point) still underlines one character.
    let to = if to == from { (from + 1).min(text.encode_utf16().count()) } else { to };
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_session_runs() {
        let s = Session::default();
        let checked = statelab::check(&s.definition, None);
        assert!(checked.is_ok(), "{:?}", checked.diagnostics);
        let p = prepare(&s, &checked).unwrap();
        let mut e = statelab::Execution::start(p.machine, p.input, p.stubs, p.options).unwrap();
        e.run();
        assert_eq!(e.status().name(), "SUCCEEDED");
    }

    #[test]
    fn a_definition_with_errors_says_how_many_and_the_first() {
        // One error: StartAt names a state that is not there.
        let one = Session { definition: r#"{"StartAt": "A", "States": {}}"#.into(), ..Session::default() };
        let Err(message) = prepare(&one, &statelab::check(&one.definition, None)) else {
            panic!("a broken definition was prepared")
        };
        assert!(message.starts_with("The definition has 1 error; the first: "), "{message}");
        // Two: a field ASL does not have, and a negative Wait.
        let two = Session {
            definition: r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Bogus": 1, "Next": "B"},
                "B": {"Type": "Wait", "Seconds": -1, "End": true}}}"#
                .into(),
            ..Session::default()
        };
        let checked = statelab::check(&two.definition, None);
        assert_eq!(
            checked.diagnostics.iter().filter(|d| d.is_error()).count(),
            2,
            "{:?}",
            checked.diagnostics
        );
        let Err(message) = prepare(&two, &checked) else { panic!("a broken definition was prepared") };
        assert!(message.starts_with("The definition has 2 errors; the first: "), "{message}");
    }

    #[test]
    fn runs_like_ignores_only_breakpoints() {
        let a = Session::default();
        let b = Session { breakpoints: vec!["X".into()], ..a.clone() };
        assert!(a.runs_like(&b));
        assert!(!a.runs_like(&Session { input: "{}".into(), ..a.clone() }));
        let mut settings = a.settings.clone();
        settings.seed += 1;
        assert!(!a.runs_like(&Session { settings: settings.clone(), ..a.clone() }));
        // The fingerprint follows the same comparison.
        assert_eq!(a.run_fingerprint(), b.run_fingerprint());
        assert_ne!(a.run_fingerprint(), Session { input: "{}".into(), ..a.clone() }.run_fingerprint());
        assert_ne!(a.run_fingerprint(), Session { settings, ..a.clone() }.run_fingerprint());
    }

    #[test]
    fn session_survives_json_and_missing_fields() {
        let s = Session::default();
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Session>(&text).unwrap(), s);
        // An older or partial saved session still loads, with defaults filled in.
        let partial: Session = serde_json::from_str(r#"{"definition": "x"}"#).unwrap();
        assert_eq!(partial.definition, "x");
        assert_eq!(partial.settings, Settings::default());
    }

    #[test]
    fn stub_skeletons() {
        let out = add_stub_skeletons("{\"A\": {\"Return\": 1}}", &["A".into(), "B".into()]).unwrap();
        let v = statelab::json::parse(&out).unwrap();
        assert_eq!(v.get("A").unwrap().to_json(), r#"{"Return":1}"#);
        assert_eq!(v.get("B").unwrap().to_json(), r#"{"Return":{}}"#);
        assert!(add_stub_skeletons("[1]", &["A".into()]).is_err());
        assert!(add_stub_skeletons("{", &["A".into()]).is_err());
        assert_eq!(
            add_stub_skeletons("", &["A".into()]).unwrap(),
            "{\n  \"A\": {\n    \"Return\": {}\n  }\n}\n"
        );
    }

    #[test]
    fn input_and_stubs_may_be_yaml_as_on_the_command_line() {
        // What `statelab run --input/--stubs` reads, and so what `statelab share` puts in a link.
        assert_eq!(
            parse_input("order: 7\nitems: [a, b]\n").unwrap().to_json(),
            r#"{"order":7,"items":["a","b"]}"#
        );
        let stubs = "# the lambda\nConvert:\n  Return: {ok: true}\n";
        assert!(parse_stubs(stubs, &Settings::default(), &Checked::default()).is_ok());
        let c = statelab::check(DEFAULT_DEFINITION, None);
        let m = c.machine.unwrap_or_else(|| panic!("{:?}", c.diagnostics));
        assert_eq!(unstubbed_tasks(&m, "SayHello:\n  Return: 1\n"), Vec::<String>::new());
        // Errors name the format the text was read as, at the place.
        let p = parse_input("a: [1\n").unwrap_err();
        assert!(p.message.starts_with("Input is not valid YAML"), "{}", p.message);
        let p = parse_stubs("{\n  \"A\": ,\n}", &Settings::default(), &Checked::default()).unwrap_err();
        assert!(p.message.starts_with("Stubs are not valid JSON"), "{}", p.message);
        assert_eq!((p.code, p.span.unwrap().start.line), ("INVALID_JSON", 2));
    }

    #[test]
    fn stub_skeletons_are_appended_to_yaml_stubs_keeping_them() {
        let yaml = "# mine\nA:\n  Return: 1   # kept\n\n";
        let out = add_stub_skeletons(yaml, &["A".into(), "B: odd".into()]).unwrap();
        assert!(out.starts_with("# mine\nA:\n  Return: 1   # kept\n"), "{out}");
        let v = statelab::document::load(&out).unwrap().value;
        assert_eq!(v.to_json(), r#"{"A":{"Return":1},"B: odd":{"Return":{}}}"#);
        // Appending to a flow mapping would not give the stubs: refused, nothing changed.
        assert!(add_stub_skeletons("{A: {Return: 1}}", &["B".into()]).is_err());
        assert!(add_stub_skeletons("- 1\n", &["B".into()]).is_err());
    }

    #[test]
    fn stub_skeletons_refuse_stubs_with_a_key_written_twice() {
        // Written again, the stubs kept the later 'A' and dropped the first without a word (a QA
        // pass); the stubs' own check refuses them, and so do the skeletons.
        let twice = "{\"A\": {\"Return\": \"first\"}, \"A\": {\"Return\": \"second\"}}";
        let e = add_stub_skeletons(twice, &["B".into()]).unwrap_err();
        assert!(e.contains("'A' appears twice"), "{e}");
        let e = add_stub_skeletons("A:\n  Return: 1\nA:\n  Return: 2\n", &["B".into()]).unwrap_err();
        assert!(e.contains("'A' appears twice"), "{e}");
    }

    #[test]
    fn stubs_and_input_of_only_comments_are_empty() {
        // As an empty editor: a commented-out file was "expected a YAML document" (a QA pass).
        let commented = "# stubs for my machine\n  # none yet\n\n";
        let blank = statelab::document::is_blank;
        assert!(blank(commented) && blank("") && blank(" \n") && !blank("# a\nA: 1"));
        assert!(parse_stubs(commented, &Settings::default(), &Checked::default()).is_ok());
        assert_eq!(parse_input(commented).unwrap().to_json(), "{}");
        // The entries go after the comments, which stay.
        let out = add_stub_skeletons(commented, &["A".into()]).unwrap();
        assert!(out.starts_with("# stubs for my machine\n"), "{out}");
        assert_eq!(statelab::document::load(&out).unwrap().value.to_json(), r#"{"A":{"Return":{}}}"#);
    }

    #[test]
    fn problems_are_located() {
        let p = parse_input("{\n  \"a\": ,\n}").unwrap_err();
        assert_eq!(p.span.unwrap().start.line, 2);
        // A key written twice in the input is used with the later member, and said (it passed
        // silently: a QA pass).
        let (v, warning) = read_input("{\"a\": 1,\n \"a\": 2}").unwrap();
        assert_eq!(v.to_json(), r#"{"a":2}"#);
        let w = warning.unwrap();
        assert_eq!((w.code, w.span.unwrap().start.line), ("DUPLICATE_KEY", 2));
        assert!(w.message.starts_with("'a' appears twice"), "{}", w.message);
        assert!(read_input("{\"a\": 1}").unwrap().1.is_none());
        let p = parse_stubs("{\n  \"A\": {\"Retrun\": 1}\n}", &Settings::default(), &Checked::default())
            .unwrap_err();
        // Stubs that parse but cannot be used are not called invalid JSON.
        assert_eq!((p.code, p.span.unwrap().start.line), ("INVALID_STUBS", 2));
        // Of two stubs for one state the parser keeps the later: refused at it, not ignored.
        let p = parse_stubs(
            "{\"A\": {\"Return\": 1},\n \"A\": {\"Return\": 2}}",
            &Settings::default(),
            &Checked::default(),
        )
        .unwrap_err();
        assert!(p.message.contains("'A' appears twice"), "{}", p.message);
        assert_eq!(p.span.map(|s| (s.start.line, s.start.column)), Some((2, 2)));
        assert!(options(&Settings { start_time: "yesterday".into(), ..Settings::default() }).is_err());
    }

    /// The export refuses what a run would (a key written twice was exported as its last
    /// value), exports no stubs as an empty test case, and says when Durations are left out.
    #[test]
    fn mock_config_export_keeps_nothing_back_silently() {
        let e = mock_config_export("{\"T\": {\"Return\": 1}, \"T\": {\"Return\": 2}}", "M").unwrap_err();
        assert!(e.contains("'T' appears twice"), "{e}");
        let (empty, note) = mock_config_export("  ", "M").unwrap();
        assert_eq!(
            empty.to_json(),
            r#"{"StateMachines":{"M":{"TestCases":{"Default":{}}}},"MockedResponses":{}}"#
        );
        assert_eq!(note, None);
        let (_, note) =
            mock_config_export("{\"T\": [{\"Return\": 1}, {\"Return\": 2, \"Duration\": 3}]}", "M").unwrap();
        assert!(note.is_some_and(|n| n.contains("Durations")));
        assert_eq!(mock_config_export("{\"T\": {\"Return\": 1}}", "M").map(|(_, n)| n), Ok(None));
    }

    #[test]
    fn unused_stubs_are_located_at_their_key() {
        let c = statelab::check(DEFAULT_DEFINITION, None);
        assert!(c.is_ok(), "{:?}", c.diagnostics);
        let text = "{\n  \"HelloWrold\": {\"Return\": 1}\n}";
        let p = stub_problems(text, &Settings::default(), &c).unwrap_or_default();
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("No state is named 'HelloWrold'"), "{}", p[0].message);
        let span = p[0].span.unwrap();
        assert_eq!((span.start.line, span.start.column), (2, 3));
        // In a MockConfigFile, at the key in the test case the run uses.
        let mock = "{\"StateMachines\": {\"SM\": {\"TestCases\": {\"Happy\": {\n  \"HelloWrold\": \"Ok\"}}}},\n \"MockedResponses\": {\"Ok\": {\"0\": {\"Return\": 1}}}}";
        let p = stub_problems(mock, &Settings::default(), &c).unwrap_or_default();
        assert_eq!(p.len(), 1, "{p:?}");
        let span = p[0].span.unwrap();
        assert_eq!((span.start.line, span.start.column), (2, 3));
        // Stubs that do not parse have their own error; nothing more is said.
        assert!(stub_problems("{", &Settings::default(), &c).is_err());
        assert_eq!(stub_problems(DEFAULT_STUBS, &Settings::default(), &c).map(|p| p.len()), Ok(0));
        // Every example's stubs are all used.
        for ex in crate::gallery::examples() {
            let s = &ex.session;
            let c = check(&s.definition, s.settings.state_machine.as_deref());
            if c.machine.is_none() {
                continue;
            }
            let p = stub_problems(&s.stubs, &s.settings, &c).unwrap_or_default();
            assert!(p.is_empty(), "{}: {p:?}", ex.id);
        }
    }

    #[test]
    fn express_problems_name_and_locate_the_task() {
        let text = "{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\",\n  \"Resource\": \"arn:aws:states:::lambda:invoke.waitForTaskToken\", \"End\": true}}}";
        let c = check(text, None);
        assert!(c.machine.is_some(), "{:?}", c.diagnostics);
        assert!(express_problems(&Settings::default(), &c).is_empty());
        let express = Settings { workflow_type: WorkflowType::Express, ..Settings::default() };
        let p = express_problems(&express, &c);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.starts_with("State 'T' cannot run in an Express workflow"), "{}", p[0].message);
        assert_eq!(p[0].span.map(|s| s.start.line), Some(2));
        // Beside another error, which leaves no machine, it is still listed (it was not).
        let broken = text.replace("\"End\": true", "\"Next\": \"Nope\"");
        let c = check(&broken, None);
        assert!(c.machine.is_none());
        let p = express_problems(&express, &c);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].message.contains("Choose the Standard workflow type in Settings"), "{}", p[0].message);
        assert_eq!(p[0].span.map(|s| s.start.line), Some(2));
    }

    /// A MockConfigFile of two machines: A with cases Happy and Sad, B with Happy.
    fn two_machine_config() -> Value {
        statelab::json::parse(
            r#"{"StateMachines": {"A": {"TestCases": {"Happy": {}, "Sad": {}}}, "B": {"TestCases": {"Happy": {}}}},
                "MockedResponses": {}}"#,
        )
        .unwrap()
    }

    /// A bare definition is named by the settings' machine, as `statelab run --state-machine`
    /// names it (a share link of that run ran as StateMachine here: a review); a template's
    /// machine keeps its own name.
    #[test]
    fn a_bare_definition_is_named_by_the_settings() {
        let bare = r#"{"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}"#;
        let named = |definition: &str, machine: Option<&str>| {
            let session = Session {
                definition: definition.into(),
                settings: Settings { state_machine: machine.map(str::to_string), ..Settings::default() },
                ..Session::default()
            };
            let checked = check(&session.definition, machine);
            prepare(&session, &checked).map(|p| p.options.state_machine_name).unwrap_or_default()
        };
        assert_eq!(named(bare, Some("Orders")), "Orders");
        assert_eq!(named(bare, None), "StateMachine");
        let one = "stepFunctions:\n  stateMachines:\n    a:\n      name: A\n      definition: {StartAt: S, States: {S: {Type: Succeed}}}\n";
        assert_eq!(named(one, Some("Other")), "A");
    }

    /// A pasted template of one machine the config has reads that machine's cases, whatever the
    /// picker chose before (the CLI's rule, an explicit name first, took the picker's old B: a
    /// review).
    #[test]
    fn a_template_machine_the_config_has_wins_over_the_pickers_last_choice() {
        let config = two_machine_config();
        let one = "stepFunctions:\n  stateMachines:\n    a:\n      name: A\n      definition: {StartAt: S, States: {S: {Type: Succeed}}}\n";
        let t = check(one, None);
        let settings = Settings { state_machine: Some("B".into()), ..Settings::default() };
        assert_eq!(mock_machine(&config, &t, &settings).as_deref(), Some("A"));
        let p = case_picker(&config, &t, &settings);
        assert_eq!(p.options.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(), ["A", "A"]);
    }

    /// The picker shows chosen the case the run reads (none while it reads none). With a bare
    /// definition it offers every machine's cases, and choosing one picks its machine too; when
    /// the definition decides the machine, only that machine's.
    #[test]
    fn the_case_picker_follows_the_machine_the_run_reads() {
        let config = two_machine_config();
        let text = config.to_string();
        let pairs = |p: &CasePicker| p.options.iter().map(|(m, c)| format!("{m}/{c}")).collect::<Vec<_>>();
        let every: Vec<String> = vec!["A/Happy".into(), "A/Sad".into(), "B/Happy".into()];
        let bare = check(r#"{"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}"#, None);
        let mut settings = Settings::default();
        // Two machines and none named: every case, none chosen (the run says to pick one).
        let p = case_picker(&config, &bare, &settings);
        assert_eq!((pairs(&p), p.current, p.sets_machine), (every.clone(), None, true));
        assert!(parse_stubs(&text, &settings, &bare).is_err());
        // B chosen: still every case (A may be chosen again), B's first shown as the one read.
        settings.state_machine = Some("B".into());
        let p = case_picker(&config, &bare, &settings);
        assert_eq!((pairs(&p), p.current), (every, Some(2)));
        assert!(parse_stubs(&text, &settings, &bare).is_ok());
        // A stale case is not shown as chosen.
        settings.state_machine = Some("A".into());
        settings.mock_test_case = Some("Gone".into());
        assert_eq!(case_picker(&config, &bare, &settings).current, None);
        settings.mock_test_case = Some("Sad".into());
        assert_eq!(case_picker(&config, &bare, &settings).current, Some(1));
        // The chosen machine renamed away: the choice no longer counts (nothing would show or
        // clear it); with one machine left, that one is read, and shown.
        let renamed = statelab::json::parse(
            r#"{"StateMachines": {"N": {"TestCases": {"Happy": {}, "Sad": {}}}}, "MockedResponses": {}}"#,
        )
        .unwrap();
        assert_eq!(case_picker(&renamed, &bare, &settings).current, Some(1));
        assert!(parse_stubs(&renamed.to_string(), &settings, &bare).is_ok());
        // A template's machine picks the config's by its name, whatever was asked.
        let two = "stepFunctions:\n  stateMachines:\n    a:\n      name: B\n      definition: {StartAt: S, States: {S: {Type: Succeed}}}\n    c:\n      definition: {StartAt: S, States: {S: {Type: Succeed}}}\n";
        let t = check(two, Some("a"));
        assert_eq!(t.selected.as_deref(), Some("B"), "{:?}", t.diagnostics);
        settings.state_machine = Some("a".into());
        let p = case_picker(&config, &t, &settings);
        assert_eq!((pairs(&p), p.current, p.sets_machine), (vec!["B/Happy".into()], None, false));
        settings.mock_test_case = None;
        assert_eq!(case_picker(&config, &t, &settings).current, Some(0));
        // A template machine the config lacks: the run refuses, and no case is offered (choosing
        // one of another machine's changed nothing the run reads), the picker says why.
        let t = check(two, Some("c"));
        settings.state_machine = Some("c".into());
        let p = case_picker(&config, &t, &settings);
        assert_eq!((pairs(&p), p.current, p.missing.as_deref()), (Vec::new(), None, Some("c")));
        assert_eq!(case_picker(&config, &bare, &settings).missing, None);
        assert!(parse_stubs(&text, &settings, &t).is_err());
    }

    #[test]
    fn utf16_offsets() {
        let text = "é😀x";
        let span = Span {
            start: statelab::source::Pos { offset: 6, line: 1, column: 3 },
            end: statelab::source::Pos { offset: 7, line: 1, column: 4 },
        };
        assert_eq!(utf16_range(text, &span), (3, 4));
    }
}

/// The session as a share link carries it (defaults left out).
pub fn to_shared(s: &Session) -> statelab::share::Session {
    let d = Settings::default();
    let t = &s.settings;
    statelab::share::Session {
        definition: s.definition.clone(),
        input: s.input.clone(),
        stubs: s.stubs.clone(),
        options: statelab::share::SessionOptions {
            workflow_type: (t.workflow_type != d.workflow_type).then_some(t.workflow_type),
            region: (t.region != d.region).then(|| t.region.clone()),
            start_time: (t.start_time != d.start_time).then(|| t.start_time.clone()),
            seed: (t.seed != d.seed).then_some(t.seed),
            max_steps: (t.max_steps != d.max_steps).then_some(t.max_steps),
            state_machine: t.state_machine.clone(),
            mock_test_case: t.mock_test_case.clone(),
            strict_stubs: t.strict_stubs,
        },
        breakpoints: s.breakpoints.clone(),
    }
}

/// A session from a share link (absent options take the playground's defaults).
pub fn from_shared(s: statelab::share::Session) -> Session {
    let d = Settings::default();
    let o = s.options;
    Session {
        definition: s.definition,
        input: s.input,
        stubs: s.stubs,
        settings: Settings {
            workflow_type: o.workflow_type.unwrap_or(d.workflow_type),
            region: o.region.unwrap_or(d.region),
            start_time: o.start_time.unwrap_or(d.start_time),
            seed: o.seed.unwrap_or(d.seed),
            max_steps: o.max_steps.unwrap_or(d.max_steps),
            strict_stubs: o.strict_stubs,
            state_machine: o.state_machine,
            mock_test_case: o.mock_test_case,
        },
        breakpoints: s.breakpoints,
    }
}

#[cfg(test)]
mod share_tests {
    use super::*;

    #[test]
    fn a_machine_name_the_document_lacks_is_ignored_unless_there_is_a_choice() {
        let bare = r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#;
        let c = check(bare, Some("<b>from a link</b>"));
        assert!(c.is_ok(), "{:?}", c.diagnostics);
        let two = "stepFunctions:\n  stateMachines:\n    one:\n      definition: {StartAt: A, States: {A: {Type: Succeed}}}\n    two:\n      definition: {StartAt: B, States: {B: {Type: Succeed}}}\n";
        let c = check(two, Some("three"));
        assert!(!c.is_ok());
        assert_eq!(c.machines.len(), 2);
        assert!(check(two, Some("two")).is_ok());
    }

    #[test]
    fn sessions_survive_a_link() {
        let mut s = Session::default();
        s.settings.seed = 7;
        s.settings.workflow_type = WorkflowType::Express;
        s.breakpoints = vec!["IsPolite".into()];
        let link = statelab::share::link("http://x/", &to_shared(&s));
        assert_eq!(from_shared(statelab::share::decode(&link).unwrap()), s);
        // The default session leaves every option out of the link.
        assert!(to_shared(&Session::default()).options.is_default());
    }
}
