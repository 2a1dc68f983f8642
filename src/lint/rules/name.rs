//! `name` field rules.

use super::{fields_parsed, frontmatter_span, nfkc};
use crate::lint::{Check, Ctx, Emitter, Rule};
use crate::report::Severity;
use crate::skill::{Field, Skill};

pub const MAX_NAME: usize = 64;

/// The `name` field when it is a non-empty string (after NFKC), for the format rules.
fn name_field(skill: &Skill) -> Option<(&Field, String)> {
    if !fields_parsed(skill) {
        return None;
    }
    let f = skill.doc.frontmatter.field("name")?;
    let n = nfkc(f.value.as_str()?);
    (!n.trim().is_empty()).then_some((f, n))
}

/// A best-effort valid name derived from `s` (for hints).
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let t = out.trim_matches('-');
    t.chars()
        .take(MAX_NAME)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

pub const NAME_REQUIRED: Rule = Rule {
    id: "SF-name-required",
    severity: Severity::Error,
    summary: "`name` is required and must be a non-empty string",
    explain: "`name` identifies the skill (and is the slash command in Claude Code). The spec \
requires it; it must be a string (not a number or list) and not blank. Add \
`name: <directory-name>`. Peer: skills-ref \"Missing required field in frontmatter: name\".",
    check: Check::Skill(check_required),
};

fn check_required(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if !fields_parsed(skill) {
        return;
    }
    let hint = match skill.dir_name() {
        Some(d) => format!("add `name: {}` (the directory name)", slug(&d)),
        None => "add `name: my-skill` (the directory name)".to_string(),
    };
    match skill.doc.frontmatter.field("name") {
        None => {
            em.emit(frontmatter_span(skill), "missing required field `name`")
                .hint = Some(hint);
        }
        Some(f) => match &f.value {
            serde_json::Value::String(s) if !s.trim().is_empty() => {}
            serde_json::Value::String(_) | serde_json::Value::Null => {
                em.emit(Some(f.key_span), "`name` is empty").hint = Some(hint);
            }
            other => {
                let kind = match other {
                    serde_json::Value::Bool(_) => "a boolean",
                    serde_json::Value::Number(_) => "a number",
                    serde_json::Value::Array(_) => "a list",
                    _ => "a mapping",
                };
                em.emit(
                    Some(f.value_span),
                    format!("`name` must be a string, not {kind}"),
                )
                .hint = Some("quote the value: name: \"my-skill\"".into());
            }
        },
    }
}

pub const NAME_LENGTH: Rule = Rule {
    id: "SF-name-length",
    severity: Severity::Error,
    summary: "`name` must be at most 64 characters (after NFKC normalisation)",
    explain: "The spec limits names to 64 characters, counted after Unicode NFKC \
normalisation. Longer names are rejected by skills-ref and truncated in agents' menus. \
Shorten the name (and rename the directory to match). Peer: skills-ref \"exceeds 64 \
character limit\".",
    check: Check::Skill(check_length),
};

fn check_length(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if let Some((f, n)) = name_field(skill) {
        let len = n.chars().count();
        if len > MAX_NAME {
            em.emit(
                Some(f.value_span),
                format!("`name` is {len} characters long; the limit is {MAX_NAME}"),
            )
            .hint = Some("shorten the name and rename the directory to match".into());
        }
    }
}

pub const NAME_FORMAT: Rule = Rule {
    id: "SF-name-format",
    severity: Severity::Error,
    summary: "`name` uses lowercase letters, digits and single hyphens, not at either end",
    explain: "Names must be lowercase; may contain only letters, digits and `-`; may not \
start or end with `-` or contain `--`. By default skillforge allows only ASCII `[a-z0-9-]` \
(portable across agents, file systems and URLs); the spec's wording allows Unicode \
lowercase letters, so `unicode-names = true` in [lint] (or `--unicode-names`) accepts \
names like `мой-навык`, as skills-ref does. Peer: skills-ref \"must be lowercase\", \
\"cannot start or end with a hyphen\", \"consecutive hyphens\", \"invalid characters\".",
    check: Check::Skill(check_format),
};

