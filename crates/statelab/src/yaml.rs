//! A YAML parser that builds the same [`Value`]s and [`SourceMap`]s as [`crate::json`] does.
//!
//! Built on `saphyr-parser`'s event stream, so the tree is assembled here with an explicit stack:
//! block nesting costs heap, not call stack (saphyr itself caps flow nesting at 255 levels).
//!
//! What the YAML means as JSON:
//!
//! - **Plain scalars** are typed with the YAML 1.2 core schema: `null`, `~` and the empty scalar
//!   are null; `true`/`false` (also `True`, `TRUE`, ...) booleans; `[-+]?[0-9]+`, `0x..` and
//!   `0o..` integers (integers beyond `i64` become floats); decimal floats with optional exponent.
//!   YAML 1.1 words such as `yes`/`no`/`on`/`off` stay strings, as do `0755`-style numbers'
//!   cousins `1_000` and `0b101`. `.inf` and `.nan` are **errors**: JSON has no such numbers and
//!   turning them into strings would hide the mistake; quote them to get a string.
//! - **Quoted and block scalars** are strings. Core tags (`!!str`, `!!int`, `!!float`, `!!bool`,
//!   `!!null`) force a type; `!` alone forces a string.
//! - **CloudFormation short forms** (`!Ref X`, `!GetAtt A.B`, `!Sub`, `!Join`, `!If`, ...) become
//!   their long forms (`{"Ref": "X"}`, `{"Fn::GetAtt": ["A", "B"]}`, ...). Other local tags are
//!   ignored and the node is read as if untagged.
//! - **Anchors and aliases** are expanded (values are shared, so this is cheap). Merge keys
//!   (`<<: *base`, a YAML 1.1 feature that serverless.yml files use) are honoured. Spans inside an
//!   expanded alias point at the anchored original; the alias node itself points at `*name`.
//! - **Mapping keys** are the key's text, whatever its type (`1: x` has the key `"1"`); a mapping
//!   or sequence used as a key is an error, since JSON keys are strings.
//! - A stream with several documents is an error: a definition is one document.
//!
//! Limits: nesting beyond [`MAX_DEPTH`], documents of more than [`MAX_NODES`] nodes (counting
//! every node an alias expands to, which is what stops "billion laughs" alias bombs) and aliases
//! standing for more than [`MAX_ALIAS_BYTES`] of data (many aliases of one long string) are errors.
//!
//! Spans follow [`crate::json`]: a block scalar's span starts at its `|` or `>` indicator (or at
//! its tag or anchor) and ends after its last non-blank character; a block collection runs from
//! its first entry to the end of its last value; flow collections include their brackets.

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span as YamlSpan, Tag};

use crate::source::{push_token, SourceMap, SyntaxError};
use crate::value::{Key, Map, Value, MAX_DEPTH};

/// The most nodes a document may have once every alias is expanded.
pub const MAX_NODES: usize = 1_000_000;

/// The most JSON text that the aliases of a document may stand for, all together. Aliases share
/// their values, but sizing each copy where it lands reads a string again: 20,000 aliases of a
/// 1 MB string (a 1 MB file, few nodes) took 17 seconds, and a 5 MB file of them more than ten
/// minutes (a QA pass). Eight times the largest document Statelab reads.
pub const MAX_ALIAS_BYTES: usize = 64 * 1024 * 1024;

