//! [`SortedMap`]: the entries of a Go map with string keys, kept in key order.
//!
//! Go prints and ranges over maps in key order (byte by byte, which is `String`'s ordering), and
//! nearly every map a chart builds or reads is small: a scope of a few names, a `dict` of three
//! arguments, a values section of a dozen keys. A `BTreeMap` pays for those with a node per map,
//! a node-walking iterator and drop, and a `memcmp` per key on every search. So the entries live
//! in one `Vec` sorted by key, each with its key's first eight bytes as a number (big-endian,
//! zero-padded: comparing two of them orders keys as their bytes do, unless they are equal). A
//! lookup scans a small map or binary-searches a larger one comparing those numbers, and reads
//! a key's text only when they are equal; iteration walks a slice; a map built from another
//! map's entries (which arrive in order) only appends.
//!
//! Inserting a key in the middle moves the entries after it, which would make a large map built
//! in random order (a values file of thousands of keys) quadratic. So a map that already holds
//! [`TREE_AFTER`] entries and is given a key out of order moves its entries into a `BTreeMap`
//! once and stays one. Building from an iterator ([`FromIterator`]) sorts instead, in
//! O(n log n), and never needs the tree.
//!
//! The API is the part of `BTreeMap<String, V>`'s that the workspace uses, with its meaning:
//! [`SortedMap::insert`] replaces the value of a present key and keeps the key,
//! [`FromIterator`] keeps the last value given for a key.

use std::cmp::Ordering;
use std::collections::{btree_map, BTreeMap};
use std::iter::FusedIterator;

/// A map that holds this many entries turns into a B-tree when a key arrives out of order (see
/// the module's documentation). Below it, moving the later entries is cheaper than the tree's
/// node walk.
pub const TREE_AFTER: usize = 64;

/// The room a map built by [`SortedMap::insert`] starts with.
const FIRST_CAPACITY: usize = 8;

/// Maps with at most this many entries are searched by a scan rather than a binary search.
const SCANNED_LEN: usize = 8;

/// The entries of a Go map with string keys, in key order (see the module's documentation).
#[derive(Clone)]
pub struct SortedMap<V> {
    repr: Repr<V>,
}

#[derive(Clone)]
enum Repr<V> {
    /// Entries sorted by key, no key twice.
    Sorted(Vec<Slot<V>>),
    /// A large map that was given keys out of order.
    Tree(BTreeMap<String, V>),
}

/// One entry of a sorted map.
#[derive(Clone)]
struct Slot<V> {
    /// [`head`] of the key.
    head: u64,
    key: String,
    value: V,
}

impl<V> Slot<V> {
    fn new(key: String, value: V) -> Slot<V> {
        Slot {
            head: head(key.as_bytes()),
            key,
            value,
        }
    }
}

/// A key's first eight bytes as a big-endian number, zero-padded. For two keys, different heads
/// order them as their bytes do; equal heads leave the order to [`after_heads`].
#[inline]
fn head(key: &[u8]) -> u64 {
    if let Some(first) = key.first_chunk::<8>() {
        return u64::from_be_bytes(*first);
    }
    // A shorter key is read as two chunks that may overlap: a byte in both lands on the same
    // bits twice. The last chunk's bytes go below the first's by the key's length.
    let shift = 64 - 8 * key.len() as u32;
    if let (Some(first), Some(last)) = (key.first_chunk::<4>(), key.last_chunk::<4>()) {
        return u64::from(u32::from_be_bytes(*first)) << 32
            | u64::from(u32::from_be_bytes(*last)) << shift;
    }
    if let (Some(first), Some(last)) = (key.first_chunk::<2>(), key.last_chunk::<2>()) {
        return u64::from(u16::from_be_bytes(*first)) << 48
            | u64::from(u16::from_be_bytes(*last)) << shift;
    }
    key.first().map_or(0, |b| u64::from(*b) << 56)
}

/// The order of two keys whose heads are equal. When either is at most eight bytes long, the
/// shorter one's bytes (and the zeros padding it) are a prefix of the other, so lengths decide.
#[inline]
fn after_heads(a: &[u8], b: &[u8]) -> Ordering {
    if a.len().min(b.len()) <= 8 {
        return a.len().cmp(&b.len());
    }
    compare(&a[8..], &b[8..])
}

