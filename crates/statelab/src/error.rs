//! ASL runtime errors: the language's own error names and a cause, so Retry and Catch can match.

use std::fmt;

/// The predefined error names of the States language (`States.*`).
pub mod names {
    /// Wildcard that matches any error but the terminal ones.
    pub const ALL: &str = "States.ALL";
    /// Unprocessable data or paths. Terminal: `States.ALL` does not catch it.
    pub const RUNTIME: &str = "States.Runtime";
    /// A payload over 256 KiB. Terminal: `States.ALL` does not catch it.
    pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
    /// A Task ran longer than its `TimeoutSeconds`.
    pub const TIMEOUT: &str = "States.Timeout";
    /// A Task missed its heartbeat.
    pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
    /// An HTTP Task's endpoint did not answer within 60 seconds.
    pub const HTTP_SOCKET: &str = "States.Http.Socket";
    /// Wildcard for any Task failure but `States.Timeout`.
    pub const TASK_FAILED: &str = "States.TaskFailed";
    /// Insufficient privileges.
    pub const PERMISSIONS: &str = "States.Permissions";
    /// `ResultPath` could not be applied to the input.
    pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
    /// A `.$` path in a payload template failed (the spec's name; AWS usually reports Runtime).
    pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
    /// A JSONata expression failed, was undefined, or gave the wrong type.
    pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
    /// A Parallel branch failed.
    pub const BRANCH_FAILED: &str = "States.BranchFailed";
    /// A Choice state matched no rule and has no Default.
    pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
    /// An intrinsic function failed on its arguments.
    pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
    /// A Distributed Map's tolerated failure threshold was exceeded.
    pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
    /// An ItemReader failed.
    pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
    /// A ResultWriter failed.
    pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
    /// Not a state's error: the API's exception for a definition the execution cannot run with
    /// (an Express run of a `.sync` Task), with which `Execution::start` refuses to start.
    pub const INVALID_DEFINITION: &str = "InvalidDefinition";
}

/// What to do about the payload quota, said wherever it is exceeded.
pub(crate) const PAYLOAD_ADVICE: &str =
    "This AWS quota cannot be raised: keep large data elsewhere (such as S3) and pass a reference to it.";

/// An error raised while running a state machine, as Retry and Catch see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatesError {
    /// The error name (`States.Runtime`, `MyApp.NotFound`, ...).
    pub error: String,
    /// A human-readable cause.
    pub cause: String,
}

impl StatesError {
    /// An error with any name.
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> StatesError {
        StatesError { error: error.into(), cause: cause.into() }
    }

    /// `States.DataLimitExceeded` for data over the 256 KiB payload quota
    /// ([`MAX_PAYLOAD_BYTES`](crate::exec::MAX_PAYLOAD_BYTES)): which data, how big, and what to do.
    pub fn data_limit(what: &str, size: usize) -> StatesError {
        StatesError::new(
            names::DATA_LIMIT_EXCEEDED,
            format!(
                "The {what} has a size of {size} bytes, which exceeds the maximum of {} bytes (256 KiB) \
                 that a state can pass on. {PAYLOAD_ADVICE}",
                crate::exec::MAX_PAYLOAD_BYTES
            ),
        )
    }

    /// `States.Runtime` for data nested deeper than [`MAX_DEPTH`](crate::value::MAX_DEPTH) levels.
    /// A loop can wrap its data one level deeper on every turn (`"Parameters": {"x.$": "$"}`,
    /// `States.Array($)`); unchecked, it builds a value too deep to print, compare or even free
    /// without exhausting the stack, which in the browser kills the page. The limit is Statelab's
    /// own: AWS documents none, but its JSON parser (Jackson) refuses documents nested deeper than
    /// 1000 levels by default, as Statelab's parsers do. No Catcher handles it.
    pub fn too_deep(what: &str, depth: u32) -> StatesError {
        StatesError::runtime(format!(
            "The {what} is nested {depth} levels deep; Statelab handles data nested up to {} levels \
             (as AWS's JSON parser does by default). Does a loop wrap its data one level deeper on each turn?",
            crate::value::MAX_DEPTH
        ))
    }

    /// `States.Runtime`: terminal, not caught by `States.ALL`.
    pub fn runtime(cause: impl Into<String>) -> StatesError {
        StatesError::new(names::RUNTIME, cause)
    }

    /// `States.IntrinsicFailure`.
    pub fn intrinsic(cause: impl Into<String>) -> StatesError {
        StatesError::new(names::INTRINSIC_FAILURE, cause)
    }

    /// `States.QueryEvaluationError`.
    pub fn query(cause: impl Into<String>) -> StatesError {
        StatesError::new(names::QUERY_EVALUATION_ERROR, cause)
    }

    /// `true` for the errors `States.ALL` cannot catch.
    pub fn is_terminal(&self) -> bool {
        is_terminal(&self.error)
    }
}

/// `true` for the error names `States.ALL` cannot catch.
pub fn is_terminal(error: &str) -> bool {
    error == names::RUNTIME || error == names::DATA_LIMIT_EXCEEDED
}

impl fmt::Display for StatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.cause)
    }
}

impl std::error::Error for StatesError {}
