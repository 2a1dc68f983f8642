//! Scores must mean something: the static judge separates the generated skill from a
//! thin one, loses exactly the lessons whose capability is removed, and is not fooled
//! by keyword stuffing.

use regex::Regex;
use skillforge::eval::run::run_lesson;
use skillforge::eval::{Library, Subject};
use skillforge::skill::Skill;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const MIN: f64 = 0.8;

fn generated() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = skillforge::blueprint::generate_default(tmp.path())
        .unwrap_or_else(|e| panic!("generate_default: {}", e.render()));
    (tmp, dir)
}

/// Lesson number → score, for one curriculum.
fn scores(dir: &Path, curriculum: &str) -> BTreeMap<u32, f64> {
    let lib = Library::embedded().unwrap_or_else(|e| panic!("{}", e.render()));
    let cur = lib.curriculum(curriculum).expect("curriculum");
    let skill = Skill::load(dir).unwrap();
    let s = Subject::from_skill(&skill);
    cur.lessons
        .iter()
        .map(|l| (l.number, run_lesson(&lib, l, &s, MIN).score))
        .collect()
}

fn below(sc: &BTreeMap<u32, f64>) -> Vec<u32> {
    sc.iter()
        .filter(|(_, s)| **s < MIN)
        .map(|(l, _)| *l)
        .collect()
}

fn edit(path: &Path, f: impl Fn(&str) -> String) {
    let t = std::fs::read_to_string(path).unwrap();
    let n = f(&t);
    assert_ne!(t, n, "edit of {} changed nothing", path.display());
    std::fs::write(path, n).unwrap();
}

/// Drops lines matching `re`, with the continuation lines of a dropped line ending in `\`.
fn drop_lines(text: &str, re: &Regex) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        if skipping || re.is_match(line) {
            skipping = line.trim_end().ends_with('\\');
            continue;
        }
        out.push_str(line);
    }
    out
}

/// Removes a `## Heading` section (to the next `## ` heading).
fn drop_section(text: &str, heading: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("## ") {
            inside = line.trim_end() == heading;
        }
        if !inside {
            out.push_str(line);
        }
    }
    out
}

fn report(name: &str, sc: &BTreeMap<u32, f64>) -> String {
    let cells: Vec<String> = sc.iter().map(|(l, s)| format!("{l}:{s:.2}")).collect();
    format!("{name}: {}", cells.join(" "))
}

#[test]
fn generated_skill_passes_every_lesson_of_both_curricula() {
    let (_t, dir) = generated();
    for c in ["skill-first", "full"] {
        let sc = scores(&dir, c);
        assert!(!sc.is_empty());
        let low: Vec<String> = sc
            .iter()
            .filter(|(_, s)| **s < 0.9)
            .map(|(l, s)| format!("lesson {l}: {s:.2}"))
            .collect();
        assert!(low.is_empty(), "{c}: below 0.9: {low:?}");
    }
}

const THIN: &str = "---\nname: docker-deployment\ndescription: Docker help.\n---\nYou are a Docker expert. Write good Dockerfiles.\n";

#[test]
fn thin_skill_scores_low_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("docker-deployment");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("SKILL.md"), THIN).unwrap();
    for c in ["skill-first", "full"] {
        let sc = scores(&dir, c);
        let high: Vec<String> = sc
            .iter()
            .filter(|(_, s)| **s > 0.3)
            .map(|(l, s)| format!("lesson {l}: {s:.2}"))
            .collect();
        assert!(high.is_empty(), "{c}: thin skill above 0.3: {high:?}");
    }
}

#[test]
fn keyword_stuffing_does_not_pass_dockerfile_structure_or_scoped_checks() {
    let lib = Library::embedded().unwrap();
    // Every word of every assertion text and hint, on one line at the end of SKILL.md.
    let mut words = std::collections::BTreeSet::new();
    for t in lib.topics.values() {
        for p in &t.prompts {
            for a in &p.assertions {
                for w in a
                    .text
                    .split_whitespace()
                    .chain(a.hint.iter().flat_map(|h| h.split_whitespace()))
                {
                    words.insert(
                        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
                            .to_string(),
                    );
                }
            }
        }
    }
    let stuffed = format!(
        "{THIN}\n{}\n",
        words
            .into_iter()
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("docker-deployment");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("SKILL.md"), &stuffed).unwrap();
    let skill = Skill::load(&dir).unwrap();
    // lint flags the stuffing itself
    let cx = skillforge::lint::Ctx::new(skillforge::lint::Config::default());
    let diags = skillforge::lint::lint_skill(&cx, &skill);
    assert!(
        diags.iter().any(|d| d.rule == "SF-body-keyword-stuffing"),
        "lint did not flag the stuffing: {diags:?}"
    );
    let s = Subject::from_skill(&skill);
    let mut checked = 0;
    for t in lib.topics.values() {
        for p in &t.prompts {
            for a in &p.assertions {
                let Some(c) = &a.check else { continue };
                let kind = c.kind();
                let guarded = matches!(kind, "dockerfile" | "compose" | "structure" | "commands")
                    || is_scoped(c);
                if !guarded {
                    continue;
                }
                checked += 1;
                assert!(
                    !c.eval(&s).passed,
                    "stuffing passed {}/{}: {}",
                    t.id,
                    p.id,
                    a.text
                );
            }
        }
    }
    assert!(checked > 20, "only {checked} guarded assertions");
    // And the stuffed skill fails every lesson (it stays far below the threshold: at
    // most about a third of a lesson's weight is unscoped prose).
    for c in ["skill-first", "full"] {
        let sc = scores(&dir, c);
        let high: Vec<String> = sc
            .iter()
            .filter(|(_, s)| **s > 0.4)
            .map(|(l, s)| format!("lesson {l}: {s:.2}"))
            .collect();
        assert!(high.is_empty(), "{c}: stuffed skill above 0.4: {high:?}");
    }
}

