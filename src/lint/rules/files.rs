//! Rules on links, path mentions and the other files of a skill.

use super::IndexMemo;
use super::paths::{is_local_absolute, md_links, parent_dir, resolve};
use super::{PathRef, SkillIndex};
use crate::lint::{Check, Ctx, Emitter, Rule};
use crate::report::Severity;
use crate::skill::{LineIndex, Skill};
use foldhash::{HashSet, HashSetExt};
use std::rc::Rc;

pub const TOC_MIN_LINES: usize = 100;

/// Directories whose files an agent only finds through SKILL.md.
const RESOURCE_DIRS: &[&str] = &["references", "scripts", "assets", "templates"];

/// A text document (Markdown or plain text) that an agent reads.
fn is_doc(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    [".md", ".markdown", ".mdx", ".txt", ".rst"]
        .iter()
        .any(|e| lower.ends_with(e))
}

fn is_reference_doc(rel: &str) -> bool {
    rel.starts_with("references/") && is_doc(rel)
}

fn top_dir(rel: &str) -> &str {
    rel.split('/').next().unwrap_or("")
}

/// Whether a mention (not a link) should be checked for existence: it names a file in
/// `references/`, or in a conventional directory the skill actually has. A mention of
/// `scripts/x.sh` in a skill without `scripts/` is probably about the user's project.
fn mention_checked(ix: &SkillIndex, resolved: &str) -> bool {
    let top = top_dir(resolved);
    top == "references" || (resolved.contains('/') && ix.top_dirs.contains(top))
}

/// Resolves a reference written in file `from` (relative to the skill root; `""` for
/// SKILL.md): relative to that file's directory first, then to the skill root.
fn resolve_from(ix: &SkillIndex, from: &str, raw: &str) -> Result<String, ()> {
    let base = parent_dir(from);
    let local = resolve(base, raw);
    match &local {
        Ok(p) if ix.exists(p) => local,
        _ if !base.is_empty() => match resolve("", raw) {
            Ok(p) if ix.exists(&p) => Ok(p),
            _ => local,
        },
        _ => local,
    }
}

/// Every reference doc and its refs, each file read once (through the index cache).
fn reference_docs(skill: &Skill, ix: &SkillIndex) -> Vec<(String, Rc<Vec<PathRef>>)> {
    skill
        .files
        .iter()
        .filter(|f| is_reference_doc(&f.rel) && f.rel.to_ascii_lowercase().ends_with(".md"))
        .filter_map(|f| ix.refs_in(skill, &f.rel).map(|r| (f.rel.clone(), r)))
        .collect()
}

pub const LINK_BROKEN: Rule = Rule {
    id: "SF-link-broken",
    severity: Severity::Error,
    summary: "A relative link or path mention does not resolve to a file of the skill",
    explain: "When the body says `see references/api.md` and the file is missing, the agent \
wastes a tool call or invents the content. Checked: every relative Markdown link in SKILL.md \
and in references/*.md (resolved from the linking file, then from the skill root), and bare \
mentions of `references/…` paths, or of `scripts/`, `assets/`, `templates/` paths when the \
skill has that directory. Mentions inside fenced code blocks are examples and are not \
checked. Fix the path or add the file.",
    check: Check::Skill(check_broken),
};

fn check_broken(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let ix = em.memo().index();
    let ix = &*ix;
    for r in &ix.refs {
        if r.in_code || r.raw.contains('\\') {
            continue;
        }
        if let Ok(p) = resolve("", &r.raw)
            && !ix.exists(&p)
            && (r.is_link || mention_checked(ix, &p))
        {
            em.emit(
                Some(r.span),
                format!(
                    "{} `{}` does not exist in the skill",
                    if r.is_link { "link target" } else { "path" },
                    r.raw
                ),
            )
            .hint = Some(suggest(ix, &p));
        }
    }
    for (rel, refs) in reference_docs(skill, ix) {
        for r in refs.iter() {
            if r.in_code || r.raw.contains('\\') {
                continue;
            }
            if let Ok(p) = resolve_from(ix, &rel, &r.raw)
                && !ix.exists(&p)
                && (r.is_link || mention_checked(ix, &p))
            {
                em.emit_in(
                    &rel,
                    Some(r.span),
                    format!("`{}` does not exist in the skill", r.raw),
                )
                .hint = Some(suggest(ix, &p));
            }
        }
    }
}

