//! JSONata's standard library (jsonata-js 2.0.6 `functions.js`), as Step Functions binds it.
//!
//! `$eval` is left unbound, as Step Functions leaves it; Step Functions' own functions are in
//! [`super::stepfunctions`].

use std::rc::Rc;

use base64::Engine as _;

use super::error::JsonataError;
use super::eval::{append, boolean, deep_equal, js_str_cmp, lookup_field, Eval, R};
use super::regex::JsRegex;
use super::signature::Signature;
use super::stringify::{self, js_number, message_json};
use super::value::{is_numeric, Frame, Func, JMap, JValue};
use super::{datetime, number, stepfunctions};

/// A built-in function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    Sum,
    Count,
    Max,
    Min,
    Average,
    String,
    Substring,
    SubstringBefore,
    SubstringAfter,
    Lowercase,
    Uppercase,
    Length,
    Trim,
    Pad,
    Match,
    Contains,
    Replace,
    Split,
    Join,
    FormatNumber,
    FormatBase,
    FormatInteger,
    ParseInteger,
    Number,
    Floor,
    Ceil,
    Round,
    Abs,
    Sqrt,
    Power,
    Random,
    Boolean,
    Not,
    Map,
    Zip,
    Filter,
    Single,
    Reduce,
    Sift,
    Keys,
    Lookup,
    Append,
    Exists,
    Spread,
    Merge,
    Reverse,
    Each,
    Error,
    Assert,
    Type,
    Sort,
    Shuffle,
    Distinct,
    Base64Encode,
    Base64Decode,
    EncodeUrlComponent,
    EncodeUrl,
    DecodeUrlComponent,
    DecodeUrl,
    ToMillis,
    FromMillis,
    Clone,
    Now,
    Millis,
    Partition,
    Range,
    Hash,
    Uuid,
    Parse,
}

/// Name, signature and JavaScript arity (how many arguments a higher-order function passes it),
/// in the order of [`Builtin`].
const TABLE: &[(Builtin, &str, &str, usize)] = &[
    (Builtin::Sum, "sum", "<a<n>:n>", 1),
    (Builtin::Count, "count", "<a:n>", 1),
    (Builtin::Max, "max", "<a<n>:n>", 1),
    (Builtin::Min, "min", "<a<n>:n>", 1),
    (Builtin::Average, "average", "<a<n>:n>", 1),
    (Builtin::String, "string", "<x-b?:s>", 1),
    (Builtin::Substring, "substring", "<s-nn?:s>", 3),
    (Builtin::SubstringBefore, "substringBefore", "<s-s:s>", 2),
    (Builtin::SubstringAfter, "substringAfter", "<s-s:s>", 2),
    (Builtin::Lowercase, "lowercase", "<s-:s>", 1),
    (Builtin::Uppercase, "uppercase", "<s-:s>", 1),
    (Builtin::Length, "length", "<s-:n>", 1),
    (Builtin::Trim, "trim", "<s-:s>", 1),
    (Builtin::Pad, "pad", "<s-ns?:s>", 3),
    (Builtin::Match, "match", "<s-f<s:o>n?:a<o>>", 3),
    (Builtin::Contains, "contains", "<s-(sf):b>", 2),
    (Builtin::Replace, "replace", "<s-(sf)(sf)n?:s>", 4),
    (Builtin::Split, "split", "<s-(sf)n?:a<s>>", 3),
    (Builtin::Join, "join", "<a<s>s?:s>", 2),
    (Builtin::FormatNumber, "formatNumber", "<n-so?:s>", 3),
    (Builtin::FormatBase, "formatBase", "<n-n?:s>", 2),
    (Builtin::FormatInteger, "formatInteger", "<n-s:s>", 2),
    (Builtin::ParseInteger, "parseInteger", "<s-s:n>", 2),
    (Builtin::Number, "number", "<(nsb)-:n>", 1),
    (Builtin::Floor, "floor", "<n-:n>", 1),
    (Builtin::Ceil, "ceil", "<n-:n>", 1),
    (Builtin::Round, "round", "<n-n?:n>", 2),
    (Builtin::Abs, "abs", "<n-:n>", 1),
    (Builtin::Sqrt, "sqrt", "<n-:n>", 1),
    (Builtin::Power, "power", "<n-n:n>", 2),
    // Step Functions' `$random` takes an optional seed.
    (Builtin::Random, "random", "<n?:n>", 1),
    (Builtin::Boolean, "boolean", "<x-:b>", 1),
    (Builtin::Not, "not", "<x-:b>", 1),
    (Builtin::Map, "map", "<af>", 2),
    (Builtin::Zip, "zip", "<a+>", 0),
    (Builtin::Filter, "filter", "<af>", 2),
    (Builtin::Single, "single", "<af?>", 2),
    (Builtin::Reduce, "reduce", "<afj?:j>", 3),
    (Builtin::Sift, "sift", "<o-f?:o>", 2),
    (Builtin::Keys, "keys", "<x-:a<s>>", 1),
    (Builtin::Lookup, "lookup", "<x-s:x>", 2),
    (Builtin::Append, "append", "<xx:a>", 2),
    (Builtin::Exists, "exists", "<x:b>", 1),
    (Builtin::Spread, "spread", "<x-:a<o>>", 1),
    (Builtin::Merge, "merge", "<a<o>:o>", 1),
    (Builtin::Reverse, "reverse", "<a:a>", 1),
    (Builtin::Each, "each", "<o-f:a>", 2),
    (Builtin::Error, "error", "<s?:x>", 1),
    (Builtin::Assert, "assert", "<bs?:x>", 2),
    (Builtin::Type, "type", "<x:s>", 1),
    (Builtin::Sort, "sort", "<af?:a>", 2),
    (Builtin::Shuffle, "shuffle", "<a:a>", 1),
    (Builtin::Distinct, "distinct", "<x:x>", 1),
    (Builtin::Base64Encode, "base64encode", "<s-:s>", 1),
    (Builtin::Base64Decode, "base64decode", "<s-:s>", 1),
    (Builtin::EncodeUrlComponent, "encodeUrlComponent", "<s-:s>", 1),
    (Builtin::EncodeUrl, "encodeUrl", "<s-:s>", 1),
    (Builtin::DecodeUrlComponent, "decodeUrlComponent", "<s-:s>", 1),
    (Builtin::DecodeUrl, "decodeUrl", "<s-:s>", 1),
    (Builtin::ToMillis, "toMillis", "<s-s?:n>", 2),
    (Builtin::FromMillis, "fromMillis", "<n-s?s?:s>", 3),
    (Builtin::Clone, "clone", "<(oa)-:o>", 1),
    (Builtin::Now, "now", "<s?s?:s>", 2),
    (Builtin::Millis, "millis", "<:n>", 0),
    (Builtin::Partition, "partition", "<a<x>n?:a>", 2),
    (Builtin::Range, "range", "<nnn?:a>", 3),
    (Builtin::Hash, "hash", "<ss?:s>", 2),
    (Builtin::Uuid, "uuid", "<:s>", 0),
    (Builtin::Parse, "parse", "<s?:j>", 1),
];

/// Every built-in's name (the variable it is bound to, without `$`).
pub(crate) fn builtin_names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(_, n, _, _)| *n)
}

