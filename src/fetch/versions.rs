//! Live versions: `skills/<blueprint>/versions.yaml` (format `skillforge.versions/v1`:
//! `images: [{id, image, tag, eol, source, as_of}]`) refreshed by `fetch` from the
//! projects' own release data, the endoflife.date JSON API (`endoflife:<product>` →
//! `https://endoflife.date/api/<product>.json`) and PyPI (`pypi:<package>` →
//! `https://pypi.org/pypi/<package>/json`). The pages are fetched like docs pages
//! (politeness, robots.txt, cache, conditional GET); the refreshed copy is written to
//! the cache (`<cache>/versions/<blueprint>.versions.yaml`), never over the bundled file,
//! and `new` prefers it when present.
//!
//! The refresh edits the text line by line, so comments and layout survive:
//! - endoflife: the cycle matching `tag` (by cycle, or by codename for Debian) gives
//!   `eol` (a date, or `null` while no date is set);
//! - PyPI: the latest release replaces `tag`, keeping as many components as the tag
//!   has (`0.8` → `0.9` when 0.9.2 is out; `0.8.15` → `0.9.2`);
//! - `as_of` of every refreshed entry, and of the file, becomes today.

use super::cache;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name of versions data in a blueprint.
pub const FILE: &str = "versions.yaml";

/// Where the refreshed copy of a blueprint's versions data lives in the cache.
pub fn refreshed_path(cache_dir: &Path, blueprint: &str) -> PathBuf {
    cache_dir
        .join("versions")
        .join(format!("{blueprint}.{FILE}"))
}

/// The refreshed copy (path, text) when `fetch` has written one.
pub fn refreshed(cache_dir: &Path, blueprint: &str) -> Option<(PathBuf, String)> {
    let p = refreshed_path(cache_dir, blueprint);
    let text = std::fs::read_to_string(&p).ok()?;
    valid(&text).then_some((p, text))
}

/// A refreshed copy chosen by `new` for this process: (blueprint, text).
static OVERRIDE: std::sync::Mutex<Option<(String, String)>> = std::sync::Mutex::new(None);

/// Makes the built-in blueprint `blueprint` read `text` as its versions.yaml for the
/// rest of this process (`new` with a refreshed copy in the cache).
pub fn use_for(blueprint: &str, text: String) {
    if let Ok(mut o) = OVERRIDE.lock() {
        *o = Some((blueprint.to_string(), text));
    }
}

/// The versions text chosen with [`use_for`] for `blueprint`, if any.
pub fn override_for(blueprint: &str) -> Option<String> {
    OVERRIDE
        .lock()
        .ok()?
        .as_ref()
        .filter(|(b, _)| b == blueprint)
        .map(|(_, t)| t.clone())
}

/// The `as_of` date of versions text.
pub fn as_of(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("as_of:").map(unquote))
}

/// The release-data URL of a `source` value.
pub fn source_url(source: &str) -> Option<String> {
    let (kind, name) = source.split_once(':')?;
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !ok {
        return None;
    }
    match kind {
        "endoflife" => Some(format!("https://endoflife.date/api/{name}.json")),
        "pypi" => Some(format!("https://pypi.org/pypi/{name}/json")),
        _ => None,
    }
}

/// One entry of versions.yaml, with the line numbers of its fields.
#[derive(Debug, Default, Clone)]
struct Entry {
    id: String,
    tag: Option<(usize, String)>,
    eol: Option<(usize, String)>,
    source: Option<String>,
    as_of: Option<usize>,
}

fn unquote(v: &str) -> String {
    let v = v.split(" #").next().unwrap_or(v).trim();
    v.trim_matches('"').trim_matches('\'').to_string()
}

fn entries(text: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if let Some(id) = t.strip_prefix("- id:") {
            out.push(Entry {
                id: unquote(id),
                ..Entry::default()
            });
            continue;
        }
        let Some(e) = out.last_mut() else { continue };
        if !line.starts_with(' ') {
            continue;
        }
        if let Some(v) = t.strip_prefix("tag:") {
            e.tag = Some((i, unquote(v)));
        } else if let Some(v) = t.strip_prefix("eol:") {
            e.eol = Some((i, unquote(v)));
        } else if let Some(v) = t.strip_prefix("source:") {
            e.source = Some(unquote(v));
        } else if t.starts_with("as_of:") {
            e.as_of = Some(i);
        }
    }
    out
}

/// Whether text parses as YAML with an `images` list.
fn valid(text: &str) -> bool {
    serde_saphyr::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| {
            v.get("images")
                .and_then(|i| i.as_array())
                .map(|a| !a.is_empty())
        })
        .unwrap_or(false)
}