/// `String`'s ordering, byte by byte, without a call to `memcmp`: the bytes after equal heads are
/// few, and the call's setup costs more than comparing them.
#[inline]
fn compare(a: &[u8], b: &[u8]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// Where `key` (whose head is `h`) is, or would go, in sorted entries.
#[inline]
fn search<V>(slots: &[Slot<V>], key: &str, h: u64) -> Result<usize, usize> {
    slots.binary_search_by(|s| match s.head.cmp(&h) {
        Ordering::Equal => after_heads(s.key.as_bytes(), key.as_bytes()),
        other => other,
    })
}

/// The entry of `key` in sorted entries: a small map is scanned (a key of at most eight bytes is
/// matched by its head and length alone), a larger one binary-searched.
#[inline]
fn find<'m, V>(slots: &'m [Slot<V>], key: &str) -> Option<&'m Slot<V>> {
    let h = head(key.as_bytes());
    if slots.len() <= SCANNED_LEN {
        let tail = key.as_bytes().get(8..).unwrap_or_default();
        return slots.iter().find(|s| {
            s.head == h
                && s.key.len() == key.len()
                && (tail.is_empty() || s.key.as_bytes().get(8..) == Some(tail))
        });
    }
    match search(slots, key, h) {
        Ok(i) => Some(&slots[i]),
        Err(_) => None,
    }
}

impl<V> Default for SortedMap<V> {
    fn default() -> Self {
        SortedMap::new()
    }
}

impl<V> SortedMap<V> {
    /// An empty map.
    pub const fn new() -> Self {
        SortedMap {
            repr: Repr::Sorted(Vec::new()),
        }
    }