impl Builtin {
    fn entry(self) -> Option<&'static (Builtin, &'static str, &'static str, usize)> {
        TABLE.iter().find(|(b, ..)| *b == self)
    }

    pub(crate) fn by_name(name: &str) -> Option<Builtin> {
        TABLE.iter().find(|(_, n, ..)| *n == name).map(|(b, ..)| *b)
    }

    pub(crate) fn name(self) -> &'static str {
        self.entry().map_or("", |e| e.1)
    }

    /// The number of arguments jsonata-js's implementation declares.
    pub(crate) fn arity(self) -> usize {
        self.entry().map_or(1, |e| e.3)
    }

    pub(crate) fn signature(self) -> &'static Signature {
        static SIGS: std::sync::OnceLock<Vec<Signature>> = std::sync::OnceLock::new();
        let sigs = SIGS.get_or_init(|| TABLE.iter().map(|(_, _, s, _)| Signature::parse_static(s)).collect());
        static EMPTY: std::sync::OnceLock<Signature> = std::sync::OnceLock::new();
        let index = TABLE.iter().position(|(b, ..)| *b == self);
        match index.and_then(|i| sigs.get(i)) {
            Some(s) => s,
            None => EMPTY.get_or_init(|| Signature::parse_static("<x*>")),
        }
    }
}

/// `getFunctionArity`.
pub(crate) fn arity(f: &Func) -> usize {
    match f {
        Func::Builtin(b) => b.arity(),
        Func::Lambda(l) => l.params.len(),
        Func::Partial { args, .. } => args.iter().filter(|a| a.is_none()).count(),
        Func::Regex(_) => 2,
        Func::RegexNext { .. } => 0,
        Func::Transform { .. } | Func::Chain(..) => 1,
        Func::Plain(f) => arity(f),
    }
}

/// `hofFuncArgs`: the value, and the position and whole structure if the function takes them.
fn hof_args(f: &JValue, value: JValue, position: JValue, whole: &JValue) -> Vec<Option<JValue>> {
    let n = f.as_func().map_or(1, |f| arity(f));
    let mut args = vec![Some(value)];
    if n >= 2 {
        args.push(Some(position));
    }
    if n >= 3 {
        args.push(Some(whole.clone()));
    }
    args
}

/// `fn.string` without prettifying (the `&` operator's conversion).
pub(crate) fn to_string(v: &JValue) -> R<String> {
    match v {
        JValue::String(s) => Ok(s.to_string()),
        JValue::Func(_) => Ok(String::new()),
        JValue::Number(n) if !n.as_f64().is_finite() => {
            Err(JsonataError::new("D3001").value_json(message_json(Some(v))))
        }
        _ => stringify::stringify(v, false),
    }
}

/// JavaScript's `String(value)` (what a regular expression does to a non-string it is given).
pub(crate) fn js_to_string(v: Option<&JValue>) -> String {
    fn go(v: Option<&JValue>, level: usize) -> String {
        match v {
            None => "undefined".into(),
            Some(JValue::Null) => "null".into(),
            Some(JValue::Bool(b)) => b.to_string(),
            Some(JValue::Number(n)) => match n {
                crate::value::Number::Int(i) => i.to_string(),
                crate::value::Number::Float(f) => js_number(*f),
            },
            Some(JValue::String(s)) => s.to_string(),
            Some(JValue::Func(_)) => "function".into(),
            Some(v) if v.is_array() => {
                if stringify::too_deep(level) {
                    return String::new();
                }
                let items = v.array_items().unwrap_or_default();
                let parts: Vec<String> = items
                    .iter()
                    .map(|i| if matches!(i, JValue::Null) { String::new() } else { go(Some(i), level + 1) })
                    .collect();
                parts.join(",")
            }
            Some(_) => "[object Object]".into(),
        }
    }
    go(v, 0)
}

