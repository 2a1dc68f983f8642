//! The static judge scores what a skill teaches, not where or how it says it (issue 16).
//! Each failure mode seen on real skills is reproduced here: placement, heading words,
//! references, evidence without context, parameterised bases, gaming, wrong advice and
//! dotfiles.

use skillforge::eval::check::Check;
use skillforge::eval::run::run_lesson;
use skillforge::eval::{Library, Subject};
use skillforge::skill::Skill;
use std::path::{Path, PathBuf};

fn lib() -> Library {
    Library::embedded().unwrap_or_else(|e| panic!("{}", e.render()))
}

/// The check of the assertion of `topic` whose text starts with `text`.
fn check(lib: &Library, topic: &str, text: &str) -> Check {
    let t = lib.topics.get(topic).expect("topic");
    t.prompts
        .iter()
        .flat_map(|p| &p.assertions)
        .find(|a| a.text.starts_with(text))
        .and_then(|a| a.check.clone())
        .unwrap_or_else(|| panic!("no assertion `{text}` in {topic}"))
}

/// Writes a skill: (relative path, content) pairs; SKILL.md gets a frontmatter.
fn skill(root: &Path, files: &[(&str, &str)]) -> PathBuf {
    let dir = root.join("docker-deployment");
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let text = if *rel == "SKILL.md" {
            format!(
                "---\nname: docker-deployment\ndescription: Containerizes Python services. Use when writing a Dockerfile.\n---\n{text}"
            )
        } else {
            text.to_string()
        };
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn subject(dir: &Path) -> Subject {
    Subject::from_skill(&Skill::load(dir).unwrap())
}

fn passes(lib: &Library, topic: &str, text: &str, dir: &Path) -> bool {
    check(lib, topic, text).eval(&subject(dir)).passed
}

fn lesson(lib: &Library, curriculum: &str, n: u32, dir: &Path) -> f64 {
    let cur = lib.curriculum(curriculum).unwrap();
    let l = cur.lessons.iter().find(|l| l.number == n).unwrap();
    run_lesson(lib, l, &subject(dir), 0.8).score
}

fn generated() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = skillforge::blueprint::generate_default(tmp.path())
        .unwrap_or_else(|e| panic!("{}", e.render()));
    (tmp, dir)
}

fn edit(path: &Path, f: impl Fn(&str) -> String) {
    let t = std::fs::read_to_string(path).unwrap();
    let n = f(&t);
    assert_ne!(t, n, "edit of {} changed nothing", path.display());
    std::fs::write(path, n).unwrap();
}

/// Replaces the body of a `## Heading` section (to the next `## `), heading kept unless
/// `new` is None.
fn replace_section(text: &str, heading: &str, new: Option<&str>) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("## ") {
            let was = inside;
            inside = line.trim_end() == heading;
            if inside {
                if let Some(n) = new {
                    out.push_str(line);
                    out.push('\n');
                    out.push_str(n);
                    out.push('\n');
                }
                continue;
            }
            let _ = was;
        }
        if !inside {
            out.push_str(line);
        }
    }
    out
}

const GOOD_DOCKERFILE: &str = "# syntax=docker/dockerfile:1
FROM python:3.12-slim AS builder
COPY --from=ghcr.io/astral-sh/uv:0.8.15 /uv /bin/uv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-install-project --no-dev
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev

FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1
RUN useradd --system --uid 10001 app
WORKDIR /app
COPY --from=builder --chown=app:app /app /app
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]
CMD [\"/app/.venv/bin/uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]
";

// 1. A Dockerfile is a Dockerfile wherever the skill keeps it.
#[test]
fn inline_dockerfile_in_skill_md_satisfies_template_scoped_checks() {
    let lib = lib();
    let tmp = tempfile::tempdir().unwrap();
    let md = format!(
        "# Docker\n\nUse this Dockerfile for a FastAPI service:\n\n```dockerfile\n{GOOD_DOCKERFILE}```\n"
    );
    let dir = skill(tmp.path(), &[("SKILL.md", &md)]);
    for (topic, text) in [
        ("multistage", "The skill's Dockerfile template separates"),
        (
            "multistage",
            "The runtime stage starts from a small pinned base",
        ),
        ("capstone", "The Dockerfile template is multi-stage"),
    ] {
        assert!(passes(&lib, topic, text, &dir), "{topic}: {text}");
    }
    // The same Dockerfile in a reference counts too.
    let tmp2 = tempfile::tempdir().unwrap();
    let refmd =
        format!("# Dockerfiles\n\nThe production file:\n\n```dockerfile\n{GOOD_DOCKERFILE}```\n");
    let dir2 = skill(
        tmp2.path(),
        &[
            (
                "SKILL.md",
                "# Docker\n\nSee [dockerfiles](references/dockerfiles.md).\n",
            ),
            ("references/dockerfiles.md", &refmd),
        ],
    );
    assert!(passes(
        &lib,
        "multistage",
        "The skill's Dockerfile template separates",
        &dir2
    ));
}

#[test]
fn templates_in_nested_folders_are_templates() {
    let lib = lib();
    let tmp = tempfile::tempdir().unwrap();
    let dir = skill(
        tmp.path(),
        &[
            (
                "SKILL.md",
                "# Docker\n\nTemplates live in `templates/python/`.\n",
            ),
            ("templates/python/Dockerfile", GOOD_DOCKERFILE),
            (
                "templates/python/dockerignore",
                ".venv\n.git\n.env\n__pycache__\n",
            ),
        ],
    );
    assert!(passes(
        &lib,
        "multistage",
        "The skill's Dockerfile template separates",
        &dir
    ));
    assert!(passes(
        &lib,
        "skill-build",
        "Provides a .dockerignore template",
        &dir
    ));
    assert!(passes(
        &lib,
        "skill-build",
        "Provides a Dockerfile template",
        &dir
    ));
}

// 2. Sections are found by meaning, not by one heading word.
#[test]
fn renaming_debugging_to_common_issues_keeps_lesson_4() {
    let lib = lib();
    let (_t, dir) = generated();
    let before = lesson(&lib, "skill-first", 4, &dir);
    edit(&dir.join("SKILL.md"), |t| {
        t.replace("## Debugging", "## Common issues")
    });
    let after = lesson(&lib, "skill-first", 4, &dir);
    assert!((before - after).abs() < 1e-9, "{before} -> {after}");
}

const QUESTIONS: &str =
    "1. Where will the image run (Compose, Kubernetes, serverless)? It decides the health checks.
2. Does the service load model files over 100 MB? If yes, mount them.
3. Which dependency manager and lock file does it use (uv, pip)? It decides the install step.
4. Does it need native modules or compilers? They stay in the builder stage.
5. What secrets does it need at run time? They never go into ENV.
6. Does it expose an HTTP health endpoint? Without one there is no HEALTHCHECK.
";

#[test]
fn questions_are_found_under_other_headings_and_by_content() {
    let lib = lib();
    for heading in [
        "## Required clarifications",
        "## Before you start",
        "## Notes for the agent",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let md = format!("# Docker\n\n{heading}\n\n{QUESTIONS}");
        let dir = skill(tmp.path(), &[("SKILL.md", &md)]);
        for text in [
            "Asks 5 to 7 analysis questions",
            "The questions cover deployment target",
        ] {
            assert!(
                passes(&lib, "skill-design", text, &dir),
                "{heading}: {text}"
            );
        }
    }
}

// 3. Guidance in references counts for section and heading scopes.
#[test]
fn debugging_guidance_in_references_counts() {
    let lib = lib();
    let tmp = tempfile::tempdir().unwrap();
    let reference = "# Troubleshooting containers

When a container exits at once, read its output first with `docker logs --tail 50 api`; logs survive the exit.
Then read the state: `docker inspect --format '{{.State.Status}} {{.State.ExitCode}}' api` tells you why it stopped.
To look inside a running container, open a shell with `docker exec -it api sh` and check files and the user.
If the host port is already allocated, map another host port such as `-p 8001:8000`.
";
    let dir = skill(
        tmp.path(),
        &[
            (
                "SKILL.md",
                "# Docker\n\nWhen something fails, follow [troubleshooting](references/troubleshooting.md).\n",
            ),
            ("references/troubleshooting.md", reference),
        ],
    );
    for text in [
        "Reads the container's output with docker logs",
        "Reads the exit code and state",
        "Opens a shell or runs a command",
        "Explains the host port is taken",
        "SKILL.md itself has a debugging section",
    ] {
        assert!(passes(&lib, "debugging", text, &dir), "{text}");
    }
}

// 4. Evidence must match the subject of the assertion.
#[test]
fn evidence_must_match_the_subject() {
    let lib = lib();
    let tmp = tempfile::tempdir().unwrap();
    let dir = skill(
        tmp.path(),
        &[
            (
                "SKILL.md",
                "# Next.js\n\n## Prerequisites\n\n| variable | side |\n|---|---|\n| NEXT_PUBLIC_* | Client + Server |\n\nRun `docker version` before you build anything.\n",
            ),
            (
                "templates/Dockerfile",
                "FROM node:20-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n",
            ),
        ],
    );
    assert!(!passes(
        &lib,
        "setup",
        "Explains that a missing Server section",
        &dir
    ));
    assert!(!passes(
        &lib,
        "first-dockerfile",
        "Starts from a pinned slim Python base",
        &dir
    ));
    // The right evidence passes.
    let tmp2 = tempfile::tempdir().unwrap();
    let dir2 = skill(
        tmp2.path(),
        &[
            (
                "SKILL.md",
                "# Docker\n\n## Prerequisites\n\n`docker version` must print a Client and a Server section; when the Server part fails, the daemon (Docker Desktop or dockerd) is not running.\n",
            ),
            ("templates/Dockerfile", GOOD_DOCKERFILE),
        ],
    );
    assert!(passes(
        &lib,
        "setup",
        "Explains that a missing Server section",
        &dir2
    ));
    assert!(passes(
        &lib,
        "first-dockerfile",
        "Starts from a pinned slim Python base",
        &dir2
    ));
}

// 5. Parameterised bases, uv pip.
#[test]
fn arg_defaults_resolve_in_from() {
    use skillforge::docker::facts::{Dockerfile, ImageFamily, Origin};
    let text = "ARG PYTHON_VERSION=3.12\nARG VARIANT\nFROM python:${PYTHON_VERSION}-slim AS build\nFROM python:$PYTHON_VERSION-slim\nFROM python:${VARIANT:-3.11}-alpine\nFROM python:${VARIANT}\n";
    let df = Dockerfile::parse(text, Origin::Text, None);
    let names: Vec<&str> = df.stages.iter().map(|s| s.image.raw.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "python:3.12-slim",
            "python:3.12-slim",
            "python:3.11-alpine",
            "python:${VARIANT}"
        ]
    );
    let df = Dockerfile::parse(
        "ARG PY=3.12\nFROM python:${PY}-slim\nCMD [\"python\"]\n",
        Origin::Text,
        None,
    );
    assert_eq!(df.base_family(), Some(ImageFamily::Slim));
    assert!(df.pinned_base());

    let lib = lib();
    let tmp = tempfile::tempdir().unwrap();
    let dockerfile = GOOD_DOCKERFILE.replace(
        "FROM python:3.12-slim AS builder",
        "ARG PYTHON_VERSION=3.12\nFROM python:${PYTHON_VERSION}-slim AS builder",
    );
    let dockerfile = dockerfile.replace(
        "\nFROM python:3.12-slim\n",
        "\nFROM python:${PYTHON_VERSION}-slim\n",
    );
    // A global ARG is declared before the first FROM.
    let dockerfile = format!(
        "ARG PYTHON_VERSION=3.12\n{}",
        dockerfile.replace("ARG PYTHON_VERSION=3.12\n", "")
    );
    let dir = skill(
        tmp.path(),
        &[
            ("SKILL.md", "# Docker\n"),
            ("templates/Dockerfile", &dockerfile),
        ],
    );
    assert!(passes(
        &lib,
        "multistage",
        "The runtime stage starts from a small pinned base",
        &dir
    ));
    // lint no longer calls it unknown or untagged
    let cx = skillforge::lint::Ctx::new(skillforge::lint::Config::default());
    let diags = skillforge::lint::lint_skill(&cx, &Skill::load(&dir).unwrap());
    assert!(
        !diags
            .iter()
            .any(|d| d.rule.contains("untagged") || d.rule.contains("latest")),
        "{diags:?}"
    );
}

