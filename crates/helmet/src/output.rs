//! What `helm template` prints: CRDs (with `--include-crds`), manifests in install order, then
//! hooks; `--show-only` filtering; `--output-dir` writing one file per template.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use helmet_value::Value;

use crate::chart::{Chart, Error};
use crate::manifest::{sort_manifests, split_manifests, Hook};

/// How `helm template` prints a rendered chart.
#[derive(Clone, Debug, Default)]
pub struct TemplateOptions {
    /// `--show-only`: `filepath.Match` patterns for template paths below the chart's name.
    pub show_only: Vec<String>,
    /// `--include-crds`
    pub include_crds: bool,
    /// `--skip-tests`
    pub skip_tests: bool,
    /// `--no-hooks`
    pub no_hooks: bool,
    /// `--output-dir`
    pub output_dir: Option<PathBuf>,
    /// `--release-name`: write under `<output-dir>/<release name>`.
    pub use_release_name: bool,
    /// The release name (for `--release-name`).
    pub release_name: String,
    /// `--debug`: when rendering fails, print what was rendered before the error (see
    /// [`run_template_debug`]).
    pub debug: bool,
}

/// A rendered release: what Helm's `renderResources` returns.
#[derive(Clone, Debug, Default)]
pub struct Release {
    /// The hooks, in install order.
    pub hooks: Vec<Hook>,
    /// The manifest text (`---\n# Source: ...` blocks), empty when written to an output dir.
    pub manifest: String,
    /// `NOTES.txt` of the top chart, rendered.
    pub notes: String,
}

/// `helm template`'s output, and the messages it prints while writing to an output dir.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateOutput {
    /// What goes to standard output.
    pub stdout: String,
}

/// Files of the release written so far, to know whether to create or append.
#[derive(Default)]
struct FileWriter {
    written: std::collections::HashSet<String>,
    log: String,
}

impl FileWriter {
    /// Helm's `writeToFile`: `---\n# Source: NAME\nDATA\n` into `DIR/NAME`, appending when the
    /// file was already written, and a `wrote PATH` line on standard output.
    /// Errors are Go's (`stat DIR: ...`, `mkdir DIR: ...`, `open FILE: ...`).
    fn write(&mut self, dir: &Path, name: &str, data: &str, append: bool) -> Result<(), Error> {
        let path = format!("{}/{name}", dir.display());
        let go_error = |op: &str, at: &Path, e: std::io::Error| {
            Error::new(helmet_value::oserror::path_error(
                op,
                &at.display().to_string(),
                &e,
            ))
        };
        if let Some(parent) = Path::new(&path).parent() {
            // Helm stats the folder first: only "does not exist" goes on to making it.
            match std::fs::metadata(parent) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(go_error("stat", parent, e))
                }
                _ => crate::chart::mkdir_all(Path::new(""), parent).map_err(Error::new)?,
            }
        }
        let file = if append {
            std::fs::OpenOptions::new().append(true).open(&path)
        } else {
            std::fs::File::create(&path)
        };
        let mut file = file.map_err(|e| go_error("open", Path::new(&path), e))?;
        write!(file, "---\n# Source: {name}\n{data}\n")
            .map_err(|e| go_error("write", Path::new(&path), e))?;
        self.written.insert(name.to_string());
        self.log.push_str(&format!("wrote {path}\n"));
        Ok(())
    }
}

