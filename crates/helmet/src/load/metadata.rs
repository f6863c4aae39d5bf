//! Reading `Chart.yaml`, `requirements.yaml` and lock files into the chart model, with the
//! errors Go's `encoding/json` gives when Helm decodes them (Helm converts YAML to JSON and
//! decodes that into its structs; scalars bound for string fields become strings first), and
//! Helm's metadata validation.

use std::cmp::Ordering;

use helmet_value::{Map, Value};

use crate::chart::{Dependency, Error, Lock, Maintainer, Metadata};

/// Go's JSON name for the kind of a decoded value, as `cannot unmarshal X into ...` prints it.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::Map(_) | Value::Object(_) => "object",
        Value::List(_) => "array",
        _ => "number",
    }
}

/// Where a value is being decoded, for error messages: the innermost struct type and the
/// dotted JSON path of the field, as its outer path and the field's name (joined only when an
/// error is written: most fields decode without one).
struct Place<'a> {
    strukt: &'a str,
    outer: &'a str,
    field: &'a str,
}

impl<'a> Place<'a> {
    /// A field of the struct at the top (`outer` empty) or of the one at `outer`.
    fn new(strukt: &'a str, outer: &'a str, field: &'a str) -> Place<'a> {
        Place {
            strukt,
            outer,
            field,
        }
    }
}

fn type_error(v: &Value, place: &Place, go_type: &str) -> Error {
    let dot = if place.outer.is_empty() || place.field.is_empty() {
        ""
    } else {
        "."
    };
    Error::new(format!(
        "json: cannot unmarshal {} into Go struct field {}.{}{dot}{} of type {}",
        json_kind(v),
        place.strukt,
        place.outer,
        place.field,
        go_type
    ))
}

/// A scalar decoded into a Go `string` field.
fn decode_string(v: &Value, place: &Place) -> Result<String, Error> {
    match v {
        Value::Nil => Ok(String::new()),
        other => {
            helmet_yaml::go_string_field(other).ok_or_else(|| type_error(other, place, "string"))
        }
    }
}

fn decode_bool(v: &Value, place: &Place) -> Result<bool, Error> {
    match v {
        Value::Nil => Ok(false),
        Value::Bool(b) => Ok(*b),
        other => Err(type_error(other, place, "bool")),
    }
}

fn decode_strings(v: &Value, place: &Place) -> Result<Vec<String>, Error> {
    match v {
        Value::Nil => Ok(Vec::new()),
        Value::List(l) => l.items.iter().map(|i| decode_string(i, place)).collect(),
        other => Err(type_error(other, place, "[]string")),
    }
}

/// The value a string, bool or number field ends with when `encoding/json` fills the struct:
/// sigs.k8s.io/yaml hands it the keys sorted, every key equal to the field's name ignoring case
/// sets the field in turn, and a `null` leaves such a field as it was. So the last non-null
/// value counts (`Name: x` and `name: null` give `x`), or `null` when there is no other.
fn field<'a>(map: &'a Map, name: &str) -> Option<&'a Value> {
    let mut found: Option<&Value> = None;
    for (k, v) in map.iter() {
        if k.eq_ignore_ascii_case(name) && (!v.is_nil() || found.is_none()) {
            found = Some(v);
        }
    }
    found
}

/// [`field`] for a slice or map field, which a `null` does set (to nil): the last value
/// counts. (Two objects for one map field would be merged by Go; one is kept here.)
fn container_field<'a>(map: &'a Map, name: &str) -> Option<&'a Value> {
    map.iter()
        .rev()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// The error Go's encoding/json reports for an object with several values of the wrong type.
/// Helm reads `Chart.yaml` through sigs.k8s.io/yaml, which writes the YAML as JSON with the
/// keys of every map sorted; encoding/json then goes on past a value it cannot store and
/// returns the first such error: the one of the field whose key sorts first. `failed` holds
/// each field that failed with its error, in any order.
fn first_in_key_order(map: &Map, failed: Vec<(&str, Error)>) -> Result<(), Error> {
    let key_of = |f: &str| -> Option<String> {
        if map.contains_key(f) {
            return Some(f.to_string());
        }
        map.keys().find(|k| k.eq_ignore_ascii_case(f)).cloned()
    };
    match failed.into_iter().min_by_key(|(f, _)| key_of(f)) {
        Some((_, e)) => Err(e),
        None => Ok(()),
    }
}

