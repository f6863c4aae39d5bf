//! Checking values against `values.schema.json` of a chart and its subcharts, with the error
//! texts of the validator Helm uses (santhosh-tekuri/jsonschema v6) for common keywords.
//!
//! Messages for keywords without a mapping below are the `jsonschema` crate's own.

use std::sync::Arc;

use helmet_value::Value;

use crate::chart::{Chart, Error};

/// Our value as JSON data for the validator.
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) | Value::Int64(i) => serde_json::Value::from(*i),
        Value::Uint64(u) => serde_json::Value::from(*u),
        Value::Uint8(u) => serde_json::Value::from(*u),
        // Values read from YAML, JSON and flags hold no complex numbers.
        Value::Complex128(..) => serde_json::Value::Null,
        // Integral floats travel as integers: same JSON meaning, and printed as Go prints them.
        Value::Float64(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
            serde_json::Value::from(*f as i64)
        }
        Value::Float64(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        // As encoding/json hands it over: each invalid byte becomes U+FFFD.
        Value::ByteString(b) => serde_json::Value::String(helmet_value::gostring::to_text_lossy(b)),
        Value::Bytes(b) => serde_json::Value::String(String::from_utf8_lossy(b).into_owned()),
        Value::List(l) => serde_json::Value::Array(l.items.iter().map(to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.entries()
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
        Value::Object(o) => to_json(&o.to_data()),
    }
}

/// Validates the values of `chart` (its top-level view) and, recursively, those of its
/// subcharts; the error lists every failing chart as Helm does.
pub fn validate_against_schemas(chart: &Chart, values: &Value) -> Result<(), Error> {
    validate_against_schemas_logged(chart, values, &mut Vec::new())
}

/// [`validate_against_schemas`], adding to `log` the lines Helm logs while it validates (a
/// `urn:` reference nothing resolves).
pub fn validate_against_schemas_logged(
    chart: &Chart,
    values: &Value,
    log: &mut Vec<String>,
) -> Result<(), Error> {
    let mut report = String::new();
    let collected = collect(chart, values, &mut report, 0);
    log.extend(super::schema_loader::take_warnings());
    collected?;
    if report.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{report}"
        )))
    }
}

fn collect(chart: &Chart, values: &Value, report: &mut String, depth: usize) -> Result<(), Error> {
    if depth > 64 {
        return Err(Error::new("subcharts are nested too deeply"));
    }
    if let Some(schema) = &chart.schema {
        if let Err(text) = validate_single(values, schema) {
            report.push_str(chart.name());
            report.push_str(":\n");
            report.push_str(&text);
        }
    }
    let map = values.as_map();
    for sub in &chart.dependencies {
        match map.as_ref().and_then(|m| m.get(sub.name())) {
            None | Some(Value::Nil) => {}
            Some(v @ Value::Map(_)) => collect(sub, v, report, depth + 1)?,
            Some(other) => report.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                other.type_name()
            )),
        }
    }
    Ok(())
}

/// The failures of one schema as Helm prints them (`- at '/path': message` lines, nested
/// causes indented), or Ok: Helm's `ValidateAgainstSingleSchema` (also used by `helm lint`).
pub fn validate_single(values: &Value, schema: &[u8]) -> Result<(), String> {
    // Common schemas with valid values are settled without compiling the meta-schema (see
    // schema_fast); everything else takes the full validator.
    if super::schema_fast::accepts(values, schema) {
        return Ok(());
    }
    let compiled = compiled(schema)?;
    let instance = to_json(values);
    // Most values are valid: the validator's fast check skips building error details.
    if compiled.validator.is_valid(&instance) {
        return Ok(());
    }
    let root = Schema {
        json: &compiled.schema,
        source: Source::root(&compiled.source, &compiled.originals),
        asserts_formats: compiled.asserts_formats,
        served: &compiled.served,
    };
    let mut errors: Vec<Failure> = compiled
        .validator
        .iter_errors(&instance)
        .map(|e| Failure::new(&e, &root.source))
        .collect();
    name_additional_properties(&mut errors, &instance, &compiled.schema);
    if errors.is_empty() {
        return Ok(());
    }
    Err(render_tree(errors, &root))
}

/// The failures `errors` of one validation against `root`, grouped and worded as Helm's
/// validator prints them: `- at '/path': message` lines, nested causes indented, each line
/// ending with a newline.
fn render_tree(errors: Vec<Failure>, root: &Schema<'_>) -> String {
    let mut nodes = build(errors, &[], root);
    // The root's one failure, when it groups several, is shown as those several.
    if nodes.len() == 1 && nodes[0].message == "validation failed" && !nodes[0].reference {
        nodes = nodes.pop().map(|n| n.children).unwrap_or_default();
    }
    let mut out = String::new();
    // Helm's validator reports a schema's failures in the order it checks their keywords;
    // those of properties come in Go map order, which varies from run to run: sorting them
    // makes ours stable.
    let mut lines: Vec<(u8, String)> = nodes.iter().map(|n| (n.rank, n.render(0))).collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| natural_order(&a.1, &b.1)));
    for (_, l) in lines {
        out.push_str(&l);
    }
    out
}

/// `additionalProperties: false` in a schema without `properties` siblings makes the `jsonschema`
/// crate report the object against a false schema, once; Helm's validator names every property
/// that is not allowed. Failures at the same object collapse into one.
fn name_additional_properties(
    errors: &mut Vec<Failure>,
    instance: &serde_json::Value,
    root: &serde_json::Value,
) {
    for err in errors.iter_mut() {
        let Some((last, parent)) = err.full_schema.split_last() else {
            continue;
        };
        if err.message != "false schema" || last != "additionalProperties" {
            continue;
        }
        let Some(parent) = schema_at(root, parent).and_then(|p| p.as_object()) else {
            continue;
        };
        if parent.contains_key("patternProperties") {
            continue;
        }
        let Some(object) = schema_at(instance, &err.instance).and_then(|o| o.as_object()) else {
            continue;
        };
        let declared = parent.get("properties").and_then(|p| p.as_object());
        let names: Vec<String> = object
            .keys()
            .filter(|k| !declared.is_some_and(|d| d.contains_key(k.as_str())))
            .map(|k| quoted(k))
            .collect();
        if !names.is_empty() {
            err.message = format!("additional properties {} not allowed", names.join(", "));
        }
    }
    let mut seen = std::collections::HashSet::new();
    errors.retain(|e| {
        !e.message.starts_with("additional properties ")
            || seen.insert((e.instance.clone(), e.message.clone()))
    });
}

/// A schema text parsed and compiled.
struct CompiledSchema {
    /// The schema as JSON data, for working out the causes of some failures.
    schema: serde_json::Value,
    /// The schema's text: Helm's validator prints the numbers of `enum` and `const` as they are
    /// written there (`2.50`, `1E+2`).
    source: String,
    validator: jsonschema::Validator,
    /// Whether `format` is asserted (see [`options`]), also in the validators built for parts.
    asserts_formats: bool,
    /// The patterns as written, for those the validator was given in another form.
    originals: super::schema_pattern::Originals,
    /// The documents its references loaded (see schema_loader).
    served: Arc<super::schema_loader::Served>,
}

