//! `skillforge lint`: arguments and driver.

use crate::error::{Error, Result};
use crate::lint::discover::{Target, discover};
use crate::lint::tokens::{SkillTokens, skill_tokens, token_report};
use crate::lint::{Config, Profile, SkillSummary, lint_skill, lint_tree_summaries, registry};
use crate::report::render::{self, SourceCache};
use crate::report::{Counts, Diagnostic, Format};
use crate::skill::Skill;
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `skillforge lint`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = LINT_AFTER_HELP)]
pub struct LintArgs {
    /// Skill directories, SKILL.md files, .skill archives, or any tree to search for skills [default: .]
    pub paths: Vec<PathBuf>,
    /// Validation profile (overrides skillforge.toml)
    #[arg(long, value_enum)]
    pub profile: Option<Profile>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Exit 1 on warnings too, not just errors
    #[arg(long)]
    pub deny_warnings: bool,
    /// Explain a rule (by id, e.g. SF-name-matches-dir, or a peer id like DL3007) and exit
    #[arg(long, value_name = "ID")]
    pub explain: Option<String>,
    /// List every rule with its id, default severity and one-line doc, and exit
    #[arg(long)]
    pub list_rules: bool,
    /// Config file to use instead of discovering skillforge.toml
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Allow Unicode lowercase letters in names (the spec's wording permits them)
    #[arg(long)]
    pub unicode_names: bool,
    /// Count the tokens (o200k_base) of every skill's description, body and documents, and
    /// report them (text: one line per skill; json: a `tokens` field)
    #[arg(long)]
    pub tokens: bool,
}

const LINT_AFTER_HELP: &str = "\
Where skills are found: a skill directory (holding SKILL.md), a SKILL.md path, or any tree
(.claude/skills, .agents/skills, skills/, nested), respecting .gitignore, never following
symlinks.

Exit codes: 0 clean or warnings only; 1 any error (or any warning with --deny-warnings);
2 usage or input error.

Config: a skillforge.toml at the repository root may set [lint] profile, deny-warnings,
unicode-names, per-rule severities under [lint.rules] (error|warning|info|off), and
[docker] allow = [ids] to turn Dockerfile/Compose rules off (our ids or peer ids such as
DL3008). Dockerfiles may also carry a `# check=skip=Rule1,Rule2` directive.

Examples:
  skillforge lint .claude/skills
  skillforge lint --profile strict --deny-warnings my-skill/
  skillforge lint --format github .        # annotations in GitHub Actions
  skillforge lint --explain SF-name-matches-dir";

/// Runs `skillforge lint`.
pub fn run(args: LintArgs) -> Result<u8> {
    if args.list_rules {
        print_rules();
        return Ok(0);
    }
    if let Some(id) = &args.explain {
        return explain(id);
    }
    let paths = if args.paths.is_empty() {
        // The same search as `test` and `next`: the skill we are in, else the agents'
        // folders up to the git root (all of their skills); else this whole tree.
        let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
        let near = crate::lint::discover::skills_near(&cwd);
        if near.skills.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            near.skills
        }
    } else {
        args.paths.clone()
    };
    let mut config = match &args.config {
        Some(p) => Config::load(p)?,
        None => Config::discover(&paths[0])?,
    };
    if let Some(p) = args.profile {
        config.profile = p;
    }
    config.deny_warnings |= args.deny_warnings;
    config.unicode_names |= args.unicode_names;

