//! Blueprints: data-driven skill scaffolding (`skillforge new`).
//!
//! A blueprint is data under `skills/<name>/` — `skill.yaml` (validated by
//! `schemas/blueprint.schema.json`), `SKILL.md.hbs`, `templates/`, `references/` —
//! compiled into the binary and overridable from disk (`--blueprints DIR` or
//! `[new] blueprints = "DIR"` in `skillforge.toml`).
//!
//! `new` validates everything (blueprint, answers, name, target) and renders every
//! file in memory before it writes the first byte; each file is written atomically.

pub mod answers;
pub mod model;
pub mod render;
pub mod source;
pub mod target;

use crate::error::{Error, Result};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub use model::{Answers, Blueprint};
pub use render::{OutFile, ReferenceSource};
pub use target::Agent;

/// The blueprint `new` uses when none is named.
pub const DEFAULT_BLUEPRINT: &str = "docker-deployment";

/// Arguments of `skillforge new`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = NEW_AFTER_HELP)]
pub struct NewArgs {
    /// Blueprint to scaffold from (see --list) [default: docker-deployment]
    pub blueprint: Option<String>,
    /// List the available blueprints with their descriptions, and exit
    #[arg(long)]
    pub list: bool,
    /// Directory to create the skill in: the skill goes to DIR/<name>/
    #[arg(long, value_name = "DIR", conflicts_with = "agent")]
    pub dir: Option<PathBuf>,
    /// Write into this agent's project skills directory (e.g. .agents/skills for codex)
    #[arg(long, value_enum)]
    pub agent: Option<Agent>,
    /// Skill name (default: the blueprint's); lowercase letters, digits and hyphens
    #[arg(long)]
    pub name: Option<String>,
    /// Answers to the authoring questions (YAML mapping, e.g. `stack: fastapi`)
    #[arg(long, value_name = "FILE", conflicts_with = "yes")]
    pub answers: Option<PathBuf>,
    /// Take the default answer to every authoring question
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Scaffold the Lesson 0 starter (persona, questions, core principles, a basic
    /// Dockerfile, links to the references) to grow lesson by lesson, instead of the
    /// complete skill
    #[arg(long)]
    pub starter: bool,
    /// Replace a non-empty skill directory (the old one is first moved to a timestamped backup)
    #[arg(long)]
    pub force: bool,
    /// Use only the bundled reference digest, even when `skillforge fetch` has cached the docs
    #[arg(long, conflicts_with = "fetch")]
    pub offline: bool,
    /// Fetch the official docs first (like `skillforge fetch`) and build the references from
    /// them; without network, say so and use the bundled digest
    #[arg(long)]
    pub fetch: bool,
    /// Directory of blueprints (<name>/skill.yaml …) that override or add to the built-in ones
    #[arg(long, value_name = "DIR")]
    pub blueprints: Option<PathBuf>,
}

const NEW_AFTER_HELP: &str = "\
Where the skill goes: --dir DIR → DIR/<name>/; --agent A → that agent's project skills
directory at the repository root (claude .claude/skills, codex/gemini/copilot/opencode
.agents/skills, cursor .cursor/skills, windsurf .windsurf/skills, cline .cline/skills,
goose .goose/skills, roo .roo/skills); otherwise .claude/skills/<name>/ when the current
git repository has .claude/skills/ (the skills-lab layout), else ./<name>/.

Answers: asked on a terminal; --answers FILE or --yes otherwise (without either, when
stdin is not a terminal, the defaults are used and `new` says so).

Exit codes: 0 written; 2 usage or input error (nothing written).";

/// Options for scaffolding a skill from a blueprint (the library entry point).
#[derive(Debug, Clone)]
pub struct ScaffoldOptions {
    pub blueprint: String,
    /// Skill name; `None` = the blueprint's `name`.
    pub name: Option<String>,
    /// Answers; `None` = every default.
    pub answers: Option<Answers>,
    pub references: ReferenceSource,
    /// Directory of on-disk blueprints overriding the embedded ones.
    pub blueprints_dir: Option<PathBuf>,
}

impl Default for ScaffoldOptions {
    fn default() -> Self {
        ScaffoldOptions {
            blueprint: DEFAULT_BLUEPRINT.into(),
            name: None,
            answers: None,
            references: ReferenceSource::Bundled,
            blueprints_dir: None,
        }
    }
}

/// A rendered skill, not yet written.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub name: String,
    pub answers: Answers,
    pub files: Vec<OutFile>,
}

