//! The 18 intrinsic functions of JSONPath-mode ASL (`States.Format(...)` and the rest): parse, then evaluate.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use base64::Engine as _;

use crate::error::StatesError;
use crate::eval::Env;
use crate::exec::MAX_PAYLOAD_BYTES;
use crate::path::{JsonPath, Root};
use crate::rng::Rng;
use crate::value::{Number, Value, MAX_DEPTH};

/// How many calls may be chained inside one another, the outermost call included.
pub const MAX_NESTING: usize = 10;

/// The most items `States.ArrayRange` may produce.
pub const MAX_RANGE_ITEMS: usize = 1000;

/// The longest string (in characters) that `States.Base64Encode`, `States.Base64Decode` and
/// `States.Hash` accept.
pub const MAX_DATA_CHARS: usize = 10_000;

/// Longest excerpt of a document quoted in a `States.Runtime` cause; AWS quotes the whole input,
/// but a cause is meant to be read, and history events cap it anyway.
const MAX_QUOTED_BYTES: usize = 4096;

/// One of the 18 intrinsic functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// `States.Format(template, ...values)`
    Format,
    /// `States.StringToJson(string)`
    StringToJson,
    /// `States.JsonToString(value)`
    JsonToString,
    /// `States.Array(...values)`
    Array,
    /// `States.ArrayPartition(array, chunkSize)`
    ArrayPartition,
    /// `States.ArrayContains(array, value)`
    ArrayContains,
    /// `States.ArrayRange(start, end, step)`
    ArrayRange,
    /// `States.ArrayGetItem(array, index)`
    ArrayGetItem,
    /// `States.ArrayLength(array)`
    ArrayLength,
    /// `States.ArrayUnique(array)`
    ArrayUnique,
    /// `States.Base64Encode(string)`
    Base64Encode,
    /// `States.Base64Decode(string)`
    Base64Decode,
    /// `States.Hash(string, algorithm)`
    Hash,
    /// `States.JsonMerge(object, object, deep)`
    JsonMerge,
    /// `States.MathRandom(start, end[, seed])`
    MathRandom,
    /// `States.MathAdd(a, b)`
    MathAdd,
    /// `States.StringSplit(string, delimiters)`
    StringSplit,
    /// `States.UUID()`
    Uuid,
}

impl Function {
    /// Every function, in the order the AWS documentation lists them.
    pub const ALL: [Function; 18] = [
        Function::Array,
        Function::ArrayPartition,
        Function::ArrayContains,
        Function::ArrayRange,
        Function::ArrayGetItem,
        Function::ArrayLength,
        Function::ArrayUnique,
        Function::Base64Encode,
        Function::Base64Decode,
        Function::Hash,
        Function::JsonMerge,
        Function::StringToJson,
        Function::JsonToString,
        Function::MathRandom,
        Function::MathAdd,
        Function::StringSplit,
        Function::Uuid,
        Function::Format,
    ];

    /// The full name, e.g. `States.Format`.
    pub fn name(self) -> &'static str {
        match self {
            Function::Format => "States.Format",
            Function::StringToJson => "States.StringToJson",
            Function::JsonToString => "States.JsonToString",
            Function::Array => "States.Array",
            Function::ArrayPartition => "States.ArrayPartition",
            Function::ArrayContains => "States.ArrayContains",
            Function::ArrayRange => "States.ArrayRange",
            Function::ArrayGetItem => "States.ArrayGetItem",
            Function::ArrayLength => "States.ArrayLength",
            Function::ArrayUnique => "States.ArrayUnique",
            Function::Base64Encode => "States.Base64Encode",
            Function::Base64Decode => "States.Base64Decode",
            Function::Hash => "States.Hash",
            Function::JsonMerge => "States.JsonMerge",
            Function::MathRandom => "States.MathRandom",
            Function::MathAdd => "States.MathAdd",
            Function::StringSplit => "States.StringSplit",
            Function::Uuid => "States.UUID",
        }
    }

    /// The function with this full name (case-sensitive, as AWS is).
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The least and the most arguments the function takes (`None`: no upper bound).
    pub fn arity(self) -> (usize, Option<usize>) {
        match self {
            Function::Format => (1, None),
            Function::Array => (0, None),
            Function::Uuid => (0, Some(0)),
            Function::StringToJson
            | Function::JsonToString
            | Function::ArrayLength
            | Function::ArrayUnique
            | Function::Base64Encode
            | Function::Base64Decode => (1, Some(1)),
            Function::ArrayPartition
            | Function::ArrayContains
            | Function::ArrayGetItem
            | Function::Hash
            | Function::MathAdd
            | Function::StringSplit => (2, Some(2)),
            Function::ArrayRange | Function::JsonMerge => (3, Some(3)),
            Function::MathRandom => (2, Some(3)),
        }
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One argument of a call.
#[derive(Clone, Debug)]
pub enum Arg {
    /// A literal: a string (escapes already decoded), a number, `true`, `false` or `null`.
    Literal(Value),
    /// A path on the input (`$.x`), the context object (`$$.x`) or a variable (`$name.x`).
    Path(JsonPath),
    /// A nested call.
    Call(Box<Call>),
}

/// A parsed intrinsic function call.
#[derive(Clone, Debug)]
pub struct Call {
    function: Function,
    args: Vec<Arg>,
    /// For `States.Format` with a literal template: the template as written, escapes intact,
    /// because `\{}` and `{}` decode to the same text but only the second is a placeholder.
    raw_template: Option<Rc<str>>,
    /// That template split into text and placeholders once, when the call is parsed, rather
    /// than at every evaluation.
    pieces: Option<Rc<[Piece]>>,
}

/// A call that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntrinsicSyntaxError {
    /// What is wrong.
    pub message: String,
    /// Byte offset in the call text.
    pub offset: usize,
}

impl fmt::Display for IntrinsicSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IntrinsicSyntaxError {}

/// `true` when `text` looks like an intrinsic call: `States.`, an identifier, then `(`
/// (whitespace allowed before the parenthesis). It says nothing about whether the call parses.
pub fn is_intrinsic_call(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("States.") else {
        return false;
    };
    let name_len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    name_len > 0 && rest.get(name_len..).is_some_and(|r| r.trim_start().starts_with('('))
}

/// Parses an intrinsic call such as `States.Format('{} x {}', $.qty, $.sku)`.
pub fn parse(text: &str) -> Result<Call, IntrinsicSyntaxError> {
    let mut p = Parser { text, bytes: text.as_bytes(), i: 0 };
    p.skip_ws();
    let call = p.call(1)?;
    p.skip_ws();
    if let Some(b) = p.peek() {
        let hint = if b == b'[' || b == b'.' {
            ": a call's result cannot be indexed; wrap the call in States.ArrayGetItem instead"
        } else {
            ""
        };
        return Err(p.err(p.i, format!("unexpected text after the end of the call{hint}")));
    }
    Ok(call)
}

