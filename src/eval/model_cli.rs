//! `skillforge test --model …` / `--triggers` / `--judge`: from command-line flags to a
//! model run and its outputs.

use super::model::{
    self, Engine, Options, bundle::SkillBundle, http::CallBudget, provider::ProviderSpec,
};
use super::suite::{Curriculum, Lesson, Library};
use super::{TestArgs, TestFormat};
use crate::error::{Error, Result};
use std::sync::Arc;
use std::time::Duration;

/// Pretty JSON with a final newline.
fn pretty<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

fn spec_of(value: &str) -> Result<ProviderSpec> {
    if value == "auto" {
        return ProviderSpec::default_available().ok_or_else(|| {
            Error::usage_hint(
                "--model without a value uses Claude Code, but `claude` is not on PATH",
                "install it (`npm install -g @anthropic-ai/claude-code`) or name a provider: --model anthropic:<model>, openai:<model> (with --base-url for a local server), command:<program>",
            )
        });
    }
    check_model_value(value)?;
    ProviderSpec::parse(value)
}

/// `--model` takes an optional value, so `test --model PATH` reads PATH as the
/// provider: caught before the skill is looked for, with how to write it.
pub fn check_model_value(value: &str) -> Result<()> {
    if !value.contains(':') && value != "claude-code" && std::path::Path::new(value).exists() {
        return Err(Error::usage_hint(
            format!(
                "--model took `{}` as its provider, but that is a path",
                model::escape_ctl(value)
            ),
            "put the skill path before --model, or name the provider: --model claude-code PATH",
        ));
    }
    Ok(())
}

fn options(args: &TestArgs, spec: ProviderSpec, runs: u32) -> Result<Options> {
    let m = &args.model;
    if let Some(t) = m.temperature
        && !(0.0..=2.0).contains(&t)
    {
        return Err(Error::usage_hint(
            format!("--temperature {t} is outside 0–2"),
            "e.g. --temperature 0",
        ));
    }
    if m.max_calls == Some(0) {
        return Err(Error::usage_hint(
            "--max-calls 0 allows no call at all",
            "give a positive number, or leave it out for no limit",
        ));
    }
    Ok(Options {
        spec,
        base_url: m.base_url.clone(),
        runs,
        jobs: m.jobs as usize,
        timeout: Duration::from_secs(m.timeout),
        max_calls: m.max_calls,
        max_turns: m.max_turns,
        max_tokens: m.max_tokens,
        temperature: m.temperature,
        use_cache: !m.no_cache,
        cache_dir: crate::fetch::cache::default_cache_dir(),
    })
}

/// Runs the model judge (or the trigger evaluation) for `test`.
pub fn run(
    args: &TestArgs,
    lib: &Library,
    cur: &Curriculum,
    lessons: &[&Lesson],
    skill: &crate::skill::Skill,
) -> Result<u8> {
    let m = &args.model;
    if matches!(args.format, TestFormat::Github | TestFormat::Sarif) {
        return Err(Error::usage_hint(
            "--format github and sarif annotate lines of the skill; a model run grades answers",
            "use --format text, json or junit with --model",
        ));
    }
    let spec = spec_of(m.model.as_deref().unwrap_or("auto"))?;
    if let Some(out) = &m.out {
        model::files::check_out_dir(out)?;
    }
    let bundle = SkillBundle::load(skill)?;
    if bundle.skill_md().trim().is_empty() {
        return Err(Error::input(
            &skill.skill_md,
            "SKILL.md is empty: there is nothing to offer the model",
        ));
    }
    let budget = Arc::new(CallBudget::new(m.max_calls));
    let color = crate::report::use_color();
    if m.triggers {
        if matches!(args.format, TestFormat::Junit) {
            return Err(Error::usage_hint(
                "--triggers has no JUnit output",
                "use --format text or --format json",
            ));
        }
        if spec.kind == model::provider::Kind::Command {
            return Err(Error::usage_hint(
                "--triggers needs a provider that shows whether the skill was loaded",
                "use claude-code, anthropic:<model> or openai:<model>; a command: program gets the skill handed to it",
            ));
        }
        let runs = m.runs.unwrap_or(3);
        let engine = Engine::new(options(args, spec, runs)?, budget)?;
        let positives: Vec<(String, String)> = lessons
            .iter()
            .flat_map(|l| lib.lesson_topics(l))
            .flat_map(|t| t.prompts.iter())
            .map(|p| (p.id.clone(), p.prompt.clone()))
            .collect();
        let negatives =
            model::triggers::near_misses(model::triggers::EMBEDDED, "embedded:triggers.yaml")?;
        let report =
            model::triggers::run(engine, bundle, positives, negatives, runs, args.min_score)?;
        match args.format {
            TestFormat::Json => crate::term::print_stdout(&pretty(&report)),
            _ => crate::term::print_stdout(&crate::term::sanitize_output(
                &model::triggers::text(&report, color),
                color,
            )),
        }
        if let Some(out) = &m.out {
            crate::fsutil::write_atomic(&out.join("triggers.json"), pretty(&report).as_bytes())?;
            eprintln!("wrote {}", out.join("triggers.json").display());
        }
        return Ok(if report.passed { 0 } else { 1 });
    }
    let runs = m.runs.unwrap_or(1);
    let engine = Engine::new(options(args, spec, runs)?, Arc::clone(&budget))?;
    let judge = match &m.judge {
        None => None,
        Some(j) => {
            let jspec = ProviderSpec::parse(j)?;
            if !jspec.kind.is_api() {
                return Err(Error::usage_hint(
                    format!("--judge {j}: the judge must be an API model"),
                    "use --judge anthropic:<model> or --judge openai:<model>",
                ));
            }
            let mut o = options(args, jspec.clone(), 1)?;
            // The base URL given for --model applies to the judge only when both speak
            // the same API.
            if o.spec.kind != engine.spec.kind {
                o.base_url = None;
            }
            o.temperature = Some(0.0);
            Some(Engine::new(o, Arc::clone(&budget))?)
        }
    };
    let report = model::runner::run(
        lib,
        cur,
        lessons,
        bundle,
        &skill.dir.display().to_string(),
        engine,
        judge,
        args.min_score,
    )?;
    let text = match args.format {
        TestFormat::Json => model::render::json(&report),
        TestFormat::Junit => model::render::junit(&report),
        TestFormat::Text | TestFormat::Github | TestFormat::Sarif => {
            model::render::text(&report, color)
        }
    };
    crate::term::print_stdout(&crate::term::sanitize_output(&text, color));
    if let Some(out) = &m.out {
        let n = model::files::write_out(&report, out)?;
        eprintln!(
            "wrote {n} files to {} (open {} in a browser)",
            out.display(),
            out.join("report.html").display()
        );
    }
    if report.calls.runs > 0 && report.calls.failed == report.calls.runs {
        let first = report
            .runs
            .iter()
            .find_map(|r| r.transcript.error.clone())
            .unwrap_or_default();
        return Err(Error::usage_hint(
            format!(
                "every run failed, so nothing was graded: {}",
                model::escape_ctl(&first)
            ),
            "fix the provider set-up (program, key, --base-url) and run again",
        ));
    }
    Ok(if report.passed { 0 } else { 1 })
}
