//! Loading and frontmatter-structure rules.

use super::{frontmatter_span, reported_by_loader};
use crate::lint::{Check, Ctx, Emitter, Rule};
use crate::report::Severity;
use crate::skill::{FrontmatterStatus, Skill, Span};

pub const SKILL_MD_MISSING: Rule = Rule {
    id: "SF-skill-md-missing",
    severity: Severity::Error,
    summary: "A skill directory must contain SKILL.md",
    explain: "A skill is a directory whose SKILL.md holds the frontmatter and instructions; \
without it no agent will load the directory. Create SKILL.md with `---` frontmatter \
(name, description) followed by a Markdown body. Reported by the loader. Peer: skills-ref \
\"Missing required file: SKILL.md\".",
    check: Check::Skill(reported_by_loader),
};

pub const PATH_NOT_DIR: Rule = Rule {
    id: "SF-path-not-dir",
    severity: Severity::Error,
    summary: "The path given must exist and be a skill directory (or its SKILL.md)",
    explain: "skillforge lint accepts a skill directory, a SKILL.md file, or any tree that \
contains skills. A path that does not exist, or a file other than SKILL.md, cannot be \
linted. Check the path. Reported by the loader. Peer: skills-ref \"Path does not exist\" / \
\"Not a directory\".",
    check: Check::Skill(reported_by_loader),
};

pub const UNREADABLE: Rule = Rule {
    id: "SF-unreadable",
    severity: Severity::Error,
    summary: "SKILL.md, or a file or folder of the skill, could not be read",
    explain: "The file exists but reading it failed (permissions, an I/O error), or a folder \
of the skill (say references/) cannot be listed. An agent cannot read it either, and \
skillforge cannot check it: links into an unreadable folder are not judged, rather than \
reported as missing. The message carries the operating system's reason. Fix the \
permissions (`chmod -R a+rX` on the skill) so that agents and skillforge can read it. \
SKILL.md itself is reported by the loader.",
    check: Check::Skill(check_unreadable),
};

fn check_unreadable(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    for u in &skill.unreadable {
        let what = if u.is_dir { "list folder" } else { "read" };
        let rel = if u.is_dir && u.rel != "." {
            format!("{}/", u.rel)
        } else {
            u.rel.clone()
        };
        let shown = crate::term::escape_line(&rel);
        em.emit_in(&u.rel, None, format!("cannot {what} {shown}: {}", u.message))
            .hint = Some("check the permissions: agents (and skillforge) must be able to read every file of the skill".into());
    }
}

pub const UTF8: Rule = Rule {
    id: "SF-utf8",
    severity: Severity::Error,
    summary: "SKILL.md must be valid UTF-8",
    explain: "Agents read SKILL.md as UTF-8; a file saved in Latin-1 or UTF-16 is rejected or \
garbled. The diagnostic points at the first invalid byte. Re-save the file as UTF-8. \
Reported by the loader.",
    check: Check::Skill(reported_by_loader),
};

pub const TOO_LARGE: Rule = Rule {
    id: "SF-too-large",
    severity: Severity::Error,
    summary: "SKILL.md is over the size cap (5 MB by default)",
    explain: "A SKILL.md of megabytes cannot be what an agent loads on activation (the \
recommendation is under 500 lines); skillforge refuses to read it rather than exhaust \
memory. Move detail into references/ files that the body points to. Reported by the loader.",
    check: Check::Skill(reported_by_loader),
};

pub const SKILL_MD_LOWERCASE: Rule = Rule {
    id: "SF-skill-md-lowercase",
    severity: Severity::Warning,
    summary: "The skill file is named skill.md; use SKILL.md",
    explain: "The spec names the file SKILL.md. skills-ref accepts a lowercase skill.md as a \
fallback (and prefers SKILL.md when both exist), but other agents look only for SKILL.md, \
and on case-sensitive file systems the lowercase file is invisible to them. Rename it: \
`git mv skill.md SKILL.md`.",
    check: Check::Skill(check_lowercase),
};

