//! Dockerfile rules through the lint engine: findings at the right lines of SKILL.md
//! code blocks (with attributes, inside lists) and of template Dockerfiles, fragments,
//! `# check=skip=…`, the `[docker] allow` list, and the facts API.

use skillforge::docker::{ImageFamily, dockerfiles_in, parse_dockerfile_text};
use skillforge::lint::{Config, Ctx, find_rule, lint_skill, registry};
use skillforge::report::Diagnostic;
use skillforge::skill::Skill;
use std::path::Path;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn docker_diags(d: &[Diagnostic]) -> Vec<(String, String, usize)> {
    let mut v: Vec<_> = d
        .iter()
        .filter(|d| d.rule.starts_with("SF-docker"))
        .map(|d| {
            (
                d.rule.clone(),
                d.file.file_name().unwrap().to_string_lossy().into_owned(),
                d.line().unwrap_or(0),
            )
        })
        .collect();
    v.sort();
    v
}

const SKILL_MD: &str = r#"---
name: docker-skill
description: Use when containerising a Python service.
---

# Docker

Build it like this:

```dockerfile {title=Dockerfile}
FROM python:latest
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt
CMD python app.py
```

1. Add a health check:

   ```Dockerfile
   HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1
   ```

2. Never do this:

   ```dockerfile
   WORKDIR app
   ```

```dockerfile
# check=skip=JSONArgsRecommended,DL3007
FROM python:latest
CMD python app.py
```
"#;

fn skill_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("docker-skill");
    write(&dir, "SKILL.md", SKILL_MD);
    write(
        &dir,
        "templates/Dockerfile.prod",
        "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\nUSER app\n",
    );
    write(&dir, "templates/api.Dockerfile", "FROM node\nUSER node\n");
    write(&dir, "references/notes.md", "FROM python\n");
    (tmp, dir)
}

#[test]
fn findings_land_on_skill_md_and_template_lines() {
    let (_tmp, dir) = skill_dir();
    let skill = Skill::load(&dir).unwrap();
    let dfs = dockerfiles_in(&skill);
    assert_eq!(dfs.len(), 6, "4 blocks + 2 template files");
    assert!(dfs[1].fragment && dfs[2].fragment && !dfs[0].fragment);
    let got = docker_diags(&lint_skill(&Ctx::new(Config::default()), &skill));
    let want: Vec<(String, String, usize)> = [
        // first block: FROM is line 11 of SKILL.md
        ("SF-docker-latest-tag", "SKILL.md", 11),
        ("SF-docker-no-healthcheck", "SKILL.md", 11),
        ("SF-docker-no-user", "SKILL.md", 11),
        ("SF-docker-shell-form-cmd", "SKILL.md", 15),
        ("SF-docker-source-before-deps", "SKILL.md", 13),
        // fragment inside a list item: only fragment rules (relative WORKDIR)
        ("SF-docker-relative-workdir", "SKILL.md", 27),
        // last block: DL3007 and JSONArgsRecommended skipped by the directive
        ("SF-docker-no-healthcheck", "SKILL.md", 32),
        ("SF-docker-no-user", "SKILL.md", 32),
        // templates
        ("SF-docker-apt-lists", "Dockerfile.prod", 2),
        ("SF-docker-untagged-base", "api.Dockerfile", 1),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), *c))
    .collect();
    let mut want = want;
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn spans_point_at_the_instruction_text() {
    let (_tmp, dir) = skill_dir();
    let skill = Skill::load(&dir).unwrap();
    let d = lint_skill(&Ctx::new(Config::default()), &skill);
    let wd = d
        .iter()
        .find(|d| d.rule == "SF-docker-relative-workdir")
        .unwrap();
    let s = wd.span.unwrap();
    assert_eq!(&SKILL_MD[s.offset..s.offset + s.len], "WORKDIR app");
    assert_eq!(s.col, 4);
    let shell = d
        .iter()
        .find(|d| d.rule == "SF-docker-shell-form-cmd")
        .unwrap();
    assert_eq!(
        shell.hint.as_deref(),
        Some("use the exec form: CMD [\"python\", \"app.py\"]")
    );
}

#[test]
fn allow_list_by_our_id_or_peer_id() {
    let (_tmp, dir) = skill_dir();
    let skill = Skill::load(&dir).unwrap();
    let cfg = Config::parse(
        "[docker]\nallow = [\"DL3007\", \"SF-docker-no-user\", \"DS-0026\"]\n",
        Path::new("skillforge.toml"),
    )
    .unwrap();
    let got = docker_diags(&lint_skill(&Ctx::new(cfg), &skill));
    assert!(!got.iter().any(|g| g.0 == "SF-docker-latest-tag"));
    assert!(!got.iter().any(|g| g.0 == "SF-docker-no-user"));
    assert!(!got.iter().any(|g| g.0 == "SF-docker-no-healthcheck"));
    assert!(got.iter().any(|g| g.0 == "SF-docker-shell-form-cmd"));
}

