//! `structure`: predicates over the shape of a skill (or an answer): persona with
//! priorities and conflict resolution, analysis questions, principles with a why,
//! output format, test scenarios, a when-to-use description, linked references,
//! templates.

use super::scope::{Named, named_sections_first};
use super::subject::{DocKind, Evidence, Region, Subject};
use regex::Regex;
use std::sync::LazyLock;

/// The structure predicates of one check; every present one must hold.
#[derive(Debug, Clone, Default)]
pub struct StructPreds {
    pub persona: Option<bool>,
    pub persona_priorities: Option<bool>,
    pub persona_conflicts: Option<bool>,
    pub questions: Option<(usize, usize)>,
    pub principles_min: Option<usize>,
    pub principles_with_why: Option<bool>,
    pub output_format: Option<bool>,
    pub scenarios_min: Option<usize>,
    pub description_when: Option<bool>,
    pub references_linked: Option<bool>,
    pub templates_min: Option<usize>,
}

/// The predicate names (for the schema and errors).
pub const NAMES: &[&str] = &[
    "persona",
    "persona_priorities",
    "persona_conflicts",
    "questions",
    "principles_min",
    "principles_with_why",
    "output_format",
    "scenarios_min",
    "description_when",
    "references_linked",
    "templates_min",
];

static PRIORITY_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(priorit\w*|balanc\w*|weigh\w*|trade-?offs?|care about|optimi[sz]e for)\b")
        .expect("static regex")
});
static QUALITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(security|secure|size|small|build (speed|time)|fast builds?|speed|operab\w*|observab\w*|reliab\w*|maintainab\w*|clarity|reproducib\w*|cost|performance|simplicity|portab\w*)\b")
        .expect("static regex")
});
static CONFLICT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(conflict\w*|tensions?|clash\w*|precedence|trade-?offs?|compete|competing)\b",
    )
    .expect("static regex")
});
static X_OVER_Y: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z-]+\*{0,2} (over|beats|trumps|before) \*{0,2}[a-z-]+")
        .expect("static regex")
});
static WHY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bwhy\b|\bbecause\b|\bso that\b|\bso the\b|\bsince\b|\botherwise\b|\brationale\b|\breason\b|\bprevents?\b|\bavoids?\b|\bensures?\b|\bkeeps?\b|\bmeans\b|\breduces?\b|\blets\b|\bwithout\b|\bso\b|\bthus\b|\bwhich\b|→)")
        .expect("static regex")
});
static WHEN_CUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(use (it |this( skill)? )?(when|for|whenever|to)|when (the user|you|a user|asked|someone|working)|whenever|trigger(s|ed)? (on|when|by))\b")
        .expect("static regex")
});
static LIST_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ {0,3}(?:[-*+]|\d{1,3}[.)])\s+\S").expect("static regex"));

/// A top-level list item: its first line (1-based in the doc), and full text
/// (continuation lines and nested items included).
#[derive(Debug, Clone)]
pub struct Item {
    /// The doc the item is in, and the byte offset of its first line.
    pub doc: usize,
    pub offset: usize,
    pub line: usize,
    pub text: String,
}

/// Top-level list items of a region (indent ≤ 3), outside code blocks.
pub fn list_items(s: &Subject, r: &Region) -> Vec<Item> {
    let d = &s.docs[r.doc];
    let Some(slice) = d.text.get(r.start..r.end) else {
        return Vec::new();
    };
    let mut out: Vec<Item> = Vec::new();
    let mut in_fence = false;
    let mut offset = r.start;
    let mut open = false;
    for raw in slice.split_inclusive('\n') {
        let line = raw.trim_end_matches(['\n', '\r']);
        let t = line.trim_start();
        let here = offset;
        offset += raw.len();
        if t.starts_with("```") || t.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if t.starts_with('#') {
            open = false;
            continue;
        }
        if LIST_ITEM.is_match(line) {
            out.push(Item {
                doc: r.doc,
                offset: here,
                line: d.line_of(here),
                text: t.to_string(),
            });
            open = true;
        } else if open && !t.is_empty() && (line.starts_with(' ') || line.starts_with('\t')) {
            if let Some(last) = out.last_mut() {
                last.text.push(' ');
                last.text.push_str(t);
            }
        } else if open && !t.is_empty() {
            // A lazy continuation paragraph line right after an item.
            if let Some(last) = out.last_mut() {
                last.text.push(' ');
                last.text.push_str(t);
            }
        } else if t.is_empty() {
            // Blank lines keep the item open for indented continuations.
        }
    }
    out
}

