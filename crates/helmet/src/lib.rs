//! Helm charts: load, values, render, sort, lint, package.
#![deny(missing_docs)]
