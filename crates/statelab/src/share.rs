//! Share links: a whole session (definition, input, stubs, options) packed into a URL fragment.
//!
//! The format, version 2: the session as a JSON object `{"v": 2, "definition": ..., "input": ...,
//! "stubs": ..., "options": {...}, "breakpoints": [...]}` with defaults left out, compressed as a
//! zlib stream (RFC 1950: DEFLATE with an Adler-32 checksum of the JSON), written in base64url
//! without padding (RFC 4648 §5), and prefixed with the format version and a dot:
//! `2.<base64url>`. A link is `<base URL>#s=2.<base64url>`. The fragment never reaches a server.
//!
//! Version 1 was the same with raw DEFLATE (RFC 1951) and `"v": 1`: no checksum, so a link with one
//! character changed in copying could still unpack, to a different session, and open silently (a
//! QA pass: 22 of 97 single-character changes did). Version 2's checksum refuses those.
//!
//! Old versions keep decoding: a link written today must open in every later Statelab (tests pin a
//! literal link of each version). Decoding is bounded: the link text and the unpacked session both
//! have a size cap, and no input makes it panic. Characters that are never base64url, pasted after
//! a link (the full stop of a sentence, Markdown's closing parenthesis), are dropped.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::exec::{Options, Unstubbed, WorkflowType};

/// The share format this module writes.
pub const VERSION: u32 = 2;
/// Where links point when no base URL is given: the playground served by `scripts/serve.sh`.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080/";
/// The longest link (or fragment) text [`decode`] reads: 256 KiB.
pub const MAX_LINK_BYTES: usize = 256 * 1024;
/// The largest unpacked session [`decode`] accepts: 2 MiB.
pub const MAX_PAYLOAD_BYTES: usize = 2 * 1024 * 1024;

/// Everything a shared link restores: the three texts as typed, the run options and breakpoints.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    /// The definition text (ASL JSON or YAML, a serverless.yml, a template).
    pub definition: String,
    /// The execution input text.
    pub input: String,
    /// The stubs text (Statelab's stubs or a MockConfigFile).
    pub stubs: String,
    /// How to run it.
    pub options: SessionOptions,
    /// States to stop at when stepping.
    pub breakpoints: Vec<String>,
}

/// The run options a session carries; `None` (or `false`) means the default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionOptions {
    /// Standard or Express.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_type: Option<WorkflowType>,
    /// The region (ARNs and prices).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The virtual start time, RFC 3339 as typed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    /// The seed for `States.UUID`, `States.MathRandom` and jitter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    /// The step budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_steps: Option<u64>,
    /// Which machine, when the definition document holds several (and in a MockConfigFile).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_machine: Option<String>,
    /// The MockConfigFile test case, when the stubs are one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mock_test_case: Option<String>,
    /// Unstubbed Tasks fail instead of echoing their input.
    #[serde(skip_serializing_if = "is_false")]
    pub strict_stubs: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl SessionOptions {
    /// `true` when every option is the default (the payload then leaves `options` out).
    pub fn is_default(&self) -> bool {
        *self == SessionOptions::default()
    }

    /// The run options these stand for: the defaults with what is set here. `Err` when the start
    /// time is not an RFC 3339 timestamp or the step budget is 0. (`state_machine` picks the
    /// machine; the caller names the run after it.)
    pub fn to_options(&self) -> Result<Options, String> {
        let mut o = Options::default();
        if let Some(t) = &self.start_time {
            o.start_time_ms = crate::time::parse_millis(t)
                .ok_or_else(|| format!("The start time is not an RFC 3339 timestamp: {t}"))?;
        }
        if let Some(seed) = self.seed {
            o.seed = seed;
        }
        if let Some(t) = self.workflow_type {
            o.workflow_type = t;
        }
        if let Some(r) = &self.region {
            o.region = r.clone();
        }
        match self.max_steps {
            Some(0) => return Err("The step budget must be at least 1".into()),
            Some(n) => o.max_steps = n,
            None => {}
        }
        if self.strict_stubs {
            o.unstubbed = Unstubbed::Fail;
        }
        Ok(o)
    }
}