/// The release-data URLs versions text needs, deduplicated.
pub fn urls(text: &str) -> Vec<String> {
    let mut out: Vec<String> = entries(text)
        .iter()
        .filter_map(|e| e.source.as_deref().and_then(source_url))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// What a refresh changed, for the fetch report.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Entries whose source answered.
    pub refreshed: usize,
    /// (id, what changed)
    pub changed: Vec<(String, String)>,
    /// (id, why it was not refreshed)
    pub skipped: Vec<(String, String)>,
}

fn endoflife_eol(data: &serde_json::Value, tag: &str) -> Option<Option<String>> {
    let cycles = data.as_array()?;
    let tag_l = tag.to_ascii_lowercase();
    let cycle = cycles.iter().find(|c| {
        let cy = c.get("cycle").map(|x| match x {
            serde_json::Value::String(s) => s.to_ascii_lowercase(),
            other => other.to_string(),
        });
        let code = c
            .get("codename")
            .and_then(|x| x.as_str())
            .map(|s| s.to_ascii_lowercase());
        cy.as_deref() == Some(tag_l.as_str()) || code.as_deref() == Some(tag_l.as_str())
    })?;
    match cycle.get("eol") {
        Some(serde_json::Value::String(d)) if d.len() == 10 => Some(Some(d.clone())),
        Some(serde_json::Value::Bool(false)) => Some(None),
        _ => None,
    }
}

fn pypi_tag(data: &serde_json::Value, tag: &str) -> Option<String> {
    let latest = data.get("info")?.get("version")?.as_str()?;
    if !latest.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let n = tag.split('.').count();
    Some(latest.split('.').take(n).collect::<Vec<_>>().join("."))
}

/// Refreshes versions text from release data (`url` → parsed JSON) as of `today`.
pub fn refresh(
    text: &str,
    data: &BTreeMap<String, serde_json::Value>,
    today: &str,
) -> (String, Report) {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut report = Report::default();
    let set = |lines: &mut Vec<String>, i: usize, key: &str, value: &str| {
        let indent: String = lines[i].chars().take_while(|c| *c == ' ').collect();
        let dash = if lines[i].trim_start().starts_with("- ") {
            "- "
        } else {
            ""
        };
        lines[i] = format!("{indent}{dash}{key}: {value}");
    };
    for e in entries(text) {
        let Some(url) = e.source.as_deref().and_then(source_url) else {
            report
                .skipped
                .push((e.id.clone(), "no endoflife:/pypi: source".into()));
            continue;
        };
        let Some(json) = data.get(&url) else {
            report
                .skipped
                .push((e.id.clone(), format!("{url} not available")));
            continue;
        };
        let Some((tag_line, tag)) = e.tag.clone() else {
            continue;
        };
        let mut touched = false;
        if url.contains("endoflife.date") {
            match endoflife_eol(json, &tag) {
                Some(new_eol) => {
                    let shown = new_eol
                        .as_ref()
                        .map(|d| format!("\"{d}\""))
                        .unwrap_or_else(|| "null".into());
                    if let Some((eol_line, old)) = &e.eol {
                        let old_norm = if old == "null" || old == "~" {
                            None
                        } else {
                            Some(old.clone())
                        };
                        if old_norm != new_eol {
                            report.changed.push((
                                e.id.clone(),
                                format!("eol {old} → {}", new_eol.as_deref().unwrap_or("null")),
                            ));
                        }
                        set(&mut lines, *eol_line, "eol", &shown);
                    }
                    touched = true;
                }
                None => report.skipped.push((
                    e.id.clone(),
                    format!("no release cycle `{tag}` with an end-of-life date in {url}"),
                )),
            }
        } else if let Some(new_tag) = pypi_tag(json, &tag) {
            if new_tag != tag {
                report
                    .changed
                    .push((e.id.clone(), format!("tag {tag} → {new_tag}")));
            }
            set(&mut lines, tag_line, "tag", &format!("\"{new_tag}\""));
            touched = true;
        } else {
            report
                .skipped
                .push((e.id.clone(), format!("no release version in {url}")));
        }
        if touched {
            report.refreshed += 1;
            if let Some(i) = e.as_of {
                set(&mut lines, i, "as_of", &format!("\"{today}\""));
            }
        }
    }
    if report.refreshed > 0
        && let Some(i) = lines.iter().position(|l| l.starts_with("as_of:"))
    {
        lines[i] = format!("as_of: \"{today}\"");
    }
    let mut out = lines.join("\n");
    out.push('\n');
    if !valid(&out) {
        // Never hand out a broken file: keep the input.
        return (text.to_string(), Report::default());
    }
    (out, report)
}

