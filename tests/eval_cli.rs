//! `skillforge test` and `skillforge lessons` end to end.

use assert_cmd::Command;
use predicates::str::contains;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    let mut c = Command::cargo_bin("skillforge").unwrap();
    c.env("NO_COLOR", "1");
    c
}

fn generated() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = skillforge::blueprint::generate_default(tmp.path()).unwrap();
    (tmp, dir)
}

fn thin(root: &Path) -> PathBuf {
    let dir = root.join("docker-deployment");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("SKILL.md"),
        "---\nname: docker-deployment\ndescription: Docker help.\n---\nYou are a Docker expert. Write good Dockerfiles.\n",
    )
    .unwrap();
    dir
}

#[test]
fn lesson_detail_shows_evidence_and_passes() {
    let (_t, dir) = generated();
    bin()
        .args(["test", "--lesson", "5"])
        .arg(&dir)
        .assert()
        .code(0)
        .stdout(contains("Lesson 5 (skill-first)"))
        .stdout(contains("✓"))
        .stdout(contains("templates/Dockerfile:"))
        .stdout(contains("PASS"));
}

#[test]
fn thin_skill_fails_with_hints_and_doc_urls() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = thin(tmp.path());
    bin()
        .args(["test", "--lesson", "6"])
        .arg(&dir)
        .assert()
        .code(1)
        .stdout(contains("✗"))
        .stdout(contains("hint:"))
        .stdout(contains("docs:    https://docs.docker.com/"))
        .stdout(contains("FAIL"))
        .stdout(contains("\x1b[").not());
}

#[test]
fn all_prints_a_table_for_each_curriculum() {
    let (_t, dir) = generated();
    bin()
        .args(["test", "--all"])
        .arg(&dir)
        .assert()
        .code(0)
        .stdout(contains("lesson  title"))
        .stdout(contains("9 lessons pass."));
    bin()
        .args(["test", "--all", "--curriculum", "full"])
        .arg(&dir)
        .assert()
        .code(0)
        .stdout(contains("14 lessons pass."));
}

#[test]
fn unknown_lesson_lists_valid_ones() {
    let (_t, dir) = generated();
    bin()
        .args(["test", "--lesson", "42"])
        .arg(&dir)
        .assert()
        .code(2)
        .stderr(contains("no lesson 42"))
        .stderr(contains("valid lessons: 0 ("));
    bin()
        .args(["lessons", "--lesson", "15", "--curriculum", "full"])
        .assert()
        .code(2)
        .stderr(contains("14 ("));
}

#[test]
fn missing_skill_and_bad_threshold_are_input_errors() {
    let tmp = tempfile::tempdir().unwrap();
    bin()
        .args(["test", "--lesson", "1"])
        .arg(tmp.path().join("nope"))
        .assert()
        .code(2)
        .stderr(contains("nope"));
    bin()
        .args(["test", "--min-score", "1.5"])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(contains("outside 0–1"));
}

#[test]
fn json_report_has_the_documented_shape() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = thin(tmp.path());
    let out = bin()
        .args(["test", "--lesson", "3", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "skillforge.test/v1");
    assert_eq!(v["curriculum"], "skill-first");
    assert_eq!(v["passed"], false);
    let l = &v["lessons"][0];
    assert_eq!(l["lesson"], 3);
    assert!(l["score"].as_f64().unwrap() <= 0.3);
    let a = &l["prompts"][0]["assertions"][0];
    for k in [
        "text", "weight", "kind", "passed", "evidence", "note", "hint", "doc",
    ] {
        assert!(a.get(k).is_some(), "assertion lacks {k}: {a}");
    }
}

#[test]
fn junit_has_one_testcase_per_assertion() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = thin(tmp.path());
    let out = bin()
        .args(["test", "--lesson", "4", "--format", "junit"])
        .arg(&dir)
        .output()
        .unwrap();
    let x = String::from_utf8(out.stdout).unwrap();
    assert!(x.starts_with("<?xml"));
    let cases = x.matches("<testcase ").count();
    let fails = x.matches("<failure ").count();
    assert!(
        cases >= 3 && fails == cases,
        "{cases} cases, {fails} failures"
    );
}

