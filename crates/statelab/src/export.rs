//! Exports: a definition as YAML, stubs as a Step Functions Local MockConfigFile, and the history
//! as GetExecutionHistory's JSON.

use crate::history::Event;
use crate::stubs::is_mock_config;
use crate::value::{Map, Value};

/// The history as AWS's `{"events": [...]}` (pretty JSON).
pub fn history_json(events: &[Event]) -> String {
    crate::history::to_aws_json(events)
}

/// A value as YAML (block style, keys in order, strings quoted when YAML would misread them).
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    if is_container(v) {
        block(v, 0, false, &mut out);
    } else {
        out.push_str(&scalar(v));
        out.push('\n');
    }
    out
}

fn indent(n: usize, out: &mut String) {
    for _ in 0..n {
        out.push_str("  ");
    }
}

fn is_container(v: &Value) -> bool {
    matches!(v, Value::Object(_)) && v.as_object().is_some_and(|m| !m.is_empty())
        || matches!(v, Value::Array(_)) && v.as_array().is_some_and(|a| !a.is_empty())
}

/// Writes the members or items of container `v` as block lines at `depth`. `inline`: the first
/// line goes on the line begun already (after an array item's dash), unindented.
///
/// Recursive to the value's depth, which a document bounds ([`crate::value::MAX_DEPTH`]); every
/// level is written whatever its depth (cut at 200 levels, a deep Result was exported as YAML
/// that did not parse) and straight into `out`, so a deep value is written in one pass.
fn block(v: &Value, depth: usize, inline: bool, out: &mut String) {
    let mut first = inline;
    let mut line_start = |out: &mut String| {
        if !std::mem::take(&mut first) {
            indent(depth, out);
        }
    };
    match v {
        Value::Object(_) => {
            for (k, child) in v.as_object().into_iter().flatten() {
                line_start(out);
                out.push_str(&key(k));
                out.push(':');
                if is_container(child) {
                    out.push('\n');
                    block(child, depth + 1, false, out);
                } else {
                    out.push(' ');
                    out.push_str(&scalar(child));
                    out.push('\n');
                }
            }
        }
        Value::Array(_) => {
            for child in v.as_array().unwrap_or_default() {
                line_start(out);
                out.push_str("- ");
                if is_container(child) {
                    // The first line of a nested block goes on the dash's line.
                    block(child, depth + 1, true, out);
                } else {
                    out.push_str(&scalar(child));
                    out.push('\n');
                }
            }
        }
        _ => {
            line_start(out);
            out.push_str(&scalar(v));
            out.push('\n');
        }
    }
}

fn key(k: &str) -> String {
    if plain_ok(k) {
        k.to_string()
    } else {
        Value::string(k).to_json()
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) if plain_ok(s) => s.to_string(),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_json(),
    }
}

/// Whether a string can be written unquoted and read back as the same string.
fn plain_ok(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if ["null", "~", "true", "false", "yes", "no", "on", "off", "y", "n"].contains(&lower.as_str()) {
        return false;
    }
    // Anything that starts like a number is quoted: besides numbers, YAML 1.1 parsers (PyYAML)
    // read timestamps (`2026-01-01T01:59:00Z`, `2026-01-01`), base-60 (`1:30` is 90), `1_000`
    // and `0b101` as values of their own (a QA pass: Statelab read them back, PyYAML did not).
    if s.trim_start_matches(['+', '-', '.']).starts_with(|c: char| c.is_ascii_digit())
        || s.parse::<f64>().is_ok()
        || s.starts_with("0x")
        || s.starts_with("0o")
        || lower.trim_start_matches(['+', '-']).starts_with(".inf")
        || lower == ".nan"
        // A merge key: read back, its value's members would become the parent's.
        || s == "<<"
    {
        return false;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return false;
    }
    // A byte order mark may not appear inside a document, except in a quoted string.
    !(s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| c.is_control() || c == '\u{feff}'))
}

/// What Statelab's stubs may hold that a Step Functions Local MockConfigFile cannot (its
/// responses hold exactly one of `Return` and `Throw`, and it mocks no ItemReader), left out of
/// an export.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// A response had a `Duration` (virtual seconds, Statelab's own).
    pub durations: bool,
    /// A response had a `Comment`.
    pub comments: bool,
    /// The states whose `ItemReader` data the stubs gave, in file order.
    pub item_readers: Vec<String>,
}