#[test]
fn uv_pip_install_is_uv() {
    use skillforge::docker::facts::{Dockerfile, Origin};
    let df = Dockerfile::parse(
        "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.8.15 /uv /bin/uv\nCOPY requirements.txt .\nRUN uv pip install --system -r requirements.txt\nCOPY . .\n",
        Origin::Text,
        None,
    );
    assert!(df.uses_uv());
    assert_eq!(df.deps_before_source(), Some(true));
    let df = Dockerfile::parse(
        "FROM python:3.12-slim\nRUN pip install uv\nCOPY requirements.txt .\nRUN uv pip install --system -r requirements.txt\n",
        Origin::Text,
        None,
    );
    assert!(df.uses_uv());
}

// 6. Gaming: bare terms are not guidance.
/// The generated skill with every piece of debugging guidance removed: the SKILL.md
/// section and the debugging reference.
fn without_debugging() -> (tempfile::TempDir, PathBuf) {
    let (t, dir) = generated();
    edit(&dir.join("SKILL.md"), |s| {
        replace_section(s, "## Debugging", None)
    });
    std::fs::remove_file(dir.join("references/debugging-and-lifecycle.md")).unwrap();
    (t, dir)
}

#[test]
fn backticked_terms_do_not_raise_the_debugging_lesson() {
    let lib = lib();
    let (_t, dir) = without_debugging();
    let base = lesson(&lib, "skill-first", 4, &dir);
    assert!(base < 0.5, "without debugging guidance lesson 4 is {base}");
    for terms in [
        "`docker logs` `docker exec` `docker inspect` `--restart` `exit code 137` `OOMKilled`",
        "`docker logs --tail 50` `docker exec -it` `docker inspect --format '{{.State.ExitCode}}'` `--restart unless-stopped` `on-failure` `RestartCount` `-p 8001:8000`",
        "- `docker logs -f`\n- `docker exec -it`\n- `{{.State.ExitCode}}`\n- `--restart on-failure`\n- `unless-stopped`",
    ] {
        edit(&dir.join("SKILL.md"), |s| {
            let s = replace_section(s, "## Debugging", None);
            s.replacen(
                "## Test scenarios",
                &format!("## Debugging\n\n{terms}\n\n## Test scenarios"),
                1,
            )
        });
        let gamed = lesson(&lib, "skill-first", 4, &dir);
        assert!(
            gamed <= base + 1e-9 && gamed < 0.5,
            "gaming raised lesson 4 from {base} to {gamed} with {terms}"
        );
        let cx = skillforge::lint::Ctx::new(skillforge::lint::Config::default());
        let diags = skillforge::lint::lint_skill(&cx, &Skill::load(&dir).unwrap());
        assert!(
            diags.iter().any(|d| d.rule == "SF-body-keyword-stuffing"),
            "lint missed {terms}"
        );
    }
}

