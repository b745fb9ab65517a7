//! Dates and integers with XPath picture strings (`$fromMillis`, `$toMillis`, `$formatInteger`).
//!
//! A port of jsonata-js `datetime.js` (also `$now` and `$parseInteger`), on a UTC calendar and
//! JavaScript's `Date` arithmetic, including its quirks: `Date.UTC` reads years 0–99 as 19xx.
//! Where jsonata-js would print `undefined` for a component it does not know (`[q1]`), this
//! refuses the picture with D3132 instead.

use super::error::JsonataError;
use super::stringify::js_number;

type R<T> = Result<T, JsonataError>;

const FEW: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];
const ORDINALS: [&str; 20] = [
    "Zeroth",
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
    "Thirteenth",
    "Fourteenth",
    "Fifteenth",
    "Sixteenth",
    "Seventeenth",
    "Eighteenth",
    "Nineteenth",
];
const DECADES: [&str; 9] =
    ["Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred"];
const MAGNITUDES: [&str; 4] = ["Thousand", "Million", "Billion", "Trillion"];
const DAYS: [&str; 8] = ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MS_PER_DAY: f64 = 86_400_000.0;
/// The widest width modifier honoured (`[Y,1000]`): a picture asking for more gets this.
const MAX_WIDTH: usize = 1000;

fn number_to_words(value: f64, ordinal: bool) -> String {
    fn lookup(num: f64, prev: bool, ord: bool, depth: u32) -> String {
        // Each level divides by at least 10^12: 1e308 needs 26.
        if depth > 32 {
            return String::new();
        }
        let sep = |s: &str| if prev { s.to_string() } else { String::new() };
        if num <= 19.0 {
            let i = num.max(0.0) as usize;
            let w = if ord { ORDINALS.get(i) } else { FEW.get(i) };
            format!("{}{}", sep(" and "), w.copied().unwrap_or(""))
        } else if num < 100.0 {
            let tens = (num / 10.0).floor() as usize;
            let rem = num % 10.0;
            let mut words =
                format!("{}{}", sep(" and "), DECADES.get(tens.saturating_sub(2)).copied().unwrap_or(""));
            if rem > 0.0 {
                words.push('-');
                words.push_str(&lookup(rem, false, ord, depth + 1));
            } else if ord {
                words.pop();
                words.push_str("ieth");
            }
            words
        } else if num < 1000.0 {
            let hundreds = (num / 100.0).floor() as usize;
            let rem = num % 100.0;
            let mut words = format!("{}{} Hundred", sep(", "), FEW.get(hundreds).copied().unwrap_or(""));
            if rem > 0.0 {
                words.push_str(&lookup(rem, true, ord, depth + 1));
            } else if ord {
                words.push_str("th");
            }
            words
        } else {
            let mut mag = (num.log10() / 3.0).floor() as usize;
            if mag > MAGNITUDES.len() {
                mag = MAGNITUDES.len();
            }
            let factor = 10f64.powi((mag * 3) as i32);
            let mant = (num / factor).floor();
            let rem = num - mant * factor;
            let mut words = format!(
                "{}{} {}",
                sep(", "),
                lookup(mant, false, false, depth + 1),
                MAGNITUDES.get(mag.saturating_sub(1)).copied().unwrap_or("")
            );
            if rem > 0.0 {
                words.push_str(&lookup(rem, true, ord, depth + 1));
            } else if ord {
                words.push_str("th");
            }
            words
        }
    }
    lookup(value, false, ordinal, 0)
}

fn word_values() -> Vec<(String, f64)> {
    let mut v = Vec::new();
    for (i, w) in FEW.iter().enumerate() {
        v.push((w.to_lowercase(), i as f64));
    }
    for (i, w) in ORDINALS.iter().enumerate() {
        v.push((w.to_lowercase(), i as f64));
    }
    for (i, w) in DECADES.iter().enumerate() {
        let lw = w.to_lowercase();
        let val = ((i + 2) * 10) as f64;
        let stem: String = lw.chars().take(lw.chars().count().saturating_sub(1)).collect();
        v.push((lw, val));
        v.push((format!("{stem}ieth"), val));
    }
    v.push(("hundredth".into(), 100.0));
    for (i, w) in MAGNITUDES.iter().enumerate() {
        let lw = w.to_lowercase();
        let val = 10f64.powi(((i + 1) * 3) as i32);
        v.push((format!("{lw}th"), val));
        v.push((lw, val));
    }
    v
}

fn words_to_number(text: &str) -> f64 {
    let values = word_values();
    let mut parts: Vec<String> = Vec::new();
    // split(/,\s|\sand\s|[\s\\-]/)
    let chars: Vec<char> = text.chars().collect();
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars.get(i).copied().unwrap_or(' ');
        let next = chars.get(i + 1).copied();
        if c == ',' && next.is_some_and(char::is_whitespace) {
            parts.push(std::mem::take(&mut cur));
            i += 2;
            continue;
        }
        if c.is_whitespace() {
            let rest: String = chars.iter().skip(i + 1).take(4).collect();
            if rest.len() == 4
                && rest.starts_with("and")
                && rest.chars().nth(3).is_some_and(char::is_whitespace)
            {
                parts.push(std::mem::take(&mut cur));
                i += 5;
                continue;
            }
            parts.push(std::mem::take(&mut cur));
            i += 1;
            continue;
        }
        if c == '\\' || c == '-' {
            parts.push(std::mem::take(&mut cur));
            i += 1;
            continue;
        }
        cur.push(c);
        i += 1;
    }
    parts.push(cur);
    let mut segs: Vec<f64> = vec![0.0];
    for part in parts {
        let value = values.iter().find(|(w, _)| *w == part).map_or(f64::NAN, |(_, v)| *v);
        if value < 100.0 {
            let mut top = segs.pop().unwrap_or(0.0);
            if top >= 1000.0 {
                segs.push(top);
                top = 0.0;
            }
            segs.push(top + value);
        } else {
            let top = segs.pop().unwrap_or(0.0);
            segs.push(top * value);
        }
    }
    segs.iter().sum()
}

