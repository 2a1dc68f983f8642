//! Distiller: from normalised pages, build a skill's reference files as the sources
//! manifest says: the named sections (with their code examples), a source line with
//! URL and fetch date per page, the Apache-2.0 notice, a table of contents, and a
//! per-file token budget (estimated as characters / 4; a warning above 10k).

use super::cache::{self, Lookup};
use super::lock::{LOCK_FILE, Lock};
use super::normalize::{self, Context, Page};
use super::sources::{Manifest, PageSource, Source};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Token count above which a reference file earns a warning.
pub const WARN_TOKENS: usize = 10_000;
/// Budget when the manifest gives none.
pub const DEFAULT_BUDGET: usize = 8_000;

/// Which flavour of page the cache holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceKind {
    /// The site's per-page Markdown routes (`<page>.md`): preferred
    Rendered,
    /// The raw Hugo sources on GitHub (fallback; needs normalising)
    Raw,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Rendered => "rendered",
            SourceKind::Raw => "raw",
        }
    }
}

/// The canonical cache key of a source for a source kind.
pub fn source_url(manifest: &Manifest, s: &Source, kind: SourceKind) -> String {
    match s {
        Source::Document(d) => d.url.clone(),
        Source::Page(p) => match kind {
            SourceKind::Raw => manifest
                .raw_url(p)
                .unwrap_or_else(|| manifest.markdown_url(p)),
            SourceKind::Rendered => manifest.markdown_url(p),
        },
    }
}

/// Canonical site URL of a page (with trailing slash), as cited in references.
pub fn page_url(manifest: &Manifest, p: &PageSource) -> String {
    format!("{}{}", manifest.site.trim_end_matches('/'), p.path)
}

/// One normalised page, ready to distil.
#[derive(Debug, Clone)]
pub struct PageInput {
    pub page: Page,
    /// `YYYY-MM-DD`.
    pub fetched: String,
}

/// The distiller's output.
#[derive(Debug, Default)]
pub struct Distilled {
    /// (path relative to the skill, content)
    pub files: Vec<(String, String)>,
    pub warnings: Vec<String>,
    /// (file, estimated tokens)
    pub tokens: Vec<(String, usize)>,
}

