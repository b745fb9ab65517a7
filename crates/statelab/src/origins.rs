//! Where each byte of a string sits in the document it came from: a JSON string, a YAML scalar
//! (quoted, plain or block), or text assembled from them (`Fn::Sub`, `Fn::Join`).
//!
//! A definition given as a string (a `DefinitionString`) is parsed on its own, so its positions
//! count in the decoded string. Reported as they are, they would name a line and column of the
//! template that hold something else; [`Origins`] carries them back to the template's text.

use std::ops::Range;

/// Maps byte offsets in a text derived from a document to byte offsets in the document. Bytes
/// copied verbatim map one to one; bytes produced otherwise (an escape, a folded line break, a
/// substituted value) map to the whole of what produced them, the nearest place that is right.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    pieces: Vec<Piece>,
    len: usize,
}

/// A run of the derived text, from byte `from` to the next piece's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Piece {
    from: usize,
    source: Source,
}

/// Where a run came from: copied verbatim from `to` on, or produced by the bytes `to..to_end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Verbatim { to: usize },
    Produced { to: usize, to_end: usize },
}

impl Origins {
    fn push(&mut self, len: usize, source: Source) {
        if len == 0 {
            return;
        }
        let continues = self.pieces.last().is_some_and(|last| match (last.source, source) {
            (Source::Verbatim { to: last_to }, Source::Verbatim { to }) => {
                last_to + (self.len - last.from) == to
            }
            (last, new) => last == new,
        });
        if !continues {
            self.pieces.push(Piece { from: self.len, source });
        }
        self.len += len;
    }

    /// Where the bytes of `piece` from `offset` on came from.
    fn source_at(piece: Piece, offset: usize) -> Source {
        match piece.source {
            Source::Verbatim { to } => Source::Verbatim { to: to + (offset - piece.from) },
            produced => produced,
        }
    }

    /// The piece holding byte `offset`, and where the next piece starts.
    fn piece(&self, offset: usize) -> Option<(Piece, usize)> {
        let i = self.pieces.partition_point(|p| p.from <= offset).checked_sub(1)?;
        let piece = *self.pieces.get(i)?;
        Some((piece, self.pieces.get(i + 1).map_or(self.len, |n| n.from)))
    }

    /// Where byte `offset` came from (the start of what produced it); the end of the text maps
    /// to the end of the last byte's origin. `0` for an empty text, which has no origin.
    pub fn start_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        match self.piece(offset).map(|(p, _)| Origins::source_at(p, offset)) {
            Some(Source::Verbatim { to } | Source::Produced { to, .. }) => to,
            None => 0,
        }
    }

    /// Where a range that ends at `offset` ends: at the end of the origin of the byte before it,
    /// so that a token's span stops where the token does.
    pub fn end_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        let Some(last) = offset.checked_sub(1) else { return self.start_of(0) };
        match self.piece(last).map(|(p, _)| Origins::source_at(p, last)) {
            Some(Source::Verbatim { to }) => to + 1,
            Some(Source::Produced { to_end, .. }) => to_end,
            None => 0,
        }
    }

    /// The document range for the range `start..end` of the text (never reversed).
    pub fn range(&self, start: usize, end: usize) -> Range<usize> {
        let start_at = self.start_of(start);
        start_at..self.end_of(end).max(start_at)
    }
}

/// Text, and where each of its bytes came from in a document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Located {
    /// The text.
    pub text: String,
    /// Where its bytes came from (as long as the text).
    pub origins: Origins,
}

impl Located {
    /// `text`, produced as a whole by the document's bytes `by` (nothing finer is known).
    pub fn produced(text: &str, by: Range<usize>) -> Located {
        let mut out = Located::default();
        out.push_produced(text, by);
        out
    }

    /// Appends `text`, produced by the document's bytes `by`.
    pub fn push_produced(&mut self, text: &str, by: Range<usize>) {
        self.text.push_str(text);
        self.origins.push(text.len(), Source::Produced { to: by.start, to_end: by.end.max(by.start) });
    }

    /// Appends `text`, copied verbatim from the document at `at`.
    fn push_verbatim(&mut self, text: &str, at: usize) {
        self.text.push_str(text);
        self.origins.push(text.len(), Source::Verbatim { to: at });
    }