/// Sub-headings (deeper than the section's own heading) inside a region, with lines.
fn sub_headings(s: &Subject, r: &Region) -> Vec<(usize, String, usize)> {
    let Some(md) = s.docs[r.doc].md.as_ref() else {
        return Vec::new();
    };
    let own = md
        .body
        .headings
        .iter()
        .find(|h| h.span.offset == r.start)
        .map(|h| h.level)
        .unwrap_or(0);
    md.body
        .headings
        .iter()
        .filter(|h| h.span.offset > r.start && h.span.offset < r.end && h.level > own)
        .map(|h| (h.span.line, h.text.clone(), h.span.offset))
        .collect()
}

/// Entries of a section: its top-level list items, or its sub-headings when it has
/// no list (each heading with the text under it). Items that are bare terms (see
/// `guidance::dump_blocks`) are not entries.
fn entries(s: &Subject, r: &Region) -> Vec<Item> {
    let items: Vec<Item> = list_items(s, r)
        .into_iter()
        .filter(|i| !s.in_dump(i.doc, i.offset))
        .collect();
    if !items.is_empty() {
        return items;
    }
    let subs = sub_headings(s, r);
    let text = &s.docs[r.doc].text;
    subs.iter()
        .enumerate()
        .map(|(i, (line, title, off))| {
            let end = subs.get(i + 1).map(|x| x.2).unwrap_or(r.end);
            Item {
                doc: r.doc,
                offset: *off,
                line: *line,
                text: format!("{title} {}", text.get(*off..end).unwrap_or("")),
            }
        })
        .collect()
}

