//! Loading charts from directories and archives, as Helm's chart loader does.

pub mod archive;
mod folder;
pub mod helmignore;
pub mod metadata;
#[cfg(target_os = "linux")]
mod watch;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use helmet_value::{Map, Value};

use crate::chart::{go_io_text as io_text, Chart, Error, File, Metadata};
use folder::{Folder, Kind};
use helmignore::IgnoreRules;

/// How deep symbolic links to directories may nest before we give up (Helm has no limit and
/// loops forever on a link to an ancestor).
const MAX_WALK_DEPTH: usize = 64;
/// How deep subcharts may nest.
const MAX_CHART_DEPTH: usize = 32;

/// Parses a chart file (`Chart.yaml`, lock and requirements files) as sigs.k8s.io/yaml hands
/// it to Go structs: scalars keep go-yaml's types, because an integer and a float become
/// different text in a string field. Errors read as sigs.k8s.io/yaml's.
pub(crate) fn parse_yaml(text: &[u8]) -> Result<Value, String> {
    // A chart loaded again reads the same Chart.yaml again: kept per process as values files.
    use crate::values::parsed::{parsed, Reading};
    parsed(Reading::ChartFile, text, |text| {
        match std::str::from_utf8(text) {
            Ok(text) => helmet_yaml::from_str_go_types(text).map_err(|e| e.to_string()),
            Err(_) => Err(not_utf8(text).unwrap_or_else(str::to_string)),
        }
    })
}

/// sigs.k8s.io/yaml's error for a YAML text that is not UTF-8 (go-yaml's reader refuses the
/// bad byte once its scanner gets there), or as the error the case helmet does not decide,
/// named.
pub(crate) fn not_utf8(text: &[u8]) -> Result<String, &'static str> {
    helmet_yaml::reader_utf8::reached_problem(text)
        .map(|problem| format!("error converting YAML to JSON: yaml: {problem}"))
}

/// Loads a chart from a directory or a `.tgz` archive, with its subcharts.
pub fn load_chart(path: &Path) -> Result<Chart, Error> {
    load_chart_logged(path, &mut Vec::new())
}

/// [`load_chart`]; when loading fails, the lines Helm had logged before failing (the symbolic
/// links it followed) are added to `log`. On success they are the first of the chart's
/// `load_warnings`.
///
/// A process that loads the same chart again and again gets, from its fourth load on, a copy
/// of the chart it read last, for as long as the kernel reports no change under it (Linux
/// only; see `load/watch.rs`, and [`set_process_caches`](crate::set_process_caches) to turn it
/// off).
pub fn load_chart_logged(path: &Path, log: &mut Vec<String>) -> Result<Chart, Error> {
    #[cfg(target_os = "linux")]
    if crate::process_caches() {
        return watch::load_kept(path, log);
    }
    load_chart_read(path, log, None)
}

/// The paths of the charts the load cache holds now, each as the cleaned absolute path it is
/// looked up by, after taking in the changes the kernel has reported (for tests and
/// diagnostics: a path listed here is served from memory by its next load unless something
/// under it changes first). Empty where there is no such cache (other systems than Linux).
pub fn kept_chart_paths() -> Vec<PathBuf> {
    #[cfg(target_os = "linux")]
    return watch::kept_paths();
    #[cfg(not(target_os = "linux"))]
    Vec::new()
}

/// Forgets every chart the load cache keeps, and its watches (see
/// [`clear_process_caches`](crate::clear_process_caches)).
pub(crate) fn forget_kept_charts() {
    #[cfg(target_os = "linux")]
    watch::clear();
}

/// What a walk of a chart folder tells the load cache (`load/watch.rs`) that is filling an
/// entry with it: each folder, before it is listed, and whatever makes the chart one the cache
/// must not keep.
pub(crate) trait WalkWatch {
    /// Watches the folder at `rel` (relative to the chart's folder, `/`-separated), before the
    /// walk opens and lists it.
    fn folder(&mut self, rel: &str);
    /// Looks at a file of a watched folder, opened, before it is read: whether its changes
    /// are all reported to that folder's watch.
    fn file(&mut self, opened: &std::fs::File);
    /// The chart is not to be kept: the walk met something whose changes the cache's watches
    /// would not all see (a symbolic link, a folder read by path).
    fn refuse(&mut self);
}

