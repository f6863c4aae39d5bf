//! Charts kept between loads for as long as the kernel (inotify) reports no change under them.
//!
//! A process that loads the same small chart again and again (an embedder, the benchmarks)
//! spends most of each load in the kernel: opening, `statx`, reading and closing each file and
//! listing each folder, about a hundred system calls. Everything else a load does is kept per
//! process already (parsed values, template trees). So a chart met a third time is read once
//! more with watches set on everything its contents depend on, and kept; later loads of it drain
//! the inotify queue (one `read`, which fails at once when nothing happened) and hand out a copy.
//!
//! Why a kept chart is what reading it again would give:
//! - Every watch is set before the read it guards: first the folders above the chart, from `/`
//!   down (each one's events filtered by the name of the next folder on the way, or of the chart,
//!   and events about the folder itself), then the chart's folder, then, during the walk, each
//!   folder before it is opened and listed. A change made after a watch was set is queued, and
//!   every later load drains the queue before it looks anything up. A change made before is
//!   read by the load. Watches are set with `IN_DONT_FOLLOW | IN_ONLYDIR`, which fails on a
//!   symbolic link, so no link on the way can be retargeted unseen.
//! - A folder's watch reports changes to its entries (created, deleted, moved, written, closed
//!   after writing, attributes such as the modification time) and to itself (deleted, moved,
//!   its file system unmounted, the watch dropped: `IN_IGNORED`). A full queue
//!   (`IN_Q_OVERFLOW`) drops every kept chart.
//! - A change to a file is reported to the folder of the name it was made through (for a file
//!   bind-mounted over one of the chart's, the folder it was mounted from). So each file is
//!   checked once opened (`statx`, during the fill only): a file with other names (hard links)
//!   or that is a mount's root makes the chart one not to keep. Nor is a chart kept whose walk
//!   met a symbolic link or a folder read by path (a path too long), whose load failed, or on a
//!   file system not known to report every change through inotify (only ext2/3/4, XFS, Btrfs,
//!   tmpfs, overlayfs and F2FS are trusted: not NFS, CIFS, FUSE or any other, where changes
//!   made by another machine or a daemon come unseen).
//! - An archive (`.tgz`) is watched itself (a watch on a file follows its inode, through any
//!   name) and through the folders above it.
//! - A relative path is made absolute with the kernel's current folder (`getcwd`) at each load;
//!   a fill checks that the current folder did not move before its watches were set.
//! - A child forked from the process shares the inotify queue: it must not drain it (the parent
//!   would miss those events), so a load in another process than the one that made the queue
//!   starts an empty cache of its own.
//!
//! What inotify does not report, so that a kept chart could be stale: writes through a shared
//! memory mapping, a file system mounted (or bind-mounted) over a watched folder, and, on
//! overlayfs, changes made directly in its lower or upper folders rather than through the
//! overlay.
//!
//! A fill holds the cache's lock while it reads the chart, so no other load drains the queue
//! before its entry is in place; other loads through the cache wait for that one read.

use std::mem::MaybeUninit;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rustix::fd::OwnedFd;
use rustix::fs::inotify::{self, CreateFlags, ReadFlags, WatchFlags};
use rustix::io::Errno;

use super::{lexically_clean, load_chart_read, WalkWatch};
use crate::chart::{Chart, Error};

/// How many charts are kept (the least recently loaded goes first).
const MAX_CHARTS: usize = 64;
/// How many watches the cache holds at most (the kernel's limit per user is 8,192 or more,
/// shared with every other program of the user).
const MAX_WATCHES: usize = 4096;
/// How many paths loaded once or twice are remembered.
const MAX_SEEN: usize = 64;
/// Which load of a path fills the cache: a command that loads a chart twice (`helmet lint`)
/// pays nothing for watches it would not use.
const FILL_AT_LOAD: u8 = 3;
/// How many loads of a chart that could not be kept pass before it is tried again, unless one
/// of the watches set on the way reports a change first (it may have been fixed, or its
/// symbolic link replaced by a folder).
const RETRY_AFTER: u32 = 32;

/// The events that tell that something a kept chart was read from may have changed (besides
/// `IN_IGNORED`, `IN_UNMOUNT` and `IN_Q_OVERFLOW`, which the kernel always reports).
const CHANGES: WatchFlags = WatchFlags::MODIFY
    .union(WatchFlags::ATTRIB)
    .union(WatchFlags::CLOSE_WRITE)
    .union(WatchFlags::CREATE)
    .union(WatchFlags::DELETE)
    .union(WatchFlags::MOVED_FROM)
    .union(WatchFlags::MOVED_TO)
    .union(WatchFlags::DELETE_SELF)
    .union(WatchFlags::MOVE_SELF)
    .union(WatchFlags::DONT_FOLLOW);