#[test]
fn a_bare_priority_list_is_not_a_persona() {
    let lib = lib();
    let (_t, dir) = generated();
    edit(&dir.join("SKILL.md"), |s| {
        replace_section(s, "## Persona", None)
    });
    let base = lesson(&lib, "skill-first", 7, &dir);
    for list in [
        "security, size, build speed, operability",
        "Priorities: security, size, build speed, operability.",
        "- security\n- size\n- build speed\n- operability",
    ] {
        edit(&dir.join("SKILL.md"), |s| {
            let s = replace_section(s, "## Persona", None);
            s.replacen(
                "## Analysis questions",
                &format!("## Persona\n\n{list}\n\n## Analysis questions"),
                1,
            )
        });
        let gamed = lesson(&lib, "skill-first", 7, &dir);
        assert!(
            gamed < 0.8 && gamed <= base + 0.06,
            "a bare list raised lesson 7 from {base} to {gamed}: {list}"
        );
    }
}

// 7. Wrong advice loses the assertions it contradicts.
#[test]
fn wrong_advice_loses_what_it_contradicts() {
    let lib = lib();
    let good = format!(
        "# Docker\n\n## Principles\n\n- Mount model files from a volume, because a 4 GB layer makes every push and pull slow.\n\n```dockerfile\n{GOOD_DOCKERFILE}```\n"
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = skill(tmp.path(), &[("SKILL.md", &good)]);
    let cases = [
        (
            "first-dockerfile",
            "Starts from a pinned slim Python base",
            "For a quick start use `FROM python:latest`; pinning can come later.\n",
        ),
        (
            "hardening",
            "Creates an unprivileged user",
            "Run the container as root for simplicity; permissions get in the way.\n",
        ),
        (
            "multistage",
            "Advises against baking large model files",
            "Copy the 4 GB model into the image so everything ships together:\n\n```dockerfile\nFROM python:3.12-slim\nCOPY models/model.safetensors /models/\n```\n",
        ),
    ];
    for (topic, text, wrong) in cases {
        assert!(passes(&lib, topic, text, &dir), "good skill: {text}");
        let tmp2 = tempfile::tempdir().unwrap();
        let bad = format!("{good}\n## Tips\n\n{wrong}");
        let dir2 = skill(tmp2.path(), &[("SKILL.md", &bad)]);
        assert!(
            !passes(&lib, topic, text, &dir2),
            "wrong advice kept: {text}"
        );
    }
    // Warning against the same thing is right advice.
    let tmp3 = tempfile::tempdir().unwrap();
    let warned = format!(
        "{good}\n## Pitfalls\n\nNever use `python:latest`: builds drift. Do not run as root for simplicity.\n\nAvoid this:\n\n```dockerfile\nFROM python:latest\nCOPY model.bin /models/\n```\n"
    );
    let dir3 = skill(tmp3.path(), &[("SKILL.md", &warned)]);
    for (topic, text, _) in cases {
        assert!(
            passes(&lib, topic, text, &dir3),
            "warning counted as advice: {text}"
        );
    }
}

// 8. Dotfiles are part of the skill.
#[test]
fn dotfiles_are_in_the_skill_model() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = skill(
        tmp.path(),
        &[
            (
                "SKILL.md",
                "# Docker\n\nCopy [the ignore file](resources/.dockerignore) and [the env example](resources/.env.example).\n",
            ),
            ("resources/.dockerignore", ".venv\n.git\n"),
            ("resources/.env.example", "API_KEY=\n"),
            (".git/config", "[core]\n"),
        ],
    );
    let s = Skill::load(&dir).unwrap();
    let rels: Vec<&str> = s.files.iter().map(|f| f.rel.as_str()).collect();
    assert!(rels.contains(&"resources/.dockerignore"), "{rels:?}");
    assert!(rels.contains(&"resources/.env.example"), "{rels:?}");
    assert!(!rels.iter().any(|r| r.starts_with(".git/")), "{rels:?}");
    let cx = skillforge::lint::Ctx::new(skillforge::lint::Config::default());
    let diags = skillforge::lint::lint_skill(&cx, &s);
    assert!(
        !diags.iter().any(|d| d.rule == "SF-link-broken"),
        "{diags:?}"
    );
}