impl Call {
    /// The function's full name, e.g. `States.Format`.
    pub fn function(&self) -> &'static str {
        self.function.name()
    }

    /// Which function this calls.
    pub fn function_id(&self) -> Function {
        self.function
    }

    /// The arguments, in order.
    pub fn args(&self) -> &[Arg] {
        &self.args
    }

    /// Every path argument, nested calls included, in source order.
    pub fn paths(&self) -> Paths<'_> {
        Paths { stack: vec![self.args.iter()] }
    }

    /// How deeply calls nest here: 1 for a call with no call among its arguments.
    pub fn depth(&self) -> usize {
        // Bounded by MAX_NESTING, so the recursion is shallow.
        1 + self
            .args
            .iter()
            .filter_map(|a| match a {
                Arg::Call(c) => Some(c.depth()),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// Evaluates the call. Path arguments are resolved through `env`; `States.UUID` and an
    /// unseeded `States.MathRandom` draw from `rng`.
    ///
    /// Errors follow AWS's split: an argument of the wrong type or value is
    /// `States.IntrinsicFailure`, which `Catch` can handle; a path argument that matches nothing,
    /// or an open escape in a `States.Format` template read from data, is `States.Runtime`,
    /// which ends the execution. Every argument is evaluated, left to right, before any is
    /// checked, so a missing path wins over a type error elsewhere in the same call.
    pub fn eval(&self, env: &Env<'_>, rng: &mut Rng) -> Result<Value, StatesError> {
        // The arguments of the usual calls (up to four) live on the stack: a call evaluated at
        // every state visit then allocates only its result.
        let mut inline: [Value; 4] = Default::default();
        let mut heap: Vec<Value> = Vec::new();
        let args: &mut [Value] = match inline.get_mut(..self.args.len()) {
            Some(slots) => slots,
            None => {
                heap.resize(self.args.len(), Value::Null);
                &mut heap
            }
        };
        for (slot, arg) in args.iter_mut().zip(&self.args) {
            *slot = match arg {
                Arg::Literal(v) => v.clone(),
                Arg::Path(p) => env.select(p).ok_or_else(|| missing_path(p, self.function, env))?,
                Arg::Call(c) => c.eval(env, rng)?,
            };
        }
        let args: &[Value] = args;
        let f = self.function;
        let out = self.apply(args, rng)?;
        // Calls nest, and their results share structure: ten levels of `States.Array($, $, $)`
        // would describe a value of 3^10 copies of the input, and `States.JsonToString` of it
        // would try to write it all out. No call's result may exceed what a state can pass on
        // (in size or depth), so no argument ever does either.
        if out.json_len() > MAX_PAYLOAD_BYTES {
            return Err(StatesError::data_limit(&format!("result of {f}"), out.json_len()));
        }
        if out.depth() > MAX_DEPTH {
            return Err(StatesError::too_deep(&format!("result of {f}"), out.depth()));
        }
        Ok(out)
    }

    /// The function itself, on evaluated arguments.
    fn apply(&self, args: &[Value], rng: &mut Rng) -> Result<Value, StatesError> {
        let f = self.function;
        match f {
            Function::Format => format(self, args),
            Function::StringToJson => string_to_json(one(f, args)?),
            Function::JsonToString => {
                let v = one(f, args)?;
                // Measured before it is written: the text is exactly this long.
                if v.json_len() > MAX_PAYLOAD_BYTES {
                    return Err(StatesError::data_limit(&format!("result of {f}"), v.json_len()));
                }
                Ok(Value::string(v.to_json()))
            }
            Function::Array => Ok(Value::array(args.to_vec())),
            Function::ArrayPartition => array_partition(two(f, args)?),
            Function::ArrayContains => {
                let (a, v) = two(f, args)?;
                Ok(Value::Bool(array_arg(f, 1, a)?.iter().any(|x| x == v)))
            }
            Function::ArrayRange => array_range(args),
            Function::ArrayGetItem => array_get_item(two(f, args)?),
            Function::ArrayLength => {
                let len = array_arg(f, 1, one(f, args)?)?.len();
                Ok(Value::int(i64::try_from(len).unwrap_or(i64::MAX)))
            }
            Function::ArrayUnique => Ok(Value::array(unique(array_arg(f, 1, one(f, args)?)?))),
            Function::Base64Encode => {
                let s = data_string_arg(f, 1, one(f, args)?)?;
                Ok(Value::string(base64::engine::general_purpose::STANDARD.encode(s.as_bytes())))
            }
            Function::Base64Decode => base64_decode(one(f, args)?),
            Function::Hash => hash(two(f, args)?),
            Function::JsonMerge => json_merge(args),
            Function::MathRandom => math_random(args, rng),
            Function::MathAdd => math_add(two(f, args)?),
            Function::StringSplit => {
                let (s, d) = two(f, args)?;
                let s = string_arg(f, 1, s)?;
                let d = string_arg(f, 2, d)?;
                Ok(Value::array(
                    s.split(|c: char| d.contains(c)).filter(|p| !p.is_empty()).map(Value::string).collect(),
                ))
            }
            Function::Uuid => {
                Ok(Value::string(uuid::Builder::from_random_bytes(rng.bytes16()).into_uuid().to_string()))
            }
        }
    }
}

/// Writes the call back as intrinsic text (canonical spacing, literals re-escaped).
impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.function.name())?;
        for (i, arg) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match (i, &self.raw_template, arg) {
                (0, Some(raw), _) => write!(f, "'{raw}'")?,
                (_, _, Arg::Literal(Value::String(s))) => {
                    f.write_str("'")?;
                    for c in s.chars() {
                        if matches!(c, '\'' | '{' | '}' | '\\') {
                            f.write_str("\\")?;
                        }
                        write!(f, "{c}")?;
                    }
                    f.write_str("'")?;
                }
                (_, _, Arg::Literal(v)) => write!(f, "{v}")?,
                (_, _, Arg::Path(p)) => write!(f, "{p}")?,
                (_, _, Arg::Call(c)) => write!(f, "{c}")?,
            }
        }
        f.write_str(")")
    }
}

/// Iterator over the path arguments of a call and of the calls nested in it.
#[derive(Clone, Debug)]
pub struct Paths<'a> {
    stack: Vec<std::slice::Iter<'a, Arg>>,
}

impl<'a> Iterator for Paths<'a> {
    type Item = &'a JsonPath;

