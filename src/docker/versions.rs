//! Versions data: the image and tool release lines a blueprint's templates use, with
//! their end-of-life dates (`skills/<blueprint>/versions.yaml`, validated by
//! `schemas/versions.schema.json`, compiled in).
//!
//! Two consumers:
//! - rendering: `versions.<id>.tag` (and `.image`, `.eol`, `.ref`, `.codename`) in the
//!   handlebars templates, and `{{versions.<id>.<field>}}` inside `skill.yaml` strings
//!   ([`Versions::substitute`]), so no template freezes a version;
//! - the `SF-docker-eol-base` lint rule ([`Versions::eol_findings`]): a FROM line whose
//!   Python/Node/Go/Alpine/Debian/distroless line is past its end of life.

use crate::docker::ImageRef;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::path::Path;
use std::sync::OnceLock;

/// The JSON Schema of versions.yaml.
pub const SCHEMA: &str = include_str!("../../schemas/versions.schema.json");
/// The docker-deployment blueprint's versions data, compiled in.
pub const BUNDLED: &str = include_str!("../../skills/docker-deployment/versions.yaml");

/// One release line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionEntry {
    pub id: String,
    pub image: String,
    pub tag: String,
    pub eol: Option<String>,
    pub source: String,
    pub as_of: String,
}

/// A parsed versions.yaml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versions {
    pub schema: String,
    pub as_of: String,
    pub images: Vec<VersionEntry>,
    /// [`Versions::entry_line`] of each entry, worked out on the first
    /// [`Versions::eol_findings`] (the data is not changed after it is loaded).
    #[serde(skip)]
    entry_lines: OnceLock<Vec<Option<Line>>>,
}

/// What a product line is called, for messages.
fn product_label(p: &str) -> &str {
    match p {
        "python" => "Python",
        "node" => "Node.js",
        "golang" => "Go",
        "alpine" => "Alpine",
        "debian" => "Debian",
        "distroless/static" => "distroless static/base/cc",
        "distroless/python3" => "distroless python3",
        "distroless/nodejs" => "distroless nodejs",
        other => other,
    }
}

/// A product line an image reference runs on: (`product`, `cycle` as written,
/// `cycle` as numbers for ordering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub product: String,
    pub cycle: String,
    pub order: Vec<u64>,
}

impl Line {
    fn new(product: &str, cycle: &str) -> Option<Line> {
        let order: Vec<u64> = cycle
            .trim_start_matches("debian")
            .split('.')
            .map(|p| p.parse::<u64>())
            .collect::<std::result::Result<_, _>>()
            .ok()?;
        if order.is_empty() {
            return None;
        }
        Some(Line {
            product: product.to_string(),
            cycle: cycle.to_string(),
            order,
        })
    }
}

/// Debian release number of a codename.
pub fn debian_number(codename: &str) -> Option<&'static str> {
    Some(match codename {
        "stretch" => "9",
        "buster" => "10",
        "bullseye" => "11",
        "bookworm" => "12",
        "trixie" => "13",
        "forky" => "14",
        _ => return None,
    })
}

fn debian_codename(number: &str) -> Option<&'static str> {
    [
        "stretch", "buster", "bullseye", "bookworm", "trixie", "forky",
    ]
    .into_iter()
    .find(|c| debian_number(c) == Some(number))
}

/// The leading `N` or `N.M` of a tag (`3.13-slim` → `3.13`, `24-alpine` → `24`).
fn leading_version(tag: &str, parts: usize) -> Option<String> {
    let mut out = String::new();
    let mut dots = 0;
    for c in tag.chars() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if c == '.' && dots + 1 < parts && out.chars().last().is_some_and(|l| l != '.') {
            dots += 1;
            out.push(c);
        } else {
            break;
        }
    }
    let out = out.trim_end_matches('.').to_string();
    (out.split('.').count() == parts && !out.is_empty()).then_some(out)
}

