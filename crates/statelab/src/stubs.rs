//! What each Task returns: Statelab's stub files and Step Functions Local's MockConfigFile.
//!
//! Stubs are looked up by state name and invocation number (counted per state across the whole
//! execution, retries and Map iterations included). Nothing ever reaches the network.

use std::collections::HashMap;
use std::rc::Rc;

use crate::machine::{Kind, Machine};
use crate::source::child as at;
use crate::value::Value;

/// One stubbed response.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// What the task does.
    pub outcome: Outcome,
    /// Its run time in virtual seconds.
    pub duration: f64,
}

/// A task's result or error.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// `{"Return": value}`
    Return(Value),
    /// `{"Throw": {"Error", "Cause"}}`
    Throw {
        /// Error name.
        error: Rc<str>,
        /// Cause.
        cause: Rc<str>,
    },
}

#[derive(Clone, Debug)]
enum StateStub {
    /// Used in invocation order; the last one repeats.
    List(Vec<Response>),
    /// MockConfigFile: inclusive invocation ranges.
    Ranges(Ranges),
}

/// A MockConfigFile's mocked response: `(first, last, response)` for each inclusive range of
/// invocations, sorted.
type Ranges = Vec<(u32, u32, Response)>;

/// A state's stubs are looked up by name at every invocation of a Task: hashed with foldhash, not
/// std's SipHash, which took about 250 instructions per lookup (callgrind). The names are the
/// user's own, so hash flooding is no concern; and the fixed seed keeps runs deterministic.
type Hasher = foldhash::fast::FixedState;

/// The stubs for one run.
#[derive(Clone, Debug, Default)]
pub struct Stubs {
    states: HashMap<Rc<str>, StateStub, Hasher>,
    item_readers: HashMap<Rc<str>, Value, Hasher>,
    /// JSON Pointer of the object whose keys are the state names in the file these came from:
    /// the top level of Statelab's stubs, a test case in a MockConfigFile.
    keys_at: String,
    /// Every stubbed state's name, in file order (for warnings in the order they are read).
    order: Vec<Rc<str>>,
}

/// A stub or mock file that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StubError {
    /// What is wrong.
    pub message: String,
    /// JSON Pointer into the stub file.
    pub pointer: String,
    /// The choice to blame rather than the file: one that names what the file lacks, or one
    /// not made that the file needs. A front end places the error at its own option
    /// (`--test-case`, a test file's `mock_test_case`) or says how to make it.
    pub asked: Option<Asked>,
}

/// A choice made (or not made) outside a MockConfigFile that the file cannot do with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    /// The state machine asked for is not in the file.
    StateMachine,
    /// The test case asked for is not in the machine's.
    TestCase,
    /// The file has several state machines and none was asked for (each front end says how to
    /// ask).
    Unchosen,
}

impl std::fmt::Display for StubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.pointer.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{} at {}", self.message, self.pointer)
        }
    }
}

fn err(message: impl Into<String>, pointer: &str) -> StubError {
    StubError { message: message.into(), pointer: pointer.to_string(), asked: None }
}

/// `true` when a JSON document looks like a Step Functions Local MockConfigFile: it has
/// `StateMachines` or `MockedResponses`, unless that is a stub for a state of that name
/// (`{"StateMachines": {"Return": ...}}` in Statelab's format).
pub fn is_mock_config(v: &Value) -> bool {
    let response = |r: &Value| r.get("Return").is_some() || r.get("Throw").is_some();
    let stub = |s: &Value| response(s) || s.as_array().and_then(|a| a.first()).is_some_and(response);
    ["StateMachines", "MockedResponses"].into_iter().any(|k| v.get(k).is_some_and(|x| !stub(x)))
}

/// The `(state machine, test case)` pairs a MockConfigFile offers, in file order.
pub fn mock_test_cases(v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (sm, def) in v.get("StateMachines").and_then(Value::as_object).into_iter().flatten() {
        for case in def.get("TestCases").and_then(Value::as_object).into_iter().flat_map(|m| m.keys()) {
            out.push((sm.to_string(), case.to_string()));
        }
    }
    out
}

/// The state machine of a MockConfigFile a run reads: the one asked for when the config has it
/// (with a template of one machine, the name asked for may be the config's alone: it was passed
/// over when the config also had the template's machine, a QA pass); else the definition's own
/// machine (`selected`, by its name) when the config has it, since a template's picker may have
/// chosen it by its key (`orders` for the machine named `Orders`); else the one asked for (a bare
/// definition is named only there), which the config then lacks; else none, which is the
/// config's only machine.
pub fn mock_machine<'a>(
    config: &Value,
    selected: Option<&'a str>,
    asked: Option<&'a str>,
) -> Option<&'a str> {
    asked.filter(|a| has_machine(config, a)).or(selected.filter(|s| has_machine(config, s))).or(asked)
}