/// A hint naming a file with the same file name, if any.
fn suggest(ix: &SkillIndex, missing: &str) -> String {
    let name = missing.rsplit('/').next().unwrap_or(missing);
    let mut same: Vec<&String> = ix
        .files
        .iter()
        .filter(|f| f.rsplit('/').next() == Some(name))
        .collect();
    same.sort();
    match same.first() {
        Some(f) => format!("did you mean `{f}`?"),
        None => "fix the path (relative to the skill directory) or add the file".into(),
    }
}

pub const LINK_ESCAPES: Rule = Rule {
    id: "SF-link-escapes",
    severity: Severity::Error,
    summary: "A relative path climbs out of the skill directory with `..`",
    explain: "A skill is installed and shared as one directory; a link such as \
`../shared/guide.md` works in your repository and breaks everywhere else. Copy the file \
into the skill (e.g. references/) and link to it there.",
    check: Check::Skill(check_escapes),
};

fn escape_counts(r: &PathRef) -> bool {
    !r.in_code
        && (r.is_link
            || r.raw
                .rsplit(['/', '\\'])
                .next()
                .is_some_and(|last| last.contains('.') && last != ".."))
}

fn check_escapes(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let ix = em.memo().index();
    let ix = &*ix;
    let hint = "copy the file into the skill (e.g. references/) and link to it there";
    for r in &ix.refs {
        if escape_counts(r) && resolve("", &r.raw).is_err() {
            em.emit(
                Some(r.span),
                format!("`{}` points outside the skill directory", r.raw),
            )
            .hint = Some(hint.into());
        }
    }
    for (rel, refs) in reference_docs(skill, ix) {
        for r in refs.iter() {
            if escape_counts(r) && resolve(parent_dir(&rel), &r.raw).is_err() {
                em.emit_in(
                    &rel,
                    Some(r.span),
                    format!("`{}` points outside the skill directory", r.raw),
                )
                .hint = Some(hint.into());
            }
        }
    }
}

pub const LINK_LOCAL_ABSOLUTE: Rule = Rule {
    id: "SF-link-local-absolute",
    severity: Severity::Error,
    summary: "A link points at a file of your machine (`file://`, `/abs/path`, `~/x`), not of the skill",
    explain: "A skill is copied to other machines and agents; `[notes](/home/me/notes.md)` or \
`file:///etc/passwd` names a file that is not there, or worse, one the agent should never \
read. Checked: links in SKILL.md and in references/*.md whose target is a `file:` URL, an \
absolute path (`/…`, `C:\\…`, `\\\\host\\…`) or a home path (`~/…`); web addresses \
(`https://…`, `//host/…`) are fine. Copy the file into the skill and link to it relatively \
(`references/notes.md`).",
    check: Check::Skill(check_local_absolute),
};

fn check_local_absolute(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let hint = "copy the file into the skill (e.g. references/) and link to it relatively";
    let what = |dest: &str| {
        format!(
            "link target `{}` is a file on the author's machine, not part of the skill",
            dest.trim()
        )
    };
    for l in &skill.doc.body.links {
        if is_local_absolute(&l.dest) {
            em.emit(Some(l.span), what(&l.dest)).hint = Some(hint.into());
        }
    }
    let mut docs: Vec<&str> = skill
        .files
        .iter()
        .filter(|f| !f.is_symlink && is_reference_doc(&f.rel))
        .map(|f| f.rel.as_str())
        .collect();
    docs.sort_unstable();
    // Through the index's text cache: the link rules read these files anyway.
    let index = em.memo().index();
    for rel in docs {
        let Some(text) = index.text(skill, rel) else {
            continue;
        };
        let mut ix = None;
        for l in md_links(&text) {
            if is_local_absolute(l.dest) {
                let ix = ix.get_or_insert_with(|| LineIndex::new(&text));
                let span = ix.span(&text, l.start, l.end - l.start);
                em.emit_in(rel, Some(span), what(l.dest)).hint = Some(hint.into());
            }
        }
    }
}

pub const SYMLINK_OUTSIDE: Rule = Rule {
    id: "SF-symlink-outside",
    severity: Severity::Error,
    summary: "A symbolic link in the skill points outside it (or nowhere)",
    explain: "skillforge never follows a symbolic link that leaves the skill (so \
`references/x.md -> /etc/passwd` is not read), and packaging or installing the skill \
copies the link, not the file: on the next machine it points nowhere, or at something \
private. Replace the link with a copy of the file inside the skill.",
    check: Check::Skill(check_symlink_outside),
};

