//! What assertions are evaluated against: a skill on disk (static judge) or an answer
//! text (model judge). Both become a [`Subject`]: a list of documents with their
//! Markdown models, plus scope resolution to byte regions, and lazily extracted
//! code units and prose blocks.
//!
//! Dependencies run one way: the fact modules (`dockerfacts`, `composefacts`) use the
//! subject and keep their parsed facts in its [`Memo`] slots; the subject knows nothing
//! of their types.

use crate::skill::{LineIndex, Skill, SkillDoc, parse_skill_md};
use std::any::Any;
use std::sync::OnceLock as OnceCell;

/// The role of a document in the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// The skill's SKILL.md.
    SkillMd,
    /// A file under `references/`.
    Reference,
    /// A file under `templates/` (also `assets/`).
    Template,
    /// Any other file of the skill (scripts, evals…): only reachable with a `file:` scope.
    Other,
    /// A model's answer to a prompt.
    Answer,
}

/// One text document.
#[derive(Debug)]
pub struct Doc {
    /// Display path relative to the skill (`SKILL.md`, `templates/Dockerfile`) or `answer`.
    pub path: String,
    pub kind: DocKind,
    pub text: String,
    pub lines: LineIndex,
    /// The Markdown model, for `.md` files and answers.
    pub md: Option<SkillDoc>,
}

impl Doc {
    pub fn line_of(&self, offset: usize) -> usize {
        self.lines.line_of(offset)
    }
}

/// A byte range of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub doc: usize,
    pub start: usize,
    pub end: usize,
}

impl Region {
    pub fn contains(&self, doc: usize, start: usize, end: usize) -> bool {
        self.doc == doc && start >= self.start && end <= self.end.max(self.start)
    }
}

/// A piece of code found in the subject: a fenced block or a whole file.
#[derive(Debug, Clone)]
pub struct CodeUnit {
    pub doc: usize,
    /// Byte range of the code in the doc's text.
    pub start: usize,
    pub end: usize,
    /// Line (1-based, in the doc) of the code's first line.
    pub first_line: usize,
    /// Normalised language (`dockerfile`, `yaml`, `bash`, `` for none…).
    pub lang: String,
    /// True when the unit is a whole file rather than a block inside Markdown.
    pub whole_file: bool,
}

/// Where something was found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Evidence {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The thing being judged.
pub struct Subject {
    pub docs: Vec<Doc>,
    /// True for an answer text (model judge).
    pub is_answer: bool,
    code: OnceCell<Vec<CodeUnit>>,
    /// Per doc: byte ranges of prose blocks that are not guidance (term dumps).
    dumps: OnceCell<Vec<Vec<(usize, usize)>>>,
    /// Facts parsed once per subject by the fact modules, one slot each.
    memo: [OnceCell<Box<dyn Any + Send + Sync>>; MEMO_SLOTS],
}

/// The memo slots of a subject (one per fact module).
#[derive(Debug, Clone, Copy)]
pub enum Memo {
    Dockerfiles = 0,
    Composes = 1,
}

const MEMO_SLOTS: usize = 2;

/// Language aliases → one name.
pub fn norm_lang(lang: &str) -> String {
    let l = lang.trim().to_ascii_lowercase();
    match l.as_str() {
        "docker" | "containerfile" => "dockerfile".into(),
        "yml" => "yaml".into(),
        "sh" | "shell" | "zsh" | "console" | "shell-session" | "terminal" => "bash".into(),
        "gitignore" | "ignore" => "dockerignore".into(),
        "py" => "python".into(),
        _ => l,
    }
}

/// The language a file holds, judged by its name.
pub fn file_lang(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    // `dockerfile.md` is a document about Dockerfiles, not a Dockerfile.
    if lower.ends_with(".md") || lower.ends_with(".markdown") {
        return "markdown".into();
    }
    if lower == "dockerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower == "containerfile"
    {
        return "dockerfile".into();
    }
    if lower.ends_with("dockerignore") {
        return "dockerignore".into();
    }
    match lower.rsplit_once('.').map(|(_, e)| e) {
        Some("yaml") | Some("yml") => "yaml".into(),
        Some("sh") | Some("bash") => "bash".into(),
        Some("md") | Some("markdown") => "markdown".into(),
        Some("py") => "python".into(),
        Some("toml") => "toml".into(),
        Some("json") => "json".into(),
        Some(e) => e.to_string(),
        None => String::new(),
    }
}

