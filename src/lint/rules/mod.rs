//! Agent Skills spec rules (frontmatter, name, description, optional fields, body,
//! files, collections, evals).
//!
//! Every rule is a [`Rule`] constant in one of the topic modules and is listed once in
//! [`RULES`], in a stable order. Rules read the [`Skill`] model; the other files of a
//! skill are read through [`index`], a per-thread, per-skill cache, so that each file
//! is read at most once however many rules look at it.
//!
//! Loading failures (no `SKILL.md`, not a directory, non-UTF-8, too large) happen
//! before there is a model; the driver turns them into diagnostics with
//! [`load_error_diagnostic`]. Their rule entries exist so that `--explain` and
//! `--list-rules` know them; their check functions do nothing.

mod body;
mod collection;
mod description;
mod evals;
mod fields;
mod files;
mod frontmatter;
mod name;
mod paths;

#[cfg(test)]
use super::Check;
use super::Rule;
#[cfg(test)]
use super::{Ctx, Emitter};
use crate::report::{Diagnostic, Severity};
use crate::skill::{LoadError, Skill, Span};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::cell::RefCell;
use std::rc::Rc;
use unicode_normalization::UnicodeNormalization;

pub use description::has_when_cue;
pub use fields::{CLAUDE_CODE_FIELDS, SPEC_FIELDS};
pub use paths::PathRef;

/// The spec rules, in a stable order.
pub static RULES: &[Rule] = &[
    // Loading (reported through `load_error_diagnostic`).
    frontmatter::SKILL_MD_MISSING,
    frontmatter::PATH_NOT_DIR,
    frontmatter::UNREADABLE,
    frontmatter::UTF8,
    frontmatter::TOO_LARGE,
    // Frontmatter.
    frontmatter::SKILL_MD_LOWERCASE,
    frontmatter::FRONTMATTER_MISSING,
    frontmatter::FRONTMATTER_START,
    frontmatter::FRONTMATTER_UNCLOSED,
    frontmatter::YAML_INVALID,
    frontmatter::FRONTMATTER_NOT_MAPPING,
    frontmatter::BLOCK_SCALAR,
    frontmatter::CRLF,
    // Name.
    name::NAME_REQUIRED,
    name::NAME_LENGTH,
    name::NAME_FORMAT,
    name::NAME_MATCHES_DIR,
    name::NAME_RESERVED,
    name::NAME_XML,
    // Description.
    description::DESCRIPTION_REQUIRED,
    description::DESCRIPTION_LENGTH,
    description::DESCRIPTION_ANGLE_BRACKETS,
    description::DESCRIPTION_WHEN_CUE,
    description::DESCRIPTION_PERSON,
    description::DESCRIPTION_STUFFING,
    // Other fields.
    fields::UNKNOWN_FIELD,
    fields::COMPATIBILITY,
    fields::LICENSE_TYPE,
    fields::METADATA_STRINGS,
    fields::ALLOWED_TOOLS_LIST,
    crate::lint::schema::FRONTMATTER_SCHEMA,
    // Body.
    body::BODY_EMPTY,
    body::BODY_TOO_LONG,
    body::BODY_TOKENS,
    body::CODE_FENCE_UNCLOSED,
    body::BODY_KEYWORD_STUFFING,
    // Links and files.
    files::LINK_BROKEN,
    files::LINK_ESCAPES,
    files::LINK_LOCAL_ABSOLUTE,
    files::SYMLINK_OUTSIDE,
    files::PATH_BACKSLASH,
    files::REFERENCE_DEPTH,
    files::REFERENCE_TOC,
    files::REFERENCE_TOKENS,
    files::ORPHAN_FILE,
    files::EXTRANEOUS_FILE,
    evals::EVALS_JSON,
    // Collections.
    collection::NAME_DUPLICATE,
    collection::CATALOG_BUDGET,
];

