//! Unit tests of the public API: evaluation, limits on a small stack, analysis.

use super::*;
use crate::json;

fn eval(expr: &str, input: Value) -> Result<Option<Value>, JsonataError> {
    let mut env = EvalEnv::new(Rng::new(0), 0);
    Expr::parse(expr)?.evaluate(&input, &NoBindings, &mut env)
}

#[test]
fn basics() {
    assert_eq!(eval("1 + 2", Value::Null).unwrap(), Some(json!(3)));
    assert_eq!(eval("a.b", json!({"a": {"b": [1, 2]}})).unwrap(), Some(json!([1, 2])));
}

/// Runs `f` on a thread with a 1 MiB stack (a browser's wasm stack is this size).
fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(1 << 20).spawn(f).unwrap().join().unwrap()
}

fn code(expr: &str) -> Result<String, &'static str> {
    let mut env = EvalEnv::new(Rng::new(0), 0);
    match Expr::parse(expr).and_then(|e| e.evaluate(&Value::Null, &NoBindings, &mut env)) {
        Ok(v) => Ok(v.map_or_else(|| "undefined".to_string(), |v| v.to_json())),
        Err(e) => Err(e.code),
    }
}

/// The nesting AWS accepts evaluates; one level more is the depth error (measured on AWS by
/// the Floci maintainers: 100 terms of `+`, 99 of `(`, `[` and `~>`, and `$f(31)` of a
/// non-tail recursion nesting three levels per call).
#[test]
fn aws_nesting_bounds_on_a_small_stack() {
    small_stack(|| {
        let rec = |n: u32| format!("($f := function($x){{ $x <= 0 ? 0 : 1 + $f($x-1) }}; $f({n}))");
        let cases = [
            (format!("1{}", "+1".repeat(99)), format!("1{}", "+1".repeat(100))),
            (
                format!("{}1{}", "(".repeat(99), ")".repeat(99)),
                format!("{}1{}", "(".repeat(100), ")".repeat(100)),
            ),
            (
                format!("{}1{}", "[".repeat(99), "]".repeat(99)),
                format!("{}1{}", "[".repeat(100), "]".repeat(100)),
            ),
            (format!("1{}", "~>$string".repeat(99)), format!("1{}", "~>$string".repeat(100))),
            (rec(31), rec(32)),
        ];
        for (ok, too_deep) in cases {
            assert!(code(&ok).is_ok(), "{}: {:?}", &ok[..20], code(&ok));
            assert_eq!(code(&too_deep), Err("U1001"), "{}", &too_deep[..20]);
        }
    });
}

/// Whatever the nesting, the answer is an error, never a stack overflow.
#[test]
fn any_nesting_is_a_clean_error() {
    small_stack(|| {
        for n in [150, 300, 1000, 200_000] {
            for text in [
                format!("{}1{}", "(".repeat(n), ")".repeat(n)),
                format!("1{}", "+1".repeat(n)),
                // `--1` folds to a literal while parsing, so only the parser's bound applies
                format!("{}1", "-".repeat(n.max(300))),
                format!("{}1{}", "{'a':".repeat(n), "}".repeat(n)),
                format!("{}1{}", "$f(".repeat(n), ")".repeat(n)),
            ] {
                assert_eq!(code(&text), Err("U1001"), "{n}: {}", &text[..10]);
            }
        }
        // A path is a flat list of steps once parsed (as in jsonata-js, so AWS evaluates long
        // ones), but the parser builds it through a nested tree first: past MAX_TREE_DEPTH steps
        // it is the depth error. Below that, the parser's stack budget decides, and frames differ
        // in size between builds: 150 steps evaluate in a release build (what the playground
        // runs) and may be refused in a debug one. Either way, an answer and not a crash.
        let path = |n: usize| format!("$x.{}", vec!["a"; n].join("."));
        let short = code(&path(150));
        assert!(short.as_deref() == Ok("undefined") || short == Err("U1001"), "{short:?}");
        for n in [300, 1000, 200_000] {
            assert_eq!(code(&path(n)), Err("U1001"), "a path of {n} steps");
        }
        // deep recursion with a larger depth allowance still stops before the stack runs out
        let mut env = EvalEnv::new(Rng::new(0), 0);
        env.limits.max_depth = 1_000_000;
        let e = Expr::parse("($f := function($x){ $x <= 0 ? 0 : 1 + $f($x-1) }; $f(100000))").unwrap();
        assert_eq!(e.evaluate(&Value::Null, &NoBindings, &mut env).unwrap_err().code, "U1001");
    });
}

