//! Fuzz target `compose_yaml`: the properties are in `fuzz/checks.rs` (`checks::compose_yaml`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::compose_yaml(data));
