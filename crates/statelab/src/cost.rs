//! What a run would cost on AWS: Standard per transition, Express per request and GB-second.
//!
//! Prices live in this one table with their date and source. Transition counting follows the
//! community rule AWS's pages imply (one per state entered, one per retry; Inline Map iterations
//! themselves are free): it is an estimate and labelled as one.

/// Where the prices come from, and when they were read.
pub const PRICES_SOURCE: &str =
    "aws.amazon.com/step-functions/pricing (unchanged 2020-2026, read 2026-11-21)";

/// Standard workflows: USD per 1,000 state transitions, by region.
pub const STANDARD_PER_1000: &[(&str, f64)] = &[
    ("us-east-1", 0.025),
    ("us-east-2", 0.025),
    ("us-west-2", 0.025),
    ("ca-central-1", 0.025),
    ("eu-west-1", 0.025),
    ("eu-west-2", 0.025),
    ("eu-central-1", 0.025),
    ("eu-north-1", 0.025),
    ("ap-southeast-1", 0.025),
    ("ap-southeast-2", 0.025),
    ("ap-northeast-1", 0.025),
    ("us-west-1", 0.0279),
    ("sa-east-1", 0.0375),
    ("us-gov-west-1", 0.0300),
    ("us-gov-east-1", 0.0300),
    ("eu-west-3", 0.0297),
    ("ap-northeast-2", 0.0271),
    ("ap-south-1", 0.0285),
];

/// Free Standard transitions per month (never expiring, all accounts).
pub const FREE_TIER_TRANSITIONS: u64 = 4_000;
/// Express: USD per request.
pub const EXPRESS_PER_REQUEST: f64 = 1.0 / 1_000_000.0;
/// Express duration tiers (us-east-1): (GB-hours in the tier, USD per GB-hour). The page also
/// quotes rounded per-GB-second prices; its worked example uses these hourly ones.
pub const EXPRESS_TIERS: &[(f64, f64)] = &[(1_000.0, 0.06), (4_000.0, 0.03), (f64::INFINITY, 0.01642)];
/// Express memory is billed in chunks of this many MB.
pub const EXPRESS_MEMORY_CHUNK_MB: f64 = 64.0;
/// Express duration is billed in increments of this many milliseconds.
pub const EXPRESS_BILLING_INCREMENT_MS: i64 = 100;

/// The Standard price of one transition in a region, and whether the region is in the table
/// (if not, us-east-1's price is used).
pub fn standard_price(region: &str) -> (f64, bool) {
    match STANDARD_PER_1000.iter().find(|(r, _)| *r == region) {
        Some((_, p)) => (p / 1000.0, true),
        None => (0.025 / 1000.0, false),
    }
}

/// An Express execution's billed duration: rounded up to the billing increment, at least one.
pub fn express_billed_ms(duration_ms: i64) -> i64 {
    round_up(duration_ms.max(0), EXPRESS_BILLING_INCREMENT_MS).max(EXPRESS_BILLING_INCREMENT_MS)
}

/// Memory as Express bills it: in whole chunks, at least one.
fn billed_memory_mb(mb: f64) -> f64 {
    (mb / EXPRESS_MEMORY_CHUNK_MB).ceil().max(1.0) * EXPRESS_MEMORY_CHUNK_MB
}

/// GB-seconds of billed memory (MB) held for billed time (ms).
fn gb_seconds(billed_mb: f64, billed_ms: i64) -> f64 {
    billed_mb / 1024.0 * billed_ms as f64 / 1000.0
}

/// `true` when an execution that took `elapsed_ms` of virtual time could not be an Express
/// workflow (which stops at five minutes), so it has no Express price. Exactly five minutes has
/// one: run as Express it times out then, and AWS bills the five minutes it ran, the same price.
pub fn beyond_express(elapsed_ms: i64) -> bool {
    elapsed_ms as f64 > crate::exec::EXPRESS_MAX_SECONDS * 1000.0
}

