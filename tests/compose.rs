//! Compose checks: schema validation against the official Compose schema (the copy in
//! ../shared/data; skipped with a message when absent), typo hints, semantic checks,
//! and findings at the right lines of SKILL.md blocks and compose files.

use skillforge::docker::compose::{ComposeDoc, check_compose, compile_schema};
use skillforge::docker::{Origin, compose_files_in};
use skillforge::lint::{Config, Ctx, lint_skill};
use skillforge::report::Diagnostic;
use skillforge::skill::Skill;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/compose")
            .join(name),
    )
    .expect("fixture")
}

fn schema_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/compose-spec.json")
}

/// A Ctx with the shared schema, or None (and a printed SKIP) when it is absent.
fn ctx_with_schema() -> Option<Ctx> {
    let p = schema_path();
    let Ok(bytes) = std::fs::read(&p) else {
        println!(
            "SKIPPED: Compose schema not found at {} (the shared data dir is absent)",
            p.display()
        );
        return None;
    };
    let mut cx = Ctx::new(Config::default());
    cx.set_compose_schema(Some(
        compile_schema(&bytes).expect("official schema compiles"),
    ));
    Some(cx)
}

fn skill_of(dir: &Path) -> Skill {
    Skill::load(dir).expect("skill loads")
}

fn check(cx: &Ctx, text: &str) -> Vec<(&'static str, usize, String, Option<String>)> {
    let tmp = tempfile::tempdir().unwrap();
    let skill = Skill::from_text(tmp.path(), "---\nname: x\ndescription: y\n---\n");
    let d = ComposeDoc::parse(text, Origin::Text, None);
    check_compose(cx, &skill, &d)
        .into_iter()
        .map(|(id, h)| (id, h.span.line, h.message, h.hint))
        .collect()
}

fn has(found: &[(&str, usize, String, Option<String>)], id: &str, line: usize) -> bool {
    found.iter().any(|(i, l, _, _)| *i == id && *l == line)
}

#[test]
fn good_file_is_clean_with_schema() {
    let Some(cx) = ctx_with_schema() else { return };
    let found = check(&cx, &fixture("good.compose.yaml"));
    assert!(found.is_empty(), "{found:#?}");
    let found = check(&cx, &fixture("merge-healthcheck.compose.yaml"));
    assert!(found.is_empty(), "merge keys must be resolved: {found:#?}");
}

#[test]
fn bad_file_schema_errors_have_lines_and_hints() {
    let Some(cx) = ctx_with_schema() else { return };
    let found = check(&cx, &fixture("bad.compose.yaml"));
    println!("{found:#?}");
    let typo = found
        .iter()
        .find(|(i, _, m, _)| *i == "SF-compose-schema" && m.contains("helthcheck"))
        .unwrap_or_else(|| panic!("no helthcheck error: {found:#?}"));
    assert_eq!(typo.1, 4);
    assert_eq!(typo.3.as_deref(), Some("did you mean `healthcheck`?"));
    // depends_on is a `oneOf` (list or map): the error comes from the map form the file
    // uses, at the condition's own line, not as "no allowed form" at `depends_on`
    let cond = found
        .iter()
        .find(|(i, _, m, _)| *i == "SF-compose-schema" && m.contains("service_healty"))
        .unwrap_or_else(|| panic!("no condition error: {found:#?}"));
    assert_eq!(cond.1, 8, "{cond:?}");
    assert!(
        cond.2.contains("/services/web/depends_on/api/condition"),
        "{cond:?}"
    );
    assert!(
        cond.3
            .as_deref()
            .is_some_and(|h| h.contains("service_healthy")),
        "{cond:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(_, _, m, _)| m.contains("does not match any allowed form")),
        "{found:#?}"
    );
}

#[test]
fn one_of_errors_descend_to_the_intended_form() {
    let Some(cx) = ctx_with_schema() else { return };
    // a long-syntax port with a wrong type inside: reported at `target`, line 6
    let text = "services:\n  api:\n    image: python:3.12-slim\n    ports:\n      - published: 8000\n        target: [8000]\n";
    let found = check(&cx, text);
    let hit = found
        .iter()
        .find(|(i, ..)| *i == "SF-compose-schema")
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(hit.1, 6, "{found:#?}");
    assert!(hit.2.contains("/services/api/ports/0/target"), "{hit:?}");
    // a value that matches no form at all keeps the coarse message at its own line
    let text = "services:\n  api:\n    image: python:3.12-slim\n    healthcheck:\n      test: 5\n";
    let found = check(&cx, text);
    let hit = found
        .iter()
        .find(|(i, ..)| *i == "SF-compose-schema")
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(hit.1, 5, "{found:#?}");
}

#[test]
fn semantic_checks_fire_without_schema() {
    let cx = Ctx::new(Config::default());
    let found = check(&cx, &fixture("bad.compose.yaml"));
    let expect = [
        ("SF-compose-depends-on", 8),  // condition: service_healty
        ("SF-compose-depends-on", 9),  // cache: unknown service
        ("SF-compose-undeclared", 12), // volume static
        ("SF-compose-undeclared", 14), // network front
        ("SF-compose-undeclared", 21), // secret api_key
        ("SF-compose-healthy-without-healthcheck", 26),
        ("SF-compose-plaintext-secret", 18),
    ];
    for (id, line) in expect {
        assert!(has(&found, id, line), "missing {id} at {line}: {found:#?}");
    }
    assert!(
        !found.iter().any(|(i, ..)| *i == "SF-compose-schema"),
        "schema rule must be skipped without a schema"
    );
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    // hints
    let cond = found
        .iter()
        .find(|f| f.0 == "SF-compose-depends-on" && f.1 == 8)
        .unwrap();
    assert_eq!(cond.3.as_deref(), Some("did you mean `service_healthy`?"));
    // the good file is clean semantically too
    assert!(check(&cx, &fixture("good.compose.yaml")).is_empty());
}

