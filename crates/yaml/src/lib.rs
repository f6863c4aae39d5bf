//! YAML 1.1 reading and YAML/JSON/TOML writing that match Go byte for byte.
//!
//! Helm reads values with `sigs.k8s.io/yaml` (go-yaml v2 underneath, YAML 1.1 rules, every
//! number a `float64` after a trip through encoding/json) and writes them with `toYaml`
//! (`sigs.k8s.io/yaml.Marshal`), `toYamlPretty` (go-yaml v3) and `toJson` (encoding/json).
//! This crate reproduces those readers and writers, including their error texts.
//!
//! Readers: [`load_values`] (a chart's values file, as Helm's `LoadValues`), [`from_str`] /
//! [`from_str_as`] (`fromYaml`, `fromYamlArray`), [`from_str_any`], [`from_str_go_types`] with
//! [`go_string_field`] (typed struct fields such as `Chart.yaml`'s), [`from_json`] /
//! [`from_json_as`] (`fromJson`, `fromJsonArray`), [`from_json_prefix`] (`--set-json`).
//!
//! Writers: [`to_yaml`] (`toYaml`), [`to_yaml_v3`] (`toYamlPretty`), [`to_json`] (`toJson`),
//! [`to_json_indent`] (`toPrettyJson`), [`to_toml`] (`toToml`). The YAML writers return the
//! text with its final newline; Helm's template functions trim it. [`toml_read::read_toml`]
//! reads TOML for `fromToml`. [`json_scan`] reads Go-JSON token by token with Go's syntax errors
//! and byte offsets, one value or a stream of them; the JSON readers here are built on it.
//!
//! The parsing itself is done by `saphyr-parser` (YAML 1.2); where go-yaml's YAML 1.1 scanner
//! behaves differently (tabs, NEL, U+2028 and U+2029 line breaks, anchor names, under-indented
//! quoted lines, escapes, implicit keys) the differences are bridged here, and its errors are
//! translated into libyaml's wording and line numbering.
#![deny(missing_docs)]

mod after_root;
mod block;
mod emit;
mod errors;
mod float;
mod flow;
mod gostr;
mod json;
pub mod json_scan;
mod read;
pub mod reader_utf8;
mod resolve;
mod toml;
pub mod toml_read;
mod values;
mod write;

pub use errors::Error;
use helmet_value::Value;

/// The Go variable a document is decoded into, which decides what shapes are accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `map[string]interface{}`: `null` or an empty document gives an empty map.
    Map,
    /// `[]interface{}`: `null` or an empty document gives an empty list.
    List,
    /// `interface{}`: any document; an empty one is `nil`.
    Any,
}

/// Reads values YAML as Helm does (`chartutil.ReadValues`, `sigs.k8s.io/yaml.Unmarshal` into
/// a map): YAML 1.1 scalars, numbers as `float64`, string keys, only the first document.
pub fn from_str(src: &str) -> Result<Value, Error> {
    read::read(src, Shape::Map)
}

/// Reads a chart's values file as Helm's `LoadValues`: the text is cut into documents at
/// `---` lines (Kubernetes' YAML reader), each is read as with [`from_str`], and the maps are
/// merged in order. Errors read `cannot unmarshal yaml document: ...` or
/// `error reading yaml document: ...`; Helm prefixes them with `cannot load values.yaml: `.
pub fn load_values(src: &str) -> Result<Value, Error> {
    values::load(src)
}

/// Reads a YAML document of any shape with the same rules as [`from_str`].
pub fn from_str_any(src: &str) -> Result<Value, Error> {
    read::read(src, Shape::Any)
}

/// Reads a rendered manifest as [`from_str_any`] does (the same errors, and the same value
/// for `apiVersion`, `kind` and `metadata`), for a caller that needs only that head (Helm's
/// `SimpleHead`): the root mapping's other entries may be `Nil`, read only for their errors.
pub fn from_str_head(src: &str) -> Result<Value, Error> {
    read::read_head(src)
}

/// Reads YAML into a Go variable of the given shape (`fromYaml` uses [`Shape::Map`],
/// `fromYamlArray` [`Shape::List`]); a mismatch fails as encoding/json does.
pub fn from_str_as(src: &str, shape: Shape) -> Result<Value, Error> {
    read::read(src, shape)
}

/// Reads YAML as sigs.k8s.io/yaml hands it to a Go struct: map keys turned into strings, but
/// scalars keep go-yaml's types (`Int` for integers, `Uint64` above `i64::MAX`, `Float64`
/// including NaN and infinities, which only encoding/json would reject). For decoding files
/// such as `Chart.yaml` into typed fields, where an integer and a float convert to strings
/// differently.
pub fn from_str_go_types(src: &str) -> Result<Value, Error> {
    read::read_go_typed(src)
}

