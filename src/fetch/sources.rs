//! The sources manifest (`skills/<blueprint>/sources.yaml`): which official pages a
//! blueprint is built from, which reference files and lessons each page feeds, and
//! which sections matter. Validated against `schemas/sources.schema.json`; every
//! problem is reported with the file and line.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The JSON Schema of `sources.yaml`.
pub const SCHEMA: &str = include_str!("../../schemas/sources.schema.json");

/// Manifests compiled into the binary, by blueprint name.
const EMBEDDED: &[(&str, &str)] = &[(
    "docker-deployment",
    include_str!("../../skills/docker-deployment/sources.yaml"),
)];

/// A validated sources manifest.
#[derive(Debug, Clone, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub blueprint: String,
    /// Site origin, e.g. `https://docs.docker.com`.
    pub site: String,
    /// Raw Markdown base, e.g. `https://raw.githubusercontent.com/docker/docs/main/content`.
    #[serde(default)]
    pub raw: Option<String>,
    #[serde(default)]
    pub license: Option<String>,
    /// Site parameters (`{{% param name %}}`): defaults, refreshed from `url`.
    #[serde(default)]
    pub params: Option<ParamsSpec>,
    pub references: Vec<ReferenceSpec>,
    pub sources: Vec<Source>,
    /// Where the manifest came from (a path, or `<embedded>/<blueprint>`).
    #[serde(skip)]
    pub origin: PathBuf,
}

/// The table `{{% param name %}}` shortcodes are resolved from: the defaults below,
/// overlaid by the `params:` mapping of the site configuration at `url` (the Hugo
/// configuration, refreshed by `fetch` and cached like a page).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ParamsSpec {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
}

/// One reference file the distiller produces.
#[derive(Debug, Clone, Deserialize)]
pub struct ReferenceSpec {
    pub file: String,
    pub title: String,
    /// Token budget (characters / 4).
    #[serde(default)]
    pub budget: Option<usize>,
}

/// Lessons relying on a source, per curriculum.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Lessons {
    #[serde(rename = "skill-first", default)]
    pub skill_first: Vec<u32>,
    #[serde(default)]
    pub full: Vec<u32>,
}

/// Default share weight of a section in its reference's budget.
pub const DEFAULT_PRIORITY: u8 = 3;

/// A reference file a page feeds, with the headings that matter there.
#[derive(Debug, Clone, Deserialize)]
pub struct Feed {
    pub file: String,
    #[serde(default)]
    pub sections: Vec<SectionSpec>,
    /// Share weight (1 low .. 5 high) of this feed's sections in the budget.
    #[serde(default)]
    pub priority: Option<u8>,
}

impl Feed {
    /// The effective priority of a section of this feed.
    pub fn priority_of(&self, s: &SectionSpec) -> u8 {
        s.priority().or(self.priority).unwrap_or(DEFAULT_PRIORITY)
    }
}

/// A wanted section: a heading (text or `#anchor`), optionally with its own priority.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SectionSpec {
    Name(String),
    Detailed {
        heading: String,
        #[serde(default)]
        priority: Option<u8>,
    },
}

impl SectionSpec {
    pub fn heading(&self) -> &str {
        match self {
            SectionSpec::Name(n) => n,
            SectionSpec::Detailed { heading, .. } => heading,
        }
    }
    pub fn priority(&self) -> Option<u8> {
        match self {
            SectionSpec::Name(_) => None,
            SectionSpec::Detailed { priority, .. } => *priority,
        }
    }
}

/// One source: a documentation page or another document (the Compose schema).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Source {
    Page(PageSource),
    Document(DocumentSource),
}

