//! The on-disk HTTP cache shared by `fetch` and anything that reads fetched documents
//! (the Compose schema for lint, distilled references for `new`).
//!
//! Layout: `<cache_dir>/http/<sha256(url) hex>/body` plus `meta.json` beside it.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Canonical URL of the Compose Specification's JSON Schema.
pub const COMPOSE_SCHEMA_URL: &str =
    "https://raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json";

/// The cache directory: `$SKILLFORGE_CACHE_DIR`, else the platform cache dir
/// (`$XDG_CACHE_HOME/skillforge` or `~/.cache/skillforge` on Linux).
pub fn default_cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SKILLFORGE_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    dirs::cache_dir()
        .unwrap_or_else(|| PathBuf::from(".cache"))
        .join("skillforge")
}

/// The directory holding one URL's entry.
pub fn entry_dir(cache_dir: &Path, url: &str) -> PathBuf {
    let digest = Sha256::digest(url.as_bytes());
    cache_dir.join("http").join(hex::encode(digest))
}

/// The cached body for `url`, if present.
pub fn cached_body(cache_dir: &Path, url: &str) -> Option<Vec<u8>> {
    std::fs::read(entry_dir(cache_dir, url).join("body")).ok()
}
