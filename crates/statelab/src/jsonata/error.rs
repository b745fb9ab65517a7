//! JSONata errors: jsonata-js's codes and message catalog, plus Statelab's limit errors.

use std::fmt;

/// What kind of failure an error is, so a caller can word it (Step Functions joins a coded error
/// to its sentence with `. ` and a limit error with `: `).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// `S0xxx`: the expression does not parse (`1 +`, `"unterminated`).
    Syntax,
    /// `T0xxx`/`T1xxx`/`T2xxx`: a value of the wrong type (`1 + "a"`, `$sum(["a"])`).
    Type,
    /// `D0xxx`…`D3xxx`: a value that is well typed but not allowed (`$sqrt(-1)`, `$error("x")`).
    Dynamic,
    /// An evaluation limit: nesting depth (`1+1+…` with 101 terms), the step budget (a
    /// recursion with no base case) or the memory bound (`[1..900000]`). These carry no code in
    /// Step Functions' causes.
    Limit,
    /// The expression evaluated to something JSON cannot hold, such as a function
    /// (`function($x){$x}`). Step Functions reports it as `returned an unsupported result type`.
    UnsupportedResult,
}

/// A JSONata parse or evaluation error: one pointer wide (errors travel up every evaluation
/// frame, so the `Result`s that carry them must stay small); its fields are [`ErrorDetails`].
#[derive(Clone, Debug, PartialEq)]
pub struct JsonataError(Box<ErrorDetails>);

/// What a [`JsonataError`] says (reached through `Deref`: `error.code`, `error.message`).
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorDetails {
    /// The JSONata error code (`S0201`, `T2001`, `D3137`; `U1001`/`U1002` for Statelab's limits;
    /// `U1010` for an unsupported result).
    pub code: &'static str,
    /// The message, worded as jsonata-js words it.
    pub message: String,
    /// Character offset in the expression text (jsonata-js's position: just past the token).
    pub position: Option<usize>,
    /// The token the error is about (an operator, a function name), when there is one.
    pub token: Option<String>,
    /// What kind of failure this is.
    pub kind: ErrorKind,
    detail: Detail,
}

impl std::ops::Deref for JsonataError {
    type Target = ErrorDetails;
    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl std::ops::DerefMut for JsonataError {
    fn deref_mut(&mut self) -> &mut ErrorDetails {
        &mut self.0
    }
}

/// The values a message template is filled with, already rendered as JSON text.
#[derive(Clone, Debug, Default, PartialEq)]
struct Detail {
    value: Option<String>,
    value2: Option<String>,
    index: Option<usize>,
    /// `type` for T0412, `exp` for D3061, `functionName` for D3140, `message` for D3137/D3141.
    extra: Option<String>,
    rendered: bool,
}

impl JsonataError {
    /// An error with a code from the catalog; its message is rendered from the template.
    pub(crate) fn new(code: &'static str) -> JsonataError {
        let kind = match code.as_bytes().first() {
            Some(b'S') => ErrorKind::Syntax,
            Some(b'T') => ErrorKind::Type,
            Some(b'U') => ErrorKind::Limit,
            _ => ErrorKind::Dynamic,
        };
        JsonataError(Box::new(ErrorDetails {
            code,
            message: String::new(),
            position: None,
            token: None,
            kind,
            detail: Detail::default(),
        }))
    }

    /// An error at a position.
    pub(crate) fn at(code: &'static str, position: usize) -> JsonataError {
        JsonataError::new(code).pos(position)
    }

    pub(crate) fn pos(mut self, position: usize) -> JsonataError {
        self.position = Some(position);
        self
    }

    pub(crate) fn token(mut self, token: impl Into<String>) -> JsonataError {
        self.token = Some(token.into());
        self
    }

    /// Sets the `{{value}}` insert, given as JSON text.
    pub(crate) fn value_json(mut self, json: impl Into<String>) -> JsonataError {
        self.detail.value = Some(json.into());
        self
    }

    /// Sets the `{{value}}` insert from a string (rendered quoted, as JSON.stringify does).
    pub(crate) fn value_str(self, s: &str) -> JsonataError {
        let mut out = String::new();
        crate::value::write_json_string(s, &mut out);
        self.value_json(out)
    }

    pub(crate) fn value2_json(mut self, json: impl Into<String>) -> JsonataError {
        self.detail.value2 = Some(json.into());
        self
    }

    pub(crate) fn index(mut self, index: usize) -> JsonataError {
        self.detail.index = Some(index);
        self
    }

