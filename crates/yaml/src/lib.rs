//! YAML 1.1 reading and YAML/JSON writing that match Go byte for byte.
#![deny(missing_docs)]
