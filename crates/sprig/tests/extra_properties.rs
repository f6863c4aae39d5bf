//! Property tests for the functions whose output changes from run to run (random strings,
//! UUIDs, the current time), run through the template engine with the full function library.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use helmet_template::Templates;
use helmet_value::{Map, Value};

fn render(src: &str) -> Result<String, String> {
    let mut t = Templates::new(Arc::new(helmet_sprig::functions()));
    t.add("t", src).map_err(|e| e.message)?;
    t.execute("t", &Value::map(Map::new()))
        .map_err(|e| e.message)
}

#[test]
fn random_strings_have_length_and_alphabet() {
    type Alphabet = fn(char) -> bool;
    let cases: [(&str, Alphabet); 4] = [
        ("randAlphaNum", |c| c.is_ascii_alphanumeric()),
        ("randAlpha", |c| c.is_ascii_alphabetic()),
        ("randNumeric", |c| c.is_ascii_digit()),
        ("randAscii", |c| (' '..='~').contains(&c)),
    ];
    for (name, allowed) in cases {
        let out = render(&format!("{{{{ {name} 300 }}}}")).unwrap();
        assert_eq!(out.chars().count(), 300, "{name}");
        assert!(out.chars().all(allowed), "{name}: {out}");
        assert_eq!(render(&format!("{{{{ {name} 0 }}}}")).unwrap(), "");
        assert_eq!(render(&format!("{{{{ {name} -5 }}}}")).unwrap(), "");
    }
    // Two long draws are (overwhelmingly likely) different.
    assert_ne!(
        render("{{ randAlphaNum 40 }}").unwrap(),
        render("{{ randAlphaNum 40 }}").unwrap()
    );
}

#[test]
fn rand_bytes_is_base64_of_n_bytes() {
    let out = render("{{ randBytes 10 }}").unwrap();
    assert_eq!(out.len(), 16);
    assert!(out.ends_with("=="));
    assert!(out
        .trim_end_matches('=')
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/'));
    assert_eq!(render("{{ randBytes 0 }}").unwrap(), "");
    let err = render("{{ randBytes -1 }}").unwrap_err();
    assert!(err.contains("makeslice: len out of range"), "{err}");
}

#[test]
fn uuidv4_shape() {
    let out = render("{{ uuidv4 }}").unwrap();
    let parts: Vec<&str> = out.split('-').collect();
    assert_eq!(
        parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
        [8, 4, 4, 4, 12]
    );
    assert!(out
        .chars()
        .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)));
    assert!(parts[2].starts_with('4'));
    assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
}

#[test]
fn now_and_ago_follow_the_clock() {
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let out = render("{{ now | unixEpoch }} {{ typeOf now }} {{ now | date \"2006\" }}").unwrap();
    let after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let fields: Vec<&str> = out.split(' ').collect();
    let secs: u64 = fields[0].parse().unwrap();
    assert!(before <= secs && secs <= after);
    assert_eq!(fields[1], "time.Time");
    assert_eq!(fields[2].len(), 4);
    // An hour and a half ago, in whole seconds (a slow machine may add a second).
    let ago = render("{{ ago (dateModify \"-90m\" now) }}").unwrap();
    assert!(ago == "1h30m0s" || ago == "1h30m1s", "{ago}");
    assert_eq!(render("{{ ago now }}").unwrap(), "0s");
    let round = render("{{ durationRound (dateModify \"-49h\" now) }}").unwrap();
    assert_eq!(round, "2d");
}
