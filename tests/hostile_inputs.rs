//! Regression tests for hostile or careless inputs (issue 15): FIFOs and devices where
//! files are expected never hang or get replaced; explicit paths are read with a cap.

use assert_cmd::Command;
use std::path::Path;
use std::time::Duration;

fn bin() -> Command {
    let mut c = Command::cargo_bin("skillforge").unwrap();
    c.env("NO_COLOR", "1").timeout(Duration::from_secs(60));
    c
}

fn mkfifo(p: &Path) -> bool {
    std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn fifos_inside_a_skill_do_not_hang_test_or_lint() {
    let t = tempfile::tempdir().unwrap();
    let dir = skillforge::blueprint::generate_default(t.path()).unwrap();
    if !mkfifo(&dir.join("references/pipe.md")) || !mkfifo(&dir.join("templates/Dockerfile.pipe")) {
        eprintln!("SKIPPED: mkfifo is not available");
        return;
    }
    bin()
        .args(["test", "--lesson", "5"])
        .arg(&dir)
        .assert()
        .code(0);
    let a = bin().arg("lint").arg(&dir).assert();
    let code = a.get_output().status.code();
    assert!(
        matches!(code, Some(0) | Some(1)),
        "lint ended with {code:?}"
    );
}

#[test]
fn explicit_paths_that_are_fifos_or_devices_are_input_errors() {
    let t = tempfile::tempdir().unwrap();
    let dir = skillforge::blueprint::generate_default(t.path()).unwrap();
    let fifo = t.path().join("suite.yaml");
    let have_fifo = mkfifo(&fifo);
    for flag in ["--suite", "--import-evals"] {
        for p in [Path::new("/dev/zero"), fifo.as_path()] {
            if p == fifo.as_path() && !have_fifo {
                continue;
            }
            let a = bin().args(["test", flag]).arg(p).arg(&dir).assert().code(2);
            let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
            assert!(
                err.contains("not a regular file"),
                "{flag} {}: {err}",
                p.display()
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn export_evals_never_replaces_a_symlink_and_dash_is_stdout() {
    let t = tempfile::tempdir().unwrap();
    let dir = skillforge::blueprint::generate_default(t.path()).unwrap();
    let real = t.path().join("real.json");
    std::fs::write(&real, "keep").unwrap();
    let link = t.path().join("link.json");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    bin()
        .args(["test", "--lesson", "5", "--export-evals"])
        .arg(&link)
        .arg(&dir)
        .assert()
        .code(2);
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "keep");
    let a = bin()
        .current_dir(t.path())
        .args(["test", "--lesson", "5", "--export-evals", "-"])
        .arg(&dir)
        .assert()
        .code(0);
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v["skill_name"], "docker-deployment");
    assert!(
        !t.path().join("-").exists(),
        "`-` must mean standard output"
    );
}

#[test]
fn suites_with_oversized_regexes_or_huge_weights_are_refused_at_load() {
    let t = tempfile::tempdir().unwrap();
    let dir = skillforge::blueprint::generate_default(t.path()).unwrap();
    let cases = [
        (
            "      - text: Huge\n        check: { not: { any_regex: ['((a|b|c|d){500}){500}'] } }\n",
            "too large",
        ),
        (
            "      - text: Heavy\n        weight: 1e308\n        check: { mentions: [docker] }\n",
            "weight",
        ),
    ];
    for (assertion, want) in cases {
        let suite = t.path().join("suite.yaml");
        std::fs::write(
            &suite,
            format!("topic: t\ntitle: T\ndocs: [/x/]\nprompts:\n  - id: p\n    prompt: Say something.\n    assertions:\n{assertion}"),
        )
        .unwrap();
        let a = bin()
            .args(["test", "--suite"])
            .arg(&suite)
            .arg(&dir)
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        assert!(err.contains(want) && err.contains("suite.yaml:"), "{err}");
    }
}

#[cfg(unix)]
#[test]
fn a_skill_md_linking_out_of_the_skill_is_not_read() {
    let t = tempfile::tempdir().unwrap();
    let secret = t.path().join("secret.txt");
    std::fs::write(&secret, "root:x:0:0:secret-line\n").unwrap();
    let dir = t.path().join("s");
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(&secret, dir.join("SKILL.md")).unwrap();
    for args in [vec!["lint"], vec!["test", "--lesson", "0"]] {
        let a = bin().args(&args).arg(&dir).assert();
        let o = a.get_output();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            !all.contains("secret-line"),
            "{args:?} printed the linked file: {all}"
        );
        assert!(all.contains("outside the skill"), "{args:?}: {all}");
        assert_ne!(o.status.code(), Some(0), "{args:?}");
    }
    // A link to a file inside the skill is fine.
    let inside = t.path().join("ok");
    std::fs::create_dir_all(inside.join("docs")).unwrap();
    std::fs::write(
        inside.join("docs/real.md"),
        "---\nname: ok\ndescription: A linked skill file for tests.\n---\n# Ok\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(inside.join("docs/real.md"), inside.join("SKILL.md")).unwrap();
    let a = bin().arg("lint").arg(&inside).assert();
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(!out.contains("outside the skill"), "{out}");
}

#[test]
fn references_linking_out_of_the_skill_are_flagged_and_not_read() {
    let t = tempfile::tempdir().unwrap();
    let secret = t.path().join("secret.md");
    std::fs::write(
        &secret,
        "# Secret\n\nroot:x:0:0:secret-line [x](missing.md)\n",
    )
    .unwrap();
    let dir = t.path().join("s");
    std::fs::create_dir_all(dir.join("references")).unwrap();
    std::fs::write(
        dir.join("SKILL.md"),
        "---\nname: s\ndescription: Tests links out of a skill. Use when testing.\n---\n# S\n\nRead [notes](references/notes.md), [passwd](file:///etc/passwd) and [home](/home/me/x.md).\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&secret, dir.join("references/notes.md")).unwrap();
    let a = bin()
        .args(["lint", "--format", "json"])
        .arg(&dir)
        .assert()
        .code(1);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(!out.contains("secret-line"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["rule"].as_str())
        .collect();
    assert_eq!(
        ids.iter()
            .filter(|i| **i == "SF-link-local-absolute")
            .count(),
        2,
        "{out}"
    );
    assert!(ids.contains(&"SF-symlink-outside"), "{out}");
    // The linked file's own broken link is not reported: it is never read.
    assert!(!out.contains("missing.md"), "{out}");
}

/// Found by the `skill_md` fuzz target's first run on the saved hostile inputs: a link
/// target `%0A::error …` was decoded into the message, and text and JUnit output printed
/// it as a line of its own, which GitHub Actions reads as a workflow command.
#[test]
fn decoded_newlines_in_messages_and_file_names_cannot_start_a_line() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("s");
    std::fs::create_dir_all(dir.join("references")).unwrap();
    std::fs::write(
        dir.join("SKILL.md"),
        "---\nname: s\ndescription: Tests forged lines. Use when testing.\n---\n# S\n\nSee [x](%0A::error%20title=forged::pwned) and [y](references/a%0D%0A::warning::z.md).\n",
    )
    .unwrap();
    std::fs::write(dir.join("references/odd\n::error::name.md"), "# Odd\n").unwrap();
    for format in ["text", "junit"] {
        let a = bin()
            .args(["lint", "--format", format])
            .arg(&dir)
            .assert()
            .code(1);
        let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
        assert!(out.contains("forged"), "{format}: {out}");
        for line in out.lines() {
            let l = line.trim_start();
            assert!(
                !l.starts_with("::"),
                "{format} printed a forged command line: {line:?}\n{out}"
            );
        }
    }
}

/// serde-saphyr words its limits with internal debug text (`budget breached: Nodes {
/// nodes: 250001 }`); every YAML loader now says what the limit means instead.
#[test]
fn yaml_limits_are_worded_for_people_in_every_loader() {
    let t = tempfile::tempdir().unwrap();
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (i, c) in ('b'..='h').enumerate() {
        let prev = (b'a' + i as u8) as char;
        bomb.push_str(&format!(
            "{c}: &{c} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    let file = t.path().join("bomb.yaml");
    std::fs::write(&file, &bomb).unwrap();
    let skill = t.path().join("s");
    std::fs::create_dir_all(&skill).unwrap();
    std::fs::write(
        skill.join("SKILL.md"),
        "---\nname: s\ndescription: Tests YAML limits. Use when testing.\n---\n# S\n",
    )
    .unwrap();
    for args in [
        vec![
            "test".to_string(),
            "--suite".into(),
            file.display().to_string(),
            skill.display().to_string(),
        ],
        vec![
            "new".to_string(),
            "docker-deployment".into(),
            "--answers".into(),
            file.display().to_string(),
            "--dir".into(),
            t.path().join("out").display().to_string(),
        ],
    ] {
        let a = bin().args(&args).assert().code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        assert!(err.contains("the YAML"), "{args:?}: {err}");
        assert!(
            !err.contains("{ ") && !err.contains("Budget"),
            "{args:?} shows debug text: {err}"
        );
    }
}

#[test]
fn a_blueprint_output_path_that_is_a_directory_is_refused_before_writing() {
    let t = tempfile::tempdir().unwrap();
    let bp = t.path().join("bp");
    // A custom blueprint: the embedded one with one output pointing at a directory.
    let lab = t.path().join("lab");
    std::fs::create_dir_all(&lab).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("skills/docker-deployment");
    copy_dir(&src, &bp.join("docker-deployment"));
    for bad in ["templates/.", "templates/", "templates/../x", "./SKILL.md"] {
        let yaml = bp.join("docker-deployment/skill.yaml");
        let orig = std::fs::read_to_string(src.join("skill.yaml")).unwrap();
        let changed = orig.replacen(
            "output: templates/compose.yaml",
            &format!("output: \"{bad}\""),
            1,
        );
        assert_ne!(orig, changed);
        std::fs::write(&yaml, changed).unwrap();
        let a = bin()
            .current_dir(&lab)
            .args([
                "new",
                "docker-deployment",
                "--yes",
                "--dir",
                "out",
                "--blueprints",
            ])
            .arg(&bp)
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        // The schema refuses most shapes; `templates/.` passes its pattern and is
        // refused when outputs are checked, still before anything is written.
        assert!(
            err.contains("template output") || err.contains("does not match"),
            "{bad}: {err}"
        );
        if bad == "templates/." {
            assert!(err.contains("template output"), "{err}");
        }
        assert!(
            !lab.join("out/docker-deployment").exists(),
            "{bad}: a partial skill was left"
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A custom blueprint: the embedded one with `extra` appended to SKILL.md.hbs.
fn blueprint_with_skill_md_suffix(root: &Path, extra: &str) -> std::path::PathBuf {
    let bp = root.join("bp");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("skills/docker-deployment");
    copy_dir(&src, &bp.join("docker-deployment"));
    let p = bp.join("docker-deployment/SKILL.md.hbs");
    let mut t = std::fs::read_to_string(&p).unwrap();
    t.push_str(extra);
    std::fs::write(&p, t).unwrap();
    bp
}

#[test]
fn recursive_partials_and_runaway_loops_are_input_errors_not_crashes() {
    let cases = [
        (
            "{{#*inline \"loop\"}}x{{> loop}}{{/inline}}{{> loop}}\n",
            "cycle",
        ),
        (
            "{{#*inline \"a\"}}{{> b}}{{/inline}}{{#*inline \"b\"}}{{> a}}{{/inline}}{{> a}}\n",
            "cycle",
        ),
        (
            "{{#each persona.priorities}}{{#each ../persona.priorities}}{{#each ../../persona.priorities}}{{#each ../../../persona.priorities}}{{#each ../../../../persona.priorities}}{{#each ../../../../../persona.priorities}}{{#each ../../../../../../persona.priorities}}{{this}} and {{this}}: 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}{{/each}}\n",
            "more than",
        ),
    ];
    for (extra, want) in cases {
        let t = tempfile::tempdir().unwrap();
        let bp = blueprint_with_skill_md_suffix(t.path(), extra);
        let lab = t.path().join("lab");
        std::fs::create_dir_all(&lab).unwrap();
        let a = bin()
            .current_dir(&lab)
            .args([
                "new",
                "docker-deployment",
                "--yes",
                "--dir",
                "out",
                "--blueprints",
            ])
            .arg(&bp)
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        assert!(err.contains(want), "{extra}: {err}");
        assert!(!lab.join("out/docker-deployment").exists());
    }
}

#[test]
fn a_flood_of_findings_on_one_long_line_is_windowed_and_summarised() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("flood");
    std::fs::create_dir_all(&dir).unwrap();
    let links: String = (0..10_000)
        .map(|i| format!("[x{i}](references/missing-{i}.md) "))
        .collect();
    std::fs::write(
        dir.join("SKILL.md"),
        format!("---\nname: flood\ndescription: A skill with a flood of broken links for tests.\n---\n# Flood\n\n{links}\n"),
    )
    .unwrap();
    let a = bin().arg("lint").arg(&dir).assert().code(1);
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    // Before: the whole 330 KB line was printed per finding (gigabytes).
    assert!(out.len() < 100_000, "text output is {} bytes", out.len());
    assert!(
        out.contains("… and 9980 more SF-link-broken"),
        "{}",
        &out[out.len().saturating_sub(600)..]
    );
    for line in out.lines() {
        assert!(
            line.chars().count() < 400,
            "an unwindowed line: {} chars",
            line.chars().count()
        );
    }
    // JSON keeps every finding.
    let a = bin()
        .args(["lint", "--format", "json"])
        .arg(&dir)
        .assert()
        .code(1);
    let v: serde_json::Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let broken = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "SF-link-broken")
        .count();
    assert_eq!(broken, 10_000);
}

/// A command running `skillforge` as a user that file permissions apply to: the
/// current user when not root (chmod 000 blocks it), else nobody (65534) through
/// `setpriv`, since permissions do not stop root. `None` (with the reason) when
/// neither is possible.
#[cfg(unix)]
fn unprivileged(home: &Path) -> Result<Command, String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    if euid != 0 {
        return Ok(bin());
    }
    let setpriv_ok = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !setpriv_ok {
        return Err("running as root and `setpriv` cannot drop to uid 65534".into());
    }
    let exe = assert_cmd::cargo::cargo_bin("skillforge");
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(exe)
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .current_dir(home)
        .timeout(Duration::from_secs(60));
    Ok(c)
}

/// Defect 14: an unreadable `references/` read as "does not exist" (broken links) and
/// unreadable files were skipped silently. Both are now reported with the OS's reason:
/// by `lint` as SF-unreadable errors (and links into the folder are not called broken),
/// by `test` as an input error (exit 2).
#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_reported_with_the_os_reason() {
    use std::os::unix::fs::PermissionsExt;
    let t = tempfile::tempdir().unwrap();
    // The other user must reach everything except what is made unreadable below.
    std::fs::set_permissions(t.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let home = t.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o777)).unwrap();
    let run = |args: &[&str]| match unprivileged(&home) {
        Ok(mut c) => Some(c.args(args).assert()),
        Err(why) => {
            println!("SKIPPED: {why}");
            None
        }
    };
    // One skill with an unreadable references/ folder, one with an unreadable file.
    let a = skillforge::blueprint::generate_default(&t.path().join("a")).unwrap();
    let b = skillforge::blueprint::generate_default(&t.path().join("b")).unwrap();
    let locked_dir = a.join("references");
    let locked_file = b.join("templates/Dockerfile");
    assert!(locked_dir.is_dir() && locked_file.is_file());
    std::fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(&locked_file, std::fs::Permissions::from_mode(0o000)).unwrap();

    let a_s = a.to_str().unwrap();
    let b_s = b.to_str().unwrap();
    let Some(out) = run(&["lint", "--format", "json", a_s, b_s]) else {
        return;
    };
    let out = out.code(1);
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    let unreadable: Vec<(String, String)> = diags
        .iter()
        .filter(|d| d["rule"] == "SF-unreadable")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (path, what) in [(&locked_dir, "list folder"), (&locked_file, "read")] {
        let found = unreadable
            .iter()
            .find(|(f, _)| Path::new(f).ends_with(path.strip_prefix(t.path()).unwrap()));
        let (_, msg) = found.unwrap_or_else(|| panic!("{} not reported: {json:#}", path.display()));
        assert!(
            msg.contains(what) && msg.to_lowercase().contains("permission denied"),
            "{msg}"
        );
    }
    // Links into the unreadable folder are not reported as missing files.
    assert!(
        !diags.iter().any(|d| d["rule"] == "SF-link-broken"),
        "{json:#}"
    );

    // `test` refuses to score a skill it cannot fully read (exit 2, path and reason).
    for (dir, path) in [(a_s, &locked_dir), (b_s, &locked_file)] {
        let Some(out) = run(&["test", "--lesson", "5", dir]) else {
            return;
        };
        let out = out.code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            err.contains(name) && err.to_lowercase().contains("permission denied"),
            "{err}"
        );
    }
    // Restore permissions so the temp dir can be removed.
    std::fs::set_permissions(&locked_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&locked_file, std::fs::Permissions::from_mode(0o644)).unwrap();
}
