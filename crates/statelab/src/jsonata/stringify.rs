//! JavaScript's number-to-string conversion and `JSON.stringify`.
//!
//! As `$string`, the `&` operator and error messages use them.

use super::error::JsonataError;
use super::value::JValue;
use crate::value::{write_json_string, Number, Value};

/// The deepest structure `$string` and the result conversion walk (the library's own JSON limit).
pub(crate) const MAX_WALK_DEPTH: usize = crate::value::MAX_DEPTH as usize;

/// Whether a recursive walk over a value must stop: too deep, or out of stack.
pub(crate) fn too_deep(level: usize) -> bool {
    level > MAX_WALK_DEPTH || super::stack_exhausted()
}

/// The shortest decimal digits of a finite, positive `x` and the exponent `n` such that
/// `x = 0.d1d2... × 10^n` (ECMAScript's `s`, `k`, `n`).
fn shortest_digits(x: f64) -> (Vec<u8>, i32) {
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(x);
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (s, 0),
    };
    let point = mantissa.find('.').unwrap_or(mantissa.len());
    let mut digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let mut n = point as i32 + exp;
    while digits.first() == Some(&b'0') && digits.len() > 1 {
        digits.remove(0);
        n -= 1;
    }
    while digits.last() == Some(&b'0') && digits.len() > 1 {
        digits.pop();
    }
    (digits, n)
}

/// `Number.prototype.toString()` for a float.
pub(crate) fn js_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    let (digits, n) = shortest_digits(x.abs());
    let k = digits.len() as i32;
    let ds = String::from_utf8_lossy(&digits).into_owned();
    if k <= n && n <= 21 {
        out.push_str(&ds);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        let (a, b) = ds.split_at(n as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        out.push_str(&ds);
    } else {
        let e = n - 1;
        let (a, b) = ds.split_at(1);
        out.push_str(a);
        if !b.is_empty() {
            out.push('.');
            out.push_str(b);
        }
        out.push('e');
        out.push(if e < 0 { '-' } else { '+' });
        out.push_str(&e.abs().to_string());
    }
    out
}

/// `Number(x.toPrecision(p))`: `x` rounded to `p` significant digits, halves away from zero.
pub(crate) fn to_precision(x: f64, p: usize) -> f64 {
    if !x.is_finite() || x == 0.0 || p == 0 {
        return x;
    }
    // Most numbers already have at most `p` significant digits: nothing to round.
    if shortest_digits(x.abs()).0.len() <= p {
        return x;
    }
    let p1 = p.saturating_sub(1);
    let rounded = format!("{:.*e}", p1, x);
    // Rust rounds exact ties to even; JavaScript rounds them up. Look at the exact expansion.
    let exact = format!("{:.*e}", p1 + 60, x);
    let mantissa = exact.split(['e', 'E']).next().unwrap_or("");
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let tie = digits.get(p) == Some(&b'5') && digits.iter().skip(p + 1).all(|&d| d == b'0');
    if tie {
        // Away from zero: the kept digits plus one unit in the last place.
        let kept: String = digits.iter().take(p).map(|&d| char::from(d)).collect();
        let bumped = kept.parse::<u128>().unwrap_or(0) + 1;
        let exact_exp: i32 = exact.split(['e', 'E']).nth(1).and_then(|e| e.parse().ok()).unwrap_or(0);
        let sign = if x < 0.0 { "-" } else { "" };
        return format!("{sign}{bumped}e{}", exact_exp - p1 as i32).parse().unwrap_or(x);
    }
    rounded.parse().unwrap_or(x)
}

/// How [`stringify`] treats numbers and functions.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `$string`: numbers rounded to 15 significant digits, infinities are D1001, functions are
    /// `""` (jsonata-js's replacer).
    JsonataString,
    /// Plain `JSON.stringify` (error message inserts): functions are dropped, non-finite
    /// numbers are `null`.
    Plain,
}

fn newline(out: &mut String, indent: Option<usize>, level: usize) {
    if let Some(step) = indent {
        out.push('\n');
        for _ in 0..(step * level) {
            out.push(' ');
        }
    }
}

fn write_number(n: Number, mode: Mode, out: &mut String) -> Result<(), JsonataError> {
    match n {
        Number::Int(i) => out.push_str(&i.to_string()),
        Number::Float(f) => {
            if f.is_infinite() && mode == Mode::JsonataString {
                return Err(JsonataError::new("D1001").value_json("null"));
            }
            if !f.is_finite() {
                out.push_str("null");
            } else if mode == Mode::JsonataString {
                // Rounding can carry past the largest double: jsonata-js's replacer then gives
                // Infinity, which JSON.stringify writes as null.
                let rounded = to_precision(f, 15);
                out.push_str(&if rounded.is_finite() { js_number(rounded) } else { "null".to_string() });
            } else {
                out.push_str(&js_number(f));
            }
        }
    }
    Ok(())
}

