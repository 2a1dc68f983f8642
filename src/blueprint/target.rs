//! Where `new` writes, and how it never loses work: name validation, target
//! resolution (skills-lab layout, `--dir`, `--agent`), refusal of non-empty
//! directories, and installs in one rename with `--force` backups under
//! `.skillforge/backups/`.

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

fn utc_stamp() -> String {
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

/// Where backups of `dir` go: `<lab root>/.skillforge/backups/` (see
/// [`crate::learn::lab_root`]), outside every agents' skills folder, so assistants never
/// load two copies of a skill and `lint` does not check the old one.
pub fn backups_dir(dir: &Path) -> Result<PathBuf> {
    let state = crate::learn::state_dir(&crate::learn::lab_root(dir))?;
    let b = state.join("backups");
    std::fs::create_dir_all(&b).map_err(|e| Error::io(&b, e))?;
    Ok(b)
}

/// Claims a fresh, empty backup directory `<backups>/<name>-<UTC>[-N]` for `dir`
/// (created here, so two runs never pick the same one).
pub fn claim_backup(dir: &Path) -> Result<PathBuf> {
    let base = backups_dir(dir)?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "skill".into());
    let stamp = utc_stamp();
    for n in 0..1000 {
        let p = if n == 0 {
            base.join(format!("{name}-{stamp}"))
        } else {
            base.join(format!("{name}-{stamp}-{n}"))
        };
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&p, e)),
        }
    }
    Err(Error::Other(format!(
        "cannot find a free backup name in {}",
        base.display()
    )))
}

/// Moves a non-empty `dir` into a claimed backup directory; `None` when there was
/// nothing to move (missing or empty; an empty directory is removed).
fn move_to_backup(dir: &Path) -> Result<Option<PathBuf>> {
    match std::fs::symlink_metadata(dir) {
        Err(_) => return Ok(None),
        Ok(m) if !m.is_dir() => {
            return Err(Error::usage_hint(
                format!("{} exists and is not a directory", dir.display()),
                "choose another --name or --dir",
            ));
        }
        Ok(_) => {}
    }
    if is_empty_dir(dir)? {
        let _ = std::fs::remove_dir(dir);
        return Ok(None);
    }
    let backup = claim_backup(dir)?;
    // Renaming a directory onto the empty one we just created replaces it atomically
    // (POSIX); where that is refused, free the name and rename onto it.
    let moved = std::fs::rename(dir, &backup).or_else(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            return Err(e);
        }
        std::fs::remove_dir(&backup)?;
        std::fs::rename(dir, &backup)
    });
    match moved {
        Ok(()) => Ok(Some(backup)),
        Err(e) => {
            let _ = std::fs::remove_dir(&backup);
            if e.kind() == std::io::ErrorKind::NotFound {
                // Another run moved it first.
                Ok(None)
            } else {
                Err(Error::io(dir, e))
            }
        }
    }
}

/// What [`install`] did.
#[derive(Debug, Default)]
pub struct Installed {
    /// Backups made of what was there (normally one; more if other runs raced).
    pub backups: Vec<PathBuf>,
}

/// Installs a rendered skill at `dir` in one step: every file is written into a
/// staging directory under `.skillforge/tmp/`, which then replaces `dir` with a single
/// rename. With `force`, whatever is at `dir` (even a skill another run installed a
/// moment ago) is first moved to a backup; without it, a non-empty `dir` is refused
/// and nothing is written. So the skill reported as created is always complete, and
/// is the one at `dir` when the rename happened.
pub fn install(dir: &Path, force: bool, write: impl Fn(&Path) -> Result<()>) -> Result<Installed> {
    check_writable(dir, force)?;
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let state = crate::learn::state_dir(&crate::learn::lab_root(dir))?;
    let tmp_root = state.join("tmp");
    std::fs::create_dir_all(&tmp_root).map_err(|e| Error::io(&tmp_root, e))?;
    let staging = tempfile::Builder::new()
        .prefix("new-")
        .tempdir_in(&tmp_root)
        .map_err(|e| Error::io(&tmp_root, e))?;
    let staged = staging.path().join("skill");
    write(&staged)?;
    let mut done = Installed::default();
    for _ in 0..5 {
        if force && let Some(b) = move_to_backup(dir)? {
            done.backups.push(b);
        }
        match std::fs::rename(&staged, dir) {
            Ok(()) => return Ok(done),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::DirectoryNotEmpty | std::io::ErrorKind::AlreadyExists
                ) =>
            {
                if !force {
                    return Err(Error::usage_hint(
                        format!(
                            "{} was created by someone else while this skill was being written: refusing to overwrite it",
                            dir.display()
                        ),
                        "nothing was written; pass --force to move it to a backup first",
                    ));
                }
                // Another run installed a skill meanwhile: back it up too, then retry.
            }
            Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
                // Staging area on another file system: write in place instead.
                if force && let Some(b) = move_to_backup(dir)? {
                    done.backups.push(b);
                }
                write(dir)?;
                return Ok(done);
            }
            Err(e) => return Err(Error::io(dir, e)),
        }
    }
    Err(Error::Other(format!(
        "{} kept being replaced by other runs; nothing was installed",
        dir.display()
    )))
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
    fn non_empty_dir_refused_and_force_backs_up_outside_the_skills_folder() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join(".git")).unwrap();
        let t = d.path().join(".claude/skills/s");
        std::fs::create_dir_all(&t).unwrap();
        assert!(check_writable(&t, false).is_ok());
        std::fs::write(t.join("SKILL.md"), "mine").unwrap();
        assert!(check_writable(&t, false).is_err());
        let write = |p: &Path| {
            std::fs::create_dir_all(p).unwrap();
            std::fs::write(p.join("SKILL.md"), "new").map_err(|e| Error::io(p, e))
        };
        assert!(install(&t, false, write).is_err());
        let done = install(&t, true, write).unwrap();
        let b = &done.backups[0];
        assert!(b.starts_with(d.path().join(".skillforge/backups")), "{b:?}");
        assert!(b.file_name().unwrap().to_string_lossy().starts_with("s-"));
        assert_eq!(std::fs::read_to_string(b.join("SKILL.md")).unwrap(), "mine");
        assert_eq!(std::fs::read_to_string(t.join("SKILL.md")).unwrap(), "new");
        // Nothing left in the staging area; only one skill in the agents' folder.
        let tmp = d.path().join(".skillforge/tmp");
        assert_eq!(std::fs::read_dir(tmp).unwrap().count(), 0);
        assert_eq!(
            std::fs::read_dir(d.path().join(".claude/skills"))
                .unwrap()
                .count(),
            1
        );
    }
}
