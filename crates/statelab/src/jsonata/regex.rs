//! JSONata regular expressions: JavaScript syntax, translated to `regex-lite`.
//!
//! regex-lite searches in linear time, which keeps a hostile pattern from hanging the playground,
//! but it has no lookaround and no backreferences: a pattern that uses them is refused with
//! `S0304` when the expression is parsed, never run with a different meaning. regex-lite's
//! case-insensitive matching folds ASCII letters only: with the `i` flag, a non-ASCII letter is
//! written as a class of its cases (`é` as `[éÉ]`, as JavaScript matches it without the `u` flag),
//! and a class range between non-ASCII letters, which that cannot express, is refused. `\w`, `\d`,
//! `\b` are ASCII, as in JavaScript without the `u` flag.

use super::error::JsonataError;

/// A compiled `/pattern/flags` literal.
#[derive(Debug)]
pub(crate) struct JsRegex {
    /// The pattern as written.
    pub source: String,
    re: regex_lite::Regex,
}

/// One match: byte offsets into the haystack, and each capture group (`None` when it did not
/// take part).
#[derive(Clone, Debug)]
pub(crate) struct RegexMatch {
    pub start: usize,
    pub end: usize,
    pub groups: Vec<Option<(usize, usize)>>,
}

/// JavaScript's `\s`: its whitespace and line terminators.
const JS_SPACE: &str = "\\t\\n\\x0B\\x0C\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";

impl JsRegex {
    /// Translates and compiles a JavaScript pattern (`flags` is any of `i`, `m`).
    pub(crate) fn new(pattern: &str, flags: &str) -> Result<JsRegex, JsonataError> {
        let translated = translate(pattern, flags.contains('i'))?;
        let mut prefix = String::new();
        if flags.contains('i') {
            prefix.push_str("(?i)");
        }
        if flags.contains('m') {
            prefix.push_str("(?m)");
        }
        let full = format!("{prefix}{translated}");
        let re = regex_lite::Regex::new(&full)
            .map_err(|e| JsonataError::new("S0303").extra(format!("/{pattern}/: {e}")))?;
        Ok(JsRegex { source: pattern.to_string(), re })
    }

    /// The first match at or after byte offset `from` (JavaScript `exec` with `lastIndex`).
    pub(crate) fn exec(&self, haystack: &str, from: usize) -> Option<RegexMatch> {
        if from > haystack.len() || !haystack.is_char_boundary(from) {
            return None;
        }
        let caps = self.re.captures_at(haystack, from)?;
        let whole = caps.get(0)?;
        let groups = (1..caps.len()).map(|i| caps.get(i).map(|m| (m.start(), m.end()))).collect();
        Some(RegexMatch { start: whole.start(), end: whole.end(), groups })
    }
}

struct Translator<'a> {
    chars: Vec<char>,
    i: usize,
    out: String,
    pattern: &'a str,
    /// The `i` flag: non-ASCII letters are written with their other cases.
    fold: bool,
    /// The last literal character written in the class being read.
    last_in_class: Option<char>,
    /// The start of the class range being read, once its dash is.
    range_from: Option<char>,
}

fn unsupported(pattern: &str, what: &str) -> JsonataError {
    JsonataError::new("S0304").extra(format!("{what} in /{pattern}/"))
}

fn invalid(pattern: &str, what: &str) -> JsonataError {
    JsonataError::new("S0303").extra(format!("/{pattern}/: {what}"))
}

