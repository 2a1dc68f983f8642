//! `package`, `lint FILE.skill` and `install` through the binary, including hostile
//! archives built here (zip slip, absolute paths, symlink entries, zip bombs, several
//! top folders) and the never-lose-work cases of install.

use assert_cmd::Command;
use predicates::str::contains;
use std::io::Write;
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;

fn sf(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("skillforge").unwrap();
    c.current_dir(cwd)
        .env("SKILLFORGE_CACHE_DIR", cwd.join(".cache-none"))
        .env("HOME", cwd.join("home"))
        .env("NO_COLOR", "1");
    c
}

const BODY: &str = "# Widgets\n\nWhen asked for a widget, read [the guide](references/guide.md) and follow it step by step.\n";

/// A small lint-clean skill named `name` under `parent`.
fn skill(parent: &Path, name: &str) -> PathBuf {
    let d = parent.join(name);
    std::fs::create_dir_all(d.join("references")).unwrap();
    std::fs::write(
        d.join("SKILL.md"),
        format!(
            "---\nname: {name}\ndescription: Builds widgets from specs. Use when the user asks for a widget.\n---\n{BODY}"
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("references/guide.md"),
        "# Guide\n\nCut, then glue.\n",
    )
    .unwrap();
    d
}

fn names_in(archive: &Path) -> Vec<String> {
    let f = std::fs::File::open(archive).unwrap();
    let z = zip::ZipArchive::new(f).unwrap();
    let mut v: Vec<String> = z.file_names().map(|n| n.unwrap().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn package_writes_one_top_folder_and_leaves_junk_out() {
    let t = tempfile::tempdir().unwrap();
    let d = skill(t.path(), "widgets");
    std::fs::create_dir_all(d.join("evals")).unwrap();
    std::fs::write(
        d.join("evals/evals.json"),
        r#"{"skill_name":"widgets","evals":[{"id":1,"prompt":"make a widget"}]}"#,
    )
    .unwrap();
    std::fs::write(d.join(".DS_Store"), "junk").unwrap();
    std::fs::create_dir_all(d.join("scripts/__pycache__")).unwrap();
    std::fs::write(d.join("scripts/__pycache__/x.cpython-312.pyc"), "junk").unwrap();
    std::fs::write(d.join("references/guide.md~"), "backup").unwrap();
    std::fs::create_dir_all(d.join("node_modules/left-pad")).unwrap();
    std::fs::write(d.join("node_modules/left-pad/index.js"), "x").unwrap();
    sf(t.path())
        .args(["package", "widgets", "-o", "dist/"])
        .assert()
        .success()
        .stdout(contains("packaged widgets (2 files"))
        .stdout(contains("left out:"))
        .stdout(contains("evals/"));
    let a = t.path().join("dist/widgets.skill");
    assert_eq!(
        names_in(&a),
        ["widgets/SKILL.md", "widgets/references/guide.md"]
    );
    // Same files, same bytes: the archive is reproducible.
    let first = std::fs::read(&a).unwrap();
    sf(t.path())
        .args(["package", "widgets", "-o", "dist/widgets.skill"])
        .assert()
        .success();
    assert_eq!(first, std::fs::read(&a).unwrap());
    // No temp file is left next to the archive.
    let leftovers: Vec<_> = std::fs::read_dir(t.path().join("dist"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "widgets.skill")
        .collect();
    assert!(leftovers.is_empty());
    // And the archive lints clean, with paths shown inside it.
    sf(t.path())
        .args(["lint", "dist/widgets.skill"])
        .assert()
        .success()
        .stdout(contains("1 skill checked: 0 errors"));
}

#[test]
fn package_refuses_lint_errors_and_writes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let d = skill(t.path(), "widgets");
    let md = std::fs::read_to_string(d.join("SKILL.md")).unwrap();
    std::fs::write(
        d.join("SKILL.md"),
        md.replace("name: widgets", "name: Widgets"),
    )
    .unwrap();
    sf(t.path())
        .args(["package", "widgets"])
        .assert()
        .code(1)
        .stderr(contains("refusing to package"))
        .stderr(contains("SF-name-format"));
    assert!(!t.path().join("widgets.skill").exists());
    assert!(!t.path().join("Widgets.skill").exists());
}

#[cfg(unix)]
#[test]
fn package_refuses_a_symlink_leaving_the_skill() {
    let t = tempfile::tempdir().unwrap();
    let d = skill(t.path(), "widgets");
    std::fs::write(t.path().join("secret.txt"), "token").unwrap();
    std::os::unix::fs::symlink(t.path().join("secret.txt"), d.join("references/notes.md")).unwrap();
    sf(t.path())
        .args(["package", "widgets"])
        .assert()
        .code(1)
        .stderr(contains("refusing to package"))
        .stderr(contains("SF-symlink-outside"));
    assert!(!t.path().join("widgets.skill").exists());
}

#[test]
fn package_run_inside_the_skill_writes_beside_it() {
    let t = tempfile::tempdir().unwrap();
    let d = skill(t.path(), "widgets");
    sf(&d).args(["package"]).assert().success();
    assert!(t.path().join("widgets.skill").is_file());
    assert!(!d.join("widgets.skill").exists());
}

#[test]
fn package_refuses_output_inside_the_skill_and_non_skill_names() {
    let t = tempfile::tempdir().unwrap();
    skill(t.path(), "widgets");
    sf(t.path())
        .args(["package", "widgets", "-o", "widgets/"])
        .assert()
        .code(2)
        .stderr(contains("inside the skill"));
    sf(t.path())
        .args(["package", "widgets", "-o", "widgets.zip"])
        .assert()
        .code(2)
        .stderr(contains("ends in .skill"));
}

/// Writes a zip with the given (name, bytes) entries, as a hostile or careless tool would.
fn write_zip(path: &Path, entries: &[(&str, &[u8])]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let o = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(*name, o).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

const MD: &[u8] =
    b"---\nname: w\ndescription: Builds widgets. Use when asked for widgets.\n---\n# W\n\nDo it.\n";

fn lint_archive_fails_with(entries: &[(&str, &[u8])], rule: &str, says: &str) {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("bad.skill");
    write_zip(&a, entries);
    sf(t.path())
        .args(["lint", "bad.skill"])
        .assert()
        .code(1)
        .stdout(contains(rule))
        .stdout(contains(says));
    // Nothing of it was unpacked next to it or above it.
    let mut names: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bad.skill"], "{rule}");
    // install refuses it too, without touching the project.
    sf(t.path())
        .args(["install", "bad.skill", "--agent", "codex"])
        .assert()
        .code(1)
        .stderr(contains("refusing to install"));
    assert!(!t.path().join(".agents").exists());
}

#[test]
fn hostile_archive_zip_slip() {
    lint_archive_fails_with(
        &[("w/SKILL.md", MD), ("w/../../evil.sh", b"rm -rf ~")],
        "SF-archive-unsafe-path",
        "`..` component",
    );
}

#[test]
fn hostile_archive_absolute_path() {
    lint_archive_fails_with(
        &[("w/SKILL.md", MD), ("/tmp/evil", b"x")],
        "SF-archive-unsafe-path",
        "absolute path",
    );
}

#[test]
fn hostile_archive_backslash_path() {
    lint_archive_fails_with(
        &[("w/SKILL.md", MD), ("w\\..\\evil", b"x")],
        "SF-archive-unsafe-path",
        "backslash",
    );
}

#[test]
fn archive_with_two_top_folders_or_root_files() {
    lint_archive_fails_with(
        &[("w/SKILL.md", MD), ("v/SKILL.md", MD)],
        "SF-archive-layout",
        "2 top folders",
    );
    lint_archive_fails_with(&[("SKILL.md", MD)], "SF-archive-layout", "archive root");
}

#[test]
fn archive_without_skill_md_or_with_a_nested_skill() {
    lint_archive_fails_with(
        &[("w/README.md", b"hi")],
        "SF-archive-skill-md",
        "no `w/SKILL.md`",
    );
    lint_archive_fails_with(
        &[("w/SKILL.md", MD), ("w/inner/SKILL.md", MD)],
        "SF-archive-skill-md",
        "a second skill",
    );
}

#[test]
fn hostile_archive_zip_bomb() {
    let zeros = vec![0u8; 8 * 1024 * 1024];
    lint_archive_fails_with(
        &[("w/SKILL.md", MD), ("w/references/big.md", &zeros)],
        "SF-archive-size",
        "zip bomb",
    );
}

#[cfg(unix)]
#[test]
fn hostile_archive_symlink_entry() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("bad.skill");
    let f = std::fs::File::create(&a).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let o = SimpleFileOptions::default();
    z.start_file("w/SKILL.md", o).unwrap();
    z.write_all(MD).unwrap();
    z.add_symlink("w/references/passwd", "/etc/passwd", o)
        .unwrap();
    z.finish().unwrap();
    sf(t.path())
        .args(["lint", "bad.skill"])
        .assert()
        .code(1)
        .stdout(contains("SF-archive-entry-type"))
        .stdout(contains("is a symlink"));
}

#[test]
fn not_a_zip_is_reported() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("x.skill"), "this is not a zip").unwrap();
    sf(t.path())
        .args(["lint", "x.skill", "--format", "json"])
        .assert()
        .code(1)
        .stdout(contains("SF-archive-unreadable"));
}

#[test]
fn archive_content_is_linted_with_paths_inside_the_archive() {
    let t = tempfile::tempdir().unwrap();
    let a = t.path().join("w.skill");
    let bad = String::from_utf8_lossy(MD).replace("name: w", "name: other");
    write_zip(&a, &[("w/SKILL.md", bad.as_bytes()), ("w/.DS_Store", b"x")]);
    sf(t.path())
        .args(["lint", "w.skill"])
        .assert()
        .code(1)
        .stdout(contains("SF-name-matches-dir"))
        .stdout(contains("w.skill/w/SKILL.md:2"))
        .stdout(contains("SF-archive-junk"));
}

#[test]
fn install_copies_into_the_agents_project_folder_once_per_folder() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".git")).unwrap();
    skill(&t.path().join("src"), "widgets");
    sf(t.path())
        .args([
            "install",
            "src/widgets",
            "--agent",
            "codex,gemini",
            "--agent",
            "claude-code",
        ])
        .assert()
        .success()
        .stdout(contains("read by codex, gemini, copilot, opencode"))
        .stdout(contains("read by claude-code"));
    for d in [".agents/skills/widgets", ".claude/skills/widgets"] {
        assert!(
            t.path().join(d).join("references/guide.md").is_file(),
            "{d}"
        );
    }
    // Again: nothing to do.
    sf(t.path())
        .args(["install", "src/widgets", "--agent", "codex"])
        .assert()
        .success()
        .stdout(contains("already up to date"));
    // An edit in the installed copy is kept in a backup when the skill is updated.
    let installed = t.path().join(".agents/skills/widgets/SKILL.md");
    let mut edited = std::fs::read_to_string(&installed).unwrap();
    edited.push_str("\nmy edit\n");
    std::fs::write(&installed, &edited).unwrap();
    sf(t.path())
        .args(["install", "src/widgets", "--agent", "codex"])
        .assert()
        .success()
        .stdout(contains(".skillforge/backups/widgets-"));
    let backups: Vec<_> = std::fs::read_dir(t.path().join(".skillforge/backups"))
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(backups.len(), 1);
    assert_eq!(
        std::fs::read_to_string(backups[0].path().join("SKILL.md")).unwrap(),
        edited
    );
    // lint of the project does not pick up the backup.
    sf(t.path())
        .args(["lint", ".", "--format", "json"])
        .assert()
        .stdout(contains("\"skills\": 3"));
}