    pub(crate) fn extra(mut self, extra: impl Into<String>) -> JsonataError {
        self.detail.extra = Some(extra.into());
        self
    }

    /// A limit error (no code in Step Functions' wording).
    pub(crate) fn limit(code: &'static str, message: &str) -> JsonataError {
        let mut e = JsonataError::new(code);
        e.kind = ErrorKind::Limit;
        e.message = message.to_string();
        e.detail.rendered = true;
        e
    }

    /// The nesting depth limit was exceeded. The wording is AWS's.
    pub(crate) fn depth() -> JsonataError {
        JsonataError::limit(
            "U1001",
            "Stack overflow error: Check for non-terminating recursive function. Consider rewriting as tail-recursive",
        )
    }

    /// The step budget ran out. The wording is AWS's time-limit message.
    pub(crate) fn timeout() -> JsonataError {
        JsonataError::limit("U1001", "Expression evaluation timeout: Check for infinite loop")
    }

    /// The memory bound was exceeded. The wording is AWS's.
    pub(crate) fn memory() -> JsonataError {
        JsonataError::limit(
            "U1002",
            "Expression evaluation memory limit exceeded: Check for excessive memory usage",
        )
    }

    /// The result is not JSON (a function).
    pub(crate) fn unsupported_result() -> JsonataError {
        let mut e = JsonataError::new("U1010");
        e.kind = ErrorKind::UnsupportedResult;
        e.message = "The expression returned an unsupported result type (a function)".to_string();
        e.detail.rendered = true;
        e
    }

    /// `true` for the limit errors, which must not be caught by anything inside the evaluation.
    pub(crate) fn is_limit(&self) -> bool {
        self.kind == ErrorKind::Limit
    }

    /// Fills in the message from the catalog (once).
    pub(crate) fn render(mut self) -> JsonataError {
        if self.detail.rendered {
            return self;
        }
        self.detail.rendered = true;
        let template = template(self.code);
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find("{{") {
            out.push_str(rest.get(..open).unwrap_or(""));
            let after = rest.get(open..).unwrap_or("");
            let triple = after.starts_with("{{{");
            let skip = if triple { 3 } else { 2 };
            let close_pat = if triple { "}}}" } else { "}}" };
            let inner = after.get(skip..).unwrap_or("");
            let Some(close) = inner.find(close_pat) else {
                out.push_str(after);
                rest = "";
                break;
            };
            let name = inner.get(..close).unwrap_or("");
            out.push_str(&self.insert(name, triple));
            rest = inner.get(close + close_pat.len()..).unwrap_or("");
        }
        out.push_str(rest);
        self.message = out;
        self
    }

