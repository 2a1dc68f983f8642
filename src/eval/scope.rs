//! Scopes: which part of a subject an assertion looks at.

use super::subject::{DocKind, Region, Subject, file_lang, norm_lang};

/// A named section of a skill, found by heading text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Persona,
    Questions,
    Principles,
    Workflow,
    OutputFormat,
    Scenarios,
}

impl Named {
    pub fn parse(s: &str) -> Option<Named> {
        Some(match s {
            "persona" => Named::Persona,
            "questions" => Named::Questions,
            "principles" => Named::Principles,
            "workflow" => Named::Workflow,
            "output_format" => Named::OutputFormat,
            "scenarios" => Named::Scenarios,
            _ => return None,
        })
    }

    pub fn id(self) -> &'static str {
        match self {
            Named::Persona => "persona",
            Named::Questions => "questions",
            Named::Principles => "principles",
            Named::Workflow => "workflow",
            Named::OutputFormat => "output_format",
            Named::Scenarios => "scenarios",
        }
    }

    /// Heading texts (lowercase substrings) that identify the section: a section is
    /// found by what it is, not by one heading word.
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Named::Persona => &[
                "persona",
                "who you are",
                "stance",
                "your role",
                "identity",
                "mindset",
                "how you think",
                "how i think",
                "perspective",
                "you are",
            ],
            Named::Questions => &[
                "questions",
                "ask before",
                "clarification",
                "clarify",
                "before you start",
                "before starting",
                "before writing",
                "what to ask",
                "things to ask",
                "intake",
                "discovery",
            ],
            Named::Principles => &[
                "principles",
                "guidelines",
                "best practices",
                "conventions",
                "golden rules",
                "rules of thumb",
                "dos and don",
                "do and don",
            ],
            Named::Workflow => &[
                "workflow",
                "process",
                "steps",
                "procedure",
                "how to work",
                "approach",
                "how to use",
            ],
            Named::OutputFormat => &[
                "output format",
                "output",
                "deliverables",
                "what to return",
                "what you return",
                "response format",
                "hand back",
            ],
            Named::Scenarios => &[
                "test scenarios",
                "scenarios",
                "examples",
                "test cases",
                "test prompts",
                "evaluation",
            ],
        }
    }

    /// A one-line description for hints.
    pub fn heading_hint(self) -> &'static str {
        match self {
            Named::Persona => "## Persona",
            Named::Questions => "## Questions",
            Named::Principles => "## Principles",
            Named::Workflow => "## Workflow",
            Named::OutputFormat => "## Output format",
            Named::Scenarios => "## Test scenarios",
        }
    }
}

/// Where an assertion looks.
#[derive(Debug, Clone)]
pub enum Scope {
    /// SKILL.md body + references + templates (the default).
    Skill,
    /// SKILL.md body only.
    SkillMd,
    Section(Named),
    References,
    Templates,
    /// Sections whose heading contains this text or a synonym of it (case-insensitive,
    /// see [`heading_terms`]): SKILL.md's first, then the references' (a reference whose
    /// file name matches counts whole). Agents read references on demand, so guidance
    /// there counts; the scope only decides where it is expected first.
    Heading(String),
    /// Files matching a path or glob relative to the skill.
    File {
        pattern: String,
        re: regex::Regex,
    },
    /// Code blocks of a language (SKILL.md + references) plus template files of that type.
    Code(String),
}

impl Scope {
    /// Describes the scope for messages.
    pub fn describe(&self) -> String {
        match self {
            Scope::Skill => "the skill".into(),
            Scope::SkillMd => "SKILL.md".into(),
            Scope::Section(n) => format!("the {} section", n.id()),
            Scope::References => "references/ (or SKILL.md)".into(),
            Scope::Templates => "templates/".into(),
            Scope::Heading(h) => format!("sections headed \"{h}\""),
            Scope::File { pattern, .. } => pattern.clone(),
            Scope::Code(l) => format!("{l} code"),
        }
    }

    /// Where the scope looks, in a reviewer's words (for misses).
    pub fn place(&self) -> String {
        match self {
            Scope::Skill => "the skill".into(),
            Scope::SkillMd => "SKILL.md".into(),
            Scope::Section(n) => format!(
                "the {} section (SKILL.md, or a reference)",
                n.heading_hint().trim_start_matches("## ").to_lowercase()
            ),
            Scope::References => "the references or SKILL.md".into(),
            Scope::Templates => {
                "the templates, or a Dockerfile / Compose block in SKILL.md or a reference".into()
            }
            Scope::Heading(h) => format!(
                "a \"{}\" section (SKILL.md, or a reference)",
                h.to_lowercase()
            ),
            Scope::File { pattern, .. } => pattern.clone(),
            Scope::Code(l) if norm_lang(l) == "dockerfile" => {
                "the Dockerfiles (template files or ```dockerfile blocks)".into()
            }
            Scope::Code(l) => format!("the {l} code (blocks or template files)"),
        }
    }

