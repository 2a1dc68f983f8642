//! Distiller: from normalised pages, build a skill's reference files as the sources
//! manifest says: the named sections (with their code examples), a source line with
//! URL and fetch date per page, the Apache-2.0 notice, a table of contents, and a
//! per-file token budget (estimated as characters / 4; a warning above 10k).

use super::cache::{self, Lookup};
use super::lock::{LOCK_FILE, Lock};
use super::normalize::{self, Context, Page};
use super::sources::{DEFAULT_PRIORITY, Feed, Manifest, PageSource, Source};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Token count above which a reference file earns a warning.
pub const WARN_TOKENS: usize = 10_000;
/// Longest first paragraph a section's shortest form keeps (tightened when needed).
const MIN_FORM_CHARS: usize = 400;
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
    format!("{}{}", manifest.site_of(p).trim_end_matches('/'), p.path)
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
    /// Wanted sections the pages do not have.
    pub missing: Vec<MissingSection>,
    /// (file, one-line description of what it holds)
    pub summaries: Vec<(String, String)>,
}

/// The `{{% param %}}` table: the manifest's defaults overlaid by the scalar values
/// under `params:` of the cached site configuration (`params.url`).
pub fn site_params(manifest: &Manifest, cache_dir: &Path) -> BTreeMap<String, String> {
    let Some(spec) = &manifest.params else {
        return BTreeMap::new();
    };
    let mut out = spec.defaults.clone();
    if let Some(url) = &spec.url
        && let Some(body) = cache::cached_body(cache_dir, url)
    {
        out.extend(params_from_config(&String::from_utf8_lossy(&body)));
    }
    out
}

/// Scalar values under `params:` of a Hugo configuration (YAML).
pub fn params_from_config(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Ok(v) = serde_saphyr::from_str::<serde_json::Value>(text)
        && let Some(map) = v.get("params").and_then(|p| p.as_object())
    {
        for (k, val) in map {
            let shown = match val {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            out.insert(k.clone(), shown);
        }
    }
    out
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
    let params = site_params(manifest, cache_dir);
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
            params: &params,
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

/// A wanted section that the page does not have (renamed or removed upstream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingSection {
    /// Reference file the section was meant for.
    pub file: String,
    /// Site path of the page.
    pub page: String,
    /// The heading sources.yaml names.
    pub wanted: String,
    /// The closest heading the page does have.
    pub closest: Option<String>,
}

impl std::fmt::Display for MissingSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: section `{}` not found on {}",
            self.file, self.wanted, self.page
        )?;
        match &self.closest {
            Some(c) => write!(f, " (closest heading: `{c}`; update sources.yaml)"),
            None => write!(f, " (no similar heading; update sources.yaml)"),
        }
    }
}

/// Builds every reference file of the manifest from loaded pages.
pub fn build(manifest: &Manifest, pages: &HashMap<String, PageInput>) -> Distilled {
    let mut d = Distilled::default();
    for r in &manifest.references {
        let budget = r.budget.unwrap_or(DEFAULT_BUDGET);
        let feeding: Vec<(&PageSource, &Feed)> = manifest
            .pages()
            .flat_map(|p| {
                p.feeds
                    .iter()
                    .filter(|f| f.file == r.file)
                    .map(move |f| (p, f))
            })
            .collect();
        let built = build_reference(manifest, &r.file, &r.title, budget, &feeding, pages);
        let tokens = estimate_tokens(&built.content);
        for w in built.warnings {
            d.warnings.push(format!("{}: {w}", r.file));
        }
        d.missing.extend(built.missing);
        if tokens > budget {
            d.warnings.push(format!(
                "{}: about {tokens} tokens, above its {budget}-token budget (the shortest form of every section does not fit); raise `budget` or name fewer sections in sources.yaml",
                r.file
            ));
        } else if tokens > WARN_TOKENS {
            d.warnings.push(format!(
                "{}: about {tokens} tokens, above the {WARN_TOKENS}-token guideline; lower `budget` in sources.yaml",
                r.file
            ));
        }
        d.tokens.push((r.file.clone(), tokens));
        d.summaries.push((r.file.clone(), built.covers));
        d.files.push((r.file.clone(), built.content));
    }
    d
}

/// Tokens of a text, estimated as characters / 4 (rounded up).
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// One section (or page introduction) competing for a reference's budget.
struct Unit {
    block: usize,
    name: String,
    priority: u8,
    full: String,
    /// Shortest acceptable form (never empty).
    min: String,
    /// Chosen text.
    text: String,
    shortened: bool,
}

struct Block {
    heading: String,
    source_line: String,
    description: Option<String>,
    /// Introduction kept without a heading (whole-page feeds).
    lead: Option<usize>,
}

struct BuiltReference {
    content: String,
    warnings: Vec<String>,
    missing: Vec<MissingSection>,
    covers: String,
}

/// Headings whose sections are site navigation, not knowledge: never distilled.
fn is_navigation(heading: &str) -> bool {
    let k = key(heading);
    [
        "next steps",
        "next step",
        "related pages",
        "related information",
        "related resources",
        "related content",
        "learn more",
        "further reading",
        "feedback",
        "acknowledgements",
        "acknowledgments",
        "credits",
        "see also",
        "what's next",
        "summary",
        "resources",
        "additional resources",
        "reference information",
        "more information",
    ]
    .iter()
    .any(|n| k == *n || k.starts_with(&format!("{n} ")))
}

