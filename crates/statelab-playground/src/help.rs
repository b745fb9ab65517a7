//! Hover help for every ASL field: what it does and its default, in one table.

/// (field, help) pairs shown when the pointer rests on a field name in the definition editor.
pub const FIELDS: &[(&str, &str)] = &[
    ("Comment", "A human-readable description. Ignored when running."),
    ("StartAt", "Required. The name of the state the execution (or branch, or iteration) begins with."),
    ("States", "Required. The states, by name. Names are unique in the whole state machine, at most 80 characters."),
    ("TimeoutSeconds", "On the machine: the execution times out (TIMED_OUT) after this many seconds. On a Task: the task fails with States.Timeout. Task default: 99999999."),
    ("TimeoutSecondsPath", "Like TimeoutSeconds, read from the state input with a reference path."),
    ("HeartbeatSeconds", "A Task (activity or callback) fails if no heartbeat arrives within this many seconds: the error is States.Timeout, as AWS reports it, and a Retrier or Catcher naming States.HeartbeatTimeout matches it too. Must be less than TimeoutSeconds."),
    ("HeartbeatSecondsPath", "Like HeartbeatSeconds, read from the state input with a reference path."),
    ("Version", "The ASL version, \"1.0\"."),
    ("QueryLanguage", "JSONPath (the default) or JSONata. A state may use JSONata in a JSONPath machine, not the reverse."),
    ("Type", "The state type: Pass, Task, Choice, Wait, Succeed, Fail, Parallel or Map."),
    ("Next", "The state to go to next (in the same scope). Exactly one of Next or End."),
    ("End", "true ends the execution (or branch, or iteration) after this state. Exactly one of Next or End."),
    ("InputPath", "Selects the part of the state's input to use (JSONPath). Default $: all of it. null: {}."),
    ("OutputPath", "Selects the part of the state's result-merged input to pass on. Default $: all of it. null: {}."),
    ("Parameters", "A payload template: builds the effective input. Keys ending in .$ take a path ($.x), a context path ($$.x), a variable ($v) or an intrinsic call. No default."),
    ("ResultSelector", "A payload template applied to the task's (or Parallel's, or Map's) result, before ResultPath. No default."),
    ("ResultPath", "Where the result goes in the state's original input (a reference path). Default $: the result replaces the input. null: the result is discarded."),
    ("Result", "Pass only: a fixed value used as the state's result. Paths in it are not evaluated."),
    ("Resource", "Task only: what to run: arn:aws:states:::service:action (optionally .sync or .waitForTaskToken), a Lambda function ARN, or an activity ARN. Statelab answers it from the stubs."),
    ("Credentials", "Task only: a role to assume for the call. Shown, never used here."),
    ("Retry", "An array of Retriers, tried in order: the first whose ErrorEquals matches decides whether to retry."),
    ("Catch", "An array of Catchers, tried in order after retries are exhausted: the first that matches sends the error output to its Next."),
    ("ErrorEquals", "Error names this Retrier or Catcher handles. States.ALL matches everything but States.Runtime and States.DataLimitExceeded, and must be alone and last."),
    ("IntervalSeconds", "Retrier: seconds before the first retry. Default 1."),
    ("MaxAttempts", "Retrier: the most retries. Default 3. 0 means never retry."),
    ("BackoffRate", "Retrier: each retry waits this many times longer than the last. Default 2.0, at least 1.0."),
    ("MaxDelaySeconds", "Retrier: the longest any retry may wait, whatever the backoff."),
    ("JitterStrategy", "Retrier: FULL waits a random share of each interval (seeded here); NONE (default) waits exactly."),
    ("Choices", "Choice only: rules tried in order; the first that matches decides Next."),
    ("Default", "Choice only: where to go when no rule matches. Without it, no match fails with States.NoChoiceMatched."),
    ("Variable", "Choice rule: the reference path whose value is compared. A missing path fails with States.Runtime, except for IsPresent."),
    ("And", "Choice rule: true when every nested rule is true (evaluation stops at the first false)."),
    ("Or", "Choice rule: true when any nested rule is true (evaluation stops at the first true)."),
    ("Not", "Choice rule: true when the nested rule is false."),
    ("StringEquals", "Compares strings by code point. A value of another type is false, not an error."),
    ("StringMatches", "Matches a pattern where * stands for any characters (\\\\* is a literal star)."),
    ("NumericEquals", "Compares numbers. A value of another type is false."),
    ("NumericLessThan", "Compares numbers. A value of another type is false."),
    ("NumericGreaterThan", "Compares numbers. A value of another type is false."),
    ("NumericLessThanEquals", "Compares numbers. A value of another type is false."),
    ("NumericGreaterThanEquals", "Compares numbers. A value of another type is false."),
    ("BooleanEquals", "Compares booleans. A value of another type is false."),
    ("TimestampEquals", "Compares RFC 3339 timestamps (2016-03-14T01:59:00Z). A non-timestamp is false."),
    ("TimestampLessThan", "Compares RFC 3339 timestamps. A non-timestamp is false."),
    ("TimestampGreaterThan", "Compares RFC 3339 timestamps. A non-timestamp is false."),
    ("IsNull", "true when the value is null (use false to test for not null)."),
    ("IsPresent", "true when the path exists. The only comparator that accepts a missing path."),
    ("IsNumeric", "true when the value is a number."),
    ("IsString", "true when the value is a string."),
    ("IsBoolean", "true when the value is a boolean."),
    ("IsTimestamp", "true when the value is an RFC 3339 timestamp string."),
    ("Seconds", "Wait: how long to wait, in seconds (or a JSONata expression). Virtual here: no real time passes."),
    ("SecondsPath", "Wait: seconds read from the input with a reference path."),
    ("Timestamp", "Wait: until this RFC 3339 time. A time in the past proceeds at once."),
    ("TimestampPath", "Wait: a timestamp read from the input with a reference path."),
    ("Error", "Fail: the error name the execution fails with."),
    ("Cause", "Fail: a description of the failure."),
    ("ErrorPath", "Fail: the error name, from a reference path or an intrinsic."),
    ("CausePath", "Fail: the cause, from a reference path or an intrinsic."),
    ("Branches", "Parallel: the branches, each with StartAt and States. They run side by side; the result is their outputs, in order."),
    ("ItemProcessor", "Map: the states run for each item (StartAt, States, and ProcessorConfig)."),
    ("Iterator", "Map: the older name of ItemProcessor."),
    ("ProcessorConfig", "Map: Mode INLINE (default) or DISTRIBUTED, and for DISTRIBUTED the child ExecutionType (STANDARD or EXPRESS)."),
    ("ItemsPath", "Map: the array (or object) to iterate over, from the effective input. Default $."),
    ("ItemSelector", "Map: a template building each iteration's input; $$.Map.Item.Index and $$.Map.Item.Value are available. Default: the item itself."),
    ("MaxConcurrency", "Map: how many iterations run at once. 0 (default): up to 40 for an inline Map."),
    ("MaxConcurrencyPath", "Map: MaxConcurrency read from the input with a reference path."),
    ("ItemReader", "Distributed Map: reads items from S3. Here they come from the stubs: {\"MapState\": {\"ItemReader\": [...]}}."),
    ("ItemBatcher", "Distributed Map: groups items into batches {\"Items\": [...], \"BatchInput\": ...}."),
    ("ResultWriter", "Distributed Map: writes results to S3. Described, not written, here."),
    ("ToleratedFailureCount", "Distributed Map: how many child failures are tolerated before States.ExceedToleratedFailureThreshold."),
    ("ToleratedFailurePercentage", "Distributed Map: the share of child failures tolerated (0 to 100)."),
    ("Label", "Distributed Map: names the Map Run (at most 40 characters)."),
    ("Assign", "Stores workflow variables, read later as $name. Evaluated with the values variables had when the state was entered."),
    ("Arguments", "JSONata: the task's (or Parallel's) input, built with {% %} expressions."),
    ("Output", "JSONata: the state's output. Default: the result for Task, Parallel and Map, else the input."),
    ("Items", "JSONata Map: the array to iterate over."),
    ("Condition", "JSONata Choice rule: a {% %} expression that must give a boolean."),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The help names the error a missed heartbeat gives in a run (it said
    /// States.HeartbeatTimeout, which AWS documents but reports as States.Timeout: a QA pass).
    #[test]
    fn heartbeat_help_names_the_error_a_run_gives() {
        let session = crate::state::Session {
            definition: r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "HeartbeatSeconds": 5, "TimeoutSeconds": 60,
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken", "End": true}}}"#
                .into(),
            stubs: r#"{"T": {"Return": {}, "Duration": 10}}"#.into(),
            ..Default::default()
        };
        let checked = statelab::check(&session.definition, None);
        let p = crate::state::prepare(&session, &checked).unwrap();
        let mut exec = statelab::Execution::start(p.machine, p.input, p.stubs, p.options).unwrap();
        exec.run();
        let error = exec.status().error().map(|e| e.error.to_string()).unwrap();
        let help = FIELDS.iter().find(|(k, _)| *k == "HeartbeatSeconds").map(|(_, v)| *v).unwrap();
        assert!(help.contains(&format!("the error is {error},")), "{error}: {help}");
    }

    #[test]
    fn fields_are_unique_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for (k, v) in FIELDS {
            assert!(seen.insert(*k), "{k} twice");
            assert!(v.len() > 20, "{k}: too short");
        }
        // Every comparator a user is likely to hover is documented.
        for k in ["StringEquals", "NumericLessThan", "IsPresent", "BooleanEquals", "TimestampEquals"] {
            assert!(seen.contains(k), "{k}");
        }
    }
}