fn check_symlink_outside(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let links: Vec<&str> = skill
        .files
        .iter()
        .filter(|f| f.is_symlink)
        .map(|f| f.rel.as_str())
        .collect();
    if links.is_empty() {
        return;
    }
    let Ok(root) = std::fs::canonicalize(&skill.dir) else {
        return;
    };
    for rel in links {
        let path = skill.dir.join(rel);
        let target = std::fs::read_link(&path)
            .map(|t| crate::term::escape_line(&t.to_string_lossy()).into_owned())
            .unwrap_or_else(|_| "?".into());
        let message = match std::fs::canonicalize(&path) {
            Ok(real) if real.starts_with(&root) => continue,
            Ok(_) => format!("`{rel}` is a symbolic link to `{target}`, outside the skill"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                format!("`{rel}` is a symbolic link to `{target}`, which does not exist")
            }
            // A loop (`a -> a`) or a link through something unreadable.
            Err(e) => {
                format!("`{rel}` is a symbolic link to `{target}`, which cannot be followed ({e})")
            }
        };
        em.emit_in(rel, None, message).hint =
            Some("replace the link with a copy of the file inside the skill".into());
    }
}

pub const PATH_BACKSLASH: Rule = Rule {
    id: "SF-path-backslash",
    severity: Severity::Warning,
    summary: "Paths in a skill should use `/`, not `\\`",
    explain: "Skills run on Linux and macOS as well as Windows; `references\\api.md` is a \
file name with a backslash in it everywhere but Windows. Use forward slashes in links and \
path mentions.",
    check: Check::Skill(check_backslash),
};

fn check_backslash(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let ix = em.memo().index();
    let ix = &*ix;
    for r in &ix.refs {
        if !r.in_code && r.raw.contains('\\') {
            em.emit(Some(r.span), format!("`{}` uses backslashes", r.raw))
                .hint = Some(format!("write `{}`", r.raw.replace('\\', "/")));
        }
    }
    for (rel, refs) in reference_docs(skill, ix) {
        for r in refs.iter() {
            if !r.in_code && r.raw.contains('\\') {
                em.emit_in(&rel, Some(r.span), format!("`{}` uses backslashes", r.raw))
                    .hint = Some(format!("write `{}`", r.raw.replace('\\', "/")));
            }
        }
    }
}

/// Existing files referenced directly from SKILL.md (code blocks included).
fn direct_targets(ix: &SkillIndex) -> HashSet<String> {
    ix.refs
        .iter()
        .filter_map(|r| resolve("", &r.raw).ok())
        .filter(|p| ix.files.contains(p))
        .collect()
}

pub const REFERENCE_DEPTH: Rule = Rule {
    id: "SF-reference-depth",
    severity: Severity::Warning,
    summary: "Reference chains should be one level deep (SKILL.md → file)",
    explain: "Agents often read only part of a file that another file points to; a document \
reachable only through another reference (SKILL.md → a.md → b.md) is easily missed. Link \
every reference document directly from SKILL.md. Reported at the link in the intermediate \
file. Peer: Anthropic's best-practice guide (\"keep references one level deep\").",
    check: Check::Skill(check_depth),
};

fn check_depth(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let ix = em.memo().index();
    let ix = &*ix;
    let direct = direct_targets(ix);
    let mut sorted: Vec<&String> = direct.iter().filter(|p| is_doc(p)).collect();
    sorted.sort();
    let mut reported = HashSet::new();
    for p in sorted {
        let Some(refs) = ix.refs_in(skill, p) else {
            continue;
        };
        for r in refs.iter() {
            if r.in_code {
                continue;
            }
            let Ok(q) = resolve_from(ix, p, &r.raw) else {
                continue;
            };
            if q != *p
                && q != "SKILL.md"
                && is_doc(&q)
                && ix.files.contains(&q)
                && !direct.contains(&q)
                && reported.insert(q.clone())
            {
                em.emit_in(
                    p,
                    Some(r.span),
                    format!("`{q}` is reached only through `{p}` (two levels from SKILL.md)"),
                )
                .hint = Some(format!("link `{q}` directly from SKILL.md"));
            }
        }
    }
}

