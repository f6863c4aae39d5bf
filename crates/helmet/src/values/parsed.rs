//! Values files (and chart files: `Chart.yaml`, lock and requirements files) parsed once per
//! process, looked up by their exact bytes.
//!
//! Reading a chart's `values.yaml` costs more than anything else about its values, and a process
//! that loads the same chart again and again (an embedder, the benchmarks) reads the same text
//! every time. So the parsed tree is kept (from the second time its text comes), as the
//! compiled schema is (see `schema.rs`), and [`set_process_caches`](crate::set_process_caches)
//! turns it off.
//!
//! Go maps are references and templates change them in place (`set`, `merge`): the tree kept
//! here must never reach anyone who could change it. Each caller gets its own copy of the maps
//! (lists and strings are immutable and stay shared), which costs a small part of parsing.

use std::sync::Mutex;

use helmet_value::Value;

use crate::chart::Metadata;

/// How a file's text was read: the same bytes give different trees as a values file and as a
/// chart file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reading {
    /// A values file (`helmet_yaml::load_values`: documents merged, numbers as float64).
    Values,
    /// `Chart.yaml`, `Chart.lock`, `requirements.yaml`/`.lock` (Go-typed YAML, one document).
    ChartFile,
}

/// Texts seen by this process, oldest first, each by how it was read (`K`) and its bytes, with
/// what it read to once it has come a second time.
struct SeenTwice<K, T>(Mutex<Vec<Seen<K, T>>>);

/// One text of a [`SeenTwice`]: how it was read, its bytes, and what it read to once kept.
type Seen<K, T> = (K, Box<[u8]>, Option<T>);

/// Values and chart files, parsed.
static PARSED: SeenTwice<Reading, Value> = SeenTwice::new();
/// `Chart.yaml` files, decoded to metadata.
static DECODED: SeenTwice<(), Metadata> = SeenTwice::new();

/// Forgets every file seen (see [`crate::clear_process_caches`]).
pub(crate) fn clear() {
    PARSED.clear();
    DECODED.clear();
}

/// How many files the cache keeps: a chart with many subcharts has a values file and a
/// `Chart.yaml` per chart; the bounds only keep a long-running embedder small.
const MAX_FILES: usize = 256;
/// How many bytes of values text the cache keeps, in all.
const MAX_BYTES: usize = 16 << 20;

impl<K: Copy + PartialEq, T: Clone> SeenTwice<K, T> {
    const fn new() -> Self {
        SeenTwice(Mutex::new(Vec::new()))
    }

    fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// What `read` gives for the text `data` read as `how`, read at most twice per process for
    /// the same bytes (errors are not kept: the next call reports the same error again).
    /// `own` makes a result no other holder shares the maps of (`None` when it cannot: the
    /// text is then read again); every caller gets such a result, and the kept one is one too.
    ///
    /// A result is kept only when its text comes a second time: keeping it costs a copy, which
    /// a process that reads each file once (the `helmet` binary) would pay for nothing.
    fn read<E>(
        &self,
        how: K,
        data: &[u8],
        read: impl FnOnce() -> Result<T, E>,
        own: impl Fn(T) -> Option<T>,
    ) -> Result<T, E> {
        let cached = crate::process_caches();
        let mut seen = false;
        if cached {
            let kept = match self.0.lock() {
                Ok(cache) => match cache
                    .iter()
                    .find(|(h, text, _)| *h == how && **text == *data)
                {
                    Some((_, _, result)) => {
                        seen = true;
                        result.clone()
                    }
                    None => None,
                },
                Err(_) => None,
            };
            // Copied outside the lock.
            if let Some(copy) = kept.and_then(&own) {
                return Ok(copy);
            }
        }
        let result = read()?;
        if cached && data.len() <= MAX_BYTES {
            let keep = seen.then(|| own(result.clone())).flatten();
            if let Ok(mut cache) = self.0.lock() {
                match cache
                    .iter_mut()
                    .find(|(h, text, _)| *h == how && **text == *data)
                {
                    Some((_, _, kept)) => *kept = keep,
                    None => {
                        let mut total =
                            data.len() + cache.iter().map(|(_, t, _)| t.len()).sum::<usize>();
                        while cache.len() >= MAX_FILES || (total > MAX_BYTES && !cache.is_empty()) {
                            total -= cache.remove(0).1.len();
                        }
                        cache.push((how, data.into(), keep));
                    }
                }
            }
        }
        Ok(result)
    }
}

/// The values `parse` reads from `data`, parsed at most twice per process for the same bytes
/// (see [`SeenTwice::read`]). Every call returns maps no other caller holds.
pub(crate) fn parsed_values<E>(
    data: &[u8],
    parse: impl FnOnce(&[u8]) -> Result<Value, E>,
) -> Result<Value, E> {
    parsed(Reading::Values, data, parse)
}