/// The version-1 payload as written: `v` first, defaults left out.
#[derive(Serialize)]
struct Wire<'a> {
    v: u32,
    #[serde(skip_serializing_if = "str::is_empty")]
    definition: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    input: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    stubs: &'a str,
    #[serde(skip_serializing_if = "SessionOptions::is_default")]
    options: &'a SessionOptions,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    breakpoints: &'a [String],
}

/// Why a link did not open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShareErrorKind {
    /// The link text is over [`MAX_LINK_BYTES`], or unpacks to over [`MAX_PAYLOAD_BYTES`].
    TooLarge,
    /// Not `1.<base64url>`: not a share link, or its text was changed.
    BadEncoding,
    /// The compressed data is truncated or damaged (a link cut short when copied).
    Corrupt,
    /// Written by a newer Statelab, in a format this one does not know.
    UnknownVersion,
    /// It unpacked, but is not a session (not JSON, or fields of the wrong type).
    BadPayload,
}

impl ShareErrorKind {
    /// A stable code for front ends: `TOO_LARGE`, `BAD_ENCODING`, `CORRUPT`, `UNKNOWN_VERSION`,
    /// `BAD_PAYLOAD`.
    pub fn code(self) -> &'static str {
        match self {
            ShareErrorKind::TooLarge => "TOO_LARGE",
            ShareErrorKind::BadEncoding => "BAD_ENCODING",
            ShareErrorKind::Corrupt => "CORRUPT",
            ShareErrorKind::UnknownVersion => "UNKNOWN_VERSION",
            ShareErrorKind::BadPayload => "BAD_PAYLOAD",
        }
    }
}

/// A link that cannot be opened: what kind of problem, and a sentence for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareError {
    /// What went wrong.
    pub kind: ShareErrorKind,
    /// Why, in words.
    pub message: String,
}

