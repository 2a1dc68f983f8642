//! The on-disk HTTP cache shared by `fetch` and anything that reads fetched documents
//! (the Compose schema for lint, distilled references for `new`).
//!
//! Layout: `<cache_dir>/http/<sha256(url) hex>/body` plus `meta.json` beside it.
//!
//! Crash consistency: the body is written first (temp file + rename), the metadata
//! last (temp file + rename). `meta.json` records the body's sha256, so an entry whose
//! body does not match its metadata (a run killed between the two renames) is detected
//! by [`load_entry`] and refetched; readers never see a half-written file.

use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use serde::{Deserialize, Serialize};
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

/// Prefix of the temporary files [`write_atomic`] renames into place.
pub const TEMP_PREFIX: &str = ".skillforge-tmp-";

/// How old a leftover temporary file must be before [`sweep_stale_temp_files`] removes
/// it: far longer than any write takes, so a concurrent run's file is never touched.
pub const STALE_TEMP_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes temporary files that a killed run (kill -9, power loss) left in the cache:
/// only regular files named with our [`TEMP_PREFIX`], last modified more than `min_age`
/// ago, found without following symbolic links (a link is never entered nor removed).
/// Best effort; returns how many were removed.
pub fn sweep_stale_temp_files(cache_dir: &Path, min_age: std::time::Duration) -> usize {
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    // The cache is shallow (`http/<hash>/body`, `patches/<blueprint>/x.patch`).
    let mut stack = vec![(cache_dir.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in rd.filter_map(|e| e.ok()) {
            // `file_type` does not follow symbolic links.
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if depth < 4 {
                    stack.push((entry.path(), depth + 1));
                }
                continue;
            }
            if !ft.is_file() || !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                continue;
            }
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| now.duration_since(t).ok())
                .is_some_and(|age| age > min_age);
            if old && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
    }
    removed
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

/// What the cache knows about one URL (`meta.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Meta {
    /// The canonical URL the entry is keyed by.
    pub url: String,
    /// Where the body was actually downloaded from (a mirror, a redirect target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// sha256 of `body`, hex.
    pub sha256: String,
    /// Size of `body` in bytes.
    pub size: u64,
    /// When the body was downloaded (RFC 3339, UTC).
    pub fetched_at: String,
    /// When the entry was last confirmed fresh (a 200 or a 304), RFC 3339.
    pub validated_at: String,
}

/// A consistent cache entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub meta: Meta,
    pub body: Vec<u8>,
}

/// State of one URL in the cache.
#[derive(Debug)]
pub enum Lookup {
    Missing,
    /// Body and metadata disagree (an interrupted write) or metadata is unreadable.
    Inconsistent(String),
    Hit(Entry),
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Now, RFC 3339 in UTC (seconds precision).
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// Seconds since an RFC 3339 timestamp (None when unparsable).
pub fn age_seconds(rfc3339: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()?;
    Some((time::OffsetDateTime::now_utc() - t).whole_seconds())
}

/// Reads one entry, checking that body and metadata belong together.
pub fn load_entry(cache_dir: &Path, url: &str) -> Lookup {
    let dir = entry_dir(cache_dir, url);
    let meta_text = match std::fs::read(dir.join("meta.json")) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return if dir.join("body").exists() {
                Lookup::Inconsistent("body without metadata (interrupted write)".into())
            } else {
                Lookup::Missing
            };
        }
        Err(e) => return Lookup::Inconsistent(format!("unreadable metadata: {e}")),
    };
    let meta: Meta = match serde_json::from_slice(&meta_text) {
        Ok(m) => m,
        Err(e) => return Lookup::Inconsistent(format!("corrupt metadata: {e}")),
    };
    let body = match std::fs::read(dir.join("body")) {
        Ok(b) => b,
        Err(e) => return Lookup::Inconsistent(format!("metadata without body: {e}")),
    };
    if meta.url != url {
        return Lookup::Inconsistent("entry belongs to another URL".into());
    }
    if sha256_hex(&body) != meta.sha256 {
        return Lookup::Inconsistent(
            "body does not match its recorded sha256 (interrupted write)".into(),
        );
    }
    Lookup::Hit(Entry { meta, body })
}

/// Stores a freshly downloaded body: body first, metadata last, each atomically.
pub fn store(
    cache_dir: &Path,
    url: &str,
    fetched_from: Option<&str>,
    body: &[u8],
    etag: Option<String>,
    last_modified: Option<String>,
) -> Result<Meta> {
    let dir = entry_dir(cache_dir, url);
    write_atomic(&dir.join("body"), body)?;
    let now = now_rfc3339();
    let meta = Meta {
        url: url.to_string(),
        fetched_from: fetched_from.filter(|f| *f != url).map(str::to_string),
        etag,
        last_modified,
        sha256: sha256_hex(body),
        size: body.len() as u64,
        fetched_at: now.clone(),
        validated_at: now,
    };
    write_meta(&dir, &meta)?;
    Ok(meta)
}

