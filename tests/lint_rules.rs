//! Data-driven rule tests over `tests/fixtures/`.
//!
//! Every directory under `tests/fixtures/broken/` is one case: a skill directory (named
//! so that the name rules behave as intended), or — when it holds no SKILL.md but has
//! subdirectories — a tree of skills for the collection rules. Beside it,
//! `expected.txt` lists every diagnostic lint must report, one per line, as
//! `RULE-ID FILE[:LINE]` (FILE relative to the case directory, `.` for the directory
//! itself). A `profile: strict|claude-code` line selects the profile. The comparison is
//! exact (a multiset): a missing diagnostic and an unexpected one both fail.
//!
//! Every skill under `tests/fixtures/good/` must lint clean (no diagnostic at all).

use skillforge::lint::rules::{RULES, load_error_diagnostic};
use skillforge::lint::{Config, Ctx, Profile, lint_skill, lint_tree};
use skillforge::report::{Diagnostic, Severity};
use skillforge::skill::Skill;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// Lints a case: one skill, or (no SKILL.md at the root) every skill below it.
fn lint_case(dir: &Path, cx: &Ctx) -> Vec<Diagnostic> {
    let has_skill_file = dir.join("SKILL.md").exists() || dir.join("skill.md").exists();
    let roots = if has_skill_file || subdirs(dir).is_empty() {
        vec![dir.to_path_buf()]
    } else {
        subdirs(dir)
    };
    let mut out = Vec::new();
    let mut skills = Vec::new();
    for r in roots {
        match Skill::load(&r) {
            Ok(s) => {
                out.extend(lint_skill(cx, &s));
                skills.push(s);
            }
            Err(e) => out.push(load_error_diagnostic(&e)),
        }
    }
    out.extend(lint_tree(cx, &skills));
    out
}

fn key(case: &Path, d: &Diagnostic) -> String {
    let rel = d
        .file
        .strip_prefix(case)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| d.file.display().to_string());
    let rel = if rel.is_empty() { ".".to_string() } else { rel };
    match d.line() {
        Some(l) => format!("{} {rel}:{l}", d.rule),
        None => format!("{} {rel}", d.rule),
    }
}

struct Expected {
    profile: Profile,
    entries: Vec<String>,
}

fn read_expected(case: &Path) -> Expected {
    let text = std::fs::read_to_string(case.join("expected.txt"))
        .unwrap_or_else(|_| panic!("{} has no expected.txt", case.display()));
    let mut profile = Profile::Default;
    let mut entries = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(p) = line.strip_prefix("profile:") {
            profile = match p.trim() {
                "strict" => Profile::Strict,
                "claude-code" => Profile::ClaudeCode,
                "default" => Profile::Default,
                other => panic!("{}: unknown profile {other}", case.display()),
            };
            continue;
        }
        entries.push(line.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    Expected { profile, entries }
}

#[test]
fn broken_fixtures_report_exactly_the_expected_diagnostics() {
    let cases = subdirs(&fixtures().join("broken"));
    assert!(cases.len() >= 30, "only {} broken fixtures", cases.len());
    let mut failures = Vec::new();
    let mut fired: BTreeSet<String> = BTreeSet::new();
    for case in &cases {
        let exp = read_expected(case);
        let cx = Ctx::new(Config {
            profile: exp.profile,
            ..Config::default()
        });
        let diags = lint_case(case, &cx);
        let mut got: Vec<String> = diags.iter().map(|d| key(case, d)).collect();
        got.sort();
        let mut want = exp.entries.clone();
        want.sort();
        if got != want {
            failures.push(format!(
                "{}:\n  expected {want:?}\n  got      {got:?}",
                case.file_name().unwrap().to_string_lossy()
            ));
        }
        for d in &diags {
            fired.insert(d.rule.clone());
            assert!(d.hint.is_some(), "{} has no hint: {d:?}", d.rule);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The fixtures cover every rule, except loading failures that cannot be stored in a
    // repository (missing path, unreadable file, 5 MB file), covered by unit tests.
    let untestable = ["SF-path-not-dir", "SF-unreadable", "SF-too-large"];
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !untestable.contains(id) && !fired.contains(*id))
        .collect();
    assert!(missing.is_empty(), "no fixture fires {missing:?}");
}

#[test]
fn strict_profile_turns_unknown_fields_into_errors() {
    let case = fixtures().join("broken/unknown-field");
    let strict = Ctx::new(Config {
        profile: Profile::Strict,
        ..Config::default()
    });
    let d = lint_case(&case, &strict);
    assert_eq!(
        d.iter()
            .filter(|d| d.rule == "SF-unknown-field" && d.severity == Severity::Error)
            .count(),
        2
    );
    let cc = Ctx::new(Config {
        profile: Profile::ClaudeCode,
        ..Config::default()
    });
    // `user-invocable` is accepted under claude-code; `version` still warns.
    let d = lint_case(&case, &cc);
    let lines: Vec<Option<usize>> = d
        .iter()
        .filter(|d| d.rule == "SF-unknown-field")
        .map(Diagnostic::line)
        .collect();
    assert_eq!(lines, vec![Some(4)]);
}

#[test]
fn good_fixtures_are_clean_in_every_profile() {
    let good = subdirs(&fixtures().join("good"));
    assert!(good.len() >= 2);
    for profile in [Profile::Default, Profile::ClaudeCode, Profile::Strict] {
        let cx = Ctx::new(Config {
            profile,
            ..Config::default()
        });
        let mut skills = Vec::new();
        for dir in &good {
            let s = Skill::load(dir).unwrap_or_else(|e| panic!("{e}"));
            let d = lint_skill(&cx, &s);
            assert!(d.is_empty(), "{} ({profile:?}): {d:#?}", dir.display());
            skills.push(s);
        }
        let d = lint_tree(&cx, &skills);
        assert!(d.is_empty(), "{d:#?}");
    }
}