/// USD for a number of GB-seconds in one month, across the hourly tiers.
pub fn express_duration_usd(gb_seconds: f64) -> f64 {
    let mut left = gb_seconds.max(0.0) / 3600.0;
    let mut usd = 0.0;
    for &(gb_hours, price) in EXPRESS_TIERS {
        let used = left.min(gb_hours);
        usd += used * price;
        left -= used;
        if left <= 0.0 {
            break;
        }
    }
    usd
}

/// What one execution costs.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Cost {
    /// Transitions billed for a Standard workflow (states entered + retries).
    pub billable_transitions: u64,
    /// Standard cost of this execution, before the free tier.
    pub standard_usd: f64,
    /// The price of one transition used.
    pub standard_price_per_transition: f64,
    /// Free Standard transitions per month, shown separately.
    pub free_tier_transitions_per_month: u64,
    /// Express cost: request plus duration.
    pub express_usd: f64,
    /// `false` when the execution could not run as Express: it ran longer than an Express
    /// workflow may (five minutes), or the machine has a Task Express refuses
    /// (`express_unsupported`). `express_usd` is then only what that time would cost.
    pub express_possible: bool,
    /// Why an Express workflow would refuse this machine (its first `.sync`,
    /// `.waitForTaskToken` or Activity Task), or `None`.
    pub express_unsupported: Option<String>,
    /// Express request charge.
    pub express_request_usd: f64,
    /// Express duration charge (first tier).
    pub express_duration_usd: f64,
    /// Billed duration, milliseconds (rounded up to 100 ms).
    pub express_billed_ms: i64,
    /// Estimated memory, MB.
    pub express_memory_mb: f64,
    /// Billed memory, MB (64 MB chunks).
    pub express_billed_memory_mb: f64,
    /// The region priced.
    pub region: String,
    /// `false` when the region is not in the price table (us-east-1's prices are used).
    pub region_priced: bool,
    /// Where the prices come from.
    pub prices_source: &'static str,
    /// Express child executions of Distributed Maps.
    pub express_children: u64,
    /// What they cost at Express rates (requests and duration), whatever this execution's own
    /// type; included in `standard_usd` and `express_usd`.
    pub express_children_usd: f64,
}

/// What drives the cost of an execution.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    /// States entered plus retries.
    pub transitions: u64,
    /// Virtual duration, milliseconds.
    pub duration_ms: i64,
    /// Size of the definition, bytes.
    pub definition_bytes: usize,
    /// Largest state payload seen, bytes.
    pub max_payload_bytes: usize,
    /// Map iterations and Parallel branches started.
    pub map_parallel_steps: u64,
    /// Express child executions a Distributed Map started (each one Express request).
    pub express_children: u64,
    /// Their billed durations added up (each rounded up to 100 ms, as one Express execution).
    pub express_children_billed_ms: i64,
    /// Why an Express workflow would refuse the machine, or `None` (see
    /// [`crate::machine::Machine::express_conflicts`]).
    pub express_unsupported: Option<String>,
}

impl Usage {
    /// AWS's Express memory estimate: 50 MB + definition + payload × Map/Parallel steps, in
    /// decimal MB as the pricing page's worked example computes it.
    pub fn express_memory_mb(&self) -> f64 {
        self.definition_memory_mb() + self.max_payload_bytes as f64 * self.map_parallel_steps as f64 / 1e6
    }

    /// The cost of this usage, once, in `region`.
    pub fn cost(&self, region: &str) -> Cost {
        let (price, priced) = standard_price(region);
        // An execution that takes no virtual time still ran: it is billed the smallest increment.
        // [?] AWS does not say what a zero-length run costs; real ones never are.
        let billed_ms = express_billed_ms(self.duration_ms);
        let mem = self.express_memory_mb();
        let billed_mem = billed_memory_mb(mem);
        let duration_usd = express_duration_usd(gb_seconds(billed_mem, billed_ms));
        let children_usd = self.express_children_usd();
        Cost {
            billable_transitions: self.transitions,
            standard_usd: self.transitions as f64 * price + children_usd,
            standard_price_per_transition: price,
            free_tier_transitions_per_month: FREE_TIER_TRANSITIONS,
            express_usd: EXPRESS_PER_REQUEST + duration_usd + children_usd,
            express_possible: !beyond_express(self.duration_ms) && self.express_unsupported.is_none(),
            express_unsupported: self.express_unsupported.clone(),
            express_request_usd: EXPRESS_PER_REQUEST,
            express_duration_usd: duration_usd,
            express_billed_ms: billed_ms,
            express_memory_mb: mem,
            express_billed_memory_mb: billed_mem,
            region: region.to_string(),
            region_priced: priced,
            prices_source: PRICES_SOURCE,
            express_children: self.express_children,
            express_children_usd: children_usd,
        }
    }

