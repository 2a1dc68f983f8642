//! Scoring: runs a lesson's prompts' assertions against a subject (the static judge)
//! and produces the report model that every output format renders.
//!
//! Scores: a prompt's score is the weight of its passed assertions divided by the
//! weight of its machine-checkable assertions; a lesson's score is the same ratio over
//! all assertions of all its prompts (so heavier assertions count more, wherever they
//! are). Assertions without a `check` (imported evals) are reported and not scored.

use super::subject::{Evidence, Subject};
use super::suite::{Assertion, Curriculum, Lesson, Library, Prompt, doc_url};
use serde::Serialize;

/// Version tag of the JSON report shape.
pub const REPORT_SCHEMA: &str = "skillforge.test/v1";

/// One assertion's result.
#[derive(Debug, Clone, Serialize)]
pub struct AssertionResult {
    pub text: String,
    pub weight: f64,
    /// The check kind (`dockerfile`, `mentions`…), or null when not machine-checkable.
    pub kind: Option<String>,
    /// `true`/`false`, or null when the assertion has no check.
    pub passed: Option<bool>,
    /// Where the match was found (passes).
    pub evidence: Vec<Evidence>,
    /// What was missing and where it was looked for, in a reviewer's words (misses), or
    /// why it was not checked.
    pub note: Option<String>,
    /// The matcher's view of a miss (regexes, predicate names); shown by `--verbose`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matcher: Option<String>,
    /// How to fix a miss.
    pub hint: Option<String>,
    /// The official page that covers it.
    pub doc: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PromptResult {
    pub id: String,
    pub topic: String,
    pub prompt: String,
    /// 0–1, or null when nothing in it is machine-checkable.
    pub score: Option<f64>,
    pub assertions: Vec<AssertionResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LessonResult {
    pub lesson: u32,
    pub title: String,
    /// Official pages the lesson relies on.
    pub docs: Vec<String>,
    pub score: f64,
    pub passed: bool,
    /// Counts of assertions.
    pub assertions_passed: usize,
    pub assertions_failed: usize,
    pub assertions_unchecked: usize,
    pub prompts: Vec<PromptResult>,
}

/// The whole run: the `--format json` document. Its shape is stable within
/// [`REPORT_SCHEMA`] and documented field by field in `docs/test-json.md`.
#[derive(Debug, Clone, Serialize)]
pub struct TestReport {
    pub schema: &'static str,
    /// The skill directory judged.
    pub skill: String,
    pub curriculum: String,
    /// `static` (the skill itself is judged).
    pub judge: &'static str,
    pub min_score: f64,
    pub passed: bool,
    pub lessons: Vec<LessonResult>,
}

fn run_assertion(s: &Subject, a: &Assertion, topic_doc: Option<&str>) -> AssertionResult {
    let doc = a.doc.clone().or_else(|| topic_doc.map(doc_url));
    match &a.check {
        None => AssertionResult {
            text: a.text.clone(),
            weight: a.weight,
            kind: None,
            passed: None,
            evidence: Vec::new(),
            note: Some("not machine-checkable (no `check`)".into()),
            matcher: None,
            hint: a.hint.clone(),
            doc,
        },
        Some(c) => {
            let o = c.eval(s);
            AssertionResult {
                text: a.text.clone(),
                weight: a.weight,
                kind: Some(c.kind().to_string()),
                passed: Some(o.passed),
                evidence: super::check::dedup(o.evidence),
                note: if o.passed { None } else { o.note },
                matcher: if o.passed { None } else { o.detail },
                hint: a.hint.clone(),
                doc,
            }
        }
    }
}

pub(crate) fn ratio(passed: f64, total: f64) -> Option<f64> {
    (total > 0.0).then(|| (passed / total * 1000.0).round() / 1000.0)
}

/// Runs one prompt.
pub fn run_prompt(s: &Subject, p: &Prompt, topic_doc: Option<&str>) -> PromptResult {
    let assertions: Vec<AssertionResult> = p
        .assertions
        .iter()
        .filter(|a| s.is_answer || !a.answer_only)
        .map(|a| run_assertion(s, a, topic_doc))
        .collect();
    let (ok, total) = weights(&assertions);
    PromptResult {
        id: p.id.clone(),
        topic: p.topic.clone(),
        prompt: p.prompt.clone(),
        score: ratio(ok, total),
        assertions,
    }
}

/// (weight passed, weight graded) of assertion results.
pub(crate) fn weights(a: &[AssertionResult]) -> (f64, f64) {
    a.iter().fold((0.0, 0.0), |(ok, total), r| match r.passed {
        Some(true) => (ok + r.weight, total + r.weight),
        Some(false) => (ok, total + r.weight),
        None => (ok, total),
    })
}

/// Runs one lesson.
pub fn run_lesson(lib: &Library, l: &Lesson, s: &Subject, min_score: f64) -> LessonResult {
    let mut prompts = Vec::new();
    for t in lib.lesson_topics(l) {
        let first_doc = t.docs.first().map(String::as_str);
        for p in &t.prompts {
            prompts.push(run_prompt(s, p, first_doc));
        }
    }
    lesson_result(l.number, &l.title, lib.lesson_docs(l), prompts, min_score)
}

/// Assembles a lesson result from prompt results.
pub fn lesson_result(
    number: u32,
    title: &str,
    docs: Vec<String>,
    prompts: Vec<PromptResult>,
    min_score: f64,
) -> LessonResult {
    let all: Vec<&AssertionResult> = prompts.iter().flat_map(|p| &p.assertions).collect();
    let (ok, total) = all
        .iter()
        .fold((0.0, 0.0), |(ok, total), r| match r.passed {
            Some(true) => (ok + r.weight, total + r.weight),
            Some(false) => (ok, total + r.weight),
            None => (ok, total),
        });
    let score = ratio(ok, total).unwrap_or(0.0);
    LessonResult {
        lesson: number,
        title: title.to_string(),
        docs,
        score,
        passed: total > 0.0 && score + 1e-9 >= min_score,
        assertions_passed: all.iter().filter(|a| a.passed == Some(true)).count(),
        assertions_failed: all.iter().filter(|a| a.passed == Some(false)).count(),
        assertions_unchecked: all.iter().filter(|a| a.passed.is_none()).count(),
        prompts,
    }
}

/// Runs the given lessons of a curriculum against a subject.
pub fn run(
    lib: &Library,
    cur: &Curriculum,
    lessons: &[&Lesson],
    s: &Subject,
    skill: &str,
    min_score: f64,
) -> TestReport {
    // Lessons are independent; their shared regexes and parsed files are computed once
    // (whichever lesson needs them first) and the work spreads over the cores.
    use rayon::prelude::*;
    let results: Vec<LessonResult> = lessons
        .par_iter()
        .map(|l| run_lesson(lib, l, s, min_score))
        .collect();
    TestReport {
        schema: REPORT_SCHEMA,
        skill: skill.to_string(),
        curriculum: cur.id.clone(),
        judge: "static",
        min_score,
        passed: results.iter().all(|r| r.passed),
        lessons: results,
    }
}