/// CloudFormation's short-form tags and the long forms they stand for.
const CFN_TAGS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("If", "Fn::If"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("FindInMap", "Fn::FindInMap"),
    ("ImportValue", "Fn::ImportValue"),
    ("GetAZs", "Fn::GetAZs"),
    ("Base64", "Fn::Base64"),
    ("Equals", "Fn::Equals"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Not", "Fn::Not"),
    ("Cidr", "Fn::Cidr"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
    ("Transform", "Fn::Transform"),
];

const CORE_PREFIX: &str = "tag:yaml.org,2002:";

/// Parses YAML text.
pub fn parse(text: &str) -> Result<Value, SyntaxError> {
    parse_with_map(text).map(|(v, _)| v)
}

/// Parses YAML text and records the span of every node by JSON Pointer, as
/// [`crate::json::parse_with_map`] does for JSON.
pub fn parse_with_map(text: &str) -> Result<(Value, SourceMap), SyntaxError> {
    let mut b = Builder::new(text);
    let value = b.run()?;
    let mut map = b.map;
    for r in b.records {
        map.insert(r.pointer, r.value, r.key);
    }
    for (pointer, key) in b.duplicates {
        map.duplicate(pointer, key);
    }
    Ok((value, map))
}

/// What a tag asks for.
enum TagKind {
    /// No tag, or one we do not know (read as if untagged).
    None,
    /// `!` alone: a string.
    NonSpecific,
    /// A YAML core tag (`!!str`, `!!int`, ...), by its suffix.
    Core(String),
    /// A CloudFormation short form, by its long name.
    Cfn(&'static str),
}

fn classify(tag: Option<&Tag>) -> TagKind {
    let Some(tag) = tag else { return TagKind::None };
    let full = format!("{}{}", tag.handle, tag.suffix);
    if let Some(rest) = full.strip_prefix(CORE_PREFIX) {
        return TagKind::Core(rest.to_string());
    }
    if full == "!" {
        return TagKind::NonSpecific;
    }
    match full.strip_prefix('!') {
        Some(name) => CFN_TAGS
            .iter()
            .find(|(short, _)| *short == name)
            .map_or(TagKind::None, |(_, long)| TagKind::Cfn(long)),
        None => TagKind::None,
    }
}

/// One node's place, kept in document order until the [`SourceMap`] is built, so that aliases
/// can copy the spans of what they refer to.
#[derive(Clone)]
struct Record {
    pointer: String,
    value: (usize, usize),
    key: Option<(usize, usize)>,
}

/// An anchored node, ready to be copied by its aliases.
struct Anchored {
    value: Value,
    /// The records of the node and its descendants: `first..end` in [`Builder::records`].
    first: usize,
    end: usize,
    /// Length of the node's own pointer, the prefix of all its records' pointers.
    prefix: usize,
    /// The value's size as JSON text, counted against [`MAX_ALIAS_BYTES`] by each alias.
    size: usize,
}

/// A mapping key waiting for its value.
struct PendingKey {
    key: Key,
    span: (usize, usize),
    /// A plain `<<`: the value is merged into the mapping.
    merge: bool,
}

enum Items {
    Seq(Vec<Value>),
    Map {
        map: Map,
        pending: Option<PendingKey>,
        /// Keys that came from a merge, which explicit keys may override without being duplicates.
        merged: HashSet<Key>,
    },
}

/// An open collection.
struct Frame {
    items: Items,
    /// Index of the collection's own record, completed when it closes.
    record: usize,
    /// The CloudFormation long form wrapping it, and the wrapper's record.
    wrapper: Option<(&'static str, usize)>,
    /// The first record of the node (the wrapper's, if any): where its anchor's records start.
    first: usize,
    anchor: usize,
    /// Pointer length of the collection: its children's tokens go after it.
    base: usize,
    start: usize,
    /// End of the last child so far: where a block collection ends.
    end: usize,
    /// Nesting levels the frame adds (2 with a wrapper).
    levels: u32,
}

/// Converts saphyr's character indices to byte offsets, walking from the last position: events
/// arrive in document order, so the walk is short.
struct Cursor<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl Cursor<'_> {
    fn byte(&mut self, m: Marker) -> usize {
        let target = m.index();
        if self.ascii {
            return target.min(self.text.len());
        }
        while self.chars < target {
            match self.text.get(self.bytes..).and_then(|s| s.chars().next()) {
                Some(c) => {
                    self.bytes += c.len_utf8();
                    self.chars += 1;
                }
                None => break,
            }
        }
        while self.chars > target {
            match self.text.get(..self.bytes).and_then(|s| s.chars().next_back()) {
                Some(c) => {
                    self.bytes -= c.len_utf8();
                    self.chars -= 1;
                }
                None => break,
            }
        }
        self.bytes
    }
}

struct Builder<'a> {
    text: &'a str,
    cursor: Cursor<'a>,
    map: SourceMap,
    records: Vec<Record>,
    duplicates: Vec<(String, (usize, usize))>,
    pointer: String,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    /// What the aliases so far stand for, in bytes of JSON text.
    alias_bytes: usize,
    /// Nesting depth of the open frames, counting wrappers.
    level: u32,
    root: Option<Value>,
    documents: usize,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str) -> Builder<'a> {
        Builder {
            text,
            cursor: Cursor { text, ascii: text.is_ascii(), chars: 0, bytes: 0 },
            map: SourceMap::new(text),
            records: Vec::new(),
            duplicates: Vec::new(),
            pointer: String::new(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_bytes: 0,
            level: 0,
            root: None,
            documents: 0,
        }
    }

    fn error_at(&self, offset: usize, message: &str) -> SyntaxError {
        SyntaxError { message: message.to_string(), pos: self.map.lines().pos(offset) }
    }

    fn scan_error(&mut self, e: &ScanError) -> SyntaxError {
        let offset = self.cursor.byte(*e.marker());
        let message = match e.info() {
            // saphyr counts flow levels in a u8.
            "recursion limit exceeded" => {
                "YAML nested too deeply: [...] and {...} may nest at most 255 levels".to_string()
            }
            info => format!("invalid YAML: {info}"),
        };
        // `Output: {% $states.input %}` reads as a flow mapping that starts with '%': the
        // expression must be quoted, which is easy to miss coming from JSON.
        let before = self.text.get(..offset).unwrap_or_default().trim_end();
        let message = if self.text.get(offset..).is_some_and(|r| r.starts_with('%')) && before.ends_with('{')
        {
            format!("{message}: a JSONata expression must be quoted in YAML, as in \"{{% ... %}}\"")
        } else {
            message
        };
        SyntaxError { message, pos: self.map.lines().pos(offset) }
    }

    fn run(&mut self) -> Result<Value, SyntaxError> {
        let mut parser = Parser::new_from_str(self.text);
        while let Some(next) = parser.next_event() {
            let (event, span) = next.map_err(|e| self.scan_error(&e))?;
            match event {
                Event::StreamEnd => break,
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
                Event::DocumentStart(_) => {
                    self.documents += 1;
                    if self.documents > 1 {
                        let at = self.cursor.byte(span.start);
                        return Err(self.error_at(
                            at,
                            "the YAML text holds several documents (separated by ---): keep just one",
                        ));
                    }
                }
                Event::Scalar(text, style, anchor, tag) => {
                    self.scalar(&text, style, anchor, tag.as_deref(), span)?
                }
                Event::Alias(id) => self.alias(id, span)?,
                Event::SequenceStart(anchor, tag) => {
                    self.open(Items::Seq(Vec::new()), anchor, tag.as_deref(), span)?;
                }
                Event::MappingStart(anchor, tag) => {
                    let items = Items::Map { map: Map::default(), pending: None, merged: HashSet::new() };
                    self.open(items, anchor, tag.as_deref(), span)?;
                }
                Event::SequenceEnd | Event::MappingEnd => self.close(span)?,
            }
        }
        match self.root.take() {
            Some(v) => Ok(v),
            None => Err(self.error_at(self.text.len(), "expected a YAML document but the text is empty")),
        }
    }

    /// `true` when the next node is a mapping key.
    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { items: Items::Map { pending: None, .. }, .. }))
    }

    /// Extends the pointer to the node about to be read, and returns its key's span, if any.
    fn enter(&mut self) -> Option<(usize, usize)> {
        match self.stack.last() {
            Some(Frame { items: Items::Seq(items), .. }) => {
                push_token(&mut self.pointer, itoa::Buffer::new().format(items.len()));
                None
            }
            Some(Frame { items: Items::Map { pending: Some(k), .. }, .. }) => {
                push_token(&mut self.pointer, &k.key);
                Some(k.span)
            }
            _ => None,
        }
    }

    fn record(&mut self, value: (usize, usize), key: Option<(usize, usize)>) -> usize {
        self.records.push(Record { pointer: self.pointer.clone(), value, key });
        self.records.len() - 1
    }

    fn check_nodes(&self, at: usize, more: usize) -> Result<(), SyntaxError> {
        if self.records.len().saturating_add(more) > MAX_NODES {
            return Err(self.error_at(
                at,
                "the YAML expands to more than 1,000,000 nodes (aliases included): \
                 too large, or an alias bomb",
            ));
        }
        Ok(())
    }

    fn check_depth(&self, at: usize, depth: u32) -> Result<(), SyntaxError> {
        if self.level.saturating_add(depth) > MAX_DEPTH {
            return Err(self.error_at(at, &format!("YAML nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    /// The byte span of a scalar, with block scalars widened to their indicator and trimmed of
    /// trailing line breaks.
    fn scalar_span(&mut self, span: YamlSpan, style: ScalarStyle, has_props: bool) -> (usize, usize) {
        let mut start = self.cursor.byte(span.start);
        let mut end = self.cursor.byte(span.end).max(start);
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            if !has_props {
                start = block_indicator(self.text, start).unwrap_or(start);
            }
            let bytes = self.text.as_bytes();
            while end > start && matches!(bytes.get(end - 1), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                end -= 1;
            }
        }
        (start, end)
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: YamlSpan,
    ) -> Result<(), SyntaxError> {
        let (start, end) = self.scalar_span(span, style, anchor != 0 || tag.is_some());
        let kind = classify(tag);
        if self.expecting_key() {
            let merge = style == ScalarStyle::Plain && tag.is_none() && text == "<<";
            if anchor != 0 {
                // An alias of a key stands for the key's typed value where it is valid, its text
                // otherwise: the key itself is text either way, so it must not fail here.
                let value = self.typed(text, style, &kind, start).unwrap_or_else(|_| Value::string(text));
                let first = self.records.len();
                let size = value.json_len();
                self.anchors.insert(anchor, Anchored { value, first, end: first, prefix: 0, size });
            }
            self.set_key(Key::from(text), (start, end), merge);
            return Ok(());
        }
        let key = self.enter();
        let first = self.records.len();
        let value = match kind {
            TagKind::Cfn(name) => {
                let nested = if name == "Fn::GetAtt" { 2 } else { 1 };
                self.check_depth(start, nested)?;
                self.check_nodes(start, nested as usize + 2)?;
                self.record((start, end), key);
                push_token(&mut self.pointer, name);
                self.record((start, end), None);
                let inner = if name == "Fn::GetAtt" {
                    // CloudFormation splits `!GetAtt Resource.Attribute` at the first dot only.
                    let parts: Vec<Value> = match text.split_once('.') {
                        Some((resource, attribute)) => {
                            vec![Value::string(resource), Value::string(attribute)]
                        }
                        None => vec![Value::string(text)],
                    };
                    for i in 0..parts.len() {
                        let saved = self.pointer.len();
                        push_token(&mut self.pointer, itoa::Buffer::new().format(i));
                        self.record((start, end), None);
                        self.pointer.truncate(saved);
                    }
                    Value::array(parts)
                } else {
                    Value::string(text)
                };
                Value::object_from([(name, inner)])
            }
            kind => {
                self.check_nodes(start, 1)?;
                let v = self.typed(text, style, &kind, start)?;
                self.record((start, end), key);
                v
            }
        };
        self.finish(value, anchor, first, end)
    }

    /// The value of a scalar that is not a CloudFormation short form.
    fn typed(&self, text: &str, style: ScalarStyle, kind: &TagKind, at: usize) -> Result<Value, SyntaxError> {
        let fail = |m: &str| self.error_at(at, m);
        match kind {
            TagKind::NonSpecific | TagKind::Cfn(_) => Ok(Value::string(text)),
            TagKind::Core(suffix) => match suffix.as_str() {
                "null" => match text {
                    "" | "~" | "null" | "Null" | "NULL" => Ok(Value::Null),
                    _ => Err(fail("a !!null scalar must be null, ~ or empty")),
                },
                "bool" => bool_scalar(text)
                    .map(Value::Bool)
                    .ok_or_else(|| fail("a !!bool scalar must be true or false")),
                "int" => match int_scalar(text) {
                    Some(r) => r.map_err(fail),
                    None => Err(fail("a !!int scalar must be an integer")),
                },
                "float" => match int_scalar(text).or_else(|| float_scalar(text)) {
                    Some(r) => r.map_err(fail),
                    None => Err(fail("a !!float scalar must be a number")),
                },
                _ => Ok(Value::string(text)),
            },
            TagKind::None if style == ScalarStyle::Plain => plain_scalar(text).map_err(fail),
            TagKind::None => Ok(Value::string(text)),
        }
    }

    fn set_key(&mut self, key: Key, span: (usize, usize), merge: bool) {
        if let Some(Frame { items: Items::Map { pending, .. }, .. }) = self.stack.last_mut() {
            *pending = Some(PendingKey { key, span, merge });
        }
    }

    fn alias(&mut self, id: usize, span: YamlSpan) -> Result<(), SyntaxError> {
        let start = self.cursor.byte(span.start);
        let end = self.cursor.byte(span.end).max(start);
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(
                self.error_at(start, "this alias refers to a node that contains it (a recursive alias)")
            );
        };
        let value = anchored.value.clone();
        let (from, to, prefix) = (anchored.first, anchored.end, anchored.prefix);
        self.alias_bytes = self.alias_bytes.saturating_add(anchored.size);
        if self.alias_bytes > MAX_ALIAS_BYTES {
            return Err(self.error_at(
                start,
                "the YAML's aliases stand for more than 64 MiB of data: too large, or an alias bomb",
            ));
        }
        if self.expecting_key() {
            let key: Key = match &value {
                Value::String(s) => s.clone(),
                Value::Array(_) | Value::Object(_) => {
                    return Err(self.error_at(start, "a mapping key must be a scalar, not a collection"));
                }
                other => other.to_json().into(),
            };
            self.set_key(key, (start, end), false);
            return Ok(());
        }
        self.check_depth(start, value.depth())?;
        self.check_nodes(start, to.saturating_sub(from).max(1))?;
        let key = self.enter();
        let first = self.record((start, end), key);
        for i in from.saturating_add(1)..to {
            let Some(r) = self.records.get(i) else { break };
            let pointer = format!("{}{}", self.pointer, r.pointer.get(prefix..).unwrap_or_default());
            let copy = Record { pointer, value: r.value, key: r.key };
            self.records.push(copy);
        }
        self.attach(value, end, first)
    }

    fn open(
        &mut self,
        items: Items,
        anchor: usize,
        tag: Option<&Tag>,
        span: YamlSpan,
    ) -> Result<(), SyntaxError> {
        let start = self.cursor.byte(span.start);
        if self.expecting_key() {
            return Err(self.error_at(
                start,
                "a mapping key must be a scalar: mappings and sequences as keys have no JSON equivalent",
            ));
        }
        let wrapper = match classify(tag) {
            TagKind::Cfn(name) => Some(name),
            _ => None,
        };
        let levels = if wrapper.is_some() { 2 } else { 1 };
        self.check_depth(start, levels)?;
        self.check_nodes(start, levels as usize)?;
        let key = self.enter();
        let first = self.records.len();
        let wrapper = match wrapper {
            Some(name) => {
                let rec = self.record((start, start), key);
                push_token(&mut self.pointer, name);
                Some((name, rec))
            }
            None => None,
        };
        let record = self.record((start, start), if wrapper.is_some() { None } else { key });
        self.level += levels;
        self.stack.push(Frame {
            items,
            record,
            wrapper,
            first,
            anchor,
            base: self.pointer.len(),
            start,
            end: start,
            levels,
        });
        Ok(())
    }

    fn close(&mut self, span: YamlSpan) -> Result<(), SyntaxError> {
        let Some(frame) = self.stack.pop() else { return Ok(()) };
        self.level = self.level.saturating_sub(frame.levels);
        let start = self.cursor.byte(span.start);
        let stop = self.cursor.byte(span.end);
        // Flow collections end at their bracket; block ones (whose end event is empty, placed at
        // the next token) at their last value.
        let end = if stop > start { stop } else { frame.end }.max(frame.start);
        let mut value = match frame.items {
            Items::Seq(items) => Value::array(items),
            Items::Map { map, .. } => Value::object(map),
        };
        if let Some(r) = self.records.get_mut(frame.record) {
            r.value = (frame.start, end);
        }
        if let Some((name, rec)) = frame.wrapper {
            value = Value::object_from([(name, value)]);
            if let Some(r) = self.records.get_mut(rec) {
                r.value = (frame.start, end);
            }
            self.pointer.truncate(frame.base.saturating_sub(name.len() + 1));
        }
        self.finish(value, frame.anchor, frame.first, end)
    }

    /// Registers a finished node's anchor and hands the node to its parent.
    fn finish(&mut self, value: Value, anchor: usize, first: usize, end: usize) -> Result<(), SyntaxError> {
        if anchor != 0 {
            let prefix = self.records.get(first).map_or(0, |r| r.pointer.len());
            let size = value.json_len();
            let anchored = Anchored { value: value.clone(), first, end: self.records.len(), prefix, size };
            self.anchors.insert(anchor, anchored);
        }
        self.attach(value, end, first)
    }

    /// Adds a finished value to the open collection (or makes it the root), then steps the
    /// pointer back out of it.
    fn attach(&mut self, value: Value, end: usize, first: usize) -> Result<(), SyntaxError> {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(value);
            self.pointer.clear();
            return Ok(());
        };
        frame.end = frame.end.max(end);
        let base = frame.base;
        match &mut frame.items {
            Items::Seq(items) => items.push(value),
            Items::Map { map, pending, merged } => {
                let Some(k) = pending.take() else { return Ok(()) };
                if k.merge {
                    let taken = merge_into(map, merged, &value);
                    let Some(taken) = taken else {
                        let at = self.records.get(first).map_or(k.span.0, |r| r.value.0);
                        return Err(self.error_at(
                            at,
                            "the value of a merge key (<<) must be a mapping or a list of mappings",
                        ));
                    };
                    self.pointer.truncate(base);
                    self.move_merged(first, &value, &taken);
                    return Ok(());
                }
                let replaced = map.insert(k.key.clone(), value).is_some();
                if replaced && !merged.remove(&k.key) {
                    self.duplicates.push((self.pointer.clone(), k.span));
                }
            }
        }
        self.pointer.truncate(base);
        Ok(())
    }

    /// Moves the records of merged members from under `<<` to the mapping itself. `self.pointer`
    /// is the mapping's pointer; the merge value's records start at `first`.
    fn move_merged(&mut self, first: usize, value: &Value, taken: &HashSet<Key>) {
        let mut from = self.pointer.clone();
        push_token(&mut from, "<<");
        let escaped: HashSet<String> = taken
            .iter()
            .map(|k| {
                let mut t = String::new();
                push_token(&mut t, k);
                t
            })
            .collect();
        let list = matches!(value, Value::Array(_));
        for r in self.records.iter_mut().skip(first) {
            let Some(rest) = r.pointer.strip_prefix(from.as_str()) else { continue };
            // For a list of mappings, skip the item index: `/<</0/Key/...` → `/Key/...`.
            let rest = if list {
                match rest.strip_prefix('/').and_then(|s| s.find('/').map(|i| s.get(i..).unwrap_or_default()))
                {
                    Some(r) => r,
                    None => continue,
                }
            } else {
                rest
            };
            let token_end = rest.get(1..).and_then(|s| s.find('/')).map_or(rest.len(), |i| i + 1);
            if escaped.contains(rest.get(..token_end).unwrap_or_default()) {
                r.pointer = format!("{}{}", self.pointer, rest);
            }
        }
    }
}

/// Merges a `<<` value into a mapping: members the mapping already has win, and for a list, the
/// earlier mappings win. Returns the keys taken, or `None` when the value cannot be merged.
fn merge_into(map: &mut Map, merged: &mut HashSet<Key>, value: &Value) -> Option<HashSet<Key>> {
    let sources: Vec<&Map> = match value {
        Value::Object(_) => vec![value.as_object()?],
        Value::Array(_) => value.as_array()?.iter().map(Value::as_object).collect::<Option<Vec<_>>>()?,
        _ => return None,
    };
    let mut taken = HashSet::new();
    for source in sources {
        for (k, v) in source {
            if !map.contains_key(k) {
                map.insert(k.clone(), v.clone());
                merged.insert(k.clone());
                taken.insert(k.clone());
            }
        }
    }
    Some(taken)
}

/// Finds the `|` or `>` header of a block scalar whose content starts at `content`: on the
/// closest earlier line that is not blank, an indicator followed only by indentation or chomping
/// indicators, blanks and a comment.
fn block_indicator(text: &str, content: usize) -> Option<usize> {
    let before = text.get(..content)?;
    let mut line_end = before.rfind('\n')?;
    loop {
        let head = text.get(..line_end)?;
        let line_start = head.rfind('\n').map_or(0, |i| i + 1);
        let line = head.get(line_start..)?;
        if !line.trim().is_empty() {
            for (i, c) in line.char_indices().rev() {
                if (c == '|' || c == '>') && is_block_header(line.get(i + 1..)?) {
                    return Some(line_start + i);
                }
            }
            return None;
        }
        line_end = line_start.checked_sub(1)?;
    }
}

fn is_block_header(rest: &str) -> bool {
    let rest = rest.trim_start_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit());
    let trimmed = rest.trim_start_matches([' ', '\t']);
    trimmed.is_empty() || trimmed == "\r" || (trimmed.starts_with('#') && trimmed.len() < rest.len())
}