/// The text of a section with its term dumps blanked out (offsets kept), so a bare
/// list of qualities is not read as a stance.
fn section_text(s: &Subject, r: &Region) -> String {
    let text = s.docs[r.doc].text.get(r.start..r.end).unwrap_or("");
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if c != '\n' && s.in_dump(r.doc, r.start + i) {
            // Same byte length, so offsets into the result are offsets into the doc.
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether a section has content beyond its heading line.
fn has_content(s: &Subject, r: &Region) -> bool {
    section_text(s, r)
        .lines()
        .skip(1)
        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// The result of one structure predicate.
pub struct PredOutcome {
    pub name: &'static str,
    pub ok: bool,
    pub evidence: Option<Evidence>,
    /// What was found (counts) when it fails.
    pub detail: String,
}

fn first(s: &Subject, secs: &[Region]) -> Option<Evidence> {
    secs.first().map(|r| s.evidence(r.doc, r.start))
}

/// Evaluates every present predicate.
pub fn eval(s: &Subject, p: &StructPreds) -> Vec<PredOutcome> {
    let mut out = Vec::new();
    let secs = |n: Named| named_sections_first(s, n);
    let mut push = |name: &'static str, ok: bool, evidence: Option<Evidence>, detail: String| {
        out.push(PredOutcome {
            name,
            ok,
            evidence,
            detail,
        })
    };
    if let Some(want) = p.persona {
        let ps = secs(Named::Persona);
        let ok = ps.iter().any(|r| has_content(s, r));
        push(
            "persona",
            ok == want,
            first(s, &ps),
            "has no persona (a section saying who the agent thinks like and what it weighs)".into(),
        );
    }
    if let Some(want) = p.persona_priorities {
        let ps = secs(Named::Persona);
        let hit = ps.iter().find_map(|r| {
            let t = &section_text(s, r);
            let qualities: std::collections::BTreeSet<String> = QUALITY
                .find_iter(t)
                .map(|m| m.as_str().to_lowercase())
                .collect();
            let m = PRIORITY_WORD.find(t)?;
            (qualities.len() >= 2).then(|| s.evidence(r.doc, r.start + m.start()))
        });
        push(
            "persona_priorities",
            hit.is_some() == want,
            hit,
            "the persona does not name what it balances (e.g. size, build speed, security, operability)".into(),
        );
    }
    if let Some(want) = p.persona_conflicts {
        let ps = secs(Named::Persona);
        let hit = ps.iter().find_map(|r| {
            let t = &section_text(s, r);
            let first_over = X_OVER_Y.find(t)?;
            let overs = X_OVER_Y.find_iter(t).count();
            (overs >= 2 || CONFLICT.is_match(t))
                .then(|| s.evidence(r.doc, r.start + first_over.start()))
        });
        push(
            "persona_conflicts",
            hit.is_some() == want,
            hit,
            "the persona does not say how conflicts resolve (e.g. \"security over convenience\")"
                .into(),
        );
    }
    if let Some((lo, hi)) = p.questions {
        let qs = secs(Named::Questions);
        let items: Vec<Item> = qs
            .iter()
            .flat_map(|r| entries(s, r))
            .filter(|i| i.text.contains('?') && i.text.split_whitespace().count() >= 3)
            .collect();
        let n = items.len();
        push(
            "questions",
            n >= lo && n <= hi,
            first(s, &qs),
            format!(
                "has {n} analysis questions (list items of three or more words ending in ?); {lo} to {hi} are expected"
            ),
        );
    }
    let principles: Vec<Item> = secs(Named::Principles)
        .iter()
        .flat_map(|r| entries(s, r))
        .collect();
    if let Some(min) = p.principles_min {
        let n = principles.len();
        push(
            "principles_min",
            n >= min,
            principles.first().map(|i| Evidence {
                file: s.docs[i.doc].path.clone(),
                line: i.line,
            }),
            format!(
                "has {n} principles (a rule each, not a bare term); at least {min} are expected"
            ),
        );
    }
    if let Some(want) = p.principles_with_why {
        let without: Vec<&Item> = principles
            .iter()
            .filter(|i| !WHY.is_match(&i.text))
            .collect();
        let ok = !principles.is_empty() && without.is_empty();
        let detail = match without.first() {
            _ if principles.is_empty() => "no principles found".to_string(),
            Some(i) => format!(
                "{} of {} principles give no reason (first at line {}: \"{}\")",
                without.len(),
                principles.len(),
                i.line,
                i.text.chars().take(60).collect::<String>()
            ),
            None => String::new(),
        };
        push(
            "principles_with_why",
            ok == want,
            principles.first().map(|i| Evidence {
                file: s.docs[i.doc].path.clone(),
                line: i.line,
            }),
            detail,
        );
    }
    if let Some(want) = p.output_format {
        let o = secs(Named::OutputFormat);
        let ok = o.iter().any(|r| has_content(s, r));
        push(
            "output_format",
            ok == want,
            first(s, &o),
            "has no output format section (what every answer hands back)".into(),
        );
    }
    if let Some(min) = p.scenarios_min {
        let sc = secs(Named::Scenarios);
        let n: usize = sc.iter().map(|r| entries(s, r).len()).sum();
        push(
            "scenarios_min",
            n >= min,
            first(s, &sc),
            format!("has {n} test scenarios; at least {min} are expected"),
        );
    }
    if let Some(want) = p.description_when {
        let fm = s.main_md().map(|m| &m.frontmatter);
        let field = fm.and_then(|f| f.field("description"));
        let hit = field.and_then(|f| {
            let d = f.value.as_str()?;
            WHEN_CUE.find(d).map(|_| Evidence {
                file: s.docs[0].path.clone(),
                line: f.value_span.line,
            })
        });
        push(
            "description_when",
            hit.is_some() == want,
            hit,
            "the description has no when-to-use cue (\"Use when …\")".into(),
        );
    }
    if let Some(want) = p.references_linked {
        let refs: Vec<&str> = s
            .docs
            .iter()
            .filter(|d| d.kind == DocKind::Reference)
            .map(|d| d.path.as_str())
            .collect();
        let main = s.main_md();
        let linked = |r: &str| {
            main.is_some_and(|m| {
                m.body
                    .links
                    .iter()
                    .any(|l| l.dest.trim_start_matches("./") == r)
                    || m.body
                        .inline_code
                        .iter()
                        .any(|c| c.code.trim_start_matches("./") == r)
            })
        };
        let unlinked: Vec<&&str> = refs.iter().filter(|r| !linked(r)).collect();
        let ok = !refs.is_empty() && unlinked.is_empty();
        let detail = if refs.is_empty() {
            "no files under references/".to_string()
        } else {
            format!(
                "not linked from SKILL.md: {}",
                unlinked
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let ev = main
            .and_then(|m| m.body.links.iter().find(|l| l.dest.contains("references/")))
            .map(|l| Evidence {
                file: s.docs[0].path.clone(),
                line: l.span.line,
            });
        push("references_linked", ok == want, ev, detail);
    }
    if let Some(min) = p.templates_min {
        let (n, ev) = if s.is_answer {
            let units = s.code_units();
            (
                units.iter().filter(|u| !u.lang.is_empty()).count(),
                units.first().map(|u| Evidence {
                    file: s.docs[u.doc].path.clone(),
                    line: u.first_line,
                }),
            )
        } else {
            let t: Vec<usize> = (0..s.docs.len())
                .filter(|&i| s.docs[i].kind == DocKind::Template)
                .collect();
            (
                t.len(),
                t.first().map(|&i| Evidence {
                    file: s.docs[i].path.clone(),
                    line: 1,
                }),
            )
        };
        push(
            "templates_min",
            n >= min,
            ev,
            format!("has {n} templates; at least {min} are expected"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\nname: x\ndescription: Builds images. Use when containerizing a Python service.\n---\n# X\n\n## Persona\nYou think like a platform engineer who balances image size, build speed and security.\nWhen they conflict: security over convenience, runtime size over build speed.\n\n## Questions\n1. Where does it deploy?\n2. Which base image constraints apply?\n3. Are there large model files?\n\n## Principles\n- Use multi-stage builds, because compilers stay out of the runtime image.\n- Pin base tags so builds are reproducible.\n\n## Output format\nA commented Dockerfile.\n\n## Test scenarios\n- A CLI tool\n- A FastAPI service\n- An ML service with a 4 GB model\n";

    fn ok(s: &Subject, p: StructPreds) -> Vec<(&'static str, bool)> {
        eval(s, &p).into_iter().map(|o| (o.name, o.ok)).collect()
    }

    #[test]
    fn good_structure_passes_each_predicate() {
        let s = Subject::from_answer(GOOD);
        let p = StructPreds {
            persona: Some(true),
            persona_priorities: Some(true),
            persona_conflicts: Some(true),
            questions: Some((3, 7)),
            principles_min: Some(2),
            principles_with_why: Some(true),
            output_format: Some(true),
            scenarios_min: Some(3),
            description_when: Some(true),
            ..Default::default()
        };
        for (name, pass) in ok(&s, p) {
            assert!(pass, "{name} should pass");
        }
    }

    #[test]
    fn thin_or_stuffed_structure_fails() {
        let thin = "---\nname: x\ndescription: Docker expert.\n---\nYou are a Docker expert. Write good Dockerfiles.\npersona priorities conflicts security over size questions principles because output format scenarios\n";
        let s = Subject::from_answer(thin);
        let p = StructPreds {
            persona: Some(true),
            persona_priorities: Some(true),
            persona_conflicts: Some(true),
            questions: Some((1, 9)),
            principles_min: Some(1),
            principles_with_why: Some(true),
            output_format: Some(true),
            scenarios_min: Some(1),
            description_when: Some(true),
            ..Default::default()
        };
        for (name, pass) in ok(&s, p) {
            assert!(!pass, "{name} should fail");
        }
    }

    #[test]
    fn counts_are_bounded_and_whys_are_checked() {
        let t = "## Questions\n1. a?\n2. b?\n## Principles\n- Use slim images.\n- Pin tags because latest drifts.\n";
        let s = Subject::from_answer(t);
        let r = ok(
            &s,
            StructPreds {
                questions: Some((3, 7)),
                principles_min: Some(2),
                principles_with_why: Some(true),
                ..Default::default()
            },
        );
        assert_eq!(
            r,
            vec![
                ("questions", false),
                ("principles_min", true),
                ("principles_with_why", false)
            ]
        );
    }

    #[test]
    fn principles_as_subheadings() {
        let t = "## Principles\n### Multi-stage builds\nWhy: keeps compilers out.\n### Pin base tags\nBecause latest drifts.\n";
        let s = Subject::from_answer(t);
        let r = ok(
            &s,
            StructPreds {
                principles_min: Some(2),
                principles_with_why: Some(true),
                ..Default::default()
            },
        );
        assert!(r.iter().all(|x| x.1), "{r:?}");
    }
}

#[cfg(test)]
mod skill_tests {
    use super::*;

    #[test]
    fn references_linked_and_templates_min() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        std::fs::create_dir_all(d.join("references")).unwrap();
        std::fs::create_dir_all(d.join("templates")).unwrap();
        std::fs::write(d.join("references/a.md"), "# A\n").unwrap();
        std::fs::write(d.join("references/b.md"), "# B\n").unwrap();
        std::fs::write(d.join("templates/Dockerfile"), "FROM x\n").unwrap();
        let md = "---\nname: x\ndescription: y\n---\nSee [a](references/a.md).\n";
        std::fs::write(d.join("SKILL.md"), md).unwrap();
        let p = StructPreds {
            references_linked: Some(true),
            templates_min: Some(1),
            ..Default::default()
        };
        let skill = crate::skill::Skill::load(d).unwrap();
        let r = eval(&Subject::from_skill(&skill), &p);
        assert!(
            !r[0].ok && r[0].detail.contains("references/b.md"),
            "{}",
            r[0].detail
        );
        assert!(r[1].ok);
        std::fs::write(d.join("SKILL.md"), format!("{md}And `references/b.md`.\n")).unwrap();
        let skill = crate::skill::Skill::load(d).unwrap();
        let p2 = StructPreds {
            references_linked: Some(true),
            templates_min: Some(2),
            ..Default::default()
        };
        let r = eval(&Subject::from_skill(&skill), &p2);
        assert!(r[0].ok);
        assert!(!r[1].ok);
    }
}
