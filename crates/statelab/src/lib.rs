//! Statelab: an Amazon States Language interpreter that runs on a virtual clock.
//!
//! Text goes through four phases: [`parse`](crate::json) (text → values with positions),
//! validate and compile (every rule checked, names turned into indices, sub-languages parsed
//! once), and execute (a deterministic scheduler on simulated time). Effects are injected:
//! Task results come from stubs, time from the virtual clock, randomness from a seeded RNG.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

pub mod choice;
pub mod compile;
pub mod cost;
pub mod diagnostic;
pub mod digest;
pub mod document;
pub mod error;
pub mod eval;
pub mod exec;
pub mod export;
pub mod history;
pub mod intrinsics;
pub mod json;
pub mod jsonata;
pub mod machine;
pub mod origins;
pub mod path;
pub mod report;
pub mod rng;
pub mod share;
pub mod source;
pub mod stubs;
pub mod template;
pub mod testing;
pub mod text;
pub mod time;
pub mod value;
pub mod yaml;

pub use value::{Map, Number, Value};

pub use diagnostic::{Diagnostic, Severity};
pub use error::StatesError;
pub use exec::{Execution, Options, Status};
pub use machine::Machine;
pub use stubs::Stubs;

use std::rc::Rc;

use document::{Format, Kind};

/// The largest definition AWS accepts: 1 MB (its compact JSON).
pub const MAX_DEFINITION_BYTES: usize = 1_048_576;
/// The largest document (a template may hold more than the definition) Statelab reads: 8 MB.
pub const MAX_DOCUMENT_BYTES: usize = 8 * 1_048_576;

/// A definition read from text and checked: everything a front end shows before running.
#[derive(Debug, Default)]
pub struct Checked {
    /// JSON or YAML, once the text parsed.
    pub format: Option<Format>,
    /// What the text is (a bare definition, a serverless.yml, a template).
    pub kind: Option<Kind>,
    /// Every state machine the document holds, by name (a picker shows them when there are
    /// several).
    pub machines: Vec<String>,
    /// What picks each of [`Checked::machines`] as the `name` of [`check_named`]: its name, or
    /// its key (logical ID, serverless key) when another machine has the same name.
    pub machine_picks: Vec<String>,
    /// The one checked.
    pub selected: Option<String>,
    /// Its entry of [`Checked::machine_picks`].
    pub selected_pick: Option<String>,
    /// The definition as ASL (extracted from its template, placeholders made opaque).
    pub definition: Option<Value>,
    /// The compiled machine, when there is no error.
    pub machine: Option<Rc<Machine>>,
    /// Every problem, located in the text.
    pub diagnostics: Vec<Diagnostic>,
    /// The workflow type the document declares for the machine checked (a template's
    /// `StateMachineType`, SAM's `Type`, serverless's `type`): a run takes it unless told another.
    pub workflow_type: Option<exec::WorkflowType>,
    /// The Tasks an Express workflow cannot run (`.sync`, `.waitForTaskToken`, Activities), as
    /// errors located at their `Resource`: [`Checked::for_workflow`] adds them when the run is
    /// Express.
    pub express_problems: Vec<Diagnostic>,
    /// For each of [`Checked::express_problems`], in its order, the refusal without the
    /// remedy ("State 'T' cannot run in an Express workflow: why"), for a caller that words its
    /// own remedy (the playground names its Settings).
    pub express_refusals: Vec<String>,
    /// Warnings for an Express run: the Waits that outlast Express's five minutes (a Standard
    /// check warns only of those that outlast a year or the machine's `TimeoutSeconds`).
    pub express_warnings: Vec<Diagnostic>,
}

impl Checked {
    /// `true` when there is no error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.machine.is_some() && !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The name a run gives the machine checked (in ARNs and `$$.StateMachine.Name`, and the one
    /// a MockConfigFile's machine goes by): a template's or serverless.yml's name for it; a bare
    /// definition has none of its own, so the one `asked` for (`--state-machine`) names it, else
    /// `StateMachine`.
    pub fn run_name<'a>(&'a self, asked: Option<&'a str>) -> Option<&'a str> {
        match self.kind {
            Some(document::Kind::Bare) => asked.or(self.selected.as_deref()),
            _ => self.selected.as_deref(),
        }
    }