// The same judge works on a model's answer.
#[test]
fn answer_subjects_use_the_same_rules() {
    let lib = lib();
    let ans = format!(
        "Here is the Dockerfile:\n\n```dockerfile\nARG PY=3.12\n{}```\n",
        GOOD_DOCKERFILE.replace("FROM python:3.12-slim", "FROM python:${PY}-slim")
    );
    let s = Subject::from_answer(&ans);
    assert!(
        check(
            &lib,
            "multistage",
            "The runtime stage starts from a small pinned base"
        )
        .eval(&s)
        .passed
    );
    let gamed = Subject::from_answer("`docker logs` `docker exec` `docker inspect` `OOMKilled`\n");
    assert!(
        !check(&lib, "debugging", "Opens a shell or runs a command")
            .eval(&gamed)
            .passed
    );
}

// Plain feedback: a hint asks for the missing content, not for a section the skill may
// already have ("Add a Debugging section" shown to a skill whose Debugging section only
// lacks one command).
#[test]
fn hints_ask_for_content_not_for_sections() {
    let lib = lib();
    let re = regex::Regex::new(r"(?i)^(add|create) an? [\w -]+ section\b").unwrap();
    for t in lib.topics.values() {
        for p in &t.prompts {
            for a in &p.assertions {
                if let Some(h) = &a.hint {
                    assert!(!re.is_match(h), "{}/{}: {h}", t.id, p.id);
                }
            }
        }
    }
}
