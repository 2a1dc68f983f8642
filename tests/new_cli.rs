//! `skillforge new` through the binary: where it writes, answers handling, and the
//! never-lose-work cases (refusal, --force backup, bad input writes nothing).

use assert_cmd::Command;
use predicates::str::contains;
use std::path::Path;

fn sf(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("skillforge").unwrap();
    c.current_dir(cwd)
        .env("SKILLFORGE_CACHE_DIR", cwd.join(".cache-none"));
    c
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n != ".cache-none")
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn yes_writes_a_complete_skill_in_cwd_and_says_what_next() {
    let t = tempfile::tempdir().unwrap();
    sf(t.path())
        .args(["new", "docker-deployment", "--yes"])
        .assert()
        .success()
        .stdout(contains("references: bundled digest (offline)"))
        .stdout(contains(
            "next: skillforge test docker-deployment --lesson 0",
        ));
    let d = t.path().join("docker-deployment");
    for f in [
        "SKILL.md",
        "templates/Dockerfile",
        "templates/Dockerfile.dev",
        "templates/.dockerignore",
        "templates/compose.yaml",
        "references/uv-in-docker.md",
    ] {
        assert!(d.join(f).is_file(), "missing {f}");
    }
    let md = std::fs::read_to_string(d.join("SKILL.md")).unwrap();
    assert!(md.contains("stack: \"fastapi\""));
    assert!(md.contains("generated-by: \"skillforge "));
}

#[test]
fn non_tty_without_answers_uses_defaults_and_says_so() {
    let t = tempfile::tempdir().unwrap();
    sf(t.path())
        .args(["new"])
        .write_stdin("")
        .assert()
        .success()
        .stderr(contains("using the default answers"));
    assert!(t.path().join("docker-deployment/SKILL.md").is_file());
}

#[test]
fn skills_lab_layout_and_agent_dirs() {
    let t = tempfile::tempdir().unwrap();
    let repo = t.path();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join(".claude/skills")).unwrap();
    std::fs::create_dir_all(repo.join("sub")).unwrap();
    sf(&repo.join("sub"))
        .args(["new", "--yes"])
        .assert()
        .success();
    assert!(
        repo.join(".claude/skills/docker-deployment/SKILL.md")
            .is_file()
    );
    sf(repo)
        .args(["new", "--yes", "--agent", "codex"])
        .assert()
        .success();
    assert!(
        repo.join(".agents/skills/docker-deployment/SKILL.md")
            .is_file()
    );
    sf(repo)
        .args(["new", "--yes", "--dir", "out", "--name", "my-docker"])
        .assert()
        .success();
    let md = std::fs::read_to_string(repo.join("out/my-docker/SKILL.md")).unwrap();
    assert!(md.starts_with("---\nname: my-docker\n"));
}

#[test]
fn answers_file_selects_variants() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(
        t.path().join("a.yaml"),
        "stack: node\nbase: distroless\ntarget: kubernetes\nregistry: ghcr\n",
    )
    .unwrap();
    sf(t.path())
        .args(["new", "--answers", "a.yaml"])
        .assert()
        .success();
    let d = t.path().join("docker-deployment");
    let df = std::fs::read_to_string(d.join("templates/Dockerfile")).unwrap();
    assert!(df.contains("distroless/nodejs") && !df.contains("uv "));
    assert!(d.join("templates/k8s.yaml").is_file());
    let md = std::fs::read_to_string(d.join("SKILL.md")).unwrap();
    assert!(md.contains("registry: \"ghcr\"") && !md.contains("package-manager:"));
}

#[test]
fn bad_answers_exit_2_and_write_nothing() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("unknown.yaml"), "stack: node\ncolour: blue\n").unwrap();
    std::fs::write(t.path().join("invalid.yaml"), "stack: rust\n").unwrap();
    sf(t.path())
        .args(["new", "--answers", "unknown.yaml"])
        .assert()
        .code(2)
        .stderr(contains("unknown.yaml:2"))
        .stderr(contains(
            "valid keys: stack, package_manager, base, target, registry",
        ));
    sf(t.path())
        .args(["new", "--answers", "invalid.yaml"])
        .assert()
        .code(2)
        .stderr(contains(
            "valid values for `stack`: fastapi, flask, django, node, go",
        ));
    sf(t.path())
        .args(["new", "--answers", "missing.yaml"])
        .assert()
        .code(2);
    assert_eq!(entries(t.path()), vec!["invalid.yaml", "unknown.yaml"]);
}

