//! Trigger evaluation (`skillforge test --triggers`): does the skill's description make
//! the assistant pick the skill? The selected lessons' prompts should trigger it; the
//! near misses in `skills/docker-deployment/triggers.yaml` (Helm charts, Python
//! packaging, a Go unit test, a shell script, …) should not.
//!
//! A run counts as a trigger when the assistant loads the skill: the `load_skill` tool
//! (API providers; only the first turn is asked for), or with Claude Code the `Skill`
//! tool for this skill or a `Read` of its SKILL.md. Runs that fail (errors, timeouts)
//! are counted apart and never as misses.

use super::bundle::SkillBundle;
use super::{Config, Engine, Job, Purpose, execute};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The built-in near misses.
pub const EMBEDDED: &str = include_str!("../../../skills/docker-deployment/triggers.yaml");
/// Their schema.
pub const SCHEMA: &str = include_str!("../../../schemas/triggers.schema.json");

#[derive(Debug, Clone, Deserialize)]
struct File {
    should_not_trigger: Vec<Query>,
}

#[derive(Debug, Clone, Deserialize)]
struct Query {
    id: String,
    query: String,
}

/// Loads and validates a triggers file's text.
pub fn near_misses(text: &str, origin: &str) -> Result<Vec<(String, String)>> {
    let v: serde_json::Value = serde_saphyr::from_str(text).map_err(|e| {
        let (line, _, first) = crate::skill::yaml_error_summary(&e);
        Error::input_at(
            origin,
            (line as usize).max(1),
            format!("invalid YAML: {first}"),
            None,
        )
    })?;
    let schema_v: serde_json::Value = serde_json::from_str(SCHEMA)
        .map_err(|e| Error::Other(format!("built-in triggers schema is not JSON: {e}")))?;
    let schema = jsonschema::validator_for(&schema_v)
        .map_err(|e| Error::Other(format!("built-in triggers schema does not compile: {e}")))?;
    if let Some(err) = schema.iter_errors(&v).next() {
        return Err(Error::input(
            origin,
            format!("at {}: {}", err.instance_path(), err),
        ));
    }
    let f: File = serde_json::from_value(v).map_err(|e| Error::input(origin, e.to_string()))?;
    Ok(f.should_not_trigger
        .into_iter()
        .map(|q| (q.id, q.query))
        .collect())
}

/// One query's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct QueryResult {
    pub id: String,
    pub query: String,
    pub should_trigger: bool,
    /// Runs that loaded the skill.
    pub triggers: usize,
    /// Runs that completed (errors excluded).
    pub runs: usize,
    pub errors: usize,
    /// triggers / runs, or null when no run completed.
    pub trigger_rate: Option<f64>,
    /// The majority of completed runs did what they should.
    pub pass: bool,
    /// The first error, if any.
    pub error: Option<String>,
}

/// The trigger report.
#[derive(Debug, Clone, Serialize)]
pub struct TriggerReport {
    pub schema: &'static str,
    pub skill_name: String,
    pub description: String,
    pub model: String,
    pub runs_per_query: u32,
    /// Trigger runs among should-trigger runs.
    pub recall: Option<f64>,
    /// Should-trigger runs among all trigger runs.
    pub precision: Option<f64>,
    pub min_score: f64,
    pub passed: bool,
    pub queries: Vec<QueryResult>,
    pub calls_made: u32,
    pub from_cache: usize,
    pub errors: usize,
}

use super::score::round3 as round;

/// Runs the trigger evaluation. `positives` are (id, prompt) pairs that should trigger.
pub fn run(
    engine: Engine,
    bundle: SkillBundle,
    positives: Vec<(String, String)>,
    negatives: Vec<(String, String)>,
    runs: u32,
    min_score: f64,
) -> Result<TriggerReport> {
    let engine = Arc::new(engine);
    let bundle = Arc::new(bundle);
    let queries: Vec<(String, String, bool)> = positives
        .into_iter()
        .map(|(i, q)| (i, q, true))
        .chain(negatives.into_iter().map(|(i, q)| (i, q, false)))
        .collect();
    let mut jobs = Vec::new();
    for (id, q, _) in &queries {
        for run in 1..=runs.max(1) {
            jobs.push(Job {
                prompt_id: id.clone(),
                prompt: q.clone(),
                config: Config::WithSkill,
                run,
                purpose: Purpose::Trigger,
                system: None,
            });
        }
    }
    let ts = execute(&engine, &bundle, jobs, "trigger runs")?;
    let per = runs.max(1) as usize;
    let mut results = Vec::new();
    let from_cache = ts.iter().filter(|t| t.from_cache).count();
    for (qi, (id, q, should)) in queries.iter().enumerate() {
        let mine = &ts[qi * per..(qi + 1) * per];
        let done: Vec<_> = mine.iter().filter(|t| t.error.is_none()).collect();
        let triggers = done.iter().filter(|t| t.skill_used).count();
        let rate = (!done.is_empty()).then(|| round(triggers as f64 / done.len() as f64));
        let pass = match rate {
            Some(r) if *should => r >= 0.5,
            Some(r) => r < 0.5,
            None => false,
        };
        results.push(QueryResult {
            id: id.clone(),
            query: q.clone(),
            should_trigger: *should,
            triggers,
            runs: done.len(),
            errors: mine.len() - done.len(),
            trigger_rate: rate,
            pass,
            error: mine.iter().find_map(|t| t.error.clone()),
        });
    }
    let pos_runs: usize = results
        .iter()
        .filter(|r| r.should_trigger)
        .map(|r| r.runs)
        .sum();
    let pos_trig: usize = results
        .iter()
        .filter(|r| r.should_trigger)
        .map(|r| r.triggers)
        .sum();
    let all_trig: usize = results.iter().map(|r| r.triggers).sum();
    let recall = (pos_runs > 0).then(|| round(pos_trig as f64 / pos_runs as f64));
    let precision = (all_trig > 0).then(|| round(pos_trig as f64 / all_trig as f64));
    let passed = recall.is_some_and(|r| r + 1e-9 >= min_score)
        && precision.is_none_or(|p| p + 1e-9 >= min_score);
    Ok(TriggerReport {
        schema: "skillforge.triggers/v1",
        skill_name: bundle.name.clone(),
        description: bundle.description.clone(),
        model: engine.spec.to_string(),
        runs_per_query: runs.max(1),
        recall,
        precision,
        min_score,
        passed,
        errors: results.iter().map(|r| r.errors).sum(),
        queries: results,
        calls_made: engine.budget.made(),
        from_cache,
    })
}