fn build_reference(
    manifest: &Manifest,
    file: &str,
    title: &str,
    budget_tokens: usize,
    feeding: &[(&PageSource, &Feed)],
    pages: &HashMap<String, PageInput>,
) -> BuiltReference {
    let mut warnings = Vec::new();
    let mut missing = Vec::new();
    let mut urls: Vec<String> = Vec::new();
    let mut latest = String::new();
    let mut blocks: Vec<Block> = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    let mut seen_pages: Vec<String> = Vec::new();
    let mut licenses: Vec<String> = Vec::new();
    for (p, feed) in feeding {
        let Some(input) = pages.get(&p.path) else {
            warnings.push(format!("page {} missing from the cache", p.path));
            continue;
        };
        let url = page_url(manifest, p);
        // A page listed twice for one reference (or two paths that moved to the same
        // page) is distilled once.
        let ident = format!("{}|{}", url, input.page.title.clone().unwrap_or_default());
        if seen_pages.contains(&ident) {
            warnings.push(format!("{} feeds this reference twice; used once", p.path));
            continue;
        }
        seen_pages.push(ident);
        if !urls.contains(&url) {
            urls.push(url.clone());
        }
        let lic = p
            .license
            .clone()
            .or_else(|| manifest.license.clone())
            .unwrap_or_else(|| "Apache-2.0, © Docker, Inc.".into());
        if !licenses.contains(&lic) {
            licenses.push(lic);
        }
        if input.fetched > latest {
            latest = input.fetched.clone();
        }
        for w in &input.page.warnings {
            warnings.push(format!("{}: {w}", p.path));
        }
        let heading = input.page.title.clone().unwrap_or_else(|| p.title.clone());
        let b = blocks.len();
        blocks.push(Block {
            heading,
            source_line: format!("Source: {url}"),
            description: input.page.description.clone(),
            lead: None,
        });
        let sections = split_sections(&input.page.body);
        let default_priority = feed.priority.unwrap_or(DEFAULT_PRIORITY);
        let mut chosen: Vec<(String, u8, &Section)> = Vec::new();
        let mut picked: Vec<(String, u8, usize)> = Vec::new();
        if feed.sections.is_empty() {
            let mut tops = top_sections(&sections, blocks[b].heading.as_str());
            if tops.len() > MAX_WHOLE_PAGE_SECTIONS {
                warnings.push(format!(
                    "{}: the page has {} top-level sections (a docs page has a few dozen); only the first {MAX_WHOLE_PAGE_SECTIONS} are distilled",
                    p.path,
                    tops.len()
                ));
                tops.truncate(MAX_WHOLE_PAGE_SECTIONS);
            }
            if let Some(intro) = sections.first()
                && intro.lines.iter().any(|l| !l.trim().is_empty())
            {
                picked.push((String::new(), default_priority, 0));
            }
            for i in tops {
                if !is_navigation(&sections[i].heading) {
                    picked.push((sections[i].heading.clone(), default_priority, i));
                }
            }
        } else {
            for spec in &feed.sections {
                let name = spec.heading();
                match find_section_index(&sections, name) {
                    Some(i) => picked.push((name.to_string(), feed.priority_of(spec), i)),
                    None => missing.push(MissingSection {
                        file: file.to_string(),
                        page: p.path.clone(),
                        wanted: name.to_string(),
                        closest: closest_heading(&sections, name),
                    }),
                }
            }
            if picked.is_empty()
                && sections
                    .first()
                    .is_some_and(|s| s.lines.iter().any(|l| !l.trim().is_empty()))
            {
                // Keep the page's introduction rather than nothing.
                picked.push((String::new(), default_priority, 0));
            }
        }
        // A listed section nested in another listed section appears once (inside its
        // parent); the same section listed twice appears once.
        let mut kept: Vec<(String, u8, usize)> = Vec::new();
        for (name, pr, i) in picked {
            let s = &sections[i];
            let inside = kept.iter().any(|(_, _, j)| {
                let o = &sections[*j];
                *j == i || (o.level > 0 && o.start <= s.start && s.end <= o.end)
            });
            if inside {
                continue;
            }
            // A later pick that contains earlier ones replaces them.
            kept.retain(|(_, _, j)| {
                let o = &sections[*j];
                !(s.level > 0 && o.level > 0 && s.start <= o.start && o.end <= s.end)
            });
            kept.push((name, pr, i));
        }
        for (name, pr, i) in kept {
            let s = &sections[i];
            chosen.push((name, pr, s));
        }
        for (name, pr, s) in chosen {
            let is_intro = s.level == 0;
            let raw = s.render(3);
            let full = clean_unit(&raw);
            if full.trim().is_empty()
                || (!is_intro && full.lines().filter(|l| !l.trim().is_empty()).count() <= 1)
            {
                warnings.push(format!(
                    "{}: section `{}` is empty on the page; left out",
                    p.path,
                    if name.is_empty() {
                        "introduction"
                    } else {
                        &name
                    }
                ));
                continue;
            }
            let min = minimal_form(&full, MIN_FORM_CHARS);
            if is_intro {
                blocks[b].lead = Some(units.len());
            }
            units.push(Unit {
                block: b,
                name: if is_intro {
                    String::new()
                } else {
                    s.heading.clone()
                },
                priority: pr.max(1),
                text: full.clone(),
                full,
                min,
                shortened: false,
            });
        }
    }
    dedupe_listings(&mut units);
    let license = licenses.join("; ");
    // What the reference holds, for its header and the SKILL.md line describing it.
    let mut covered: Vec<String> = Vec::new();
    for (bi, b) in blocks.iter().enumerate() {
        if units.iter().any(|u| u.block == bi) && !covered.contains(&b.heading) {
            covered.push(b.heading.clone());
        }
    }
    let covers = summarize(&covered);
    // Fixed cost: header, contents, page headings and source lines.
    let held_pages = (0..blocks.len())
        .filter(|bi| units.iter().any(|u| u.block == *bi))
        .count();
    let header = render_header(title, held_pages, &latest, &license, &covers);
    let mut fixed = header.chars().count() + 16;
    for (bi, b) in blocks.iter().enumerate() {
        if !units.iter().any(|u| u.block == bi) {
            continue;
        }
        fixed += b.heading.chars().count() * 2 + 20 + b.source_line.chars().count();
        fixed += b
            .description
            .as_ref()
            .map(|d| d.chars().count() + 6)
            .unwrap_or(0);
    }
    for u in &units {
        if !u.name.is_empty() {
            fixed += u.name.chars().count() * 2 + 12;
        }
    }
    let budget_chars = budget_tokens * 4;
    let mut available = budget_chars.saturating_sub(fixed);
    let mut cap = MIN_FORM_CHARS;
    let mut with_descriptions = true;
    // Allocate, assemble, and adjust until the file fits its budget closely (the
    // estimate of the fixed cost is close, not exact); shortest forms get shorter
    // when even they do not fit.
    let mut best: Option<(String, Vec<(String, bool)>)> = None;
    for _ in 0..16 {
        allocate(&mut units, available);
        let body = assemble(&blocks, &units, with_descriptions);
        let toc = contents(&body);
        let candidate = format!("{header}\n## Contents\n{toc}{body}");
        let size = candidate.chars().count();
        if size <= budget_chars {
            let better = best.as_ref().is_none_or(|(b, _)| b.chars().count() < size);
            if better {
                let texts = units
                    .iter()
                    .map(|u| (u.text.clone(), u.shortened))
                    .collect();
                best = Some((candidate, texts));
            }
            let room = budget_chars - size;
            if room < 120 || !units.iter().any(|u| u.shortened) {
                break;
            }
            available += room - room / 8;
            continue;
        }
        let over = size - budget_chars;
        available = available.saturating_sub(over + 16);
        let mins: usize = units.iter().map(|u| u.min.chars().count()).sum();
        if mins > available {
            with_descriptions = false;
            if cap > 100 {
                cap = cap * 2 / 3;
                for u in units.iter_mut() {
                    u.min = minimal_form(&u.full, cap);
                }
            }
        }
    }
    let content = match best {
        Some((text, texts)) => {
            for (u, (t, sh)) in units.iter_mut().zip(texts) {
                u.text = t;
                u.shortened = sh;
            }
            text
        }
        None => {
            // Even the shortest forms do not fit: keep them (the caller warns).
            let body = assemble(&blocks, &units, false);
            format!("{header}\n## Contents\n{}{body}", contents(&body))
        }
    };
    let mut shortened = Vec::new();
    for u in &units {
        if u.shortened {
            shortened.push(if u.name.is_empty() {
                format!("{} (introduction)", blocks[u.block].heading)
            } else {
                u.name.clone()
            });
        }
    }
    if !shortened.is_empty() {
        warnings.push(format!(
            "{} section(s) shortened to fit the {budget_tokens}-token budget: {}",
            shortened.len(),
            shortened.join(", ")
        ));
    }
    for h in empty_headings(&content) {
        warnings.push(format!("heading `{h}` has no content"));
    }
    BuiltReference {
        content,
        warnings,
        missing,
        covers,
    }
}