/// The product lines an image reference stands on: its language or distribution line
/// and the OS suite named in its tag (`-bookworm`, `-alpine3.21`, `-debian12`).
/// Images it cannot place give nothing (never a guess).
pub fn lines_of(r: &ImageRef) -> Vec<Line> {
    let mut out = Vec::new();
    let name = r.name.to_ascii_lowercase();
    if let Some(rest) = name.strip_prefix("gcr.io/distroless/") {
        // gcr.io/distroless/<variant>-debianN[:nonroot|debug|…]
        if let Some((variant, suite)) = rest.rsplit_once("-debian") {
            let suite = format!("debian{suite}");
            let product = match variant {
                "static" | "base" | "base-nossl" | "cc" => "distroless/static".to_string(),
                v if v.starts_with("nodejs") => {
                    if let Some(l) = Line::new("node", &v["nodejs".len()..]) {
                        out.push(l);
                    }
                    "distroless/nodejs".to_string()
                }
                v => format!("distroless/{v}"),
            };
            out.extend(Line::new(&product, &suite));
        }
        return out;
    }
    let Some(tag) = r.tag.as_deref() else {
        return out;
    };
    let tag = tag.to_ascii_lowercase();
    let short = name.rsplit('/').next().unwrap_or(&name);
    match short {
        "python" => out.extend(leading_version(&tag, 2).and_then(|v| Line::new("python", &v))),
        "node" => out.extend(leading_version(&tag, 1).and_then(|v| Line::new("node", &v))),
        "golang" => out.extend(leading_version(&tag, 2).and_then(|v| Line::new("golang", &v))),
        "alpine" => out.extend(leading_version(&tag, 2).and_then(|v| Line::new("alpine", &v))),
        "debian" => {
            let first = tag.split('-').next().unwrap_or("");
            let n = debian_number(first)
                .map(str::to_string)
                .or_else(|| leading_version(first, 1));
            out.extend(n.and_then(|n| Line::new("debian", &n)));
        }
        _ => {}
    }
    // The OS suite in the tag of any image (python:3.12-slim-bookworm, nginx:1-alpine3.21,
    // dhi.io/node:24-debian13).
    if short != "debian" && short != "alpine" {
        for seg in tag.split('-') {
            if let Some(n) = debian_number(seg) {
                out.extend(Line::new("debian", n));
            } else if let Some(n) = seg.strip_prefix("debian") {
                out.extend(Line::new("debian", n));
            } else if let Some(v) = seg.strip_prefix("alpine")
                && let Some(v) = leading_version(v, 2)
            {
                out.extend(Line::new("alpine", &v));
            }
        }
    }
    out
}

/// One end-of-life finding for an image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EolFinding {
    /// `Python 3.9`, `Debian 12`, …
    pub what: String,
    /// Why: the end-of-life date, or the oldest supported line it predates.
    pub why: String,
    /// A supported replacement line from the data, when there is one.
    pub instead: Option<String>,
}

