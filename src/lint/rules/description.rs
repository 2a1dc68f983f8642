//! `description` field rules.

use super::{fields_parsed, frontmatter_span};
use crate::lint::{Check, Ctx, Emitter, Rule};
use crate::report::Severity;
use crate::skill::{Field, Skill};

pub const MAX_DESCRIPTION: usize = 1024;

fn desc(skill: &Skill) -> Option<(&Field, &str)> {
    if !fields_parsed(skill) {
        return None;
    }
    let f = skill.doc.frontmatter.field("description")?;
    let s = f.value.as_str()?;
    (!s.trim().is_empty()).then_some((f, s))
}

pub const DESCRIPTION_REQUIRED: Rule = Rule {
    id: "SF-description-required",
    severity: Severity::Error,
    summary: "`description` is required and must be a non-empty string",
    explain: "The description is the only thing an agent reads when deciding whether to load \
the skill. It must be a string: an unquoted `[TODO: …]` placeholder (as Anthropic's old \
scaffolder wrote) is read by YAML as a list. Add what the skill does and when to use it. \
Peer: skills-ref \"Missing required field in frontmatter: description\".",
    check: Check::Skill(check_required),
};

fn check_required(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if !fields_parsed(skill) {
        return;
    }
    let hint = "add `description: <what the skill does>. Use when <situations>.`";
    match skill.doc.frontmatter.field("description") {
        None => {
            em.emit(
                frontmatter_span(skill),
                "missing required field `description`",
            )
            .hint = Some(hint.into());
        }
        Some(f) => match &f.value {
            serde_json::Value::String(s) if !s.trim().is_empty() => {}
            serde_json::Value::String(_) | serde_json::Value::Null => {
                em.emit(Some(f.key_span), "`description` is empty").hint = Some(hint.into());
            }
            serde_json::Value::Array(_) => {
                em.emit(
                    Some(f.value_span),
                    "`description` is a YAML list, not a string (an unquoted `[…]` is a list)",
                )
                .hint = Some(
                    "quote the value: description: \"[TODO: …]\" — or write the real text".into(),
                );
            }
            _ => {
                em.emit(Some(f.value_span), "`description` must be a string")
                    .hint = Some("quote the value".into());
            }
        },
    }
}

pub const DESCRIPTION_LENGTH: Rule = Rule {
    id: "SF-description-length",
    severity: Severity::Error,
    summary: "`description` must be at most 1024 characters",
    explain: "The spec limits descriptions to 1024 characters; agents load every skill's \
description at start-up, so long ones crowd out others (see SF-catalog-budget). Keep the \
what and the when; move detail into the body. Peer: skills-ref \"exceeds 1024 character \
limit\".",
    check: Check::Skill(check_length),
};

fn check_length(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if let Some((f, s)) = desc(skill) {
        let n = s.chars().count();
        if n > MAX_DESCRIPTION {
            em.emit(
                Some(f.value_span),
                format!("`description` is {n} characters; the limit is {MAX_DESCRIPTION}"),
            )
            .hint = Some("keep what it does and when to use it; move detail to the body".into());
        }
    }
}

pub const DESCRIPTION_ANGLE_BRACKETS: Rule = Rule {
    id: "SF-description-angle-brackets",
    severity: Severity::Warning,
    summary: "`description` should not contain `<` or `>`",
    explain: "Descriptions are inserted into the system prompt inside XML-like tags; angle \
brackets can break that structure, and Anthropic's quick_validate rejects them. Write \
\"less than\", use quotes, or rephrase.",
    check: Check::Skill(check_angle),
};

fn check_angle(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if let Some((f, s)) = desc(skill)
        && s.contains(['<', '>'])
    {
        em.emit(Some(f.value_span), "`description` contains `<` or `>`")
            .hint =
            Some("rephrase without angle brackets (Anthropic's validator rejects them)".into());
    }
}

/// Phrases that say when to use a skill.
const WHEN_CUES: &[&str] = &[
    "when ",
    "whenever",
    "use for",
    "use to ",
    "use it ",
    "use this",
    "used for",
    "used to",
    "use with",
    "useful for",
    "if the user",
    "if you",
    "if asked",
    "asked to",
    "asks ",
    "trigger",
    "invoke",
    "before ",
    "after ",
    "for tasks",
    "in response to",
];

/// Whether a description says when to use the skill ("Use when…", "if the user…", "for tasks…").
pub fn has_when_cue(s: &str) -> bool {
    let lower = s.to_lowercase();
    WHEN_CUES.iter().any(|c| lower.contains(c))
}

pub const DESCRIPTION_WHEN_CUE: Rule = Rule {
    id: "SF-description-when-cue",
    severity: Severity::Warning,
    summary: "`description` should say when to use the skill",
    explain: "Agents choose skills from their descriptions alone. A description that says \
what the skill does but not when to use it (\"Use when…\", \"for tasks that…\", \"when the \
user asks…\") under-triggers. Add a when clause with the situations and words a user would \
bring. Peer: Anthropic's best-practice guide (\"what it does and when to use it\").",
    check: Check::Skill(check_when),
};

fn check_when(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if let Some((f, s)) = desc(skill)
        && !has_when_cue(s)
    {
        em.emit(
            Some(f.value_span),
            "`description` does not say when to use the skill",
        )
        .hint = Some("add a sentence like \"Use when the user asks to …\"".into());
    }
}