/// JavaScript truthiness (what `if (value)` tests).
fn js_truthy(v: Option<&JValue>) -> bool {
    match v {
        None | Some(JValue::Null) => false,
        Some(JValue::Bool(b)) => *b,
        Some(JValue::Number(n)) => {
            let f = n.as_f64();
            f != 0.0 && !f.is_nan()
        }
        Some(JValue::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

fn arg(args: &[Option<JValue>], i: usize) -> Option<JValue> {
    args.get(i).cloned().flatten()
}

fn arg_str(args: &[Option<JValue>], i: usize) -> Option<Rc<str>> {
    match args.get(i) {
        Some(Some(JValue::String(s))) => Some(s.clone()),
        _ => None,
    }
}

fn arg_num(args: &[Option<JValue>], i: usize) -> Option<f64> {
    args.get(i).and_then(|a| a.as_ref()).and_then(JValue::as_f64)
}

fn items_of(v: &JValue) -> Vec<JValue> {
    v.array_items().unwrap_or_else(|| vec![v.clone()])
}

fn num(f: f64) -> Option<JValue> {
    Some(JValue::num(f))
}

fn string(s: impl Into<Rc<str>>) -> Option<JValue> {
    Some(JValue::String(s.into()))
}

/// The length of a string in UTF-16 code units (JavaScript's `length`).
pub(crate) fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// The byte offset of UTF-16 index `i` (clamped to the string).
pub(crate) fn utf16_to_byte(s: &str, i: usize) -> usize {
    let mut units = 0;
    for (b, c) in s.char_indices() {
        if units >= i {
            return b;
        }
        units += c.len_utf16();
    }
    s.len()
}

/// Converts increasing byte offsets of one string to UTF-16 indexes in linear total time.
struct Utf16Cursor {
    byte: usize,
    unit: usize,
}

impl Utf16Cursor {
    fn new() -> Utf16Cursor {
        Utf16Cursor { byte: 0, unit: 0 }
    }

    fn index(&mut self, s: &str, b: usize) -> usize {
        if b < self.byte {
            *self = Utf16Cursor::new();
        }
        self.unit += s.get(self.byte..b).map_or(0, utf16_len);
        self.byte = b;
        self.unit
    }
}

/// The UTF-16 index of byte offset `b`.
pub(crate) fn byte_to_utf16(s: &str, b: usize) -> usize {
    s.get(..b).map_or_else(|| utf16_len(s), utf16_len)
}

/// JavaScript `Array.prototype.slice` index normalisation.
fn slice_index(x: f64, len: usize) -> usize {
    if x.is_nan() {
        return 0;
    }
    let t = x.trunc();
    if t < 0.0 {
        (len as f64 + t).max(0.0) as usize
    } else {
        t.min(len as f64) as usize
    }
}

/// `$substring`, on code points.
fn substring(s: &str, start: f64, length: Option<f64>) -> String {
    let chars: Vec<char> = s.chars().collect();
    let len = chars.len();
    let mut start = start;
    if len as f64 + start < 0.0 {
        start = 0.0;
    }
    match length {
        Some(l) => {
            if l <= 0.0 || l.is_nan() {
                return String::new();
            }
            let end = if start >= 0.0 { start + l } else { len as f64 + start + l };
            let (a, b) = (slice_index(start, len), slice_index(end, len));
            if b <= a {
                return String::new();
            }
            chars.get(a..b).unwrap_or(&[]).iter().collect()
        }
        None => chars.get(slice_index(start, len)..).unwrap_or(&[]).iter().collect(),
    }
}

/// A match, from a regular expression or a custom matcher function.
struct Found {
    start: usize,
    end: usize,
    text: String,
    groups: Vec<Option<String>>,
    /// The matcher's own object (custom matchers), passed to a replacement function as is.
    object: Option<JValue>,
}

/// Iterates the matches of a matcher over a string, the way jsonata-js calls `next()`.
enum Matches {
    Native { re: Rc<JsRegex>, haystack: Rc<str>, last: usize, started: bool },
    Custom { haystack: Rc<str>, next: Option<JValue>, started: bool, matcher: JValue },
}

impl Matches {
    fn new(matcher: &JValue, haystack: &Rc<str>) -> Matches {
        match matcher.as_func().map(|f| f.unwrapped()) {
            Some(Func::Regex(re)) => {
                Matches::Native { re: re.clone(), haystack: haystack.clone(), last: 0, started: false }
            }
            _ => Matches::Custom {
                haystack: haystack.clone(),
                next: None,
                started: false,
                matcher: matcher.clone(),
            },
        }
    }

    fn next(&mut self, ev: &mut Eval, env: &Rc<Frame>) -> R<Option<Found>> {
        match self {
            Matches::Native { re, haystack, last, started } => {
                if *started && *last >= haystack.len() {
                    return Ok(None);
                }
                let first = !*started;
                *started = true;
                let Some(m) = re.exec(haystack, *last) else { return Ok(None) };
                if !first && m.start == m.end {
                    return Err(JsonataError::new("D1004").value_str(&re.source));
                }
                *last = m.end;
                ev.charge(1)?;
                let text = haystack.get(m.start..m.end).unwrap_or("").to_string();
                let groups = m
                    .groups
                    .iter()
                    .map(|g| g.and_then(|(a, b)| haystack.get(a..b)).map(str::to_string))
                    .collect();
                Ok(Some(Found { start: m.start, end: m.end, text, groups, object: None }))
            }
            Matches::Custom { haystack, next, started, matcher } => {
                let result = if !*started {
                    *started = true;
                    ev.call_value(matcher, vec![Some(JValue::String(haystack.clone()))], env)?
                } else {
                    match next.take() {
                        Some(n) => ev.call_value(&n, Vec::new(), env)?,
                        None => return Ok(None),
                    }
                };
                let Some(obj) = result else { return Ok(None) };
                let start = obj.object_get("start");
                let groups = obj.object_get("groups");
                let nxt = obj.object_get("next");
                let valid = matches!(start, Some(JValue::Number(_)))
                    || groups.as_ref().is_some_and(JValue::is_array)
                    || nxt.as_ref().is_some_and(JValue::is_func);
                if !valid {
                    return Err(JsonataError::new("T1010"));
                }
                *next = nxt.filter(JValue::is_func);
                let text = match obj.object_get("match") {
                    Some(JValue::String(s)) => s.to_string(),
                    Some(other) => to_string(&other).unwrap_or_default(),
                    None => String::new(),
                };
                let start16 = start.and_then(|s| s.as_f64()).unwrap_or(0.0).max(0.0) as usize;
                let start = utf16_to_byte(haystack, start16);
                let end = match obj.object_get("end").and_then(|e| e.as_f64()) {
                    Some(e) => utf16_to_byte(haystack, e.max(0.0) as usize),
                    None => (start + text.len()).min(haystack.len()),
                };
                let groups = groups
                    .and_then(|g| g.array_items())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|g| match g {
                        JValue::String(s) => Some(s.to_string()),
                        JValue::Null => None,
                        other => to_string(&other).ok(),
                    })
                    .collect();
                Ok(Some(Found { start, end, text, groups, object: Some(obj) }))
            }
        }
    }
}

fn groups_value(groups: &[Option<String>]) -> JValue {
    JValue::array(
        groups.iter().map(|g| g.as_ref().map_or(JValue::Null, |s| JValue::str(s.as_str()))).collect(),
    )
}

/// The object a regular expression returns when called as a function.
pub(crate) fn regex_match_object(re: &Rc<JsRegex>, haystack: &Rc<str>, from: usize) -> Option<JValue> {
    let m = re.exec(haystack, from)?;
    let text = haystack.get(m.start..m.end).unwrap_or("");
    let groups: Vec<Option<String>> =
        m.groups.iter().map(|g| g.and_then(|(a, b)| haystack.get(a..b)).map(str::to_string)).collect();
    let mut map = JMap::default();
    map.insert("match".into(), JValue::str(text));
    map.insert("start".into(), JValue::num(byte_to_utf16(haystack, m.start) as f64));
    map.insert("end".into(), JValue::num(byte_to_utf16(haystack, m.end) as f64));
    map.insert("groups".into(), groups_value(&groups));
    map.insert(
        "next".into(),
        JValue::func(Func::RegexNext { regex: re.clone(), haystack: haystack.clone(), from: m.end }),
    );
    Some(JValue::object(map))
}

/// A match object's `next()`.
pub(crate) fn regex_next(re: &Rc<JsRegex>, haystack: &Rc<str>, from: usize) -> R<Option<JValue>> {
    if from >= haystack.len() {
        return Ok(None);
    }
    let next = regex_match_object(re, haystack, from);
    if let Some(obj) = &next {
        if matches!(obj.object_get("match"), Some(JValue::String(s)) if s.is_empty()) {
            return Err(JsonataError::new("D1004").value_str(&re.source));
        }
    }
    Ok(next)
}

/// Expands `$0`, `$1`, `$$` in a replacement string (jsonata-js's replacer).
fn expand_replacement(replacement: &str, m: &Found) -> String {
    let mut out = String::new();
    let chars: Vec<char> = replacement.chars().collect();
    let mut position = 0;
    while position < chars.len() {
        let Some(offset) = chars.iter().skip(position).position(|&c| c == '$') else { break };
        let index = position + offset;
        out.extend(chars.get(position..index).unwrap_or(&[]).iter());
        position = index + 1;
        match chars.get(position) {
            Some('$') => {
                out.push('$');
                position += 1;
            }
            Some('0') => {
                out.push_str(&m.text);
                position += 1;
            }
            _ => {
                let n_groups = m.groups.len();
                let max_digits =
                    if n_groups == 0 { 1 } else { (n_groups as f64).log10().floor() as usize + 1 };
                let take = |k: usize| -> Option<usize> {
                    let s: String = chars.iter().skip(position).take(k).collect();
                    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
                    digits.parse().ok()
                };
                let mut idx = take(max_digits);
                if max_digits > 1 && idx.is_some_and(|i| i > n_groups) {
                    idx = take(max_digits - 1);
                }
                match idx {
                    Some(i) => {
                        if n_groups > 0 {
                            if let Some(Some(g)) = i.checked_sub(1).and_then(|k| m.groups.get(k)) {
                                out.push_str(g);
                            }
                        }
                        position += i.to_string().len();
                    }
                    None => out.push('$'),
                }
            }
        }
    }
    out.extend(chars.get(position..).unwrap_or(&[]).iter());
    out
}

/// `encodeURIComponent` (`component`) or `encodeURI`.
fn encode_uri(s: &str, component: bool) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let keep =
            c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c) || (!component && ";,/?:@&=+$#".contains(c));
        if keep {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// `decodeURIComponent` (`component`) or `decodeURI`; `None` for a malformed sequence.
fn decode_uri(s: &str, component: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = *bytes.get(i)?;
        if b != b'%' {
            out.push(b);
            i += 1;
            continue;
        }
        let hex = |k: usize| -> Option<u8> {
            let h = std::str::from_utf8(bytes.get(k + 1..k + 3)?).ok()?;
            u8::from_str_radix(h, 16).ok()
        };
        let first = hex(i)?;
        let len = match first {
            0x00..=0x7f => 1,
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => return None,
        };
        let mut seq = vec![first];
        for k in 1..len {
            if bytes.get(i + 3 * k) != Some(&b'%') {
                return None;
            }
            seq.push(hex(i + 3 * k)?);
        }
        let decoded = std::str::from_utf8(&seq).ok()?;
        if !component && len == 1 && ";/?:@&=+$,#".contains(decoded) {
            out.extend_from_slice(bytes.get(i..i + 3)?);
        } else {
            out.extend_from_slice(decoded.as_bytes());
        }
        i += 3 * len;
    }
    String::from_utf8(out).ok()
}

/// Whether two values are equal for `$distinct`, via a canonical key where possible.
fn canonical_key(v: &JValue) -> Option<String> {
    fn go(v: &JValue, out: &mut String, level: usize) -> Option<()> {
        if stringify::too_deep(level) {
            return None;
        }
        match v {
            JValue::Null => out.push('n'),
            JValue::Bool(b) => out.push(if *b { 't' } else { 'f' }),
            JValue::Number(n) => {
                let f = n.as_f64();
                if f.is_nan() {
                    return None;
                }
                // As the double it is to JavaScript (an input integer past 2^53 too), `-0` as `0`.
                out.push('#');
                out.push_str(&format!("{:?}", if f == 0.0 { 0.0 } else { f }));
            }
            JValue::String(s) => {
                out.push('"');
                crate::value::write_json_string(s, out);
            }
            JValue::Func(_) | JValue::Tuples(_) => return None,
            _ if v.is_array() => {
                out.push('[');
                for item in v.array_items()? {
                    go(&item, out, level + 1)?;
                    out.push(',');
                }
                out.push(']');
            }
            _ => {
                let mut entries = v.object_entries()?;
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                out.push('{');
                for (k, item) in entries {
                    crate::value::write_json_string(&k, out);
                    out.push(':');
                    go(&item, out, level + 1)?;
                    out.push(',');
                }
                out.push('}');
            }
        }
        Some(())
    }
    let mut out = String::new();
    go(v, &mut out, 0)?;
    Some(out)
}

/// Runs a built-in on validated arguments.
pub(crate) fn call(
    ev: &mut Eval,
    b: Builtin,
    args: Vec<Option<JValue>>,
    input: Option<&JValue>,
    env: &Rc<Frame>,
) -> R<Option<JValue>> {
    // The context reaches built-ins through their signatures; none reads it directly.
    let _ = input;
    let a0 = arg(&args, 0);
    match b {
        Builtin::Sum => Ok(a0.map(|a| JValue::num(items_of(&a).iter().filter_map(JValue::as_f64).sum()))),
        Builtin::Count => Ok(num(a0.map_or(0, |a| items_of(&a).len()) as f64)),
        Builtin::Max | Builtin::Min => {
            let Some(a) = a0 else { return Ok(None) };
            let nums: Vec<f64> = items_of(&a).iter().filter_map(JValue::as_f64).collect();
            if nums.is_empty() {
                return Ok(None);
            }
            let init = if b == Builtin::Max { f64::NEG_INFINITY } else { f64::INFINITY };
            let r = nums.iter().fold(init, |acc, &x| {
                if x.is_nan() || acc.is_nan() {
                    f64::NAN
                } else if b == Builtin::Max {
                    acc.max(x)
                } else {
                    acc.min(x)
                }
            });
            Ok(num(r))
        }
        Builtin::Average => {
            let Some(a) = a0 else { return Ok(None) };
            let nums: Vec<f64> = items_of(&a).iter().filter_map(JValue::as_f64).collect();
            if nums.is_empty() {
                return Ok(None);
            }
            Ok(num(nums.iter().sum::<f64>() / nums.len() as f64))
        }
        Builtin::String => {
            let Some(v) = a0 else { return Ok(None) };
            let pretty = js_truthy(args.get(1).and_then(|a| a.as_ref()));
            let s = match &v {
                JValue::String(s) => s.to_string(),
                JValue::Func(_) => String::new(),
                JValue::Number(n) if !n.as_f64().is_finite() => {
                    return Err(JsonataError::new("D3001").value_json(message_json(Some(&v))))
                }
                _ => stringify::stringify(&v, pretty)?,
            };
            ev.check_str(s.len())?;
            Ok(string(s))
        }
        Builtin::Substring => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            let start = arg_num(&args, 1).unwrap_or(f64::NAN);
            Ok(string(substring(&s, start, arg_num(&args, 2))))
        }
        Builtin::SubstringBefore | Builtin::SubstringAfter => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            let chars = arg_str(&args, 1).map(|c| c.to_string()).unwrap_or_else(|| "undefined".into());
            Ok(string(match s.find(&chars) {
                Some(pos) if b == Builtin::SubstringBefore => s.get(..pos).unwrap_or("").to_string(),
                Some(pos) => s.get(pos + chars.len()..).unwrap_or("").to_string(),
                None => s.to_string(),
            }))
        }
        Builtin::Lowercase => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            let l = s.to_lowercase();
            ev.check_str(l.len())?;
            Ok(string(l))
        }
        Builtin::Uppercase => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            let u = s.to_uppercase();
            ev.check_str(u.len())?;
            Ok(string(u))
        }
        Builtin::Length => Ok(arg_str(&args, 0).map(|s| JValue::num(s.chars().count() as f64))),
        Builtin::Trim => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            let mut out = String::new();
            let mut in_space = false;
            for c in s.chars() {
                if matches!(c, ' ' | '\t' | '\n' | '\r') {
                    if !in_space {
                        out.push(' ');
                    }
                    in_space = true;
                } else {
                    out.push(c);
                    in_space = false;
                }
            }
            let t = out.strip_prefix(' ').unwrap_or(&out);
            let t = t.strip_suffix(' ').unwrap_or(t);
            Ok(string(t))
        }
        Builtin::Pad => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            let width = arg_num(&args, 1).unwrap_or(f64::NAN);
            let pad_char = match arg_str(&args, 2) {
                Some(c) if !c.is_empty() => c.to_string(),
                _ => " ".to_string(),
            };
            let pad_len = width.abs() - s.chars().count() as f64;
            if pad_len.is_nan() || pad_len <= 0.0 {
                return Ok(string(s));
            }
            let pad_len = pad_len.trunc() as usize;
            ev.check_str(pad_len.saturating_mul(pad_char.len().max(1)).saturating_add(s.len()))?;
            let padding: String = pad_char.chars().cycle().take(pad_len).collect();
            Ok(string(if width > 0.0 { format!("{s}{padding}") } else { format!("{padding}{s}") }))
        }
        Builtin::Contains => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            match arg(&args, 1) {
                Some(JValue::String(t)) => Ok(Some(JValue::Bool(s.contains(&*t)))),
                Some(m) => {
                    let mut it = Matches::new(&m, &s);
                    Ok(Some(JValue::Bool(it.next(ev, env)?.is_some())))
                }
                None => Ok(Some(JValue::Bool(s.contains("undefined")))),
            }
        }
        Builtin::Match => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            let limit = arg_num(&args, 2);
            if limit.is_some_and(|l| l < 0.0) {
                return Err(JsonataError::new("D3040").index(3).value_json(js_number(limit.unwrap_or(0.0))));
            }
            let mut out = Vec::new();
            if limit.is_none_or(|l| l > 0.0) {
                let Some(m) = arg(&args, 1) else { return Ok(Some(JValue::seq(out))) };
                let mut it = Matches::new(&m, &s);
                // jsonata-js asks for the next match before it checks the limit (so a
                // zero-length match fails with D1004 even under a limit of 1).
                let mut cursor = Utf16Cursor::new();
                let mut found = it.next(ev, env)?;
                while let Some(f) = found.take() {
                    if limit.is_some_and(|l| (out.len() as f64) >= l) {
                        break;
                    }
                    let mut map = JMap::default();
                    map.insert("match".into(), JValue::str(f.text.as_str()));
                    let index = match &f.object {
                        Some(o) => o.object_get("start").unwrap_or(JValue::Null),
                        None => JValue::num(cursor.index(&s, f.start) as f64),
                    };
                    map.insert("index".into(), index);
                    map.insert("groups".into(), groups_value(&f.groups));
                    out.push(JValue::object(map));
                    ev.check_len(out.len())?;
                    found = it.next(ev, env)?;
                }
            }
            Ok(Some(JValue::seq(out)))
        }
        Builtin::Replace => replace(ev, &args, env),
        Builtin::Split => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            let limit = arg_num(&args, 2);
            if limit.is_some_and(|l| l < 0.0) {
                return Err(JsonataError::new("D3020").index(3).value_json(js_number(limit.unwrap_or(0.0))));
            }
            let mut out: Vec<JValue> = Vec::new();
            if limit.is_none_or(|l| l > 0.0) {
                // String.prototype.split's limit is ToUint32.
                let max = limit.map(|l| l.trunc().min(4294967295.0) as usize);
                match arg(&args, 1) {
                    Some(JValue::String(sep)) => {
                        let parts: Vec<String> = if sep.is_empty() {
                            s.chars().map(|c| c.to_string()).collect()
                        } else {
                            s.split(&*sep).map(str::to_string).collect()
                        };
                        for p in parts.into_iter().take(max.unwrap_or(usize::MAX)) {
                            out.push(JValue::str(p));
                        }
                    }
                    Some(m) => {
                        let mut it = Matches::new(&m, &s);
                        let mut start = 0;
                        let mut count = 0usize;
                        let mut any = false;
                        let mut found = it.next(ev, env)?;
                        while let Some(f) = found.take() {
                            if max.is_some_and(|l| count >= l) {
                                break;
                            }
                            any = true;
                            out.push(JValue::str(s.get(start..f.start.max(start)).unwrap_or("")));
                            start = f.end;
                            found = it.next(ev, env)?;
                            count += 1;
                        }
                        if !any {
                            out.push(JValue::String(s.clone()));
                        } else if max.is_none_or(|l| count < l) {
                            out.push(JValue::str(s.get(start..).unwrap_or("")));
                        }
                    }
                    None => out.push(JValue::String(s.clone())),
                }
                ev.check_len(out.len())?;
            }
            Ok(Some(JValue::array(out)))
        }
        Builtin::Join => {
            let Some(a) = a0 else { return Ok(None) };
            let sep = arg_str(&args, 1).map(|s| s.to_string()).unwrap_or_default();
            let parts: Vec<String> =
                items_of(&a).iter().map(|v| v.as_str().map(|s| s.to_string()).unwrap_or_default()).collect();
            let joined = parts.join(&sep);
            ev.check_str(joined.len())?;
            Ok(string(joined))
        }
        Builtin::FormatNumber => {
            let Some(v) = arg_num(&args, 0) else { return Ok(None) };
            let picture = arg_str(&args, 1).map(|s| s.to_string()).unwrap_or_default();
            let options: Vec<(String, String)> = arg(&args, 2)
                .and_then(|o| o.object_entries())
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        v.as_str()
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| to_string(&v).unwrap_or_default()),
                    )
                })
                .collect();
            Ok(string(number::format_number(v, &picture, &options)?))
        }
        Builtin::FormatBase => {
            let Some(v) = arg_num(&args, 0) else { return Ok(None) };
            Ok(string(number::format_base(v, arg_num(&args, 1))?))
        }
        Builtin::FormatInteger => {
            let Some(v) = arg_num(&args, 0) else { return Ok(None) };
            let picture = arg_str(&args, 1).map(|s| s.to_string()).unwrap_or_default();
            let s = datetime::format_integer(v, &picture)?;
            ev.check_str(s.len())?;
            Ok(string(s))
        }
        Builtin::ParseInteger => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            let picture = arg_str(&args, 1).map(|s| s.to_string()).unwrap_or_default();
            Ok(datetime::parse_integer(&s, &picture)?.map(JValue::num))
        }
        Builtin::Number => {
            let Some(v) = a0 else { return Ok(None) };
            match &v {
                JValue::Number(_) => Ok(Some(v)),
                JValue::String(s) => match number::number_from_string(s) {
                    Some(f) => Ok(num(f)),
                    None => Err(JsonataError::new("D3030").index(1).value_json(message_json(Some(&v)))),
                },
                JValue::Bool(b) => Ok(num(if *b { 1.0 } else { 0.0 })),
                _ => Err(JsonataError::new("D3030").index(1).value_json(message_json(Some(&v)))),
            }
        }
        Builtin::Floor => Ok(arg_num(&args, 0).map(|x| JValue::num(x.floor()))),
        Builtin::Ceil => Ok(arg_num(&args, 0).map(|x| JValue::num(x.ceil()))),
        Builtin::Abs => Ok(arg_num(&args, 0).map(|x| JValue::num(x.abs()))),
        Builtin::Round => Ok(arg_num(&args, 0).map(|x| JValue::num(number::round(x, arg_num(&args, 1))))),
        Builtin::Sqrt => {
            let Some(x) = arg_num(&args, 0) else { return Ok(None) };
            if x < 0.0 {
                return Err(JsonataError::new("D3060").index(1).value_json(js_number(x)));
            }
            Ok(num(x.sqrt()))
        }
        Builtin::Power => {
            let Some(x) = arg_num(&args, 0) else { return Ok(None) };
            let exponent = arg_num(&args, 1);
            let e = exponent.unwrap_or(f64::NAN);
            // As JavaScript's Math.pow: a NaN exponent, or ±1 to an infinite one, is NaN where C
            // gives 1 (`$power(1, $missing)` gave 1: a differential QA pass). The result may
            // differ from V8's in the last digit (`$power(1.1, 4)`: see the README).
            let r = if e.is_nan() || (x.abs() == 1.0 && e.is_infinite()) { f64::NAN } else { x.powf(e) };
            if !r.is_finite() {
                // As jsonata-js inserts them (JSON.stringify): NaN and infinities as null, a
                // missing exponent as undefined.
                let json = |n: f64| if n.is_finite() { js_number(n) } else { "null".to_string() };
                let shown = exponent.map_or_else(|| "undefined".to_string(), json);
                return Err(JsonataError::new("D3061").index(1).value_json(json(x)).extra(shown));
            }
            Ok(num(r))
        }
        Builtin::Random => stepfunctions::random(ev, arg_num(&args, 0)),
        Builtin::Boolean => Ok(boolean(a0.as_ref())?.map(JValue::Bool)),
        Builtin::Not => Ok(boolean(a0.as_ref())?.map(|b| JValue::Bool(!b))),
        Builtin::Map | Builtin::Filter => {
            let Some(arr) = a0 else { return Ok(None) };
            let Some(f) = arg(&args, 1) else { return Ok(None) };
            let items = items_of(&arr);
            let mut out = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                let res = ev.call_value(&f, hof_args(&f, item.clone(), JValue::num(i as f64), &arr), env)?;
                if b == Builtin::Map {
                    if let Some(r) = res {
                        out.push(r);
                    }
                } else if boolean(res.as_ref())?.unwrap_or(false) {
                    out.push(item);
                }
            }
            Ok(Some(JValue::seq(out)))
        }
        Builtin::Single => {
            let Some(arr) = a0 else { return Ok(None) };
            let f = arg(&args, 1);
            let mut found: Option<JValue> = None;
            for (i, item) in items_of(&arr).into_iter().enumerate() {
                let positive = match &f {
                    Some(f) => {
                        let res =
                            ev.call_value(f, hof_args(f, item.clone(), JValue::num(i as f64), &arr), env)?;
                        boolean(res.as_ref())?.unwrap_or(false)
                    }
                    None => true,
                };
                if positive {
                    if found.is_some() {
                        return Err(JsonataError::new("D3138").index(i));
                    }
                    found = Some(item);
                }
            }
            match found {
                Some(v) => Ok(Some(v)),
                None => Err(JsonataError::new("D3139")),
            }
        }
        Builtin::Reduce => {
            let Some(seq) = a0 else { return Ok(None) };
            let Some(f) = arg(&args, 1) else { return Ok(None) };
            let n = f.as_func().map_or(0, |f| arity(f));
            if n < 2 {
                return Err(JsonataError::new("D3050").index(1));
            }
            let items = items_of(&seq);
            let init = arg(&args, 2);
            let (mut result, start) = match init {
                None if !items.is_empty() => (items.first().cloned(), 1),
                other => (other, 0),
            };
            for (i, item) in items.iter().enumerate().skip(start) {
                let mut call_args = vec![result.take(), Some(item.clone())];
                if n >= 3 {
                    call_args.push(Some(JValue::num(i as f64)));
                }
                if n >= 4 {
                    call_args.push(Some(seq.clone()));
                }
                result = ev.call_value(&f, call_args, env)?;
            }
            Ok(result)
        }
        Builtin::Sift | Builtin::Each => {
            let Some(obj) = a0 else {
                return Ok(if b == Builtin::Each { Some(JValue::seq(Vec::new())) } else { None });
            };
            let Some(f) = arg(&args, 1) else { return Ok(None) };
            let mut kept = JMap::default();
            let mut out = Vec::new();
            for (k, v) in obj.object_entries().unwrap_or_default() {
                let res = ev.call_value(&f, hof_args(&f, v.clone(), JValue::String(k.clone()), &obj), env)?;
                if b == Builtin::Each {
                    if let Some(r) = res {
                        out.push(r);
                    }
                } else if boolean(res.as_ref())?.unwrap_or(false) {
                    kept.insert(k, v);
                }
            }
            if b == Builtin::Each {
                return Ok(Some(JValue::seq(out)));
            }
            Ok(if kept.is_empty() { None } else { Some(JValue::object(kept)) })
        }
        Builtin::Zip => {
            let arrays: Vec<Vec<JValue>> =
                args.iter().map(|a| a.as_ref().and_then(JValue::array_items).unwrap_or_default()).collect();
            let len = arrays.iter().map(Vec::len).min().unwrap_or(0);
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                out.push(JValue::array(arrays.iter().filter_map(|a| a.get(i).cloned()).collect()));
            }
            Ok(Some(JValue::array(out)))
        }
        Builtin::Keys => Ok(Some(JValue::seq(keys(a0.as_ref(), 0)?))),
        Builtin::Lookup => {
            let key = arg_str(&args, 1).map(|k| k.to_string()).unwrap_or_else(|| "undefined".into());
            lookup_field(a0.as_ref(), &key)
        }
        Builtin::Append => {
            let r = append(a0, arg(&args, 1));
            if let Some(n) = r.as_ref().and_then(JValue::array_len) {
                ev.check_len(n)?;
            }
            Ok(r)
        }
        Builtin::Exists => Ok(Some(JValue::Bool(a0.is_some()))),
        Builtin::Spread => spread(ev, a0, 0),
        Builtin::Merge => {
            let Some(a) = a0 else { return Ok(None) };
            let mut map = JMap::default();
            for obj in items_of(&a) {
                for (k, v) in obj.object_entries().unwrap_or_default() {
                    map.insert(k, v);
                }
            }
            Ok(Some(JValue::object(map)))
        }
        Builtin::Reverse => {
            let Some(a) = a0 else { return Ok(None) };
            let items = items_of(&a);
            if items.len() <= 1 {
                return Ok(Some(a));
            }
            Ok(Some(JValue::array(items.into_iter().rev().collect())))
        }
        Builtin::Error => {
            let message = arg_str(&args, 0)
                .map_or_else(|| "$error() function evaluated".to_string(), |m| m.to_string());
            Err(JsonataError::new("D3137").extra(message))
        }
        Builtin::Assert => {
            if js_truthy(a0.as_ref()) {
                return Ok(None);
            }
            let message =
                arg_str(&args, 1).map_or_else(|| "$assert() statement failed".to_string(), |m| m.to_string());
            Err(JsonataError::new("D3141").extra(message))
        }
        Builtin::Type => {
            let Some(v) = a0 else { return Ok(None) };
            // NaN is a number to JavaScript's `typeof` but not to JSONata's `isNumeric`.
            let numeric = is_numeric(Some(&v))?;
            Ok(string(match &v {
                JValue::Null => "null",
                JValue::Number(_) if numeric => "number",
                JValue::Number(_) => "object",
                JValue::String(_) => "string",
                JValue::Bool(_) => "boolean",
                JValue::Func(_) => "function",
                _ if v.is_array() => "array",
                _ => "object",
            }))
        }
        Builtin::Sort => sort(ev, a0, arg(&args, 1), env),
        Builtin::Shuffle => {
            let Some(a) = a0 else { return Ok(None) };
            let items = items_of(&a);
            if items.len() <= 1 {
                return Ok(Some(a));
            }
            let mut result: Vec<Option<JValue>> = vec![None; items.len()];
            for (i, item) in items.into_iter().enumerate() {
                let j = (ev.env.rng.next_f64() * (i + 1) as f64).floor() as usize;
                if i != j {
                    let moved = result.get(j).cloned().flatten();
                    if let Some(slot) = result.get_mut(i) {
                        *slot = moved;
                    }
                }
                if let Some(slot) = result.get_mut(j) {
                    *slot = Some(item);
                }
            }
            Ok(Some(JValue::array(result.into_iter().flatten().collect())))
        }
        Builtin::Distinct => {
            let Some(a) = a0 else { return Ok(None) };
            if !a.is_array() {
                return Ok(Some(a));
            }
            let items = items_of(&a);
            if items.len() <= 1 {
                return Ok(Some(a));
            }
            let mut seen = std::collections::HashSet::new();
            let mut out: Vec<JValue> = Vec::new();
            for item in items {
                match canonical_key(&item) {
                    Some(key) => {
                        if seen.insert(key) {
                            out.push(item);
                        }
                    }
                    None => {
                        let mut dup = false;
                        for o in &out {
                            ev.charge(1)?;
                            if deep_equal(&item, o)? {
                                dup = true;
                                break;
                            }
                        }
                        if !dup {
                            out.push(item);
                        }
                    }
                }
            }
            Ok(Some(if a.is_sequence() { JValue::seq(out) } else { JValue::array(out) }))
        }
        Builtin::Base64Encode => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            // Node's `Buffer.from(str, 'binary')`: the low byte of each UTF-16 unit.
            let bytes: Vec<u8> = s.encode_utf16().map(|u| (u & 0xff) as u8).collect();
            let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
            ev.check_str(encoded.len())?;
            Ok(string(encoded))
        }
        Builtin::Base64Decode => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
                    .with_decode_allow_trailing_bits(true),
            );
            // Node's decoder skips characters outside the alphabet, reads URL-safe ones, stops at
            // the first '=' and drops a last character that makes no byte. Statelab gave "" for
            // such text, and decoded past an '=' (a differential QA pass against jsonata-js).
            let mut cleaned: String = s
                .chars()
                .take_while(|&c| c != '=')
                .filter_map(|c| match c {
                    '-' => Some('+'),
                    '_' => Some('/'),
                    c if c.is_ascii_alphanumeric() || c == '+' || c == '/' => Some(c),
                    _ => None,
                })
                .collect();
            if cleaned.len() % 4 == 1 {
                cleaned.pop();
            }
            let bytes = LENIENT.decode(cleaned.as_bytes()).unwrap_or_default();
            Ok(string(bytes.iter().map(|&b| char::from(b)).collect::<String>()))
        }
        Builtin::EncodeUrlComponent | Builtin::EncodeUrl => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            let encoded = encode_uri(&s, b == Builtin::EncodeUrlComponent);
            ev.check_str(encoded.len())?;
            Ok(string(encoded))
        }
        Builtin::DecodeUrlComponent | Builtin::DecodeUrl => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            match decode_uri(&s, b == Builtin::DecodeUrlComponent) {
                Some(d) => Ok(string(d)),
                None => Err(JsonataError::new("D3140").value_str(&s).extra(b.name())),
            }
        }
        Builtin::ToMillis => {
            let Some(s) = arg_str(&args, 0) else { return Ok(None) };
            let picture = arg_str(&args, 1);
            Ok(datetime::to_millis(&s, picture.as_deref(), ev.env.now_millis)?.map(JValue::num))
        }
        Builtin::FromMillis => {
            let Some(ms) = arg_num(&args, 0) else { return Ok(None) };
            Ok(string(datetime::from_millis(ms, arg_str(&args, 1).as_deref(), arg_str(&args, 2).as_deref())?))
        }
        Builtin::Now => {
            let ms = ev.env.now_millis as f64;
            Ok(string(datetime::from_millis(ms, arg_str(&args, 0).as_deref(), arg_str(&args, 1).as_deref())?))
        }
        Builtin::Millis => Ok(num(ev.env.now_millis as f64)),
        Builtin::Clone => {
            let Some(v) = a0 else { return Ok(None) };
            clone_value(&v).map(Some)
        }
        Builtin::Partition => stepfunctions::partition(ev, a0, arg_num(&args, 1)),
        Builtin::Range => stepfunctions::range(ev, arg_num(&args, 0), arg_num(&args, 1), arg_num(&args, 2)),
        Builtin::Hash => stepfunctions::hash(arg_str(&args, 0), arg_str(&args, 1)),
        Builtin::Uuid => Ok(string(stepfunctions::uuid(ev))),
        Builtin::Parse => stepfunctions::parse(arg_str(&args, 0)),
    }
}

