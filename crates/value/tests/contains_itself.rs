//! `Value::contains_itself` on shallow values (walked on the call stack) and on values nested
//! deeper than that walk goes (walked with an explicit stack), with and without cycles.

use helmet_value::{Map, Value};

/// `depth` maps, each the only entry of the one before; the innermost is returned too.
fn chain(depth: usize) -> (Value, Value) {
    let innermost = Value::map(Map::new());
    let mut v = innermost.clone();
    for i in 0..depth {
        let mut m = Map::new();
        m.insert("k".into(), v);
        // Slices between maps count as levels too.
        v = if i % 3 == 0 {
            Value::list(vec![Value::Nil, Value::map(m)])
        } else {
            Value::map(m)
        };
    }
    (v, innermost)
}

fn insert(map: &Value, key: &str, value: Value) {
    map.as_typed_map()
        .expect("a map")
        .update(|m| m.insert(key.to_string(), value));
}

#[test]
fn acyclic_values_at_every_depth() {
    for depth in [0, 1, 2, 10, 31, 32, 33, 100, 500] {
        let (v, _) = chain(depth);
        assert!(!v.contains_itself(), "depth {depth}");
    }
    assert!(!Value::string("x").contains_itself());
}

#[test]
fn the_same_map_twice_is_no_cycle() {
    let shared = Value::map(Map::new());
    let mut m = Map::new();
    m.insert("a".into(), shared.clone());
    m.insert("b".into(), Value::list(vec![shared.clone(), shared]));
    assert!(!Value::map(m).contains_itself());
}

#[test]
fn cycles_at_every_depth() {
    for depth in [0, 1, 2, 10, 31, 32, 33, 100, 500] {
        let (v, innermost) = chain(depth);
        let outermost = match &v {
            Value::List(l) => l.items[1].clone(),
            _ => v.clone(),
        };
        insert(&innermost, "back", outermost);
        assert!(v.contains_itself(), "depth {depth}");
        // A value that only reaches the cycle holds it too.
        assert!(
            Value::list(vec![v.clone()]).contains_itself(),
            "depth {depth}"
        );
        insert(&innermost, "back", Value::Nil);
        assert!(!v.contains_itself(), "depth {depth}, cycle removed");
    }
}

#[test]
fn a_map_holding_itself_through_a_slice() {
    let m = Value::map(Map::new());
    insert(&m, "items", Value::list(vec![Value::Int(1), m.clone()]));
    assert!(m.contains_itself());
    insert(&m, "items", Value::Nil);
}