fn check_format(cx: &Ctx, skill: &Skill, em: &mut Emitter) {
    let Some((f, n)) = name_field(skill) else {
        return;
    };
    let unicode = cx.config.unicode_names;
    let fix = slug(&n);
    let fix_hint = |what: &str| {
        if fix.is_empty() {
            what.to_string()
        } else {
            format!("{what}, e.g. `{fix}` (and rename the directory to match)")
        }
    };
    if n.chars().any(char::is_uppercase) {
        em.emit(
            Some(f.value_span),
            format!("`name` `{n}` must be lowercase"),
        )
        .hint = Some(fix_hint("use lowercase letters"));
    }
    let mut bad: Vec<char> = Vec::new();
    for c in n.chars() {
        let ok = c == '-'
            || c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || c.is_uppercase()
            || (unicode && c.is_alphanumeric());
        if !ok && !bad.contains(&c) {
            bad.push(c);
        }
    }
    if !bad.is_empty() {
        let list: Vec<String> = bad.iter().map(|c| format!("`{c}`")).collect();
        let non_ascii_letters = bad.iter().all(|c| c.is_alphanumeric());
        let hint = if non_ascii_letters && !unicode {
            "only ASCII a-z, 0-9 and `-` are portable; set `unicode-names = true` under [lint] to allow Unicode lowercase letters".to_string()
        } else {
            fix_hint("use only lowercase letters, digits and `-`")
        };
        em.emit(
            Some(f.value_span),
            format!("`name` contains invalid characters: {}", list.join(", ")),
        )
        .hint = Some(hint);
    }
    if n.starts_with('-') || n.ends_with('-') {
        em.emit(
            Some(f.value_span),
            "`name` must not start or end with a hyphen",
        )
        .hint = Some(fix_hint("remove the leading/trailing `-`"));
    }
    if n.contains("--") {
        em.emit(
            Some(f.value_span),
            "`name` must not contain consecutive hyphens (`--`)",
        )
        .hint = Some(fix_hint("use single hyphens"));
    }
}

pub const NAME_MATCHES_DIR: Rule = Rule {
    id: "SF-name-matches-dir",
    severity: Severity::Error,
    summary: "`name` must equal the skill's directory name (compared after NFKC)",
    explain: "Agents and installers identify a skill by its directory; a `name` that differs \
makes the skill appear under two names or fail to install. The comparison is done after \
Unicode NFKC normalisation, so `café` written precomposed or decomposed matches. Rename the \
directory or the field. Peer: skills-ref \"Directory name … must match skill name\" \
(Anthropic's quick_validate does not check this).",
    check: Check::Skill(check_matches_dir),
};

fn check_matches_dir(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let Some((f, n)) = name_field(skill) else {
        return;
    };
    let Some(dir) = skill.dir_name() else {
        return;
    };
    let d = nfkc(&dir);
    if d != n {
        em.emit(
            Some(f.value_span),
            format!("`name` is `{n}` but the directory is `{d}`"),
        )
        .hint = Some(format!("rename the directory to `{n}`, or set `name: {d}`"));
    }
}

pub const NAME_RESERVED: Rule = Rule {
    id: "SF-name-reserved",
    severity: Severity::Warning,
    summary: "`name` should not contain the reserved words `anthropic` or `claude`",
    explain: "Anthropic's skill upload rejects names containing `anthropic` or `claude` \
(reserved words); a skill named so cannot be shared through claude.ai or the API. Choose a \
name that says what the skill does.",
    check: Check::Skill(check_reserved),
};

fn check_reserved(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let Some((f, n)) = name_field(skill) else {
        return;
    };
    let lower = n.to_lowercase();
    for word in ["anthropic", "claude"] {
        if lower.contains(word) {
            em.emit(
                Some(f.value_span),
                format!("`name` contains the reserved word `{word}`"),
            )
            .hint = Some("name the skill after what it does".into());
        }
    }
}