/// Page blocks with their units, in order.
fn assemble(blocks: &[Block], units: &[Unit], with_descriptions: bool) -> String {
    let mut body = String::new();
    for (bi, b) in blocks.iter().enumerate() {
        let mine: Vec<&Unit> = units.iter().filter(|u| u.block == bi).collect();
        if mine.is_empty() {
            continue;
        }
        body.push_str(&format!("\n## {}\n\n{}\n", b.heading, b.source_line));
        if with_descriptions && let Some(desc) = &b.description {
            body.push_str(&format!("\n_{desc}_\n"));
        }
        for u in &mine {
            body.push('\n');
            body.push_str(u.text.trim_end());
            body.push('\n');
        }
        if mine.iter().any(|u| u.shortened) {
            body.push_str("\n_(Shortened to fit the budget; the source page has more.)_\n");
        }
    }
    body
}

/// The most top-level sections a whole-page feed distils from one page. Real docs pages
/// have a few dozen; past this the reference's budget could not hold even their
/// headings, and choosing among hundreds of thousands would only cost time.
pub const MAX_WHOLE_PAGE_SECTIONS: usize = 1000;

/// The headings a whole-page feed distils: the page's top-level sections below its
/// title (a page that starts with `# Title` contributes its H2s, not the H1 and each
/// H2 again).
fn top_sections(sections: &[Section], title: &str) -> Vec<usize> {
    let h1: Vec<usize> = (1..sections.len())
        .filter(|&i| sections[i].level == 1)
        .collect();
    let title_h1 = match h1.as_slice() {
        [only] => Some(*only),
        _ => h1
            .iter()
            .copied()
            .find(|&i| key(&sections[i].heading) == key(title)),
    };
    let candidates: Vec<usize> = (1..sections.len())
        .filter(|&i| Some(i) != title_h1)
        .collect();
    let Some(top) = candidates.iter().map(|&i| sections[i].level).min() else {
        return Vec::new();
    };
    candidates
        .into_iter()
        .filter(|&i| sections[i].level == top)
        .collect()
}

fn render_header(title: &str, pages: usize, latest: &str, license: &str, covers: &str) -> String {
    let mut out = format!(
        "# {title}\n\n> Sources: {pages} page(s) of the official documentation, each cited below (`Source:`).\n"
    );
    out.push_str(&format!(
        "> Provenance: distilled by skillforge from those pages, fetched {}; {license}\n",
        if latest.is_empty() { "unknown" } else { latest }
    ));
    out.push_str("> Changes: selected sections only, shortened to a token budget, documentation markup normalised, links made absolute; see each page for the full text.\n");
    if !covers.is_empty() {
        out.push_str(&format!("> Covers: {covers}\n"));
    }
    out
}

/// A one-line description of what a reference holds: its page titles, shortened.
fn summarize(titles: &[String]) -> String {
    let mut out = String::new();
    for t in titles {
        let next = if out.is_empty() {
            t.clone()
        } else {
            format!("{out}; {t}")
        };
        if next.chars().count() > 150 {
            out.push_str("; …");
            break;
        }
        out = next;
    }
    out
}

