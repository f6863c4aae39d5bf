//! The engine stage (Helm's `engine.Render`): every template of a chart and its enabled
//! subcharts is parsed once into one template set, then each file is executed with its own
//! chart's scope (`.Values`, `.Chart`, `.Files`, ... of the chart that holds it).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use helmet_template::{ErrorKind, Templates};
use helmet_value::{FuncMap, Map, Value};

use crate::chart::{Chart, Error};
use crate::objects::{self, Capabilities, Files, ReleaseInfo};

/// What the engine needs besides the chart and its values.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// `.Release`
    pub release: ReleaseInfo,
    /// `.Capabilities`
    pub capabilities: Capabilities,
    /// `missingkey=error` (Helm's strict mode, used by `helm lint --strict`).
    pub strict: bool,
    /// What becomes of a file whose output is not UTF-8 (Go strings are bytes).
    pub invalid_utf8: InvalidUtf8,
    /// `--skip-schema-validation`: the values are not checked against `values.schema.json`.
    pub skip_schema_validation: bool,
}

/// What a render does with a file whose output is not UTF-8: Helm's engine returns Go strings,
/// which hold any bytes; helmet's rendered files are text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InvalidUtf8 {
    /// Fail, naming the limitation.
    #[default]
    Refuse,
    /// U+FFFD for each invalid byte, as the reference renderer's JSON shows the engine's output
    /// (`helmet render`).
    Replace,
    /// As `helm template`: Helm writes the bytes into the manifest, then cannot read it as YAML
    /// (`YAML parse error on FILE: error converting YAML to JSON: yaml: invalid leading UTF-8
    /// octet`); `NOTES.txt` files are never read as YAML and keep U+FFFD.
    YamlError,
}

/// One file to execute: its full name, its source and the top-level object it sees.
struct Renderable<'c> {
    name: String,
    /// The template's bytes as the chart holds them (kept by the cache of built template sets);
    /// read as text ([`template_sources`]) only when the set is built.
    data: &'c Arc<[u8]>,
    /// The file's place in the order [`list_templates`] met it.
    listed: usize,
    /// Which chart holds the file: its place in the charts' depth-first order (from the top
    /// chart, each chart before its subcharts), where [`build_scopes`] puts the chart's scope.
    /// The scope map is shared by the chart's templates (and its parent's `.Subcharts`) as
    /// Helm shares it: `.Template` is set in it before each file runs.
    chart: usize,
    /// The chart's `templates` folder, shared by its files.
    base_path: Arc<str>,
    /// Partials (`_*`) are parsed for their definitions but never executed on their own.
    partial: bool,
    /// How many `/` the name holds, counted once for sorting (see [`renderable_order`]).
    depth: usize,
    /// The file's place in Helm's order (set once the files are sorted): its place in the
    /// template set's files too.
    place: usize,
}

/// Helm's parse (and execution) order: deeper paths first, and among equal depths names in
/// reverse order, so that the top chart's definitions (parsed last) win. Depths are counted
/// once per file, not at every comparison.
fn renderable_order(a: &Renderable<'_>, b: &Renderable<'_>) -> std::cmp::Ordering {
    (b.depth, &b.name).cmp(&(a.depth, &a.name))
}

/// Lists the templates of `chart` and of its subcharts (depth first: a chart's subcharts'
/// templates before its own), each with its chart's place in the charts' depth-first order
/// (`charts` counts the charts met so far). Fails as Helm's engine would on the way: a chart
/// nested too deeply, a template that is not UTF-8.
fn list_templates<'c>(
    chart: &'c Chart,
    out: &mut Vec<Renderable<'c>>,
    charts: &mut usize,
    depth: usize,
) -> Result<(), Error> {
    if depth > 100 {
        // Helm meets the templates listed so far first: one that is not UTF-8 fails before.
        template_sources(out.iter())?;
        return Err(Error::new(format!(
            "chart {} nests subcharts too deeply",
            chart.full_path()
        )));
    }
    let index = *charts;
    *charts += 1;
    for dep in &chart.dependencies {
        list_templates(dep, out, charts, depth + 1)?;
    }
    let full_path = chart.full_path();
    let mut base_path = String::with_capacity(full_path.len() + "/templates".len());
    base_path.push_str(&full_path);
    base_path.push_str("/templates");
    let base_path: Arc<str> = base_path.into();
    for template in &chart.templates {
        let base = match template.name.rfind('/') {
            Some(slash) => &template.name[slash + 1..],
            None => &template.name,
        };
        let partial = base.starts_with('_');
        // A library chart only contributes its partials.
        if chart.is_library() && !partial {
            continue;
        }
        // Joined by hand: `format!` costs several times more, once per template and load.
        let mut name = String::with_capacity(full_path.len() + 1 + template.name.len());
        name.push_str(&full_path);
        name.push('/');
        name.push_str(&template.name);
        out.push(Renderable {
            depth: name_depth(&name),
            name,
            data: &template.data,
            listed: out.len(),
            chart: index,
            base_path: base_path.clone(),
            partial,
            place: 0,
        });
    }
    Ok(())
}

