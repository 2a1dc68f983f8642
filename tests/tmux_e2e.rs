//! The learner's loop end to end in a real terminal, driven through tmux: `new
//! --starter` with the questions answered by key presses, `next`, edits, `test` with
//! the change since the last run, … until every lesson passes. Also Ctrl-C and
//! Ctrl-D at a question. Says SKIPPED when tmux is not installed (`.ci/run` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    target: String,
}

impl Tmux {
    fn start(cwd: &Path, env: &[(&str, String)]) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("SKIPPED: tmux is not installed (apt-get install tmux)");
            return None;
        }
        let socket = format!(
            "skillforge-e2e-{}-{}",
            std::process::id(),
            cwd.file_name().unwrap().to_string_lossy()
        );
        let mut c = Command::new("tmux");
        c.args([
            "-L",
            &socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "160",
            "-y",
            "50",
        ]);
        for (k, v) in env {
            c.env(k, v);
        }
        c.arg("-c").arg(cwd).args(["bash", "--norc", "--noprofile"]);
        assert!(c.status().unwrap().success(), "tmux new-session");
        let t = Tmux {
            socket,
            target: "0".into(),
        };
        t.keys(&["export PS1='$ '", "Enter"]);
        Some(t)
    }

    fn tmux(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    fn keys(&self, keys: &[&str]) {
        let ok = self
            .tmux()
            .args(["send-keys", "-t", &self.target])
            .args(keys)
            .status()
            .unwrap()
            .success();
        assert!(ok, "send-keys {keys:?}");
    }

    /// Types a command line and presses Enter.
    fn run(&self, line: &str) {
        self.clear();
        self.keys(&["-l", line]);
        self.keys(&["Enter"]);
    }

    fn clear(&self) {
        self.keys(&["clear", "Enter"]);
        std::thread::sleep(Duration::from_millis(150));
        let _ = self
            .tmux()
            .args(["clear-history", "-t", &self.target])
            .status();
    }

    fn screen(&self) -> String {
        let out = self
            .tmux()
            .args([
                "capture-pane",
                "-p",
                "-J",
                "-S",
                "-3000",
                "-t",
                &self.target,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `line` and waits for it to end; returns the screen (ends `EXIT=<code>`).
    fn run_wait(&self, line: &str) -> String {
        self.run(&format!("{line}; echo EXIT=$?"));
        self.wait_for("\nEXIT=")
    }

    /// Waits until the screen contains `needle` (60 s at most) and returns it.
    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(!s.contains("command not found"), "{s}");
            assert!(
                start.elapsed() < Duration::from_secs(45),
                "timed out waiting for {needle:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_skillforge"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn session(lab: &Path) -> Option<Tmux> {
    let path = format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Tmux::start(
        lab,
        &[
            ("PATH", path),
            ("NO_COLOR", "1".into()),
            ("TERM", "xterm-256color".into()),
            (
                "SKILLFORGE_CACHE_DIR",
                lab.join(".cache-none").display().to_string(),
            ),
        ],
    )
}

fn new_lab() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join(".git")).unwrap();
    std::fs::create_dir_all(t.path().join(".claude/skills")).unwrap();
    t
}

/// The section `## <title>` of a SKILL.md (up to the next `## `).
fn section(md: &str, title: &str) -> String {
    let start = md
        .find(&format!("\n## {title}"))
        .unwrap_or_else(|| panic!("no section {title}"));
    let rest = &md[start + 1..];
    let end = rest[3..].find("\n## ").map(|i| i + 4).unwrap_or(rest.len());
    rest[..end].to_string()
}

fn copy_tree(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dst).unwrap();
            copy_tree(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

#[test]
fn a_learner_grows_the_starter_until_every_lesson_passes() {
    let lab = new_lab();
    let Some(tm) = session(lab.path()) else {
        return;
    };
    // new --starter: two questions, answered with the keyboard.
    tm.run("skillforge new docker-deployment --starter; echo EXIT=$?");
    let s = tm.wait_for("[1/2]");
    assert!(s.contains("› fastapi") && s.contains("(default)"), "{s}");
    tm.keys(&["Down"]);
    tm.wait_for("› flask");
    tm.keys(&["Up"]);
    tm.wait_for("› fastapi");
    tm.keys(&["Enter"]);
    let s = tm.wait_for("[2/2]");
    assert!(s.contains("✔ [1/2]") && s.contains("fastapi"), "{s}");
    tm.keys(&["Enter"]);
    let s = tm.wait_for("\nEXIT=");
    assert!(s.contains("\nEXIT=0"), "{s}");
    assert!(s.contains("created skill `docker-deployment`"), "{s}");
    assert!(!s.contains('\u{1b}'), "{s}");
    let skill = lab.path().join(".claude/skills/docker-deployment");
    assert!(skill.join("SKILL.md").is_file());

    // The complete skill is the learner's model answer for the edits.
    let model = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_skillforge"))
        .args(["new", "--yes", "--offline", "--dir"])
        .arg(model.path())
        .env("SKILLFORGE_CACHE_DIR", model.path().join(".cache-none"))
        .output()
        .unwrap();
    assert!(status.status.success());
    let model_dir = model.path().join("docker-deployment");
    let model_md = std::fs::read_to_string(model_dir.join("SKILL.md")).unwrap();

    // Edits in the order a learner would make them, one per round.
    let edits: Vec<Box<dyn Fn()>> = vec![
        Box::new(|| {
            let mut md = std::fs::read_to_string(skill.join("SKILL.md")).unwrap();
            md.push('\n');
            md.push_str(&section(&model_md, "Debugging"));
            std::fs::write(skill.join("SKILL.md"), md).unwrap();
        }),
        Box::new(|| copy_tree(&model_dir.join("templates"), &skill.join("templates"))),
        Box::new(|| copy_tree(&model_dir.join("references"), &skill.join("references"))),
        Box::new(|| {
            std::fs::copy(model_dir.join("SKILL.md"), skill.join("SKILL.md"))
                .map(|_| ())
                .unwrap()
        }),
    ];
    let mut deltas = Vec::new();
    let mut round = 0;
    loop {
        let s = tm.run_wait("skillforge next");
        assert!(s.contains("\nEXIT=0"), "{s}");
        if s.contains("Every lesson passes") {
            break;
        }
        let lesson: u32 = s
            .split("Next: Lesson ")
            .nth(1)
            .and_then(|r| r.split(':').next())
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{s}"));
        assert!(s.contains("Top ") && s.contains("docs:"), "{s}");
        // Test first (recorded), edit, test again: the change is shown.
        tm.run_wait(&format!("skillforge test --lesson {lesson}"));
        assert!(round < edits.len(), "ran out of edits at lesson {lesson}");
        edits[round]();
        round += 1;
        let s = tm.run_wait(&format!("skillforge test --lesson {lesson}"));
        let line = s
            .lines()
            .find(|l| l.starts_with(&format!("since the last run: lesson {lesson}: ")))
            .unwrap_or_else(|| panic!("no delta line:\n{s}"))
            .to_string();
        deltas.push(line);
    }
    eprintln!("rounds: {round}; deltas: {deltas:#?}");
    assert!(
        deltas
            .iter()
            .any(|d| d.contains(" → ") && d.contains(", +")),
        "{deltas:?}"
    );
    let s = tm.run_wait("skillforge test --all");
    assert!(
        s.contains("9 lessons pass.") && s.contains("\nEXIT=0"),
        "{s}"
    );
}

#[test]
fn ctrl_c_and_ctrl_d_at_a_question_write_nothing() {
    let lab = new_lab();
    let Some(tm) = session(lab.path()) else {
        return;
    };
    tm.run("skillforge new; echo EXIT=$?");
    tm.wait_for("[1/5]");
    tm.keys(&["Down"]);
    // Keys the menu does not know (an escape sequence, letters) are not echoed.
    tm.keys(&["F5", "x", "Enter"]);
    let s = tm.wait_for("[2/5]");
    assert!(s.contains("✔ [1/5]") && s.contains("flask"), "{s}");
    tm.keys(&["C-c"]);
    let s = tm.wait_for("\nEXIT=");
    assert!(
        s.contains("EXIT=130") && s.contains("nothing was written"),
        "{s}"
    );
    tm.run("skillforge new; echo EXIT=$?");
    tm.wait_for("[1/5]");
    tm.keys(&["C-d"]);
    let s = tm.wait_for("\nEXIT=");
    assert!(s.contains("EXIT=2") && s.contains("cancelled"), "{s}");
    let skills: Vec<_> = std::fs::read_dir(lab.path().join(".claude/skills"))
        .unwrap()
        .collect();
    assert!(skills.is_empty());
    assert!(!lab.path().join(".skillforge").exists());
}