/// Helm's `renderResources` after the engine: pulls out `NOTES.txt`, sorts documents into
/// hooks and manifests, and prints (or writes) CRDs and manifests.
fn render_resources(
    chart: &Chart,
    mut files: BTreeMap<String, String>,
    options: &TemplateOptions,
    writer: &mut FileWriter,
) -> Result<Release, Error> {
    let top_notes = format!("{}/templates/NOTES.txt", chart.name());
    let mut notes = String::new();
    files.retain(|name, text| {
        if !name.ends_with("NOTES.txt") {
            return true;
        }
        if *name == top_notes {
            notes = text.clone();
        }
        false
    });
    let (hooks, manifests) = sort_manifests(&files)?;
    let mut manifest = String::new();
    let out_dir = options.output_dir.as_ref().map(|dir| {
        if options.use_release_name {
            dir.join(&options.release_name)
        } else {
            dir.clone()
        }
    });
    if options.include_crds {
        for (chart_path, crd) in chart.crds() {
            let name = format!("{chart_path}/{}", crd.name);
            let data = String::from_utf8_lossy(&crd.data);
            match &options.output_dir {
                None => manifest.push_str(&format!("---\n# Source: {name}\n{data}\n")),
                Some(dir) => {
                    // Helm writes CRDs under the output dir itself, not the release's folder.
                    let append = writer.written.contains(&name);
                    writer.write(dir, &name, &data, append)?;
                }
            }
        }
    }
    for m in manifests {
        match &out_dir {
            None => manifest.push_str(&format!("---\n# Source: {}\n{}\n", m.name, m.content)),
            Some(dir) => {
                let append = writer.written.contains(&m.name);
                writer.write(dir, &m.name, &m.content, append)?;
            }
        }
    }
    Ok(Release {
        hooks,
        manifest,
        notes,
    })
}

/// Go's `filepath.Match` on `/`-separated names: `*`, `?`, `[...]` (with `^` negation and
/// ranges) and `\` escapes; a malformed pattern matches nothing.
pub fn path_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let mut budget: u32 = 1_000_000;
    match_from(&p, &n, &mut budget).unwrap_or(false)
}

/// How many `*` may be backtracking at once before a match is given up.
const MAX_STAR_DEPTH: usize = 200;

/// `None` when the pattern is malformed. Literal runs are matched in a loop; only `*` recurses.
fn match_from(p: &[char], n: &[char], budget: &mut u32) -> Option<bool> {
    match_from_at(p, n, budget, 0)
}

fn match_from_at(mut p: &[char], mut n: &[char], budget: &mut u32, depth: usize) -> Option<bool> {
    if depth > MAX_STAR_DEPTH {
        return Some(false);
    }
    loop {
        if *budget == 0 {
            return Some(false);
        }
        *budget -= 1;
        let Some(&c) = p.first() else {
            return Some(n.is_empty());
        };
        let consumed = match c {
            '*' => {
                let rest = &p[1..];
                for skip in 0..=n.len() {
                    if match_from_at(rest, &n[skip..], budget, depth + 1)? {
                        return Some(true);
                    }
                    if skip < n.len() && n[skip] == '/' {
                        break;
                    }
                }
                return Some(false);
            }
            '?' => match n.first() {
                Some(&ch) if ch != '/' => 1,
                _ => return Some(false),
            },
            '[' => {
                let mut i = 1;
                let negated = p.get(i) == Some(&'^');
                if negated {
                    i += 1;
                }
                let mut matched = false;
                let ch = n.first().copied();
                let mut first = true;
                loop {
                    let lo = *p.get(i)?;
                    if lo == ']' && !first {
                        i += 1;
                        break;
                    }
                    first = false;
                    let lo = if lo == '\\' {
                        i += 1;
                        *p.get(i)?
                    } else {
                        lo
                    };
                    i += 1;
                    let mut hi = lo;
                    if p.get(i) == Some(&'-') {
                        hi = *p.get(i + 1)?;
                        if hi == '\\' {
                            hi = *p.get(i + 2)?;
                            i += 1;
                        }
                        i += 2;
                    }
                    if let Some(ch) = ch {
                        if lo <= ch && ch <= hi {
                            matched = true;
                        }
                    }
                }
                match ch {
                    Some(ch) if ch != '/' && matched != negated => i,
                    _ => return Some(false),
                }
            }
            '\\' => {
                let lit = *p.get(1)?;
                if n.first() != Some(&lit) {
                    return Some(false);
                }
                2
            }
            _ => {
                if n.first() != Some(&c) {
                    return Some(false);
                }
                1
            }
        };
        p = &p[consumed..];
        n = &n[1..];
    }
}