/// `functionClone`: `JSON.parse($string(v))` — a deep copy in which every array and object is
/// new, functions are `""`, and floating-point numbers are rounded to 15 significant digits as
/// `$string` rounds them. Copied directly rather than through text.
pub(crate) fn clone_value(v: &JValue) -> R<JValue> {
    let v = match v {
        JValue::Array(a) if a.outer_wrapper => a.items.first().unwrap_or(v),
        _ => v,
    };
    Ok(JValue::from_value(&copy_jvalue(v, 0)?))
}

fn copy_number(n: crate::value::Number) -> R<crate::value::Value> {
    use crate::value::{Number, Value};
    Ok(match n {
        Number::Int(i) => Value::int(i),
        Number::Float(f) if f.is_infinite() => return Err(JsonataError::new("D1001").value_json("null")),
        Number::Float(f) if f.is_nan() => Value::Null,
        Number::Float(f) => {
            let r = stringify::to_precision(f, 15);
            // JSON.parse reads an integral number back as an integer.
            crate::value::safe_integer(r).map_or(Value::Number(Number::Float(r)), Value::int)
        }
    })
}

fn copy_value(v: &crate::value::Value, level: usize) -> R<crate::value::Value> {
    use crate::value::Value;
    if stringify::too_deep(level) {
        return Err(JsonataError::depth());
    }
    // The containers are copied in their own functions, to keep this recursive frame small.
    match v {
        Value::Number(n) => copy_number(*n),
        Value::Array(_) => copy_array(v.as_array().unwrap_or(&[]), level),
        Value::Object(_) => copy_object(v, level),
        other => Ok(other.clone()),
    }
}

