//! `helm package`: a chart directory into the `.tgz` that repositories and `helm install` use.
//!
//! The archive holds what Helm's `chartutil.Save` writes, in its order: `Chart.yaml` re-written
//! from the loaded metadata, `Chart.lock`, the raw `values.yaml`, `values.schema.json`, the
//! templates, every other file, then each subchart the same way under `charts/`. Every entry
//! keeps its file's modification time, as Helm v4 does, unless `SOURCE_DATE_EPOCH` fixes one
//! time for all, so that archives built from fresh clones are identical.

mod gzip;
mod tar;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use helmet_value::{Map, Value};

use crate::chart::{go_io_text as io_text, Chart, Dependency, Error, Lock, Metadata};
use crate::load::metadata::{json_kind, SemVer};

/// What `helmet package` was asked for.
#[derive(Clone, Debug, Default)]
pub struct PackageOptions {
    /// Where the archive goes (`-d`); created when missing.
    pub destination: PathBuf,
    /// `--version`: replaces the chart's version.
    pub version: Option<String>,
    /// `--app-version`: replaces the chart's appVersion.
    pub app_version: Option<String>,
    /// One time, in seconds since the Unix epoch, for every entry (`SOURCE_DATE_EPOCH`).
    pub source_date_epoch: Option<i64>,
}

impl PackageOptions {
    /// Options writing to `destination`, with `SOURCE_DATE_EPOCH` read from the environment.
    pub fn new(destination: impl Into<PathBuf>) -> Result<PackageOptions, Error> {
        Ok(PackageOptions {
            destination: destination.into(),
            source_date_epoch: source_date_epoch_from_env()?,
            ..PackageOptions::default()
        })
    }
}

/// Reads `SOURCE_DATE_EPOCH` (reproducible-builds.org): whole seconds since the epoch.
pub fn source_date_epoch_from_env() -> Result<Option<i64>, Error> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) if !text.is_empty() => text.trim().parse::<i64>().map(Some).map_err(|_| {
            Error::new(format!(
                "SOURCE_DATE_EPOCH must be a whole number of seconds, not {text:?}"
            ))
        }),
        _ => Ok(None),
    }
}

/// Packages the chart directory `chart_dir` as `helm package` does and returns the archive's
/// path (relative when the destination is relative, as Helm prints it).
///
/// The archive is written to a temporary file beside its final name and renamed into place, so
/// a failure never leaves half an archive.
pub fn package_chart(chart_dir: &Path, options: &PackageOptions) -> Result<PathBuf, Error> {
    package_chart_logged(chart_dir, options, &mut Vec::new())
}

/// [`package_chart`], adding to `log` the lines Helm's loader logs while reading the chart (each
/// symbolic link it follows, v1-style dependency files in a v2 chart), whether or not packaging
/// succeeds after.
pub fn package_chart_logged(
    chart_dir: &Path,
    options: &PackageOptions,
    log: &mut Vec<String>,
) -> Result<PathBuf, Error> {
    let mut chart = load_for_packaging(chart_dir, log)?;
    if let Some(version) = &options.version {
        chart.metadata.version = version.clone();
    }
    if SemVer::parse(&chart.metadata.version).is_none() {
        return Err(Error::new("invalid semantic version"));
    }
    if let Some(app_version) = &options.app_version {
        chart.metadata.app_version = app_version.clone();
    }
    check_dependencies(&chart)?;

    let tar = chart_tar_stream(&chart, options.source_date_epoch)?;
    let archive = gzip::compress(&tar).map_err(|e| Error::new(format!("failed to save: {e}")))?;

    let file_name = format!("{}-{}.tgz", chart.name(), chart.metadata.version);
    let dest = &options.destination;
    match std::fs::metadata(dest) {
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::new(format!(
                "failed to save: is not a directory: {}",
                dest.display()
            )))
        }
        Ok(_) => {}
        Err(_) => std::fs::create_dir_all(dest)
            .map_err(|e| Error::new(format!("failed to save: {}: {e}", dest.display())))?,
    }
    let target = dest.join(&file_name);
    write_atomically(&target, &archive)
        .map_err(|e| Error::new(format!("failed to save: {}: {e}", target.display())))?;
    Ok(target)
}

/// `helm package` loads with Helm's version-detecting `LoadDir`: a directory only, whose
/// Chart.yaml is read first for its apiVersion alone; only v1 and v2 charts are packaged.
fn load_for_packaging(chart_dir: &Path, log: &mut Vec<String>) -> Result<Chart, Error> {
    std::fs::metadata(chart_dir)
        .map_err(|e| Error::new(format!("stat {}: {}", chart_dir.display(), io_text(&e))))?;
    let api_version = detect_api_version(chart_dir)?;
    let chart = match api_version.as_str() {
        "v1" | "v2" | "" => crate::load::load_dir_logged(chart_dir, log)?,
        // Helm loads a v3 chart with its v3 loader, whose chart type `package` then refuses.
        "v3" => {
            crate::load::load_dir_logged(chart_dir, log)?;
            return Err(Error::new("invalid chart apiVersion"));
        }
        _ => return Err(Error::new("unsupported chart version")),
    };
    log.extend(chart.all_load_warnings());
    Ok(chart)
}

