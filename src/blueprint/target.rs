//! Where `new` writes, and how it never loses work: name validation, target
//! resolution (skills-lab layout, `--dir`, `--agent`), refusal of non-empty
//! directories, and `--force` backups.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Agents whose project skills directory `--agent` can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Agent {
    #[value(name = "claude-code", alias = "claude")]
    Claude,
    Codex,
    Cursor,
    Gemini,
    Copilot,
    Opencode,
    Windsurf,
    Cline,
    Goose,
    Roo,
}

impl Agent {
    /// The agent's project skills directory, relative to the repository root.
    pub fn project_dir(self) -> &'static str {
        match self {
            Agent::Claude => ".claude/skills",
            Agent::Codex | Agent::Gemini | Agent::Copilot | Agent::Opencode => ".agents/skills",
            Agent::Cursor => ".cursor/skills",
            Agent::Windsurf => ".windsurf/skills",
            Agent::Cline => ".cline/skills",
            Agent::Goose => ".goose/skills",
            Agent::Roo => ".roo/skills",
        }
    }

    /// The agent's user (global) skills directory, relative to the home directory.
    /// Every agent in the table reads `~/<project dir>` (`~/.claude/skills`,
    /// `~/.agents/skills`, …), the cross-agent convention.
    pub fn user_dir(self) -> &'static str {
        self.project_dir()
    }

    /// The name `--agent` accepts for this agent.
    pub fn cli_name(self) -> String {
        use clap::ValueEnum;
        self.to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default()
    }

    /// Every agent that reads `dir` (a project or user skills directory), by CLI name.
    pub fn readers_of(dir: &str) -> Vec<String> {
        use clap::ValueEnum;
        Agent::value_variants()
            .iter()
            .filter(|a| a.project_dir() == dir)
            .map(|a| a.cli_name())
            .collect()
    }
}

/// Checks a skill name against the Agent Skills spec (1–64 chars of `[a-z0-9-]`, no
/// leading, trailing or doubled hyphen).
pub fn validate_name(name: &str) -> Result<()> {
    let problem = if name.is_empty() {
        Some("is empty".to_string())
    } else if name.chars().count() > 64 {
        Some(format!(
            "is {} characters long (at most 64)",
            name.chars().count()
        ))
    } else if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        Some(format!(
            "contains `{c}` (only lowercase letters, digits and hyphens)"
        ))
    } else if name.starts_with('-') || name.ends_with('-') {
        Some("starts or ends with a hyphen".to_string())
    } else if name.contains("--") {
        Some("contains `--`".to_string())
    } else {
        None
    };
    match problem {
        Some(p) => Err(Error::usage_hint(
            format!("invalid skill name `{name}`: it {p}"),
            "use 1-64 lowercase letters, digits and single hyphens, e.g. `docker-deployment`",
        )),
        None => Ok(()),
    }
}

/// A resolved target and why it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: PathBuf,
    pub why: String,
}

/// The git repository root containing `start` (a directory with `.git`), if any.
pub fn git_root(start: &Path) -> Option<PathBuf> {
    let mut d = Some(start);
    while let Some(dir) = d {
        if dir.join(".git").exists() {
            return Some(dir.to_path_buf());
        }
        d = dir.parent();
    }
    None
}

/// Resolves the skill directory: `--dir DIR` → `DIR/<name>`; `--agent A` → the
/// agent's project dir at the repository root (or `cwd` outside a repository);
/// otherwise `<repo>/.claude/skills/<name>` when that directory exists, else
/// `cwd/<name>`.
pub fn resolve(cwd: &Path, name: &str, dir: Option<&Path>, agent: Option<Agent>) -> Result<Target> {
    if let Some(d) = dir {
        if d.exists() && !d.is_dir() {
            return Err(Error::usage(format!(
                "--dir {}: not a directory",
                d.display()
            )));
        }
        let base = if d.is_absolute() {
            d.to_path_buf()
        } else {
            cwd.join(d)
        };
        return Ok(Target {
            path: base.join(name),
            why: "--dir".into(),
        });
    }
    let root = git_root(cwd);
    if let Some(a) = agent {
        let base = root.clone().unwrap_or_else(|| cwd.to_path_buf());
        return Ok(Target {
            path: base.join(a.project_dir()).join(name),
            why: format!("--agent {}", a.project_dir()),
        });
    }
    if let Some(r) = root
        && r.join(".claude/skills").is_dir()
    {
        return Ok(Target {
            path: r.join(".claude/skills").join(name),
            why: "skills-lab layout: .claude/skills/ in this repository".into(),
        });
    }
    Ok(Target {
        path: cwd.join(name),
        why: "no .claude/skills/ in a git repository here; use --agent or --dir to choose".into(),
    })
}

