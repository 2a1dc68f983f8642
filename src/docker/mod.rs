//! Dockerfile facts and rules, Compose checks.
//!
//! - [`facts`]: a typed summary of each Dockerfile in a skill (SKILL.md code blocks
//!   tagged `dockerfile`, and files named `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`),
//!   every fact carrying its span in SKILL.md or the file.
//! - [`rules`]: lint rules on those facts (`SF-docker-…`, with hadolint / build-check /
//!   Trivy peer ids in their explanations).
//! - [`compose`]: Compose files and YAML blocks: schema validation and semantic checks.
//!
//! A skill is parsed once: [`dockerfiles_in`] and [`compose_files_in`] memoise the last
//! skill seen on each thread, so the many rules that read the same facts share one parse.

pub mod compose;
pub mod facts;
pub mod rules;
pub mod shell;
pub mod yaml;

pub use compose::{ComposeDoc, compose_files_in, load_compose_schema};
pub use facts::{
    Dockerfile, ImageFamily, ImageRef, InstKind, Origin, PackageCall, PackageManager, RunFact,
    Stage,
};

use crate::skill::{Skill, Span};
use std::cell::RefCell;
use std::rc::Rc;

/// One finding from a Dockerfile or Compose rule, before it becomes a Diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub span: Span,
    pub message: String,
    pub hint: Option<String>,
}

impl Hit {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Hit {
            span,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Is this file name a Dockerfile (`Dockerfile`, `Dockerfile.*`, `*.Dockerfile`)?
pub fn is_dockerfile_name(rel: &str) -> bool {
    let base = rel.rsplit('/').next().unwrap_or(rel);
    // Templates of a Dockerfile (handlebars, jinja, …) and notes are not Dockerfiles.
    let lower = base.to_ascii_lowercase();
    if [
        ".hbs", ".tmpl", ".tpl", ".j2", ".jinja", ".md", ".orig", ".bak",
    ]
    .iter()
    .any(|e| lower.ends_with(e))
    {
        return false;
    }
    base == "Dockerfile"
        || base.starts_with("Dockerfile.")
        || (base.ends_with(".Dockerfile") && base.len() > ".Dockerfile".len())
        || base.eq_ignore_ascii_case("dockerfile")
}

/// Is this code-block language a Dockerfile (`dockerfile`, `Dockerfile`, `containerfile`)?
/// (`docker` is not: it often tags shell sessions of `docker run …`.)
pub fn is_dockerfile_lang(lang: &str) -> bool {
    lang.eq_ignore_ascii_case("dockerfile") || lang.eq_ignore_ascii_case("containerfile")
}

/// The parsed Dockerfiles and Compose files of one skill, shared by all rules.
#[derive(Default)]
pub(crate) struct Parsed {
    dockerfiles: std::cell::OnceCell<Rc<Vec<Dockerfile>>>,
    compose: std::cell::OnceCell<Rc<Vec<ComposeDoc>>>,
}

/// Identifies the skill a cached parse belongs to: the addresses and lengths of its
/// text, code blocks and file list (a skill alive on this thread cannot share them
/// with another), plus a sample of the content and the file sizes, so a new skill
/// allocated where a dropped one lived is not mistaken for it. Cheap enough to
/// compute once per rule call.
#[derive(PartialEq, Eq)]
struct Key {
    skill: usize,
    text: (usize, usize),
    blocks: (usize, usize),
    files: (usize, usize),
    sample: u64,
}

fn key_of(skill: &Skill) -> Key {
    let t = skill.doc.text.as_bytes();
    // Folds the first and last 64 bytes (8 at a time), the file sizes and the dir
    // length: a handful of multiplications per call.
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ t.len() as u64;
    let mut mix = |x: u64| h = (h ^ x).wrapping_mul(0x0100_0000_01b3).rotate_left(29);
    let head = &t[..t.len().min(64)];
    let tail = &t[t.len().saturating_sub(64)..];
    for chunk in head.chunks(8).chain(tail.chunks(8)) {
        let mut b = [0u8; 8];
        b[..chunk.len()].copy_from_slice(chunk);
        mix(u64::from_le_bytes(b));
    }
    for f in &skill.files {
        mix(f.size);
    }
    mix(skill.dir.as_os_str().len() as u64);
    Key {
        skill: skill as *const Skill as usize,
        text: (t.as_ptr() as usize, t.len()),
        blocks: (
            skill.doc.body.code_blocks.as_ptr() as usize,
            skill.doc.body.code_blocks.len(),
        ),
        files: (skill.files.as_ptr() as usize, skill.files.len()),
        sample: h,
    }
}

thread_local! {
    static CACHE: RefCell<Option<(Key, Rc<Parsed>)>> = const { RefCell::new(None) };
}

fn parsed(skill: &Skill) -> Rc<Parsed> {
    let key = key_of(skill);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        match &*c {
            Some((k, p)) if *k == key => p.clone(),
            _ => {
                let p = Rc::new(Parsed::default());
                *c = Some((key, p.clone()));
                p
            }
        }
    })
}

