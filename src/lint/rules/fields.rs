//! Rules for the optional spec fields and for fields outside the spec.

use super::IndexMemo;
use super::fields_parsed;
use crate::lint::{Check, Ctx, Emitter, Profile, Rule};
use crate::report::Severity;
use crate::skill::Skill;
use serde_json::Value;

/// Top-level fields defined by the Agent Skills specification.
pub const SPEC_FIELDS: &[&str] = &[
    "name",
    "description",
    "license",
    "compatibility",
    "metadata",
    "allowed-tools",
];

/// Fields Claude Code reads in addition to the spec's.
pub const CLAUDE_CODE_FIELDS: &[&str] = &[
    "when_to_use",
    "argument-hint",
    "arguments",
    "disable-model-invocation",
    "user-invocable",
    "disallowed-tools",
    "model",
    "effort",
    "context",
    "agent",
    "hooks",
    "paths",
    "shell",
];

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn canon(k: &str) -> String {
    k.to_ascii_lowercase().replace('_', "-")
}

/// A known field that `key` is probably a misspelling of.
fn near_miss(key: &str) -> Option<&'static str> {
    let c = canon(key);
    SPEC_FIELDS
        .iter()
        .chain(CLAUDE_CODE_FIELDS)
        .find(|f| canon(f) == c || canon(f).trim_end_matches('s') == c.trim_end_matches('s'))
        .copied()
}

pub const UNKNOWN_FIELD: Rule = Rule {
    id: "SF-unknown-field",
    severity: Severity::Warning,
    summary: "Frontmatter field not in the spec (warning; error under --profile strict)",
    explain: "The spec defines name, description, license, compatibility, metadata and \
allowed-tools; skills-ref rejects anything else (\"Unexpected fields in frontmatter\"). Other \
agents add their own fields (Claude Code: when_to_use, argument-hint, arguments, \
disable-model-invocation, user-invocable, disallowed-tools, model, effort, context, agent, \
hooks, paths, shell), and rejecting them outright annoys users. So: the default profile \
warns; `--profile strict` makes it an error (as the reference validator does); \
`--profile claude-code` accepts Claude Code's fields silently. Misspellings of known fields \
(`allowed_tools`) get a did-you-mean hint. Put custom data under `metadata:` instead.",
    check: Check::Skill(check_unknown),
};

fn check_unknown(cx: &Ctx, skill: &Skill, em: &mut Emitter) {
    if !fields_parsed(skill) {
        return;
    }
    let profile = cx.profile();
    for f in &skill.doc.frontmatter.fields {
        if SPEC_FIELDS.contains(&f.key.as_str()) {
            continue;
        }
        let claude = CLAUDE_CODE_FIELDS.contains(&f.key.as_str());
        if claude && profile == Profile::ClaudeCode {
            continue;
        }
        let (msg, hint) = if claude {
            (
                format!("`{}` is a Claude Code field, not part of the Agent Skills spec", f.key),
                "other agents ignore or reject it; if the skill targets Claude Code, lint with --profile claude-code (or `profile = \"claude-code\"` under [lint] in skillforge.toml)".to_string(),
            )
        } else if let Some(m) = near_miss(&f.key) {
            (
                format!("unknown frontmatter field `{}`", f.key),
                format!("did you mean `{m}`?"),
            )
        } else {
            (
                format!("unknown frontmatter field `{}`", f.key),
                "spec fields are name, description, license, compatibility, metadata, allowed-tools; put custom data under `metadata:`".to_string(),
            )
        };
        let d = em.emit(Some(f.key_span), msg);
        d.hint = Some(hint);
        if profile == Profile::Strict {
            d.severity = Severity::Error;
        }
    }
}

pub const MAX_COMPATIBILITY: usize = 500;

