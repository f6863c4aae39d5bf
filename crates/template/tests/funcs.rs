//! Calls of typed functions and object methods. The expected texts are Helm v4.2.3's, taken from
//! the oracle with Sprig functions of the same Go signatures (`repeat(int, string)`,
//! `typeOf(interface {})`, `.Files.Get(string)`), rewritten from Helm's trace layout back into
//! the Go message the engine produces.

use std::sync::Arc;

use helmet_template::Templates;
use helmet_value::{ArgType, CallContext, Func, FuncError, FuncMap, Map, Object, Value};

#[derive(Debug)]
struct Files;

impl Object for Files {
    fn type_name(&self) -> &str {
        "files.Files"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn method(&self, name: &str) -> Option<Func> {
        (name == "Get").then(|| {
            Func::new(&[ArgType::String], |_, args| {
                Ok(Value::from(format!(
                    "content of {}",
                    args[0].as_str().unwrap_or("")
                )))
            })
        })
    }
    fn go_format(&self) -> String {
        "map[]".into()
    }
    /// Helm's `Files` is a Go map, so templates can range over it.
    fn to_data(&self) -> Value {
        let mut m = Map::new();
        m.insert("b.txt".into(), Value::from("B"));
        m.insert("a.txt".into(), Value::from("A"));
        Value::map(m)
    }
}

fn funcs() -> FuncMap {
    let mut f = FuncMap::new();
    f.insert(
        "repeat".into(),
        Func::new(&[ArgType::Int, ArgType::String], |_, a| {
            let n = match a[0] {
                Value::Int(n) => n.max(0) as usize,
                _ => 0,
            };
            Ok(Value::from(a[1].as_str().unwrap_or("").repeat(n)))
        }),
    );
    f.insert(
        "typeOf".into(),
        Func::new(&[ArgType::Any], |_, a| Ok(Value::from(a[0].type_name()))),
    );
    f.insert(
        "include".into(),
        Func::new(
            &[ArgType::String, ArgType::Any],
            |ctx: &dyn CallContext, a| {
                ctx.execute_template(a[0].as_str().unwrap_or(""), &a[1])
                    .map(Value::from)
            },
        ),
    );
    f.insert(
        "tpl".into(),
        Func::new(
            &[ArgType::String, ArgType::Any],
            |ctx: &dyn CallContext, a| {
                ctx.execute_text(a[0].as_str().unwrap_or(""), &a[1])
                    .map(Value::from)
            },
        ),
    );
    f.insert(
        "boom".into(),
        Func::new(&[], |_, _| Err(FuncError::new("it broke"))),
    );
    f
}

fn data() -> Value {
    let mut values = Map::new();
    values.insert("num".into(), Value::Float64(3.0));
    values.insert("str".into(), Value::from("s"));
    let mut top = Map::new();
    top.insert("Values".into(), Value::map(values));
    top.insert("Files".into(), Value::Object(Arc::new(Files)));
    Value::map(top)
}

const NAME: &str = "cases/templates/t.yaml";

fn run(src: &str) -> Result<String, String> {
    let mut t = Templates::new(Arc::new(funcs()));
    t.add(NAME, src).map_err(|e| e.to_string())?;
    t.execute(NAME, &data()).map_err(|e| e.to_string())
}

fn exec_err(col: usize, ctx: &str, msg: &str) -> String {
    format!("template: {NAME}:1:{col}: executing \"{NAME}\" at <{ctx}>: {msg}")
}

#[test]
fn constants_convert_to_parameter_types() {
    assert_eq!(
        run("{{ repeat 1.5 \"x\" }}").unwrap_err(),
        exec_err(10, "1.5", "expected integer; found 1.5")
    );
    assert_eq!(
        run("{{ repeat 2 3 }}").unwrap_err(),
        exec_err(12, "3", "expected string; found 3")
    );
    assert_eq!(
        run("{{ repeat 2 nil }}").unwrap_err(),
        exec_err(12, "nil", "cannot assign nil to string")
    );
    assert_eq!(run("{{ repeat 2 \"ab\" }}").unwrap(), "abab");
}

#[test]
fn values_are_checked_against_parameter_types() {
    assert_eq!(
        run("{{ repeat .Values.num \"x\" }}").unwrap_err(),
        exec_err(
            17,
            ".Values.num",
            "wrong type for value; expected int; got float64"
        )
    );
    assert_eq!(
        run("{{ repeat 2 .Values.nope }}").unwrap_err(),
        exec_err(
            19,
            ".Values.nope",
            "wrong type for value; expected string; got interface {}"
        )
    );
    assert_eq!(
        run("{{ $x := .Values.nope }}{{ repeat 2 $x }}").unwrap_err(),
        exec_err(36, "$x", "invalid value; expected string")
    );
}

#[test]
fn argument_counts_and_pipes() {
    assert_eq!(
        run("{{ repeat 2 }}").unwrap_err(),
        exec_err(3, "repeat", "wrong number of args for repeat: want 2 got 1")
    );
    assert_eq!(
        run("{{ repeat 2 \"x\" \"y\" }}").unwrap_err(),
        exec_err(3, "repeat", "wrong number of args for repeat: want 2 got 3")
    );
    assert_eq!(run("{{ \"x\" | repeat 2 }}").unwrap(), "xx");
}

#[test]
fn ideal_constants_for_interface_parameters() {
    assert_eq!(
        run("{{ typeOf 3 }} {{ typeOf 1.0 }} {{ typeOf 0x10 }} {{ typeOf 1e2 }}").unwrap(),
        "int float64 int float64"
    );
}

#[test]
fn methods_of_objects() {
    assert_eq!(run("{{ .Files.Get \"a\" }}").unwrap(), "content of a");
    assert_eq!(run("{{ \"b\" | .Files.Get }}").unwrap(), "content of b");
    assert_eq!(
        run("{{ .Files.Get }}").unwrap_err(),
        exec_err(
            9,
            ".Files.Get",
            "wrong number of args for Get: want 1 got 0"
        )
    );
    assert_eq!(
        run("{{ .Files.Get \"a\" \"b\" }}").unwrap_err(),
        exec_err(
            9,
            ".Files.Get",
            "wrong number of args for Get: want 1 got 2"
        )
    );
}

#[test]
fn function_errors_name_the_function() {
    assert_eq!(
        run("{{ boom }}").unwrap_err(),
        exec_err(3, "boom", "error calling boom: it broke")
    );
}

#[test]
fn include_and_tpl_reach_the_engine() {
    assert_eq!(
        run("{{ define \"d\" }}D{{ .Values.str }}{{ end }}{{ include \"d\" . }}").unwrap(),
        "Ds"
    );
    assert_eq!(
        run("{{ include \"nope\" . }}").unwrap_err(),
        exec_err(
            3,
            "include \"nope\" .",
            "error calling include: template: no template \"nope\" associated with template \"gotpl\""
        )
    );
    assert_eq!(
        run(
            "{{ define \"d\" }}D{{ end }}{{ tpl \"{{ template \\\"d\\\" }}{{ .Values.num }}\" . }}"
        )
        .unwrap(),
        "D3"
    );
    // Helm's tpl wraps this as `cannot parse template "{{ .x": template: gotpl:1: unclosed action`.
    assert_eq!(
        run("{{ tpl \"{{ .x\" . }}").unwrap_err(),
        exec_err(
            3,
            "tpl \"{{ .x\" .",
            "error calling tpl: template: gotpl:1: unclosed action"
        )
    );
}

#[test]
fn custom_delimiters() {
    let mut t = Templates::new(Arc::new(funcs())).with_delims("[[", "]]");
    t.add("d", "[[ .Values.str ]] {{ x }} [[- \" y\" -]] z")
        .unwrap();
    assert_eq!(t.execute("d", &data()).unwrap(), "s {{ x }} yz");
}

#[test]
fn strict_missing_keys() {
    let mut t = Templates::new(Arc::new(funcs()));
    t.set_missing_key_error(true);
    t.add("s", "{{ .Values.nope }}").unwrap();
    assert_eq!(
        t.execute("s", &data()).unwrap_err().to_string(),
        "template: s:1:10: executing \"s\" at <.Values.nope>: map has no entry for key \"nope\""
    );
}

#[test]
fn templates_run_in_parallel() {
    let mut t = Templates::new(Arc::new(funcs()));
    t.add("a", "{{ range 100 }}{{ . }}{{ end }}").unwrap();
    let t = Arc::new(t);
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let t = t.clone();
            std::thread::spawn(move || t.execute("a", &Value::Nil).unwrap().len())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 190);
    }
}

#[test]
fn include_recursion_hops_stacks() {
    // Each include level runs a fresh execution; deep chains must not exhaust the caller's stack.
    let src = "{{ define \"r\" }}{{ if lt (len .) 3000 }}{{ include \"r\" (printf \"%sx\" .) }}{{ else }}{{ len . }}{{ end }}{{ end }}{{ include \"r\" \"\" }}";
    assert_eq!(run(src).unwrap(), "3000");
}

#[test]
fn else_if_chains_parse_and_run() {
    let mut src = String::from("{{ if eq 1 0 }}0");
    for i in 1..400 {
        src.push_str(&format!("{{{{ else if eq 1 {i} }}}}{i}"));
    }
    src.push_str("{{ end }}");
    assert_eq!(run(&src).unwrap(), "1");
}

#[test]
fn range_over_objects_that_are_go_maps() {
    assert_eq!(
        run("{{ range $k, $v := .Files }}{{ $k }}={{ $v }};{{ end }}").unwrap(),
        "a.txt=A;b.txt=B;"
    );
}
