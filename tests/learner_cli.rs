//! The learner's loop and shell citizenship through the binary: history and deltas,
//! `next`, `--watch`, discovery, `fetch` beside a skill, closed pipes, completions and
//! the man page, `--color`, `--format github`, usage hints, control characters.

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn sf(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("skillforge").unwrap();
    c.current_dir(cwd)
        .env("SKILLFORGE_CACHE_DIR", cwd.join(".cache-none"))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    c
}

/// A git skills-lab with the starter (or the complete skill) in .claude/skills.
fn lab(starter: bool) -> (tempfile::TempDir, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".git")).unwrap();
    std::fs::create_dir_all(t.path().join(".claude/skills")).unwrap();
    let mut c = sf(t.path());
    c.args(["new", "--yes"]);
    if starter {
        c.arg("--starter");
    }
    c.assert().success();
    let skill = t.path().join(".claude/skills/docker-deployment");
    (t, skill)
}

fn stdout_of(c: &mut Command) -> String {
    String::from_utf8(c.output().unwrap().stdout).unwrap()
}

fn append(path: &Path, text: &str) {
    let mut s = std::fs::read_to_string(path).unwrap();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

const DEBUGGING: &str = "
## Debugging

Work from the outside in when a container fails:

```bash
docker ps -a
docker logs --tail 50 app
docker inspect --format '{{.State.Status}} {{.State.ExitCode}}' app
docker exec -it app sh
```
";

#[test]
fn test_remembers_runs_and_shows_the_change() {
    let (t, skill) = lab(true);
    sf(t.path())
        .args(["test", "--lesson", "4"])
        .assert()
        .code(1)
        .stdout(contains("since the last run: lesson 4: "))
        .stdout(contains("(first run)"));
    let ignore = std::fs::read_to_string(t.path().join(".skillforge/.gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "*"), "{ignore}");
    sf(t.path())
        .args(["test", "--lesson", "4"])
        .assert()
        .stdout(contains("lesson 4: ").and(contains("(no change since the last run)")));
    append(&skill.join("SKILL.md"), DEBUGGING);
    let out = stdout_of(sf(t.path()).args(["test", "--lesson", "4"]));
    let line = out
        .lines()
        .find(|l| l.starts_with("since the last run: lesson 4: "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains(" → "), "{line}");
    assert!(
        regex::Regex::new(r"0\.\d\d → 0\.\d\d, \+\d+ assertions?$")
            .unwrap()
            .is_match(line),
        "{line}"
    );
    let h: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(t.path().join(".skillforge/history.json")).unwrap(),
    )
    .unwrap();
    let runs = &h["skills"][".claude/skills/docker-deployment"]["skill-first/4"];
    assert_eq!(runs.as_array().unwrap().len(), 3, "{h}");
    // --all shows only what changed; machine formats carry no delta text.
    sf(t.path())
        .args(["test", "--all"])
        .assert()
        .stdout(contains("since the last run:"));
    sf(t.path())
        .args(["test", "--lesson", "4", "--format", "json"])
        .assert()
        .stdout(contains("since the last run").not());
}

#[test]
fn next_names_the_lesson_its_prompts_and_top_misses() {
    let (t, _skill) = lab(true);
    sf(t.path())
        .arg("next")
        .assert()
        .success()
        .stdout(contains(" of 9 lessons pass"))
        .stdout(contains(
            "Next: Lesson 4: Container lifecycle and debugging",
        ))
        .stdout(contains("Its test prompts:"))
        .stdout(contains("Top 3 of"))
        .stdout(contains("docs:    https://docs.docker.com/"))
        .stdout(contains("skillforge test --lesson 4"));
    let out = stdout_of(sf(t.path()).args(["next", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "skillforge.next/v1");
    assert_eq!(v["next"]["lesson"], 4);
    assert_eq!(v["next"]["top_misses"].as_array().unwrap().len(), 3);
    assert!(
        v["next"]["top_misses"][0]["doc"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    let (t, _skill) = lab(false);
    let out = stdout_of(sf(t.path()).args(["next", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["next"].is_null() && v["lessons_passing"] == 9, "{v}");
    sf(t.path())
        .arg("next")
        .assert()
        .success()
        .stdout(contains("Every lesson passes"))
        .stdout(contains("--curriculum full"));
}

#[test]
fn discovery_is_shared_and_never_picks_silently() {
    let (t, _skill) = lab(true);
    // From a sub-directory of the lab: the one skill.
    let sub = t.path().join("app/src");
    std::fs::create_dir_all(&sub).unwrap();
    sf(&sub)
        .args(["test", "--lesson", "0", "--no-history"])
        .assert()
        .success();
    sf(&sub)
        .args(["new", "--yes", "--agent", "codex"])
        .assert()
        .success();
    for args in [
        vec!["test", "--lesson", "0"],
        vec!["next"],
        vec!["fetch", "--offline", "--update"],
    ] {
        sf(&sub)
            .args(&args)
            .assert()
            .code(2)
            .stderr(contains("2 skills found"))
            .stderr(contains(".claude/skills/docker-deployment"))
            .stderr(contains(".agents/skills/docker-deployment"));
    }
    // lint checks them all.
    sf(&sub)
        .arg("lint")
        .assert()
        .stdout(contains("2 skills checked"));
    // Nowhere to look: exit 2 with where it looked.
    let empty = tempfile::tempdir().unwrap();
    sf(empty.path())
        .args(["test", "--lesson", "0"])
        .assert()
        .code(2)
        .stderr(contains("no skill found"))
        .stderr(contains("skillforge new docker-deployment"));
}

#[test]
fn fetch_beside_a_new_skill_is_not_confused_by_its_folder() {
    let t = tempfile::tempdir().unwrap();
    sf(t.path()).args(["new", "--yes"]).assert().success();
    assert!(t.path().join("docker-deployment/SKILL.md").is_file());
    sf(t.path())
        .args(["fetch", "--offline"])
        .assert()
        .code(1)
        .stderr(contains("sources.yaml").not())
        .stdout(contains("missing from the cache"));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let (t, _skill) = lab(false);
    let bin = assert_cmd::cargo::cargo_bin("skillforge");
    for args in [
        vec!["test", "--lesson", "4", "--no-history"],
        vec!["lessons", "--curriculum", "full"],
        vec!["completions", "zsh"],
    ] {
        let mut child = std::process::Command::new(&bin)
            .args(&args)
            .current_dir(t.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -1`: read one line, then close the pipe.
        let mut first = String::new();
        let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
        reader.read_line(&mut first).unwrap();
        drop(reader);
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!first.is_empty());
        assert!(
            !err.contains("panicked") && err.is_empty(),
            "{args:?}: {err}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            assert!(
                out.status.success() || out.status.signal() == Some(libc_sigpipe()),
                "{args:?}: {:?}",
                out.status
            );
        }
    }
}

#[cfg(unix)]
fn libc_sigpipe() -> i32 {
    13
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let t = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        sf(t.path())
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(contains("skillforge"))
            .stdout(contains("lesson"))
            .stdout(contains("starter"));
    }
    sf(t.path()).args(["completions", "tcsh"]).assert().code(2);
    sf(t.path())
        .arg("man")
        .assert()
        .success()
        .stdout(contains(".TH skillforge 1"))
        .stdout(contains("completions"));
    sf(t.path())
        .args(["man", "--dir", "man1"])
        .assert()
        .success();
    let page = std::fs::read_to_string(t.path().join("man1/skillforge-test.1")).unwrap();
    assert!(
        page.contains("\\-\\-watch") || page.contains("watch"),
        "{page}"
    );
}

#[test]
fn color_flag_and_environment() {
    let (t, skill) = lab(true);
    let run = |color: Option<&str>, env: &[(&str, &str)]| {
        let mut c = sf(t.path());
        c.args(["test", "--lesson", "4", "--no-history"]);
        if let Some(w) = color {
            c.args(["--color", w]);
        }
        for (k, v) in env {
            c.env(k, v);
        }
        stdout_of(&mut c).contains('\x1b')
    };
    assert!(!run(None, &[]), "a pipe is not a terminal");
    assert!(run(Some("always"), &[]));
    assert!(run(Some("always"), &[("NO_COLOR", "1")]), "the flag wins");
    assert!(run(None, &[("CLICOLOR_FORCE", "1")]));
    assert!(!run(None, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
    assert!(!run(Some("never"), &[("CLICOLOR_FORCE", "1")]));
    // Global: also after the subcommand, and for lint.
    let lint = stdout_of(
        sf(t.path())
            .args(["lint", "--color", "always", "--profile", "strict"])
            .arg(&skill),
    );
    assert!(lint.contains('\x1b'), "{lint}");
}

#[test]
fn github_format_annotates_the_lines_misses_point_to() {
    let (t, _skill) = lab(true);
    let out = stdout_of(sf(t.path()).args(["test", "--lesson", "6", "--format", "github"]));
    assert!(out.lines().all(|l| l.starts_with("::")), "{out}");
    assert!(
        out.contains("::error file=.claude/skills/docker-deployment/"),
        "{out}"
    );
    // A miss with evidence carries its line (the Dockerfile template it judged).
    assert!(
        regex::Regex::new(r"::error file=[^,]+,line=\d+,title=lesson 6 ")
            .unwrap()
            .is_match(&out),
        "{out}"
    );
    assert!(out.contains("title=lesson 6::"), "{out}");
    assert!(out.contains("%0Ahint: "), "{out}");
}

#[test]
fn usage_slips_get_hints() {
    let (t, _skill) = lab(false);
    sf(t.path())
        .args(["test", "5"])
        .assert()
        .code(2)
        .stderr(contains("did you mean `--lesson 5`?"));
    sf(t.path())
        .args(["test", "--lesson", "9"])
        .assert()
        .code(2)
        .stderr(contains("`--curriculum full --lesson 9`"));
    let lessons = stdout_of(sf(t.path()).arg("lessons"));
    assert_eq!(lessons.matches("skill-first").count(), 1, "{lessons}");
    assert!(lessons.contains('…'), "long prompts are cut");
    assert!(
        lessons.lines().all(|l| l.chars().count() <= 140),
        "{lessons}"
    );
}

#[test]
fn control_characters_from_files_are_escaped_everywhere() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("evil");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("SKILL.md"),
        "---\nname: evil\ndescription: Docker help. Use when asked.\x1b]0;owned\x07\n---\n# Evil \x1b[2J\n\nSee [x](refs/\x1b[31mred\x1b[0m.md) and \u{202e}gnp.exe\n\n```dockerfile\nFROM python:latest\x1b[8m\nCMD python app.py\n```\n",
    )
    .unwrap();
    for args in [
        vec!["lint", "--color", "always"],
        vec!["lint", "--format", "github"],
        vec!["lint", "--format", "junit"],
        vec!["lint", "--format", "json"],
        vec!["test", "--lesson", "3", "--color", "always"],
        vec!["test", "--lesson", "3", "--format", "github"],
        vec!["test", "--lesson", "3", "--format", "junit"],
        vec!["test", "--lesson", "3", "--format", "json"],
        vec!["next", "--color", "always"],
    ] {
        let out = sf(t.path()).args(&args).arg(&dir).output().unwrap();
        let s = String::from_utf8_lossy(&out.stdout);
        for bad in ["\x1b]", "\x1b[2J", "\x1b[8m", "\x07", "\u{202e}"] {
            assert!(!s.contains(bad), "{args:?} printed {bad:?} raw:\n{s}");
        }
    }
}

#[test]
fn watch_reruns_on_save() {
    let (t, skill) = lab(true);
    let bin = assert_cmd::cargo::cargo_bin("skillforge");
    let mut child = std::process::Command::new(&bin)
        .args(["test", "--watch", "--lesson", "4", "--no-history"])
        .current_dir(t.path())
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for_score = |rx: &std::sync::mpsc::Receiver<String>| -> Option<String> {
        while let Ok(l) = rx.recv_timeout(Duration::from_secs(60)) {
            if l.starts_with("Lesson 4 score") {
                return Some(l);
            }
        }
        None
    };
    let first = wait_for_score(&rx);
    // The run's own reads of the files are not changes: no second run without a save.
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_millis(1500) {
        if let Ok(l) = rx.recv_timeout(Duration::from_millis(100)) {
            assert!(!l.starts_with("Lesson 4 score"), "re-ran without a save");
        }
    }
    append(&skill.join("SKILL.md"), DEBUGGING);
    let second = wait_for_score(&rx);
    let _ = child.kill();
    let _ = child.wait();
    let first = first.expect("first run");
    let second = second.expect("a second run after the save");
    assert!(first.contains("FAIL"), "{first}");
    assert_ne!(first, second, "the edit changed the score");
}