fn decimal_to_roman(mut value: f64) -> String {
    const NUMERALS: [(f64, &str); 13] = [
        (1000.0, "m"),
        (900.0, "cm"),
        (500.0, "d"),
        (400.0, "cd"),
        (100.0, "c"),
        (90.0, "xc"),
        (50.0, "l"),
        (40.0, "xl"),
        (10.0, "x"),
        (9.0, "ix"),
        (5.0, "v"),
        (4.0, "iv"),
        (1.0, "i"),
    ];
    // Thousands are that many m's (the recursion in jsonata-js would run out of stack long
    // before a number this large; the memory bound applies to the string).
    let thousands = (value / 1000.0).floor();
    let mut out = "m".repeat(thousands.clamp(0.0, 8_000_000.0) as usize);
    value -= thousands.max(0.0) * 1000.0;
    let mut guard = 0;
    'outer: while value >= 1.0 && guard < 100 {
        guard += 1;
        for (n, s) in NUMERALS {
            if value >= n {
                out.push_str(s);
                value -= n;
                continue 'outer;
            }
        }
        break;
    }
    out
}

fn roman_to_decimal(roman: &str) -> f64 {
    let mut decimal = 0.0;
    let mut max = 1.0;
    for c in roman.chars().rev() {
        let v = match c {
            'M' => 1000.0,
            'D' => 500.0,
            'C' => 100.0,
            'L' => 50.0,
            'X' => 10.0,
            'V' => 5.0,
            'I' => 1.0,
            _ => f64::NAN,
        };
        if v < max {
            decimal -= v;
        } else {
            max = v;
            decimal += v;
        }
    }
    decimal
}

fn decimal_to_letters(mut value: f64, a: char) -> String {
    let mut letters = Vec::new();
    let base = a as u32;
    let mut guard = 0;
    // 26^218 exceeds the largest double, so this always finishes the number.
    while value > 0.0 && guard < 300 {
        guard += 1;
        let c = ((value - 1.0) % 26.0) as u32 + base;
        letters.push(char::from_u32(c).unwrap_or(a));
        value = ((value - 1.0) / 26.0).floor();
    }
    letters.iter().rev().collect()
}

fn letters_to_decimal(letters: &str, a: char) -> f64 {
    let codes: Vec<u32> = letters.chars().map(|c| c as u32).collect();
    let mut decimal = 0.0;
    for (i, c) in codes.iter().rev().enumerate() {
        decimal += (f64::from(*c) - f64::from(a as u32) + 1.0) * 26f64.powi(i as i32);
    }
    decimal
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Primary {
    Decimal,
    Letters,
    Roman,
    Words,
    Sequence,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Upper,
    Lower,
    Title,
}

#[derive(Clone, Debug)]
struct Separator {
    position: usize,
    character: char,
}

#[derive(Clone, Debug)]
struct IntFormat {
    primary: Primary,
    case: Case,
    ordinal: bool,
    zero: u32,
    mandatory: usize,
    optional: usize,
    regular: Option<Separator>,
    separators: Vec<Separator>,
    token: String,
    /// `n` for year parsing (the maximum width).
    n: Option<usize>,
}

const DECIMAL_GROUPS: [u32; 37] = [
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66,
    0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
];

fn analyse_integer_picture(picture: &str) -> R<IntFormat> {
    let mut f = IntFormat {
        primary: Primary::Decimal,
        case: Case::Lower,
        ordinal: false,
        zero: 0x30,
        mandatory: 0,
        optional: 0,
        regular: None,
        separators: Vec::new(),
        token: String::new(),
        n: None,
    };
    let (primary, modifier) = match picture.rfind(';') {
        None => (picture, None),
        Some(i) => (picture.get(..i).unwrap_or(""), picture.get(i + 1..)),
    };
    if modifier.is_some_and(|m| m.starts_with('o')) {
        f.ordinal = true;
    }
    match primary {
        "A" => {
            f.case = Case::Upper;
            f.primary = Primary::Letters;
        }
        "a" => f.primary = Primary::Letters,
        "I" => {
            f.case = Case::Upper;
            f.primary = Primary::Roman;
        }
        "i" => f.primary = Primary::Roman,
        "W" => {
            f.case = Case::Upper;
            f.primary = Primary::Words;
        }
        "Ww" => {
            f.case = Case::Title;
            f.primary = Primary::Words;
        }
        "w" => f.primary = Primary::Words,
        _ => {
            let mut zero: Option<u32> = None;
            let mut mandatory = 0;
            let mut optional = 0;
            let mut separators = Vec::new();
            let mut position = 0;
            for c in primary.chars().rev() {
                let cp = c as u32;
                let group = DECIMAL_GROUPS.iter().find(|&&g| cp >= g && cp <= g + 9);
                if let Some(&g) = group {
                    mandatory += 1;
                    position += 1;
                    match zero {
                        None => zero = Some(g),
                        Some(z) if z != g => return Err(JsonataError::new("D3131")),
                        _ => {}
                    }
                } else if c == '#' {
                    position += 1;
                    optional += 1;
                } else {
                    separators.push(Separator { position, character: c });
                }
            }
            if mandatory > 0 {
                f.primary = Primary::Decimal;
                f.zero = zero.unwrap_or(0x30);
                f.mandatory = mandatory;
                f.optional = optional;
                let regular = regular_repeat(&separators);
                if regular > 0 {
                    f.regular =
                        separators.first().map(|s| Separator { position: regular, character: s.character });
                } else {
                    f.separators = separators;
                }
            } else {
                f.primary = Primary::Sequence;
                f.token = primary.to_string();
            }
        }
    }
    Ok(f)
}

fn regular_repeat(separators: &[Separator]) -> usize {
    let Some(first) = separators.first() else { return 0 };
    if separators.iter().any(|s| s.character != first.character) {
        return 0;
    }
    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    let indexes: Vec<usize> = separators.iter().map(|s| s.position).collect();
    let factor = indexes.iter().copied().fold(0, gcd);
    if factor == 0 {
        return 0;
    }
    for k in 1..=indexes.len() {
        if !indexes.contains(&(k * factor)) {
            return 0;
        }
    }
    factor
}

fn insert_at(s: &str, char_pos: usize, c: char) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    chars.insert(char_pos.min(chars.len()), c);
    chars.into_iter().collect()
}

