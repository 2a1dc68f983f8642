//! The properties each fuzz target checks, one function per target.
//!
//! Shared by the fuzz targets (`fuzz/fuzz_targets/*.rs`, one line each) and the
//! regression test `tests/fuzz_regressions.rs`, which replays every input under
//! `fuzz/regressions/<target>/` through the same function on stable Rust. A function
//! panics when a property fails; returning means the input is handled.
#![allow(dead_code)]

use serde_json::Value;
use skillforge::docker::facts::{InstKind, expand_args, package_call};
use skillforge::docker::yaml::to_json;
use skillforge::docker::{dockerfiles_in_markdown, parse_dockerfile_text};
use skillforge::eval::Subject;
use skillforge::eval::run::run_lesson;
use skillforge::eval::suite::Library;
use skillforge::fetch::distil::{estimate_tokens, split_sections};
use skillforge::fetch::normalize::{Context, absolute_url, normalize};
use skillforge::lint::{Ctx, config::Config, lint_skill};
use skillforge::report::render::{SourceCache, text_one};
use skillforge::skill::Skill;
use std::collections::BTreeMap;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

// ---- skill_md ----

/// SKILL.md parser, every lint rule, and the text report.
///
/// Input: the bytes of a SKILL.md (lossily decoded, as the loader reads it). The skill
/// lives in a folder that does not exist, so only the SKILL.md text is linted (no file
/// system access). Properties beyond "no panic, no hang, no OOM":
/// - every finding's span lies inside the text (line ≥ 1, offset ≤ len);
/// - the text report, once sanitised as every text output is before printing, holds no
///   control character but newline and tab, and no line that could forge a CI command
///   (`::error …`);
/// - one finding renders to a bounded number of bytes (a long line is windowed);
/// - whatever the plain-frontmatter reader accepts, serde-saphyr reads the same.
pub fn skill_md(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    // The plain-frontmatter reader agrees with serde-saphyr on whatever it accepts: on
    // the input as a frontmatter, and on the frontmatter of the input as a SKILL.md.
    if let Err(e) = skillforge::skill::check_plain_frontmatter_reader(&text) {
        panic!("{e}");
    }
    if let Some(rest) = text.strip_prefix("---\n")
        && let Some(end) = rest.find("\n---")
        && let Err(e) = skillforge::skill::check_plain_frontmatter_reader(&rest[..=end])
    {
        panic!("{e}");
    }
    let dir = Path::new("/nonexistent-skillforge-fuzz/fuzz-skill");
    let skill = Skill::from_text(dir, &text);
    let cx = Ctx::new(Config::default());
    let diags = lint_skill(&cx, &skill);
    let mut sources = SourceCache::default();
    sources.insert(dir.join("SKILL.md"), text.to_string());
    for d in &diags {
        if let Some(span) = d.span {
            assert!(span.line >= 1, "line 0 in {d:?}");
            if d.file.ends_with("SKILL.md") {
                assert!(span.offset <= text.len(), "offset past the end in {d:?}");
            }
        }
        let one = text_one(d, &mut sources, false);
        let safe = skillforge::term::sanitize_output(&one, false);
        assert!(!safe.chars().any(skillforge::term::is_unsafe_char));
        for line in safe.lines() {
            assert!(!line.starts_with("::"), "forged CI command: {line:?}");
        }
        assert!(
            one.len() <= 16 * 1024 + 4 * d.message.len().min(4096),
            "one finding rendered to {} bytes",
            one.len()
        );
    }
}

// ---- dockerfile ----

/// Dockerfile facts and every Dockerfile rule.
///
/// Input: a Dockerfile text. It is parsed on its own (as a model's answer is), every
/// fact accessor is walked, and it is linted inside a SKILL.md ```dockerfile block
/// (with a fence longer than any backtick run in the input, so the block holds the
/// input, unless Markdown itself rewrites it, e.g. NUL to U+FFFD). Properties beyond "no panic, no hang, no OOM": instruction lines lie
/// inside the text and increase; the block-embedded parse finds the same stages.
pub fn dockerfile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let df = parse_dockerfile_text(text);
    let lines = text.lines().count().max(1);
    let mut last = 0;
    for (stage, inst) in df.instructions() {
        assert!(
            inst.local_line >= 1 && inst.local_line <= lines + 1,
            "line {} of {lines}",
            inst.local_line
        );
        assert!(inst.local_line >= last, "instructions out of order");
        last = inst.local_line;
        let _ = expand_args(&stage.image.raw, &df.global_args);
        if let InstKind::Run(r) = &inst.kind {
            let _ = (r.has_pipe(), r.has_cache_mount(), r.installs_dependencies());
            for c in &r.commands {
                let _ = package_call(c);
            }
        }
    }
    let _ = (
        df.final_stage()
            .map(|s| (s.is_service(), s.last_user().is_some())),
        df.stage_count(),
        df.copies_from_stage(),
        df.final_user_non_root(),
        df.has_healthcheck(),
        df.exec_form_cmd(),
    );

    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let body = if text.ends_with('\n') || text.is_empty() {
        text.to_string()
    } else {
        format!("{text}\n")
    };
    let md = format!(
        "---\nname: fuzz-skill\ndescription: Fuzzing input. Use when fuzzing.\n---\n\n# Fuzz\n\n{fence}dockerfile\n{body}{fence}\n"
    );
    // Markdown may change the text on its way into the block (CommonMark turns NUL into
    // U+FFFD, for one): the property holds only when the block holds the input as is.
    let same_text = skillforge::skill::parse_skill_md(&md)
        .body
        .code_blocks
        .first()
        .is_some_and(|cb| cb.code == body);
    if same_text && !text.trim().is_empty() {
        let embedded = dockerfiles_in_markdown(&md);
        if let Some(e) = embedded.first() {
            assert_eq!(e.stages.len(), df.stages.len(), "block parse differs");
        }
    }
    let skill = Skill::from_text(Path::new("/nonexistent-skillforge-fuzz/fuzz-skill"), &md);
    let _ = lint_skill(&Ctx::new(Config::default()), &skill);
}