/// Helm's text for patterns Go cannot compile. Its validator finds those of `pattern` checking
/// the schema against the draft's meta-schema, and so those of `patternProperties` keys from
/// draft 7 on; drafts 4 and 6 check keys only when compiling, which stops at the first. One
/// failure is worded as Helm words it, nested along the schemas that hold it from draft
/// 2019-09 on; Helm groups several along the meta-schema's own structure, which helmet does not
/// follow: each gets its line.
fn refused_patterns(
    root: &serde_json::Value,
    refused: &[super::schema_pattern::Refused],
) -> String {
    let meta = super::schema_fast::meta_schema_url(root);
    let keys_checked = !meta.contains("draft-04") && !meta.contains("draft-06");
    let failing: Vec<_> = refused.iter().filter(|r| !r.key || keys_checked).collect();
    let Some(first) = failing.first() else {
        let key = &refused[0];
        let at = key.pointer.rsplit_once('/').map_or("", |(at, _)| at);
        return format!(
            "invalid regex {} at {}: {}",
            helmet_value::strconv::quote(&key.pattern),
            helmet_value::strconv::quote(&format!("file:///values.schema.json#{at}")),
            key.reason
        );
    };
    let mut out = format!(
        "\"file:///values.schema.json#\" is not valid against metaschema: jsonschema validation failed with '{meta}'\n"
    );
    // From draft 2019-09 on each schema's meta-schema is an `allOf` of vocabularies.
    let nested = meta.contains("/draft/") && failing.len() == 1;
    let depth = if nested { first.schemas.len() } else { 0 };
    if nested {
        for (i, at) in first.schemas.iter().enumerate() {
            out.push_str(&format!(
                "{}- at {}: 'allOf' failed\n",
                "  ".repeat(i),
                quoted(at)
            ));
        }
    }
    let indent = "  ".repeat(depth);
    let mut lines: Vec<String> = failing
        .iter()
        .map(|r| {
            let pattern = quoted(&r.pattern);
            if r.key {
                format!(
                    "{indent}- at '': invalid propertyName {pattern}\n{indent}  - at '': {pattern} is not valid regex: {}\n",
                    r.reason
                )
            } else {
                format!(
                    "{indent}- at {}: {pattern} is not valid regex: {}\n",
                    quoted(&r.pointer),
                    r.reason
                )
            }
        })
        .collect();
    lines.sort();
    out.extend(lines);
    // Helm prints the text as its error ends it, without the last line's newline.
    out.pop();
    out
}

/// Compiled schemas of this process, by their text. Compiling (which checks the schema against
/// its draft's meta-schema) costs more than validating the values, and an embedder renders the
/// same chart again and again. This is the one piece of work Helm does on every render that
/// helmet keeps between renders (see docs/performance.md).
type SchemaCache = Vec<(Box<[u8]>, Arc<CompiledSchema>)>;
static COMPILED: std::sync::Mutex<SchemaCache> = std::sync::Mutex::new(Vec::new());

/// Drops every kept schema (see [`crate::clear_process_caches`]).
pub(crate) fn clear() {
    COMPILED.lock().unwrap_or_else(|e| e.into_inner()).clear();
    super::schema_fast::clear();
}

/// The schema text `schema` parsed and compiled, once per process. The cache is looked up by
/// the raw bytes before any parsing, so a known schema costs one comparison.
fn compiled(schema: &[u8]) -> Result<Arc<CompiledSchema>, String> {
    let cached = crate::process_caches();
    if let (true, Ok(cache)) = (cached, COMPILED.lock()) {
        if let Some((_, v)) = cache.iter().find(|(t, _)| **t == *schema) {
            return Ok(v.clone());
        }
    }
    // Syntax errors are Go's encoding/json texts; they are reported without a newline.
    let text = String::from_utf8_lossy(schema);
    helmet_yaml::from_json(&text).map_err(|e| e.to_string())?;
    let parsed: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let mut parsed = parsed;
    meta_schema(&mut parsed)?;
    let asserts_formats = super::schema_fast::asserts_formats(&parsed);
    // Patterns are Go's: the validator is given them in a form it reads with Go's meaning.
    let (rewritten, mut originals, refused) = super::schema_pattern::rewrite(&parsed);
    if !refused.is_empty() {
        return Err(refused_patterns(&parsed, &refused));
    }
    let mut given = rewritten.unwrap_or(parsed);
    if super::schema_fast::meta_schema_url(&given).contains("draft-06") {
        drop_draft6_examples(&mut given, 0);
    }
    // `$ref` fragments that Go's URL parser takes but the crate would refuse go to the crate
    // percent-encoded; failures are still grouped and worded against the schema as given.
    let for_crate = super::schema_refs::uri_safe_refs(&given);
    let for_crate = for_crate.as_ref().unwrap_or(&given);
    // What Helm's validator finds wrong with the chart's own schema comes before anything
    // else, a failing load of a document it references included.
    let own_failure = || id_error(for_crate).or_else(|| meta_failures(for_crate));
    // Documents named by URL are loaded first, in the order Helm's validator loads them.
    let served = super::schema_loader::load_referenced(for_crate, &mut originals)
        .map_err(|e| own_failure().unwrap_or(e))?;
    let served = Arc::new(served);
    let validator = options(asserts_formats, &served)
        .build(for_crate)
        .map_err(|e| own_failure().unwrap_or_else(|| compile_error(&e)))?;
    // What only Helm's copies of the older meta-schemas refuse (see GO_DRAFT7_META).
    let meta = super::schema_fast::meta_schema_url(for_crate);
    if meta.contains("draft-0") && has_refused_enum(for_crate, 0) {
        if let Some(failures) = meta_failures(for_crate) {
            return Err(failures);
        }
    }
    let compiled = Arc::new(CompiledSchema {
        schema: given,
        source: text.into_owned(),
        validator,
        asserts_formats,
        originals,
        served,
    });
    if let (true, Ok(mut cache)) = (cached, COMPILED.lock()) {
        // A process sees few schemas; the bound only keeps a long-running embedder small.
        if cache.len() >= 64 {
            cache.remove(0);
        }
        cache.push((schema.into(), compiled.clone()));
    }
    Ok(compiled)
}

/// What helmet says of a `$schema` naming a meta-schema other than a draft's.
pub(super) const META_BY_URL: &str = "loading a meta-schema by URL is not supported yet";

/// Helm's validator resolves a root `$schema` as a URL: a draft's URL with a fragment names
/// that draft (the `jsonschema` crate knows only the bare URLs), an empty one names nothing it
/// can load, and other URLs are meta-schemas it downloads (helmet does not).
fn meta_schema(root: &mut serde_json::Value) -> Result<(), String> {
    let Some(serde_json::Value::String(url)) = root.get("$schema") else {
        return Ok(());
    };
    if url.is_empty() {
        return Err("failing loading \"\": no URLLoader registered for \"\"".to_string());
    }
    if let Some(draft) = super::schema_fast::draft_url_without_fragment(url) {
        root["$schema"] = serde_json::Value::String(draft);
        return Ok(());
    }
    if (url.starts_with("http://") || url.starts_with("https://"))
        && !super::schema_fast::names_draft(url)
    {
        return Err(format!(
            "failing loading {}: {META_BY_URL}",
            helmet_value::strconv::quote(url)
        ));
    }
    Ok(())
}

