//! The documents a values schema names by URL, loaded as Helm's validator loads them.
//!
//! Helm gives its validator (santhosh-tekuri/jsonschema v6) one loader per URL scheme
//! (`pkg/chart/common/util/jsonschema.go`):
//! - `file` opens the URL's path on this machine. The chart's own schema is
//!   `file:///values.schema.json` to the validator, so a relative `"$ref": "defs.json"` opens
//!   `/defs.json`, not a file of the chart.
//! - `http` and `https` GET the document: 15 seconds in all, proxies from the environment
//!   (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), the system's certificate authorities, the user
//!   agent `Helm/4.2.3`, and any status but 200 refused.
//! - `urn` gives a schema that accepts everything, with a warning (once per URN and process).
//! - Any other scheme has no loader.
//!
//! The validator compiles a schema breadth first and loads a document when it compiles the
//! first schema whose `$ref` points into it, stopping at the first load that fails. The
//! `jsonschema` crate instead collects every reference of a document (those of unused
//! definitions too) and fetches them in a hash set's order. So [`load_referenced`] walks the
//! schema in the validator's order, loading what it meets: the failure named is Helm's, and
//! documents only the crate would ask for (which Helm never loads) cannot fail a render.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::Value as Json;

use super::schema_fast::{draft_from_url, Draft};
use super::schema_pattern::Originals;

/// Where Helm's validator keeps the chart's own schema: the base of its relative references.
pub(crate) const ROOT_URL: &str = "file:///values.schema.json";

/// Helm's user agent (`version.GetUserAgent()`).
const USER_AGENT: &str = "Helm/4.2.3";

/// The loaded documents, in the form the `jsonschema` crate is given them: a registry the
/// crate's validators are built with. The crate resolves references into a document lazily,
/// when it validates, so every document must be there beforehand.
#[derive(Default)]
pub(crate) struct Served {
    pub(crate) registry: Option<referencing::Registry<'static>>,
}

/// What the crate is given for a document no loaded schema holds. Only references the
/// validator never compiles lead there (the walk below follows every keyword that holds a
/// subschema, as the validator does): Helm loads nothing for them, and the crate never
/// validates against them.
pub(crate) struct NotLoaded;

impl referencing::Retrieve for NotLoaded {
    fn retrieve(
        &self,
        _uri: &referencing::Uri<String>,
    ) -> Result<Json, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Json::Bool(true))
    }
}

/// Loads the documents that the schema `root` (as the crate is given it) references outside
/// itself, following references into them too: the crate's form of each, and the patterns each
/// had as written. The error is Helm's for the first load that fails (`failing loading ...`).
pub(crate) fn load_referenced(root: &Json, originals: &mut Originals) -> Result<Served, String> {
    // Most schemas reference only themselves: nothing to walk.
    if !has_document_ref(root, 0) {
        return Ok(Served::default());
    }
    let mut walk = Walk {
        originals: std::mem::take(originals),
        ..Walk::default()
    };
    walk.add(ROOT_URL.to_string(), Arc::new(root.clone()));
    walk.queue.push_back(Entry {
        document: 0,
        pointer: String::new(),
        base: ROOT_URL.to_string(),
    });
    let walked = walk.run();
    *originals = std::mem::take(&mut walk.originals);
    walked?;
    if walk.documents.len() == 1 {
        return Ok(Served::default());
    }
    let resources = walk.documents.into_iter().skip(1).map(|(url, document)| {
        let document = Arc::try_unwrap(document).unwrap_or_else(|shared| (*shared).clone());
        (url, referencing::Resource::from_contents(document))
    });
    let registry = referencing::Registry::new()
        .retriever(NotLoaded)
        .extend(resources)
        .and_then(|builder| builder.prepare())
        .map_err(|e| e.to_string())?;
    Ok(Served {
        registry: Some(registry),
    })
}

/// Whether some `$ref` below `node` names a document (is more than a fragment of its own).
fn has_document_ref(node: &Json, depth: usize) -> bool {
    match node {
        _ if depth > MAX_DEPTH => false,
        Json::Object(map) => map.iter().any(|(key, value)| match value {
            Json::String(r) => key == "$ref" && !r.starts_with('#'),
            _ => has_document_ref(value, depth + 1),
        }),
        Json::Array(items) => items.iter().any(|v| has_document_ref(v, depth + 1)),
        _ => false,
    }
}

/// A schema waiting in the validator's queue: where it is and the URL its references resolve
/// against.
struct Entry {
    document: usize,
    pointer: String,
    base: String,
}

