//! Helm's `--set` syntax (`pkg/strvals`): `a.b[0].c=x,d={1,2}`, with `\` escapes, typed or
//! string values, JSON values (`--set-json`), file contents (`--set-file`) and literal values
//! (`--set-literal`). Errors carry Helm's texts, including those of the Go panics Helm turns
//! into errors when a path crosses a value of the wrong type.

use std::sync::Arc;

use helmet_value::{Map, Value};

/// Helm's `MaxIndex`: the largest list index `--set` accepts.
pub const MAX_INDEX: i64 = 65536;
/// Helm's `MaxNestedNameLevel`.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// How values after `=` are read.
pub enum Mode<'a> {
    /// `--set`: `true`/`false`/`null`/integers are typed, the rest are strings.
    Typed,
    /// `--set-string`: everything is a string.
    String,
    /// `--set-json`: a JSON value.
    Json,
    /// `--set-file`: the text is a file name; its contents become the string value.
    File(&'a mut dyn FnMut(&str) -> Result<Value, String>),
    /// `--set-literal`: the rest of the argument, verbatim.
    Literal,
}

#[derive(Debug)]
enum Stop {
    Eof,
    Fail(String),
}

type Res<T> = Result<T, Stop>;

fn fail<T>(msg: impl Into<String>) -> Res<T> {
    Err(Stop::Fail(msg.into()))
}

/// Parses one `--set`-style argument into `dest`.
pub fn parse_into(text: &str, dest: &mut Map, mode: Mode<'_>) -> Result<(), String> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        pos: 0,
        mode,
    };
    loop {
        match parser.key(dest, 0) {
            Ok(()) => continue,
            Err(Stop::Eof) => return Ok(()),
            Err(Stop::Fail(msg)) => return Err(msg),
        }
    }
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'a>,
}

/// Go's `%q` for a key.
fn quote(chars: &[char]) -> String {
    helmet_value::strconv::quote(&chars.iter().collect::<String>())
}

/// Go's `%q` for a `[]rune`: each rune quoted, e.g. `['x' 'y']`.
fn quote_runes(chars: &[char]) -> String {
    let items: Vec<String> = chars
        .iter()
        .map(|&c| match c {
            '\'' => "'\\''".to_string(),
            '\\' => "'\\\\'".to_string(),
            '\n' => "'\\n'".to_string(),
            '\t' => "'\\t'".to_string(),
            c if c.is_control() => format!("'\\x{:02x}'", c as u32),
            c => format!("'{c}'"),
        })
        .collect();
    format!("[{}]", items.join(" "))
}

fn conversion_panic(found: &Value, wanted: &str) -> String {
    let found = match found {
        Value::Nil => "nil".to_string(),
        other => other.type_name(),
    };
    format!("unable to parse key: interface conversion: interface {{}} is {found}, not {wanted}")
}

const MAP_TYPE: &str = "map[string]interface {}";
const LIST_TYPE: &str = "[]interface {}";

/// Go's `strconv.Atoi`, with its error texts.
fn atoi(text: &str) -> Result<i64, String> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            helmet_value::strconv::quote(text)
        ));
    }
    text.parse::<i64>().map_err(|_| {
        format!(
            "strconv.Atoi: parsing {}: value out of range",
            helmet_value::strconv::quote(text)
        )
    })
}

/// `--set` typing: Helm's `typedVal`.
fn typed_value(text: &str) -> Value {
    if text.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if text.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if text.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if text == "0" {
        return Value::Int64(0);
    }
    if !text.is_empty() && !text.starts_with('0') {
        let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            if let Ok(i) = text.parse::<i64>() {
                return Value::Int64(i);
            }
        }
    }
    Value::string(text)
}

fn set_index(list: &mut Vec<Value>, index: i64, value: Value) -> Res<()> {
    if index < 0 {
        return fail(format!("negative {index} index not allowed"));
    }
    if index > MAX_INDEX {
        return fail(format!(
            "index of {index} is greater than maximum supported index of {MAX_INDEX}"
        ));
    }
    let index = index as usize;
    if list.len() <= index {
        list.resize(index + 1, Value::Nil);
    }
    list[index] = value;
    Ok(())
}

fn list_items(v: Value) -> Vec<Value> {
    match v {
        Value::List(l) => Arc::try_unwrap(l)
            .map(|l| l.items)
            .unwrap_or_else(|l| l.items.clone()),
        _ => Vec::new(),
    }
}

fn map_entries(v: Value) -> Map {
    match v {
        Value::Map(m) => Arc::try_unwrap(m)
            .map(|m| m.into_map())
            .unwrap_or_else(|m| m.to_map()),
        _ => Map::new(),
    }
}