/// The path after the chart name in a document's first `# Source: chart/path` line
/// (`# Source: [^/]+/(.+)`, searched anywhere in the document).
fn source_path(doc: &str) -> Option<&str> {
    let mut rest = doc;
    while let Some(at) = rest.find("# Source: ") {
        let after = &rest[at + "# Source: ".len()..];
        // `[^/]+` may run over line ends; `.+` stops at one.
        if let Some(slash) = after.find('/') {
            let path = after[slash + 1..].split('\n').next().unwrap_or("");
            if slash > 0 && !path.is_empty() {
                return Some(path);
            }
        }
        rest = &rest[at + 1..];
    }
    None
}

/// `helm template`: the release's manifests, hooks (unless `--no-hooks`; test hooks unless
/// `--skip-tests`), then `--show-only` filtering. With an output dir, files are written and the
/// `wrote ...` lines are what is printed.
pub fn template(
    chart: &Chart,
    rendered: BTreeMap<String, String>,
    options: &TemplateOptions,
) -> Result<TemplateOutput, Error> {
    let mut writer = FileWriter::default();
    let release = render_resources(chart, rendered, options, &mut writer)?;
    print_release(&release, options, writer)
}

/// `helm template`'s printing of a release (also the partial one `--debug` prints).
fn print_release(
    release: &Release,
    options: &TemplateOptions,
    mut writer: FileWriter,
) -> Result<TemplateOutput, Error> {
    let mut text = String::new();
    text.push_str(release.manifest.trim());
    text.push('\n');
    if !options.no_hooks {
        for hook in &release.hooks {
            if options.skip_tests && hook.is_test() {
                continue;
            }
            match &options.output_dir {
                None => text.push_str(&format!(
                    "---\n# Source: {}\n{}\n",
                    hook.path, hook.manifest
                )),
                Some(dir) => {
                    let dir = if options.use_release_name {
                        dir.join(&options.release_name)
                    } else {
                        dir.clone()
                    };
                    // Hooks append to whatever file already exists on disk.
                    let exists = Path::new(&format!("{}/{}", dir.display(), hook.path)).exists();
                    writer.write(&dir, &hook.path, &hook.manifest, exists)?;
                }
            }
        }
    }
    let mut stdout = writer.log;
    if options.show_only.is_empty() {
        stdout.push_str(&text);
        return Ok(TemplateOutput { stdout });
    }
    let docs = split_manifests(&text);
    let mut chosen = Vec::new();
    for pattern in &options.show_only {
        let mut missing = true;
        for doc in &docs {
            let Some(path) = source_path(doc) else {
                continue;
            };
            if path_match(pattern, path) {
                chosen.push(doc.as_str());
                missing = false;
            }
        }
        if missing {
            return Err(Error::new(format!(
                "could not find template {pattern} in chart"
            )));
        }
    }
    // Documents are printed trimmed on both sides, as the reference renderer does (Helm
    // v4.2.3 itself keeps the trailing whitespace of the text's last document).
    for doc in chosen {
        stdout.push_str(&format!("---\n{}\n", doc.trim()));
    }
    Ok(TemplateOutput { stdout })
}

/// Everything `helm template` needs: the chart, the values flags, the release, the printing.
#[derive(Clone, Debug, Default)]
pub struct TemplateRequest {
    /// The chart folder or archive.
    pub chart_path: PathBuf,
    /// The values flags.
    pub values: crate::values::ValueOptions,
    /// The release and capabilities.
    pub render: crate::render::RenderOptions,
    /// How to print.
    pub output: TemplateOptions,
}