    /// The check for a run of `workflow_type`, else of the type the document declares, else
    /// Standard (as ValidateStateMachineDefinition's `type`): AWS refuses an Express machine
    /// with a Task an Express workflow cannot run, so for Express those Tasks are errors and the
    /// machine is withheld.
    pub fn for_workflow(mut self, workflow_type: Option<exec::WorkflowType>) -> Checked {
        if workflow_type.or(self.workflow_type) == Some(exec::WorkflowType::Express)
            && !self.express_problems.is_empty()
        {
            self.diagnostics.append(&mut self.express_problems);
            // Still in the order of the text.
            self.diagnostics.sort_by_key(|d| d.span.map(|s| s.start.offset));
            self.machine = None;
        }
        if workflow_type.or(self.workflow_type) == Some(exec::WorkflowType::Express) {
            self.diagnostics = self.express_diagnostics();
            self.express_warnings.clear();
        }
        self
    }

    /// [`Checked::diagnostics`] for an Express run, in the order of the text: the
    /// [`Checked::express_warnings`] in place of what the Standard check said of the same Waits
    /// (a year, a `TimeoutSeconds` over five minutes), which the shorter limit overtakes.
    pub fn express_diagnostics(&self) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self
            .diagnostics
            .iter()
            .filter(|d| {
                !(d.message.starts_with(compile::WAIT_OUTLASTS)
                    && self.express_warnings.iter().any(|w| w.location == d.location))
            })
            .cloned()
            .collect();
        out.extend(self.express_warnings.iter().cloned());
        out.sort_by_key(|d| d.span.map(|s| s.start.offset));
        out
    }
}

/// [`check`] with the machine a user named (the CLI's `--state-machine`, the JS API's
/// `stateMachine`): the name picks among a document's machines. A bare definition has none to
/// pick, and a template of one has nothing to choose when `config` (a MockConfigFile) has a
/// machine of that name: the name is then the config's, and is left to it
/// ([`stubs::mock_machine`]).
pub fn check_named(text: &str, name: Option<&str>, config: Option<&Value>) -> Checked {
    check_named_reading(text, name, config, &document::no_files)
}

/// [`check_named`], reading the definitions that templates keep in files of their own (SAM's
/// `DefinitionUri`, serverless's `${file(...)}`) with `read`, as the CLI does.
pub fn check_named_reading(
    text: &str,
    name: Option<&str>,
    config: Option<&Value>,
    read: document::ReadFile<'_>,
) -> Checked {
    let config_has = |n: &str| config.is_some_and(|c| stubs::is_mock_config(c) && stubs::has_machine(c, n));
    check_document(text, name, read, &|all, n| match all {
        [] => true,
        [only] => only.kind == Kind::Bare || config_has(n),
        _ => false,
    })
}

/// Reads a definition from text (ASL JSON or YAML, a serverless.yml, a CloudFormation/SAM
/// template), picks the machine (`name`, or the only one), validates and compiles it. Never
/// panics; every problem is a located diagnostic.
pub fn check(text: &str, name: Option<&str>) -> Checked {
    check_reading(text, name, &document::no_files)
}

/// [`check`], reading the definitions that templates keep in files of their own with `read`.
pub fn check_reading(text: &str, name: Option<&str>, read: document::ReadFile<'_>) -> Checked {
    check_document(text, name, read, &|_, _| false)
}

/// A name that picks none of a document's machines (given them), which is not meant for the
/// document: the document is then checked as if no name were given.
type NameMeantElsewhere<'a> = &'a dyn Fn(&[document::EmbeddedMachine], &str) -> bool;