fn bool_scalar(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Types a plain scalar with the YAML 1.2 core schema.
fn plain_scalar(s: &str) -> Result<Value, &'static str> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        _ => {}
    }
    if let Some(b) = bool_scalar(s) {
        return Ok(Value::Bool(b));
    }
    if let Some(r) = int_scalar(s).or_else(|| float_scalar(s)) {
        return r;
    }
    Ok(Value::string(s))
}

/// A core-schema integer: `[-+]?[0-9]+`, `0o[0-7]+` or `0x[0-9a-fA-F]+`. `None` if `s` is not
/// one; integers beyond `i64` become floats.
fn int_scalar(s: &str) -> Option<Result<Value, &'static str>> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x") {
        (h, 16)
    } else if let Some(o) = s.strip_prefix("0o") {
        (o, 8)
    } else {
        (s.strip_prefix(['-', '+']).unwrap_or(s), 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    if radix == 10 {
        return Some(match s.parse::<i64>() {
            Ok(i) => Ok(Value::int(i)),
            Err(_) => s.parse::<f64>().ok().and_then(Value::float).ok_or("integer out of range"),
        });
    }
    if let Ok(i) = i64::from_str_radix(digits, radix) {
        return Some(Ok(Value::int(i)));
    }
    let mut f = 0.0f64;
    for c in digits.chars() {
        f = f * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0));
    }
    Some(Value::float(f).ok_or("integer out of range"))
}