/// The validator's options. Helm's validator asserts `format` in drafts before 2019-09 (an
/// annotation from then on), with checks of its own: those replace the `jsonschema` crate's
/// built-in ones for every name it knows, and other names are not checked.
fn options(
    asserts_formats: bool,
    served: &super::schema_loader::Served,
) -> jsonschema::ValidationOptions<'_> {
    let mut options = jsonschema::options()
        .should_validate_formats(asserts_formats)
        .with_base_uri(super::schema_loader::ROOT_URL)
        .with_retriever(super::schema_loader::NotLoaded);
    if let Some(registry) = &served.registry {
        options = options.with_registry(registry);
    }
    if asserts_formats {
        for name in super::schema_format::KNOWN {
            options = options.with_format(name, move |s: &str| {
                super::schema_format::check(name, s).is_ok()
            });
        }
    }
    options
}

/// The failures of a schema against its draft's meta-schema, as Helm's validator reports them
/// when it compiles the schema: a header naming the meta-schema, then the failures as a tree
/// grouped along the meta-schema (as values' failures are grouped along the values' schema).
/// None when the schema meets its meta-schema. Helm's error ends without a newline.
fn meta_failures(schema: &serde_json::Value) -> Option<String> {
    meta_failures_at(super::schema_loader::ROOT_URL, schema)
}

/// [`meta_failures`] of the schema document at `url` (the chart's own, or one a reference
/// loaded).
pub(super) fn meta_failures_at(document_url: &str, schema: &serde_json::Value) -> Option<String> {
    let url = super::schema_fast::meta_schema_url(schema);
    let (go, crates) = match url {
        "http://json-schema.org/draft-04/schema#" => (
            GO_DRAFT4_META.as_ref(),
            jsonschema::draft4::meta::validator(),
        ),
        "http://json-schema.org/draft-06/schema#" => (
            GO_DRAFT6_META.as_ref(),
            jsonschema::draft6::meta::validator(),
        ),
        "http://json-schema.org/draft-07/schema#" => (
            GO_DRAFT7_META.as_ref(),
            jsonschema::draft7::meta::validator(),
        ),
        "https://json-schema.org/draft/2019-09/schema#" => {
            (None, jsonschema::draft201909::meta::validator())
        }
        _ => (None, jsonschema::draft202012::meta::validator()),
    };
    let validator: &jsonschema::Validator = go.unwrap_or(&crates);
    let originals = super::schema_pattern::Originals::default();
    // The meta-schemas' own texts are not needed: their failures print no numbers of theirs,
    // and none of the keywords whose causes are worked out from the schema's data.
    let meta = serde_json::Value::Null;
    let served = Arc::default();
    let root = Schema {
        json: &meta,
        source: Source::root("", &originals),
        asserts_formats: false,
        served: &served,
    };
    let errors: Vec<Failure> = validator
        .iter_errors(schema)
        .map(|e| Failure::new(&e, &root.source))
        .collect();
    if errors.is_empty() {
        return None;
    }
    let mut out = format!(
        "{} is not valid against metaschema: jsonschema validation failed with '{url}'\n",
        helmet_value::strconv::quote(&format!("{document_url}#"))
    );
    out.push_str(&render_tree(errors, &root));
    out.pop();
    Some(out)
}

/// Helm's validator reads the ids of a schema's resources (`$id`, draft 4's `id`, without
/// the fragment) with Go's `url.Parse` before it checks the schema against its meta-schema;
/// one that Go refuses fails naming the schema that holds it. Helm walks the subschemas in
/// Go map order and stops at the first: with several, which it names varies.
fn id_error(schema: &serde_json::Value) -> Option<String> {
    let url = super::schema_fast::meta_schema_url(schema);
    let key = if url.contains("draft-04") {
        "id"
    } else {
        "$id"
    };
    // Before 2019-09 the other keywords of a schema with `$ref` are ignored, its id too.
    let ref_hides_id = url.contains("draft-0");
    let mut at = Vec::new();
    bad_id_at(schema, key, ref_hides_id, &mut at).then(|| {
        format!(
            "error in parsing id at {}",
            helmet_value::strconv::quote(&format!("file:///values.schema.json#{}", pointer(&at)))
        )
    })
}

