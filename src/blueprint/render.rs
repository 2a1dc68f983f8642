//! Rendering a blueprint for a set of answers into the files of a skill (in memory).

use super::model::{Answers, Blueprint, resolve};
use super::source::BlueprintFiles;
use crate::error::{Error, Result};
use handlebars::Handlebars;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// Which reference files go into the skill.
#[derive(Debug, Clone, Default)]
pub enum ReferenceSource {
    /// The authored digest compiled into the binary (`skills/<bp>/references/`).
    #[default]
    Bundled,
    /// Files supplied by the caller (e.g. distilled from fetched docs by
    /// [`crate::fetch::distilled_references`]): `(path, content)` where `path` is a
    /// bare file name (placed under `references/`), `references/<file>`, or a file at
    /// the skill root such as `docs.lock`. They replace the bundled digest.
    Provided(Vec<(String, String)>),
}

impl ReferenceSource {
    /// How `new` describes the source in its summary.
    pub fn describe(&self) -> &'static str {
        match self {
            ReferenceSource::Bundled => "bundled digest (offline)",
            ReferenceSource::Provided(_) => "fetched from the official docs (cache)",
        }
    }

    fn key(&self) -> &'static str {
        match self {
            ReferenceSource::Bundled => "bundled",
            ReferenceSource::Provided(_) => "fetched",
        }
    }
}

/// One rendered file of the skill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    /// Skill-relative path with `/`.
    pub rel: String,
    pub content: String,
}

/// Everything needed to render one skill.
pub struct RenderInput<'a> {
    pub files: &'a BlueprintFiles,
    pub blueprint: &'a Blueprint,
    pub answers: &'a Answers,
    pub skill_name: &'a str,
    pub references: &'a ReferenceSource,
    /// Templates compiled once by [`compile`] (compiled on the fly when `None`).
    pub compiled: Option<&'a Handlebars<'static>>,
}

/// A plain file name: letters, digits, `-`, `_`, `.`, not hidden.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The reference documents (`file name`, content) and any extra root-level files
/// (`docs.lock`) the reference source brings.
type RefSet = (Vec<(String, String)>, Vec<(String, String)>);