#[derive(Default)]
struct Walk {
    /// Documents by URL, the root first, then those loaded (in the crate's form, see
    /// [`prepare`]) in the order loaded.
    documents: Vec<(String, Arc<Json>)>,
    /// The patterns of all of them as written, where the crate is given another form.
    originals: Originals,
    by_url: HashMap<String, usize>,
    /// Schemas named by an id inside a loaded document: the absolute URL, the document and
    /// the pointer to the schema.
    ids: HashMap<String, (usize, String)>,
    queue: VecDeque<Entry>,
    seen: HashSet<(usize, String)>,
}

/// How deep ids are looked for in a document (the JSON reader's own nesting limit is
/// higher; a schema nests far less).
const MAX_DEPTH: usize = 512;

impl Walk {
    fn add(&mut self, url: String, document: Arc<Json>) {
        let index = self.documents.len();
        let draft = document_draft(&document);
        let mut ids = Vec::new();
        collect_ids(&document, &url, draft, &mut String::new(), &mut ids, 0);
        for (id, pointer) in ids {
            self.ids.entry(id).or_insert((index, pointer));
        }
        self.by_url.insert(url.clone(), index);
        self.documents.push((url, document));
    }

    fn run(&mut self) -> Result<(), String> {
        while let Some(entry) = self.queue.pop_front() {
            if !self.seen.insert((entry.document, entry.pointer.clone())) {
                continue;
            }
            let document = self.documents[entry.document].1.clone();
            let draft = document_draft(&document);
            let Some(Json::Object(node)) = document.pointer(&entry.pointer) else {
                continue;
            };
            let base = rebased(node, draft, &entry.base).unwrap_or(entry.base);
            if let Some(Json::String(reference)) = node.get("$ref") {
                self.follow(&base, reference)?;
            }
            // The later drafts' dynamic references load their documents as `$ref` does.
            for key in ["$recursiveRef", "$dynamicRef"] {
                if let (Some(Json::String(reference)), true) =
                    (node.get(key), draft >= Draft::D2019)
                {
                    self.follow(&base, reference)?;
                }
            }
            if ref_alone(node, draft) {
                continue;
            }
            for pointer in subschemas(node, &entry.pointer, draft) {
                self.queue.push_back(Entry {
                    document: entry.document,
                    pointer,
                    base: base.clone(),
                });
            }
        }
        Ok(())
    }

    /// Compiles the target of a reference: loads its document when it is not known yet.
    fn follow(&mut self, base: &str, reference: &str) -> Result<(), String> {
        let safe = super::schema_refs::encoded_fragment(reference);
        let Some(resolved) = resolve(base, safe.as_deref().unwrap_or(reference)) else {
            // The crate refuses the reference too, with its own error.
            return Ok(());
        };
        let url = without_fragment(&resolved).to_string();
        let fragment = resolved
            .split_once('#')
            .map_or(String::new(), |(_, f)| percent_decoded(f));
        let (document, root_pointer) = if let Some(&index) = self.by_url.get(&url) {
            (index, String::new())
        } else if let Some((index, pointer)) = self.ids.get(&url) {
            (*index, pointer.clone())
        } else {
            let loaded = load(&url).map_err(|e| {
                format!(
                    "failing loading {}: {e}",
                    helmet_value::strconv::quote(&url)
                )
            })?;
            let prepared = prepare(&url, &loaded, &mut self.originals)?;
            // The validator checks each document against its draft's meta-schema as it loads
            // it.
            if let Some(failures) = super::schema::meta_failures_at(&url, &prepared) {
                return Err(failures);
            }
            self.add(url.clone(), Arc::new(prepared));
            (self.documents.len() - 1, String::new())
        };
        // A fragment that is no JSON pointer names an anchor (`$anchor`, or an id `#name`
        // before 2019-09).
        let pointer = if fragment.is_empty() || fragment.starts_with('/') {
            Some(format!("{root_pointer}{fragment}"))
        } else {
            let root = self.documents[document].1.clone();
            root.pointer(&root_pointer).and_then(|node| {
                let mut at = String::new();
                anchor_at(node, &fragment, &mut at, 0).then(|| format!("{root_pointer}{at}"))
            })
        };
        if let Some(pointer) = pointer {
            let root = self.documents[document].1.clone();
            if document > 0 && root.pointer(&pointer).is_none() {
                return Err(format!(
                    "json-pointer in {} not found",
                    helmet_value::strconv::quote(&format!("{url}#{fragment}"))
                ));
            }
            // The ids of the schemas above the target change the base its references use.
            let base = base_at(&root, &pointer, &self.documents[document].0);
            self.queue.push_back(Entry {
                document,
                pointer,
                base,
            });
        }
        Ok(())
    }
}

