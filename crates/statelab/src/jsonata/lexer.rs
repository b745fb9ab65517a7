//! The JSONata tokenizer, a port of jsonata-js's.
//!
//! Positions are character offsets just past the token, as jsonata-js reports them.

use std::rc::Rc;

use super::error::JsonataError;
use super::regex::JsRegex;

/// A token's payload.
#[derive(Clone, Debug)]
pub(crate) enum Tok {
    /// An operator or punctuation (`.`, `:=`, `and`, ...).
    Op(&'static str),
    /// A field name (bare or backquoted).
    Name(Rc<str>),
    /// `$name` (the name without the `$`; `$` alone is the empty name, `$$` is `"$"`).
    Variable(Rc<str>),
    /// A string literal.
    Str(Rc<str>),
    /// A number literal.
    Num(f64),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// `/pattern/flags`.
    Regex(Rc<JsRegex>),
}

/// A token and where it ends.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    /// Character offset just past the token.
    pub position: usize,
}

/// Characters that end a name (jsonata-js's operator table keys).
fn is_operator_char(c: char) -> bool {
    matches!(
        c,
        '.' | '['
            | ']'
            | '{'
            | '}'
            | '('
            | ')'
            | ','
            | '@'
            | '#'
            | ';'
            | ':'
            | '?'
            | '+'
            | '-'
            | '*'
            | '/'
            | '%'
            | '|'
            | '='
            | '<'
            | '>'
            | '^'
            | '&'
            | '!'
            | '~'
    )
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}')
}

fn single_op(c: char) -> Option<&'static str> {
    Some(match c {
        '.' => ".",
        '[' => "[",
        ']' => "]",
        '{' => "{",
        '}' => "}",
        '(' => "(",
        ')' => ")",
        ',' => ",",
        '@' => "@",
        '#' => "#",
        ';' => ";",
        ':' => ":",
        '?' => "?",
        '+' => "+",
        '-' => "-",
        '*' => "*",
        '/' => "/",
        '%' => "%",
        '|' => "|",
        '=' => "=",
        '<' => "<",
        '>' => ">",
        '^' => "^",
        '&' => "&",
        '!' => "!",
        '~' => "~",
        _ => return None,
    })
}

/// The tokenizer over an expression's characters.
pub(crate) struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

impl Lexer {
    pub(crate) fn new(text: &str) -> Lexer {
        Lexer { chars: text.chars().collect(), pos: 0 }
    }

