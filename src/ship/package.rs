//! `skillforge package`: a skill directory → a `.skill` archive.
//!
//! The archive is a zip with one top folder named after the skill; `evals/` and junk
//! are left out ([`super::collect`]); a skill with lint errors is refused. Entries are
//! sorted and stamped with a fixed time (1980-01-01, the zip epoch), so packaging the
//! same files twice gives the same bytes. The archive is built in memory, checked with
//! the same checks as `lint FILE.skill`, and written atomically.

use super::archive;
use crate::error::{Error, Result};
use crate::lint::Config;
use crate::lint::discover::Target;
use crate::report::Counts;
use crate::report::render::{self, SourceCache};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `skillforge package`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = PACKAGE_AFTER_HELP)]
pub struct PackageArgs {
    /// The skill directory [default: the skill in this skills-lab (.claude/skills/…), else .]
    pub skill: Option<PathBuf>,
    /// Where to write the archive [default: ./<name>.skill]; a directory means DIR/<name>.skill
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Config file to use for the lint check instead of discovering skillforge.toml
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

const PACKAGE_AFTER_HELP: &str = "\
The archive holds one folder named after the skill (my-skill/SKILL.md, my-skill/references/…).
Left out: evals/, .DS_Store, __pycache__/, node_modules/, *.pyc, editor backups (*~, *.swp,
*.bak, *.orig), .git/ and skillforge's temp files. Refused: lint errors, symlinks leaving
the skill, FIFOs and devices, files over 10 MiB, skills over 50 MiB.

Exit codes: 0 written; 1 the skill has lint errors (nothing written); 2 usage or input error.

Examples:
  skillforge package                                  # the skill of this skills-lab
  skillforge package .claude/skills/docker-deployment -o dist/
  skillforge lint dist/docker-deployment.skill        # check an archive
  skillforge install dist/docker-deployment.skill --agent codex";

/// What `package` wrote.
#[derive(Debug)]
pub struct Packaged {
    pub name: String,
    pub path: PathBuf,
    pub files: usize,
    pub bytes: u64,
    pub archive_bytes: u64,
    pub left_out: Option<String>,
    pub warnings: usize,
}

/// Runs `skillforge package`.
pub fn run(args: PackageArgs) -> Result<u8> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let skill_dir = match &args.skill {
        Some(p) => p.clone(),
        None => crate::eval::default_skill_path(&cwd),
    };
    let config = match &args.config {
        Some(p) => Config::load(p)?,
        None => Config::discover(&skill_dir)?,
    };
    match package(&skill_dir, args.output.as_deref(), &cwd, config)? {
        Outcome::Written(p) => {
            println!(
                "packaged {} ({} files, {} → {}) into {}",
                p.name,
                p.files,
                crate::fsutil::human_size(p.bytes),
                crate::fsutil::human_size(p.archive_bytes),
                crate::lint::display_path(&p.path)
            );
            if let Some(l) = &p.left_out {
                println!("left out: {l}");
            }
            if p.warnings > 0 {
                println!(
                    "{} lint warning{} (see `skillforge lint {}`)",
                    p.warnings,
                    if p.warnings == 1 { "" } else { "s" },
                    skill_dir.display()
                );
            }
            Ok(0)
        }
        Outcome::LintErrors(text, counts) => {
            let _ = std::io::stderr().write_all(text.as_bytes());
            eprintln!(
                "error: refusing to package: {} lint error{} (above); nothing was written",
                counts.errors,
                if counts.errors == 1 { "" } else { "s" }
            );
            Ok(1)
        }
    }
}

/// What [`package`] did.
#[derive(Debug)]
pub enum Outcome {
    Written(Packaged),
    /// Lint errors (the rendered report and counts); nothing was written.
    LintErrors(String, Counts),
}