fn format_int(value: f64, f: &IntFormat) -> R<String> {
    let negative = value < 0.0;
    let value = value.abs();
    let mut out = match f.primary {
        Primary::Letters => decimal_to_letters(value, if f.case == Case::Upper { 'A' } else { 'a' }),
        Primary::Roman => {
            let r = decimal_to_roman(value);
            if f.case == Case::Upper {
                r.to_uppercase()
            } else {
                r
            }
        }
        Primary::Words => {
            let w = number_to_words(value, f.ordinal);
            match f.case {
                Case::Upper => w.to_uppercase(),
                Case::Lower => w.to_lowercase(),
                Case::Title => w,
            }
        }
        Primary::Decimal => {
            let mut s = js_number(value);
            let len = s.chars().count();
            if f.mandatory > len {
                s = format!("{}{s}", "0".repeat(f.mandatory - len));
            }
            if f.zero != 0x30 {
                s = s.chars().map(|c| char::from_u32(c as u32 + f.zero - 0x30).unwrap_or(c)).collect();
            }
            if let Some(sep) = &f.regular {
                if let Some(n) = (s.chars().count().saturating_sub(1)).checked_div(sep.position) {
                    for ii in (1..=n).rev() {
                        let pos = s.chars().count().saturating_sub(ii * sep.position);
                        s = insert_at(&s, pos, sep.character);
                    }
                }
            } else {
                for sep in f.separators.iter().rev() {
                    let len = s.chars().count();
                    s = match len.checked_sub(sep.position) {
                        Some(pos) => insert_at(&s, pos, sep.character),
                        // Fewer digits than the separator's place: jsonata-js's `substr` with a
                        // negative start keeps the last `position - len` characters of nothing
                        // before it (`$formatInteger(2645, "#,##,##0")` is ",5" there; it was
                        // ",2,645" here: a differential QA pass).
                        None => {
                            let keep = sep.position - len;
                            std::iter::once(sep.character)
                                .chain(s.chars().skip(len.saturating_sub(keep)))
                                .collect()
                        }
                    };
                }
            }
            if f.ordinal {
                let chars: Vec<char> = s.chars().collect();
                let last = chars.last().copied();
                let teen = chars.len() > 1 && chars.get(chars.len() - 2) == Some(&'1');
                let suffix = match last {
                    Some('1') if !teen => "st",
                    Some('2') if !teen => "nd",
                    Some('3') if !teen => "rd",
                    _ => "th",
                };
                s.push_str(suffix);
            }
            s
        }
        Primary::Sequence => return Err(JsonataError::new("D3130").value_str(&f.token)),
    };
    if negative {
        out.insert(0, '-');
    }
    Ok(out)
}

/// `$formatInteger`.
pub(crate) fn format_integer(value: f64, picture: &str) -> R<String> {
    let f = analyse_integer_picture(picture)?;
    format_int(value.floor(), &f)
}

/// JavaScript's `parseInt(s)`, which jsonata-js calls without a radix: leading space, a sign,
/// then decimal digits, or hexadecimal ones after `0x` (`$parseInteger("0x10", "0")` is 16 there;
/// it was 0 here: a differential QA pass). NaN when no digit follows.
fn js_parse_int(s: &str) -> f64 {
    // JavaScript's white space: Unicode's without U+0085, with U+FEFF.
    let t = s.trim_start_matches(|c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{FEFF}');
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let value = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => {
            let digits: Vec<u32> = hex.chars().map_while(|c| c.to_digit(16)).collect();
            if digits.is_empty() {
                f64::NAN
            } else {
                digits.iter().fold(0.0, |n, &d| n * 16.0 + f64::from(d))
            }
        }
        None => {
            let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
            digits.parse::<f64>().unwrap_or(f64::NAN)
        }
    };
    if negative {
        -value
    } else {
        value
    }
}

fn parse_with_format(value: &str, f: &IntFormat) -> R<f64> {
    Ok(match f.primary {
        Primary::Letters => letters_to_decimal(value, if f.case == Case::Upper { 'A' } else { 'a' }),
        Primary::Roman => {
            roman_to_decimal(&if f.case == Case::Upper { value.to_string() } else { value.to_uppercase() })
        }
        Primary::Words => words_to_number(&value.to_lowercase()),
        Primary::Decimal => {
            let mut digits = value.to_string();
            if f.ordinal {
                let n = digits.chars().count();
                digits = digits.chars().take(n.saturating_sub(2)).collect();
            }
            if f.regular.is_some() {
                digits = digits.replace(',', "");
            } else {
                for sep in &f.separators {
                    digits = digits.replace(sep.character, "");
                }
            }
            if f.zero != 0x30 {
                digits = digits
                    .chars()
                    // A character below the picture's zero is no digit of it: kept as it is, so
                    // that the parse fails on it.
                    .map(|c| {
                        (c as u32)
                            .checked_sub(f.zero)
                            .and_then(|d| char::from_u32(d.saturating_add(0x30)))
                            .unwrap_or(c)
                    })
                    .collect();
            }
            js_parse_int(&digits)
        }
        Primary::Sequence => return Err(JsonataError::new("D3130").value_str(&f.token)),
    })
}

/// `$parseInteger` (NaN for a value the picture cannot read, as jsonata-js answers).
pub(crate) fn parse_integer(value: &str, picture: &str) -> R<Option<f64>> {
    let f = analyse_integer_picture(picture)?;
    Ok(Some(parse_with_format(value, &f)?))
}

// ---- the calendar -------------------------------------------------------------------------

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// JavaScript `Date.UTC(year, month0, day, h, m, s, ms)` (with its 0–99 year rule).
fn date_utc(year: f64, month0: f64, day: f64, h: f64, mi: f64, s: f64, ms: f64) -> f64 {
    if [year, month0, day, h, mi, s, ms].iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    let mut y = year.trunc();
    if (0.0..=99.0).contains(&y) {
        y += 1900.0;
    }
    let m = month0.trunc();
    let ym = y + (m / 12.0).floor();
    // JavaScript dates span ±275,760 years; beyond that the calendar arithmetic would overflow.
    if ym.abs() > 300_000.0 {
        return f64::NAN;
    }
    let mn = m.rem_euclid(12.0);
    let days = days_from_civil(ym as i64, mn as i64 + 1, 1) as f64 + day.trunc() - 1.0;
    let t =
        days * MS_PER_DAY + h.trunc() * 3_600_000.0 + mi.trunc() * 60_000.0 + s.trunc() * 1000.0 + ms.trunc();
    if t.abs() > 8.64e15 {
        f64::NAN
    } else {
        t
    }
}