    /// True for every scope but the default.
    pub fn is_narrow(&self) -> bool {
        !matches!(self, Scope::Skill)
    }

    /// A glob (`*`, `**`, `?`) or plain path, as an anchored regex.
    pub fn file(pattern: &str) -> Result<Scope, String> {
        let mut re = String::from("^");
        let trimmed = pattern.trim_start_matches("./");
        // `templates/X` also finds X in a sub-folder (`templates/python/X`).
        let mut chars = match trimmed.strip_prefix("templates/") {
            Some(rest) if !rest.contains("**") => {
                re.push_str("templates/(?:.*/)?");
                rest.chars().peekable()
            }
            _ => trimmed.chars().peekable(),
        };
        while let Some(c) = chars.next() {
            match c {
                '*' if chars.peek() == Some(&'*') => {
                    chars.next();
                    if chars.peek() == Some(&'/') {
                        chars.next();
                        re.push_str("(?:.*/)?");
                    } else {
                        re.push_str(".*");
                    }
                }
                '*' => re.push_str("[^/]*"),
                '?' => re.push_str("[^/]"),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push('$');
        let re = regex::Regex::new(&re).map_err(|e| format!("bad file pattern: {e}"))?;
        Ok(Scope::File {
            pattern: pattern.to_string(),
            re,
        })
    }

    /// The regions of `s` this scope covers.
    pub fn regions(&self, s: &Subject) -> Vec<Region> {
        if s.is_answer {
            return self.answer_regions(s);
        }
        let whole_of = |k: DocKind| -> Vec<Region> {
            (0..s.docs.len())
                .filter(|&i| s.docs[i].kind == k)
                .map(|i| s.whole(i))
                .collect()
        };
        match self {
            Scope::Skill => {
                let mut v = vec![s.main_body()];
                v.extend(whole_of(DocKind::Reference));
                v.extend(whole_of(DocKind::Template));
                v
            }
            Scope::SkillMd => vec![s.main_body()],
            Scope::Section(n) => {
                let mut v = named_sections(s, 0, *n);
                for i in docs_of(s, DocKind::Reference) {
                    v.extend(named_sections(s, i, *n));
                }
                v
            }
            Scope::References => {
                // Reference material is where a concept is expected first; the same
                // guidance in SKILL.md (always loaded) teaches it too. Term dumps do not
                // count anywhere (see `guidance`), so this does not reward stuffing.
                let mut v = whole_of(DocKind::Reference);
                v.push(s.main_body());
                v
            }
            Scope::Templates => {
                // A Dockerfile, Compose file or .dockerignore is one wherever the skill
                // keeps it: template files, and blocks of those languages in SKILL.md
                // and the references.
                let mut v = whole_of(DocKind::Template);
                v.extend(inline_blocks(s, |l| TEMPLATE_LANGS.contains(&l)));
                v
            }
            Scope::Heading(h) => {
                let terms = heading_terms(h);
                let hit = |t: &str| terms.iter().any(|x| t.contains(x.as_str()));
                let mut v = sections_where(s, 0, hit);
                for i in docs_of(s, DocKind::Reference) {
                    let name = s.docs[i].path.to_lowercase();
                    let stem = name.rsplit('/').next().unwrap_or(&name);
                    if hit(stem) {
                        v.push(s.whole(i));
                    } else {
                        v.extend(sections_where(s, i, hit));
                    }
                }
                v
            }
            Scope::File { pattern, re } => {
                let mut v: Vec<Region> = (0..s.docs.len())
                    .filter(|&i| re.is_match(&s.docs[i].path))
                    .map(|i| s.whole(i))
                    .collect();
                // `templates/…` names a kind of file; the same file inline counts.
                if pattern.starts_with("templates/") {
                    let lang = file_lang(pattern);
                    if TEMPLATE_LANGS.contains(&lang.as_str()) {
                        v.extend(inline_blocks(s, |l| l == lang));
                    }
                }
                v
            }
            Scope::Code(lang) => {
                let lang = norm_lang(lang);
                s.code_units()
                    .iter()
                    .filter(|u| u.lang == lang)
                    .filter(|u| match s.docs[u.doc].kind {
                        DocKind::SkillMd | DocKind::Reference => !u.whole_file,
                        DocKind::Template => true,
                        _ => false,
                    })
                    .map(|u| Region {
                        doc: u.doc,
                        start: u.start,
                        end: u.end,
                    })
                    .collect()
            }
        }
    }

    /// Scopes mapped onto an answer: file-ish scopes become its code blocks of the
    /// matching language, section scopes its sections, the rest the whole answer.
    fn answer_regions(&self, s: &Subject) -> Vec<Region> {
        let blocks_of = |lang: &str| -> Vec<Region> {
            s.code_units()
                .iter()
                .filter(|u| u.lang == lang)
                .map(|u| Region {
                    doc: u.doc,
                    start: u.start,
                    end: u.end,
                })
                .collect()
        };
        match self {
            // The answer text and every file the assistant wrote.
            Scope::Skill | Scope::SkillMd | Scope::References => {
                (0..s.docs.len()).map(|i| s.whole(i)).collect()
            }
            Scope::Templates => s
                .code_units()
                .iter()
                .map(|u| Region {
                    doc: u.doc,
                    start: u.start,
                    end: u.end,
                })
                .collect(),
            // An answer has no skill layout: a section scope reads the matching section
            // when the answer has one, else the whole answer.
            Scope::Section(n) => {
                let found = named_sections(s, 0, *n);
                if found.is_empty() {
                    (0..s.docs.len()).map(|i| s.whole(i)).collect()
                } else {
                    found
                }
            }
            Scope::Heading(h) => {
                let terms = heading_terms(h);
                let found = sections_where(s, 0, |t| terms.iter().any(|x| t.contains(x.as_str())));
                if found.is_empty() {
                    (0..s.docs.len()).map(|i| s.whole(i)).collect()
                } else {
                    found
                }
            }
            Scope::File { pattern, .. } => blocks_of(&file_lang(pattern)),
            Scope::Code(lang) => blocks_of(&norm_lang(lang)),
        }
    }
}

/// Regions of doc `doc`'s sections whose lowercase title satisfies `pred`.
pub fn sections_where(s: &Subject, doc: usize, pred: impl Fn(&str) -> bool) -> Vec<Region> {
    let Some(md) = s.docs[doc].md.as_ref() else {
        return Vec::new();
    };
    md.body
        .sections
        .iter()
        .filter(|sec| pred(&sec.title.to_lowercase()))
        .map(|sec| Region {
            doc,
            start: sec.start,
            end: sec.end.min(s.docs[doc].text.len()),
        })
        .collect()
}

/// Languages of files a skill ships as templates.
const TEMPLATE_LANGS: &[&str] = &["dockerfile", "yaml", "dockerignore"];

fn docs_of(s: &Subject, k: DocKind) -> Vec<usize> {
    (0..s.docs.len()).filter(|&i| s.docs[i].kind == k).collect()
}

/// Code blocks (not whole files) of SKILL.md and the references whose language passes.
fn inline_blocks(s: &Subject, lang: impl Fn(&str) -> bool) -> Vec<Region> {
    s.code_units()
        .iter()
        .filter(|u| !u.whole_file && lang(&u.lang))
        .filter(|u| matches!(s.docs[u.doc].kind, DocKind::SkillMd | DocKind::Reference))
        .map(|u| Region {
            doc: u.doc,
            start: u.start,
            end: u.end,
        })
        .collect()
}

/// Groups of heading words that name the same kind of section.
const HEADING_SYNONYMS: &[&[&str]] = &[
    &[
        "debug",
        "troubleshoot",
        "problem",
        "common issues",
        "common errors",
        "common failures",
        "faq",
        "diagnos",
        "when things go wrong",
        "when something goes wrong",
        "when it breaks",
        "if it breaks",
        "when it fails",
        "if it fails",
        "not working",
        "gotchas",
        "errors",
        "fixing",
    ],
    &[
        "prereq",
        "requirements",
        "before you start",
        "getting started",
        "setup",
        "set up",
        "install",
    ],
    &[
        "fundamental",
        "concept",
        "basics",
        "core ideas",
        "essentials",
        "how docker works",
    ],
    &["network", "ports", "connectivity"],
    &["volume", "storage", "persist", "data"],
    &["security", "hardening", "least privilege", "secrets"],
    &["compose", "multi-container", "multiple services"],
    &["registr", "publish", "push", "shipping", "release"],
    &["resource", "memory", "limits"],
];

/// The lowercase heading texts a `{heading: h}` scope accepts: `h`, plus every synonym
/// of a group `h` belongs to (so `Debug` also finds "Common issues" and "FAQ").
pub fn heading_terms(h: &str) -> Vec<String> {
    let h = h.to_lowercase();
    let mut out = vec![h.clone()];
    for g in HEADING_SYNONYMS {
        if g.iter().any(|x| h.contains(x) || x.contains(h.as_str())) {
            out.extend(g.iter().map(|x| x.to_string()));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Sections of doc `doc` whose own text (up to the next heading) is a list of at
/// least three questions, most of them ending in `?`: a questions section wherever it
/// sits and whatever its heading says.
fn question_lists(s: &Subject, doc: usize) -> Vec<Region> {
    let d = &s.docs[doc];
    let Some(md) = d.md.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for sec in &md.body.sections {
        let own_end = md
            .body
            .headings
            .iter()
            .map(|h| h.span.offset)
            .find(|&o| o > sec.start)
            .unwrap_or(sec.end)
            .min(sec.end)
            .min(d.text.len());
        let Some(own) = d.text.get(sec.start..own_end) else {
            continue;
        };
        let items: Vec<&str> = own
            .lines()
            .map(str::trim)
            .filter(|l| {
                l.starts_with("- ")
                    || l.starts_with("* ")
                    || l.split_once(['.', ')']).is_some_and(|(n, _)| {
                        !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
                    })
            })
            .collect();
        let asks = items.iter().filter(|l| l.contains('?')).count();
        if asks >= 3 && asks * 3 >= items.len() * 2 {
            out.push(Region {
                doc,
                start: sec.start,
                end: sec.end.min(d.text.len()),
            });
        }
    }
    out
}

/// The sections of a named kind where an agent meets them first: SKILL.md's, or when
/// SKILL.md has none, those of the references (for counts such as "5–7 questions",
/// which must not add up copies from several files).
pub fn named_sections_first(s: &Subject, n: Named) -> Vec<Region> {
    let main = named_sections(s, 0, n);
    if !main.is_empty() || s.is_answer {
        return main;
    }
    docs_of(s, DocKind::Reference)
        .into_iter()
        .map(|i| named_sections(s, i, n))
        .find(|v| !v.is_empty())
        .unwrap_or_default()
}

/// The sections of a named kind (outermost matches only, so nested sub-sections
/// of a matched section are not counted twice). Questions are also found by content.
pub fn named_sections(s: &Subject, doc: usize, n: Named) -> Vec<Region> {
    let syn = n.synonyms();
    let mut v = sections_where(s, doc, |t| syn.iter().any(|x| t.contains(x)));
    if n == Named::Questions {
        v.extend(question_lists(s, doc));
    }
    v.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<Region> = Vec::new();
    for r in v {
        if out.iter().any(|o| o.start <= r.start && r.end <= o.end) {
            continue;
        }
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let Scope::File { re, .. } = Scope::file("templates/*.yaml").unwrap() else {
            panic!()
        };
        assert!(re.is_match("templates/compose.yaml"));
        assert!(
            re.is_match("templates/sub/compose.yaml"),
            "nested templates"
        );
        assert!(!re.is_match("other/compose.yaml"));
        let Scope::File { re, .. } = Scope::file("refs/*.yaml").unwrap() else {
            panic!()
        };
        assert!(!re.is_match("refs/sub/a.yaml"));
        let Scope::File { re, .. } = Scope::file("**/Dockerfile*").unwrap() else {
            panic!()
        };
        assert!(re.is_match("templates/Dockerfile.multistage"));
        assert!(re.is_match("Dockerfile"));
    }

    #[test]
    fn named_sections_by_synonym_and_answer_mapping() {
        let s = Subject::from_answer(
            "# Who you are\nA builder.\n## Principles\n- one\n### Sub\n- two\n```dockerfile\nFROM x\n```\n",
        );
        let r = Scope::Section(Named::Persona).regions(&s);
        assert_eq!(r.len(), 1);
        let p = Scope::Section(Named::Principles).regions(&s);
        assert_eq!(p.len(), 1, "nested sub-section is not counted twice");
        let f = Scope::file("templates/Dockerfile").unwrap().regions(&s);
        assert_eq!(f.len(), 1);
        assert_eq!(&s.docs[0].text[f[0].start..f[0].end], "FROM x\n");
    }
}