/// The apiVersion of the chart in `chart_dir`, read from its Chart.yaml as Helm's loader detects
/// a chart's version: the YAML decoded into a struct with that one field, so other fields are
/// not checked yet, and a number or boolean there becomes its text.
fn detect_api_version(chart_dir: &Path) -> Result<String, Error> {
    let name = crate::load::go_absolute(chart_dir).join("Chart.yaml");
    let data = std::fs::read(&name).map_err(|e| {
        // Go's ReadFile opens, then reads: a folder opens fine and fails to read.
        let op = if e.kind() == std::io::ErrorKind::IsADirectory {
            "read"
        } else {
            "open"
        };
        Error::new(format!(
            "unable to detect chart at {0}: {op} {0}: {1}",
            name.display(),
            io_text(&e)
        ))
    })?;
    let doc = crate::load::parse_yaml(&data)
        .map_err(|e| Error::new(format!("cannot load Chart.yaml: {e}")))?;
    let decode_error = |what: &str| {
        Error::new(format!(
            "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {what}"
        ))
    };
    let map = match &doc {
        Value::Nil => return Ok(String::new()),
        Value::Map(m) => m.entries(),
        other => {
            return Err(decode_error(&format!(
                "{} into Go value of type loader.chartBase",
                json_kind(other)
            )))
        }
    };
    // encoding/json matches keys ignoring case; of several matches the last one in the JSON
    // (whose keys sigs.k8s.io/yaml sorts) is kept.
    let found = map
        .iter()
        .rfind(|(k, _)| k.eq_ignore_ascii_case("apiVersion"))
        .map(|(_, v)| v);
    match found {
        None | Some(Value::Nil) => Ok(String::new()),
        Some(v) => helmet_yaml::go_string_field(v).ok_or_else(|| {
            decode_error(&format!(
                "{} into Go struct field chartBase.apiVersion of type string",
                json_kind(v)
            ))
        }),
    }
}

/// Helm's `CheckDependencies`: every dependency named in Chart.yaml must be in `charts/`.
pub fn check_dependencies(chart: &Chart) -> Result<(), Error> {
    let missing: Vec<&str> = chart
        .metadata
        .dependency_entries()
        .filter(|dep| !chart.dependencies.iter().any(|c| c.name() == dep.name))
        .map(|dep| dep.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        )))
    }
}

/// The uncompressed tar stream of a chart's archive, entry for entry as Helm writes it.
pub fn chart_tar_stream(chart: &Chart, source_date_epoch: Option<i64>) -> Result<Vec<u8>, Error> {
    let now = unix_seconds(SystemTime::now());
    let clock = |modified: Option<SystemTime>| {
        source_date_epoch.unwrap_or_else(|| modified.map(unix_seconds).unwrap_or(now))
    };
    let mut tar = tar::TarWriter::new();
    write_chart(&mut tar, chart, "", &clock)?;
    Ok(tar.finish())
}