/// The UTC fields of an instant.
#[derive(Clone, Copy, Debug)]
struct Fields {
    year: i64,
    month: i64, // 0-based
    day: i64,
    hours: i64,
    minutes: i64,
    seconds: i64,
    millis: i64,
    weekday: i64, // 0 = Sunday
    time: f64,
}

fn fields(t: f64) -> Fields {
    let ms = t as i64;
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    Fields {
        year: y,
        month: m - 1,
        day: d,
        hours: rem / 3_600_000,
        minutes: (rem / 60_000) % 60,
        seconds: (rem / 1000) % 60,
        millis: rem % 1000,
        weekday: (days + 4).rem_euclid(7),
        time: t,
    }
}

fn start_of_first_week(year: i64, month: i64) -> f64 {
    let jan1 = date_utc(year as f64, month as f64, 1.0, 0.0, 0.0, 0.0, 0.0);
    let mut day = fields(jan1).weekday;
    if day == 0 {
        day = 7;
    }
    if day > 4 {
        jan1 + (8 - day) as f64 * MS_PER_DAY
    } else {
        jan1 - (day - 1) as f64 * MS_PER_DAY
    }
}

fn next_month(y: i64, m: i64) -> (i64, i64) {
    if m == 11 {
        (y + 1, 0)
    } else {
        (y, m + 1)
    }
}

fn previous_month(y: i64, m: i64) -> (i64, i64) {
    if m == 0 {
        (y - 1, 11)
    } else {
        (y, m - 1)
    }
}

fn delta_weeks(start: f64, end: f64) -> f64 {
    (end - start) / (MS_PER_DAY * 7.0) + 1.0
}

/// Component values as jsonata-js's `getDateTimeFragment` computes them.
enum Frag {
    Num(f64),
    Text(&'static str),
    None,
}

fn fragment(f: &Fields, component: char) -> Frag {
    match component {
        'Y' => Frag::Num(f.year as f64),
        'M' => Frag::Num((f.month + 1) as f64),
        'D' => Frag::Num(f.day as f64),
        'd' => {
            let today = date_utc(f.year as f64, f.month as f64, f.day as f64, 0.0, 0.0, 0.0, 0.0);
            let first = date_utc(f.year as f64, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0);
            Frag::Num((today - first) / MS_PER_DAY + 1.0)
        }
        'F' => Frag::Num(if f.weekday == 0 { 7.0 } else { f.weekday as f64 }),
        'W' => {
            let start = start_of_first_week(f.year, 0);
            let today = date_utc(f.year as f64, f.month as f64, f.day as f64, 0.0, 0.0, 0.0, 0.0);
            let mut week = delta_weeks(start, today);
            if week > 52.0 {
                if today >= start_of_first_week(f.year + 1, 0) {
                    week = 1.0;
                }
            } else if week < 1.0 {
                week = delta_weeks(start_of_first_week(f.year - 1, 0), today);
            }
            Frag::Num(week.floor())
        }
        'w' => {
            let start = start_of_first_week(f.year, f.month);
            let today = date_utc(f.year as f64, f.month as f64, f.day as f64, 0.0, 0.0, 0.0, 0.0);
            let mut week = delta_weeks(start, today);
            if week > 4.0 {
                let (ny, nm) = next_month(f.year, f.month);
                if today >= start_of_first_week(ny, nm) {
                    week = 1.0;
                }
            } else if week < 1.0 {
                let (py, pm) = previous_month(f.year, f.month);
                week = delta_weeks(start_of_first_week(py, pm), today);
            }
            Frag::Num(week.floor())
        }
        'X' => {
            let start = start_of_first_week(f.year, 0);
            let end = start_of_first_week(f.year + 1, 0);
            Frag::Num(if f.time < start {
                (f.year - 1) as f64
            } else if f.time >= end {
                (f.year + 1) as f64
            } else {
                f.year as f64
            })
        }
        'x' => {
            let start = start_of_first_week(f.year, f.month);
            let (ny, nm) = next_month(f.year, f.month);
            let end = start_of_first_week(ny, nm);
            Frag::Num(if f.time < start {
                (previous_month(f.year, f.month).1 + 1) as f64
            } else if f.time >= end {
                (nm + 1) as f64
            } else {
                (f.month + 1) as f64
            })
        }
        'H' => Frag::Num(f.hours as f64),
        'h' => {
            let h = f.hours % 12;
            Frag::Num(if h == 0 { 12.0 } else { h as f64 })
        }
        'P' => Frag::Text(if f.hours >= 12 { "pm" } else { "am" }),
        'm' => Frag::Num(f.minutes as f64),
        's' => Frag::Num(f.seconds as f64),
        'f' => Frag::Num(f.millis as f64),
        'C' | 'E' => Frag::Text("ISO"),
        _ => Frag::None,
    }
}

#[derive(Clone, Debug)]
struct Width {
    min: Option<usize>,
    max: Option<usize>,
}

#[derive(Clone, Debug)]
struct Marker {
    component: char,
    presentation1: String,
    presentation2: Option<char>,
    names: Option<Case>,
    width: Option<Width>,
    integer: Option<IntFormat>,
    n: Option<usize>,
}

#[derive(Clone, Debug)]
enum Part {
    Literal(String),
    Marker(Marker),
}

fn default_presentation(component: char) -> Option<&'static str> {
    Some(match component {
        'Y' | 'M' | 'D' | 'd' | 'W' | 'w' | 'X' | 'x' | 'H' | 'h' | 'f' => "1",
        'F' | 'P' | 'C' | 'E' => "n",
        'm' | 's' => "01",
        'Z' | 'z' => "01:01",
        _ => return None,
    })
}