/// Today's date (UTC), `YYYY-MM-DD`.
pub fn today() -> String {
    cache::now_rfc3339()
        .get(..10)
        .unwrap_or("1970-01-01")
        .to_string()
}

/// Refreshes from the cached release data and writes the cache copy. Returns the
/// path written and the report, or `None` when nothing could be refreshed.
pub fn refresh_into_cache(
    cache_dir: &Path,
    blueprint: &str,
    bundled: &str,
) -> crate::Result<Option<(PathBuf, Report)>> {
    let mut data = BTreeMap::new();
    for url in urls(bundled) {
        if let Some(body) = cache::cached_body(cache_dir, &url)
            && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body)
        {
            data.insert(url, v);
        }
    }
    if data.is_empty() {
        return Ok(None);
    }
    let (text, report) = refresh(bundled, &data, &today());
    if report.refreshed == 0 {
        return Ok(None);
    }
    let path = refreshed_path(cache_dir, blueprint);
    crate::fsutil::write_atomic(&path, text.as_bytes())?;
    Ok(Some((path, report)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const V: &str = include_str!("../../tests/fixtures/versions/versions.yaml");

    fn data() -> BTreeMap<String, serde_json::Value> {
        let mut d = BTreeMap::new();
        d.insert(
            "https://endoflife.date/api/python.json".to_string(),
            serde_json::json!([
                {"cycle": "3.14", "eol": "2030-10-31", "latest": "3.14.1"},
                {"cycle": "3.13", "eol": "2029-10-31", "latest": "3.13.9"}
            ]),
        );
        d.insert(
            "https://endoflife.date/api/nodejs.json".to_string(),
            serde_json::json!([{"cycle": "24", "eol": "2028-04-30", "lts": true}]),
        );
        d.insert(
            "https://endoflife.date/api/debian.json".to_string(),
            serde_json::json!([{"cycle": "12", "codename": "Bookworm", "eol": "2026-06-10"}, {"cycle": "13", "codename": "Trixie", "eol": false}]),
        );
        d.insert(
            "https://pypi.org/pypi/uv/json".to_string(),
            serde_json::json!({"info": {"version": "0.9.14"}}),
        );
        d
    }

    #[test]
    fn urls_come_from_sources() {
        assert_eq!(
            urls(V),
            [
                "https://endoflife.date/api/debian.json",
                "https://endoflife.date/api/nodejs.json",
                "https://endoflife.date/api/python.json",
                "https://pypi.org/pypi/uv/json"
            ]
        );
        assert_eq!(source_url("endoflife:../x"), None);
        assert_eq!(source_url("github:astral-sh/uv"), None);
    }

    #[test]
    fn refresh_updates_eol_tags_and_dates_keeping_comments() {
        let mut d = data();
        d.insert(
            "https://endoflife.date/api/python.json".to_string(),
            serde_json::json!([{"cycle": "3.13", "eol": "2029-12-31"}]),
        );
        let (out, report) = refresh(V, &d, "2027-01-05");
        assert!(
            out.contains("# Python, from endoflife.date"),
            "comments kept"
        );
        assert!(out.contains("    eol: \"2029-12-31\""), "{out}");
        assert!(
            out.contains("    tag: \"0.9\""),
            "uv minor line follows PyPI: {out}"
        );
        assert!(out.starts_with("# A minimal"));
        assert!(out.contains("\nas_of: \"2027-01-05\"\n"), "{out}");
        assert_eq!(out.matches("as_of: \"2027-01-05\"").count(), 5, "{out}");
        assert_eq!(report.refreshed, 4);
        assert!(
            report
                .changed
                .contains(&("python".into(), "eol 2029-10-31 → 2029-12-31".into()))
        );
        assert!(
            report
                .changed
                .contains(&("uv".into(), "tag 0.8 → 0.9".into()))
        );
        // Debian is matched by codename.
        assert!(
            out.contains("    tag: \"bookworm\"\n    eol: \"2026-06-10\""),
            "{out}"
        );
    }

    #[test]
    fn missing_data_and_unknown_cycles_are_reported_not_guessed() {
        let mut d = BTreeMap::new();
        d.insert(
            "https://endoflife.date/api/python.json".to_string(),
            serde_json::json!([{"cycle": "3.99", "eol": "2040-01-01"}]),
        );
        let (out, report) = refresh(V, &d, "2027-01-05");
        assert_eq!(out, V);
        assert_eq!(report.refreshed, 0);
        assert!(
            report
                .skipped
                .iter()
                .any(|(id, why)| id == "python" && why.contains("3.13"))
        );
        assert!(
            report
                .skipped
                .iter()
                .any(|(id, why)| id == "uv" && why.contains("not available"))
        );
    }
}
