//! `compose:` predicates over Compose files in scope: YAML code blocks or files
//! whose top level has `services:`, and files named `compose*.y(a)ml` /
//! `docker-compose*.y(a)ml`. All predicates must hold for ONE Compose file.

use super::subject::{CodeUnit, Evidence, Memo, Region, Subject};
use serde_json::Value;

/// Predicates of one `compose:` check.
#[derive(Debug, Clone, Default)]
pub struct ComposePreds {
    pub valid: Option<bool>,
    pub healthcheck: Option<bool>,
    pub depends_on_healthy: Option<bool>,
    pub named_volume: Option<bool>,
    pub services_min: Option<usize>,
    pub has_service_image: Vec<String>,
    pub secrets: Option<bool>,
    pub no_plaintext_secrets: Option<bool>,
}

pub const NAMES: &[&str] = &[
    "valid",
    "healthcheck",
    "depends_on_healthy",
    "named_volume",
    "services_min",
    "has_service_image",
    "secrets",
    "no_plaintext_secrets",
];

/// The facts of one Compose file.
#[derive(Debug, Clone, Default)]
pub struct ComposeFacts {
    /// The YAML parsed and has a `services` mapping whose services each have `image` or `build`.
    pub valid: bool,
    pub problem: Option<String>,
    pub services: Vec<String>,
    /// Image names (without tag) per service.
    pub images: Vec<String>,
    pub healthcheck: bool,
    pub depends_on_healthy: bool,
    pub named_volume: bool,
    pub secrets: bool,
    /// `environment` entries with secret-like names and a literal value.
    pub plaintext_secrets: Vec<String>,
}

fn is_compose_name(path: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    (base.starts_with("compose") || base.starts_with("docker-compose"))
        && (base.ends_with(".yaml") || base.ends_with(".yml"))
}

fn looks_like_compose(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("services:"))
}

fn secret_name(k: &str) -> bool {
    let k = k.to_ascii_uppercase();
    !k.ends_with("_FILE")
        && [
            "PASSWORD",
            "SECRET",
            "TOKEN",
            "API_KEY",
            "PRIVATE_KEY",
            "ACCESS_KEY",
        ]
        .iter()
        .any(|w| k.contains(w))
}