#[derive(Debug, Clone, Deserialize)]
pub struct PageSource {
    /// Site path with leading and trailing slash.
    pub path: String,
    pub title: String,
    /// Raw file under `content/`, or `site` for generated pages.
    #[serde(default)]
    pub raw: Option<String>,
    /// Another documentation site (origin) this page lives on, e.g. uv's docs.
    #[serde(default)]
    pub site: Option<String>,
    /// How the site serves a page's Markdown: `md` (`<path>.md`, the default) or
    /// `index.md` (`<path>index.md`, MkDocs sites).
    #[serde(default)]
    pub route: Option<String>,
    /// Licence of this page when it differs from the manifest's (another site).
    #[serde(default)]
    pub license: Option<String>,
    pub lessons: Lessons,
    pub feeds: Vec<Feed>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DocumentSource {
    pub id: String,
    pub url: String,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub purpose: Option<String>,
    pub lessons: Lessons,
}

impl Source {
    pub fn title(&self) -> &str {
        match self {
            Source::Page(p) => &p.title,
            Source::Document(d) => &d.title,
        }
    }
    pub fn lessons(&self) -> &Lessons {
        match self {
            Source::Page(p) => &p.lessons,
            Source::Document(d) => &d.lessons,
        }
    }
    /// A short label for messages: the site path or the document id.
    pub fn label(&self) -> &str {
        match self {
            Source::Page(p) => &p.path,
            Source::Document(d) => &d.id,
        }
    }
}

impl Manifest {
    /// Names of the blueprints with an embedded manifest.
    pub fn embedded_names() -> Vec<&'static str> {
        EMBEDDED.iter().map(|(n, _)| *n).collect()
    }

    /// The embedded manifest of `blueprint`, if there is one.
    pub fn embedded(blueprint: &str) -> Option<Result<Manifest>> {
        EMBEDDED
            .iter()
            .find(|(n, _)| *n == blueprint)
            .map(|(n, text)| {
                Manifest::parse(text, Path::new(&format!("<embedded>/{n}/sources.yaml")))
            })
    }

    /// `--blueprint`: a blueprint name (embedded manifest) or a path to a
    /// `sources.yaml` (or a directory holding one).
    pub fn resolve(arg: &str) -> Result<Manifest> {
        let p = Path::new(arg);
        // A bare name is a blueprint, even when a folder of that name is here (the skill
        // `new` just wrote, `docker-deployment/`): only a folder holding a
        // sources.yaml, a path with `/`, or a .yaml file is a manifest path.
        let named_dir_is_manifest = p.is_dir() && p.join("sources.yaml").is_file();
        let bare_blueprint = !arg.contains('/')
            && !arg.ends_with(".yaml")
            && !arg.ends_with(".yml")
            && !named_dir_is_manifest;
        if !bare_blueprint || (p.is_file() && Manifest::embedded(arg).is_none()) {
            let file = if p.is_dir() {
                p.join("sources.yaml")
            } else {
                p.to_path_buf()
            };
            return Manifest::load(&file);
        }
        match Manifest::embedded(arg) {
            Some(m) => m,
            None => Err(Error::usage_hint(
                format!("unknown blueprint `{arg}`"),
                format!(
                    "use one of: {} (or a path to a sources.yaml)",
                    Manifest::embedded_names().join(", ")
                ),
            )),
        }
    }

    pub fn load(path: &Path) -> Result<Manifest> {
        let text = crate::fsutil::read_text_capped(path, 4 * 1024 * 1024)?;
        Manifest::parse(&text, path)
    }

    /// Parses and validates manifest text (schema, then cross-references).
    pub fn parse(text: &str, origin: &Path) -> Result<Manifest> {
        let value: serde_json::Value = serde_saphyr::from_str(text).map_err(|e| {
            let (line, _, first) = crate::skill::yaml_error_summary(&e);
            let line = line as usize;
            Error::input_at(
                origin,
                line.max(1),
                format!("invalid YAML: {first}"),
                Some("sources.yaml must be a YAML mapping; see schemas/sources.schema.json".into()),
            )
        })?;
        let schema: serde_json::Value = serde_json::from_str(SCHEMA)
            .map_err(|e| Error::Other(format!("internal: sources schema is not JSON: {e}")))?;
        let validator = jsonschema::validator_for(&schema)
            .map_err(|e| Error::Other(format!("internal: sources schema is invalid: {e}")))?;
        if let Some(err) = validator.iter_errors(&value).next() {
            let pointer = err.instance_path().to_string();
            let line = line_of_pointer(text, &pointer);
            let at = if pointer.is_empty() {
                "/".to_string()
            } else {
                pointer
            };
            return Err(Error::input_at(
                origin,
                line,
                format!("{at}: {err}"),
                Some("see schemas/sources.schema.json for the manifest format".into()),
            ));
        }
        let mut m: Manifest = serde_json::from_value(value).map_err(|e| {
            Error::input_at(
                origin,
                1,
                format!("manifest does not match the expected shape: {e}"),
                None,
            )
        })?;
        m.origin = origin.to_path_buf();
        m.check_references(text)?;
        Ok(m)
    }