/// True when every leaf of the check is a structural kind or narrowly scoped text.
fn is_scoped(c: &skillforge::eval::check::Check) -> bool {
    use skillforge::eval::check::Check as C;
    match c {
        C::AnyRegex(_, s) | C::AllRegex(_, s) => {
            s.is_narrow() && !matches!(s, skillforge::eval::scope::Scope::SkillMd)
        }
        C::Mentions { scope, .. } => {
            scope.is_narrow() && !matches!(scope, skillforge::eval::scope::Scope::SkillMd)
        }
        C::Dockerfile(..) | C::Compose(..) | C::Structure(_) | C::Commands { .. } => true,
        C::All(cs) => cs.iter().any(is_scoped),
        C::Any(cs) => cs.iter().all(is_scoped),
        C::Not(_) | C::Advises(..) => false,
    }
}

/// Removes a capability and checks that exactly the lessons that teach it fall below
/// the threshold (per curriculum), while every other lesson keeps passing.
fn ablation(remove: fn(&Path), skill_first: &[u32], full: &[u32]) {
    let (_t, dir) = generated();
    remove(&dir);
    for (c, want) in [("skill-first", skill_first), ("full", full)] {
        let sc = scores(&dir, c);
        assert_eq!(below(&sc), want.to_vec(), "{}", report(c, &sc));
    }
}

/// Health checks are taught in skill-first lesson 6 (hardening) and required by both
/// capstones (skill-first 8, full 13).
#[test]
fn removing_healthcheck_guidance_fails_hardening_and_capstones_only() {
    ablation(remove_healthcheck, &[6, 8], &[13]);
}

/// The debugging procedure is lesson 4 in both versions (full lesson 4 also teaches
/// OOM kills, whose reference goes with it).
#[test]
fn removing_the_debugging_section_fails_lesson_4_only() {
    ablation(remove_debugging, &[4], &[4]);
}

/// Multi-stage builds are lesson 5 in both versions; both capstones need an image under
/// 200 MB, which the single-stage template does not give.
#[test]
fn removing_the_multistage_template_stage_fails_lesson_5_and_capstones_only() {
    ablation(remove_multistage, &[5, 8], &[5, 13]);
}

/// Health-check guidance: every line about health checks in SKILL.md, the references
/// and the templates (HEALTHCHECK instructions with their continuation lines, Compose
/// `healthcheck:` keys and `service_healthy` conditions).
fn remove_healthcheck(dir: &Path) {
    let re = Regex::new(r"(?i)health").unwrap();
    let skill = Skill::load(dir).unwrap();
    edit(&dir.join("SKILL.md"), |t| drop_lines(t, &re));
    for f in &skill.files {
        let p = dir.join(&f.rel);
        let t = std::fs::read_to_string(&p).unwrap();
        if f.rel.ends_with("compose.yaml") {
            std::fs::write(&p, drop_yaml_blocks(&t, &re)).unwrap();
        } else if re.is_match(&t) {
            std::fs::write(&p, drop_lines(&t, &re)).unwrap();
        }
    }
}

/// Drops YAML lines matching `re` together with the more-indented lines under them.
fn drop_yaml_blocks(text: &str, re: &Regex) -> String {
    let mut out = String::new();
    let mut cut: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        if let Some(c) = cut {
            if line.trim().is_empty() || indent > c {
                continue;
            }
            cut = None;
        }
        if re.is_match(line) {
            cut = Some(indent);
            continue;
        }
        out.push_str(line);
    }
    out
}

/// The debugging procedure wherever the skill keeps it: the SKILL.md section and the
/// debugging reference (agents read references on demand, so both count).
fn remove_debugging(dir: &Path) {
    edit(&dir.join("SKILL.md"), |t| drop_section(t, "## Debugging"));
    std::fs::remove_file(dir.join("references/debugging-and-lifecycle.md")).unwrap();
}

/// The template's builder stage: keep only the final stage, without `COPY --from=builder`;
/// and the multi-stage Dockerfile blocks of SKILL.md and the references (a Dockerfile
/// counts wherever the skill keeps it).
fn remove_multistage(dir: &Path) {
    edit(&dir.join("templates/Dockerfile"), |t| {
        let last_from = t.rfind("\nFROM ").map(|i| i + 1).unwrap_or(0);
        let re = Regex::new(r"(?m)^COPY --from=builder.*\n").unwrap();
        let runtime = re.replace_all(&t[last_from..], "").into_owned();
        format!("# syntax=docker/dockerfile:1\n{runtime}")
    });
    let block = Regex::new(r"(?s)```(?:dockerfile|Dockerfile|docker)\n(.*?)```").unwrap();
    let skill = Skill::load(dir).unwrap();
    let mds = std::iter::once("SKILL.md".to_string()).chain(
        skill
            .files
            .iter()
            .filter(|f| f.rel.ends_with(".md"))
            .map(|f| f.rel.clone()),
    );
    for rel in mds {
        let p = dir.join(&rel);
        let t = std::fs::read_to_string(&p).unwrap();
        let n = block.replace_all(&t, |c: &regex::Captures| {
            if c[1].matches("\nFROM ").count() + usize::from(c[1].starts_with("FROM ")) >= 2 {
                String::new()
            } else {
                c[0].to_string()
            }
        });
        if n != t {
            std::fs::write(&p, n.as_ref()).unwrap();
        }
    }
}