/// [`load_chart_logged`], reading the chart; `watch` (the load cache filling an entry) is told
/// of every folder of a chart directory before it is listed.
fn load_chart_read(
    path: &Path,
    log: &mut Vec<String>,
    watch: Option<&mut (dyn WalkWatch + '_)>,
) -> Result<Chart, Error> {
    // A folder opened at once tells that it is one, without a `stat` first. Only a path
    // without `..` names the same folder as the absolute path the walk reports (`..` is taken
    // lexically there); anything else, and any failure, goes the way below.
    let plain = !path
        .components()
        .any(|part| part == std::path::Component::ParentDir);
    if plain {
        if let Ok(folder) = Folder::open(path) {
            if folder.is_open() {
                return load_dir_opened(path, Some(folder), log, watch);
            }
        }
    }
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::new(format!("stat {}: {}", path.display(), io_text(&e))))?;
    if meta.is_dir() {
        load_dir_opened(path, None, log, watch)
    } else {
        load_archive_file(path)
    }
}

/// [`load_dir`]; when loading fails, the lines Helm had logged before failing (the symbolic
/// links it followed) are added to `log`.
pub fn load_dir_logged(dir: &Path, log: &mut Vec<String>) -> Result<Chart, Error> {
    load_dir_opened(dir, None, log, None)
}

/// [`load_dir_logged`], with the folder already open when `opened` holds it, telling `watch`
/// of the folders it walks.
fn load_dir_opened(
    dir: &Path,
    opened: Option<Folder>,
    log: &mut Vec<String>,
    watch: Option<&mut (dyn WalkWatch + '_)>,
) -> Result<Chart, Error> {
    let mut links = Vec::new();
    match load_dir_collecting(dir, opened, &mut links, watch) {
        Ok(mut chart) => {
            // Helm logs each link while walking, before loading any file.
            links.append(&mut chart.load_warnings);
            chart.load_warnings = links;
            Ok(chart)
        }
        Err(e) => {
            log.append(&mut links);
            Err(e)
        }
    }
}

/// Loads a chart archive file.
pub fn load_archive_file(path: &Path) -> Result<Chart, Error> {
    let name = path.display().to_string();
    let bytes =
        std::fs::read(path).map_err(|e| Error::new(format!("open {name}: {}", io_text(&e))))?;
    if !archive::looks_gzipped(&bytes) {
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            return Err(Error::new(format!(
                "file '{name}' seems to be a YAML file, but expected a gzipped archive"
            )));
        }
        return Err(Error::new(format!(
            "file '{name}' does not appear to be a gzipped archive; got '{}'",
            archive::detect_content_type(&bytes)
        )));
    }
    // As Helm's v2 loader: only a bad gzip header gets the file name; other errors are bare.
    let files = archive::read_chart_archive(&bytes).map_err(|e| {
        if e.message() == "gzip: invalid header" {
            Error::new(format!(
                "file '{name}' does not appear to be a valid chart file (details: {e})"
            ))
        } else {
            e
        }
    })?;
    // The top folder's name is not checked against the chart's: Helm loads archives whose
    // folder is named otherwise (`frobnitz.v1/` holding chart `frobnitz`).
    load_files(files, 0)
}

/// Loads a chart directory: `.helmignore` rules, a sorted walk following symbolic links.
pub fn load_dir(dir: &Path) -> Result<Chart, Error> {
    load_dir_logged(dir, &mut Vec::new())
}