pub const REFERENCE_TOC: Rule = Rule {
    id: "SF-reference-toc",
    severity: Severity::Info,
    summary: "A reference file over 100 lines should start with a table of contents",
    explain: "Agents often preview long files (head -100) rather than read them whole; a \
table of contents near the top shows what the rest contains. Add a `## Contents` list of \
the sections (links to #anchors) near the top of reference files longer than 100 lines.",
    check: Check::Skill(check_toc),
};

fn has_toc(text: &str) -> bool {
    let mut anchor_links = 0;
    for line in text.lines().take(60) {
        let t = line.trim().to_ascii_lowercase();
        if t.starts_with('#')
            && (t.contains("contents") || t.ends_with(" toc") || t.ends_with(" index"))
        {
            return true;
        }
        if t.contains("](#") {
            anchor_links += 1;
        }
    }
    anchor_links >= 3
}

fn check_toc(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let ix = em.memo().index();
    let ix = &*ix;
    for f in &skill.files {
        if !is_reference_doc(&f.rel) || f.size < 200 {
            continue;
        }
        let Some(text) = ix.text(skill, &f.rel) else {
            continue;
        };
        let n = crate::skill::count_lines(&text);
        if n > TOC_MIN_LINES && !has_toc(&text) {
            em.emit_in(
                &f.rel,
                None,
                format!("{n} lines without a table of contents"),
            )
            .hint = Some("add a `## Contents` section listing the headings near the top".into());
        }
    }
}

pub const REFERENCE_TOKENS: Rule = Rule {
    id: "SF-reference-tokens",
    severity: Severity::Warning,
    summary: "A reference file is over its token budget (10k: warning; 2.5x that: error)",
    explain: "A reference is loaded whole when the agent needs it; past ~10k tokens it crowds \
the context, and past ~25k it often exceeds what a single read returns, so the agent sees \
only part of it. Split large references by topic and link each from SKILL.md. Tokens are \
counted with the o200k_base encoding, an approximation of Claude's tokenizer (which is not \
published). The budget is set in skillforge.toml: `[lint.budgets] reference = 10000` (the \
error threshold is 2.5 times it).",
    check: Check::Skill(check_ref_tokens),
};

fn check_ref_tokens(cx: &Ctx, skill: &Skill, em: &mut Emitter) {
    let ix = em.memo().index();
    let ix = &*ix;
    let budget = cx.config.budgets.reference;
    let error_at = budget.saturating_mul(5) / 2;
    for f in &skill.files {
        // A file too small to be over the budget is not even read (see lint::tokens).
        if !is_reference_doc(&f.rel) || !crate::lint::tokens::may_exceed(f.size as usize, budget) {
            continue;
        }
        let Some(text) = ix.text(skill, &f.rel) else {
            continue;
        };
        if let Some(n) = crate::lint::tokens::over_budget(&text, budget) {
            let d = em.emit_in(
                &f.rel,
                None,
                format!(
                    "{n} tokens ({}, approximates Claude's); the budget for a reference is {budget}",
                    crate::lint::tokens::ENCODING
                ),
            );
            d.hint = Some("split it by topic and link each part from SKILL.md".into());
            if n > error_at {
                d.severity = Severity::Error;
            }
        }
    }
}

pub const ORPHAN_FILE: Rule = Rule {
    id: "SF-orphan-file",
    severity: Severity::Warning,
    summary: "A file under references/, scripts/, assets/ or templates/ is never mentioned",
    explain: "Agents discover a skill's resources only through SKILL.md (progressive \
disclosure); a file nothing points to is dead weight or, worse, guidance the agent never \
sees. A file counts as mentioned when SKILL.md names its path (in a link, inline code, text \
or a code block) or its distinctive file name, names its directory (`templates/`), or a \
document that SKILL.md links to names it. Mention it where it is needed, or delete it.",
    check: Check::Skill(check_orphans),
};

