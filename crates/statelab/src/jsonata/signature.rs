//! Function signatures (`<s-nn?:s>`): parsing and argument validation, as jsonata-js does it.
//!
//! jsonata-js turns a signature into a regular expression over one-letter type symbols and
//! matches the arguments' symbols against it; this matches the same way (greedy, backtracking)
//! without building a regex, so the argument each error names is the one jsonata-js names.

use super::error::JsonataError;
use super::value::JValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quant {
    One,
    Optional,
    Plus,
}

#[derive(Clone, Debug)]
struct Param {
    /// The symbols this parameter accepts (`m` for undefined, where allowed).
    accepts: String,
    quant: Quant,
    /// `-`: the context value is used when the argument is missing.
    context: bool,
    /// What the context value must be (the symbols before `-` made the parameter optional).
    context_accepts: String,
    /// The type letter (`a` for arrays, which get wrapped).
    kind: char,
    /// `a<n>`: the type of the array's items.
    subtype: Option<String>,
}

/// A parsed signature.
#[derive(Clone, Debug)]
pub(crate) struct Signature {
    params: Vec<Param>,
}

fn find_closing(chars: &[char], start: usize, open: char, close: char) -> usize {
    let mut depth = 1;
    let mut pos = start;
    while pos < chars.len() {
        pos += 1;
        match chars.get(pos) {
            Some(&c) if c == close => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Some(&c) if c == open => depth += 1,
            _ => {}
        }
    }
    pos
}

impl Signature {
    /// Parses `<...>`. Errors carry the offset within the signature in `position`.
    pub(crate) fn parse(signature: &str) -> Result<Signature, JsonataError> {
        let chars: Vec<char> = signature.chars().collect();
        let mut params: Vec<Param> = Vec::new();
        let mut pos = 1;
        let new_param = |accepts: &str, kind: char| Param {
            accepts: accepts.to_string(),
            quant: Quant::One,
            context: false,
            context_accepts: String::new(),
            kind,
            subtype: None,
        };
        while let Some(&symbol) = chars.get(pos) {
            if symbol == ':' {
                break;
            }
            match symbol {
                's' | 'n' | 'b' | 'l' | 'o' => params.push(new_param(&format!("{symbol}m"), symbol)),
                'a' => params.push(new_param("asnblfom", 'a')),
                'f' => params.push(new_param("f", 'f')),
                'j' => params.push(new_param("asnblom", 'j')),
                'x' => params.push(new_param("asnblfom", 'x')),
                '-' => {
                    if let Some(p) = params.last_mut() {
                        p.context = true;
                        p.context_accepts = p.accepts.clone();
                        p.quant = Quant::Optional;
                    }
                }
                '?' => {
                    if let Some(p) = params.last_mut() {
                        if p.quant == Quant::One {
                            p.quant = Quant::Optional;
                        }
                    }
                }
                '+' => {
                    if let Some(p) = params.last_mut() {
                        p.quant = Quant::Plus;
                    }
                }
                '(' => {
                    let end = find_closing(&chars, pos, '(', ')');
                    let choice: String = chars.get(pos + 1..end).unwrap_or(&[]).iter().collect();
                    if choice.contains('<') {
                        return Err(JsonataError::new("S0402").value_str(&choice).pos(pos));
                    }
                    params.push(new_param(&format!("{choice}m"), '('));
                    pos = end;
                }
                '<' => {
                    let prev = params.last_mut();
                    match prev {
                        Some(p) if p.kind == 'a' || p.kind == 'f' => {
                            let end = find_closing(&chars, pos, '<', '>');
                            p.subtype = Some(chars.get(pos + 1..end).unwrap_or(&[]).iter().collect());
                            pos = end;
                        }
                        other => {
                            let kind = other.map(|p| p.kind.to_string()).unwrap_or_default();
                            return Err(JsonataError::new("S0401").value_str(&kind).pos(pos));
                        }
                    }
                }
                _ => {}
            }
            pos += 1;
        }
        Ok(Signature { params })
    }

    /// Parses a signature written in this crate (an empty signature, accepting anything, if it
    /// were malformed).
    pub(crate) fn parse_static(signature: &str) -> Signature {
        Signature::parse(signature).unwrap_or(Signature { params: Vec::new() })
    }

    /// Matches symbols against parameters `from..` starting at `at`; on success the number of
    /// symbols each parameter took. `full` requires the whole string to be consumed.
    fn matches(&self, sig: &[char], from: usize, at: usize, full: bool, out: &mut Vec<usize>) -> bool {
        let Some(p) = self.params.get(from) else {
            return !full || at == sig.len();
        };
        let accepts = |i: usize| sig.get(i).is_some_and(|c| p.accepts.contains(*c));
        let mut options: Vec<usize> = Vec::new();
        match p.quant {
            Quant::One => {
                if accepts(at) {
                    options.push(1);
                }
            }
            Quant::Optional => {
                if accepts(at) {
                    options.push(1);
                }
                options.push(0);
            }
            Quant::Plus => {
                let mut n = 0;
                while accepts(at + n) {
                    n += 1;
                }
                options.extend((1..=n).rev());
            }
        }
        for take in options {
            out.push(take);
            if self.matches(sig, from + 1, at + take, full, out) {
                return true;
            }
            out.pop();
        }
        false
    }