/// The text of each of `renderables` as the engine parses it, with whether it holds stand-ins
/// for bytes that are not UTF-8: Go keeps such bytes in a template's text and writes them out
/// as they are; helmet parses text with a stand-in for each. Fails for the first file (in
/// `renderables`' order) whose text cannot be read so, as Helm's engine meets the files.
fn template_sources<'r, 'c: 'r>(
    renderables: impl Iterator<Item = &'r Renderable<'c>>,
) -> Result<Vec<(Cow<'c, str>, bool)>, Error> {
    renderables
        .map(|r| {
            helmet_template::raw_bytes::source_text(r.data)
                .map_err(|e| Error::new(format!("template {} {e}", r.name)))
        })
        .collect()
}

/// Builds the scope of `chart` and of its subcharts into `scopes`, in the order
/// [`list_templates`] numbers the charts (which has checked their nesting, so this recursion
/// is bounded). Returns the scope map, which becomes the parent's `.Subcharts.<name>`.
/// `changes_maps`: whether the templates may change maps in place (then `.Chart` is a copy of
/// their own; otherwise the one kept between renders, see [`objects::kept_chart_value`]).
fn build_scopes(
    chart: &Chart,
    parent_scope: Option<&Value>,
    top_values: &Value,
    shared: &Map,
    to_yaml: &Option<helmet_value::Func>,
    changes_maps: bool,
    scopes: &mut Vec<Value>,
) -> Value {
    let values = match parent_scope {
        None => objects::as_values(top_values),
        // Helm's `Values.Table("Values.<name>")`: the parent's section for this chart when it
        // is a map (the same map, so changes show on both sides), an empty map otherwise.
        Some(parent) => match parent
            .map_get("Values")
            .and_then(|v| v.map_get(chart.name()))
        {
            Some(section @ Value::Map(_)) => objects::as_values(&section),
            _ => Value::named_map(&objects::VALUES, Map::new()),
        },
    };
    let mut scope = shared.clone();
    scope.insert(
        "Chart".into(),
        objects::kept_chart_value(chart, !changes_maps),
    );
    scope.insert(
        "Files".into(),
        Value::Object(Arc::new(Files::new(&chart.files, to_yaml.clone()))),
    );
    scope.insert("Values".into(), values);
    // The parent's `.Subcharts.<name>` holds the scope as a plain map; the chart's own templates
    // get it as common.Values (the same map).
    let scope = Value::map(scope);
    scopes.push(scope.clone());
    let mut subcharts = Map::new();
    for dep in &chart.dependencies {
        let sub_scope = build_scopes(
            dep,
            Some(&scope),
            top_values,
            shared,
            to_yaml,
            changes_maps,
            scopes,
        );
        subcharts.insert(dep.name().to_string(), sub_scope);
    }
    if let Value::Map(m) = &scope {
        m.update(|m| m.insert("Subcharts".into(), Value::map(subcharts)));
    }
    scope
}

/// How many `/` a template's name holds: deeper paths come first in Helm's order.
fn name_depth(name: &str) -> usize {
    name.bytes().filter(|b| *b == b'/').count()
}

/// Renders every template of `chart` (and its subcharts) with `values`, the final coalesced
/// values of the top chart. Returns the output per template name
/// (`chart/templates/x.yaml`, `chart/charts/sub/templates/y.yaml`), partials left out and
/// `<no value>` removed, or the first error in Helm's order with Helm's wording.
pub fn render_chart(
    chart: &Chart,
    values: &Value,
    options: &RenderOptions,
) -> Result<BTreeMap<String, String>, Error> {
    render_chart_shared(chart, values, options, helmet_sprig::shared_functions())
}

/// [`render_chart`] with an explicit function map.
pub fn render_chart_with(
    chart: &Chart,
    values: &Value,
    options: &RenderOptions,
    funcs: FuncMap,
) -> Result<BTreeMap<String, String>, Error> {
    // Functions given by the caller may have effects (lint's `required` logs a warning per
    // call), so their templates run one after another and stop at the first failure, as Helm's.
    render_with_policy(chart, values, options, Arc::new(funcs), false)
}

/// [`render_chart`] with a function map shared with other renders.
pub fn render_chart_shared(
    chart: &Chart,
    values: &Value,
    options: &RenderOptions,
    funcs: Arc<FuncMap>,
) -> Result<BTreeMap<String, String>, Error> {
    render_with_policy(chart, values, options, funcs, true)
}

/// [`render_chart_with`], keeping each output as Go's engine returns it: its text, or its bytes
/// when they are not UTF-8 (`Err`), `<no value>` removed either way. `options.invalid_utf8` is
/// not used.
pub fn render_chart_bytes_with(
    chart: &Chart,
    values: &Value,
    options: &RenderOptions,
    funcs: FuncMap,
) -> Result<BTreeMap<String, Result<String, Vec<u8>>>, Error> {
    let options = RenderOptions {
        invalid_utf8: InvalidUtf8::Replace,
        ..options.clone()
    };
    render_outputs(chart, values, &options, Arc::new(funcs), false)
}

