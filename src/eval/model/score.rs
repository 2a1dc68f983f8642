//! Grading answers and summarising runs: each answer is graded by the lesson's
//! assertions (the same checks the static judge runs on a skill); per prompt and per
//! lesson, the with-skill and without-skill scores over runs (mean, stddev, min, max)
//! and the uplift; the assertions that flipped between the two configurations.

use super::{Config, Transcript};
use crate::eval::run::{PromptResult, lesson_result};
use crate::eval::subject::Evidence;
use serde::Serialize;

/// One graded run.
#[derive(Debug, Clone)]
pub struct GradedRun {
    pub lesson: u32,
    pub prompt_id: String,
    pub config: Config,
    pub run: u32,
    pub transcript: Transcript,
    /// `None` when the run produced nothing to grade (its error says why).
    pub result: Option<PromptResult>,
    pub judge_seconds: f64,
}

impl GradedRun {
    pub fn counts(&self) -> (usize, usize, usize) {
        let Some(r) = &self.result else {
            return (0, 0, 0);
        };
        let passed = r
            .assertions
            .iter()
            .filter(|a| a.passed == Some(true))
            .count();
        let failed = r
            .assertions
            .iter()
            .filter(|a| a.passed == Some(false))
            .count();
        let ungraded = r.assertions.iter().filter(|a| a.passed.is_none()).count();
        (passed, failed, ungraded)
    }

    /// Count-based pass rate (skill-creator's `pass_rate`): passed / graded.
    pub fn pass_rate(&self) -> Option<f64> {
        let (p, f, _) = self.counts();
        (p + f > 0).then(|| p as f64 / (p + f) as f64)
    }
}

/// Mean, standard deviation (sample), min, max over runs.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Stat {
    pub mean: f64,
    pub stddev: f64,
    pub min: f64,
    pub max: f64,
    /// How many runs it is over.
    pub n: usize,
}

/// Rounded to three decimals (what every report shows).
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// `0.83`, or `0.83±0.05` (`sep` between) over several runs, or `—` without runs.
pub fn show(s: &Option<Stat>, sep: &str) -> String {
    match s {
        Some(s) if s.n > 1 => format!("{:.2}{sep}{:.2}", s.mean, s.stddev),
        Some(s) => format!("{:.2}", s.mean),
        None => "—".into(),
    }
}