/// [`check_reading`], and [`check_named_reading`] with its rule for a name meant elsewhere. The
/// document is loaded, and its files read, once: the rule is applied to the machines found.
fn check_document(
    text: &str,
    name: Option<&str>,
    read: document::ReadFile<'_>,
    meant_elsewhere: NameMeantElsewhere<'_>,
) -> Checked {
    let mut out = Checked::default();
    if text.len() > MAX_DOCUMENT_BYTES {
        out.diagnostics.push(Diagnostic::error(
            compile::codes::SCHEMA,
            format!(
                "The text is {} bytes; Statelab reads documents of up to {MAX_DOCUMENT_BYTES} bytes (8 MiB). \
                 Paste only the state machine, not the whole template or file around it",
                text.len()
            ),
            None,
        ));
        return out;
    }
    if text.is_empty() {
        out.diagnostics.push(Diagnostic::error(
            compile::codes::MISSING_DESCRIPTION,
            "The definition is empty",
            None,
        ));
        return out;
    }
    if text.trim().is_empty() {
        // AWS's answer for a definition of blanks (LocalStack records it).
        out.diagnostics.push(Diagnostic::error(
            compile::codes::SCHEMA,
            "Definition must be a valid JSON object",
            None,
        ));
        return out;
    }
    // A stray character typed before a JSON definition's `{` makes one YAML string of it all,
    // which no definition is: when what follows is JSON, that is the syntax error, placed at the
    // stray text (it said "Definition must be a valid JSON object": a QA pass).
    let loaded = document::load(text).and_then(|doc| {
        let scalar = !matches!(doc.value, Value::Object(_) | Value::Array(_));
        scalar.then(|| document::text_before_json(text)).flatten().map_or(Ok(doc), Err)
    });
    let doc = match loaded {
        Ok(d) => d,
        Err(e) => {
            let mut d = Diagnostic::error(compile::codes::INVALID_JSON_DESCRIPTION, e.message, None);
            d.span = Some(source::Span { start: e.pos, end: e.pos });
            out.diagnostics.push(d);
            return out;
        }
    };
    out.format = Some(doc.format);
    // Found once: a template's machines may be read from files.
    let all = document::machines_reading(&doc, read);
    out.machines = all.iter().map(|m| m.name.clone()).collect();
    out.machine_picks = all
        .iter()
        .map(|m| match m.key() {
            Some(key) if out.machines.iter().filter(|n| **n == m.name).count() > 1 => key,
            _ => m.name.clone(),
        })
        .collect();
    let mut chosen = document::choose_index(&all, name);
    let name = match name {
        Some(n) if chosen.is_err() && meant_elsewhere(&all, n) => {
            chosen = document::choose_index(&all, None);
            None
        }
        other => other,
    };
    if let Ok(i) = chosen {
        out.selected_pick = out.machine_picks.get(i).cloned();
    }
    let embedded =
        match chosen.and_then(|i| all.into_iter().nth(i).ok_or_else(|| document::NO_MACHINE.to_string())) {
            Ok(m) => m,
            // Text that is no template and holds no machine is taken for a broken definition, so
            // that it gets AWS's diagnostics (`These fields are required: [States, StartAt]`,
            // `Definition must be a valid JSON object`) rather than "no state machine found".
            Err(_) if name.is_none() && out.machines.is_empty() && !looks_like_template(&doc.value) => {
                document::EmbeddedMachine::bare(&doc)
            }
            Err(e) => {
                out.diagnostics.push(Diagnostic::error(compile::codes::NO_STATE_MACHINE, e, None));
                return out;
            }
        };
    out.kind = Some(embedded.kind);
    out.selected = Some(embedded.name.clone());
    out.workflow_type = embedded.workflow_type;
    if let Some(message) = embedded.error_message() {
        // A definition string that is not JSON is located at the fault, in the template; a
        // definition that cannot be read at all (in a separate file, computed at deploy time) at
        // its field.
        let (code, span) = match &embedded.error_at {
            Some(at) => {
                (compile::codes::INVALID_JSON_DESCRIPTION, Some(doc.map.lines().span(at.start, at.end)))
            }
            None => (compile::codes::NO_STATE_MACHINE, doc.map.locate(&embedded.pointer).map(|n| n.value)),
        };
        let mut d = Diagnostic::error(code, message, None);
        d.span = span;
        out.diagnostics.push(d);
        return out;
    }
    let def = embedded.definition.clone();
    if def.json_len() > MAX_DEFINITION_BYTES {
        out.diagnostics.push(Diagnostic::error(
            compile::codes::SCHEMA,
            format!(
                "The definition is {} bytes; AWS accepts definitions of up to {MAX_DEFINITION_BYTES} bytes (1 MB), \
                 a quota that cannot be raised. Split the workflow into state machines that start one another, \
                 or move large constants (Result, Parameters) into the input or a store such as S3",
                def.json_len()
            ),
            None,
        ));
        out.definition = Some(def);
        return out;
    }
    let (machine, mut diags) = compile::compile(&def);
    // Duplicate keys never reach the compiler (the later one wins in the value): report them.
    let dup_map = embedded.map.as_ref().unwrap_or(&doc.map);
    let prefix = if embedded.map.is_some() { "" } else { embedded.pointer.as_str() };
    for (ptr, span) in &dup_map.duplicate_keys {
        // Only keys inside the definition (a prefix ending at a token boundary: the template's
        // `DefinitionSubstitutions` is not inside its `Definition`), or the definition's own key
        // written twice. Elsewhere in a template they are not the definition's business.
        let Some(rel) = ptr.strip_prefix(prefix).filter(|r| r.is_empty() || r.starts_with('/')) else {
            continue;
        };
        let (parent, key) = if rel.is_empty() {
            ("", ptr.rsplit_once('/').map_or(ptr.as_str(), |(_, k)| k))
        } else {
            rel.rsplit_once('/').unwrap_or(("", rel))
        };
        let key = source::unescape_token(key);
        let location = Some(if rel.is_empty() { "/".to_string() } else { rel.to_string() });
        let mut d = if parent.ends_with("/States") || parent == "/States" {
            Diagnostic::error(
                compile::codes::DUPLICATE_STATE_NAME,
                format!("Duplicate State name: {key}"),
                location,
            )
        } else {
            Diagnostic::error(
                compile::codes::SCHEMA,
                format!("Field '{key}' appears more than once"),
                location,
            )
        };
        d.span = Some(*span);
        diags.push(d);
    }
    // (pointer of the Resource, state name, why), from the machine or, when other errors left
    // none, from the definition itself, so that an Express check lists them with the rest (they
    // were missing until those were mended: a QA pass).
    let conflicts: Vec<(String, String, &'static str)> = match &machine {
        Some(m) => m
            .express_conflicts(0)
            .into_iter()
            .map(|(id, why)| (format!("{}/Resource", m.state(id).pointer), m.state(id).name.to_string(), why))
            .collect(),
        None => machine::express_conflicts_in(&def),
    };
    let mut express: Vec<Diagnostic> = conflicts
        .iter()
        .map(|(pointer, name, why)| {
            Diagnostic::error(
                compile::codes::SCHEMA,
                machine::express_error(name, why),
                Some(pointer.clone()),
            )
        })
        .collect();
    out.express_refusals =
        conflicts.iter().map(|(_, name, why)| machine::express_refusal(name, why)).collect();
    let mut express_warnings: Vec<Diagnostic> = machine.as_ref().map_or_else(Vec::new, |m| {
        m.states
            .iter()
            .filter_map(|st| match &st.kind {
                machine::Kind::Wait(machine::WaitSpec::Seconds(machine::NumberSource::Const(s))) => {
                    let why = compile::wait_outlasts(*s, true, m.timeout_seconds.map(|t| t as f64))?;
                    Some(Diagnostic::warning(
                        compile::codes::SUSPICIOUS,
                        why,
                        Some(format!("{}/Seconds", st.pointer)),
                    ))
                }
                _ => None,
            })
            .collect()
    });
    for d in diags.iter_mut().chain(&mut express).chain(&mut express_warnings) {
        if d.span.is_none() {
            match &embedded.map {
                Some(map) => d.locate(map, "", &def),
                None => d.locate(&doc.map, &embedded.pointer, &def),
            }
        }
    }
    out.express_problems = express;
    out.express_warnings = express_warnings;
    // In the order of the text, as an editor lists problems (the passes that find them run one
    // after the other, so a later pass's warning at the top came last). Problems of the whole
    // definition, with no place, come first; ties keep the order they were found in.
    diags.sort_by_key(|d| d.span.map(|s| s.start.offset));
    let has_error = diags.iter().any(Diagnostic::is_error);
    out.diagnostics = diags;
    out.definition = Some(def);
    if !has_error {
        out.machine = machine.map(Rc::new);
    }
    out
}
/// `true` for a document that is a template of some kind (CloudFormation, SAM, serverless.yml)
/// rather than an ASL definition.
fn looks_like_template(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        [
            "Resources",
            "resources",
            "AWSTemplateFormatVersion",
            "Transform",
            "stepFunctions",
            "service",
            "provider",
        ]
        .iter()
        .any(|k| o.contains_key(k))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stray_text_before_a_json_definition_is_placed() {
        // One line: YAML reads it all as a string, which no definition is.
        let c = check(r#"x{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}"#, None);
        let d = c
            .diagnostics
            .first()
            .map(|d| (d.message.clone(), d.span.map(|s| (s.start.line, s.start.column))));
        assert_eq!(d, Some(("unexpected text before the JSON value: 'x'".to_string(), Some((1, 1)))));
        assert_eq!(c.diagnostics.len(), 1);
    }

    #[test]
    fn check_locates_problems_in_json_and_yaml() {
        let c = check(
            "{\n  \"StartAt\": \"A\",\n  \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}}\n}",
            None,
        );
        assert!(!c.is_ok());
        // The problem of the whole definition (no terminal state) has no place: it comes first.
        assert_eq!(c.diagnostics[0].code, "MISSING_END_STATE");
        let d = &c.diagnostics[1];
        assert_eq!(d.code, "MISSING_TRANSITION_TARGET");
        let span = d.span.unwrap();
        assert_eq!((span.start.line, span.start.column), (3, 44));
        let c = check("StartAt: A\nStates:\n  A:\n    Type: Pass\n    Bogus: 1\n    End: true\n", None);
        let d = &c.diagnostics[0];
        assert_eq!(d.message, "Field 'Bogus' is not supported");
        assert_eq!(d.span.unwrap().start.line, 5, "{d:?}");
    }

    /// A Wait that outlasts an Express execution is warned of in a check for Express, in place of
    /// what the Standard check said of it (QA found no warning for Express, and the year's one
    /// naming Standard).
    #[test]
    fn express_checks_warn_of_waits_over_five_minutes() {
        let def = r#"{"StartAt": "A", "TimeoutSeconds": 1000, "States": {
            "A": {"Type": "Wait", "Seconds": 40000000, "Next": "B"},
            "B": {"Type": "Wait", "Seconds": 2000, "Next": "C"},
            "C": {"Type": "Wait", "Seconds": 400, "Next": "D"},
            "D": {"Type": "Wait", "Seconds": 299, "End": true}}}"#;
        let said = |c: &Checked| -> Vec<(String, String)> {
            c.diagnostics
                .iter()
                .map(|d| {
                    (
                        d.location.clone().unwrap_or_default(),
                        d.message.split(',').next().unwrap_or("").to_string(),
                    )
                })
                .collect()
        };
        let standard = check(def, None).for_workflow(None);
        assert!(standard.is_ok());
        assert_eq!(
            said(&standard),
            [
                // The shortest limit it reaches is the one named.
                ("/States/A/Seconds".to_string(), "This Wait is 40000000 seconds".to_string()),
                ("/States/B/Seconds".to_string(), "This Wait is 2000 seconds".to_string()),
            ]
        );
        assert!(standard.diagnostics.iter().all(|d| d.message.contains("TimeoutSeconds is 1000")));
        let express = check(def, None).for_workflow(Some(exec::WorkflowType::Express));
        assert!(express.is_ok() && express.machine.is_some());
        let locations: Vec<String> = said(&express).into_iter().map(|(l, _)| l).collect();
        assert_eq!(locations, ["/States/A/Seconds", "/States/B/Seconds", "/States/C/Seconds"]);
        assert!(express
            .diagnostics
            .iter()
            .all(|d| d.message.contains("an Express execution runs at most 300")));
        assert!(express.diagnostics.iter().all(|d| d.span.is_some()));
        // Without a TimeoutSeconds, the Standard check's year warning is replaced too (the final
        // read found both, once the year's wording no longer began like the others).
        let year = r#"{"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 40000000, "End": true}}}"#;
        let standard = check(year, None).for_workflow(None);
        assert_eq!(standard.diagnostics.len(), 1);
        assert!(standard.diagnostics[0].message.contains("a Standard execution runs at most a year"));
        let express = check(year, None).for_workflow(Some(exec::WorkflowType::Express));
        assert_eq!(express.diagnostics.len(), 1, "{:?}", express.diagnostics);
        assert!(express.diagnostics[0].message.contains("an Express execution runs at most 300"));
    }

    /// A Task an Express workflow cannot run is an error only of a check for Express: the type
    /// given, else the one the document declares (validate passed a template declaring EXPRESS).
    #[test]
    fn express_problems_are_errors_of_an_express_check() {
        let def = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "End": true,
            "Resource": "arn:aws:states:::ecs:runTask.sync"}}}"#;
        assert!(check(def, None).for_workflow(None).is_ok());
        let express = check(def, None).for_workflow(Some(exec::WorkflowType::Express));
        assert!(!express.is_ok() && express.machine.is_none());
        let d = &express.diagnostics[0];
        assert_eq!(
            (d.location.as_deref(), d.span.map(|s| s.start.line)),
            (Some("/States/T/Resource"), Some(2))
        );
        let template = format!(
            "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      \
             StateMachineType: EXPRESS\n      Definition: {}\n",
            def.replace('\n', "")
        );
        assert!(!check(&template, None).for_workflow(None).is_ok());
        assert!(check(&template, None).for_workflow(Some(exec::WorkflowType::Standard)).is_ok());
    }

    /// An Express check lists the Tasks Express refuses beside the definition's other errors:
    /// they were missing while another error left no machine (a QA pass on the JS package).
    #[test]
    fn express_problems_come_with_other_errors() {
        let def = r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Next": "Nope",
            "Resource": "arn:aws:states:::states:startExecution.sync:2"},
            "P": {"Type": "Parallel", "End": true, "Branches": [{"StartAt": "A", "States": {
                "A": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:1:activity:a", "End": true}}}]},
            "M": {"Type": "Map", "End": true, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"},
                "StartAt": "D", "States": {"D": {"Type": "Task", "End": true,
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken"}}}}}}"#;
        let express = check(def, None).for_workflow(Some(exec::WorkflowType::Express));
        let located: Vec<_> = express
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("cannot run in an Express workflow"))
            .filter_map(|d| d.location.as_deref())
            .collect();
        assert!(located.contains(&"/States/T/Resource"), "{:?}", express.diagnostics);
        assert!(located.contains(&"/States/P/Branches/0/States/A/Resource"), "{:?}", express.diagnostics);
        // A Distributed Map's children run as executions of their own type.
        assert!(!located.contains(&"/States/M/ItemProcessor/States/D/Resource"), "{:?}", express.diagnostics);
        assert!(
            express.diagnostics.iter().any(|d| d.message.contains("target: Nope")),
            "{:?}",
            express.diagnostics
        );
        let standard = check(def, None).for_workflow(None);
        assert!(
            !standard.diagnostics.iter().any(|d| d.message.contains("Express")),
            "{:?}",
            standard.diagnostics
        );
        // Each refusal goes with its problem, in one order, also when the machine compiled but
        // another error (a repeated key) keeps it from callers: the playground zips the two.
        let nested_first = r#"{"StartAt": "A", "Comment": "x", "Comment": "y", "States": {
            "A": {"Type": "Parallel", "Next": "B", "Branches": [{"StartAt": "X", "States": {
                "X": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "End": true}}}]},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "End": true}}}"#;
        for text in [def, nested_first] {
            let c = check(text, None);
            assert_eq!(c.express_refusals.len(), c.express_problems.len());
            assert!(!c.express_refusals.is_empty());
            for (refusal, problem) in c.express_refusals.iter().zip(&c.express_problems) {
                assert!(problem.message.starts_with(refusal.as_str()), "{refusal} / {}", problem.message);
                let name = refusal.split('\'').nth(1).unwrap_or_default();
                let at = problem.location.as_deref().unwrap_or_default();
                assert!(at.ends_with(&format!("/States/{name}/Resource")), "{refusal} at {at}");
            }
        }
    }

    /// A name that picks a machine checks the document once, reading each file it names once
    /// (it was checked without the name first: every DefinitionUri was read twice); a name
    /// that picks none falls back to the document alone where that is what the name meant.
    #[test]
    fn a_named_machine_is_checked_once() {
        let template = "Resources:\n  A:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      \
                        DefinitionUri: a.json\n  B:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      \
                        DefinitionUri: b.json\n";
        let reads = std::cell::Cell::new(0);
        let read = |_: &str| {
            reads.set(reads.get() + 1);
            Some(Ok(r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#.to_string()))
        };
        let c = check_named_reading(template, Some("B"), None, &read);
        assert!(c.is_ok() && c.selected.as_deref() == Some("B"), "{:?}", c.diagnostics);
        assert_eq!(reads.get(), 2);
        // A bare definition has no machine to pick: the name is ignored.
        let bare = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;
        assert!(check_named(bare, Some("Anything"), None).is_ok());
        // A template's only machine under another name is refused, unless a MockConfigFile has
        // a machine of that name (the name is then the config's).
        let one = format!("{CFN}      Definition: {bare}\n");
        assert!(!check_named(&one, Some("Other"), None).is_ok());
        let config = json::parse(r#"{"StateMachines": {"Other": {"TestCases": {}}}, "MockedResponses": {}}"#)
            .unwrap_or_default();
        assert!(check_named(&one, Some("Other"), Some(&config)).is_ok());
        // A name meant for the config reads the template's file once too (the rule is applied to
        // the machines found, not by checking the document again without the name).
        let uri = "Resources:\n  A:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      \
                   DefinitionUri: a.json\n";
        reads.set(0);
        let c = check_named_reading(uri, Some("Other"), Some(&config), &read);
        assert!(c.is_ok() && c.selected.as_deref() == Some("A"), "{:?}", c.diagnostics);
        assert_eq!(reads.get(), 1);
    }

    /// Machines of one name are picked by their keys, which `machine_picks` gives for them (a
    /// picker offering names alone could pick neither).
    #[test]
    fn machines_of_one_name_are_picked_by_key() {
        let doc =
            "Resources:\n  A: {Type: AWS::StepFunctions::StateMachine, Properties: {StateMachineName: same, \
                   Definition: {StartAt: X, States: {X: {Type: Succeed}}}}}\n  \
                   B: {Type: AWS::Serverless::StateMachine, Properties: {Name: same, \
                   Definition: {StartAt: X, States: {X: {Type: Succeed}}}}}\n  \
                   C: {Type: AWS::StepFunctions::StateMachine, Properties: {StateMachineName: other, \
                   Definition: {StartAt: X, States: {X: {Type: Succeed}}}}}\n";
        let c = check(doc, None);
        assert_eq!(c.machines, ["same", "same", "other"]);
        assert_eq!(c.machine_picks, ["A", "B", "other"]);
        assert_eq!(c.selected_pick, None);
        let b = check(doc, Some("B"));
        assert!(b.is_ok(), "{:?}", b.diagnostics);
        assert_eq!((b.selected.as_deref(), b.selected_pick.as_deref()), (Some("same"), Some("B")));
        assert_eq!(check(doc, Some("other")).selected_pick.as_deref(), Some("other"));
        // A key that is also the shared name picks its own machine (a review: "Flow" asked to
        // choose by key, "Flow" or "Other", and so could not be chosen at all).
        let flow = "Resources:\n  Flow: {Type: AWS::StepFunctions::StateMachine, Properties: \
                    {Definition: {StartAt: X, States: {X: {Type: Succeed}}}}}\n  \
                    Other: {Type: AWS::StepFunctions::StateMachine, Properties: {StateMachineName: Flow, \
                    Definition: {StartAt: Y, States: {Y: {Type: Succeed}}}}}\n";
        assert_eq!(check(flow, None).machine_picks, ["Flow", "Other"]);
        for (pick, start) in [("Flow", "X"), ("Other", "Y")] {
            let c = check(flow, Some(pick));
            assert_eq!(c.selected_pick.as_deref(), Some(pick), "{:?}", c.diagnostics);
            let started = c.definition.as_ref().and_then(|d| d.get("StartAt")).and_then(Value::as_str);
            assert_eq!(started, Some(start));
        }
    }

    #[test]
    fn syntax_errors_and_duplicates() {
        let c = check("{\"StartAt\": ", None);
        assert_eq!(c.diagnostics[0].code, "INVALID_JSON_DESCRIPTION");
        assert!(c.diagnostics[0].span.is_some());
        let c = check(
            r#"{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Succeed"}}}"#,
            None,
        );
        assert!(c.diagnostics.iter().any(|d| d.code == "DUPLICATE_STATE_NAME"), "{:?}", c.diagnostics);
        assert!(check("", None).diagnostics[0].code == "MISSING_DESCRIPTION");
    }

    /// The first diagnostic with `code`: its line, column and the text of `doc` it underlines.
    fn placed<'t>(doc: &'t str, name: Option<&str>, code: &str) -> (u32, u32, &'t str) {
        let c = check(doc, name);
        let d =
            c.diagnostics.iter().find(|d| d.code == code).unwrap_or_else(|| panic!("{:?}", c.diagnostics));
        let span = d.span.unwrap_or_else(|| panic!("not located: {d:?}"));
        (span.start.line, span.start.column, &doc[span.start.offset..span.end.offset])
    }

    const CFN: &str = "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n";

    /// A definition in a string is parsed on its own, but its problems are reported where they
    /// are in the template, not at the line and column they have in the string.
    #[test]
    fn definition_strings_are_located_in_a_yaml_block_scalar() {
        let doc = format!(
            "{CFN}      DefinitionString: |\n        {{\n          \"StartAt\": \"A\", \"StartAt\": \"A\",\n          \"States\": {{\n            \
             \"A\": {{\"Type\": \"Pass\", \"Next\": \"Z\"}}\n          }}\n        }}\n"
        );
        assert_eq!(placed(&doc, None, "MISSING_TRANSITION_TARGET"), (9, 43, "\"Z\""));
        assert_eq!(placed(&doc, None, "MISSING_END_STATE"), (8, 11, "\"States\""));
        // Duplicate keys are found by the parser of the string, and located alike.
        assert_eq!(placed(&doc, None, "SCHEMA_VALIDATION_FAILED"), (7, 27, "\"StartAt\""));
    }

    #[test]
    fn definition_strings_are_located_in_a_json_string() {
        // Escaped quotes and a `\n` before the problem: the column counts the template's text.
        let doc = r#"{"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "DefinitionString": "{\"StartAt\": \"A\",\n \"States\": {\"A\": {\"Type\": \"Pass\", \"Next\": \"Z\"}}}"}}}}"#;
        assert_eq!(placed(doc, None, "MISSING_TRANSITION_TARGET"), (2, 108, r#"\"Z\""#));
    }

    #[test]
    fn definition_strings_are_located_in_yaml_quoted_strings() {
        let doc = format!(
            "{CFN}      DefinitionString: '{{\"Comment\": \"it''s\", \"StartAt\": \"A\", \"States\": \
             {{\"A\": {{\"Type\": \"Pass\", \"Next\": \"Z\"}}}}}}'\n"
        );
        assert_eq!(placed(&doc, None, "MISSING_TRANSITION_TARGET"), (5, 104, "\"Z\""));
        let doc = format!(
            "{CFN}      DefinitionString: \"{{\\\"StartAt\\\": \\\"A\\\",\\n\\\"States\\\": \
             {{\\\"A\\\": {{\\\"Type\\\": \\\"Pass\\\", \\\"Next\\\": \\\"Z\\\"}}}}}}\"\n"
        );
        assert_eq!(placed(&doc, None, "MISSING_TRANSITION_TARGET"), (5, 99, "\\\"Z\\\""));
    }

    #[test]
    fn substituted_definition_strings_are_located() {
        let doc = format!(
            "{CFN}      DefinitionSubstitutions: {{Target: Nowhere}}\n      DefinitionString: !Sub\n        - |\n          \
             {{\"StartAt\": \"A\", \"States\": {{\n            \
             \"A\": {{\"Type\": \"Task\", \"Resource\": \"${{Arn}}\", \"Next\": \"B\", \"Bogus\": 1}},\n            \
             \"B\": {{\"Type\": \"Pass\", \"Next\": \"${{Target}}\"}}}}}}\n        \
             - {{Arn: \"arn:aws:lambda:us-east-1:123456789012:function:f\"}}\n"
        );
        // After a substitution that changed the line's length, exactly.
        assert_eq!(placed(&doc, None, "SCHEMA_VALIDATION_FAILED"), (9, 70, "\"Bogus\""));
        // In a substituted value: at its placeholder.
        assert_eq!(placed(&doc, None, "MISSING_TRANSITION_TARGET"), (10, 43, "\"${Target}\""));
    }

    #[test]
    fn definition_strings_that_cannot_be_read_back_are_located_at_their_start() {
        // The second machine's string is an alias: its text is elsewhere, so its problems are
        // reported at the alias rather than at a guess.
        let doc = format!(
            "{CFN}      DefinitionString: &shared '{{\"StartAt\": \"A\", \"States\": \
             {{\"A\": {{\"Type\": \"Pass\", \"Next\": \"Z\"}}}}}}'\n  \
             Second:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: *shared\n"
        );
        assert_eq!(placed(&doc, Some("M"), "MISSING_TRANSITION_TARGET"), (5, 92, "\"Z\""));
        assert_eq!(placed(&doc, Some("Second"), "MISSING_TRANSITION_TARGET"), (9, 25, "*shared"));
    }

    /// The ASL spec: state names are unique in the whole machine, branches included.
    #[test]
    fn names_are_unique_across_branches() {
        let c = check(
            r#"{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": [
                {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}},
                {"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}]}}}"#,
            None,
        );
        assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
        assert_eq!(c.diagnostics[0].location.as_deref(), Some("/States/P/Branches/1/States/X"));
    }
}