fn check_lowercase(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if skill.lowercase_name {
        em.emit(
            None,
            "the skill file is named `skill.md`; agents look for `SKILL.md`",
        )
        .hint = Some("rename it: git mv skill.md SKILL.md".into());
    }
}

pub const FRONTMATTER_MISSING: Rule = Rule {
    id: "SF-frontmatter-missing",
    severity: Severity::Error,
    summary: "SKILL.md must start with YAML frontmatter between `---` lines",
    explain: "The frontmatter (name, description…) is what agents load at start-up to decide \
when to use the skill; without it the skill is never discovered. Start the file with a `---` \
line, the YAML fields, and a closing `---` line. Peer: skills-ref \"SKILL.md must start with \
YAML frontmatter (---)\".",
    check: Check::Skill(check_missing),
};

fn check_missing(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let fm = &skill.doc.frontmatter;
    if fm.status != FrontmatterStatus::Missing {
        return;
    }
    let later = skill
        .doc
        .text
        .lines()
        .skip(1)
        .position(|l| l.trim_end() == "---")
        .is_some();
    let hint = if later {
        "the frontmatter must come first: move the `---` block to line 1"
    } else {
        "start the file with:\n---\nname: <dir-name>\ndescription: <what it does>. Use when <…>.\n---"
    };
    em.emit(
        first_line(skill),
        "SKILL.md does not start with `---` frontmatter",
    )
    .hint = Some(hint.into());
}

fn first_line(skill: &Skill) -> Option<Span> {
    Some(skill.doc.lines.line_span(&skill.doc.text, 1))
}

pub const FRONTMATTER_START: Rule = Rule {
    id: "SF-frontmatter-start",
    severity: Severity::Error,
    summary: "The opening `---` must be at byte 0 (no blank line or byte-order mark before it)",
    explain: "Several clients (skills-ref, Anthropic's quick_validate) only recognise \
frontmatter when the file starts with `---`: a leading blank line or a UTF-8 byte-order \
mark makes them report \"no frontmatter\" even though skillforge can read it. Delete \
whatever comes before the opening `---` and save without a BOM.",
    check: Check::Skill(check_start),
};

fn check_start(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let fm = &skill.doc.frontmatter;
    if fm.status == FrontmatterStatus::Missing {
        return;
    }
    if skill.doc.had_bom {
        em.emit(
            Some(Span {
                line: 1,
                col: 1,
                offset: 0,
                len: 0,
            }),
            "SKILL.md starts with a UTF-8 byte-order mark before `---`",
        )
        .hint = Some("save the file as UTF-8 without BOM".into());
    }
    if fm.leading_blank_lines > 0 {
        let n = fm.leading_blank_lines;
        em.emit(
            first_line(skill),
            format!(
                "{n} blank line{} before the opening `---`; some clients then find no frontmatter",
                if n == 1 { "" } else { "s" }
            ),
        )
        .hint = Some("delete the blank line(s) so the file starts with `---`".into());
    }
}

pub const FRONTMATTER_UNCLOSED: Rule = Rule {
    id: "SF-frontmatter-unclosed",
    severity: Severity::Error,
    summary: "The frontmatter must be closed by a `---` line",
    explain: "Without a closing `---` line the whole file would be YAML. skillforge matches \
delimiter *lines*, so `---` inside a value (`description: a---b`) does not close the block; \
skills-ref splits on the substring and silently truncates such values. Add a line holding \
only `---` after the last field. Peer: skills-ref \"frontmatter not properly closed\".",
    check: Check::Skill(check_unclosed),
};

fn check_unclosed(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let fm = &skill.doc.frontmatter;
    if fm.status == FrontmatterStatus::Unclosed {
        em.emit(
            fm.open,
            "the frontmatter opened here is never closed by a `---` line",
        )
        .hint = Some("add a line containing only `---` after the last field".into());
    }
}

pub const YAML_INVALID: Rule = Rule {
    id: "SF-yaml-invalid",
    severity: Severity::Error,
    summary: "The frontmatter must be valid YAML (no duplicate keys, no tabs)",
    explain: "Agents parse the frontmatter with a YAML parser; a syntax error means the skill \
is skipped. Common causes: an unquoted value containing `: ` (quote it: \
description: \"Use when: …\"), a tab used for indentation, the same key twice, an unclosed \
`[` or quote. Peer: skills-ref \"Invalid YAML in frontmatter\".",
    check: Check::Skill(check_yaml),
};