/// Water-filling: every unit gets its shortest form, then the rest of the budget is
/// shared by priority; a unit that needs less than its share takes only what it needs
/// and the rest flows on to the others.
fn allocate(units: &mut [Unit], available: usize) {
    let len = |s: &str| s.chars().count();
    let mins: usize = units.iter().map(|u| len(&u.min)).sum();
    let mut extra = available.saturating_sub(mins);
    let mut give: Vec<usize> = units.iter().map(|u| len(&u.min)).collect();
    let mut open: Vec<usize> = (0..units.len())
        .filter(|&i| len(&units[i].full) > len(&units[i].min))
        .collect();
    loop {
        let weight: usize = open.iter().map(|&i| units[i].priority as usize).sum();
        if open.is_empty() || weight == 0 || extra == 0 {
            break;
        }
        let mut satisfied = Vec::new();
        for &i in &open {
            let share = extra * units[i].priority as usize / weight;
            if len(&units[i].full) - give[i] <= share {
                satisfied.push(i);
            }
        }
        if satisfied.is_empty() {
            for &i in &open {
                let share = extra * units[i].priority as usize / weight;
                give[i] += share;
            }
            break;
        }
        for i in satisfied {
            extra -= len(&units[i].full) - give[i];
            give[i] = len(&units[i].full);
            open.retain(|&j| j != i);
        }
    }
    for (i, u) in units.iter_mut().enumerate() {
        if give[i] >= len(&u.full) {
            u.text = u.full.clone();
        } else {
            u.text = shorten(&u.full, &u.min, give[i]);
            u.shortened = true;
        }
    }
}