    fn next(&mut self) -> Option<&'a JsonPath> {
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                None => {
                    self.stack.pop();
                }
                Some(Arg::Path(p)) => return Some(p),
                Some(Arg::Call(c)) => self.stack.push(c.args.iter()),
                Some(Arg::Literal(_)) => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.i..).unwrap_or("")
    }

    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.text.get(from..to).unwrap_or("")
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn err(&self, offset: usize, message: impl Into<String>) -> IntrinsicSyntaxError {
        IntrinsicSyntaxError { message: message.into(), offset }
    }

    /// A call at nesting level `depth` (the outermost call is level 1).
    fn call(&mut self, depth: usize) -> Result<Call, IntrinsicSyntaxError> {
        let start = self.i;
        if depth > MAX_NESTING {
            return Err(
                self.err(start, format!("intrinsic functions can be nested at most {MAX_NESTING} deep"))
            );
        }
        if !self.rest().starts_with("States.") {
            return Err(self.err(start, "expected an intrinsic function call such as States.Format(...)"));
        }
        self.i += "States.".len();
        let name_start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_') {
            self.i += 1;
        }
        if self.i == name_start {
            return Err(self.err(name_start, "expected a function name after 'States.'"));
        }
        let name = self.slice(start, self.i);
        let Some(function) = Function::from_name(name) else {
            return Err(self.err(start, unknown_function_message(name)));
        };
        self.skip_ws();
        if self.peek() != Some(b'(') {
            return Err(self.err(self.i, format!("expected '(' after {name}")));
        }
        self.i += 1;
        let mut args = Vec::new();
        let mut raw_template = None;
        self.skip_ws();
        if self.peek() == Some(b')') {
            self.i += 1;
        } else {
            loop {
                let (arg, raw) = self.arg(depth)?;
                if args.is_empty() && function == Function::Format {
                    raw_template = raw;
                }
                args.push(arg);
                self.skip_ws();
                match self.peek() {
                    Some(b',') => {
                        self.i += 1;
                        self.skip_ws();
                    }
                    Some(b')') => {
                        self.i += 1;
                        break;
                    }
                    None => return Err(self.err(self.i, format!("missing ')' to close {name}("))),
                    Some(_) => {
                        return Err(
                            self.err(self.i, format!("expected ',' or ')' in the arguments of {name}"))
                        )
                    }
                }
            }
        }
        check_arity(function, args.len()).map_err(|m| self.err(start, m))?;
        let pieces = raw_template.as_deref().and_then(|t| compile_template(t).ok()).map(Rc::from);
        Ok(Call { function, args, raw_template, pieces })
    }

    /// One argument; for a string literal, also its text as written (escapes intact).
    fn arg(&mut self, depth: usize) -> Result<(Arg, Option<Rc<str>>), IntrinsicSyntaxError> {
        let start = self.i;
        match self.peek() {
            Some(b'\'') => {
                let (value, raw) = self.string_literal()?;
                Ok((Arg::Literal(Value::string(value)), Some(Rc::from(raw))))
            }
            Some(b'$') => Ok((Arg::Path(self.path()?), None)),
            Some(b'-' | b'0'..=b'9') => Ok((Arg::Literal(self.number()?), None)),
            Some(b'"') => Err(self.err(start, "string literals in intrinsic functions use single quotes")),
            Some(b) if b.is_ascii_alphabetic() => {
                if self.rest().starts_with("States.") {
                    return Ok((Arg::Call(Box::new(self.call(depth + 1)?)), None));
                }
                while self.peek().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') {
                    self.i += 1;
                }
                let word = self.slice(start, self.i);
                let value = match word {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "null" => Value::Null,
                    _ => {
                        return Err(self.err(
                            start,
                            format!(
                            "unexpected '{word}': an argument is a 'string', a number, true, false, null, \
                                 a path starting with '$', or a States.* call"
                        ),
                        ))
                    }
                };
                self.expect_delimiter(start, word)?;
                Ok((Arg::Literal(value), None))
            }
            None => Err(self.err(start, "expected an argument, found the end of the text")),
            Some(_) => Err(self.err(
                start,
                "expected an argument: a 'string', a number, true, false, null, a path starting with '$', \
                 or a States.* call",
            )),
        }
    }

    /// A single-quoted literal; returns the decoded value and the text between the quotes.
    fn string_literal(&mut self) -> Result<(String, &'a str), IntrinsicSyntaxError> {
        let start = self.i;
        self.i += 1;
        let content_start = self.i;
        let mut value = String::new();
        loop {
            let Some(c) = self.rest().chars().next() else {
                return Err(self.err(start, "unterminated string literal: missing the closing '"));
            };
            match c {
                '\'' => {
                    let raw = self.slice(content_start, self.i);
                    self.i += 1;
                    return Ok((value, raw));
                }
                '\\' => {
                    let at = self.i;
                    self.i += 1;
                    match self.rest().chars().next() {
                        Some(e @ ('\'' | '{' | '}' | '\\')) => {
                            value.push(e);
                            self.i += 1;
                        }
                        Some(other) => return Err(self.err(at, invalid_escape_message(other))),
                        None => {
                            return Err(self.err(start, "unterminated string literal: missing the closing '"))
                        }
                    }
                }
                c => {
                    value.push(c);
                    self.i += c.len_utf8();
                }
            }
        }
    }

    /// A JSONPath argument: it runs to the first `,`, `)` or whitespace outside brackets,
    /// parentheses and quotes, so `$.a['x,y']` and `$.a[?(@.b == 1)]` stay whole.
    fn path(&mut self) -> Result<JsonPath, IntrinsicSyntaxError> {
        let start = self.i;
        self.i = path_end(self.bytes, start);
        let text = self.slice(start, self.i);
        JsonPath::parse(text).map_err(|e| IntrinsicSyntaxError {
            message: format!("invalid path '{text}': {}", e.message),
            offset: start + e.offset,
        })
    }

    /// A JSON number: an integer when it has no fraction or exponent and fits in `i64`.
    fn number(&mut self) -> Result<Value, IntrinsicSyntaxError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.i += 1;
            }
            p.i - s
        };
        if digits(self) == 0 {
            return Err(self.err(start, "expected digits in a number"));
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            self.i += 1;
            integral = false;
            if digits(self) == 0 {
                return Err(self.err(self.i, "expected digits after the decimal point"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            integral = false;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err(self.i, "expected digits in the exponent"));
            }
        }
        let text = self.slice(start, self.i);
        self.expect_delimiter(start, text)?;
        if integral {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::int(i));
            }
        }
        text.parse::<f64>()
            .ok()
            .and_then(Value::float)
            .ok_or_else(|| self.err(start, format!("the number {text} is out of range")))
    }

    /// After a number or keyword: the next thing must end the argument.
    fn expect_delimiter(&self, start: usize, token: &str) -> Result<(), IntrinsicSyntaxError> {
        match self.peek() {
            None | Some(b',' | b')' | b' ' | b'\t' | b'\n' | b'\r') => Ok(()),
            Some(_) => Err(self.err(start, format!("unexpected text after '{token}'"))),
        }
    }
}

/// Where a path argument starting at `start` ends: at the first `,`, `)` or whitespace that is
/// outside brackets, parentheses and quotes, so `$.a['x,y']`, `$.a[0,1]` and
/// `$.a[?(@.b == ')')]` stay whole. Only ASCII bytes stop the scan, so the end is always on a
/// character boundary.
fn path_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    let mut nesting = 0usize;
    let mut quote: Option<u8> = None;
    while let Some(&b) = bytes.get(i) {
        if let Some(q) = quote {
            if b == b'\\' {
                i = (i + 2).min(bytes.len());
                continue;
            }
            if b == q {
                quote = None;
            }
        } else {
            match b {
                b'[' | b'(' => nesting += 1,
                b']' | b')' if nesting > 0 => nesting -= 1,
                b'\'' | b'"' if nesting > 0 => quote = Some(b),
                b',' | b')' | b' ' | b'\t' | b'\n' | b'\r' if nesting == 0 => break,
                _ => {}
            }
        }
        i += 1;
    }
    i
}