/// The engine stage, with `options.invalid_utf8` applied to outputs that are not UTF-8.
fn render_with_policy(
    chart: &Chart,
    values: &Value,
    options: &RenderOptions,
    funcs: Arc<FuncMap>,
    allow_parallel: bool,
) -> Result<BTreeMap<String, String>, Error> {
    let outputs = render_outputs(chart, values, options, funcs, allow_parallel)?;
    let mut rendered = BTreeMap::new();
    // Files that `helm template` would fail to read as YAML, by name (the order it reads them).
    let mut not_yaml = BTreeMap::new();
    for (name, output) in outputs {
        let text = match output {
            Ok(text) => text,
            Err(bytes) => {
                if options.invalid_utf8 == InvalidUtf8::YamlError && !name.ends_with("NOTES.txt") {
                    not_yaml.insert(name.clone(), yaml_reader_error(&name, &bytes));
                }
                helmet_value::gostring::to_text_lossy(&bytes)
            }
        };
        rendered.insert(name, text);
    }
    if let Some((_, error)) = not_yaml.into_iter().next() {
        return Err(error);
    }
    Ok(rendered)
}

/// The engine stage; templates may run side by side only when `allow_parallel`. Each output is
/// its text, or its bytes when they are not UTF-8.
fn render_outputs(
    chart: &Chart,
    values: &Value,
    options: &RenderOptions,
    funcs: Arc<FuncMap>,
    allow_parallel: bool,
) -> Result<BTreeMap<String, Result<String, Vec<u8>>>, Error> {
    let to_yaml = funcs.get("toYaml").cloned();
    // Helm renders a copy of the values: templates that change maps in place (`set`,
    // `merge`) change the copy, never the caller's values. The copy is made below, once the
    // templates show whether they can change a map; values it would be refused for are
    // refused here, copied or not.
    if values.deep_copy_refused() {
        return Err(Error::new("values are nested too deeply"));
    }
    // Functions of the caller's own may change maps whatever their names.
    let known_functions = Arc::ptr_eq(&funcs, &helmet_sprig::shared_functions());
    let mut renderables = Vec::new();
    list_templates(chart, &mut renderables, &mut 0, 0)?;
    renderables.sort_by(renderable_order);
    for (place, r) in renderables.iter_mut().enumerate() {
        r.place = place;
    }

    let built = match known_functions && crate::process_caches() {
        true => built::find(&renderables, options.strict),
        false => None,
    };
    let built = match built {
        Some(built) => built,
        None => {
            let built = build_templates(&renderables, funcs, options.strict, allow_parallel)?;
            if known_functions && crate::process_caches() {
                built::keep(&renderables, options.strict, &built);
            }
            built
        }
    };
    let templates = built.templates;
    let calls_tpl = built.calls_tpl;
    let any_raw_bytes = built.any_raw_bytes;
    let template_objects = built.template_objects;

    // Without the copy only when no template calls a function that changes maps, nor `tpl`
    // (whose text, from anywhere, may call one), and every function is the engine's own.
    let needs_copy = !known_functions || calls_tpl || built.changes_maps;
    let (release, capabilities) = objects::kept_release_and_capabilities(
        &options.release,
        &options.capabilities,
        !needs_copy,
    );
    let mut shared = Map::new();
    shared.insert("Release".into(), release);
    shared.insert("Capabilities".into(), capabilities);
    // `.Template` of a file: the set's own when no template can change it (shared by every
    // render of the set), otherwise a new one.
    let template_object = |r: &Renderable| -> Value {
        match template_objects.get(r.place) {
            Some(Some((base_path, value))) if !needs_copy && *base_path == r.base_path => {
                value.clone()
            }
            _ => objects::template_value(&r.name, &r.base_path),
        }
    };
    // The charts' scopes, built once the templates have told whether they need a copy of the
    // values (and again around a fresh copy after a run side by side that changed one).
    let scopes_around = |values: &Value| -> Vec<Value> {
        let mut scopes = Vec::new();
        build_scopes(
            chart,
            None,
            values,
            &shared,
            &to_yaml,
            needs_copy,
            &mut scopes,
        );
        scopes
    };
    let scopes_around_copy = || -> Result<Vec<Value>, Error> {
        let copy = values
            .deep_copy()
            .ok_or_else(|| Error::new("values are nested too deeply"))?;
        Ok(scopes_around(&copy))
    };
    let mut scopes = if needs_copy {
        scopes_around_copy()?
    } else {
        scopes_around(values)
    };
    // Templates that change maps in place see each other's changes in Helm, which runs them
    // one after another in this order. Side by side, each file gets its own copy of its chart's
    // scope (`.Template` differs), so a template reading `.Subcharts` (which holds the scopes)
    // must run in order; and a run in which any template wrote to a map made before the run
    // (the values, the scope, `.Chart`) is thrown away and done again in order.
    let side_by_side = allow_parallel
        && renderables.iter().filter(|r| !r.partial).count() >= PARALLEL_MIN_FILES
        && cores() > 1
        && !reads_subcharts(&renderables, calls_tpl, chart, values);
    // A file runs on the thread that takes it (run in order: the calling thread); the engine
    // gives a call chain a new stack segment on that thread only when the stack runs short, so a
    // small chart's render starts no thread (which costs more than rendering it). A file gives its text, or its bytes when they are not UTF-8.
    let execute = |r: &Renderable, top: &Value| -> Result<Result<String, Vec<u8>>, Error> {
        let out = match options.invalid_utf8 {
            InvalidUtf8::Refuse => templates.execute(&r.name, top).map(Ok),
            _ => templates.execute_go(&r.name, top),
        };
        let out = out.map_err(|e| {
            let error = match e.kind {
                ErrorKind::Exec => reformat_exec_error(&r.name, &e.message),
                _ => Error::new(e.message),
            };
            // A message may quote the source of another file (an `include`d template).
            quoting_raw_bytes(any_raw_bytes, &r.name, error)
        })?;
        Ok(out
            .map(without_no_value)
            .map_err(|bytes| without_no_value_bytes(&bytes)))
    };
    let mut results = None;
    if side_by_side {
        let jobs: Vec<&Renderable> = renderables.iter().filter(|r| !r.partial).collect();
        // The top object of each file is made before its run: a write to it is a write to the
        // chart's scope, which the other files of the chart see in Helm.
        let run = |r: &Renderable| {
            let top = match scopes.get(r.chart).unwrap_or(&Value::Nil) {
                Value::Map(scope) => {
                    let mut top = scope.to_map();
                    top.insert("Template".into(), template_object(r));
                    Value::named_map(&objects::VALUES, top)
                }
                other => other.clone(),
            };
            helmet_value::watch_older_map_writes(|| execute(r, &top))
        };
        if let Some(done) = run_parallel(&jobs, run) {
            results = Some(done);
        } else if needs_copy {
            // Some template changed the copy; the run in order starts from a fresh one.
            scopes = scopes_around_copy()?;
        }
    }
    let jobs: Vec<&Renderable> = renderables.iter().filter(|r| !r.partial).collect();
    let results = match results {
        Some(results) => results,
        None => {
            // Helm stops at the first failing file: later files never run (nor log).
            let mut results = Vec::new();
            for r in &jobs {
                let top = match scopes.get(r.chart).unwrap_or(&Value::Nil) {
                    Value::Map(scope) => {
                        let template = template_object(r);
                        scope.update(|m| m.insert("Template".into(), template));
                        Value::Map(Arc::new(helmet_value::TypedMap::view(
                            scope,
                            Some(&objects::VALUES),
                        )))
                    }
                    other => other.clone(),
                };
                let result = execute(r, &top);
                let failed = result.is_err();
                results.push(result);
                if failed {
                    break;
                }
            }
            results
        }
    };
    drop(jobs);
    let mut rendered = BTreeMap::new();
    // The names move into the result (no copy per file).
    let executed = renderables.into_iter().filter(|r| !r.partial);
    for (r, result) in executed.zip(results) {
        rendered.insert(r.name, result?);
    }
    Ok(rendered)
}