    /// The part of the memory estimate every execution of this machine has: 50 MB and the
    /// definition, in decimal MB.
    fn definition_memory_mb(&self) -> f64 {
        50.0 + self.definition_bytes as f64 / 1e6
    }

    /// The Express child executions at Express rates: one request each, and their billed time
    /// at the memory of the smallest execution that holds the definition. [?] AWS does not say
    /// how it estimates a child's memory; a child sees one item batch, not the whole Map.
    fn express_children_usd(&self) -> f64 {
        if self.express_children == 0 {
            return 0.0;
        }
        let mem = billed_memory_mb(self.definition_memory_mb());
        self.express_children as f64 * EXPRESS_PER_REQUEST
            + express_duration_usd(gb_seconds(mem, self.express_children_billed_ms))
    }

    /// The monthly cost of running this execution `n` times a month: Standard after the free
    /// tier, Express with its duration tiers applied to the month's total.
    pub fn monthly(&self, region: &str, n: u64) -> Projection {
        let one = self.cost(region);
        let transitions = self.transitions.saturating_mul(n);
        let children = n as f64 * one.express_children_usd;
        let standard =
            transitions.saturating_sub(FREE_TIER_TRANSITIONS) as f64 * one.standard_price_per_transition;
        let gb_s = gb_seconds(one.express_billed_memory_mb, one.express_billed_ms) * n as f64;
        Projection {
            executions: n,
            standard_usd: standard + children,
            express_usd: n as f64 * EXPRESS_PER_REQUEST + express_duration_usd(gb_s) + children,
        }
    }
}

/// A month's cost at some volume.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Projection {
    /// Executions per month.
    pub executions: u64,
    /// Standard, after the 4,000 free transitions.
    pub standard_usd: f64,
    /// Express.
    pub express_usd: f64,
}

/// Dollars to about three significant digits and at least cents, without the `$`: a run often
/// costs a small fraction of a cent (`0.000025`, `0.0000322`, `149.90`). The CLI and the
/// playground both show money this way.
pub fn format_usd(v: f64) -> String {
    if !v.is_finite() || v <= 0.0 {
        return format!("{:.2}", v.max(0.0));
    }
    let decimals = (-v.log10()).ceil().max(0.0) as usize + 2;
    let s = format!("{v:.decimals$}", decimals = decimals.min(12));
    let trimmed = s.trim_end_matches('0');
    match trimmed.split_once('.') {
        Some((_, d)) if d.len() >= 2 => trimmed.to_string(),
        _ => format!("{v:.2}"),
    }
}