fn unknown_function_message(name: &str) -> String {
    let known: Vec<&str> = Function::ALL.iter().map(|f| f.name()).collect();
    // A wrong case (distance 0: closest_name ignores case), else a likely typo (`States.Fromat`).
    let close = crate::machine::closest_name(name, known.iter().copied());
    match close {
        Some(f) => format!("unknown intrinsic function '{name}'; did you mean '{f}'?"),
        None => format!("unknown intrinsic function '{name}'; the functions are {}", known.join(", ")),
    }
}

fn invalid_escape_message(c: char) -> String {
    format!("invalid escape '\\{c}': only \\', \\{{, \\}} and \\\\ are escapes in intrinsic strings")
}

fn check_arity(f: Function, n: usize) -> Result<(), String> {
    let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
    let given = if n == 1 { "1 was given".to_string() } else { format!("{n} were given") };
    match f.arity() {
        (min, Some(max)) if min == max && n != min => {
            Err(format!("{f} takes exactly {min} {}, but {given}", plural(min)))
        }
        (min, Some(max)) if n < min || n > max => {
            Err(format!("{f} takes {min} to {max} arguments, but {given}"))
        }
        (min, None) if n < min => Err(format!("{f} takes at least {min} {}, but {given}", plural(min))),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation helpers

fn fail(f: Function, message: impl fmt::Display) -> StatesError {
    StatesError::intrinsic(format!("{f}: {message}"))
}

/// A value as a cause describes it: its type, and for scalars the value itself.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(_) => format!("the string {}", quote_json(v, 80)),
        Value::Array(_) => "an array".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// Compact JSON, cut at `max` bytes (on a character boundary) with `...` after.
fn quote_json(v: &Value, max: usize) -> String {
    let mut s = v.to_json();
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

/// `States.Runtime` for a path argument that matches nothing, worded like AWS's cause for a
/// payload-template path (`The JSONPath '$.x' specified for the field 'x.$' could not be found
/// in the input '{...}'`); the field is not known here, so the cause names the function.
fn missing_path(path: &JsonPath, f: Function, env: &Env<'_>) -> StatesError {
    let (what, doc) = match path.root() {
        Root::Input => ("input", env.input.clone()),
        Root::Context => ("context object", env.context.clone()),
        Root::Variable(name) => match env.vars.get(name) {
            Some(v) => ("variable", v),
            None => {
                return StatesError::runtime(format!(
                    "The JSONPath '{}' specified for an argument of {f} could not be found: \
                     the variable '{name}' is not defined",
                    path.text()
                ))
            }
        },
    };
    StatesError::runtime(format!(
        "The JSONPath '{}' specified for an argument of {f} could not be found in the {what} '{}'",
        path.text(),
        quote_json(&doc, MAX_QUOTED_BYTES)
    ))
}

fn one(f: Function, args: &[Value]) -> Result<&Value, StatesError> {
    match args {
        [a] => Ok(a),
        _ => Err(fail(f, "wrong number of arguments")),
    }
}

fn two(f: Function, args: &[Value]) -> Result<(&Value, &Value), StatesError> {
    match args {
        [a, b] => Ok((a, b)),
        _ => Err(fail(f, "wrong number of arguments")),
    }
}

fn string_arg(f: Function, n: usize, v: &Value) -> Result<&str, StatesError> {
    v.as_str().ok_or_else(|| fail(f, format!("argument {n} must be a string, but it is {}", describe(v))))
}

/// A string for Base64 and Hash, whose input AWS caps at 10,000 characters. Characters are
/// Unicode scalar values here; Java counts UTF-16 units, which differs only above U+FFFF.
fn data_string_arg(f: Function, n: usize, v: &Value) -> Result<&str, StatesError> {
    let s = string_arg(f, n, v)?;
    // Cheap test first: a string of at most 10,000 bytes has at most 10,000 characters.
    if s.len() > MAX_DATA_CHARS {
        let chars = s.chars().count();
        if chars > MAX_DATA_CHARS {
            return Err(fail(
                f,
                format!("argument {n} has {chars} characters; the limit is {MAX_DATA_CHARS}"),
            ));
        }
    }
    Ok(s)
}

fn array_arg(f: Function, n: usize, v: &Value) -> Result<&[Value], StatesError> {
    v.as_array().ok_or_else(|| fail(f, format!("argument {n} must be an array, but it is {}", describe(v))))
}

fn number_arg(f: Function, n: usize, v: &Value) -> Result<Number, StatesError> {
    v.as_number().ok_or_else(|| fail(f, format!("argument {n} must be a number, but it is {}", describe(v))))
}

/// Java's `Math.round`: ties go toward positive infinity (`-2.5` → `-2`, `2.5` → `3`).
///
/// AWS documents "rounded to the nearest integer"; the recorded AWS results in LocalStack's
/// snapshot tests for `States.MathAdd` (`-1.5` → `-1`, `-2.5` → `-2`, `0.5` → `1`) are this
/// function, not half-away-from-zero.
fn java_round(x: f64) -> f64 {
    let floor = x.floor();
    // Exact: subtracting the floor of a double loses no bits.
    if x - floor >= 0.5 {
        floor + 1.0
    } else {
        floor
    }
}

/// An integer argument where AWS rounds non-integers to the nearest integer (Java-style).
fn rounded_arg(f: Function, n: usize, v: &Value) -> Result<i64, StatesError> {
    match number_arg(f, n, v)? {
        Number::Int(i) => Ok(i),
        Number::Float(x) => in_long_range(f, n, java_round(x), v),
    }
}

/// [`rounded_arg`] saturating at the `long` bounds as Java does, for `States.MathAdd`, which
/// checks the int32 range itself and says so quoting the argument as written.
fn rounded_saturating(f: Function, n: usize, v: &Value) -> Result<i64, StatesError> {
    Ok(match number_arg(f, n, v)? {
        Number::Int(i) => i,
        Number::Float(x) => java_round(x) as i64,
    })
}

/// `x` (already made whole) as a 64-bit integer, or an error past the `long` range. Java's
/// conversions saturate there, which made `States.ArrayRange(1e20, 1e20, 1)` give
/// `[9223372036854775807]`, a value nobody wrote; what AWS does with such an argument is not
/// recorded [?]: Statelab refuses it, as it refuses `States.MathAdd(1e308, 1)`.
fn in_long_range(f: Function, n: usize, x: f64, v: &Value) -> Result<i64, StatesError> {
    crate::value::whole_to_i64(x).ok_or_else(|| {
        fail(f, format!("argument {n} is out of range: {} is not a 64-bit integer", v.to_json()))
    })
}

// ---------------------------------------------------------------------------------------------
// The functions

/// One piece of a `States.Format` template.
#[derive(Debug)]
enum Piece {
    Text(String),
    Hole,
}

/// Why a template read from data cannot be used.
enum TemplateError {
    OpenEscape,
    InvalidEscape(char),
}

/// For a `States.Format` call with a literal template: how many `{}` it has, and how many values
/// the call gives, when the two differ (the call then always fails).
pub fn format_mismatch(call: &Call) -> Option<(usize, usize)> {
    if call.function != Function::Format {
        return None;
    }
    let holes = holes(call.pieces.as_deref()?);
    let values = call.args.len().saturating_sub(1);
    (holes != values).then_some((holes, values))
}

/// How many `{}` a compiled template has.
fn holes(pieces: &[Piece]) -> usize {
    pieces.iter().filter(|p| matches!(p, Piece::Hole)).count()
}

/// Splits a template into text and `{}` placeholders, decoding `\'`, `\{`, `\}` and `\\`.
/// A `{` or `}` that is not part of `{}` is ordinary text.
fn compile_template(t: &str) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('\'' | '{' | '}' | '\\')) => text.push(e),
                Some(other) => return Err(TemplateError::InvalidEscape(other)),
                None => return Err(TemplateError::OpenEscape),
            },
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Hole);
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

