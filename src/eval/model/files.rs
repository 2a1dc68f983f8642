//! `--out DIR`: the benchmark in skill-creator's shape, so its viewers and scripts read
//! it as is.
//!
//! ```text
//! DIR/benchmark.json      metadata, runs[], run_summary {with_skill, without_skill, delta}
//! DIR/benchmark.md        the same as a readable table
//! DIR/report.html         self-contained: each prompt's answers side by side, assertions ticked
//! DIR/<eval_id>/<configuration>/run-<n>/grading.json    expectations[], summary, metrics, timing
//! DIR/<eval_id>/<configuration>/run-<n>/outputs/answer.md (+ files the agent wrote)
//! ```
//!
//! DIR may be new, empty, or a previous `--out` of skillforge (it has `benchmark.json`);
//! anything else is refused so no one's files are overwritten. Every file is written
//! atomically.

use super::Config;
use super::runner::ModelReport;
use super::score::{GradedRun, stat};
use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A safe folder name for an eval id.
pub fn safe_name(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    if out.is_empty() || out.starts_with('.') {
        out.insert(0, 'e');
    }
    out
}

fn run_dir(r: &GradedRun) -> PathBuf {
    PathBuf::from(safe_name(&r.prompt_id))
        .join(r.config.id())
        .join(format!("run-{}", r.run))
}