/// Records a successful revalidation (304): only the metadata changes.
pub fn touch(
    cache_dir: &Path,
    mut meta: Meta,
    etag: Option<String>,
    last_modified: Option<String>,
) -> Result<Meta> {
    if etag.is_some() {
        meta.etag = etag;
    }
    if last_modified.is_some() {
        meta.last_modified = last_modified;
    }
    meta.validated_at = now_rfc3339();
    write_meta(&entry_dir(cache_dir, &meta.url), &meta)?;
    Ok(meta)
}

fn write_meta(dir: &Path, meta: &Meta) -> Result<()> {
    let text = serde_json::to_vec_pretty(meta)
        .map_err(|e| Error::Other(format!("internal: cannot serialise cache metadata: {e}")))?;
    write_atomic(&dir.join("meta.json"), &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_then_load_roundtrips() {
        let d = tempfile::tempdir().unwrap();
        let m = store(
            d.path(),
            "http://x/a.md",
            None,
            b"hello",
            Some("\"e1\"".into()),
            None,
        )
        .unwrap();
        match load_entry(d.path(), "http://x/a.md") {
            Lookup::Hit(e) => {
                assert_eq!(e.body, b"hello");
                assert_eq!(e.meta, m);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(cached_body(d.path(), "http://x/a.md").unwrap(), b"hello");
        assert!(matches!(
            load_entry(d.path(), "http://x/b.md"),
            Lookup::Missing
        ));
    }

    #[test]
    fn body_newer_than_meta_is_detected() {
        let d = tempfile::tempdir().unwrap();
        store(d.path(), "http://x/a.md", None, b"old", None, None).unwrap();
        // Simulate a crash after the body rename but before the metadata rename.
        write_atomic(&entry_dir(d.path(), "http://x/a.md").join("body"), b"new").unwrap();
        assert!(matches!(
            load_entry(d.path(), "http://x/a.md"),
            Lookup::Inconsistent(_)
        ));
        // A body alone (first fetch interrupted) is detected too.
        write_atomic(&entry_dir(d.path(), "http://x/c.md").join("body"), b"c").unwrap();
        assert!(matches!(
            load_entry(d.path(), "http://x/c.md"),
            Lookup::Inconsistent(_)
        ));
    }

    #[test]
    fn stale_temp_files_are_swept_fresh_ones_links_and_others_kept() {
        let d = tempfile::tempdir().unwrap();
        let entry = entry_dir(d.path(), "http://x/a.md");
        std::fs::create_dir_all(&entry).unwrap();
        let stale = entry.join(".skillforge-tmp-abc123");
        let fresh = entry.join(".skillforge-tmp-def456");
        let other = entry.join("body.tmp");
        for p in [&stale, &fresh, &other] {
            std::fs::write(p, b"partial").unwrap();
        }
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        for p in [&stale, &other] {
            std::fs::File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(hour_ago)
                .unwrap();
        }
        // A directory with our prefix, and (unix) a link with it pointing at a file
        // outside the cache: neither is removed or followed.
        let dir_like = entry.join(".skillforge-tmp-dir");
        std::fs::create_dir(&dir_like).unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join(".skillforge-tmp-victim");
        std::fs::write(&victim, b"keep").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&victim)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&victim, entry.join(".skillforge-tmp-link")).unwrap();
            std::os::unix::fs::symlink(outside.path(), d.path().join("elsewhere")).unwrap();
        }
        assert_eq!(sweep_stale_temp_files(d.path(), STALE_TEMP_AGE), 1);
        assert!(!stale.exists());
        assert!(fresh.exists() && other.exists() && dir_like.is_dir());
        assert!(victim.exists(), "never follows a link out of the cache");
        #[cfg(unix)]
        assert!(
            std::fs::symlink_metadata(entry.join(".skillforge-tmp-link")).is_ok(),
            "links are not removed"
        );
    }

    #[test]
    fn touch_keeps_body_and_updates_validators() {
        let d = tempfile::tempdir().unwrap();
        let m = store(
            d.path(),
            "http://x/a.md",
            None,
            b"b",
            Some("\"1\"".into()),
            None,
        )
        .unwrap();
        let m2 = touch(d.path(), m, Some("\"2\"".into()), None).unwrap();
        assert_eq!(m2.etag.as_deref(), Some("\"2\""));
        assert!(matches!(
            load_entry(d.path(), "http://x/a.md"),
            Lookup::Hit(_)
        ));
    }
}