/// `true` when a MockConfigFile has a state machine of this name.
pub fn has_machine(config: &Value, name: &str) -> bool {
    config.get("StateMachines").and_then(Value::as_object).is_some_and(|m| m.contains_key(name))
}

impl Stubs {
    /// No stubs at all.
    pub fn empty() -> Stubs {
        Stubs::default()
    }

    /// Parses Statelab's stub format: `{"State": response | [responses], "MapState": {"ItemReader": data}}`
    /// where a response is `{"Return": json}` or `{"Throw": {"Error", "Cause"}}`, with an optional
    /// `"Duration"` in virtual seconds.
    pub fn from_stubs(v: &Value) -> Result<Stubs, StubError> {
        let Some(map) = v.as_object() else {
            return Err(err("Stubs must be a JSON object keyed by state name", ""));
        };
        let mut stubs = Stubs::default();
        for (name, entry) in map {
            stubs.order.push(name.clone());
            let p = at("", name);
            if let Some(data) = entry.get("ItemReader") {
                if entry.as_object().is_some_and(|m| m.len() == 1) {
                    stubs.item_readers.insert(name.clone(), data.clone());
                    continue;
                }
            }
            let list = match entry {
                Value::Array(_) => {
                    let items = entry.as_array().unwrap_or_default();
                    if items.is_empty() {
                        return Err(err("A list of responses must not be empty", &p));
                    }
                    let mut out = Vec::with_capacity(items.len());
                    for (i, r) in items.iter().enumerate() {
                        out.push(response(r, &at(&p, &i.to_string()), true)?);
                    }
                    out
                }
                _ => vec![response(entry, &p, true)?],
            };
            stubs.states.insert(name.clone(), StateStub::List(list));
        }
        Ok(stubs)
    }

    /// Reads one test case of a Step Functions Local MockConfigFile: `test_case`, or the state
    /// machine's first one when `None`. `state_machine` may be omitted when the file has only one
    /// state machine. The whole file is checked, not only the test case read: a mistake in another
    /// machine or case is refused where it is rather than surprising a later run.
    pub fn from_mock_config(
        v: &Value,
        state_machine: Option<&str>,
        test_case: Option<&str>,
    ) -> Result<Stubs, StubError> {
        known_keys(v, "", &["StateMachines", "MockedResponses"], "a mock config")?;
        let machines = v.get("StateMachines").and_then(Value::as_object).ok_or_else(|| {
            // At the member when there is one that is not an object.
            let pointer = if v.get("StateMachines").is_some() { "/StateMachines" } else { "" };
            err("A mock config needs a \"StateMachines\" object", pointer)
        })?;
        let responses = mocked_responses(v)?;
        for (name, sm) in machines {
            check_machine(sm, &at("/StateMachines", name), &responses)?;
        }
        let (sm_name, sm) = match state_machine {
            Some(n) => machines.get_key_value(n).ok_or_else(|| StubError {
                asked: Some(Asked::StateMachine),
                ..err(
                    format!("No state machine '{n}' in the mock config {}", offered(n, machines)),
                    "/StateMachines",
                )
            })?,
            None if machines.len() <= 1 => machines
                .iter()
                .next()
                .ok_or_else(|| err("The mock config has no state machines", "/StateMachines"))?,
            None => {
                return Err(StubError {
                    asked: Some(Asked::Unchosen),
                    ..err(
                        format!(
                            "The mock config has several state machines ({}); say which one",
                            names(machines.keys())
                        ),
                        "/StateMachines",
                    )
                })
            }
        };
        let cases_ptr = at(&at("/StateMachines", sm_name), "TestCases");
        let cases = sm
            .get("TestCases")
            .and_then(Value::as_object)
            .ok_or_else(|| err("A state machine needs a \"TestCases\" object", &cases_ptr))?;
        let (case_name, case) = match test_case {
            Some(c) => cases.get_key_value(c).ok_or_else(|| StubError {
                asked: Some(Asked::TestCase),
                ..err(format!("No test case '{c}' for '{sm_name}' {}", offered(c, cases)), &cases_ptr)
            })?,
            None => cases
                .iter()
                .next()
                .ok_or_else(|| err(format!("'{sm_name}' has no test cases"), &cases_ptr))?,
        };
        let mut stubs = Stubs { keys_at: at(&cases_ptr, case_name), ..Stubs::default() };
        for (state, name) in case.as_object().into_iter().flatten() {
            stubs.order.push(state.clone());
            // check_machine has made sure each name is a string naming a mocked response.
            let ranges = name.as_str().and_then(|n| responses.get(n)).cloned().unwrap_or_default();
            stubs.states.insert(state.clone(), StateStub::Ranges(ranges));
        }
        Ok(stubs)
    }