fn write_chart(
    tar: &mut tar::TarWriter,
    chart: &Chart,
    prefix: &str,
    clock: &dyn Fn(Option<SystemTime>) -> i64,
) -> Result<(), Error> {
    let name = chart.name();
    if name.contains('/') || name.contains('\\') || name.is_empty() || name == ".." {
        return Err(Error::new(format!("\"{name}\" is not a valid chart name")));
    }
    let base = format!("{prefix}{name}");
    let raw_time = |file: &str| {
        chart
            .raw
            .iter()
            .find(|f| f.name == file)
            .and_then(|f| f.modified)
    };

    let chart_yaml = marshal_yaml(&metadata_value(&chart.metadata))?;
    tar.append_file(
        &format!("{base}/Chart.yaml"),
        chart_yaml.as_bytes(),
        clock(raw_time("Chart.yaml")),
    );

    if chart.metadata.api_version == "v2" {
        if let Some(lock) = &chart.lock {
            let generated = parse_rfc3339(&lock.generated);
            let nil_dependencies = lock_dependencies_are_nil(chart);
            let lock_yaml = marshal_yaml(&lock_value(lock, generated, nil_dependencies))?;
            let time = clock(generated.map(|(secs, nanos)| {
                UNIX_EPOCH + std::time::Duration::new(secs.max(0) as u64, nanos)
            }));
            tar.append_file(&format!("{base}/Chart.lock"), lock_yaml.as_bytes(), time);
        }
    }

    if let Some(values) = chart.raw.iter().find(|f| f.name == "values.yaml") {
        tar.append_file(
            &format!("{base}/values.yaml"),
            &values.data,
            clock(values.modified),
        );
    }

    if let Some(schema) = &chart.schema {
        if helmet_yaml::from_json(&String::from_utf8_lossy(schema)).is_err()
            || std::str::from_utf8(schema).is_err()
        {
            return Err(Error::new(
                "failed to save: invalid JSON in values.schema.json",
            ));
        }
        tar.append_file(
            &format!("{base}/values.schema.json"),
            schema,
            clock(raw_time("values.schema.json")),
        );
    }

    for file in chart.templates.iter().chain(&chart.files) {
        tar.append_file(
            &format!("{base}/{}", file.name),
            &file.data,
            clock(file.modified),
        );
    }

    // Helm walks subcharts out of a Go map, so their order changes from run to run; sorted by
    // name is always one of the orders Helm produces, and it is stable.
    let mut subcharts: Vec<&Chart> = chart.dependencies.iter().collect();
    subcharts.sort_by(|a, b| a.name().cmp(b.name()));
    for sub in subcharts {
        write_chart(tar, sub, &format!("{base}/charts/"), clock)?;
    }
    Ok(())
}

/// `sigs.k8s.io/yaml.Marshal`: JSON field names, keys sorted.
fn marshal_yaml(value: &Value) -> Result<String, Error> {
    helmet_yaml::to_yaml(value).map_err(|e| Error::new(e.to_string()))
}

fn put_str(map: &mut Map, key: &str, s: &str) {
    if !s.is_empty() {
        map.insert(key.to_string(), Value::from(s));
    }
}

fn put_strings(map: &mut Map, key: &str, items: &[String]) {
    if !items.is_empty() {
        let items = items.iter().map(|s| Value::from(s.as_str())).collect();
        map.insert(key.to_string(), Value::list(items));
    }
}

/// `chart.Metadata` as `encoding/json` marshals it: every field `omitempty`. API v1 charts keep
/// their dependencies in requirements.yaml, so Helm leaves them out of Chart.yaml.
fn metadata_value(md: &Metadata) -> Value {
    let mut map = Map::new();
    put_str(&mut map, "name", &md.name);
    put_str(&mut map, "home", &md.home);
    put_strings(&mut map, "sources", &md.sources);
    put_str(&mut map, "version", &md.version);
    put_str(&mut map, "description", &md.description);
    put_strings(&mut map, "keywords", &md.keywords);
    if !md.maintainers.is_empty() {
        let maintainers = md
            .maintainers
            .iter()
            .map(|m| match m {
                None => Value::Nil,
                Some(m) => {
                    let mut entry = Map::new();
                    put_str(&mut entry, "name", &m.name);
                    put_str(&mut entry, "email", &m.email);
                    put_str(&mut entry, "url", &m.url);
                    Value::map(entry)
                }
            })
            .collect();
        map.insert("maintainers".into(), Value::list(maintainers));
    }
    put_str(&mut map, "icon", &md.icon);
    put_str(&mut map, "apiVersion", &md.api_version);
    put_str(&mut map, "condition", &md.condition);
    put_str(&mut map, "tags", &md.tags);
    put_str(&mut map, "appVersion", &md.app_version);
    if md.deprecated {
        map.insert("deprecated".into(), Value::Bool(true));
    }
    if !md.annotations.is_empty() {
        let annotations = md
            .annotations
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        map.insert("annotations".into(), Value::map(annotations));
    }
    put_str(&mut map, "kubeVersion", &md.kube_version);
    if md.api_version != "v1" && !md.dependencies.is_empty() {
        let deps = md
            .dependencies
            .iter()
            .map(|d| d.as_ref().map_or(Value::Nil, dependency_value))
            .collect();
        map.insert("dependencies".into(), Value::list(deps));
    }
    put_str(&mut map, "type", &md.chart_type);
    Value::map(map)
}

/// `chart.Dependency` as JSON: `name` and `repository` always, the rest `omitempty`.
fn dependency_value(dep: &Dependency) -> Value {
    let mut map = Map::new();
    map.insert("name".into(), Value::from(dep.name.as_str()));
    put_str(&mut map, "version", &dep.version);
    map.insert("repository".into(), Value::from(dep.repository.as_str()));
    put_str(&mut map, "condition", &dep.condition);
    put_strings(&mut map, "tags", &dep.tags);
    if dep.enabled {
        map.insert("enabled".into(), Value::Bool(true));
    }
    if !dep.import_values.is_empty() {
        map.insert(
            "import-values".into(),
            Value::list(dep.import_values.clone()),
        );
    }
    put_str(&mut map, "alias", &dep.alias);
    Value::map(map)
}