/// `statfs` types of the file systems trusted to report every change through inotify: local
/// ones, whose changes all go through this kernel.
const TRUSTED_FILE_SYSTEMS: [u64; 6] = [
    0xEF53,      // ext2, ext3, ext4
    0x5846_5342, // XFS
    0x9123_683E, // Btrfs
    0x0102_1994, // tmpfs
    0x794C_7630, // overlayfs
    0xF2F5_2010, // F2FS
];

/// The cache.
static STATE: Mutex<State> = Mutex::new(State::new());

/// What the cache holds.
struct State {
    /// The inotify queue (non-blocking), made by the first fill.
    inotify: Option<OwnedFd>,
    /// The process that made `inotify`.
    owner: u32,
    /// Paths (as given) with how many times they were loaded, up to [`FILL_AT_LOAD`]: a path
    /// whose kept chart changed is read again for the cache at its next load.
    seen: Vec<(PathBuf, u8)>,
    /// The kept charts, and those that could not be kept.
    entries: Vec<Entry>,
    /// Every watch set and not removed.
    watches: Vec<i32>,
    /// Counts loads served, for the least recently used entry.
    clock: u64,
}

/// One kept chart, or one that could not be kept.
struct Entry {
    /// The cleaned absolute path of the chart.
    key: PathBuf,
    /// Whether the chart is an archive (a path ending in `/` must not find it).
    archive: bool,
    /// The chart as read, its maps shared with no one (see [`own_copy`]); `None` for a chart
    /// that could not be kept.
    chart: Option<Arc<Chart>>,
    /// For a chart not kept: the loads left before it is tried again.
    retry_in: u32,
    /// The watches whose events mean the chart may have changed (for a chart not kept, those
    /// set before it was refused).
    depends_on: Vec<Watched>,
    /// When it was last served ([`State::clock`]).
    used: u64,
}

/// A watch a kept chart depends on.
enum Watched {
    /// Every event of the watch: a folder of the chart, or the archive.
    All(i32),
    /// A folder above the chart: events about the folder itself or its entry of this name.
    Entry(i32, Box<[u8]>),
}

impl Watched {
    /// Whether an event of watch `wd` about `name` (`None`: the watched file itself) may
    /// change what was read.
    fn touched_by(&self, wd: i32, name: Option<&[u8]>) -> bool {
        match self {
            Watched::All(w) => *w == wd,
            Watched::Entry(w, entry) => *w == wd && name.is_none_or(|name| name == &**entry),
        }
    }

    fn wd(&self) -> i32 {
        match self {
            Watched::All(wd) | Watched::Entry(wd, _) => *wd,
        }
    }
}

/// How a load names its chart in the cache.
struct Key {
    /// The cleaned absolute path.
    path: PathBuf,
    /// The current folder it was made from (relative paths).
    cwd: Option<PathBuf>,
    /// Whether the path ends in `/` or `/.`, which names folders only.
    folder_only: bool,
}

impl Key {
    /// The key of `path`; `None` for paths the cache leaves alone: empty, or holding `..` (the
    /// loader reads `a/link/../b` as the kernel resolves it, not as cleaning it reads).
    fn of(path: &Path) -> Option<Key> {
        let text = path.as_os_str().as_bytes();
        if text.is_empty() || path.components().any(|part| part == Component::ParentDir) {
            return None;
        }
        let folder_only = text.ends_with(b"/") || text == b"." || text.ends_with(b"/.");
        let (path, cwd) = if path.is_absolute() {
            (lexically_clean(path), None)
        } else {
            let cwd = std::env::current_dir()
                .ok()
                .filter(|cwd| cwd.is_absolute())?;
            (lexically_clean(&cwd.join(path)), Some(cwd))
        };
        Some(Key {
            path,
            cwd,
            folder_only,
        })
    }
}

impl State {
    const fn new() -> State {
        State {
            inotify: None,
            owner: 0,
            seen: Vec::new(),
            entries: Vec::new(),
            watches: Vec::new(),
            clock: 0,
        }
    }

    /// The queue, with the entries and watches, borrowed apart (`None` before the first fill).
    fn queue(&mut self) -> Option<(&OwnedFd, &mut Vec<Entry>, &mut Vec<i32>)> {
        let State {
            inotify,
            entries,
            watches,
            ..
        } = self;
        Some((inotify.as_ref()?, entries, watches))
    }

