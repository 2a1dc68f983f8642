//! Fuzz target `dockerfile`: the properties are in `fuzz/checks.rs` (`checks::dockerfile`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::dockerfile(data));