/// Whether the lock file Helm read (the later of `Chart.lock` and `requirements.lock`) leaves
/// `dependencies` null or out: Go then keeps a nil list, which marshals as `null` where an
/// empty one (`dependencies: []`) gives `[]`.
fn lock_dependencies_are_nil(chart: &Chart) -> bool {
    let Some(file) = chart
        .raw
        .iter()
        .rev()
        .find(|f| f.name == "Chart.lock" || f.name == "requirements.lock")
    else {
        return false;
    };
    let Ok(Value::Map(doc)) = crate::load::parse_yaml(&file.data) else {
        return false;
    };
    // encoding/json matches keys ignoring case, the last match (in sorted order) winning.
    let entries = doc.entries();
    let found = entries
        .iter()
        .rfind(|(k, _)| k.eq_ignore_ascii_case("dependencies"))
        .map(|(_, v)| v);
    matches!(found, None | Some(Value::Nil))
}

/// `chart.Lock` as JSON: `generated` as RFC 3339 with nanoseconds, `digest`, `dependencies`
/// (`null` for a nil list).
fn lock_value(lock: &Lock, generated: Option<(i64, u32)>, nil_dependencies: bool) -> Value {
    let mut map = Map::new();
    let generated = match generated {
        Some(_) => canonical_rfc3339(&lock.generated),
        None => "0001-01-01T00:00:00Z".to_string(),
    };
    map.insert("generated".into(), Value::from(generated));
    map.insert("digest".into(), Value::from(lock.digest.as_str()));
    let deps = if nil_dependencies {
        Value::Nil
    } else {
        Value::list(lock.dependencies.iter().map(dependency_value).collect())
    };
    map.insert("dependencies".into(), deps);
    Value::map(map)
}

/// Seconds since the epoch, rounded to the nearest second as Go's tar writer rounds.
fn unix_seconds(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64 + i64::from(d.subsec_nanos() >= 500_000_000),
        Err(e) => {
            let d = e.duration();
            -(d.as_secs() as i64) - i64::from(d.subsec_nanos() > 500_000_000)
        }
    }
}

/// Parses an RFC 3339 time (`2006-01-02T15:04:05.999999999Z07:00`) into seconds since the epoch
/// and nanoseconds.
fn parse_rfc3339(text: &str) -> Option<(i64, u32)> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    if second > 59 {
        return None;
    }
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        if end == start || end - start > 9 {
            return None;
        }
        let digits = &text[start..end];
        nanos = format!("{digits:0<9}").parse().ok()?;
        i = end;
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if b.len() == i + 6 && b[i + 3] == b':' => {
            let minutes = num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?;
            if *sign == b'-' {
                -minutes * 60
            } else {
                minutes * 60
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some((
        days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    ))
}

/// Go's RFC3339Nano text of a parsed time: the fraction without trailing zeros, `Z` for UTC.
fn canonical_rfc3339(text: &str) -> String {
    let (head, rest) = text.split_at(19.min(text.len()));
    let (fraction, zone) = match rest.strip_prefix('.') {
        Some(r) => {
            let end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
            (r[..end].trim_end_matches('0'), &r[end..])
        }
        None => ("", rest),
    };
    let zone = match zone {
        "z" | "Z" | "+00:00" => "Z",
        other => other,
    };
    let head = head.replacen('t', "T", 1);
    if fraction.is_empty() {
        format!("{head}{zone}")
    } else {
        format!("{head}.{fraction}{zone}")
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("chart"),
        std::process::id()
    ));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, target));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_parse_to_unix_seconds() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(
            parse_rfc3339("2026-11-22T22:49:00.5+01:00"),
            Some((1_795_384_140, 500_000_000))
        );
        assert_eq!(parse_rfc3339("2026-11-22"), None);
        assert_eq!(parse_rfc3339("2026-13-22T00:00:00Z"), None);
    }

    #[test]
    fn rfc3339_canonical_form_trims_the_fraction() {
        assert_eq!(
            canonical_rfc3339("2021-09-14T10:30:45.120000Z"),
            "2021-09-14T10:30:45.12Z"
        );
        assert_eq!(
            canonical_rfc3339("2021-09-14T10:30:45+02:00"),
            "2021-09-14T10:30:45+02:00"
        );
    }

    #[test]
    fn times_round_to_the_nearest_second_like_go() {
        let t = UNIX_EPOCH + std::time::Duration::from_millis(1_499);
        assert_eq!(unix_seconds(t), 1);
        let t = UNIX_EPOCH + std::time::Duration::from_millis(1_500);
        assert_eq!(unix_seconds(t), 2);
    }
}
