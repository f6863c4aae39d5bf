//! Helm's own template functions (Helm v4's `pkg/engine/funcs.go` and `engine.go`): the YAML,
//! JSON and TOML converters, `include`, `tpl`, `required` and an offline `lookup`.

use std::sync::Mutex;

use helmet_value::{ArgType, CallContext, ElemType, FuncError, FuncMap, Map, Value};

use crate::{arg_str, def};

use ArgType::{Any, String as Str};

/// Helm trims the writer's final newline.
fn trim_newline(mut s: String) -> String {
    if s.ends_with('\n') {
        s.pop();
    }
    s
}

/// How deeply one template may include itself, as Helm's `recursionMaxNums`.
const MAX_INCLUDE_DEPTH: usize = 1000;

/// How many calls of each template by `include` are running, by name. Helm keeps this count
/// per render; the engine may continue a deep render on another thread, so the count is shared
/// by all threads. Renders running at the same time add up, which only matters for templates
/// that nest close to the limit. A name whose count drops to zero keeps its entry, so that
/// including it again allocates nothing, and entries never move while a call runs: a call's
/// guard lowers its count by position. The table is emptied when it holds many names and no
/// call is running.
static INCLUDE_DEPTH: Mutex<Vec<(Box<str>, usize)>> = Mutex::new(Vec::new());

/// How many names the include counts keep before idle ones are dropped.
const MAX_IDLE_INCLUDE_NAMES: usize = 1024;

fn include_depth() -> std::sync::MutexGuard<'static, Vec<(Box<str>, usize)>> {
    INCLUDE_DEPTH.lock().unwrap_or_else(|e| e.into_inner())
}

/// Lowers the include count at its position in the table when its call ends, however it ends.
struct DepthGuard(usize);

impl Drop for DepthGuard {
    fn drop(&mut self) {
        if let Some((_, n)) = include_depth().get_mut(self.0) {
            *n = n.saturating_sub(1);
        }
    }
}

/// Helm's `include`: executes a named template, refusing nesting beyond Helm's limit.
fn include(ctx: &dyn CallContext, name: &str, data: &Value) -> Result<Value, FuncError> {
    let entry = {
        let mut depth = include_depth();
        let position = match depth.iter().position(|(n, _)| **n == *name) {
            Some(position) => position,
            None => {
                if depth.len() >= MAX_IDLE_INCLUDE_NAMES && depth.iter().all(|(_, n)| *n == 0) {
                    depth.clear();
                }
                depth.push((name.into(), 0));
                depth.len() - 1
            }
        };
        let count = &mut depth[position].1;
        if *count > MAX_INCLUDE_DEPTH {
            None
        } else {
            *count += 1;
            Some(position)
        }
    };
    let Some(position) = entry else {
        return Err(FuncError::new(format!(
            "rendering template has a nested reference name: {name}: unable to execute template"
        )));
    };
    let _guard = DepthGuard(position);
    // A template that printed bytes that are not UTF-8 gives a Go string of them.
    ctx.execute_template_go(name, data)
}

/// sigs.k8s.io/yaml's error for YAML text that is not UTF-8: go-yaml's reader error where its
/// scanner certainly reaches the bad byte; other texts are refused by name
/// ([`helmet_yaml::reader_utf8::reached_problem`]).
fn yaml_reader_error(bytes: &[u8]) -> Result<String, FuncError> {
    helmet_yaml::reader_utf8::reached_problem(bytes)
        .map(|problem| format!("error converting YAML to JSON: yaml: {problem}"))
        .map_err(FuncError::new)
}

/// Helm's `warnWrap`: markers around a message that its error formatting shows alone, as
/// `execution error at (LOCATION): MESSAGE`.
fn warning(msg: &str) -> FuncError {
    FuncError::new(format!("HELM_ERR_START{msg}HELM_ERR_END"))
}

