//! How numbers, times and money are shown.

/// `text` ending a sentence: with a full stop unless it ends with one (or `!`, `?`) already, so
/// that messages of either kind read alike before the next sentence ("cannot be unpacked Your
/// saved session was kept": a QA pass).
pub fn sentence(text: &str) -> String {
    let text = text.trim_end();
    if text.is_empty() || text.ends_with(['.', '!', '?']) {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// ` in Processing[1]/Price#2`: which branch or iteration a visit or event happened in, after a
/// state's name; nothing at the top level (`thread` empty).
pub fn in_thread(thread: &str) -> String {
    if thread.is_empty() {
        String::new()
    } else {
        format!(" in {thread}")
    }
}

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

/// `+12.500s` relative to the start; from a minute on in days, hours and minutes as
/// [`duration_ms`] writes them (`+14d 0h 0m 0s`), not `+1209600.000s`.
pub fn offset_ms(ms: i64) -> String {
    if ms.unsigned_abs() < 60_000 {
        format!("+{:.3}s", ms as f64 / 1000.0)
    } else {
        format!("+{}", duration_ms(ms))
    }
}

/// A count short enough for a badge (four characters up to 999 million): `999`, `1.2k`, `12k`, `3.4M`.
pub fn compact(n: u64) -> String {
    let short = |n: u64, unit: u64, suffix: &str| {
        let tenths = n / (unit / 10);
        if tenths < 100 && !tenths.is_multiple_of(10) {
            format!("{}.{}{suffix}", tenths / 10, tenths % 10)
        } else {
            format!("{}{suffix}", n / unit)
        }
    };
    match n {
        0..=999 => n.to_string(),
        1_000..=999_999 => short(n, 1_000, "k"),
        _ => short(n, 1_000_000, "M"),
    }
}

/// `1 key`, `2 keys` (the library's wording, shared with the CLI).
pub use statelab::text::count;

/// Dollars, as the CLI shows them (about three significant digits), with the sign.
pub fn usd(v: f64) -> String {
    format!("${}", statelab::cost::format_usd(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_gets_one_full_stop() {
        assert_eq!(sentence("cannot be unpacked"), "cannot be unpacked.");
        assert_eq!(sentence("was refused. "), "was refused.");
        assert_eq!(sentence("why?"), "why?");
        assert_eq!(sentence(""), "");
    }

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
        assert_eq!(offset_ms(12_500), "+12.500s");
        assert_eq!(offset_ms(59_999), "+59.999s");
        assert_eq!(offset_ms(60_000), "+1m 0s");
        assert_eq!(offset_ms(1_209_600_000), "+14d 0h 0m 0s");
    }

    #[test]
    fn compact_counts_fit_a_badge() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1k"),
            (1_201, "1.2k"),
            (6_250, "6.2k"),
            (9_999, "9.9k"),
            (10_000, "10k"),
            (999_999, "999k"),
            (1_000_000, "1M"),
            (3_400_000, "3.4M"),
            (u64::MAX, "18446744073709M"),
        ];
        for (n, text) in cases {
            assert_eq!(compact(n), text, "{n}");
        }
    }
}
