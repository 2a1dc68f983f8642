//! A whole model run: plan the jobs (prompt × configuration × run), execute them,
//! grade the answers, ask the judge where a reader is needed, summarise.

use super::bundle::SkillBundle;
use super::judge;
use super::score::{GradedRun, LessonSummary, summarise_lesson};
use super::{Config, Engine, Job, Purpose, Transcript, execute};
use crate::error::Result;
use crate::eval::run::{PromptResult, run_prompt};
use crate::eval::subject::Subject;
use crate::eval::suite::{AnswerView, Curriculum, Lesson, Library, Prompt};
use serde::Serialize;
use std::sync::Arc;

/// Version tag of the JSON shape of a model run.
pub const MODEL_REPORT_SCHEMA: &str = "skillforge.test-model/v1";

/// Calls made, from the cache, failed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CallTally {
    /// Requests or processes actually made (retries included).
    pub made: u32,
    /// Runs answered from the cache.
    pub from_cache: usize,
    /// Runs in all.
    pub runs: usize,
    /// Runs that failed (their error is in the report).
    pub failed: usize,
    /// Runs not made because `--max-calls` was reached.
    pub not_run_budget: usize,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Sum of the runs' own times (seconds; runs overlap with --jobs > 1).
    pub run_seconds: f64,
    /// Wall time of the whole command (seconds).
    pub wall_seconds: f64,
}

/// The result of a model run: what every output renders.
#[derive(Debug, Clone, Serialize)]
pub struct ModelReport {
    pub schema: &'static str,
    pub skill: String,
    pub skill_name: String,
    pub curriculum: String,
    /// `model`.
    pub judge_kind: &'static str,
    /// The provider that answered (`openai:gpt-4o-mini`).
    pub model: String,
    /// The LLM judge, if any.
    pub judge: Option<String>,
    pub runs_per_configuration: u32,
    pub min_score: f64,
    pub passed: bool,
    pub lessons: Vec<LessonSummary>,
    pub calls: CallTally,
    /// Every graded run (written to --out; not part of the JSON report).
    #[serde(skip)]
    pub runs: Vec<GradedRun>,
    /// Timestamp (RFC 3339, UTC).
    pub timestamp: String,
    /// Skill files not offered to the model (symlinks, special files, too large).
    pub skipped_files: Vec<(String, String)>,
}

/// One planned answer.
struct Planned<'a> {
    lesson: &'a Lesson,
    prompt: &'a Prompt,
    topic_doc: Option<&'a str>,
}

/// Runs the selected lessons through `engine` (and `judge` for ungraded assertions).
#[allow(clippy::too_many_arguments)]
pub fn run(
    lib: &Library,
    cur: &Curriculum,
    lessons: &[&Lesson],
    bundle: SkillBundle,
    skill_path: &str,
    engine: Engine,
    judge_engine: Option<Engine>,
    min_score: f64,
) -> Result<ModelReport> {
    let started = std::time::Instant::now();
    let engine = Arc::new(engine);
    let runs = engine.options().runs.max(1);
    let bundle = Arc::new(bundle);
    let mut planned: Vec<Planned<'_>> = Vec::new();
    for l in lessons {
        for t in lib.lesson_topics(l) {
            for p in &t.prompts {
                planned.push(Planned {
                    lesson: l,
                    prompt: p,
                    topic_doc: t.docs.first().map(String::as_str),
                });
            }
        }
    }
    let mut jobs = Vec::new();
    let mut index = Vec::new();
    for (pi, p) in planned.iter().enumerate() {
        for config in [Config::WithSkill, Config::WithoutSkill] {
            for run in 1..=runs {
                jobs.push(Job {
                    prompt_id: p.prompt.id.clone(),
                    prompt: p.prompt.prompt.clone(),
                    config,
                    run,
                    purpose: Purpose::Answer,
                    system: None,
                });
                index.push((pi, config, run));
            }
        }
    }
    let transcripts = execute(&engine, &bundle, jobs, "answering")?;
    let mut graded: Vec<GradedRun> = Vec::new();
    for ((pi, config, run), t) in index.into_iter().zip(transcripts) {
        let p = &planned[pi];
        let result = grade(p.prompt, p.topic_doc, &t);
        graded.push(GradedRun {
            lesson: p.lesson.number,
            prompt_id: p.prompt.id.clone(),
            config,
            run,
            transcript: t,
            result,
            judge_seconds: 0.0,
        });
    }
    let judge_name = judge_engine.as_ref().map(|j| j.spec.to_string());
    let mut judge_made = 0;
    if let Some(j) = judge_engine {
        let j = Arc::new(j);
        judge_ungraded(&j, &bundle, &mut graded)?;
        judge_made = j.budget.made();
    }
    let mut summaries = Vec::new();
    for l in lessons {
        let order: Vec<(String, String, String)> = planned
            .iter()
            .filter(|p| p.lesson.number == l.number)
            .map(|p| {
                (
                    p.prompt.id.clone(),
                    p.prompt.topic.clone(),
                    p.prompt.prompt.clone(),
                )
            })
            .collect();
        let runs_of: Vec<&GradedRun> = graded.iter().filter(|r| r.lesson == l.number).collect();
        summaries.push(summarise_lesson(
            l.number,
            &l.title,
            lib.lesson_docs(l),
            &order,
            &runs_of,
            min_score,
        ));
    }
    let calls = CallTally {
        made: engine.budget.made() + judge_made,
        from_cache: graded.iter().filter(|r| r.transcript.from_cache).count(),
        runs: graded.len(),
        failed: graded
            .iter()
            .filter(|r| r.transcript.error.is_some())
            .count(),
        not_run_budget: graded.iter().filter(|r| r.transcript.budget_stop).count(),
        input_tokens: graded.iter().map(|r| r.transcript.input_tokens).sum(),
        output_tokens: graded.iter().map(|r| r.transcript.output_tokens).sum(),
        run_seconds: graded.iter().map(|r| r.transcript.seconds).sum(),
        wall_seconds: started.elapsed().as_secs_f64(),
    };
    Ok(ModelReport {
        schema: MODEL_REPORT_SCHEMA,
        skill: skill_path.to_string(),
        skill_name: bundle.name.clone(),
        curriculum: cur.id.clone(),
        judge_kind: "model",
        model: engine.spec.to_string(),
        judge: judge_name,
        runs_per_configuration: runs,
        min_score,
        // A run cut short by --max-calls proves nothing either way: not a pass.
        passed: calls.not_run_budget == 0 && summaries.iter().all(|l| l.passed),
        lessons: summaries,
        calls,
        runs: graded,
        timestamp: now_rfc3339(),
        skipped_files: bundle.skipped.clone(),
    })
}

