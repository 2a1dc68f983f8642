//! Fuzz target `fetch_normalize`: the properties are in `fuzz/checks.rs` (`checks::fetch_normalize`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::fetch_normalize(data));
