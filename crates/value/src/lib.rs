//! The dynamic value model shared by helmet's template engine, function library and chart core.
//!
//! Helm's behaviour depends on Go's types in many places (`typeOf`, `%T`, `eq` rules, which
//! Sprig functions accept a value), so a [`Value`] keeps the Go type it would have inside Helm:
//! a number read from YAML is a `float64`, `len` returns an `int`, `add` returns an `int64`,
//! `splitList` returns a `[]string`. Containers are reference-counted so that passing values
//! through pipelines never copies a tree.
#![deny(missing_docs)]

pub mod calendar;
pub mod duration;
pub mod fmt;
mod func;
pub mod gostring;
pub mod map;
mod object;
pub mod oserror;
pub mod strconv;
mod watch;

use std::sync::{Arc, RwLock};

pub use watch::watch_older_map_writes;

pub use func::{ArgType, CallContext, Func, FuncError, FuncParts, FuncResult, NativeFn};
pub use object::{GoShape, Object};

/// The map type of Go maps with string keys. Go sorts keys when printing and ranging, byte by
/// byte, which is exactly `String`'s ordering; [`map::SortedMap`] keeps its entries in that order.
pub type Map = map::SortedMap<Value>;

/// How deep [`Value::contains_itself`] walks nested maps and slices on the call stack.
const SHALLOW_WALK: usize = 32;

/// How deep [`Value::deep_copy`] copies: a value below more maps (and slices holding maps) than
/// this is refused.
const DEEP_COPY_LIMIT: usize = 10_000;

/// A Go value as Helm's templates see it.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// Go's untyped `nil` (a nil interface), also what a missing map key yields.
    #[default]
    Nil,
    /// `bool`
    Bool(bool),
    /// `int` (64 bits wide, as on every platform Helm ships for).
    Int(i64),
    /// `int64`
    Int64(i64),
    /// `uint64` (go-yaml reads integers above `i64::MAX` as this).
    Uint64(u64),
    /// `uint8` (a byte: what `index` of a string yields).
    Uint8(u8),
    /// `float64`: every number read from YAML or JSON values.
    Float64(f64),
    /// `complex128` (imaginary constants in templates: `1i`, `2+3i`), real and imaginary parts.
    Complex128(f64, f64),
    /// `string`
    String(Arc<str>),
    /// A Go `string` whose bytes are not valid UTF-8 (from `\xff` escapes, binary files,
    /// `b64dec`, a cut inside a character). Only such bytes are held here: every valid string is
    /// a [`Value::String`], so code that handles only text sees every string it can handle.
    /// Build one with [`Value::from_go_bytes`].
    ByteString(Arc<[u8]>),
    /// `[]byte`
    Bytes(Arc<[u8]>),
    /// A Go slice; the element type decides `typeOf` and which functions accept it.
    List(Arc<List>),
    /// A Go map with string keys.
    Map(Arc<TypedMap>),
    /// A Go struct or pointer with fields and methods (`.Release`, `.Files`, `time.Time`, ...).
    Object(Arc<dyn Object>),
}

/// The element type of a Go slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElemType {
    /// `[]interface {}`
    Interface,
    /// `[]string`
    String,
    /// `[]int`
    Int,
    /// `[]int64`
    Int64,
    /// `[]float64`
    Float64,
    /// `[]bool`
    Bool,
    /// `[]map[string]interface {}` (a TOML array of tables)
    MapAny,
    /// `[][]interface {}` (what `chunk` returns)
    ListAny,
}

impl ElemType {
    /// Go's name for the element type, as `%T` prints it.
    pub fn go_name(self) -> &'static str {
        match self {
            ElemType::Interface => "interface {}",
            ElemType::String => "string",
            ElemType::Int => "int",
            ElemType::Int64 => "int64",
            ElemType::Float64 => "float64",
            ElemType::Bool => "bool",
            ElemType::MapAny => "map[string]interface {}",
            ElemType::ListAny => "[]interface {}",
        }
    }
}