    /// Counts a load of `path` (as given); whether it is the one that fills the cache or a
    /// later one.
    fn count_load(&mut self, path: &Path) -> bool {
        if let Some(at) = self.seen.iter().position(|(seen, _)| seen == path) {
            let count = &mut self.seen[at].1;
            *count = (*count + 1).min(FILL_AT_LOAD);
            return *count >= FILL_AT_LOAD;
        }
        if self.seen.len() >= MAX_SEEN {
            self.seen.remove(0);
        }
        self.seen.push((path.to_path_buf(), 1));
        FILL_AT_LOAD <= 1
    }

    /// Reads every queued event and drops the entries they touch. Anything unexpected drops
    /// every entry.
    fn drain(&mut self) {
        let Some((inotify, entries, watches)) = self.queue() else {
            return;
        };
        // Room for at least one event with the longest name (16 bytes and 256).
        let mut buf = [MaybeUninit::<u8>::uninit(); 4096];
        let mut events = inotify::Reader::new(inotify, &mut buf);
        loop {
            match events.next() {
                Ok(event) => {
                    let kind = event.events();
                    if kind.contains(ReadFlags::QUEUE_OVERFLOW) {
                        entries.clear();
                        continue;
                    }
                    let wd = event.wd();
                    let name = event.file_name().map(|name| name.to_bytes());
                    let name = name.filter(|name| !name.is_empty());
                    entries.retain(|entry| {
                        !entry
                            .depends_on
                            .iter()
                            .any(|watched| watched.touched_by(wd, name))
                    });
                    if kind.contains(ReadFlags::IGNORED) {
                        // The watch is gone (its folder deleted or unmounted, or removed here).
                        watches.retain(|&w| w != wd);
                    }
                }
                Err(Errno::INTR) => {}
                Err(Errno::AGAIN) => return,
                Err(_) => {
                    entries.clear();
                    return;
                }
            }
        }
    }

    /// Drops the least recently used entries until a new one fits, and the watches no entry
    /// needs.
    fn make_room(&mut self) {
        let watch_count = |entries: &[Entry]| -> usize {
            entries.iter().map(|entry| entry.depends_on.len()).sum()
        };
        while !self.entries.is_empty()
            && (self.entries.len() >= MAX_CHARTS || watch_count(&self.entries) > MAX_WATCHES / 2)
        {
            let oldest = (0..self.entries.len())
                .min_by_key(|&at| self.entries[at].used)
                .unwrap_or(0);
            self.entries.remove(oldest);
        }
        self.remove_unneeded_watches();
    }

    /// Removes the watches no entry depends on (`inotify_rm_watch`).
    fn remove_unneeded_watches(&mut self) {
        // No queue, no watches.
        let Some((inotify, entries, watches)) = self.queue() else {
            return;
        };
        watches.retain(|&wd| {
            let needed = entries
                .iter()
                .any(|entry| entry.depends_on.iter().any(|watched| watched.wd() == wd));
            // A watch the kernel dropped already fails to be removed, which is fine.
            needed || {
                let _ = inotify::remove_watch(inotify, wd);
                false
            }
        });
    }
}

/// The cache, locked. A load that panicked while holding it (while reading a chart) may have
/// left watches unrecorded: the cache then starts again, empty.
fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|poisoned| {
        let mut state = poisoned.into_inner();
        *state = State::new();
        STATE.clear_poison();
        state
    })
}

/// Empties the cache, closing its inotify queue (which removes every watch).
pub(crate) fn clear() {
    *state() = State::new();
}

/// Whether the cache was made by another process (a forked child): then it starts again.
fn forked(state: &mut State) -> bool {
    if state.inotify.is_some() && state.owner != std::process::id() {
        // Dropped without being read: the parent's queue is left as it is.
        *state = State::new();
        return true;
    }
    false
}