/// Text rendering.
pub fn text(r: &TriggerReport, color: bool) -> String {
    use std::fmt::Write;
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let pct = |x: Option<f64>| {
        x.map(|x| format!("{:.0} %", x * 100.0))
            .unwrap_or_else(|| "—".into())
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — does `{}` get picked? ({} runs per query)",
        paint(
            "1",
            &format!("trigger evaluation: {}", super::escape_ctl(&r.model))
        ),
        super::escape_ctl(&r.skill_name),
        r.runs_per_query
    );
    let _ = writeln!(out, "  description: {}", super::escape_ctl(&r.description));
    let _ = writeln!(out);
    for (title, should) in [
        ("should trigger (lesson prompts)", true),
        ("should not trigger (near misses)", false),
    ] {
        let _ = writeln!(out, "  {title}");
        for q in r.queries.iter().filter(|q| q.should_trigger == should) {
            let mark = if q.pass {
                paint("32", "✓")
            } else if q.runs == 0 {
                paint("33", "!")
            } else {
                paint("31", "✗")
            };
            let first: String = super::escape_ctl(q.query.lines().next().unwrap_or(""))
                .chars()
                .take(70)
                .collect();
            let _ = writeln!(
                out,
                "    {mark} {:<28} {}/{} triggered{}  {first}…",
                super::escape_ctl(&q.id),
                q.triggers,
                q.runs,
                if q.errors > 0 {
                    paint("33", &format!(" ({} failed)", q.errors))
                } else {
                    String::new()
                }
            );
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "recall {} · precision {} · {} failed runs (not counted as misses) · {} calls, {} from cache",
        pct(r.recall),
        pct(r.precision),
        r.errors,
        r.calls_made,
        r.from_cache
    );
    let missed: Vec<&str> = r
        .queries
        .iter()
        .filter(|q| q.should_trigger && q.runs > 0 && !q.pass)
        .map(|q| q.id.as_str())
        .collect();
    if !missed.is_empty() {
        let _ = writeln!(
            out,
            "missed: {} — make the description name what these ask for (the task, the tools, the words a user types)",
            missed.join(", ")
        );
    }
    let false_hits: Vec<&str> = r
        .queries
        .iter()
        .filter(|q| !q.should_trigger && q.runs > 0 && !q.pass)
        .map(|q| q.id.as_str())
        .collect();
    if !false_hits.is_empty() {
        let _ = writeln!(
            out,
            "picked wrongly for: {} — say in the description what the skill is not for",
            false_hits.join(", ")
        );
    }
    if let Some(e) = r.queries.iter().find_map(|q| q.error.as_ref()) {
        let _ = writeln!(out, "first error: {}", super::escape_ctl(e));
    }
    let _ = writeln!(
        out,
        "{}",
        if r.passed {
            paint(
                "32",
                &format!("PASS: recall and precision reach {:.2}", r.min_score),
            )
        } else {
            paint(
                "31",
                &format!("FAIL: recall or precision below {:.2}", r.min_score),
            )
        }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_near_misses_load() {
        let q = near_misses(EMBEDDED, "embedded").unwrap();
        assert!(q.len() >= 4);
        assert!(q.iter().any(|(id, _)| id == "helm-chart"));
    }

    #[test]
    fn bad_files_are_input_errors() {
        assert!(near_misses("should_not_trigger: []\n", "x.yaml").is_err());
        assert!(
            near_misses(
                "should_not_trigger:\n  - id: A B\n    query: long enough query\n",
                "x.yaml"
            )
            .is_err()
        );
        assert!(near_misses("other: 1\n", "x.yaml").is_err());
    }
}