fn analyse_datetime_picture(picture: &str) -> R<Vec<Part>> {
    let chars: Vec<char> = picture.chars().collect();
    let mut spec = Vec::new();
    let add_literal = |spec: &mut Vec<Part>, start: usize, end: usize| {
        if end > start {
            let lit: String = chars.get(start..end).unwrap_or(&[]).iter().collect();
            spec.push(Part::Literal(lit.replace("]]", "]")));
        }
    };
    let mut start = 0;
    let mut pos = 0;
    while pos < chars.len() {
        if chars.get(pos) == Some(&'[') {
            if chars.get(pos + 1) == Some(&'[') {
                add_literal(&mut spec, start, pos);
                spec.push(Part::Literal("[".into()));
                pos += 2;
                start = pos;
                continue;
            }
            add_literal(&mut spec, start, pos);
            start = pos;
            let Some(close) = chars.iter().skip(start).position(|&c| c == ']') else {
                return Err(JsonataError::new("D3135"));
            };
            pos = start + close;
            let marker: String =
                chars.get(start + 1..pos).unwrap_or(&[]).iter().filter(|c| !c.is_whitespace()).collect();
            let mchars: Vec<char> = marker.chars().collect();
            let component = mchars.first().copied().unwrap_or(' ');
            let comma = marker.rfind(',');
            let (pres_mod, width) = match comma {
                Some(ci) => {
                    let width_mod = marker.get(ci + 1..).unwrap_or("");
                    let parse_width = |w: Option<&str>| -> Option<usize> {
                        match w {
                            None | Some("*") => None,
                            Some(w) => {
                                // Widths beyond any sensible picture are clamped (jsonata-js
                                // would try to pad to them).
                                let v = js_parse_int(w);
                                if v.is_finite() && v >= 0.0 {
                                    Some(v.min(MAX_WIDTH as f64) as usize)
                                } else {
                                    None
                                }
                            }
                        }
                    };
                    let (min, max) = match width_mod.find('-') {
                        None => (Some(width_mod), None),
                        Some(d) => (width_mod.get(..d), width_mod.get(d + 1..)),
                    };
                    let pm: String = marker.get(..ci).unwrap_or("").chars().skip(1).collect();
                    (pm, Some(Width { min: parse_width(min), max: parse_width(max) }))
                }
                None => (mchars.iter().skip(1).collect(), None),
            };
            let mut def = Marker {
                component,
                presentation1: String::new(),
                presentation2: None,
                names: None,
                width,
                integer: None,
                n: None,
            };
            let pm_len = pres_mod.chars().count();
            if pm_len == 1 {
                def.presentation1 = pres_mod.clone();
            } else if pm_len > 1 {
                let last = pres_mod.chars().last().unwrap_or(' ');
                if "atco".contains(last) {
                    def.presentation2 = Some(last);
                    def.presentation1 = pres_mod.chars().take(pm_len - 1).collect();
                } else {
                    def.presentation1 = pres_mod.clone();
                }
            } else {
                match default_presentation(component) {
                    Some(p) => def.presentation1 = p.to_string(),
                    None => {
                        return Err(JsonataError::new("D3132").value_str(&component.to_string()));
                    }
                }
            }
            let p1: Vec<char> = def.presentation1.chars().collect();
            if p1.first() == Some(&'n') {
                def.names = Some(Case::Lower);
            } else if p1.first() == Some(&'N') {
                def.names = Some(if p1.get(1) == Some(&'n') { Case::Title } else { Case::Upper });
            } else if "YMDdFWwXxHhmsf".contains(component) {
                let mut pattern = def.presentation1.clone();
                if let Some(p2) = def.presentation2 {
                    pattern.push(';');
                    pattern.push(p2);
                }
                let mut fmt = analyse_integer_picture(&pattern)?;
                // jsonata-js counts mandatory digits for a decimal picture only: for words, Roman
                // numerals and letters the count is undefined, so a minimum width neither raises
                // it nor makes a year two digits (`[YI,2]` is MMXXIV there; it was XXIV here: a
                // differential QA pass).
                let decimal = fmt.primary == Primary::Decimal;
                if let Some(min) = def.width.as_ref().and_then(|w| w.min).filter(|_| decimal) {
                    if fmt.mandatory < min {
                        fmt.mandatory = min;
                    }
                }
                if "YMD".contains(component) {
                    match def.width.as_ref().and_then(|w| w.max) {
                        Some(max) => {
                            def.n = Some(max);
                            fmt.mandatory = max;
                        }
                        None if decimal => {
                            let w = fmt.mandatory + fmt.optional;
                            if w >= 2 {
                                def.n = Some(w);
                            }
                        }
                        None => {}
                    }
                }
                def.integer = Some(fmt);
            }
            if component == 'Z' || component == 'z' {
                def.integer = Some(analyse_integer_picture(&def.presentation1)?);
            }
            spec.push(Part::Marker(def));
            start = pos + 1;
        }
        pos += 1;
    }
    add_literal(&mut spec, start, pos.min(chars.len()));
    Ok(spec)
}

fn apply_case(s: &str, case: Option<Case>) -> String {
    match case {
        Some(Case::Upper) => s.to_uppercase(),
        Some(Case::Lower) => s.to_lowercase(),
        _ => s.to_string(),
    }
}