pub const DESCRIPTION_PERSON: Rule = Rule {
    id: "SF-description-person",
    severity: Severity::Info,
    summary: "`description` should be written in the third person",
    explain: "The description is injected into the system prompt; \"I can help…\" or \"You \
can use…\" reads as the wrong speaker and has been seen to hurt discovery. Write \"Builds \
…; use when …\". Peer: Anthropic's best-practice guide.",
    check: Check::Skill(check_person),
};

const PERSON_OPENERS: &[&str] = &[
    "i ", "i'm ", "i’m ", "i'll ", "i can", "we ", "we're ", "we'll ", "you ", "you're ", "your ",
    "my ", "our ", "let me ", "let's ",
];

fn check_person(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if let Some((f, s)) = desc(skill) {
        let lower = s.trim_start().to_lowercase();
        if let Some(o) = PERSON_OPENERS.iter().find(|o| lower.starts_with(**o)) {
            em.emit(
                Some(f.value_span),
                format!(
                    "`description` opens in the first/second person (`{}`)",
                    o.trim()
                ),
            )
            .hint = Some("write in the third person: \"Generates …. Use when …\"".into());
        }
    }
}

pub const DESCRIPTION_STUFFING: Rule = Rule {
    id: "SF-description-stuffing",
    severity: Severity::Warning,
    summary: "`description` looks keyword-stuffed (many quoted strings or bare terms)",
    explain: "A description made of lists of quoted trigger phrases or comma-separated bare \
terms wastes the shared catalog budget and tends to over-trigger on unrelated requests. \
Describe the task in a sentence or two and name a few characteristic situations instead. \
Flagged when there are 6+ quoted strings, or 8+ comma/semicolon segments of at most three \
words making up most of the text.",
    check: Check::Skill(check_stuffing),
};

/// Counts quoted strings and short comma/semicolon segments.
pub fn stuffing_score(s: &str) -> (usize, usize, usize) {
    let quoted = s.matches('"').count() / 2 + s.matches('“').count();
    let segs: Vec<&str> = s
        .split([',', ';', '|'])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .collect();
    let short = segs
        .iter()
        .filter(|x| x.split_whitespace().count() <= 3)
        .count();
    (quoted, short, segs.len())
}

fn check_stuffing(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if let Some((f, s)) = desc(skill) {
        let (quoted, short, total) = stuffing_score(s);
        let msg = if quoted >= 6 {
            Some(format!("`description` contains {quoted} quoted strings"))
        } else if short >= 8 && short * 10 >= total * 7 {
            Some(format!(
                "`description` is mostly a list: {short} of {total} comma-separated parts are bare terms"
            ))
        } else {
            None
        };
        if let Some(m) = msg {
            em.emit(Some(f.value_span), m).hint = Some(
                "describe the task and when to use it in plain sentences; keep a few characteristic terms".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    fn with(desc: &str) -> crate::skill::Skill {
        skill(
            "a",
            &format!("---\nname: a\ndescription: {desc}\n---\nBody\n"),
        )
    }

    #[test]
    fn required() {
        let s = skill("a", "---\nname: a\n---\nBody\n");
        assert_eq!(lines("SF-description-required", &cx(), &s), vec![1]);
        assert_eq!(
            lines("SF-description-required", &cx(), &with("\"  \"")),
            vec![3]
        );
        assert_eq!(
            lines("SF-description-required", &cx(), &with("[TODO: fill in]")),
            vec![3]
        );
        assert!(lines("SF-description-required", &cx(), &with("Does x.")).is_empty());
    }

    #[test]
    fn length() {
        assert_eq!(
            lines("SF-description-length", &cx(), &with(&"x".repeat(1100))),
            vec![3]
        );
        assert!(lines("SF-description-length", &cx(), &with(&"x".repeat(1024))).is_empty());
    }

    #[test]
    fn angle_brackets() {
        assert_eq!(
            lines(
                "SF-description-angle-brackets",
                &cx(),
                &with("Use for <b>x</b>")
            ),
            vec![3]
        );
        assert!(lines("SF-description-angle-brackets", &cx(), &with("Use for x")).is_empty());
    }

    #[test]
    fn when_cue() {
        assert_eq!(
            lines("SF-description-when-cue", &cx(), &with("Docker helper.")),
            vec![3]
        );
        assert!(
            lines(
                "SF-description-when-cue",
                &cx(),
                &with("Docker helper. Use when writing a Dockerfile.")
            )
            .is_empty()
        );
    }

    #[test]
    fn person() {
        assert_eq!(
            lines(
                "SF-description-person",
                &cx(),
                &with("I help with Docker. Use when x.")
            ),
            vec![3]
        );
        assert_eq!(
            lines(
                "SF-description-person",
                &cx(),
                &with("You can use this for Docker.")
            ),
            vec![3]
        );
        assert!(
            lines(
                "SF-description-person",
                &cx(),
                &with("Helps with Docker. Use when x.")
            )
            .is_empty()
        );
    }

    #[test]
    fn stuffing() {
        let stuffed = "Docker. Use when docker, dockerfile, compose, container, image, build, kubernetes, k8s, helm, registry";
        assert_eq!(
            lines("SF-description-stuffing", &cx(), &with(stuffed)),
            vec![3]
        );
        let quoted = "'Use when the user says \"a\", \"b\", \"c\", \"d\", \"e\", \"f\"'";
        assert_eq!(
            lines("SF-description-stuffing", &cx(), &with(quoted)),
            vec![3]
        );
        let prose = "Writes Dockerfiles for Python services, with multi-stage builds, caching and health checks. Use when containerising an app, e.g. FastAPI, Flask or Django.";
        assert!(lines("SF-description-stuffing", &cx(), &with(prose)).is_empty());
    }
}