    /// An empty map with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        SortedMap {
            repr: Repr::Sorted(Vec::with_capacity(capacity)),
        }
    }

    /// The number of entries.
    #[inline]
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Sorted(v) => v.len(),
            Repr::Tree(t) => t.len(),
        }
    }

    /// Whether the map has no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value under `key`.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&V> {
        match &self.repr {
            Repr::Sorted(v) => find(v, key).map(|s| &s.value),
            Repr::Tree(t) => t.get(key),
        }
    }

    /// The key and value under `key`.
    pub fn get_key_value(&self, key: &str) -> Option<(&String, &V)> {
        match &self.repr {
            Repr::Sorted(v) => find(v, key).map(|s| (&s.key, &s.value)),
            Repr::Tree(t) => t.get_key_value(key),
        }
    }

    /// The value under `key`, to change in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        match &mut self.repr {
            Repr::Sorted(v) => match search(v, key, head(key.as_bytes())) {
                Ok(i) => Some(&mut v[i].value),
                Err(_) => None,
            },
            Repr::Tree(t) => t.get_mut(key),
        }
    }

    /// Whether `key` is present.
    #[inline]
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`; returns the value it replaces (the key already there is kept).
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        let slots = match &mut self.repr {
            Repr::Sorted(v) => v,
            Repr::Tree(t) => return t.insert(key, value),
        };
        let h = head(key.as_bytes());
        // Keys that arrive in order (copies of other maps, sorted sources) are appended.
        let at = match slots.last_mut() {
            None => {
                // Most maps are built one key at a time and hold a few keys: room for 8 at once
                // saves growing through 4 (what `Vec` starts with for entries of this size).
                slots.reserve_exact(FIRST_CAPACITY);
                0
            }
            Some(last) => match last
                .head
                .cmp(&h)
                .then_with(|| after_heads(last.key.as_bytes(), key.as_bytes()))
            {
                Ordering::Less => slots.len(),
                Ordering::Equal => return Some(std::mem::replace(&mut last.value, value)),
                Ordering::Greater => match search(slots, &key, h) {
                    Ok(i) => return Some(std::mem::replace(&mut slots[i].value, value)),
                    Err(_) if slots.len() >= TREE_AFTER => {
                        let mut tree: BTreeMap<String, V> = std::mem::take(slots)
                            .into_iter()
                            .map(|s| (s.key, s.value))
                            .collect();
                        tree.insert(key, value);
                        self.repr = Repr::Tree(tree);
                        return None;
                    }
                    Err(i) => i,
                },
            },
        };
        slots.insert(
            at,
            Slot {
                head: h,
                key,
                value,
            },
        );
        None
    }

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        self.remove_entry(key).map(|(_, v)| v)
    }

    /// Removes `key`; returns the key and value that were there.
    pub fn remove_entry(&mut self, key: &str) -> Option<(String, V)> {
        match &mut self.repr {
            Repr::Sorted(v) => match search(v, key, head(key.as_bytes())) {
                Ok(i) => {
                    let s = v.remove(i);
                    Some((s.key, s.value))
                }
                Err(_) => None,
            },
            Repr::Tree(t) => t.remove_entry(key),
        }
    }

    /// Keeps only the entries for which `keep` returns true, visiting them in key order.
    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut V) -> bool) {
        match &mut self.repr {
            Repr::Sorted(v) => v.retain_mut(|s| keep(&s.key, &mut s.value)),
            Repr::Tree(t) => t.retain(|k, v| keep(k, v)),
        }
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.repr = Repr::Sorted(Vec::new());
    }

    /// The entry with the smallest key.
    pub fn first_key_value(&self) -> Option<(&String, &V)> {
        self.iter().next()
    }

    /// The entry with the largest key.
    pub fn last_key_value(&self) -> Option<(&String, &V)> {
        self.iter().next_back()
    }

    /// The entries in key order.
    #[inline]
    pub fn iter(&self) -> Iter<'_, V> {
        Iter(match &self.repr {
            Repr::Sorted(v) => IterRepr::Sorted(v.iter()),
            Repr::Tree(t) => IterRepr::Tree(t.iter()),
        })
    }

    /// The entries in key order, values changeable.
    pub fn iter_mut(&mut self) -> IterMut<'_, V> {
        IterMut(match &mut self.repr {
            Repr::Sorted(v) => IterMutRepr::Sorted(v.iter_mut()),
            Repr::Tree(t) => IterMutRepr::Tree(t.iter_mut()),
        })
    }

    /// The keys in order.
    pub fn keys(&self) -> Keys<'_, V> {
        Keys(self.iter())
    }

    /// The values in key order.
    pub fn values(&self) -> Values<'_, V> {
        Values(self.iter())
    }

    /// The values in key order, changeable.
    pub fn values_mut(&mut self) -> ValuesMut<'_, V> {
        ValuesMut(self.iter_mut())
    }
}

impl<V: std::fmt::Debug> std::fmt::Debug for SortedMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<V: PartialEq> PartialEq for SortedMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<V: Eq> Eq for SortedMap<V> {}

impl<V> FromIterator<(String, V)> for SortedMap<V> {
    /// A map of these entries; a key given more than once keeps its last value, as inserting
    /// them one by one would. Entries already in order are taken as they are; others are sorted
    /// (stable, so the last of equal keys is known).
    fn from_iter<I: IntoIterator<Item = (String, V)>>(items: I) -> Self {
        let mut slots: Vec<Slot<V>> = items.into_iter().map(|(k, v)| Slot::new(k, v)).collect();
        let order = |a: &Slot<V>, b: &Slot<V>| {
            a.head
                .cmp(&b.head)
                .then_with(|| after_heads(a.key.as_bytes(), b.key.as_bytes()))
        };
        if !slots
            .windows(2)
            .all(|w| order(&w[0], &w[1]) == Ordering::Less)
        {
            slots.sort_by(order);
            // `dedup_by` drops the later of two equal keys: move its value into the kept entry
            // first, so the last value given wins.
            slots.dedup_by(|later, kept| {
                if later.key == kept.key {
                    std::mem::swap(&mut later.value, &mut kept.value);
                    true
                } else {
                    false
                }
            });
        }
        SortedMap {
            repr: Repr::Sorted(slots),
        }
    }
}

impl<V> Extend<(String, V)> for SortedMap<V> {
    fn extend<I: IntoIterator<Item = (String, V)>>(&mut self, items: I) {
        if self.is_empty() {
            *self = items.into_iter().collect();
            return;
        }
        for (k, v) in items {
            self.insert(k, v);
        }
    }
}

impl<'a, V: Clone> Extend<(&'a String, &'a V)> for SortedMap<V> {
    fn extend<I: IntoIterator<Item = (&'a String, &'a V)>>(&mut self, items: I) {
        self.extend(items.into_iter().map(|(k, v)| (k.clone(), v.clone())));
    }
}

impl<V, const N: usize> From<[(String, V); N]> for SortedMap<V> {
    fn from(items: [(String, V); N]) -> Self {
        items.into_iter().collect()
    }
}

impl<V> std::ops::Index<&str> for SortedMap<V> {
    type Output = V;

    /// The value under `key`; panics when it is missing, as `BTreeMap`'s indexing does.
    fn index(&self, key: &str) -> &V {
        self.get(key).expect("no entry found for key")
    }
}

/// The entries of a [`SortedMap`] in key order.
pub struct Iter<'a, V>(IterRepr<'a, V>);

enum IterRepr<'a, V> {
    Sorted(std::slice::Iter<'a, Slot<V>>),
    Tree(btree_map::Iter<'a, String, V>),
}

impl<V> Clone for Iter<'_, V> {
    fn clone(&self) -> Self {
        Iter(match &self.0 {
            IterRepr::Sorted(i) => IterRepr::Sorted(i.clone()),
            IterRepr::Tree(i) => IterRepr::Tree(i.clone()),
        })
    }
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a String, &'a V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::Sorted(i) => i.next().map(|s| (&s.key, &s.value)),
            IterRepr::Tree(i) => i.next(),
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::Sorted(i) => i.size_hint(),
            IterRepr::Tree(i) => i.size_hint(),
        }
    }
}

impl<V> DoubleEndedIterator for Iter<'_, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterRepr::Sorted(i) => i.next_back().map(|s| (&s.key, &s.value)),
            IterRepr::Tree(i) => i.next_back(),
        }
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}
impl<V> FusedIterator for Iter<'_, V> {}

/// The entries of a [`SortedMap`] in key order, values changeable.
pub struct IterMut<'a, V>(IterMutRepr<'a, V>);

enum IterMutRepr<'a, V> {
    Sorted(std::slice::IterMut<'a, Slot<V>>),
    Tree(btree_map::IterMut<'a, String, V>),
}

impl<'a, V> Iterator for IterMut<'a, V> {
    type Item = (&'a String, &'a mut V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterMutRepr::Sorted(i) => i.next().map(|s| (&s.key, &mut s.value)),
            IterMutRepr::Tree(i) => i.next(),
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterMutRepr::Sorted(i) => i.size_hint(),
            IterMutRepr::Tree(i) => i.size_hint(),
        }
    }
}

impl<V> DoubleEndedIterator for IterMut<'_, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IterMutRepr::Sorted(i) => i.next_back().map(|s| (&s.key, &mut s.value)),
            IterMutRepr::Tree(i) => i.next_back(),
        }
    }
}

impl<V> ExactSizeIterator for IterMut<'_, V> {}
impl<V> FusedIterator for IterMut<'_, V> {}

/// The entries of a [`SortedMap`] in key order, taken from it.
pub struct IntoIter<V>(IntoIterRepr<V>);

enum IntoIterRepr<V> {
    Sorted(std::vec::IntoIter<Slot<V>>),
    Tree(btree_map::IntoIter<String, V>),
}

impl<V> Iterator for IntoIter<V> {
    type Item = (String, V);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IntoIterRepr::Sorted(i) => i.next().map(|s| (s.key, s.value)),
            IntoIterRepr::Tree(i) => i.next(),
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IntoIterRepr::Sorted(i) => i.size_hint(),
            IntoIterRepr::Tree(i) => i.size_hint(),
        }
    }
}

impl<V> DoubleEndedIterator for IntoIter<V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            IntoIterRepr::Sorted(i) => i.next_back().map(|s| (s.key, s.value)),
            IntoIterRepr::Tree(i) => i.next_back(),
        }
    }
}

impl<V> ExactSizeIterator for IntoIter<V> {}
impl<V> FusedIterator for IntoIter<V> {}

/// The keys of a [`SortedMap`] in order.
#[derive(Clone)]
pub struct Keys<'a, V>(Iter<'a, V>);

impl<'a, V> Iterator for Keys<'a, V> {
    type Item = &'a String;

    #[inline]
    fn next(&mut self) -> Option<&'a String> {
        self.0.next().map(|(k, _)| k)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<V> DoubleEndedIterator for Keys<'_, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, _)| k)
    }
}

impl<V> ExactSizeIterator for Keys<'_, V> {}
impl<V> FusedIterator for Keys<'_, V> {}

/// The values of a [`SortedMap`] in key order.
#[derive(Clone)]
pub struct Values<'a, V>(Iter<'a, V>);

impl<'a, V> Iterator for Values<'a, V> {
    type Item = &'a V;

    #[inline]
    fn next(&mut self) -> Option<&'a V> {
        self.0.next().map(|(_, v)| v)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<V> DoubleEndedIterator for Values<'_, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(_, v)| v)
    }
}

impl<V> ExactSizeIterator for Values<'_, V> {}
impl<V> FusedIterator for Values<'_, V> {}

/// The values of a [`SortedMap`] in key order, changeable.
pub struct ValuesMut<'a, V>(IterMut<'a, V>);

impl<'a, V> Iterator for ValuesMut<'a, V> {
    type Item = &'a mut V;

    #[inline]
    fn next(&mut self) -> Option<&'a mut V> {
        self.0.next().map(|(_, v)| v)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<V> DoubleEndedIterator for ValuesMut<'_, V> {
    #[inline]
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(_, v)| v)
    }
}

impl<V> ExactSizeIterator for ValuesMut<'_, V> {}
impl<V> FusedIterator for ValuesMut<'_, V> {}

impl<V> IntoIterator for SortedMap<V> {
    type Item = (String, V);
    type IntoIter = IntoIter<V>;

    fn into_iter(self) -> IntoIter<V> {
        IntoIter(match self.repr {
            Repr::Sorted(v) => IntoIterRepr::Sorted(v.into_iter()),
            Repr::Tree(t) => IntoIterRepr::Tree(t.into_iter()),
        })
    }
}

impl<'a, V> IntoIterator for &'a SortedMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = Iter<'a, V>;

    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

impl<'a, V> IntoIterator for &'a mut SortedMap<V> {
    type Item = (&'a String, &'a mut V);
    type IntoIter = IterMut<'a, V>;

    fn into_iter(self) -> IterMut<'a, V> {
        self.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::{SortedMap, SCANNED_LEN, TREE_AFTER};
    use std::collections::BTreeMap;

    /// A small deterministic generator (xorshift), so the differential tests repeat exactly.
    struct Draws(u64);

    impl Draws {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A key from a small alphabet, so keys share prefixes, collide and differ in length.
        fn key(&mut self, room: u64) -> String {
            let n = self.next() % room;
            match n % 4 {
                0 => format!("k{n}"),
                1 => format!("key-{n}-é"),
                2 => "x".repeat((n % 7) as usize),
                _ => format!("{n:x}"),
            }
        }
    }

    fn same<V: PartialEq + std::fmt::Debug>(ours: &SortedMap<V>, want: &BTreeMap<String, V>) {
        assert_eq!(ours.len(), want.len());
        let a: Vec<_> = ours.iter().collect();
        let b: Vec<_> = want.iter().collect();
        assert_eq!(a, b);
        let a: Vec<_> = ours.iter().rev().collect();
        let b: Vec<_> = want.iter().rev().collect();
        assert_eq!(a, b);
        assert_eq!(ours.first_key_value(), want.first_key_value());
        assert_eq!(ours.last_key_value(), want.last_key_value());
    }

    #[test]
    fn operations_match_a_btree_map() {
        for (seed, room, steps) in [
            (1, 8, 400),
            (2, 40, 2_000),
            (3, 400, 6_000),
            (4, 5_000, 20_000),
        ] {
            let mut draws = Draws(0x9e37_79b9_7f4a_7c15 ^ seed);
            let mut ours = SortedMap::new();
            let mut want = BTreeMap::new();
            for step in 0..steps {
                let key = draws.key(room);
                match draws.next() % 10 {
                    0..=5 => assert_eq!(ours.insert(key.clone(), step), want.insert(key, step)),
                    6 => assert_eq!(ours.remove(&key), want.remove(&key)),
                    7 => assert_eq!(ours.remove_entry(&key), want.remove_entry(&key)),
                    8 => {
                        if let (Some(a), Some(b)) = (ours.get_mut(&key), want.get_mut(&key)) {
                            *a += 1;
                            *b += 1;
                        }
                        assert_eq!(ours.contains_key(&key), want.contains_key(&key));
                    }
                    _ => {
                        assert_eq!(ours.get(&key), want.get(&key));
                        assert_eq!(ours.get_key_value(&key), want.get_key_value(&key));
                    }
                }
            }
            same(&ours, &want);
        }
    }

    #[test]
    fn lookups_at_the_scan_and_search_boundary() {
        for len in [0, 1, 2, SCANNED_LEN - 1, SCANNED_LEN, SCANNED_LEN + 1, 40] {
            // Keys of one length and first byte, and keys differing only in length.
            let keys: Vec<String> = (0..len)
                .map(|i| match i % 3 {
                    0 => format!("a{i:03}"),
                    1 => "b".repeat(i + 1),
                    _ => String::new() + &format!("{i}"),
                })
                .collect();
            let ours: SortedMap<usize> = keys.iter().cloned().zip(0..).collect();
            let want: BTreeMap<String, usize> = keys.iter().cloned().zip(0..).collect();
            same(&ours, &want);
            for k in keys
                .iter()
                .map(String::as_str)
                .chain(["", "a", "a0000", "bb0", "zz"])
            {
                assert_eq!(ours.get(k), want.get(k), "{k:?} in a map of {len}");
            }
        }
    }

    #[test]
    fn collecting_keeps_the_last_value_of_a_key() {
        let items = [("b", 1), ("a", 2), ("b", 3), ("c", 4), ("a", 5), ("b", 6)];
        let ours: SortedMap<i32> = items.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let want: BTreeMap<String, i32> = items.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        same(&ours, &want);
        assert_eq!(ours.get("a"), Some(&5));
        assert_eq!(ours.get("b"), Some(&6));
        // In order already, with a repeat at the end.
        let sorted: SortedMap<i32> = [("a", 1), ("b", 2), ("b", 3)]
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        assert_eq!(
            sorted.iter().collect::<Vec<_>>(),
            [(&"a".into(), &1), (&"b".into(), &3)]
        );
    }

    #[test]
    fn heads_are_the_first_eight_bytes_zero_padded() {
        let text = b"\x01\x02\x03\x04\x05\x06\x07\x08\x09";
        for n in 0..=text.len() {
            let mut padded = [0u8; 8];
            for (to, from) in padded.iter_mut().zip(&text[..n]) {
                *to = *from;
            }
            assert_eq!(
                super::head(&text[..n]),
                u64::from_be_bytes(padded),
                "{n} bytes"
            );
        }
    }

    #[test]
    fn keys_order_byte_by_byte() {
        // Keys whose first eight bytes (zero-padded) are equal, and keys holding zero bytes.
        let keys = [
            "é",
            "z",
            "Z",
            "",
            "a b",
            "a",
            "ab",
            "~",
            "\u{7f}",
            "ab\0",
            "ab\0\0\0\0\0\0",
            "ab\0\0\0\0\0\0\0",
            "ab\0\0\0\0\0\0x",
            "abcdefgh",
            "abcdefghi",
            "abcdefgh\0",
            "abcdefgha",
            "abcdefg",
            "\0",
            "\0\0",
            "abcdefghij",
            "abcdefghia",
        ];
        let mut want: Vec<&str> = keys.to_vec();
        want.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let collected: SortedMap<usize> = keys.iter().map(|k| k.to_string()).zip(0..).collect();
        let mut inserted = SortedMap::new();
        for (i, k) in keys.iter().enumerate() {
            inserted.insert(k.to_string(), i);
        }
        for map in [&collected, &inserted] {
            assert_eq!(map.keys().map(String::as_str).collect::<Vec<_>>(), want);
            for (i, k) in keys.iter().enumerate() {
                assert_eq!(map.get(k), Some(&i), "{k:?}");
            }
            for absent in ["ab\0\0", "abcdefgh\0\0", "abcdefghh", "b", "\0\0\0"] {
                assert_eq!(map.get(absent), None, "{absent:?}");
            }
        }
        // The same lookups in maps small enough to be scanned.
        for few in keys.chunks(3) {
            let map: SortedMap<()> = few.iter().map(|k| (k.to_string(), ())).collect();
            for k in keys {
                assert_eq!(map.contains_key(k), few.contains(&k), "{k:?} in {few:?}");
            }
        }
    }

    #[test]
    fn large_maps_in_any_order() {
        let n = 50_000u64;
        // A permutation of 0..n (n is not a multiple of the step's factors).
        let keys: Vec<String> = (0..n).map(|i| format!("key{}", (i * 7_919) % n)).collect();
        let mut inserted = SortedMap::new();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(inserted.insert(k.clone(), i), None);
        }
        let mut collected: SortedMap<usize> = keys.iter().cloned().zip(0..).collect();
        let mut want: BTreeMap<String, usize> = keys.iter().cloned().zip(0..).collect();
        same(&inserted, &want);
        same(&collected, &want);
        // Both kinds of storage answer the same after removals and in-place changes.
        for k in keys.iter().step_by(3) {
            let removed = want.remove(k);
            assert_eq!(inserted.remove(k), removed);
            assert_eq!(collected.remove(k), removed);
        }
        for v in inserted.values_mut().chain(collected.values_mut()) {
            *v += 1;
        }
        for v in want.values_mut() {
            *v += 1;
        }
        same(&inserted, &want);
        same(&collected, &want);
        inserted.retain(|k, v| k.ends_with('7') || *v % 2 == 0);
        want.retain(|k, v| k.ends_with('7') || *v % 2 == 0);
        same(&inserted, &want);
    }

    #[test]
    fn a_large_map_given_keys_out_of_order_becomes_a_tree_once() {
        let mut map = SortedMap::new();
        for i in 0..TREE_AFTER {
            map.insert(format!("{i:05}"), i);
        }
        assert!(matches!(map.repr, super::Repr::Sorted(_)));
        map.insert("0000".into(), 0);
        assert!(matches!(map.repr, super::Repr::Tree(_)));
        assert_eq!(map.len(), TREE_AFTER + 1);
        assert_eq!(map.first_key_value(), Some((&"0000".to_string(), &0)));
        // A replaced value, out of order, does not change the storage of a sorted map.
        let mut map: SortedMap<usize> = (0..TREE_AFTER * 2)
            .map(|i| (format!("{i:05}"), i))
            .collect();
        assert_eq!(map.insert("00003".into(), 9), Some(3));
        assert!(matches!(map.repr, super::Repr::Sorted(_)));
    }

    #[test]
    fn extending_and_iterating() {
        let mut map: SortedMap<i32> = SortedMap::new();
        map.extend([("m".to_string(), 1), ("c".to_string(), 2)]);
        map.extend([("a".to_string(), 3), ("m".to_string(), 4)]);
        let other: SortedMap<i32> = [("z".to_string(), 5)].into();
        map.extend(&other);
        let want = [("a", 3), ("c", 2), ("m", 4), ("z", 5)];
        let got: Vec<(String, i32)> = map.clone().into_iter().collect();
        assert_eq!(
            got,
            want.iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect::<Vec<_>>()
        );
        assert_eq!(map.values().copied().collect::<Vec<_>>(), [3, 2, 4, 5]);
        assert_eq!(map["m"], 4);
        for (k, v) in &mut map {
            if k == "c" {
                *v = 7;
            }
        }
        assert_eq!(map.get("c"), Some(&7));
        assert_eq!(format!("{map:?}"), r#"{"a": 3, "c": 7, "m": 4, "z": 5}"#);
        assert_eq!(map.iter().len(), 4);
        map.clear();
        assert!(map.is_empty());
        assert_eq!(map, SortedMap::default());
    }
}