fn format_component(f: &Fields, m: &Marker, offset_hours: f64, offset_minutes: f64) -> R<String> {
    let frag = fragment(f, m.component);
    if "YMDdFWwXxHhms".contains(m.component) {
        let Frag::Num(mut v) = frag else {
            return Err(JsonataError::new("D3132").value_str(&m.component.to_string()));
        };
        if m.component == 'Y' {
            if let Some(n) = m.n {
                v %= 10f64.powi(n as i32);
            }
        }
        if let Some(case) = m.names {
            let name = match m.component {
                'M' | 'x' => MONTHS.get((v as usize).wrapping_sub(1)).copied().unwrap_or(""),
                'F' => DAYS.get(v as usize).copied().unwrap_or(""),
                c => return Err(JsonataError::new("D3133").value_str(&c.to_string())),
            };
            let mut s = apply_case(name, Some(case));
            if let Some(max) = m.width.as_ref().and_then(|w| w.max) {
                if s.chars().count() > max {
                    s = s.chars().take(max).collect();
                }
            }
            return Ok(s);
        }
        let Some(fmt) = &m.integer else { return Ok(js_number(v)) };
        return format_int(v, fmt);
    }
    match m.component {
        'f' => {
            let Frag::Num(v) = frag else { return Ok(String::new()) };
            match &m.integer {
                Some(fmt) => format_int(v, fmt),
                None => Ok(js_number(v)),
            }
        }
        'Z' | 'z' => {
            let offset = offset_hours * 100.0 + offset_minutes;
            let Some(fmt) = &m.integer else { return Ok(String::new()) };
            let mut s = if fmt.regular.is_some() {
                format_int(offset, fmt)?
            } else {
                match fmt.mandatory {
                    1 | 2 => {
                        let mut s = format_int(offset_hours, fmt)?;
                        if offset_minutes != 0.0 {
                            s.push(':');
                            s.push_str(&format_integer(offset_minutes, "00")?);
                        }
                        s
                    }
                    3 | 4 => format_int(offset, fmt)?,
                    _ => return Err(JsonataError::new("D3134").value_json(fmt.mandatory.to_string())),
                }
            };
            if offset >= 0.0 {
                s.insert(0, '+');
            }
            if m.component == 'z' {
                s.insert_str(0, "GMT");
            }
            if offset == 0.0 && m.presentation2 == Some('t') {
                s = "Z".into();
            }
            Ok(s)
        }
        'P' => {
            let Frag::Text(t) = frag else { return Ok(String::new()) };
            Ok(if m.names == Some(Case::Upper) { t.to_uppercase() } else { t.to_string() })
        }
        _ => match frag {
            Frag::Text(t) => Ok(t.to_string()),
            Frag::Num(v) => Ok(js_number(v)),
            Frag::None => Err(JsonataError::new("D3132").value_str(&m.component.to_string())),
        },
    }
}

/// `$fromMillis(millis, picture, timezone)` (also `$now`).
pub(crate) fn from_millis(millis: f64, picture: Option<&str>, timezone: Option<&str>) -> R<String> {
    let (mut oh, mut om) = (0.0, 0.0);
    if let Some(tz) = timezone {
        let offset = js_parse_int(tz);
        oh = (offset / 100.0).floor();
        om = offset % 100.0;
    }
    let spec =
        analyse_datetime_picture(picture.unwrap_or("[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"))?;
    let t = millis + (60.0 * oh + om) * 60_000.0;
    if !t.is_finite() || t.abs() > 8.64e15 {
        return Err(JsonataError::new("D1001").value_json(js_number(millis)));
    }
    let f = fields(t.trunc());
    let mut out = String::new();
    for part in &spec {
        match part {
            Part::Literal(l) => out.push_str(l),
            Part::Marker(m) => out.push_str(&format_component(&f, m, oh, om)?),
        }
    }
    Ok(out)
}

/// Parses the ISO 8601 forms `Date.parse` reads (`2018`, `2018-10`, `2018-10-21T10:10:10.123Z`,
/// offsets `±hh:mm` or `±hhmm`); times without an offset are read as UTC (Step Functions runs
/// in UTC). `NaN` for a value out of range.
fn parse_iso(s: &str) -> f64 {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let t = s.get(from..from + len)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    let Some(year) = num(0, 4) else { return f64::NAN };
    let mut i = 4;
    let (mut month, mut day) = (1, 1);
    let (mut h, mut mi, mut sec, mut ms) = (0, 0, 0, 0.0);
    if b.get(i) == Some(&b'-') {
        let Some(m) = num(i + 1, 2) else { return f64::NAN };
        month = m;
        i += 3;
        if b.get(i) == Some(&b'-') {
            let Some(d) = num(i + 1, 2) else { return f64::NAN };
            day = d;
            i += 3;
        }
    }
    let mut offset_min = 0i64;
    if b.get(i) == Some(&b'T') {
        let (Some(hh), Some(mm), Some(ss)) = (num(i + 1, 2), num(i + 4, 2), num(i + 7, 2)) else {
            return f64::NAN;
        };
        if b.get(i + 3) != Some(&b':') || b.get(i + 6) != Some(&b':') {
            return f64::NAN;
        }
        h = hh;
        mi = mm;
        sec = ss;
        i += 9;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            let mut j = start;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            let frac = s.get(start..j).unwrap_or("");
            let three: String = frac.chars().chain(std::iter::repeat('0')).take(3).collect();
            ms = three.parse::<f64>().unwrap_or(0.0);
            i = j;
        }
        match b.get(i) {
            Some(b'Z') => i += 1,
            Some(&sign @ (b'+' | b'-')) => {
                let Some(oh) = num(i + 1, 2) else { return f64::NAN };
                let (om, len) =
                    if b.get(i + 3) == Some(&b':') { (num(i + 4, 2), 6) } else { (num(i + 3, 2), 5) };
                let Some(om) = om else { return f64::NAN };
                if oh > 23 || om > 59 {
                    return f64::NAN;
                }
                offset_min = (oh * 60 + om) * if sign == b'-' { -1 } else { 1 };
                i += len;
            }
            _ => {}
        }
    } else if matches!(b.get(i), Some(b'Z' | b'+' | b'-')) {
        return f64::NAN;
    }
    if i != b.len() {
        return f64::NAN;
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 24 || mi > 59 || sec > 59 {
        return f64::NAN;
    }
    if h == 24 && (mi != 0 || sec != 0 || ms != 0.0) {
        return f64::NAN;
    }
    let days = days_from_civil(year, month, 1) + day - 1;
    let t = days as f64 * MS_PER_DAY + (h * 3_600_000 + mi * 60_000 + sec * 1000) as f64 + ms
        - (offset_min * 60_000) as f64;
    if t.abs() > 8.64e15 {
        f64::NAN
    } else {
        t
    }
}

