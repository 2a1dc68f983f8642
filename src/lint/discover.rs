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

/// The agents' project skills folders, relative to a repository root (the folders
/// `new --agent` writes to, `.claude/skills` first).
pub fn agent_skill_dirs() -> Vec<&'static str> {
    use clap::ValueEnum;
    let mut v: Vec<&'static str> = crate::blueprint::Agent::value_variants()
        .iter()
        .map(|a| a.project_dir())
        .collect();
    let mut seen = BTreeSet::new();
    v.retain(|d| seen.insert(*d));
    v
}

/// The git work tree root at or above `start`, if any.
pub fn git_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// What a search for "the skill here" found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nearby {
    /// Skill directories found, sorted, each once.
    pub skills: Vec<PathBuf>,
    /// The agents' folders that were looked in (for messages).
    pub searched: Vec<PathBuf>,
}

/// Looks for skills the way every command does when no path is given: the skill
/// `start` is in (a directory holding SKILL.md, or one below it), else the skills in
/// the agents' folders (`.claude/skills/`, `.agents/skills/`, …) of `start` and of
/// every directory above it up to the git root.
pub fn skills_near(start: &Path) -> Nearby {
    let root = git_root(start);
    // Inside a skill (e.g. in its templates/): that skill.
    for d in start.ancestors() {
        if is_skill_dir(d) {
            return Nearby {
                skills: vec![d.to_path_buf()],
                searched: vec![],
            };
        }
        if root.as_deref() == Some(d) || root.is_none() {
            break;
        }
    }
    let mut skills = BTreeSet::new();
    let mut searched = Vec::new();
    for d in start.ancestors() {
        for rel in agent_skill_dirs() {
            let folder = d.join(rel);
            if let Ok(rd) = std::fs::read_dir(&folder) {
                searched.push(folder.clone());
                for e in rd.filter_map(|e| e.ok()) {
                    let p = e.path();
                    // Never follow a symlinked skill out of the tree.
                    let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
                    if is_dir && is_skill_dir(&p) {
                        skills.insert(p);
                    }
                }
            }
        }
        if root.as_deref() == Some(d) || root.is_none() {
            break;
        }
    }
    Nearby {
        skills: skills.into_iter().collect(),
        searched,
    }
}

/// The one skill a command works on: `explicit` when given, else the only skill
/// [`skills_near`] finds. None found, or several, is a usage error (exit 2) that
/// says where it looked or lists the candidates: skillforge never picks silently.
pub fn find_skill(start: &Path, explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    let near = skills_near(start);
    let show = |p: &Path| crate::lint::display_path(p);
    match near.skills.len() {
        1 => Ok(near.skills.into_iter().next().unwrap_or_default()),
        0 => {
            let looked = if near.searched.is_empty() {
                format!(
                    "{} (no SKILL.md) and its agents' folders ({}) up to the git root",
                    show(start),
                    agent_skill_dirs().join(", ")
                )
            } else {
                near.searched
                    .iter()
                    .map(|p| show(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            Err(Error::usage_hint(
                format!("no skill found: looked in {looked}"),
                "pass the skill directory (e.g. .claude/skills/docker-deployment), or create one with `skillforge new docker-deployment`",
            ))
        }
        n => {
            let list: Vec<String> = near
                .skills
                .iter()
                .map(|p| format!("  {}", show(p)))
                .collect();
            Err(Error::usage_hint(
                format!(
                    "{n} skills found; name the one to use:\n{}",
                    list.join("\n")
                ),
                format!("pass its directory, e.g. `{}`", show(&near.skills[0])),
            ))
        }
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
    fn find_skill_walks_up_to_the_git_root_and_never_picks_silently() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        std::fs::create_dir_all(r.join(".git")).unwrap();
        let sub = r.join("src/deep");
        std::fs::create_dir_all(&sub).unwrap();
        // Nothing yet: exit 2, saying where it looked.
        let e = find_skill(&sub, None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        skill(&r.join(".agents/skills/a"));
        assert_eq!(find_skill(&sub, None).unwrap(), r.join(".agents/skills/a"));
        // Inside a skill: that one, even with others around.
        skill(&r.join(".claude/skills/b"));
        std::fs::create_dir_all(r.join(".claude/skills/b/templates")).unwrap();
        assert_eq!(
            find_skill(&r.join(".claude/skills/b/templates"), None).unwrap(),
            r.join(".claude/skills/b")
        );
        // Two skills, no path: listed, exit 2.
        let e = find_skill(&sub, None).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let msg = e.render();
        assert!(
            msg.contains(".agents/skills/a") && msg.contains(".claude/skills/b"),
            "{msg}"
        );
        // Backups under .skillforge/ are never candidates; above the git root is not searched.
        skill(&r.join(".skillforge/backups/c"));
        assert_eq!(skills_near(&sub).skills.len(), 2);
        assert_eq!(
            find_skill(&sub, Some(Path::new("x"))).unwrap(),
            PathBuf::from("x")
        );
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
