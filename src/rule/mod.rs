//! What a lint rule is and what it may consult: the types every rule family shares.
//!
//! Rule families live next to what they check (`lint::rules` for the Agent Skills spec,
//! `docker::rules`, `docker::compose` and `docker::ignore` for Docker, `ship::archive`
//! for `.skill` archives); each exports a `RULES` list built from the types here.
//! `lint::registry` is the one place that joins those lists. Dependencies run one way:
//! rule families → `rule`, and `lint::registry` → rule families; nothing here knows a
//! family.

pub mod config;

use crate::report::{Diagnostic, Severity};
use crate::skill::{Skill, Span};
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::OnceLock;

pub use config::{Budgets, Config, Profile};

/// What a rule checks: one skill at a time, or a whole scanned tree (through the
/// [`SkillSummary`] of each skill, so the skills themselves need not stay in memory).
#[derive(Clone, Copy)]
pub enum Check {
    Skill(fn(&Ctx, &Skill, &mut Emitter)),
    Tree(fn(&Ctx, &[SkillSummary], &mut Vec<Diagnostic>)),
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

/// What tree rules know about each skill of a scanned tree: the frontmatter name and
/// description (with their spans) and where SKILL.md is.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillSummary {
    pub skill_md: PathBuf,
    /// The frontmatter `name`, when it is a string.
    pub name: Option<String>,
    pub name_span: Option<Span>,
    /// Characters of the frontmatter `description` (0 when absent or not a string).
    pub description_chars: usize,
    pub description_span: Option<Span>,
}

impl SkillSummary {
    pub fn of(skill: &Skill) -> Self {
        let fm = &skill.doc.frontmatter;
        SkillSummary {
            skill_md: skill.skill_md.clone(),
            name: skill.name().map(str::to_string),
            name_span: fm.field("name").map(|f| f.value_span),
            description_chars: fm.str("description").map_or(0, |d| d.chars().count()),
            description_span: fm.field("description").map(|f| f.value_span),
        }
    }
}

/// A compiled Compose schema, or why there is none (shown once in the summary).
pub type ComposeSchema = (Option<jsonschema::Validator>, Option<String>);

/// Everything a rule may consult besides the skill.
pub struct Ctx {
    pub config: Config,
    /// The Compose JSON Schema, compiled the first time a Compose rule meets a Compose
    /// file (most trees have none, and compiling it costs time).
    compose_schema: OnceLock<ComposeSchema>,
    /// Where the schema comes from; without a loader there is none (unit tests).
    compose_schema_loader: Option<fn() -> ComposeSchema>,
}

impl Ctx {
    pub fn new(config: Config) -> Self {
        Ctx {
            config,
            compose_schema: OnceLock::new(),
            compose_schema_loader: None,
        }
    }

    /// Loads the Compose schema with `load` the first time a rule asks for it.
    pub fn with_compose_schema_loader(mut self, load: fn() -> ComposeSchema) -> Self {
        self.compose_schema_loader = Some(load);
        self
    }

    pub fn profile(&self) -> Profile {
        self.config.profile
    }

    /// Sets the Compose schema up front (tests, or a caller that has one compiled).
    pub fn set_compose_schema(&mut self, schema: Option<jsonschema::Validator>) {
        self.compose_schema = OnceLock::from((schema, None));
    }

    /// The Compose schema, loaded on first use (`None` when absent or without a loader).
    pub fn compose_schema(&self) -> Option<&jsonschema::Validator> {
        self.compose_schema
            .get_or_init(|| {
                self.compose_schema_loader
                    .map_or((None, None), |load| load())
            })
            .0
            .as_ref()
    }

    /// Why the Compose schema is absent, once something asked for it.
    pub fn compose_schema_note(&self) -> Option<&str> {
        self.compose_schema.get().and_then(|(_, n)| n.as_deref())
    }
}

/// What the rules run on one skill share, computed on first use and dropped with the
/// skill's lint run (the file index of the path rules, the parsed Dockerfiles and
/// Compose files, …). Each rule family keeps its own entry, keyed by the entry's type,
/// so this module knows none of them. One memo belongs to one skill, so nothing can be
/// mixed up between skills (and nothing is kept once the skill is done).
pub struct SkillMemo<'s> {
    skill: &'s Skill,
    entries: RefCell<Vec<(TypeId, Rc<dyn Any>)>>,
}

impl<'s> SkillMemo<'s> {
    pub fn new(skill: &'s Skill) -> Self {
        SkillMemo {
            skill,
            entries: RefCell::new(Vec::new()),
        }
    }

    pub fn skill(&self) -> &'s Skill {
        self.skill
    }

    /// The entry of type `T`, computed by `init` the first time it is asked for.
    pub fn get<T: Any>(&self, init: impl FnOnce(&Skill) -> T) -> Rc<T> {
        let id = TypeId::of::<T>();
        if let Some(v) = self.lookup(id) {
            return v;
        }
        // Computed outside the borrow: `init` may itself consult the memo.
        let v: Rc<T> = Rc::new(init(self.skill));
        self.entries.borrow_mut().push((id, v.clone()));
        v
    }

    fn lookup<T: Any>(&self, id: TypeId) -> Option<Rc<T>> {
        let entries = self.entries.borrow();
        let (_, v) = entries.iter().find(|(k, _)| *k == id)?;
        v.clone().downcast::<T>().ok()
    }
}

/// The check of a rule whose findings are reported by something else (the skill
/// loader, the archive reader): it exists so that `--explain` and `--list-rules` know it.
pub fn reported_elsewhere(_: &Ctx, _: &Skill, _: &mut Emitter) {}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_computes_each_entry_once_per_type() {
        let s = Skill::from_text(
            std::path::Path::new("/nonexistent-memo/x"),
            "---\nname: x\n---\n",
        );
        let memo = SkillMemo::new(&s);
        let calls = std::cell::Cell::new(0);
        let a = memo.get(|_| {
            calls.set(calls.get() + 1);
            7u32
        });
        let b = memo.get(|_| {
            calls.set(calls.get() + 1);
            8u32
        });
        assert!(Rc::ptr_eq(&a, &b) && *a == 7 && calls.get() == 1);
        let c = memo.get(|sk| sk.name().map(str::to_string));
        assert_eq!(c.as_deref(), Some("x"));
    }
}
