//! The Sprig and Helm template function library.
#![deny(missing_docs)]