pub fn stat(xs: &[f64]) -> Option<Stat> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 {
        xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let r = round3;
    Some(Stat {
        mean: r(mean),
        stddev: r(var.sqrt()),
        min: r(xs.iter().copied().fold(f64::INFINITY, f64::min)),
        max: r(xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
        n: xs.len(),
    })
}

/// An assertion whose verdict differs with and without the skill (majority of runs).
#[derive(Debug, Clone, Serialize)]
pub struct Flip {
    pub text: String,
    /// Share of graded with-skill runs that passed it.
    pub with_rate: f64,
    pub without_rate: f64,
    /// Where the passing answer shows it (first passing run).
    pub evidence: Vec<Evidence>,
    /// The run the evidence comes from (`with_skill` run 1, …).
    pub evidence_run: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PromptSummary {
    pub id: String,
    pub topic: String,
    pub prompt: String,
    pub with_skill: Option<Stat>,
    pub without_skill: Option<Stat>,
    pub uplift: Option<f64>,
    pub flips: Vec<Flip>,
    /// Assertions no machine check covers and no judge graded.
    pub ungraded: usize,
    /// Runs that failed (errors, timeouts, budget).
    pub errors: usize,
    /// Mean tokens and seconds per run, with and without the skill.
    pub cost: Cost,
}

/// Mean tokens (input + output) and seconds per run, per configuration.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Cost {
    pub tokens_with_skill: f64,
    pub tokens_without_skill: f64,
    pub seconds_with_skill: f64,
    pub seconds_without_skill: f64,
}

fn cost(with: &[&GradedRun], without: &[&GradedRun]) -> Cost {
    let mean = |v: &[&GradedRun], f: &dyn Fn(&GradedRun) -> f64| -> f64 {
        if v.is_empty() {
            0.0
        } else {
            (v.iter().map(|r| f(r)).sum::<f64>() / v.len() as f64 * 10.0).round() / 10.0
        }
    };
    Cost {
        tokens_with_skill: mean(with, &|r| r.transcript.tokens() as f64),
        tokens_without_skill: mean(without, &|r| r.transcript.tokens() as f64),
        seconds_with_skill: mean(with, &|r| r.transcript.seconds),
        seconds_without_skill: mean(without, &|r| r.transcript.seconds),
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LessonSummary {
    pub lesson: u32,
    pub title: String,
    pub docs: Vec<String>,
    pub with_skill: Option<Stat>,
    pub without_skill: Option<Stat>,
    pub uplift: Option<f64>,
    /// The with-skill mean reaches `--min-score`.
    pub passed: bool,
    /// Mean tokens and seconds per run over the lesson's runs.
    pub cost: Cost,
    pub prompts: Vec<PromptSummary>,
}

fn majority(rate: f64) -> bool {
    rate >= 0.5 - 1e-9
}

/// Summarises one lesson from its graded runs.
pub fn summarise_lesson(
    number: u32,
    title: &str,
    docs: Vec<String>,
    prompt_order: &[(String, String, String)],
    runs: &[&GradedRun],
    min_score: f64,
) -> LessonSummary {
    let mut prompts = Vec::new();
    for (id, topic, text) in prompt_order {
        let of = |c: Config| -> Vec<&GradedRun> {
            runs.iter()
                .copied()
                .filter(|r| &r.prompt_id == id && r.config == c)
                .collect()
        };
        let with = of(Config::WithSkill);
        let without = of(Config::WithoutSkill);
        let scores = |v: &[&GradedRun]| -> Vec<f64> {
            v.iter()
                .filter_map(|r| r.result.as_ref().and_then(|p| p.score))
                .collect()
        };
        let ws = stat(&scores(&with));
        let wos = stat(&scores(&without));
        let uplift = match (ws, wos) {
            (Some(a), Some(b)) => Some(round3(a.mean - b.mean)),
            _ => None,
        };
        let errors = with
            .iter()
            .chain(&without)
            .filter(|r| r.transcript.error.is_some())
            .count();
        let ungraded = with
            .iter()
            .find_map(|r| r.result.as_ref())
            .map(|p| p.assertions.iter().filter(|a| a.passed.is_none()).count())
            .unwrap_or(0);
        prompts.push(PromptSummary {
            id: id.clone(),
            topic: topic.clone(),
            prompt: text.clone(),
            with_skill: ws,
            without_skill: wos,
            uplift,
            flips: flips(&with, &without),
            ungraded,
            errors,
            cost: cost(&with, &without),
        });
    }
    let lesson_scores = |c: Config| -> Vec<f64> {
        let mut run_numbers: Vec<u32> = runs
            .iter()
            .filter(|r| r.config == c)
            .map(|r| r.run)
            .collect();
        run_numbers.sort_unstable();
        run_numbers.dedup();
        run_numbers
            .into_iter()
            .filter_map(|n| {
                let results: Vec<PromptResult> = runs
                    .iter()
                    .filter(|r| r.config == c && r.run == n)
                    .filter_map(|r| r.result.clone())
                    .collect();
                if results.is_empty() {
                    return None;
                }
                let l = lesson_result(number, title, Vec::new(), results, min_score);
                (l.assertions_passed + l.assertions_failed > 0).then_some(l.score)
            })
            .collect()
    };
    let with_skill = stat(&lesson_scores(Config::WithSkill));
    let without_skill = stat(&lesson_scores(Config::WithoutSkill));
    let uplift = match (with_skill, without_skill) {
        (Some(a), Some(b)) => Some(round3(a.mean - b.mean)),
        _ => None,
    };
    let of_all =
        |c: Config| -> Vec<&GradedRun> { runs.iter().copied().filter(|r| r.config == c).collect() };
    let lesson_cost = cost(&of_all(Config::WithSkill), &of_all(Config::WithoutSkill));
    LessonSummary {
        cost: lesson_cost,
        lesson: number,
        title: title.to_string(),
        docs,
        passed: with_skill.is_some_and(|s| s.mean + 1e-9 >= min_score),
        with_skill,
        without_skill,
        uplift,
        prompts,
    }
}

fn flips(with: &[&GradedRun], without: &[&GradedRun]) -> Vec<Flip> {
    let graded = |v: &[&GradedRun]| -> Vec<PromptResult> {
        v.iter().filter_map(|r| r.result.clone()).collect()
    };
    let (w, wo) = (graded(with), graded(without));
    let Some(first) = w.first().or(wo.first()) else {
        return Vec::new();
    };
    if w.is_empty() || wo.is_empty() {
        return Vec::new();
    }
    let rate = |v: &[PromptResult], i: usize| -> Option<f64> {
        let g: Vec<bool> = v
            .iter()
            .filter_map(|p| p.assertions.get(i).and_then(|a| a.passed))
            .collect();
        (!g.is_empty()).then(|| g.iter().filter(|x| **x).count() as f64 / g.len() as f64)
    };
    let mut out = Vec::new();
    for (i, a) in first.assertions.iter().enumerate() {
        let (Some(rw), Some(rwo)) = (rate(&w, i), rate(&wo, i)) else {
            continue;
        };
        if majority(rw) == majority(rwo) {
            continue;
        }
        let passing_side: &[&GradedRun] = if majority(rw) { with } else { without };
        let found = passing_side.iter().find_map(|r| {
            let p = r.result.as_ref()?;
            let x = p.assertions.get(i)?;
            (x.passed == Some(true)).then(|| {
                (
                    x.evidence.clone(),
                    format!("{} run {}", r.config.id(), r.run),
                )
            })
        });
        let (evidence, evidence_run) = match found {
            Some((e, r)) => (e, Some(r)),
            None => (Vec::new(), None),
        };
        out.push(Flip {
            text: a.text.clone(),
            with_rate: round3(rw),
            without_rate: round3(rwo),
            evidence,
            evidence_run,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats() {
        let s = stat(&[1.0, 0.5, 0.0]).unwrap();
        assert_eq!((s.mean, s.min, s.max, s.n), (0.5, 0.0, 1.0, 3));
        assert_eq!(s.stddev, 0.5);
        assert_eq!(stat(&[0.7]).unwrap().stddev, 0.0);
        assert!(stat(&[]).is_none());
    }
}