#[test]
fn invalid_name_and_unknown_blueprint_exit_2_and_write_nothing() {
    let t = tempfile::tempdir().unwrap();
    for name in ["Docker", "a--b", "-x", "has space"] {
        sf(t.path())
            .args(["new", "--yes", &format!("--name={name}")])
            .assert()
            .code(2)
            .stderr(contains("invalid skill name"));
    }
    sf(t.path())
        .args(["new", "nope", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("unknown blueprint `nope`"))
        .stderr(contains("docker-deployment"));
    assert!(entries(t.path()).is_empty());
}

#[test]
fn non_empty_dir_is_refused_and_force_backs_it_up() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("docker-deployment");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("SKILL.md"), "my edits").unwrap();
    sf(t.path())
        .args(["new", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("refusing to overwrite"))
        .stderr(contains("--force"));
    assert_eq!(
        std::fs::read_to_string(d.join("SKILL.md")).unwrap(),
        "my edits"
    );
    sf(t.path())
        .args(["new", "--yes", "--force"])
        .assert()
        .success()
        .stdout(contains(".skillforge/backups/docker-deployment-"));
    // The backup is outside the folder skills are discovered in: one copy of the skill.
    let backups = t.path().join(".skillforge/backups");
    let backup = entries(&backups)
        .into_iter()
        .find(|n| n.starts_with("docker-deployment-"))
        .expect("backup dir");
    assert_eq!(
        std::fs::read_to_string(backups.join(backup).join("SKILL.md")).unwrap(),
        "my edits"
    );
    assert_eq!(
        entries(t.path())
            .into_iter()
            .filter(|n| n.starts_with("docker-deployment"))
            .count(),
        1
    );
    assert!(
        std::fs::read_to_string(d.join("SKILL.md"))
            .unwrap()
            .starts_with("---\n")
    );
}

#[test]
fn list_shows_blueprints_with_descriptions() {
    let t = tempfile::tempdir().unwrap();
    sf(t.path())
        .args(["new", "--list"])
        .assert()
        .success()
        .stdout(contains("docker-deployment"))
        .stdout(contains("Containerizes applications"));
}

#[test]
fn blueprints_dir_overrides_and_bad_blueprint_reports_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let bp = t.path().join("bps/docker-deployment");
    std::fs::create_dir_all(&bp).unwrap();
    std::fs::write(bp.join("SKILL.md.hbs"), "---\nname: {{skill_name}}\n---\n").unwrap();
    std::fs::write(
        bp.join("skill.yaml"),
        "name: docker-deployment\ntitle: T\nversion: \"1.0\"\n",
    )
    .unwrap();
    sf(t.path())
        .args(["new", "--yes", "--blueprints", "bps"])
        .assert()
        .code(2)
        .stderr(contains("skill.yaml:"))
        .stderr(contains("blueprint.schema.json"));
    assert_eq!(entries(t.path()), vec!["bps"]);
}

#[test]
fn config_new_blueprints_dir_is_used() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".git")).unwrap();
    std::fs::create_dir_all(t.path().join("bps")).unwrap();
    std::fs::write(
        t.path().join("skillforge.toml"),
        "[new]\nblueprints = \"missing-dir\"\n",
    )
    .unwrap();
    sf(t.path())
        .args(["new", "--yes"])
        .assert()
        .code(2)
        .stderr(contains("skillforge.toml"))
        .stderr(contains("missing-dir"));
    std::fs::write(
        t.path().join("skillforge.toml"),
        "[new]\nblueprints = \"bps\"\n",
    )
    .unwrap();
    // An empty override directory falls back to the built-in blueprint.
    sf(t.path()).args(["new", "--yes"]).assert().success();
    assert!(t.path().join("docker-deployment/SKILL.md").is_file());
}

#[test]
fn broken_template_in_a_disk_blueprint_is_reported_with_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("skills/docker-deployment");
    let bp = t.path().join("bps/docker-deployment");
    std::fs::create_dir_all(&bp).unwrap();
    std::fs::copy(src.join("skill.yaml"), bp.join("skill.yaml")).unwrap();
    std::fs::write(
        bp.join("SKILL.md.hbs"),
        "---\nname: x\n---\n\n{{#each questions}}\n",
    )
    .unwrap();
    sf(t.path())
        .args(["new", "--yes", "--blueprints", "bps"])
        .assert()
        .code(2)
        .stderr(contains("SKILL.md.hbs:"))
        .stderr(contains("invalid handlebars template"));
    assert_eq!(entries(t.path()), vec!["bps"]);
}

