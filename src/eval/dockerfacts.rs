//! `dockerfile:` predicates, evaluated over the Docker facts of `crate::docker`
//! (one parse per Dockerfile per run). All predicates of a check must hold for ONE
//! Dockerfile in scope: a code block tagged `dockerfile`, or a Dockerfile file.

use super::subject::{CodeUnit, Evidence, Memo, Region, Subject};
use crate::docker::facts::{Dockerfile, ImageFamily, InstKind, Origin};

/// The parsed Dockerfile of one code unit.
pub type DockerfileFacts = Dockerfile;

/// Predicates of one `dockerfile:` check. `Some(b)` on a boolean means the fact must equal `b`.
#[derive(Debug, Clone, Default)]
pub struct DockerPreds {
    pub min_stages: Option<usize>,
    pub copy_from_stage: Option<bool>,
    pub final_user_non_root: Option<bool>,
    pub healthcheck: Option<bool>,
    pub exec_form_cmd: Option<bool>,
    pub base_image_family: Option<Vec<String>>,
    pub pinned_base: Option<bool>,
    pub uses_uv: Option<bool>,
    pub uv_locked: Option<bool>,
    pub cache_mount: Option<bool>,
    pub deps_before_source: Option<bool>,
    pub no_secrets_in_env: Option<bool>,
    pub copy_chown: Option<bool>,
    pub exposes: Option<Vec<String>>,
    pub has_env: Vec<String>,
    pub has_arg: Vec<String>,
    pub workdir: Option<bool>,
    pub passes_rules: Vec<String>,
    /// The language whose official base image some stage builds on (`python`, `node`, `go`).
    pub language: Option<Vec<String>>,
    /// Some stage starts from an external image with no tag or `:latest`.
    pub latest_base: Option<bool>,
    /// Some COPY/ADD from the build context brings model weights into the image.
    pub bakes_model: Option<bool>,
}

/// Predicate names accepted under `dockerfile:`.
pub const NAMES: &[&str] = &[
    "min_stages",
    "copy_from_stage",
    "final_user_non_root",
    "healthcheck",
    "exec_form_cmd",
    "base_image_family",
    "pinned_base",
    "uses_uv",
    "uv_locked",
    "cache_mount",
    "deps_before_source",
    "no_secrets_in_env",
    "copy_chown",
    "exposes",
    "has_env",
    "has_arg",
    "workdir",
    "passes_rules",
    "language",
    "latest_base",
    "bakes_model",
];

/// Languages accepted by `language`.
pub const LANGUAGES: &[&str] = &["python", "node", "go", "java", "rust", "dotnet", "ruby"];

/// The language of a base image, by its name (official images, distroless, DHI, uv).
pub fn image_language(name: &str, tag: Option<&str>) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    let short = name.rsplit('/').next().unwrap_or(&name);
    let tag = tag.unwrap_or("").to_ascii_lowercase();
    let pick = |s: &str| -> Option<&'static str> {
        Some(match s {
            s if s.starts_with("python") || s == "pypy" => "python",
            s if s.starts_with("node") => "node",
            "golang" | "go" => "go",
            s if s.starts_with("openjdk")
                || s.starts_with("eclipse-temurin")
                || s.starts_with("java")
                || s == "maven"
                || s == "gradle" =>
            {
                "java"
            }
            "rust" => "rust",
            s if s.starts_with("dotnet") || s == "aspnet" || s == "runtime" || s == "sdk" => {
                "dotnet"
            }
            "ruby" => "ruby",
            _ => return None,
        })
    };
    if name.ends_with("astral-sh/uv") {
        return tag.contains("python").then_some("python");
    }
    pick(short)
}

/// Whether a COPY/ADD source names model weights (by extension or a models/weights dir).
fn is_model_path(src: &str) -> bool {
    let lower = src.to_ascii_lowercase();
    const EXT: &[&str] = &[
        ".bin",
        ".safetensors",
        ".gguf",
        ".ggml",
        ".onnx",
        ".pt",
        ".pth",
        ".ckpt",
        ".h5",
        ".pkl",
        ".joblib",
    ];
    EXT.iter().any(|e| lower.ends_with(e))
        || lower
            .trim_end_matches('/')
            .split('/')
            .any(|seg| matches!(seg, "models" | "model" | "weights" | "checkpoints"))
}

/// Family names accepted by `base_image_family`.
pub const FAMILIES: &[&str] = &["slim", "alpine", "distroless", "dhi", "full", "scratch"];