/// The base URL of the references of the schema at `pointer` in `document` (found at `url`):
/// the document's URL changed by every id on the way down, the target's own excepted (the walk
/// applies that one when it compiles the target).
fn base_at(document: &Json, pointer: &str, url: &str) -> String {
    let draft = document_draft(document);
    let mut base = url.to_string();
    let mut node = document;
    for segment in pointer.split('/').skip(1) {
        if let Some(rebased) = node.as_object().and_then(|map| rebased(map, draft, &base)) {
            base = rebased;
        }
        let segment = segment.replace("~1", "/").replace("~0", "~");
        node = match node {
            Json::Object(map) => match map.get(&segment) {
                Some(next) => next,
                None => break,
            },
            Json::Array(items) => match segment.parse::<usize>().ok().and_then(|i| items.get(i)) {
                Some(next) => next,
                None => break,
            },
            _ => break,
        };
    }
    base
}

/// Whether the schema named by the anchor `name` is `node` or below it; `at` ends as its
/// pointer from `node`. Data (`enum`, `const`, `default`, `examples`) is not looked into.
fn anchor_at(node: &Json, name: &str, at: &mut String, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match node {
        Json::Object(map) => {
            let named = |key: &str, text: &str| map.get(key).and_then(Json::as_str) == Some(text);
            if named("$anchor", name)
                || named("$id", &format!("#{name}"))
                || named("id", &format!("#{name}"))
            {
                return true;
            }
            map.iter().any(|(key, value)| {
                if DATA_KEYWORDS.contains(&key.as_str()) {
                    return false;
                }
                let len = at.len();
                at.push('/');
                at.push_str(&escaped(key));
                let found = anchor_at(value, name, at, depth + 1);
                if !found {
                    at.truncate(len);
                }
                found
            })
        }
        Json::Array(items) => items.iter().enumerate().any(|(i, value)| {
            let len = at.len();
            at.push_str(&format!("/{i}"));
            let found = anchor_at(value, name, at, depth + 1);
            if !found {
                at.truncate(len);
            }
            found
        }),
        _ => false,
    }
}

/// Keywords whose values are data, not schemas: ids and anchors are not looked for in them.
const DATA_KEYWORDS: &[&str] = &["enum", "const", "default", "examples"];

/// Whether `node` is a `$ref` whose other keywords the draft ignores (all before 2019-09, its
/// id too).
fn ref_alone(node: &serde_json::Map<String, Json>, draft: Draft) -> bool {
    draft < Draft::D2019 && node.contains_key("$ref")
}

/// The base URL the schema `node` gives the references below it when its id (`$id`, draft 4's
/// `id`) changes `base`; `None` when it has no id that counts.
fn rebased(node: &serde_json::Map<String, Json>, draft: Draft, base: &str) -> Option<String> {
    let id_key = if draft == Draft::D4 { "id" } else { "$id" };
    match node.get(id_key) {
        Some(Json::String(id)) if !ref_alone(node, draft) => {
            resolve(base, id).map(|resolved| without_fragment(&resolved).to_string())
        }
        _ => None,
    }
}

/// The draft a document is read with: its `$schema`, or 2020-12 (Helm's validator gives
/// every document without one, loaded ones too, its default draft).
fn document_draft(document: &Json) -> Draft {
    match document.get("$schema") {
        Some(Json::String(url)) => draft_from_url(url).unwrap_or(Draft::D2020),
        _ => Draft::D2020,
    }
}