/// [`load_chart_logged`](super::load_chart_logged) through the cache.
pub(super) fn load_kept(path: &Path, log: &mut Vec<String>) -> Result<Chart, Error> {
    let mut state = state();
    // Nothing kept yet: a first or second load costs nothing but the note of its path.
    if state.inotify.is_none() && !state.count_load(path) {
        drop(state);
        return load_chart_read(path, log, None);
    }
    let Some(key) = Key::of(path) else {
        drop(state);
        return load_chart_read(path, log, None);
    };
    let counted = state.inotify.is_none();
    forked(&mut state);
    state.drain();
    state.clock += 1;
    let clock = state.clock;
    let found = state
        .entries
        .iter()
        .position(|entry| entry.key == key.path && !(key.folder_only && entry.archive));
    if let Some(at) = found {
        let entry = &mut state.entries[at];
        entry.used = clock;
        match &entry.chart {
            Some(kept) => {
                let kept = Arc::clone(kept);
                drop(state);
                if let Some(chart) = own_copy(&kept) {
                    return Ok(chart);
                }
                // Never: a loaded chart's values hold no cycle.
                return load_chart_read(path, log, None);
            }
            // Not kept, and nothing reported since: tried again now and then.
            None if entry.retry_in > 0 => {
                entry.retry_in -= 1;
                drop(state);
                return load_chart_read(path, log, None);
            }
            None => {
                state.entries.remove(at);
            }
        }
    } else if !counted && !state.count_load(path) {
        drop(state);
        return load_chart_read(path, log, None);
    }
    fill(&mut state, path, &key, log)
}

/// Reads the chart at `path` (named `key`) with watches set before each read, and keeps it
/// when nothing makes it one not to keep.
fn fill(state: &mut State, path: &Path, key: &Key, log: &mut Vec<String>) -> Result<Chart, Error> {
    if state.inotify.is_none() {
        match inotify::init(CreateFlags::CLOEXEC | CreateFlags::NONBLOCK) {
            Ok(inotify) => {
                state.inotify = Some(inotify);
                state.owner = std::process::id();
            }
            // No queue (the limit of inotify instances per user reached): nothing is kept, and
            // the next fill tries again.
            Err(_) => return load_chart_read(path, log, None),
        }
    }
    state.make_room();
    let Some(inotify) = &state.inotify else {
        return load_chart_read(path, log, None);
    };
    let mut filling = Filling {
        inotify,
        watches: &mut state.watches,
        top: &key.path,
        depends_on: Vec::new(),
        refused: false,
    };
    let archive = filling.watch_chart();
    // The current folder the key was made from is still the one a relative path starts from:
    // it has not moved before the watches above it were set (a later move is reported).
    if key.cwd.is_some() && std::env::current_dir().ok() != key.cwd {
        filling.refused = true;
    }
    let walked = match archive {
        Some(false) if !filling.refused => Some(&mut filling as &mut dyn WalkWatch),
        _ => None,
    };
    let loaded = load_chart_read(path, log, walked);
    let Filling {
        depends_on,
        refused,
        ..
    } = filling;
    let kept = match (&loaded, archive) {
        (Ok(chart), Some(_)) if !refused => own_copy(chart).map(Arc::new),
        _ => None,
    };
    state.entries.retain(|entry| entry.key != key.path);
    state.entries.push(Entry {
        key: key.path.clone(),
        archive: archive.unwrap_or(false),
        retry_in: if kept.is_some() { 0 } else { RETRY_AFTER },
        chart: kept,
        depends_on,
        used: state.clock,
    });
    state.remove_unneeded_watches();
    loaded
}

/// The watches of one fill, set as the chart is read.
struct Filling<'f> {
    inotify: &'f OwnedFd,
    watches: &'f mut Vec<i32>,
    /// The chart's cleaned absolute path.
    top: &'f Path,
    depends_on: Vec<Watched>,
    /// Whether the chart must not be kept.
    refused: bool,
}