    // `.skill` archives are checked as archives, then their content is linted.
    let (archives, paths): (Vec<PathBuf>, Vec<PathBuf>) = paths
        .into_iter()
        .partition(|p| crate::ship::archive::is_archive_path(p) && p.is_file());
    // The frontmatter schema is compiled while the tree is walked, on a worker that
    // would wait anyway, instead of stalling the first skill that needs it.
    if config.profile != crate::lint::Profile::Strict {
        rayon::spawn(|| {
            crate::lint::schema::validator();
        });
    }
    let targets = if paths.is_empty() {
        Vec::new()
    } else {
        discover(&paths)?
    };
    if targets.is_empty() && archives.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::usage_hint(
            format!("no skills found under {}", shown.join(", ")),
            "a skill is a directory holding SKILL.md; create one with `skillforge new docker-deployment`",
        ));
    }
    let mut junit_dirs: Vec<PathBuf> = targets.iter().map(skill_dir_of).collect();
    // Skills are streamed: each is loaded, linted and dropped; only its findings, what
    // the tree rules and the token report need, and (for text) its SKILL.md when a
    // finding will show a snippet of it are kept.
    let opts = LintOptions {
        keep_skills: false,
        tokens: match args.format {
            Format::Json => Some(args.tokens),
            Format::Text if args.tokens => Some(true),
            _ => None,
        },
        keep_sources: args.format == Format::Text,
    };
    let mut report = if targets.is_empty() {
        LintReport {
            skills: Vec::new(),
            checked: 0,
            diagnostics: Vec::new(),
            notes: Vec::new(),
            deny_warnings: config.deny_warnings,
            tokens: Vec::new(),
            sources: Vec::new(),
        }
    } else {
        lint_targets_with(&targets, config.clone(), opts)?
    };
    for a in &archives {
        let al = crate::ship::archive::lint_archive(a, &config)?;
        report.checked += 1;
        report.diagnostics.extend(al.diagnostics);
        if let Some(s) = &al.skill {
            report.keep(s, &opts, config.budgets);
        }
        junit_dirs.push(al.shown_dir);
    }
    let mut out = std::io::stdout().lock();
    let color = crate::report::use_color();
    let tokens = opts
        .tokens
        .map(|all| token_report(std::mem::take(&mut report.tokens), all, config.budgets));
    let rendered = match args.format {
        Format::Text => {
            let mut sources = SourceCache::default();
            for (path, text) in std::mem::take(&mut report.sources) {
                sources.insert(path, text);
            }
            let mut t = render::text(
                &report.diagnostics,
                report.checked,
                &report.notes,
                &mut sources,
                color,
            );
            if let Some(tokens) = &tokens {
                t.push_str(&crate::lint::tokens::tokens_text(tokens));
            }
            t
        }
        Format::Json => {
            // Written as it is serialised (a write error, e.g. a closed pipe, ends it).
            let _ = render::json_write(
                &mut out,
                "lint",
                &report.diagnostics,
                report.checked,
                &report.notes,
                tokens.as_ref(),
            );
            String::new()
        }
        Format::Github => render::github(&report.diagnostics),
        Format::Junit => render::junit(&junit_dirs, &report.diagnostics, report.deny_warnings),
        Format::Sarif => crate::report::sarif::lint(&report.diagnostics),
    };
    // File contents (snippets, names) never reach the terminal as raw control characters.
    let rendered = if args.format == Format::Text {
        crate::term::sanitize_output(&rendered, color).into_owned()
    } else {
        rendered
    };
    let _ = out.write_all(rendered.as_bytes());
    Ok(report.exit_code())
}

/// What a lint run keeps of each skill besides its findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct LintOptions {
    /// Keep the loaded skills ([`LintReport::skills`]); otherwise each is dropped once
    /// linted, so memory does not grow with the tree.
    pub keep_skills: bool,
    /// Count tokens per skill: `Some(true)` everything, `Some(false)` only what may
    /// exceed a budget ([`crate::lint::tokens::skill_tokens`]).
    pub tokens: Option<bool>,
    /// Keep the SKILL.md text of skills with a finding in it (for text snippets).
    pub keep_sources: bool,
}

/// The outcome of linting a set of skills.
pub struct LintReport {
    /// Skills that loaded (tree rules ran over these), when [`LintOptions::keep_skills`].
    pub skills: Vec<Skill>,
    /// How many skills were checked (loaded or not).
    pub checked: usize,
    /// All findings, sorted by file, line, column, rule.
    pub diagnostics: Vec<Diagnostic>,
    /// Notes for the summary (e.g. a skipped schema check).
    pub notes: Vec<String>,
    pub deny_warnings: bool,
    /// Token counts of the skills, in order ([`LintOptions::tokens`]).
    pub tokens: Vec<SkillTokens>,
    /// SKILL.md texts (as modelled: BOM removed) for snippets ([`LintOptions::keep_sources`]).
    pub sources: Vec<(PathBuf, String)>,
}

impl LintReport {
    pub fn counts(&self) -> Counts {
        Counts::of(&self.diagnostics)
    }

    /// 0 clean or warnings only; 1 errors (or warnings with deny-warnings).
    pub fn exit_code(&self) -> u8 {
        let c = self.counts();
        if c.errors > 0 || (self.deny_warnings && c.warnings > 0) {
            1
        } else {
            0
        }
    }

    /// Keeps what `opts` asks for of a skill linted elsewhere (a `.skill` archive).
    fn keep(&mut self, skill: &Skill, opts: &LintOptions, budgets: crate::lint::Budgets) {
        if let Some(all) = opts.tokens {
            self.tokens.extend(skill_tokens(skill, all, budgets));
        }
        if opts.keep_sources && self.diagnostics.iter().any(|d| d.file == skill.skill_md) {
            self.sources
                .push((skill.skill_md.clone(), skill.doc.text.clone()));
        }
    }
}

fn skill_dir_of(t: &Target) -> PathBuf {
    match t {
        Target::Skill(d) => d.clone(),
        Target::SkillFile(f) => f
            .parent()
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".")),
    }
}

