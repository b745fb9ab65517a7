//! Where things are in the user's text: byte offsets, line/column, and JSON Pointers to spans.

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// A place in the source text. Lines and columns are 1-based; columns count characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct Pos {
    /// Byte offset from the start of the text.
    pub offset: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in Unicode characters.
    pub column: u32,
}

/// A range of source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize)]
pub struct Span {
    /// First character.
    pub start: Pos,
    /// Just past the last character.
    pub end: Pos,
}

/// Where one JSON node sits: its value, and for object members the key as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeSpan {
    /// The value's text.
    pub value: Span,
    /// The member's key, when the node is an object member.
    pub key: Option<Span>,
}

impl NodeSpan {
    /// Where to point at the node: its key for an object member (a field named wrongly, or
    /// whose value is wrong), else its value.
    pub fn place(&self) -> Span {
        self.key.unwrap_or(self.value)
    }
}

/// Line starts of a text, to turn byte offsets into line/column.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    text: Rc<str>,
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`. A line ends at `\n`, `\r\n` or a lone `\r`, as in YAML and in editors
    /// (a file saved with classic Mac line endings is many lines, not one).
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                line_starts.push(i + 1);
            }
        }
        LineIndex { text: Rc::from(text), line_starts }
    }

    /// The text indexed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The position of a byte offset (clamped to the text, and to a character boundary).
    pub fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self.text.get(start..offset).map_or(0, |s| s.chars().count());
        Pos {
            offset,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }

    /// The span between two byte offsets.
    pub fn span(&self, start: usize, end: usize) -> Span {
        Span { start: self.pos(start), end: self.pos(end) }
    }
}

/// A node's byte range, and its key's byte range for object members.
type RawSpan = (usize, usize, Option<(usize, usize)>);

/// Spans of every node of a parsed document, by JSON Pointer.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    nodes: HashMap<String, RawSpan>,
    lines: LineIndex,
    /// Keys that appeared twice in one object: the pointer of the member and the later key's span.
    pub duplicate_keys: Vec<(String, Span)>,
}

impl SourceMap {
    /// An empty map over `text`.
    pub fn new(text: &str) -> SourceMap {
        SourceMap { nodes: HashMap::new(), lines: LineIndex::new(text), duplicate_keys: Vec::new() }
    }

    /// Records a node's byte range, and its key's range for object members.
    pub fn insert(&mut self, pointer: String, value: (usize, usize), key: Option<(usize, usize)>) {
        self.nodes.insert(pointer, (value.0, value.1, key));
    }

    /// Records a duplicate key.
    pub fn duplicate(&mut self, pointer: String, key: (usize, usize)) {
        let span = self.lines.span(key.0, key.1);
        self.duplicate_keys.push((pointer, span));
    }

    /// The first key written twice in one object, as its member's pointer, the later key's span
    /// and a message saying so. For files whose every key counts (stubs, test files): the parser
    /// keeps the later member, so the first would be silently ignored.
    pub fn first_duplicate(&self) -> Option<(&str, Span, String)> {
        let (pointer, span) = self.duplicate_keys.first()?;
        Some((
            pointer,
            *span,
            format!(
                "'{}' appears twice in one object: keep one (the first would be ignored)",
                last_key(pointer)
            ),
        ))
    }

    /// The first key written twice in one object, as a warning's span and message, for a
    /// document that is used anyway with the later member (an execution's input, which JSON
    /// readers that allow repeated keys read that way).
    pub fn duplicate_warning(&self) -> Option<(Span, String)> {
        let (pointer, span) = self.duplicate_keys.first()?;
        Some((
            *span,
            format!(
                "'{}' appears twice in one object: the later one is used, the first ignored",
                last_key(pointer)
            ),
        ))
    }

    /// The node at `pointer`, exactly.
    pub fn get(&self, pointer: &str) -> Option<NodeSpan> {
        self.nodes.get(pointer).map(|&(s, e, k)| NodeSpan {
            value: self.lines.span(s, e),
            key: k.map(|(ks, ke)| self.lines.span(ks, ke)),
        })
    }

    /// The node at `pointer`, or its nearest ancestor that exists (a missing field is reported
    /// at the object that should hold it).
    pub fn locate(&self, pointer: &str) -> Option<NodeSpan> {
        let mut p = pointer;
        loop {
            if let Some(n) = self.get(p) {
                return Some(n);
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return None,
            }
        }
    }

    /// The line index of the text.
    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// The same nodes placed in another text, `lines`' text: `place` turns a byte range of this
    /// map's text into one of that text. (A definition parsed from a string inside a template is
    /// thus located in the template.)
    pub fn relocated(&self, lines: &LineIndex, place: &dyn Fn(usize, usize) -> (usize, usize)) -> SourceMap {
        let nodes = self
            .nodes
            .iter()
            .map(|(pointer, &(start, end, key))| {
                let (start, end) = place(start, end);
                (pointer.clone(), (start, end, key.map(|(ks, ke)| place(ks, ke))))
            })
            .collect();
        let duplicate_keys = self
            .duplicate_keys
            .iter()
            .map(|(pointer, span)| {
                let (start, end) = place(span.start.offset, span.end.offset);
                (pointer.clone(), lines.span(start, end))
            })
            .collect();
        SourceMap { nodes, lines: lines.clone(), duplicate_keys }
    }
}

/// Appends one reference token to a JSON Pointer, escaping `~` and `/`.
pub fn push_token(pointer: &mut String, token: &str) {
    pointer.push('/');
    for c in token.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// `pointer` with one more token.
pub fn child(pointer: &str, token: &str) -> String {
    let mut p = pointer.to_string();
    push_token(&mut p, token);
    p
}

/// The key a member's pointer ends with, unescaped.
fn last_key(pointer: &str) -> String {
    unescape_token(pointer.rsplit('/').next().unwrap_or_default())
}

/// A reference token as written in a JSON Pointer, unescaped (`a~1b` is the key `a/b`).
pub fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// A JSON Pointer built from tokens.
pub fn pointer(tokens: &[&str]) -> String {
    let mut p = String::new();
    for t in tokens {
        push_token(&mut p, t);
    }
    p
}

/// A syntax error in JSON or YAML text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub pos: Pos,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {}, column {}", self.message, self.pos.line, self.pos.column)
    }
}

impl std::error::Error for SyntaxError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions() {
        let idx = LineIndex::new("ab\ncé\nx");
        assert_eq!(idx.pos(0), Pos { offset: 0, line: 1, column: 1 });
        assert_eq!(idx.pos(3), Pos { offset: 3, line: 2, column: 1 });
        // 'é' is two bytes: the offset after it is column 3.
        assert_eq!(idx.pos(6), Pos { offset: 6, line: 2, column: 3 });
        assert_eq!(idx.pos(7).line, 3);
        assert_eq!(idx.pos(99).line, 3);
        // A QA pass: a YAML file with CR line endings put every problem on line 1.
        let idx = LineIndex::new("a\rb\r\nc\nd");
        let at = |o| (idx.pos(o).line, idx.pos(o).column);
        assert_eq!([at(2), at(5), at(7)], [(2, 1), (3, 1), (4, 1)]);
        assert_eq!(at(3), (2, 2), "a CR before LF is the end of its line");
    }

    #[test]
    fn pointers_escape() {
        assert_eq!(pointer(&["States", "a/b~c"]), "/States/a~1b~0c");
        assert_eq!(child("/States", "a/b~c"), "/States/a~1b~0c");
        assert_eq!(unescape_token("a~1b~0c"), "a/b~c");
        assert_eq!(unescape_token("~01"), "~1", "~0 is unescaped last");
    }
}