fn kind_of(rel: &str) -> DocKind {
    if rel.starts_with("references/") {
        DocKind::Reference
    } else if rel.starts_with("templates/") || rel.starts_with("assets/") {
        DocKind::Template
    } else {
        DocKind::Other
    }
}

/// Files bigger than this are not read into a subject (they are data, not guidance).
const MAX_DOC: u64 = 1024 * 1024;

impl Subject {
    /// A skill: SKILL.md (its already-parsed model) plus its other text files.
    pub fn from_skill(skill: &Skill) -> Subject {
        let mut docs = vec![Doc {
            path: "SKILL.md".into(),
            kind: DocKind::SkillMd,
            text: skill.doc.text.clone(),
            lines: skill.doc.lines.clone(),
            md: Some(skill.doc.clone()),
        }];
        let mut rels: Vec<String> = skill
            .files
            .iter()
            .filter(|f| !f.is_symlink && f.size <= MAX_DOC)
            .map(|f| f.rel.clone())
            .collect();
        rels.sort();
        for rel in rels {
            let Some(text) = skill.read_file(&rel) else {
                continue;
            };
            let md = (file_lang(&rel) == "markdown").then(|| parse_skill_md(&text));
            docs.push(Doc {
                kind: kind_of(&rel),
                path: rel,
                lines: LineIndex::new(&text),
                text,
                md,
            });
        }
        Subject::new(docs, false)
    }

    /// An answer text (Markdown) from a model.
    pub fn from_answer(text: &str) -> Subject {
        let doc = Doc {
            path: "answer".into(),
            kind: DocKind::Answer,
            text: text.to_string(),
            lines: LineIndex::new(text),
            md: Some(parse_skill_md(text)),
        };
        Subject::new(vec![doc], true)
    }

    /// An answer plus the files the assistant wrote while answering (an agent working
    /// in a project): each file is a document of the answer, graded like a code block
    /// of its type (a `Dockerfile` is a Dockerfile, `compose.yaml` is YAML).
    pub fn from_answer_with_files(text: &str, files: &[(String, String)]) -> Subject {
        let mut s = Subject::from_answer(text);
        for (rel, body) in files {
            let md = (file_lang(rel) == "markdown").then(|| parse_skill_md(body));
            s.docs.push(Doc {
                path: rel.clone(),
                kind: DocKind::Answer,
                lines: LineIndex::new(body),
                text: body.clone(),
                md,
            });
        }
        s
    }

    fn new(docs: Vec<Doc>, is_answer: bool) -> Subject {
        Subject {
            docs,
            is_answer,
            code: OnceCell::new(),
            dumps: OnceCell::new(),
            memo: Default::default(),
        }
    }

    /// The value of a memo slot, computed by `init` on first use. A slot always holds
    /// one type (the fact module that owns it); a mismatch is a programming error and
    /// yields `None`.
    pub fn memo<T: Any + Send + Sync>(
        &self,
        slot: Memo,
        init: impl FnOnce(&Subject) -> T,
    ) -> Option<&T> {
        self.memo[slot as usize]
            .get_or_init(|| Box::new(init(self)))
            .downcast_ref::<T>()
    }

    /// True when `offset` of doc `doc` lies in a prose block that is not guidance: a
    /// run of bare terms (`security, size, build speed`), or inline code with hardly a
    /// word of prose around it (`` `docker logs` `docker exec` ``). Evidence found
    /// there does not count: guidance is a sentence that says what to do and when.
    pub fn in_dump(&self, doc: usize, offset: usize) -> bool {
        let dumps = self.dumps.get_or_init(|| {
            self.docs
                .iter()
                .map(|d| match &d.md {
                    Some(md) => super::guidance::dump_blocks(&d.text, md),
                    None => Vec::new(),
                })
                .collect()
        });
        dumps.get(doc).is_some_and(|v| {
            // The last block starting at or before `offset` is the only candidate.
            let i = v.partition_point(|&(s, _)| s <= offset);
            i > 0 && offset < v[i - 1].1
        })
    }

    /// True when a code unit is shown as a counter-example (a "bad" / "avoid" block).
    pub fn is_counter_example(&self, u: &CodeUnit) -> bool {
        !u.whole_file && super::guidance::counter_example(&self.docs[u.doc].text, u.start)
    }