/// The template set of a render: every file parsed into one set, in Helm's order, and what its
/// templates call.
#[derive(Clone)]
struct Built {
    templates: Templates,
    /// Whether a template calls `tpl`.
    calls_tpl: bool,
    /// Whether a template calls a function that changes maps in place ([`MAP_CHANGERS`]).
    changes_maps: bool,
    /// `.Template` of each file (in the set's order; none for partials, which never run) with
    /// the `templates` folder it names, for renders whose templates cannot change a map in
    /// place: built once per set rather than once per file and render.
    template_objects: Arc<Vec<TemplateObject>>,
    /// Whether a file's text holds stand-ins for bytes that are not UTF-8.
    any_raw_bytes: bool,
}

/// `.Template` of one file of a set with the `templates` folder it names; none for a partial.
type TemplateObject = Option<(Arc<str>, Value)>;

/// Parses every file of `renderables` (in Helm's order) into one template set.
fn build_templates(
    renderables: &[Renderable<'_>],
    funcs: Arc<FuncMap>,
    strict: bool,
    allow_parallel: bool,
) -> Result<Built, Error> {
    // Read in the order the files were listed, so the first failure is the one Helm meets.
    let mut listed: Vec<&Renderable<'_>> = renderables.iter().collect();
    listed.sort_by_key(|r| r.listed);
    let mut sources: Vec<(Cow<'_, str>, bool)> = Vec::with_capacity(renderables.len());
    sources.resize_with(renderables.len(), || (Cow::Borrowed(""), false));
    for (r, source) in listed.iter().zip(template_sources(listed.iter().copied())?) {
        sources[r.place] = source;
    }
    let mut templates = Templates::new(funcs);
    templates.set_missing_key_error(strict);
    let files: Vec<(&str, &str, bool)> = renderables
        .iter()
        .zip(&sources)
        .map(|(r, (source, raw_bytes))| (r.name.as_str(), &**source, *raw_bytes))
        .collect();
    let any_raw_bytes = files.iter().any(|(_, _, raw_bytes)| *raw_bytes);
    let source_bytes: usize = files.iter().map(|(_, source, _)| source.len()).sum();
    let parse_threads = if allow_parallel && source_bytes >= PARALLEL_MIN_PARSE_BYTES {
        cores()
    } else {
        1
    };
    templates
        .add_many_marked(&files, parse_threads)
        .map_err(|(i, e)| {
            quoting_raw_bytes(
                files[i].2,
                files[i].0,
                cleanup_parse_error(files[i].0, &e.to_string()),
            )
        })?;
    let template_objects = renderables
        .iter()
        .map(|r| {
            let value = (!r.partial).then(|| objects::template_value(&r.name, &r.base_path));
            value.map(|value| (r.base_path.clone(), value))
        })
        .collect();
    Ok(Built {
        template_objects: Arc::new(template_objects),
        any_raw_bytes,
        calls_tpl: templates.calls_any(&["tpl"]),
        changes_maps: templates.calls_any(MAP_CHANGERS),
        templates,
    })
}

/// Template sets built by earlier renders with the engine's own functions, by the names and
/// texts of their files (see [`set_process_caches`](crate::set_process_caches)).
///
/// Each template's parse is kept anyway (the template crate's parse cache), but putting the
/// parsed trees together into one set (Helm's order, later definitions replacing earlier ones)
/// costs about as much as a small chart's execution. A set is immutable once built (`tpl`'s
/// definitions go on top of it for one run), so renders of the same files share it.
mod built {
    use std::sync::{Arc, Mutex};

    use super::{Built, Renderable};

    /// One kept set: its files (name and text, in parse order) and the set.
    struct Entry {
        strict: bool,
        files: Vec<(String, Arc<[u8]>)>,
        built: Built,
    }

    /// Kept sets, oldest first.
    static KEPT: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
    /// How many sets are kept: a process renders a few charts again and again.
    const MAX_SETS: usize = 16;
    /// How many bytes of template text the kept sets hold in all.
    const MAX_BYTES: usize = 16 << 20;

    /// Forgets every kept set (see [`crate::clear_process_caches`]).
    pub(crate) fn clear() {
        KEPT.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn same(entry: &Entry, renderables: &[Renderable<'_>], strict: bool) -> bool {
        entry.strict == strict
            && entry.files.len() == renderables.len()
            && entry
                .files
                .iter()
                .zip(renderables)
                .all(|((name, data), r)| *name == r.name && **data == **r.data)
    }

    /// The set built from exactly these files (same names, texts and order), if kept.
    pub(super) fn find(renderables: &[Renderable<'_>], strict: bool) -> Option<Built> {
        let kept = KEPT.lock().ok()?;
        kept.iter()
            .find(|entry| same(entry, renderables, strict))
            .map(|entry| entry.built.clone())
    }

    /// Keeps `built`, the set of these files.
    pub(super) fn keep(renderables: &[Renderable<'_>], strict: bool, built: &Built) {
        let bytes: usize = renderables.iter().map(|r| r.data.len()).sum();
        if bytes > MAX_BYTES {
            return;
        }
        let Ok(mut kept) = KEPT.lock() else { return };
        if kept.iter().any(|entry| same(entry, renderables, strict)) {
            return;
        }
        let held = |entry: &Entry| entry.files.iter().map(|(_, d)| d.len()).sum::<usize>();
        let mut total = bytes + kept.iter().map(held).sum::<usize>();
        while kept.len() >= MAX_SETS || (total > MAX_BYTES && !kept.is_empty()) {
            total -= held(&kept.remove(0));
        }
        kept.push(Entry {
            strict,
            files: renderables
                .iter()
                .map(|r| (r.name.clone(), r.data.clone()))
                .collect(),
            built: built.clone(),
        });
    }
}

/// Forgets the template sets kept between renders (see [`crate::clear_process_caches`]).
pub(crate) fn clear_built_sets() {
    built::clear();
}

/// A template's output with Go's `<no value>` removed, as Helm does; most outputs hold none,
/// and those come back without a copy.
fn without_no_value(text: String) -> String {
    if memchr::memmem::find(text.as_bytes(), b"<no value>").is_some() {
        text.replace("<no value>", "")
    } else {
        text
    }
}

/// [`without_no_value`] of an output that is not UTF-8 (Go's replace works on bytes).
fn without_no_value_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(at) = memchr::memmem::find(rest, b"<no value>") {
        out.extend_from_slice(&rest[..at]);
        rest = &rest[at + b"<no value>".len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// Helm's error for a manifest holding bytes that are not UTF-8: go-yaml's reader fails on the
/// document (split at `---` lines, trimmed) that holds the first such byte, once its scanner
/// gets to the chunk of input that holds it.
fn yaml_reader_error(name: &str, bytes: &[u8]) -> Error {
    let bad = std::str::from_utf8(bytes)
        .err()
        .map_or(0, |e| e.valid_up_to());
    let start = bytes[..bad]
        .windows(4)
        .rposition(|w| w == b"\n---")
        .map_or(0, |i| i + 4);
    let doc = &bytes[start..];
    let skip = doc.iter().take_while(|b| b.is_ascii_whitespace()).count();
    match helmet_yaml::reader_utf8::reached_problem(&doc[skip..]) {
        Ok(reason) => Error::new(format!(
            "YAML parse error on {name}: error converting YAML to JSON: yaml: {reason}"
        )),
        Err(why) => Error::new(format!(
            "template {name} prints bytes that are not UTF-8: {why}"
        )),
    }
}

/// `error`, unless it quotes a template's source that is not UTF-8 (`raw_bytes`): Helm's message
/// would hold the bytes there, which helmet's error texts cannot.
fn quoting_raw_bytes(raw_bytes: bool, name: &str, error: Error) -> Error {
    if raw_bytes && helmet_template::raw_bytes::message_quotes_stand_in(error.message()) {
        return Error::new(format!(
            "rendering {name} failed with an error that quotes bytes of a template that are not \
             UTF-8: printing them is not supported by helmet"
        ));
    }
    error
}

/// The Sprig functions that change a map in place.
const MAP_CHANGERS: &[&str] = &[
    "set",
    "unset",
    "merge",
    "mustMerge",
    "mergeOverwrite",
    "mustMergeOverwrite",
];

/// Whether a template may read `.Subcharts`: a chart's scope there holds `.Template` of the last
/// file of that chart run so far, which only a run one file after another keeps (each file of a
/// parallel run gets its own copy of the scope).
fn reads_subcharts(
    renderables: &[Renderable<'_>],
    calls_tpl: bool,
    chart: &Chart,
    values: &Value,
) -> bool {
    let holds = |text: &[u8]| memchr::memmem::find(text, b"Subcharts").is_some();
    // The raw bytes: stand-ins are never ASCII, so they neither make nor break a match.
    renderables.iter().any(|r| holds(r.data))
        || (calls_tpl && (strings_match(values, &holds) || files_match(chart, &holds, 0)))
}

/// Whether a string anywhere in `value` satisfies `test` (walked with its own stack).
fn strings_match(value: &Value, test: &dyn Fn(&[u8]) -> bool) -> bool {
    let mut stack = vec![value.clone()];
    let mut seen = 0usize;
    while let Some(v) = stack.pop() {
        seen += 1;
        if seen > 1_000_000 {
            // Only a map set into itself is this large; assume the worst.
            return true;
        }
        match v {
            Value::String(s) if test(s.as_bytes()) => return true,
            Value::List(l) => stack.extend(l.items.iter().cloned()),
            Value::Map(m) => stack.extend(m.entries().values().cloned()),
            _ => {}
        }
    }
    false
}

/// Whether a file of `chart` or of its subcharts satisfies `test` (read as bytes: no copy).
fn files_match(chart: &Chart, test: &dyn Fn(&[u8]) -> bool, depth: usize) -> bool {
    depth > 100
        || chart.files.iter().any(|f| test(&f.data))
        || chart
            .dependencies
            .iter()
            .any(|d| files_match(d, test, depth + 1))
}

/// Helm's `TemplateName` (`--name-template`): the text executed as a template with no data.
pub fn template_name(name_template: &str) -> Result<String, Error> {
    if name_template.is_empty() {
        return Ok(String::new());
    }
    let mut templates = Templates::new(helmet_sprig::shared_functions());
    templates
        .add("name-template", name_template)
        .map_err(|e| Error::new(e.to_string()))?;
    templates
        .execute("name-template", &Value::Nil)
        .map_err(|e| Error::new(e.to_string()))
}

/// Fewer files than this render on one thread: starting threads costs more than it saves.
const PARALLEL_MIN_FILES: usize = 32;

/// Templates holding fewer bytes than this in all are parsed on one thread (a thread costs
/// about as much as parsing a few kilobytes).
const PARALLEL_MIN_PARSE_BYTES: usize = 32 * 1024;

fn thread_failed() -> Error {
    Error::new("rendering failed: the rendering thread could not start or panicked")
}

/// The number of threads that can run at once here, asked once per process (the answer reads
/// cgroup files, which costs more than rendering a small chart).
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Runs `work` over `jobs` side by side ([`helmet_template::run_side_by_side`], on one thread per
/// core). `work` tells, besides its result, whether the job wrote to a map made before it. The
/// results come back in the jobs' order, so the first error reported is the one Helm (which
/// runs them in order) would meet first; `None` when any job wrote to such a map (the others
/// then stop taking jobs). A job taken by a thread that panicked is reported as a failure in its
/// place, after the results before it. The threads get the default stack: deep call chains get
/// new stack segments inside the engine, as on the calling thread.
fn run_parallel<'a, T, F>(jobs: &[&'a Renderable<'_>], work: F) -> Option<Vec<Result<T, Error>>>
where
    T: Send,
    F: Fn(&'a Renderable<'_>) -> (Result<T, Error>, bool) + Sync,
{
    let wrote = std::sync::atomic::AtomicBool::new(false);
    let slots = helmet_template::run_side_by_side(jobs.len(), cores(), |i| {
        let (result, written) = work(jobs[i]);
        if written {
            wrote.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        (result, written)
    });
    if wrote.into_inner() {
        return None;
    }
    let mut results = Vec::with_capacity(slots.len());
    for slot in slots {
        match slot {
            Some(result) => results.push(result),
            None => {
                results.push(Err(thread_failed()));
                break;
            }
        }
    }
    Some(results)
}

/// Helm's `cleanupParseError`: `template: NAME:LINE: MSG` becomes `parse error at (NAME:LINE): MSG`
/// (only the last `: `-separated piece of the message is kept, as Helm keeps it).
pub fn cleanup_parse_error(filename: &str, message: &str) -> Error {
    let tokens: Vec<&str> = message.split(": ").collect();
    if tokens.len() == 1 {
        return Error::new(format!("parse error in ({filename}): {message}"));
    }
    let location = tokens[1];
    let last = tokens[tokens.len() - 1];
    Error::new(format!("parse error at ({location}): {last}"))
}

const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

/// One frame of Helm's `TraceableError`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct Trace {
    location: String,
    message: String,
    executed_function: String,
}

impl Trace {
    fn text(&self) -> String {
        let mut out = String::new();
        if !self.location.is_empty() {
            out.push_str(&self.location);
            out.push_str("\n  ");
        }
        if !self.executed_function.is_empty() {
            out.push_str(&self.executed_function);
            out.push_str("\n    ");
        }
        if !self.message.is_empty() {
            out.push_str(&self.message);
            out.push('\n');
        }
        out
    }
}

/// Cuts a message at a chained ` template:` error, as Helm does.
fn cut_chained(message: &str) -> &str {
    match message.find(" template:") {
        Some(at) => &message[..at],
        None => message,
    }
}

/// Parses one Go template error text. Returns the frame and the full (uncut) message after the
/// location, or `None` when the text is not a template error.
fn parse_trace(text: &str) -> Option<(Trace, Option<String>)> {
    let rest = text.strip_prefix("template: ")?;
    if rest.starts_with("no template ") {
        return Some((
            Trace {
                message: text.to_string(),
                ..Trace::default()
            },
            None,
        ));
    }
    if let Some((name, after)) = rest.split_once(": executing ") {
        let quoted = after.strip_prefix('"')?;
        let end_quote = quoted.find('"')?;
        let function = &quoted[..end_quote];
        let after_func = quoted[end_quote + 1..].strip_prefix(" at <")?;
        let (location, message) = after_func.split_once(">: ")?;
        return Some((
            Trace {
                location: name.to_string(),
                message: cut_chained(message).to_string(),
                executed_function: format!("executing \"{function}\" at <{location}>:"),
            },
            Some(message.to_string()),
        ));
    }
    let sep = rest.rfind(": ")?;
    Some((
        Trace {
            location: rest[..sep].to_string(),
            message: cut_chained(&rest[sep + 2..]).to_string(),
            executed_function: String::new(),
        },
        None,
    ))
}

/// The error a failing function call wraps (`error calling NAME: ERR`), if any.
fn wrapped_call_error(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("error calling ")?;
    let (_, inner) = rest.split_once(": ")?;
    Some(inner)
}

/// Helm's `reformatExecErrorMsg`: `fail`/`required` messages become
/// `execution error at (LOCATION): MSG`; a chain of template errors that all parse becomes the
/// multi-line trace; anything else is left as the engine wrote it.
pub fn reformat_exec_error(filename: &str, message: &str) -> Error {
    let tokens: Vec<&str> = message.splitn(3, ": ").collect();
    if tokens.len() != 3 {
        return Error::new(format!("execution error in ({filename}): {message}"));
    }
    let location = tokens[1];
    if let Some(start) = tokens[2].find(WARN_START) {
        let after = &tokens[2][start + WARN_START.len()..];
        if let Some(end) = after.rfind(WARN_END) {
            return Error::new(format!(
                "execution error at ({location}): {}",
                &after[..end]
            ));
        }
    }
    // Helm's own `fail` and `required` wrap their message in the markers above; a function
    // library that reports them plainly still gets Helm's text.
    for name in ["fail", "required"] {
        let needle = format!("error calling {name}: ");
        if let Some(at) = tokens[2].find(&needle) {
            return Error::new(format!(
                "execution error at ({location}): {}",
                &tokens[2][at + needle.len()..]
            ));
        }
    }
    // Walk the chain Go's errors.Unwrap would: an exec error, then (for failed calls) the
    // called function's error, which is itself a template error only for `include`.
    let mut traces: Vec<Trace> = Vec::new();
    let mut current = message.to_string();
    for _ in 0..10_000 {
        let Some((trace, full_message)) = parse_trace(&current) else {
            return Error::new(message);
        };
        if traces.last() != Some(&trace) {
            traces.push(trace);
        }
        match full_message.as_deref().and_then(wrapped_call_error) {
            Some(inner) => current = inner.to_string(),
            None => break,
        }
    }
    let text: String = traces.iter().map(Trace::text).collect();
    Error::new(text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_keep_location_and_last_piece() {
        assert_eq!(
            cleanup_parse_error(
                "c/templates/a.yaml",
                "template: c/templates/a.yaml:3: function \"nope\" not defined"
            )
            .message(),
            "parse error at (c/templates/a.yaml:3): function \"nope\" not defined"
        );
    }

    #[test]
    fn exec_errors_become_traces() {
        let e = reformat_exec_error(
            "t1/templates/b.yaml",
            "template: t1/templates/b.yaml:1:13: executing \"t1/templates/b.yaml\" at <.Values.a.b.c>: can't evaluate field b in type interface {}",
        );
        assert_eq!(
            e.message(),
            "t1/templates/b.yaml:1:13\n  executing \"t1/templates/b.yaml\" at <.Values.a.b.c>:\n    can't evaluate field b in type interface {}"
        );
        let e = reformat_exec_error(
            "c/templates/a.yaml",
            "template: c/templates/a.yaml:1:3: executing \"c/templates/a.yaml\" at <fail \"boom\">: error calling fail: HELM_ERR_STARTboomHELM_ERR_END",
        );
        assert_eq!(
            e.message(),
            "execution error at (c/templates/a.yaml:1:3): boom"
        );
        let plain = "template: c/templates/a.yaml:1:3: executing \"c/templates/a.yaml\" at <index .a 5>: error calling index: index out of range: 5";
        assert_eq!(
            reformat_exec_error("c/templates/a.yaml", plain).message(),
            plain
        );
    }

    /// A chart named `name` (version 0.1.0) holding these files besides its `Chart.yaml`.
    fn chart_of(name: &str, files: &[(&str, &[u8])]) -> Chart {
        use crate::chart::File;
        let chart_yaml = format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n");
        let mut all = vec![File::new("Chart.yaml", chart_yaml.into_bytes())];
        all.extend(files.iter().map(|(path, data)| File::new(*path, *data)));
        crate::load::load_files(all, 0).unwrap()
    }

    #[test]
    fn templates_that_are_not_utf8_render() {
        let chart = chart_of(
            "c",
            &[
                ("templates/a.yaml", &b"a: \xff {{/* \xe9 */}}\n"[..]),
                (
                    "templates/b.yaml",
                    &b"b: {{ \"\xe9\" }} {{/* \xe9 */}}\n"[..],
                ),
            ],
        );
        let values = Value::map(Map::new());
        let err = render_chart(&chart, &values, &RenderOptions::default()).unwrap_err();
        assert!(err.message().contains("not supported by helmet"), "{err}");
        let replace = RenderOptions {
            invalid_utf8: InvalidUtf8::Replace,
            ..RenderOptions::default()
        };
        let out = render_chart(&chart, &values, &replace).unwrap();
        assert_eq!(out["c/templates/a.yaml"], "a: \u{fffd} \n");
        assert_eq!(out["c/templates/b.yaml"], "b: \u{fffd} \n");
    }

    /// `.Chart`, `.Release` and `.Template` are kept between renders and shared by those whose
    /// templates cannot change a map: a template that changes them in place must get its own,
    /// so the next render sees them as built, and a render after it (which shares the kept
    /// ones) too.
    #[test]
    fn objects_changed_in_place_do_not_reach_the_next_render() {
        let load = |changes: bool| {
            let template: &str = match changes {
                true => {
                    "{{ .Chart.Name }} {{ .Release.Name }} {{ .Template.Name }}\n\
                     {{ $_ := set .Chart \"Name\" \"x\" }}{{ $_ := set .Release \"Name\" \"y\" }}\
                     {{ $_ := set .Template \"Name\" \"z\" }}"
                }
                false => "{{ .Chart.Name }} {{ .Release.Name }} {{ .Template.Name }}\n",
            };
            chart_of("kept-objects", &[("templates/a.yaml", template.as_bytes())])
        };
        let values = Value::map(Map::new());
        let expected = "kept-objects release-name kept-objects/templates/a.yaml\n";
        for changes in [false, true, true, false, false] {
            let out = render_chart(&load(changes), &values, &RenderOptions::default()).unwrap();
            assert_eq!(out["kept-objects/templates/a.yaml"], expected, "{changes}");
        }
    }

    /// A render whose templates change maps gets a copy of the kept `.Chart`: a chart without
    /// annotations still has a nil `.Chart.Annotations` there (`toJson` writes `null`).
    #[test]
    fn copied_chart_objects_keep_nil_maps() {
        let template = b"{{ toJson .Chart.Annotations }}{{ $_ := set (dict) \"k\" 1 }}";
        let chart = chart_of("nil-annotations", &[("templates/a.yaml", &template[..])]);
        let values = Value::map(Map::new());
        for _ in 0..2 {
            let out = render_chart(&chart, &values, &RenderOptions::default()).unwrap();
            assert_eq!(out["nil-annotations/templates/a.yaml"], "null");
        }
    }

    #[test]
    fn order_puts_deep_paths_first() {
        let empty: Arc<[u8]> = Arc::from(&b""[..]);
        let mut files: Vec<Renderable<'_>> = [
            "c/templates/a.yaml",
            "c/charts/s/templates/x.yaml",
            "c/templates/b.yaml",
        ]
        .into_iter()
        .map(|name| Renderable {
            name: name.to_string(),
            data: &empty,
            listed: 0,
            chart: 0,
            base_path: "".into(),
            partial: false,
            depth: name_depth(name),
            place: 0,
        })
        .collect();
        files.sort_by(renderable_order);
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "c/charts/s/templates/x.yaml",
                "c/templates/b.yaml",
                "c/templates/a.yaml"
            ]
        );
    }
}