/// The locations of the subschemas of `node` (at `pointer`) that the validator compiles, in
/// the order it queues them. Definitions are not among them: they are compiled when a
/// reference reaches them.
fn subschemas(node: &serde_json::Map<String, Json>, pointer: &str, draft: Draft) -> Vec<String> {
    let mut out = Vec::new();
    let at = |key: &str| format!("{pointer}/{}", escaped(key));
    let one = |out: &mut Vec<String>, key: &str| {
        if node.contains_key(key) {
            out.push(at(key));
        }
    };
    let each = |out: &mut Vec<String>, key: &str| match node.get(key) {
        Some(Json::Array(items)) => {
            out.extend((0..items.len()).map(|i| format!("{}/{i}", at(key))))
        }
        Some(Json::Object(map)) => {
            out.extend(map.keys().map(|k| format!("{}/{}", at(key), escaped(k))))
        }
        _ => {}
    };
    each(&mut out, "allOf");
    each(&mut out, "anyOf");
    each(&mut out, "oneOf");
    one(&mut out, "not");
    if draft < Draft::D2020 {
        match node.get("items") {
            Some(Json::Array(_)) => {
                each(&mut out, "items");
                one(&mut out, "additionalItems");
            }
            Some(_) => one(&mut out, "items"),
            None => {}
        }
    }
    each(&mut out, "properties");
    each(&mut out, "patternProperties");
    one(&mut out, "additionalProperties");
    if let Some(Json::Object(map)) = node.get("dependencies") {
        for (key, value) in map {
            if !value.is_array() {
                out.push(format!("{}/{}", at("dependencies"), escaped(key)));
            }
        }
    }
    if draft >= Draft::D6 {
        one(&mut out, "contains");
        one(&mut out, "propertyNames");
    }
    if draft >= Draft::D7 {
        one(&mut out, "if");
        one(&mut out, "then");
        one(&mut out, "else");
    }
    if draft >= Draft::D2019 {
        each(&mut out, "dependentSchemas");
        one(&mut out, "unevaluatedItems");
        one(&mut out, "unevaluatedProperties");
        one(&mut out, "contentSchema");
    }
    if draft >= Draft::D2020 {
        each(&mut out, "prefixItems");
        one(&mut out, "items");
    }
    out
}

