//! TOML writing as the BurntSushi/toml encoder does it for Helm's `toToml`: keys sorted, plain
//! values before tables, nested tables as indented `[a.b]` sections, lists of maps as `[[a]]`.

use helmet_value::{Map, Value};

use crate::errors::Error;
use crate::float::format_g_shortest;

/// Deepest nesting written, to keep recursion bounded.
const MAX_DEPTH: usize = 1000;

/// How the encoder classifies a value.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A map: written as a table.
    Table,
    /// A non-empty list whose items are all maps: written as an array of tables.
    TableArray,
    /// Anything written inline after `key = `.
    Inline,
}

fn nil_element() -> Error {
    Error::new("toml: cannot encode array with nil element")
}

/// The encoder's classification; `None` for nil (nil maps and nil slices too, which Go's
/// reflection calls nil). Lists are checked for nil items here, as the encoder does when it
/// classifies them.
fn kind_of(v: &Value, depth: usize) -> Result<Option<Kind>, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new("toml: nesting too deep"));
    }
    Ok(match v {
        Value::Nil => None,
        Value::Map(m) if m.is_nil() => None,
        Value::List(l) if l.is_nil() => None,
        Value::Map(_) => Some(Kind::Table),
        Value::List(l) => {
            if l.items.is_empty() {
                return Ok(Some(Kind::Inline));
            }
            let mut all_tables = true;
            for item in &l.items {
                match kind_of(item, depth + 1)? {
                    None => return Err(nil_element()),
                    Some(Kind::Table) => {}
                    Some(_) => all_tables = false,
                }
            }
            Some(if all_tables {
                Kind::TableArray
            } else {
                Kind::Inline
            })
        }
        Value::Object(o) => kind_of(&o.to_data(), depth + 1)?,
        _ => Some(Kind::Inline),
    })
}

/// A key piece as TOML needs it: bare when it only has `A-Za-z0-9_-`, quoted otherwise.
fn key_piece(k: &str) -> String {
    if k.is_empty() {
        return "\"\"".to_string();
    }
    let bare = k
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        k.to_string()
    } else {
        quote(k)
    }
}

/// A basic TOML string with the encoder's escapes.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Encoder {
    out: String,
    /// Whether anything was written: the encoder skips newlines before the first output.
    has_written: bool,
    depth: usize,
}

