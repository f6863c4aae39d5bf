//! Writing Go values that templates build (ints, int64s, `[]string`, computed floats) with
//! every writer, against real Helm's output for `fixtures/yaml/typed/NAME.expr`.

use std::path::Path;

use helmet_value::{ElemType, Map, Value};
use helmet_yaml::{to_json, to_toml, to_yaml, to_yaml_v3};

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect::<Map>(),
    )
}

/// The Go value each template expression builds.
fn value_of(name: &str) -> Value {
    match name {
        "list-mixed" => Value::list(vec![
            Value::Int(1),
            "a".into(),
            Value::Float64(2.5),
            Value::Bool(true),
            Value::Nil,
        ]),
        "dict-ints" => map(vec![
            ("b", Value::Int(1)),
            ("a", Value::list(vec![])),
            ("c", Value::empty_map()),
            ("n", Value::Nil),
        ]),
        "ints64" => Value::list(vec![
            Value::Int64(5),
            Value::Int64(-9223372036854775807),
            Value::Int(9007199254740993),
        ]),
        "string-list" => Value::typed_list(
            ElemType::String,
            ["a", "yes", "1.0", "", "null"].map(Value::from).to_vec(),
        ),
        "floats" => Value::list(
            [
                1.0 / 3.0,
                0.3,
                1e21,
                1e20,
                1e-7,
                0.000001,
                123456789.125,
                -0.0,
                1e6,
                5e-324,
                f64::MAX,
            ]
            .map(Value::Float64)
            .to_vec(),
        ),
        "nested" => map(vec![(
            "x",
            map(vec![(
                "y",
                Value::list(vec![map(vec![("z", Value::Int(1))])]),
            )]),
        )]),
        "string" => "plain string".into(),
        "string-multiline" => "multi\nline\n".into(),
        "int" => Value::Int(42),
        "nil" => Value::list(vec![Value::Nil]),
        "json-escapes" => Value::list(
            ["<a>&", "\u{2028}", "tab\there", "é🎉"]
                .map(Value::from)
                .to_vec(),
        ),
        // fixtures/yaml/typed/bytes.bin
        "bytes" => Value::Bytes(b"hi\n\xff".as_slice().into()),
        other => panic!("no value for typed case {other}"),
    }
}

#[test]
fn typed_values_like_helm() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/yaml/typed");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures/yaml/typed")
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "expr").then(|| p.file_stem()?.to_str().map(String::from))?
        })
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut failures = Vec::new();
    for name in &names {
        let v = value_of(name);
        let trim = |s: String| s.strip_suffix('\n').map(String::from).unwrap_or(s);
        let got = format!(
            "JSON: {}\nYAML:\n{}\nPRETTY:\n{}\nTOML:\n{}\n",
            to_json(&v).unwrap_or_default(),
            trim(to_yaml(&v).unwrap_or_default()),
            trim(to_yaml_v3(&v, 2).unwrap_or_default()),
            to_toml(&v).unwrap_or_else(|e| e.to_string())
        );
        let golden = std::fs::read_to_string(dir.join(format!("{name}.out"))).expect("golden");
        if got != golden {
            failures.push(format!(
                "=== {name}\n--- expected\n{golden}\n--- got\n{got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