fn write_value(
    v: &Value,
    mode: Mode,
    indent: Option<usize>,
    level: usize,
    out: &mut String,
) -> Result<(), JsonataError> {
    if too_deep(level) {
        return Err(JsonataError::depth());
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(*n, mode, out)?,
        Value::String(s) => write_json_string(s, out),
        Value::Array(_) => {
            let items = v.as_array().unwrap_or(&[]);
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write_value(item, mode, indent, level + 1, out)?;
            }
            newline(out, indent, level);
            out.push(']');
        }
        Value::Object(_) => {
            let Some(map) = v.as_object() else { return Ok(()) };
            if map.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write_json_string(k, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_value(item, mode, indent, level + 1, out)?;
            }
            newline(out, indent, level);
            out.push('}');
        }
    }
    Ok(())
}

/// Writes `v`; `false` if it writes nothing (a dropped function in `Plain` mode).
fn write_jvalue(
    v: &JValue,
    mode: Mode,
    indent: Option<usize>,
    level: usize,
    out: &mut String,
) -> Result<bool, JsonataError> {
    if too_deep(level) {
        return Err(JsonataError::depth());
    }
    match v {
        JValue::Null => out.push_str("null"),
        JValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JValue::Number(n) => write_number(*n, mode, out)?,
        JValue::String(s) => write_json_string(s, out),
        JValue::Json(j) => write_value(j, mode, indent, level, out)?,
        JValue::Func(_) => match mode {
            Mode::JsonataString => out.push_str("\"\""),
            Mode::Plain => return Ok(false),
        },
        JValue::Array(_) | JValue::Tuples(_) => {
            let items = v.array_items().unwrap_or_default();
            if items.is_empty() {
                out.push_str("[]");
                return Ok(true);
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                if !write_jvalue(item, mode, indent, level + 1, out)? {
                    out.push_str("null");
                }
            }
            newline(out, indent, level);
            out.push(']');
        }
        JValue::Object(o) => {
            let mut first = true;
            out.push('{');
            for (k, item) in &o.map {
                if mode == Mode::Plain && item.is_func() {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                newline(out, indent, level + 1);
                write_json_string(k, out);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write_jvalue(item, mode, indent, level + 1, out)?;
            }
            if !first {
                newline(out, indent, level);
            }
            out.push('}');
        }
    }
    Ok(true)
}

/// `JSON.stringify(v)` with jsonata-js's `$string` replacer (`pretty`: two-space indent).
pub(crate) fn stringify(v: &JValue, pretty: bool) -> Result<String, JsonataError> {
    let mut out = String::new();
    // An array input document is wrapped in a one-item sequence; `$string` sees the array.
    let v = match v {
        JValue::Array(a) if a.outer_wrapper => a.items.first().unwrap_or(v),
        _ => v,
    };
    write_jvalue(v, Mode::JsonataString, pretty.then_some(2), 0, &mut out)?;
    Ok(out)
}

/// `JSON.stringify(v)` as a message insert: `undefined` when there is no value.
pub(crate) fn message_json(v: Option<&JValue>) -> String {
    let Some(v) = v else { return "undefined".into() };
    let mut out = String::new();
    match write_jvalue(v, Mode::Plain, None, 0, &mut out) {
        Ok(true) => out,
        Ok(false) => "undefined".into(),
        Err(_) => "\"...\"".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_javascript_does() {
        let cases = [
            (1.0, "1"),
            (-0.0, "0"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1.5e20, "150000000000000000000"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (123.456, "123.456"),
            (-1.5e-10, "-1.5e-10"),
            (0.30000000000000004, "0.30000000000000004"),
            (999999999999999868928.0, "999999999999999900000"),
            (f64::INFINITY, "Infinity"),
        ];
        for (x, s) in cases {
            assert_eq!(js_number(x), s, "{x}");
        }
    }

    /// `$string` rounds to 15 digits, which carries the largest double past the range: jsonata-js
    /// then writes null (a QA pass side by side with jsonata 2.0.6; Statelab wrote Infinity).
    #[test]
    fn string_of_a_number_rounded_past_the_range_is_null() {
        let mut out = String::new();
        let write = |x: f64, out: &mut String| {
            out.clear();
            write_number(Number::Float(x), Mode::JsonataString, out).map(|()| out.clone()).ok()
        };
        assert_eq!(write(f64::MAX, &mut out).as_deref(), Some("null"));
        assert_eq!(write(-f64::MAX, &mut out).as_deref(), Some("null"));
        assert_eq!(write(1.5e308, &mut out).as_deref(), Some("1.5e+308"));
    }

    #[test]
    fn to_precision_rounds_half_up() {
        assert_eq!(to_precision(0.1 + 0.2, 15), 0.3);
        assert_eq!(to_precision(1.0 / 3.0, 15), 0.333333333333333);
        assert_eq!(to_precision(1234567890123445.0, 15), 1234567890123450.0);
        assert_eq!(to_precision(-2.5, 1), -3.0);
        assert_eq!(to_precision(9.5, 1), 10.0);
    }

    #[test]
    fn stringify_matches_json_stringify() {
        let v = JValue::Json(crate::json!({"a": [1, 2.5, "x"], "b": {}}));
        assert_eq!(stringify(&v, false).unwrap(), r#"{"a":[1,2.5,"x"],"b":{}}"#);
        assert_eq!(
            stringify(&v, true).unwrap(),
            "{\n  \"a\": [\n    1,\n    2.5,\n    \"x\"\n  ],\n  \"b\": {}\n}"
        );
        assert_eq!(stringify(&JValue::num(0.1 + 0.2), false).unwrap(), "0.3");
    }
}
