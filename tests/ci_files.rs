//! `skillforge init-ci` output, this repository's `.github/workflows/release.yml` and
//! `.pre-commit-hooks.yaml`: parsed as YAML and checked step by step; the workflows
//! are also validated against SchemaStore's GitHub workflow schema (shipped by the
//! PyPI package `check-jsonschema`, installed by `.ci/run`; SKIPPED when absent).

#[path = "common/schemas.rs"]
mod schemas;

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;
use std::path::Path;

const REPO: &str = "https://example.org/learner/skillforge.git";

fn sf(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("skillforge").unwrap();
    c.current_dir(cwd).env("NO_COLOR", "1");
    c
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn lab() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".git")).unwrap();
    std::fs::create_dir_all(t.path().join(".claude/skills")).unwrap();
    t
}

fn steps(wf: &Value, job: &str) -> Vec<Value> {
    wf["jobs"][job]["steps"].as_array().unwrap().clone()
}

fn validate_workflow(doc: &Value, what: &str) {
    let Some(schema) = schemas::workflow_schema() else {
        eprintln!(
            "SKIPPED: GitHub workflow schema not installed (`pip install check-jsonschema`, as .ci/run does): {what} checked structurally only"
        );
        return;
    };
    let errs = schemas::errors(&schema, doc);
    assert!(errs.is_empty(), "{what} is not a valid workflow: {errs:#?}");
}

#[test]
fn init_ci_workflow_step_by_step() {
    let t = lab();
    sf(t.path())
        .args(["init-ci", "--repo", REPO])
        .assert()
        .success()
        .stdout(contains("wrote .github/workflows/skills.yml"))
        .stdout(contains("wrote .pre-commit-config.yaml"));
    let wf = yaml(&t.path().join(".github/workflows/skills.yml"));
    // Triggers and permissions.
    assert!(wf["on"].get("push").is_some(), "{}", wf["on"]);
    assert!(wf["on"].get("pull_request").is_some());
    assert_eq!(wf["permissions"]["contents"], "read");
    assert_eq!(
        wf["jobs"]["skills"]["permissions"]["security-events"],
        "write"
    );
    assert_eq!(wf["jobs"]["skills"]["runs-on"], "ubuntu-latest");
    let s = steps(&wf, "skills");
    let names: Vec<&str> = s.iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Check out",
            "Cache skillforge",
            "Install skillforge",
            "Lint skills",
            "Test skills",
            "SARIF reports",
            "Upload lint results to code scanning",
            "Upload test results to code scanning",
        ]
    );
    assert_eq!(s[0]["uses"], "actions/checkout@v4");
    assert_eq!(s[1]["uses"], "actions/cache@v4");
    assert_eq!(s[1]["with"]["path"], "~/.cargo/bin/skillforge");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        s[2]["run"],
        format!("cargo install --locked --git {REPO} --tag v{version} skillforge")
    );
    assert_eq!(s[2]["if"], "steps.cache.outputs.cache-hit != 'true'");
    assert_eq!(
        s[3]["run"],
        "skillforge lint --format github .claude/skills"
    );
    assert_eq!(s[4]["run"], "skillforge test --all --min-score 0.8");
    let sarif = s[5]["run"].as_str().unwrap();
    assert!(sarif.contains("skillforge lint --format sarif .claude/skills > sarif/lint.sarif"));
    assert!(
        sarif.contains("skillforge test --all --min-score 0.8 --format sarif > sarif/test.sarif")
    );
    assert_eq!(s[5]["if"], "always()");
    for (i, file, cat) in [
        (6, "sarif/lint.sarif", "skillforge-lint"),
        (7, "sarif/test.sarif", "skillforge-test"),
    ] {
        assert_eq!(s[i]["uses"], "github/codeql-action/upload-sarif@v3");
        assert_eq!(s[i]["with"]["sarif_file"], file);
        assert_eq!(s[i]["with"]["category"], cat);
        assert_eq!(s[i]["if"], "always()");
    }
    validate_workflow(&wf, "skills.yml");

    // The pre-commit config: one local hook running skillforge lint on the skills.
    let pc = yaml(&t.path().join(".pre-commit-config.yaml"));
    let repos = pc["repos"].as_array().unwrap();
    assert_eq!(repos.len(), 1);
    assert_eq!(repos[0]["repo"], "local");
    let hook = &repos[0]["hooks"][0];
    assert_eq!(hook["id"], "skillforge-lint");
    assert_eq!(hook["entry"], "skillforge lint .claude/skills");
    assert_eq!(hook["language"], "system");
    assert_eq!(hook["pass_filenames"], false);
    let re = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
    assert!(re.is_match(".claude/skills/docker-deployment/SKILL.md"));
    assert!(!re.is_match("src/main.rs"));

    // Running it again changes nothing.
    sf(t.path())
        .args(["init-ci", "--repo", REPO])
        .assert()
        .success()
        .stdout(contains("already up to date"))
        .stdout(contains("already runs skillforge"));
}