/// The text sigs.k8s.io/yaml puts into a Go `string` field for a scalar read with
/// [`from_str_go_types`]: integers in decimal, floats as `FormatFloat(f, 'g', -1, 32)` (so
/// `3.14159265358979` becomes `3.1415927` and `.inf` becomes `+Inf`), booleans as
/// `true`/`false`, strings unchanged. `None` for nil (the field stays empty) and for
/// collections (a type error for the caller).
pub fn go_string_field(v: &Value) -> Option<String> {
    Some(match v {
        Value::String(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::Uint64(u) => u.to_string(),
        Value::Float64(f) => float::format_g_shortest32(*f),
        _ => return None,
    })
}

/// Reads JSON as Go's `json.Unmarshal` into `interface{}`: numbers are `float64`.
pub fn from_json(src: &str) -> Result<Value, Error> {
    json::unmarshal(src.as_bytes(), Shape::Any)
}

/// Reads JSON into a Go variable of the given shape (`fromJson` uses [`Shape::Map`],
/// `fromJsonArray` [`Shape::List`]), with Go's error texts. The text is any Go string: as in Go,
/// each byte that is not UTF-8 becomes U+FFFD inside a string literal and is a syntax error
/// (`invalid character 'ÿ' ...`) outside one.
pub fn from_json_as(src: impl AsRef<[u8]>, shape: Shape) -> Result<Value, Error> {
    json::unmarshal(src.as_ref(), shape)
}

/// [`from_json_as`], keeping on an error the value as far as Go's decoder had filled its target
/// (a number out of float64's range leaves null and decoding goes on; Helm's `fromJson` returns
/// that map with the error added under `Error`).
pub fn from_json_partial(
    src: impl AsRef<[u8]>,
    shape: Shape,
) -> Result<Value, (Option<Value>, Error)> {
    json::unmarshal_partial(src.as_ref(), shape)
}

/// Reads the first JSON value of `src` as Go's `json.Decoder.Decode` into `interface{}` does
/// (Helm's `--set-json` reads each value so): the value, numbers as `float64`, and the byte
/// offset just after it (`InputOffset`); white space before it is skipped and what follows is
/// left unread. Errors are the decoder's: `unexpected EOF` when the text ends inside the value,
/// `EOF` when it holds none.
pub fn from_json_prefix(src: &str) -> Result<(Value, usize), Error> {
    json::decode_first(src.as_bytes())
}

/// Writes JSON as Go's `json.Marshal`: sorted keys, HTML-safe escaping, Go's float format.
pub fn to_json(v: &Value) -> Result<String, Error> {
    refuse_cycles(v)?;
    json::marshal(v, None)
}

/// Writes JSON as [`to_json`] for a value Go encodes through a pointer to it (Sprig's
/// `toRawJson` encodes `&v`): the same text, but the pointer is one more level of Go's nesting,
/// which moves the container a cycle is reported at.
pub fn to_json_via_pointer(v: &Value) -> Result<String, Error> {
    refuse_cycles_below(v, 1)?;
    json::marshal(v, None)
}

/// Writes JSON as Go's `json.MarshalIndent(v, prefix, indent)`.
pub fn to_json_indent(v: &Value, prefix: &str, indent: &str) -> Result<String, Error> {
    refuse_cycles(v)?;
    json::marshal(v, Some((prefix, indent)))
}

/// Writes YAML as `sigs.k8s.io/yaml.Marshal` (Helm's `toYaml`, which then trims the final
/// newline): via JSON, keys in go-yaml's order, sequences not indented under their key,
/// whole numbers without a fraction, long lines folded at 80 columns.
pub fn to_yaml(v: &Value) -> Result<String, Error> {
    // sigs.k8s.io/yaml writes JSON first and says so in the errors of that step.
    refuse_cycles(v).map_err(|e| Error::new(format!("error marshaling into JSON: {e}")))?;
    write::marshal_v2(v)
}

/// Writes YAML as go-yaml v3's encoder with `SetIndent(indent)` (Helm's `toYamlPretty` uses 2
/// and trims the final newline): Go values written directly, sequences indented, no folding.
pub fn to_yaml_v3(v: &Value, indent: usize) -> Result<String, Error> {
    refuse_cycles(v)?;
    write::marshal_v3(v, indent)
}

/// Writes TOML as BurntSushi/toml's encoder (Helm's `toToml`, which prints the error text in
/// place of the document when encoding fails, except for errors where [`Error::is_panic`] is
/// true: those fail the template call, as Go's panic does).
pub fn to_toml(v: &Value) -> Result<String, Error> {
    refuse_cycles(v)?;
    toml::marshal(v)
}

/// A map that holds itself: Go's encoding/json reports the cycle (the text here is its); the
/// YAML and TOML writers of Go would recurse until the stack overflows, so they report the same.
fn refuse_cycles(v: &Value) -> Result<(), Error> {
    refuse_cycles_below(v, 0)
}

/// [`refuse_cycles`] for a value Go reaches `levels_above` levels of nesting deep.
fn refuse_cycles_below(v: &Value, levels_above: usize) -> Result<(), Error> {
    if !v.contains_itself() {
        return Ok(());
    }
    Err(Error::new(format!(
        "json: unsupported value: encountered a cycle via {}",
        cycle_reported_at(v, levels_above)
    )))
}

/// The Go type of the container Go's encoder names when it meets a cycle in `v`. The encoder
/// counts the maps and slices it is inside and, past 1000 of them, remembers each one on its
/// path; the first one met twice is the one it was inside at level 1001. Maps are written in
/// key order and a branch without a cycle ends, so the path the encoder goes down for ever
/// takes, at each container, the first entry that holds a cycle.
fn cycle_reported_at(v: &Value, levels_above: usize) -> String {
    const LEVELS_BEFORE_CHECKING: usize = 1000;
    let mut level = levels_above;
    let mut container = v.clone();
    loop {
        level += 1;
        if level > LEVELS_BEFORE_CHECKING {
            return container.type_name();
        }
        let next = match &container {
            Value::Map(m) => m.entries().values().find(|e| e.contains_itself()).cloned(),
            Value::List(l) => l.items.iter().find(|e| e.contains_itself()).cloned(),
            _ => None,
        };
        match next {
            Some(inner) => container = inner,
            // Unreachable for a value that holds itself; name what was reached.
            None => return container.type_name(),
        }
    }
}