#[test]
fn yaml_errors_are_located() {
    let cx = Ctx::new(Config::default());
    let found = check(
        &cx,
        "services:\n  web:\n    image: [unclosed\n    ports: x\n",
    );
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "SF-compose-parse");
    assert!(found[0].1 >= 3);
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn compose_diags(d: &[Diagnostic]) -> Vec<(String, String, usize)> {
    d.iter()
        .filter(|d| d.rule.starts_with("SF-compose"))
        .map(|d| {
            (
                d.rule.clone(),
                d.file.file_name().unwrap().to_string_lossy().into_owned(),
                d.line().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn findings_land_on_skill_md_lines_and_template_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("compose-skill");
    let md = "---\nname: compose-skill\ndescription: Use when writing compose files.\n---\n\n# Compose\n\n- Example:\n\n  ```yaml {title=compose.yaml}\n  services:\n    web:\n      image: nginx:1.27\n      depends_on: [db]\n  ```\n\nNot compose:\n\n```yaml\non: push\njobs: {}\n```\n";
    write(&dir, "SKILL.md", md);
    write(
        &dir,
        "templates/compose.yaml",
        "services:\n  app:\n    image: a:1\n    networks: [missing]\n",
    );
    write(
        &dir,
        "templates/other.yaml",
        "services:\n  x:\n    depends_on: [nope]\n",
    );
    let skill = skill_of(&dir);
    assert_eq!(compose_files_in(&skill).len(), 2);
    let cx = Ctx::new(Config::default());
    let got = compose_diags(&lint_skill(&cx, &skill));
    assert!(
        got.contains(&("SF-compose-depends-on".into(), "SKILL.md".into(), 14)),
        "{got:?}"
    );
    assert!(
        got.contains(&("SF-compose-undeclared".into(), "compose.yaml".into(), 4)),
        "{got:?}"
    );
    assert_eq!(got.len(), 2, "{got:?}");
    // the span of the SKILL.md finding starts at the key, inside the indented block
    let d = lint_skill(&cx, &skill);
    let dep = d
        .iter()
        .find(|d| d.rule == "SF-compose-depends-on")
        .unwrap();
    let span = dep.span.unwrap();
    assert_eq!(
        &md[span.offset..span.offset + "depends_on".len()],
        "depends_on"
    );
}

#[test]
fn allow_list_turns_compose_rules_off() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    write(&dir, "SKILL.md", "---\nname: s\ndescription: d\n---\n");
    write(
        &dir,
        "compose.yml",
        "services:\n  a:\n    image: a:1\n    environment:\n      DB_PASSWORD: hunter2\n",
    );
    let skill = skill_of(&dir);
    let cx = Ctx::new(Config::default());
    assert_eq!(compose_diags(&lint_skill(&cx, &skill)).len(), 1);
    let cfg = Config::parse(
        "[docker]\nallow = [\"SF-compose-plaintext-secret\"]\n",
        Path::new("skillforge.toml"),
    )
    .unwrap();
    let cx = Ctx::new(cfg);
    assert!(compose_diags(&lint_skill(&cx, &skill)).is_empty());
}

#[test]
fn schema_loader_reports_missing_and_env_override() {
    // SKILLFORGE_COMPOSE_SCHEMA pointing to a missing file → a note, no validator.
    // (Env vars are process-wide: this is the only test in this binary that sets them.)
    unsafe {
        std::env::set_var(
            "SKILLFORGE_COMPOSE_SCHEMA",
            "/nonexistent/compose-spec.json",
        );
    }
    let (v, note) = skillforge::docker::load_compose_schema();
    assert!(v.is_none());
    assert!(note.unwrap().contains("schema check skipped"));
    if schema_path().exists() {
        unsafe {
            std::env::set_var("SKILLFORGE_COMPOSE_SCHEMA", schema_path());
        }
        let (v, note) = skillforge::docker::load_compose_schema();
        assert!(v.is_some(), "{note:?}");
    }
    // an empty cache dir → the "run skillforge fetch" note
    let tmp = tempfile::tempdir().unwrap();
    unsafe {
        std::env::remove_var("SKILLFORGE_COMPOSE_SCHEMA");
        std::env::set_var("SKILLFORGE_CACHE_DIR", tmp.path());
    }
    let (v, note) = skillforge::docker::load_compose_schema();
    assert!(v.is_none());
    assert_eq!(
        note.as_deref(),
        Some("Compose schema not in cache: run `skillforge fetch` — schema check skipped")
    );
}

#[test]
fn non_ascii_yaml_errors_are_located_on_boundaries() {
    let cx = Ctx::new(Config::default());
    let text = "services:\n  wéb:\n    image: \"café\n    ports: [\n";
    let d = ComposeDoc::parse(text, Origin::Text, None);
    let p = d.parse_error.as_ref().expect("parse error");
    assert!(text.is_char_boundary(p.span.offset));
    assert!(text.is_char_boundary(p.span.offset + p.span.len));
    assert_eq!(check(&cx, text).len(), 1);
}
