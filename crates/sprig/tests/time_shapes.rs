//! The shape of `now` as Helm prints it: Go's `Time.String` with the monotonic clock reading
//! (`2026-11-23 03:38:25.721378334 +0000 UTC m=+0.034632275`), which toJson leaves out.

use std::sync::Arc;

use helmet_template::Templates;
use helmet_value::{Map, Value};
use regex::Regex;

fn render(src: &str) -> String {
    let mut t = Templates::new(Arc::new(helmet_sprig::functions()));
    t.add("t", src).unwrap();
    t.execute("t", &Value::map(Map::new())).unwrap()
}

#[test]
fn now_prints_with_a_monotonic_reading() {
    let shape =
        Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? \+0000 UTC m=\+\d+\.\d{9}$")
            .unwrap();
    for src in [
        "{{ now }}",
        "{{ now | toString }}",
        r#"{{ printf "%v" now }}"#,
    ] {
        let out = render(src);
        assert!(shape.is_match(&out), "{src}: {out}");
    }
    let json = render("{{ now | toJson }}");
    assert!(!json.contains("m="), "{json}");
    let derived = render(r#"{{ now | date "2006" }}"#);
    assert_eq!(derived.len(), 4, "{derived}");
}
