//! Go's fmt against Helm: every case of `fixtures/fmt/cases.txt` (a printf format and template
//! arguments) printed by `sprintf` must equal what Helm's `printf` printed
//! (`fixtures/fmt/golden.txt`, from `scripts/refresh-fmt-goldens`).

use helmet_value::fmt::sprintf;
use helmet_value::{Map, Value};

fn fixtures() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fmt")
}

/// `fixtures/fmt/values.yaml`, built by hand so this crate needs no YAML reader: numbers read
/// from YAML are float64, as Helm reads them.
fn values(name: &str) -> Value {
    let f = Value::Float64;
    match name {
        "nil" => Value::Nil,
        "f" => f(1_000_000.0),
        "big" => f(12_345_678_901_234_567_890.0),
        "l" => {
            let mut k = Map::new();
            k.insert("k".into(), Value::from("v"));
            Value::list(vec![
                f(1.0),
                Value::from("a"),
                Value::Nil,
                f(2.5),
                Value::list(vec![Value::Bool(true)]),
                Value::map(k),
            ])
        }
        "m" => {
            let mut m = Map::new();
            m.insert("b".into(), f(1.0));
            m.insert("a".into(), Value::from("x"));
            m.insert("c".into(), Value::list(vec![f(1.0), f(2.0)]));
            Value::map(m)
        }
        "s" => Value::from("h\u{e9}llo"),
        "e" => Value::from(""),
        other => panic!("no value {other} in fixtures/fmt/values.yaml"),
    }
}

/// Splits a case line into tokens: Go string literals (with their escapes), bare words.
fn tokens(line: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c == ' ' {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('n') => s.push('\n'),
                        Some('t') => s.push('\t'),
                        Some('u') => {
                            let hex: String = chars.by_ref().take(4).collect();
                            s.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                        }
                        Some(other) => s.push(other),
                        None => {}
                    },
                    c => s.push(c),
                }
            }
            out.push(Token::Str(s));
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            out.push(Token::Word(word));
        }
    }
    out
}

enum Token {
    Str(String),
    Word(String),
}

/// A template argument as Go's template engine passes it to `printf`'s `...interface {}`:
/// integer constants are `int`, constants with `.`, `e` or `E` are `float64`.
fn argument(token: Token) -> Value {
    match token {
        Token::Str(s) => Value::from(s),
        Token::Word(w) if w == "true" || w == "false" => Value::Bool(w == "true"),
        Token::Word(w) => match w.strip_prefix(".Values.") {
            Some(name) => values(name),
            None if w.contains(['.', 'e', 'E']) => Value::Float64(w.parse().unwrap()),
            None => Value::Int(w.parse().unwrap()),
        },
    }
}

#[test]
fn printf_matches_helm() {
    let cases = std::fs::read_to_string(fixtures().join("cases.txt")).unwrap();
    let golden = std::fs::read_to_string(fixtures().join("golden.txt")).unwrap();
    let outputs: Vec<&str> = golden.split("\n@@@@\n").collect();
    let cases: Vec<&str> = cases.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(outputs.len(), cases.len() + 1, "one golden per case");
    let mut failures = Vec::new();
    for (case, want) in cases.iter().zip(&outputs) {
        let mut toks = tokens(case).into_iter();
        let Some(Token::Str(format)) = toks.next() else {
            panic!("case without a format: {case}");
        };
        let args: Vec<Value> = toks.map(argument).collect();
        let got = sprintf(&format, &args);
        if got != *want {
            failures.push(format!(
                "printf {case}\n   helm: {want:?}\n   ours: {got:?}"
            ));
        }
    }
    println!(
        "{} passed, {} failed",
        cases.len() - failures.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