/// jsonata-js's test before `Date.parse`:
/// `^\d{4}(-[01]\d)*(-[0-3]\d)*(T[0-2]\d:[0-5]\d:[0-5]\d)*(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$`.
fn iso_shape(s: &str) -> bool {
    static RE: std::sync::OnceLock<Option<regex_lite::Regex>> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        regex_lite::Regex::new(
            r"^[0-9]{4}(-[01][0-9])*(-[0-3][0-9])*(T[0-2][0-9]:[0-5][0-9]:[0-5][0-9])*(\.[0-9]+)?([+-][0-2][0-9]:?[0-5][0-9]|Z)?$",
        )
        .ok()
    })
    .as_ref()
    .is_some_and(|re| re.is_match(s))
}

/// `$toMillis(timestamp, picture)`; `now` fills in what a picture leaves out.
pub(crate) fn to_millis(timestamp: &str, picture: Option<&str>, now: i64) -> R<Option<f64>> {
    match picture {
        None => {
            if !iso_shape(timestamp) {
                return Err(JsonataError::new("D3110").value_str(timestamp));
            }
            Ok(Some(parse_iso(timestamp)))
        }
        Some(p) => parse_datetime(timestamp, p, now),
    }
}

/// One part of the regular expression a picture becomes, and how to read its match.
enum Reader {
    None,
    Int(IntFormat),
    Names(Vec<(String, f64)>),
    Zone { gmt: bool, separator: Option<char> },
}

fn integer_regex(f: &IntFormat) -> R<String> {
    let occurrences = match f.n {
        Some(n) if n > 0 => {
            if f.optional == 0 {
                format!("{{{n}}}")
            } else {
                format!("{{{},{n}}}", n.saturating_sub(f.optional))
            }
        }
        _ => "+".into(),
    };
    Ok(match f.primary {
        Primary::Letters => if f.case == Case::Upper { "[A-Z]+" } else { "[a-z]+" }.to_string(),
        Primary::Roman => if f.case == Case::Upper { "[MDCLXVI]+" } else { "[mdclxvi]+" }.to_string(),
        Primary::Words => {
            let mut alts: Vec<String> = word_values().into_iter().map(|(w, _)| w).collect();
            alts.push("and".into());
            alts.push("[\\-, ]".into());
            format!("(?:{})+", alts.join("|"))
        }
        Primary::Decimal => {
            let mut r = format!("[0-9]{occurrences}");
            if f.ordinal {
                r.push_str("(?:th|st|nd|rd)");
            }
            r
        }
        Primary::Sequence => return Err(JsonataError::new("D3130").value_str(&f.token)),
    })
}

fn parse_datetime(timestamp: &str, picture: &str, now: i64) -> R<Option<f64>> {
    let spec = analyse_datetime_picture(picture)?;
    let mut regex = String::from("(?i)^");
    let mut readers: Vec<(char, Reader)> = Vec::new();
    for part in &spec {
        match part {
            Part::Literal(l) => {
                regex.push('(');
                regex.push_str(&regex_lite::escape(l));
                regex.push(')');
                readers.push((' ', Reader::None));
            }
            Part::Marker(m) if m.component == 'Z' || m.component == 'z' => {
                let separator = m.integer.as_ref().and_then(|f| f.regular.as_ref()).map(|s| s.character);
                let mut r = String::new();
                if m.component == 'z' {
                    r.push_str("GMT");
                }
                r.push_str("[-+][0-9]+");
                if let Some(c) = separator {
                    r.push_str(&regex_lite::escape(&c.to_string()));
                    r.push_str("[0-9]+");
                }
                regex.push('(');
                regex.push_str(&r);
                regex.push(')');
                readers.push((m.component, Reader::Zone { gmt: m.component == 'z', separator }));
            }
            Part::Marker(m) => {
                if let Some(f) = &m.integer {
                    let mut f = f.clone();
                    f.n = m.n;
                    regex.push('(');
                    regex.push_str(&integer_regex(&f)?);
                    regex.push(')');
                    readers.push((m.component, Reader::Int(f)));
                } else {
                    let names: Vec<(String, f64)> = match m.component {
                        'M' | 'x' => MONTHS
                            .iter()
                            .enumerate()
                            .map(|(i, n)| (truncate(n, m.width.as_ref().and_then(|w| w.max)), (i + 1) as f64))
                            .collect(),
                        'F' => DAYS
                            .iter()
                            .enumerate()
                            .skip(1)
                            .map(|(i, n)| (truncate(n, m.width.as_ref().and_then(|w| w.max)), i as f64))
                            .collect(),
                        'P' => vec![
                            ("am".into(), 0.0),
                            ("AM".into(), 0.0),
                            ("pm".into(), 1.0),
                            ("PM".into(), 1.0),
                        ],
                        c => return Err(JsonataError::new("D3133").value_str(&c.to_string())),
                    };
                    regex.push_str("([a-zA-Z]+)");
                    readers.push((m.component, Reader::Names(names)));
                }
            }
        }
    }
    regex.push('$');
    let re = regex_lite::Regex::new(&regex).map_err(|e| {
        JsonataError::new("D3137").extra(format!("Cannot parse with this picture string: {e}"))
    })?;
    let Some(caps) = re.captures(timestamp) else { return Ok(None) };
    let mut comps: std::collections::HashMap<char, f64> = std::collections::HashMap::new();
    for (i, (component, reader)) in readers.iter().enumerate() {
        let Some(text) = caps.get(i + 1).map(|m| m.as_str()) else { continue };
        let value = match reader {
            Reader::None => continue,
            Reader::Int(f) => parse_with_format(text, f)?,
            // An unknown name leaves the component undefined (jsonata-js's lookup misses).
            Reader::Names(names) => match names.iter().find(|(n, _)| n == text) {
                Some((_, v)) => *v,
                None => continue,
            },
            Reader::Zone { gmt, separator } => {
                let v = if *gmt { text.get(3..).unwrap_or("") } else { text };
                let (oh, om) = match separator.and_then(|c| v.find(c)) {
                    Some(k) => {
                        (js_parse_int(v.get(..k).unwrap_or("")), js_parse_int(v.get(k + 1..).unwrap_or("")))
                    }
                    None => {
                        let digits = v.chars().count().saturating_sub(1);
                        if digits <= 2 {
                            (js_parse_int(v), 0.0)
                        } else {
                            (js_parse_int(v.get(..3).unwrap_or("")), js_parse_int(v.get(3..).unwrap_or("")))
                        }
                    }
                };
                oh * 60.0 + om
            }
        };
        comps.insert(*component, value);
    }
    if comps.is_empty() {
        return Ok(None);
    }
    let mask_of = |parts: &str| -> u32 {
        let mut mask = 0;
        for c in parts.chars() {
            mask <<= 1;
            // jsonata-js shifts in the truthiness of the value: 0 does not count.
            if comps.get(&c).is_some_and(|v| *v != 0.0 && !v.is_nan()) {
                mask += 1;
            }
        }
        mask
    };
    let is_type = |ty: u32, mask: u32| (!ty & mask) == 0 && (ty & mask) != 0;
    let dmask = mask_of("YXMxWwdD");
    let date_a = is_type(161, dmask);
    let date_b = !date_a && is_type(130, dmask);
    let date_c = is_type(84, dmask);
    let date_d = !date_c && is_type(72, dmask);
    let tmask = mask_of("PHhmsf");
    let time_a = is_type(23, tmask);
    let time_b = !time_a && is_type(47, tmask);
    let date_comps = if date_b {
        "YD"
    } else if date_c {
        "XxwF"
    } else if date_d {
        "XWF"
    } else {
        "YMD"
    };
    let time_comps = if time_b { "Phmsf" } else { "Hmsf" };
    let now_fields = fields(now as f64);
    let mut start_specified = false;
    let mut end_specified = false;
    for part in format!("{date_comps}{time_comps}").chars() {
        match comps.entry(part) {
            std::collections::hash_map::Entry::Occupied(_) => {
                start_specified = true;
                if end_specified {
                    return Err(JsonataError::new("D3136"));
                }
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                if start_specified {
                    slot.insert(if "MDd".contains(part) { 1.0 } else { 0.0 });
                    end_specified = true;
                } else {
                    slot.insert(match fragment(&now_fields, part) {
                        Frag::Num(v) => v,
                        // jsonata-js defaults P to the string "am"/"pm", which never equals 1.
                        Frag::Text(_) => f64::NAN,
                        Frag::None => 0.0,
                    });
                }
            }
        }
    }
    let get = |c: char| comps.get(&c).copied().unwrap_or(0.0);
    let mut month0 = if get('M') > 0.0 { get('M') - 1.0 } else { 0.0 };
    let mut day = get('D');
    if date_b {
        let first = date_utc(get('Y'), 0.0, 1.0, 0.0, 0.0, 0.0, 0.0);
        let derived = fields(first + (get('d') - 1.0) * MS_PER_DAY);
        month0 = derived.month as f64;
        day = derived.day as f64;
    }
    if date_c || date_d {
        return Err(JsonataError::new("D3136"));
    }
    let mut hours = get('H');
    if time_b {
        hours = if get('h') == 12.0 { 0.0 } else { get('h') };
        if get('P') == 1.0 {
            hours += 12.0;
        }
    }
    let mut millis = date_utc(get('Y'), month0, day, hours, get('m'), get('s'), get('f'));
    let zone = comps.get(&'Z').or(comps.get(&'z')).copied().unwrap_or(0.0);
    if zone != 0.0 && !zone.is_nan() {
        millis -= zone * 60_000.0;
    }
    Ok(Some(millis))
}