/// Turns a loading failure into a diagnostic (rule id, error severity, location, hint).
pub fn load_error_diagnostic(err: &LoadError) -> Diagnostic {
    let (id, span, message) = match err {
        LoadError::NotFound(_) => (
            frontmatter::PATH_NOT_DIR.id,
            None,
            "no such file or directory".to_string(),
        ),
        LoadError::NotADirectory(_) => (
            frontmatter::PATH_NOT_DIR.id,
            None,
            "not a directory: a skill is a directory holding SKILL.md".to_string(),
        ),
        LoadError::NoSkillMd(_) => (
            frontmatter::SKILL_MD_MISSING.id,
            None,
            "no SKILL.md in this skill directory".to_string(),
        ),
        LoadError::Unreadable { message, .. } => (
            frontmatter::UNREADABLE.id,
            None,
            format!("cannot read SKILL.md: {message}"),
        ),
        LoadError::NotUtf8 { line, col, .. } => (
            frontmatter::UTF8.id,
            Some(Span {
                line: *line,
                col: *col,
                offset: 0,
                len: 0,
            }),
            format!("SKILL.md is not valid UTF-8 (first bad byte at line {line}, column {col})"),
        ),
        LoadError::TooLarge { size, cap, .. } => (
            frontmatter::TOO_LARGE.id,
            None,
            format!("SKILL.md is {size} bytes, over the {cap}-byte cap"),
        ),
        LoadError::LinkOutside { target, .. } => (
            frontmatter::UNREADABLE.id,
            None,
            format!(
                "SKILL.md is a symbolic link to {}, outside the skill: not followed",
                crate::term::escape_line(&target.display().to_string())
            ),
        ),
    };
    Diagnostic::new(id, Severity::Error, err.path().to_path_buf(), span, message)
        .with_hint(err.hint())
}

// ---------------------------------------------------------------------------------
// Shared helpers.

/// NFKC-normalised copy of `s` (ASCII text is its own NFKC form: copied as is).
pub(crate) fn nfkc(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    s.nfkc().collect()
}

/// Span of the opening `---` (or the start of the file) for whole-frontmatter findings.
pub(crate) fn frontmatter_span(skill: &Skill) -> Option<Span> {
    skill.doc.frontmatter.open.or(Some(Span {
        line: 1,
        col: 1,
        offset: 0,
        len: 0,
    }))
}

/// True when the frontmatter parsed into fields (so field rules have something to say).
pub(crate) fn fields_parsed(skill: &Skill) -> bool {
    let fm = &skill.doc.frontmatter;
    fm.is_present() && fm.yaml_error.is_none() && fm.not_mapping.is_none()
}

/// Builds a diagnostic for a tree rule (no emitter exists for those).
pub(crate) fn tree_diag(
    rule: &Rule,
    skill: &crate::lint::SkillSummary,
    span: Option<Span>,
    message: String,
) -> Diagnostic {
    Diagnostic::new(
        rule.id,
        rule.severity,
        skill.skill_md.clone(),
        span,
        message,
    )
}

/// A check that does nothing: for rules reported by the loader.
pub(crate) use crate::rule::reported_elsewhere as reported_by_loader;

// ---------------------------------------------------------------------------------
// Per-skill index and file cache.

/// The skill's file index, shared by the rules run on one skill through its memo.
pub(crate) trait IndexMemo {
    /// The skill's files, directories and SKILL.md references (path rules).
    fn index(&self) -> Rc<SkillIndex>;
}

impl IndexMemo for crate::lint::SkillMemo<'_> {
    fn index(&self) -> Rc<SkillIndex> {
        self.get(SkillIndex::build)
    }
}

/// What the file rules need about one skill, computed once.
pub(crate) struct SkillIndex {
    /// Files of the skill (relative, `/`-separated) and every directory above them.
    pub files: HashSet<String>,
    pub dirs: HashSet<String>,
    /// Top-level directories present (`references`, `scripts`…).
    pub top_dirs: HashSet<String>,
    /// Links and path mentions in SKILL.md.
    pub refs: Vec<PathRef>,
    /// Folders that could not be listed (`.` for the skill folder): what is in them is
    /// unknown, so paths under them are taken to exist (SF-unreadable reports them).
    unlisted: Vec<String>,
    texts: RefCell<HashMap<String, Option<Rc<String>>>>,
    file_refs: RefCell<HashMap<String, Rc<Vec<PathRef>>>>,
}