/// Loads and validates a blueprint (disk override first, then embedded).
pub fn load_blueprint(
    name: &str,
    blueprints_dir: Option<&Path>,
) -> Result<(source::BlueprintFiles, Blueprint)> {
    // `docker-deployment/starter`: the `starter` variant of `docker-deployment`.
    let (base, variant) = match name.split_once('/') {
        Some((b, v)) => (b, Some(v)),
        None => (name, None),
    };
    let mut files = source::find(base, blueprints_dir)?;
    if let Some(v) = variant {
        files = files.variant(v)?;
    }
    let text = files
        .get("skill.yaml")
        .ok_or_else(|| Error::input(files.path_of("skill.yaml"), "blueprint has no skill.yaml"))?;
    let mut bp = Blueprint::parse(text, &files.path_of("skill.yaml"))?;
    // Compile every template now: a broken template is reported before any question.
    let _ = bp.compiled.set(render::compile(&files)?);
    // Versions data: the blueprint's own versions.yaml, else (a disk override that copied
    // only some files) the built-in blueprint's of the same name.
    if let Some(v) = files.get("versions.yaml") {
        bp.versions = Some(crate::docker::versions::Versions::parse(
            v,
            &files.path_of("versions.yaml"),
        )?);
    } else if let Some(builtin) = source::embedded(name)
        && let Some(v) = builtin.get("versions.yaml")
    {
        bp.versions = Some(crate::docker::versions::Versions::parse(
            v,
            &builtin.path_of("versions.yaml"),
        )?);
    }
    // `{{versions.<id>.<field>}}` inside skill.yaml strings, filled once here.
    substitute_versions(&mut bp.data, bp.versions.as_ref())
        .map_err(|m| Error::input(&bp.path, m))?;
    if files.get("SKILL.md.hbs").is_none() {
        return Err(Error::input(
            files.path_of("SKILL.md.hbs"),
            "blueprint has no SKILL.md.hbs template",
        ));
    }
    Ok((files, bp))
}

/// Replaces `{{versions.<id>.<field>}}` in every string of `v` from the versions data.
fn substitute_versions(
    v: &mut serde_json::Value,
    versions: Option<&crate::docker::versions::Versions>,
) -> std::result::Result<(), String> {
    match v {
        serde_json::Value::String(s) if s.contains("{{versions.") => match versions {
            Some(data) => {
                *s = data.substitute(s)?;
                Ok(())
            }
            None => Err(format!(
                "`{s}` uses versions data but the blueprint has no versions.yaml"
            )),
        },
        serde_json::Value::Array(xs) => xs
            .iter_mut()
            .try_for_each(|x| substitute_versions(x, versions)),
        serde_json::Value::Object(o) => o
            .values_mut()
            .try_for_each(|x| substitute_versions(x, versions)),
        _ => Ok(()),
    }
}

/// Renders a skill in memory: validates the name and answers, renders every file.
pub fn render_skill(opts: &ScaffoldOptions) -> Result<Rendered> {
    let (files, bp) = load_blueprint(&opts.blueprint, opts.blueprints_dir.as_deref())?;
    render_loaded(&files, &bp, opts)
}

/// Like [`render_skill`] with an already loaded blueprint (`opts.blueprint` and
/// `opts.blueprints_dir` are ignored): cheap to call for many answer sets.
pub fn render_loaded(
    files: &source::BlueprintFiles,
    bp: &Blueprint,
    opts: &ScaffoldOptions,
) -> Result<Rendered> {
    let name = opts.name.clone().unwrap_or_else(|| bp.name.clone());
    target::validate_name(&name)?;
    let answers = match &opts.answers {
        Some(a) => {
            // Re-validate answers given through the library.
            for (k, v) in a {
                let q = bp
                    .authoring
                    .iter()
                    .find(|q| &q.id == k)
                    .ok_or_else(|| Error::usage(format!("unknown authoring question `{k}`")))?;
                if !q.choices.iter().any(|c| &c.value == v) {
                    return Err(Error::usage(format!("invalid value `{v}` for `{k}`")));
                }
            }
            let mut full = answers::defaults(&bp.authoring);
            for (k, v) in a {
                full.insert(k.clone(), v.clone());
            }
            // Drop answers to questions that do not apply, then re-take defaults.
            let mut settled = Answers::new();
            for q in &bp.authoring {
                if q.when
                    .as_ref()
                    .is_none_or(|w| model::when_matches(w, &settled))
                    && let Some(v) = full.get(&q.id)
                {
                    settled.insert(q.id.clone(), v.clone());
                }
            }
            settled
        }
        None => answers::defaults(&bp.authoring),
    };
    let out = render::render(&render::RenderInput {
        files,
        blueprint: bp,
        answers: &answers,
        skill_name: &name,
        references: &opts.references,
        compiled: bp.compiled.get(),
    })?;
    Ok(Rendered {
        name,
        answers,
        files: out,
    })
}

