//! Dockerfile facts and rules, Compose checks.
//!
//! - [`facts`]: a typed summary of each Dockerfile in a skill (SKILL.md code blocks
//!   tagged `dockerfile`, and files named `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`),
//!   every fact carrying its span in SKILL.md or the file.
//! - [`rules`]: lint rules on those facts (`SF-docker-…`, with hadolint / build-check /
//!   Trivy peer ids in their explanations).
//! - [`compose`]: Compose files and YAML blocks: schema validation and semantic checks.
//!
//! A skill is parsed once per lint run: the rules read the Dockerfiles and Compose
//! files through the skill's [`crate::rule::SkillMemo`] ([`DockerMemo`]), which parses on
//! first use.

pub mod compose;
pub mod facts;
pub mod ignore;
pub mod rules;
pub mod shell;
pub mod versions;
pub mod yaml;

pub use compose::{ComposeDoc, compose_files_in, load_compose_schema};
pub use facts::{
    Dockerfile, ImageFamily, ImageRef, InstKind, Origin, PackageCall, PackageManager, RunFact,
    Stage,
};

use crate::rule::SkillMemo;
use crate::skill::{Skill, Span};
use std::rc::Rc;

/// The Dockerfiles and Compose files of the skill a memo belongs to, parsed once per
/// skill and shared by every Docker and Compose rule.
pub trait DockerMemo {
    /// Every Dockerfile of the skill (code blocks in document order, then files).
    fn dockerfiles(&self) -> Rc<Vec<Dockerfile>>;
    /// Every Compose file of the skill (YAML blocks in document order, then files).
    fn compose(&self) -> Rc<Vec<ComposeDoc>>;
}

impl DockerMemo for SkillMemo<'_> {
    fn dockerfiles(&self) -> Rc<Vec<Dockerfile>> {
        self.get(dockerfiles_in)
    }

    fn compose(&self) -> Rc<Vec<ComposeDoc>> {
        self.get(compose_files_in)
    }
}

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

/// Every Dockerfile of a skill: code blocks first (document order), then files (sorted).
/// Parses afresh on every call; lint rules share one parse per skill through
/// [`DockerMemo::dockerfiles`].
pub fn dockerfiles_in(skill: &Skill) -> Vec<Dockerfile> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_parses_each_skill_once() {
        let dir = std::path::Path::new("/nonexistent-skillforge-memo-test");
        let a = Skill::from_text(dir, "---\nname: a\n---\n```dockerfile\nFROM a:1\n```\n");
        let b = Skill::from_text(dir, "---\nname: a\n---\n```dockerfile\nFROM b:1\n```\n");
        let (ma, mb) = (SkillMemo::new(&a), SkillMemo::new(&b));
        assert_eq!(ma.dockerfiles()[0].stages[0].image.name, "a");
        assert_eq!(mb.dockerfiles()[0].stages[0].image.name, "b");
        // the same memo hands out the same parse
        assert!(Rc::ptr_eq(&mb.dockerfiles(), &mb.dockerfiles()));
        assert_eq!(dockerfiles_in(&a)[0].stages[0].image.name, "a");
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