fn check_orphans(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    let ix = em.memo().index();
    let ix = &*ix;
    let text = skill.doc.text.as_str();
    let mut mentioned: HashSet<String> = HashSet::new();
    let mut dirs: HashSet<String> = HashSet::new();
    let note = |p: String, dirs: &mut HashSet<String>, m: &mut HashSet<String>| {
        if ix.dirs.contains(p.trim_end_matches('/')) {
            dirs.insert(p.trim_end_matches('/').to_string());
        } else {
            m.insert(p);
        }
    };
    for r in &ix.refs {
        if let Ok(p) = resolve("", &r.raw) {
            note(p, &mut dirs, &mut mentioned);
        }
    }
    let direct = direct_targets(ix);
    let mut docs: Vec<&String> = direct.iter().filter(|p| is_doc(p)).collect();
    docs.sort();
    for p in docs {
        if let Some(refs) = ix.refs_in(skill, p) {
            for r in refs.iter() {
                if let Ok(q) = resolve_from(ix, p, &r.raw) {
                    note(q, &mut dirs, &mut mentioned);
                }
            }
        }
    }
    for f in &skill.files {
        let rel = f.rel.as_str();
        if !RESOURCE_DIRS.contains(&top_dir(rel)) || !rel.contains('/') {
            continue;
        }
        if rel.contains("__pycache__/") || rel.ends_with(".pyc") || rel.contains("node_modules/") {
            continue;
        }
        let base = rel.rsplit('/').next().unwrap_or(rel);
        let distinctive = base.contains('.') && base.len() >= 6;
        let found = mentioned.contains(rel)
            || dirs.contains(parent_dir(rel))
            || text.contains(rel)
            || (distinctive && text.contains(base));
        if !found {
            em.emit_in(rel, None, format!("`{rel}` is not mentioned in SKILL.md"))
                .hint = Some(format!(
                "tell the agent when to use it, e.g. \"see [{base}]({rel})\", or delete it"
            ));
        }
    }
}

pub const EXTRANEOUS_FILE: Rule = Rule {
    id: "SF-extraneous-file",
    severity: Severity::Warning,
    summary: "README, CHANGELOG, AGENTS.md and similar files do not belong inside a skill",
    explain: "A skill holds what an agent needs to do the task; documentation about the skill \
(README.md, CHANGELOG.md, INSTALLATION_GUIDE.md, QUICK_REFERENCE.md, CONTRIBUTING.md) and \
AGENTS.md (which some agents load as project instructions from any directory) add clutter \
or leak into other contexts. Put that material in the repository around the skill. Peer: \
Anthropic's skill-creator guidance.",
    check: Check::Skill(check_extraneous),
};

const EXTRANEOUS: &[&str] = &[
    "readme",
    "changelog",
    "agents",
    "installation_guide",
    "quick_reference",
    "contributing",
    "history",
];