/// Every Dockerfile of a skill: code blocks first (document order), then files (sorted).
/// Parsed once per skill and thread.
pub fn dockerfiles_in(skill: &Skill) -> Rc<Vec<Dockerfile>> {
    parsed(skill)
        .dockerfiles
        .get_or_init(|| Rc::new(parse_dockerfiles(skill)))
        .clone()
}

fn parse_dockerfiles(skill: &Skill) -> Vec<Dockerfile> {
    parse_embedded(
        skill,
        |cb| !cb.code.trim().is_empty() && is_dockerfile_lang(&cb.lang),
        is_dockerfile_name,
        Dockerfile::parse,
    )
}

/// Parses every fenced code block that `block` selects (document order), then every
/// non-symlink file whose relative path `file` selects (sorted), mapping block lines back
/// into SKILL.md. Shared by the Dockerfile and Compose readers.
pub(crate) fn parse_embedded<T>(
    skill: &Skill,
    block: impl Fn(&crate::skill::CodeBlock) -> bool,
    file: impl Fn(&str) -> bool,
    parse: impl Fn(&str, Origin, Option<(&str, &crate::skill::LineIndex, usize)>) -> T,
) -> Vec<T> {
    let doc = &skill.doc;
    let mut out = Vec::new();
    for (index, cb) in doc.body.code_blocks.iter().enumerate() {
        if !cb.fenced || !block(cb) {
            continue;
        }
        out.push(parse(
            &cb.code,
            Origin::Block {
                index,
                code_start_line: cb.code_start_line,
            },
            Some((&doc.text, &doc.lines, cb.code_start_line)),
        ));
    }
    for f in &skill.files {
        if f.is_symlink || !file(&f.rel) {
            continue;
        }
        if let Some(text) = skill.read_file(&f.rel) {
            out.push(parse(&text, Origin::File { rel: f.rel.clone() }, None));
        }
    }
    out
}

/// Parses one standalone Dockerfile text (a model's answer, a test input).
pub fn parse_dockerfile_text(text: &str) -> Dockerfile {
    Dockerfile::parse(text, Origin::Text, None)
}

/// Every Dockerfile in a Markdown answer's ```dockerfile blocks (for model-judged tests).
pub fn dockerfiles_in_markdown(md: &str) -> Vec<Dockerfile> {
    let doc = crate::skill::parse_skill_md(md);
    doc.body
        .code_blocks
        .iter()
        .filter(|cb| cb.fenced && is_dockerfile_lang(&cb.lang) && !cb.code.trim().is_empty())
        .map(|cb| Dockerfile::parse(&cb.code, Origin::Text, None))
        .collect()
}

pub(crate) fn cached_compose(skill: &Skill) -> Rc<Vec<ComposeDoc>> {
    parsed(skill)
        .compose
        .get_or_init(|| Rc::new(compose::parse_compose_docs(skill)))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_follows_the_skill() {
        let dir = std::path::Path::new("/nonexistent-skillforge-cache-test");
        let a = Skill::from_text(dir, "---\nname: a\n---\n```dockerfile\nFROM a:1\n```\n");
        let b = Skill::from_text(dir, "---\nname: a\n---\n```dockerfile\nFROM b:1\n```\n");
        for _ in 0..2 {
            assert_eq!(dockerfiles_in(&a)[0].stages[0].image.name, "a");
            assert_eq!(dockerfiles_in(&b)[0].stages[0].image.name, "b");
        }
        // the same skill reuses its parse
        assert!(Rc::ptr_eq(&dockerfiles_in(&b), &dockerfiles_in(&b)));
        drop((a, b));
        let c = Skill::from_text(dir, "---\nname: a\n---\n```dockerfile\nFROM c:1\n```\n");
        assert_eq!(dockerfiles_in(&c)[0].stages[0].image.name, "c");
    }

    #[test]
    fn dockerfile_names() {
        for ok in ["Dockerfile", "templates/Dockerfile.prod", "api.Dockerfile"] {
            assert!(is_dockerfile_name(ok), "{ok}");
        }
        for no in [
            "Dockerfile-notes.md",
            "x/.Dockerfile2",
            "docker-compose.yml",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