fn round_up(v: i64, step: i64) -> i64 {
    if v % step == 0 {
        v
    } else {
        // Saturating: the clock saturates too, so a duration can be near `i64::MAX`.
        (v / step).saturating_add(1).saturating_mul(step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past five minutes an execution could not have been Express: the cost says so, so a
    /// report's reader (the CLI's JSON, the JS API) need not work it out from the duration.
    #[test]
    fn express_is_possible_up_to_five_minutes() {
        let at = |ms| Usage { transitions: 1, duration_ms: ms, ..Usage::default() }.cost("us-east-1");
        assert!(at(0).express_possible);
        assert!(at(300_000).express_possible);
        assert!(!at(300_001).express_possible);
    }

    /// A machine Express refuses (an Activity, `.sync`, `.waitForTaskToken`) has no Express
    /// price however short its run: it said `express_possible: true` and priced it, while the
    /// same machine run with `--type EXPRESS` was refused.
    #[test]
    fn express_is_not_possible_for_a_machine_express_refuses() {
        let why = "State 'T' cannot run in an Express workflow: Express workflows do not support Activities";
        let u = Usage { transitions: 1, express_unsupported: Some(why.into()), ..Usage::default() };
        let c = u.cost("us-east-1");
        assert!(!c.express_possible);
        assert_eq!(c.express_unsupported.as_deref(), Some(why));
        assert!(Usage::default().cost("us-east-1").express_unsupported.is_none());
    }

    /// The pricing page's worked example: 100M executions a month at 10 s and 64 MB cost $100
    /// in requests and $382.97 in duration.
    #[test]
    fn pricing_page_example() {
        let u = Usage {
            transitions: 0,
            duration_ms: 10_000,
            definition_bytes: 0,
            max_payload_bytes: 0,
            map_parallel_steps: 0,
            ..Usage::default()
        };
        let p = u.monthly("us-east-1", 100_000_000);
        let duration = p.express_usd - 100.0;
        assert!((duration - 382.97).abs() < 0.01, "{duration}");
    }

    /// 50 KB definition, 400 Map steps of 32 KB: 62.85 MB, billed as 64 MB.
    #[test]
    fn memory_estimate() {
        let u = Usage {
            transitions: 0,
            duration_ms: 1,
            definition_bytes: 50_000,
            max_payload_bytes: 32_000,
            map_parallel_steps: 400,
            ..Usage::default()
        };
        assert!((u.express_memory_mb() - 62.85).abs() < 1e-9);
        assert_eq!(u.cost("us-east-1").express_billed_memory_mb, 64.0);
        assert_eq!(u.cost("us-east-1").express_billed_ms, 100);
    }

    #[test]
    fn money_is_shown_to_three_significant_digits() {
        assert_eq!(format_usd(0.000025), "0.000025");
        assert_eq!(format_usd(0.0), "0.00");
        assert_eq!(format_usd(1.5), "1.50");
        assert_eq!(format_usd(0.0000364167), "0.0000364");
        assert_eq!(format_usd(0.0000013125), "0.00000131");
        assert_eq!(format_usd(0.0125), "0.0125");
        assert_eq!(format_usd(149.9), "149.90");
    }

    /// Three Express children of 1.05 s each: three requests and 3 × 1.1 s at 64 MB, on top of
    /// the parent's own cost, whichever type the parent is.
    #[test]
    fn express_children_are_billed_at_express_rates() {
        let parent = Usage { transitions: 4, duration_ms: 2_000, ..Usage::default() };
        let u = Usage { express_children: 3, express_children_billed_ms: 3 * 1_100, ..parent.clone() };
        let children = 3.0 * EXPRESS_PER_REQUEST + express_duration_usd(64.0 / 1024.0 * 3.3);
        let (with, without) = (u.cost("us-east-1"), parent.cost("us-east-1"));
        assert!((with.express_children_usd - children).abs() < 1e-12, "{}", with.express_children_usd);
        assert!((with.standard_usd - without.standard_usd - children).abs() < 1e-12);
        assert!((with.express_usd - without.express_usd - children).abs() < 1e-12);
        assert_eq!(with.billable_transitions, 4);
        assert_eq!(parent.cost("us-east-1").express_children_usd, 0.0);
        let month = u.monthly("us-east-1", 1000);
        assert!((month.standard_usd - 1000.0 * children).abs() < 1e-9, "the transitions are free-tier");
    }

    #[test]
    fn express_runs_for_five_minutes_at_most() {
        // An Express run of exactly five minutes times out (exec's
        // `an_express_wait_of_exactly_five_minutes_times_out`) and is billed for them: priced.
        assert!(!beyond_express(300_000));
        assert!(beyond_express(300_001));
    }

    #[test]
    fn standard_prices() {
        let u = Usage { transitions: 12, ..Usage::default() };
        assert!((u.cost("us-east-1").standard_usd - 0.0003).abs() < 1e-12);
        assert!((u.cost("sa-east-1").standard_usd - 12.0 * 0.0375 / 1000.0).abs() < 1e-12);
        assert!(!u.cost("mars-north-1").region_priced);
        assert_eq!(u.monthly("us-east-1", 100).standard_usd, 0.0);
    }
}
