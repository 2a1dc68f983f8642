//! `skillforge init-ci`: a GitHub Actions workflow and a pre-commit hook for a
//! skills-lab.
//!
//! Writes `.github/workflows/skills.yml` (install skillforge, `lint --format github`,
//! `test --all --min-score X`, SARIF upload to code scanning) and a
//! `.pre-commit-config.yaml` with a local `skillforge lint` hook. Existing files are
//! never overwritten without `--force`; with it, the old workflow is moved to
//! `.skillforge/backups/`, and an existing pre-commit config gets the hook appended
//! (checked by parsing the result) rather than replaced.

use crate::blueprint::target::git_root;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Arguments of `skillforge init-ci`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = INIT_CI_AFTER_HELP)]
pub struct InitCiArgs {
    /// Git URL of skillforge's source, for `cargo install --git` in the workflow
    /// [default: the repository this build came from, when known]
    #[arg(long, value_name = "URL")]
    pub repo: Option<String>,
    /// Git tag of skillforge to install in CI [default: v<this version>]
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// The skills folder CI lints
    #[arg(long, value_name = "DIR", default_value = ".claude/skills")]
    pub skills: String,
    /// Threshold for `skillforge test --all`
    #[arg(long, value_name = "X", default_value_t = 0.8)]
    pub min_score: f64,
    /// Replace an existing workflow (backed up first) / add the hook to an existing
    /// .pre-commit-config.yaml
    #[arg(long)]
    pub force: bool,
    /// The repository to write into [default: the git repository around ., else .]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

const INIT_CI_AFTER_HELP: &str = "\
Files written (relative to the repository root):
  .github/workflows/skills.yml   lint (annotations + SARIF to code scanning) and test on every push / PR
  .pre-commit-config.yaml        a `skillforge lint` hook (uses the skillforge on your PATH)

Existing files are left alone unless --force: the workflow is then backed up to
.skillforge/backups/ and replaced; the hook is appended to your pre-commit config.

Exit codes: 0 written (or already set up); 2 usage or input error.

Example:
  skillforge init-ci --repo https://example.org/you/skillforge.git";

/// The workflow path, relative to the repository root.
pub const WORKFLOW: &str = ".github/workflows/skills.yml";
/// The pre-commit config path, relative to the repository root.
pub const PRE_COMMIT: &str = ".pre-commit-config.yaml";

/// Runs `skillforge init-ci`.
pub fn run(args: InitCiArgs) -> Result<u8> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let root = match &args.dir {
        Some(d) if d.is_dir() => d.clone(),
        Some(d) => {
            return Err(Error::usage(format!(
                "--dir {}: not a directory",
                d.display()
            )));
        }
        None => git_root(&cwd).unwrap_or(cwd),
    };
    let repo = args
        .repo
        .clone()
        .or_else(|| {
            option_env!("CARGO_PKG_REPOSITORY")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        })
        .ok_or_else(|| {
            Error::usage_hint(
                "the workflow must install skillforge, and this build does not know its repository",
                "pass --repo <git URL of skillforge> (the URL you cloned skillforge from)",
            )
        })?;
    let opts = Options {
        repo,
        tag: args
            .tag
            .clone()
            .unwrap_or_else(|| format!("v{}", env!("CARGO_PKG_VERSION"))),
        skills: args.skills.clone(),
        min_score: args.min_score,
    };
    opts.validate()?;
    for line in init(&root, &opts, args.force)? {
        println!("{line}");
    }
    Ok(0)
}

/// What the generated files say.
#[derive(Debug, Clone)]
pub struct Options {
    pub repo: String,
    pub tag: String,
    pub skills: String,
    pub min_score: f64,
}

impl Options {
    fn validate(&self) -> Result<()> {
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~:/@+%=".contains(c))
        };
        if !plain(&self.repo) {
            return Err(Error::usage_hint(
                format!("--repo `{}` is not a plain git URL", self.repo),
                "use e.g. https://host/owner/skillforge.git (no spaces or quotes)",
            ));
        }
        if !plain(&self.tag) {
            return Err(Error::usage(format!(
                "--tag `{}` is not a plain tag",
                self.tag
            )));
        }
        if !plain(&self.skills) || self.skills.starts_with('/') || self.skills.contains("..") {
            return Err(Error::usage_hint(
                format!("--skills `{}` is not a relative folder", self.skills),
                "use a path inside the repository, e.g. .claude/skills",
            ));
        }
        if !(0.0..=1.0).contains(&self.min_score) || self.min_score.is_nan() {
            return Err(Error::usage_hint(
                format!("--min-score {} is outside 0–1", self.min_score),
                "use a fraction, e.g. --min-score 0.8",
            ));
        }
        Ok(())
    }
}

/// The GitHub Actions workflow.
pub fn workflow(o: &Options) -> String {
    let version = env!("CARGO_PKG_VERSION");
    format!(
        r#"# Checks the skills in this repository on every push and pull request.
# Written by `skillforge init-ci` (skillforge {version}); edit freely.
name: skills

on:
  push:
  pull_request:

permissions:
  contents: read

jobs:
  skills:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    permissions:
      contents: read
      security-events: write
    steps:
      - name: Check out
        uses: actions/checkout@v4

      - name: Cache skillforge
        id: cache
        uses: actions/cache@v4
        with:
          path: ~/.cargo/bin/skillforge
          key: skillforge-${{{{ runner.os }}}}-{tag}

      - name: Install skillforge
        if: steps.cache.outputs.cache-hit != 'true'
        run: cargo install --locked --git {repo} --tag {tag} skillforge

      - name: Lint skills
        run: skillforge lint --format github {skills}

      - name: Test skills
        run: skillforge test --all --min-score {min}

      - name: SARIF reports
        if: always()
        run: |
          mkdir -p sarif
          skillforge lint --format sarif {skills} > sarif/lint.sarif || true
          skillforge test --all --min-score {min} --format sarif > sarif/test.sarif || true

      - name: Upload lint results to code scanning
        if: always()
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: sarif/lint.sarif
          category: skillforge-lint

      - name: Upload test results to code scanning
        if: always()
        uses: github/codeql-action/upload-sarif@v3
        with:
          sarif_file: sarif/test.sarif
          category: skillforge-test
"#,
        repo = o.repo,
        tag = o.tag,
        skills = o.skills,
        min = o.min_score,
    )
}

