//! The lint engine: a registry of small named rules run over skill models.
//!
//! A rule is a [`Rule`]: a stable id (`SF-…`), a default [`Severity`](crate::report::Severity), a one-line
//! summary, a longer explanation for `skillforge lint --explain ID` (including the
//! ids of peer tools it corresponds to), and a check function that reads the
//! [`Skill`] model (never the raw file) and emits diagnostics.
//!
//! The rule types are in [`crate::rule`]; rule sets live next to what they check:
//! `lint::rules` (the Agent Skills spec), `docker::rules` (Dockerfiles),
//! `docker::compose` (Compose files), `docker::ignore`, `ship::archive`; [`registry`]
//! is the one place that joins them.

pub mod cmd;
pub mod discover;
pub mod registry;
pub mod rules;
pub mod schema;
pub mod tokens;

use crate::report::Diagnostic;
use crate::skill::Skill;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub use crate::rule::config::{self, Budgets, Config, Profile};
pub use crate::rule::{Check, Ctx, Emitter, Rule, SkillMemo, SkillSummary};
pub use registry::{find_rule, registry};

/// Runs every enabled rule on one skill; severities adjusted by config.
pub fn lint_skill(cx: &Ctx, skill: &Skill) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let memo = SkillMemo::new(skill);
    for &rule in registry() {
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
    let summaries: Vec<SkillSummary> = skills.iter().map(SkillSummary::of).collect();
    lint_tree_summaries(cx, &summaries)
}

/// Runs the tree-level rules over the summaries of a tree's skills.
pub fn lint_tree_summaries(cx: &Ctx, skills: &[SkillSummary]) -> Vec<Diagnostic> {
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
