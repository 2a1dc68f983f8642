//! skillforge: author, test and ship AI-assistant skills (the open Agent Skills format).
//!
//! Data flows one way: sources → fetch → cache → distil → blueprint render → skill on
//! disk → skill model → lint / eval → report. The skill model ([`skill`]) is the only
//! parser of `SKILL.md`.

pub mod blueprint;
pub mod cli;
pub mod docker;
pub mod error;
pub mod eval;
pub mod fetch;
pub mod fsutil;
pub mod learn;
pub mod lint;
pub mod report;
pub mod rule;
pub mod ship;
pub mod skill;
pub mod term;

pub use error::{Error, Result};

/// A small deterministic pseudo-random sequence for the differential unit tests (a
/// 64-bit linear congruential generator; the same seed gives the same inputs).
#[cfg(test)]
pub(crate) fn test_rng(mut seed: u64) -> impl FnMut() -> usize {
    move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    }
}
