//! `skillforge install`: put a skill (a directory or a `.skill` archive) where agents
//! look for skills, by copy or by symlink.
//!
//! Destinations come from the one agent table, [`crate::blueprint::target::Agent`]
//! (the same one `new --agent` uses): `<project>/<dir>/<name>` or, with `--global`,
//! `~/<dir>/<name>`. Several agents sharing a folder (`.agents/skills`) get one copy.
//! Nothing is lost: a different skill (or any other file) at the destination is
//! refused without `--force`; whatever is replaced is first moved to
//! `<project or home>/.skillforge/backups/<name>-<UTC>/`. A copy is staged next to its
//! destination and renamed into place, so an interrupted install leaves the old skill.

use super::archive;
use crate::blueprint::target::{Agent, git_root, validate_name};
use crate::error::{Error, Result};
use crate::lint::Config;
use crate::lint::discover::Target;
use crate::report::render::{self, SourceCache};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `skillforge install`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = INSTALL_AFTER_HELP)]
pub struct InstallArgs {
    /// A skill directory or a .skill archive [default: the skill in this skills-lab]
    pub source: Option<PathBuf>,
    /// Agent(s) to install for; repeat or comma-separate (e.g. --agent claude-code,codex)
    #[arg(long, value_enum, required = true, value_delimiter = ',')]
    pub agent: Vec<Agent>,
    /// Install into the user's skills folder (~/.claude/skills, ~/.agents/skills, …)
    #[arg(long)]
    pub global: bool,
    /// Symlink to the skill directory instead of copying it (edits show at once)
    #[arg(long)]
    pub link: bool,
    /// Replace a different skill at the destination (it is moved to .skillforge/backups/ first)
    #[arg(long)]
    pub force: bool,
    /// Project to install into [default: the git repository around the current directory, else .]
    #[arg(long, value_name = "DIR", conflicts_with = "global")]
    pub project: Option<PathBuf>,
}

const INSTALL_AFTER_HELP: &str = "\
Where skills go (project folder; --global puts them under your home directory instead):
  claude-code  .claude/skills      codex, gemini, copilot, opencode  .agents/skills
  cursor       .cursor/skills      windsurf .windsurf/skills   cline .cline/skills
  goose        .goose/skills       roo      .roo/skills

The skill is linted first (errors refuse to install); evals/ and junk are not copied.
Updating the same skill replaces it, keeping the old copy in .skillforge/backups/;
a different skill at the destination needs --force (and is backed up the same way).

Exit codes: 0 installed (or already up to date); 1 the skill has lint errors;
2 usage or input error.

Examples:
  skillforge install --agent codex                        # this skills-lab's skill
  skillforge install dist/docker-deployment.skill --agent claude-code --global
  skillforge install .claude/skills/docker-deployment --agent cursor --link";

/// What happened at one destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    Installed {
        dest: PathBuf,
        backup: Option<PathBuf>,
    },
    UpToDate(PathBuf),
}

/// Runs `skillforge install`.
pub fn run(args: InstallArgs) -> Result<u8> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let source = match &args.source {
        Some(p) => p.clone(),
        None => crate::eval::default_skill_path(&cwd),
    };
    let base = if args.global {
        dirs::home_dir().ok_or_else(|| {
            Error::usage_hint(
                "cannot tell where your home directory is",
                "set HOME, or install into a project without --global",
            )
        })?
    } else {
        match &args.project {
            Some(p) => {
                if !p.is_dir() {
                    return Err(Error::usage(format!(
                        "--project {}: not a directory",
                        p.display()
                    )));
                }
                p.clone()
            }
            None => git_root(&cwd).unwrap_or_else(|| cwd.clone()),
        }
    };
    let opts = Options {
        link: args.link,
        force: args.force,
        global: args.global,
    };
    match install(&source, &args.agent, &base, opts)? {
        Outcome::LintErrors(text, errors) => {
            let _ = std::io::stderr().write_all(text.as_bytes());
            eprintln!(
                "error: refusing to install: {errors} lint error{} (above); nothing was changed",
                if errors == 1 { "" } else { "s" }
            );
            Ok(1)
        }
        Outcome::Done(name, done) => {
            for (dir, d) in done {
                let readers = Agent::readers_of(dir).join(", ");
                match d {
                    Done::Installed { dest, backup } => {
                        println!(
                            "installed {name} into {} ({} {}; read by {readers})",
                            crate::lint::display_path(&dest),
                            if args.link { "link" } else { "copy" },
                            if args.global {
                                "for your user"
                            } else {
                                "for this project"
                            }
                        );
                        if let Some(b) = backup {
                            println!(
                                "  the previous copy is in {}",
                                crate::lint::display_path(&b)
                            );
                        }
                    }
                    Done::UpToDate(dest) => println!(
                        "{name} in {} is already up to date (read by {readers})",
                        crate::lint::display_path(&dest)
                    ),
                }
            }
            Ok(0)
        }
    }
}