    /// Checks (and fixes up) arguments: fills in the context for a missing `-` argument, wraps
    /// a non-array given for an array parameter. `context` is the call's input.
    pub(crate) fn validate(
        &self,
        args: &[Option<JValue>],
        context: Option<&JValue>,
    ) -> Result<Vec<Option<JValue>>, JsonataError> {
        let sig: Vec<char> = args.iter().map(|a| JValue::symbol(a.as_ref())).collect();
        let mut groups = Vec::new();
        if !self.matches(&sig, 0, 0, true, &mut groups) {
            return Err(self.validation_error(args, &sig));
        }
        let mut validated = Vec::new();
        let mut arg_index = 0;
        let mut at = 0;
        for (param, &take) in self.params.iter().zip(&groups) {
            if take == 0 {
                if param.context {
                    let ctype = JValue::symbol(context);
                    if param.context_accepts.contains(ctype) {
                        validated.push(context.cloned());
                    } else {
                        return Err(JsonataError::new("T0411")
                            .value_json(super::stringify::message_json(context))
                            .index(arg_index + 1));
                    }
                } else {
                    validated.push(args.get(arg_index).cloned().flatten());
                    arg_index += 1;
                }
                continue;
            }
            for k in 0..take {
                let single = sig.get(at + k).copied().unwrap_or('m');
                let arg = args.get(arg_index).cloned().flatten();
                if param.kind == 'a' {
                    if single == 'm' {
                        validated.push(None);
                    } else {
                        let arg = arg.unwrap_or(JValue::Null);
                        let mut ok = true;
                        if let Some(sub) = &param.subtype {
                            // `x` and `j` item types accept anything (Statelab's own signatures).
                            let any = sub.starts_with('x') || sub.starts_with('j');
                            let group_text: String = sig.get(at..at + take).unwrap_or(&[]).iter().collect();
                            if single != 'a' && group_text != *sub {
                                ok = false;
                            } else if single == 'a' && !any {
                                let items = arg.array_items().unwrap_or_default();
                                if let Some(first) = items.first() {
                                    let item_type = JValue::symbol(Some(first));
                                    if !sub.starts_with(item_type) {
                                        ok = false;
                                    } else {
                                        ok = items.iter().all(|v| JValue::symbol(Some(v)) == item_type);
                                    }
                                }
                            }
                        }
                        if !ok {
                            let plural = match param.subtype.as_deref().and_then(|s| s.chars().next()) {
                                Some('a') => "arrays",
                                Some('b') => "booleans",
                                Some('f') => "functions",
                                Some('n') => "numbers",
                                Some('o') => "objects",
                                Some('s') => "strings",
                                _ => "values",
                            };
                            return Err(JsonataError::new("T0412")
                                .value_json(super::stringify::message_json(Some(&arg)))
                                .index(arg_index + 1)
                                .extra(plural));
                        }
                        validated.push(Some(if single == 'a' { arg } else { JValue::array(vec![arg]) }));
                    }
                } else {
                    validated.push(arg);
                }
                arg_index += 1;
            }
            at += take;
        }
        Ok(validated)
    }

    /// jsonata-js's `throwValidationError`: the first argument the growing prefix of the
    /// signature fails to match.
    fn validation_error(&self, args: &[Option<JValue>], sig: &[char]) -> JsonataError {
        let mut good_to = 0;
        for n in 1..=self.params.len() {
            let prefix = Signature { params: self.params.get(..n).unwrap_or(&[]).to_vec() };
            let mut groups = Vec::new();
            if !prefix.matches(sig, 0, 0, false, &mut groups) {
                break;
            }
            good_to = groups.iter().sum();
        }
        let bad = args.get(good_to).cloned().flatten();
        JsonataError::new("T0410").value_json(super::stringify::message_json(bad.as_ref())).index(good_to + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Option<JValue> {
        Some(JValue::str(x))
    }

    fn n(x: f64) -> Option<JValue> {
        Some(JValue::num(x))
    }

    #[test]
    fn context_and_optional_arguments() {
        let sig = Signature::parse("<s-nn?:s>").unwrap();
        let ctx = JValue::str("ctx");
        let v = sig.validate(&[n(1.0)], Some(&ctx)).unwrap();
        assert_eq!(v.len(), 3);
        assert!(matches!(&v[0], Some(JValue::String(s)) if &**s == "ctx"));
        let err = sig.validate(&[n(1.0), s("x")], Some(&ctx)).unwrap_err();
        assert_eq!((err.code, err.clone().render().message.contains("Argument 2")), ("T0410", true));
    }

    #[test]
    fn arrays_are_wrapped_and_typed() {
        let sig = Signature::parse("<a<n>:n>").unwrap();
        let v = sig.validate(&[n(3.0)], None).unwrap();
        assert!(matches!(&v[0], Some(JValue::Array(a)) if a.items.len() == 1));
        let bad = Some(JValue::array(vec![JValue::str("a")]));
        assert_eq!(sig.validate(&[bad], None).unwrap_err().code, "T0412");
        let sig = Signature::parse("<a+>").unwrap();
        assert_eq!(sig.validate(&[n(1.0), n(2.0), s("x")], None).unwrap().len(), 3);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(Signature::parse("<n<s>>").unwrap_err().code, "S0401");
        assert_eq!(Signature::parse("<(sa<n>)>").unwrap_err().code, "S0402");
    }
}