fn check_yaml(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let fm = &skill.doc.frontmatter;
    if fm.is_present()
        && let Some(p) = &fm.yaml_error
    {
        em.emit(
            Some(p.span),
            format!(
                "invalid YAML in frontmatter: {}",
                clean_yaml_message(&p.message)
            ),
        )
        .hint = p.hint.clone();
    }
}

/// Drops the parser's own position prefix (relative to the YAML block, so off from the
/// file's lines; the diagnostic carries the file position) and library advice.
fn clean_yaml_message(m: &str) -> &str {
    let mut m = m.trim();
    if let Some(rest) = m.strip_prefix("line ")
        && let Some(i) = rest.find(": ")
        && rest[..i].contains("column")
    {
        m = &rest[i + 2..];
    }
    match m.find(", set DuplicateKeyPolicy") {
        Some(i) => &m[..i],
        None => m,
    }
}

pub const FRONTMATTER_NOT_MAPPING: Rule = Rule {
    id: "SF-frontmatter-not-mapping",
    severity: Severity::Error,
    summary: "The frontmatter must be a YAML mapping of fields",
    explain: "The frontmatter is a set of `key: value` fields. A YAML list (`- a`) or a bare \
scalar parses but has no fields, so no agent can read a name or description from it. Write \
it as `name: …` / `description: …` lines. Peer: skills-ref \"must be a YAML mapping\".",
    check: Check::Skill(check_mapping),
};

fn check_mapping(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let fm = &skill.doc.frontmatter;
    if fm.is_present()
        && let Some(kind) = &fm.not_mapping
    {
        let span = if fm.yaml_offset < skill.doc.text.len() {
            Some(skill.doc.lines.span(&skill.doc.text, fm.yaml_offset, 0))
        } else {
            frontmatter_span(skill)
        };
        em.emit(
            span,
            format!("the frontmatter is {kind}, not a mapping of fields"),
        )
        .hint = Some("write fields as `name: my-skill` and `description: …` lines".into());
    }
}

pub const BLOCK_SCALAR: Rule = Rule {
    id: "SF-block-scalar",
    severity: Severity::Info,
    summary: "Block scalars (`|`, `>`, `>-`) in frontmatter are mis-read by some clients",
    explain: "YAML block scalars are valid, but several skill loaders read the frontmatter \
with line-based parsers and take the indicator (`>-`) or an empty string as the value. For \
name and description this can make the skill invisible. Prefer a single-line (quoted if \
needed) value.",
    check: Check::Skill(check_block),
};