    /// Reads either format: a MockConfigFile (with `test_case`, or its first test case) or stubs.
    pub fn parse(
        v: &Value,
        state_machine: Option<&str>,
        test_case: Option<&str>,
    ) -> Result<Stubs, StubError> {
        if is_mock_config(v) {
            Stubs::from_mock_config(v, state_machine, test_case)
        } else {
            Stubs::from_stubs(v)
        }
    }

    /// The response for the `invocation`-th call (0-based) of a state, if stubbed. Past the end
    /// of a list the last response repeats; past the last mock range the last entry repeats
    /// (undocumented on AWS; LocalStack does the same).
    pub fn response(&self, state: &str, invocation: u32) -> Option<&Response> {
        match self.states.get(state)? {
            StateStub::List(list) => list.get(invocation as usize).or_else(|| list.last()),
            // The ranges start at 0 and leave no gap (mocked_responses sees to it).
            StateStub::Ranges(ranges) => ranges
                .iter()
                .find(|(lo, hi, _)| (*lo..=*hi).contains(&invocation))
                .or_else(|| ranges.last())
                .map(|(_, _, r)| r),
        }
    }

    /// `true` when the state has a stub.
    pub fn has(&self, state: &str) -> bool {
        self.states.contains_key(state)
    }

    /// The items supplied for a Distributed Map's ItemReader.
    pub fn item_reader(&self, state: &str) -> Option<&Value> {
        self.item_readers.get(state)
    }

    /// The names of every stubbed state.
    pub fn state_names(&self) -> impl Iterator<Item = &str> {
        self.states.keys().map(|k| &**k)
    }
}

/// The stubs a run of `machine` will never use, as `(pointer, message)` pairs in file order
/// (the JSON Pointer of the stub's key in the file the stubs were read from):
/// keys that name no state (with the closest state name when one is an obvious typo), responses
/// for states that are not Tasks (only Tasks call anything), and `ItemReader` data for states
/// that are not a Map with an `ItemReader`. Warnings, not errors: the run goes on without them.
pub fn unused_stubs(machine: &Machine, stubs: &Stubs) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut check = |key: &str, wants: &str, fits: &dyn Fn(&Kind) -> bool| {
        let Some(id) = machine.find_all(key).next() else {
            let hint = machine
                .closest_state_name(key)
                .map(|n| format!(" (did you mean '{n}'?)"))
                .unwrap_or_default();
            out.push((
                at(&stubs.keys_at, key),
                format!("No state is named '{key}', so its stub is never used{hint}"),
            ));
            return;
        };
        let state = machine.state(id);
        if !fits(&state.kind) {
            out.push((
                at(&stubs.keys_at, key),
                format!("'{key}' is a {} state, so its stub is never used: {wants}", state.type_name()),
            ));
        }
    };
    for key in &stubs.order {
        if stubs.states.contains_key(key) {
            check(key, "only Task states take a stub's responses", &|k| matches!(k, Kind::Task(_)));
        } else {
            check(
                key,
                "ItemReader data is read only by a Map state with an ItemReader",
                &|k| matches!(k, Kind::Map(m) if m.item_reader.is_some()),
            );
        }
    }
    out
}

fn names<'a>(keys: impl Iterator<Item = &'a crate::value::Key>) -> String {
    keys.map(|k| k.to_string()).collect::<Vec<_>>().join(", ")
}

/// What a name asked for could have been: `(it has: A, B; did you mean 'A'?)`, or `(it has
/// none)`.
fn offered(asked: &str, among: &crate::value::Map) -> String {
    let list = names(among.keys());
    if list.is_empty() {
        return "(it has none)".to_string();
    }
    match crate::machine::closest_name(asked, among.keys().map(|k| &**k)) {
        Some(near) => format!("(it has: {list}; did you mean '{near}'?)"),
        None => format!("(it has: {list})"),
    }
}

/// Refuses a member of the object `v` (at `pointer`) that is not one of `known`: a misspelt
/// field would be ignored, and the run would quietly use other responses than the file says.
/// [?] Whether Step Functions Local ignores unknown fields is not documented.
fn known_keys(v: &Value, pointer: &str, known: &[&str], what: &str) -> Result<(), StubError> {
    for key in v.as_object().into_iter().flat_map(|m| m.keys()) {
        if known.contains(&key.as_ref()) {
            continue;
        }
        let hint = crate::machine::closest_name(key, known.iter().copied())
            .map(|k| format!("; did you mean '{k}'?"))
            .unwrap_or_default();
        return Err(err(
            format!("Unknown field '{key}' in {what} (it may have {}{hint})", known.join(" and ")),
            &at(pointer, key),
        ));
    }
    Ok(())
}