/// Helm's release-name rule (`ValidateReleaseName`).
fn validate_release_name(name: &str) -> Result<(), Error> {
    const INVALID: &str = "invalid release name, must match regex ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$ and the length must not be longer than 53";
    if name.is_empty() {
        return Err(Error::new(format!(
            "release name \"{name}\": no name provided"
        )));
    }
    let label_ok = |label: &str| {
        let b = label.as_bytes();
        let ok_char = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        !b.is_empty()
            && ok_char(&b[0])
            && ok_char(&b[b.len() - 1])
            && b.iter().all(|c| ok_char(c) || *c == b'-')
    };
    if name.len() > 53 || !name.split('.').all(label_ok) {
        return Err(Error::new(format!("release name \"{name}\": {INVALID}")));
    }
    Ok(())
}

/// The checks `helm template` makes before computing values: the chart type, declared
/// subcharts present under `charts/`, the release name.
pub fn check_installable(chart: &Chart, release_name: &str) -> Result<(), Error> {
    let kind = chart.metadata.chart_type.as_str();
    if !(kind.is_empty() || kind == "application") {
        return Err(Error::new(format!("{kind} charts are not installable")));
    }
    if !chart.metadata.dependencies.is_empty() {
        // The reference renderer's wording (Helm's SDK); the helm CLI words it as "an error
        // occurred while checking for chart dependencies. You may need to run 'helm
        // dependency build' to fetch missing dependencies: ...".
        crate::values::check_dependencies(chart).map_err(|e| {
            e.wrap("chart dependencies are missing; run dependency update/build first")
        })?;
    }
    // Helm's install wraps the name check's error (`availableName`) in its own words.
    validate_release_name(release_name).map_err(|e| e.wrap("release name check failed"))
}

/// Loads the chart and computes its final values and rendered files, as `helm install
/// --dry-run=client` does before printing: values flags, installability, release name,
/// dependencies, coalescing, schema, `kubeVersion`, then the engine.
/// `install` is true for `helm template` (which checks that declared subcharts are present);
/// the raw engine render (`helmet render`) skips that check, as the reference renderer does.
pub fn load_and_render(
    chart_path: &Path,
    value_options: &crate::values::ValueOptions,
    render: &crate::render::RenderOptions,
    install: bool,
) -> Result<(Chart, BTreeMap<String, String>), Error> {
    load_and_render_logged(chart_path, value_options, render, install, &mut Vec::new())
}

/// [`load_and_render`], also collecting the warnings Helm logs on the way (`log`, in Helm's
/// order, kept when a later step fails): the loader's (`Warning: Dependencies are handled in
/// Chart.yaml since apiVersion "v2"...`) and those of coalescing values (`warning: skipped value
/// for top.key: Not a table.`), which Helm logs once while processing dependencies and once
/// while building the render values.
pub fn load_and_render_logged(
    chart_path: &Path,
    value_options: &crate::values::ValueOptions,
    render: &crate::render::RenderOptions,
    install: bool,
    log: &mut Vec<String>,
) -> Result<(Chart, BTreeMap<String, String>), Error> {
    let (chart, values) = prepare(chart_path, value_options, render, install, log)?;
    let rendered = crate::render::render_chart(&chart, &values, render)?;
    Ok((chart, rendered))
}

/// Everything before the engine: load, checks, dependencies, values, schema, kubeVersion.
fn prepare(
    chart_path: &Path,
    value_options: &crate::values::ValueOptions,
    render: &crate::render::RenderOptions,
    install: bool,
    log: &mut Vec<String>,
) -> Result<(Chart, Value), Error> {
    let user = value_options.merge_values()?;
    let mut chart = crate::load::load_chart_logged(chart_path, log)?;
    log.extend(chart.all_load_warnings());
    if install {
        check_installable(&chart, &render.release.name)?;
    }
    crate::values::process_dependencies_logged(&mut chart, &user, log)?;
    let (values, warnings) = crate::values::coalesce_values_with_warnings(&chart, &user)?;
    log.extend(warnings);
    if !render.skip_schema_validation {
        crate::values::schema::validate_against_schemas_logged(&chart, &values, log)?;
    }
    let kube_constraint = &chart.metadata.kube_version;
    if !kube_constraint.is_empty() {
        let caps = &render.capabilities.kube_version;
        if !crate::values::dependencies::is_compatible_range(kube_constraint, &caps.normalized) {
            return Err(Error::new(format!(
                "chart requires kubeVersion: {kube_constraint} which is incompatible with Kubernetes {}",
                caps.version
            )));
        }
    }
    Ok((chart, values))
}

