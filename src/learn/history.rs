//! The run history of `skillforge test`: one record per skill, curriculum and lesson
//! in `<lab root>/.skillforge/history.json`, and the delta since the previous run
//! (`lesson 4: 0.50 → 0.75, +2 assertions`).
//!
//! The file is local state (git-ignored): a damaged one is set aside with a note,
//! never a reason for `test` to fail.

use crate::eval::{LessonResult, TestReport};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Runs kept per lesson.
const KEEP: usize = 20;
pub const HISTORY_FILE: &str = "history.json";

/// One recorded run of one lesson.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// UTC, RFC 3339.
    pub at: String,
    pub score: f64,
    pub passed: bool,
    pub assertions_passed: usize,
    pub assertions_failed: usize,
    /// Keys (`<prompt id>#<n>`) of the assertions that passed.
    #[serde(default)]
    pub passing: BTreeSet<String>,
}

/// The whole file: skill (path relative to the lab root) → `<curriculum>/<lesson>` → runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct History {
    pub version: u32,
    pub skills: BTreeMap<String, BTreeMap<String, Vec<Run>>>,
}

impl Run {
    pub fn of(l: &LessonResult, at: &str) -> Run {
        let mut passing = BTreeSet::new();
        for p in &l.prompts {
            for (i, a) in p.assertions.iter().enumerate() {
                if a.passed == Some(true) {
                    passing.insert(format!("{}#{}", p.id, i + 1));
                }
            }
        }
        Run {
            at: at.to_string(),
            score: l.score,
            passed: l.passed,
            assertions_passed: l.assertions_passed,
            assertions_failed: l.assertions_failed,
            passing,
        }
    }
}

/// The change of one lesson since its previous run.
#[derive(Debug, Clone, PartialEq)]
pub struct Delta {
    pub lesson: u32,
    pub before: Option<f64>,
    pub after: f64,
    /// Assertions that pass now and did not before.
    pub gained: usize,
    /// Assertions that passed before and fail now.
    pub lost: Vec<String>,
}

impl Delta {
    pub fn between(lesson: u32, prev: Option<&Run>, now: &Run) -> Delta {
        match prev {
            None => Delta {
                lesson,
                before: None,
                after: now.score,
                gained: 0,
                lost: vec![],
            },
            Some(p) => Delta {
                lesson,
                before: Some(p.score),
                after: now.score,
                gained: now.passing.difference(&p.passing).count(),
                lost: p.passing.difference(&now.passing).cloned().collect(),
            },
        }
    }

    pub fn changed(&self) -> bool {
        self.before.is_none_or(|b| (b - self.after).abs() > 1e-9)
            || self.gained > 0
            || !self.lost.is_empty()
    }

    /// `lesson 4: 0.50 → 0.75, +2 assertions` (or `(first run)`, `(no change)`).
    pub fn line(&self) -> String {
        let Some(before) = self.before else {
            return format!("lesson {}: {:.2} (first run)", self.lesson, self.after);
        };
        if !self.changed() {
            return format!(
                "lesson {}: {:.2} (no change since the last run)",
                self.lesson, self.after
            );
        }
        let plural = |n: usize| if n == 1 { "assertion" } else { "assertions" };
        let counts = match (self.gained, self.lost.len()) {
            (0, 0) => String::new(),
            (g, 0) => format!(", +{g} {}", plural(g)),
            (0, l) => format!(
                ", −{l} {} (now failing: {})",
                plural(l),
                self.lost.join(", ")
            ),
            (g, l) => format!(
                ", +{g} −{l} assertions (now failing: {})",
                self.lost.join(", ")
            ),
        };
        format!(
            "lesson {}: {before:.2} → {:.2}{counts}",
            self.lesson, self.after
        )
    }
}