    /// Appends the bytes `range` of `from`, with their origins. (Nothing when the range does not
    /// fall on character boundaries.)
    pub fn push_slice(&mut self, from: &Located, range: Range<usize>) {
        let Some(text) = from.text.get(range.clone()) else { return };
        self.text.push_str(text);
        let mut at = range.start;
        while at < range.end {
            let Some((p, next)) = from.origins.piece(at) else { return };
            let stop = next.min(range.end);
            self.origins.push(stop - at, Origins::source_at(p, at));
            at = stop;
        }
    }

    /// Appends all of `from`.
    pub fn push(&mut self, from: &Located) {
        self.push_slice(from, 0..from.text.len());
    }
}

/// Where each byte of `value` sits in the document, `value` being the string read from the token
/// `raw` (a JSON string or a YAML scalar, with any tag or anchor before it) that starts at byte
/// `at` of the document. `None` when reading the token back here does not give `value` exactly
/// (an alias, or YAML this reader does not follow), since a guess could name the wrong place.
pub fn scalar(raw: &str, at: usize, value: &str) -> Option<Located> {
    let start = properties_end(raw);
    let body = raw.get(start..)?;
    let mut reader = Reader { at: at + start, out: Located::default() };
    let block = body.starts_with(['|', '>']);
    match body.chars().next() {
        Some(quote @ ('"' | '\'')) => reader.flow(body, Some(quote))?,
        _ if block => reader.block(body),
        _ => reader.flow(body, None)?,
    }
    let mut located = reader.out;
    if located.text == value {
        return Some(located);
    }
    // A block scalar's span stops at its last character; the final line breaks its chomping
    // indicator keeps are placed at the span's end.
    let rest = value.strip_prefix(located.text.as_str())?;
    if !block || !rest.bytes().all(|b| b == b'\n') {
        return None;
    }
    located.push_produced(rest, at + raw.len()..at + raw.len());
    Some(located)
}

/// Where a YAML node's content starts, after its tag (`!Sub`, `!!str`) and anchor (`&name`).
fn properties_end(raw: &str) -> usize {
    let mut i = 0;
    while let Some(rest) = raw.get(i..) {
        if !rest.starts_with(['!', '&']) {
            break;
        }
        let property = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let blanks = rest.get(property..).unwrap_or_default();
        i += property + (blanks.len() - blanks.trim_start().len());
    }
    i
}

/// Reads a token back, recording where each byte of its value came from.
struct Reader {
    /// The token's offset in the document.
    at: usize,
    out: Located,
}

impl Reader {
    fn verbatim(&mut self, text: &str, i: usize) {
        self.out.push_verbatim(text, self.at + i);
    }

    /// Appends `text`, produced by the token's bytes `by`.
    fn produced(&mut self, text: &str, by: Range<usize>) {
        self.out.push_produced(text, self.at + by.start..self.at + by.end);
    }

    /// A quoted (`quote`) or plain scalar in `raw`; `None` when the quote is never closed or an
    /// escape is unknown.
    fn flow(&mut self, raw: &str, quote: Option<char>) -> Option<()> {
        let mut i = usize::from(quote.is_some());
        while let Some(c) = raw.get(i..).and_then(|r| r.chars().next()) {
            let next = raw.get(i + c.len_utf8()..).unwrap_or_default();
            match c {
                '"' if quote == Some('"') => return Some(()),
                '\'' if quote == Some('\'') && next.starts_with('\'') => {
                    self.produced("'", i..i + 2);
                    i += 2;
                    continue;
                }
                '\'' if quote == Some('\'') => return Some(()),
                '\\' if quote == Some('"') && next.starts_with(['\n', '\r']) => {
                    // An escaped line break joins the lines without a space; blank lines after
                    // it still count.
                    let (blank, resume) = line_breaks(raw, i + 1);
                    self.produced(&"\n".repeat(blank), i..resume);
                    i = resume;
                    continue;
                }
                '\\' if quote == Some('"') => {
                    let (decoded, len) = escape(next)?;
                    let mut buf = [0; 4];
                    self.produced(decoded.encode_utf8(&mut buf), i..i + 1 + len);
                    i += 1 + len;
                    continue;
                }
                '\n' | '\r' => {
                    // A line break folds into a space, or into the line breaks of the blank
                    // lines after it.
                    let (blank, resume) = line_breaks(raw, i);
                    let folded = if blank == 0 { " ".to_string() } else { "\n".repeat(blank) };
                    self.produced(&folded, i..resume);
                    i = resume;
                    continue;
                }
                ' ' | '\t' => {
                    // Blanks before a line break are not part of the value.
                    let blanks =
                        raw.get(i..).map_or(0, |r| r.len() - r.trim_start_matches([' ', '\t']).len());
                    let after = raw.get(i + blanks..).unwrap_or_default();
                    if !after.starts_with(['\n', '\r']) {
                        self.verbatim(raw.get(i..i + blanks).unwrap_or_default(), i);
                    }
                    i += blanks;
                    continue;
                }
                c => {
                    let mut buf = [0; 4];
                    self.verbatim(c.encode_utf8(&mut buf), i);
                }
            }
            i += c.len_utf8();
        }
        quote.is_none().then_some(())
    }

