//! Helm charts: load, values, render, sort, lint, package.
#![deny(missing_docs)]

pub mod chart;
pub mod docs;
pub mod lint;
pub mod load;
pub mod manifest;
pub mod objects;
pub mod output;
pub mod package;
pub mod render;
mod slog;
pub mod values;

pub use chart::{Chart, Error, File, Metadata};
pub use load::load_chart;
pub use values::{coalesce_values, process_dependencies, validate_against_schemas, ValueOptions};

use std::sync::atomic::{AtomicBool, Ordering};

static PROCESS_CACHES: AtomicBool = AtomicBool::new(true);

/// Turns off (or back on) the work helmet keeps between loads and renders in one process:
/// parsed template sources, parsed values and chart files, and compiled values schemas, each
/// looked up by its exact text, compiled regular expressions, and (on Linux) charts loaded
/// again and again, kept while the kernel reports no change under them. Off, every load and
/// render does all of its work again, as Helm does; the benchmarks use this to show both
/// costs, and an embedder may use it to keep no memory between renders.
pub fn set_process_caches(enabled: bool) {
    PROCESS_CACHES.store(enabled, Ordering::Relaxed);
    if !enabled {
        // Its watches are let go at once.
        load::forget_kept_charts();
    }
    helmet_template::set_parse_cache_limit(if enabled {
        helmet_template::DEFAULT_PARSE_CACHE_LIMIT
    } else {
        0
    });
    helmet_sprig::set_regex_cache_limit(if enabled {
        helmet_sprig::DEFAULT_REGEX_CACHE_LIMIT
    } else {
        0
    });
}

/// Empties what [`set_process_caches`] keeps, leaving it on: the next load starts as in a new
/// process, and keeps again what it parses and compiles (a `tpl` text, a regular expression or
/// a file met twice in one render is parsed or compiled once, as in one `helmet template`).
pub fn clear_process_caches() {
    helmet_template::clear_parse_cache();
    helmet_sprig::clear_regex_cache();
    values::parsed::clear();
    values::dependencies::clear_kept_ranges();
    values::schema::clear();
    values::schema_loader::clear();
    render::clear_built_sets();
    objects::clear_kept_objects();
    load::forget_kept_charts();
}

/// Whether [`set_process_caches`] left the caches on (the default).
pub(crate) fn process_caches() -> bool {
    PROCESS_CACHES.load(Ordering::Relaxed)
}
