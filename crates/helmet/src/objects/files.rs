//! `.Files`: Helm's `engine.files`, a `map[string][]byte` of a chart's non-template files with
//! the methods `Get`, `GetBytes`, `Glob`, `Lines`, `AsConfig` and `AsSecrets`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use helmet_value::{ArgType, ElemType, Func, FuncError, Map, Object, Value};

use super::glob::Glob;
use crate::chart::File;

/// The files of one chart as templates see them. Keys are paths relative to the chart root.
#[derive(Clone)]
pub struct Files {
    entries: Arc<BTreeMap<String, Arc<[u8]>>>,
    /// Helm's `toYAML` (the `toYaml` template function), which `AsConfig`/`AsSecrets` print with.
    to_yaml: Option<Func>,
}

impl fmt::Debug for Files {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Files")
            .field("names", &self.entries.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Files {
    /// The files of a chart; `to_yaml` is the `toYaml` function used by `AsConfig`/`AsSecrets`.
    pub fn new(files: &[File], to_yaml: Option<Func>) -> Files {
        let entries = files
            .iter()
            .map(|f| (f.name.clone(), f.data.clone()))
            .collect();
        Files {
            entries: Arc::new(entries),
            to_yaml,
        }
    }

    fn with_entries(&self, entries: BTreeMap<String, Arc<[u8]>>) -> Files {
        Files {
            entries: Arc::new(entries),
            to_yaml: self.to_yaml.clone(),
        }
    }

    fn get_bytes(&self, name: &str) -> Arc<[u8]> {
        self.entries
            .get(name)
            .cloned()
            .unwrap_or_else(|| Arc::from(&[][..]))
    }

    /// `Glob`: the files whose names match; a pattern that does not compile matches everything,
    /// as Helm falls back to `**`.
    fn glob(&self, pattern: &str) -> Files {
        let entries = match Glob::compile(pattern) {
            Ok(glob) => self
                .entries
                .iter()
                .filter(|(name, _)| glob.matches(name))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            Err(_) => (*self.entries).clone(),
        };
        self.with_entries(entries)
    }

    fn lines(&self, name: &str) -> Result<Value, FuncError> {
        let items = match self.entries.get(name) {
            None => Vec::new(),
            // Helm indexes the last byte without checking, and Go reports the panic.
            Some(data) if data.is_empty() => {
                return Err(FuncError::new("runtime error: index out of range [-1]"))
            }
            Some(data) => {
                let text = data.strip_suffix(b"\n").unwrap_or(data);
                text.split(|b| *b == b'\n')
                    .map(Value::from_go_bytes)
                    .collect()
            }
        };
        Ok(Value::typed_list(ElemType::String, items))
    }

    /// A `map[string]string` from each file's base name to `encode(contents)`, printed with
    /// `toYaml`; later names win over earlier ones with the same base name, as in Go's map
    /// iteration only one of them survives.
    fn as_yaml_map(
        &self,
        ctx: &dyn helmet_value::CallContext,
        encode: impl Fn(&Arc<[u8]>) -> Value,
    ) -> Result<Value, FuncError> {
        let mut map = Map::new();
        for (name, data) in self.entries.iter() {
            let base = name.rsplit('/').next().unwrap_or(name);
            map.insert(base.to_string(), encode(data));
        }
        let to_yaml = self.to_yaml.as_ref().ok_or_else(|| {
            FuncError::new("function \"toYaml\" is not available for .Files.AsConfig")
        })?;
        (to_yaml.body)(ctx, &[Value::typed_map(ElemType::String, map)])
    }
}

/// A file's contents as a Go string: text, or a [`Value::ByteString`] for binary files (which
/// shares the file's bytes).
fn text_of(data: &Arc<[u8]>) -> Value {
    match std::str::from_utf8(data) {
        Ok(text) => Value::from(text),
        Err(_) => Value::ByteString(data.clone()),
    }
}

/// Standard base64 with padding, as Go's `base64.StdEncoding`.
pub(crate) fn base64_std(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        out.push(ALPHABET[(n >> 18) as usize & 63] as char);
        out.push(ALPHABET[(n >> 12) as usize & 63] as char);
        out.push(if chunk.len() > 1 {
            ALPHABET[(n >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            ALPHABET[n as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Go's `%v` of a `[]byte`: the numbers in brackets.
fn format_bytes(data: &[u8]) -> String {
    let mut out = String::from("[");
    for (i, b) in data.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&b.to_string());
    }
    out.push(']');
    out
}

fn string_arg(args: &[Value], index: usize) -> String {
    args.get(index)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }

    fn kind_name(&self) -> &'static str {
        "map"
    }

    /// A Go map type has no fields: `.Files.name` looks the key up.
    fn field(&self, name: &str) -> Option<Value> {
        Some(match self.entries.get(name) {
            Some(data) => Value::Bytes(data.clone()),
            None => Value::Bytes(Arc::from(&[][..])),
        })
    }

    fn method(&self, name: &str) -> Option<Func> {
        let this = self.clone();
        Some(match name {
            "Get" => Func::new(&[ArgType::String], move |_, args| {
                let name = string_arg(args, 0);
                Ok(text_of(&this.get_bytes(&name)))
            }),
            "GetBytes" => Func::new(&[ArgType::String], move |_, args| {
                Ok(Value::Bytes(this.get_bytes(&string_arg(args, 0))))
            }),
            "Glob" => Func::new(&[ArgType::String], move |_, args| {
                Ok(Value::Object(Arc::new(this.glob(&string_arg(args, 0)))))
            }),
            "Lines" => Func::new(&[ArgType::String], move |_, args| {
                this.lines(&string_arg(args, 0))
            }),
            "AsConfig" => Func::new(&[], move |ctx, _| this.as_yaml_map(ctx, text_of)),
            "AsSecrets" => Func::new(&[], move |ctx, _| {
                this.as_yaml_map(ctx, |data| Value::from(base64_std(data)))
            }),
            _ => return None,
        })
    }

    fn go_format(&self) -> String {
        let mut out = String::from("map[");
        for (i, (name, data)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(name);
            out.push(':');
            out.push_str(&format_bytes(data));
        }
        out.push(']');
        out
    }

    /// `engine.files` is a `map[string][]byte`: `%#v` names the type, the rest prints the map.
    fn go_shape(&self) -> Option<helmet_value::GoShape> {
        Some(helmet_value::GoShape::Underlying(self.to_data()))
    }

    fn is_true(&self) -> bool {
        !self.entries.is_empty()
    }

    /// The files as a `map[string][]byte`, for ranging, `index` and `toJson`.
    fn to_data(&self) -> Value {
        let entries: Map = self
            .entries
            .iter()
            .map(|(k, v)| (k.clone(), Value::Bytes(v.clone())))
            .collect();
        Value::map(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::{base64_std, Files};
    use crate::chart::File;
    use helmet_value::{CallContext, FuncError, Object, Value};

    struct NoTemplates;

    impl CallContext for NoTemplates {
        fn execute_template(&self, _: &str, _: &Value) -> Result<String, FuncError> {
            Err(FuncError::new("no templates"))
        }
        fn execute_text(&self, _: &str, _: &Value) -> Result<String, FuncError> {
            Err(FuncError::new("no templates"))
        }
    }

    #[test]
    fn a_binary_file_is_a_go_string_of_its_bytes() {
        let files = Files::new(
            &[
                File::new("files/crds.bz2", &b"BZh91AY&SY\xff\x00"[..]),
                File::new("files/a.txt", &b"a\nb\n"[..]),
            ],
            None,
        );
        let call = |method: &str, arg: &str| {
            let f = files.method(method).expect("method exists");
            (f.body)(&NoTemplates, &[Value::from(arg)])
        };
        let binary = call("Get", "files/crds.bz2").expect("binary string");
        assert_eq!(binary.as_go_bytes(), Some(&b"BZh91AY&SY\xff\x00"[..]));
        assert_eq!(binary.type_name(), "string");
        let lines = call("Lines", "files/crds.bz2").expect("binary lines");
        assert!(matches!(lines.as_list(), Some([Value::ByteString(_)])));
        let text = call("Get", "files/a.txt").expect("text");
        assert_eq!(text.as_str(), Some("a\nb\n"));
        assert!(call("GetBytes", "files/crds.bz2").is_ok());
    }

    #[test]
    fn base64_matches_go() {
        assert_eq!(base64_std(b"a=1\nb=2\n"), "YT0xCmI9Mgo=");
        assert_eq!(base64_std(b"z"), "eg==");
        assert_eq!(base64_std(b""), "");
    }
}
