//! How numbers, times and money are shown.

/// `2026-01-01 00:00:30 UTC`.
pub fn clock(ms: i64) -> String {
    statelab::time::format_millis(ms).replace('T', " ").replace(".000Z", " UTC").replace('Z', " UTC")
}

/// `1d 2h 3m 4.5s`, compact.
pub fn duration_ms(ms: i64) -> String {
    let neg = ms < 0;
    let ms = ms.unsigned_abs();
    let (d, rest) = (ms / 86_400_000, ms % 86_400_000);
    let (h, rest) = (rest / 3_600_000, rest % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let s = rest as f64 / 1000.0;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if d > 0 {
        out.push_str(&format!("{d}d "));
    }
    if d > 0 || h > 0 {
        out.push_str(&format!("{h}h "));
    }
    if d > 0 || h > 0 || m > 0 {
        out.push_str(&format!("{m}m "));
    }
    if rest % 1000 == 0 {
        out.push_str(&format!("{}s", rest / 1000));
    } else {
        out.push_str(&format!("{s}s"));
    }
    out
}

/// `+12.500s` relative to the start.
pub fn offset_ms(ms: i64) -> String {
    format!("+{:.3}s", ms as f64 / 1000.0)
}

/// `1 key`, `2 keys`: a count with its noun, singular for one. (Every noun the UI counts takes an
/// `s` in the plural.)
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Dollars, as the CLI shows them (about three significant digits), with the sign.
pub fn usd(v: f64) -> String {
    format!("${}", statelab::cost::format_usd(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(duration_ms(30_000), "30s");
        assert_eq!(duration_ms(1_209_600_000), "14d 0h 0m 0s");
        assert_eq!(duration_ms(1_500), "1.5s");
        assert_eq!(usd(0.0003), "$0.0003");
        assert_eq!(usd(0.000025), "$0.000025");
        assert_eq!(usd(382.97), "$382.97");
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(clock(1_767_225_630_000), "2026-01-01 00:00:30 UTC");
        assert_eq!(count(1u64, "key"), "1 key");
        assert_eq!(count(0u64, "item"), "0 items");
        assert_eq!(count(2u32, "step"), "2 steps");
    }
}