/// Builds the archive bytes for a skill directory (no lint, no write): the archive's
/// top folder is `name`.
pub fn build(skill_dir: &Path, name: &str) -> Result<(Vec<u8>, super::Collected)> {
    use zip::write::SimpleFileOptions;
    let collected = super::collect(skill_dir)?;
    let mut zw = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let base = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    let zerr = |e: zip::result::ZipError| Error::Other(format!("cannot build the archive: {e}"));
    for e in &collected.entries {
        let bytes = crate::fsutil::read_capped(&e.source, super::MAX_FILE_BYTES).map_err(
            |err| match err {
                crate::fsutil::ReadError::Io(io) => Error::io(&e.source, io),
                crate::fsutil::ReadError::TooLarge { .. } => {
                    Error::input(&e.source, "grew past the size limit while packaging")
                }
            },
        )?;
        let opts = base.unix_permissions(if e.executable { 0o755 } else { 0o644 });
        zw.start_file(format!("{name}/{}", e.rel), opts)
            .map_err(zerr)?;
        zw.write_all(&bytes)
            .map_err(|io| Error::Other(format!("cannot build the archive: {io}")))?;
    }
    let bytes = zw.finish().map_err(zerr)?.into_inner();
    Ok((bytes, collected))
}

/// Lints, builds, self-checks and writes the archive. `output` is a file, a directory,
/// or `None` for `cwd/<name>.skill`.
pub fn package(
    skill_dir: &Path,
    output: Option<&Path>,
    cwd: &Path,
    config: Config,
) -> Result<Outcome> {
    let skill = super::load_skill(skill_dir, "pass the skill directory to package")?;
    if !skill.dir.is_dir() {
        return Err(Error::input(skill_dir, "not a skill directory"));
    }
    let report = crate::lint::cmd::lint_targets(&[Target::Skill(skill.dir.clone())], config)?;
    let counts = report.counts();
    if counts.errors > 0 {
        let mut sources = SourceCache::default();
        for s in &report.skills {
            sources.insert(s.skill_md.clone(), s.doc.text.clone());
        }
        let errors: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::report::Severity::Error)
            .cloned()
            .collect();
        let text = render::text(&errors, 1, &report.notes, &mut sources, false);
        return Ok(Outcome::LintErrors(text, counts));
    }
    let name = match skill.name() {
        Some(n) => n.to_string(),
        None => skill.dir_name().unwrap_or_default(),
    };
    crate::blueprint::target::validate_name(&name)?;
    let skill_abs = std::fs::canonicalize(&skill.dir).map_err(|e| Error::io(&skill.dir, e))?;
    // Run from inside the skill without -o: the archive goes beside the skill.
    let cwd_abs = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    let base = match (output, skill_abs.parent()) {
        (None, Some(parent)) if cwd_abs.starts_with(&skill_abs) => parent.to_path_buf(),
        _ => cwd.to_path_buf(),
    };
    let dest = output_path(output, &base, &name)?;
    let dest_parent_abs = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
        .unwrap_or_else(|| cwd.to_path_buf());
    if dest_parent_abs.starts_with(&skill_abs) {
        return Err(Error::usage_hint(
            format!("{} is inside the skill being packaged", dest.display()),
            "write the archive outside the skill, e.g. `-o dist/`",
        ));
    }
    let (bytes, collected) = build(&skill.dir, &name)?;
    let check = archive::inspect(&dest, &bytes);
    if !check.is_safe() {
        let why: Vec<String> = check
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect();
        return Err(Error::Other(format!(
            "the archive built for {} failed its own checks: {}",
            skill.dir.display(),
            why.join("; ")
        )));
    }
    crate::fsutil::write_atomic(&dest, &bytes)?;
    Ok(Outcome::Written(Packaged {
        name,
        path: dest,
        files: collected.entries.len(),
        bytes: collected.total_bytes(),
        archive_bytes: bytes.len() as u64,
        left_out: collected.left_out_summary(),
        warnings: counts.warnings,
    }))
}

fn output_path(output: Option<&Path>, cwd: &Path, name: &str) -> Result<PathBuf> {
    let file = format!("{name}.skill");
    let Some(o) = output else {
        return Ok(cwd.join(file));
    };
    let o = if o.is_absolute() {
        o.to_path_buf()
    } else {
        cwd.join(o)
    };
    let ends_with_sep = o.as_os_str().to_string_lossy().ends_with(['/', '\\']);
    match std::fs::symlink_metadata(&o) {
        Ok(m) if m.is_dir() => Ok(o.join(file)),
        Ok(m) if !m.is_file() => Err(Error::usage(format!(
            "{} exists and is not a regular file",
            o.display()
        ))),
        _ if ends_with_sep => Ok(o.join(file)),
        _ => {
            if !archive::is_archive_path(&o) {
                return Err(Error::usage_hint(
                    format!("{}: a skill archive's name ends in .skill", o.display()),
                    format!("use e.g. `-o {file}`, or a directory"),
                ));
            }
            Ok(o)
        }
    }
}
