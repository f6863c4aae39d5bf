//! Links the `helmet` binary as a position-dependent executable on Linux with the GNU toolchain.
//!
//! A position-independent executable makes the dynamic loader apply ~23,000 relocations at
//! every start, a measurable part of a `helmet template` run that lasts a few milliseconds
//! (docs/performance.md). The `helm` binary, built by Go, is position-dependent too. Other
//! targets keep their defaults.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
