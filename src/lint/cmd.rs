//! `skillforge lint`: arguments and driver.

use crate::error::{Error, Result};
use crate::lint::discover::{Target, discover};
use crate::lint::{Config, Ctx, Profile, lint_skill, lint_tree, registry};
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
    let mut report = if targets.is_empty() {
        LintReport {
            skills: Vec::new(),
            checked: 0,
            diagnostics: Vec::new(),
            notes: Vec::new(),
            deny_warnings: config.deny_warnings,
        }
    } else {
        lint_targets(&targets, config.clone())?
    };
    for a in &archives {
        let al = crate::ship::archive::lint_archive(a, &config)?;
        report.checked += 1;
        report.diagnostics.extend(al.diagnostics);
        report.skills.extend(al.skill);
        junit_dirs.push(al.shown_dir);
    }
    let mut out = std::io::stdout().lock();
    let color = crate::report::use_color();
    let rendered = match args.format {
        Format::Text => {
            let mut sources = SourceCache::default();
            for s in &report.skills {
                sources.insert(s.skill_md.clone(), s.doc.text.clone());
            }
            let mut t = render::text(
                &report.diagnostics,
                report.checked,
                &report.notes,
                &mut sources,
                color,
            );
            if args.tokens {
                use crate::lint::tokens::{token_counts, tokens_text};
                t.push_str(&tokens_text(&token_counts(
                    &report.skills,
                    true,
                    config.budgets,
                )));
            }
            t
        }
        Format::Json => render::json_with(
            "lint",
            &report.diagnostics,
            report.checked,
            &report.notes,
            Some(&crate::lint::tokens::token_counts(
                &report.skills,
                args.tokens,
                config.budgets,
            )),
        ),
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

/// The outcome of linting a set of skills.
pub struct LintReport {
    /// Skills that loaded (tree rules ran over these).
    pub skills: Vec<Skill>,
    /// How many skills were checked (loaded or not).
    pub checked: usize,
    /// All findings, sorted by file, line, column, rule.
    pub diagnostics: Vec<Diagnostic>,
    /// Notes for the summary (e.g. a skipped schema check).
    pub notes: Vec<String>,
    pub deny_warnings: bool,
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

/// Loads and lints targets in parallel (the library entry point behind `lint`).
pub fn lint_targets(targets: &[Target], config: Config) -> Result<LintReport> {
    let deny_warnings = config.deny_warnings;
    let mut cx = Ctx::new(config);
    let loaded: Vec<std::result::Result<Skill, Box<Diagnostic>>> = targets
        .par_iter()
        .map(|t| Skill::load(t.path()).map_err(|e| Box::new(load_error_diagnostic(&e))))
        .collect();
    // The Compose schema is compiled only when some skill carries Compose content.
    let wants_compose = loaded
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .any(has_compose_content);
    if wants_compose {
        let (schema, note) = crate::docker::compose::load_compose_schema();
        cx.compose_schema = schema;
        cx.compose_schema_note = note;
    }
    let per_skill: Vec<Vec<Diagnostic>> = loaded
        .par_iter()
        .map(|r| match r {
            Ok(skill) => lint_skill(&cx, skill),
            Err(d) => vec![(**d).clone()],
        })
        .collect();
    let mut diagnostics: Vec<Diagnostic> = per_skill.into_iter().flatten().collect();
    let skills: Vec<Skill> = loaded.into_iter().filter_map(|r| r.ok()).collect();
    diagnostics.extend(lint_tree(&cx, &skills));
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line(), a.span.map(|s| s.col), &a.rule).cmp(&(
            &b.file,
            b.line(),
            b.span.map(|s| s.col),
            &b.rule,
        ))
    });
    let notes = cx.compose_schema_note.iter().cloned().collect();
    Ok(LintReport {
        checked: targets.len(),
        skills,
        diagnostics,
        notes,
        deny_warnings,
    })
}

/// Whether a skill has a Compose file or a YAML block that looks like Compose.
fn has_compose_content(skill: &Skill) -> bool {
    use crate::docker::compose::{is_compose_name, is_yaml_lang, looks_like_compose};
    skill.files.iter().any(|f| is_compose_name(&f.rel))
        || skill
            .doc
            .body
            .code_blocks
            .iter()
            .any(|cb| is_yaml_lang(&cb.lang) && looks_like_compose(&cb.code))
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