    /// A literal (`|`) or folded (`>`) block scalar in `raw`, which starts at its indicator and
    /// ends at its last character. The indentation is that of the first line with text (an
    /// explicit indentation indicator that says otherwise makes the value differ, and [`scalar`]
    /// refuse it).
    fn block(&mut self, raw: &str) {
        let folded = raw.starts_with('>');
        let Some(header_end) = raw.find('\n') else { return };
        let mut lines = Vec::new();
        let mut start = header_end + 1;
        while let Some(rest) = raw.get(start..) {
            let end = rest.find('\n').map(|n| start + n);
            let line = raw.get(start..end.unwrap_or(raw.len())).unwrap_or_default();
            lines.push((start, line.strip_suffix('\r').unwrap_or(line), end));
            match end {
                Some(e) => start = e + 1,
                None => break,
            }
        }
        let indent = lines
            .iter()
            .find(|(_, line, _)| !line.trim().is_empty())
            .map_or(0, |(_, line, _)| line.len() - line.trim_start_matches(' ').len());
        // Line breaks since the last line with text, and whether that line was more indented.
        let mut breaks: Vec<usize> = Vec::new();
        let mut previous_spaced = None;
        for (offset, line, end) in lines {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            let blank = spaces == line.len() && spaces <= indent;
            // A line with text is never less indented than the first (YAML ends the scalar there).
            if let Some(content) = line.get(indent..).filter(|_| !blank) {
                let spaced = content.starts_with([' ', '\t']);
                match (folded, previous_spaced) {
                    // Folding: one line break between two lines of text is a space; with blank
                    // lines between them, it is dropped and the blank lines' breaks are kept.
                    (true, Some(false)) if !spaced => match breaks.split_first() {
                        Some((&first, [])) => self.produced(" ", first..first + 1),
                        Some((_, kept)) => self.line_feeds(kept),
                        None => {}
                    },
                    _ => self.line_feeds(&breaks),
                }
                self.verbatim(content, offset + indent);
                breaks.clear();
                previous_spaced = Some(spaced);
            }
            if let Some(e) = end {
                breaks.push(e);
            }
        }
    }

    /// One line feed for each line break at these offsets.
    fn line_feeds(&mut self, breaks: &[usize]) {
        for &b in breaks {
            self.produced("\n", b..b + 1);
        }
    }
}

/// After the line break at `i` in `raw`: how many blank lines follow it, and where the text
/// resumes (after the next line's indentation).
fn line_breaks(raw: &str, i: usize) -> (usize, usize) {
    let skip_break = |at: usize| {
        let rest = raw.get(at..).unwrap_or_default();
        at + if rest.starts_with("\r\n") { 2 } else { usize::from(rest.starts_with(['\n', '\r'])) }
    };
    let mut at = skip_break(i);
    let mut blank = 0;
    loop {
        let rest = raw.get(at..).unwrap_or_default();
        let indent = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        if rest.get(indent..).is_some_and(|r| r.starts_with(['\n', '\r'])) {
            blank += 1;
            at = skip_break(at + indent);
        } else {
            return (blank, at + indent);
        }
    }
}