/// [`parsed_values`] for a file read in another way (chart files: their metadata keeps maps
/// such as `import-values`, so callers get their own maps too).
pub(crate) fn parsed<E>(
    reading: Reading,
    data: &[u8],
    parse: impl FnOnce(&[u8]) -> Result<Value, E>,
) -> Result<Value, E> {
    // A parsed tree holds no cycle and nests far less than the copy's limit; were it ever
    // refused, the text is simply parsed again.
    PARSED.read(
        reading,
        data,
        || parse(data),
        |tree| tree.deep_copy_acyclic(),
    )
}

/// The metadata `decode` reads from the `Chart.yaml` text `data` (its whole reading: the YAML,
/// the decoding into `chart.Metadata`, the default `apiVersion`), decoded at most twice per
/// process for the same bytes, as [`parsed`] keeps parsed trees. Each caller's `import-values`
/// maps are its own, so that no caller can change what another gets.
pub(crate) fn decoded_metadata<E>(
    data: &[u8],
    decode: impl FnOnce() -> Result<Metadata, E>,
) -> Result<Metadata, E> {
    DECODED.read((), data, decode, own_maps)
}

/// `metadata` with maps of its own: the `import-values` entries of its dependencies (the only
/// maps it holds) copied; `None` if one could not be (it is then decoded again).
fn own_maps(mut metadata: Metadata) -> Option<Metadata> {
    for dependency in metadata.dependencies.iter_mut().flatten() {
        for value in &mut dependency.import_values {
            if matches!(value, Value::Map(_) | Value::List(_)) {
                *value = value.deep_copy_acyclic()?;
            }
        }
    }
    Some(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(data: &[u8]) -> Result<Value, String> {
        helmet_yaml::load_values(std::str::from_utf8(data).unwrap()).map_err(|e| e.to_string())
    }

    /// A text is parsed the first two times it comes, then served from the cache; changing a
    /// map of any caller's values in place changes neither the kept tree nor what later
    /// callers get; lists of maps are copied too.
    #[test]
    fn callers_get_their_own_maps() {
        // A text no other test uses, so that the cache starts without it.
        let text = b"parsed_cache_test:\n  a: 1\n  items:\n  - name: x\n  - plain\n";
        let parses = std::cell::Cell::new(0);
        let counted = |data: &[u8]| {
            parses.set(parses.get() + 1);
            parse(data)
        };
        let change = |values: &Value| {
            let section = values.map_get("parsed_cache_test").unwrap();
            section
                .as_typed_map()
                .unwrap()
                .update(|m| m.insert("a".into(), Value::from("changed")));
            let item = section.map_get("items").unwrap().as_list().unwrap()[0].clone();
            item.as_typed_map()
                .unwrap()
                .update(|m| m.insert("name".into(), Value::from("changed")));
        };
        let json = |v: &Value| helmet_yaml::to_json(v).unwrap();
        let original = r#"{"parsed_cache_test":{"a":1,"items":[{"name":"x"},"plain"]}}"#;
        let mut served = Vec::new();
        for _ in 0..5 {
            let values = parsed_values(text, counted).unwrap();
            assert_eq!(json(&values), original);
            // The parsed tree whose copy is kept, and the copies served from the cache.
            change(&values);
            assert_ne!(json(&values), original);
            served.push(values);
        }
        assert_eq!(parses.get(), 2);
    }

    /// Errors are reported again, not kept.
    #[test]
    fn errors_are_not_kept() {
        let text = b"parsed_cache_error: [\n";
        let first = parsed_values(text, parse).unwrap_err();
        let second = parsed_values(text, parse).unwrap_err();
        assert_eq!(first, second);
    }

    /// A `Chart.yaml` text is decoded the first two times it comes, then served from the
    /// cache; the maps of its `import-values` are each caller's own.
    #[test]
    fn decoded_metadata_is_kept_with_maps_of_its_own() {
        // A text no other test uses, so that the cache starts without it.
        let text = b"apiVersion: v2\nname: decoded-cache-test\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: 1.0.0\n  import-values:\n  - child: a\n    parent: b\n";
        let decodes = std::cell::Cell::new(0);
        let decode = || {
            decodes.set(decodes.get() + 1);
            let doc = crate::load::parse_yaml(text)?;
            let mut md = Metadata::default();
            crate::load::metadata::decode_metadata_into(&mut md, &doc)
                .map_err(|e| e.to_string())?;
            Ok::<_, String>(md)
        };
        let import = |md: &Metadata| {
            let dependency = md.dependencies[0].as_ref().unwrap();
            dependency.import_values[0].clone()
        };
        let mut served = Vec::new();
        for _ in 0..4 {
            let md = decoded_metadata(text, decode).unwrap();
            assert_eq!(md.name, "decoded-cache-test");
            let entry = import(&md);
            assert_eq!(entry.map_get("child").unwrap().as_str(), Some("a"));
            entry
                .as_typed_map()
                .unwrap()
                .update(|m| m.insert("child".into(), Value::from("changed")));
            served.push(md);
        }
        assert_eq!(decodes.get(), 2);
    }
}