fn family_name(f: ImageFamily) -> &'static str {
    match f {
        ImageFamily::Scratch => "scratch",
        ImageFamily::Distroless => "distroless",
        ImageFamily::Dhi => "dhi",
        ImageFamily::Alpine => "alpine",
        ImageFamily::Slim => "slim",
        ImageFamily::Full => "full",
    }
}

/// Every Dockerfile of the subject, parsed once: (code-unit index, facts). Blocks shown
/// as counter-examples ("avoid: …") are not Dockerfiles the skill recommends.
pub fn all(s: &Subject) -> &[(usize, DockerfileFacts)] {
    s.memo(Memo::Dockerfiles, |s| {
        s.code_units()
            .iter()
            .enumerate()
            .filter(|(_, u)| u.lang == "dockerfile")
            .filter(|(_, u)| !s.code_text(u).trim().is_empty() && !s.is_counter_example(u))
            .map(|(i, u)| {
                let origin = if u.whole_file {
                    Origin::File {
                        rel: s.docs[u.doc].path.clone(),
                    }
                } else {
                    Origin::Text
                };
                (i, Dockerfile::parse(s.code_text(u), origin, None))
            })
            .collect::<Vec<_>>()
    })
    .map(Vec::as_slice)
    .unwrap_or(&[])
}

/// Args of ENV/ARG anywhere (ARG before FROM included).
fn has_arg(df: &Dockerfile, key: &str) -> bool {
    df.global_args.iter().any(|k| k.key == key)
        || df.instructions().any(|(_, i)| match &i.kind {
            InstKind::Arg(kv) => kv.iter().any(|k| k.key == key),
            _ => false,
        })
}

/// 1-based line (within the Dockerfile text) of the first instruction satisfying `f`.
fn inst_line(df: &Dockerfile, f: impl Fn(&InstKind) -> bool) -> Option<usize> {
    df.instructions()
        .find(|(_, i)| f(&i.kind))
        .map(|(_, i)| i.local_line)
}

/// The Dockerfile rule with this id (ours, e.g. `SF-docker-untagged-base`, or a peer id
/// such as hadolint's `DL3006`).
fn rule_for(id: &str) -> Option<&'static crate::docker::rules::DockerRule> {
    crate::docker::rules::LOGIC.iter().find(|r| {
        r.id.eq_ignore_ascii_case(id) || r.peers.iter().any(|p| p.eq_ignore_ascii_case(id))
    })
}

/// Whether `passes_rules` can name this id.
pub fn rule_known(id: &str) -> bool {
    rule_for(id).is_some()
}

/// Whether lint reports this rule as an info (advice) rather than a warning or error.
fn is_info(id: &str) -> bool {
    crate::docker::rules::RULES
        .iter()
        .any(|r| r.id == id && r.severity == crate::report::Severity::Info)
}

/// Rule ids (as written in the suite) that fire on a Dockerfile, for `passes_rules`.
/// `test` and `lint` agree on severity: a rule lint reports as info is advice, and
/// does not make a Dockerfile fail.
fn failing_rules(df: &Dockerfile, ids: &[String]) -> Vec<String> {
    let hits = crate::docker::rules::check_dockerfile(df);
    ids.iter()
        .filter(|id| {
            rule_for(id).is_some_and(|r| !is_info(r.id) && hits.iter().any(|(rid, _)| *rid == r.id))
        })
        .cloned()
        .collect()
}

#[derive(Default)]
struct Acc {
    fail: Vec<String>,
    lines: Vec<usize>,
}

impl Acc {
    fn want(&mut self, name: &str, got: bool, expected: bool, line: Option<usize>) {
        if got == expected {
            if let Some(l) = line {
                self.lines.push(l);
            }
        } else {
            self.fail.push(if expected {
                name.to_string()
            } else {
                format!("not {name}")
            });
        }
    }
}

