//! `statelab`: run, validate, test and share Amazon States Language state machines from the
//! command line, on the library's virtual clock. A thin front end: parsing arguments, reading
//! files and printing; everything else is `statelab`'s.

// `eprintln!` panics when stderr cannot be written (`2>/dev/full`, or `statelab run ... 2>&1 |
// head` closing the pipe), and a panic exits 101 where the exit code should say what happened.
#![deny(clippy::print_stderr, clippy::print_stdout)]

/// Writes a line to stderr, as `eprintln!` does, except that a line stderr cannot take is dropped
/// (the exit code still says what happened).
macro_rules! report {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod bench;
mod files;
mod run;
mod share;
mod style;
mod suite;
mod validate;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use style::ColorChoice;

/// Run, validate, test and share AWS Step Functions state machines, on a virtual clock: no AWS
/// account, no Docker, no waiting.
#[derive(Parser)]
#[command(name = "statelab", version, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to colour the output [default: auto: when writing to a terminal and NO_COLOR is unset]
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value_t,
        hide_default_value = true,
        display_order = 100
    )]
    color: ColorChoice,
}

#[derive(Subcommand)]
enum Command {
    /// Run a state machine and print its trace (text) or its run report (JSON).
    ///
    /// Exits with 0 when the execution SUCCEEDED, 1 when it FAILED, TIMED_OUT or was ABORTED,
    /// and 2 when it could not run (an invalid definition, a bad stub file, bad usage).
    Run(RunArgs),
    /// Check a definition and list every problem found (exit 0 when it is valid, 1 when not).
    Validate(ValidateArgs),
    /// Run test files: a definition and cases of input, stubs and expectations.
    ///
    /// A FILE is always read as a test file. In a DIR, every file whose name ends in .test.json
    /// is one, and so is every other .json file whose top level has a "definition" and an
    /// "expect", "cases", "input" or "stubs" (the example gallery's files), or that is not valid
    /// JSON but has a "definition" in it (to be reported); other files are skipped. Directories
    /// are searched recursively, in name order. Exits with 0 when every case passes, 1 when one
    /// fails, 2 when a file cannot be used.
    Test(suite::TestArgs),
    /// Print a playground link that opens this session (as the playground's Share button does).
    Share(ShareArgs),
}

/// What `run` and `share` have in common: the definition, its input and stubs, and run options.
#[derive(Args, Debug)]
struct SessionArgs {
    /// ASL JSON or YAML, a serverless.yml or a CloudFormation/SAM template ('-' reads stdin)
    #[arg(value_name = "DEFINITION")]
    definition: String,
    /// The execution input, JSON or YAML ('-' reads stdin) [default: {}]
    #[arg(long, value_name = "FILE")]
    input: Option<String>,
    /// What each Task returns: Statelab's stub format, or a Step Functions Local MockConfigFile
    #[arg(long, value_name = "FILE", conflicts_with = "mock_config")]
    stubs: Option<String>,
    /// A Step Functions Local MockConfigFile (use with --test-case)
    #[arg(long, value_name = "FILE")]
    mock_config: Option<String>,
    /// The MockConfigFile test case to use
    #[arg(long, value_name = "NAME")]
    test_case: Option<String>,
    /// Which state machine, when the definition document (or the mock config) holds several; a
    /// bare definition's name (in ARNs, and the mock config's machine)
    #[arg(long, value_name = "NAME")]
    state_machine: Option<String>,
    /// The virtual start time [default: 2026-01-01T00:00:00Z]
    #[arg(long, value_name = "RFC3339", value_parser = parse_start_time)]
    start_time: Option<String>,
    /// Seed for States.UUID, States.MathRandom, JSONata's $random(), $uuid() and $shuffle(), and retry jitter [default: 0]
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    seed: Option<i64>,
    /// The workflow type: limits (Express stops after five minutes) and pricing [default: the template's declared type, else STANDARD]
    #[arg(long = "type", value_name = "TYPE", value_enum, ignore_case = true)]
    workflow_type: Option<WorkflowType>,
    /// The region, for ARNs and prices [default: us-east-1]
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// The step budget: a run that takes more steps is ABORTED [default: 1000000]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_steps: Option<u64>,
    /// Fail a Task that has no stub (Statelab.NoStub) instead of echoing its input
    #[arg(long)]
    strict_stubs: bool,
}