    fn check_references(&self, text: &str) -> Result<()> {
        let declared: BTreeSet<&str> = self.references.iter().map(|r| r.file.as_str()).collect();
        let mut fed = BTreeSet::new();
        let mut seen = BTreeSet::new();
        for (i, s) in self.sources.iter().enumerate() {
            if !seen.insert(s.label().to_string()) {
                return Err(Error::input_at(
                    &self.origin,
                    line_of_pointer(text, &format!("/sources/{i}")),
                    format!("source `{}` is listed twice", s.label()),
                    Some("merge the two entries".into()),
                ));
            }
            if let Source::Page(p) = s {
                for (j, f) in p.feeds.iter().enumerate() {
                    if !declared.contains(f.file.as_str()) {
                        return Err(Error::input_at(
                            &self.origin,
                            line_of_pointer(text, &format!("/sources/{i}/feeds/{j}/file")),
                            format!(
                                "`{}` feeds `{}`, which is not declared under `references`",
                                p.path, f.file
                            ),
                            Some("add it to `references` or fix the file name".into()),
                        ));
                    }
                    fed.insert(f.file.as_str());
                    for (k, sec) in f.sections.iter().enumerate() {
                        let h = sec.heading();
                        if h.matches('(').count() != h.matches(')').count()
                            || h.matches('[').count() != h.matches(']').count()
                        {
                            return Err(Error::input_at(
                                &self.origin,
                                line_of_pointer(text, &format!("/sources/{i}/feeds/{j}/sections/{k}")),
                                format!(
                                    "section `{h}` of `{}` has unbalanced brackets: a comma inside a flow list `[a, b]` splits a heading in two",
                                    p.path
                                ),
                                Some("quote the heading: sections: [\"Publish or expose port (-p, --expose)\"]".into()),
                            ));
                        }
                    }
                }
            }
        }
        for (i, r) in self.references.iter().enumerate() {
            if !fed.contains(r.file.as_str()) {
                return Err(Error::input_at(
                    &self.origin,
                    line_of_pointer(text, &format!("/references/{i}")),
                    format!("reference `{}` is fed by no source", r.file),
                    Some("add a source with `feeds: [{file: ...}]` or remove the reference".into()),
                ));
            }
        }
        Ok(())
    }

    pub fn pages(&self) -> impl Iterator<Item = &PageSource> {
        self.sources.iter().filter_map(|s| match s {
            Source::Page(p) => Some(p),
            Source::Document(_) => None,
        })
    }

    pub fn documents(&self) -> impl Iterator<Item = &DocumentSource> {
        self.sources.iter().filter_map(|s| match s {
            Source::Document(d) => Some(d),
            Source::Page(_) => None,
        })
    }

