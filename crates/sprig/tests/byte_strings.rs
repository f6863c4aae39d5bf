//! Go strings that are not UTF-8 (`Value::ByteString`) where helmet does not follow Go: each such
//! use must fail with an error that names the limitation, never print a lossy stand-in. (What
//! helmet does support is checked against Helm in `fixtures/functions-extra/bytestrings-*.case`.)

use std::sync::Arc;

use helmet_template::Templates;
use helmet_value::{Map, Value};

fn render(template: &str, values: Value) -> Result<String, String> {
    let mut t = Templates::new(Arc::new(helmet_sprig::functions()));
    t.add("t", template).map_err(|e| e.message)?;
    let mut top = Map::new();
    top.insert("Values".into(), values);
    t.execute("t", &Value::map(top)).map_err(|e| e.message)
}

fn fails_by_name(template: &str) -> String {
    match render(template, Value::empty_map()) {
        Ok(out) => panic!("{template}: renders {out:?} instead of failing"),
        Err(e) => {
            assert!(
                e.contains("not supported by helmet"),
                "{template}: fails without naming the limitation: {e}"
            );
            e
        }
    }
}

#[test]
fn text_only_functions_refuse_by_name() {
    for (template, function) in [
        (r#"{{ tpl "\xff{{ 1 }}" . | b64enc }}"#, "tpl"),
        (r#"{{ fail "\xff" }}"#, "fail"),
        (r#"{{ $d := dict }}{{ $_ := set $d "\xff" 1 }}"#, "set"),
    ] {
        let e = fails_by_name(template);
        assert!(
            e.contains(&format!(
                "error calling {function}: a string that is not valid UTF-8"
            )),
            "{template}: {e}"
        );
    }
}

#[test]
fn writers_that_differ_refuse_by_name() {
    // A map key cannot hold such a string here.
    fails_by_name(r#"{{ dict "\xff" 1 | toJson }}"#);
    // go-yaml decodes 512 bytes at a time: past them, a syntax error or the end of the first
    // document may come before the bad byte.
    fails_by_name(r#"{{ print "a: b: c\n#" (repeat 600 "x") "\xff" | fromYaml }}"#);
    fails_by_name(r#"{{ print "a: 1\n---\n#" (repeat 600 "x") "\xff" | fromYaml }}"#);
    fails_by_name(r#"{{ print "a: [1, 2" (repeat 600 " ") "\xff" | fromYaml }}"#);
    // Printing a list of them as the final output: Helm writes the raw bytes.
    fails_by_name(r#"{{ list "\xff" }}"#);
}

#[test]
fn final_output_that_is_not_text_refuses_by_name() {
    let e = fails_by_name(r#"a{{ "\xff" }}b"#);
    assert!(e.starts_with("template: t: printing a string"), "{e}");
    fails_by_name(r#"{{ define "x" }}{{ "\xe6\x97" }}{{ end }}{{ include "x" . }}"#);
    // Bytes that join into text again are text.
    assert_eq!(
        render(r#"{{ "\xe6\x97" }}{{ "\xa5" }}"#, Value::empty_map()).as_deref(),
        Ok("日")
    );
}

#[test]
fn text_stays_a_plain_string() {
    // Only invalid bytes make a ByteString: every valid result is a Value::String.
    let out = render(
        r#"{{ "\xc3\xa9" | typeOf }} {{ "日本" | trunc 3 }} {{ "/w==" | b64dec | b64enc }}"#,
        Value::empty_map(),
    );
    assert_eq!(out.as_deref(), Ok("string 日 /w=="));
    assert!(matches!(Value::from_go_bytes(b"ok"), Value::String(_)));
    assert!(matches!(
        Value::from_go_bytes(b"\xff"),
        Value::ByteString(_)
    ));
}
