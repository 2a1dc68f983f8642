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
pub mod guidance;
pub mod model;
pub mod model_cli;
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
    /// GitHub Actions annotations on the SKILL.md / template lines the misses point to
    Github,
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
    /// Write the selected prompts as an agentskills evals.json and exit (`-`: standard output)
    #[arg(long, value_name = "FILE")]
    pub export_evals: Option<PathBuf>,
    /// Run the prompts of an agentskills evals.json (assertions without `check` are not scored)
    #[arg(long, value_name = "FILE", conflicts_with = "lesson")]
    pub import_evals: Option<PathBuf>,
    /// Show how each miss was matched (regexes, predicate names) under its note
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Re-run on every save of the skill's files, clearing the screen between runs
    #[arg(long, conflicts_with_all = ["export_evals"])]
    pub watch: bool,
    /// Do not record this run in .skillforge/history.json (nor show the change since the last run)
    #[arg(long)]
    pub no_history: bool,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// The model judge's options of `skillforge test` (`--model` turns it on).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Model judge (answers with and without the skill)")]
pub struct ModelArgs {
    /// Answer each prompt with an assistant, with and without the skill, and grade the
    /// answers: claude-code[:MODEL], anthropic:MODEL, openai:MODEL, command:PROGRAM
    /// [default with no value: claude-code when `claude` is on PATH]
    #[arg(long, value_name = "PROVIDER[:MODEL]", num_args = 0..=1, default_missing_value = "auto")]
    pub model: Option<String>,
    /// Grade assertions that need a reader with this model (anthropic:MODEL, openai:MODEL)
    #[arg(long, value_name = "PROVIDER:MODEL")]
    pub judge: Option<String>,
    /// Ask whether the description makes the assistant pick the skill (lesson prompts
    /// should, built-in near misses should not); reports recall and precision
    #[arg(long)]
    pub triggers: bool,
    /// Runs per prompt and configuration [default: 1; 3 with --triggers]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub runs: Option<u32>,
    /// Runs in flight at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub jobs: u32,
    /// API base URL (an OpenAI-compatible server: Ollama, vLLM, llama.cpp, LM Studio)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Seconds one call (or one agent run) may take
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: u64,
    /// Spending guard: stop after this many API requests or agent runs (retries count)
    #[arg(long, value_name = "N")]
    pub max_calls: Option<u32>,
    /// Most tool-loop turns per answer (API providers)
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_turns: u32,
    /// Most tokens per model reply (API providers)
    #[arg(long, value_name = "N", default_value_t = 4096, value_parser = clap::value_parser!(u32).range(16..=200_000))]
    pub max_tokens: u32,
    /// Sampling temperature (API providers) [default: the provider's]
    #[arg(long, value_name = "T")]
    pub temperature: Option<f64>,
    /// Ask again even when an identical run is cached (the new answers replace the old)
    #[arg(long)]
    pub no_cache: bool,
    /// Write benchmark.json, benchmark.md, grading.json per run, the answers and report.html here
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

const TEST_AFTER_HELP: &str = "\
The static judge checks the skill itself: does SKILL.md, with its references and
templates, contain the guidance, Dockerfile and commands a good answer to each lesson's
test prompts needs? Each miss names what is absent, a hint, and the official page.

The model judge (--model) measures what an assistant does with the skill: each prompt is
answered with the skill installed and without it, both answers are graded by the same
assertions, and the uplift is reported. Examples:
  skillforge test --lesson 5 --model claude-code
  skillforge test --lesson 5 --model anthropic:claude-sonnet-4-5      # needs ANTHROPIC_API_KEY
  skillforge test --all --model openai:llama3.2 --base-url http://127.0.0.1:11434/v1
  skillforge test --lesson 5 --model 'command:codex exec' --runs 3 --out evals/run-1
  skillforge test --triggers --model claude-code
Answers are cached (unchanged skill + prompt = no new call; --no-cache asks again).

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

pub(crate) fn load_library(dir: Option<&Path>) -> Result<Library> {
    match dir {
        Some(d) => Library::from_dir(d),
        None => Library::embedded(),
    }
}

pub(crate) fn pick_curriculum(lib: &Library, c: CurriculumArg) -> Result<&Curriculum> {
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

fn pick_lessons<'a>(
    lib: &Library,
    cur: &'a Curriculum,
    lesson: Option<u32>,
) -> Result<Vec<&'a Lesson>> {
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
                // Another curriculum may have it (`--lesson 9` is in the full chapter).
                let elsewhere: Vec<String> =
                    lib.curricula
                        .iter()
                        .filter(|c| c.id != cur.id)
                        .filter_map(|c| {
                            c.lessons.iter().find(|l| l.number == n).map(|l| {
                                format!("`--curriculum {} --lesson {n}` is {}", c.id, l.title)
                            })
                        })
                        .collect();
                let also = if elsewhere.is_empty() {
                    String::new()
                } else {
                    format!("; {}", elsewhere.join("; "))
                };
                Error::usage_hint(
                    format!("no lesson {n} in the {} curriculum", cur.id),
                    format!("valid lessons: {}{also}", list.join(", ")),
                )
            }),
    }
}

