//! Finding skills under the paths given to `lint`: a skill directory, a `SKILL.md`, or
//! any tree (`.claude/skills`, `.agents/skills`, `skills/`, nested layouts; a skill
//! directory itself is not searched for further skills). The walk
//! respects `.gitignore`, looks into hidden agent directories (but never `.git`), does
//! not follow symlinks (so it cannot leave the tree or loop), and returns each skill
//! directory once, sorted.

use crate::error::{Error, Result};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What a path given on the command line turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A skill directory (holding SKILL.md or skill.md).
    Skill(PathBuf),
    /// A SKILL.md path given explicitly.
    SkillFile(PathBuf),
}

impl Target {
    pub fn path(&self) -> &Path {
        match self {
            Target::Skill(p) | Target::SkillFile(p) => p,
        }
    }
}

fn is_skill_dir(dir: &Path) -> bool {
    dir.join("SKILL.md").is_file() || dir.join("skill.md").is_file()
}

/// Resolves command-line paths to skill targets.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Target>> {
    let mut out: BTreeSet<Target> = BTreeSet::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|_| {
            Error::input(path, "no such file or directory")
                .with_hint("pass a skill directory, a SKILL.md, or a tree containing skills")
        })?;
        if meta.is_file() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.eq_ignore_ascii_case("skill.md") {
                out.insert(Target::SkillFile(path.clone()));
                continue;
            }
            return Err(Error::input(
                path,
                "not a skill: lint takes skill directories, SKILL.md files or trees",
            )
            .with_hint(
                "Dockerfiles and compose files are checked as part of the skill that contains them",
            ));
        }
        if is_skill_dir(path) {
            out.insert(Target::Skill(path.clone()));
            continue;
        }
        walk(path, &mut out);
    }
    Ok(out.into_iter().collect())
}

fn walk(root: &Path, out: &mut BTreeSet<Target>) {
    // A directory holding SKILL.md is recorded and not descended into: its references/,
    // scripts/ and templates/ belong to that skill (and skipping them saves most of the
    // walk's system calls on large trees).
    let found = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = std::sync::Arc::clone(&found);
    ignore::WalkBuilder::new(root)
        .hidden(false)
        .follow_links(false)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .parents(true)
        .filter_entry(move |e| {
            let name = e.file_name();
            // `.skillforge/` holds backups (install, --force), never live skills.
            if name == ".git" || name == "target" || name == "node_modules" || name == ".skillforge"
            {
                return false;
            }
            if e.depth() > 0 && e.file_type().is_some_and(|t| t.is_dir()) && is_skill_dir(e.path())
            {
                if let Ok(mut v) = sink.lock() {
                    v.push(e.path().to_path_buf());
                }
                return false;
            }
            true
        })
        .build_parallel()
        .run(|| Box::new(|_| ignore::WalkState::Continue));
    let dirs = found.lock().map(|v| v.clone()).unwrap_or_default();
    for dir in dirs {
        out.insert(Target::Skill(dir));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(dir: &Path) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("SKILL.md"), "---\nname: x\ndescription: y\n---\n").unwrap();
    }

    #[test]
    fn finds_skills_in_agent_dirs_and_respects_gitignore() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        skill(&r.join(".claude/skills/a"));
        skill(&r.join(".agents/skills/b"));
        skill(&r.join("skills/group/c"));
        skill(&r.join("ignored/d"));
        std::fs::write(r.join(".gitignore"), "ignored/\n").unwrap();
        let found = discover(&[r.to_path_buf()]).unwrap();
        let mut names: Vec<_> = found
            .iter()
            .map(|t| t.path().file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, vec!["a", "b", "c"]);
    }

    #[test]
    fn symlink_loops_are_not_followed() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        skill(&r.join("skills/a"));
        #[cfg(unix)]
        std::os::unix::fs::symlink(r, r.join("skills/loop")).unwrap();
        let found = discover(&[r.to_path_buf()]).unwrap();
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn explicit_paths() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        skill(&r.join("a"));
        assert_eq!(
            discover(&[r.join("a")]).unwrap(),
            vec![Target::Skill(r.join("a"))]
        );
        assert_eq!(
            discover(&[r.join("a/SKILL.md")]).unwrap(),
            vec![Target::SkillFile(r.join("a/SKILL.md"))]
        );
        assert!(discover(&[r.join("missing")]).is_err());
        std::fs::write(r.join("Dockerfile"), "FROM x\n").unwrap();
        assert!(discover(&[r.join("Dockerfile")]).is_err());
    }
}
