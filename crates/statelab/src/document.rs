//! What users paste, and the state machines in it: ASL, serverless.yml, CloudFormation and SAM.
//!
//! [`load`] reads JSON or YAML; [`machines`] finds every state machine in the document, in
//! document order; [`select`] picks one. A definition comes out as plain ASL:
//!
//! - **Bare ASL** (`StartAt` or `States` at the top) is the whole document, untouched.
//! - **Serverless Framework**: every entry of `stepFunctions.stateMachines` with a `definition`,
//!   named by its `name` field or else its key.
//! - **CloudFormation / SAM**: every `AWS::StepFunctions::StateMachine` or
//!   `AWS::Serverless::StateMachine` resource under `Resources` (or, in a serverless.yml,
//!   `resources.Resources`), named by its logical ID. `Definition` is used directly;
//!   `DefinitionString` is rendered to text (a plain string, `Fn::Sub` with its variables
//!   substituted, or `Fn::Join`) and parsed as JSON. Its [`SourceMap`] is then carried back into
//!   the document (see [`crate::origins`]), through the string's escapes or block indentation:
//!   a problem is reported where it is in the template. A substituted value is located at its
//!   `${...}` placeholder; a string whose text cannot be read back (an alias) as a whole.
//!   `DefinitionUri` names a file that a caller with files (the CLI, beside the template) reads
//!   through a [`ReadFile`]; where there are none (the playground), and for
//!   `DefinitionS3Location`, such machines are listed with an [`EmbeddedMachine::error`].
//!
//! In Serverless and CloudFormation definitions, intrinsic functions are deploy-time values, so
//! they become opaque strings that keep the ASL well-formed: `{"Fn::GetAtt": ["F", "Arn"]}` →
//! `"${F.Arn}"` (a Lambda function of the template: its ARN), `{"Ref": "X"}` → `"${X}"` (a
//! parameter with a `Default`: that value), `Fn::Sub` → its template (with its own variables
//! substituted), `Fn::Join` → the joined text, `Fn::Select` of a literal list → the item, any other
//! `Fn::*` → `"${Fn::Name}"`. The replacement sits at the same pointer, so the document's source
//! map still locates it. `${...}`, `#{...}` and `${opt:stage}` placeholders in strings are kept
//! verbatim, except that a serverless.yml's own `${self:...}` variables and defaults
//! (`${opt:stage, 'dev'}`) are resolved, and `DefinitionSubstitutions` are applied to `${Name}` placeholders (in keys
//! too, and again inside what they substituted, as CloudFormation does). A resource that gives
//! its definition in two ways (`Definition` and `DefinitionString`, ...) is refused, as
//! CloudFormation refuses it.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ops::Range;

use crate::exec::WorkflowType;
use crate::origins::{self, Located};
use crate::source::{pointer as make_pointer, push_token, LineIndex, NodeSpan, SourceMap, SyntaxError};
use crate::value::{Map, Value};
use crate::{json, yaml};

/// The message for a document without any state machine.
pub const NO_MACHINE: &str = concat!(
    "no state machine found: expected an ASL definition with StartAt and States, ",
    "a serverless.yml with stepFunctions.stateMachines, ",
    "or a CloudFormation template with an AWS::StepFunctions::StateMachine resource"
);

/// The syntax a document was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
}

impl Format {
    /// `JSON` or `YAML`, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Yaml => "YAML",
        }
    }
}

/// `true` for text that holds no document: nothing but white space and YAML comments (after a
/// byte order mark). [`load`] refuses it, as YAML does ("expected a YAML document"); the
/// playground reads it as nothing, as an empty editor, and the CLI says what it holds.
pub fn is_blank(text: &str) -> bool {
    text.trim_start_matches('\u{feff}').lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    })
}

/// The syntax [`load`] holds `text` to: JSON when its first non-blank character (after a byte
/// order mark) is `{` or `[`, YAML otherwise. (A JSON scalar is read as JSON when it is one; it is
/// YAML too, so when it is not, YAML's error is the one given.)
pub fn syntax_of(text: &str) -> Format {
    match first_char(text) {
        Some('{' | '[') => Format::Json,
        _ => Format::Yaml,
    }
}

/// The first character that is not blank, after a byte order mark and any `//` or `/* */`
/// comments: JSON has none and YAML's are `#`, so text that starts with one is JSON with a
/// comment, which the JSON parser then names (it was read as YAML and given YAML's error).
fn first_char(text: &str) -> Option<char> {
    let mut body = text.strip_prefix('\u{feff}').unwrap_or(text);
    loop {
        body = body.trim_start_matches([' ', '\t', '\r', '\n']);
        if let Some(rest) = body.strip_prefix("//") {
            body = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(rest) = body.strip_prefix("/*") {
            body = rest.split_once("*/").map_or("", |(_, after)| after);
        } else {
            return body.chars().next();
        }
    }
}

/// A parsed document, with the position of every node.
#[derive(Clone, Debug)]
pub struct Document {
    /// The whole document.
    pub value: Value,
    /// Where each node sits in the text.
    pub map: SourceMap,
    /// JSON or YAML.
    pub format: Format,
}

/// The kind of document a state machine was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The document is the ASL definition itself.
    Bare,
    /// A Serverless Framework service (serverless-step-functions plugin).
    Serverless,
    /// A CloudFormation or SAM template.
    CloudFormation,
}

/// A state machine found in a document.
#[derive(Clone, Debug)]
pub struct EmbeddedMachine {
    /// Its name: the serverless `name` (or key), the CloudFormation logical ID, or `StateMachine`
    /// for a bare definition.
    pub name: String,
    /// What kind of document it came from.
    pub kind: Kind,
    /// JSON Pointer to the definition in the document (`""` for a bare definition); for a
    /// definition given as a string, the pointer to that string.
    pub pointer: String,
    /// The ASL definition, with intrinsic functions made opaque strings.
    pub definition: Value,
    /// Where the definition's nodes sit in the document, when it came from a string
    /// (`DefinitionString`) and was parsed on its own; `None` when the definition is part of the
    /// document, whose map then locates it at [`pointer`](Self::pointer) + the definition pointer.
    pub map: Option<SourceMap>,
    /// Why the definition could not be read (a `DefinitionString` that is not JSON, a
    /// `DefinitionUri`); `definition` is then the raw string or `null`.
    pub error: Option<String>,
    /// Where in the document the `error` is, when it is more precise than the definition as a
    /// whole (a `DefinitionString`'s JSON syntax error): a byte range.
    pub error_at: Option<Range<usize>>,
    /// The workflow type the document declares for the machine: serverless `type`,
    /// CloudFormation `StateMachineType`, SAM `Type` (`STANDARD` or `EXPRESS`, any case).
    pub workflow_type: Option<WorkflowType>,
}

impl EmbeddedMachine {
    /// Why the definition could not be read, naming the machine: `state machine "X": ...`.
    pub fn error_message(&self) -> Option<String> {
        self.error.as_ref().map(|e| format!("state machine \"{}\": {e}", self.name))
    }

    /// The whole document taken as the definition itself (no template around it).
    pub fn bare(doc: &Document) -> EmbeddedMachine {
        EmbeddedMachine::read("StateMachine".to_string(), Kind::Bare, String::new(), doc.value.clone(), None)
    }

    /// A machine whose definition was read (no error; no declared type yet).
    fn read(
        name: String,
        kind: Kind,
        pointer: String,
        definition: Value,
        map: Option<SourceMap>,
    ) -> EmbeddedMachine {
        EmbeddedMachine {
            name,
            kind,
            pointer,
            definition,
            map,
            error: None,
            error_at: None,
            workflow_type: None,
        }
    }

    /// Where the node at `pointer` (a JSON Pointer into the definition) sits in the document's
    /// text.
    pub fn locate(&self, doc: &Document, pointer: &str) -> Option<NodeSpan> {
        match &self.map {
            Some(map) => map.locate(pointer),
            None => doc.map.locate(&format!("{}{}", self.pointer, pointer)),
        }
    }

    /// The machine's key in its document, which picks it too: the serverless key (its name when
    /// it has no `name` field), or the template's logical ID (its name when it has no
    /// `StateMachineName`, or `Name` for SAM).
    pub fn key(&self) -> Option<String> {
        let mut tokens = self.pointer.split('/');
        let token = match self.kind {
            Kind::Serverless => tokens.nth(3)?,
            Kind::CloudFormation => {
                tokens.position(|t| t == "Resources")?;
                tokens.next()?
            }
            Kind::Bare => return None,
        };
        Some(crate::source::unescape_token(token))
    }
}