/// A field's decoded value, or its zero value when it is absent or (noted in `failed`, for
/// [`first_in_key_order`]) of the wrong type.
fn kept<T: Default>(
    failed: &mut Vec<(&'static str, Error)>,
    name: &'static str,
    decoded: Option<Result<T, Error>>,
) -> T {
    match decoded {
        Some(Ok(value)) => value,
        Some(Err(e)) => {
            failed.push((name, e));
            T::default()
        }
        None => T::default(),
    }
}

fn decode_maintainer(v: &Value, path: &str) -> Result<Option<Maintainer>, Error> {
    let map = match v {
        Value::Nil => return Ok(None),
        Value::Map(m) => &m.entries(),
        other => {
            return Err(type_error(
                other,
                &Place::new("Metadata", path, ""),
                "v2.Maintainer",
            ))
        }
    };
    let place = |f: &'static str| Place::new("Maintainer", path, f);
    let mut failed = Vec::new();
    let text = |f: &'static str| field(map, f).map(|v| decode_string(v, &place(f)));
    let maintainer = Maintainer {
        name: kept(&mut failed, "name", text("name")),
        email: kept(&mut failed, "email", text("email")),
        url: kept(&mut failed, "url", text("url")),
    };
    first_in_key_order(map, failed)?;
    Ok(Some(maintainer))
}

/// Decodes one dependency entry; `path` is the JSON path of the list (`dependencies`).
pub(crate) fn decode_dependency(
    v: &Value,
    path: &str,
    outer: &str,
) -> Result<Option<Dependency>, Error> {
    let map = match v {
        Value::Nil => return Ok(None),
        Value::Map(m) => &m.entries(),
        other => {
            return Err(type_error(
                other,
                &Place::new(outer, path, ""),
                "v2.Dependency",
            ))
        }
    };
    let place = |f: &'static str| Place::new("Dependency", path, f);
    let mut failed = Vec::new();
    let text = |f: &'static str| field(map, f).map(|v| decode_string(v, &place(f)));
    let import_values = match container_field(map, "import-values") {
        None | Some(Value::Nil) => Vec::new(),
        Some(Value::List(l)) => l.items.clone(),
        Some(other) => {
            let e = type_error(other, &place("import-values"), "[]interface {}");
            failed.push(("import-values", e));
            Vec::new()
        }
    };
    let tags = container_field(map, "tags").map(|v| decode_strings(v, &place("tags")));
    let enabled = field(map, "enabled").map(|v| decode_bool(v, &place("enabled")));
    let dependency = Dependency {
        name: kept(&mut failed, "name", text("name")),
        version: kept(&mut failed, "version", text("version")),
        repository: kept(&mut failed, "repository", text("repository")),
        condition: kept(&mut failed, "condition", text("condition")),
        tags: kept(&mut failed, "tags", tags),
        enabled: kept(&mut failed, "enabled", enabled),
        import_values,
        alias: kept(&mut failed, "alias", text("alias")),
    };
    first_in_key_order(map, failed)?;
    Ok(Some(dependency))
}

fn decode_dependencies(
    v: &Value,
    outer: &str,
    go_type: &str,
) -> Result<Vec<Option<Dependency>>, Error> {
    match v {
        Value::Nil => Ok(Vec::new()),
        Value::List(l) => l
            .items
            .iter()
            .map(|item| decode_dependency(item, "dependencies", outer))
            .collect(),
        other => Err(type_error(
            other,
            &Place::new(outer, "", "dependencies"),
            go_type,
        )),
    }
}

/// Reads the text of a `Chart.yaml` into `md` as Helm's loader unmarshals it (sigs.k8s.io/yaml
/// into an existing `Metadata`), with the loader's error texts.
pub(crate) fn decode_chart_file(md: &mut Metadata, text: &[u8]) -> Result<(), Error> {
    let doc = crate::load::parse_yaml(text)
        .map_err(|e| Error::new(format!("cannot load Chart.yaml: {e}")))?;
    decode_metadata_into(md, &doc)
        .map_err(|e| e.wrap("cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON"))
}

/// Decodes the fields of `Chart.yaml` (or `requirements.yaml`) found in `doc` into `md`,
/// leaving the others as they are, as `json.Unmarshal` into an existing struct does.
pub fn decode_metadata_into(md: &mut Metadata, doc: &Value) -> Result<(), Error> {
    let map = match doc {
        Value::Map(m) => &m.entries(),
        Value::Nil => return Ok(()),
        other => {
            return Err(Error::new(format!(
                "json: cannot unmarshal {} into Go value of type v2.Metadata",
                json_kind(other)
            )))
        }
    };
    let place = |f: &'static str| Place::new("Metadata", "", f);
    let text = |f: &'static str, slot: &mut String| -> Result<(), Error> {
        if let Some(v) = field(map, f) {
            if !v.is_nil() {
                *slot = decode_string(v, &place(f))?;
            }
        }
        Ok(())
    };
    let mut failed: Vec<(&str, Error)> = Vec::new();
    let mut note = |f: &'static str, result: Result<(), Error>| {
        if let Err(e) = result {
            failed.push((f, e));
        }
    };
    note("name", text("name", &mut md.name));
    note("home", text("home", &mut md.home));
    if let Some(v) = container_field(map, "sources") {
        note(
            "sources",
            decode_strings(v, &place("sources")).map(|s| md.sources = s),
        );
    }
    note("version", text("version", &mut md.version));
    note("description", text("description", &mut md.description));
    if let Some(v) = container_field(map, "keywords") {
        note(
            "keywords",
            decode_strings(v, &place("keywords")).map(|k| md.keywords = k),
        );
    }
    match container_field(map, "maintainers") {
        None | Some(Value::Nil) => {}
        Some(Value::List(l)) => {
            let maintainers = l
                .items
                .iter()
                .map(|m| decode_maintainer(m, "maintainers"))
                .collect::<Result<_, _>>();
            note("maintainers", maintainers.map(|m| md.maintainers = m));
        }
        Some(other) => note(
            "maintainers",
            Err(type_error(other, &place("maintainers"), "[]*v2.Maintainer")),
        ),
    }
    note("icon", text("icon", &mut md.icon));
    note("apiVersion", text("apiVersion", &mut md.api_version));
    note("condition", text("condition", &mut md.condition));
    note("tags", text("tags", &mut md.tags));
    note("appVersion", text("appVersion", &mut md.app_version));
    if let Some(v) = field(map, "deprecated") {
        if !v.is_nil() {
            note(
                "deprecated",
                decode_bool(v, &place("deprecated")).map(|d| md.deprecated = d),
            );
        }
    }
    match container_field(map, "annotations") {
        None | Some(Value::Nil) => {}
        Some(Value::Map(m)) => {
            md.annotations_given = true;
            for (k, v) in m.entries().iter() {
                let p = place("annotations");
                match decode_string(v, &p) {
                    Ok(text) => {
                        md.annotations.insert(k.clone(), text);
                    }
                    // The first value in key order: the map's own order.
                    Err(e) => {
                        note("annotations", Err(e));
                        break;
                    }
                }
            }
        }
        Some(other) => note(
            "annotations",
            Err(type_error(
                other,
                &place("annotations"),
                "map[string]string",
            )),
        ),
    }
    note("kubeVersion", text("kubeVersion", &mut md.kube_version));
    if let Some(v) = container_field(map, "dependencies") {
        let dependencies = decode_dependencies(v, "Metadata", "[]*v2.Dependency");
        note("dependencies", dependencies.map(|d| md.dependencies = d));
        // A JSON null leaves Go's slice nil.
        md.dependencies_given = !matches!(v, Value::Nil);
    }
    note("type", text("type", &mut md.chart_type));
    first_in_key_order(map, failed)
}