impl SessionArgs {
    /// What the flags say together, before any file is read: a test case needs a file to take
    /// it from (a link with one and no stubs would carry a case nothing holds), and standard
    /// input can be read once.
    fn check_usage(&self) -> Result<(), Failure> {
        if self.test_case.is_some() && self.stubs.is_none() && self.mock_config.is_none() {
            return Err(Failure::Usage("--test-case needs --mock-config FILE".into()));
        }
        self.check_stdin()
    }

    /// Standard input can be read once: at most one of the files may be `-`.
    fn check_stdin(&self) -> Result<(), Failure> {
        let from_stdin: Vec<&str> = [
            ("the definition", Some(self.definition.as_str())),
            ("the input", self.input.as_deref()),
            ("the stubs", self.stubs.as_deref()),
            ("the mock config", self.mock_config.as_deref()),
        ]
        .into_iter()
        .filter(|(_, path)| *path == Some("-"))
        .map(|(what, _)| what)
        .collect();
        match from_stdin.as_slice() {
            [first, second, ..] => {
                Err(Failure::Usage(format!("{first} and {second} cannot both be read from stdin")))
            }
            _ => Ok(()),
        }
    }

    /// The options as a share link carries them; `run` turns them into run options the same
    /// way, so a run and its link agree.
    fn options(&self) -> statelab::share::SessionOptions {
        statelab::share::SessionOptions {
            workflow_type: self.workflow_type.map(Into::into),
            region: self.region.clone(),
            start_time: self.start_time.clone(),
            seed: self.seed,
            max_steps: self.max_steps,
            state_machine: self.state_machine.clone(),
            mock_test_case: self.test_case.clone(),
            strict_stubs: self.strict_stubs,
        }
    }
}

#[derive(Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    session: SessionArgs,
    /// What to print: a readable trace, or the run report as one JSON object
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// How the text trace shows virtual time: an offset from the start, or the timestamp
    #[arg(long, value_enum, default_value_t = TimeFormat::Offset)]
    time: TimeFormat,
    /// Benchmarks (hidden; `scripts/bench.sh` uses it): run the execution N more times before the
    /// normal run and print their in-process timings as one JSON line on stderr. The output on
    /// stdout is unchanged.
    #[arg(long, value_name = "N", hide = true)]
    bench_reps: Option<u32>,
    /// Benchmarks (hidden): with --bench-reps, keep repeating until the runs after the first add
    /// up to this many milliseconds.
    #[arg(long, value_name = "MS", hide = true, requires = "bench_reps")]
    bench_min_ms: Option<f64>,
}