/// A core-schema float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, or `.inf`/`.nan`,
/// which are errors since JSON cannot hold them. `None` if `s` is not a float.
fn float_scalar(s: &str) -> Option<Result<Value, &'static str>> {
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN") {
        return Some(Err("YAML .inf and .nan have no JSON equivalent (quote the value to make it a string)"));
    }
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (unsigned.get(..i)?, Some(unsigned.get(i + 1..)?)),
        None => (unsigned, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let digits = |d: &str| d.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(f) => digits(whole) && digits(f) && (!whole.is_empty() || !f.is_empty()),
        None => !whole.is_empty() && digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !mantissa_ok || !exponent_ok {
        return None;
    }
    match s.parse::<f64>() {
        Ok(f) => Some(Value::float(f).ok_or("number out of range")),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use crate::value::Number;

    fn parse_ok(text: &str) -> Value {
        match parse(text) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        }
    }

    fn map_of(text: &str) -> SourceMap {
        match parse_with_map(text) {
            Ok((_, m)) => m,
            Err(e) => panic!("{e}"),
        }
    }

    fn error_of(text: &str) -> SyntaxError {
        match parse(text) {
            Ok(v) => panic!("accepted: {v}"),
            Err(e) => e,
        }
    }

    /// `(line, column)` of the value at `pointer`, and of its key.
    fn at(map: &SourceMap, pointer: &str) -> ((u32, u32), Option<(u32, u32)>) {
        let n = map.get(pointer).unwrap_or_else(|| panic!("no span for {pointer}"));
        ((n.value.start.line, n.value.start.column), n.key.map(|k| (k.start.line, k.start.column)))
    }

    fn text_at<'t>(text: &'t str, map: &SourceMap, pointer: &str) -> &'t str {
        let n = map.get(pointer).unwrap_or_else(|| panic!("no span for {pointer}"));
        &text[n.value.start.offset..n.value.end.offset]
    }

    #[test]
    fn block_and_flow_styles_give_json() {
        let v = parse_ok("a: 1\nb: [x, 'y', \"z\"]\nc:\n  d: {e: null, f: ~}\n  g:\n    - true\n    - 2.5\n");
        assert_eq!(
            v,
            crate::json!({"a": 1, "b": ["x", "y", "z"], "c": {"d": {"e": null, "f": null}, "g": [true, 2.5]}})
        );
    }

    #[test]
    fn core_schema_typing() {
        let v = parse_ok(
            "- null\n- Null\n- ~\n-\n- True\n- FALSE\n- yes\n- 0x1F\n- 0o17\n- +12\n- -3\n- 007\n- 1.5\n- .5\n- 1e3\n\
             - -2.5E-1\n- 99999999999999999999\n- 1_000\n- 0b11\n- '12'\n- 1.2.3\n- \"true\"\n- !!str 5\n- !!int \"7\"\n\
             - !!float 3\n- ! 12\n",
        );
        let expected = crate::json!([
            null, null, null, null, true, false, "yes", 31, 15, 12, -3, 7, 1.5, 0.5, 1000.0, -0.25, 1e20,
            "1_000", "0b11", "12", "1.2.3", "true", "5", 7, 3, "12"
        ]);
        assert_eq!(v, expected);
        assert!(matches!(v.index(16), Some(Value::Number(Number::Float(_)))));
        assert!(matches!(v.index(14), Some(Value::Number(Number::Float(_)))));
    }

    #[test]
    fn non_finite_numbers_are_errors() {
        for text in ["a: .inf", "a: -.Inf", "a: .NaN", "a: 1e999"] {
            let e = error_of(text);
            assert_eq!((e.pos.line, e.pos.column), (1, 4), "{text}: {e}");
        }
        assert_eq!(parse_ok("a: '.inf'"), crate::json!({"a": ".inf"}));
        assert!(parse("a: !!int x").is_err());
        assert!(parse("a: !!bool 1").is_err());
    }

    #[test]
    fn multi_line_strings() {
        let v = parse_ok(
            "lit: |\n  a\n  b\nfold: >-\n  c\n  d\n\n  e\nkeep: |+\n  f\n\nplain: g\n  h\ndq: \"i\\tj\\\n  k\"\nsq: 'l''m'\n",
        );
        assert_eq!(
            v,
            crate::json!({"lit": "a\nb\n", "fold": "c d\ne", "keep": "f\n\n", "plain": "g h", "dq": "i\tjk", "sq": "l'm"})
        );
    }

    #[test]
    fn spans_match_the_json_parser() {
        let text =
            "States:\n  A:\n    Type: Pass\n    Next: B\n  B: {Type: Succeed}\nList:\n  - 1\n  - [2, 3]\n";
        let map = map_of(text);
        assert_eq!(at(&map, "/States/A/Type"), ((3, 11), Some((3, 5))));
        assert_eq!(at(&map, "/States/B"), ((5, 6), Some((5, 3))));
        assert_eq!(text_at(text, &map, "/States/B"), "{Type: Succeed}");
        assert_eq!(text_at(text, &map, "/States/A"), "Type: Pass\n    Next: B");
        assert_eq!(text_at(text, &map, "/List/1"), "[2, 3]");
        assert_eq!(at(&map, "/List/1/1"), ((8, 9), None));
        assert_eq!(at(&map, ""), ((1, 1), None));
        assert_eq!(map.locate("/States/A/Missing").map(|n| n.value.start.line), Some(3));
        // The same document as JSON has its nodes at the same pointers.
        let (_, jmap) = json::parse_with_map(
            r#"{"States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Succeed"}},"List":[1,[2,3]]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for p in [
            "",
            "/States",
            "/States/A",
            "/States/A/Type",
            "/States/A/Next",
            "/States/B/Type",
            "/List/0",
            "/List/1/1",
        ] {
            assert!(jmap.get(p).is_some() && map.get(p).is_some(), "{p}");
        }
    }

    #[test]
    fn block_scalar_spans_start_at_the_indicator() {
        let text = "a: |-  # note\n\n  one\n  two\n\nb: !Sub >\n  x\n";
        let map = map_of(text);
        assert_eq!(text_at(text, &map, "/a"), "|-  # note\n\n  one\n  two");
        assert_eq!(text_at(text, &map, "/b"), "!Sub >\n  x");
        assert_eq!(text_at(text, &map, "/b/Fn::Sub"), "!Sub >\n  x");
    }

    #[test]
    fn columns_count_characters_and_crlf_works() {
        let text = "é: \"ü\"\r\nb: [1, ✓]\r\n";
        let map = map_of(text);
        assert_eq!(at(&map, "/é"), ((1, 4), Some((1, 1))));
        assert_eq!(at(&map, "/b/1"), ((2, 8), None));
        assert_eq!(text_at(text, &map, "/b/1"), "✓");
    }

    #[test]
    fn cloudformation_short_forms() {
        let v = parse_ok(
            "a: !Ref X\nb: !GetAtt Fn.Arn.More\nc: !Sub 'arn:${AWS::Region}'\nd: !Join ['', [a, !Ref B]]\n\
             e: !If [C, 1, !Ref AWS::NoValue]\nf: !GetAZs ''\ng: !Select [0, !GetAZs '']\nh: !Condition Cond\n\
             i: !Not [!Equals [a, b]]\nj: !GetAtt [R, Arn]\nk: !Unknown 5\nl: !ImportValue {Fn::Sub: '${S}-x'}\n\
             m: !FindInMap [M, K, V]\nn: !Base64 x\no: !And [!Condition A, !Or [!Condition B]]\np: !Split [',', 'a,b']\n",
        );
        let expected = crate::json!({
            "a": {"Ref": "X"},
            "b": {"Fn::GetAtt": ["Fn", "Arn.More"]},
            "c": {"Fn::Sub": "arn:${AWS::Region}"},
            "d": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
            "e": {"Fn::If": ["C", 1, {"Ref": "AWS::NoValue"}]},
            "f": {"Fn::GetAZs": ""},
            "g": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
            "h": {"Condition": "Cond"},
            "i": {"Fn::Not": [{"Fn::Equals": ["a", "b"]}]},
            "j": {"Fn::GetAtt": ["R", "Arn"]},
            "k": 5,
            "l": {"Fn::ImportValue": {"Fn::Sub": "${S}-x"}},
            "m": {"Fn::FindInMap": ["M", "K", "V"]},
            "n": {"Fn::Base64": "x"},
            "o": {"Fn::And": [{"Condition": "A"}, {"Fn::Or": [{"Condition": "B"}]}]},
            "p": {"Fn::Split": [",", "a,b"]}
        });
        assert_eq!(v, expected);
    }

    #[test]
    fn short_forms_are_located() {
        let text = "R: !GetAtt A.B\nJ: !Join\n  - ''\n  - [x, !Ref Y]\n";
        let map = map_of(text);
        assert_eq!(at(&map, "/R"), ((1, 4), Some((1, 1))));
        assert_eq!(at(&map, "/R/Fn::GetAtt/1"), ((1, 4), None));
        assert_eq!(at(&map, "/J/Fn::Join/1/1/Ref"), ((4, 9), None));
        assert_eq!(text_at(text, &map, "/J"), "!Join\n  - ''\n  - [x, !Ref Y]");
    }

    #[test]
    fn anchors_and_aliases_expand_with_spans() {
        let text = "base: &retry\n  - ErrorEquals: [States.ALL]\n    MaxAttempts: 3\nA:\n  Retry: *retry\n";
        let (v, map) = parse_with_map(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.get("A").and_then(|a| a.get("Retry")), v.get("base"));
        // The alias points at `*retry`; what it expands to, at the anchored original.
        assert_eq!(at(&map, "/A/Retry"), ((5, 10), Some((5, 3))));
        assert_eq!(at(&map, "/A/Retry/0/MaxAttempts"), ((3, 18), Some((3, 5))));
        assert_eq!(at(&map, "/A/Retry/0/ErrorEquals/0"), ((2, 19), None));
        let v = parse_ok("a: &x 1\nb: *x\nc: &k key\n*k : 2\n");
        assert_eq!(v, crate::json!({"a": 1, "b": 1, "c": "key", "key": 2}));
    }

    #[test]
    fn merge_keys() {
        let text = "base: &b {x: 1, y: 2}\nother: &o {z: 3}\nm:\n  <<: [*b, *o]\n  y: 9\n";
        let (v, map) = parse_with_map(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.get("m"), Some(&crate::json!({"x": 1, "y": 9, "z": 3})));
        assert!(map.duplicate_keys.is_empty());
        assert_eq!(at(&map, "/m/x"), ((1, 14), Some((1, 11))));
        assert_eq!(at(&map, "/m/y"), ((5, 6), Some((5, 3))));
        assert_eq!(at(&map, "/m/z"), ((2, 15), Some((2, 12))));
        let v = parse_ok("b: &b {x: 1}\nm:\n  x: 0\n  <<: *b\n");
        assert_eq!(v.get("m"), Some(&crate::json!({"x": 0})));
        assert!(parse("m:\n  <<: 5\n").is_err());
        assert_eq!(parse_ok("'<<': 5"), crate::json!({"<<": 5}));
    }

    #[test]
    fn duplicate_keys_are_recorded() {
        let (v, map) = parse_with_map("a: 1\nb: 2\na: 3\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v.to_json(), r#"{"a":3,"b":2}"#);
        assert_eq!(map.duplicate_keys.len(), 1);
        assert_eq!(map.duplicate_keys.first().map(|(p, s)| (p.as_str(), s.start.line)), Some(("/a", 3)));
    }

    #[test]
    fn keys_are_text_and_pointers_escape() {
        let (v, map) = parse_with_map("1: a\ntrue: b\na/b~c: c\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v, crate::json!({"1": "a", "true": "b", "a/b~c": "c"}));
        assert!(map.get("/a~1b~0c").is_some());
        let e = error_of("? [a, b]\n: c\n");
        assert!(e.message.contains("key"), "{e}");
        let e = error_of("a: &x [1]\n*x : 2\n");
        assert!(e.message.contains("key"), "{e}");
    }

    /// An unquoted `{% %}` is a flow mapping to YAML: the error says to quote it (a QA pass).
    #[test]
    fn an_unquoted_jsonata_expression_gets_a_hint() {
        let e = error_of("Output: {% $states.input %}\n");
        assert!(e.message.contains("a JSONata expression must be quoted in YAML"), "{e}");
        assert_eq!((e.pos.line, e.pos.column), (1, 10));
        assert!(!error_of("a: [%]\n").message.contains("JSONata"));
    }

    #[test]
    fn syntax_errors_are_located() {
        let e = error_of("a: 1\nb:\n  c: 2\n d: 3\n");
        assert_eq!(e.pos.line, 4, "{e}");
        let e = error_of("a: [1, 2\nb: 3\n");
        assert!(e.pos.line >= 2, "{e}");
        let e = error_of("a: \"unterminated\n");
        assert!(e.message.starts_with("invalid YAML"), "{e}");
        let e = error_of("a: *nope\n");
        assert_eq!((e.pos.line, e.pos.column), (1, 4), "{e}");
        let e = error_of("a: 1\n---\nb: 2\n");
        assert_eq!(e.pos.line, 2, "{e}");
        assert!(error_of("").message.contains("empty"));
        assert!(error_of("# just a comment\n").message.contains("empty"));
        let e = error_of("a: &a [*a]\n");
        assert!(e.message.contains("alias") || e.message.contains("anchor"), "{e}");
    }

    #[test]
    fn scalars_and_explicit_documents() {
        assert_eq!(parse_ok("---\nhello\n...\n"), Value::string("hello"));
        assert_eq!(parse_ok("---\n"), Value::Null);
        assert_eq!(parse_ok("\u{feff}a: 1"), crate::json!({"a": 1}));
    }

    #[test]
    fn alias_bombs_stop_early() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 10].join(", ")));
        }
        let started = std::time::Instant::now();
        let e = error_of(&text);
        assert!(e.message.contains("alias bomb"), "{e}");
        assert!(started.elapsed().as_secs() < 10);
    }

    /// Few nodes, but each alias stands for a long string: 20,000 aliases of a 1 MB string took
    /// 17 seconds, 300,000 of a 4 MB one more than ten minutes (a QA pass).
    #[test]
    fn aliases_of_a_long_string_stop_early() {
        let text = format!("s: &s {}\nl: [{}]\n", "x".repeat(1_000_000), ["*s"; 20_000].join(","));
        let started = std::time::Instant::now();
        let e = error_of(&text);
        assert!(e.message.contains("aliases stand for more than 64 MiB"), "{e}");
        // Placed at the alias that passed the bound (the 68th: 68 x 1,000,002 bytes > 64 MiB; each
        // alias takes three characters).
        assert_eq!(e.pos.line, 2);
        assert_eq!(e.pos.column, 5 + 3 * 67);
        assert!(started.elapsed().as_secs() < 10);
        // A few aliases of it are fine.
        let few = format!("s: &s {}\nl: [{}]\n", "x".repeat(1_000_000), ["*s"; 60].join(","));
        assert_eq!(parse_ok(&few).get("l").and_then(Value::as_array).map(<[Value]>::len), Some(60));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let flow = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        assert!(error_of(&flow).message.contains("nested"));
        let flow_maps = "{a: ".repeat(5000);
        assert!(error_of(&flow_maps).message.contains("nested"));
        let block = format!("{}x\n", "- ".repeat(5000));
        let e = error_of(&block);
        assert!(e.message.contains("nested deeper than 1000"), "{e}");
        let mut indented = String::new();
        for i in 0..1200 {
            indented.push_str(&" ".repeat(i));
            indented.push_str("k:\n");
        }
        assert!(error_of(&indented).message.contains("nested deeper"));
        let ok = format!("{}x\n", "- ".repeat(999));
        assert_eq!(parse_ok(&ok).depth(), 999);
        let mut tagged = String::new();
        for i in 0..600 {
            tagged.push_str(&format!("{}- !Not\n", " ".repeat(2 * i)));
        }
        let e = error_of(&tagged);
        assert!(e.message.contains("nested deeper"), "{e}");
    }

    #[test]
    fn aliases_cannot_exceed_the_depth_limit() {
        let deep = format!("a: &d {}1{}\n", "[".repeat(200), "]".repeat(200));
        let mut text = deep.clone();
        text.push_str("b:\n");
        text.push_str(&"- ".repeat(900));
        text.push_str("*d\n");
        let e = error_of(&text);
        assert!(e.message.contains("nested deeper"), "{e}");
    }

    /// Random edits of valid YAML never panic: every outcome is a value or a located error.
    #[test]
    fn mangled_input_never_panics() {
        let seeds = [
            "a: [1, {b: c}]\nd:\n  - e\n  - f: !GetAtt g.h\n",
            "x: &a |\n  text\ny: *a\nz: !Sub\n  - '${q}'\n  - {q: 1}\n",
            "<<: {a: 1}\n? b\n: 'c'\n\"d\": >-\n  e\n",
        ];
        let alphabet: Vec<char> = "-:?[]{},#&*!|>'\"%@ \n\t\\.~0aé<".chars().collect();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut rnd = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize
        };
        for _ in 0..3000 {
            let mut s: Vec<char> = seeds[rnd() % seeds.len()].chars().collect();
            for _ in 0..1 + rnd() % 6 {
                let c = alphabet[rnd() % alphabet.len()];
                let i = rnd() % (s.len() + 1);
                match rnd() % 3 {
                    0 => s.insert(i, c),
                    _ if i < s.len() => s[i] = c,
                    _ => s.push(c),
                }
            }
            let text: String = s.into_iter().collect();
            if let Ok((_, map)) = parse_with_map(&text) {
                let _ = map.locate("/a/0");
            }
        }
    }
}