    /// Lessons covered, per curriculum (`skill-first`, `full`).
    pub fn coverage(&self) -> BTreeMap<&'static str, BTreeSet<u32>> {
        let mut out: BTreeMap<&'static str, BTreeSet<u32>> = BTreeMap::new();
        for s in &self.sources {
            out.entry("skill-first")
                .or_default()
                .extend(s.lessons().skill_first.iter().copied());
            out.entry("full")
                .or_default()
                .extend(s.lessons().full.iter().copied());
        }
        out
    }

    /// The canonical Markdown URL of a page: `<site><path without trailing slash>.md`
    /// (or `<site><path>index.md` for `route: index.md`).
    pub fn markdown_url(&self, page: &PageSource) -> String {
        let site = self.site_of(page);
        if page.route.as_deref() == Some("index.md") {
            return format!("{}{}index.md", site.trim_end_matches('/'), page.path);
        }
        markdown_route(site, &page.path)
    }

    /// The origin a page lives on (its own `site`, else the manifest's).
    pub fn site_of<'a>(&'a self, page: &'a PageSource) -> &'a str {
        page.site.as_deref().unwrap_or(&self.site)
    }

    /// The raw source URL of a page, or `None` for generated pages (`raw: site`).
    pub fn raw_url(&self, page: &PageSource) -> Option<String> {
        if page.site.is_some() {
            return None;
        }
        let raw = self.raw.as_deref()?;
        match page.raw.as_deref() {
            Some("site") => None,
            Some(file) => Some(format!("{raw}/{}", file.trim_start_matches('/'))),
            None => Some(format!("{raw}/{}", raw_file_for(&page.path))),
        }
    }
}

/// `<base>/<path without trailing slash>.md`; the home page is `/index.md`.
pub fn markdown_route(base: &str, path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        format!("{}/index.md", base.trim_end_matches('/'))
    } else {
        format!("{}{}.md", base.trim_end_matches('/'), trimmed)
    }
}

/// The raw file under `content/` for a site path (docker/docs layout):
/// `get-started`, `guides` and `reference` map one to one, the rest lives in `manuals/`.
/// Section pages are `_index.md`; the fetcher tries `<x>.md` first, then `<x>/_index.md`.
pub fn raw_file_for(path: &str) -> String {
    let trimmed = path.trim_matches('/');
    let top = trimmed.split('/').next().unwrap_or("");
    let prefix = if matches!(top, "get-started" | "guides" | "reference") {
        ""
    } else {
        "manuals/"
    };
    format!("{prefix}{trimmed}.md")
}