impl ShareError {
    fn new(kind: ShareErrorKind, message: impl Into<String>) -> ShareError {
        ShareError { kind, message: message.into() }
    }
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ShareError {}

/// Packs a session: `2.<base64url of the zlib stream of the JSON payload>`.
pub fn encode(session: &Session) -> String {
    packed(session).0
}

/// The packed session, and the length of the JSON payload it unpacks to.
fn packed(session: &Session) -> (String, usize) {
    let wire = Wire {
        v: VERSION,
        definition: &session.definition,
        input: &session.input,
        stubs: &session.stubs,
        options: &session.options,
        breakpoints: &session.breakpoints,
    };
    // Serializing strings, integers and an enum cannot fail; an empty payload would decode to an
    // error rather than to a wrong session.
    let json = serde_json::to_vec(&wire).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&json, 9);
    (format!("{VERSION}.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)), json.len())
}

/// A link that opens the session: `{base_url}#s={encode(session)}` (any fragment already on
/// `base_url` is replaced).
pub fn link(base_url: &str, session: &Session) -> String {
    with_session(base_url, &encode(session))
}

/// `base_url` with the packed session as its fragment (replacing any fragment it had).
fn with_session(base_url: &str, packed: &str) -> String {
    let base = base_url.split_once('#').map_or(base_url, |(b, _)| b);
    format!("{base}#s={packed}")
}

/// [`link`], when [`decode`] will open it: the link within [`MAX_LINK_BYTES`] and its session
/// within [`MAX_PAYLOAD_BYTES`] unpacked. A long text that compresses well would otherwise make a
/// short link that no playground opens.
pub fn checked_link(base_url: &str, session: &Session) -> Result<String, ShareError> {
    const AS_FILES: &str = "Share a session this large as files instead: the definition, input and stubs, \
                            which the playground opens by pasting and `statelab run` reads directly";
    let (packed, unpacked) = packed(session);
    if unpacked > MAX_PAYLOAD_BYTES {
        return Err(ShareError::new(
            ShareErrorKind::TooLarge,
            format!(
                "The session is {unpacked} bytes of text; a link holds at most {MAX_PAYLOAD_BYTES} bytes \
                 (2 MiB), a fixed limit. {AS_FILES}"
            ),
        ));
    }
    let url = with_session(base_url, &packed);
    if url.len() > MAX_LINK_BYTES {
        return Err(ShareError::new(
            ShareErrorKind::TooLarge,
            format!(
                "The session makes a link of {} bytes; Statelab opens links of up to {MAX_LINK_BYTES} bytes \
                 (256 KiB), a fixed limit. {AS_FILES}",
                url.len()
            ),
        ));
    }
    Ok(url)
}

/// Unpacks a session from a whole link, a fragment (`#s=...`, `s=...`, also among other
/// `&`-separated parameters) or the bare `2.<base64url>` (or `1.<base64url>`) text.
pub fn decode(link: &str) -> Result<Session, ShareError> {
    use ShareErrorKind::*;
    if link.len() > MAX_LINK_BYTES {
        return Err(ShareError::new(
            TooLarge,
            format!(
                "The link is {} bytes long; Statelab opens links of up to {MAX_LINK_BYTES} bytes (256 KiB), \
                 a fixed limit. Share a session this large as files instead: the definition, input and \
                 stubs, which the playground opens by pasting and `statelab run` reads directly",
                link.len()
            ),
        ));
    }
    let text = link.trim();
    let fragment = text.split_once('#').map_or(text, |(_, f)| f);
    let payload = fragment.split('&').find_map(|p| p.strip_prefix("s=")).unwrap_or(fragment);
    if payload.is_empty() {
        return Err(ShareError::new(BadEncoding, "The link holds no session (expected #s=2.…)"));
    }
    let Some((version, body)) = payload.split_once('.') else {
        return Err(ShareError::new(
            BadEncoding,
            "This is not a Statelab share link: expected a format version and a dot, as in #s=2.…",
        ));
    };
    let version = match version.parse::<u32>() {
        Ok(n @ (1 | VERSION)) => n,
        Ok(n) => return Err(unknown_version(u64::from(n))),
        Err(_) if !version.is_empty() && version.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(ShareError::new(UnknownVersion, format!("Unknown share format {version}")));
        }
        Err(_) => {
            return Err(ShareError::new(
                BadEncoding,
                format!("This is not a Statelab share link: '{}' is not a format version", clip(version)),
            ));
        }
    };
    // A sentence's full stop or a closing parenthesis pasted with the link is not part of it.
    // Only punctuation a sentence puts after a link: trimming every other character too took
    // the whole of `@@@@` away and called it cut short, not damaged (a QA pass).
    // Closing typographic quotes (” ’ » ›) and an ellipsis too, and Markdown's emphasis.
    const AFTER_A_LINK: &str = ".,;:!?)]}>\"'`*~\u{201D}\u{2019}\u{BB}\u{203A}\u{2026}";
    let body = body.trim_end_matches(|c: char| c.is_whitespace() || AFTER_A_LINK.contains(c));
    let packed = base64::engine::general_purpose::URL_SAFE_NO_PAD_INDIFFERENT.decode(body).map_err(|_| {
        ShareError::new(
            BadEncoding,
            "The link is damaged: it was cut short or changed when copied (its text is not base64url)",
        )
    })?;
    let inflated = if version == 1 {
        miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_PAYLOAD_BYTES)
    } else {
        miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, MAX_PAYLOAD_BYTES)
    };
    let json = inflated.map_err(|e| {
        use miniz_oxide::inflate::TINFLStatus;
        match e.status {
            TINFLStatus::HasMoreOutput => ShareError::new(
                TooLarge,
                format!(
                    "The shared session unpacks to more than {MAX_PAYLOAD_BYTES} bytes (2 MiB), the most Statelab \
                     opens (a fixed limit): share the definition, input and stubs as files instead"
                ),
            ),
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => ShareError::new(
                Corrupt,
                "The link's data ends too early: it was probably cut short when copied",
            ),
            TINFLStatus::Adler32Mismatch => ShareError::new(
                Corrupt,
                "The link is damaged: its checksum does not match, so it was changed when copied",
            ),
            _ => ShareError::new(Corrupt, "The link's data is damaged and cannot be unpacked"),
        }
    })?;
    let value: serde_json::Value = serde_json::from_slice(&json)
        .map_err(|e| ShareError::new(BadPayload, format!("The shared session is not JSON: {e}")))?;
    // The payload's version is the prefix's: a version-1 payload in a version-2 link is not one.
    match value.get("v").map(serde_json::Value::as_u64) {
        Some(Some(n)) if n == u64::from(version) => {}
        Some(Some(n)) if n == 1 || n == u64::from(VERSION) => {
            return Err(ShareError::new(
                BadPayload,
                format!("The shared session says format {n}, but the link is format {version}"),
            ))
        }
        Some(Some(n)) => return Err(unknown_version(n)),
        Some(None) | None => {
            return Err(ShareError::new(BadPayload, "The shared session has no format version (\"v\")"))
        }
    }
    let session = Session::deserialize(value)
        .map_err(|e| ShareError::new(BadPayload, format!("The shared session is not readable: {e}")))?;
    // No Statelab makes such a link (a run takes at least one step), but an edited one opened
    // with a budget of 0 that every run then passed at once.
    if session.options.max_steps == Some(0) {
        return Err(ShareError::new(
            BadPayload,
            "The shared session's step budget (max_steps) is 0; it must be at least 1",
        ));
    }
    Ok(session)
}

