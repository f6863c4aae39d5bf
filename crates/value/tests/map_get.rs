//! `TypedMap::get` finds exactly the keys a map holds, whether the map is small enough to be
//! scanned or searched as a tree.

use helmet_value::{Map, Value};

#[test]
fn get_finds_every_key_and_nothing_else() {
    let names = [
        "",
        "a",
        "b",
        "ab",
        "ba",
        "aa",
        "Values",
        "Release",
        "Chart",
        "Files",
        "Template",
        "Capabilities",
        "Subcharts",
        "root",
        "component",
        "image",
        "tag",
        "x",
        "xy",
        "é",
        "éa",
        "Valuez",
        "values",
        "Values2",
        "component ",
    ];
    for len in 0..names.len() {
        let mut map = Map::new();
        for (i, name) in names[..len].iter().enumerate() {
            map.insert(name.to_string(), Value::Int(i as i64));
        }
        let value = Value::map(map);
        let m = value.as_typed_map().expect("a map");
        for (i, name) in names.iter().enumerate() {
            let got = m.get(name).map(|v| match v {
                Value::Int(n) => n,
                _ => -1,
            });
            let expected = (i < len).then_some(i as i64);
            assert_eq!(got, expected, "{name:?} in a map of {len}");
        }
        for absent in ["Value", "Values ", "c", "rootx", "imag"] {
            assert!(m.get(absent).is_none(), "{absent:?} in a map of {len}");
        }
    }
}