    /// One insert: `{{x}}` is JSON-rendered, `{{{x}}}` is raw (jsonata-js `populateMessage`).
    fn insert(&self, name: &str, raw: bool) -> String {
        let undefined = || "undefined".to_string();
        match name {
            "token" => match &self.token {
                Some(t) if raw => t.clone(),
                Some(t) => {
                    let mut s = String::new();
                    crate::value::write_json_string(t, &mut s);
                    s
                }
                None => undefined(),
            },
            "value" => match &self.detail.value {
                // A raw insert of a string value shows it without quotes.
                Some(v) if raw => unquote(v),
                Some(v) => v.clone(),
                None => undefined(),
            },
            "value2" => self.detail.value2.clone().unwrap_or_else(undefined),
            "index" => self.detail.index.map(|i| i.to_string()).unwrap_or_else(undefined),
            "type" => match &self.detail.extra {
                Some(t) => {
                    let mut s = String::new();
                    crate::value::write_json_string(t, &mut s);
                    s
                }
                None => undefined(),
            },
            "exp" => self.detail.extra.clone().unwrap_or_else(undefined),
            "message" | "functionName" => self.detail.extra.clone().unwrap_or_else(undefined),
            _ => undefined(),
        }
    }
}

fn unquote(json: &str) -> String {
    match serde_json::from_str::<String>(json) {
        Ok(s) => s,
        Err(_) => json.to_string(),
    }
}

impl fmt::Display for JsonataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Limit | ErrorKind::UnsupportedResult => f.write_str(&self.message),
            _ => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for JsonataError {}

/// jsonata-js 2.0.6's message catalog (`errorCodes`), plus the codes Statelab adds for regular
/// expressions it cannot run.
fn template(code: &str) -> &'static str {
    match code {
        "S0101" => "String literal must be terminated by a matching quote",
        "S0102" => "Number out of range: {{token}}",
        "S0103" => "Unsupported escape sequence: \\{{token}}",
        "S0104" => "The escape sequence \\u must be followed by 4 hex digits",
        "S0105" => "Quoted property name must be terminated with a backquote (`)",
        "S0106" => "Comment has no closing tag",
        "S0201" => "Syntax error: {{token}}",
        "S0202" => "Expected {{value}}, got {{token}}",
        "S0203" => "Expected {{value}} before end of expression",
        "S0204" => "Unknown operator: {{token}}",
        "S0205" => "Unexpected token: {{token}}",
        "S0206" => "Unknown expression type: {{token}}",
        "S0207" => "Unexpected end of expression",
        "S0208" => "Parameter {{value}} of function definition must be a variable name (start with $)",
        "S0209" => "A predicate cannot follow a grouping expression in a step",
        "S0210" => "Each step can only have one grouping expression",
        "S0211" => "The symbol {{token}} cannot be used as a unary operator",
        "S0212" => "The left side of := must be a variable name (start with $)",
        "S0213" => "The literal value {{value}} cannot be used as a step within a path expression",
        "S0214" => "The right side of {{token}} must be a variable name (start with $)",
        "S0215" => "A context variable binding must precede any predicates on a step",
        "S0216" => "A context variable binding must precede the 'order-by' clause on a step",
        "S0217" => "The object representing the 'parent' cannot be derived from this expression",
        "S0301" => "Empty regular expressions are not allowed",
        "S0302" => "No terminating / in regular expression",
        "S0303" => "Invalid regular expression: {{{message}}}",
        "S0304" => "Unsupported regular expression feature: {{{message}}}",
        "S0402" => "Choice groups containing parameterized types are not supported",
        "S0401" => "Type parameters can only be applied to functions and arrays",
        "S0500" => "Attempted to evaluate an expression containing syntax error(s)",
        "T0410" => "Argument {{index}} of function {{token}} does not match function signature",
        "T0411" => "Context value is not a compatible type with argument {{index}} of function {{token}}",
        "T0412" => "Argument {{index}} of function {{token}} must be an array of {{type}}",
        "D1001" => "Number out of range: {{value}}",
        "D1002" => "Cannot negate a non-numeric value: {{value}}",
        "T1003" => "Key in object structure must evaluate to a string; got: {{value}}",
        "D1004" => "Regular expression matches zero length string",
        "T1005" => "Attempted to invoke a non-function. Did you mean ${{{token}}}?",
        "T1006" => "Attempted to invoke a non-function",
        "T1007" => "Attempted to partially apply a non-function. Did you mean ${{{token}}}?",
        "T1008" => "Attempted to partially apply a non-function",
        "D1009" => "Multiple key definitions evaluate to same key: {{value}}",
        "D1010" => "Attempted to access the Javascript object prototype",
        "T1010" => "The matcher function argument passed to function {{token}} does not return the correct object structure",
        "T2001" => "The left side of the {{token}} operator must evaluate to a number",
        "T2002" => "The right side of the {{token}} operator must evaluate to a number",
        "T2003" => "The left side of the range operator (..) must evaluate to an integer",
        "T2004" => "The right side of the range operator (..) must evaluate to an integer",
        "D2005" => "The left side of := must be a variable name (start with $)",
        "T2006" => "The right side of the function application operator ~> must be a function",
        "T2007" => "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause",
        "T2008" => "The expressions within an order-by clause must evaluate to numeric or string values",
        "T2009" => "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same data type",
        "T2010" => "The expressions either side of operator {{token}} must evaluate to numeric or string values",
        "T2011" => "The insert/update clause of the transform expression must evaluate to an object: {{value}}",
        "T2012" => "The delete clause of the transform expression must evaluate to a string or array of strings: {{value}}",
        "T2013" => "The transform expression clones the input object using the $clone() function.  This has been overridden in the current scope by a non-function.",
        "D2014" => "The size of the sequence allocated by the range operator (..) must not exceed 1e6.  Attempted to allocate {{value}}.",
        "D3001" => "Attempting to invoke string function on Infinity or NaN",
        "D3010" => "Second argument of replace function cannot be an empty string",
        "D3011" => "Fourth argument of replace function must evaluate to a positive number",
        "D3012" => "Attempted to replace a matched string with a non-string value",
        "D3020" => "Third argument of split function must evaluate to a positive number",
        "D3030" => "Unable to cast value to a number: {{value}}",
        "D3040" => "Third argument of match function must evaluate to a positive number",
        "D3050" => "The second argument of reduce function must be a function with at least two arguments",
        "D3060" => "The sqrt function cannot be applied to a negative number: {{value}}",
        "D3061" => "The power function has resulted in a value that cannot be represented as a JSON number: base={{value}}, exponent={{exp}}",
        "D3070" => "The single argument form of the sort function can only be applied to an array of strings or an array of numbers.  Use the second argument to specify a comparison function",
        "D3080" => "The picture string must only contain a maximum of two sub-pictures",
        "D3081" => "The sub-picture must not contain more than one instance of the 'decimal-separator' character",
        "D3082" => "The sub-picture must not contain more than one instance of the 'percent' character",
        "D3083" => "The sub-picture must not contain more than one instance of the 'per-mille' character",
        "D3084" => "The sub-picture must not contain both a 'percent' and a 'per-mille' character",
        "D3085" => "The mantissa part of a sub-picture must contain at least one character that is either an 'optional digit character' or a member of the 'decimal digit family'",
        "D3086" => "The sub-picture must not contain a passive character that is preceded by an active character and that is followed by another active character",
        "D3087" => "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to a 'decimal-separator' character",
        "D3088" => "The sub-picture must not contain a 'grouping-separator' at the end of the integer part",
        "D3089" => "The sub-picture must not contain two adjacent instances of the 'grouping-separator' character",
        "D3090" => "The integer part of the sub-picture must not contain a member of the 'decimal digit family' that is followed by an instance of the 'optional digit character'",
        "D3091" => "The fractional part of the sub-picture must not contain an instance of the 'optional digit character' that is followed by a member of the 'decimal digit family'",
        "D3092" => "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a character treated as an 'exponent-separator'",
        "D3093" => "The exponent part of the sub-picture must comprise only of one or more characters that are members of the 'decimal digit family'",
        "D3100" => "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}",
        "D3110" => "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given {{value}}",
        "D3120" => "Syntax error in expression passed to function eval: {{value}}",
        "D3121" => "Dynamic error evaluating the expression passed to function eval: {{value}}",
        "D3130" => "Formatting or parsing an integer as a sequence starting with {{value}} is not supported by this implementation",
        "D3131" => "In a decimal digit pattern, all digits must be from the same decimal group",
        "D3132" => "Unknown component specifier {{value}} in date/time picture string",
        "D3133" => "The 'name' modifier can only be applied to months and days in the date/time picture string, not {{value}}",
        "D3134" => "The timezone integer format specifier cannot have more than four digits",
        "D3135" => "No matching closing bracket ']' in date/time picture string",
        "D3136" => "The date/time picture string is missing specifiers required to parse the timestamp",
        "D3137" => "{{{message}}}",
        "D3138" => "The $single() function expected exactly 1 matching result.  Instead it matched more.",
        "D3139" => "The $single() function expected exactly 1 matching result.  Instead it matched 0.",
        "D3140" => "Malformed URL passed to ${{{functionName}}}(): {{value}}",
        "D3141" => "{{{message}}}",
        // Statelab: a date/time picture component this implementation does not format.
        "D3142" => "Unsupported date/time picture component: {{{message}}}",
        _ => "{{{message}}}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_templates_as_jsonata_js_does() {
        let e = JsonataError::new("T0410").token("each").index(1).render();
        assert_eq!(e.message, "Argument 1 of function \"each\" does not match function signature");
        assert_eq!(e.to_string(), "T0410: Argument 1 of function \"each\" does not match function signature");
        let e = JsonataError::new("T1005").token("sum").render();
        assert_eq!(e.message, "Attempted to invoke a non-function. Did you mean $sum?");
        let e = JsonataError::new("D3137").extra("boom").render();
        assert_eq!(e.message, "boom");
        let e = JsonataError::new("S0202").value_str("]").token(",").render();
        assert_eq!(e.message, "Expected \"]\", got \",\"");
        let e = JsonataError::new("D3060").value_json("-1").render();
        assert_eq!(e.message, "The sqrt function cannot be applied to a negative number: -1");
    }

    #[test]
    fn limit_errors_display_without_a_code() {
        assert_eq!(
            JsonataError::memory().to_string(),
            "Expression evaluation memory limit exceeded: Check for excessive memory usage"
        );
        assert_eq!(JsonataError::depth().kind, ErrorKind::Limit);
    }
}