#[test]
fn init_ci_never_overwrites_without_force() {
    let t = lab();
    let wf = t.path().join(".github/workflows/skills.yml");
    std::fs::create_dir_all(wf.parent().unwrap()).unwrap();
    std::fs::write(&wf, "name: mine\n").unwrap();
    let pc = t.path().join(".pre-commit-config.yaml");
    let mine = "repos:\n  - repo: https://example.org/pre-commit/hooks\n    rev: v1.0.0\n    hooks:\n      - id: trailing-whitespace\n";
    std::fs::write(&pc, mine).unwrap();
    sf(t.path())
        .args(["init-ci", "--repo", REPO])
        .assert()
        .code(2)
        .stderr(contains("refusing to overwrite"));
    assert_eq!(std::fs::read_to_string(&wf).unwrap(), "name: mine\n");
    assert_eq!(std::fs::read_to_string(&pc).unwrap(), mine);
    sf(t.path())
        .args(["init-ci", "--repo", REPO, "--force"])
        .assert()
        .success()
        .stdout(contains(
            "the old one is in .skillforge/backups/skills.yml-",
        ))
        .stdout(contains("added the skillforge-lint hook"));
    // The workflow was backed up, the pre-commit config kept its hook and gained ours.
    let backups: Vec<_> = std::fs::read_dir(t.path().join(".skillforge/backups"))
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(
        std::fs::read_to_string(backups[0].path()).unwrap(),
        "name: mine\n"
    );
    let v = yaml(&pc);
    let repos = v["repos"].as_array().unwrap();
    assert_eq!(repos.len(), 2);
    assert_eq!(repos[0]["hooks"][0]["id"], "trailing-whitespace");
    assert_eq!(repos[1]["hooks"][0]["id"], "skillforge-lint");
}

#[test]
fn init_ci_refuses_a_flow_style_pre_commit_config_it_cannot_extend() {
    let t = lab();
    let pc = t.path().join(".pre-commit-config.yaml");
    std::fs::write(&pc, "repos: []\nci:\n  autofix: false\n").unwrap();
    sf(t.path())
        .args(["init-ci", "--repo", REPO, "--force"])
        .assert()
        .code(2)
        .stderr(contains("cannot append the hook safely"));
    assert_eq!(
        std::fs::read_to_string(&pc).unwrap(),
        "repos: []\nci:\n  autofix: false\n"
    );
    assert!(
        !t.path().join(".github").exists(),
        "nothing written on refusal"
    );
}

#[test]
fn init_ci_needs_a_repo_and_plain_values() {
    let t = lab();
    sf(t.path())
        .args(["init-ci"])
        .assert()
        .code(2)
        .stderr(contains("--repo"));
    sf(t.path())
        .args(["init-ci", "--repo", "https://x/y z"])
        .assert()
        .code(2);
    sf(t.path())
        .args(["init-ci", "--repo", REPO, "--skills", "../elsewhere"])
        .assert()
        .code(2);
    assert!(!t.path().join(".github").exists());
}

