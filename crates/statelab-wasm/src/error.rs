//! The one way a call fails: a [`Failure`] becomes a thrown JS `Error` whose `code` says what
//! went wrong and whose extra fields say where. Also the one way values cross to JS.

use serde::Serialize;
use statelab::report::DiagnosticReport;
use statelab::stubs::StubError;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_ERRORS: &str = r#"
/** What went wrong, as a thrown error's `code`. */
export type ErrorCode =
  /** The definition has errors: see `diagnostics`. */
  | "INVALID_DEFINITION"
  /** An option is unknown, of the wrong type, or out of range. */
  | "BAD_OPTIONS"
  /** The input has no JSON form (a function, a `BigInt`, a cycle) or is over 256 KiB (`error` says so). */
  | "BAD_INPUT"
  /** The stubs cannot be used: see `pointer`. */
  | "BAD_STUBS"
  /** `runTo` names no state of the machine. */
  | "NO_SUCH_STATE"
  /** `inspect` names a step that was not taken (or is not a number). */
  | "NO_SUCH_STEP"
  /** The web build was used before `init()` or `initSync()`. */
  | "NOT_INITIALIZED"
  /** A bug in Statelab: please report it. */
  | "INTERNAL";

/**
 * Every error Statelab throws: an `Error` named `StatelabError` with a `code` and, depending on
 * the code, the fields that locate the problem.
 */
export interface StatelabError extends Error {
  name: "StatelabError";
  code: ErrorCode;
  /** `INVALID_DEFINITION`: every problem, errors first, located in the definition text. */
  diagnostics?: Diagnostic[];
  /** `BAD_STUBS`: a JSON Pointer into the stubs (`/HelloWorld/1`); `""` for the whole. */
  pointer?: string;
  /** `BAD_INPUT` when the input breaks a limit: the ASL error (`States.DataLimitExceeded`). */
  error?: string;
}
"#;

/// Why a call could not do what was asked. The variants are the `ErrorCode`s of the `.d.ts`.
#[derive(Debug)]
pub enum Failure {
    /// `INVALID_DEFINITION`: `run('{"StartAt": "A", "States": {}}')`. Every diagnostic, errors
    /// first.
    InvalidDefinition(Vec<DiagnosticReport>),
    /// `BAD_OPTIONS`: `run(def, {}, {maxStep: 5})` (unknown field), `{type: "fast"}`.
    BadOptions(String),
    /// `BAD_INPUT`: `run(def, {n: 1n})`; with the ASL error name when the input is over a
    /// limit (`States.DataLimitExceeded`).
    BadInput {
        /// What is wrong.
        message: String,
        /// The ASL error StartExecution would give, if any.
        error: Option<String>,
    },
    /// `BAD_STUBS`: `{stubs: {A: {Retrun: 1}}}`, with the pointer `/A`.
    BadStubs(StubError),
    /// `NO_SUCH_STATE`: `runTo("Nope")` on a machine without a state `Nope` (or `runTo(5)`): the
    /// message.
    NoSuchState(String),
    /// `NO_SUCH_STEP`: `inspect(9)` after 3 steps, or `inspect('1')`: the message.
    NoSuchStep(String),
    /// `INTERNAL`: a value that could not cross to JS. A bug.
    Internal(String),
}

impl Failure {
    fn code(&self) -> &'static str {
        match self {
            Failure::InvalidDefinition(_) => "INVALID_DEFINITION",
            Failure::BadOptions(_) => "BAD_OPTIONS",
            Failure::BadInput { .. } => "BAD_INPUT",
            Failure::BadStubs(_) => "BAD_STUBS",
            Failure::NoSuchState(_) => "NO_SUCH_STATE",
            Failure::NoSuchStep(_) => "NO_SUCH_STEP",
            Failure::Internal(_) => "INTERNAL",
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::InvalidDefinition(diagnostics) => {
                let errors: Vec<&DiagnosticReport> =
                    diagnostics.iter().filter(|d| d.severity == statelab::Severity::Error).collect();
                match errors.first() {
                    Some(d) => {
                        let place = match (d.line, d.column) {
                            (Some(l), Some(c)) => format!("{l}:{c}: "),
                            _ => String::new(),
                        };
                        let at = d.location.as_ref().map(|p| format!(" (at {p})")).unwrap_or_default();
                        let more = match errors.len() {
                            1 => String::new(),
                            n => format!(" (and {} more)", n - 1),
                        };
                        format!("Invalid definition: {place}{}{at}{more}", d.message)
                    }
                    None => "Invalid definition".to_string(),
                }
            }
            Failure::BadOptions(m) => format!("Bad options: {}", clip_values(m)),
            Failure::BadInput { message, .. } => format!("Bad input: {message}"),
            // Where the choice is made here.
            Failure::BadStubs(e) if e.asked == Some(statelab::stubs::Asked::Unchosen) => {
                format!("Bad stubs: {e} (with the stateMachine option)")
            }
            Failure::BadStubs(e) => format!("Bad stubs: {e}"),
            Failure::NoSuchState(message) => message.clone(),
            Failure::NoSuchStep(m) => m.clone(),
            Failure::Internal(m) => format!("Internal error (a bug in Statelab): {m}"),
        }
    }
}

