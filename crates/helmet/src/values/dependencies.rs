//! Helm's `ProcessDependencies`: aliases, enabling subcharts by tags and conditions, and
//! `import-values`.

use std::cmp::Ordering;

use std::sync::Arc;

use helmet_value::{Map, Value};

use super::coalesce::{self, Warnings};
use crate::chart::{Chart, Error};
use crate::load::metadata::SemVer;

const MAX_DEPTH: usize = 64;

/// Enables or disables subcharts from tags and conditions and applies `import-values`, as
/// Helm does before rendering.
pub fn process_dependencies(
    chart: &mut Chart,
    user: &Value,
    warnings: &mut Warnings,
) -> Result<(), Error> {
    process_enabled(chart, user, "", warnings, 0)?;
    process_imports(chart, warnings, 0)?;
    chart.update_parents();
    Ok(())
}

/// Masterminds/semver's `Constraint.Check` for the common forms (`=`, `!=`, `>`, `<`, `>=`,
/// `<=`, `~`, `^`, wildcards, hyphen ranges, `,`/space for AND, `||` for OR). Anything it
/// cannot read does not match, as in Helm.
///
/// Every load checks the same few ranges (each dependency's `version` against its subchart's,
/// `kubeVersion` against the cluster's), and parsing them costs ~4K instructions a check, so
/// answers are kept per process (with the other process caches).
pub fn is_compatible_range(constraint: &str, version: &str) -> bool {
    if !crate::process_caches() {
        return check_range(constraint, version);
    }
    let Ok(mut kept) = KEPT_RANGES.lock() else {
        return check_range(constraint, version);
    };
    let found = kept
        .iter()
        .find(|(c, v, _)| **c == *constraint && **v == *version);
    if let Some((_, _, answer)) = found {
        return *answer;
    }
    let answer = check_range(constraint, version);
    if kept.len() >= MAX_KEPT_RANGES {
        kept.remove(0);
    }
    kept.push((constraint.into(), version.into(), answer));
    answer
}

/// Range checks answered so far: constraint, version, answer (oldest first).
type KeptRanges = Vec<(Box<str>, Box<str>, bool)>;
static KEPT_RANGES: std::sync::Mutex<KeptRanges> = std::sync::Mutex::new(Vec::new());
/// A chart with many subcharts checks a range per dependency.
const MAX_KEPT_RANGES: usize = 256;

/// Forgets the range checks kept by [`is_compatible_range`].
pub(crate) fn clear_kept_ranges() {
    KEPT_RANGES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clear();
}

/// [`is_compatible_range`], worked out.
fn check_range(constraint: &str, version: &str) -> bool {
    let Some(v) = SemVer::parse(version) else {
        return false;
    };
    let constraint = constraint.trim();
    if constraint.is_empty() {
        return false;
    }
    constraint
        .split("||")
        .any(|group| check_group(group.trim(), &v).unwrap_or_default())
}

fn check_group(group: &str, v: &SemVer) -> Option<bool> {
    // Hyphen range "a - b".
    if let Some((lo, hi)) = group.split_once(" - ") {
        return Some(
            check_one(&format!(">={}", lo.trim()), v)?
                && check_one(&format!("<={}", hi.trim()), v)?,
        );
    }
    let mut parts: Vec<String> = Vec::new();
    for raw in group.split([',', ' ']).filter(|p| !p.is_empty()) {
        // An operator separated from its version by spaces: ">= 1.2".
        if raw.chars().all(|c| "<>=!~^".contains(c)) {
            parts.push(raw.to_string());
            continue;
        }
        match parts.last_mut() {
            Some(last) if last.chars().all(|c| "<>=!~^".contains(c)) => last.push_str(raw),
            _ => parts.push(raw.to_string()),
        }
    }
    if parts.is_empty() {
        return None;
    }
    let mut all = true;
    for p in &parts {
        all &= check_one(p, v)?;
    }
    Some(all)
}

/// A partial version in a constraint: missing or wildcard parts are `None`.
struct Partial {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: String,
}