/// [`load_dir`], collecting the log lines of the symbolic links it follows in `links`; the
/// folder is opened here unless `opened` holds it; `watch` is told of the folders walked.
fn load_dir_collecting(
    dir: &Path,
    opened: Option<Folder>,
    links: &mut Vec<String>,
    mut watch: Option<&mut (dyn WalkWatch + '_)>,
) -> Result<Chart, Error> {
    let top = go_absolute(dir);
    // A folder that cannot be opened is read by path, so that its errors come as and where
    // they did: `.helmignore` first, then the listing.
    let folder = match opened {
        Some(folder) => folder,
        None => Folder::open(&top).unwrap_or(Folder::ByPath),
    };
    let mut rules = IgnoreRules::empty();
    let ignore_file = || top.join(".helmignore");
    // Helm reads `.helmignore` for its rules, then again as a file of the chart. The walk takes
    // the contents read here (same file, same bytes) instead of opening it a second time. A file
    // the chart could not hold (too big) is read again the plain way, so that the walk reports
    // it where Helm does.
    let mut ignore_read = None;
    let open_error = |e: std::io::Error| {
        Error::new(format!("open {}: {}", ignore_file().display(), io_text(&e)))
    };
    match folder
        .open_file(".helmignore", &top, false)
        .inspect(|opened| {
            if let Some(watch) = watch.as_deref_mut() {
                watch.file(opened);
            }
        })
        .and_then(read_sized)
    {
        Ok(Some((read, bom))) => {
            // The rules are read from the file's own bytes, mark included.
            rules = if bom {
                IgnoreRules::parse(&[&b"\xEF\xBB\xBF"[..], &read.0].concat())
            } else {
                IgnoreRules::parse(&read.0)
            }
            .map_err(Error::new)?;
            ignore_read = Some(read);
        }
        Ok(None) => {
            let text = std::fs::read(ignore_file()).map_err(open_error)?;
            rules = IgnoreRules::parse(&text).map_err(Error::new)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(open_error(e)),
    }
    rules.add_defaults();
    let mut files = Vec::new();
    // The top folder is not logged when it is a link: Helm walks it with a trailing slash,
    // which follows the link.
    let mut walk = Walk {
        rules: &rules,
        files: &mut files,
        links,
        ignore_read: &mut ignore_read,
        watch,
    };
    walk.folder(Ok(folder), &top, "", 0)?;
    load_files(files, 0)
}

/// The line Helm's directory walk logs (slog, level INFO) for each symbolic link it follows,
/// with the link's path and the fully resolved target.
fn symlink_log(path: &Path) -> Result<String, Error> {
    let resolved = std::fs::canonicalize(path).map_err(|e| {
        Error::new(format!(
            "error evaluating symlink {}: {}",
            path.display(),
            io_text(&e)
        ))
    })?;
    Ok(format!(
        "INFO found symbolic link in path. Contents of linked file included and used path={} resolved={}",
        crate::slog::text_value(&path.to_string_lossy()),
        crate::slog::text_value(&resolved.to_string_lossy())
    ))
}

/// Go's `filepath.Abs`: a relative path is joined to Go's working directory, and the result
/// cleaned (`..` steps are taken lexically).
pub(crate) fn go_absolute(dir: &Path) -> PathBuf {
    if dir.is_absolute() {
        return lexically_clean(dir);
    }
    match go_getwd() {
        Some(cwd) => lexically_clean(&cwd.join(dir)),
        None => std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()),
    }
}

/// Go's `os.Getwd`: `$PWD` when it names the current folder (so a folder entered through a
/// symbolic link keeps the link's path, as in the paths Helm logs), else the system's answer.
fn go_getwd() -> Option<PathBuf> {
    #[cfg(unix)]
    if let Some(pwd) = std::env::var_os("PWD").map(PathBuf::from) {
        use std::os::unix::fs::MetadataExt;
        if pwd.is_absolute() {
            if let (Ok(a), Ok(b)) = (std::fs::metadata(&pwd), std::fs::metadata(".")) {
                if a.dev() == b.dev() && a.ino() == b.ino() {
                    return Some(pwd);
                }
            }
        }
    }
    std::env::current_dir().ok()
}

/// Go's `filepath.Clean` of an absolute path: no `.`, `..` resolved against the text.
fn lexically_clean(path: &Path) -> PathBuf {
    // A path already clean (no `.` or `..` steps, no doubled or trailing separator) stays as it
    // is: rebuilding it step by step costs more, once per load.
    let text = path.as_os_str().as_encoded_bytes();
    let clean = text.starts_with(b"/")
        && text
            .split(|b| *b == b'/')
            .skip(1)
            .all(|step| !step.is_empty() && step != b"." && step != b"..");
    if clean || text == b"/" {
        return path.to_path_buf();
    }
    lexically_clean_steps(path)
}

/// [`lexically_clean`], step by step.
fn lexically_clean_steps(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                if out.parent().is_some() {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// One walk of a chart directory: what it keeps between folders.
struct Walk<'w, 'v> {
    rules: &'w IgnoreRules,
    files: &'w mut Vec<File>,
    links: &'w mut Vec<String>,
    /// `.helmignore`'s contents, read before the walk for its rules.
    ignore_read: &'w mut Option<ChartFileRead>,
    /// The load cache filling an entry, told of each folder before it is listed.
    watch: Option<&'w mut (dyn WalkWatch + 'v)>,
}

impl Walk<'_, '_> {
    /// Tells the load cache filling an entry (if one is) not to keep this chart.
    fn refuse_keeping(&mut self) {
        if let Some(watch) = self.watch.as_deref_mut() {
            watch.refuse();
        }
    }

    /// Walks the folder at `dir` (`rel` is its path within the chart): `folder` is its opening,
    /// or the error that failed it, reported after the nesting check as listing it would.
    fn folder(
        &mut self,
        folder: std::io::Result<Folder>,
        dir: &Path,
        rel: &str,
        depth: usize,
    ) -> Result<(), Error> {
        if depth > MAX_WALK_DEPTH {
            return Err(Error::new(format!(
                "directory nesting too deep at {} (a symbolic link loop?)",
                dir.display()
            )));
        }
        let listed =
            |e: std::io::Error| Error::new(format!("open {}: {}", dir.display(), io_text(&e)));
        let folder = folder.map_err(listed)?;
        if !folder.is_open() {
            self.refuse_keeping();
        }
        // The entry's own type comes with the directory listing (no system call); only symbolic
        // links need a `stat` to learn what they point to.
        let mut entries = folder.entries(dir).map_err(listed)?;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (listed, kind) in entries {
            // Joined into a buffer of the final size (`format!` costs more, once per file and
            // load); at the top the listed name is the chart-relative one.
            let listed_len = listed.len();
            let rel_name = if rel.is_empty() {
                listed
            } else {
                let mut joined = String::with_capacity(rel.len() + 1 + listed.len());
                joined.push_str(rel);
                joined.push('/');
                joined.push_str(&listed);
                joined
            };
            let name = &rel_name[rel_name.len() - listed_len..];
            // The entry's path, for folders, links and errors: a plain file of an opened folder
            // is opened by its name.
            let full = || folder::join(dir, name);
            let is_link = match kind {
                Some(kind) => kind == Kind::Symlink,
                None => std::fs::symlink_metadata(full()).is_ok_and(|m| m.file_type().is_symlink()),
            };
            let kind = match kind {
                Some(kind) if kind != Kind::Symlink => kind,
                // Follow symbolic links, as Helm does.
                _ => {
                    let full = full();
                    Kind::of(
                        std::fs::metadata(&full)
                            .map_err(|e| {
                                // Go's EvalSymlinks reports the path it could not find.
                                // Go's EvalSymlinks has resolved the folders above the link by then.
                                let base = std::fs::canonicalize(dir)
                                    .unwrap_or_else(|_| dir.to_path_buf());
                                let target = std::fs::read_link(&full)
                                    .map(|t| first_missing(&lexically_clean(&base.join(t)), 0))
                                    .unwrap_or_else(|_| full.clone());
                                Error::new(format!(
                                    "error evaluating symlink {}: lstat {}: {}",
                                    full.display(),
                                    target.display(),
                                    io_text(&e)
                                ))
                            })?
                            .file_type(),
                    )
                }
            };
            if is_link {
                self.refuse_keeping();
                self.links.push(symlink_log(&full())?);
            }
            if kind == Kind::Dir {
                if self.rules.ignores(&rel_name, true) {
                    continue;
                }
                // Watched before it is opened, so that a change after its listing is reported.
                if let Some(watch) = self.watch.as_deref_mut() {
                    watch.folder(&rel_name);
                }
                let full = full();
                let sub = folder.sub(name, &full, is_link);
                self.folder(sub, &full, &rel_name, depth + 1)?;
                continue;
            }
            if self.rules.ignores(&rel_name, false) {
                continue;
            }
            // Checked before opening: opening a FIFO would wait for a writer.
            if kind != Kind::File {
                return Err(Error::new(format!(
                    "cannot load irregular file {} as it has file mode type bits set",
                    full().display()
                )));
            }
            let (data, modified) = match self.ignore_read.take() {
                Some(read) if depth == 0 && name == ".helmignore" => read,
                other => {
                    *self.ignore_read = other;
                    let file = folder.open_file(name, dir, is_link);
                    if let (Some(watch), Ok(opened)) = (self.watch.as_deref_mut(), &file) {
                        watch.file(opened);
                    }
                    read_chart_file(file, name, &rel_name)?
                }
            };
            self.files
                .push(File::new(rel_name, data).with_modified(modified));
        }
        Ok(())
    }
}

/// The path Go's EvalSymlinks names when a link's target is missing: its first missing
/// component, with the links before it resolved (`crds -> ../../config/crd/bases` names
/// `config` when that folder is missing).
fn first_missing(target: &Path, depth: usize) -> PathBuf {
    let mut at = PathBuf::new();
    let mut parts = target.components();
    while let Some(part) = parts.next() {
        let next = at.join(part);
        if std::fs::symlink_metadata(&next).is_err() {
            return next;
        }
        at = match std::fs::canonicalize(&next) {
            Ok(resolved) => resolved,
            // A dangling link on the way: Go follows it and names what its target lacks.
            Err(_) => match std::fs::read_link(&next) {
                Ok(link) if depth < 40 => {
                    let rest: PathBuf = parts.collect();
                    let via = lexically_clean(&at.join(link)).join(rest);
                    return first_missing(&lexically_clean(&via), depth + 1);
                }
                _ => next,
            },
        };
    }
    target.to_path_buf()
}

/// A chart file's contents (byte order mark removed) and modification time.
type ChartFileRead = (Arc<[u8]>, Option<std::time::SystemTime>);

/// Reads one regular file of a chart directory: its contents without a UTF-8 byte order mark,
/// and its modification time. The size limit is checked on the open file, before reading.
///
/// The contents go straight into the shared buffer the chart keeps (no second copy), and a file
/// is read up to the size `fstat` gave, without asking for more: one `read` per file instead
/// of a second one to see the end. A file that changes while the chart loads is a race in Helm
/// too. Only a file that states no size (as those of `/proc` do) is read until its end.
fn read_chart_file(
    file: std::io::Result<std::fs::File>,
    name: &str,
    rel_name: &str,
) -> Result<ChartFileRead, Error> {
    match file.and_then(read_sized) {
        Ok(Some((read, _))) => Ok(read),
        Ok(None) => Err(Error::new(format!(
            "chart file {} is larger than the maximum file size {}",
            helmet_value::strconv::quote(name),
            archive::MAX_DECOMPRESSED_FILE_SIZE
        ))),
        Err(e) => Err(Error::new(format!(
            "error reading {rel_name}: {}",
            io_text(&e)
        ))),
    }
}

/// [`read_chart_file`]'s reading of an open file: `None` for a file larger than a chart may
/// hold; the flag tells whether a byte order mark was removed.
fn read_sized(mut file: std::fs::File) -> std::io::Result<Option<(ChartFileRead, bool)>> {
    use std::io::Read;
    const LIMIT: u64 = archive::MAX_DECOMPRESSED_FILE_SIZE;
    let meta = file.metadata()?;
    if meta.len() > LIMIT {
        return Ok(None);
    }
    let size = meta.len() as usize;
    let modified = meta.modified().ok();
    if size == 0 {
        // No size stated: read to the end in growing steps, within the limit.
        let mut data = Vec::new();
        (&mut file).take(LIMIT + 1).read_to_end(&mut data)?;
        if data.len() as u64 > LIMIT {
            return Ok(None);
        }
        let bom = data.starts_with(b"\xEF\xBB\xBF");
        let data = if bom { &data[3..] } else { &data[..] };
        return Ok(Some(((Arc::from(data), modified), bom)));
    }
    let mut data: Arc<[u8]> = std::iter::repeat_n(0u8, size).collect();
    let mut filled = 0;
    if let Some(buf) = Arc::get_mut(&mut data) {
        while filled < size {
            match file.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
    // A byte order mark or a file that shrank since `fstat`: the rest is copied (rare).
    let start = if data[..filled].starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    if start > 0 || filled < size {
        data = Arc::from(&data[start..filled]);
    }
    Ok(Some(((data, modified), start > 0)))
}

/// Helm's `LoadValues`: every YAML document of `values.yaml`, merged in order. The same text
/// is parsed once per process (see [`set_process_caches`](crate::set_process_caches)); every
/// call returns maps of its own.
pub fn parse_values(data: &[u8]) -> Result<Value, Error> {
    crate::values::parsed::parsed_values(data, |data| {
        // Helm's LoadValues: documents cut at `---` lines, each read as a map, merged in order.
        match std::str::from_utf8(data) {
            Ok(text) => helmet_yaml::load_values(text).map_err(|e| Error::new(e.to_string())),
            Err(_) => values_not_utf8(data),
        }
    })
}

/// [`parse_values`] for a file that is not UTF-8. Kubernetes' YAML reader cuts the documents
/// out of the bytes (lines, `\r\n` read as `\n`; a `---` line ends the document before it, or
/// starts the next one and stays in it), then go-yaml reads each: the documents before the
/// first one that is not UTF-8 fail or pass as usual, and that one fails with go-yaml's reader
/// error.
fn values_not_utf8(data: &[u8]) -> Result<Value, Error> {
    let mut docs: Vec<Vec<u8>> = Vec::new();
    let mut current = Vec::new();
    for raw in data.split_inclusive(|&b| b == b'\n') {
        let line = raw.strip_suffix(b"\n").unwrap_or(raw);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(after) = line.strip_prefix(b"---") {
            let trimmed = after.trim_ascii();
            if !trimmed.is_empty() && trimmed[0] != b'#' {
                // Go prints the line's bytes as they are (invalid ones shown here as U+FFFD).
                return Err(Error::new(format!(
                    "error reading yaml document: invalid Yaml document separator: {}",
                    String::from_utf8_lossy(trimmed)
                )));
            }
            if !current.is_empty() {
                docs.push(std::mem::take(&mut current));
                continue;
            }
            // One ending the text without a line break gives no document.
            if !raw.ends_with(b"\n") {
                continue;
            }
        }
        current.extend_from_slice(line);
        current.push(b'\n');
    }
    if !current.is_empty() {
        docs.push(current);
    }
    let mut values = Map::new();
    for doc in &docs {
        let Ok(text) = std::str::from_utf8(doc) else {
            return Err(Error::new(match not_utf8(doc) {
                Ok(error) => format!("cannot unmarshal yaml document: {error}"),
                Err(refused) => refused.to_string(),
            }));
        };
        // One document (a `---` line it starts with stays in it), merged as Helm's LoadValues.
        let read = helmet_yaml::load_values(text).map_err(|e| Error::new(e.to_string()))?;
        if let Some(map) = read.as_map() {
            values = merge_maps(values, &map);
        }
    }
    // Only `---` lines held other bytes.
    Ok(Value::map(values))
}

/// Splits a YAML stream at `---` lines as Kubernetes' YAML reader does.
/// Helm's loader `MergeMaps`: `b` over `a`, merging nested maps, everything else replaced.
pub fn merge_maps(mut a: Map, b: &Map) -> Map {
    for (k, v) in b {
        if let (Value::Map(new), Some(Value::Map(old))) = (v, a.get(k)) {
            let merged = merge_maps(old.to_map(), &new.entries());
            a.insert(k.clone(), Value::map(merged));
            continue;
        }
        a.insert(k.clone(), v.clone());
    }
    a
}

/// Helm's `LoadFiles`: sorts the files of one chart into its parts and loads its subcharts.
pub fn load_files(files: Vec<File>, depth: usize) -> Result<Chart, Error> {
    if depth > MAX_CHART_DEPTH {
        return Err(Error::new("subcharts are nested too deeply"));
    }
    let mut chart = Chart {
        values: Value::empty_map(),
        ..Chart::default()
    };
    let mut metadata: Option<Metadata> = None;
    for f in &files {
        if f.name == "Chart.yaml" {
            let decode = |md: &mut Metadata| -> Result<(), Error> {
                metadata::decode_chart_file(md, &f.data)?;
                if md.api_version.is_empty() {
                    md.api_version = "v1".to_string();
                }
                Ok(())
            };
            match &mut metadata {
                // A second `Chart.yaml` (an archive may hold two) goes over the first.
                Some(md) => decode(md)?,
                // The same text gives the same metadata: kept per process as parsed files.
                None => {
                    let decoded = crate::values::parsed::decoded_metadata(&f.data, || {
                        let mut md = Metadata::default();
                        decode(&mut md).map(|()| md)
                    })?;
                    metadata = Some(decoded);
                }
            }
        }
    }
    let mut subcharts: BTreeMap<String, Vec<File>> = BTreeMap::new();
    for f in &files {
        let name = f.name.as_str();
        match name {
            "Chart.yaml" => {}
            "Chart.lock" | "requirements.lock" => {
                let doc = parse_yaml(&f.data)
                    .map_err(|e| Error::new(format!("cannot load {name}: {e}")))?;
                // Helm decodes into a pointer, which a null document (an empty file) sets
                // back to nil: no lock, so `helm package` writes no Chart.lock.
                chart.lock = match doc {
                    Value::Nil => None,
                    _ => Some(metadata::decode_lock(&doc).map_err(|e| {
                        e.wrap(format!(
                            "cannot load {name}: error unmarshaling JSON: while decoding JSON"
                        ))
                    })?),
                };
                if name == "requirements.lock" {
                    let md = metadata.get_or_insert_with(Metadata::default);
                    if md.api_version == "v1" {
                        chart.files.push(f.clone());
                    } else {
                        chart.load_warnings.push(
                            "Warning: Dependency locking is handled in Chart.lock since apiVersion \"v2\". We recommend migrating to Chart.lock."
                                .to_string(),
                        );
                    }
                }
            }
            "values.yaml" => {
                chart.values =
                    parse_values(&f.data).map_err(|e| e.wrap("cannot load values.yaml"))?;
                chart.raw_values = Some(f.data.clone());
            }
            "values.schema.json" => chart.schema = Some(f.data.clone()),
            "requirements.yaml" => {
                let md = metadata.get_or_insert_with(Metadata::default);
                if md.api_version != "v1" {
                    chart.load_warnings.push(
                        "Warning: Dependencies are handled in Chart.yaml since apiVersion \"v2\". We recommend migrating dependencies to Chart.yaml."
                            .to_string(),
                    );
                }
                let doc = parse_yaml(&f.data)
                    .map_err(|e| Error::new(format!("cannot load requirements.yaml: {e}")))?;
                metadata::decode_metadata_into(md, &doc).map_err(|e| {
                    e.wrap(
                        "cannot load requirements.yaml: error unmarshaling JSON: while \
                         decoding JSON",
                    )
                })?;
                if md.api_version == "v1" {
                    chart.files.push(f.clone());
                }
            }
            _ if name.starts_with("templates/") => chart.templates.push(f.clone()),
            _ if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    chart.files.push(f.clone());
                    continue;
                }
                let inner = &name["charts/".len()..];
                let sub = inner.split('/').next().unwrap_or(inner).to_string();
                subcharts.entry(sub).or_default().push(File {
                    name: inner.to_string(),
                    data: f.data.clone(),
                    modified: f.modified,
                });
            }
            _ => chart.files.push(f.clone()),
        }
    }
    // Every file, in order (moved: not a copy per file).
    chart.raw = files;
    let Some(mut md) = metadata else {
        return Err(Error::new("Chart.yaml file is missing"));
    };
    metadata::validate_metadata(&mut md)?;
    chart.metadata = md;
    for (sub, files) in subcharts {
        if sub.starts_with('_') || sub.starts_with('.') {
            continue;
        }
        let loaded = if sub.ends_with(".tgz") {
            let file = &files[0];
            if file.name != sub {
                return Err(Error::new(format!(
                    "error unpacking subchart tar in {}: expected {}, got {}",
                    chart.name(),
                    sub,
                    file.name
                )));
            }
            archive::read_chart_archive(&file.data).and_then(|fs| load_files(fs, depth + 1))
        } else {
            let inner: Vec<File> = files
                .into_iter()
                .filter_map(|f| {
                    f.name.split_once('/').map(|(_, rest)| File {
                        name: rest.to_string(),
                        data: f.data,
                        modified: f.modified,
                    })
                })
                .collect();
            load_files(inner, depth + 1)
        };
        let loaded = loaded.map_err(|e| {
            e.wrap(format!(
                "error unpacking subchart {} in {}",
                sub,
                chart.name()
            ))
        })?;
        chart.dependencies.push(loaded);
    }
    chart.update_parents();
    Ok(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Copies a directory tree, keeping symbolic links as links.
    fn copy_tree(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            let kind = entry.file_type().unwrap();
            if kind.is_symlink() {
                std::os::unix::fs::symlink(std::fs::read_link(entry.path()).unwrap(), &target)
                    .unwrap();
            } else if kind.is_dir() {
                copy_tree(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    /// A path taken as it is gives what cleaning it step by step gives.
    #[test]
    fn clean_paths_stay_as_they_are() {
        for path in [
            "/", "/a", "/a/b", "/a/b/", "/a//b", "/a/./b", "/a/../b", "/..", "/a/b/..", "/a/b/.",
            "//a", "/.a/b..", "/a/...", "a/b", "./a", "../a", "", "/a/b c/d",
        ] {
            let path = Path::new(path);
            assert_eq!(
                lexically_clean(path),
                lexically_clean_steps(path),
                "{path:?}"
            );
        }
    }

    /// Each input of `fixtures/charts/load-errors` (plus the two made by
    /// `fixtures/values/refresh-load-errors.sh`) fails as real Helm fails on it.
    #[test]
    fn load_errors_match_helm() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let golden =
            std::fs::read_to_string(root.join("fixtures/values/load-errors.golden")).unwrap();
        let tmp = std::env::temp_dir().join(format!("helmet-load-errors-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        copy_tree(&root.join("fixtures/charts/load-errors"), &tmp);
        std::fs::create_dir_all(tmp.join("big-file/templates")).unwrap();
        std::fs::write(
            tmp.join("big-file/Chart.yaml"),
            "apiVersion: v2\nname: big-file\nversion: 1.0.0\n",
        )
        .unwrap();
        std::fs::write(tmp.join("big-file/big.bin"), vec![0u8; 5242881]).unwrap();
        std::fs::create_dir_all(tmp.join("fifo/templates")).unwrap();
        std::fs::write(
            tmp.join("fifo/Chart.yaml"),
            "apiVersion: v2\nname: fifo\nversion: 1.0.0\n",
        )
        .unwrap();
        let fifo_made = std::process::Command::new("mkfifo")
            .arg(tmp.join("fifo/pipe"))
            .status()
            .is_ok_and(|s| s.success());
        let dir = tmp.display().to_string();
        for line in golden.lines() {
            let (name, expected) = line.split_once('|').unwrap();
            if name == "fifo" && !fifo_made {
                continue;
            }
            let result = load_chart(&tmp.join(name));
            if expected.is_empty() {
                assert!(result.is_ok(), "{name}: {:?}", result.err());
                continue;
            }
            let ours = result
                .err()
                .unwrap_or_else(|| panic!("{name}: loaded"))
                .to_string();
            // Helm was given names relative to the inputs' directory and, for directories,
            // reports absolute paths under it ($DIR).
            let ours = ours.replace(&format!("{dir}/"), "$DIR/");
            let ours = if expected.contains("$DIR") {
                ours
            } else {
                ours.replace("$DIR/", "")
            };
            assert_eq!(ours, expected, "{name}");
        }
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