fn is_empty_dir(p: &Path) -> Result<bool> {
    let mut rd = std::fs::read_dir(p).map_err(|e| Error::io(p, e))?;
    Ok(rd.next().is_none())
}

/// Refuses a target that exists and is not an empty directory (unless `force` and it
/// is a directory). Never touches the disk.
pub fn check_writable(dir: &Path, force: bool) -> Result<()> {
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(m) => m,
        Err(_) => return Ok(()),
    };
    if !meta.is_dir() {
        return Err(Error::usage_hint(
            format!("{} exists and is not a directory", dir.display()),
            "choose another --name or --dir",
        ));
    }
    if is_empty_dir(dir)? || force {
        return Ok(());
    }
    Err(Error::usage_hint(
        format!(
            "{} already exists and is not empty: refusing to overwrite it",
            dir.display()
        ),
        "pass --force to move it to a timestamped backup first, or choose another --name or --dir",
    ))
}

/// The backup path for `dir`: `<dir>.backup-<UTC timestamp>` (a counter is added if
/// that exists too).
pub fn backup_path(dir: &Path) -> PathBuf {
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let base = dir
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches('/')
        .to_string();
    let mut p = PathBuf::from(format!("{base}.backup-{stamp}"));
    let mut n = 1;
    while p.exists() {
        p = PathBuf::from(format!("{base}.backup-{stamp}-{n}"));
        n += 1;
    }
    p
}

/// Makes `dir` ready to receive files: with `force`, a non-empty directory is first
/// renamed to a backup, whose path is returned.
pub fn prepare(dir: &Path, force: bool) -> Result<Option<PathBuf>> {
    check_writable(dir, force)?;
    if dir.is_dir() && !is_empty_dir(dir)? {
        let backup = backup_path(dir);
        std::fs::rename(dir, &backup).map_err(|e| Error::io(dir, e))?;
        return Ok(Some(backup));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_spec() {
        assert!(validate_name("docker-deployment").is_ok());
        for bad in ["", "Docker", "a--b", "-a", "a-", "a_b", &"a".repeat(65)] {
            let e = validate_name(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn target_prefers_skills_lab_layout_then_cwd() {
        let d = tempfile::tempdir().unwrap();
        let repo = d.path();
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        let sub = repo.join("src");
        std::fs::create_dir_all(&sub).unwrap();
        assert_eq!(resolve(&sub, "x", None, None).unwrap().path, sub.join("x"));
        std::fs::create_dir_all(repo.join(".claude/skills")).unwrap();
        assert_eq!(
            resolve(&sub, "x", None, None).unwrap().path,
            repo.join(".claude/skills/x")
        );
        assert_eq!(
            resolve(&sub, "x", None, Some(Agent::Codex)).unwrap().path,
            repo.join(".agents/skills/x")
        );
        assert_eq!(
            resolve(&sub, "x", Some(Path::new("out")), None)
                .unwrap()
                .path,
            sub.join("out/x")
        );
    }

    #[test]
    fn non_empty_dir_refused_and_force_backs_up() {
        let d = tempfile::tempdir().unwrap();
        let t = d.path().join("s");
        std::fs::create_dir_all(&t).unwrap();
        assert!(check_writable(&t, false).is_ok());
        std::fs::write(t.join("SKILL.md"), "mine").unwrap();
        assert!(check_writable(&t, false).is_err());
        let b = prepare(&t, true).unwrap().unwrap();
        assert!(b.to_string_lossy().contains("s.backup-"));
        assert_eq!(std::fs::read_to_string(b.join("SKILL.md")).unwrap(), "mine");
        assert!(!t.exists());
    }
}