impl Parser<'_> {
    fn literal(&self) -> bool {
        matches!(self.mode, Mode::Literal)
    }

    /// Reads up to one of `stop` (consumed and returned), handling `\` escapes except in
    /// literal mode. `None` as the stop character means the text ended.
    fn until(&mut self, stop: &[char]) -> (Vec<char>, Option<char>) {
        let mut out = Vec::new();
        while let Some(&c) = self.chars.get(self.pos) {
            self.pos += 1;
            if stop.contains(&c) {
                return (out, Some(c));
            }
            if c == '\\' && !self.literal() {
                match self.chars.get(self.pos) {
                    Some(&next) => {
                        self.pos += 1;
                        out.push(next);
                    }
                    None => return (out, None),
                }
                continue;
            }
            out.push(c);
        }
        (out, None)
    }

    fn read_value(&mut self, text: &[char]) -> Result<Value, String> {
        let s: String = text.iter().collect();
        match &mut self.mode {
            Mode::Typed => Ok(typed_value(&s)),
            Mode::String | Mode::Literal | Mode::Json => Ok(Value::string(s)),
            Mode::File(read) => read(&s),
        }
    }

    fn key(&mut self, data: &mut Map, mut level: usize) -> Res<()> {
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.until(stop);
        let key: String = k.iter().collect();
        match last {
            None => {
                if k.is_empty() {
                    Err(Stop::Eof)
                } else {
                    fail(format!("key {} has no value", quote(&k)))
                }
            }
            Some('[') => {
                let index = self.key_index()?;
                let list = match data.get(&key) {
                    None => Vec::new(),
                    Some(Value::List(_)) => list_items(data.remove(&key).unwrap_or_default()),
                    Some(other) => return fail(conversion_panic(other, LIST_TYPE)),
                };
                let (list, result) = self.list_item(list, index, level);
                set(data, &key, Value::list(list));
                result
            }
            Some('=') => {
                if let Mode::Json = self.mode {
                    let value = self.json_value()?;
                    set(data, &key, value);
                    return Ok(());
                }
                if let Mode::Literal = self.mode {
                    let rest: Vec<char> = self.chars[self.pos..].to_vec();
                    self.pos = self.chars.len();
                    set(data, &key, Value::string(rest.iter().collect::<String>()));
                    return Ok(());
                }
                match self.value_list() {
                    Ok(Some(list)) => {
                        set(data, &key, Value::list(list));
                        Ok(())
                    }
                    Err(Stop::Eof) => {
                        set(data, &key, Value::string(""));
                        Err(Stop::Eof)
                    }
                    Err(e) => Err(e),
                    Ok(None) => {
                        let (text, _) = self.until(&[',']);
                        let value = self.read_value(&text);
                        match value {
                            Ok(v) => {
                                set(data, &key, v);
                                Ok(())
                            }
                            Err(e) => {
                                set(data, &key, Value::Nil);
                                fail(e)
                            }
                        }
                    }
                }
            }
            Some(',') => {
                set(data, &key, Value::string(""));
                fail(format!(
                    "key {} has no value (cannot end with ,)",
                    quote(&k)
                ))
            }
            Some(_) => {
                // '.': a nested map.
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return fail(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let mut inner = match data.get(&key) {
                    None => Map::new(),
                    Some(v @ Value::Map(_)) => map_entries(v.clone()),
                    Some(other) => return fail(conversion_panic(other, MAP_TYPE)),
                };
                let result = self.key(&mut inner, level);
                let empty = inner.is_empty();
                if !empty {
                    set(data, &key, Value::map(inner));
                }
                match result {
                    Ok(()) if empty => fail(format!("key map {} has no value", quote(&k))),
                    other => other,
                }
            }
        }
    }

    /// The index inside `[...]`; running out of text is Go's `io.EOF`, which Helm's parser
    /// treats as the end of input even when wrapped.
    fn key_index(&mut self) -> Res<i64> {
        let (text, last) = self.until(&[']']);
        if last.is_none() {
            return Err(Stop::Eof);
        }
        atoi(&text.iter().collect::<String>())
            .map_err(|e| Stop::Fail(format!("error parsing index: {e}")))
    }

    /// Returns the list (possibly changed) and whether parsing may go on.
    fn list_item(
        &mut self,
        mut list: Vec<Value>,
        index: i64,
        level: usize,
    ) -> (Vec<Value>, Res<()>) {
        if index < 0 {
            return (list, fail(format!("negative {index} index not allowed")));
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                fail(format!(
                    "unexpected data at end of array index: {}",
                    quote_runes(&k)
                )),
            );
        }
        let existing = |list: &Vec<Value>| list.get(index as usize).cloned();
        match last {
            None => (list, Err(Stop::Eof)),
            Some('=') => {
                if let Mode::Json = self.mode {
                    let result = self
                        .json_value()
                        .and_then(|v| set_index(&mut list, index, v));
                    return (list, result);
                }
                if let Mode::Literal = self.mode {
                    let rest: String = self.chars[self.pos..].iter().collect();
                    self.pos = self.chars.len();
                    let result = set_index(&mut list, index, Value::string(rest));
                    return (list, result);
                }
                let result = match self.value_list() {
                    Ok(Some(items)) => set_index(&mut list, index, Value::list(items)),
                    Err(Stop::Eof) => set_index(&mut list, index, Value::string("")),
                    Err(e) => Err(e),
                    Ok(None) => {
                        let (text, _) = self.until(&[',']);
                        match self.read_value(&text) {
                            Ok(v) => set_index(&mut list, index, v),
                            Err(e) => Err(Stop::Fail(e)),
                        }
                    }
                };
                (list, result)
            }
            Some('[') => {
                let next = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(e)),
                };
                let current = match existing(&list) {
                    None | Some(Value::Nil) => Vec::new(),
                    Some(v @ Value::List(_)) => list_items(v),
                    Some(other) => return (list, fail(conversion_panic(&other, LIST_TYPE))),
                };
                let (inner, result) = self.list_item(current, next, level);
                if let Err(e) = result {
                    return (list, Err(e));
                }
                let result = set_index(&mut list, index, Value::list(inner));
                (list, result)
            }
            Some(_) => {
                let mut inner = match existing(&list) {
                    Some(v @ Value::Map(_)) => map_entries(v),
                    _ => Map::new(),
                };
                if let Err(e) = self.key(&mut inner, level) {
                    return (list, Err(e));
                }
                let result = set_index(&mut list, index, Value::map(inner));
                (list, result)
            }
        }
    }

    /// `{a,b}`: `Ok(None)` when the value does not start with `{`.
    fn value_list(&mut self) -> Res<Option<Vec<Value>>> {
        match self.chars.get(self.pos) {
            None => return Err(Stop::Eof),
            Some('{') => self.pos += 1,
            Some(_) => return Ok(None),
        }
        let mut items = Vec::new();
        loop {
            let (text, last) = self.until(&[',', '}']);
            match last {
                None => return fail("list must terminate with '}'"),
                Some('}') => {
                    if self.chars.get(self.pos) == Some(&',') {
                        self.pos += 1;
                    }
                    let v = self.read_value(&text).map_err(Stop::Fail)?;
                    items.push(v);
                    return Ok(Some(items));
                }
                Some(_) => {
                    let v = self.read_value(&text).map_err(Stop::Fail)?;
                    items.push(v);
                }
            }
        }
    }

    /// Skips blanks; true at the end or at a `,` (consumed).
    fn empty_value(&mut self) -> bool {
        while let Some(&c) = self.chars.get(self.pos) {
            if c == ',' {
                self.pos += 1;
                return true;
            }
            if !c.is_whitespace() {
                return false;
            }
            self.pos += 1;
        }
        true
    }

    fn json_value(&mut self) -> Res<Value> {
        if self.empty_value() {
            return Ok(Value::Nil);
        }
        let rest: String = self.chars[self.pos..].iter().collect();
        // Helm decodes one value with json.Decoder from what is left, then skips what it read.
        let (value, end) = match helmet_yaml::from_json_prefix(&rest) {
            Ok(read) => read,
            Err(e) => return fail(e.to_string()),
        };
        self.pos += rest[..end].chars().count();
        self.empty_value();
        Ok(value)
    }
}