impl LeftOut {
    /// One sentence for the user, or `None` when nothing was left out.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.durations {
            parts.push("the Durations".to_string());
        }
        if self.comments {
            parts.push("the responses' Comments".to_string());
        }
        if !self.item_readers.is_empty() {
            let names: Vec<String> = self.item_readers.iter().map(|n| format!("'{n}'")).collect();
            parts.push(format!("the ItemReader data of {}", names.join(", ")));
        }
        (!parts.is_empty()).then(|| {
            format!(
                "Exported without {}: a Step Functions Local MockConfigFile has no place for them.",
                crate::text::and_list(&parts)
            )
        })
    }

    /// Marks the fields of `response` a MockConfigFile cannot hold as left out.
    fn mark(&mut self, response: &Value) {
        self.durations |= response.get("Duration").is_some();
        self.comments |= response.get("Comment").is_some();
    }

    /// `response` without the fields a MockConfigFile cannot hold, noting which it had.
    fn strip(&mut self, response: &Value) -> Value {
        self.mark(response);
        let Some(map) = response.as_object() else { return response.clone() };
        let kept: Map = map
            .iter()
            .filter(|(k, _)| !matches!(&***k, "Duration" | "Comment"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Value::object(kept)
    }
}

/// Statelab stubs as a Step Functions Local MockConfigFile: one test case named `test_case` for
/// `state_machine`, a mocked response per state, lists turned into invocation-indexed entries;
/// with what had to be left out ([`LeftOut`]). Stubs a run would refuse are refused here too (a
/// broken file handed on would fail later, further from its cause); a MockConfigFile is checked
/// and returned with only what Step Functions Local cannot read taken out.
pub fn stubs_to_mock_config(
    stubs: &Value,
    state_machine: &str,
    test_case: &str,
) -> Result<(Value, LeftOut), String> {
    let refused = |e: crate::stubs::StubError| e.to_string();
    let mut left_out = LeftOut::default();
    if is_mock_config(stubs) {
        let first = crate::stubs::mock_test_cases(stubs).into_iter().next().map(|(m, _)| m);
        crate::stubs::Stubs::from_mock_config(stubs, first.as_deref(), None).map_err(refused)?;
        let Some(responses) = stubs.get("MockedResponses").and_then(Value::as_object) else {
            return Ok((stubs.clone(), left_out));
        };
        let mut out = Map::default();
        for (name, by_invocation) in responses {
            let stripped: Map = by_invocation
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, r)| (k.clone(), left_out.strip(r)))
                .collect();
            out.insert(name.clone(), Value::object(stripped));
        }
        let mut config = stubs.clone();
        let _ = config.set_member("MockedResponses".into(), Value::object(out));
        return Ok((config, left_out));
    }
    crate::stubs::Stubs::from_stubs(stubs).map_err(refused)?;
    let map = stubs.as_object().ok_or("The stubs must be a JSON object keyed by state name")?;
    let mut case = Map::default();
    let mut responses = Map::default();
    for (state, entry) in map {
        if entry.get("ItemReader").is_some() {
            left_out.item_readers.push(state.to_string());
            continue;
        }
        let name = format!("{state}Mock");
        case.insert(state.clone(), Value::string(name.as_str()));
        let list: Vec<Value> = match entry.as_array() {
            Some(items) => items.to_vec(),
            None => vec![entry.clone()],
        };
        let mut mocked = Map::default();
        for (i, r) in list.iter().enumerate() {
            let mut one = Map::default();
            if let Some(ret) = r.get("Return") {
                one.insert("Return".into(), ret.clone());
            } else if let Some(t) = r.get("Throw") {
                let error = t.get("Error").cloned().unwrap_or_else(|| Value::string(""));
                let cause = t.get("Cause").cloned().unwrap_or_else(|| Value::string(""));
                one.insert("Throw".into(), Value::object_from([("Error", error), ("Cause", cause)]));
            } else {
                return Err(format!("The stub for '{state}' has neither Return nor Throw"));
            }
            left_out.mark(r);
            // The last response repeats in Statelab; a mock config reuses its last entry too.
            mocked.insert(i.to_string().as_str().into(), Value::object(one));
        }
        responses.insert(name.as_str().into(), Value::object(mocked));
    }
    let cases = Value::object_from([(test_case, Value::object(case))]);
    let machines = Value::object_from([(state_machine, Value::object_from([("TestCases", cases)]))]);
    let config =
        Value::object_from([("StateMachines", machines), ("MockedResponses", Value::object(responses))]);
    Ok((config, left_out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn yaml_round_trips_through_our_parser() {
        let v = json!({
            "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Result": {"n": 1, "s": "yes", "e": "", "t": "a: b", "l": [1, {"x": null}], "o": {}}, "End": true}},
            "Weird key: 1": ["- dash", "#hash", "0x10", "1.5", true]
        });
        let text = to_yaml(&v);
        let back = crate::yaml::parse(&text).unwrap();
        assert_eq!(back, v, "{text}");
    }

    /// Strings YAML would read otherwise are quoted (a QA pass: a `<<` key merged its value into
    /// the parent, `+.inf` and a byte order mark did not read back), and a value nested past 200
    /// levels is written whole (it became an unindented `null` that did not parse).
    /// Strings YAML 1.1 parsers read as timestamps or base-60 numbers are quoted (they were
    /// written plain, and PyYAML read `1:30` as 90 and a timestamp as a datetime: a QA pass).
    #[test]
    fn yaml_quotes_what_yaml_1_1_reads_as_timestamps_and_base_60() {
        let v = json!({"t": "2026-01-01T01:59:00Z", "d": "2026-01-01", "s": "1:30", "u": "1_000", "b": "0b101",
                       "m": "-1:30", "f": ".5x", "w": "a1:30"});
        let text = to_yaml(&v);
        for quoted in [
            "\"2026-01-01T01:59:00Z\"",
            "\"2026-01-01\"",
            "\"1:30\"",
            "\"1_000\"",
            "\"0b101\"",
            "\"-1:30\"",
            "\".5x\"",
        ] {
            assert!(text.contains(quoted), "{quoted} in {text}");
        }
        assert!(text.contains("w: a1:30"), "{text}");
        assert_eq!(crate::yaml::parse(&text).unwrap(), v, "{text}");
    }

    #[test]
    fn yaml_keeps_merge_keys_infinities_byte_order_marks_and_depth() {
        let v = json!({
            "<<": {"x": 1}, "y": ["+.inf", "+.Inf", "-.INF", "a\u{feff}b", "<<", "<<x"],
            "m": {"<<": 1}
        });
        let text = to_yaml(&v);
        assert_eq!(crate::yaml::parse(&text).unwrap(), v, "{text}");
        let mut deep = json!([1, {"k": [2]}]);
        for i in 0..crate::value::MAX_DEPTH - 3 {
            deep = if i % 2 == 0 { json!({"a": deep}) } else { json!([deep, 0]) };
        }
        assert_eq!(deep.depth(), crate::value::MAX_DEPTH);
        let text = to_yaml(&deep);
        assert_eq!(crate::yaml::parse(&text).unwrap(), deep);
    }

    #[test]
    fn stubs_become_a_mock_config_that_reads_back_the_same() {
        let stubs = json!({"A": [{"Throw": {"Error": "E", "Cause": "c"}}, {"Return": {"ok": true}, "Duration": 3}], "B": {"Return": 1}});
        let (cfg, left_out) = stubs_to_mock_config(&stubs, "Machine", "Default").unwrap();
        assert_eq!(left_out, LeftOut { durations: true, ..LeftOut::default() });
        let ours = crate::stubs::Stubs::from_stubs(&stubs).unwrap();
        let theirs = crate::stubs::Stubs::parse(&cfg, None, Some("Default")).unwrap();
        for i in 0..4 {
            assert_eq!(
                ours.response("A", i).map(|r| &r.outcome),
                theirs.response("A", i).map(|r| &r.outcome)
            );
            assert_eq!(
                ours.response("B", i).map(|r| &r.outcome),
                theirs.response("B", i).map(|r| &r.outcome)
            );
        }
    }

    /// What a run would refuse is not exported (it was: a misspelt field was dropped, and a
    /// broken MockConfigFile handed on as it was).
    #[test]
    fn stubs_a_run_refuses_are_not_exported() {
        let e = stubs_to_mock_config(&json!({"A": {"Return": 1, "Duraton": 3}}), "M", "Default").unwrap_err();
        assert!(e.ends_with("at /A/Duraton"), "{e}");
        let broken = json!({"StateMachines": {"M": {"TestCase": {}}}, "MockedResponses": {}});
        let e = stubs_to_mock_config(&broken, "M", "Default").unwrap_err();
        assert!(e.ends_with("at /StateMachines/M/TestCase"), "{e}");
        let fine = json!({"StateMachines": {"M": {"TestCases": {"C": {}}}}, "MockedResponses": {}});
        assert_eq!(stubs_to_mock_config(&fine, "M", "Default"), Ok((fine, LeftOut::default())));
    }

    /// A MockConfigFile response holds exactly one of Return and Throw, and none mocks an
    /// ItemReader: what Statelab's stubs add is left out and named (ItemReader data went
    /// silently, and a MockConfigFile's Durations stayed in the export).
    #[test]
    fn what_a_mock_config_cannot_hold_is_left_out_and_named() {
        let stubs = json!({"Read": {"ItemReader": [1, 2]}, "T": {"Return": 1, "Comment": "why"}});
        let (cfg, left_out) = stubs_to_mock_config(&stubs, "M", "Default").unwrap();
        assert_eq!(cfg.get("MockedResponses"), Some(&json!({"TMock": {"0": {"Return": 1}}})));
        assert_eq!(
            left_out,
            LeftOut { comments: true, item_readers: vec!["Read".into()], ..LeftOut::default() }
        );
        assert_eq!(
            left_out.note().as_deref(),
            Some("Exported without the responses' Comments and the ItemReader data of 'Read': a Step Functions Local MockConfigFile has no place for them.")
        );
        let config = json!({"StateMachines": {"M": {"TestCases": {"C": {"T": "R"}}}},
            "MockedResponses": {"R": {"0": {"Return": 1, "Duration": 5}, "1-2": {"Throw": {"Error": "E", "Cause": "c"}}}}});
        let (cfg, left_out) = stubs_to_mock_config(&config, "M", "Default").unwrap();
        assert_eq!(
            cfg,
            json!({"StateMachines": {"M": {"TestCases": {"C": {"T": "R"}}}},
                "MockedResponses": {"R": {"0": {"Return": 1}, "1-2": {"Throw": {"Error": "E", "Cause": "c"}}}}})
        );
        assert_eq!(
            left_out.note().as_deref().map(|n| n.starts_with("Exported without the Durations:")),
            Some(true)
        );
        assert_eq!(LeftOut::default().note(), None);
    }
}