/// Parses a document: JSON when its first non-blank character is `{` or `[` (a JSON syntax error
/// is reported as such, even if the text would pass as YAML) or when the whole text is a JSON
/// scalar (a string, number, `true`, `false` or `null`), YAML otherwise. A leading byte order mark
/// is skipped for JSON, whose positions then count from after it.
pub fn load(text: &str) -> Result<Document, SyntaxError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    if syntax_of(text) == Format::Json {
        let (value, map) = json::parse_with_map(body)?;
        return Ok(Document { value, map, format: Format::Json });
    }
    // A JSON scalar is read as JSON even though YAML would take most of them alike: YAML refuses
    // escapes JSON allows, such as a surrogate pair (`"\ud83d\ude00"`).
    if matches!(first_char(text), Some('"' | '-' | '0'..='9' | 't' | 'f' | 'n')) {
        if let Ok((value, map)) = json::parse_with_map(body) {
            return Ok(Document { value, map, format: Format::Json });
        }
    }
    let yaml = yaml::parse_with_map(text);
    // Text before JSON (a stray character typed before the `{`) made YAML of it, and YAML's
    // error: a QA pass. When what follows is JSON, say so. (Text that YAML reads as a string is
    // a document, an input say: the definition's check asks for itself.)
    if yaml.is_err() {
        if let Some(e) = text_before_json(text) {
            return Err(e);
        }
    }
    let (value, map) = yaml?;
    Ok(Document { value, map, format: Format::Yaml })
}

/// The error for text that is JSON after something else on its first lines: the JSON starts at
/// the first `{` or `[` and reads to the end; what comes before it is placed.
pub(crate) fn text_before_json(text: &str) -> Option<SyntaxError> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let start = body.find(['{', '['])?;
    let before = body.get(..start)?;
    json::parse(body.get(start..)?).ok()?;
    let junk = before.len() - before.trim_start().len();
    let pos = LineIndex::new(body).pos(junk);
    let what = before.trim().chars().take(20).collect::<String>();
    Some(SyntaxError { message: format!("unexpected text before the JSON value: '{what}'"), pos })
}

/// Reads a file a template names (SAM's `DefinitionUri`, serverless's `${file(...)}`), by its
/// path as written: `None` where there are no files to read (the playground, the JS API, a
/// template from stdin, an S3 URI), `Some(Err(why))` when it was looked for and could not be
/// read. The caller does the I/O; this library does none.
pub type ReadFile<'a> = &'a dyn Fn(&str) -> Option<Result<String, String>>;

/// Reads no files.
pub fn no_files(_: &str) -> Option<Result<String, String>> {
    None
}

/// Every state machine in the document, in document order.
pub fn machines(doc: &Document) -> Vec<EmbeddedMachine> {
    machines_reading(doc, &no_files)
}

