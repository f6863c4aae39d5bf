//! Maps that hold themselves (made with `set` or `merge`). Helm crashes with a Go stack overflow
//! when it prints one, so there are no goldens: helmet must stop with an error, never overflow
//! its own stack, and keep the operations that work in Go (field chains, `deepEqual`).

use std::sync::Arc;

use helmet_template::Templates;
use helmet_value::{Map, Value};

fn render(src: &str) -> Result<String, String> {
    let mut t = Templates::new(Arc::new(helmet_sprig::functions()));
    t.add("t", src).map_err(|e| e.message)?;
    t.execute("t", &Value::map(Map::new()))
        .map_err(|e| e.message)
}

const SELF: &str = r#"{{- $d := dict "a" 1 }}{{- $_ := set $d "self" $d }}"#;

#[test]
fn printing_fails_with_an_error() {
    for action in [
        "{{ $d }}",
        r#"{{ printf "%v" $d }}"#,
        "{{ print $d }}",
        "{{ merge (dict) $d }}",
    ] {
        let err = render(&format!("{SELF}{action}")).unwrap_err();
        assert!(err.contains("contains itself"), "{action}: {err}");
    }
    let err = render(&format!("{SELF}{{{{ deepCopy $d }}}}")).unwrap_err();
    assert!(err.contains("contains itself"), "{err}");
}

#[test]
fn reading_through_the_cycle_works() {
    assert_eq!(
        render(&format!("{SELF}{{{{ $d.self.self.a }}}}")).unwrap(),
        "1"
    );
    assert_eq!(
        render(&format!("{SELF}{{{{ deepEqual $d $d }}}}")).unwrap(),
        "true"
    );
    // Writers that detect cycles fail inside, and Helm's toYaml/toJson print nothing then.
    assert_eq!(render(&format!("{SELF}{{{{ toJson $d }}}}")).unwrap(), "");
    assert_eq!(render(&format!("{SELF}{{{{ toYaml $d }}}}")).unwrap(), "");
}

#[test]
fn merge_through_a_cycle_does_not_overflow() {
    let src =
        format!("{SELF}{{{{ $_ := merge $d (dict \"self\" (dict \"b\" 2)) }}}}{{{{ $d.b }}}}");
    assert!(render(&src).is_ok(), "{:?}", render(&src));
}

#[test]
fn sprig_string_functions_fail_with_the_engine_error() {
    for action in [
        "{{ toString $d }}",
        "{{ quote $d }}",
        "{{ squote $d }}",
        "{{ join \",\" (list $d) }}",
        "{{ toStrings (list 1 $d) }}",
        "{{ sortAlpha $d }}",
        "{{ sortAlpha (list $d) }}",
        "{{ dict $d 1 }}",
        "{{ toDecimal $d }}",
    ] {
        let err = render(&format!("{SELF}{action}")).unwrap_err();
        assert!(
            err.contains(helmet_value::fmt::SELF_HOLDING),
            "{action}: {err}"
        );
    }
}
