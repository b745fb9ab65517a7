//! A JSON parser that builds [`Value`]s and, on request, records where every node sits.
//!
//! Strict RFC 8259: no comments, no trailing commas. Nesting beyond [`MAX_DEPTH`] is an error,
//! not a stack overflow.

use crate::source::{push_token, LineIndex, SourceMap, SyntaxError};
use crate::value::{Key, Map, Number, Value, MAX_DEPTH};

/// Parses JSON text.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    let mut p = Parser { text, bytes: text.as_bytes(), i: 0, map: None, pointer: String::new() };
    p.document()
}

/// Parses JSON text and records the span of every node by JSON Pointer.
pub fn parse_with_map(text: &str) -> Result<(Value, SourceMap), SyntaxError> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        i: 0,
        map: Some(SourceMap::new(text)),
        pointer: String::new(),
    };
    let v = p.document()?;
    Ok((v, p.map.unwrap_or_default()))
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    i: usize,
    map: Option<SourceMap>,
    pointer: String,
}

impl Parser<'_> {
    fn document(&mut self) -> Result<Value, SyntaxError> {
        self.skip_ws();
        if self.i >= self.bytes.len() {
            return Err(self.error("expected a JSON value but the text is empty"));
        }
        let v = self.value(None)?;
        self.skip_ws();
        if self.i < self.bytes.len() {
            return Err(self.unexpected("unexpected text after the JSON value"));
        }
        Ok(v)
    }

    fn error(&self, message: &str) -> SyntaxError {
        SyntaxError { message: message.to_string(), pos: LineIndex::new(self.text).pos(self.i) }
    }

    /// `message`, unless the text here starts a comment (`//` or `/*`), which JSON does not have:
    /// then that is the message (a leading comment gave a YAML error, one inside "expected a
    /// double-quoted key": a QA pass).
    fn unexpected(&self, message: &str) -> SyntaxError {
        if self.bytes.get(self.i) == Some(&b'/') && matches!(self.bytes.get(self.i + 1), Some(b'/' | b'*')) {
            return self.error("JSON has no comments: remove the // or /* */ comment");
        }
        self.error(message)
    }

    fn error_at(&self, at: usize, message: &str) -> SyntaxError {
        SyntaxError { message: message.to_string(), pos: LineIndex::new(self.text).pos(at) }
    }

    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.i) {
            if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.i).copied()
    }

    /// Parses one value. Iterative, with an explicit stack, so that deep nesting costs heap, not
    /// call stack.
    fn value(&mut self, key: Option<(usize, usize)>) -> Result<Value, SyntaxError> {
        enum Frame {
            Array {
                items: Vec<Value>,
                start: usize,
                key: Option<(usize, usize)>,
                saved: usize,
            },
            Object {
                map: Map,
                start: usize,
                key: Option<(usize, usize)>,
                saved: usize,
                pending: Option<(String, (usize, usize))>,
            },
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut next_key = key;
        loop {
            // Parse a scalar, or open a container.
            let start = self.i;
            let mut done: Option<Value> = match self.peek() {
                Some(b'{') => {
                    if stack.len() >= MAX_DEPTH as usize {
                        return Err(self.error(&format!("JSON nested deeper than {MAX_DEPTH} levels")));
                    }
                    self.i += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                        Some(Value::object(Map::default()))
                    } else {
                        stack.push(Frame::Object {
                            map: Map::default(),
                            start,
                            key: next_key.take(),
                            saved: self.pointer.len(),
                            pending: None,
                        });
                        None
                    }
                }
                Some(b'[') => {
                    if stack.len() >= MAX_DEPTH as usize {
                        return Err(self.error(&format!("JSON nested deeper than {MAX_DEPTH} levels")));
                    }
                    self.i += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.i += 1;
                        Some(Value::array(Vec::new()))
                    } else {
                        stack.push(Frame::Array {
                            items: Vec::new(),
                            start,
                            key: next_key.take(),
                            saved: self.pointer.len(),
                        });
                        None
                    }
                }
                Some(b'"') => Some(Value::String(self.string()?.into())),
                Some(b't') => Some(self.literal("true", Value::Bool(true))?),
                Some(b'f') => Some(self.literal("false", Value::Bool(false))?),
                Some(b'n') => Some(self.literal("null", Value::Null)?),
                Some(b'-' | b'0'..=b'9') => Some(self.number()?),
                Some(b'}' | b']') => return Err(self.error("expected a value")),
                Some(b',') => return Err(self.error("expected a value, found ',' (an extra comma?)")),
                Some(b'\'') => return Err(self.error("strings must use double quotes")),
                Some(_) => return Err(self.unexpected("expected a JSON value")),
                None => return Err(self.error("unexpected end of text: expected a value")),
            };
            if done.is_some() {
                if let Some(map) = &mut self.map {
                    map.insert(self.pointer.clone(), (start, self.i), next_key.take());
                }
            }
            // Attach finished values to their parents, closing containers as they end.
            loop {
                let Some(top) = stack.last_mut() else {
                    // Only reachable with a finished value: the stack is empty once the root is done.
                    return done.ok_or_else(|| self.error("expected a JSON value"));
                };
                match top {
                    Frame::Array { items, start, key, saved } => {
                        if let Some(v) = done.take() {
                            items.push(v);
                            self.pointer.truncate(*saved);
                            self.skip_ws();
                            match self.peek() {
                                Some(b',') => self.i += 1,
                                Some(b']') => {
                                    self.i += 1;
                                    let (items, start, key) = (std::mem::take(items), *start, *key);
                                    stack.pop();
                                    if let Some(map) = &mut self.map {
                                        map.insert(self.pointer.clone(), (start, self.i), key);
                                    }
                                    done = Some(Value::array(items));
                                    continue;
                                }
                                None => return Err(self.error("unexpected end of text: expected ',' or ']'")),
                                _ => return Err(self.unexpected("expected ',' or ']'")),
                            }
                        }
                        // Expect the next item.
                        self.skip_ws();
                        if self.peek() == Some(b']') {
                            return Err(self.error("trailing comma before ']'"));
                        }
                        if self.map.is_some() {
                            let n = items.len();
                            push_token(&mut self.pointer, itoa::Buffer::new().format(n));
                        }
                        break;
                    }
                    Frame::Object { map, start, key, saved, pending } => {
                        if let Some(v) = done.take() {
                            if let Some((k, kspan)) = pending.take() {
                                let k: Key = k.into();
                                if map.insert(k, v).is_some() {
                                    if let Some(m) = &mut self.map {
                                        m.duplicate(self.pointer.clone(), kspan);
                                    }
                                }
                            }
                            self.pointer.truncate(*saved);
                            self.skip_ws();
                            match self.peek() {
                                Some(b',') => self.i += 1,
                                Some(b'}') => {
                                    self.i += 1;
                                    let (m, start, key) = (std::mem::take(map), *start, *key);
                                    stack.pop();
                                    if let Some(sm) = &mut self.map {
                                        sm.insert(self.pointer.clone(), (start, self.i), key);
                                    }
                                    done = Some(Value::object(m));
                                    continue;
                                }
                                None => return Err(self.error("unexpected end of text: expected ',' or '}'")),
                                _ => return Err(self.unexpected("expected ',' or '}'")),
                            }
                        }
                        // Expect the next member.
                        self.skip_ws();
                        if self.peek() != Some(b'"') {
                            return Err(match self.peek() {
                                Some(b'}') => self.error("trailing comma before '}'"),
                                None => self.error("unexpected end of text inside an object"),
                                _ => self.unexpected("expected a double-quoted key"),
                            });
                        }
                        let key_start = self.i;
                        let k = self.string()?;
                        let key_end = self.i;
                        self.skip_ws();
                        if self.peek() != Some(b':') {
                            return Err(self.error("expected ':' after the key"));
                        }
                        self.i += 1;
                        if self.map.is_some() {
                            push_token(&mut self.pointer, &k);
                        }
                        *pending = Some((k, (key_start, key_end)));
                        next_key = Some((key_start, key_end));
                        break;
                    }
                }
            }
            self.skip_ws();
        }
    }

    fn literal(&mut self, word: &str, v: Value) -> Result<Value, SyntaxError> {
        if self.bytes.get(self.i..self.i + word.len()) == Some(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        let open = self.i;
        self.i += 1;
        let mut out = String::new();
        let mut run = self.i;
        loop {
            match self.peek() {
                None => return Err(self.error_at(open, "unterminated string")),
                Some(b'"') => {
                    out.push_str(self.text.get(run..self.i).unwrap_or_default());
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(self.text.get(run..self.i).unwrap_or_default());
                    self.i += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.i += 1;
                            let c = self.unicode_escape()?;
                            out.push(c);
                            run = self.i;
                            continue;
                        }
                        _ => return Err(self.error("invalid escape in string")),
                    };
                    out.push(c);
                    self.i += 1;
                    run = self.i;
                }
                Some(b) if b < 0x20 => {
                    return Err(self.error("control character in string (escape it, e.g. \\n)"))
                }
                Some(_) => self.i += 1,
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self.bytes.get(self.i..self.i + 4).ok_or_else(|| self.error("bad \\u escape"))?;
        let mut v = 0u32;
        for &d in digits {
            let h = char::from(d).to_digit(16).ok_or_else(|| self.error("bad \\u escape"))?;
            v = v * 16 + h;
        }
        self.i += 4;
        Ok(v)
    }

    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            if self.bytes.get(self.i..self.i + 2) == Some(b"\\u") {
                let next = self.i;
                self.i += 2;
                let lo = self.hex4()?;
                if (0xDC00..0xE000).contains(&lo) {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return char::from_u32(c).ok_or_else(|| self.error("bad surrogate pair"));
                }
                // Not a pair: the next escape is a character of its own ("\ud800\u0041" is
                // U+FFFD then "A"; the "A" was lost, and two keys could become one).
                self.i = next;
            }
            return Ok('\u{FFFD}');
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.i;
        let mut float = false;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.i += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.error("numbers may not have leading zeros"));
                }
            }
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected digits")),
        }
        if self.peek() == Some(b'.') {
            float = true;
            self.i += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected digits after '.'"));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            float = true;
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected digits in the exponent"));
            }
            self.digits();
        }
        let text = self.text.get(start..self.i).unwrap_or("0");
        if !float {
            if let Ok(i) = text.parse::<i64>() {
                return Ok(Value::Number(Number::Int(i)));
            }
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Number(Number::Float(f))),
            _ => Err(self.error_at(start, "number out of range")),
        }
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let text = r#"{"a":[1,-2,3.5,1e3,"x\"\u00e9\ud83d\ude00",true,false,null],"b":{}}"#;
        let v = parse(text).unwrap_or_default();
        assert_eq!(v.to_json(), r#"{"a":[1,-2,3.5,1000.0,"x\"é😀",true,false,null],"b":{}}"#);
    }

    /// A lone surrogate is U+FFFD, and the escape after it is read on its own: the escape after
    /// a lone high surrogate was swallowed ("\ud800\u0041BC" gave U+FFFD "BC", and the keys
    /// "\ud800\u0001" and "\ud800\u0002" became one).
    #[test]
    fn a_lone_surrogate_is_one_replacement_character() {
        let read = |text: &str| parse(text).unwrap_or_default().to_json();
        assert_eq!(read(r#""\ud800\u0041BC""#), "\"\u{FFFD}ABC\"");
        assert_eq!(read(r#""\ud800\ud800\udc00""#), "\"\u{FFFD}\u{10000}\"");
        assert_eq!(read(r#""\udc00\udc00""#), "\"\u{FFFD}\u{FFFD}\"");
        assert_eq!(read(r#""\ud800x""#), "\"\u{FFFD}x\"");
        assert_eq!(
            read(r#"{"\ud800\u0001": 1, "\ud800\u0002": 2}"#).chars().filter(|c| *c == ':').count(),
            2
        );
    }

    /// A known difference from AWS (README): an integer past the 64-bit range is read as the
    /// double nearest it, and so written back that way, even in the history's copy of the input;
    /// Jackson, which AWS's JSONPath side is presumed to use, would keep it whole (not recorded).
    #[test]
    fn integers_past_64_bits_are_read_as_doubles() {
        assert_eq!(parse("9223372036854775807").unwrap_or_default().to_json(), "9223372036854775807");
        let big = parse("12345678901234567890").unwrap_or_default();
        assert!(matches!(big, Value::Number(Number::Float(_))));
        assert_eq!(big.to_json(), "1.2345678901234567e19");
    }

    #[test]
    fn records_spans() {
        let text = "{\n  \"States\": {\"A\": {\"Type\": \"Pass\"}}\n}";
        let (_, map) = parse_with_map(text).unwrap_or_default();
        let n = map.get("/States/A/Type").unwrap_or_else(|| panic!("no span"));
        assert_eq!((n.value.start.line, n.value.start.column), (2, 28));
        let key = n.key.unwrap_or_default();
        assert_eq!((key.start.line, key.start.column), (2, 20));
        assert_eq!(map.locate("/States/A/Next").map(|n| n.value.start.column), Some(19));
    }

    #[test]
    fn errors_are_located() {
        let e = parse("{\"a\": [1, 2,]}").err().unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.message, "trailing comma before ']'");
        assert_eq!((e.pos.line, e.pos.column), (1, 13));
        assert!(parse("").is_err());
        assert!(parse("[1] x").is_err());
        assert!(parse("01").is_err());
        assert!(parse("\"abc").is_err());
    }

    /// A comment, wherever it stands, is named as one (it was "expected a double-quoted key").
    #[test]
    fn comments_are_named() {
        for (text, column) in
            [("{\"a\": 1, // c\n}", 10), ("{\"a\": 1 /* c */}", 9), ("[1] // end", 5), ("[/* x */ 1]", 2)]
        {
            let e = parse(text).err().unwrap_or_else(|| panic!("accepted {text}"));
            assert_eq!(e.message, "JSON has no comments: remove the // or /* */ comment", "{text}");
            assert_eq!((e.pos.line, e.pos.column), (1, column), "{text}");
        }
        assert_eq!(parse("[1, /]").err().map(|e| e.message), Some("expected a JSON value".to_string()));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        let e = parse(&deep).err().unwrap_or_else(|| panic!("accepted"));
        assert!(e.message.contains("nested deeper"));
        let ok = format!("{}{}", "[".repeat(999), "]".repeat(999));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn duplicate_keys_are_recorded() {
        let (v, map) = parse_with_map(r#"{"a": 1, "a": 2}"#).unwrap_or_default();
        assert_eq!(v.get("a"), Some(&Value::int(2)));
        assert_eq!(map.duplicate_keys.len(), 1);
    }
}
