//! Shipping skills: `.skill` archives (`package`, and the archive checks behind
//! `lint FILE.skill`), `install` into the folders agents read, and `init-ci`.
//!
//! Packaging and installing copy the same files: [`collect`] walks a skill directory
//! once, leaves out what an agent never needs (`evals/`, OS and editor junk, caches,
//! skillforge's own temp files) and refuses what cannot be shipped safely (symlinks
//! leaving the skill, FIFOs and devices, oversized files).

pub mod archive;
pub mod ci;
pub mod install;
pub mod package;

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// At most this many files in a skill or an archive.
pub const MAX_ENTRIES: usize = 5_000;
/// At most this many bytes in one file (uncompressed).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;
/// At most this many bytes in the whole skill (uncompressed) and in a `.skill` file.
pub const MAX_TOTAL_BYTES: u64 = 50 * 1024 * 1024;
/// An entry over 1 MiB that expands more than this many times is treated as a zip bomb.
pub const MAX_RATIO: u64 = 100;
/// Deeper directory nesting than this is refused (and never needed by a skill).
pub const MAX_DEPTH: usize = 24;

/// One file to ship: its path inside the skill (`/`-separated) and where to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub rel: String,
    pub source: PathBuf,
    pub size: u64,
    pub executable: bool,
}

/// What [`collect`] found: the files to ship and what it left out (path, why).
#[derive(Debug, Default)]
pub struct Collected {
    pub entries: Vec<Entry>,
    pub left_out: Vec<(String, &'static str)>,
}

impl Collected {
    pub fn total_bytes(&self) -> u64 {
        self.entries.iter().map(|e| e.size).sum()
    }

    /// A short summary of what was left out, grouping by reason.
    pub fn left_out_summary(&self) -> Option<String> {
        if self.left_out.is_empty() {
            return None;
        }
        let shown: Vec<&str> = self.left_out.iter().map(|(p, _)| p.as_str()).collect();
        let more = shown.len().saturating_sub(6);
        let mut s = shown.iter().take(6).copied().collect::<Vec<_>>().join(", ");
        if more > 0 {
            s.push_str(&format!(" and {more} more"));
        }
        Some(s)
    }
}

/// Why a path inside a skill is not shipped, if it is not. `rel` is `/`-separated;
/// `is_dir` says whether it names a directory.
pub fn left_out_reason(rel: &str, is_dir: bool) -> Option<&'static str> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let top_level = !rel.contains('/');
    if top_level && is_dir && name == "evals" {
        return Some("evals are for developing the skill, not for the agent");
    }
    if is_dir {
        return match name {
            ".git" | ".svn" | ".hg" => Some("version-control data"),
            "__pycache__" | "node_modules" | ".venv" | ".pytest_cache" | ".mypy_cache" => {
                Some("a cache or installed dependencies")
            }
            _ if name.starts_with(".skillforge") => Some("skillforge's own working files"),
            _ => None,
        };
    }
    match name {
        ".DS_Store" | "Thumbs.db" | "desktop.ini" => return Some("operating-system junk"),
        _ => {}
    }
    if name.starts_with(".skillforge") {
        return Some("skillforge's own working files");
    }
    if name.ends_with(".pyc") || name.ends_with(".pyo") {
        return Some("compiled Python");
    }
    if name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || name.ends_with(".bak")
        || name.ends_with(".orig")
        || name.ends_with(".rej")
        || name.starts_with(".#")
        || (name.starts_with('#') && name.ends_with('#') && name.len() > 1)
    {
        return Some("an editor backup or merge leftover");
    }
    None
}

/// Walks a skill directory and lists what to ship, sorted by path. Symlinks inside
/// the skill that point at a file inside it are shipped as that file; anything else
/// that cannot be shipped safely is an input error naming the path and the fix.
pub fn collect(skill_dir: &Path) -> Result<Collected> {
    let root = std::fs::canonicalize(skill_dir).map_err(|e| Error::io(skill_dir, e))?;
    let mut out = Collected::default();
    let mut total = 0u64;
    let mut stack: Vec<(PathBuf, String, usize)> =
        vec![(skill_dir.to_path_buf(), String::new(), 0)];
    while let Some((dir, prefix, depth)) = stack.pop() {
        let rd = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        for entry in rd {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let path = entry.path();
            let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                return Err(Error::input(&path, "file name is not valid UTF-8")
                    .with_hint("rename it: archives and agents need UTF-8 paths"));
            };
            if name.contains('\\') || name.chars().any(char::is_control) {
                return Err(Error::input(
                    &path,
                    "file name contains a backslash or a control character",
                )
                .with_hint("rename it to plain letters, digits, `-`, `_` and `.`"));
            }
            let rel = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}/{name}")
            };
            let ft = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if let Some(why) = left_out_reason(&rel, ft.is_dir()) {
                out.left_out
                    .push((if ft.is_dir() { format!("{rel}/") } else { rel }, why));
                continue;
            }
            let (meta, is_dir) = if ft.is_symlink() {
                let target = std::fs::canonicalize(&path).map_err(|_| {
                    Error::input(&path, "broken symlink")
                        .with_hint("remove it or point it at a file inside the skill")
                })?;
                if !target.starts_with(&root) {
                    return Err(Error::input(
                        &path,
                        format!(
                            "symlink leaves the skill (it points to {})",
                            target.display()
                        ),
                    )
                    .with_hint(
                        "a shipped skill must be self-contained: copy the file into the skill instead of linking to it",
                    ));
                }
                let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
                if meta.is_dir() {
                    return Err(Error::input(&path, "symlink to a directory").with_hint(
                        "replace it with the directory itself (links to directories can loop)",
                    ));
                }
                (meta, false)
            } else {
                let meta = entry.metadata().map_err(|e| Error::io(&path, e))?;
                (meta, ft.is_dir())
            };
            if is_dir {
                if depth + 1 > MAX_DEPTH {
                    return Err(Error::input(
                        &path,
                        format!("nested more than {MAX_DEPTH} directories deep"),
                    )
                    .with_hint("flatten the layout: references are one level deep"));
                }
                stack.push((path, rel, depth + 1));
                continue;
            }
            if !meta.is_file() {
                return Err(
                    Error::input(&path, "not a regular file (a FIFO, socket or device)")
                        .with_hint("remove it from the skill: only regular files can be shipped"),
                );
            }
            let size = meta.len();
            if size > MAX_FILE_BYTES {
                return Err(Error::input(
                    &path,
                    format!(
                        "{} is over the {} limit for one file",
                        crate::fsutil::human_size(size),
                        crate::fsutil::human_size(MAX_FILE_BYTES)
                    ),
                )
                .with_hint("skills are read by agents: keep large data out of the skill"));
            }
            total += size;
            if total > MAX_TOTAL_BYTES {
                return Err(Error::input(
                    skill_dir,
                    format!(
                        "the skill is over the {} limit",
                        crate::fsutil::human_size(MAX_TOTAL_BYTES)
                    ),
                )
                .with_hint("keep large data out of the skill"));
            }
            if out.entries.len() >= MAX_ENTRIES {
                return Err(Error::input(
                    skill_dir,
                    format!("the skill has more than {MAX_ENTRIES} files"),
                )
                .with_hint("keep generated or vendored files out of the skill"));
            }
            out.entries.push(Entry {
                rel,
                source: path,
                size,
                executable: is_executable(&meta),
            });
        }
    }
    out.entries.sort_by(|a, b| a.rel.cmp(&b.rel));
    out.left_out.sort();
    Ok(out)
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    false
}

