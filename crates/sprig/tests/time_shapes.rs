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

#[test]
fn add_and_date_modify_keep_the_monotonic_reading() {
    let mono = Regex::new(r" m=([+-])(\d+)\.\d{9}$").unwrap();
    let moved = render(r#"{{ now | dateModify "1h" }}"#);
    let caps = mono.captures(&moved).unwrap_or_else(|| panic!("{moved}"));
    assert_eq!(&caps[1], "+");
    assert!(caps[2].parse::<u64>().unwrap() >= 3600, "{moved}");
    let back = render(r#"{{ now | dateModify "-90m" }}"#);
    let caps = mono.captures(&back).unwrap_or_else(|| panic!("{back}"));
    assert_eq!(&caps[1], "-", "{back}");
    assert!(mono.is_match(&render("{{ now.Add 5 }}")));
    // Times not made by now have no reading.
    let fixed = render(r#"{{ toDate "2006-01-02" "2024-03-05" | dateModify "1h" }}"#);
    assert!(!fixed.contains("m="), "{fixed}");
}