/// A prompt's assertions as claims about an answer: reworded where the suite says how
/// (`answer: "…"`), skill-only ones (`answer: false`) left out.
pub fn answer_view(p: &Prompt) -> Prompt {
    let mut q = p.clone();
    q.assertions.retain(|a| a.answer != AnswerView::SkillOnly);
    for a in &mut q.assertions {
        if let AnswerView::Text(t) = &a.answer {
            a.text = t.clone();
        }
    }
    q
}

/// Grades one answer with a prompt's assertions; `None` when the run produced nothing.
pub fn grade(p: &Prompt, topic_doc: Option<&str>, t: &Transcript) -> Option<PromptResult> {
    if t.failed() {
        return None;
    }
    let subject = Subject::from_answer_with_files(&t.answer, &t.files);
    let mut r = run_prompt(&subject, &answer_view(p), topic_doc);
    for a in &mut r.assertions {
        if a.passed == Some(false) {
            a.note = a.note.take().map(|n| answer_note(&n));
        }
    }
    Some(r)
}

/// A miss note worded for an answer: the static judge's notes speak of the skill's
/// folders and show the patterns it looked for; an answer's reader needs neither.
pub fn answer_note(note: &str) -> String {
    use std::sync::OnceLock;
    static LOOKED: OnceLock<Option<regex::Regex>> = OnceLock::new();
    static PLACE: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let looks_like_patterns = note.contains("none of /")
        || note.contains("[^")
        || note.contains("\\b")
        || note.contains("(?");
    if looks_like_patterns {
        return "the answer does not say this".into();
    }
    let lower = note.to_lowercase();
    if lower.starts_with("no dockerfile") {
        return "the answer has no Dockerfile (no ```dockerfile block and no Dockerfile written)"
            .into();
    }
    if lower.starts_with("no compose file") {
        return "the answer has no Compose file".into();
    }
    // "(looked in the templates, or …)": where the skill judge looked; not for answers.
    let looked = LOOKED.get_or_init(|| regex::Regex::new(r"\s*\(looked in [^)]*\)").ok());
    let place = PLACE.get_or_init(|| {
        regex::Regex::new(
            r"the [\w -]+ section \(SKILL\.md, or a reference\)|a \x22[^\x22]*\x22 section \(SKILL\.md, or a reference\)|the references or SKILL\.md|the templates(, or a [^;,]*)?|SKILL\.md|the skill",
        )
        .ok()
    });
    let mut n = note.to_string();
    if let Some(re) = looked {
        n = re.replace_all(&n, "").into_owned();
    }
    if let Some(re) = place {
        n = re.replace_all(&n, "the answer").into_owned();
    }
    let n = n
        .replace(" in templates/", " in the answer")
        .replace("templates/", "the answer's ")
        .replace(
            "nothing in the answer says this yet",
            "the answer does not say this",
        );
    // The same alternative said twice ("…; or: …") after rewording reads once.
    match n.split_once("; or: ") {
        Some((a, b)) if a == b => a.to_string(),
        _ => n,
    }
}

#[cfg(test)]
mod note_tests {
    use super::answer_note;