/// Install options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub link: bool,
    pub force: bool,
    /// `base` is the home directory: use the agents' user folders.
    pub global: bool,
}

/// What [`install`] did.
#[derive(Debug)]
pub enum Outcome {
    /// The skill's name and, per skills folder, what happened there.
    Done(String, Vec<(&'static str, Done)>),
    /// The rendered errors and their count; nothing was changed.
    LintErrors(String, usize),
}

/// Installs `source` (a skill directory or `.skill` file) for `agents` under `base`
/// (a project root, or the home directory for a user install).
pub fn install(source: &Path, agents: &[Agent], base: &Path, opts: Options) -> Result<Outcome> {
    // An archive is checked and extracted to a temporary folder first.
    let _tmp;
    let skill_dir = if archive::is_archive_path(source) && source.is_file() {
        if opts.link {
            return Err(Error::usage_hint(
                "--link needs a skill directory, not an archive",
                "drop --link to copy the archive's skill, or link the directory it was built from",
            ));
        }
        let bytes = archive::read(source)?;
        let ins = archive::inspect(source, &bytes);
        if !ins.is_safe() {
            let errors: Vec<_> = ins
                .diagnostics
                .iter()
                .filter(|d| d.severity == crate::report::Severity::Error)
                .cloned()
                .collect();
            let text = render::text(&errors, 1, &[], &mut SourceCache::default(), false);
            return Ok(Outcome::LintErrors(text, errors.len()));
        }
        let t = tempfile::Builder::new()
            .prefix(".skillforge-tmp-install-")
            .tempdir()
            .map_err(|e| Error::io(std::env::temp_dir(), e))?;
        let dir = archive::extract(source, &bytes, &ins, t.path())?;
        _tmp = t;
        dir
    } else {
        source.to_path_buf()
    };
    let skill = super::load_skill(
        &skill_dir,
        "install takes a skill directory or a .skill file",
    )?;
    if !skill.dir.is_dir() {
        return Err(Error::input(source, "not a skill directory"));
    }
    let config = Config::discover(&skill.dir)?;
    let report = crate::lint::cmd::lint_targets(&[Target::Skill(skill.dir.clone())], config)?;
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == crate::report::Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        let mut sources = SourceCache::default();
        for s in &report.skills {
            sources.insert(s.skill_md.clone(), s.doc.text.clone());
        }
        let text = render::text(&errors, 1, &[], &mut sources, false);
        return Ok(Outcome::LintErrors(text, errors.len()));
    }
    let name = match skill.name() {
        Some(n) => n.to_string(),
        None => skill.dir_name().unwrap_or_default(),
    };
    validate_name(&name)?;
    let source_abs = std::fs::canonicalize(&skill.dir).map_err(|e| Error::io(&skill.dir, e))?;
    let collected = if opts.link {
        None
    } else {
        Some(super::collect(&skill.dir)?)
    };

    let mut dirs: Vec<&'static str> = Vec::new();
    for a in agents {
        let d = if opts.global {
            a.user_dir()
        } else {
            a.project_dir()
        };
        if !dirs.contains(&d) {
            dirs.push(d);
        }
    }
    // Check every destination before changing any.
    let mut plans = Vec::new();
    for dir in &dirs {
        let dest = base.join(dir).join(&name);
        let state = dest_state(&dest, &name, &source_abs, collected.as_ref(), opts.link)?;
        if let DestState::Foreign(why) = &state
            && !opts.force
        {
            return Err(Error::usage_hint(
                format!("{} {why}: refusing to overwrite it", dest.display()),
                "pass --force to move it to .skillforge/backups/ first, or remove it yourself",
            ));
        }
        plans.push((*dir, dest, state));
    }
    let mut done = Vec::new();
    for (dir, dest, state) in plans {
        if matches!(state, DestState::Same) {
            done.push((dir, Done::UpToDate(dest)));
            continue;
        }
        let parent = dest
            .parent()
            .ok_or_else(|| Error::Other(format!("{} has no parent", dest.display())))?;
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        // Stage the new copy first: a failure here changes nothing.
        let staged = match &collected {
            Some(c) => Some(stage_copy(c, parent)?),
            None => None,
        };
        let backup = match state {
            DestState::Absent => None,
            DestState::Link => {
                std::fs::remove_file(&dest).map_err(|e| Error::io(&dest, e))?;
                None
            }
            _ => Some(super::backup(&dest, base, &name)?),
        };
        match staged {
            Some(tmp) => {
                let kept = tmp.keep();
                std::fs::rename(&kept, &dest).map_err(|e| {
                    let _ = std::fs::remove_dir_all(&kept);
                    Error::io(&dest, e)
                })?;
            }
            None => make_link(&source_abs, &dest)?,
        }
        done.push((dir, Done::Installed { dest, backup }));
    }
    Ok(Outcome::Done(name, done))
}

/// What is at a destination.
#[derive(Debug)]
enum DestState {
    /// Nothing: install there.
    Absent,
    /// Exactly what would be installed (same files and bytes, or the same link).
    Same,
    /// A symlink to somewhere else holding the same skill: replaced (a link holds no data).
    Link,
    /// The same skill (same name), different content: backed up and replaced.
    Older,
    /// Something else: needs --force (the text says what it is).
    Foreign(String),
}

fn dest_state(
    dest: &Path,
    name: &str,
    source_abs: &Path,
    collected: Option<&super::Collected>,
    link: bool,
) -> Result<DestState> {
    let Ok(meta) = std::fs::symlink_metadata(dest) else {
        return Ok(DestState::Absent);
    };
    if std::fs::canonicalize(dest).is_ok_and(|c| c == source_abs) {
        return Ok(if link || !meta.file_type().is_symlink() {
            DestState::Same
        } else {
            DestState::Link
        });
    }
    let held = if meta.is_dir() || meta.file_type().is_symlink() {
        crate::skill::Skill::load(dest)
            .ok()
            .and_then(|s| s.name().map(str::to_string))
    } else {
        None
    };
    if held.as_deref() != Some(name) {
        return Ok(DestState::Foreign(match held {
            Some(other) => format!("holds a different skill (`{other}`)"),
            None if meta.is_dir() => "exists and is not this skill".into(),
            None => "exists and is not a skill directory".into(),
        }));
    }
    if meta.file_type().is_symlink() {
        return Ok(DestState::Link);
    }
    if let Some(c) = collected
        && same_content(dest, c)
    {
        return Ok(DestState::Same);
    }
    Ok(DestState::Older)
}

/// True when `dir` holds exactly the collected files with the same bytes.
fn same_content(dir: &Path, c: &super::Collected) -> bool {
    let Ok(there) = super::collect(dir) else {
        return false;
    };
    there.entries.len() == c.entries.len()
        && there.entries.iter().zip(&c.entries).all(|(a, b)| {
            a.rel == b.rel
                && a.size == b.size
                && std::fs::read(&a.source).ok() == std::fs::read(&b.source).ok()
        })
}

fn stage_copy(c: &super::Collected, parent: &Path) -> Result<tempfile::TempDir> {
    let tmp = tempfile::Builder::new()
        .prefix(".skillforge-tmp-install-")
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    for e in &c.entries {
        let to = tmp.path().join(&e.rel);
        if let Some(p) = to.parent() {
            std::fs::create_dir_all(p).map_err(|err| Error::io(p, err))?;
        }
        std::fs::copy(&e.source, &to).map_err(|err| Error::io(&e.source, err))?;
    }
    Ok(tmp)
}

#[cfg(unix)]
fn make_link(source: &Path, dest: &Path) -> Result<()> {
    std::os::unix::fs::symlink(source, dest).map_err(|e| Error::io(dest, e))
}

#[cfg(windows)]
fn make_link(source: &Path, dest: &Path) -> Result<()> {
    std::os::windows::fs::symlink_dir(source, dest).map_err(|e| {
        Error::io(dest, e).with_hint("Windows needs Developer Mode for symlinks; drop --link")
    })
}