/// [`machines`], reading the definitions that templates keep in files of their own with `read`.
pub fn machines_reading(doc: &Document, read: ReadFile<'_>) -> Vec<EmbeddedMachine> {
    let mut out = Vec::new();
    let Some(top) = doc.value.as_object() else { return out };
    if top.contains_key("StartAt") || top.contains_key("States") {
        out.push(EmbeddedMachine::bare(doc));
        return out;
    }
    for (key, v) in top {
        match &**key {
            "stepFunctions" => serverless(doc, v, read, &mut out),
            "Resources" => cloudformation(doc, v, &["Resources"], read, &mut out),
            "resources" => {
                if let Some(r) = v.get("Resources") {
                    cloudformation(doc, r, &["resources", "Resources"], read, &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

/// The document's only state machine, or the one named `name` (its name, or else its serverless
/// key), readable: [`choose`] and its `error`, if any, as the error. The error says what is
/// available.
pub fn select(doc: &Document, name: Option<&str>) -> Result<EmbeddedMachine, String> {
    let machine = choose(doc, name)?;
    match machine.error_message() {
        Some(e) => Err(e),
        None => Ok(machine),
    }
}

/// The document's only state machine, or the one named `name`, whether its definition could be
/// read or not (see its `error`). The error says what is available.
pub fn choose(doc: &Document, name: Option<&str>) -> Result<EmbeddedMachine, String> {
    choose_reading(doc, name, &no_files)
}

/// [`choose`], reading the definitions that templates keep in files of their own with `read`.
pub fn choose_reading(
    doc: &Document,
    name: Option<&str>,
    read: ReadFile<'_>,
) -> Result<EmbeddedMachine, String> {
    choose_among(machines_reading(doc, read), name)
}

/// [`choose`] among a document's machines, found already (by [`machines_reading`]).
pub fn choose_among(all: Vec<EmbeddedMachine>, name: Option<&str>) -> Result<EmbeddedMachine, String> {
    let i = choose_index(&all, name)?;
    all.into_iter().nth(i).ok_or_else(|| NO_MACHINE.to_string())
}

/// Which of a document's machines [`choose_among`] takes: the only one, or the one named `name`
/// (by its name, else by its key). The error says what is available.
pub fn choose_index(all: &[EmbeddedMachine], name: Option<&str>) -> Result<usize, String> {
    if all.is_empty() {
        return Err(NO_MACHINE.to_string());
    }
    let names = || all.iter().map(|m| format!("\"{}\"", m.name)).collect::<Vec<_>>().join(", ");
    let Some(wanted) = name else {
        return match all.len() {
            1 => Ok(0),
            n => Err(format!("the document has {n} state machines: {}; choose one", names())),
        };
    };
    let keyed = |i: &usize| all.get(*i).and_then(EmbeddedMachine::key).as_deref() == Some(wanted);
    let by_name: Vec<usize> =
        (0..all.len()).filter(|&i| all.get(i).is_some_and(|m| m.name == wanted)).collect();
    let index = match by_name.as_slice() {
        [i] => Some(*i),
        [] => (0..all.len()).find(keyed),
        // The one of them whose key is also the name (a logical ID `Flow` beside a machine named
        // `Flow`): its key picks it, as any other machine's does.
        several => match several.iter().copied().find(keyed) {
            Some(i) => Some(i),
            None => {
                // Their keys (logical IDs, serverless keys) still tell them apart.
                let keys: Vec<String> =
                    several.iter().filter_map(|&i| all.get(i)?.key()).map(|k| format!("\"{k}\"")).collect();
                return Err(format!(
                    "several state machines are named \"{wanted}\": choose one by its key, {}",
                    keys.join(" or ")
                ));
            }
        },
    };
    index.ok_or_else(|| {
        // Names and keys both pick a machine: the closest of either is suggested.
        // (A key differing from its name only in case, `orders` for `Orders`, would tie with it.)
        let mut picks: Vec<String> = Vec::new();
        for pick in all.iter().flat_map(|m| std::iter::once(m.name.clone()).chain(m.key())) {
            if !picks.iter().any(|p| p.eq_ignore_ascii_case(&pick)) {
                picks.push(pick);
            }
        }
        let near = crate::machine::closest_name(wanted, picks.iter().map(String::as_str))
            .map(|n| format!(" (did you mean \"{n}\"?)"))
            .unwrap_or_default();
        format!("no state machine named \"{wanted}\"; the document has {}{near}", names())
    })
}

fn serverless(doc: &Document, step_functions: &Value, read: ReadFile<'_>, out: &mut Vec<EmbeddedMachine>) {
    let Some(machines) = step_functions.get("stateMachines").and_then(Value::as_object) else { return };
    for (key, entry) in machines {
        let Some(definition) = entry.get("definition") else { continue };
        // `name: orders-${self:custom.stage}` is the deployed name (a QA pass: it stayed as written,
        // in ARNs and for --state-machine); one that needs a deploy-time value stays as written.
        let name = match entry.get("name").and_then(Value::as_str) {
            Some(written) => serverless_variables(&doc.value, &Value::string(written))
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| written.to_string()),
            None => key.to_string(),
        };
        let pointer = make_pointer(&["stepFunctions", "stateMachines", key, "definition"]);
        // `${file(./flow.yml)}`, when the caller can read files.
        let included = definition.as_str().and_then(|s| {
            let path = s.trim().strip_prefix("${file(")?.strip_suffix(")}")?.trim();
            Some((path, read(path)?))
        });
        let mut machine = match included {
            Some((path, Ok(text))) => {
                from_file(name, Kind::Serverless, pointer, path, &text, &HashMap::new())
            }
            Some((path, Err(why))) => EmbeddedMachine {
                kind: Kind::Serverless,
                ..failed(name, pointer, Value::Null, unreadable(path, &why))
            },
            None => extract(doc, name, Kind::Serverless, pointer, definition, &HashMap::new()),
        };
        if machine.error.is_none() && machine.map.is_none() {
            if let Some(resolved) = serverless_variables(&doc.value, &machine.definition) {
                machine.definition = resolved;
            }
        }
        out.push(EmbeddedMachine { workflow_type: declared_type(entry.get("type")), ..machine });
    }
}

fn cloudformation(
    doc: &Document,
    resources: &Value,
    prefix: &[&str],
    read: ReadFile<'_>,
    out: &mut Vec<EmbeddedMachine>,
) {
    let Some(resources) = resources.as_object() else { return };
    for (id, resource) in resources {
        let kind = resource.get("Type").and_then(Value::as_str);
        if !matches!(kind, Some("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine")) {
            continue;
        }
        let props = resource.get("Properties");
        let subs = substitutions(doc, props.and_then(|p| p.get("DefinitionSubstitutions")));
        let mut base = String::new();
        for t in prefix.iter().copied().chain([&**id, "Properties"]) {
            push_token(&mut base, t);
        }
        let at = |field: &str| crate::source::child(&base, field);
        let field = |f: &str| props.and_then(|p| p.get(f));
        // The name AWS gives the machine (its ARN's, and a MockConfigFile's key); CloudFormation
        // makes one up from the stack when there is none, for which the logical ID stands in.
        let named = if kind == Some("AWS::Serverless::StateMachine") { "Name" } else { "StateMachineName" };
        // `!Sub "orders-${Env}"` and `!Ref Env` with Env's Default are the deployed name (a QA pass);
        // one that needs a deploy-time value (`${AWS::StackName}`) is unknown here, like none.
        let name = field(named)
            .map(|n| deployed_text(doc, n))
            .filter(|n| !n.is_empty() && !n.contains("${"))
            .unwrap_or_else(|| id.to_string());
        // CloudFormation (and SAM) take exactly one place for the definition.
        let given: Vec<&str> = ["Definition", "DefinitionString", "DefinitionS3Location", "DefinitionUri"]
            .into_iter()
            .filter(|f| field(f).is_some())
            .collect();
        if let [first, second, ..] = given.as_slice() {
            let error = format!(
                "the resource gives its definition twice, as {first} and as {second}: CloudFormation takes \
                 exactly one of them"
            );
            out.push(failed(name, at(second), Value::Null, error));
            continue;
        }
        let declared = declared_type(field(if kind == Some("AWS::Serverless::StateMachine") {
            "Type"
        } else {
            "StateMachineType"
        }));
        let machine = if let Some(def) = field("Definition") {
            extract(doc, name, Kind::CloudFormation, at("Definition"), def, &subs)
        } else if let Some(def) = field("DefinitionString") {
            extract(doc, name, Kind::CloudFormation, at("DefinitionString"), def, &subs)
        } else if let Some((path, read)) =
            field("DefinitionUri").and_then(Value::as_str).and_then(|path| Some((path, read(path)?)))
        {
            match read {
                Ok(text) => from_file(name, Kind::CloudFormation, at("DefinitionUri"), path, &text, &subs),
                Err(why) => {
                    out.push(failed(name, at("DefinitionUri"), Value::Null, unreadable(path, &why)));
                    continue;
                }
            }
        } else {
            let file_field =
                ["DefinitionUri", "DefinitionS3Location"].into_iter().find(|f| field(f).is_some());
            let (pointer, error) = match file_field {
                // With the path when it is one (a DefinitionS3Location is an object).
                Some(f) => {
                    let reference = match field(f).and_then(Value::as_str) {
                        Some(path) => format!("{f}: {path}"),
                        None => f.to_string(),
                    };
                    (at(f), separate_file(&reference))
                }
                None => (base.clone(), "the resource has no Definition or DefinitionString".to_string()),
            };
            out.push(failed(name, pointer, Value::Null, error));
            continue;
        };
        out.push(EmbeddedMachine { workflow_type: declared, ..machine });
    }
}

/// A declared workflow type, `STANDARD` or `EXPRESS` in any case; anything else (a parameter's
/// `${Ref}`, a typo) declares nothing.
fn declared_type(v: Option<&Value>) -> Option<WorkflowType> {
    WorkflowType::from_name(v?.as_str()?)
}

fn separate_file(reference: &str) -> String {
    format!(
        "the definition is in a separate file ({reference}), which Statelab cannot fetch: \
         paste the definition itself"
    )
}

/// A definition file that was looked for and could not be read.
fn unreadable(path: &str, why: &str) -> String {
    format!("its definition file {path} cannot be read: {why}")
}

fn failed(name: String, pointer: String, definition: Value, error: String) -> EmbeddedMachine {
    EmbeddedMachine {
        error: Some(error),
        ..EmbeddedMachine::read(name, Kind::CloudFormation, pointer, definition, None)
    }
}

/// The machine whose definition is the file `path` (JSON or YAML) that the field at `pointer`
/// names, with the DefinitionSubstitutions applied to its text as CloudFormation applies them.
/// Its problems are placed at that field: the file's own positions are not the template's.
fn from_file(
    name: String,
    kind: Kind,
    pointer: String,
    path: &str,
    text: &str,
    subs: &HashMap<String, String>,
) -> EmbeddedMachine {
    let text = if subs.is_empty() { text.to_string() } else { substituted(text, &|n| subs.get(n).cloned()) };
    match load(&text) {
        Ok(file) => EmbeddedMachine::read(name, kind, pointer, file.value, None),
        Err(e) => {
            let error = format!("its definition file {path} does not parse: {e}");
            EmbeddedMachine { kind, ..failed(name, pointer, Value::Null, error) }
        }
    }
}

/// Builds the machine for a definition found at `pointer`: an object is used in place, a string
/// (or an `Fn::Sub`/`Fn::Join` that renders to one) is parsed as JSON and located in `doc`.
fn extract(
    doc: &Document,
    name: String,
    kind: Kind,
    pointer: String,
    definition: &Value,
    subs: &HashMap<String, String>,
) -> EmbeddedMachine {
    let text = match definition {
        Value::String(s) => Some(string_text(doc, &pointer, s)),
        Value::Object(_) => match intrinsic(definition) {
            Some(("Fn::Sub", arg)) => {
                sub_text(doc, &pointer, arg).or_else(|| malformed(doc, &pointer, definition))
            }
            Some(("Fn::Join", arg)) => {
                join_text(doc, &pointer, arg).or_else(|| malformed(doc, &pointer, definition))
            }
            Some((f, _)) => {
                let error = format!(
                    "the definition is computed by {f} when the stack deploys, so it cannot be read here"
                );
                return EmbeddedMachine { kind, ..failed(name, pointer, definition.clone(), error) };
            }
            None => None,
        },
        _ => None,
    };
    let Some(text) = text else {
        let mut definition = resolve_intrinsics(doc, definition).unwrap_or_else(|| definition.clone());
        if !subs.is_empty() {
            definition = substitute_strings(&definition, subs).unwrap_or(definition);
        }
        return EmbeddedMachine::read(name, kind, pointer, definition, None);
    };
    if let Some(include) = text.text.trim().strip_prefix("${file(") {
        let file = include.split(')').next().unwrap_or_default();
        let error = separate_file(file);
        return EmbeddedMachine { kind, ..failed(name, pointer, definition.clone(), error) };
    }
    let text = if subs.is_empty() { text } else { substitute(&text, false, &|n| subs.get(n).cloned()) };
    match json::parse_with_map(&text.text) {
        Ok((definition, map)) => {
            let place = |start, end| {
                let range = text.origins.range(start, end);
                (range.start, range.end)
            };
            let map = map.relocated(doc.map.lines(), &place);
            EmbeddedMachine::read(name, kind, pointer, definition, Some(map))
        }
        Err(e) => {
            let error = format!("the definition string is not valid JSON: {e} (counted within the string)");
            // Placed in the template: the string's escapes and indentation are counted back.
            let at = e.pos.offset;
            let error_at = Some(text.origins.range(at, at.saturating_add(1).min(text.text.len()).max(at)));
            EmbeddedMachine { kind, error_at, ..failed(name, pointer, Value::string(&*text.text), error) }
        }
    }
}

/// The bytes of the document the node at `pointer` (or its nearest ancestor that is there)
/// spans.
fn span_of(doc: &Document, pointer: &str) -> Range<usize> {
    doc.map.locate(pointer).map_or(0..0, |n| n.value.start.offset..n.value.end.offset)
}

/// The string `s` found at `pointer`, located byte by byte when its token reads back to it, else
/// as a whole at the token.
fn string_text(doc: &Document, pointer: &str, s: &str) -> Located {
    let span = span_of(doc, pointer);
    let raw = doc.map.lines().text().get(span.clone()).unwrap_or_default();
    origins::scalar(raw, span.start, s).unwrap_or_else(|| Located::produced(s, span))
}

/// The text of a malformed `Fn::Sub` or `Fn::Join` (an opaque `${Fn::Sub}`), located at it.
fn malformed(doc: &Document, pointer: &str, intrinsic: &Value) -> Option<Located> {
    Some(Located::produced(&render_intrinsic(intrinsic)?, span_of(doc, pointer)))
}

/// The text an `Fn::Sub` at `pointer` renders to, its template located in the document.
fn sub_text(doc: &Document, pointer: &str, arg: &Value) -> Option<Located> {
    let (template, vars) = sub_args(arg)?;
    let at = if arg.as_str().is_some() { "Fn::Sub" } else { "Fn::Sub/0" };
    let template = string_text(doc, &format!("{pointer}/{at}"), template);
    Some(substitute(&template, true, &|n| sub_variable(doc, vars, n)))
}

/// What `${n}` stands for in an `Fn::Sub` with variables `vars`: the variable, else a template
/// parameter's Default, else a function's ARN for `${F.Arn}`.
fn sub_variable(doc: &Document, vars: Option<&Map>, n: &str) -> Option<String> {
    vars.and_then(|v| v.get(n))
        .map(|v| deployed_text(doc, v))
        .or_else(|| parameter_default(doc, n).map(opaque))
        .or_else(|| n.strip_suffix(".Arn").and_then(|f| function_arn(doc, f)))
}

/// The ARN a Lambda function resource of the template will have, with the parts only a deploy
/// knows left as placeholders: `Fn::GetAtt [F, Arn]` (or `${F.Arn}`) of an `AWS::Lambda::Function`
/// or `AWS::Serverless::Function`. As an ARN, it makes a Task that calls it a Lambda function
/// Task (LambdaFunctionScheduled, as on AWS); the opaque `${F.Arn}` made it a generic one.
fn function_arn(doc: &Document, function: &str) -> Option<String> {
    let resources = doc.value.get("Resources").or_else(|| doc.value.get("resources")?.get("Resources"))?;
    let kind = resources.get(function)?.get("Type")?.as_str()?;
    matches!(kind, "AWS::Lambda::Function" | "AWS::Serverless::Function").then(|| {
        format!(
            "arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:${{{function}}}"
        )
    })
}

/// A value in a template as the text it puts into a definition: a parameter's Default for a
/// `Ref` to it, a function's ARN for its `Fn::GetAtt [F, Arn]` ([`function_arn_of`]), else
/// [`opaque`]. What DefinitionSubstitutions, `Fn::Sub` variables and `Fn::Join` parts give.
/// An `Fn::Sub` or `Fn::Join` among them is rendered with the same lookups as the definition's
/// own (`B: !Sub "hi-${Env}"` stayed `hi-${Env}` with Env's Default at hand: a QA pass).
/// Recursion is bounded by the parsers' nesting limit.
fn deployed_text(doc: &Document, v: &Value) -> String {
    if let Some(default) = default_of_ref(doc, v) {
        return opaque(default);
    }
    if let Some(arn) = function_arn_of(doc, v) {
        return arn;
    }
    let rendered = match intrinsic(v) {
        Some(("Fn::Sub", arg)) => sub_args(arg).map(|(template, vars)| {
            substitute(&Located::produced(template, 0..0), true, &|n| sub_variable(doc, vars, n)).text
        }),
        Some(("Fn::Join", arg)) => join_args(arg).map(|(separator, parts)| {
            parts.iter().map(|part| deployed_text(doc, part)).collect::<Vec<_>>().join(separator)
        }),
        _ => None,
    };
    rendered.unwrap_or_else(|| opaque(v))
}

/// The Default of the template parameter that `v`, a `Ref`, names.
fn default_of_ref<'a>(doc: &'a Document, v: &Value) -> Option<&'a Value> {
    match intrinsic(v)? {
        ("Ref", Value::String(name)) => parameter_default(doc, name),
        _ => None,
    }
}

/// [`function_arn`] for an `Fn::GetAtt` of a function's `Arn`.
fn function_arn_of(doc: &Document, v: &Value) -> Option<String> {
    let (f, arg) = intrinsic(v)?;
    if f != "Fn::GetAtt" {
        return None;
    }
    let (resource, attribute) = match arg {
        Value::String(s) => s.split_once('.')?,
        _ => (arg.index(0)?.as_str()?, arg.index(1)?.as_str()?),
    };
    (attribute == "Arn").then(|| function_arn(doc, resource)).flatten()
}

/// The Default of template parameter `name`: what `Ref` and `${Name}` stand for when the stack is
/// deployed without other values, so that `"TimeoutSeconds": ${Timeout}` in a DefinitionString is
/// a number and not text that is no JSON (a QA pass).
fn parameter_default<'a>(doc: &'a Document, name: &str) -> Option<&'a Value> {
    doc.value.get("Parameters")?.get(name)?.get("Default")
}

/// The text an `Fn::Join` at `pointer` renders to, each part located in the document.
fn join_text(doc: &Document, pointer: &str, arg: &Value) -> Option<Located> {
    let (separator, parts) = join_args(arg)?;
    let separator = string_text(doc, &format!("{pointer}/Fn::Join/0"), separator);
    let mut out = Located::default();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(&separator);
        }
        let at = format!("{pointer}/Fn::Join/1/{i}");
        match part.as_str() {
            Some(s) => out.push(&string_text(doc, &at, s)),
            None => out.push_produced(&deployed_text(doc, part), span_of(doc, &at)),
        }
    }
    Some(out)
}

