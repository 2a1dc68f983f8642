//! Replays every saved fuzz input under `fuzz/regressions/<target>/` (crashes the
//! fuzzers found, fixed since, plus hand-made hostile inputs) through the same property
//! checks the fuzz targets run (`fuzz/checks.rs`), on stable Rust, in every `cargo test`.

#[path = "../fuzz/checks.rs"]
mod checks;

use std::path::Path;

type Check = fn(&[u8]);

fn replay(target: &str, check: Check) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
        .collect();
    files.sort();
    for f in &files {
        let data = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(
            outcome.is_ok(),
            "{target}: {} fails its properties again",
            f.display()
        );
    }
    files.len()
}

#[test]
fn skill_md_inputs() {
    assert!(replay("skill_md", checks::skill_md) > 0);
}

#[test]
fn dockerfile_inputs() {
    assert!(replay("dockerfile", checks::dockerfile) > 0);
}

#[test]
fn compose_yaml_inputs() {
    assert!(replay("compose_yaml", checks::compose_yaml) > 0);
}

#[test]
fn fetch_normalize_inputs() {
    assert!(replay("fetch_normalize", checks::fetch_normalize) > 0);
}

#[test]
fn suite_inputs() {
    assert!(replay("suite", checks::suite) > 0);
}