/// The character a backslash escape stands for (`rest` follows the backslash), and the length of
/// the escape after the backslash: JSON's escapes and YAML's. `None` for an unknown escape.
fn escape(rest: &str) -> Option<(char, usize)> {
    let hex = |from: usize, digits: usize| {
        let digits = rest.get(from..from + digits)?;
        u32::from_str_radix(digits, 16).ok().filter(|_| digits.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let simple = match rest.chars().next()? {
        '0' => '\0',
        'a' => '\u{7}',
        'b' => '\u{8}',
        't' | '\t' => '\t',
        'n' => '\n',
        'v' => '\u{b}',
        'f' => '\u{c}',
        'r' => '\r',
        'e' => '\u{1b}',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        c @ (' ' | '"' | '/' | '\\') => c,
        'x' => return Some((char::from_u32(hex(1, 2)?)?, 3)),
        'U' => return Some((char::from_u32(hex(1, 8)?)?, 9)),
        'u' => {
            let unit = hex(1, 4)?;
            if (0xD800..0xDC00).contains(&unit) && rest.get(5..7) == Some("\\u") {
                // A surrogate pair, as JSON writes characters beyond the Basic Multilingual Plane.
                let low = hex(7, 4).filter(|low| (0xDC00..0xE000).contains(low))?;
                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return Some((char::from_u32(c)?, 11));
            }
            return Some((char::from_u32(unit)?, 5));
        }
        _ => return None,
    };
    Some((simple, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;

    /// The offset in `raw` that each byte of `value` came from.
    fn origins(raw: &str, value: &str) -> Vec<usize> {
        let located = scalar(raw, 100, value).unwrap_or_else(|| panic!("not read back: {raw:?}"));
        (0..value.len()).map(|i| located.origins.start_of(i) - 100).collect()
    }

    #[test]
    fn json_escapes_map_to_their_backslash() {
        // `{"a":"\"b\né"}`: `"` ← `\"`, `b` ← `b`, newline ← `\n`, `é` ← `\u00e9` (two bytes).
        let raw = r#""{\"a\":1}\n\u00e9\ud83d\ude00x""#;
        let value = "{\"a\":1}\né\u{1f600}x";
        let at = origins(raw, value);
        assert_eq!(at, [1, 2, 4, 5, 7, 8, 9, 10, 12, 12, 18, 18, 18, 18, 30]);
        let located = scalar(raw, 0, value).unwrap_or_default();
        // The end of `"a"` is just past its closing `\"`.
        assert_eq!(located.origins.range(1, 4), 2..7);
        assert_eq!(located.origins.range(7, 8), 10..12);
    }

    #[test]
    fn yaml_quoted_scalars() {
        assert_eq!(origins("'it''s'", "it's"), [1, 2, 3, 5]);
        assert_eq!(origins("!Sub 'a\n   b\n\n  c  \n d'", "a b\nc d"), [6, 7, 11, 12, 16, 19, 21]);
        assert_eq!(origins("\"a\\\n  b\\x41\"", "abA"), [1, 6, 7]);
        assert!(scalar("'unclosed", 0, "unclosed").is_none());
        assert!(scalar("*alias", 0, "{}").is_none());
    }

    #[test]
    fn block_scalars_drop_their_indentation() {
        let raw = "|\n  {\n\n    \"a\": 1\n  }";
        assert_eq!(
            origins(raw, "{\n\n  \"a\": 1\n}\n"),
            [4, 5, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 20, 21]
        );
        assert!(scalar("|-\n  a\n  b", 0, "a\nb").is_some());
        assert!(scalar("&x |+ # keep\n  a", 0, "a\n\n").is_some());
        // Folded: lines of text join with a space; a blank line keeps one line break; a more
        // indented line keeps its breaks.
        let raw = ">\n  a\n  b\n\n  c\n    d\n  e";
        let value = crate::yaml::parse(&format!("k: {raw}\n")).unwrap_or_default();
        assert_eq!(value.get("k").and_then(Value::as_str), Some("a b\nc\n  d\ne\n"));
        assert_eq!(origins(raw, "a b\nc\n  d\ne\n"), [4, 5, 8, 10, 13, 14, 17, 18, 19, 20, 23, 24]);
        // What does not read back is refused, not guessed.
        assert!(scalar("|\n  a", 0, "b\n").is_none());
    }

    #[test]
    fn slices_keep_their_origins() {
        let mut template = Located::default();
        template.push_verbatim("ab${X}cd", 10);
        let mut out = Located::default();
        out.push_slice(&template, 0..2);
        out.push_produced("value", 12..16);
        out.push_slice(&template, 6..8);
        assert_eq!(out.text, "abvaluecd");
        let at: Vec<usize> = (0..=out.text.len()).map(|i| out.origins.start_of(i)).collect();
        assert_eq!(at, [10, 11, 12, 12, 12, 12, 12, 16, 17, 18]);
        // A substituted value spans its placeholder.
        assert_eq!(out.origins.range(2, 7), 12..16);
        assert_eq!(Origins::default().range(0, 3), 0..0);
    }
}
