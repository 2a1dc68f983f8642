//! Text, JSON and JUnit renderings of a [`ModelReport`].

use super::escape_ctl;
use super::runner::ModelReport;
use super::score::{LessonSummary, Stat};
use std::fmt::Write;

fn paint(on: bool, code: &str, s: &str) -> String {
    if on {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn mean(s: &Option<Stat>) -> String {
    super::score::show(s, "±")
}

fn signed(x: Option<f64>) -> String {
    match x {
        Some(x) if x >= 0.0 => format!("+{x:.2}"),
        Some(x) => format!("{x:.2}"),
        None => "—".into(),
    }
}

fn short(s: &str, max: usize) -> String {
    let first = s.lines().next().unwrap_or("");
    let first = escape_ctl(first);
    if first.chars().count() > max || s.lines().nth(1).is_some() {
        let cut: String = first.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    } else {
        first
    }
}

/// Thousands: 12.3k.
fn k(n: u64) -> String {
    if n >= 10_000 {
        format!("{:.0}k", n as f64 / 1000.0)
    } else if n >= 1_000 {
        format!("{:.1}k", n as f64 / 1000.0)
    } else {
        n.to_string()
    }
}

/// The text report: per lesson a table (with, without, uplift), then per prompt the
/// assertions that flipped, with the answer's evidence; then the tally.
pub fn text(r: &ModelReport, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} ({} curriculum), {} run{} per configuration{}",
        paint(
            color,
            "1",
            &format!("model judge: {}", escape_ctl(&r.model))
        ),
        escape_ctl(&r.skill_name),
        r.curriculum,
        r.runs_per_configuration,
        if r.runs_per_configuration == 1 {
            ""
        } else {
            "s"
        },
        match &r.judge {
            Some(j) => format!(", LLM judge {}", escape_ctl(j)),
            None => String::new(),
        }
    );
    for l in &r.lessons {
        lesson(&mut out, r, l, color);
    }
    let c = &r.calls;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "calls: {} made, {} of {} runs from the cache{} · tokens {} in / {} out · {:.1} s",
        c.made,
        c.from_cache,
        c.runs,
        if c.failed > 0 {
            paint(color, "31", &format!(" · {} failed", c.failed))
        } else {
            String::new()
        },
        k(c.input_tokens),
        k(c.output_tokens),
        c.wall_seconds
    );
    if c.made == 0 && c.runs > 0 && c.from_cache == c.runs {
        let _ = writeln!(
            out,
            "(nothing changed since the last run: every answer came from the cache; --no-cache asks again)"
        );
    }
    if c.not_run_budget > 0 {
        let _ = writeln!(
            out,
            "{} runs were not made: --max-calls was reached; the scores above cover only what ran",
            c.not_run_budget
        );
    }
    for (f, why) in &r.skipped_files {
        let _ = writeln!(
            out,
            "note: {} was not offered to the model: {why}",
            escape_ctl(f)
        );
    }
    let failed: Vec<String> = r
        .lessons
        .iter()
        .filter(|l| !l.passed)
        .map(|l| l.lesson.to_string())
        .collect();
    if c.not_run_budget > 0 {
        let _ = writeln!(
            out,
            "{}: the suite did not finish within --max-calls {}",
            paint(color, "31", "INCOMPLETE"),
            c.made
        );
    } else if failed.is_empty() {
        let _ = writeln!(
            out,
            "{}: every lesson reaches {:.2} with the skill",
            paint(color, "32", "PASS"),
            r.min_score
        );
    } else {
        let _ = writeln!(
            out,
            "{}: lesson{} {} below {:.2} with the skill",
            paint(color, "31", "FAIL"),
            if failed.len() == 1 { "" } else { "s" },
            failed.join(", "),
            r.min_score
        );
    }
    out
}