#[test]
fn install_refuses_a_different_skill_without_force() {
    let t = tempfile::tempdir().unwrap();
    skill(&t.path().join("src"), "widgets");
    let dest = t.path().join(".cursor/skills/widgets");
    std::fs::create_dir_all(&dest).unwrap();
    std::fs::write(dest.join("notes.txt"), "mine").unwrap();
    sf(t.path())
        .args(["install", "src/widgets", "--agent", "cursor"])
        .assert()
        .code(2)
        .stderr(contains("refusing to overwrite"))
        .stderr(contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dest.join("notes.txt")).unwrap(),
        "mine"
    );
    sf(t.path())
        .args(["install", "src/widgets", "--agent", "cursor", "--force"])
        .assert()
        .success()
        .stdout(contains("the previous copy is in"));
    assert!(dest.join("SKILL.md").is_file());
    let b = std::fs::read_dir(t.path().join(".skillforge/backups"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(
        std::fs::read_to_string(b.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn install_global_uses_home_and_archives_work() {
    let t = tempfile::tempdir().unwrap();
    skill(t.path(), "widgets");
    sf(t.path())
        .args(["package", "widgets", "-o", "dist/"])
        .assert()
        .success();
    sf(t.path())
        .args([
            "install",
            "dist/widgets.skill",
            "--agent",
            "claude-code",
            "--global",
        ])
        .assert()
        .success()
        .stdout(contains("for your user"));
    assert!(
        t.path()
            .join("home/.claude/skills/widgets/SKILL.md")
            .is_file()
    );
    sf(t.path())
        .args([
            "install",
            "dist/widgets.skill",
            "--agent",
            "claude-code",
            "--link",
        ])
        .assert()
        .code(2)
        .stderr(contains("--link needs a skill directory"));
}

#[cfg(unix)]
#[test]
fn install_link_points_at_the_source() {
    let t = tempfile::tempdir().unwrap();
    let src = skill(t.path(), "widgets");
    sf(t.path())
        .args(["install", "widgets", "--agent", "windsurf", "--link"])
        .assert()
        .success();
    let dest = t.path().join(".windsurf/skills/widgets");
    assert!(
        std::fs::symlink_metadata(&dest)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::canonicalize(&dest).unwrap(),
        std::fs::canonicalize(&src).unwrap()
    );
    sf(t.path())
        .args(["install", "widgets", "--agent", "windsurf", "--link"])
        .assert()
        .success()
        .stdout(contains("already up to date"));
}

#[test]
fn install_refuses_lint_errors() {
    let t = tempfile::tempdir().unwrap();
    let d = skill(t.path(), "widgets");
    std::fs::write(d.join("SKILL.md"), "no frontmatter\n").unwrap();
    sf(t.path())
        .args(["install", "widgets", "--agent", "codex"])
        .assert()
        .code(1)
        .stderr(contains("refusing to install"));
    assert!(!t.path().join(".agents").exists());
}

#[test]
fn lint_json_reports_token_counts_and_budgets_are_configurable() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".git")).unwrap();
    let d = skill(t.path(), "widgets");
    // Without --tokens only texts that may exceed a budget are counted: none here.
    let out = sf(t.path())
        .args(["lint", "widgets", "--format", "json"])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["tokens"]["counted"], "near-budget");
    assert_eq!(j["tokens"]["budgets"]["body"], 5000);
    assert_eq!(j["tokens"]["skills"].as_array().unwrap().len(), 0);
    let out = sf(t.path())
        .args(["lint", "widgets", "--format", "json", "--tokens"])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let tk = &j["tokens"];
    assert_eq!(tk["encoding"], "o200k_base");
    assert_eq!(tk["counted"], "all");
    let s = &tk["skills"][0];
    assert_eq!(s["skill"], "widgets");
    // "Builds widgets from specs. Use when the user asks for a widget." in o200k_base.
    let desc = s["description"].as_u64().unwrap();
    assert!((12..=18).contains(&desc), "{desc}");
    assert!(s["body"].as_u64().unwrap() > 10);
    assert_eq!(s["files"][0]["file"], "references/guide.md");
    assert!(s["files"][0]["tokens"].as_u64().unwrap() > 3);
    assert_eq!(j["summary"]["warnings"], 0);

    // A tight budget in skillforge.toml turns the same skill into warnings.
    std::fs::write(
        t.path().join("skillforge.toml"),
        "[lint.budgets]\nbody = 10\nreference = 10\n",
    )
    .unwrap();
    std::fs::write(
        d.join("references/guide.md"),
        "# Guide\n\nCut the board to size, sand the edges, then glue the joints.\n",
    )
    .unwrap();
    sf(t.path())
        .args(["lint", "widgets", "--tokens"])
        .assert()
        .success()
        .stdout(contains(
            "tokens (o200k_base, approximates Claude's; budgets: body 10, reference 10)",
        ))
        .stdout(contains("widgets: description "))
        .stdout(contains("warning[SF-body-tokens]"))
        .stdout(contains("the budget is 10"))
        .stdout(contains("warning[SF-reference-tokens]"))
        .stdout(contains("o200k_base"));
}

#[test]
fn new_then_package_then_install_for_codex() {
    // The issue's "done when" flow, in a fresh skills-lab.
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".git")).unwrap();
    std::fs::create_dir_all(t.path().join(".claude/skills")).unwrap();
    sf(t.path())
        .args(["new", "docker-deployment", "--yes"])
        .assert()
        .success();
    sf(t.path())
        .args(["package"])
        .assert()
        .success()
        .stdout(contains("into docker-deployment.skill"));
    let names = names_in(&t.path().join("docker-deployment.skill"));
    assert!(names.contains(&"docker-deployment/SKILL.md".to_string()));
    assert!(names.contains(&"docker-deployment/templates/.dockerignore".to_string()));
    assert!(names.iter().all(|n| n.starts_with("docker-deployment/")));
    sf(t.path())
        .args(["install", "docker-deployment.skill", "--agent", "codex"])
        .assert()
        .success()
        .stdout(contains(
            "installed docker-deployment into .agents/skills/docker-deployment",
        ));
    let a = std::fs::read(t.path().join(".claude/skills/docker-deployment/SKILL.md")).unwrap();
    let b = std::fs::read(t.path().join(".agents/skills/docker-deployment/SKILL.md")).unwrap();
    assert_eq!(a, b);
}