fn truncate(s: &str, max: Option<usize>) -> String {
    match max {
        Some(m) => s.chars().take(m).collect(),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(format_integer(123.0, "w").unwrap(), "one hundred and twenty-three");
        assert_eq!(format_integer(21.0, "Ww;o").unwrap(), "Twenty-First");
        assert_eq!(format_integer(1999.0, "I").unwrap(), "MCMXCIX");
        assert_eq!(format_integer(28.0, "A").unwrap(), "AB");
        assert_eq!(format_integer(1234567.0, "#,##0").unwrap(), "1,234,567");
        assert_eq!(format_integer(3.0, "0;o").unwrap(), "3rd");
        assert_eq!(format_integer(13.0, "0;o").unwrap(), "13th");
        assert_eq!(parse_integer("one hundred and twenty-three", "w").unwrap(), Some(123.0));
        assert_eq!(parse_integer("MCMXCIX", "I").unwrap(), Some(1999.0));
        assert!(parse_integer("abc", "0").unwrap().is_some_and(f64::is_nan));
    }

    #[test]
    fn format_dates() {
        let t = 1521801216617.0;
        assert_eq!(from_millis(t, None, None).unwrap(), "2018-03-23T10:33:36.617Z");
        assert_eq!(from_millis(t, Some("[D1o] [MNn] [Y]"), None).unwrap(), "23rd March 2018");
        assert_eq!(from_millis(t, Some("[FNn,3-3], [h]:[m01][P]"), None).unwrap(), "Fri, 10:33am");
        assert_eq!(from_millis(0.0, Some("[H01]:[m01] [Z]"), Some("-0530")).unwrap(), "17:30 -06:30");
        assert_eq!(from_millis(t, Some("[Y,2]"), None).unwrap(), "18");
        assert_eq!(from_millis(t, Some("[q1]"), None).unwrap_err().code, "D3132");
        assert_eq!(from_millis(t, Some("[YN]"), None).unwrap_err().code, "D3133");
        assert_eq!(from_millis(t, Some("[Y"), None).unwrap_err().code, "D3135");
    }

    #[test]
    fn parse_dates() {
        assert_eq!(to_millis("2018-03-23T10:33:36.617Z", None, 0).unwrap(), Some(1521801216617.0));
        assert_eq!(to_millis("2018-02-30", None, 0).unwrap(), Some(1519948800000.0));
        assert!(to_millis("2018-13-01", None, 0).unwrap().is_some_and(f64::is_nan));
        assert_eq!(to_millis("2018-01-01T10:00:00+0530", None, 0).unwrap(), Some(1514781000000.0));
        assert_eq!(to_millis("nope", None, 0).unwrap_err().code, "D3110");
        assert_eq!(to_millis("23", Some("[Y01]"), 0).unwrap(), Some(-1483228800000.0));
        assert_eq!(
            to_millis("23rd March 2018", Some("[D1o] [MNn] [Y]"), 0).unwrap(),
            Some(date_utc(2018.0, 2.0, 23.0, 0.0, 0.0, 0.0, 0.0))
        );
    }
}
