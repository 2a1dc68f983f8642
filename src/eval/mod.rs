//! Lesson suites, assertions and judges (`skillforge test`, `skillforge lessons`).
//!
//! - [`suite`]: curriculum and topic files (embedded, or `--lessons DIR`, or `--suite
//!   FILE`), validated by `schemas/lesson-suite.schema.json` and
//!   `schemas/curriculum.schema.json`, compiled once per run.
//! - [`check`]: the `check` grammar; one module per assertion kind ([`text`],
//!   [`dockerfacts`], [`composefacts`], [`structure`], [`commands`]).
//! - [`subject`]: what is judged: a skill ([`Subject::from_skill`], the static judge) or
//!   an answer text ([`Subject::from_answer`], for the model judge).
//! - [`run`]: scores; [`output`]: text / JSON / JUnit; [`evals`]: agentskills evals.json.
//!
//! Public entry points for other commands: [`Library::embedded`], [`Subject`],
//! [`run::run_prompt`] / [`run::run_lesson`].

pub mod check;
pub mod commands;
pub mod composefacts;
pub mod dockerfacts;
pub mod evals;
pub mod node;
pub mod output;
pub mod run;
pub mod scope;
pub mod structure;
pub mod subject;
pub mod suite;
pub mod text;

pub use run::{LessonResult, TestReport};
pub use subject::Subject;
pub use suite::{Curriculum, Lesson, Library};

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Which curriculum (chapter version).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum CurriculumArg {
    /// Lessons 0–8: build the skill first, refine it each lesson (the default)
    #[default]
    SkillFirst,
    /// Lessons 1–14: the full chapter
    Full,
}

impl CurriculumArg {
    pub fn id(self) -> &'static str {
        match self {
            CurriculumArg::SkillFirst => "skill-first",
            CurriculumArg::Full => "full",
        }
    }
}

/// Output formats of `skillforge test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum TestFormat {
    /// Human-readable (colour on a terminal unless NO_COLOR is set)
    #[default]
    Text,
    /// JSON report (shape in docs/test-json.md)
    Json,
    /// JUnit XML, one testcase per assertion
    Junit,
    /// SARIF 2.1.0: one result per failed assertion (GitHub code scanning)
    Sarif,
}

/// Arguments of `skillforge test`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = TEST_AFTER_HELP)]
pub struct TestArgs {
    /// The skill to test [default: the skill in this skills-lab (.claude/skills/…), else .]
    pub path: Option<PathBuf>,
    /// Run one lesson's prompts, with per-assertion detail
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub lesson: Option<u32>,
    /// Run every lesson and print a table (the default without --lesson)
    #[arg(long)]
    pub all: bool,
    /// Which version of the chapter
    #[arg(long, value_enum, default_value_t = CurriculumArg::SkillFirst)]
    pub curriculum: CurriculumArg,
    /// Run your own topic-format suite file instead of the built-in lessons
    #[arg(long, value_name = "FILE", conflicts_with_all = ["lesson", "import_evals"])]
    pub suite: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TestFormat::Text)]
    pub format: TestFormat,
    /// Pass threshold for a lesson's weighted score (0–1)
    #[arg(long, value_name = "X", default_value_t = 0.8)]
    pub min_score: f64,
    /// Read lesson suites from this directory instead of the built-in copy
    #[arg(long, value_name = "DIR")]
    pub lessons: Option<PathBuf>,
    /// Write the selected prompts as an agentskills evals.json and exit
    #[arg(long, value_name = "FILE")]
    pub export_evals: Option<PathBuf>,
    /// Run the prompts of an agentskills evals.json (assertions without `check` are not scored)
    #[arg(long, value_name = "FILE", conflicts_with = "lesson")]
    pub import_evals: Option<PathBuf>,
}

const TEST_AFTER_HELP: &str = "\
The static judge checks the skill itself: does SKILL.md, with its references and
templates, contain the guidance, Dockerfile and commands a good answer to each lesson's
test prompts needs? Each miss names what is absent, a hint, and the official page.

Exit codes: 0 every selected lesson reaches --min-score; 1 some lesson is below it;
2 usage or input error (unknown lesson, bad suite file, no skill).";

/// Arguments of `skillforge lessons`.
#[derive(Debug, clap::Args)]
pub struct LessonsArgs {
    /// Which version of the chapter
    #[arg(long, value_enum, default_value_t = CurriculumArg::SkillFirst)]
    pub curriculum: CurriculumArg,
    /// Show one lesson's prompts and assertions
    #[arg(long, value_name = "N")]
    pub lesson: Option<u32>,
    /// Read lesson suites from this directory instead of the built-in copy
    #[arg(long, value_name = "DIR")]
    pub lessons: Option<PathBuf>,
}

fn load_library(dir: Option<&Path>) -> Result<Library> {
    match dir {
        Some(d) => Library::from_dir(d),
        None => Library::embedded(),
    }
}

fn pick_curriculum(lib: &Library, c: CurriculumArg) -> Result<&Curriculum> {
    lib.curriculum(c.id()).ok_or_else(|| {
        let have: Vec<&str> = lib.curricula.iter().map(|c| c.id.as_str()).collect();
        Error::usage_hint(
            format!("no curriculum `{}` in {}", c.id(), lib.origin),
            format!(
                "available: {}",
                if have.is_empty() {
                    "(none)".into()
                } else {
                    have.join(", ")
                }
            ),
        )
    })
}

