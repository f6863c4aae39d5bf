//! Maps keyed by template names, hashed without SipHash.
//!
//! Every `include` and `{{template}}` looks its template up by name, and every parse records
//! the names it defines: with the standard hasher that was about 1.5 % of a warm render of
//! `charts/todo-app`. The hash below (a multiply-and-rotate over 8 bytes at a time, the scheme
//! of rustc's FxHash) is far cheaper. It does not resist names crafted to collide, which buys
//! nothing here: a template can make its own render slow by simpler means (a long `until`).

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Arc;

use crate::ast::Tree;

/// A map keyed by template name.
pub(crate) type NameMap<V> = HashMap<String, V, BuildHasherDefault<NameHasher>>;

/// A set of parsed templates found by name. Each entry is keyed by its tree's own name, so
/// adding the (cached, shared) trees of a chart to a new set copies no name.
pub(crate) type TreeSet = HashSet<ByName, BuildHasherDefault<NameHasher>>;

/// A tree as an entry of a [`TreeSet`]: hashed and compared by its name.
#[derive(Clone)]
pub(crate) struct ByName(pub Arc<Tree>);

impl Hash for ByName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `str` hashes, so that lookups by `&str` find it.
        self.0.name.as_str().hash(state);
    }
}

impl PartialEq for ByName {
    fn eq(&self, other: &ByName) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for ByName {}

impl Borrow<str> for ByName {
    fn borrow(&self) -> &str {
        &self.0.name
    }
}

/// The hasher of [`NameMap`].
#[derive(Clone, Copy, Default)]
pub(crate) struct NameHasher(u64);

impl NameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        // The length first: the last chunk is padded with zeros, which would otherwise make
        // `a` and `a\0` hash alike.
        self.add(bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        // The table takes its bucket from the low bits and a tag from the top ones: the
        // rotation brings the well-mixed high bits of the product down to both.
        self.0.rotate_left(26)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_find_their_entries() {
        let mut map: NameMap<usize> = NameMap::default();
        let names: Vec<String> = (0..2000)
            .map(|i| format!("chart.helper-{i}.{}", "x".repeat(i % 17)))
            .collect();
        for (i, name) in names.iter().enumerate() {
            map.insert(name.clone(), i);
        }
        for (i, name) in names.iter().enumerate() {
            assert_eq!(map.get(name.as_str()), Some(&i));
        }
        assert_eq!(map.get("chart.helper-"), None);
        // Names that differ only past a chunk of 8 bytes, or by a trailing zero byte, differ.
        let hash = |s: &str| {
            let mut h = NameHasher::default();
            std::hash::Hash::hash(s, &mut h);
            h.finish()
        };
        assert_ne!(hash("abcdefgh1"), hash("abcdefgh2"));
        assert_ne!(hash("a"), hash("a\0"));
    }
}