/// `grading.json` of one run (skill-creator's fields).
pub fn grading_json(r: &GradedRun) -> Value {
    let mut counts = std::collections::BTreeMap::<String, u64>::new();
    for c in &r.transcript.tool_calls {
        *counts.entry(c.name.clone()).or_default() += 1;
    }
    let expectations: Vec<Value> = r
        .result
        .as_ref()
        .map(|p| {
            p.assertions
                .iter()
                .map(|a| {
                    let evidence = match a.passed {
                        Some(true) => a
                            .evidence
                            .iter()
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        Some(false) => a.note.clone().unwrap_or_else(|| "not in the answer".into()),
                        None => "not graded: no machine check and no --judge".into(),
                    };
                    json!({
                        "text": a.text,
                        "passed": a.passed.unwrap_or(false),
                        "graded": a.passed.is_some(),
                        "evidence": evidence,
                        "weight": a.weight,
                        "kind": a.kind,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let (passed, failed, ungraded) = r.counts();
    let total = passed + failed;
    let t = &r.transcript;
    json!({
        "eval_id": r.prompt_id,
        "configuration": r.config.id(),
        "run_number": r.run,
        "expectations": expectations,
        "summary": {
            "passed": passed,
            "failed": failed,
            "total": total,
            "ungraded": ungraded,
            "pass_rate": r.pass_rate().map(round),
            "score": r.result.as_ref().and_then(|p| p.score),
        },
        "execution_metrics": {
            "tool_calls": counts,
            "total_tool_calls": t.tool_calls.len(),
            "total_steps": t.turns,
            "errors_encountered": usize::from(t.error.is_some()),
            "output_chars": t.answer.chars().count(),
            "transcript_chars": t.answer.chars().count() + t.files.iter().map(|(_, b)| b.chars().count()).sum::<usize>(),
            "skill_used": t.skill_used,
        },
        "timing": {
            "executor_duration_seconds": round(t.seconds),
            "grader_duration_seconds": round(r.judge_seconds),
            "total_duration_seconds": round(t.seconds + r.judge_seconds),
        },
        "error": t.error,
        "from_cache": t.from_cache,
    })
}

use super::score::round3 as round;

/// One entry of `benchmark.json`'s `runs[]` (also the JSON report's runs).
pub fn run_json(r: &GradedRun) -> Value {
    let (passed, failed, _) = r.counts();
    let expectations: Vec<Value> = r
        .result
        .as_ref()
        .map(|p| {
            p.assertions
                .iter()
                .map(|a| json!({"text": a.text, "passed": a.passed, "evidence": a.evidence}))
                .collect()
        })
        .unwrap_or_default();
    let t = &r.transcript;
    json!({
        "eval_id": r.prompt_id,
        "eval_name": r.prompt_id,
        "lesson": r.lesson,
        "configuration": r.config.id(),
        "run_number": r.run,
        "result": {
            "pass_rate": r.pass_rate().map(round),
            "score": r.result.as_ref().and_then(|p| p.score),
            "passed": passed,
            "failed": failed,
            "total": passed + failed,
            "time_seconds": round(t.seconds),
            "tokens": t.tokens(),
            "tool_calls": t.tool_calls.len(),
            "errors": usize::from(t.error.is_some()),
        },
        "expectations": expectations,
        "skill_used": t.skill_used,
        "notes": t.error.iter().cloned().collect::<Vec<_>>(),
    })
}

fn summary_of(r: &ModelReport, c: Config) -> Value {
    let runs: Vec<&GradedRun> = r.runs.iter().filter(|x| x.config == c).collect();
    let rates: Vec<f64> = runs.iter().filter_map(|x| x.pass_rate()).collect();
    let times: Vec<f64> = runs.iter().map(|x| x.transcript.seconds).collect();
    let tokens: Vec<f64> = runs.iter().map(|x| x.transcript.tokens() as f64).collect();
    json!({
        "pass_rate": stat(&rates),
        "time_seconds": stat(&times),
        "tokens": stat(&tokens),
    })
}

fn delta(a: &Value, b: &Value, key: &str, digits: usize) -> String {
    let m = |v: &Value| v.pointer(&format!("/{key}/mean")).and_then(Value::as_f64);
    match (m(a), m(b)) {
        (Some(x), Some(y)) => {
            let d = x - y;
            format!("{}{:.*}", if d >= 0.0 { "+" } else { "" }, digits, d)
        }
        _ => "n/a".into(),
    }
}

/// `benchmark.json`.
pub fn benchmark_json(r: &ModelReport) -> Value {
    let with = summary_of(r, Config::WithSkill);
    let without = summary_of(r, Config::WithoutSkill);
    let mut ids: Vec<&str> = Vec::new();
    for x in &r.runs {
        if !ids.contains(&x.prompt_id.as_str()) {
            ids.push(&x.prompt_id);
        }
    }
    json!({
        "metadata": {
            "skill_name": r.skill_name,
            "skill_path": r.skill,
            "executor_model": r.model,
            "analyzer_model": r.judge,
            "timestamp": r.timestamp,
            "evals_run": ids,
            "runs_per_configuration": r.runs_per_configuration,
            "curriculum": r.curriculum,
            "generator": concat!("skillforge ", env!("CARGO_PKG_VERSION")),
        },
        "runs": r.runs.iter().map(run_json).collect::<Vec<_>>(),
        "run_summary": {
            "delta": {
                "pass_rate": delta(&with, &without, "pass_rate", 2),
                "time_seconds": delta(&with, &without, "time_seconds", 1),
                "tokens": delta(&with, &without, "tokens", 0),
            },
            "with_skill": with,
            "without_skill": without,
        },
        "lessons": r.lessons,
        "notes": notes(r),
    })
}

fn notes(r: &ModelReport) -> Vec<String> {
    let mut n = Vec::new();
    if r.calls.failed > 0 {
        n.push(format!(
            "{} of {} runs failed; failed runs are left out of the means",
            r.calls.failed, r.calls.runs
        ));
    }
    let ungraded: usize = r
        .lessons
        .iter()
        .flat_map(|l| &l.prompts)
        .map(|p| p.ungraded)
        .sum();
    if ungraded > 0 && r.judge.is_none() {
        n.push(format!(
            "{ungraded} assertions have no machine check and were not graded (no --judge)"
        ));
    }
    n.push(
        "pass_rate counts assertions; the lesson scores in `lessons` weight them as the suite does"
            .into(),
    );
    n
}

/// `benchmark.md`.
pub fn benchmark_md(r: &ModelReport) -> String {
    use std::fmt::Write;
    let esc = |s: &str| super::escape_ctl(s).replace('|', "\\|");
    let f = |s: &Option<super::score::Stat>| super::score::show(s, " ± ");
    let mut out = String::new();
    let _ = writeln!(out, "# Skill benchmark: {}", esc(&r.skill_name));
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Model `{}`{}, {} run(s) per configuration, {} curriculum, {}.",
        esc(&r.model),
        r.judge
            .as_ref()
            .map(|j| format!(", judge `{}`", esc(j)))
            .unwrap_or_default(),
        r.runs_per_configuration,
        r.curriculum,
        r.timestamp
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "| lesson | with skill | without | uplift | verdict |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for l in &r.lessons {
        let _ = writeln!(
            out,
            "| {} {} | {} | {} | {} | {} |",
            l.lesson,
            esc(&l.title),
            f(&l.with_skill),
            f(&l.without_skill),
            l.uplift
                .map(|u| format!("{u:+.2}"))
                .unwrap_or_else(|| "—".into()),
            if l.passed { "pass" } else { "FAIL" }
        );
    }
    for l in &r.lessons {
        let _ = writeln!(out);
        let _ = writeln!(out, "## Lesson {}: {}", l.lesson, esc(&l.title));
        let _ = writeln!(out);
        let _ = writeln!(out, "| prompt | with skill | without | uplift |");
        let _ = writeln!(out, "|---|---|---|---|");
        for p in &l.prompts {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                esc(&p.id),
                f(&p.with_skill),
                f(&p.without_skill),
                p.uplift
                    .map(|u| format!("{u:+.2}"))
                    .unwrap_or_else(|| "—".into())
            );
        }
        for p in &l.prompts {
            if p.flips.is_empty() {
                continue;
            }
            let _ = writeln!(out);
            let _ = writeln!(out, "Flipped in `{}`:", esc(&p.id));
            for fl in &p.flips {
                let _ = writeln!(
                    out,
                    "- {} {} (with {:.2}, without {:.2})",
                    if fl.with_rate > fl.without_rate {
                        "➕"
                    } else {
                        "➖"
                    },
                    esc(&fl.text),
                    fl.with_rate,
                    fl.without_rate
                );
            }
        }
    }
    let _ = writeln!(out);
    let c = &r.calls;
    let _ = writeln!(
        out,
        "Calls made: {}; runs from cache: {} of {}; failed: {}; tokens: {} in / {} out.",
        c.made, c.from_cache, c.runs, c.failed, c.input_tokens, c.output_tokens
    );
    out
}

/// Refuses a DIR that holds files but is not a previous skillforge `--out`.
pub fn check_out_dir(dir: &Path) -> Result<()> {
    match std::fs::symlink_metadata(dir) {
        Err(_) => Ok(()),
        Ok(m) if !m.is_dir() => Err(Error::usage_hint(
            format!("--out {}: exists and is not a directory", dir.display()),
            "name a new or empty directory",
        )),
        Ok(_) => {
            let empty = std::fs::read_dir(dir)
                .map(|mut rd| rd.next().is_none())
                .map_err(|e| Error::io(dir, e))?;
            if empty || dir.join("benchmark.json").is_file() {
                Ok(())
            } else {
                Err(Error::usage_hint(
                    format!(
                        "--out {}: the directory holds other files; skillforge writes only into a new or empty directory, or over its own earlier --out",
                        dir.display()
                    ),
                    "pick another directory, e.g. --out evals/run-2",
                ))
            }
        }
    }
}

/// Writes everything under `dir`. Returns the number of files written.
pub fn write_out(r: &ModelReport, dir: &Path) -> Result<usize> {
    check_out_dir(dir)?;
    let mut n = 0;
    let mut put = |rel: PathBuf, bytes: &[u8]| -> Result<()> {
        write_atomic(&dir.join(rel), bytes)?;
        n += 1;
        Ok(())
    };
    let pretty = |v: &Value| {
        let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
        s.push('\n');
        s
    };
    for run in &r.runs {
        let d = run_dir(run);
        put(
            d.join("grading.json"),
            pretty(&grading_json(run)).as_bytes(),
        )?;
        put(
            d.join("outputs/answer.md"),
            run.transcript.answer.as_bytes(),
        )?;
        for (rel, text) in &run.transcript.files {
            let safe: PathBuf = rel
                .split('/')
                .filter(|c| !c.is_empty() && *c != "." && *c != "..")
                .map(safe_name)
                .collect();
            if safe.as_os_str().is_empty() {
                continue;
            }
            put(d.join("outputs/files").join(safe), text.as_bytes())?;
        }
    }
    put(
        "benchmark.json".into(),
        pretty(&benchmark_json(r)).as_bytes(),
    )?;
    put("benchmark.md".into(), benchmark_md(r).as_bytes())?;
    put("report.html".into(), super::html::report(r).as_bytes())?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_names() {
        assert_eq!(safe_name("multistage-task-api"), "multistage-task-api");
        assert_eq!(safe_name("../../etc"), "e.._.._etc");
        assert_eq!(safe_name(""), "e");
        assert_eq!(safe_name("a/b c"), "a_b_c");
    }

    #[test]
    fn out_dir_refuses_foreign_content() {
        let t = tempfile::tempdir().unwrap();
        assert!(check_out_dir(&t.path().join("new")).is_ok());
        assert!(check_out_dir(t.path()).is_ok());
        std::fs::write(t.path().join("notes.txt"), "mine").unwrap();
        assert!(check_out_dir(t.path()).is_err());
        std::fs::write(t.path().join("benchmark.json"), "{}").unwrap();
        assert!(check_out_dir(t.path()).is_ok());
        assert!(check_out_dir(&t.path().join("notes.txt")).is_err());
    }
}