#[derive(Args, Debug)]
struct ValidateArgs {
    /// ASL JSON or YAML, a serverless.yml or a CloudFormation/SAM template ('-' reads stdin)
    definition: String,
    /// Which state machine, when the document holds several
    #[arg(long, value_name = "NAME")]
    state_machine: Option<String>,
    /// What to print: one line per problem, or ValidateStateMachineDefinition's JSON
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The workflow type to check for: an Express workflow cannot run '.sync', '.waitForTaskToken' or Activity Tasks [default: the template's declared type, else STANDARD]
    #[arg(long = "type", value_name = "TYPE", value_enum, ignore_case = true)]
    workflow_type: Option<WorkflowType>,
}

#[derive(Args, Debug)]
struct ShareArgs {
    #[command(flatten)]
    session: SessionArgs,
    /// A state to stop at when stepping (repeatable)
    #[arg(long = "breakpoint", value_name = "STATE")]
    breakpoints: Vec<String>,
    /// The playground's address
    #[arg(long, value_name = "URL", default_value = statelab::share::DEFAULT_BASE_URL, value_parser = parse_base_url)]
    base_url: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum TimeFormat {
    /// +12.500s
    Offset,
    /// 2026-01-01T00:00:12.500Z
    Iso,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum WorkflowType {
    #[value(name = "STANDARD")]
    Standard,
    #[value(name = "EXPRESS")]
    Express,
}

impl From<WorkflowType> for statelab::exec::WorkflowType {
    fn from(t: WorkflowType) -> Self {
        match t {
            WorkflowType::Standard => statelab::exec::WorkflowType::Standard,
            WorkflowType::Express => statelab::exec::WorkflowType::Express,
        }
    }
}

fn parse_start_time(s: &str) -> Result<String, String> {
    match statelab::time::parse_millis(s) {
        Some(_) => Ok(s.to_string()),
        None => Err("not an RFC 3339 timestamp such as 2026-01-01T00:00:00Z".into()),
    }
}

/// The playground's address: a web address, since a link is opened in a browser (and the
/// playground, being WebAssembly with a service worker, needs http or https): a scheme, a host
/// (a name, an IPv4 address or a bracketed IPv6 one) and perhaps a port, a path and a query.
fn parse_base_url(s: &str) -> Result<String, String> {
    const EXPECTED: &str =
        "expected an http:// or https:// URL with a host, such as https://example.com/statelab/";
    let lower = s.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| format!("not a web address: {EXPECTED}"))?;
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("a URL has no spaces or control characters: {EXPECTED}"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // user:password@ is allowed in a URL, though browsers warn about it.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        let (addr, after) =
            v6.split_once(']').ok_or_else(|| format!("an IPv6 host needs its closing ']': {EXPECTED}"))?;
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return Err(format!("'[{addr}]' is not an IPv6 address: {EXPECTED}"));
        }
        (addr, after.strip_prefix(':').map(Some).unwrap_or_else(|| (!after.is_empty()).then_some(after)))
    } else {
        match host_port.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    let name_ok =
        |h: &str| h.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '%'));
    if host.is_empty() || !(host_port.starts_with('[') || name_ok(host)) {
        return Err(format!("the URL has no host: {EXPECTED}"));
    }
    if let Some(p) = port {
        if p.parse::<u16>().is_err() {
            return Err(format!("'{p}' is not a port (a number up to 65535): {EXPECTED}"));
        }
    }
    Ok(s.to_string())
}

/// Exit codes.
mod exit {
    /// The run SUCCEEDED; the definition is valid; every test passed.
    pub const OK: u8 = 0;
    /// The run did not succeed; the definition is invalid; a test failed.
    pub const FAILED: u8 = 1;
    /// Could not run: an invalid definition, an unreadable or bad file, bad usage.
    pub const UNUSABLE: u8 = 2;
}

/// How a command ends early.
#[derive(Debug)]
enum Failure {
    /// The problem is already on stderr: exit with this code.
    Reported(u8),
    /// Print `error: <message>` and exit with 2.
    Usage(String),
    /// Writing the output failed (a closed pipe, a full disk).
    Output(std::io::Error),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Output(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let colors = style::Colors::choose(cli.color);
    let result = match &cli.command {
        Command::Run(args) => run::run(args, colors),
        Command::Validate(args) => validate::validate(args, colors),
        Command::Test(args) => suite::test(args, colors),
        Command::Share(args) => share::share(args),
    };
    match result {
        Ok(code) | Err(Failure::Reported(code)) => ExitCode::from(code),
        Err(Failure::Usage(message)) => {
            report!("{}: {}", colors.err.error("error"), style::terminal_safe(&message));
            ExitCode::from(exit::UNUSABLE)
        }
        // Output cut short by a closed pipe (`statelab run ... | head`) is not worth a message.
        Err(Failure::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(exit::FAILED),
        Err(Failure::Output(e)) => {
            report!("{}: cannot write the output: {e}", colors.err.error("error"));
            ExitCode::from(exit::UNUSABLE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_base_url;

    #[test]
    fn base_urls_are_web_addresses() {
        for ok in [
            statelab::share::DEFAULT_BASE_URL,
            "https://example.com/statelab/",
            "HTTPS://Example.com",
            "http://localhost:8080/?x=1",
        ] {
            assert_eq!(parse_base_url(ok).as_deref(), Ok(ok), "{ok}");
        }
        for bad in [
            "statelab.example.com",
            "",
            "https://",
            "http:///path",
            "ftp://example.com/",
            "https://a b/",
            "file:///tmp/x",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }
}
