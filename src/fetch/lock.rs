//! `docs.lock`: exactly which docs a skill was built from (per source: URL, ETag,
//! Last-Modified, sha256, fetch time) and the sha256 of every reference file written
//! from them, so `fetch --update` can tell files the user edited.

use super::cache::{self, Lookup};
use super::sources::{Manifest, Source};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const LOCK_FILE: &str = "docs.lock";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Lock {
    pub version: u32,
    pub blueprint: String,
    pub generated_at: String,
    /// `rendered` (site Markdown routes) or `raw` (GitHub sources).
    pub source_kind: String,
    pub sources: Vec<LockedSource>,
    /// Reference file (relative to the skill) → sha256 of the content skillforge wrote.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LockedSource {
    /// Site path or document id.
    pub source: String,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    pub sha256: String,
    pub fetched_at: String,
}

impl Lock {
    /// A lock for the manifest's sources as the cache holds them now; `url_of` gives the
    /// cache key of each source. Sources missing from the cache are left out.
    pub fn from_cache(
        manifest: &Manifest,
        cache_dir: &Path,
        source_kind: &str,
        url_of: &dyn Fn(&Source) -> String,
    ) -> Lock {
        let mut sources = Vec::new();
        for s in &manifest.sources {
            let url = url_of(s);
            if let Lookup::Hit(e) = cache::load_entry(cache_dir, &url) {
                sources.push(LockedSource {
                    source: s.label().to_string(),
                    url,
                    etag: e.meta.etag,
                    last_modified: e.meta.last_modified,
                    sha256: e.meta.sha256,
                    fetched_at: e.meta.fetched_at,
                });
            }
        }
        Lock {
            version: 1,
            blueprint: manifest.blueprint.clone(),
            generated_at: cache::now_rfc3339(),
            source_kind: source_kind.to_string(),
            sources,
            files: BTreeMap::new(),
        }
    }

    /// Records another cached document the skill depends on (an include file, the
    /// site parameters, release data), so `--check` revalidates it too.
    pub fn add_cached(&mut self, cache_dir: &Path, label: &str, url: &str) {
        if self.sources.iter().any(|s| s.url == url) {
            return;
        }
        if let Lookup::Hit(e) = cache::load_entry(cache_dir, url) {
            self.sources.push(LockedSource {
                source: label.to_string(),
                url: url.to_string(),
                etag: e.meta.etag,
                last_modified: e.meta.last_modified,
                sha256: e.meta.sha256,
                fetched_at: e.meta.fetched_at,
            });
        }
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }

    pub fn load(path: &Path) -> Result<Lock> {
        let text = crate::fsutil::read_text_capped(path, 16 * 1024 * 1024)?;
        serde_json::from_str(&text).map_err(|e| {
            Error::input_at(
                path,
                e.line().max(1),
                format!("not a valid docs.lock: {e}"),
                Some("delete it and run `skillforge fetch` again to regenerate it".into()),
            )
        })
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        crate::fsutil::write_atomic(path, self.to_json().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_bad_lock_has_a_line() {
        let d = tempfile::tempdir().unwrap();
        let mut lock = Lock {
            version: 1,
            blueprint: "b".into(),
            generated_at: "2026-01-01T00:00:00Z".into(),
            source_kind: "rendered".into(),
            sources: vec![LockedSource {
                source: "/a/".into(),
                url: "https://docs.docker.com/a.md".into(),
                etag: Some("\"x\"".into()),
                last_modified: None,
                sha256: "00".into(),
                fetched_at: "2026-01-01T00:00:00Z".into(),
            }],
            files: BTreeMap::new(),
        };
        lock.files.insert("references/a.md".into(), "ff".into());
        let p = d.path().join(LOCK_FILE);
        lock.save(&p).unwrap();
        assert_eq!(Lock::load(&p).unwrap(), lock);
        std::fs::write(&p, "{\n  \"version\": 1,\n  oops\n}").unwrap();
        assert!(matches!(
            Lock::load(&p),
            Err(Error::Input { line: Some(3), .. })
        ));
    }
}