impl Encoder {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        self.has_written = true;
    }

    fn newline(&mut self) {
        if self.has_written {
            self.write("\n");
        }
    }

    fn indent(key: &[String]) -> String {
        "  ".repeat(key.len().saturating_sub(1))
    }

    fn full_key(key: &[String]) -> String {
        key.iter()
            .map(|k| key_piece(k))
            .collect::<Vec<_>>()
            .join(".")
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::new("toml: nesting too deep"));
        }
        Ok(())
    }

    fn encode(&mut self, key: &[String], v: &Value) -> Result<(), Error> {
        self.enter()?;
        match v {
            Value::Nil => {}
            Value::Map(m) => self.table(key, &m.entries())?,
            Value::List(l) => {
                if kind_of(v, 0)? == Some(Kind::TableArray) {
                    self.table_array(key, &l.items)?;
                } else {
                    self.key_value(key, v, false)?;
                }
            }
            Value::Object(o) => self.encode(key, &o.to_data())?,
            _ => self.key_value(key, v, false)?,
        }
        self.depth -= 1;
        Ok(())
    }

    fn key_value(&mut self, key: &[String], v: &Value, inline: bool) -> Result<(), Error> {
        if let Some(last) = key.last() {
            let line = format!("{}{} = ", Self::indent(key), key_piece(last));
            self.write(&line);
        }
        self.element(v)?;
        if !key.is_empty() && !inline {
            self.newline();
        }
        Ok(())
    }

    fn element(&mut self, v: &Value) -> Result<(), Error> {
        self.enter()?;
        match v {
            Value::Nil => return Err(nil_element()),
            Value::Bool(b) => self.write(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => self.write(&i.to_string()),
            Value::Uint64(u) => self.write(&u.to_string()),
            Value::Uint8(u) => self.write(&u.to_string()),
            Value::Complex128(..) => return Err(Error::new("unsupported type: complex128")),
            Value::Float64(f) => {
                let text = if f.is_nan() {
                    if f.is_sign_negative() { "-nan" } else { "nan" }.to_string()
                } else if f.is_infinite() {
                    if *f < 0.0 { "-inf" } else { "inf" }.to_string()
                } else {
                    let s = format_g_shortest(*f);
                    if s.contains(['.', 'e']) {
                        s
                    } else {
                        s + ".0"
                    }
                };
                self.write(&text);
            }
            Value::String(s) => self.write(&quote(s)),
            // The TOML writer goes rune by rune: each invalid byte becomes U+FFFD.
            Value::ByteString(b) => self.write(&quote(&helmet_value::gostring::to_text_lossy(b))),
            Value::Bytes(b) => {
                let items: Vec<String> = b.iter().map(|x| x.to_string()).collect();
                self.write(&format!("[{}]", items.join(", ")));
            }
            Value::List(l) => {
                self.write("[");
                for (i, item) in l.items.iter().enumerate() {
                    self.element(item)?;
                    if i + 1 != l.items.len() {
                        self.write(", ");
                    }
                }
                self.write("]");
            }
            Value::Map(m) => self.map(&[], &m.entries(), true)?,
            Value::Object(o) => self.element(&o.to_data())?,
        }
        self.depth -= 1;
        Ok(())
    }

    fn table(&mut self, key: &[String], entries: &Map) -> Result<(), Error> {
        if key.len() == 1 {
            // An empty line between top-level tables (none before the first output).
            self.newline();
        }
        if !key.is_empty() {
            let header = format!("{}[{}]", Self::indent(key), Self::full_key(key));
            self.write(&header);
            self.newline();
        }
        self.map(key, entries, false)
    }

    fn table_array(&mut self, key: &[String], items: &[Value]) -> Result<(), Error> {
        if key.is_empty() {
            return Err(Error::new(
                "toml: top-level values must be Go maps or structs",
            ));
        }
        for item in items {
            let Value::Map(m) = item else { continue };
            self.newline();
            let header = format!("{}[[{}]]", Self::indent(key), Self::full_key(key));
            self.write(&header);
            self.newline();
            self.map(key, &m.entries(), false)?;
        }
        Ok(())
    }

    /// A map's entries: plain values first, then tables, each group in key order.
    fn map(&mut self, key: &[String], entries: &Map, inline: bool) -> Result<(), Error> {
        let mut direct = Vec::new();
        let mut sub = Vec::new();
        for (k, v) in entries {
            // `None` (nil) entries keep their place: the encoder counts them for its commas.
            match kind_of(v, 0)? {
                Some(Kind::Table | Kind::TableArray) => sub.push((k, v, false)),
                kind => direct.push((k, v, kind.is_none())),
            }
        }
        if inline {
            self.write("{");
        }
        let has_sub = !sub.is_empty();
        for (group, trailing_comma) in [(direct, has_sub), (sub, false)] {
            let n = group.len();
            for (i, (k, v, nil)) in group.into_iter().enumerate() {
                // The encoder leaves out nil values, nil maps (`.Chart.Annotations` of a chart
                // without any) and nil slices (`concat` of nothing) included.
                if nil {
                    continue;
                }
                if inline {
                    self.key_value(std::slice::from_ref(k), v, true)?;
                    if trailing_comma || i + 1 != n {
                        self.write(", ");
                    }
                } else {
                    let mut child = key.to_vec();
                    child.push(k.clone());
                    self.encode(&child, v)?;
                }
            }
        }
        if inline {
            self.write("}");
        }
        Ok(())
    }
}

/// Writes TOML as BurntSushi/toml's `Encoder.Encode` (Helm's `toToml` prints the error text
/// instead when this fails).
pub(crate) fn marshal(v: &Value) -> Result<String, Error> {
    let mut enc = Encoder {
        out: String::new(),
        has_written: false,
        depth: 0,
    };
    if v.is_nil() {
        // The encoder asks reflect for the type of a nil interface, which panics.
        return Err(Error::panic(
            "reflect: call of reflect.Value.Type on zero Value",
        ));
    }
    enc.encode(&[], v)?;
    Ok(enc.out)
}