fn pick_lessons(cur: &Curriculum, lesson: Option<u32>) -> Result<Vec<&Lesson>> {
    match lesson {
        None => Ok(cur.lessons.iter().collect()),
        Some(n) => cur
            .lessons
            .iter()
            .find(|l| l.number == n)
            .map(|l| vec![l])
            .ok_or_else(|| {
                let list: Vec<String> = cur
                    .lessons
                    .iter()
                    .map(|l| format!("{} ({})", l.number, l.title))
                    .collect();
                Error::usage_hint(
                    format!("no lesson {n} in the {} curriculum", cur.id),
                    format!("valid lessons: {}", list.join(", ")),
                )
            }),
    }
}

/// The git work tree root above `start`, if any.
fn git_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The default skill: `<git root>/.claude/skills/docker-deployment`, or the only skill
/// under `.claude/skills`, else `.`.
pub fn default_skill_path(cwd: &Path) -> PathBuf {
    let root = git_root(cwd).unwrap_or_else(|| cwd.to_path_buf());
    let skills = root.join(".claude/skills");
    let preferred = skills.join("docker-deployment");
    if preferred.join("SKILL.md").is_file() {
        return preferred;
    }
    if let Ok(rd) = std::fs::read_dir(&skills) {
        let found: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.join("SKILL.md").is_file())
            .collect();
        if found.len() == 1 {
            return found
                .into_iter()
                .next()
                .unwrap_or_else(|| PathBuf::from("."));
        }
    }
    PathBuf::from(".")
}

fn load_skill(path: &Path) -> Result<crate::skill::Skill> {
    crate::skill::Skill::load(path).map_err(|e| {
        Error::input(e.path(), e.to_string().rsplit(": ").next().unwrap_or("cannot load").to_string())
            .with_hint(format!(
                "{}; pass the skill directory (e.g. .claude/skills/docker-deployment), or create one with `skillforge new docker-deployment`",
                e.hint()
            ))
    })
}

/// `skillforge test`.
pub fn run_test(args: TestArgs) -> Result<u8> {
    if !(0.0..=1.0).contains(&args.min_score) || args.min_score.is_nan() {
        return Err(Error::usage_hint(
            format!("--min-score {} is outside 0–1", args.min_score),
            "use a fraction, e.g. --min-score 0.8",
        ));
    }
    let (lib, cur_id) = if let Some(f) = &args.suite {
        let (lib, cur) = Library::from_suite_file(f)?;
        (lib, cur.id)
    } else if let Some(f) = &args.import_evals {
        let (lib, cur) = evals::import(f)?;
        (lib, cur.id)
    } else {
        let lib = load_library(args.lessons.as_deref())?;
        let id = pick_curriculum(&lib, args.curriculum)?.id.clone();
        (lib, id)
    };
    let cur = lib
        .curriculum(&cur_id)
        .ok_or_else(|| Error::Other(format!("curriculum {cur_id} vanished")))?;
    let lessons = pick_lessons(cur, args.lesson)?;

    if let Some(out) = &args.export_evals {
        let path = args.path.clone().unwrap_or_else(|| {
            default_skill_path(&std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")))
        });
        let name = crate::skill::Skill::load(&path)
            .ok()
            .and_then(|s| s.name().map(str::to_string))
            .unwrap_or_else(|| "docker-deployment".into());
        let doc = evals::export(&lib, &lessons, &name);
        let mut text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Error::Other(format!("cannot serialise evals: {e}")))?;
        text.push('\n');
        crate::fsutil::write_atomic(out, text.as_bytes())?;
        let n = doc["evals"].as_array().map(Vec::len).unwrap_or(0);
        eprintln!("wrote {n} evals to {}", out.display());
        return Ok(0);
    }

    let path = match &args.path {
        Some(p) => p.clone(),
        None => default_skill_path(&std::env::current_dir().map_err(|e| Error::io(".", e))?),
    };
    let skill = load_skill(&path)?;
    let subject = Subject::from_skill(&skill);
    let report = run::run(
        &lib,
        cur,
        &lessons,
        &subject,
        &skill.dir.display().to_string(),
        args.min_score,
    );
    let text = match args.format {
        TestFormat::Json => output::json(&report),
        TestFormat::Junit => output::junit(&report),
        TestFormat::Sarif => crate::report::sarif::test(&report),
        TestFormat::Text => {
            let color = crate::report::use_color();
            if args.lesson.is_some() || lessons.len() == 1 {
                output::text_detail(&report, color)
            } else {
                output::text_table(&report, color)
            }
        }
    };
    print!("{text}");
    Ok(if report.passed { 0 } else { 1 })
}

/// `skillforge lessons`.
pub fn run_lessons(args: LessonsArgs) -> Result<u8> {
    let lib = load_library(args.lessons.as_deref())?;
    let cur = pick_curriculum(&lib, args.curriculum)?;
    let lessons = pick_lessons(cur, args.lesson)?;
    print!(
        "{}",
        lessons_text(&lib, cur, &lessons, args.lesson.is_some())
    );
    Ok(0)
}

/// The listing printed by `skillforge lessons`.
pub fn lessons_text(lib: &Library, cur: &Curriculum, lessons: &[&Lesson], detail: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", cur.title, cur.id);
    for l in lessons {
        let _ = writeln!(out);
        let prompts: usize = lib.lesson_topics(l).iter().map(|t| t.prompts.len()).sum();
        let _ = writeln!(
            out,
            "Lesson {}: {}  ({} prompts)",
            l.number, l.title, prompts
        );
        if detail {
            for d in lib.lesson_docs(l) {
                let _ = writeln!(out, "  docs: {d}");
            }
        }
        for t in lib.lesson_topics(l) {
            for p in &t.prompts {
                let first = p.prompt.lines().next().unwrap_or("");
                let _ = writeln!(out, "  - {}: {}", p.id, first);
                if detail {
                    for a in &p.assertions {
                        let _ = writeln!(out, "      [{}] {}", a.weight, a.text);
                    }
                }
            }
        }
    }
    out
}