#[test]
fn bindings_results_and_errors() {
    let mut env = EvalEnv::new(Rng::new(0), 0);
    let states = json!({"input": {"items": [{"p": 1}, {"p": 20}], "name": "x"}});
    let bindings = |name: &str| match name {
        "states" => Some(states.clone()),
        "limit" => Some(json!(10)),
        _ => None,
    };
    let e = Expr::parse("$states.input.items[p > $limit].p").unwrap();
    assert_eq!(e.evaluate(&Value::Null, &bindings, &mut env).unwrap(), Some(json!(20)));
    // undefined is not null
    let e = Expr::parse("$states.input.missing").unwrap();
    assert_eq!(e.evaluate(&Value::Null, &bindings, &mut env).unwrap(), None);
    assert_eq!(eval("null", Value::Null).unwrap(), Some(Value::Null));
    // a function result is its own kind of error
    let err = eval("function($x){$x}", Value::Null).unwrap_err();
    assert_eq!(err.kind, ErrorKind::UnsupportedResult);
    // syntax errors carry code, message and position
    let err = Expr::parse("$states.input.(a + )").unwrap_err();
    assert_eq!((err.code, err.kind), ("S0211", ErrorKind::Syntax));
    assert_eq!(err.position, Some(20)); // just past the token, as jsonata-js reports it
    assert_eq!(err.to_string(), "S0211: The symbol \")\" cannot be used as a unary operator");
    // limit errors print without a code, as Step Functions words them
    let err = eval("[1..900000] ~> $count()", Value::Null).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Expression evaluation memory limit exceeded: Check for excessive memory usage"
    );
    // $power's exponent as jsonata-js inserts it: missing is undefined, NaN is null
    let err = eval("$power(1, $nothing)", Value::Null).unwrap_err();
    assert_eq!(
        err.to_string(),
        "D3061: The power function has resulted in a value that cannot be represented as a JSON number: base=1, exponent=undefined"
    );
    let err = eval("$power(1, 0/0)", Value::Null).unwrap_err();
    assert!(err.to_string().ends_with("base=1, exponent=null"), "{err}");
    let err = eval("$power(2, 1/0)", Value::Null).unwrap_err();
    assert!(err.to_string().ends_with("base=2, exponent=null"), "{err}");
    let err = eval("$power(0/0, 2)", Value::Null).unwrap_err();
    assert!(err.to_string().ends_with("base=null, exponent=2"), "{err}");
    // Known difference (README): the platform's pow, not V8's (1.4641000000000006 there). Native
    // only: on wasm32 the pow is another's.
    #[cfg(not(target_arch = "wasm32"))]
    assert_eq!(eval("$power(1.1, 4)", Value::Null).unwrap(), Some(json!(1.4641000000000004)));
    // the input is JSONata's context; an array input is one value
    assert_eq!(eval("$count($)", json!([1, 2, 3])).unwrap(), Some(json!(3)));
    assert_eq!(eval("$", json!([1])).unwrap(), Some(json!([1])));
    let mut env = EvalEnv::new(Rng::new(0), 0);
    assert_eq!(Expr::parse("$").unwrap().evaluate_input(None, &NoBindings, &mut env).unwrap(), None);
}

