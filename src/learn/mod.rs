//! The learner's loop around `test`: where a skills-lab keeps its state
//! (`.skillforge/` at the lab root), the run history and deltas ([`history`]),
//! `skillforge next` ([`next`]), `test --watch` ([`watch`]), and shell integration
//! ([`shell`]: completions, man page).

pub mod history;
pub mod next;
pub mod shell;
pub mod watch;

pub use next::{NextArgs, run_next};

use std::path::{Path, PathBuf};

/// The folder skillforge keeps its state in, at the lab root.
pub const STATE_DIR: &str = ".skillforge";

/// The skills-lab root of a skill directory: the directory holding its agents' folder
/// (`X` for `X/.claude/skills/<skill>`), else its git work tree root, else the skill's
/// parent. Never inside an agents' skills folder, so nothing kept there is ever
/// discovered as a skill.
pub fn lab_root(skill_dir: &Path) -> PathBuf {
    let abs = std::path::absolute(skill_dir).unwrap_or_else(|_| skill_dir.to_path_buf());
    let parent = abs.parent().unwrap_or(Path::new(".")).to_path_buf();
    for rel in crate::lint::discover::agent_skill_dirs() {
        if parent.ends_with(rel) {
            let mut up = parent.clone();
            for _ in Path::new(rel).components() {
                up.pop();
            }
            return up;
        }
    }
    crate::lint::discover::git_root(&abs).unwrap_or(parent)
}

/// Makes `<root>/.skillforge/` with a `.gitignore` that keeps all of it out of git.
pub fn state_dir(root: &Path) -> crate::Result<PathBuf> {
    let dir = root.join(STATE_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| crate::Error::io(&dir, e))?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        crate::fsutil::write_atomic(
            &ignore,
            b"# skillforge's local state (test history, backups): not for git\n*\n",
        )?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_root_is_the_git_root_or_above_the_agent_folder() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        let s = r.join("lab/.claude/skills/x");
        std::fs::create_dir_all(&s).unwrap();
        assert_eq!(lab_root(&s), r.join("lab"));
        let plain = r.join("other/x");
        std::fs::create_dir_all(&plain).unwrap();
        assert_eq!(lab_root(&plain), r.join("other"));
        std::fs::create_dir_all(r.join(".git")).unwrap();
        assert_eq!(lab_root(&plain), r.to_path_buf());
        // A lab nested in another repository keeps its own state.
        assert_eq!(lab_root(&s), r.join("lab"));
        let d = state_dir(&r.join("other")).unwrap();
        assert_eq!(
            std::fs::read_to_string(d.join(".gitignore"))
                .unwrap()
                .lines()
                .last(),
            Some("*")
        );
    }
}
