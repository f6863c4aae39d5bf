//! Parsed template sources kept for the life of the process.
//!
//! A parse depends only on the template's name, its source text, the action delimiters and which
//! function names exist; the trees it gives are immutable. So a source parsed once is not parsed
//! again when the same chart is loaded again (an operator or a GitOps controller rendering the
//! same chart on every reconcile) or when `tpl` runs the same text again (charts call it per
//! value, often with the same text). Only successful parses are kept; errors are built afresh.
//!
//! The cache holds at most [`parse_cache_limit`] bytes of source text (trees take several times
//! that); when a new entry would pass it, every entry is dropped and filling starts again, which
//! keeps memory bounded without bookkeeping on the hot path.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Weak};

use helmet_value::FuncMap;

use crate::ast::Tree;

/// Default bound of the source text the parse cache keeps: every template of the largest charts
/// we know (a few MiB of dashboards included) fits several times over.
pub const DEFAULT_PARSE_CACHE_LIMIT: usize = 16 << 20;

static LIMIT: AtomicUsize = AtomicUsize::new(DEFAULT_PARSE_CACHE_LIMIT);

/// How many bytes of template source the process-wide parse cache may hold (16 MiB unless
/// changed with [`set_parse_cache_limit`]).
pub fn parse_cache_limit() -> usize {
    LIMIT.load(Ordering::Relaxed)
}

/// Bounds the process-wide parse cache to `bytes` of template source and drops what it holds;
/// `0` turns it off (every source is parsed every time, as Helm does).
pub fn set_parse_cache_limit(bytes: usize) {
    LIMIT.store(bytes, Ordering::Relaxed);
    clear_parse_cache();
}

/// Drops what the parse cache holds; keeping goes on within its limit.
pub fn clear_parse_cache() {
    let mut cache = lock();
    cache.entries.clear();
    cache.bytes = 0;
}

/// The trees one source parsed into, top-level first then its `define`/`block` bodies.
pub(crate) type ParsedTrees = Arc<[Arc<Tree>]>;

/// Everything a parse depends on, as borrowed by a lookup.
pub(crate) struct ParseKey<'a> {
    pub name: &'a str,
    pub source: &'a str,
    /// The source holds stand-ins for bytes that are not UTF-8 (see [`crate::raw_bytes`]).
    pub raw_bytes: bool,
    pub left: &'a str,
    pub right: &'a str,
    /// The function map the parse checked names against, by identity.
    pub funcs: &'a Arc<FuncMap>,
}

struct Entry {
    name: Box<str>,
    left: Box<str>,
    right: Box<str>,
    /// Keeps the map's allocation (not its functions) alive, so no other map can take its
    /// address while this entry compares against it.
    funcs: Weak<FuncMap>,
    trees: ParsedTrees,
}

impl Entry {
    fn matches(&self, key: &ParseKey<'_>) -> bool {
        // Every tree holds the whole source it came from.
        let source = self.trees.first().map(|t| &*t.text);
        source == Some(key.source)
            && self.trees.first().map(|t| t.raw_bytes) == Some(key.raw_bytes)
            && *self.name == *key.name
            && *self.left == *key.left
            && *self.right == *key.right
            && std::ptr::eq(self.funcs.as_ptr(), Arc::as_ptr(key.funcs))
    }
}

#[derive(Default)]
struct Cache {
    /// Entries by [`fingerprint`] of their key; collisions share a bucket.
    entries: HashMap<u64, Vec<Entry>>,
    /// Source bytes held.
    bytes: usize,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Mutex::default);

fn lock() -> MutexGuard<'static, Cache> {
    // A panic while holding the lock leaves a consistent map (each change is one call).
    CACHE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The trees `key` parsed into: an earlier parse's, when the cache still holds them, or what
/// `parse` gives (kept when it succeeds). The key is hashed once for both.
pub(crate) fn parsed<E>(
    key: &ParseKey<'_>,
    parse: impl FnOnce() -> Result<ParsedTrees, E>,
) -> Result<ParsedTrees, E> {
    if parse_cache_limit() == 0 {
        return parse();
    }
    let hash = fingerprint(key);
    if let Some(trees) = get(key, hash) {
        return Ok(trees);
    }
    let trees = parse()?;
    put(key, hash, &trees);
    Ok(trees)
}

fn get(key: &ParseKey<'_>, hash: u64) -> Option<ParsedTrees> {
    let cache = lock();
    let bucket = cache.entries.get(&hash)?;
    bucket
        .iter()
        .find(|e| e.matches(key))
        .map(|e| e.trees.clone())
}