impl SkillIndex {
    pub(crate) fn build(skill: &Skill) -> SkillIndex {
        let mut files = HashSet::with_capacity(skill.files.len() + 1);
        let mut dirs = HashSet::new();
        let mut top_dirs = HashSet::new();
        for f in &skill.files {
            files.insert(f.rel.clone());
            let mut rest = f.rel.as_str();
            while let Some(i) = rest.rfind('/') {
                rest = &rest[..i];
                if !dirs.insert(rest.to_string()) {
                    break;
                }
            }
            if let Some(i) = f.rel.find('/') {
                top_dirs.insert(f.rel[..i].to_string());
            }
        }
        files.insert("SKILL.md".to_string());
        let mut unlisted = Vec::new();
        for u in skill.unreadable.iter().filter(|u| u.is_dir) {
            if u.rel != "." {
                dirs.insert(u.rel.clone());
                if let Some(top) = u.rel.split('/').next() {
                    top_dirs.insert(top.to_string());
                }
            }
            unlisted.push(u.rel.clone());
        }
        let refs = paths::skill_md_refs(skill);
        SkillIndex {
            files,
            dirs,
            top_dirs,
            refs,
            unlisted,
            texts: RefCell::new(HashMap::new()),
            file_refs: RefCell::new(HashMap::new()),
        }
    }