/// A Go slice: its element type and its items.
#[derive(Clone, Debug)]
pub struct List {
    /// The element type (`[]interface {}` for lists built from YAML or `list`).
    pub elem: ElemType,
    /// The items, in order.
    pub items: Vec<Value>,
    /// Go's nil slice (Sprig's `concat` of nothing, `regexFindAll` without a match): it has
    /// no items and its type, but JSON and sigs.k8s.io/yaml write it as `null`, not `[]`.
    pub nil: bool,
}

impl List {
    /// Whether this is a nil Go slice.
    pub fn is_nil(&self) -> bool {
        self.nil && self.items.is_empty()
    }
}

/// A named Go map type whose underlying type is `map[string]interface {}` (Helm's
/// `common.Values`): its name and its methods, which templates call as fields
/// (`.Values.YAML`), before any key of the same name.
pub struct MapType {
    /// Go's name for the type, as `%T` prints it.
    pub name: &'static str,
    /// The method `name` bound to `receiver` (a map of this type), or `None` when the type has
    /// no such method.
    pub method: fn(receiver: &Value, name: &str) -> Option<Func>,
}

impl std::fmt::Debug for MapType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// A Go map with string keys: `map[string]interface {}` or `map[string]string`.
///
/// Go maps are references: `set`, `unset`, `merge` and `mergeOverwrite` change the map that every
/// variable, every enclosing map and every later template sees (`$_ := set $ctx "k" v` is how
/// charts build arguments for `include`). So the entries sit behind a lock, shared by every
/// [`Value`] that holds this map.
///
/// Readers take a snapshot ([`TypedMap::entries`]): the lock is held only to clone an `Arc`, so no
/// lock is ever held while templates run, and a writer during a `range` over the same map cannot
/// deadlock (the range goes on over its snapshot; the writer copies the entries first).
pub struct TypedMap {
    /// The value type (`Interface` for maps from YAML and `dict`).
    pub elem: ElemType,
    /// The entries, or the map this one is a view of (see [`TypedMap::view`]).
    storage: Storage,
    /// The named Go map type (`common.Values`, what Helm hands templates as `.`, `.Values` and
    /// `.Template`); `None` for an unnamed `map[string]T`.
    named: Option<&'static MapType>,
    /// A nil Go map (no entries; `encoding/json` writes `null`, `%#v` prints `T(nil)`).
    nil: bool,
    /// Made inside a [`watch_older_map_writes`] run, whose writes to it are not reported.
    made_while_watched: bool,
}

/// Where a map's entries live: in the map itself, or (for a view of the same Go map under another
/// type, which is rare) in the map it views.
enum Storage {
    Own(RwLock<Arc<Map>>),
    View(Arc<TypedMap>),
}

impl TypedMap {
    /// A map with these entries.
    pub fn new(elem: ElemType, entries: Map) -> TypedMap {
        TypedMap::over(elem, Arc::new(entries))
    }

    /// A new map whose entries start as these (shared until either side writes).
    fn over(elem: ElemType, entries: Arc<Map>) -> TypedMap {
        TypedMap {
            elem,
            storage: Storage::Own(RwLock::new(entries)),
            named: None,
            nil: false,
            made_while_watched: watch::watching(),
        }
    }

    /// A map of the named Go type `name` (e.g. `common.Values`) whose underlying type is
    /// `map[string]interface {}`: `typeOf` and `%T` print the name, `reflect.DeepEqual` tells it
    /// from an unnamed map, and type assertions to `map[string]interface {}` (Sprig's `dig`)
    /// fail on it. Functions taking `map[string]interface {}` still accept it, as Go assigns a
    /// named type to an unnamed one with the same underlying type.
    pub fn named(map_type: &'static MapType, entries: Map) -> TypedMap {
        TypedMap {
            named: Some(map_type),
            ..TypedMap::new(ElemType::Interface, entries)
        }
    }