/// The DefinitionSubstitutions, rendered to text, each with the others substituted into it:
/// CloudFormation replaces placeholders repeatedly (`StringUtils.replaceEachRepeatedly` in its
/// resource provider), so `First: Start${Suffix}` then `Suffix: Here` gives `StartHere`. A cycle
/// (`A: ${B}`, `B: ${A}`), which CloudFormation refuses, stops after as many rounds as there are
/// substitutions, leaving what is left of the placeholders as they are.
fn substitutions(doc: &Document, v: Option<&Value>) -> HashMap<String, String> {
    let mut subs: HashMap<String, String> = v.and_then(Value::as_object).map_or_else(HashMap::new, |m| {
        m.iter().map(|(k, v)| (k.to_string(), deployed_text(doc, v))).collect()
    });
    for _ in 0..subs.len() {
        let round: HashMap<String, String> =
            subs.iter().map(|(k, v)| (k.clone(), substituted(v, &|n| subs.get(n).cloned()))).collect();
        if round == subs {
            break;
        }
        subs = round;
    }
    subs
}

/// The function and argument of an intrinsic-function object: exactly one member, `Ref` or
/// `Fn::*`.
fn intrinsic(v: &Value) -> Option<(&str, &Value)> {
    let map = v.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let (k, arg) = map.iter().next()?;
    (&**k == "Ref" || k.starts_with("Fn::")).then_some((&**k, arg))
}

/// The opaque text an intrinsic function stands for, or `None` if `v` is not one.
fn render_intrinsic(v: &Value) -> Option<String> {
    let (function, arg) = intrinsic(v)?;
    let generic = || format!("${{{function}}}");
    Some(match function {
        "Ref" => format!("${{{}}}", opaque(arg)),
        "Fn::GetAtt" => match arg {
            Value::String(s) => format!("${{{s}}}"),
            Value::Array(_) => {
                let parts: Vec<String> = arg.as_array().unwrap_or_default().iter().map(opaque).collect();
                format!("${{{}}}", parts.join("."))
            }
            _ => generic(),
        },
        "Fn::Sub" => match sub_args(arg) {
            Some((template, vars)) => {
                let template = Located::produced(template, 0..0);
                substitute(&template, true, &|n| vars.and_then(|v| v.get(n)).map(opaque)).text
            }
            None => generic(),
        },
        "Fn::Join" => match join_args(arg) {
            Some((sep, parts)) => parts.iter().map(opaque).collect::<Vec<_>>().join(sep),
            None => generic(),
        },
        "Fn::Select" => {
            let index =
                arg.index(0).and_then(|i| i.as_i64().or_else(|| i.as_str().and_then(|s| s.parse().ok())));
            let list = arg.index(1).and_then(Value::as_array);
            match (index.and_then(|i| usize::try_from(i).ok()), list) {
                (Some(i), Some(list)) => list.get(i).map_or_else(generic, opaque),
                _ => generic(),
            }
        }
        _ => generic(),
    })
}

/// An `Fn::Sub`'s template and variables: `"template"` or `["template", {variables}]`.
fn sub_args(arg: &Value) -> Option<(&str, Option<&Map>)> {
    match arg {
        Value::String(template) => Some((template, None)),
        Value::Array(_) => Some((arg.index(0)?.as_str()?, arg.index(1).and_then(Value::as_object))),
        _ => None,
    }
}

/// An `Fn::Join`'s separator and parts: `["separator", [parts]]`.
fn join_args(arg: &Value) -> Option<(&str, &[Value])> {
    Some((arg.index(0)?.as_str()?, arg.index(1)?.as_array()?))
}

/// Any value as text: strings as they are, intrinsic functions rendered, other scalars as JSON,
/// and collections as an opaque `${?}`.
fn opaque(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Null | Value::Bool(_) | Value::Number(_) => v.to_json(),
        _ => render_intrinsic(v).unwrap_or_else(|| "${?}".to_string()),
    }
}