fn format(call: &Call, args: &[Value]) -> Result<Value, StatesError> {
    let f = Function::Format;
    let Some((template, values)) = args.split_first() else {
        return Err(fail(f, "the template argument is missing"));
    };
    // A literal template was split when the call was parsed, so only a template read from
    // data can fail here; AWS treats an open escape as a runtime error, not an argument error.
    let from_data;
    let pieces: &[Piece] = match &call.pieces {
        Some(pieces) => pieces,
        None => {
            from_data = compile_template(string_arg(f, 1, template)?).map_err(|e| {
                let what = match e {
                    TemplateError::OpenEscape => "ends with an open escape '\\'".to_string(),
                    TemplateError::InvalidEscape(c) => format!("contains {}", invalid_escape_message(c)),
                };
                StatesError::runtime(format!("{f}: the template {} {what}", quote_json(template, 200)))
            })?;
            &from_data
        }
    };
    let holes = holes(pieces);
    if holes != values.len() {
        return Err(fail(
            f,
            format!(
                "the template has {} '{{}}' but {} {} given",
                crate::text::count(holes, "placeholder"),
                crate::text::count(values.len(), "value"),
                if values.len() == 1 { "was" } else { "were" },
            ),
        ));
    }
    let mut out = String::new();
    let mut next = values.iter().enumerate();
    for piece in pieces {
        // Hundreds of placeholders for the same 200 KB string would write out hundreds of MB.
        if out.len() > MAX_PAYLOAD_BYTES {
            return Err(StatesError::data_limit(&format!("result of {f}"), out.len()));
        }
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Hole => {
                let Some((k, v)) = next.next() else { break };
                match v {
                    Value::String(s) => out.push_str(s),
                    Value::Null | Value::Bool(_) | Value::Number(_) => v.write_json(&mut out),
                    Value::Array(_) | Value::Object(_) => {
                        return Err(fail(
                            f,
                            format!(
                            "argument {} is {}; only strings, numbers, booleans and null can be formatted",
                            k + 2,
                            describe(v)
                        ),
                        ))
                    }
                }
            }
        }
    }
    Ok(Value::string(out))
}

fn string_to_json(v: &Value) -> Result<Value, StatesError> {
    let f = Function::StringToJson;
    let s = string_arg(f, 1, v)?;
    // Pinned: blank text gives null, as LocalStack does (Jackson reads it as "no content").
    if s.trim().is_empty() {
        return Ok(Value::Null);
    }
    crate::json::parse(s).map_err(|e| fail(f, format!("the string is not valid JSON: {e}")))
}

