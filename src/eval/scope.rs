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

    /// Heading texts (lowercase substrings) that identify the section.
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Named::Persona => &["persona", "who you are", "stance"],
            Named::Questions => &["questions", "ask before"],
            Named::Principles => &["principles"],
            Named::Workflow => &["workflow", "process", "steps"],
            Named::OutputFormat => &["output format", "output", "deliverables"],
            Named::Scenarios => &["test scenarios", "scenarios", "examples"],
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
    /// SKILL.md sections whose heading contains this text (case-insensitive). References
    /// are reached with `references` or `{file: …}`: a heading scope asks what the always-loaded
    /// SKILL.md itself says.
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
            Scope::References => "references/".into(),
            Scope::Templates => "templates/".into(),
            Scope::Heading(h) => format!("sections headed \"{h}\""),
            Scope::File { pattern, .. } => pattern.clone(),
            Scope::Code(l) => format!("{l} code"),
        }
    }

    /// True for every scope but the default.
    pub fn is_narrow(&self) -> bool {
        !matches!(self, Scope::Skill)
    }

    /// A glob (`*`, `**`, `?`) or plain path, as an anchored regex.
    pub fn file(pattern: &str) -> Result<Scope, String> {
        let mut re = String::from("^");
        let mut chars = pattern.trim_start_matches("./").chars().peekable();
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
            Scope::Section(n) => named_sections(s, 0, *n),
            Scope::References => whole_of(DocKind::Reference),
            Scope::Templates => whole_of(DocKind::Template),
            Scope::Heading(h) => {
                let h = h.to_lowercase();
                sections_where(s, 0, |t| t.contains(&h))
            }
            Scope::File { re, .. } => (0..s.docs.len())
                .filter(|&i| re.is_match(&s.docs[i].path))
                .map(|i| s.whole(i))
                .collect(),
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
                let h = h.to_lowercase();
                let found = sections_where(s, 0, |t| t.contains(&h));
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

/// The sections of a named kind (outermost matches only, so nested sub-sections
/// of a matched section are not counted twice).
pub fn named_sections(s: &Subject, doc: usize, n: Named) -> Vec<Region> {
    let syn = n.synonyms();
    let mut v = sections_where(s, doc, |t| syn.iter().any(|x| t.contains(x)));
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
        assert!(!re.is_match("templates/sub/compose.yaml"));
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