    /// The main Markdown document (SKILL.md, or the answer).
    pub fn main(&self) -> &Doc {
        &self.docs[0]
    }

    /// The main document's Markdown model.
    pub fn main_md(&self) -> Option<&SkillDoc> {
        self.docs[0].md.as_ref()
    }

    /// The main document's body region (after frontmatter).
    pub fn main_body(&self) -> Region {
        let d = self.main();
        let start = d.md.as_ref().map(|m| m.body.offset).unwrap_or(0);
        Region {
            doc: 0,
            start: start.min(d.text.len()),
            end: d.text.len(),
        }
    }

    pub fn whole(&self, doc: usize) -> Region {
        Region {
            doc,
            start: 0,
            end: self.docs[doc].text.len(),
        }
    }

    pub fn evidence(&self, doc: usize, offset: usize) -> Evidence {
        Evidence {
            file: self.docs[doc].path.clone(),
            line: self.docs[doc].line_of(offset),
        }
    }

    /// Every code unit: fenced/indented blocks of Markdown docs, and whole non-Markdown files.
    pub fn code_units(&self) -> &[CodeUnit] {
        self.code.get_or_init(|| {
            let mut out = Vec::new();
            for (i, d) in self.docs.iter().enumerate() {
                match &d.md {
                    Some(md) => {
                        for cb in &md.body.code_blocks {
                            out.push(CodeUnit {
                                doc: i,
                                start: cb.code_offset,
                                end: (cb.code_offset + cb.code.len()).min(d.text.len()),
                                first_line: cb.code_start_line,
                                lang: norm_lang(&cb.lang),
                                whole_file: false,
                            });
                        }
                    }
                    None => out.push(CodeUnit {
                        doc: i,
                        start: 0,
                        end: d.text.len(),
                        first_line: 1,
                        lang: file_lang(&d.path),
                        whole_file: true,
                    }),
                }
            }
            out
        })
    }

    /// The text of a code unit.
    pub fn code_text(&self, u: &CodeUnit) -> &str {
        self.docs[u.doc].text.get(u.start..u.end).unwrap_or("")
    }

    /// Code units of `lang` lying inside any of `regions`.
    pub fn code_in<'s>(
        &'s self,
        regions: &'s [Region],
        pred: impl Fn(&CodeUnit) -> bool + 's,
    ) -> impl Iterator<Item = (usize, &'s CodeUnit)> + 's {
        self.code_units()
            .iter()
            .enumerate()
            .filter(move |(_, u)| pred(u))
            .filter(move |(_, u)| regions.iter().any(|r| r.contains(u.doc, u.start, u.end)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_subject_exposes_code_blocks() {
        let s = Subject::from_answer("# Plan\n\n```dockerfile\nFROM python:3.12-slim\n```\n");
        let units = s.code_units();
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].lang, "dockerfile");
        assert_eq!(units[0].first_line, 4);
        assert_eq!(s.code_text(&units[0]), "FROM python:3.12-slim\n");
    }

    #[test]
    fn dump_lookup_finds_each_block_and_nothing_between() {
        let t = "`a b` `c d` `e f`\n\nUse `docker logs -f api` when it starts.\n\nsecurity, size, speed\n\nKeep the image small because pulls are slow.\n";
        let s = Subject::from_answer(t);
        let at = |needle: &str| t.find(needle).unwrap();
        assert!(s.in_dump(0, at("`c d`")));
        assert!(!s.in_dump(0, at("docker logs")));
        assert!(s.in_dump(0, at("size")));
        assert!(!s.in_dump(0, at("Keep")));
        assert!(!s.in_dump(1, 0), "no such doc");
    }

    #[test]
    fn file_languages() {
        assert_eq!(file_lang("templates/Dockerfile"), "dockerfile");
        assert_eq!(file_lang("templates/Dockerfile.multistage"), "dockerfile");
        assert_eq!(file_lang("templates/compose.yaml"), "yaml");
        assert_eq!(file_lang("templates/.dockerignore"), "dockerignore");
        assert_eq!(file_lang("references/dockerfile.md"), "markdown");
        assert_eq!(file_lang("templates/*dockerignore"), "dockerignore");
        assert_eq!(file_lang("references/Dockerfile.markdown"), "markdown");
        assert_eq!(norm_lang("Console"), "bash");
    }
}