fn parse_partial(text: &str) -> Option<Partial> {
    let text = text.strip_prefix('v').unwrap_or(text);
    let text = text.split('+').next().unwrap_or(text);
    let (core, pre) = match text.split_once('-') {
        Some((c, p)) => (c, p.to_string()),
        None => (text, String::new()),
    };
    let mut nums = [None, None, None];
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3 {
        return None;
    }
    for (i, p) in parts.iter().enumerate() {
        if matches!(*p, "x" | "X" | "*") {
            break;
        }
        nums[i] = Some(p.parse().ok()?);
    }
    Some(Partial {
        major: nums[0],
        minor: nums[1],
        patch: nums[2],
        pre,
    })
}

fn ver(major: u64, minor: u64, patch: u64, pre: &str) -> SemVer {
    SemVer {
        major,
        minor,
        patch,
        pre: pre.to_string(),
    }
}

fn check_one(c: &str, v: &SemVer) -> Option<bool> {
    let ops = ["!=", ">=", "=>", "<=", "=<", "~>", ">", "<", "=", "~", "^"];
    let (op, rest) = ops
        .iter()
        .find_map(|op| c.strip_prefix(op).map(|r| (*op, r)))
        .unwrap_or(("", c));
    let p = parse_partial(rest.trim())?;
    // A pre-release version only satisfies constraints that name a pre-release.
    if !v.pre.is_empty() && p.pre.is_empty() {
        return Some(false);
    }
    let Some(major) = p.major else {
        // "*", "x": anything (but "!=*" nothing, "<*" nothing).
        return Some(matches!(
            op,
            "" | "=" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^"
        ));
    };
    let base = ver(major, p.minor.unwrap_or(0), p.patch.unwrap_or(0), &p.pre);
    let cmp = v.compare(&base);
    // The first version past the wildcard range, for "1.2.x"-style constraints.
    let upper_wild = if p.minor.is_none() {
        ver(major + 1, 0, 0, "")
    } else if p.patch.is_none() {
        ver(major, p.minor.unwrap_or(0) + 1, 0, "")
    } else {
        base.clone()
    };
    let wild = p.minor.is_none() || p.patch.is_none();
    Some(match op {
        "" | "=" => {
            if wild {
                cmp != Ordering::Less && v.compare(&upper_wild) == Ordering::Less
            } else {
                cmp == Ordering::Equal
            }
        }
        "!=" => {
            if wild {
                cmp == Ordering::Less || v.compare(&upper_wild) != Ordering::Less
            } else {
                cmp != Ordering::Equal
            }
        }
        ">" => {
            if wild {
                v.compare(&upper_wild) != Ordering::Less
            } else {
                cmp == Ordering::Greater
            }
        }
        "<" => cmp == Ordering::Less,
        ">=" | "=>" => cmp != Ordering::Less,
        "<=" | "=<" => {
            if wild {
                v.compare(&upper_wild) == Ordering::Less
            } else {
                cmp != Ordering::Greater
            }
        }
        "~" | "~>" => {
            let upper = if p.minor.is_none() {
                ver(major + 1, 0, 0, "")
            } else {
                ver(major, p.minor.unwrap_or(0) + 1, 0, "")
            };
            cmp != Ordering::Less && v.compare(&upper) == Ordering::Less
        }
        "^" => {
            let minor = p.minor.unwrap_or(0);
            let upper = if major > 0 || p.minor.is_none() {
                ver(major + 1, 0, 0, "")
            } else if minor > 0 || p.patch.is_none() {
                ver(0, minor + 1, 0, "")
            } else {
                ver(0, 0, p.patch.unwrap_or(0) + 1, "")
            };
            cmp != Ordering::Less && v.compare(&upper) == Ordering::Less
        }
        _ => return None,
    })
}

/// Helm's `Values.PathValue`: the non-table value at a dotted path.
fn path_value(values: &Map, path: &str) -> Option<Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let (last, tables) = parts.split_last()?;
    // A single key is looked up in the top table itself.
    let Some((first, rest)) = tables.split_first() else {
        return match values.get(last)? {
            Value::Map(_) => None,
            other => Some(other.clone()),
        };
    };
    let mut table = values.get(first)?.as_map()?;
    for t in rest {
        table = table.get(t)?.as_map()?;
    }
    match table.get(last)? {
        Value::Map(_) => None,
        other => Some(other.clone()),
    }
}

