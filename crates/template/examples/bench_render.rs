//! Rough timing of parse and execute for a template ranging over many items.
use std::sync::Arc;
use std::time::Instant;

use helmet_template::Templates;
use helmet_value::{FuncMap, Map, Value};

fn main() {
    let items: Vec<Value> = (0..2000)
        .map(|i| {
            let mut m = Map::new();
            m.insert("name".into(), Value::from(format!("item{i}")));
            m.insert("port".into(), Value::Float64(i as f64));
            Value::map(m)
        })
        .collect();
    let mut top = Map::new();
    top.insert("items".into(), Value::list(items));
    let data = Value::map(top);
    let src = "{{- range $i, $x := .items }}\n- name: {{ $x.name }}\n  port: {{ $x.port }}\n  idx: {{ $i }}{{ if eq (printf \"%v\" $x.port) \"5\" }} five{{ end }}\n{{- end }}\n";
    let start = Instant::now();
    let mut t = Templates::new(Arc::new(FuncMap::new()));
    for i in 0..200 {
        t.add(&format!("t{i}"), src).unwrap();
    }
    println!("parse 200: {:?}", start.elapsed());
    let start = Instant::now();
    let mut total = 0;
    for i in 0..200 {
        total += t.execute(&format!("t{i}"), &data).unwrap().len();
    }
    println!(
        "execute 200 x 2000 items: {:?} ({total} bytes)",
        start.elapsed()
    );
}