#[test]
fn unparsable_block_is_reported_and_other_rules_skip_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    write(
        &dir,
        "SKILL.md",
        "---\nname: p\ndescription: d\n---\n\n```dockerfile\nFROM python\n...\nCMD x\n```\n",
    );
    let skill = Skill::load(&dir).unwrap();
    let got = docker_diags(&lint_skill(&Ctx::new(Config::default()), &skill));
    assert_eq!(
        got,
        vec![("SF-docker-parse".to_string(), "SKILL.md".to_string(), 8)]
    );
}

#[test]
fn every_docker_rule_is_registered_explained_and_findable_by_peer() {
    let reg = registry();
    for r in skillforge::docker::rules::RULES
        .iter()
        .chain(skillforge::docker::compose::RULES)
    {
        assert!(reg.iter().any(|x| x.id == r.id), "{} not registered", r.id);
        assert!(!r.summary.is_empty() && r.explain.len() > 40);
    }
    assert_eq!(
        find_rule("DL3007").map(|r| r.id),
        Some("SF-docker-latest-tag")
    );
    assert_eq!(
        find_rule("DL4006").map(|r| r.id),
        Some("SF-docker-pipefail")
    );
}

#[test]
fn facts_api_answers_eval_questions() {
    let good = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/dockerfiles/01-good-uv-multistage.Dockerfile"),
    )
    .unwrap();
    let df = parse_dockerfile_text(&good);
    assert_eq!(df.stage_count(), 3);
    assert!(df.copies_from_stage());
    assert!(df.final_user_non_root());
    assert!(df.has_healthcheck());
    assert!(df.exec_form_cmd());
    assert_eq!(df.base_family(), Some(ImageFamily::Slim));
    assert!(df.pinned_base());
    assert!(df.uses_uv());
    assert!(df.uv_locked());
    assert!(df.has_cache_mount());
    assert_eq!(df.deps_before_source(), Some(true));
    assert!(df.secret_env_keys().is_empty());
    assert!(df.copy_chown());
    assert!(df.exposes("8000"));
    assert!(df.has_env("UV_LINK_MODE"));

    let bad = parse_dockerfile_text(
        "FROM python:latest\nCOPY . .\nRUN uv sync\nENV API_TOKEN=x\nCMD python app.py\n",
    );
    assert_eq!(bad.stage_count(), 1);
    assert!(!bad.copies_from_stage());
    assert!(!bad.final_user_non_root());
    assert!(!bad.has_healthcheck());
    assert!(!bad.exec_form_cmd());
    assert_eq!(bad.base_family(), Some(ImageFamily::Full));
    assert!(!bad.pinned_base());
    assert!(bad.uses_uv());
    assert!(!bad.uv_locked());
    assert!(!bad.has_cache_mount());
    assert_eq!(bad.deps_before_source(), Some(false));
    assert_eq!(bad.secret_env_keys().len(), 1);
    assert!(!bad.exposes("8000"));

    let frag = parse_dockerfile_text("HEALTHCHECK CMD curl -f http://localhost/\n");
    assert!(frag.fragment);
    assert_eq!(frag.stage_count(), 0);
    assert!(frag.has_healthcheck());
    assert_eq!(frag.base_family(), None);

    let alpine = parse_dockerfile_text("FROM node:22-alpine AS b\nFROM b\nUSER node\n");
    assert_eq!(alpine.base_family(), Some(ImageFamily::Alpine));
    assert!(alpine.final_user_non_root());
    let dhi = parse_dockerfile_text("FROM dhi.io/python:3.13\n");
    assert_eq!(dhi.base_family(), Some(ImageFamily::Dhi));
    let dl = parse_dockerfile_text("FROM gcr.io/distroless/python3-debian12:nonroot\n");
    assert_eq!(dl.base_family(), Some(ImageFamily::Distroless));
}

#[test]
fn heredoc_run_and_package_calls_are_seen() {
    let df = parse_dockerfile_text(
        "# syntax=docker/dockerfile:1\nFROM debian:12\nRUN <<EOT\napt-get update\napt-get install curl\nEOT\n",
    );
    let runs: Vec<_> = df.runs().collect();
    assert_eq!(runs.len(), 1);
    let r = runs[0].2;
    assert_eq!(r.heredocs.len(), 1);
    assert_eq!(r.packages.len(), 2);
    let got: Vec<&str> = skillforge::docker::rules::check_dockerfile(&df)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    for id in [
        "SF-docker-apt-yes",
        "SF-docker-apt-no-recommends",
        "SF-docker-apt-lists",
    ] {
        assert!(got.contains(&id), "{id} missing: {got:?}");
    }
}

#[test]
fn spans_stay_on_character_boundaries_with_non_ascii_text() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("u");
    let md = "---\nname: u\ndescription: d\n---\n\n- Étape :\n\n  ```dockerfile\n  FROM python:3.12-slim\n  RUN echo \"naïve café\" && cd /tmp\n  ```\n";
    write(&dir, "SKILL.md", md);
    let skill = Skill::load(&dir).unwrap();
    let d = lint_skill(&Ctx::new(Config::default()), &skill);
    let cd = d.iter().find(|d| d.rule == "SF-docker-run-cd").unwrap();
    let s = cd.span.unwrap();
    assert_eq!(s.line, 10);
    assert_eq!(
        &md[s.offset..s.offset + s.len],
        "RUN echo \"naïve café\" && cd /tmp"
    );
}