pub const COMPATIBILITY: Rule = Rule {
    id: "SF-compatibility",
    severity: Severity::Error,
    summary: "`compatibility`, when present, is a string of 1–500 characters",
    explain: "`compatibility` states environment requirements (products, packages, network). \
The spec makes it a 1–500 character string. An empty value says nothing and breaks clients \
that expect text; skills-ref misses the empty case (it only checks the maximum). Write the \
requirement, or remove the field. Peer: skills-ref \"compatibility exceeds 500 characters\".",
    check: Check::Skill(check_compat),
};

fn check_compat(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if !fields_parsed(skill) {
        return;
    }
    let Some(f) = skill.doc.frontmatter.field("compatibility") else {
        return;
    };
    match &f.value {
        Value::String(s) if s.trim().is_empty() => {
            em.emit(Some(f.key_span), "`compatibility` is empty").hint = Some(
                "state the requirement (e.g. \"Requires Docker 24+\") or remove the field".into(),
            );
        }
        Value::String(s) => {
            let n = s.chars().count();
            if n > MAX_COMPATIBILITY {
                em.emit(
                    Some(f.value_span),
                    format!("`compatibility` is {n} characters; the limit is {MAX_COMPATIBILITY}"),
                )
                .hint = Some("keep only the requirements; move detail into the body".into());
            }
        }
        Value::Null => {
            em.emit(Some(f.key_span), "`compatibility` is empty").hint =
                Some("state the requirement or remove the field".into());
        }
        other => {
            em.emit(
                Some(f.value_span),
                format!("`compatibility` must be a string, not {}", kind(other)),
            )
            .hint = Some("write it as one line of text".into());
        }
    }
}

pub const LICENSE_TYPE: Rule = Rule {
    id: "SF-license-type",
    severity: Severity::Warning,
    summary: "`license` should be a non-empty string (a licence name or a bundled file)",
    explain: "The spec's `license` is a short string: an SPDX-style name (`Apache-2.0`) or a \
reference to a bundled licence file (`Proprietary. LICENSE.txt has complete terms`). A \
number, list or mapping is not portable. A bundled file that is named but missing is also \
reported.",
    check: Check::Skill(check_license),
};

fn check_license(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if !fields_parsed(skill) {
        return;
    }
    let Some(f) = skill.doc.frontmatter.field("license") else {
        return;
    };
    match &f.value {
        Value::String(s) if !s.trim().is_empty() => {
            let ix = em.memo().index();
            let ix = &*ix;
            for word in s.split_whitespace() {
                let w = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '/');
                let looks_file = w.contains('.')
                    && w.to_ascii_uppercase().starts_with("LICEN")
                    && !w.ends_with('.');
                if looks_file && !ix.exists(w) {
                    em.emit(
                        Some(f.value_span),
                        format!("`license` names `{w}`, which is not in the skill"),
                    )
                    .hint = Some(format!("add {w} to the skill directory or fix the name"));
                }
            }
        }
        v => {
            em.emit(
                Some(if v.is_null() {
                    f.key_span
                } else {
                    f.value_span
                }),
                format!("`license` should be a non-empty string, not {}", kind(v)),
            )
            .hint = Some("write a licence name such as `MIT` or `Apache-2.0`".into());
        }
    }
}

pub const METADATA_STRINGS: Rule = Rule {
    id: "SF-metadata-strings",
    severity: Severity::Warning,
    summary: "`metadata` should map strings to strings",
    explain: "The spec defines `metadata` as a map from string keys to string values. Nested \
maps, lists and booleans are silently stringified by some clients and rejected by strict \
ones (skills-ref accepts them); under `--profile strict` they are errors. Numbers are a \
warning in every profile: `version: 1.10` is read as the number 1.1, so quote it.",
    check: Check::Skill(check_metadata),
};