fn lesson(out: &mut String, r: &ModelReport, l: &LessonSummary, color: bool) {
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}",
        paint(
            color,
            "1",
            &format!("Lesson {}: {}", l.lesson, escape_ctl(&l.title))
        )
    );
    let width = l
        .prompts
        .iter()
        .map(|p| p.id.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 40);
    let _ = writeln!(
        out,
        "  {:<width$}  {:>10}  {:>10}  {:>7}",
        "prompt", "with skill", "without", "uplift"
    );
    for p in &l.prompts {
        let _ = writeln!(
            out,
            "  {:<width$}  {:>10}  {:>10}  {:>7}{}",
            short(&p.id, width),
            mean(&p.with_skill),
            mean(&p.without_skill),
            signed(p.uplift),
            if p.errors > 0 {
                paint(
                    color,
                    "31",
                    &format!(
                        "  ({} failed run{})",
                        p.errors,
                        if p.errors == 1 { "" } else { "s" }
                    ),
                )
            } else {
                String::new()
            }
        );
    }
    let verdict = if l.passed {
        paint(color, "32", "PASS")
    } else {
        paint(color, "31", "FAIL")
    };
    let _ = writeln!(
        out,
        "  {:<width$}  {:>10}  {:>10}  {:>7}  {verdict} (min {:.2} with the skill)",
        format!("lesson {}", l.lesson),
        mean(&l.with_skill),
        mean(&l.without_skill),
        signed(l.uplift),
        r.min_score
    );
    let c = &l.cost;
    let _ = writeln!(
        out,
        "  per run: {} tokens with the skill, {} without · {:.1} s with, {:.1} s without",
        k(c.tokens_with_skill.round() as u64),
        k(c.tokens_without_skill.round() as u64),
        c.seconds_with_skill,
        c.seconds_without_skill
    );
    for p in &l.prompts {
        if p.flips.is_empty() && p.ungraded == 0 && p.errors == 0 {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "  {}: {}", escape_ctl(&p.id), short(&p.prompt, 90));
        for f in &p.flips {
            let gained = f.with_rate > f.without_rate;
            let mark = if gained {
                paint(color, "32", "+ skill adds")
            } else {
                paint(color, "31", "− skill loses")
            };
            let ev: Vec<String> = f
                .evidence
                .iter()
                .take(2)
                .map(|e| escape_ctl(&e.to_string()))
                .collect();
            let _ = writeln!(
                out,
                "    {mark}  {}{}",
                escape_ctl(&f.text),
                if ev.is_empty() {
                    String::new()
                } else {
                    format!(
                        "  [{}{}]",
                        ev.join(", "),
                        f.evidence_run
                            .as_ref()
                            .map(|r| format!(" in {r}"))
                            .unwrap_or_default()
                    )
                }
            );
        }
        if p.ungraded > 0 {
            let _ = writeln!(
                out,
                "    {} assertion{} need{} a reader: not graded (pass --judge anthropic:<model> or openai:<model>)",
                p.ungraded,
                if p.ungraded == 1 { "" } else { "s" },
                if p.ungraded == 1 { "s" } else { "" }
            );
        }
        for run in r
            .runs
            .iter()
            .filter(|x| x.prompt_id == p.id && x.lesson == l.lesson)
        {
            if let Some(e) = &run.transcript.error {
                let _ = writeln!(
                    out,
                    "    {} {} run {}: {}",
                    paint(color, "31", "error"),
                    run.config.id(),
                    run.run,
                    escape_ctl(e)
                );
            }
        }
    }
}

/// The JSON report (`--format json`): the summary plus every run's grading.
pub fn json(r: &ModelReport) -> String {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    let runs: Vec<serde_json::Value> = r.runs.iter().map(super::files::run_json).collect();
    v["runs"] = serde_json::Value::Array(runs);
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

use crate::report::render::xml_escape as xml;

/// JUnit: a testsuite per lesson and configuration, a testcase per assertion of run 1
/// (with skill: a miss is a failure; without skill: reported, never failing).
pub fn junit(r: &ModelReport) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"skillforge test --model {}\">",
        xml(&escape_ctl(&r.model))
    );
    for l in &r.lessons {
        let runs: Vec<_> = r
            .runs
            .iter()
            .filter(|x| x.lesson == l.lesson && x.config == super::Config::WithSkill && x.run == 1)
            .collect();
        let (mut tests, mut failures, mut errors) = (0, 0, 0);
        let mut body = String::new();
        for run in &runs {
            match &run.result {
                None => {
                    tests += 1;
                    errors += 1;
                    let _ = writeln!(
                        body,
                        "    <testcase classname=\"{}\" name=\"run\">\n      <error message=\"{}\"/>\n    </testcase>",
                        xml(&format!(
                            "lesson{}.{}",
                            l.lesson,
                            escape_ctl(&run.prompt_id)
                        )),
                        xml(&escape_ctl(
                            run.transcript.error.as_deref().unwrap_or("no answer")
                        ))
                    );
                }
                Some(p) => {
                    for (i, a) in p.assertions.iter().enumerate() {
                        tests += 1;
                        let _ = write!(
                            body,
                            "    <testcase classname=\"{}\" name=\"{}\"",
                            xml(&format!(
                                "lesson{}.{}",
                                l.lesson,
                                escape_ctl(&run.prompt_id)
                            )),
                            xml(&escape_ctl(&format!("{}. {}", i + 1, a.text)))
                        );
                        match a.passed {
                            Some(true) => {
                                let _ = writeln!(body, "/>");
                            }
                            Some(false) => {
                                failures += 1;
                                let _ = writeln!(
                                    body,
                                    ">\n      <failure message=\"{}\"/>\n    </testcase>",
                                    xml(&escape_ctl(
                                        a.note.as_deref().unwrap_or("not in the answer")
                                    ))
                                );
                            }
                            None => {
                                let _ = writeln!(
                                    body,
                                    ">\n      <skipped message=\"needs a reader: pass --judge\"/>\n    </testcase>"
                                );
                            }
                        }
                    }
                }
            }
        }
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">",
            xml(&format!(
                "{} lesson {} with skill: {}",
                r.curriculum,
                l.lesson,
                escape_ctl(&l.title)
            ))
        );
        let _ = writeln!(
            out,
            "    <properties><property name=\"with_skill\" value=\"{}\"/><property name=\"without_skill\" value=\"{}\"/><property name=\"uplift\" value=\"{}\"/></properties>",
            mean(&l.with_skill),
            mean(&l.without_skill),
            signed(l.uplift)
        );
        out.push_str(&body);
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}
