//! `skillforge next`: which lesson to work on next, its prompts, and the top three
//! misses with their official pages.

use crate::error::{Error, Result};
use crate::eval::run::AssertionResult;
use crate::eval::{CurriculumArg, LessonResult, Subject, TestReport};
use std::fmt::Write;
use std::path::PathBuf;

/// Arguments of `skillforge next`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
`next` scores the skill against every lesson of the curriculum (like `test --all`),
then shows the first lesson below the pass mark: what it asks, and the three heaviest
misses with what to add and the official page that covers it. Edit the skill, then
`skillforge test --lesson N` shows the change since the last run.

Exit codes: 0 (also when lessons remain); 2 usage or input error.")]
pub struct NextArgs {
    /// The skill [default: the one skill in this skills-lab's agents' folders]
    pub path: Option<PathBuf>,
    /// Which version of the chapter
    #[arg(long, value_enum, default_value_t = CurriculumArg::SkillFirst)]
    pub curriculum: CurriculumArg,
    /// Pass mark for a lesson's weighted score (0–1)
    #[arg(long, value_name = "X", default_value_t = 0.8)]
    pub min_score: f64,
    /// Read lesson suites from this directory instead of the built-in copy
    #[arg(long, value_name = "DIR")]
    pub lessons: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = NextFormat::Text)]
    pub format: NextFormat,
}

/// Output formats of `skillforge next`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum NextFormat {
    /// Human-readable
    #[default]
    Text,
    /// JSON (`schema: skillforge.next/v1`; `next` is null when every lesson passes)
    Json,
}

/// The `--format json` document.
pub fn json(r: &TestReport) -> serde_json::Value {
    use serde_json::json;
    let next = r.lessons.iter().find(|l| !l.passed).map(|l| {
        json!({
            "lesson": l.lesson,
            "title": l.title,
            "score": l.score,
            "docs": l.docs,
            "prompts": l.prompts.iter().map(|p| json!({"id": p.id, "prompt": p.prompt})).collect::<Vec<_>>(),
            "assertions_failed": l.assertions_failed,
            "top_misses": top_misses(l, 3).iter().map(|(prompt, a)| json!({
                "prompt": prompt, "text": a.text, "weight": a.weight,
                "missing": a.note, "hint": a.hint, "doc": a.doc,
            })).collect::<Vec<_>>(),
        })
    });
    json!({
        "schema": "skillforge.next/v1",
        "skill": r.skill,
        "curriculum": r.curriculum,
        "min_score": r.min_score,
        "lessons_passing": r.lessons.iter().filter(|l| l.passed).count(),
        "lessons_total": r.lessons.len(),
        "next": next,
    })
}

/// The misses of a lesson, heaviest first (ties keep lesson order), each text once.
pub fn top_misses(l: &LessonResult, n: usize) -> Vec<(&str, &AssertionResult)> {
    let mut all: Vec<(&str, &AssertionResult)> = l
        .prompts
        .iter()
        .flat_map(|p| p.assertions.iter().map(move |a| (p.id.as_str(), a)))
        .filter(|(_, a)| a.passed == Some(false))
        .collect();
    all.sort_by(|a, b| b.1.weight.total_cmp(&a.1.weight));
    let mut seen = std::collections::BTreeSet::new();
    all.retain(|(_, a)| seen.insert(a.text.clone()));
    all.truncate(n);
    all
}

/// The text `next` prints for a report of every lesson.
pub fn render(r: &TestReport, shown_skill: &str, cur_title: &str) -> String {
    let mut out = String::new();
    let passing = r.lessons.iter().filter(|l| l.passed).count();
    let _ = writeln!(
        out,
        "skill: {shown_skill}  ({cur_title}: {passing} of {} lessons pass)",
        r.lessons.len()
    );
    let Some(l) = r.lessons.iter().find(|l| !l.passed) else {
        let _ = writeln!(
            out,
            "\nEvery lesson passes (pass mark {:.2}). Next: commit the skill{}.",
            r.min_score,
            if r.curriculum == "skill-first" {
                ", or try the whole chapter with `skillforge next --curriculum full`"
            } else {
                ""
            }
        );
        return out;
    };
    let _ = writeln!(
        out,
        "\nNext: Lesson {}: {}  (score {:.2}, pass mark {:.2})",
        l.lesson, l.title, l.score, r.min_score
    );
    for d in &l.docs {
        let _ = writeln!(out, "  docs: {d}");
    }
    let _ = writeln!(out, "\nIts test prompts:");
    for p in &l.prompts {
        let _ = writeln!(
            out,
            "  - {}: {}",
            p.id,
            crate::term::first_line(&p.prompt, 90)
        );
    }
    let misses = top_misses(l, 3);
    let total = l.assertions_failed;
    let _ = writeln!(
        out,
        "\nTop {} of {total} misses (heaviest first):",
        misses.len()
    );
    for (i, (prompt, a)) in misses.iter().enumerate() {
        let _ = writeln!(out, "  {}. [{}] {}  ({prompt})", i + 1, a.weight, a.text);
        if let Some(n) = &a.note {
            let _ = writeln!(out, "     missing: {n}");
        }
        if let Some(h) = &a.hint {
            let _ = writeln!(out, "     hint:    {h}");
        }
        if let Some(d) = &a.doc {
            let _ = writeln!(out, "     docs:    {d}");
        }
    }
    let _ = writeln!(
        out,
        "\nThen: edit {shown_skill}/SKILL.md (or its templates/ and references/) and run `skillforge test --lesson {}`{}.",
        l.lesson,
        if r.curriculum == "skill-first" {
            String::new()
        } else {
            format!(" --curriculum {}", r.curriculum)
        }
    );
    out
}

/// `skillforge next`.
pub fn run_next(args: NextArgs) -> Result<u8> {
    if !(0.0..=1.0).contains(&args.min_score) || args.min_score.is_nan() {
        return Err(Error::usage_hint(
            format!("--min-score {} is outside 0–1", args.min_score),
            "use a fraction, e.g. --min-score 0.8",
        ));
    }
    let lib = crate::eval::load_library(args.lessons.as_deref())?;
    let cur = crate::eval::pick_curriculum(&lib, args.curriculum)?;
    let path = crate::eval::resolve_skill_path(args.path.as_deref(), None)?;
    let skill = crate::eval::load_skill(&path)?;
    let subject = Subject::from_skill(&skill);
    let lessons: Vec<_> = cur.lessons.iter().collect();
    let shown = crate::lint::display_path(&skill.dir);
    let report = crate::eval::run::run(&lib, cur, &lessons, &subject, &shown, args.min_score);
    let text = match args.format {
        NextFormat::Text => render(&report, &shown, &cur.title),
        NextFormat::Json => {
            let mut t = serde_json::to_string_pretty(&json(&report))
                .map_err(|e| Error::Other(format!("cannot serialise: {e}")))?;
            t.push('\n');
            t
        }
    };
    crate::term::print_stdout(&crate::term::sanitize_output(&text, false));
    Ok(0)
}