#[test]
fn fetch_without_network_falls_back_to_the_bundled_digest() {
    let t = tempfile::tempdir().unwrap();
    let cwd = t.path().join("work");
    std::fs::create_dir_all(&cwd).unwrap();
    // A mirror that refuses connections stands in for "no network".
    std::fs::write(
        cwd.join("skillforge.toml"),
        "[fetch]\nbase-url = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    sf(&cwd)
        .env("SKILLFORGE_CACHE_DIR", t.path().join("cache"))
        .args(["new", "docker-deployment", "--yes", "--fetch"])
        .assert()
        .success()
        .stderr(contains("could not fetch the docs"))
        .stderr(contains("bundled digest"));
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(
        cwd.join("docker-deployment/references/compose.md")
            .is_file()
    );
}

#[test]
fn concurrent_force_runs_each_install_a_complete_skill_and_back_up_the_rest() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".git")).unwrap();
    std::fs::create_dir_all(t.path().join(".claude/skills")).unwrap();
    sf(t.path()).args(["new", "--yes"]).assert().success();
    let bin = assert_cmd::cargo::cargo_bin("skillforge");
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(&bin)
                .args(["new", "--yes", "--force"])
                .current_dir(t.path())
                .env("NO_COLOR", "1")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut moved = 0;
    for c in children {
        let out = c.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("created skill"), "{stdout}");
        moved += stdout.matches("moved the existing").count();
    }
    // Every run installed a whole skill in one rename; each skill it replaced (the first
    // one, and those of the runs before it) is a whole skill in the backups.
    let skills = t.path().join(".claude/skills");
    assert_eq!(entries(&skills), vec!["docker-deployment"]);
    let want = entries(&skills.join("docker-deployment")).len();
    let backups = t.path().join(".skillforge/backups");
    let b = entries(&backups);
    assert_eq!(b.len(), moved, "{b:?}");
    assert_eq!(moved, 4, "each run moved exactly what it replaced");
    for name in b {
        assert_eq!(entries(&backups.join(&name)).len(), want, "{name}");
    }
    assert_eq!(entries(&t.path().join(".skillforge/tmp")).len(), 0);
    sf(t.path())
        .args(["lint", "--profile", "strict"])
        .assert()
        .success()
        .stdout(contains("1 skill checked"));
}

#[test]
fn starter_passes_lesson_0_and_strict_lint_and_fails_most_later_lessons() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".git")).unwrap();
    std::fs::create_dir_all(t.path().join(".claude/skills")).unwrap();
    sf(t.path())
        .args(["new", "docker-deployment", "--starter", "--yes"])
        .assert()
        .success()
        .stdout(contains("blueprint:  docker-deployment/starter"))
        .stdout(contains("skillforge next"));
    // An answers file for the complete skill serves the starter too.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(
        other.path().join("a.yaml"),
        "stack: flask\npackage_manager: pip\nbase: alpine\ntarget: kubernetes\n",
    )
    .unwrap();
    sf(other.path())
        .args(["new", "--starter", "--answers", "a.yaml"])
        .assert()
        .success()
        .stderr(contains("`base` is not asked by this blueprint variant"))
        .stdout(contains("package_manager=pip, stack=flask"));
    sf(other.path())
        .args(["new", "--starter", "--force", "--answers", "a.yaml"])
        .write_stdin("")
        .assert()
        .success();
    std::fs::write(other.path().join("b.yaml"), "stak: flask\n").unwrap();
    sf(other.path())
        .args(["new", "--starter", "--force", "--answers", "b.yaml"])
        .assert()
        .code(2)
        .stderr(contains("unknown question `stak`"));
    let skill = t.path().join(".claude/skills/docker-deployment");
    let md = std::fs::read_to_string(skill.join("SKILL.md")).unwrap();
    for part in [
        "## Persona",
        "## Analysis questions",
        "## Principles",
        "Why:",
        "references/",
    ] {
        assert!(md.contains(part), "{part}");
    }
    let df = std::fs::read_to_string(skill.join("templates/Dockerfile")).unwrap();
    assert_eq!(df.matches("\nFROM ").count(), 1, "single stage:\n{df}");
    sf(t.path())
        .args(["lint", "--profile", "strict", "--deny-warnings"])
        .assert()
        .success();
    sf(t.path())
        .args(["test", "--lesson", "0", "--no-history"])
        .assert()
        .success();
    let out = sf(t.path())
        .args(["test", "--all", "--format", "json", "--no-history"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let later: Vec<(u64, f64)> = v["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["lesson"].as_u64().unwrap(), l["score"].as_f64().unwrap()))
        .filter(|(n, _)| *n > 0)
        .collect();
    let failing = later.iter().filter(|(_, s)| *s < 0.8).count();
    assert!(
        failing * 2 > later.len(),
        "most later lessons fail: {later:?}"
    );
    assert!(
        later.iter().filter(|(_, s)| *s < 0.6).count() >= 3,
        "well below the pass mark: {later:?}"
    );
    // The complete skill is unchanged by the variant: it still passes everything.
    let full = tempfile::tempdir().unwrap();
    sf(full.path()).args(["new", "--yes"]).assert().success();
    sf(full.path())
        .args(["test", "--all", "--no-history", "docker-deployment"])
        .assert()
        .success();
}