/// The failing predicate names for one Dockerfile, and evidence lines (local) of the
/// passing ones.
pub fn failures(df: &Dockerfile, p: &DockerPreds) -> (Vec<String>, Vec<usize>) {
    let mut acc = Acc::default();
    if let Some(n) = p.min_stages {
        let got = df.stage_count();
        if got >= n {
            acc.lines
                .push(df.stages.last().map(|s| s.local_line).unwrap_or(1));
        } else {
            acc.fail.push(format!("min_stages {n} (has {got})"));
        }
    }
    if let Some(b) = p.copy_from_stage {
        let l = inst_line(df, |k| matches!(k, InstKind::Copy(c) if c.from.is_some()));
        acc.want("copy_from_stage", df.copies_from_stage(), b, l);
    }
    if let Some(b) = p.final_user_non_root {
        let l = df
            .final_stage()
            .and_then(|s| s.last_user())
            .map(|(i, _)| i.local_line);
        acc.want("final_user_non_root", df.final_user_non_root(), b, l);
    }
    if let Some(b) = p.healthcheck {
        let l = inst_line(df, |k| matches!(k, InstKind::Healthcheck(_)));
        acc.want("healthcheck", df.has_healthcheck(), b, l);
    }
    if let Some(b) = p.exec_form_cmd {
        let l = inst_line(df, |k| {
            matches!(k, InstKind::Cmd(_) | InstKind::Entrypoint(_))
        });
        acc.want("exec_form_cmd", df.exec_form_cmd(), b, l);
    }
    if let Some(fams) = &p.base_image_family {
        let got = df.base_family().map(family_name);
        if got.is_some_and(|g| fams.iter().any(|f| f == g)) {
            acc.lines
                .push(df.final_stage().map(|s| s.local_line).unwrap_or(1));
        } else {
            acc.fail.push(format!(
                "base_image_family {} (final base is {})",
                fams.join("|"),
                got.unwrap_or("unknown")
            ));
        }
    }
    if let Some(b) = p.pinned_base {
        acc.want("pinned_base", df.pinned_base(), b, None);
    }
    if let Some(b) = p.uses_uv {
        acc.want("uses_uv", df.uses_uv(), b, None);
    }
    if let Some(b) = p.uv_locked {
        acc.want("uv_locked", df.uv_locked(), b, None);
    }
    if let Some(b) = p.cache_mount {
        acc.want("cache_mount", df.has_cache_mount(), b, None);
    }
    if let Some(b) = p.deps_before_source {
        acc.want(
            "deps_before_source",
            df.deps_before_source() == Some(true),
            b,
            None,
        );
    }
    if let Some(b) = p.no_secrets_in_env {
        let keys = df.secret_env_keys();
        acc.want("no_secrets_in_env", keys.is_empty(), b, None);
    }
    if let Some(b) = p.copy_chown {
        let l = inst_line(df, |k| matches!(k, InstKind::Copy(c) if c.chown.is_some()));
        acc.want("copy_chown", df.copy_chown(), b, l);
    }
    if let Some(ports) = &p.exposes {
        for port in ports {
            let l = inst_line(df, |k| matches!(k, InstKind::Expose(_)));
            acc.want(&format!("exposes {port}"), df.exposes(port), true, l);
        }
    }
    for key in &p.has_env {
        acc.want(&format!("has_env {key}"), df.has_env(key), true, None);
    }
    for key in &p.has_arg {
        acc.want(&format!("has_arg {key}"), has_arg(df, key), true, None);
    }
    if let Some(b) = p.workdir {
        let l = inst_line(df, |k| matches!(k, InstKind::Workdir(_)));
        acc.want("workdir", l.is_some(), b, l);
    }
    if let Some(langs) = &p.language {
        let got: Vec<&str> = df
            .stages
            .iter()
            .filter(|st| st.base_stage.is_none() && !st.image.has_variable())
            .filter_map(|st| image_language(&st.image.name, st.image.tag.as_deref()))
            .collect();
        if got.iter().any(|g| langs.iter().any(|l| l == g)) {
            acc.lines
                .push(df.stages.first().map(|s| s.local_line).unwrap_or(1));
        } else {
            acc.fail.push(format!(
                "language {} (bases are {})",
                langs.join("|"),
                if got.is_empty() {
                    "of no known language".to_string()
                } else {
                    got.join(", ")
                }
            ));
        }
    }
    if let Some(b) = p.latest_base {
        let st = df.stages.iter().find(|st| {
            !df.fragment
                && st.base_stage.is_none()
                && !st.image.is_scratch()
                && !st.image.has_variable()
                && !st.image.name.is_empty()
                && !st.image.is_pinned()
        });
        acc.want("latest_base", st.is_some(), b, st.map(|s| s.local_line));
    }
    if let Some(b) = p.bakes_model {
        let l = inst_line(
            df,
            |k| matches!(k, InstKind::Copy(c) if c.from.is_none() && c.sources.iter().any(|x| is_model_path(x))),
        );
        acc.want("bakes_model", l.is_some(), b, l);
    }
    if !p.passes_rules.is_empty() {
        let bad = failing_rules(df, &p.passes_rules);
        if !bad.is_empty() {
            acc.fail
                .push(format!("passes_rules (fails {})", bad.join(", ")));
        }
    }
    (acc.fail, acc.lines)
}

