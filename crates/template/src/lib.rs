//! Go text/template, exactly as Helm runs it.
#![deny(missing_docs)]