fn array_partition((a, n): (&Value, &Value)) -> Result<Value, StatesError> {
    let f = Function::ArrayPartition;
    let items = array_arg(f, 1, a)?;
    let size = rounded_arg(f, 2, n)?;
    if size <= 0 {
        return Err(fail(f, format!("the chunk size must be a positive integer, but it is {size}")));
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(Value::array(items.chunks(size).map(|c| Value::array(c.to_vec())).collect()))
}

fn array_range(args: &[Value]) -> Result<Value, StatesError> {
    let f = Function::ArrayRange;
    let [start, end, step] = args else {
        return Err(fail(f, "wrong number of arguments"));
    };
    let start = i128::from(rounded_arg(f, 1, start)?);
    let end = i128::from(rounded_arg(f, 2, end)?);
    let step = i128::from(rounded_arg(f, 3, step)?);
    if step == 0 {
        return Err(fail(f, "the step (argument 3) must not be 0"));
    }
    // Count first, in i128 so no bound overflows, and refuse before allocating anything.
    let count =
        if (step > 0 && end >= start) || (step < 0 && end <= start) { (end - start) / step + 1 } else { 0 };
    if count > MAX_RANGE_ITEMS as i128 {
        return Err(fail(f, format!("the range has {count} items; the limit is {MAX_RANGE_ITEMS}")));
    }
    let mut items = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut x = start;
    for _ in 0..count {
        items.push(Value::int(i64::try_from(x).unwrap_or_default()));
        x += step;
    }
    Ok(Value::array(items))
}

fn array_get_item((a, i): (&Value, &Value)) -> Result<Value, StatesError> {
    let f = Function::ArrayGetItem;
    let items = array_arg(f, 1, a)?;
    // Unlike the other functions, a fractional index is refused rather than rounded.
    let n = number_arg(f, 2, i)?;
    let index = n.as_i64().ok_or_else(|| {
        let x = n.as_f64();
        // A whole number past the 64-bit range is an integer, just not one any array reaches.
        if x.fract() == 0.0 && x.is_finite() {
            fail(f, format!("the index {} is out of range", i.to_json()))
        } else {
            fail(f, format!("the index must be an integer, but it is {}", describe(i)))
        }
    })?;
    if index < 0 {
        return Err(fail(f, format!("the index must not be negative, but it is {index}")));
    }
    usize::try_from(index).ok().and_then(|k| items.get(k)).cloned().ok_or_else(|| {
        fail(f, format!("the index {index} is out of range for an array of length {}", items.len()))
    })
}

/// Feeds `v` to `h` so that values equal under `Value`'s `==` hash alike: numbers by their
/// float value, object members independently of their order.
fn hash_value(v: &Value, h: &mut DefaultHasher) {
    match v {
        Value::Null => 0u8.hash(h),
        Value::Bool(b) => (1u8, *b).hash(h),
        Value::Number(n) => {
            let x = n.as_f64();
            // -0.0 == 0.0, so they must hash alike.
            (2u8, if x == 0.0 { 0u64 } else { x.to_bits() }).hash(h);
        }
        Value::String(s) => (3u8, &**s).hash(h),
        Value::Array(_) => {
            let items = v.as_array().unwrap_or_default();
            (4u8, items.len()).hash(h);
            for x in items {
                hash_value(x, h);
            }
        }
        Value::Object(_) => {
            let mut sum = 0u64;
            let mut len = 0usize;
            for (k, x) in v.as_object().into_iter().flatten() {
                let mut eh = DefaultHasher::new();
                (**k).hash(&mut eh);
                hash_value(x, &mut eh);
                sum = sum.wrapping_add(eh.finish());
                len += 1;
            }
            (5u8, len, sum).hash(h);
        }
    }
}

/// The first occurrence of each distinct value, in order; hashing keeps large arrays linear.
fn unique(items: &[Value]) -> Vec<Value> {
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut out: Vec<Value> = Vec::new();
    for v in items {
        let mut h = DefaultHasher::new();
        hash_value(v, &mut h);
        let bucket = seen.entry(h.finish()).or_default();
        if bucket.iter().any(|&j| out.get(j).is_some_and(|o| o == v)) {
            continue;
        }
        bucket.push(out.len());
        out.push(v.clone());
    }
    out
}

fn base64_decode(v: &Value) -> Result<Value, StatesError> {
    let f = Function::Base64Decode;
    let s = data_string_arg(f, 1, v)?;
    // Like Java's basic decoder: padding optional, no whitespace, unused trailing bits ignored.
    const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let bytes = LENIENT
        .decode(s)
        .map_err(|e| fail(f, format!("the string is not valid Base64: {}", base64_problem(s, &e))))?;
    // Java's decoder takes a string without padding, but padding that is there must complete
    // the last group of four ('YQ=' fails; the crate, indifferent, took it: a QA pass).
    if s.ends_with('=') && s.chars().count() % 4 != 0 {
        return Err(fail(
            f,
            "the string is not valid Base64: its '=' padding does not complete a group of four characters \
             (write it with the full padding, 'YQ==', or none, 'YQ')",
        ));
    }
    // Pinned: bytes that are not UTF-8 become U+FFFD, as Java's `new String(bytes, UTF_8)` does.
    Ok(Value::string(String::from_utf8_lossy(&bytes).into_owned()))
}

/// A Base64 decoding error in words: the crate's own says `Invalid symbol 61, offset 7.` (a byte
/// value, and a byte offset), which leaves the user to work out that 61 is `=`.
fn base64_problem(s: &str, e: &base64::DecodeError) -> String {
    // The character at a byte offset, counted in characters for the message.
    let at = |offset: usize| {
        let c = s.get(offset..).and_then(|r| r.chars().next());
        let position = s.get(..offset).map_or(offset, |p| p.chars().count()) + 1;
        let shown = match c {
            Some(' ') => "a space".to_string(),
            Some(c) if c.is_control() || c.is_whitespace() => format!("U+{:04X}", u32::from(c)),
            Some(c) => format!("'{c}'"),
            None => "the end".to_string(),
        };
        (shown, position)
    };
    match e {
        base64::DecodeError::InvalidByte(offset, _) => {
            let (c, position) = at(*offset);
            let padding = if c == "'='" { " (padding may only end the string)" } else { "" };
            format!("{c} at character {position} is not a Base64 character{padding}")
        }
        base64::DecodeError::InvalidLength(_) => {
            "its length does not fit Base64 (one character too many or too few)".to_string()
        }
        base64::DecodeError::InvalidLastSymbol { offset, .. } => {
            let (c, position) = at(*offset);
            format!("{c} at character {position} cannot end Base64 text")
        }
        base64::DecodeError::InvalidPadding => "its '=' padding is wrong".to_string(),
    }
}

fn hash((data, algorithm): (&Value, &Value)) -> Result<Value, StatesError> {
    let f = Function::Hash;
    let data = data_string_arg(f, 1, data)?.as_bytes();
    let algorithm = string_arg(f, 2, algorithm)?;
    let digest = crate::digest::hex_digest(algorithm, data).ok_or_else(|| {
        fail(
            f,
            format!(
                "unsupported algorithm {}; use MD5, SHA-1, SHA-256, SHA-384 or SHA-512",
                quote_json(&Value::string(algorithm), 80)
            ),
        )
    })?;
    Ok(Value::string(digest))
}

fn json_merge(args: &[Value]) -> Result<Value, StatesError> {
    let f = Function::JsonMerge;
    let [a, b, deep] = args else {
        return Err(fail(f, "wrong number of arguments"));
    };
    let object = |n: usize, v: &Value| {
        v.as_object()
            .cloned()
            .ok_or_else(|| fail(f, format!("argument {n} must be an object, but it is {}", describe(v))))
    };
    let mut merged = object(1, a)?;
    let b = object(2, b)?;
    match deep {
        Value::Bool(false) => {}
        Value::Bool(true) => {
            return Err(fail(f, "deep merging is not supported; the third argument must be false"))
        }
        other => {
            return Err(fail(
                f,
                format!("argument 3 must be the boolean false, but it is {}", describe(other)),
            ))
        }
    }
    // Shallow: a key in both keeps its place from the first object and takes the second's value.
    for (k, v) in b {
        merged.insert(k, v);
    }
    Ok(Value::object(merged))
}

fn math_random(args: &[Value], rng: &mut Rng) -> Result<Value, StatesError> {
    let f = Function::MathRandom;
    // Pinned: fractional bounds are truncated toward zero (as LocalStack's `int()` does), though
    // the AWS documentation says they are rounded.
    let truncated = |n: usize, v: &Value| -> Result<i64, StatesError> {
        match number_arg(f, n, v)? {
            Number::Int(i) => Ok(i),
            Number::Float(x) => in_long_range(f, n, x.trunc(), v),
        }
    };
    let (start, end, seed) = match args {
        [s, e] => (truncated(1, s)?, truncated(2, e)?, None),
        [s, e, seed] => (truncated(1, s)?, truncated(2, e)?, Some(truncated(3, seed)?)),
        _ => return Err(fail(f, "wrong number of arguments")),
    };
    // The end is exclusive, as the AWS documentation states ("start number (inclusive) and end
    // number (exclusive)"); LocalStack uses an inclusive end. So there must be room for one value.
    if end <= start {
        return Err(fail(
            f,
            format!("the end ({end}) must be greater than the start ({start}); the end is exclusive"),
        ));
    }
    let span = i128::from(end) - i128::from(start);
    let draw = |r: &mut Rng| -> i64 {
        match i32::try_from(span) {
            // `java.util.Random.nextInt(bound)`, the likely call behind AWS's; seeded results are
            // still not claimed to match AWS bit for bit.
            Ok(bound) => start + i64::from(r.next_below(bound)),
            Err(_) => r.range_inclusive(start, end - 1),
        }
    };
    // A seeded call gets a fresh generator, so the same seed always gives the same number and
    // does not disturb the execution's own sequence.
    let n = match seed {
        Some(s) => draw(&mut Rng::new(s)),
        None => draw(rng),
    };
    Ok(Value::int(n))
}

fn math_add((a, b): (&Value, &Value)) -> Result<Value, StatesError> {
    let f = Function::MathAdd;
    let range = i64::from(i32::MIN)..=i64::from(i32::MAX);
    let x = rounded_saturating(f, 1, a)?;
    let y = rounded_saturating(f, 2, b)?;
    // AWS documents both arguments as limited to the int32 range. The message quotes the
    // argument as given, and what it rounds to when that differs (rounding saturates at i64's
    // ends, a number nobody wrote, which is then left out).
    for (n, v, given) in [(1, x, a), (2, y, b)] {
        if !range.contains(&v) {
            let written = given.to_json();
            let rounded = if written == v.to_string() || v == i64::MAX || v == i64::MIN {
                String::new()
            } else {
                format!(", which rounds to {v}")
            };
            return Err(fail(
                f,
                format!("argument {n} ({written}{rounded}) is outside the range {}..{}", i32::MIN, i32::MAX),
            ));
        }
    }
    // Pinned: a sum outside int32 fails rather than wrapping around as Java's `int` would.
    let sum = x + y;
    if !range.contains(&sum) {
        return Err(fail(f, format!("the sum {sum} is outside the range {}..{}", i32::MIN, i32::MAX)));
    }
    Ok(Value::int(sum))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn run(call: &str, input: Value) -> Result<Value, StatesError> {
        let ctx = json!({"Execution": {"Id": "arn:exec"}});
        let env = Env::new(&input, &ctx);
        parse(call).map_err(|e| panic!("{call}: {e}")).and_then(|c| c.eval(&env, &mut Rng::new(7)))
    }

    fn ok(call: &str, input: Value) -> Value {
        run(call, input).unwrap_or_else(|e| panic!("{call}: {e}"))
    }

    fn syntax(call: &str) -> IntrinsicSyntaxError {
        match parse(call) {
            Ok(c) => panic!("{call} parsed as {c}"),
            Err(e) => e,
        }
    }

    #[test]
    fn parses_arguments_of_every_kind() {
        let c =
            parse("States.Array('a\\'b', -1.5e2, 3, true, false, null, $.x, $$.Execution.Id, States.UUID())")
                .unwrap();
        assert_eq!(c.function(), "States.Array");
        assert_eq!(c.args().len(), 9);
        assert!(matches!(&c.args()[0], Arg::Literal(Value::String(s)) if &**s == "a'b"));
        assert!(matches!(&c.args()[1], Arg::Literal(Value::Number(Number::Float(x))) if *x == -150.0));
        assert!(matches!(&c.args()[2], Arg::Literal(Value::Number(Number::Int(3)))));
        assert!(matches!(&c.args()[8], Arg::Call(inner) if inner.function() == "States.UUID"));
        assert_eq!(c.depth(), 2);
    }

    #[test]
    fn paths_end_at_top_level_delimiters_only() {
        let c = parse("States.Array($.a['x,y'], $.b[0] , $)").unwrap();
        let texts: Vec<&str> = c.paths().map(JsonPath::text).collect();
        assert_eq!(texts, ["$.a['x,y']", "$.b[0]", "$"]);
    }

    #[test]
    fn path_extent_respects_brackets_parentheses_and_quotes() {
        fn end(s: &str) -> &str {
            &s[..path_end(s.as_bytes(), 0)]
        }
        assert_eq!(end("$.a, 1"), "$.a");
        assert_eq!(end("$.a)"), "$.a");
        assert_eq!(end("$.a ,"), "$.a");
        assert_eq!(end("$.a[0,1], 2"), "$.a[0,1]");
        assert_eq!(end("$.a['x,y'])"), "$.a['x,y']");
        assert_eq!(end("$.a[?(@.b == ')' && @.c > 1)])"), "$.a[?(@.b == ')' && @.c > 1)]");
        assert_eq!(end("$.a['it\\'s, ok'],"), "$.a['it\\'s, ok']");
        assert_eq!(end("$['é,x'].b,"), "$['é,x'].b");
        assert_eq!(end("$.a['open"), "$.a['open");
        assert_eq!(end("$.a['x\\"), "$.a['x\\");
    }

    #[test]
    fn paths_iterates_nested_calls_in_order() {
        let c = parse("States.Format('{}{}{}', $.a, States.Array($.b, States.Array($.c)), $$.d)").unwrap();
        let texts: Vec<&str> = c.paths().map(JsonPath::text).collect();
        assert_eq!(texts, ["$.a", "$.b", "$.c", "$$.d"]);
    }

    #[test]
    fn nesting_limit_is_ten_calls_deep() {
        let nest = |n: usize| {
            let mut s = "States.Array()".to_string();
            for _ in 1..n {
                s = format!("States.Array({s})");
            }
            s
        };
        assert_eq!(parse(&nest(10)).unwrap().depth(), 10);
        assert!(syntax(&nest(11)).message.contains("at most 10 deep"));
        // Far deeper text must fail the same way, without deep recursion.
        assert!(syntax(&nest(5000)).message.contains("at most 10 deep"));
    }

    #[test]
    fn syntax_errors_say_what_is_wrong() {
        assert!(syntax("States.Formatt('x')").message.contains("unknown intrinsic function"));
        // A likely typo gets the function it probably meant (a QA pass: it listed all 18).
        assert!(syntax("States.Fromat('x')").message.ends_with("did you mean 'States.Format'?"));
        assert!(syntax("States.Nothing('x')").message.contains("the functions are"));
        assert!(syntax("States.format('x')").message.contains("did you mean 'States.Format'"));
        assert!(syntax("States.ArrayLength($.a, $.b)")
            .message
            .contains("exactly 1 argument, but 2 were given"));
        assert!(syntax("States.MathRandom(1)").message.contains("2 to 3 arguments"));
        assert!(syntax("States.Format()").message.contains("at least 1 argument"));
        assert!(syntax("States.UUID(1)").message.contains("exactly 0 arguments"));
        assert!(syntax("States.Array('abc)").message.contains("unterminated string"));
        assert!(syntax("States.Array('a\\nb')").message.contains("invalid escape"));
        assert!(syntax("States.Array(\"x\")").message.contains("single quotes"));
        assert!(syntax("States.Array(1,)").message.contains("expected an argument"));
        assert!(syntax("States.Array(1 2)").message.contains("expected ',' or ')'"));
        assert!(syntax("States.Array(1").message.contains("missing ')'"));
        assert!(syntax("States.StringSplit('a,b', ',')[0]").message.contains("ArrayGetItem"));
        assert!(syntax("States.Array(yes)").message.contains("unexpected 'yes'"));
        assert!(syntax("States.Array(12abc)").message.contains("unexpected text after '12'"));
        let e = syntax("States.Array($.a, Foo)");
        assert_eq!(e.offset, 18);
    }

    #[test]
    fn format_keeps_escaped_braces_literal() {
        assert_eq!(ok("States.Format('\\{\\} {}', 'x')", json!({})), json!("{} x"));
        assert_eq!(ok("States.Format('it\\'s {} \\\\ {}', 1, null)", json!({})), json!("it's 1 \\ null"));
    }

    #[test]
    fn format_template_from_data_is_escape_processed() {
        assert_eq!(ok("States.Format($.t, $.v)", json!({"t": "\\{{}\\}", "v": 5})), json!("{5}"));
        let e = run("States.Format($.t)", json!({"t": "abc\\"})).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert!(e.cause.contains("open escape"));
    }

    #[test]
    fn missing_paths_are_terminal_runtime_errors() {
        let e = run("States.Array($.nope)", json!({"a": 1})).unwrap_err();
        assert_eq!(e.error, "States.Runtime");
        assert_eq!(
            e.cause,
            "The JSONPath '$.nope' specified for an argument of States.Array could not be found in the input '{\"a\":1}'"
        );
    }

    #[test]
    fn variables_resolve_through_env() {
        struct One(Value);
        impl crate::eval::Vars for One {
            fn get(&self, name: &str) -> Option<Value> {
                (name == "v").then(|| self.0.clone())
            }
        }
        let input = json!({});
        let ctx = json!({});
        let vars = One(json!({"n": 41}));
        let env = Env { input: &input, context: &ctx, vars: &vars };
        let c = parse("States.MathAdd($v.n, 1)").unwrap();
        assert_eq!(c.eval(&env, &mut Rng::new(0)).unwrap(), json!(42));
        let e = parse("States.Array($w)").unwrap().eval(&env, &mut Rng::new(0)).unwrap_err();
        assert!(e.cause.contains("variable 'w' is not defined"), "{}", e.cause);
    }

    #[test]
    fn java_rounding_sends_ties_up() {
        let cases =
            [(0.5, 1.0), (1.5, 2.0), (2.5, 3.0), (-0.5, 0.0), (-1.5, -1.0), (-2.5, -2.0), (-1.51, -2.0)];
        for (x, want) in cases {
            assert_eq!(java_round(x), want, "{x}");
        }
        assert_eq!(java_round(0.49999999999999994), 0.0);
    }

    #[test]
    fn seeded_random_is_repeatable_and_leaves_the_rng_alone() {
        let input = json!({});
        let env = Env::new(&input, &input);
        let c = parse("States.MathRandom(0, 1000, 42)").unwrap();
        let mut a = Rng::new(1);
        let mut b = Rng::new(2);
        let x = c.eval(&env, &mut a).unwrap();
        assert_eq!(x, c.eval(&env, &mut b).unwrap());
        // new java.util.Random(42).nextInt(1000) == 130
        assert_eq!(x, json!(130));
        let mut fresh = Rng::new(1);
        assert_eq!(a.next_i64(), fresh.next_i64());
    }

    #[test]
    fn unseeded_random_stays_in_range() {
        let input = json!({"s": -3, "e": 4});
        let env = Env::new(&input, &input);
        let c = parse("States.MathRandom($.s, $.e)").unwrap();
        let mut rng = Rng::new(9);
        let mut seen = [false; 7];
        for _ in 0..500 {
            let n = c.eval(&env, &mut rng).unwrap().as_i64().unwrap();
            assert!((-3..4).contains(&n), "{n}");
            seen[(n + 3) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        // Spans beyond i32 still work.
        let wide = parse("States.MathRandom(-9000000000000000000, 9000000000000000000)").unwrap();
        assert!(wide.eval(&env, &mut rng).is_ok());
    }

    #[test]
    fn uuid_is_version_4() {
        let v = ok("States.UUID()", json!({}));
        let s = v.as_str().unwrap();
        assert_eq!(s.len(), 36);
        assert_eq!(&s[14..15], "4");
        assert!(matches!(&s[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn array_unique_treats_equal_values_alike() {
        let v = ok(
            "States.ArrayUnique($.a)",
            json!({"a": [{"x": 1, "y": 2}, 1, {"y": 2, "x": 1}, 1.0, -0.0, 0, [1], [1]]}),
        );
        assert_eq!(v.to_json(), r#"[{"x":1,"y":2},1,-0.0,[1]]"#);
    }

    #[test]
    fn array_range_refuses_huge_ranges_without_allocating() {
        let e =
            run("States.ArrayRange(-9223372036854775808, 9223372036854775807, 1)", json!({})).unwrap_err();
        assert_eq!(e.error, "States.IntrinsicFailure");
        assert!(e.cause.contains("limit is 1000"));
    }

    #[test]
    fn display_round_trips() {
        for text in [
            "States.Format('\\{\\} {} it\\'s', $.a, 1, -2.5, true, null)",
            "States.Array(States.Array(), $$.Execution.Id, 'a\\{b')",
        ] {
            let c = parse(text).unwrap();
            assert_eq!(c.to_string(), text);
            assert_eq!(parse(&c.to_string()).unwrap().to_string(), text);
        }
    }

    #[test]
    fn is_intrinsic_call_heuristic() {
        assert!(is_intrinsic_call("States.Format('x')"));
        assert!(is_intrinsic_call("States.Nope ("));
        assert!(!is_intrinsic_call("$.States.Format('x')"));
        assert!(!is_intrinsic_call("States.('x')"));
        assert!(!is_intrinsic_call("States.Format"));
        assert!(!is_intrinsic_call(" States.Format('x')"));
    }

    #[test]
    fn json_merge_keeps_first_objects_key_order() {
        let v =
            ok("States.JsonMerge($.a, $.b, false)", json!({"a": {"k": 1, "m": 2}, "b": {"n": 3, "k": 4}}));
        assert_eq!(v.to_json(), r#"{"k":4,"m":2,"n":3}"#);
    }

    /// Random calls, well-formed and then corrupted, must never panic the parser; whatever parses
    /// must evaluate without panicking and print back to text that parses to the same call.
    #[test]
    fn parser_never_panics_on_noise() {
        fn gen(rng: &mut Rng, depth: usize, out: &mut String) {
            let f = Function::ALL[rng.next_below(18) as usize];
            out.push_str(f.name());
            out.push('(');
            let (min, max) = f.arity();
            let n = min + rng.next_below((max.unwrap_or(min + 3) - min + 1) as i32) as usize;
            for k in 0..n {
                if k > 0 {
                    out.push_str(", ");
                }
                match rng.next_below(if depth < 12 { 9 } else { 8 }) {
                    0 => out.push_str("'x{}\\{'"),
                    1 => out.push_str("$.a"),
                    2 => out.push_str("$.o"),
                    3 => out.push_str("$.t"),
                    4 => {
                        out.push_str(["1", "-2.5", "0", "1000000000000", "2.5e3"][rng.next_below(5) as usize])
                    }
                    5 => out.push_str(["true", "false", "null"][rng.next_below(3) as usize]),
                    6 => out.push_str(["'SHA-1'", "'MD5'", "','", "''"][rng.next_below(4) as usize]),
                    7 => out.push_str("$['a']"),
                    _ => gen(rng, depth + 1, out),
                }
            }
            out.push(')');
        }
        let noise = ['(', ')', ',', '\'', '\\', '$', '[', ']', ' ', 'é', '{', '}', '"'];
        let mut rng = Rng::new(2024);
        let input = json!({"a": [1, 2, 2, "x"], "t": "{}", "o": {"k": 1}});
        let env = Env::new(&input, &input);
        let (mut parsed, mut evaluated) = (0, 0);
        for round in 0..20_000 {
            let mut s = String::new();
            gen(&mut rng, 1, &mut s);
            if round % 2 == 1 {
                let mut chars: Vec<char> = s.chars().collect();
                let at = rng.next_below(chars.len() as i32) as usize;
                match rng.next_below(3) {
                    0 => {
                        chars.remove(at);
                    }
                    1 => chars.insert(at, noise[rng.next_below(noise.len() as i32) as usize]),
                    _ => chars.truncate(at),
                }
                s = chars.into_iter().collect();
            }
            if let Ok(c) = parse(&s) {
                parsed += 1;
                evaluated += usize::from(c.eval(&env, &mut rng).is_ok());
                assert_eq!(parse(&c.to_string()).map(|d| d.to_string()).ok(), Some(c.to_string()), "{s}");
            }
        }
        assert!(parsed > 5_000 && evaluated > 500, "{parsed} {evaluated}");
    }
}