/// Loads and normalises every page of the manifest from the cache. Returns the site
/// paths of the pages the cache lacks as the error.
pub fn load_pages(
    manifest: &Manifest,
    cache_dir: &Path,
    kind: SourceKind,
) -> Result<HashMap<String, PageInput>, Vec<String>> {
    let mut out = HashMap::new();
    let mut missing = Vec::new();
    let raw_base = manifest.raw.clone().unwrap_or_default();
    let include = |name: &str| -> Option<String> {
        if raw_base.is_empty() || name.is_empty() {
            return None;
        }
        let url = format!("{raw_base}/includes/{}", name.trim_start_matches('/'));
        cache::cached_body(cache_dir, &url).map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    for s in &manifest.sources {
        let Source::Page(p) = s else { continue };
        let primary = source_url(manifest, s, kind);
        let other = source_url(
            manifest,
            s,
            match kind {
                SourceKind::Rendered => SourceKind::Raw,
                SourceKind::Raw => SourceKind::Rendered,
            },
        );
        let entry =
            [primary, other]
                .into_iter()
                .find_map(|u| match cache::load_entry(cache_dir, &u) {
                    Lookup::Hit(e) => Some(e),
                    _ => None,
                });
        let Some(entry) = entry else {
            missing.push(p.path.clone());
            continue;
        };
        let text = String::from_utf8_lossy(&entry.body);
        let ctx = Context {
            page_path: &p.path,
            include: &include,
        };
        let page = normalize::normalize(&text, &ctx);
        let fetched = entry
            .meta
            .fetched_at
            .get(..10)
            .unwrap_or("unknown")
            .to_string();
        out.insert(p.path.clone(), PageInput { page, fetched });
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(missing)
    }
}

/// Builds every reference file of the manifest from loaded pages.
pub fn build(manifest: &Manifest, pages: &HashMap<String, PageInput>) -> Distilled {
    let mut d = Distilled::default();
    for r in &manifest.references {
        let budget = r.budget.unwrap_or(DEFAULT_BUDGET);
        let feeding: Vec<(&PageSource, &[String])> = manifest
            .pages()
            .flat_map(|p| {
                p.feeds
                    .iter()
                    .filter(|f| f.file == r.file)
                    .map(move |f| (p, f.sections.as_slice()))
            })
            .collect();
        let (content, warnings) = build_reference(manifest, &r.title, budget, &feeding, pages);
        let tokens = content.chars().count() / 4;
        for w in warnings {
            d.warnings.push(format!("{}: {w}", r.file));
        }
        if tokens > WARN_TOKENS {
            d.warnings.push(format!(
                "{}: about {tokens} tokens, above the {WARN_TOKENS}-token guideline; trim `sections` in sources.yaml",
                r.file
            ));
        }
        d.tokens.push((r.file.clone(), tokens));
        d.files.push((r.file.clone(), content));
    }
    d
}

fn build_reference(
    manifest: &Manifest,
    title: &str,
    budget_tokens: usize,
    feeding: &[(&PageSource, &[String])],
    pages: &HashMap<String, PageInput>,
) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let mut urls: Vec<String> = Vec::new();
    let mut latest = String::new();
    // (heading, body) per page block.
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut budget_chars = budget_tokens * 4;
    // Room for the header and contents.
    budget_chars = budget_chars.saturating_sub(600 + 80 * feeding.len());
    let mut omitted: Vec<String> = Vec::new();
    for (p, wanted) in feeding {
        let Some(input) = pages.get(&p.path) else {
            warnings.push(format!("page {} missing from the cache", p.path));
            continue;
        };
        let url = page_url(manifest, p);
        if !urls.contains(&url) {
            urls.push(url.clone());
        }
        if input.fetched > latest {
            latest = input.fetched.clone();
        }
        for w in &input.page.warnings {
            warnings.push(format!("{}: {w}", p.path));
        }
        let heading = input.page.title.clone().unwrap_or_else(|| p.title.clone());
        let mut body = format!("Source: {url} (fetched {})\n", input.fetched);
        if let Some(desc) = &input.page.description {
            body.push_str(&format!("\n_{desc}_\n"));
        }
        let sections = split_sections(&input.page.body);
        let mut chosen: Vec<(String, &Section)> = Vec::new();
        if wanted.is_empty() {
            for s in sections.iter().filter(|s| s.level <= 2) {
                chosen.push((s.heading.clone(), s));
            }
        } else {
            for name in wanted.iter() {
                match find_section(&sections, name) {
                    Some(s) => chosen.push((name.clone(), s)),
                    None => warnings.push(format!(
                        "{}: section `{name}` not found (renamed upstream? update sources.yaml)",
                        p.path
                    )),
                }
            }
            if chosen.is_empty() {
                // Keep the page's introduction rather than nothing.
                if let Some(intro) = sections.iter().find(|s| s.level == 0) {
                    chosen.push(("Introduction".into(), intro));
                }
            }
        }
        let used_before = blocks.iter().map(|(h, b)| h.len() + b.len()).sum::<usize>();
        let mut remaining = budget_chars.saturating_sub(used_before + body.len() + heading.len());
        for (name, s) in chosen {
            let text = s.render(3);
            if text.len() <= remaining {
                remaining -= text.len();
                body.push('\n');
                body.push_str(&text);
            } else if let Some(cut) = truncate_blocks(&text, remaining.saturating_sub(120)) {
                remaining = 0;
                body.push('\n');
                body.push_str(&cut);
                body.push_str(&format!(
                    "\n_(Section shortened to fit the budget; the full text is at {url}.)_\n"
                ));
                warnings.push(format!(
                    "{}: section `{name}` shortened to fit the token budget",
                    p.path
                ));
            } else {
                omitted.push(format!("{name} ({url})"));
            }
        }
        blocks.push((heading, body));
    }
    if !omitted.is_empty() {
        warnings.push(format!(
            "{} section(s) left out to stay within the {budget_tokens}-token budget: {}",
            omitted.len(),
            omitted.join(", ")
        ));
    }
    let license = manifest
        .license
        .clone()
        .unwrap_or_else(|| "Apache-2.0, © Docker, Inc.".into());
    let mut out = format!("# {title}\n\n> Sources (official Docker documentation):\n");
    for u in &urls {
        out.push_str(&format!("> - {u}\n"));
    }
    out.push_str(&format!(
        "> Provenance: distilled by skillforge from the pages above, fetched {}; {license}\n",
        if latest.is_empty() {
            "unknown"
        } else {
            &latest
        }
    ));
    out.push_str("> Changes: selected sections only, documentation markup normalised, links made absolute; see each page for the full text.\n\n## Contents\n");
    let mut slugs: BTreeMap<String, usize> = BTreeMap::new();
    for (h, _) in &blocks {
        let base = slug(h);
        let n = slugs.entry(base.clone()).or_insert(0);
        let anchor = if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        *n += 1;
        out.push_str(&format!("- [{h}](#{anchor})\n"));
    }
    if !omitted.is_empty() {
        out.push_str(&format!(
            "\n_Left out for length: {}._\n",
            omitted.join("; ")
        ));
    }
    for (h, b) in &blocks {
        out.push_str(&format!("\n## {h}\n\n{}", b.trim_start()));
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    (out, warnings)
}

/// A heading and everything under it (until a heading of the same or a higher level).
/// Level 0 is the text before the first heading.
#[derive(Debug)]
pub struct Section {
    pub level: usize,
    pub heading: String,
    pub anchor: String,
    /// Lines after the heading line.
    pub lines: Vec<String>,
    /// (relative level, heading) of the lines that are headings, by index into `lines`.
    heading_lines: Vec<(usize, usize, String)>,
}

impl Section {
    /// Renders with the section's own heading at `level` and subheadings shifted.
    pub fn render(&self, level: usize) -> String {
        let mut out = String::new();
        if self.level > 0 {
            out.push_str(&format!("{} {}\n", "#".repeat(level.min(6)), self.heading));
        }
        let mut hi = self.heading_lines.iter().peekable();
        for (i, line) in self.lines.iter().enumerate() {
            if let Some((idx, lvl, text)) = hi.peek()
                && *idx == i
            {
                let new = (level + lvl.saturating_sub(self.level)).clamp(1, 6);
                out.push_str(&format!("{} {text}\n", "#".repeat(new)));
                hi.next();
                continue;
            }
            if self.level == 0 && i == 0 && line.starts_with("# ") {
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        let trimmed = out.trim_end();
        format!("{trimmed}\n")
    }
}

/// Splits Markdown into sections at every ATX heading (outside code fences). Each
/// section's lines include its subsections.
pub fn split_sections(body: &str) -> Vec<Section> {
    let lines: Vec<&str> = body.lines().collect();
    let mut heads: Vec<(usize, usize, String, String)> = Vec::new(); // (line, level, text, anchor)
    let mut fence: Option<(char, usize)> = None;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        if let Some((ch, n)) = fence {
            if t.chars().take_while(|&c| c == ch).count() >= n
                && t.trim_matches(ch).trim().is_empty()
            {
                fence = None;
            }
            continue;
        }
        let ch = t.chars().next().unwrap_or(' ');
        if (ch == '`' || ch == '~') && t.chars().take_while(|&c| c == ch).count() >= 3 {
            fence = Some((ch, t.chars().take_while(|&c| c == ch).count()));
            continue;
        }
        if l.starts_with('#') {
            let level = l.chars().take_while(|&c| c == '#').count();
            let rest = &l[level..];
            if level <= 6 && (rest.is_empty() || rest.starts_with(' ')) {
                let mut text = rest.trim().trim_end_matches('#').trim().to_string();
                let mut anchor = None;
                if let Some(start) = text.rfind("{#")
                    && text.ends_with('}')
                {
                    anchor = Some(text[start + 2..text.len() - 1].to_string());
                    text = text[..start].trim().to_string();
                }
                let anchor = anchor.unwrap_or_else(|| slug(&text));
                heads.push((i, level, text, anchor));
            }
        }
    }
    let mut out = Vec::new();
    let first = heads.first().map(|h| h.0).unwrap_or(lines.len());
    out.push(Section {
        level: 0,
        heading: String::new(),
        anchor: String::new(),
        lines: lines[..first].iter().map(|s| s.to_string()).collect(),
        heading_lines: Vec::new(),
    });
    for (k, (line, level, text, anchor)) in heads.iter().enumerate() {
        let end = heads[k + 1..]
            .iter()
            .find(|h| h.1 <= *level)
            .map(|h| h.0)
            .unwrap_or(lines.len());
        let heading_lines = heads[k + 1..]
            .iter()
            .filter(|h| h.0 < end)
            .map(|h| (h.0 - line - 1, h.1, h.2.clone()))
            .collect();
        out.push(Section {
            level: *level,
            heading: text.clone(),
            anchor: anchor.clone(),
            lines: lines[line + 1..end].iter().map(|s| s.to_string()).collect(),
            heading_lines,
        });
    }
    // A page whose only H1 is its title: treat the text under it as the introduction.
    if out[0].lines.iter().all(|l| l.trim().is_empty())
        && let Some(pos) = out.iter().position(|s| s.level == 1)
    {
        let intro_end = out[pos]
            .heading_lines
            .first()
            .map(|h| h.0)
            .unwrap_or(out[pos].lines.len());
        out[0].lines = out[pos].lines[..intro_end].to_vec();
    }
    out
}

fn key(s: &str) -> String {
    s.replace('`', "")
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Finds a section by heading text (case- and backtick-insensitive) or `#anchor`.
pub fn find_section<'a>(sections: &'a [Section], name: &str) -> Option<&'a Section> {
    if let Some(anchor) = name.strip_prefix('#') {
        return sections.iter().find(|s| s.level > 0 && s.anchor == anchor);
    }
    let want = key(name);
    sections
        .iter()
        .filter(|s| s.level > 0)
        .find(|s| key(&s.heading) == want)
        .or_else(|| {
            sections
                .iter()
                .filter(|s| s.level > 0)
                .find(|s| key(&s.heading).starts_with(&want))
        })
}

/// Keeps whole blocks (blank-line separated, code fences never split) up to `max` bytes.
fn truncate_blocks(text: &str, max: usize) -> Option<String> {
    let mut out = String::new();
    let mut block = String::new();
    let mut in_fence = false;
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
        }
        block.push_str(line);
        block.push('\n');
        if !in_fence && line.trim().is_empty() {
            if out.len() + block.len() > max {
                break;
            }
            out.push_str(&block);
            block.clear();
        }
    }
    if !block.is_empty() && !in_fence && out.len() + block.len() <= max {
        out.push_str(&block);
    }
    // Only the heading (or nothing) fits: not worth keeping.
    if out.lines().filter(|l| !l.trim().is_empty()).count() <= 1 {
        None
    } else {
        Some(out.trim_end().to_string() + "\n")
    }
}

