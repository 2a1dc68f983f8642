//! `skillforge lint` end to end: discovery, formats, exit codes, config.

use assert_cmd::Command;
use std::path::Path;

fn bin() -> Command {
    let mut c = Command::cargo_bin("skillforge").expect("binary built");
    c.env_remove("NO_COLOR");
    c
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const GOOD: &str = "---\nname: good-skill\ndescription: Reviews pull requests for missing tests. Use when the user asks for a review of a change or a PR.\n---\n\n# Good skill\n\nRead the diff, list untested branches, and suggest one test per branch.\n";

fn good(root: &Path, name: &str) {
    write(
        &root.join(name).join("SKILL.md"),
        &GOOD.replace("good-skill", name),
    );
}

#[test]
fn clean_skill_exits_zero_with_summary() {
    let t = tempfile::tempdir().unwrap();
    good(t.path(), "good-skill");
    let out = bin().arg("lint").arg(t.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("1 skill checked: 0 errors"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn name_mismatch_is_an_error_at_the_right_line() {
    let t = tempfile::tempdir().unwrap();
    write(
        &t.path().join("skills/actual-dir/SKILL.md"),
        &GOOD.replace("good-skill", "other-name"),
    );
    let out = bin().arg("lint").arg(t.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("error[SF-name-matches-dir]"), "{stdout}");
    assert!(stdout.contains("SKILL.md:2:"), "{stdout}");
    assert!(stdout.contains("2 | name: other-name"), "{stdout}");
    assert!(stdout.contains('^'), "{stdout}");

    let out = bin()
        .args(["lint", "--format", "json"])
        .arg(t.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "SF-name-matches-dir")
        .expect("diagnostic in json");
    assert_eq!(d["line"], 2);
    assert!(v["summary"]["errors"].as_u64().unwrap() >= 1);

    let out = bin()
        .args(["lint", "--format", "github"])
        .arg(t.path())
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.lines().any(|l| l.starts_with("::error file=")
            && l.contains("line=2")
            && l.contains("title=SF-name-matches-dir")),
        "{s}"
    );
}

#[test]
fn usage_and_input_errors_exit_two() {
    let out = bin()
        .args(["lint", "/definitely/not/here"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no such file or directory"), "{err}");

    let t = tempfile::tempdir().unwrap();
    let out = bin().arg("lint").arg(t.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no skills found"));

    let out = bin()
        .args(["lint", "--explain", "SF-no-such-rule"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let out = bin().args(["lint", "--format", "yaml"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn explain_and_list_rules() {
    let out = bin()
        .args(["lint", "--explain", "SF-name-matches-dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("SF-name-matches-dir"));
    let out = bin().args(["lint", "--list-rules"]).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.lines().count() > 30, "{s}");
}

#[test]
fn profiles_from_flag_and_config() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path();
    std::fs::create_dir(root.join(".git")).unwrap();
    write(
        &root.join(".claude/skills/extra-field/SKILL.md"),
        &GOOD
            .replace("good-skill", "extra-field")
            .replace("---\n\n#", "color: blue\n---\n\n#"),
    );
    // default profile: unknown field is a warning → exit 0, but 1 with --deny-warnings
    let out = bin().arg("lint").arg(root).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("warning[SF-unknown-field]"));
    let out = bin()
        .args(["lint", "--deny-warnings"])
        .arg(root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = bin()
        .args(["lint", "--profile", "strict"])
        .arg(root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // the same through skillforge.toml at the repo root
    write(
        &root.join("skillforge.toml"),
        "[lint]\nprofile = \"strict\"\n",
    );
    let out = bin()
        .arg("lint")
        .arg(root.join(".claude/skills"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // per-rule severity off
    write(
        &root.join("skillforge.toml"),
        "[lint]\nprofile = \"strict\"\n[lint.rules]\nSF-unknown-field = \"off\"\n",
    );
    let out = bin().arg("lint").arg(root).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // a broken config is an input error with its line
    write(&root.join("skillforge.toml"), "[lint]\nprofile = 3\n");
    let out = bin().arg("lint").arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("skillforge.toml:2"));
}

#[test]
fn non_utf8_skill_is_reported_not_panicked() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("bad-bytes");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("SKILL.md"),
        b"---\nname: bad-bytes\ndescription: x\xff\n---\n",
    )
    .unwrap();
    let out = bin().arg("lint").arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("not valid UTF-8"), "{s}");
    assert!(s.contains(":3:"), "{s}");
}

#[test]
fn help_and_version() {
    let out = bin().arg("--version").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("skillforge "));
    for sub in ["new", "test", "lessons", "lint", "fetch"] {
        let out = bin().args([sub, "--help"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{sub} --help");
        assert!(out.stdout.len() > 200, "{sub} --help is substantial");
    }
}