fn copy_array(items: &[crate::value::Value], level: usize) -> R<crate::value::Value> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(copy_value(item, level + 1)?);
    }
    Ok(crate::value::Value::array(out))
}

fn copy_object(v: &crate::value::Value, level: usize) -> R<crate::value::Value> {
    let mut out = crate::value::Map::default();
    for (k, item) in v.as_object().into_iter().flatten() {
        out.insert(k.clone(), copy_value(item, level + 1)?);
    }
    Ok(crate::value::Value::object(out))
}

fn copy_jvalue(v: &JValue, level: usize) -> R<crate::value::Value> {
    use crate::value::Value;
    if stringify::too_deep(level) {
        return Err(JsonataError::depth());
    }
    Ok(match v {
        JValue::Null => Value::Null,
        JValue::Bool(b) => Value::Bool(*b),
        JValue::Number(n) => copy_number(*n)?,
        JValue::String(s) => Value::String(s.clone()),
        JValue::Func(_) => Value::string(""),
        JValue::Json(j) => copy_value(j, level)?,
        JValue::Object(o) => {
            let mut out = crate::value::Map::default();
            for (k, item) in &o.map {
                out.insert(k.clone(), copy_jvalue(item, level + 1)?);
            }
            Value::object(out)
        }
        JValue::Array(_) | JValue::Tuples(_) => {
            let mut out = Vec::new();
            for item in v.array_items().unwrap_or_default() {
                out.push(copy_jvalue(&item, level + 1)?);
            }
            Value::array(out)
        }
    })
}

