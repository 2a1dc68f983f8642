//! The lint engine: a registry of small named rules run over skill models.
//!
//! A rule is a [`Rule`]: a stable id (`SF-…`), a default [`Severity`], a one-line
//! summary, a longer explanation for `skillforge lint --explain ID` (including the
//! ids of peer tools it corresponds to), and a check function that reads the
//! [`Skill`] model (never the raw file) and emits diagnostics.
//!
//! Rule sets live next to what they check: `lint::rules` (the Agent Skills spec),
//! `docker::rules` (Dockerfiles) and `docker::compose` (Compose files); [`registry`]
//! joins them.

pub mod cmd;
pub mod config;
pub mod discover;
pub mod rules;
pub mod schema;
pub mod tokens;

use crate::docker::{ComposeDoc, Dockerfile};
use crate::report::{Diagnostic, Severity};
use crate::skill::{Skill, Span};
use std::cell::OnceCell;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use config::{Budgets, Config, Profile};

/// What a rule checks: one skill at a time, or a whole scanned tree.
#[derive(Clone, Copy)]
pub enum Check {
    Skill(fn(&Ctx, &Skill, &mut Emitter)),
    Tree(fn(&Ctx, &[Skill], &mut Vec<Diagnostic>)),
}

/// One lint rule.
pub struct Rule {
    /// Stable id, e.g. `SF-name-matches-dir`.
    pub id: &'static str,
    /// Default severity (config and profiles may change it).
    pub severity: Severity,
    /// One-line doc, shown in listings.
    pub summary: &'static str,
    /// Longer text for `--explain`: why, how to fix, peer ids (hadolint DLxxxx, …).
    pub explain: &'static str,
    pub check: Check,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule").field("id", &self.id).finish()
    }
}

/// Everything a rule may consult besides the skill.
pub struct Ctx {
    pub config: Config,
    /// The compiled Compose JSON Schema, when one was found (cache or `../shared/data`).
    pub compose_schema: Option<jsonschema::Validator>,
    /// Why the Compose schema is absent (shown once in the summary).
    pub compose_schema_note: Option<String>,
}

impl Ctx {
    pub fn new(config: Config) -> Self {
        Ctx {
            config,
            compose_schema: None,
            compose_schema_note: None,
        }
    }

    pub fn profile(&self) -> Profile {
        self.config.profile
    }
}

/// What the rules run on one skill share, computed on first use and dropped with the
/// skill's lint run: the file index of the path rules and the parsed Dockerfiles and
/// Compose files. One memo belongs to one skill, so nothing can be mixed up between
/// skills (and nothing is kept once the skill is done).
pub struct SkillMemo<'s> {
    skill: &'s Skill,
    index: OnceCell<rules::SkillIndex>,
    dockerfiles: OnceCell<Vec<Dockerfile>>,
    compose: OnceCell<Vec<ComposeDoc>>,
}

impl<'s> SkillMemo<'s> {
    pub fn new(skill: &'s Skill) -> Self {
        SkillMemo {
            skill,
            index: OnceCell::new(),
            dockerfiles: OnceCell::new(),
            compose: OnceCell::new(),
        }
    }

    pub fn skill(&self) -> &'s Skill {
        self.skill
    }

    /// The skill's files, directories and SKILL.md references (path rules).
    pub(crate) fn index(&self) -> &rules::SkillIndex {
        self.index
            .get_or_init(|| rules::SkillIndex::build(self.skill))
    }

    /// Every Dockerfile of the skill (code blocks in document order, then files).
    pub fn dockerfiles(&self) -> &[Dockerfile] {
        self.dockerfiles
            .get_or_init(|| crate::docker::dockerfiles_in(self.skill))
    }

    /// Every Compose file of the skill (YAML blocks in document order, then files).
    pub fn compose(&self) -> &[ComposeDoc] {
        self.compose
            .get_or_init(|| crate::docker::compose_files_in(self.skill))
    }
}

/// Collects a rule's findings, stamping the rule id and severity.
pub struct Emitter<'a> {
    rule: &'static Rule,
    memo: &'a SkillMemo<'a>,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Emitter<'a> {
    pub fn new(rule: &'static Rule, memo: &'a SkillMemo<'a>, out: &'a mut Vec<Diagnostic>) -> Self {
        Emitter { rule, memo, out }
    }

    /// A finding in SKILL.md at `span` (or the whole file) with the rule's severity.
    pub fn emit(&mut self, span: Option<Span>, message: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::new(
            self.rule.id,
            self.rule.severity,
            self.memo.skill.skill_md.clone(),
            span,
            message,
        );
        self.out.push(d);
        self.out.last_mut().expect("just pushed")
    }

    /// A finding in another file of the skill (`rel` is relative to the skill dir).
    pub fn emit_in(
        &mut self,
        rel: &str,
        span: Option<Span>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let d = Diagnostic::new(
            self.rule.id,
            self.rule.severity,
            self.memo.skill.dir.join(rel),
            span,
            message,
        );
        self.out.push(d);
        self.out.last_mut().expect("just pushed")
    }

    pub fn rule(&self) -> &'static Rule {
        self.rule
    }

    /// The analyses shared by every rule run on this skill.
    pub fn memo(&self) -> &'a SkillMemo<'a> {
        self.memo
    }
}

/// Every rule skillforge knows, in a stable order.
pub fn registry() -> Vec<&'static Rule> {
    let mut all: Vec<&'static Rule> = Vec::new();
    all.extend(rules::RULES.iter());
    all.extend(crate::docker::rules::RULES.iter());
    all.extend(crate::docker::compose::RULES.iter());
    all.extend(crate::docker::ignore::RULES.iter());
    all.extend(crate::ship::archive::RULES.iter());
    all
}

/// Finds a rule by id (case-insensitive), also accepting a peer id like `DL3007`.
pub fn find_rule(id: &str) -> Option<&'static Rule> {
    let reg = registry();
    reg.iter()
        .find(|r| r.id.eq_ignore_ascii_case(id))
        .or_else(|| {
            let needle = id.to_ascii_uppercase();
            reg.iter().find(|r| {
                r.explain
                    .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                    .any(|w| w.eq_ignore_ascii_case(&needle))
            })
        })
        .copied()
}

/// Runs every enabled rule on one skill; severities adjusted by config.
pub fn lint_skill(cx: &Ctx, skill: &Skill) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let memo = SkillMemo::new(skill);
    for rule in registry() {
        if cx.config.is_off(rule.id) {
            continue;
        }
        if let Check::Skill(f) = rule.check {
            let mut em = Emitter::new(rule, &memo, &mut out);
            f(cx, skill, &mut em);
        }
    }
    cx.config.apply_overrides(&mut out);
    out
}

/// Runs the tree-level rules over all loaded skills.
pub fn lint_tree(cx: &Ctx, skills: &[Skill]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in registry() {
        if cx.config.is_off(rule.id) {
            continue;
        }
        if let Check::Tree(f) = rule.check {
            f(cx, skills, &mut out);
        }
    }
    cx.config.apply_overrides(&mut out);
    out
}

/// Relative display path helper: `path` relative to the current directory when possible.
pub fn display_path(path: &Path) -> String {
    // The working directory is read once per process (one system call, not one per
    // diagnostic); skillforge never changes it.
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    if let Some(cwd) = CWD.get_or_init(|| std::env::current_dir().ok())
        && let Ok(rel) = path.strip_prefix(cwd)
    {
        return rel.display().to_string();
    }
    path.display().to_string()
}