/// JSONata's numbers are JavaScript's doubles: integers from the input past 2^53 compare as the
/// doubles they round to (a QA pass found `big = b2` false while `big = 9007199254740992` was
/// true, and `$distinct` keeping both).
#[test]
fn input_integers_past_2_53_compare_as_doubles() {
    let input = crate::json::parse(r#"{"big": 9007199254740993, "b2": 9007199254740992, "o": {"n": 9007199254740993}, "p": {"n": 9007199254740992}}"#).unwrap();
    let t = |e: &str| eval(e, input.clone()).unwrap().unwrap().to_json();
    assert_eq!(t("big = 9007199254740992"), "true");
    assert_eq!(t("big = b2"), "true");
    assert_eq!(t("big != b2"), "false");
    assert_eq!(t("o = p"), "true");
    assert_eq!(t("$count($distinct([big, b2]))"), "1");
    assert_eq!(t("big = 9007199254740994"), "false");
}

#[test]
fn integral_results_are_integers() {
    assert_eq!(eval("2.5 * 2", Value::Null).unwrap().unwrap().to_json(), "5");
    assert_eq!(eval("a", json!({"a": 1.0})).unwrap().unwrap().to_json(), "1");
    assert_eq!(eval("a", json!({"a": [1.0, {"b": 2.0}]})).unwrap().unwrap().to_json(), "[1,{\"b\":2}]");
    assert_eq!(eval("0.1 + 0.2", Value::Null).unwrap().unwrap().to_json(), "0.30000000000000004");
    assert_eq!(eval("-0", Value::Null).unwrap().unwrap().to_json(), "0");
}

#[test]
fn top_level_input_references() {
    let refs = |e: &str| -> Vec<String> {
        Expr::parse(e).unwrap().input_references().into_iter().map(|r| r.name).collect()
    };
    assert_eq!(refs("phone"), ["phone"]);
    assert_eq!(refs("$.x"), ["$"]);
    assert_eq!(refs("$$.x"), ["$$"]);
    assert_eq!(refs("$count(items) + 1"), ["items"]);
    assert_eq!(refs("{'a': b}"), ["b"]);
    assert_eq!(refs("*"), ["*"]);
    assert!(refs("$states.input.phone").is_empty());
    assert!(refs("$states.input.items[price > 10].{'n': name}").is_empty());
    assert!(refs("$map($states.input.items, function($i){ $i.name })").is_empty());
    assert!(refs("'literal' & 1").is_empty());
    assert!(refs("$states.input ~> |a|{'b': c}|").is_empty());
    assert!(refs("($x := 1; $x + $y)").is_empty());
    // a lambda's body runs in the context it was defined in: the top level here
    assert_eq!(refs("$map([1], function($v){ name })"), ["name"]);
    let e = Expr::parse("$states.input.phone").unwrap();
    assert!(!e.references_input());
    assert_eq!(Expr::parse("phone").unwrap().input_references()[0].position, 5);
}

#[test]
fn free_variables() {
    let vars = |e: &str| -> Vec<String> { Expr::parse(e).unwrap().variables().into_iter().collect() };
    assert_eq!(vars("$states.input.a + $count + $total"), ["states", "total"]);
    assert_eq!(vars("$sum($states.input.x) & $string($y)"), ["states", "y"]);
    assert_eq!(vars("($a := 1; $a + $b)"), ["b"]);
    assert_eq!(vars("($a := $a + 1; $a)"), ["a"]);
    assert_eq!(vars("function($p){ $p + $q }"), ["q"]);
    assert_eq!(vars("($f := function($n){ $n = 0 ? 1 : $f($n - 1) }; $f(3))"), Vec::<String>::new());
    assert_eq!(vars("items@$i.($i.name & $o)"), ["o"]);
}

#[test]
fn states_fields() {
    let fields = |e: &str| -> Vec<String> { Expr::parse(e).unwrap().states_fields().into_iter().collect() };
    assert_eq!(fields("$states.result.Payload & $states.input.x"), ["input", "result"]);
    assert_eq!(fields("$count($states.errorOutput.Cause) + 1"), ["errorOutput"]);
    assert_eq!(
        fields("$map($states.input.a, function($v){ $states.context.State.Name })"),
        ["context", "input"]
    );
    assert!(fields("$states").is_empty());
    assert!(fields("$lookup($states, 'result')").is_empty());
    assert!(fields("$other.result").is_empty());
}

/// Random token soup and random documents: every outcome is a value or an error, never a
/// panic, on a 1 MiB stack.
#[test]
fn no_panics_on_random_expressions() {
    small_stack(|| {
        const TOKENS: &[&str] = &[
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ".",
            ",",
            ";",
            ":",
            "?",
            "$",
            "$$",
            "\"a\"",
            "'b'",
            "`c d`",
            "/x+/i",
            "*",
            "**",
            "%",
            "#$i",
            "@$v",
            "^(",
            "~>",
            ":=",
            "..",
            "-",
            "+",
            "&",
            "|",
            "=",
            "!=",
            "<",
            ">=",
            "and",
            "or",
            "in",
            "function($x)",
            "{$x}",
            "1",
            "2.5",
            "-1",
            "1e3",
            "a",
            "b",
            "c",
            "true",
            "null",
            "$x",
            "$f",
            "$string",
            "$sum",
            "$map",
            "$sort",
            "$match",
            "$replace",
            "$split",
            "$formatNumber",
            "$fromMillis",
            "$toMillis",
            "$formatInteger",
            "$reduce",
            "$keys",
            "$each",
            "$zip",
            "$partition",
            "$range",
            "$hash",
            "$parse",
            "$substring",
            "$pad",
            "'#,##0.00'",
            "'[Y0001]-[M01]'",
            "'w'",
            "$random",
            "$uuid",
            "$distinct",
            "$spread",
            "$merge",
            "$lookup",
            "$sift",
            "$shuffle",
            "$clone",
            "?",
        ];
        let docs = [
            json!(null),
            json!({"a": [1, {"b": "x"}, [2, [3]]], "b": {"c": 1.5}, "c": "text"}),
            json!([{"a": 1}, {"a": [true, null]}, "s"]),
        ];
        let mut rng = Rng::new(20_240_101);
        for _ in 0..3000 {
            let n = 1 + rng.next_below(12) as usize;
            let mut text = String::new();
            for _ in 0..n {
                text.push_str(TOKENS[rng.next_below(TOKENS.len() as i32) as usize]);
                if rng.next_below(3) == 0 {
                    text.push(' ');
                }
            }
            let doc = &docs[rng.next_below(docs.len() as i32) as usize];
            let mut env = EvalEnv::new(Rng::new(1), 0);
            env.limits.max_steps = 100_000;
            if let Ok(e) = Expr::parse(&text) {
                let _ = e.evaluate(doc, &NoBindings, &mut env);
                let _ = e.input_references();
                let _ = e.variables();
            }
        }
    });
}

/// Values as deep as the JSON parser allows go through every recursive walk (equality,
/// `$string`, `$clone`, descendants, keys, distinct, transforms, the result conversion) on a
/// 1 MiB stack; a deeper value built by the expression is refused, not overflowed.
#[test]
fn deep_values_on_a_small_stack() {
    small_stack(|| {
        let depth = crate::value::MAX_DEPTH as usize - 2;
        let text = format!("{}1{}", "[{\"a\":".repeat(depth / 2), "}]".repeat(depth / 2));
        let doc = crate::json::parse(&format!("{{\"d\": {text}}}")).unwrap();
        let mut env = EvalEnv::new(Rng::new(0), 0);
        for e in [
            "d = d",
            "$length($string(d)) > 0",
            "$count(**) > 0",
            "$count($keys(d)) >= 0",
            "$count($distinct([d, d]))",
            "$exists($clone(d))",
            "$exists(d ~> |**|{'x': 1}|)",
            "$exists(d)",
            "$count($spread(d))",
            "$exists($merge([d]))",
            "$count(*)",
        ] {
            let r = Expr::parse(e).unwrap().evaluate(&doc, &NoBindings, &mut env);
            assert!(r.is_ok() || r.as_ref().is_err_and(|e| e.code == "U1001"), "{e}: {r:?}");
        }
        // 5,000 levels built by the expression itself: a clean error
        let e = Expr::parse("$reduce([1..5000], function($acc, $x){ [[$acc]] }, [])").unwrap();
        assert_eq!(e.evaluate(&Value::Null, &NoBindings, &mut env).unwrap_err().code, "U1001");
        let e = Expr::parse("$string($reduce([1..5000], function($acc, $x){ {'a': $acc} }, {}))").unwrap();
        assert_eq!(e.evaluate(&Value::Null, &NoBindings, &mut env).unwrap_err().code, "U1001");
    });
}

#[test]
fn huge_numbers_in_pictures_and_dates() {
    for (e, want) in [
        ("$fromMillis(0, '[Y,99999999999999999999]')", None),
        ("$toMillis('99999999999999999999', '[Y]')", None),
        ("$formatInteger(1e300, 'A') ~> $length()", None),
        ("$formatInteger(1e12, 'I')", Some("U1002")),
        ("$formatInteger(1e300, 'w') ~> $length() > 0", None),
        ("$fromMillis(1e300)", Some("D1001")),
    ] {
        match (eval(e, Value::Null), want) {
            (Ok(_), None) => {}
            (Err(err), Some(code)) => assert_eq!(err.code, code, "{e}"),
            (other, _) => panic!("{e}: {other:?}"),
        }
    }
}

#[test]
fn integral_doubles_are_written_as_javascript_writes_them() {
    // What jsonata-js gives, through JSON.stringify (`String(x)` in Node for each).
    let text = |expr: &str| eval(expr, Value::Null).unwrap().map(|v| v.to_json());
    assert_eq!(text("2.5 * 4").as_deref(), Some("10"));
    assert_eq!(text("$power(2, 53)").as_deref(), Some("9007199254740992"));
    assert_eq!(text("$power(2, 60)").as_deref(), Some("1152921504606847000"));
    assert_eq!(text("123456789012345678").as_deref(), Some("123456789012345680"));
    assert_eq!(text("-$power(2, 62)").as_deref(), Some("-4611686018427388000"));
    assert_eq!(text("2.5").as_deref(), Some("2.5"));
    // Past i64 they stay doubles (JavaScript would write 10000000000000000000).
    assert_eq!(text("1e19").as_deref(), Some("1e19"));
    // Whatever the text, it reads back as the same double.
    for (expr, f) in
        [("$power(2, 60)", 2f64.powi(60)), ("123456789012345678", 123456789012345678.0), ("9.1e18", 9.1e18)]
    {
        let back = eval(expr, Value::Null).unwrap().and_then(|v| v.as_f64());
        assert_eq!(back, Some(f), "{expr}");
    }
}

/// KNOWN DIFFERENCES from jsonata-js 2.0.6 (measured side by side by a QA pass; AWS's behaviour is
/// not recorded), said in the README's list: a character outside the Basic Multilingual Plane is
/// one character to a pattern, where JavaScript's patterns see two UTF-16 halves (jsonata-js
/// counts 2, replaces with "xx" and says `false` below), while `$match`'s index counts UTF-16
/// units as jsonata-js's does; and integer-like keys keep their written order (jsonata-js puts
/// them first: `["1", "2", "b"]`).
#[test]
fn astral_characters_and_integer_like_keys_differ_from_javascript() {
    let text = |expr: &str| eval(expr, Value::Null).unwrap().map(|v| v.to_json());
    assert_eq!(text(r#"$count($match("😀", /./))"#).as_deref(), Some("1"));
    assert_eq!(text(r#"$replace("😀", /./, "x")"#).as_deref(), Some(r#""x""#));
    assert_eq!(text(r#"$contains("😀", /^.$/)"#).as_deref(), Some("true"));
    assert_eq!(text(r#"$match("😀a", /a/).index"#).as_deref(), Some("2"));
    assert_eq!(text(r#"$keys({"b": 1, "2": 2, "1": 3})"#).as_deref(), Some(r#"["b","2","1"]"#));
}