fn set(data: &mut Map, key: &str, value: Value) {
    if !key.is_empty() {
        data.insert(key.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, mode: Mode<'_>) -> Result<Map, String> {
        let mut m = Map::new();
        parse_into(text, &mut m, mode).map(|()| m)
    }

    #[test]
    fn typed_values() {
        let m = parse("a=1,b=true,c=null,d=010,e=x\\,y,f.g[1]=2", Mode::Typed).unwrap();
        assert!(matches!(m["a"], Value::Int64(1)));
        assert!(matches!(m["b"], Value::Bool(true)));
        assert!(m["c"].is_nil());
        assert_eq!(m["d"].as_str(), Some("010"));
        assert_eq!(m["e"].as_str(), Some("x,y"));
        let list = m["f"].as_map().unwrap()["g"].as_list().unwrap().to_vec();
        assert!(list[0].is_nil());
        assert!(matches!(list[1], Value::Int64(2)));
    }

    #[test]
    fn errors_have_helm_texts() {
        assert_eq!(
            parse("a", Mode::Typed).unwrap_err(),
            "key \"a\" has no value"
        );
        assert_eq!(
            parse("a,b=1", Mode::Typed).unwrap_err(),
            "key \"a\" has no value (cannot end with ,)"
        );
        assert_eq!(
            parse("a[65537]=1", Mode::Typed).unwrap_err(),
            "index of 65537 is greater than maximum supported index of 65536"
        );
        assert_eq!(
            parse("a[-1]=1", Mode::Typed).unwrap_err(),
            "negative -1 index not allowed"
        );
        assert_eq!(
            parse("a[x]=1", Mode::Typed).unwrap_err(),
            "error parsing index: strconv.Atoi: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            parse("a=1,a.b=2", Mode::Typed).unwrap_err(),
            "unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}"
        );
        assert_eq!(
            parse("a={1,2", Mode::Typed).unwrap_err(),
            "list must terminate with '}'"
        );
    }

    #[test]
    fn quirks_match_helm() {
        assert_eq!(
            parse("a[0]x=1", Mode::Typed).unwrap_err(),
            "unexpected data at end of array index: ['x']"
        );
        assert!(parse("a[0", Mode::Typed).unwrap().is_empty());
        let m = parse("a[0].b=1,a[0]=2,a[0].c=3", Mode::Typed).unwrap();
        let first = &m["a"].as_list().unwrap()[0];
        assert_eq!(first.as_map().unwrap().len(), 1);
        let m = parse("a={}", Mode::Typed).unwrap();
        assert_eq!(m["a"].as_list().unwrap()[0].as_str(), Some(""));
        let m = parse("g=9223372036854775808,d=1e3,b=+5", Mode::Typed).unwrap();
        assert_eq!(m["g"].as_str(), Some("9223372036854775808"));
        assert_eq!(m["d"].as_str(), Some("1e3"));
        assert!(matches!(m["b"], Value::Int64(5)));
        assert_eq!(
            parse("a.b", Mode::Typed).unwrap_err(),
            "key \"b\" has no value"
        );
        assert_eq!(
            parse("a.=1", Mode::Typed).unwrap_err(),
            "key map \"a\" has no value"
        );
    }

    #[test]
    fn literal_and_json() {
        let m = parse("a.b=x,y=z\\n", Mode::Literal).unwrap();
        assert_eq!(m["a"].as_map().unwrap()["b"].as_str(), Some("x,y=z\\n"));
        let m = parse("a={\"b\":[1,2]},c=", Mode::Json).unwrap();
        assert!(m["c"].is_nil());
        assert!(matches!(
            m["a"].as_map().unwrap()["b"].as_list().unwrap()[0],
            Value::Float64(_)
        ));
    }
}

#[cfg(test)]
mod golden_tests {
    //! `fixtures/values/strvals.txt` parsed by real Helm (`strvals.golden`, one JSON line per
    //! case). The oracle reports the parser's own error, without the CLI's
    //! `failed parsing --set data: ` prefix that `ValueOptions` adds.
    use super::*;

    #[test]
    fn parses_like_helm() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/values");
        let cases = std::fs::read_to_string(root.join("strvals.txt")).unwrap();
        let golden = std::fs::read_to_string(root.join("strvals.golden")).unwrap();
        let cases: Vec<&str> = cases.lines().filter(|l| !l.trim().is_empty()).collect();
        let golden: Vec<&str> = golden.lines().collect();
        assert_eq!(cases.len(), golden.len());
        for (case, expected) in cases.iter().zip(golden) {
            let (flag, arg) = case.split_once(' ').unwrap();
            let mode = match flag {
                "--set" => Mode::Typed,
                "--set-string" => Mode::String,
                "--set-json" => Mode::Json,
                "--set-literal" => Mode::Literal,
                other => panic!("unknown flag {other}"),
            };
            let mut ours = Map::new();
            let result = parse_into(arg, &mut ours, mode);
            if flag == "--set-json" {
                // Every number is a float64 here: compared as Go's JSON texts (serde_json would
                // read some goldens' numbers as integers, and refuses the deepest one).
                let golden = helmet_yaml::from_json(expected).unwrap();
                let json = |v: &Value| helmet_yaml::to_json(v).unwrap();
                match (&result, golden.map_get("values"), golden.map_get("error")) {
                    (Ok(()), Some(values), _) => {
                        assert_eq!(json(&Value::map(ours)), json(&values), "{case}")
                    }
                    (Err(e), _, Some(error)) => {
                        assert_eq!(Some(e.as_str()), error.as_str(), "{case}")
                    }
                    _ => panic!("{case}: ours {result:?}, Helm {expected}"),
                }
                continue;
            }
            let expected: serde_json::Value = serde_json::from_str(expected).unwrap();
            match (&result, expected.get("values"), expected.get("error")) {
                (Ok(()), Some(values), _) => assert_eq!(
                    &crate::values::schema::to_json(&Value::map(ours)),
                    values,
                    "{case}"
                ),
                (Err(e), _, Some(error)) => assert_eq!(e, error.as_str().unwrap(), "{case}"),
                _ => panic!("{case}: ours {result:?}, Helm {expected}"),
            }
        }
    }
}