/// The pre-commit `repos:` entry (a local hook: it runs the skillforge on PATH).
pub fn pre_commit_entry(o: &Options, indent: &str) -> String {
    let files = regex::escape(o.skills.trim_end_matches('/'));
    format!(
        "{indent}- repo: local
{indent}  hooks:
{indent}    - id: skillforge-lint
{indent}      name: skillforge lint
{indent}      entry: skillforge lint {skills}
{indent}      language: system
{indent}      files: '^{files}/'
{indent}      pass_filenames: false
",
        skills = o.skills,
    )
}

/// A whole `.pre-commit-config.yaml`.
pub fn pre_commit_config(o: &Options) -> String {
    format!(
        "# Lint skills before each commit (written by `skillforge init-ci`).
# The hook runs the skillforge on your PATH:
#   cargo install --locked --git {repo} --tag {tag} skillforge
repos:
{entry}",
        repo = o.repo,
        tag = o.tag,
        entry = pre_commit_entry(o, "  ")
    )
}

fn repos_count(text: &str) -> Option<usize> {
    let v: serde_json::Value = serde_saphyr::from_str(text).ok()?;
    v.get("repos")?.as_array().map(Vec::len)
}

/// Writes the files under `root` and returns what it did, one line each.
pub fn init(root: &Path, o: &Options, force: bool) -> Result<Vec<String>> {
    let mut done = Vec::new();
    let wf = root.join(WORKFLOW);
    let pc = root.join(PRE_COMMIT);
    let wf_text = workflow(o);
    // Decide everything before writing anything.
    let wf_existing = std::fs::read_to_string(&wf).ok();
    if std::fs::symlink_metadata(&wf).is_ok() && wf_existing.is_none() {
        return Err(Error::input(&wf, "exists and is not a readable file"));
    }
    let pc_existing = match std::fs::symlink_metadata(&pc) {
        Ok(_) => Some(std::fs::read_to_string(&pc).map_err(|e| Error::io(&pc, e))?),
        Err(_) => None,
    };
    if !force {
        if let Some(old) = &wf_existing
            && *old != wf_text
        {
            return Err(Error::usage_hint(
                format!("{WORKFLOW} already exists: refusing to overwrite it"),
                "pass --force to back it up to .skillforge/backups/ and write a new one",
            ));
        }
        if let Some(old) = &pc_existing
            && !old.contains("skillforge")
        {
            return Err(Error::usage_hint(
                format!("{PRE_COMMIT} already exists: refusing to change it"),
                format!(
                    "pass --force to append the hook, or add it yourself under `repos:`:\n{}",
                    pre_commit_entry(o, "  ")
                ),
            ));
        }
    }
    let pc_new = match &pc_existing {
        None => Some(pre_commit_config(o)),
        Some(old) if old.contains("skillforge") => None,
        Some(old) => {
            let before = repos_count(old).ok_or_else(|| {
                Error::input(&pc, "not a pre-commit config with a `repos:` list").with_hint(
                    format!("add the hook yourself:\n{}", pre_commit_entry(o, "  ")),
                )
            })?;
            let indent: String = old
                .lines()
                .find(|l| l.trim_start().starts_with("- repo:"))
                .map(|l| l[..l.len() - l.trim_start().len()].to_string())
                .unwrap_or_else(|| "  ".into());
            let mut text = old.clone();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&pre_commit_entry(o, &indent));
            if repos_count(&text) != Some(before + 1) {
                return Err(Error::input(
                    &pc,
                    "cannot append the hook safely (`repos:` is not the last block, or is a flow list)",
                )
                .with_hint(format!("add it yourself under `repos:`:\n{}", pre_commit_entry(o, "  "))));
            }
            Some(text)
        }
    };
    match &wf_existing {
        Some(old) if *old == wf_text => done.push(format!("{WORKFLOW} is already up to date")),
        Some(_) => {
            let b = super::backup(&wf, root, "skills.yml")?;
            crate::fsutil::write_atomic(&wf, wf_text.as_bytes())?;
            done.push(format!(
                "wrote {WORKFLOW} (the old one is in {})",
                b.strip_prefix(root).unwrap_or(&b).display()
            ));
        }
        None => {
            crate::fsutil::write_atomic(&wf, wf_text.as_bytes())?;
            done.push(format!(
                "wrote {WORKFLOW}: lint (annotations + SARIF) and test --all --min-score {} on every push and pull request",
                o.min_score
            ));
        }
    }
    match pc_new {
        None => done.push(format!("{PRE_COMMIT} already runs skillforge")),
        Some(text) => {
            let existed = pc_existing.is_some();
            crate::fsutil::write_atomic(&pc, text.as_bytes())?;
            done.push(if existed {
                format!("added the skillforge-lint hook to {PRE_COMMIT}")
            } else {
                format!("wrote {PRE_COMMIT} (then: pre-commit install)")
            });
        }
    }
    Ok(done)
}