/// GitHub-style heading anchor.
pub fn slug(heading: &str) -> String {
    let mut s = String::new();
    for c in heading.to_lowercase().chars() {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            s.push(c);
        } else if c == ' ' {
            s.push('-');
        }
    }
    s
}

/// The reference files (plus `docs.lock`) distilled from the cached docs of
/// `blueprint`, or `None` when the cache lacks pages (use the bundled digest then).
/// Returned paths are relative to the skill directory, e.g. `references/compose.md`;
/// the last entry is `docs.lock`, which records the sources and the hash of every
/// reference file so `skillforge fetch --update` can tell user edits later.
pub fn distilled_references(
    blueprint: &str,
    cache_dir: &Path,
) -> crate::Result<Option<Vec<(String, String)>>> {
    let Some(manifest) = Manifest::embedded(blueprint) else {
        return Ok(None);
    };
    let manifest = manifest?;
    let (kind, pages) = match load_pages(&manifest, cache_dir, SourceKind::Rendered) {
        Ok(p) => (SourceKind::Rendered, p),
        Err(_) => match load_pages(&manifest, cache_dir, SourceKind::Raw) {
            Ok(p) => (SourceKind::Raw, p),
            Err(_) => return Ok(None),
        },
    };
    let d = build(&manifest, &pages);
    let mut lock = Lock::from_cache(&manifest, cache_dir, kind.as_str(), &|s| {
        source_url(&manifest, s, kind)
    });
    for (rel, content) in &d.files {
        lock.files
            .insert(rel.clone(), cache::sha256_hex(content.as_bytes()));
    }
    let mut files = d.files;
    files.push((LOCK_FILE.to_string(), lock.to_json()));
    Ok(Some(files))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# Multi-stage builds\n\nIntro text.\n\n## Use multi-stage builds\n\nText.\n\n```dockerfile\n# syntax=docker/dockerfile:1\nFROM golang AS build\n```\n\n### Detail\n\nMore.\n\n## Name your build stages\n\nNames.\n\n## Other\n\nX.\n";

    #[test]
    fn sections_include_subsections_and_code() {
        let s = split_sections(PAGE);
        let m = find_section(&s, "use multi-stage builds").unwrap();
        let r = m.render(3);
        assert!(r.starts_with("### Use multi-stage builds\n"));
        assert!(
            r.contains("# syntax=docker/dockerfile:1"),
            "a comment in code is not a heading"
        );
        assert!(r.contains("#### Detail"));
        assert!(!r.contains("Names."));
        assert!(find_section(&s, "#name-your-build-stages").is_some());
        assert!(find_section(&s, "Missing").is_none());
        assert!(s[0].lines.iter().any(|l| l == "Intro text."));
    }

    fn manifest() -> Manifest {
        Manifest::parse(
            "version: 1\nblueprint: t\nsite: https://docs.docker.com\nreferences:\n  - file: references/a.md\n    title: A things\n    budget: 600\nsources:\n  - path: /build/building/multi-stage/\n    title: MS\n    lessons: { full: [5] }\n    feeds:\n      - file: references/a.md\n        sections: [Use multi-stage builds, Name your build stages, Nope]\n",
            Path::new("t.yaml"),
        )
        .unwrap()
    }

    #[test]
    fn reference_has_header_toc_sources_and_budget() {
        let m = manifest();
        let mut pages = HashMap::new();
        pages.insert(
            "/build/building/multi-stage/".to_string(),
            PageInput {
                page: normalize::normalize(
                    PAGE,
                    &Context::for_path("/build/building/multi-stage/"),
                ),
                fetched: "2026-11-23".into(),
            },
        );
        let d = build(&m, &pages);
        let (name, text) = &d.files[0];
        assert_eq!(name, "references/a.md");
        assert!(text.starts_with("# A things\n\n> Sources (official Docker documentation):\n> - https://docs.docker.com/build/building/multi-stage/\n> Provenance: distilled by skillforge from the pages above, fetched 2026-11-23; Apache-2.0"), "{text}");
        assert!(text.contains("## Contents\n- [Multi-stage builds](#multi-stage-builds)"));
        assert!(text.contains(
            "Source: https://docs.docker.com/build/building/multi-stage/ (fetched 2026-11-23)"
        ));
        assert!(text.contains("FROM golang AS build"));
        assert!(d.warnings.iter().any(|w| w.contains("`Nope` not found")));
        // Budget of 600 tokens with a big page: sections get shortened or left out.
        let big = PAGE.replace("Names.", &"Long words here. ".repeat(400));
        pages
            .get_mut("/build/building/multi-stage/")
            .unwrap()
            .page
            .body = big;
        let d = build(&m, &pages);
        assert!(d.tokens[0].1 <= 700, "{}", d.tokens[0].1);
        assert!(d.warnings.iter().any(|w| w.contains("budget")));
    }

    #[test]
    fn full_cache_gives_every_reference_and_a_lock() {
        let dir = tempfile::tempdir().unwrap();
        let m = Manifest::embedded("docker-deployment").unwrap().unwrap();
        for s in &m.sources {
            let url = source_url(&m, s, SourceKind::Rendered);
            let body = format!(
                "# {}\n\nIntro.\n\n## Description\n\nText with a [link](/engine/).\n",
                s.title()
            );
            cache::store(
                dir.path(),
                &url,
                None,
                body.as_bytes(),
                Some("\"e\"".into()),
                None,
            )
            .unwrap();
        }
        let files = distilled_references("docker-deployment", dir.path())
            .unwrap()
            .unwrap();
        assert_eq!(files.len(), m.references.len() + 1);
        let (lock_name, lock_text) = files.last().unwrap();
        assert_eq!(lock_name, "docs.lock");
        let lock: Lock = serde_json::from_str(lock_text).unwrap();
        assert_eq!(lock.sources.len(), m.sources.len());
        for (rel, content) in &files[..files.len() - 1] {
            assert!(rel.starts_with("references/") && rel.ends_with(".md"));
            assert!(
                content.contains(
                    "> Sources (official Docker documentation):\n> - https://docs.docker.com/"
                ),
                "{rel}"
            );
            assert!(content.contains("Apache-2.0, © Docker, Inc."));
            assert!(content.contains("## Contents\n- ["));
            assert_eq!(lock.files[rel], cache::sha256_hex(content.as_bytes()));
        }
    }

    #[test]
    fn missing_cache_gives_none() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            distilled_references("docker-deployment", dir.path())
                .unwrap()
                .is_none()
        );
        assert!(
            distilled_references("no-such", dir.path())
                .unwrap()
                .is_none()
        );
    }
}