pub const NAME_XML: Rule = Rule {
    id: "SF-name-xml",
    severity: Severity::Warning,
    summary: "`name` must not contain XML tags",
    explain: "Names and descriptions are injected into the model's system prompt, often inside \
XML-like tags; a name containing `<tag>` can break that structure, and Anthropic's upload \
rejects it. Remove the tag.",
    check: Check::Skill(check_xml),
};

fn check_xml(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let Some((f, n)) = name_field(skill) else {
        return;
    };
    if let Some(open) = n.find('<')
        && n[open..].contains('>')
    {
        em.emit(Some(f.value_span), "`name` contains an XML tag")
            .hint = Some("remove `<` … `>` from the name".into());
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use crate::lint::{Config, Ctx};

    fn named(dir: &str, name: &str) -> crate::skill::Skill {
        skill(
            dir,
            &format!("---\nname: {name}\ndescription: Does x. Use when y.\n---\nBody\n"),
        )
    }

    #[test]
    fn required() {
        let s = skill("a", "---\ndescription: x\n---\nBody\n");
        assert_eq!(lines("SF-name-required", &cx(), &s), vec![1]);
        let s = skill("a", "---\nname:\ndescription: x\n---\nBody\n");
        assert_eq!(lines("SF-name-required", &cx(), &s), vec![2]);
        let s = skill("a", "---\nname: 12\ndescription: x\n---\nBody\n");
        assert_eq!(lines("SF-name-required", &cx(), &s), vec![2]);
        assert!(lines("SF-name-required", &cx(), &named("a", "a")).is_empty());
    }

    #[test]
    fn length() {
        let long = "a".repeat(70);
        assert_eq!(
            lines("SF-name-length", &cx(), &named(&long, &long)),
            vec![2]
        );
        let ok = "a".repeat(64);
        assert!(lines("SF-name-length", &cx(), &named(&ok, &ok)).is_empty());
    }

    #[test]
    fn format() {
        for bad in [
            "MySkill",
            "-my-skill",
            "my-skill-",
            "my--skill",
            "my_skill",
            "мой-навык",
            "НАВЫК",
        ] {
            assert!(
                !lines("SF-name-format", &cx(), &named(bad, bad)).is_empty(),
                "{bad}"
            );
        }
        assert!(lines("SF-name-format", &cx(), &named("my-skill-2", "my-skill-2")).is_empty());
        let uni = Ctx::new(Config {
            unicode_names: true,
            ..Config::default()
        });
        assert!(lines("SF-name-format", &uni, &named("мой-навык", "мой-навык")).is_empty());
        assert!(lines("SF-name-format", &uni, &named("技能", "技能")).is_empty());
        assert!(!lines("SF-name-format", &uni, &named("НАВЫК", "НАВЫК")).is_empty());
        assert_eq!(super::slug("My_Skill!"), "my-skill");
    }

    #[test]
    fn matches_dir() {
        assert_eq!(
            lines(
                "SF-name-matches-dir",
                &cx(),
                &named("wrong-name", "right-name")
            ),
            vec![2]
        );
        assert!(
            lines(
                "SF-name-matches-dir",
                &cx(),
                &named("right-name", "right-name")
            )
            .is_empty()
        );
        // NFKC: composed directory, decomposed name.
        assert!(
            lines(
                "SF-name-matches-dir",
                &cx(),
                &named("caf\u{e9}", "cafe\u{301}")
            )
            .is_empty()
        );
    }

    #[test]
    fn reserved_and_xml() {
        assert_eq!(
            lines(
                "SF-name-reserved",
                &cx(),
                &named("claude-helper", "claude-helper")
            ),
            vec![2]
        );
        assert!(lines("SF-name-reserved", &cx(), &named("helper", "helper")).is_empty());
        let s = named("x", "\"<b>x</b>\"");
        assert_eq!(lines("SF-name-xml", &cx(), &s), vec![2]);
        assert!(lines("SF-name-xml", &cx(), &named("x", "x")).is_empty());
    }
}