fn process_enabled(
    chart: &mut Chart,
    values: &Value,
    path: &str,
    warnings: &mut Warnings,
    depth: usize,
) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new("subcharts are nested too deeply"));
    }
    // Helm goes on for an empty list (`dependencies: []`): the values are coalesced once more
    // (warnings included) and subcharts under `charts/` are processed in turn.
    if chart.metadata.dependencies.is_empty() && !chart.metadata.dependencies_given {
        return Ok(());
    }
    let existing = std::mem::take(&mut chart.dependencies);
    let reqs: Vec<_> = chart.metadata.dependency_entries().cloned().collect();
    // Which requirement claims which subchart, worked out once per pair (a version range is
    // parsed on every check).
    let claims: Vec<Vec<bool>> = reqs
        .iter()
        .map(|r| {
            existing
                .iter()
                .map(|c| c.name() == r.name && is_compatible_range(&r.version, &c.metadata.version))
                .collect()
        })
        .collect();
    // Subcharts no requirement claims stay as they are; claimed ones are copied per
    // requirement, renamed to its alias. Each subchart moves to its last place (a copy only
    // for a subchart two requirements take).
    let mut uses = vec![0usize; existing.len()];
    let taken: Vec<Option<usize>> = claims
        .iter()
        .map(|claimed| claimed.iter().position(|c| *c))
        .collect();
    for i in taken.iter().flatten() {
        uses[*i] += 1;
    }
    let mut existing: Vec<Option<Chart>> = existing.into_iter().map(Some).collect();
    let mut kept: Vec<Chart> = Vec::with_capacity(existing.len());
    for (i, chart) in existing.iter_mut().enumerate() {
        if !claims.iter().any(|claimed| claimed[i]) {
            kept.extend(chart.take());
        }
    }
    for (req, found) in reqs.iter().zip(&taken) {
        let Some(i) = *found else { continue };
        uses[i] -= 1;
        let copy = if uses[i] == 0 {
            existing[i].take()
        } else {
            existing[i].clone()
        };
        if let Some(mut copy) = copy {
            if !req.alias.is_empty() {
                copy.metadata.name = req.alias.clone();
            }
            kept.push(copy);
        }
    }
    for req in chart.metadata.dependencies.iter_mut().flatten() {
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
        req.enabled = true;
    }
    chart.dependencies = kept;
    let cvals = coalesce::coalesce_values(chart, values, warnings)?;
    let cmap = cvals.as_map().unwrap_or_default();
    // Tags.
    if let Some(Value::Map(tags)) = cmap.get("tags") {
        for req in chart.metadata.dependencies.iter_mut().flatten() {
            let (mut has_true, mut has_false) = (false, false);
            for t in &req.tags {
                match tags.entries().get(t) {
                    Some(Value::Bool(true)) => has_true = true,
                    Some(Value::Bool(false)) => has_false = true,
                    Some(_) => warnings.push(format!(
                        "WARN returned non-bool value tag={t} chart={}",
                        req.name
                    )),
                    None => {}
                }
            }
            req.enabled = has_true || !has_false;
        }
    }
    // Conditions: the first path holding a bool decides.
    for req in chart.metadata.dependencies.iter_mut().flatten() {
        for cond in req.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            match path_value(&cmap, &format!("{path}{cond}")) {
                Some(Value::Bool(b)) => {
                    req.enabled = b;
                    break;
                }
                Some(_) => warnings.push(format!(
                    "WARN returned non-bool value path={cond} chart={}",
                    req.name
                )),
                None => {}
            }
        }
    }
    let disabled: Vec<String> = chart
        .metadata
        .dependency_entries()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    chart
        .dependencies
        .retain(|c| !disabled.iter().any(|d| d == c.name()));
    chart
        .metadata
        .dependencies
        .retain(|r| r.as_ref().is_none_or(|r| !disabled.contains(&r.name)));
    // Helm rebuilds the list by appending what is kept to a nil slice, so a chart left with
    // no requirement (all disabled, or `dependencies: []`) has none at all afterwards, and
    // `import-values` processing passes over it: its defaults are not merged with its
    // subcharts' (whose `null`s would then outlive the final coalescing).
    if chart.metadata.dependencies.is_empty() {
        chart.metadata.dependencies_given = false;
    }
    for sub in chart.dependencies.iter_mut() {
        let sub_path = format!("{path}{}.", sub.name());
        process_enabled(sub, &cvals, &sub_path, warnings, depth + 1)?;
    }
    Ok(())
}

