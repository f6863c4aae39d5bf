//! Bad and hostile inputs must come back as errors, never as panics or runaway work.

use std::path::Path;

use helmet_yaml::{from_json, from_str_any, to_json, to_toml, to_yaml, to_yaml_v3};

/// Reads, and when that works writes back with every writer.
fn round_trip(src: &str) {
    if let Ok(v) = from_str_any(src) {
        let _ = to_json(&v);
        let _ = to_yaml(&v);
        let _ = to_yaml_v3(&v, 2);
        let _ = to_toml(&v);
    }
    let _ = from_json(src);
}

#[test]
fn mutated_fixtures_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/yaml/read");
    let mut seeds: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "yaml").then(|| std::fs::read_to_string(p).ok())?
        })
        .collect();
    seeds.sort();
    // A small deterministic generator: replace, insert or delete characters that matter to
    // YAML's syntax.
    let specials: Vec<char> = ":-?[]{},#&*!|>'\"%@` \t\n\\~.0x\u{85}\u{2028}é🎉"
        .chars()
        .collect();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for seed in &seeds {
        for _ in 0..40 {
            let mut chars: Vec<char> = seed.chars().collect();
            for _ in 0..1 + next() % 4 {
                if chars.is_empty() {
                    break;
                }
                let at = (next() % chars.len() as u64) as usize;
                let c = specials[(next() % specials.len() as u64) as usize];
                match next() % 3 {
                    0 => chars[at] = c,
                    1 => chars.insert(at, c),
                    _ => {
                        chars.remove(at);
                    }
                }
            }
            let text: String = chars.into_iter().collect();
            round_trip(&text);
        }
    }
}

#[test]
fn deep_nesting_is_an_error() {
    let deep_flow = format!("a: {}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(from_str_any(&deep_flow).is_err());
    let mut deep_block = String::new();
    for i in 0..1500 {
        deep_block.push_str(&" ".repeat(i));
        deep_block.push_str("k:\n");
    }
    round_trip(&deep_block);
    let deep_json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(from_json(&deep_json).is_err());
}

#[test]
fn large_documents_read_in_linear_time() {
    // Quadratic work per key or per line would make this take minutes instead of a moment.
    let mut doc = String::from("items:\n");
    for i in 0..20_000 {
        doc.push_str(&format!("  - name: item{i}\n    port: {i}\n"));
    }
    for i in 0..20_000 {
        doc.push_str(&format!("key{i}: value {i}\n"));
    }
    let v = helmet_yaml::from_str(&doc).expect("large document");
    assert_eq!(v.as_map().map(|m| m.len()), Some(20_001));
}