/// A failing predicate (as [`failures`] names it) in a reviewer's words.
pub fn plain(fail: &str) -> String {
    let (neg, name) = match fail.strip_prefix("not ") {
        Some(n) => (true, n),
        None => (false, fail),
    };
    let head = name.split_whitespace().next().unwrap_or(name);
    let arg = name[head.len()..].trim();
    let paren = |s: &str| -> String {
        s.split_once('(')
            .map(|(_, r)| r.trim_end_matches(')').to_string())
            .unwrap_or_default()
    };
    match (head, neg) {
        ("min_stages", _) => {
            let want = arg.split_whitespace().next().unwrap_or("2");
            let got = paren(arg).trim_start_matches("has ").to_string();
            if got == "1" {
                "has a single stage; a build stage and a separate runtime stage are expected".into()
            } else {
                format!("has {got} stages where {want} are expected")
            }
        }
        ("copy_from_stage", false) => "does not COPY --from an earlier stage".into(),
        ("final_user_non_root", false) => "still runs as root (no non-root USER before CMD)".into(),
        ("final_user_non_root", true) => "switches to a non-root user".into(),
        ("healthcheck", false) => "has no HEALTHCHECK".into(),
        ("exec_form_cmd", false) => {
            "starts the server with a shell-form CMD, not the JSON form".into()
        }
        ("base_image_family", _) => format!(
            "starts from a {} base where {} is expected",
            paren(arg)
                .trim_start_matches("final base is ")
                .replace("unknown", "unrecognised"),
            arg.split_whitespace()
                .next()
                .unwrap_or("")
                .replace('|', ", ")
        ),
        ("pinned_base", false) => "uses a base image without a pinned tag or digest".into(),
        ("uses_uv", false) => "does not install with uv".into(),
        ("uv_locked", false) => "runs uv sync without --locked (or --frozen)".into(),
        ("cache_mount", false) => "has no BuildKit cache mount".into(),
        ("deps_before_source", false) => {
            "copies the source before installing dependencies, so every code change reinstalls them"
                .into()
        }
        ("no_secrets_in_env", false) => "puts a secret in ENV or ARG".into(),
        ("copy_chown", false) => "copies the app files without --chown".into(),
        ("exposes", _) => format!("does not EXPOSE {arg}"),
        ("has_env", _) => format!("does not set ENV {arg}"),
        ("has_arg", _) => format!("declares no ARG {arg}"),
        ("workdir", false) => "sets no WORKDIR".into(),
        ("passes_rules", _) => format!(
            "gets lint findings: {}",
            paren(arg).trim_start_matches("fails ")
        ),
        ("language", _) => format!(
            "is not built on a {} image ({})",
            arg.split_whitespace()
                .next()
                .unwrap_or("")
                .replace('|', " or "),
            paren(arg)
        ),
        ("latest_base", true) => "uses an unpinned or :latest base image".into(),
        ("bakes_model", true) => "copies model weights into the image".into(),
        _ => fail.replace('_', " "),
    }
}

/// The outcome of a `dockerfile:` check over `regions`.
pub struct DockerOutcome {
    pub ok: bool,
    pub evidence: Vec<Evidence>,
    /// On a miss: the closest Dockerfile and what it lacks, or that none is in scope.
    pub note: Option<String>,
    /// The same in a reviewer's words.
    pub plain: Option<String>,
}

fn ev(s: &Subject, u: &CodeUnit, local: usize) -> Evidence {
    Evidence {
        file: s.docs[u.doc].path.clone(),
        line: u.first_line + local.saturating_sub(1),
    }
}