    /// The name of the map's named Go type, if it has one.
    pub fn type_name(&self) -> Option<&'static str> {
        self.named.map(|t| t.name)
    }

    /// The map's named Go type, if it has one.
    pub fn map_type(&self) -> Option<&'static MapType> {
        self.named
    }

    /// The same Go map seen as another type with the same underlying type: `None` for the
    /// unnamed `map[string]T` (what a function parameter of that type receives), or a named type
    /// (see [`TypedMap::named`]). It shares the entries, so changes show through both.
    pub fn view(map: &Arc<TypedMap>, map_type: Option<&'static MapType>) -> TypedMap {
        let target = match &map.storage {
            Storage::Own(_) => map.clone(),
            Storage::View(target) => target.clone(),
        };
        TypedMap {
            elem: map.elem,
            storage: Storage::View(target),
            named: map_type,
            nil: map.nil,
            // Writes through a view are judged by the map it views (see `update`).
            made_while_watched: false,
        }
    }

    /// The map that holds the entries: this one, or the one it views.
    fn owner(&self) -> &TypedMap {
        match &self.storage {
            Storage::Own(_) => self,
            Storage::View(target) => target.owner(),
        }
    }

    /// The lock over the entries (the viewed map's, for a view).
    fn lock(&self) -> &RwLock<Arc<Map>> {
        match &self.storage {
            Storage::Own(lock) => lock,
            Storage::View(target) => target.lock(),
        }
    }

    /// A nil map of this value type (e.g. `.Chart.Annotations` of a chart without any).
    pub fn nil(elem: ElemType) -> TypedMap {
        TypedMap {
            nil: true,
            ..TypedMap::new(elem, Map::new())
        }
    }

    /// Whether this is a nil Go map.
    pub fn is_nil(&self) -> bool {
        self.nil && self.is_empty()
    }

    /// The entries as they are now. Later changes to the map do not show in the snapshot.
    pub fn entries(&self) -> Arc<Map> {
        // A poisoned lock only means a writer panicked after cloning; the entries are whole.
        self.lock()
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// A copy of the entries (values still shared), to build a new map from.
    pub fn to_map(&self) -> Map {
        (*self.entries()).clone()
    }

    /// The entries, without copying them when no one else holds them.
    pub fn into_map(self) -> Map {
        match self.storage {
            Storage::Own(lock) => {
                let entries = lock
                    .into_inner()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                Arc::try_unwrap(entries).unwrap_or_else(|shared| (*shared).clone())
            }
            Storage::View(target) => target.to_map(),
        }
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<Value> {
        let entries = self
            .lock()
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.get(key).cloned()
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.lock()
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .contains_key(key)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.lock()
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Changes the map in place, as Go's map assignment does: every holder of this map sees the
    /// change. `change` must not read this same map through a [`Value`] (take what it needs
    /// before calling).
    pub fn update<R>(&self, change: impl FnOnce(&mut Map) -> R) -> R {
        if !self.owner().made_while_watched {
            watch::older_map_written();
        }
        let mut guard = self
            .lock()
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        change(Arc::make_mut(&mut guard))
    }

    /// Whether `a` and `b` are the same Go map (not merely equal entries).
    pub fn same(a: &TypedMap, b: &TypedMap) -> bool {
        std::ptr::eq(a.lock(), b.lock())
    }

    /// An address that identifies the Go map (the same for every view of it).
    fn identity(&self) -> *const RwLock<Arc<Map>> {
        self.lock()
    }
}

impl std::fmt::Debug for TypedMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedMap")
            .field("elem", &self.elem)
            .field("entries", &self.entries())
            .finish()
    }
}

impl Value {
    /// A `string`.
    pub fn string(s: impl Into<Arc<str>>) -> Value {
        Value::String(s.into())
    }