fn unknown_version(n: u64) -> ShareError {
    ShareError::new(
        ShareErrorKind::UnknownVersion,
        format!(
            "This link uses share format {n}, which this Statelab does not know (it reads formats 1 \
             and {VERSION}); open it with a newer Statelab"
        ),
    )
}

/// The start of a piece of untrusted text, for a message.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(20).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Session {
        Session {
            definition: "StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n".into(),
            input: "{\"name\": \"wörld\"}".into(),
            stubs: "{\"A\": {\"Return\": 1}}".into(),
            options: SessionOptions {
                workflow_type: Some(WorkflowType::Express),
                region: Some("eu-west-1".into()),
                start_time: Some("2026-03-01T12:00:00Z".into()),
                seed: Some(-7),
                max_steps: Some(500),
                state_machine: Some("Orders".into()),
                mock_test_case: Some("HappyPath".into()),
                strict_stubs: true,
            },
            breakpoints: vec!["A".into(), "B c".into()],
        }
    }

    fn unpack(encoded: &str) -> String {
        let body = encoded.strip_prefix("2.").unwrap();
        let packed = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(body).unwrap();
        String::from_utf8(miniz_oxide::inflate::decompress_to_vec_zlib(&packed).unwrap()).unwrap()
    }

    /// Build a link from a payload written by hand: raw DEFLATE after `1.`, zlib after `2.`.
    fn pack(prefix: &str, payload: &[u8]) -> String {
        let packed = if prefix == "1." {
            miniz_oxide::deflate::compress_to_vec(payload, 6)
        } else {
            miniz_oxide::deflate::compress_to_vec_zlib(payload, 6)
        };
        format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed))
    }

    #[test]
    fn round_trips() {
        for s in [Session::default(), full(), Session { definition: "{}".into(), ..Session::default() }] {
            let encoded = encode(&s);
            assert!(encoded.starts_with("2."));
            assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "{encoded}");
            assert_eq!(decode(&encoded).unwrap(), s);
            assert_eq!(decode(&format!("s={encoded}")).unwrap(), s);
            assert_eq!(decode(&format!("#s={encoded}")).unwrap(), s);
            assert_eq!(decode(&link("https://x.test/play/?a=b", &s)).unwrap(), s);
            assert_eq!(decode(&format!("#theme=dark&s={encoded}&x=1")).unwrap(), s);
        }
    }

    #[test]
    fn defaults_are_left_out() {
        assert_eq!(unpack(&encode(&Session::default())), r#"{"v":2}"#);
        let s = Session {
            definition: "{}".into(),
            options: SessionOptions { seed: Some(3), ..SessionOptions::default() },
            ..Session::default()
        };
        assert_eq!(unpack(&encode(&s)), r#"{"v":2,"definition":"{}","options":{"seed":3}}"#);
        assert_eq!(
            unpack(&encode(&full())),
            concat!(
                r#"{"v":2,"definition":"StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n","#,
                r#""input":"{\"name\": \"wörld\"}","stubs":"{\"A\": {\"Return\": 1}}","#,
                r#""options":{"workflow_type":"EXPRESS","region":"eu-west-1","#,
                r#""start_time":"2026-03-01T12:00:00Z","seed":-7,"max_steps":500,"#,
                r#""state_machine":"Orders","mock_test_case":"HappyPath","strict_stubs":true},"#,
                r#""breakpoints":["A","B c"]}"#
            )
        );
    }

    #[test]
    fn options_apply_over_the_defaults() {
        let o = full().options.to_options().unwrap();
        assert_eq!(o.workflow_type, WorkflowType::Express);
        assert_eq!((o.seed, o.max_steps, o.region.as_str()), (-7, 500, "eu-west-1"));
        assert_eq!(o.start_time_ms, crate::time::parse_millis("2026-03-01T12:00:00Z").unwrap());
        assert_eq!(o.unstubbed, Unstubbed::Fail);
        let d = SessionOptions::default().to_options().unwrap();
        assert_eq!((d.seed, d.max_steps), (Options::default().seed, Options::default().max_steps));
        let bad = SessionOptions { start_time: Some("yesterday".into()), ..SessionOptions::default() };
        assert!(bad.to_options().unwrap_err().contains("yesterday"));
        assert!(SessionOptions { max_steps: Some(0), ..SessionOptions::default() }.to_options().is_err());
        // A link edited to a budget of 0 is refused when opened (a QA pass: it opened, and every
        // run stopped after one step with no word why).
        let zero = Session { options: SessionOptions { max_steps: Some(0), ..full().options }, ..full() };
        let e = decode(&encode(&zero)).err().unwrap_or_else(|| panic!("opened"));
        assert_eq!(e.kind, ShareErrorKind::BadPayload);
        assert!(e.message.contains("step budget (max_steps) is 0"), "{}", e.message);
    }

    #[test]
    fn link_replaces_any_fragment() {
        let s = Session::default();
        assert_eq!(link(DEFAULT_BASE_URL, &s), format!("http://127.0.0.1:8080/#s={}", encode(&s)));
        assert_eq!(link("https://a.test/#old", &s), format!("https://a.test/#s={}", encode(&s)));
    }

    /// Written by the first release of the format: it must open in every later version. Never
    /// change this string; add a new test for a new version instead.
    #[test]
    fn version_1_links_keep_decoding() {
        let link = "http://127.0.0.1:8080/#s=1.Jc2xCgMhEATQf5na5kIqO4v0gaSLKQxuQAKr6F4giP-e1asW3gyzHV_YzSDSO3GSlBkW3eMmoYoTD-vhPMwSoabQl8xz_xVajWtobZUuHBWk7jTGgEHissuxyBps03KZb5ouoBFF2PNpGLwqhU_JiUWTBxye4w8";
        let s = decode(link).unwrap();
        assert_eq!(s.definition, r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#);
        assert_eq!(s.input, r#"{"n":1}"#);
        assert_eq!(s.options.seed, Some(42));
        assert_eq!(s.breakpoints, ["A"]);
    }

    /// Written by the first release of version 2: it must open in every later version. Never
    /// change this string.
    #[test]
    fn version_2_links_keep_decoding() {
        let session = Session {
            definition: r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#.into(),
            input: r#"{"n":1}"#.into(),
            options: SessionOptions { seed: Some(42), ..SessionOptions::default() },
            breakpoints: vec!["A".into()],
            ..Session::default()
        };
        let link = "http://127.0.0.1:8080/#s=2.eNolzbEKAyEQBNB_mdomRyo7i_SBpIspDG5AAqvoXiCI_57VqxbeDLMdX9jNINI7cZKUGRbd4yahihMP6-E8zBKhptCXzHP_FVqNa2htlS4cFaTuNMaAQeKyy7HIGpym5TLfNF1AI4qw520YvCqFT8mJRZMHHJ7jDzNBMew";
        assert_eq!(decode(link).unwrap(), session);
        assert_eq!(super::link(DEFAULT_BASE_URL, &session), link);
    }

    /// One character changed in copying: a version-1 link could still unpack, to a different
    /// session (a QA pass); version 2's checksum refuses every such change.
    #[test]
    fn a_changed_character_is_refused() {
        let encoded = encode(&full());
        let mut refused = 0;
        for i in 2..encoded.len() {
            let mut bytes = encoded.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(bytes).unwrap();
            match decode(&changed) {
                Ok(s) => assert_eq!(s, full(), "a change at {i} opened a different session"),
                Err(_) => refused += 1,
            }
        }
        assert!(refused > encoded.len() / 2, "{refused}");
    }

    /// What is pasted after a link in a sentence or in Markdown is not part of it.
    #[test]
    fn trailing_punctuation_is_not_part_of_the_link() {
        let url = link("https://x.test/", &full());
        // Typographic quotes and an ellipsis (what word processors and chats put there: a
        // review), Markdown's emphasis.
        for tail in
            [".", ")", ").", ",", "\"", " ", "\u{201D}", "\u{2019}.", "\u{BB}", "\u{2026}", "**", "~~"]
        {
            assert_eq!(decode(&format!("{url}{tail}")).unwrap(), full(), "{tail:?}");
        }
        // Anything else is the link's own text, and damaged: `@@@@` was all trimmed away and
        // reported as cut short (a QA pass).
        assert_eq!(kind("https://x.test/#s=2.@@@@"), ShareErrorKind::BadEncoding);
        assert_eq!(kind(&format!("{url}@")), ShareErrorKind::BadEncoding);
    }

    #[test]
    fn unknown_fields_are_ignored() {
        // A later writer of a version may add fields; older readers skip them.
        let s = decode(&pack("1.", br#"{"v":1,"input":"1","theme":"dark","options":{"zoom":2}}"#)).unwrap();
        assert_eq!(s.input, "1");
        let s = decode(&pack("2.", br#"{"v":2,"input":"1","theme":"dark"}"#)).unwrap();
        assert_eq!(s.input, "1");
    }

    fn kind(link: &str) -> ShareErrorKind {
        let e = decode(link).unwrap_err();
        assert!(!e.message.is_empty());
        e.kind
    }

    #[test]
    fn only_links_that_open_are_made() {
        let session = |input: String| Session { definition: "{}".into(), input, ..Session::default() };
        // 3 MiB of one letter packs into a short link, which would not open.
        let e = checked_link("https://x/", &session("a".repeat(3 * 1024 * 1024))).unwrap_err();
        assert_eq!(e.kind, ShareErrorKind::TooLarge);
        assert!(e.message.contains("2 MiB"), "{}", e.message);
        // Text that does not compress makes a link over 256 KiB.
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let noise: String = (0..1_000_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'!' + (x % 90) as u8)
            })
            .collect();
        let e = checked_link("https://x/", &session(noise)).unwrap_err();
        assert!(e.message.contains("256 KiB"), "{}", e.message);
        // What it makes opens.
        let url = checked_link("https://x/#old", &session("1".into())).unwrap();
        assert_eq!(url, link("https://x/", &session("1".into())));
        assert_eq!(decode(&url).unwrap().input, "1");
    }

    #[test]
    fn too_large() {
        use ShareErrorKind::TooLarge;
        assert_eq!(kind(&"A".repeat(MAX_LINK_BYTES + 1)), TooLarge);
        // A small link that unpacks to 3 MiB (a zip bomb in miniature).
        let bomb = format!("{{\"v\":1,\"input\":\"{}\"}}", "a".repeat(3 * 1024 * 1024));
        let link = pack("1.", bomb.as_bytes());
        assert!(link.len() < 10_000, "{}", link.len());
        assert_eq!(kind(&link), TooLarge);
    }

    #[test]
    fn bad_encoding() {
        use ShareErrorKind::BadEncoding;
        assert_eq!(kind(""), BadEncoding);
        assert_eq!(kind("#s="), BadEncoding);
        assert_eq!(kind("https://example.com/"), BadEncoding);
        assert_eq!(kind("#s=hello"), BadEncoding);
        assert_eq!(kind("#s=x1.abc"), BadEncoding);
        assert_eq!(kind("#s=1.not*base64!"), BadEncoding);
    }

    #[test]
    fn corrupt() {
        use ShareErrorKind::Corrupt;
        let encoded = encode(&full());
        // Cut short, as a chat client might: a cut inside a base64 quantum is a bad encoding, any
        // other cut leaves a DEFLATE stream without its end.
        let mut corrupt = 0;
        for end in 2..encoded.len() {
            match kind(&encoded[..end]) {
                Corrupt => corrupt += 1,
                ShareErrorKind::BadEncoding => {}
                other => panic!("cut at {end}: {other:?}"),
            }
        }
        assert!(corrupt > 10, "{corrupt}");
        // Whole base64 quanta decode, so this cut is always a truncated stream.
        assert_eq!(kind(&encoded[..2 + 4 * ((encoded.len() - 2) / 8)]), Corrupt);
        // A stream whose first block has the reserved block type 3.
        let bad = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0x07, 0xff, 0x00]);
        assert_eq!(kind(&format!("1.{bad}")), Corrupt);
    }

    #[test]
    fn unknown_version() {
        use ShareErrorKind::UnknownVersion;
        assert_eq!(kind("#s=3.AAAA"), UnknownVersion);
        assert_eq!(kind("#s=99999999999999999999.AAAA"), UnknownVersion);
        let e = decode(&pack("2.", br#"{"v":3,"definition":"{}"}"#)).unwrap_err();
        assert_eq!(e.kind, UnknownVersion);
        assert!(e.message.contains("format 3"), "{e}");
        // A payload of the other known version is a mismatch, not an unknown version.
        let e = decode(&pack("1.", br#"{"v":2,"definition":"{}"}"#)).unwrap_err();
        assert_eq!(e.kind, ShareErrorKind::BadPayload);
        assert!(e.message.contains("says format 2, but the link is format 1"), "{e}");
    }

    #[test]
    fn bad_payload() {
        use ShareErrorKind::BadPayload;
        assert_eq!(kind(&pack("1.", b"not json")), BadPayload);
        assert_eq!(kind(&pack("1.", b"[1, 2]")), BadPayload);
        assert_eq!(kind(&pack("1.", br#"{"definition":"{}"}"#)), BadPayload);
        assert_eq!(kind(&pack("1.", br#"{"v":1,"input":5}"#)), BadPayload);
        assert_eq!(kind(&pack("1.", br#"{"v":1,"options":{"workflow_type":"FAST"}}"#)), BadPayload);
        assert_eq!(kind(&pack("1.", &[b'['; 10_000])), BadPayload);
        assert_eq!(kind(&pack("1.", &[0xff, 0xfe])), BadPayload);
    }

    #[test]
    fn error_codes() {
        assert_eq!(ShareErrorKind::UnknownVersion.code(), "UNKNOWN_VERSION");
        assert_eq!(decode("").unwrap_err().to_string(), "The link holds no session (expected #s=2.…)");
    }
}