/// Loads a skill for `package` / `install`, turning a load failure into an input error.
pub fn load_skill(path: &Path, what: &str) -> Result<crate::skill::Skill> {
    crate::skill::Skill::load(path).map_err(|e| {
        let full = e.to_string();
        let message = full
            .rsplit(": ")
            .next()
            .unwrap_or("cannot load")
            .to_string();
        Error::input(e.path(), message).with_hint(format!("{}; {what}", e.hint()))
    })
}

/// A UTC timestamp for backup folder names: `20261202T104800Z`.
pub fn utc_stamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

/// Moves `path` to `<base>/.skillforge/backups/<name>-<UTC>/` (a counter is added when
/// that exists) and returns the new path. `.skillforge/` is outside every folder an
/// agent or `skillforge lint` searches for skills.
pub fn backup(path: &Path, base: &Path, name: &str) -> Result<PathBuf> {
    let dir = base.join(".skillforge").join("backups");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let stamp = utc_stamp();
    let mut dest = dir.join(format!("{name}-{stamp}"));
    let mut n = 1;
    while std::fs::symlink_metadata(&dest).is_ok() {
        dest = dir.join(format!("{name}-{stamp}-{n}"));
        n += 1;
    }
    std::fs::rename(path, &dest).map_err(|e| Error::io(path, e))?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junk_and_evals_are_left_out() {
        assert!(left_out_reason("evals", true).is_some());
        assert!(left_out_reason("references/evals", true).is_none());
        for junk in [
            ".DS_Store",
            "scripts/x.pyc",
            "notes.md~",
            "a/.b.swp",
            "SKILL.md.orig",
            ".skillforge-tmp-x",
            "#x#",
        ] {
            assert!(left_out_reason(junk, false).is_some(), "{junk}");
        }
        for dir in ["scripts/__pycache__", "node_modules", ".git"] {
            assert!(left_out_reason(dir, true).is_some(), "{dir}");
        }
        for keep in [
            "SKILL.md",
            "templates/.dockerignore",
            "references/a.md",
            "evals.md",
        ] {
            assert!(left_out_reason(keep, false).is_none(), "{keep}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn collect_refuses_escaping_symlinks_and_fifos() {
        let t = tempfile::tempdir().unwrap();
        let s = t.path().join("s");
        std::fs::create_dir_all(s.join("references")).unwrap();
        std::fs::write(s.join("SKILL.md"), "x").unwrap();
        std::fs::write(s.join("references/a.md"), "a").unwrap();
        std::os::unix::fs::symlink("a.md", s.join("references/b.md")).unwrap();
        let c = collect(&s).unwrap();
        let rels: Vec<&str> = c.entries.iter().map(|e| e.rel.as_str()).collect();
        assert_eq!(rels, ["SKILL.md", "references/a.md", "references/b.md"]);
        std::fs::write(t.path().join("secret"), "s").unwrap();
        std::os::unix::fs::symlink(t.path().join("secret"), s.join("leak")).unwrap();
        let e = collect(&s).unwrap_err().render();
        assert!(e.contains("symlink leaves the skill"), "{e}");
        std::fs::remove_file(s.join("leak")).unwrap();
        let fifo = s.join("pipe");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|st| st.success());
        if ok {
            let e = collect(&s).unwrap_err().render();
            assert!(e.contains("not a regular file"), "{e}");
        }
    }

    #[test]
    fn backups_go_under_dot_skillforge() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("x");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("f"), "keep").unwrap();
        let b = backup(&d, t.path(), "x").unwrap();
        assert!(b.starts_with(t.path().join(".skillforge/backups")));
        assert_eq!(std::fs::read_to_string(b.join("f")).unwrap(), "keep");
        assert!(!d.exists());
    }
}