    /// Whether `rel` (normalised) names a file or directory of the skill.
    pub fn exists(&self, rel: &str) -> bool {
        let rel = rel.trim_end_matches('/');
        rel.is_empty()
            || self.files.contains(rel)
            || self.dirs.contains(rel)
            || self.unlisted.iter().any(|d| {
                d == "."
                    || rel
                        .strip_prefix(d.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    }

    /// Links and path mentions of another text file of the skill, scanned at most once
    /// (`None` when the file cannot be read as text).
    pub fn refs_in(&self, skill: &Skill, rel: &str) -> Option<Rc<Vec<PathRef>>> {
        if let Some(r) = self.file_refs.borrow().get(rel) {
            return Some(r.clone());
        }
        let text = self.text(skill, rel)?;
        let refs = Rc::new(paths::text_refs(&text));
        self.file_refs
            .borrow_mut()
            .insert(rel.to_string(), refs.clone());
        Some(refs)
    }

    /// The text of a file of the skill, read at most once (`None` when absent, too
    /// large, a symlink, or not UTF-8).
    pub fn text(&self, skill: &Skill, rel: &str) -> Option<Rc<String>> {
        if let Some(t) = self.texts.borrow().get(rel) {
            return t.clone();
        }
        let readable = skill
            .files
            .iter()
            .any(|f| f.rel == rel && !f.is_symlink && f.size <= crate::skill::DEFAULT_SIZE_CAP);
        let t: Option<Rc<String>> = if readable {
            skill.read_file(rel).map(Rc::new)
        } else {
            None
        };
        self.texts.borrow_mut().insert(rel.to_string(), t.clone());
        t
    }
}

/// Finds a rule of this module by id (tests).
#[cfg(test)]
pub(crate) fn rule(id: &str) -> &'static Rule {
    RULES
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no rule {id}"))
}

/// Runs one rule (skill or tree) and returns its findings. For tests.
#[cfg(test)]
pub(crate) fn run_rule(id: &str, cx: &Ctx, skills: &[Skill]) -> Vec<Diagnostic> {
    let r = rule(id);
    let mut out = Vec::new();
    match r.check {
        Check::Skill(f) => {
            for s in skills {
                let memo = crate::lint::SkillMemo::new(s);
                let mut em = Emitter::new(r, &memo, &mut out);
                f(cx, s, &mut em);
            }
        }
        Check::Tree(f) => {
            let summaries: Vec<_> = skills.iter().map(crate::lint::SkillSummary::of).collect();
            f(cx, &summaries, &mut out)
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;
    use crate::lint::{Config, Profile};

    pub fn cx() -> Ctx {
        Ctx::new(Config::default())
    }

    pub fn cx_profile(p: Profile) -> Ctx {
        Ctx::new(Config {
            profile: p,
            ..Config::default()
        })
    }

    /// A skill from text in a (non-existent) directory named `dir`.
    pub fn skill(dir: &str, text: &str) -> Skill {
        Skill::from_text(
            &std::path::Path::new("/nonexistent-skillforge-test").join(dir),
            text,
        )
    }

    /// Frontmatter + body with a valid name/description for `dir`.
    pub fn doc(dir: &str, extra_fm: &str, body: &str) -> String {
        format!(
            "---\nname: {dir}\ndescription: Builds widgets from specs. Use when the user asks for a widget.\n{extra_fm}---\n{body}"
        )
    }

    /// Lines at which rule `id` fired.
    pub fn lines(id: &str, cx: &Ctx, s: &Skill) -> Vec<usize> {
        run_rule(id, cx, std::slice::from_ref(s))
            .iter()
            .map(|d| d.line().unwrap_or(0))
            .collect()
    }

    /// A temp skill directory named `name` with the given files.
    pub fn temp_skill(name: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, Skill) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (rel, body) in files {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, body).unwrap();
        }
        let s = Skill::load(&dir).unwrap();
        (tmp, s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_prefixed_and_documented() {
        let mut seen = HashSet::new();
        for r in RULES {
            assert!(r.id.starts_with("SF-"), "{}", r.id);
            assert!(seen.insert(r.id), "duplicate id {}", r.id);
            assert!(
                !r.summary.is_empty() && !r.summary.contains('\n'),
                "{}",
                r.id
            );
            assert!(r.explain.len() > 80, "explain too short for {}", r.id);
        }
        assert!(RULES.len() >= 45);
        assert!(matches!(rule("SF-name-duplicate").check, Check::Tree(_)));
    }

    #[test]
    fn load_errors_become_diagnostics() {
        let d = load_error_diagnostic(&LoadError::NoSkillMd("x".into()));
        assert_eq!(d.rule, "SF-skill-md-missing");
        assert_eq!(d.severity, Severity::Error);
        assert!(d.hint.is_some());
        let d = load_error_diagnostic(&LoadError::NotUtf8 {
            path: "x/SKILL.md".into(),
            line: 3,
            col: 5,
        });
        assert_eq!((d.rule.as_str(), d.line()), ("SF-utf8", Some(3)));
        let d = load_error_diagnostic(&LoadError::TooLarge {
            path: "x/SKILL.md".into(),
            size: 10,
            cap: 5,
        });
        assert_eq!(d.rule, "SF-too-large");
        let d = load_error_diagnostic(&LoadError::NotADirectory("x.txt".into()));
        assert_eq!(d.rule, "SF-path-not-dir");
        let d = load_error_diagnostic(&LoadError::NotFound("nope".into()));
        assert_eq!(d.rule, "SF-path-not-dir");
        let d = load_error_diagnostic(&LoadError::Unreadable {
            path: "x".into(),
            message: "denied".into(),
        });
        assert_eq!(d.rule, "SF-unreadable");
    }

    #[test]
    fn index_reads_each_file_once_and_knows_dirs() {
        let (_t, s) = testutil::temp_skill(
            "idx",
            &[
                (
                    "SKILL.md",
                    &testutil::doc("idx", "", "See [a](references/a.md).\n"),
                ),
                ("references/a.md", "# A\n"),
            ],
        );
        let memo = crate::lint::SkillMemo::new(&s);
        let ix = memo.index();
        assert!(ix.exists("references/a.md") && ix.exists("references/") && ix.exists("SKILL.md"));
        assert!(!ix.exists("references/b.md"));
        let a1 = ix.text(&s, "references/a.md").unwrap();
        std::fs::remove_file(s.dir.join("references/a.md")).unwrap();
        let a2 = ix.text(&s, "references/a.md").unwrap();
        assert!(Rc::ptr_eq(&a1, &a2));
        assert!(Rc::ptr_eq(&ix, &memo.index()));
    }
}
