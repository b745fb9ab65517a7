//! Definition problems: AWS's code, a message, a JSON Pointer, and a place in the text.

use std::fmt;

use crate::source::{SourceMap, Span};
use crate::value::Value;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// AWS would reject the definition.
    Error,
    /// Legal, but probably not what was meant.
    Warning,
}

/// One problem found in a definition.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// AWS's code (`SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`, ...), or ours for
    /// warnings and for problems AWS has no code for.
    pub code: String,
    /// What is wrong, in AWS's words where known.
    pub message: String,
    /// JSON Pointer into the definition (`/States/Check/Choices/0/Next`); `/` for a problem of the
    /// definition object itself (a missing `StartAt`), as AWS reports it; `None` for problems of
    /// the whole definition that AWS reports without a location (`at null`). AWS writes array
    /// indices as `Choices[0]`; Statelab keeps standard JSON Pointers, so that every location
    /// resolves in the text.
    pub location: Option<String>,
    /// Where in the text, when the text was parsed with positions.
    pub span: Option<Span>,
    /// A more precise pointer to highlight than `location`, when AWS reports a problem at the
    /// parent (an unsupported field is reported at its state, but highlighted at its key).
    #[serde(skip)]
    pub target: Option<String>,
    /// Where in the string at `location` the problem is, in bytes of the string's value (a
    /// JSONata expression's parse error): the span then covers that character, not the string.
    #[serde(skip)]
    pub value_offset: Option<usize>,
}

impl Diagnostic {
    /// An error at a pointer.
    pub fn error(code: &str, message: impl Into<String>, location: Option<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code: code.to_string(),
            message: message.into(),
            location,
            span: None,
            target: None,
            value_offset: None,
        }
    }

    /// Places the problem at byte `offset` of the string value at `location`.
    pub fn at_value_offset(mut self, offset: usize) -> Diagnostic {
        self.value_offset = Some(offset);
        self
    }

    /// Highlights `target` (a pointer below `location`) instead of `location` itself.
    pub fn at_target(mut self, target: String) -> Diagnostic {
        self.target = Some(target);
        self
    }

    /// A warning at a pointer.
    pub fn warning(code: &str, message: impl Into<String>, location: Option<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message, location) }
    }

    /// Fills in `span` from a source map. `prefix` is where the definition sits inside the
    /// document (a serverless.yml or CloudFormation template), `""` for a bare definition; `def` is
    /// the definition itself.
    ///
    /// A problem with a field (`target`) points at the field's key. A problem of an object (a
    /// state, a Retrier) points at the key that names it, not at its whole text; a problem of a
    /// value points at the value. A pointer that names nothing in the text (a missing field)
    /// falls back to its nearest ancestor.
    pub fn locate(&mut self, map: &SourceMap, prefix: &str, def: &Value) {
        let rel = match self.target.as_deref().or(self.location.as_deref()) {
            // AWS's location for the definition itself.
            Some("/") | None => "",
            Some(p) => p,
        };
        let mut p = rel;
        loop {
            if let Some(node) = map.get(&format!("{prefix}{p}")) {
                let container = matches!(resolve(def, p), Some(Value::Object(_) | Value::Array(_)));
                let exact_field = p == rel && (self.target.is_some() || self.code == "DUPLICATE_KEY");
                self.span = Some(match node.key {
                    Some(key) if exact_field || container => key,
                    _ => node.value,
                });
                if let (Some(offset), true) = (self.value_offset, p == rel) {
                    if let Some(span) = within_string(map, node.value, resolve(def, p), offset) {
                        self.span = Some(span);
                    }
                }
                return;
            }
            match p.rfind('/') {
                Some(i) => p = p.get(..i).unwrap_or(""),
                None => return,
            }
        }
    }

    /// `true` for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The character at byte `offset` of the string `value`, whose token spans `token` in the text:
/// found by reading the token back (escapes, YAML folding), or `None` when it does not read back
/// to `value` (a string inside a DefinitionString, say), since a guess could name the wrong place.
fn within_string(map: &SourceMap, token: Span, value: Option<&Value>, offset: usize) -> Option<Span> {
    let value = value?.as_str()?;
    let lines = map.lines();
    let raw = lines.text().get(token.start.offset..token.end.offset)?;
    let located = crate::origins::scalar(raw, token.start.offset, value)?;
    let end = value.get(offset..)?.chars().next().map_or(offset, |c| offset + c.len_utf8());
    let range = located.origins.range(offset, end);
    Some(Span { start: lines.pos(range.start), end: lines.pos(range.end) })
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        match &self.location {
            Some(l) => write!(f, " at {l}")?,
            None => f.write_str(" at null")?,
        }
        if let Some(s) = &self.span {
            write!(f, " (line {}, column {})", s.start.line, s.start.column)?;
        }
        Ok(())
    }
}

/// The value a JSON Pointer names inside `v`.
fn resolve<'a>(v: &'a Value, pointer: &str) -> Option<&'a Value> {
    let mut cur = v;
    if pointer.is_empty() {
        return Some(cur);
    }
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = crate::source::unescape_token(token);
        cur = match cur {
            Value::Object(_) => cur.get(&token)?,
            Value::Array(_) => cur.index(token.parse().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}
