//! `$ref` values that Go's URL parser takes but the `jsonschema` crate refuses.
//!
//! Helm's validator parses a `$ref` with Go's `url.Parse`, which lets a fragment hold characters
//! RFC 3986 leaves out (`[`, `]`, spaces, braces, non-ASCII letters): charts generated from
//! Helm values name their definitions `app.revisions[0]`. The crate parses references as strict
//! RFC 3986 URI references and refuses such schemas, so before compiling, those characters of a
//! fragment are percent-encoded; the crate decodes them again when it follows the JSON pointer.

use serde_json::Value;

/// A copy of `schema` with every `$ref` fragment made a valid URI fragment, or `None` when
/// every one already is (the common case: no copy).
pub(crate) fn uri_safe_refs(schema: &Value) -> Option<Value> {
    if !needs_rewrite(schema, 0) {
        return None;
    }
    let mut copy = schema.clone();
    rewrite(&mut copy, 0);
    Some(copy)
}

/// How deep the walk goes; the schema's own nesting limit is the JSON reader's.
const MAX_DEPTH: usize = 512;

fn needs_rewrite(v: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match v {
        Value::Object(map) => map.iter().any(|(k, v)| match (k.as_str(), v) {
            ("$ref", Value::String(r)) => encoded_fragment(r).is_some(),
            _ => needs_rewrite(v, depth + 1),
        }),
        Value::Array(items) => items.iter().any(|v| needs_rewrite(v, depth + 1)),
        _ => false,
    }
}

fn rewrite(v: &mut Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(r) if k == "$ref" => {
                        if let Some(safe) = encoded_fragment(r) {
                            *r = safe;
                        }
                    }
                    _ => rewrite(v, depth + 1),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite(v, depth + 1)),
        _ => {}
    }
}

/// The reference with its fragment percent-encoded where RFC 3986 does not allow a character,
/// or `None` when nothing needs encoding. Only the fragment is touched: the part before `#`
/// names a document, which the crate must see as written.
pub(super) fn encoded_fragment(reference: &str) -> Option<String> {
    let (base, fragment) = reference.split_once('#')?;
    let bytes = fragment.as_bytes();
    let allowed = |i: usize| {
        let b = bytes[i];
        b.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=:@/?".contains(&b)
            || (b == b'%'
                && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    };
    if (0..bytes.len()).all(allowed) {
        return None;
    }
    let mut out = String::with_capacity(reference.len() + 8);
    out.push_str(base);
    out.push('#');
    for (i, &b) in bytes.iter().enumerate() {
        if allowed(i) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_fragments_that_need_it_are_encoded() {
        assert_eq!(encoded_fragment("#/$defs/a.b"), None);
        assert_eq!(encoded_fragment("#/$defs/a%20b"), None);
        assert_eq!(
            encoded_fragment("#/$defs/v.revisions[0]").as_deref(),
            Some("#/$defs/v.revisions%5B0%5D")
        );
        assert_eq!(
            encoded_fragment("#/definitions/caf\u{e9} {x}").as_deref(),
            Some("#/definitions/caf%C3%A9%20%7Bx%7D")
        );
        assert_eq!(encoded_fragment("other.json"), None);
        assert_eq!(encoded_fragment("#a#b").as_deref(), Some("#a%23b"));
        assert_eq!(encoded_fragment("#100%").as_deref(), Some("#100%25"));
    }

    #[test]
    fn the_crate_follows_encoded_pointers() {
        let schema: Value = serde_json::from_str(
            r##"{"$schema": "http://json-schema.org/draft-07/schema#",
                "definitions": {"r[0]": {"type": "string"}, "caf\u00e9 {x}": {"type": "integer"}},
                "properties": {"a": {"$ref": "#/definitions/r[0]"},
                               "b": {"$ref": "#/definitions/caf\u00e9 {x}"}}}"##,
        )
        .unwrap();
        assert!(jsonschema::options().build(&schema).is_err());
        let safe = uri_safe_refs(&schema).expect("rewritten");
        let validator = jsonschema::options().build(&safe).expect("compiles");
        let good: Value = serde_json::from_str(r#"{"a": "x", "b": 1}"#).unwrap();
        let bad: Value = serde_json::from_str(r#"{"a": 1, "b": "x"}"#).unwrap();
        assert!(validator.is_valid(&good));
        assert_eq!(validator.iter_errors(&bad).count(), 2);
    }
}