/// Best-effort line (1-based) of a JSON pointer in block-style YAML text.
pub fn line_of_pointer(text: &str, pointer: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let meaningful = |l: &str| {
        let t = l.trim_start();
        !t.is_empty() && !t.starts_with('#')
    };
    let indent = |l: &str| l.len() - l.trim_start().len();
    let (mut start, mut end, mut min_col, mut current) = (0usize, lines.len(), 0usize, 0usize);
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if let Ok(n) = seg.parse::<usize>() {
            // n-th sequence item in the block.
            let items: Vec<usize> = (start..end)
                .filter(|&i| meaningful(lines[i]) && indent(lines[i]) >= min_col)
                .filter(|&i| {
                    let t = lines[i].trim_start();
                    t == "-" || t.starts_with("- ")
                })
                .collect();
            let Some(&first) = items.first() else { break };
            let col = indent(lines[first]);
            let items: Vec<usize> = items
                .into_iter()
                .filter(|&i| indent(lines[i]) == col)
                .collect();
            let Some(&at) = items.get(n) else { break };
            let stop = (at + 1..end)
                .find(|&i| meaningful(lines[i]) && indent(lines[i]) <= col)
                .unwrap_or(end);
            current = at;
            start = at;
            end = stop;
            min_col = col;
        } else {
            let found = (start..end).find_map(|i| {
                let l = lines[i];
                if !meaningful(l) {
                    return None;
                }
                let mut col = indent(l);
                let mut t = l.trim_start();
                if let Some(rest) = t.strip_prefix("- ") {
                    col += 2;
                    t = rest;
                }
                let key_ok = t
                    .strip_prefix(seg.as_str())
                    .is_some_and(|r| r.starts_with(':'))
                    || t.strip_prefix(&format!("\"{seg}\""))
                        .is_some_and(|r| r.starts_with(':'));
                (key_ok && col >= min_col).then_some((i, col))
            });
            let Some((at, col)) = found else { break };
            let stop = (at + 1..end)
                .find(|&i| meaningful(lines[i]) && indent(lines[i]) <= col)
                .unwrap_or(end);
            current = at;
            start = at + 1;
            end = stop;
            min_col = col + 1;
        }
    }
    current + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_manifest_is_valid_and_covers_every_lesson() {
        let m = Manifest::embedded("docker-deployment").unwrap().unwrap();
        let cov = m.coverage();
        for l in 0..=8 {
            assert!(
                cov["skill-first"].contains(&l),
                "skill-first lesson {l} has no source"
            );
        }
        for l in 1..=14 {
            assert!(cov["full"].contains(&l), "full lesson {l} has no source");
        }
        assert!(
            m.documents()
                .any(|d| d.url == crate::fetch::cache::COMPOSE_SCHEMA_URL)
        );
        assert_eq!(m.references.len(), 10);
    }

    /// `skillforge test` points a learner at the official page that covers a gap; `fetch`
    /// must cache that page, so every Docker docs page a lesson cites is a source that
    /// names that lesson.
    #[test]
    fn every_page_a_lesson_cites_is_fetched_for_that_lesson() {
        let m = Manifest::embedded("docker-deployment").unwrap().unwrap();
        let lib = crate::eval::suite::Library::embedded().unwrap();
        let mut missing = Vec::new();
        for c in &lib.curricula {
            for l in &c.lessons {
                for url in lib.lesson_docs(l) {
                    let Some(path) = url.strip_prefix(&m.site) else {
                        continue; // not a Docker docs page (e.g. the Agent Skills spec)
                    };
                    let path = path.split('#').next().unwrap_or(path);
                    let covered = m.sources.iter().any(|s| match s {
                        Source::Page(p) => {
                            p.path == path && {
                                let ls = if c.id == "full" {
                                    &p.lessons.full
                                } else {
                                    &p.lessons.skill_first
                                };
                                ls.contains(&l.number)
                            }
                        }
                        Source::Document(_) => false,
                    });
                    if !covered {
                        missing.push(format!("{} lesson {}: {path}", c.id, l.number));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "cited but not fetched for the lesson:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn markdown_route_drops_trailing_slash() {
        assert_eq!(
            markdown_route("https://docs.docker.com", "/build/building/multi-stage/"),
            "https://docs.docker.com/build/building/multi-stage.md"
        );
        assert_eq!(markdown_route("http://x/", "/"), "http://x/index.md");
    }

    #[test]
    fn raw_paths_follow_the_content_layout() {
        assert_eq!(raw_file_for("/build/cache/"), "manuals/build/cache.md");
        assert_eq!(raw_file_for("/guides/python/"), "guides/python.md");
    }

    const GOOD: &str = "version: 1\nblueprint: t\nsite: http://127.0.0.1\nreferences:\n  - file: references/a.md\n    title: A\nsources:\n  - path: /a/\n    title: A\n    lessons: { full: [1] }\n    feeds:\n      - file: references/a.md\n";

    #[test]
    fn schema_errors_point_at_the_line() {
        assert!(Manifest::parse(GOOD, Path::new("s.yaml")).is_ok());
        let bad = GOOD.replace("path: /a/", "path: a-without-slash");
        let e = Manifest::parse(&bad, Path::new("s.yaml")).unwrap_err();
        match e {
            Error::Input { line, message, .. } => {
                assert_eq!(line, Some(8), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let bad = GOOD.replace(
            "      - file: references/a.md\n",
            "      - file: references/b.md\n",
        );
        let e = Manifest::parse(&bad, Path::new("s.yaml")).unwrap_err();
        assert!(matches!(e, Error::Input { line: Some(12), .. }), "{e:?}");
    }

    #[test]
    fn yaml_syntax_errors_have_a_line() {
        let e = Manifest::parse("version: 1\nblueprint: [\n", Path::new("s.yaml")).unwrap_err();
        assert!(matches!(e, Error::Input { line: Some(_), .. }));
    }

    #[test]
    fn pointer_lines() {
        let t = "a:\n  - x: 1\n    y: 2\n  - x: 3\n    z:\n      - q\n";
        assert_eq!(line_of_pointer(t, "/a/1/z"), 5);
        assert_eq!(line_of_pointer(t, "/a/0/y"), 3);
        assert_eq!(line_of_pointer(t, ""), 1);
    }
}