fn put(key: &ParseKey<'_>, hash: u64, trees: &ParsedTrees) {
    let limit = parse_cache_limit();
    let size = key.source.len() + key.name.len();
    if size > limit || trees.is_empty() {
        return;
    }
    let mut cache = lock();
    if cache.bytes + size > limit {
        cache.entries.clear();
        cache.bytes = 0;
    }
    let bucket = cache.entries.entry(hash).or_default();
    if bucket.iter().any(|e| e.matches(key)) {
        // Another thread parsed the same source meanwhile.
        return;
    }
    // Entries of a function map that is gone can never match again.
    bucket.retain(|e| e.funcs.strong_count() > 0);
    bucket.push(Entry {
        name: key.name.into(),
        left: key.left.into(),
        right: key.right.into(),
        funcs: Arc::downgrade(key.funcs),
        trees: trees.clone(),
    });
    cache.bytes += size;
}

/// Sources up to this many bytes are hashed whole; longer ones by [`SAMPLES`] windows.
const WHOLE_SOURCE: usize = 256;
/// How many 8-byte windows of a longer source its fingerprint takes, spread evenly from its
/// first to its last byte.
const SAMPLES: usize = 32;

/// A fast 64-bit hash of a key's texts (eight bytes per step). It only picks the bucket: a hit
/// compares the whole key, so collisions cost a comparison, never a wrong tree. A long source
/// (a chart's template files, hundreds of KB per load of a large chart, hit on every warm load)
/// is hashed by its length and evenly spread windows rather than every byte: a hit compares it
/// whole anyway, and two sources of one name and length that differ only between the windows
/// (an edit in place) just share a bucket.
fn fingerprint(key: &ParseKey<'_>) -> u64 {
    let mut h = Fingerprint(Arc::as_ptr(key.funcs) as usize as u64);
    for part in [key.name, key.left, key.right] {
        h.add_all(part.as_bytes());
    }
    let source = key.source.as_bytes();
    if source.len() <= WHOLE_SOURCE {
        h.add_all(source);
    } else {
        // Window i starts at i * (len - 8) / (SAMPLES - 1): the first at 0, the last ending
        // at the last byte.
        let span = source.len() - 8;
        for i in 0..SAMPLES {
            let at = i * span / (SAMPLES - 1);
            let mut word = [0u8; 8];
            if let Some(window) = source.get(at..at + 8) {
                word.copy_from_slice(window);
            }
            h.add(u64::from_le_bytes(word));
        }
        h.add(source.len() as u64);
    }
    h.0
}

/// The running state of [`fingerprint`].
struct Fingerprint(u64);

impl Fingerprint {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    /// Every byte of `bytes`, then its length.
    fn add_all(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.add(u64::from_le_bytes(w.try_into().expect("eight bytes")));
        }
        let mut tail = [0u8; 8];
        tail[..words.remainder().len()].copy_from_slice(words.remainder());
        self.add(u64::from_le_bytes(tail));
        self.add(bytes.len() as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_tells_parts_apart() {
        let funcs = Arc::new(FuncMap::new());
        let key = |name, source| ParseKey {
            name,
            source,
            raw_bytes: false,
            left: "{{",
            right: "}}",
            funcs: &funcs,
        };
        assert_ne!(fingerprint(&key("ab", "c")), fingerprint(&key("a", "bc")));
        assert_ne!(
            fingerprint(&key("t", "12345678")),
            fingerprint(&key("t", "12345679"))
        );
        assert_eq!(fingerprint(&key("t", "x")), fingerprint(&key("t", "x")));
        let long = "{{ .Values.x }}\n".repeat(100);
        let mut changed_end = long.clone();
        changed_end.pop();
        changed_end.push('!');
        assert_ne!(
            fingerprint(&key("t", &long)),
            fingerprint(&key("t", &changed_end))
        );
    }

    /// Long sources whose fingerprints agree (same name and length, a change between the
    /// sampled windows) are told apart by the full comparison of a hit.
    #[test]
    fn sampled_sources_that_collide_stay_apart() {
        let funcs = Arc::new(FuncMap::new());
        let key = |source| ParseKey {
            name: "sampled-collision-test",
            source,
            raw_bytes: false,
            left: "{{",
            right: "}}",
            funcs: &funcs,
        };
        let base = "a".repeat(4000);
        let mut other = base.clone();
        // Byte 20 is in no window (the first covers 0..8, the second starts at 128).
        other.replace_range(20..21, "b");
        assert_eq!(fingerprint(&key(&base)), fingerprint(&key(&other)));
        let tree = |text: &str| -> ParsedTrees {
            let parsed = crate::parser::parse("t", text, "{{", "}}", &|_| None).expect("parses");
            parsed.trees.into_iter().map(Arc::new).collect()
        };
        let first = parsed(&key(&base), || Ok::<_, ()>(tree(&base))).unwrap();
        let second = parsed(&key(&other), || Ok::<_, ()>(tree(&other))).unwrap();
        assert_eq!(&*first[0].text, base.as_str());
        assert_eq!(&*second[0].text, other.as_str());
        let again = parsed(&key(&other), || Err(())).unwrap();
        assert!(Arc::ptr_eq(&again, &second));
    }
}