impl ComposeFacts {
    pub fn from_text(text: &str) -> ComposeFacts {
        let mut f = ComposeFacts::default();
        let v: Value = match serde_saphyr::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                f.problem = Some(crate::skill::yaml_error_summary(&e).2);
                return f;
            }
        };
        let Some(services) = v.get("services").and_then(Value::as_object) else {
            f.problem = Some("no `services` mapping".into());
            return f;
        };
        let mut valid = !services.is_empty();
        for (name, svc) in services {
            f.services.push(name.clone());
            let Some(svc) = svc.as_object() else {
                valid = false;
                continue;
            };
            if !svc.contains_key("image") && !svc.contains_key("build") {
                valid = false;
                f.problem = Some(format!("service `{name}` has neither image nor build"));
            }
            if let Some(img) = svc.get("image").and_then(Value::as_str) {
                let no_digest = img.split('@').next().unwrap_or(img);
                let slash = no_digest.rfind('/').map(|i| i + 1).unwrap_or(0);
                let name = match no_digest[slash..].find(':') {
                    Some(i) => &no_digest[..slash + i],
                    None => no_digest,
                };
                f.images.push(name.to_string());
            }
            if svc.get("healthcheck").is_some_and(|h| {
                h.get("test").is_some() && h.get("disable") != Some(&Value::Bool(true))
            }) {
                f.healthcheck = true;
            }
            if let Some(deps) = svc.get("depends_on").and_then(Value::as_object)
                && deps
                    .values()
                    .any(|d| d.get("condition").and_then(Value::as_str) == Some("service_healthy"))
            {
                f.depends_on_healthy = true;
            }
            if svc.get("secrets").is_some() {
                f.secrets = true;
            }
            match svc.get("environment") {
                Some(Value::Object(m)) => {
                    for (k, val) in m {
                        let lit = val.as_str().is_some_and(|s| !s.contains("${"));
                        if secret_name(k) && lit {
                            f.plaintext_secrets.push(k.clone());
                        }
                    }
                }
                Some(Value::Array(a)) => {
                    for e in a.iter().filter_map(Value::as_str) {
                        if let Some((k, val)) = e.split_once('=')
                            && secret_name(k)
                            && !val.contains("${")
                            && !val.is_empty()
                        {
                            f.plaintext_secrets.push(k.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(vols) = v.get("volumes").and_then(Value::as_object) {
            let named: Vec<&String> = vols.keys().collect();
            f.named_volume = !named.is_empty()
                && services.values().any(|svc| {
                    svc.get("volumes")
                        .and_then(Value::as_array)
                        .is_some_and(|a| {
                            a.iter().any(|m| {
                                let src = match m {
                                    Value::String(s) => s.split(':').next().unwrap_or(""),
                                    Value::Object(o) => {
                                        o.get("source").and_then(Value::as_str).unwrap_or("")
                                    }
                                    _ => "",
                                };
                                named.iter().any(|n| n.as_str() == src)
                            })
                        })
                });
        }
        if v.get("secrets").is_some() {
            f.secrets = true;
        }
        f.valid = valid;
        f
    }

    /// Failing predicate names.
    pub fn failures(&self, p: &ComposePreds) -> Vec<String> {
        let mut fail = Vec::new();
        if let Some(b) = p.valid {
            want(&mut fail, "valid", self.valid, b);
        }
        if let Some(b) = p.healthcheck {
            want(&mut fail, "healthcheck", self.healthcheck, b);
        }
        if let Some(b) = p.depends_on_healthy {
            want(&mut fail, "depends_on_healthy", self.depends_on_healthy, b);
        }
        if let Some(b) = p.named_volume {
            want(&mut fail, "named_volume", self.named_volume, b);
        }
        if let Some(n) = p.services_min
            && self.services.len() < n
        {
            fail.push(format!("services_min {n} (has {})", self.services.len()));
        }
        for img in &p.has_service_image {
            let got = self
                .images
                .iter()
                .any(|i| i == img || i.rsplit('/').next() == Some(img.as_str()));
            want(&mut fail, &format!("has_service_image {img}"), got, true);
        }
        if let Some(b) = p.secrets {
            want(&mut fail, "secrets", self.secrets, b);
        }
        if let Some(b) = p.no_plaintext_secrets {
            want(
                &mut fail,
                "no_plaintext_secrets",
                self.plaintext_secrets.is_empty(),
                b,
            );
        }
        fail
    }
}

fn want(fail: &mut Vec<String>, name: &str, got: bool, expected: bool) {
    if got != expected {
        fail.push(if expected {
            name.to_string()
        } else {
            format!("not {name}")
        });
    }
}

/// Every Compose file of the subject, parsed once.
pub fn all(s: &Subject) -> &[(usize, ComposeFacts)] {
    s.memo(Memo::Composes, |s| {
        s.code_units()
            .iter()
            .enumerate()
            .filter(|(_, u)| {
                u.lang == "yaml"
                    && !s.is_counter_example(u)
                    && (looks_like_compose(s.code_text(u))
                        || (u.whole_file && is_compose_name(&s.docs[u.doc].path)))
            })
            .map(|(i, u)| (i, ComposeFacts::from_text(s.code_text(u))))
            .collect::<Vec<_>>()
    })
    .map(Vec::as_slice)
    .unwrap_or(&[])
}

pub struct ComposeOutcome {
    pub ok: bool,
    pub evidence: Vec<Evidence>,
    pub note: Option<String>,
    /// The same in a reviewer's words.
    pub plain: Option<String>,
}

/// A failing predicate (as [`ComposeFacts::failures`] names it) in a reviewer's words.
pub fn plain(fail: &str) -> String {
    let (neg, name) = match fail.strip_prefix("not ") {
        Some(n) => (true, n),
        None => (false, fail),
    };
    let head = name.split_whitespace().next().unwrap_or(name);
    let arg = name[head.len()..].trim();
    match (head, neg) {
        ("valid", false) => "is not a valid Compose file (services need an image or a build)".into(),
        ("healthcheck", false) => "gives no service a healthcheck".into(),
        ("depends_on_healthy", false) => {
            "starts the app without waiting for a healthy dependency (depends_on: condition: service_healthy)".into()
        }
        ("named_volume", false) => "keeps data in no named volume".into(),
        ("services_min", _) => format!("has too few services ({arg})"),
        ("has_service_image", _) => format!("has no {arg} service"),
        ("secrets", false) => "uses no Compose secrets".into(),
        ("no_plaintext_secrets", false) => "writes a password or key in plain text".into(),
        _ => fail.replace('_', " "),
    }
}

fn head(s: &Subject, u: &CodeUnit) -> Evidence {
    Evidence {
        file: s.docs[u.doc].path.clone(),
        line: u.first_line,
    }
}

pub fn check(s: &Subject, regions: &[Region], p: &ComposePreds) -> ComposeOutcome {
    let units = s.code_units();
    let mut best: Option<(Vec<String>, Evidence)> = None;
    // In the order of the scope's regions: where a file is expected first is looked at
    // first (template files before inline blocks), so evidence points there.
    let mut candidates: Vec<(usize, &usize, _)> = all(s)
        .iter()
        .filter_map(|(ui, f)| {
            let u = &units[*ui];
            regions
                .iter()
                .position(|r| r.contains(u.doc, u.start, u.end))
                .map(|at| (at, ui, f))
        })
        .collect();
    candidates.sort_by_key(|c| c.0);
    for (_, ui, f) in candidates {
        let u = &units[*ui];
        let fail = f.failures(p);
        if fail.is_empty() {
            return ComposeOutcome {
                ok: true,
                evidence: vec![head(s, u)],
                note: None,
                plain: None,
            };
        }
        if best.as_ref().is_none_or(|(b, _)| fail.len() < b.len()) {
            best = Some((fail, head(s, u)));
        }
    }
    let (note, plain_note) = match best {
        Some((fail, at)) => (
            format!("closest Compose file {at} lacks: {}", fail.join(", ")),
            format!(
                "the closest Compose file ({at}) {}",
                fail.iter().map(|f| plain(f)).collect::<Vec<_>>().join("; ")
            ),
        ),
        None => (
            "no Compose file in scope".into(),
            "no Compose file (a compose.yaml template or a ```yaml block with services:)".into(),
        ),
    };
    ComposeOutcome {
        ok: false,
        evidence: Vec::new(),
        note: Some(note),
        plain: Some(plain_note),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STACK: &str = "services:\n  api:\n    build: .\n    environment:\n      DATABASE_URL: ${DATABASE_URL}\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:16\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n  cache:\n    image: redis:7-alpine\nvolumes:\n  pgdata:\n";

    #[test]
    fn compose_predicates_fire() {
        let f = ComposeFacts::from_text(STACK);
        let p = ComposePreds {
            valid: Some(true),
            healthcheck: Some(true),
            depends_on_healthy: Some(true),
            named_volume: Some(true),
            services_min: Some(3),
            has_service_image: vec!["postgres".into(), "redis".into()],
            no_plaintext_secrets: Some(true),
            ..Default::default()
        };
        assert!(f.failures(&p).is_empty(), "{:?}", f.failures(&p));
    }

    #[test]
    fn compose_predicates_do_not_fire() {
        let f = ComposeFacts::from_text(
            "services:\n  api:\n    image: api\n    environment:\n      - DB_PASSWORD=hunter2\n    depends_on: [db]\n  db:\n    image: postgres\n    volumes:\n      - ./data:/var/lib/postgresql/data\n",
        );
        let p = ComposePreds {
            healthcheck: Some(true),
            depends_on_healthy: Some(true),
            named_volume: Some(true),
            has_service_image: vec!["redis".into()],
            no_plaintext_secrets: Some(true),
            ..Default::default()
        };
        assert_eq!(f.failures(&p).len(), 5);
        assert!(!ComposeFacts::from_text("services: [a]\n").valid);
        assert!(!ComposeFacts::from_text("services:\n  a:\n    ports: [1]\n").valid);
    }

    #[test]
    fn finds_compose_blocks_in_scope() {
        let s = Subject::from_answer(&format!("```yaml\n{STACK}```\n"));
        let r = vec![s.whole(0)];
        let o = check(
            &s,
            &r,
            &ComposePreds {
                depends_on_healthy: Some(true),
                ..Default::default()
            },
        );
        assert!(o.ok);
        assert_eq!(o.evidence[0].line, 2);
        let s = Subject::from_answer("services: in prose\n");
        assert!(!check(&s, &[s.whole(0)], &ComposePreds::default()).ok);
    }
}
