//! The response cache: a transcript per (provider, model, base URL, parameters, prompt,
//! configuration, run number, sha256 of every file of the skill). Re-running an
//! unchanged suite makes no call; `--no-cache` forces calls (and refreshes entries).
//!
//! Layout: `<cache dir>/model/<sha256 of the key>.json`, written atomically. A corrupt
//! or foreign entry is ignored (and overwritten by the fresh answer). Keys never hold
//! an API key: only what changes the answer.

use super::Transcript;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const VERSION: u32 = 1;

/// What makes two calls the same.
#[derive(Debug, Clone, Serialize)]
pub struct Key<'a> {
    pub provider: &'a str,
    pub model: &'a str,
    pub base_url: &'a str,
    pub params: Value,
    pub prompt: &'a str,
    pub configuration: &'a str,
    pub run_number: u32,
    /// The skill's content hash (with_skill), or empty.
    pub skill_sha256: &'a str,
    /// Extra discriminator (`answer`, `trigger`, `judge`).
    pub purpose: &'a str,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    version: u32,
    key: String,
    transcript: Transcript,
}

/// The cache (disabled: reads nothing, still writes so the next run can reuse).
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    pub read: bool,
}

impl Cache {
    pub fn new(cache_dir: &Path, read: bool) -> Cache {
        Cache {
            dir: cache_dir.join("model"),
            read,
        }
    }

    pub fn digest(key: &Key<'_>) -> String {
        let text = serde_json::to_string(key).unwrap_or_default();
        hex::encode(Sha256::digest(format!("v{VERSION}\n{text}").as_bytes()))
    }

    fn path(&self, digest: &str) -> PathBuf {
        self.dir.join(format!("{digest}.json"))
    }

    pub fn get(&self, key: &Key<'_>) -> Option<Transcript> {
        if !self.read {
            return None;
        }
        let digest = Self::digest(key);
        let bytes = crate::fsutil::read_capped(&self.path(&digest), 64 * 1024 * 1024).ok()?;
        let e: Entry = serde_json::from_slice(&bytes).ok()?;
        (e.version == VERSION && e.key == digest).then_some(e.transcript)
    }

    /// Stores a transcript. Failed runs are not cached (they are retried next time).
    pub fn put(&self, key: &Key<'_>, t: &Transcript) -> crate::Result<()> {
        if t.error.is_some() {
            return Ok(());
        }
        let digest = Self::digest(key);
        let entry = Entry {
            version: VERSION,
            key: digest.clone(),
            transcript: t.clone(),
        };
        let text = serde_json::to_vec(&entry)
            .map_err(|e| crate::Error::Other(format!("cannot encode a cache entry: {e}")))?;
        crate::fsutil::write_atomic(&self.path(&digest), &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(prompt: &str) -> Key<'_> {
        Key {
            provider: "openai",
            model: "m",
            base_url: "http://x",
            params: serde_json::json!({"max_turns": 8}),
            prompt,
            configuration: "with_skill",
            run_number: 1,
            skill_sha256: "abc",
            purpose: "answer",
        }
    }

    #[test]
    fn roundtrip_and_corruption() {
        let d = tempfile::tempdir().unwrap();
        let c = Cache::new(d.path(), true);
        let t = Transcript {
            answer: "hello".into(),
            ..Default::default()
        };
        assert!(c.get(&key("p")).is_none());
        c.put(&key("p"), &t).unwrap();
        assert_eq!(c.get(&key("p")).unwrap().answer, "hello");
        assert!(c.get(&key("q")).is_none());
        // Corrupt entry: ignored.
        let p = c.path(&Cache::digest(&key("p")));
        std::fs::write(&p, b"{not json").unwrap();
        assert!(c.get(&key("p")).is_none());
        // Errors are not cached.
        let bad = Transcript {
            error: Some("boom".into()),
            ..Default::default()
        };
        c.put(&key("r"), &bad).unwrap();
        assert!(c.get(&key("r")).is_none());
        // Reading disabled.
        c.put(&key("p"), &t).unwrap();
        assert!(Cache::new(d.path(), false).get(&key("p")).is_none());
    }
}