impl Filling<'_> {
    /// Adds a watch on `path` (the watch already set on the same file, if any).
    fn add(&mut self, path: &Path, flags: WatchFlags) -> Result<i32, Errno> {
        if self.watches.len() >= MAX_WATCHES {
            return Err(Errno::NOSPC);
        }
        let wd = inotify::add_watch(self.inotify, path, flags)?;
        if !self.watches.contains(&wd) {
            self.watches.push(wd);
        }
        Ok(wd)
    }

    /// Watches the folder at `path`, on a trusted file system; `None` (and the chart refused)
    /// when that fails.
    fn watch_folder(&mut self, path: &Path) -> Option<i32> {
        if self.refused {
            return None;
        }
        let wd = self.add(path, CHANGES | WatchFlags::ONLYDIR).ok();
        self.trusted(wd, path)
    }

    /// `wd` (the watch of `path`), if `path` is on a file system trusted to report every
    /// change; else `None`, and the chart refused.
    fn trusted(&mut self, wd: Option<i32>, path: &Path) -> Option<i32> {
        let trusted = wd.is_some()
            && rustix::fs::statfs(path).is_ok_and(|fs| {
                // The field's type differs between targets; the magic numbers fit 32 bits.
                let kind = fs.f_type as u64 & 0xFFFF_FFFF;
                TRUSTED_FILE_SYSTEMS.contains(&kind)
            });
        if !trusted {
            self.refused = true;
            return None;
        }
        wd
    }

    /// Watches the folders above the chart, from `/` down, then the chart itself: `Some(true)`
    /// for an archive, `Some(false)` for a folder, `None` when it cannot be kept.
    fn watch_chart(&mut self) -> Option<bool> {
        let top = self.top;
        let mut above: Vec<&Path> = top.ancestors().skip(1).collect();
        above.reverse();
        for folder in above {
            let next = top
                .strip_prefix(folder)
                .ok()
                .and_then(|rest| rest.iter().next())?;
            let wd = self.watch_folder(folder)?;
            self.depends_on
                .push(Watched::Entry(wd, next.as_bytes().into()));
        }
        // A folder, or else a regular file (an archive): `IN_ONLYDIR` fails on anything but a
        // folder, and a file's watch, which does not follow a symbolic link, is checked not to
        // be on one.
        let archive = match self.add(top, CHANGES | WatchFlags::ONLYDIR) {
            Ok(wd) => {
                let wd = self.trusted(Some(wd), top)?;
                self.depends_on.push(Watched::All(wd));
                false
            }
            Err(Errno::NOTDIR) => {
                let wd = self.add(top, CHANGES).ok();
                let wd = self.trusted(wd, top)?;
                let regular = rustix::fs::lstat(top)
                    .is_ok_and(|stat| rustix::fs::FileType::from_raw_mode(stat.st_mode).is_file());
                if !regular {
                    self.refused = true;
                    return None;
                }
                self.depends_on.push(Watched::All(wd));
                true
            }
            Err(_) => {
                self.refused = true;
                return None;
            }
        };
        Some(archive)
    }
}

impl WalkWatch for Filling<'_> {
    fn folder(&mut self, rel: &str) {
        let path = self.top.join(rel);
        if let Some(wd) = self.watch_folder(&path) {
            self.depends_on.push(Watched::All(wd));
        }
    }

    fn file(&mut self, opened: &std::fs::File) {
        use rustix::fs::{statx, AtFlags, StatxAttributes, StatxFlags};
        if self.refused {
            return;
        }
        // A file with other names (hard links) can be written through a folder not watched;
        // a file mounted over the chart's (a bind mount) reports its changes to the folder it
        // was mounted from. Where the kernel cannot tell, the chart is not kept.
        let reported =
            statx(opened, "", AtFlags::EMPTY_PATH, StatxFlags::NLINK).is_ok_and(|stat| {
                let mount_root = StatxAttributes::MOUNT_ROOT;
                stat.stx_nlink == 1
                    && stat.stx_attributes_mask.contains(mount_root)
                    && !stat.stx_attributes.contains(mount_root)
            });
        if !reported {
            self.refused = true;
        }
    }

    fn refuse(&mut self) {
        self.refused = true;
    }
}

/// A copy of `chart` whose maps no one else holds: templates change maps in place (`set`,
/// `merge`), so neither the kept chart nor any caller's copy may share them. Files and texts
/// are immutable and stay shared. `None` if a map could not be copied (never for a loaded
/// chart: its trees hold no cycle).
fn own_copy(chart: &Chart) -> Option<Chart> {
    let mut copy = chart.clone();
    own_maps(&mut copy)?;
    Some(copy)
}

/// [`own_copy`]'s copying of the maps of `chart` and its subcharts.
fn own_maps(chart: &mut Chart) -> Option<()> {
    let own = |value: &mut helmet_value::Value| -> Option<()> {
        use helmet_value::Value;
        if matches!(value, Value::Map(_) | Value::List(_)) {
            *value = value.deep_copy_acyclic()?;
        }
        Some(())
    };
    own(&mut chart.values)?;
    let dependencies = chart.metadata.dependencies.iter_mut().flatten();
    let locked = chart
        .lock
        .iter_mut()
        .flat_map(|lock| &mut lock.dependencies);
    for dependency in dependencies.chain(locked) {
        for value in &mut dependency.import_values {
            own(value)?;
        }
    }
    for subchart in &mut chart.dependencies {
        own_maps(subchart)?;
    }
    Some(())
}

/// The keys of the kept charts, after draining the queue.
pub(super) fn kept_paths() -> Vec<PathBuf> {
    let mut state = state();
    if forked(&mut state) {
        return Vec::new();
    }
    state.drain();
    state
        .entries
        .iter()
        .filter(|entry| entry.chart.is_some())
        .map(|entry| entry.key.clone())
        .collect()
}