    /// A `[]interface {}`.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(List {
            elem: ElemType::Interface,
            items,
            nil: false,
        }))
    }

    /// A slice with the given element type.
    pub fn typed_list(elem: ElemType, items: Vec<Value>) -> Value {
        Value::List(Arc::new(List {
            elem,
            items,
            nil: false,
        }))
    }

    /// A nil slice with the given element type (see [`List::nil`]).
    pub fn nil_list(elem: ElemType) -> Value {
        Value::List(Arc::new(List {
            elem,
            items: Vec::new(),
            nil: true,
        }))
    }

    /// A `map[string]interface {}`.
    pub fn map(entries: Map) -> Value {
        Value::Map(Arc::new(TypedMap::new(ElemType::Interface, entries)))
    }

    /// A map of the named type `name` with underlying type `map[string]interface {}` (see
    /// [`TypedMap::named`]).
    pub fn named_map(map_type: &'static MapType, entries: Map) -> Value {
        Value::Map(Arc::new(TypedMap::named(map_type, entries)))
    }

    /// A map with the given value type.
    pub fn typed_map(elem: ElemType, entries: Map) -> Value {
        Value::Map(Arc::new(TypedMap::new(elem, entries)))
    }

    /// An empty `map[string]interface {}`.
    pub fn empty_map() -> Value {
        Value::map(Map::new())
    }

    /// Whether this is Go's nil.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// A Go `string` holding these bytes: a [`Value::String`] when they are valid UTF-8,
    /// otherwise a [`Value::ByteString`].
    pub fn from_go_bytes(bytes: impl AsRef<[u8]>) -> Value {
        let bytes = bytes.as_ref();
        match std::str::from_utf8(bytes) {
            Ok(text) => Value::String(text.into()),
            Err(_) => Value::ByteString(bytes.into()),
        }
    }

    /// The bytes of a Go `string` (valid UTF-8 or not), if this is one.
    pub fn as_go_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::String(s) => Some(s.as_bytes()),
            Value::ByteString(b) => Some(b),
            _ => None,
        }
    }

    /// The string, if this is a `string` of valid UTF-8 text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A snapshot of the entries, if this is a map.
    pub fn as_map(&self) -> Option<Arc<Map>> {
        match self {
            Value::Map(m) => Some(m.entries()),
            _ => None,
        }
    }

    /// The value under `key`, if this is a map that has it.
    pub fn map_get(&self, key: &str) -> Option<Value> {
        match self {
            Value::Map(m) => m.get(key),
            _ => None,
        }
    }

    /// The map itself (to change it in place or read single keys), if this is a map.
    pub fn as_typed_map(&self) -> Option<&TypedMap> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items, if this is a slice.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(&l.items),
            _ => None,
        }
    }

    /// A copy whose maps are new maps (copystructure's deep copy): changing the copy in place
    /// leaves the original alone. Slices, strings and objects are immutable here and stay shared.
    /// `None` for a map that holds itself, or maps nested more than 10,000 deep.
    pub fn deep_copy(&self) -> Option<Value> {
        if self.contains_itself() {
            return None;
        }
        self.deep_copy_at(0)
    }

    /// [`Value::deep_copy`] of a value that cannot hold itself (a tree just read from a file),
    /// without the walk that looks for a map holding itself. `None` for maps nested more than
    /// 10,000 deep.
    pub fn deep_copy_acyclic(&self) -> Option<Value> {
        self.deep_copy_at(0)
    }

    /// Whether [`Value::deep_copy`] refuses this value, found without copying anything.
    pub fn deep_copy_refused(&self) -> bool {
        if !self.holds_map() {
            return false;
        }
        match self.cycle_within(&mut [std::ptr::null(); SHALLOW_WALK], 0, 0) {
            // A value that shallow is far from the depth limit.
            Some(found) => found,
            None => self.contains_itself_deep() || self.nested_past_copy_limit(),
        }
    }

    fn deep_copy_at(&self, depth: usize) -> Option<Value> {
        if depth > DEEP_COPY_LIMIT {
            return None;
        }
        Some(match self {
            Value::Map(m) => {
                let entries = m.entries();
                let mut map = if entries.values().any(Value::holds_map) {
                    // Cloning the entries keeps their order (nothing is sorted or inserted
                    // again); only the values holding maps are replaced by copies.
                    let mut copy: Map = (*entries).clone();
                    for v in copy.values_mut() {
                        if v.holds_map() {
                            *v = v.deep_copy_at(depth + 1)?;
                        } else if depth == DEEP_COPY_LIMIT {
                            return None;
                        }
                    }
                    TypedMap::new(m.elem, copy)
                } else {
                    if depth == DEEP_COPY_LIMIT && !entries.is_empty() {
                        return None;
                    }
                    // A map holding no maps: the copy is a new map over the same entries, which
                    // the first write to either map copies (`update` clones shared entries).
                    TypedMap::over(m.elem, entries)
                };
                // copystructure keeps the named type (`deepCopy .Values` is common.Values), and
                // a nil map stays nil (`.Chart.Annotations` of a chart without any: `toJson`
                // writes `null`).
                map.named = m.named;
                map.nil = m.nil;
                Value::Map(Arc::new(map))
            }
            Value::List(l) if l.items.iter().any(Value::holds_map) => {
                let items = l
                    .items
                    .iter()
                    .map(|v| v.deep_copy_at(depth + 1))
                    .collect::<Option<Vec<_>>>()?;
                Value::typed_list(l.elem, items)
            }
            other => other.clone(),
        })
    }

    /// Whether maps (or slices holding maps) nest so deep that [`Value::deep_copy`] would step
    /// past [`DEEP_COPY_LIMIT`]: a non-empty map or a slice holding maps at the limit. The walk
    /// keeps its own stack (such values are deep); the value holds no cycle.
    fn nested_past_copy_limit(&self) -> bool {
        let mut stack = vec![(self.clone(), 0usize)];
        while let Some((value, depth)) = stack.pop() {
            match &value {
                Value::Map(m) => {
                    let entries = m.entries();
                    if depth >= DEEP_COPY_LIMIT && !entries.is_empty() {
                        return true;
                    }
                    stack.extend(
                        entries
                            .values()
                            .filter(|v| v.holds_map())
                            .map(|v| (v.clone(), depth + 1)),
                    );
                }
                Value::List(l) if l.items.iter().any(Value::holds_map) => {
                    if depth >= DEEP_COPY_LIMIT {
                        return true;
                    }
                    stack.extend(
                        l.items
                            .iter()
                            .filter(|v| v.holds_map())
                            .map(|v| (v.clone(), depth + 1)),
                    );
                }
                _ => {}
            }
        }
        false
    }

    /// Whether a map holds itself, directly or through nested maps and slices (only `set` and
    /// `merge` can make one). Go's fmt and reflection-based copies recurse forever on such a
    /// value; helmet refuses it with an error instead.
    pub fn contains_itself(&self) -> bool {
        if !self.holds_map() {
            return false;
        }
        // Most values are shallow: walk them on the call stack, borrowing each map's entries.
        // One nested deeper is walked again with a stack of its own.
        match self.cycle_within(&mut [std::ptr::null(); SHALLOW_WALK], 0, 0) {
            Some(found) => found,
            None => self.contains_itself_deep(),
        }
    }

    /// Whether this value holds one of the maps `path[..maps]` (the maps it is inside), or a
    /// map that holds itself; `None` when containers nest more than [`SHALLOW_WALK`] deep.
    fn cycle_within(
        &self,
        path: &mut [*const RwLock<Arc<Map>>; SHALLOW_WALK],
        maps: usize,
        level: usize,
    ) -> Option<bool> {
        if level == SHALLOW_WALK {
            return None;
        }
        match self {
            Value::Map(m) => {
                let id = m.identity();
                if path[..maps].contains(&id) {
                    return Some(true);
                }
                path[maps] = id;
                for v in m.entries().values() {
                    if v.cycle_within(path, maps + 1, level + 1)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            Value::List(l) => {
                for v in l.items.iter() {
                    if v.cycle_within(path, maps, level + 1)? {
                        return Some(true);
                    }
                }
                Some(false)
            }
            _ => Some(false),
        }
    }

    /// [`Value::contains_itself`] for values of any depth: the walk keeps its own stack.
    fn contains_itself_deep(&self) -> bool {
        // Depth-first over containers; `Leave` pops a map from the current path.
        enum Step {
            Enter(Value),
            Leave,
        }
        let mut path: Vec<*const RwLock<Arc<Map>>> = Vec::new();
        let mut stack = vec![Step::Enter(self.clone())];
        while let Some(step) = stack.pop() {
            match step {
                Step::Leave => {
                    path.pop();
                }
                Step::Enter(Value::Map(m)) => {
                    let id = m.identity();
                    if path.contains(&id) {
                        return true;
                    }
                    path.push(id);
                    stack.push(Step::Leave);
                    stack.extend(
                        m.entries()
                            .values()
                            .filter(|v| v.holds_map())
                            .cloned()
                            .map(Step::Enter),
                    );
                }
                Step::Enter(Value::List(l)) => {
                    stack.extend(
                        l.items
                            .iter()
                            .filter(|v| v.holds_map())
                            .cloned()
                            .map(Step::Enter),
                    );
                }
                Step::Enter(_) => {}
            }
        }
        false
    }

    /// Whether a map is in this value (it or inside its slices).
    fn holds_map(&self) -> bool {
        match self {
            Value::Map(_) => true,
            Value::List(l) => l.items.iter().any(Value::holds_map),
            _ => false,
        }
    }

    /// Go's type name as `%T` and Sprig's `typeOf` print it, e.g. `map[string]interface {}`.
    pub fn type_name(&self) -> String {
        match self {
            Value::Nil => "<nil>".to_string(),
            Value::Bool(_) => "bool".to_string(),
            Value::Int(_) => "int".to_string(),
            Value::Int64(_) => "int64".to_string(),
            Value::Uint64(_) => "uint64".to_string(),
            Value::Uint8(_) => "uint8".to_string(),
            Value::Float64(_) => "float64".to_string(),
            Value::Complex128(..) => "complex128".to_string(),
            Value::String(_) | Value::ByteString(_) => "string".to_string(),
            Value::Bytes(_) => "[]uint8".to_string(),
            Value::List(l) => format!("[]{}", l.elem.go_name()),
            Value::Map(m) => match m.type_name() {
                Some(name) => name.to_string(),
                None => format!("map[string]{}", m.elem.go_name()),
            },
            Value::Object(o) => o.type_name().to_string(),
        }
    }

    /// Go's `reflect.Kind` name as Sprig's `kindOf` prints it, e.g. `slice`, `map`, `ptr`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint64(_) => "uint64",
            Value::Uint8(_) => "uint8",
            Value::Float64(_) => "float64",
            Value::Complex128(..) => "complex128",
            Value::String(_) | Value::ByteString(_) => "string",
            Value::Bytes(_) | Value::List(_) => "slice",
            Value::Map(_) => "map",
            Value::Object(o) => o.kind_name(),
        }
    }

    /// Go template truth: false for the zero value of the type, nil, and empty containers.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Uint64(u) => *u != 0,
            Value::Uint8(u) => *u != 0,
            Value::Float64(f) => *f != 0.0,
            Value::Complex128(re, im) => *re != 0.0 || *im != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::Bytes(b) | Value::ByteString(b) => !b.is_empty(),
            Value::List(l) => !l.items.is_empty(),
            Value::Map(m) => !m.is_empty(),
            Value::Object(o) => o.is_true(),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float64(f)
    }
}

/// A set of named functions, as Go's `template.FuncMap`.
pub type FuncMap = std::collections::HashMap<String, Func>;
