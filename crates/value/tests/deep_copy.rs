//! `Value::deep_copy_refused` tells, without copying, what `Value::deep_copy` refuses; and
//! `deep_copy_acyclic` copies as `deep_copy` does.

use std::sync::Arc;

use helmet_value::{ElemType, Map, TypedMap, Value};

/// `n` maps nested in each other around `leaf`.
fn nest(n: usize, leaf: Value) -> Value {
    (0..n).fold(leaf, |inner, _| {
        let mut m = Map::new();
        m.insert("k".into(), inner);
        Value::map(m)
    })
}

/// `deep_copy_refused` answers as `deep_copy` does, at the depth limit, with
/// slices of maps and of scalars, and for maps holding themselves.
#[test]
fn refuses_what_deep_copy_refuses() {
    // Deep trees recurse in deep_copy and in drop: a big stack for the test.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            let scalar = Value::Float64(1.0);
            let scalars = Value::list(vec![Value::Float64(1.0)]);
            let empty = Value::empty_map();
            let maps_in_list = Value::list(vec![scalar.clone(), empty.clone()]);
            let mut cases = Vec::new();
            for n in [0, 1, 5] {
                for leaf in [&scalar, &scalars, &empty, &maps_in_list] {
                    cases.push(nest(n, leaf.clone()));
                }
            }
            // At the limit (each walk is quadratic in the depth: few cases).
            for (n, leaf) in [
                (10_000, &scalar),
                (10_001, &scalar),
                (10_000, &empty),
                (10_000, &scalars),
                (9_999, &maps_in_list),
                (10_000, &maps_in_list),
            ] {
                cases.push(nest(n, leaf.clone()));
            }
            let cyclic = nest(3, Value::Nil);
            let inner = cyclic.map_get("k").unwrap();
            inner
                .as_typed_map()
                .unwrap()
                .update(|m| m.insert("back".into(), Value::list(vec![cyclic.clone()])));
            cases.push(cyclic.clone());
            // The same map twice is no cycle.
            let twice = nest(2, scalar.clone());
            cases.push(Value::list(vec![twice.clone(), twice]));
            let mut refused = 0;
            for (i, v) in cases.iter().enumerate() {
                let copy = v.deep_copy();
                assert_eq!(v.deep_copy_refused(), copy.is_none(), "case {i}");
                refused += usize::from(copy.is_none());
            }
            assert_eq!(refused, 3);
            // Break the cycle so that it can be dropped.
            inner.as_typed_map().unwrap().update(|m| m.remove("back"));
        })
        .unwrap()
        .join()
        .unwrap();
}

/// The copy without the self-check gives the same maps, new ones, with the same depth limit.
#[test]
fn acyclic_copy_is_a_deep_copy() {
    let inner = Value::map(Map::from([("a".to_string(), Value::Float64(1.0))]));
    let list = Value::list(vec![inner.clone(), Value::from("s")]);
    let top = Value::map(Map::from([
        ("inner".to_string(), inner.clone()),
        ("list".to_string(), list),
    ]));
    let copy = top.deep_copy_acyclic().unwrap();
    assert_eq!(
        format!("{copy:?}"),
        format!("{:?}", top.deep_copy().unwrap())
    );
    copy.map_get("inner")
        .unwrap()
        .as_typed_map()
        .unwrap()
        .update(|m| m.insert("a".into(), Value::from("changed")));
    assert!(matches!(inner.map_get("a"), Some(Value::Float64(f)) if f == 1.0));
    // A map holding no maps shares its entries with its copy until one side writes: a write to
    // the original does not show in the copy either.
    let copy = top.deep_copy_acyclic().unwrap();
    inner
        .as_typed_map()
        .unwrap()
        .update(|m| m.insert("b".into(), Value::from("new")));
    let copied = copy.map_get("inner").unwrap();
    assert!(copied.map_get("b").is_none());
    assert!(!helmet_value::TypedMap::same(
        copied.as_typed_map().unwrap(),
        inner.as_typed_map().unwrap()
    ));
}

/// A nil map's copy is a nil map, as copystructure leaves it (Helm's `deepCopy` of `.Chart`
/// keeps `.Annotations` nil: `toJson` writes `null`), inside a map or alone.
#[test]
fn nil_maps_stay_nil() {
    let nil = Value::Map(Arc::new(TypedMap::nil(ElemType::String)));
    let mut outer = Map::new();
    outer.insert("Annotations".into(), nil.clone());
    outer.insert("Name".into(), Value::from("c"));
    let outer = Value::map(outer);
    for copy in [nil.deep_copy(), nil.deep_copy_acyclic()] {
        assert!(copy.unwrap().as_typed_map().unwrap().is_nil());
    }
    for copy in [outer.deep_copy(), outer.deep_copy_acyclic()] {
        let annotations = copy.unwrap().map_get("Annotations").unwrap();
        assert!(annotations.as_typed_map().unwrap().is_nil());
    }
}