fn keys(v: Option<&JValue>, level: usize) -> R<Vec<JValue>> {
    if stringify::too_deep(level) {
        return Err(JsonataError::depth());
    }
    let Some(v) = v else { return Ok(Vec::new()) };
    if v.is_array() {
        let mut seen: Vec<Rc<str>> = Vec::new();
        for item in v.array_items().unwrap_or_default() {
            for k in keys(Some(&item), level + 1)? {
                if let JValue::String(s) = k {
                    if !seen.contains(&s) {
                        seen.push(s);
                    }
                }
            }
        }
        return Ok(seen.into_iter().map(JValue::String).collect());
    }
    Ok(v.object_keys().unwrap_or_default().into_iter().map(JValue::String).collect())
}

fn spread(ev: &mut Eval, v: Option<JValue>, level: usize) -> R<Option<JValue>> {
    if stringify::too_deep(level) {
        return Err(JsonataError::depth());
    }
    let Some(v) = v else { return Ok(Some(JValue::seq(Vec::new()))) };
    if v.is_array() {
        let mut parts = vec![Some(JValue::seq(Vec::new()))];
        for item in v.array_items().unwrap_or_default() {
            parts.push(spread(ev, Some(item), level + 1)?);
        }
        let result = super::eval::append_all(parts);
        if let Some(n) = result.as_ref().and_then(JValue::array_len) {
            ev.check_len(n)?;
        }
        return Ok(result);
    }
    if let Some(entries) = v.object_entries() {
        let out = entries
            .into_iter()
            .map(|(k, val)| {
                let mut m = JMap::default();
                m.insert(k, val);
                JValue::object(m)
            })
            .collect();
        return Ok(Some(JValue::seq(out)));
    }
    Ok(Some(v))
}

