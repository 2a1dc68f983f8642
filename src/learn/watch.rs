//! `skillforge test --watch`: re-runs the test on every save of the skill's files,
//! clearing the screen between runs (notify-debouncer-mini coalesces the burst of
//! events an editor's save produces into one run).

use crate::error::{Error, Result};
use crate::eval::TestArgs;
use notify_debouncer_mini::notify::RecursiveMode;
use std::io::IsTerminal;
use std::time::Duration;

/// Whether a changed path should trigger a run: not editor droppings (swap files,
/// backups, `4913` probes) and not skillforge's own state.
pub fn relevant(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    !(name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with('~')
        || name == "4913"
        || name.starts_with(".#")
        || path.components().any(|c| c.as_os_str() == ".skillforge"))
}

/// Size and modification time of every file of the skill (symlinks not followed,
/// 10,000 entries at most), to tell a save from a mere read.
pub fn snapshot(
    dir: &std::path::Path,
) -> Vec<(std::path::PathBuf, u64, Option<std::time::SystemTime>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.filter_map(|e| e.ok()) {
            if out.len() >= 10_000 {
                break;
            }
            let Ok(m) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            if m.is_dir() {
                stack.push(e.path());
            } else if relevant(&e.path()) {
                out.push((e.path(), m.len(), m.modified().ok()));
            }
        }
    }
    out.sort();
    out
}

/// Runs `test` now and again after each change, until interrupted (Ctrl-C).
pub fn watch_test(mut args: TestArgs) -> Result<u8> {
    args.watch = false;
    let path = crate::eval::resolve_skill_path(args.path.as_deref(), args.lesson)?;
    if !path.is_dir() {
        return Err(Error::usage_hint(
            format!(
                "--watch needs a skill directory; {} is not one",
                path.display()
            ),
            "pass the skill directory, e.g. .claude/skills/docker-deployment",
        ));
    }
    args.path = Some(path.clone());
    let (tx, rx) = std::sync::mpsc::channel();
    let mut debouncer = notify_debouncer_mini::new_debouncer(Duration::from_millis(250), tx)
        .map_err(|e| Error::Other(format!("cannot watch files: {e}")))?;
    debouncer
        .watcher()
        .watch(&path, RecursiveMode::Recursive)
        .map_err(|e| Error::io(&path, std::io::Error::other(e.to_string())))?;
    let clear = std::io::stdout().is_terminal();
    let shown = crate::lint::display_path(&path);
    loop {
        // Taken before the run, so a save during the run still triggers the next one.
        let before = snapshot(&path);
        if clear {
            crate::term::print_stdout("\x1b[2J\x1b[H");
        }
        if let Err(e) = crate::eval::run_test_once(&args) {
            eprintln!("{}", e.render());
        }
        eprintln!("watching {shown}/ — save a file to test again, Ctrl-C to stop");
        // Wait for a real change: the watcher also reports reads (the run we just
        // made opens every file), so a change is a difference in the files' sizes and
        // modification times. A channel error means the watcher is gone.
        loop {
            match rx.recv() {
                Ok(Ok(events)) if events.iter().any(|e| relevant(&e.path)) => {
                    if snapshot(&path) != before {
                        break;
                    }
                }
                Ok(Ok(_)) => continue,
                Ok(Err(e)) => eprintln!("note: file watching: {e}"),
                Err(_) => return Ok(0),
            }
        }
        // A second burst right after (editors write in steps): drain it.
        while rx.recv_timeout(Duration::from_millis(50)).is_ok() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_read_is_not_a_change_but_a_write_is() {
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("SKILL.md"), "a").unwrap();
        let before = snapshot(t.path());
        let _ = std::fs::read_to_string(t.path().join("SKILL.md")).unwrap();
        assert_eq!(snapshot(t.path()), before);
        std::fs::write(t.path().join("SKILL.md"), "ab").unwrap();
        assert_ne!(snapshot(t.path()), before);
    }

    #[test]
    fn editor_droppings_and_state_do_not_trigger() {
        assert!(relevant(Path::new("s/SKILL.md")));
        assert!(relevant(Path::new("s/templates/Dockerfile")));
        assert!(!relevant(Path::new("s/.SKILL.md.swp")));
        assert!(!relevant(Path::new("s/SKILL.md~")));
        assert!(!relevant(Path::new("s/4913")));
        assert!(!relevant(Path::new("lab/.skillforge/history.json")));
    }
}