fn now_utc() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The key of a skill in the history: its path relative to the lab root.
fn skill_key(root: &Path, skill_dir: &Path) -> String {
    let abs = std::path::absolute(skill_dir).unwrap_or_else(|_| skill_dir.to_path_buf());
    abs.strip_prefix(root)
        .unwrap_or(&abs)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Loads the history file (missing = empty). A file that does not parse is renamed
/// to `history.json.bad` so the next run starts clean; the returned note says so.
pub fn load(path: &Path) -> (History, Option<String>) {
    let Ok(bytes) = crate::fsutil::read_capped(path, 8 * 1024 * 1024) else {
        return (History::default(), None);
    };
    match serde_json::from_slice::<History>(&bytes) {
        Ok(h) => (h, None),
        Err(e) => {
            let bad = path.with_extension("json.bad");
            let _ = std::fs::rename(path, &bad);
            (
                History::default(),
                Some(format!(
                    "{} was unreadable ({e}); moved it to {} and started a new history",
                    path.display(),
                    bad.display()
                )),
            )
        }
    }
}

/// Records every lesson of `report` for the skill at `skill_dir` and returns the
/// deltas against each lesson's previous run, plus the history file's path.
pub fn record(
    skill_dir: &Path,
    report: &TestReport,
) -> crate::Result<(Vec<Delta>, PathBuf, Option<String>)> {
    let root = super::lab_root(skill_dir);
    let dir = super::state_dir(&root)?;
    let path = dir.join(HISTORY_FILE);
    // Two `test` runs finishing together (a --watch and a manual run) must both be kept.
    let _lock = Lock::acquire(&dir.join("history.lock"));
    let (mut h, note) = load(&path);
    h.version = 1;
    let at = now_utc();
    let per_skill = h.skills.entry(skill_key(&root, skill_dir)).or_default();
    let mut deltas = Vec::new();
    for l in &report.lessons {
        let runs = per_skill
            .entry(format!("{}/{}", report.curriculum, l.lesson))
            .or_default();
        let now = Run::of(l, &at);
        deltas.push(Delta::between(l.lesson, runs.last(), &now));
        runs.push(now);
        if runs.len() > KEEP {
            let cut = runs.len() - KEEP;
            runs.drain(..cut);
        }
    }
    let mut text = serde_json::to_string_pretty(&h)
        .map_err(|e| crate::Error::Other(format!("cannot serialise the history: {e}")))?;
    text.push('\n');
    crate::fsutil::write_atomic(&path, text.as_bytes())?;
    Ok((deltas, path, note))
}

/// A lock file held while the history is read, changed and written back. Taken with
/// `create_new` (atomic); waits up to 5 s, then takes over a lock older than 30 s (a
/// crashed run) or goes on without it (the history is a convenience, never a reason
/// to fail a test).
struct Lock(Option<PathBuf>);

impl Lock {
    fn acquire(path: &Path) -> Lock {
        let start = std::time::Instant::now();
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
            {
                Ok(_) => return Lock(Some(path.to_path_buf())),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = std::fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > std::time::Duration::from_secs(30));
                    if stale {
                        let _ = std::fs::remove_file(path);
                        continue;
                    }
                    if start.elapsed() > std::time::Duration::from_secs(5) {
                        return Lock(None);
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(_) => return Lock(None),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The "since the last run" block printed after a text report: every lesson for one
/// lesson; for several, the changed ones (or one line saying nothing changed).
pub fn render_deltas(deltas: &[Delta]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if deltas.len() == 1 {
        let _ = writeln!(out, "since the last run: {}", deltas[0].line());
        return out;
    }
    let changed: Vec<&Delta> = deltas.iter().filter(|d| d.changed()).collect();
    if changed.is_empty() {
        let _ = writeln!(out, "since the last run: no change");
    } else if changed.iter().all(|d| d.before.is_none()) {
        let _ = writeln!(out, "since the last run: first run of these lessons");
    } else {
        let _ = writeln!(out, "since the last run:");
        for d in changed.iter().filter(|d| d.before.is_some()) {
            let _ = writeln!(out, "  {}", d.line());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(score: f64, passing: &[&str]) -> Run {
        Run {
            at: "t".into(),
            score,
            passed: false,
            assertions_passed: passing.len(),
            assertions_failed: 0,
            passing: passing.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn delta_lines() {
        let a = run(0.5, &["p#1", "p#2"]);
        let b = run(0.75, &["p#1", "p#2", "p#3", "q#1"]);
        assert_eq!(
            Delta::between(4, Some(&a), &b).line(),
            "lesson 4: 0.50 → 0.75, +2 assertions"
        );
        assert_eq!(
            Delta::between(4, None, &a).line(),
            "lesson 4: 0.50 (first run)"
        );
        assert_eq!(
            Delta::between(4, Some(&a), &a).line(),
            "lesson 4: 0.50 (no change since the last run)"
        );
        let c = run(0.25, &["p#1"]);
        assert_eq!(
            Delta::between(4, Some(&a), &c).line(),
            "lesson 4: 0.50 → 0.25, −1 assertion (now failing: p#2)"
        );
    }

    #[test]
    fn concurrent_records_are_all_kept() {
        let t = tempfile::tempdir().unwrap();
        let skill = t.path().join(".claude/skills/s");
        std::fs::create_dir_all(&skill).unwrap();
        std::fs::write(
            skill.join("SKILL.md"),
            "---\nname: s\ndescription: Docker help. Use when asked.\n---\n# S\n",
        )
        .unwrap();
        let loaded = crate::skill::Skill::load(&skill).unwrap();
        let lib = crate::eval::Library::embedded().unwrap();
        let cur = lib.curriculum("skill-first").unwrap();
        let four: Vec<_> = cur.lessons.iter().filter(|l| l.number == 4).collect();
        let subject = crate::eval::Subject::from_skill(&loaded);
        let report = crate::eval::run::run(&lib, cur, &four, &subject, "s", 0.8);
        std::thread::scope(|sc| {
            for _ in 0..8 {
                sc.spawn(|| record(&skill, &report).unwrap());
            }
        });
        let (h, _) = load(&t.path().join(".skillforge/history.json"));
        assert_eq!(h.skills[".claude/skills/s"]["skill-first/4"].len(), 8);
        assert!(!t.path().join(".skillforge/history.lock").exists());
    }

    #[test]
    fn a_damaged_file_is_set_aside() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("history.json");
        std::fs::write(&p, "{not json").unwrap();
        let (h, note) = load(&p);
        assert!(h.skills.is_empty());
        assert!(note.unwrap().contains("history.json.bad"));
        assert!(t.path().join("history.json.bad").exists());
    }
}