fn reference_set(input: &RenderInput) -> Result<RefSet> {
    let mut refs = Vec::new();
    let mut extra = Vec::new();
    // A reference that skill.yaml's `references:` list describes under a `when:` the
    // answers do not meet is left out (stack-specific digests), whether bundled or
    // fetched; references the list does not describe at all are always kept.
    let listed = |data: &Value| -> BTreeSet<String> {
        data.get("references")
            .and_then(Value::as_array)
            .map(|xs| {
                xs.iter()
                    .filter_map(|x| x.get("file").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let described = listed(&input.blueprint.data);
    let kept = listed(&resolve(&input.blueprint.data, input.answers));
    match input.references {
        ReferenceSource::Bundled => {
            for (k, v) in input.files.under("references") {
                let name = k.trim_start_matches("references/");
                if described.contains(name) && !kept.contains(name) {
                    continue;
                }
                if name.ends_with(".md") && plain_name(name) {
                    refs.push((name.to_string(), v.to_string()));
                }
            }
        }
        ReferenceSource::Provided(v) => {
            for (path, content) in v {
                let (dir, name) = match path.rsplit_once('/') {
                    Some((d, n)) => (d, n),
                    None if path.ends_with(".md") => ("references", path.as_str()),
                    None => ("", path.as_str()),
                };
                if !plain_name(name) || !matches!(dir, "" | "references") {
                    return Err(Error::usage(format!(
                        "provided reference `{path}` must be a plain file name, \
                         references/<file> or a file at the skill root"
                    )));
                }
                if dir == "references" {
                    if described.contains(name) && !kept.contains(name) {
                        continue;
                    }
                    refs.push((name.to_string(), content.clone()));
                } else if name != "SKILL.md" {
                    extra.push((name.to_string(), content.clone()));
                }
            }
            // A digest the answers keep but no official source of the manifest produces
            // (node-in-docker.md, go-in-docker.md) comes from the bundled set.
            let produced: BTreeSet<String> = crate::fetch::sources::Manifest::embedded(
                input.blueprint.name.split('/').next().unwrap_or(""),
            )
            .and_then(|m| m.ok())
            .map(|m| {
                m.references
                    .iter()
                    .map(|r| r.file.trim_start_matches("references/").to_string())
                    .collect()
            })
            .unwrap_or_default();
            for (k, v) in input.files.under("references") {
                let name = k.trim_start_matches("references/");
                if kept.contains(name)
                    && !produced.is_empty()
                    && !produced.contains(name)
                    && plain_name(name)
                    && !refs.iter().any(|(n, _)| n == name)
                {
                    refs.push((name.to_string(), v.to_string()));
                }
            }
        }
    }
    refs.sort_by(|a, b| a.0.cmp(&b.0));
    refs.dedup_by(|a, b| a.0 == b.0);
    // A blueprint may ship a subset of the digest (`references_listed_only: true`).
    let data = &input.blueprint.data;
    if data.get("references_listed_only").and_then(Value::as_bool) == Some(true) {
        let listed: Vec<&str> = data
            .get("references")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.get("file").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        refs.retain(|(name, _)| listed.contains(&name.as_str()));
    }
    Ok((refs, extra))
}

/// The `> Covers: …` line of a distilled reference (what it holds).
fn covers_line(text: &str) -> Option<String> {
    text.lines()
        .take(40)
        .find_map(|l| l.strip_prefix("> Covers: ").map(|t| t.trim().to_string()))
        .filter(|t| !t.is_empty())
}

/// The first `# ` heading of a Markdown file, for describing an unknown reference.
fn first_heading(text: &str) -> Option<String> {
    text.lines()
        .find_map(|l| l.strip_prefix("# ").map(|t| t.trim().to_string()))
}

/// Builds the handlebars context: the resolved `skill.yaml` plus `skill_name`,
/// `answers`, `is.<id>_<value>` flags (and `is.<tag>`), `metadata`,
/// `reference_files`, `template_files`, `references_source`.
fn context(
    input: &RenderInput,
    refs: &[(String, String)],
) -> Result<(Value, Vec<super::model::TemplateSpec>)> {
    let bp = input.blueprint;
    let mut ctx = resolve(&bp.data, input.answers);
    let templates = Blueprint::templates(&ctx, &bp.path, &bp.text)?;
    let Some(obj) = ctx.as_object_mut() else {
        return Err(Error::input(&bp.path, "skill.yaml must be a mapping"));
    };
    let mut is = Map::new();
    for q in &bp.authoring {
        for c in &q.choices {
            let chosen = input.answers.get(&q.id) == Some(&c.value);
            is.insert(
                format!("{}_{}", q.id, c.value.replace('-', "_")),
                Value::Bool(chosen),
            );
            for t in &c.tags {
                let prev = is.get(t).and_then(Value::as_bool).unwrap_or(false);
                is.insert(t.clone(), Value::Bool(prev || chosen));
            }
        }
    }
    let mut metadata = Map::new();
    metadata.insert("version".into(), json!(bp.version));
    metadata.insert(
        "generated-by".into(),
        json!(format!("skillforge {}", env!("CARGO_PKG_VERSION"))),
    );
    metadata.insert("blueprint".into(), json!(bp.name));
    for q in &bp.authoring {
        if let Some(v) = input.answers.get(&q.id) {
            metadata.insert(q.id.replace('_', "-"), json!(v));
        }
    }
    metadata.insert("references".into(), json!(input.references.key()));
    let described: Vec<Value> = obj
        .get("references")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let reference_files: Vec<Value> = refs
        .iter()
        .map(|(name, text)| {
            // Fetched references say what they hold (`> Covers: …`); the authored
            // topic describes the bundled digest.
            let covers = match input.references {
                ReferenceSource::Provided(_) => covers_line(text),
                ReferenceSource::Bundled => None,
            };
            let topic = covers
                .or_else(|| {
                    described
                        .iter()
                        .find(|d| d.get("file").and_then(Value::as_str) == Some(name.as_str()))
                        .and_then(|d| d.get("topic").and_then(Value::as_str).map(str::to_string))
                })
                .or_else(|| first_heading(text))
                .unwrap_or_else(|| name.trim_end_matches(".md").replace('-', " "));
            json!({"file": name, "path": format!("references/{name}"), "topic": topic})
        })
        .collect();
    let template_files: Vec<Value> = templates
        .iter()
        .map(|t| {
            let name = t.output.rsplit('/').next().unwrap_or(&t.output);
            // Hidden files are not linked: the skill model (and so link checks) skip them.
            json!({"path": t.output, "name": name, "hidden": name.starts_with('.'), "describe": t.describe})
        })
        .collect();
    obj.insert(
        "versions".into(),
        bp.versions
            .as_ref()
            .map(|v| v.context())
            .unwrap_or_else(|| Value::Object(Map::new())),
    );
    obj.insert("skill_name".into(), json!(input.skill_name));
    obj.insert("answers".into(), json!(input.answers));
    obj.insert("is".into(), Value::Object(is));
    obj.insert("metadata".into(), Value::Object(metadata));
    obj.insert("reference_files".into(), Value::Array(reference_files));
    obj.insert("template_files".into(), Value::Array(template_files));
    obj.insert(
        "references_source".into(),
        json!(input.references.describe()),
    );
    Ok((ctx, templates))
}

/// A handlebars registry with every `.hbs` file of the blueprint compiled (strict
/// mode, no HTML escaping) and the `yaml`, `inc` and `reflink` helpers.
/// Partials a template (or an inline partial) uses: `{{> name}}` / `{{#> name}}`, with
/// the inline partials it defines (`{{#*inline "n"}}…{{/inline}}`) as their own nodes.
fn partial_edges(owner: &str, src: &str, edges: &mut Vec<(String, String)>) {
    let re_use = regex::Regex::new(r#"\{\{~?#?>\s*"?([^\s"}~()]+)"?"#).ok();
    let re_inline =
        regex::Regex::new(r#"(?s)\{\{~?#\*inline\s+"([^"]+)"\s*~?\}\}(.*?)\{\{~?/inline\s*~?\}\}"#)
            .ok();
    let (Some(re_use), Some(re_inline)) = (re_use, re_inline) else {
        return;
    };
    let mut rest = src.to_string();
    for c in re_inline.captures_iter(src) {
        let (name, body) = (c[1].to_string(), c[2].to_string());
        for u in re_use.captures_iter(&body) {
            edges.push((name.clone(), u[1].to_string()));
        }
        rest = rest.replace(&c[0], "");
    }
    for u in re_use.captures_iter(&rest) {
        if &u[1] != "@partial-block" {
            edges.push((owner.to_string(), u[1].to_string()));
        }
    }
}

/// A cycle of partials (`a` → `b` → `a`), which would recurse until the stack overflows.
pub fn partial_cycle(files: &BlueprintFiles) -> Option<Vec<String>> {
    let mut edges = Vec::new();
    for (rel, src) in &files.files {
        if rel.ends_with(".hbs") {
            partial_edges(rel, src, &mut edges);
        }
    }
    let nodes: BTreeSet<&str> = edges
        .iter()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .collect();
    // Depth-first search with colours; returns the first cycle found.
    fn visit<'a>(
        n: &'a str,
        edges: &'a [(String, String)],
        state: &mut std::collections::BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        state.insert(n, 1);
        stack.push(n);
        for (a, b) in edges.iter().filter(|(a, _)| a == n) {
            let _ = a;
            match state.get(b.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = stack.iter().position(|x| *x == b.as_str()).unwrap_or(0);
                    let mut cycle: Vec<String> =
                        stack[start..].iter().map(|s| s.to_string()).collect();
                    cycle.push(b.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(b.as_str(), edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n, 2);
        None
    }
    let mut state = std::collections::BTreeMap::new();
    for n in nodes {
        if state.get(n).copied().unwrap_or(0) == 0
            && let Some(c) = visit(n, &edges, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

pub fn compile(files: &BlueprintFiles) -> Result<Handlebars<'static>> {
    if let Some(cycle) = partial_cycle(files) {
        return Err(Error::input(
            files.path_of(cycle.first().map(String::as_str).unwrap_or("skill.yaml")),
            format!(
                "templates include each other in a cycle ({}): rendering would never end",
                cycle
                    .iter()
                    .map(|c| crate::term::escape_line(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" → ")
            ),
        )
        .with_hint(
            "break the cycle: a partial must not include itself, directly or through others",
        ));
    }
    let mut hb = registry();
    for (rel, src) in &files.files {
        if rel.ends_with(".hbs") {
            hb.register_template_string(rel, src).map_err(|e| {
                Error::input_at(
                    files.path_of(rel),
                    e.pos().map(|(l, _)| l).unwrap_or(1),
                    format!("invalid handlebars template: {}", e.reason()),
                    None,
                )
            })?;
        }
    }
    Ok(hb)
}

fn registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(handlebars::no_escape);
    // `{{yaml x}}`: a value as a YAML double-quoted scalar (JSON string syntax).
    hb.register_helper(
        "yaml",
        Box::new(
            |h: &handlebars::Helper,
             _: &Handlebars,
             _: &handlebars::Context,
             _: &mut handlebars::RenderContext,
             out: &mut dyn handlebars::Output|
             -> handlebars::HelperResult {
                let v = h.param(0).map(|p| p.value().clone()).unwrap_or(Value::Null);
                let s = match v {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                let quoted = serde_json::to_string(&s).unwrap_or_else(|_| "\"\"".into());
                out.write(&quoted)?;
                Ok(())
            },
        ),
    );
    // `{{inc @index}}`: 1-based numbering.
    hb.register_helper(
        "inc",
        Box::new(
            |h: &handlebars::Helper,
             _: &Handlebars,
             _: &handlebars::Context,
             _: &mut handlebars::RenderContext,
             out: &mut dyn handlebars::Output|
             -> handlebars::HelperResult {
                let n = h.param(0).and_then(|p| p.value().as_u64()).unwrap_or(0);
                out.write(&(n + 1).to_string())?;
                Ok(())
            },
        ),
    );
    // `{{reflink "file.md"}}`: a Markdown link to a reference when the skill has it
    // (listed in the context's `reference_files`), otherwise the plain topic name, so
    // a partial reference set never links nowhere.
    hb.register_helper(
        "reflink",
        Box::new(
            |h: &handlebars::Helper,
             _: &Handlebars,
             ctx: &handlebars::Context,
             _: &mut handlebars::RenderContext,
             out: &mut dyn handlebars::Output|
             -> handlebars::HelperResult {
                let name = h.param(0).and_then(|p| p.value().as_str()).unwrap_or("");
                let present = ctx
                    .data()
                    .get("reference_files")
                    .and_then(Value::as_array)
                    .is_some_and(|fs| {
                        fs.iter()
                            .any(|f| f.get("file").and_then(Value::as_str) == Some(name))
                    });
                if present {
                    out.write(&format!("[{name}](references/{name})"))?;
                } else {
                    out.write(&format!(
                        "the official docs on {}",
                        name.trim_end_matches(".md").replace('-', " ")
                    ))?;
                }
                Ok(())
            },
        ),
    );
    hb
}

/// The most one template may render (a runaway `{{#each}}` nest stops here).
pub const MAX_RENDERED: usize = 4 * 1024 * 1024;

/// A writer that refuses to grow past [`MAX_RENDERED`].
struct CappedWriter {
    buf: Vec<u8>,
    over: bool,
}

impl std::io::Write for CappedWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > MAX_RENDERED {
            self.over = true;
            return Err(std::io::Error::other("rendered output over the cap"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn render_one(hb: &Handlebars, files: &BlueprintFiles, rel: &str, ctx: &Value) -> Result<String> {
    let path = files.path_of(rel);
    let mut w = CappedWriter {
        buf: Vec::new(),
        over: false,
    };
    let rendered = if hb.has_template(rel) {
        hb.render_to_write(rel, ctx, &mut w)
    } else {
        let src = files.get(rel).ok_or_else(|| {
            Error::input(
                &path,
                "template listed in skill.yaml is missing from the blueprint",
            )
        })?;
        hb.render_template_to_write(src, ctx, &mut w)
    };
    if w.over {
        return Err(Error::input(
            &path,
            format!(
                "renders to more than {}: a loop in the template runs away",
                crate::fsutil::human_size(MAX_RENDERED as u64)
            ),
        ));
    }
    let rendered = rendered.map(|()| String::from_utf8_lossy(&w.buf).into_owned());
    rendered.map_err(|e| {
        let line = e.line_no.unwrap_or(1);
        let reason = e.reason().to_string();
        Error::input_at(
            &path,
            line,
            format!("cannot render template: {reason}"),
            Some("templates are handlebars in strict mode: every variable must exist in skill.yaml or the answers".into()),
        )
    })
}

/// Renders SKILL.md, the templates and the references for one set of answers.
pub fn render(input: &RenderInput) -> Result<Vec<OutFile>> {
    let (refs, extra) = reference_set(input)?;
    let (ctx, templates) = context(input, &refs)?;
    let owned;
    let hb = match input.compiled {
        Some(hb) => hb,
        None => {
            owned = compile(input.files)?;
            &owned
        }
    };
    let mut out = vec![OutFile {
        rel: "SKILL.md".into(),
        content: render_one(hb, input.files, "SKILL.md.hbs", &ctx)?,
    }];
    let mut seen = BTreeSet::new();
    for t in &templates {
        let rel = t.output.trim_start_matches("./").to_string();
        // Every component must be a real name: no `.`/`..`, no empty component (a
        // trailing `/` or `//`), so the output is a file path, never a directory.
        let bad_component = rel
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == ".." || c.chars().any(char::is_control));
        if bad_component || rel.starts_with('/') || rel.contains('\\') || rel == "SKILL.md" {
            return Err(Error::input(
                input.files.path_of("skill.yaml"),
                format!(
                    "template output `{}` must be a relative file path inside the skill (no `.` or `..` components, no trailing `/`, not SKILL.md)",
                    crate::term::escape_line(&t.output)
                ),
            ));
        }
        if !seen.insert(rel.clone()) {
            return Err(Error::input(
                input.files.path_of("skill.yaml"),
                format!("two templates write `{rel}` for these answers; tighten their `when`"),
            ));
        }
        out.push(OutFile {
            rel,
            content: render_one(hb, input.files, &t.source, &ctx)?,
        });
    }
    for (name, text) in refs {
        out.push(OutFile {
            rel: format!("references/{name}"),
            content: text,
        });
    }
    for (name, text) in extra {
        if seen.insert(name.clone()) {
            out.push(OutFile {
                rel: name,
                content: text,
            });
        }
    }
    Ok(out)
}