/// Decodes a lock file (`Chart.lock`, `requirements.lock`).
pub fn decode_lock(doc: &Value) -> Result<Lock, Error> {
    let mut lock = Lock::default();
    let map = match doc {
        Value::Map(m) => &m.entries(),
        Value::Nil => return Ok(lock),
        other => {
            return Err(Error::new(format!(
                "json: cannot unmarshal {} into Go value of type v2.Lock",
                json_kind(other)
            )))
        }
    };
    let place = |f: &'static str| Place::new("Lock", "", f);
    if let Some(v) = field(map, "generated") {
        lock.generated = decode_string(v, &place("generated"))?;
    }
    if let Some(v) = field(map, "digest") {
        lock.digest = decode_string(v, &place("digest"))?;
    }
    if let Some(v) = container_field(map, "dependencies") {
        lock.dependencies = decode_dependencies(v, "Lock", "[]*v2.Dependency")?
            .into_iter()
            .flatten()
            .collect();
    }
    Ok(lock)
}

/// Go's `unicode.IsSpace`/`IsPrint` clean-up Helm applies to metadata strings: whitespace
/// becomes a space, other unprintable characters are dropped.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() || is_format_or_private(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// [`sanitize`] in place; text of printable ASCII only (nearly every field) is kept as it is,
/// without a new string.
fn sanitize_in_place(s: &mut String) {
    if !s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        *s = sanitize(s);
    }
}

