//! Rules over a whole scanned tree of skills.

use super::{nfkc, tree_diag};
use crate::lint::{Check, Ctx, Rule, SkillSummary};
use crate::report::{Diagnostic, Severity};
use std::collections::HashMap;

/// Approximate characters of names + descriptions an agent's skill catalog holds.
pub const CATALOG_CHARS: usize = 8000;

pub const NAME_DUPLICATE: Rule = Rule {
    id: "SF-name-duplicate",
    severity: Severity::Warning,
    summary: "Two skills in the scanned tree have the same name",
    explain: "Agents key skills by name; when two skills share one (say a project copy and a \
vendored copy), one silently shadows the other and which one wins differs between agents. \
Rename one of them (and its directory), or remove the duplicate. Reported on every skill \
after the first, pointing to the first.",
    check: Check::Tree(check_duplicates),
};

fn check_duplicates(_: &Ctx, skills: &[SkillSummary], out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<String, usize> = HashMap::new();
    for (i, s) in skills.iter().enumerate() {
        let Some(name) = s.name.as_deref() else {
            continue;
        };
        let key = nfkc(name.trim());
        if key.is_empty() {
            continue;
        }
        match first.get(&key) {
            Some(&j) => {
                let span = s.name_span;
                let other = crate::lint::display_path(&skills[j].skill_md);
                out.push(
                    tree_diag(
                        &NAME_DUPLICATE,
                        s,
                        span,
                        format!("another skill is also named `{key}` ({other})"),
                    )
                    .with_hint("rename one of the skills (and its directory)"),
                );
            }
            None => {
                first.insert(key, i);
            }
        }
    }
}

pub const CATALOG_BUDGET: Rule = Rule {
    id: "SF-catalog-budget",
    severity: Severity::Warning,
    summary: "All names + descriptions together exceed the catalog budget (~8000 characters)",
    explain: "At start-up an agent loads every skill's name and description into a catalog \
with a limited budget (Claude Code allots roughly 8000 characters by default); past it, \
skills are dropped from the catalog and never trigger. Shorten the longest descriptions or \
split the tree into separately installed sets. Reported once, on the skill with the \
longest description.",
    check: Check::Tree(check_budget),
};

fn check_budget(_: &Ctx, skills: &[SkillSummary], out: &mut Vec<Diagnostic>) {
    let mut total = 0usize;
    let mut longest: Option<(usize, usize)> = None;
    for (i, s) in skills.iter().enumerate() {
        let name = s.name.as_deref().map_or(0, |n| n.chars().count());
        let desc = s.description_chars;
        total += name + desc;
        if longest.is_none_or(|(_, l)| desc > l) {
            longest = Some((i, desc));
        }
    }
    if total <= CATALOG_CHARS {
        return;
    }
    if let Some((i, len)) = longest {
        let s = &skills[i];
        let span = s.description_span;
        out.push(
            tree_diag(
                &CATALOG_BUDGET,
                s,
                span,
                format!(
                    "the {} skills' names and descriptions total {total} characters, over the ~{CATALOG_CHARS} catalog budget (this description: {len})",
                    skills.len()
                ),
            )
            .with_hint("shorten the longest descriptions; agents drop skills past the budget"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn duplicates() {
        let a = skill("a", &doc("a", "", "Body\n"));
        let b = skill("b", "---\nname: a\ndescription: x\n---\nBody\n");
        let c = skill("c", &doc("c", "", "Body\n"));
        let d = super::super::run_rule("SF-name-duplicate", &cx(), &[a.clone(), b, c.clone()]);
        assert_eq!(d.len(), 1);
        assert!(d[0].file.ends_with("b/SKILL.md"));
        assert_eq!(d[0].line(), Some(2));
        assert!(super::super::run_rule("SF-name-duplicate", &cx(), &[a, c]).is_empty());
    }

    #[test]
    fn budget() {
        let long = "Builds things. Use when asked. ".repeat(30);
        let many: Vec<_> = (0..10)
            .map(|i| {
                skill(
                    &format!("s{i}"),
                    &format!("---\nname: s{i}\ndescription: {long}\n---\nBody\n"),
                )
            })
            .collect();
        let d = super::super::run_rule("SF-catalog-budget", &cx(), &many);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("catalog budget"));
        assert!(super::super::run_rule("SF-catalog-budget", &cx(), &many[..5]).is_empty());
    }
}