/// Loads and lints targets in parallel, keeping the loaded skills (the library entry
/// point behind `package` and `install`).
pub fn lint_targets(targets: &[Target], config: Config) -> Result<LintReport> {
    let opts = LintOptions {
        keep_skills: true,
        ..LintOptions::default()
    };
    lint_targets_with(targets, config, opts)
}

/// What linting one target leaves behind.
struct Linted {
    diagnostics: Vec<Diagnostic>,
    summary: Option<SkillSummary>,
    skill: Option<Skill>,
    tokens: Option<SkillTokens>,
    source: Option<(PathBuf, String)>,
}

/// Loads and lints targets in parallel, one skill at a time per thread: a skill is
/// loaded, linted, reduced to what `opts` keeps and dropped before the next one.
pub fn lint_targets_with(
    targets: &[Target],
    config: Config,
    opts: LintOptions,
) -> Result<LintReport> {
    let deny_warnings = config.deny_warnings;
    let budgets = config.budgets;
    let cx = crate::lint::registry::context(config);
    // Each skill's folder stays open while it is linted (its files are read relative
    // to it); at most one per worker thread at a time.
    let load_opts = crate::skill::LoadOptions {
        keep_dir: true,
        ..Default::default()
    };
    let per_skill: Vec<Linted> = targets
        .par_iter()
        .map(|t| match Skill::load_with(t.path(), load_opts) {
            Ok(mut skill) => {
                let diagnostics = lint_skill(&cx, &skill);
                let tokens = opts
                    .tokens
                    .and_then(|all| skill_tokens(&skill, all, budgets));
                let source = (opts.keep_sources
                    && diagnostics.iter().any(|d| d.file == skill.skill_md))
                .then(|| (skill.skill_md.clone(), skill.doc.text.clone()));
                // A kept skill does not keep its folder open: `package` and `install`
                // keep every skill of a tree, which could exhaust the descriptors.
                skill.release_dir();
                Linted {
                    diagnostics,
                    summary: Some(SkillSummary::of(&skill)),
                    skill: opts.keep_skills.then_some(skill),
                    tokens,
                    source,
                }
            }
            Err(e) => Linted {
                diagnostics: vec![load_error_diagnostic(&e)],
                summary: None,
                skill: None,
                tokens: None,
                source: None,
            },
        })
        .collect();
    let mut diagnostics = Vec::new();
    let mut summaries = Vec::new();
    let mut skills = Vec::new();
    let mut tokens = Vec::new();
    let mut sources = Vec::new();
    for l in per_skill {
        diagnostics.extend(l.diagnostics);
        summaries.extend(l.summary);
        skills.extend(l.skill);
        tokens.extend(l.tokens);
        sources.extend(l.source);
    }
    diagnostics.extend(lint_tree_summaries(&cx, &summaries));
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line(), a.span.map(|s| s.col), &a.rule).cmp(&(
            &b.file,
            b.line(),
            b.span.map(|s| s.col),
            &b.rule,
        ))
    });
    let notes = cx
        .compose_schema_note()
        .map(str::to_string)
        .into_iter()
        .collect();
    Ok(LintReport {
        checked: targets.len(),
        skills,
        diagnostics,
        notes,
        deny_warnings,
        tokens,
        sources,
    })
}

/// A skill that cannot be loaded at all becomes one error diagnostic.
pub use crate::lint::rules::load_error_diagnostic;

fn print_rules() {
    let mut out = String::new();
    for r in registry() {
        out.push_str(&format!(
            "{:<34} {:<8} {}\n",
            r.id,
            r.severity.as_str(),
            r.summary
        ));
    }
    out.push_str(&format!(
        "\n{} rules. `skillforge lint --explain ID` shows why a rule exists and how to fix it.\n",
        registry().len()
    ));
    print!("{out}");
}

fn explain(id: &str) -> Result<u8> {
    match crate::lint::find_rule(id) {
        Some(r) => {
            println!(
                "{} ({})\n\n{}\n\n{}",
                r.id,
                r.severity,
                r.summary,
                r.explain.trim()
            );
            Ok(0)
        }
        None => {
            let lower = id.to_ascii_lowercase();
            let close: Vec<&str> = registry()
                .iter()
                .map(|r| r.id)
                .filter(|rid| {
                    let l = rid.to_ascii_lowercase();
                    l.contains(&lower)
                        || lower
                            .split('-')
                            .filter(|w| w.len() > 2)
                            .any(|w| l.contains(w))
                })
                .take(8)
                .collect();
            let hint = if close.is_empty() {
                "`skillforge lint --list-rules` lists every rule".to_string()
            } else {
                format!("did you mean: {}", close.join(", "))
            };
            Err(Error::usage_hint(format!("unknown rule id `{id}`"), hint))
        }
    }
}