/// Characters Go's `unicode.IsPrint` rejects besides controls: the common format characters
/// (category Cf) and private-use code points.
fn is_format_or_private(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}')
}

fn valid_alias(alias: &str) -> bool {
    !alias.is_empty()
        && alias
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Helm's `Metadata.Validate`: sanitizes the strings and checks the required fields.
pub fn validate_metadata(md: &mut Metadata) -> Result<(), Error> {
    for s in [
        &mut md.name,
        &mut md.description,
        &mut md.home,
        &mut md.icon,
        &mut md.condition,
        &mut md.tags,
        &mut md.app_version,
        &mut md.kube_version,
    ] {
        sanitize_in_place(s);
    }
    for s in md.sources.iter_mut().chain(md.keywords.iter_mut()) {
        sanitize_in_place(s);
    }
    if md.api_version.is_empty() {
        return Err(Error::validation("chart.metadata.apiVersion is required"));
    }
    if md.name.is_empty() {
        return Err(Error::validation("chart.metadata.name is required"));
    }
    if md.name == "." || md.name == ".." {
        return Err(Error::validation(format!(
            "chart.metadata.name {} is not allowed",
            helmet_value::strconv::quote(&md.name)
        )));
    }
    if md.name.contains('/') {
        return Err(Error::validation(format!(
            "chart.metadata.name {} is invalid",
            helmet_value::strconv::quote(&md.name)
        )));
    }
    if md.version.is_empty() {
        return Err(Error::validation("chart.metadata.version is required"));
    }
    if SemVer::parse(&md.version).is_none() {
        return Err(Error::validation(format!(
            "chart.metadata.version {} is invalid",
            helmet_value::strconv::quote(&md.version)
        )));
    }
    if !matches!(md.chart_type.as_str(), "" | "application" | "library") {
        return Err(Error::validation(
            "chart.metadata.type must be application or library",
        ));
    }
    for m in md.maintainers.iter_mut() {
        match m {
            None => {
                return Err(Error::validation(
                    "maintainers must not contain empty or null nodes",
                ))
            }
            Some(m) => {
                sanitize_in_place(&mut m.name);
                sanitize_in_place(&mut m.email);
                sanitize_in_place(&mut m.url);
            }
        }
    }
    let mut keys = std::collections::HashSet::new();
    for d in md.dependencies.iter_mut() {
        let Some(d) = d else {
            return Err(Error::validation(
                "dependencies must not contain empty or null nodes",
            ));
        };
        sanitize_in_place(&mut d.name);
        sanitize_in_place(&mut d.version);
        sanitize_in_place(&mut d.repository);
        sanitize_in_place(&mut d.condition);
        for t in d.tags.iter_mut() {
            sanitize_in_place(t);
        }
        if !d.alias.is_empty() && !valid_alias(&d.alias) {
            return Err(Error::validation(format!(
                "dependency {} has disallowed characters in the alias",
                helmet_value::strconv::quote(&d.name)
            )));
        }
        let key = if d.alias.is_empty() {
            &d.name
        } else {
            &d.alias
        };
        if !keys.insert(key.clone()) {
            return Err(Error::validation(format!(
                "more than one dependency with name or alias {}",
                helmet_value::strconv::quote(key)
            )));
        }
    }
    Ok(())
}

/// A version as Masterminds/semver (v3, non-strict) reads it: `v` prefix, missing minor and
/// patch allowed, pre-release and build metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemVer {
    /// Major number.
    pub major: u64,
    /// Minor number.
    pub minor: u64,
    /// Patch number.
    pub patch: u64,
    /// Pre-release identifiers (empty when none).
    pub pre: String,
}