#[test]
fn release_workflow_builds_static_linux_macos_windows_with_checksums() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml");
    let wf = yaml(&path);
    assert_eq!(wf["on"]["push"]["tags"][0], "v*");
    let targets: Vec<&str> = wf["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["target"].as_str().unwrap())
        .collect();
    assert!(targets.contains(&"x86_64-unknown-linux-musl"));
    assert!(targets.iter().any(|t| t.ends_with("apple-darwin")));
    assert!(targets.contains(&"x86_64-pc-windows-msvc"));
    let build = steps(&wf, "build");
    let runs: Vec<&str> = build.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter()
            .any(|r| r.contains("cargo build --release --locked --target"))
    );
    assert!(runs.iter().any(|r| r.contains("static(-pie)? linked")));
    assert!(
        runs.iter()
            .any(|r| r.contains("sha256sum") && r.contains("shasum -a 256"))
    );
    let release = steps(&wf, "release");
    let runs: Vec<&str> = release.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs.iter().any(|r| r.contains("SHA256SUMS")));
    assert!(runs.iter().any(|r| r.starts_with("gh release create")));
    assert_eq!(wf["jobs"]["release"]["permissions"]["contents"], "write");
    assert_eq!(wf["permissions"]["contents"], "read");
    // Small: a reviewer reads it in one sitting.
    let lines = std::fs::read_to_string(&path).unwrap().lines().count();
    assert!(lines < 100, "release.yml has {lines} lines");
    validate_workflow(&wf, "release.yml");
}

#[test]
fn this_repository_ships_a_pre_commit_hook() {
    let hooks = yaml(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"));
    let list = hooks.as_array().unwrap();
    let h = list.iter().find(|h| h["id"] == "skillforge-lint").unwrap();
    assert_eq!(h["language"], "rust");
    assert_eq!(h["entry"], "skillforge lint");
    assert_eq!(h["pass_filenames"], false);
    let re = regex::Regex::new(h["files"].as_str().unwrap()).unwrap();
    for yes in [
        "SKILL.md",
        ".claude/skills/x/references/a.md",
        "skills/x/SKILL.md",
        "dist/x.skill",
    ] {
        assert!(re.is_match(yes), "{yes}");
    }
    assert!(!re.is_match("src/main.rs"));
}

#[test]
fn schema_validation_can_fail() {
    // The workflow schema check above is not vacuous: a broken workflow fails it.
    let Some(schema) = schemas::workflow_schema() else {
        eprintln!("SKIPPED: GitHub workflow schema not installed");
        return;
    };
    let bad: Value = serde_json::json!({"on": "push", "jobs": {"x": {"steps": [{"run": 1}]}}});
    assert!(!schemas::errors(&schema, &bad).is_empty());
}

#[test]
fn cargo_package_ships_the_embedded_data_and_not_the_fixtures() {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = String::from_utf8_lossy(&out.stdout);
    let files: Vec<&str> = list.lines().collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "build.rs",
        "src/main.rs",
        "schemas/blueprint.schema.json",
        "skills/docker-deployment/skill.yaml",
        "skills/docker-deployment/SKILL.md.hbs",
        "skills/docker-deployment/lessons/skill-first.yaml",
    ] {
        assert!(files.contains(&needed), "{needed} missing from the package");
    }
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with("tests/") || f.starts_with("bench/")),
        "tests and benches stay out of the package"
    );
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let toml: toml::Table = manifest.parse().unwrap();
    let binstall = &toml["package"]["metadata"]["binstall"];
    assert!(binstall["pkg-url"].as_str().unwrap().contains("{ target }"));
    // The archive names the release workflow produces match what binstall asks for.
    let release = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/release.yml"),
    )
    .unwrap();
    assert!(release.contains("name=skillforge-${{ matrix.target }}"));
    assert!(release.contains("\"dist/$name.tar.gz\"") && release.contains("\"dist/$name.zip\""));
}