    #[test]
    fn skill_wording_becomes_answer_wording() {
        assert_eq!(
            answer_note("nothing in the skill says this yet"),
            "the answer does not say this"
        );
        assert_eq!(
            answer_note("nothing in the references or SKILL.md says this yet"),
            "the answer does not say this"
        );
        assert!(answer_note("no Dockerfile (a template file or a ```dockerfile block) (looked in the templates, or a Dockerfile / Compose block in SKILL.md or a reference)").starts_with("the answer has no Dockerfile"));
        assert_eq!(
            answer_note(
                "the principles section (SKILL.md, or a reference) does not talk about alpine; or: the references or SKILL.md does not talk about alpine"
            ),
            "the answer does not talk about alpine"
        );
        assert_eq!(
            answer_note("none of /a[^b]/ found"),
            "the answer does not say this"
        );
        assert!(
            !answer_note("the closest Dockerfile (templates/Dockerfile:1) still runs as root")
                .contains("templates/")
        );
    }
}

/// Sends every assertion without a machine check to the judge.
fn judge_ungraded(
    j: &Arc<Engine>,
    bundle: &Arc<SkillBundle>,
    graded: &mut [GradedRun],
) -> Result<()> {
    let mut jobs = Vec::new();
    let mut at = Vec::new();
    for (ri, r) in graded.iter().enumerate() {
        let Some(p) = &r.result else { continue };
        for (ai, a) in p.assertions.iter().enumerate() {
            if a.passed.is_none() {
                jobs.push(Job {
                    prompt_id: format!("{}#{}", r.prompt_id, ai + 1),
                    prompt: judge::user_message(&a.text, &r.transcript.answer),
                    config: Config::WithoutSkill,
                    run: 1,
                    purpose: Purpose::Judge,
                    system: Some(judge::RUBRIC.to_string()),
                });
                at.push((ri, ai));
            }
        }
    }
    if jobs.is_empty() {
        return Ok(());
    }
    let replies = execute(j, bundle, jobs, "judging")?;
    for ((ri, ai), reply) in at.into_iter().zip(replies) {
        let r = &mut graded[ri];
        r.judge_seconds += reply.seconds;
        let answer = r.transcript.answer.clone();
        let Some(p) = r.result.as_mut() else { continue };
        let Some(a) = p.assertions.get_mut(ai) else {
            continue;
        };
        a.kind = Some("judge".into());
        if let Some(e) = reply.error {
            a.note = Some(format!("the judge could not grade it: {e}"));
            continue;
        }
        let v = judge::verdict(&reply.answer, &answer);
        a.passed = Some(v.passed);
        a.evidence = v.evidence;
        a.note = v.note;
        rescore(p);
    }
    Ok(())
}

/// Recomputes a prompt's weighted score after the judge filled verdicts in.
pub fn rescore(p: &mut PromptResult) {
    let (ok, total) = crate::eval::run::weights(&p.assertions);
    p.score = crate::eval::run::ratio(ok, total);
}

/// The current time, RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(id: &str) -> Prompt {
        let lib = Library::embedded().unwrap();
        lib.topics
            .values()
            .flat_map(|t| t.prompts.iter())
            .find(|p| p.id == id)
            .cloned()
            .unwrap()
    }

    #[test]
    fn answer_only_assertions_are_graded_on_answers_only() {
        let p = prompt("multistage-base-choice");
        let answer = "Stick with python:3.12-slim: numpy and psycopg ship manylinux wheels, which musl-based Alpine cannot use.";
        let t = Transcript {
            answer: answer.into(),
            ..Default::default()
        };
        let graded = grade(&p, None, &t).unwrap();
        assert!(
            graded
                .assertions
                .iter()
                .any(|a| a.text.starts_with("Recommends staying"))
        );
        let t = tempfile::tempdir().unwrap();
        let skill = crate::skill::Skill::from_text(
            t.path(),
            &format!("---\nname: x\ndescription: y\n---\n{answer}\n"),
        );
        let r = run_prompt(&Subject::from_skill(&skill), &p, None);
        assert!(
            !r.assertions
                .iter()
                .any(|a| a.text.starts_with("Recommends staying"))
        );
    }

    #[test]
    fn skill_only_assertions_leave_and_rewordings_apply() {
        let p = prompt("multistage-task-api");
        let v = answer_view(&p);
        assert!(
            v.assertions[0].text.starts_with("The answer's Dockerfile"),
            "{}",
            v.assertions[0].text
        );
        let build = lessons_prompt_with_skill_only();
        let v = answer_view(&build);
        assert!(v.assertions.len() < build.assertions.len());
    }

    fn lessons_prompt_with_skill_only() -> Prompt {
        let lib = Library::embedded().unwrap();
        lib.topics
            .values()
            .flat_map(|t| t.prompts.iter())
            .find(|p| {
                p.assertions
                    .iter()
                    .any(|a| a.answer == AnswerView::SkillOnly)
            })
            .cloned()
            .unwrap()
    }

    #[test]
    fn failed_runs_are_not_graded() {
        let p = prompt("multistage-task-api");
        let t = Transcript {
            error: Some("timeout".into()),
            ..Default::default()
        };
        assert!(grade(&p, None, &t).is_none());
    }
}