fn valid_identifiers(s: &str, numeric_leading_zero_ok: bool) -> bool {
    s.split('.').all(|part| {
        !part.is_empty()
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && (numeric_leading_zero_ok
                || !(part.len() > 1
                    && part.starts_with('0')
                    && part.chars().all(|c| c.is_ascii_digit())))
    })
}

impl SemVer {
    /// Parses a version; `None` when Masterminds/semver would refuse it.
    pub fn parse(text: &str) -> Option<SemVer> {
        let rest = text.strip_prefix('v').unwrap_or(text);
        let (rest, build) = match rest.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (rest, None),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        if let Some(b) = build {
            if !valid_identifiers(b, true) {
                return None;
            }
        }
        if let Some(p) = pre {
            if !valid_identifiers(p, false) {
                return None;
            }
        }
        let nums: Vec<&str> = core.split('.').collect();
        if nums.is_empty() || nums.len() > 3 {
            return None;
        }
        let mut parsed = [0u64; 3];
        for (i, n) in nums.iter().enumerate() {
            if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            parsed[i] = n.parse().ok()?;
        }
        Some(SemVer {
            major: parsed[0],
            minor: parsed[1],
            patch: parsed[2],
            pre: pre.unwrap_or("").to_string(),
        })
    }

    /// SemVer precedence (build metadata ignored).
    pub fn compare(&self, other: &SemVer) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| compare_pre(&self.pre, &other.pre))
    }
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let mut ai = a.split('.');
    let mut bi = b.split('.');
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_is_lenient_like_masterminds() {
        assert!(SemVer::parse("1").is_some());
        assert!(SemVer::parse("v1.2").is_some());
        assert!(SemVer::parse("01.2.3").is_some());
        assert!(SemVer::parse("1.2.3-01").is_none());
        assert!(SemVer::parse("abc").is_none());
        assert!(SemVer::parse("1.2.3.4").is_none());
        assert!(SemVer::parse("1.2.3-rc.1+build.5").is_some());
    }

    #[test]
    fn scalars_become_go_strings_in_text_fields() {
        for (yaml, want) in [
            ("1.0", "1"),
            ("1.10", "1.1"),
            ("1000", "1000"),
            ("10000000000", "10000000000"),
            ("3.14159265358979", "3.1415927"),
            (".inf", "+Inf"),
            ("true", "true"),
        ] {
            let text = format!("apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: {yaml}\n");
            let doc = crate::load::parse_yaml(text.as_bytes()).unwrap();
            let mut md = Metadata::default();
            decode_metadata_into(&mut md, &doc).unwrap();
            assert_eq!(md.app_version, want, "appVersion: {yaml}");
        }
    }

    /// `.Chart` as real Helm gives it to templates (`toJson .Chart` in
    /// `fixtures/charts/load-metadata`, after dependency processing), minus `IsRoot`, which the
    /// renderer adds: scalars turned into strings, sanitized text, normalized import-values.
    #[test]
    fn go_fields_match_helm() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut chart =
            crate::load::load_chart(&root.join("fixtures/charts/load-metadata")).unwrap();
        crate::values::process_dependencies(&mut chart, &Value::empty_map()).unwrap();
        let mut fields = Map::new();
        for name in Metadata::GO_FIELDS {
            fields.insert(name.to_string(), chart.metadata.go_field(name).unwrap());
        }
        let ours: serde_json::Value =
            serde_json::from_str(&helmet_yaml::to_json(&Value::map(fields)).unwrap()).unwrap();
        let golden: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("fixtures/values/load-metadata.json")).unwrap(),
        )
        .unwrap();
        let rendered = golden["load-metadata/templates/chart.yaml"]
            .as_str()
            .unwrap();
        let mut theirs: serde_json::Value = serde_json::from_str(rendered).unwrap();
        theirs.as_object_mut().unwrap().remove("IsRoot");
        assert_eq!(ours, theirs);
    }
}