/// Every entry of a MockConfigFile's `MockedResponses`, checked and keyed by name.
fn mocked_responses(v: &Value) -> Result<HashMap<&str, Ranges, Hasher>, StubError> {
    // Looked up by name only: the fixed hasher keeps the library free of std's random seeds.
    let mut out = HashMap::default();
    let Some(all) = v.get("MockedResponses") else { return Ok(out) };
    let all = all
        .as_object()
        .ok_or_else(|| err("MockedResponses must be an object of named responses", "/MockedResponses"))?;
    for (name, mocked) in all {
        let mp = at("/MockedResponses", name);
        let entries = mocked.as_object().ok_or_else(|| {
            err("A mocked response maps invocation indexes (\"0\", \"1-2\") to responses", &mp)
        })?;
        let mut ranges = Vec::new();
        for (key, r) in entries {
            let kp = at(&mp, key);
            let (lo, hi) = parse_range(key).ok_or_else(|| err(range_problem(key), &kp))?;
            ranges.push((lo, hi, response(r, &kp, false)?, key));
        }
        if ranges.is_empty() {
            return Err(err(format!("Mocked response '{name}' has no entries"), &mp));
        }
        ranges.sort_by_key(|(lo, _, _, _)| *lo);
        // [?] Step Functions Local does not say which entry an invocation in two of them gets,
        // nor what one before the first entry or in a gap between two gets: each is refused, as
        // an ambiguity the user should resolve. Past the last entry, the last one repeats.
        if let Some((lo, _, _, first)) = ranges.first().filter(|(lo, _, _, _)| *lo > 0) {
            return Err(err(
                format!(
                    "'{first}' is the first entry, so {} no response: start at \"0\"",
                    invocations(0, lo - 1)
                ),
                &at(&mp, first),
            ));
        }
        for pair in ranges.windows(2) {
            if let [(_, hi, _, first), (lo, _, _, second)] = pair {
                if lo <= hi {
                    return Err(err(
                        format!("'{second}' and '{first}' both cover invocation {lo}: each invocation has one response"),
                        &at(&mp, second),
                    ));
                }
                if *lo > hi + 1 {
                    return Err(err(
                        format!(
                            "Between '{first}' and '{second}' {} no response: each invocation up to the last entry needs one",
                            invocations(hi + 1, lo - 1)
                        ),
                        &at(&mp, second),
                    ));
                }
            }
        }
        out.insert(&**name, ranges.into_iter().map(|(lo, hi, r, _)| (lo, hi, r)).collect());
    }
    Ok(out)
}

/// "invocation 2 has" or "invocations 1 to 3 have".
fn invocations(first: u32, last: u32) -> String {
    if first == last {
        format!("invocation {first} has")
    } else {
        format!("invocations {first} to {last} have")
    }
}

/// Checks one state machine of a MockConfigFile: only `TestCases`, each test case an object
/// mapping state names to the names of mocked responses the file has.
fn check_machine(
    sm: &Value,
    sm_ptr: &str,
    responses: &HashMap<&str, Ranges, Hasher>,
) -> Result<(), StubError> {
    known_keys(sm, sm_ptr, &["TestCases"], "a mock config's state machine")?;
    let cases = sm
        .get("TestCases")
        .and_then(Value::as_object)
        .ok_or_else(|| err("A state machine needs a \"TestCases\" object", sm_ptr))?;
    for (case_name, case) in cases {
        let case_ptr = at(&at(sm_ptr, "TestCases"), case_name);
        let case = case.as_object().ok_or_else(|| {
            err("A test case maps state names to mocked response names: it must be an object", &case_ptr)
        })?;
        for (state, name) in case {
            let sp = at(&case_ptr, state);
            let name = name
                .as_str()
                .ok_or_else(|| err("A test case maps state names to mocked response names", &sp))?;
            if !responses.contains_key(name) {
                let hint = crate::machine::closest_name(name, responses.keys().copied())
                    .map(|k| format!(" (did you mean '{k}'?)"))
                    .unwrap_or_default();
                return Err(err(format!("No mocked response named '{name}' in MockedResponses{hint}"), &sp));
            }
        }
    }
    Ok(())
}

/// Why `key` is not an invocation index or range, as plainly as can be said.
fn range_problem(key: &str) -> String {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match key.split_once('-') {
        Some((a, b)) if matches!((a.parse::<u32>(), b.parse::<u32>()), (Ok(x), Ok(y)) if digits(a) && digits(b) && x > y) =>
        {
            format!("'{key}' runs backwards: write the range from its first invocation, \"{b}-{a}\"")
        }
        // One number or two: "1-2-3" is neither (it was said to be too large).
        _ if key.split('-').count() <= 2 && key.split('-').all(digits) => {
            format!("'{key}' is past the last invocation index there can be ({})", u32::MAX)
        }
        _ => format!("'{key}' is not an invocation index (\"0\") or an inclusive range (\"1-2\")"),
    }
}