fn check_metadata(cx: &Ctx, skill: &Skill, em: &mut Emitter) {
    if !fields_parsed(skill) {
        return;
    }
    let Some(f) = skill.doc.frontmatter.field("metadata") else {
        return;
    };
    let strict = cx.profile() == Profile::Strict;
    let Value::Object(map) = &f.value else {
        let d = em.emit(
            Some(f.value_span),
            format!(
                "`metadata` must be a mapping of strings, not {}",
                kind(&f.value)
            ),
        );
        d.hint = Some("write `metadata:` followed by indented `key: \"value\"` lines".into());
        if strict {
            d.severity = Severity::Error;
        }
        return;
    };
    for (k, v) in map {
        if v.is_string() {
            continue;
        }
        let span = f
            .children
            .iter()
            .find(|(ck, _)| ck == k)
            .map(|(_, s)| *s)
            .unwrap_or(f.value_span);
        let d = em.emit(
            Some(span),
            format!("`metadata.{k}` is {}, not a string", kind(v)),
        );
        if v.is_number() {
            d.hint = Some(format!(
                "quote it: {k}: \"{v}\" (YAML numbers lose digits, 1.10 → 1.1)"
            ));
        } else {
            d.hint = Some("flatten it into string values (quote booleans, join lists)".into());
            if strict {
                d.severity = Severity::Error;
            }
        }
    }
}

pub const ALLOWED_TOOLS_LIST: Rule = Rule {
    id: "SF-allowed-tools-list",
    severity: Severity::Warning,
    summary: "`allowed-tools` should be a space-separated string",
    explain: "The spec (experimental) defines `allowed-tools` as one space-separated string, \
e.g. `Bash(git:*) Read`. A YAML list is accepted by skills-ref and Claude Code but not by \
every client (info). Any other type (a number, a mapping, a list with non-strings) is \
ignored or rejected (warning; error under --profile strict).",
    check: Check::Skill(check_tools),
};

