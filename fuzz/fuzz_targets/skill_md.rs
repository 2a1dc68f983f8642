//! Fuzz target `skill_md`: the properties are in `fuzz/checks.rs` (`checks::skill_md`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::skill_md(data));