fn check_extraneous(_: &Ctx, skill: &Skill, em: &mut Emitter) {
    for f in &skill.files {
        if f.rel.contains('/') {
            continue;
        }
        let lower = f.rel.to_ascii_lowercase();
        let stem = lower
            .strip_suffix(".md")
            .or_else(|| lower.strip_suffix(".txt"))
            .or_else(|| lower.strip_suffix(".rst"))
            .unwrap_or(&lower);
        if EXTRANEOUS.contains(&stem) {
            em.emit_in(
                &f.rel,
                None,
                format!("`{}` does not belong inside a skill", f.rel),
            )
            .hint =
                Some("move it next to the skill (e.g. the repository root) or delete it".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;

    #[test]
    fn line_count_matches_lines() {
        for t in ["", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\n", "x\n\ny"] {
            assert_eq!(crate::skill::count_lines(t), t.lines().count(), "{t:?}");
        }
    }

    fn files_of(id: &str, s: &crate::skill::Skill) -> Vec<(String, usize)> {
        super::super::run_rule(id, &cx(), std::slice::from_ref(s))
            .iter()
            .map(|d| {
                (
                    d.file
                        .strip_prefix(&s.dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                    d.line().unwrap_or(0),
                )
            })
            .collect()
    }

    #[test]
    fn broken_links_and_mentions() {
        let body = "# A\n\nSee [guide](references/guide.md) and [gone](references/gone.md).\nRun `scripts/missing.sh`; the user's `tools/x.sh` is theirs.\n\n```\ncat references/also-gone.md\n```\n";
        let (_t, s) = temp_skill(
            "lb",
            &[
                ("SKILL.md", &doc("lb", "", body)),
                (
                    "references/guide.md",
                    "# G\n\nBack to [skill](../SKILL.md), see [x](missing.md).\n",
                ),
                ("scripts/run.sh", "echo\n"),
            ],
        );
        assert_eq!(
            files_of("SF-link-broken", &s),
            vec![
                ("SKILL.md".into(), 7),
                ("SKILL.md".into(), 8),
                ("references/guide.md".into(), 3)
            ]
        );
        let (_t, s) = temp_skill(
            "ok",
            &[
                (
                    "SKILL.md",
                    &doc(
                        "ok",
                        "",
                        "See [g](references/g.md#top) and [web](https://x.y).\n",
                    ),
                ),
                ("references/g.md", "# G\n"),
            ],
        );
        assert!(files_of("SF-link-broken", &s).is_empty());
    }

    #[test]
    fn escapes() {
        let s = skill(
            "a",
            &doc(
                "a",
                "",
                "See [x](../shared/x.md) and ../other/README.md; `cd ../`.\n",
            ),
        );
        assert_eq!(lines("SF-link-escapes", &cx(), &s), vec![5, 5]);
        let s = skill("a", &doc("a", "", "See [x](references/x.md).\n"));
        assert!(lines("SF-link-escapes", &cx(), &s).is_empty());
    }

    #[test]
    fn local_absolute_links() {
        let body = "# A\n\nSee [a](file:///etc/passwd), [b](/home/me/notes.md), [c](~/x.md),\n[d](C:\\Users\\x.md), [e](https://docs.docker.com/x/), [f](//cdn.example/x), [g](references/g.md).\n";
        let (_t, s) = temp_skill(
            "la",
            &[
                ("SKILL.md", &doc("la", "", body)),
                (
                    "references/g.md",
                    "# G\n\nOK [web](https://x.example/) and [abs](/etc/shadow).\n",
                ),
            ],
        );
        assert_eq!(
            files_of("SF-link-local-absolute", &s),
            vec![
                ("SKILL.md".to_string(), 7),
                ("SKILL.md".to_string(), 7),
                ("SKILL.md".to_string(), 7),
                ("SKILL.md".to_string(), 8),
                ("references/g.md".to_string(), 3),
            ]
        );
        let s = skill(
            "a",
            &doc("a", "", "See [x](references/x.md) and [y](https://x/).\n"),
        );
        assert!(lines("SF-link-local-absolute", &cx(), &s).is_empty());
        for (d, want) in [
            ("FILE:///x", true),
            ("/x", true),
            ("\\\\srv\\x", true),
            ("d:/x", true),
            ("~", true),
            ("//host/x", false),
            ("ré/x", false),
            ("é", false),
            ("x:y", false),
        ] {
            assert_eq!(super::is_local_absolute(d), want, "{d}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_outside() {
        let (t, s) = temp_skill(
            "sl",
            &[
                (
                    "SKILL.md",
                    &doc("sl", "", "# A\n\nSee [g](references/g.md).\n"),
                ),
                ("references/g.md", "# G\n"),
            ],
        );
        let outside = t.path().join("secret.txt");
        std::fs::write(&outside, "secret\n").unwrap();
        let refs = s.dir.join("references");
        std::os::unix::fs::symlink(&outside, refs.join("out.md")).unwrap();
        std::os::unix::fs::symlink("/nonexistent-skillforge/x", refs.join("dangling.md")).unwrap();
        std::os::unix::fs::symlink("g.md", refs.join("inside.md")).unwrap();
        std::os::unix::fs::symlink("loop.md", refs.join("loop.md")).unwrap();
        let s = crate::skill::Skill::load(&s.dir).unwrap();
        let got = files_of("SF-symlink-outside", &s);
        assert_eq!(
            got,
            vec![
                ("references/dangling.md".to_string(), 0),
                ("references/loop.md".to_string(), 0),
                ("references/out.md".to_string(), 0),
            ]
        );
        let msgs: Vec<String> =
            super::super::run_rule("SF-symlink-outside", &cx(), std::slice::from_ref(&s))
                .into_iter()
                .map(|d| d.message)
                .collect();
        assert!(
            msgs[0].contains("does not exist")
                && msgs[1].contains("cannot be followed")
                && msgs[2].contains("outside the skill"),
            "{msgs:?}"
        );
        // Without such links the rule is quiet.
        std::fs::remove_file(refs.join("out.md")).unwrap();
        std::fs::remove_file(refs.join("dangling.md")).unwrap();
        std::fs::remove_file(refs.join("loop.md")).unwrap();
        let s = crate::skill::Skill::load(&s.dir).unwrap();
        assert!(files_of("SF-symlink-outside", &s).is_empty());
    }

    #[test]
    fn backslash() {
        let s = skill(
            "a",
            &doc("a", "", "See [x](references\\x.md) or references\\y.md.\n"),
        );
        assert_eq!(lines("SF-path-backslash", &cx(), &s), vec![5, 5]);
        let s = skill("a", &doc("a", "", "See [x](references/x.md).\n"));
        assert!(lines("SF-path-backslash", &cx(), &s).is_empty());
    }

    #[test]
    fn depth() {
        let (_t, s) = temp_skill(
            "d",
            &[
                (
                    "SKILL.md",
                    &doc(
                        "d",
                        "",
                        "See [a](references/a.md) and [c](references/c.md).\n",
                    ),
                ),
                (
                    "references/a.md",
                    "# A\n\nDetails in [b](b.md) and [c](c.md).\n",
                ),
                ("references/b.md", "# B\n"),
                ("references/c.md", "# C\n"),
            ],
        );
        assert_eq!(
            files_of("SF-reference-depth", &s),
            vec![("references/a.md".into(), 3)]
        );
        let (_t, s) = temp_skill(
            "d2",
            &[
                (
                    "SKILL.md",
                    &doc(
                        "d2",
                        "",
                        "See [a](references/a.md) and [b](references/b.md).\n",
                    ),
                ),
                ("references/a.md", "# A\n\nDetails in [b](b.md).\n"),
                ("references/b.md", "# B\n"),
            ],
        );
        assert!(files_of("SF-reference-depth", &s).is_empty());
    }

    #[test]
    fn toc_and_tokens() {
        let long: String = (0..150)
            .map(|i| format!("line {i} of the reference\n"))
            .collect();
        let with_toc = format!("# R\n\n## Contents\n- [A](#a)\n\n{long}");
        // One o200k_base token per " word": 12k tokens warn, 30k (over 2.5 × 10k) errs.
        let huge = "word ".repeat(12_000);
        let giant = "word ".repeat(30_000);
        let (_t, s) = temp_skill(
            "t",
            &[
                (
                    "SKILL.md",
                    &doc(
                        "t",
                        "",
                        "See references/long.md, references/toc.md, references/huge.md, references/giant.md.\n",
                    ),
                ),
                ("references/long.md", &long),
                ("references/toc.md", &with_toc),
                ("references/huge.md", &huge),
                ("references/giant.md", &giant),
            ],
        );
        assert_eq!(
            files_of("SF-reference-toc", &s),
            vec![("references/long.md".into(), 0)]
        );
        let d = super::super::run_rule("SF-reference-tokens", &cx(), std::slice::from_ref(&s));
        let got: Vec<(String, crate::report::Severity)> = d
            .iter()
            .map(|d| {
                (
                    d.file.file_name().unwrap().to_string_lossy().into_owned(),
                    d.severity,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("giant.md".into(), crate::report::Severity::Error),
                ("huge.md".into(), crate::report::Severity::Warning)
            ]
        );
    }

    #[test]
    fn orphans() {
        let (_t, s) = temp_skill(
            "o",
            &[
                (
                    "SKILL.md",
                    &doc(
                        "o",
                        "",
                        "See [a](references/a.md). Templates live in `templates/`.\n",
                    ),
                ),
                ("references/a.md", "# A\n\nUse assets/logo.png.\n"),
                ("references/unused.md", "# U\n"),
                ("assets/logo.png", "png"),
                ("templates/Dockerfile", "FROM x\n"),
                ("scripts/forgotten.py", "print()\n"),
                ("notes.txt", "top-level files are not resources\n"),
            ],
        );
        assert_eq!(
            files_of("SF-orphan-file", &s),
            vec![
                ("references/unused.md".into(), 0),
                ("scripts/forgotten.py".into(), 0)
            ]
        );
    }

    #[test]
    fn extraneous() {
        let (_t, s) = temp_skill(
            "e",
            &[
                ("SKILL.md", &doc("e", "", "Body.\n")),
                ("README.md", "# readme\n"),
                ("CHANGELOG.md", "x\n"),
                ("references/README.md", "x\n"),
            ],
        );
        assert_eq!(
            files_of("SF-extraneous-file", &s),
            vec![("CHANGELOG.md".into(), 0), ("README.md".into(), 0)]
        );
        let (_t, s) = temp_skill("f", &[("SKILL.md", &doc("f", "", "Body.\n"))]);
        assert!(files_of("SF-extraneous-file", &s).is_empty());
    }
}