/// An invocation index ("0") or an inclusive range ("1-2"): digits only, as Step Functions
/// Local's documentation writes them; " 1" or "+1" are more likely slips than intent.
fn parse_range(key: &str) -> Option<(u32, u32)> {
    let index =
        |s: &str| if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) { s.parse().ok() } else { None };
    match key.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (index(a)?, index(b)?);
            (a <= b).then_some((a, b))
        }
        None => index(key).map(|n| (n, n)),
    }
}

fn response(v: &Value, p: &str, ours: bool) -> Result<Response, StubError> {
    let Some(map) = v.as_object() else {
        return Err(err("A response must be an object: {\"Return\": ...} or {\"Throw\": {\"Error\": ..., \"Cause\": ...}}", p));
    };
    const FIELDS: [&str; 4] = ["Return", "Throw", "Duration", "Comment"];
    for k in map.keys() {
        if !FIELDS.contains(&&**k) {
            let hint = crate::machine::closest_name(k, FIELDS.into_iter())
                .map(|f| format!("; did you mean '{f}'?"))
                .unwrap_or_default();
            return Err(err(
                format!(
                    "Unknown field '{k}' in a response (expected Return or Throw, and optionally Duration and Comment{hint})"
                ),
                &at(p, k),
            ));
        }
    }
    // A note for readers, as an ASL Comment is: a string (a number or an object there is more
    // likely a misplaced Return than a note), or null (YAML's `Comment:` left empty).
    if map.get("Comment").is_some_and(|c| !matches!(c, Value::String(_) | Value::Null)) {
        return Err(err("Comment must be a string", &at(p, "Comment")));
    }
    let duration = match map.get("Duration") {
        None => 0.0,
        Some(d) => match d.as_f64() {
            Some(s) if s >= 0.0 && s.is_finite() => s,
            _ => {
                return Err(err(
                    "Duration must be a non-negative number of virtual seconds",
                    &at(p, "Duration"),
                ))
            }
        },
    };
    let outcome = match (map.get("Return"), map.get("Throw")) {
        (Some(r), None) => Outcome::Return(r.clone()),
        (None, Some(t)) => {
            let tp = at(p, "Throw");
            let error = t.get("Error").and_then(Value::as_rc_str).cloned();
            let cause = t.get("Cause").and_then(Value::as_rc_str).cloned();
            // A cause that is not a string would otherwise read as no cause at all.
            if t.get("Cause").is_some() && cause.is_none() {
                return Err(err("Cause must be a string", &at(&tp, "Cause")));
            }
            for k in t.as_object().into_iter().flat_map(|m| m.keys()) {
                if !["Error", "Cause"].contains(&&**k) {
                    return Err(err(
                        format!("Unknown field '{k}' in Throw (expected Error and Cause)"),
                        &at(&tp, k),
                    ));
                }
            }
            match (error, cause) {
                (Some(error), Some(cause)) => Outcome::Throw { error, cause },
                // Step Functions Local requires both; our own stubs may leave out the cause.
                (Some(error), None) if ours => Outcome::Throw { error, cause: Rc::from("") },
                // Each format's own rule, in its words.
                _ if ours => {
                    return Err(err("Throw needs a string \"Error\" (and may have a string \"Cause\")", &tp))
                }
                _ => return Err(err("Throw needs a string \"Error\" and a string \"Cause\"", &tp)),
            }
        }
        (Some(_), Some(_)) => return Err(err("A response has either Return or Throw, not both", p)),
        (None, None) => return Err(err("A response needs Return or Throw", p)),
    };
    Ok(Response { outcome, duration })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn lists_repeat_their_last_response() {
        let s = Stubs::from_stubs(
            &json!({"A": [{"Return": 1}, {"Throw": {"Error": "E", "Cause": "c"}, "Duration": 2}]}),
        )
        .unwrap();
        assert_eq!(s.response("A", 0).unwrap().outcome, Outcome::Return(json!(1)));
        assert_eq!(s.response("A", 5).unwrap().duration, 2.0);
        assert!(s.response("B", 0).is_none());
    }

    /// A response's Comment is a string, as a state's is (it was not checked at all).
    #[test]
    fn a_comment_is_a_string() {
        assert!(Stubs::from_stubs(&json!({"A": {"Return": 1, "Comment": "why"}})).is_ok());
        assert!(Stubs::from_stubs(&json!({"A": {"Return": 1, "Comment": null}})).is_ok());
        let e = Stubs::from_stubs(&json!({"A": [{"Return": 1}, {"Return": 2, "Comment": {"x": 1}}]}))
            .err()
            .unwrap_or_else(|| panic!("accepted"));
        assert_eq!((e.message.as_str(), e.pointer.as_str()), ("Comment must be a string", "/A/1/Comment"));
    }

    #[test]
    fn mock_config_ranges() {
        let cfg = json!({
            "StateMachines": {"M": {"TestCases": {"Retry": {"L": "R"}}}},
            "MockedResponses": {"R": {
                "0": {"Throw": {"Error": "A", "Cause": "a"}},
                "1-2": {"Throw": {"Error": "B", "Cause": "b"}},
                "3": {"Return": {"ok": true}}
            }}
        });
        let s = Stubs::parse(&cfg, None, None).unwrap();
        let err_of = |i| match &s.response("L", i).unwrap().outcome {
            Outcome::Throw { error, .. } => error.to_string(),
            Outcome::Return(_) => "ok".into(),
        };
        assert_eq!([err_of(0), err_of(1), err_of(2), err_of(3), err_of(9)], ["A", "B", "B", "ok", "ok"]);
        assert_eq!(mock_test_cases(&cfg), vec![("M".to_string(), "Retry".to_string())]);
        let e = Stubs::from_mock_config(&cfg, None, Some("Nope")).unwrap_err();
        assert!(e.message.contains("it has: Retry"), "{e}");
    }

    /// A misspelt field and an invocation two entries claim are refused where they are, rather
    /// than the run using other responses than the file seems to say.
    #[test]
    fn mock_config_typos_and_overlaps_are_refused() {
        let with = |responses: Value, top: Option<(&str, Value)>| {
            let mut cfg = json!({
                "StateMachines": {"M": {"TestCases": {"C": {"L": "R"}}}},
                "MockedResponses": {"R": responses}
            });
            if let (Some((k, v)), Some(mut m)) = (top, cfg.as_object_mut()) {
                m.insert(k.into(), v);
            }
            Stubs::parse(&cfg, None, None).err().map(|e| (e.pointer, e.message))
        };
        let ok = json!({"0": {"Return": 1}, "1-2": {"Return": 2}});
        assert_eq!(with(ok.clone(), None), None);
        assert_eq!(
            with(ok.clone(), Some(("MockResponses", json!({})))),
            Some((
                "/MockResponses".into(),
                "Unknown field 'MockResponses' in a mock config (it may have StateMachines and MockedResponses; did you mean 'MockedResponses'?)".into()
            ))
        );
        // An invocation before the first entry, or in a gap, has no response the file gives.
        assert_eq!(
            with(json!({"1": {"Return": 1}, "2": {"Return": 2}}), None),
            Some((
                "/MockedResponses/R/1".into(),
                "'1' is the first entry, so invocation 0 has no response: start at \"0\"".into()
            ))
        );
        assert_eq!(
            with(json!({"0": {"Return": 1}, "4-5": {"Return": 2}}), None),
            Some((
                "/MockedResponses/R/4-5".into(),
                "Between '0' and '4-5' invocations 1 to 3 have no response: each invocation up to the last entry needs one".into()
            ))
        );
        let overlap = json!({"0-1": {"Return": 1}, "3": {"Return": 3}, "1-2": {"Return": 2}});
        assert_eq!(
            with(overlap, None),
            Some((
                "/MockedResponses/R/1-2".into(),
                "'1-2' and '0-1' both cover invocation 1: each invocation has one response".into()
            ))
        );
        let not_a_case = json!({"StateMachines": {"M": {"TestCases": {"C": "oops"}}}, "MockedResponses": {}});
        let e = Stubs::parse(&not_a_case, None, None).unwrap_err();
        assert_eq!(e.pointer, "/StateMachines/M/TestCases/C");
        let no_machines = json!({"StateMachines": {}, "MockedResponses": {}});
        let e = Stubs::from_mock_config(&no_machines, None, Some("C")).unwrap_err();
        assert_eq!(e.message, "The mock config has no state machines");
        let machine_typo = json!({"StateMachines": {"M": {"TestCase": {}}}, "MockedResponses": {}});
        let e = Stubs::parse(&machine_typo, None, Some("C")).unwrap_err();
        assert_eq!(e.pointer, "/StateMachines/M/TestCase");
    }

    /// A misspelt `TestCases` is named as such even when no test case is asked for (it said "no
    /// test cases" before), and a mistake anywhere in the file is refused, not only in the test
    /// case read.
    #[test]
    fn the_whole_mock_config_is_checked() {
        let refused = |cfg: Value| Stubs::parse(&cfg, Some("A"), None).err().map(|e| (e.pointer, e.message));
        let ok = json!({"0": {"Return": 1}});
        assert_eq!(
            refused(
                json!({"StateMachines": {"A": {"TestCases": {"C": {"T": "R"}}}}, "MockedResponses": {"R": ok}})
            ),
            None
        );
        let (ptr, msg) = refused(
            json!({"StateMachines": {"A": {"TestCase": {"C": {"T": "R"}}}}, "MockedResponses": {"R": ok}}),
        )
        .unwrap();
        assert_eq!(ptr, "/StateMachines/A/TestCase");
        assert!(msg.contains("did you mean 'TestCases'?"), "{msg}");
        let other_machine = json!({"StateMachines": {
                "A": {"TestCases": {"C": {"T": "R"}}},
                "B": {"TestCases": {"D": {"T": "Rr"}}}},
            "MockedResponses": {"R": ok}});
        assert_eq!(
            refused(other_machine),
            Some((
                "/StateMachines/B/TestCases/D/T".into(),
                "No mocked response named 'Rr' in MockedResponses (did you mean 'R'?)".into()
            ))
        );
        let unused_response = json!({"StateMachines": {"A": {"TestCases": {"C": {"T": "R"}}}},
            "MockedResponses": {"R": ok, "Other": {"0": {"Retrun": 1}}}});
        assert_eq!(refused(unused_response).unwrap().0, "/MockedResponses/Other/0/Retrun");
        let not_an_object = json!({"StateMachines": {"A": {"TestCases": {"C": {}}}}, "MockedResponses": []});
        assert_eq!(refused(not_an_object).unwrap().0, "/MockedResponses");
        assert_eq!(refused(json!({"StateMachines": [], "MockedResponses": {}})).unwrap().0, "/StateMachines");
        assert_eq!(refused(json!({"MockedResponses": {}})).unwrap().0, "");
        let no_cases = json!({"StateMachines": {"A": {"TestCases": {}}}});
        assert_eq!(
            refused(no_cases),
            Some(("/StateMachines/A/TestCases".into(), "'A' has no test cases".into()))
        );
    }

    /// The definition's machine picks the config's by its name, over a name asked for by key
    /// that the config lacks; a bare definition's machine is only ever the one asked for.
    #[test]
    fn the_mock_machine_is_the_definitions_when_the_config_has_it() {
        let cfg = json!({"StateMachines": {"Orders": {"TestCases": {}}, "Other": {"TestCases": {}}}});
        assert_eq!(mock_machine(&cfg, Some("Orders"), Some("orders")), Some("Orders"));
        assert_eq!(mock_machine(&cfg, Some("StateMachine"), Some("Other")), Some("Other"));
        // Asked for by a name the config has, over the definition's.
        assert_eq!(mock_machine(&cfg, Some("Orders"), Some("Other")), Some("Other"));
        assert_eq!(mock_machine(&cfg, Some("StateMachine"), None), None);
        assert_eq!(mock_machine(&json!({}), Some("Orders"), None), None);
    }

    /// Invocation keys are digits as Step Functions Local writes them: a space or a sign is more
    /// likely a slip than a meaning ([?] SFN Local's own parsing is not documented).
    /// A state may be named StateMachines: its stub does not make the file a MockConfigFile.
    #[test]
    fn a_stub_for_a_state_named_like_a_mock_config_key_is_a_stub() {
        assert!(!is_mock_config(&json!({"StateMachines": {"Return": 1}})));
        assert!(!is_mock_config(&json!({"MockedResponses": [{"Throw": {"Error": "E"}}]})));
        assert!(is_mock_config(&json!({"StateMachines": {"M": {"TestCases": {}}}})));
        assert!(is_mock_config(&json!({"StateMachines": []})));
        assert!(Stubs::parse(&json!({"StateMachines": {"Return": 1}}), None, None).is_ok());
    }

    #[test]
    fn a_name_the_config_lacks_gets_the_closest_it_has() {
        let cfg = json!({"StateMachines": {"Orders": {"TestCases": {"Happy": {}, "Sad": {}}}, "Empty": {"TestCases": {}}},
            "MockedResponses": {}});
        let message = |sm: &str, case: &str| Stubs::parse(&cfg, Some(sm), Some(case)).unwrap_err().message;
        assert_eq!(
            message("Orders", "Hapy"),
            "No test case 'Hapy' for 'Orders' (it has: Happy, Sad; did you mean 'Happy'?)"
        );
        assert_eq!(
            message("Ordrs", "Happy"),
            "No state machine 'Ordrs' in the mock config (it has: Orders, Empty; did you mean 'Orders'?)"
        );
        assert_eq!(message("Empty", "Happy"), "No test case 'Happy' for 'Empty' (it has none)");
    }

    #[test]
    fn invocation_keys_say_what_is_wrong() {
        assert_eq!(
            range_problem("2-1"),
            "'2-1' runs backwards: write the range from its first invocation, \"1-2\""
        );
        assert_eq!(
            range_problem("99999999999"),
            "'99999999999' is past the last invocation index there can be (4294967295)"
        );
        assert!(range_problem("1-99999999999").contains("past the last invocation index"));
        assert!(range_problem("+1").contains("is not an invocation index"));
        assert!(range_problem("1-2-3").contains("is not an invocation index"));
    }

    #[test]
    fn invocation_keys_are_digits() {
        assert_eq!(parse_range("0"), Some((0, 0)));
        assert_eq!(parse_range("1-12"), Some((1, 12)));
        for bad in [" 1", "+1", "1 - 2", "-1", "1-", "2-1", "", "1.0", "99999999999"] {
            assert_eq!(parse_range(bad), None, "{bad:?}");
        }
    }

    /// A stub keyed by no state, or by a state that never reads it, is reported (once per key,
    /// in file order, as they are read), with the closest state name when the key looks like its typo.
    #[test]
    fn unused_stubs_are_reported() {
        let (m, d) = crate::compile::compile(&json!({"StartAt": "HelloWorld", "States": {
            "HelloWorld": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Wait"},
            "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Hello"},
            "Hello": {"Type": "Pass", "End": true}}}));
        let m = m.unwrap_or_else(|| panic!("{d:?}"));
        let stubs = Stubs::from_stubs(&json!({
            "HelloWrold": {"Return": 1},
            "HelloWorld": {"Return": 1},
            "Hello": {"Return": 1},
            "Wait": {"ItemReader": []},
            "Zzz": {"Return": 1}
        }))
        .unwrap();
        assert_eq!(
            unused_stubs(&m, &stubs),
            vec![
                ("/HelloWrold".into(), "No state is named 'HelloWrold', so its stub is never used (did you mean 'HelloWorld'?)".into()),
                ("/Hello".into(), "'Hello' is a Pass state, so its stub is never used: only Task states take a stub's responses".into()),
                ("/Wait".into(), "'Wait' is a Wait state, so its stub is never used: ItemReader data is read only by a Map state with an ItemReader".into()),
                ("/Zzz".into(), "No state is named 'Zzz', so its stub is never used".into()),
            ]
        );
    }

    #[test]
    fn unused_mock_config_stubs_are_located_in_their_test_case() {
        let (m, d) = crate::compile::compile(&json!({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}));
        let m = m.unwrap_or_else(|| panic!("{d:?}"));
        let config = json!({
            "StateMachines": {"SM": {"TestCases": {
                "First": {"T": "Ok"},
                "Typo/case": {"T": "Ok", "U": "Ok"}}}},
            "MockedResponses": {"Ok": {"0": {"Return": 1}}}
        });
        let stubs = Stubs::parse(&config, None, Some("Typo/case")).unwrap();
        let unused = unused_stubs(&m, &stubs);
        assert_eq!(unused.len(), 1);
        assert_eq!(unused[0].0, "/StateMachines/SM/TestCases/Typo~1case/U");
        let first = Stubs::parse(&config, None, None).unwrap();
        assert!(unused_stubs(&m, &first).is_empty());
    }

    #[test]
    fn bad_stubs_are_located() {
        // An unknown key is located at itself, not at its response.
        let e = Stubs::from_stubs(&json!({"A": [{"Return": 1}, {"Retrun": 2}]})).unwrap_err();
        assert_eq!(e.pointer, "/A/1/Retrun");
        let e = Stubs::from_stubs(&json!({"A": {"Throw": {"Error": "E", "Caus": "c"}}})).unwrap_err();
        assert_eq!(e.pointer, "/A/Throw/Caus");
        let e = Stubs::from_stubs(&json!({"A": {"Return": 1, "Duration": -1}})).unwrap_err();
        assert_eq!(e.pointer, "/A/Duration");
        // A cause that is not a string is not taken for no cause.
        for cause in [json!(5), json!(null), json!({"why": "x"})] {
            let e = Stubs::from_stubs(&json!({"A": {"Throw": {"Error": "E", "Cause": cause}}})).unwrap_err();
            assert_eq!(
                (e.pointer.as_str(), e.message.as_str()),
                ("/A/Throw/Cause", "Cause must be a string")
            );
        }
    }

    #[test]
    fn a_throw_without_error_says_what_the_format_asks() {
        // Statelab's stubs may leave the cause out, so the message does not ask for it.
        let e = Stubs::from_stubs(&json!({"A": {"Throw": {}}})).unwrap_err();
        assert!(e.message.contains("and may have a string \"Cause\""), "{}", e.message);
        assert!(Stubs::from_stubs(&json!({"A": {"Throw": {"Error": "E"}}})).is_ok());
    }
}