/// Replaces `${Name}` placeholders that `lookup` knows, leaving the others verbatim. With
/// `sub_escapes`, `${!Name}` becomes the literal `${Name}`, as `Fn::Sub` does. Text kept keeps its
/// origin; a substituted value is located at its placeholder.
fn substitute(s: &Located, sub_escapes: bool, lookup: &dyn Fn(&str) -> Option<String>) -> Located {
    let text = s.text.as_str();
    let mut out = Located::default();
    let mut done = 0;
    while let Some(open) = text.get(done..).and_then(|rest| rest.find("${")).map(|i| done + i) {
        let Some(close) = text.get(open..).and_then(|rest| rest.find('}')).map(|i| open + i) else { break };
        out.push_slice(s, done..open);
        let name = text.get(open + 2..close).unwrap_or_default();
        match (sub_escapes, name.starts_with('!')) {
            (true, true) => {
                out.push_slice(s, open..open + 2);
                out.push_slice(s, open + 3..close + 1);
            }
            _ => match lookup(name.trim()) {
                Some(value) => out.push_produced(&value, s.origins.range(open, close + 1)),
                None => out.push_slice(s, open..close + 1),
            },
        }
        done = close + 1;
    }
    out.push_slice(s, done..text.len());
    out
}

/// `text` with the `${Name}` placeholders that `lookup` knows replaced (no `Fn::Sub` escapes), when
/// where the text came from does not matter.
fn substituted(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    substitute(&Located::produced(text, 0..0), false, lookup).text
}

/// Rebuilds `v` with `f` applied top-down: where `f` gives a replacement, the node is replaced and
/// not descended into. `None` when nothing changed (so untouched subtrees stay shared).
/// Recursion is bounded by the parsers' nesting limit.
fn rewrite(v: &Value, f: &dyn Fn(&Value) -> Option<Value>) -> Option<Value> {
    rewrite_keyed(v, f, &|_| None)
}

/// [`rewrite`], also renaming an object's keys where `key` gives a new one.
fn rewrite_keyed(
    v: &Value,
    f: &dyn Fn(&Value) -> Option<Value>,
    key: &dyn Fn(&str) -> Option<String>,
) -> Option<Value> {
    if let Some(new) = f(v) {
        return Some(new);
    }
    match v {
        Value::Array(_) => {
            let items = v.as_array()?;
            let changed: Vec<Option<Value>> = items.iter().map(|item| rewrite_keyed(item, f, key)).collect();
            if changed.iter().all(Option::is_none) {
                return None;
            }
            let items =
                items.iter().zip(changed).map(|(old, new)| new.unwrap_or_else(|| old.clone())).collect();
            Some(Value::array(items))
        }
        Value::Object(_) => {
            let map = v.as_object()?;
            let changed: Vec<(Option<String>, Option<Value>)> =
                map.iter().map(|(k, item)| (key(k), rewrite_keyed(item, f, key))).collect();
            if changed.iter().all(|(k, item)| k.is_none() && item.is_none()) {
                return None;
            }
            let mut out = Map::default();
            for ((k, old), (new_key, new)) in map.iter().zip(changed) {
                let k = new_key.map_or_else(|| k.clone(), |n| n.as_str().into());
                out.insert(k, new.unwrap_or_else(|| old.clone()));
            }
            Some(Value::object(out))
        }
        _ => None,
    }
}

/// Resolves the Serverless Framework variables a serverless.yml can resolve by itself:
/// `${self:custom.waitTime}` (a path into the file) and a default, as in `${opt:stage, 'dev'}`.
/// A string that is one variable takes its value as it is (`Seconds: ${self:custom.waitTime}` is
/// the number); one inside text is written into it. Others (`${env:X}`, `${opt:stage}` without a
/// default, `${ssm:...}`) stay as written: deploy-time values, opaque here.
///
/// A value taken from the file is resolved in turn (`custom: {stage: "${opt:stage, 'dev'}"}`
/// then `${self:custom.stage}`, the usual idiom, stayed `${opt:stage, 'dev'}`: a QA pass), to
/// [`MAX_VARIABLE_DEPTH`] levels, where a cycle stops.
fn serverless_variables(root: &Value, v: &Value) -> Option<Value> {
    Variables {
        root,
        resolved: RefCell::new(HashMap::new()),
        open: RefCell::new(Vec::new()),
        budget: Cell::new(MAX_VARIABLE_TEXT),
    }
    .resolve(v)
}

/// How deep variables taken from the file are resolved in turn.
const MAX_VARIABLE_DEPTH: usize = 10;

/// The most text that writing variables into strings may make, in bytes: a file whose variables
/// each repeat the one before (`a: ${self:custom.b}${self:custom.b}...`) would otherwise grow
/// without bound (a review). Past it, placeholders stay as written.
const MAX_VARIABLE_TEXT: usize = 1 << 20;

/// Resolves a serverless.yml's variables: each variable once (remembered), a cycle or a chain
/// past [`MAX_VARIABLE_DEPTH`] left as it is written, and at most [`MAX_VARIABLE_TEXT`] bytes
/// of text written.
struct Variables<'a> {
    root: &'a Value,
    resolved: RefCell<HashMap<String, Option<Value>>>,
    open: RefCell<Vec<String>>,
    budget: Cell<usize>,
}

impl Variables<'_> {
    fn resolve(&self, v: &Value) -> Option<Value> {
        rewrite(v, &|node| {
            let s = node.as_str().filter(|s| s.contains("${"))?;
            let whole = s.strip_prefix("${").and_then(|r| r.strip_suffix('}')).filter(|r| !r.contains("${"));
            if let Some(value) = whole.and_then(|name| self.variable(name)) {
                return Some(value);
            }
            let new = substituted(s, &|n| {
                let text = opaque(&self.variable(n)?);
                let left = self.budget.get().checked_sub(text.len())?;
                self.budget.set(left);
                Some(text)
            });
            (new != s).then(|| Value::string(new))
        })
    }

    /// One variable's value: `self:a.b.c` from the file (its own variables resolved), else its
    /// default (`'dev'`, `"dev"`, `3`).
    fn variable(&self, name: &str) -> Option<Value> {
        if let Some(known) = self.resolved.borrow().get(name) {
            return known.clone();
        }
        let (source, default) = match name.split_once(',') {
            Some((s, d)) => (s.trim(), Some(d.trim())),
            None => (name.trim(), None),
        };
        let from_file = source.strip_prefix("self:").and_then(|path| {
            path.split('.').try_fold(self.root, |node, key| match node {
                Value::Array(_) => node.index(key.parse().ok()?),
                _ => node.get(key),
            })
        });
        let value = match from_file {
            Some(v) => {
                let cycle = self.open.borrow().iter().any(|n| n == name);
                if cycle || self.open.borrow().len() >= MAX_VARIABLE_DEPTH {
                    return Some(v.clone());
                }
                self.open.borrow_mut().push(name.to_string());
                let resolved = self.resolve(v).unwrap_or_else(|| v.clone());
                self.open.borrow_mut().pop();
                Some(resolved)
            }
            None => default.and_then(|default| {
                let quoted = default
                    .strip_prefix('\'')
                    .and_then(|d| d.strip_suffix('\''))
                    .or_else(|| default.strip_prefix('"').and_then(|d| d.strip_suffix('"')));
                match quoted {
                    Some(text) => Some(Value::string(text)),
                    None => {
                        json::parse(default).ok().filter(|v| !matches!(v, Value::Array(_) | Value::Object(_)))
                    }
                }
            }),
        };
        self.resolved.borrow_mut().insert(name.to_string(), value.clone());
        value
    }
}

/// Replaces intrinsic-function objects by their opaque text.
/// A `Ref` to a template parameter with a `Default` becomes that value, typed.
fn resolve_intrinsics(doc: &Document, v: &Value) -> Option<Value> {
    rewrite(v, &|node| {
        default_of_ref(doc, node)
            .cloned()
            .or_else(|| function_arn_of(doc, node).or_else(|| render_intrinsic(node)).map(Value::string))
    })
}