/// The default skill (kept for callers of the old API): the one skill
/// [`crate::lint::discover::find_skill`] finds from `cwd`, else `.`.
pub fn default_skill_path(cwd: &Path) -> PathBuf {
    crate::lint::discover::find_skill(cwd, None).unwrap_or_else(|_| PathBuf::from("."))
}

/// The skill `test` works on: the PATH argument, else the one skill found from the
/// working directory (see [`crate::lint::discover::find_skill`]). A PATH that does
/// not exist but looks like a lesson number gets a "did you mean" hint.
pub fn resolve_skill_path(path: Option<&Path>, lesson: Option<u32>) -> Result<PathBuf> {
    if let Some(p) = path
        && !p.exists()
    {
        let s = p.to_string_lossy();
        if lesson.is_none() && !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::usage_hint(
                format!("no skill at `{s}`"),
                format!("did you mean `--lesson {s}`? (a bare argument is the skill's path)"),
            ));
        }
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    crate::lint::discover::find_skill(&cwd, path)
}

pub(crate) fn load_skill(path: &Path) -> Result<crate::skill::Skill> {
    let skill = crate::skill::Skill::load(path).map_err(|e| {
        Error::input(e.path(), e.to_string().rsplit(": ").next().unwrap_or("cannot load").to_string())
            .with_hint(format!(
                "{}; pass the skill directory (e.g. .claude/skills/docker-deployment), or create one with `skillforge new docker-deployment`",
                e.hint()
            ))
    })?;
    // A file or folder that cannot be read would silently score as missing guidance.
    if let Some(u) = skill.unreadable.first() {
        let more = match skill.unreadable.len() - 1 {
            0 => String::new(),
            n => format!(" (and {n} more unreadable)"),
        };
        let what = if u.is_dir {
            "cannot list folder"
        } else {
            "cannot read"
        };
        return Err(Error::input(
            skill.dir.join(&u.rel),
            format!("{what}: {}{more}", u.message),
        )
        .with_hint(
            "check the permissions: every file of the skill must be readable (`chmod -R a+rX`)",
        ));
    }
    Ok(skill)
}

/// `skillforge test`.
pub fn run_test(args: TestArgs) -> Result<u8> {
    if args.watch {
        return crate::learn::watch::watch_test(args);
    }
    run_test_once(&args)
}

