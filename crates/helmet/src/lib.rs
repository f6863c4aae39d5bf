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
pub mod values;

pub use chart::{Chart, Error, File, Metadata};
pub use load::load_chart;
pub use values::{coalesce_values, process_dependencies, validate_against_schemas, ValueOptions};