/// Applies DefinitionSubstitutions to every string, keys included (CloudFormation substitutes
/// in the definition's JSON text, so `States: {${Name}: ...}` names a state): a renamed key's
/// node is located at its parent.
fn substitute_strings(v: &Value, subs: &HashMap<String, String>) -> Option<Value> {
    let text = |s: &str| -> Option<String> {
        if !s.contains("${") {
            return None;
        }
        let new = substituted(s, &|n| subs.get(n).cloned());
        (new != s).then_some(new)
    };
    rewrite_keyed(v, &|node| node.as_str().and_then(text).map(Value::string), &text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn blank_text_is_white_space_and_comments_alone() {
        for text in ["", " \n\t", "# none yet\n  # still none\n", "\u{feff}# a\n"] {
            assert!(is_blank(text), "{text:?}");
            assert!(load(text).is_err(), "{text:?}");
        }
        for text in ["# a\nA: 1", "{}", "x # not a comment line"] {
            assert!(!is_blank(text), "{text:?}");
        }
    }

    fn doc(text: &str) -> Document {
        load(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn detects_the_format() {
        assert_eq!(doc("  {\"StartAt\": \"A\"}").format, Format::Json);
        assert_eq!(doc("\u{feff}[1]").format, Format::Json);
        assert_eq!(doc("StartAt: A").format, Format::Yaml);
        assert_eq!(doc("# {\nStartAt: A").format, Format::Yaml);
        // Text that starts like JSON is JSON: its error is the JSON one, even if YAML would accept it.
        let e = load("{StartAt: A}").err().unwrap_or_else(|| panic!("accepted"));
        assert!(e.message.contains("double-quoted"), "{e}");
        let e = load("a: [1\nb: 2").err().unwrap_or_else(|| panic!("accepted"));
        assert!(e.message.contains("YAML"), "{e}");
    }

    #[test]
    fn a_json_scalar_is_read_as_json() {
        // YAML refuses a surrogate pair escape that JSON allows.
        let d = doc(" \"\\ud83d\\ude00\"\n");
        assert_eq!((d.format, d.value.as_str()), (Format::Json, Some("\u{1f600}")));
        assert_eq!(doc("-12.5").value, json!(-12.5));
        assert_eq!(doc("null").format, Format::Json);
        // Text that is not a JSON scalar, though it starts like one, is still YAML.
        assert_eq!(doc("\"a\": 1").value, json!({"a": 1}));
        assert_eq!(doc("- 1\n- 2").value, json!([1, 2]));
        assert_eq!(doc("true: yes").format, Format::Yaml);
    }

    #[test]
    fn bare_definitions_are_untouched() {
        let d = doc(
            r#"{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": {"Ref": "X"}, "End": true}}}"#,
        );
        let m = select(&d, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((m.name.as_str(), m.kind, m.pointer.as_str()), ("StateMachine", Kind::Bare, ""));
        assert_eq!(m.definition, d.value);
        assert!(m.locate(&d, "/States/A/Type").is_some());
    }

    #[test]
    fn intrinsics_become_opaque_strings() {
        let v = json!({
            "a": {"Fn::GetAtt": ["F", "Arn"]},
            "b": {"Fn::GetAtt": "G.Arn"},
            "c": {"Ref": "T"},
            "d": {"Fn::Sub": "arn:${AWS::Region}:${!Literal}"},
            "e": {"Fn::Sub": ["${A}-${B}", {"A": "x", "B": {"Ref": "Y"}}]},
            "f": {"Fn::Join": [":", ["arn", {"Ref": "AWS::Partition"}, 3]]},
            "g": {"Fn::Select": [1, ["p", "q"]]},
            "h": {"Fn::ImportValue": "Shared"},
            "i": {"Ref": "R", "Other": 1},
            "j": ["#{AWS::Region}", "${opt:stage}"],
            "k": {"Condition": "C"}
        });
        let none = doc("{}");
        let out = resolve_intrinsics(&none, &v).unwrap_or_default();
        assert_eq!(
            out,
            json!({
                "a": "${F.Arn}", "b": "${G.Arn}", "c": "${T}", "d": "arn:${AWS::Region}:${Literal}",
                "e": "x-${Y}", "f": "arn:${AWS::Partition}:3", "g": "q", "h": "${Fn::ImportValue}",
                "i": {"Ref": "R", "Other": 1}, "j": ["#{AWS::Region}", "${opt:stage}"], "k": {"Condition": "C"}
            })
        );
        // Untouched subtrees are shared, not copied.
        assert!(out.get("j").is_some_and(|j| v.get("j").is_some_and(|w| j.ptr_eq(w))));
        assert!(resolve_intrinsics(&none, &json!({"x": [1, "y"]})).is_none());
    }

    #[test]
    fn placeholders_substitute() {
        let lookup = |n: &str| (n == "A").then(|| "1".to_string());
        let sub = |s: &str, escapes| substitute(&Located::produced(s, 0..0), escapes, &lookup).text;
        assert_eq!(sub("${A}${B}${ A }${!A}${unclosed", true), "1${B}1${A}${unclosed");
        assert_eq!(sub("${!A}", false), "${!A}");
    }

    #[test]
    fn serverless_machines_by_name_or_key() {
        let d = doc(
            "stepFunctions:\n  stateMachines:\n    first:\n      name: One\n      definition:\n        StartAt: A\n\
             \x20       States: {A: {Type: Task, Resource: {Fn::GetAtt: [Fn, Arn]}, End: true}}\n\
             \x20   second:\n      definition: {StartAt: B, States: {B: {Type: Succeed}}}\n    noDefinition:\n      name: X\n",
        );
        let all = machines(&d);
        assert_eq!(all.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["One", "second"]);
        let one = select(&d, Some("first")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(one.name, "One");
        assert_eq!(one.pointer, "/stepFunctions/stateMachines/first/definition");
        assert_eq!(
            one.definition.get("States").and_then(|s| s.get("A")).and_then(|a| a.get("Resource")),
            Some(&Value::string("${Fn.Arn}"))
        );
        // The replaced node is still located, at the intrinsic object's place.
        let span = one.locate(&d, "/States/A/Resource").unwrap_or_else(|| panic!("not located"));
        assert_eq!(span.value.start.line, 7);
        let e = select(&d, None).err().unwrap_or_default();
        assert!(e.contains("2 state machines") && e.contains("\"One\", \"second\""), "{e}");
        let e = select(&d, Some("Three")).err().unwrap_or_default();
        assert!(e.contains("no state machine named \"Three\"") && e.contains("\"One\""), "{e}");
        assert!(!e.contains("did you mean"), "{e}");
        // A slip gets the closest name or key (a QA pass: "orderz" for "Orders").
        let e = select(&d, Some("secnd")).err().unwrap_or_default();
        assert!(e.ends_with("(did you mean \"second\"?)"), "{e}");
        let e = select(&d, Some("firts")).err().unwrap_or_default();
        assert!(e.ends_with("(did you mean \"first\"?)"), "{e}");
    }

    #[test]
    fn cloudformation_definition_strings() {
        let d = doc(r#"{"Resources": {
                "Fn": {"Type": "AWS::Lambda::Function"},
                "Plain": {"Type": "AWS::StepFunctions::StateMachine",
                          "Properties": {"DefinitionString": "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"End\": true}}}"}},
                "Subbed": {"Type": "AWS::StepFunctions::StateMachine",
                           "Properties": {"DefinitionString": {"Fn::Sub": ["{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Task\", \"Resource\": \"${Arn}\", \"Next\": \"B\"}, \"B\": {\"Type\": \"Wait\", \"Seconds\": ${Wait}, \"End\": true}}}", {"Arn": {"Fn::GetAtt": ["Fn", "Arn"]}}]},
                                          "DefinitionSubstitutions": {"Wait": 5}}},
                "Broken": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": "{\"StartAt\": }"}},
                "Elsewhere": {"Type": "AWS::Serverless::StateMachine", "Properties": {"DefinitionUri": "sm.asl.json"}},
                "Computed": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {"Ref": "Param"}}}
            }}"#);
        let all = machines(&d);
        assert_eq!(
            all.iter().map(|m| (m.name.as_str(), m.error.is_some())).collect::<Vec<_>>(),
            [("Plain", false), ("Subbed", false), ("Broken", true), ("Elsewhere", true), ("Computed", true)]
        );
        let subbed = select(&d, Some("Subbed")).unwrap_or_else(|e| panic!("{e}"));
        // A StateMachineName (Name for SAM) names the machine; its logical ID still picks it.
        let named = doc(r#"{"Resources": {
                "Orders": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"StateMachineName": "orders-prod",
                    "Definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}}},
                "Refunds": {"Type": "AWS::Serverless::StateMachine", "Properties": {"Name": "refunds-prod",
                    "Definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}}}}}"#);
        assert_eq!(
            machines(&named).iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["orders-prod", "refunds-prod"]
        );
        assert_eq!(select(&named, Some("Orders")).map(|m| m.name), Ok("orders-prod".to_string()));
        assert_eq!(select(&named, Some("refunds-prod")).map(|m| m.name), Ok("refunds-prod".to_string()));
        assert_eq!(subbed.pointer, "/Resources/Subbed/Properties/DefinitionString");
        let states = subbed.definition.get("States").cloned().unwrap_or_default();
        // A Lambda function resource of the template gets an ARN, its deploy-time parts left as
        // placeholders, so that the Task is a Lambda function Task (it was an opaque "${Fn.Arn}").
        let arn = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}";
        assert_eq!(states.get("A").and_then(|a| a.get("Resource")), Some(&Value::string(arn)));
        assert_eq!(crate::compile::classify_resource(arn).0, crate::machine::ResourceKind::LambdaFunction);
        assert_eq!(states.get("B").and_then(|b| b.get("Seconds")), Some(&Value::int(5)));
        assert!(subbed.map.is_some() && subbed.locate(&d, "/States/B/Seconds").is_some());
        let e = select(&d, Some("Broken")).err().unwrap_or_default();
        assert!(e.contains("not valid JSON") && e.contains("line 1"), "{e}");
        let e = select(&d, Some("Elsewhere")).err().unwrap_or_default();
        assert!(e.contains("DefinitionUri"), "{e}");
        assert_eq!(
            all.get(3).map(|m| m.pointer.as_str()),
            Some("/Resources/Elsewhere/Properties/DefinitionUri")
        );
    }

    /// CloudFormation substitutes in the definition's text: keys too, and again inside what it
    /// substituted (a QA pass: `States: {${Name}: ...}` gave a missing state, `Start${Suffix}`
    /// stayed as written). A definition given twice is refused, as CloudFormation refuses it.
    #[test]
    fn definition_substitutions_reach_keys_and_repeat() {
        let d = doc(r#"{"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "DefinitionSubstitutions": {"Name": "Go", "First": "Start${Suffix}", "Suffix": "Here", "A": "${B}", "B": "${A}"},
                "Definition": {"StartAt": "${Name}", "States": {"${Name}": {"Type": "Pass",
                    "Parameters": {"key_${Name}": "${First}", "loop": "${A}"}, "End": true}}}}}}}"#);
        let m = select(&d, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.definition.get("StartAt"), Some(&Value::string("Go")));
        let params = m.definition.get("States").and_then(|s| s.get("Go")).and_then(|g| g.get("Parameters"));
        assert_eq!(params.and_then(|p| p.get("key_Go")), Some(&Value::string("StartHere")));
        // A cycle, which CloudFormation refuses, ends with a placeholder left.
        assert!(params.and_then(|p| p.get("loop")).and_then(Value::as_str).is_some_and(|s| s.contains("${")));
        let twice = doc(r#"{"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                "Definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
                "DefinitionString": "{}"}}}}"#);
        let e = select(&twice, None).err().unwrap_or_default();
        assert!(e.contains("twice, as Definition and as DefinitionString"), "{e}");
        assert_eq!(
            machines(&twice).first().map(|m| m.pointer.as_str()),
            Some("/Resources/M/Properties/DefinitionString")
        );
    }

    /// A serverless.yml resolves `${self:...}` and defaults by itself (a QA pass: `Seconds:
    /// ${self:custom.waitTime}` was a string, an error).
    #[test]
    fn serverless_variables_the_file_resolves() {
        let d = doc("custom:\n  waitTime: 7\n  greeting: hello\n  list: [a, b]\nstepFunctions:\n  stateMachines:\n    m:\n\
                     \x20     definition:\n        StartAt: W\n        States:\n          W: {Type: Wait, Seconds: '${self:custom.waitTime}', Next: P}\n\
                     \x20         P:\n            Type: Pass\n            Result: {g: '${self:custom.greeting} world', s: \"${opt:stage, 'dev'}\",\n\
                     \x20             n: '${opt:count, 3}', l: '${self:custom.list.1}', e: '${env:HOME}', o: '${opt:stage}'}\n            End: true\n");
        let m = select(&d, None).unwrap_or_else(|e| panic!("{e}"));
        let states = m.definition.get("States").cloned().unwrap_or_default();
        assert_eq!(states.get("W").and_then(|w| w.get("Seconds")), Some(&Value::int(7)));
        let r = states.get("P").and_then(|p| p.get("Result")).cloned().unwrap_or_default();
        assert_eq!(r.get("g"), Some(&Value::string("hello world")));
        assert_eq!(r.get("s"), Some(&Value::string("dev")));
        assert_eq!(r.get("n"), Some(&Value::int(3)));
        assert_eq!(r.get("l"), Some(&Value::string("b")));
        // Deploy-time values stay as written.
        assert_eq!(r.get("e"), Some(&Value::string("${env:HOME}")));
        assert_eq!(r.get("o"), Some(&Value::string("${opt:stage}")));
    }

    /// JSON with a `//` comment, or a stray character typed before its `{`, is named as such,
    /// at its start (both were read as YAML and got YAML's error, or "must be a valid JSON
    /// object", far from the cause: a QA pass); a YAML document is still YAML.
    #[test]
    fn comments_and_text_before_json_are_named() {
        let json =
            "{\n  \"StartAt\": \"A\",\n  \"States\": {\"A\": {\"Type\": \"Pass\", \"End\": true}}\n}\n";
        let e = load(&format!("// my machine\n{json}")).err().unwrap_or_else(|| panic!("loaded"));
        assert_eq!(
            (e.message.as_str(), e.pos.line, e.pos.column),
            ("JSON has no comments: remove the // or /* */ comment", 1, 1)
        );
        assert_eq!(syntax_of(&format!("/* a */ // b\n{json}")), Format::Json);
        for (text, line) in [(format!("x{json}"), 1), (format!("\n  oops {json}"), 2)] {
            let e = text_before_json(&text).unwrap_or_else(|| panic!("not found in {text}"));
            assert!(e.message.starts_with("unexpected text before the JSON value"), "{}", e.message);
            assert_eq!(e.pos.line, line, "{text}");
        }
        // A document YAML reads as a string is one (an execution input may be any JSON value).
        assert_eq!(load("hello [1, 2]").ok().map(|d| d.value), Some(Value::string("hello [1, 2]")));
        assert!(load("x\n{\n  \"a\": 1\n}\n").is_err());
        let yaml = load("# a comment\nStartAt: A\nStates: {A: {Type: Pass, End: true}}\n").map(|d| d.format);
        assert_eq!(yaml.ok(), Some(Format::Yaml));
    }

    /// Variables taken from the file are resolved in turn, in the definition and in the machine's
    /// name (the usual `stage: ${opt:stage, 'dev'}` then `${self:custom.stage}` stayed
    /// `${opt:stage, 'dev'}`, and the name as written: a QA pass); a cycle stops.
    #[test]
    fn serverless_variables_from_the_file_are_resolved_in_turn() {
        let d = doc("custom:\n  stage: \"${opt:stage, 'dev'}\"\n  loop: '${self:custom.loop}'\nstepFunctions:\n  stateMachines:\n\
                     \x20   m:\n      name: orders-${self:custom.stage}\n      definition:\n        StartAt: P\n        States:\n\
                     \x20         P: {Type: Pass, Result: {a: '${self:custom.stage}', c: '${self:custom.loop}'}, End: true}\n");
        let m = select(&d, Some("orders-dev")).unwrap_or_else(|e| panic!("{e}"));
        let r = m.definition.get("States").and_then(|s| s.get("P")).and_then(|p| p.get("Result")).cloned();
        let r = r.unwrap_or_default();
        assert_eq!(r.get("a"), Some(&Value::string("dev")));
        assert_eq!(r.get("c"), Some(&Value::string("${self:custom.loop}")));
    }

    /// Variables that each repeat the one before many times are resolved once each, and writing
    /// them stops at a megabyte of text (resolved in turn without either, such a file grew to
    /// gigabytes: a review).
    #[test]
    fn serverless_variables_that_multiply_stay_bounded() {
        let mut custom = String::from("  v0: x\n");
        for i in 1..=12 {
            let prev = format!("${{self:custom.v{}}}", i - 1).repeat(8);
            custom.push_str(&format!("  v{i}: '{prev}'\n"));
        }
        let text = format!(
            "custom:\n{custom}stepFunctions:\n  stateMachines:\n    m:\n      definition:\n        StartAt: P\n\
             \x20       States:\n          P: {{Type: Pass, Result: {{a: '${{self:custom.v3}}', z: '${{self:custom.v12}}'}}, End: true}}\n"
        );
        let m = select(&doc(&text), None).unwrap_or_else(|e| panic!("{e}"));
        let r = m.definition.get("States").and_then(|s| s.get("P")).and_then(|p| p.get("Result")).cloned();
        let r = r.unwrap_or_default();
        assert_eq!(r.get("a"), Some(&Value::string("x".repeat(512))));
        let z = r.get("z").and_then(Value::as_str).unwrap_or_default().to_string();
        assert!(z.len() <= 2 << 20, "{}", z.len());
        assert!(z.contains("${self:custom."), "placeholders past the budget stay as written");
    }

    /// A DefinitionSubstitution or a machine's name given by `Fn::Sub` or `Ref` uses the template
    /// parameters' Defaults too (`!Sub "hi-${Env}"` stayed `hi-${Env}`, and the name fell back to
    /// the logical ID: a QA pass); a name that needs a deploy-time value still does.
    #[test]
    fn substitutions_and_names_given_by_intrinsics_use_parameter_defaults() {
        let d = doc(r#"{"Parameters": {"Env": {"Type": "String", "Default": "prod"}},
            "Resources": {
                "SM": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                    "StateMachineName": {"Fn::Sub": "orders-${Env}"},
                    "DefinitionSubstitutions": {"B": {"Fn::Sub": "hi-${Env}"}, "C": {"Fn::Sub": ["hi-${X}", {"X": {"Ref": "Env"}}]},
                        "J": {"Fn::Join": ["-", ["a", {"Ref": "Env"}]]}},
                    "Definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"b": "${B}", "c": "${C}", "j": "${J}"}, "End": true}}}}},
                "Stacked": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                    "StateMachineName": {"Fn::Sub": "${AWS::StackName}-x"},
                    "Definition": {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}}}}}"#);
        let m = select(&d, Some("orders-prod")).unwrap_or_else(|e| panic!("{e}"));
        let r = m.definition.get("States").and_then(|s| s.get("P")).and_then(|p| p.get("Result")).cloned();
        let r = r.unwrap_or_default();
        assert_eq!(r.get("b"), Some(&Value::string("hi-prod")));
        assert_eq!(r.get("c"), Some(&Value::string("hi-prod")));
        assert_eq!(r.get("j"), Some(&Value::string("a-prod")));
        assert!(select(&d, Some("Stacked")).is_ok());
    }

    /// With a reader (the CLI's, beside the template), a definition in a file of its own is read:
    /// SAM's DefinitionUri with its substitutions, serverless's `${file(...)}`; without one, such
    /// a machine says it cannot be fetched.
    #[test]
    fn definitions_in_files_of_their_own_are_read_with_a_reader() {
        let d = doc("Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n\
                     \x20     DefinitionUri: sm/flow.asl.yaml\n      DefinitionSubstitutions: {Name: Go}\n\
                     stepFunctions:\n  stateMachines:\n    s:\n      definition: ${file(sm/other.json)}\n");
        let read = |path: &str| match path {
            "sm/flow.asl.yaml" => {
                Some(Ok("StartAt: ${Name}\nStates: {${Name}: {Type: Succeed}}\n".to_string()))
            }
            "sm/other.json" => {
                Some(Ok(r#"{"StartAt": "X", "States": {"X": {"Type": "Succeed"}}}"#.to_string()))
            }
            _ => None,
        };
        let m = choose_reading(&d, Some("M"), &read).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.error, None);
        assert_eq!(m.definition.get("StartAt"), Some(&Value::string("Go")));
        assert_eq!(m.pointer, "/Resources/M/Properties/DefinitionUri");
        let s = choose_reading(&d, Some("s"), &read).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.definition.get("StartAt"), Some(&Value::string("X")));
        let e = select(&d, Some("M")).err().unwrap_or_default();
        assert!(
            e.contains("separate file (DefinitionUri: sm/flow.asl.yaml), which Statelab cannot fetch"),
            "{e}"
        );
        // A file looked for and not found says so (a QA pass: the CLI said it 'cannot fetch' a
        // file it reads when it is there).
        let missing = |_: &str| Some(Err("No such file or directory".to_string()));
        for name in ["M", "s"] {
            let m = choose_reading(&d, Some(name), &missing).unwrap_or_else(|e| panic!("{e}"));
            let e = m.error_message().unwrap_or_default();
            assert!(e.contains("cannot be read: No such file or directory"), "{name}: {e}");
        }
    }

    /// A template parameter's Default is what `Ref` and `${Name}` stand for (a QA pass: a
    /// DefinitionString with `"TimeoutSeconds": ${Timeout}` was no JSON at all).
    #[test]
    fn template_parameters_with_defaults_are_used() {
        let d = doc(
            r#"{"Parameters": {"Timeout": {"Type": "Number", "Default": 60}, "Fn": {"Type": "String"}},
            "Resources": {
                "Subbed": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {"Fn::Sub":
                    "{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"Resource\": \"${Fn}\", \"TimeoutSeconds\": ${Timeout}, \"End\": true}}}"}}},
                "Joined": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {"Fn::Join": ["",
                    ["{\"StartAt\": \"W\", \"States\": {\"W\": {\"Type\": \"Wait\", \"Seconds\": ", {"Ref": "Timeout"}, ", \"End\": true}}}"]]}}},
                "Object": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"Definition":
                    {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": {"Ref": "Timeout"}, "End": true}}}}}}}"#,
        );
        for (name, state, field) in
            [("Subbed", "T", "TimeoutSeconds"), ("Joined", "W", "Seconds"), ("Object", "W", "Seconds")]
        {
            let m = select(&d, Some(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            let v = m.definition.get("States").and_then(|s| s.get(state)).and_then(|s| s.get(field)).cloned();
            assert_eq!(v, Some(Value::int(60)), "{name}");
        }
        // A parameter without a Default stays a placeholder.
        let m = select(&d, Some("Subbed")).unwrap_or_else(|e| panic!("{e}"));
        let t = m.definition.get("States").and_then(|s| s.get("T")).cloned().unwrap_or_default();
        assert_eq!(t.get("Resource"), Some(&Value::string("${Fn}")));
    }

    /// A `Ref` to a parameter with a Default is that Default also where a template names it as a
    /// DefinitionSubstitution or an `Fn::Sub` variable (it stayed the opaque `${P}`, so a
    /// substituted `"Seconds": ${Wait}` was no JSON and the machine could not be read).
    #[test]
    fn parameter_defaults_reach_substitutions_and_sub_variables() {
        let d = doc(r#"{"Parameters": {"P": {"Type": "Number", "Default": 7}},
            "Resources": {
                "Substituted": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                    "DefinitionSubstitutions": {"Wait": {"Ref": "P"}},
                    "DefinitionString": "{\"StartAt\": \"W\", \"States\": {\"W\": {\"Type\": \"Wait\", \"Seconds\": ${Wait}, \"End\": true}}}"}},
                "Variables": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {"Fn::Sub": [
                    "{\"StartAt\": \"W\", \"States\": {\"W\": {\"Type\": \"Wait\", \"Seconds\": ${Wait}, \"End\": true}}}",
                    {"Wait": {"Ref": "P"}}]}}},
                "Object": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
                    "DefinitionSubstitutions": {"Name": {"Ref": "P"}},
                    "Definition": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Comment": "${Name}", "End": true}}}}}}}"#);
        for (name, field, want) in [
            ("Substituted", "Seconds", Value::int(7)),
            ("Variables", "Seconds", Value::int(7)),
            ("Object", "Comment", Value::string("7")),
        ] {
            let m = select(&d, Some(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            let w = m.definition.get("States").and_then(|s| s.get("W")).and_then(|s| s.get(field)).cloned();
            assert_eq!(w, Some(want), "{name}");
        }
    }

    /// Two machines of one name are told apart by their keys, which the error names (it named
    /// neither, and the first could not be chosen: a QA pass).
    #[test]
    fn machines_of_one_name_are_chosen_by_key() {
        let d = doc("stepFunctions:\n  stateMachines:\n    a1:\n      name: alpha\n      definition: {StartAt: A, States: {A: {Type: Succeed}}}\n\
                     \x20   a2:\n      name: alpha\n      definition: {StartAt: B, States: {B: {Type: Succeed}}}\n");
        let e = select(&d, Some("alpha")).err().unwrap_or_default();
        assert!(e.contains("choose one by its key, \"a1\" or \"a2\""), "{e}");
        let m = select(&d, Some("a1")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.definition.get("StartAt"), Some(&Value::string("A")));
    }

    #[test]
    fn serverless_resources_and_included_files() {
        let d = doc(
            "stepFunctions:\n  stateMachines:\n    fromFile:\n      definition: ${file(machines/main.json)}\n\
             resources:\n  Resources:\n    Extra:\n      Type: AWS::StepFunctions::StateMachine\n\
             \x20     Properties:\n        Definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}\n",
        );
        let all = machines(&d);
        assert_eq!(
            all.iter().map(|m| (m.name.as_str(), m.kind)).collect::<Vec<_>>(),
            [("fromFile", Kind::Serverless), ("Extra", Kind::CloudFormation)]
        );
        let e = select(&d, Some("fromFile")).err().unwrap_or_default();
        assert!(e.contains("machines/main.json") && e.contains("separate file"), "{e}");
        let extra = select(&d, Some("Extra")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(extra.pointer, "/resources/Resources/Extra/Properties/Definition");
        assert_eq!(extra.locate(&d, "/States/A").map(|n| n.value.start.line), Some(10));
    }

    #[test]
    fn no_machine() {
        for text in ["a: 1", "[1, 2]", "just text", "Resources: {B: {Type: AWS::S3::Bucket}}"] {
            assert_eq!(select(&doc(text), None).err().as_deref(), Some(NO_MACHINE), "{text}");
        }
    }
}