/// Whether the text after `key:` on the key's line is a block-scalar indicator (the
/// model's `block_scalar` flag is also honoured).
fn is_block(skill: &Skill, f: &crate::skill::Field) -> bool {
    if f.block_scalar {
        return true;
    }
    let text = &skill.doc.text;
    let start = f.key_span.end().min(text.len());
    let rest = &text[start..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let after = line
        .trim_start()
        .strip_prefix(':')
        .unwrap_or("")
        .trim_start();
    after.starts_with('|') || after.starts_with('>')
}

fn check_block(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    for f in &skill.doc.frontmatter.fields {
        if is_block(skill, f) {
            em.emit(
                Some(f.key_span),
                format!("`{}` is written as a block scalar", f.key),
            )
            .hint = Some("put the value on one line (quote it if it contains `: ` or `#`)".into());
        }
    }
}

pub const CRLF: Rule = Rule {
    id: "SF-crlf",
    severity: Severity::Info,
    summary: "SKILL.md uses CRLF line endings",
    explain: "CRLF line endings are accepted by skillforge and skills-ref, but Anthropic's \
quick_validate rejects such files (its `---` match fails on `---\\r`). Convert to LF \
(`git config core.autocrlf input`, or your editor's line-ending setting) for portability.",
    check: Check::Skill(check_crlf),
};

fn check_crlf(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    if skill.doc.crlf {
        em.emit(None, "SKILL.md uses CRLF (Windows) line endings")
            .hint = Some("convert the file to LF line endings".into());
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn lowercase_skill_md() {
        let (_t, s) = temp_skill("lc", &[("skill.md", &doc("lc", "", "Body\n"))]);
        assert_eq!(lines("SF-skill-md-lowercase", &cx(), &s).len(), 1);
        let (_t, s) = temp_skill("uc", &[("SKILL.md", &doc("uc", "", "Body\n"))]);
        assert!(lines("SF-skill-md-lowercase", &cx(), &s).is_empty());
    }

    #[test]
    fn missing_frontmatter() {
        let s = skill("a", "# Title\nno frontmatter\n");
        assert_eq!(lines("SF-frontmatter-missing", &cx(), &s), vec![1]);
        let s = skill("a", &doc("a", "", "Body\n"));
        assert!(lines("SF-frontmatter-missing", &cx(), &s).is_empty());
    }

    #[test]
    fn start_not_at_byte_zero() {
        let s = skill("a", &format!("\n{}", doc("a", "", "Body\n")));
        assert_eq!(lines("SF-frontmatter-start", &cx(), &s), vec![1]);
        let s = skill("a", &doc("a", "", "Body\n"));
        assert!(lines("SF-frontmatter-start", &cx(), &s).is_empty());
        let (_t, s) = temp_skill(
            "bom",
            &[("SKILL.md", &format!("\u{feff}{}", doc("bom", "", "Body\n")))],
        );
        assert_eq!(lines("SF-frontmatter-start", &cx(), &s), vec![1]);
    }

    #[test]
    fn unclosed() {
        let s = skill("a", "---\nname: a\ndescription: b\n");
        assert_eq!(lines("SF-frontmatter-unclosed", &cx(), &s), vec![1]);
        let s = skill("a", "---\nname: a\ndescription: a---b\n---\nBody\n");
        assert!(lines("SF-frontmatter-unclosed", &cx(), &s).is_empty());
    }

    #[test]
    fn yaml_invalid() {
        let s = skill("a", "---\nname: a\ndescription: Use when: x\n---\nBody\n");
        assert_eq!(lines("SF-yaml-invalid", &cx(), &s), vec![3]);
        let s = skill("a", "---\nname: [invalid\ndescription: b\n---\n");
        assert_eq!(lines("SF-yaml-invalid", &cx(), &s).len(), 1);
        let s = skill("a", &doc("a", "", "Body\n"));
        assert!(lines("SF-yaml-invalid", &cx(), &s).is_empty());
    }

    #[test]
    fn yaml_message_is_cleaned() {
        assert_eq!(
            super::clean_yaml_message(
                "line 3 column 1: duplicate mapping key: name, set DuplicateKeyPolicy in Options if acceptable"
            ),
            "duplicate mapping key: name"
        );
        assert_eq!(super::clean_yaml_message("tab character"), "tab character");
    }

    #[test]
    fn not_mapping() {
        let s = skill("a", "---\n- just\n- a list\n---\nBody\n");
        assert_eq!(lines("SF-frontmatter-not-mapping", &cx(), &s), vec![2]);
        let s = skill("a", &doc("a", "", "Body\n"));
        assert!(lines("SF-frontmatter-not-mapping", &cx(), &s).is_empty());
    }

    #[test]
    fn block_scalar() {
        let s = skill(
            "a",
            "---\nname: a\ndescription: >-\n  Does x. Use when y.\n---\nBody\n",
        );
        assert_eq!(lines("SF-block-scalar", &cx(), &s), vec![3]);
        let s = skill("a", &doc("a", "", "Body\n"));
        assert!(lines("SF-block-scalar", &cx(), &s).is_empty());
    }

    #[test]
    fn crlf() {
        let s = skill("a", &doc("a", "", "Body\n").replace('\n', "\r\n"));
        assert_eq!(lines("SF-crlf", &cx(), &s).len(), 1);
        let s = skill("a", &doc("a", "", "Body\n"));
        assert!(lines("SF-crlf", &cx(), &s).is_empty());
    }
}
