//! The skill as an assistant sees it: its name and description (what an agent lists),
//! its files (what `load_skill` / `read_file` return, what Claude Code gets copied into
//! `.claude/skills/<name>/`), and a content hash that keys the response cache.
//!
//! Only regular files inside the skill folder are part of the bundle: symlinks are
//! never followed (a link out of the skill would leak files into the prompt), FIFOs and
//! devices are skipped, and sizes are capped.

use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Largest file offered to a model (bigger files are data, not guidance).
pub const MAX_FILE: u64 = 512 * 1024;
/// Most files a bundle holds.
pub const MAX_FILES: usize = 2_000;

/// One file of the skill.
#[derive(Debug, Clone)]
pub struct BundleFile {
    /// Relative path with `/` separators.
    pub rel: String,
    pub bytes: Vec<u8>,
}

/// A skill ready to be offered to an assistant.
#[derive(Debug, Clone)]
pub struct SkillBundle {
    pub name: String,
    pub description: String,
    /// The skill directory (absolute).
    pub dir: PathBuf,
    /// Every regular file, sorted by path (SKILL.md included).
    pub files: Vec<BundleFile>,
    /// Files left out, with why (symlink, too large, not a regular file).
    pub skipped: Vec<(String, String)>,
    /// sha256 over every file's path and content.
    pub hash: String,
}

impl SkillBundle {
    /// Reads the skill at `dir` (whose SKILL.md has already been parsed into `skill`).
    pub fn load(skill: &crate::skill::Skill) -> Result<SkillBundle> {
        let dir = std::fs::canonicalize(&skill.dir).map_err(|e| Error::io(&skill.dir, e))?;
        let name = skill
            .name()
            .map(str::to_string)
            .or_else(|| skill.dir_name())
            .unwrap_or_else(|| "skill".into());
        let description = skill
            .doc
            .frontmatter
            .str("description")
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        // The skill model already lists the skill's files (hidden folders and OS litter
        // left out, symlinks marked); the bundle only reads them.
        let md_name = skill
            .skill_md
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "SKILL.md".into());
        let mut files = vec![BundleFile {
            rel: md_name,
            bytes: skill.doc.text.clone().into_bytes(),
        }];
        let mut skipped = Vec::new();
        for f in &skill.files {
            if f.is_symlink {
                skipped.push((f.rel.clone(), "symlink (not followed)".into()));
            } else if files.len() >= MAX_FILES {
                skipped.push((f.rel.clone(), format!("more than {MAX_FILES} files")));
            } else {
                match crate::fsutil::read_capped(&dir.join(&f.rel), MAX_FILE) {
                    Ok(bytes) => files.push(BundleFile {
                        rel: f.rel.clone(),
                        bytes,
                    }),
                    Err(crate::fsutil::ReadError::TooLarge { size, cap }) => skipped.push((
                        f.rel.clone(),
                        format!(
                            "{} is over the {} cap",
                            crate::fsutil::human_size(size),
                            crate::fsutil::human_size(cap)
                        ),
                    )),
                    Err(crate::fsutil::ReadError::Io(e)) => {
                        skipped.push((f.rel.clone(), e.to_string()))
                    }
                }
            }
        }
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        let mut h = Sha256::new();
        for f in &files {
            h.update(f.rel.as_bytes());
            h.update([0]);
            h.update(Sha256::digest(&f.bytes));
        }
        Ok(SkillBundle {
            name,
            description,
            dir,
            files,
            skipped,
            hash: hex::encode(h.finalize()),
        })
    }

    /// The text of a file of the bundle.
    pub fn text(&self, rel: &str) -> Option<String> {
        self.files
            .iter()
            .find(|f| f.rel == rel)
            .map(|f| String::from_utf8_lossy(&f.bytes).into_owned())
    }

    /// SKILL.md's text.
    pub fn skill_md(&self) -> String {
        self.text("SKILL.md")
            .or_else(|| self.text("skill.md"))
            .unwrap_or_default()
    }

    /// Resolves a path the model asked for to a file of the bundle. Refuses absolute
    /// paths, `..`, and anything not in the bundle (which already excludes symlinks
    /// and special files); accepts `name/…` and `./…` prefixes.
    pub fn resolve(&self, asked: &str) -> std::result::Result<&BundleFile, String> {
        let a = asked.trim();
        if a.is_empty() {
            return Err("empty path".into());
        }
        if a.starts_with('/') || a.starts_with('\\') || a.contains(':') {
            return Err(format!(
                "`{}` is absolute: paths are relative to the skill folder (e.g. references/compose.md)",
                super::escape_ctl(a)
            ));
        }
        let norm = a.replace('\\', "/");
        if norm.split('/').any(|c| c == "..") {
            return Err(format!(
                "`{}` leaves the skill folder: only files inside it can be read",
                super::escape_ctl(a)
            ));
        }
        let mut rel = norm.trim_start_matches("./");
        if let Some(r) = rel.strip_prefix(&format!("{}/", self.name)) {
            rel = r;
        }
        self.files.iter().find(|f| f.rel == rel).ok_or_else(|| {
            let listing: Vec<&str> = self.files.iter().map(|f| f.rel.as_str()).take(40).collect();
            format!(
                "no file `{}` in the skill; files: {}",
                super::escape_ctl(a),
                listing.join(", ")
            )
        })
    }
}

/// Copies the bundle into `dest` (created), for agents that read skills from disk.
pub fn install_copy(b: &SkillBundle, dest: &Path) -> Result<()> {
    for f in &b.files {
        let p = dest.join(&f.rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&p, &f.bytes).map_err(|e| Error::io(&p, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(dir: &Path) -> SkillBundle {
        let skill = crate::skill::Skill::load(dir).unwrap();
        SkillBundle::load(&skill).unwrap()
    }

    #[test]
    fn resolves_inside_and_refuses_traversal() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("demo");
        std::fs::create_dir_all(d.join("references")).unwrap();
        std::fs::write(
            d.join("SKILL.md"),
            "---\nname: demo\ndescription: A demo.\n---\nBody\n",
        )
        .unwrap();
        std::fs::write(d.join("references/a.md"), "A").unwrap();
        std::fs::write(t.path().join("secret.txt"), "top secret").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(t.path().join("secret.txt"), d.join("references/leak.md"))
            .unwrap();
        let b = bundle(&d);
        assert_eq!(b.resolve("references/a.md").unwrap().bytes, b"A");
        assert_eq!(b.resolve("./demo/references/a.md").unwrap().bytes, b"A");
        assert!(b.resolve("../secret.txt").unwrap_err().contains("leaves"));
        assert!(
            b.resolve("references/../../secret.txt")
                .unwrap_err()
                .contains("leaves")
        );
        assert!(b.resolve("/etc/passwd").unwrap_err().contains("absolute"));
        #[cfg(unix)]
        {
            assert!(b.resolve("references/leak.md").is_err());
            assert!(b.skipped.iter().any(|(r, _)| r == "references/leak.md"));
        }
        assert_eq!(b.name, "demo");
        assert_eq!(b.description, "A demo.");
    }

    #[test]
    fn hash_follows_content() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("demo");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("SKILL.md"),
            "---\nname: demo\ndescription: x\n---\nA\n",
        )
        .unwrap();
        let h1 = bundle(&d).hash;
        std::fs::write(d.join(".dockerignore"), "**/.env\n").unwrap();
        let h2 = bundle(&d).hash;
        assert_ne!(h1, h2, "dotfiles are part of the skill");
        assert_eq!(h2, bundle(&d).hash);
    }
}