pub fn check(s: &Subject, regions: &[Region], p: &DockerPreds) -> DockerOutcome {
    let units = s.code_units();
    let mut best: Option<(Vec<String>, Evidence)> = None;
    // In the order of the scope's regions: where a file is expected first is looked at
    // first (template files before inline blocks), so evidence points there.
    let mut candidates: Vec<(usize, &usize, _)> = all(s)
        .iter()
        .filter_map(|(ui, df)| {
            let u = &units[*ui];
            regions
                .iter()
                .position(|r| r.contains(u.doc, u.start, u.end))
                .map(|at| (at, ui, df))
        })
        .collect();
    candidates.sort_by_key(|c| c.0);
    for (_, ui, df) in candidates {
        let u = &units[*ui];
        let (fail, lines) = failures(df, p);
        let head = ev(s, u, 1);
        if fail.is_empty() {
            let mut evidence = vec![head];
            for l in lines {
                let e = ev(s, u, l);
                if !evidence.contains(&e) {
                    evidence.push(e);
                }
            }
            return DockerOutcome {
                ok: true,
                evidence,
                note: None,
                plain: None,
            };
        }
        if best.as_ref().is_none_or(|(b, _)| fail.len() < b.len()) {
            best = Some((fail, head));
        }
    }
    let (note, plain_note) = match best {
        Some((fail, at)) => (
            format!("closest Dockerfile {at} lacks: {}", fail.join(", ")),
            format!(
                "the closest Dockerfile ({at}) {}",
                fail.iter().map(|f| plain(f)).collect::<Vec<_>>().join("; ")
            ),
        ),
        None => (
            "no Dockerfile in scope".to_string(),
            "no Dockerfile (a template file or a ```dockerfile block)".to_string(),
        ),
    };
    DockerOutcome {
        ok: false,
        evidence: Vec::new(),
        note: Some(note),
        plain: Some(plain_note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "# syntax=docker/dockerfile:1\nFROM python:3.12-slim AS builder\nCOPY --from=ghcr.io/astral-sh/uv:0.8.15 /uv /bin/\nWORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-install-project\nCOPY . .\nFROM python:3.12-slim\nARG VERSION=1\nENV PYTHONUNBUFFERED=1\nRUN useradd --system --uid 10001 app\nWORKDIR /app\nCOPY --from=builder --chown=app:app /app /app\nUSER app\nEXPOSE 8000\nHEALTHCHECK CMD [\"python\", \"-c\", \"print(1)\"]\nCMD [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\"]\n";
    const BAD: &str = "FROM python:latest\nENV API_TOKEN=abc\nCOPY . .\nRUN pip install uv && uv sync\nCMD uvicorn main:app\n";

    fn all_preds() -> DockerPreds {
        DockerPreds {
            min_stages: Some(2),
            copy_from_stage: Some(true),
            final_user_non_root: Some(true),
            healthcheck: Some(true),
            exec_form_cmd: Some(true),
            base_image_family: Some(vec!["slim".into()]),
            pinned_base: Some(true),
            uses_uv: Some(true),
            uv_locked: Some(true),
            cache_mount: Some(true),
            deps_before_source: Some(true),
            no_secrets_in_env: Some(true),
            copy_chown: Some(true),
            exposes: Some(vec!["8000".into()]),
            has_env: vec!["PYTHONUNBUFFERED".into()],
            has_arg: vec!["VERSION".into()],
            workdir: Some(true),
            passes_rules: Vec::new(),
            language: Some(vec!["python".into()]),
            latest_base: Some(false),
            bakes_model: Some(false),
        }
    }

    #[test]
    fn every_predicate_holds_on_a_good_dockerfile() {
        let df = Dockerfile::parse(GOOD, Origin::Text, None);
        let (fail, lines) = failures(&df, &all_preds());
        assert!(fail.is_empty(), "{fail:?}");
        assert!(
            lines.contains(&16),
            "HEALTHCHECK line is evidence: {lines:?}"
        );
    }

    #[test]
    fn every_predicate_fails_on_a_bad_dockerfile() {
        let df = Dockerfile::parse(BAD, Origin::Text, None);
        let (fail, _) = failures(&df, &all_preds());
        // uses_uv holds (uv is installed with pip), python is the language and no model
        // is copied; every other predicate fails.
        let n = NAMES.len() - 4; // minus uses_uv, language, bakes_model, passes_rules (empty)
        assert_eq!(fail.len(), n, "{fail:?}");
        assert!(!fail.iter().any(|f| f == "uses_uv"));
    }

    #[test]
    fn passes_rules_accepts_our_ids_and_peer_ids() {
        assert!(rule_known("DL3007") || rule_known("SF-docker-untagged-base"));
        assert!(!rule_known("NOPE-1"));
        let id = crate::docker::rules::LOGIC
            .iter()
            .find(|r| r.id.contains("latest"))
            .map(|r| r.id.to_string())
            .expect("a latest-tag rule");
        let p = DockerPreds {
            passes_rules: vec![id],
            ..Default::default()
        };
        let bad = Dockerfile::parse(BAD, Origin::Text, None);
        assert_eq!(failures(&bad, &p).0.len(), 1);
        let good = Dockerfile::parse(GOOD, Origin::Text, None);
        assert!(failures(&good, &p).0.is_empty());
        // An info-level rule (lint calls it advice) never fails a Dockerfile in `test`.
        let info = DockerPreds {
            passes_rules: vec!["SF-docker-no-healthcheck".into()],
            ..Default::default()
        };
        assert!(failures(&bad, &info).0.is_empty());
    }
}
