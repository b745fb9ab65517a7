//! Colour: ANSI codes on a terminal, plain text everywhere else.

use std::fmt::Display;
use std::io::IsTerminal;

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    // When the stream is a terminal and NO_COLOR is unset or empty.
    #[default]
    Auto,
    Always,
    Never,
}

/// Whether to colour one stream.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    color: bool,
}

/// The styles for stdout and stderr, decided once.
#[derive(Clone, Copy, Debug)]
pub struct Colors {
    /// For stdout.
    pub out: Style,
    /// For stderr.
    pub err: Style,
}

impl Colors {
    /// Decides from `--color`, the streams and `NO_COLOR` (<https://no-color.org>).
    pub fn choose(choice: ColorChoice) -> Colors {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let auto = |terminal: bool| Style { color: terminal && !no_color };
        match choice {
            ColorChoice::Always => Colors { out: Style { color: true }, err: Style { color: true } },
            ColorChoice::Never => Colors { out: Style { color: false }, err: Style { color: false } },
            ColorChoice::Auto => Colors {
                out: auto(std::io::stdout().is_terminal()),
                err: auto(std::io::stderr().is_terminal()),
            },
        }
    }
}

impl Style {
    /// No colour, whatever the stream (text written into JSON).
    pub fn plain() -> Style {
        Style { color: false }
    }

    fn paint(self, sgr: &str, text: impl Display) -> String {
        if self.color {
            format!("\x1b[{sgr}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Secondary text: times, event names.
    pub fn dim(self, text: impl Display) -> String {
        self.paint("2", text)
    }

    /// State names.
    pub fn bold(self, text: impl Display) -> String {
        self.paint("1", text)
    }

    /// Success.
    pub fn good(self, text: impl Display) -> String {
        self.paint("1;32", text)
    }

    /// Errors and failures.
    pub fn error(self, text: impl Display) -> String {
        self.paint("1;31", text)
    }

    /// Warnings.
    pub fn warning(self, text: impl Display) -> String {
        self.paint("1;33", text)
    }

    /// Threads (branches and iterations).
    pub fn thread(self, text: impl Display) -> String {
        self.paint("36", text)
    }
}

/// `text` with its control characters written as escapes (`\u{1b}`), so that a state name or a
/// message from a definition cannot move the cursor, recolour or retitle the user's terminal;
/// the bidirectional formatting characters too (`\u{202e}`), so that it cannot reorder the rest
/// of the line in a terminal that applies them (Trojan Source, CVE-2021-42574).
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    escaped(text, unsafe_in_terminal, |c| c.escape_unicode().to_string())
}

/// JSON text made safe for a terminal as [`terminal_safe`] makes text, but with JSON's own
/// escapes (`\u202e`), so that it stays the same JSON: a run's `output:` printed the bidi override
/// of a string as it was, which reorders the lines it is on (a documentation pass). Its line
/// breaks are the layout's; control characters inside strings are escaped already, except C1.
pub fn json_terminal_safe(json: &str) -> std::borrow::Cow<'_, str> {
    // Every such character is in the Basic Multilingual Plane: one \uXXXX.
    escaped(json, |c| c != '\n' && unsafe_in_terminal(c), |c| format!("\\u{:04x}", u32::from(c)))
}

/// `text` with each character `unsafe_here` picks written as `escape` writes it (borrowed when
/// there is none).
fn escaped(
    text: &str,
    unsafe_here: impl Fn(char) -> bool,
    escape: impl Fn(char) -> String,
) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(&unsafe_here) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_here(c) {
            out.push_str(&escape(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Control characters and the bidirectional marks, embeddings, overrides and isolates.
fn unsafe_in_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(terminal_safe("Say hello"), "Say hello");
        assert_eq!(terminal_safe("A\u{1b}[2Jb\n\u{9b}"), "A\\u{1b}[2Jb\\u{a}\\u{9b}");
        // A QA pass: a state named "\u{202e}RTL" reordered the trace line it was printed on.
        assert_eq!(terminal_safe("\u{202e}RTL \u{2066}x\u{2069} é"), "\\u{202e}RTL \\u{2066}x\\u{2069} é");
    }

    #[test]
    fn json_keeps_its_meaning_with_bidi_and_c1_characters_escaped() {
        let json = "{\n  \"k\u{202e}\": \"v\\u001b[2J\u{202e}\u{9b}é\"\n}";
        let safe = json_terminal_safe(json);
        assert_eq!(safe, "{\n  \"k\\u202e\": \"v\\u001b[2J\\u202e\\u009bé\"\n}");
        let parsed: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(parsed["k\u{202e}"], "v\u{1b}[2J\u{202e}\u{9b}é");
        assert!(matches!(json_terminal_safe("{\"a\": 1}"), std::borrow::Cow::Borrowed(_)));
    }
}