/// Writes one literal character in a form regex-lite reads the same way in and out of classes.
fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || (!c.is_ascii() && !c.is_control()) {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

/// The other cases JavaScript's `i` flag (without `u`) matches a non-ASCII letter with: its upper
/// and lower case where each is one character, and never an ASCII one (`ſ` does not match `s`).
fn case_variants(c: char) -> Vec<char> {
    if c.is_ascii() {
        return Vec::new();
    }
    let single = |s: String| {
        let mut cs = s.chars();
        match (cs.next(), cs.next()) {
            (Some(m), None) => Some(m),
            _ => None,
        }
    };
    let mut out = Vec::new();
    for m in [single(c.to_uppercase().collect()), single(c.to_lowercase().collect())].into_iter().flatten() {
        if m != c && !m.is_ascii() && !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

fn translate(pattern: &str, fold: bool) -> Result<String, JsonataError> {
    let mut t = Translator {
        chars: pattern.chars().collect(),
        i: 0,
        out: String::new(),
        pattern,
        fold,
        last_in_class: None,
        range_from: None,
    };
    t.run()?;
    Ok(t.out)
}

impl Translator<'_> {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }

    /// Writes a literal character, with its other cases when the `i` flag needs them.
    fn literal(&mut self, c: char, in_class: bool) -> Result<(), JsonataError> {
        let variants = if self.fold { case_variants(c) } else { Vec::new() };
        if in_class {
            if let Some(from) = self.range_from.take() {
                if !variants.is_empty() || (self.fold && !case_variants(from).is_empty()) {
                    return Err(unsupported(self.pattern, "a case-insensitive range of non-ASCII letters"));
                }
            }
            self.last_in_class = Some(c);
            push_literal(&mut self.out, c);
            for v in variants {
                push_literal(&mut self.out, v);
            }
        } else if variants.is_empty() {
            push_literal(&mut self.out, c);
        } else {
            self.out.push('[');
            push_literal(&mut self.out, c);
            for v in variants {
                push_literal(&mut self.out, v);
            }
            self.out.push(']');
        }
        Ok(())
    }

    fn run(&mut self) -> Result<(), JsonataError> {
        while let Some(c) = self.peek(0) {
            match c {
                '\\' => self.escape(false)?,
                '[' => self.class()?,
                '(' => {
                    if self.peek(1) == Some('?') {
                        match (self.peek(2), self.peek(3)) {
                            (Some(':'), _) => {
                                self.out.push_str("(?:");
                                self.i += 3;
                            }
                            (Some('=' | '!'), _) => return Err(unsupported(self.pattern, "lookahead")),
                            (Some('<'), Some('=' | '!')) => {
                                return Err(unsupported(self.pattern, "lookbehind"))
                            }
                            (Some('<'), _) => {
                                // named group: (?<name>
                                let mut j = self.i + 3;
                                let mut name = String::new();
                                while let Some(&ch) = self.chars.get(j) {
                                    if ch == '>' {
                                        break;
                                    }
                                    name.push(ch);
                                    j += 1;
                                }
                                if self.chars.get(j) != Some(&'>') || name.is_empty() {
                                    return Err(invalid(self.pattern, "invalid capture group name"));
                                }
                                let ok = name.chars().all(|ch| ch.is_alphanumeric() || ch == '_')
                                    && name.chars().next().is_some_and(|ch| ch.is_alphabetic() || ch == '_');
                                if ok {
                                    self.out.push_str(&format!("(?<{name}>"));
                                } else {
                                    self.out.push('(');
                                }
                                self.i = j + 1;
                            }
                            _ => return Err(invalid(self.pattern, "invalid group")),
                        }
                    } else {
                        self.out.push('(');
                        self.i += 1;
                    }
                }
                ')' | '|' | '^' | '$' => {
                    self.out.push(c);
                    self.i += 1;
                }
                '*' | '+' | '?' => {
                    self.out.push(c);
                    self.i += 1;
                    if self.peek(0) == Some('?') {
                        self.out.push('?');
                        self.i += 1;
                    }
                }
                '{' => {
                    if let Some(len) = self.quantifier_len() {
                        let q: String = self.chars.get(self.i..self.i + len).unwrap_or(&[]).iter().collect();
                        self.out.push_str(&q);
                        self.i += len;
                        if self.peek(0) == Some('?') {
                            self.out.push('?');
                            self.i += 1;
                        }
                    } else {
                        push_literal(&mut self.out, '{');
                        self.i += 1;
                    }
                }
                '.' => {
                    self.out.push_str("[^\\n\\r\\x{2028}\\x{2029}]");
                    self.i += 1;
                }
                _ => {
                    self.literal(c, false)?;
                    self.i += 1;
                }
            }
        }
        Ok(())
    }

    /// Length of a `{n}`, `{n,}`, `{n,m}` quantifier at the cursor; `None` if the `{` is literal.
    fn quantifier_len(&self) -> Option<usize> {
        let mut j = 1;
        let digits = |j: &mut usize| {
            let s = *j;
            while self.peek(*j).is_some_and(|c| c.is_ascii_digit()) {
                *j += 1;
            }
            *j > s
        };
        if !digits(&mut j) {
            return None;
        }
        if self.peek(j) == Some(',') {
            j += 1;
            digits(&mut j);
        }
        (self.peek(j) == Some('}')).then_some(j + 1)
    }

    /// An escape at the cursor (`\` not yet consumed).
    fn escape(&mut self, in_class: bool) -> Result<(), JsonataError> {
        // A class escape (`\d`) is no range end; a literal one sets it again.
        self.last_in_class = None;
        self.i += 1;
        let Some(c) = self.peek(0) else {
            return Err(invalid(self.pattern, "\\ at end of pattern"));
        };
        self.i += 1;
        match c {
            'd' | 'D' | 'w' | 'W' => {
                self.out.push('\\');
                self.out.push(c);
            }
            's' => {
                if in_class {
                    self.out.push_str(JS_SPACE);
                } else {
                    self.out.push_str(&format!("[{JS_SPACE}]"));
                }
            }
            'S' => self.out.push_str(&format!("[^{JS_SPACE}]")),
            'b' if in_class => push_literal(&mut self.out, '\u{8}'),
            'b' | 'B' => {
                self.out.push('\\');
                self.out.push(c);
            }
            'n' => push_literal(&mut self.out, '\n'),
            'r' => push_literal(&mut self.out, '\r'),
            't' => push_literal(&mut self.out, '\t'),
            'v' => push_literal(&mut self.out, '\u{b}'),
            'f' => push_literal(&mut self.out, '\u{c}'),
            '0' if !self.peek(0).is_some_and(|d| d.is_ascii_digit()) => push_literal(&mut self.out, '\0'),
            '1'..='9' => return Err(unsupported(self.pattern, "a backreference")),
            'k' if self.peek(0) == Some('<') => {
                return Err(unsupported(self.pattern, "a named backreference"))
            }
            'c' if self.peek(0).is_some_and(|l| l.is_ascii_alphabetic()) => {
                let l = self.peek(0).unwrap_or('@');
                self.i += 1;
                push_literal(&mut self.out, char::from((l as u8) % 32));
            }
            'x' => {
                let hex: String = self.chars.get(self.i..self.i + 2).unwrap_or(&[]).iter().collect();
                if hex.len() == 2 && hex.chars().all(|h| h.is_ascii_hexdigit()) {
                    self.i += 2;
                    let v = u32::from_str_radix(&hex, 16).unwrap_or(0);
                    self.literal(char::from_u32(v).unwrap_or('\u{fffd}'), in_class)?;
                } else {
                    push_literal(&mut self.out, 'x');
                }
            }
            'u' => {
                let hex4 = |t: &Self, at: usize| -> Option<u32> {
                    let h: String = t.chars.get(at..at + 4)?.iter().collect();
                    if h.chars().all(|c| c.is_ascii_hexdigit()) {
                        u32::from_str_radix(&h, 16).ok()
                    } else {
                        None
                    }
                };
                match hex4(self, self.i) {
                    Some(hi) => {
                        self.i += 4;
                        let mut cp = hi;
                        // a surrogate pair written as two escapes is one character
                        if (0xD800..0xDC00).contains(&hi)
                            && self.peek(0) == Some('\\')
                            && self.peek(1) == Some('u')
                        {
                            if let Some(lo) = hex4(self, self.i + 2) {
                                if (0xDC00..0xE000).contains(&lo) {
                                    cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                    self.i += 6;
                                }
                            }
                        }
                        self.literal(char::from_u32(cp).unwrap_or('\u{fffd}'), in_class)?;
                    }
                    None => push_literal(&mut self.out, 'u'),
                }
            }
            'p' | 'P' if self.peek(0) == Some('{') => {
                return Err(unsupported(self.pattern, "a Unicode property class"));
            }
            // Any other escaped character stands for itself (JavaScript's identity escapes).
            other => self.literal(other, in_class)?,
        }
        Ok(())
    }

    /// A character class at the cursor.
    fn class(&mut self) -> Result<(), JsonataError> {
        self.i += 1;
        let negated = self.peek(0) == Some('^');
        if negated {
            self.i += 1;
        }
        if self.peek(0) == Some(']') {
            // `[]` matches nothing and `[^]` matches anything in JavaScript.
            self.i += 1;
            self.out.push_str(if negated { "[\\x{0}-\\x{10FFFF}]" } else { "[^\\x{0}-\\x{10FFFF}]" });
            return Ok(());
        }
        self.out.push('[');
        if negated {
            self.out.push('^');
        }
        self.last_in_class = None;
        self.range_from = None;
        loop {
            let Some(c) = self.peek(0) else {
                return Err(invalid(self.pattern, "unterminated character class"));
            };
            match c {
                ']' => {
                    self.i += 1;
                    break;
                }
                '\\' => self.escape(true)?,
                '-' => {
                    // a range dash between two items stays a dash; regex-lite reads `a-z` alike
                    let prev_is_item = !self.out.ends_with('[') && !self.out.ends_with('^');
                    let next_is_item = self.peek(1).is_some_and(|n| n != ']');
                    if prev_is_item && next_is_item {
                        self.out.push('-');
                        self.range_from = self.last_in_class.take();
                    } else {
                        push_literal(&mut self.out, '-');
                    }
                    self.i += 1;
                }
                _ => {
                    self.literal(c, true)?;
                    self.i += 1;
                }
            }
        }
        self.out.push(']');
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(p: &str, f: &str, s: &str) -> Option<String> {
        let re = JsRegex::new(p, f).unwrap();
        re.exec(s, 0).map(|m| s[m.start..m.end].to_string())
    }

    #[test]
    fn translates_javascript_syntax() {
        assert_eq!(find("a.c", "", "xabc").as_deref(), Some("abc"));
        assert_eq!(find("a.c", "", "a\nc"), None);
        assert_eq!(find("\\d+", "", "ab123c").as_deref(), Some("123"));
        assert_eq!(find("[^]+", "", "a\nb").as_deref(), Some("a\nb"));
        assert_eq!(find("[]", "", "abc"), None);
        assert_eq!(find("a{", "", "a{").as_deref(), Some("a{"));
        assert_eq!(find("a{2}", "", "aaa").as_deref(), Some("aa"));
        assert_eq!(find("\\/x", "", "a/x").as_deref(), Some("/x"));
        assert_eq!(find("[a-c-]+", "", "zab-c").as_deref(), Some("ab-c"));
        assert_eq!(find("HELLO", "i", "say hello").as_deref(), Some("hello"));
        assert_eq!(find("^b", "m", "a\nb").as_deref(), Some("b"));
        assert_eq!(find("\\s+", "", "a\u{a0} b").as_deref(), Some("\u{a0} "));
        assert_eq!(find("\\u0041", "", "xA").as_deref(), Some("A"));
        assert_eq!(find("(?<y>\\d{4})", "", "in 2024").as_deref(), Some("2024"));
        assert_eq!(find("[\\]]", "", "a]").as_deref(), Some("]"));
        assert_eq!(find("[&~]+", "", "a&~").as_deref(), Some("&~"));
    }

    #[test]
    fn case_insensitive_matching_folds_non_ascii_letters_as_javascript_does() {
        assert_eq!(find("café", "i", "CAFÉ").as_deref(), Some("CAFÉ"));
        assert_eq!(find("αβγ", "i", "ΑΒΓ").as_deref(), Some("ΑΒΓ"));
        assert_eq!(find("ä+", "i", "xÄäÄ").as_deref(), Some("ÄäÄ"));
        assert_eq!(find("[äö]", "i", "Ö").as_deref(), Some("Ö"));
        assert_eq!(find("\\u00e9", "i", "É").as_deref(), Some("É"));
        // Without the flag, cases differ; `ſ` never matches an ASCII `s`; `ß` has no one-letter
        // upper case, so it matches only itself.
        assert_eq!(find("café", "", "CAFÉ"), None);
        assert_eq!(find("ſ", "i", "s"), None);
        assert_eq!(find("ß", "i", "SS"), None);
        // A range between non-ASCII letters cannot be folded: refused, not run differently.
        assert_eq!(JsRegex::new("[à-ÿ]", "i").unwrap_err().code, "S0304");
        assert_eq!(find("[à-ÿ]", "", "é").as_deref(), Some("é"));
        assert_eq!(find("[a-z]", "i", "Q").as_deref(), Some("Q"));
    }

    #[test]
    fn refuses_what_regex_lite_cannot_run() {
        for p in ["a(?=b)", "a(?!b)", "(?<=a)b", "(a)\\1", "\\p{L}"] {
            assert_eq!(JsRegex::new(p, "").unwrap_err().code, "S0304", "{p}");
        }
        assert_eq!(JsRegex::new("(", "").unwrap_err().code, "S0303");
    }
}