fn error_map(msg: String) -> Value {
    let mut m = Map::new();
    m.insert("Error".into(), Value::from(msg));
    Value::map(m)
}

/// JSON as Go's encoder writes it with `SetEscapeHTML(false)`: `<`, `>` and `&` inside strings
/// stay as they are instead of `\u003c`, `\u003e`, `\u0026`.
fn unescape_html(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let esc = &rest[i..];
        let plain = match esc.get(..6) {
            Some("\\u003c") => Some('<'),
            Some("\\u003e") => Some('>'),
            Some("\\u0026") => Some('&'),
            _ => None,
        };
        match plain {
            Some(c) => {
                out.push(c);
                rest = &esc[6..];
            }
            None => {
                // Any other escape is kept whole, so `\\u003c` (an escaped backslash) stays.
                let n = esc[1..].chars().next().map_or(1, |c| 1 + c.len_utf8());
                out.push_str(&esc[..n]);
                rest = &esc[n..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Helm's `tpl`: the text is parsed as a template that sees every defined template, executed
/// with `vals` as dot, and `<no value>` removed from its output.
fn tpl(ctx: &dyn CallContext, text: &str, vals: &Value) -> Result<Value, FuncError> {
    let quoted = helmet_value::strconv::quote(text);
    match ctx.execute_text_go(text, vals) {
        Ok(Value::String(out)) if out.contains("<no value>") => {
            Ok(Value::from(out.replace("<no value>", "")))
        }
        Ok(Value::ByteString(out)) => {
            let mut kept = Vec::with_capacity(out.len());
            let mut rest: &[u8] = &out;
            while let Some(at) = rest.windows(10).position(|w| w == b"<no value>") {
                kept.extend_from_slice(&rest[..at]);
                rest = &rest[at + 10..];
            }
            kept.extend_from_slice(rest);
            Ok(Value::from_go_bytes(kept))
        }
        Ok(other) => Ok(other),
        Err(e) => {
            // Execution errors name the failing action; anything else is a parse error.
            let msg = if e.0.contains(": executing \"") || e.0.contains("no template") {
                format!("error during tpl function execution for {quoted}: {}", e.0)
            } else {
                format!("cannot parse template {quoted}: {}", e.0)
            };
            Err(FuncError::new(msg))
        }
    }
}

pub(crate) fn register(map: &mut FuncMap) {
    def(map, "toYaml", &[Any], |_, a| {
        Ok(Value::from(
            helmet_yaml::to_yaml(&a[0])
                .map(trim_newline)
                .unwrap_or_default(),
        ))
    });
    def(map, "mustToYaml", &[Any], |_, a| {
        helmet_yaml::to_yaml(&a[0])
            .map(|s| Value::from(trim_newline(s)))
            .map_err(|e| FuncError::new(e.to_string()))
    });
    def(map, "toYamlPretty", &[Any], |_, a| {
        // Helm swallows the encoder's errors, but go-yaml v3 panics on types it cannot write
        // (`cannot marshal type: complex128`) and the panic fails the call.
        match helmet_yaml::to_yaml_v3(&a[0], 2) {
            Ok(text) => Ok(Value::from(trim_newline(text))),
            Err(e) if e.to_string().starts_with("cannot marshal type") => {
                Err(FuncError::new(e.to_string()))
            }
            // What helmet cannot write is no error of Helm's to swallow.
            Err(e) if e.to_string().contains("not supported by helmet") => {
                Err(FuncError::new(e.to_string()))
            }
            Err(_) => Ok(Value::from("")),
        }
    });
    def(map, "fromYaml", &[ArgType::ByteString], |_, a| {
        if let Value::ByteString(b) = &a[0] {
            return yaml_reader_error(b).map(error_map);
        }
        Ok(match helmet_yaml::from_str(arg_str(a, 0)) {
            Ok(v) => v,
            Err(e) => error_map(e.to_string()),
        })
    });
    def(map, "fromYamlArray", &[ArgType::ByteString], |_, a| {
        if let Value::ByteString(b) = &a[0] {
            return yaml_reader_error(b).map(|e| Value::list(vec![Value::from(e)]));
        }
        Ok(
            match helmet_yaml::from_str_as(arg_str(a, 0), helmet_yaml::Shape::List) {
                Ok(v) => v,
                Err(e) => Value::list(vec![Value::from(e.to_string())]),
            },
        )
    });
    def(map, "toJson", &[Any], |_, a| {
        Ok(Value::from(helmet_yaml::to_json(&a[0]).unwrap_or_default()))
    });
    def(map, "mustToJson", &[Any], |_, a| {
        helmet_yaml::to_json(&a[0])
            .map(Value::from)
            .map_err(|e| FuncError::new(e.to_string()))
    });
    def(map, "toPrettyJson", &[Any], |_, a| {
        Ok(Value::from(
            helmet_yaml::to_json_indent(&a[0], "", "  ").unwrap_or_default(),
        ))
    });
    def(map, "mustToPrettyJson", &[Any], |_, a| {
        helmet_yaml::to_json_indent(&a[0], "", "  ")
            .map(Value::from)
            .map_err(|e| FuncError::new(e.to_string()))
    });
    for name in ["toRawJson", "mustToRawJson"] {
        def(map, name, &[Any], |_, a| {
            helmet_yaml::to_json_via_pointer(&a[0])
                .map(|s| Value::from(unescape_html(&s)))
                .map_err(|e| FuncError::new(e.to_string()))
        });
    }
    // Any Go string: Go's decoder reads bytes (see helmet_yaml::from_json_as).
    def(map, "fromJson", &[ArgType::ByteString], |_, a| {
        Ok(
            match helmet_yaml::from_json_partial(crate::arg_bytes(a, 0), helmet_yaml::Shape::Map) {
                Ok(v) => v,
                // Helm adds the error to the map as far as the decoder filled it.
                Err((Some(Value::Map(m)), e)) => {
                    m.update(|entries| {
                        entries.insert("Error".into(), Value::from(e.to_string()));
                    });
                    Value::Map(m)
                }
                Err((_, e)) => error_map(e.to_string()),
            },
        )
    });
    // Sprig's own: any JSON document, errors returned.
    def(map, "mustFromJson", &[ArgType::ByteString], |_, a| {
        helmet_yaml::from_json_as(crate::arg_bytes(a, 0), helmet_yaml::Shape::Any)
            .map_err(|e| FuncError::new(e.to_string()))
    });
    def(map, "fromJsonArray", &[ArgType::ByteString], |_, a| {
        Ok(
            match helmet_yaml::from_json_as(crate::arg_bytes(a, 0), helmet_yaml::Shape::List) {
                Ok(v) => v,
                Err(e) => Value::list(vec![Value::from(e.to_string())]),
            },
        )
    });
    def(map, "toToml", &[Any], |_, a| {
        // Helm prints the encoder's error in place of the document, but Go's panics inside
        // the encoder fail the call.
        Ok(Value::from(match helmet_yaml::to_toml(&a[0]) {
            Ok(s) => s,
            Err(e) if e.is_panic() => return Err(FuncError::new(e.to_string())),
            Err(e) => e.to_string(),
        }))
    });
    def(map, "mustToToml", &[Any], |_, a| {
        helmet_yaml::to_toml(&a[0])
            .map(Value::from)
            .map_err(|e| FuncError::new(e.to_string()))
    });
    def(map, "fromToml", &[Str], |_, a| {
        // Helm puts a decoding error in the map under "Error" instead of failing.
        Ok(match helmet_yaml::toml_read::read_toml(arg_str(a, 0)) {
            Ok(table) => toml_table(table),
            Err(message) => {
                let mut m = Map::new();
                m.insert("Error".into(), Value::from(message));
                Value::map(m)
            }
        })
    });
    def(map, "include", &[Str, Any], |ctx, a| {
        include(ctx, arg_str(a, 0), &a[1])
    });
    def(map, "tpl", &[Str, Any], |ctx, a| {
        tpl(ctx, arg_str(a, 0), &a[1])
    });
    def(map, "required", &[Str, Any], |_, a| match &a[1] {
        Value::Nil => Err(warning(arg_str(a, 0))),
        Value::String(s) if s.is_empty() => Err(warning(arg_str(a, 0))),
        v => Ok(v.clone()),
    });
    // Helm replaces Sprig's `fail` with one whose message it reports on its own.
    def(map, "fail", &[Str], |_, a| Err(warning(arg_str(a, 0))));
    def(map, "lookup", &[Str, Str, Str, Str], |_, _| {
        Ok(Value::typed_map(ElemType::Interface, Map::new()))
    });
}

/// A decoded TOML table as `map[string]interface {}`.
fn toml_table(
    table: std::collections::BTreeMap<String, helmet_yaml::toml_read::TomlValue>,
) -> Value {
    let mut m = Map::new();
    for (k, v) in table {
        m.insert(k, toml_value(v));
    }
    Value::map(m)
}

/// A TOML value as the Go type BurntSushi/toml decodes it into.
fn toml_value(v: helmet_yaml::toml_read::TomlValue) -> Value {
    use helmet_yaml::toml_read::TomlValue as T;
    match v {
        T::String(s) => Value::from(s),
        T::Integer(i) => Value::Int64(i),
        T::Float(f) => Value::Float64(f),
        T::Bool(b) => Value::Bool(b),
        T::Datetime(dt) => crate::dates::toml_time(&dt),
        T::Array(items) => Value::list(items.into_iter().map(toml_value).collect()),
        T::Table(t) => toml_table(t),
        T::TableArray(tables) => Value::List(std::sync::Arc::new(helmet_value::List {
            elem: helmet_value::ElemType::MapAny,
            items: tables.into_iter().map(toml_table).collect(),
            nil: false,
        })),
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    /// An engine whose templates only include others: `outer` includes 1100 templates of
    /// different names, `r` includes itself; the rest print nothing.
    struct Includes {
        r_runs: Cell<usize>,
    }

    impl CallContext for Includes {
        fn execute_template(&self, name: &str, data: &Value) -> Result<String, FuncError> {
            match name {
                "outer" => {
                    for i in 0..1100 {
                        include(self, &format!("n{i}"), data)?;
                    }
                }
                "r" => {
                    self.r_runs.set(self.r_runs.get() + 1);
                    include(self, "r", data)?;
                }
                _ => {}
            }
            Ok(String::new())
        }

        fn execute_text(&self, _: &str, _: &Value) -> Result<String, FuncError> {
            Err(FuncError::new("no texts here"))
        }
    }

    #[test]
    fn include_counts_survive_a_full_table() {
        let run = || {
            let engine = Includes {
                r_runs: Cell::new(0),
            };
            // The table fills past its size while `outer` runs, so it cannot be emptied then.
            include(&engine, "outer", &Value::Nil).unwrap();
            let names = include_depth().len();
            assert!(names > MAX_IDLE_INCLUDE_NAMES, "{names}");
            assert!(include_depth().iter().all(|(_, n)| *n == 0));
            // Nothing runs now: a new name empties the table first.
            include(&engine, "fresh", &Value::Nil).unwrap();
            assert_eq!(include_depth().len(), 1);
            // Helm's limit: the 1002nd nested call of one name is refused.
            let err = include(&engine, "r", &Value::Nil).unwrap_err();
            assert_eq!(
                err.0,
                "rendering template has a nested reference name: r: unable to execute template"
            );
            assert_eq!(engine.r_runs.get(), MAX_INCLUDE_DEPTH + 1);
            assert!(include_depth().iter().all(|(_, n)| *n == 0));
        };
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }
}