/// Whether the schema `node` or one of its subschemas has an id Go cannot parse; `at` ends as
/// the location of the first found.
fn bad_id_at(
    node: &serde_json::Value,
    key: &str,
    ref_hides_id: bool,
    at: &mut Vec<String>,
) -> bool {
    use super::schema_pattern::{LIST as SCHEMA_LIST, MAP as SCHEMA_MAP, ONE as SCHEMA};
    let Some(obj) = node.as_object() else {
        return false;
    };
    if at.len() > 256 {
        return false;
    }
    if !(ref_hides_id && obj.contains_key("$ref")) {
        if let Some(serde_json::Value::String(id)) = obj.get(key) {
            let without_fragment = id.split('#').next().unwrap_or_default();
            if !super::schema_format::go_url_parses(without_fragment) {
                return true;
            }
        }
    }
    for (name, value) in obj {
        let visit = |child: &serde_json::Value, path: &[&str], at: &mut Vec<String>| {
            at.extend(path.iter().map(|s| s.to_string()));
            if bad_id_at(child, key, ref_hides_id, at) {
                return true;
            }
            at.truncate(at.len() - path.len());
            false
        };
        let name = name.as_str();
        if SCHEMA.contains(&name) && value.is_object() && visit(value, &[name], at) {
            return true;
        }
        if SCHEMA_MAP.contains(&name) {
            if let Some(map) = value.as_object() {
                for (k, v) in map {
                    if visit(v, &[name, k], at) {
                        return true;
                    }
                }
            }
        }
        if SCHEMA_LIST.contains(&name) {
            if let Some(list) = value.as_array() {
                for (i, v) in list.iter().enumerate() {
                    if visit(v, &[name, &i.to_string()], at) {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// The `jsonschema` crate's draft-6 meta-schema wants `examples` to be an array; Helm's copy
/// has no `examples`, so any value passes. An annotation changes no result: a non-array one is
/// dropped from the schema the crate is given, so that it compiles as in Helm.
pub(super) fn drop_draft6_examples(node: &mut serde_json::Value, depth: usize) {
    use super::schema_pattern::{LIST, MAP, ONE};
    let Some(obj) = node.as_object_mut() else {
        return;
    };
    if depth > 256 {
        return;
    }
    if obj.get("examples").is_some_and(|e| !e.is_array()) {
        obj.remove("examples");
    }
    for (name, value) in obj.iter_mut() {
        let name = name.as_str();
        if ONE.contains(&name) && value.is_object() {
            drop_draft6_examples(value, depth + 1);
        } else if LIST.contains(&name) && value.is_array() {
            for item in value.as_array_mut().into_iter().flatten() {
                drop_draft6_examples(item, depth + 1);
            }
        } else if MAP.contains(&name) {
            for item in value
                .as_object_mut()
                .into_iter()
                .flat_map(|m| m.values_mut())
            {
                drop_draft6_examples(item, depth + 1);
            }
        }
    }
}

/// The draft-4, -6 and -7 meta-schemas as Helm's validator has them: unlike the `jsonschema`
/// crate's copies, an `enum` holds at least one item and no item twice, and a draft-4 `$ref`
/// is a string.
static GO_DRAFT4_META: std::sync::LazyLock<Option<jsonschema::Validator>> =
    std::sync::LazyLock::new(|| go_meta_validator(&referencing::meta::DRAFT4, true));
static GO_DRAFT6_META: std::sync::LazyLock<Option<jsonschema::Validator>> =
    std::sync::LazyLock::new(|| go_meta_validator(&referencing::meta::DRAFT6, false));
static GO_DRAFT7_META: std::sync::LazyLock<Option<jsonschema::Validator>> =
    std::sync::LazyLock::new(|| go_meta_validator(&referencing::meta::DRAFT7, false));

fn go_meta_validator(
    crates: &serde_json::Value,
    ref_is_string: bool,
) -> Option<jsonschema::Validator> {
    let mut meta = crates.clone();
    if let Some(properties) = meta
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
    {
        if let Some(serde_json::Value::Object(enum_schema)) = properties.get_mut("enum") {
            enum_schema.insert("minItems".into(), serde_json::Value::from(1));
            enum_schema.insert("uniqueItems".into(), serde_json::Value::Bool(true));
        }
        if ref_is_string {
            properties.insert("$ref".into(), serde_json::json!({"type": "string"}));
        }
    }
    jsonschema::options().build(&meta).ok()
}

/// Whether some `enum` in `schema` is empty or repeats an item (numbers compared by value):
/// what Helm's draft-4, -6 and -7 meta-schemas refuse and the `jsonschema` crate accepts.
fn has_refused_enum(schema: &serde_json::Value, depth: usize) -> bool {
    match schema {
        _ if depth > 256 => false,
        serde_json::Value::Object(map) => map.iter().any(|(key, value)| {
            let refused = key == "enum"
                && value.as_array().is_some_and(|items| {
                    items.is_empty()
                        || items
                            .iter()
                            .enumerate()
                            .any(|(i, a)| items[i + 1..].iter().any(|b| json_equal(a, b)))
                });
            refused || has_refused_enum(value, depth + 1)
        }),
        serde_json::Value::Array(items) => items.iter().any(|v| has_refused_enum(v, depth + 1)),
        _ => false,
    }
}

/// A schema that cannot be compiled, in the words of Helm's validator where we know them.
fn compile_error(err: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::ValidationErrorKind as K;
    match err.kind() {
        K::Referencing(jsonschema::ReferencingError::PointerToNowhere { pointer }) => {
            format!("json-pointer in \"file:///values.schema.json#{pointer}\" not found")
        }
        // Helm downloads schemas that `$ref` names by URL; helmet never goes to the network.
        K::Referencing(jsonschema::ReferencingError::Unretrievable { uri, source }) => {
            format!("failing loading \"{uri}\": {source}")
        }
        _ => err.to_string(),
    }
}

/// One validation failure, detached from the validator's lifetimes.
struct Failure {
    /// The keyword location relative to the subschema being grouped.
    schema: Vec<String>,
    /// The keyword location from the schema root.
    full_schema: Vec<String>,
    instance: Vec<String>,
    message: String,
    /// Causes of compound keywords (`anyOf`, `oneOf`), one list per subschema.
    context: Vec<Vec<Failure>>,
    /// `required`: the missing property (unquoted).
    required: Option<String>,
    /// `propertyNames`: the name and the failure of its check.
    property_name: Option<(String, String)>,
    /// `unevaluatedProperties`: the properties no other keyword evaluated.
    unevaluated: Vec<String>,
    /// The failing value, for keywords whose causes we work out ourselves.
    value: serde_json::Value,
}

fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The JSON pointer of `segments`, each escaped (`~0`, `~1`).
pub(super) fn pointer(segments: &[String]) -> String {
    segments
        .iter()
        .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// A schema as JSON data with its source, for working out the causes and texts of failures.
struct Schema<'a> {
    json: &'a serde_json::Value,
    source: Source<'a>,
    /// Whether `format` is asserted (see [`options`]).
    asserts_formats: bool,
    /// The documents its references loaded, for the validators built for parts.
    served: &'a Arc<super::schema_loader::Served>,
}

/// Where the texts of a validator's keywords are found: the schema source and the keyword path
/// (from the source's root) of the schema the validator was built from.
struct Source<'a> {
    text: &'a str,
    base: Vec<String>,
    /// The patterns as written (the validator's paths hold `patternProperties` keys as it was
    /// given them).
    originals: &'a super::schema_pattern::Originals,
}

impl<'a> Source<'a> {
    fn root(text: &'a str, originals: &'a super::schema_pattern::Originals) -> Source<'a> {
        Source {
            text,
            base: Vec::new(),
            originals,
        }
    }

    /// The source text of the value at `path` (below `base`), if it can be found.
    fn raw_at(&self, path: &[String]) -> Option<&'a str> {
        let mut full = self.base.clone();
        full.extend(path.iter().cloned());
        for i in 1..full.len() {
            if full[i - 1] == "patternProperties" {
                full[i] = self.originals.original(&full[i]).to_string();
            }
        }
        crate::values::raw_json::value_at(self.text, &full)
    }
}

impl Failure {
    fn new(err: &jsonschema::ValidationError<'_>, source: &Source<'_>) -> Failure {
        use jsonschema::error::ValidationErrorKind as K;
        let context = match err.kind() {
            K::AnyOf { context } | K::OneOfNotValid { context } => context
                .iter()
                .map(|errs| errs.iter().map(|e| Failure::new(e, source)).collect())
                .collect(),
            _ => Vec::new(),
        };
        let required = match err.kind() {
            K::Required { property } => Some(property.as_str().unwrap_or_default().to_string()),
            _ => None,
        };
        let property_name = match err.kind() {
            K::PropertyNames { error } => Some((
                error.instance().as_str().unwrap_or_default().to_string(),
                message(error, None, source.originals),
            )),
            _ => None,
        };
        let unevaluated = match err.kind() {
            K::UnevaluatedProperties { unexpected } => unexpected.clone(),
            _ => Vec::new(),
        };
        // Where the failing keyword is in the schema's text, and the way the validator got
        // there (through `$ref`s), by which failures are grouped as Helm's validator groups them.
        let full_schema = pointer_segments(&err.schema_path().to_string());
        let schema = pointer_segments(&err.evaluation_path().to_string());
        // Only `enum` and `const` print their schema's text.
        let raw = match err.kind() {
            K::Enum { .. } | K::Constant { .. } => source.raw_at(&full_schema),
            _ => None,
        };
        Failure {
            full_schema,
            schema,
            instance: pointer_segments(&err.instance_path().to_string()),
            message: message(err, raw, source.originals),
            context,
            required,
            property_name,
            unevaluated,
            value: err.instance().clone().into_owned(),
        }
    }
}

/// The schema at a JSON pointer made of `segments` (the validator's keyword location).
pub(super) fn schema_at<'a>(
    root: &'a serde_json::Value,
    segments: &[String],
) -> Option<&'a serde_json::Value> {
    let mut node = root;
    for seg in segments {
        node = match node {
            serde_json::Value::Object(m) => m.get(seg)?,
            serde_json::Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// For a `dependentRequired` failure: the property whose presence required `missing`.
fn dependent_key(root: &serde_json::Value, err: &Failure, missing: &str) -> Option<String> {
    let rules = schema_at(root, &err.full_schema)?.as_object()?;
    let present = err.value.as_object()?;
    rules
        .iter()
        .find(|(key, needed)| {
            present.contains_key(key.as_str())
                && needed
                    .as_array()
                    .is_some_and(|n| n.iter().any(|v| v.as_str() == Some(missing)))
        })
        .map(|(key, _)| key.clone())
}

/// A schema below `root` (at keyword location `path`) as a validator of its own, with the
/// source it came from.
fn sub_validator<'a>(
    root: &Schema<'a>,
    path: &[String],
) -> Option<(jsonschema::Validator, Schema<'a>)> {
    let sub = schema_at(root.json, path)?;
    let validator = options(root.asserts_formats, root.served).build(sub).ok()?;
    let mut base = root.source.base.clone();
    base.extend(path.iter().cloned());
    let schema = Schema {
        json: sub,
        source: Source {
            text: root.source.text,
            base,
            originals: root.source.originals,
        },
        asserts_formats: root.asserts_formats,
        served: root.served,
    };
    Some((validator, schema))
}

/// The failure of `value` (at instance location `inst`) against a sub-validator, as one node.
fn value_node(
    validator: &jsonschema::Validator,
    schema: &Schema<'_>,
    value: &serde_json::Value,
    inst: &[String],
) -> Option<Node> {
    let failures: Vec<Failure> = validator
        .iter_errors(value)
        .map(|e| {
            let mut f = Failure::new(&e, &schema.source);
            let mut full = inst.to_vec();
            full.extend(f.instance);
            f.instance = full;
            f
        })
        .collect();
    collapse(build(failures, inst, schema), inst)
}

/// For a `contains` failure (`path` is the `contains` keyword's location): the indexes of the
/// items that match the `contains` schema, and each other item's failure against it.
fn contains_causes(root: &Schema<'_>, err: &Failure, path: &[String]) -> (Vec<usize>, Vec<Node>) {
    let Some((validator, sub)) = sub_validator(root, path) else {
        return (Vec::new(), Vec::new());
    };
    let mut nodes = Vec::new();
    let mut matched = Vec::new();
    for (i, item) in err.value.as_array().into_iter().flatten().enumerate() {
        if validator.is_valid(item) {
            matched.push(i);
            continue;
        }
        let mut inst = err.instance.clone();
        inst.push(i.to_string());
        nodes.extend(value_node(&validator, &sub, item, &inst));
    }
    (matched, nodes)
}

/// For an `unevaluatedProperties` failure: each unevaluated property's failure against that
/// schema, at the property's location, as Helm's validator reports them.
fn unevaluated_nodes(root: &Schema<'_>, err: &Failure) -> Vec<Node> {
    let Some((validator, sub)) = sub_validator(root, &err.full_schema) else {
        return Vec::new();
    };
    let mut nodes = Vec::new();
    for name in &err.unevaluated {
        let Some(value) = err.value.get(name) else {
            continue;
        };
        let mut inst = err.instance.clone();
        inst.push(name.clone());
        nodes.extend(value_node(&validator, &sub, value, &inst));
    }
    nodes
}

/// Helm's validator (v6.0) shows an item checked by `items` after `prefixItems` (or by a
/// draft-7 `additionalItems` after an `items` array) at its index counted from the first such
/// item (`/a/0` for the item after one prefix item). `before` names the keyword whose array
/// the first items were checked by.
fn renumber_after_first_items(
    err: &mut Failure,
    relative: usize,
    depth: usize,
    root: &Schema<'_>,
    before: &str,
) {
    let parent = &err.full_schema[..err.full_schema.len().saturating_sub(relative)];
    let Some(prefix) = schema_at(root.json, parent)
        .and_then(|p| p.get(before))
        .and_then(|a| a.as_array())
        .map(Vec::len)
    else {
        return;
    };
    if let Some(index) = err.instance.get_mut(depth) {
        if let Ok(k) = index.parse::<usize>() {
            *index = k.saturating_sub(prefix).to_string();
        }
    }
}

/// A failure of `contains`, `minContains` or `maxContains` as Helm's validator words it, with
/// the items' failures as causes where it gives them.
fn contains_node(root: &Schema<'_>, err: &Failure) -> Node {
    let parent = &err.full_schema[..err.full_schema.len().saturating_sub(1)];
    let mut contains = parent.to_vec();
    contains.push("contains".to_string());
    let (matched, causes) = contains_causes(root, err, &contains);
    let bound = |key: &str| {
        schema_at(root.json, parent)
            .and_then(|p| p.get(key))
            .and_then(|n| n.as_u64())
    };
    let at = |m: &[usize]| m.iter().map(usize::to_string).collect::<Vec<_>>().join(" ");
    let (message, children) = match (bound("minContains"), bound("maxContains")) {
        (Some(min), _) if (matched.len() as u64) < min => {
            let message = if matched.is_empty() {
                format!("min {min} items required to match contains schema, but none matched")
            } else {
                format!(
                    "min {min} items required to match contains schema, but matched {} items at {}",
                    matched.len(),
                    at(&matched)
                )
            };
            (message, causes)
        }
        (_, Some(max)) if matched.len() as u64 > max => (
            format!(
                "max {max} items required to match contains schema, but matched {} items at {}",
                matched.len(),
                at(&matched)
            ),
            Vec::new(),
        ),
        _ => (err.message.clone(), causes),
    };
    Node {
        rank: 0,
        reference: false,
        instance: pointer(&err.instance),
        message,
        children,
    }
}

/// An error as Helm's validator nests them.
struct Node {
    instance: String,
    message: String,
    children: Vec<Node>,
    /// When Helm's validator checks the keyword that failed, among the keywords of one schema
    /// (see [`keyword_rank`]): it reports failures in that order.
    rank: u8,
    /// A `$ref`'s "validation failed" over the failures of the schema it names: unlike a group
    /// of one schema's failures, Helm shows it even as the only failure at the top.
    reference: bool,
}

impl Node {
    fn ranked(mut self, rank: u8) -> Node {
        self.rank = rank;
        self
    }

    fn render(&self, depth: usize) -> String {
        let mut out = format!(
            "{}- at {}: {}\n",
            "  ".repeat(depth),
            quoted(&self.instance),
            self.message
        );
        let mut children: Vec<(u8, String)> = self
            .children
            .iter()
            .map(|c| (c.rank, c.render(depth + 1)))
            .collect();
        // Subschemas of a combinator are reported in their order; the failures of properties
        // come in Go's map order, which changes from run to run: sorting makes ours stable.
        let combinator = [
            "'anyOf' failed",
            "'oneOf' failed, none matched",
            "'allOf' failed",
        ];
        if !combinator.contains(&self.message.as_str()) {
            children.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| natural_order(&a.1, &b.1)));
        }
        out.extend(children.into_iter().map(|(_, text)| text));
        out
    }
}

/// The order in which Helm's validator (santhosh-tekuri/jsonschema v6) checks the keywords of
/// one schema, and so reports their failures: type, const, enum, format, `$ref`; the object
/// keywords (the properties in one loop, then the additional properties that a `false` refuses,
/// together); the array, string and number keywords; `$dynamicRef`; `not`, `allOf`, `anyOf`,
/// `oneOf`, `if`/`then`/`else`; the unevaluated ones.
fn keyword_rank(keyword: &str) -> u8 {
    match keyword {
        "type" => 0,
        "const" => 1,
        "enum" => 2,
        "format" => 3,
        "$ref" => 4,
        "minProperties" => 10,
        "maxProperties" => 11,
        "required" => 12,
        "dependencies" => 13,
        "properties" | "patternProperties" => 14,
        "additionalProperties" => 15,
        "propertyNames" => 16,
        "dependentSchemas" => 17,
        "dependentRequired" => 18,
        "minItems" => 20,
        "maxItems" => 21,
        "uniqueItems" => 22,
        "items" | "additionalItems" | "prefixItems" => 23,
        "contains" | "minContains" => 24,
        "maxContains" => 25,
        "minLength" => 30,
        "maxLength" => 31,
        "pattern" => 32,
        "contentEncoding" => 33,
        "contentMediaType" => 34,
        "contentSchema" => 35,
        "minimum" => 40,
        "maximum" => 41,
        "exclusiveMinimum" => 42,
        "exclusiveMaximum" => 43,
        "multipleOf" => 44,
        "$recursiveRef" | "$dynamicRef" => 50,
        "not" => 51,
        "allOf" => 52,
        "anyOf" => 53,
        "oneOf" => 54,
        "if" | "then" | "else" => 55,
        "unevaluatedProperties" => 60,
        "unevaluatedItems" => 61,
        _ => 70,
    }
}

/// Text order with runs of digits compared as numbers, so that the failures of array items
/// come in index order (`/a/2` before `/a/10`) as Helm's validator reports them.
fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let n = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let m = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (p, q) = (&x[..n], &y[..m]);
                let p = &p[p.iter().take_while(|&&c| c == b'0').count()..];
                let q = &q[q.iter().take_while(|&&c| c == b'0').count()..];
                let order = p.len().cmp(&q.len()).then_with(|| p.cmp(q)).then(n.cmp(&m));
                if order != std::cmp::Ordering::Equal {
                    return order;
                }
                x = &x[n..];
                y = &y[m..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

/// The result of one subschema: its single error, or `validation failed` over several.
fn collapse(mut nodes: Vec<Node>, instance: &[String]) -> Option<Node> {
    match nodes.len() {
        0 => None,
        1 => nodes.pop(),
        _ => Some(Node {
            rank: 0,
            reference: false,
            instance: pointer(instance),
            message: "validation failed".to_string(),
            children: nodes,
        }),
    }
}

/// Groups failures (schema paths relative to the current subschema) into Helm's tree.
fn build(mut errors: Vec<Failure>, instance: &[String], root: &Schema<'_>) -> Vec<Node> {
    use std::collections::BTreeMap;
    // Helm's validator checks `type`, then `const`, `enum` and `format` of a schema first and
    // stops at the first that fails: no other failure of that schema is reported.
    for keyword in ["type", "const", "enum", "format"] {
        if let Some(pos) = errors
            .iter()
            .position(|e| e.schema.len() == 1 && e.schema[0] == keyword && e.instance == instance)
        {
            let first = errors.swap_remove(pos);
            errors = vec![first];
            break;
        }
    }
    let mut nodes = Vec::new();
    // Subschemas applied to a child value (or the same value), keyed by schema prefix and the
    // instance they apply to.
    let mut subs: BTreeMap<(Vec<String>, Vec<String>), Vec<Failure>> = BTreeMap::new();
    let mut all_of: BTreeMap<usize, Vec<Failure>> = BTreeMap::new();
    // Failures under `$ref`, `$dynamicRef`, `then` and `else`, by keyword.
    let mut applied: BTreeMap<String, Vec<Failure>> = BTreeMap::new();
    let mut required: Vec<String> = Vec::new();
    let mut dependent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // The same for the array form of draft-7 `dependencies`, which Helm checks earlier.
    let mut dependencies: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for mut err in errors {
        let segs = err.schema.clone();
        let first = segs.first().map(String::as_str).unwrap_or("");
        if first == "items"
            && !segs
                .get(1)
                .is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit()))
        {
            renumber_after_first_items(&mut err, segs.len(), instance.len(), root, "prefixItems");
        }
        if first == "additionalItems" && segs.len() > 1 {
            renumber_after_first_items(&mut err, segs.len(), instance.len(), root, "items");
        }
        let child_instance = || -> Vec<String> {
            let mut inst = instance.to_vec();
            if let Some(next) = err.instance.get(instance.len()) {
                inst.push(next.clone());
            }
            inst
        };
        match first {
            "properties" | "patternProperties" | "prefixItems" if segs.len() > 2 => {
                let key = (segs[..2].to_vec(), child_instance());
                err.schema = segs[2..].to_vec();
                subs.entry(key).or_default().push(err);
            }
            "items" if segs.len() > 2 && segs[1].chars().all(|c| c.is_ascii_digit()) => {
                let key = (segs[..2].to_vec(), child_instance());
                err.schema = segs[2..].to_vec();
                subs.entry(key).or_default().push(err);
            }
            "items"
            | "additionalProperties"
            | "additionalItems"
            | "unevaluatedProperties"
            | "unevaluatedItems"
                if segs.len() > 1 =>
            {
                let key = (segs[..1].to_vec(), child_instance());
                err.schema = segs[1..].to_vec();
                subs.entry(key).or_default().push(err);
            }
            "dependentSchemas" | "dependencies" if segs.len() > 2 => {
                let key = (segs[..2].to_vec(), instance.to_vec());
                err.schema = segs[2..].to_vec();
                subs.entry(key).or_default().push(err);
            }
            "allOf" if segs.len() > 2 => {
                err.schema = segs[2..].to_vec();
                all_of
                    .entry(segs[1].parse().unwrap_or(usize::MAX))
                    .or_default()
                    .push(err);
            }
            // A reference and a `then` or `else` is one schema applied to the same value: its
            // failures are grouped as that schema's.
            "$ref" | "$dynamicRef" | "$recursiveRef" | "then" | "else" if segs.len() > 1 => {
                err.schema = segs[1..].to_vec();
                applied.entry(first.to_string()).or_default().push(err);
            }
            // Definitions are transparent here, and so is `if` (whose failures only choose
            // between `then` and `else`: the validator reports none).
            "if" | "$defs" | "definitions" if segs.len() > 1 => {
                err.schema = segs[1..].to_vec();
                nodes.extend(build(vec![err], instance, root));
            }
            "required" => {
                if let Some(p) = err.required.take() {
                    required.push(p);
                }
            }
            "dependencies" if segs.len() == 1 && err.required.is_some() => {
                if let Some(p) = err.required.take() {
                    let key = dependent_key(root.json, &err, &p).unwrap_or_default();
                    dependencies.entry(key).or_default().push(quoted(&p));
                }
            }
            "dependentRequired" => {
                if let Some(p) = err.required.take() {
                    let key = if segs.len() > 1 {
                        segs[1].clone()
                    } else {
                        dependent_key(root.json, &err, &p).unwrap_or_default()
                    };
                    dependent.entry(key).or_default().push(quoted(&p));
                }
            }
            "propertyNames" => {
                // Helm's validator reports property names at the empty location.
                if let Some((name, inner)) = err.property_name.take() {
                    nodes.push(Node {
                        rank: keyword_rank("propertyNames"),
                        reference: false,
                        instance: String::new(),
                        message: format!("invalid propertyName {}", quoted(&name)),
                        children: vec![Node {
                            rank: 0,
                            reference: false,
                            instance: String::new(),
                            message: inner,
                            children: Vec::new(),
                        }],
                    });
                }
            }
            "contains" | "minContains" | "maxContains" => {
                nodes.push(contains_node(root, &err).ranked(keyword_rank(first)))
            }
            "unevaluatedProperties" if segs.len() == 1 && !err.unevaluated.is_empty() => {
                let rank = keyword_rank("unevaluatedProperties");
                nodes.extend(
                    unevaluated_nodes(root, &err)
                        .into_iter()
                        .map(|n| n.ranked(rank)),
                );
            }
            _ => {
                let children = err
                    .context
                    .drain(..)
                    .filter_map(|ctx| {
                        let ctx: Vec<Failure> = ctx
                            .into_iter()
                            .map(|mut f| {
                                // Context paths are absolute: keep what follows `anyOf/<i>`.
                                if let Some(pos) =
                                    f.schema.iter().position(|s| s == "anyOf" || s == "oneOf")
                                {
                                    f.schema = f.schema[(pos + 2).min(f.schema.len())..].to_vec();
                                }
                                f
                            })
                            .collect();
                        let inst = err.instance.clone();
                        collapse(build(ctx, &inst, root), &inst)
                    })
                    .collect();
                nodes.push(Node {
                    rank: keyword_rank(first),
                    reference: false,
                    instance: pointer(&err.instance),
                    message: err.message,
                    children,
                });
            }
        }
    }
    if !required.is_empty() {
        let noun = if required.len() == 1 {
            "property"
        } else {
            "properties"
        };
        let names: Vec<String> = required.iter().map(|p| quoted(p)).collect();
        nodes.push(Node {
            rank: keyword_rank("required"),
            reference: false,
            instance: pointer(instance),
            message: format!("missing {noun} {}", names.join(", ")),
            children: Vec::new(),
        });
    }
    let dependent = dependencies
        .into_iter()
        .map(|d| ("dependencies", d))
        .chain(dependent.into_iter().map(|d| ("dependentRequired", d)));
    for (keyword, (if_present, missing)) in dependent {
        nodes.push(Node {
            rank: keyword_rank(keyword),
            reference: false,
            instance: pointer(instance),
            message: format!(
                "properties {} required, if {} exists",
                missing.join(", "),
                quoted(&if_present)
            ),
            children: Vec::new(),
        });
    }
    for ((keyword, inst), errs) in subs {
        if let Some(node) = collapse(build(errs, &inst, root), &inst) {
            // A schema for additional properties is applied in the loop over the properties.
            let rank = match keyword[0].as_str() {
                "additionalProperties" => keyword_rank("properties"),
                other => keyword_rank(other),
            };
            nodes.push(node.ranked(rank));
        }
    }
    for (keyword, errs) in applied {
        let rank = keyword_rank(&keyword);
        let mut inner = build(errs, instance, root);
        let node = match keyword.as_str() {
            // Helm's validator wraps what the named schema reports in a "validation failed" of
            // its own, shown unless it holds a single failure.
            "$ref" | "$dynamicRef" | "$recursiveRef" if inner.len() > 1 => Some(Node {
                rank,
                reference: true,
                instance: pointer(instance),
                message: "validation failed".to_string(),
                children: inner,
            }),
            // The named schema's one failure that groups several (at a value below this one)
            // hands its causes to the reference, shown where the reference applies.
            "$ref" | "$dynamicRef" | "$recursiveRef"
                if inner.len() == 1
                    && inner[0].message == "validation failed"
                    && !inner[0].reference =>
            {
                inner.pop().map(|group| Node {
                    rank,
                    reference: true,
                    instance: pointer(instance),
                    message: "validation failed".to_string(),
                    children: group.children,
                })
            }
            "$ref" | "$dynamicRef" | "$recursiveRef" => inner.pop(),
            _ => collapse(inner, instance),
        };
        nodes.extend(node.map(|n| n.ranked(rank)));
    }
    if !all_of.is_empty() {
        let children = all_of
            .into_values()
            .filter_map(|errs| collapse(build(errs, instance, root), instance))
            .collect();
        nodes.push(Node {
            rank: keyword_rank("allOf"),
            reference: false,
            instance: pointer(instance),
            message: "'allOf' failed".to_string(),
            children,
        });
    }
    nodes
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

/// A text as Helm's validator quotes names, locations and strings: Go's `%q` with the double
/// quotes left unescaped and single quotes escaped, between single quotes.
fn quoted(s: &str) -> String {
    let go = helmet_value::strconv::quote(s);
    let inner = go.replace("\\\"", "\"").replace('\'', "\\'");
    // Go's `%q` text always starts and ends with a double quote; the replacements above may
    // have eaten the escape before the closing one, never the quote itself.
    let body = inner
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(&inner);
    format!("'{body}'")
}

/// A primitive JSON value as the Go validator prints it: strings quoted, `null` as Go's
/// `<nil>`, numbers as written in the schema when `raw` has that text.
fn show(v: &serde_json::Value, raw: Option<&str>) -> String {
    match v {
        serde_json::Value::String(s) => quoted(s),
        serde_json::Value::Null => "<nil>".to_string(),
        serde_json::Value::Number(_) => match raw {
            Some(text) => text.to_string(),
            None => v.to_string(),
        },
        other => other.to_string(),
    }
}

fn is_composite(v: &serde_json::Value) -> bool {
    matches!(
        v,
        serde_json::Value::Array(_) | serde_json::Value::Object(_)
    )
}

/// The message of one failure; `raw` is the source text of the failing keyword's value,
/// `originals` the patterns as written.
fn message(
    err: &jsonschema::ValidationError<'_>,
    raw: Option<&str>,
    originals: &super::schema_pattern::Originals,
) -> String {
    use jsonschema::error::{TypeKind, ValidationErrorKind as K};
    let instance = err.instance();
    let count = |v: &serde_json::Value| -> usize {
        match v {
            serde_json::Value::String(s) => s.chars().count(),
            serde_json::Value::Array(a) => a.len(),
            serde_json::Value::Object(o) => o.len(),
            _ => 0,
        }
    };
    match err.kind() {
        K::Type { kind } => {
            let mut want: Vec<String> = match kind {
                TypeKind::Single(t) => vec![t.to_string()],
                TypeKind::Multiple(ts) => ts.into_iter().map(|t| t.to_string()).collect(),
            };
            // Helm's validator keeps the allowed types as a set and lists them in its own
            // fixed order, not as the schema wrote them nor sorted by name.
            want.sort_by_key(|t| HELM_TYPE_ORDER.iter().position(|o| o == t));
            format!("got {}, want {}", json_type(instance), want.join(" or "))
        }
        K::MinLength { limit } => counted("minLength", count(instance), limit),
        K::MaxLength { limit } => counted("maxLength", count(instance), limit),
        K::MinItems { limit } => counted("minItems", count(instance), limit),
        K::MaxItems { limit } => counted("maxItems", count(instance), limit),
        K::MinProperties { limit } => counted("minProperties", count(instance), limit),
        K::MaxProperties { limit } => counted("maxProperties", count(instance), limit),
        K::Minimum { limit } => bounded("minimum", instance, limit),
        K::Maximum { limit } => bounded("maximum", instance, limit),
        K::ExclusiveMinimum { limit } => bounded("exclusiveMinimum", instance, limit),
        K::ExclusiveMaximum { limit } => bounded("exclusiveMaximum", instance, limit),
        K::MultipleOf { multiple_of } => format!(
            "multipleOf: got {}, want {}",
            localized(instance),
            localized_number(*multiple_of)
        ),
        K::Enum { options } => {
            let items = options.as_array().map(Vec::as_slice).unwrap_or_default();
            if items.iter().any(is_composite) {
                return "'enum' failed".to_string();
            }
            let texts = raw.and_then(crate::values::raw_json::items);
            let opts: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, v)| show(v, texts.as_ref().and_then(|t| t.get(i).copied())))
                .collect();
            match opts.as_slice() {
                [one] => format!("value must be {one}"),
                _ => format!("value must be one of {}", opts.join(", ")),
            }
        }
        K::Constant { expected_value } if is_composite(expected_value) => {
            "'const' failed".to_string()
        }
        K::Constant { expected_value } => format!("value must be {}", show(expected_value, raw)),
        K::Required { property } => format!(
            "missing property {}",
            quoted(property.as_str().unwrap_or_default())
        ),
        K::AdditionalProperties { unexpected } => {
            // Helm's validator says "properties" even for one name.
            let names: Vec<String> = unexpected.iter().map(|n| quoted(n)).collect();
            format!("additional properties {} not allowed", names.join(", "))
        }
        K::Pattern { pattern } => format!(
            "{} does not match pattern {}",
            show(instance, None),
            quoted(originals.original(pattern))
        ),
        K::UniqueItems => {
            let items = instance.as_array().cloned().unwrap_or_default();
            let pair = (0..items.len()).find_map(|i| {
                (i + 1..items.len())
                    .find(|&j| json_equal(&items[i], &items[j]))
                    .map(|j| (i, j))
            });
            match pair {
                Some((i, j)) => format!("items at {i} and {j} are equal"),
                None => "items are not unique".to_string(),
            }
        }
        K::Not { .. } => "'not' failed".to_string(),
        K::AnyOf { .. } => "'anyOf' failed".to_string(),
        K::OneOfNotValid { .. } => "'oneOf' failed, none matched".to_string(),
        K::OneOfMultipleValid { context } => {
            // Helm's validator stops at the second subschema that matches.
            let matched: Vec<String> = context
                .iter()
                .enumerate()
                .filter(|(_, errs)| errs.is_empty())
                .map(|(i, _)| i.to_string())
                .take(2)
                .collect();
            format!("'oneOf' failed, subschemas {} matched", matched.join(", "))
        }
        K::Format { format } => {
            let value = instance.as_str().unwrap_or_default();
            let reason = super::schema_format::check(format, value)
                .err()
                .unwrap_or_default();
            format!("{} is not valid {format}: {reason}", quoted(value))
        }
        K::Contains => "no items match contains schema".to_string(),
        K::FalseSchema => "false schema".to_string(),
        K::AdditionalItems { limit } => {
            let items = err.instance().as_array().map_or(0, Vec::len);
            format!(
                "last {} additionalItem(s) not allowed",
                items.saturating_sub(*limit)
            )
        }
        _ => err.to_string(),
    }
}