/// The one error conversion: a `StatelabError` (an `Error` with `name`, `code` and the
/// variant's fields), which wasm-bindgen throws.
impl From<Failure> for JsValue {
    fn from(f: Failure) -> JsValue {
        let e = js_sys::Error::new(&f.message());
        e.set_name("StatelabError");
        let set = |key: &str, value: JsValue| {
            // Setting a property on a fresh Error cannot fail.
            let _ = js_sys::Reflect::set(&e, &JsValue::from_str(key), &value);
        };
        set("code", f.code().into());
        match &f {
            Failure::InvalidDefinition(d) => set("diagnostics", to_js(d).unwrap_or(JsValue::NULL)),
            Failure::BadStubs(s) => set("pointer", s.pointer.as_str().into()),
            Failure::BadInput { error: Some(name), .. } => set("error", name.as_str().into()),
            _ => {}
        }
        e.into()
    }
}

/// What kind of JS value `v` is, with its article, for a message ("not a number"): `typeof`
/// said "a object" of `null` and of arrays, and "a undefined".
pub fn kind_of(v: &JsValue) -> &'static str {
    if v.is_null() {
        return "null";
    }
    // The catching import: Array.isArray throws for a revoked Proxy, and an exception through
    // the module breaks it (see options.rs).
    match crate::options::is_array(v) {
        Ok(true) => return "an array",
        Ok(false) => {}
        Err(_) => return "an object that cannot be read (a revoked Proxy?)",
    }
    match v.js_typeof().as_string().as_deref() {
        Some("undefined") => "undefined",
        Some("object") => "an object",
        Some("boolean") => "a boolean",
        Some("number") => "a number",
        Some("bigint") => "a BigInt",
        Some("string") => "a string",
        Some("symbol") => "a symbol",
        Some("function") => "a function",
        _ => "a value of another kind",
    }
}

/// Text the caller gave, quoted in a message at most about 100 characters long (a 50 MB state
/// name made a 50 MB message).
pub fn quoted(text: &str) -> String {
    clip(text, 100)
}

/// `text` cut to `max` characters, with `…` where it was cut.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_string(),
    }
}

/// A message with each value it quotes (between backticks or double quotes, as serde quotes
/// them) cut to 200 characters, and the whole to 500: a message about a 10 MB option was 10 MB
/// long (a QA pass), and one of a million quote marks would still have been (a review).
pub fn clip_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(1024));
    let mut piece = String::new();
    let mut quoted = false;
    for c in message.chars() {
        if matches!(c, '`' | '"') {
            let done = std::mem::take(&mut piece);
            out.push_str(&if quoted { clip(&done, 200) } else { done });
            quoted = !quoted;
            out.push(c);
        } else {
            piece.push(c);
        }
    }
    out.push_str(&piece);
    clip(&out, 500)
}

/// A Rust value as a plain JS value (objects, arrays, strings, numbers, `null`), as `JSON.parse`
/// would give it.
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, Failure> {
    // serde-wasm-bindgen would make a "__proto__" key the object's prototype (see `proto`).
    if !crate::proto::has_proto_key(v) {
        if let Ok(js) = v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()) {
            return Ok(js);
        }
    }
    // Through JSON text, which keeps a "__proto__" key as an own property; also the way for the
    // one thing the serializer refuses, an integer past 2^53, which JSON text (a Pass state's
    // `Result`) may hold: JSON.parse rounds it as JS does.
    let text = serde_json::to_string(v).map_err(|e| Failure::Internal(e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| Failure::Internal("unreadable JSON".into()))
}