#[test]
fn user_suite_file_runs_and_bad_suites_are_located() {
    let (_t, dir) = generated();
    let tmp = tempfile::tempdir().unwrap();
    let suite = tmp.path().join("mine.yaml");
    std::fs::write(
        &suite,
        "topic: mine\ntitle: My checks\ndocs: [/build/building/multi-stage/]\nprompts:\n  - id: m1\n    prompt: Make it small\n    assertions:\n      - text: multi-stage template\n        check: { dockerfile: { min_stages: 2 }, scope: templates }\n",
    )
    .unwrap();
    bin()
        .arg("test")
        .arg(&dir)
        .arg("--suite")
        .arg(&suite)
        .assert()
        .code(0)
        .stdout(contains("My checks"));
    std::fs::write(
        &suite,
        "topic: mine\ntitle: My checks\nprompts:\n  - id: m1\n    prompt: x\n    assertions:\n      - text: t\n        check: { any_regex: ['(oops'] }\n",
    )
    .unwrap();
    bin()
        .arg("test")
        .arg(&dir)
        .arg("--suite")
        .arg(&suite)
        .assert()
        .code(2)
        .stderr(contains("mine.yaml:8:"))
        .stderr(contains("invalid regex"));
}

#[test]
fn evals_json_round_trip_and_plain_assertions_are_not_scored() {
    let (_t, dir) = generated();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("evals.json");
    bin()
        .args(["test", "--lesson", "5", "--export-evals"])
        .arg(&out)
        .arg(&dir)
        .assert()
        .code(0);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["skill_name"], "docker-deployment");
    let e = &v["evals"][0];
    assert!(e["prompt"].as_str().unwrap().len() > 10);
    assert!(e["assertions"][0].is_string());
    bin()
        .arg("test")
        .arg(&dir)
        .arg("--import-evals")
        .arg(&out)
        .assert()
        .code(0)
        .stdout(contains("✓"));
    std::fs::write(
        &out,
        r#"{"skill_name":"x","evals":[{"id":1,"prompt":"Shrink my image","expected_output":"smaller","files":[],"assertions":["Uses multi-stage builds",{"text":"has a template","check":{"structure":{"templates_min":1}}}]}]}"#,
    )
    .unwrap();
    bin()
        .arg("test")
        .arg(&dir)
        .arg("--import-evals")
        .arg(&out)
        .assert()
        .code(0)
        .stdout(contains("not machine-checkable"))
        .stdout(contains("1 not machine-checkable"));
}

#[test]
fn lessons_lists_both_curricula() {
    bin()
        .arg("lessons")
        .assert()
        .code(0)
        .stdout(contains("Lesson 0:"))
        .stdout(contains("Lesson 8:"));
    bin()
        .args(["lessons", "--curriculum", "full", "--lesson", "10"])
        .assert()
        .code(0)
        .stdout(contains("Lesson 10:"))
        .stdout(contains("docs: https://"));
}

#[test]
fn lessons_dir_override_with_unknown_topic_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("topics")).unwrap();
    std::fs::write(
        tmp.path().join("skill-first.yaml"),
        "curriculum: skill-first\ntitle: T\nlessons:\n  - lesson: 1\n    title: One\n    topics: [ghost]\n",
    )
    .unwrap();
    bin()
        .arg("lessons")
        .arg("--lessons")
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(contains("skill-first.yaml:4:"))
        .stderr(contains("unknown topic `ghost`"));
}

#[test]
fn default_path_is_the_skills_lab_skill() {
    let (_t, dir) = generated();
    let lab = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(lab.path().join(".git")).unwrap();
    let dest = lab.path().join(".claude/skills/docker-deployment");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    std::fs::rename(&dir, &dest).unwrap();
    let sub = lab.path().join("src");
    std::fs::create_dir_all(&sub).unwrap();
    bin()
        .current_dir(&sub)
        .args(["test", "--lesson", "1"])
        .assert()
        .code(0)
        .stdout(contains(".claude/skills/docker-deployment"));
}

trait NotExt {
    fn not(self) -> predicates::boolean::NotPredicate<predicates::str::ContainsPredicate, str>;
}

impl NotExt for predicates::str::ContainsPredicate {
    fn not(self) -> predicates::boolean::NotPredicate<predicates::str::ContainsPredicate, str> {
        predicates::prelude::PredicateBooleanExt::not(self)
    }
}

#[test]
fn misses_read_like_a_review_and_verbose_shows_the_matcher() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = thin(tmp.path());
    let out = bin()
        .args(["test", "--lesson", "4"])
        .arg(&dir)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("missing: "), "{text}");
    for matcher in [
        "matcher:",
        "none held",
        "wanted;",
        "any_regex",
        "(?m)",
        "\\s",
    ] {
        assert!(
            !text.contains(matcher),
            "`{matcher}` in default output:\n{text}"
        );
    }
    bin()
        .args(["test", "--lesson", "4", "--verbose"])
        .arg(&dir)
        .assert()
        .code(1)
        .stdout(contains("matcher: "))
        .stdout(contains("none held"));
}