/// Markdown blocks: blank-line separated, fences and tables whole.
fn blocks_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut fence: Option<(char, usize)> = None;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some((ch, n)) = fence {
            cur.push_str(line);
            cur.push('\n');
            if t.chars().take_while(|&c| c == ch).count() >= n
                && t.trim_matches(ch).trim().is_empty()
            {
                fence = None;
            }
            continue;
        }
        let ch = t.chars().next().unwrap_or(' ');
        let n = t.chars().take_while(|&c| c == ch).count();
        if (ch == '`' || ch == '~') && n >= 3 {
            fence = Some((ch, n));
            cur.push_str(line);
            cur.push('\n');
            continue;
        }
        if t.starts_with('#') && !cur.trim().is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        if line.trim().is_empty() {
            if !cur.trim().is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.clear();
            continue;
        }
        cur.push_str(line);
        cur.push('\n');
        if t.starts_with('#') {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

fn heading_level(block: &str) -> Option<usize> {
    let t = block.trim_start();
    let n = t.chars().take_while(|&c| c == '#').count();
    (n > 0 && n <= 6 && t[n..].starts_with(' ') && !block.trim_end().contains('\n')).then_some(n)
}

fn join_blocks(blocks: &[String]) -> String {
    let mut out = String::new();
    for b in blocks {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(b.trim_end());
        out.push('\n');
    }
    out
}

/// Always-applied cleaning: navigation subsections go.
fn clean_unit(text: &str) -> String {
    let blocks = blocks_of(text);
    let mut out: Vec<String> = Vec::new();
    let mut skip_below: Option<usize> = None;
    for (i, b) in blocks.iter().enumerate() {
        if let Some(level) = heading_level(b) {
            if let Some(l) = skip_below {
                if level > l {
                    continue;
                }
                skip_below = None;
            }
            let name = b.trim().trim_start_matches('#').trim();
            if i > 0 && is_navigation(name) {
                skip_below = Some(level);
                continue;
            }
        } else if skip_below.is_some() {
            continue;
        }
        out.push(b.clone());
    }
    drop_empty_headings(&mut out);
    join_blocks(&out)
}

/// Removes subheadings (after the first block) left without any content before the
/// next heading of the same or a higher level.
fn drop_empty_headings(blocks: &mut Vec<String>) {
    loop {
        let mut removed = false;
        for i in (1..blocks.len()).rev() {
            let Some(level) = heading_level(&blocks[i]) else {
                continue;
            };
            let empty = match blocks.get(i + 1) {
                None => true,
                Some(next) => heading_level(next).is_some_and(|l| l <= level),
            };
            if empty {
                blocks.remove(i);
                removed = true;
            }
        }
        if !removed {
            break;
        }
    }
}

/// How much a block teaches, for deciding what goes first when a section is
/// shortened: code and command-bearing lists rank high, generic prose and
/// decoration (labels, notes without code) low.
fn usefulness(block: &str) -> i32 {
    let block = block.trim_start_matches(ITEM);
    let t = block.trim_start();
    if heading_level(block).is_some() {
        return i32::MAX;
    }
    let ticks = block.matches('`').count() as i32;
    let strong = [
        "must", "never", "always", "only", "default", "instead", "don't", "do not",
    ]
    .iter()
    .any(|w| block.to_lowercase().contains(w)) as i32;
    if t.starts_with("```") || t.starts_with("~~~") {
        return 8;
    }
    if t.starts_with('|') {
        return 3;
    }
    if t.starts_with("**") && t.trim_end().ends_with(":**") {
        return 0;
    }
    if t.starts_with("- ")
        || t.starts_with("* ")
        || t.chars().next().is_some_and(|c| c.is_ascii_digit())
    {
        // A defined term (`- **runc** is …`) teaches more than a plain item.
        let term = (t[2..].starts_with("**")) as i32 * 2;
        return 3 + ticks.min(4) + strong + term;
    }
    if t.starts_with('>') {
        return 1 + ticks.min(2) + strong;
    }
    1 + ticks.min(4) + strong + (block.len() > 200) as i32
}

/// The shortest form of a unit: its heading and its most useful block (prose cut to
/// `cap` characters at a sentence end; code only when short).
fn minimal_form(full: &str, cap: usize) -> String {
    let blocks = blocks_of(full);
    let mut out = Vec::new();
    if let Some(first) = blocks.first()
        && heading_level(first).is_some()
    {
        out.push(first.clone());
    }
    let best = blocks
        .iter()
        .filter(|b| heading_level(b).is_none())
        .filter(|b| {
            let t = b.trim_start();
            // A short listing of commands is worth up to twice the prose cap.
            !(t.starts_with("```") || t.starts_with("~~~")) || b.chars().count() <= cap * 2
        })
        .max_by_key(|b| usefulness(b))
        .or_else(|| blocks.iter().find(|b| heading_level(b).is_none()));
    if let Some(b) = best {
        out.push(cut_sentences(b, cap));
    }
    join_blocks(&out)
}

/// Cuts prose at a sentence end at or before `max` characters (code is never cut).
fn cut_sentences(block: &str, max: usize) -> String {
    if block.chars().count() <= max || block.trim_start().starts_with("```") {
        return block.to_string();
    }
    let mut end = 0;
    for (i, c) in block.char_indices() {
        if block[..i].chars().count() > max {
            break;
        }
        if matches!(c, '.' | ':' | '!' | '?') && block[i + 1..].starts_with([' ', '\n']) {
            end = i + 1;
        }
    }
    if end == 0 {
        let cut: String = block.chars().take(max).collect();
        match cut.rfind(' ') {
            Some(i) => format!("{}…", &cut[..i]),
            None => format!("{cut}…"),
        }
    } else {
        block[..end].to_string()
    }
}

/// Shortens a unit to about `target` characters by dropping its least useful parts
/// first: rows of long tables, then the blocks that teach least (generic prose, tab
/// labels, notes without code), later ones before earlier ones; the shortest form is
/// the floor.
fn shorten(full: &str, min: &str, target: usize) -> String {
    let len = |b: &[String]| join_pieces(b).chars().count();
    let mut blocks = blocks_of(full);
    // 1. Long tables keep their header and first rows.
    if len(&blocks) > target {
        for b in blocks.iter_mut() {
            let rows: Vec<&str> = b.lines().collect();
            if rows.len() > 8 && rows.iter().all(|r| r.trim_start().starts_with('|')) {
                let more = rows.len() - 6;
                *b = format!(
                    "{}\n_({more} more rows on the source page.)_\n",
                    rows[..6].join("\n")
                );
            }
        }
    }
    // 2. Lists are weighed item by item.
    let mut pieces: Vec<String> = Vec::new();
    for b in blocks {
        pieces.extend(list_items(&b));
    }
    // 3. The least useful piece goes (the later one on a tie), then empty headings.
    while len(&pieces) > target {
        let content = pieces.iter().filter(|b| heading_level(b).is_none()).count();
        if content <= 1 {
            break;
        }
        let Some(pos) = (0..pieces.len())
            .filter(|&i| heading_level(&pieces[i]).is_none())
            .min_by_key(|&i| (usefulness(&pieces[i]), std::cmp::Reverse(i)))
        else {
            break;
        };
        pieces.remove(pos);
        drop_empty_headings(&mut pieces);
    }
    drop_empty_headings(&mut pieces);
    // 4. Still too long: the last prose piece is cut at a sentence end.
    let over = len(&pieces).saturating_sub(target);
    if over > 0
        && let Some(i) = pieces.iter().rposition(|p| {
            let t = p.trim_start_matches(ITEM).trim_start();
            heading_level(p).is_none() && !t.starts_with("```") && !t.starts_with('|')
        })
    {
        let keep = pieces[i].chars().count().saturating_sub(over + 2);
        if keep >= 80 {
            let cut = cut_sentences(&pieces[i], keep);
            pieces[i] = cut;
        }
    }
    let kept = join_pieces(&pieces);
    if kept.chars().count() > target.max(min.chars().count())
        || kept.chars().count() < min.chars().count()
    {
        min.to_string()
    } else {
        kept
    }
}

/// Marks a list item that continues the list before it.
const ITEM: char = '\u{E020}';

fn is_list_start(line: &str) -> bool {
    let t = line.trim_start_matches(ITEM);
    t.starts_with("- ")
        || t.starts_with("* ")
        || t.split_once(". ")
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// A block split into its top-level list items (later items marked with [`ITEM`]);
/// other blocks are returned whole.
fn list_items(block: &str) -> Vec<String> {
    if !is_list_start(block) {
        return vec![block.to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    for line in block.lines() {
        if is_list_start(line) || out.is_empty() {
            let mark = if out.is_empty() {
                String::new()
            } else {
                ITEM.to_string()
            };
            out.push(format!("{mark}{line}\n"));
        } else if let Some(last) = out.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    out
}

/// Joins pieces with blank lines, except list items that continue a list.
fn join_pieces(pieces: &[String]) -> String {
    let mut out = String::new();
    let mut prev_item = false;
    for p in pieces {
        let cont = p.starts_with(ITEM);
        let text = p.trim_start_matches(ITEM);
        if !(out.is_empty() || cont && prev_item) {
            out.push('\n');
        }
        out.push_str(text.trim_end());
        out.push('\n');
        prev_item = is_list_start(text);
    }
    out
}

/// A tab label (`**Linux:**`) or a short line introducing what follows.
fn is_lead_in(block: &str) -> bool {
    let t = block.trim();
    heading_level(block).is_none()
        && !t.contains('\n')
        && t.chars().count() < 120
        && (t.ends_with(':') || t.ends_with(":**"))
}

/// Listings and passages repeated within a reference (the same `.gitignore`, the
/// same command, shared text included on several pages) are kept once.
fn dedupe_listings(units: &mut [Unit]) {
    let mut seen = std::collections::HashSet::new();
    for u in units.iter_mut() {
        let blocks = blocks_of(&u.full);
        let mut kept = Vec::new();
        let mut dropped = false;
        for b in blocks {
            if heading_level(&b).is_none() {
                let norm: String = b.split_whitespace().collect::<Vec<_>>().join(" ");
                if norm.chars().count() >= 24 && !seen.insert(norm) {
                    dropped = true;
                    // Its lead-in (`On Linux, run:`) and tab label go with it.
                    while kept.last().is_some_and(|k: &String| is_lead_in(k)) {
                        kept.pop();
                    }
                    continue;
                }
            }
            kept.push(b);
        }
        if dropped && kept.iter().any(|b| heading_level(b).is_none()) {
            drop_empty_headings(&mut kept);
            u.full = join_blocks(&kept);
            u.text = u.full.clone();
            u.min = minimal_form(&u.full, MIN_FORM_CHARS);
        }
    }
}

/// The table of contents: every page (`##`) of the body, linked with its GitHub-style
/// anchor, followed by the sections (`###`) it holds.
fn contents(body: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    let mut subs: Vec<String> = Vec::new();
    let flush = |out: &mut String, line: &mut String, subs: &mut Vec<String>| {
        if !line.is_empty() {
            out.push_str(line);
            if !subs.is_empty() {
                out.push_str(": ");
                out.push_str(&subs.join(" · "));
            }
            out.push('\n');
        }
        line.clear();
        subs.clear();
    };
    for (level, text, anchor) in headings_with_anchors(body) {
        match level {
            2 => {
                flush(&mut out, &mut line, &mut subs);
                line = format!("- [{text}](#{anchor})");
            }
            3 => subs.push(text),
            _ => {}
        }
    }
    flush(&mut out, &mut line, &mut subs);
    out
}

/// (level, text, anchor) of every ATX heading outside code fences; anchors are
/// computed over the whole document, so `Contents` (which comes first) is counted.
fn headings_with_anchors(body: &str) -> Vec<(usize, String, String)> {
    let mut slugs: BTreeMap<String, usize> = BTreeMap::new();
    slugs.insert(slug("Contents"), 1);
    let mut out = Vec::new();
    for s in split_sections(body).iter().filter(|s| s.level > 0) {
        let base = slug(&s.heading);
        let n = slugs.entry(base.clone()).or_insert(0);
        let anchor = if *n == 0 { base } else { format!("{base}-{n}") };
        *n += 1;
        out.push((s.level, s.heading.clone(), anchor));
    }
    out
}

/// Headings directly followed by a heading of the same or a higher level (or nothing).
pub fn empty_headings(text: &str) -> Vec<String> {
    let sections = split_sections(text);
    sections
        .iter()
        .filter(|s| s.level > 0)
        .filter(|s| {
            let own_end = s
                .heading_lines
                .first()
                .map(|h| h.0)
                .unwrap_or(s.lines.len());
            let own_text = s.lines[..own_end].iter().any(|l| !l.trim().is_empty());
            !own_text && s.heading_lines.is_empty()
        })
        .map(|s| s.heading.clone())
        .collect()
}

/// The heading of `sections` closest to `wanted` (edit distance over normalised text,
/// or a shared significant word), for "not found" messages.
pub fn closest_heading(sections: &[Section], wanted: &str) -> Option<String> {
    let want = key(wanted);
    let mut best: Option<(usize, &str)> = None;
    for s in sections.iter().filter(|s| s.level > 0) {
        let k = key(&s.heading);
        let d = levenshtein(&want, &k);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, &s.heading));
        }
    }
    let (d, h) = best?;
    let limit = want.chars().count().max(4) / 2;
    let shares_word = want
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 3)
        .any(|w| key(h).contains(w));
    (d <= limit || shares_word).then(|| h.to_string())
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A heading and everything under it (until a heading of the same or a higher level).
/// Level 0 is the text before the first heading.
#[derive(Debug)]
pub struct Section {
    pub level: usize,
    /// Line range in the page body (heading line included).
    pub start: usize,
    pub end: usize,
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
        start: 0,
        end: first,
        heading: String::new(),
        anchor: String::new(),
        lines: lines[..first].iter().map(|s| s.to_string()).collect(),
        heading_lines: Vec::new(),
    });
    // Where each section ends: the next heading of the same or a higher level, found
    // with a stack of open sections (one pass, not a scan per heading).
    let mut ends: Vec<usize> = vec![lines.len(); heads.len()];
    let mut open: Vec<usize> = Vec::new();
    for (k, h) in heads.iter().enumerate() {
        while let Some(&top) = open.last() {
            if heads[top].1 < h.1 {
                break;
            }
            ends[top] = h.0;
            open.pop();
        }
        open.push(k);
    }
    for (k, (line, level, text, anchor)) in heads.iter().enumerate() {
        let end = ends[k];
        // The subheadings are the headings right after this one, up to its end (headings
        // are in line order): stop there instead of filtering every later heading,
        // which made a page of 200,000 headings quadratic.
        let heading_lines = heads[k + 1..]
            .iter()
            .take_while(|h| h.0 < end)
            .map(|h| (h.0 - line - 1, h.1, h.2.clone()))
            .collect();
        out.push(Section {
            level: *level,
            start: *line,
            end,
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
    find_section_index(sections, name).map(|i| &sections[i])
}

/// Index of the section [`find_section`] finds.
pub fn find_section_index(sections: &[Section], name: &str) -> Option<usize> {
    if let Some(anchor) = name.strip_prefix('#') {
        return sections
            .iter()
            .position(|s| s.level > 0 && s.anchor == anchor);
    }
    let want = key(name);
    sections
        .iter()
        .position(|s| s.level > 0 && key(&s.heading) == want)
        .or_else(|| {
            // `Build` matches `Build (--build)`, but never the page's title.
            sections.iter().position(|s| {
                s.level > 1
                    && key(&s.heading)
                        .strip_prefix(&want)
                        .is_some_and(|rest| rest.starts_with([' ', '(', ':']))
            })
        })
}

/// Keeps a copy of a reference file as skillforge wrote it (by content hash) so a
/// later `fetch --update` can show the upstream change to a file the learner edited.
/// Best effort: a cache that cannot be written only loses that patch.
pub fn remember_written(cache_dir: &Path, content: &str) {
    let path = cache_dir
        .join("written")
        .join(format!("{}.md", cache::sha256_hex(content.as_bytes())));
    if !path.is_file() {
        let _ = crate::fsutil::write_atomic(&path, content.as_bytes());
    }
}

/// The copy [`remember_written`] kept for a hash, if it is intact.
pub fn written_copy(cache_dir: &Path, sha256: &str) -> Option<String> {
    if !sha256.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let text =
        std::fs::read_to_string(cache_dir.join("written").join(format!("{sha256}.md"))).ok()?;
    (cache::sha256_hex(text.as_bytes()) == sha256).then_some(text)
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
    Ok(distilled_references_with_summary(blueprint, cache_dir)?.map(|(f, _)| f))
}

/// One line summing up what the distiller reported (shortened sections, headings
/// not found, page notes), with the command that lists every message; `None` when
/// it reported nothing.
pub fn summary_line(d: &Distilled) -> Option<String> {
    let total = d.warnings.len() + d.missing.len();
    if total == 0 {
        return None;
    }
    let shortened = d
        .warnings
        .iter()
        .filter(|w| w.contains("shortened to fit"))
        .count();
    let mut parts = Vec::new();
    if shortened > 0 {
        parts.push(format!("{shortened} file(s) with shortened sections"));
    }
    if !d.missing.is_empty() {
        parts.push(format!("{} heading(s) not found", d.missing.len()));
    }
    let other = d.warnings.len() - shortened;
    if other > 0 {
        parts.push(format!("{other} other note(s)"));
    }
    Some(format!(
        "distiller: {total} message(s): {}; see them all with `skillforge fetch --offline`",
        parts.join(", ")
    ))
}

/// The origins (`scheme://host[:port]`) other than the official sites that the cached
/// pages of `blueprint` were downloaded from (a mirror chosen with `--base-url` or
/// `[fetch] base-url`), sorted; empty when every page came from its own site.
pub fn mirror_origins(blueprint: &str, cache_dir: &Path) -> Vec<String> {
    let Some(Ok(manifest)) = Manifest::embedded(blueprint) else {
        return Vec::new();
    };
    let origin_of = |u: &str| {
        reqwest::Url::parse(u)
            .ok()
            .map(|u| super::client::origin(&u))
    };
    let mut out = std::collections::BTreeSet::new();
    for s in &manifest.sources {
        for kind in [SourceKind::Rendered, SourceKind::Raw] {
            let url = source_url(&manifest, s, kind);
            if let Lookup::Hit(e) = cache::load_entry(cache_dir, &url)
                && let Some(from) = e.meta.fetched_from.as_deref()
                && let Some(got) = origin_of(from)
                && origin_of(&url).is_some_and(|official| official != got)
            {
                out.insert(got);
            }
        }
    }
    out.into_iter().collect()
}

/// [`distilled_references`] plus the distiller's [`summary_line`].
#[allow(clippy::type_complexity)]
pub fn distilled_references_with_summary(
    blueprint: &str,
    cache_dir: &Path,
) -> crate::Result<Option<(Vec<(String, String)>, Option<String>)>> {
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
    let summary = summary_line(&d);
    for (_, content) in &d.files {
        remember_written(cache_dir, content);
    }
    let mut lock = Lock::from_cache(&manifest, cache_dir, kind.as_str(), &|s| {
        source_url(&manifest, s, kind)
    });
    for (rel, content) in &d.files {
        lock.files
            .insert(rel.clone(), cache::sha256_hex(content.as_bytes()));
    }
    let mut files = d.files;
    files.push((LOCK_FILE.to_string(), lock.to_json()));
    Ok(Some((files, summary)))
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
        assert!(text.starts_with("# A things\n\n> Sources: 1 page(s) of the official documentation, each cited below (`Source:`).\n> Provenance: distilled by skillforge from those pages, fetched 2026-11-23; Apache-2.0"), "{text}");
        assert!(
            text.contains("## Contents\n- [Multi-stage builds](#multi-stage-builds): Use multi-stage builds · Name your build stages\n"),
            "{text}"
        );
        assert!(text.contains("> Covers: Multi-stage builds\n"));
        assert!(text.contains("Source: https://docs.docker.com/build/building/multi-stage/\n"));
        assert!(text.contains("FROM golang AS build"));
        assert!(
            d.missing.iter().any(|m| m.wanted == "Nope"),
            "{:?}",
            d.missing
        );
        // Budget of 600 tokens with a big page: sections get shortened or left out.
        let big = PAGE.replace("Names.", &"Long words here. ".repeat(400));
        pages
            .get_mut("/build/building/multi-stage/")
            .unwrap()
            .page
            .body = big;
        let d = build(&m, &pages);
        assert!(d.tokens[0].1 <= 600, "{}", d.tokens[0].1);
        assert!(d.warnings.iter().any(|w| w.contains("budget")));
        // Both named sections are still there, each with text.
        let text = &d.files[0].1;
        assert!(
            text.contains("### Use multi-stage builds\n\nText."),
            "{text}"
        );
        assert!(
            text.contains("### Name your build stages\n\nLong words"),
            "{text}"
        );
        assert_eq!(empty_headings(text), Vec::<String>::new());
    }

    fn unit(name: &str, priority: u8, full_len: usize) -> Unit {
        let full = format!("### {name}\n\n{}\n", "word ".repeat(full_len / 5));
        Unit {
            block: 0,
            name: name.into(),
            priority,
            min: minimal_form(&full, 100),
            text: full.clone(),
            full,
            shortened: false,
        }
    }

    #[test]
    fn budget_is_shared_by_priority_and_unused_share_flows_on() {
        // A small section takes what it needs; the rest goes to the big ones, the
        // high-priority one getting more than the low-priority one.
        let mut units = vec![
            unit("Small", 1, 200),
            unit("High", 5, 5000),
            unit("Low", 1, 5000),
        ];
        allocate(&mut units, 3000);
        let len = |u: &Unit| u.text.chars().count();
        assert!(!units[0].shortened, "small section kept whole");
        assert!(units[1].shortened && units[2].shortened);
        assert!(
            len(&units[1]) > 3 * len(&units[2]),
            "{} vs {}",
            len(&units[1]),
            len(&units[2])
        );
        let total: usize = units.iter().map(len).sum();
        assert!(total <= 3000 + 100, "{total}");
        assert!(
            units.iter().all(|u| u.text.lines().count() >= 3),
            "none empty"
        );
    }

    #[test]
    fn shortening_drops_least_useful_parts_first() {
        let full = "### Run it\n\nSome general words about the topic that are not specific.\n\n| Option | Meaning |\n|--|--|\n| a | 1 |\n| b | 2 |\n| c | 3 |\n| d | 4 |\n| e | 5 |\n| f | 6 |\n| g | 7 |\n\n```console\n$ docker run --rm -p 8000:8000 app\n```\n\n- `--rm` removes the container on exit.\n- Another plain item.\n";
        let min = minimal_form(full, 400);
        assert!(
            min.contains("docker run --rm"),
            "the command is the most useful block: {min}"
        );
        let short = shorten(full, &min, 200);
        assert!(
            short.contains("docker run --rm -p 8000:8000 app"),
            "{short}"
        );
        assert!(short.contains("`--rm` removes"), "{short}");
        assert!(
            !short.contains("| g | 7 |"),
            "long table cut first: {short}"
        );
        assert!(
            !short.contains("general words"),
            "generic prose before code: {short}"
        );
    }

    #[test]
    fn whole_page_with_title_appears_once_and_nested_sections_once() {
        let page = "# Storage\n\nIntro line.\n\n## Volumes\n\nVolumes text.\n\n### Read-only\n\nRO text.\n\n## Bind mounts\n\nBind text.\n\n## Next steps\n\n- [More](/x/)\n";
        let sections = split_sections(page);
        let tops = top_sections(&sections, "Storage");
        let names: Vec<&str> = tops.iter().map(|&i| sections[i].heading.as_str()).collect();
        assert_eq!(names, ["Volumes", "Bind mounts", "Next steps"]);
        let m = Manifest::parse(
            "version: 1\nblueprint: t\nsite: https://docs.docker.com\nreferences:\n  - file: references/a.md\n    title: A\n    budget: 2000\n  - file: references/b.md\n    title: B\n    budget: 2000\nsources:\n  - path: /engine/storage/\n    title: Storage\n    lessons: { full: [8] }\n    feeds:\n      - file: references/a.md\n      - file: references/b.md\n        sections: [Volumes, Read-only, Bind mounts]\n",
            Path::new("t.yaml"),
        )
        .unwrap();
        let mut pages = HashMap::new();
        pages.insert(
            "/engine/storage/".to_string(),
            PageInput {
                page: normalize::normalize(page, &Context::for_path("/engine/storage/")),
                fetched: "2026-12-01".into(),
            },
        );
        let d = build(&m, &pages);
        let a = &d.files[0].1;
        assert_eq!(a.matches("Volumes text.").count(), 1, "{a}");
        assert_eq!(a.matches("Intro line.").count(), 1, "{a}");
        assert_eq!(a.matches("## Storage\n").count(), 1, "{a}");
        assert!(!a.contains("Next steps"), "navigation dropped: {a}");
        assert!(is_navigation("Reference information") && is_navigation("Resources"));
        assert!(!is_navigation("Resource constraints"));
        let b = &d.files[1].1;
        assert_eq!(
            b.matches("RO text.").count(),
            1,
            "nested listed section once: {b}"
        );
        assert_eq!(b.matches("\n### Read-only").count(), 0, "{b}");
        assert_eq!(b.matches("#### Read-only").count(), 1, "{b}");
    }

    /// Issue 15, defect 6: a page of 200,000 headings took 40 s in fetch because every
    /// section filtered all later headings for its subheadings (quadratic). With 60,000
    /// sibling headings the old code compared 1.8 billion pairs (minutes in a debug
    /// build); each section now looks only at its own subheadings.
    #[test]
    fn many_headings_are_split_in_linear_time() {
        let n = 60_000;
        let mut page = String::from("# Title\n\nIntro.\n\n");
        for i in 0..n {
            page.push_str(&format!("## H{i}\n\nText {i}.\n\n### Sub {i}\n\nMore.\n\n"));
        }
        let s = split_sections(&page);
        assert_eq!(s.len(), 2 * n + 2);
        assert_eq!(s[1].heading, "Title");
        assert_eq!(s[1].heading_lines.len(), 2 * n);
        let (h, sub) = (&s[2], &s[3]);
        assert_eq!((h.heading.as_str(), h.level), ("H0", 2));
        assert_eq!(h.heading_lines.len(), 1, "only its own subsection");
        assert_eq!(h.end, s[4].start, "ends where the next H2 starts");
        assert_eq!((sub.heading.as_str(), sub.end), ("Sub 0", s[4].start));
        assert_eq!(s.last().map(|x| x.end), Some(page.lines().count()));
        // Deeper levels close at the next heading of the same or a higher level.
        let t = split_sections("# A\n## B\n#### C\n### D\n## E\n# F\n");
        let ends: Vec<(&str, usize, usize)> = t[1..]
            .iter()
            .map(|x| (x.heading.as_str(), x.start, x.end))
            .collect();
        assert_eq!(
            ends,
            [
                ("A", 0, 5),
                ("B", 1, 4),
                ("C", 2, 3),
                ("D", 3, 4),
                ("E", 4, 5),
                ("F", 5, 6)
            ]
        );
    }

    /// A whole-page feed of a page with thousands of top-level sections distils the
    /// first [`MAX_WHOLE_PAGE_SECTIONS`] and says so (choosing among all of them was
    /// quadratic).
    #[test]
    fn whole_page_feeds_cap_the_sections_they_weigh() {
        let m = Manifest::parse(
            "version: 1\nblueprint: t\nsite: https://docs.docker.com\nreferences:\n  - file: references/a.md\n    title: A\nsources:\n  - path: /big/\n    title: Big\n    lessons: { full: [1] }\n    feeds:\n      - file: references/a.md\n",
            Path::new("sources.yaml"),
        )
        .unwrap();
        let mut body = String::from("# Big\n\nIntro.\n\n");
        for i in 0..3000 {
            body.push_str(&format!("## S{i}\n\nText {i}.\n\n"));
        }
        let mut pages = HashMap::new();
        pages.insert(
            "/big/".to_string(),
            PageInput {
                page: normalize::normalize(&body, &Context::for_path("/big/")),
                fetched: "2026-01-01".into(),
            },
        );
        let d = build(&m, &pages);
        assert!(
            d.warnings.iter().any(|w| w.contains(
                "/big/: the page has 3000 top-level sections (a docs page has a few dozen); only the first 1000 are distilled"
            )),
            "{:?}",
            d.warnings
        );
        assert_eq!(d.files.len(), 1);
    }

    #[test]
    fn missing_sections_name_the_closest_heading() {
        let sections = split_sections("# T\n\n## Control startup\n\nx\n\n## Example\n\ny\n");
        assert_eq!(
            closest_heading(&sections, "Controlling startup").as_deref(),
            Some("Control startup")
        );
        assert_eq!(closest_heading(&sections, "Zebra crossing"), None);
        // A wanted heading never matches the page title by prefix.
        assert!(
            find_section(
                &split_sections("# Control startup and shutdown\n\nx\n"),
                "Control startup"
            )
            .is_none()
        );
        assert!(find_section(&sections, "control STARTUP").is_some());
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
                content.contains("> Sources: ") && content.contains("\nSource: https://"),
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