// ---- compose_yaml ----

/// Differential: the fast Compose YAML → JSON reader against serde-saphyr.
///
/// `docker::yaml::to_json` promises the exact value (key order included) that
/// `serde_saphyr::from_str::<serde_json::Value>` returns, or `None` (fall back). Any
/// `Some` that differs, or a `Some` where serde-saphyr fails, is a bug.
pub fn compose_yaml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(fast) = to_json(text) else {
        return;
    };
    match serde_saphyr::from_str::<Value>(text) {
        Ok(slow) => {
            assert_eq!(fast, slow, "value differs for {text:?}");
            assert_eq!(
                serde_json::to_string(&fast).ok(),
                serde_json::to_string(&slow).ok(),
                "key order differs for {text:?}"
            );
        }
        Err(e) => panic!("fast path gave {fast} but serde-saphyr failed ({e}) for {text:?}"),
    }
}

// ---- fetch_normalize ----

/// The fetch normaliser (served `.md` pages → clean Markdown) and the section splitter
/// the distiller runs on its output.
///
/// Input: a page as the docs server would serve it (front matter, Hugo shortcodes,
/// tab/card HTML, admonitions). Includes resolve to a fixed snippet and two site
/// parameters are known, so those paths are exercised too. Properties beyond "no panic,
/// no hang, no OOM": the body grows at most linearly with the input (no expansion
/// blow-up), and every section's line range lies inside the body.
pub fn fetch_normalize(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut params = BTreeMap::new();
    params.insert("example_go_version".to_string(), "1.25".to_string());
    params.insert("compose_version".to_string(), "v2.40.0".to_string());
    let include = |name: &str| -> Option<String> {
        (name == "fuzz.md").then(|| "An included **paragraph**.\n".to_string())
    };
    let ctx = Context {
        page_path: "/build/building/fuzz/",
        include: &include,
        params: &params,
    };
    let page = normalize(text, &ctx);
    assert!(
        page.body.len() <= 8 * text.len() + 4096,
        "body grew from {} to {} bytes",
        text.len(),
        page.body.len()
    );
    let sections = split_sections(&page.body);
    let lines = page.body.lines().count();
    for s in &sections {
        assert!(
            s.start <= s.end && s.end <= lines + 1,
            "section {}..{} of {lines} lines",
            s.start,
            s.end
        );
        let _ = estimate_tokens(&s.lines.join("\n"));
    }
    let _ = absolute_url(text.lines().next().unwrap_or(""), ctx.page_path);
}

// ---- suite ----

/// The lesson-suite loader (`test --suite FILE`) and, when a suite loads, its
/// assertions run against a small skill and a small answer.
///
/// Input: a topic-format suite file. It goes through the real entry point (a file on
/// disk, read with the size cap), then schema validation, regex compilation and the
/// load-time checks. Properties beyond "no panic, no hang, no OOM": a loaded suite
/// scores every prompt within [0, 1] (no NaN, no overflow from weights).
pub fn suite(data: &[u8]) {
    let path = scratch();
    if std::fs::write(path, data).is_err() {
        return;
    }
    let Ok((lib, cur)) = Library::from_suite_file(path) else {
        return;
    };
    let skill = Skill::from_text(Path::new("/nonexistent-skillforge-fuzz/fuzz-skill"), SKILL);
    for subject in [Subject::from_skill(&skill), Subject::from_answer(ANSWER)] {
        for lesson in &cur.lessons {
            let r = run_lesson(&lib, lesson, &subject, 0.5);
            assert!((0.0..=1.0).contains(&r.score), "lesson scored {}", r.score);
            for p in &r.prompts {
                if let Some(s) = p.score {
                    assert!((0.0..=1.0).contains(&s), "prompt {} scored {s}", p.id);
                }
            }
        }
    }
}

const SKILL: &str = "---\nname: fuzz-skill\ndescription: Deploys Python services with Docker. Use when containerising an API.\n---\n\n# Docker deployment\n\n## Questions\n\n- Which port does the service listen on?\n- Does it need a GPU?\n- Where do secrets come from?\n\n## Principles\n\n- Pin the base image: `python:3.13-slim`.\n- Run as a non-root user.\n\n```dockerfile\nFROM python:3.13-slim AS build\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-dev\nCOPY . .\nFROM python:3.13-slim\nUSER 10001\nHEALTHCHECK CMD curl -f http://localhost:8000/health || exit 1\nCMD [\"uvicorn\", \"app:app\", \"--host\", \"0.0.0.0\"]\n```\n";
const ANSWER: &str = "Use a multi-stage build and `docker compose up -d`.\n\n```yaml\nservices:\n  api:\n    build: .\n    ports: [\"8000:8000\"]\n    secrets: [db_password]\nsecrets:\n  db_password:\n    file: ./db_password.txt\n```\n";

fn scratch() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        std::env::temp_dir().join(format!("skillforge-fuzz-suite-{}.yaml", std::process::id()))
    })
}