fn check_tools(cx: &Ctx, skill: &Skill, em: &mut Emitter) {
    if !fields_parsed(skill) {
        return;
    }
    let Some(f) = skill.doc.frontmatter.field("allowed-tools") else {
        return;
    };
    match &f.value {
        Value::String(_) => {}
        Value::Array(items) if items.iter().all(Value::is_string) => {
            let joined: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            let d = em.emit(
                Some(f.value_span),
                "`allowed-tools` is a YAML list; the spec uses a space-separated string",
            );
            d.severity = Severity::Info;
            d.hint = Some(format!("write: allowed-tools: {}", joined.join(" ")));
        }
        other => {
            let d = em.emit(
                Some(if other.is_null() {
                    f.key_span
                } else {
                    f.value_span
                }),
                format!(
                    "`allowed-tools` must be a string of tool names, not {}",
                    kind(other)
                ),
            );
            d.hint = Some(
                "write tool names separated by spaces, e.g. allowed-tools: Read Bash(git:*)".into(),
            );
            if cx.profile() == Profile::Strict {
                d.severity = Severity::Error;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::lint::Profile;
    use crate::report::Severity;

    fn sev(id: &str, cx: &crate::lint::Ctx, s: &crate::skill::Skill) -> Vec<(usize, Severity)> {
        super::super::run_rule(id, cx, std::slice::from_ref(s))
            .iter()
            .map(|d| (d.line().unwrap_or(0), d.severity))
            .collect()
    }

    #[test]
    fn unknown_field_by_profile() {
        let s = skill("a", &doc("a", "unknown_field: x\nmodel: opus\n", "Body\n"));
        assert_eq!(
            sev("SF-unknown-field", &cx(), &s),
            vec![(4, Severity::Warning), (5, Severity::Warning)]
        );
        assert_eq!(
            sev("SF-unknown-field", &cx_profile(Profile::Strict), &s),
            vec![(4, Severity::Error), (5, Severity::Error)]
        );
        assert_eq!(
            sev("SF-unknown-field", &cx_profile(Profile::ClaudeCode), &s),
            vec![(4, Severity::Warning)]
        );
        let d = super::super::run_rule("SF-unknown-field", &cx(), std::slice::from_ref(&s));
        assert!(d[1].hint.as_deref().unwrap().contains("claude-code"));
        let s = skill("a", &doc("a", "allowed_tools: Read\n", "Body\n"));
        let d = super::super::run_rule("SF-unknown-field", &cx(), std::slice::from_ref(&s));
        assert!(d[0].hint.as_deref().unwrap().contains("allowed-tools"));
        let s = skill("a", &doc("a", "license: MIT\n", "Body\n"));
        assert!(lines("SF-unknown-field", &cx_profile(Profile::Strict), &s).is_empty());
    }

    #[test]
    fn compatibility() {
        let s = skill("a", &doc("a", "compatibility: \"\"\n", "Body\n"));
        assert_eq!(lines("SF-compatibility", &cx(), &s), vec![4]);
        let s = skill(
            "a",
            &doc(
                "a",
                &format!("compatibility: {}\n", "x".repeat(550)),
                "Body\n",
            ),
        );
        assert_eq!(lines("SF-compatibility", &cx(), &s), vec![4]);
        let s = skill("a", &doc("a", "compatibility: [a, b]\n", "Body\n"));
        assert_eq!(lines("SF-compatibility", &cx(), &s), vec![4]);
        let s = skill(
            "a",
            &doc("a", "compatibility: Requires Python 3.11+\n", "Body\n"),
        );
        assert!(lines("SF-compatibility", &cx(), &s).is_empty());
    }

    #[test]
    fn license() {
        let s = skill("a", &doc("a", "license: 3\n", "Body\n"));
        assert_eq!(lines("SF-license-type", &cx(), &s), vec![4]);
        let s = skill(
            "a",
            &doc(
                "a",
                "license: Proprietary. LICENSE.txt has complete terms\n",
                "Body\n",
            ),
        );
        assert_eq!(lines("SF-license-type", &cx(), &s), vec![4]);
        let (_t, s) = temp_skill(
            "lic",
            &[
                (
                    "SKILL.md",
                    &doc(
                        "lic",
                        "license: Proprietary. LICENSE.txt has complete terms\n",
                        "Body\n",
                    ),
                ),
                ("LICENSE.txt", "terms"),
            ],
        );
        assert!(lines("SF-license-type", &cx(), &s).is_empty());
        let s = skill("a", &doc("a", "license: MIT\n", "Body\n"));
        assert!(lines("SF-license-type", &cx(), &s).is_empty());
    }

    #[test]
    fn metadata() {
        let s = skill(
            "a",
            &doc(
                "a",
                "metadata:\n  author: x\n  version: 1.10\n  beta: true\n  nested:\n    k: v\n",
                "Body\n",
            ),
        );
        assert_eq!(
            sev("SF-metadata-strings", &cx(), &s),
            vec![
                (6, Severity::Warning),
                (7, Severity::Warning),
                (8, Severity::Warning)
            ]
        );
        assert_eq!(
            sev("SF-metadata-strings", &cx_profile(Profile::Strict), &s),
            vec![
                (6, Severity::Warning),
                (7, Severity::Error),
                (8, Severity::Error)
            ]
        );
        let s = skill(
            "a",
            &doc(
                "a",
                "metadata:\n  author: x\n  version: \"1.0\"\n",
                "Body\n",
            ),
        );
        assert!(lines("SF-metadata-strings", &cx(), &s).is_empty());
    }

    #[test]
    fn allowed_tools() {
        let s = skill("a", &doc("a", "allowed-tools: [Read, Bash]\n", "Body\n"));
        assert_eq!(
            sev("SF-allowed-tools-list", &cx(), &s),
            vec![(4, Severity::Info)]
        );
        let s = skill("a", &doc("a", "allowed-tools: 123\n", "Body\n"));
        assert_eq!(
            sev("SF-allowed-tools-list", &cx(), &s),
            vec![(4, Severity::Warning)]
        );
        assert_eq!(
            sev("SF-allowed-tools-list", &cx_profile(Profile::Strict), &s),
            vec![(4, Severity::Error)]
        );
        let s = skill(
            "a",
            &doc("a", "allowed-tools: Bash(jq:*) Bash(git:*)\n", "Body\n"),
        );
        assert!(lines("SF-allowed-tools-list", &cx(), &s).is_empty());
    }
}
