//! Telling whether a run wrote to a map that existed before it started.
//!
//! Go maps are references, so a template that changes a map with `set`, `unset` or `merge`
//! changes what every later template sees; Helm runs a chart's templates one after another and
//! charts rely on that order. A renderer that runs templates side by side is only right when no
//! template wrote to a map another template could reach. Every map a template reaches from
//! outside (values, `.Chart`, the scope `.` itself) was made before the run began; maps made
//! during the run (`dict`, `fromYaml`, copies) are reachable by other templates only through a
//! write to one of those. So it is enough to know whether any map made before the run was
//! written during it.

use std::cell::Cell;

/// What the watch on a thread has seen.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Watch {
    /// No watch runs on this thread.
    Off,
    /// A watch runs and no older map was written yet.
    Clean,
    /// A watch runs and an older map was written.
    Written,
}

thread_local! {
    static WATCH: Cell<Watch> = const { Cell::new(Watch::Off) };
}

/// Runs `run` on this thread and tells whether it wrote to a map made before `run` began (or
/// outside any watch). Maps made during `run` may be written freely. Each thread of a
/// side-by-side run takes its own watch. A watch inside a watch reports to the inner one only,
/// and counts every map made during the outer one as its own.
pub fn watch_older_map_writes<R>(run: impl FnOnce() -> R) -> (R, bool) {
    /// Puts back the watch that ran before, also when `run` unwinds.
    struct Restore(Watch);
    impl Drop for Restore {
        fn drop(&mut self) {
            WATCH.with(|w| w.set(self.0));
        }
    }
    let _restore = Restore(WATCH.with(|w| w.replace(Watch::Clean)));
    let result = run();
    let written = WATCH.with(|w| w.get()) == Watch::Written;
    (result, written)
}

/// Whether a watch runs on this thread (maps made now are the run's own). Deep call chains stay
/// on the thread (the engine gives them a new stack segment there), so the watch sees them.
pub(crate) fn watching() -> bool {
    WATCH.with(|w| w.get() != Watch::Off)
}

/// Reports a write to a map made outside the running watch, if one runs on this thread.
pub(crate) fn older_map_written() {
    WATCH.with(|w| {
        if w.get() == Watch::Clean {
            w.set(Watch::Written);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::watch_older_map_writes;
    use crate::{Map, TypedMap, Value};
    use std::sync::Arc;

    fn set(map: &TypedMap, key: &str) {
        map.update(|m| m.insert(key.into(), Value::from("x")));
    }

    #[test]
    fn writes_to_maps_made_before_the_run_are_reported() {
        let older = Arc::new(TypedMap::new(crate::ElemType::Interface, Map::new()));
        let ((), wrote) = watch_older_map_writes(|| set(&older, "a"));
        assert!(wrote);
        // Through a view made during the run, the map written is still the older one.
        let ((), wrote) = watch_older_map_writes(|| {
            let view = TypedMap::view(&older, None);
            set(&view, "b");
        });
        assert!(wrote);
        // Reading is not writing.
        let (_, wrote) = watch_older_map_writes(|| older.get("a"));
        assert!(!wrote);
    }

    #[test]
    fn writes_to_maps_made_during_the_run_are_not() {
        let ((), wrote) = watch_older_map_writes(|| {
            let own = TypedMap::new(crate::ElemType::Interface, Map::new());
            set(&own, "a");
        });
        assert!(!wrote);
        // Outside any watch nothing is reported, and a watch ends with its run.
        let made_outside = TypedMap::new(crate::ElemType::Interface, Map::new());
        set(&made_outside, "a");
        let ((), wrote) = watch_older_map_writes(|| ());
        assert!(!wrote);
    }

    #[test]
    fn an_inner_watch_reports_to_itself_only() {
        let older = TypedMap::new(crate::ElemType::Interface, Map::new());
        let (inner, outer) = watch_older_map_writes(|| {
            let ((), inner) = watch_older_map_writes(|| set(&older, "a"));
            inner
        });
        assert!(inner && !outer);
    }
}