/// JSON equality as Helm's validator decides it: numbers by their value (`1` and `1.0` are
/// equal), arrays and objects item by item.
fn json_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// The order in which Helm's validator names the types a `type` keyword allows.
const HELM_TYPE_ORDER: [&str; 7] = [
    "null", "boolean", "number", "integer", "string", "array", "object",
];

/// `KEYWORD: got N, want M` for counts (lengths, items, properties).
fn counted(keyword: &str, got: usize, want: &u64) -> String {
    format!(
        "{keyword}: got {}, want {}",
        localized_number(got as f64),
        localized_number(*want as f64)
    )
}

/// `KEYWORD: got N, want M` for numeric bounds.
fn bounded(keyword: &str, got: &serde_json::Value, want: &serde_json::Value) -> String {
    format!(
        "{keyword}: got {}, want {}",
        localized(got),
        localized(want)
    )
}

fn localized(v: &serde_json::Value) -> String {
    match v.as_f64() {
        Some(f) => localized_number(f),
        None => v.to_string(),
    }
}

/// A number as Helm's schema validator prints it through Go's English message printer: Go's
/// `%v` choice between decimal and exponent form, decimals grouped by thousands
/// (`12,345.678`), exponents as `×10⁰⁶`.
fn localized_number(f: f64) -> String {
    let text = helmet_value::strconv::format_float(f, b'g', -1, 64);
    if let Some((mantissa, exp)) = text.split_once('e') {
        const SUPERSCRIPT: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
        let mut out = format!("{mantissa}×10");
        for c in exp.chars() {
            match c {
                '-' => out.push('⁻'),
                '+' => {}
                d => out.push(SUPERSCRIPT[d.to_digit(10).unwrap_or(0) as usize]),
            }
        }
        return out;
    }
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut grouped = String::new();
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod localized_tests {
    use super::localized_number;

    /// Texts from Helm v4.2.3's schema errors (fixtures/values and the todo-app goldens).
    #[test]
    fn numbers_print_as_helms_validator_prints_them() {
        assert_eq!(localized_number(8080.0), "8,080");
        assert_eq!(localized_number(30000.0), "30,000");
        assert_eq!(localized_number(3.0), "3");
        assert_eq!(localized_number(1234.5), "1,234.5");
        assert_eq!(localized_number(12345.678), "12,345.678");
        assert_eq!(localized_number(-1000.0), "-1,000");
        assert_eq!(localized_number(-1234567.0), "-1.234567×10⁰⁶");
    }
}

#[cfg(test)]
mod remote_ref_tests {
    use super::validate_single;
    use helmet_value::Value;

    /// Helm loads a meta-schema that `$schema` names by a URL other than a draft's; helmet
    /// fails naming what it does not do (before loading anything).
    #[test]
    fn meta_schemas_by_url_fail_by_name() {
        let schema = br#"{"$schema":"https://example.com/meta.json","properties":{"a":{}}}"#;
        let err = validate_single(&Value::map(Default::default()), schema).unwrap_err();
        assert_eq!(
            err,
            "failing loading \"https://example.com/meta.json\": loading a meta-schema by URL is not supported yet"
        );
    }
}