impl Versions {
    /// Parses and validates versions.yaml text (schema, unique ids, real dates).
    pub fn parse(text: &str, origin: &Path) -> Result<Versions> {
        let value: Value = serde_saphyr::from_str(text).map_err(|e| {
            let (line, _, first) = crate::skill::yaml_error_summary(&e);
            let line = line as usize;
            Error::input_at(
                origin,
                line.max(1),
                format!("invalid YAML: {first}"),
                Some(
                    "versions.yaml must be a YAML mapping; see schemas/versions.schema.json".into(),
                ),
            )
        })?;
        let schema: Value = serde_json::from_str(SCHEMA)
            .map_err(|e| Error::Other(format!("internal: versions schema is not JSON: {e}")))?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| Error::Other(format!("internal: versions schema is invalid: {e}")))?;
        if let Some(err) = validator.iter_errors(&value).next() {
            let pointer = err.instance_path().to_string();
            let line = line_of_entry(text, &pointer);
            return Err(Error::input_at(
                origin,
                line,
                format!("{}: {err}", if pointer.is_empty() { "/" } else { &pointer }),
                Some("see schemas/versions.schema.json for the format".into()),
            ));
        }
        let v: Versions = serde_json::from_value(value)
            .map_err(|e| Error::input_at(origin, 1, format!("unexpected shape: {e}"), None))?;
        let mut seen = std::collections::BTreeSet::new();
        for (i, e) in v.images.iter().enumerate() {
            let line = line_of_entry(text, &format!("/images/{i}"));
            if !seen.insert(e.id.as_str()) {
                return Err(Error::input_at(
                    origin,
                    line,
                    format!("duplicate id `{}`", e.id),
                    Some("ids are the template keys (versions.<id>.tag): make each unique".into()),
                ));
            }
            for d in e.eol.iter().chain([&e.as_of]) {
                if time::Date::parse(
                    d,
                    &time::macros::format_description!("[year]-[month]-[day]"),
                )
                .is_err()
                {
                    return Err(Error::input_at(
                        origin,
                        line,
                        format!("`{d}` is not a real date (entry `{}`)", e.id),
                        Some("write dates as YYYY-MM-DD".into()),
                    ));
                }
            }
        }
        Ok(v)
    }

    /// The compiled-in data of the docker-deployment blueprint.
    pub fn bundled() -> &'static Versions {
        static V: OnceLock<Versions> = OnceLock::new();
        V.get_or_init(|| {
            // The file is validated by a unit test; an error here would be a build defect,
            // so fall back to no data rather than abort a lint run.
            Versions::parse(BUNDLED, Path::new("skills/docker-deployment/versions.yaml")).unwrap_or(
                Versions {
                    schema: String::new(),
                    as_of: String::new(),
                    images: Vec::new(),
                    entry_lines: OnceLock::new(),
                },
            )
        })
    }

    pub fn get(&self, id: &str) -> Option<&VersionEntry> {
        self.images.iter().find(|e| e.id == id)
    }

    /// `{id: {image, tag, eol, source, as_of, ref, codename?}}` for templates. `ref` is
    /// `image:tag`, or for distroless `image-tag` (the variant tag follows: `:nonroot`).
    pub fn context(&self) -> Value {
        let mut m = Map::new();
        for e in &self.images {
            let r = if e.image.starts_with("gcr.io/distroless/") {
                format!("{}-{}", e.image, e.tag)
            } else {
                format!("{}:{}", e.image, e.tag)
            };
            let mut o = json!({
                "image": e.image, "tag": e.tag, "eol": e.eol, "source": e.source,
                "as_of": e.as_of, "ref": r,
            });
            if e.image == "debian"
                && let Some(c) = debian_codename(&e.tag)
            {
                o["codename"] = json!(c);
            }
            m.insert(e.id.clone(), o);
        }
        Value::Object(m)
    }

    /// Replaces every `{{versions.<id>.<field>}}` in `s` (fields as in [`Self::context`]).
    /// Anything else between braces is left alone (Docker `--format` strings).
    pub fn substitute(&self, s: &str) -> std::result::Result<String, String> {
        const OPEN: &str = "{{versions.";
        if !s.contains(OPEN) {
            return Ok(s.to_string());
        }
        let ctx = self.context();
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find(OPEN) {
            out.push_str(&rest[..i]);
            let after = &rest[i + OPEN.len()..];
            let Some(end) = after.find("}}") else {
                return Err(format!("unclosed `{OPEN}` in `{s}`"));
            };
            let key = after[..end].trim();
            let (id, field) = key.split_once('.').unwrap_or((key, "tag"));
            let v = ctx.get(id).and_then(|o| o.get(field)).ok_or_else(|| {
                format!("`{{{{versions.{key}}}}}`: no such entry or field in versions.yaml")
            })?;
            match v {
                Value::String(t) => out.push_str(t),
                Value::Null => out.push_str("null"),
                other => out.push_str(&other.to_string()),
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The end-of-life date of a line, when the data lists it (the earliest date of the
    /// entries for that line), and whether it is listed at all. `lines` holds
    /// [`Self::entry_line`] of each entry, in order.
    fn listed(&self, lines: &[Option<Line>], line: &Line) -> (bool, Option<&str>) {
        let mut listed = false;
        let mut eol: Option<&str> = None;
        for (e, l) in self.images.iter().zip(lines) {
            if l.as_ref() == Some(line) {
                listed = true;
                if let Some(d) = e.eol.as_deref() {
                    eol = Some(eol.map_or(d, |x: &str| x.min(d)));
                }
            }
        }
        (listed, eol)
    }

    /// The primary line of an entry (its own product, not the suite it runs on).
    fn entry_line(&self, e: &VersionEntry) -> Option<Line> {
        let raw = if e.image.starts_with("gcr.io/distroless/") {
            format!("{}-{}:nonroot", e.image, e.tag)
        } else {
            format!("{}:{}", e.image, e.tag)
        };
        let lines = lines_of(&ImageRef::parse(&raw));
        // distroless nodejsNN lists the node line first; the entry is about the image.
        lines
            .iter()
            .find(|l| l.product.starts_with("distroless/"))
            .or_else(|| lines.first())
            .cloned()
    }

    /// The first supported entry of a product in file order (the template line is
    /// listed first), as `image:tag`.
    fn recommended(&self, lines: &[Option<Line>], product: &str, today: &str) -> Option<String> {
        self.images.iter().zip(lines).find_map(|(e, l)| {
            let l = l.as_ref()?;
            (l.product == product && e.eol.as_deref().is_none_or(|d| d > today)).then(|| {
                match e.eol.as_deref() {
                    Some(d) => format!(
                        "{} {} (supported until {d})",
                        product_label(product),
                        l.cycle
                    ),
                    None => format!("{} {}", product_label(product), l.cycle),
                }
            })
        })
    }

    /// The end-of-life findings for one image reference on `today` (`YYYY-MM-DD`).
    pub fn eol_findings(&self, r: &ImageRef, today: &str) -> Vec<EolFinding> {
        let mut out = Vec::new();
        let found = lines_of(r);
        if found.is_empty() {
            return out;
        }
        // Each entry's own line, worked out once for the data.
        let entries = self
            .entry_lines
            .get_or_init(|| self.images.iter().map(|e| self.entry_line(e)).collect());
        for line in found {
            let what = format!("{} {}", product_label(&line.product), line.cycle);
            let (listed, eol) = self.listed(entries, &line);
            let why = if listed {
                match eol {
                    Some(d) if d <= today => format!("end of life since {d}"),
                    _ => continue,
                }
            } else {
                // Older than every supported line of the product the data lists?
                let supported: Vec<Line> = self
                    .images
                    .iter()
                    .zip(entries)
                    .filter(|(e, _)| e.eol.as_deref().is_none_or(|d| d > today))
                    .filter_map(|(_, l)| l.clone())
                    .filter(|l| l.product == line.product)
                    .collect();
                let Some(oldest) = supported.iter().min_by(|a, b| a.order.cmp(&b.order)) else {
                    continue;
                };
                if line.order >= oldest.order {
                    continue;
                }
                format!(
                    "older than {} {}, the oldest line still supported",
                    product_label(&line.product),
                    oldest.cycle
                )
            };
            out.push(EolFinding {
                what,
                why,
                instead: self.recommended(entries, &line.product, today),
            });
        }
        out
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let d = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The 1-based line of a JSON pointer's list entry (`/images/3`) in the YAML text:
/// the n-th `- ` item under `images:`; 1 when unknown.
fn line_of_entry(text: &str, pointer: &str) -> usize {
    let idx = pointer
        .strip_prefix("/images/")
        .and_then(|r| r.split('/').next())
        .and_then(|n| n.parse::<usize>().ok());
    let Some(idx) = idx else {
        return 1;
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("- ") && !l.trim_start().starts_with("- #"))
        .nth(idx)
        .map(|(i, _)| i + 1)
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v() -> &'static Versions {
        Versions::bundled()
    }

    #[test]
    fn bundled_data_parses_and_has_every_template_id() {
        let parsed = Versions::parse(BUNDLED, Path::new("versions.yaml")).unwrap();
        assert_eq!(parsed.schema, "skillforge.versions/v1");
        for id in [
            "python",
            "node",
            "golang",
            "alpine",
            "debian",
            "uv",
            "distroless_static",
        ] {
            assert!(parsed.get(id).is_some(), "{id}");
        }
        assert_eq!(v().get("debian").map(|e| e.tag.as_str()), Some("13"));
        assert_eq!(v().context()["debian"]["codename"], "trixie");
        assert_eq!(
            v().context()["distroless_static"]["ref"],
            "gcr.io/distroless/static-debian13"
        );
    }

    #[test]
    fn bad_files_are_clear_input_errors() {
        let p = Path::new("v.yaml");
        let dup = "schema: skillforge.versions/v1\nas_of: \"2026-12-02\"\nimages:\n  - {id: a, image: a, tag: \"1\", eol: null, source: \"pypi:a\", as_of: \"2026-12-02\"}\n  - {id: a, image: b, tag: \"1\", eol: null, source: \"pypi:b\", as_of: \"2026-12-02\"}\n";
        let e = Versions::parse(dup, p).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("duplicate id"), "{e}");
        let bad_date = dup.replace("id: a, image: b", "id: b, image: b").replacen(
            "eol: null",
            "eol: \"2026-02-30\"",
            1,
        );
        let e = Versions::parse(&bad_date, p).unwrap_err();
        assert!(e.to_string().contains("not a real date"), "{e}");
        let bad_source = dup
            .replace("id: a, image: b", "id: b, image: b")
            .replace("pypi:a", "npm:a");
        let e = Versions::parse(&bad_source, p).unwrap_err();
        assert!(e.to_string().contains("/images/0"), "{e}");
    }

    #[test]
    fn substitute_fills_versions_and_leaves_docker_formats() {
        let s = v()
            .substitute("FROM python:{{versions.python.tag}}-slim-{{versions.debian.codename}} and {{.State.Health}}")
            .unwrap();
        assert_eq!(s, "FROM python:3.13-slim-trixie and {{.State.Health}}");
        assert!(v().substitute("{{versions.nope.tag}}").is_err());
        assert!(v().substitute("{{versions.python.tag").is_err());
    }

    #[test]
    fn lines_are_read_from_names_and_tags() {
        let l = |s: &str| -> Vec<(String, String)> {
            lines_of(&ImageRef::parse(s))
                .into_iter()
                .map(|l| (l.product, l.cycle))
                .collect()
        };
        let p = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            l("python:3.12-slim-bookworm"),
            vec![p("python", "3.12"), p("debian", "12")]
        );
        assert_eq!(
            l("node:22-alpine3.21"),
            vec![p("node", "22"), p("alpine", "3.21")]
        );
        assert_eq!(
            l("dhi.io/golang:1.25-debian13-dev"),
            vec![p("golang", "1.25"), p("debian", "13")]
        );
        assert_eq!(l("debian:bookworm-slim"), vec![p("debian", "12")]);
        assert_eq!(l("alpine:3.22"), vec![p("alpine", "3.22")]);
        assert_eq!(
            l("gcr.io/distroless/nodejs22-debian12:nonroot"),
            vec![p("node", "22"), p("distroless/nodejs", "debian12")]
        );
        assert_eq!(
            l("gcr.io/distroless/base-debian13"),
            vec![p("distroless/static", "debian13")]
        );
        assert_eq!(l("postgres:17-alpine"), vec![]);
        assert_eq!(l("python:3"), vec![]);
        assert_eq!(l("python"), vec![]);
        assert_eq!(l("nginx:1.27-bookworm"), vec![p("debian", "12")]);
    }

    #[test]
    fn eol_judgement_by_date_and_by_age() {
        let f = |s: &str, today: &str| -> Vec<String> {
            v().eol_findings(&ImageRef::parse(s), today)
                .into_iter()
                .map(|f| f.what)
                .collect()
        };
        let today = "2026-12-02";
        assert!(f("python:3.13-slim-trixie", today).is_empty());
        assert_eq!(f("python:3.12-slim-bookworm", today), vec!["Debian 12"]);
        assert_eq!(f("python:3.10-slim", today), vec!["Python 3.10"]);
        // Not listed, older than every supported line.
        assert_eq!(
            f("python:3.7-alpine3.12", today),
            vec!["Python 3.7", "Alpine 3.12"]
        );
        assert_eq!(f("node:18", today), vec!["Node.js 18"]);
        // Odd Node lines are listed with their own dates; 24 is not older than 25.
        assert_eq!(f("node:25-trixie-slim", today), vec!["Node.js 25"]);
        assert!(f("node:24-trixie-slim", today).is_empty());
        assert_eq!(f("golang:1.25-trixie", today), vec!["Go 1.25"]);
        assert!(f("golang:1.27-alpine3.24", today).is_empty());
        assert_eq!(f("alpine:3.21", today), vec!["Alpine 3.21"]);
        assert_eq!(f("debian:bullseye", today), vec!["Debian 11"]);
        assert_eq!(f("debian:10-slim", today), vec!["Debian 10"]);
        assert_eq!(
            f("gcr.io/distroless/python3-debian12:nonroot", today),
            vec!["distroless python3 debian12"]
        );
        assert_eq!(
            f("gcr.io/distroless/static-debian12", today),
            vec!["distroless static/base/cc debian12"]
        );
        assert!(f("gcr.io/distroless/static-debian13:nonroot", today).is_empty());
        assert_eq!(
            f("gcr.io/distroless/nodejs20-debian13", today),
            vec!["Node.js 20"]
        );
        // A newer line than the data knows is never guessed to be end of life.
        assert!(f("python:3.15-slim", today).is_empty());
        // Dates matter: Debian 12 was still supported in 2026-05.
        assert!(f("debian:12", "2026-05-01").is_empty());
        assert_eq!(f("debian:12", "2026-06-10"), vec!["Debian 12"]);
        // The suggestion is the line the templates use.
        let s = v().eol_findings(&ImageRef::parse("python:3.9"), today);
        assert_eq!(
            s[0].instead.as_deref(),
            Some("Python 3.13 (supported until 2029-10-31)")
        );
        assert!(s[0].why.contains("older than Python 3.11"), "{}", s[0].why);
    }

    #[test]
    fn today_is_an_iso_date() {
        let t = today();
        assert_eq!(t.len(), 10);
        assert!(t.as_str() > "2024-01-01");
    }
}