/// `helm template`, from chart path to printed text.
pub fn run_template(request: &TemplateRequest) -> Result<TemplateOutput, Error> {
    run_template_logged(request, &mut Vec::new())
}

/// `helm template --debug`: as [`run_template_logged`], but when rendering fails after the
/// values were built, Helm still prints the release it has before returning the error: nothing
/// rendered (a blank line) for template errors, and every rendered file for manifests that do not
/// parse as YAML (Helm lists them in Go map order; helmet sorts them by name, one of those
/// orders). Returns what goes to standard output and the outcome.
pub fn run_template_debug(
    request: &TemplateRequest,
    log: &mut Vec<String>,
) -> (String, Result<(), Error>) {
    let options = &request.output;
    let prepared = prepare(
        &request.chart_path,
        &request.values,
        &request.render,
        true,
        log,
    );
    let (chart, values) = match prepared {
        Ok(x) => x,
        Err(e) => return (String::new(), Err(e)),
    };
    // Helm has a release to show only once the engine ran.
    let rendered = match crate::render::render_chart(&chart, &values, &request.render) {
        Ok(rendered) => rendered,
        Err(e) => return debug_release(&Release::default(), options, e),
    };
    let mut writer = FileWriter::default();
    let files = rendered.clone();
    match render_resources(&chart, rendered, options, &mut writer) {
        Ok(release) => match print_release(&release, options, writer) {
            Ok(out) => (out.stdout, Ok(())),
            Err(e) => (String::new(), Err(e)),
        },
        Err(e) => {
            let mut blob = String::new();
            for (name, content) in &files {
                if name.ends_with("NOTES.txt") || content.trim().is_empty() {
                    continue;
                }
                blob.push_str(&format!("---\n# Source: {name}\n{content}\n"));
            }
            let partial = Release {
                manifest: blob,
                ..Release::default()
            };
            debug_release(&partial, options, e)
        }
    }
}

/// Prints a partial release as `--debug` does, then hands back the rendering error (or, when a
/// `--show-only` pattern matches nothing in it, that same error without printing).
fn debug_release(
    release: &Release,
    options: &TemplateOptions,
    err: Error,
) -> (String, Result<(), Error>) {
    match print_release(release, options, FileWriter::default()) {
        Ok(out) => (out.stdout, Err(err)),
        Err(_) => (String::new(), Err(err)),
    }
}

/// [`run_template`], also collecting the warnings Helm logs (see [`load_and_render_logged`]).
pub fn run_template_logged(
    request: &TemplateRequest,
    log: &mut Vec<String>,
) -> Result<TemplateOutput, Error> {
    let (chart, rendered) = load_and_render_logged(
        &request.chart_path,
        &request.values,
        &request.render,
        true,
        log,
    )?;
    template(&chart, rendered, &request.output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filepath_match_rules() {
        assert!(path_match("templates/*", "templates/a.yaml"));
        assert!(!path_match("templates/*", "templates/x/a.yaml"));
        assert!(path_match("templates/[a-c].yaml", "templates/b.yaml"));
        assert!(path_match("templates/[^a-c].yaml", "templates/d.yaml"));
        assert!(path_match("templates/?.yaml", "templates/d.yaml"));
        assert!(!path_match("templates/[", "templates/["));
        let long = "a".repeat(100_000);
        assert!(path_match(&long, &long));
    }

    #[test]
    fn finds_source_paths() {
        assert_eq!(
            source_path("# Source: c/templates/a.yaml\nkind: A"),
            Some("templates/a.yaml")
        );
        assert_eq!(source_path("kind: A"), None);
    }
}