/// One run of `skillforge test` (what `--watch` repeats).
pub fn run_test_once(args: &TestArgs) -> Result<u8> {
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
    let lessons = pick_lessons(&lib, cur, args.lesson)?;

    if let Some(out) = &args.export_evals {
        let path = resolve_skill_path(args.path.as_deref(), args.lesson)
            .unwrap_or_else(|_| PathBuf::from("."));
        let name = crate::skill::Skill::load(&path)
            .ok()
            .and_then(|s| s.name().map(str::to_string))
            .unwrap_or_else(|| "docker-deployment".into());
        let doc = evals::export(&lib, &lessons, &name);
        let mut text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Error::Other(format!("cannot serialise evals: {e}")))?;
        text.push('\n');
        let n = doc["evals"].as_array().map(Vec::len).unwrap_or(0);
        if out.as_os_str() == "-" {
            print!("{text}");
        } else {
            crate::fsutil::write_atomic(out, text.as_bytes())?;
            eprintln!("wrote {n} evals to {}", out.display());
        }
        return Ok(0);
    }

    if let Some(v) = &args.model.model {
        model_cli::check_model_value(v)?;
    }
    let path = resolve_skill_path(args.path.as_deref(), args.lesson)?;
    let skill = load_skill(&path)?;
    if args.model.model.is_some() || args.model.triggers || args.model.judge.is_some() {
        return model_cli::run(args, &lib, cur, &lessons, &skill);
    }
    if args.model.out.is_some() {
        return Err(Error::usage_hint(
            "--out writes a model benchmark",
            "add --model PROVIDER[:MODEL] (e.g. --model claude-code)",
        ));
    }
    let subject = Subject::from_skill(&skill);
    let report = run::run(
        &lib,
        cur,
        &lessons,
        &subject,
        &skill.dir.display().to_string(),
        args.min_score,
    );
    // The run history (built-in or --lessons curricula only: a --suite file has its
    // own numbering).
    let deltas = if args.no_history || args.suite.is_some() || args.import_evals.is_some() {
        None
    } else {
        match crate::learn::history::record(&skill.dir, &report) {
            Ok((d, _, note)) => {
                if let Some(n) = note {
                    eprintln!("note: {n}");
                }
                Some(d)
            }
            Err(e) => {
                eprintln!(
                    "note: the run was not recorded ({})",
                    e.render().trim_start_matches("error: ")
                );
                None
            }
        }
    };
    let color = crate::report::use_color();
    let mut text = match args.format {
        TestFormat::Json => output::json(&report),
        TestFormat::Junit => output::junit(&report),
        TestFormat::Github => output::github(&report, &skill.dir),
        TestFormat::Sarif => crate::report::sarif::test(&report),
        TestFormat::Text => {
            if args.lesson.is_some() || lessons.len() == 1 {
                output::text_detail_verbose(&report, color, args.verbose)
            } else {
                output::text_table(&report, color)
            }
        }
    };
    if args.format == TestFormat::Text
        && let Some(d) = &deltas
    {
        text.push_str(&crate::learn::history::render_deltas(d));
    }
    crate::term::print_stdout(&crate::term::sanitize_output(
        &text,
        color && args.format == TestFormat::Text,
    ));
    Ok(if report.passed { 0 } else { 1 })
}

/// `skillforge lessons`.
pub fn run_lessons(args: LessonsArgs) -> Result<u8> {
    let lib = load_library(args.lessons.as_deref())?;
    let cur = pick_curriculum(&lib, args.curriculum)?;
    let lessons = pick_lessons(&lib, cur, args.lesson)?;
    let text = lessons_text(&lib, cur, &lessons, args.lesson.is_some());
    crate::term::print_stdout(&crate::term::sanitize_output(&text, false));
    Ok(0)
}

/// The listing printed by `skillforge lessons`.
pub fn lessons_text(lib: &Library, cur: &Curriculum, lessons: &[&Lesson], detail: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    // The title usually names the curriculum already ("… (skill-first)"): say it once.
    if cur.title.contains(&cur.id) {
        let _ = writeln!(out, "{}", cur.title);
    } else {
        let _ = writeln!(out, "{} ({})", cur.title, cur.id);
    }
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
                let first = crate::term::first_line(&p.prompt, 100);
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