/// Helm's `Values.Table`: the map at a dotted path, or the path element that is missing or
/// not a map.
fn table(values: &Map, path: &str) -> Result<Arc<Map>, String> {
    let mut t = Arc::new(values.clone());
    for part in path.split('.') {
        t = t
            .get(part)
            .and_then(Value::as_map)
            .ok_or_else(|| part.to_string())?;
    }
    Ok(t)
}

fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = Value::map(data);
    for part in path.split('.').rev() {
        let mut m = Map::new();
        m.insert(part.to_string(), cur);
        cur = Value::map(m);
    }
    cur.as_map().map(|m| (*m).clone()).unwrap_or_default()
}

fn process_imports(chart: &mut Chart, warnings: &mut Warnings, depth: usize) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new("subcharts are nested too deeply"));
    }
    for sub in chart.dependencies.iter_mut() {
        process_imports(sub, warnings, depth + 1)?;
    }
    if chart.metadata.dependencies.is_empty() && !chart.metadata.dependencies_given {
        return Ok(());
    }
    let cvals = coalesce::merge_values(chart, &Value::Nil, warnings)?;
    let cmap = cvals.as_map().map(|m| (*m).clone()).unwrap_or_default();
    let mut imported = Map::new();
    for req in chart.metadata.dependencies.iter_mut().flatten() {
        let mut normalized = Vec::new();
        for iv in &req.import_values {
            let (child, parent, from_map) = match iv {
                Value::Map(m) => {
                    let text = |k: &str| match m.entries().get(k) {
                        None | Some(Value::Nil) => "<nil>".to_string(),
                        Some(Value::String(s)) => s.to_string(),
                        Some(Value::Bool(b)) => b.to_string(),
                        Some(Value::Float64(f)) => format!("{f}"),
                        Some(other) => format!("{other:?}"),
                    };
                    (text("child"), text("parent"), true)
                }
                Value::String(s) => (format!("exports.{s}"), ".".to_string(), false),
                _ => continue,
            };
            let mut entry = Map::new();
            entry.insert("child".into(), Value::string(child.as_str()));
            entry.insert("parent".into(), Value::string(parent.as_str()));
            normalized.push(Value::typed_map(helmet_value::ElemType::String, entry));
            match table(&cmap, &format!("{}.{child}", req.name)) {
                Ok(found) => {
                    imported = coalesce::coalesce_tables(
                        imported,
                        path_to_map(&parent, (*found).clone()),
                        "",
                        true,
                        warnings,
                        0,
                    );
                }
                Err(missing) => {
                    let error =
                        format!("{} is not a table", helmet_value::strconv::quote(&missing));
                    warnings.push(if from_map {
                        format!(
                            "WARN ImportValues missing table from chart chart={} error={}",
                            crate::slog::text_value(&req.name),
                            crate::slog::text_value(&error)
                        )
                    } else {
                        format!(
                            "WARN ImportValues missing table error={}",
                            crate::slog::text_value(&error)
                        )
                    });
                }
            }
        }
        req.import_values = normalized;
    }
    let merged = coalesce::coalesce_tables(cmap, imported, "", true, warnings, 0);
    chart.values = Value::map(merged);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_masterminds() {
        assert!(is_compatible_range(">=0.1.0", "0.1.0"));
        assert!(is_compatible_range("^1.2.0", "1.9.9"));
        assert!(!is_compatible_range("^1.2.0", "2.0.0"));
        assert!(is_compatible_range("~1.2", "1.2.9"));
        assert!(!is_compatible_range("~1.2", "1.3.0"));
        assert!(is_compatible_range("1.x", "1.5.0"));
        assert!(is_compatible_range("*", "3.0.0"));
        assert!(is_compatible_range(">= 1.0, < 2.0", "1.5.0"));
        assert!(is_compatible_range("<1.0 || >=2.0", "2.1.0"));
        assert!(!is_compatible_range("", "1.0.0"));
        assert!(!is_compatible_range(">=1.0.0", "1.1.0-rc.1"));
    }
}