fn sort(
    ev: &mut Eval,
    arr: Option<JValue>,
    comparator: Option<JValue>,
    env: &Rc<Frame>,
) -> R<Option<JValue>> {
    let Some(arr) = arr else { return Ok(None) };
    let items = items_of(&arr);
    if items.len() <= 1 {
        return Ok(Some(arr));
    }
    let sorted = match comparator {
        None => {
            let all_numbers = {
                let mut ok = true;
                for i in &items {
                    if !is_numeric(Some(i))? {
                        ok = false;
                        break;
                    }
                }
                ok
            };
            let all_strings = items.iter().all(|i| matches!(i, JValue::String(_)));
            if !all_numbers && !all_strings {
                return Err(JsonataError::new("D3070").index(1));
            }
            ev.merge_sort(items, &mut |_, a, b| {
                Ok(match (a, b) {
                    (JValue::String(x), JValue::String(y)) => js_str_cmp(x, y) == std::cmp::Ordering::Greater,
                    _ => a.as_f64().unwrap_or(0.0) > b.as_f64().unwrap_or(0.0),
                })
            })?
        }
        Some(f) => ev.merge_sort(items, &mut |this, a, b| {
            let r = this.call_value(&f, vec![Some(a.clone()), Some(b.clone())], env)?;
            Ok(js_truthy(r.as_ref()))
        })?,
    };
    Ok(Some(JValue::array(sorted)))
}

