//! Fuzz target `suite`: the properties are in `fuzz/checks.rs` (`checks::suite`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::suite(data));