    /// Length of the source in characters.
    pub(crate) fn len(&self) -> usize {
        self.chars.len()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn create(&self, tok: Tok) -> Token {
        Token { tok, position: self.pos }
    }

    /// The next token, or `None` at the end. `prefix` is jsonata-js's flag: after an operand, a
    /// `/` is division rather than the start of a regular expression.
    pub(crate) fn next(&mut self, prefix: bool) -> Result<Option<Token>, JsonataError> {
        loop {
            // skip whitespace
            while self.at(self.pos).is_some_and(is_space) {
                self.pos += 1;
            }
            if self.pos >= self.chars.len() {
                return Ok(None);
            }
            // comments
            if self.at(self.pos) == Some('/') && self.at(self.pos + 1) == Some('*') {
                let start = self.pos;
                self.pos += 2;
                loop {
                    if self.pos >= self.chars.len() {
                        return Err(JsonataError::at("S0106", start));
                    }
                    if self.at(self.pos) == Some('*') && self.at(self.pos + 1) == Some('/') {
                        self.pos += 2;
                        break;
                    }
                    self.pos += 1;
                }
                continue;
            }
            break;
        }
        let Some(c) = self.at(self.pos) else { return Ok(None) };
        if !prefix && c == '/' {
            self.pos += 1;
            let re = self.scan_regex()?;
            return Ok(Some(self.create(Tok::Regex(Rc::new(re)))));
        }
        let next = self.at(self.pos + 1);
        let double = match (c, next) {
            ('.', Some('.')) => Some(".."),
            (':', Some('=')) => Some(":="),
            ('!', Some('=')) => Some("!="),
            ('>', Some('=')) => Some(">="),
            ('<', Some('=')) => Some("<="),
            ('*', Some('*')) => Some("**"),
            ('~', Some('>')) => Some("~>"),
            _ => None,
        };
        if let Some(op) = double {
            self.pos += 2;
            return Ok(Some(self.create(Tok::Op(op))));
        }
        if let Some(op) = single_op(c) {
            self.pos += 1;
            return Ok(Some(self.create(Tok::Op(op))));
        }
        if c == '"' || c == '\'' {
            return self.scan_string(c).map(Some);
        }
        if c.is_ascii_digit() {
            return self.scan_number().map(Some);
        }
        if c == '`' {
            self.pos += 1;
            let start = self.pos;
            let mut end = start;
            while end < self.chars.len() && self.at(end) != Some('`') {
                end += 1;
            }
            if end >= self.chars.len() {
                self.pos = self.chars.len();
                return Err(JsonataError::at("S0105", self.pos));
            }
            let name: String = self.chars.get(start..end).unwrap_or(&[]).iter().collect();
            self.pos = end + 1;
            return Ok(Some(self.create(Tok::Name(name.into()))));
        }
        // names and variables
        let mut i = self.pos;
        while let Some(ch) = self.at(i) {
            if is_space(ch) || is_operator_char(ch) {
                break;
            }
            i += 1;
        }
        let start = self.pos;
        self.pos = i;
        if c == '$' {
            let name: String = self.chars.get(start + 1..i).unwrap_or(&[]).iter().collect();
            return Ok(Some(self.create(Tok::Variable(name.into()))));
        }
        let name: String = self.chars.get(start..i).unwrap_or(&[]).iter().collect();
        let tok = match name.as_str() {
            "or" => Tok::Op("or"),
            "in" => Tok::Op("in"),
            "and" => Tok::Op("and"),
            "true" => Tok::Bool(true),
            "false" => Tok::Bool(false),
            "null" => Tok::Null,
            _ => Tok::Name(name.into()),
        };
        Ok(Some(self.create(tok)))
    }

    fn scan_number(&mut self) -> Result<Token, JsonataError> {
        // -?(0|([1-9][0-9]*))(\.[0-9]+)?([Ee][-+]?[0-9]+)?  (the sign is always an operator here)
        let start = self.pos;
        let mut i = self.pos;
        let digit = |i: usize| self.at(i).is_some_and(|c| c.is_ascii_digit());
        if self.at(i) == Some('0') {
            i += 1;
        } else {
            while digit(i) {
                i += 1;
            }
        }
        if self.at(i) == Some('.') && digit(i + 1) {
            i += 1;
            while digit(i) {
                i += 1;
            }
        }
        if matches!(self.at(i), Some('e' | 'E')) {
            let mut j = i + 1;
            if matches!(self.at(j), Some('+' | '-')) {
                j += 1;
            }
            if digit(j) {
                while digit(j) {
                    j += 1;
                }
                i = j;
            }
        }
        let text: String = self.chars.get(start..i).unwrap_or(&[]).iter().collect();
        let num: f64 = text.parse().unwrap_or(f64::NAN);
        if num.is_finite() {
            self.pos = i;
            Ok(self.create(Tok::Num(num)))
        } else {
            Err(JsonataError::at("S0102", self.pos).token(text))
        }
    }

    fn scan_string(&mut self, quote: char) -> Result<Token, JsonataError> {
        self.pos += 1;
        // UTF-16 code units, so that escaped surrogate pairs combine as they do in JavaScript.
        let mut units: Vec<u16> = Vec::new();
        while let Some(c) = self.at(self.pos) {
            if c == '\\' {
                self.pos += 1;
                let Some(e) = self.at(self.pos) else {
                    return Err(JsonataError::at("S0103", self.pos).token(""));
                };
                let simple = match e {
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '/' => Some('/'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'n' => Some('\n'),
                    'r' => Some('\r'),
                    't' => Some('\t'),
                    _ => None,
                };
                if let Some(s) = simple {
                    let mut buf = [0u16; 2];
                    units.extend_from_slice(s.encode_utf16(&mut buf));
                } else if e == 'u' {
                    let hex: String = self
                        .chars
                        .get(self.pos + 1..(self.pos + 5).min(self.chars.len()))
                        .unwrap_or(&[])
                        .iter()
                        .collect();
                    if !hex.is_empty() && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                        let cp = u16::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
                        units.push(cp);
                        self.pos += 4;
                    } else {
                        return Err(JsonataError::at("S0104", self.pos));
                    }
                } else {
                    return Err(JsonataError::at("S0103", self.pos).token(e.to_string()));
                }
            } else if c == quote {
                self.pos += 1;
                let s = String::from_utf16_lossy(&units);
                return Ok(self.create(Tok::Str(s.into())));
            } else {
                let mut buf = [0u16; 2];
                units.extend_from_slice(c.encode_utf16(&mut buf));
            }
            self.pos += 1;
        }
        Err(JsonataError::at("S0101", self.pos))
    }

    /// Scans `pattern/flags` (the opening `/` is consumed).
    fn scan_regex(&mut self) -> Result<JsRegex, JsonataError> {
        let start = self.pos;
        let mut depth: i32 = 0;
        while self.pos < self.chars.len() {
            let c = self.at(self.pos);
            if c == Some('/') && depth == 0 {
                let mut backslashes = 0;
                while self.pos > backslashes && self.at(self.pos - (backslashes + 1)) == Some('\\') {
                    backslashes += 1;
                }
                if backslashes % 2 == 0 {
                    let pattern: String = self.chars.get(start..self.pos).unwrap_or(&[]).iter().collect();
                    if pattern.is_empty() {
                        return Err(JsonataError::at("S0301", self.pos));
                    }
                    self.pos += 1;
                    let fstart = self.pos;
                    while matches!(self.at(self.pos), Some('i' | 'm')) {
                        self.pos += 1;
                    }
                    let flags: String = self.chars.get(fstart..self.pos).unwrap_or(&[]).iter().collect();
                    return JsRegex::new(&pattern, &flags).map_err(|e| e.pos(self.pos));
                }
            }
            let prev_backslash = self.pos > 0 && self.at(self.pos - 1) == Some('\\');
            if matches!(c, Some('(' | '[' | '{')) && !prev_backslash {
                depth += 1;
            }
            if matches!(c, Some(')' | ']' | '}')) && !prev_backslash {
                depth -= 1;
            }
            self.pos += 1;
        }
        Err(JsonataError::at("S0302", self.pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<String> {
        let mut l = Lexer::new(s);
        let mut out = Vec::new();
        while let Some(t) = l.next(false).unwrap() {
            out.push(match t.tok {
                Tok::Op(o) => format!("op:{o}"),
                Tok::Name(n) => format!("name:{n}"),
                Tok::Variable(n) => format!("var:{n}"),
                Tok::Str(s) => format!("str:{s}"),
                Tok::Num(n) => format!("num:{n}"),
                Tok::Bool(b) => format!("bool:{b}"),
                Tok::Null => "null".into(),
                Tok::Regex(_) => "regex".into(),
            });
        }
        out
    }

    #[test]
    fn tokens() {
        assert_eq!(toks("a.b[0]"), ["name:a", "op:.", "name:b", "op:[", "num:0", "op:]"]);
        assert_eq!(toks("$x := 1.5e2"), ["var:x", "op::=", "num:150"]);
        assert_eq!(toks("$$ and `a b`"), ["var:$", "op:and", "name:a b"]);
        assert_eq!(toks("\"a\\u0041\\n\" /* c */ 'x'"), ["str:aA\n", "str:x"]);
        assert_eq!(toks("\"\\ud83d\\ude00\""), ["str:😀"]);
        assert_eq!(
            toks("a~>b ** ..<= !="),
            ["name:a", "op:~>", "name:b", "op:**", "op:..", "op:<=", "op:!="]
        );
    }

    #[test]
    fn errors() {
        let err = |s: &str| {
            let mut l = Lexer::new(s);
            loop {
                match l.next(false) {
                    Ok(Some(_)) => continue,
                    Ok(None) => return String::new(),
                    Err(e) => return e.code.to_string(),
                }
            }
        };
        assert_eq!(err("\"abc"), "S0101");
        assert_eq!(err("1e999"), "S0102");
        assert_eq!(err("\"\\q\""), "S0103");
        assert_eq!(err("\"\\uZZZZ\""), "S0104");
        assert_eq!(err("`abc"), "S0105");
        assert_eq!(err("/* abc"), "S0106");
        assert_eq!(err("//"), "S0301");
        assert_eq!(err("/abc"), "S0302");
    }
}