fn replace(ev: &mut Eval, args: &[Option<JValue>], env: &Rc<Frame>) -> R<Option<JValue>> {
    let Some(s) = arg_str(args, 0) else { return Ok(None) };
    let pattern = arg(args, 1);
    if matches!(&pattern, Some(JValue::String(p)) if p.is_empty()) {
        return Err(JsonataError::new("D3010").index(2).value_str(""));
    }
    let limit = arg_num(args, 3);
    if limit.is_some_and(|l| l < 0.0) {
        return Err(JsonataError::new("D3011").index(4).value_json(js_number(limit.unwrap_or(0.0))));
    }
    let replacement = arg(args, 2);
    if limit.is_some_and(|l| l <= 0.0) {
        return Ok(Some(JValue::String(s)));
    }
    let under_limit = |count: usize| limit.is_none_or(|l| (count as f64) < l);
    let mut result = String::new();
    let mut position = 0usize;
    let mut count = 0usize;
    match pattern {
        Some(JValue::String(p)) => {
            let rep = match &replacement {
                Some(JValue::String(r)) => r.to_string(),
                Some(other) => to_string(other)?,
                None => "undefined".into(),
            };
            while under_limit(count) {
                let Some(idx) = s.get(position..).and_then(|rest| rest.find(&*p)) else { break };
                let index = position + idx;
                result.push_str(s.get(position..index).unwrap_or(""));
                result.push_str(&rep);
                position = index + p.len();
                count += 1;
                ev.check_str(result.len())?;
            }
            result.push_str(s.get(position..).unwrap_or(""));
        }
        Some(m) => {
            let mut it = Matches::new(&m, &s);
            let mut any = false;
            let mut cursor = Utf16Cursor::new();
            let mut found = it.next(ev, env)?;
            while let Some(f) = found.take() {
                if !under_limit(count) {
                    break;
                }
                any = true;
                result.push_str(s.get(position..f.start.max(position)).unwrap_or(""));
                let replaced = match &replacement {
                    Some(JValue::String(r)) => Some(JValue::str(expand_replacement(r, &f))),
                    Some(func) => {
                        let obj = match &f.object {
                            Some(o) => o.clone(),
                            None => {
                                let mut map = JMap::default();
                                map.insert("match".into(), JValue::str(f.text.as_str()));
                                map.insert("start".into(), JValue::num(cursor.index(&s, f.start) as f64));
                                map.insert("end".into(), JValue::num(cursor.index(&s, f.end) as f64));
                                map.insert("groups".into(), groups_value(&f.groups));
                                JValue::object(map)
                            }
                        };
                        ev.call_value(func, vec![Some(obj)], env)?
                    }
                    None => None,
                };
                match replaced {
                    Some(JValue::String(r)) => result.push_str(&r),
                    other => {
                        return Err(JsonataError::new("D3012").value_json(message_json(other.as_ref())));
                    }
                }
                position = f.start + f.text.len();
                found = it.next(ev, env)?;
                count += 1;
                ev.check_str(result.len())?;
            }
            if !any {
                return Ok(Some(JValue::String(s)));
            }
            result.push_str(s.get(position.min(s.len())..).unwrap_or(""));
        }
        None => return Ok(Some(JValue::String(s))),
    }
    ev.check_str(result.len())?;
    Ok(string(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_follows_javascript_slice() {
        assert_eq!(substring("hello world", 0.0, Some(5.0)), "hello");
        assert_eq!(substring("hello world", -5.0, None), "world");
        assert_eq!(substring("hello world", -5.0, Some(2.0)), "wo");
        assert_eq!(substring("hello", 1.5, Some(2.0)), "el");
        assert_eq!(substring("😀ab", 1.0, None), "ab");
        assert_eq!(substring("abc", -10.0, Some(2.0)), "ab");
    }

    #[test]
    fn url_coding() {
        assert_eq!(encode_uri("a b&c/é", true), "a%20b%26c%2F%C3%A9");
        assert_eq!(encode_uri("a b&c/é", false), "a%20b&c/%C3%A9");
        assert_eq!(decode_uri("a%20b%26c", true).as_deref(), Some("a b&c"));
        assert_eq!(decode_uri("a%20b%26c", false).as_deref(), Some("a b%26c"));
        assert_eq!(decode_uri("%E0%A4%A", true), None);
    }

    #[test]
    fn replacement_expansion() {
        let f = Found {
            start: 0,
            end: 3,
            text: "abc".into(),
            groups: vec![Some("a".into()), Some("b".into())],
            object: None,
        };
        assert_eq!(expand_replacement("[$1-$2-$0-$$-$3]", &f), "[a-b-abc-$-]");
    }

    #[test]
    fn every_builtin_has_a_valid_signature() {
        for (b, name, sig, _) in TABLE {
            assert!(Signature::parse(sig).is_ok(), "{name}");
            assert_eq!(Builtin::by_name(name), Some(*b));
        }
    }
}