/// A key as a JSON pointer segment.
fn escaped(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The ids of `node` and the schemas below it: each absolute URL (without fragment) with the
/// pointer to its schema. Values that are data (`enum`, `const`, `default`, `examples`) are
/// not looked into.
fn collect_ids(
    node: &Json,
    base: &str,
    draft: Draft,
    pointer: &mut String,
    out: &mut Vec<(String, String)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match node {
        Json::Object(map) => {
            let base = match rebased(map, draft, base) {
                Some(rebased) => {
                    out.push((rebased.clone(), pointer.clone()));
                    rebased
                }
                None => base.to_string(),
            };
            for (key, value) in map {
                if DATA_KEYWORDS.contains(&key.as_str()) {
                    continue;
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escaped(key));
                collect_ids(value, &base, draft, pointer, out, depth + 1);
                pointer.truncate(len);
            }
        }
        Json::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                collect_ids(value, base, draft, pointer, out, depth + 1);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// `reference` resolved against `base` (RFC 3986, as Go's `url.ResolveReference`).
fn resolve(base: &str, reference: &str) -> Option<String> {
    let base = referencing::uri::from_str(base).ok()?;
    referencing::uri::resolve_against(&base.borrow(), reference)
        .ok()
        .map(|u| u.as_str().to_string())
}

fn without_fragment(url: &str) -> &str {
    url.split_once('#').map_or(url, |(u, _)| u)
}

/// `%XX` sequences decoded (a JSON pointer in a fragment is percent-encoded).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A loaded document as the `jsonschema` crate is given it, read as Helm's validator reads
/// it: the default draft named when it names none, Go patterns in the crate's form (their
/// original texts added to `originals`), fragments Go takes percent-encoded.
fn prepare(url: &str, document: &Json, originals: &mut Originals) -> Result<Json, String> {
    let mut document = document.clone();
    if let Json::Object(map) = &mut document {
        match map.get("$schema") {
            None => {
                map.insert(
                    "$schema".into(),
                    Json::String("https://json-schema.org/draft/2020-12/schema".into()),
                );
            }
            Some(Json::String(meta)) => {
                if let Some(draft) = super::schema_fast::draft_url_without_fragment(meta) {
                    map.insert("$schema".into(), Json::String(draft));
                } else if !super::schema_fast::names_draft(meta) {
                    // As for the chart's own schema: Helm would load this meta-schema.
                    return Err(format!(
                        "failing loading {}: {}",
                        helmet_value::strconv::quote(meta),
                        super::schema::META_BY_URL
                    ));
                }
            }
            Some(_) => {}
        }
    }
    let (rewritten, found, refused) = super::schema_pattern::rewrite(&document);
    if let Some(first) = refused.first() {
        return Err(format!(
            "failing loading {}: {} at {} is not valid regex: {} (helmet does not word Go-refused patterns of loaded schemas as Helm yet)",
            helmet_value::strconv::quote(url),
            helmet_value::strconv::quote(&first.pattern),
            helmet_value::strconv::quote(&first.pointer),
            first.reason
        ));
    }
    originals.extend(found);
    let mut document = rewritten.unwrap_or(document);
    if super::schema_fast::meta_schema_url(&document).contains("draft-06") {
        super::schema::drop_draft6_examples(&mut document, 0);
    }
    Ok(super::schema_refs::uri_safe_refs(&document).unwrap_or(document))
}

/// The documents loaded in this process, by URL, while [`crate::process_caches`] are on: a
/// process that renders a chart again and again asks a server once. (Helm loads them again
/// for every render; a document that changes on its server between two renders of one
/// process is the difference.)
static LOADED: Mutex<Vec<(String, Json)>> = Mutex::new(Vec::new());

/// Drops the kept documents (see [`crate::clear_process_caches`]).
pub(crate) fn clear() {
    LOADED.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// URNs warned about in this process: Helm warns once per URN.
static WARNED_URNS: Mutex<Vec<String>> = Mutex::new(Vec::new());

thread_local! {
    /// Warnings waiting for the caller's log, in Helm's `slog` form without the time. Per
    /// thread: schemas are compiled on the thread that validates, and renders of other charts
    /// on other threads must not take them.
    static WARNINGS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Takes the warnings loads on this thread have left since the last call.
pub(crate) fn take_warnings() -> Vec<String> {
    WARNINGS.with(|w| std::mem::take(&mut *w.borrow_mut()))
}

/// The document at `url` (without fragment), read by the loader Helm registers for its
/// scheme; the error is the loader's, in Go's words.
pub(crate) fn load(url: &str) -> Result<Json, String> {
    let cached = crate::process_caches();
    if cached {
        let kept = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, document)) = kept.iter().find(|(u, _)| u == url) {
            return Ok(document.clone());
        }
    }
    // Go's `url.Parse` lowers the scheme's case.
    let scheme = url
        .split_once(':')
        .map(|(s, _)| s.to_ascii_lowercase())
        .unwrap_or_default();
    let document = match scheme.as_str() {
        "file" => load_file(url)?,
        "http" | "https" => super::schema_http::get(url, USER_AGENT).and_then(|b| decode(&b))?,
        "urn" => {
            let mut warned = WARNED_URNS.lock().unwrap_or_else(|e| e.into_inner());
            if !warned.iter().any(|u| u == url) {
                warned.push(url.to_string());
                let line = format!(
                    "WARN unresolved URN reference ignored; using permissive schema urn={}",
                    crate::slog::text_value(url)
                );
                WARNINGS.with(|w| w.borrow_mut().push(line));
            }
            // Not kept: the warning above is the loader's, every time it is asked.
            return Ok(Json::Bool(true));
        }
        _ => {
            return Err(format!(
                "no URLLoader registered for {}",
                helmet_value::strconv::quote(url)
            ))
        }
    };
    if cached {
        let mut kept = LOADED.lock().unwrap_or_else(|e| e.into_inner());
        // A process meets few documents; the bound only keeps a long-running embedder small.
        if kept.len() >= 256 {
            kept.remove(0);
        }
        kept.push((url.to_string(), document.clone()));
    }
    Ok(document)
}

/// The validator's file loader: the URL's path (percent-decoded, any host dropped, as Go's
/// `url.Parse` gives it) opened on this machine.
fn load_file(url: &str) -> Result<Json, String> {
    let rest = &url["file:".len()..];
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let path = match rest.strip_prefix("//") {
        Some(authority_and_path) => authority_and_path
            .find('/')
            .map_or("", |i| &authority_and_path[i..]),
        // `file:/x` is a path; `file:x` is opaque and has none.
        None if rest.starts_with('/') => rest,
        None => "",
    };
    let path = percent_decoded(path);
    // `os.Open` of a folder succeeds and reading it fails, as with `os.ReadFile`.
    let bytes =
        std::fs::read(&path).map_err(|e| helmet_value::oserror::read_file_error(&path, &e))?;
    decode(&bytes)
}

/// A loaded document read as the validator reads it: one JSON value through Go's
/// `json.Decoder` (numbers kept exact), then nothing but white space.
fn decode(bytes: &[u8]) -> Result<Json, String> {
    if bytes.iter().all(|b| b" \t\r\n".contains(b)) {
        return Err("EOF".to_string());
    }
    if let Err(e) = helmet_yaml::from_json_as(bytes, helmet_yaml::Shape::Any) {
        let text = e.to_string();
        // The decoder reads one value, then asks for one more token: what follows the value
        // is refused without naming it, and a value cut short is an unexpected EOF.
        return Err(if text.ends_with("after top-level value") {
            "invalid character after top-level value".to_string()
        } else if text == "unexpected end of JSON input" {
            "unexpected EOF".to_string()
        } else {
            text
        });
    }
    serde_json::from_slice(bytes)
        .or_else(|_| serde_json::from_str(&String::from_utf8_lossy(bytes)))
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error of walking `root`, which must fail.
    fn first_failure(root: &Json) -> String {
        load_referenced(root, &mut Originals::default())
            .err()
            .expect("a failing load")
    }

    #[test]
    fn file_urls_as_go_reads_them() {
        let dir = std::env::temp_dir().join(format!("helmet-loader-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a b.json");
        std::fs::write(&file, br#"{"type": "string"}"#).unwrap();
        let path = file.display().to_string().replace(' ', "%20");
        assert_eq!(
            load_file(&format!("file://{path}")).unwrap(),
            serde_json::json!({"type": "string"})
        );
        assert_eq!(
            load_file(&format!("file://ignored-host{path}")).unwrap(),
            serde_json::json!({"type": "string"})
        );
        assert_eq!(
            load_file("file:///nonexistent-helmet/defs.json").unwrap_err(),
            "open /nonexistent-helmet/defs.json: no such file or directory"
        );
        assert_eq!(
            load_file(&format!("file://{}", dir.display())).unwrap_err(),
            format!("read {}: is a directory", dir.display())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn documents_decode_as_go_decodes_them() {
        assert_eq!(decode(b"").unwrap_err(), "EOF");
        assert_eq!(decode(b"{\"a\": ").unwrap_err(), "unexpected EOF");
        assert_eq!(
            decode(b"{} x").unwrap_err(),
            "invalid character after top-level value"
        );
        assert_eq!(
            decode(b"not json").unwrap_err(),
            "invalid character 'o' in literal null (expecting 'u')"
        );
        assert_eq!(decode(b" true \n").unwrap(), Json::Bool(true));
    }

    #[test]
    fn other_schemes_have_no_loader() {
        assert_eq!(
            load("ftp://example.com/x.json").unwrap_err(),
            "no URLLoader registered for \"ftp://example.com/x.json\""
        );
    }

    #[test]
    fn the_walk_loads_in_the_validators_order() {
        // Breadth first: the shallow reference is met before the deeper ones, whatever the
        // order of the text.
        let root = serde_json::json!({
            "properties": {
                "a": {"properties": {"deep": {"$ref": "file:///nonexistent-helmet/deep.json"}}},
                "b": {"$ref": "file:///nonexistent-helmet/shallow.json"},
            },
            "$defs": {"unused": {"$ref": "file:///nonexistent-helmet/unused.json"}},
        });
        let err = first_failure(&root);
        assert_eq!(
            err,
            "failing loading \"file:///nonexistent-helmet/shallow.json\": open /nonexistent-helmet/shallow.json: no such file or directory"
        );
        // Definitions nobody references are never loaded.
        let root = serde_json::json!({
            "$defs": {"unused": {"$ref": "file:///nonexistent-helmet/unused.json"}},
        });
        assert!(load_referenced(&root, &mut Originals::default())
            .unwrap()
            .registry
            .is_none());
    }

    #[test]
    fn anchors_lead_the_walk_to_their_schemas() {
        // The anchored schema's own reference is loaded (and fails) once an anchor names it.
        let root = serde_json::json!({
            "$defs": {"named": {"$anchor": "here", "$ref": "file:///nonexistent-helmet/anchored.json"}},
            "properties": {"a": {"$ref": "#here"}},
        });
        let err = first_failure(&root);
        assert!(
            err.starts_with("failing loading \"file:///nonexistent-helmet/anchored.json\""),
            "{err}"
        );
    }

    #[test]
    fn relative_references_resolve_against_ids() {
        let root = serde_json::json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$id": "file:///nonexistent-helmet/sub/root.json",
            "properties": {"a": {"$ref": "defs.json#/a"}},
        });
        let err = first_failure(&root);
        assert!(
            err.starts_with("failing loading \"file:///nonexistent-helmet/sub/defs.json\""),
            "{err}"
        );
        // Without an id, the base is Helm's name for the chart's schema.
        let root = serde_json::json!({"$ref": "defs.json"});
        let err = first_failure(&root);
        assert_eq!(
            err,
            "failing loading \"file:///defs.json\": open /defs.json: no such file or directory"
        );
    }
}
