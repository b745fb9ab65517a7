//! The functions Step Functions adds to JSONata: `$partition`, `$range`, `$hash`, `$uuid`, ...
//!
//! ... and `$random` with a seed, and `$parse`. Edge cases follow AWS as measured by the Floci emulator's maintainers (us-east-1, 2026):
//! `$partition([], 2)`, `$partition(a, 0)`, `$range(5, 1, 1)`, `$range(1, 5, 0)` and
//! `$range(1, 5)` are undefined; `$partition(a, -1)` is an error; non-integers are truncated
//! toward zero; a single-element `$range` is the number itself.

use std::rc::Rc;

use super::error::JsonataError;
use super::eval::{Eval, R};
use super::value::JValue;
use crate::rng::Rng;

/// `$random([seed])`: with a seed, `new java.util.Random(seed).nextDouble()`; without, the next
/// draw from the execution's generator.
pub(crate) fn random(ev: &mut Eval, seed: Option<f64>) -> R<Option<JValue>> {
    let x = match seed {
        Some(s) => {
            let s = if s.is_nan() { 0.0 } else { s.trunc() };
            // `as` saturates, as a Java cast to long does.
            Rng::new(s as i64).next_f64()
        }
        None => ev.env.rng.next_f64(),
    };
    Ok(Some(JValue::num(x)))
}

/// `$partition(array, size)`: the array in chunks of `size` (the last may be shorter).
pub(crate) fn partition(ev: &mut Eval, array: Option<JValue>, size: Option<f64>) -> R<Option<JValue>> {
    let Some(array) = array else { return Ok(None) };
    let items = array.array_items().unwrap_or_else(|| vec![array.clone()]);
    if items.is_empty() {
        return Ok(None);
    }
    let size = match size {
        None => items.len(),
        Some(s) => {
            let t = if s.is_nan() { 0.0 } else { s.trunc() };
            if t < 0.0 {
                return Err(JsonataError::new("D3137").extra("Second argument must be zero or greater"));
            }
            if t == 0.0 {
                return Ok(None);
            }
            t.min(items.len() as f64) as usize
        }
    };
    let chunks: Vec<JValue> = items.chunks(size.max(1)).map(|c| JValue::array(c.to_vec())).collect();
    ev.check_len(chunks.len())?;
    Ok(Some(JValue::array(chunks)))
}

/// `$range(start, end, step)`: `start`, `start + step`, ... up to and including `end`.
pub(crate) fn range(
    ev: &mut Eval,
    start: Option<f64>,
    end: Option<f64>,
    step: Option<f64>,
) -> R<Option<JValue>> {
    let (Some(start), Some(end), Some(step)) = (start, end, step) else { return Ok(None) };
    let trunc = |x: f64| if x.is_nan() { 0.0 } else { x.trunc() };
    let (start, end, step) = (trunc(start), trunc(end), trunc(step));
    if step == 0.0 || (step > 0.0 && end < start) || (step < 0.0 && end > start) {
        return Ok(None);
    }
    let count = ((end - start) / step).floor() + 1.0;
    if !count.is_finite() || count > ev.env.limits.max_range as f64 {
        return Err(JsonataError::memory());
    }
    let count = count as usize;
    ev.charge(count as u64)?;
    let items: Vec<JValue> = (0..count).map(|i| JValue::num(start + i as f64 * step)).collect();
    Ok(Some(JValue::seq(items)))
}

/// `$hash(value, algorithm)`: the lowercase hex digest of the value's UTF-8 bytes.
pub(crate) fn hash(value: Option<Rc<str>>, algorithm: Option<Rc<str>>) -> R<Option<JValue>> {
    let (Some(value), Some(algorithm)) = (value, algorithm) else { return Ok(None) };
    let data = value.as_bytes();
    let Some(digest) = crate::digest::hex_digest(&algorithm, data) else {
        return Err(JsonataError::new("D3137").extra(format!(
            "Unsupported hash algorithm: {algorithm}. Use MD5, SHA-1, SHA-256, SHA-384 or SHA-512"
        )));
    };
    Ok(Some(JValue::str(digest)))
}

/// `$uuid()`: a version 4 UUID from the execution's generator.
pub(crate) fn uuid(ev: &mut Eval) -> String {
    uuid::Builder::from_random_bytes(ev.env.rng.bytes16()).into_uuid().to_string()
}

/// `$parse(json)`: strict JSON (one document, no duplicate keys, finite numbers).
pub(crate) fn parse(text: Option<Rc<str>>) -> R<Option<JValue>> {
    let Some(text) = text else { return Ok(None) };
    let invalid = |why: &str| JsonataError::new("D3137").extra(format!("Invalid JSON: {why}"));
    let (value, map) = crate::json::parse_with_map(&text).map_err(|e| invalid(&e.message))?;
    if let Some((pointer, _)) = map.duplicate_keys.first() {
        return Err(invalid(&format!("duplicate key at {pointer}")));
    }
    Ok(Some(JValue::from_value(&value)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes() {
        let h = |v: &str, a: &str| {
            hash(Some(v.into()), Some(a.into())).unwrap().and_then(|v| v.as_str().cloned())
        };
        assert_eq!(h("input", "SHA-1").as_deref(), Some("140f86aae51ab9e1cda9b4254fe98a74eb54c1a1"));
        assert_eq!(h("Hello", "MD5").as_deref(), Some("8b1a9953c4611296a827abf8c47804d7"));
        assert_eq!(h("ñ", "MD5").as_deref(), Some("94e9342ecbb1458b6043ecd3bfcbc192"));
        assert_eq!(hash(Some("a".into()), Some("md5".into())).unwrap_err().code, "D3137");
    }

    #[test]
    fn parse_is_strict() {
        assert!(parse(Some("{\"a\":1}".into())).unwrap().is_some());
        for bad in ["", "  ", "{\"a\":1}{\"b\":2}", "{\"a\":1,\"a\":2}", "1e400", "not json"] {
            assert_eq!(parse(Some(bad.into())).unwrap_err().code, "D3137", "{bad}");
        }
    }
}