/// Writes a rendered skill into `skill_dir` (which must not exist or be empty; the
/// caller handles `--force`). Every file is written atomically.
pub fn write_rendered(rendered: &Rendered, skill_dir: &Path) -> Result<()> {
    for f in &rendered.files {
        let path = skill_dir.join(&f.rel);
        crate::fsutil::write_atomic(&path, f.content.as_bytes())?;
        // Temp files are created private (0600); a skill is shared content.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644))
                .map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Scaffolds the default `docker-deployment` skill (default answers, bundled
/// references) into `dest/<name>/` and returns that directory. Refuses a non-empty
/// existing directory.
pub fn generate_default(dest: &Path) -> Result<PathBuf> {
    let rendered = render_skill(&ScaffoldOptions::default())?;
    let dir = dest.join(&rendered.name);
    target::check_writable(&dir, false)?;
    write_rendered(&rendered, &dir)?;
    Ok(dir)
}

/// Every combination of answers the blueprint's authoring questions allow (questions
/// that do not apply are left out). Used by tests and `new --list`.
pub fn all_answer_combinations(bp: &Blueprint) -> Vec<Answers> {
    let mut combos = vec![Answers::new()];
    for q in &bp.authoring {
        let mut next = Vec::new();
        for a in combos {
            if q.when.as_ref().is_none_or(|w| model::when_matches(w, &a)) {
                for c in &q.choices {
                    let mut b = a.clone();
                    b.insert(q.id.clone(), c.value.clone());
                    next.push(b);
                }
            } else {
                next.push(a);
            }
        }
        combos = next;
    }
    combos
}

fn blueprints_dir(args: &NewArgs, cfg: &crate::lint::Config) -> Result<Option<PathBuf>> {
    if let Some(d) = &args.blueprints {
        if !d.is_dir() {
            return Err(Error::usage_hint(
                format!("--blueprints {}: not a directory", d.display()),
                "point it at a directory holding <name>/skill.yaml",
            ));
        }
        return Ok(Some(d.clone()));
    }
    let Some(new) = cfg.table.get("new") else {
        return Ok(None);
    };
    let cfg_path = cfg
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from(crate::lint::config::CONFIG_FILE));
    let Some(dir) = new.get("blueprints") else {
        return Ok(None);
    };
    let Some(dir) = dir.as_str() else {
        return Err(Error::input(
            &cfg_path,
            "[new] blueprints must be a string (a directory)",
        ));
    };
    let base = cfg_path.parent().unwrap_or(Path::new("."));
    let full = base.join(dir);
    if !full.is_dir() {
        return Err(Error::input(
            &cfg_path,
            format!(
                "[new] blueprints = {dir:?}: {} is not a directory",
                full.display()
            ),
        ));
    }
    Ok(Some(full))
}

fn list(dir: Option<&Path>) -> Result<u8> {
    let mut names = source::embedded_names();
    if let Some(d) = dir {
        names.extend(source::disk_names(d)?);
    }
    names.sort();
    names.dedup();
    println!("Blueprints:");
    for n in names {
        let (files, bp) = load_blueprint(&n, dir)?;
        let origin = match files.origin {
            source::Origin::Embedded => "built-in".to_string(),
            source::Origin::Disk(p) => p.display().to_string(),
        };
        println!(
            "  {n}  ({origin}, {} authoring questions)",
            bp.authoring.len()
        );
        println!("      {}", bp.description);
        let variants: Vec<&str> = files
            .files
            .keys()
            .filter_map(|k| k.strip_suffix("/skill.yaml"))
            .filter(|v| !v.contains('/'))
            .collect();
        for v in variants {
            println!("      variant: --{v} (`skillforge new {n} --{v}`)");
        }
    }
    Ok(0)
}

/// The reference set for `new`: documents distilled from the fetch cache when
/// `skillforge fetch` has filled it (and not `--offline`), else the bundled digest.
fn pick_references(blueprint: &str, offline: bool) -> ReferenceSource {
    if offline {
        return ReferenceSource::Bundled;
    }
    let cache = crate::fetch::cache::default_cache_dir();
    match crate::fetch::distil::distilled_references_with_summary(blueprint, &cache) {
        Ok(Some((files, summary))) if files.iter().any(|(p, _)| p.ends_with(".md")) => {
            if let Some(line) = summary {
                eprintln!("note: {line}");
            }
            ReferenceSource::Provided(files)
        }
        Ok(_) => ReferenceSource::Bundled,
        Err(e) => {
            eprintln!(
                "note: cached docs unusable ({}); using the bundled digest",
                e.render().trim_start_matches("error: ")
            );
            ReferenceSource::Bundled
        }
    }
}

/// The versions data `new` renders with: the copy `skillforge fetch` refreshed into
/// the cache when there is one (and not `--offline`), else the bundled versions.yaml.
/// Returns the line describing the choice, or `None` when the blueprint has none.
fn pick_versions(blueprint: &str, bp_dir: Option<&Path>, offline: bool) -> Option<String> {
    let files = source::find(blueprint, bp_dir).ok()?;
    let bundled = files.get(crate::fetch::versions::FILE)?;
    if files.origin != source::Origin::Embedded {
        return Some(format!(
            "{} (your blueprint's own)",
            files.path_of(crate::fetch::versions::FILE).display()
        ));
    }
    let cache = crate::fetch::cache::default_cache_dir();
    match crate::fetch::versions::refreshed(&cache, blueprint) {
        Some((path, text)) if !offline => {
            let date = crate::fetch::versions::as_of(&text).unwrap_or_default();
            crate::fetch::versions::use_for(blueprint, text);
            Some(format!(
                "refreshed by `skillforge fetch`, as of {date} ({})",
                path.display()
            ))
        }
        _ => Some(format!(
            "bundled versions.yaml, as of {}",
            crate::fetch::versions::as_of(bundled).unwrap_or_default()
        )),
    }
}

/// `skillforge new`.
pub fn run_new(args: NewArgs) -> Result<u8> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let cfg = crate::lint::Config::discover(&cwd)?;
    let bp_dir = blueprints_dir(&args, &cfg)?;
    if args.list {
        return list(bp_dir.as_deref());
    }
    let base_blueprint = args
        .blueprint
        .clone()
        .unwrap_or_else(|| DEFAULT_BLUEPRINT.to_string());
    let blueprint = if args.starter {
        format!("{base_blueprint}/starter")
    } else {
        base_blueprint.clone()
    };
    let (_, bp) = load_blueprint(&blueprint, bp_dir.as_deref())?;
    let name = args.name.clone().unwrap_or_else(|| bp.name.clone());
    target::validate_name(&name)?;
    // Where it goes (validated before any question is asked).
    let skill_dir = target::resolve(&cwd, &name, args.dir.as_deref(), args.agent)?;
    target::check_writable(&skill_dir.path, args.force)?;
    // Answers.
    let (answers, how) = if let Some(f) = &args.answers {
        // A variant (the starter) asks fewer questions: the main blueprint's other keys
        // are noted and ignored, so one answers file serves both.
        let main_questions = if args.starter {
            load_blueprint(&base_blueprint, bp_dir.as_deref())
                .map(|(_, b)| b.authoring)
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let (a, notes) = answers::from_file_with(f, &bp.authoring, &main_questions)?;
        for n in notes.ignored {
            eprintln!("note: {n}");
        }
        (a, format!("from {}", f.display()))
    } else if args.yes {
        (
            answers::defaults(&bp.authoring),
            "defaults (--yes)".to_string(),
        )
    } else if std::io::stdin().is_terminal() {
        let term = console::Term::stderr();
        let a = if term.is_term() && std::env::var("TERM").map_or(true, |t| t != "dumb") {
            eprintln!(
                "Answer a few questions to tailor the skill (Enter takes the highlighted default)."
            );
            let color = crate::term::decide_color(
                crate::term::color_choice(),
                std::env::var("NO_COLOR").ok().as_deref(),
                None,
                true,
            );
            answers::prompt_menu(&bp.authoring, &term, color)?
        } else {
            eprintln!("Answer a few questions to tailor the skill (Enter takes the default).");
            let stdin = std::io::stdin();
            let mut lock = stdin.lock();
            answers::prompt(&bp.authoring, &mut lock, &mut std::io::stderr())?
        };
        (a, "asked on the terminal".to_string())
    } else {
        eprintln!(
            "note: stdin is not a terminal and neither --answers nor --yes was given: using the default answers"
        );
        (
            answers::defaults(&bp.authoring),
            "defaults (no terminal)".to_string(),
        )
    };
    if args.fetch {
        let cache = crate::fetch::cache::default_cache_dir();
        match crate::fetch::refresh_cache(&base_blueprint, &cache) {
            Ok((ok, failures)) => {
                eprintln!(
                    "fetched {ok} official page(s) into {}{}",
                    cache.display(),
                    if failures.is_empty() {
                        String::new()
                    } else {
                        format!("; {} failed (first: {})", failures.len(), failures[0].0)
                    }
                );
            }
            Err(e) => eprintln!(
                "note: could not fetch the docs ({}); using what is cached, else the bundled digest",
                e.render().trim_start_matches("error: ")
            ),
        }
    }
    let references = pick_references(&base_blueprint, args.offline);
    let versions_note = pick_versions(&base_blueprint, bp_dir.as_deref(), args.offline);
    let rendered = render_skill(&ScaffoldOptions {
        blueprint: blueprint.clone(),
        name: Some(name.clone()),
        answers: Some(answers),
        references: references.clone(),
        blueprints_dir: bp_dir.clone(),
    })?;
    // Everything is valid and rendered: now touch the disk.
    let installed = target::install(&skill_dir.path, args.force, |dir| {
        write_rendered(&rendered, dir)
    })?;
    for backup in &installed.backups {
        println!(
            "moved the existing {} to {}",
            crate::term::escape_line(&crate::lint::display_path(&skill_dir.path)),
            crate::term::escape_line(&crate::lint::display_path(backup))
        );
    }
    let shown = crate::term::escape_line(&crate::lint::display_path(&skill_dir.path)).into_owned();
    println!(
        "created skill `{}` in {shown}/ ({})",
        rendered.name, skill_dir.why
    );
    println!("  blueprint:  {blueprint}");
    println!(
        "  answers:    {} ({how})",
        rendered
            .answers
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mirrors = match &references {
        ReferenceSource::Provided(_) => crate::fetch::distil::mirror_origins(
            &base_blueprint,
            &crate::fetch::cache::default_cache_dir(),
        ),
        ReferenceSource::Bundled => Vec::new(),
    };
    if mirrors.is_empty() {
        println!("  references: {}", references.describe());
    } else {
        // Say where the pages really came from: `[fetch] base-url` or `--base-url`
        // points fetch at a mirror, which is not the official docs.
        println!(
            "  references: fetched from {} (a mirror set with `[fetch] base-url` or --base-url), not from the official docs (cache)",
            crate::term::escape_line(&mirrors.join(", "))
        );
    }
    if let Some(note) = versions_note {
        println!("  versions:   {note}");
    }
    let count = |p: &str| {
        rendered
            .files
            .iter()
            .filter(|f| f.rel.starts_with(p))
            .count()
    };
    let skill_md_lines = rendered
        .files
        .first()
        .map(|f| f.content.lines().count())
        .unwrap_or(0);
    println!(
        "  files:      SKILL.md ({skill_md_lines} lines), {} templates, {} references",
        count("templates/"),
        count("references/")
    );
    for f in rendered
        .files
        .iter()
        .filter(|f| !f.rel.starts_with("references/"))
    {
        println!("    {}", f.rel);
    }
    // `skillforge test` finds the skill by itself only in the skills-lab layout.
    let in_lab = skill_dir
        .path
        .parent()
        .is_some_and(|p| p.ends_with(".claude/skills"))
        && target::git_root(&cwd).is_some();
    let test_cmd = if in_lab {
        "skillforge test --lesson 0".to_string()
    } else {
        format!("skillforge test {shown} --lesson 0")
    };
    if args.starter {
        let next_cmd = if in_lab {
            "skillforge next".to_string()
        } else {
            format!("skillforge next {shown}")
        };
        println!(
            "next: {test_cmd} (it passes), then `{next_cmd}` shows the lesson to work on and what it misses"
        );
    } else {
        println!("next: {test_cmd}   (then edit {shown}/SKILL.md and test again)");
    }
    Ok(0)
}
